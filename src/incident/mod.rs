//! Major incidents: a datacenter goes dark and thousands of customers are
//! affected at once.
//!
//! An incident is declared against [components](ComponentCatalog) with
//! the states Statuspage users know ([`ComponentState`]) and moves through
//! [`IncidentStatus`] (investigating, identified, monitoring, resolved).
//! Every update can be written for several [audiences](Audience); the
//! desk sends each affected customer's contacts the version for them.
//! An incident's events are its [`Timeline`]; its component history is
//! its measured downtime, from which a [`CreditPolicy`] computes credits
//! with a reason code from the configured [refund reasons](CreditConfig).
//!
//! This module is the model: pure, no desk. The desk finds the affected
//! customers, queues the messages, links tickets, runs the cadence timers
//! and the follow-ups (see `IncidentAction::Declare`).
//!
//! # Example
//! ```
//! use chrono::{Duration, TimeZone, Utc};
//! use fanatical::customer::{Currency, Money};
//! use fanatical::incident::{CreditPolicy, Downtime, ReasonCode};
//!
//! // 5% of the monthly fee per hour of major outage, capped at 30%.
//! let policy = CreditPolicy::new(ReasonCode::new("sla-outage")?, 500, 3000)?;
//! let fee = Money { minor: 200_000, currency: Currency::new("USD").unwrap() };
//! let down = Downtime { major: Duration::hours(2), ..Downtime::default() };
//! assert_eq!(policy.credit(fee, &down)?.minor, 20_000); // 10% of 2,000.00
//! let all_day = Downtime { major: Duration::hours(24), ..Downtime::default() };
//! assert_eq!(policy.credit(fee, &all_day)?.minor, 60_000); // the cap
//! # Ok::<(), fanatical::incident::IncidentError>(())
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::customer::{Money, Tier};
use crate::id::{AgentId, ComponentId, ContactId, CustomerId, IncidentId, InvitationId, TicketId};
use crate::text::one_word;
use crate::time::{self, DurationOutOfRange};

configured_seconds!(
    grace_seconds: "credit grace" from 0,
    follow_up_after_seconds: "incident follow_up_after" from 0,
    recent_seconds: "incident recent" from 0,
);

/// Why an incident command or policy was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IncidentError {
    /// A component the catalog does not have.
    #[error("unknown component {0}")]
    UnknownComponent(ComponentId),
    /// A component added twice to the catalog.
    #[error("component {0} is already in the catalog")]
    DuplicateComponent(ComponentId),
    /// No such incident.
    #[error("unknown incident {0}")]
    UnknownIncident(IncidentId),
    /// An incident must name at least one component.
    #[error("an incident needs at least one affected component")]
    NoComponents,
    /// An update that says nothing and changes nothing.
    #[error("an incident update needs a message or a change")]
    EmptyUpdate,
    /// A message for an audience with no text.
    #[error("the {0} message is blank")]
    BlankMessage(Audience),
    /// The incident is resolved: declare a new one.
    #[error("incident {0} is resolved")]
    Resolved(IncidentId),
    /// Credits are computed from measured downtime, so only once resolved.
    #[error("incident {0} is not resolved yet")]
    NotResolved(IncidentId),
    /// A cadence that is not positive, or warns before it starts.
    #[error("invalid cadence: every {every} s, warning {warn_before} s before")]
    InvalidCadence {
        /// The period, seconds.
        every: i64,
        /// The warning lead, seconds.
        warn_before: i64,
    },
    /// A reason code that is blank or has white space.
    #[error("invalid reason code {0:?}")]
    InvalidReason(String),
    /// A credit policy citing a reason that is not configured.
    #[error("unknown refund reason {0}")]
    UnknownReason(ReasonCode),
    /// A credit policy with a negative rate.
    #[error("credit rate must not be negative (got {0} basis points per hour)")]
    NegativeRate(i64),
    /// A credit policy with a negative cap.
    #[error("credit cap must not be negative (got {0} basis points)")]
    NegativeCap(i64),
    /// A weight outside 0 to 100 percent.
    #[error("{what} weight must be 0 to 100 percent (got {got})")]
    InvalidWeight {
        /// Which state's weight.
        what: &'static str,
        /// The value.
        got: i64,
    },
    /// A configured duration out of range (a negative grace period, a
    /// follow-up delay over 100 years, ...).
    #[error(transparent)]
    Duration(#[from] DurationOutOfRange),
    /// A negative monthly fee.
    #[error("monthly fee must not be negative (got {0})")]
    NegativeFee(Money),
}

/// One component in the catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComponentSpec {
    /// Display name ("Cloud Servers, DFW").
    pub name: String,
    /// The component it is part of (a service in a datacenter), whose
    /// incidents affect it too.
    #[serde(default)]
    pub parent: Option<ComponentId>,
}

/// The components incidents can name, as a forest: an incident on a
/// datacenter affects every component inside it.
///
/// ```
/// use fanatical::id::ComponentId;
/// use fanatical::incident::ComponentCatalog;
/// let dfw = ComponentId::new("dfw1")?;
/// let servers = ComponentId::new("dfw1/servers")?;
/// let catalog = ComponentCatalog::new()
///     .with(dfw.clone(), "DFW1 datacenter", None)?
///     .with(servers.clone(), "Servers in DFW1", Some(dfw.clone()))?;
/// assert!(catalog.covers(&dfw, &servers));
/// assert!(!catalog.covers(&servers, &dfw));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ComponentCatalog {
    components: BTreeMap<ComponentId, ComponentSpec>,
}

impl ComponentCatalog {
    /// An empty catalog.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// With a component. A parent must already be in the catalog, so the
    /// catalog can never hold a cycle.
    ///
    /// # Errors
    /// [`IncidentError::DuplicateComponent`]; [`IncidentError::UnknownComponent`]
    /// for an unknown parent.
    pub fn with(
        mut self,
        id: ComponentId,
        name: &str,
        parent: Option<ComponentId>,
    ) -> Result<Self, IncidentError> {
        if self.components.contains_key(&id) {
            return Err(IncidentError::DuplicateComponent(id));
        }
        if let Some(p) = &parent {
            self.check(p)?;
        }
        self.components.insert(
            id,
            ComponentSpec {
                name: name.trim().to_owned(),
                parent,
            },
        );
        Ok(self)
    }

    /// A component.
    #[must_use]
    pub fn get(&self, id: &ComponentId) -> Option<&ComponentSpec> {
        self.components.get(id)
    }

    /// Every component, by id.
    pub fn iter(&self) -> impl Iterator<Item = (&ComponentId, &ComponentSpec)> {
        self.components.iter()
    }

    /// Refuses an unknown component.
    ///
    /// # Errors
    /// [`IncidentError::UnknownComponent`].
    pub fn check(&self, id: &ComponentId) -> Result<(), IncidentError> {
        if self.components.contains_key(id) {
            Ok(())
        } else {
            Err(IncidentError::UnknownComponent(id.clone()))
        }
    }

    /// Whether an incident on `outer` affects `inner`: it is `inner` or
    /// one of its ancestors. Bounded by the catalog size, so even a
    /// deserialized catalog with a cycle cannot loop.
    #[must_use]
    pub fn covers(&self, outer: &ComponentId, inner: &ComponentId) -> bool {
        let mut at = Some(inner);
        for _ in 0..=self.components.len() {
            match at {
                Some(c) if c == outer => return true,
                Some(c) => at = self.components.get(c).and_then(|s| s.parent.as_ref()),
                None => return false,
            }
        }
        false
    }
}

/// A component's state, as on a status page, from best to worst.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum ComponentState {
    /// Working.
    #[default]
    Operational,
    /// Slow or erroring, but up.
    Degraded,
    /// Down for some.
    PartialOutage,
    /// Down.
    MajorOutage,
}

impl fmt::Display for ComponentState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ComponentState::Operational => "operational",
            ComponentState::Degraded => "degraded performance",
            ComponentState::PartialOutage => "partial outage",
            ComponentState::MajorOutage => "major outage",
        })
    }
}

/// Where an incident is, as on a status page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IncidentStatus {
    /// Looking into it.
    Investigating,
    /// The cause is known.
    Identified,
    /// A fix is in; watching.
    Monitoring,
    /// Over.
    Resolved,
}

impl fmt::Display for IncidentStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            IncidentStatus::Investigating => "investigating",
            IncidentStatus::Identified => "identified",
            IncidentStatus::Monitoring => "monitoring",
            IncidentStatus::Resolved => "resolved",
        })
    }
}

/// Who an update's text is written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    /// Engineers: causes, systems, what to check. Sent to technical
    /// contacts.
    Technical,
    /// Decision makers: impact, time to recovery. Sent to every other
    /// contact.
    Business,
    /// The public status page.
    Public,
}

impl fmt::Display for Audience {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Audience::Technical => "technical",
            Audience::Business => "business",
            Audience::Public => "public",
        })
    }
}

/// How often an incident must be updated, and how long before a missed
/// update the commander is warned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cadence {
    /// An update at least this often (e.g. 30 minutes).
    #[serde(with = "crate::time::seconds")]
    pub every: Duration,
    /// Warn this long before the update is due (e.g. 5 minutes).
    #[serde(with = "crate::time::seconds")]
    pub warn_before: Duration,
}

impl Cadence {
    /// An update every `minutes`, warned `warn_minutes` before.
    ///
    /// # Errors
    /// [`IncidentError::InvalidCadence`] unless `0 <= warn < every <= 7 days`.
    pub fn every_minutes(minutes: i64, warn_minutes: i64) -> Result<Self, IncidentError> {
        let c = Cadence {
            every: Duration::try_minutes(minutes).unwrap_or(Duration::zero()),
            warn_before: Duration::try_minutes(warn_minutes).unwrap_or(Duration::zero()),
        };
        c.validate()?;
        Ok(c)
    }

    /// Checks `0 <= warn_before < every <= 7 days`.
    ///
    /// # Errors
    /// [`IncidentError::InvalidCadence`].
    pub fn validate(&self) -> Result<(), IncidentError> {
        if self.every <= Duration::zero()
            || self.every > Duration::days(7)
            || self.warn_before < Duration::zero()
            || self.warn_before >= self.every
        {
            return Err(IncidentError::InvalidCadence {
                every: self.every.num_seconds(),
                warn_before: self.warn_before.num_seconds(),
            });
        }
        Ok(())
    }
}

/// An update's texts by audience.
pub type Messages = BTreeMap<Audience, String>;

/// What a follow-up became.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FollowUpOutcome {
    /// A follow-up survey went to the customer's survey contact.
    Survey {
        /// The invitation.
        invitation: InvitationId,
        /// Who was asked.
        contact: ContactId,
    },
    /// A task for a person to call the customer (no survey could go: the
    /// contact was in their quiet period, or none is configured).
    Task {
        /// Who should follow up, if anyone is known.
        owner: Option<AgentId>,
        /// Why it is a task and not a survey.
        reason: String,
    },
}

/// A credit for one customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credit {
    /// The customer.
    pub customer: CustomerId,
    /// The measured downtime it is for.
    pub downtime: Downtime,
    /// The amount.
    pub amount: Money,
    /// Why, as a configured reason code.
    pub reason: ReasonCode,
}

/// Something that happened to an incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentEvent {
    /// When.
    pub at: DateTime<Utc>,
    /// What.
    pub kind: IncidentEventKind,
}

/// What happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum IncidentEventKind {
    /// Declared, with its first update.
    Declared {
        /// Its id.
        id: IncidentId,
        /// A headline ("DFW1 datacenter power loss").
        title: String,
        /// Who runs it (warned about missed updates).
        commander: AgentId,
        /// Its status.
        status: IncidentStatus,
        /// The components it affects and their states.
        components: BTreeMap<ComponentId, ComponentState>,
        /// The customers running on them.
        affected: BTreeSet<CustomerId>,
        /// The update cadence, if any.
        cadence: Option<Cadence>,
        /// The first update's texts.
        messages: Messages,
        /// Contacts of affected customers no message could reach.
        unreachable: Vec<(CustomerId, ContactId)>,
    },
    /// A status update.
    Updated {
        /// Who wrote it.
        by: AgentId,
        /// The status after it.
        status: IncidentStatus,
        /// Components whose state changed.
        components: BTreeMap<ComponentId, ComponentState>,
        /// Its texts.
        messages: Messages,
        /// Contacts no message could reach.
        unreachable: Vec<(CustomerId, ContactId)>,
        /// On resolution: when the follow-ups fall due.
        follow_up_at: Option<DateTime<Utc>>,
        /// Linked tickets the final message could not solve (their
        /// customer could not be reached, or the ticket refused), left open
        /// for a person.
        #[serde(default)]
        left_open: Vec<(TicketId, String)>,
    },
    /// A ticket was linked to the incident (Zendesk's incident of a
    /// problem).
    TicketLinked {
        /// The ticket.
        ticket: TicketId,
        /// Its customer.
        customer: CustomerId,
    },
    /// An update falls due soon.
    UpdateDueSoon {
        /// When it is due.
        due: DateTime<Utc>,
    },
    /// An update was not posted in time.
    UpdateOverdue {
        /// When it was due.
        due: DateTime<Utc>,
    },
    /// A credit was issued.
    CreditIssued {
        /// The credit.
        credit: Credit,
    },
    /// A customer was followed up.
    FollowedUp {
        /// The customer.
        customer: CustomerId,
        /// How.
        outcome: FollowUpOutcome,
    },
}

impl IncidentEventKind {
    /// One line a person reads, for the timeline. Amounts are left out.
    #[must_use]
    pub fn summary(&self) -> String {
        let states = |c: &BTreeMap<ComponentId, ComponentState>| {
            c.iter()
                .map(|(k, v)| format!("{k}: {v}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let text = |m: &Messages| {
            [Audience::Public, Audience::Business, Audience::Technical]
                .iter()
                .find_map(|a| m.get(a))
                .cloned()
                .unwrap_or_default()
        };
        match self {
            IncidentEventKind::Declared {
                title,
                status,
                components,
                affected,
                messages,
                ..
            } => format!(
                "declared ({status}): {title}; {}; {} customers affected. {}",
                states(components),
                affected.len(),
                text(messages)
            ),
            IncidentEventKind::Updated {
                status,
                components,
                messages,
                left_open,
                ..
            } => {
                let mut line = if components.is_empty() {
                    format!("{status}: {}", text(messages))
                } else {
                    format!("{status} ({}): {}", states(components), text(messages))
                };
                if !left_open.is_empty() {
                    line.push_str(&format!(
                        " ({} linked tickets left open for a person)",
                        left_open.len()
                    ));
                }
                line
            }
            IncidentEventKind::TicketLinked { ticket, .. } => format!("ticket {ticket} linked"),
            IncidentEventKind::UpdateDueSoon { due } => format!("update due at {due}"),
            IncidentEventKind::UpdateOverdue { due } => format!("update missed (due {due})"),
            IncidentEventKind::CreditIssued { credit } => format!(
                "credit issued to {} ({}) for {} min down",
                credit.customer,
                credit.reason,
                credit.downtime.total().num_minutes()
            ),
            IncidentEventKind::FollowedUp { customer, outcome } => match outcome {
                FollowUpOutcome::Survey { .. } => format!("follow-up survey sent to {customer}"),
                FollowUpOutcome::Task { reason, .. } => {
                    format!("follow-up task for {customer}: {reason}")
                }
            },
        }
    }
}

/// One posted update.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IncidentUpdate {
    /// When.
    pub at: DateTime<Utc>,
    /// Who.
    pub by: AgentId,
    /// The status it set.
    pub status: IncidentStatus,
    /// Its texts.
    pub messages: Messages,
}

/// An incident: a pure function of its events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incident {
    id: IncidentId,
    title: String,
    commander: AgentId,
    status: IncidentStatus,
    declared_at: DateTime<Utc>,
    resolved_at: Option<DateTime<Utc>>,
    components: BTreeMap<ComponentId, ComponentState>,
    /// Component states from each instant on.
    history: Vec<(DateTime<Utc>, BTreeMap<ComponentId, ComponentState>)>,
    affected: BTreeSet<CustomerId>,
    linked: BTreeSet<TicketId>,
    updates: Vec<IncidentUpdate>,
    cadence: Option<Cadence>,
    next_due: Option<DateTime<Utc>>,
    warned: bool,
    overdue: bool,
    follow_up_at: Option<DateTime<Utc>>,
    followed_up: BTreeSet<CustomerId>,
    credits: BTreeMap<CustomerId, Credit>,
    events: Vec<IncidentEvent>,
}

/// What an incident's timer fires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum IncidentTimer {
    /// Warn that an update is due soon.
    Warn,
    /// Record a missed update.
    Overdue,
    /// Follow up with the affected customers.
    FollowUp,
}

impl Incident {
    /// Validates a declaration and decides its event. `affected` and
    /// `unreachable` are the desk's to find.
    ///
    /// # Errors
    /// [`IncidentError::NoComponents`], [`IncidentError::UnknownComponent`],
    /// [`IncidentError::BlankMessage`], [`IncidentError::EmptyUpdate`] (no
    /// message), [`IncidentError::InvalidCadence`],
    /// [`IncidentError::Resolved`] when declared already resolved.
    #[allow(clippy::too_many_arguments)]
    pub fn declare(
        id: IncidentId,
        title: &str,
        commander: AgentId,
        status: IncidentStatus,
        components: BTreeMap<ComponentId, ComponentState>,
        cadence: Option<Cadence>,
        messages: Messages,
        catalog: &ComponentCatalog,
        now: DateTime<Utc>,
    ) -> Result<IncidentDraft, IncidentError> {
        if components.is_empty() {
            return Err(IncidentError::NoComponents);
        }
        for c in components.keys() {
            catalog.check(c)?;
        }
        check_messages(&messages)?;
        if messages.is_empty() {
            return Err(IncidentError::EmptyUpdate);
        }
        if status == IncidentStatus::Resolved {
            return Err(IncidentError::Resolved(id));
        }
        if let Some(c) = &cadence {
            c.validate()?;
        }
        Ok(IncidentDraft {
            at: now,
            kind: IncidentEventKind::Declared {
                id,
                title: title.trim().to_owned(),
                commander,
                status,
                components,
                affected: BTreeSet::new(),
                cadence,
                messages,
                unreachable: Vec::new(),
            },
        })
    }

    /// Validates an update and decides its event. Component states that
    /// do not change are dropped; resolving sets every component back to
    /// operational unless the update says otherwise.
    ///
    /// # Errors
    /// [`IncidentError::Resolved`] once resolved; unknown components;
    /// blank messages; [`IncidentError::EmptyUpdate`].
    #[allow(clippy::too_many_arguments)]
    pub fn update(
        &self,
        by: AgentId,
        status: IncidentStatus,
        components: BTreeMap<ComponentId, ComponentState>,
        messages: Messages,
        catalog: &ComponentCatalog,
        follow_up_after: Duration,
        now: DateTime<Utc>,
    ) -> Result<IncidentDraft, IncidentError> {
        if self.is_resolved() {
            return Err(IncidentError::Resolved(self.id));
        }
        for c in components.keys() {
            catalog.check(c)?;
        }
        check_messages(&messages)?;
        let mut changes: BTreeMap<ComponentId, ComponentState> = components
            .into_iter()
            .filter(|(k, v)| self.components.get(k) != Some(v))
            .collect();
        let resolving = status == IncidentStatus::Resolved;
        if resolving {
            for (k, v) in &self.components {
                if *v != ComponentState::Operational && !changes.contains_key(k) {
                    changes.insert(k.clone(), ComponentState::Operational);
                }
            }
        }
        if messages.is_empty() && changes.is_empty() && status == self.status {
            return Err(IncidentError::EmptyUpdate);
        }
        Ok(IncidentDraft {
            at: now,
            kind: IncidentEventKind::Updated {
                by,
                status,
                components: changes,
                messages,
                unreachable: Vec::new(),
                follow_up_at: resolving.then(|| crate::time::plus(now, follow_up_after)),
                left_open: Vec::new(),
            },
        })
    }

    /// Builds an incident from its events (the first must be `Declared`).
    #[must_use]
    pub fn from_events(events: &[IncidentEvent]) -> Option<Self> {
        let (first, rest) = events.split_first()?;
        let mut i = Self::from_declared(first)?;
        for e in rest {
            i.apply(e);
        }
        Some(i)
    }

    /// An incident from its `Declared` event.
    #[must_use]
    pub fn from_declared(event: &IncidentEvent) -> Option<Self> {
        let IncidentEventKind::Declared {
            id,
            title,
            commander,
            status,
            components,
            affected,
            cadence,
            messages,
            ..
        } = &event.kind
        else {
            return None;
        };
        Some(Incident {
            id: *id,
            title: title.clone(),
            commander: *commander,
            status: *status,
            declared_at: event.at,
            resolved_at: None,
            components: components.clone(),
            history: vec![(event.at, components.clone())],
            affected: affected.clone(),
            linked: BTreeSet::new(),
            updates: vec![IncidentUpdate {
                at: event.at,
                by: *commander,
                status: *status,
                messages: messages.clone(),
            }],
            cadence: *cadence,
            next_due: cadence.map(|c| crate::time::plus(event.at, c.every)),
            warned: false,
            overdue: false,
            follow_up_at: None,
            followed_up: BTreeSet::new(),
            credits: BTreeMap::new(),
            events: vec![event.clone()],
        })
    }

    /// Folds an event in.
    pub fn apply(&mut self, event: &IncidentEvent) {
        self.events.push(event.clone());
        match &event.kind {
            IncidentEventKind::Declared { .. } => {}
            IncidentEventKind::Updated {
                by,
                status,
                components,
                messages,
                follow_up_at,
                ..
            } => {
                self.status = *status;
                if !components.is_empty() {
                    for (k, v) in components {
                        self.components.insert(k.clone(), *v);
                    }
                    self.history.push((event.at, self.components.clone()));
                }
                self.updates.push(IncidentUpdate {
                    at: event.at,
                    by: *by,
                    status: *status,
                    messages: messages.clone(),
                });
                self.warned = false;
                self.overdue = false;
                if *status == IncidentStatus::Resolved {
                    self.resolved_at = Some(event.at);
                    self.next_due = None;
                    self.follow_up_at = *follow_up_at;
                } else if !messages.is_empty() {
                    // Only an update customers read resets the clock.
                    self.next_due = self.cadence.map(|c| crate::time::plus(event.at, c.every));
                }
            }
            IncidentEventKind::TicketLinked { ticket, .. } => {
                self.linked.insert(*ticket);
            }
            IncidentEventKind::UpdateDueSoon { .. } => self.warned = true,
            IncidentEventKind::UpdateOverdue { .. } => self.overdue = true,
            IncidentEventKind::CreditIssued { credit } => {
                self.credits.insert(credit.customer, credit.clone());
            }
            IncidentEventKind::FollowedUp { customer, .. } => {
                self.followed_up.insert(*customer);
                if self.followed_up.len() >= self.affected.len() {
                    self.follow_up_at = None;
                }
            }
        }
    }

    /// The next timer: when, and what it fires.
    #[must_use]
    pub fn next_timer(&self) -> Option<(DateTime<Utc>, IncidentTimer)> {
        if let Some(at) = self.follow_up_at {
            return Some((at, IncidentTimer::FollowUp));
        }
        let due = self.next_due?;
        let cadence = self.cadence?;
        if !self.warned {
            Some((
                crate::time::minus(due, cadence.warn_before),
                IncidentTimer::Warn,
            ))
        } else if !self.overdue {
            Some((due, IncidentTimer::Overdue))
        } else {
            None
        }
    }

    /// Its id.
    #[must_use]
    pub fn id(&self) -> IncidentId {
        self.id
    }
    /// Its headline.
    #[must_use]
    pub fn title(&self) -> &str {
        &self.title
    }
    /// Who runs it.
    #[must_use]
    pub fn commander(&self) -> AgentId {
        self.commander
    }
    /// Its status.
    #[must_use]
    pub fn status(&self) -> IncidentStatus {
        self.status
    }
    /// Whether it is over.
    #[must_use]
    pub fn is_resolved(&self) -> bool {
        self.status == IncidentStatus::Resolved
    }
    /// When it was declared.
    #[must_use]
    pub fn declared_at(&self) -> DateTime<Utc> {
        self.declared_at
    }
    /// When it was resolved.
    #[must_use]
    pub fn resolved_at(&self) -> Option<DateTime<Utc>> {
        self.resolved_at
    }
    /// Each named component's current state.
    #[must_use]
    pub fn components(&self) -> &BTreeMap<ComponentId, ComponentState> {
        &self.components
    }
    /// The customers affected.
    #[must_use]
    pub fn affected(&self) -> &BTreeSet<CustomerId> {
        &self.affected
    }
    /// The linked tickets.
    #[must_use]
    pub fn linked(&self) -> &BTreeSet<TicketId> {
        &self.linked
    }
    /// Every update, oldest first (the declaration is the first).
    #[must_use]
    pub fn updates(&self) -> &[IncidentUpdate] {
        &self.updates
    }
    /// The latest update.
    #[must_use]
    pub fn latest(&self) -> Option<&IncidentUpdate> {
        self.updates.last()
    }
    /// The cadence.
    #[must_use]
    pub fn cadence(&self) -> Option<Cadence> {
        self.cadence
    }
    /// When the next update is due.
    #[must_use]
    pub fn next_update_due(&self) -> Option<DateTime<Utc>> {
        self.next_due
    }
    /// When the follow-ups fall due, while any is outstanding.
    #[must_use]
    pub fn follow_up_at(&self) -> Option<DateTime<Utc>> {
        self.follow_up_at
    }
    /// Customers already followed up.
    #[must_use]
    pub fn followed_up(&self) -> &BTreeSet<CustomerId> {
        &self.followed_up
    }
    /// Credits issued, by customer.
    #[must_use]
    pub fn credits(&self) -> &BTreeMap<CustomerId, Credit> {
        &self.credits
    }
    /// Every event, in order.
    #[must_use]
    pub fn events(&self) -> &[IncidentEvent] {
        &self.events
    }

    /// The timeline, exportable as data (serde).
    #[must_use]
    pub fn timeline(&self) -> Timeline {
        Timeline {
            incident: self.id,
            title: self.title.clone(),
            entries: self
                .events
                .iter()
                .map(|e| TimelineEntry {
                    at: e.at,
                    summary: e.kind.summary(),
                    event: e.kind.clone(),
                })
                .collect(),
        }
    }

    /// A customer's measured downtime: at each instant, the worst state of
    /// the incident's components covering any component the customer runs
    /// on, from declaration to resolution (or `now`, while it runs).
    #[must_use]
    pub fn downtime_for(
        &self,
        runs_on: &BTreeSet<ComponentId>,
        catalog: &ComponentCatalog,
        now: DateTime<Utc>,
    ) -> Downtime {
        let end = self.resolved_at.unwrap_or(now);
        let mut d = Downtime::default();
        for (i, (from, states)) in self.history.iter().enumerate() {
            let to = self.history.get(i + 1).map_or(end, |(t, _)| *t).min(end);
            if to <= *from {
                continue;
            }
            let worst = states
                .iter()
                .filter(|(c, _)| runs_on.iter().any(|r| catalog.covers(c, r)))
                .map(|(_, s)| *s)
                .max()
                .unwrap_or_default();
            let span = to - *from;
            match worst {
                ComponentState::MajorOutage => d.major = time::sum(d.major, span),
                ComponentState::PartialOutage => d.partial = time::sum(d.partial, span),
                ComponentState::Degraded => d.degraded = time::sum(d.degraded, span),
                ComponentState::Operational => {}
            }
        }
        d
    }
}

/// What an agent taking a call needs to know about an incident affecting
/// the caller: one call away (`Desk::incident_briefings`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct IncidentBriefing {
    /// The incident.
    pub incident: IncidentId,
    /// Its headline.
    pub title: String,
    /// Its status.
    pub status: IncidentStatus,
    /// The components it names and their states now.
    pub components: BTreeMap<ComponentId, ComponentState>,
    /// The components of this customer it covers.
    pub affects: Vec<ComponentId>,
    /// When it was declared.
    pub declared_at: DateTime<Utc>,
    /// When it was resolved, if it is.
    pub resolved_at: Option<DateTime<Utc>>,
    /// The latest update, every audience's text.
    pub latest: Option<IncidentUpdate>,
    /// When the next update is due.
    pub next_update_due: Option<DateTime<Utc>>,
}

/// One running incident on the public status page
/// (`Desk::status_page`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct StatusPageEntry {
    /// The incident.
    pub incident: IncidentId,
    /// Its headline.
    pub title: String,
    /// Its status.
    pub status: IncidentStatus,
    /// Its components' states.
    pub components: BTreeMap<ComponentId, ComponentState>,
    /// The latest public text, if any update had one.
    pub message: Option<String>,
    /// When that text was posted.
    pub posted_at: Option<DateTime<Utc>>,
    /// When the incident was declared.
    pub declared_at: DateTime<Utc>,
}

/// A decided incident event, for the desk to complete and store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncidentDraft {
    /// When.
    pub at: DateTime<Utc>,
    /// What.
    pub kind: IncidentEventKind,
}

fn check_messages(messages: &Messages) -> Result<(), IncidentError> {
    match messages.iter().find(|(_, text)| text.trim().is_empty()) {
        Some((a, _)) => Err(IncidentError::BlankMessage(*a)),
        None => Ok(()),
    }
}

/// An incident's timeline: every event in order, serde-exportable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Timeline {
    /// The incident.
    pub incident: IncidentId,
    /// Its headline.
    pub title: String,
    /// Its events.
    pub entries: Vec<TimelineEntry>,
}

impl Timeline {
    /// One line per entry: `time  summary`.
    #[must_use]
    pub fn lines(&self) -> Vec<String> {
        self.entries
            .iter()
            .map(|e| format!("{}  {}", e.at.format("%Y-%m-%d %H:%M"), e.summary))
            .collect()
    }
}

/// One timeline entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TimelineEntry {
    /// When.
    pub at: DateTime<Utc>,
    /// In words.
    pub summary: String,
    /// The event itself.
    pub event: IncidentEventKind,
}

/// Time a customer spent in each bad state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Downtime {
    /// In major outage.
    #[serde(with = "crate::time::seconds")]
    pub major: Duration,
    /// In partial outage.
    #[serde(with = "crate::time::seconds")]
    pub partial: Duration,
    /// Degraded.
    #[serde(with = "crate::time::seconds")]
    pub degraded: Duration,
}

impl Default for Downtime {
    fn default() -> Self {
        Downtime {
            major: Duration::zero(),
            partial: Duration::zero(),
            degraded: Duration::zero(),
        }
    }
}

impl Downtime {
    /// All time in any bad state.
    #[must_use]
    pub fn total(&self) -> Duration {
        time::sum(time::sum(self.major, self.partial), self.degraded)
    }
}

/// A refund or credit reason code (`sla-outage`, `goodwill`): one word.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ReasonCode(String);

impl ReasonCode {
    /// A reason code.
    ///
    /// # Errors
    /// [`IncidentError::InvalidReason`] for blank text, white space inside,
    /// or more than 100 characters.
    pub fn new(code: &str) -> Result<Self, IncidentError> {
        one_word(code)
            .map(ReasonCode)
            .ok_or_else(|| IncidentError::InvalidReason(code.to_owned()))
    }
    /// The code.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

validated_string!(ReasonCode, IncidentError);

/// How credits are computed from downtime.
///
/// `credit = monthly fee × rate × weighted hours`, where weighted hours
/// count major outage fully and partial outage and degradation at their
/// weights, capped at `cap` of the monthly fee; nothing when the total
/// time in any bad state is within the grace period. Rates and caps are
/// in basis points (1/100 of a percent) of the monthly fee; amounts are
/// rounded down to the minor unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditPolicy {
    /// The reason code credits under this policy carry.
    pub reason: ReasonCode,
    /// Basis points of the monthly fee per hour of major outage.
    pub rate_bp_per_hour: i64,
    /// At most this many basis points of the monthly fee.
    pub cap_bp: i64,
    /// Weight of partial outage, percent (default 50).
    #[serde(default = "default_partial_weight")]
    pub partial_weight_percent: i64,
    /// Weight of degraded performance, percent (default 0).
    #[serde(default)]
    pub degraded_weight_percent: i64,
    /// Downtime up to this long earns nothing (default none).
    #[serde(default = "Duration::zero", with = "grace_seconds")]
    pub grace: Duration,
}

fn default_partial_weight() -> i64 {
    50
}

impl CreditPolicy {
    /// A policy with the default weights and no grace period.
    ///
    /// # Errors
    /// As [`CreditPolicy::validate`].
    pub fn new(
        reason: ReasonCode,
        rate_bp_per_hour: i64,
        cap_bp: i64,
    ) -> Result<Self, IncidentError> {
        let p = CreditPolicy {
            reason,
            rate_bp_per_hour,
            cap_bp,
            partial_weight_percent: default_partial_weight(),
            degraded_weight_percent: 0,
            grace: Duration::zero(),
        };
        p.validate()?;
        Ok(p)
    }

    /// Checks the numbers.
    ///
    /// # Errors
    /// [`IncidentError::NegativeRate`], [`IncidentError::NegativeCap`],
    /// [`IncidentError::InvalidWeight`], [`IncidentError::Duration`] for a
    /// grace period that is negative or over 100 years.
    pub fn validate(&self) -> Result<(), IncidentError> {
        if self.rate_bp_per_hour < 0 {
            return Err(IncidentError::NegativeRate(self.rate_bp_per_hour));
        }
        if self.cap_bp < 0 {
            return Err(IncidentError::NegativeCap(self.cap_bp));
        }
        for (what, got) in [
            ("partial outage", self.partial_weight_percent),
            ("degraded", self.degraded_weight_percent),
        ] {
            if !(0..=100).contains(&got) {
                return Err(IncidentError::InvalidWeight { what, got });
            }
        }
        time::check_configured("credit grace", self.grace)?;
        Ok(())
    }

    /// The most this policy credits on `fee`.
    ///
    /// # Errors
    /// As [`CreditPolicy::credit`].
    pub fn cap(&self, fee: Money) -> Result<Money, IncidentError> {
        self.validate()?;
        if fee.minor < 0 {
            return Err(IncidentError::NegativeFee(fee));
        }
        let cap = i128::from(fee.minor) * i128::from(self.cap_bp) / 10_000;
        Ok(Money {
            minor: i64::try_from(cap).unwrap_or(i64::MAX),
            currency: fee.currency,
        })
    }

    /// The credit for `downtime` on a monthly `fee`; never more than
    /// [`CreditPolicy::cap`], never negative.
    ///
    /// # Errors
    /// An invalid policy; [`IncidentError::NegativeFee`].
    ///
    /// ```
    /// use chrono::Duration;
    /// use fanatical::customer::{Currency, Money};
    /// use fanatical::incident::{CreditPolicy, Downtime, ReasonCode};
    /// // 5% of the monthly fee per hour of major outage, at most the whole fee.
    /// let policy = CreditPolicy::new(ReasonCode::new("sla-outage")?, 500, 10_000)?;
    /// let fee = Money { minor: 100_000, currency: Currency::new("USD")? };
    /// let two_hours = Downtime { major: Duration::hours(2), partial: Duration::zero(), degraded: Duration::zero() };
    /// assert_eq!(policy.credit(fee, &two_hours)?.minor, 10_000); // 10% of 1,000.00
    /// let a_month = Downtime { major: Duration::days(30), ..two_hours };
    /// assert_eq!(policy.credit(fee, &a_month)?.minor, 100_000); // capped
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn credit(&self, fee: Money, downtime: &Downtime) -> Result<Money, IncidentError> {
        let cap = self.cap(fee)?;
        if downtime.total() <= self.grace {
            return Ok(Money {
                minor: 0,
                currency: fee.currency,
            });
        }
        let secs = |d: Duration| i128::from(d.num_seconds().max(0));
        // Weighted seconds × 100 (the weights are percents).
        let weighted = secs(downtime.major) * 100
            + secs(downtime.partial) * i128::from(self.partial_weight_percent)
            + secs(downtime.degraded) * i128::from(self.degraded_weight_percent);
        let raw = i128::from(fee.minor)
            .saturating_mul(i128::from(self.rate_bp_per_hour))
            .saturating_mul(weighted)
            / (10_000 * 3_600 * 100);
        let minor = i64::try_from(raw).unwrap_or(i64::MAX).min(cap.minor).max(0);
        Ok(Money {
            minor,
            currency: fee.currency,
        })
    }
}

/// Refund reasons and which policy applies to which contract.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CreditConfig {
    /// The refund reasons, by code, with what each means. Data, not code:
    /// finance can add one without a release.
    #[serde(default)]
    pub reasons: BTreeMap<ReasonCode, String>,
    /// The policy for each contract tier.
    #[serde(default)]
    pub by_tier: BTreeMap<Tier, CreditPolicy>,
    /// The policy for customers whose tier has none.
    #[serde(default)]
    pub default: Option<CreditPolicy>,
}

impl CreditConfig {
    /// With a refund reason.
    ///
    /// # Errors
    /// [`IncidentError::InvalidReason`].
    pub fn with_reason(mut self, code: &str, meaning: &str) -> Result<Self, IncidentError> {
        self.reasons
            .insert(ReasonCode::new(code)?, meaning.trim().to_owned());
        Ok(self)
    }
    /// With the policy for a tier.
    ///
    /// # Errors
    /// An invalid policy or one citing an unknown reason.
    pub fn with_tier(mut self, tier: Tier, policy: CreditPolicy) -> Result<Self, IncidentError> {
        self.check(&policy)?;
        self.by_tier.insert(tier, policy);
        Ok(self)
    }
    /// With the default policy.
    ///
    /// # Errors
    /// An invalid policy or one citing an unknown reason.
    pub fn with_default(mut self, policy: CreditPolicy) -> Result<Self, IncidentError> {
        self.check(&policy)?;
        self.default = Some(policy);
        Ok(self)
    }
    /// The policy for a tier.
    #[must_use]
    pub fn policy_for(&self, tier: Tier) -> Option<&CreditPolicy> {
        self.by_tier.get(&tier).or(self.default.as_ref())
    }
    /// Checks every policy (a deserialized config skips the builders).
    ///
    /// # Errors
    /// The first invalid policy's error.
    pub fn validate(&self) -> Result<(), IncidentError> {
        for p in self.by_tier.values().chain(self.default.as_ref()) {
            self.check(p)?;
        }
        Ok(())
    }
    fn check(&self, p: &CreditPolicy) -> Result<(), IncidentError> {
        p.validate()?;
        if !self.reasons.contains_key(&p.reason) {
            return Err(IncidentError::UnknownReason(p.reason.clone()));
        }
        Ok(())
    }
}

/// How the desk runs incidents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct IncidentConfig {
    /// The components incidents name and customers run on.
    #[serde(default)]
    pub components: ComponentCatalog,
    /// Refund reasons and credit policies.
    #[serde(default)]
    pub credits: CreditConfig,
    /// How long after resolution affected customers are followed up
    /// (default 45 days: "in a month or two").
    #[serde(with = "follow_up_after_seconds")]
    pub follow_up_after: Duration,
    /// The survey sent as the follow-up, if any (else a task).
    #[serde(default)]
    pub follow_up_survey: Option<String>,
    /// How long a resolved incident counts as recent in briefings
    /// (default 30 days).
    #[serde(with = "recent_seconds")]
    pub recent: Duration,
}

impl Default for IncidentConfig {
    fn default() -> Self {
        IncidentConfig {
            components: ComponentCatalog::default(),
            credits: CreditConfig::default(),
            follow_up_after: Duration::days(45),
            follow_up_survey: None,
            recent: Duration::days(30),
        }
    }
}

impl IncidentConfig {
    /// With a component catalog.
    #[must_use]
    pub fn with_components(mut self, catalog: ComponentCatalog) -> Self {
        self.components = catalog;
        self
    }
    /// With credit policies.
    #[must_use]
    pub fn with_credits(mut self, credits: CreditConfig) -> Self {
        self.credits = credits;
        self
    }
    /// With a follow-up survey and delay.
    ///
    /// # Errors
    /// [`IncidentError::Duration`] for a delay that is negative or over 100
    /// years.
    pub fn with_follow_up(
        mut self,
        survey: Option<&str>,
        after: Duration,
    ) -> Result<Self, IncidentError> {
        self.follow_up_survey = survey.map(str::to_owned);
        self.follow_up_after = time::check_configured("incident follow_up_after", after)?;
        Ok(self)
    }

    /// Checks the durations (each from 0 to 100 years) and the credit
    /// policies. Reading a configuration checks the durations too; a
    /// configuration changed through its fields skips the builders.
    ///
    /// # Errors
    /// [`IncidentError::Duration`] naming the setting, or the credit
    /// policies' errors ([`CreditConfig::validate`]).
    pub fn validate(&self) -> Result<(), IncidentError> {
        time::check_configured("incident follow_up_after", self.follow_up_after)?;
        time::check_configured("incident recent", self.recent)?;
        self.credits.validate()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::customer::Currency;

    fn t(h: i64) -> DateTime<Utc> {
        DateTime::<Utc>::from_timestamp(1_800_000_000, 0).unwrap_or_default() + Duration::hours(h)
    }

    fn usd(minor: i64) -> Money {
        Money {
            minor,
            currency: Currency::new("USD").unwrap(),
        }
    }

    #[test]
    fn weights_grace_and_cap() {
        let mut p = CreditPolicy::new(ReasonCode::new("outage").unwrap(), 100, 1000).unwrap();
        let d = Downtime {
            major: Duration::hours(1),
            partial: Duration::hours(2),
            degraded: Duration::hours(5),
        };
        // 1 h + 2 h × 50% = 2 weighted hours at 1% = 2% of 10,000.
        assert_eq!(p.credit(usd(10_000), &d).unwrap(), usd(200));
        p.grace = Duration::hours(8);
        assert_eq!(p.credit(usd(10_000), &d).unwrap(), usd(0));
        p.grace = Duration::zero();
        p.rate_bp_per_hour = 10_000;
        assert_eq!(p.credit(usd(10_000), &d).unwrap(), usd(1_000));
        p.rate_bp_per_hour = -1;
        assert_eq!(
            p.credit(usd(10_000), &d),
            Err(IncidentError::NegativeRate(-1))
        );
        p.rate_bp_per_hour = 1;
        assert_eq!(
            p.credit(usd(-5), &d),
            Err(IncidentError::NegativeFee(usd(-5)))
        );
    }

    #[test]
    fn downtime_follows_component_history() {
        let dc = ComponentId::new("dc").unwrap();
        let web = ComponentId::new("dc/web").unwrap();
        let db = ComponentId::new("db").unwrap();
        let cat = ComponentCatalog::new()
            .with(dc.clone(), "DC", None)
            .unwrap()
            .with(web.clone(), "Web", Some(dc.clone()))
            .unwrap()
            .with(db.clone(), "DB", None)
            .unwrap();
        let id = IncidentId::from_uuid(uuid::Uuid::from_u128(1));
        let boss = AgentId::from_uuid(uuid::Uuid::from_u128(2));
        let msg = Messages::from([(Audience::Business, "Down".to_owned())]);
        let d = Incident::declare(
            id,
            "Power",
            boss,
            IncidentStatus::Investigating,
            BTreeMap::from([(dc.clone(), ComponentState::MajorOutage)]),
            Some(Cadence::every_minutes(30, 5).unwrap()),
            msg.clone(),
            &cat,
            t(0),
        )
        .unwrap();
        let mut inc = Incident::from_declared(&IncidentEvent {
            at: d.at,
            kind: d.kind,
        })
        .unwrap();
        assert_eq!(
            inc.next_timer(),
            Some((t(0) + Duration::minutes(25), IncidentTimer::Warn))
        );
        let u = inc
            .update(
                boss,
                IncidentStatus::Identified,
                BTreeMap::from([(dc.clone(), ComponentState::PartialOutage)]),
                msg.clone(),
                &cat,
                Duration::days(45),
                t(2),
            )
            .unwrap();
        inc.apply(&IncidentEvent {
            at: u.at,
            kind: u.kind,
        });
        let r = inc
            .update(
                boss,
                IncidentStatus::Resolved,
                BTreeMap::new(),
                msg.clone(),
                &cat,
                Duration::days(45),
                t(3),
            )
            .unwrap();
        inc.apply(&IncidentEvent {
            at: r.at,
            kind: r.kind,
        });
        assert_eq!(
            inc.components().get(&dc),
            Some(&ComponentState::Operational)
        );
        let on_web = inc.downtime_for(&BTreeSet::from([web]), &cat, t(10));
        assert_eq!(on_web.major, Duration::hours(2));
        assert_eq!(on_web.partial, Duration::hours(1));
        let on_db = inc.downtime_for(&BTreeSet::from([db]), &cat, t(10));
        assert_eq!(on_db.total(), Duration::zero());
        assert_eq!(
            inc.update(
                boss,
                IncidentStatus::Monitoring,
                BTreeMap::new(),
                msg,
                &cat,
                Duration::days(45),
                t(4)
            ),
            Err(IncidentError::Resolved(id))
        );
        assert_eq!(
            inc.next_timer(),
            Some((t(3) + Duration::days(45), IncidentTimer::FollowUp))
        );
        assert_eq!(inc.timeline().entries.len(), 3);
    }

    #[test]
    fn catalog_refuses_unknown_parents_and_duplicates() {
        let a = ComponentId::new("a").unwrap();
        let b = ComponentId::new("b").unwrap();
        let cat = ComponentCatalog::new().with(a.clone(), "A", None).unwrap();
        assert_eq!(
            cat.clone().with(b.clone(), "B", Some(b.clone())),
            Err(IncidentError::UnknownComponent(b))
        );
        assert_eq!(
            cat.with(a.clone(), "A", None),
            Err(IncidentError::DuplicateComponent(a))
        );
        assert!(ComponentId::new("two words").is_err());
    }
}
