//! The graph, its builder and validation, resolution and DOT output.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use chrono::{DateTime, Utc};
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::{Dfs, Reversed};
use serde::{Deserialize, Serialize};

use super::{Condition, EscalationError, Facts};
use crate::agent::Role;
use crate::id::{AgentId, TeamId};
use crate::text::dot_escape;

/// What a node stands for.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum NodeKind {
    /// A team (bound to a desk team, or not yet).
    Team(Option<TeamId>),
    /// A support tier.
    Tier,
    /// Whoever holds a role (billing, safety responder, executive...).
    Role(Role),
    /// A named person ("the VP who wants the most frustrated customers").
    Person(AgentId),
}

/// A node of an escalation graph.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Node {
    /// Unique key, used in rules ("tier2").
    pub key: String,
    /// Display name ("Tier 2").
    pub name: String,
    /// What it stands for.
    pub kind: NodeKind,
    /// Seniority: escalation should never go down (0 is the front line).
    pub level: u8,
    /// Tickets may end here.
    #[serde(default)]
    pub owner: bool,
    /// Tickets may start here.
    #[serde(default)]
    pub entry: bool,
}

impl Node {
    fn new(key: &str, name: &str, level: u8, kind: NodeKind) -> Self {
        Node {
            key: key.to_owned(),
            name: name.to_owned(),
            kind,
            level,
            owner: false,
            entry: false,
        }
    }
    /// A team not bound to a desk team.
    #[must_use]
    pub fn team(key: &str, name: &str, level: u8) -> Self {
        Self::new(key, name, level, NodeKind::Team(None))
    }
    /// A team bound to a desk team.
    #[must_use]
    pub fn desk_team(key: &str, name: &str, level: u8, team: TeamId) -> Self {
        Self::new(key, name, level, NodeKind::Team(Some(team)))
    }
    /// A tier.
    #[must_use]
    pub fn tier(key: &str, name: &str, level: u8) -> Self {
        Self::new(key, name, level, NodeKind::Tier)
    }
    /// Whoever holds a role.
    #[must_use]
    pub fn role(key: &str, name: &str, level: u8, role: Role) -> Self {
        Self::new(key, name, level, NodeKind::Role(role))
    }
    /// A named person.
    #[must_use]
    pub fn person(key: &str, name: &str, level: u8, agent: AgentId) -> Self {
        Self::new(key, name, level, NodeKind::Person(agent))
    }
    /// Tickets may end here.
    #[must_use]
    pub fn owner(mut self) -> Self {
        self.owner = true;
        self
    }
    /// Tickets may start here.
    #[must_use]
    pub fn entry(mut self) -> Self {
        self.entry = true;
        self
    }
}

/// An escalation path from one node to another, guarded by a condition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Rule {
    /// Unique id ("sla-breach-to-tier2").
    pub id: String,
    /// From which node.
    pub from: String,
    /// To which node.
    pub to: String,
    /// When it applies.
    #[serde(default)]
    pub when: Condition,
    /// Why, in words a person reads.
    pub reason: String,
    /// What must travel with the hand-off ("conversation", "systems
    /// affected", "what was already tried").
    #[serde(default)]
    pub context: Vec<String>,
}

impl Rule {
    /// A rule.
    #[must_use]
    pub fn new(id: &str, from: &str, to: &str, when: Condition, reason: &str) -> Self {
        Rule {
            id: id.to_owned(),
            from: from.to_owned(),
            to: to.to_owned(),
            when,
            reason: reason.to_owned(),
            context: Vec::new(),
        }
    }
    /// With context that must travel with the hand-off.
    #[must_use]
    pub fn carrying<S: Into<String>>(mut self, context: impl IntoIterator<Item = S>) -> Self {
        self.context = context.into_iter().map(Into::into).collect();
        self
    }
}

/// One thing wrong with a graph.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
#[non_exhaustive]
pub enum GraphProblem {
    /// No nodes at all.
    Empty,
    /// No node is marked as an entry.
    NoEntry,
    /// Two nodes share a key.
    DuplicateNode {
        /// The key.
        node: String,
    },
    /// Two rules share an id.
    DuplicateRule {
        /// The id.
        rule: String,
    },
    /// A rule names a node that does not exist.
    UnknownNode {
        /// The rule.
        rule: String,
        /// The missing node.
        node: String,
    },
    /// Rules that lead back to where they started.
    Cycle {
        /// The nodes on the cycle, sorted.
        nodes: Vec<String>,
    },
    /// A node from which no owner can be reached.
    NoRouteToOwner {
        /// The node.
        node: String,
    },
    /// A node no entry leads to.
    Unreachable {
        /// The node.
        node: String,
    },
    /// A rule that can never fire: an earlier rule from the same node
    /// matches every ticket it would.
    Shadowed {
        /// The rule that never fires.
        rule: String,
        /// The earlier rule that takes its tickets.
        by: String,
    },
    /// An owner node nobody can take: an empty team, a role nobody
    /// holds, a person who left.
    Unstaffed {
        /// The node.
        node: String,
    },
}

impl fmt::Display for GraphProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GraphProblem::Empty => f.write_str("the graph has no nodes"),
            GraphProblem::NoEntry => f.write_str("no node is an entry"),
            GraphProblem::DuplicateNode { node } => write!(f, "node {node:?} is defined twice"),
            GraphProblem::DuplicateRule { rule } => write!(f, "rule {rule:?} is defined twice"),
            GraphProblem::UnknownNode { rule, node } => {
                write!(f, "rule {rule:?} names unknown node {node:?}")
            }
            GraphProblem::Cycle { nodes } => write!(f, "cycle through {}", nodes.join(", ")),
            GraphProblem::NoRouteToOwner { node } => {
                write!(f, "node {node:?} has no route to an owner")
            }
            GraphProblem::Unreachable { node } => write!(f, "node {node:?} is unreachable"),
            GraphProblem::Shadowed { rule, by } => {
                write!(
                    f,
                    "rule {rule:?} never fires: rule {by:?} before it takes all its tickets"
                )
            }
            GraphProblem::Unstaffed { node } => {
                write!(f, "owner {node:?} has nobody able to take a ticket")
            }
        }
    }
}

/// Every problem a graph has.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid escalation graph: {}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
pub struct GraphProblems(Vec<GraphProblem>);

impl GraphProblems {
    /// The problems, in a stable order.
    #[must_use]
    pub fn problems(&self) -> &[GraphProblem] {
        &self.0
    }
}

/// How many people can take tickets at a node (`None`: cannot tell).
pub type Staffing<'a> = &'a dyn Fn(&NodeKind) -> Option<usize>;

/// Builds and validates an [`EscalationGraph`]. Serialisable, so graphs
/// can be kept as configuration.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EscalationGraphBuilder {
    nodes: Vec<Node>,
    rules: Vec<Rule>,
}

impl EscalationGraphBuilder {
    /// Adds a node.
    #[must_use]
    pub fn node(mut self, node: Node) -> Self {
        self.nodes.push(node);
        self
    }
    /// Adds a rule; rules from the same node are tried in the order added.
    #[must_use]
    pub fn rule(mut self, rule: Rule) -> Self {
        self.rules.push(rule);
        self
    }

    /// Validates and builds, without checking staffing.
    ///
    /// # Errors
    /// Every [`GraphProblem`] found, at once.
    pub fn build(self) -> Result<EscalationGraph, GraphProblems> {
        self.build_inner(None)
    }

    /// Validates and builds, also checking that every owner node has
    /// somebody to take tickets (`staff` says how many can; `None` when it
    /// cannot tell, as for a team not bound to a desk team).
    ///
    /// # Errors
    /// Every [`GraphProblem`] found, at once.
    pub fn build_staffed(self, staff: Staffing<'_>) -> Result<EscalationGraph, GraphProblems> {
        self.build_inner(Some(staff))
    }

    fn build_inner(self, staff: Option<Staffing<'_>>) -> Result<EscalationGraph, GraphProblems> {
        let mut problems = Vec::new();
        if self.nodes.is_empty() {
            problems.push(GraphProblem::Empty);
        } else if !self.nodes.iter().any(|n| n.entry) {
            problems.push(GraphProblem::NoEntry);
        }
        let mut index: BTreeMap<String, usize> = BTreeMap::new();
        for (i, n) in self.nodes.iter().enumerate() {
            if index.insert(n.key.clone(), i).is_some() {
                problems.push(GraphProblem::DuplicateNode {
                    node: n.key.clone(),
                });
            }
        }
        let mut rule_ids = BTreeSet::new();
        let mut structure: DiGraph<usize, usize> = DiGraph::new();
        let handles: Vec<NodeIndex> = (0..self.nodes.len())
            .map(|i| structure.add_node(i))
            .collect();
        let mut out: Vec<Vec<usize>> = vec![Vec::new(); self.nodes.len()];
        for (r_i, r) in self.rules.iter().enumerate() {
            if !rule_ids.insert(r.id.as_str()) {
                problems.push(GraphProblem::DuplicateRule { rule: r.id.clone() });
            }
            let mut ends = [None, None];
            for (slot, key) in ends.iter_mut().zip([&r.from, &r.to]) {
                match index.get(key) {
                    Some(&i) => *slot = Some(i),
                    None => problems.push(GraphProblem::UnknownNode {
                        rule: r.id.clone(),
                        node: key.clone(),
                    }),
                }
            }
            if let [Some(a), Some(b)] = ends {
                if let (Some(&ha), Some(&hb)) = (handles.get(a), handles.get(b)) {
                    structure.add_edge(ha, hb, r_i);
                }
                if let Some(list) = out.get_mut(a) {
                    list.push(r_i);
                }
            }
        }
        let key_of = |h: NodeIndex| {
            structure
                .node_weight(h)
                .and_then(|&i| self.nodes.get(i))
                .map(|n| n.key.clone())
                .unwrap_or_default()
        };
        // Cycles: strongly connected components of more than one node, or
        // a node with a rule to itself.
        for scc in petgraph::algo::tarjan_scc(&structure) {
            let self_loop = scc.len() == 1
                && scc
                    .first()
                    .is_some_and(|&h| structure.find_edge(h, h).is_some());
            if scc.len() > 1 || self_loop {
                let mut nodes: Vec<String> = scc.iter().map(|&h| key_of(h)).collect();
                nodes.sort();
                problems.push(GraphProblem::Cycle { nodes });
            }
        }
        // Reachability from the entries, and to the owners: one
        // multi-source search each, O(nodes + rules).
        let seeds = |pick: fn(&Node) -> bool| -> Vec<NodeIndex> {
            self.nodes
                .iter()
                .enumerate()
                .filter(|(_, n)| pick(n))
                .filter_map(|(i, _)| handles.get(i).copied())
                .collect()
        };
        let mut reached = vec![false; self.nodes.len()];
        let mut dfs = Dfs::empty(&structure);
        dfs.stack.extend(seeds(|n| n.entry));
        while let Some(x) = dfs.next(&structure) {
            if let Some(slot) = reached.get_mut(x.index()) {
                *slot = true;
            }
        }
        let mut reaches_owner = vec![false; self.nodes.len()];
        let reversed = Reversed(&structure);
        let mut dfs = Dfs::empty(reversed);
        dfs.stack.extend(seeds(|n| n.owner));
        while let Some(x) = dfs.next(reversed) {
            if let Some(slot) = reaches_owner.get_mut(x.index()) {
                *slot = true;
            }
        }
        let any_entry = self.nodes.iter().any(|n| n.entry);
        for (i, n) in self.nodes.iter().enumerate() {
            // One slip is one problem: a node defined twice is reported as
            // a duplicate, not also as unreachable or stranded (rules name
            // the last definition, so an earlier one has no edges).
            if index.get(&n.key) != Some(&i) {
                continue;
            }
            if !reaches_owner.get(i).copied().unwrap_or(false) {
                problems.push(GraphProblem::NoRouteToOwner {
                    node: n.key.clone(),
                });
            }
            if any_entry && !reached.get(i).copied().unwrap_or(false) {
                problems.push(GraphProblem::Unreachable {
                    node: n.key.clone(),
                });
            }
            if let (true, Some(staff)) = (n.owner, staff)
                && staff(&n.kind) == Some(0)
            {
                problems.push(GraphProblem::Unstaffed {
                    node: n.key.clone(),
                });
            }
        }
        // Shadowing: a later rule from the same node that an earlier one covers.
        for list in &out {
            for (j, &later) in list.iter().enumerate() {
                let Some(lr) = self.rules.get(later) else {
                    continue;
                };
                let by = list
                    .iter()
                    .take(j)
                    .filter_map(|&e| self.rules.get(e))
                    .find(|er| er.when.covers(&lr.when));
                if let Some(er) = by {
                    problems.push(GraphProblem::Shadowed {
                        rule: lr.id.clone(),
                        by: er.id.clone(),
                    });
                }
            }
        }
        if !problems.is_empty() {
            return Err(GraphProblems(problems));
        }
        // Valid: resolve rule targets to indexes once.
        let targets = self
            .rules
            .iter()
            .map(|r| index.get(&r.to).copied().unwrap_or(0))
            .collect();
        Ok(EscalationGraph {
            nodes: self.nodes,
            rules: self.rules,
            index,
            out,
            targets,
            structure,
        })
    }
}

/// A validated escalation graph. Serialised as its builder (its nodes and
/// rules), and checked again when read; equal when its nodes and rules are.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(try_from = "EscalationGraphBuilder", into = "EscalationGraphBuilder")]
pub struct EscalationGraph {
    nodes: Vec<Node>,
    rules: Vec<Rule>,
    index: BTreeMap<String, usize>,
    /// Rules leaving each node, in order.
    out: Vec<Vec<usize>>,
    /// Each rule's target node.
    targets: Vec<usize>,
    structure: DiGraph<usize, usize>,
}

/// One hop of a resolved path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hop<'g> {
    /// Where it left.
    pub from: &'g Node,
    /// Where it went.
    pub to: &'g Node,
    /// The rule that chose it.
    pub rule: &'g Rule,
}

/// The resolved route of a ticket through a graph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Path<'g> {
    start: &'g Node,
    hops: Vec<Hop<'g>>,
}

impl<'g> Path<'g> {
    /// The hops, in order.
    #[must_use]
    pub fn hops(&self) -> &[Hop<'g>] {
        &self.hops
    }
    /// Where it started.
    #[must_use]
    pub fn start(&self) -> &'g Node {
        self.start
    }
    /// The node that owns the ticket.
    #[must_use]
    pub fn owner_node(&self) -> &'g Node {
        self.hops.last().map_or(self.start, |h| h.to)
    }
    /// The owner's key.
    #[must_use]
    pub fn owner(&self) -> &'g str {
        &self.owner_node().key
    }
    /// One line per hop: `from -> to (rule id): reason`.
    #[must_use]
    pub fn explain(&self) -> Vec<String> {
        self.hops
            .iter()
            .map(|h| {
                format!(
                    "{} -> {} (rule {}): {}",
                    h.from.key, h.to.key, h.rule.id, h.rule.reason
                )
            })
            .collect()
    }
    /// Everything that must travel with the hand-offs, in order, once each.
    #[must_use]
    pub fn context(&self) -> Vec<&'g str> {
        let mut seen = BTreeSet::new();
        self.hops
            .iter()
            .flat_map(|h| h.rule.context.iter())
            .map(String::as_str)
            .filter(|c| seen.insert(*c))
            .collect()
    }
}

impl EscalationGraph {
    /// A builder.
    #[must_use]
    pub fn builder() -> EscalationGraphBuilder {
        EscalationGraphBuilder::default()
    }

    /// The builder this graph came from (to edit and rebuild, or to save).
    #[must_use]
    pub fn to_builder(&self) -> EscalationGraphBuilder {
        EscalationGraphBuilder {
            nodes: self.nodes.clone(),
            rules: self.rules.clone(),
        }
    }

    /// Every node.
    #[must_use]
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }
    /// Every rule, in order.
    #[must_use]
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }
    /// A node by key.
    #[must_use]
    pub fn node(&self, key: &str) -> Option<&Node> {
        self.index.get(key).and_then(|&i| self.nodes.get(i))
    }
    /// How many edges (rules) the graph has.
    #[must_use]
    pub fn edge_count(&self) -> usize {
        self.structure.edge_count()
    }

    /// Resolves the route of a ticket with `facts` from the `start` node.
    ///
    /// # Errors
    /// [`EscalationError::UnknownNode`] for an unknown start;
    /// [`EscalationError::Stranded`] when the route ends at a node that is
    /// not an owner (property-test your rules with
    /// `arbitrary::check_reaches_owner` to find such facts).
    pub fn resolve<'g>(
        &'g self,
        start: &str,
        facts: &Facts,
        now: DateTime<Utc>,
    ) -> Result<Path<'g>, EscalationError> {
        let mut at = *self
            .index
            .get(start)
            .ok_or_else(|| EscalationError::UnknownNode(start.to_owned()))?;
        let start_node = self
            .nodes
            .get(at)
            .ok_or_else(|| EscalationError::UnknownNode(start.to_owned()))?;
        let mut hops = Vec::new();
        // Acyclic: at most one hop per node.
        for _ in 0..self.nodes.len() {
            let Some(list) = self.out.get(at) else { break };
            let next = list.iter().find_map(|&r| {
                let rule = self.rules.get(r)?;
                rule.when.matches(facts, now).then_some((r, rule))
            });
            let Some((r, rule)) = next else { break };
            let to = self.targets.get(r).copied().unwrap_or(at);
            let (Some(from_node), Some(to_node)) = (self.nodes.get(at), self.nodes.get(to)) else {
                break;
            };
            hops.push(Hop {
                from: from_node,
                to: to_node,
                rule,
            });
            at = to;
        }
        let path = Path {
            start: start_node,
            hops,
        };
        if path.owner_node().owner {
            Ok(path)
        } else {
            Err(EscalationError::Stranded {
                node: path.owner().to_owned(),
                path: path.explain(),
            })
        }
    }

    /// The graph in Graphviz DOT, with readable labels: nodes show their
    /// name, kind and level (owners doubled, entries bold); edges show the
    /// rule id and its condition.
    #[must_use]
    pub fn to_dot(&self) -> String {
        let mut s = String::from(
            "digraph escalation {\n  rankdir=LR;\n  node [shape=box, fontname=\"Helvetica\"];\n",
        );
        for n in &self.nodes {
            let kind = match &n.kind {
                NodeKind::Team(_) => "team".to_owned(),
                NodeKind::Tier => "tier".to_owned(),
                NodeKind::Role(r) => format!("role: {r}"),
                NodeKind::Person(_) => "person".to_owned(),
            };
            let mut style = Vec::new();
            if n.owner {
                style.push("peripheries=2");
            }
            if n.entry {
                style.push("style=bold");
            }
            let extra = if style.is_empty() {
                String::new()
            } else {
                format!(", {}", style.join(", "))
            };
            s.push_str(&format!(
                "  \"{}\" [label=\"{}\\n{kind}, level {}\"{extra}];\n",
                dot_escape(&n.key),
                dot_escape(&n.name),
                n.level
            ));
        }
        for r in &self.rules {
            s.push_str(&format!(
                "  \"{}\" -> \"{}\" [label=\"{}: {}\"];\n",
                dot_escape(&r.from),
                dot_escape(&r.to),
                dot_escape(&r.id),
                dot_escape(&r.when.describe())
            ));
        }
        s.push_str("}\n");
        s
    }
}

impl PartialEq for EscalationGraph {
    fn eq(&self, other: &Self) -> bool {
        self.nodes == other.nodes && self.rules == other.rules
    }
}

impl Eq for EscalationGraph {}

impl From<EscalationGraph> for EscalationGraphBuilder {
    fn from(g: EscalationGraph) -> Self {
        EscalationGraphBuilder {
            nodes: g.nodes,
            rules: g.rules,
        }
    }
}

impl TryFrom<EscalationGraphBuilder> for EscalationGraph {
    type Error = GraphProblems;
    fn try_from(b: EscalationGraphBuilder) -> Result<Self, Self::Error> {
        b.build()
    }
}
