//! The people area's deciding: employees, teams, reporting lines.

#![allow(clippy::wildcard_imports)]

use super::*;

impl Desk {
    pub(super) fn decide_people(
        &self,
        d: &mut Drafts,
        action: PeopleAction,
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        match action {
            PeopleAction::RegisterAgent {
                id,
                name,
                time_zone,
                roles,
                skills,
            } => {
                if !roles.is_empty() {
                    // Granting roles: decided on who administers now.
                    self.check_administration(d, &[]);
                }
                let stream = self.fresh(StreamId::Agent(id))?;
                let events = Agent::register(id, name, time_zone, roles, skills, now)?;
                d.push(stream, events.into_iter().map(Event::Agent));
            }
            PeopleAction::UpdateAgent { agent, command } => {
                let a = self.agent(agent).ok_or(DeskError::UnknownAgent(agent))?;
                if let AgentCommand::ReportTo(Some(manager)) = &command {
                    self.check_reporting_line(agent, *manager)?;
                }
                if matches!(
                    command,
                    AgentCommand::GrantRole(_)
                        | AgentCommand::RevokeRole(_)
                        | AgentCommand::Deactivate
                ) {
                    self.check_administration(d, &[]);
                }
                // The last administrator keeps their role and stays.
                if matches!(
                    command,
                    AgentCommand::RevokeRole(_) | AgentCommand::Deactivate
                ) {
                    let table = &self.config.permissions;
                    self.keep_administrable(table, |other| {
                        if !other.is_active() {
                            return None;
                        }
                        let mut roles = other.roles().clone();
                        if other.id() == agent {
                            match &command {
                                AgentCommand::RevokeRole(r) => {
                                    roles.remove(r);
                                }
                                _ => return None,
                            }
                        }
                        Some(roles)
                    })?;
                }
                let events = a.handle(command.clone(), now)?;
                let changed = !events.is_empty();
                d.push(StreamId::Agent(agent), events.into_iter().map(Event::Agent));
                if changed {
                    self.assignment_after_agent_command(d, agent, &command, now);
                }
            }
            PeopleAction::CreateTeam { id, name } => {
                let stream = self.fresh(StreamId::Team(id))?;
                let events = Team::create(id, name, now)?;
                d.push(stream, events.into_iter().map(Event::Team));
            }
            PeopleAction::UpdateTeam { team, command } => {
                let t = self.team(team).ok_or(DeskError::UnknownTeam(team))?;
                if let TeamCommand::AddMember(a) | TeamCommand::SetLead(a) = &command {
                    self.active_agent(*a)?;
                }
                let events = t.handle(command, now)?;
                d.push(StreamId::Team(team), events.into_iter().map(Event::Team));
            }
            PeopleAction::SetPermissions { table } => {
                table.validate()?;
                self.keep_administrable(&table, |a| a.is_active().then(|| a.roles().clone()))?;
                self.check_administration(d, &[&table]);
                if *table != self.config.permissions {
                    d.push(
                        StreamId::Permissions,
                        [Event::Permission(crate::permission::PermissionEvent {
                            at: now,
                            kind: crate::permission::PermissionEventKind::TableSet { table },
                        })],
                    );
                }
            }
        }
        Ok(())
    }

    /// A new reporting line must name a known manager and not make a
    /// circle (walk up from the manager; meeting the agent is a cycle).
    pub(super) fn check_reporting_line(
        &self,
        agent: AgentId,
        manager: AgentId,
    ) -> Result<(), DeskError> {
        if manager == agent {
            // The agent itself refuses this, more precisely.
            return Ok(());
        }
        self.active_agent(manager)?;
        let mut at = Some(manager);
        let mut steps = 0usize;
        while let Some(m) = at {
            if m == agent {
                return Err(DeskError::ReportingCycle { agent, manager });
            }
            at = self.agent(m).and_then(Agent::manager);
            steps += 1;
            if steps > self.state.people.agents().count() {
                break;
            }
        }
        Ok(())
    }

    /// See [`PeopleView::organisation`].
    pub(crate) fn organisation(&self) -> Result<crate::org::Organisation, crate::org::OrgProblems> {
        let mut b = crate::org::Organisation::builder();
        for a in self.agents().filter(|a| a.is_active()) {
            b = b.person(a.id(), a.name());
            if let Some(m) = a.manager() {
                b = b.reports_to(a.id(), m);
            }
        }
        for t in self.state.people.teams() {
            let members = t
                .members()
                .iter()
                .copied()
                .filter(|m| self.agent(*m).is_some_and(Agent::is_active));
            b = b.team(t.id(), t.name(), t.lead(), members);
        }
        b.build()
    }
}
