//! Group commit for async services: [`AsyncPgGroupAppender`], the
//! tokio counterpart of [`PgGroupAppender`](crate::PgGroupAppender).

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use fanatical::store::{RecordedEvent, StoreError, StreamWrite};
use tokio::sync::{mpsc, oneshot};
use tokio_postgres::{Client, Config, Statement};

use crate::AsyncPgStore;
use crate::group::{GroupParams, GroupStats, MAX_GROUP};
use crate::sql::{self, Appended, Params, Plan, backend};

/// Group commit for tokio services: the appends that tasks of one
/// process make at the same time share one transaction, one hold of the
/// head and one flush of the write-ahead log, as
/// [`PgGroupAppender`](crate::PgGroupAppender) does for threads (its
/// docs give the method, the guarantees and the trade-off; the SQL is
/// the same).
///
/// The appender runs a task of its own on the tokio runtime it was made
/// on, which owns the group connection: it waits for an append, takes
/// every append that is waiting by then (up to [`MAX_GROUP`]), writes
/// them in one call and answers each caller with its own result (its
/// events, or its own [`StoreError::Conflict`]); the appends that arrive
/// meanwhile make the next group. Each append is still all or nothing.
/// A lost connection fails the appends of the group in flight with
/// [`StoreError::Backend`] (each may or may not have been stored, and
/// retrying it is safe, as for a single append); the next group connects
/// again.
///
/// Unlike [`AsyncPgStore::append`], an append handed to the group is not
/// withdrawn when its future is dropped: it is written with its group
/// (or not, if it conflicts), and only the answer is lost; a desk that
/// dropped one catches up before deciding again.
///
/// ```no_run
/// use fanatical::chrono::{TimeZone, Utc};
/// use fanatical::prelude::*;
/// use fanatical_postgres::AsyncPgGroupAppender;
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let group = AsyncPgGroupAppender::connect("postgres://desk@localhost/support").await?;
/// // Each desk (task) has a store of its own whose appends go through the group.
/// let store = group.store().await?;
/// let mut desk = Desk::new(DeskConfig::default());
/// store.catch_up(&mut desk).await?;
/// let now = Utc.with_ymd_and_hms(2026, 11, 2, 2, 0, 0).unwrap();
/// let acme: CustomerId = IdGenerator::from_seed(1).next_id();
/// let register = CustomerAction::Register { id: acme, organisation: "Acme".into() };
/// store.execute(&mut desk, Command::new(Actor::integration("signup"), register), now).await?;
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct AsyncPgGroupAppender {
    shared: Arc<Shared>,
}

struct Shared {
    config: Config,
    schema: String,
    jobs: mpsc::UnboundedSender<Job>,
    groups: AtomicU64,
    appends: AtomicU64,
    /// Appends sent and not yet taken into a group.
    waiting: AtomicU64,
    /// The commit delay, in nanoseconds.
    delay: AtomicU64,
    /// Live stores of the appender.
    members: AtomicUsize,
}

struct Job {
    params: Params,
    answer: oneshot::Sender<Result<Appended, StoreError>>,
}

struct GroupConn {
    client: Client,
    group: Statement,
    single: Statement,
}

impl fmt::Debug for AsyncPgGroupAppender {
    /// Names the server, database and schema; never the password.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = &self.shared;
        f.debug_struct("AsyncPgGroupAppender")
            .field("hosts", &crate::hosts(&s.config))
            .field("ports", &s.config.get_ports())
            .field("dbname", &s.config.get_dbname())
            .field("schema", &s.schema)
            .finish()
    }
}

impl AsyncPgGroupAppender {
    /// A group appender on the database at `url`, in the schema
    /// [`DEFAULT_SCHEMA`](crate::DEFAULT_SCHEMA), creating it and its
    /// tables when missing, with a connection of its own; its task runs
    /// on the current tokio runtime.
    ///
    /// # Errors
    /// As [`AsyncPgStore::connect`].
    ///
    /// # Panics
    /// Outside a tokio runtime.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        Self::with_schema(url, crate::DEFAULT_SCHEMA).await
    }

    /// As [`AsyncPgGroupAppender::connect`], in the schema `schema`.
    ///
    /// # Errors
    /// As [`AsyncPgStore::with_schema`].
    ///
    /// # Panics
    /// Outside a tokio runtime.
    pub async fn with_schema(url: &str, schema: &str) -> Result<Self, StoreError> {
        sql::check_schema_name(schema)?;
        let config = crate::parse_config(url)?;
        let mut client = crate::async_store::open(&config).await?;
        crate::async_store::migrate(&mut client, schema)
            .await
            .map_err(backend)?;
        let conn = GroupConn::prepare(client).await.map_err(backend)?;
        let (jobs, queue) = mpsc::unbounded_channel();
        let shared = Arc::new(Shared {
            config,
            schema: schema.to_owned(),
            jobs,
            groups: AtomicU64::new(0),
            appends: AtomicU64::new(0),
            waiting: AtomicU64::new(0),
            delay: AtomicU64::new(0),
            members: AtomicUsize::new(0),
        });
        // The task holds the shared state weakly: it ends when the last
        // appender is dropped (the channel closes).
        tokio::spawn(run(Arc::downgrade(&shared), queue, Some(conn)));
        Ok(AsyncPgGroupAppender { shared })
    }

    /// The schema the appender writes to.
    #[must_use]
    pub fn schema(&self) -> &str {
        &self.shared.schema
    }

    /// How many groups it has written, holding how many appends, and how
    /// many appends wait now.
    #[must_use]
    pub fn stats(&self) -> GroupStats {
        let s = &self.shared;
        GroupStats {
            groups: s.groups.load(Ordering::Relaxed),
            appends: s.appends.load(Ordering::Relaxed),
            waiting: usize::try_from(s.waiting.load(Ordering::Relaxed)).unwrap_or(usize::MAX),
        }
    }

    /// Sets the commit delay, as
    /// [`PgGroupAppender::with_commit_delay`](crate::PgGroupAppender::with_commit_delay);
    /// like it, shared by every clone and store of the appender
    /// does: the task may wait up to `delay` for more appends while fewer
    /// are queued than the appender has stores. Zero, the default, never
    /// waits.
    #[must_use]
    pub fn with_commit_delay(self, delay: Duration) -> Self {
        let nanos = u64::try_from(delay.as_nanos()).unwrap_or(u64::MAX);
        self.shared.delay.store(nanos, Ordering::Relaxed);
        self
    }

    /// An async store on the appender's database and schema, with a
    /// connection of its own, whose appends ([`AsyncPgStore::append`],
    /// and so [`AsyncPgStore::execute`]) go through this appender; give
    /// each desk (task) one.
    ///
    /// # Errors
    /// As [`AsyncPgStore::connect`].
    pub async fn store(&self) -> Result<AsyncPgStore, StoreError> {
        AsyncPgStore::open(
            self.shared.config.clone(),
            &self.shared.schema,
            Some(Member::new(self)),
        )
        .await
    }

    /// Appends every write of the batch atomically, in a group with the
    /// appends other tasks make at the same time, returning the stored
    /// events in order.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when a write's expected version is stale
    /// (the other appends of the group are not affected),
    /// [`StoreError::DuplicateStreamInBatch`], or a backend error; in every
    /// case nothing of this batch is written.
    pub async fn append(&self, batch: &[StreamWrite]) -> Result<Vec<RecordedEvent>, StoreError> {
        let mut plan = Plan::new(batch)?;
        if batch.is_empty() {
            return Ok(Vec::new());
        }
        let (answer, answered) = oneshot::channel();
        let params = std::mem::take(&mut plan.params);
        self.shared.waiting.fetch_add(1, Ordering::Relaxed);
        if self.shared.jobs.send(Job { params, answer }).is_err() {
            self.shared.waiting.fetch_sub(1, Ordering::Relaxed);
            return Err(StoreError::backend_message(
                "the group appender's task has ended (its runtime was shut down, or a bug stopped it)",
            ));
        }
        let answer = answered.await.map_err(|_| {
            StoreError::backend_message("the group appender's task ended before answering")
        })??;
        plan.outcome_of(&answer)
    }
}

/// The appender's task: one group at a time, for as long as an appender
/// is alive.
async fn run(
    shared: std::sync::Weak<Shared>,
    mut queue: mpsc::UnboundedReceiver<Job>,
    mut conn: Option<GroupConn>,
) {
    while let Some(first) = queue.recv().await {
        let mut jobs = vec![first];
        while jobs.len() < MAX_GROUP {
            match queue.try_recv() {
                Ok(job) => jobs.push(job),
                Err(_) => break,
            }
        }
        let Some(s) = shared.upgrade() else {
            return;
        };
        // The commit delay: wait for the other stores' appends.
        let delay = Duration::from_nanos(s.delay.load(Ordering::Relaxed));
        let want = s.members.load(Ordering::Relaxed).clamp(1, MAX_GROUP);
        if !delay.is_zero() && jobs.len() < want {
            let deadline = tokio::time::Instant::now() + delay;
            while jobs.len() < want {
                match tokio::time::timeout_at(deadline, queue.recv()).await {
                    Ok(Some(job)) => jobs.push(job),
                    Ok(None) | Err(_) => break,
                }
            }
        }
        s.waiting.fetch_sub(jobs.len() as u64, Ordering::Relaxed);
        // An append whose caller stopped waiting (its future dropped, a
        // timeout) is withdrawn, as a plain async append is, rather than
        // written after the caller moved on.
        jobs.retain(|j| !j.answer.is_closed());
        if jobs.is_empty() {
            continue;
        }
        s.groups.fetch_add(1, Ordering::Relaxed);
        s.appends.fetch_add(jobs.len() as u64, Ordering::Relaxed);
        let (config, schema) = (s.config.clone(), s.schema.clone());
        drop(s);
        let (kept, answers) = write_group(&config, &schema, conn.take(), &jobs).await;
        conn = kept;
        for (job, answer) in jobs.into_iter().zip(answers) {
            // A caller that stopped waiting has dropped its receiver.
            let _ = job.answer.send(answer);
        }
    }
}

/// Writes one group (connecting first when there is no usable
/// connection): each job's answer in order, and the connection when it
/// is still usable. The blocking appender's method, awaited.
async fn write_group(
    config: &Config,
    schema: &str,
    conn: Option<GroupConn>,
    jobs: &[Job],
) -> (Option<GroupConn>, Vec<Result<Appended, StoreError>>) {
    let everyone = |e: &StoreError| jobs.iter().map(|_| Err(e.clone())).collect::<Vec<_>>();
    let conn = match conn.filter(|c| !c.client.is_closed()) {
        Some(conn) => conn,
        None => match reconnect(config, schema).await {
            Ok(conn) => conn,
            Err(e) => return (None, everyone(&e)),
        },
    };
    let group = GroupParams::of(jobs.iter().map(|j| &j.params));
    match conn.client.query(&conn.group, &group.as_sql()).await {
        Ok(rows) if rows.len() == jobs.len() => {
            let answers = rows.iter().map(Appended::of).collect();
            (Some(conn), answers)
        }
        Ok(rows) => {
            let e = StoreError::backend_message(format!(
                "a group of {} appends answered {} rows",
                jobs.len(),
                rows.len()
            ));
            (Some(conn), everyone(&e))
        }
        Err(e) if crate::sql::refused_whole(&e) && !conn.client.is_closed() => {
            let mut answers = Vec::with_capacity(jobs.len());
            for j in jobs {
                let answer = match conn
                    .client
                    .query_one(&conn.single, &j.params.as_sql())
                    .await
                {
                    Ok(row) => Appended::of(&row),
                    Err(e) => Err(backend(e)),
                };
                answers.push(answer);
            }
            let alive = !conn.client.is_closed();
            (alive.then_some(conn), answers)
        }
        Err(e) => (None, everyone(&backend(e))),
    }
}

/// A store's membership of an appender, counted while the store lives.
pub(crate) struct Member(AsyncPgGroupAppender);

impl Member {
    fn new(group: &AsyncPgGroupAppender) -> Self {
        group.shared.members.fetch_add(1, Ordering::Relaxed);
        Member(group.clone())
    }

    pub(crate) fn group(&self) -> &AsyncPgGroupAppender {
        &self.0
    }
}

impl Drop for Member {
    fn drop(&mut self) {
        self.0.shared.members.fetch_sub(1, Ordering::Relaxed);
    }
}

async fn reconnect(config: &Config, schema: &str) -> Result<GroupConn, StoreError> {
    let client = crate::async_store::open(config).await?;
    client
        .batch_execute(&sql::session_setup(schema))
        .await
        .map_err(backend)?;
    GroupConn::prepare(client).await.map_err(backend)
}

impl GroupConn {
    async fn prepare(client: Client) -> Result<Self, tokio_postgres::Error> {
        Ok(GroupConn {
            group: client.prepare(sql::APPEND_GROUP).await?,
            single: client.prepare(sql::APPEND).await?,
            client,
        })
    }
}
