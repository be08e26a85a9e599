//! What the SQLite store's tests share: a database file of one test's own
//! in the temporary directory, removed with its journal files when done,
//! and events to write.

#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

use fanatical::chrono::{TimeZone, Utc};
use fanatical::customer::Customer;
use fanatical::event::{Event, StreamId};
use fanatical::id::CustomerId;

/// Customer `n`'s stream and the events that register it ("Customer
/// `n`").
pub fn registration(n: u128) -> (StreamId, Vec<Event>) {
    let id = CustomerId::from_uuid(uuid::Uuid::from_u128(n));
    let at = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    let events = Customer::register(id, format!("Customer {n}"), at)
        .unwrap()
        .into_iter()
        .map(Event::Customer)
        .collect();
    (StreamId::Customer(id), events)
}

/// A fresh database file's path for one test (the file, its write-ahead
/// log and shared-memory index are removed when dropped).
pub struct TempDb(pub PathBuf);

impl TempDb {
    /// A path named after `name`, unique across the tests of a process
    /// and across processes, with no file there yet.
    pub fn new(name: &str) -> Self {
        static N: AtomicU32 = AtomicU32::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!(
            "fanatical-{name}-{}-{n}.sqlite",
            std::process::id()
        ));
        let db = TempDb(path);
        db.remove();
        db
    }

    fn remove(&self) {
        for suffix in ["", "-wal", "-shm"] {
            let mut p = self.0.clone().into_os_string();
            p.push(suffix);
            let _ = std::fs::remove_file(p);
        }
    }
}

impl Drop for TempDb {
    fn drop(&mut self) {
        self.remove();
    }
}
