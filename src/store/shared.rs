//! One store shared by several desks of one process, each through its own
//! handle.

use std::sync::{Arc, Mutex, MutexGuard};

use chrono::{DateTime, Utc};

use super::{
    DeliveryLeases, Erasure, Lease, LeaseHolder, LeaseOutcome, RecordedEvent, Store, StoreError,
    StreamWrite,
};
use crate::event::StreamId;
use crate::id::MessageId;

/// A store shared by several desks (threads, tasks) of one process: every
/// clone is a handle on the same store, and each call locks it, so every
/// append and lease is atomic with respect to the other handles. Many
/// desks on one [`super::MemoryStore`] behave as many desks on one
/// database do: each catches up, conflicts are retried, leases keep a
/// message's delivery single.
///
/// A handle whose lock was poisoned by a panic on another thread answers
/// every call with a backend error instead of panicking.
///
/// ```
/// use fanatical::store::{MemoryStore, SharedStore, Store};
/// # use fanatical::prelude::*;
/// # let fanatical::desk::fixture::Fixture { mut desk, store, now, ticket, ana, .. } =
/// #     fanatical::desk::fixture::fixture()?;
/// let shared = SharedStore::new(store);
/// let (mut a, mut b) = (shared.clone(), shared.clone());
/// let mut other = Desk::rebuild(&b, desk.config().clone())?;
/// desk.execute(&mut a, Command::reply(ticket, ana, "On it."), now)?;
/// // The other desk, on its own handle, learns what the first wrote.
/// assert!(other.catch_up(&b)? > 0);
/// assert_eq!(other, desk);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Default)]
pub struct SharedStore<S> {
    inner: Arc<Mutex<S>>,
}

impl<S> Clone for SharedStore<S> {
    fn clone(&self) -> Self {
        SharedStore {
            inner: Arc::clone(&self.inner),
        }
    }
}

impl<S> SharedStore<S> {
    /// Shares `store`.
    #[must_use]
    pub fn new(store: S) -> Self {
        SharedStore {
            inner: Arc::new(Mutex::new(store)),
        }
    }

    /// Runs `f` on the store, locked.
    ///
    /// # Errors
    /// A backend error when another thread panicked holding the lock.
    pub fn with<T>(&self, f: impl FnOnce(&mut S) -> T) -> Result<T, StoreError> {
        Ok(f(&mut *self.lock()?))
    }

    fn lock(&self) -> Result<MutexGuard<'_, S>, StoreError> {
        self.inner.lock().map_err(|_| {
            StoreError::backend_message(
                "the shared store's lock was poisoned by a panic on another thread",
            )
        })
    }
}

impl<S: Store> Store for SharedStore<S> {
    fn append(&mut self, batch: &[StreamWrite]) -> Result<Vec<RecordedEvent>, StoreError> {
        self.lock()?.append(batch)
    }
    fn read_stream(
        &self,
        stream: &StreamId,
        after_version: u64,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        self.lock()?.read_stream(stream, after_version)
    }
    fn read_all(&self, after: u64, limit: usize) -> Result<Vec<RecordedEvent>, StoreError> {
        self.lock()?.read_all(after, limit)
    }
    fn stream_version(&self, stream: &StreamId) -> Result<u64, StoreError> {
        self.lock()?.stream_version(stream)
    }
    fn append_erasing(
        &mut self,
        batch: &[StreamWrite],
        erasure: &Erasure,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        self.lock()?.append_erasing(batch, erasure)
    }
}

/// Snapshots go to the shared store: any desk sharing it saves and resumes
/// from the same ones.
impl<T, S: super::SnapshotStore<T>> super::SnapshotStore<T> for SharedStore<S> {
    fn save_snapshot(&mut self, snapshot: &super::Snapshot<T>) -> Result<(), StoreError> {
        self.lock()?.save_snapshot(snapshot)
    }
    fn load_snapshot(&self) -> Result<Option<super::Snapshot<T>>, StoreError> {
        self.lock()?.load_snapshot()
    }
}

impl<S: DeliveryLeases> DeliveryLeases for SharedStore<S> {
    fn take_lease(
        &mut self,
        message: MessageId,
        holder: &LeaseHolder,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<LeaseOutcome, StoreError> {
        self.lock()?.take_lease(message, holder, now, until)
    }
    fn finish_lease(&mut self, lease: &Lease) -> Result<bool, StoreError> {
        self.lock()?.finish_lease(lease)
    }
    fn release_lease(&mut self, lease: &Lease) -> Result<bool, StoreError> {
        self.lock()?.release_lease(lease)
    }
}
