//! The memory store against the public conformance suite, check by check.
//! (Each check catching a store broken its way is `conformance_catches`.)

use fanatical::store::{MemoryStore, conformance};

#[test]
fn memory_store_passes_every_conformance_check() {
    for (name, check) in conformance::CHECKS {
        let mut store = MemoryStore::new();
        if let Err(f) = check(&mut store) {
            panic!("{name}: {f}");
        }
    }
    let report = conformance::run_all(MemoryStore::new).unwrap_or_else(|f| panic!("{f:#?}"));
    assert_eq!(
        report.to_string(),
        format!(
            "{} store conformance checks passed; not run: survives_reopening, two_handles_write_at_once",
            conformance::CHECKS.len()
        )
    );
}
