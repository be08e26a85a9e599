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
//! # Spend
//! Credit amounts are computed from a customer's monthly spend, which only
//! account management, billing and executives may see. The model is for
//! trusted code and keeps the amounts ([`Incident::credits`],
//! [`Incident::events`], [`Incident::timeline`]); every read the desk
//! gives people takes the viewer and hides them from other roles, with the
//! one mechanism the crate uses for spend: the same type for everyone,
//! each amount an `Option` that is `None` for a viewer whose
//! [`crate::agent::SpendAccess`] is `Hidden` ([`CreditView`],
//! [`Incident::timeline_for`], `desk.incidents().credits_due(..)`).
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

mod component;
mod credit;
mod event;
mod report;
mod update;

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

pub use component::{Component, ComponentCatalog, ComponentSpec, ComponentState};
pub use credit::{
    Credit, CreditConfig, CreditHeld, CreditPolicy, CreditProblem, CreditView, CreditsDue,
    Downtime, ReasonCode,
};
pub use event::{
    CallOut, FollowUpOutcome, IncidentDraft, IncidentEvent, IncidentEventKind, JoinCause,
};
pub use report::{IncidentBriefing, Review, StatusPageEntry, Timeline, TimelineEntry, Unreached};
pub use update::{
    Audience, Cadence, Declaration, IncidentStatus, IncidentUpdate, Messages, Update,
};

use crate::agent::SpendAccess;
use crate::channel::ChannelAddress;
use crate::customer::Money;
use crate::id::{AgentId, ComponentId, ContactId, CustomerId, IncidentId, TicketId};
use crate::time::{self, DurationOutOfRange};
use update::check_messages;

configured_seconds!(
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
    /// An incident is declared while it is happening, never already
    /// resolved (record a resolved one by declaring and then resolving it).
    #[error("incident {0} cannot be declared already resolved")]
    DeclaredResolved(IncidentId),
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
    /// A post-incident write-up with a blank part.
    #[error("the post-incident review's {0} is blank")]
    BlankReview(&'static str),
    /// The write-up is published once.
    #[error("incident {0} already has its post-incident review")]
    AlreadyReviewed(IncidentId),
    /// A press-list address that cannot take a written message.
    #[error("press address {0} cannot take a written message")]
    PressAddress(String),
    /// A negative monthly fee.
    #[error("monthly fee must not be negative (got {0})")]
    NegativeFee(Money),
}

/// An incident: a pure function of its events.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
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
    /// Customers who joined while it ran, and when.
    joined: BTreeMap<CustomerId, DateTime<Utc>>,
    unreached: BTreeMap<(CustomerId, ContactId), Unreached>,
    review: Option<Review>,
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

/// An incident's next timer: when it falls due, and what it fires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct IncidentTimerDue {
    /// When.
    pub at: DateTime<Utc>,
    /// What it fires.
    pub timer: IncidentTimer,
}

impl Incident {
    /// Validates a declaration and decides its `Declared` event, at `now`.
    /// The components must be in `catalog`. `affected` and `unreachable`
    /// are the desk's to find.
    ///
    /// # Errors
    /// [`IncidentError::NoComponents`], [`IncidentError::UnknownComponent`],
    /// [`IncidentError::BlankMessage`], [`IncidentError::EmptyUpdate`] (no
    /// message), [`IncidentError::InvalidCadence`],
    /// [`IncidentError::DeclaredResolved`] when declared already resolved.
    pub fn declare(
        declaration: Declaration,
        catalog: &ComponentCatalog,
        now: DateTime<Utc>,
    ) -> Result<IncidentDraft, IncidentError> {
        let Declaration {
            id,
            title,
            commander,
            status,
            components,
            cadence,
            messages,
        } = declaration;
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
            return Err(IncidentError::DeclaredResolved(id));
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
                call_outs: Vec::new(),
            },
        })
    }

    /// Validates an update and decides its `Updated` event, at `now`.
    /// Component states that do not change are dropped; resolving sets
    /// every component back to operational unless the update says
    /// otherwise, and sets the follow-ups `follow_up_after` from `now`.
    ///
    /// # Errors
    /// [`IncidentError::Resolved`] once resolved; unknown components;
    /// blank messages; [`IncidentError::EmptyUpdate`].
    pub fn update(
        &self,
        update: Update,
        catalog: &ComponentCatalog,
        follow_up_after: Duration,
        now: DateTime<Utc>,
    ) -> Result<IncidentDraft, IncidentError> {
        let Update {
            by,
            status,
            components,
            messages,
            spokesperson,
        } = update;
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
                call_outs: Vec::new(),
                spokesperson,
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
            unreachable,
            call_outs,
        } = &event.kind
        else {
            return None;
        };
        let mut i = Incident {
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
                spokesperson: None,
            }],
            cadence: *cadence,
            next_due: cadence.map(|c| crate::time::plus(event.at, c.every)),
            warned: false,
            overdue: false,
            follow_up_at: None,
            followed_up: BTreeSet::new(),
            credits: BTreeMap::new(),
            joined: BTreeMap::new(),
            unreached: BTreeMap::new(),
            review: None,
            events: vec![event.clone()],
        };
        i.missed(event.at, unreachable.iter().copied(), call_outs);
        Some(i)
    }

    /// Records contacts a message missed at `at`, and their call-outs.
    fn missed(
        &mut self,
        at: DateTime<Utc>,
        contacts: impl IntoIterator<Item = (CustomerId, ContactId)>,
        call_outs: &[CallOut],
    ) {
        for (customer, contact) in contacts {
            let u = self
                .unreached
                .entry((customer, contact))
                .or_insert(Unreached {
                    customer,
                    contact,
                    first_missed_at: at,
                    last_missed_at: at,
                    missed: 0,
                    call_out: None,
                });
            u.last_missed_at = at;
            u.missed = u.missed.saturating_add(1);
        }
        for c in call_outs {
            if let Some(u) = self.unreached.get_mut(&(c.customer, c.contact)) {
                u.call_out = Some(c.clone());
            }
        }
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
                unreachable,
                call_outs,
                spokesperson,
                ..
            } => {
                self.missed(event.at, unreachable.iter().copied(), call_outs);
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
                    spokesperson: *spokesperson,
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
            IncidentEventKind::CustomerJoined {
                customer,
                unreachable,
                call_outs,
                ..
            } => {
                if self.affected.insert(*customer) {
                    self.joined.insert(*customer, event.at);
                }
                let missed: Vec<_> = unreachable.iter().map(|c| (*customer, *c)).collect();
                self.missed(event.at, missed, call_outs);
            }
            IncidentEventKind::ReviewPublished {
                by,
                spokesperson,
                what_happened,
                prevention,
                unreachable,
            } => {
                self.review = Some(Review {
                    at: event.at,
                    by: *by,
                    spokesperson: *spokesperson,
                    what_happened: what_happened.clone(),
                    prevention: prevention.clone(),
                });
                self.missed(event.at, unreachable.iter().copied(), &[]);
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
    pub fn next_timer(&self) -> Option<IncidentTimerDue> {
        let due = |at, timer| Some(IncidentTimerDue { at, timer });
        if let Some(at) = self.follow_up_at {
            return due(at, IncidentTimer::FollowUp);
        }
        let next = self.next_due?;
        let cadence = self.cadence?;
        if !self.warned {
            due(
                crate::time::minus(next, cadence.warn_before),
                IncidentTimer::Warn,
            )
        } else if !self.overdue {
            due(next, IncidentTimer::Overdue)
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
    /// Customers who joined while it ran (an update spread it to a
    /// component they run on, or they started running on an affected
    /// one), and when: their downtime counts from then.
    #[must_use]
    pub fn joined(&self) -> &BTreeMap<CustomerId, DateTime<Utc>> {
        &self.joined
    }
    /// Contacts of affected customers that written messages could not
    /// reach, by customer then contact: how often, since when, and the
    /// call-out task opened for them, without reading the events.
    #[must_use]
    pub fn unreached(&self) -> Vec<Unreached> {
        self.unreached.values().cloned().collect()
    }
    /// The post-incident write-up, once published.
    #[must_use]
    pub fn review(&self) -> Option<&Review> {
        self.review.as_ref()
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
    /// Credits issued, by customer, amounts and all: for trusted code
    /// (billing). People read them through `desk.incidents().credits(..)`
    /// or [`Credit::view`].
    #[must_use]
    pub fn credits(&self) -> &BTreeMap<CustomerId, Credit> {
        &self.credits
    }
    /// Every event, in order: the record, credit amounts included, for
    /// trusted code.
    #[must_use]
    pub fn events(&self) -> &[IncidentEvent] {
        &self.events
    }

    /// The whole timeline, credit amounts included, for trusted code:
    /// [`Incident::timeline_for`] with [`SpendAccess::Shown`].
    #[must_use]
    pub fn timeline(&self) -> Timeline {
        self.timeline_for(SpendAccess::Shown)
    }

    /// The timeline as a viewer with `access` may see it, exportable as
    /// data (serde). Every entry has its summary (which never names an
    /// amount); the event itself is left out (`None`) where it carries
    /// spend the viewer may not see: a credit issued.
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use fanatical::agent::SpendAccess;
    /// use fanatical::incident::*;
    /// # use std::collections::BTreeMap;
    /// # use fanatical::id::*;
    /// # let now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    /// # let dfw1 = ComponentId::new("dfw1")?;
    /// # let catalog = ComponentCatalog::new().with(dfw1.clone(), "DFW1", None)?;
    /// # let declaration = Declaration {
    /// #     id: IncidentId::from_uuid(uuid::Uuid::from_u128(1)), title: "Power loss".into(),
    /// #     commander: AgentId::from_uuid(uuid::Uuid::from_u128(2)),
    /// #     status: IncidentStatus::Investigating,
    /// #     components: BTreeMap::from([(dfw1, ComponentState::MajorOutage)]), cadence: None,
    /// #     messages: Messages::from([(Audience::Public, "Down".to_owned())]) };
    /// # let d = Incident::declare(declaration, &catalog, now)?;
    /// # let incident = Incident::from_events(&[IncidentEvent { at: d.at, kind: d.kind }]).unwrap();
    /// let seen = incident.timeline_for(SpendAccess::Hidden);
    /// assert_eq!(seen.lines(), incident.timeline().lines()); // summaries are for everyone
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn timeline_for(&self, access: SpendAccess) -> Timeline {
        Timeline {
            incident: self.id,
            title: self.title.clone(),
            entries: self
                .events
                .iter()
                .map(|e| TimelineEntry {
                    at: e.at,
                    summary: e.kind.summary(),
                    event: match (&e.kind, access) {
                        (IncidentEventKind::CreditIssued { .. }, SpendAccess::Hidden) => None,
                        (kind, _) => Some(kind.clone()),
                    },
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
        self.downtime_since(self.declared_at, runs_on, catalog, now)
    }

    /// A customer's measured downtime in this incident: as
    /// [`Incident::downtime_for`], counted from when they joined for a
    /// customer who joined while it ran (the components they run on were
    /// not down in it before; one who moved onto a component that was
    /// down is counted from the move).
    #[must_use]
    pub fn customer_downtime(
        &self,
        customer: CustomerId,
        runs_on: &BTreeSet<ComponentId>,
        catalog: &ComponentCatalog,
        now: DateTime<Utc>,
    ) -> Downtime {
        let since = self
            .joined
            .get(&customer)
            .copied()
            .unwrap_or(self.declared_at);
        self.downtime_since(since, runs_on, catalog, now)
    }

    fn downtime_since(
        &self,
        since: DateTime<Utc>,
        runs_on: &BTreeSet<ComponentId>,
        catalog: &ComponentCatalog,
        now: DateTime<Utc>,
    ) -> Downtime {
        let end = self.resolved_at.unwrap_or(now);
        let mut d = Downtime::default();
        for (i, (from, states)) in self.history.iter().enumerate() {
            let to = self.history.get(i + 1).map_or(end, |(t, _)| *t).min(end);
            let from = (*from).max(since);
            if to <= from {
                continue;
            }
            let worst = states
                .iter()
                .filter(|(c, _)| runs_on.iter().any(|r| catalog.covers(c, r)))
                .map(|(_, s)| *s)
                .max()
                .unwrap_or_default();
            let span = to - from;
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
    /// Who receives the press text of every update (else its public
    /// text) and the post-incident write-up: journalists' addresses,
    /// each one that takes a written message (not phone or video).
    /// Empty by default: then the press text is only kept on the
    /// incident, as the status page keeps the public one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub press: Vec<ChannelAddress>,
    /// Who phones the contacts no written update can reach (their only
    /// addresses are phone or video): the owner of every call-out task.
    /// Unset, the incident's commander calls.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call_out_owner: Option<AgentId>,
}

impl Default for IncidentConfig {
    fn default() -> Self {
        IncidentConfig {
            components: ComponentCatalog::default(),
            credits: CreditConfig::default(),
            follow_up_after: Duration::days(45),
            follow_up_survey: None,
            recent: Duration::days(30),
            press: Vec::new(),
            call_out_owner: None,
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

    /// With a press list: who receives the press text of every update
    /// (else its public text) and the post-incident write-up.
    ///
    /// # Errors
    /// [`IncidentError::PressAddress`] for an address that is invalid or
    /// cannot take a written message (phone, video).
    ///
    /// # Example
    /// ```
    /// use fanatical::channel::ChannelAddress;
    /// use fanatical::incident::{IncidentConfig, IncidentError};
    ///
    /// let newsdesk = ChannelAddress::email("newsdesk@paper.example")?;
    /// let config = IncidentConfig::default().with_press(vec![newsdesk])?;
    /// assert_eq!(config.press.len(), 1);
    /// // Journalists are briefed in writing: a phone number is refused.
    /// let phone = ChannelAddress::phone("+1 210 555 0100")?;
    /// assert_eq!(
    ///     IncidentConfig::default().with_press(vec![phone]),
    ///     Err(IncidentError::PressAddress("phone:+1 210 555 0100".into()))
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_press(mut self, addresses: Vec<ChannelAddress>) -> Result<Self, IncidentError> {
        check_press(&addresses)?;
        self.press = addresses;
        Ok(self)
    }

    /// With the owner of every call-out task (else the commander).
    #[must_use]
    pub fn with_call_out_owner(mut self, owner: AgentId) -> Self {
        self.call_out_owner = Some(owner);
        self
    }

    /// Checks the durations (each from 0 to 100 years), the press list
    /// and the credit policies. Reading a configuration checks the durations too; a
    /// configuration changed through its fields skips the builders.
    ///
    /// # Errors
    /// [`IncidentError::Duration`] naming the setting,
    /// [`IncidentError::PressAddress`], or the credit policies' errors
    /// ([`CreditConfig::validate`]).
    pub fn validate(&self) -> Result<(), IncidentError> {
        time::check_configured("incident follow_up_after", self.follow_up_after)?;
        time::check_configured("incident recent", self.recent)?;
        check_press(&self.press)?;
        self.credits.validate()
    }
}

fn check_press(addresses: &[ChannelAddress]) -> Result<(), IncidentError> {
    for a in addresses {
        let written = !matches!(a, ChannelAddress::Phone(_) | ChannelAddress::Video(_));
        if !written || a.clone().validated().is_err() {
            return Err(IncidentError::PressAddress(a.to_string()));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
