//! Every bad input the foundation issue lists gets a typed error and
//! changes nothing (neither the desk nor the store).

use fanatical::actor::Actor;
use fanatical::channel::Channel;
use fanatical::customer::{CustomerCommand, CustomerError, Interest, Relation};
use fanatical::desk::{Command, DeskConfig, DeskError};
use fanatical::desk::{CustomerAction, TicketAction};
use fanatical::event::StreamId;
use fanatical::id::{AgentId, ContactId, CustomerId, TicketId};
use fanatical::store::{ExpectedVersion, Store, StoreError, StreamWrite};
use fanatical::ticket::{
    Attachment, Author, OpenTicket, Status, TicketCommand, TicketError, TicketRules,
};

use crate::support::World;

#[test]
fn empty_reply_body() {
    let mut w = World::new();
    let t = w.jane_emails("help");
    let ana = w.ana;
    w.refused(Command::reply(t, ana, "   \n "), TicketError::EmptyBody(t));
    w.refused(Command::note(t, ana, ""), TicketError::EmptyBody(t));
}

#[test]
fn unknown_customer() {
    let mut w = World::new();
    let ghost: CustomerId = w.ids.next_id();
    let tid: TicketId = w.ids.next_id();
    w.refused(
        Command::new(
            Actor::integration("setup"),
            TicketAction::Open(OpenTicket::new(tid, ghost, "Hi", Channel::Phone)),
        ),
        DeskError::UnknownCustomer(ghost),
    );
    w.refused(
        Command::new(
            Actor::integration("setup"),
            CustomerAction::Update {
                customer: ghost,
                command: CustomerCommand::RenameOrganisation { name: "x".into() },
            },
        ),
        DeskError::UnknownCustomer(ghost),
    );
}

#[test]
fn unknown_contact() {
    let mut w = World::new();
    let ghost: ContactId = w.ids.next_id();
    let tid: TicketId = w.ids.next_id();
    let acme = w.acme;
    let err = CustomerError::UnknownContact {
        customer: acme,
        contact: ghost,
    };
    w.refused(
        Command::new(
            Actor::integration("setup"),
            TicketAction::Open(
                OpenTicket::new(tid, acme, "Hi", Channel::Phone).requested_by(ghost),
            ),
        ),
        err.clone(),
    );
    // Tom is a contact, but of another customer: Acme's tickets are not
    // his to answer (nor to learn whose they are).
    let tom = w.tom;
    let t = w.jane_emails("help");
    let denied = crate::support::denied(
        &w.desk,
        Actor::Contact(tom),
        fanatical::permission::Permission::ReplyPublicly,
        Some(t),
    );
    w.refused(
        Command::reply_on(t, Author::Contact(tom), Channel::Email, "me too", vec![]),
        denied,
    );
    w.refused(
        Command::new(
            Actor::integration("setup"),
            CustomerAction::Update {
                customer: acme,
                command: CustomerCommand::WithdrawConsent { contact: ghost },
            },
        ),
        err,
    );
}

#[test]
fn unknown_agent() {
    let mut w = World::new();
    let ghost: AgentId = w.ids.next_id();
    let t = w.jane_emails("help");
    w.refused(
        Command::reply(t, ghost, "hello"),
        DeskError::UnknownAgent(ghost),
    );
    w.refused(
        Command::new(Actor::integration("setup"), TicketAction::assign(t, ghost)),
        DeskError::UnknownAgent(ghost),
    );
    w.refused(
        Command::note(t, ghost, "hm"),
        DeskError::UnknownAgent(ghost),
    );
}

#[test]
fn unknown_ticket() {
    let mut w = World::new();
    let ghost: TicketId = w.ids.next_id();
    let ana = w.ana;
    w.refused(
        Command::reply(ghost, ana, "hello"),
        DeskError::UnknownTicket(ghost),
    );
    w.refused(
        Command::new(
            Actor::integration("setup"),
            TicketAction::set_status(ghost, Status::Open),
        ),
        DeskError::UnknownTicket(ghost),
    );
}

#[test]
fn illegal_status_change() {
    let mut w = World::new();
    let t = w.jane_emails("help");
    w.refused(
        Command::new(
            Actor::integration("setup"),
            TicketAction::set_status(t, Status::Closed),
        ),
        TicketError::InvalidTransition {
            ticket: t,
            from: Status::New,
            to: Status::Closed,
        },
    );
    w.refused(
        Command::new(
            Actor::integration("setup"),
            TicketAction::set_status(t, Status::Solved),
        ),
        TicketError::NoAssignee(t),
    );
}

#[test]
fn reply_on_a_closed_ticket() {
    let mut w = World::new();
    let t = w.jane_emails("help");
    let ana = w.ana;
    w.run(Command::new(
        Actor::integration("setup"),
        TicketAction::assign(t, ana),
    ))
    .unwrap();
    w.run(Command::new(
        Actor::integration("setup"),
        TicketAction::set_status(t, Status::Solved),
    ))
    .unwrap();
    w.run(Command::new(
        Actor::integration("setup"),
        TicketAction::set_status(t, Status::Closed),
    ))
    .unwrap();
    w.refused(
        Command::reply(t, ana, "one more thing"),
        TicketError::Closed(t),
    );
    let jane = w.jane;
    w.refused(
        Command::reply_on(t, Author::Contact(jane), Channel::Email, "hello?", vec![]),
        TicketError::Closed(t),
    );
}

#[test]
fn personal_details_without_consent() {
    let mut w = World::new();
    let (acme, jane) = (w.acme, w.jane);
    let err = CustomerError::NoConsent {
        customer: acme,
        contact: jane,
    };
    w.refused(
        Command::new(
            Actor::integration("setup"),
            CustomerAction::Update {
                customer: acme,
                command: CustomerCommand::AddFamilyMember {
                    contact: jane,
                    name: "Sam".into(),
                    relation: Relation::Child,
                },
            },
        ),
        err.clone(),
    );
    w.refused(
        Command::new(
            Actor::integration("setup"),
            CustomerAction::Update {
                customer: acme,
                command: CustomerCommand::AddInterest {
                    contact: jane,
                    interest: Interest {
                        topic: "favourite team".into(),
                        detail: "Spurs".into(),
                    },
                },
            },
        ),
        err,
    );
}

#[test]
fn attachment_over_the_configured_limit_or_without_a_name() {
    let config = DeskConfig::default()
        .with_ticket_rules(TicketRules::default().with_max_attachment_bytes(1024 * 1024));
    let mut w = World::with_config(config);
    let t = w.jane_emails("help");
    let ana = w.ana;
    let big = Attachment::new(
        "capture.pcap",
        "application/vnd.tcpdump.pcap",
        1024 * 1024 + 1,
    )
    .unwrap();
    w.refused(
        Command::new(
            Actor::Agent(ana),
            TicketAction::Reply {
                ticket: t,
                body: "see attached".into(),
                attachments: vec![big],
            },
        ),
        TicketError::AttachmentTooLarge {
            file_name: "capture.pcap".into(),
            size: 1024 * 1024 + 1,
            limit: 1024 * 1024,
        },
    );
    let mut nameless = Attachment::new("x.gif", "image/gif", 10).unwrap();
    nameless.file_name = String::new();
    w.refused(
        Command::new(
            Actor::Agent(ana),
            TicketAction::Reply {
                ticket: t,
                body: "see attached".into(),
                attachments: vec![nameless],
            },
        ),
        TicketError::EmptyAttachmentName,
    );
    // At the limit exactly is fine.
    let ok = Attachment::new("ok.gif", "image/gif", 1024 * 1024).unwrap();
    w.run(Command::new(
        Actor::Agent(ana),
        TicketAction::Reply {
            ticket: t,
            body: "see attached".into(),
            attachments: vec![ok],
        },
    ))
    .unwrap();
}

#[test]
fn merging_a_ticket_into_itself() {
    let mut w = World::new();
    let t = w.jane_emails("help");
    let ana = w.ana;
    w.refused(
        Command::new(
            Actor::Agent(ana),
            TicketAction::Merge {
                source: t,
                target: t,
            },
        ),
        TicketError::SelfReference(t),
    );
}

#[test]
fn stale_expected_version() {
    let mut w = World::new();
    let t = w.jane_emails("help");
    let ana = w.ana;
    // Decide two replies against the same version; the second is stale.
    let first = w.desk.decide(Command::reply(t, ana, "one"), w.now).unwrap();
    let second = w.desk.decide(Command::reply(t, ana, "two"), w.now).unwrap();
    let stored = w.store.append(first.writes()).unwrap();
    w.desk.apply(&stored).unwrap();
    let store_before = w.store.clone();
    let desk_before = w.desk.clone();
    let err = w.store.append(second.writes()).unwrap_err();
    // Opened + first message, then the reply and the move to open.
    assert_eq!(
        w.store.read_stream(&StreamId::Ticket(t), 0).unwrap().len(),
        4
    );
    assert_eq!(
        err,
        StoreError::Conflict {
            stream: StreamId::Ticket(t),
            expected: ExpectedVersion::Exact(2),
            actual: 4,
        }
    );
    assert_eq!(w.store, store_before);
    assert_eq!(w.desk, desk_before);
    // Directly through the port, too.
    let raw = StreamWrite::new(StreamId::Ticket(t), ExpectedVersion::Exact(0), vec![]);
    assert_eq!(
        w.store.append(&[raw]),
        Err(StoreError::Conflict {
            stream: StreamId::Ticket(t),
            expected: ExpectedVersion::Exact(0),
            actual: 4,
        })
    );
    assert_eq!(w.store, store_before);
}

#[test]
fn applying_events_twice_is_refused_and_changes_nothing() {
    let mut w = World::new();
    let t = w.jane_emails("help");
    let ana = w.ana;
    let stored = w.run(Command::reply(t, ana, "hello")).unwrap();
    let before = w.desk.clone();
    let err = w.desk.apply(&stored).unwrap_err();
    // The first event handed in again: the desk wants the one after the
    // last it applied on that stream.
    let applied = w.store.read_stream(&stored[0].stream, 0).unwrap().len() as u64;
    assert_eq!(
        err,
        DeskError::OutOfOrder {
            stream: stored[0].stream,
            expected: applied + 1,
            got: stored[0].version,
        }
        .into()
    );
    // Misuse of the API, not a refusal: the calling code is wrong.
    assert!(err.is_misuse());
    assert!(!err.is_refusal());
    assert_eq!(w.desk, before);
}

#[test]
fn other_refusals_name_what_was_wrong() {
    let mut w = World::new();
    let (acme, jane, tiny, tom) = (w.acme, w.jane, w.tiny, w.tom);
    // An address that belongs to someone else.
    let tom_email = w.tom_email.clone();
    w.refused(
        Command::new(
            Actor::integration("setup"),
            CustomerAction::Update {
                customer: acme,
                command: CustomerCommand::AddAddress {
                    contact: jane,
                    address: tom_email.clone(),
                },
            },
        ),
        DeskError::AddressInUse {
            address: tom_email,
            customer: tiny,
            contact: tom,
        },
    );
    // A sender nobody knows.
    let stranger = fanatical::channel::ChannelAddress::email("who@nowhere.example").unwrap();
    let tid: TicketId = w.ids.next_id();
    w.refused(
        Command::new(
            Actor::integration("inbound"),
            TicketAction::Receive(fanatical::desk::InboundMessage::new(
                tid,
                Channel::Email,
                stranger.clone(),
                "hi",
            )),
        ),
        DeskError::UnknownSender(stranger),
    );
    // Registering the same id twice.
    w.refused(
        Command::new(
            Actor::integration("setup"),
            CustomerAction::Register {
                id: acme,
                organisation: "Again".into(),
            },
        ),
        DeskError::AlreadyExists(StreamId::Customer(acme)),
    );
    // Merging across customers.
    let a = w.jane_emails("one");
    let tid2: TicketId = w.ids.next_id();
    let tom_email = w.tom_email.clone();
    w.run(Command::new(
        Actor::integration("inbound"),
        TicketAction::Receive(fanatical::desk::InboundMessage::new(
            tid2,
            Channel::Email,
            tom_email,
            "two",
        )),
    ))
    .unwrap();
    let ana = w.ana;
    w.refused(
        Command::new(
            Actor::Agent(ana),
            TicketAction::Merge {
                source: a,
                target: tid2,
            },
        ),
        TicketError::CrossCustomerMerge {
            source_ticket: a,
            source_customer: acme,
            target: tid2,
            target_customer: tiny,
        },
    );
    // A note that is not text.
    w.refused(
        Command::new(
            Actor::Agent(ana),
            TicketAction::Update {
                ticket: a,
                command: TicketCommand::Note {
                    agent: ana,
                    body: " ".into(),
                    attachments: vec![],
                },
            },
        ),
        TicketError::EmptyBody(a),
    );
}

#[test]
fn a_configured_duration_out_of_range_is_refused_when_built_or_read() {
    use chrono::Duration;
    use fanatical::time::MAX_CONFIGURED;
    let err = DeskConfig::default()
        .with_delivery_lease(Duration::zero())
        .unwrap_err();
    assert_eq!(
        (err.field.as_str(), err.value, err.min, err.max),
        (
            "delivery lease",
            Duration::zero(),
            Duration::seconds(1),
            MAX_CONFIGURED
        )
    );
    let err = DeskConfig::default()
        .with_coaching_window(Duration::days(-1))
        .unwrap_err();
    assert_eq!(
        (err.field.as_str(), err.value, err.min, err.max),
        (
            "coaching window",
            Duration::days(-1),
            Duration::zero(),
            MAX_CONFIGURED
        )
    );
    // Read from a file: refused, naming the setting and the value.
    let mut json = serde_json::to_value(DeskConfig::default()).unwrap();
    json["delivery_lease"] = serde_json::json!(i64::MAX);
    let err = serde_json::from_value::<DeskConfig>(json)
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "delivery lease is 9223372036854775.807000000 s; it must be from 1 s to 100 years"
    );
    let mut json = serde_json::to_value(DeskConfig::default()).unwrap();
    json["recognition"]["remind_every"] = serde_json::json!(0);
    let err = serde_json::from_value::<DeskConfig>(json)
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "recognition remind_every is 0 s; it must be from 60 s to 100 years"
    );
    // Set through a public field: validate says which.
    let mut config = DeskConfig::default();
    config.coaching_window = Duration::days(365 * 101);
    match config.validate() {
        Err(fanatical::Error::Duration(e)) => assert_eq!(
            (e.field.as_str(), e.value),
            ("coaching window", Duration::days(365 * 101))
        ),
        other => panic!("the coaching window was not refused: {other:?}"),
    }
}
