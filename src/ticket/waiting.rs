//! Why a ticket the desk should assign by itself waits for an agent
//! (recorded on the ticket by the desk's assignment rule; see
//! `crate::assignment`).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Why a ticket that should be auto-assigned is not.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
#[non_exhaustive]
pub enum WaitReason {
    /// No active agent of the pool has these skills together (none: the
    /// pool has no active agent at all).
    NoSkill {
        /// The names of the skills the ticket needs (as
        /// `crate::agent::Skill` spells them; the ticket model sits below
        /// the agents').
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        skills: Vec<String>,
    },
    /// Everyone with the skills who is on duty holds as many tickets of
    /// the channel as they may (or everyone does).
    AtCapacity,
    /// Everyone with the skills and room is off shift, absent or in
    /// protected time.
    OffDuty,
}

impl std::fmt::Display for WaitReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WaitReason::NoSkill { skills } if skills.is_empty() => {
                f.write_str("nobody can take tickets here")
            }
            WaitReason::NoSkill { skills } => {
                write!(f, "nobody has the skills {}", skills.join(", "))
            }
            WaitReason::AtCapacity => f.write_str("everyone on duty is at capacity"),
            WaitReason::OffDuty => f.write_str("everyone with room is off duty or absent"),
        }
    }
}

/// A ticket waiting for an agent: why, and when someone with the skills
/// and room will be on duty (`None`: nobody ever will, or only when a
/// ticket is solved, which nobody can foresee).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Waiting {
    /// Why nobody took it.
    pub reason: WaitReason,
    /// When the desk tries again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<DateTime<Utc>>,
}
