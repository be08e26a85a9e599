//! The async store against a real server (`FANATICAL_PG_URL`; see
//! `common`): the whole conformance suite through its async methods, the
//! blocking and async stores on one schema, writers on tasks at once, a
//! desk driven decide → awaited append → apply, a lost connection, and
//! the lease and snapshot contracts through the async methods.

mod common;

use common::{customer, renamed};

use std::collections::BTreeMap;

use fanatical::actor::Actor;
use fanatical::chrono::{TimeZone, Utc};
use fanatical::desk::{Command, CustomerAction, Desk, DeskConfig};
use fanatical::event::StreamId;
use fanatical::id::CustomerId;
use fanatical::store::conformance::Suite;
use fanatical::store::{
    DeliveryLeases, Erasure, ExpectedVersion, Lease, LeaseHolder, LeaseOutcome, RecordedEvent,
    Snapshot, SnapshotStore, Store, StoreError, StreamWrite,
};
use fanatical_postgres::{AsyncPgStore, PgStore};

/// The async store behind the blocking `Store` trait, each call run to
/// completion on a runtime of its own: so the conformance suite checks
/// the async code path, statement for statement.
struct Blocking {
    rt: tokio::runtime::Runtime,
    store: AsyncPgStore,
}

impl Blocking {
    fn open(url: &str, schema: &str) -> Result<Self, StoreError> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let store = rt.block_on(AsyncPgStore::with_schema(url, schema))?;
        Ok(Blocking { rt, store })
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

/// The async lease methods behind the blocking trait, so the suite's lease
/// checks run on them.
impl DeliveryLeases for Blocking {
    fn take_lease(
        &mut self,
        message: fanatical::id::MessageId,
        holder: &LeaseHolder,
        now: fanatical::chrono::DateTime<Utc>,
        until: fanatical::chrono::DateTime<Utc>,
    ) -> Result<LeaseOutcome, StoreError> {
        self.rt
            .block_on(self.store.take_lease(message, holder, now, until))
    }
    fn finish_lease(&mut self, lease: &Lease) -> Result<bool, StoreError> {
        self.rt.block_on(self.store.finish_lease(lease))
    }
    fn release_lease(&mut self, lease: &Lease) -> Result<bool, StoreError> {
        self.rt.block_on(self.store.release_lease(lease))
    }
}

/// The async snapshot methods behind the blocking trait.
impl<S: serde::Serialize + serde::de::DeserializeOwned + Send + 'static> SnapshotStore<S>
    for Blocking
{
    fn save_snapshot(&mut self, snapshot: &Snapshot<S>) -> Result<(), StoreError> {
        self.rt.block_on(self.store.save_snapshot(snapshot))
    }
    fn load_snapshot(&self) -> Result<Option<Snapshot<S>>, StoreError> {
        self.rt.block_on(self.store.load_snapshot())
    }
}

/// The suite's lease checks through the async methods, and a lease taken
/// through them holding against the blocking store on the same schema
/// (and the other way round).
#[test]
fn the_async_store_keeps_delivery_leases_by_the_contract() {
    use fanatical::store::conformance;

    let Some(db) = common::db("the_async_store_keeps_delivery_leases_by_the_contract") else {
        return;
    };
    let passed =
        conformance::run_lease_checks(|| Blocking::open(&db.url, &db.schema_name()).unwrap())
            .unwrap_or_else(|f| panic!("{f:#?}"));
    assert_eq!(passed.len(), conformance::LEASE_CHECKS.len());
    let mut one = Blocking::open(&db.url, &db.schema_name()).unwrap();
    let mut two = PgStore::with_schema(&db.url, one.store.schema()).unwrap();
    conformance::leases_hold_across_handles(&mut one, &mut two).unwrap();
    let mut three = Blocking::open(&db.url, &db.schema_name()).unwrap();
    let mut four = PgStore::with_schema(&db.url, three.store.schema()).unwrap();
    conformance::leases_hold_across_handles(&mut four, &mut three).unwrap();
}

/// Four tasks, each with an async store of its own, ask at once for the
/// leases of the same forty messages: each lease goes to exactly one, and
/// a finished delivery is never leased again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_desks_asking_at_once_each_lease_goes_to_one() {
    use fanatical::chrono::Duration;
    use fanatical::id::MessageId;

    let Some(db) = common::db("async_desks_asking_at_once_each_lease_goes_to_one") else {
        return;
    };
    const DESKS: usize = 4;
    const MESSAGES: u128 = 40;
    let schema = db.schema_name();
    drop(AsyncPgStore::with_schema(&db.url, &schema).await.unwrap());
    let now = Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap();
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(DESKS));
    let tasks: Vec<_> = (0..DESKS)
        .map(|d| {
            let (url, schema, barrier) = (db.url.clone(), schema.clone(), barrier.clone());
            tokio::spawn(async move {
                let store = AsyncPgStore::with_schema(&url, &schema).await.unwrap();
                let me = LeaseHolder::new(&format!("desk-{d}")).unwrap();
                barrier.wait().await;
                let mut taken = Vec::new();
                for m in 0..MESSAGES {
                    let message = MessageId::from_uuid(uuid::Uuid::from_u128(m + 1));
                    let until = now + Duration::minutes(5);
                    match store.take_lease(message, &me, now, until).await.unwrap() {
                        LeaseOutcome::Taken(lease) => {
                            assert_eq!((lease.token, &lease.holder), (1, &me));
                            assert!(store.finish_lease(&lease).await.unwrap());
                            taken.push(m);
                        }
                        LeaseOutcome::Held { holder, until: u } => {
                            assert_ne!(holder, me);
                            assert_eq!(u, until);
                        }
                        LeaseOutcome::Finished => {}
                        other => panic!("{other:?}"),
                    }
                }
                taken
            })
        })
        .collect();
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    all.sort_unstable();
    assert_eq!(all, (0..MESSAGES).collect::<Vec<_>>(), "each lease once");
    // Finished for good: an hour later, nobody takes any of them.
    let late = AsyncPgStore::with_schema(&db.url, &schema).await.unwrap();
    let me = LeaseHolder::new("late-desk").unwrap();
    for m in 0..MESSAGES {
        let message = MessageId::from_uuid(uuid::Uuid::from_u128(m + 1));
        let later = now + Duration::hours(1);
        assert_eq!(
            late.take_lease(message, &me, later, later + Duration::minutes(5))
                .await
                .unwrap(),
            LeaseOutcome::Finished
        );
    }
}

/// The suite's snapshot checks through the async methods; and a desk
/// restored from a snapshot the async store saved, caught up through it,
/// equals the desk that wrote the events and one the blocking store
/// resumes.
#[test]
fn the_async_store_keeps_snapshots_and_a_restored_desk_equals_the_writer() {
    use fanatical::desk::{DeskState, RestoredFrom};
    use fanatical::store::conformance;

    let Some(db) =
        common::db("the_async_store_keeps_snapshots_and_a_restored_desk_equals_the_writer")
    else {
        return;
    };
    let passed = conformance::run_snapshots(|| Blocking::open(&db.url, &db.schema_name()).unwrap())
        .unwrap_or_else(|f| panic!("{f:#?}"));
    assert_eq!(passed.len(), conformance::SNAPSHOT_CHECKS.len());

    let Blocking { rt, store } = Blocking::open(&db.url, &db.schema_name()).unwrap();
    let now = Utc.with_ymd_and_hms(2026, 11, 2, 2, 0, 0).unwrap();
    let register = |n: u128, name: &str| {
        Command::new(
            Actor::integration("signup"),
            CustomerAction::Register {
                id: CustomerId::from_uuid(uuid::Uuid::from_u128(n)),
                organisation: name.into(),
            },
        )
    };
    let mut desk = Desk::new(DeskConfig::default());
    rt.block_on(async {
        assert_eq!(store.load_snapshot::<DeskState>().await.unwrap(), None);
        store
            .execute(&mut desk, register(1, "Acme"), now)
            .await
            .unwrap();
        store.save_snapshot(&desk.snapshot()).await.unwrap();
        store
            .execute(&mut desk, register(2, "Globex"), now)
            .await
            .unwrap();
    });
    let snapshot = rt
        .block_on(store.load_snapshot::<DeskState>())
        .unwrap()
        .unwrap();
    assert_eq!(snapshot.position, 1);
    let mut restored = Desk::restore(DeskConfig::default(), snapshot).unwrap();
    assert_eq!(rt.block_on(store.catch_up(&mut restored)).unwrap(), 1);
    assert_eq!(restored, desk);
    let blocking = PgStore::with_schema(&db.url, store.schema()).unwrap();
    let resumed = Desk::resume(&blocking, DeskConfig::default()).unwrap();
    assert_eq!(resumed.from, RestoredFrom::Snapshot { position: 1 });
    assert_eq!(resumed.desk, desk);
}

#[test]
fn the_async_store_passes_the_whole_conformance_suite() {
    let Some(db) = common::db("the_async_store_passes_the_whole_conformance_suite") else {
        return;
    };
    let report = Suite::new(|| Blocking::open(&db.url, &db.schema_name()).unwrap())
        .reopen(|old: Blocking| {
            let schema = old.store.schema().to_owned();
            drop(old);
            Blocking::open(&db.url, &schema)
        })
        .second_handle(|s: &Blocking| Blocking::open(&db.url, s.store.schema()))
        .run()
        .unwrap_or_else(|f| panic!("{f:#?}"));
    assert_eq!(report.skipped, Vec::<&str>::new(), "{report}");
}

#[tokio::test]
async fn the_blocking_and_async_stores_share_one_schema() {
    let Some(db) = common::db("the_blocking_and_async_stores_share_one_schema") else {
        return;
    };
    let schema = db.schema_name();
    let store = AsyncPgStore::with_schema(&db.url, &schema).await.unwrap();
    let s = customer(1);
    let stored = store
        .append(&[StreamWrite::new(
            s,
            ExpectedVersion::Exact(0),
            vec![renamed("async".into())],
        )])
        .await
        .unwrap();
    // The blocking store on a thread of its own sees it, and appends next.
    let (url, schema2) = (db.url.clone(), schema.clone());
    let blocking = tokio::task::spawn_blocking(move || {
        let mut store = PgStore::with_schema(&url, &schema2).unwrap();
        let seen = store.read_all(0, 10).unwrap();
        store
            .append(&[StreamWrite::new(
                s,
                ExpectedVersion::Exact(1),
                vec![renamed("blocking".into())],
            )])
            .unwrap();
        seen
    })
    .await
    .unwrap();
    assert_eq!(blocking, stored);
    assert_eq!(store.stream_version(&s).await.unwrap(), 2);
    // A stale async write conflicts exactly, and writes nothing.
    assert_eq!(
        store
            .append(&[StreamWrite::new(
                s,
                ExpectedVersion::Exact(1),
                vec![renamed("stale".into())],
            )])
            .await,
        Err(StoreError::Conflict {
            stream: s,
            expected: ExpectedVersion::Exact(1),
            actual: 2,
        })
    );
    let all = store.read_all(0, 10).await.unwrap();
    assert_eq!(
        all.iter()
            .map(|e| (e.position, e.version))
            .collect::<Vec<_>>(),
        [(1, 1), (2, 2)]
    );
    assert_eq!(store.read_stream(&s, 1).await.unwrap(), all[1..]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn async_writers_at_once_on_one_stream_leave_no_gap() {
    let Some(db) = common::db("async_writers_at_once_on_one_stream_leave_no_gap") else {
        return;
    };
    const WRITERS: u128 = 4;
    const EACH: usize = 15;
    let schema = db.schema_name();
    drop(AsyncPgStore::with_schema(&db.url, &schema).await.unwrap());
    let shared = customer(99);
    let tasks: Vec<_> = (0..WRITERS)
        .map(|w| {
            let (url, schema) = (db.url.clone(), schema.clone());
            tokio::spawn(async move {
                let store = AsyncPgStore::with_schema(&url, &schema).await.unwrap();
                let own = customer(w);
                let mut conflicts = 0u32;
                for k in 0..EACH {
                    loop {
                        let v = store.stream_version(&shared).await.unwrap();
                        let batch = [
                            StreamWrite::new(
                                own,
                                ExpectedVersion::Exact(k as u64),
                                vec![renamed(format!("{w}/{k} own"))],
                            ),
                            StreamWrite::new(
                                shared,
                                ExpectedVersion::Exact(v),
                                vec![renamed(format!("{w}/{k} shared"))],
                            ),
                        ];
                        match store.append(&batch).await {
                            Ok(_) => break,
                            Err(StoreError::Conflict {
                                stream,
                                expected: ExpectedVersion::Exact(e),
                                actual,
                            }) if stream == shared && e == v && actual > v => conflicts += 1,
                            Err(e) => panic!("writer {w}: {e:?}"),
                        }
                    }
                }
                conflicts
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    let store = AsyncPgStore::with_schema(&db.url, &schema).await.unwrap();
    let all = store.read_all(0, usize::MAX).await.unwrap();
    let n = (WRITERS as usize * EACH * 2) as u64;
    assert_eq!(
        all.iter().map(|e| e.position).collect::<Vec<_>>(),
        (1..=n).collect::<Vec<_>>()
    );
    let mut versions: BTreeMap<StreamId, Vec<u64>> = BTreeMap::new();
    for e in &all {
        versions.entry(e.stream).or_default().push(e.version);
    }
    for (stream, v) in versions {
        assert_eq!(v, (1..=v.len() as u64).collect::<Vec<_>>(), "{stream}");
    }
}

#[tokio::test]
async fn a_desk_driven_through_the_async_store_equals_one_rebuilt_by_the_blocking_store() {
    let Some(db) = common::db(
        "a_desk_driven_through_the_async_store_equals_one_rebuilt_by_the_blocking_store",
    ) else {
        return;
    };
    let schema = db.schema_name();
    let store = AsyncPgStore::with_schema(&db.url, &schema).await.unwrap();
    let mut desk = Desk::new(DeskConfig::default());
    let now = Utc.with_ymd_and_hms(2026, 11, 2, 2, 0, 0).unwrap();
    let acme = CustomerId::from_uuid(uuid::Uuid::from_u128(7));
    let register = Command::new(
        Actor::integration("signup"),
        CustomerAction::Register {
            id: acme,
            organisation: "Acme".into(),
        },
    )
    .with_key("signup-7".parse().unwrap());
    // Decide → awaited append → apply, by hand.
    let decision = desk.decide(register.clone(), now).unwrap();
    let stored = store.append(decision.writes()).await.unwrap();
    desk.apply(&stored).unwrap();
    assert_eq!(desk.position(), stored.last().unwrap().position);
    // The same keyed command again: nothing written, the first outcome back.
    let again = store.execute(&mut desk, register, now).await.unwrap();
    assert_eq!(again, stored);
    let rename = Command::new(
        Actor::integration("crm"),
        CustomerAction::Update {
            customer: acme,
            command: fanatical::customer::CustomerCommand::RenameOrganisation {
                name: "Acme Hosting".into(),
            },
        },
    );
    store.execute(&mut desk, rename, now).await.unwrap();
    let (url, schema2) = (db.url.clone(), schema.clone());
    let rebuilt = tokio::task::spawn_blocking(move || {
        let store = PgStore::with_schema(&url, &schema2).unwrap();
        Desk::rebuild(&store, DeskConfig::default()).unwrap()
    })
    .await
    .unwrap();
    assert_eq!(rebuilt, desk);
}

/// The server drops the store's connection in the middle of an append
/// (a restart, a failover): the append is a backend failure, nothing of
/// it is stored, and the retry connects again and succeeds.
#[tokio::test]
async fn a_connection_lost_during_an_append_is_a_backend_failure_and_the_retry_succeeds() {
    let Some(db) = common::db(
        "a_connection_lost_during_an_append_is_a_backend_failure_and_the_retry_succeeds",
    ) else {
        return;
    };
    let schema = db.schema_name();
    let app = format!("fanatical-lost-{schema}");
    let store = std::sync::Arc::new(
        AsyncPgStore::with_schema(&db.url_named(&app), &schema)
            .await
            .unwrap(),
    );
    let s = customer(5);
    let write = |v: u64, name: &str| {
        [StreamWrite::new(
            s,
            ExpectedVersion::Exact(v),
            vec![renamed(name.into())],
        )]
    };
    store.append(&write(0, "one")).await.unwrap();
    let (mut admin, connection) = tokio_postgres::connect(&db.url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    // Hold the head, so the next append waits there, mid-transaction.
    let holder = admin.transaction().await.unwrap();
    holder
        .query(
            &format!("SELECT position FROM \"{schema}\".head FOR UPDATE"),
            &[],
        )
        .await
        .unwrap();
    let append = {
        let (store, write) = (std::sync::Arc::clone(&store), write(1, "two"));
        tokio::spawn(async move { store.append(&write).await })
    };
    // Watch from outside any transaction (inside one, the server's
    // activity view is a snapshot).
    let (watcher, connection) = tokio_postgres::connect(&db.url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    let waiting =
        "SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'";
    let mut pid: Option<i32> = None;
    for _ in 0..500 {
        if let Some(row) = watcher.query_opt(waiting, &[&app]).await.unwrap() {
            pid = Some(row.get(0));
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let pid = pid.expect("the append never waited on the head");
    watcher
        .query("SELECT pg_terminate_backend($1)", &[&pid])
        .await
        .unwrap();
    let lost = append.await.unwrap().unwrap_err();
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
    assert!(
        source
            .get()
            .downcast_ref::<tokio_postgres::Error>()
            .is_some()
    );
    holder.rollback().await.unwrap();
    // Nothing of it was stored; the retry connects again and succeeds.
    assert_eq!(store.stream_version(&s).await.unwrap(), 1);
    let stored = store.append(&write(1, "two")).await.unwrap();
    assert_eq!((stored[0].version, stored[0].position), (2, 2));
}

/// A service on the async store gets a message in reply to a ticket the
/// desk archived: `AsyncPgStore::execute` reads the customer's archive
/// (awaited) as `Desk::execute` does on a blocking store, and the message
/// opens a follow-up linked to the archived ticket; an erasure reads the
/// archived contents the same way. A desk rebuilt by the blocking store
/// is the same desk.
#[tokio::test]
async fn the_async_store_reads_the_archive_a_command_needs() {
    use fanatical::chrono::Duration;
    use fanatical::desk::fixture::{Fixture, fixture};
    use fanatical::desk::{InboundMessage, TicketAction};
    use fanatical::store::{ExpectedVersion, MemoryStore, NewEvent};
    use fanatical::ticket::Status;

    let Some(db) = common::db("the_async_store_reads_the_archive_a_command_needs") else {
        return;
    };
    // The history: Jane's ticket answered, solved, closed and archived
    // 120 days later (the default window), on a memory store.
    let Fixture {
        mut desk,
        mut store,
        now,
        acme,
        jane,
        ana,
        ticket,
        email,
        ..
    } = fixture().unwrap();
    for action in [
        TicketAction::assign(ticket, ana),
        TicketAction::set_status(ticket, Status::Solved),
        TicketAction::set_status(ticket, Status::Closed),
    ] {
        desk.execute(&mut store, Command::new(Actor::Agent(ana), action), now)
            .unwrap();
    }
    let later = now + Duration::days(121);
    desk.handle_timeout(&mut store, later).unwrap();
    assert!(desk.tickets().get(ticket).is_none(), "archived");

    // The same record in PostgreSQL, event by event.
    let schema = db.schema_name();
    let pg = AsyncPgStore::with_schema(&db.url, &schema).await.unwrap();
    let history = MemoryStore::read_all(&store, 0, usize::MAX).unwrap();
    for r in &history {
        let write = StreamWrite {
            stream: r.stream,
            expected: ExpectedVersion::Exact(r.version - 1),
            events: vec![NewEvent {
                id: r.id,
                schema: r.schema,
                actor: r.actor.clone(),
                command: r.command.clone(),
                event: r.event.clone(),
            }],
        };
        pg.append(&[write]).await.unwrap();
    }
    let mut desk = Desk::new(DeskConfig::default());
    assert_eq!(pg.catch_up(&mut desk).await.unwrap(), history.len());

    // Jane answers the archived ticket's thread.
    let new_ticket = fanatical::id::TicketId::from_uuid(uuid::Uuid::from_u128(0xF0));
    let reply = InboundMessage::new(
        new_ticket,
        fanatical::channel::Channel::Email,
        email.clone(),
        "It broke again after the renewal.",
    )
    .in_reply_to(ticket);
    let cmd = Command::new(Actor::integration("mail"), TicketAction::Receive(reply));
    let need = desk.archive_needed(&cmd).expect("the ticket is archived");
    assert_eq!(need.customer, acme);
    let stored = pg.execute(&mut desk, cmd, later).await.unwrap();
    let follow_up = desk
        .tickets()
        .of_customer(acme)
        .find(|t| t.links().follow_up_of == Some(ticket))
        .expect("a follow-up linked to the archived ticket")
        .id();
    assert_eq!(follow_up, new_ticket);
    assert!(
        stored
            .iter()
            .any(|r| r.stream == StreamId::Ticket(follow_up)),
        "the follow-up was written through the async store"
    );

    // An erasure reads the archived contents too.
    let erase = Command::new(
        Actor::integration("privacy"),
        fanatical::desk::CustomerAction::EraseContact {
            customer: acme,
            contact: jane,
            scope: fanatical::customer::ErasureScope::ProfileAndMessages,
        },
    );
    let need = desk
        .archive_needed(&erase)
        .expect("an erasure reads the archive");
    let archive = pg.read_archive(&need).await.unwrap();
    assert!(archive.contains(ticket));
    pg.execute(&mut desk, erase, later).await.unwrap();

    let (url, schema2) = (db.url.clone(), schema.clone());
    let rebuilt = tokio::task::spawn_blocking(move || {
        let store = PgStore::with_schema(&url, &schema2).unwrap();
        Desk::rebuild(&store, DeskConfig::default()).unwrap()
    })
    .await
    .unwrap();
    assert_eq!(rebuilt, desk);
}
