//! The service on PostgreSQL: the demo seeded into a schema of its own, a
//! customer's ticket answered, a macro applied, and a restart that finds
//! it all in the database.
//!
//! `FANATICAL_PG_URL` names the database (`.ci/postgres.sh` starts one and
//! sets it). Without it the test says on stderr that it was skipped and
//! passes; with `FANATICAL_REQUIRE_PG=1` (as `.ci/run` sets) a missing or
//! unreachable server fails it instead, as in the `fanatical-postgres`
//! tests.

mod common;

use std::io::Write as _;
use std::sync::Arc;

use common::{App, TempDir, ticket_link};
use helpdesk::{Options, demo};

const TEST: &str = "the_service_runs_on_postgresql_and_finds_its_desk_after_a_restart";

fn required() -> bool {
    std::env::var("FANATICAL_REQUIRE_PG").is_ok_and(|v| v == "1")
}

/// Runs `f` on a thread of its own: the blocking client starts a runtime
/// of its own, which tokio forbids inside an async test's.
fn off_runtime<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|s| s.spawn(f).join().unwrap())
}

/// The database's URL, or `None` after saying why the test is skipped.
fn database() -> Option<String> {
    let why = match std::env::var("FANATICAL_PG_URL") {
        Err(_) => "FANATICAL_PG_URL is not set".to_owned(),
        Ok(url) => match off_runtime(|| postgres::Client::connect(&url, postgres::NoTls).map(drop))
        {
            Ok(()) => return Some(url),
            Err(e) => format!("the server at FANATICAL_PG_URL is unreachable: {e}"),
        },
    };
    assert!(
        !required(),
        "{TEST}: FANATICAL_REQUIRE_PG=1 but {why}: the PostgreSQL tests must run"
    );
    let _ = writeln!(
        std::io::stderr(),
        "skipped {TEST}: {why} (set FANATICAL_PG_URL to a database to run it)"
    );
    None
}

/// A schema of this run's own, dropped when this is.
struct Schema {
    url: String,
    name: String,
}

impl Drop for Schema {
    fn drop(&mut self) {
        off_runtime(|| {
            if let Ok(mut c) = postgres::Client::connect(&self.url, postgres::NoTls) {
                let _ =
                    c.batch_execute(&format!("DROP SCHEMA IF EXISTS \"{}\" CASCADE", self.name));
            }
        });
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_service_runs_on_postgresql_and_finds_its_desk_after_a_restart() {
    let Some(url) = database() else {
        return;
    };
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let schema = Schema {
        url: url.clone(),
        name: format!("helpdesk_{}_{nanos}", std::process::id()),
    };
    let dir = Arc::new(TempDir::new());
    let options = Options {
        data: dir.0.clone(),
        database_url: Some(url),
        schema: Some(schema.name.clone()),
        ..Options::default()
    };
    let subject = "Checkout slow on PostgreSQL";
    let ticket = {
        let app = App::with_options(dir.clone(), options.clone());
        let mut jane = app.sign_in("Jane Park").await;
        app.post(
            &mut jane,
            "/portal/tickets",
            &[("subject", subject), ("body", "Pages take 10 s to load.")],
        )
        .await;
        let mut ana = app.sign_in("Ana (front line)").await;
        let queues = app.get(&mut ana, "/console").await;
        // The three demo tickets, seeded into the schema, and Jane's.
        assert!(
            queues.body.contains("New and open, by SLA deadline (4)"),
            "{}",
            queues.body
        );
        let ticket = ticket_link(&queues.body, "/console/tickets/", subject);
        app.get(&mut ana, &ticket).await;
        app.post(
            &mut ana,
            &format!("{ticket}/reply"),
            &[("body", "Looking at the DFW1 pool now.")],
        )
        .await;
        app.post(
            &mut ana,
            &format!("{ticket}/macro"),
            &[("name", demo::MACRO_TAKE)],
        )
        .await;
        let page = app.get(&mut ana, &ticket).await;
        assert!(
            page.body.contains("<span class=\"met\">fulfilled</span>"),
            "{}",
            page.body
        );
        assert!(page.body.contains("assignee Ana (front line)"));
        ticket
    };

    // A restart on the same schema finds the desk as it was, seeded once.
    let app = App::with_options(dir.clone(), options);
    let mut ana = app.sign_in("Ana (front line)").await;
    let queues = app.get(&mut ana, "/console").await;
    assert!(
        queues.body.contains("New and open, by SLA deadline (4)"),
        "{}",
        queues.body
    );
    let page = app.get(&mut ana, &ticket).await;
    assert!(page.body.contains("Looking at the DFW1 pool now."));
    assert!(page.body.contains("assignee Ana (front line)"));
    assert!(page.body.contains("<span class=\"met\">fulfilled</span>"));
    let mut jane = app.sign_in("Jane Park").await;
    let portal = app.get(&mut jane, "/portal").await;
    let mine = ticket_link(&portal.body, "/portal/tickets/", subject);
    let page = app.get(&mut jane, &mine).await;
    assert!(page.body.contains("Looking at the DFW1 pool now."));
}
