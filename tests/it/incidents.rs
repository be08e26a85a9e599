//! Major incidents through the desk: the truck hits the power system and
//! a datacenter goes dark.

use std::collections::{BTreeMap, BTreeSet};

use chrono::Duration;
use fanatical::actor::Actor;
use fanatical::agent::Role;
use fanatical::channel::ChannelAddress;
use fanatical::customer::{AccountStanding, ContactRole, Currency, CustomerCommand, Money, Tier};
use fanatical::desk::{Action, Command, Desk, DeskConfig};
use fanatical::desk::{CustomerAction, IncidentAction, PeopleAction, SurveyAction, TicketAction};
use fanatical::id::{AgentId, ComponentId, ContactId, IncidentId};
use fanatical::incident::*;
use fanatical::outbox::Recipient;
use fanatical::survey::{Question, QuestionKind, SurveyConfig, SurveyDraft, SurveyKind};
use fanatical::ticket::Status;

use crate::support::World;

fn c(id: &str) -> ComponentId {
    ComponentId::new(id).unwrap()
}

pub fn catalog() -> ComponentCatalog {
    ComponentCatalog::new()
        .with(c("dfw1"), "DFW1 datacenter", None)
        .unwrap()
        .with(c("dfw1/servers"), "Cloud servers in DFW1", Some(c("dfw1")))
        .unwrap()
        .with(c("dfw1/storage"), "Storage in DFW1", Some(c("dfw1")))
        .unwrap()
        .with(c("ord1"), "ORD1 datacenter", None)
        .unwrap()
}

fn credits() -> CreditConfig {
    CreditConfig::default()
        .with_reason(
            "sla-outage",
            "Credit for downtime under the uptime guarantee",
        )
        .unwrap()
        .with_tier(
            Tier::Enterprise,
            CreditPolicy::new(ReasonCode::new("sla-outage").unwrap(), 500, 3000).unwrap(),
        )
        .unwrap()
}

pub fn config() -> DeskConfig {
    let follow_up = SurveyDraft::new("after-outage")
        .question(
            Question::new("happy", "Are you happy with us?", QuestionKind::scale()).required(),
        )
        .validate()
        .unwrap();
    DeskConfig::default()
        .with_incidents(
            IncidentConfig::default()
                .with_components(catalog())
                .with_credits(credits())
                .with_follow_up(Some("after-outage"), Duration::days(45))
                .unwrap(),
        )
        .with_surveys(SurveyConfig::default().with_survey(follow_up))
}

/// Acme (Jane, plus Olga on the technical side) runs on DFW1 servers;
/// Tiny runs in ORD1.
pub struct Outage {
    pub w: World,
    pub olga: ContactId,
    pub boss: AgentId,
}

pub fn outage_world(config: DeskConfig) -> Outage {
    let mut w = World::with_config(config);
    let olga = w.ids.next_id();
    let boss = w.ids.next_id();
    let (acme, tiny) = (w.acme, w.tiny);
    for cmd in [
        Command::new(
            Actor::integration("setup"),
            CustomerAction::Update {
                customer: acme,
                command: CustomerCommand::AddContact {
                    contact: olga,
                    name: "Olga Ops".into(),
                    addresses: vec![ChannelAddress::email("ops@acme.example").unwrap()],
                },
            },
        ),
        Command::new(
            Actor::integration("setup"),
            CustomerAction::Update {
                customer: acme,
                command: CustomerCommand::DesignateContact {
                    contact: olga,
                    role: ContactRole::Technical,
                },
            },
        ),
        Command::new(
            Actor::integration("setup"),
            CustomerAction::Update {
                customer: acme,
                command: CustomerCommand::RunOn {
                    component: c("dfw1/servers"),
                },
            },
        ),
        Command::new(
            Actor::integration("setup"),
            CustomerAction::Update {
                customer: tiny,
                command: CustomerCommand::RunOn {
                    component: c("ord1"),
                },
            },
        ),
        Command::new(
            Actor::integration("setup"),
            PeopleAction::RegisterAgent {
                id: boss,
                name: "Incident commander".into(),
                time_zone: chrono_tz::America::Chicago,
                roles: vec![Role::TeamLead],
                skills: vec![],
            },
        ),
    ] {
        w.run(cmd).unwrap();
    }
    Outage { w, olga, boss }
}

fn both(technical: &str, business: &str) -> Messages {
    Messages::from([
        (Audience::Technical, technical.to_owned()),
        (Audience::Business, business.to_owned()),
    ])
}

pub fn declare(o: &mut Outage, id: IncidentId) {
    o.w.run(Command::new(Actor::Agent(o.boss), IncidentAction::Declare {
        incident: id,
        title: "DFW1 power loss".into(),
        commander: o.boss,
        status: IncidentStatus::Investigating,
        components: BTreeMap::from([(c("dfw1"), ComponentState::MajorOutage)]),
        cadence: Some(Cadence::every_minutes(30, 5).unwrap()),
        messages: both(
            "Utility feed lost after a vehicle struck a transformer; generators failed to transfer.",
            "Sites hosted in DFW1 are down. Next update within 30 minutes.",
        ),
    }))
    .unwrap();
}

fn update(o: &mut Outage, id: IncidentId, status: IncidentStatus, text: &str) -> Command {
    let _ = o;
    Command::new(
        Actor::Agent(o.boss),
        IncidentAction::Update {
            incident: id,
            status,
            components: BTreeMap::new(),
            messages: Messages::from([(Audience::Business, text.to_owned())]),
            spokesperson: None,
            solve_linked: None,
        },
    )
}

/// Messages to contacts: (contact, body).
fn to_contacts(d: &Desk) -> Vec<(ContactId, String)> {
    d.channels()
        .outbox()
        .filter_map(|e| match &e.message.recipient {
            Recipient::Contact { contact, .. } if e.message.ticket.is_none() => {
                Some((*contact, e.message.body.clone()))
            }
            _ => None,
        })
        .collect()
}

#[test]
fn an_outage_reaches_every_affected_contact_in_their_own_words_and_agents_can_brief_callers() {
    let mut o = outage_world(config());
    let id: IncidentId = o.w.ids.next_id();
    declare(&mut o, id);
    let i = o.w.desk.incidents().get(id).unwrap();
    assert_eq!(i.affected(), &BTreeSet::from([o.w.acme]));
    let sent = to_contacts(&o.w.desk);
    assert_eq!(sent.len(), 2, "{sent:?}");
    let jane = sent.iter().find(|(c, _)| *c == o.w.jane).unwrap();
    let olga = sent.iter().find(|(c, _)| *c == o.olga).unwrap();
    // Jane in the business words, Olga (technical) in the technical ones.
    assert_eq!(
        jane.1,
        "[investigating] DFW1 power loss\n\nSites hosted in DFW1 are down. Next update within 30 minutes."
    );
    assert_eq!(
        olga.1,
        "[investigating] DFW1 power loss\n\nUtility feed lost after a vehicle struck a transformer; \
         generators failed to transfer."
    );
    assert!(!sent.iter().any(|(c, _)| *c == o.w.tom));

    // Any agent who takes Jane's call knows what is going on.
    let briefings = o.w.desk.incidents().briefings(o.w.acme, o.w.now);
    assert_eq!(briefings.len(), 1);
    let b = &briefings[0];
    assert_eq!(b.status, IncidentStatus::Investigating);
    assert_eq!(b.affects, vec![c("dfw1/servers")]);
    assert_eq!(b.next_update_due, Some(o.w.now + Duration::minutes(30)));
    assert!(b.latest.as_ref().unwrap().messages[&Audience::Technical].contains("transformer"));
    assert!(o.w.desk.incidents().briefings(o.w.tiny, o.w.now).is_empty());

    // The status page shows the public text only; none was written yet.
    let page = o.w.desk.incidents().status_page();
    assert_eq!(page.len(), 1);
    assert_eq!(page[0].message, None);
    assert_eq!(page[0].components[&c("dfw1")], ComponentState::MajorOutage);
    o.w.run(Command::new(
        Actor::Agent(o.boss),
        IncidentAction::Update {
            incident: id,
            status: IncidentStatus::Investigating,
            components: BTreeMap::new(),
            messages: Messages::from([(
                Audience::Public,
                "We are investigating an outage in DFW1.".to_owned(),
            )]),
            spokesperson: None,
            solve_linked: None,
        },
    ))
    .unwrap();
    assert_eq!(
        o.w.desk.incidents().status_page()[0].message.as_deref(),
        Some("We are investigating an outage in DFW1.")
    );
    // With no business or technical text, both contacts get the public one.
    let sent = to_contacts(&o.w.desk);
    assert_eq!(sent.len(), 4);
    let public: BTreeSet<ContactId> = sent
        .iter()
        .filter(|(_, b)| b.ends_with("We are investigating an outage in DFW1."))
        .map(|(c, _)| *c)
        .collect();
    assert_eq!(public, BTreeSet::from([o.w.jane, o.olga]));

    // An update goes to both contacts once more, in the business words.
    o.w.tick(20);
    let cmd = update(
        &mut o,
        id,
        IncidentStatus::Identified,
        "Power is back; servers are booting.",
    );
    o.w.run(cmd).unwrap();
    let sent = to_contacts(&o.w.desk);
    assert_eq!(sent.len(), 6);
    let mut booting: Vec<ContactId> = sent
        .iter()
        .filter(|(_, b)| b.ends_with("Power is back; servers are booting."))
        .map(|(c, _)| *c)
        .collect();
    booting.sort();
    let mut both_contacts = vec![o.w.jane, o.olga];
    both_contacts.sort();
    assert_eq!(booting, both_contacts, "each contact once");
    // The same desk rebuilt from the store agrees.
    assert_eq!(Desk::rebuild(&o.w.store, config()).unwrap(), o.w.desk);
}

#[test]
fn the_commander_is_warned_before_an_update_is_missed_and_told_when_it_is() {
    let mut o = outage_world(config());
    let id: IncidentId = o.w.ids.next_id();
    let t0 = o.w.now;
    declare(&mut o, id);
    assert_eq!(o.w.desk.poll_timeout(), Some(t0 + Duration::minutes(25)));
    let boss = o.boss;
    let pages = |d: &Desk| {
        d.channels()
            .outbox()
            .filter(|e| matches!(e.message.recipient, Recipient::Agent { agent } if agent == boss))
            .count()
    };
    let cadence = |d: &Desk| {
        d.incidents()
            .get(id)
            .unwrap()
            .events()
            .iter()
            .filter(|e| {
                matches!(
                    e.kind,
                    IncidentEventKind::UpdateDueSoon { .. }
                        | IncidentEventKind::UpdateOverdue { .. }
                )
            })
            .map(|e| (e.at, e.kind.clone()))
            .collect::<Vec<_>>()
    };
    o.w.now = t0 + Duration::minutes(24);
    assert!(
        o.w.desk
            .handle_timeout(&mut o.w.store, o.w.now)
            .unwrap()
            .is_empty()
    );
    o.w.now = t0 + Duration::minutes(25);
    o.w.desk.handle_timeout(&mut o.w.store, o.w.now).unwrap();
    assert_eq!(pages(&o.w.desk), 1);
    assert_eq!(o.w.desk.poll_timeout(), Some(t0 + Duration::minutes(30)));
    o.w.now = t0 + Duration::minutes(31);
    o.w.desk.handle_timeout(&mut o.w.store, o.w.now).unwrap();
    assert_eq!(pages(&o.w.desk), 2);
    // Missed once is recorded once.
    assert!(
        o.w.desk
            .handle_timeout(&mut o.w.store, o.w.now)
            .unwrap()
            .is_empty()
    );
    // Warned at 25 minutes, missed when the 31-minute timeout ran; both
    // name the 30-minute instant that was due.
    let due = t0 + Duration::minutes(30);
    assert_eq!(
        cadence(&o.w.desk),
        vec![
            (
                t0 + Duration::minutes(25),
                IncidentEventKind::UpdateDueSoon { due }
            ),
            (
                t0 + Duration::minutes(31),
                IncidentEventKind::UpdateOverdue { due }
            ),
        ]
    );
    // An update restarts the clock from when it was posted.
    let cmd = update(
        &mut o,
        id,
        IncidentStatus::Identified,
        "Generators are being replaced.",
    );
    o.w.run(cmd).unwrap();
    let posted = o.w.now;
    assert_eq!(
        o.w.desk.poll_timeout(),
        Some(posted + Duration::minutes(25))
    );
    // A late caller of handle_timeout gets both the warning and the miss.
    let later = posted + Duration::hours(2);
    let events = o.w.desk.handle_timeout(&mut o.w.store, later).unwrap();
    assert_eq!(
        events
            .iter()
            .filter(|e| matches!(e.event, fanatical::event::Event::Incident(_)))
            .count(),
        2
    );
    let due = posted + Duration::minutes(30);
    assert_eq!(
        cadence(&o.w.desk)[2..],
        [
            (later, IncidentEventKind::UpdateDueSoon { due }),
            (later, IncidentEventKind::UpdateOverdue { due }),
        ]
    );
    assert_eq!(pages(&o.w.desk), 4);
}

#[test]
fn resolving_solves_linked_tickets_credits_by_contract_and_follows_up_weeks_later() {
    let mut o = outage_world(config());
    let (acme, tiny) = (o.w.acme, o.w.tiny);
    let standing = |minor, tier| CustomerCommand::SetAccountStanding {
        standing: AccountStanding {
            monthly_spend: Money {
                minor,
                currency: Currency::new("USD").unwrap(),
            },
            tier,
        },
    };
    o.w.run(Command::new(
        Actor::integration("setup"),
        CustomerAction::Update {
            customer: acme,
            command: standing(100_000, Tier::Enterprise),
        },
    ))
    .unwrap();
    o.w.run(Command::new(
        Actor::integration("setup"),
        CustomerAction::Update {
            customer: tiny,
            command: standing(5_000, Tier::Standard),
        },
    ))
    .unwrap();
    let id: IncidentId = o.w.ids.next_id();
    let t0 = o.w.now;
    declare(&mut o, id);
    o.w.tick(5);
    let ticket = o.w.jane_emails("Our site is down!!");
    let other =
        o.w.jane_emails("Also, can you resend last month's invoice?");
    assert_eq!(
        o.w.desk.incidents().unlinked_tickets(id),
        vec![ticket, other]
            .into_iter()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect::<Vec<_>>()
    );
    // Jane also calls; the call ends, and her ticket is linked too.
    let call: fanatical::id::TicketId = o.w.ids.next_id();
    let phone = o.w.jane_phone.clone();
    o.w.run(Command::new(
        Actor::integration("inbound"),
        TicketAction::Receive(fanatical::desk::InboundMessage::new(
            call,
            fanatical::channel::Channel::Phone,
            phone,
            "Calling about the outage",
        )),
    ))
    .unwrap();
    o.w.run(Command::new(
        Actor::integration("setup"),
        IncidentAction::LinkTickets {
            incident: id,
            tickets: vec![ticket, ticket, call],
        },
    ))
    .unwrap();
    assert_eq!(
        o.w.desk.incidents().get(id).unwrap().linked(),
        &BTreeSet::from([ticket, call])
    );

    // Credits need the measured downtime: refused until resolved.
    o.w.refused(
        Command::new(
            Actor::integration("setup"),
            IncidentAction::IssueCredits { incident: id },
        ),
        IncidentError::NotResolved(id),
    );

    // An hour in major outage, an hour partial, then resolved.
    o.w.now = t0 + Duration::hours(1);
    o.w.run(Command::new(
        Actor::Agent(o.boss),
        IncidentAction::Update {
            incident: id,
            status: IncidentStatus::Monitoring,
            components: BTreeMap::from([(c("dfw1"), ComponentState::PartialOutage)]),
            messages: both("Half the racks are powered.", "Most sites are back."),
            spokesperson: None,
            solve_linked: None,
        },
    ))
    .unwrap();
    o.w.now = t0 + Duration::hours(2);
    o.w.run(Command::new(
        Actor::Agent(o.boss),
        IncidentAction::Update {
            incident: id,
            status: IncidentStatus::Resolved,
            components: BTreeMap::new(),
            messages: both(
                "All racks on utility power.",
                "Every site is back. We are sorry.",
            ),
            spokesperson: None,
            solve_linked: Some(
                "The DFW1 outage is over and your site is back. Sorry for the trouble.".into(),
            ),
        },
    ))
    .unwrap();
    let i = o.w.desk.incidents().get(id).unwrap();
    assert!(i.is_resolved());
    assert_eq!(i.components()[&c("dfw1")], ComponentState::Operational);
    let t = o.w.desk.tickets().get(ticket).unwrap();
    assert_eq!(t.status(), Status::Solved);
    assert_eq!(t.assignee(), Some(o.boss));
    assert!(
        t.conversation()
            .last()
            .unwrap()
            .body
            .contains("outage is over")
    );
    assert!(
        o.w.desk
            .tickets()
            .get(other)
            .unwrap()
            .status()
            .is_unsolved(),
        "unlinked tickets stay open"
    );
    // The final message went to Jane as a reply on her ticket.
    let final_message: Vec<_> =
        o.w.desk
            .channels()
            .outbox()
            .filter(|e| e.message.ticket == Some(ticket))
            .collect();
    assert_eq!(final_message.len(), 1);
    assert_eq!(
        final_message[0].message.recipient,
        Recipient::Contact {
            contact: o.w.jane,
            address: o.w.jane_email.clone()
        }
    );
    assert!(
        final_message[0]
            .message
            .body
            .contains("The DFW1 outage is over and your site is back. Sorry for the trouble."),
        "{}",
        final_message[0].message.body
    );
    // The call is long over: its final message went out in writing, to
    // Jane's email, not "spoken" on a call nobody is on.
    assert_eq!(
        o.w.desk.tickets().get(call).unwrap().status(),
        Status::Solved
    );
    let written: Vec<_> =
        o.w.desk
            .channels()
            .outbox()
            .filter(|e| e.message.ticket == Some(call))
            .collect();
    assert_eq!(written.len(), 1);
    assert_eq!(
        written[0].message.channel,
        fanatical::channel::Channel::Email
    );
    assert!(
        matches!(&written[0].message.recipient, Recipient::Contact { address, .. } if *address == o.w.jane_email)
    );
    // No update after resolution.
    let cmd = update(&mut o, id, IncidentStatus::Monitoring, "One more thing");
    o.w.refused(cmd, IncidentError::Resolved(id));

    // 1 h major + 1 h partial at 50% = 1.5 weighted hours at 5% = 7.5% of 1,000.00.
    let bill = o.w.bill;
    let due = o.w.desk.incidents().credits_due(id, bill).unwrap();
    assert!(due.held.is_empty());
    let due = due.credits;
    assert_eq!(
        due.len(),
        1,
        "Tiny is not affected; only Enterprise has a policy"
    );
    assert_eq!(due[0].customer, acme);
    assert_eq!(due[0].amount.unwrap().minor, 7_500);
    assert_eq!(due[0].downtime.major, Duration::hours(1));
    assert_eq!(due[0].reason.as_str(), "sla-outage");
    o.w.run(Command::new(
        Actor::integration("setup"),
        IncidentAction::IssueCredits { incident: id },
    ))
    .unwrap();
    assert_eq!(
        o.w.desk.incidents().get(id).unwrap().credits()[&acme]
            .amount
            .minor,
        7_500
    );
    assert!(
        o.w.run(Command::new(
            Actor::integration("setup"),
            IncidentAction::IssueCredits { incident: id }
        ))
        .unwrap()
        .is_empty(),
        "credited once"
    );

    // 45 days later: a follow-up survey to Acme's survey contact (no
    // primary is named, and both Jane and Olga have email: the first
    // contact by id).
    let resolved = o.w.now;
    assert_eq!(
        o.w.desk.incidents().get(id).unwrap().follow_up_at(),
        Some(resolved + Duration::days(45))
    );
    o.w.now = resolved + Duration::days(45);
    o.w.desk.handle_timeout(&mut o.w.store, o.w.now).unwrap();
    let inv: Vec<_> =
        o.w.desk
            .surveys()
            .invitations()
            .filter(|r| r.invitation.kind == SurveyKind::IncidentFollowUp)
            .collect();
    assert_eq!(inv.len(), 1);
    assert_eq!(inv[0].invitation.customer, acme);
    assert_eq!(inv[0].invitation.contact, o.w.jane.min(o.olga));
    assert_eq!(inv[0].invitation.sent_at, resolved + Duration::days(45));
    assert_eq!(o.w.desk.incidents().get(id).unwrap().follow_up_at(), None);
    assert!(
        o.w.desk
            .handle_timeout(&mut o.w.store, o.w.now)
            .unwrap()
            .is_empty()
    );

    // The whole story is one exportable timeline.
    let timeline = o.w.desk.incidents().timeline(id, bill).unwrap();
    let lines = timeline.lines();
    assert!(
        lines[0].contains("declared (investigating): DFW1 power loss"),
        "{lines:#?}"
    );
    assert!(lines.iter().any(|l| l.contains("resolved")));
    assert!(lines.iter().any(|l| l.contains("credit issued")));
    assert!(lines.last().unwrap().contains("follow-up survey"));
    let json = serde_json::to_value(&timeline).unwrap();
    assert_eq!(
        json["entries"].as_array().unwrap().len(),
        timeline.entries.len()
    );
    assert_eq!(json["entries"][0]["event"]["type"], "declared");
    assert_eq!(Desk::rebuild(&o.w.store, config()).unwrap(), o.w.desk);
}

#[test]
fn a_linked_ticket_that_cannot_be_solved_does_not_hold_up_the_resolution() {
    let mut o = outage_world(config());
    let id: IncidentId = o.w.ids.next_id();
    declare(&mut o, id);
    let ticket = o.w.jane_emails("Down?");
    // A phone ticket is answered live: it can be solved whatever happens
    // to her email address.
    let reachable = o.w.ids.next_id();
    let phone = fanatical::ticket::OpenTicket::new(
        reachable,
        o.w.acme,
        "Called about the outage",
        fanatical::channel::Channel::Phone,
    )
    .requested_by(o.w.jane);
    o.w.run(Command::new(
        Actor::integration("setup"),
        TicketAction::Open(phone),
    ))
    .unwrap();
    o.w.run(Command::new(
        Actor::integration("setup"),
        IncidentAction::LinkTickets {
            incident: id,
            tickets: vec![ticket, reachable],
        },
    ))
    .unwrap();
    // Jane's email address goes away: her email ticket cannot be answered.
    o.w.run(Command::new(
        Actor::integration("setup"),
        CustomerAction::Update {
            customer: o.w.acme,
            command: CustomerCommand::RemoveAddress {
                contact: o.w.jane,
                address: o.w.jane_email.clone(),
            },
        },
    ))
    .unwrap();
    o.w.run(Command::new(
        Actor::Agent(o.boss),
        IncidentAction::Update {
            incident: id,
            status: IncidentStatus::Resolved,
            components: BTreeMap::new(),
            messages: both("Power restored.", "We are back."),
            spokesperson: None,
            solve_linked: Some("Fixed.".into()),
        },
    ))
    .unwrap();
    let i = o.w.desk.incidents().get(id).unwrap();
    assert!(i.is_resolved());
    let left: Vec<_> = i
        .events()
        .iter()
        .flat_map(|e| match &e.kind {
            IncidentEventKind::Updated { left_open, .. } => left_open.clone(),
            _ => Vec::new(),
        })
        .collect();
    assert_eq!(left.len(), 1, "{left:?}");
    assert_eq!(left[0].0, ticket);
    assert_eq!(
        left[0].1,
        fanatical::desk::DeskError::Unreachable {
            ticket,
            channel: fanatical::channel::Channel::Email
        }
        .to_string()
    );
    assert!(
        o.w.desk
            .tickets()
            .get(ticket)
            .unwrap()
            .status()
            .is_unsolved()
    );
    assert_eq!(
        o.w.desk.tickets().get(reachable).unwrap().status(),
        Status::Solved
    );
    let lines = o.w.desk.incidents().timeline(id, o.boss).unwrap().lines();
    assert!(
        lines.last().unwrap().contains("1 linked tickets left open"),
        "{lines:?}"
    );
    assert_eq!(Desk::rebuild(&o.w.store, config()).unwrap(), o.w.desk);
}

#[test]
fn a_follow_up_becomes_a_task_when_no_survey_can_go() {
    let cfg = config();
    let mut cfg2 = cfg.clone();
    cfg2.incidents.follow_up_survey = None;
    let mut o = outage_world(cfg2.clone());
    let manager: AgentId = o.w.ids.next_id();
    o.w.run(Command::new(
        Actor::integration("setup"),
        PeopleAction::RegisterAgent {
            id: manager,
            name: "Account manager".into(),
            time_zone: chrono_tz::America::Chicago,
            roles: vec![Role::AccountManager],
            skills: vec![],
        },
    ))
    .unwrap();
    o.w.run(Command::new(
        Actor::integration("setup"),
        CustomerAction::Update {
            customer: o.w.acme,
            command: CustomerCommand::AssignAccountTeam {
                agent: manager,
                role: Role::AccountManager,
            },
        },
    ))
    .unwrap();
    let id: IncidentId = o.w.ids.next_id();
    declare(&mut o, id);
    let cmd = update(&mut o, id, IncidentStatus::Resolved, "Back.");
    o.w.run(cmd).unwrap();
    o.w.now += Duration::days(46);
    o.w.desk.handle_timeout(&mut o.w.store, o.w.now).unwrap();
    let i = o.w.desk.incidents().get(id).unwrap();
    let followed = i.events().iter().find_map(|e| match &e.kind {
        IncidentEventKind::FollowedUp { outcome, .. } => Some(outcome.clone()),
        _ => None,
    });
    assert_eq!(
        followed,
        Some(FollowUpOutcome::Task {
            owner: Some(manager),
            reason: "no follow-up survey is configured".into()
        })
    );
    assert!(o.w.desk.channels().outbox().any(
        |e| matches!(e.message.recipient, Recipient::Agent { agent } if agent == manager)
            && e.message.body.contains("Follow up with Acme Hosting")
    ));
}

#[test]
fn nps_waves_skip_customers_in_an_active_incident() {
    let mut cfg = config();
    let nps = SurveyDraft::new("relationship")
        .question(Question::new("score", "Recommend us?", QuestionKind::Nps).required())
        .validate()
        .unwrap();
    cfg.surveys = cfg.surveys.clone().with_survey(nps);
    let mut o = outage_world(cfg);
    let id: IncidentId = o.w.ids.next_id();
    declare(&mut o, id);
    o.w.run(Command::new(
        Actor::integration("setup"),
        SurveyAction::RunWave {
            wave: "q4".into(),
            survey: "relationship".into(),
            share_percent: 100,
            seed: 1,
            exclude: vec![],
        },
    ))
    .unwrap();
    let asked: BTreeSet<_> =
        o.w.desk
            .surveys()
            .invitations()
            .map(|r| r.invitation.customer)
            .collect();
    assert_eq!(asked, BTreeSet::from([o.w.tiny]));
}

#[test]
fn bad_incident_input_is_refused_with_a_reason() {
    let mut o = outage_world(config());
    let id: IncidentId = o.w.ids.next_id();
    let declare_on = |component: &str, boss| {
        Command::new(
            Actor::Agent(boss),
            IncidentAction::Declare {
                incident: id,
                title: "x".into(),
                commander: boss,
                status: IncidentStatus::Investigating,
                components: BTreeMap::from([(c(component), ComponentState::MajorOutage)]),
                cadence: None,
                messages: Messages::from([(Audience::Business, "down".into())]),
            },
        )
    };
    o.w.refused(
        declare_on("lon1", o.boss),
        IncidentError::UnknownComponent(c("lon1")),
    );
    o.w.refused(
        Command::new(
            Actor::integration("setup"),
            CustomerAction::Update {
                customer: o.w.acme,
                command: CustomerCommand::RunOn {
                    component: c("lon1"),
                },
            },
        ),
        IncidentError::UnknownComponent(c("lon1")),
    );
    let mut cmd = declare_on("dfw1", o.boss);
    if let Action::Incident(IncidentAction::Declare { components, .. }) = &mut cmd.action {
        components.clear();
    }
    o.w.refused(cmd, IncidentError::NoComponents);
    let mut cmd = declare_on("dfw1", o.boss);
    if let Action::Incident(IncidentAction::Declare { messages, .. }) = &mut cmd.action {
        messages.insert(Audience::Technical, "  ".into());
    }
    o.w.refused(cmd, IncidentError::BlankMessage(Audience::Technical));
    let mut cmd = declare_on("dfw1", o.boss);
    if let Action::Incident(IncidentAction::Declare { cadence, .. }) = &mut cmd.action {
        *cadence = Some(Cadence {
            every: Duration::minutes(10),
            warn_before: Duration::minutes(10),
        });
    }
    o.w.refused(
        cmd,
        IncidentError::InvalidCadence {
            every: 600,
            warn_before: 600,
        },
    );
    let other: IncidentId = o.w.ids.next_id();
    let cmd = update(&mut o, other, IncidentStatus::Identified, "?");
    o.w.refused(cmd, IncidentError::UnknownIncident(other));
    assert_eq!(
        CreditPolicy::new(ReasonCode::new("sla-outage").unwrap(), -5, 100),
        Err(IncidentError::NegativeRate(-5))
    );
    assert_eq!(
        CreditConfig::default()
            .with_default(CreditPolicy::new(ReasonCode::new("goodwill").unwrap(), 5, 100).unwrap()),
        Err(IncidentError::UnknownReason(
            ReasonCode::new("goodwill").unwrap()
        ))
    );
}

#[test]
fn a_credit_policy_with_a_negative_rate_from_config_is_refused_when_credits_are_issued() {
    // A config file can say anything; the desk checks before it pays.
    let mut cfg = config();
    let json = r#"{"reasons": {"sla-outage": "downtime"},
                   "by_tier": {"enterprise": {"reason": "sla-outage", "rate_bp_per_hour": -100, "cap_bp": 1000}}}"#;
    cfg.incidents.credits = serde_json::from_str(json).unwrap();
    let mut o = outage_world(cfg);
    let id: IncidentId = o.w.ids.next_id();
    declare(&mut o, id);
    let cmd = update(&mut o, id, IncidentStatus::Resolved, "Back.");
    o.w.run(cmd).unwrap();
    o.w.refused(
        Command::new(
            Actor::integration("setup"),
            IncidentAction::IssueCredits { incident: id },
        ),
        IncidentError::NegativeRate(-100),
    );
}
