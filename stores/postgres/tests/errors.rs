//! The store errors only a real backend produces, from the PostgreSQL
//! store: a server that cannot be reached is [`StoreError::Backend`] with
//! the client's error as its source (no server needed), and a row this
//! build cannot read is [`StoreError::Corrupt`], naming the row and what
//! is wrong, never half-read (against `FANATICAL_PG_URL`, see `common`).

mod common;

use fanatical::desk::{Desk, DeskConfig};
use fanatical::event::{Event, StreamId};
use fanatical::store::{ExpectedVersion, Store, StoreError, StreamWrite};
use fanatical_postgres::PgStore;

#[test]
fn a_server_that_cannot_be_reached_is_a_backend_failure_with_the_clients_error() {
    // Port 1 on this machine: nothing listens there.
    let Err(err) = PgStore::connect("postgres://desk@127.0.0.1:1/support?connect_timeout=5") else {
        panic!("connected to a server that is not there");
    };
    let StoreError::Backend {
        message,
        source: Some(source),
    } = &err
    else {
        panic!("not a backend failure with a source: {err:?}");
    };
    assert_eq!(
        message,
        "error connecting to server: Connection refused (os error 111)"
    );
    let client = source.get().downcast_ref::<postgres::Error>().unwrap();
    let io = std::error::Error::source(client)
        .and_then(|s| s.downcast_ref::<std::io::Error>())
        .unwrap();
    assert_eq!(io.kind(), std::io::ErrorKind::ConnectionRefused);
}

#[test]
fn a_row_this_build_cannot_read_is_corrupt_naming_the_row_and_the_fault() {
    let Some(db) =
        common::db("a_row_this_build_cannot_read_is_corrupt_naming_the_row_and_the_fault")
    else {
        return;
    };
    let mut store = db.fresh();
    store
        .append(&[StreamWrite::new(
            common::customer(1),
            ExpectedVersion::Exact(0),
            vec![common::renamed("Acme Hosting".into())],
        )])
        .unwrap();
    let mut raw = db.raw(store.schema());
    // The event's text, damaged outside the store.
    let damaged = r#"{"customer": {"at": "#;
    raw.execute(
        "UPDATE events SET event = $1 WHERE position = 1",
        &[&damaged],
    )
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
        &[],
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
