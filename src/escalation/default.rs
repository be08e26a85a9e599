//! The Fanatical default graph: a starting point to copy and edit.

use super::{Condition, EscalationGraph, GraphProblems, Node, Rule, Sentiment, SlaLevel};
use crate::agent::Role;
use crate::sla::Metric;
use crate::ticket::Priority;

/// The default escalation graph, from the stories the crate was built on:
/// a person in crisis goes straight to a trained safety responder; the
/// most frustrated customers go to a senior leader who wants them; trends
/// go to product management; billing questions to billing; breached or
/// urgent technical problems to tier 2, then to the account team; sales
/// questions to sales. The front line owns everything else.
///
/// # Errors
/// Never for the graph as shipped (a test builds it); the `Result` is the
/// builder's.
pub fn default_graph() -> Result<EscalationGraph, GraphProblems> {
    EscalationGraph::builder()
        .node(Node::team("front_line", "Front line", 0).entry().owner())
        .node(Node::team("tier2", "Tier 2 engineering", 1).owner())
        .node(Node::role("account_team", "Account team", 2, Role::AccountManager).owner())
        .node(Node::role("billing", "Billing", 1, Role::Billing).owner())
        .node(Node::team("sales", "Sales", 1).owner())
        .node(Node::team("product", "Product management", 3).owner())
        .node(
            Node::role(
                "senior_leader",
                "Senior leader (wants the most frustrated customers)",
                8,
                Role::Executive,
            )
            .owner(),
        )
        .node(
            Node::role("safety", "Safety responder", 9, Role::SafetyResponder)
                .entry()
                .owner(),
        )
        .rule(
            Rule::new(
                "crisis",
                "front_line",
                "safety",
                Condition::any().crisis(),
                "a person may be at risk: straight to a trained responder, bypassing every queue",
            )
            .carrying(["the message", "contact details", "channel"]),
        )
        .rule(
            Rule::new(
                "most_frustrated",
                "front_line",
                "senior_leader",
                Condition::any()
                    .feeling([Sentiment::Angry])
                    .contacts_at_least(3),
                "an angry customer who has had to contact us three times goes to a senior leader",
            )
            .carrying(["conversation", "every contact about it", "what was tried"]),
        )
        .rule(
            Rule::new(
                "trend",
                "front_line",
                "product",
                Condition::any().trend(),
                "a recurring pain point goes to the product managers who own it",
            )
            .carrying(["tickets in the trend", "category"]),
        )
        .rule(
            Rule::new(
                "billing",
                "front_line",
                "billing",
                Condition::any().in_categories(["billing", "invoice", "refund"]),
                "billing questions go to billing",
            )
            .carrying(["conversation", "invoice numbers"]),
        )
        .rule(
            Rule::new(
                "sales",
                "front_line",
                "sales",
                Condition::any().in_categories(["upgrade", "pricing", "new_service"]),
                "buying questions go to sales",
            )
            .carrying(["conversation"]),
        )
        .rule(
            Rule::new(
                "breach",
                "front_line",
                "tier2",
                Condition::any().sla(None, SlaLevel::Breached),
                "an SLA was breached: tier 2 takes over",
            )
            .carrying(["conversation", "SLA history", "systems affected"]),
        )
        .rule(
            Rule::new(
                "urgent",
                "front_line",
                "tier2",
                Condition::any().at_least(Priority::Urgent),
                "urgent problems go to tier 2",
            )
            .carrying(["conversation", "systems affected"]),
        )
        .rule(
            Rule::new(
                "tier2_stuck",
                "tier2",
                "account_team",
                Condition::any().sla(Some(Metric::Resolution), SlaLevel::Breached),
                "resolution breached in tier 2: the account team owns the customer's experience",
            )
            .carrying(["conversation", "internal notes", "SLA history"]),
        )
        .rule(
            Rule::new(
                "tier2_angry",
                "tier2",
                "senior_leader",
                Condition::any().feeling([Sentiment::Angry]),
                "an angry customer in tier 2 goes to a senior leader",
            )
            .carrying(["conversation", "internal notes"]),
        )
        .build()
}
