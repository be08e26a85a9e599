//! # fanatical-sqlite
//!
//! A [`fanatical::store::Store`] in a SQLite database: the desk's events in
//! one file (or in memory), appended atomically across streams, read back
//! in commit order. SQLite is compiled in (rusqlite's `bundled`), so there
//! is nothing to install.
//!
//! ```
//! use fanatical::chrono::{TimeZone, Utc};
//! use fanatical::prelude::*;
//! use fanatical_sqlite::SqliteStore;
//!
//! let now = Utc.with_ymd_and_hms(2026, 11, 2, 2, 0, 0).unwrap();
//! let mut store = SqliteStore::in_memory()?; // or SqliteStore::open("desk.sqlite")?
//! let mut desk = Desk::rebuild(&store, DeskConfig::default())?;
//! let acme = IdGenerator::from_seed(1).next_id();
//! let register = CustomerAction::Register { id: acme, organisation: "Acme".into() };
//! desk.execute(&mut store, Command::new(Actor::integration("signup"), register), now)?;
//!
//! // A desk rebuilt from the database equals the desk that wrote it.
//! assert_eq!(Desk::rebuild(&store, DeskConfig::default())?, desk);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## How it stores events
//!
//! One table holds every event: its global position is the primary key,
//! `(stream, version)` is unique, and the event itself is JSON next to its
//! schema version, the actor who caused it (JSON) and the key of the
//! command that did:
//!
//! ```sql
//! CREATE TABLE events (
//!     position INTEGER PRIMARY KEY,
//!     stream   TEXT    NOT NULL,
//!     version  INTEGER NOT NULL,
//!     id       TEXT    NOT NULL UNIQUE,
//!     schema   INTEGER NOT NULL,
//!     event    TEXT    NOT NULL,
//!     actor    TEXT,
//!     command  TEXT,
//!     UNIQUE (stream, version)
//! );
//! ```
//!
//! An append is one `BEGIN IMMEDIATE` transaction: it takes the database's
//! write lock first, so the versions it checks cannot change before it
//! commits; a stale writer gets [`StoreError::Conflict`] and the
//! transaction rolls back. Several [`SqliteStore`]s — in one process or
//! many — may open one file: files use write-ahead logging, so readers do
//! not block the writer, and a writer waits up to ten seconds for another.
//! A row written by a newer version of `fanatical` is refused
//! ([`StoreError::NewerSchema`]) rather than half-read.
//!
//! Erasing a person ([`Store::append_erasing`]) rewrites the `event`
//! column of the rows that hold them, in the same transaction as the
//! append that records it. The database runs with `secure_delete` on, so
//! the old text is zeroed rather than left in free pages, and the store
//! checkpoints the write-ahead log right after, so the old page images
//! leave the `-wal` file too (once no reader holds them). Backups and
//! copies of the file taken before are copies of the old text: erase
//! there too, or expire them.
//!
//! ## Snapshots
//!
//! The store keeps desk snapshots ([`fanatical::store::SnapshotStore`], any
//! serde state) of any size. The whole snapshot is MessagePack (its
//! structs as maps of named fields, after the 27 bytes
//! `fanatical-snapshot/msgpack` and a newline), about 70% of JSON's size
//! and twice as fast to restart from; SQLite keeps at most 1,000,000,000
//! bytes in one value, and a desk's snapshot at the stories' scale is
//! larger, so the bytes are cut into chunks of 64 MiB
//! ([`fanatical::store::SNAPSHOT_CHUNK_SIZE`];
//! [`SqliteStore::with_snapshot_chunk_size`] for tests):
//!
//! ```sql
//! CREATE TABLE snapshots (
//!     id       INTEGER PRIMARY KEY,
//!     position INTEGER NOT NULL,
//!     snapshot TEXT    NOT NULL, -- empty; the whole snapshot in rows saved before chunks
//!     chunks   INTEGER,          -- how many chunks (NULL: saved whole)
//!     size     INTEGER           -- how many bytes they hold
//! );
//! CREATE TABLE snapshot_chunks (
//!     snapshot INTEGER NOT NULL, -- the snapshot's id
//!     seq      INTEGER NOT NULL, -- from 0
//!     bytes    BLOB    NOT NULL,
//!     PRIMARY KEY (snapshot, seq)
//! );
//! ```
//!
//! A save writes the row and its chunks and deletes the snapshots it
//! supersedes, with their chunks, in one transaction: a reader sees the
//! new snapshot whole or the one before. A load reads the chunks in one
//! read transaction (incremental BLOB I/O, a chunk at a time), checking
//! them against the count and size recorded, into one buffer it decodes;
//! [`SqliteStore::with_snapshot_reads`]`(`[`SnapshotRead::Streamed`]`)`
//! decodes them as they come instead, so the encoded snapshot is never in
//! memory whole beside the state it decodes to, for some more time (the
//! workspace README has both). A row saved whole by earlier versions of this crate (MessagePack,
//! or JSON text before that) still loads, and opening an older file adds
//! the two columns. [`fanatical::desk::Desk::resume`] restarts from the
//! latest snapshot.
//! An erasure deletes every snapshot, chunks and all, in its transaction (zeroed on disk like the
//! events it redacts) and records its position in an `erasures` table;
//! a snapshot folded before it is refused afterwards
//! ([`StoreError::StaleSnapshot`]). A snapshot that no longer reads — a
//! chunk missing, shorter or longer than recorded, bytes that do not
//! decode — is [`StoreError::Corrupt`], and the desk rebuilds from the
//! events and says why ([`fanatical::desk::RebuildReason::Unreadable`]).
//!
//! A server database (PostgreSQL, MySQL) follows the same pattern with
//! `SELECT ... FOR UPDATE` or a serializable transaction, and the same
//! unique constraint as the last line of defence.
//!
//! ## Delivery leases
//!
//! Desks sharing the file take each outbound message's delivery lease in a
//! `leases` table (one row per message: holder, fencing token, until,
//! finished), read and written in one `BEGIN IMMEDIATE` transaction by
//! `fanatical`'s own rule ([`LeaseRow::take`], [`LeaseRow::fences`]), so
//! no message is delivered twice within its lease whatever the number of
//! desks. Instants are stored as seconds and nanoseconds, so every instant
//! the desk can name round-trips.
//!
//! The store passes `fanatical`'s whole store conformance suite
//! (`fanatical::store::conformance`, feature `conformance`), in memory and
//! on disk, where the suite also reopens the file and writes through two
//! connections at once; see this crate's tests.

#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

use std::collections::BTreeSet;
use std::fmt;
use std::path::Path;
use std::time::Duration;

use fanatical::chrono::{DateTime, Utc};
use fanatical::event::{Event, StreamId};
use fanatical::id::MessageId;
use fanatical::store::{
    ChunkReader, DeliveryLeases, Erasure, Lease, LeaseHolder, LeaseOutcome, LeaseRow,
    RecordedEvent, SNAPSHOT_CHUNK_SIZE, Snapshot, SnapshotChunks, SnapshotRead, SnapshotStore,
    Store, StoreError, StreamWrite,
};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// An event store in a SQLite database. See the [crate docs](crate) for
/// the table and how appends stay atomic.
pub struct SqliteStore {
    conn: Connection,
    /// How many bytes of a snapshot go in one row of `snapshot_chunks`.
    chunk_size: usize,
    /// How a snapshot's chunks are read back.
    reads: SnapshotRead,
}

impl fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = match self.conn.path() {
            Some(p) if !p.is_empty() => p,
            _ => ":memory:",
        };
        f.debug_struct("SqliteStore").field("path", &path).finish()
    }
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS events (
    position INTEGER PRIMARY KEY,
    stream   TEXT    NOT NULL,
    version  INTEGER NOT NULL,
    id       TEXT    NOT NULL UNIQUE,
    schema   INTEGER NOT NULL,
    event    TEXT    NOT NULL,
    actor    TEXT,
    command  TEXT,
    UNIQUE (stream, version)
);
CREATE TABLE IF NOT EXISTS leases (
    message      TEXT    PRIMARY KEY,
    holder       TEXT    NOT NULL,
    token        INTEGER NOT NULL,
    until_secs   INTEGER,
    until_nanos  INTEGER,
    finished     INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS snapshots (
    id       INTEGER PRIMARY KEY,
    position INTEGER NOT NULL,
    snapshot TEXT    NOT NULL
);
CREATE TABLE IF NOT EXISTS snapshot_chunks (
    snapshot INTEGER NOT NULL,
    seq      INTEGER NOT NULL,
    bytes    BLOB    NOT NULL,
    PRIMARY KEY (snapshot, seq)
);
CREATE TABLE IF NOT EXISTS erasures (
    position INTEGER NOT NULL
);";

/// Deletes the chunks no snapshot row owns.
const ORPHAN_CHUNKS: &str =
    "DELETE FROM snapshot_chunks WHERE snapshot NOT IN (SELECT id FROM snapshots)";

/// The columns a `snapshots` table made before snapshots were chunked
/// lacks: how many chunks the snapshot's bytes fill and how many bytes
/// they hold (both NULL: the row holds the whole snapshot itself).
const SNAPSHOT_COLUMNS: &str = "
ALTER TABLE snapshots ADD COLUMN chunks INTEGER;
ALTER TABLE snapshots ADD COLUMN size   INTEGER;";

/// How long a writer waits for another's write lock before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

fn backend(e: impl std::error::Error + Send + Sync + 'static) -> StoreError {
    StoreError::backend(e)
}

impl SqliteStore {
    /// Opens (or creates) the database at `path`, in write-ahead-logging
    /// mode with full synchronisation. Several `SqliteStore`s may open the
    /// same file, in one process or many.
    ///
    /// # Errors
    /// [`StoreError::Backend`] with SQLite's error as its source when the
    /// file cannot be opened or created, or is not a database this store
    /// can use.
    ///
    /// # Example
    /// ```
    /// use fanatical::store::Store;
    /// use fanatical_sqlite::SqliteStore;
    ///
    /// let path = std::env::temp_dir().join(format!("fanatical-doc-{}.sqlite", std::process::id()));
    /// let store = SqliteStore::open(&path)?;
    /// assert!(store.read_all(0, 10)?.is_empty());
    /// # drop(store);
    /// # for suffix in ["", "-wal", "-shm"] {
    /// #     let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    /// # }
    /// # Ok::<(), fanatical::store::StoreError>(())
    /// ```
    pub fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        let conn = Connection::open(path).map_err(backend)?;
        // First of all, so that two handles opening one new file at once
        // wait for each other's setup instead of failing "locked".
        conn.busy_timeout(BUSY_TIMEOUT).map_err(backend)?;
        // Write-ahead logging: readers do not block the writer.
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(backend)?;
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(backend)?;
        Self::init(conn)
    }

    /// A private in-memory database, gone when the store is dropped: for
    /// tests, and for trying the store out.
    ///
    /// # Errors
    /// [`StoreError::Backend`] with SQLite's error as its source.
    pub fn in_memory() -> Result<Self, StoreError> {
        Self::init(Connection::open_in_memory().map_err(backend)?)
    }

    fn init(conn: Connection) -> Result<Self, StoreError> {
        // A second writer waits for the first instead of failing at once.
        conn.busy_timeout(BUSY_TIMEOUT).map_err(backend)?;
        // Freed and overwritten content is zeroed in the file, so an
        // erased event's old text cannot be read from free pages.
        conn.pragma_update(None, "secure_delete", "ON")
            .map_err(backend)?;
        conn.execute_batch(SCHEMA).map_err(backend)?;
        let mut store = SqliteStore {
            conn,
            chunk_size: SNAPSHOT_CHUNK_SIZE,
            reads: SnapshotRead::default(),
        };
        store.migrate().map_err(backend)?;
        Ok(store)
    }

    /// Adds the snapshot chunk columns to a table made without them
    /// (checked first, so an up-to-date file takes no write lock; checked
    /// again under the lock, so two stores opening one file at once do
    /// not both add them).
    fn migrate(&mut self) -> Result<(), rusqlite::Error> {
        // What a build from before chunks left when it deleted snapshot
        // rows (its pruning, its erasures): gone at once, since it may be
        // erased personal data.
        if self.conn.query_row(
            "SELECT COUNT(*) FROM pragma_table_info('snapshot_chunks')",
            [],
            |r| r.get::<_, i64>(0),
        )? > 0
        {
            self.conn.execute(ORPHAN_CHUNKS, [])?;
        }
        let chunked = |conn: &Connection| {
            conn.query_row(
                "SELECT COUNT(*) FROM pragma_table_info('snapshots') WHERE name = 'chunks'",
                [],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| n > 0)
        };
        if chunked(&self.conn)? {
            return Ok(());
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        if !chunked(&tx)? {
            tx.execute_batch(SNAPSHOT_COLUMNS)?;
        }
        tx.commit()
    }

    /// Cuts snapshots into rows of at most `bytes` bytes (at least 1)
    /// instead of [`SNAPSHOT_CHUNK_SIZE`]'s 64 MiB: for tests that want a
    /// small snapshot in many chunks. Snapshots already saved read back
    /// whatever size their chunks are.
    ///
    /// ```
    /// use fanatical::store::{Fingerprint, Snapshot, SnapshotStore};
    /// use fanatical_sqlite::SqliteStore;
    ///
    /// let mut store = SqliteStore::in_memory()?.with_snapshot_chunk_size(16);
    /// let snapshot = Snapshot::new(Fingerprint(1), 0, "a state longer than sixteen bytes".to_owned());
    /// store.save_snapshot(&snapshot)?;
    /// assert_eq!(store.load_snapshot()?, Some(snapshot));
    /// # Ok::<(), fanatical::store::StoreError>(())
    /// ```
    #[must_use]
    pub fn with_snapshot_chunk_size(mut self, bytes: usize) -> Self {
        self.chunk_size = bytes.max(1);
        self
    }

    /// Reads snapshots back as `reads` says: into one buffer first
    /// ([`SnapshotRead::Whole`], the default: less time) or one chunk at a
    /// time, decoded as it comes ([`SnapshotRead::Streamed`]: less
    /// memory, the encoded snapshot never whole beside the state).
    #[must_use]
    pub fn with_snapshot_reads(mut self, reads: SnapshotRead) -> Self {
        self.reads = reads;
        self
    }

    fn rows(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        let mut stmt = self.conn.prepare_cached(sql).map_err(backend)?;
        let rows = stmt
            .query_map(params, |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, i64>(5)?,
                    r.get::<_, Option<String>>(6)?,
                    r.get::<_, Option<String>>(7)?,
                ))
            })
            .map_err(backend)?;
        let mut out = Vec::new();
        for row in rows {
            let (position, stream, version, id, event, schema, actor, command) =
                row.map_err(backend)?;
            let position = u64::try_from(position).unwrap_or(0);
            let corrupt = |reason: String| StoreError::Corrupt { position, reason };
            let schema = u32::try_from(schema).map_err(|e| corrupt(format!("schema: {e}")))?;
            // Never half-read an event from a newer version of the crate.
            fanatical::store::check_schema(position, schema)?;
            out.push(RecordedEvent {
                id: id.parse().map_err(|e| corrupt(format!("id: {e}")))?,
                stream: stream
                    .parse()
                    .map_err(|e| corrupt(format!("stream: {e}")))?,
                version: u64::try_from(version).map_err(|e| corrupt(e.to_string()))?,
                position,
                schema,
                actor: actor
                    .map(|a| serde_json::from_str(&a))
                    .transpose()
                    .map_err(|e| corrupt(format!("actor: {e}")))?,
                command: command
                    .map(|k| k.parse())
                    .transpose()
                    .map_err(|e| corrupt(format!("command: {e}")))?,
                event: serde_json::from_str::<Event>(&event)
                    .map_err(|e| corrupt(format!("event: {e}")))?,
            });
        }
        Ok(out)
    }
}

fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

impl Store for SqliteStore {
    fn append(&mut self, batch: &[StreamWrite]) -> Result<Vec<RecordedEvent>, StoreError> {
        self.write(batch, None)
    }

    fn append_erasing(
        &mut self,
        batch: &[StreamWrite],
        erasure: &Erasure,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        let out = self.write(batch, Some(erasure))?;
        // The old pages of a redacted row live on in the write-ahead log
        // until a checkpoint copies the new ones over them: checkpoint now
        // (best effort: a reader still holding the log delays it until it
        // lets go, at the latest when the last connection closes). The
        // erasure itself is committed either way.
        let _ = self
            .conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
        Ok(out)
    }

    fn read_stream(
        &self,
        stream: &StreamId,
        after_version: u64,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        self.rows(
            "SELECT position, stream, version, id, event, schema, actor, command FROM events
             WHERE stream = ?1 AND version > ?2 ORDER BY version",
            params![stream.to_string(), to_i64(after_version)],
        )
    }

    fn read_all(&self, after: u64, limit: usize) -> Result<Vec<RecordedEvent>, StoreError> {
        self.rows(
            "SELECT position, stream, version, id, event, schema, actor, command FROM events
             WHERE position > ?1 ORDER BY position LIMIT ?2",
            params![to_i64(after), i64::try_from(limit).unwrap_or(i64::MAX)],
        )
    }

    fn stream_version(&self, stream: &StreamId) -> Result<u64, StoreError> {
        let v: Option<i64> = self
            .conn
            .query_row(
                "SELECT MAX(version) FROM events WHERE stream = ?1",
                params![stream.to_string()],
                |r| r.get(0),
            )
            .map_err(backend)?;
        Ok(v.map_or(0, |v| u64::try_from(v).unwrap_or(0)))
    }
}

/// Replaces, inside `tx`, every event of the erasure's streams that it
/// redacts (the row keeps its position, id and stamps; only `event`
/// changes).
fn redact(tx: &rusqlite::Transaction<'_>, erasure: &Erasure) -> Result<(), StoreError> {
    let mut select = tx
        .prepare_cached("SELECT position, event FROM events WHERE stream = ?1 ORDER BY version")
        .map_err(backend)?;
    let mut update = tx
        .prepare_cached("UPDATE events SET event = ?1 WHERE position = ?2")
        .map_err(backend)?;
    for stream in erasure.streams() {
        let rows: Vec<(i64, String)> = select
            .query_map(params![stream.to_string()], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(backend)?
            .collect::<Result<_, _>>()
            .map_err(backend)?;
        for (position, json) in rows {
            let event: Event = serde_json::from_str(&json).map_err(|e| StoreError::Corrupt {
                position: u64::try_from(position).unwrap_or(0),
                reason: format!("event: {e}"),
            })?;
            if let Some(erased) = erasure.redact(&stream, &event) {
                let json = serde_json::to_string(&erased).map_err(backend)?;
                update.execute(params![json, position]).map_err(backend)?;
            }
        }
    }
    Ok(())
}

impl SqliteStore {
    /// One write transaction: the erasure (if any), then the batch.
    fn write(
        &mut self,
        batch: &[StreamWrite],
        erasure: Option<&Erasure>,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        let mut seen = BTreeSet::new();
        for w in batch {
            if !seen.insert(w.stream) {
                return Err(StoreError::DuplicateStreamInBatch(w.stream));
            }
        }
        // IMMEDIATE: take the write lock now, before reading versions.
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(backend)?;
        // A conflict below rolls the redaction back with everything else.
        if let Some(erasure) = erasure {
            redact(&tx, erasure)?;
        }
        let mut position: u64 = tx
            .query_row("SELECT COALESCE(MAX(position), 0) FROM events", [], |r| {
                r.get::<_, i64>(0)
            })
            .map(|p| u64::try_from(p).unwrap_or(0))
            .map_err(backend)?;
        if erasure.is_some() {
            // Snapshots are copies of what was erased: they go, and none
            // folded before this point is kept afterwards.
            tx.execute("DELETE FROM snapshot_chunks", [])
                .map_err(backend)?;
            tx.execute("DELETE FROM snapshots", []).map_err(backend)?;
            tx.execute(
                "INSERT INTO erasures (position) VALUES (?1)",
                params![to_i64(position.saturating_add(1))],
            )
            .map_err(backend)?;
        }
        let mut out = Vec::new();
        for w in batch {
            let stream = w.stream.to_string();
            let actual: u64 = tx
                .query_row(
                    "SELECT MAX(version) FROM events WHERE stream = ?1",
                    params![stream],
                    |r| r.get::<_, Option<i64>>(0),
                )
                .optional()
                .map_err(backend)?
                .flatten()
                .map_or(0, |v| u64::try_from(v).unwrap_or(0));
            if !w.expected.matches(actual) {
                // Dropping the transaction rolls it back.
                return Err(StoreError::Conflict {
                    stream: w.stream,
                    expected: w.expected,
                    actual,
                });
            }
            let mut version = actual;
            for e in &w.events {
                version = version.saturating_add(1);
                position = position.saturating_add(1);
                let json = serde_json::to_string(&e.event).map_err(backend)?;
                let actor = e
                    .actor
                    .as_ref()
                    .map(serde_json::to_string)
                    .transpose()
                    .map_err(backend)?;
                let command = e.command.as_ref().map(ToString::to_string);
                tx.execute(
                    "INSERT INTO events (position, stream, version, id, schema, event, actor, command) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                    params![to_i64(position), stream, to_i64(version), e.id.to_string(), i64::from(e.schema), json, actor, command],
                )
                .map_err(backend)?;
                out.push(RecordedEvent {
                    id: e.id,
                    stream: w.stream,
                    version,
                    position,
                    schema: e.schema,
                    actor: e.actor.clone(),
                    command: e.command.clone(),
                    event: e.event.clone(),
                });
            }
        }
        tx.commit().map_err(backend)?;
        Ok(out)
    }
}

impl SqliteStore {
    /// Runs `f` on `message`'s lease row inside one write transaction;
    /// `f` returns what to answer and the row to store, if any.
    fn with_lease<T>(
        &mut self,
        message: MessageId,
        f: impl FnOnce(Option<LeaseRow>) -> (T, Option<LeaseRow>),
    ) -> Result<T, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(backend)?;
        let key = message.to_string();
        let current = tx
            .query_row(
                "SELECT holder, token, until_secs, until_nanos, finished FROM leases WHERE message = ?1",
                params![key],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, i64>(1)?,
                        r.get::<_, Option<i64>>(2)?,
                        r.get::<_, Option<i64>>(3)?,
                        r.get::<_, bool>(4)?,
                    ))
                },
            )
            .optional()
            .map_err(backend)?;
        let current = match current {
            None => None,
            Some((holder, token, secs, nanos, finished)) => {
                let corrupt = |what: &str| {
                    StoreError::backend_message(format!("lease of message {key}: {what}"))
                };
                let until = match (secs, nanos) {
                    (Some(s), Some(n)) => Some(
                        u32::try_from(n)
                            .ok()
                            .and_then(|n| DateTime::<Utc>::from_timestamp(s, n))
                            .ok_or_else(|| corrupt("an instant out of range"))?,
                    ),
                    _ => None,
                };
                Some(LeaseRow {
                    holder: LeaseHolder::new(&holder).map_err(|e| corrupt(&e.to_string()))?,
                    token: u64::try_from(token).map_err(|_| corrupt("a negative token"))?,
                    until,
                    finished,
                })
            }
        };
        let (answer, row) = f(current);
        if let Some(row) = row {
            tx.execute(
                "INSERT INTO leases (message, holder, token, until_secs, until_nanos, finished)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (message) DO UPDATE SET holder = ?2, token = ?3,
                     until_secs = ?4, until_nanos = ?5, finished = ?6",
                params![
                    key,
                    row.holder.as_str(),
                    to_i64(row.token),
                    row.until.map(|u| u.timestamp()),
                    row.until.map(|u| i64::from(u.timestamp_subsec_nanos())),
                    row.finished
                ],
            )
            .map_err(backend)?;
        }
        tx.commit().map_err(backend)?;
        Ok(answer)
    }
}

/// Leases in the `leases` table: see the [crate docs](crate).
impl DeliveryLeases for SqliteStore {
    fn take_lease(
        &mut self,
        message: MessageId,
        holder: &LeaseHolder,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<LeaseOutcome, StoreError> {
        self.with_lease(message, |current| {
            let d = LeaseRow::take(current.as_ref(), message, holder, now, until);
            (d.outcome, d.row)
        })
    }

    fn finish_lease(&mut self, lease: &Lease) -> Result<bool, StoreError> {
        self.with_lease(lease.message, |current| {
            let row = LeaseRow::finished(current, lease);
            (row.is_some(), row)
        })
    }

    fn release_lease(&mut self, lease: &Lease) -> Result<bool, StoreError> {
        self.with_lease(lease.message, |current| {
            let row = LeaseRow::released(current, lease);
            (row.is_some(), row)
        })
    }
}

/// How a snapshot's bytes in this crate's encoding begin: what follows is
/// MessagePack of the whole [`Snapshot`], structs as maps of named fields.
const SNAPSHOT_MAGIC: &[u8] = b"fanatical-snapshot/msgpack\n";

/// A snapshot's bytes, in chunks of `size`.
fn encode_snapshot<S: Serialize>(
    snapshot: &Snapshot<S>,
    size: usize,
) -> Result<SnapshotChunks, StoreError> {
    let mut chunks = SnapshotChunks::new(size);
    std::io::Write::write_all(&mut chunks, SNAPSHOT_MAGIC).map_err(backend)?;
    rmp_serde::encode::write_named(&mut chunks, snapshot).map_err(backend)?;
    Ok(chunks)
}

/// The snapshot a row saved before snapshots were chunked holds:
/// MessagePack after [`SNAPSHOT_MAGIC`] in a BLOB, or JSON text (rows
/// written by still earlier versions of this crate).
fn decode_snapshot<S: DeserializeOwned>(
    position: i64,
    value: ValueRef<'_>,
) -> Result<Snapshot<S>, StoreError> {
    let corrupt = |reason: String| StoreError::Corrupt {
        position: u64::try_from(position).unwrap_or(0),
        reason: format!("snapshot: {reason}"),
    };
    match value {
        ValueRef::Blob(bytes) => match bytes.strip_prefix(SNAPSHOT_MAGIC) {
            Some(body) => rmp_serde::from_slice(body).map_err(|e| corrupt(e.to_string())),
            None => Err(corrupt("not in an encoding this store writes".into())),
        },
        ValueRef::Text(json) => serde_json::from_slice(json).map_err(|e| corrupt(e.to_string())),
        other => Err(corrupt(format!("a {} value", other.data_type()))),
    }
}

/// Snapshots are rows of the `snapshots` table (position, how many chunks,
/// how many bytes) and their bytes, the whole [`Snapshot`] in MessagePack,
/// rows of `snapshot_chunks` of at most 64 MiB each; a row saved before
/// snapshots were chunked holds the whole snapshot itself (MessagePack, or
/// JSON text before that) and still loads. Saving one writes its rows and
/// deletes the snapshots it supersedes, with their chunks, in one
/// transaction. An erasure deletes them all (zeroed on disk, as
/// `secure_delete` does for events) and records its position in
/// `erasures`, before which no snapshot is saved again.
impl<S: Serialize + DeserializeOwned> SnapshotStore<S> for SqliteStore {
    fn save_snapshot(&mut self, snapshot: &Snapshot<S>) -> Result<(), StoreError> {
        // Encoded before the write lock is taken, as a single row was.
        let chunks = encode_snapshot(snapshot, self.chunk_size)?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(backend)?;
        let erased_at: i64 = tx
            .query_row("SELECT COALESCE(MAX(position), 0) FROM erasures", [], |r| {
                r.get(0)
            })
            .map_err(backend)?;
        let erased_at = u64::try_from(erased_at).unwrap_or(0);
        if snapshot.position < erased_at {
            return Err(StoreError::StaleSnapshot {
                position: snapshot.position,
                erased_at,
            });
        }
        // Chunks no snapshot row owns (a build from before chunks,
        // opening this file again, deletes rows alone) go first: they may
        // hold what an erasure took, and their ids would be this row's.
        tx.execute(ORPHAN_CHUNKS, []).map_err(backend)?;
        let position = to_i64(snapshot.position);
        let count = i64::try_from(chunks.count()).unwrap_or(i64::MAX);
        tx.execute(
            "INSERT INTO snapshots (position, snapshot, chunks, size) VALUES (?1, x'', ?2, ?3)",
            params![position, count, to_i64(chunks.len())],
        )
        .map_err(backend)?;
        let id = tx.last_insert_rowid();
        {
            let mut insert = tx
                .prepare_cached(
                    "INSERT INTO snapshot_chunks (snapshot, seq, bytes) VALUES (?1, ?2, ?3)",
                )
                .map_err(backend)?;
            for (chunk, seq) in chunks.iter().zip(0i64..) {
                insert.execute(params![id, seq, chunk]).map_err(backend)?;
            }
        }
        drop(chunks);
        tx.execute(
            "DELETE FROM snapshot_chunks WHERE snapshot IN \
             (SELECT id FROM snapshots WHERE id <> ?1 AND position <= ?2)",
            params![id, position],
        )
        .map_err(backend)?;
        tx.execute(
            "DELETE FROM snapshots WHERE id <> ?1 AND position <= ?2",
            params![id, position],
        )
        .map_err(backend)?;
        // Until here nothing of it is seen: a reader finds the snapshot
        // with all its chunks, or the one before.
        tx.commit().map_err(backend)
    }

    fn load_snapshot(&self) -> Result<Option<Snapshot<S>>, StoreError> {
        // One read transaction: a save on another connection that
        // supersedes this snapshot while its chunks are read does not take
        // them away.
        let tx = self.conn.unchecked_transaction().map_err(backend)?;
        // The latest row is found first and then read: sorting the rows
        // themselves would copy a snapshot held in its row into SQLite's
        // sorter.
        let head = tx
            .query_row(
                "SELECT id, position, chunks, size FROM snapshots WHERE id = \
                 (SELECT id FROM snapshots ORDER BY position DESC, id DESC LIMIT 1)",
                [],
                |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, i64>(1)?,
                        r.get::<_, Option<i64>>(2)?,
                        r.get::<_, Option<i64>>(3)?,
                    ))
                },
            )
            .optional()
            .map_err(backend)?;
        let Some((id, position, chunks, size)) = head else {
            return Ok(None);
        };
        let (Some(chunks), Some(size)) = (chunks, size) else {
            // A row saved before snapshots were chunked, decoded from
            // SQLite's own copy of the value, not a second one.
            return tx
                .query_row("SELECT snapshot FROM snapshots WHERE id = ?1", [id], |r| {
                    Ok(decode_snapshot(position, r.get_ref(0)?))
                })
                .map_err(backend)?
                .map(Some);
        };
        let mut find = tx
            .prepare_cached(
                "SELECT rowid, typeof(bytes) FROM snapshot_chunks \
                 WHERE snapshot = ?1 AND seq = ?2",
            )
            .map_err(backend)?;
        // A chunk at a time, read straight from the database's pages into
        // the reader's buffer (and decoded as it comes, when streamed).
        let reader = ChunkReader::new(
            u64::try_from(position).unwrap_or(0),
            u64::try_from(chunks).unwrap_or(0),
            u64::try_from(size).unwrap_or(0),
            |seq, buf: &mut Vec<u8>| {
                let Some((rowid, kind)) = find
                    .query_row(params![id, to_i64(seq)], |r| {
                        Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
                    })
                    .optional()
                    .map_err(backend)?
                else {
                    return Ok(false);
                };
                if kind != "blob" {
                    return Err(StoreError::Corrupt {
                        position: u64::try_from(position).unwrap_or(0),
                        reason: format!("snapshot: chunk {seq} is a {kind} value, not a blob"),
                    });
                }
                let blob = tx
                    .blob_open(rusqlite::MAIN_DB, c"snapshot_chunks", c"bytes", rowid, true)
                    .map_err(backend)?;
                // The same length as the chunk before (all but the last):
                // nothing to clear or grow.
                buf.resize(blob.len(), 0);
                blob.read_at_exact(buf, 0).map_err(backend)?;
                Ok(true)
            },
        );
        match self.reads {
            SnapshotRead::Streamed => reader.decode(SNAPSHOT_MAGIC, |r| rmp_serde::from_read(r)),
            _ => reader.decode_whole(SNAPSHOT_MAGIC, |b| rmp_serde::from_slice(b)),
        }
        .map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_names_the_database_not_its_contents() {
        let store = SqliteStore::in_memory().unwrap();
        assert_eq!(format!("{store:?}"), r#"SqliteStore { path: ":memory:" }"#);
    }
}
