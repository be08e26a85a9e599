//! The store errors only a real backend produces, from the SQLite store
//! (issue 15, item 2: each error variant the crate can return is produced
//! by a test that matches it exactly; the library's own are in
//! `tests/it/errors.rs`): a file that cannot be opened or is not a
//! database is [`StoreError::Backend`] with SQLite's error as its source,
//! and a row this build cannot read is [`StoreError::Corrupt`], naming the
//! row and what is wrong, never half-read.

mod common;

use fanatical::desk::{Desk, DeskConfig};
use fanatical::event::{Event, StreamId};
use fanatical::store::{ExpectedVersion, Store, StoreError, StreamWrite};
use fanatical_sqlite::SqliteStore;
use rusqlite::ErrorCode;

use common::{TempDb, registration};

/// The SQLite error code behind a backend failure.
fn sqlite_code(err: &StoreError) -> Option<ErrorCode> {
    let StoreError::Backend { .. } = err else {
        panic!("not a backend failure: {err:?}");
    };
    std::error::Error::source(err)
        .and_then(|s| s.downcast_ref::<rusqlite::Error>())
        .and_then(rusqlite::Error::sqlite_error_code)
}

#[test]
fn a_file_that_cannot_be_opened_is_a_backend_failure_with_sqlites_error() {
    let nowhere = std::env::temp_dir()
        .join(format!("fanatical-no-such-dir-{}", std::process::id()))
        .join("desk.sqlite");
    let Err(err) = SqliteStore::open(&nowhere) else {
        panic!("opened a file in a directory that does not exist");
    };
    assert_eq!(sqlite_code(&err), Some(ErrorCode::CannotOpen), "{err}");
}

#[test]
fn a_file_that_is_not_a_database_is_a_backend_failure_with_sqlites_error() {
    let path = TempDb::new("errors-not-a-db");
    std::fs::write(&path.0, "these are my notes, not a database ".repeat(100)).unwrap();
    let Err(err) = SqliteStore::open(&path.0) else {
        panic!("opened a text file as a database");
    };
    assert_eq!(sqlite_code(&err), Some(ErrorCode::NotADatabase), "{err}");
}

#[test]
fn a_row_this_build_cannot_read_is_corrupt_naming_the_row_and_the_fault() {
    let path = TempDb::new("errors-corrupt");
    let mut store = SqliteStore::open(&path.0).unwrap();
    let (stream, events) = registration(1);
    store
        .append(&[StreamWrite::new(stream, ExpectedVersion::Exact(0), events)])
        .unwrap();
    let raw = rusqlite::Connection::open(&path.0).unwrap();
    // The event's text, damaged outside the store.
    let damaged = r#"{"customer": {"at": "#;
    raw.execute("UPDATE events SET event = ?1 WHERE position = 1", [damaged])
        .unwrap();
    let reason = serde_json::from_str::<Event>(damaged).unwrap_err();
    let corrupt = StoreError::Corrupt {
        position: 1,
        reason: format!("event: {reason}"),
    };
    assert_eq!(store.read_all(0, 10), Err(corrupt.clone()));
    // A desk rebuilt from it is refused with the same error.
    assert_eq!(
        Desk::rebuild(&store, DeskConfig::default()),
        Err(fanatical::Error::Store(corrupt))
    );
    // A stream name this build does not know.
    raw.execute(
        "UPDATE events SET stream = 'wishlist-1' WHERE position = 1",
        [],
    )
    .unwrap();
    let reason = "wishlist-1".parse::<StreamId>().unwrap_err();
    assert_eq!(
        store.read_all(0, 10),
        Err(StoreError::Corrupt {
            position: 1,
            reason: format!("stream: {reason}"),
        })
    );
}
