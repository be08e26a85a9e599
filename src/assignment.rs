//! Automatic assignment: which tickets the desk assigns by itself, how many
//! open tickets of a channel one agent may hold, and how the agent is
//! chosen, in turn among equals.
//!
//! [`AutoAssign`] is configuration ([`crate::desk::DeskConfig::assignment`],
//! off by default). [`choose`] is the pure rule the desk applies: among the
//! candidates (active agents of the pool with every skill the ticket
//! needs), those available now (on shift, not absent, not in protected
//! time) and under their capacity for the ticket's channel are eligible;
//! the lowest channel load wins, and agents with equal load are taken
//! **in turn**: the first of them, in agent-id order, whose id comes after
//! the pool's cursor (the agent the desk last auto-assigned in the pool),
//! wrapping round to the lowest id. When nobody is eligible the answer is
//! a [`Waiting`]: why ([`WaitReason`]) and when someone with room will be
//! on duty.
//!
//! ```
//! use fanatical::assignment::{choose, Candidate, Choice};
//! use fanatical::id::AgentId;
//! let id = |n| AgentId::from_uuid(uuid::Uuid::from_u128(n));
//! let free = |n| Candidate { agent: id(n), load: 0, capacity: Some(3), unavailable: None, next_available: None };
//! let all = [free(1), free(2), free(3)];
//! // Equal loads: after agent 1 comes agent 2, after agent 3 agent 1 again.
//! assert_eq!(choose(&all, &[], Some(id(1))), Choice::Assign(id(2)));
//! assert_eq!(choose(&all, &[], Some(id(3))), Choice::Assign(id(1)));
//! assert_eq!(choose(&all, &[], None), Choice::Assign(id(1)));
//! ```

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::agent::{Skill, Unavailable};
use crate::channel::ChannelKind;
use crate::id::{AgentId, TeamId};
use crate::routing::FieldSkills;
pub use crate::ticket::{WaitReason, Waiting};

/// The name of the rule the desk acts by when it assigns by itself: its
/// events are by `Actor::System(Cause::Rule(AUTO_ASSIGN))`.
pub const AUTO_ASSIGN: &str = "auto-assign";

/// Which tickets the desk assigns by itself, and how much each agent may
/// hold. Off by default (nothing listed): the desk then assigns nothing
/// and keeps no assignment timers.
///
/// A ticket is auto-assigned when it arrives (opened, or received as an
/// inbound message) on a channel kind in `channels`, or when it is placed
/// in a team in `teams` while unassigned. A ticket with a team goes to one
/// of the team's members; one without, to any agent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AutoAssign {
    /// Channel kinds whose tickets are assigned on arrival.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub channels: BTreeSet<ChannelKind>,
    /// Teams whose tickets are assigned when they are placed in them.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub teams: BTreeSet<TeamId>,
    /// The most unsolved tickets of a channel kind one agent may be
    /// auto-assigned (say chat 3, email 20). A kind not listed has no
    /// limit. Tickets assigned by hand count towards it too.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub capacity: BTreeMap<ChannelKind, u32>,
    /// The skills a ticket's custom fields call for (the agent must have
    /// them all).
    #[serde(default, skip_serializing_if = "is_default")]
    pub field_skills: FieldSkills,
}

fn is_default(s: &FieldSkills) -> bool {
    *s == FieldSkills::default()
}

impl AutoAssign {
    /// Off: nothing is auto-assigned.
    #[must_use]
    pub fn off() -> Self {
        Self::default()
    }

    /// Whether nothing is auto-assigned (the default).
    #[must_use]
    pub fn is_off(&self) -> bool {
        self.channels.is_empty() && self.teams.is_empty()
    }

    /// This configuration with tickets arriving on `kind` auto-assigned.
    #[must_use]
    pub fn channel(mut self, kind: ChannelKind) -> Self {
        self.channels.insert(kind);
        self
    }

    /// This configuration with tickets placed in `team` auto-assigned.
    #[must_use]
    pub fn team(mut self, team: TeamId) -> Self {
        self.teams.insert(team);
        self
    }

    /// This configuration with at most `max` unsolved tickets of `kind`
    /// per agent.
    #[must_use]
    pub fn capacity(mut self, kind: ChannelKind, max: u32) -> Self {
        self.capacity.insert(kind, max);
        self
    }

    /// This configuration with skills called for by custom fields.
    #[must_use]
    pub fn field_skills(mut self, skills: FieldSkills) -> Self {
        self.field_skills = skills;
        self
    }

    /// The most tickets of `kind` one agent may hold (`None`: no limit).
    #[must_use]
    pub fn capacity_of(&self, kind: ChannelKind) -> Option<u32> {
        self.capacity.get(&kind).copied()
    }

    /// Whether a ticket on `kind`, in `team`, is auto-assigned when it
    /// arrives or is placed in its team.
    #[must_use]
    pub fn covers(&self, kind: ChannelKind, team: Option<TeamId>) -> bool {
        self.channels.contains(&kind) || team.is_some_and(|t| self.teams.contains(&t))
    }
}

/// The agents one rotation runs over: tickets of a channel kind, in a team
/// (its members) or in none (every agent). Each pool has its own cursor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Pool {
    /// The tickets' channel kind.
    pub channel: ChannelKind,
    /// Their team (`None`: any agent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team: Option<TeamId>,
}

/// One agent as [`choose`] sees them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Candidate {
    /// The agent.
    pub agent: AgentId,
    /// Their unsolved tickets of the ticket's channel kind.
    pub load: u32,
    /// How many they may hold (`None`: no limit).
    pub capacity: Option<u32>,
    /// Why they cannot take a ticket now (`None`: they can).
    pub unavailable: Option<Unavailable>,
    /// Their next working minute, when `unavailable` (their next shift,
    /// the end of their absence or protected window).
    pub next_available: Option<DateTime<Utc>>,
}

impl Candidate {
    fn has_room(&self) -> bool {
        self.capacity.is_none_or(|c| self.load < c)
    }
}

/// What [`choose`] decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Choice {
    /// This agent takes the ticket.
    Assign(AgentId),
    /// Nobody can; the ticket waits.
    Wait(Waiting),
}

/// Chooses who takes a ticket among `candidates` (the pool's active agents
/// with every skill in `skills`), in turn after `cursor` (the agent last
/// auto-assigned in the pool). See the module docs for the rule.
#[must_use]
pub fn choose(candidates: &[Candidate], skills: &[Skill], cursor: Option<AgentId>) -> Choice {
    if candidates.is_empty() {
        return Choice::Wait(Waiting {
            reason: WaitReason::NoSkill {
                skills: skills.iter().map(|s| s.as_str().to_owned()).collect(),
            },
            until: None,
        });
    }
    let eligible = || {
        candidates
            .iter()
            .filter(|c| c.unavailable.is_none() && c.has_room())
    };
    if let Some(low) = eligible().map(|c| c.load).min() {
        let mut tied: Vec<AgentId> = eligible()
            .filter(|c| c.load == low)
            .map(|c| c.agent)
            .collect();
        tied.sort_unstable();
        let next = cursor
            .and_then(|k| tied.iter().find(|a| **a > k))
            .or_else(|| tied.first());
        if let Some(a) = next {
            return Choice::Assign(*a);
        }
    }
    let room: Vec<&Candidate> = candidates.iter().filter(|c| c.has_room()).collect();
    let on_duty_full = candidates
        .iter()
        .any(|c| c.unavailable.is_none() && !c.has_room());
    let reason = if room.is_empty() || on_duty_full {
        WaitReason::AtCapacity
    } else {
        WaitReason::OffDuty
    };
    let until = room.iter().filter_map(|c| c.next_available).min();
    Choice::Wait(Waiting { reason, until })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn id(n: u128) -> AgentId {
        AgentId::from_uuid(uuid::Uuid::from_u128(n))
    }

    fn c(n: u128, load: u32, cap: Option<u32>, away: Option<u32>) -> Candidate {
        let at = |h| Utc.with_ymd_and_hms(2026, 11, 2, h, 0, 0).unwrap();
        Candidate {
            agent: id(n),
            load,
            capacity: cap,
            unavailable: away.map(|h| Unavailable::Absent { until: at(h) }),
            next_available: away.map(at),
        }
    }

    #[test]
    fn the_lowest_load_wins_and_equals_take_turns() {
        let all = [
            c(1, 2, None, None),
            c(2, 1, None, None),
            c(3, 1, None, None),
        ];
        assert_eq!(choose(&all, &[], None), Choice::Assign(id(2)));
        assert_eq!(choose(&all, &[], Some(id(2))), Choice::Assign(id(3)));
        // Past the last tied id: round to the first.
        assert_eq!(choose(&all, &[], Some(id(3))), Choice::Assign(id(2)));
        // The cursor need not be tied itself.
        assert_eq!(choose(&all, &[], Some(id(1))), Choice::Assign(id(2)));
    }

    #[test]
    fn nobody_eligible_says_why_and_until_when() {
        let skills = vec![Skill::new("linux").unwrap()];
        assert_eq!(
            choose(&[], &skills, None),
            Choice::Wait(Waiting {
                reason: WaitReason::NoSkill {
                    skills: vec!["linux".to_owned()]
                },
                until: None
            })
        );
        let away = [c(1, 0, Some(3), Some(9)), c(2, 0, Some(3), Some(7))];
        let Choice::Wait(w) = choose(&away, &skills, None) else {
            panic!("assigned an absent agent")
        };
        assert_eq!(w.reason, WaitReason::OffDuty);
        assert_eq!(w.until, away[1].next_available);
        // On duty but full, the other away: at capacity, until the other
        // is back.
        let full = [c(1, 3, Some(3), None), c(2, 0, Some(3), Some(7))];
        let Choice::Wait(w) = choose(&full, &skills, None) else {
            panic!("assigned over capacity")
        };
        assert_eq!(
            (w.reason, w.until),
            (WaitReason::AtCapacity, full[1].next_available)
        );
        // Everyone full, even the one away: nobody foresees when.
        let all_full = [c(1, 3, Some(3), None), c(2, 3, Some(3), Some(7))];
        let Choice::Wait(w) = choose(&all_full, &skills, None) else {
            panic!("assigned over capacity")
        };
        assert_eq!((w.reason, w.until), (WaitReason::AtCapacity, None));
    }
}
