//! Proptest strategies for triggers and the tickets they run on (feature
//! `proptest`), to test your own rule sets. Pair them with
//! [`TriggerSet::run`](super::TriggerSet::run) and
//! [`TriggerSet::run_refiring`](super::TriggerSet::run_refiring), or with
//! the checkers in [`super::checks`].
//!
//! The strategies draw over a small alphabet (three tags, the open
//! statuses, every priority) so that conditions and actions meet often:
//! wide enough to find loops and conflicts, narrow enough that many drawn
//! sets validate.
//!
//! ```
//! use fanatical::rules::strategies::{arb_scenario, arb_triggers};
//! use fanatical::rules::TriggerSet;
//! use proptest::test_runner::TestRunner;
//!
//! let mut runner = TestRunner::deterministic();
//! runner.run(&(arb_triggers(4), arb_scenario()), |(triggers, scenario)| {
//!     if let Ok(set) = TriggerSet::new(triggers) {
//!         // A checked set settles after one run.
//!         let settled = set.run_refiring(&scenario, 8).expect("settles");
//!         assert_eq!(settled.ticket, set.run(&scenario).ticket);
//!     }
//!     Ok(())
//! }).unwrap();
//! ```

use chrono::{TimeZone, Utc};
use proptest::prelude::*;

use super::{Change, Changes, Condition, RuleAction, Scenario, Trigger};
use crate::actor::Actor;
use crate::channel::{Channel, ChannelKind};
use crate::field::FieldValues;
use crate::id::{ContactId, CustomerId, TicketId};
use crate::ticket::{Author, OpenTicket, Priority, Status, Tag, Ticket, TicketRules};

const TAGS: [&str; 3] = ["a", "b", "c"];
const OPEN: [Status; 3] = [Status::Open, Status::Pending, Status::OnHold];
const PRIORITIES: [Priority; 4] = [
    Priority::Low,
    Priority::Normal,
    Priority::High,
    Priority::Urgent,
];

fn arb_tag() -> impl Strategy<Value = Tag> {
    proptest::sample::select(TAGS.to_vec()).prop_filter_map("a tag", |t| Tag::new(t).ok())
}

fn arb_priority() -> impl Strategy<Value = Priority> {
    proptest::sample::select(PRIORITIES.to_vec())
}

fn arb_status() -> impl Strategy<Value = Status> {
    proptest::sample::select(OPEN.to_vec())
}

/// A condition over the alphabet: tags, statuses, priorities, channel,
/// what changed, and their negations.
pub fn arb_condition() -> impl Strategy<Value = Condition> {
    let leaf = prop_oneof![
        arb_tag().prop_map(Condition::HasTag),
        proptest::collection::btree_set(arb_status(), 1..3).prop_map(Condition::Status),
        arb_priority().prop_map(Condition::PriorityAtLeast),
        proptest::collection::btree_set(arb_priority(), 1..3).prop_map(Condition::Priority),
        proptest::sample::select(vec![ChannelKind::Email, ChannelKind::Phone])
            .prop_map(|c| Condition::Channel([c].into())),
        Just(Condition::Changed(Change::Created)),
        arb_tag().prop_map(|t| Condition::Changed(Change::TagAdded(t))),
        Just(Condition::Changed(Change::Priority)),
        Just(Condition::Changed(Change::Status { to: None })),
    ];
    prop_oneof![
        3 => leaf.clone(),
        1 => leaf.prop_map(|c| Condition::Not(Box::new(c))),
    ]
}

/// An action that changes the ticket alone: tags, status, priority.
pub fn arb_action() -> impl Strategy<Value = RuleAction> {
    prop_oneof![
        arb_tag().prop_map(RuleAction::AddTag),
        arb_tag().prop_map(RuleAction::RemoveTag),
        arb_priority().prop_map(RuleAction::SetPriority),
        arb_status().prop_map(RuleAction::SetStatus),
    ]
}

/// One trigger named `name`: one to three conditions (sometimes one in
/// `any`), one to three actions.
pub fn arb_trigger(name: String) -> impl Strategy<Value = Trigger> {
    (
        proptest::collection::vec(arb_condition(), 1..3),
        proptest::collection::vec(arb_condition(), 0..2),
        proptest::collection::vec(arb_action(), 1..3),
    )
        .prop_filter_map("a trigger", move |(all, any, actions)| {
            let mut t = Trigger::new(&name, actions).ok()?;
            t.all = all;
            t.any = any;
            Some(t)
        })
}

/// Up to `max` triggers, named `t0`, `t1`, ... in position order: raw,
/// for [`TriggerSet::new`](super::TriggerSet::new) to accept or refuse.
pub fn arb_triggers(max: usize) -> impl Strategy<Value = Vec<Trigger>> {
    (1..=max.max(1)).prop_flat_map(|n| {
        (0..n)
            .map(|i| arb_trigger(format!("t{i}")))
            .collect::<Vec<_>>()
    })
}

/// A ticket just opened by a contact on email or phone, with some of the
/// tags, a priority and an open status; what changed is its opening (and
/// the status change).
pub fn arb_scenario() -> impl Strategy<Value = Scenario> {
    (
        proptest::collection::btree_set(arb_tag(), 0..3),
        arb_priority(),
        arb_status(),
        proptest::bool::ANY,
    )
        .prop_filter_map("a scenario", |(tags, priority, status, email)| {
            let uuid = |n: u128| uuid::Uuid::from_u128(n);
            let now = Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).single()?;
            let contact = ContactId::from_uuid(uuid(3));
            let channel = if email {
                Channel::Email
            } else {
                Channel::Phone
            };
            let mut open = OpenTicket::new(
                TicketId::from_uuid(uuid(1)),
                CustomerId::from_uuid(uuid(2)),
                "Subject",
                channel,
            )
            .requested_by(contact)
            .with_message(Author::Contact(contact), "Help");
            for t in tags {
                open = open.with_tag(t);
            }
            open.priority = priority;
            let mut events = Ticket::open(open, &TicketRules::default(), now).ok()?;
            let mut ticket = Ticket::from_events(&events)?;
            let more = ticket
                .handle_with(
                    crate::ticket::TicketCommand::SetStatus(status),
                    &TicketRules::default(),
                    now,
                )
                .ok()?;
            for e in &more {
                ticket.apply(e);
            }
            events.extend(more);
            let mut changes = Changes::new();
            for e in &events {
                changes.record_ticket(&e.kind);
            }
            Some(Scenario {
                ticket,
                sla: None,
                customer_fields: FieldValues::new(),
                actor: Actor::Contact(contact),
                changes,
                now,
            })
        })
}
