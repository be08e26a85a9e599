//! The group commit appender ([`PgGroupAppender`]) against a real server
//! (`FANATICAL_PG_URL`; see `common`): the conformance suite through it,
//! many writers sharing it with gap-free positions in commit order, a
//! conflicting append that fails alone in its group while the others
//! commit, an error the server raises for one append, and a connection
//! lost under a group.

mod common;

use common::{customer, name_of, renamed};

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Barrier;
use std::sync::atomic::{AtomicBool, Ordering};

use fanatical::event::StreamId;
use fanatical::store::conformance::Suite;
use fanatical::store::{ExpectedVersion, RecordedEvent, Store, StoreError, StreamWrite};
use fanatical_postgres::{PgGroupAppender, PgStore};

/// What one append answered.
type Appended = Result<Vec<RecordedEvent>, StoreError>;

fn write(s: StreamId, v: u64, names: &[&str]) -> StreamWrite {
    StreamWrite::new(
        s,
        ExpectedVersion::Exact(v),
        names.iter().map(|n| renamed((*n).into())).collect(),
    )
}

#[test]
fn the_conformance_suite_passes_through_a_group_appender() {
    let Some(db) = common::db("the_conformance_suite_passes_through_a_group_appender") else {
        return;
    };
    // Each check on a fresh schema with an appender of its own; reopening
    // makes a new appender on the schema; the second handle shares the
    // first's appender, so the two threads' appends meet in its groups.
    let report = Suite::new(|| {
        PgGroupAppender::with_schema(&db.url, &db.schema_name())
            .and_then(|g| g.store())
            .unwrap()
    })
    .reopen(|old: PgStore| {
        let schema = old.schema().to_owned();
        drop(old);
        PgGroupAppender::with_schema(&db.url, &schema)?.store()
    })
    .second_handle(|s: &PgStore| match s.group() {
        Some(group) => group.store(),
        None => Err(StoreError::backend_message("not a grouped store")),
    })
    .run()
    .unwrap_or_else(|f| panic!("{f:#?}"));
    assert_eq!(report.skipped, Vec::<&str>::new(), "{report}");
}

/// Twelve writers (threads) share one appender, each with a store of its
/// own: they append to a stream of their own and to three shared ones
/// (alone and in one batch with their own), reading the shared versions
/// and then appending at once, so they collide, inside groups and
/// between them; a reader polls `read_all` on its own connection all the
/// while.
#[test]
fn twelve_writers_through_one_group_appender_leave_gap_free_positions_in_commit_order() {
    let Some(db) = common::db(
        "twelve_writers_through_one_group_appender_leave_gap_free_positions_in_commit_order",
    ) else {
        return;
    };
    const WRITERS: usize = 12;
    const ROUNDS: usize = 30;
    const SHARED: u128 = 3;
    let schema = db.schema_name();
    let group = PgGroupAppender::with_schema(&db.url, &schema).unwrap();
    let barrier = Barrier::new(WRITERS);
    let done = AtomicBool::new(false);

    let (tallies, read_to) = std::thread::scope(|s| {
        // Every batch the reader reads continues exactly where the last
        // one stopped: a position that committed after a higher one would
        // show as a jump.
        let reader = s.spawn(|| {
            let store = PgStore::with_schema(&db.url, &schema).unwrap();
            let mut last = 0u64;
            loop {
                let finished = done.load(Ordering::SeqCst);
                let batch = store.read_all(last, 500).unwrap();
                for e in &batch {
                    assert_eq!(e.position, last + 1, "read {last}, then {}", e.position);
                    last = e.position;
                }
                if finished && batch.is_empty() {
                    return last;
                }
            }
        });
        let writers: Vec<_> = (0..WRITERS)
            .map(|w| {
                let (group, barrier) = (&group, &barrier);
                s.spawn(move || {
                    let mut store = group.store().unwrap();
                    let own = customer(1_000 + w as u128);
                    let mut own_version = 0u64;
                    let (mut events, mut conflicts) = (0u64, 0u64);
                    // A writer that fails keeps meeting the others at the
                    // barrier (appending nothing), so the test fails
                    // rather than hangs.
                    let mut failure = None;
                    for round in 0..ROUNDS {
                        let shared = customer((w + round) as u128 % SHARED);
                        let name = |n: usize| format!("writer {w} round {round} #{n}");
                        let mut seen = store.stream_version(&shared).unwrap();
                        barrier.wait();
                        while failure.is_none() {
                            let batch = match round % 3 {
                                0 => vec![write(own, own_version, &[&name(0), &name(1)])],
                                1 => vec![write(shared, seen, &[&name(0)])],
                                _ => vec![
                                    write(own, own_version, &[&name(0)]),
                                    write(shared, seen, &[&name(1), &name(2)]),
                                ],
                            };
                            match store.append(&batch) {
                                Ok(stored) => {
                                    events += stored.len() as u64;
                                    own_version +=
                                        stored.iter().filter(|e| e.stream == own).count() as u64;
                                    break;
                                }
                                Err(StoreError::Conflict {
                                    stream,
                                    expected: ExpectedVersion::Exact(expected),
                                    actual,
                                }) if stream == shared && expected == seen && actual > seen => {
                                    conflicts += 1;
                                    seen = store.stream_version(&shared).unwrap();
                                }
                                Err(e) => {
                                    failure = Some(format!("writer {w} round {round}: {e:?}"))
                                }
                            }
                        }
                    }
                    (events, conflicts, failure)
                })
            })
            .collect();
        let tallies: Vec<(u64, u64, Option<String>)> =
            writers.into_iter().map(|h| h.join().unwrap()).collect();
        done.store(true, Ordering::SeqCst);
        (tallies, reader.join().unwrap())
    });

    let failures: Vec<&String> = tallies.iter().filter_map(|t| t.2.as_ref()).collect();
    assert!(failures.is_empty(), "{failures:#?}");
    let written: u64 = tallies.iter().map(|t| t.0).sum();
    let conflicts: u64 = tallies.iter().map(|t| t.1).sum();
    assert!(conflicts >= 1, "the writers never collided");
    let stats = group.stats();
    assert!(
        stats.appends > stats.groups,
        "no group held more than one append: {stats:?}"
    );
    let store = PgStore::with_schema(&db.url, &schema).unwrap();
    let all = store.read_all(0, usize::MAX).unwrap();
    assert_eq!(read_to, written, "the reader read to the end");
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
        assert_eq!(store.stream_version(stream).unwrap(), n);
    }
    assert_eq!(versions.len(), WRITERS + SHARED as usize);
    let names: BTreeSet<String> = all.iter().map(|e| name_of(&e.event)).collect();
    assert_eq!(names.len() as u64, written, "an event was stored twice");
    assert_eq!(written, (WRITERS * (ROUNDS / 3) * (2 + 1 + 3)) as u64);
    eprintln!(
        "{WRITERS} writers through one appender: {written} events, {conflicts} conflicts, {stats:?}"
    );
}

/// Runs `batches` through `group` as one group: a connection of the
/// test's holds the head while a first append waits on it in a group of
/// its own, the batches queue behind it, and the head is let go once all
/// of them wait. Returns each batch's result, and the first append's.
fn in_one_group(
    db: &common::Db,
    group: &PgGroupAppender,
    first: Vec<StreamWrite>,
    batches: Vec<Vec<StreamWrite>>,
) -> (Appended, Vec<Appended>) {
    let mut holder = db.raw(group.schema());
    let mut head = holder.transaction().unwrap();
    head.query("SELECT position FROM head FOR UPDATE", &[])
        .unwrap();
    let before = group.stats();
    let n = batches.len();
    std::thread::scope(|s| {
        let first = s.spawn(move || group.append(&first));
        let wait_for = |what: &str, until: &dyn Fn() -> bool| {
            let started = std::time::Instant::now();
            while !until() {
                assert!(started.elapsed().as_secs() < 30, "{what}");
                std::thread::sleep(std::time::Duration::from_millis(2));
            }
        };
        wait_for("the first append never led a group", &|| {
            group.stats().groups == before.groups + 1
        });
        // One at a time, each queued before the next starts: the queue
        // holds them in the order given.
        let others: Vec<_> = batches
            .into_iter()
            .enumerate()
            .map(|(i, b)| {
                let h = s.spawn(move || group.append(&b));
                wait_for("an append never queued", &|| group.stats().waiting == i + 1);
                h
            })
            .collect();
        wait_for("the appends never queued", &|| group.stats().waiting == n);
        head.rollback().unwrap();
        let first = first.join().unwrap();
        let others = others.into_iter().map(|h| h.join().unwrap()).collect();
        let after = group.stats();
        assert_eq!(
            (after.groups, after.appends),
            (before.groups + 2, before.appends + 1 + n as u64),
            "not one group after the first"
        );
        (first, others)
    })
}

/// One transaction's appends: the `xmin` of their rows.
fn transactions(db: &common::Db, schema: &str, positions: &[u64]) -> BTreeSet<String> {
    let positions: Vec<i64> = positions.iter().map(|p| *p as i64).collect();
    db.raw(schema)
        .query(
            "SELECT xmin::text FROM events WHERE position = ANY($1)",
            &[&positions],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect()
}

#[test]
fn one_conflicting_append_in_a_group_fails_alone_while_the_others_commit() {
    let Some(db) =
        common::db("one_conflicting_append_in_a_group_fails_alone_while_the_others_commit")
    else {
        return;
    };
    let group = PgGroupAppender::with_schema(&db.url, &db.schema_name()).unwrap();
    let (s, x, y, z) = (customer(1), customer(2), customer(3), customer(4));
    // In queue order: b moves s from 0 to 1; c expects s at 0 (stale
    // after b, in the same group) and x at 0 (new, fine); d writes y and
    // z. c's conflict leaves x untouched and takes no position.
    let (first, results) = in_one_group(
        &db,
        &group,
        vec![write(z, 0, &["a"])],
        vec![
            vec![write(s, 0, &["b1", "b2"])],
            vec![write(x, 0, &["c1"]), write(s, 0, &["c2"])],
            vec![write(y, 0, &["d1"]), write(z, 1, &["d2"])],
        ],
    );
    assert_eq!(first.unwrap()[0].position, 1);
    let [b, c, d]: [Appended; 3] = results.try_into().unwrap();
    assert_eq!(
        c,
        Err(StoreError::Conflict {
            stream: s,
            expected: ExpectedVersion::Exact(0),
            actual: 2,
        })
    );
    let (b, d) = (b.unwrap(), d.unwrap());
    let got = |r: &[RecordedEvent]| {
        r.iter()
            .map(|e| (e.stream, e.version, e.position, name_of(&e.event)))
            .collect::<Vec<_>>()
    };
    // The queue's order within the group, with no gap where c would
    // have been.
    assert_eq!(
        got(&b),
        [(s, 1, 2, "b1".to_owned()), (s, 2, 3, "b2".to_owned())]
    );
    assert_eq!(
        got(&d),
        [(y, 1, 4, "d1".to_owned()), (z, 2, 5, "d2".to_owned())]
    );
    let store = group.store().unwrap();
    let all = store.read_all(0, 100).unwrap();
    assert_eq!(all, [first_of(&all), b.clone(), d.clone()].concat());
    for (stream, version) in [(s, 2), (x, 0), (y, 1), (z, 2)] {
        assert_eq!(store.stream_version(&stream).unwrap(), version, "{stream}");
    }
    // x's row, made while the group locked it, did not outlive it.
    let rows = db
        .raw(group.schema())
        .query("SELECT stream FROM streams ORDER BY stream", &[])
        .unwrap();
    assert_eq!(rows.len(), 3, "a stream row left at version 0");
    // b and d committed in one transaction.
    assert_eq!(transactions(&db, group.schema(), &[2, 3, 4, 5]).len(), 1);
}

fn first_of(all: &[RecordedEvent]) -> Vec<RecordedEvent> {
    all[..1].to_vec()
}

/// An error the server raises rolls the whole group back; the leader
/// then runs each append alone, so only the append that caused it fails.
#[test]
fn an_error_the_server_raises_for_one_append_fails_that_append_alone() {
    let Some(db) = common::db("an_error_the_server_raises_for_one_append_fails_that_append_alone")
    else {
        return;
    };
    let group = PgGroupAppender::with_schema(&db.url, &db.schema_name()).unwrap();
    let (s, x, y) = (customer(1), customer(2), customer(3));
    let taken = write(x, 0, &["x"]);
    // An event id already stored: the events table's unique id refuses it.
    let mut reused = write(y, 0, &["y"]);
    reused.events[0].id = taken.events[0].id;
    let (first, results) = in_one_group(
        &db,
        &group,
        vec![taken],
        vec![vec![write(s, 0, &["s"])], vec![reused]],
    );
    first.unwrap();
    let [fine, refused]: [Result<Vec<RecordedEvent>, StoreError>; 2] = results.try_into().unwrap();
    assert_eq!(fine.unwrap()[0].position, 2);
    let Err(StoreError::Backend { message, .. }) = &refused else {
        panic!("not a backend error: {refused:?}");
    };
    assert!(message.contains("events_id_key"), "{message}");
    let store = group.store().unwrap();
    assert_eq!(store.read_all(0, 10).unwrap().len(), 2);
    assert_eq!(store.stream_version(&y).unwrap(), 0);
    // The group carries on.
    let next = group.append(&[write(y, 0, &["y again"])]).unwrap();
    assert_eq!(next[0].position, 3);
}

/// The connection of the group is lost while its appends wait at the
/// head: every append of that group is a backend failure that leaves its
/// desk as it was, the next group connects again, and running the
/// failed commands again with their idempotency keys stores each once.
#[test]
fn a_connection_lost_under_a_group_fails_its_appends_and_their_retries_are_safe() {
    use fanatical::actor::Actor;
    use fanatical::chrono::{TimeZone, Utc};
    use fanatical::customer::CustomerCommand;
    use fanatical::desk::{Command, CustomerAction, Desk, DeskConfig};
    use fanatical::id::CustomerId;

    let Some(db) =
        common::db("a_connection_lost_under_a_group_fails_its_appends_and_their_retries_are_safe")
    else {
        return;
    };
    const DESKS: usize = 4;
    let schema = db.schema_name();
    let app = format!("fanatical-group-lost-{}", std::process::id());
    let group = PgGroupAppender::with_schema(&db.url_named(&app), &schema).unwrap();
    let now = Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap();
    let crm = || Actor::integration("crm");
    let customers: Vec<CustomerId> = (0..DESKS)
        .map(|i| CustomerId::from_uuid(uuid::Uuid::from_u128(i as u128 + 1)))
        .collect();
    let mut setup = group.store().unwrap();
    let mut desk = Desk::new(DeskConfig::default());
    for c in &customers {
        let register = CustomerAction::Register {
            id: *c,
            organisation: "Acme".into(),
        };
        desk.execute(&mut setup, Command::new(crm(), register), now)
            .unwrap();
    }
    let rename = |i: usize| {
        Command::new(
            crm(),
            CustomerAction::Update {
                customer: customers[i],
                command: CustomerCommand::RenameOrganisation {
                    name: format!("Acme {i}"),
                },
            },
        )
        .with_key(format!("crm-rename-{i}").parse().unwrap())
    };
    let desks: Vec<(Desk, PgStore)> = (0..DESKS)
        .map(|_| (desk.clone(), group.store().unwrap()))
        .collect();
    let mut killer = common::Killer::new(&db);
    let killed = killer.kill_at_head(&schema, &app, || {
        std::thread::scope(|s| {
            let runs: Vec<_> = desks
                .into_iter()
                .enumerate()
                .map(|(i, (mut desk, mut store))| {
                    let command = rename(i);
                    s.spawn(move || {
                        let before = desk.clone();
                        let result = desk.execute(&mut store, command, now);
                        if result.is_err() {
                            assert_eq!(desk, before, "a failed append changes nothing");
                        }
                        (desk, store, result)
                    })
                })
                .collect();
            runs.into_iter()
                .map(|h| h.join().unwrap())
                .collect::<Vec<_>>()
        })
    });
    assert!(killed.killed, "no append waited at the head");
    let mut failed = 0;
    for (i, (mut desk, mut store, result)) in killed.result.into_iter().enumerate() {
        match result {
            Ok(_) => {}
            Err(fanatical::Error::Store(StoreError::Backend {
                source: Some(_), ..
            })) => {
                failed += 1;
                // Retried by the documented pattern: catch up, run again.
                desk.catch_up(&store).unwrap();
                let stored = desk.execute(&mut store, rename(i), now).unwrap();
                assert_eq!(desk.execute(&mut store, rename(i), now).unwrap(), stored);
            }
            Err(e) => panic!("desk {i}: {e:?}"),
        }
    }
    assert!(failed >= 1, "no append failed with the connection");
    // Each keyed command stored once: its two events (the rename and the
    // key's record) and nothing more.
    let all = setup.read_all(0, 1000).unwrap();
    for i in 0..DESKS {
        let key = format!("crm-rename-{i}");
        let n = all
            .iter()
            .filter(|e| e.command.as_ref().is_some_and(|k| k.to_string() == key))
            .count();
        assert_eq!(n, 2, "{key} stored {n} events");
    }
    assert_eq!(
        all.iter().map(|e| e.position).collect::<Vec<_>>(),
        (1..=all.len() as u64).collect::<Vec<_>>()
    );
}

/// With a commit delay, a leader waits for the appender's other stores:
/// three stores appending 200 ms apart (each append alone commits in
/// milliseconds) still share one group, and the wait ends when the last
/// one arrives, not at the delay's end.
#[test]
fn with_a_commit_delay_a_group_waits_for_every_store_of_the_appender() {
    let Some(db) = common::db("with_a_commit_delay_a_group_waits_for_every_store_of_the_appender")
    else {
        return;
    };
    let group = PgGroupAppender::with_schema(&db.url, &db.schema_name())
        .unwrap()
        .with_commit_delay(std::time::Duration::from_secs(60));
    let mut stores: Vec<PgStore> = (0..3).map(|_| group.store().unwrap()).collect();
    let started = std::time::Instant::now();
    let stored: Vec<Vec<RecordedEvent>> = std::thread::scope(|s| {
        let runs: Vec<_> = stores
            .iter_mut()
            .enumerate()
            .map(|(i, store)| {
                std::thread::sleep(std::time::Duration::from_millis(200));
                s.spawn(move || {
                    store
                        .append(&[write(customer(i as u128), 0, &["x"])])
                        .unwrap()
                })
            })
            .collect();
        runs.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let stats = group.stats();
    assert_eq!((stats.groups, stats.appends), (1, 3), "{stats:?}");
    assert!(started.elapsed().as_secs() < 30, "waited out the delay");
    let mut positions: Vec<u64> = stored.iter().map(|r| r[0].position).collect();
    positions.sort_unstable();
    assert_eq!(positions, [1, 2, 3]);
    // One store gone: two are enough for the next group.
    drop(stores.pop());
    std::thread::scope(|s| {
        for (i, store) in stores.iter_mut().enumerate() {
            s.spawn(move || {
                store
                    .append(&[write(customer(i as u128), 1, &["y"])])
                    .unwrap()
            });
        }
    });
    assert_eq!(group.stats().groups, 2);
}
