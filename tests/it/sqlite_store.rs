//! A SQLite-backed `Store`: the pattern for plugging in any database.
//!
//! Shared by the behaviour tests (`tests/it/sqlite.rs`) and
//! `examples/sqlite_store.rs`. One table holds every event: its global
//! position is the primary key, `(stream, version)` is unique, and the
//! event itself is JSON. An append is one `BEGIN IMMEDIATE` transaction:
//! it takes the database's write lock first, so the versions it checks
//! cannot change before it commits; a stale writer gets `Conflict` and the
//! transaction rolls back. A server database (PostgreSQL, MySQL) follows
//! the same pattern with `SELECT ... FOR UPDATE` or a serializable
//! transaction, and the same unique constraint as the last line of defence.

#![allow(dead_code)]

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

use fanatical::event::{Event, StreamId};
use fanatical::store::{RecordedEvent, Store, StoreError, StreamWrite};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

/// An event store in a SQLite database.
pub struct SqliteStore {
    conn: Connection,
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
);";

fn backend(e: impl std::error::Error + Send + Sync + 'static) -> StoreError {
    StoreError::backend(e)
}

impl SqliteStore {
    /// Opens (or creates) the database at `path`. Several `SqliteStore`s
    /// may open the same file, in one process or many.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let conn = Connection::open(path).map_err(backend)?;
        // Write-ahead logging: readers do not block the writer.
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(backend)?;
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(backend)?;
        Self::init(conn)
    }

    /// A private in-memory database.
    pub fn in_memory() -> Result<Self, StoreError> {
        Self::init(Connection::open_in_memory().map_err(backend)?)
    }

    fn init(conn: Connection) -> Result<Self, StoreError> {
        // A second writer waits for the first instead of failing at once.
        conn.busy_timeout(Duration::from_secs(10))
            .map_err(backend)?;
        conn.execute_batch(SCHEMA).map_err(backend)?;
        Ok(SqliteStore { conn })
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
        let mut position: u64 = tx
            .query_row("SELECT COALESCE(MAX(position), 0) FROM events", [], |r| {
                r.get::<_, i64>(0)
            })
            .map(|p| u64::try_from(p).unwrap_or(0))
            .map_err(backend)?;
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
                version += 1;
                position += 1;
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
