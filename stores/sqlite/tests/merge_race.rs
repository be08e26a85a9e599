//! Two desks on one SQLite file, each on its own connection: a customer
//! merge on one while the other opens a ticket, archives one or asks a
//! refund for the source customer. One append conflicts and the retry is
//! decided on the merged state. The races are the library's
//! (`tests/it/merge_race.rs`), on a real database.

#[allow(dead_code)]
#[path = "../../../tests/it/support.rs"]
mod support;

#[allow(dead_code)]
#[path = "../../../tests/it/merge_race.rs"]
mod merge_race;

mod common;

use fanatical_sqlite::SqliteStore;

#[test]
fn a_ticket_opened_for_a_customer_being_merged_on_another_connection() {
    let db = common::TempDb::new("merge-open");
    merge_race::a_ticket_opened_for_the_source_as_it_is_merged(|| {
        SqliteStore::open(&db.0).unwrap()
    });
}

#[test]
fn a_ticket_archived_for_a_customer_being_merged_on_another_connection() {
    for (merge_first, name) in [(true, "merge-archive-1"), (false, "merge-archive-2")] {
        let db = common::TempDb::new(name);
        merge_race::a_ticket_archived_for_the_source_as_it_is_merged(merge_first, || {
            SqliteStore::open(&db.0).unwrap()
        });
    }
}

#[test]
fn a_refund_asked_for_a_customer_being_merged_on_another_connection() {
    for (merge_first, name) in [(true, "merge-refund-1"), (false, "merge-refund-2")] {
        let db = common::TempDb::new(name);
        merge_race::a_refund_asked_for_the_source_as_it_is_merged(merge_first, || {
            SqliteStore::open(&db.0).unwrap()
        });
    }
}
