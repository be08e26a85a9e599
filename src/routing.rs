//! Routing: who takes a ticket now, and who is on duty when.
//!
//! Each [`RoutingAgent`] has working hours (a [`BusinessCalendar`] in their
//! own zone), protected windows in which nobody may route to or page them
//! ("the mornings are mine": not even the CEO), skills and a capacity.
//! [`Router::route`] picks an available agent with every required skill
//! and the lowest load, and says why; when nobody is available it says who
//! will be first, and when. [`Router::coverage`] lists the hours of a week
//! with nobody on duty.
//!
//! Routing never sees a customer: no spend, no tier, no name. Two
//! customers who differ only in spend are routed identically by
//! construction (and a test proves it through the desk).
//!
//! # Example
//! ```
//! use std::collections::BTreeMap;
//! use chrono::{TimeZone, Utc};
//! use chrono_tz::America::Chicago;
//! use fanatical::agent::Skill;
//! use fanatical::routing::{Router, RoutingAgent, Routing};
//! use fanatical::sla::{BusinessCalendar, DayHours};
//!
//! let id = |n| fanatical::id::AgentId::from_uuid(uuid::Uuid::from_u128(n));
//! let day = BusinessCalendar::weekdays(Chicago, DayHours::parse(&[("08:00", "17:00")])?);
//! let linux = Skill::new("linux")?;
//! // Rob's mornings are his: nobody routes to him before noon.
//! let rob = RoutingAgent::new(id(1), day.clone(), [linux.clone()], 5)
//!     .protect(DayHours::parse(&[("08:00", "12:00")])?)?;
//! let ana = RoutingAgent::new(id(2), day, [linux.clone()], 5);
//! let router = Router::new(vec![rob, ana])?;
//!
//! let nine = Chicago.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap().with_timezone(&Utc);
//! let mut loads = BTreeMap::new();
//! loads.insert(id(2), 4); // Ana is busier, but Rob's morning is protected.
//! match router.route(&[linux], &loads, nine)? {
//!     Routing::Assigned { agent, .. } => assert_eq!(agent, id(2)),
//!     other => panic!("{other:?}"),
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, Utc, Weekday};
use serde::{Deserialize, Serialize};

use crate::agent::{Absence, Agent, Schedule, Skill, Unavailable};
use crate::field::{FieldKey, FieldTerm, FieldValues};
use crate::id::AgentId;
use crate::sla::{BusinessCalendar, DayHours, SlaError};

/// Why routing failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RoutingError {
    /// Nobody has these skills together.
    #[error("nobody has the skills {}", .0.iter().map(Skill::as_str).collect::<Vec<_>>().join(", "))]
    NoSkill(Vec<Skill>),
    /// People have the skills but their hours never open again.
    #[error("nobody with the skills is ever on duty again")]
    NobodyEverAvailable,
    /// A protected window longer than the working day it sits in.
    #[error(
        "agent {agent}: protected time on {weekday} ({protected} min) is longer than the working day ({working} min)"
    )]
    ProtectedLongerThanDay {
        /// The agent.
        agent: AgentId,
        /// Which day.
        weekday: Weekday,
        /// Protected minutes that day.
        protected: i64,
        /// Working minutes that day.
        working: i64,
    },
    /// Two routing agents for one person.
    #[error("agent {0} is listed twice")]
    DuplicateAgent(AgentId),
    /// A calendar problem.
    #[error(transparent)]
    Sla(#[from] SlaError),
}

/// An agent as routing sees them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoutingAgent {
    agent: AgentId,
    hours: BusinessCalendar,
    protected_week: [DayHours; 7],
    /// Hours, protected time and absences together: what availability
    /// reads.
    schedule: Schedule,
    skills: BTreeSet<Skill>,
    capacity: u32,
}

const WEEK: [Weekday; 7] = [
    Weekday::Mon,
    Weekday::Tue,
    Weekday::Wed,
    Weekday::Thu,
    Weekday::Fri,
    Weekday::Sat,
    Weekday::Sun,
];

fn minutes(d: &DayHours) -> i64 {
    d.shifts()
        .iter()
        .map(|s| i64::from(s.end().seconds() - s.start().seconds()) / 60)
        .sum()
}

impl RoutingAgent {
    /// An agent with working hours (in their own zone), skills and a
    /// capacity (how many open tickets they can hold).
    #[must_use]
    pub fn new(
        agent: AgentId,
        hours: BusinessCalendar,
        skills: impl IntoIterator<Item = Skill>,
        capacity: u32,
    ) -> Self {
        let protected_week: [DayHours; 7] = std::array::from_fn(|_| DayHours::closed());
        let schedule = Schedule::default().with_hours(hours.clone());
        RoutingAgent {
            agent,
            hours,
            protected_week,
            schedule,
            skills: skills.into_iter().collect(),
            capacity,
        }
    }

    /// A desk agent as routing sees them: their skills, and weekly hours
    /// (Monday first) in their own time zone.
    #[must_use]
    pub fn for_agent(agent: &crate::agent::Agent, week: [DayHours; 7], capacity: u32) -> Self {
        Self::new(
            agent.id(),
            BusinessCalendar::weekly(agent.time_zone(), week),
            agent.skills().iter().cloned(),
            capacity,
        )
    }

    /// A desk agent as routing sees them, from their record: skills,
    /// working hours (around the clock when none are set), protected
    /// windows and absences.
    ///
    /// ```
    /// # use chrono::{Duration, TimeZone, Utc};
    /// # use fanatical::prelude::*;
    /// # let fanatical::desk::fixture::Fixture { mut desk, mut store, mut ids, now, acme, jane, ana, ticket, email } =
    /// #     fanatical::desk::fixture::fixture()?;
    /// use fanatical::agent::{Absence, AgentCommand};
    /// use fanatical::routing::{Router, Routing, RoutingAgent};
    /// let away = Absence { from: now, until: now + Duration::days(2) };
    /// let away_cmd = PeopleAction::UpdateAgent { agent: ana, command: AgentCommand::AddAbsence(away) };
    /// desk.execute(&mut store, Command::new(Actor::integration("hr"), away_cmd), now)?;
    /// let router = Router::new(vec![RoutingAgent::from_agent(desk.people().agent(ana).unwrap(), 10)])?;
    /// match desk.tickets().route(ticket, &router, &[], now)? {
    ///     Routing::Wait { at, reason, .. } => {
    ///         assert_eq!(at, away.until);
    ///         assert!(reason.ends_with(&format!("not routed to agent {ana}: not available until {}", away.until)));
    ///     }
    ///     other => panic!("{other:?}"),
    /// }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn from_agent(agent: &Agent, capacity: u32) -> Self {
        let schedule = agent.schedule();
        let hours = schedule.hours().cloned().unwrap_or_else(|| {
            BusinessCalendar::weekly(
                agent.time_zone(),
                std::array::from_fn(|_| DayHours::all_day()),
            )
        });
        let protected_week = schedule.protected().map_or_else(
            || std::array::from_fn(|_| DayHours::closed()),
            |p| p.week().clone(),
        );
        RoutingAgent {
            agent: agent.id(),
            hours,
            protected_week,
            schedule: schedule.clone(),
            skills: agent.skills().iter().cloned().collect(),
            capacity,
        }
    }

    /// This agent away for a stretch: not routed to in `[from, until)`.
    #[must_use]
    pub fn with_absence(mut self, absence: Absence) -> Self {
        self.schedule = self.schedule.with_absence(absence);
        self
    }

    /// Protects the same window on every working day (Monday to Friday).
    ///
    /// # Errors
    /// As [`RoutingAgent::protect_on`].
    pub fn protect(self, window: DayHours) -> Result<Self, RoutingError> {
        let days = WEEK.into_iter().take(5);
        days.into_iter()
            .try_fold(self, |a, d| a.protect_on(d, window.clone()))
    }

    /// Protects a window on one weekday, in the agent's zone: nobody may
    /// route to or page them then.
    ///
    /// # Errors
    /// [`RoutingError::ProtectedLongerThanDay`] when the window is longer
    /// than that day's working hours.
    pub fn protect_on(mut self, day: Weekday, window: DayHours) -> Result<Self, RoutingError> {
        let idx = day.num_days_from_monday() as usize;
        let working = self.hours.week().get(idx).map_or(0, minutes);
        let mut shifts: Vec<_> = self
            .protected_week
            .get(idx)
            .map(|d| d.shifts().to_vec())
            .unwrap_or_default();
        shifts.extend(window.shifts().iter().copied());
        let merged = DayHours::new(shifts)?;
        let protected = minutes(&merged);
        if working > 0 && protected > working {
            return Err(RoutingError::ProtectedLongerThanDay {
                agent: self.agent,
                weekday: day,
                protected,
                working,
            });
        }
        if let Some(slot) = self.protected_week.get_mut(idx) {
            *slot = merged;
        }
        let tz = self
            .schedule
            .protected()
            .map_or(self.hours.tz(), BusinessCalendar::tz);
        let protected = BusinessCalendar::weekly(tz, self.protected_week.clone());
        self.schedule = std::mem::take(&mut self.schedule).with_protected(protected);
        Ok(self)
    }

    /// The agent.
    #[must_use]
    pub fn agent(&self) -> AgentId {
        self.agent
    }
    /// Skills.
    #[must_use]
    pub fn skills(&self) -> &BTreeSet<Skill> {
        &self.skills
    }
    /// Capacity.
    #[must_use]
    pub fn capacity(&self) -> u32 {
        self.capacity
    }

    /// On shift, not in a protected window and not away.
    #[must_use]
    pub fn is_available(&self, at: DateTime<Utc>) -> bool {
        self.schedule.is_available(at)
    }

    /// Why the agent cannot be routed to at `at` (away, protected, off
    /// shift); `None` when they can.
    #[must_use]
    pub fn unavailable(&self, at: DateTime<Utc>) -> Option<Unavailable> {
        self.schedule.unavailable(at)
    }

    /// The first instant at or after `from` when the agent is on shift,
    /// not protected and not away; `None` when that never happens again.
    #[must_use]
    pub fn next_available(&self, from: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.schedule.next_available(from)
    }

    /// When the current available stretch ends (the shift closes, a
    /// protected window starts or an absence begins), for an available
    /// agent.
    fn available_until(&self, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.schedule.available_until(at)
    }
}

/// The outcome of routing a ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Routing {
    /// Someone takes it now.
    Assigned {
        /// Who.
        agent: AgentId,
        /// Why them.
        reason: String,
    },
    /// Nobody can take it now; this is who will be first, and when.
    Wait {
        /// Who.
        agent: AgentId,
        /// When they become available.
        at: DateTime<Utc>,
        /// Why.
        reason: String,
    },
}

/// Hours of a week with nobody on duty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Coverage {
    /// The week's first instant.
    pub from: DateTime<Utc>,
    /// The week's end.
    pub to: DateTime<Utc>,
    /// Gaps with nobody available, in order.
    pub gaps: Vec<(DateTime<Utc>, DateTime<Utc>)>,
}

impl Coverage {
    /// Total time with nobody on duty.
    #[must_use]
    pub fn uncovered(&self) -> Duration {
        self.gaps.iter().map(|(a, b)| *b - *a).sum()
    }
    /// Whether somebody is on duty the whole time (a 24x7 promise holds).
    #[must_use]
    pub fn is_complete(&self) -> bool {
        self.gaps.is_empty()
    }
}

/// The skills a ticket's custom fields call for: each field value (an
/// exact-match [`FieldTerm`]: an option, a number...) may name a skill
/// the agent taking the ticket must have.
///
/// ```
/// use fanatical::agent::Skill;
/// use fanatical::field::{FieldKey, FieldTerm, FieldValue, FieldValues};
/// use fanatical::routing::FieldSkills;
/// let product = FieldKey::new("product")?;
/// let skills = FieldSkills::new()
///     .map(product.clone(), FieldTerm::option("kubernetes"), Skill::new("k8s")?)
///     .map(product.clone(), FieldTerm::option("mail"), Skill::new("exchange")?);
/// let values: FieldValues = [(product, FieldValue::choices(["kubernetes", "mail"]))].into_iter().collect();
/// assert_eq!(skills.skills_for(&values), [Skill::new("exchange")?, Skill::new("k8s")?]);
/// assert!(skills.skills_for(&FieldValues::new()).is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldSkills(BTreeMap<FieldKey, BTreeMap<FieldTerm, Skill>>);

impl FieldSkills {
    /// No mappings.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// A ticket whose field `key` holds `term` needs `skill`.
    #[must_use]
    pub fn map(mut self, key: FieldKey, term: FieldTerm, skill: Skill) -> Self {
        self.0.entry(key).or_default().insert(term, skill);
        self
    }

    /// The skills `values` call for, sorted, each once.
    #[must_use]
    pub fn skills_for(&self, values: &FieldValues) -> Vec<Skill> {
        let set: BTreeSet<&Skill> = values
            .terms()
            .filter_map(|(k, t)| self.0.get(k).and_then(|m| m.get(&t)))
            .collect();
        set.into_iter().cloned().collect()
    }
}

/// Routes tickets among agents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Router {
    agents: Vec<RoutingAgent>,
    /// Which agents have each skill, so a route only looks at agents
    /// with the rarest required skill.
    by_skill: BTreeMap<Skill, Vec<usize>>,
}

impl Router {
    /// A router over these agents.
    ///
    /// # Errors
    /// [`RoutingError::DuplicateAgent`].
    pub fn new(agents: Vec<RoutingAgent>) -> Result<Self, RoutingError> {
        let mut seen = BTreeSet::new();
        let mut by_skill: BTreeMap<Skill, Vec<usize>> = BTreeMap::new();
        for (i, a) in agents.iter().enumerate() {
            if !seen.insert(a.agent) {
                return Err(RoutingError::DuplicateAgent(a.agent));
            }
            for s in &a.skills {
                by_skill.entry(s.clone()).or_default().push(i);
            }
        }
        Ok(Router { agents, by_skill })
    }

    /// The agents.
    #[must_use]
    pub fn agents(&self) -> &[RoutingAgent] {
        &self.agents
    }

    /// Picks who takes a ticket needing `skills` at `now`, given each
    /// agent's open-ticket `loads` (missing means zero): among agents with
    /// every skill, on shift, outside protected time and under capacity,
    /// the lowest load (then the most spare capacity, then the lowest id,
    /// so the choice is deterministic).
    ///
    /// # Errors
    /// [`RoutingError::NoSkill`] naming the skills nobody has (or the
    /// combination, when nobody has them all);
    /// [`RoutingError::NobodyEverAvailable`].
    pub fn route(
        &self,
        skills: &[Skill],
        loads: &BTreeMap<AgentId, u32>,
        now: DateTime<Utc>,
    ) -> Result<Routing, RoutingError> {
        let rarest = skills
            .iter()
            .map(|s| self.by_skill.get(s).map_or(&[][..], Vec::as_slice))
            .min_by_key(|list| list.len());
        let pool: Box<dyn Iterator<Item = &RoutingAgent>> = match rarest {
            Some(list) => Box::new(list.iter().filter_map(|&i| self.agents.get(i))),
            None => Box::new(self.agents.iter()),
        };
        let candidates: Vec<&RoutingAgent> = pool
            .filter(|a| skills.iter().all(|s| a.skills.contains(s)))
            .collect();
        if candidates.is_empty() {
            let missing: Vec<Skill> = skills
                .iter()
                .filter(|s| !self.agents.iter().any(|a| a.skills.contains(*s)))
                .cloned()
                .collect();
            return Err(RoutingError::NoSkill(if missing.is_empty() {
                skills.to_vec()
            } else {
                missing
            }));
        }
        // Whose own time is passed over, named in the reason. An absence
        // says only until when: the reason is on the ticket, and why a
        // colleague is away is theirs.
        let passed: String = candidates
            .iter()
            .filter_map(|a| match a.unavailable(now)? {
                Unavailable::Absent { until } => Some(format!(
                    "; not routed to agent {}: not available until {until}",
                    a.agent
                )),
                why @ Unavailable::Protected { .. } => {
                    Some(format!("; not routed to agent {}: {why}", a.agent))
                }
                Unavailable::OffShift { .. } => None,
            })
            .collect();
        let load = |a: &RoutingAgent| loads.get(&a.agent).copied().unwrap_or(0);
        let best = candidates
            .iter()
            .filter(|a| load(a) < a.capacity && a.is_available(now))
            .min_by_key(|a| (load(a), std::cmp::Reverse(a.capacity - load(a)), a.agent));
        if let Some(a) = best {
            let until = a
                .available_until(now)
                .map_or(String::new(), |u| format!(", on duty until {u}"));
            return Ok(Routing::Assigned {
                agent: a.agent,
                reason: format!(
                    "has {}{until}; {} of {} open tickets, the lowest load available{passed}",
                    skill_list(skills),
                    load(a),
                    a.capacity
                ),
            });
        }
        let next = candidates
            .iter()
            .filter_map(|a| {
                // On shift but full: free again only when a ticket closes,
                // which routing cannot foresee; count their next shift.
                let from = if a.is_available(now) {
                    a.available_until(now)?
                } else {
                    now
                };
                a.next_available(from).map(|t| (t, a.agent))
            })
            .min();
        match next {
            Some((at, agent)) => Ok(Routing::Wait {
                agent,
                at,
                reason: format!(
                    "nobody with {} is available now; the first is on duty at {at}{passed}",
                    skill_list(skills)
                ),
            }),
            None => Err(RoutingError::NobodyEverAvailable),
        }
    }

    /// The gaps in `[from, from + 7 days)` when none of `team` (all agents
    /// when empty) is on duty outside protected time.
    #[must_use]
    pub fn coverage(&self, team: &[AgentId], from: DateTime<Utc>) -> Coverage {
        let to = crate::time::plus(from, Duration::days(7));
        let mut covered: Vec<(DateTime<Utc>, DateTime<Utc>)> = Vec::new();
        for a in self
            .agents
            .iter()
            .filter(|a| team.is_empty() || team.contains(&a.agent))
        {
            let mut t = from;
            while t < to {
                let Some(start) = a.next_available(t).filter(|s| *s < to) else {
                    break;
                };
                let end = a.available_until(start).unwrap_or(to).min(to);
                if end <= start {
                    break;
                }
                covered.push((start, end));
                t = end;
            }
        }
        covered.sort();
        let mut gaps = Vec::new();
        let mut cursor = from;
        for (a, b) in covered {
            if a > cursor {
                gaps.push((cursor, a));
            }
            cursor = cursor.max(b);
        }
        if cursor < to {
            gaps.push((cursor, to));
        }
        Coverage { from, to, gaps }
    }
}

fn skill_list(skills: &[Skill]) -> String {
    if skills.is_empty() {
        "no special skills needed".to_owned()
    } else {
        skills
            .iter()
            .map(Skill::as_str)
            .collect::<Vec<_>>()
            .join(", ")
    }
}
