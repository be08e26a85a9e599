//! Escalation through the desk: hand-offs that lose nothing, escalations
//! that notify the right people, staffing checks, and the simulation of
//! who is told what, and when.

use chrono::{TimeZone, Utc};
use chrono_tz::America::Chicago;
use fanatical::actor::Actor;
use fanatical::agent::Role;
use fanatical::channel::Channel;
use fanatical::desk::{Command, Desk};
use fanatical::desk::{PeopleAction, TicketAction};
use fanatical::escalation::{Facts, GraphProblem, default_graph};
use fanatical::id::{AgentId, TicketId};
use fanatical::outbox::Recipient;
use fanatical::ticket::{EntryVisibility, OpenTicket, Priority, TicketCommand};

use crate::sla_desk::policies;
use crate::support::World;

fn hire(w: &mut World, name: &str, role: Role) -> AgentId {
    let id: AgentId = w.ids.next_id();
    w.run(Command::new(
        Actor::integration("setup"),
        PeopleAction::RegisterAgent {
            id,
            name: name.into(),
            time_zone: Chicago,
            roles: vec![role],
            skills: vec![],
        },
    ))
    .unwrap();
    id
}

#[test]
fn hand_offs_between_departments_keep_everything() {
    let mut w = World::new();
    let t = w.jane_emails("I want to upgrade, and my invoice is wrong");
    let ana = w.ana;
    w.run(Command::note(t, ana, "Customer is on the legacy plan"))
        .unwrap();
    let before: Vec<String> = w
        .desk
        .tickets()
        .get(t)
        .unwrap()
        .conversation()
        .iter()
        .map(|e| e.body.clone())
        .collect();
    for (dept, why) in [
        ("Sales", "wants an upgrade"),
        ("Support", "upgrade needs a migration"),
        ("Account team", "a large migration"),
        ("Billing", "the invoice question"),
        ("Support", "back to support to finish"),
    ] {
        w.run(Command::new(
            Actor::Agent(ana),
            TicketAction::Update {
                ticket: t,
                command: TicketCommand::HandOff {
                    to: dept.into(),
                    by: ana,
                    reason: why.into(),
                    context: vec!["conversation".into(), "plan details".into()],
                },
            },
        ))
        .unwrap();
        assert_eq!(w.desk.tickets().get(t).unwrap().department(), Some(dept));
    }
    let ticket = w.desk.tickets().get(t).unwrap();
    let after: Vec<&str> = ticket
        .conversation()
        .iter()
        .map(|e| e.body.as_str())
        .collect();
    // Everything that was there is still there, in order, plus one note per hand-off.
    assert_eq!(
        &after[..before.len()],
        before
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .as_slice()
    );
    assert_eq!(after.len(), before.len() + 5);
    assert!(
        after
            .last()
            .unwrap()
            .starts_with("Handed to Support: back to support to finish")
    );
    assert!(
        after
            .last()
            .unwrap()
            .contains("Context that travels with it: conversation; plan details")
    );
    assert!(
        ticket.conversation()[before.len()..]
            .iter()
            .all(|e| e.visibility == EntryVisibility::Internal)
    );
    // The customer sees none of the internal hand-offs.
    let jane = w.jane;
    assert_eq!(
        w.desk
            .customer_ticket_view(t, jane)
            .unwrap()
            .conversation
            .len(),
        1
    );
    // Handing to the department that already has it is not an event.
    let again = w.run(Command::new(
        Actor::Agent(ana),
        TicketAction::Update {
            ticket: t,
            command: TicketCommand::HandOff {
                to: "Support".into(),
                by: ana,
                reason: "again".into(),
                context: vec![],
            },
        },
    ));
    assert!(again.unwrap().is_empty());
}

#[test]
fn a_crisis_escalates_to_the_safety_responder_and_pages_them() {
    let mut w = World::new();
    let responder = hire(&mut w, "Sam (trained responder)", Role::SafetyResponder);
    let graph = default_graph().unwrap();
    let t = w.jane_emails("I can't do this anymore");
    let facts = Facts::new(Priority::Normal, w.now).in_crisis();
    let e = w
        .desk
        .tickets()
        .escalation(t, &graph, "front_line", &facts, w.now)
        .unwrap();
    assert_eq!(e.owner, "safety");
    assert_eq!(e.people, vec![responder]);
    assert_eq!(e.context, vec!["the message", "contact details", "channel"]);
    let ana = w.ana;
    w.run(Command::escalate(t, ana, &e)).unwrap();
    assert_eq!(
        w.desk.tickets().get(t).unwrap().department(),
        Some("Safety responder")
    );
    // The responder is paged, and nobody else.
    let pages: Vec<_> = w
        .desk
        .channels()
        .outbox()
        .filter(|m| matches!(m.message.recipient, Recipient::Agent { .. }))
        .collect();
    assert_eq!(pages.len(), 1);
    let page = pages[0];
    assert_eq!(
        page.message.recipient,
        Recipient::Agent { agent: responder }
    );
    assert_eq!(page.message.ticket, Some(t));
    assert_eq!(page.message.channel, Channel::Chat);
    assert!(
        page.message.body.contains("Safety responder"),
        "{}",
        page.message.body
    );
    // The page survives a rebuild with the same idempotency key.
    let rebuilt = Desk::rebuild(&w.store, w.desk.config().clone()).unwrap();
    assert_eq!(rebuilt, w.desk);
}

#[test]
fn the_desk_says_which_owners_nobody_can_take() {
    let mut w = World::new();
    let staff = |k: &fanatical::escalation::NodeKind| w.desk.people().staff_count(k);
    let err = default_graph()
        .unwrap()
        .to_builder()
        .build_staffed(&staff)
        .unwrap_err();
    // Billing is staffed (Bill); nobody is an account manager, executive or
    // safety responder yet: those three, and nothing else.
    assert_eq!(
        err.problems(),
        &["account_team", "senior_leader", "safety"]
            .map(|node| GraphProblem::Unstaffed { node: node.into() })
    );
    for role in [Role::AccountManager, Role::Executive, Role::SafetyResponder] {
        hire(&mut w, "someone", role);
    }
    let staff = |k: &fanatical::escalation::NodeKind| w.desk.people().staff_count(k);
    let staffed = default_graph()
        .unwrap()
        .to_builder()
        .build_staffed(&staff)
        .unwrap();
    assert_eq!(staffed.rules(), default_graph().unwrap().rules());
}

#[test]
fn simulation_says_who_is_told_what_and_when_over_a_weekend() {
    let mut w = World::with_config(fanatical::desk::DeskConfig::default().with_sla(policies()));
    hire(&mut w, "Tia (tier 2 lead)", Role::TeamLead);
    let am = hire(&mut w, "Alex (account manager)", Role::AccountManager);
    let graph = default_graph().unwrap();
    // Friday 16:30 in Chicago; the standard policy runs on a 9-to-5.
    let friday = Chicago
        .with_ymd_and_hms(2026, 11, 6, 16, 30, 0)
        .unwrap()
        .with_timezone(&Utc);
    let id: TicketId = w.ids.next_id();
    let (acme, jane) = (w.acme, w.jane);
    let open = OpenTicket::new(id, acme, "Database down", Channel::Email)
        .requested_by(jane)
        .with_message(
            fanatical::ticket::Author::Contact(jane),
            "Our database is down",
        );
    let before = w.desk.clone();
    let notices = w
        .desk
        .tickets()
        .simulate_escalation(
            &graph,
            "front_line",
            open,
            Facts::new(Priority::Normal, friday),
            friday,
            72,
        )
        .unwrap();
    assert_eq!(w.desk, before, "the simulation runs on a copy");
    // Who is told: the default graph's team nodes name no desk team, so a
    // notice while the front line or tier 2 owns the ticket reaches nobody
    // (Tia leads, but no team is bound to the node); the account team is a
    // role, and Alex holds it.
    let told: Vec<(&str, &str, Vec<AgentId>, usize)> = notices
        .iter()
        .map(|n| {
            (
                n.trigger.as_str(),
                n.owner.as_str(),
                n.people.clone(),
                n.path.len(),
            )
        })
        .collect();
    assert_eq!(
        told,
        vec![
            ("opened", "front_line", vec![], 0),
            ("first_response warned at 50%", "front_line", vec![], 0),
            ("first_response warned at 75%", "front_line", vec![], 0),
            ("first_response breached", "tier2", vec![], 1),
            ("resolution breached", "account_team", vec![am], 2),
        ]
    );
    // When, to the nanosecond: 30 minutes of first response on Friday,
    // nothing over the weekend, the rest on Monday morning, and the breach
    // sends it to tier 2; resolution is 30 minutes on Friday and 7.5 hours
    // on Monday.
    let chicago = |d, h, m| {
        Chicago
            .with_ymd_and_hms(2026, 11, d, h, m, 0)
            .unwrap()
            .with_timezone(&Utc)
    };
    assert_eq!(
        notices.iter().map(|n| n.at).collect::<Vec<_>>(),
        vec![
            friday,
            chicago(9, 9, 0),
            chicago(9, 9, 15),
            chicago(9, 9, 30),
            chicago(9, 16, 30),
        ]
    );
}
