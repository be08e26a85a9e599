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
    let page = w
        .desk
        .channels()
        .outbox()
        .find(|m| m.message.recipient == Recipient::Agent { agent: responder })
        .expect("the responder is paged");
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
    let unstaffed: Vec<&GraphProblem> = err.problems().iter().collect();
    // Billing is staffed (Bill); nobody is an account manager, executive or
    // safety responder yet.
    for node in ["account_team", "senior_leader", "safety"] {
        assert!(
            unstaffed.contains(&&GraphProblem::Unstaffed { node: node.into() }),
            "{node}: {unstaffed:?}"
        );
    }
    assert!(!unstaffed.contains(&&GraphProblem::Unstaffed {
        node: "billing".into()
    }));
    for role in [Role::AccountManager, Role::Executive, Role::SafetyResponder] {
        hire(&mut w, "someone", role);
    }
    let staff = |k: &fanatical::escalation::NodeKind| w.desk.people().staff_count(k);
    assert!(
        default_graph()
            .unwrap()
            .to_builder()
            .build_staffed(&staff)
            .is_ok()
    );
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
    let lines: Vec<(String, String, String)> = notices
        .iter()
        .map(|n| {
            (
                n.at.with_timezone(&Chicago).format("%a %H:%M").to_string(),
                n.trigger.clone(),
                n.owner.clone(),
            )
        })
        .collect();
    let expect = |day: &str, trigger: &str, owner: &str| {
        (day.to_owned(), trigger.to_owned(), owner.to_owned())
    };
    assert_eq!(lines[0], expect("Fri 16:30", "opened", "front_line"));
    // 30 minutes of first response on Friday, nothing over the weekend,
    // the rest on Monday morning; the breach sends it to tier 2.
    assert_eq!(
        lines[1],
        expect("Mon 09:00", "first_response warned at 50%", "front_line")
    );
    assert_eq!(
        lines[2],
        expect("Mon 09:15", "first_response warned at 75%", "front_line")
    );
    assert!(
        lines
            .iter()
            .all(|(d, _, _)| !d.starts_with("Sat") && !d.starts_with("Sun")),
        "{lines:?}"
    );
    let breach = lines
        .iter()
        .find(|(_, t, _)| t == "first_response breached")
        .unwrap();
    assert_eq!(
        breach,
        &expect("Mon 09:30", "first_response breached", "tier2")
    );
    let resolution = lines
        .iter()
        .find(|(_, t, _)| t == "resolution breached")
        .unwrap();
    assert_eq!(resolution.2, "account_team");
    let n = notices
        .iter()
        .find(|n| n.trigger == "resolution breached")
        .unwrap();
    assert_eq!(n.people, vec![am]);
    assert_eq!(n.path.len(), 2);
    // Resolution: 30 minutes on Friday, 7.5 hours on Monday.
    let at = notices
        .iter()
        .find(|n| n.trigger == "resolution breached")
        .unwrap()
        .at;
    assert_eq!(
        at,
        Chicago
            .with_ymd_and_hms(2026, 11, 9, 16, 30, 0)
            .unwrap()
            .with_timezone(&Utc)
    );
}
