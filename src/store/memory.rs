use std::any::Any;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::lease::LeaseTable;
use super::{
    DeliveryLeases, Erasure, Lease, LeaseHolder, LeaseOutcome, RecordedEvent, Snapshot,
    SnapshotStore, Store, StoreError, StreamWrite,
};
use crate::event::StreamId;
use crate::id::MessageId;

/// The embedded default store: everything in memory, nothing persisted.
///
/// Appends cost O(events written · log streams); `read_stream` costs
/// O(log streams + events returned); `read_all` O(events returned).
///
/// Its `Debug` is a summary, not the events:
/// `MemoryStore { events: 3254, streams: 410, position: 3254 }`.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct MemoryStore {
    /// Every event in global order; position `p` is at index `p - 1`.
    log: Vec<RecordedEvent>,
    /// Each stream's events as indexes into `log`, in version order.
    streams: BTreeMap<StreamId, Vec<usize>>,
    /// Delivery leases ([`DeliveryLeases`]).
    leases: LeaseTable,
    /// The latest snapshot saved (any state type), and the position of the
    /// last erasure, before which no snapshot is kept.
    snapshots: Snapshots,
}

/// The snapshot a [`MemoryStore`] keeps: the value itself, shared.
#[derive(Clone, Default)]
struct Snapshots {
    latest: Option<(u64, Arc<dyn Any + Send + Sync>)>,
    erased_at: u64,
}

impl PartialEq for Snapshots {
    /// The same snapshot (by identity) and erasure position.
    fn eq(&self, other: &Self) -> bool {
        self.erased_at == other.erased_at
            && match (&self.latest, &other.latest) {
                (None, None) => true,
                (Some((p, a)), Some((q, b))) => p == q && Arc::ptr_eq(a, b),
                _ => false,
            }
    }
}

impl Eq for Snapshots {}

impl<S: Clone + Send + Sync + 'static> SnapshotStore<S> for MemoryStore {
    fn save_snapshot(&mut self, snapshot: &Snapshot<S>) -> Result<(), StoreError> {
        let s = &mut self.snapshots;
        if snapshot.position < s.erased_at {
            return Err(StoreError::StaleSnapshot {
                position: snapshot.position,
                erased_at: s.erased_at,
            });
        }
        if s.latest
            .as_ref()
            .is_none_or(|(p, _)| *p <= snapshot.position)
        {
            s.latest = Some((snapshot.position, Arc::new(snapshot.clone())));
        }
        Ok(())
    }

    fn load_snapshot(&self) -> Result<Option<Snapshot<S>>, StoreError> {
        match &self.snapshots.latest {
            None => Ok(None),
            Some((position, any)) => match any.downcast_ref::<Snapshot<S>>() {
                Some(s) => Ok(Some(s.clone())),
                None => Err(StoreError::Corrupt {
                    position: *position,
                    reason: "the snapshot kept is of another state type".into(),
                }),
            },
        }
    }
}

/// Delivery leases in memory: for one process whose desks share this
/// store through a [`super::SharedStore`].
impl DeliveryLeases for MemoryStore {
    fn take_lease(
        &mut self,
        message: MessageId,
        holder: &LeaseHolder,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<LeaseOutcome, StoreError> {
        Ok(self.leases.take(message, holder, now, until))
    }
    fn finish_lease(&mut self, lease: &Lease) -> Result<bool, StoreError> {
        Ok(self.leases.finish(lease))
    }
    fn release_lease(&mut self, lease: &Lease) -> Result<bool, StoreError> {
        Ok(self.leases.release(lease))
    }
}

impl MemoryStore {
    /// An empty store.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// How many events are stored.
    #[must_use]
    pub fn len(&self) -> usize {
        self.log.len()
    }

    /// Whether nothing is stored.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.log.is_empty()
    }

    fn version_of(&self, stream: &StreamId) -> u64 {
        self.streams
            .get(stream)
            .map_or(0, |v| u64::try_from(v.len()).unwrap_or(u64::MAX))
    }
}

impl fmt::Debug for MemoryStore {
    /// How many events and streams, and the last global position.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryStore")
            .field("events", &self.log.len())
            .field("streams", &self.streams.len())
            .field("position", &self.log.last().map_or(0, |r| r.position))
            .finish()
    }
}

impl MemoryStore {
    /// At most `limit` events with a global position greater than `after`
    /// (positions are 1-based indexes into the log).
    fn page(&self, after: u64, limit: usize) -> &[RecordedEvent] {
        let start = usize::try_from(after)
            .unwrap_or(usize::MAX)
            .min(self.log.len());
        let end = start.saturating_add(limit).min(self.log.len());
        self.log.get(start..end).unwrap_or_default()
    }

    /// Checks a batch before anything is written: all or nothing.
    fn check(&self, batch: &[StreamWrite]) -> Result<(), StoreError> {
        let mut seen = BTreeSet::new();
        for w in batch {
            if !seen.insert(w.stream) {
                return Err(StoreError::DuplicateStreamInBatch(w.stream));
            }
            let actual = self.version_of(&w.stream);
            if !w.expected.matches(actual) {
                return Err(StoreError::Conflict {
                    stream: w.stream,
                    expected: w.expected,
                    actual,
                });
            }
        }
        Ok(())
    }
}

impl Store for MemoryStore {
    fn append(&mut self, batch: &[StreamWrite]) -> Result<Vec<RecordedEvent>, StoreError> {
        self.check(batch)?;
        let mut out = Vec::new();
        for w in batch {
            if w.events.is_empty() {
                continue;
            }
            // One search per stream written, not one per event.
            let indexes = self.streams.entry(w.stream).or_default();
            let mut version = u64::try_from(indexes.len()).unwrap_or(u64::MAX);
            for e in &w.events {
                version = version.saturating_add(1);
                let position = u64::try_from(self.log.len())
                    .unwrap_or(u64::MAX)
                    .saturating_add(1);
                let recorded = RecordedEvent {
                    id: e.id,
                    stream: w.stream,
                    version,
                    position,
                    schema: e.schema,
                    actor: e.actor.clone(),
                    command: e.command.clone(),
                    event: e.event.clone(),
                };
                indexes.push(self.log.len());
                self.log.push(recorded.clone());
                out.push(recorded);
            }
        }
        Ok(out)
    }

    fn read_stream(
        &self,
        stream: &StreamId,
        after_version: u64,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        let Some(indexes) = self.streams.get(stream) else {
            return Ok(Vec::new());
        };
        let skip = usize::try_from(after_version).unwrap_or(usize::MAX);
        Ok(indexes
            .iter()
            .skip(skip)
            .filter_map(|&i| self.log.get(i).cloned())
            .collect())
    }

    fn read_all(&self, after: u64, limit: usize) -> Result<Vec<RecordedEvent>, StoreError> {
        Ok(self.page(after, limit).to_vec())
    }

    fn read_all_lent(
        &self,
        after: u64,
        limit: usize,
    ) -> Result<std::borrow::Cow<'_, [RecordedEvent]>, StoreError> {
        Ok(std::borrow::Cow::Borrowed(self.page(after, limit)))
    }

    fn stream_version(&self, stream: &StreamId) -> Result<u64, StoreError> {
        Ok(self.version_of(stream))
    }

    fn append_erasing(
        &mut self,
        batch: &[StreamWrite],
        erasure: &Erasure,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        self.check(batch)?;
        // Nothing below can fail: the redaction and the append both happen.
        // Snapshots are copies of what is erased: they go too, and none
        // folded before this erasure is kept afterwards.
        self.snapshots = Snapshots {
            latest: None,
            erased_at: u64::try_from(self.log.len())
                .unwrap_or(u64::MAX)
                .saturating_add(1),
        };
        for stream in erasure.streams() {
            let Some(indexes) = self.streams.get(&stream) else {
                continue;
            };
            for &i in indexes {
                if let Some(r) = self.log.get_mut(i)
                    && let Some(event) = erasure.redact(&stream, &r.event)
                {
                    r.event = event;
                }
            }
        }
        self.append(batch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_store_keeps_delivery_leases_by_the_contract() {
        use super::super::conformance::{
            LEASE_CHECKS, leases_hold_across_handles, run_lease_checks,
        };
        let passed = run_lease_checks(MemoryStore::new).unwrap_or_else(|f| panic!("{f:#?}"));
        assert_eq!(passed.len(), LEASE_CHECKS.len());
        // Two handles on one store: a shared store.
        let shared = super::super::SharedStore::new(MemoryStore::new());
        let (mut one, mut two) = (shared.clone(), shared);
        leases_hold_across_handles(&mut one, &mut two).unwrap();
        // Two separate stores share nothing: the check fails.
        let failed = leases_hold_across_handles(&mut MemoryStore::new(), &mut MemoryStore::new());
        assert_eq!(
            failed.map_err(|f| f.check),
            Err("leases_hold_across_handles")
        );
    }

    #[test]
    fn memory_store_passes_the_snapshot_checks() {
        let passed = super::super::conformance::run_snapshots(MemoryStore::new)
            .unwrap_or_else(|f| panic!("{f:#?}"));
        assert_eq!(
            passed.len(),
            super::super::conformance::SNAPSHOT_CHECKS.len()
        );
        // Shared between desks, the snapshots are the store's.
        super::super::conformance::run_snapshots(|| {
            super::super::SharedStore::new(MemoryStore::new())
        })
        .unwrap_or_else(|f| panic!("{f:#?}"));
    }

    #[test]
    fn memory_store_passes_the_conformance_suite() {
        use super::super::conformance::{SURVIVES_REOPENING, TWO_HANDLES_WRITE_AT_ONCE, run_all};
        let report = run_all(MemoryStore::new).unwrap_or_else(|f| panic!("{f:#?}"));
        // Nothing to reopen, and no second handle on the same events.
        assert_eq!(
            report.skipped,
            [SURVIVES_REOPENING, TWO_HANDLES_WRITE_AT_ONCE]
        );
    }

    /// A store that forgets nothing: it never implemented erasure, or
    /// appends and keeps the old text.
    struct Keeper {
        inner: MemoryStore,
        pretends: bool,
    }

    impl Store for Keeper {
        fn append(&mut self, batch: &[StreamWrite]) -> Result<Vec<RecordedEvent>, StoreError> {
            self.inner.append(batch)
        }
        fn read_stream(&self, s: &StreamId, after: u64) -> Result<Vec<RecordedEvent>, StoreError> {
            self.inner.read_stream(s, after)
        }
        fn read_all(&self, after: u64, limit: usize) -> Result<Vec<RecordedEvent>, StoreError> {
            self.inner.read_all(after, limit)
        }
        fn append_erasing(
            &mut self,
            batch: &[StreamWrite],
            erasure: &Erasure,
        ) -> Result<Vec<RecordedEvent>, StoreError> {
            if self.pretends {
                self.append(batch)
            } else {
                self.inner.append_erasing(batch, erasure)
            }
        }
    }

    #[test]
    fn a_store_that_keeps_what_it_should_erase_fails_the_erasure_check() {
        use super::super::conformance::erasure_redacts_in_place as check;
        let mut faithful = Keeper {
            inner: MemoryStore::new(),
            pretends: false,
        };
        assert_eq!(check(&mut faithful), Ok(()));
        let mut pretender = Keeper {
            inner: MemoryStore::new(),
            pretends: true,
        };
        let failure = check(&mut pretender).unwrap_err();
        assert!(failure.detail.contains("Jane Secret"), "{failure}");
        // The port's default refuses, and so fails the check too.
        struct Plain(MemoryStore);
        impl Store for Plain {
            fn append(&mut self, b: &[StreamWrite]) -> Result<Vec<RecordedEvent>, StoreError> {
                self.0.append(b)
            }
            fn read_stream(&self, s: &StreamId, a: u64) -> Result<Vec<RecordedEvent>, StoreError> {
                self.0.read_stream(s, a)
            }
            fn read_all(&self, a: u64, l: usize) -> Result<Vec<RecordedEvent>, StoreError> {
                self.0.read_all(a, l)
            }
        }
        let failure = check(&mut Plain(MemoryStore::new())).unwrap_err();
        assert!(
            failure.detail.contains("does not support erasure"),
            "{failure}"
        );
    }

    #[test]
    fn debug_is_a_summary_not_a_dump() {
        use crate::customer::Customer;
        use crate::event::Event;
        use crate::id::CustomerId;
        use crate::store::ExpectedVersion;
        use chrono::{TimeZone, Utc};

        let mut store = MemoryStore::new();
        assert_eq!(
            format!("{store:?}"),
            "MemoryStore { events: 0, streams: 0, position: 0 }"
        );
        let at = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        for n in 1..=3 {
            let id = CustomerId::from_uuid(uuid::Uuid::from_u128(n));
            let registered: Vec<Event> = Customer::register(id, format!("Customer {n}"), at)
                .unwrap()
                .into_iter()
                .map(Event::Customer)
                .collect();
            assert_eq!(registered.len(), 1);
            // The same event twice: the store does not read what it keeps.
            let stream = StreamId::Customer(id);
            for version in 0..2 {
                let write =
                    StreamWrite::new(stream, ExpectedVersion::Exact(version), registered.clone());
                store.append(&[write]).unwrap();
            }
        }
        assert_eq!(
            format!("{store:?}"),
            "MemoryStore { events: 6, streams: 3, position: 6 }"
        );
    }
}
