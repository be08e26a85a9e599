//! Two desks on one PostgreSQL schema, each on its own connection, remove
//! one of the last two administrators each at the same instant: the
//! second append conflicts on the first's write and its retry is refused
//! (issue 18, item 1). The race is the library's
//! (`tests/it/permission_race.rs`), on a real server.

#[allow(dead_code)]
#[path = "../../../tests/it/support.rs"]
mod support;

#[path = "../../../tests/it/permission_race.rs"]
mod permission_race;

mod common;

use fanatical_postgres::PgStore;

#[test]
fn two_desks_on_one_database_cannot_each_remove_one_of_the_last_two_administrators() {
    let Some(db) = common::db(
        "two_desks_on_one_database_cannot_each_remove_one_of_the_last_two_administrators",
    ) else {
        return;
    };
    let (url, schema) = (db.url.clone(), db.schema_name());
    permission_race::the_last_two_administrators_race(|| {
        PgStore::with_schema(&url, &schema).unwrap()
    });
}
