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

use fanatical::chrono::{TimeZone, Utc};
use fanatical::customer::{CustomerEvent, CustomerEventKind};
use fanatical::event::{Event, StreamId};
use fanatical::id::CustomerId;
use fanatical_postgres::PgStore;

/// Customer `n`'s stream.
pub fn customer(n: u128) -> StreamId {
    StreamId::Customer(CustomerId::from_uuid(uuid::Uuid::from_u128(n)))
}

/// An event whose text names who wrote it, so a lost or doubled one shows.
pub fn renamed(name: String) -> Event {
    Event::Customer(CustomerEvent {
        at: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
        kind: CustomerEventKind::OrganisationRenamed { name },
    })
}

/// The name a [`renamed`] event carries.
pub fn name_of(e: &Event) -> String {
    match e {
        Event::Customer(CustomerEvent {
            kind: CustomerEventKind::OrganisationRenamed { name },
            ..
        }) => name.clone(),
        other => panic!("not a rename: {other:?}"),
    }
}

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
pub fn off_runtime<T: Send>(f: impl FnOnce() -> T + Send) -> T {
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

    /// The database's URL, naming its connections `app` (what the server's
    /// activity view shows, so a test finds them there).
    pub fn url_named(&self, app: &str) -> String {
        let sep = if self.url.contains('?') { '&' } else { '?' };
        format!("{}{sep}application_name={app}", self.url)
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

/// What [`Killer::kill_at_head`] ran returned, and whether the connection
/// was killed while it ran.
pub struct Killed<T> {
    pub result: T,
    pub killed: bool,
}

/// Two connections of a test's own that kill another connection in the
/// middle of an append, as a server restart or a failover would.
pub struct Killer {
    holder: postgres::Client,
    watcher: postgres::Client,
}

impl Killer {
    pub fn new(db: &Db) -> Self {
        let connect = || postgres::Client::connect(&db.url, postgres::NoTls).unwrap();
        Killer {
            holder: connect(),
            // Watches from outside any transaction (inside one, the
            // server's activity view is a snapshot).
            watcher: connect(),
        }
    }

    /// Holds `schema`'s head row, so an append there waits at it in the
    /// middle of its transaction; runs `append` on a thread of its own;
    /// when the server shows the connection named `app` waiting on a lock,
    /// terminates it and waits until it is gone, and only then lets go of
    /// the head (so the append cannot commit first). An append that ends
    /// before it reaches the head (a conflict) is not killed.
    pub fn kill_at_head<T: Send>(
        &mut self,
        schema: &str,
        app: &str,
        append: impl FnOnce() -> T + Send,
    ) -> Killed<T> {
        const WAITING: &str = "SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'";
        const ALIVE: &str = "SELECT 1 FROM pg_stat_activity WHERE pid = $1";
        let mut head = self.holder.transaction().unwrap();
        head.query(
            &format!("SELECT position FROM \"{schema}\".head FOR UPDATE"),
            &[],
        )
        .unwrap();
        let watcher = &mut self.watcher;
        let pause = || std::thread::sleep(std::time::Duration::from_millis(1));
        std::thread::scope(|s| {
            let running = s.spawn(append);
            let started = std::time::Instant::now();
            let killed = loop {
                if running.is_finished() {
                    break false;
                }
                if let Some(row) = watcher.query_opt(WAITING, &[&app]).unwrap() {
                    let pid: i32 = row.get(0);
                    watcher
                        .query("SELECT pg_terminate_backend($1)", &[&pid])
                        .unwrap();
                    while watcher.query_opt(ALIVE, &[&pid]).unwrap().is_some() {
                        pause();
                    }
                    break true;
                }
                assert!(
                    started.elapsed().as_secs() < 30,
                    "the append on {app} never waited on the head"
                );
                pause();
            };
            head.rollback().unwrap();
            Killed {
                result: running.join().unwrap(),
                killed,
            }
        })
    }
}
