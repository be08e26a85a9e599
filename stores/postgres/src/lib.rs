//! # fanatical-postgres
//!
//! A [`fanatical::store::Store`] on PostgreSQL: the desk's events in one
//! schema of a database that many desks, in many processes, may share;
//! appended atomically across streams with expected versions; numbered
//! with global positions that have no gaps and follow commit order, so a
//! reader catching up with `read_all` never skips an event.
//!
//! ```no_run
//! use fanatical::chrono::{TimeZone, Utc};
//! use fanatical::prelude::*;
//! use fanatical_postgres::PgStore;
//!
//! let now = Utc.with_ymd_and_hms(2026, 11, 2, 2, 0, 0).unwrap();
//! let mut store = PgStore::connect("postgres://desk@localhost/support")?;
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
//! ## The tables
//!
//! [`PgStore::connect`] uses the schema `fanatical`;
//! [`PgStore::with_schema`] any other (one per desk, or per test). The
//! constructor creates the schema, its tables and the append function
//! when they are missing, under an advisory lock, so stores started at
//! once do not race:
//!
//! ```sql
//! CREATE TABLE head    (id int PRIMARY KEY CHECK (id = 1), position bigint NOT NULL);
//! CREATE TABLE streams (stream text PRIMARY KEY, version bigint NOT NULL);
//! CREATE TABLE events  (
//!     position bigint PRIMARY KEY,
//!     stream   text   NOT NULL,
//!     version  bigint NOT NULL,
//!     id       text   NOT NULL UNIQUE,
//!     schema   int    NOT NULL,   -- the event's wire-format version
//!     event    text   NOT NULL,   -- the event as JSON, as fanatical-sqlite stores it
//!     actor    text,              -- who did it, as JSON
//!     command  text,              -- the causing command's idempotency key
//!     UNIQUE (stream, version)
//! );
//! CREATE FUNCTION append_events(...)  -- the append below, in PL/pgSQL
//! ```
//!
//! Snapshots, of any size, go to two tables. The whole [`Snapshot`] is
//! MessagePack (structs as maps of named fields, after the 27 bytes
//! `fanatical-snapshot/msgpack` and a newline), about 70% of JSON's size
//! and twice as fast to restart from; PostgreSQL keeps at most 1 GB in one
//! value and a desk's snapshot at the stories' scale is larger, so the
//! bytes are cut into chunks of 64 MiB
//! ([`fanatical::store::SNAPSHOT_CHUNK_SIZE`];
//! [`PgStore::with_snapshot_chunk_size`] for tests):
//!
//! ```sql
//! CREATE TABLE snapshots (
//!     id       bigserial PRIMARY KEY,
//!     position bigint NOT NULL,
//!     snapshot text,   -- JSON, in rows saved before MessagePack
//!     body     bytea,  -- MessagePack, in rows saved whole before chunks
//!     chunks   int,    -- how many chunks (NULL: saved whole)
//!     size     bigint  -- how many bytes they hold
//! );
//! CREATE TABLE snapshot_chunks (
//!     snapshot bigint NOT NULL REFERENCES snapshots (id) ON DELETE CASCADE,
//!     seq      int    NOT NULL,  -- from 0
//!     bytes    bytea  NOT NULL,
//!     PRIMARY KEY (snapshot, seq)
//! );
//! ```
//!
//! A save writes the row and its chunks and deletes the snapshots it
//! supersedes (their chunks with them) in one transaction: a reader sees
//! the new snapshot whole or the one before. A load reads the chunks in
//! one `REPEATABLE READ` transaction, one at a time, checking them against
//! the count and size recorded, into one buffer it decodes; with
//! [`PgStore::with_snapshot_reads`]`(`[`SnapshotRead::Streamed`]`)` it
//! decodes them as they come instead, so the encoded snapshot is never in
//! memory whole beside the state it decodes to, for some more time. A snapshot that no longer reads (a chunk missing,
//! shorter or longer than recorded, bytes that do not decode) is
//! [`StoreError::Corrupt`], and the desk rebuilds from the events and says
//! why. Tables made by earlier versions of this crate kept snapshots whole,
//! as JSON text in `snapshot` or MessagePack in `body`: opening such a
//! schema adds the missing columns (each checked first, so an up-to-date
//! table is not locked), and those rows still load until a new save
//! supersedes them.
//!
//! ## How an append stays atomic, gap-free and in commit order
//!
//! One call of `append_events` with the batch as arrays — one statement,
//! so one round trip and one transaction, at PostgreSQL's default `READ
//! COMMITTED` — does five steps:
//!
//! 1. **Lock the streams, in sorted order.** The batch's streams are
//!    visited sorted by name (bytewise), and each stream's row in `streams`
//!    is locked by the statement that checks and moves it: `INSERT …
//!    ON CONFLICT (stream) DO UPDATE SET version = version + n WHERE
//!    version = expected RETURNING …` for a write expecting version 0 or
//!    any (creating the row of a new stream), `UPDATE … WHERE version =
//!    expected RETURNING …` otherwise. A writer holding the row makes the
//!    statement wait, and then it sees what that writer committed. Sorted
//!    order means two appends that share streams take them in one order
//!    and never deadlock.
//! 2. **Check the expected versions.** A write whose statement moved no
//!    row is stale. Its row, the row of a write of no events (which only
//!    checks its version) and the row of every stream after the first
//!    stale one are locked and read with `SELECT … FOR UPDATE`, creating
//!    nothing. A stale write is [`StoreError::Conflict`] (the first stale
//!    write of the batch, in batch order, as the desk expects): the
//!    streams already moved are put back (their rows are still the
//!    append's) and nothing is written.
//! 3. **The streams' versions have moved on** with step 1: one row
//!    version per stream, no second `UPDATE`.
//! 4. **Take the global positions last.** `UPDATE head SET position =
//!    position + n RETURNING …` on the one-row `head` table: every append
//!    waits here for the one before it to commit, and keeps the row until
//!    its own commit. So positions are handed out one transaction at a
//!    time, each from where the last committed one stopped: a failed
//!    append hands nothing out (no gaps), and a transaction with higher
//!    positions can commit only after every lower one has (commit order).
//!    A reader that has seen position *p* has therefore seen everything
//!    below it, and catching up by polling `read_all(p, …)` needs no gap
//!    detection or gap timers (which others got wrong: Marten and
//!    Eventuous skipped committed events).
//! 5. **Insert the events** (one `INSERT … SELECT … FROM unnest(…)`); the
//!    statement's end commits.
//!
//! This is Commanded's EventStore `$all`-row method, with the lock taken
//! last so it covers as little as possible; the unique `(stream,
//! version)` and primary keys are the last line of defence. The store's
//! sessions run with `plan_cache_mode = force_generic_plan`: the
//! function's statements are index lookups whatever the arrays hold, and
//! planning them afresh on every call (PostgreSQL's choice for statements
//! over arrays) cost more than the append itself. The function has no
//! `SET` clauses (setting and resetting them cost a third of a call): it
//! finds its tables through the session's search path, which every store
//! session sets to its schema.
//!
//! **The cost.** The head is held from step 4 through the commit,
//! including the commit's flush of the write-ahead log, so appends — even
//! of unrelated streams — commit one at a time and cannot share a flush:
//! under many writers, the rate of appends is about one per commit
//! latency (the stream locks of steps 1–3 are not global, and everything
//! before step 4 runs in parallel), while plain inserts from several
//! clients share their flushes (the server's group commit). Measured
//! against PostgreSQL's own limit (`benches/append.rs`; the figures are
//! in the workspace README): one writer appends one-event commands at
//! 75–100 % of the rate of plain single-row `INSERT`s, but four writers
//! stay near that one-writer rate. Three ways out, each keeping positions
//! gap-free and in commit order:
//!
//! - **Group commit** ([`PgGroupAppender`], [`AsyncPgGroupAppender`]):
//!   the desks of one process that append at the same time share one
//!   transaction, so one hold of the head and one flush commit them all,
//!   each append still all or nothing with a result of its own (below).
//! - **Batching**: put a decision's events in one batch (one append, one
//!   round trip, however many streams): a batch of eight events costs
//!   little more than one.
//! - Where losing the last moment of appends in a server crash is
//!   acceptable, `synchronous_commit = off` (for the role or database)
//!   shortens the hold to the commit itself (a crash loses the newest
//!   appends, a suffix; a desk that had read them must be rebuilt).
//!
//! ## Group commit
//!
//! A store from [`PgGroupAppender::store`] (threads) or
//! [`AsyncPgGroupAppender::store`] (tokio tasks) sends its appends to the
//! process's appender, which writes whatever appends are waiting as one
//! group: one call of `append_group` on the appender's own connection,
//! one transaction. It locks every stream of the group once, in sorted
//! order, before the head (the order single appends take, so the two
//! never deadlock, in one process or many); checks each append in queue
//! order against the versions the appends before it left (a stale one is
//! its caller's [`StoreError::Conflict`] and writes nothing; the others
//! go on); then takes the positions of all that hold with one update of
//! the head, last, and inserts their events. Positions within a group
//! follow queue order, and a group's come after every transaction that
//! committed before it: gap-free and in commit order, as before. An error
//! the server raises rolls the group back, and each of its appends is
//! then run alone, so that error is its own append's; a lost connection
//! fails the appends of the group in flight, and retrying them is safe
//! (next paragraph). The trade-off: an append may wait for the group
//! before it to commit, and the group's statement locks each stream and
//! then moves it where a single append does both at once, so one writer
//! alone is better off with a plain [`PgStore`]; with several at once,
//! they share flushes, fully with a commit delay and about half of them
//! without (a lock another transaction holds on one stream of a group
//! holds the whole group, where alone it would hold one append). A group holds whatever queued
//! while the one before it committed; with a commit delay
//! ([`PgGroupAppender::with_commit_delay`]) it may wait, up to the delay,
//! until every store of the appender has queued, as PostgreSQL's own
//! `commit_delay` waits for more commits before a flush: on the
//! workspace's bench, four desks then share every commit instead of about
//! two (the figures are in the workspace README).
//!
//! A lost connection is a [`StoreError::Backend`] with the client's error
//! as its source; the next call connects again (for a group, every append
//! of the group in flight fails so, and the next group connects again).
//! An append whose connection dropped during the commit may or may not
//! have been stored: retrying it with the same expected versions is safe,
//! since a stored one makes the retry a [`StoreError::Conflict`]. So is running the command again with
//! the same idempotency key: the desk is unchanged by the failed append;
//! if the append was stored, the retry conflicts, and after
//! [`Desk::catch_up`](fanatical::desk::Desk::catch_up) the command is
//! recognised as a repeat and hands back the first run's events, written
//! once.
//!
//! A row written by a newer version of `fanatical` is refused
//! ([`StoreError::NewerSchema`]) rather than half-read; a row that cannot
//! be read is [`StoreError::Corrupt`], naming its position and what is
//! wrong.
//!
//! ## Erasure
//!
//! [`Store::append_erasing`] rewrites the `event` column of the rows that
//! hold the person (locked `FOR UPDATE`, streams in sorted order), in the
//! same transaction as the append that records the erasure, and deletes
//! every snapshot with its chunks (copies of what was erased); then runs
//! `VACUUM` on the events, snapshots and chunk tables so the old row
//! versions are reclaimed.
//! PostgreSQL does not zero reclaimed space, and its write-ahead log and
//! any backup keep the old text until they are recycled: for a guarantee
//! on disk, run `VACUUM FULL events` (it rewrites the table) and expire
//! old WAL segments and backups.
//!
//! ## Delivery leases
//!
//! Desks sharing the database take each outbound message's delivery lease
//! in a `leases` table (one row per message: holder, fencing token, until,
//! finished) through [`DeliveryLeases`]: each call is one transaction
//! that holds an advisory lock on the message and applies `fanatical`'s
//! own rule ([`LeaseRow::take`], [`LeaseRow::fences`]), so no message is
//! delivered twice within its lease whatever the number of desks.
//!
//! ## Async services
//!
//! [`AsyncPgStore`] is the same store for a tokio service: the same
//! tables and statements (the two may share a schema), `async` methods on
//! tokio-postgres, so an append does not block the runtime. A service
//! decides with [`Desk::decide`](fanatical::desk::Desk::decide), awaits
//! [`AsyncPgStore::append`] and applies the stored events with
//! [`Desk::apply`](fanatical::desk::Desk::apply) ([`AsyncPgStore::execute`]
//! does the three); `examples/tokio_service.rs` runs a desk that way. It
//! keeps delivery leases ([`AsyncPgStore::take_lease`],
//! [`AsyncPgStore::finish_lease`], [`AsyncPgStore::release_lease`]) and
//! snapshots ([`AsyncPgStore::save_snapshot`],
//! [`AsyncPgStore::load_snapshot`], decoding on tokio's blocking pool) in
//! the same tables, by the same statements and rules, as the blocking
//! store's [`DeliveryLeases`] and [`SnapshotStore`]; and
//! [`AsyncPgStore::resume`] restarts a desk from them as
//! [`Desk::resume`](fanatical::desk::Desk::resume) does, by the same rules
//! ([`fanatical::desk::Resume`]), every read awaited.
//!
//! ## Queues
//!
//! [`PgQueues`] serves `fanatical`'s queues
//! ([`fanatical::queue::QueueReadModel`]) from a `queue_rows` table in a
//! schema of its choosing: each filtered field in a column, each sort's
//! key as bytes whose order is the queue's order
//! ([`fanatical::queue::Position::to_bytes`]), the row as JSON. Fill it
//! from `desk.queues().rows()` ([`PgQueues::replace_all`]) and keep it
//! current with `desk.queues().changes(&recorded)` after each applied
//! batch. Its tests run the library's queue conformance suite
//! (`fanatical::queue::conformance`) on it: every sample queue, page for
//! page and count for count, as the desk's in-memory model answers.
//!
//! The store passes `fanatical`'s whole store conformance suite
//! (`fanatical::store::conformance`, feature `conformance`), including
//! reopening a store and two connections writing at once; its tests run
//! it against a real server (see the crate's README).

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

mod async_store;
mod group;
mod group_async;
mod queues;
mod sql;

pub use async_store::AsyncPgStore;
pub use group::{GroupStats, MAX_GROUP, PgGroupAppender};
pub use group_async::AsyncPgGroupAppender;
pub use queues::PgQueues;

use std::fmt;
use std::str::FromStr;
use std::sync::{Mutex, MutexGuard};

use fanatical::chrono::{DateTime, Utc};
use fanatical::event::StreamId;
use fanatical::id::MessageId;
use fanatical::store::{
    DeliveryLeases, Erasure, Lease, LeaseHolder, LeaseOutcome, LeaseRow, RecordedEvent,
    SNAPSHOT_CHUNK_SIZE, Snapshot, SnapshotRead, SnapshotStore, Store, StoreError, StreamWrite,
};
use postgres::{Client, Config, NoTls, Statement};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::sql::{Plan, backend, decode_all, limit, to_i64, version_of};

/// The schema [`PgStore::connect`] uses.
pub const DEFAULT_SCHEMA: &str = "fanatical";

/// An event store in a PostgreSQL schema, over one blocking connection.
/// See the [crate docs](crate) for the tables and how appends keep
/// positions gap-free and in commit order.
///
/// Reads take `&self` (the connection is behind a mutex, so a `PgStore`
/// may be shared between threads for reading); each writer thread should
/// have a store, and so a connection, of its own.
pub struct PgStore {
    /// As parsed (what `Debug` shows).
    parsed: tokio_postgres::Config,
    config: Config,
    schema: String,
    conn: Mutex<Option<Conn>>,
    /// The group appender its appends go through, if any.
    group: Option<group::Member>,
    /// How many bytes of a snapshot go in one row of `snapshot_chunks`.
    chunk_size: usize,
    /// How a snapshot's chunks are read back.
    reads: SnapshotRead,
}

/// A live connection with the store's statements prepared on it.
struct Conn {
    client: Client,
    stmt: Statements,
}

struct Statements {
    append: Statement,
    read_all: Statement,
    read_stream: Statement,
    stream_version: Statement,
}

impl Statements {
    fn prepare(client: &mut Client) -> Result<Self, postgres::Error> {
        Ok(Statements {
            append: client.prepare(sql::APPEND)?,
            read_all: client.prepare(sql::READ_ALL)?,
            read_stream: client.prepare(sql::READ_STREAM)?,
            stream_version: client.prepare(sql::STREAM_VERSION)?,
        })
    }
}

impl fmt::Debug for PgStore {
    /// Names the server, database and schema; never the password.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PgStore")
            .field("hosts", &hosts(&self.parsed))
            .field("ports", &self.parsed.get_ports())
            .field("dbname", &self.parsed.get_dbname())
            .field("schema", &self.schema)
            .finish()
    }
}

/// The servers a configuration names (hosts or socket directories).
pub(crate) fn hosts(config: &tokio_postgres::Config) -> Vec<String> {
    config
        .get_hosts()
        .iter()
        .map(|h| match h {
            tokio_postgres::config::Host::Tcp(name) => name.clone(),
            #[cfg(unix)]
            tokio_postgres::config::Host::Unix(path) => path.display().to_string(),
        })
        .collect()
}

/// The connection string parsed, with an application name the server's
/// activity view shows when the URL gives none.
pub(crate) fn parse_config(url: &str) -> Result<tokio_postgres::Config, StoreError> {
    let mut config = tokio_postgres::Config::from_str(url).map_err(backend)?;
    if config.get_application_name().is_none() {
        config.application_name("fanatical-postgres");
    }
    Ok(config)
}

impl PgStore {
    /// Connects to the database at `url` (a `postgres://` URL or a
    /// `key=value` connection string, without TLS) and uses the schema
    /// [`DEFAULT_SCHEMA`], creating it and its tables when missing.
    ///
    /// # Errors
    /// [`StoreError::Backend`] with the client's error as its source when
    /// the URL does not parse, the server cannot be reached or refuses the
    /// login, or the tables cannot be created.
    pub fn connect(url: &str) -> Result<Self, StoreError> {
        Self::with_schema(url, DEFAULT_SCHEMA)
    }

    /// As [`PgStore::connect`], in the schema `schema`: desks (or tests)
    /// in different schemas of one database do not see each other's
    /// events.
    ///
    /// # Errors
    /// As [`PgStore::connect`], and [`StoreError::Backend`] when `schema`
    /// is not a PostgreSQL identifier (empty, over 63 bytes, or holding
    /// NUL).
    pub fn with_schema(url: &str, schema: &str) -> Result<Self, StoreError> {
        sql::check_schema_name(schema)?;
        Self::open(parse_config(url)?, schema, None)
    }

    /// Connects with `parsed` to `schema` (a checked name), migrating it,
    /// with appends through `group` when given.
    pub(crate) fn open(
        parsed: tokio_postgres::Config,
        schema: &str,
        group: Option<group::Member>,
    ) -> Result<Self, StoreError> {
        let store = PgStore {
            config: Config::from(parsed.clone()),
            parsed,
            schema: schema.to_owned(),
            conn: Mutex::new(None),
            group,
            chunk_size: SNAPSHOT_CHUNK_SIZE,
            reads: SnapshotRead::default(),
        };
        {
            let mut guard = store.lock();
            let mut client = store.config.connect(NoTls).map_err(backend)?;
            migrate(&mut client, schema).map_err(backend)?;
            let stmt = Statements::prepare(&mut client).map_err(backend)?;
            *guard = Some(Conn { client, stmt });
        }
        Ok(store)
    }

    /// The schema the store's tables are in.
    #[must_use]
    pub fn schema(&self) -> &str {
        &self.schema
    }

    /// The group appender this store's appends go through, when it came
    /// from [`PgGroupAppender::store`].
    #[must_use]
    pub fn group(&self) -> Option<&PgGroupAppender> {
        self.group.as_ref().map(group::Member::group)
    }

    /// Cuts snapshots into rows of at most `bytes` bytes (at least 1)
    /// instead of [`SNAPSHOT_CHUNK_SIZE`]'s 64 MiB: for tests that want a
    /// small snapshot in many chunks. Snapshots already saved read back
    /// whatever size their chunks are.
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

    fn lock(&self) -> MutexGuard<'_, Option<Conn>> {
        // A thread that panicked while holding the connection left it
        // either idle or in a transaction its client rolls back: usable.
        self.conn
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Runs `f` on the connection, connecting again first when the last
    /// one was lost or failed.
    fn with_conn<T>(
        &self,
        f: impl FnOnce(&mut Conn) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut guard = self.lock();
        if guard.as_ref().is_none_or(|c| c.client.is_closed()) {
            *guard = None;
            let mut client = self.config.connect(NoTls).map_err(backend)?;
            client
                .batch_execute(&sql::session_setup(&self.schema))
                .map_err(backend)?;
            let stmt = Statements::prepare(&mut client).map_err(backend)?;
            *guard = Some(Conn { client, stmt });
        }
        let result = match guard.as_mut() {
            Some(conn) => f(conn),
            None => Err(StoreError::backend_message("no connection")),
        };
        if matches!(result, Err(StoreError::Backend { .. })) {
            // The client may not know yet that the server has gone (it
            // learns on the next read): start afresh next time rather than
            // fail again on a dead connection. A transaction in progress
            // was rolled back with it.
            *guard = None;
        }
        result
    }

    /// One append: a single call of the server-side `append_events` (one
    /// round trip, its own transaction), or, with an erasure, the
    /// redactions and that call in one transaction.
    fn write(
        &mut self,
        batch: &[StreamWrite],
        erasure: Option<&Erasure>,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        let plan = Plan::new(batch)?;
        self.with_conn(|conn| {
            let Conn { client, stmt } = conn;
            let Some(erasure) = erasure else {
                let row = client
                    .query_one(&stmt.append, &plan.params())
                    .map_err(backend)?;
                return plan.outcome(&row);
            };
            // Dropping the transaction on any error (a conflict included)
            // rolls the redactions back.
            let mut tx = client.transaction().map_err(backend)?;
            tx.query(sql::LOCK_STREAMS, &[&sql::streams_to_lock(erasure, batch)])
                .map_err(backend)?;
            tx.execute(sql::SNAPSHOTS_DROP, &[]).map_err(backend)?;
            for stream in sql::erasure_streams(erasure) {
                let rows = tx
                    .query(sql::REDACT_SELECT, &[&stream.to_string()])
                    .map_err(backend)?;
                for (position, json) in sql::redactions(erasure, &stream, &rows)? {
                    tx.execute(sql::REDACT_UPDATE, &[&json, &position])
                        .map_err(backend)?;
                }
            }
            let row = tx
                .query_one(&stmt.append, &plan.params())
                .map_err(backend)?;
            let recorded = plan.outcome(&row)?;
            let at = recorded.first().map_or(0, |r| to_i64(r.position));
            tx.execute(sql::ERASURE_RECORD, &[&at]).map_err(backend)?;
            tx.commit().map_err(backend)?;
            Ok(recorded)
        })
    }
}

impl PgStore {
    /// Runs `f` on `message`'s lease row inside one transaction that holds
    /// the message's advisory lock; `f` returns what to answer and the
    /// row to store, if any.
    fn with_lease<T>(
        &mut self,
        message: MessageId,
        f: impl FnOnce(Option<LeaseRow>) -> (T, Option<LeaseRow>),
    ) -> Result<T, StoreError> {
        let key = message.to_string();
        let lock = sql::lease_key(&self.schema, &key);
        self.with_conn(|conn| {
            let mut tx = conn.client.transaction().map_err(backend)?;
            tx.execute(sql::LEASE_LOCK, &[&lock]).map_err(backend)?;
            let current = tx
                .query_opt(sql::LEASE_SELECT, &[&key])
                .map_err(backend)?
                .map(|row| sql::lease_row(&key, &row))
                .transpose()?;
            let (answer, row) = f(current);
            if let Some(row) = row {
                let (holder, token, secs, nanos, finished) = sql::lease_params(&row);
                tx.execute(
                    sql::LEASE_UPSERT,
                    &[&key, &holder, &token, &secs, &nanos, &finished],
                )
                .map_err(backend)?;
            }
            tx.commit().map_err(backend)?;
            Ok(answer)
        })
    }
}

/// Delivery leases in the `leases` table, one row per message, decided by
/// `fanatical`'s own rule ([`LeaseRow::take`], [`LeaseRow::fences`]) inside
/// one transaction that holds the message's advisory lock: desks on every
/// connection take turns on a message, so no message is delivered twice
/// within its lease whatever the number of desks.
impl DeliveryLeases for PgStore {
    fn take_lease(
        &mut self,
        message: MessageId,
        holder: &LeaseHolder,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<LeaseOutcome, StoreError> {
        self.with_lease(message, sql::take(message, holder, now, until))
    }

    fn finish_lease(&mut self, lease: &Lease) -> Result<bool, StoreError> {
        self.with_lease(lease.message, sql::finish(lease))
    }

    fn release_lease(&mut self, lease: &Lease) -> Result<bool, StoreError> {
        self.with_lease(lease.message, sql::release(lease))
    }
}

/// Creates the schema (when missing) and its tables, and puts the schema
/// on the session's search path.
pub(crate) fn migrate(client: &mut Client, schema: &str) -> Result<(), postgres::Error> {
    let mut tx = client.transaction()?;
    tx.execute(sql::MIGRATE_LOCK, &[&schema])?;
    if tx.query_opt(sql::SCHEMA_EXISTS, &[&schema])?.is_none() {
        tx.batch_execute(&format!("CREATE SCHEMA {}", sql::quote_ident(schema)))?;
    }
    tx.batch_execute(&sql::session_setup(schema))?;
    tx.batch_execute(sql::MIGRATE)?;
    tx.commit()?;
    // `SET` inside a committed transaction stays for the session.
    Ok(())
}

impl Store for PgStore {
    fn append(&mut self, batch: &[StreamWrite]) -> Result<Vec<RecordedEvent>, StoreError> {
        match &self.group {
            Some(member) => member.group().append(batch),
            None => self.write(batch, None),
        }
    }

    fn append_erasing(
        &mut self,
        batch: &[StreamWrite],
        erasure: &Erasure,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        let out = self.write(batch, Some(erasure))?;
        // Reclaim the redacted rows' old versions now (best effort: a
        // snapshot still open elsewhere delays it to a later vacuum). The
        // erasure itself is committed either way.
        let _ = self.with_conn(|conn| conn.client.batch_execute(sql::VACUUM).map_err(backend));
        Ok(out)
    }

    fn read_stream(
        &self,
        stream: &StreamId,
        after_version: u64,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        self.with_conn(|conn| {
            let rows = conn
                .client
                .query(
                    &conn.stmt.read_stream,
                    &[&stream.to_string(), &to_i64(after_version)],
                )
                .map_err(backend)?;
            decode_all(&rows)
        })
    }

    fn read_all(&self, after: u64, max: usize) -> Result<Vec<RecordedEvent>, StoreError> {
        self.with_conn(|conn| {
            let rows = conn
                .client
                .query(&conn.stmt.read_all, &[&to_i64(after), &limit(max)])
                .map_err(backend)?;
            decode_all(&rows)
        })
    }

    fn stream_version(&self, stream: &StreamId) -> Result<u64, StoreError> {
        self.with_conn(|conn| {
            let row = conn
                .client
                .query_opt(&conn.stmt.stream_version, &[&stream.to_string()])
                .map_err(backend)?;
            version_of(row.as_ref())
        })
    }
}

/// Snapshots are rows of the `snapshots` table (position, how many chunks
/// and bytes) and their bytes, the whole [`Snapshot`] as MessagePack, rows
/// of `snapshot_chunks` of at most 64 MiB each, written in one
/// transaction; rows saved whole by earlier versions (MessagePack in
/// `body`, or JSON in `snapshot`) still load. Saving one deletes those it
/// supersedes, their chunks with them. An erasure deletes them all and
/// records its position in `erasures`, before which no snapshot is saved
/// again; a table lock orders a save and an erasure running at once (see
/// the SQL in `sql.rs`).
impl<S: Serialize + DeserializeOwned> SnapshotStore<S> for PgStore {
    fn save_snapshot(&mut self, snapshot: &Snapshot<S>) -> Result<(), StoreError> {
        let chunks = sql::snapshot_chunks(snapshot, self.chunk_size)?;
        let (count, size) = sql::chunk_params(&chunks);
        self.with_conn(|conn| {
            let mut tx = conn.client.transaction().map_err(backend)?;
            tx.batch_execute(sql::SNAPSHOT_LOCK).map_err(backend)?;
            let erased = tx.query_one(sql::ERASED_AT, &[]).map_err(backend)?;
            sql::check_after_erasure(snapshot.position, &erased)?;
            let position = to_i64(snapshot.position);
            let id: i64 = tx
                .query_one(sql::SNAPSHOT_INSERT, &[&position, &count, &size])
                .map_err(backend)?
                .try_get(0)
                .map_err(backend)?;
            for (chunk, seq) in chunks.iter().zip(0i32..) {
                tx.execute(sql::SNAPSHOT_CHUNK_INSERT, &[&id, &seq, &chunk])
                    .map_err(backend)?;
            }
            tx.execute(sql::SNAPSHOT_PRUNE, &[&id, &position])
                .map_err(backend)?;
            // Until here nothing of it is seen: a reader finds the
            // snapshot with all its chunks, or the one before.
            tx.commit().map_err(backend)
        })
    }

    fn load_snapshot(&self) -> Result<Option<Snapshot<S>>, StoreError> {
        let reads = self.reads;
        self.with_conn(|conn| {
            // One snapshot of the database: a save that supersedes this
            // snapshot while its chunks are read does not take them away.
            let mut tx = conn
                .client
                .build_transaction()
                .isolation_level(postgres::IsolationLevel::RepeatableRead)
                .read_only(true)
                .start()
                .map_err(backend)?;
            let Some(row) = tx.query_opt(sql::SNAPSHOT_LATEST, &[]).map_err(backend)? else {
                return Ok(None);
            };
            let head = sql::snapshot_head(&row)?;
            let Some(chunks) = head.chunks else {
                let row = tx
                    .query_one(sql::SNAPSHOT_WHOLE, &[&head.id])
                    .map_err(backend)?;
                return sql::snapshot_of(&row).map(Some);
            };
            // A chunk at a time into the reader's buffer (and decoded as it
            // comes, when streamed).
            sql::decode_chunks(&head, chunks, reads, |seq, buf| {
                let (id, seq) = sql::chunk_key(&head, seq);
                let row = tx
                    .query_opt(sql::SNAPSHOT_CHUNK, &[&id, &seq])
                    .map_err(backend)?;
                sql::fill_chunk(row.as_ref(), buf)
            })
            .map(Some)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_names_the_server_and_schema_never_the_password() {
        let parsed = parse_config("postgres://desk:s3cret@db.example:6543/support").unwrap();
        let store = PgStore {
            config: Config::from(parsed.clone()),
            parsed,
            schema: "desk_1".into(),
            conn: Mutex::new(None),
            group: None,
            chunk_size: SNAPSHOT_CHUNK_SIZE,
            reads: SnapshotRead::default(),
        };
        assert_eq!(
            format!("{store:?}"),
            r#"PgStore { hosts: ["db.example"], ports: [6543], dbname: Some("support"), schema: "desk_1" }"#
        );
    }

    #[test]
    fn a_url_that_does_not_parse_is_a_backend_failure() {
        let err = PgStore::connect("postgres://desk@localhost:notaport/x").unwrap_err();
        let StoreError::Backend {
            message,
            source: Some(source),
        } = &err
        else {
            panic!("not a backend failure with a source: {err:?}");
        };
        assert_eq!(
            message,
            "invalid connection string: invalid value for option `port`"
        );
        let source = source.get().downcast_ref::<postgres::Error>().unwrap();
        assert_eq!(
            std::error::Error::source(source).map(ToString::to_string),
            Some("invalid value for option `port`".to_owned())
        );
    }

    #[test]
    fn a_schema_name_postgres_would_truncate_is_refused() {
        let long = "s".repeat(64);
        assert_eq!(
            PgStore::with_schema("postgres://localhost/x", &long).unwrap_err(),
            StoreError::backend_message(format!(
                "schema name {long:?} is not a PostgreSQL identifier (1 to 63 bytes, no NUL)"
            ))
        );
        assert_eq!(sql::quote_ident(r#"a"b"#), r#""a""b""#);
    }
}
