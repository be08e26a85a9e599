//! Snapshots in chunks against a real server (`FANATICAL_PG_URL`; see
//! `common`): a snapshot larger than one chunk round-trips through the
//! blocking and the async store and restores the desk a rebuild makes; a
//! damaged or missing chunk is a corrupt snapshot, and both stores'
//! resumes rebuild and say so; a snapshot saved whole in `body` still
//! loads; and `AsyncPgStore::resume` comes back exactly as `Desk::resume`
//! does, from a snapshot, without one, and around a corrupt one.

#[allow(dead_code)]
#[path = "../../../tests/it/support.rs"]
mod support;

mod common;

use fanatical::actor::Actor;
use fanatical::chrono::Duration;
use fanatical::desk::{
    Command, Desk, DeskConfig, DeskState, InboundMessage, RebuildReason, Restored, RestoredFrom,
    TicketAction,
};
use fanatical::store::{Snapshot, SnapshotRead, SnapshotStore, StoreError};
use fanatical_postgres::{AsyncPgStore, PgStore};

/// Small enough that the fixture's desk (a few KiB encoded) fills several
/// chunks.
const SMALL: usize = 512;

/// A desk with a day's work on `store`, its snapshot saved after the
/// first ticket and more work after that: the desk, and the snapshot's
/// position.
fn desk_with_snapshot(store: &mut PgStore, config: &DeskConfig) -> (Desk, u64) {
    let mut w = support::World::with_config(config.clone());
    let mut desk = Desk::new(config.clone());
    desk.apply(&w.copy_into(store)).unwrap();
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
fn chunk_rows(raw: &mut postgres::Client) -> Vec<(i64, i32, i32)> {
    raw.query(
        "SELECT snapshot, seq, length(bytes) FROM snapshot_chunks ORDER BY snapshot, seq",
        &[],
    )
    .unwrap()
    .iter()
    .map(|r| (r.get(0), r.get(1), r.get(2)))
    .collect()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// `Desk::resume` on the blocking store and `AsyncPgStore::resume` on the
/// same schema: they must agree, whatever the outcome.
fn resume_both(url: &str, schema: &str, config: &DeskConfig) -> Restored {
    let store = PgStore::with_schema(url, schema).unwrap();
    let blocking = Desk::resume(&store, config.clone()).unwrap();
    let rt = runtime();
    let asynchronous = rt.block_on(async {
        let store = AsyncPgStore::with_schema(url, schema).await.unwrap();
        store.resume(config.clone()).await.unwrap()
    });
    assert_eq!(asynchronous, blocking, "the async resume is Desk::resume");
    blocking
}

#[test]
fn a_snapshot_of_many_chunks_round_trips_through_both_stores() {
    let Some(db) = common::db("a_snapshot_of_many_chunks_round_trips_through_both_stores") else {
        return;
    };
    let config = DeskConfig::default().with_sla(support::policies());
    let schema = db.schema_name();
    let mut store = PgStore::with_schema(&db.url, &schema)
        .unwrap()
        .with_snapshot_chunk_size(SMALL);
    let (desk, position) = desk_with_snapshot(&mut store, &config);
    let mut raw = db.raw(&schema);
    let rows = chunk_rows(&mut raw);
    let (id, count, size): (i64, i32, i64) = {
        let r = raw
            .query_one("SELECT id, chunks, size FROM snapshots", &[])
            .unwrap();
        (r.get(0), r.get(1), r.get(2))
    };
    assert!(count > 2, "{count} chunks of {size} bytes");
    assert_eq!(rows.len(), usize::try_from(count).unwrap());
    for (k, (snapshot, seq, len)) in rows.iter().enumerate() {
        assert_eq!((*snapshot, *seq), (id, i32::try_from(k).unwrap()));
        let full = i32::try_from(SMALL).unwrap();
        assert!(
            *len == full || k + 1 == rows.len(),
            "chunk {k}: {len} bytes"
        );
    }
    assert_eq!(rows.iter().map(|r| i64::from(r.2)).sum::<i64>(), size);

    // Restarted (the default chunk size: what was saved reads back
    // whatever its chunks' size), both stores resume from it.
    let again = PgStore::with_schema(&db.url, &schema).unwrap();
    let rebuilt = Desk::rebuild(&again, config.clone()).unwrap();
    let resumed = resume_both(&db.url, &schema, &config);
    assert_eq!(resumed.from, RestoredFrom::Snapshot { position });
    assert!(resumed.caught_up > 0);
    assert_eq!(resumed.desk, rebuilt);
    assert_eq!(resumed.desk, desk);
    assert_eq!(resumed.desk.poll_timeout(), rebuilt.poll_timeout());

    // The async store saves in chunks too; its snapshot supersedes the
    // first, whose chunks go with it, and the blocking store reads it.
    let rt = runtime();
    rt.block_on(async {
        let store = AsyncPgStore::with_schema(&db.url, &schema)
            .await
            .unwrap()
            .with_snapshot_chunk_size(SMALL);
        store.save_snapshot(&desk.snapshot()).await.unwrap();
        let loaded = store.load_snapshot::<DeskState>().await.unwrap();
        assert_eq!(loaded, Some(desk.snapshot()));
    });
    let rows = chunk_rows(&mut raw);
    let ids: Vec<i64> = raw
        .query("SELECT id FROM snapshots", &[])
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(ids.len(), 1);
    assert_ne!(ids[0], id);
    assert!(rows.len() > 2);
    assert!(rows.iter().all(|r| r.0 == ids[0]), "{rows:?}");
    let loaded: Snapshot<DeskState> = again.load_snapshot().unwrap().unwrap();
    assert_eq!(loaded, desk.snapshot());
    // Decoded as the chunks come, by either store, the same snapshot.
    let whole = PgStore::with_schema(&db.url, &schema)
        .unwrap()
        .with_snapshot_reads(SnapshotRead::Streamed);
    assert_eq!(whole.load_snapshot().unwrap(), Some(loaded.clone()));
    let loaded_async = rt.block_on(async {
        let store = AsyncPgStore::with_schema(&db.url, &schema)
            .await
            .unwrap()
            .with_snapshot_reads(SnapshotRead::Streamed);
        store.load_snapshot::<DeskState>().await.unwrap()
    });
    assert_eq!(loaded_async, Some(loaded));
    let resumed = resume_both(&db.url, &schema, &config);
    assert_eq!(
        resumed.from,
        RestoredFrom::Snapshot {
            position: desk.position()
        }
    );
    assert_eq!(resumed.desk, desk);

    // A snapshot's row deleted (as an erasure deletes them all), its
    // chunks go with it: both stores rebuild, and say why.
    raw.batch_execute("DELETE FROM snapshots").unwrap();
    assert!(chunk_rows(&mut raw).is_empty());
    let resumed = resume_both(&db.url, &schema, &config);
    assert_eq!(
        resumed.from,
        RestoredFrom::Rebuild {
            why: RebuildReason::NoSnapshot
        }
    );
    assert_eq!(resumed.desk, desk);
}

#[test]
fn a_damaged_or_missing_chunk_falls_back_to_a_rebuild_in_both_stores() {
    let Some(db) = common::db("a_damaged_or_missing_chunk_falls_back_to_a_rebuild_in_both_stores")
    else {
        return;
    };
    let config = DeskConfig::default().with_sla(support::policies());
    let schema = db.schema_name();
    let mut store = PgStore::with_schema(&db.url, &schema)
        .unwrap()
        .with_snapshot_chunk_size(SMALL);
    let (desk, position) = desk_with_snapshot(&mut store, &config);
    let mut raw = db.raw(&schema);
    let count: i32 = raw
        .query_one("SELECT chunks FROM snapshots", &[])
        .unwrap()
        .get(0);
    let unreadable = || {
        let resumed = resume_both(&db.url, &schema, &config);
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
    db.raw(&schema)
        .batch_execute(
            "UPDATE snapshot_chunks SET bytes = substring(bytes from 1 for 100) WHERE seq = 1",
        )
        .unwrap();
    assert_eq!(
        unreadable(),
        format!("snapshot: chunk 1 of {count} holds 100 bytes, the first {SMALL}")
    );

    // Overwritten in place, the length kept: the bytes no longer decode.
    db.raw(&schema)
        .execute(
            "UPDATE snapshot_chunks SET bytes = $1 WHERE seq = 1",
            &[&vec![0u8; SMALL]],
        )
        .unwrap();
    let reason = unreadable();
    assert!(reason.starts_with("snapshot: "), "{reason}");

    // A chunk gone.
    db.raw(&schema)
        .batch_execute("DELETE FROM snapshot_chunks WHERE seq = 1")
        .unwrap();
    assert_eq!(
        unreadable(),
        format!("snapshot: chunk 1 of {count} is missing")
    );
    let whole = PgStore::with_schema(&db.url, &schema)
        .unwrap()
        .with_snapshot_reads(SnapshotRead::Streamed);
    assert_eq!(
        SnapshotStore::<DeskState>::load_snapshot(&whole).unwrap_err(),
        StoreError::Corrupt {
            position,
            reason: format!("snapshot: chunk 1 of {count} is missing")
        }
    );

    // A snapshot saved afterwards is whole again, and used.
    desk.save_snapshot(&mut store).unwrap();
    let resumed = resume_both(&db.url, &schema, &config);
    assert_eq!(
        resumed.from,
        RestoredFrom::Snapshot {
            position: desk.position()
        }
    );
    assert_eq!(resumed.desk, desk);
}

/// A row saved whole by the version before chunks (MessagePack in `body`,
/// no chunk count) still loads, in both stores.
#[test]
fn a_snapshot_saved_whole_before_chunks_still_resumes_in_both_stores() {
    let Some(db) = common::db("a_snapshot_saved_whole_before_chunks_still_resumes_in_both_stores")
    else {
        return;
    };
    let config = DeskConfig::default().with_sla(support::policies());
    let schema = db.schema_name();
    let mut store = PgStore::with_schema(&db.url, &schema).unwrap();
    let w = support::World::with_config(config.clone());
    let mut desk = Desk::new(config.clone());
    desk.apply(&w.copy_into(&mut store)).unwrap();
    let mut whole = b"fanatical-snapshot/msgpack\n".to_vec();
    rmp_serde::encode::write_named(&mut whole, &desk.snapshot()).unwrap();
    db.raw(&schema)
        .execute(
            "INSERT INTO snapshots (position, body) VALUES ($1, $2)",
            &[&i64::try_from(desk.position()).unwrap(), &whole],
        )
        .unwrap();
    let loaded: Snapshot<DeskState> = store.load_snapshot().unwrap().unwrap();
    assert_eq!(loaded, desk.snapshot());
    let resumed = resume_both(&db.url, &schema, &config);
    assert_eq!(
        resumed.from,
        RestoredFrom::Snapshot {
            position: desk.position()
        }
    );
    assert_eq!(resumed.desk, desk);
}

/// A save that fails after some of its chunks are written (here a trigger
/// refuses the third) leaves nothing of itself, in either store: the
/// snapshot before is still the latest, whole, and both resume from it.
#[test]
fn a_save_that_fails_half_way_leaves_the_snapshot_before() {
    let Some(db) = common::db("a_save_that_fails_half_way_leaves_the_snapshot_before") else {
        return;
    };
    let config = DeskConfig::default().with_sla(support::policies());
    let schema = db.schema_name();
    let mut store = PgStore::with_schema(&db.url, &schema)
        .unwrap()
        .with_snapshot_chunk_size(SMALL);
    let (desk, position) = desk_with_snapshot(&mut store, &config);
    let mut raw = db.raw(&schema);
    let before = chunk_rows(&mut raw);
    raw.batch_execute(
        "CREATE FUNCTION full_disk() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN RAISE EXCEPTION 'the disk is full'; END $$;
         CREATE TRIGGER full_disk BEFORE INSERT ON snapshot_chunks
             FOR EACH ROW WHEN (NEW.seq = 2) EXECUTE FUNCTION full_disk();",
    )
    .unwrap();
    let err = desk.save_snapshot(&mut store).unwrap_err();
    assert!(err.to_string().contains("the disk is full"), "{err}");
    let rt = runtime();
    let err = rt.block_on(async {
        let store = AsyncPgStore::with_schema(&db.url, &schema)
            .await
            .unwrap()
            .with_snapshot_chunk_size(SMALL);
        store.save_snapshot(&desk.snapshot()).await.unwrap_err()
    });
    assert!(err.to_string().contains("the disk is full"), "{err}");
    assert_eq!(chunk_rows(&mut raw), before);
    let resumed = resume_both(&db.url, &schema, &config);
    assert_eq!(resumed.from, RestoredFrom::Snapshot { position });
    assert_eq!(resumed.desk, desk);
}

/// An erasure takes every snapshot with it, chunks and all: none of the
/// erased person's data stays in the snapshot tables.
#[test]
fn an_erasure_leaves_no_snapshot_chunk_behind() {
    let Some(db) = common::db("an_erasure_leaves_no_snapshot_chunk_behind") else {
        return;
    };
    let config = DeskConfig::default().with_sla(support::policies());
    let schema = db.schema_name();
    let mut store = PgStore::with_schema(&db.url, &schema)
        .unwrap()
        .with_snapshot_chunk_size(SMALL);
    let w = support::World::with_config(config.clone());
    let mut desk = Desk::new(config);
    desk.apply(&w.copy_into(&mut store)).unwrap();
    desk.save_snapshot(&mut store).unwrap();
    let mut raw = db.raw(&schema);
    assert!(chunk_rows(&mut raw).len() > 1);
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
        chunk_rows(&mut raw),
        Vec::new(),
        "chunks of a snapshot taken before the erasure"
    );
    let rows: i64 = raw
        .query_one("SELECT COUNT(*) FROM snapshots", &[])
        .unwrap()
        .get(0);
    assert_eq!(rows, 0);
}
