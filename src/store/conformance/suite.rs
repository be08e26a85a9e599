//! Running the suite, and the checks that need more than one fresh store:
//! durability across reopening, and two handles on one store writing at
//! once. A backend opts in to each by giving the suite a way to do it.

use std::fmt;

use super::{CHECKS, ConformanceFailure, ensure, fail, io, samples, stream, write};
use crate::event::Event;
use crate::store::{RecordedEvent, Store, StoreError};

/// The name of the check run with [`Suite::reopen`].
pub const SURVIVES_REOPENING: &str = "survives_reopening";
/// The name of the check run with [`Suite::second_handle`].
pub const TWO_HANDLES_WRITE_AT_ONCE: &str = "two_handles_write_at_once";

/// What a run of the suite did: the checks that held, and the ones it
/// could not run because the backend gave no way to (see
/// [`Suite::reopen`] and [`Suite::second_handle`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ConformanceReport {
    /// The checks that held, in the order they ran.
    pub passed: Vec<&'static str>,
    /// The checks not run, for want of a hook.
    pub skipped: Vec<&'static str>,
}

impl fmt::Display for ConformanceReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} store conformance checks passed", self.passed.len())?;
        if !self.skipped.is_empty() {
            write!(f, "; not run: {}", self.skipped.join(", "))?;
        }
        Ok(())
    }
}

type Reopen<'a, S> = Box<dyn FnMut(S) -> Result<S, StoreError> + 'a>;
type TwoHandles<'a, S> = Box<dyn FnMut(&mut S) -> Result<(), ConformanceFailure> + 'a>;

/// The whole suite for one backend: every check of [`CHECKS`] on a fresh
/// store each, and, when the backend says how, the checks that reopen a
/// store or open a second handle on it. [`run_all`](super::run_all) is
/// `Suite::new(fresh).run()`.
///
/// # Example
/// A store whose handles share one log (as connections share a database
/// file) gives the suite a second handle; `MemoryStore` alone has neither
/// hook, and the report says so.
/// ```
/// use std::sync::{Arc, Mutex};
/// use fanatical::event::StreamId;
/// use fanatical::store::conformance::{ConformanceFailure, Suite};
/// use fanatical::store::{Erasure, MemoryStore, RecordedEvent, Store, StoreError, StreamWrite};
///
/// #[derive(Clone, Default)]
/// struct Shared(Arc<Mutex<MemoryStore>>);
///
/// impl Shared {
///     fn lock(&self) -> Result<std::sync::MutexGuard<'_, MemoryStore>, StoreError> {
///         self.0.lock().map_err(|_| StoreError::backend_message("poisoned"))
///     }
/// }
///
/// impl Store for Shared {
///     fn append(&mut self, batch: &[StreamWrite]) -> Result<Vec<RecordedEvent>, StoreError> {
///         self.lock()?.append(batch)
///     }
///     fn read_stream(&self, s: &StreamId, after: u64) -> Result<Vec<RecordedEvent>, StoreError> {
///         self.lock()?.read_stream(s, after)
///     }
///     fn read_all(&self, after: u64, limit: usize) -> Result<Vec<RecordedEvent>, StoreError> {
///         self.lock()?.read_all(after, limit)
///     }
///     fn append_erasing(&mut self, batch: &[StreamWrite], erasure: &Erasure) -> Result<Vec<RecordedEvent>, StoreError> {
///         self.lock()?.append_erasing(batch, erasure)
///     }
/// }
///
/// let report = Suite::new(Shared::default)
///     .second_handle(|store: &Shared| Ok(store.clone()))
///     .run()?;
/// assert_eq!(report.skipped, ["survives_reopening"]);
///
/// let report = fanatical::store::conformance::run_all(MemoryStore::new)?;
/// assert_eq!(report.skipped, ["survives_reopening", "two_handles_write_at_once"]);
/// # Ok::<(), Vec<ConformanceFailure>>(())
/// ```
pub struct Suite<'a, S> {
    fresh: Box<dyn FnMut() -> S + 'a>,
    reopen: Option<Reopen<'a, S>>,
    two_handles: Option<TwoHandles<'a, S>>,
}

impl<S> fmt::Debug for Suite<'_, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Suite")
            .field("reopen", &self.reopen.is_some())
            .field("second_handle", &self.two_handles.is_some())
            .finish_non_exhaustive()
    }
}

impl<'a, S: Store> Suite<'a, S> {
    /// The suite on stores from `fresh`, each new and empty.
    pub fn new(fresh: impl FnMut() -> S + 'a) -> Self {
        Suite {
            fresh: Box::new(fresh),
            reopen: None,
            two_handles: None,
        }
    }

    /// For a store that keeps its events beyond the handle (a file, a
    /// database): `reopen` closes the handle it is given and opens the
    /// same store again, and the suite runs [`survives_reopening`].
    #[must_use]
    pub fn reopen(mut self, reopen: impl FnMut(S) -> Result<S, StoreError> + 'a) -> Self {
        self.reopen = Some(Box::new(reopen));
        self
    }

    /// For a store that more than one handle can open at once (two
    /// connections to one database, two processes): `open` opens another
    /// handle on the store it is given, and the suite runs
    /// [`two_handles_write_at_once`], whose handles write from two threads.
    #[must_use]
    pub fn second_handle(mut self, mut open: impl FnMut(&S) -> Result<S, StoreError> + 'a) -> Self
    where
        S: Send,
    {
        self.two_handles = Some(Box::new(move |a: &mut S| {
            let mut b = open(a).map_err(|e| {
                fail(
                    TWO_HANDLES_WRITE_AT_ONCE,
                    format!("could not open a second handle: {e}"),
                )
            })?;
            two_handles_write_at_once(a, &mut b)
        }));
        self
    }

    /// Runs every check, each on a fresh store.
    ///
    /// # Errors
    /// Every failure, one per failing check.
    pub fn run(mut self) -> Result<ConformanceReport, Vec<ConformanceFailure>> {
        let mut passed = Vec::new();
        let mut skipped = Vec::new();
        let mut failures = Vec::new();
        let mut record = |name: &'static str, r: Result<(), ConformanceFailure>| match r {
            Ok(()) => passed.push(name),
            Err(f) => failures.push(f),
        };
        for (name, check) in CHECKS {
            let mut store = (self.fresh)();
            record(name, check(&mut store));
        }
        match &mut self.reopen {
            Some(reopen) => record(
                SURVIVES_REOPENING,
                survives_reopening((self.fresh)(), reopen),
            ),
            None => skipped.push(SURVIVES_REOPENING),
        }
        match &mut self.two_handles {
            Some(run) => {
                let mut store = (self.fresh)();
                record(TWO_HANDLES_WRITE_AT_ONCE, run(&mut store));
            }
            None => skipped.push(TWO_HANDLES_WRITE_AT_ONCE),
        }
        if failures.is_empty() {
            Ok(ConformanceReport { passed, skipped })
        } else {
            Err(failures)
        }
    }
}

fn everything(
    check: &'static str,
    store: &dyn Store,
) -> Result<Vec<RecordedEvent>, ConformanceFailure> {
    io(check, store.read_all(0, usize::MAX))
}

/// What was stored before a store was closed is there, unchanged, after
/// it is opened again, and writing carries on where it stopped: versions
/// and positions continue, and a stale version still conflicts.
///
/// # Errors
/// [`ConformanceFailure`] naming the check and what the store did wrong.
pub fn survives_reopening<S: Store>(
    store: S,
    reopen: &mut dyn FnMut(S) -> Result<S, StoreError>,
) -> Result<(), ConformanceFailure> {
    const C: &str = SURVIVES_REOPENING;
    let mut store = store;
    io(C, store.append(&[write(stream(1), 0, samples(0..3))]))?;
    io(
        C,
        store.append(&[
            write(stream(2), 0, samples(3..5)),
            write(stream(1), 3, samples(5..6)),
        ]),
    )?;
    let before = everything(C, &store)?;
    let mut store = reopen(store).map_err(|e| fail(C, format!("could not reopen: {e}")))?;
    let after = everything(C, &store)?;
    ensure(C, after == before, || {
        format!(
            "{} events before closing, {} after reopening, or they differ",
            before.len(),
            after.len()
        )
    })?;
    ensure(C, io(C, store.stream_version(&stream(1)))? == 4, || {
        "a stream's version did not survive reopening".into()
    })?;
    let stale = store.append(&[write(stream(1), 3, samples(6..7))]);
    ensure(C, matches!(stale, Err(StoreError::Conflict { .. })), || {
        format!("after reopening, a stale version did not conflict: {stale:?}")
    })?;
    io(C, store.append(&[write(stream(1), 4, samples(7..8))]))?;
    let mut store = reopen(store).map_err(|e| fail(C, format!("could not reopen: {e}")))?;
    let last = everything(C, &store)?;
    let got: Vec<(u64, u64)> = last.iter().map(|r| (r.version, r.position)).collect();
    let want = vec![(1, 1), (2, 2), (3, 3), (1, 4), (2, 5), (4, 6), (5, 7)];
    ensure(C, got == want, || {
        format!("after writing and reopening, (version, position) {got:?}, want {want:?}")
    })?;
    ensure(C, last.get(..6) == Some(&before[..]), || {
        "a second reopening changed earlier events".into()
    })?;
    // The handle still writes after the second reopening.
    io(C, store.append(&[write(stream(3), 0, samples(8..9))]))?;
    Ok(())
}

/// How many events each of two racing handles appends.
const RACE: u64 = 10;
/// How often a handle may lose the race for one append before the check
/// gives up: bounded, so a store that always conflicts fails, not hangs.
const ATTEMPTS: u32 = 1_000;

/// Two handles on one store: each sees what the other wrote; a write
/// based on a version the other has moved conflicts; and two threads
/// appending to one stream at once, each retrying its conflicts, lose
/// nothing and duplicate nothing, leaving versions and positions without
/// gaps.
///
/// # Errors
/// [`ConformanceFailure`] naming the check and what the store did wrong.
pub fn two_handles_write_at_once<S: Store + Send>(
    a: &mut S,
    b: &mut S,
) -> Result<(), ConformanceFailure> {
    const C: &str = TWO_HANDLES_WRITE_AT_ONCE;
    // Both read version 0; the first to write wins.
    ensure(
        C,
        io(C, a.stream_version(&stream(1)))? == 0 && io(C, b.stream_version(&stream(1)))? == 0,
        || "a new store has a stream".into(),
    )?;
    io(C, a.append(&[write(stream(1), 0, samples(0..1))]))?;
    let stale = b.append(&[write(stream(1), 0, samples(1..2))]);
    ensure(
        C,
        matches!(stale, Err(StoreError::Conflict { actual: 1, .. })),
        || format!("the second handle's stale write did not conflict at version 1: {stale:?}"),
    )?;
    io(C, b.append(&[write(stream(2), 0, samples(2..3))]))?;
    let (seen_a, seen_b) = (everything(C, a)?, everything(C, b)?);
    ensure(C, seen_a == seen_b && seen_a.len() == 2, || {
        format!(
            "the handles disagree: one reads {} events, the other {}",
            seen_a.len(),
            seen_b.len()
        )
    })?;
    // Now at once, on one stream, from two threads.
    let race = |store: &mut S, first: u64| -> Result<(), ConformanceFailure> {
        for n in first..first + RACE {
            let mut attempts = 0;
            loop {
                let v = io(C, store.stream_version(&stream(3)))?;
                match store.append(&[write(stream(3), v, samples(n..n + 1))]) {
                    Ok(_) => break,
                    Err(StoreError::Conflict { .. }) if attempts < ATTEMPTS => attempts += 1,
                    Err(e) => {
                        return Err(fail(C, format!("racing append of event {n} failed: {e}")));
                    }
                }
            }
        }
        Ok(())
    };
    let (ra, rb) = std::thread::scope(|scope| {
        let ta = scope.spawn(|| race(a, 100));
        let tb = scope.spawn(|| race(b, 200));
        let joined = |t: std::thread::ScopedJoinHandle<'_, Result<(), ConformanceFailure>>| {
            t.join()
                .unwrap_or_else(|_| Err(fail(C, "a racing handle panicked")))
        };
        (joined(ta), joined(tb))
    });
    ra?;
    rb?;
    let raced = io(C, a.read_stream(&stream(3), 0))?;
    let versions: Vec<u64> = raced.iter().map(|r| r.version).collect();
    let want: Vec<u64> = (1..=2 * RACE).collect();
    ensure(C, versions == want, || {
        format!("after the race the stream holds versions {versions:?}")
    })?;
    let mut got: Vec<&Event> = raced.iter().map(|r| &r.event).collect();
    let mut all_written: Vec<Event> = samples(100..100 + RACE);
    all_written.extend(samples(200..200 + RACE));
    got.sort_by_key(|e| format!("{e:?}"));
    all_written.sort_by_key(|e| format!("{e:?}"));
    ensure(C, got.iter().copied().eq(all_written.iter()), || {
        "after the race some events are missing or doubled".into()
    })?;
    // A write that landed at another version than it was decided at
    // carries the id of that version: a lost update.
    ensure(
        C,
        raced.iter().all(|r| r.id == r.stream.event_id(r.version)),
        || "after the race an event sits at a version it was not written for".into(),
    )?;
    let (log_a, log_b) = (everything(C, a)?, everything(C, b)?);
    let positions: Vec<u64> = log_a.iter().map(|r| r.position).collect();
    let want: Vec<u64> = (1..=2 + 2 * RACE).collect();
    ensure(C, positions == want, || {
        format!("after the race the store holds positions {positions:?}")
    })?;
    ensure(C, log_a == log_b, || {
        "after the race the handles read different logs".into()
    })
}
