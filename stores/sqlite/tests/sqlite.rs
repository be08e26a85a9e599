//! The SQLite store: the conformance suite, two writers on one file, a
//! desk that survives a restart, and rows from a newer schema.

// The library's behaviour-test fixtures (the small organisation and the
// SLA policies), shared rather than copied, so a day on SQLite is the day
// the library's tests run in memory.
#[allow(dead_code)]
#[path = "../../../tests/it/support.rs"]
mod support;

mod common;

use common::{TempDb, registration};

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use fanatical::actor::Actor;
use fanatical::chrono::{Duration, TimeZone, Utc};
use fanatical::desk::TicketAction;
use fanatical::desk::{Desk, DeskConfig, DeskState, RebuildReason, RestoredFrom, SnapshotError};
use fanatical::event::{Event, StreamId};
use fanatical::id::CustomerId;
use fanatical::store::conformance::{self, Suite};
use fanatical::store::{
    DeliveryLeases, ExpectedVersion, Fingerprint, RecordedEvent, SNAPSHOT_FORMAT, Snapshot,
    SnapshotStore, Store, StoreError, StreamWrite,
};
use fanatical_sqlite::SqliteStore;

/// A store on its own file, removed when the last handle on it is
/// dropped: what the suite reopens, and opens a second handle on.
struct OnDisk {
    store: SqliteStore,
    db: Arc<TempDb>,
}

impl OnDisk {
    fn fresh() -> Self {
        let db = Arc::new(TempDb::new("conformance"));
        OnDisk {
            store: SqliteStore::open(&db.0).unwrap(),
            db,
        }
    }
    fn open_again(&self) -> Result<Self, StoreError> {
        Ok(OnDisk {
            store: SqliteStore::open(&self.db.0)?,
            db: Arc::clone(&self.db),
        })
    }
}

impl Store for OnDisk {
    fn append(&mut self, batch: &[StreamWrite]) -> Result<Vec<RecordedEvent>, StoreError> {
        self.store.append(batch)
    }
    fn read_stream(&self, s: &StreamId, after: u64) -> Result<Vec<RecordedEvent>, StoreError> {
        self.store.read_stream(s, after)
    }
    fn read_all(&self, after: u64, limit: usize) -> Result<Vec<RecordedEvent>, StoreError> {
        self.store.read_all(after, limit)
    }
    fn stream_version(&self, s: &StreamId) -> Result<u64, StoreError> {
        self.store.stream_version(s)
    }
    fn append_erasing(
        &mut self,
        batch: &[StreamWrite],
        erasure: &fanatical::store::Erasure,
    ) -> Result<Vec<RecordedEvent>, StoreError> {
        self.store.append_erasing(batch, erasure)
    }
}

impl fanatical::store::SnapshotStore<conformance::SampleState> for OnDisk {
    fn save_snapshot(
        &mut self,
        snapshot: &fanatical::store::Snapshot<conformance::SampleState>,
    ) -> Result<(), StoreError> {
        self.store.save_snapshot(snapshot)
    }
    fn load_snapshot(
        &self,
    ) -> Result<Option<fanatical::store::Snapshot<conformance::SampleState>>, StoreError> {
        self.store.load_snapshot()
    }
}

#[test]
fn sqlite_passes_the_whole_conformance_suite_in_memory_and_on_disk() {
    conformance::run_all(|| SqliteStore::in_memory().unwrap())
        .unwrap_or_else(|f| panic!("in memory: {f:#?}"));
    // On disk every check runs: reopening the file (the handle closed
    // first) and a second connection to it, writing from another thread.
    let report = Suite::new(OnDisk::fresh)
        .reopen(|old: OnDisk| {
            let db = Arc::clone(&old.db);
            drop(old);
            Ok(OnDisk {
                store: SqliteStore::open(&db.0)?,
                db,
            })
        })
        .second_handle(OnDisk::open_again)
        .run()
        .unwrap_or_else(|f| panic!("on disk: {f:#?}"));
    assert_eq!(report.skipped, Vec::<&str>::new(), "{report}");
}

/// A store on a file of its own, removed after the store closes (fields
/// drop in order).
struct LeaseFile {
    store: SqliteStore,
    _db: TempDb,
}

impl DeliveryLeases for LeaseFile {
    fn take_lease(
        &mut self,
        message: fanatical::id::MessageId,
        holder: &fanatical::store::LeaseHolder,
        now: fanatical::chrono::DateTime<Utc>,
        until: fanatical::chrono::DateTime<Utc>,
    ) -> Result<fanatical::store::LeaseOutcome, StoreError> {
        self.store.take_lease(message, holder, now, until)
    }
    fn finish_lease(&mut self, lease: &fanatical::store::Lease) -> Result<bool, StoreError> {
        self.store.finish_lease(lease)
    }
    fn release_lease(&mut self, lease: &fanatical::store::Lease) -> Result<bool, StoreError> {
        self.store.release_lease(lease)
    }
}

#[test]
fn sqlite_keeps_delivery_leases_by_the_contract_across_connections() {
    let passed = conformance::run_lease_checks(|| SqliteStore::in_memory().unwrap())
        .unwrap_or_else(|f| panic!("in memory: {f:#?}"));
    assert_eq!(passed.len(), conformance::LEASE_CHECKS.len());
    let db = TempDb::new("leases");
    // A fresh file per check, removed after it.
    let passed = conformance::run_lease_checks(|| {
        let db = TempDb::new("lease-check");
        LeaseFile {
            store: SqliteStore::open(&db.0).unwrap(),
            _db: db,
        }
    })
    .unwrap_or_else(|f| panic!("on disk: {f:#?}"));
    assert_eq!(passed.len(), conformance::LEASE_CHECKS.len());
    let (mut one, mut two) = (
        SqliteStore::open(&db.0).unwrap(),
        SqliteStore::open(&db.0).unwrap(),
    );
    conformance::leases_hold_across_handles(&mut one, &mut two).unwrap();
}

#[test]
fn two_connections_to_one_file_one_wins_the_other_conflicts() {
    let db = TempDb::new("two-writers");
    let mut a = SqliteStore::open(&db.0).unwrap();
    let mut b = SqliteStore::open(&db.0).unwrap();
    let (stream, events) = registration(1);
    // Both read version 0 and append.
    assert_eq!(a.stream_version(&stream).unwrap(), 0);
    assert_eq!(b.stream_version(&stream).unwrap(), 0);
    let first = a.append(&[StreamWrite::new(
        stream,
        ExpectedVersion::Exact(0),
        events.clone(),
    )]);
    let second = b.append(&[StreamWrite::new(stream, ExpectedVersion::Exact(0), events)]);
    assert_eq!(first.unwrap().len(), 1);
    assert_eq!(
        second,
        Err(StoreError::Conflict {
            stream,
            expected: ExpectedVersion::Exact(0),
            actual: 1,
        })
    );
    // Each connection sees the one event, once.
    assert_eq!(a.read_all(0, 100).unwrap().len(), 1);
    assert_eq!(b.read_all(0, 100).unwrap(), a.read_all(0, 100).unwrap());
}

/// A barrier that fails instead of waiting for ever: when one racing
/// thread panics (its message is the failure to read), the other would
/// wait at `std::sync::Barrier` until CI's time ran out.
struct Rendezvous {
    state: std::sync::Mutex<(usize, u64)>,
    turned: std::sync::Condvar,
    parties: usize,
}

impl Rendezvous {
    fn new(parties: usize) -> Self {
        Rendezvous {
            state: std::sync::Mutex::new((0, 0)),
            turned: std::sync::Condvar::new(),
            parties,
        }
    }

    fn wait(&self) {
        let mut state = self.state.lock().unwrap();
        let generation = state.1;
        state.0 += 1;
        if state.0 == self.parties {
            *state = (0, generation + 1);
            self.turned.notify_all();
            return;
        }
        while state.1 == generation {
            let (next, waited) = self
                .turned
                .wait_timeout(state, std::time::Duration::from_secs(60))
                .unwrap();
            state = next;
            assert!(
                state.1 != generation || !waited.timed_out(),
                "the other racing thread never arrived: it failed (see its panic above)"
            );
        }
    }
}

/// What a round of the race did on one thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Attempt {
    Wrote,
    Conflicted,
    Idle,
}

#[test]
fn racing_threads_lose_nothing_and_duplicate_nothing() {
    let db = TempDb::new("race");
    let (stream, _) = registration(2);
    // A stream of customer renames would be refused by the desk, but the
    // store does not care what the events say: each thread writes its own
    // numbered registrations, so a lost or doubled one shows.
    let per_thread = 20u128;
    let event = |thread: u128, k: u128| registration(1_000 * (thread + 1) + k).1;
    // In every round each thread with something left reads the stream's
    // version, waits until the other has read it too, and only then
    // appends: when both have something left, both append at the same
    // version and exactly one must conflict.
    let barrier = Arc::new(Rendezvous::new(2));
    let written = Arc::new(AtomicU32::new(0));
    let total = u32::try_from(2 * per_thread).unwrap();
    let handles: Vec<_> = (0..2u128)
        .map(|thread| {
            let (path, barrier, written) =
                (db.0.clone(), Arc::clone(&barrier), Arc::clone(&written));
            std::thread::spawn(move || {
                let mut store = SqliteStore::open(&path).unwrap();
                let mut next = 0;
                let mut rounds = Vec::new();
                // Every append of the round has landed before anyone reads
                // the count, so both threads see the same one.
                while written.load(Ordering::SeqCst) < total {
                    let v = store.stream_version(&stream).unwrap();
                    barrier.wait();
                    let attempt = if next == per_thread {
                        Attempt::Idle
                    } else {
                        match store.append(&[StreamWrite::new(
                            stream,
                            ExpectedVersion::Exact(v),
                            event(thread, next),
                        )]) {
                            Ok(_) => {
                                next += 1;
                                written.fetch_add(1, Ordering::SeqCst);
                                Attempt::Wrote
                            }
                            Err(StoreError::Conflict {
                                stream: s,
                                expected: ExpectedVersion::Exact(e),
                                actual,
                            }) if s == stream && e == v && actual == v + 1 => Attempt::Conflicted,
                            Err(e) => panic!("{e}"),
                        }
                    };
                    rounds.push(attempt);
                    barrier.wait();
                }
                rounds
            })
        })
        .collect();
    let rounds: Vec<Vec<Attempt>> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert_eq!(rounds[0].len(), rounds[1].len(), "both ran every round");
    let mut conflicts = 0;
    for (a, b) in rounds[0].iter().zip(&rounds[1]) {
        match (a, b) {
            // Both appended at one version: one won, the other conflicted.
            (Attempt::Wrote, Attempt::Conflicted) | (Attempt::Conflicted, Attempt::Wrote) => {
                conflicts += 1;
            }
            // One had finished: the other wrote alone.
            (Attempt::Wrote, Attempt::Idle) | (Attempt::Idle, Attempt::Wrote) => {}
            other => panic!("a round went {other:?}"),
        }
    }
    // The first round had both threads appending: the race happened.
    assert!(conflicts >= 1, "no conflict: the writers never raced");
    // The file ends as one writer appending both threads' events in the
    // order they won would leave it: nothing lost, nothing twice.
    let store = SqliteStore::open(&db.0).unwrap();
    let all = store.read_stream(&stream, 0).unwrap();
    let solo_db = TempDb::new("race-solo");
    let mut solo = SqliteStore::open(&solo_db.0).unwrap();
    for (r, v) in all.iter().zip(0u64..) {
        solo.append(&[StreamWrite::new(
            stream,
            ExpectedVersion::Exact(v),
            vec![r.event.clone()],
        )])
        .unwrap();
    }
    let strip = |r: &RecordedEvent| (r.stream, r.version, r.position, r.event.clone());
    assert_eq!(
        all.iter().map(strip).collect::<Vec<_>>(),
        solo.read_stream(&stream, 0)
            .unwrap()
            .iter()
            .map(strip)
            .collect::<Vec<_>>()
    );
    let mut got: Vec<Event> = all.iter().map(|r| r.event.clone()).collect();
    let mut want: Vec<Event> = (0..2)
        .flat_map(|thread| (0..per_thread).flat_map(move |k| event(thread, k)))
        .collect();
    let json = |e: &Event| serde_json::to_string(e).unwrap();
    got.sort_by_key(json);
    want.sort_by_key(json);
    assert_eq!(got, want, "every event once");
    // Each thread's own events stay in its order.
    for thread in 0..2 {
        let own: Vec<Event> = all
            .iter()
            .map(|r| r.event.clone())
            .filter(|e| (0..per_thread).any(|k| event(thread, k).contains(e)))
            .collect();
        let expected: Vec<Event> = (0..per_thread).flat_map(|k| event(thread, k)).collect();
        assert_eq!(own, expected);
    }
}

#[test]
fn a_desk_rebuilt_from_the_file_after_a_restart_equals_the_desk_before() {
    let db = TempDb::new("restart");
    let config = DeskConfig::default().with_sla(support::policies());
    let before = {
        let mut store = SqliteStore::open(&db.0).unwrap();
        let mut w = support::World::with_config(config.clone());
        // Replay the World's setup into SQLite, then run a day on it.
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
        // A snapshot here: the restart below resumes from it.
        desk.save_snapshot(&mut store).unwrap();
        now += Duration::hours(30);
        desk.handle_timeout(&mut store, now).unwrap();
        desk.execute(
            &mut store,
            fanatical::desk::Command::reply(ticket, w.ana, "Fixed"),
            now,
        )
        .unwrap();
        w.desk = desk.clone();
        desk
        // The store (the process) is dropped here.
    };
    let store = SqliteStore::open(&db.0).unwrap();
    let after = Desk::rebuild(&store, config.clone()).unwrap();
    assert_eq!(after, before);
    assert!(store.read_all(0, 10_000).unwrap().len() > 10);
    // From the snapshot (in `snapshots` and `snapshot_chunks`) and the events
    // after it: the same desk, the same next timer.
    let resumed = Desk::resume(&store, config.clone()).unwrap();
    assert!(
        matches!(resumed.from, RestoredFrom::Snapshot { position } if position > 7),
        "{:?}",
        resumed.from
    );
    assert!(resumed.caught_up > 0);
    assert_eq!(resumed.desk, before);
    assert_eq!(resumed.desk.poll_timeout(), after.poll_timeout());
    assert_eq!(resumed.desk.snapshot(), after.snapshot());

    // A snapshot that no longer reads: the desk is rebuilt, and says so.
    drop(store);
    let raw = rusqlite::Connection::open(&db.0).unwrap();
    raw.execute("UPDATE snapshot_chunks SET bytes = x'00ff'", [])
        .unwrap();
    drop(raw);
    let store = SqliteStore::open(&db.0).unwrap();
    let resumed = Desk::resume(&store, config).unwrap();
    match &resumed.from {
        RestoredFrom::Rebuild {
            why: RebuildReason::Unreadable(StoreError::Corrupt { position, reason }),
        } => {
            assert!(*position > 7);
            assert!(reason.starts_with("snapshot: "), "{reason}");
        }
        other => panic!("expected a rebuild from an unreadable snapshot, got {other:?}"),
    }
    assert_eq!(resumed.desk, before);
}

/// Snapshots are MessagePack BLOBs (in chunks); a JSON row written by an earlier
/// version of the crate (format 2, its checksum the byte-wise
/// fingerprint) still resumes, and the next save replaces it. A BLOB
/// changed in storage fails its checksum, and one in no known encoding
/// does not read: both rebuild and say why.
#[test]
fn an_old_json_snapshot_row_still_resumes_and_new_rows_are_messagepack() {
    let db = TempDb::new("snapshot-rows");
    let config = DeskConfig::default().with_sla(support::policies());
    let mut store = SqliteStore::open(&db.0).unwrap();
    let mut w = support::World::with_config(config.clone());
    w.copy_into(&mut store);
    let mut desk = Desk::rebuild(&store, config.clone()).unwrap();
    // The row an earlier version wrote: JSON text of a format 2 snapshot.
    let mut old = desk.snapshot();
    old.format = 2;
    old.checksum = Fingerprint::of(&old.state);
    let raw = rusqlite::Connection::open(&db.0).unwrap();
    raw.execute(
        "INSERT INTO snapshots (position, snapshot) VALUES (?1, ?2)",
        rusqlite::params![
            i64::try_from(old.position).unwrap(),
            serde_json::to_string(&old).unwrap()
        ],
    )
    .unwrap();
    let kind = |raw: &rusqlite::Connection| -> Vec<String> {
        let mut stmt = raw
            .prepare("SELECT typeof(snapshot) FROM snapshots ORDER BY id")
            .unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    assert_eq!(kind(&raw), ["text"]);
    let beta = w.ids.next_id();
    let register = fanatical::desk::CustomerAction::Register {
        id: beta,
        organisation: "Beta Hosting".into(),
    };
    desk.execute(
        &mut store,
        fanatical::desk::Command::new(Actor::integration("signup"), register),
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
    assert_eq!(resumed.desk, desk);

    // A new save writes MessagePack, in this build's format (one chunk
    // at the default size), and supersedes the JSON row.
    desk.save_snapshot(&mut store).unwrap();
    assert_eq!(kind(&raw), ["blob"]);
    let blob: Vec<u8> = raw
        .query_row("SELECT bytes FROM snapshot_chunks", [], |r| r.get(0))
        .unwrap();
    assert!(blob.starts_with(b"fanatical-snapshot/msgpack\n"));
    let loaded: Snapshot<DeskState> = store.load_snapshot().unwrap().unwrap();
    assert_eq!(loaded.format, SNAPSHOT_FORMAT);
    assert_eq!(loaded, desk.snapshot());
    let resumed = Desk::resume(&store, config.clone()).unwrap();
    assert_eq!(resumed.desk, desk);

    // A changed letter in the BLOB still decodes, and fails the checksum.
    let name = b"Beta Hosting";
    let at = blob
        .windows(name.len())
        .position(|w| w == name)
        .expect("the snapshot holds the new customer's name");
    let mut changed = blob.clone();
    changed[at] = b'b';
    raw.execute("UPDATE snapshot_chunks SET bytes = ?1", [&changed])
        .unwrap();
    let resumed = Desk::resume(&store, config.clone()).unwrap();
    assert_eq!(
        resumed.from,
        RestoredFrom::Rebuild {
            why: RebuildReason::Inconsistent(SnapshotError::Inconsistent {
                position: loaded.position,
                reason: "its state does not match its checksum".into(),
            })
        }
    );
    assert_eq!(resumed.desk, desk);

    // A BLOB in no encoding this store writes does not read.
    let mut other = blob.clone();
    other[..2].copy_from_slice(&[0x00, 0xff]);
    raw.execute("UPDATE snapshot_chunks SET bytes = ?1", [&other])
        .unwrap();
    let resumed = Desk::resume(&store, config).unwrap();
    assert_eq!(
        resumed.from,
        RestoredFrom::Rebuild {
            why: RebuildReason::Unreadable(StoreError::Corrupt {
                position: loaded.position,
                reason: "snapshot: not in an encoding this store writes".into(),
            })
        }
    );
    assert_eq!(resumed.desk, desk);
}

#[test]
fn sqlite_passes_the_snapshot_checks_in_memory_and_on_disk() {
    conformance::run_snapshots(|| SqliteStore::in_memory().unwrap())
        .unwrap_or_else(|f| panic!("in memory: {f:#?}"));
    conformance::run_snapshots(OnDisk::fresh).unwrap_or_else(|f| panic!("on disk: {f:#?}"));
}

#[test]
fn a_row_written_by_a_newer_schema_is_refused_not_half_read() {
    let db = TempDb::new("schema");
    let mut store = SqliteStore::open(&db.0).unwrap();
    let (stream, events) = registration(4);
    store
        .append(&[StreamWrite::new(stream, ExpectedVersion::Exact(0), events)])
        .unwrap();
    // Another build, one schema ahead, wrote the next row.
    let raw = rusqlite::Connection::open(&db.0).unwrap();
    raw.execute(
        "INSERT INTO events (position, stream, version, id, schema, event)
         SELECT 2, stream, 2, 'ffffffff-ffff-8fff-bfff-ffffffffffff', ?1, event FROM events WHERE position = 1",
        [i64::from(fanatical::event::SCHEMA_VERSION) + 1],
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

/// Every byte of the database and its write-ahead log, as text.
fn file_text(db: &TempDb) -> String {
    let mut bytes = Vec::new();
    for suffix in ["", "-wal"] {
        let mut p = db.0.clone().into_os_string();
        p.push(suffix);
        bytes.extend(std::fs::read(p).unwrap_or_default());
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

#[test]
fn an_erased_person_is_gone_from_the_database_file_and_a_rebuilt_desk() {
    use fanatical::customer::{ConsentSource, CustomerCommand, ErasureScope, Relation};
    use fanatical::desk::{Command, CustomerAction};

    let db = TempDb::new("erasure");
    let mut store = SqliteStore::open(&db.0).unwrap();
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
    assert!(file_text(&db).contains("Quentin Zebulon"));

    // Withdrawn consent: the family name leaves the file.
    desk.execute(
        &mut store,
        update(CustomerCommand::WithdrawConsent { contact: jane }),
        now,
    )
    .unwrap();
    let text = file_text(&db);
    assert!(
        !text.contains("Quentin Zebulon"),
        "the family name stays on disk"
    );
    assert!(text.contains("Janet Zebulon"));

    // Erasure: her name and address leave it too.
    let erase = crm(CustomerAction::EraseContact {
        customer: acme,
        contact: jane,
        scope: ErasureScope::Profile,
    });
    desk.execute(&mut store, erase, now).unwrap();
    drop(store);
    let text = file_text(&db);
    for gone in ["Janet Zebulon", "janet.zebulon@acme.example"] {
        assert!(!text.contains(gone), "{gone} stays in the database file");
    }
    let store = SqliteStore::open(&db.0).unwrap();
    assert_eq!(
        Desk::rebuild(&store, DeskConfig::default()).unwrap(),
        desk,
        "a desk rebuilt from the file holds the erasure"
    );
}
