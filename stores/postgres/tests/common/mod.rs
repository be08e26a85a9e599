//! The server the tests run against, and a fresh schema for each store a
//! test makes, so tests run in parallel without seeing each other.
//!
//! `FANATICAL_PG_URL` names the database (for example
//! `postgres://postgres@localhost:5432/fanatical`). Without it a test says
//! on stderr that it was skipped, and why, and returns; with
//! `FANATICAL_REQUIRE_PG=1` (as `.ci/run` sets) a missing or unreachable
//! server fails the test instead, so CI never passes without running them.

#![allow(dead_code)]

use std::io::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};

use fanatical_postgres::PgStore;

/// Whether a missing server fails the tests rather than skipping them.
fn required() -> bool {
    std::env::var("FANATICAL_REQUIRE_PG").is_ok_and(|v| v == "1")
}

/// Skips (or, when required, fails) the test named `test`.
fn skip(test: &str, why: &str) -> Option<Db> {
    assert!(
        !required(),
        "{test}: FANATICAL_REQUIRE_PG=1 but {why}: the PostgreSQL tests must run"
    );
    // Straight to stderr, past the test harness's capture, so the skip
    // shows in `cargo test`'s output.
    let _ = writeln!(
        std::io::stderr(),
        "skipped {test}: {why} (set FANATICAL_PG_URL to a database to run it; see stores/postgres/README.md)"
    );
    None
}

/// The database to test against, or `None` (after saying so) when there
/// is none. Panics when `FANATICAL_REQUIRE_PG=1` and there is none.
pub fn db(test: &str) -> Option<Db> {
    let Ok(url) = std::env::var("FANATICAL_PG_URL") else {
        return skip(test, "FANATICAL_PG_URL is not set");
    };
    match off_runtime(|| postgres::Client::connect(&url, postgres::NoTls).map(drop)) {
        Ok(_) => Some(Db {
            url,
            schemas: Mutex::new(Vec::new()),
        }),
        Err(e) => skip(
            test,
            &format!("the server at FANATICAL_PG_URL is unreachable: {e}"),
        ),
    }
}

/// Runs `f` on a thread of its own: the blocking client starts a runtime
/// of its own, which tokio forbids inside an async test's.
fn off_runtime<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|s| s.spawn(f).join().unwrap())
}

/// The test database; drops every schema it handed out when dropped.
pub struct Db {
    pub url: String,
    schemas: Mutex<Vec<String>>,
}

impl Db {
    /// A new schema's name, unique across processes and runs.
    pub fn schema_name(&self) -> String {
        static N: AtomicU32 = AtomicU32::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let name = format!(
            "t_{}_{}_{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed),
            nanos
        );
        self.schemas.lock().unwrap().push(name.clone());
        name
    }

    /// A store in a new, empty schema of its own.
    pub fn fresh(&self) -> PgStore {
        PgStore::with_schema(&self.url, &self.schema_name()).unwrap()
    }

    /// A raw connection with `schema` on its search path.
    pub fn raw(&self, schema: &str) -> postgres::Client {
        let mut c = postgres::Client::connect(&self.url, postgres::NoTls).unwrap();
        c.batch_execute(&format!("SET search_path TO \"{schema}\""))
            .unwrap();
        c
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        let schemas = std::mem::take(&mut *self.schemas.lock().unwrap_or_else(|e| e.into_inner()));
        off_runtime(|| {
            if let Ok(mut c) = postgres::Client::connect(&self.url, postgres::NoTls) {
                for s in schemas {
                    let _ = c.batch_execute(&format!("DROP SCHEMA IF EXISTS \"{s}\" CASCADE"));
                }
            }
        });
    }
}
