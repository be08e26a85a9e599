//! The memory store against the public conformance suite, check by check.

use fanatical::store::{MemoryStore, conformance};

#[test]
fn memory_store_passes_every_conformance_check() {
    for (name, check) in conformance::CHECKS {
        let mut store = MemoryStore::new();
        if let Err(f) = check(&mut store) {
            panic!("{name}: {f}");
        }
    }
    assert_eq!(
        conformance::run_all(MemoryStore::new),
        Ok(conformance::CHECKS.len())
    );
}

/// A store that loses its last event fails the suite: the suite can fail.
#[test]
fn a_broken_store_fails_the_suite() {
    use fanatical::event::StreamId;
    use fanatical::store::{RecordedEvent, Store, StoreError, StreamWrite};

    #[derive(Default)]
    struct Forgetful(MemoryStore);
    impl Store for Forgetful {
        fn append(&mut self, batch: &[StreamWrite]) -> Result<Vec<RecordedEvent>, StoreError> {
            self.0.append(batch)
        }
        fn read_stream(&self, s: &StreamId, after: u64) -> Result<Vec<RecordedEvent>, StoreError> {
            let mut v = self.0.read_stream(s, after)?;
            v.pop();
            Ok(v)
        }
        fn read_all(&self, after: u64, limit: usize) -> Result<Vec<RecordedEvent>, StoreError> {
            self.0.read_all(after, limit)
        }
    }
    let failures = conformance::run_all(Forgetful::default).unwrap_err();
    let names: Vec<&str> = failures.iter().map(|f| f.check).collect();
    assert!(names.contains(&"append_then_read_in_order"), "{names:?}");
    assert!(names.contains(&"large_stream_round_trips"), "{names:?}");
}
