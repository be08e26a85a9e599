//! Snapshots of the desk: its state at a global position, restored by
//! loading it and catching up the rest from the store.

#![allow(clippy::wildcard_imports)]

use super::*;
use crate::sla::Contract;
use crate::store::{Fingerprint, SNAPSHOT_FORMAT, Snapshot, SnapshotStore, StoreError};

/// A desk's snapshot: [`Snapshot`] over the desk's state.
pub type DeskSnapshot = Snapshot<DeskState>;

/// The desk's state as a snapshot holds it: every area's state, and the
/// per-customer SLA contracts set by command (which change the
/// configuration). Opaque: serde-serialisable for a store to keep, and
/// compared by value. Indexes that are rebuilt cheaply and exactly from
/// it (each customer's tickets, tickets by opening, agents' loads, the
/// timer table, the delivery queue) are left out.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "StateRecord")]
pub struct DeskState {
    state: State,
    contracts: BTreeMap<CustomerId, Contract>,
    /// The permission table in force (absent from snapshots taken before
    /// permissions: the configured one then).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    permissions: Option<Box<crate::permission::PermissionTable>>,
    /// The triggers in force (absent from snapshots taken before
    /// triggers: the configured ones then).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    triggers: Option<Box<crate::rules::TriggerSet>>,
}

/// What a [`DeskState`] is read from: the indexes it leaves out are built
/// again as it is read, so a state read back equals the one written.
#[derive(Deserialize)]
struct StateRecord {
    state: State,
    contracts: BTreeMap<CustomerId, Contract>,
    #[serde(default)]
    permissions: Option<Box<crate::permission::PermissionTable>>,
    #[serde(default)]
    triggers: Option<Box<crate::rules::TriggerSet>>,
}

impl From<StateRecord> for DeskState {
    fn from(record: StateRecord) -> Self {
        let StateRecord {
            mut state,
            contracts,
            permissions,
            triggers,
        } = record;
        state.tickets.reindex();
        state.outbox.reindex();
        state.surveys.reindex();
        DeskState {
            state,
            contracts,
            permissions,
            triggers,
        }
    }
}

impl std::fmt::Debug for DeskState {
    /// A summary, not the personal data it holds.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeskState")
            .field("position", &self.state.position)
            .field("customers", &self.state.customers.len())
            .field("tickets", &self.state.tickets.len())
            .finish_non_exhaustive()
    }
}

/// Why a snapshot was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SnapshotError {
    /// Written in a newer snapshot layout than this build reads.
    #[error("snapshot is in format {found}; this build reads up to {supported}")]
    NewerFormat {
        /// The snapshot's format.
        found: u32,
        /// [`SNAPSHOT_FORMAT`].
        supported: u32,
    },
    /// Folded by a build with a newer event schema than this one reads.
    #[error("snapshot was folded in event schema {found}; this build reads up to {supported}")]
    NewerSchema {
        /// The snapshot's schema.
        found: u32,
        /// [`crate::event::SCHEMA_VERSION`].
        supported: u32,
    },
    /// Folded under another desk configuration: its state follows other
    /// rules. Rebuild with [`Desk::rebuild`] (and save a new snapshot).
    #[error("snapshot was folded under configuration {snapshot}, not this desk's {desk}")]
    OtherConfig {
        /// The snapshot's configuration fingerprint.
        snapshot: Fingerprint,
        /// This desk configuration's.
        desk: Fingerprint,
    },
    /// The snapshot does not hold together, or does not continue the
    /// store it is restored from.
    #[error("snapshot at position {position} is inconsistent: {reason}")]
    Inconsistent {
        /// The position the snapshot claims to cover.
        position: u64,
        /// What was wrong.
        reason: String,
    },
}

/// A desk brought back after a restart by [`Desk::resume`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Restored {
    /// The desk, caught up with the store.
    pub desk: Desk,
    /// Where it came from.
    pub from: RestoredFrom,
    /// How many events were applied after the snapshot (every event, for
    /// a rebuild).
    pub caught_up: usize,
}

/// Where a [`Restored`] desk came from.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RestoredFrom {
    /// The store's latest snapshot, then the events after it.
    Snapshot {
        /// The last position the snapshot covered.
        position: u64,
    },
    /// Every event (no snapshot, or one that could not be used).
    Rebuild {
        /// Why not from a snapshot.
        why: RebuildReason,
    },
}

/// Why [`Desk::resume`] rebuilt from every event.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RebuildReason {
    /// The store holds no snapshot.
    NoSnapshot,
    /// The stored snapshot could not be read back.
    Unreadable(StoreError),
    /// The snapshot was read but does not hold together or does not
    /// continue the store's record.
    Inconsistent(SnapshotError),
}

impl Desk {
    /// The desk's state as a snapshot at [`Desk::position`], to keep with
    /// [`SnapshotStore::save_snapshot`] (or [`Desk::save_snapshot`]).
    ///
    /// ```
    /// # use fanatical::prelude::*;
    /// # let fanatical::desk::fixture::Fixture { desk, store, .. } = fanatical::desk::fixture::fixture()?;
    /// use fanatical::desk::DeskSnapshot;
    /// let snapshot: DeskSnapshot = desk.snapshot();
    /// assert_eq!(snapshot.position, desk.position());
    /// // Restored, it is the same desk.
    /// let restored = Desk::restore(desk.config().clone(), snapshot)?;
    /// assert_eq!(restored, desk);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn snapshot(&self) -> DeskSnapshot {
        Snapshot::new(
            self.base,
            self.state.position,
            DeskState {
                state: self.state.clone(),
                contracts: self.config.sla.contracts.clone(),
                permissions: Some(Box::new(self.config.permissions.clone())),
                triggers: Some(Box::new(self.config.triggers.clone())),
            },
        )
    }

    /// Takes a snapshot and keeps it in `store`.
    ///
    /// # Errors
    /// The store's: [`StoreError::StaleSnapshot`] when the store erased
    /// someone after this desk's position (catch up first), backend errors.
    pub fn save_snapshot<S: SnapshotStore<DeskState> + ?Sized>(
        &self,
        store: &mut S,
    ) -> Result<(), Error> {
        store.save_snapshot(&self.snapshot())?;
        Ok(())
    }

    /// A desk from a snapshot taken under `config` (the configuration the
    /// desk was created with, as for [`Desk::rebuild`]; [`Desk::config`]
    /// is that only until a contract or a permission table is recorded,
    /// which it then carries). Call
    /// [`Desk::catch_up`] next to apply what was stored after it; erasures
    /// recorded after the snapshot are applied then, as by any replica.
    ///
    /// # Errors
    /// [`SnapshotError::NewerFormat`], [`SnapshotError::NewerSchema`],
    /// [`SnapshotError::OtherConfig`] (each naming both values), and
    /// [`SnapshotError::Inconsistent`] for a state that does not match its
    /// checksum or does not hold together.
    ///
    /// ```
    /// # use fanatical::prelude::*;
    /// # let fanatical::desk::fixture::Fixture { mut desk, mut store, now, ticket, ana, .. } = fanatical::desk::fixture::fixture()?;
    /// use fanatical::desk::SnapshotError;
    /// let snapshot = desk.snapshot();
    /// desk.execute(&mut store, Command::reply(ticket, ana, "On it."), now)?;
    /// let mut restored = Desk::restore(desk.config().clone(), snapshot.clone())?;
    /// restored.catch_up(&store)?;
    /// assert_eq!(restored, desk);
    /// // Under another configuration it is refused.
    /// let mut other = desk.config().clone();
    /// other.delivery_lease = chrono::Duration::minutes(1);
    /// assert!(matches!(Desk::restore(other, snapshot), Err(SnapshotError::OtherConfig { .. })));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn restore(mut config: DeskConfig, snapshot: DeskSnapshot) -> Result<Self, SnapshotError> {
        if snapshot.format > SNAPSHOT_FORMAT {
            return Err(SnapshotError::NewerFormat {
                found: snapshot.format,
                supported: SNAPSHOT_FORMAT,
            });
        }
        if snapshot.schema > crate::event::SCHEMA_VERSION {
            return Err(SnapshotError::NewerSchema {
                found: snapshot.schema,
                supported: crate::event::SCHEMA_VERSION,
            });
        }
        let base = Fingerprint::of(&config);
        if snapshot.config != base {
            return Err(SnapshotError::OtherConfig {
                snapshot: snapshot.config,
                desk: base,
            });
        }
        let inconsistent = |reason: String| SnapshotError::Inconsistent {
            position: snapshot.position,
            reason,
        };
        if !snapshot.is_intact() {
            return Err(inconsistent("its state does not match its checksum".into()));
        }
        let DeskState {
            mut state,
            contracts,
            permissions,
            triggers,
        } = snapshot.state;
        // Folded before schema 3: every key it holds was accepted with the
        // debug-form fingerprint.
        if snapshot.schema < 3 {
            state.commands.all_in_debug_form();
        }
        if state.position != snapshot.position {
            return Err(inconsistent(format!(
                "its state is at position {}",
                state.position
            )));
        }
        if state.customers.region() != &config.phone_region {
            return Err(inconsistent("its phone region is not the desk's".into()));
        }
        config.sla.contracts = contracts;
        if let Some(table) = permissions {
            config.permissions = *table;
        }
        if let Some(set) = triggers {
            config.triggers = *set;
        }
        let mut desk = Desk {
            config,
            state,
            timers: TimerTable::default(),
            ready: BTreeMap::new(),
            base,
            replaying: false,
            queues: crate::queue::QueueIndex::default(),
        };
        desk.start_timers();
        desk.rebuild_queues();
        Ok(desk)
    }

    /// Brings a desk back after a restart: loads the store's latest
    /// snapshot, restores it and catches up the rest; or, when there is no
    /// snapshot or it cannot be used (unreadable, inconsistent, or not a
    /// fold of this store's record), rebuilds from every event and says
    /// why in [`Restored::from`].
    ///
    /// # Errors
    /// [`SnapshotError::NewerFormat`], [`SnapshotError::NewerSchema`] and
    /// [`SnapshotError::OtherConfig`] are refused, not rebuilt around: a
    /// newer build wrote the store, or the configuration changed (rebuild
    /// with [`Desk::rebuild`] and save a new snapshot). Store errors, as
    /// for [`Desk::rebuild`].
    ///
    /// ```
    /// # use fanatical::prelude::*;
    /// # let fanatical::desk::fixture::Fixture { mut desk, mut store, now, ticket, ana, .. } = fanatical::desk::fixture::fixture()?;
    /// use fanatical::desk::{RebuildReason, RestoredFrom};
    /// let first = Desk::resume(&store, desk.config().clone())?;
    /// assert_eq!(first.from, RestoredFrom::Rebuild { why: RebuildReason::NoSnapshot });
    /// desk.save_snapshot(&mut store)?;
    /// desk.execute(&mut store, Command::reply(ticket, ana, "On it."), now)?;
    /// let restored = Desk::resume(&store, desk.config().clone())?;
    /// assert_eq!(restored.from, RestoredFrom::Snapshot { position: 6 });
    /// assert_eq!(restored.desk, desk);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn resume<S>(store: &S, config: DeskConfig) -> Result<Restored, Error>
    where
        S: Store + SnapshotStore<DeskState> + ?Sized,
    {
        // The steps of `Resume`, each read made here.
        let mut resume = Resume::new(config, store.load_snapshot())?;
        loop {
            let (after, max) = resume.wants();
            let page = store.read_all_lent(after, max)?;
            match resume.feed(&page)? {
                ResumeStep::More(next) => resume = next,
                ResumeStep::Done(restored) => return Ok(restored),
            }
        }
    }

    /// Starts every timer and fills the delivery queue from the state, as
    /// applying the record one event at a time does.
    pub(super) fn start_timers(&mut self) {
        let s = &self.state;
        let mut timers = TimerTable::default();
        for sla in s.slas.iter() {
            for t in sla.timers() {
                timers.move_sla(t.key, None, Some(t.at));
            }
        }
        for incident in s.incidents.iter() {
            timers.set(
                Timer::Incident(incident.id()),
                incident_book::timer_of(incident),
            );
        }
        for record in s.recognition.praises() {
            let id = record.praise.id;
            let due = s
                .recognition
                .next_reminder(id)
                .map(|at| (at, TimerKind::PraiseReminder));
            timers.set(Timer::Reminder(id), due);
        }
        for t in s.tickets.iter().filter(|t| t.status() == Status::Closed) {
            let due = super::archive::archive_due(s, &self.config.archive, t.id());
            timers.set(Timer::Archive(t.id()), due);
        }
        let mut ready = BTreeMap::new();
        for entry in s.outbox.iter() {
            let id = entry.message.id;
            match entry.state {
                DeliveryState::Ready => match entry.message.deliver_after {
                    Some(at) => {
                        timers.set(Timer::Deferred(id), Some((at, TimerKind::DeferredPage)))
                    }
                    None => {
                        ready.insert(entry.queued_position, id);
                    }
                },
                DeliveryState::Backoff { until } => {
                    timers.set(Timer::Retry(id), Some((until, TimerKind::DeliveryRetry)));
                }
                DeliveryState::Delivered | DeliveryState::Abandoned => {}
            }
        }
        self.assignment_timers(&mut timers);
        self.automation_timers(&mut timers);
        self.timers = timers;
        self.ready = ready;
    }
}

/// A map written as a list of `[key, value]` pairs, for maps whose keys
/// are not text (an address, a stream): every serde format takes it,
/// JSON included.
pub(super) mod pairs {
    use std::collections::BTreeMap;

    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub(in crate::desk) fn serialize<K: Serialize, V: Serialize, S: Serializer>(
        map: &BTreeMap<K, V>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(map.iter())
    }

    pub(in crate::desk) fn deserialize<'de, K, V, D>(
        deserializer: D,
    ) -> Result<BTreeMap<K, V>, D::Error>
    where
        K: Deserialize<'de> + Ord,
        V: Deserialize<'de>,
        D: Deserializer<'de>,
    {
        Ok(Vec::<(K, V)>::deserialize(deserializer)?
            .into_iter()
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A restored desk equals a rebuilt one in what `PartialEq` leaves
    /// out too: its timer table and delivery queue.
    pub(in crate::desk) fn same_runtime(a: &Desk, b: &Desk) -> bool {
        format!("{:?}", a.timers) == format!("{:?}", b.timers) && a.ready == b.ready
    }

    #[test]
    fn a_restored_fixture_desk_starts_the_same_timers() {
        let fixture = super::fixture::fixture().unwrap_or_else(|e| panic!("{e}"));
        let desk = fixture.desk;
        let restored =
            Desk::restore(desk.config().clone(), desk.snapshot()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(restored, desk);
        assert!(same_runtime(&restored, &desk));
    }
}
