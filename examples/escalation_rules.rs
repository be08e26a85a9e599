//! Your own escalation rules, checked before they go live.
//!
//! `cargo run --example escalation_rules --features proptest`: builds a
//! small graph, shows `build()` reporting every problem of a broken one at
//! once, then runs the property checkers over thousands of random tickets:
//! every route terminates, reaches an owner, never goes down a level, and
//! is deterministic. A rule set with a gap is caught with the facts that
//! fall through it.

use chrono::{TimeZone, Utc};
use fanatical::agent::Role;
use fanatical::arbitrary::{
    arb_facts, check_deterministic, check_no_downward_escalation, check_reaches_owner,
    check_terminates,
};
use fanatical::escalation::{Condition, EscalationGraph, Facts, Node, Rule};
use fanatical::ticket::Priority;
use proptest::test_runner::{Config, TestRunner};

/// A property checker from `fanatical::arbitrary`.
type Check = fn(
    &EscalationGraph,
    &str,
    &Facts,
    chrono::DateTime<Utc>,
) -> Result<(), proptest::test_runner::TestCaseError>;

fn graph(with_catch_all: bool) -> Result<EscalationGraph, fanatical::escalation::GraphProblems> {
    let mut b = EscalationGraph::builder()
        .node(Node::team("desk", "Service desk", 0).entry())
        .node(Node::team("tier2", "Tier 2", 1).owner())
        .node(Node::role("billing", "Billing", 1, Role::Billing).owner())
        .node(Node::role("safety", "Safety responder", 9, Role::SafetyResponder).owner())
        .rule(Rule::new(
            "crisis",
            "desk",
            "safety",
            Condition::any().crisis(),
            "a person may be at risk",
        ))
        .rule(Rule::new(
            "billing",
            "desk",
            "billing",
            Condition::any().in_categories(["billing"]),
            "invoices go to billing",
        ))
        .rule(Rule::new(
            "urgent",
            "desk",
            "tier2",
            Condition::any().at_least(Priority::High),
            "high and urgent go to engineers",
        ));
    if with_catch_all {
        b = b.rule(Rule::new(
            "rest",
            "desk",
            "tier2",
            Condition::any(),
            "everything else",
        ));
    }
    b.build()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let now = Utc
        .with_ymd_and_hms(2026, 11, 2, 15, 0, 0)
        .single()
        .ok_or("time")?;

    // A broken graph: every problem at once.
    let broken = EscalationGraph::builder()
        .node(Node::team("a", "A", 1).entry())
        .node(Node::team("b", "B", 0))
        .node(Node::team("owner", "An owner no rule reaches", 2).owner())
        .rule(Rule::new("ab", "a", "b", Condition::any(), "down"))
        .rule(Rule::new("ba", "b", "a", Condition::any(), "and back"))
        .rule(Rule::new(
            "shadowed",
            "a",
            "orphan",
            Condition::any().crisis(),
            "a typo in the node key",
        ))
        .build();
    if let Err(problems) = broken {
        println!("A broken graph is refused with every problem:");
        for p in problems.problems() {
            println!("  - {p}");
        }
    }

    // The properties, over random tickets.
    for (name, g) in [
        ("with a catch-all rule", graph(true)?),
        ("without one", graph(false)?),
    ] {
        println!("\nRules {name}:");
        // The first two find faults in rules; the last two re-check what
        // `build()` and resolution guarantee (they cannot fail on a graph
        // that built).
        let checks: [(&str, Check); 4] = [
            ("reaches an owner", check_reaches_owner),
            ("never escalates downward", check_no_downward_escalation),
            ("terminates (guaranteed by build)", check_terminates),
            ("is deterministic (guaranteed)", check_deterministic),
        ];
        for (what, check) in checks {
            // A fresh runner per property: a runner counts cases across runs.
            let mut runner = TestRunner::new(Config {
                cases: 2_000,
                failure_persistence: None,
                ..Config::default()
            });
            match runner.run(&arb_facts(now), |facts| check(&g, "desk", &facts, now)) {
                Ok(()) => println!("  ✓ {what} (2,000 random tickets)"),
                Err(e) => println!("  ✗ {what}: {e}"),
            }
        }
    }
    Ok(())
}
