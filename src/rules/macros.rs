//! Macros: named bundles of actions an agent applies to a ticket in one
//! command.

use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::id::TeamId;

use super::trigger::contradicting;
use super::{Attribute, RuleAction, RuleName};

/// A macro: a named bundle of [`RuleAction`]s (status, priority, tags,
/// fields, assignment, a reply from one of the desk's reply templates in
/// the requester's language, pages, an escalation) that an agent applies
/// to a ticket in one command,
/// [`TicketAction::ApplyMacro`](crate::desk::TicketAction::ApplyMacro).
///
/// Applying one is the agent's own update: every change is recorded with
/// the agent as its actor (after a
/// [`MacroApplied`](crate::ticket::TicketEventKind::MacroApplied) event
/// naming the macro), each action needs the permission the same change
/// made by hand needs, the desk's triggers then run on the result, and a
/// refused action refuses the whole macro, writing nothing.
/// [`Desk::preview_macro`](crate::desk::Desk::preview_macro) shows what it
/// would do without doing it.
///
/// ```
/// use fanatical::rules::{Macro, MacroSet, RuleAction};
/// use fanatical::template::ReplyName;
/// use fanatical::ticket::{Status, Tag};
///
/// let reset = Macro::new("Password reset", [
///     RuleAction::ReplyWith { template: ReplyName::new("password-reset")? },
///     RuleAction::AddTag(Tag::new("password")?),
///     RuleAction::SetStatus(Status::Pending),
///     RuleAction::AssignToActor,
/// ])?
/// .describe("Sends the reset steps and waits for the customer.");
/// let set = MacroSet::new(vec![reset])?;
/// assert_eq!(set.get("Password reset").map(|m| m.actions.len()), Some(4));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Macro {
    /// Its name: unique in its set.
    pub name: RuleName,
    /// What it is for, shown to agents choosing one.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// What it does, in order.
    pub actions: Vec<RuleAction>,
    /// The teams whose members may apply it (none: every agent).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub teams: Vec<TeamId>,
    /// Whether agents may apply it (an inactive macro is kept, not
    /// offered).
    #[serde(default = "super::yes", skip_serializing_if = "super::is_yes")]
    pub active: bool,
}

impl Macro {
    /// An active macro for every agent, with a name and its actions.
    ///
    /// # Errors
    /// [`super::RulesError::InvalidName`] for a blank or overlong name.
    pub fn new(
        name: &str,
        actions: impl IntoIterator<Item = RuleAction>,
    ) -> Result<Self, super::RulesError> {
        Ok(Macro {
            name: RuleName::new(name)?,
            description: String::new(),
            actions: actions.into_iter().collect(),
            teams: Vec::new(),
            active: true,
        })
    }

    /// Sets what it is for.
    #[must_use]
    pub fn describe(mut self, description: &str) -> Self {
        description.trim().clone_into(&mut self.description);
        self
    }

    /// Only members of these teams may apply it.
    #[must_use]
    pub fn for_teams(mut self, teams: impl IntoIterator<Item = TeamId>) -> Self {
        self.teams = teams.into_iter().collect();
        self
    }

    /// The same macro, kept but not offered.
    #[must_use]
    pub fn inactive(mut self) -> Self {
        self.active = false;
        self
    }

    /// Its name.
    #[must_use]
    pub fn name(&self) -> &RuleName {
        &self.name
    }

    /// Whether a member of `teams` may apply it (active, and for every
    /// agent or for one of their teams).
    #[must_use]
    pub fn offered_to(&self, teams: &[TeamId]) -> bool {
        self.active && (self.teams.is_empty() || self.teams.iter().any(|t| teams.contains(t)))
    }
}

/// What is wrong with a macro.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
#[non_exhaustive]
pub enum MacroProblem {
    /// Two macros have one name.
    DuplicateName {
        /// The name.
        name: RuleName,
    },
    /// A macro does nothing.
    NoActions {
        /// The macro.
        name: RuleName,
    },
    /// A macro's actions set one thing two ways.
    Contradiction {
        /// The macro.
        name: RuleName,
        /// What it sets twice.
        attribute: Attribute,
    },
    /// A reply, page or escalation entry with no text.
    EmptyText {
        /// The macro.
        name: RuleName,
    },
}

impl fmt::Display for MacroProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MacroProblem::DuplicateName { name } => write!(f, "two macros are named {name}"),
            MacroProblem::NoActions { name } => write!(f, "macro {name} does nothing"),
            MacroProblem::Contradiction { name, attribute } => {
                write!(f, "macro {name} sets {attribute} two ways")
            }
            MacroProblem::EmptyText { name } => write!(f, "macro {name} has an empty text"),
        }
    }
}

/// Every problem of a macro set, refused as a whole.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid macros: {}", join(.0))]
pub struct MacroProblems(Vec<MacroProblem>);

fn join(problems: &[MacroProblem]) -> String {
    problems
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

impl MacroProblems {
    /// The problems, in set order.
    #[must_use]
    pub fn problems(&self) -> &[MacroProblem] {
        &self.0
    }
}

/// The desk's macros, checked: unique names, each doing something, none
/// setting one thing two ways, no empty text.
///
/// # Errors
/// [`MacroSet::new`] refuses a set with problems, naming every one:
///
/// ```
/// use fanatical::rules::{Macro, MacroProblem, MacroSet, RuleAction};
/// use fanatical::ticket::Status;
///
/// let both = Macro::new("Close or wait", [
///     RuleAction::SetStatus(Status::Solved),
///     RuleAction::SetStatus(Status::Pending),
/// ])?;
/// let err = MacroSet::new(vec![both]).unwrap_err();
/// assert!(matches!(err.problems(), [MacroProblem::Contradiction { .. }]));
/// assert_eq!(err.to_string(), "invalid macros: macro Close or wait sets the status two ways");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Vec<Macro>", into = "Vec<Macro>")]
pub struct MacroSet {
    macros: Vec<Macro>,
}

impl TryFrom<Vec<Macro>> for MacroSet {
    type Error = MacroProblems;
    fn try_from(v: Vec<Macro>) -> Result<Self, Self::Error> {
        MacroSet::new(v)
    }
}

impl From<MacroSet> for Vec<Macro> {
    fn from(s: MacroSet) -> Self {
        s.macros
    }
}

impl MacroSet {
    /// Checks `macros` (see the type's docs).
    ///
    /// # Errors
    /// [`MacroProblems`], every problem at once.
    pub fn new(macros: Vec<Macro>) -> Result<Self, MacroProblems> {
        let mut problems = Vec::new();
        let mut names = BTreeSet::new();
        for m in &macros {
            if !names.insert(&m.name) {
                problems.push(MacroProblem::DuplicateName {
                    name: m.name.clone(),
                });
            }
            if m.actions.is_empty() {
                problems.push(MacroProblem::NoActions {
                    name: m.name.clone(),
                });
            }
            problems.extend(contradicting(&m.actions).into_iter().map(|attribute| {
                MacroProblem::Contradiction {
                    name: m.name.clone(),
                    attribute,
                }
            }));
            let empty = m.actions.iter().any(|a| match a {
                RuleAction::Reply { body } | RuleAction::Page { body, .. } => {
                    body.trim().is_empty()
                }
                RuleAction::Escalate { from } => from.trim().is_empty(),
                _ => false,
            });
            if empty {
                problems.push(MacroProblem::EmptyText {
                    name: m.name.clone(),
                });
            }
        }
        if problems.is_empty() {
            Ok(MacroSet { macros })
        } else {
            Err(MacroProblems(problems))
        }
    }

    /// No macros.
    #[must_use]
    pub fn empty() -> Self {
        MacroSet::default()
    }

    /// The macros, in the order they were given (the order agents see).
    #[must_use]
    pub fn macros(&self) -> &[Macro] {
        &self.macros
    }

    /// Whether there are none.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.macros.is_empty()
    }

    /// How many there are.
    #[must_use]
    pub fn len(&self) -> usize {
        self.macros.len()
    }

    /// The macro with this name.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&Macro> {
        self.macros.iter().find(|m| m.name.as_str() == name)
    }

    /// The macros a member of `teams` is offered, in order.
    pub fn offered_to<'a>(&'a self, teams: &'a [TeamId]) -> impl Iterator<Item = &'a Macro> {
        self.macros.iter().filter(move |m| m.offered_to(teams))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::id::IdGenerator;
    use crate::ticket::{Priority, Tag};

    fn tag(s: &str) -> Tag {
        Tag::new(s).unwrap()
    }

    #[test]
    fn every_problem_is_named_at_once() {
        let a = Macro::new("A", [RuleAction::AddTag(tag("x"))]).unwrap();
        let twice = Macro::new("A", [RuleAction::AddTag(tag("y"))]).unwrap();
        let nothing = Macro::new("Nothing", []).unwrap();
        let both = Macro::new(
            "Both",
            [
                RuleAction::AddTag(tag("x")),
                RuleAction::RemoveTag(tag("x")),
            ],
        )
        .unwrap();
        let silent = Macro::new(
            "Silent",
            [RuleAction::Reply {
                body: "  ".to_owned(),
            }],
        )
        .unwrap();
        let err = MacroSet::new(vec![a, twice, nothing, both, silent]).unwrap_err();
        assert_eq!(
            err.problems(),
            &[
                MacroProblem::DuplicateName {
                    name: RuleName::new("A").unwrap()
                },
                MacroProblem::NoActions {
                    name: RuleName::new("Nothing").unwrap()
                },
                MacroProblem::Contradiction {
                    name: RuleName::new("Both").unwrap(),
                    attribute: Attribute::Tag(tag("x")),
                },
                MacroProblem::EmptyText {
                    name: RuleName::new("Silent").unwrap()
                },
            ]
        );
    }

    #[test]
    fn assigning_to_the_actor_and_to_someone_contradict() {
        let mut ids = IdGenerator::from_seed(3);
        let m = Macro::new(
            "Mine",
            [
                RuleAction::AssignToActor,
                RuleAction::Assign(Some(ids.next_id())),
            ],
        )
        .unwrap();
        assert!(matches!(
            MacroSet::new(vec![m]).unwrap_err().problems(),
            [MacroProblem::Contradiction {
                attribute: Attribute::Assignee,
                ..
            }]
        ));
    }

    #[test]
    fn team_macros_are_offered_to_their_teams_only() {
        let mut ids = IdGenerator::from_seed(4);
        let (billing, network): (TeamId, TeamId) = (ids.next_id(), ids.next_id());
        let refund = Macro::new("Refund", [RuleAction::SetPriority(Priority::High)])
            .unwrap()
            .for_teams([billing]);
        let thanks = Macro::new("Thanks", [RuleAction::AddTag(tag("thanked"))]).unwrap();
        let old = Macro::new("Old", [RuleAction::AddTag(tag("old"))])
            .unwrap()
            .inactive();
        let set = MacroSet::new(vec![refund, thanks, old]).unwrap();
        let names = |teams: &[TeamId]| -> Vec<String> {
            set.offered_to(teams).map(|m| m.name.to_string()).collect()
        };
        assert_eq!(names(&[billing]), ["Refund", "Thanks"]);
        assert_eq!(names(&[network]), ["Thanks"]);
        assert_eq!(names(&[]), ["Thanks"]);
    }

    #[test]
    fn a_set_round_trips_and_bad_json_is_refused() {
        let m = Macro::new("Urgent", [RuleAction::SetPriority(Priority::Urgent)])
            .unwrap()
            .describe("  For outages.  ");
        assert_eq!(m.description, "For outages.");
        let set = MacroSet::new(vec![m.clone()]).unwrap();
        let json = serde_json::to_string(&set).unwrap();
        assert_eq!(serde_json::from_str::<MacroSet>(&json).unwrap(), set);
        let twice = serde_json::to_string(&vec![m.clone(), m]).unwrap();
        let err = serde_json::from_str::<MacroSet>(&twice).unwrap_err();
        assert!(
            err.to_string().contains("two macros are named Urgent"),
            "{err}"
        );
    }
}
