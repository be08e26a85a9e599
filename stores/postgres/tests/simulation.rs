//! The library's fault-injecting simulation (`tests/it/simulation`: days
//! of a support desk on a virtual clock, two replicas, an independent
//! model of the rules) run over PostgreSQL (`FANATICAL_PG_URL`, see
//! `common`): the same engine, included rather than copied, on a schema of
//! its own per seed.
//!
//! Each replica has a connection of its own. A crash drops a replica's
//! desk and its connection (the `PgStore`); the new process connects again
//! and recovers from the store (rebuilt, or restored from the latest
//! snapshot row and caught up). An append the simulation fails is killed
//! for real: the server process serving it is terminated while the append
//! waits inside it, so the client gets the server's error, and the command
//! is sent again with its idempotency key. A lost acknowledgement drops
//! the connection after the commit.
//!
//! `FANATICAL_SIM_PG_SEEDS` seeds (default 2), each `FANATICAL_SIM_DAYS`
//! days (default 3); `FANATICAL_SIM_SEED=n` replays one.

// The simulation engine reads its counts with `support::positive`.
#[allow(dead_code)]
#[path = "../../../tests/it/support.rs"]
mod support;

#[allow(dead_code)]
#[path = "../../../tests/it/simulation/engine.rs"]
mod simulation;

mod common;

use fanatical::store::{RecordedEvent, Store, StoreError, StreamWrite};
use fanatical_postgres::PgStore;
use simulation::{Backend, Memory, Mutant, On, caught, run_mutant, simulate};

/// One seed's store: a schema of its own (dropped with the test's
/// database handle), every connection to it named after it.
struct PgSchema {
    url: String,
    schema: String,
    app: String,
    killer: common::Killer,
}

impl PgSchema {
    fn new(db: &common::Db) -> Self {
        let schema = db.schema_name();
        let app = format!("fanatical-sim-{schema}");
        PgSchema {
            url: db.url_named(&app),
            killer: common::Killer::new(db),
            schema,
            app,
        }
    }
}

impl Backend for PgSchema {
    type Conn = PgStore;
    const KILLS_IN_FLIGHT: bool = true;

    fn connect(&mut self) -> PgStore {
        PgStore::with_schema(&self.url, &self.schema).unwrap()
    }

    fn kill_append(
        &mut self,
        conn: &mut PgStore,
        batch: &[StreamWrite],
    ) -> Option<Result<Vec<RecordedEvent>, StoreError>> {
        let killed = self
            .killer
            .kill_at_head(&self.schema, &self.app, || conn.append(batch));
        Some(killed.result)
    }
}

const ON_POSTGRES: On = On {
    store: "PostgreSQL",
    seeds_var: "FANATICAL_SIM_PG_SEEDS",
    default_seeds: 2,
    test: "cargo test -p fanatical-postgres --test simulation",
};

#[test]
fn simulated_days_on_postgres_lose_nothing_under_faults() {
    let Some(db) = common::db("simulated_days_on_postgres_lose_nothing_under_faults") else {
        return;
    };
    simulate(&ON_POSTGRES, |_| PgSchema::new(&db));
}

/// The same seed stores, byte for byte, the same events on PostgreSQL as
/// on memory, appends killed in flight and all.
#[test]
fn a_seed_on_postgres_stores_what_it_stores_in_memory() {
    let Some(db) = common::db("a_seed_on_postgres_stores_what_it_stores_in_memory") else {
        return;
    };
    let on_server = run_mutant(42, 1, Mutant::None, PgSchema::new(&db));
    let in_memory = run_mutant(42, 1, Mutant::None, Memory::default());
    assert!(on_server.log.len() > 1000);
    assert_eq!(on_server.counters(), in_memory.counters());
    assert!(
        on_server.log == in_memory.log,
        "seed 42 stored other events on PostgreSQL than in memory"
    );
}

/// The model still catches a broken desk when the events go through a
/// real server.
#[test]
fn a_desk_that_drops_outbound_messages_is_caught_on_postgres() {
    let Some(db) = common::db("a_desk_that_drops_outbound_messages_is_caught_on_postgres") else {
        return;
    };
    let why = caught(Mutant::DropsOutbound, PgSchema::new(&db));
    assert!(
        why.starts_with("model: seed 1: messages delivered to contacts differ from the rules"),
        "{why}"
    );
}
