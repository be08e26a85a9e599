//! Desk benchmarks: command latency as the desk grows, rebuilding from the
//! store, and the pure decide step. Fixed seeds and simulated time, so runs
//! compare. Workloads and figures are in the README's performance section.

use std::hint::black_box;

mod common;

use chrono::{DateTime, Duration, TimeZone, Utc};
use criterion::{BatchSize, BenchmarkId, Criterion, criterion_group, criterion_main};
use fanatical::actor::Actor;
use fanatical::agent::Role;
use fanatical::channel::{Channel, ChannelAddress};
use fanatical::desk::{Command, Desk, DeskConfig, InboundMessage};
use fanatical::desk::{PeopleAction, TicketAction};
use fanatical::id::{AgentId, IdGenerator, TicketId};
use fanatical::outbox::OutboxAction;
use fanatical::store::MemoryStore;
use fanatical::ticket::{Author, TicketCommand};

#[derive(Clone)]
struct Fixture {
    ids: IdGenerator,
    store: MemoryStore,
    desk: Desk,
    now: DateTime<Utc>,
    agent: AgentId,
    addresses: Vec<ChannelAddress>,
    tickets: Vec<TicketId>,
}

/// A desk with `customers` customers (one contact each) and `tickets`
/// email tickets, each answered once and its reply delivered.
fn fixture(customers: usize, tickets: usize) -> Fixture {
    let mut ids = IdGenerator::from_seed(7);
    let mut store = MemoryStore::new();
    let mut desk = Desk::new(DeskConfig::default());
    let mut now = Utc.with_ymd_and_hms(2026, 11, 2, 0, 0, 0).unwrap();
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
    let addresses = common::register_customers(&mut desk, &mut store, &mut ids, customers, now);
    let mut f = Fixture {
        ids,
        store,
        desk,
        now,
        agent,
        addresses,
        tickets: Vec::new(),
    };
    for i in 0..tickets {
        now += Duration::seconds(10);
        f.now = now;
        let t = open(&mut f, i);
        reply_and_deliver(&mut f, t);
    }
    f
}

fn open(f: &mut Fixture, i: usize) -> TicketId {
    let id: TicketId = f.ids.next_id();
    let from = f.addresses[i % f.addresses.len()].clone();
    f.desk
        .execute(
            &mut f.store,
            Command::new(
                Actor::integration("inbound"),
                TicketAction::Receive(InboundMessage::new(id, Channel::Email, from, "Server down")),
            ),
            f.now,
        )
        .unwrap();
    f.tickets.push(id);
    id
}

fn reply_and_deliver(f: &mut Fixture, t: TicketId) {
    f.desk
        .execute(&mut f.store, Command::reply(t, f.agent, "Fixed it"), f.now)
        .unwrap();
    while let Some(m) = f.desk.poll_outbound(f.now) {
        f.desk
            .execute(
                &mut f.store,
                Command::new(
                    Actor::integration("transport"),
                    OutboxAction::MarkDelivered { message: m.id },
                ),
                f.now,
            )
            .unwrap();
    }
}

/// Times `op` on a desk of the fixture's size: every `chunk` iterations
/// start again from a fresh copy of the fixture (copied outside the
/// timing), so the desk never grows more than `chunk` beyond the size the
/// bench is labelled with.
fn on_fixture(
    b: &mut criterion::Bencher<'_>,
    f: &Fixture,
    chunk: u64,
    mut op: impl FnMut(&mut Fixture, usize),
) {
    b.iter_custom(|iters| {
        let mut total = std::time::Duration::ZERO;
        let mut done = 0u64;
        while done < iters {
            let mut fresh = f.clone();
            let n = chunk.min(iters - done);
            let start = std::time::Instant::now();
            for k in 0..n {
                op(&mut fresh, usize::try_from(done + k).unwrap_or(usize::MAX));
            }
            total += start.elapsed();
            done += n;
        }
        total
    });
}

fn bench_execute(c: &mut Criterion) {
    let mut g = c.benchmark_group("execute");
    for size in [100usize, 10_000] {
        let f = fixture(1_000, size);
        // At most 10% above the labelled size (and at least 10 per copy).
        let chunk = u64::try_from(size / 10).unwrap_or(u64::MAX).max(10);
        g.bench_with_input(BenchmarkId::new("open_ticket", size), &size, |b, _| {
            on_fixture(b, &f, chunk, |f, i| {
                f.now += Duration::seconds(1);
                black_box(open(f, i));
            });
        });
        g.bench_with_input(
            BenchmarkId::new("reply_and_deliver", size),
            &size,
            |b, _| {
                on_fixture(b, &f, chunk, |f, i| {
                    f.now += Duration::seconds(1);
                    let t = f.tickets[i % f.tickets.len()];
                    reply_and_deliver(f, t);
                });
            },
        );
    }
    g.finish();
}

fn bench_rebuild(c: &mut Criterion) {
    let f = fixture(1_000, 5_000);
    let events = f.store.len();
    c.bench_function(&format!("rebuild/{events}_events"), |b| {
        b.iter(|| black_box(Desk::rebuild(&f.store, DeskConfig::default()).unwrap()));
    });
}

fn bench_decide(c: &mut Criterion) {
    let f = fixture(100, 1_000);
    let t = f.tickets[500];
    let ticket = f.desk.tickets().get(t).unwrap().clone();
    c.bench_function("decide/ticket_reply_pure", |b| {
        b.iter_batched(
            || TicketCommand::Reply {
                author: Author::Agent(f.agent),
                channel: Channel::Email,
                body: "Another update".into(),
                attachments: vec![],
            },
            |cmd| black_box(ticket.handle(cmd, f.now).unwrap()),
            BatchSize::SmallInput,
        );
    });
    c.bench_function("decide/desk_reply_with_outbox", |b| {
        b.iter(|| {
            black_box(
                f.desk
                    .decide(Command::reply(t, f.agent, "Update"), f.now)
                    .unwrap(),
            )
        });
    });
}

/// Handing out many messages before acknowledging any: 20,000 replies
/// queued, every one polled (each leased as it goes). Quadratic before the
/// timer table and the ready queue (17 s for 20,000).
fn bench_poll(c: &mut Criterion) {
    let mut f = fixture(1_000, 0);
    for i in 0..20_000 {
        let t = open(&mut f, i);
        f.desk
            .execute(&mut f.store, Command::reply(t, f.agent, "Fixed it"), f.now)
            .unwrap();
    }
    c.bench_function("outbox/poll_20000_before_any_ack", |b| {
        b.iter_batched(
            || f.desk.clone(),
            |mut desk| {
                let mut n = 0u32;
                while let Some(m) = desk.poll_outbound(f.now) {
                    black_box(m);
                    n += 1;
                }
                assert_eq!(n, 20_000);
            },
            BatchSize::LargeInput,
        );
    });
}

criterion_group!(
    benches,
    bench_execute,
    bench_rebuild,
    bench_decide,
    bench_poll
);
criterion_main!(benches);
