//! Templates: what a text costs the desk. Rendering one built-in text in
//! English and in Spanish (a survey invitation: two variables; an incident
//! notice: four), the `text` the desk calls, and loading a set (parsing
//! and checking every text of every locale). Figures are in the README's
//! performance section.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use fanatical::template::{Locale, TemplateName, TemplateSet};

fn bench_templates(c: &mut Criterion) {
    let set = TemplateSet::default();
    let es = Locale::spanish();
    let invitation = [
        ("survey", "relationship"),
        ("invitation", "0e13d55d-0340-808f-9743-591ae974b3de"),
    ];
    let notice = [
        ("status", "investigating"),
        ("title", "DFW1 power loss"),
        (
            "message",
            "Sites hosted in DFW1 are down. Next update within 30 minutes.",
        ),
        ("signature", "\n\n— Ana"),
    ];
    let mut g = c.benchmark_group("template");
    g.bench_function("render/invitation/en", |b| {
        b.iter(|| set.render(TemplateName::SurveyInvitation, None, black_box(&invitation)))
    });
    g.bench_function("render/invitation/es", |b| {
        b.iter(|| {
            set.render(
                TemplateName::SurveyInvitation,
                Some(&es),
                black_box(&invitation),
            )
        })
    });
    g.bench_function("render/notice/en", |b| {
        b.iter(|| set.render(TemplateName::IncidentNotice, None, black_box(&notice)))
    });
    g.bench_function("text/notice/es-MX", |b| {
        let mx = Locale::new("es-MX").unwrap();
        b.iter(|| set.text(TemplateName::IncidentNotice, Some(&mx), black_box(&notice)))
    });
    g.bench_function("load/one_override", |b| {
        b.iter(|| {
            TemplateSet::new(
                Locale::english(),
                [(
                    Locale::english(),
                    TemplateName::SurveyThanks,
                    black_box("Thanks, truly.").to_owned(),
                )],
            )
        })
    });
    g.finish();
}

criterion_group!(benches, bench_templates);
criterion_main!(benches);
