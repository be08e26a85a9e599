//! The deterministic simulation on the memory store. The engine
//! ([`engine`], with the independent model beside it) is generic over the
//! store; `fanatical-sqlite` and `fanatical-postgres` include it in their
//! tests and run the same days over a SQLite file and a PostgreSQL schema.

mod engine;
mod mutants;

use engine::{Memory, Mutant, On, run_mutant, simulate};

/// The memory store's seeds: `FANATICAL_SIM_SEEDS` (default 6).
const ON_MEMORY: On = On {
    store: "memory",
    seeds_var: "FANATICAL_SIM_SEEDS",
    default_seeds: 6,
    test: "cargo test --test it simulation::",
};

#[test]
fn simulated_days_lose_nothing_under_faults() {
    simulate(&ON_MEMORY, |_| Memory::default());
}

#[test]
fn a_seed_replays_exactly() {
    let a = run_mutant(42, 1, Mutant::None, Memory::default());
    let b = run_mutant(42, 1, Mutant::None, Memory::default());
    assert_eq!(a.counters(), b.counters());
    // The whole event log, byte for byte, not only the counters.
    assert!(a.log.len() > 1000);
    assert!(a.log == b.log, "seed 42 replayed a different event log");
}
