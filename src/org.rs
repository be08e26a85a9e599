//! The organisation: reporting lines up to the CEO, and teams.
//!
//! An [`Organisation`] is validated like an escalation graph: one root
//! (the CEO), no cycles, every manager known, every team lead a member.
//! [`Organisation::management_chain`] answers "who does this agent's praise
//! travel up to?".
//!
//! # Example
//! ```
//! use fanatical::id::{AgentId, TeamId};
//! use fanatical::org::{Organisation, OrgProblem};
//!
//! let id = |n| AgentId::from_uuid(uuid::Uuid::from_u128(n));
//! let (ceo, vp, lead, ana) = (id(1), id(2), id(3), id(4));
//! let org = Organisation::builder()
//!     .person(ceo, "Graham (CEO)")
//!     .person(vp, "Rob (VP Social)").reports_to(vp, ceo)
//!     .person(lead, "Luis (team lead)").reports_to(lead, vp)
//!     .person(ana, "Ana").reports_to(ana, lead)
//!     .team(TeamId::from_uuid(uuid::Uuid::from_u128(9)), "Social", Some(lead), [lead, ana])
//!     .build()?;
//! assert_eq!(org.root(), ceo);
//! assert_eq!(org.management_chain(ana)?, vec![lead, vp, ceo]);
//!
//! // Two people at the top is refused.
//! let two_roots = Organisation::builder().person(ceo, "A").person(vp, "B").build();
//! assert!(matches!(two_roots.unwrap_err().problems()[0], OrgProblem::MultipleRoots { .. }));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use petgraph::graph::DiGraph;
use serde::Serialize;

use crate::id::{AgentId, TeamId};
use crate::text::dot_escape;

/// One thing wrong with an organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
#[non_exhaustive]
pub enum OrgProblem {
    /// Nobody in it.
    Empty,
    /// Everyone reports to someone: there is no CEO.
    NoRoot,
    /// More than one person reports to nobody.
    MultipleRoots {
        /// Those people.
        roots: Vec<AgentId>,
    },
    /// Reporting lines that go round in a circle.
    Cycle {
        /// The people on it, sorted.
        agents: Vec<AgentId>,
    },
    /// Someone who reports to themselves.
    SelfReport {
        /// Who.
        agent: AgentId,
    },
    /// A manager, member or lead who is not in the organisation.
    UnknownPerson {
        /// Who.
        agent: AgentId,
    },
    /// A team lead who is not a member of the team.
    LeadNotMember {
        /// The team.
        team: TeamId,
        /// The lead.
        agent: AgentId,
    },
}

impl fmt::Display for OrgProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OrgProblem::Empty => f.write_str("the organisation has nobody in it"),
            OrgProblem::NoRoot => f.write_str("everyone reports to someone: no one is at the top"),
            OrgProblem::MultipleRoots { roots } => {
                let r: Vec<String> = roots.iter().map(ToString::to_string).collect();
                write!(f, "several people report to nobody: {}", r.join(", "))
            }
            OrgProblem::Cycle { agents } => {
                let r: Vec<String> = agents.iter().map(ToString::to_string).collect();
                write!(f, "reporting cycle through {}", r.join(", "))
            }
            OrgProblem::SelfReport { agent } => write!(f, "agent {agent} reports to themselves"),
            OrgProblem::UnknownPerson { agent } => {
                write!(f, "agent {agent} is not in the organisation")
            }
            OrgProblem::LeadNotMember { team, agent } => {
                write!(f, "lead {agent} of team {team} is not a member")
            }
        }
    }
}

/// Every problem an organisation has.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid organisation: {}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
pub struct OrgProblems(Vec<OrgProblem>);

impl OrgProblems {
    /// The problems.
    #[must_use]
    pub fn problems(&self) -> &[OrgProblem] {
        &self.0
    }
}

/// Why an organisation query failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OrgError {
    /// The organisation is invalid.
    #[error(transparent)]
    Invalid(#[from] OrgProblems),
    /// The agent is not in the organisation.
    #[error("agent {0} is not in the organisation")]
    UnknownAgent(AgentId),
}

/// A team as the organisation sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrgTeam {
    /// Its id.
    pub id: TeamId,
    /// Its name.
    pub name: String,
    /// Its lead.
    pub lead: Option<AgentId>,
    /// Its members.
    pub members: BTreeSet<AgentId>,
}

/// Builds and validates an [`Organisation`].
#[derive(Debug, Clone, Default)]
pub struct OrganisationBuilder {
    people: BTreeMap<AgentId, String>,
    reports: BTreeMap<AgentId, AgentId>,
    teams: Vec<OrgTeam>,
}

impl OrganisationBuilder {
    /// Adds a person.
    #[must_use]
    pub fn person(mut self, agent: AgentId, name: &str) -> Self {
        self.people.insert(agent, name.to_owned());
        self
    }
    /// Sets who someone reports to.
    #[must_use]
    pub fn reports_to(mut self, agent: AgentId, manager: AgentId) -> Self {
        self.reports.insert(agent, manager);
        self
    }
    /// Adds a team (an agent may be in several).
    #[must_use]
    pub fn team(
        mut self,
        id: TeamId,
        name: &str,
        lead: Option<AgentId>,
        members: impl IntoIterator<Item = AgentId>,
    ) -> Self {
        self.teams.push(OrgTeam {
            id,
            name: name.to_owned(),
            lead,
            members: members.into_iter().collect(),
        });
        self
    }

    /// Validates and builds.
    ///
    /// # Errors
    /// Every [`OrgProblem`] found, at once.
    pub fn build(self) -> Result<Organisation, OrgProblems> {
        let mut problems = Vec::new();
        if self.people.is_empty() {
            return Err(OrgProblems(vec![OrgProblem::Empty]));
        }
        for (a, m) in &self.reports {
            if a == m {
                problems.push(OrgProblem::SelfReport { agent: *a });
            }
            for p in [a, m] {
                if !self.people.contains_key(p) {
                    problems.push(OrgProblem::UnknownPerson { agent: *p });
                }
            }
        }
        for t in &self.teams {
            for m in t.members.iter().chain(t.lead.iter()) {
                if !self.people.contains_key(m) {
                    problems.push(OrgProblem::UnknownPerson { agent: *m });
                }
            }
            if let Some(l) = t.lead.filter(|l| !t.members.contains(l)) {
                problems.push(OrgProblem::LeadNotMember {
                    team: t.id,
                    agent: l,
                });
            }
        }
        let roots: Vec<AgentId> = self
            .people
            .keys()
            .filter(|p| !self.reports.contains_key(p))
            .copied()
            .collect();
        match roots.len() {
            0 => problems.push(OrgProblem::NoRoot),
            1 => {}
            _ => problems.push(OrgProblem::MultipleRoots {
                roots: roots.clone(),
            }),
        }
        // Cycles: strongly connected components of the reporting graph.
        let mut graph: DiGraph<AgentId, ()> = DiGraph::new();
        let handles: BTreeMap<AgentId, _> = self
            .people
            .keys()
            .map(|p| (*p, graph.add_node(*p)))
            .collect();
        for (a, m) in &self.reports {
            if let (Some(&ha), Some(&hm)) = (handles.get(a), handles.get(m))
                && a != m
            {
                graph.add_edge(ha, hm, ());
            }
        }
        for scc in petgraph::algo::tarjan_scc(&graph) {
            if scc.len() > 1 {
                let mut agents: Vec<AgentId> = scc
                    .iter()
                    .filter_map(|h| graph.node_weight(*h).copied())
                    .collect();
                agents.sort();
                problems.push(OrgProblem::Cycle { agents });
            }
        }
        problems.sort_by_key(ToString::to_string);
        problems.dedup();
        match (problems.is_empty(), roots.first()) {
            (true, Some(&root)) => Ok(Organisation {
                people: self.people,
                reports: self.reports,
                teams: self.teams,
                root,
            }),
            _ => Err(OrgProblems(problems)),
        }
    }
}

/// A validated organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organisation {
    people: BTreeMap<AgentId, String>,
    reports: BTreeMap<AgentId, AgentId>,
    teams: Vec<OrgTeam>,
    root: AgentId,
}

impl Organisation {
    /// A builder.
    #[must_use]
    pub fn builder() -> OrganisationBuilder {
        OrganisationBuilder::default()
    }

    /// The person at the top (the CEO).
    #[must_use]
    pub fn root(&self) -> AgentId {
        self.root
    }

    /// A person's name.
    #[must_use]
    pub fn name(&self, agent: AgentId) -> Option<&str> {
        self.people.get(&agent).map(String::as_str)
    }

    /// Who someone reports to (`None` for the root).
    #[must_use]
    pub fn manager(&self, agent: AgentId) -> Option<AgentId> {
        self.reports.get(&agent).copied()
    }

    /// Every manager above `agent`, nearest first, ending with the root.
    ///
    /// # Errors
    /// [`OrgError::UnknownAgent`].
    ///
    /// ```
    /// use fanatical::id::AgentId;
    /// use fanatical::org::Organisation;
    /// let id = |n: u128| AgentId::from_uuid(uuid::Uuid::from_u128(n));
    /// let org = Organisation::builder()
    ///     .person(id(1), "Graham, CEO")
    ///     .person(id(2), "Rob, VP").reports_to(id(2), id(1))
    ///     .person(id(3), "Ana").reports_to(id(3), id(2))
    ///     .build()?;
    /// // Ana's praise goes to Rob, then Graham, who acknowledges it.
    /// assert_eq!(org.management_chain(id(3))?, vec![id(2), id(1)]);
    /// assert!(org.management_chain(id(9)).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn management_chain(&self, agent: AgentId) -> Result<Vec<AgentId>, OrgError> {
        if !self.people.contains_key(&agent) {
            return Err(OrgError::UnknownAgent(agent));
        }
        let mut chain = Vec::new();
        let mut at = agent;
        // Validated acyclic: at most one step per person.
        while let Some(&m) = self.reports.get(&at) {
            chain.push(m);
            at = m;
            if chain.len() > self.people.len() {
                break;
            }
        }
        Ok(chain)
    }

    /// The people who report directly to `manager`.
    #[must_use]
    pub fn direct_reports(&self, manager: AgentId) -> Vec<AgentId> {
        self.reports
            .iter()
            .filter(|(_, m)| **m == manager)
            .map(|(a, _)| *a)
            .collect()
    }

    /// Every team.
    #[must_use]
    pub fn teams(&self) -> &[OrgTeam] {
        &self.teams
    }

    /// The teams an agent belongs to.
    pub fn teams_of(&self, agent: AgentId) -> impl Iterator<Item = &OrgTeam> {
        self.teams
            .iter()
            .filter(move |t| t.members.contains(&agent))
    }

    /// How many people.
    #[must_use]
    pub fn len(&self) -> usize {
        self.people.len()
    }

    /// Never true for a built organisation.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.people.is_empty()
    }

    /// The reporting lines in Graphviz DOT (manager above report).
    #[must_use]
    pub fn to_dot(&self) -> String {
        let mut s = String::from(
            "digraph organisation {\n  rankdir=TB;\n  node [shape=box, fontname=\"Helvetica\"];\n",
        );
        for (id, name) in &self.people {
            let teams: Vec<&str> = self.teams_of(*id).map(|t| t.name.as_str()).collect();
            let extra = if teams.is_empty() {
                String::new()
            } else {
                format!("\\n{}", dot_escape(&teams.join(", ")))
            };
            s.push_str(&format!(
                "  \"{id}\" [label=\"{}{extra}\"];\n",
                dot_escape(name)
            ));
        }
        for (a, m) in &self.reports {
            s.push_str(&format!("  \"{m}\" -> \"{a}\";\n"));
        }
        s.push_str("}\n");
        s
    }
}
