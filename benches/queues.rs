//! Queue benchmarks: pages and counts from the in-memory queue read model
//! (`fanatical::queue::MemoryQueues`, what `desk.queues()` answers from)
//! holding `FANATICAL_QUEUE_TICKETS` rows (1,000,000), of which one
//! team's `FANATICAL_QUEUE_MATCHING` (10,000) are unsolved: the queue
//! "team 0's unsolved tickets". Each iteration checks the query as
//! `desk.queues().page` does (`QueueQuery::new`) and answers it.
//!
//! The rows: 100 teams (row `i` is team `i % 100`'s), 500 agents, 50,000
//! customers, 1,000 requesters; team 0's rows are unsolved, the others'
//! about half; unsolved rows have a next deadline spread over a week; a
//! hundredth of the rows (10,000) are tagged `vip`, spread over every
//! team and status. A tenth of the rows (every team's) have two custom
//! fields: `plan`, a dropdown (`enterprise` on 10,000 rows, else `pro`
//! or `free`), and `seats`, a number from 0 to 999. Rows are built
//! straight into the model (building a
//! desk of a million tickets through commands would take minutes); the
//! desk keeps the same model current as it applies events.
//!
//! ```text
//! cargo bench -p fanatical-benches --bench queues
//! FANATICAL_QUEUE_TICKETS=100000 FANATICAL_QUEUE_MATCHING=1000 cargo bench -p fanatical-benches --bench queues
//! ```

use std::hint::black_box;

use chrono::{DateTime, Duration, TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use fanatical::channel::ChannelKind;
use fanatical::field::{FieldCondition, FieldKey, FieldTerm, FieldValue};
use fanatical::id::{AgentId, ContactId, CustomerId, IdGenerator, TeamId, TicketId};
use fanatical::queue::{
    AssigneeIs, Cursor, Filter, MemoryQueues, NextDeadline, Queue, QueueQuery, QueueRow,
    Restriction, SlaState, Sort, SortBy, TagMatch,
};
use fanatical::sla::Metric;
use fanatical::ticket::{Priority, Status, Tag, TicketType};

fn setting(name: &str, default: u64) -> usize {
    let n = std::env::var(name)
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .filter(|n: &u64| *n > 0)
        .unwrap_or(default);
    usize::try_from(n).unwrap_or(usize::MAX)
}

struct World {
    model: MemoryQueues,
    teams: Vec<TeamId>,
    agents: Vec<AgentId>,
    now: DateTime<Utc>,
}

fn world() -> World {
    let tickets = setting("FANATICAL_QUEUE_TICKETS", 1_000_000);
    let matching = setting("FANATICAL_QUEUE_MATCHING", 10_000).min(tickets);
    // Team 0 holds one row in `step`: `matching` of `tickets`.
    let step = (tickets / matching).max(1);
    let now = Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap();
    let mut ids = IdGenerator::from_seed(18);
    let teams: Vec<TeamId> = (0..step.max(2)).map(|_| ids.next_id()).collect();
    let agents: Vec<AgentId> = (0..500).map(|_| ids.next_id()).collect();
    let customers: Vec<CustomerId> = (0..50_000).map(|_| ids.next_id()).collect();
    let contacts: Vec<ContactId> = (0..1_000).map(|_| ids.next_id()).collect();
    let vip = Tag::new("vip").unwrap();
    let billing = Tag::new("billing").unwrap();
    let statuses = [Status::New, Status::Open, Status::Pending, Status::OnHold];
    let priorities = [
        Priority::Low,
        Priority::Normal,
        Priority::High,
        Priority::Urgent,
    ];
    let plan = FieldKey::new("plan").unwrap();
    let seats = FieldKey::new("seats").unwrap();
    let mut model = MemoryQueues::new();
    let before = rss_kib();
    let started = std::time::Instant::now();
    for i in 0..tickets {
        let id: TicketId = ids.next_id();
        let team = i % step;
        let unsolved = team == 0 || (i / step).is_multiple_of(2);
        let status = if unsolved {
            statuses[i % 4]
        } else if i % 3 == 0 {
            Status::Closed
        } else {
            Status::Solved
        };
        let opened = now - Duration::minutes(i64::try_from(i % 20_000).unwrap() * 3);
        let mut row = QueueRow::new(
            id,
            format!("Ticket {i}"),
            customers[i % customers.len()],
            status,
            priorities[(i / 7) % 4],
            TicketType::Question,
            ChannelKind::Email,
            opened,
        );
        row.updated_at = opened + Duration::minutes(i64::try_from(i % 90).unwrap());
        row.team = Some(teams[team]);
        row.assignee = (i % 5 != 0).then(|| agents[(i / 3) % agents.len()]);
        row.requester = Some(contacts[i % contacts.len()]);
        if i % 100 == 1 {
            row.tags.insert(vip.clone());
        }
        if i % 10 == 3 {
            row.tags.insert(billing.clone());
        }
        if (i / 100) % 10 == 3 {
            let p = if (i / 1000) % 10 == 0 {
                "enterprise"
            } else if i % 2 == 0 {
                "pro"
            } else {
                "free"
            };
            row.fields.insert(plan.clone(), FieldValue::choice(p));
            let n = i64::try_from(((i / 1000) * 7919) % 1000).unwrap();
            row.fields.insert(seats.clone(), FieldValue::Number(n));
        }
        if unsolved {
            let minutes = i64::try_from((i * 7919) % 10_080).unwrap() - 600;
            row.next_deadline = Some(NextDeadline {
                at: now + Duration::minutes(minutes),
                metric: Metric::Resolution,
            });
            row.breached = minutes < -300;
        }
        model.upsert(row);
    }
    let grew = rss_kib().saturating_sub(before);
    eprintln!(
        "queues: {tickets} rows ({matching} in the team's queue) built in {:?}; \
         resident memory grew {grew} KiB ({} bytes a row, indexes included)",
        started.elapsed(),
        grew * 1024 / tickets as u64,
    );
    World {
        model,
        teams,
        agents,
        now,
    }
}

/// The process's resident memory in KiB (Linux; 0 elsewhere).
fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn unsolved() -> Filter {
    Filter::Status([Status::New, Status::Open, Status::Pending, Status::OnHold].into())
}

fn bench_queues(c: &mut Criterion) {
    let w = world();
    let team = w.teams[0];
    let by_deadline = Queue::new(Sort::ascending(SortBy::NextDeadline))
        .with(unsolved())
        .with(Filter::Team([Some(team)].into()));
    let page = |queue: &Queue, restriction: &Restriction, cursor: Option<&Cursor>| {
        let q = QueueQuery::new(queue, Some(w.agents[0]), restriction.clone(), cursor, 50).unwrap();
        w.model.page(&q, w.now)
    };
    let all = Restriction::All;
    let first = page(&by_deadline, &all, None);
    assert_eq!(first.rows.len(), 50);
    let q = QueueQuery::new(&by_deadline, None, all.clone(), None, 50).unwrap();
    eprintln!(
        "queues: the team's queue holds {}",
        w.model.count(&q, w.now)
    );

    let mut g = c.benchmark_group("queue_page_of_50");
    g.sample_size(20);
    g.bench_function("team_unsolved_by_next_deadline_first_page", |b| {
        b.iter(|| black_box(page(&by_deadline, &all, None)));
    });
    // The 20th page: the cursor of the 19th.
    let mut cursor = first.next;
    for _ in 0..18 {
        cursor = page(&by_deadline, &all, cursor.as_ref()).next;
    }
    g.bench_function("team_unsolved_by_next_deadline_20th_page", |b| {
        b.iter(|| black_box(page(&by_deadline, &all, cursor.as_ref())));
    });
    let by_created = Queue::new(Sort::descending(SortBy::Created))
        .with(unsolved())
        .with(Filter::Team([Some(team)].into()));
    g.bench_function("team_unsolved_newest_first", |b| {
        b.iter(|| black_box(page(&by_created, &all, None)));
    });
    let by_priority = Queue::new(Sort::descending(SortBy::Priority))
        .with(unsolved())
        .with(Filter::Team([Some(team)].into()));
    g.bench_function("team_unsolved_by_priority", |b| {
        b.iter(|| black_box(page(&by_priority, &all, None)));
    });
    // A queue no ordered index partitions: 10,000 vip rows, any status,
    // sorted by last update.
    let vip = Queue::new(Sort::descending(SortBy::Updated)).with(Filter::Tags(TagMatch::Any(
        [Tag::new("vip").unwrap()].into(),
    )));
    g.bench_function("vip_by_updated", |b| {
        b.iter(|| black_box(page(&vip, &all, None)));
    });
    // An agent's own queue, sorted by next breach, under a team restriction.
    let mine = Queue::new(Sort::ascending(SortBy::NextDeadline))
        .with(unsolved())
        .with(Filter::Assignee([AssigneeIs::Me].into()));
    let restricted = Restriction::TeamsOrAssignee {
        teams: [team, w.teams[1]].into(),
        agent: w.agents[0],
    };
    g.bench_function("mine_by_next_deadline_restricted", |b| {
        b.iter(|| black_box(page(&mine, &restricted, None)));
    });
    // Due within four hours across the team's queue.
    let due = by_deadline
        .clone()
        .with(Filter::Sla(SlaState::DueWithin(Duration::hours(4))));
    g.bench_function("team_due_within_4h", |b| {
        b.iter(|| black_box(page(&due, &all, None)));
    });
    // Queues narrowed by SLA state alone, over every team: the breached
    // (about 30,000 rows) by next deadline, where the walk of the deadline
    // index finds them first; due within an hour (about 2,900), newest
    // first, where the deadline index's range gives the candidates.
    let breached =
        Queue::new(Sort::ascending(SortBy::NextDeadline)).with(Filter::Sla(SlaState::Breached));
    g.bench_function("breached_any_team_by_next_deadline", |b| {
        b.iter(|| black_box(page(&breached, &all, None)));
    });
    let due_soon = Queue::new(Sort::descending(SortBy::Created))
        .with(Filter::Sla(SlaState::DueWithin(Duration::hours(1))));
    g.bench_function("due_within_1h_any_team_newest_first", |b| {
        b.iter(|| black_box(page(&due_soon, &all, None)));
    });
    for (name, queue) in [("breached", &breached), ("due within 1h", &due_soon)] {
        let q = QueueQuery::new(queue, None, Restriction::All, None, 1).unwrap();
        eprintln!("queues: {name} holds {}", w.model.count(&q, w.now));
    }
    g.finish();

    // Custom fields: any of some options (from the term's posting list),
    // and a number range (checked on the candidates other filters give;
    // alone it narrows nothing).
    let plan = FieldKey::new("plan").unwrap();
    let seats = FieldKey::new("seats").unwrap();
    let any_of = |options: &[&str]| {
        Filter::Field(FieldCondition::any_of(
            plan.clone(),
            options.iter().map(|o| FieldTerm::option(o)),
        ))
    };
    let seats_between = |min: i64, max: i64| {
        Filter::Field(FieldCondition::between(
            seats.clone(),
            Some(FieldTerm::Number(min)),
            Some(FieldTerm::Number(max)),
        ))
    };
    let enterprise = Queue::new(Sort::descending(SortBy::Updated)).with(any_of(&["enterprise"]));
    let team_paid = by_deadline.clone().with(any_of(&["enterprise", "pro"]));
    let team_big = by_deadline.clone().with(seats_between(900, 999));
    let any_team_biggest =
        Queue::new(Sort::descending(SortBy::Created)).with(seats_between(990, 999));
    let fields = [
        ("field_any_of_enterprise_by_updated", &enterprise),
        ("team_unsolved_field_any_of_by_next_deadline", &team_paid),
        ("team_unsolved_field_range_by_next_deadline", &team_big),
        ("field_range_alone_newest_first", &any_team_biggest),
    ];
    let mut g = c.benchmark_group("queue_page_of_50_fields");
    g.sample_size(20);
    for (name, queue) in fields {
        let q = QueueQuery::new(queue, None, Restriction::All, None, 1).unwrap();
        eprintln!("queues: {name} holds {}", w.model.count(&q, w.now));
        g.bench_function(name, |b| {
            b.iter(|| black_box(page(queue, &all, None)));
        });
    }
    g.finish();

    // What applying a ticket event costs the model: the ticket's row
    // replaced with a new status and update time (and so new positions).
    let mut g = c.benchmark_group("queue_row_update");
    g.sample_size(20);
    let ids: Vec<TicketId> = w.model.rows().take(1000).map(|r| r.id).collect();
    let mut model = w.model.clone();
    let mut n = 0usize;
    g.bench_function("status_and_updated_at", |b| {
        b.iter(|| {
            n += 1;
            let Some(mut row) = ids
                .get(n % ids.len())
                .and_then(|id| model.get(*id))
                .cloned()
            else {
                return;
            };
            row.status = if row.status == Status::Open {
                Status::Pending
            } else {
                Status::Open
            };
            row.updated_at += Duration::minutes(1);
            model.upsert(row);
        });
    });
    g.finish();

    let mut g = c.benchmark_group("queue_count");
    g.sample_size(20);
    g.bench_function("team_unsolved", |b| {
        b.iter(|| {
            let q = QueueQuery::new(&by_deadline, None, Restriction::All, None, 1).unwrap();
            black_box(w.model.count(&q, w.now))
        });
    });
    g.finish();
}

criterion_group!(benches, bench_queues);
criterion_main!(benches);
