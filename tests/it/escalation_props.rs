//! Property tests of escalation graphs and organisations with the exported
//! strategies and checkers. The default graph runs at least 1,000 cases
//! per checker whatever FANATICAL_PROPTEST_CASES says.

use chrono::{DateTime, TimeZone, Utc};
use fanatical::arbitrary::{
    arb_facts, arb_graph, arb_organisation, check_deterministic, check_no_downward_escalation,
    check_reaches_owner, check_terminates,
};
use fanatical::escalation::{Condition, EscalationGraph, Node, Rule, default_graph};
use fanatical::ticket::Priority;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 2, 12, 0, 0).unwrap()
}

/// At least `floor` cases, more when FANATICAL_PROPTEST_CASES asks.
fn at_least(floor: u32) -> u32 {
    crate::cases(floor).max(floor)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(at_least(1_000)))]

    #[test]
    fn the_default_graph_terminates(f in arb_facts(now())) {
        let g = default_graph().unwrap();
        for start in ["front_line", "safety"] {
            check_terminates(&g, start, &f, now())?;
        }
    }

    #[test]
    fn the_default_graph_always_reaches_an_owner(f in arb_facts(now())) {
        check_reaches_owner(&default_graph().unwrap(), "front_line", &f, now())?;
    }

    #[test]
    fn the_default_graph_never_escalates_downward(f in arb_facts(now())) {
        check_no_downward_escalation(&default_graph().unwrap(), "front_line", &f, now())?;
    }

    #[test]
    fn the_default_graph_is_deterministic(f in arb_facts(now())) {
        check_deterministic(&default_graph().unwrap(), "front_line", &f, now())?;
    }

    #[test]
    fn a_crisis_always_reaches_the_safety_responder(f in arb_facts(now())) {
        let g = default_graph().unwrap();
        let path = g.resolve("front_line", &f.clone().in_crisis(), now()).unwrap();
        prop_assert_eq!(path.owner(), "safety");
        prop_assert_eq!(path.hops().len(), 1);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(crate::cases(256)))]

    #[test]
    fn generated_graphs_pass_every_checker(g in arb_graph(12), f in arb_facts(now())) {
        check_terminates(&g, "n0", &f, now())?;
        check_reaches_owner(&g, "n0", &f, now())?;
        check_no_downward_escalation(&g, "n0", &f, now())?;
        check_deterministic(&g, "n0", &f, now())?;
        // And they draw.
        prop_assert_eq!(g.to_dot().matches(" -> ").count(), g.rules().len());
    }

    #[test]
    fn management_chains_end_at_the_root(org in arb_organisation(40)) {
        let root = org.root();
        for t in org.teams() { prop_assert!(t.members.len() <= org.len()); }
        for i in 0..org.len() {
            let a = fanatical::id::AgentId::from_uuid(uuid::Uuid::from_u128(0xE000 + i as u128));
            let chain = org.management_chain(a).unwrap();
            if a == root {
                prop_assert!(chain.is_empty());
            } else {
                prop_assert_eq!(chain.last().copied(), Some(root));
            }
            let distinct: std::collections::BTreeSet<_> = chain.iter().collect();
            prop_assert_eq!(distinct.len(), chain.len());
            prop_assert!(!chain.contains(&a));
        }
    }
}

/// Two of the checkers are not vacuous: each fails on a graph that breaks
/// it. (Termination and determinism are not shown failing here: the
/// builder refuses the cyclic graphs that would break them.)
#[test]
fn each_checker_catches_a_broken_graph() {
    // A runner counts cases across runs, so each property gets a fresh one.
    let runner = || TestRunner::new(Config::with_cases(2_000));
    let downward = EscalationGraph::builder()
        .node(Node::team("desk", "Desk", 5).entry().owner())
        .node(Node::team("junior", "Junior", 1).owner())
        .rule(Rule::new(
            "down",
            "desk",
            "junior",
            Condition::any().at_least(Priority::High),
            "oops",
        ))
        .build()
        .unwrap();
    let r = runner().run(&arb_facts(now()), |f| {
        check_no_downward_escalation(&downward, "desk", &f, now())
    });
    let msg = format!("{:?}", r.unwrap_err());
    assert!(
        msg.contains("rule down escalates down from desk (level 5) to junior (level 1)"),
        "{msg}"
    );

    let stranding = EscalationGraph::builder()
        .node(Node::team("desk", "Desk", 0).entry().owner())
        .node(Node::team("limbo", "Limbo", 1))
        .node(Node::team("owner", "Owner", 2).owner())
        .rule(Rule::new(
            "in",
            "desk",
            "limbo",
            Condition::any().trend(),
            "trend",
        ))
        .rule(Rule::new(
            "out",
            "limbo",
            "owner",
            Condition::any().at_least(Priority::Urgent),
            "urgent",
        ))
        .build()
        .unwrap();
    let stranded = runner().run(&arb_facts(now()), |f| {
        check_reaches_owner(&stranding, "desk", &f, now())
    });
    match stranded {
        Err(proptest::test_runner::TestError::Fail(reason, _)) => assert!(
            reason.message().starts_with(
                "route ends at \"limbo\", which is not an owner: desk -> limbo (rule in): trend"
            ),
            "{reason}"
        ),
        other => panic!("a stranding graph passed the checker: {other:?}"),
    }
    // Stranding still terminates, over 2,000 fresh cases.
    let counted = std::cell::Cell::new(0u32);
    let ok = runner().run(&arb_facts(now()), |f| {
        counted.set(counted.get() + 1);
        check_terminates(&stranding, "desk", &f, now())
    });
    assert!(ok.is_ok());
    assert!(counted.get() >= 2_000, "{} cases ran", counted.get());
}
