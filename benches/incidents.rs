//! Incidents, trends and metrics at scale: a datacenter with thousands of
//! customers goes dark; trend detection and period metrics over a month
//! of tickets. Fixed seeds and simulated time. Workloads and figures are
//! in the README's performance section.

use std::collections::BTreeMap;
use std::hint::black_box;

mod common;

use chrono::{DateTime, Duration, TimeZone, Utc};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use fanatical::actor::Actor;
use fanatical::agent::Role;
use fanatical::channel::Channel;
use fanatical::customer::CustomerCommand;
use fanatical::desk::{Action, Command, Desk, DeskConfig};
use fanatical::desk::{CustomerAction, IncidentAction, PeopleAction, TicketAction};
use fanatical::escalation::default_graph;
use fanatical::id::{AgentId, ComponentId, CustomerId, IdGenerator, IncidentId};
use fanatical::incident::{
    Audience, Cadence, ComponentCatalog, ComponentState, IncidentConfig, IncidentStatus, Messages,
};
use fanatical::store::MemoryStore;
use fanatical::ticket::{OpenTicket, Tag};

fn c(id: &str) -> ComponentId {
    ComponentId::new(id).unwrap()
}

fn config() -> DeskConfig {
    let catalog = ComponentCatalog::new()
        .with(c("dfw1"), "DFW1", None)
        .unwrap()
        .with(c("dfw1/servers"), "Servers", Some(c("dfw1")))
        .unwrap()
        .with(c("ord1"), "ORD1", None)
        .unwrap();
    DeskConfig::default().with_incidents(IncidentConfig::default().with_components(catalog))
}

struct Fixture {
    store: MemoryStore,
    desk: Desk,
    now: DateTime<Utc>,
    boss: AgentId,
    ids: IdGenerator,
}

/// `customers` customers with one contact each; half run on DFW1
/// servers, half in ORD1.
fn fixture(customers: usize) -> Fixture {
    let mut ids = IdGenerator::from_seed(11);
    let mut store = MemoryStore::new();
    let mut desk = Desk::new(config());
    let now = Utc.with_ymd_and_hms(2026, 11, 2, 0, 0, 0).unwrap();
    let boss: AgentId = ids.next_id();
    desk.execute(
        &mut store,
        Command::new(
            Actor::integration("setup"),
            PeopleAction::RegisterAgent {
                id: boss,
                name: "Commander".into(),
                time_zone: chrono_tz::America::Chicago,
                roles: vec![Role::Manager],
                skills: vec![],
            },
        ),
        now,
    )
    .unwrap();
    common::register_customers(&mut desk, &mut store, &mut ids, customers, now);
    let all: Vec<CustomerId> = desk.customers().iter().map(|c| c.id()).collect();
    for (i, id) in all.into_iter().enumerate() {
        let component = if i % 2 == 0 { "dfw1/servers" } else { "ord1" };
        desk.execute(
            &mut store,
            Command::new(
                Actor::integration("setup"),
                CustomerAction::Update {
                    customer: id,
                    command: CustomerCommand::RunOn {
                        component: c(component),
                    },
                },
            ),
            now,
        )
        .unwrap();
    }
    Fixture {
        store,
        desk,
        now,
        boss,
        ids,
    }
}

fn declare(f: &mut Fixture) -> Command {
    let id: IncidentId = f.ids.next_id();
    Command::new(
        Actor::Agent(f.boss),
        IncidentAction::Declare {
            incident: id,
            title: "DFW1 power loss".into(),
            commander: f.boss,
            status: IncidentStatus::Investigating,
            components: BTreeMap::from([(c("dfw1"), ComponentState::MajorOutage)]),
            cadence: Some(Cadence::every_minutes(30, 5).unwrap()),
            messages: Messages::from([
                (Audience::Technical, "Utility feed lost.".to_owned()),
                (Audience::Business, "Sites in DFW1 are down.".to_owned()),
            ]),
        },
    )
}

fn incidents(c: &mut Criterion) {
    let mut g = c.benchmark_group("incident");
    g.sample_size(20);
    for customers in [1_000usize, 10_000] {
        let mut f = fixture(customers);
        let cmd = declare(&mut f);
        g.bench_with_input(
            BenchmarkId::new("decide_declare", customers),
            &cmd,
            |b, cmd| b.iter(|| black_box(f.desk.decide(cmd.clone(), f.now).unwrap())),
        );
        // Declared once, then an update decided against it.
        f.desk.execute(&mut f.store, cmd.clone(), f.now).unwrap();
        let Action::Incident(IncidentAction::Declare { incident, .. }) = cmd.action else {
            unreachable!()
        };
        let update = Command::new(
            Actor::Agent(f.boss),
            IncidentAction::Update {
                incident,
                status: IncidentStatus::Identified,
                components: BTreeMap::new(),
                messages: Messages::from([(Audience::Business, "Generators coming.".to_owned())]),
                solve_linked: None,
            },
        );
        let now = f.now + Duration::minutes(20);
        g.bench_with_input(
            BenchmarkId::new("decide_update", customers),
            &update,
            |b, cmd| b.iter(|| black_box(f.desk.decide(cmd.clone(), now).unwrap())),
        );
        g.bench_function(BenchmarkId::new("briefing", customers), |b| {
            let customer = f.desk.customers().iter().next().unwrap().id();
            b.iter(|| black_box(f.desk.incidents().briefings(customer, now)))
        });
    }
    g.finish();
}

/// 30 days of tickets, `per_day` a day, from 2,000 customers, tagged
/// from ten tags; then a spike on one tag.
fn month(per_day: usize) -> Fixture {
    let mut f = fixture(2_000);
    let customers: Vec<CustomerId> = f.desk.customers().iter().map(|c| c.id()).collect();
    let tags: Vec<Tag> = (0..10)
        .map(|i| Tag::new(&format!("tag{i}")).unwrap())
        .collect();
    let start = f.now;
    let step = Duration::seconds(86_400 / i64::try_from(per_day).unwrap());
    let mut n = 0usize;
    for day in 0..30 {
        for i in 0..per_day {
            let at = start + Duration::days(day) + step * i32::try_from(i).unwrap();
            let id = f.ids.next_id();
            let customer = customers[(n * 7919) % customers.len()];
            let tag = tags[n % tags.len()].clone();
            n += 1;
            let open =
                OpenTicket::new(id, customer, &format!("Problem {}", n % 97), Channel::Email)
                    .with_tag(tag);
            f.desk
                .execute(
                    &mut f.store,
                    Command::new(Actor::integration("setup"), TicketAction::Open(open)),
                    at,
                )
                .unwrap();
        }
    }
    f.now = start + Duration::days(30);
    f
}

fn trends_and_metrics(c: &mut Criterion) {
    let mut g = c.benchmark_group("signals");
    g.sample_size(10);
    let per_day = 1_000;
    let f = month(per_day);
    let graph = default_graph().unwrap();
    g.bench_function(BenchmarkId::new("trends_8_days", per_day * 8), |b| {
        b.iter(|| black_box(f.desk.incidents().trends(f.now)))
    });
    g.bench_function(
        BenchmarkId::new("decide_trend_escalations", per_day * 8),
        |b| {
            b.iter(|| {
                black_box(
                    f.desk
                        .incidents()
                        .decide_trend_escalations(&graph, "front_line", f.now)
                        .unwrap(),
                )
            })
        },
    );
    let from = f.now - Duration::days(30);
    g.bench_function(BenchmarkId::new("metrics_30_days", per_day * 30), |b| {
        b.iter(|| black_box(f.desk.tickets().metrics(from, f.now)))
    });
    g.finish();
}

criterion_group!(benches, incidents, trends_and_metrics);
criterion_main!(benches);
