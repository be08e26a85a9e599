use super::ticketing::subject_from_body;
use super::*;
use crate::customer::CustomerEvent;
use crate::store::MemoryStore;
use chrono::TimeZone;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).unwrap()
}

fn cid(n: u128) -> CustomerId {
    CustomerId::from_uuid(uuid::Uuid::from_u128(n))
}

#[test]
fn events_in_the_wrong_stream_are_refused_whole() {
    let mut desk = Desk::new(DeskConfig::default());
    let registered = Event::Customer(CustomerEvent {
        at: now(),
        kind: CustomerEventKind::Registered {
            id: cid(1),
            organisation: "A".into(),
        },
    });
    let good = RecordedEvent {
        id: StreamId::Customer(cid(1)).event_id(1),
        stream: StreamId::Customer(cid(1)),
        version: 1,
        position: 1,
        schema: crate::event::SCHEMA_VERSION,
        actor: None,
        command: None,
        event: registered.clone(),
    };
    // A customer event in a ticket stream.
    let bad = RecordedEvent {
        stream: StreamId::Ticket(TicketId::from_uuid(uuid::Uuid::from_u128(2))),
        position: 2,
        ..good.clone()
    };
    let err = desk.apply(&[good.clone(), bad.clone()]).unwrap_err();
    assert_eq!(
        err,
        DeskError::EventMismatch {
            stream: bad.stream,
            version: 1
        }
        .into()
    );
    assert_eq!(desk, Desk::new(DeskConfig::default()), "nothing applied");
    // A registration for another id in this customer's stream.
    let other = RecordedEvent {
        stream: StreamId::Customer(cid(3)),
        ..good.clone()
    };
    assert!(desk.apply(&[other]).is_err());
    // A gap in versions.
    let gap = RecordedEvent {
        version: 2,
        ..good.clone()
    };
    assert_eq!(
        desk.apply(&[gap]).unwrap_err(),
        DeskError::OutOfOrder {
            stream: good.stream,
            expected: 1,
            got: 2
        }
        .into()
    );
    desk.apply(&[good]).unwrap();
    assert!(desk.customers().get(cid(1)).is_some());
}

#[test]
fn a_decision_writes_each_stream_once_with_the_version_it_read() {
    let mut desk = Desk::new(DeskConfig::default());
    let mut store = MemoryStore::new();
    desk.execute(
        &mut store,
        Command::new(
            Actor::integration("setup"),
            CustomerAction::Register {
                id: cid(1),
                organisation: "A".into(),
            },
        ),
        now(),
    )
    .unwrap();
    let d = desk
        .decide(
            Command::new(
                Actor::integration("setup"),
                CustomerAction::Update {
                    customer: cid(1),
                    command: CustomerCommand::RenameOrganisation { name: "B".into() },
                },
            ),
            now(),
        )
        .unwrap();
    assert_eq!(d.writes().len(), 1);
    assert_eq!(d.writes()[0].expected, ExpectedVersion::Exact(1));
    assert_eq!(
        d.writes()[0].events[0].id,
        StreamId::Customer(cid(1)).event_id(2)
    );
    assert_eq!(d.events().count(), 1);
    // A no-op decides nothing at all.
    let same = desk
        .decide(
            Command::new(
                Actor::integration("setup"),
                CustomerAction::Update {
                    customer: cid(1),
                    command: CustomerCommand::RenameOrganisation { name: "A".into() },
                },
            ),
            now(),
        )
        .unwrap();
    assert!(same.is_empty());
    assert!(same.writes().is_empty());
}

#[test]
fn subjects_come_from_the_first_non_blank_line() {
    assert_eq!(
        subject_from_body("\n  \n Hello there \nmore"),
        "Hello there"
    );
    assert_eq!(subject_from_body("   "), "(no subject)");
    let long = "x".repeat(100);
    let s = subject_from_body(&long);
    assert_eq!(s.chars().count(), 81);
    assert!(s.ends_with('…'));
}

#[test]
fn portal_replies_are_delivered_by_email_and_calls_are_live() {
    assert_eq!(delivery_channel(&Channel::Portal), Channel::Email);
    assert_eq!(delivery_channel(&Channel::Chat), Channel::Chat);
    assert!(is_live(&Channel::Phone));
    assert!(is_live(&Channel::Video));
    assert!(!is_live(&Channel::Email));
}

#[test]
fn ids_drafted_twice_or_already_taken_are_refused() {
    let desk = Desk::new(DeskConfig::default());
    let now = chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 11, 2, 9, 0, 0).unwrap();
    let id = MessageId::from_uuid(uuid::Uuid::from_u128(9));
    let queued = || {
        outbox(
            now,
            OutboxEventKind::Queued {
                message: OutboundMessage {
                    id,
                    channel: Channel::Chat,
                    recipient: Recipient::Agent {
                        agent: AgentId::from_uuid(uuid::Uuid::from_u128(1)),
                    },
                    body: "hi".into(),
                    ticket: None,
                    queued_at: now,
                    deliver_after: None,
                    attachments: Vec::new(),
                    automatic: false,
                },
            },
        )
    };
    let mut d = Drafts::acting(Actor::integration("test"), None);
    d.push(StreamId::Outbox, [queued()]);
    assert_eq!(desk.check_ids(&d), Ok(()));
    d.push(StreamId::Outbox, [queued()]);
    assert_eq!(
        desk.check_ids(&d),
        Err(DeskError::IdTaken {
            kind: "message",
            id: id.as_uuid()
        })
    );
    // A creation event for a stream that exists, or in the wrong stream.
    let mut d = Drafts::acting(Actor::integration("test"), None);
    let cid = CustomerId::from_uuid(uuid::Uuid::from_u128(3));
    let registered = Customer::register(cid, "A".to_owned(), now).unwrap();
    d.push(
        StreamId::Customer(CustomerId::from_uuid(uuid::Uuid::from_u128(4))),
        registered.into_iter().map(Event::Customer),
    );
    assert!(matches!(
        desk.check_ids(&d),
        Err(DeskError::AlreadyExists(_))
    ));
}

/// A refused batch moves no version: not of a stream it continued twice
/// before the bad event, nor of one it opened.
#[test]
fn a_refused_batch_puts_back_every_version_it_moved() {
    let f = super::fixture::fixture().unwrap();
    let mut desk = f.desk;
    let all = f.store.read_all(0, usize::MAX).unwrap();
    let acme: Vec<RecordedEvent> = all
        .iter()
        .filter(|r| r.stream == StreamId::Customer(f.acme))
        .cloned()
        .collect();
    let before = desk.clone();
    let v = desk.version(&StreamId::Customer(f.acme));
    let at = |mut r: RecordedEvent, version: u64, n: u64| {
        r.version = version;
        r.position = before.position() + n;
        r
    };
    // Acme's stream continued twice, a new customer opened between them,
    // then a registration where a continuation belongs: refused.
    let a = at(acme[1].clone(), v + 1, 1);
    let b = at(acme[1].clone(), v + 2, 3);
    let bad = at(acme[0].clone(), v + 3, 4);
    let other = StreamId::Customer(cid(77));
    let mut c = at(acme[0].clone(), 1, 2);
    c.stream = other;
    if let Event::Customer(e) = &mut c.event
        && let CustomerEventKind::Registered { id, .. } = &mut e.kind
    {
        *id = cid(77);
    }
    assert_eq!(
        desk.apply(&[a, c, b, bad]).unwrap_err(),
        DeskError::EventMismatch {
            stream: StreamId::Customer(f.acme),
            version: v + 3
        }
        .into()
    );
    assert_eq!(desk.version(&StreamId::Customer(f.acme)), v);
    assert_eq!(desk.version(&other), 0);
    assert_eq!(desk, before);
    assert_eq!(desk.snapshot(), before.snapshot());
}
