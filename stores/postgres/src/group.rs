//! Group commit: the appends of several desks (threads) of one process in
//! one transaction, one hold of the head and one flush of the write-ahead
//! log, each append still all or nothing with a result of its own. See
//! [`PgGroupAppender`].

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use fanatical::store::{RecordedEvent, StoreError, StreamWrite};
use postgres::{Client, Config, NoTls, Statement};

use crate::PgStore;
use crate::sql::{self, Appended, Params, Plan, backend};

/// The most appends one group takes; the rest wait for the next.
pub const MAX_GROUP: usize = 64;

/// A group commit appender: desks (threads) of one process that append
/// at the same time share one transaction, so one hold of the head and
/// one flush of the write-ahead log commit all of their appends.
///
/// Without it every append is a transaction of its own that holds the
/// one-row head from taking its positions through its commit, flush
/// included (see [the crate docs](crate)), so appends commit one flush at
/// a time, and four writers go little faster than one. Through a
/// `PgGroupAppender` an append joins a queue; the first caller to find no
/// group running leads one: it takes every append waiting (up to
/// [`MAX_GROUP`]) and writes them with one call of the server-side
/// `append_group` on the appender's own connection, while the appends
/// that arrive meanwhile wait for the next group. That call:
///
/// 1. locks every stream of the group once, in sorted order, before the
///    head (the order a single append takes them in, so grouped and
///    single appends, in this process or others, do not deadlock; an
///    erasure, which locks the streams it rewrites before it creates new
///    ones, can still meet a group in a deadlock, which PostgreSQL breaks
///    by failing one side: a group then runs each append alone);
/// 2. checks each append in queue order against the versions the appends
///    before it left: one whose expected versions all hold moves its
///    streams on; one with a stale write is a [`StoreError::Conflict`]
///    for its caller alone (the first stale write of its batch) and
///    writes nothing, while the others commit;
/// 3. takes the positions of every append that holds with one update of
///    the head, last, and inserts their events, so positions stay
///    gap-free and in commit order: within the group in queue order, and
///    the group as a whole after every transaction before it.
///
/// Each caller gets exactly its own result: its recorded events, or its
/// own conflict. An error the server raises (a broken constraint, which
/// the version checks make all but impossible) rolls the whole group
/// back; the leader then runs each append of it alone, as
/// [`PgStore`] does, so that error too is its own append's.
///
/// **The trade-off.** An append waits for the group before it to commit
/// (normally one flush; but a stream row another transaction holds
/// locked holds the whole group, and every append queued behind it,
/// where alone only the append to that stream would wait) and then
/// commits with its own group: with one
/// writer that is a little slower than [`PgStore`] alone (the group's
/// statement locks each stream and then moves it, where a single append
/// does both at once); with several writers at once they share flushes,
/// fully with a commit delay (below), about half of them without. A group holds whatever
/// queued while the one before it committed: desks that do more than
/// append between appends (a desk catches up on the others' events after
/// each command) come back staggered, and a group then holds about half
/// of them; [`PgGroupAppender::with_commit_delay`] lets a group wait, a
/// bounded moment, for every desk of the appender. A lost connection fails
/// every append of the group in flight with [`StoreError::Backend`]: each
/// may or may not have been stored, as for a single append, and retrying
/// it (the same expected versions, or the command again with its
/// idempotency key) is safe: a stored one makes the retry a conflict, and
/// after catching up the desk recognises the command as a repeat. The
/// next group connects again. Only appends are grouped: an append with
/// an erasure, reads, leases and snapshots go through each store's own
/// connection.
///
/// Make one appender per process and schema, clone it freely (clones
/// share the queue and connection), and give each desk a store of its
/// own from [`PgGroupAppender::store`]:
///
/// ```no_run
/// use fanatical::chrono::{TimeZone, Utc};
/// use fanatical::prelude::*;
/// use fanatical_postgres::PgGroupAppender;
///
/// let group = PgGroupAppender::connect("postgres://desk@localhost/support")?;
/// let now = Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap();
/// std::thread::scope(|s| {
///     for seed in 0..4 {
///         let group = &group;
///         s.spawn(move || -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
///             // A desk with a store of its own: its appends go through the
///             // group, its reads through its own connection.
///             let mut store = group.store()?;
///             let mut desk = Desk::rebuild(&store, DeskConfig::default())?;
///             let acme = IdGenerator::from_seed(seed).next_id();
///             let register = CustomerAction::Register { id: acme, organisation: "Acme".into() };
///             desk.execute(&mut store, Command::new(Actor::integration("signup"), register), now)?;
///             Ok(())
///         });
///     }
/// });
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct PgGroupAppender {
    shared: Arc<Shared>,
}

struct Shared {
    /// As parsed (what `Debug` shows, and what each store connects with).
    parsed: tokio_postgres::Config,
    config: Config,
    schema: String,
    state: Mutex<State>,
    /// Signalled when a group has finished.
    turn: Condvar,
    /// Signalled when an append joins the queue (for a leader waiting out
    /// its commit delay).
    arrived: Condvar,
    /// The commit delay, in nanoseconds.
    delay: AtomicU64,
    /// Live stores of the appender ([`PgGroupAppender::store`]).
    members: AtomicUsize,
}

#[derive(Default)]
struct State {
    /// Appends waiting for a group, in arrival order.
    queue: Vec<Job>,
    /// The results of finished groups, until each caller takes its own.
    done: HashMap<u64, Result<Appended, StoreError>>,
    next_ticket: u64,
    /// Whether a leader is writing a group.
    leading: bool,
    /// The group connection, while no leader has it.
    conn: Option<GroupConn>,
    /// Groups written so far, and the appends in them.
    groups: u64,
    grouped: u64,
}

/// What a [`PgGroupAppender`] has done so far ([`PgGroupAppender::stats`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct GroupStats {
    /// Groups written (each one transaction, one commit).
    pub groups: u64,
    /// Appends those groups held: `appends / groups` appends shared each
    /// commit on average.
    pub appends: u64,
    /// Appends waiting now for the next group.
    pub waiting: usize,
}

struct Job {
    ticket: u64,
    params: Params,
}

/// A job's answer, by its ticket.
type Answer = (u64, Result<Appended, StoreError>);

struct GroupConn {
    client: Client,
    group: Statement,
    single: Statement,
}

impl fmt::Debug for PgGroupAppender {
    /// Names the server, database and schema; never the password.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = &self.shared;
        f.debug_struct("PgGroupAppender")
            .field("hosts", &crate::hosts(&s.parsed))
            .field("ports", &s.parsed.get_ports())
            .field("dbname", &s.parsed.get_dbname())
            .field("schema", &s.schema)
            .finish()
    }
}

impl PgGroupAppender {
    /// A group appender on the database at `url`, in the schema
    /// [`DEFAULT_SCHEMA`](crate::DEFAULT_SCHEMA), creating it and its
    /// tables when missing, as [`PgStore::connect`] does; it opens its
    /// own connection, on which every group is written.
    ///
    /// # Errors
    /// As [`PgStore::connect`].
    pub fn connect(url: &str) -> Result<Self, StoreError> {
        Self::with_schema(url, crate::DEFAULT_SCHEMA)
    }

    /// As [`PgGroupAppender::connect`], in the schema `schema`.
    ///
    /// # Errors
    /// As [`PgStore::with_schema`].
    pub fn with_schema(url: &str, schema: &str) -> Result<Self, StoreError> {
        sql::check_schema_name(schema)?;
        let parsed = crate::parse_config(url)?;
        let config = Config::from(parsed.clone());
        let mut client = config.connect(NoTls).map_err(backend)?;
        crate::migrate(&mut client, schema).map_err(backend)?;
        let conn = GroupConn::prepare(client).map_err(backend)?;
        Ok(PgGroupAppender {
            shared: Arc::new(Shared {
                parsed,
                config,
                schema: schema.to_owned(),
                state: Mutex::new(State {
                    conn: Some(conn),
                    ..State::default()
                }),
                turn: Condvar::new(),
                arrived: Condvar::new(),
                delay: AtomicU64::new(0),
                members: AtomicUsize::new(0),
            }),
        })
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
        let state = self.shared.lock();
        GroupStats {
            groups: state.groups,
            appends: state.grouped,
            waiting: state.queue.len(),
        }
    }

    /// A store on the appender's database and schema, with a connection
    /// of its own, whose appends ([`Store::append`]) go through this
    /// appender; give each desk (thread) one.
    ///
    /// # Errors
    /// As [`PgStore::connect`].
    ///
    /// [`Store::append`]: fanatical::store::Store::append
    pub fn store(&self) -> Result<PgStore, StoreError> {
        PgStore::open(
            self.shared.parsed.clone(),
            &self.shared.schema,
            Some(Member::new(self)),
        )
    }

    /// Sets the commit delay: how long a leader may wait, before writing
    /// its group, for more appends to join it, as PostgreSQL's own
    /// `commit_delay` does for flushes. It waits only while fewer appends
    /// are queued than the appender has stores (from
    /// [`PgGroupAppender::store`], each a desk that may be about to
    /// append), and never longer than `delay`. Zero, the default, never
    /// waits: a group is whatever queued while the one before it
    /// committed.
    ///
    /// Desks that do more than append between their appends (a desk
    /// catches up on the others' events after each command) come back
    /// staggered, so without a delay a group holds about half of them;
    /// a delay of a fraction of a commit's flush lets every desk at work
    /// join each group, for more appends per flush at the cost of up to
    /// `delay` more latency per append (paid in full whenever a store
    /// of the appender stays idle).
    ///
    /// The delay belongs to the appender, not to this handle: every clone
    /// of it, and every store it made, waits the new delay.
    ///
    /// ```no_run
    /// # use fanatical_postgres::PgGroupAppender;
    /// let group = PgGroupAppender::connect("postgres://desk@localhost/support")?
    ///     .with_commit_delay(std::time::Duration::from_micros(500));
    /// # Ok::<(), fanatical::store::StoreError>(())
    /// ```
    #[must_use]
    pub fn with_commit_delay(self, delay: Duration) -> Self {
        let nanos = u64::try_from(delay.as_nanos()).unwrap_or(u64::MAX);
        self.shared.delay.store(nanos, Ordering::Relaxed);
        self
    }

    /// Appends every write of the batch atomically, in a group with the
    /// appends other threads make at the same time, returning the stored
    /// events in order; as [`Store::append`] does, and blocking until the
    /// group has committed.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when a write's expected version is stale
    /// (the other appends of the group are not affected),
    /// [`StoreError::DuplicateStreamInBatch`], or a backend error (for a
    /// lost connection, every append of the group; see the type's docs);
    /// in every case nothing of this batch is written.
    ///
    /// [`Store::append`]: fanatical::store::Store::append
    pub fn append(&self, batch: &[StreamWrite]) -> Result<Vec<RecordedEvent>, StoreError> {
        let mut plan = Plan::new(batch)?;
        if batch.is_empty() {
            return Ok(Vec::new());
        }
        let params = std::mem::take(&mut plan.params);
        let answer = self.shared.submit(params)?;
        plan.outcome_of(&answer)
    }
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A leader that panicked left the state consistent (see Leader).
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Queues an append and waits for its group's answer, leading a group
    /// whenever none is running.
    fn submit(&self, params: Params) -> Result<Appended, StoreError> {
        let mut state = self.lock();
        let ticket = state.next_ticket;
        state.next_ticket = state.next_ticket.wrapping_add(1);
        state.queue.push(Job { ticket, params });
        self.arrived.notify_one();
        loop {
            if let Some(answer) = state.done.remove(&ticket) {
                return answer;
            }
            if state.leading {
                state = self
                    .turn
                    .wait(state)
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                continue;
            }
            state.leading = true;
            state = self.wait_for_members(state);
            let take = state.queue.len().min(MAX_GROUP);
            let jobs: Vec<Job> = state.queue.drain(..take).collect();
            let conn = state.conn.take();
            state.groups += 1;
            state.grouped += jobs.len() as u64;
            drop(state);
            let mut leader = Leader {
                shared: self,
                tickets: jobs.iter().map(|j| j.ticket).collect(),
                finished: false,
            };
            let (conn, answers) = self.write_group(conn, jobs);
            state = self.lock();
            state.conn = conn;
            state.done.extend(answers);
            state.leading = false;
            leader.finished = true;
            self.turn.notify_all();
        }
    }

    /// The commit delay: waits (up to the delay) until as many appends
    /// are queued as the appender has stores.
    fn wait_for_members<'a>(&'a self, mut state: MutexGuard<'a, State>) -> MutexGuard<'a, State> {
        let delay = Duration::from_nanos(self.delay.load(Ordering::Relaxed));
        if delay.is_zero() {
            return state;
        }
        let want = self.members.load(Ordering::Relaxed).clamp(1, MAX_GROUP);
        let deadline = Instant::now() + delay;
        while state.queue.len() < want {
            let now = Instant::now();
            if now >= deadline {
                break;
            }
            state = self
                .arrived
                .wait_timeout(state, deadline - now)
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .0;
        }
        state
    }

    /// Writes one group on the group connection (connecting first when
    /// there is none, or it was lost): each job's answer, and the
    /// connection when it is still usable.
    fn write_group(
        &self,
        conn: Option<GroupConn>,
        jobs: Vec<Job>,
    ) -> (Option<GroupConn>, Vec<Answer>) {
        let everyone = |jobs: &[Job], e: &StoreError| {
            jobs.iter()
                .map(|j| (j.ticket, Err(e.clone())))
                .collect::<Vec<_>>()
        };
        let conn = match conn.filter(|c| !c.client.is_closed()) {
            Some(conn) => conn,
            None => match self.reconnect() {
                Ok(conn) => conn,
                Err(e) => return (None, everyone(&jobs, &e)),
            },
        };
        let mut conn = conn;
        let group = GroupParams::of(jobs.iter().map(|j| &j.params));
        match conn.client.query(&conn.group, &group.as_sql()) {
            Ok(rows) if rows.len() == jobs.len() => {
                let answers = jobs
                    .iter()
                    .zip(&rows)
                    .map(|(j, row)| (j.ticket, Appended::of(row)))
                    .collect();
                (Some(conn), answers)
            }
            Ok(rows) => {
                let e = StoreError::backend_message(format!(
                    "a group of {} appends answered {} rows",
                    jobs.len(),
                    rows.len()
                ));
                (Some(conn), everyone(&jobs, &e))
            }
            // The server refused the group (nothing of it was written):
            // each append alone, so the error is its own append's.
            Err(e) if crate::sql::refused_whole(&e) && !conn.client.is_closed() => {
                let answers = jobs
                    .iter()
                    .map(|j| {
                        let answer = conn
                            .client
                            .query_one(&conn.single, &j.params.as_sql())
                            .map_err(backend)
                            .and_then(|row| Appended::of(&row));
                        (j.ticket, answer)
                    })
                    .collect();
                let alive = !conn.client.is_closed();
                (alive.then_some(conn), answers)
            }
            // Lost (or the client failed): whether the group committed is
            // unknown; every caller is told, and the next group connects
            // again.
            Err(e) => (None, everyone(&jobs, &backend(e))),
        }
    }

    fn reconnect(&self) -> Result<GroupConn, StoreError> {
        let mut client = self.config.connect(NoTls).map_err(backend)?;
        client
            .batch_execute(&sql::session_setup(&self.schema))
            .map_err(backend)?;
        GroupConn::prepare(client).map_err(backend)
    }
}

impl GroupConn {
    fn prepare(mut client: Client) -> Result<Self, postgres::Error> {
        Ok(GroupConn {
            group: client.prepare(sql::APPEND_GROUP)?,
            single: client.prepare(sql::APPEND)?,
            client,
        })
    }
}

/// A leader's group in flight: should the leader unwind (a panic below
/// it), its callers are answered with an error and the next caller may
/// lead, rather than everyone waiting for ever.
struct Leader<'a> {
    shared: &'a Shared,
    tickets: Vec<u64>,
    finished: bool,
}

impl Drop for Leader<'_> {
    fn drop(&mut self) {
        if self.finished {
            return;
        }
        let mut state = self.shared.lock();
        let e = StoreError::backend_message("the group's leader failed while writing it");
        for t in &self.tickets {
            state.done.insert(*t, Err(e.clone()));
        }
        state.leading = false;
        self.shared.turn.notify_all();
    }
}

/// A store's membership of an appender: counted while the store lives
/// (see [`PgGroupAppender::with_commit_delay`]).
pub(crate) struct Member(PgGroupAppender);

impl Member {
    fn new(group: &PgGroupAppender) -> Self {
        group.shared.members.fetch_add(1, Ordering::Relaxed);
        Member(group.clone())
    }

    pub(crate) fn group(&self) -> &PgGroupAppender {
        &self.0
    }
}

impl Drop for Member {
    fn drop(&mut self) {
        self.0.shared.members.fetch_sub(1, Ordering::Relaxed);
    }
}

/// [`sql::APPEND_GROUP`]'s parameters: the jobs' arrays end to end.
#[derive(Default)]
pub(crate) struct GroupParams {
    w_append: Vec<i32>,
    p: Params,
}

impl GroupParams {
    pub(crate) fn of<'a>(jobs: impl IntoIterator<Item = &'a Params>) -> Self {
        let mut g = GroupParams::default();
        for (params, append) in jobs.into_iter().zip(1i32..) {
            g.push(append, params);
        }
        g
    }

    fn push(&mut self, append: i32, q: &Params) {
        let base = i32::try_from(self.p.w_stream.len()).unwrap_or(i32::MAX);
        let p = &mut self.p;
        self.w_append
            .extend(std::iter::repeat_n(append, q.w_stream.len()));
        p.w_stream.extend_from_slice(&q.w_stream);
        p.w_expected.extend_from_slice(&q.w_expected);
        p.w_count.extend_from_slice(&q.w_count);
        p.e_write
            .extend(q.e_write.iter().map(|w| w.saturating_add(base)));
        p.e_offset.extend_from_slice(&q.e_offset);
        p.e_id.extend_from_slice(&q.e_id);
        p.e_schema.extend_from_slice(&q.e_schema);
        p.e_event.extend_from_slice(&q.e_event);
        p.e_actor.extend_from_slice(&q.e_actor);
        p.e_command.extend_from_slice(&q.e_command);
    }

    /// [`sql::APPEND_GROUP`]'s parameters.
    pub(crate) fn as_sql(&self) -> [&(dyn postgres::types::ToSql + Sync); 11] {
        let [a, b, c, d, e, f, g, h, i, j] = self.p.as_sql();
        [&self.w_append, a, b, c, d, e, f, g, h, i, j]
    }
}
