//! What a trigger's conditions read: the ticket as the command (and the
//! triggers before) left it, its SLA, its customer's fields, who acted,
//! and what changed in this decision.

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::actor::Actor;
use crate::channel::ChannelKind;
use crate::field::{FieldCondition, FieldKey, FieldValues};
use crate::id::{AgentId, TeamId};
use crate::sla::{Metric, Phase, SlaEventKind, TicketSla};
use crate::ticket::{
    Author, EntryVisibility, Priority, Status, Tag, Ticket, TicketEventKind, TicketType,
};

use super::Attribute;

/// One test over a ticket. A trigger fires when all of its `all`
/// conditions hold and, if it has any, at least one of its `any`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Condition {
    /// The status is one of these.
    Status(BTreeSet<Status>),
    /// The priority is one of these.
    Priority(BTreeSet<Priority>),
    /// The priority is this one or higher.
    PriorityAtLeast(Priority),
    /// The type is one of these.
    Type(BTreeSet<TicketType>),
    /// It arrived on one of these kinds of channel.
    Channel(BTreeSet<ChannelKind>),
    /// Whom it is assigned to.
    Assignee(AssigneeTest),
    /// Its team (`None`: no team).
    Team(Option<TeamId>),
    /// It has this tag.
    HasTag(Tag),
    /// A custom field of the ticket.
    Field(FieldCondition),
    /// A custom field of its customer: the customer's segment, as your
    /// customer fields describe it (plan, region, industry).
    CustomerField(FieldCondition),
    /// Its SLA.
    Sla(SlaTest),
    /// Who made the change.
    ActedBy(ActorTest),
    /// What changed in this decision (the command and the triggers
    /// before this one).
    Changed(Change),
    /// The condition does not hold.
    Not(Box<Condition>),
}

/// Whom a ticket is assigned to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum AssigneeTest {
    /// Nobody.
    Unassigned,
    /// Somebody.
    Assigned,
    /// This agent.
    Agent(AgentId),
}

/// A test of a ticket's SLA clocks. A trigger sees the SLA as it stood
/// when the command arrived, with the warnings and breaches the decision
/// itself records (a timer firing); the clocks react to what the triggers
/// change only after them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum SlaTest {
    /// A live metric (this one, or any) has breached.
    Breached {
        /// The metric, or any.
        metric: Option<Metric>,
    },
    /// A running clock (this metric's, or any) is due within `within` of
    /// now and has not breached.
    DueWithin {
        /// The metric, or any.
        metric: Option<Metric>,
        /// How soon.
        #[serde(with = "crate::time::nanos")]
        within: Duration,
    },
    /// A clock (this metric's, or any) is running.
    Running {
        /// The metric, or any.
        metric: Option<Metric>,
    },
}

/// Who made the change a trigger looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ActorTest {
    /// Any agent.
    Agent,
    /// This agent.
    AgentIs(AgentId),
    /// A customer's contact.
    Contact,
    /// An integration.
    Integration,
    /// The desk itself (a timer, a rule).
    System,
}

/// Who wrote a public reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Party {
    /// The customer's contact.
    Customer,
    /// An agent (or the desk writing as support).
    Support,
}

/// Something that changed in this decision.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Change {
    /// The ticket was opened.
    Created,
    /// Its status changed (to this one, or to any).
    Status {
        /// The new status, or any.
        to: Option<Status>,
    },
    /// Its priority changed.
    Priority,
    /// Its type changed.
    Type,
    /// It was assigned to someone else (or unassigned).
    Assignee,
    /// Its team changed.
    Team,
    /// This tag was added.
    TagAdded(Tag),
    /// This tag was removed.
    TagRemoved(Tag),
    /// This custom field was set or cleared.
    Field(FieldKey),
    /// A public reply was added (by this party, or either).
    PublicReply {
        /// Who wrote it, or either.
        by: Option<Party>,
    },
    /// An internal note was added.
    InternalNote,
    /// An SLA warning fell due (for this metric, or any).
    SlaWarned {
        /// The metric, or any.
        metric: Option<Metric>,
    },
    /// An SLA deadline passed (for this metric, or any).
    SlaBreached {
        /// The metric, or any.
        metric: Option<Metric>,
    },
}

/// What changed on one ticket in one decision, folded from its events.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    created: bool,
    statuses: BTreeSet<Status>,
    priority: bool,
    ticket_type: bool,
    assignee: bool,
    team: bool,
    tags_added: BTreeSet<Tag>,
    tags_removed: BTreeSet<Tag>,
    fields: BTreeSet<FieldKey>,
    replies: BTreeSet<Party>,
    note: bool,
    warned: BTreeSet<Metric>,
    breached: BTreeSet<Metric>,
    /// How many of the fields' entries were recorded (each once): it
    /// grows exactly when something new changed, so it follows from the
    /// entries (and comparing it compares nothing more).
    recorded: usize,
}

impl Changes {
    /// Nothing changed yet.
    #[must_use]
    pub fn new() -> Self {
        Changes::default()
    }

    /// Whether nothing changed.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        *self == Changes::default()
    }

    /// Notes a ticket event.
    pub fn record_ticket(&mut self, kind: &TicketEventKind) {
        let set = |flag: &mut bool| !std::mem::replace(flag, true);
        let new = match kind {
            TicketEventKind::Opened { .. } => set(&mut self.created),
            TicketEventKind::StatusChanged { to, .. } => self.statuses.insert(*to),
            TicketEventKind::PriorityChanged { .. } => set(&mut self.priority),
            TicketEventKind::TypeChanged { .. } => set(&mut self.ticket_type),
            TicketEventKind::Assigned { .. } => set(&mut self.assignee),
            TicketEventKind::TeamSet { .. } => set(&mut self.team),
            TicketEventKind::Tagged { tag } => self.tags_added.insert(tag.clone()),
            TicketEventKind::Untagged { tag } => self.tags_removed.insert(tag.clone()),
            TicketEventKind::FieldSet { key, .. } | TicketEventKind::FieldCleared { key } => {
                self.fields.insert(key.clone())
            }
            TicketEventKind::EntryAdded { entry } => match entry.visibility {
                EntryVisibility::Internal => set(&mut self.note),
                EntryVisibility::Public => self.replies.insert(match entry.author {
                    Author::Contact(_) => Party::Customer,
                    Author::Agent(_) | Author::System => Party::Support,
                }),
            },
            _ => false,
        };
        self.recorded = self.recorded.saturating_add(usize::from(new));
    }

    /// Notes an SLA event.
    pub fn record_sla(&mut self, kind: &SlaEventKind) {
        let new = match kind {
            SlaEventKind::Warned { key, .. } => self.warned.insert(key.metric),
            SlaEventKind::Breached { key, .. } => self.breached.insert(key.metric),
            _ => false,
        };
        self.recorded = self.recorded.saturating_add(usize::from(new));
    }

    /// How many changes were recorded, each once: it grows exactly when
    /// something new happens (changes are only ever added), so
    /// [`Changes::happened`] is the same while it stays.
    pub(super) fn count(&self) -> usize {
        self.recorded
    }

    /// Every [`Change`] that [`Changes::has`] finds, each once (a status
    /// changed both to `open` and at all, say).
    pub(super) fn happened(&self) -> impl Iterator<Item = Change> + '_ {
        let flag = |on: bool, c: Change| on.then_some(c);
        let any = flag;
        [
            flag(self.created, Change::Created),
            any(!self.statuses.is_empty(), Change::Status { to: None }),
            flag(self.priority, Change::Priority),
            flag(self.ticket_type, Change::Type),
            flag(self.assignee, Change::Assignee),
            flag(self.team, Change::Team),
            any(!self.replies.is_empty(), Change::PublicReply { by: None }),
            flag(self.note, Change::InternalNote),
            any(!self.warned.is_empty(), Change::SlaWarned { metric: None }),
            any(
                !self.breached.is_empty(),
                Change::SlaBreached { metric: None },
            ),
        ]
        .into_iter()
        .flatten()
        .chain(
            self.statuses
                .iter()
                .map(|s| Change::Status { to: Some(*s) }),
        )
        .chain(self.tags_added.iter().cloned().map(Change::TagAdded))
        .chain(self.tags_removed.iter().cloned().map(Change::TagRemoved))
        .chain(self.fields.iter().cloned().map(Change::Field))
        .chain(
            self.replies
                .iter()
                .map(|p| Change::PublicReply { by: Some(*p) }),
        )
        .chain(
            self.warned
                .iter()
                .map(|m| Change::SlaWarned { metric: Some(*m) }),
        )
        .chain(
            self.breached
                .iter()
                .map(|m| Change::SlaBreached { metric: Some(*m) }),
        )
    }

    /// Whether `change` happened.
    #[must_use]
    pub fn has(&self, change: &Change) -> bool {
        let metric_in = |set: &BTreeSet<Metric>, m: &Option<Metric>| match m {
            Some(m) => set.contains(m),
            None => !set.is_empty(),
        };
        match change {
            Change::Created => self.created,
            Change::Status { to: Some(to) } => self.statuses.contains(to),
            Change::Status { to: None } => !self.statuses.is_empty(),
            Change::Priority => self.priority,
            Change::Type => self.ticket_type,
            Change::Assignee => self.assignee,
            Change::Team => self.team,
            Change::TagAdded(t) => self.tags_added.contains(t),
            Change::TagRemoved(t) => self.tags_removed.contains(t),
            Change::Field(k) => self.fields.contains(k),
            Change::PublicReply { by: Some(p) } => self.replies.contains(p),
            Change::PublicReply { by: None } => !self.replies.is_empty(),
            Change::InternalNote => self.note,
            Change::SlaWarned { metric } => metric_in(&self.warned, metric),
            Change::SlaBreached { metric } => metric_in(&self.breached, metric),
        }
    }
}

/// Everything a trigger's conditions may read about one ticket.
#[derive(Debug, Clone, Copy)]
pub struct Subject<'a> {
    /// The ticket as the decision has left it so far.
    pub ticket: &'a Ticket,
    /// Its SLA (see [`SlaTest`] for which moment).
    pub sla: Option<&'a TicketSla>,
    /// Its customer's custom field values.
    pub customer_fields: &'a FieldValues,
    /// Who made the change.
    pub actor: &'a Actor,
    /// What changed.
    pub changes: &'a Changes,
    /// The decision's instant.
    pub now: DateTime<Utc>,
}

impl Condition {
    /// Whether the condition holds for `s`.
    #[must_use]
    pub fn holds(&self, s: &Subject<'_>) -> bool {
        let t = s.ticket;
        match self {
            Condition::Status(set) => set.contains(&t.status()),
            Condition::Priority(set) => set.contains(&t.priority()),
            Condition::PriorityAtLeast(p) => t.priority() >= *p,
            Condition::Type(set) => set.contains(&t.ticket_type()),
            Condition::Channel(set) => set.contains(&t.channel().kind()),
            Condition::Assignee(a) => match a {
                AssigneeTest::Unassigned => t.assignee().is_none(),
                AssigneeTest::Assigned => t.assignee().is_some(),
                AssigneeTest::Agent(id) => t.assignee() == Some(*id),
            },
            Condition::Team(team) => t.team() == *team,
            Condition::HasTag(tag) => t.tags().contains(tag),
            Condition::Field(c) => c.matches(t.fields()),
            Condition::CustomerField(c) => c.matches(s.customer_fields),
            Condition::Sla(test) => sla_holds(*test, s.sla, s.now),
            Condition::ActedBy(a) => match (a, s.actor) {
                (ActorTest::Agent, Actor::Agent(_)) => true,
                (ActorTest::AgentIs(id), Actor::Agent(a)) => a == id,
                (ActorTest::Contact, Actor::Contact(_)) => true,
                (ActorTest::Integration, Actor::Integration(_)) => true,
                (ActorTest::System, Actor::System(_)) => true,
                _ => false,
            },
            Condition::Changed(c) => s.changes.has(c),
            Condition::Not(c) => !c.holds(s),
        }
    }

    /// What of the ticket the condition reads that a trigger's action
    /// could change: the edges of the rule set's dependency graph.
    #[must_use]
    pub fn reads(&self) -> Vec<Attribute> {
        match self {
            Condition::Status(_) | Condition::Changed(Change::Status { .. }) => {
                vec![Attribute::Status]
            }
            Condition::Priority(_)
            | Condition::PriorityAtLeast(_)
            | Condition::Changed(Change::Priority) => vec![Attribute::Priority],
            Condition::Type(_) | Condition::Changed(Change::Type) => vec![Attribute::Type],
            Condition::Assignee(_) | Condition::Changed(Change::Assignee) => {
                vec![Attribute::Assignee]
            }
            Condition::Team(_) | Condition::Changed(Change::Team) => vec![Attribute::Team],
            Condition::HasTag(t)
            | Condition::Changed(Change::TagAdded(t) | Change::TagRemoved(t)) => {
                vec![Attribute::Tag(t.clone())]
            }
            Condition::Field(c) => vec![Attribute::Field(c.key.clone())],
            Condition::Changed(Change::Field(k)) => vec![Attribute::Field(k.clone())],
            Condition::Changed(Change::PublicReply { .. }) => vec![Attribute::PublicReply],
            Condition::Changed(Change::InternalNote) => vec![Attribute::InternalNote],
            Condition::Not(c) => c.reads(),
            // Nothing a trigger does changes these.
            Condition::Channel(_)
            | Condition::CustomerField(_)
            | Condition::Sla(_)
            | Condition::ActedBy(_)
            | Condition::Changed(
                Change::Created | Change::SlaWarned { .. } | Change::SlaBreached { .. },
            ) => Vec::new(),
        }
    }

    /// A short description for explanations.
    #[must_use]
    pub fn describe(&self) -> String {
        let list = |items: Vec<String>| items.join("/");
        match self {
            Condition::Status(s) => format!(
                "status is {}",
                list(s.iter().map(ToString::to_string).collect())
            ),
            Condition::Priority(p) => format!(
                "priority is {}",
                list(p.iter().map(ToString::to_string).collect())
            ),
            Condition::PriorityAtLeast(p) => format!("priority at least {p}"),
            Condition::Type(t) => format!(
                "type is {}",
                list(t.iter().map(ToString::to_string).collect())
            ),
            Condition::Channel(c) => format!(
                "channel is {}",
                list(c.iter().map(ToString::to_string).collect())
            ),
            Condition::Assignee(AssigneeTest::Unassigned) => "unassigned".to_owned(),
            Condition::Assignee(AssigneeTest::Assigned) => "assigned".to_owned(),
            Condition::Assignee(AssigneeTest::Agent(a)) => format!("assigned to {a}"),
            Condition::Team(Some(t)) => format!("team is {t}"),
            Condition::Team(None) => "no team".to_owned(),
            Condition::HasTag(t) => format!("tagged {t}"),
            Condition::Field(c) => c.describe(),
            Condition::CustomerField(c) => format!("customer {}", c.describe()),
            Condition::Sla(SlaTest::Breached { metric }) => {
                format!("{} breached", metric_name(*metric))
            }
            Condition::Sla(SlaTest::DueWithin { metric, within }) => {
                format!(
                    "{} due within {} min",
                    metric_name(*metric),
                    within.num_minutes()
                )
            }
            Condition::Sla(SlaTest::Running { metric }) => {
                format!("{} running", metric_name(*metric))
            }
            Condition::ActedBy(a) => format!("acted by {a:?}").to_lowercase(),
            Condition::Changed(c) => format!("changed: {c:?}").to_lowercase(),
            Condition::Not(c) => format!("not ({})", c.describe()),
        }
    }
}

fn metric_name(m: Option<Metric>) -> String {
    m.map_or_else(|| "an SLA metric".to_owned(), |m| m.to_string())
}

fn sla_holds(test: SlaTest, sla: Option<&TicketSla>, now: DateTime<Utc>) -> bool {
    let Some(sla) = sla else {
        return false;
    };
    let of = |metric: Option<Metric>| {
        sla.metrics()
            .iter()
            .filter(move |m| m.is_live() && metric.is_none_or(|x| x == m.key.metric))
    };
    match test {
        SlaTest::Breached { metric } => of(metric).any(|m| m.breached.is_some()),
        SlaTest::Running { metric } => of(metric).any(|m| matches!(m.phase, Phase::Active { .. })),
        SlaTest::DueWithin { metric, within } => {
            let horizon = crate::time::plus(now, within);
            of(metric).any(|m| {
                m.breached.is_none()
                    && matches!(&m.phase, Phase::Active { schedule, .. }
                        if schedule.deadline.is_some_and(|d| d <= horizon))
            })
        }
    }
}
