//! The statements both stores run, and what they do between them: one
//! module, so the blocking [`PgStore`](crate::PgStore) and the async
//! [`AsyncPgStore`](crate::AsyncPgStore) keep one table layout and one
//! append method.

use std::collections::BTreeSet;

use fanatical::chrono::{DateTime, Utc};
use fanatical::event::{Event, StreamId};
use fanatical::id::MessageId;
use fanatical::store::{
    ChunkReader, Erasure, ExpectedVersion, Lease, LeaseHolder, LeaseOutcome, LeaseRow,
    RecordedEvent, Snapshot, SnapshotChunks, SnapshotRead, StoreError, StreamWrite,
};
use serde::Serialize;
use serde::de::DeserializeOwned;

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
);
CREATE TABLE IF NOT EXISTS leases (
    message     text    PRIMARY KEY,
    holder      text    NOT NULL,
    token       bigint  NOT NULL,
    until_secs  bigint,
    until_nanos int,
    finished    boolean NOT NULL
);
CREATE TABLE IF NOT EXISTS snapshots (
    id       bigserial PRIMARY KEY,
    position bigint    NOT NULL,
    snapshot text,     -- JSON: rows written before snapshots were MessagePack
    body     bytea     -- MessagePack, saved whole (before snapshots were chunked)
);
-- A table made before snapshots were MessagePack: the new column, and
-- the old one may now be empty. Checked first, so opening an up-to-date
-- table takes no lock on it.
DO $migrate$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_attribute
                   WHERE attrelid = 'snapshots'::regclass AND attname = 'body'
                     AND NOT attisdropped) THEN
        ALTER TABLE snapshots ADD COLUMN body bytea;
        ALTER TABLE snapshots ALTER COLUMN snapshot DROP NOT NULL;
    END IF;
END $migrate$;
-- Snapshots in chunks: a snapshot's row records how many chunks and
-- bytes it has (both NULL in a row saved whole, before chunks), and
-- its bytes are rows of `snapshot_chunks`, deleted with it. Checked
-- first, as above.
DO $chunks$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_attribute
                   WHERE attrelid = 'snapshots'::regclass AND attname = 'chunks'
                     AND NOT attisdropped) THEN
        ALTER TABLE snapshots ADD COLUMN chunks int, ADD COLUMN size bigint;
    END IF;
END $chunks$;
CREATE TABLE IF NOT EXISTS snapshot_chunks (
    snapshot bigint NOT NULL REFERENCES snapshots (id) ON DELETE CASCADE,
    seq      int    NOT NULL,
    bytes    bytea  NOT NULL,
    PRIMARY KEY (snapshot, seq)
);
CREATE TABLE IF NOT EXISTS erasures (
    position bigint NOT NULL
);
CREATE OR REPLACE FUNCTION append_events(
    w_stream   text[],   -- the batch's streams, in batch order
    w_expected bigint[], -- each write's expected version (NULL: any)
    w_count    bigint[], -- how many events each write appends
    e_write    int[],    -- per event: its write (from 1)
    e_offset   bigint[], -- per event: its place in its write (from 1)
    e_id       text[],
    e_schema   int[],
    e_event    text[],
    e_actor    text[],
    e_command  text[]
) RETURNS TABLE (conflict int, actual bigint[], after bigint)
LANGUAGE plpgsql
-- No SET clauses (each would be set and reset on every call, a third of
-- the call's cost): the tables are found through the session's search
-- path and the plans are generic by the session's plan_cache_mode, both
-- set by `session_setup`.
AS $fn$
DECLARE
    n        int := coalesce(array_length(w_stream, 1), 0);
    versions bigint[] := array_fill(0::bigint, ARRAY[n]);
    moved    boolean[] := array_fill(false, ARRAY[n]);
    sorted   int[] := ARRAY[1];
    stale    int;
    total    bigint := 0;
    before   bigint;
    i        int;
    cnt      bigint;
    expect   bigint;
    ver      bigint;
BEGIN
    IF n > 1 THEN
        SELECT array_agg(o.i ORDER BY o.s COLLATE \"C\") INTO sorted
            FROM unnest(w_stream) WITH ORDINALITY AS o (s, i);
    END IF;
    -- 1-3. In sorted (byte) order, lock each stream's row and, while no
    --    write is stale, check its version and move it on in one
    --    statement (creating the row of a new stream); a stale write, a
    --    write of no events and every write after a stale one only lock
    --    and read the row.
    FOR k IN 1 .. n LOOP
        i := sorted[k];
        cnt := w_count[i];
        expect := w_expected[i];
        ver := NULL;
        IF cnt > 0 AND stale IS NULL THEN
            IF expect IS NULL OR expect = 0 THEN
                INSERT INTO streams AS t (stream, version) VALUES (w_stream[i], cnt)
                    ON CONFLICT (stream) DO UPDATE SET version = t.version + cnt
                        WHERE expect IS NULL OR t.version = expect
                    RETURNING t.version - cnt INTO ver;
            ELSE
                UPDATE streams AS t SET version = t.version + cnt
                    WHERE t.stream = w_stream[i] AND t.version = expect
                    RETURNING t.version - cnt INTO ver;
            END IF;
            moved[i] := ver IS NOT NULL;
        END IF;
        IF ver IS NULL THEN
            SELECT t.version INTO ver FROM streams AS t
                WHERE t.stream = w_stream[i] FOR UPDATE;
            ver := coalesce(ver, 0);
        END IF;
        versions[i] := ver;
        IF expect IS NOT NULL AND expect <> ver AND (stale IS NULL OR i < stale) THEN
            stale := i;
        END IF;
        total := total + cnt;
    END LOOP;
    -- A stale write (the first in batch order, as the desk expects) is
    -- the conflict: the streams moved before it are put back (their rows
    -- are still ours) and nothing is written.
    IF stale IS NOT NULL THEN
        UPDATE streams AS t SET version = versions[o.i]
            FROM unnest(w_stream) WITH ORDINALITY AS o (s, i)
            WHERE t.stream = o.s AND moved[o.i];
        conflict := stale;
        actual := versions;
        RETURN NEXT;
        RETURN;
    END IF;
    actual := versions;
    IF total > 0 THEN
        -- 4. Last: take the positions, holding the head until commit.
        UPDATE head SET position = position + total WHERE id = 1
            RETURNING position - total INTO before;
        -- 5. Insert the events.
        INSERT INTO events (position, stream, version, id, schema, event, actor, command)
            SELECT before + e.n, w_stream[e.w], versions[e.w] + e.k, e.id, e.schema, e.event,
                   e.actor, e.command
            FROM unnest(e_write, e_offset, e_id, e_schema, e_event, e_actor, e_command)
                 WITH ORDINALITY AS e (w, k, id, schema, event, actor, command, n);
        after := before;
    END IF;
    RETURN NEXT;
END
$fn$;
CREATE OR REPLACE FUNCTION append_group(
    w_append   int[],    -- per write: its append in the group (from 1; an
                         -- append's writes adjacent, appends in group order)
    w_stream   text[],
    w_expected bigint[],
    w_count    bigint[],
    e_write    int[],    -- per event: its write in the group (from 1)
    e_offset   bigint[],
    e_id       text[],
    e_schema   int[],
    e_event    text[],
    e_actor    text[],
    e_command  text[]
) RETURNS TABLE (conflict int, actual bigint[], after bigint) -- one row per append
LANGUAGE plpgsql
AS $fn$
DECLARE
    n        int := coalesce(array_length(w_stream, 1), 0);
    apps     int := coalesce(w_append[n], 0);
    names    text[];
    found_v  bigint[] := '{}';
    cur      bigint[];
    w_name   int[];
    w_before bigint[] := array_fill(0::bigint, ARRAY[n]);
    a_first  int[] := array_fill(NULL::int, ARRAY[apps]);
    a_last   int[] := array_fill(NULL::int, ARRAY[apps]);
    a_conf   int[] := array_fill(NULL::int, ARRAY[apps]);
    a_at     bigint[] := array_fill(NULL::bigint, ARRAY[apps]);
    a_events bigint[] := array_fill(0::bigint, ARRAY[apps]);
    total    bigint := 0;
    before   bigint;
    stale    int;
    ver      bigint;
    a        int;
BEGIN
    -- 1. Lock every stream of the group, once each, in sorted (byte)
    --    order, before the head: the order of a single append, so no two
    --    appends, grouped or not, deadlock. A missing stream's row is
    --    made at version 0 (locked as ours), and removed below unless an
    --    append moved it.
    SELECT array_agg(u.s ORDER BY u.s COLLATE \"C\") INTO names
        FROM (SELECT DISTINCT s FROM unnest(w_stream) AS d (s)) AS u;
    FOR k IN 1 .. coalesce(array_length(names, 1), 0) LOOP
        SELECT t.version INTO ver FROM streams AS t WHERE t.stream = names[k] FOR UPDATE;
        IF NOT FOUND THEN
            INSERT INTO streams AS t (stream, version) VALUES (names[k], 0)
                ON CONFLICT (stream) DO UPDATE SET version = t.version
                RETURNING t.version INTO ver;
        END IF;
        found_v[k] := ver;
    END LOOP;
    cur := found_v;
    SELECT array_agg(array_position(names, d.s) ORDER BY d.i) INTO w_name
        FROM unnest(w_stream) WITH ORDINALITY AS d (s, i);
    FOR i IN 1 .. n LOOP
        a := w_append[i];
        IF a_first[a] IS NULL THEN
            a_first[a] := i;
        END IF;
        a_last[a] := i;
    END LOOP;
    -- 2. Each append in group order, against the versions the appends
    --    before it left: all its writes current, it moves its streams on
    --    and takes the next positions; else it is a conflict (its first
    --    stale write in batch order) and changes nothing.
    FOR a IN 1 .. apps LOOP
        stale := NULL;
        FOR i IN a_first[a] .. a_last[a] LOOP
            ver := cur[w_name[i]];
            w_before[i] := ver;
            IF stale IS NULL AND w_expected[i] IS NOT NULL AND w_expected[i] <> ver THEN
                stale := i - a_first[a] + 1;
            END IF;
        END LOOP;
        IF stale IS NULL THEN
            a_at[a] := total;
            FOR i IN a_first[a] .. a_last[a] LOOP
                cur[w_name[i]] := cur[w_name[i]] + w_count[i];
                a_events[a] := a_events[a] + w_count[i];
            END LOOP;
            total := total + a_events[a];
        ELSE
            a_conf[a] := stale;
        END IF;
    END LOOP;
    IF total > 0 THEN
        -- 3. The streams' new versions, one row version each.
        UPDATE streams AS t SET version = u.v
            FROM unnest(names, cur, found_v) AS u (s, v, f)
            WHERE t.stream = u.s AND u.v <> u.f;
        -- 4. Last: the positions of the whole group, holding the head
        --    until the one commit.
        UPDATE head SET position = position + total WHERE id = 1
            RETURNING position - total INTO before;
        -- 5. The events of the appends that hold, in group order.
        INSERT INTO events (position, stream, version, id, schema, event, actor, command)
            SELECT before + row_number() OVER (ORDER BY e.n), w_stream[e.w],
                   w_before[e.w] + e.k, e.id, e.schema, e.event, e.actor, e.command
            FROM unnest(e_write, e_offset, e_id, e_schema, e_event, e_actor, e_command)
                 WITH ORDINALITY AS e (w, k, id, schema, event, actor, command, n)
            WHERE a_conf[w_append[e.w]] IS NULL;
    END IF;
    -- Rows made for streams no append moved go again.
    IF 0 = ANY (cur) THEN
        DELETE FROM streams AS t USING unnest(names, cur) AS u (s, v)
            WHERE u.v = 0 AND t.stream = u.s;
    END IF;
    FOR a IN 1 .. apps LOOP
        conflict := a_conf[a];
        actual := w_before[a_first[a] : a_last[a]];
        after := CASE WHEN a_conf[a] IS NULL AND a_events[a] > 0 THEN before + a_at[a] END;
        RETURN NEXT;
    END LOOP;
END
$fn$;";

/// Serialises migrations of one schema: two stores created at once wait
/// for each other instead of racing `CREATE TABLE IF NOT EXISTS`.
pub(crate) const MIGRATE_LOCK: &str =
    "SELECT pg_advisory_xact_lock(hashtext('fanatical-postgres migrate ' || $1))";

/// Whether the schema exists (so a role that may not create schemas can
/// still use one made for it).
pub(crate) const SCHEMA_EXISTS: &str = "SELECT 1 FROM pg_namespace WHERE nspname = $1";

/// One append: the method of the [crate docs](crate), steps 1 to 5, in
/// one call (one round trip). Returns the first stale write (from 1) or
/// none, every write's stream version as found, and the position before
/// the first one taken.
pub(crate) const APPEND: &str =
    "SELECT conflict, actual, after FROM append_events($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";

/// A group of appends in one transaction ([`PgGroupAppender`]): the
/// appends' writes and events as [`APPEND`]'s arrays laid end to end,
/// with each write's append first. One row per append, in group order,
/// as [`APPEND`] answers for one.
///
/// [`PgGroupAppender`]: crate::PgGroupAppender
pub(crate) const APPEND_GROUP: &str = "SELECT conflict, actual, after FROM append_group($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";

/// Serialises the lease calls on one message (across every connection,
/// whether or not its row exists yet) until the transaction ends.
pub(crate) const LEASE_LOCK: &str = "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))";

/// A message's lease row.
pub(crate) const LEASE_SELECT: &str =
    "SELECT holder, token, until_secs, until_nanos, finished FROM leases WHERE message = $1";

/// Stores a message's lease row.
pub(crate) const LEASE_UPSERT: &str =
    "INSERT INTO leases (message, holder, token, until_secs, until_nanos, finished)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (message) DO UPDATE SET holder = $2, token = $3,
         until_secs = $4, until_nanos = $5, finished = $6";

/// The advisory lock key of `message`'s lease in `schema`.
pub(crate) fn lease_key(schema: &str, message: &str) -> String {
    format!("fanatical-postgres lease {schema} {message}")
}

/// A lease row as stored, or why it cannot be read.
pub(crate) fn lease_row(message: &str, row: &postgres::Row) -> Result<LeaseRow, StoreError> {
    let corrupt =
        |what: &str| StoreError::backend_message(format!("lease of message {message}: {what}"));
    let holder: String = row.try_get(0).map_err(backend)?;
    let token: i64 = row.try_get(1).map_err(backend)?;
    let secs: Option<i64> = row.try_get(2).map_err(backend)?;
    let nanos: Option<i32> = row.try_get(3).map_err(backend)?;
    let finished: bool = row.try_get(4).map_err(backend)?;
    let until = match (secs, nanos) {
        (Some(s), Some(n)) => Some(
            u32::try_from(n)
                .ok()
                .and_then(|n| DateTime::<Utc>::from_timestamp(s, n))
                .ok_or_else(|| corrupt("an instant out of range"))?,
        ),
        _ => None,
    };
    Ok(LeaseRow {
        holder: LeaseHolder::new(&holder).map_err(|e| corrupt(&e.to_string()))?,
        token: u64::try_from(token).map_err(|_| corrupt("a negative token"))?,
        until,
        finished,
    })
}

/// [`LEASE_UPSERT`]'s parameters after the message: holder, token,
/// seconds, nanoseconds, finished.
pub(crate) fn lease_params(row: &LeaseRow) -> (String, i64, Option<i64>, Option<i32>, bool) {
    (
        row.holder.as_str().to_owned(),
        to_i64(row.token),
        row.until.map(|u| u.timestamp()),
        row.until
            .map(|u| i32::try_from(u.timestamp_subsec_nanos()).unwrap_or(0)),
        row.finished,
    )
}

/// The lease rule of a take ([`LeaseRow::take`]): what to answer and the
/// row to store, given the row found. Both stores run it inside the lease
/// transaction.
pub(crate) fn take<'a>(
    message: MessageId,
    holder: &'a LeaseHolder,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
) -> impl FnOnce(Option<LeaseRow>) -> (LeaseOutcome, Option<LeaseRow>) + 'a {
    move |current| {
        let d = LeaseRow::take(current.as_ref(), message, holder, now, until);
        (d.outcome, d.row)
    }
}

/// The lease rule of a finish ([`LeaseRow::finished`]).
pub(crate) fn finish(lease: &Lease) -> impl FnOnce(Option<LeaseRow>) -> (bool, Option<LeaseRow>) {
    move |current| {
        let row = LeaseRow::finished(current, lease);
        (row.is_some(), row)
    }
}

/// The lease rule of a release ([`LeaseRow::released`]).
pub(crate) fn release(lease: &Lease) -> impl FnOnce(Option<LeaseRow>) -> (bool, Option<LeaseRow>) {
    move |current| {
        let row = LeaseRow::released(current, lease);
        (row.is_some(), row)
    }
}

/// How a snapshot's bytes begin: what follows is MessagePack of the
/// whole [`Snapshot`], structs as maps of named fields.
const SNAPSHOT_MAGIC: &[u8] = b"fanatical-snapshot/msgpack\n";

/// A snapshot's bytes as [`SNAPSHOT_CHUNK_INSERT`] keeps them, in chunks of
/// `size`: the whole [`Snapshot`] as MessagePack after [`SNAPSHOT_MAGIC`].
pub(crate) fn snapshot_chunks<S: Serialize>(
    snapshot: &Snapshot<S>,
    size: usize,
) -> Result<SnapshotChunks, StoreError> {
    let mut chunks = SnapshotChunks::new(size);
    std::io::Write::write_all(&mut chunks, SNAPSHOT_MAGIC).map_err(backend)?;
    rmp_serde::encode::write_named(&mut chunks, snapshot).map_err(backend)?;
    Ok(chunks)
}

/// [`SNAPSHOT_INSERT`]'s chunk count and size.
pub(crate) fn chunk_params(chunks: &SnapshotChunks) -> (i32, i64) {
    (
        i32::try_from(chunks.count()).unwrap_or(i32::MAX),
        to_i64(chunks.len()),
    )
}

/// The latest snapshot's row, from [`SNAPSHOT_LATEST`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct SnapshotHead {
    pub(crate) id: i64,
    pub(crate) position: u64,
    /// How many chunks and bytes; none for a row saved whole.
    pub(crate) chunks: Option<(u64, u64)>,
}

/// The row of [`SNAPSHOT_LATEST`].
pub(crate) fn snapshot_head(row: &postgres::Row) -> Result<SnapshotHead, StoreError> {
    let id: i64 = row.try_get(0).map_err(backend)?;
    let position: i64 = row.try_get(1).map_err(backend)?;
    let chunks: Option<i32> = row.try_get(2).map_err(backend)?;
    let size: Option<i64> = row.try_get(3).map_err(backend)?;
    Ok(SnapshotHead {
        id,
        position: to_u64(position),
        chunks: chunks
            .zip(size)
            .map(|(c, s)| (u64::try_from(c).unwrap_or(0), to_u64(s))),
    })
}

/// [`SNAPSHOT_CHUNK`]'s parameters for chunk `seq` of `head`'s snapshot.
pub(crate) fn chunk_key(head: &SnapshotHead, seq: u64) -> (i64, i32) {
    (head.id, i32::try_from(seq).unwrap_or(i32::MAX))
}

/// The bytes of a chunk's row from [`SNAPSHOT_CHUNK`] (none: no such row).
pub(crate) fn chunk_of(row: Option<&postgres::Row>) -> Result<Option<Vec<u8>>, StoreError> {
    row.map(|r| r.try_get::<_, Vec<u8>>(0).map_err(backend))
        .transpose()
}

/// Replaces `buf`'s bytes with those of a chunk's row from
/// [`SNAPSHOT_CHUNK`]; `false` when there is no such row.
pub(crate) fn fill_chunk(
    row: Option<&postgres::Row>,
    buf: &mut Vec<u8>,
) -> Result<bool, StoreError> {
    let Some(row) = row else {
        return Ok(false);
    };
    let bytes: &[u8] = row.try_get(0).map_err(backend)?;
    buf.clear();
    buf.extend_from_slice(bytes);
    Ok(true)
}

/// The snapshot of `head`'s chunks, each fetched with `next` as the
/// decoder reaches it (one in memory at a time) or all first, as `reads`
/// says, and checked against what `head` recorded.
pub(crate) fn decode_chunks<S: DeserializeOwned>(
    head: &SnapshotHead,
    (chunks, size): (u64, u64),
    reads: SnapshotRead,
    next: impl FnMut(u64, &mut Vec<u8>) -> Result<bool, StoreError>,
) -> Result<Snapshot<S>, StoreError> {
    let reader = ChunkReader::new(head.position, chunks, size, next);
    match reads {
        SnapshotRead::Streamed => reader.decode(SNAPSHOT_MAGIC, |r| rmp_serde::from_read(r)),
        _ => reader.decode_whole(SNAPSHOT_MAGIC, |b| rmp_serde::from_slice(b)),
    }
}

/// Refuses to keep a snapshot at `position` when the last erasure (the
/// row of [`ERASED_AT`]) came after it.
pub(crate) fn check_after_erasure(position: u64, erased: &postgres::Row) -> Result<(), StoreError> {
    let erased_at = to_u64(erased.try_get::<_, i64>(0).map_err(backend)?);
    if position < erased_at {
        return Err(StoreError::StaleSnapshot {
            position,
            erased_at,
        });
    }
    Ok(())
}

/// The snapshot in a row saved whole ([`SNAPSHOT_WHOLE`]), or why it
/// cannot be read.
pub(crate) fn snapshot_of<S: DeserializeOwned>(
    row: &postgres::Row,
) -> Result<Snapshot<S>, StoreError> {
    let position: i64 = row.try_get(0).map_err(backend)?;
    let json: Option<&str> = row.try_get(1).map_err(backend)?;
    let body: Option<&[u8]> = row.try_get(2).map_err(backend)?;
    let corrupt = |reason: String| StoreError::Corrupt {
        position: to_u64(position),
        reason: format!("snapshot: {reason}"),
    };
    match (body, json) {
        (Some(bytes), _) => match bytes.strip_prefix(SNAPSHOT_MAGIC) {
            Some(body) => rmp_serde::from_slice(body).map_err(|e| corrupt(e.to_string())),
            None => Err(corrupt("not in an encoding this store writes".into())),
        },
        (None, Some(json)) => serde_json::from_str(json).map_err(|e| corrupt(e.to_string())),
        (None, None) => Err(corrupt("the row holds none".into())),
    }
}

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

/// Locks the version rows of the streams an erasure searches or its batch
/// writes, in the order `append_events` locks them, before any redaction:
/// an append to one of them that commits while the erasure runs would
/// otherwise slip an unredacted event in below the erasure's. Appends to
/// them wait for the erasure to commit.
pub(crate) const LOCK_STREAMS: &str = "SELECT stream FROM streams WHERE stream = ANY($1::text[]) ORDER BY stream COLLATE \"C\" FOR UPDATE";

/// An erasure drops every snapshot (each is a copy of what it erases),
/// their chunks with them. Its
/// table lock also makes a snapshot being saved wait for the erasure to
/// commit, and then see it ([`SNAPSHOT_LOCK`]).
pub(crate) const SNAPSHOTS_DROP: &str = "DELETE FROM snapshots";

/// Where an erasure took effect: no snapshot folded before it is kept.
pub(crate) const ERASURE_RECORD: &str = "INSERT INTO erasures (position) VALUES ($1)";

/// Taken by a save before it reads the last erasure: an erasure running at
/// the same time either waits for the save (and drops its snapshot) or
/// commits first (and the save sees it and refuses).
pub(crate) const SNAPSHOT_LOCK: &str = "LOCK TABLE snapshots IN SHARE ROW EXCLUSIVE MODE";

/// The position of the last erasure (0: none).
pub(crate) const ERASED_AT: &str = "SELECT COALESCE(MAX(position), 0) FROM erasures";

/// Keeps a snapshot's row: its position, how many chunks and bytes
/// ([`chunk_params`]).
pub(crate) const SNAPSHOT_INSERT: &str =
    "INSERT INTO snapshots (position, chunks, size) VALUES ($1, $2, $3) RETURNING id";

/// Keeps one of a snapshot's chunks ([`snapshot_chunks`]).
pub(crate) const SNAPSHOT_CHUNK_INSERT: &str =
    "INSERT INTO snapshot_chunks (snapshot, seq, bytes) VALUES ($1, $2, $3)";

/// Drops the snapshots a new one supersedes (their chunks with them).
pub(crate) const SNAPSHOT_PRUNE: &str = "DELETE FROM snapshots WHERE id <> $1 AND position <= $2";

/// The latest snapshot's row ([`snapshot_head`]).
pub(crate) const SNAPSHOT_LATEST: &str =
    "SELECT id, position, chunks, size FROM snapshots ORDER BY position DESC, id DESC LIMIT 1";

/// A snapshot saved whole, before snapshots were chunked ([`snapshot_of`]).
pub(crate) const SNAPSHOT_WHOLE: &str =
    "SELECT position, snapshot, body FROM snapshots WHERE id = $1";

/// One chunk of a snapshot ([`chunk_key`], [`chunk_of`]).
pub(crate) const SNAPSHOT_CHUNK: &str =
    "SELECT bytes FROM snapshot_chunks WHERE snapshot = $1 AND seq = $2";

/// A stream's events to redact, locked until the erasure commits.
pub(crate) const REDACT_SELECT: &str =
    "SELECT position, event FROM events WHERE stream = $1 ORDER BY version FOR UPDATE";

/// Replaces one event's text.
pub(crate) const REDACT_UPDATE: &str = "UPDATE events SET event = $1 WHERE position = $2";

/// Reclaims the old versions of redacted rows (best effort, after the
/// erasure commits; outside any transaction).
pub(crate) const VACUUM: &str = "VACUUM events, snapshots, snapshot_chunks";

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

/// What every session of a store on `schema` sets: the schema as its
/// search path (where `append_events` finds its tables), and generic plans
/// for prepared statements and `append_events`' statements: they are index
/// lookups whatever the parameters hold, and PostgreSQL would otherwise
/// plan the statements over arrays afresh on every call, which cost more
/// than the append itself.
pub(crate) fn session_setup(schema: &str) -> String {
    format!(
        "SET search_path TO {}; SET plan_cache_mode = force_generic_plan",
        quote_ident(schema)
    )
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

/// A batch checked for an append: the batch, and [`APPEND`]'s parameters.
pub(crate) struct Plan<'a> {
    pub(crate) batch: &'a [StreamWrite],
    pub(crate) params: Params,
}

/// [`APPEND`]'s parameters, owned (so a group appender's leader can take
/// them from the thread or task that made them).
#[derive(Default)]
pub(crate) struct Params {
    pub(crate) w_stream: Vec<String>,
    pub(crate) w_expected: Vec<Option<i64>>,
    pub(crate) w_count: Vec<i64>,
    pub(crate) e_write: Vec<i32>,
    pub(crate) e_offset: Vec<i64>,
    pub(crate) e_id: Vec<String>,
    pub(crate) e_schema: Vec<i32>,
    pub(crate) e_event: Vec<String>,
    pub(crate) e_actor: Vec<Option<String>>,
    pub(crate) e_command: Vec<Option<String>>,
}

impl Params {
    /// [`APPEND`]'s parameters.
    pub(crate) fn as_sql(&self) -> [&(dyn postgres::types::ToSql + Sync); 10] {
        [
            &self.w_stream,
            &self.w_expected,
            &self.w_count,
            &self.e_write,
            &self.e_offset,
            &self.e_id,
            &self.e_schema,
            &self.e_event,
            &self.e_actor,
            &self.e_command,
        ]
    }
}

/// What [`APPEND`] (or one row of [`APPEND_GROUP`]) answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Appended {
    /// The first stale write, from 1.
    pub(crate) conflict: Option<i32>,
    /// Every write's stream version before the append.
    pub(crate) actual: Vec<i64>,
    /// The position before the first one taken (none: nothing written).
    pub(crate) after: Option<i64>,
}

impl Appended {
    /// The answer in a row of [`APPEND`] or of [`APPEND_GROUP`].
    pub(crate) fn of(row: &postgres::Row) -> Result<Self, StoreError> {
        Ok(Appended {
            conflict: row.try_get(0).map_err(backend)?,
            actual: row.try_get(1).map_err(backend)?,
            after: row.try_get(2).map_err(backend)?,
        })
    }
}

impl<'a> Plan<'a> {
    /// Refuses a batch that names a stream twice; serialises the rest.
    pub(crate) fn new(batch: &'a [StreamWrite]) -> Result<Self, StoreError> {
        let mut seen = BTreeSet::new();
        for w in batch {
            if !seen.insert(w.stream) {
                return Err(StoreError::DuplicateStreamInBatch(w.stream));
            }
        }
        let mut p = Params::default();
        for (w, index) in batch.iter().zip(1i32..) {
            p.w_stream.push(w.stream.to_string());
            p.w_expected.push(match w.expected {
                ExpectedVersion::Exact(v) => Some(to_i64(v)),
                ExpectedVersion::Any => None,
            });
            p.w_count
                .push(i64::try_from(w.events.len()).unwrap_or(i64::MAX));
            for (e, offset) in w.events.iter().zip(1i64..) {
                p.e_write.push(index);
                p.e_offset.push(offset);
                p.e_id.push(e.id.to_string());
                p.e_schema.push(i32::try_from(e.schema).map_err(|_| {
                    StoreError::backend_message(format!(
                        "event {} has schema {}, more than the column holds",
                        e.id, e.schema
                    ))
                })?);
                p.e_event
                    .push(serde_json::to_string(&e.event).map_err(backend)?);
                p.e_actor.push(
                    e.actor
                        .as_ref()
                        .map(serde_json::to_string)
                        .transpose()
                        .map_err(backend)?,
                );
                p.e_command
                    .push(e.command.as_ref().map(ToString::to_string));
            }
        }
        Ok(Plan { batch, params: p })
    }

    /// [`APPEND`]'s parameters.
    pub(crate) fn params(&self) -> [&(dyn postgres::types::ToSql + Sync); 10] {
        self.params.as_sql()
    }

    /// [`APPEND`]'s answer in `row`: the stored events, or the conflict.
    pub(crate) fn outcome(&self, row: &postgres::Row) -> Result<Vec<RecordedEvent>, StoreError> {
        self.outcome_of(&Appended::of(row)?)
    }

    /// The stored events an answer stands for, or the conflict.
    pub(crate) fn outcome_of(&self, answer: &Appended) -> Result<Vec<RecordedEvent>, StoreError> {
        let actual = |i: usize| answer.actual.get(i).copied().map_or(0, to_u64);
        if let Some(stale) = answer.conflict {
            let i = usize::try_from(stale.saturating_sub(1)).unwrap_or(0);
            return Err(match self.batch.get(i) {
                Some(w) => StoreError::Conflict {
                    stream: w.stream,
                    expected: w.expected,
                    actual: actual(i),
                },
                None => StoreError::backend_message(format!(
                    "the append reported write {stale} of {} stale",
                    self.batch.len()
                )),
            });
        }
        let Some(after) = answer.after else {
            return Ok(Vec::new());
        };
        let mut position = to_u64(after);
        let mut out = Vec::new();
        for (i, w) in self.batch.iter().enumerate() {
            let mut version = actual(i);
            for e in &w.events {
                version = version.saturating_add(1);
                position = position.saturating_add(1);
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
        Ok(out)
    }
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
/// The names of the streams an erasure searches and its batch writes (for
/// [`LOCK_STREAMS`]).
pub(crate) fn streams_to_lock(erasure: &Erasure, batch: &[StreamWrite]) -> Vec<String> {
    let mut names: Vec<String> = erasure
        .streams()
        .into_iter()
        .chain(batch.iter().map(|w| w.stream))
        .map(|s| s.to_string())
        .collect();
    names.sort();
    names.dedup();
    names
}

pub(crate) fn erasure_streams(erasure: &Erasure) -> Vec<StreamId> {
    let mut streams: Vec<StreamId> = erasure.streams().into_iter().collect();
    streams.sort_by_key(ToString::to_string);
    streams.dedup();
    streams
}

/// Whether the server refused a whole statement with an ordinary error,
/// so nothing of it was written and the session is still usable: an
/// `ERROR` that is not a connection exception (SQLSTATE class 08), an
/// operator's intervention (57: a shutdown, a terminated backend, which
/// can reach the client before the socket closes) or an internal error
/// (XX). A group falls back to each append alone only then; anything else
/// is a lost connection for every append of the group.
pub(crate) fn refused_whole(e: &tokio_postgres::Error) -> bool {
    e.as_db_error().is_some_and(|db| {
        let class = db.code().code().get(..2).unwrap_or("");
        db.parsed_severity() == Some(tokio_postgres::error::Severity::Error)
            && !matches!(class, "08" | "57" | "XX")
    })
}
