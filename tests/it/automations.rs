//! Automations (issue 19, item 2): time rules run from the timer table at
//! the instant they fall due, once per due instant, recorded with the
//! automation as the actor; the defaults Zendesk users expect.

use chrono::Duration;
use fanatical::actor::{Actor, Cause, TimerKind};
use fanatical::desk::{Command, Desk, DeskConfig, TicketAction};
use fanatical::event::{Event, StreamId};
use fanatical::id::TicketId;
use fanatical::outbox::Recipient;
use fanatical::permission::{Permission, PermissionError};
use fanatical::rules::{
    Automation, AutomationProblem, AutomationSet, Change, Condition, Elapsed, RuleAction,
    RulesAction,
};
use fanatical::store::{RecordedEvent, Store};
use fanatical::ticket::{Status, Tag, TicketEventKind};

use crate::support::World;

fn by(name: &str) -> Actor {
    Actor::System(Cause::Rule(name.to_owned()))
}

fn world(set: AutomationSet) -> World {
    World::with_config(DeskConfig::default().with_automations(set))
}

/// Jane writes; Ana takes it.
fn assigned(w: &mut World, body: &str) -> TicketId {
    let t = w.jane_emails(body);
    let ana = w.ana;
    w.run(Command::new(
        Actor::Agent(ana),
        TicketAction::assign(t, ana),
    ))
    .unwrap();
    t
}

fn set_status(w: &mut World, t: TicketId, status: Status) {
    let ana = w.ana;
    w.run(Command::new(
        Actor::Agent(ana),
        TicketAction::set_status(t, status),
    ))
    .unwrap();
}

/// Fires every timer due up to the world's clock; what was recorded.
fn catch_up(w: &mut World) -> Vec<RecordedEvent> {
    let mut all = Vec::new();
    while let Some(due) = w.desk.poll_timeout().filter(|t| *t <= w.now) {
        let fired = w.desk.handle_timeout(&mut w.store, due).unwrap();
        if fired.is_empty() {
            break;
        }
        all.extend(fired);
    }
    all
}

fn ticket_kinds(recorded: &[RecordedEvent], t: TicketId) -> Vec<(Option<Actor>, TicketEventKind)> {
    recorded
        .iter()
        .filter(|r| r.stream == StreamId::Ticket(t))
        .filter_map(|r| match &r.event {
            Event::Ticket(e) => Some((r.actor.clone(), e.kind.clone())),
            _ => None,
        })
        .collect()
}

#[test]
fn a_solved_ticket_closes_four_days_on_at_that_instant_once() {
    let mut w = world(AutomationSet::defaults());
    let t = assigned(&mut w, "Thanks, that worked");
    set_status(&mut w, t, Status::Solved);
    let solved_at = w.now;
    // The timer table holds the instant: nothing is scanned, nothing fires
    // before it.
    let next = w.desk.next_timer().unwrap();
    assert_eq!(next.kind, TimerKind::Automation);
    assert_eq!(next.at, solved_at + Duration::days(4));
    w.tick(4 * 24 * 60 - 1);
    assert!(catch_up(&mut w).is_empty());
    w.tick(1);
    let recorded = catch_up(&mut w);
    let kinds = ticket_kinds(&recorded, t);
    let close = by("close solved tickets");
    assert!(kinds.iter().any(|(a, k)| *a == Some(close.clone())
        && matches!(k, TicketEventKind::AutomationRan { rule, due } if rule == "close solved tickets" && *due == solved_at + Duration::days(4))));
    assert!(kinds.iter().any(|(a, k)| *a == Some(close.clone())
        && matches!(
            k,
            TicketEventKind::StatusChanged {
                to: Status::Closed,
                ..
            }
        )));
    assert_eq!(w.desk.tickets().get(t).unwrap().status(), Status::Closed);
    // Once: nothing is due any more.
    assert_ne!(
        w.desk.next_timer().map(|n| n.kind),
        Some(TimerKind::Automation)
    );
    w.tick(60);
    assert!(ticket_kinds(&catch_up(&mut w), t).is_empty());
}

#[test]
fn a_reopened_ticket_starts_its_wait_again() {
    let mut w = world(AutomationSet::defaults());
    let t = assigned(&mut w, "Thanks");
    set_status(&mut w, t, Status::Solved);
    w.tick(3 * 24 * 60);
    set_status(&mut w, t, Status::Open);
    w.tick(2 * 24 * 60);
    assert!(catch_up(&mut w).is_empty(), "open tickets are not closed");
    set_status(&mut w, t, Status::Solved);
    let again = w.now;
    assert_eq!(w.desk.poll_timeout(), Some(again + Duration::days(4)));
    // The same timers after a rebuild from the record.
    let rebuilt = Desk::rebuild(&w.store, w.desk.config().clone()).unwrap();
    assert_eq!(rebuilt.next_timer(), w.desk.next_timer());
}

#[test]
fn a_pending_ticket_is_reminded_then_solved_unless_the_customer_answers() {
    let set = AutomationSet::new(vec![
        Automation::remind_pending(Duration::days(2), "Is there anything else we can do?").unwrap(),
        Automation::solve_reminded(Duration::days(2)).unwrap(),
    ])
    .unwrap();
    let mut w = world(set);
    let quiet = assigned(&mut w, "My invoice");
    let answered = assigned(&mut w, "My other invoice");
    for t in [quiet, answered] {
        set_status(&mut w, t, Status::Pending);
    }
    w.tick(2 * 24 * 60);
    catch_up(&mut w);
    let reminded = Tag::new("reminded").unwrap();
    for t in [quiet, answered] {
        let ticket = w.desk.tickets().get(t).unwrap();
        assert!(ticket.tags().contains(&reminded));
        assert_eq!(ticket.status(), Status::Pending);
    }
    let mut reminders = 0;
    while let Some(m) = w.desk.poll_outbound(w.now) {
        if m.body == "Is there anything else we can do?" {
            assert!(matches!(m.recipient, Recipient::Contact { contact, .. } if contact == w.jane));
            reminders += 1;
        }
        w.run(Command::new(
            Actor::integration("transport"),
            fanatical::outbox::OutboxAction::MarkDelivered { message: m.id },
        ))
        .unwrap();
    }
    assert_eq!(reminders, 2, "one reminder each, once");
    // Jane answers one of them: it is open again, and not solved.
    w.tick(60);
    let msg = fanatical::desk::InboundMessage::new(
        w.ids.next_id(),
        fanatical::channel::Channel::Email,
        w.jane_email.clone(),
        "Still broken",
    )
    .in_reply_to(answered);
    w.run(Command::new(
        Actor::integration("inbound"),
        TicketAction::Receive(msg),
    ))
    .unwrap();
    w.tick(2 * 24 * 60);
    let recorded = catch_up(&mut w);
    assert_eq!(
        w.desk.tickets().get(quiet).unwrap().status(),
        Status::Solved
    );
    assert_ne!(
        w.desk.tickets().get(answered).unwrap().status(),
        Status::Solved
    );
    assert!(
        ticket_kinds(&recorded, quiet)
            .iter()
            .any(|(a, _)| *a == Some(by("solve reminded tickets")))
    );
}

#[test]
fn automations_are_checked_and_set_by_those_who_manage_rules() {
    // "Since updated" without an end runs again every time it goes quiet.
    let nag = Automation::new(
        "nag",
        Elapsed::SinceUpdated(Duration::hours(1)),
        [RuleAction::AddTag(Tag::new("nagged").unwrap())],
    )
    .unwrap();
    let err = AutomationSet::new(vec![nag.clone()]).unwrap_err();
    assert!(
        matches!(err.problems()[0], AutomationProblem::NotNullified { .. }),
        "{err}"
    );
    let nag = nag.when_all(Condition::Not(Box::new(Condition::HasTag(
        Tag::new("nagged").unwrap(),
    ))));
    let ok = AutomationSet::new(vec![nag.clone()]).unwrap();
    let changed = nag.clone().when_all(Condition::Changed(Change::Created));
    let err = AutomationSet::new(vec![changed]).unwrap_err();
    assert!(
        matches!(err.problems()[0], AutomationProblem::ChangeCondition { .. }),
        "{err}"
    );
    let negative = Automation::new(
        "neg",
        Elapsed::SinceCreated(Duration::hours(-1)),
        [RuleAction::SetStatus(Status::Open)],
    )
    .unwrap();
    assert!(AutomationSet::new(vec![negative]).is_err());

    let mut w = world(AutomationSet::empty());
    // A set read from JSON reads whatever durations it holds; the desk
    // refuses to set one out of range.
    let mut json = serde_json::to_value(&ok).unwrap();
    json[0]["when"]["since_updated"] = serde_json::json!({"secs": -3600, "nanos": 0});
    let read: AutomationSet = serde_json::from_value(json).unwrap();
    let bad = Command::new(
        Actor::integration("setup"),
        RulesAction::SetAutomations { automations: read },
    );
    let err = w.desk.decide(bad.clone(), w.now).unwrap_err();
    assert!(err.to_string().contains("nag"), "{err}");
    w.refused(bad, err);
    let action = RulesAction::SetAutomations { automations: ok };
    let ana = w.ana;
    let denied = w
        .desk
        .decide(Command::new(Actor::Agent(ana), action.clone()), w.now)
        .unwrap_err();
    assert!(matches!(
        &denied,
        fanatical::Error::Permission(PermissionError::Denied {
            permission: Permission::ManageRules,
            ..
        })
    ));
    w.refused(Command::new(Actor::Agent(ana), action.clone()), denied);
    // Set, it schedules the tickets there are.
    let t = w.jane_emails("Hello");
    assert_eq!(w.desk.poll_timeout(), None);
    w.run(Command::new(Actor::integration("setup"), action))
        .unwrap();
    assert_eq!(w.desk.poll_timeout(), Some(w.now + Duration::hours(1)));
    w.tick(60);
    catch_up(&mut w);
    assert!(
        w.desk
            .tickets()
            .get(t)
            .unwrap()
            .tags()
            .contains(&Tag::new("nagged").unwrap())
    );
    assert_eq!(
        w.desk.poll_timeout(),
        None,
        "nullified: it does not run again"
    );
}

/// A tour with an automation set and run, for the golden files.
pub(crate) fn golden_tour() -> Vec<RecordedEvent> {
    let mut w = world(AutomationSet::empty());
    w.run(Command::new(
        Actor::integration("setup"),
        RulesAction::SetAutomations {
            automations: AutomationSet::defaults(),
        },
    ))
    .unwrap();
    let t = assigned(&mut w, "Thanks");
    set_status(&mut w, t, Status::Solved);
    w.tick(4 * 24 * 60);
    catch_up(&mut w);
    w.store.read_all(0, usize::MAX).unwrap()
}
