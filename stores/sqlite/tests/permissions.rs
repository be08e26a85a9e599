//! Two desks on one SQLite file, each on its own connection, remove one
//! of the last two administrators each at the same instant: the second
//! append conflicts on the first's write and its retry is refused
//! (issue 18, item 1). The race is the library's
//! (`tests/it/permission_race.rs`), on a real database.

#[allow(dead_code)]
#[path = "../../../tests/it/support.rs"]
mod support;

#[path = "../../../tests/it/permission_race.rs"]
mod permission_race;

mod common;

use fanatical_sqlite::SqliteStore;

#[test]
fn two_desks_on_one_file_cannot_each_remove_one_of_the_last_two_administrators() {
    let db = common::TempDb::new("last-administrators");
    permission_race::the_last_two_administrators_race(|| SqliteStore::open(&db.0).unwrap());
}
