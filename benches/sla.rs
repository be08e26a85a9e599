//! SLA calendar benchmarks: `add` and `elapsed` on a Mon-Fri 09:00-17:00
//! America/Chicago calendar with US federal holidays 2024-2026, durations
//! from 1 minute to 4 weeks, starts spread over 2024-2026. Inputs are
//! generated once from a fixed seed; each iteration runs one operation on
//! the next input.

use std::collections::BTreeMap;
use std::hint::black_box;

mod common;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use fanatical::actor::Actor;
use fanatical::channel::Channel;
use fanatical::desk::TicketAction;
use fanatical::desk::{Command, Desk, DeskConfig, InboundMessage};
use fanatical::event::StreamId;
use fanatical::id::{IdGenerator, TicketId};
use fanatical::sla::{
    BusinessCalendar, Clock, Conditions, DayHours, Metric, SlaConfig, SlaPolicies, SlaPolicy,
    Target, TimerKey,
};
use fanatical::store::{RecordedEvent, Store, StoreError, StreamWrite};

fn us_holidays() -> Vec<NaiveDate> {
    let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).unwrap();
    vec![
        d(2024, 1, 1),
        d(2024, 1, 15),
        d(2024, 2, 19),
        d(2024, 5, 27),
        d(2024, 6, 19),
        d(2024, 7, 4),
        d(2024, 9, 2),
        d(2024, 10, 14),
        d(2024, 11, 11),
        d(2024, 11, 28),
        d(2024, 12, 25),
        d(2025, 1, 1),
        d(2025, 1, 20),
        d(2025, 2, 17),
        d(2025, 5, 26),
        d(2025, 6, 19),
        d(2025, 7, 4),
        d(2025, 9, 1),
        d(2025, 10, 13),
        d(2025, 11, 11),
        d(2025, 11, 27),
        d(2025, 12, 25),
        d(2026, 1, 1),
        d(2026, 1, 19),
        d(2026, 2, 16),
        d(2026, 5, 25),
        d(2026, 6, 19),
        d(2026, 7, 3),
        d(2026, 9, 7),
        d(2026, 10, 12),
        d(2026, 11, 11),
        d(2026, 11, 26),
        d(2026, 12, 25),
    ]
}

pub fn calendar() -> BusinessCalendar {
    BusinessCalendar::weekdays(
        chrono_tz::America::Chicago,
        DayHours::parse(&[("09:00", "17:00")]).unwrap(),
    )
    .with_holidays(us_holidays())
}

/// (start, duration, another instant in 2024-2026, start + duration).
type Input = (DateTime<Utc>, Duration, DateTime<Utc>, DateTime<Utc>);

fn inputs(n: usize) -> Vec<Input> {
    let mut rng = IdGenerator::from_seed(42);
    let start = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
    let span = 3 * 365 * 24 * 3600;
    (0..n)
        .map(|_| {
            let s = start + Duration::seconds((rng.next_u64() % span) as i64);
            // 1 minute to 4 weeks (40,320 minutes), log-uniform-ish: the
            // top power (2^16 minutes) is capped at exactly 4 weeks.
            let exp = rng.next_u64() % 17;
            let mins = 1 + (rng.next_u64() % (1u64 << exp)).min(40_319);
            let other = start + Duration::seconds((rng.next_u64() % span) as i64);
            let d = Duration::minutes(mins as i64);
            (s, d, other, s + d)
        })
        .collect()
}

fn bench_calendar(c: &mut Criterion) {
    let cal = calendar();
    let data = inputs(4096);
    // The row says 1 minute to 4 weeks: the inputs reach both ends.
    assert!(data.iter().any(|i| i.1 == Duration::minutes(1)));
    assert!(data.iter().any(|i| i.1 == Duration::weeks(4)));
    // Warm the year tables once, as a running service would have.
    for (s, d, o, _) in &data {
        let _ = cal.add(*s, *d);
        let _ = cal.elapsed(*s, *o);
    }
    let mut i = 0usize;
    c.bench_function("calendar/add_1min_to_4weeks", |b| {
        b.iter(|| {
            i = (i + 1) & 4095;
            let (s, d, _, _) = data[i];
            black_box(cal.add(black_box(s), black_box(d)).unwrap())
        });
    });
    let mut i = 0usize;
    c.bench_function("calendar/elapsed_2024_2026", |b| {
        b.iter(|| {
            i = (i + 1) & 4095;
            let (s, _, o, _) = data[i];
            black_box(cal.elapsed(black_box(s), black_box(o)))
        });
    });
    let mut i = 0usize;
    c.bench_function("calendar/elapsed_short", |b| {
        b.iter(|| {
            i = (i + 1) & 4095;
            let (s, _, _, e) = data[i];
            black_box(cal.elapsed(black_box(s), black_box(e)))
        });
    });
    let mut i = 0usize;
    c.bench_function("calendar/is_open", |b| {
        b.iter(|| {
            i = (i + 1) & 4095;
            black_box(cal.is_open(black_box(data[i].0)))
        });
    });
    c.bench_function("calendar/add_10000_hours", |b| {
        let s = data[7].0;
        b.iter(|| black_box(cal.add(black_box(s), Duration::hours(10_000)).unwrap()));
    });
    c.bench_function("calendar/build_cold_year", |b| {
        b.iter(|| {
            let fresh = calendar();
            black_box(fresh.is_open(black_box(data[3].0)))
        });
    });
}

/// A store that checks versions and numbers events but keeps none of
/// them, so a desk with a million timers can be cloned per iteration.
#[derive(Clone, Default)]
struct CountingStore {
    versions: BTreeMap<StreamId, u64>,
    position: u64,
}

impl Store for CountingStore {
    fn append(&mut self, batch: &[StreamWrite]) -> Result<Vec<RecordedEvent>, StoreError> {
        for w in batch {
            let actual = self.versions.get(&w.stream).copied().unwrap_or(0);
            if !w.expected.matches(actual) {
                return Err(StoreError::Conflict {
                    stream: w.stream,
                    expected: w.expected,
                    actual,
                });
            }
        }
        let mut out = Vec::new();
        for w in batch {
            let v = self.versions.entry(w.stream).or_insert(0);
            for e in &w.events {
                *v += 1;
                self.position += 1;
                out.push(RecordedEvent {
                    id: e.id,
                    stream: w.stream,
                    version: *v,
                    position: self.position,
                    schema: e.schema,
                    actor: None,
                    command: None,
                    event: e.event.clone(),
                });
            }
        }
        Ok(out)
    }
    fn read_stream(&self, _: &StreamId, _: u64) -> Result<Vec<RecordedEvent>, StoreError> {
        Ok(Vec::new())
    }
    fn read_all(&self, _: u64, _: usize) -> Result<Vec<RecordedEvent>, StoreError> {
        Ok(Vec::new())
    }
}

/// A desk whose tickets hold `timers` open SLA timers: each ticket, opened
/// by an email at a random minute over 100 hours, runs a 1-hour first
/// response (warnings at 50% and 75%, and the breach) and a 24-hour
/// resolution, all 24x7: four timers a ticket.
fn timer_desk(timers: usize) -> (Desk, CountingStore, Vec<chrono::DateTime<Utc>>) {
    let policies = SlaPolicies::new(vec![SlaPolicy::new(
        "bench",
        Conditions::any(),
        vec![
            Target::new(Metric::FirstResponse, Duration::hours(1), Clock::Always).warn_at([50, 75]),
            Target::new(Metric::Resolution, Duration::hours(24), Clock::Always),
        ],
    )])
    .unwrap();
    let config = DeskConfig::default().with_sla(SlaConfig::new(policies));
    let mut desk = Desk::new(config);
    let mut store = CountingStore::default();
    let mut ids = IdGenerator::from_seed(9);
    let t0 = Utc.with_ymd_and_hms(2026, 11, 2, 0, 0, 0).unwrap();
    let customers = 1_000;
    let addresses = common::register_customers(&mut desk, &mut store, &mut ids, customers, t0);
    // Open tickets in time order (a desk's clock only moves forward).
    let mut opens: Vec<i64> = (0..timers / 4)
        .map(|_| (ids.next_u64() % (100 * 60)) as i64)
        .collect();
    opens.sort_unstable();
    for (i, m) in opens.into_iter().enumerate() {
        let t: TicketId = ids.next_id();
        let now = t0 + Duration::minutes(m);
        let msg = InboundMessage::new(
            t,
            Channel::Email,
            addresses[i % customers].clone(),
            "Server down",
        );
        desk.execute(
            &mut store,
            Command::new(Actor::integration("inbound"), TicketAction::Receive(msg)),
            now,
        )
        .unwrap();
    }
    let mut due: Vec<_> = desk
        .tickets()
        .slas()
        .flat_map(|s| s.timers().map(|t| t.at))
        .collect();
    due.sort_unstable();
    (desk, store, due)
}

fn bench_timers(c: &mut Criterion) {
    // Built only when a timer bench is selected (it takes a few seconds).
    let built = std::cell::OnceCell::new();
    let get = || {
        built.get_or_init(|| {
            let (desk, store, due) = timer_desk(1_000_000);
            println!(
                "timers: {} running; 1% due by {}; index entry {} bytes",
                desk.tickets().running_timers(),
                due[due.len() / 100 - 1],
                std::mem::size_of::<(chrono::DateTime<Utc>, TimerKey)>()
            );
            (desk, store, due)
        })
    };
    let mut g = c.benchmark_group("timers_1m");
    g.sample_size(10);
    g.bench_function("handle_timeout_1pct_due", |b| {
        let (desk, store, due) = get();
        assert_eq!(desk.tickets().running_timers(), due.len());
        // The instant by which 1% of the timers are due.
        let now = due[due.len() / 100 - 1];
        let expected = due.iter().filter(|t| **t <= now).count();
        b.iter_batched_ref(
            || (desk.clone(), store.clone()),
            |(d, s)| {
                let fired = d.handle_timeout(s, now).unwrap();
                assert_eq!(fired.len(), expected);
            },
            BatchSize::PerIteration,
        );
    });
    g.bench_function("handle_timeout_10pct_due", |b| {
        let (desk, store, due) = get();
        let now10 = due[due.len() / 10 - 1];
        let expected10 = due.iter().filter(|t| **t <= now10).count();
        b.iter_batched_ref(
            || (desk.clone(), store.clone()),
            |(d, s)| {
                let fired = d.handle_timeout(s, now10).unwrap();
                assert_eq!(fired.len(), expected10);
            },
            BatchSize::PerIteration,
        );
    });
    g.bench_function("handle_timeout_nothing_due", |b| {
        let (desk, store, due) = get();
        let mut d = desk.clone();
        let mut s = store.clone();
        let early = due[0] - Duration::seconds(1);
        b.iter(|| black_box(d.handle_timeout(&mut s, black_box(early)).unwrap()));
    });
    g.bench_function("poll_timeout", |b| {
        let (desk, _, _) = get();
        b.iter(|| black_box(black_box(desk).poll_timeout()))
    });
    g.finish();
}

criterion_group!(benches, bench_calendar, bench_timers);
criterion_main!(benches);
