//! Agents ("Rackers") and teams.
//!
//! An [`Agent`] has a name, a home time zone, skills and roles; a [`Team`]
//! has members and a lead. Both are event-sourced aggregates: `handle`
//! decides, `apply` folds.
//!
//! # Example
//! ```
//! use chrono::{TimeZone, Utc};
//! use fanatical::agent::{Agent, AgentCommand, Role, Skill};
//! use fanatical::id::AgentId;
//!
//! let now = Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap();
//! let id = AgentId::from_uuid(uuid::Uuid::from_u128(1));
//! let events = Agent::register(id, "Rob", chrono_tz::America::Chicago, [Role::Executive], [], now)?;
//! let mut rob = Agent::from_events(&events).expect("registered");
//! let more = rob.handle(AgentCommand::AddSkill(Skill::new("social")?), now)?;
//! for e in &more { rob.apply(e); }
//! assert!(rob.has_skill(&Skill::new("Social")?));
//! assert!(rob.has_role(Role::Executive));
//! # Ok::<(), fanatical::agent::AgentError>(())
//! ```

use std::collections::BTreeSet;

mod role;
mod schedule;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::id::{AgentId, TeamId};
use crate::sla::BusinessCalendar;

pub use role::{Role, RoleName};
pub use schedule::{Absence, Schedule, Unavailable};

/// Why an agent or team command was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AgentError {
    /// A name was empty or blank.
    #[error("{what} name must not be empty")]
    EmptyName {
        /// `agent` or `team`.
        what: &'static str,
    },
    /// A skill was empty or blank.
    #[error("skill must not be empty")]
    EmptySkill,
    /// A custom role's name that is blank, over 64 characters, or holds a
    /// control character.
    #[error(
        "{0:?} is not a custom role name: 1 to 64 characters, no control characters, not a built-in role"
    )]
    InvalidRoleName(String),
    /// A custom role's name that could be taken for a built-in role's:
    /// the same after case, spaces, separators, accents and look-alike
    /// characters are set aside (see [`RoleName`]).
    #[error("{name:?} cannot name a custom role: it reads as the built-in role {role}")]
    RoleNameTaken {
        /// The name given.
        name: String,
        /// The built-in role it reads as.
        role: Role,
    },
    /// The agent has been deactivated and takes no more changes.
    #[error("agent {0} is deactivated")]
    Deactivated(AgentId),
    /// Nobody reports to themselves.
    #[error("agent {0} cannot report to themselves")]
    SelfReport(AgentId),
    /// A change that would leave the agent no working time that is not
    /// protected, ever again.
    #[error(
        "agent {0} would never be available again: no working time is left outside protected time"
    )]
    NeverAvailable(AgentId),
    /// An absence that ends before (or when) it starts.
    #[error("agent {agent}: an absence from {from} until {until} ends before it starts")]
    EmptyAbsence {
        /// The agent.
        agent: AgentId,
        /// Its first instant.
        from: DateTime<Utc>,
        /// Its end.
        until: DateTime<Utc>,
    },
    /// An absence sharing time with one already recorded.
    #[error(
        "agent {agent}: an absence from {from} until {until} overlaps the one from {other_from} until {other_until}"
    )]
    OverlappingAbsence {
        /// The agent.
        agent: AgentId,
        /// The new absence's first instant.
        from: DateTime<Utc>,
        /// The new absence's end.
        until: DateTime<Utc>,
        /// The recorded absence's first instant.
        other_from: DateTime<Utc>,
        /// The recorded absence's end.
        other_until: DateTime<Utc>,
    },
    /// No absence starts at this instant.
    #[error("agent {agent} has no absence starting at {from}")]
    UnknownAbsence {
        /// The agent.
        agent: AgentId,
        /// The instant named.
        from: DateTime<Utc>,
    },
    /// The team lead must be a member of the team.
    #[error("agent {agent} is not a member of team {team}")]
    NotAMember {
        /// The team.
        team: TeamId,
        /// The agent who is not in it.
        agent: AgentId,
    },
}

/// A skill used for routing, normalised to lowercase (`"Linux"` and
/// `"linux"` are the same skill).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Skill(String);

impl Skill {
    /// A skill from its name.
    ///
    /// # Errors
    /// [`AgentError::EmptySkill`] for a blank name.
    pub fn new(name: impl AsRef<str>) -> Result<Self, AgentError> {
        let name = name.as_ref().trim();
        if name.is_empty() {
            return Err(AgentError::EmptySkill);
        }
        Ok(Skill(name.to_lowercase()))
    }

    /// The normalised name.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

validated_string!(Skill, AgentError);

/// A change to an existing agent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
#[non_exhaustive]
pub enum AgentCommand {
    /// Rename.
    Rename(String),
    /// Move to another home time zone.
    SetTimeZone(Tz),
    /// Learn a skill.
    AddSkill(Skill),
    /// Drop a skill.
    RemoveSkill(Skill),
    /// Grant a role.
    GrantRole(Role),
    /// Revoke a role.
    RevokeRole(Role),
    /// Set who the agent reports to (`None`: nobody, the CEO).
    ReportTo(Option<AgentId>),
    /// The agent left; no more changes, no more routing.
    Deactivate,
    /// Set working hours (a calendar in the agent's zone, usually), or
    /// with `None` clear them: around the clock.
    SetWorkingHours(Option<BusinessCalendar>),
    /// Set protected windows: the calendar's open time is the agent's own
    /// ("the mornings are mine"); `None` clears them.
    SetProtectedTime(Option<BusinessCalendar>),
    /// Record a stretch of time away.
    AddAbsence(Absence),
    /// Cancel the absence starting at this instant.
    CancelAbsence(DateTime<Utc>),
}

/// Something that happened to an agent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentEvent {
    /// When it happened.
    pub at: DateTime<Utc>,
    /// What happened.
    pub kind: AgentEventKind,
}

/// What happened to an agent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum AgentEventKind {
    /// The agent joined.
    Registered {
        /// The new agent's id.
        id: AgentId,
        /// Display name.
        name: String,
        /// Home time zone.
        time_zone: Tz,
        /// Roles at joining.
        roles: BTreeSet<Role>,
        /// Skills at joining.
        skills: BTreeSet<Skill>,
    },
    /// Renamed.
    Renamed {
        /// The new name.
        name: String,
    },
    /// Moved time zone.
    TimeZoneChanged {
        /// The new zone.
        time_zone: Tz,
    },
    /// Learned a skill.
    SkillAdded {
        /// The skill.
        skill: Skill,
    },
    /// Dropped a skill.
    SkillRemoved {
        /// The skill.
        skill: Skill,
    },
    /// Granted a role.
    RoleGranted {
        /// The role.
        role: Role,
    },
    /// Lost a role.
    RoleRevoked {
        /// The role.
        role: Role,
    },
    /// The reporting line changed.
    ManagerChanged {
        /// The new manager.
        manager: Option<AgentId>,
    },
    /// Left.
    Deactivated,
    /// Working hours set (`None`: around the clock).
    WorkingHoursSet {
        /// The hours.
        hours: Option<BusinessCalendar>,
    },
    /// Protected windows set (`None`: none).
    ProtectedTimeSet {
        /// The protected calendar.
        protected: Option<BusinessCalendar>,
    },
    /// An absence recorded.
    AbsenceAdded {
        /// The absence.
        absence: Absence,
    },
    /// An absence cancelled.
    AbsenceCancelled {
        /// Its first instant.
        from: DateTime<Utc>,
    },
    /// An absence began while the desk assigns tickets by itself: the
    /// agent's auto-assigned tickets moved (recorded by the desk's
    /// assignment rule, once per absence).
    AbsenceBegan {
        /// The absence's first instant.
        from: DateTime<Utc>,
    },
}

/// A support employee.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Agent {
    id: AgentId,
    name: String,
    time_zone: Tz,
    roles: BTreeSet<Role>,
    skills: BTreeSet<Skill>,
    manager: Option<AgentId>,
    active: bool,
    #[serde(default, skip_serializing_if = "Schedule::is_empty")]
    schedule: Schedule,
}

impl Agent {
    /// Decides the registration of a new agent.
    ///
    /// # Errors
    /// [`AgentError::EmptyName`] for a blank name.
    pub fn register(
        id: AgentId,
        name: impl Into<String>,
        time_zone: Tz,
        roles: impl IntoIterator<Item = Role>,
        skills: impl IntoIterator<Item = Skill>,
        now: DateTime<Utc>,
    ) -> Result<Vec<AgentEvent>, AgentError> {
        let name = non_empty(name.into(), "agent")?;
        Ok(vec![AgentEvent {
            at: now,
            kind: AgentEventKind::Registered {
                id,
                name,
                time_zone,
                roles: roles.into_iter().collect(),
                skills: skills.into_iter().collect(),
            },
        }])
    }

    /// Rebuilds an agent from its events; `None` unless the first is
    /// [`AgentEventKind::Registered`].
    #[must_use]
    pub fn from_events(events: &[AgentEvent]) -> Option<Self> {
        let (first, rest) = events.split_first()?;
        let mut agent = Self::from_registered(first)?;
        for e in rest {
            agent.apply(e);
        }
        Some(agent)
    }

    /// The agent created by a [`AgentEventKind::Registered`] event.
    #[must_use]
    pub fn from_registered(event: &AgentEvent) -> Option<Self> {
        match &event.kind {
            AgentEventKind::Registered {
                id,
                name,
                time_zone,
                roles,
                skills,
            } => Some(Agent {
                id: *id,
                name: name.clone(),
                time_zone: *time_zone,
                roles: roles.clone(),
                skills: skills.clone(),
                manager: None,
                active: true,
                schedule: Schedule::default(),
            }),
            _ => None,
        }
    }

    /// Decides a command. Commands that would change nothing (granting a
    /// role the agent has) decide no events.
    ///
    /// # Errors
    /// [`AgentError::Deactivated`] once the agent has left; name and skill
    /// validation errors.
    pub fn handle(
        &self,
        command: AgentCommand,
        now: DateTime<Utc>,
    ) -> Result<Vec<AgentEvent>, AgentError> {
        if !self.active {
            return Err(AgentError::Deactivated(self.id));
        }
        let kind = match command {
            AgentCommand::Rename(name) => {
                let name = non_empty(name, "agent")?;
                (name != self.name).then_some(AgentEventKind::Renamed { name })
            }
            AgentCommand::SetTimeZone(tz) => {
                (tz != self.time_zone).then_some(AgentEventKind::TimeZoneChanged { time_zone: tz })
            }
            AgentCommand::AddSkill(skill) => {
                (!self.skills.contains(&skill)).then_some(AgentEventKind::SkillAdded { skill })
            }
            AgentCommand::RemoveSkill(skill) => self
                .skills
                .contains(&skill)
                .then_some(AgentEventKind::SkillRemoved { skill }),
            AgentCommand::GrantRole(role) => {
                (!self.roles.contains(&role)).then_some(AgentEventKind::RoleGranted { role })
            }
            AgentCommand::RevokeRole(role) => self
                .roles
                .contains(&role)
                .then_some(AgentEventKind::RoleRevoked { role }),
            AgentCommand::ReportTo(manager) => {
                if manager == Some(self.id) {
                    return Err(AgentError::SelfReport(self.id));
                }
                (manager != self.manager).then_some(AgentEventKind::ManagerChanged { manager })
            }
            AgentCommand::Deactivate => Some(AgentEventKind::Deactivated),
            AgentCommand::SetWorkingHours(hours) => {
                let mut s = self.schedule.clone();
                s.set_hours(hours.clone());
                self.keeps_time(&s, now)?;
                (hours.as_ref() != self.schedule.hours())
                    .then_some(AgentEventKind::WorkingHoursSet { hours })
            }
            AgentCommand::SetProtectedTime(protected) => {
                let mut s = self.schedule.clone();
                s.set_protected(protected.clone());
                self.keeps_time(&s, now)?;
                (protected.as_ref() != self.schedule.protected())
                    .then_some(AgentEventKind::ProtectedTimeSet { protected })
            }
            AgentCommand::AddAbsence(absence) => {
                if absence.until <= absence.from {
                    return Err(AgentError::EmptyAbsence {
                        agent: self.id,
                        from: absence.from,
                        until: absence.until,
                    });
                }
                if let Some(other) = self.schedule.overlapping(absence) {
                    return Err(AgentError::OverlappingAbsence {
                        agent: self.id,
                        from: absence.from,
                        until: absence.until,
                        other_from: other.from,
                        other_until: other.until,
                    });
                }
                Some(AgentEventKind::AbsenceAdded { absence })
            }
            AgentCommand::CancelAbsence(from) => {
                if !self.schedule.absences().any(|a| a.from == from) {
                    return Err(AgentError::UnknownAbsence {
                        agent: self.id,
                        from,
                    });
                }
                Some(AgentEventKind::AbsenceCancelled { from })
            }
        };
        Ok(kind
            .map(|kind| AgentEvent { at: now, kind })
            .into_iter()
            .collect())
    }

    /// Folds an event into the agent.
    pub fn apply(&mut self, event: &AgentEvent) {
        match &event.kind {
            AgentEventKind::Registered { .. } => {}
            AgentEventKind::Renamed { name } => self.name.clone_from(name),
            AgentEventKind::TimeZoneChanged { time_zone } => self.time_zone = *time_zone,
            AgentEventKind::SkillAdded { skill } => {
                self.skills.insert(skill.clone());
            }
            AgentEventKind::SkillRemoved { skill } => {
                self.skills.remove(skill);
            }
            AgentEventKind::RoleGranted { role } => {
                self.roles.insert(role.clone());
            }
            AgentEventKind::RoleRevoked { role } => {
                self.roles.remove(role);
            }
            AgentEventKind::ManagerChanged { manager } => self.manager = *manager,
            AgentEventKind::Deactivated => self.active = false,
            AgentEventKind::WorkingHoursSet { hours } => self.schedule.set_hours(hours.clone()),
            AgentEventKind::ProtectedTimeSet { protected } => {
                self.schedule.set_protected(protected.clone());
            }
            AgentEventKind::AbsenceAdded { absence } => self.schedule.add_absence(*absence),
            AgentEventKind::AbsenceCancelled { from } => self.schedule.cancel_absence(*from),
            // The desk keeps which absences it has handled.
            AgentEventKind::AbsenceBegan { .. } => {}
        }
    }

    /// Refuses a schedule that leaves no working time outside protected
    /// time from `now` on.
    fn keeps_time(&self, schedule: &Schedule, now: DateTime<Utc>) -> Result<(), AgentError> {
        match schedule.next_available(now) {
            Some(_) => Ok(()),
            None => Err(AgentError::NeverAvailable(self.id)),
        }
    }

    /// The agent's id.
    #[must_use]
    pub fn id(&self) -> AgentId {
        self.id
    }
    /// Display name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }
    /// Home time zone.
    #[must_use]
    pub fn time_zone(&self) -> Tz {
        self.time_zone
    }
    /// Roles held.
    #[must_use]
    pub fn roles(&self) -> &BTreeSet<Role> {
        &self.roles
    }
    /// Whether the agent holds `role`.
    #[must_use]
    pub fn has_role(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }
    /// Skills.
    #[must_use]
    pub fn skills(&self) -> &BTreeSet<Skill> {
        &self.skills
    }
    /// Whether the agent has `skill`.
    #[must_use]
    pub fn has_skill(&self, skill: &Skill) -> bool {
        self.skills.contains(skill)
    }
    /// Who the agent reports to.
    #[must_use]
    pub fn manager(&self) -> Option<AgentId> {
        self.manager
    }
    /// False once deactivated.
    #[must_use]
    pub fn is_active(&self) -> bool {
        self.active
    }
    /// Working hours, protected windows and absences.
    #[must_use]
    pub fn schedule(&self) -> &Schedule {
        &self.schedule
    }
    /// Whether any of the agent's roles may see spend and tier.
    #[must_use]
    pub fn sees_spend(&self) -> bool {
        self.roles.iter().any(|r| r.sees_spend())
    }
    /// What reads that can reveal spend show this agent: amounts while
    /// active and holding a role that sees spend, nothing otherwise.
    #[must_use]
    pub fn spend_access(&self) -> SpendAccess {
        if self.active && self.sees_spend() {
            SpendAccess::Shown
        } else {
            SpendAccess::Hidden
        }
    }
}

/// Whether a viewer may see a customer's spend and tier and the amounts
/// computed from them (credits). Every read that can reveal them gives the
/// same type to every viewer, with each amount an `Option`: `Some` for
/// [`SpendAccess::Shown`], `None` for [`SpendAccess::Hidden`].
///
/// ```
/// use fanatical::agent::SpendAccess;
/// assert_eq!(SpendAccess::Shown.reveal(12_000), Some(12_000));
/// assert_eq!(SpendAccess::Hidden.reveal(12_000), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SpendAccess {
    /// Amounts are shown: account management, billing, executives.
    Shown,
    /// Amounts are left out: every other role.
    Hidden,
}

impl SpendAccess {
    /// `value` when shown, `None` when hidden.
    #[must_use]
    pub fn reveal<T>(self, value: T) -> Option<T> {
        match self {
            SpendAccess::Shown => Some(value),
            SpendAccess::Hidden => None,
        }
    }
}

/// A change to an existing team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
#[non_exhaustive]
pub enum TeamCommand {
    /// Rename.
    Rename(String),
    /// Add a member (an agent may be in several teams).
    AddMember(AgentId),
    /// Remove a member (and the lead role if they held it).
    RemoveMember(AgentId),
    /// Make a member the lead.
    SetLead(AgentId),
}

/// Something that happened to a team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamEvent {
    /// When it happened.
    pub at: DateTime<Utc>,
    /// What happened.
    pub kind: TeamEventKind,
}

/// What happened to a team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum TeamEventKind {
    /// The team was formed.
    Created {
        /// Its id.
        id: TeamId,
        /// Its name.
        name: String,
    },
    /// Renamed.
    Renamed {
        /// New name.
        name: String,
    },
    /// A member joined.
    MemberAdded {
        /// Who.
        agent: AgentId,
    },
    /// A member left.
    MemberRemoved {
        /// Who.
        agent: AgentId,
    },
    /// The lead changed.
    LeadSet {
        /// The new lead.
        agent: AgentId,
    },
}

/// A team of agents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Team {
    id: TeamId,
    name: String,
    members: BTreeSet<AgentId>,
    lead: Option<AgentId>,
}

impl Team {
    /// Decides the creation of a team.
    ///
    /// # Errors
    /// [`AgentError::EmptyName`] for a blank name.
    pub fn create(
        id: TeamId,
        name: impl Into<String>,
        now: DateTime<Utc>,
    ) -> Result<Vec<TeamEvent>, AgentError> {
        let name = non_empty(name.into(), "team")?;
        Ok(vec![TeamEvent {
            at: now,
            kind: TeamEventKind::Created { id, name },
        }])
    }

    /// The team created by a [`TeamEventKind::Created`] event.
    #[must_use]
    pub fn from_created(event: &TeamEvent) -> Option<Self> {
        match &event.kind {
            TeamEventKind::Created { id, name } => Some(Team {
                id: *id,
                name: name.clone(),
                members: BTreeSet::new(),
                lead: None,
            }),
            _ => None,
        }
    }

    /// Decides a command; no-ops decide no events.
    ///
    /// # Errors
    /// [`AgentError::NotAMember`] when the new lead is not in the team.
    pub fn handle(
        &self,
        command: TeamCommand,
        now: DateTime<Utc>,
    ) -> Result<Vec<TeamEvent>, AgentError> {
        let kind = match command {
            TeamCommand::Rename(name) => {
                let name = non_empty(name, "team")?;
                (name != self.name).then_some(TeamEventKind::Renamed { name })
            }
            TeamCommand::AddMember(agent) => {
                (!self.members.contains(&agent)).then_some(TeamEventKind::MemberAdded { agent })
            }
            TeamCommand::RemoveMember(agent) => self
                .members
                .contains(&agent)
                .then_some(TeamEventKind::MemberRemoved { agent }),
            TeamCommand::SetLead(agent) => {
                if !self.members.contains(&agent) {
                    return Err(AgentError::NotAMember {
                        team: self.id,
                        agent,
                    });
                }
                (self.lead != Some(agent)).then_some(TeamEventKind::LeadSet { agent })
            }
        };
        Ok(kind
            .map(|kind| TeamEvent { at: now, kind })
            .into_iter()
            .collect())
    }

    /// Folds an event into the team.
    pub fn apply(&mut self, event: &TeamEvent) {
        match &event.kind {
            TeamEventKind::Created { .. } => {}
            TeamEventKind::Renamed { name } => self.name.clone_from(name),
            TeamEventKind::MemberAdded { agent } => {
                self.members.insert(*agent);
            }
            TeamEventKind::MemberRemoved { agent } => {
                self.members.remove(agent);
                if self.lead == Some(*agent) {
                    self.lead = None;
                }
            }
            TeamEventKind::LeadSet { agent } => self.lead = Some(*agent),
        }
    }

    /// The team's id.
    #[must_use]
    pub fn id(&self) -> TeamId {
        self.id
    }
    /// Its name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }
    /// Its members.
    #[must_use]
    pub fn members(&self) -> &BTreeSet<AgentId> {
        &self.members
    }
    /// Its lead, if one is set.
    #[must_use]
    pub fn lead(&self) -> Option<AgentId> {
        self.lead
    }
}

fn non_empty(name: String, what: &'static str) -> Result<String, AgentError> {
    let trimmed = name.trim();
    if trimmed.is_empty() {
        Err(AgentError::EmptyName { what })
    } else {
        Ok(trimmed.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 5, 12, 0, 0).unwrap()
    }

    fn agent() -> Agent {
        let id = AgentId::from_uuid(uuid::Uuid::from_u128(9));
        let ev = Agent::register(id, " Jane ", chrono_tz::UTC, [Role::Agent], [], now()).unwrap();
        Agent::from_events(&ev).unwrap()
    }

    #[test]
    fn registration_trims_and_rejects_blank_names() {
        assert_eq!(agent().name(), "Jane");
        let id = AgentId::from_uuid(uuid::Uuid::from_u128(1));
        assert_eq!(
            Agent::register(id, "  ", chrono_tz::UTC, [], [], now()),
            Err(AgentError::EmptyName { what: "agent" })
        );
    }

    #[test]
    fn noop_commands_decide_nothing_and_deactivated_agents_refuse() {
        let mut a = agent();
        assert!(
            a.handle(AgentCommand::GrantRole(Role::Agent), now())
                .unwrap()
                .is_empty()
        );
        let ev = a.handle(AgentCommand::Deactivate, now()).unwrap();
        a.apply(&ev[0]);
        assert!(!a.is_active());
        assert_eq!(
            a.handle(AgentCommand::GrantRole(Role::Billing), now()),
            Err(AgentError::Deactivated(a.id()))
        );
    }

    #[test]
    fn schedules_change_once_and_absences_are_checked() {
        let mut a = agent();
        let hours = BusinessCalendar::weekdays(
            chrono_tz::UTC,
            crate::sla::DayHours::parse(&[("08:00", "17:00")]).unwrap(),
        );
        let set = AgentCommand::SetWorkingHours(Some(hours.clone()));
        for e in a.handle(set.clone(), now()).unwrap() {
            a.apply(&e);
        }
        assert_eq!(a.schedule().hours(), Some(&hours));
        assert_eq!(a.handle(set, now()), Ok(Vec::new()), "no change, no event");
        let away = Absence {
            from: now(),
            until: now() + chrono::Duration::days(1),
        };
        for e in a.handle(AgentCommand::AddAbsence(away), now()).unwrap() {
            a.apply(&e);
        }
        // Monday noon, away until Tuesday noon: back then, on shift.
        assert_eq!(a.schedule().next_available(now()), Some(away.until));
        for e in a
            .handle(AgentCommand::CancelAbsence(away.from), now())
            .unwrap()
        {
            a.apply(&e);
        }
        assert_eq!(a.schedule().next_available(now()), Some(now()));
        assert_eq!(
            a.handle(AgentCommand::CancelAbsence(away.from), now()),
            Err(AgentError::UnknownAbsence {
                agent: a.id(),
                from: away.from
            })
        );
    }

    #[test]
    fn spend_is_for_account_billing_and_executives_only() {
        let mut a = agent();
        assert!(!a.sees_spend());
        let ev = a
            .handle(AgentCommand::GrantRole(Role::Billing), now())
            .unwrap();
        a.apply(&ev[0]);
        assert!(a.sees_spend());
        assert!(!Role::SafetyResponder.sees_spend());
        assert!(!Role::Manager.sees_spend());
    }

    #[test]
    fn team_lead_must_be_a_member_and_leaving_clears_lead() {
        let tid = TeamId::from_uuid(uuid::Uuid::from_u128(3));
        let mut t = Team::from_created(&Team::create(tid, "Social", now()).unwrap()[0]).unwrap();
        let a = AgentId::from_uuid(uuid::Uuid::from_u128(4));
        assert_eq!(
            t.handle(TeamCommand::SetLead(a), now()),
            Err(AgentError::NotAMember {
                team: tid,
                agent: a
            })
        );
        for e in t.handle(TeamCommand::AddMember(a), now()).unwrap() {
            t.apply(&e);
        }
        for e in t.handle(TeamCommand::SetLead(a), now()).unwrap() {
            t.apply(&e);
        }
        assert_eq!(t.lead(), Some(a));
        for e in t.handle(TeamCommand::RemoveMember(a), now()).unwrap() {
            t.apply(&e);
        }
        assert_eq!(t.lead(), None);
        assert!(t.members().is_empty());
    }

    #[test]
    fn skills_normalise_and_round_trip() {
        assert_eq!(Skill::new(" Linux ").unwrap(), Skill::new("linux").unwrap());
        assert_eq!(Skill::new(""), Err(AgentError::EmptySkill));
        let json = serde_json::to_string(&Skill::new("Windows").unwrap()).unwrap();
        assert_eq!(json, "\"windows\"");
        assert!(serde_json::from_str::<Skill>("\"  \"").is_err());
    }
}
