//! A tokio service drives a desk over PostgreSQL without blocking its
//! runtime: each command is decided, its append awaited, and the stored
//! events applied; a second desk writes to the same store at the same
//! time, and the service catches up before it decides, retrying a
//! conflict. It delivers each message under a lease taken in the database
//! (awaited), so other desks on the schema never deliver it at the same
//! time. The service starts with `AsyncPgStore::resume` (the latest
//! snapshot and the events after it, or every event), and saves a
//! snapshot when it stops, from which a restarted service resumes. The
//! runtime has one thread, so a heartbeat task that keeps ticking while
//! the service waits on the database shows nothing blocks.
//!
//! `FANATICAL_PG_URL=postgres://user@localhost/db cargo run -p
//! fanatical-postgres --example tokio_service [schema]` (default: a new
//! schema, dropped at the end). Without `FANATICAL_PG_URL` it says so and
//! stops.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use fanatical::actor::Actor;
use fanatical::channel::{Channel, ChannelAddress};
use fanatical::chrono::{DateTime, Duration, TimeZone, Utc};
use fanatical::chrono_tz::America::Chicago;
use fanatical::customer::CustomerCommand;
use fanatical::desk::{Command, Desk, DeskConfig, InboundMessage, RestoredFrom};
use fanatical::desk::{CustomerAction, PeopleAction, TicketAction};
use fanatical::id::{AgentId, IdGenerator, TicketId};
use fanatical::outbox::OutboxAction;
use fanatical::store::{LeaseHolder, LeaseOutcome, StoreError};
use fanatical_postgres::AsyncPgStore;
use tokio::sync::{mpsc, oneshot};

/// "1 event", "3 events".
fn events(n: usize) -> String {
    format!("{n} event{}", if n == 1 { "" } else { "s" })
}

/// A command for the service, and where its outcome goes.
struct Request {
    command: Command,
    now: DateTime<Utc>,
    reply: oneshot::Sender<Result<usize, fanatical::Error>>,
}

/// Decide → awaited append → apply, catching up first (another desk may
/// have written) and deciding again after a conflict. Returns how many
/// events were stored.
async fn handle(
    store: &AsyncPgStore,
    desk: &mut Desk,
    command: &Command,
    now: DateTime<Utc>,
) -> Result<usize, fanatical::Error> {
    const ATTEMPTS: u32 = 5;
    let mut attempt = 0;
    loop {
        attempt += 1;
        store.catch_up(desk).await?;
        let decision = desk.decide(command.clone(), now)?;
        if decision.repeat_of().is_some() || decision.is_empty() {
            return Ok(0);
        }
        let stored = match decision.erasure() {
            Some(erasure) => store.append_erasing(decision.writes(), erasure).await,
            None => store.append(decision.writes()).await,
        };
        match stored {
            Ok(stored) => {
                match stored.first() {
                    // Others wrote between our last event and these:
                    // apply everything in store order.
                    Some(first) if first.position != desk.position() + 1 => {
                        store.catch_up(desk).await?;
                    }
                    _ => desk.apply(&stored)?,
                }
                return Ok(stored.len());
            }
            Err(StoreError::Conflict { stream, .. }) if attempt < ATTEMPTS => {
                println!("  conflict on {stream}: catching up and deciding again");
            }
            Err(e) => return Err(e.into()),
        }
    }
}

/// The service: one task owning the desk, taking commands from a channel
/// and delivering what the desk sends, each message under its lease in
/// the database.
async fn serve(
    store: AsyncPgStore,
    mut desk: Desk,
    mut inbox: mpsc::Receiver<Request>,
    me: LeaseHolder,
) -> Result<Desk, fanatical::Error> {
    while let Some(Request {
        command,
        now,
        reply,
    }) = inbox.recv().await
    {
        let outcome = handle(&store, &mut desk, &command, now).await;
        let _ = reply.send(outcome);
        // The desk holds each message it hands out for its local lease;
        // the store's lease keeps every other desk off it meanwhile.
        while let Some(msg) = desk.poll_outbound(now) {
            let until = now + desk.config().delivery_lease;
            let lease = match store.take_lease(msg.id, &me, now, until).await? {
                LeaseOutcome::Taken(lease) => lease,
                // Another desk is delivering it, or has: this desk comes
                // back to it when its own lease ends (or learns of the
                // delivery when it catches up).
                _ => continue,
            };
            // The transport: here it prints; a real one awaits its send
            // (and on a failure records it and releases the lease).
            println!(
                "  deliver to {:?} (lease token {}): {}",
                msg.recipient, lease.token, msg.body
            );
            let delivered = Command::new(
                Actor::integration("transport"),
                OutboxAction::MarkDelivered { message: msg.id },
            );
            handle(&store, &mut desk, &delivered, now).await?;
            store.finish_lease(&lease).await?;
        }
    }
    Ok(desk)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let Ok(url) = std::env::var("FANATICAL_PG_URL") else {
        println!(
            "skipped: FANATICAL_PG_URL is not set; set it to a PostgreSQL database \
             (postgres://user@localhost/db) to run the desk on it"
        );
        return Ok(());
    };
    let (schema, temporary) = match std::env::args().nth(1) {
        Some(s) => (s, false),
        None => (format!("fanatical_example_{}", std::process::id()), true),
    };
    let config = DeskConfig::default();
    let mut ids = IdGenerator::from_seed(2007);
    let mut now = Utc.with_ymd_and_hms(2026, 11, 2, 15, 0, 0).unwrap();
    let (acme, jane, ana): (_, _, AgentId) = (ids.next_id(), ids.next_id(), ids.next_id());
    let ticket: TicketId = ids.next_id();
    let email = ChannelAddress::email("jane@acme.example")?;

    // The heartbeat: on a one-thread runtime it ticks only while the other
    // tasks are waiting, not blocking.
    let beats = Arc::new(AtomicU64::new(0));
    let heartbeat = {
        let beats = Arc::clone(&beats);
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(std::time::Duration::from_millis(1)).await;
                beats.fetch_add(1, Ordering::Relaxed);
            }
        })
    };

    // The service's start: the latest snapshot and what came after it, or
    // every event when there is none (here, on a new schema).
    let store = AsyncPgStore::with_schema(&url, &schema).await?;
    let restored = store.resume(config.clone()).await?;
    let desk = restored.desk;
    println!(
        "desk on schema {schema}: {} events so far ({:?}, {} applied)",
        desk.position(),
        restored.from,
        restored.caught_up
    );
    let (tx, inbox) = mpsc::channel(16);
    let me = LeaseHolder::new("tokio-service")?;
    let service = tokio::spawn(serve(store, desk, inbox, me));

    // Another desk on the same store (another process, say) registers Ana
    // while the service takes the customer's setup.
    let replica = {
        let (url, schema, config) = (url.clone(), schema.clone(), config.clone());
        tokio::spawn(async move {
            let store = AsyncPgStore::with_schema(&url, &schema).await?;
            let mut desk = Desk::new(config);
            let register = Command::new(
                Actor::integration("hr"),
                PeopleAction::RegisterAgent {
                    id: ana,
                    name: "Ana".into(),
                    time_zone: Chicago,
                    roles: vec![fanatical::agent::Role::Agent],
                    skills: vec![],
                },
            );
            let stored = handle(&store, &mut desk, &register, now).await?;
            println!("the other desk registered Ana ({})", events(stored));
            Ok::<_, fanatical::Error>(())
        })
    };

    let send = |command: Command, now: DateTime<Utc>| {
        let tx = tx.clone();
        async move {
            let (reply, outcome) = oneshot::channel();
            tx.send(Request {
                command,
                now,
                reply,
            })
            .await
            .map_err(|_| "the service stopped")?;
            outcome
                .await
                .map_err(|_| "the service dropped the request")?
                .map_err(Box::<dyn std::error::Error>::from)
        }
    };
    let setup = Actor::integration("setup");
    for command in [
        Command::new(
            setup.clone(),
            CustomerAction::Register {
                id: acme,
                organisation: "Acme Hosting".into(),
            },
        ),
        Command::new(
            setup,
            CustomerAction::Update {
                customer: acme,
                command: CustomerCommand::AddContact {
                    contact: jane,
                    name: "Jane".into(),
                    addresses: vec![email.clone()],
                },
            },
        ),
        Command::new(
            Actor::integration("inbound"),
            TicketAction::Receive(InboundMessage::new(
                ticket,
                Channel::Email,
                email.clone(),
                "Our site is down",
            )),
        ),
    ] {
        let stored = send(command, now).await?;
        println!("service stored {}", events(stored));
    }
    replica.await??;
    // Ana answers through the service, which learns of her by catching up.
    now += Duration::minutes(4);
    let stored = send(Command::reply(ticket, ana, "Fixed: a disk filled up."), now).await?;
    println!("service stored Ana's reply: {}", events(stored));
    drop(tx);
    let desk = service.await??;

    // The service stops with a snapshot; restarted, it resumes from it.
    let store = AsyncPgStore::with_schema(&url, &schema).await?;
    store.save_snapshot(&desk.snapshot()).await?;
    let restarted = store.resume(config.clone()).await?;
    assert_eq!(
        restarted.from,
        RestoredFrom::Snapshot {
            position: desk.position()
        }
    );
    assert_eq!(restarted.desk, desk, "a resumed desk equals the service's");
    println!(
        "restarted from the snapshot at position {}",
        desk.position()
    );

    // A desk rebuilt from the schema's events equals the one the service ran.
    let mut rebuilt = Desk::new(config);
    let stored = store.catch_up(&mut rebuilt).await?;
    assert_eq!(
        rebuilt, desk,
        "a desk rebuilt from PostgreSQL equals the service's"
    );
    heartbeat.abort();
    println!(
        "{} in {schema}; ticket is {:?}; the heartbeat ticked {} times while the desk worked",
        events(stored),
        desk.tickets().get(ticket).map(|t| t.status()),
        beats.load(Ordering::Relaxed)
    );

    if temporary {
        let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls).await?;
        tokio::spawn(connection);
        client
            .batch_execute(&format!("DROP SCHEMA \"{schema}\" CASCADE"))
            .await?;
    }
    Ok(())
}
