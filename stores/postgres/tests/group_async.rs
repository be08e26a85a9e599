//! The async group commit appender ([`AsyncPgGroupAppender`]) against a
//! real server (`FANATICAL_PG_URL`; see `common`): the conformance suite
//! through it, many tasks sharing it with gap-free positions in commit
//! order, and a conflicting append that fails alone in its group while
//! the others commit.

mod common;

use common::{customer, name_of, renamed};

use std::collections::BTreeMap;
use std::sync::Arc;

use fanatical::event::StreamId;
use fanatical::store::conformance::Suite;
use fanatical::store::{Erasure, ExpectedVersion, RecordedEvent, Store, StoreError, StreamWrite};
use fanatical_postgres::{AsyncPgGroupAppender, AsyncPgStore};

fn write(s: StreamId, v: u64, names: &[&str]) -> StreamWrite {
    StreamWrite::new(
        s,
        ExpectedVersion::Exact(v),
        names.iter().map(|n| renamed((*n).into())).collect(),
    )
}

/// A grouped async store behind the blocking `Store` trait, its calls run
/// on a runtime that the handles of one appender share (the appender's
/// task and connection live on it).
struct Blocking {
    rt: Arc<tokio::runtime::Runtime>,
    store: AsyncPgStore,
}

impl Blocking {
    fn fresh(url: &str, schema: &str) -> Result<Self, StoreError> {
        let rt = Arc::new(
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .enable_all()
                .build()
                .unwrap(),
        );
        let store = rt.block_on(async {
            AsyncPgGroupAppender::with_schema(url, schema)
                .await?
                .store()
                .await
        })?;
        Ok(Blocking { rt, store })
    }

    fn another(&self) -> Result<Self, StoreError> {
        let group = self
            .store
            .group()
            .ok_or_else(|| StoreError::backend_message("not a grouped store"))?;
        let store = self.rt.block_on(group.store())?;
        Ok(Blocking {
            rt: Arc::clone(&self.rt),
            store,
        })
    }
}

impl Store for Blocking {
    fn append(&mut self, batch: &[StreamWrite]) -> Result<Vec<RecordedEvent>, StoreError> {
        self.rt.block_on(self.store.append(batch))
    }
    fn read_stream(&self, s: &StreamId, after: u64) -> Result<Vec<RecordedEvent>, StoreError> {
        self.rt.block_on(self.store.read_stream(s, after))
    }
    fn read_all(&self, after: u64, limit: usize) -> Result<Vec<RecordedEvent>, StoreError> {
        self.rt.block_on(self.store.read_all(after, limit))
    }
    fn stream_version(&self, s: &StreamId) -> Result<u64, StoreError> {
        self.rt.block_on(self.store.stream_version(s))
    }
    fn append_erasing(
        &mut self,
        batch: &[StreamWrite],
        erasure: &Erasure,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        self.rt.block_on(self.store.append_erasing(batch, erasure))
    }
}

#[test]
fn the_conformance_suite_passes_through_an_async_group_appender() {
    let Some(db) = common::db("the_conformance_suite_passes_through_an_async_group_appender")
    else {
        return;
    };
    let report = Suite::new(|| Blocking::fresh(&db.url, &db.schema_name()).unwrap())
        .reopen(|old: Blocking| {
            let schema = old.store.schema().to_owned();
            drop(old);
            Blocking::fresh(&db.url, &schema)
        })
        .second_handle(Blocking::another)
        .run()
        .unwrap_or_else(|f| panic!("{f:#?}"));
    assert_eq!(report.skipped, Vec::<&str>::new(), "{report}");
}

/// Ten tasks share one appender, each with a store of its own: each
/// appends to a stream of its own and, retrying its conflicts, to one
/// stream they all share.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_tasks_through_one_async_group_appender_leave_gap_free_positions() {
    let Some(db) =
        common::db("ten_tasks_through_one_async_group_appender_leave_gap_free_positions")
    else {
        return;
    };
    const TASKS: usize = 10;
    const ROUNDS: usize = 20;
    let schema = db.schema_name();
    let group = AsyncPgGroupAppender::with_schema(&db.url, &schema)
        .await
        .unwrap();
    let shared = customer(1);
    let tasks: Vec<_> = (0..TASKS)
        .map(|t| {
            let group = group.clone();
            tokio::spawn(async move {
                let store = group.store().await.unwrap();
                let own = customer(100 + t as u128);
                let (mut conflicts, mut events) = (0u64, 0u64);
                for round in 0..ROUNDS {
                    let name = |n: usize| format!("task {t} round {round} #{n}");
                    loop {
                        let seen = store.stream_version(&shared).await.unwrap();
                        let batch = vec![
                            write(own, round as u64, &[&name(0)]),
                            write(shared, seen, &[&name(1)]),
                        ];
                        match store.append(&batch).await {
                            Ok(stored) => {
                                events += stored.len() as u64;
                                break;
                            }
                            Err(StoreError::Conflict { stream, .. }) if stream == shared => {
                                conflicts += 1;
                            }
                            Err(e) => return Err(format!("task {t} round {round}: {e:?}")),
                        }
                    }
                }
                Ok((events, conflicts))
            })
        })
        .collect();
    let mut written = 0;
    for task in tasks {
        written += task.await.unwrap().unwrap().0;
    }
    let stats = group.stats();
    assert!(stats.appends > stats.groups, "no group held two: {stats:?}");
    let store = group.store().await.unwrap();
    let all = store.read_all(0, usize::MAX).await.unwrap();
    assert_eq!(written, (TASKS * ROUNDS * 2) as u64);
    assert_eq!(
        all.iter().map(|e| e.position).collect::<Vec<_>>(),
        (1..=written).collect::<Vec<_>>(),
        "positions 1..=N with no gap"
    );
    let mut versions: BTreeMap<StreamId, Vec<u64>> = BTreeMap::new();
    for e in &all {
        versions.entry(e.stream).or_default().push(e.version);
    }
    for (stream, v) in &versions {
        let n = v.len() as u64;
        assert_eq!(v, &(1..=n).collect::<Vec<_>>(), "{stream}'s versions");
    }
    let names: std::collections::BTreeSet<String> = all.iter().map(|e| name_of(&e.event)).collect();
    assert_eq!(names.len() as u64, written, "an event was stored twice");
}

/// What one append answered.
type Appended = Result<Vec<RecordedEvent>, StoreError>;

/// Runs `batches` through `group` as one group: a connection of the
/// test's holds the head while `first` waits on it in a group of its own,
/// the batches queue behind it one after the other (so in this order),
/// and the head is let go once all of them wait.
async fn in_one_group(
    db: &common::Db,
    group: &AsyncPgGroupAppender,
    first: Vec<StreamWrite>,
    batches: Vec<Vec<StreamWrite>>,
) -> (Appended, Vec<Appended>) {
    let (holder, connection) = tokio_postgres::connect(&db.url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    holder.batch_execute("BEGIN").await.unwrap();
    let head = format!(
        "SELECT position FROM \"{}\".head FOR UPDATE",
        group.schema()
    );
    holder.query(&head, &[]).await.unwrap();
    let before = group.stats();
    let spawn = |batch: Vec<StreamWrite>| {
        let group = group.clone();
        tokio::spawn(async move { group.append(&batch).await })
    };
    let until = |what: &'static str, f: Box<dyn Fn() -> bool + Send>| async move {
        let started = std::time::Instant::now();
        while !f() {
            assert!(started.elapsed().as_secs() < 30, "{what}");
            tokio::time::sleep(std::time::Duration::from_millis(2)).await;
        }
    };
    let first = spawn(first);
    let g = group.clone();
    let led = Box::new(move || g.stats().groups == before.groups + 1);
    until("the first append never led a group", led).await;
    let mut queued = Vec::new();
    let n = batches.len();
    for batch in batches {
        queued.push(spawn(batch));
        let (g, n) = (group.clone(), queued.len());
        until(
            "an append never queued",
            Box::new(move || g.stats().waiting == n),
        )
        .await;
    }
    holder.batch_execute("ROLLBACK").await.unwrap();
    let first = first.await.unwrap();
    let mut results = Vec::new();
    for q in queued {
        results.push(q.await.unwrap());
    }
    let after = group.stats();
    assert_eq!(
        (after.groups, after.appends),
        (before.groups + 2, before.appends + 1 + n as u64),
        "not one group after the first"
    );
    (first, results)
}

fn at(r: Appended) -> Vec<(StreamId, u64, u64)> {
    r.unwrap()
        .iter()
        .map(|e| (e.stream, e.version, e.position))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_conflicting_append_in_an_async_group_fails_alone_while_the_others_commit() {
    let Some(db) =
        common::db("one_conflicting_append_in_an_async_group_fails_alone_while_the_others_commit")
    else {
        return;
    };
    let group = AsyncPgGroupAppender::with_schema(&db.url, &db.schema_name())
        .await
        .unwrap();
    let (s, x, y) = (customer(1), customer(2), customer(3));
    let (first, results) = in_one_group(
        &db,
        &group,
        vec![write(y, 0, &["a"])],
        vec![
            vec![write(s, 0, &["b"])],
            vec![write(x, 0, &["c1"]), write(s, 0, &["c2"])],
            vec![write(y, 1, &["d"])],
        ],
    )
    .await;
    assert_eq!(at(first), [(y, 1, 1)]);
    let [b, c, d]: [Appended; 3] = results.try_into().unwrap();
    assert_eq!(
        c,
        Err(StoreError::Conflict {
            stream: s,
            expected: ExpectedVersion::Exact(0),
            actual: 1,
        })
    );
    assert_eq!(at(b), [(s, 1, 2)]);
    assert_eq!(at(d), [(y, 2, 3)]);
    let store = group.store().await.unwrap();
    assert_eq!(store.read_all(0, 10).await.unwrap().len(), 3);
    assert_eq!(store.stream_version(&x).await.unwrap(), 0);
}

/// An error the server raises rolls the group back; each append then
/// runs alone, so only the one that caused it fails.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_error_the_server_raises_in_an_async_group_fails_that_append_alone() {
    let Some(db) =
        common::db("an_error_the_server_raises_in_an_async_group_fails_that_append_alone")
    else {
        return;
    };
    let group = AsyncPgGroupAppender::with_schema(&db.url, &db.schema_name())
        .await
        .unwrap();
    let (s, x, y) = (customer(1), customer(2), customer(3));
    let taken = write(x, 0, &["x"]);
    let mut reused = write(y, 0, &["y"]);
    reused.events[0].id = taken.events[0].id;
    let (first, results) = in_one_group(
        &db,
        &group,
        vec![taken],
        vec![vec![write(s, 0, &["s"])], vec![reused]],
    )
    .await;
    assert_eq!(at(first), [(x, 1, 1)]);
    let [fine, refused]: [Appended; 2] = results.try_into().unwrap();
    assert_eq!(at(fine), [(s, 1, 2)]);
    let Err(StoreError::Backend { message, .. }) = &refused else {
        panic!("not a backend error: {refused:?}");
    };
    assert!(message.contains("events_id_key"), "{message}");
    let next = group.append(&[write(y, 0, &["y again"])]).await.unwrap();
    assert_eq!(next[0].position, 3);
}

/// The group's connection is lost while its appends wait at the head:
/// each append of the group is a backend failure and wrote nothing, the
/// next group connects again, and retrying the appends stores each once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_lost_under_an_async_group_fails_its_appends_and_the_next_group_reconnects() {
    let Some(db) = common::db(
        "a_connection_lost_under_an_async_group_fails_its_appends_and_the_next_group_reconnects",
    ) else {
        return;
    };
    let schema = db.schema_name();
    let app = format!("fanatical-async-group-lost-{}", std::process::id());
    let group = AsyncPgGroupAppender::with_schema(&db.url_named(&app), &schema)
        .await
        .unwrap();
    let connect = || async {
        let (client, connection) = tokio_postgres::connect(&db.url, tokio_postgres::NoTls)
            .await
            .unwrap();
        tokio::spawn(connection);
        client
    };
    let (holder, watcher) = (connect().await, connect().await);
    holder.batch_execute("BEGIN").await.unwrap();
    let head = format!("SELECT position FROM \"{schema}\".head FOR UPDATE");
    holder.query(&head, &[]).await.unwrap();
    let batches = [
        vec![write(customer(1), 0, &["a"])],
        vec![write(customer(2), 0, &["b"])],
    ];
    let running: Vec<_> = batches
        .iter()
        .cloned()
        .map(|batch| {
            let group = group.clone();
            tokio::spawn(async move { group.append(&batch).await })
        })
        .collect();
    // The group's connection waits at the head: end it, and let go of the
    // head only once it is gone (so the group cannot commit first).
    let waiting =
        "SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'";
    let started = std::time::Instant::now();
    let pid: i32 = loop {
        if let Some(row) = watcher.query_opt(waiting, &[&app]).await.unwrap() {
            break row.get(0);
        }
        assert!(
            started.elapsed().as_secs() < 30,
            "no group waited at the head"
        );
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    };
    watcher
        .query("SELECT pg_terminate_backend($1)", &[&pid])
        .await
        .unwrap();
    let alive = "SELECT 1 FROM pg_stat_activity WHERE pid = $1";
    while watcher.query_opt(alive, &[&pid]).await.unwrap().is_some() {
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    }
    holder.batch_execute("ROLLBACK").await.unwrap();
    let mut failed = Vec::new();
    for (batch, run) in batches.iter().zip(running) {
        match run.await.unwrap() {
            Ok(_) => {}
            Err(StoreError::Backend {
                source: Some(_), ..
            }) => failed.push(batch.clone()),
            Err(e) => panic!("{e:?}"),
        }
    }
    assert!(!failed.is_empty(), "no append failed with the connection");
    let store = group.store().await.unwrap();
    let stored_before = store.read_all(0, 10).await.unwrap().len();
    assert_eq!(
        stored_before,
        2 - failed.len(),
        "a failed append was stored"
    );
    // Retried with the same expected versions: each stored once.
    for batch in &failed {
        group.append(batch).await.unwrap();
    }
    let all = store.read_all(0, 10).await.unwrap();
    assert_eq!(all.iter().map(|e| e.position).collect::<Vec<_>>(), [1, 2]);
}
