//! The store conformance suite: the behaviour every [`Store`] must have.
//!
//! Each check takes a fresh, empty store and returns `Ok(())` or a
//! [`ConformanceFailure`] naming the check and what differed; nothing
//! panics, so the suite can run in a test, a health check or a benchmark
//! harness. Every check makes a bounded number of calls, so a broken store
//! (one whose reads never run out, say) fails instead of hanging.
//! [`run_all`] runs every check of [`CHECKS`] on a fresh store each;
//! [`Suite`] adds the checks that need the backend's help: reopening a
//! store ([`Suite::reopen`]) and a second handle on it
//! ([`Suite::second_handle`]). A store that keeps snapshots
//! ([`super::SnapshotStore`]) runs [`run_snapshots`] as well.
//!
//! Enable with the `conformance` feature in another crate:
//!
//! ```toml
//! [dev-dependencies]
//! fanatical = { version = "0.1", features = ["conformance"] }
//! ```
//!
//! # Example
//! ```
//! use fanatical::store::{conformance, MemoryStore};
//!
//! // Every failure, each naming its check, or what ran and what could not.
//! let report = conformance::run_all(MemoryStore::new)?;
//! assert!(report.passed.contains(&"sub_second_precision_round_trips"));
//! // A memory store has no notion of reopening, nor of a second handle.
//! assert_eq!(report.skipped, ["survives_reopening", "two_handles_write_at_once"]);
//! # Ok::<(), Vec<conformance::ConformanceFailure>>(())
//! ```

use chrono::{DateTime, Duration, TimeZone, Utc};

use super::{ExpectedVersion, RecordedEvent, Store, StoreError, StreamWrite};
use crate::customer::{CustomerEvent, CustomerEventKind};
use crate::event::{Event, StreamId};
use crate::id::CustomerId;

// The checks of what is kept (text, time, stream kinds) and the suite
// runner with its hooked checks live in their own files.
mod erasure;
mod fidelity;
mod lease;
mod snapshots;
mod suite;

pub use erasure::erasure_redacts_in_place;
pub use fidelity::{
    every_stream_kind_is_its_own_stream, long_text_round_trips, non_ascii_text_round_trips,
    sub_second_precision_round_trips,
};
pub use lease::{
    LEASE_CHECKS, LeaseCheck, a_finished_lease_is_for_good, a_live_lease_is_held_from_others,
    a_lost_lease_cannot_finish_or_release, a_released_lease_is_free_at_once,
    an_ended_lease_goes_to_another, leases_are_per_message, leases_hold_across_handles,
    run_lease_checks, the_holder_renews_its_lease,
};
pub use snapshots::{
    SNAPSHOT_CHECKS, SampleState, SnapshotCheck, SnapshotCheckStore, erasure_drops_snapshots,
    latest_snapshot_wins, run_snapshots, snapshot_round_trips,
};
pub use suite::{
    ConformanceReport, SURVIVES_REOPENING, Suite, TWO_HANDLES_WRITE_AT_ONCE, survives_reopening,
    two_handles_write_at_once,
};

/// A check that did not hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConformanceFailure {
    /// The check's name.
    pub check: &'static str,
    /// What was expected and what happened.
    pub detail: String,
}

impl std::fmt::Display for ConformanceFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "store conformance check {} failed: {}",
            self.check, self.detail
        )
    }
}

impl std::error::Error for ConformanceFailure {}

/// One check of the suite.
pub type Check = fn(&mut dyn Store) -> Result<(), ConformanceFailure>;

/// Every check, by name.
pub const CHECKS: &[(&str, Check)] = &[
    ("empty_store_reads_nothing", empty_store_reads_nothing),
    ("append_then_read_in_order", append_then_read_in_order),
    (
        "versions_per_stream_positions_global",
        versions_per_stream_positions_global,
    ),
    (
        "stale_version_conflicts_and_writes_nothing",
        stale_version_conflicts_and_writes_nothing,
    ),
    ("any_version_always_appends", any_version_always_appends),
    ("streams_are_isolated", streams_are_isolated),
    ("read_stream_after_version", read_stream_after_version),
    (
        "read_all_after_position_with_limit",
        read_all_after_position_with_limit,
    ),
    (
        "failed_batch_leaves_nothing_behind",
        failed_batch_leaves_nothing_behind,
    ),
    (
        "duplicate_stream_in_batch_is_rejected",
        duplicate_stream_in_batch_is_rejected,
    ),
    (
        "empty_write_checks_version_only",
        empty_write_checks_version_only,
    ),
    ("large_stream_round_trips", large_stream_round_trips),
    ("schema_version_round_trips", schema_version_round_trips),
    ("actor_and_command_round_trip", actor_and_command_round_trip),
    // What is kept is what was given (fidelity.rs).
    ("long_text_round_trips", long_text_round_trips),
    (
        "sub_second_precision_round_trips",
        sub_second_precision_round_trips,
    ),
    ("non_ascii_text_round_trips", non_ascii_text_round_trips),
    (
        "every_stream_kind_is_its_own_stream",
        every_stream_kind_is_its_own_stream,
    ),
    // An erased person is redacted in place (erasure.rs).
    ("erasure_redacts_in_place", erasure_redacts_in_place),
];

/// Runs every check of [`CHECKS`], each on a store from `fresh`: the
/// checks that need a hook are reported skipped (see [`Suite`]).
///
/// # Errors
/// The failures, one per failing check.
pub fn run_all<S: Store>(
    fresh: impl FnMut() -> S,
) -> Result<ConformanceReport, Vec<ConformanceFailure>> {
    Suite::new(fresh).run()
}

fn fail(check: &'static str, detail: impl Into<String>) -> ConformanceFailure {
    ConformanceFailure {
        check,
        detail: detail.into(),
    }
}

fn ensure(
    check: &'static str,
    ok: bool,
    detail: impl FnOnce() -> String,
) -> Result<(), ConformanceFailure> {
    if ok {
        Ok(())
    } else {
        Err(fail(check, detail()))
    }
}

fn io<T>(check: &'static str, r: Result<T, StoreError>) -> Result<T, ConformanceFailure> {
    r.map_err(|e| fail(check, format!("unexpected store error: {e}")))
}

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
        .single()
        .unwrap_or(DateTime::<Utc>::UNIX_EPOCH)
}

fn stream(n: u128) -> StreamId {
    StreamId::Customer(CustomerId::from_uuid(uuid::Uuid::from_u128(n)))
}

/// A distinguishable sample event.
fn sample(n: u64) -> Event {
    Event::Customer(CustomerEvent {
        at: t0() + Duration::seconds(i64::try_from(n).unwrap_or(0)),
        kind: CustomerEventKind::OrganisationRenamed {
            name: format!("organisation {n}"),
        },
    })
}

fn samples(range: std::ops::Range<u64>) -> Vec<Event> {
    range.map(sample).collect()
}

fn write(s: StreamId, expected: u64, events: Vec<Event>) -> StreamWrite {
    StreamWrite::new(s, ExpectedVersion::Exact(expected), events)
}

fn all(store: &dyn Store) -> Result<Vec<RecordedEvent>, StoreError> {
    store.read_all(0, usize::MAX)
}

/// A new store has no events and no stream versions.
///
/// # Errors
/// [`ConformanceFailure`] naming the check and what the store did wrong.
pub fn empty_store_reads_nothing(store: &mut dyn Store) -> Result<(), ConformanceFailure> {
    const C: &str = "empty_store_reads_nothing";
    ensure(C, io(C, all(store))?.is_empty(), || {
        "read_all returned events".into()
    })?;
    ensure(
        C,
        io(C, store.read_stream(&stream(1), 0))?.is_empty(),
        || "read_stream of an unknown stream returned events".into(),
    )?;
    ensure(C, io(C, store.stream_version(&stream(1)))? == 0, || {
        "unknown stream has a version other than 0".into()
    })
}

/// Appended events come back equal, with versions and positions from 1.
///
/// # Errors
/// [`ConformanceFailure`] naming the check and what the store did wrong.
pub fn append_then_read_in_order(store: &mut dyn Store) -> Result<(), ConformanceFailure> {
    const C: &str = "append_then_read_in_order";
    let w = write(stream(1), 0, samples(0..3));
    let returned = io(C, store.append(std::slice::from_ref(&w)))?;
    let read = io(C, store.read_stream(&stream(1), 0))?;
    ensure(C, returned == read, || {
        format!("append returned {returned:?}, read {read:?}")
    })?;
    ensure(C, read.len() == 3, || {
        format!("read {} events, expected 3", read.len())
    })?;
    for ((r, n), i) in read.iter().zip(&w.events).zip(1u64..) {
        ensure(C, r.event == n.event && r.id == n.id, || {
            format!("event {i} came back different")
        })?;
        ensure(
            C,
            r.version == i && r.position == i && r.stream == stream(1),
            || {
                format!(
                    "event {i} has version {} position {}",
                    r.version, r.position
                )
            },
        )?;
    }
    ensure(C, io(C, store.stream_version(&stream(1)))? == 3, || {
        "stream_version is not 3".into()
    })
}

/// Versions count per stream; positions count across the store.
///
/// # Errors
/// [`ConformanceFailure`] naming the check and what the store did wrong.
pub fn versions_per_stream_positions_global(
    store: &mut dyn Store,
) -> Result<(), ConformanceFailure> {
    const C: &str = "versions_per_stream_positions_global";
    io(C, store.append(&[write(stream(1), 0, samples(0..2))]))?;
    io(C, store.append(&[write(stream(2), 0, samples(2..3))]))?;
    io(
        C,
        store.append(&[
            write(stream(1), 2, samples(3..4)),
            write(stream(2), 1, samples(4..5)),
        ]),
    )?;
    let log = io(C, all(store))?;
    let got: Vec<(StreamId, u64, u64)> = log
        .iter()
        .map(|r| (r.stream, r.version, r.position))
        .collect();
    let want = vec![
        (stream(1), 1, 1),
        (stream(1), 2, 2),
        (stream(2), 1, 3),
        (stream(1), 3, 4),
        (stream(2), 2, 5),
    ];
    ensure(C, got == want, || format!("got {got:?}, want {want:?}"))
}

/// A stale expected version is a conflict naming the stream and its actual
/// version, and nothing is written.
///
/// # Errors
/// [`ConformanceFailure`] naming the check and what the store did wrong.
pub fn stale_version_conflicts_and_writes_nothing(
    store: &mut dyn Store,
) -> Result<(), ConformanceFailure> {
    const C: &str = "stale_version_conflicts_and_writes_nothing";
    io(C, store.append(&[write(stream(1), 0, samples(0..2))]))?;
    for stale in [0, 1, 3] {
        let r = store.append(&[write(stream(1), stale, samples(10..11))]);
        let want = StoreError::Conflict {
            stream: stream(1),
            expected: ExpectedVersion::Exact(stale),
            actual: 2,
        };
        ensure(C, r.as_ref().err() == Some(&want), || {
            format!("expected {want:?} for expected version {stale}, got {r:?}")
        })?;
    }
    ensure(C, io(C, all(store))?.len() == 2, || {
        "a conflicting append wrote events".into()
    })
}

/// `ExpectedVersion::Any` appends at whatever version the stream is.
///
/// # Errors
/// [`ConformanceFailure`] naming the check and what the store did wrong.
pub fn any_version_always_appends(store: &mut dyn Store) -> Result<(), ConformanceFailure> {
    const C: &str = "any_version_always_appends";
    io(C, store.append(&[write(stream(1), 0, samples(0..2))]))?;
    let w = StreamWrite {
        stream: stream(1),
        expected: ExpectedVersion::Any,
        events: write(stream(1), 2, samples(2..3)).events,
    };
    let r = io(C, store.append(&[w]))?;
    ensure(C, r.first().map(|e| e.version) == Some(3), || {
        format!("got {r:?}")
    })
}

/// Writing one stream never changes another of its kind, even when their
/// UUIDs differ in one bit only, at either end (a store that keys streams
/// by part of the UUID fails). Streams of different kinds are
/// [`every_stream_kind_is_its_own_stream`]'s.
///
/// # Errors
/// [`ConformanceFailure`] naming the check and what the store did wrong.
pub fn streams_are_isolated(store: &mut dyn Store) -> Result<(), ConformanceFailure> {
    const C: &str = "streams_are_isolated";
    let streams = [
        stream(1),
        stream(1 | 1 << 127),
        stream(1 | 1 << 64),
        stream(3),
    ];
    let mut n = 0;
    for (s, count) in streams.iter().zip(1u64..) {
        io(C, store.append(&[write(*s, 0, samples(n..n + count))]))?;
        n += count;
    }
    let mut n = 0;
    for (s, count) in streams.iter().zip(1u64..) {
        let read = io(C, store.read_stream(s, 0))?;
        let got: Vec<&Event> = read.iter().map(|r| &r.event).collect();
        let want = samples(n..n + count);
        n += count;
        ensure(C, got.iter().copied().eq(want.iter()), || {
            format!("stream {s} holds {} events, not its own {count}", got.len())
        })?;
        ensure(C, read.iter().all(|e| e.stream == *s), || {
            format!("stream {s} returned an event of another stream")
        })?;
        ensure(C, io(C, store.stream_version(s))? == count, || {
            format!("stream {s} is not at version {count}")
        })?;
    }
    Ok(())
}

/// `read_stream` starts after the version given.
///
/// # Errors
/// [`ConformanceFailure`] naming the check and what the store did wrong.
pub fn read_stream_after_version(store: &mut dyn Store) -> Result<(), ConformanceFailure> {
    const C: &str = "read_stream_after_version";
    io(C, store.append(&[write(stream(1), 0, samples(0..5))]))?;
    let tail = io(C, store.read_stream(&stream(1), 3))?;
    let versions: Vec<u64> = tail.iter().map(|e| e.version).collect();
    ensure(C, versions == vec![4, 5], || {
        format!("after 3 got versions {versions:?}")
    })?;
    ensure(
        C,
        io(C, store.read_stream(&stream(1), 5))?.is_empty(),
        || "reading after the last version returned events".into(),
    )?;
    ensure(
        C,
        io(C, store.read_stream(&stream(1), 99))?.is_empty(),
        || "reading past the end returned events".into(),
    )
}

/// `read_all` pages through the whole store in position order, and
/// `read_all_lent` gives the same pages.
///
/// # Errors
/// [`ConformanceFailure`] naming the check and what the store did wrong.
pub fn read_all_after_position_with_limit(store: &mut dyn Store) -> Result<(), ConformanceFailure> {
    const C: &str = "read_all_after_position_with_limit";
    for i in 0..10u64 {
        let s = stream(u128::from(i % 3));
        let v = io(C, store.stream_version(&s))?;
        io(C, store.append(&[write(s, v, samples(i..i + 1))]))?;
    }
    // Ten events in pages of three: four pages and an empty one. A store
    // whose pages never run out fails at the cap instead of looping.
    const MAX_PAGES: usize = 10;
    let mut after = 0;
    let mut positions = Vec::new();
    for page_no in 0.. {
        ensure(C, page_no < MAX_PAGES, || {
            format!("read_all still returns events after {MAX_PAGES} pages of 3 (of 10 events)")
        })?;
        let page = io(C, store.read_all(after, 3))?;
        ensure(C, page.len() <= 3, || {
            format!("page of {} over limit 3", page.len())
        })?;
        let mut previous = after;
        for e in &page {
            ensure(C, e.position > previous, || {
                format!(
                    "read_all after {after} returned position {} after {previous}",
                    e.position
                )
            })?;
            previous = e.position;
        }
        let Some(last) = page.last() else { break };
        after = last.position;
        positions.extend(page.iter().map(|e| e.position));
    }
    let want: Vec<u64> = (1..=10).collect();
    ensure(C, positions == want, || {
        format!("paged positions {positions:?}")
    })?;
    ensure(C, io(C, store.read_all(10, 5))?.is_empty(), || {
        "events after the end".into()
    })?;
    // `read_all_lent` (what a desk catches up with) gives the same pages.
    for after in [0, 1, 4, 9, 10, 11, u64::MAX] {
        for limit in [0, 1, 3, 10, usize::MAX] {
            let copied = io(C, store.read_all(after, limit))?;
            let lent = io(C, store.read_all_lent(after, limit))?;
            ensure(C, *lent == *copied, || {
                format!(
                    "read_all_lent({after}, {limit}) gave {} events where read_all gave {}",
                    lent.len(),
                    copied.len()
                )
            })?;
        }
    }
    ensure(C, io(C, store.read_all(0, 0))?.is_empty(), || {
        "limit 0 returned events".into()
    })
}

/// A batch with one bad write stores none of its writes, and the next
/// append continues the positions as if it had never been tried.
///
/// # Errors
/// [`ConformanceFailure`] naming the check and what the store did wrong.
pub fn failed_batch_leaves_nothing_behind(store: &mut dyn Store) -> Result<(), ConformanceFailure> {
    const C: &str = "failed_batch_leaves_nothing_behind";
    io(C, store.append(&[write(stream(2), 0, samples(0..1))]))?;
    let r = store.append(&[
        write(stream(1), 0, samples(1..4)),
        write(stream(2), 0, samples(4..5)),
    ]);
    ensure(C, matches!(r, Err(StoreError::Conflict { .. })), || {
        format!("expected a conflict, got {r:?}")
    })?;
    ensure(
        C,
        io(C, store.read_stream(&stream(1), 0))?.is_empty(),
        || "the good write of a failed batch was stored".into(),
    )?;
    ensure(C, io(C, store.stream_version(&stream(1)))? == 0, || {
        "the failed batch moved a stream version".into()
    })?;
    let next = io(C, store.append(&[write(stream(1), 0, samples(5..6))]))?;
    ensure(C, next.first().map(|e| e.position) == Some(2), || {
        format!("the failed batch moved the global position: {next:?}")
    })
}

/// One batch may not write a stream twice.
///
/// # Errors
/// [`ConformanceFailure`] naming the check and what the store did wrong.
pub fn duplicate_stream_in_batch_is_rejected(
    store: &mut dyn Store,
) -> Result<(), ConformanceFailure> {
    const C: &str = "duplicate_stream_in_batch_is_rejected";
    let r = store.append(&[
        write(stream(1), 0, samples(0..1)),
        write(stream(1), 1, samples(1..2)),
    ]);
    ensure(
        C,
        r.as_ref().err() == Some(&StoreError::DuplicateStreamInBatch(stream(1))),
        || format!("got {r:?}"),
    )?;
    ensure(C, io(C, all(store))?.is_empty(), || {
        "a rejected batch wrote events".into()
    })
}

/// A write with no events stores nothing but still checks its version, so
/// a decision can depend on a stream it does not change.
///
/// # Errors
/// [`ConformanceFailure`] naming the check and what the store did wrong.
pub fn empty_write_checks_version_only(store: &mut dyn Store) -> Result<(), ConformanceFailure> {
    const C: &str = "empty_write_checks_version_only";
    io(C, store.append(&[write(stream(1), 0, samples(0..1))]))?;
    let ok = io(
        C,
        store.append(&[
            write(stream(1), 1, vec![]),
            write(stream(2), 0, samples(1..2)),
        ]),
    )?;
    ensure(C, ok.len() == 1, || format!("stored {ok:?}"))?;
    let stale = store.append(&[
        write(stream(1), 0, vec![]),
        write(stream(3), 0, samples(2..3)),
    ]);
    ensure(C, matches!(stale, Err(StoreError::Conflict { .. })), || {
        format!("a stale empty write did not conflict: {stale:?}")
    })?;
    ensure(
        C,
        io(C, store.read_stream(&stream(3), 0))?.is_empty(),
        || "a batch failing on an empty write stored events".into(),
    )
}

/// A stream of thousands of events round-trips (reading after a version
/// is [`read_stream_after_version`]'s).
///
/// # Errors
/// [`ConformanceFailure`] naming the check and what the store did wrong.
pub fn large_stream_round_trips(store: &mut dyn Store) -> Result<(), ConformanceFailure> {
    const C: &str = "large_stream_round_trips";
    const N: u64 = 5_000;
    // Half in one batch, half in batches of 100.
    io(C, store.append(&[write(stream(1), 0, samples(0..N / 2))]))?;
    let mut v = N / 2;
    while v < N {
        io(C, store.append(&[write(stream(1), v, samples(v..v + 100))]))?;
        v += 100;
    }
    let read = io(C, store.read_stream(&stream(1), 0))?;
    ensure(C, u64::try_from(read.len()).ok() == Some(N), || {
        format!("read {} of {N} events", read.len())
    })?;
    for (r, i) in read.iter().zip(0u64..) {
        ensure(C, r.event == sample(i) && r.version == i + 1, || {
            format!("event at version {} differs", i + 1)
        })?;
    }
    Ok(())
}

/// Each event comes back with the schema version it was appended in, and
/// its id.
///
/// # Errors
/// [`ConformanceFailure`] naming the check and what the store did wrong.
pub fn schema_version_round_trips(store: &mut dyn Store) -> Result<(), ConformanceFailure> {
    const C: &str = "schema_version_round_trips";
    let mut w = write(stream(1), 0, samples(0..3));
    // As if written before events carried a version.
    if let Some(e) = w.events.first_mut() {
        e.schema = 0;
    }
    let sent: Vec<(crate::id::EventId, u32)> = w.events.iter().map(|e| (e.id, e.schema)).collect();
    io(C, store.append(&[w]))?;
    let got: Vec<(crate::id::EventId, u32)> = io(C, store.read_all(0, 10))?
        .iter()
        .map(|r| (r.id, r.schema))
        .collect();
    ensure(C, got == sent, || {
        format!("appended {sent:?}, read {got:?}")
    })
}

/// Each event comes back with the actor and the command key it was
/// appended with, including none.
///
/// # Errors
/// [`ConformanceFailure`] naming the check and what the store did wrong.
pub fn actor_and_command_round_trip(store: &mut dyn Store) -> Result<(), ConformanceFailure> {
    use crate::actor::{Actor, Cause, CommandKey, TimerKind};
    const C: &str = "actor_and_command_round_trip";
    let mut w = write(stream(1), 0, samples(0..4));
    let stamps = [
        (
            Some(Actor::Agent(crate::id::AgentId::from_uuid(
                uuid::Uuid::from_u128(7),
            ))),
            CommandKey::new("reply-1").ok(),
        ),
        (Some(Actor::System(Cause::Timer(TimerKind::Sla))), None),
        (
            Some(Actor::integration("mail-gateway")),
            CommandKey::new("msg-<a1@b>").ok(),
        ),
        (None, None),
    ];
    for (e, (actor, command)) in w.events.iter_mut().zip(stamps) {
        e.actor = actor;
        e.command = command;
    }
    let sent: Vec<_> = w
        .events
        .iter()
        .map(|e| (e.id, e.actor.clone(), e.command.clone()))
        .collect();
    io(C, store.append(&[w]))?;
    let got: Vec<_> = io(C, store.read_all(0, 10))?
        .into_iter()
        .map(|r| (r.id, r.actor, r.command))
        .collect();
    ensure(C, got == sent, || {
        format!("appended {sent:?}, read {got:?}")
    })
}
