//! The snapshot checks: a [`SnapshotStore`] keeps the latest snapshot,
//! gives it back as saved, and lets no erasure survive in one.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{ConformanceFailure, ensure, fail, io, samples, stream, t0, write};
use crate::customer::{ErasureScope, Forget};
use crate::id::{ContactId, CustomerId};
use crate::store::{Erasure, Fingerprint, Snapshot, SnapshotStore, Store, StoreError};

/// The state the snapshot checks save: text (non-ASCII included), a map,
/// an instant and an optional field, as a desk's state has. A store must
/// keep any serde-serialisable state; this one stands for them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SampleState {
    /// A label, different in each snapshot the checks save.
    pub label: String,
    /// Counts by name.
    pub counts: BTreeMap<String, u64>,
    /// An instant, with sub-second precision.
    pub at: chrono::DateTime<chrono::Utc>,
    /// Sometimes nothing.
    pub note: Option<String>,
}

/// A store that keeps snapshots of [`SampleState`] as well as events.
pub trait SnapshotCheckStore: Store + SnapshotStore<SampleState> {}

impl<S: Store + SnapshotStore<SampleState> + ?Sized> SnapshotCheckStore for S {}

/// One snapshot check.
pub type SnapshotCheck = fn(&mut dyn SnapshotCheckStore) -> Result<(), ConformanceFailure>;

/// Every snapshot check, by name.
pub const SNAPSHOT_CHECKS: &[(&str, SnapshotCheck)] = &[
    ("snapshot_round_trips", snapshot_round_trips),
    ("latest_snapshot_wins", latest_snapshot_wins),
    ("erasure_drops_snapshots", erasure_drops_snapshots),
];

/// Runs every check of [`SNAPSHOT_CHECKS`], each on a store from `fresh`.
///
/// # Errors
/// The failures, one per failing check.
///
/// ```
/// use fanatical::store::{conformance, MemoryStore};
/// conformance::run_snapshots(MemoryStore::new)?;
/// # Ok::<(), Vec<conformance::ConformanceFailure>>(())
/// ```
pub fn run_snapshots<S: Store + SnapshotStore<SampleState>>(
    mut fresh: impl FnMut() -> S,
) -> Result<Vec<&'static str>, Vec<ConformanceFailure>> {
    let mut failures = Vec::new();
    let mut passed = Vec::new();
    for (name, check) in SNAPSHOT_CHECKS {
        let mut store = fresh();
        match check(&mut store) {
            Ok(()) => passed.push(*name),
            Err(f) => failures.push(f),
        }
    }
    if failures.is_empty() {
        Ok(passed)
    } else {
        Err(failures)
    }
}

fn state(label: &str) -> SampleState {
    SampleState {
        label: label.to_owned(),
        counts: [("tickets".to_owned(), 3), ("Zoë's ☕".to_owned(), 1)]
            .into_iter()
            .collect(),
        at: t0() + chrono::Duration::nanoseconds(123_456_789),
        note: label
            .len()
            .is_multiple_of(2)
            .then(|| format!("{label}, noted")),
    }
}

fn snapshot(position: u64, label: &str) -> Snapshot<SampleState> {
    Snapshot::new(Fingerprint(0x5eed), position, state(label))
}

/// A store without snapshots loads none; a saved one comes back equal,
/// its metadata and state as saved.
///
/// # Errors
/// [`ConformanceFailure`] naming the check and what the store did wrong.
pub fn snapshot_round_trips(store: &mut dyn SnapshotCheckStore) -> Result<(), ConformanceFailure> {
    const C: &str = "snapshot_round_trips";
    let none = io(C, store.load_snapshot())?;
    ensure(C, none.is_none(), || {
        format!("a new store loaded a snapshot: {none:?}")
    })?;
    io(C, store.append(&[write(stream(1), 0, samples(0..3))]))?;
    let saved = snapshot(3, "at three");
    io(C, store.save_snapshot(&saved))?;
    let loaded = io(C, store.load_snapshot())?;
    ensure(C, loaded.as_ref() == Some(&saved), || {
        format!("saved {saved:?}, loaded {loaded:?}")
    })
}

/// The snapshot with the highest position is the one loaded, whatever the
/// order they were saved in; of two at one position, the later.
///
/// # Errors
/// [`ConformanceFailure`] naming the check and what the store did wrong.
pub fn latest_snapshot_wins(store: &mut dyn SnapshotCheckStore) -> Result<(), ConformanceFailure> {
    const C: &str = "latest_snapshot_wins";
    io(C, store.append(&[write(stream(1), 0, samples(0..5))]))?;
    io(C, store.save_snapshot(&snapshot(2, "two")))?;
    io(C, store.save_snapshot(&snapshot(4, "four")))?;
    io(C, store.save_snapshot(&snapshot(3, "three, late")))?;
    let loaded = io(C, store.load_snapshot())?.map(|s| (s.position, s.state.label));
    ensure(C, loaded == Some((4, "four".into())), || {
        format!("expected the snapshot at 4, loaded {loaded:?}")
    })?;
    io(C, store.save_snapshot(&snapshot(4, "four again")))?;
    let loaded = io(C, store.load_snapshot())?.map(|s| s.state.label);
    ensure(C, loaded.as_deref() == Some("four again"), || {
        format!("of two snapshots at 4 the later was not loaded: {loaded:?}")
    })
}

/// An erasure drops every snapshot in the same transaction, and a
/// snapshot folded before it is refused afterwards
/// ([`StoreError::StaleSnapshot`]); one at or after it is kept.
///
/// # Errors
/// [`ConformanceFailure`] naming the check and what the store did wrong.
pub fn erasure_drops_snapshots(
    store: &mut dyn SnapshotCheckStore,
) -> Result<(), ConformanceFailure> {
    const C: &str = "erasure_drops_snapshots";
    io(C, store.append(&[write(stream(1), 0, samples(0..3))]))?;
    io(C, store.save_snapshot(&snapshot(3, "before")))?;
    let erasure = Erasure::new(
        CustomerId::from_uuid(uuid::Uuid::from_u128(1)),
        ContactId::from_uuid(uuid::Uuid::from_u128(0x5A)),
        Forget::Contact(ErasureScope::Profile),
    );
    // A conflicting erasure erases nothing: the snapshot stays.
    let stale = store.append_erasing(&[write(stream(1), 0, samples(9..10))], &erasure);
    ensure(C, matches!(stale, Err(StoreError::Conflict { .. })), || {
        format!("a stale batch with an erasure did not conflict: {stale:?}")
    })?;
    let kept = io(C, store.load_snapshot())?.map(|s| s.position);
    ensure(C, kept == Some(3), || {
        format!("a conflicting erasure dropped the snapshot: {kept:?}")
    })?;
    let appended = io(
        C,
        store.append_erasing(&[write(stream(1), 3, samples(3..4))], &erasure),
    )?;
    let at = appended.first().map_or(0, |r| r.position);
    let after = io(C, store.load_snapshot())?;
    ensure(C, after.is_none(), || {
        format!("a snapshot survived an erasure: {after:?}")
    })?;
    match store.save_snapshot(&snapshot(3, "before, again")) {
        Err(StoreError::StaleSnapshot {
            position: 3,
            erased_at,
        }) if erased_at == at => {}
        other => {
            return Err(fail(
                C,
                format!(
                    "saving a snapshot at 3 after the erasure at {at}: expected \
                     StaleSnapshot {{ position: 3, erased_at: {at} }}, got {other:?}"
                ),
            ));
        }
    }
    io(C, store.save_snapshot(&snapshot(at, "after")))?;
    let loaded = io(C, store.load_snapshot())?.map(|s| s.position);
    ensure(C, loaded == Some(at), || {
        format!("a snapshot at the erasure's position {at} was not kept: {loaded:?}")
    })
}
