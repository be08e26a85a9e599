//! Proptest strategies for the model (feature `proptest`).
//!
//! Use them to property-test your own rules and views against random but
//! valid tickets and customers: every strategy here produces values the
//! model accepts, built by running random commands through the real
//! `handle`/`apply` (commands the model refuses are skipped).
//!
//! # Example
//! ```
//! use fanatical::arbitrary::arb_ticket;
//! use fanatical::ticket::EntryVisibility;
//! use fanatical::view::CustomerTicketView;
//! use proptest::prelude::*;
//! use proptest::test_runner::TestRunner;
//!
//! let mut runner = TestRunner::deterministic();
//! runner.run(&arb_ticket(), |ticket| {
//!     let view = CustomerTicketView::from_ticket(&ticket);
//!     let public = ticket.conversation().iter().filter(|e| e.visibility == EntryVisibility::Public).count();
//!     prop_assert_eq!(view.conversation.len(), public);
//!     Ok(())
//! }).unwrap();
//! ```

use chrono::{DateTime, Duration, TimeZone, Utc};
use proptest::prelude::*;
use uuid::Uuid;

use crate::channel::{Channel, SocialNetwork, Visibility};
use crate::customer::{
    AccountStanding, ConsentSource, Currency, Customer, CustomerCommand, Interest, Money, Relation,
    Tier,
};
use crate::id::{AgentId, ContactId, CustomerId, TicketId};
use crate::ticket::{
    Attachment, Author, OpenTicket, Priority, Status, Tag, Ticket, TicketCommand, TicketRules,
    TicketType,
};

fn base_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
        .single()
        .unwrap_or(DateTime::<Utc>::UNIX_EPOCH)
}

/// The customer every generated ticket belongs to.
#[must_use]
pub fn sample_customer_id() -> CustomerId {
    CustomerId::from_uuid(Uuid::from_u128(0xC0))
}

/// One of four fixed contacts (index 0 to 3).
#[must_use]
pub fn sample_contact(n: u8) -> ContactId {
    ContactId::from_uuid(Uuid::from_u128(0xC100 + u128::from(n % 4)))
}

/// One of four fixed agents (index 0 to 3).
#[must_use]
pub fn sample_agent(n: u8) -> AgentId {
    AgentId::from_uuid(Uuid::from_u128(0xA100 + u128::from(n % 4)))
}

/// Any channel.
pub fn arb_channel() -> impl Strategy<Value = Channel> {
    prop_oneof![
        Just(Channel::Phone),
        Just(Channel::Portal),
        Just(Channel::Email),
        Just(Channel::Video),
        Just(Channel::Chat),
        (
            prop_oneof![
                Just(SocialNetwork::X),
                Just(SocialNetwork::Facebook),
                Just(SocialNetwork::LinkedIn),
                "[a-z]{3,8}".prop_map(SocialNetwork::Other),
            ],
            prop_oneof![Just(Visibility::Public), Just(Visibility::Private)],
        )
            .prop_map(|(network, visibility)| Channel::Social {
                network,
                visibility
            }),
    ]
}

/// Any status.
pub fn arb_status() -> impl Strategy<Value = Status> {
    proptest::sample::select(Status::ALL.to_vec())
}

/// Any priority.
pub fn arb_priority() -> impl Strategy<Value = Priority> {
    proptest::sample::select(vec![
        Priority::Low,
        Priority::Normal,
        Priority::High,
        Priority::Urgent,
    ])
}

/// A valid attachment (images including animated GIFs, documents, logs)
/// within the default size limit.
pub fn arb_attachment() -> impl Strategy<Value = Attachment> {
    (
        "[a-z]{1,12}",
        proptest::sample::select(vec![
            ("gif", "image/gif"),
            ("png", "image/png"),
            ("pdf", "application/pdf"),
            ("log", "text/plain"),
        ]),
        0u64..10_000_000,
    )
        .prop_filter_map("valid attachment", |(stem, (ext, mt), size)| {
            Attachment::new(&format!("{stem}.{ext}"), mt, size).ok()
        })
}

fn arb_body() -> impl Strategy<Value = String> {
    "[A-Za-z0-9 .,!?]{0,40}"
}

/// A ticket command from the fixed agents and contacts; some are invalid
/// on purpose (blank bodies, illegal transitions) so that refusals are
/// exercised too.
pub fn arb_ticket_command() -> impl Strategy<Value = TicketCommand> {
    let author = prop_oneof![
        any::<u8>().prop_map(|n| Author::Agent(sample_agent(n))),
        any::<u8>().prop_map(|n| Author::Contact(sample_contact(n))),
    ];
    prop_oneof![
        4 => (author, arb_channel(), arb_body(), proptest::collection::vec(arb_attachment(), 0..3))
            .prop_map(|(author, channel, body, attachments)| TicketCommand::Reply {
                author, channel, body, attachments,
            }),
        3 => (any::<u8>(), arb_body(), proptest::collection::vec(arb_attachment(), 0..2))
            .prop_map(|(a, body, attachments)| TicketCommand::Note {
                agent: sample_agent(a), body, attachments,
            }),
        3 => arb_status().prop_map(TicketCommand::SetStatus),
        1 => arb_priority().prop_map(TicketCommand::SetPriority),
        2 => proptest::option::of(any::<u8>().prop_map(sample_agent)).prop_map(TicketCommand::Assign),
        1 => "[a-z]{1,8}".prop_filter_map("tag", |t| Tag::new(&t).ok()).prop_map(TicketCommand::AddTag),
    ]
}

/// A ticket built by opening it and running up to 40 random commands
/// (refused ones skipped), one minute apart.
pub fn arb_ticket() -> impl Strategy<Value = Ticket> {
    (
        any::<u128>(),
        arb_channel(),
        proptest::sample::select(vec![
            TicketType::Question,
            TicketType::Incident,
            TicketType::Problem,
            TicketType::Task,
        ]),
        proptest::collection::vec(arb_ticket_command(), 0..40),
    )
        .prop_filter_map("openable ticket", |(id, channel, kind, commands)| {
            let open = OpenTicket::new(
                TicketId::from_uuid(Uuid::from_u128(id)),
                sample_customer_id(),
                "Generated",
                channel,
            )
            .requested_by(sample_contact(0))
            .with_type(kind)
            .with_message(Author::Contact(sample_contact(0)), "first message");
            let rules = TicketRules::default();
            let mut now = base_time();
            let mut ticket = Ticket::from_events(&Ticket::open(open, &rules, now).ok()?)?;
            for c in commands {
                now += Duration::minutes(1);
                if let Ok(events) = ticket.handle_with(c, &rules, now) {
                    for e in &events {
                        ticket.apply(e);
                    }
                }
            }
            Some(ticket)
        })
}

/// A customer command over the fixed contacts, including personal details
/// with and without consent and spend changes.
pub fn arb_customer_command() -> impl Strategy<Value = CustomerCommand> {
    prop_oneof![
        2 => any::<u8>().prop_map(|c| CustomerCommand::RecordConsent {
            contact: sample_contact(c),
            source: ConsentSource::Contact(sample_contact(c)),
        }),
        1 => any::<u8>().prop_map(|c| CustomerCommand::WithdrawConsent { contact: sample_contact(c) }),
        3 => (any::<u8>(), "[A-Z][a-z]{1,8}", proptest::sample::select(vec![
                Relation::Spouse, Relation::Child, Relation::Parent, Relation::Pet,
            ]))
            .prop_map(|(c, name, relation)| CustomerCommand::AddFamilyMember {
                contact: sample_contact(c), name, relation,
            }),
        2 => (any::<u8>(), "[A-Za-z ]{1,16}").prop_map(|(c, detail)| CustomerCommand::AddInterest {
            contact: sample_contact(c),
            interest: Interest { topic: "favourite team".into(), detail },
        }),
        2 => (0i64..1_000_000_000, proptest::sample::select(vec![Tier::Standard, Tier::Business, Tier::Enterprise]))
            .prop_filter_map("currency", |(minor, tier)| {
                Some(CustomerCommand::SetAccountStanding {
                    standing: AccountStanding {
                        monthly_spend: Money { minor, currency: Currency::new("USD").ok()? },
                        tier,
                    },
                })
            }),
    ]
}

/// A customer with the four fixed contacts (each with an email address),
/// after up to 30 random customer commands.
pub fn arb_customer() -> impl Strategy<Value = Customer> {
    proptest::collection::vec(arb_customer_command(), 0..30).prop_filter_map(
        "registrable customer",
        |commands| {
            let now = base_time();
            let mut c = Customer::from_events(
                &Customer::register(sample_customer_id(), "Generated Co", now).ok()?,
            )?;
            for n in 0..4u8 {
                let add = CustomerCommand::AddContact {
                    contact: sample_contact(n),
                    name: format!("Contact {n}"),
                    addresses: vec![
                        crate::channel::ChannelAddress::email(format!("c{n}@example.com")).ok()?,
                    ],
                };
                for e in c.handle(add, now).ok()? {
                    c.apply(&e);
                }
            }
            for cmd in commands {
                if let Ok(events) = c.handle(cmd, now) {
                    for e in &events {
                        c.apply(e);
                    }
                }
            }
            Some(c)
        },
    )
}
