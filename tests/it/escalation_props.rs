//! Property tests of escalation graphs and organisations with the exported
//! strategies and checkers. The default graph runs at least 1,000 cases
//! per checker whatever FANATICAL_PROPTEST_CASES says.

use chrono::{DateTime, TimeZone, Utc};
use std::collections::{BTreeMap, BTreeSet};

use fanatical::arbitrary::{
    arb_facts, arb_graph, arb_graph_builder, arb_organisation, arb_organisation_builder,
    check_deterministic, check_no_downward_escalation, check_reaches_owner, check_terminates,
};
use fanatical::escalation::{
    Condition, EscalationError, EscalationGraph, EscalationGraphBuilder, GraphProblem, Node, Rule,
    default_graph,
};
use fanatical::ticket::Priority;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
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

/// What validation promises, worked out here without the library (beyond
/// `Condition::covers` for shadowing): the snake-case name of every kind
/// of problem `nodes` and `rules` have, as `GraphProblem` serialises it.
fn model_problems(nodes: &[Node], rules: &[Rule]) -> BTreeSet<&'static str> {
    let mut found = BTreeSet::new();
    if nodes.is_empty() {
        found.insert("empty");
    } else if !nodes.iter().any(|n| n.entry) {
        found.insert("no_entry");
    }
    // A repeated key names the last node with it, as `build` does.
    let mut index = BTreeMap::new();
    for (i, n) in nodes.iter().enumerate() {
        if index.insert(n.key.as_str(), i).is_some() {
            found.insert("duplicate_node");
        }
    }
    let mut ids = BTreeSet::new();
    let mut edges = Vec::new();
    let mut leaving: Vec<Vec<&Rule>> = vec![Vec::new(); nodes.len()];
    for r in rules {
        if !ids.insert(r.id.as_str()) {
            found.insert("duplicate_rule");
        }
        match (index.get(r.from.as_str()), index.get(r.to.as_str())) {
            (Some(&a), Some(&b)) => {
                edges.push((a, b));
                leaving[a].push(r);
            }
            _ => {
                found.insert("unknown_node");
            }
        }
    }
    // A cycle: peeling nodes with no incoming edge leaves some behind.
    let mut incoming = vec![0usize; nodes.len()];
    for &(_, b) in &edges {
        incoming[b] += 1;
    }
    let mut ready: Vec<usize> = (0..nodes.len()).filter(|&i| incoming[i] == 0).collect();
    let mut peeled = 0;
    while let Some(i) = ready.pop() {
        peeled += 1;
        for &(a, b) in &edges {
            if a == i {
                incoming[b] -= 1;
                if incoming[b] == 0 {
                    ready.push(b);
                }
            }
        }
    }
    if peeled < nodes.len() {
        found.insert("cycle");
    }
    let spread = |seeds: Vec<usize>, forward: bool| {
        let mut seen = vec![false; nodes.len()];
        let mut todo = seeds;
        while let Some(i) = todo.pop() {
            if std::mem::replace(&mut seen[i], true) {
                continue;
            }
            for &(a, b) in &edges {
                let (here, next) = if forward { (a, b) } else { (b, a) };
                if here == i {
                    todo.push(next);
                }
            }
        }
        seen
    };
    let pick = |f: fn(&Node) -> bool| (0..nodes.len()).filter(|&i| f(&nodes[i])).collect();
    let reached = spread(pick(|n| n.entry), true);
    let to_owner = spread(pick(|n| n.owner), false);
    // A node defined twice is one problem, its duplicate: the earlier
    // definition, which no rule can name, is not also unreachable.
    let current = |i: usize| index.get(nodes[i].key.as_str()) == Some(&i);
    if nodes.iter().any(|n| n.entry) && (0..nodes.len()).any(|i| current(i) && !reached[i]) {
        found.insert("unreachable");
    }
    if (0..nodes.len()).any(|i| current(i) && !to_owner[i]) {
        found.insert("no_route_to_owner");
    }
    for list in &leaving {
        for (j, later) in list.iter().enumerate() {
            if list[..j].iter().any(|e| e.when.covers(&later.when)) {
                found.insert("shadowed");
            }
        }
    }
    found
}

/// The kind of a graph or organisation problem, as it serialises.
fn kind(problem: &impl serde::Serialize) -> String {
    serde_json::to_value(problem).unwrap()["problem"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// A builder's nodes and rules, read back through its serialised form.
fn parts(b: &EscalationGraphBuilder) -> (Vec<Node>, Vec<Rule>) {
    let v = serde_json::to_value(b).unwrap();
    (
        serde_json::from_value(v["nodes"].clone()).unwrap(),
        serde_json::from_value(v["rules"].clone()).unwrap(),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(crate::cases(256)))]

    /// `build` accepts a generated graph exactly when the model finds
    /// nothing wrong with it, and otherwise names every kind of problem
    /// the model finds (and no other).
    #[test]
    fn build_refuses_exactly_what_an_independent_check_finds(b in arb_graph_builder(12)) {
        let (nodes, rules) = parts(&b);
        let expected = model_problems(&nodes, &rules);
        match b.build() {
            Ok(g) => {
                prop_assert!(expected.is_empty(), "built, but the model finds {:?}", expected);
                prop_assert_eq!(g.nodes(), &nodes[..]);
                prop_assert_eq!(g.rules(), &rules[..]);
            }
            Err(problems) => {
                let named: BTreeSet<String> = problems.problems().iter().map(kind).collect();
                let expected: BTreeSet<String> = expected.iter().map(|k| (*k).to_owned()).collect();
                prop_assert_eq!(named, expected);
            }
        }
    }

    /// On every graph validation accepts, from every node: resolution
    /// terminates and is deterministic; `check_reaches_owner` fails exactly
    /// when the route ends at a node that is not an owner, and
    /// `check_no_downward_escalation` exactly when a hop goes down a level
    /// (both happen on valid graphs: see below).
    #[test]
    fn valid_graphs_terminate_and_the_checkers_read_the_route(g in arb_graph(12), f in arb_facts(now())) {
        prop_assert!(model_problems(g.nodes(), g.rules()).is_empty());
        for n in g.nodes() {
            check_terminates(&g, &n.key, &f, now())?;
            check_deterministic(&g, &n.key, &f, now())?;
            let route = g.resolve(&n.key, &f, now());
            match (&route, check_reaches_owner(&g, &n.key, &f, now())) {
                (Ok(path), Ok(())) => prop_assert!(path.owner_node().owner),
                (Err(EscalationError::Stranded { node, .. }), Err(e)) => {
                    prop_assert!(!g.node(node).unwrap().owner);
                    let said = format!("route ends at {node:?}, which is not an owner");
                    prop_assert!(e.to_string().contains(&said), "{}", e);
                }
                (route, checked) => prop_assert!(false, "{:?} but {:?}", route, checked),
            }
            let down = route.as_ref().ok().and_then(|p| {
                p.hops().iter().find(|h| h.to.level < h.from.level).map(|h| h.rule.id.clone())
            });
            match (down, check_no_downward_escalation(&g, &n.key, &f, now())) {
                (None, Ok(())) => {}
                (Some(rule), Err(e)) => {
                    prop_assert!(e.to_string().contains(&format!("rule {rule} escalates down")), "{}", e);
                }
                (down, checked) => prop_assert!(false, "{:?} but {:?}", down, checked),
            }
        }
        // And they draw.
        prop_assert_eq!(g.to_dot().matches(" -> ").count(), g.rules().len());
    }

    #[test]
    fn management_chains_end_at_the_root(org in arb_organisation(40)) {
        let root = org.root();
        for t in org.teams() {
            for m in t.members.iter().chain(t.lead.iter()) {
                prop_assert!(org.name(*m).is_some(), "{} is in a team but not the organisation", m);
            }
            if let Some(lead) = t.lead {
                prop_assert!(t.members.contains(&lead));
            }
        }
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

/// Draws `count` values from `strategy` with a fixed seed.
fn draw<S: Strategy>(strategy: &S, count: usize) -> Vec<S::Value> {
    let mut runner = TestRunner::deterministic();
    (0..count)
        .map(|_| strategy.new_tree(&mut runner).unwrap().current())
        .collect()
}

/// The generator is wide enough that validation has work to do: it
/// draws graphs with every kind of problem `build` reports, and still
/// enough valid ones to test with (measured: 38% of 2,000 draws).
#[test]
fn the_graph_generator_draws_every_problem_validation_refuses() {
    let mut built = 0;
    let mut refused: BTreeMap<String, u32> = BTreeMap::new();
    for b in draw(&arb_graph_builder(12), 2_000) {
        match b.build() {
            Ok(_) => built += 1,
            Err(p) => {
                for k in p.problems().iter().map(kind).collect::<BTreeSet<_>>() {
                    *refused.entry(k).or_default() += 1;
                }
            }
        }
    }
    let never: Vec<_> = [
        "empty",
        "no_entry",
        "duplicate_node",
        "duplicate_rule",
        "unknown_node",
        "cycle",
        "no_route_to_owner",
        "unreachable",
        "shadowed",
    ]
    .into_iter()
    .filter(|k| !refused.contains_key(*k))
    .collect();
    assert_eq!(never, Vec::<&str>::new(), "refused: {refused:?}");
    assert!(
        (500..=1_500).contains(&built),
        "{built} of 2,000 built; refused: {refused:?}"
    );
}

/// Validation promises a route to an owner from every node, not that every
/// ticket takes one, and says nothing about levels: valid generated graphs
/// strand some tickets and send some down a level, so the checkers have
/// something to find.
#[test]
fn valid_generated_graphs_can_strand_a_ticket_and_escalate_down() {
    let (mut stranded, mut downward, mut fine) = (0, 0, 0);
    for (g, f) in draw(&(arb_graph(12), arb_facts(now())), 500) {
        for n in g.nodes().iter().filter(|n| n.entry) {
            let owned = check_reaches_owner(&g, &n.key, &f, now()).is_ok();
            let level = check_no_downward_escalation(&g, &n.key, &f, now()).is_ok();
            stranded += u32::from(!owned);
            downward += u32::from(!level);
            fine += u32::from(owned && level);
        }
    }
    assert!(
        stranded > 0 && downward > 0 && fine > 0,
        "{stranded} stranded, {downward} downward, {fine} fine"
    );
}

/// The organisation generator draws every problem validation refuses,
/// and enough valid organisations (measured: 70% of 2,000 draws).
#[test]
fn the_organisation_generator_draws_every_problem_validation_refuses() {
    let mut built = 0;
    let mut refused: BTreeMap<String, u32> = BTreeMap::new();
    for b in draw(&arb_organisation_builder(40), 2_000) {
        match b.build() {
            Ok(_) => built += 1,
            Err(p) => {
                for k in p.problems().iter().map(kind).collect::<BTreeSet<_>>() {
                    *refused.entry(k).or_default() += 1;
                }
            }
        }
    }
    let never: Vec<_> = [
        "empty",
        "no_root",
        "multiple_roots",
        "cycle",
        "self_report",
        "unknown_person",
        "lead_not_member",
    ]
    .into_iter()
    .filter(|k| !refused.contains_key(*k))
    .collect();
    assert_eq!(never, Vec::<&str>::new(), "refused: {refused:?}");
    assert!(
        (500..=1_500).contains(&built),
        "{built} of 2,000 built; refused: {refused:?}"
    );
}

/// The checkers are not vacuous: each one fails on a graph a user builds
/// through the public API and gets past validation. `check_terminates` can
/// only fail on a start the graph does not have, since `build` refuses the
/// loops it guards against (shown here too); `check_deterministic` cannot
/// be made to fail from outside (resolution keeps no state), so it is
/// only shown passing, in the properties above.
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

    // A start the graph does not have (a typo in a desk's configuration).
    let typo = check_terminates(&stranding, "dsek", &default_facts(), now()).unwrap_err();
    assert_eq!(
        typo.to_string(),
        r#"Case failed: unknown escalation node "dsek""#
    );
    // A loop never reaches the checker: build refuses it.
    let looping = EscalationGraph::builder()
        .node(Node::team("desk", "Desk", 0).entry().owner())
        .node(Node::team("back", "Back", 1).owner())
        .rule(Rule::new(
            "there",
            "desk",
            "back",
            Condition::any(),
            "there",
        ))
        .rule(Rule::new(
            "again",
            "back",
            "desk",
            Condition::any(),
            "and back",
        ))
        .build()
        .unwrap_err();
    assert_eq!(
        looping.problems(),
        [GraphProblem::Cycle {
            nodes: vec!["back".to_owned(), "desk".to_owned()]
        }]
    );
}

fn default_facts() -> fanatical::escalation::Facts {
    fanatical::escalation::Facts::new(Priority::Normal, now())
}
