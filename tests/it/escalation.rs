//! Escalation graphs: validation reports every problem, resolution is
//! ordered and explainable, and the default graph does what the stories ask.

use chrono::{DateTime, Duration, TimeZone, Utc};
use fanatical::agent::Role;
use fanatical::escalation::*;
use fanatical::sla::Metric;
use fanatical::ticket::Priority;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 2, 12, 0, 0).unwrap()
}

#[test]
fn the_default_graph_builds_and_routes_the_stories() {
    let g = default_graph().unwrap();
    let route = |f: Facts| {
        g.resolve("front_line", &f, now())
            .unwrap()
            .owner()
            .to_owned()
    };
    let base = || Facts::new(Priority::Normal, now());
    assert_eq!(route(base()), "front_line");
    assert_eq!(
        route(base().in_crisis().in_category("billing")),
        "safety",
        "crisis beats everything"
    );
    assert_eq!(
        route(base().feeling(Sentiment::Angry).contacts(3)),
        "senior_leader"
    );
    assert_eq!(
        route(base().feeling(Sentiment::Angry).contacts(2)),
        "front_line"
    );
    assert_eq!(route(base().trending()), "product");
    assert_eq!(route(base().in_category("invoice")), "billing");
    assert_eq!(route(base().in_category("pricing")), "sales");
    assert_eq!(route(Facts::new(Priority::Urgent, now())), "tier2");
    // Two hops: breached first response to tier 2, then resolution
    // breached there to the account team.
    let f = base()
        .with_sla(
            Metric::FirstResponse,
            fanatical::escalation::SlaLevel::Breached,
        )
        .with_sla(
            Metric::Resolution,
            fanatical::escalation::SlaLevel::Breached,
        );
    let path = g.resolve("front_line", &f, now()).unwrap();
    assert_eq!(path.owner(), "account_team");
    assert_eq!(
        path.explain(),
        vec![
            "front_line -> tier2 (rule breach): an SLA was breached: tier 2 takes over",
            "tier2 -> account_team (rule tier2_stuck): resolution breached in tier 2: the account team owns the customer's experience",
        ]
    );
    assert_eq!(
        path.context(),
        vec![
            "conversation",
            "SLA history",
            "systems affected",
            "internal notes"
        ]
    );
    // Resolution is deterministic.
    assert_eq!(g.resolve("front_line", &f, now()).unwrap(), path);
}

#[test]
fn build_reports_every_problem_at_once() {
    let err = EscalationGraph::builder()
        .node(Node::team("front", "Front", 0).entry())
        .node(Node::team("a", "A", 1))
        .node(Node::team("b", "B", 2))
        .node(Node::team("island", "Island", 1).owner())
        .node(Node::team("owner", "Owner", 3).owner())
        .node(Node::team("owner", "Owner again", 3).owner())
        .rule(Rule::new("up", "front", "a", Condition::any(), "up"))
        .rule(Rule::new(
            "never",
            "front",
            "owner",
            Condition::any().at_least(Priority::High),
            "shadowed",
        ))
        .rule(Rule::new("ab", "a", "b", Condition::any(), "a to b"))
        .rule(Rule::new("ba", "b", "a", Condition::any(), "b to a"))
        .rule(Rule::new(
            "ghost",
            "b",
            "nowhere",
            Condition::any().trend(),
            "lost",
        ))
        .rule(Rule::new(
            "up",
            "a",
            "owner",
            Condition::any().crisis(),
            "dup id",
        ))
        .build()
        .unwrap_err();
    // Every problem, and no other (the first "owner" is only a duplicate,
    // not also unreachable): the second "up" (from a, on a crisis)
    // is both a duplicate id and shadowed by "ab", which takes all of a's
    // tickets; with it and "never" unable to fire, nothing reaches owner.
    assert_eq!(
        err.problems(),
        &[
            GraphProblem::DuplicateNode {
                node: "owner".into()
            },
            GraphProblem::UnknownNode {
                rule: "ghost".into(),
                node: "nowhere".into()
            },
            GraphProblem::DuplicateRule { rule: "up".into() },
            GraphProblem::Cycle {
                nodes: vec!["a".into(), "b".into()]
            },
            GraphProblem::Unreachable {
                node: "island".into()
            },
            GraphProblem::Shadowed {
                rule: "never".into(),
                by: "up".into()
            },
            GraphProblem::Shadowed {
                rule: "up".into(),
                by: "ab".into()
            },
        ]
    );
    let msg = err.to_string();
    assert!(
        msg.contains("rule \"never\" never fires: rule \"up\" before it takes all its tickets"),
        "{msg}"
    );
    assert!(msg.contains("cycle through a, b"), "{msg}");
}

#[test]
fn a_node_with_no_route_to_an_owner_and_an_empty_graph() {
    let err = EscalationGraph::builder()
        .node(Node::team("front", "Front", 0).entry().owner())
        .node(Node::team("dead_end", "Dead end", 1))
        .rule(Rule::new(
            "go",
            "front",
            "dead_end",
            Condition::any().trend(),
            "trend",
        ))
        .build()
        .unwrap_err();
    assert_eq!(
        err.problems(),
        &[GraphProblem::NoRouteToOwner {
            node: "dead_end".into()
        }]
    );
    let empty = EscalationGraph::builder().build().unwrap_err();
    assert_eq!(empty.problems(), &[GraphProblem::Empty]);
    let no_entry = EscalationGraph::builder()
        .node(Node::team("x", "X", 0).owner())
        .build()
        .unwrap_err();
    assert_eq!(no_entry.problems(), &[GraphProblem::NoEntry]);
    let self_loop = EscalationGraph::builder()
        .node(Node::team("x", "X", 0).entry().owner())
        .rule(Rule::new("me", "x", "x", Condition::any().trend(), "again"))
        .build()
        .unwrap_err();
    assert_eq!(
        self_loop.problems(),
        &[GraphProblem::Cycle {
            nodes: vec!["x".into()]
        }]
    );
}

#[test]
fn owners_nobody_can_take_are_reported_when_staffing_is_known() {
    let ceo = fanatical::id::AgentId::from_uuid(uuid::Uuid::from_u128(1));
    let builder = EscalationGraph::builder()
        .node(Node::team("front", "Front", 0).entry().owner())
        .node(Node::role("safety", "Safety", 9, Role::SafetyResponder).owner())
        .node(Node::person("ceo", "The CEO", 9, ceo).owner())
        .rule(Rule::new(
            "crisis",
            "front",
            "safety",
            Condition::any().crisis(),
            "crisis",
        ))
        .rule(Rule::new(
            "ceo",
            "front",
            "ceo",
            Condition::any().feeling([Sentiment::Angry]),
            "ceo",
        ));
    // Nobody holds the safety role; the CEO is there; teams are unknown.
    let staff = |k: &NodeKind| match k {
        NodeKind::Role(Role::SafetyResponder) => Some(0),
        NodeKind::Person(_) => Some(1),
        _ => None,
    };
    let err = builder.clone().build_staffed(&staff).unwrap_err();
    assert_eq!(
        err.problems(),
        &[GraphProblem::Unstaffed {
            node: "safety".into()
        }]
    );
    // Without staffing information it builds, every rule in place.
    assert_eq!(builder.build().unwrap().rules().len(), 2);
}

#[test]
fn routes_that_end_at_a_non_owner_are_refused_with_the_path() {
    let g = EscalationGraph::builder()
        .node(Node::team("front", "Front", 0).entry().owner())
        .node(Node::team("triage", "Triage", 1))
        .node(Node::team("tier2", "Tier 2", 2).owner())
        .rule(Rule::new(
            "to_triage",
            "front",
            "triage",
            Condition::any().at_least(Priority::High),
            "high",
        ))
        .rule(Rule::new(
            "to_tier2",
            "triage",
            "tier2",
            Condition::any().at_least(Priority::Urgent),
            "urgent",
        ))
        .build()
        .unwrap();
    assert_eq!(
        g.resolve("front", &Facts::new(Priority::Urgent, now()), now())
            .unwrap()
            .owner(),
        "tier2"
    );
    let err = g
        .resolve("front", &Facts::new(Priority::High, now()), now())
        .unwrap_err();
    assert_eq!(
        err,
        EscalationError::Stranded {
            node: "triage".into(),
            path: vec!["front -> triage (rule to_triage): high".into()]
        }
    );
    assert_eq!(
        g.resolve("nowhere", &Facts::new(Priority::High, now()), now())
            .unwrap_err(),
        EscalationError::UnknownNode("nowhere".into())
    );
}

#[test]
fn stale_tickets_escalate_with_time() {
    let g = EscalationGraph::builder()
        .node(Node::team("front", "Front", 0).entry().owner())
        .node(Node::team("lead", "Team lead", 1).owner())
        .rule(Rule::new(
            "stale",
            "front",
            "lead",
            Condition::any().stale_for(Duration::hours(4)),
            "no update in 4 hours",
        ))
        .build()
        .unwrap();
    let f = Facts::new(Priority::Normal, now());
    assert_eq!(
        g.resolve("front", &f, now() + Duration::hours(3))
            .unwrap()
            .owner(),
        "front"
    );
    assert_eq!(
        g.resolve("front", &f, now() + Duration::hours(4))
            .unwrap()
            .owner(),
        "lead"
    );
}

#[test]
fn graphs_are_data_and_draw_as_dot() {
    let g = default_graph().unwrap();
    let json = serde_json::to_string(&g.to_builder()).unwrap();
    let back: EscalationGraphBuilder = serde_json::from_str(&json).unwrap();
    let g2 = back.build().unwrap();
    assert_eq!(g2.rules(), g.rules());
    assert_eq!(g2.edge_count(), g.rules().len());
    let dot = g.to_dot();
    assert!(dot.starts_with("digraph escalation {"));
    assert!(
        dot.contains("\"front_line\" -> \"safety\" [label=\"crisis: crisis\"];"),
        "{dot}"
    );
    assert!(
        dot.contains("\"tier2\" -> \"account_team\" [label=\"tier2_stuck: resolution breached\"];"),
        "{dot}"
    );
    assert!(dot.contains(
        "Senior leader (wants the most frustrated customers)\\nrole: executive, level 8"
    ));
    assert_eq!(dot.matches(" -> ").count(), g.rules().len());
}
