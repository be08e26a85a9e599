//! The store errors only a real backend produces, from the PostgreSQL
//! store: a server that cannot be reached is [`StoreError::Backend`] with
//! the client's error as its source (no server needed), and a row this
//! build cannot read is [`StoreError::Corrupt`], naming the row and what
//! is wrong, never half-read, and a connection lost during an append is a
//! backend failure whose retry with the same idempotency key is safe
//! (against `FANATICAL_PG_URL`, see `common`).

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

/// The issue's bad input: the connection to the database is lost during
/// an append. The command is a backend failure that leaves the desk as it
/// was, and running it again with the same idempotency key is safe:
/// whether the lost append was stored or not, the command counts once.
#[test]
fn a_connection_lost_during_an_append_is_retried_safely_with_the_same_key() {
    use fanatical::actor::Actor;
    use fanatical::chrono::{TimeZone, Utc};
    use fanatical::customer::CustomerCommand;
    use fanatical::desk::{Command, CustomerAction};
    use fanatical::id::CustomerId;

    let Some(db) =
        common::db("a_connection_lost_during_an_append_is_retried_safely_with_the_same_key")
    else {
        return;
    };
    let schema = db.schema_name();
    let app = format!("fanatical-lost-{schema}");
    let sep = if db.url.contains('?') { '&' } else { '?' };
    let url = format!("{}{sep}application_name={app}", db.url);
    let mut store = PgStore::with_schema(&url, &schema).unwrap();
    let now = Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap();
    let acme = CustomerId::from_uuid(uuid::Uuid::from_u128(1));
    let crm = || Actor::integration("crm");
    let rename = |name: &str, key: &str| {
        Command::new(
            crm(),
            CustomerAction::Update {
                customer: acme,
                command: CustomerCommand::RenameOrganisation { name: name.into() },
            },
        )
        .with_key(key.parse().unwrap())
    };
    let mut desk = Desk::new(DeskConfig::default());
    let register = CustomerAction::Register {
        id: acme,
        organisation: "Acme".into(),
    };
    desk.execute(&mut store, Command::new(crm(), register), now)
        .unwrap();

    // 1. Lost before it was stored: the append waits on the head (held
    //    here), and the server ends its connection.
    let mut admin = postgres::Client::connect(&db.url, postgres::NoTls).unwrap();
    let mut holder = admin.transaction().unwrap();
    holder
        .query(
            &format!("SELECT position FROM \"{schema}\".head FOR UPDATE"),
            &[],
        )
        .unwrap();
    let before = desk.clone();
    let first = rename("Acme Hosting", "crm-rename-1");
    let attempt = {
        let first = first.clone();
        std::thread::spawn(move || {
            let result = desk.execute(&mut store, first, now);
            (desk, store, result)
        })
    };
    let mut watcher = postgres::Client::connect(&db.url, postgres::NoTls).unwrap();
    let waiting =
        "SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'";
    let mut pid: Option<i32> = None;
    for _ in 0..500 {
        if let Some(row) = watcher.query_opt(waiting, &[&app]).unwrap() {
            pid = Some(row.get(0));
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let pid = pid.expect("the append never waited on the head");
    watcher
        .query("SELECT pg_terminate_backend($1)", &[&pid])
        .unwrap();
    let (mut desk, mut store, lost) = attempt.join().unwrap();
    assert!(
        matches!(
            &lost,
            Err(fanatical::Error::Store(StoreError::Backend {
                source: Some(_),
                ..
            }))
        ),
        "{lost:?}"
    );
    assert_eq!(desk, before, "a failed append changes nothing");
    holder.rollback().unwrap();
    // The retry with the same key connects again and stores it, once.
    let stored = desk.execute(&mut store, first.clone(), now).unwrap();
    assert_eq!(
        stored.iter().map(|r| r.position).collect::<Vec<_>>(),
        [2, 3]
    );
    assert_eq!(desk.execute(&mut store, first, now).unwrap(), stored);
    assert_eq!(store.read_all(0, 100).unwrap().len(), 3);

    // 2. Lost after it was stored (the client cannot tell): here another
    //    connection stores the same keyed command, as the lost append
    //    would have. The retry conflicts, catches up by the documented
    //    pattern, and gets the first run's events back; nothing is
    //    written twice.
    let second = rename("Acme Hosting Ltd", "crm-rename-2");
    let mut other = PgStore::with_schema(&db.url, &schema).unwrap();
    let mut landed = Desk::rebuild(&other, DeskConfig::default()).unwrap();
    let first_run = landed.execute(&mut other, second.clone(), now).unwrap();
    let retry = desk.execute(&mut store, second.clone(), now);
    assert!(
        matches!(
            retry,
            Err(fanatical::Error::Store(StoreError::Conflict { .. }))
        ),
        "{retry:?}"
    );
    desk.catch_up(&store).unwrap();
    assert_eq!(desk.execute(&mut store, second, now).unwrap(), first_run);
    assert_eq!(store.read_all(0, 100).unwrap().len(), 5);
    assert_eq!(desk, Desk::rebuild(&store, DeskConfig::default()).unwrap());
}
