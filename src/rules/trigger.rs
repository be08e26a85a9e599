//! Triggers and the checked set of them: actions, what each reads and
//! writes, the problems a set can have, and the order it runs in.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap};
use std::fmt;

use petgraph::graph::{DiGraph, NodeIndex};
use serde::{Deserialize, Serialize};

use crate::field::{FieldKey, FieldValue};
use crate::id::{AgentId, ContactId, TeamId};
use crate::ticket::{Priority, Status, Tag, TicketCommand, TicketType};

use super::index::TriggerIndex;
use super::{Attribute, Condition, RuleName, Subject};

/// What a trigger does when it fires. Every change is recorded with the
/// trigger as its actor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RuleAction {
    /// Set the status.
    SetStatus(Status),
    /// Set the priority.
    SetPriority(Priority),
    /// Set the type.
    SetType(TicketType),
    /// Assign to an agent, or unassign.
    Assign(Option<AgentId>),
    /// Assign to the agent who acted: for a macro, the agent applying it
    /// (Zendesk's "assignee: current user"); for a trigger, the agent
    /// whose command fired it (nothing when a contact, an integration or
    /// a timer acted).
    AssignToActor,
    /// Place in a team, or in none.
    SetTeam(Option<TeamId>),
    /// Add a tag.
    AddTag(Tag),
    /// Remove a tag.
    RemoveTag(Tag),
    /// Set a custom field.
    SetField {
        /// The field.
        key: FieldKey,
        /// Its value.
        value: FieldValue,
    },
    /// Clear a custom field.
    ClearField(FieldKey),
    /// Copy a contact of the ticket's customer on its public replies.
    AddCc(ContactId),
    /// Add an agent who is told of the ticket's entries.
    AddFollower(AgentId),
    /// A public reply from the desk, on the ticket's channel.
    Reply {
        /// The text.
        body: String,
    },
    /// A public reply from the desk with one of the desk's own reply
    /// templates ([`crate::template::TemplateSet::with_reply`]), in the
    /// requester's locale, with the variables of
    /// [`crate::template::REPLY_VARIABLES`].
    ReplyWith {
        /// The reply's name.
        template: crate::template::ReplyName,
    },
    /// Page people, on their own channels and hours.
    Page {
        /// Whom.
        to: PageTo,
        /// The text (the ticket is named with it).
        body: String,
    },
    /// Escalate through the desk's escalation graph from this entry node:
    /// the ticket is handed to the department that owns it there, with
    /// the path as the reason, and the people there are paged. Nothing
    /// happens when the ticket is already with that department.
    Escalate {
        /// The entry node's key.
        from: String,
    },
}

/// Whom a trigger pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum PageTo {
    /// This agent.
    Agent(AgentId),
    /// The ticket's assignee (nobody when unassigned).
    Assignee,
    /// The lead of the ticket's team (nobody without a team or lead).
    TeamLead,
}

impl RuleAction {
    /// What of the ticket the action changes, with the value it writes
    /// where two actions could disagree.
    #[must_use]
    pub fn writes(&self) -> Vec<Attribute> {
        match self {
            RuleAction::SetStatus(_) => vec![Attribute::Status],
            RuleAction::SetPriority(_) => vec![Attribute::Priority],
            RuleAction::SetType(_) => vec![Attribute::Type],
            RuleAction::Assign(_) | RuleAction::AssignToActor => vec![Attribute::Assignee],
            // A team that assigns by itself assigns too.
            RuleAction::SetTeam(_) => vec![Attribute::Team, Attribute::Assignee],
            RuleAction::AddTag(t) | RuleAction::RemoveTag(t) => vec![Attribute::Tag(t.clone())],
            RuleAction::SetField { key, .. } | RuleAction::ClearField(key) => {
                vec![Attribute::Field(key.clone())]
            }
            RuleAction::AddCc(_) => vec![Attribute::Ccs],
            RuleAction::AddFollower(_) => vec![Attribute::Followers],
            RuleAction::Reply { .. } | RuleAction::ReplyWith { .. } => {
                vec![Attribute::PublicReply]
            }
            RuleAction::Page { .. } => Vec::new(),
            RuleAction::Escalate { .. } => vec![Attribute::Department, Attribute::InternalNote],
        }
    }

    /// The ticket command this action is, for the actions that change the
    /// ticket alone (`None` for a reply, a page or an escalation, which
    /// the desk decides: they reach people; and for an assignment to the
    /// actor, who is known only when it runs).
    #[must_use]
    pub fn ticket_command(&self) -> Option<TicketCommand> {
        Some(match self {
            RuleAction::SetStatus(s) => TicketCommand::SetStatus(*s),
            RuleAction::SetPriority(p) => TicketCommand::SetPriority(*p),
            RuleAction::SetType(k) => TicketCommand::SetType(*k),
            RuleAction::Assign(a) => TicketCommand::Assign(*a),
            RuleAction::SetTeam(team) => TicketCommand::SetTeam(*team),
            RuleAction::AddTag(tag) => TicketCommand::AddTag(tag.clone()),
            RuleAction::RemoveTag(tag) => TicketCommand::RemoveTag(tag.clone()),
            RuleAction::SetField { key, value } => TicketCommand::SetField {
                key: key.clone(),
                value: value.clone(),
            },
            RuleAction::ClearField(key) => TicketCommand::ClearField { key: key.clone() },
            RuleAction::AddCc(contact) => TicketCommand::AddCc { contact: *contact },
            RuleAction::AddFollower(agent) => TicketCommand::AddFollower { agent: *agent },
            RuleAction::Reply { .. }
            | RuleAction::ReplyWith { .. }
            | RuleAction::Page { .. }
            | RuleAction::Escalate { .. }
            | RuleAction::AssignToActor => {
                return None;
            }
        })
    }

    /// The value written to `attribute`, for spotting two actions of one
    /// trigger that disagree (`None`: the action adds, it does not set).
    pub(super) fn value(&self) -> Option<String> {
        match self {
            RuleAction::SetStatus(s) => Some(format!("{s:?}")),
            RuleAction::SetPriority(p) => Some(format!("{p:?}")),
            RuleAction::SetType(t) => Some(format!("{t:?}")),
            RuleAction::Assign(a) => Some(format!("{a:?}")),
            RuleAction::AssignToActor => Some("the actor".to_owned()),
            RuleAction::SetTeam(t) => Some(format!("{t:?}")),
            RuleAction::AddTag(_) => Some("added".to_owned()),
            RuleAction::RemoveTag(_) => Some("removed".to_owned()),
            RuleAction::SetField { value, .. } => Some(format!("{value:?}")),
            RuleAction::ClearField(_) => Some("cleared".to_owned()),
            _ => None,
        }
    }
}

/// An event-condition-action rule: when a command (or a timer) changes a
/// ticket and the conditions hold, the actions run in the same decision.
///
/// ```
/// use fanatical::rules::{Change, Condition, RuleAction, Trigger};
/// use fanatical::ticket::{Priority, Tag};
///
/// let vip = Trigger::new("vip first", [RuleAction::SetPriority(Priority::High)])?
///     .when(Condition::Changed(Change::Created))
///     .when(Condition::HasTag(Tag::new("vip")?));
/// assert_eq!(vip.name().as_str(), "vip first");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Trigger {
    /// Its name: unique in its set, and the actor of what it changes.
    pub name: RuleName,
    /// Conditions that must all hold.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub all: Vec<Condition>,
    /// Conditions of which one must hold (none: no such test).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub any: Vec<Condition>,
    /// What it does, in order.
    pub actions: Vec<RuleAction>,
    /// Whether it runs (an inactive trigger is kept but never fires).
    #[serde(default = "super::yes", skip_serializing_if = "super::is_yes")]
    pub active: bool,
}

impl Trigger {
    /// A trigger with a name and its actions, and no conditions yet.
    ///
    /// # Errors
    /// [`super::RulesError::InvalidName`] for a blank or overlong name.
    pub fn new(
        name: &str,
        actions: impl IntoIterator<Item = RuleAction>,
    ) -> Result<Self, super::RulesError> {
        Ok(Trigger {
            name: RuleName::new(name)?,
            all: Vec::new(),
            any: Vec::new(),
            actions: actions.into_iter().collect(),
            active: true,
        })
    }

    /// Adds a condition that must hold.
    #[must_use]
    pub fn when(mut self, c: Condition) -> Self {
        self.all.push(c);
        self
    }

    /// Adds a condition of which one must hold.
    #[must_use]
    pub fn when_any(mut self, c: Condition) -> Self {
        self.any.push(c);
        self
    }

    /// Kept but switched off.
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

    /// Whether its conditions hold for `s` (whether or not it is active).
    #[must_use]
    pub fn matches(&self, s: &Subject<'_>) -> bool {
        super::all_and_any(&self.all, &self.any, s)
    }

    /// Everything its conditions read.
    #[must_use]
    pub fn reads(&self) -> BTreeSet<Attribute> {
        self.all
            .iter()
            .chain(&self.any)
            .flat_map(Condition::reads)
            .collect()
    }

    /// Everything its actions write.
    #[must_use]
    pub fn writes(&self) -> BTreeSet<Attribute> {
        self.actions.iter().flat_map(RuleAction::writes).collect()
    }
}

/// Something wrong with a set of triggers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum TriggerProblem {
    /// Two triggers have one name.
    DuplicateName {
        /// The name.
        name: RuleName,
    },
    /// A trigger does nothing.
    NoActions {
        /// The trigger.
        trigger: RuleName,
    },
    /// A trigger has no condition: it would act on every change to every
    /// ticket.
    NoConditions {
        /// The trigger.
        trigger: RuleName,
    },
    /// A trigger's actions set one thing two ways.
    Contradiction {
        /// The trigger.
        trigger: RuleName,
        /// What it sets twice.
        attribute: Attribute,
    },
    /// A configured duration out of range (a negative "due within").
    Duration {
        /// The trigger.
        trigger: RuleName,
        /// Why.
        reason: String,
    },
    /// Two triggers that can both fire on one ticket set one thing to
    /// different values (or one adds a tag the other removes): each would
    /// undo the other for ever if allowed to fire again. Make them
    /// exclusive: give one a condition the other's contradicts, on
    /// something no trigger changes (`status is solved` and `status is
    /// open`, a tag and `not` that tag, another channel).
    Conflict {
        /// The first, in set order.
        first: RuleName,
        /// The second.
        second: RuleName,
        /// What both set.
        attribute: Attribute,
    },
    /// Triggers that change what each other read, round a loop: each
    /// firing could fire the next again, for ever. Each step names what
    /// the trigger before it changes.
    Loop {
        /// The triggers, in set order.
        triggers: Vec<RuleName>,
        /// Each edge of the loop: `(from, to, what from changes that to reads)`.
        edges: Vec<(RuleName, RuleName, Attribute)>,
    },
}

impl fmt::Display for TriggerProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TriggerProblem::DuplicateName { name } => {
                write!(f, "two triggers are named {:?}", name.as_str())
            }
            TriggerProblem::NoActions { trigger } => {
                write!(f, "trigger {:?} does nothing", trigger.as_str())
            }
            TriggerProblem::NoConditions { trigger } => write!(
                f,
                "trigger {:?} has no condition: it would act on every change to every ticket",
                trigger.as_str()
            ),
            TriggerProblem::Contradiction { trigger, attribute } => {
                write!(
                    f,
                    "trigger {:?} sets {attribute} two ways",
                    trigger.as_str()
                )
            }
            TriggerProblem::Duration { trigger, reason } => {
                write!(f, "trigger {:?}: {reason}", trigger.as_str())
            }
            TriggerProblem::Conflict {
                first,
                second,
                attribute,
            } => write!(
                f,
                "triggers {:?} and {:?} can both fire and set {attribute} differently: \
                 make them exclusive with contradicting conditions on something no trigger changes",
                first.as_str(),
                second.as_str()
            ),
            TriggerProblem::Loop { edges, .. } => {
                let steps: Vec<String> = edges
                    .iter()
                    .map(|(a, b, attr)| {
                        format!(
                            "{:?} changes {attr}, which {:?} reads",
                            a.as_str(),
                            b.as_str()
                        )
                    })
                    .collect();
                write!(
                    f,
                    "triggers could fire each other for ever: {}",
                    steps.join("; ")
                )
            }
        }
    }
}

/// Every problem a trigger set has, in a stable order.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid triggers: {}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
pub struct TriggerProblems(Vec<TriggerProblem>);

impl TriggerProblems {
    /// The problems.
    #[must_use]
    pub fn problems(&self) -> &[TriggerProblem] {
        &self.0
    }
}

/// A checked set of triggers, in the order they were given (their
/// position), with the order they run in.
///
/// **Checked:** names are unique; every trigger has a condition and an
/// action and sets nothing two ways; no two triggers that can both fire
/// set one thing differently ([`TriggerProblem::Conflict`]); and no
/// triggers change what each other read round a loop
/// ([`TriggerProblem::Loop`]). So no firing can ever call for another
/// firing of a trigger before it, or undo one: a checked set settles
/// after one run ([`TriggerSet::run_refiring`]).
///
/// **Run order:** each trigger runs after every trigger that changes
/// something it reads, so it sees their changes; otherwise in position
/// order. Each runs once per decision: where its conditions hold, its
/// actions run.
///
/// ```
/// use fanatical::rules::{Change, Condition, RuleAction, TriggerProblem, Trigger, TriggerSet};
/// use fanatical::ticket::{Priority, Tag};
///
/// let tag = |t: &str| Tag::new(t).unwrap();
/// // "urgent" tags what is urgent; "vip" makes vip tickets urgent. "urgent"
/// // reads the priority "vip" sets, so it runs after it.
/// let urgent = Trigger::new("urgent", [RuleAction::AddTag(tag("hot"))])?
///     .when(Condition::PriorityAtLeast(Priority::Urgent));
/// let vip = Trigger::new("vip", [RuleAction::SetPriority(Priority::Urgent)])?
///     .when(Condition::HasTag(tag("vip")));
/// let set = TriggerSet::new(vec![urgent.clone(), vip.clone()])?;
/// let order: Vec<&str> = set.in_run_order().map(|(_, t)| t.name().as_str()).collect();
/// assert_eq!(order, ["vip", "urgent"]);
///
/// // A trigger that lowers the priority of hot tickets would loop with them.
/// let cool = Trigger::new("cool", [RuleAction::SetPriority(Priority::Normal)])?
///     .when(Condition::HasTag(tag("hot")));
/// let err = TriggerSet::new(vec![urgent, vip, cool]).unwrap_err();
/// assert!(err.problems().iter().any(|p| matches!(p, TriggerProblem::Loop { .. })));
/// // ("vip" and "cool" also fight over the priority of a hot vip ticket.)
/// assert!(err.problems().iter().any(|p| matches!(p, TriggerProblem::Conflict { .. })));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(try_from = "Vec<Trigger>", into = "Vec<Trigger>")]
pub struct TriggerSet {
    pub(super) triggers: Vec<Trigger>,
    /// Positions in run order.
    pub(super) order: Vec<usize>,
    /// The active triggers by what they watch (derived from the two
    /// above: rebuilt with them, not serialized, not compared).
    pub(super) index: TriggerIndex,
}

/// Sets are equal when their triggers are (the run order and the index
/// follow from them).
impl PartialEq for TriggerSet {
    fn eq(&self, other: &Self) -> bool {
        self.triggers == other.triggers && self.order == other.order
    }
}

impl Eq for TriggerSet {}

impl TryFrom<Vec<Trigger>> for TriggerSet {
    type Error = TriggerProblems;
    fn try_from(v: Vec<Trigger>) -> Result<Self, Self::Error> {
        TriggerSet::new(v)
    }
}

impl From<TriggerSet> for Vec<Trigger> {
    fn from(s: TriggerSet) -> Self {
        s.triggers
    }
}

impl TriggerSet {
    /// Checks `triggers` (see the type's docs) and works out their run
    /// order.
    ///
    /// # Errors
    /// [`TriggerProblems`], every problem at once.
    pub fn new(triggers: Vec<Trigger>) -> Result<Self, TriggerProblems> {
        let mut problems = Vec::new();
        let mut names = BTreeSet::new();
        for t in &triggers {
            if !names.insert(&t.name) {
                problems.push(TriggerProblem::DuplicateName {
                    name: t.name.clone(),
                });
            }
            if t.actions.is_empty() {
                problems.push(TriggerProblem::NoActions {
                    trigger: t.name.clone(),
                });
            }
            if t.all.is_empty() && t.any.is_empty() {
                problems.push(TriggerProblem::NoConditions {
                    trigger: t.name.clone(),
                });
            }
            problems.extend(contradictions(t));
            problems.extend(durations(t));
        }
        problems.extend(conflicts(&triggers));
        let (order, loops) = run_order(&triggers);
        problems.extend(loops);
        if problems.is_empty() {
            let index = TriggerIndex::new(&triggers, &order);
            Ok(TriggerSet {
                triggers,
                order,
                index,
            })
        } else {
            Err(TriggerProblems(problems))
        }
    }

    /// A set from triggers and a run order, unchecked (see
    /// [`TriggerSet::unchecked`]).
    #[cfg(any(test, feature = "proptest"))]
    pub(super) fn from_parts(triggers: Vec<Trigger>, order: Vec<usize>) -> Self {
        let index = TriggerIndex::new(&triggers, &order);
        TriggerSet {
            triggers,
            order,
            index,
        }
    }

    /// No triggers.
    #[must_use]
    pub fn empty() -> Self {
        TriggerSet::default()
    }

    /// The triggers, in position order.
    #[must_use]
    pub fn triggers(&self) -> &[Trigger] {
        &self.triggers
    }

    /// Whether there are none.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.triggers.is_empty()
    }

    /// How many there are.
    #[must_use]
    pub fn len(&self) -> usize {
        self.triggers.len()
    }

    /// The active triggers, in the order they run, each with its
    /// position.
    pub fn in_run_order(&self) -> impl Iterator<Item = (usize, &Trigger)> {
        self.order
            .iter()
            .filter_map(|&i| self.triggers.get(i).map(|t| (i, t)))
            .filter(|(_, t)| t.active)
    }

    /// The trigger with this name.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&Trigger> {
        self.triggers.iter().find(|t| t.name.as_str() == name)
    }
}

/// Pairs of triggers that set one thing differently and can both fire.
fn conflicts(triggers: &[Trigger]) -> Vec<TriggerProblem> {
    let written: BTreeSet<Attribute> = triggers.iter().flat_map(Trigger::writes).collect();
    // What each trigger sets, to which value.
    let sets: Vec<BTreeMap<Attribute, String>> = triggers
        .iter()
        .map(|t| {
            t.actions
                .iter()
                .flat_map(|a| {
                    let value = a.value();
                    a.writes()
                        .into_iter()
                        .filter(move |w| {
                            !(matches!(a, RuleAction::SetTeam(_)) && *w == Attribute::Assignee)
                        })
                        .filter_map(move |w| value.clone().map(|v| (w, v)))
                })
                .collect()
        })
        .collect();
    // By attribute, who sets it: O(sets), then pairs only among setters.
    let mut setters: BTreeMap<&Attribute, Vec<usize>> = BTreeMap::new();
    for (i, s) in sets.iter().enumerate() {
        for a in s.keys() {
            setters.entry(a).or_default().push(i);
        }
    }
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    for (attribute, who) in setters {
        for (k, &i) in who.iter().enumerate() {
            for &j in who.iter().skip(k + 1) {
                let (Some(a), Some(b)) = (triggers.get(i), triggers.get(j)) else {
                    continue;
                };
                let differ = sets.get(i).and_then(|s| s.get(attribute))
                    != sets.get(j).and_then(|s| s.get(attribute));
                if differ && !exclusive(a, b, &written) && seen.insert((i, j)) {
                    out.push(TriggerProblem::Conflict {
                        first: a.name.clone(),
                        second: b.name.clone(),
                        attribute: attribute.clone(),
                    });
                }
            }
        }
    }
    out
}

/// Whether two triggers can never both fire on one ticket in one run: an
/// `all` condition of one contradicts one of the other's, on something no
/// trigger changes (so it reads the same whenever either runs).
fn exclusive(a: &Trigger, b: &Trigger, written: &BTreeSet<Attribute>) -> bool {
    let fixed = |c: &Condition| c.reads().iter().all(|r| !written.contains(r));
    a.all
        .iter()
        .any(|x| fixed(x) && b.all.iter().any(|y| fixed(y) && contradict(x, y)))
}

/// Whether no ticket meets both conditions.
fn contradict(x: &Condition, y: &Condition) -> bool {
    use super::{ActorTest, AssigneeTest};
    match (x, y) {
        (Condition::Not(n), other) | (other, Condition::Not(n)) if **n == *other => true,
        (Condition::Status(a), Condition::Status(b)) => a.is_disjoint(b),
        (Condition::Priority(a), Condition::Priority(b)) => a.is_disjoint(b),
        (Condition::Priority(a), Condition::PriorityAtLeast(p))
        | (Condition::PriorityAtLeast(p), Condition::Priority(a)) => a.iter().all(|x| x < p),
        (Condition::Type(a), Condition::Type(b)) => a.is_disjoint(b),
        (Condition::Channel(a), Condition::Channel(b)) => a.is_disjoint(b),
        (Condition::Team(a), Condition::Team(b)) => a != b,
        (Condition::Assignee(a), Condition::Assignee(b)) => {
            matches!(
                (a, b),
                (
                    AssigneeTest::Unassigned,
                    AssigneeTest::Assigned | AssigneeTest::Agent(_)
                ) | (
                    AssigneeTest::Assigned | AssigneeTest::Agent(_),
                    AssigneeTest::Unassigned
                )
            ) || matches!((a, b), (AssigneeTest::Agent(x), AssigneeTest::Agent(y)) if x != y)
        }
        (Condition::ActedBy(a), Condition::ActedBy(b)) => {
            let kind = |t: &ActorTest| match t {
                ActorTest::Agent | ActorTest::AgentIs(_) => 0,
                ActorTest::Contact => 1,
                ActorTest::Integration => 2,
                ActorTest::System => 3,
            };
            kind(a) != kind(b)
                || matches!((a, b), (ActorTest::AgentIs(x), ActorTest::AgentIs(y)) if x != y)
        }
        _ => false,
    }
}

fn contradictions(t: &Trigger) -> Vec<TriggerProblem> {
    contradicting(&t.actions)
        .into_iter()
        .map(|attribute| TriggerProblem::Contradiction {
            trigger: t.name.clone(),
            attribute,
        })
        .collect()
}

/// What `actions` set two ways.
pub(super) fn contradicting(actions: &[RuleAction]) -> BTreeSet<Attribute> {
    let mut set: BTreeMap<Attribute, String> = BTreeMap::new();
    let mut out = BTreeSet::new();
    for a in actions {
        let Some(value) = a.value() else { continue };
        for attribute in a.writes() {
            // A team's own assignment is not the trigger setting it.
            if matches!(a, RuleAction::SetTeam(_)) && attribute == Attribute::Assignee {
                continue;
            }
            match set.get(&attribute) {
                Some(v) if *v != value => {
                    out.insert(attribute);
                }
                _ => {
                    set.insert(attribute, value.clone());
                }
            }
        }
    }
    out
}

fn durations(t: &Trigger) -> Vec<TriggerProblem> {
    fn walk(c: &Condition, out: &mut Vec<String>) {
        match c {
            Condition::Sla(super::SlaTest::DueWithin { within, .. }) => {
                if let Err(e) = crate::time::check_configured("due within", *within) {
                    out.push(e.to_string());
                }
            }
            Condition::Not(inner) => walk(inner, out),
            _ => {}
        }
    }
    let mut out = Vec::new();
    for c in t.all.iter().chain(&t.any) {
        walk(c, &mut out);
    }
    out.into_iter()
        .map(|reason| TriggerProblem::Duration {
            trigger: t.name.clone(),
            reason,
        })
        .collect()
}

/// The run order (each trigger after those that change what it reads,
/// otherwise by position), and the loops that leave some unordered.
fn run_order(triggers: &[Trigger]) -> (Vec<usize>, Vec<TriggerProblem>) {
    let reads: Vec<BTreeSet<Attribute>> = triggers.iter().map(Trigger::reads).collect();
    let writes: Vec<BTreeSet<Attribute>> = triggers.iter().map(Trigger::writes).collect();
    let mut graph: DiGraph<usize, Attribute> = DiGraph::new();
    let nodes: Vec<NodeIndex> = (0..triggers.len()).map(|i| graph.add_node(i)).collect();
    // Index readers by attribute: O(writes + edges), not O(n²) pairs.
    let mut readers: BTreeMap<&Attribute, Vec<usize>> = BTreeMap::new();
    for (i, r) in reads.iter().enumerate() {
        for a in r {
            readers.entry(a).or_default().push(i);
        }
    }
    let mut indegree = vec![0usize; triggers.len()];
    let mut seen = BTreeSet::new();
    for (i, w) in writes.iter().enumerate() {
        for a in w {
            for &j in readers.get(a).map_or(&[][..], Vec::as_slice) {
                if i != j
                    && seen.insert((i, j))
                    && let (Some(&from), Some(&to), Some(d)) =
                        (nodes.get(i), nodes.get(j), indegree.get_mut(j))
                {
                    graph.add_edge(from, to, a.clone());
                    *d += 1;
                }
            }
        }
    }
    // Kahn's algorithm, the lowest position first among the ready.
    let mut ready: BinaryHeap<Reverse<usize>> = indegree
        .iter()
        .enumerate()
        .filter(|(_, d)| **d == 0)
        .map(|(i, _)| Reverse(i))
        .collect();
    let mut order = Vec::with_capacity(triggers.len());
    while let Some(Reverse(i)) = ready.pop() {
        order.push(i);
        let Some(&node) = nodes.get(i) else { continue };
        for next in graph.neighbors(node) {
            let j = graph[next];
            if let Some(d) = indegree.get_mut(j) {
                *d = d.saturating_sub(1);
                if *d == 0 {
                    ready.push(Reverse(j));
                }
            }
        }
    }
    if order.len() == triggers.len() {
        return (order, Vec::new());
    }
    let mut loops = Vec::new();
    for scc in petgraph::algo::tarjan_scc(&graph) {
        if scc.len() < 2 {
            continue;
        }
        let members: BTreeSet<usize> = scc.iter().map(|&n| graph[n]).collect();
        let name = |i: usize| triggers.get(i).map(|t| t.name.clone());
        let mut edges = Vec::new();
        for &n in &scc {
            for e in graph.edges(n) {
                use petgraph::visit::EdgeRef;
                let (a, b) = (graph[e.source()], graph[e.target()]);
                if members.contains(&b)
                    && let (Some(x), Some(y)) = (name(a), name(b))
                {
                    edges.push((a, b, x, y, e.weight().clone()));
                }
            }
        }
        edges.sort_by_key(|(a, b, ..)| (*a, *b));
        loops.push(TriggerProblem::Loop {
            triggers: members.iter().filter_map(|&i| name(i)).collect(),
            edges: edges.into_iter().map(|(_, _, x, y, w)| (x, y, w)).collect(),
        });
    }
    (order, loops)
}
