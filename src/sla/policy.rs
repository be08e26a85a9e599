//! SLA policies: which targets apply to a ticket, and on which clock.

use crate::field::{FieldCondition, FieldValues};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use chrono::Duration;
use serde::{Deserialize, Serialize};

use super::{BusinessCalendar, SlaError};
use crate::channel::ChannelKind;
use crate::id::CustomerId;
use crate::ticket::{Priority, Status, Tag, TicketType};

/// What an SLA measures: Zendesk's SLA metrics, by their names and
/// behaviour, and an agent's promise.
///
/// The first four variants predate the Zendesk names and keep their wire
/// names (stored events name them so); each is one of Zendesk's metrics,
/// and configuration may name it either way (`"first_reply_time"` reads as
/// [`Metric::FirstResponse`]). [`Metric::zendesk_name`] gives Zendesk's
/// name, and the associated constants ([`Metric::FIRST_REPLY_TIME`], ...)
/// let code say it too.
///
/// | variant (wire name) | Zendesk metric | starts | pauses by default | fulfilled by |
/// |---|---|---|---|---|
/// | `FirstResponse` (`first_response`) | first reply time | the customer's first public comment | never | the first public agent comment |
/// | `NextResponse` (`next_response`) | next reply time | the oldest unanswered public customer comment after an agent's reply | never | the next public agent comment |
/// | `PeriodicUpdate` (`periodic_update`) | periodic update | the ticket opening, then every public agent comment | never | the next public agent comment |
/// | `PausableUpdate` (`pausable_update`) | pausable update | a public agent comment | pending | the next public agent comment |
/// | `Resolution` (`resolution`) | requester wait time | opening (a reopen starts cycle 2) | pending (counts new, open, on-hold) | solved |
/// | `AgentWorkTime` (`agent_work_time`) | agent work time | opening (a reopen starts cycle 2) | pending and on-hold (counts new, open) | solved |
/// | `TotalResolutionTime` (`total_resolution_time`) | total resolution time | opening (a reopen starts cycle 2) | never (counts every status) | solved |
/// | `Promise` (`promise`) | — (an agent's own promise) | the promise | never | the next public agent comment |
///
/// The pausing statuses are [`Target::new`]'s defaults per metric; a target
/// can name others with [`Target::pause_on`]. One difference from Zendesk,
/// kept on purpose: a periodic update starts when the ticket opens, so an
/// incident owes its first update from the start, where Zendesk waits for
/// the first agent comment; use [`Metric::PausableUpdate`] for Zendesk's
/// start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Metric {
    /// Zendesk's *first reply time*: from the customer's first public
    /// message to the first public agent reply; pending does not pause it.
    #[serde(alias = "first_reply_time")]
    FirstResponse,
    /// Zendesk's *next reply time*: from each later customer message to
    /// the next public agent reply; pending does not pause it.
    #[serde(alias = "next_reply_time")]
    NextResponse,
    /// Zendesk's *periodic update*: a public agent update at least every so
    /// often, whatever the customer does (incidents); never paused.
    PeriodicUpdate,
    /// Zendesk's *requester wait time*: from opening (or reopening) to
    /// solved, paused while pending (waiting on the customer) and counting
    /// on-hold, when the customer still waits.
    #[serde(alias = "requester_wait_time")]
    Resolution,
    /// An agent's promise ("I'll update you by 15:00"): due at the promised
    /// instant, kept by the next public agent reply.
    Promise,
    /// Zendesk's *pausable update*: from a public agent comment to the next
    /// one, paused while pending.
    PausableUpdate,
    /// Zendesk's *agent work time*: from opening (or reopening) to solved,
    /// counting only new and open (paused while pending or on-hold).
    AgentWorkTime,
    /// Zendesk's *total resolution time*: from opening (or reopening) to
    /// solved, counting every status.
    TotalResolutionTime,
}

impl Metric {
    /// Zendesk's first reply time.
    pub const FIRST_REPLY_TIME: Metric = Metric::FirstResponse;
    /// Zendesk's next reply time.
    pub const NEXT_REPLY_TIME: Metric = Metric::NextResponse;
    /// Zendesk's periodic update.
    pub const PERIODIC_UPDATE: Metric = Metric::PeriodicUpdate;
    /// Zendesk's pausable update.
    pub const PAUSABLE_UPDATE: Metric = Metric::PausableUpdate;
    /// Zendesk's requester wait time.
    pub const REQUESTER_WAIT_TIME: Metric = Metric::Resolution;
    /// Zendesk's agent work time.
    pub const AGENT_WORK_TIME: Metric = Metric::AgentWorkTime;
    /// Zendesk's total resolution time.
    pub const TOTAL_RESOLUTION_TIME: Metric = Metric::TotalResolutionTime;

    /// Every metric, in report order.
    pub const ALL: [Metric; 8] = [
        Metric::FirstResponse,
        Metric::NextResponse,
        Metric::PeriodicUpdate,
        Metric::PausableUpdate,
        Metric::Resolution,
        Metric::AgentWorkTime,
        Metric::TotalResolutionTime,
        Metric::Promise,
    ];

    /// The metrics that run from opening (or reopening) to solved.
    pub const TO_SOLVED: [Metric; 3] = [
        Metric::Resolution,
        Metric::AgentWorkTime,
        Metric::TotalResolutionTime,
    ];

    /// The lowercase wire name (stored events use it).
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Metric::FirstResponse => "first_response",
            Metric::NextResponse => "next_response",
            Metric::PeriodicUpdate => "periodic_update",
            Metric::PausableUpdate => "pausable_update",
            Metric::Resolution => "resolution",
            Metric::AgentWorkTime => "agent_work_time",
            Metric::TotalResolutionTime => "total_resolution_time",
            Metric::Promise => "promise",
        }
    }

    /// Zendesk's name for the metric (`None` for a promise, which Zendesk
    /// has not).
    ///
    /// # Example
    /// ```
    /// use fanatical::sla::Metric;
    /// assert_eq!(Metric::Resolution.zendesk_name(), Some("requester_wait_time"));
    /// assert_eq!(Metric::REQUESTER_WAIT_TIME, Metric::Resolution);
    /// assert_eq!(Metric::Promise.zendesk_name(), None);
    /// ```
    #[must_use]
    pub const fn zendesk_name(self) -> Option<&'static str> {
        match self {
            Metric::FirstResponse => Some("first_reply_time"),
            Metric::NextResponse => Some("next_reply_time"),
            Metric::PeriodicUpdate => Some("periodic_update"),
            Metric::PausableUpdate => Some("pausable_update"),
            Metric::Resolution => Some("requester_wait_time"),
            Metric::AgentWorkTime => Some("agent_work_time"),
            Metric::TotalResolutionTime => Some("total_resolution_time"),
            Metric::Promise => None,
        }
    }

    /// The name a person reads in a report: Zendesk's name in words
    /// ("first reply time"), or "promise".
    #[must_use]
    pub const fn label(self) -> &'static str {
        match self {
            Metric::FirstResponse => "first reply time",
            Metric::NextResponse => "next reply time",
            Metric::PeriodicUpdate => "periodic update",
            Metric::PausableUpdate => "pausable update",
            Metric::Resolution => "requester wait time",
            Metric::AgentWorkTime => "agent work time",
            Metric::TotalResolutionTime => "total resolution time",
            Metric::Promise => "promise",
        }
    }

    /// Zendesk's default pausing statuses for the metric: none for the
    /// reply metrics, periodic update and total resolution time; pending
    /// for pausable update and requester wait time; pending and on-hold
    /// for agent work time.
    #[must_use]
    pub fn default_pause(self) -> BTreeSet<Status> {
        match self {
            Metric::FirstResponse
            | Metric::NextResponse
            | Metric::PeriodicUpdate
            | Metric::TotalResolutionTime
            | Metric::Promise => BTreeSet::new(),
            Metric::PausableUpdate | Metric::Resolution => BTreeSet::from([Status::Pending]),
            Metric::AgentWorkTime => BTreeSet::from([Status::Pending, Status::OnHold]),
        }
    }
}

impl fmt::Display for Metric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which calendar a target's clock runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Clock {
    /// Around the clock: "within 5 minutes, wherever you are, whatever the
    /// time".
    Always,
    /// The provider's support hours (the contract's, else the desk's).
    SupportHours,
    /// The customer's business day (the contract's, else support hours).
    CustomerHours,
}

/// One target of a policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "TargetWire")]
#[non_exhaustive]
pub struct Target {
    /// What it measures.
    pub metric: Metric,
    /// The priority it applies to; `None` for every priority. The first
    /// target of a policy that matches a metric and priority applies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<Priority>,
    /// How much business time is allowed.
    #[serde(with = "crate::time::seconds")]
    pub within: Duration,
    /// Which calendar counts.
    pub clock: Clock,
    /// Warn when this share of the time is used, in percent (1 to 99).
    #[serde(default)]
    pub warn_at: Vec<u8>,
    /// Statuses in which the clock stops; when configuration leaves it out,
    /// Zendesk's default for the metric ([`Metric::default_pause`]).
    pub pause_on: BTreeSet<Status>,
}

/// A target as read: `pause_on` left out means the metric's default.
#[derive(Deserialize)]
struct TargetWire {
    metric: Metric,
    #[serde(default)]
    priority: Option<Priority>,
    #[serde(with = "crate::time::seconds")]
    within: Duration,
    clock: Clock,
    #[serde(default)]
    warn_at: Vec<u8>,
    #[serde(default)]
    pause_on: Option<BTreeSet<Status>>,
}

impl From<TargetWire> for Target {
    fn from(w: TargetWire) -> Self {
        Target {
            metric: w.metric,
            priority: w.priority,
            within: w.within,
            clock: w.clock,
            warn_at: w.warn_at,
            pause_on: w.pause_on.unwrap_or_else(|| w.metric.default_pause()),
        }
    }
}

impl Target {
    /// A target on `clock`, for every priority, no warnings, paused in
    /// Zendesk's default statuses for the metric ([`Metric::default_pause`]:
    /// a first reply is not paused by pending, requester wait time is).
    #[must_use]
    pub fn new(metric: Metric, within: Duration, clock: Clock) -> Self {
        Target {
            metric,
            priority: None,
            within,
            clock,
            warn_at: Vec::new(),
            pause_on: metric.default_pause(),
        }
    }
    /// Only for one priority.
    #[must_use]
    pub fn for_priority(mut self, priority: Priority) -> Self {
        self.priority = Some(priority);
        self
    }
    /// Warn at these percentages of the time.
    #[must_use]
    pub fn warn_at(mut self, percents: impl IntoIterator<Item = u8>) -> Self {
        self.warn_at = percents.into_iter().collect();
        self
    }
    /// Pause in these statuses instead.
    #[must_use]
    pub fn pause_on(mut self, statuses: impl IntoIterator<Item = Status>) -> Self {
        self.pause_on = statuses.into_iter().collect();
        self
    }
}

/// Which tickets a policy applies to. Empty sets match anything.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Conditions {
    /// Channels (any of).
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub channels: BTreeSet<ChannelKind>,
    /// Priorities (any of).
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub priorities: BTreeSet<Priority>,
    /// Ticket types (any of).
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub types: BTreeSet<TicketType>,
    /// Tags the ticket must all have.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub tags: BTreeSet<Tag>,
    /// Customer segments, from the customer's contract (any of).
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub segments: BTreeSet<String>,
    /// Conditions on the ticket's custom fields (all of).
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub fields: BTreeSet<FieldCondition>,
}

impl Conditions {
    /// Matches every ticket.
    #[must_use]
    pub fn any() -> Self {
        Self::default()
    }
    /// Only these channels.
    #[must_use]
    pub fn on_channels(mut self, channels: impl IntoIterator<Item = ChannelKind>) -> Self {
        self.channels = channels.into_iter().collect();
        self
    }
    /// Only these priorities.
    #[must_use]
    pub fn with_priorities(mut self, p: impl IntoIterator<Item = Priority>) -> Self {
        self.priorities = p.into_iter().collect();
        self
    }
    /// Only these types.
    #[must_use]
    pub fn of_types(mut self, t: impl IntoIterator<Item = TicketType>) -> Self {
        self.types = t.into_iter().collect();
        self
    }
    /// Only tickets with all these tags.
    #[must_use]
    pub fn tagged(mut self, tags: impl IntoIterator<Item = Tag>) -> Self {
        self.tags = tags.into_iter().collect();
        self
    }
    /// Only customers in these segments.
    #[must_use]
    pub fn in_segments(mut self, s: impl IntoIterator<Item = String>) -> Self {
        self.segments = s.into_iter().collect();
        self
    }

    /// Only tickets whose custom fields meet these conditions.
    ///
    /// ```
    /// use fanatical::field::{FieldCondition, FieldKey, FieldTerm, FieldValue, FieldValues};
    /// use fanatical::sla::Conditions;
    /// let plan = FieldKey::new("plan")?;
    /// let enterprise = Conditions::any().with_fields([FieldCondition::any_of(plan.clone(), [FieldTerm::option("enterprise")])]);
    /// assert_eq!(enterprise.fields.len(), 1);
    /// # Ok::<(), fanatical::field::FieldError>(())
    /// ```
    #[must_use]
    pub fn with_fields(mut self, conditions: impl IntoIterator<Item = FieldCondition>) -> Self {
        self.fields = conditions.into_iter().collect();
        self
    }

    /// Whether a ticket with these facts matches.
    #[must_use]
    pub fn matches(&self, facts: &TicketFacts) -> bool {
        (self.channels.is_empty() || self.channels.contains(&facts.channel))
            && (self.priorities.is_empty() || self.priorities.contains(&facts.priority))
            && (self.types.is_empty() || self.types.contains(&facts.ticket_type))
            && self.tags.iter().all(|t| facts.tags.contains(t))
            && (self.segments.is_empty()
                || facts
                    .segment
                    .as_ref()
                    .is_some_and(|s| self.segments.contains(s)))
            && self.fields.iter().all(|c| c.matches(&facts.fields))
    }
}

/// What a policy looks at on a ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketFacts {
    /// The channel it arrived by.
    pub channel: ChannelKind,
    /// Priority.
    pub priority: Priority,
    /// Type.
    pub ticket_type: TicketType,
    /// Tags.
    pub tags: BTreeSet<Tag>,
    /// Status.
    pub status: Status,
    /// The customer's segment, from their contract.
    pub segment: Option<String>,
    /// Custom-field values.
    pub fields: FieldValues,
}

/// A named policy: conditions and targets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SlaPolicy {
    /// Unique name.
    pub name: String,
    /// Which tickets it applies to.
    #[serde(default)]
    pub conditions: Conditions,
    /// Its targets.
    pub targets: Vec<Target>,
}

impl SlaPolicy {
    /// A policy.
    #[must_use]
    pub fn new(name: &str, conditions: Conditions, targets: Vec<Target>) -> Self {
        SlaPolicy {
            name: name.to_owned(),
            conditions,
            targets,
        }
    }

    /// The target for a metric at a priority: the first that matches.
    #[must_use]
    pub fn target(&self, metric: Metric, priority: Priority) -> Option<&Target> {
        self.targets
            .iter()
            .find(|t| t.metric == metric && t.priority.is_none_or(|p| p == priority))
    }
}

/// An ordered, validated list of policies; the first whose conditions
/// match a ticket applies (as in Zendesk).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct SlaPolicies(Vec<SlaPolicy>);

impl SlaPolicies {
    /// Validates policies: names unique and non-empty, durations positive
    /// and at most 100 years, warnings between 1 and 99 percent, promises
    /// not configured (they come from agents). Reading policies validates
    /// them too.
    ///
    /// # Errors
    /// [`SlaError::InvalidPolicy`] naming the policy and the problem;
    /// [`SlaError::Duration`] for a target over 100 years, naming the
    /// policy, the metric and the value.
    pub fn new(policies: Vec<SlaPolicy>) -> Result<Self, SlaError> {
        let mut names = BTreeSet::new();
        for p in &policies {
            let bad = |reason: String| SlaError::InvalidPolicy {
                policy: p.name.clone(),
                reason,
            };
            if p.name.trim().is_empty() {
                return Err(bad("the name is empty".into()));
            }
            if !names.insert(p.name.as_str()) {
                return Err(bad("the name is used twice".into()));
            }
            for t in &p.targets {
                if t.within <= Duration::zero() {
                    return Err(bad(format!("the {} target must be positive", t.metric)));
                }
                crate::time::check_configured(
                    format!("policy {:?} {} target", p.name, t.metric),
                    t.within,
                )?;
                if let Some(w) = t.warn_at.iter().find(|w| !(1..=99).contains(*w)) {
                    return Err(bad(format!(
                        "warning at {w}% of the {} target is not between 1 and 99",
                        t.metric
                    )));
                }
                if t.metric == Metric::Promise {
                    return Err(bad("promises are made by agents, not by policy".into()));
                }
            }
        }
        Ok(SlaPolicies(policies))
    }

    /// The first policy matching the facts.
    #[must_use]
    pub fn select(&self, facts: &TicketFacts) -> Option<&SlaPolicy> {
        self.0.iter().find(|p| p.conditions.matches(facts))
    }

    /// A policy by name.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&SlaPolicy> {
        self.0.iter().find(|p| p.name == name)
    }

    /// The policies in order.
    #[must_use]
    pub fn policies(&self) -> &[SlaPolicy] {
        &self.0
    }
}

impl<'de> Deserialize<'de> for SlaPolicies {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = Vec::<SlaPolicy>::deserialize(deserializer)?;
        SlaPolicies::new(raw).map_err(serde::de::Error::custom)
    }
}

/// What a customer's contract says about SLAs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Contract {
    /// The customer's segment, for policy conditions ("enterprise", "gold").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segment: Option<String>,
    /// The customer's business day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_hours: Option<BusinessCalendar>,
    /// The provider's support hours for this customer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub support_hours: Option<BusinessCalendar>,
}

impl Contract {
    /// A contract in a segment, with the desk's calendars.
    #[must_use]
    pub fn in_segment(segment: &str) -> Self {
        Contract {
            segment: Some(segment.to_owned()),
            ..Contract::default()
        }
    }
    /// With the customer's business day.
    #[must_use]
    pub fn with_customer_hours(mut self, cal: BusinessCalendar) -> Self {
        self.customer_hours = Some(cal);
        self
    }
    /// With the provider's support hours.
    #[must_use]
    pub fn with_support_hours(mut self, cal: BusinessCalendar) -> Self {
        self.support_hours = Some(cal);
        self
    }
}

/// Everything the desk needs to run SLAs: policies, the default support
/// hours, and per-customer contracts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SlaConfig {
    /// The policies, first match wins.
    #[serde(default)]
    pub policies: SlaPolicies,
    /// Support hours when a contract names none (default 24x7).
    #[serde(default = "BusinessCalendar::always")]
    pub support_hours: BusinessCalendar,
    /// Contracts by customer.
    #[serde(default)]
    pub contracts: BTreeMap<CustomerId, Contract>,
    #[serde(skip, default = "BusinessCalendar::always")]
    always: BusinessCalendar,
}

impl Default for SlaConfig {
    fn default() -> Self {
        SlaConfig {
            policies: SlaPolicies::default(),
            support_hours: BusinessCalendar::always(),
            contracts: BTreeMap::new(),
            always: BusinessCalendar::always(),
        }
    }
}

impl SlaConfig {
    /// Policies with 24x7 support hours and no contracts.
    #[must_use]
    pub fn new(policies: SlaPolicies) -> Self {
        SlaConfig {
            policies,
            ..SlaConfig::default()
        }
    }
    /// With default support hours.
    #[must_use]
    pub fn with_support_hours(mut self, cal: BusinessCalendar) -> Self {
        self.support_hours = cal;
        self
    }
    /// With a customer's contract.
    #[must_use]
    pub fn with_contract(mut self, customer: CustomerId, contract: Contract) -> Self {
        self.contracts.insert(customer, contract);
        self
    }

    /// The calendar a clock runs on for a customer.
    #[must_use]
    pub fn calendar(&self, clock: Clock, customer: CustomerId) -> &BusinessCalendar {
        let contract = self.contracts.get(&customer);
        let support = contract
            .and_then(|c| c.support_hours.as_ref())
            .unwrap_or(&self.support_hours);
        match clock {
            Clock::Always => &self.always,
            Clock::SupportHours => support,
            Clock::CustomerHours => contract
                .and_then(|c| c.customer_hours.as_ref())
                .unwrap_or(support),
        }
    }

    /// A customer's segment.
    #[must_use]
    pub fn segment(&self, customer: CustomerId) -> Option<&str> {
        self.contracts
            .get(&customer)
            .and_then(|c| c.segment.as_deref())
    }
}
