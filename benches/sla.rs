//! SLA calendar benchmarks: `add` and `elapsed` on a Mon-Fri 09:00-17:00
//! America/Chicago calendar with US federal holidays 2024-2026, durations
//! from 1 minute to 4 weeks, starts spread over 2024-2026. Inputs are
//! generated once from a fixed seed; each iteration runs one operation on
//! the next input.

use std::hint::black_box;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use fanatical::id::IdGenerator;
use fanatical::sla::{BusinessCalendar, DayHours};

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
            // 1 minute to 4 weeks (40,320 minutes), log-uniform-ish.
            let exp = rng.next_u64() % 16;
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

criterion_group!(benches, bench_calendar);
criterion_main!(benches);
