//! The library's fault-injecting simulation (`tests/it/simulation`: days
//! of a support desk on a virtual clock, two replicas, an independent
//! model of the rules) run over SQLite files: the same engine, included
//! rather than copied, on a real file per seed.
//!
//! Each replica has a connection of its own to the seed's file. A crash
//! drops a replica's desk and its connection (the `SqliteStore`); the new
//! process opens the file again and recovers from the store (rebuilt, or
//! restored from the latest snapshot row and caught up). A lost
//! acknowledgement drops the connection after the commit, and the command
//! is sent again with its idempotency key. Snapshots are MessagePack rows, so
//! every recovery from one goes through their serialised form.
//!
//! `FANATICAL_SIM_SQLITE_SEEDS` seeds (default 3), each
//! `FANATICAL_SIM_DAYS` days (default 3); `FANATICAL_SIM_SEED=n` replays
//! one.

// The simulation engine reads its counts with `support::positive`.
#[allow(dead_code)]
#[path = "../../../tests/it/support.rs"]
mod support;

#[allow(dead_code)]
#[path = "../../../tests/it/simulation/engine.rs"]
mod simulation;

mod common;

use common::TempDb;
use fanatical_sqlite::SqliteStore;
use simulation::{Backend, Memory, Mutant, On, caught, run_mutant, simulate};

/// One seed's store: a SQLite file of its own, removed when the run ends.
struct SqliteFile(TempDb);

impl SqliteFile {
    fn new(seed: u64) -> Self {
        SqliteFile(TempDb::new(&format!("simulation-{seed}")))
    }
}

impl Backend for SqliteFile {
    type Conn = SqliteStore;
    /// Opens the file again: a new connection, as a restarted process
    /// makes.
    fn connect(&mut self) -> SqliteStore {
        SqliteStore::open(&self.0.0).unwrap()
    }
}

const ON_SQLITE: On = On {
    store: "SQLite files",
    seeds_var: "FANATICAL_SIM_SQLITE_SEEDS",
    default_seeds: 3,
    test: "cargo test -p fanatical-sqlite --test simulation",
};

#[test]
fn simulated_days_on_sqlite_files_lose_nothing_under_faults() {
    simulate(&ON_SQLITE, SqliteFile::new);
}

/// The same seed stores, byte for byte, the same events on a SQLite file
/// as on memory: the store changes nothing the desk decides, through
/// crashes, reconnections and recoveries from snapshot rows.
#[test]
fn a_seed_on_a_sqlite_file_stores_what_it_stores_in_memory() {
    let on_file = run_mutant(42, 1, Mutant::None, SqliteFile::new(42));
    let in_memory = run_mutant(42, 1, Mutant::None, Memory::default());
    assert!(on_file.log.len() > 1000);
    assert_eq!(on_file.counters(), in_memory.counters());
    assert!(
        on_file.log == in_memory.log,
        "seed 42 stored other events on SQLite than in memory"
    );
}

/// The model still catches a broken desk when the events go through a
/// real file.
#[test]
fn a_desk_that_drops_outbound_messages_is_caught_on_sqlite() {
    let why = caught(Mutant::DropsOutbound, SqliteFile::new(0));
    assert!(
        why.starts_with("model: seed 1: messages delivered to contacts differ from the rules"),
        "{why}"
    );
}
