//! The async store: the same tables and the same append as [`PgStore`],
//! over tokio-postgres, for a tokio service that must not block its
//! runtime.
//!
//! [`PgStore`]: crate::PgStore

use std::fmt;

use fanatical::chrono::{DateTime, Utc};
use fanatical::desk::{
    ArchiveNeed, Command, CustomerArchive, Desk, DeskConfig, DeskState, Restored, Resume,
    ResumeStep,
};
use fanatical::event::StreamId;
use fanatical::id::MessageId;
use fanatical::store::{
    Erasure, Lease, LeaseHolder, LeaseOutcome, LeaseRow, RecordedEvent, SNAPSHOT_CHUNK_SIZE,
    Snapshot, SnapshotChunks, SnapshotRead, StoreError, StreamWrite,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::sync::{Mutex, MutexGuard};
use tokio_postgres::{Client, Config, NoTls, Statement};

use crate::sql::{self, Plan, backend, decode_all, limit, to_i64, version_of};

/// An event store in a PostgreSQL schema for async code: the tables,
/// append method and guarantees of [`PgStore`](crate::PgStore) (gap-free
/// positions in commit order, a stale write is a conflict and writes
/// nothing), with `async` methods on tokio-postgres. The two may share a
/// schema.
///
/// The store holds one connection, whose driver runs as a task on the
/// tokio runtime it was created on; the constructors and every method
/// must run on a tokio runtime. Calls from several tasks on one store
/// take turns on the connection (an append is one transaction): for
/// appends in parallel, give each task a store of its own.
///
/// Use it as [`Desk::execute`] does, with the append awaited: decide,
/// append, apply ([`AsyncPgStore::execute`] does the three, and
/// [`AsyncPgStore::catch_up`] what [`Desk::catch_up`] does):
///
/// ```no_run
/// use fanatical::chrono::{TimeZone, Utc};
/// use fanatical::prelude::*;
/// use fanatical_postgres::AsyncPgStore;
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let store = AsyncPgStore::connect("postgres://desk@localhost/support").await?;
/// let mut desk = Desk::new(DeskConfig::default());
/// store.catch_up(&mut desk).await?;
/// let now = Utc.with_ymd_and_hms(2026, 11, 2, 2, 0, 0).unwrap();
/// let acme: CustomerId = IdGenerator::from_seed(1).next_id();
/// let register = CustomerAction::Register { id: acme, organisation: "Acme".into() };
/// let decision = desk.decide(Command::new(Actor::integration("signup"), register), now)?;
/// let stored = store.append(decision.writes()).await?; // the runtime keeps running
/// desk.apply(&stored)?;
/// # Ok(())
/// # }
/// ```
pub struct AsyncPgStore {
    config: Config,
    schema: String,
    conn: Mutex<Option<Conn>>,
    /// The group appender its appends go through, if any.
    group: Option<crate::group_async::Member>,
    /// How many bytes of a snapshot go in one row of `snapshot_chunks`.
    chunk_size: usize,
    /// How a snapshot's chunks are read back.
    reads: SnapshotRead,
}

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
    async fn prepare(client: &Client) -> Result<Self, tokio_postgres::Error> {
        Ok(Statements {
            append: client.prepare(sql::APPEND).await?,
            read_all: client.prepare(sql::READ_ALL).await?,
            read_stream: client.prepare(sql::READ_STREAM).await?,
            stream_version: client.prepare(sql::STREAM_VERSION).await?,
        })
    }
}

impl fmt::Debug for AsyncPgStore {
    /// Names the server, database and schema; never the password.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsyncPgStore")
            .field("hosts", &crate::hosts(&self.config))
            .field("ports", &self.config.get_ports())
            .field("dbname", &self.config.get_dbname())
            .field("schema", &self.schema)
            .finish()
    }
}

/// Connects, running the connection's driver as a task.
pub(crate) async fn open(config: &Config) -> Result<Client, StoreError> {
    let (client, connection) = config.connect(NoTls).await.map_err(backend)?;
    // The driver ends when the connection does; the client then reports
    // itself closed and the store connects again.
    tokio::spawn(async move {
        let _ = connection.await;
    });
    Ok(client)
}

impl AsyncPgStore {
    /// Connects to the database at `url` and uses the schema
    /// [`DEFAULT_SCHEMA`](crate::DEFAULT_SCHEMA), creating it and its
    /// tables when missing, as [`PgStore::connect`](crate::PgStore::connect)
    /// does.
    ///
    /// # Errors
    /// [`StoreError::Backend`] with the client's error as its source when
    /// the URL does not parse, the server cannot be reached or refuses the
    /// login, or the tables cannot be created.
    ///
    /// # Panics
    /// Outside a tokio runtime (the connection's driver is spawned on it).
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        Self::with_schema(url, crate::DEFAULT_SCHEMA).await
    }

    /// As [`AsyncPgStore::connect`], in the schema `schema`.
    ///
    /// # Errors
    /// As [`AsyncPgStore::connect`], and [`StoreError::Backend`] when
    /// `schema` is not a PostgreSQL identifier.
    ///
    /// # Panics
    /// Outside a tokio runtime.
    pub async fn with_schema(url: &str, schema: &str) -> Result<Self, StoreError> {
        sql::check_schema_name(schema)?;
        Self::open(crate::parse_config(url)?, schema, None).await
    }

    /// Connects with `config` to `schema` (a checked name), migrating it,
    /// with appends through `group` when given.
    pub(crate) async fn open(
        config: Config,
        schema: &str,
        group: Option<crate::group_async::Member>,
    ) -> Result<Self, StoreError> {
        let mut client = open(&config).await?;
        migrate(&mut client, schema).await.map_err(backend)?;
        let stmt = Statements::prepare(&client).await.map_err(backend)?;
        Ok(AsyncPgStore {
            config,
            schema: schema.to_owned(),
            conn: Mutex::new(Some(Conn { client, stmt })),
            group,
            chunk_size: SNAPSHOT_CHUNK_SIZE,
            reads: SnapshotRead::default(),
        })
    }

    /// The group appender this store's appends go through, when it came
    /// from [`AsyncPgGroupAppender::store`](crate::AsyncPgGroupAppender::store).
    #[must_use]
    pub fn group(&self) -> Option<&crate::AsyncPgGroupAppender> {
        self.group.as_ref().map(crate::group_async::Member::group)
    }

    /// The schema the store's tables are in.
    #[must_use]
    pub fn schema(&self) -> &str {
        &self.schema
    }

    /// Cuts snapshots into rows of at most `bytes` bytes (at least 1), as
    /// [`PgStore::with_snapshot_chunk_size`](crate::PgStore::with_snapshot_chunk_size)
    /// does.
    #[must_use]
    pub fn with_snapshot_chunk_size(mut self, bytes: usize) -> Self {
        self.chunk_size = bytes.max(1);
        self
    }

    /// Reads snapshots back as `reads` says, as
    /// [`PgStore::with_snapshot_reads`](crate::PgStore::with_snapshot_reads)
    /// does.
    #[must_use]
    pub fn with_snapshot_reads(mut self, reads: SnapshotRead) -> Self {
        self.reads = reads;
        self
    }

    /// The connection, connected again when the last one was lost or
    /// failed.
    async fn conn(&self) -> Result<MutexGuard<'_, Option<Conn>>, StoreError> {
        let mut guard = self.conn.lock().await;
        if guard.as_ref().is_none_or(|c| c.client.is_closed()) {
            *guard = None;
            let client = open(&self.config).await?;
            client
                .batch_execute(&sql::session_setup(&self.schema))
                .await
                .map_err(backend)?;
            let stmt = Statements::prepare(&client).await.map_err(backend)?;
            *guard = Some(Conn { client, stmt });
        }
        Ok(guard)
    }

    /// Forgets the connection after a backend failure (the client may not
    /// know yet that the server has gone), so the next call connects
    /// again.
    fn settle<T>(
        guard: &mut MutexGuard<'_, Option<Conn>>,
        result: Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        if matches!(result, Err(StoreError::Backend { .. })) {
            **guard = None;
        }
        result
    }

    /// Appends every write of the batch atomically, as
    /// [`Store::append`](fanatical::store::Store::append) does, returning
    /// the stored events in order.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when a write's expected version is stale,
    /// [`StoreError::DuplicateStreamInBatch`], or a backend error; in every
    /// case nothing is written. Dropping the future before it finishes
    /// rolls the transaction back (for a store of an
    /// [`AsyncPgGroupAppender`](crate::AsyncPgGroupAppender), whose appends
    /// go through its group, see there).
    pub async fn append(&self, batch: &[StreamWrite]) -> Result<Vec<RecordedEvent>, StoreError> {
        match &self.group {
            Some(member) => member.group().append(batch).await,
            None => self.write(batch, None).await,
        }
    }

    /// [`AsyncPgStore::append`] with an erasure in the same transaction,
    /// as [`Store::append_erasing`](fanatical::store::Store::append_erasing)
    /// does (a decision's [`erasure`](fanatical::desk::Decision::erasure)).
    ///
    /// # Errors
    /// As [`AsyncPgStore::append`]; then nothing is erased either.
    pub async fn append_erasing(
        &self,
        batch: &[StreamWrite],
        erasure: &Erasure,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        let out = self.write(batch, Some(erasure)).await?;
        // Best effort, as the blocking store does.
        if let Ok(guard) = self.conn().await
            && let Some(conn) = guard.as_ref()
        {
            let _ = conn.client.batch_execute(sql::VACUUM).await;
        }
        Ok(out)
    }

    /// A stream's events with a version greater than `after_version`.
    ///
    /// # Errors
    /// Backend or corruption errors ([`StoreError::NewerSchema`] for a row
    /// from a newer `fanatical`).
    pub async fn read_stream(
        &self,
        stream: &StreamId,
        after_version: u64,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        let mut guard = self.conn().await?;
        let result = match guard.as_ref() {
            Some(conn) => match conn
                .client
                .query(
                    &conn.stmt.read_stream,
                    &[&stream.to_string(), &to_i64(after_version)],
                )
                .await
            {
                Ok(rows) => decode_all(&rows),
                Err(e) => Err(backend(e)),
            },
            None => Err(StoreError::backend_message("no connection")),
        };
        Self::settle(&mut guard, result)
    }

    /// At most `max` events with a global position greater than `after`,
    /// in position order.
    ///
    /// # Errors
    /// Backend or corruption errors.
    pub async fn read_all(&self, after: u64, max: usize) -> Result<Vec<RecordedEvent>, StoreError> {
        let mut guard = self.conn().await?;
        let result = match guard.as_ref() {
            Some(conn) => match conn
                .client
                .query(&conn.stmt.read_all, &[&to_i64(after), &limit(max)])
                .await
            {
                Ok(rows) => decode_all(&rows),
                Err(e) => Err(backend(e)),
            },
            None => Err(StoreError::backend_message("no connection")),
        };
        Self::settle(&mut guard, result)
    }

    /// The stream's current version (0 when it does not exist).
    ///
    /// # Errors
    /// Backend errors.
    pub async fn stream_version(&self, stream: &StreamId) -> Result<u64, StoreError> {
        let mut guard = self.conn().await?;
        let result = match guard.as_ref() {
            Some(conn) => match conn
                .client
                .query_opt(&conn.stmt.stream_version, &[&stream.to_string()])
                .await
            {
                Ok(row) => version_of(row.as_ref()),
                Err(e) => Err(backend(e)),
            },
            None => Err(StoreError::backend_message("no connection")),
        };
        Self::settle(&mut guard, result)
    }

    /// Asks for the lease on delivering `message`, for `holder`, until
    /// `until`, at `now`: [`DeliveryLeases::take_lease`] for async code,
    /// on the same `leases` table and by the same rule as
    /// [`PgStore`](crate::PgStore) (one transaction holding the message's
    /// advisory lock), so blocking and async desks on one schema share
    /// every lease.
    ///
    /// ```no_run
    /// use fanatical::chrono::{Duration, TimeZone, Utc};
    /// use fanatical::id::MessageId;
    /// use fanatical::store::{LeaseHolder, LeaseOutcome};
    /// use fanatical_postgres::AsyncPgStore;
    ///
    /// # async fn run(message: MessageId) -> Result<(), Box<dyn std::error::Error>> {
    /// let store = AsyncPgStore::connect("postgres://desk@localhost/support").await?;
    /// let me = LeaseHolder::new("desk-a")?;
    /// let now = Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap();
    /// if let LeaseOutcome::Taken(lease) =
    ///     store.take_lease(message, &me, now, now + Duration::minutes(5)).await?
    /// {
    ///     // ... deliver, record the delivery, then:
    ///     store.finish_lease(&lease).await?;
    /// }
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// Backend errors; nothing is taken then.
    ///
    /// [`DeliveryLeases::take_lease`]: fanatical::store::DeliveryLeases::take_lease
    pub async fn take_lease(
        &self,
        message: MessageId,
        holder: &LeaseHolder,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<LeaseOutcome, StoreError> {
        self.with_lease(message, sql::take(message, holder, now, until))
            .await
    }

    /// Finishes the delivery under `lease`, as
    /// [`DeliveryLeases::finish_lease`] does: nobody takes the message's
    /// lease again. `false` when the lease was lost.
    ///
    /// # Errors
    /// Backend errors.
    ///
    /// [`DeliveryLeases::finish_lease`]: fanatical::store::DeliveryLeases::finish_lease
    pub async fn finish_lease(&self, lease: &Lease) -> Result<bool, StoreError> {
        self.with_lease(lease.message, sql::finish(lease)).await
    }

    /// Gives the lease back after a failed attempt, as
    /// [`DeliveryLeases::release_lease`] does. `false` when the lease was
    /// lost.
    ///
    /// # Errors
    /// Backend errors.
    ///
    /// [`DeliveryLeases::release_lease`]: fanatical::store::DeliveryLeases::release_lease
    pub async fn release_lease(&self, lease: &Lease) -> Result<bool, StoreError> {
        self.with_lease(lease.message, sql::release(lease)).await
    }

    /// Runs `decide` on `message`'s lease row in one transaction holding
    /// the message's advisory lock, storing the row it returns.
    async fn with_lease<T>(
        &self,
        message: MessageId,
        decide: impl FnOnce(Option<LeaseRow>) -> (T, Option<LeaseRow>),
    ) -> Result<T, StoreError> {
        let key = message.to_string();
        let lock = sql::lease_key(&self.schema, &key);
        let mut guard = self.conn().await?;
        let result = match guard.as_mut() {
            Some(conn) => lease(conn, &key, &lock, decide).await,
            None => Err(StoreError::backend_message("no connection")),
        };
        Self::settle(&mut guard, result)
    }

    /// Keeps `snapshot`, replacing those it supersedes:
    /// [`SnapshotStore::save_snapshot`] for async code, in the same
    /// `snapshots` and `snapshot_chunks` tables and transaction as
    /// [`PgStore`](crate::PgStore)'s.
    /// A desk saves its own with `store.save_snapshot(&desk.snapshot())`.
    ///
    /// # Errors
    /// [`StoreError::StaleSnapshot`] for a snapshot taken before the last
    /// erasure; backend errors (nothing is kept).
    ///
    /// [`SnapshotStore::save_snapshot`]: fanatical::store::SnapshotStore::save_snapshot
    pub async fn save_snapshot<S: Serialize>(
        &self,
        snapshot: &Snapshot<S>,
    ) -> Result<(), StoreError> {
        let chunks = sql::snapshot_chunks(snapshot, self.chunk_size)?;
        let mut guard = self.conn().await?;
        let result = match guard.as_mut() {
            Some(conn) => save_snapshot(conn, snapshot.position, &chunks).await,
            None => Err(StoreError::backend_message("no connection")),
        };
        Self::settle(&mut guard, result)
    }

    /// The snapshot with the highest position, if any, as
    /// [`SnapshotStore::load_snapshot`] reads it: its chunks fetched one
    /// at a time (awaited) and handed to a decoder on a thread of tokio's
    /// blocking pool, so the runtime's threads never decode (with
    /// [`SnapshotRead::Streamed`] the decoder decodes them as they come,
    /// and memory never holds the whole encoded snapshot).
    /// [`AsyncPgStore::resume`] restarts a desk from it:
    ///
    /// ```no_run
    /// use fanatical::desk::{Desk, DeskConfig, DeskState};
    /// use fanatical::store::Snapshot;
    /// use fanatical_postgres::AsyncPgStore;
    ///
    /// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// let store = AsyncPgStore::connect("postgres://desk@localhost/support").await?;
    /// let config = DeskConfig::default();
    /// let mut desk = match store.load_snapshot::<DeskState>().await? {
    ///     Some(snapshot) => Desk::restore(config, snapshot)?,
    ///     None => Desk::new(config),
    /// };
    /// store.catch_up(&mut desk).await?;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// [`StoreError::Corrupt`] for a stored snapshot that cannot be read
    /// back (its chunks missing, short, or not decoding); backend errors.
    ///
    /// [`SnapshotStore::load_snapshot`]: fanatical::store::SnapshotStore::load_snapshot
    pub async fn load_snapshot<S: DeserializeOwned + Send + 'static>(
        &self,
    ) -> Result<Option<Snapshot<S>>, StoreError> {
        let mut guard = self.conn().await?;
        let result = match guard.as_mut() {
            Some(conn) => load_snapshot(conn, self.reads).await,
            None => Err(StoreError::backend_message("no connection")),
        };
        Self::settle(&mut guard, result)
    }

    /// Brings a desk back after a restart, as [`Desk::resume`] does on a
    /// blocking store and by the same rules ([`Resume`]): the latest
    /// snapshot loaded and restored, and the events after it applied; or,
    /// when there is none or it cannot be used, every event replayed, with
    /// the reason in [`Restored::from`]. Every read is awaited.
    ///
    /// ```no_run
    /// use fanatical::desk::{DeskConfig, RestoredFrom};
    /// use fanatical_postgres::AsyncPgStore;
    ///
    /// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// let store = AsyncPgStore::connect("postgres://desk@localhost/support").await?;
    /// let restored = store.resume(DeskConfig::default()).await?;
    /// if let RestoredFrom::Rebuild { why } = &restored.from {
    ///     eprintln!("rebuilt from every event: {why:?}");
    /// }
    /// let mut desk = restored.desk;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// As [`Desk::resume`]: a snapshot from a newer build or another
    /// configuration is refused ([`fanatical::desk::SnapshotError`]); store
    /// errors other than an unreadable snapshot; the desk's own errors
    /// from applying the events.
    pub async fn resume(&self, config: DeskConfig) -> Result<Restored, fanatical::Error> {
        let loaded = self.load_snapshot::<DeskState>().await;
        let mut resume = Resume::new(config, loaded)?;
        loop {
            let (after, max) = resume.wants();
            let page = self.read_all(after, max).await?;
            match resume.feed(&page)? {
                ResumeStep::More(next) => resume = next,
                ResumeStep::Done(restored) => return Ok(restored),
            }
        }
    }

    /// Applies to `desk` every event stored after the last one it has
    /// seen, as [`Desk::catch_up`] does on a blocking store. Returns how
    /// many were applied.
    ///
    /// # Errors
    /// [`fanatical::Error::Store`] from the reads; the desk's own errors
    /// from [`Desk::apply`].
    pub async fn catch_up(&self, desk: &mut Desk) -> Result<usize, fanatical::Error> {
        const PAGE: usize = 1024;
        let mut applied = 0;
        loop {
            let page = self.read_all(desk.position(), PAGE).await?;
            if page.is_empty() {
                return Ok(applied);
            }
            desk.apply(&page)?;
            applied += page.len();
        }
    }

    /// Reads what `need` asks of a customer's archive (the index of their
    /// archived tickets, and the tickets' contents when it asks for them):
    /// [`CustomerArchive::read`] for async code, for
    /// [`Desk::decide_with_archive`]. [`AsyncPgStore::execute`] does it
    /// itself when a command needs it.
    ///
    /// # Errors
    /// Backend or corruption errors.
    pub async fn read_archive(&self, need: &ArchiveNeed) -> Result<CustomerArchive, StoreError> {
        let index = self
            .read_stream(&StreamId::Archive(need.customer), 0)
            .await?;
        let mut records = Vec::new();
        for stream in need.content_streams(&index) {
            records.extend(self.read_stream(&stream, 0).await?);
        }
        Ok(CustomerArchive::from_records(
            need.customer,
            &index,
            &records,
        ))
    }

    /// Decides `command` on `desk`, appends the decision (awaited) and
    /// applies it: [`Desk::execute`] for async code. A command that needs
    /// a customer's archive (a message in reply to an archived ticket, an
    /// erasure) reads it first, as `Desk::execute` does. A repeated keyed
    /// command writes nothing and returns what its first run recorded.
    /// When other writers appended in between, the desk catches up so it
    /// applies everything in store order.
    ///
    /// # Errors
    /// Any decision error (nothing is written); store errors, including
    /// [`StoreError::Conflict`] when another writer got there first (the
    /// desk is unchanged: [`AsyncPgStore::catch_up`] and retry).
    pub async fn execute(
        &self,
        desk: &mut Desk,
        command: Command,
        now: DateTime<Utc>,
    ) -> Result<Vec<RecordedEvent>, fanatical::Error> {
        let key = command.key.clone();
        let decision = match desk.archive_needed(&command) {
            None => desk.decide(command, now)?,
            Some(need) => {
                let archive = self.read_archive(&need).await?;
                desk.decide_with_archive(command, now, &archive)?
            }
        };
        if let Some(first) = decision.repeat_of() {
            let max = usize::try_from(first.len()).unwrap_or(usize::MAX);
            let mut recorded = self.read_all(first.first.saturating_sub(1), max).await?;
            recorded.retain(|r| r.command.is_some() && r.command == key);
            return Ok(recorded);
        }
        if decision.is_empty() {
            return Ok(Vec::new());
        }
        let recorded = match decision.erasure() {
            Some(erasure) => self.append_erasing(decision.writes(), erasure).await?,
            None => self.append(decision.writes()).await?,
        };
        match recorded.first() {
            Some(first) if first.position != desk.position().saturating_add(1) => {
                self.catch_up(desk).await?;
            }
            _ => desk.apply(&recorded)?,
        }
        Ok(recorded)
    }

    /// One write transaction: the erasure (if any), then the batch (the
    /// method of the [crate docs](crate), statement for statement).
    async fn write(
        &self,
        batch: &[StreamWrite],
        erasure: Option<&Erasure>,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        let plan = Plan::new(batch)?;
        let mut guard = self.conn().await?;
        let result = match guard.as_mut() {
            Some(conn) => write(conn, &plan, erasure).await,
            None => Err(StoreError::backend_message("no connection")),
        };
        Self::settle(&mut guard, result)
    }
}

async fn write(
    conn: &mut Conn,
    plan: &Plan<'_>,
    erasure: Option<&Erasure>,
) -> Result<Vec<RecordedEvent>, StoreError> {
    let Conn { client, stmt } = conn;
    let Some(erasure) = erasure else {
        let row = client
            .query_one(&stmt.append, &plan.params())
            .await
            .map_err(backend)?;
        return plan.outcome(&row);
    };
    // Dropping the transaction (an error, a conflict, or the future
    // dropped) rolls the redactions back.
    let tx = client.transaction().await.map_err(backend)?;
    tx.query(
        sql::LOCK_STREAMS,
        &[&sql::streams_to_lock(erasure, plan.batch)],
    )
    .await
    .map_err(backend)?;
    tx.execute(sql::SNAPSHOTS_DROP, &[])
        .await
        .map_err(backend)?;
    for stream in sql::erasure_streams(erasure) {
        let rows = tx
            .query(sql::REDACT_SELECT, &[&stream.to_string()])
            .await
            .map_err(backend)?;
        for (position, json) in sql::redactions(erasure, &stream, &rows)? {
            tx.execute(sql::REDACT_UPDATE, &[&json, &position])
                .await
                .map_err(backend)?;
        }
    }
    let row = tx
        .query_one(&stmt.append, &plan.params())
        .await
        .map_err(backend)?;
    let recorded = plan.outcome(&row)?;
    let at = recorded.first().map_or(0, |r| sql::to_i64(r.position));
    tx.execute(sql::ERASURE_RECORD, &[&at])
        .await
        .map_err(backend)?;
    tx.commit().await.map_err(backend)?;
    Ok(recorded)
}

/// One lease call's transaction (the blocking store's, awaited).
async fn lease<T>(
    conn: &mut Conn,
    key: &str,
    lock: &str,
    decide: impl FnOnce(Option<LeaseRow>) -> (T, Option<LeaseRow>),
) -> Result<T, StoreError> {
    let tx = conn.client.transaction().await.map_err(backend)?;
    tx.execute(sql::LEASE_LOCK, &[&lock])
        .await
        .map_err(backend)?;
    let current = tx
        .query_opt(sql::LEASE_SELECT, &[&key])
        .await
        .map_err(backend)?
        .map(|row| sql::lease_row(key, &row))
        .transpose()?;
    let (answer, row) = decide(current);
    if let Some(row) = row {
        let (holder, token, secs, nanos, finished) = sql::lease_params(&row);
        tx.execute(
            sql::LEASE_UPSERT,
            &[&key, &holder, &token, &secs, &nanos, &finished],
        )
        .await
        .map_err(backend)?;
    }
    tx.commit().await.map_err(backend)?;
    Ok(answer)
}

/// A snapshot save's transaction (the blocking store's, awaited).
async fn save_snapshot(
    conn: &mut Conn,
    position: u64,
    chunks: &SnapshotChunks,
) -> Result<(), StoreError> {
    let (count, size) = sql::chunk_params(chunks);
    let tx = conn.client.transaction().await.map_err(backend)?;
    tx.batch_execute(sql::SNAPSHOT_LOCK)
        .await
        .map_err(backend)?;
    let erased = tx.query_one(sql::ERASED_AT, &[]).await.map_err(backend)?;
    sql::check_after_erasure(position, &erased)?;
    let position = to_i64(position);
    let id: i64 = tx
        .query_one(sql::SNAPSHOT_INSERT, &[&position, &count, &size])
        .await
        .map_err(backend)?
        .try_get(0)
        .map_err(backend)?;
    for (chunk, seq) in chunks.iter().zip(0i32..) {
        tx.execute(sql::SNAPSHOT_CHUNK_INSERT, &[&id, &seq, &chunk])
            .await
            .map_err(backend)?;
    }
    tx.execute(sql::SNAPSHOT_PRUNE, &[&id, &position])
        .await
        .map_err(backend)?;
    tx.commit().await.map_err(backend)
}

/// A snapshot load's transaction (the blocking store's): the chunks are
/// fetched here, awaited, and handed one at a time to a decoder on
/// tokio's blocking pool, which asks for the next when it needs it.
async fn load_snapshot<S: DeserializeOwned + Send + 'static>(
    conn: &mut Conn,
    reads: SnapshotRead,
) -> Result<Option<Snapshot<S>>, StoreError> {
    let tx = conn
        .client
        .build_transaction()
        .isolation_level(tokio_postgres::IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()
        .await
        .map_err(backend)?;
    let Some(row) = tx
        .query_opt(sql::SNAPSHOT_LATEST, &[])
        .await
        .map_err(backend)?
    else {
        return Ok(None);
    };
    let head = sql::snapshot_head(&row)?;
    let Some(chunks) = head.chunks else {
        let row = tx
            .query_one(sql::SNAPSHOT_WHOLE, &[&head.id])
            .await
            .map_err(backend)?;
        return sql::snapshot_of(&row).map(Some);
    };
    type Chunk = Result<Option<Vec<u8>>, StoreError>;
    // One chunk waits while the decoder reads the one before.
    let (send, mut receive) = tokio::sync::mpsc::channel::<Chunk>(1);
    let decoder = tokio::task::spawn_blocking(move || {
        sql::decode_chunks::<S>(&head, chunks, reads, |_, buf| {
            match receive.blocking_recv() {
                Some(Ok(Some(chunk))) => {
                    *buf = chunk;
                    Ok(true)
                }
                Some(Ok(None)) => Ok(false),
                Some(Err(e)) => Err(e),
                None => Err(StoreError::backend_message(
                    "the snapshot's chunks stopped coming",
                )),
            }
        })
    });
    for seq in 0..chunks.0 {
        let (id, seq) = sql::chunk_key(&head, seq);
        let chunk = match tx.query_opt(sql::SNAPSHOT_CHUNK, &[&id, &seq]).await {
            Ok(row) => sql::chunk_of(row.as_ref()),
            Err(e) => Err(backend(e)),
        };
        let last = !matches!(chunk, Ok(Some(_)));
        // The decoder gone (it failed, or has what it needs): stop.
        if send.send(chunk).await.is_err() || last {
            break;
        }
    }
    drop(send);
    let snapshot = decoder.await.map_err(backend)??;
    Ok(Some(snapshot))
}

/// [`crate::migrate`], awaited.
pub(crate) async fn migrate(
    client: &mut Client,
    schema: &str,
) -> Result<(), tokio_postgres::Error> {
    let tx = client.transaction().await?;
    tx.execute(sql::MIGRATE_LOCK, &[&schema]).await?;
    if tx
        .query_opt(sql::SCHEMA_EXISTS, &[&schema])
        .await?
        .is_none()
    {
        tx.batch_execute(&format!("CREATE SCHEMA {}", sql::quote_ident(schema)))
            .await?;
    }
    tx.batch_execute(&sql::session_setup(schema)).await?;
    tx.batch_execute(sql::MIGRATE).await?;
    tx.commit().await
}
