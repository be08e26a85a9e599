//! Business rules the support team writes itself: triggers, automations
//! and macros.
//!
//! A [`Trigger`] is an event-condition-action rule kept as data: when a
//! command (or a timer: an SLA warning or breach) changes a ticket, the
//! desk runs its [`TriggerSet`] on the ticket in the same decision. A
//! trigger whose conditions hold ([`Condition`], over the ticket, its
//! SLA, its customer's fields, who acted and what just changed) runs its
//! [`RuleAction`]s: setting status, priority, type, assignee, team, tags
//! and fields, adding CCs and followers, replying, noting, paging people,
//! escalating through the desk's escalation graph. Every change a trigger
//! makes is recorded with the trigger as its actor
//! (`Actor::System(Cause::Rule(name))`).
//!
//! **Order and termination.** A set is checked when it is built: a set
//! whose triggers change what each other read round a loop is refused,
//! naming the loop ([`TriggerProblem::Loop`]), as an escalation graph with
//! a cycle is. A checked set runs each trigger after every trigger that
//! changes what it reads, and otherwise in position order; each trigger
//! runs at most once per decision, and it sees everything the command and
//! the triggers before it changed. Because no trigger can change what a
//! trigger before it reads, running the set again on its own result would
//! fire nothing new: a checked set never loops (a property test checks
//! this against a run that allows refiring).
//!
//! **Automations** ([`Automation`]) are the time-based rules, run from
//! the desk's timer table; **macros** ([`Macro`]) are bundles of the same
//! actions an agent applies by hand, in one command.
//!
//! **Where triggers do not run:** on closed tickets, on a crisis ticket
//! (its handling belongs to a safety responder), and on the changes
//! triggers make themselves (those are part of the same run).
//!
//! # Example
//! ```
//! use fanatical::rules::{Change, Condition, RuleAction, Trigger, TriggerSet};
//! use fanatical::sla::Metric;
//! use fanatical::ticket::{Priority, Tag};
//!
//! // Escalate on a first-response breach, and mark the ticket.
//! let breach = Trigger::new("first response breached", [
//!     RuleAction::SetPriority(Priority::High),
//!     RuleAction::AddTag(Tag::new("breached")?),
//!     RuleAction::Escalate { from: "front_line".into() },
//! ])?
//! .when(Condition::Changed(Change::SlaBreached { metric: Some(Metric::FirstResponse) }));
//! let set = TriggerSet::new(vec![breach])?;
//! assert_eq!(set.len(), 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod automation;
#[cfg(feature = "proptest")]
pub mod checks;
mod condition;
mod index;
mod macros;
mod run;
#[cfg(feature = "proptest")]
pub mod strategies;
mod trigger;

#[cfg(test)]
mod tests;

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::field::FieldKey;
use crate::ticket::Tag;

pub use automation::{Automation, AutomationProblem, AutomationProblems, AutomationSet, Elapsed};
pub use condition::{ActorTest, AssigneeTest, Change, Changes, Condition, Party, SlaTest, Subject};
pub use macros::{Macro, MacroProblem, MacroProblems, MacroSet};
pub use run::{Outcome, Scenario, Unsettled};
pub use trigger::{PageTo, RuleAction, Trigger, TriggerProblem, TriggerProblems, TriggerSet};

/// Serde's default for `active`.
fn yes() -> bool {
    true
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's signature
fn is_yes(b: &bool) -> bool {
    *b
}

/// Whether every one of `all` holds and, when there are any, one of `any`.
fn all_and_any(all: &[Condition], any: &[Condition], s: &Subject<'_>) -> bool {
    all.iter().all(|c| c.holds(s)) && (any.is_empty() || any.iter().any(|c| c.holds(s)))
}

/// The longest rule name, in characters.
pub const MAX_NAME: usize = 100;

/// A rule's name: 1 to 100 characters of text without control
/// characters, trimmed. It is the actor of what the rule changes.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RuleName(String);

impl RuleName {
    /// A name.
    ///
    /// # Errors
    /// [`RulesError::InvalidName`] for a blank or overlong name, or one
    /// with control characters.
    pub fn new(name: &str) -> Result<Self, RulesError> {
        let n = name.trim();
        if n.is_empty() || n.chars().count() > MAX_NAME || n.chars().any(char::is_control) {
            return Err(RulesError::InvalidName(name.chars().take(200).collect()));
        }
        Ok(RuleName(n.to_owned()))
    }

    /// The name.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

validated_string!(RuleName, RulesError);

/// Something of a ticket a condition reads or an action changes: the
/// vertices of a trigger set's dependency graph.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Attribute {
    /// The status.
    Status,
    /// The priority.
    Priority,
    /// The type.
    Type,
    /// The assignee.
    Assignee,
    /// The team.
    Team,
    /// One tag.
    Tag(Tag),
    /// One custom field.
    Field(FieldKey),
    /// The CCs.
    Ccs,
    /// The followers.
    Followers,
    /// The public replies.
    PublicReply,
    /// The internal notes.
    InternalNote,
    /// The department it is handed to.
    Department,
}

impl fmt::Display for Attribute {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Attribute::Status => f.write_str("the status"),
            Attribute::Priority => f.write_str("the priority"),
            Attribute::Type => f.write_str("the type"),
            Attribute::Assignee => f.write_str("the assignee"),
            Attribute::Team => f.write_str("the team"),
            Attribute::Tag(t) => write!(f, "tag {t}"),
            Attribute::Field(k) => write!(f, "field {k}"),
            Attribute::Ccs => f.write_str("the CCs"),
            Attribute::Followers => f.write_str("the followers"),
            Attribute::PublicReply => f.write_str("the public replies"),
            Attribute::InternalNote => f.write_str("the internal notes"),
            Attribute::Department => f.write_str("the department"),
        }
    }
}

/// What is wrong with a rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RulesError {
    /// A name that is blank, too long or has control characters.
    #[error("invalid rule name {0:?}: 1 to 100 characters, no control characters")]
    InvalidName(String),
    /// A trigger set with problems.
    #[error(transparent)]
    Triggers(#[from] TriggerProblems),
    /// An automation set with problems.
    #[error(transparent)]
    Automations(#[from] AutomationProblems),
    /// A macro set with problems.
    #[error(transparent)]
    Macros(#[from] MacroProblems),
}

/// What can be asked of the rules area: an administrative act, needing
/// [`Permission::ManageRules`](crate::permission::Permission::ManageRules).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
#[non_exhaustive]
pub enum RulesAction {
    /// Replace the desk's triggers (recorded on the rules stream; the
    /// configured set until the first). Refused when a trigger names a
    /// field, agent, team, contact or escalation node the desk does not
    /// have.
    SetTriggers {
        /// The triggers from now on.
        triggers: TriggerSet,
    },
    /// Replace the desk's automations (recorded likewise). Refused as
    /// triggers are.
    SetAutomations {
        /// The automations from now on.
        automations: AutomationSet,
    },
    /// Replace the desk's macros (recorded likewise). Refused as triggers
    /// are; a macro for a team the desk does not have is refused too.
    SetMacros {
        /// The macros from now on.
        macros: MacroSet,
    },
}

/// A change to the desk's rules, recorded on
/// [`StreamId::Rules`](crate::event::StreamId::Rules) with who made it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RulesEvent {
    /// When.
    pub at: chrono::DateTime<chrono::Utc>,
    /// What changed.
    pub kind: RulesEventKind,
}

/// What changed in the desk's rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum RulesEventKind {
    /// The triggers were replaced.
    TriggersSet {
        /// The triggers from now on.
        triggers: TriggerSet,
    },
    /// The automations were replaced.
    AutomationsSet {
        /// The automations from now on.
        automations: AutomationSet,
    },
    /// The macros were replaced.
    MacrosSet {
        /// The macros from now on.
        macros: MacroSet,
    },
}
