//! Escalation and routing benchmarks: resolving a path on a graph of
//! 10,000 nodes and 50,000 rules; building and validating that graph;
//! routing among 5,000 agents. Fixed seeds; workloads in the README.

use std::collections::{BTreeMap, BTreeSet};
use std::hint::black_box;

use chrono::{DateTime, Duration, TimeZone, Utc};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use fanatical::agent::Skill;
use fanatical::escalation::{
    Condition, EscalationGraph, EscalationGraphBuilder, Facts, Node, Rule,
};
use fanatical::id::{AgentId, IdGenerator};
use fanatical::routing::{Router, RoutingAgent};
use fanatical::sla::{BusinessCalendar, DayHours};
use fanatical::ticket::Priority;

const NODES: usize = 10_000;
const RULES_PER_NODE: usize = 5;
const CATEGORIES: usize = 50;

fn category(i: usize) -> String {
    format!("c{i}")
}

/// 10,000 owner nodes in levels; node i has a chain rule to i + 1 and four
/// more to random later nodes within 200. Each rule requires one of 12
/// random categories (of 50) and sometimes a minimum priority, so a ticket
/// matches about one rule in five at each node and paths run a few hops.
fn builder(seed: u64) -> EscalationGraphBuilder {
    let mut rng = IdGenerator::from_seed(seed);
    let mut b = EscalationGraph::builder();
    for i in 0..NODES {
        let mut n = Node::tier(
            &format!("n{i}"),
            &format!("Node {i}"),
            u8::try_from(i / 100).unwrap_or(u8::MAX),
        )
        .owner();
        if i == 0 {
            n = n.entry();
        }
        b = b.node(n);
    }
    let mut rules = 0;
    for i in 0..NODES - 1 {
        let mut targets = BTreeSet::new();
        targets.insert(i + 1);
        while targets.len() < RULES_PER_NODE {
            let t = i + 1 + (rng.next_u64() as usize % 200);
            if t < NODES {
                targets.insert(t);
            } else {
                targets.insert(NODES - 1);
                if targets.len() < RULES_PER_NODE && i + 1 >= NODES - 1 {
                    break;
                }
            }
            if NODES - 1 - i < RULES_PER_NODE {
                break;
            }
        }
        for t in targets {
            let mut cats = BTreeSet::new();
            while cats.len() < 12 {
                cats.insert(category(rng.next_u64() as usize % CATEGORIES));
            }
            let mut c = Condition::any().in_categories(cats);
            if rng.next_u64().is_multiple_of(3) {
                c = c.at_least(Priority::High);
            }
            b = b.rule(Rule::new(
                &format!("r{i}_{t}"),
                &format!("n{i}"),
                &format!("n{t}"),
                c,
                "generated",
            ));
            rules += 1;
        }
    }
    // Top up to 50,000 rules with rules into the last node from early ones.
    let mut k = 0;
    while rules < NODES * RULES_PER_NODE {
        let from = k % (NODES - 1);
        let cats: BTreeSet<String> = (0..12)
            .map(|j| category((from * 7 + j * 3 + k) % CATEGORIES))
            .collect();
        b = b.rule(Rule::new(
            &format!("extra{k}"),
            &format!("n{from}"),
            &format!("n{}", NODES - 1),
            Condition::any()
                .in_categories(cats)
                .at_least(Priority::Urgent),
            "extra",
        ));
        rules += 1;
        k += 1;
    }
    b
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 2, 15, 0, 0).unwrap()
}

fn bench_graph(c: &mut Criterion) {
    let b = builder(3);
    // Random 12-of-50 category sets never cover one another, so nothing
    // is shadowed and the graph builds as generated.
    let graph = b.build().unwrap();
    println!(
        "graph: {} nodes, {} rules",
        graph.nodes().len(),
        graph.rules().len()
    );
    let mut rng = IdGenerator::from_seed(11);
    let facts: Vec<Facts> = (0..1024)
        .map(|_| {
            let p = [
                Priority::Low,
                Priority::Normal,
                Priority::High,
                Priority::Urgent,
            ][rng.next_u64() as usize % 4];
            Facts::new(p, now()).in_category(&category(rng.next_u64() as usize % CATEGORIES))
        })
        .collect();
    let starts: Vec<String> = (0..1024)
        .map(|_| format!("n{}", rng.next_u64() as usize % 1000))
        .collect();
    let hops: usize = facts
        .iter()
        .zip(&starts)
        .map(|(f, s)| graph.resolve(s, f, now()).unwrap().hops().len())
        .sum();
    println!("mean hops per resolution: {:.2}", hops as f64 / 1024.0);
    let mut i = 0usize;
    c.bench_function("escalation/resolve_10k_nodes_50k_rules", |bch| {
        bch.iter(|| {
            i = (i + 1) & 1023;
            black_box(
                graph
                    .resolve(&starts[i], &facts[i], now())
                    .unwrap()
                    .hops()
                    .len(),
            )
        });
    });
    let valid = graph.to_builder();
    let mut g = c.benchmark_group("escalation_build");
    g.sample_size(10);
    g.bench_function("build_and_validate_10k_nodes_50k_rules", |bch| {
        bch.iter_batched(
            || valid.clone(),
            |b| black_box(b.build().unwrap()),
            BatchSize::LargeInput,
        );
    });
    g.finish();
}

fn bench_routing(c: &mut Criterion) {
    let mut rng = IdGenerator::from_seed(5);
    let skills: Vec<Skill> = (0..20)
        .map(|i| Skill::new(format!("skill{i}")).unwrap())
        .collect();
    let zones = [
        chrono_tz::America::Chicago,
        chrono_tz::Europe::London,
        chrono_tz::Asia::Kolkata,
        chrono_tz::Australia::Sydney,
    ];
    let shifts = [
        ("00:00", "08:00"),
        ("08:00", "16:00"),
        ("16:00", "24:00"),
        ("09:00", "17:00"),
    ];
    // Sixteen distinct calendars, shared (clones share their year tables).
    let calendars: Vec<BusinessCalendar> = zones
        .iter()
        .flat_map(|tz| {
            shifts.iter().map(move |(a, b)| {
                BusinessCalendar::weekdays(*tz, DayHours::parse(&[(*a, *b)]).unwrap())
            })
        })
        .collect();
    let mut loads = BTreeMap::new();
    let agents: Vec<RoutingAgent> = (0..5_000)
        .map(|_| {
            let id: AgentId = rng.next_id();
            let cal = calendars[rng.next_u64() as usize % calendars.len()].clone();
            let mine: Vec<Skill> = (0..3)
                .map(|_| skills[rng.next_u64() as usize % skills.len()].clone())
                .collect();
            loads.insert(id, (rng.next_u64() % 6) as u32);
            RoutingAgent::new(id, cal, mine, 5 + (rng.next_u64() % 5) as u32)
        })
        .collect();
    let router = Router::new(agents).unwrap();
    let needs: Vec<(Vec<Skill>, DateTime<Utc>)> = (0..1024)
        .map(|_| {
            let k = 1 + (rng.next_u64() % 2) as usize;
            let need = (0..k)
                .map(|_| skills[rng.next_u64() as usize % skills.len()].clone())
                .collect();
            (
                need,
                now() + Duration::minutes((rng.next_u64() % (7 * 24 * 60)) as i64),
            )
        })
        .collect();
    for (need, at) in &needs {
        let _ = router.route(need, &loads, *at);
    }
    let mut i = 0usize;
    c.bench_function("routing/route_among_5000_agents", |b| {
        b.iter(|| {
            i = (i + 1) & 1023;
            let (need, at) = &needs[i];
            black_box(router.route(need, &loads, *at).ok())
        });
    });
    let mut g = c.benchmark_group("routing_coverage");
    g.sample_size(10);
    g.bench_function("coverage_week_5000_agents", |b| {
        b.iter(|| black_box(router.coverage(&[], now()).gaps.len()));
    });
    g.finish();
}

criterion_group!(benches, bench_graph, bench_routing);
criterion_main!(benches);
