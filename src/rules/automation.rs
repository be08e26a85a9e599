//! Automations: time-based rules. When a ticket has been in a state long
//! enough (hours since it was opened, last updated, or entered a status;
//! or hours before an SLA deadline), the desk runs the automation's
//! actions, from its timer table, at the instant it falls due.

use std::collections::BTreeSet;
use std::fmt;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::sla::{Metric, Phase, TicketSla};
use crate::ticket::{Status, Tag, Ticket};

use super::{Condition, RuleAction, RuleName, RulesError, Subject};

/// When an automation falls due for a ticket: how long since something,
/// or how long before an SLA deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Elapsed {
    /// This long after the ticket was opened.
    SinceCreated(#[serde(with = "crate::time::nanos")] Duration),
    /// This long after the ticket last changed (anything recorded on it,
    /// an automation's own changes too).
    SinceUpdated(#[serde(with = "crate::time::nanos")] Duration),
    /// This long after the ticket entered `status`, while it is still in
    /// it.
    InStatus {
        /// The status.
        status: Status,
        /// How long.
        #[serde(with = "crate::time::nanos")]
        after: Duration,
    },
    /// This long before a running SLA clock's deadline (of `metric`, or
    /// any), while it has not breached.
    BeforeDeadline {
        /// The metric, or any.
        metric: Option<Metric>,
        /// How long before.
        #[serde(with = "crate::time::nanos")]
        before: Duration,
    },
}

impl Elapsed {
    /// The instant this falls due for `ticket` as it is now (`None`: it
    /// cannot, in this state).
    #[must_use]
    pub fn due(&self, ticket: &Ticket, sla: Option<&TicketSla>) -> Option<DateTime<Utc>> {
        match *self {
            Elapsed::SinceCreated(d) => Some(crate::time::plus(ticket.opened_at(), d)),
            Elapsed::SinceUpdated(d) => Some(crate::time::plus(ticket.updated_at(), d)),
            Elapsed::InStatus { status, after } => {
                (ticket.status() == status).then(|| crate::time::plus(ticket.status_since(), after))
            }
            Elapsed::BeforeDeadline { metric, before } => sla?
                .metrics()
                .iter()
                .filter(|m| m.breached.is_none() && metric.is_none_or(|x| x == m.key.metric))
                .filter_map(|m| match &m.phase {
                    Phase::Active { schedule, .. } => schedule.deadline,
                    _ => None,
                })
                .min()
                .map(|d| crate::time::minus(d, before)),
        }
    }

    fn duration(&self) -> Duration {
        match *self {
            Elapsed::SinceCreated(d) | Elapsed::SinceUpdated(d) => d,
            Elapsed::InStatus { after, .. } => after,
            Elapsed::BeforeDeadline { before, .. } => before,
        }
    }
}

impl fmt::Display for Elapsed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let h = |d: &Duration| {
            let m = d.num_minutes();
            if m % 60 == 0 {
                format!("{} h", m / 60)
            } else {
                format!("{m} min")
            }
        };
        match self {
            Elapsed::SinceCreated(d) => write!(f, "{} since created", h(d)),
            Elapsed::SinceUpdated(d) => write!(f, "{} since updated", h(d)),
            Elapsed::InStatus { status, after } => write!(f, "{} {status}", h(after)),
            Elapsed::BeforeDeadline { metric, before } => match metric {
                Some(m) => write!(f, "{} before the {m} deadline", h(before)),
                None => write!(f, "{} before an SLA deadline", h(before)),
            },
        }
    }
}

/// A time-based rule: when a ticket's [`Elapsed`] falls due and its
/// conditions hold then, its actions run, recorded with the automation as
/// their actor. It runs at most once per due instant: once for a ticket's
/// opening, once per stretch in a status, once per deadline, and, for
/// "since updated", again only after the ticket has changed and gone
/// quiet again.
///
/// ```
/// use chrono::Duration;
/// use fanatical::rules::Automation;
///
/// let close = Automation::close_solved_after(Duration::days(4))?;
/// assert_eq!(close.name().as_str(), "close solved tickets");
/// # Ok::<(), fanatical::rules::RulesError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Automation {
    /// Its name: unique in its set, and the actor of what it changes.
    pub name: RuleName,
    /// When it falls due.
    pub when: Elapsed,
    /// Conditions that must all hold when it falls due. What changed is no
    /// condition of an automation (nothing just changed).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub all: Vec<Condition>,
    /// Conditions of which one must hold (none: no such test).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub any: Vec<Condition>,
    /// What it does, in order.
    pub actions: Vec<RuleAction>,
    /// Whether it runs.
    #[serde(default = "super::yes", skip_serializing_if = "super::is_yes")]
    pub active: bool,
}

impl Automation {
    /// An automation with a name, when it falls due and its actions.
    ///
    /// # Errors
    /// [`RulesError::InvalidName`].
    pub fn new(
        name: &str,
        when: Elapsed,
        actions: impl IntoIterator<Item = RuleAction>,
    ) -> Result<Self, RulesError> {
        Ok(Automation {
            name: RuleName::new(name)?,
            when,
            all: Vec::new(),
            any: Vec::new(),
            actions: actions.into_iter().collect(),
            active: true,
        })
    }

    /// Zendesk's default: a ticket solved for `after` is closed.
    ///
    /// # Errors
    /// Never for this name; the signature is [`Automation::new`]'s.
    pub fn close_solved_after(after: Duration) -> Result<Self, RulesError> {
        Automation::new(
            "close solved tickets",
            Elapsed::InStatus {
                status: Status::Solved,
                after,
            },
            [RuleAction::SetStatus(Status::Closed)],
        )
    }

    /// A pending ticket nobody has answered for `after` gets `reminder`
    /// as a public reply, once (tagged `reminded`, which a customer's
    /// answer does not remove: use with [`Automation::solve_reminded`]).
    ///
    /// # Errors
    /// [`RulesError::InvalidName`] never; a blank reminder is refused when
    /// the set is built.
    pub fn remind_pending(after: Duration, reminder: &str) -> Result<Self, RulesError> {
        let reminded = reminded_tag()?;
        Ok(Automation::new(
            "remind pending tickets",
            Elapsed::InStatus {
                status: Status::Pending,
                after,
            },
            [
                RuleAction::Reply {
                    body: reminder.to_owned(),
                },
                RuleAction::AddTag(reminded.clone()),
            ],
        )?
        .when_all(Condition::Not(Box::new(Condition::HasTag(reminded)))))
    }

    /// A pending ticket reminded (tagged `reminded`) and still unanswered
    /// `after` the reminder is solved.
    ///
    /// # Errors
    /// Never for this name.
    pub fn solve_reminded(after: Duration) -> Result<Self, RulesError> {
        Ok(Automation::new(
            "solve reminded tickets",
            Elapsed::SinceUpdated(after),
            [RuleAction::SetStatus(Status::Solved)],
        )?
        .when_all(Condition::Status([Status::Pending].into()))
        .when_all(Condition::HasTag(reminded_tag()?)))
    }

    /// Adds a condition that must hold.
    #[must_use]
    pub fn when_all(mut self, c: Condition) -> Self {
        self.all.push(c);
        self
    }

    /// Adds a condition of which one must hold.
    #[must_use]
    pub fn when_any(mut self, c: Condition) -> Self {
        self.any.push(c);
        self
    }

    /// Its name.
    #[must_use]
    pub fn name(&self) -> &RuleName {
        &self.name
    }

    /// Whether its conditions hold for `s` (not its time: see
    /// [`Elapsed::due`]).
    #[must_use]
    pub fn matches(&self, s: &Subject<'_>) -> bool {
        super::all_and_any(&self.all, &self.any, s)
    }

    /// Whether one of its actions makes one of its own `all` conditions
    /// false, or changes the ticket's status away from the one it waits
    /// in: what stops a "since updated" automation firing again every
    /// time it goes quiet.
    fn nullifies_itself(&self) -> bool {
        let status_left = match self.when {
            Elapsed::InStatus { status, .. } => self
                .actions
                .iter()
                .any(|a| matches!(a, RuleAction::SetStatus(s) if *s != status)),
            _ => false,
        };
        status_left
            || self.actions.iter().any(|a| {
                self.all.iter().any(|c| match (a, c) {
                    (RuleAction::SetStatus(s), Condition::Status(set)) => !set.contains(s),
                    (RuleAction::AddTag(t), Condition::Not(n)) => {
                        matches!(&**n, Condition::HasTag(x) if x == t)
                    }
                    (RuleAction::RemoveTag(t), Condition::HasTag(x)) => x == t,
                    (RuleAction::SetPriority(p), Condition::Priority(set)) => !set.contains(p),
                    _ => false,
                })
            })
    }
}

fn reminded_tag() -> Result<Tag, RulesError> {
    Tag::new("reminded").map_err(|_| RulesError::InvalidName("reminded".to_owned()))
}

/// Something wrong with a set of automations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum AutomationProblem {
    /// Two automations have one name.
    DuplicateName {
        /// The name.
        name: RuleName,
    },
    /// An automation does nothing.
    NoActions {
        /// The automation.
        automation: RuleName,
    },
    /// A "since updated" automation none of whose actions makes one of its
    /// own conditions false: it would run again every time the ticket went
    /// quiet, for ever (Zendesk asks for a nullifying condition too).
    NotNullified {
        /// The automation.
        automation: RuleName,
    },
    /// A condition on what just changed: nothing just changes when time
    /// passes.
    ChangeCondition {
        /// The automation.
        automation: RuleName,
    },
    /// A duration out of range (negative, or over 100 years).
    Duration {
        /// The automation.
        automation: RuleName,
        /// Why.
        reason: String,
    },
}

impl fmt::Display for AutomationProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AutomationProblem::DuplicateName { name } => {
                write!(f, "two automations are named {:?}", name.as_str())
            }
            AutomationProblem::NoActions { automation } => {
                write!(f, "automation {:?} does nothing", automation.as_str())
            }
            AutomationProblem::NotNullified { automation } => write!(
                f,
                "automation {:?} runs on time since the last update but nothing it does \
                 makes its conditions false: it would run again every time the ticket went quiet \
                 (add a condition its action ends, such as `not tagged x` with `add tag x`)",
                automation.as_str()
            ),
            AutomationProblem::ChangeCondition { automation } => write!(
                f,
                "automation {:?} has a condition on what just changed: nothing changes when time passes",
                automation.as_str()
            ),
            AutomationProblem::Duration { automation, reason } => {
                write!(f, "automation {:?}: {reason}", automation.as_str())
            }
        }
    }
}

/// Every problem an automation set has.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid automations: {}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
pub struct AutomationProblems(Vec<AutomationProblem>);

impl AutomationProblems {
    /// The problems.
    #[must_use]
    pub fn problems(&self) -> &[AutomationProblem] {
        &self.0
    }
}

/// A checked set of automations (see [`AutomationProblem`]), in position
/// order; they run in that order when several fall due on one ticket at
/// once.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Vec<Automation>", into = "Vec<Automation>")]
pub struct AutomationSet(Vec<Automation>);

/// Read back, a set is checked as [`AutomationSet::new`] checks it but for
/// its durations: a recorded set reads whatever durations it holds (the
/// desk refused out-of-range ones when it was set, and a due instant
/// saturates, so none can panic).
impl TryFrom<Vec<Automation>> for AutomationSet {
    type Error = AutomationProblems;
    fn try_from(v: Vec<Automation>) -> Result<Self, Self::Error> {
        AutomationSet::checked(v, false)
    }
}

impl From<AutomationSet> for Vec<Automation> {
    fn from(s: AutomationSet) -> Self {
        s.0
    }
}

impl AutomationSet {
    /// Checks `automations`.
    ///
    /// # Errors
    /// [`AutomationProblems`], every problem at once.
    pub fn new(automations: Vec<Automation>) -> Result<Self, AutomationProblems> {
        AutomationSet::checked(automations, true)
    }

    fn checked(automations: Vec<Automation>, durations: bool) -> Result<Self, AutomationProblems> {
        let mut problems = Vec::new();
        let mut names = BTreeSet::new();
        for a in &automations {
            let name = || a.name.clone();
            if !names.insert(&a.name) {
                problems.push(AutomationProblem::DuplicateName { name: name() });
            }
            if a.actions.is_empty() {
                problems.push(AutomationProblem::NoActions { automation: name() });
            }
            if matches!(a.when, Elapsed::SinceUpdated(_)) && !a.nullifies_itself() {
                problems.push(AutomationProblem::NotNullified { automation: name() });
            }
            if a.all.iter().chain(&a.any).any(mentions_change) {
                problems.push(AutomationProblem::ChangeCondition { automation: name() });
            }
            if let Err(e) = crate::time::check_configured("elapsed", a.when.duration())
                && durations
            {
                problems.push(AutomationProblem::Duration {
                    automation: name(),
                    reason: e.to_string(),
                });
            }
        }
        if problems.is_empty() {
            Ok(AutomationSet(automations))
        } else {
            Err(AutomationProblems(problems))
        }
    }

    /// No automations.
    #[must_use]
    pub fn empty() -> Self {
        AutomationSet::default()
    }

    /// What Zendesk users expect: a solved ticket closes four days after
    /// it was solved. (A desk has no automations unless configured: give
    /// it these with `DeskConfig::with_automations`.)
    #[must_use]
    pub fn defaults() -> Self {
        AutomationSet(
            Automation::close_solved_after(Duration::days(4))
                .into_iter()
                .collect(),
        )
    }

    /// Whether there are none.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// This set checked in full, its durations too.
    ///
    /// # Errors
    /// As [`AutomationSet::new`].
    pub fn check(&self) -> Result<(), AutomationProblems> {
        AutomationSet::new(self.0.clone()).map(|_| ())
    }

    /// The automations, in position order.
    #[must_use]
    pub fn automations(&self) -> &[Automation] {
        &self.0
    }

    /// The active automations, in position order.
    pub fn active(&self) -> impl Iterator<Item = &Automation> {
        self.0.iter().filter(|a| a.active)
    }
}

fn mentions_change(c: &Condition) -> bool {
    match c {
        Condition::Changed(_) => true,
        Condition::Not(inner) => mentions_change(inner),
        _ => false,
    }
}
