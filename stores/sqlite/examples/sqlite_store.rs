//! The desk on a SQLite file: run, "restart", rebuild, carry on.
//!
//! `cargo run -p fanatical-sqlite --example sqlite_store [path]` (default:
//! a file in the system's temporary directory, removed at the end).

use fanatical::actor::Actor;
use fanatical::channel::{Channel, ChannelAddress};
use fanatical::chrono::{Duration, TimeZone, Utc};
use fanatical::chrono_tz::America::Chicago;
use fanatical::customer::CustomerCommand;
use fanatical::desk::{Command, Desk, DeskConfig, InboundMessage};
use fanatical::desk::{CustomerAction, PeopleAction, TicketAction};
use fanatical::id::{AgentId, IdGenerator, TicketId};
use fanatical::outbox::OutboxAction;
use fanatical::store::Store;
use fanatical_sqlite::SqliteStore;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (path, temporary) = match std::env::args().nth(1) {
        Some(p) => (std::path::PathBuf::from(p), false),
        None => (
            std::env::temp_dir().join(format!("fanatical-example-{}.sqlite", std::process::id())),
            true,
        ),
    };
    let mut ids = IdGenerator::from_seed(2007);
    let mut now = Utc.with_ymd_and_hms(2026, 11, 2, 15, 0, 0).unwrap();
    let (acme, jane, ana): (_, _, AgentId) = (ids.next_id(), ids.next_id(), ids.next_id());
    let ticket: TicketId = ids.next_id();
    let email = ChannelAddress::email("jane@acme.example")?;

    // First process: a customer writes in.
    let before = {
        let mut store = SqliteStore::open(&path)?;
        let mut desk = Desk::rebuild(&store, DeskConfig::default())?;
        for cmd in [
            Command::new(
                Actor::integration("setup"),
                CustomerAction::Register {
                    id: acme,
                    organisation: "Acme Hosting".into(),
                },
            ),
            Command::new(
                Actor::integration("setup"),
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
                Actor::integration("setup"),
                PeopleAction::RegisterAgent {
                    id: ana,
                    name: "Ana".into(),
                    time_zone: Chicago,
                    roles: vec![fanatical::agent::Role::Agent],
                    skills: vec![],
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
            desk.execute(&mut store, cmd, now)?;
        }
        println!(
            "first process: {} events in {}",
            store.read_all(0, usize::MAX)?.len(),
            path.display()
        );
        desk
        // The process ends here: the desk and the connection are gone.
    };

    // Second process: rebuild from the file, and carry on.
    let mut store = SqliteStore::open(&path)?;
    let mut desk = Desk::rebuild(&store, DeskConfig::default())?;
    assert_eq!(
        desk, before,
        "a desk rebuilt from the file equals the desk before"
    );
    println!("second process: rebuilt an identical desk");
    now += Duration::minutes(4);
    desk.execute(
        &mut store,
        Command::reply(ticket, ana, "Fixed: a disk filled up."),
        now,
    )?;
    while let Some(msg) = desk.poll_outbound(now) {
        println!("deliver {} to {:?}: {}", msg.id, msg.recipient, msg.body);
        desk.execute(
            &mut store,
            Command::new(
                Actor::integration("transport"),
                OutboxAction::MarkDelivered { message: msg.id },
            ),
            now,
        )?;
    }
    println!(
        "second process: {} events; ticket is {:?}",
        store.read_all(0, usize::MAX)?.len(),
        desk.tickets().get(ticket).map(|t| t.status())
    );
    drop(store);
    if temporary {
        for suffix in ["", "-wal", "-shm"] {
            let mut p = path.clone().into_os_string();
            p.push(suffix);
            let _ = std::fs::remove_file(p);
        }
    }
    Ok(())
}
