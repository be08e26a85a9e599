//! The erasure check: a store redacts an erased person's events in place,
//! atomically with the append that records the erasure, and keeps
//! everything else as it was.

use super::{ConformanceFailure, all, ensure, fail, io, t0, write};
use crate::event::StreamId;
use crate::store::{RecordedEvent, Store, StoreError, StreamWrite};

/// The erasure check's fixture: Jane (erased), Jim (kept), a message to
/// Jane and its failure, Jane's details on another customer's stream
/// (which her erasure does not name, so it stays), and on the stream of a
/// customer merged into hers (which it names, so they go).
mod fixture {
    use chrono::{DateTime, Utc};

    use crate::channel::{Channel, ChannelAddress};
    use crate::customer::{CustomerEvent, CustomerEventKind, FamilyMember, Relation};
    use crate::event::Event;
    use crate::id::{ContactId, CustomerId, MessageId};
    use crate::outbox::{OutboundMessage, OutboxEvent, OutboxEventKind, Recipient};

    pub(super) const GONE: [&str; 5] = [
        "Sam Merged",
        "Jane Secret",
        "jane@secret.example",
        "Sam Secret",
        "mailbox of jane@secret.example is full",
    ];
    pub(super) const KEPT: [&str; 4] = [
        "Jim Kept",
        "jim@kept.example",
        "Sam Elsewhere",
        "a reply Jane keeps",
    ];

    pub(super) fn customer() -> CustomerId {
        CustomerId::from_uuid(uuid::Uuid::from_u128(0xE1))
    }
    pub(super) fn other() -> CustomerId {
        CustomerId::from_uuid(uuid::Uuid::from_u128(0xE2))
    }
    pub(super) fn merged() -> CustomerId {
        CustomerId::from_uuid(uuid::Uuid::from_u128(0xE6))
    }
    pub(super) fn jane() -> ContactId {
        ContactId::from_uuid(uuid::Uuid::from_u128(0xE3))
    }
    pub(super) fn message() -> MessageId {
        MessageId::from_uuid(uuid::Uuid::from_u128(0xE4))
    }
    fn email(a: &str) -> ChannelAddress {
        ChannelAddress::Email(a.to_owned())
    }
    fn customer_event(at: DateTime<Utc>, kind: CustomerEventKind) -> Event {
        Event::Customer(CustomerEvent { at, kind })
    }

    pub(super) fn customer_events(at: DateTime<Utc>) -> Vec<Event> {
        let jim = ContactId::from_uuid(uuid::Uuid::from_u128(0xE5));
        vec![
            customer_event(
                at,
                CustomerEventKind::ContactAdded {
                    contact: jane(),
                    name: "Jane Secret".into(),
                    addresses: vec![email("jane@secret.example")],
                },
            ),
            customer_event(
                at,
                CustomerEventKind::FamilyMemberAdded {
                    contact: jane(),
                    member: FamilyMember {
                        name: "Sam Secret".into(),
                        relation: Relation::Child,
                    },
                },
            ),
            customer_event(
                at,
                CustomerEventKind::ContactAdded {
                    contact: jim,
                    name: "Jim Kept".into(),
                    addresses: vec![email("jim@kept.example")],
                },
            ),
        ]
    }

    pub(super) fn elsewhere(at: DateTime<Utc>, name: &str) -> Vec<Event> {
        vec![customer_event(
            at,
            CustomerEventKind::FamilyMemberAdded {
                contact: jane(),
                member: FamilyMember {
                    name: name.into(),
                    relation: Relation::Child,
                },
            },
        )]
    }

    pub(super) fn outbox_events(at: DateTime<Utc>) -> Vec<Event> {
        let queued = OutboundMessage {
            id: message(),
            channel: Channel::Email,
            recipient: Recipient::Contact {
                contact: jane(),
                address: email("jane@secret.example"),
            },
            body: "a reply Jane keeps".into(),
            ticket: None,
            queued_at: at,
            deliver_after: None,
            attachments: Vec::new(),
            automatic: false,
        };
        vec![
            Event::Outbox(OutboxEvent {
                at,
                kind: OutboxEventKind::Queued { message: queued },
            }),
            Event::Outbox(OutboxEvent {
                at,
                kind: OutboxEventKind::Failed {
                    id: message(),
                    attempt: 1,
                    reason: "mailbox of jane@secret.example is full".into(),
                    retry_at: at,
                },
            }),
        ]
    }

    pub(super) fn erased_event(at: DateTime<Utc>) -> Event {
        customer_event(
            at,
            CustomerEventKind::ContactErased {
                contact: jane(),
                scope: crate::customer::ErasureScope::Profile,
            },
        )
    }
}

/// `append_erasing` replaces, in place and atomically with its batch,
/// exactly the events the erasure redacts in the streams it names: their
/// id, stream, version, position, schema, actor and command key stay;
/// the old text is gone from `read_all` and `read_stream`; events of
/// other streams and the batch itself are stored as given; a conflicting
/// batch erases nothing; erasing again changes nothing more.
///
/// # Errors
/// [`ConformanceFailure`] naming the check and what the store did wrong.
pub fn erasure_redacts_in_place(store: &mut dyn Store) -> Result<(), ConformanceFailure> {
    use crate::actor::Actor;
    use crate::customer::{ErasureScope, Forget};
    use fixture as fx;
    const C: &str = "erasure_redacts_in_place";
    let home = StreamId::Customer(fx::customer());
    let away = StreamId::Customer(fx::other());
    let merged = StreamId::Customer(fx::merged());
    let stamped = |mut w: StreamWrite| {
        for e in &mut w.events {
            e.actor = Some(Actor::integration("crm"));
            e.command = crate::actor::CommandKey::new("erasure-check").ok();
        }
        w
    };
    io(
        C,
        store.append(&[
            stamped(write(home, 0, fx::customer_events(t0()))),
            stamped(write(away, 0, fx::elsewhere(t0(), "Sam Elsewhere"))),
            stamped(write(merged, 0, fx::elsewhere(t0(), "Sam Merged"))),
            stamped(write(StreamId::Outbox, 0, fx::outbox_events(t0()))),
        ]),
    )?;
    let before = io(C, all(store))?;
    let mut erasure = crate::store::Erasure::new(
        fx::customer(),
        fx::jane(),
        Forget::Contact(ErasureScope::Profile),
    );
    erasure.messages.insert(fx::message());
    erasure.customers.insert(fx::merged());
    let text = |events: &[RecordedEvent]| format!("{events:?}");

    // A stale batch: nothing is erased, nothing appended.
    let stale = store.append_erasing(&[write(home, 0, vec![fx::erased_event(t0())])], &erasure);
    if let Err(StoreError::Unsupported { .. }) = stale {
        return Err(fail(
            C,
            "the store does not support erasure (append_erasing)",
        ));
    }
    ensure(C, matches!(stale, Err(StoreError::Conflict { .. })), || {
        format!("a stale batch with an erasure did not conflict: {stale:?}")
    })?;
    ensure(C, io(C, all(store))? == before, || {
        "a conflicting erasure changed stored events".into()
    })?;

    let batch = write(home, 3, vec![fx::erased_event(t0())]);
    let appended = io(
        C,
        store.append_erasing(std::slice::from_ref(&batch), &erasure),
    )?;
    let first = u64::try_from(before.len()).unwrap_or(u64::MAX) + 1;
    ensure(
        C,
        appended.len() == 1
            && appended.first().map(|r| (r.position, r.version)) == Some((first, 4))
            && appended.first().map(|r| &r.event) == batch.events.first().map(|e| &e.event),
        || format!("the batch came back as {appended:?}"),
    )?;
    let after = io(C, all(store))?;
    let (old, new) = after.split_at(before.len().min(after.len()));
    ensure(C, new == appended.as_slice(), || {
        format!("after the erased events the store holds {new:?}")
    })?;
    for (b, a) in before.iter().zip(old) {
        let same_place = (b.id, b.stream, b.version, b.position, b.schema)
            == (a.id, a.stream, a.version, a.position, a.schema)
            && (&b.actor, &b.command) == (&a.actor, &a.command);
        ensure(C, same_place, || {
            format!("erasure moved or restamped an event: {b:?} became {a:?}")
        })?;
        let want = erasure
            .redact(&b.stream, &b.event)
            .unwrap_or(b.event.clone());
        ensure(C, a.event == want, || {
            format!(
                "event at position {} is {:?}, want {want:?}",
                a.position, a.event
            )
        })?;
    }
    let streams = [home, away, merged, StreamId::Outbox];
    let mut by_stream = Vec::new();
    for s in &streams {
        by_stream.extend(io(C, store.read_stream(s, 0))?);
    }
    for (what, events) in [
        ("read_all", text(&after)),
        ("read_stream", text(&by_stream)),
    ] {
        for gone in fx::GONE {
            ensure(C, !events.contains(gone), || {
                format!("{what} still returns {gone:?} after the erasure")
            })?;
        }
        for kept in fx::KEPT {
            ensure(C, events.contains(kept), || {
                format!("{what} lost {kept:?}, which the erasure does not name")
            })?;
        }
    }

    // Erasing again (nothing left to redact) changes nothing.
    io(C, store.append_erasing(&[], &erasure))?;
    ensure(C, io(C, all(store))? == after, || {
        "a repeated erasure changed stored events".into()
    })?;
    Ok(())
}
