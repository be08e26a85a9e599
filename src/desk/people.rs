//! The people area: agents and teams, as the desk knows them.

use std::collections::BTreeMap;

use crate::agent::{Agent, AgentEvent, Team, TeamEvent};
use crate::id::{AgentId, TeamId};

/// Every agent and team the desk knows: a fold of the agent and team
/// streams.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct People {
    agents: BTreeMap<AgentId, Agent>,
    teams: BTreeMap<TeamId, Team>,
}

impl People {
    /// One agent.
    #[must_use]
    pub fn agent(&self, id: AgentId) -> Option<&Agent> {
        self.agents.get(&id)
    }

    /// Every agent, by id.
    pub fn agents(&self) -> impl Iterator<Item = &Agent> {
        self.agents.values()
    }

    /// One team.
    #[must_use]
    pub fn team(&self, id: TeamId) -> Option<&Team> {
        self.teams.get(&id)
    }

    /// Every team, by id.
    pub fn teams(&self) -> impl Iterator<Item = &Team> {
        self.teams.values()
    }

    /// The managers above an agent, nearest first, each once (a reporting
    /// loop ends the chain).
    #[must_use]
    pub fn chain_of(&self, agent: AgentId) -> Vec<AgentId> {
        let mut chain = Vec::new();
        let mut at = self.agent(agent).and_then(Agent::manager);
        while let Some(m) = at {
            if m == agent || chain.contains(&m) {
                break;
            }
            chain.push(m);
            at = self.agent(m).and_then(Agent::manager);
        }
        chain
    }

    /// An agent's name, or their id when unknown.
    #[must_use]
    pub fn name_of(&self, agent: AgentId) -> String {
        self.agent(agent)
            .map_or_else(|| agent.to_string(), |a| a.name().to_owned())
    }

    /// Who hears about an agent's repeat mistakes: the lead of one of their
    /// teams (not themselves), else their manager.
    #[must_use]
    pub fn lead_of(&self, agent: AgentId) -> Option<AgentId> {
        self.teams
            .values()
            .filter(|t| t.members().contains(&agent))
            .filter_map(Team::lead)
            .find(|l| *l != agent)
            .or_else(|| self.agent(agent).and_then(Agent::manager))
    }

    /// Folds one event of an agent's stream.
    pub(super) fn apply_agent(&mut self, id: AgentId, e: &AgentEvent) {
        if let Some(a) = Agent::from_registered(e) {
            self.agents.insert(id, a);
        } else if let Some(a) = self.agents.get_mut(&id) {
            a.apply(e);
        }
    }

    /// Folds one event of a team's stream.
    pub(super) fn apply_team(&mut self, id: TeamId, e: &TeamEvent) {
        if let Some(t) = Team::from_created(e) {
            self.teams.insert(id, t);
        } else if let Some(t) = self.teams.get_mut(&id) {
            t.apply(e);
        }
    }
}
