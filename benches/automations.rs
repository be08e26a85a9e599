//! Automations at scale (issue 19's performance line: "automations over
//! 1,000,000 open tickets cost proportional to the due ones"). A desk with
//! `AutomationSet::defaults()` (a solved ticket closes four days after it
//! was solved) holds N tickets, every one solved and so every one with an
//! automation timer, of which k are due: `decide_timeouts` and
//! `handle_timeout` are timed with k = 0, 1 and 100 at N = 10,000 and at
//! `FANATICAL_BENCH_TICKETS` (1,000,000 unless set). The cost must follow
//! k, not N.
//!
//! Run by hand (the large desk takes minutes to build, once per process,
//! by executing its commands):
//!
//! ```text
//! cargo bench -p fanatical-benches --bench automations
//! FANATICAL_BENCH_TICKETS=100000 cargo bench -p fanatical-benches --bench automations
//! ```
//!
//! CI only builds it (`cargo bench --no-run`). The desk's events go to a
//! store that numbers them and keeps none (a million tickets' events
//! would not fit next to the desk); nothing here reads them back.
//!
//! `handle_timeout` with k due closes k tickets, so each of its
//! iterations handles the next of a row of groups of k tickets solved a
//! second apart (part of the N): a run with more iterations than groups
//! stops and says so.

use std::collections::HashMap;
use std::hint::black_box;
use std::time::{Duration as Wall, Instant};

use chrono::{DateTime, Duration, TimeZone, Utc};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use fanatical::actor::Actor;
use fanatical::agent::Role;
use fanatical::channel::Channel;
use fanatical::desk::{Command, Desk, DeskConfig, InboundMessage, PeopleAction, TicketAction};
use fanatical::event::StreamId;
use fanatical::id::{AgentId, IdGenerator, TicketId};
use fanatical::rules::AutomationSet;
use fanatical::store::{ExpectedVersion, RecordedEvent, Store, StoreError, StreamWrite};
use fanatical::ticket::Status;

mod common;

/// Groups of one ticket for `handle_timeout` with one due.
const GROUPS_OF_ONE: usize = 2_000;
/// Groups of 100 tickets for `handle_timeout` with 100 due.
const GROUPS_OF_100: usize = 70;

/// Numbers the desk's events and keeps none.
#[derive(Default)]
struct Numbering {
    position: u64,
    any_versions: HashMap<StreamId, u64>,
}

impl Store for Numbering {
    fn append(&mut self, batch: &[StreamWrite]) -> Result<Vec<RecordedEvent>, StoreError> {
        let mut out = Vec::with_capacity(batch.iter().map(|w| w.events.len()).sum());
        for w in batch {
            let mut version = match w.expected {
                ExpectedVersion::Exact(v) => v,
                ExpectedVersion::Any => *self.any_versions.get(&w.stream).unwrap_or(&0),
            };
            for e in &w.events {
                version += 1;
                self.position += 1;
                out.push(RecordedEvent {
                    id: e.id,
                    stream: w.stream,
                    version,
                    position: self.position,
                    schema: e.schema,
                    actor: e.actor.clone(),
                    command: e.command.clone(),
                    event: e.event.clone(),
                });
            }
            if matches!(w.expected, ExpectedVersion::Any) {
                self.any_versions.insert(w.stream, version);
            }
        }
        Ok(out)
    }
    fn read_stream(&self, _: &StreamId, _: u64) -> Result<Vec<RecordedEvent>, StoreError> {
        Err(StoreError::backend_message(
            "the bench store keeps no events",
        ))
    }
    fn read_all(&self, _: u64, _: usize) -> Result<Vec<RecordedEvent>, StoreError> {
        Err(StoreError::backend_message(
            "the bench store keeps no events",
        ))
    }
}

/// A desk of `n` solved tickets and when its groups fall due.
struct Scaled {
    desk: Desk,
    store: Numbering,
    /// Nothing is due yet (the first ticket falls due a minute later).
    none_due: DateTime<Utc>,
    /// One ticket is due.
    one_due: DateTime<Utc>,
    /// 100 tickets are due (the one above and 99 more).
    hundred_due: DateTime<Utc>,
    /// When each group of one falls due, in order, for `handle_timeout`.
    ones: Vec<DateTime<Utc>>,
    /// When each group of 100 falls due, in order.
    hundreds: Vec<DateTime<Utc>>,
}

/// Opens `count` tickets by email from `emails` in turn, assigns each to
/// `agent` and solves it, at `at`.
fn open_and_solve(
    desk: &mut Desk,
    store: &mut Numbering,
    ids: &mut IdGenerator,
    emails: &[fanatical::channel::ChannelAddress],
    agent: AgentId,
    count: usize,
    at: DateTime<Utc>,
) {
    for i in 0..count {
        let t: TicketId = ids.next_id();
        let email = emails[i % emails.len()].clone();
        let msg = InboundMessage::new(t, Channel::Email, email, "Our site is slow.");
        desk.execute(
            store,
            Command::new(Actor::integration("inbound"), TicketAction::Receive(msg)),
            at,
        )
        .unwrap();
        for action in [
            TicketAction::assign(t, agent),
            TicketAction::set_status(t, Status::Solved),
        ] {
            desk.execute(store, Command::new(Actor::Agent(agent), action), at)
                .unwrap();
        }
    }
}

/// Builds the desk: the groups first (earliest due), then the rest of the
/// `n` tickets a day later (due after everything measured).
fn scaled(n: usize) -> Scaled {
    let started = Instant::now();
    let base = Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap();
    let config = DeskConfig::default().with_automations(AutomationSet::defaults());
    let mut ids = IdGenerator::from_seed(19);
    let mut store = Numbering::default();
    let mut desk = Desk::new(config);
    let agent: AgentId = ids.next_id();
    desk.execute(
        &mut store,
        Command::new(
            Actor::integration("setup"),
            PeopleAction::RegisterAgent {
                id: agent,
                name: "Ana".into(),
                time_zone: chrono_tz::UTC,
                roles: vec![Role::Agent],
                skills: vec![],
            },
        ),
        base,
    )
    .unwrap();
    // A hundred tickets a customer.
    let emails = common::register_customers(&mut desk, &mut store, &mut ids, n / 100 + 1, base);
    let grouped = 100 + GROUPS_OF_ONE + 100 * GROUPS_OF_100;
    assert!(
        n >= grouped,
        "{n} tickets: at least {grouped} are needed (the groups measured)"
    );
    // `AutomationSet::defaults()`: closed four days after solved.
    let after = Duration::days(4);
    let mut solve = |count: usize, at: DateTime<Utc>| {
        open_and_solve(&mut desk, &mut store, &mut ids, &emails, agent, count, at);
        at + after
    };
    let one_due = solve(1, base);
    let hundred_due = solve(99, base + Duration::minutes(1));
    let mut at = base + Duration::minutes(2);
    let ones = (0..GROUPS_OF_ONE)
        .map(|g| solve(1, at + Duration::seconds(i64::try_from(g).unwrap())))
        .collect();
    at += Duration::hours(2);
    let hundreds = (0..GROUPS_OF_100)
        .map(|g| solve(100, at + Duration::seconds(i64::try_from(g).unwrap())))
        .collect();
    solve(n - grouped, base + Duration::days(1));
    eprintln!(
        "automations: built a desk of {} tickets ({} automation timers) in {:.1?}",
        desk.tickets().len(),
        n,
        started.elapsed()
    );
    Scaled {
        desk,
        store,
        none_due: one_due - Duration::seconds(1),
        one_due,
        hundred_due,
        ones,
        hundreds,
    }
}

fn settings() -> Vec<usize> {
    let large = std::env::var("FANATICAL_BENCH_TICKETS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let mut sizes = vec![10_000, large];
    sizes.dedup();
    sizes
}

fn bench_automations(c: &mut Criterion) {
    for n in settings() {
        let mut s = scaled(n);
        let mut g = c.benchmark_group("automations_due");
        for (k, at) in [(0, s.none_due), (1, s.one_due), (100, s.hundred_due)] {
            let due = s.desk.decide_timeouts(at).events().count();
            // Each due ticket closes and records the automation's run.
            assert!(
                (k == 0) == (due == 0) && due >= k,
                "{k} due decided {due} events"
            );
            g.bench_with_input(
                BenchmarkId::new(format!("decide_timeouts/k{k}"), n),
                &at,
                |b, at| b.iter(|| s.desk.decide_timeouts(black_box(*at))),
            );
        }
        g.bench_with_input(
            BenchmarkId::new("handle_timeout/k0", n),
            &s.none_due,
            |b, at| {
                b.iter(|| {
                    let out = s.desk.handle_timeout(&mut s.store, black_box(*at)).unwrap();
                    assert!(out.is_empty());
                })
            },
        );
        // The tickets the decide cases used: closed, not measured.
        s.desk.handle_timeout(&mut s.store, s.hundred_due).unwrap();
        // Each iteration handles a fresh group, as few iterations as
        // criterion allows (the groups are used up).
        g.sample_size(10);
        g.warm_up_time(Wall::from_millis(1));
        g.measurement_time(Wall::from_millis(1));
        for (k, groups) in [(1, s.ones.clone()), (100, s.hundreds.clone())] {
            let mut next = groups.into_iter();
            g.bench_function(BenchmarkId::new(format!("handle_timeout/k{k}"), n), |b| {
                b.iter_custom(|iters| {
                    let mut spent = Wall::ZERO;
                    for _ in 0..iters {
                        let at = next.next().unwrap_or_else(|| {
                            panic!("the groups of {k} are used up: raise GROUPS_OF_*")
                        });
                        let started = Instant::now();
                        let out = s.desk.handle_timeout(&mut s.store, black_box(at)).unwrap();
                        spent += started.elapsed();
                        assert!(out.len() >= k, "{k} due recorded {} events", out.len());
                    }
                    spent
                })
            });
            // Leftover groups, handled unmeasured.
            if let Some(last) = next.last() {
                s.desk.handle_timeout(&mut s.store, last).unwrap();
            }
        }
        g.finish();
    }
}

criterion_group!(benches, bench_automations);
criterion_main!(benches);
