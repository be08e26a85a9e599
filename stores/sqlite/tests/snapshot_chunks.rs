//! Snapshots in chunks: a snapshot larger than one chunk round-trips and
//! restores the desk a rebuild makes; a damaged or missing chunk is a
//! corrupt snapshot, and the desk rebuilds and says so; a snapshot saved
//! whole in a table made before chunks still loads.

#[allow(dead_code)]
#[path = "../../../tests/it/support.rs"]
mod support;

mod common;

use common::TempDb;

use fanatical::actor::Actor;
use fanatical::chrono::Duration;
use fanatical::desk::{
    Command, Desk, DeskConfig, DeskState, InboundMessage, RebuildReason, RestoredFrom, TicketAction,
};
use fanatical::store::{Snapshot, SnapshotRead, SnapshotStore, StoreError};
use fanatical_sqlite::SqliteStore;

/// Small enough that the fixture's desk (a few KiB encoded) fills several
/// chunks.
const SMALL: usize = 512;

/// A desk with a day's work on `store`, its snapshot saved after the
/// first ticket and more work after that: the desk, and the snapshot's
/// position.
fn desk_with_snapshot(store: &mut SqliteStore, config: &DeskConfig) -> (Desk, u64) {
    let mut w = support::World::with_config(config.clone());
    w.copy_into(store);
    let mut desk = Desk::rebuild(&*store, config.clone()).unwrap();
    let mut now = w.now;
    let ticket = w.ids.next_id();
    let msg = InboundMessage::new(
        ticket,
        fanatical::channel::Channel::Email,
        w.jane_email.clone(),
        "Site down",
    );
    let receive = Command::new(Actor::integration("inbound"), TicketAction::Receive(msg));
    desk.execute(store, receive, now).unwrap();
    desk.save_snapshot(store).unwrap();
    let position = desk.position();
    now += Duration::hours(30);
    desk.handle_timeout(store, now).unwrap();
    desk.execute(store, Command::reply(ticket, w.ana, "Fixed"), now)
        .unwrap();
    (desk, position)
}

/// The chunk rows: (snapshot id, seq, length), in order.
fn chunk_rows(raw: &rusqlite::Connection) -> Vec<(i64, i64, i64)> {
    let mut stmt = raw
        .prepare("SELECT snapshot, seq, length(bytes) FROM snapshot_chunks ORDER BY snapshot, seq")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn a_snapshot_of_many_chunks_restores_the_desk_a_rebuild_makes() {
    let db = TempDb::new("chunks");
    let config = DeskConfig::default().with_sla(support::policies());
    let mut store = SqliteStore::open(&db.0)
        .unwrap()
        .with_snapshot_chunk_size(SMALL);
    let (desk, position) = desk_with_snapshot(&mut store, &config);
    let raw = rusqlite::Connection::open(&db.0).unwrap();
    let rows = chunk_rows(&raw);
    let (id, count, size): (i64, i64, i64) = raw
        .query_row("SELECT id, chunks, size FROM snapshots", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .unwrap();
    assert!(count > 2, "{count} chunks of {size} bytes");
    assert_eq!(rows.len(), usize::try_from(count).unwrap());
    for (k, (snapshot, seq, len)) in rows.iter().enumerate() {
        assert_eq!((*snapshot, *seq), (id, i64::try_from(k).unwrap()));
        let full = i64::try_from(SMALL).unwrap();
        assert!(
            *len == full || k + 1 == rows.len(),
            "chunk {k}: {len} bytes"
        );
    }
    assert_eq!(rows.iter().map(|r| r.2).sum::<i64>(), size);

    // After a restart (the default chunk size: what was saved reads back
    // whatever its chunks' size), the snapshot and the desk it restores.
    drop(store);
    let store = SqliteStore::open(&db.0).unwrap();
    let loaded: Snapshot<DeskState> = store.load_snapshot().unwrap().unwrap();
    assert_eq!(loaded.position, position);
    assert!(loaded.is_intact());
    // Decoded as the chunks come, the same snapshot.
    let whole = SqliteStore::open(&db.0)
        .unwrap()
        .with_snapshot_reads(SnapshotRead::Streamed);
    assert_eq!(whole.load_snapshot().unwrap(), Some(loaded.clone()));
    let rebuilt = Desk::rebuild(&store, config.clone()).unwrap();
    let resumed = Desk::resume(&store, config.clone()).unwrap();
    assert_eq!(resumed.from, RestoredFrom::Snapshot { position });
    assert!(resumed.caught_up > 0);
    assert_eq!(resumed.desk, rebuilt);
    assert_eq!(resumed.desk, desk);
    assert_eq!(resumed.desk.poll_timeout(), rebuilt.poll_timeout());
    assert_eq!(resumed.desk.snapshot(), rebuilt.snapshot());

    // The next save supersedes it: its row and its chunks go.
    let mut store = store.with_snapshot_chunk_size(SMALL);
    desk.save_snapshot(&mut store).unwrap();
    let rows = chunk_rows(&raw);
    let ids: Vec<i64> = raw
        .prepare("SELECT id FROM snapshots")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(ids.len(), 1);
    assert_ne!(ids[0], id);
    assert!(!rows.is_empty());
    assert!(rows.iter().all(|r| r.0 == ids[0]), "{rows:?}");
    let resumed = Desk::resume(&store, config).unwrap();
    assert_eq!(
        resumed.from,
        RestoredFrom::Snapshot {
            position: desk.position()
        }
    );
    assert_eq!(resumed.desk, desk);
}

#[test]
fn a_damaged_or_missing_chunk_falls_back_to_a_rebuild_and_says_so() {
    let db = TempDb::new("chunks-damaged");
    let config = DeskConfig::default().with_sla(support::policies());
    let mut store = SqliteStore::open(&db.0)
        .unwrap()
        .with_snapshot_chunk_size(SMALL);
    let (desk, position) = desk_with_snapshot(&mut store, &config);
    let raw = rusqlite::Connection::open(&db.0).unwrap();
    let unreadable = |store: &SqliteStore| {
        let resumed = Desk::resume(store, config.clone()).unwrap();
        assert_eq!(resumed.desk, desk);
        match resumed.from {
            RestoredFrom::Rebuild {
                why:
                    RebuildReason::Unreadable(StoreError::Corrupt {
                        position: p,
                        reason,
                    }),
            } => {
                assert_eq!(p, position);
                reason
            }
            other => panic!("not rebuilt from an unreadable snapshot: {other:?}"),
        }
    };

    // A chunk cut short in the middle.
    raw.execute(
        "UPDATE snapshot_chunks SET bytes = substr(bytes, 1, 100) WHERE seq = 1",
        [],
    )
    .unwrap();
    let reason = unreadable(&store);
    assert_eq!(
        reason,
        format!(
            "snapshot: chunk 1 of {} holds 100 bytes, the first {SMALL}",
            {
                let n: i64 = raw
                    .query_row("SELECT chunks FROM snapshots", [], |r| r.get(0))
                    .unwrap();
                n
            }
        )
    );

    // Its bytes overwritten in place, the length kept: the bytes no longer
    // decode.
    raw.execute(
        "UPDATE snapshot_chunks SET bytes = zeroblob(?1) WHERE seq = 1",
        [i64::try_from(SMALL).unwrap()],
    )
    .unwrap();
    let reason = unreadable(&store);
    assert!(reason.starts_with("snapshot: "), "{reason}");

    // A chunk gone.
    raw.execute("DELETE FROM snapshot_chunks WHERE seq = 1", [])
        .unwrap();
    let count: i64 = raw
        .query_row("SELECT chunks FROM snapshots", [], |r| r.get(0))
        .unwrap();
    assert_eq!(
        unreadable(&store),
        format!("snapshot: chunk 1 of {count} is missing")
    );
    // Decoded as they come, the chunks are checked the same way.
    let whole = SqliteStore::open(&db.0)
        .unwrap()
        .with_snapshot_reads(SnapshotRead::Streamed);
    assert_eq!(
        unreadable(&whole),
        format!("snapshot: chunk 1 of {count} is missing")
    );

    // A snapshot saved afterwards is whole again, and used.
    desk.save_snapshot(&mut store).unwrap();
    let resumed = Desk::resume(&store, config.clone()).unwrap();
    assert_eq!(
        resumed.from,
        RestoredFrom::Snapshot {
            position: desk.position()
        }
    );
    assert_eq!(resumed.desk, desk);
}

/// A file made before snapshots were chunked: its `snapshots` table has
/// no chunk columns, and a row holds a whole MessagePack snapshot. Opening
/// it adds the columns; the row loads and the desk resumes from it.
#[test]
fn a_snapshot_saved_whole_before_chunks_still_resumes() {
    let db = TempDb::new("chunks-old");
    {
        let raw = rusqlite::Connection::open(&db.0).unwrap();
        raw.execute_batch(
            "CREATE TABLE snapshots (
                 id       INTEGER PRIMARY KEY,
                 position INTEGER NOT NULL,
                 snapshot TEXT    NOT NULL
             );",
        )
        .unwrap();
    }
    let config = DeskConfig::default().with_sla(support::policies());
    let mut store = SqliteStore::open(&db.0).unwrap();
    let columns = |raw: &rusqlite::Connection| -> Vec<String> {
        raw.prepare("SELECT name FROM pragma_table_info('snapshots') ORDER BY cid")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    let raw = rusqlite::Connection::open(&db.0).unwrap();
    assert_eq!(
        columns(&raw),
        ["id", "position", "snapshot", "chunks", "size"]
    );
    let w = support::World::with_config(config.clone());
    w.copy_into(&mut store);
    let desk = Desk::rebuild(&store, config.clone()).unwrap();
    let mut whole = b"fanatical-snapshot/msgpack\n".to_vec();
    rmp_serde::encode::write_named(&mut whole, &desk.snapshot()).unwrap();
    raw.execute(
        "INSERT INTO snapshots (position, snapshot) VALUES (?1, ?2)",
        rusqlite::params![i64::try_from(desk.position()).unwrap(), whole],
    )
    .unwrap();
    // Opening it again changes nothing more.
    drop(store);
    let store = SqliteStore::open(&db.0).unwrap();
    assert_eq!(columns(&raw).len(), 5);
    let loaded: Snapshot<DeskState> = store.load_snapshot().unwrap().unwrap();
    assert_eq!(loaded, desk.snapshot());
    let resumed = Desk::resume(&store, config).unwrap();
    assert_eq!(
        resumed.from,
        RestoredFrom::Snapshot {
            position: desk.position()
        }
    );
    assert_eq!(resumed.desk, desk);
}

/// A save that fails after some of its chunks are written (here a trigger
/// refuses the third) leaves nothing of itself: the snapshot before is
/// still the latest, whole, and the desk resumes from it.
#[test]
fn a_save_that_fails_half_way_leaves_the_snapshot_before() {
    let db = TempDb::new("chunks-half");
    let config = DeskConfig::default().with_sla(support::policies());
    let mut store = SqliteStore::open(&db.0)
        .unwrap()
        .with_snapshot_chunk_size(SMALL);
    let (desk, position) = desk_with_snapshot(&mut store, &config);
    let raw = rusqlite::Connection::open(&db.0).unwrap();
    let before = chunk_rows(&raw);
    raw.execute_batch(
        "CREATE TRIGGER full_disk BEFORE INSERT ON snapshot_chunks WHEN NEW.seq = 2
         BEGIN SELECT RAISE(ABORT, 'the disk is full'); END;",
    )
    .unwrap();
    let err = desk.save_snapshot(&mut store).unwrap_err();
    assert!(err.to_string().contains("the disk is full"), "{err}");
    assert_eq!(chunk_rows(&raw), before);
    let resumed = Desk::resume(&store, config).unwrap();
    assert_eq!(resumed.from, RestoredFrom::Snapshot { position });
    assert_eq!(resumed.desk, desk);
}

/// A build from before chunks that opens the file again deletes snapshot
/// rows alone (its pruning, its erasure), leaving their chunks: the next
/// open removes them (they may hold erased data), and a save whose row
/// takes a freed id is not refused by them.
#[test]
fn chunks_an_older_build_left_behind_are_removed_and_never_block_a_save() {
    let db = TempDb::new("orphans");
    let config = DeskConfig::default().with_sla(support::policies());
    let mut store = SqliteStore::open(&db.0)
        .unwrap()
        .with_snapshot_chunk_size(SMALL);
    let (desk, _) = desk_with_snapshot(&mut store, &config);
    let raw = rusqlite::Connection::open(&db.0).unwrap();
    assert!(!chunk_rows(&raw).is_empty());
    // What the older build's erasure did.
    raw.execute("DELETE FROM snapshots", []).unwrap();
    assert!(!chunk_rows(&raw).is_empty(), "left behind");
    // The next save's row takes id 1 again; it saves and loads.
    desk.save_snapshot(&mut store).unwrap();
    let loaded: Snapshot<DeskState> = store.load_snapshot().unwrap().unwrap();
    assert_eq!(loaded.position, desk.position());
    let ids: Vec<i64> = chunk_rows(&raw).iter().map(|r| r.0).collect();
    let row: i64 = raw
        .query_row("SELECT id FROM snapshots", [], |r| r.get(0))
        .unwrap();
    assert!(
        ids.iter().all(|id| *id == row),
        "only its own chunks: {ids:?}"
    );
    // Left behind again, and the file opened again: gone at once.
    raw.execute("DELETE FROM snapshots", []).unwrap();
    drop(store);
    let _reopened = SqliteStore::open(&db.0).unwrap();
    assert!(chunk_rows(&raw).is_empty(), "orphan chunks kept after open");
}

/// An erasure takes every snapshot with it, chunks and all: none of the
/// erased person's data stays in the database's snapshot tables.
#[test]
fn an_erasure_leaves_no_snapshot_chunk_behind() {
    let db = TempDb::new("erased");
    let config = DeskConfig::default().with_sla(support::policies());
    let mut store = SqliteStore::open(&db.0)
        .unwrap()
        .with_snapshot_chunk_size(SMALL);
    let w = support::World::with_config(config.clone());
    w.copy_into(&mut store);
    let mut desk = Desk::rebuild(&store, config).unwrap();
    desk.save_snapshot(&mut store).unwrap();
    let raw = rusqlite::Connection::open(&db.0).unwrap();
    assert!(chunk_rows(&raw).len() > 1);
    let erase = Command::new(
        Actor::integration("privacy"),
        fanatical::desk::CustomerAction::EraseContact {
            customer: w.acme,
            contact: w.jane,
            scope: fanatical::customer::ErasureScope::ProfileAndMessages,
        },
    );
    desk.execute(&mut store, erase, w.now).unwrap();
    assert_eq!(
        chunk_rows(&raw),
        Vec::new(),
        "chunks of a snapshot taken before the erasure"
    );
    let rows: i64 = raw
        .query_row("SELECT COUNT(*) FROM snapshots", [], |r| r.get(0))
        .unwrap();
    assert_eq!(rows, 0);
}
