//! Custom fields and forms (issue 18, item 3): typed fields on tickets,
//! customers and contacts, defined by recorded configuration; forms that
//! say which fields apply to a ticket type and which are required before
//! solving; inbound messages carrying tags and field values; contact
//! fields erased with the contact; all of it in snapshots. Fields in SLA
//! policies, escalation rules, routing and trends: `fields_rules.rs`.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use fanatical::actor::Actor;
use fanatical::channel::Channel;
use fanatical::customer::{CustomerCommand, ErasureScope};
use fanatical::desk::{Command, CustomerAction, Desk, DeskConfig, InboundMessage, TicketAction};
use fanatical::event::{Event, StreamId};
use fanatical::field::{
    Decimal, FieldDefinition, FieldError, FieldKey, FieldObject, FieldType, FieldValue, FieldValues,
};
use fanatical::form::{FieldAction, FieldsEventKind, Form};
use fanatical::store::{ERASED, Store};
use fanatical::ticket::{OpenTicket, Status, Tag, TicketCommand, TicketType};
use proptest::prelude::*;

use crate::support::World;

pub(crate) fn key(s: &str) -> FieldKey {
    FieldKey::new(s).unwrap()
}

pub(crate) fn admin() -> Actor {
    Actor::integration("admin")
}

pub(crate) fn define(k: &str, object: FieldObject, t: FieldType) -> Command {
    Command::new(
        admin(),
        FieldAction::Define {
            definition: FieldDefinition::new(key(k), k, object, t),
        },
    )
}

/// A world whose desk has one field of every type: on tickets `summary`
/// (text), `price` (decimal, 2 places), `due` (date), `plan`
/// (dropdown), `regions` (multi-select), `order` (ORD- and six digits);
/// on customers `seats` (number); on contacts `vip` (checkbox) and
/// `nickname` (text).
pub(crate) fn world_with(config: DeskConfig) -> World {
    let mut w = World::with_config(config);
    for cmd in [
        define("summary", FieldObject::Ticket, FieldType::Text),
        define(
            "price",
            FieldObject::Ticket,
            FieldType::Decimal { places: 2 },
        ),
        define("due", FieldObject::Ticket, FieldType::Date),
        define(
            "plan",
            FieldObject::Ticket,
            FieldType::dropdown(["basic", "pro", "enterprise"]),
        ),
        define(
            "regions",
            FieldObject::Ticket,
            FieldType::multi_select(["eu", "us", "apac"]),
        ),
        define(
            "order",
            FieldObject::Ticket,
            FieldType::pattern("ORD-[0-9]{6}").unwrap(),
        ),
        define("seats", FieldObject::Customer, FieldType::Number),
        define("vip", FieldObject::Contact, FieldType::Checkbox),
        define("nickname", FieldObject::Contact, FieldType::Text),
    ] {
        w.run(cmd).unwrap();
    }
    w
}

pub(crate) fn world() -> World {
    world_with(DeskConfig::default())
}

pub(crate) fn set(
    w: &World,
    ticket: fanatical::id::TicketId,
    k: &str,
    value: FieldValue,
) -> Command {
    Command::new(
        Actor::Agent(w.ana),
        TicketAction::Update {
            ticket,
            command: TicketCommand::SetField { key: key(k), value },
        },
    )
}

pub(crate) fn customer(w: &World, command: CustomerCommand) -> Command {
    Command::new(
        Actor::integration("crm"),
        CustomerAction::Update {
            customer: w.acme,
            command,
        },
    )
}

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()
}

#[test]
fn definitions_are_recorded_on_their_stream_with_their_actor() {
    let w = world();
    let recorded = w.store.read_stream(&StreamId::Fields, 0).unwrap();
    assert_eq!(recorded.len(), 9);
    assert!(recorded.iter().all(|r| r.actor == Some(admin())));
    let Event::Fields(first) = &recorded[0].event else {
        panic!("{:?}", recorded[0].event)
    };
    assert!(
        matches!(&first.kind, FieldsEventKind::Defined { definition } if definition.key == key("summary"))
    );
    // The desk knows them, and a rebuild too.
    assert_eq!(w.desk.fields().catalog().iter().count(), 9);
    let rebuilt = Desk::rebuild(&w.store, DeskConfig::default()).unwrap();
    assert_eq!(rebuilt.fields(), w.desk.fields());
}

#[test]
fn every_type_is_set_cleared_and_seen_in_the_views() {
    let mut w = world();
    let t = w.jane_emails("Invoice wrong");
    for (k, v) in [
        ("summary", FieldValue::text("  double charge ")),
        ("price", FieldValue::Decimal(dec("12.50"))),
        ("due", FieldValue::Date(date())),
        ("plan", FieldValue::choice("pro")),
        ("regions", FieldValue::choices(["eu", "us"])),
        ("order", FieldValue::text("ORD-123456")),
    ] {
        w.run(set(&w, t, k, v)).unwrap();
    }
    let jane = w.jane;
    w.run(customer(
        &w,
        CustomerCommand::SetField {
            key: key("seats"),
            value: FieldValue::Number(40),
        },
    ))
    .unwrap();
    for (k, v) in [
        ("vip", FieldValue::Checkbox(true)),
        ("nickname", FieldValue::text("JD")),
    ] {
        w.run(customer(
            &w,
            CustomerCommand::SetContactField {
                contact: jane,
                key: key(k),
                value: v,
            },
        ))
        .unwrap();
    }

    let view = w.desk.agent_ticket_view(t).unwrap();
    let expected: FieldValues = [
        (key("summary"), FieldValue::text("double charge")),
        (key("price"), FieldValue::Decimal(dec("12.5"))),
        (key("due"), FieldValue::Date(date())),
        (key("plan"), FieldValue::choice("pro")),
        (key("regions"), FieldValue::choices(["eu", "us"])),
        (key("order"), FieldValue::text("ORD-123456")),
    ]
    .into_iter()
    .collect();
    assert_eq!(view.fields, expected);
    // The customer's own view of the ticket has no fields.
    let theirs = serde_json::to_string(&w.desk.customer_ticket_view(t, jane).unwrap()).unwrap();
    assert!(!theirs.contains("ORD-123456"), "{theirs}");
    let c = w.desk.agent_customer_view(w.acme).unwrap();
    assert_eq!(c.fields.get(&key("seats")), Some(&FieldValue::Number(40)));
    let contact = c.contacts.iter().find(|ct| ct.id == jane).unwrap();
    assert_eq!(
        contact.fields.get(&key("vip")),
        Some(&FieldValue::Checkbox(true))
    );

    // Setting the same value again writes nothing; clearing removes it.
    assert!(
        w.run(set(&w, t, "plan", FieldValue::choice("pro")))
            .unwrap()
            .is_empty()
    );
    let clear = Command::new(
        Actor::Agent(w.ana),
        TicketAction::Update {
            ticket: t,
            command: TicketCommand::ClearField { key: key("plan") },
        },
    );
    assert_eq!(w.run(clear.clone()).unwrap().len(), 1);
    assert!(w.run(clear).unwrap().is_empty());
    assert_eq!(
        w.desk.tickets().get(t).unwrap().fields().get(&key("plan")),
        None
    );
    w.run(customer(
        &w,
        CustomerCommand::ClearContactField {
            contact: jane,
            key: key("vip"),
        },
    ))
    .unwrap();
    let contact = w
        .desk
        .customers()
        .get(w.acme)
        .unwrap()
        .contact(jane)
        .unwrap()
        .fields()
        .clone();
    assert_eq!(contact.get(&key("vip")), None);
    assert_eq!(
        Desk::rebuild(&w.store, DeskConfig::default()).unwrap(),
        w.desk
    );
}

#[test]
fn every_bad_value_is_a_typed_error_naming_it_and_writes_nothing() {
    let mut w = world();
    let t = w.jane_emails("Help");
    let jane = w.jane;
    w.run(Command::new(
        admin(),
        FieldAction::Retire {
            key: key("summary"),
        },
    ))
    .unwrap();
    let cases: Vec<(Command, FieldError)> = vec![
        (
            set(&w, t, "nope", FieldValue::Number(1)),
            FieldError::UnknownField(key("nope")),
        ),
        (
            set(&w, t, "price", FieldValue::text("12")),
            FieldError::WrongType {
                key: key("price"),
                expected: "a decimal",
                value: "text \"12\"".into(),
            },
        ),
        (
            set(&w, t, "plan", FieldValue::choice("gold")),
            FieldError::NotAnOption {
                key: key("plan"),
                value: "gold".into(),
            },
        ),
        (
            set(&w, t, "regions", FieldValue::choices(["eu", "mars"])),
            FieldError::NotAnOption {
                key: key("regions"),
                value: "mars".into(),
            },
        ),
        (
            set(&w, t, "seats", FieldValue::Number(3)),
            FieldError::WrongObject {
                key: key("seats"),
                belongs: FieldObject::Customer,
                asked: FieldObject::Ticket,
            },
        ),
        (
            customer(
                &w,
                CustomerCommand::SetField {
                    key: key("vip"),
                    value: FieldValue::Checkbox(true),
                },
            ),
            FieldError::WrongObject {
                key: key("vip"),
                belongs: FieldObject::Contact,
                asked: FieldObject::Customer,
            },
        ),
        (
            customer(
                &w,
                CustomerCommand::SetContactField {
                    contact: jane,
                    key: key("plan"),
                    value: FieldValue::choice("pro"),
                },
            ),
            FieldError::WrongObject {
                key: key("plan"),
                belongs: FieldObject::Ticket,
                asked: FieldObject::Contact,
            },
        ),
        (
            set(&w, t, "summary", FieldValue::text("x")),
            FieldError::Retired(key("summary")),
        ),
        (
            set(&w, t, "order", FieldValue::text("ORD-12")),
            FieldError::PatternMismatch {
                key: key("order"),
                value: "ORD-12".into(),
                pattern: "ORD-[0-9]{6}".into(),
            },
        ),
        (
            set(&w, t, "price", FieldValue::Decimal(dec("1.005"))),
            FieldError::TooManyPlaces {
                key: key("price"),
                value: dec("1.005"),
                places: 2,
            },
        ),
        (
            define("plan", FieldObject::Ticket, FieldType::Text),
            FieldError::AlreadyDefined(key("plan")),
        ),
        (
            Command::new(
                admin(),
                FieldAction::SetOptions {
                    key: key("due"),
                    options: vec!["a".into()],
                },
            ),
            FieldError::NoOptions(key("due")),
        ),
    ];
    for (cmd, err) in cases {
        w.refused(cmd, err);
    }
    assert_eq!(
        fanatical::Error::from(FieldError::NotAnOption {
            key: key("plan"),
            value: "gold".into()
        })
        .to_string(),
        "field plan: \"gold\" is not one of its options"
    );
}

#[test]
fn a_hostile_pattern_is_refused_when_the_command_is_read() {
    // A pattern is compiled when a command carrying it is built or read:
    // one that would blow up is an error naming it, before any desk sees it.
    let json = r#"{"actor":{"integration":"admin"},"action":{"area":"field","action":{"op":"define","definition":{"key":"x","label":"X","object":"ticket","field_type":{"type":"pattern","pattern":"(\\w{1000}){1000}"}}}}}"#;
    let err = serde_json::from_str::<Command>(json)
        .unwrap_err()
        .to_string();
    assert!(err.contains("invalid pattern"), "{err}");
    let ok = json.replace(r"(\\w{1000}){1000}", r"\\w{3}");
    let cmd: Command = serde_json::from_str(&ok).unwrap();
    let mut w = World::new();
    w.run(cmd).unwrap();
    assert!(w.desk.fields().catalog().get(&key("x")).is_some());
}

#[test]
fn a_retired_option_stays_readable_but_takes_no_new_values() {
    let mut w = world();
    let t = w.jane_emails("Upgrade");
    w.run(set(&w, t, "plan", FieldValue::choice("basic")))
        .unwrap();
    w.run(Command::new(
        admin(),
        FieldAction::SetOptions {
            key: key("plan"),
            options: vec!["pro".into(), "enterprise".into()],
        },
    ))
    .unwrap();
    let def = w.desk.fields().catalog().get(&key("plan")).unwrap();
    assert_eq!(def.retired_options, BTreeSet::from(["basic".to_owned()]));
    // The ticket still reads its value...
    assert_eq!(
        w.desk
            .agent_ticket_view(t)
            .unwrap()
            .fields
            .get(&key("plan")),
        Some(&FieldValue::choice("basic"))
    );
    // ...but no ticket may be given it now.
    let other = w.jane_emails("Another");
    w.refused(
        set(&w, other, "plan", FieldValue::choice("basic")),
        FieldError::NotAnOption {
            key: key("plan"),
            value: "basic".into(),
        },
    );
    // Relabelling keeps the key and the values.
    w.run(Command::new(
        admin(),
        FieldAction::Relabel {
            key: key("plan"),
            label: "Plan tier".into(),
        },
    ))
    .unwrap();
    assert_eq!(
        w.desk.fields().catalog().get(&key("plan")).unwrap().label,
        "Plan tier"
    );
    assert_eq!(
        w.desk.tickets().get(t).unwrap().fields().get(&key("plan")),
        Some(&FieldValue::choice("basic"))
    );
}

#[test]
fn a_form_limits_the_fields_and_requires_some_before_solving() {
    let mut w = world();
    let ana = w.ana;
    w.run(Command::new(
        admin(),
        FieldAction::SetForm {
            ticket_type: TicketType::Incident,
            form: Some(
                Form::new([key("plan"), key("order"), key("due")])
                    .requiring([key("plan"), key("order")]),
            ),
        },
    ))
    .unwrap();
    let t = w.ids.next_id();
    let open = OpenTicket::new(t, w.acme, "Outage", Channel::Phone)
        .requested_by(w.jane)
        .with_type(TicketType::Incident);
    w.run(Command::new(Actor::Agent(ana), TicketAction::Open(open)))
        .unwrap();
    w.run(Command::new(
        Actor::Agent(ana),
        TicketAction::assign(t, ana),
    ))
    .unwrap();
    // A field off the form is refused.
    w.refused(
        set(&w, t, "summary", FieldValue::text("x")),
        FieldError::NotOnForm {
            key: key("summary"),
            ticket_type: "incident".into(),
        },
    );
    let solve = Command::new(
        Actor::Agent(ana),
        TicketAction::set_status(t, Status::Solved),
    );
    w.refused(
        solve.clone(),
        FieldError::RequiredMissing {
            ticket: t,
            fields: vec![key("order"), key("plan")],
        },
    );
    w.run(set(&w, t, "plan", FieldValue::choice("pro")))
        .unwrap();
    let err = w.run(solve.clone()).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("ticket {t} cannot be solved before its required fields are set: order")
    );
    w.run(set(&w, t, "order", FieldValue::text("ORD-000001")))
        .unwrap();
    w.run(solve).unwrap();
    assert_eq!(w.desk.tickets().get(t).unwrap().status(), Status::Solved);
    // A question has no form: any ticket field, nothing required.
    let q = w.jane_emails("Question");
    w.run(set(&w, q, "summary", FieldValue::text("fine")))
        .unwrap();
    w.run(Command::new(
        Actor::Agent(ana),
        TicketAction::assign(q, ana),
    ))
    .unwrap();
    w.run(Command::new(
        Actor::Agent(ana),
        TicketAction::set_status(q, Status::Solved),
    ))
    .unwrap();
}

#[test]
fn inbound_messages_carry_tags_and_fields() {
    let mut w = world();
    let t = w.ids.next_id();
    let msg = InboundMessage::new(
        t,
        Channel::Email,
        w.jane_email.clone(),
        "Order never arrived",
    )
    .with_tag(Tag::new("web-form").unwrap())
    .with_field(key("order"), FieldValue::text("ORD-654321"))
    .with_field(key("regions"), FieldValue::choices(["eu"]));
    w.run(Command::new(
        Actor::integration("inbound"),
        TicketAction::Receive(msg),
    ))
    .unwrap();
    let ticket = w.desk.tickets().get(t).unwrap();
    assert!(ticket.tags().contains(&Tag::new("web-form").unwrap()));
    assert_eq!(
        ticket.fields().get(&key("order")),
        Some(&FieldValue::text("ORD-654321"))
    );

    // A reply on the same ticket adds its own.
    w.tick(5);
    let reply = InboundMessage::new(
        w.ids.next_id(),
        Channel::Email,
        w.jane_email.clone(),
        "Any news?",
    )
    .in_reply_to(t)
    .with_tag(Tag::new("chaser").unwrap())
    .with_field(key("plan"), FieldValue::choice("enterprise"));
    w.run(Command::new(
        Actor::integration("inbound"),
        TicketAction::Receive(reply),
    ))
    .unwrap();
    let ticket = w.desk.tickets().get(t).unwrap();
    assert_eq!(ticket.conversation().len(), 2);
    assert!(ticket.tags().contains(&Tag::new("chaser").unwrap()));
    assert_eq!(
        ticket.fields().get(&key("plan")),
        Some(&FieldValue::choice("enterprise"))
    );

    // A bad value refuses the whole message, new ticket or reply.
    let bad_new = InboundMessage::new(w.ids.next_id(), Channel::Email, w.jane_email.clone(), "Hi")
        .with_field(key("order"), FieldValue::text("nope"));
    w.refused(
        Command::new(
            Actor::integration("inbound"),
            TicketAction::Receive(bad_new),
        ),
        FieldError::PatternMismatch {
            key: key("order"),
            value: "nope".into(),
            pattern: "ORD-[0-9]{6}".into(),
        },
    );
    let bad_reply =
        InboundMessage::new(w.ids.next_id(), Channel::Email, w.jane_email.clone(), "Hi")
            .in_reply_to(t)
            .with_field(key("seats"), FieldValue::Number(2));
    w.refused(
        Command::new(
            Actor::integration("inbound"),
            TicketAction::Receive(bad_reply),
        ),
        FieldError::WrongObject {
            key: key("seats"),
            belongs: FieldObject::Customer,
            asked: FieldObject::Ticket,
        },
    );
    // A message without tags or fields serializes as before.
    let plain = InboundMessage::new(t, Channel::Email, w.jane_email.clone(), "x");
    let json = serde_json::to_string(&plain).unwrap();
    assert!(!json.contains("tags") && !json.contains("fields"), "{json}");
}

#[test]
fn contact_fields_are_erased_with_the_contact_from_the_store_and_the_desk() {
    const NICK: &str = "Jaybird-of-Alamo-Heights";
    let mut w = world();
    let jane = w.jane;
    w.run(customer(
        &w,
        CustomerCommand::SetContactField {
            contact: jane,
            key: key("nickname"),
            value: FieldValue::text(NICK),
        },
    ))
    .unwrap();
    let record = |store: &fanatical::store::MemoryStore| {
        store
            .read_all(0, usize::MAX)
            .unwrap()
            .iter()
            .map(|r| serde_json::to_string(r).unwrap())
            .collect::<String>()
    };
    assert!(record(&w.store).contains(NICK));
    // Her export holds it...
    let export = w.desk.customers().export(jane).unwrap();
    assert_eq!(
        export.fields.get(&key("nickname")),
        Some(&FieldValue::text(NICK))
    );
    w.run(Command::new(
        Actor::integration("privacy"),
        CustomerAction::EraseContact {
            customer: w.acme,
            contact: jane,
            scope: ErasureScope::Profile,
        },
    ))
    .unwrap();
    let after = record(&w.store);
    assert!(!after.contains(NICK), "the nickname is still in the store");
    assert!(after.contains(ERASED));
    let desk_text = format!("{:?}", w.desk.customers().iter().collect::<Vec<_>>());
    assert!(
        !desk_text.contains(NICK),
        "the nickname is still in the desk"
    );
    let contact = w
        .desk
        .customers()
        .get(w.acme)
        .unwrap()
        .contact(jane)
        .unwrap();
    assert!(contact.fields().is_empty());
    // ...and an export after the erasure does not.
    assert!(w.desk.customers().export(jane).unwrap().fields.is_empty());
    let rebuilt = Desk::rebuild(&w.store, DeskConfig::default()).unwrap();
    assert_eq!(rebuilt, w.desk);
    // An erased contact takes no new field values.
    assert!(
        w.run(customer(
            &w,
            CustomerCommand::SetContactField {
                contact: jane,
                key: key("vip"),
                value: FieldValue::Checkbox(true)
            },
        ))
        .is_err()
    );
}

#[test]
fn fields_forms_and_values_survive_a_snapshot() {
    let mut w = world();
    w.run(Command::new(
        admin(),
        FieldAction::SetForm {
            ticket_type: TicketType::Question,
            form: Some(Form::new([key("plan")])),
        },
    ))
    .unwrap();
    let t = w.jane_emails("Hello");
    w.run(set(&w, t, "plan", FieldValue::choice("pro")))
        .unwrap();
    let jane = w.jane;
    w.run(customer(
        &w,
        CustomerCommand::SetContactField {
            contact: jane,
            key: key("vip"),
            value: FieldValue::Checkbox(true),
        },
    ))
    .unwrap();
    w.run(customer(
        &w,
        CustomerCommand::SetField {
            key: key("seats"),
            value: FieldValue::Number(7),
        },
    ))
    .unwrap();
    let json = serde_json::to_string(&w.desk.snapshot()).unwrap();
    let restored =
        Desk::restore(DeskConfig::default(), serde_json::from_str(&json).unwrap()).unwrap();
    assert_eq!(restored, w.desk);
    assert_eq!(
        restored.fields().form(TicketType::Question),
        Some(&Form::new([key("plan")]))
    );
    assert_eq!(
        restored
            .tickets()
            .get(t)
            .unwrap()
            .fields()
            .get(&key("plan")),
        Some(&FieldValue::choice("pro"))
    );
}

/// A value for one of the world's fields, of any type, on any object.
fn any_value() -> impl Strategy<Value = (&'static str, FieldValue)> {
    prop_oneof![
        "[ a-z0-9-]{0,8}".prop_map(FieldValue::Text),
        any::<i64>().prop_map(FieldValue::Number),
        (any::<i32>(), 0u8..4)
            .prop_map(|(u, s)| FieldValue::Decimal(Decimal::new(i64::from(u), s).unwrap())),
        (0i32..800_000)
            .prop_map(|d| FieldValue::Date(NaiveDate::from_num_days_from_ce_opt(d).unwrap())),
        any::<bool>().prop_map(FieldValue::Checkbox),
        prop_oneof![Just("pro"), Just("gold"), Just("")].prop_map(FieldValue::choice),
        prop::collection::btree_set(prop_oneof![Just("eu"), Just("us"), Just("mars")], 0..3)
            .prop_map(FieldValue::choices),
        "(ORD-[0-9]{6})|ORD-[0-9]{0,7}".prop_map(FieldValue::Text),
    ]
    .prop_flat_map(|v| {
        (
            prop_oneof![
                Just("summary"),
                Just("price"),
                Just("due"),
                Just("plan"),
                Just("regions"),
                Just("order"),
                Just("seats"),
                Just("nope")
            ],
            Just(v),
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(crate::cases(64)))]

    /// Through the desk: a value set on a ticket is either refused with
    /// nothing written and nothing changed, or accepted, kept as the
    /// catalog keeps it (which survives serde and a rebuild), and setting
    /// it again writes nothing.
    #[test]
    fn refused_values_change_nothing_and_accepted_ones_round_trip((k, value) in any_value()) {
        let mut w = world();
        let t = w.jane_emails("Prop");
        let (desk, store) = (w.desk.clone(), w.store.clone());
        match w.run(set(&w, t, k, value)) {
            Err(e) => {
                prop_assert!(e.is_refusal(), "{}", e);
                prop_assert!(e.to_string().contains(k), "{} does not name {}", e, k);
                prop_assert_eq!(&w.desk, &desk);
                prop_assert_eq!(&w.store, &store);
            }
            Ok(written) => {
                prop_assert_eq!(written.len(), 1);
                let kept = w.desk.tickets().get(t).unwrap().fields().get(&key(k)).cloned().unwrap();
                let back: FieldValue = serde_json::from_str(&serde_json::to_string(&kept).unwrap()).unwrap();
                prop_assert_eq!(&back, &kept);
                prop_assert!(w.run(set(&w, t, k, back)).unwrap().is_empty());
                prop_assert_eq!(Desk::rebuild(&w.store, DeskConfig::default()).unwrap(), w.desk.clone());
            }
        }
    }
}
