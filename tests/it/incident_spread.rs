//! Story 003, the outage that spreads and is told by more than one voice:
//! an update puts a second datacenter into outage and its customers are
//! brought in (updates, credits, follow-up); a customer who moves onto a
//! component that is down joins; a contact only a person can phone gets a
//! named caller; the CEO speaks, journalists are briefed, and the
//! post-incident write-up reaches everyone affected.

use std::collections::{BTreeMap, BTreeSet};

use chrono::Duration;
use fanatical::actor::Actor;
use fanatical::agent::Role;
use fanatical::channel::ChannelAddress;
use fanatical::customer::{AccountStanding, Currency, CustomerCommand, Money, Tier};
use fanatical::desk::{Command, CustomerAction, DeskConfig, IncidentAction, PeopleAction};
use fanatical::id::{AgentId, ComponentId, ContactId, CustomerId, IncidentId};
use fanatical::incident::*;
use fanatical::outbox::Recipient;
use fanatical::ticket::{Author, EntryVisibility, Status, TicketType};

use crate::incidents::{Outage, config, declare, outage_world};

fn c(id: &str) -> ComponentId {
    ComponentId::new(id).unwrap()
}

const DECLARED: &str = "Sites hosted in DFW1 are down. Next update within 30 minutes.";

fn business(text: &str) -> Messages {
    Messages::from([(Audience::Business, text.to_owned())])
}

fn setup(o: &mut Outage, customer: CustomerId, command: CustomerCommand) {
    o.w.run(Command::new(
        Actor::integration("setup"),
        CustomerAction::Update { customer, command },
    ))
    .unwrap();
}

fn enterprise(o: &mut Outage, customer: CustomerId, minor: i64) {
    setup(
        o,
        customer,
        CustomerCommand::SetAccountStanding {
            standing: AccountStanding {
                monthly_spend: Money {
                    minor,
                    currency: Currency::new("USD").unwrap(),
                },
                tier: Tier::Enterprise,
            },
        },
    );
}

fn update(o: &Outage, id: IncidentId, status: IncidentStatus) -> IncidentAction {
    let _ = o;
    IncidentAction::Update {
        incident: id,
        status,
        components: BTreeMap::new(),
        messages: Messages::new(),
        spokesperson: None,
        solve_linked: None,
    }
}

/// The bodies of every incident message to `contact`, sorted.
fn to(o: &Outage, contact: ContactId) -> Vec<String> {
    let mut out: Vec<String> = o.w.desk
        .channels()
        .outbox()
        .filter(|e| e.message.ticket.is_none())
        .filter(|e| matches!(&e.message.recipient, Recipient::Contact { contact: c, .. } if *c == contact))
        .map(|e| e.message.body.clone())
        .collect();
    out.sort();
    out
}

fn register(o: &mut Outage, name: &str, role: Role) -> AgentId {
    let id: AgentId = o.w.ids.next_id();
    o.w.run(Command::new(
        Actor::integration("setup"),
        PeopleAction::RegisterAgent {
            id,
            name: name.into(),
            time_zone: chrono_tz::America::Chicago,
            roles: vec![role],
            skills: vec![],
        },
    ))
    .unwrap();
    id
}

#[test]
fn an_update_that_takes_down_a_second_datacenter_brings_its_customers_in() {
    let mut o = outage_world(config());
    let (acme, tiny, tom) = (o.w.acme, o.w.tiny, o.w.tom);
    enterprise(&mut o, acme, 100_000);
    enterprise(&mut o, tiny, 40_000);
    let id: IncidentId = o.w.ids.next_id();
    let t0 = o.w.now;
    declare(&mut o, id);
    assert_eq!(
        o.w.desk.incidents().get(id).unwrap().affected(),
        &BTreeSet::from([acme])
    );
    assert!(to(&o, tom).is_empty());

    // Half an hour in, the failover load takes ORD1 down too.
    o.w.now = t0 + Duration::minutes(30);
    o.w.run(Command::new(
        Actor::Agent(o.boss),
        IncidentAction::Update {
            incident: id,
            status: IncidentStatus::Identified,
            components: BTreeMap::from([(c("ord1"), ComponentState::MajorOutage)]),
            messages: business("Failover traffic overloaded ORD1; sites there are down too."),
            spokesperson: None,
            solve_linked: None,
        },
    ))
    .unwrap();
    let i = o.w.desk.incidents().get(id).unwrap();
    assert_eq!(i.affected(), &BTreeSet::from([acme, tiny]));
    assert_eq!(i.joined(), &BTreeMap::from([(tiny, o.w.now)]));
    // The join is an event of the incident, before the update.
    let kinds: Vec<&IncidentEventKind> = i.events().iter().map(|e| &e.kind).collect();
    assert_eq!(
        kinds[1],
        &IncidentEventKind::CustomerJoined {
            customer: tiny,
            component: c("ord1"),
            cause: JoinCause::Spread,
            unreachable: vec![],
            call_outs: vec![],
        }
    );
    assert!(matches!(kinds[2], IncidentEventKind::Updated { .. }));
    assert_eq!(
        i.timeline().lines()[1],
        format!(
            "{}  {tiny} joined: the incident spread to ord1",
            o.w.now.format("%Y-%m-%d %H:%M")
        )
    );
    // Tom hears the update that brought Tiny in, and every one after.
    assert_eq!(
        to(&o, tom),
        vec![
            "[identified] DFW1 power loss\n\nFailover traffic overloaded ORD1; sites there are down too."
        ]
    );
    o.w.now = t0 + Duration::minutes(90);
    let mut resolve = update(&o, id, IncidentStatus::Resolved);
    if let IncidentAction::Update { messages, .. } = &mut resolve {
        *messages = business("DFW1 and ORD1 are back.");
    }
    o.w.run(Command::new(Actor::Agent(o.boss), resolve))
        .unwrap();
    assert_eq!(to(&o, tom).len(), 2);
    assert_eq!(
        to(&o, tom)[1],
        "[resolved] DFW1 power loss\n\nDFW1 and ORD1 are back."
    );

    // Credits: Acme was down 90 minutes, Tiny 60 (from when ORD1 went
    // down), both at 5% of the monthly fee per hour.
    o.w.run(Command::new(
        Actor::integration("billing"),
        IncidentAction::IssueCredits { incident: id },
    ))
    .unwrap();
    let credits = o.w.desk.incidents().get(id).unwrap().credits().clone();
    assert_eq!(credits[&acme].downtime.major, Duration::minutes(90));
    assert_eq!(credits[&acme].amount.minor, 7_500);
    assert_eq!(credits[&tiny].downtime.major, Duration::minutes(60));
    assert_eq!(credits[&tiny].amount.minor, 2_000);

    // And the follow-up weeks later asks both.
    o.w.now += Duration::days(45);
    o.w.desk.handle_timeout(&mut o.w.store, o.w.now).unwrap();
    assert_eq!(
        o.w.desk.incidents().get(id).unwrap().followed_up(),
        &BTreeSet::from([acme, tiny])
    );
    assert_eq!(
        fanatical::desk::Desk::rebuild(&o.w.store, config()).unwrap(),
        o.w.desk
    );
}

#[test]
fn a_customer_who_moves_onto_a_component_that_is_down_joins_and_hears_the_latest_update() {
    let mut o = outage_world(config());
    let (acme, tiny, tom) = (o.w.acme, o.w.tiny, o.w.tom);
    enterprise(&mut o, tiny, 40_000);
    let id: IncidentId = o.w.ids.next_id();
    let t0 = o.w.now;
    declare(&mut o, id);
    // Twenty minutes in, Tiny moves its storage into DFW1.
    o.w.now = t0 + Duration::minutes(20);
    setup(
        &mut o,
        tiny,
        CustomerCommand::RunOn {
            component: c("dfw1/storage"),
        },
    );
    let i = o.w.desk.incidents().get(id).unwrap();
    assert_eq!(i.affected(), &BTreeSet::from([acme, tiny]));
    assert_eq!(
        i.events().last().unwrap().kind,
        IncidentEventKind::CustomerJoined {
            customer: tiny,
            component: c("dfw1/storage"),
            cause: JoinCause::RanOn,
            unreachable: vec![],
            call_outs: vec![],
        }
    );
    // Tom is caught up with the latest update, in the business words.
    assert_eq!(
        to(&o, tom),
        vec![format!("[investigating] DFW1 power loss\n\n{DECLARED}")]
    );
    // Running on it again, or on a component not down, joins nothing.
    let before = o.w.desk.incidents().get(id).unwrap().events().len();
    setup(
        &mut o,
        acme,
        CustomerCommand::RunOn {
            component: c("ord1"),
        },
    );
    assert_eq!(o.w.desk.incidents().get(id).unwrap().events().len(), before);

    // Resolved 40 minutes later: Tiny's downtime counts from the move.
    o.w.now = t0 + Duration::minutes(60);
    o.w.run(Command::new(
        Actor::Agent(o.boss),
        update(&o, id, IncidentStatus::Resolved),
    ))
    .unwrap();
    o.w.run(Command::new(
        Actor::integration("billing"),
        IncidentAction::IssueCredits { incident: id },
    ))
    .unwrap();
    let credit = o.w.desk.incidents().get(id).unwrap().credits()[&tiny].clone();
    assert_eq!(credit.downtime.major, Duration::minutes(40));
    assert_eq!(credit.amount.minor, 1_333);
}

#[test]
fn a_contact_only_a_person_can_phone_gets_a_call_out_task_for_a_named_person() {
    let mut o = outage_world(config());
    let acme = o.w.acme;
    let pat: ContactId = o.w.ids.next_id();
    setup(
        &mut o,
        acme,
        CustomerCommand::AddContact {
            contact: pat,
            name: "Pat Phone".into(),
            addresses: vec![ChannelAddress::phone("+1 210 555 0199").unwrap()],
        },
    );
    let id: IncidentId = o.w.ids.next_id();
    let t0 = o.w.now;
    declare(&mut o, id);
    let task = id.call_out_ticket(pat);
    let i = o.w.desk.incidents().get(id).unwrap();
    let call_out = CallOut {
        customer: acme,
        contact: pat,
        ticket: task,
        owner: o.boss,
    };
    let unreached = i.unreached();
    assert_eq!(unreached.len(), 1);
    assert_eq!(
        (
            unreached[0].customer,
            unreached[0].contact,
            unreached[0].missed
        ),
        (acme, pat, 1)
    );
    assert_eq!(unreached[0].first_missed_at, t0);
    assert_eq!(unreached[0].call_out, Some(call_out.clone()));

    // The commander (no call-out owner is configured) has the task, with
    // who to call, the number and what to say.
    let t = o.w.desk.tickets().get(task).unwrap();
    assert_eq!(t.ticket_type(), TicketType::Task);
    assert_eq!(t.assignee(), Some(o.boss));
    assert_eq!(t.status(), Status::Open);
    assert_eq!(t.requester(), Some(pat));
    assert_eq!(
        t.subject(),
        "Call Pat Phone about incident \"DFW1 power loss\""
    );
    let notes: Vec<&str> = t
        .conversation()
        .iter()
        .filter(|e| e.visibility == EntryVisibility::Internal)
        .map(|e| e.body.as_str())
        .collect();
    assert_eq!(
        notes,
        vec![format!(
            "Call Pat Phone of Acme Hosting on +1 210 555 0199: no written update about incident \
             \"DFW1 power loss\" can reach them. Tell them: {DECLARED}"
        )]
    );

    // The next update misses Pat again: the same task gets a note.
    o.w.now = t0 + Duration::minutes(25);
    let mut next = update(&o, id, IncidentStatus::Identified);
    if let IncidentAction::Update { messages, .. } = &mut next {
        *messages = business("Power is being restored.");
    }
    o.w.run(Command::new(Actor::Agent(o.boss), next)).unwrap();
    let i = o.w.desk.incidents().get(id).unwrap();
    let unreached = i.unreached();
    assert_eq!(unreached[0].missed, 2);
    assert_eq!(unreached[0].last_missed_at, o.w.now);
    assert_eq!(unreached[0].call_out, Some(call_out));
    let t = o.w.desk.tickets().get(task).unwrap();
    let last = t.conversation().last().unwrap();
    assert_eq!(last.author, Author::Agent(o.boss));
    assert!(
        last.body.ends_with("Tell them: Power is being restored."),
        "{}",
        last.body
    );
    assert_eq!(
        o.w.desk
            .tickets()
            .of_customer(acme)
            .filter(|t| t.ticket_type() == TicketType::Task)
            .count(),
        1
    );
}

#[test]
fn a_configured_call_out_owner_makes_the_calls() {
    let mut world = outage_world(config());
    let caller = register(&mut world, "Cara Caller", Role::Agent);
    let mut cfg = config();
    cfg.incidents = cfg.incidents.with_call_out_owner(caller);
    let mut o = Outage {
        w: {
            world.w.desk = fanatical::desk::Desk::rebuild(&world.w.store, cfg).unwrap();
            world.w
        },
        ..world
    };
    let tiny = o.w.tiny;
    let pat: ContactId = o.w.ids.next_id();
    setup(
        &mut o,
        tiny,
        CustomerCommand::AddContact {
            contact: pat,
            name: "Pat Video".into(),
            addresses: vec![ChannelAddress::video("https://meet.example/pat").unwrap()],
        },
    );
    setup(
        &mut o,
        tiny,
        CustomerCommand::RunOn {
            component: c("dfw1/servers"),
        },
    );
    let id: IncidentId = o.w.ids.next_id();
    declare(&mut o, id);
    let t = o.w.desk.tickets().get(id.call_out_ticket(pat)).unwrap();
    assert_eq!(t.assignee(), Some(caller));
    assert!(
        t.conversation()[0]
            .body
            .starts_with("Call Pat Video of Tiny Blog on video at https://meet.example/pat:"),
        "{}",
        t.conversation()[0].body
    );
    // A contact with a written address is never called out.
    let tom_task = id.call_out_ticket(o.w.tom);
    assert!(o.w.desk.tickets().get(tom_task).is_none());
}

fn press_config() -> DeskConfig {
    let mut cfg = config();
    cfg.incidents = cfg
        .incidents
        .with_press(vec![
            ChannelAddress::email("newsdesk@paper.example").unwrap(),
        ])
        .unwrap();
    cfg
}

/// The bodies sent to the press list, sorted.
fn to_press(o: &Outage) -> Vec<String> {
    let mut out: Vec<String> =
        o.w.desk
            .channels()
            .outbox()
            .filter(|e| {
                e.message.recipient
                    == Recipient::Press {
                        address: ChannelAddress::email("newsdesk@paper.example").unwrap(),
                    }
            })
            .map(|e| e.message.body.clone())
            .collect();
    out.sort();
    out
}

#[test]
fn the_ceo_speaks_for_an_update_and_journalists_get_the_press_text() {
    let mut o = outage_world(press_config());
    let ceo = register(&mut o, "Lanham Napier", Role::Executive);
    let (jane, olga) = (o.w.jane, o.olga);
    let id: IncidentId = o.w.ids.next_id();
    declare(&mut o, id);
    // The declaration has no public or press text: the press hears nothing.
    assert!(to_press(&o).is_empty());

    o.w.tick(25);
    o.w.run(Command::new(
        Actor::Agent(o.boss),
        IncidentAction::Update {
            incident: id,
            status: IncidentStatus::Identified,
            components: BTreeMap::new(),
            messages: Messages::from([
                (
                    Audience::Business,
                    "Power is being restored rack by rack.".to_owned(),
                ),
                (
                    Audience::Press,
                    "A vehicle struck a transformer feeding our DFW1 datacenter; customers' sites \
                 are coming back."
                        .to_owned(),
                ),
            ]),
            spokesperson: Some(ceo),
            solve_linked: None,
        },
    ))
    .unwrap();
    let latest =
        o.w.desk
            .incidents()
            .get(id)
            .unwrap()
            .latest()
            .unwrap()
            .clone();
    assert_eq!(latest.spokesperson, Some(ceo));
    assert_eq!(latest.by, o.boss);
    // Customers read the business words, signed; never the press text.
    let signed =
        "[identified] DFW1 power loss\n\nPower is being restored rack by rack.\n\n— Lanham Napier";
    assert!(to(&o, jane).contains(&signed.to_owned()));
    assert!(to(&o, olga).contains(&signed.to_owned()));
    assert_eq!(
        to_press(&o),
        vec![
            "[identified] DFW1 power loss\n\nA vehicle struck a transformer feeding our DFW1 \
             datacenter; customers' sites are coming back.\n\n— Lanham Napier"
        ]
    );

    // Without press text, journalists get the public text, unsigned.
    o.w.tick(25);
    o.w.run(Command::new(
        Actor::Agent(o.boss),
        IncidentAction::Update {
            incident: id,
            status: IncidentStatus::Monitoring,
            components: BTreeMap::new(),
            messages: Messages::from([(Audience::Public, "Most sites are back.".to_owned())]),
            spokesperson: None,
            solve_linked: None,
        },
    ))
    .unwrap();
    assert_eq!(
        to_press(&o)[1],
        "[monitoring] DFW1 power loss\n\nMost sites are back."
    );
    assert!(
        to(&o, jane).contains(&"[monitoring] DFW1 power loss\n\nMost sites are back.".to_owned())
    );

    // A spokesperson must be someone the desk knows.
    let stranger: AgentId = o.w.ids.next_id();
    o.w.refused(
        Command::new(
            Actor::Agent(o.boss),
            IncidentAction::Update {
                incident: id,
                status: IncidentStatus::Monitoring,
                components: BTreeMap::new(),
                messages: business("Still monitoring."),
                spokesperson: Some(stranger),
                solve_linked: None,
            },
        ),
        fanatical::desk::DeskError::UnknownAgent(stranger),
    );
}

#[test]
fn a_press_list_takes_only_written_addresses() {
    assert_eq!(
        IncidentConfig::default()
            .with_press(vec![ChannelAddress::phone("+1 210 555 0100").unwrap()])
            .unwrap_err(),
        IncidentError::PressAddress("phone:+1 210 555 0100".into())
    );
}

#[test]
fn the_post_incident_review_belongs_to_the_incident_and_reaches_everyone_affected() {
    let mut o = outage_world(press_config());
    let ceo = register(&mut o, "Lanham Napier", Role::Executive);
    let (jane, olga, tiny, tom) = (o.w.jane, o.olga, o.w.tiny, o.w.tom);
    let id: IncidentId = o.w.ids.next_id();
    declare(&mut o, id);
    let review = |what: &str, prevention: &str| IncidentAction::PublishReview {
        incident: id,
        what_happened: what.into(),
        prevention: prevention.into(),
        spokesperson: Some(ceo),
    };
    let what = "A truck struck the utility transformer; the transfer switch failed to start \
                the generators.";
    let prevention = "Both transfer switches are replaced and tested monthly under load.";
    // Not before the incident is over.
    o.w.refused(
        Command::new(Actor::Agent(o.boss), review(what, prevention)),
        IncidentError::NotResolved(id),
    );
    // Tiny moves onto DFW1 during the outage: it hears the write-up too.
    setup(
        &mut o,
        tiny,
        CustomerCommand::RunOn {
            component: c("dfw1/servers"),
        },
    );
    o.w.tick(60);
    o.w.run(Command::new(
        Actor::Agent(o.boss),
        update(&o, id, IncidentStatus::Resolved),
    ))
    .unwrap();
    o.w.refused(
        Command::new(Actor::Agent(o.boss), review("  ", prevention)),
        IncidentError::BlankReview("what happened"),
    );
    o.w.refused(
        Command::new(Actor::Agent(o.boss), review(what, "")),
        IncidentError::BlankReview("prevention"),
    );
    o.w.tick(60 * 24 * 3);
    o.w.run(Command::new(Actor::Agent(o.boss), review(what, prevention)))
        .unwrap();
    let i = o.w.desk.incidents().get(id).unwrap();
    let r = i.review().unwrap();
    assert_eq!((r.at, r.by, r.spokesperson), (o.w.now, o.boss, Some(ceo)));
    assert_eq!(
        (r.what_happened.as_str(), r.prevention.as_str()),
        (what, prevention)
    );
    let body = format!(
        "Post-incident review: DFW1 power loss\n\nWhat happened\n{what}\n\nWhat we are doing so \
         it does not happen again\n{prevention}\n\n— Lanham Napier"
    );
    for contact in [jane, olga, tom] {
        assert!(to(&o, contact).contains(&body), "{contact}");
    }
    assert_eq!(to_press(&o), vec![body]);
    assert_eq!(
        i.timeline().lines().last().unwrap(),
        &format!(
            "{}  post-incident review published: {what}",
            o.w.now.format("%Y-%m-%d %H:%M")
        )
    );
    // Published once.
    o.w.refused(
        Command::new(Actor::Agent(o.boss), review(what, prevention)),
        IncidentError::AlreadyReviewed(id),
    );
    assert_eq!(
        fanatical::desk::Desk::rebuild(&o.w.store, press_config()).unwrap(),
        o.w.desk
    );
}

#[test]
fn a_silent_change_that_spreads_catches_the_new_customers_up() {
    let mut o = outage_world(config());
    let (acme, tiny, tom) = (o.w.acme, o.w.tiny, o.w.tom);
    let id: IncidentId = o.w.ids.next_id();
    declare(&mut o, id);
    o.w.tick(10);
    o.w.run(Command::new(
        Actor::Agent(o.boss),
        IncidentAction::Update {
            incident: id,
            status: IncidentStatus::Investigating,
            components: BTreeMap::from([(c("ord1"), ComponentState::Degraded)]),
            messages: Messages::new(),
            spokesperson: None,
            solve_linked: None,
        },
    ))
    .unwrap();
    let i = o.w.desk.incidents().get(id).unwrap();
    assert_eq!(i.affected(), &BTreeSet::from([acme, tiny]));
    // Tom is told what the others were told: the latest update.
    assert_eq!(
        to(&o, tom),
        vec![format!("[investigating] DFW1 power loss\n\n{DECLARED}")]
    );
    // Escalating ORD1 later brings in nobody new, and Tom hears it once.
    o.w.tick(10);
    let mut worse = update(&o, id, IncidentStatus::Identified);
    if let IncidentAction::Update {
        components,
        messages,
        ..
    } = &mut worse
    {
        *components = BTreeMap::from([(c("ord1"), ComponentState::MajorOutage)]);
        *messages = business("ORD1 is down too.");
    }
    o.w.run(Command::new(Actor::Agent(o.boss), worse)).unwrap();
    let i = o.w.desk.incidents().get(id).unwrap();
    assert_eq!(i.joined().len(), 1);
    assert_eq!(
        to(&o, tom),
        vec![
            format!("[identified] DFW1 power loss\n\nORD1 is down too."),
            format!("[investigating] DFW1 power loss\n\n{DECLARED}"),
        ]
    );
}

#[test]
fn erasing_a_called_out_contact_erases_the_call_out_notes_that_name_them() {
    use fanatical::customer::ErasureScope;
    // Even a profile-only erasure forgets their name and number, which the
    // desk itself wrote into the task.
    for scope in [ErasureScope::ProfileAndMessages, ErasureScope::Profile] {
        erase_called_out(scope);
    }
}

fn erase_called_out(scope: fanatical::customer::ErasureScope) {
    let mut o = outage_world(config());
    let acme = o.w.acme;
    let pat: ContactId = o.w.ids.next_id();
    setup(
        &mut o,
        acme,
        CustomerCommand::AddContact {
            contact: pat,
            name: "Pat Phone".into(),
            addresses: vec![ChannelAddress::phone("+1 210 555 0199").unwrap()],
        },
    );
    let id: IncidentId = o.w.ids.next_id();
    declare(&mut o, id);
    o.w.tick(5);
    o.w.run(Command::new(
        Actor::integration("privacy"),
        CustomerAction::EraseContact {
            customer: acme,
            contact: pat,
            scope,
        },
    ))
    .unwrap();
    let t = o.w.desk.tickets().get(id.call_out_ticket(pat)).unwrap();
    assert_eq!(t.subject(), "[erased]", "{scope:?}");
    assert!(
        t.conversation().iter().all(|e| e.body == "[erased]"),
        "{scope:?}"
    );
    use fanatical::store::Store;
    let record = serde_json::to_string(&o.w.store.read_all(0, usize::MAX).unwrap()).unwrap();
    assert!(!record.contains("555 0199"), "{scope:?}");
    assert!(!record.contains("Pat Phone"), "{scope:?}");
    assert_eq!(
        fanatical::desk::Desk::rebuild(&o.w.store, config()).unwrap(),
        o.w.desk
    );
}
