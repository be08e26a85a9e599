//! Many desks on one PostgreSQL (issue 17, item 3): four desk instances,
//! each on its own connection to one schema, send replies at once on
//! their own threads, retry conflicts by catching up and deciding again,
//! and deliver every message under a lease held in the database. Every
//! delivery is counted: each message exactly once, a keyed reply sent by
//! all four counts once, and the four desks end equal to the desk rebuilt
//! from the database. The same run as the library's in-memory test
//! (`tests/it/desks_run.rs`), on a real server.

#[allow(dead_code)]
#[path = "../../../tests/it/support.rs"]
mod support;

#[path = "../../../tests/it/desks_run.rs"]
mod desks_run;

mod common;

use fanatical_postgres::PgStore;

/// Replies in all: 10,000 by default; `FANATICAL_PG_DESKS_MESSAGES`
/// bounds it.
fn messages() -> usize {
    support::positive("FANATICAL_PG_DESKS_MESSAGES", 10_000)
}

#[test]
fn four_desks_on_one_database_deliver_every_message_once_and_converge() {
    let Some(db) = common::db("four_desks_on_one_database_deliver_every_message_once_and_converge")
    else {
        return;
    };
    let schema = db.schema_name();
    let (url, total) = (db.url.clone(), messages());
    let conflicts =
        desks_run::run_desks(total, move || PgStore::with_schema(&url, &schema).unwrap());
    eprintln!(
        "{} desks on PostgreSQL, {total} replies, {conflicts} conflicts retried",
        desks_run::DESKS
    );
}
