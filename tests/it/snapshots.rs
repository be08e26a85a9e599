//! Snapshots: a desk's state at a global position, restored and caught up
//! from the store, is the desk a rebuild from the whole store gives; a
//! snapshot from a newer build or another configuration is refused; an
//! unreadable one is rebuilt around, saying so; and an erasure after a
//! snapshot is never undone by it.

use fanatical::actor::Actor;
use fanatical::customer::ErasureScope;
use fanatical::desk::{
    Command, CustomerAction, Desk, DeskConfig, DeskSnapshot, DeskState, RebuildReason, Restored,
    RestoredFrom, SnapshotError,
};
use fanatical::event::{SCHEMA_VERSION, StreamId};
use fanatical::store::{
    Fingerprint, MemoryStore, RecordedEvent, SNAPSHOT_FORMAT, SnapshotStore, Store, StoreError,
    StreamWrite,
};
use proptest::prelude::*;

use crate::fuzz_targets as target;
use crate::support::World;

/// `a` and `b` are the same desk, exactly: equal, the same snapshot, the
/// same timers and the same summary.
fn assert_same(a: &Desk, b: &Desk) {
    assert_eq!(a, b);
    assert_eq!(a.snapshot(), b.snapshot());
    assert_eq!(a.next_timer(), b.next_timer());
    assert_eq!(format!("{a:?}"), format!("{b:?}"));
}

/// Restores `snapshot` under `config` and catches up from `store`.
fn restored(store: &impl Store, config: DeskConfig, snapshot: DeskSnapshot) -> Desk {
    let mut desk = Desk::restore(config, snapshot).unwrap();
    desk.catch_up(store).unwrap();
    desk
}

fn json(snapshot: &DeskSnapshot) -> String {
    serde_json::to_string(snapshot).unwrap()
}

fn load(store: &MemoryStore) -> Option<DeskSnapshot> {
    SnapshotStore::<DeskState>::load_snapshot(store).unwrap()
}

#[test]
fn a_snapshot_restored_and_caught_up_is_the_rebuilt_desk() {
    let mut w = World::new();
    let ticket = w.jane_emails("Site down");
    w.tick(5);
    let snapshot = w.desk.snapshot();
    assert_eq!(snapshot.position, w.desk.position());
    assert_eq!(snapshot.format, SNAPSHOT_FORMAT);
    assert_eq!(snapshot.schema, SCHEMA_VERSION);
    assert_eq!(snapshot.config, Fingerprint::of(&DeskConfig::default()));
    w.run(Command::reply(ticket, w.ana, "Rebooted it."))
        .unwrap();
    w.tick(90);
    w.desk.handle_timeout(&mut w.store, w.now).unwrap();

    let desk = restored(&w.store, DeskConfig::default(), snapshot);
    let rebuilt = Desk::rebuild(&w.store, DeskConfig::default()).unwrap();
    assert_same(&desk, &rebuilt);
    assert_same(&desk, &w.desk);
}

#[test]
fn a_snapshot_from_a_newer_build_is_refused_naming_both_versions() {
    let w = World::new();
    let mut newer = w.desk.snapshot();
    newer.format = SNAPSHOT_FORMAT + 1;
    assert_eq!(
        Desk::restore(DeskConfig::default(), newer),
        Err(SnapshotError::NewerFormat {
            found: SNAPSHOT_FORMAT + 1,
            supported: SNAPSHOT_FORMAT,
        })
    );
    let mut newer = w.desk.snapshot();
    newer.schema = SCHEMA_VERSION + 1;
    let err = Desk::restore(DeskConfig::default(), newer).unwrap_err();
    assert_eq!(
        err,
        SnapshotError::NewerSchema {
            found: SCHEMA_VERSION + 1,
            supported: SCHEMA_VERSION,
        }
    );
    assert_eq!(
        err.to_string(),
        format!(
            "snapshot was folded in event schema {}; this build reads up to {SCHEMA_VERSION}",
            SCHEMA_VERSION + 1
        )
    );
}

#[test]
fn a_snapshot_from_another_configuration_is_refused_naming_both() {
    let mut w = World::new();
    w.desk.save_snapshot(&mut w.store).unwrap();
    let other = DeskConfig::default().with_sla(crate::support::policies());
    let expected = SnapshotError::OtherConfig {
        snapshot: Fingerprint::of(&DeskConfig::default()),
        desk: Fingerprint::of(&other),
    };
    assert_eq!(
        Desk::restore(other.clone(), w.desk.snapshot()),
        Err(expected.clone())
    );
    // Resuming refuses too, rather than quietly dropping the snapshot:
    // the configuration changed, so rebuild on purpose.
    assert_eq!(
        Desk::resume(&w.store, other.clone()).map(|r| r.from),
        Err(fanatical::Error::Snapshot(expected))
    );
    assert_eq!(
        Desk::rebuild(&w.store, other.clone()).unwrap().config(),
        &other
    );
}

#[test]
fn resume_loads_the_latest_snapshot_and_catches_up() {
    let mut w = World::new();
    let setup = w.desk.position();
    let first = Desk::resume(&w.store, DeskConfig::default()).unwrap();
    assert_eq!(
        first.from,
        RestoredFrom::Rebuild {
            why: RebuildReason::NoSnapshot
        }
    );
    assert_eq!(first.caught_up, usize::try_from(setup).unwrap());
    assert_same(&first.desk, &w.desk);

    w.desk.save_snapshot(&mut w.store).unwrap();
    let ticket = w.jane_emails("Site down");
    w.run(Command::reply(ticket, w.ana, "Looking.")).unwrap();
    let Restored {
        desk,
        from,
        caught_up,
        ..
    } = Desk::resume(&w.store, DeskConfig::default()).unwrap();
    assert_eq!(from, RestoredFrom::Snapshot { position: setup });
    assert_eq!(
        caught_up,
        usize::try_from(w.desk.position() - setup).unwrap()
    );
    assert_same(&desk, &w.desk);
}

/// A memory store whose snapshot reads back as `snapshot` says.
struct Snapshots {
    store: MemoryStore,
    snapshot: Result<Option<DeskSnapshot>, StoreError>,
}

impl Store for Snapshots {
    fn append(&mut self, batch: &[StreamWrite]) -> Result<Vec<RecordedEvent>, StoreError> {
        self.store.append(batch)
    }
    fn read_stream(&self, s: &StreamId, after: u64) -> Result<Vec<RecordedEvent>, StoreError> {
        self.store.read_stream(s, after)
    }
    fn read_all(&self, after: u64, limit: usize) -> Result<Vec<RecordedEvent>, StoreError> {
        self.store.read_all(after, limit)
    }
}

impl SnapshotStore<DeskState> for Snapshots {
    fn save_snapshot(&mut self, snapshot: &DeskSnapshot) -> Result<(), StoreError> {
        self.snapshot = Ok(Some(snapshot.clone()));
        Ok(())
    }
    fn load_snapshot(&self) -> Result<Option<DeskSnapshot>, StoreError> {
        self.snapshot.clone()
    }
}

#[test]
fn an_unreadable_snapshot_is_rebuilt_around_and_says_so() {
    let w = World::new();
    let corrupt = StoreError::Corrupt {
        position: 4,
        reason: "snapshot: expected value at line 1 column 1".into(),
    };
    let store = Snapshots {
        store: w.store.clone(),
        snapshot: Err(corrupt.clone()),
    };
    let r = Desk::resume(&store, DeskConfig::default()).unwrap();
    assert_eq!(
        r.from,
        RestoredFrom::Rebuild {
            why: RebuildReason::Unreadable(corrupt)
        }
    );
    assert_same(&r.desk, &w.desk);

    // A backend failure is not corruption: it is the caller's to retry.
    let down = StoreError::backend_message("connection reset");
    let store = Snapshots {
        store: w.store.clone(),
        snapshot: Err(down.clone()),
    };
    assert_eq!(
        Desk::resume(&store, DeskConfig::default()).map(|r| r.from),
        Err(fanatical::Error::Store(down))
    );
}

#[test]
fn a_snapshot_that_is_no_fold_of_the_store_is_rebuilt_around() {
    // A snapshot of a desk further along than the store it is found in.
    let mut ahead = World::new();
    ahead.jane_emails("Site down");
    let behind = World::new();
    let position = ahead.desk.position();
    let store = Snapshots {
        store: behind.store.clone(),
        snapshot: Ok(Some(ahead.desk.snapshot())),
    };
    let r = Desk::resume(&store, DeskConfig::default()).unwrap();
    assert_eq!(
        r.from,
        RestoredFrom::Rebuild {
            why: RebuildReason::Inconsistent(SnapshotError::Inconsistent {
                position,
                reason: "the store holds no event at that position".into(),
            })
        }
    );
    assert_same(&r.desk, &behind.desk);

    // A snapshot whose state claims another position than its own.
    let mut lying = behind.desk.snapshot();
    lying.position -= 1;
    assert_eq!(
        Desk::restore(DeskConfig::default(), lying),
        Err(SnapshotError::Inconsistent {
            position: behind.desk.position() - 1,
            reason: format!("its state is at position {}", behind.desk.position()),
        })
    );
}

#[test]
fn a_contract_set_by_command_is_part_of_the_snapshot() {
    let mut w = World::new();
    let contract = fanatical::sla::Contract::in_segment("enterprise");
    w.run(Command::new(
        Actor::integration("billing"),
        CustomerAction::SetContract {
            customer: w.acme,
            contract: Some(Box::new(contract.clone())),
        },
    ))
    .unwrap();
    let snapshot: DeskSnapshot = serde_json::from_str(&json(&w.desk.snapshot())).unwrap();
    // Restored under the configuration the desk was created with.
    let desk = restored(&w.store, DeskConfig::default(), snapshot);
    assert_eq!(desk.config().sla.contracts.get(&w.acme), Some(&contract));
    assert_same(&desk, &w.desk);
}

#[test]
fn an_erasure_after_a_snapshot_is_not_undone_by_it() {
    const SECRET: &str = "my server behind the blue door is down";
    let mut w = World::new();
    let ticket = w.jane_emails(SECRET);
    w.run(Command::reply(ticket, w.ana, "Rebooted it."))
        .unwrap();
    w.desk.save_snapshot(&mut w.store).unwrap();
    let old = w.desk.snapshot();
    assert!(json(&old).contains(SECRET));
    assert!(json(&old).contains("jane@acme.example"));

    let erased = w
        .run(Command::new(
            Actor::integration("privacy"),
            CustomerAction::EraseContact {
                customer: w.acme,
                contact: w.jane,
                scope: ErasureScope::ProfileAndMessages,
            },
        ))
        .unwrap();
    let erased_at = erased.first().unwrap().position;
    // The store dropped its copy, and will not take the old one back.
    assert_eq!(load(&w.store), None);
    assert_eq!(
        w.store.save_snapshot(&old),
        Err(StoreError::StaleSnapshot {
            position: old.position,
            erased_at,
        })
    );
    assert_eq!(
        w.desk.save_snapshot(&mut MemoryStore::new()).map(|()| 0),
        Ok(0)
    );

    // A copy kept elsewhere, restored and caught up, replays the erasure:
    // the erased text is gone from the desk and from its next snapshot.
    let desk = restored(&w.store, DeskConfig::default(), old);
    assert_same(&desk, &w.desk);
    let again = json(&desk.snapshot());
    assert!(!again.contains(SECRET));
    assert!(!again.contains("jane@acme.example"));
    assert!(!again.contains("Jane Doe"));

    // A snapshot taken after the erasure is kept, and resumes.
    w.desk.save_snapshot(&mut w.store).unwrap();
    let r = Desk::resume(&w.store, DeskConfig::default()).unwrap();
    assert_eq!(
        r.from,
        RestoredFrom::Snapshot {
            position: w.desk.position()
        }
    );
    assert_same(&r.desk, &w.desk);
}

fn cases() -> ProptestConfig {
    ProptestConfig::with_cases(crate::cases(64))
}

proptest! {
    #![proptest_config(cases())]

    /// Random commands on a desk; a snapshot at a random step, sent
    /// through JSON; the commands go on; the snapshot restored and caught
    /// up is the desk rebuilt from the whole store, exactly.
    #[test]
    fn a_restored_desk_equals_a_rebuilt_one(
        data in prop::collection::vec(any::<u8>(), 0..160),
        cut in any::<prop::sample::Index>(),
    ) {
        let steps = data.len().div_ceil(2).max(1);
        let at = cut.index(steps);
        let mut step = 0;
        let mut taken = None;
        let (desk, store) = target::desk_ops_with(&data, |desk, _| {
            if step == at {
                taken = Some(json(&desk.snapshot()));
            }
            step += 1;
        });
        let snapshot = taken.unwrap_or_else(|| json(&desk.snapshot()));
        let snapshot: DeskSnapshot = serde_json::from_str(&snapshot).unwrap();
        let restored = restored(&store, DeskConfig::default(), snapshot);
        let rebuilt = Desk::rebuild(&store, DeskConfig::default()).unwrap();
        assert_same(&restored, &rebuilt);
        // The desk that ran holds the same state (its timers differ by
        // the leases and retries its deliveries took, which are not record).
        prop_assert!(restored == desk);
        prop_assert_eq!(restored.snapshot(), desk.snapshot());
        // The same messages are handed out, in the same order.
        let now = crate::support::t0() + chrono::Duration::days(30);
        let (mut a, mut b) = (restored.clone(), rebuilt.clone());
        let handed = |d: &mut Desk| std::iter::from_fn(|| d.poll_outbound(now).map(|m| m.id)).collect::<Vec<_>>();
        prop_assert_eq!(handed(&mut a), handed(&mut b));
    }
}

/// A desk with a little of everything the World has: tickets, a reply, a
/// contract, a timer.
fn busy_world() -> World {
    let mut w = World::new();
    let ticket = w.jane_emails("Site down");
    w.tick(5);
    w.run(Command::reply(ticket, w.ana, "Rebooted it."))
        .unwrap();
    w.jane_emails("And the mail server");
    w
}

proptest! {
    #![proptest_config(cases())]

    /// A stored snapshot with one digit changed that still parses is
    /// never restored wrong: the desk resumes equal to a full rebuild
    /// (from the snapshot when nothing that matters changed, or rebuilt
    /// around it when its checksum, position or versions no longer fit),
    /// or it is refused as from another configuration or a newer build.
    #[test]
    fn a_mangled_snapshot_is_never_restored_wrong(at in any::<prop::sample::Index>(), digit in 0u8..10) {
        let w = busy_world();
        let text = json(&w.desk.snapshot());
        let digits: Vec<usize> = text
            .bytes()
            .enumerate()
            .filter(|(_, b)| b.is_ascii_digit())
            .map(|(i, _)| i)
            .collect();
        let mut bytes = text.into_bytes();
        bytes[digits[at.index(digits.len())]] = b'0' + digit;
        let Ok(snapshot) = serde_json::from_slice::<DeskSnapshot>(&bytes) else {
            return Ok(());
        };
        let store = Snapshots {
            store: w.store.clone(),
            snapshot: Ok(Some(snapshot)),
        };
        match Desk::resume(&store, DeskConfig::default()) {
            Ok(r) => assert_same(&r.desk, &w.desk),
            Err(fanatical::Error::Snapshot(
                SnapshotError::OtherConfig { .. }
                | SnapshotError::NewerFormat { .. }
                | SnapshotError::NewerSchema { .. },
            )) => {}
            Err(e) => prop_assert!(false, "resuming failed: {e}"),
        }
    }
}

/// A format 2 snapshot (written before checksums were hashed by word)
/// keeps the byte-wise fingerprint of its state as its checksum: it still
/// restores, checked that way, to the same desk; its configuration
/// fingerprint is unchanged, so it is never taken for another
/// configuration's. A checksum of one kind under the other format's
/// number does not match.
#[test]
fn a_format_2_snapshot_is_checked_the_old_way_and_still_restores() {
    let w = busy_world();
    let mut old = w.desk.snapshot();
    assert_eq!(old.checksum, Fingerprint::checksum_of(&old.state));
    assert_ne!(old.checksum, Fingerprint::of(&old.state));
    old.format = 2;
    assert!(!old.is_intact());
    old.checksum = Fingerprint::of(&old.state);
    assert!(old.is_intact());
    // As an older build stored it, JSON and all.
    let old: DeskSnapshot = serde_json::from_str(&json(&old)).unwrap();
    let desk = Desk::restore(DeskConfig::default(), old.clone()).unwrap();
    assert_same(&desk, &w.desk);
    let store = Snapshots {
        store: w.store.clone(),
        snapshot: Ok(Some(old.clone())),
    };
    let r = Desk::resume(&store, DeskConfig::default()).unwrap();
    assert_eq!(
        r.from,
        RestoredFrom::Snapshot {
            position: old.position
        }
    );
    assert_same(&r.desk, &w.desk);
    // The old checksum under this build's format number fails.
    let mut mislabelled = old;
    mislabelled.format = SNAPSHOT_FORMAT;
    assert_eq!(
        Desk::restore(DeskConfig::default(), mislabelled.clone()),
        Err(SnapshotError::Inconsistent {
            position: mislabelled.position,
            reason: "its state does not match its checksum".into(),
        })
    );
}

#[test]
fn a_snapshot_changed_in_storage_fails_its_checksum_and_is_rebuilt_around() {
    let w = busy_world();
    let text = json(&w.desk.snapshot()).replace("Rebooted it.", "Rebooted it!");
    let snapshot: DeskSnapshot = serde_json::from_str(&text).unwrap();
    let position = snapshot.position;
    assert_eq!(
        Desk::restore(DeskConfig::default(), snapshot.clone()),
        Err(SnapshotError::Inconsistent {
            position,
            reason: "its state does not match its checksum".into(),
        })
    );
    let store = Snapshots {
        store: w.store.clone(),
        snapshot: Ok(Some(snapshot)),
    };
    let r = Desk::resume(&store, DeskConfig::default()).unwrap();
    assert_eq!(
        r.from,
        RestoredFrom::Rebuild {
            why: RebuildReason::Inconsistent(SnapshotError::Inconsistent {
                position,
                reason: "its state does not match its checksum".into(),
            })
        }
    );
    assert_same(&r.desk, &w.desk);
}
