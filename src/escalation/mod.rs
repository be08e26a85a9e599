//! Escalation graphs: what to escalate, to whom, and why.
//!
//! An [`EscalationGraph`] has nodes — teams, tiers, roles and named people
//! ([`NodeKind`]) — and rules: edges from one node to another, guarded by
//! a [`Condition`] over a ticket's [`Facts`], each with a human-readable
//! reason and the context that must travel with the hand-off. A graph is
//! checked before it is used: [`EscalationGraphBuilder::build`] returns
//! every [`GraphProblem`] at once (a cycle, a node with no route to an
//! owner, an unreachable node, a rule shadowed by an earlier one, an owner
//! nobody can take, a rule pointing at an unknown node).
//!
//! [`EscalationGraph::resolve`] walks from an entry node: at each node the
//! first rule whose condition holds moves the ticket on; where no rule
//! holds, that node owns it. The result is an ordered, explainable
//! [`Path`]. Graphs are acyclic, so resolution always terminates; it is a
//! pure function of the graph and the facts.
//!
//! # Example
//! ```
//! use chrono::{TimeZone, Utc};
//! use fanatical::agent::Role;
//! use fanatical::escalation::*;
//! use fanatical::ticket::Priority;
//!
//! let graph = EscalationGraph::builder()
//!     .node(Node::team("front_line", "Front line", 0).entry().owner())
//!     .node(Node::team("tier2", "Tier 2", 1).owner())
//!     .node(Node::role("safety", "Safety responder", 9, Role::SafetyResponder).owner())
//!     .node(Node::team("product", "Product management", 5).owner())
//!     .rule(Rule::new("crisis", "front_line", "safety", Condition::any().crisis(),
//!         "a person may be at risk: straight to a trained responder"))
//!     .rule(Rule::new("urgent", "front_line", "tier2", Condition::any().at_least(Priority::Urgent),
//!         "urgent tickets go to tier 2").carrying(["conversation", "systems affected"]))
//!     .rule(Rule::new("trend", "front_line", "product", Condition::any().trend(),
//!         "a recurring pain point goes to product management"))
//!     .build()?;
//!
//! let now = Utc.with_ymd_and_hms(2026, 11, 2, 12, 0, 0).unwrap();
//! let facts = Facts::new(Priority::Urgent, now);
//! let path = graph.resolve("front_line", &facts, now)?;
//! assert_eq!(path.owner(), "tier2");
//! assert_eq!(path.explain(), vec!["front_line -> tier2 (rule urgent): urgent tickets go to tier 2"]);
//!
//! // A graph with a cycle is refused, naming the nodes.
//! let bad = EscalationGraph::builder()
//!     .node(Node::team("a", "A", 0).entry().owner())
//!     .node(Node::team("b", "B", 1).owner())
//!     .rule(Rule::new("ab", "a", "b", Condition::any(), "up"))
//!     .rule(Rule::new("ba", "b", "a", Condition::any(), "down"))
//!     .build();
//! assert!(bad.unwrap_err().problems().iter().any(|p| matches!(p, GraphProblem::Cycle { .. })));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod condition;
mod default;
mod graph;

pub use condition::{CategoryKind, Condition, Facts, FactsFrom, Sentiment, SlaLevel, SlaSignal};
pub use default::default_graph;
pub use graph::{
    EscalationGraph, EscalationGraphBuilder, GraphProblem, GraphProblems, Hop, Node, NodeKind,
    Path, Rule, Staffing,
};

/// Why an escalation request failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EscalationError {
    /// The graph refused to build.
    #[error(transparent)]
    Invalid(#[from] GraphProblems),
    /// No node has this key.
    #[error("unknown escalation node {0:?}")]
    UnknownNode(String),
    /// The route ended at a node that cannot own a ticket.
    #[error("route ends at {node:?}, which is not an owner: {}", path.join("; "))]
    Stranded {
        /// Where it ended.
        node: String,
        /// The hops taken.
        path: Vec<String>,
    },
}
