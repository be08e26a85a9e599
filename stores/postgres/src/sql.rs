//! The statements both stores run, and what they do between them: one
//! module, so the blocking [`PgStore`](crate::PgStore) and the async
//! [`AsyncPgStore`](crate::AsyncPgStore) keep one table layout and one
//! append method.

use std::collections::BTreeSet;

use fanatical::event::{Event, StreamId};
use fanatical::store::{Erasure, RecordedEvent, StoreError, StreamWrite};

/// The tables, created when missing (run inside [`MIGRATE_LOCK`]'s
/// transaction, with the schema on the search path).
pub(crate) const MIGRATE: &str = "
CREATE TABLE IF NOT EXISTS head (
    id       int    PRIMARY KEY CHECK (id = 1),
    position bigint NOT NULL
);
INSERT INTO head (id, position) VALUES (1, 0) ON CONFLICT DO NOTHING;
CREATE TABLE IF NOT EXISTS streams (
    stream  text   PRIMARY KEY,
    version bigint NOT NULL
);
CREATE TABLE IF NOT EXISTS events (
    position bigint PRIMARY KEY,
    stream   text   NOT NULL,
    version  bigint NOT NULL,
    id       text   NOT NULL UNIQUE,
    schema   int    NOT NULL,
    event    text   NOT NULL,
    actor    text,
    command  text,
    UNIQUE (stream, version)
);";

/// Serialises migrations of one schema: two stores created at once wait
/// for each other instead of racing `CREATE TABLE IF NOT EXISTS`.
pub(crate) const MIGRATE_LOCK: &str =
    "SELECT pg_advisory_xact_lock(hashtext('fanatical-postgres migrate ' || $1))";

/// Whether the schema exists (so a role that may not create schemas can
/// still use one made for it).
pub(crate) const SCHEMA_EXISTS: &str = "SELECT 1 FROM pg_namespace WHERE nspname = $1";

/// Locks a stream's version row, creating it at version 0 when the stream
/// is new, and returns its version: the latest committed one (a
/// conflicting upsert waits for the row's holder and then locks what it
/// committed).
pub(crate) const LOCK_STREAM: &str = "INSERT INTO streams (stream, version) VALUES ($1, 0)
     ON CONFLICT (stream) DO UPDATE SET version = streams.version
     RETURNING version";

/// Locks an existing stream's version row (for a write of no events,
/// which checks the version only and creates nothing).
pub(crate) const LOCK_STREAM_IF_ANY: &str =
    "SELECT version FROM streams WHERE stream = $1 FOR UPDATE";

/// Moves the written streams to their new versions.
pub(crate) const BUMP_STREAMS: &str = "UPDATE streams AS s SET version = v.version
     FROM unnest($1::text[], $2::bigint[]) AS v (stream, version)
     WHERE s.stream = v.stream";

/// Takes `$1` global positions: the last lock of an append, held to its
/// commit. Returns the position before the first one taken.
pub(crate) const TAKE_POSITIONS: &str =
    "UPDATE head SET position = position + $1 WHERE id = 1 RETURNING position - $1";

/// Inserts the batch's events, one array per column.
pub(crate) const INSERT_EVENTS: &str =
    "INSERT INTO events (position, stream, version, id, schema, event, actor, command)
     SELECT * FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::text[], $5::int[],
                          $6::text[], $7::text[], $8::text[])";

/// The columns every read selects, in [`decode`]'s order.
macro_rules! columns {
    () => {
        "SELECT position, stream, version, id, event, schema, actor, command FROM events"
    };
}

/// At most `$2` events after position `$1`.
pub(crate) const READ_ALL: &str = concat!(
    columns!(),
    " WHERE position > $1 ORDER BY position LIMIT $2"
);

/// A stream's events after version `$2`.
pub(crate) const READ_STREAM: &str = concat!(
    columns!(),
    " WHERE stream = $1 AND version > $2 ORDER BY version"
);

/// A stream's version (no row: 0).
pub(crate) const STREAM_VERSION: &str = "SELECT version FROM streams WHERE stream = $1";

/// A stream's events to redact, locked until the erasure commits.
pub(crate) const REDACT_SELECT: &str =
    "SELECT position, event FROM events WHERE stream = $1 ORDER BY version FOR UPDATE";

/// Replaces one event's text.
pub(crate) const REDACT_UPDATE: &str = "UPDATE events SET event = $1 WHERE position = $2";

/// Reclaims the old versions of redacted rows (best effort, after the
/// erasure commits; outside any transaction).
pub(crate) const VACUUM: &str = "VACUUM events";

/// `"name"`, quoted as an SQL identifier.
pub(crate) fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Refuses a schema name PostgreSQL would truncate or cannot hold.
pub(crate) fn check_schema_name(name: &str) -> Result<(), StoreError> {
    if name.is_empty() || name.len() > 63 || name.contains('\0') {
        return Err(StoreError::backend_message(format!(
            "schema name {name:?} is not a PostgreSQL identifier (1 to 63 bytes, no NUL)"
        )));
    }
    Ok(())
}

/// `SET search_path` and the migration, for a session on `schema`.
pub(crate) fn session_setup(schema: &str) -> String {
    format!("SET search_path TO {}", quote_ident(schema))
}

pub(crate) fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

pub(crate) fn limit(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

pub(crate) fn to_u64(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

/// A backend failure keeping the client's error as its source, with a
/// message that says the whole chain: the client's own text is only
/// "db error" or "error connecting to server", the cause says which.
pub(crate) fn backend(e: impl std::error::Error + Send + Sync + 'static) -> StoreError {
    let mut message = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        message.push_str(": ");
        message.push_str(&c.to_string());
        cause = c.source();
    }
    match StoreError::backend(e) {
        StoreError::Backend { source, .. } => StoreError::Backend { message, source },
        other => other,
    }
}

/// A stored row as [`RecordedEvent`], refusing rows from a newer schema
/// and naming what could not be read.
pub(crate) fn decode(row: &postgres::Row) -> Result<RecordedEvent, StoreError> {
    let position = to_u64(row.try_get::<_, i64>(0).map_err(backend)?);
    let corrupt = |reason: String| StoreError::Corrupt { position, reason };
    let stream: String = row.try_get(1).map_err(backend)?;
    let version: i64 = row.try_get(2).map_err(backend)?;
    let id: String = row.try_get(3).map_err(backend)?;
    let event: String = row.try_get(4).map_err(backend)?;
    let schema: i32 = row.try_get(5).map_err(backend)?;
    let actor: Option<String> = row.try_get(6).map_err(backend)?;
    let command: Option<String> = row.try_get(7).map_err(backend)?;
    let schema = u32::try_from(schema).map_err(|e| corrupt(format!("schema: {e}")))?;
    // Never half-read an event from a newer version of the crate.
    fanatical::store::check_schema(position, schema)?;
    Ok(RecordedEvent {
        id: id.parse().map_err(|e| corrupt(format!("id: {e}")))?,
        stream: stream
            .parse()
            .map_err(|e| corrupt(format!("stream: {e}")))?,
        version: u64::try_from(version).map_err(|e| corrupt(format!("version: {e}")))?,
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
        event: serde_json::from_str::<Event>(&event).map_err(|e| corrupt(format!("event: {e}")))?,
    })
}

/// Decodes every row.
pub(crate) fn decode_all(rows: &[postgres::Row]) -> Result<Vec<RecordedEvent>, StoreError> {
    rows.iter().map(decode).collect()
}

/// A stream's version from [`STREAM_VERSION`] or a lock statement.
pub(crate) fn version_of(row: Option<&postgres::Row>) -> Result<u64, StoreError> {
    match row {
        Some(row) => Ok(to_u64(row.try_get::<_, i64>(0).map_err(backend)?)),
        None => Ok(0),
    }
}

/// A batch checked and ordered for an append.
pub(crate) struct Plan<'a> {
    batch: &'a [StreamWrite],
    /// Indexes into `batch`, in the order streams are locked: sorted by
    /// stream name, so two appends lock shared streams in one order and
    /// never deadlock.
    pub(crate) lock_order: Vec<usize>,
    /// How many events the batch appends.
    pub(crate) total: u64,
}

impl<'a> Plan<'a> {
    /// Refuses a batch that names a stream twice.
    pub(crate) fn new(batch: &'a [StreamWrite]) -> Result<Self, StoreError> {
        let mut seen = BTreeSet::new();
        for w in batch {
            if !seen.insert(w.stream) {
                return Err(StoreError::DuplicateStreamInBatch(w.stream));
            }
        }
        let mut lock_order: Vec<(String, usize)> = batch
            .iter()
            .enumerate()
            .map(|(i, w)| (w.stream.to_string(), i))
            .collect();
        lock_order.sort();
        let total = batch
            .iter()
            .map(|w| u64::try_from(w.events.len()).unwrap_or(u64::MAX))
            .fold(0u64, u64::saturating_add);
        Ok(Plan {
            batch,
            lock_order: lock_order.into_iter().map(|(_, i)| i).collect(),
            total,
        })
    }

    /// The stream of write `i`, as stored, and whether the write has
    /// events (a write of none only checks the version).
    pub(crate) fn lock_target(&self, i: usize) -> (String, bool) {
        self.batch
            .get(i)
            .map(|w| (w.stream.to_string(), !w.events.is_empty()))
            .unwrap_or_default()
    }

    /// Checks every write's expected version against `actual` (one per
    /// write, in batch order), reporting the first stale write of the
    /// batch.
    pub(crate) fn check(&self, actual: &[u64]) -> Result<(), StoreError> {
        for (w, &actual) in self.batch.iter().zip(actual) {
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

    /// The streams' new versions ([`BUMP_STREAMS`]'s arrays).
    pub(crate) fn bumps(&self, actual: &[u64]) -> (Vec<String>, Vec<i64>) {
        self.batch
            .iter()
            .zip(actual)
            .filter(|(w, _)| !w.events.is_empty())
            .map(|(w, &v)| {
                let n = u64::try_from(w.events.len()).unwrap_or(u64::MAX);
                (w.stream.to_string(), to_i64(v.saturating_add(n)))
            })
            .unzip()
    }

    /// The events as stored from position `after + 1` on, and
    /// [`INSERT_EVENTS`]'s columns.
    pub(crate) fn rows(&self, actual: &[u64], after: u64) -> Result<Rows, StoreError> {
        let mut rows = Rows::default();
        let mut position = after;
        for (w, &actual) in self.batch.iter().zip(actual) {
            let stream = w.stream.to_string();
            let mut version = actual;
            for e in &w.events {
                version = version.saturating_add(1);
                position = position.saturating_add(1);
                rows.position.push(to_i64(position));
                rows.stream.push(stream.clone());
                rows.version.push(to_i64(version));
                rows.id.push(e.id.to_string());
                rows.schema.push(i32::try_from(e.schema).map_err(|_| {
                    StoreError::backend_message(format!(
                        "event {} has schema {}, more than the column holds",
                        e.id, e.schema
                    ))
                })?);
                rows.event
                    .push(serde_json::to_string(&e.event).map_err(backend)?);
                rows.actor.push(
                    e.actor
                        .as_ref()
                        .map(serde_json::to_string)
                        .transpose()
                        .map_err(backend)?,
                );
                rows.command
                    .push(e.command.as_ref().map(ToString::to_string));
                rows.recorded.push(RecordedEvent {
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
        Ok(rows)
    }
}

/// [`INSERT_EVENTS`]'s columns, and the events as the append returns them.
#[derive(Default)]
pub(crate) struct Rows {
    pub(crate) position: Vec<i64>,
    pub(crate) stream: Vec<String>,
    pub(crate) version: Vec<i64>,
    pub(crate) id: Vec<String>,
    pub(crate) schema: Vec<i32>,
    pub(crate) event: Vec<String>,
    pub(crate) actor: Vec<Option<String>>,
    pub(crate) command: Vec<Option<String>>,
    pub(crate) recorded: Vec<RecordedEvent>,
}

/// The redactions an erasure makes in one stream's rows (from
/// [`REDACT_SELECT`]): each position with its new text.
pub(crate) fn redactions(
    erasure: &Erasure,
    stream: &StreamId,
    rows: &[postgres::Row],
) -> Result<Vec<(i64, String)>, StoreError> {
    let mut out = Vec::new();
    for row in rows {
        let position: i64 = row.try_get(0).map_err(backend)?;
        let json: String = row.try_get(1).map_err(backend)?;
        let event: Event = serde_json::from_str(&json).map_err(|e| StoreError::Corrupt {
            position: to_u64(position),
            reason: format!("event: {e}"),
        })?;
        if let Some(erased) = erasure.redact(stream, &event) {
            out.push((position, serde_json::to_string(&erased).map_err(backend)?));
        }
    }
    Ok(out)
}

/// The streams an erasure searches, sorted (the order their rows are
/// locked in).
pub(crate) fn erasure_streams(erasure: &Erasure) -> Vec<StreamId> {
    let mut streams: Vec<StreamId> = erasure.streams().into_iter().collect();
    streams.sort_by_key(ToString::to_string);
    streams.dedup();
    streams
}
