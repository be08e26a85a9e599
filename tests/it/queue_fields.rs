//! Queues filtered on custom fields (issue 18, items 2 and 3): a
//! dropdown option, a checkbox, a number range, an empty field; a filter
//! on an unknown field, a customer's field or with a value of the wrong
//! type refused naming the field; rows that follow a field's changes.

use fanatical::actor::Actor;
use fanatical::desk::{Command, TicketAction};
use fanatical::field::{FieldCondition, FieldObject, FieldTerm, FieldTest, FieldType, FieldValue};
use fanatical::id::TicketId;
use fanatical::queue::{Filter, Queue, QueueError, Restriction, Sort, SortBy};
use fanatical::ticket::TicketCommand;

use crate::fields::{define, key, set};
use crate::support::World;

/// The fields world with two more ticket fields: `escalated`
/// (checkbox) and `units` (number).
fn world() -> World {
    let mut w = crate::fields::world();
    w.run(define(
        "escalated",
        FieldObject::Ticket,
        FieldType::Checkbox,
    ))
    .unwrap();
    w.run(define("units", FieldObject::Ticket, FieldType::Number))
        .unwrap();
    w
}

fn queue(filter: Filter) -> Queue {
    Queue::new(Sort::ascending(SortBy::Created)).with(filter)
}

fn field(k: &str, test: FieldTest) -> Filter {
    Filter::Field(FieldCondition { key: key(k), test })
}

/// The ids a queue holds, in order, with the count checked against them.
fn ids(w: &World, q: &Queue) -> Vec<TicketId> {
    let page = w
        .desk
        .queues()
        .page(q, Some(w.ana), &Restriction::All, None, 50, w.now)
        .unwrap();
    let count = w
        .desk
        .queues()
        .count(q, Some(w.ana), &Restriction::All, w.now)
        .unwrap();
    assert_eq!(count, page.rows.len() as u64);
    page.rows.iter().map(|r| r.id).collect()
}

/// Three tickets: one on the enterprise plan, escalated, 12 units; one on
/// the pro plan, not escalated, 3 units; one with no field set.
fn three(w: &mut World) -> [TicketId; 3] {
    // A minute apart, so the queue's order (by opening) is a, b, c.
    let a = w.jane_emails("first");
    w.tick(1);
    let b = w.jane_emails("second");
    w.tick(1);
    let c = w.jane_emails("third");
    for (t, plan, escalated, units) in [(a, "enterprise", true, 12), (b, "pro", false, 3)] {
        w.run(set(w, t, "plan", FieldValue::choice(plan))).unwrap();
        w.run(set(w, t, "escalated", FieldValue::Checkbox(escalated)))
            .unwrap();
        w.run(set(w, t, "units", FieldValue::Number(units)))
            .unwrap();
    }
    w.run(set(w, a, "regions", FieldValue::choices(["eu", "us"])))
        .unwrap();
    [a, b, c]
}

#[test]
fn a_dropdown_option_a_checkbox_and_a_multi_select_option_select_their_tickets() {
    let mut w = world();
    let [a, b, _] = three(&mut w);
    let plan = |o: &str| field("plan", FieldTest::AnyOf([FieldTerm::option(o)].into()));
    assert_eq!(ids(&w, &queue(plan("enterprise"))), [a]);
    assert_eq!(ids(&w, &queue(plan("pro"))), [b]);
    assert_eq!(ids(&w, &queue(plan("basic"))), []);
    let both = field(
        "plan",
        FieldTest::AnyOf([FieldTerm::option("pro"), FieldTerm::option("enterprise")].into()),
    );
    assert_eq!(ids(&w, &queue(both)), [a, b]);
    let escalated = |v| {
        field(
            "escalated",
            FieldTest::AnyOf([FieldTerm::Checkbox(v)].into()),
        )
    };
    assert_eq!(ids(&w, &queue(escalated(true))), [a]);
    assert_eq!(ids(&w, &queue(escalated(false))), [b]);
    let us = field(
        "regions",
        FieldTest::AnyOf([FieldTerm::option("us")].into()),
    );
    assert_eq!(ids(&w, &queue(us)), [a]);
}

#[test]
fn a_number_range_set_and_empty_select_their_tickets() {
    let mut w = world();
    let [a, b, c] = three(&mut w);
    let between = |min: Option<i64>, max: Option<i64>| {
        field(
            "units",
            FieldTest::Between {
                min: min.map(FieldTerm::Number),
                max: max.map(FieldTerm::Number),
            },
        )
    };
    assert_eq!(ids(&w, &queue(between(Some(10), None))), [a]);
    assert_eq!(ids(&w, &queue(between(None, Some(3)))), [b]);
    assert_eq!(ids(&w, &queue(between(Some(3), Some(12)))), [a, b]);
    assert_eq!(ids(&w, &queue(between(Some(4), Some(11)))), []);
    assert_eq!(ids(&w, &queue(field("units", FieldTest::Set))), [a, b]);
    assert_eq!(ids(&w, &queue(field("units", FieldTest::Empty))), [c]);
    // With another filter narrowing first.
    let q = queue(field("units", FieldTest::Empty)).with(Filter::Customer([w.acme].into()));
    assert_eq!(ids(&w, &q), [c]);
}

#[test]
fn rows_follow_a_field_as_it_is_set_changed_and_cleared() {
    let mut w = world();
    let [a, b, c] = three(&mut w);
    let pro = queue(field(
        "plan",
        FieldTest::AnyOf([FieldTerm::option("pro")].into()),
    ));
    assert_eq!(ids(&w, &pro), [b]);
    w.run(set(&w, a, "plan", FieldValue::choice("pro")))
        .unwrap();
    w.run(set(&w, c, "plan", FieldValue::choice("pro")))
        .unwrap();
    assert_eq!(ids(&w, &pro), [a, b, c]);
    let row = w.desk.queues().row(a).unwrap();
    assert_eq!(
        row.fields.get(&key("plan")),
        Some(&FieldValue::choice("pro"))
    );
    w.run(Command::new(
        Actor::Agent(w.ana),
        TicketAction::Update {
            ticket: b,
            command: TicketCommand::ClearField { key: key("plan") },
        },
    ))
    .unwrap();
    assert_eq!(ids(&w, &pro), [a, c]);
    assert_eq!(ids(&w, &queue(field("plan", FieldTest::Empty))), [b]);
    // A rebuilt desk (replay) has the same rows.
    let rebuilt = fanatical::desk::Desk::rebuild(&w.store, w.desk.config().clone()).unwrap();
    for t in [a, b, c] {
        assert_eq!(rebuilt.queues().row(t), w.desk.queues().row(t));
    }
}

#[test]
fn a_filter_on_an_unknown_field_a_customer_field_or_a_wrong_value_is_refused_naming_it() {
    let mut w = world();
    three(&mut w);
    let refused = |w: &World, f: Filter| {
        let q = queue(f);
        let page = w
            .desk
            .queues()
            .page(&q, Some(w.ana), &Restriction::All, None, 50, w.now);
        let count = w
            .desk
            .queues()
            .count(&q, Some(w.ana), &Restriction::All, w.now);
        assert_eq!(page.as_ref().err(), count.as_ref().err());
        page.unwrap_err()
    };
    assert_eq!(
        refused(&w, field("colour", FieldTest::Set)),
        QueueError::UnknownField(key("colour"))
    );
    assert_eq!(
        refused(&w, field("seats", FieldTest::Set)),
        QueueError::NotATicketField {
            key: key("seats"),
            belongs: FieldObject::Customer
        }
    );
    let err = refused(
        &w,
        field("plan", FieldTest::AnyOf([FieldTerm::Number(3)].into())),
    );
    assert!(
        matches!(&err, QueueError::FieldType { key: k, value, .. } if *k == key("plan") && value.contains('3')),
        "{err:?}"
    );
    let err = refused(
        &w,
        field(
            "plan",
            FieldTest::Between {
                min: Some(FieldTerm::option("basic")),
                max: None,
            },
        ),
    );
    assert!(
        matches!(&err, QueueError::FieldType { key: k, .. } if *k == key("plan")),
        "{err:?}"
    );
    let err = refused(
        &w,
        field(
            "units",
            FieldTest::Between {
                min: Some(FieldTerm::Text("3".into())),
                max: None,
            },
        ),
    );
    assert!(err.to_string().contains("units"), "{err}");
    assert_eq!(
        refused(&w, field("plan", FieldTest::AnyOf([].into()))),
        QueueError::EmptySet { filter: "field" }
    );
}
