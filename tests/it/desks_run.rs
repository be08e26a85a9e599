//! The many-desks run, shared by the in-memory test (`many_desks.rs`)
//! and the PostgreSQL crate's tests: four desks on their own threads, each
//! on its own handle on one store, send replies at once, deliver every
//! message under leases held in the store, and must converge with every
//! message delivered exactly once.

use std::collections::BTreeMap;
use std::sync::{Arc, Barrier, Mutex};

use fanatical::actor::{Actor, CommandKey};
use fanatical::agent::Role;
use fanatical::channel::{Channel, ChannelAddress};
use fanatical::customer::CustomerCommand;
use fanatical::desk::{
    Command, CustomerAction, Desk, DeskConfig, InboundMessage, PeopleAction, TicketAction,
};
use fanatical::error::ErrorKind;
use fanatical::id::{AgentId, IdGenerator, MessageId, TicketId};
use fanatical::outbox::OutboxAction;
use fanatical::store::{DeliveryLeases, LeaseHolder, Store};
use fanatical::ticket::Author;

/// Desks in a run.
pub const DESKS: usize = 4;

/// A store every desk of the run opens its own handle on.
pub trait DeskStore: Store + DeliveryLeases + Send + 'static {}
impl<S: Store + DeliveryLeases + Send + 'static> DeskStore for S {}

/// Runs `command` on `desk`, catching up and deciding again after a
/// conflict (the documented pattern). Returns how many conflicts it took.
fn execute_retrying<S: DeskStore>(desk: &mut Desk, store: &mut S, command: &Command) -> usize {
    let now = crate::support::t0();
    for conflicts in 0..1_000 {
        match desk.execute(store, command.clone(), now) {
            Ok(_) => return conflicts,
            Err(e) if e.kind() == ErrorKind::Conflict => {
                desk.catch_up(store).unwrap();
            }
            Err(e) => panic!("{command:?} failed: {e}"),
        }
    }
    panic!("{command:?} conflicted 1,000 times")
}

/// Hands out what this desk may deliver now, under leases in the store;
/// counts each delivery, records it, finishes the lease.
fn deliver<S: DeskStore>(
    desk: &mut Desk,
    store: &mut S,
    holder: &LeaseHolder,
    deliveries: &Mutex<BTreeMap<MessageId, usize>>,
) -> usize {
    let now = crate::support::t0();
    let mut n = 0;
    while let Some(leased) = desk.poll_outbound_leased(store, holder, now).unwrap() {
        *deliveries
            .lock()
            .unwrap()
            .entry(leased.message.id)
            .or_default() += 1;
        let done = Command::new(
            Actor::integration("transport"),
            OutboxAction::MarkDelivered {
                message: leased.message.id,
            },
        );
        execute_retrying(desk, store, &done);
        assert!(store.finish_lease(&leased.lease).unwrap(), "lease lost");
        n += 1;
    }
    n
}

struct Setup {
    config: DeskConfig,
    tickets: Vec<TicketId>,
    agent: AgentId,
}

/// One agent and `tickets` customers, each of whose contact has written in,
/// written to `store`.
fn setup<S: Store>(store: &mut S, tickets: usize) -> Setup {
    let config = DeskConfig::default();
    let mut desk = Desk::new(config.clone());
    let mut ids = IdGenerator::from_seed(17);
    let now = crate::support::t0();
    let agent: AgentId = ids.next_id();
    let setup = Actor::integration("setup");
    desk.execute(
        store,
        Command::new(
            setup.clone(),
            PeopleAction::RegisterAgent {
                id: agent,
                name: "Ana".into(),
                time_zone: fanatical::chrono_tz::UTC,
                roles: vec![Role::Agent],
                skills: vec![],
            },
        ),
        now,
    )
    .unwrap();
    let mut ids_out = Vec::new();
    for n in 0..tickets {
        let (customer, contact, ticket) = (ids.next_id(), ids.next_id(), ids.next_id());
        let email = ChannelAddress::email(format!("c{n}@example.com")).unwrap();
        for cmd in [
            Command::new(
                setup.clone(),
                CustomerAction::Register {
                    id: customer,
                    organisation: format!("Customer {n}"),
                },
            ),
            Command::new(
                setup.clone(),
                CustomerAction::Update {
                    customer,
                    command: CustomerCommand::AddContact {
                        contact,
                        name: format!("Contact {n}"),
                        addresses: vec![email.clone()],
                    },
                },
            ),
            Command::new(
                Actor::integration("inbound"),
                TicketAction::Receive(InboundMessage::new(
                    ticket,
                    Channel::Email,
                    email,
                    "Our site is slow",
                )),
            ),
        ] {
            desk.execute(store, cmd, now).unwrap();
        }
        ids_out.push(ticket);
    }
    Setup {
        config,
        tickets: ids_out,
        agent,
    }
}

/// Four desks, each on its own handle from `open`, send `total` replies
/// at once (and one keyed reply all four send), deliver every message
/// under leases in the store, and converge; checks every delivery.
/// Returns how many conflicts were retried.
pub fn run_desks<S: DeskStore>(total: usize, open: impl Fn() -> S) -> usize {
    let tickets = 100.min(total).max(DESKS);
    let per_ticket = total.div_ceil(tickets);
    let mut store = open();
    let Setup {
        config,
        tickets,
        agent,
    } = setup(&mut store, tickets);
    let deliveries = Arc::new(Mutex::new(BTreeMap::<MessageId, usize>::new()));
    let conflicts = Arc::new(Mutex::new(0usize));
    let keyed_ticket = tickets[0];
    let barrier = Arc::new(Barrier::new(DESKS));
    let threads: Vec<_> = (0..DESKS)
        .map(|i| {
            let (mut store, config, tickets) = (open(), config.clone(), tickets.clone());
            let (deliveries, conflicts, barrier) =
                (deliveries.clone(), conflicts.clone(), barrier.clone());
            std::thread::spawn(move || {
                let holder = LeaseHolder::new(&format!("desk-{i}")).unwrap();
                let mut desk = Desk::rebuild(&store, config).unwrap();
                barrier.wait();
                // The same keyed reply, sent by every desk at once: it
                // counts once.
                let keyed = Command::reply(keyed_ticket, agent, "One answer, whoever sends it.")
                    .with_key(CommandKey::new("reply-once").unwrap());
                let mut mine = execute_retrying(&mut desk, &mut store, &keyed);
                // This desk's share of the tickets, a reply at a time,
                // delivering as it goes.
                let share: Vec<TicketId> = tickets.iter().copied().skip(i).step_by(DESKS).collect();
                for round in 0..per_ticket {
                    for t in &share {
                        let body = format!("Update {round} on {t}");
                        mine += execute_retrying(
                            &mut desk,
                            &mut store,
                            &Command::reply(*t, agent, &body),
                        );
                    }
                    deliver(&mut desk, &mut store, &holder, &deliveries);
                }
                *conflicts.lock().unwrap() += mine;
                barrier.wait();
                // Drain: what others hold, they deliver; catch up until
                // nothing is left undelivered here.
                for _ in 0..10_000 {
                    desk.catch_up(&store).unwrap();
                    deliver(&mut desk, &mut store, &holder, &deliveries);
                    desk.catch_up(&store).unwrap();
                    if desk.channels().undelivered() == 0 {
                        return desk;
                    }
                    std::thread::yield_now();
                }
                panic!("desk-{i} never saw every message delivered");
            })
        })
        .collect();
    let mut desks: Vec<Desk> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    for d in &mut desks {
        d.catch_up(&store).unwrap();
    }

    // Converged: every desk is the desk rebuilt from the one record.
    let rebuilt = Desk::rebuild(&store, config).unwrap();
    for (i, d) in desks.iter().enumerate() {
        assert!(*d == rebuilt, "desk-{i} differs from the rebuilt desk");
    }
    // Every message the record holds was delivered exactly once.
    let outbox: Vec<MessageId> = rebuilt.channels().outbox().map(|e| e.message.id).collect();
    let deliveries = deliveries.lock().unwrap();
    assert_eq!(outbox.len(), tickets.len() * per_ticket + 1);
    assert_eq!(
        deliveries.len(),
        outbox.len(),
        "a message was never delivered"
    );
    let twice: Vec<_> = deliveries.iter().filter(|(_, n)| **n != 1).collect();
    assert!(twice.is_empty(), "delivered more than once: {twice:?}");
    assert_eq!(rebuilt.channels().undelivered(), 0);
    // The keyed reply is on its ticket once.
    let t = rebuilt.tickets().get(keyed_ticket).unwrap();
    let keyed = t
        .conversation()
        .iter()
        .filter(|e| e.body == "One answer, whoever sends it." && e.author == Author::Agent(agent))
        .count();
    assert_eq!(keyed, 1, "the keyed reply counted more than once");
    // And each ticket holds all its replies, in the order its desk sent them.
    for t in &tickets {
        let replies: Vec<&str> = rebuilt
            .tickets()
            .get(*t)
            .unwrap()
            .conversation()
            .iter()
            .filter(|e| e.body.starts_with("Update "))
            .map(|e| e.body.as_str())
            .collect();
        let want: Vec<String> = (0..per_ticket)
            .map(|r| format!("Update {r} on {t}"))
            .collect();
        assert_eq!(replies, want, "ticket {t}");
    }
    *conflicts.lock().unwrap()
}
