//! The README's Fanatical day as a workload: the whole day of
//! `examples/fanatical_day` (about 3,250 events: 160 background
//! conversations, an incident over 28 customers, an NPS wave, escalations,
//! outages, posts), and its end-of-day report with a rebuild from the
//! store. Figures are in the README's performance section.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};

#[path = "../examples/fanatical_day/day.rs"]
mod day;

fn whole_day(c: &mut Criterion) {
    let mut g = c.benchmark_group("fanatical_day");
    g.sample_size(20);
    // A day that fails is a failed bench, never a timed error.
    g.bench_function("run_the_day", |b| {
        b.iter(|| {
            day::run(black_box(day::SEED))
                .expect("the day runs")
                .background
        })
    });
    let d = day::run(day::SEED).expect("the day runs");
    g.bench_function("report_with_rebuild", |b| {
        b.iter(|| d.report().expect("the report renders").len())
    });
    g.finish();
}

criterion_group!(benches, whole_day);
criterion_main!(benches);
