//! Two desks on one PostgreSQL schema, each on its own connection: a
//! customer merge on one while the other opens a ticket, archives one or
//! asks a refund for the source customer. One append conflicts and the
//! retry is decided on the merged state. The races are the library's
//! (`tests/it/merge_race.rs`), on a real server.

#[allow(dead_code)]
#[path = "../../../tests/it/support.rs"]
mod support;

#[allow(dead_code)]
#[path = "../../../tests/it/merge_race.rs"]
mod merge_race;

mod common;

use fanatical_postgres::PgStore;

/// A fresh schema for `test`, opened as often as the race asks; `None`
/// when the test is skipped (no server).
fn on_server(test: &str, race: impl FnOnce(&mut dyn FnMut() -> PgStore)) {
    let Some(db) = common::db(test) else {
        return;
    };
    let (url, schema) = (db.url.clone(), db.schema_name());
    race(&mut || PgStore::with_schema(&url, &schema).unwrap());
}

#[test]
fn a_ticket_opened_for_a_customer_being_merged_on_another_connection() {
    on_server(
        "a_ticket_opened_for_a_customer_being_merged_on_another_connection",
        |open| merge_race::a_ticket_opened_for_the_source_as_it_is_merged(open),
    );
}

#[test]
fn a_ticket_archived_for_a_customer_being_merged_merge_first() {
    on_server(
        "a_ticket_archived_for_a_customer_being_merged_merge_first",
        |open| merge_race::a_ticket_archived_for_the_source_as_it_is_merged(true, open),
    );
}

#[test]
fn a_ticket_archived_for_a_customer_being_merged_archival_first() {
    on_server(
        "a_ticket_archived_for_a_customer_being_merged_archival_first",
        |open| merge_race::a_ticket_archived_for_the_source_as_it_is_merged(false, open),
    );
}

#[test]
fn a_refund_asked_for_a_customer_being_merged_merge_first() {
    on_server(
        "a_refund_asked_for_a_customer_being_merged_merge_first",
        |open| merge_race::a_refund_asked_for_the_source_as_it_is_merged(true, open),
    );
}

#[test]
fn a_refund_asked_for_a_customer_being_merged_refund_first() {
    on_server(
        "a_refund_asked_for_a_customer_being_merged_refund_first",
        |open| merge_race::a_refund_asked_for_the_source_as_it_is_merged(false, open),
    );
}
