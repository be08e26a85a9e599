//! Triggers: what 1,000 of them cost one command. A desk with 1,000
//! triggers decides an agent's reply on a ticket (decide only: the
//! triggers run inside it), against the same desk with none; and the set
//! run alone on a scenario (`TriggerSet::run`), with none of them
//! matching and with ten matching. Two sets: every trigger watching a
//! public reply (each is a candidate for the reply), and triggers
//! watching varied changes of which ten watch a public reply (the index
//! by watched change leaves ten candidates). Figures are in the README's
//! performance section.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use fanatical::actor::Actor;
use fanatical::desk::Command;
use fanatical::desk::fixture::{Fixture, fixture};
use fanatical::field::FieldValues;
use fanatical::rules::{
    Change, Changes, Condition, RuleAction, RulesAction, Scenario, Trigger, TriggerSet,
};
use fanatical::ticket::{Priority, Tag};

/// 1,000 triggers, each adding its own tag when a public reply comes
/// from a customer on a ticket tagged with its own trigger tag; `matching`
/// of them fire on any public reply instead.
fn triggers(matching: usize) -> TriggerSet {
    let list = (0..1_000)
        .map(|i| {
            let tag = Tag::new(&format!("t{i}")).unwrap();
            let done = Tag::new(&format!("done{i}")).unwrap();
            let t = Trigger::new(&format!("trigger {i}"), [RuleAction::AddTag(done)]).unwrap();
            if i < matching {
                t.when(Condition::Changed(Change::PublicReply { by: None }))
            } else {
                t.when(Condition::Changed(Change::PublicReply { by: None }))
                    .when(Condition::HasTag(tag))
                    .when(Condition::PriorityAtLeast(Priority::High))
            }
        })
        .collect();
    TriggerSet::new(list).unwrap()
}

/// 1,000 triggers, each adding its own tag, watching varied changes:
/// its own tag added or removed, or the priority, type, team or an
/// internal note changing on a ticket with its own tag. Ten watch a public
/// reply instead; `firing` of those fire on any, the rest only on a
/// ticket with their own tag.
fn varied(firing: usize) -> TriggerSet {
    let list = (0..1_000)
        .map(|i| {
            let own = Tag::new(&format!("w{i}")).unwrap();
            let done = Tag::new(&format!("done{i}")).unwrap();
            let t = Trigger::new(&format!("trigger {i}"), [RuleAction::AddTag(done)]).unwrap();
            let watched = match i % 6 {
                _ if i < 10 => Change::PublicReply { by: None },
                0 => Change::TagAdded(own.clone()),
                1 => Change::TagRemoved(own.clone()),
                2 => Change::Priority,
                3 => Change::Type,
                4 => Change::Team,
                _ => Change::InternalNote,
            };
            let t = t.when(Condition::Changed(watched));
            if i < firing {
                t
            } else {
                t.when(Condition::HasTag(own))
            }
        })
        .collect();
    TriggerSet::new(list).unwrap()
}

fn bench_triggers(c: &mut Criterion) {
    bench_sets(
        c,
        "triggers_1000",
        vec![
            ("none", None),
            ("none_match", Some(triggers(0))),
            ("ten_match", Some(triggers(10))),
        ],
    );
    bench_sets(
        c,
        "triggers_1000_varied",
        vec![
            ("ten_candidates_none_match", Some(varied(0))),
            ("ten_candidates_ten_match", Some(varied(10))),
        ],
    );
}

fn bench_sets(c: &mut Criterion, group: &str, sets: Vec<(&str, Option<TriggerSet>)>) {
    let mut g = c.benchmark_group(group);
    for (name, set) in sets {
        let Fixture {
            mut desk,
            mut store,
            now,
            ticket,
            ana,
            ..
        } = fixture().unwrap();
        if let Some(set) = set.clone() {
            desk.execute(
                &mut store,
                Command::new(
                    Actor::integration("setup"),
                    RulesAction::SetTriggers { triggers: set },
                ),
                now,
            )
            .unwrap();
        }
        let reply = Command::reply(ticket, ana, "We are on it.");
        g.bench_function(format!("decide_reply/{name}"), |b| {
            b.iter(|| desk.decide(black_box(reply.clone()), now).unwrap())
        });
        if let Some(set) = set {
            // The ticket and changes as the reply leaves them.
            let mut t = desk.tickets().get(ticket).unwrap().clone();
            let mut changes = Changes::new();
            let decision = fixture().unwrap().desk.decide(reply.clone(), now).unwrap();
            for e in decision.events() {
                if let fanatical::event::Event::Ticket(e) = e {
                    t.apply(e);
                    changes.record_ticket(&e.kind);
                }
            }
            let scenario = Scenario {
                ticket: t,
                sla: None,
                customer_fields: FieldValues::new(),
                actor: Actor::Agent(ana),
                changes,
                now,
            };
            g.bench_function(format!("run_alone/{name}"), |b| {
                b.iter(|| set.run(black_box(&scenario)))
            });
        }
    }
    g.finish();
}

criterion_group!(benches, bench_triggers);
criterion_main!(benches);
