//! The storage port: an append-only event store with optimistic
//! concurrency.
//!
//! A [`Store`] holds streams of events (one per aggregate, see
//! [`StreamId`]) and a global order across them. The desk persists every
//! decision with one atomic [`Store::append`] of one or more stream writes,
//! each carrying the version it expects; a stale writer gets
//! [`StoreError::Conflict`] and nothing is written. [`MemoryStore`] is the
//! embedded default; [`conformance`] (feature `conformance`) is the suite
//! every backend must pass.
//!
//! # Contract
//! - `append` is all-or-nothing across every write in the batch. On any
//!   error nothing is stored and the global position does not move.
//! - A write's [`ExpectedVersion`] is checked against the stream's current
//!   version (the number of events in it; 0 for a stream that does not
//!   exist) before anything is written.
//! - Stream versions count from 1; global positions count from 1, strictly
//!   increase, and follow the order of the batch and the writes in it.
//! - `read_stream` returns a stream's events in version order, starting
//!   after `after_version`; an unknown stream is empty, not an error.
//! - `read_all` returns at most `limit` events with a position greater than
//!   `after`, in position order; `read_all_lent`, if a store provides its
//!   own, returns exactly what `read_all` does.
//! - Stored events come back equal to what was appended (ids included),
//!   except where an erasure replaced them (below).
//! - `append_erasing` is `append` plus an [`Erasure`] in the same
//!   transaction: before the batch is stored, every event of the streams
//!   the erasure names ([`Erasure::streams`]) for which
//!   [`Erasure::redact`] gives a replacement is replaced by it, keeping
//!   its id, stream, version, position, schema, actor and command key.
//!   All or nothing with the batch: a conflict redacts nothing. The old
//!   text must not be recoverable from the backend afterwards (a database
//!   overwrites freed pages, see `fanatical-sqlite`).
//!
//! # Erasure: redaction in place
//! Events are the record and are never otherwise changed; erasing a
//! person is the one exception the law requires ("the right to be
//! forgotten"). The store port does it by *redaction*: the desk decides
//! an erasure (a `ContactErased` or `ConsentWithdrawn` event plus an
//! [`Erasure`] naming the person and the streams that hold them), and the
//! store replaces the personal text in those recorded events by the
//! placeholder [`ERASED`], atomically with appending the event that
//! records the erasure. The record keeps its shape: every event, id,
//! time, ticket, SLA record and audit stamp stays, so a desk rebuilt from
//! the store, and any snapshot taken from such a desk, hold the erased
//! person exactly as the desk that erased them does (a snapshot is a fold
//! of the redacted record; one taken before is a copy of the old text, so
//! a [`SnapshotStore`] drops its snapshots in `append_erasing` and refuses
//! one folded before the erasure afterwards).
//!
//! The alternative, crypto-shredding (each person's fields encrypted under
//! a key of their own, held behind a key port; erasure deletes the key),
//! was not chosen: it needs a cipher, which the library crate may not add
//! as a dependency; every read of every event would go through the key
//! port, which makes rebuilding and the sans-I/O core depend on a key
//! service; and the ciphertext stays in every backup, safe only as long as
//! the cipher is. Redaction needs nothing but the store's own
//! transaction, and what it removes is gone. Its cost: an erasure reads
//! the streams it names (the customer's, their tickets', and the outbox
//! stream, which holds every outbound message) inside one write
//! transaction — rare, and proportional to what it searches.
//!
//! # Example
//! ```
//! use chrono::{TimeZone, Utc};
//! use fanatical::customer::Customer;
//! use fanatical::event::{Event, StreamId};
//! use fanatical::id::CustomerId;
//! use fanatical::store::{ExpectedVersion, MemoryStore, Store, StoreError, StreamWrite};
//!
//! let now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
//! let id = CustomerId::from_uuid(uuid::Uuid::from_u128(1));
//! let stream = StreamId::Customer(id);
//! let events: Vec<Event> = Customer::register(id, "Acme", now)?.into_iter().map(Event::Customer).collect();
//!
//! let mut store = MemoryStore::new();
//! store.append(&[StreamWrite::new(stream, ExpectedVersion::Exact(0), events.clone())])?;
//! // A second writer who also thought the stream was empty loses.
//! let stale = store.append(&[StreamWrite::new(stream, ExpectedVersion::Exact(0), events)]);
//! assert!(matches!(stale, Err(StoreError::Conflict { actual: 1, .. })));
//! assert_eq!(store.read_stream(&stream, 0)?.len(), 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod checksum;
mod chunks;
#[cfg(any(test, feature = "conformance"))]
pub mod conformance;
mod erasure;
mod lease;
mod memory;
mod shared;
mod snapshot;

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

pub(crate) use checksum::command_fingerprint;
pub use chunks::{ChunkReader, SNAPSHOT_CHUNK_SIZE, SnapshotChunks, SnapshotRead};
pub use erasure::{ERASED, Erasure};
pub use lease::{
    DeliveryLeases, InvalidHolder, Lease, LeaseDecision, LeaseHolder, LeaseOutcome, LeaseRow,
};
pub use memory::MemoryStore;
pub use shared::SharedStore;
pub use snapshot::{Fingerprint, SNAPSHOT_FORMAT, Snapshot, SnapshotStore};

use crate::actor::{Actor, CommandKey};
use crate::event::{Event, SCHEMA_VERSION, StreamId};
use crate::id::EventId;

/// What a writer believes a stream's version to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExpectedVersion {
    /// Write whatever the version (use sparingly: no conflict detection).
    Any,
    /// The stream has exactly this many events (0: it does not exist yet).
    Exact(u64),
}

impl ExpectedVersion {
    /// Whether a stream at `actual` satisfies this expectation.
    #[must_use]
    pub fn matches(self, actual: u64) -> bool {
        match self {
            ExpectedVersion::Any => true,
            ExpectedVersion::Exact(v) => v == actual,
        }
    }
}

impl fmt::Display for ExpectedVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExpectedVersion::Any => f.write_str("any"),
            ExpectedVersion::Exact(v) => write!(f, "{v}"),
        }
    }
}

/// An event about to be stored, with the id it will keep.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewEvent {
    /// Its id.
    pub id: EventId,
    /// The wire-format version it is written in
    /// ([`SCHEMA_VERSION`] for events this build decides).
    #[serde(default)]
    pub schema: u32,
    /// Who did it (`None` only for events written without one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<Actor>,
    /// The idempotency key of the command that caused it, if it had one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<CommandKey>,
    /// The event.
    pub event: Event,
}

/// Events to append to one stream, and the version the writer expects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreamWrite {
    /// The stream.
    pub stream: StreamId,
    /// The version the writer read.
    pub expected: ExpectedVersion,
    /// The events, in order.
    pub events: Vec<NewEvent>,
}

impl StreamWrite {
    /// A write whose event ids are derived from the stream and version
    /// (see [`StreamId::event_id`]). With [`ExpectedVersion::Any`] the ids
    /// are derived as if the stream were empty; prefer `Exact`.
    #[must_use]
    pub fn new(stream: StreamId, expected: ExpectedVersion, events: Vec<Event>) -> Self {
        let base = match expected {
            ExpectedVersion::Exact(v) => v,
            ExpectedVersion::Any => 0,
        };
        let events = events
            .into_iter()
            .zip(1u64..)
            .map(|(event, i)| NewEvent {
                id: stream.event_id(base.saturating_add(i)),
                schema: SCHEMA_VERSION,
                actor: None,
                command: None,
                event,
            })
            .collect();
        StreamWrite {
            stream,
            expected,
            events,
        }
    }
}

/// An event as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedEvent {
    /// Its id.
    pub id: EventId,
    /// Its stream.
    pub stream: StreamId,
    /// Its version in the stream, from 1.
    pub version: u64,
    /// Its position in the whole store, from 1.
    pub position: u64,
    /// The wire-format version it was written in (0: written before
    /// events carried one). Stores keep it as appended.
    #[serde(default)]
    pub schema: u32,
    /// Who did it. `None` for events written before events carried their
    /// actor (schema 1 and older), or appended without one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<Actor>,
    /// The idempotency key of the command that caused it, if it had one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<CommandKey>,
    /// The event.
    pub event: Event,
}

/// Why a store operation failed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum StoreError {
    /// The stream is not at the version the writer expected; nothing was
    /// written.
    Conflict {
        /// The stream.
        stream: StreamId,
        /// What the writer expected.
        expected: ExpectedVersion,
        /// The stream's actual version.
        actual: u64,
    },
    /// The same stream appears twice in one batch.
    DuplicateStreamInBatch(StreamId),
    /// The backend failed (I/O, database); nothing was written. Build it
    /// with [`StoreError::backend`] to keep the backend's own error as the
    /// [source](std::error::Error::source).
    Backend {
        /// What went wrong, in the backend's words.
        message: String,
        /// The backend's own error, when there is one.
        source: Option<BackendSource>,
    },
    /// An event written in a newer wire format than this build reads:
    /// upgrade before reading (reading it could silently drop what the
    /// newer version added).
    NewerSchema {
        /// Where.
        position: u64,
        /// Its schema version.
        schema: u32,
        /// The newest this build reads.
        supported: u32,
    },
    /// The store does not do this operation (a store that cannot erase:
    /// every store of the workspace can).
    Unsupported {
        /// What was asked, for example `erasure`.
        operation: &'static str,
    },
    /// A snapshot covering a position before the store's last erasure
    /// (see [`SnapshotStore`]): it still holds what was erased, so it is
    /// not kept.
    StaleSnapshot {
        /// The last position the snapshot covers.
        position: u64,
        /// The position of the last erasure.
        erased_at: u64,
    },
    /// Stored data could not be read back (corrupt or from a newer version).
    Corrupt {
        /// Where.
        position: u64,
        /// What was wrong.
        reason: String,
    },
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::Conflict {
                stream,
                expected,
                actual,
            } => write!(
                f,
                "stream {stream} is at version {actual}, expected {expected}"
            ),
            StoreError::DuplicateStreamInBatch(stream) => {
                write!(f, "stream {stream} is written twice in one batch")
            }
            StoreError::Backend { message, .. } => write!(f, "store backend failed: {message}"),
            StoreError::NewerSchema {
                position,
                schema,
                supported,
            } => write!(
                f,
                "stored event at position {position} is in schema {schema}; this build reads up to {supported}"
            ),
            StoreError::Unsupported { operation } => {
                write!(f, "this store does not support {operation}")
            }
            StoreError::StaleSnapshot {
                position,
                erased_at,
            } => write!(
                f,
                "snapshot at position {position} was taken before the erasure at position {erased_at}"
            ),
            StoreError::Corrupt { position, reason } => {
                write!(
                    f,
                    "stored event at position {position} is unreadable: {reason}"
                )
            }
        }
    }
}

/// Written by hand (not derived) so the source of a backend failure is the
/// backend's own error itself, ready to downcast.
impl std::error::Error for StoreError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            StoreError::Backend {
                source: Some(source),
                ..
            } => Some(source.get()),
            _ => None,
        }
    }
}

impl StoreError {
    /// A backend failure that keeps `err` as its source (and its text as
    /// the message), so callers can log the whole chain or downcast to the
    /// backend's type.
    ///
    /// # Example
    /// ```
    /// use std::error::Error as _;
    /// use fanatical::store::StoreError;
    ///
    /// let io = std::io::Error::new(std::io::ErrorKind::StorageFull, "disk full");
    /// let err = StoreError::backend(io);
    /// assert_eq!(err.to_string(), "store backend failed: disk full");
    /// let source = err.source().and_then(|s| s.downcast_ref::<std::io::Error>());
    /// assert_eq!(source.map(std::io::Error::kind), Some(std::io::ErrorKind::StorageFull));
    /// ```
    pub fn backend<E>(err: E) -> Self
    where
        E: std::error::Error + Send + Sync + 'static,
    {
        StoreError::Backend {
            message: err.to_string(),
            source: Some(BackendSource(Arc::new(err))),
        }
    }

    /// A backend failure with no error value behind it (a fault a test
    /// injects, a limit the backend enforces itself).
    #[must_use]
    pub fn backend_message(message: impl Into<String>) -> Self {
        StoreError::Backend {
            message: message.into(),
            source: None,
        }
    }
}

/// A backend's own error, kept behind [`StoreError::Backend`]. Cheap to
/// clone (shared); two are equal when their messages are, so a
/// `StoreError` can still be compared in tests.
#[derive(Clone)]
pub struct BackendSource(Arc<dyn std::error::Error + Send + Sync + 'static>);

impl BackendSource {
    /// The backend's error, for logging or
    /// [downcasting](https://doc.rust-lang.org/std/error/trait.Error.html#method.downcast_ref).
    #[must_use]
    pub fn get(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
        &*self.0
    }
}

impl fmt::Debug for BackendSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl fmt::Display for BackendSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&*self.0, f)
    }
}

impl PartialEq for BackendSource {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0) || self.0.to_string() == other.0.to_string()
    }
}

impl Eq for BackendSource {}

/// Refuses a record written in a newer wire format than this build reads
/// ([`SCHEMA_VERSION`]). Backends call it on every record they read, so an
/// event from a newer version of the crate is never half-read.
///
/// # Errors
/// [`StoreError::NewerSchema`] when `schema` is above [`SCHEMA_VERSION`].
///
/// # Example
/// ```
/// use fanatical::event::SCHEMA_VERSION;
/// use fanatical::store::{StoreError, check_schema};
///
/// assert_eq!(check_schema(7, SCHEMA_VERSION), Ok(()));
/// assert_eq!(check_schema(7, 0), Ok(())); // written before events carried one
/// assert!(matches!(check_schema(7, SCHEMA_VERSION + 1), Err(StoreError::NewerSchema { position: 7, .. })));
/// ```
pub fn check_schema(position: u64, schema: u32) -> Result<(), StoreError> {
    if schema > SCHEMA_VERSION {
        return Err(StoreError::NewerSchema {
            position,
            schema,
            supported: SCHEMA_VERSION,
        });
    }
    Ok(())
}

/// An append-only, optimistically concurrent event store. See the module
/// docs for the contract every implementation keeps, and
/// [`conformance`] for the tests that check it.
pub trait Store {
    /// Appends every write of the batch atomically, returning the stored
    /// events in order.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when a write's expected version is stale,
    /// [`StoreError::DuplicateStreamInBatch`], or a backend error; in every
    /// case nothing is written.
    fn append(&mut self, batch: &[StreamWrite]) -> Result<Vec<RecordedEvent>, StoreError>;

    /// A stream's events with a version greater than `after_version`.
    ///
    /// # Errors
    /// Backend or corruption errors.
    fn read_stream(
        &self,
        stream: &StreamId,
        after_version: u64,
    ) -> Result<Vec<RecordedEvent>, StoreError>;

    /// At most `limit` events with a global position greater than `after`.
    ///
    /// # Errors
    /// Backend or corruption errors.
    fn read_all(&self, after: u64, limit: usize) -> Result<Vec<RecordedEvent>, StoreError>;

    /// As [`Store::read_all`], lending the events where the store holds
    /// them in memory instead of copying them out: what
    /// [`Desk::catch_up`](crate::desk::Desk::catch_up) and
    /// [`Desk::rebuild`](crate::desk::Desk::rebuild) read the record with.
    /// The default copies, through `read_all`; [`MemoryStore`] lends its
    /// own (a replay from memory then copies no event).
    ///
    /// # Errors
    /// As [`Store::read_all`].
    ///
    /// ```
    /// use std::borrow::Cow;
    /// use fanatical::store::{MemoryStore, Store};
    ///
    /// let store = MemoryStore::new();
    /// let page = store.read_all_lent(0, 1024)?;
    /// assert!(page.is_empty());
    /// assert!(matches!(page, Cow::Borrowed(_)));
    /// # Ok::<(), fanatical::store::StoreError>(())
    /// ```
    fn read_all_lent(
        &self,
        after: u64,
        limit: usize,
    ) -> Result<std::borrow::Cow<'_, [RecordedEvent]>, StoreError> {
        self.read_all(after, limit).map(std::borrow::Cow::Owned)
    }

    /// The stream's current version (0 when it does not exist).
    ///
    /// # Errors
    /// Backend or corruption errors.
    fn stream_version(&self, stream: &StreamId) -> Result<u64, StoreError> {
        Ok(self.read_stream(stream, 0)?.last().map_or(0, |e| e.version))
    }

    /// Applies `erasure` to the stored events, then appends `batch`, in
    /// one transaction (see the module docs: the events of
    /// [`Erasure::streams`] that [`Erasure::redact`] replaces are replaced
    /// in place, keeping their place and stamps; the batch is stored as
    /// given). Returns the appended events, as [`Store::append`] does.
    ///
    /// The default refuses: a store that cannot erase says so rather than
    /// keep what it was told to forget. [`MemoryStore`] and the stores of
    /// the workspace implement it; the conformance suite checks it.
    ///
    /// # Errors
    /// As [`Store::append`], and then nothing is erased either;
    /// [`StoreError::Unsupported`] from a store that cannot erase.
    fn append_erasing(
        &mut self,
        batch: &[StreamWrite],
        erasure: &Erasure,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        let _ = (batch, erasure);
        Err(StoreError::Unsupported {
            operation: "erasure",
        })
    }
}

impl<S: Store + ?Sized> Store for &mut S {
    fn append(&mut self, batch: &[StreamWrite]) -> Result<Vec<RecordedEvent>, StoreError> {
        (**self).append(batch)
    }
    fn read_stream(
        &self,
        stream: &StreamId,
        after_version: u64,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        (**self).read_stream(stream, after_version)
    }
    fn read_all(&self, after: u64, limit: usize) -> Result<Vec<RecordedEvent>, StoreError> {
        (**self).read_all(after, limit)
    }
    fn read_all_lent(
        &self,
        after: u64,
        limit: usize,
    ) -> Result<std::borrow::Cow<'_, [RecordedEvent]>, StoreError> {
        (**self).read_all_lent(after, limit)
    }
    fn stream_version(&self, stream: &StreamId) -> Result<u64, StoreError> {
        (**self).stream_version(stream)
    }
    fn append_erasing(
        &mut self,
        batch: &[StreamWrite],
        erasure: &Erasure,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        (**self).append_erasing(batch, erasure)
    }
}

impl<S: Store + ?Sized> Store for Box<S> {
    fn append(&mut self, batch: &[StreamWrite]) -> Result<Vec<RecordedEvent>, StoreError> {
        (**self).append(batch)
    }
    fn read_stream(
        &self,
        stream: &StreamId,
        after_version: u64,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        (**self).read_stream(stream, after_version)
    }
    fn read_all(&self, after: u64, limit: usize) -> Result<Vec<RecordedEvent>, StoreError> {
        (**self).read_all(after, limit)
    }
    fn read_all_lent(
        &self,
        after: u64,
        limit: usize,
    ) -> Result<std::borrow::Cow<'_, [RecordedEvent]>, StoreError> {
        (**self).read_all_lent(after, limit)
    }
    fn stream_version(&self, stream: &StreamId) -> Result<u64, StoreError> {
        (**self).stream_version(stream)
    }
    fn append_erasing(
        &mut self,
        batch: &[StreamWrite],
        erasure: &Erasure,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        (**self).append_erasing(batch, erasure)
    }
}

#[cfg(test)]
mod tests {
    use std::error::Error as _;

    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("database is locked")]
    struct Locked(#[source] std::io::Error);

    #[test]
    fn a_backend_failure_keeps_its_source_chain() {
        let io = std::io::Error::other("lock file busy");
        let err = StoreError::backend(Locked(io));
        assert_eq!(err.to_string(), "store backend failed: database is locked");
        let source = err.source().expect("the backend's error");
        assert!(source.downcast_ref::<Locked>().is_some());
        assert_eq!(
            source.source().map(ToString::to_string).as_deref(),
            Some("lock file busy")
        );
    }

    #[test]
    fn backend_failures_compare_by_message() {
        let a = StoreError::backend(Locked(std::io::Error::other("x")));
        let b = StoreError::backend(Locked(std::io::Error::other("y")));
        assert_eq!(a, a.clone());
        assert_eq!(a, b); // same message: "database is locked"
        assert_ne!(a, StoreError::backend_message("database is locked"));
        assert_eq!(
            StoreError::backend_message("disk full"),
            StoreError::backend_message("disk full")
        );
        assert!(StoreError::backend_message("disk full").source().is_none());
    }
}
