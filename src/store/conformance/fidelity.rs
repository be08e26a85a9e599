//! Checks that what a store keeps is what it was given, to the byte and
//! the nanosecond, on every kind of stream: the failures a store that
//! keeps events as text (JSON in a file or an SQL column) makes quietly.

use chrono::{DateTime, Duration, Utc};

use super::{ConformanceFailure, ensure, io, sample, t0, write};
use crate::actor::{Actor, CommandKey};
use crate::customer::{Currency, CustomerEvent, CustomerEventKind, Money};
use crate::event::{Event, StreamId};
use crate::id::{
    AgentId, CommandId, ContactId, CustomerId, IncidentId, MessageId, PraiseId, TeamId, TicketId,
};
use crate::incident::{Credit, Downtime, IncidentEvent, IncidentEventKind, ReasonCode};
use crate::store::{RecordedEvent, Store};

/// A customer renamed to `name` at `at`: the store does not read events,
/// so one kind of event carries any text and any instant.
fn renamed(at: DateTime<Utc>, name: impl Into<String>) -> Event {
    Event::Customer(CustomerEvent {
        at,
        kind: CustomerEventKind::OrganisationRenamed { name: name.into() },
    })
}

fn customer_stream() -> StreamId {
    StreamId::Customer(CustomerId::from_uuid(uuid::Uuid::from_u128(1)))
}

/// Appends `events` to one new stream and checks each comes back equal,
/// from `read_stream` and from `read_all`, naming the first that differs
/// by `label`.
fn round_trip(
    check: &'static str,
    store: &mut dyn Store,
    events: Vec<Event>,
    label: impl Fn(usize) -> String,
) -> Result<(), ConformanceFailure> {
    let s = customer_stream();
    let n = events.len();
    io(check, store.append(&[write(s, 0, events.clone())]))?;
    let by_stream = io(check, store.read_stream(&s, 0))?;
    let by_position = io(check, store.read_all(0, n))?;
    for (how, read) in [("read_stream", by_stream), ("read_all", by_position)] {
        ensure(check, read.len() == n, || {
            format!("{how} returned {} of {n} events", read.len())
        })?;
        for (i, (got, want)) in read.iter().zip(&events).enumerate() {
            ensure(check, got.event == *want, || {
                format!("{how}: {} came back different", label(i))
            })?;
        }
    }
    Ok(())
}

/// A 1 MiB text (a pasted log, say) and a 100 KiB one come back whole:
/// a store that truncates long text (a column or a buffer with a size
/// limit) fails.
///
/// # Errors
/// [`ConformanceFailure`] naming the check and what the store did wrong.
pub fn long_text_round_trips(store: &mut dyn Store) -> Result<(), ConformanceFailure> {
    const C: &str = "long_text_round_trips";
    let text = |bytes: usize| {
        let mut s = String::with_capacity(bytes + 64);
        let mut line = 0u64;
        while s.len() < bytes {
            s.push_str(&format!(
                "{line:08} 2026-01-01T00:00:00Z kernel: eth0 link down, retrying\n"
            ));
            line += 1;
        }
        s.push_str("END");
        s
    };
    let (mib, kib) = (text(1 << 20), text(100 << 10));
    let sizes = [mib.len(), kib.len()];
    round_trip(
        C,
        store,
        vec![renamed(t0(), mib), renamed(t0(), kib)],
        |i| format!("a text of {} bytes", sizes.get(i).copied().unwrap_or(0)),
    )
}

/// Instants come back to the nanosecond, at the ends of chrono's range
/// too, and so do durations with a fraction of a second (credit
/// downtime): a store that rounds instants to seconds or milliseconds, or
/// writes durations in whole seconds, fails.
///
/// # Errors
/// [`ConformanceFailure`] naming the check and what the store did wrong.
pub fn sub_second_precision_round_trips(store: &mut dyn Store) -> Result<(), ConformanceFailure> {
    const C: &str = "sub_second_precision_round_trips";
    let ns = Duration::nanoseconds;
    let instants = [
        t0() + ns(1),
        t0() + ns(999_999_999),
        t0() + ns(100_000_000),
        t0() + ns(123_456_000),
        t0() + ns(123_456_789),
        DateTime::<Utc>::UNIX_EPOCH - ns(1),
        DateTime::<Utc>::MIN_UTC,
        DateTime::<Utc>::MAX_UTC,
    ];
    let mut events: Vec<Event> = instants
        .iter()
        .map(|&at| renamed(at, format!("renamed at {at:?}")))
        .collect();
    let downtimes = [
        (ns(1_500_000_000), ns(1), Duration::zero()),
        (Duration::MAX, Duration::MIN, ns(-1)),
    ];
    let (Ok(currency), Ok(reason)) = (Currency::new("USD"), ReasonCode::new("sla-outage")) else {
        return Err(super::fail(C, "could not build a sample credit"));
    };
    for (major, partial, degraded) in downtimes {
        events.push(Event::Incident(IncidentEvent {
            at: t0() + ns(7),
            kind: IncidentEventKind::CreditIssued {
                credit: Credit {
                    customer: CustomerId::from_uuid(uuid::Uuid::from_u128(2)),
                    downtime: Downtime {
                        major,
                        partial,
                        degraded,
                    },
                    amount: Money { minor: 1, currency },
                    reason: reason.clone(),
                },
            },
        }));
    }
    let labels: Vec<String> = instants
        .iter()
        .map(|t| format!("the instant {t:?}"))
        .chain(
            downtimes
                .iter()
                .map(|d| format!("a credit for downtime {d:?}")),
        )
        .collect();
    round_trip(C, store, events, |i| {
        labels.get(i).cloned().unwrap_or_default()
    })
}

/// Texts in the scripts and forms people write in come back byte for
/// byte: emoji (with skin tones, families joined by zero-width joiners,
/// flags), Chinese, Japanese and Korean, combining marks (not
/// normalised), right-to-left text and its controls, the characters JSON
/// escapes, and the ends of Unicode; and the names of integrations and
/// the command keys stamped on events likewise.
///
/// # Errors
/// [`ConformanceFailure`] naming the check and what the store did wrong.
pub fn non_ascii_text_round_trips(store: &mut dyn Store) -> Result<(), ConformanceFailure> {
    const C: &str = "non_ascii_text_round_trips";
    const TEXTS: [&str; 9] = [
        "Zoë 🦀 👍🏽 👩‍👩‍👧‍👦 🇳🇿 🏳️‍🌈",
        "客服中心 サポートセンター 고객 지원",
        // Decomposed: e + combining acute, a + diaeresis + dot below.
        "Cafe\u{301} a\u{308}\u{323} Z\u{335}a\u{336}",
        "مرحبا بالعالم שלום עולם \u{200F}\u{202E}abc\u{202C}",
        "quote \" backslash \\ newline \n tab \t nul \u{0} bell \u{7}",
        "\u{2028}\u{2029}\u{FEFF}\u{FFFD}",
        "\u{10FFFF}\u{1F600}\u{E000}",
        "Ελληνικά Кириллица ქართული हिन्दी ไทย",
        "",
    ];
    round_trip(
        C,
        store,
        TEXTS.iter().map(|&t| renamed(t0(), t)).collect(),
        |i| format!("the text {:?}", TEXTS.get(i).copied().unwrap_or_default()),
    )?;
    // Who did it and the key of the command are text too.
    const NAMES: [(&str, &str); 3] = [
        ("客服-网关", "msg-<客服@例え.jp>"),
        ("crm-Zoë-🦀", "🦀-1-e\u{301}"),
        ("בוט-תמיכה", "מפתח-\u{200F}-1"),
    ];
    let s = StreamId::Customer(CustomerId::from_uuid(uuid::Uuid::from_u128(2)));
    let mut w = write(s, 0, (0..3).map(sample).collect());
    for (e, (actor, key)) in w.events.iter_mut().zip(NAMES) {
        e.actor = Some(Actor::integration(actor));
        e.command =
            Some(CommandKey::new(key).map_err(|e| super::fail(C, format!("sample key: {e}")))?);
    }
    let sent: Vec<_> = w
        .events
        .iter()
        .map(|e| (e.actor.clone(), e.command.clone()))
        .collect();
    io(C, store.append(&[w]))?;
    let got: Vec<_> = io(C, store.read_stream(&s, 0))?
        .into_iter()
        .map(|r| (r.actor, r.command))
        .collect();
    ensure(C, got == sent, || {
        format!("actors and command keys written {sent:?}, read {got:?}")
    })
}

/// Every kind of stream, all with the same UUID, written and read back
/// as distinct streams: a store that keys two kinds alike (the SLA record
/// of a ticket and the ticket, say) fails.
///
/// # Errors
/// [`ConformanceFailure`] naming the check and what the store did wrong.
pub fn every_stream_kind_is_its_own_stream(
    store: &mut dyn Store,
) -> Result<(), ConformanceFailure> {
    const C: &str = "every_stream_kind_is_its_own_stream";
    let kinds = every_kind(uuid::Uuid::from_u128(0x5EED));
    // Stream i holds i + 1 events: counts differ as well as contents.
    let mut n = 0u64;
    let mut expected: Vec<(StreamId, Vec<Event>)> = Vec::new();
    for (s, i) in kinds.iter().zip(1u64..) {
        let events: Vec<Event> = (n..n + i).map(sample).collect();
        n += i;
        io(C, store.append(&[write(*s, 0, events.clone())]))
            .map_err(|f| super::fail(C, format!("writing {s}: {}", f.detail)))?;
        expected.push((*s, events));
    }
    for (s, events) in &expected {
        let read = io(C, store.read_stream(s, 0))?;
        let got: Vec<&Event> = read.iter().map(|r| &r.event).collect();
        let want: Vec<&Event> = events.iter().collect();
        ensure(C, got == want, || {
            format!(
                "stream {s} read {} events, not its own {}",
                got.len(),
                want.len()
            )
        })?;
        ensure(C, read.iter().all(|r| r.stream == *s), || {
            format!("stream {s} returned events of another stream")
        })?;
        let version = io(C, store.stream_version(s))?;
        ensure(C, u64::try_from(events.len()).ok() == Some(version), || {
            format!("stream {s} is at version {version}")
        })?;
    }
    let log = io(C, store.read_all(0, usize::try_from(n).unwrap_or(0)))?;
    let streams: Vec<StreamId> = log.iter().map(|r: &RecordedEvent| r.stream).collect();
    let want: Vec<StreamId> = expected
        .iter()
        .flat_map(|(s, e)| std::iter::repeat_n(*s, e.len()))
        .collect();
    ensure(C, streams == want, || {
        "read_all does not name each event's own stream".into()
    })
}

/// One stream of every kind, all with the UUID `u` where the kind has
/// one. The match keeps the list whole: a new kind of stream does not
/// compile until it is added here.
pub(super) fn every_kind(u: uuid::Uuid) -> Vec<StreamId> {
    let all = vec![
        StreamId::Customer(CustomerId::from_uuid(u)),
        StreamId::Agent(AgentId::from_uuid(u)),
        StreamId::Team(TeamId::from_uuid(u)),
        StreamId::Ticket(TicketId::from_uuid(u)),
        StreamId::Outbox,
        StreamId::Sla(TicketId::from_uuid(u)),
        StreamId::Surveys,
        StreamId::Recognition,
        StreamId::Coaching,
        StreamId::Posts,
        StreamId::Crisis,
        StreamId::Channels,
        StreamId::Incident(IncidentId::from_uuid(u)),
        StreamId::Trends,
        StreamId::Command(CommandId::from_uuid(u)),
        StreamId::Contract(CustomerId::from_uuid(u)),
        StreamId::Refund(crate::id::RefundId::from_uuid(u)),
        StreamId::Message(MessageId::from_uuid(u)),
        StreamId::Invitations(ContactId::from_uuid(u)),
        StreamId::Praise(PraiseId::from_uuid(u)),
        StreamId::Mistakes(AgentId::from_uuid(u)),
        StreamId::Archive(CustomerId::from_uuid(u)),
        StreamId::Permissions,
        StreamId::Fields,
        StreamId::Triage(crate::id::TicketId::from_uuid(u)),
        StreamId::Rules,
    ];
    for s in &all {
        match s {
            StreamId::Customer(_)
            | StreamId::Agent(_)
            | StreamId::Team(_)
            | StreamId::Ticket(_)
            | StreamId::Outbox
            | StreamId::Sla(_)
            | StreamId::Surveys
            | StreamId::Recognition
            | StreamId::Coaching
            | StreamId::Posts
            | StreamId::Crisis
            | StreamId::Channels
            | StreamId::Incident(_)
            | StreamId::Trends
            | StreamId::Command(_)
            | StreamId::Contract(_)
            | StreamId::Refund(_)
            | StreamId::Message(_)
            | StreamId::Invitations(_)
            | StreamId::Praise(_)
            | StreamId::Mistakes(_)
            | StreamId::Archive(_)
            | StreamId::Permissions
            | StreamId::Triage(_) => {}
            StreamId::Fields | StreamId::Rules => {}
        }
    }
    all
}
