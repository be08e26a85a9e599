//! The PostgreSQL store against a real server (`FANATICAL_PG_URL`; see
//! `common`): the conformance suite, eight writers at once with a reader
//! polling beside them, conflicts, a desk's day rebuilt, rows from a newer
//! schema, a lost connection and an erasure.

// The library's behaviour-test fixtures (the small organisation and the
// SLA policies), shared rather than copied, so a day on PostgreSQL is the
// day the library's tests run in memory.
#[allow(dead_code)]
#[path = "../../../tests/it/support.rs"]
mod support;

mod common;

use common::{customer, name_of, renamed};

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Barrier};

use fanatical::actor::Actor;
use fanatical::chrono::{Duration, TimeZone, Utc};
use fanatical::desk::{Desk, DeskConfig, TicketAction};
use fanatical::event::StreamId;
use fanatical::id::CustomerId;
use fanatical::store::conformance::Suite;
use fanatical::store::{ExpectedVersion, RecordedEvent, Store, StoreError, StreamWrite};
use fanatical_postgres::PgStore;

#[test]
fn postgres_passes_the_whole_conformance_suite() {
    let Some(db) = common::db("postgres_passes_the_whole_conformance_suite") else {
        return;
    };
    let started = std::time::Instant::now();
    // Each check on a fresh schema; reopening connects again to the same
    // schema (the old connection closed first), and the second handle is
    // another connection to it, writing from another thread.
    let report = Suite::new(|| db.fresh())
        .reopen(|old: PgStore| {
            let schema = old.schema().to_owned();
            drop(old);
            PgStore::with_schema(&db.url, &schema)
        })
        .second_handle(|s: &PgStore| PgStore::with_schema(&db.url, s.schema()))
        .run()
        .unwrap_or_else(|f| panic!("{f:#?}"));
    assert_eq!(report.skipped, Vec::<&str>::new(), "{report}");
    eprintln!("conformance suite on PostgreSQL: {:?}", started.elapsed());
}

#[test]
fn two_connections_one_wins_the_other_conflicts_and_writes_nothing() {
    let Some(db) = common::db("two_connections_one_wins_the_other_conflicts_and_writes_nothing")
    else {
        return;
    };
    let mut a = db.fresh();
    let mut b = PgStore::with_schema(&db.url, a.schema()).unwrap();
    let (s, other) = (customer(1), customer(2));
    assert_eq!(a.stream_version(&s).unwrap(), 0);
    assert_eq!(b.stream_version(&s).unwrap(), 0);
    let first = a
        .append(&[StreamWrite::new(
            s,
            ExpectedVersion::Exact(0),
            vec![renamed("a".into())],
        )])
        .unwrap();
    assert_eq!((first[0].version, first[0].position), (1, 1));
    // b's batch also writes another stream: the conflict on `s` leaves it
    // unwritten too, and takes no position.
    let second = b.append(&[
        StreamWrite::new(other, ExpectedVersion::Exact(0), vec![renamed("b".into())]),
        StreamWrite::new(s, ExpectedVersion::Exact(0), vec![renamed("b".into())]),
    ]);
    assert_eq!(
        second,
        Err(StoreError::Conflict {
            stream: s,
            expected: ExpectedVersion::Exact(0),
            actual: 1,
        })
    );
    assert_eq!(b.stream_version(&other).unwrap(), 0);
    let next = b
        .append(&[StreamWrite::new(
            s,
            ExpectedVersion::Exact(1),
            vec![renamed("b".into())],
        )])
        .unwrap();
    assert_eq!((next[0].version, next[0].position), (2, 2), "no gap");
    assert_eq!(a.read_all(0, 100).unwrap(), b.read_all(0, 100).unwrap());
}

/// The append moves a stream's version in the statement that checks it,
/// in sorted order, so a stale write found after others were moved puts
/// them back: the batch leaves every version as it was, takes no
/// position, and the conflict names the first stale write in batch order,
/// not in the order the rows were locked.
#[test]
fn a_stale_write_late_in_lock_order_puts_back_the_streams_moved_before_it() {
    let Some(db) =
        common::db("a_stale_write_late_in_lock_order_puts_back_the_streams_moved_before_it")
    else {
        return;
    };
    let mut store = db.fresh();
    // Locked in this order: customer 1, 2, 3, 4 (names sort by UUID).
    let (one, two, three, four) = (customer(1), customer(2), customer(3), customer(4));
    let w = |s: StreamId, v: u64, name: &str| {
        StreamWrite::new(s, ExpectedVersion::Exact(v), vec![renamed(name.into())])
    };
    store.append(&[w(one, 0, "1"), w(two, 0, "2")]).unwrap();
    store.append(&[w(two, 1, "2b")]).unwrap();
    // Batch order: 4 (new, fine), 3 (stale: it does not exist), 1 (fine),
    // 2 (stale: at 2). Locked 1 (moved), 2 (stale), 3 (stale), 4.
    let stale = store.append(&[
        w(four, 0, "4"),
        w(three, 5, "3"),
        w(one, 1, "1b"),
        w(two, 1, "2c"),
    ]);
    assert_eq!(
        stale,
        Err(StoreError::Conflict {
            stream: three,
            expected: ExpectedVersion::Exact(5),
            actual: 0,
        })
    );
    for (s, v) in [(one, 1), (two, 2), (three, 0), (four, 0)] {
        assert_eq!(store.stream_version(&s).unwrap(), v, "{s}");
    }
    assert_eq!(store.read_all(0, 100).unwrap().len(), 3);
    // Any-version writes move on whatever the version.
    let any = StreamWrite {
        expected: ExpectedVersion::Any,
        ..w(two, 2, "2d")
    };
    let next = store
        .append(&[w(four, 0, "4"), w(one, 1, "1b"), any])
        .unwrap();
    assert_eq!(
        next.iter()
            .map(|r| (r.stream, r.version, r.position))
            .collect::<Vec<_>>(),
        [(four, 1, 4), (one, 2, 5), (two, 3, 6)],
        "no gap"
    );
}

/// What the writers of the race did.
#[derive(Default)]
struct Tally {
    events: u64,
    conflicts: u64,
}

/// Eight writers, each on its own connection, append to a stream of their
/// own and to three shared streams (alone and in one batch with their
/// own), all reading the shared versions and then appending at once, so
/// they collide; a reader polls `read_all` all the while.
#[test]
fn eight_writers_at_once_leave_gap_free_positions_in_commit_order() {
    let Some(db) = common::db("eight_writers_at_once_leave_gap_free_positions_in_commit_order")
    else {
        return;
    };
    const WRITERS: usize = 8;
    const ROUNDS: usize = 30;
    const SHARED: u128 = 3;
    let started = std::time::Instant::now();
    let schema = db.schema_name();
    drop(PgStore::with_schema(&db.url, &schema).unwrap());
    let barrier = Arc::new(Barrier::new(WRITERS));
    let done = Arc::new(AtomicBool::new(false));
    let polls = Arc::new(AtomicU64::new(0));

    // The reader: every batch it reads continues exactly where the last
    // one stopped. A position it skipped and that commits later (out of
    // commit order) would show as a jump.
    let reader = {
        let (url, schema, done, polls) = (
            db.url.clone(),
            schema.clone(),
            Arc::clone(&done),
            Arc::clone(&polls),
        );
        std::thread::spawn(move || {
            let store = PgStore::with_schema(&url, &schema).unwrap();
            let mut last = 0u64;
            loop {
                // Read the flag first: after it is set, one more read sees
                // everything.
                let finished = done.load(Ordering::SeqCst);
                let batch = store.read_all(last, 500).unwrap();
                polls.fetch_add(1, Ordering::Relaxed);
                for e in &batch {
                    assert_eq!(
                        e.position,
                        last + 1,
                        "the reader saw position {last}, then {}",
                        e.position
                    );
                    last = e.position;
                }
                if finished && batch.is_empty() {
                    return last;
                }
            }
        })
    };

    let writers: Vec<_> = (0..WRITERS)
        .map(|w| {
            let (url, schema, barrier) = (db.url.clone(), schema.clone(), Arc::clone(&barrier));
            std::thread::spawn(move || {
                let mut store = PgStore::with_schema(&url, &schema).unwrap();
                let own = customer(1_000 + w as u128);
                let mut own_version = 0u64;
                let mut tally = Tally::default();
                for round in 0..ROUNDS {
                    let shared = customer((w + round) as u128 % SHARED);
                    let event = |n: usize| renamed(format!("writer {w} round {round} #{n}"));
                    // Everyone reads, then everyone appends.
                    let mut seen = store.stream_version(&shared).unwrap();
                    barrier.wait();
                    loop {
                        let batch = match round % 3 {
                            0 => vec![StreamWrite::new(
                                own,
                                ExpectedVersion::Exact(own_version),
                                vec![event(0), event(1)],
                            )],
                            1 => vec![StreamWrite::new(
                                shared,
                                ExpectedVersion::Exact(seen),
                                vec![event(0)],
                            )],
                            _ => vec![
                                StreamWrite::new(
                                    own,
                                    ExpectedVersion::Exact(own_version),
                                    vec![event(0)],
                                ),
                                StreamWrite::new(
                                    shared,
                                    ExpectedVersion::Exact(seen),
                                    vec![event(1), event(2)],
                                ),
                            ],
                        };
                        match store.append(&batch) {
                            Ok(stored) => {
                                tally.events += stored.len() as u64;
                                own_version +=
                                    stored.iter().filter(|e| e.stream == own).count() as u64;
                                break;
                            }
                            // Only a shared stream conflicts, and only
                            // because another writer moved it on.
                            Err(StoreError::Conflict {
                                stream,
                                expected: ExpectedVersion::Exact(expected),
                                actual,
                            }) if stream == shared && expected == seen && actual > seen => {
                                tally.conflicts += 1;
                                seen = store.stream_version(&shared).unwrap();
                            }
                            Err(e) => panic!("writer {w} round {round}: {e:?}"),
                        }
                    }
                }
                tally
            })
        })
        .collect();
    let tallies: Vec<Tally> = writers.into_iter().map(|h| h.join().unwrap()).collect();
    done.store(true, Ordering::SeqCst);
    let read_to = reader.join().unwrap();

    let written: u64 = tallies.iter().map(|t| t.events).sum();
    let conflicts: u64 = tallies.iter().map(|t| t.conflicts).sum();
    // Every round of shared appends had writers racing on one version.
    assert!(conflicts >= 1, "the writers never collided");
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
    // Every event once: each writer's round wrote exactly its events.
    let names: BTreeSet<String> = all.iter().map(|e| name_of(&e.event)).collect();
    assert_eq!(names.len() as u64, written, "an event was stored twice");
    let per_writer = (ROUNDS / 3) * (2 + 1 + 3);
    assert_eq!(written, (WRITERS * per_writer) as u64);
    eprintln!(
        "{WRITERS} writers: {written} events, {conflicts} conflicts retried, {} reader polls, {:?}",
        polls.load(Ordering::Relaxed),
        started.elapsed()
    );
}

#[test]
fn a_desk_rebuilt_from_postgres_after_a_restart_equals_the_desk_before() {
    let Some(db) =
        common::db("a_desk_rebuilt_from_postgres_after_a_restart_equals_the_desk_before")
    else {
        return;
    };
    let config = DeskConfig::default().with_sla(support::policies());
    let schema = db.schema_name();
    let before = {
        let mut store = PgStore::with_schema(&db.url, &schema).unwrap();
        let mut w = support::World::with_config(config.clone());
        // Replay the World's setup into PostgreSQL, then run a day on it.
        w.copy_into(&mut store);
        let mut desk = Desk::rebuild(&store, config.clone()).unwrap();
        assert_eq!(desk, w.desk);
        let ticket = w.ids.next_id();
        let msg = fanatical::desk::InboundMessage::new(
            ticket,
            fanatical::channel::Channel::Email,
            w.jane_email.clone(),
            "Site down",
        );
        let mut now = w.now;
        desk.execute(
            &mut store,
            fanatical::desk::Command::new(
                Actor::integration("inbound"),
                TicketAction::Receive(msg),
            ),
            now,
        )
        .unwrap();
        now += Duration::hours(30);
        desk.handle_timeout(&mut store, now).unwrap();
        desk.execute(
            &mut store,
            fanatical::desk::Command::reply(ticket, w.ana, "Fixed"),
            now,
        )
        .unwrap();
        desk
        // The store (the process) is dropped here.
    };
    let store = PgStore::with_schema(&db.url, &schema).unwrap();
    let after = Desk::rebuild(&store, config).unwrap();
    assert_eq!(after, before);
    assert!(store.read_all(0, 10_000).unwrap().len() > 10);
}

#[test]
fn a_row_written_by_a_newer_schema_is_refused_not_half_read() {
    let Some(db) = common::db("a_row_written_by_a_newer_schema_is_refused_not_half_read") else {
        return;
    };
    let mut store = db.fresh();
    store
        .append(&[StreamWrite::new(
            customer(4),
            ExpectedVersion::Exact(0),
            vec![renamed("Acme".into())],
        )])
        .unwrap();
    // Another build, one schema ahead, wrote the next row.
    let mut raw = db.raw(store.schema());
    raw.execute(
        "INSERT INTO events (position, stream, version, id, schema, event)
         SELECT 2, stream, 2, 'ffffffff-ffff-8fff-bfff-ffffffffffff', $1, event FROM events WHERE position = 1",
        &[&(fanatical::event::SCHEMA_VERSION as i32 + 1)],
    )
    .unwrap();
    assert_eq!(
        store.read_all(0, 10),
        Err(StoreError::NewerSchema {
            position: 2,
            schema: fanatical::event::SCHEMA_VERSION + 1,
            supported: fanatical::event::SCHEMA_VERSION
        })
    );
    assert_eq!(
        store.read_all(0, 1).unwrap().len(),
        1,
        "older rows still read"
    );
}

/// The server drops the store's connection in the middle of an append
/// (a restart, a failover): the append is a backend failure, nothing of
/// it is stored, and the retry connects again and succeeds.
#[test]
fn a_connection_lost_during_an_append_is_a_backend_failure_and_the_retry_succeeds() {
    let Some(db) = common::db(
        "a_connection_lost_during_an_append_is_a_backend_failure_and_the_retry_succeeds",
    ) else {
        return;
    };
    let schema = db.schema_name();
    let app = format!("fanatical-lost-{schema}");
    let mut store = PgStore::with_schema(&db.url_named(&app), &schema).unwrap();
    let s = customer(5);
    let write = move |v: u64, name: &str| {
        [StreamWrite::new(
            s,
            ExpectedVersion::Exact(v),
            vec![renamed(name.into())],
        )]
    };
    store.append(&write(0, "one")).unwrap();
    // The server kills the connection while the append waits inside it.
    let second = write(1, "two");
    let killed = common::Killer::new(&db).kill_at_head(&schema, &app, || store.append(&second));
    assert!(killed.killed);
    let lost = killed.result.unwrap_err();
    let StoreError::Backend {
        message,
        source: Some(source),
    } = &lost
    else {
        panic!("not a backend failure with a source: {lost:?}");
    };
    // The server's farewell, or the closed socket, whichever the client
    // reads first.
    assert!(
        message == "db error: FATAL: terminating connection due to administrator command"
            || message == "connection closed"
            || message.starts_with("error communicating with the server: "),
        "{message}"
    );
    assert!(source.get().downcast_ref::<postgres::Error>().is_some());
    // Nothing of it was stored; the retry connects again and succeeds.
    assert_eq!(store.stream_version(&s).unwrap(), 1);
    let stored = store.append(&write(1, "two")).unwrap();
    assert_eq!((stored[0].version, stored[0].position), (2, 2));
    assert_eq!(store.read_all(0, 10).unwrap().len(), 2);
}

#[test]
fn an_erased_person_is_gone_from_the_table_and_a_rebuilt_desk() {
    use fanatical::customer::{ConsentSource, CustomerCommand, ErasureScope, Relation};
    use fanatical::desk::{Command, CustomerAction};

    let Some(db) = common::db("an_erased_person_is_gone_from_the_table_and_a_rebuilt_desk") else {
        return;
    };
    let mut store = db.fresh();
    let mut desk = Desk::rebuild(&store, DeskConfig::default()).unwrap();
    let now = Utc.with_ymd_and_hms(2026, 5, 1, 9, 0, 0).unwrap();
    let acme = CustomerId::from_uuid(uuid::Uuid::from_u128(0xA));
    let jane = fanatical::id::ContactId::from_uuid(uuid::Uuid::from_u128(0xB));
    let crm = |action: CustomerAction| Command::new(Actor::integration("crm"), action);
    let update = |command| {
        crm(CustomerAction::Update {
            customer: acme,
            command,
        })
    };
    for cmd in [
        crm(CustomerAction::Register {
            id: acme,
            organisation: "Acme".into(),
        }),
        update(CustomerCommand::AddContact {
            contact: jane,
            name: "Janet Zebulon".into(),
            addresses: vec![
                fanatical::channel::ChannelAddress::email("janet.zebulon@acme.example").unwrap(),
            ],
        }),
        update(CustomerCommand::RecordConsent {
            contact: jane,
            source: ConsentSource::Contact(jane),
        }),
        update(CustomerCommand::AddFamilyMember {
            contact: jane,
            name: "Quentin Zebulon".into(),
            relation: Relation::Child,
        }),
    ] {
        desk.execute(&mut store, cmd, now).unwrap();
    }
    let mut raw = db.raw(store.schema());
    let mut holding = |text: &str| -> i64 {
        raw.query_one(
            "SELECT count(*) FROM events WHERE strpos(event, $1) > 0",
            &[&text],
        )
        .unwrap()
        .get(0)
    };
    assert_eq!(holding("Quentin Zebulon"), 1);
    desk.execute(
        &mut store,
        update(CustomerCommand::WithdrawConsent { contact: jane }),
        now,
    )
    .unwrap();
    assert_eq!(holding("Quentin Zebulon"), 0, "the family name stays");
    assert_eq!(holding("Janet Zebulon"), 1);
    let erase = crm(CustomerAction::EraseContact {
        customer: acme,
        contact: jane,
        scope: ErasureScope::Profile,
    });
    desk.execute(&mut store, erase, now).unwrap();
    for gone in ["Janet Zebulon", "janet.zebulon@acme.example"] {
        assert_eq!(holding(gone), 0, "{gone} stays in the events table");
    }
    let store = PgStore::with_schema(&db.url, store.schema()).unwrap();
    assert_eq!(
        Desk::rebuild(&store, DeskConfig::default()).unwrap(),
        desk,
        "a desk rebuilt from the table holds the erasure"
    );
}

/// Two stores created at once on one new schema both come up (the
/// migration is idempotent and serialised), and see one table.
#[test]
fn stores_created_at_once_on_one_schema_share_its_tables() {
    let Some(db) = common::db("stores_created_at_once_on_one_schema_share_its_tables") else {
        return;
    };
    let schema = db.schema_name();
    let stores: Vec<PgStore> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..4)
            .map(|_| scope.spawn(|| PgStore::with_schema(&db.url, &schema).unwrap()))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut stores = stores.into_iter();
    let mut first = stores.next().unwrap();
    first
        .append(&[StreamWrite::new(
            customer(6),
            ExpectedVersion::Exact(0),
            vec![renamed("Acme".into())],
        )])
        .unwrap();
    for other in stores {
        let seen: Vec<RecordedEvent> = other.read_all(0, 10).unwrap();
        assert_eq!(seen, first.read_all(0, 10).unwrap());
    }
}

#[test]
fn postgres_keeps_delivery_leases_by_the_contract_across_connections() {
    use fanatical::store::conformance;

    let Some(db) = common::db("postgres_keeps_delivery_leases_by_the_contract_across_connections")
    else {
        return;
    };
    let passed = conformance::run_lease_checks(|| db.fresh()).unwrap_or_else(|f| panic!("{f:#?}"));
    assert_eq!(passed.len(), conformance::LEASE_CHECKS.len());
    let mut one = db.fresh();
    let mut two = PgStore::with_schema(&db.url, one.schema()).unwrap();
    conformance::leases_hold_across_handles(&mut one, &mut two).unwrap();
}

/// Eight desks on their own connections ask at once for the leases of the
/// same fifty messages: each message's lease goes to exactly one of them.
#[test]
fn eight_desks_asking_at_once_each_lease_goes_to_one() {
    use fanatical::id::MessageId;
    use fanatical::store::{DeliveryLeases, LeaseHolder, LeaseOutcome};

    let Some(db) = common::db("eight_desks_asking_at_once_each_lease_goes_to_one") else {
        return;
    };
    const DESKS: usize = 8;
    const MESSAGES: u128 = 50;
    let schema = db.schema_name();
    drop(PgStore::with_schema(&db.url, &schema).unwrap());
    let now = Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap();
    let barrier = Arc::new(Barrier::new(DESKS));
    let desks: Vec<_> = (0..DESKS)
        .map(|d| {
            let (url, schema, barrier) = (db.url.clone(), schema.clone(), Arc::clone(&barrier));
            std::thread::spawn(move || {
                let mut store = PgStore::with_schema(&url, &schema).unwrap();
                let me = LeaseHolder::new(&format!("desk-{d}")).unwrap();
                barrier.wait();
                let mut taken = Vec::new();
                for m in 0..MESSAGES {
                    let message = MessageId::from_uuid(uuid::Uuid::from_u128(m + 1));
                    match store
                        .take_lease(message, &me, now, now + Duration::minutes(5))
                        .unwrap()
                    {
                        LeaseOutcome::Taken(lease) => {
                            assert_eq!((lease.token, &lease.holder), (1, &me));
                            taken.push(m);
                        }
                        LeaseOutcome::Held { holder, until } => {
                            assert_ne!(holder, me);
                            assert_eq!(until, now + Duration::minutes(5));
                        }
                        other => panic!("{other:?}"),
                    }
                }
                taken
            })
        })
        .collect();
    let mut all: Vec<u128> = desks.into_iter().flat_map(|h| h.join().unwrap()).collect();
    all.sort_unstable();
    assert_eq!(all, (0..MESSAGES).collect::<Vec<_>>(), "each lease once");
}

/// The snapshot checks of the conformance suite (round trip, latest wins,
/// an erasure drops snapshots and refuses older ones), each in a schema of
/// its own; and a desk resumed from a snapshot in the database equals the
/// desk rebuilt from its events.
#[test]
fn postgres_keeps_snapshots_and_a_resumed_desk_equals_a_rebuilt_one() {
    use fanatical::desk::{Command, RestoredFrom};
    use fanatical::store::conformance;

    let Some(db) = common::db("postgres_keeps_snapshots_and_a_resumed_desk_equals_a_rebuilt_one")
    else {
        return;
    };
    let passed = conformance::run_snapshots(|| db.fresh()).unwrap_or_else(|f| panic!("{f:#?}"));
    assert_eq!(passed.len(), conformance::SNAPSHOT_CHECKS.len());

    let mut store = db.fresh();
    let w = support::World::new();
    let config = w.desk.config().clone();
    // The world's record, copied into the database.
    let mut desk = Desk::new(config.clone());
    desk.apply(&w.copy_into(&mut store)).unwrap();
    let ticket = w.ids.clone().next_id();
    let msg = fanatical::desk::InboundMessage::new(
        ticket,
        fanatical::channel::Channel::Email,
        w.jane_email.clone(),
        "Site down",
    );
    desk.execute(
        &mut store,
        Command::new(Actor::integration("inbound"), TicketAction::Receive(msg)),
        w.now,
    )
    .unwrap();
    desk.save_snapshot(&mut store).unwrap();
    desk.execute(&mut store, Command::reply(ticket, w.ana, "Fixed"), w.now)
        .unwrap();
    let again = PgStore::with_schema(&db.url, store.schema()).unwrap();
    let rebuilt = Desk::rebuild(&again, config.clone()).unwrap();
    let resumed = Desk::resume(&again, config).unwrap();
    assert!(
        matches!(resumed.from, RestoredFrom::Snapshot { .. }),
        "{:?}",
        resumed.from
    );
    assert!(resumed.caught_up > 0);
    assert_eq!(resumed.desk, rebuilt);
    assert_eq!(resumed.desk, desk);
}

/// A schema made before snapshots were MessagePack (its `snapshots` table
/// without `body`, the JSON column required) is brought up to date when a
/// store opens it, and the JSON row it holds (a format 2 snapshot, its
/// checksum the byte-wise fingerprint) still resumes; the next save writes
/// MessagePack in `snapshot_chunks` and supersedes it.
#[test]
fn an_old_schema_migrates_and_its_json_snapshot_row_still_resumes() {
    use fanatical::desk::{Command, CustomerAction, DeskState, RebuildReason, RestoredFrom};
    use fanatical::store::{Fingerprint, SNAPSHOT_FORMAT, Snapshot, SnapshotStore};

    let Some(db) = common::db("an_old_schema_migrates_and_its_json_snapshot_row_still_resumes")
    else {
        return;
    };
    let mut store = db.fresh();
    let schema = store.schema().to_owned();
    let mut w = support::World::new();
    let config = w.desk.config().clone();
    let mut desk = Desk::new(config.clone());
    desk.apply(&w.copy_into(&mut store)).unwrap();
    // The table as earlier versions made it, with the row they wrote.
    let mut raw = db.raw(&schema);
    raw.batch_execute(
        "ALTER TABLE snapshots DROP COLUMN body;
         ALTER TABLE snapshots ALTER COLUMN snapshot SET NOT NULL;",
    )
    .unwrap();
    let mut old = desk.snapshot();
    old.format = 2;
    old.checksum = Fingerprint::of(&old.state);
    let position = i64::try_from(old.position).unwrap();
    raw.execute(
        "INSERT INTO snapshots (position, snapshot) VALUES ($1, $2)",
        &[&position, &serde_json::to_string(&old).unwrap()],
    )
    .unwrap();
    drop(store);

    // Opening the schema migrates it; the JSON row resumes.
    let mut store = PgStore::with_schema(&db.url, &schema).unwrap();
    let columns: Vec<(String, String)> = raw
        .query(
            "SELECT column_name::text, is_nullable::text FROM information_schema.columns
             WHERE table_schema = $1 AND table_name = 'snapshots' ORDER BY ordinal_position",
            &[&schema],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    let expected = [
        ("id", "NO"),
        ("position", "NO"),
        ("snapshot", "YES"),
        // Added after the table's `body` was dropped above.
        ("chunks", "YES"),
        ("size", "YES"),
        ("body", "YES"),
    ];
    assert_eq!(columns, expected.map(|(c, n)| (c.to_owned(), n.to_owned())));
    let register = CustomerAction::Register {
        id: w.ids.next_id(),
        organisation: "Beta Hosting".into(),
    };
    desk.execute(
        &mut store,
        Command::new(Actor::integration("signup"), register),
        w.now,
    )
    .unwrap();
    let resumed = Desk::resume(&store, config.clone()).unwrap();
    assert_eq!(
        resumed.from,
        RestoredFrom::Snapshot {
            position: old.position
        }
    );
    assert_eq!(resumed.caught_up, 1);
    assert_eq!(resumed.desk, desk);

    // A new save is MessagePack in `snapshot_chunks` (one chunk at the
    // default size), and the JSON row is gone.
    desk.save_snapshot(&mut store).unwrap();
    let rows: Vec<(bool, Vec<u8>)> = raw
        .query(
            "SELECT s.snapshot IS NULL AND s.body IS NULL, c.bytes
             FROM snapshots s JOIN snapshot_chunks c ON c.snapshot = s.id",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    assert_eq!(rows.len(), 1);
    assert!(rows[0].0, "nothing in a new row's old columns");
    assert!(rows[0].1.starts_with(b"fanatical-snapshot/msgpack\n"));
    let loaded: Snapshot<DeskState> = store.load_snapshot().unwrap().unwrap();
    assert_eq!(loaded.format, SNAPSHOT_FORMAT);
    assert_eq!(loaded, desk.snapshot());
    // Opened again (nothing left to migrate), it resumes from it.
    let again = PgStore::with_schema(&db.url, &schema).unwrap();
    let resumed = Desk::resume(&again, config.clone()).unwrap();
    assert_eq!(
        resumed.from,
        RestoredFrom::Snapshot {
            position: desk.position()
        }
    );
    assert_eq!(resumed.desk, desk);

    // Bytes in no encoding the store writes do not read: rebuilt.
    raw.batch_execute(
        "UPDATE snapshot_chunks SET bytes = overlay(bytes placing '\\x00ff'::bytea from 1 for 2)",
    )
    .unwrap();
    let resumed = Desk::resume(&again, config).unwrap();
    assert_eq!(
        resumed.from,
        RestoredFrom::Rebuild {
            why: RebuildReason::Unreadable(StoreError::Corrupt {
                position: desk.position(),
                reason: "snapshot: not in an encoding this store writes".into(),
            })
        }
    );
    assert_eq!(resumed.desk, desk);
}
