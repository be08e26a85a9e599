//! Contention between desks sharing one store (issue 17, item 4): N desk
//! instances, each on its own thread, share one `MemoryStore` behind a
//! mutex and take commands at once. Each decides without the lock, appends
//! under it, and on a conflict catches up (`read_all` through
//! `Desk::catch_up`) and decides again: the documented retry pattern of
//! `Desk::execute`. The workload per writer is replies on its tickets and
//! the acknowledgements of their deliveries.
//!
//! - `distinct/1`, `distinct/4`: 1 and 4 writers, each on its own tickets.
//!   Nothing they write is shared, so there are no conflicts: throughput
//!   is bounded by the cores and the store's lock, not by retries.
//! - `same_tickets/4`: 4 writers replying on the same tickets, for
//!   comparison: these conflict on the ticket streams, as they must.
//!
//! Criterion's throughput is commands per second; the conflict count of
//! each case is printed after it (`conflicts: ... in ... commands`).

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

mod common;

use chrono::{DateTime, Duration, TimeZone, Utc};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use fanatical::actor::Actor;
use fanatical::agent::Role;
use fanatical::channel::Channel;
use fanatical::desk::{Command, Desk, DeskConfig, InboundMessage, PeopleAction, TicketAction};
use fanatical::event::Event;
use fanatical::id::{AgentId, IdGenerator, MessageId, TicketId};
use fanatical::outbox::{OutboxAction, OutboxEventKind};
use fanatical::store::{MemoryStore, RecordedEvent, Store, StoreError};

/// Tickets per writer.
const TICKETS: usize = 8;
/// Most writers in a case.
const WRITERS: usize = 4;
/// Replies per writer per iteration (each followed by its delivery's
/// acknowledgement: twice as many commands).
const REPLIES: usize = 20;

#[derive(Clone)]
struct Fixture {
    store: MemoryStore,
    desk: Desk,
    now: DateTime<Utc>,
    agent: AgentId,
    tickets: Vec<TicketId>,
}

/// A desk with one agent and `WRITERS * TICKETS` open email tickets, one
/// per customer.
fn fixture() -> Fixture {
    let mut ids = IdGenerator::from_seed(17);
    let mut store = MemoryStore::new();
    let mut desk = Desk::new(DeskConfig::default());
    let now = Utc.with_ymd_and_hms(2026, 11, 2, 0, 0, 0).unwrap();
    let agent: AgentId = ids.next_id();
    desk.execute(
        &mut store,
        Command::new(
            Actor::integration("setup"),
            PeopleAction::RegisterAgent {
                id: agent,
                name: "Ana".into(),
                time_zone: chrono_tz::America::Chicago,
                roles: vec![Role::Agent],
                skills: vec![],
            },
        ),
        now,
    )
    .unwrap();
    let addresses =
        common::register_customers(&mut desk, &mut store, &mut ids, WRITERS * TICKETS, now);
    let tickets = addresses
        .into_iter()
        .map(|from| {
            let id: TicketId = ids.next_id();
            let msg = InboundMessage::new(id, Channel::Email, from, "Server down");
            desk.execute(
                &mut store,
                Command::new(Actor::integration("inbound"), TicketAction::Receive(msg)),
                now,
            )
            .unwrap();
            id
        })
        .collect();
    Fixture {
        store,
        desk,
        now: now + Duration::minutes(5),
        agent,
        tickets,
    }
}

/// Decides `command`, appends it under the store's lock and folds it in;
/// on a conflict, catches up and decides again. Returns the stored events
/// and adds the conflicts met to `conflicts`.
fn run(
    desk: &mut Desk,
    store: &Mutex<MemoryStore>,
    command: &Command,
    now: DateTime<Utc>,
    conflicts: &mut u64,
) -> Vec<RecordedEvent> {
    loop {
        let decision = desk.decide(command.clone(), now).unwrap();
        if decision.is_empty() {
            return Vec::new();
        }
        let mut store = store.lock().unwrap();
        match store.append(decision.writes()) {
            Ok(recorded) => {
                // Others appended since this desk last looked: apply in
                // store order, as `Desk::execute` does.
                let behind = recorded
                    .first()
                    .is_some_and(|r| r.position != desk.position() + 1);
                if behind {
                    desk.catch_up(&*store).unwrap();
                } else {
                    drop(store);
                    desk.apply(&recorded).unwrap();
                }
                return recorded;
            }
            Err(StoreError::Conflict { .. }) => {
                *conflicts += 1;
                desk.catch_up(&*store).unwrap();
            }
            Err(e) => panic!("{e}"),
        }
    }
}

/// The message a reply queued.
fn queued(recorded: &[RecordedEvent]) -> Option<MessageId> {
    recorded.iter().find_map(|r| match &r.event {
        Event::Outbox(e) => match &e.kind {
            OutboxEventKind::Queued { message } => Some(message.id),
            _ => None,
        },
        _ => None,
    })
}

/// One writer's work: replies on `tickets` in turn, each delivery then
/// acknowledged. Returns the conflicts it met.
fn writer(
    mut desk: Desk,
    store: &Mutex<MemoryStore>,
    f: &Fixture,
    tickets: &[TicketId],
    name: &str,
) -> u64 {
    let mut conflicts = 0;
    for (i, t) in tickets.iter().cycle().take(REPLIES).enumerate() {
        let reply = Command::reply(*t, f.agent, &format!("{name}: on it ({i})"));
        let recorded = run(&mut desk, store, &reply, f.now, &mut conflicts);
        if let Some(message) = queued(&recorded) {
            let ack = Command::new(
                Actor::integration("transport"),
                OutboxAction::MarkDelivered { message },
            );
            run(&mut desk, store, &ack, f.now, &mut conflicts);
        }
    }
    conflicts
}

fn bench_contention(c: &mut Criterion) {
    let f = fixture();
    let mut g = c.benchmark_group("contention");
    for (case, writers, shared) in [
        ("distinct", 1usize, false),
        ("distinct", WRITERS, false),
        ("same_tickets", WRITERS, true),
    ] {
        let commands = u64::try_from(writers * REPLIES * 2).unwrap();
        g.throughput(Throughput::Elements(commands));
        let (conflicts, total) = (AtomicU64::new(0), AtomicU64::new(0));
        g.bench_function(BenchmarkId::new(case, writers), |b| {
            b.iter_custom(|iters| {
                let mut elapsed = std::time::Duration::ZERO;
                for _ in 0..iters {
                    let store = Mutex::new(f.store.clone());
                    let desks: Vec<Desk> = (0..writers).map(|_| f.desk.clone()).collect();
                    let start = std::time::Instant::now();
                    let met: u64 = std::thread::scope(|s| {
                        let handles: Vec<_> = desks
                            .into_iter()
                            .enumerate()
                            .map(|(w, desk)| {
                                let mine = if shared {
                                    &f.tickets[..TICKETS]
                                } else {
                                    &f.tickets[w * TICKETS..(w + 1) * TICKETS]
                                };
                                let store = &store;
                                let f = &f;
                                s.spawn(move || writer(desk, store, f, mine, &format!("w{w}")))
                            })
                            .collect();
                        handles.into_iter().map(|h| h.join().unwrap()).sum()
                    });
                    elapsed += start.elapsed();
                    conflicts.fetch_add(met, Ordering::Relaxed);
                    total.fetch_add(commands, Ordering::Relaxed);
                }
                elapsed
            });
        });
        eprintln!(
            "contention/{case}/{writers}: conflicts: {} in {} commands",
            conflicts.load(Ordering::Relaxed),
            total.load(Ordering::Relaxed)
        );
    }
    g.finish();
}

criterion_group!(benches, bench_contention);
criterion_main!(benches);
