//! SLA metrics on a ticket: small state machines recorded as events.
//!
//! Each metric instance (a metric and its cycle number) is **active**
//! (its clock runs toward a deadline), **paused** (the ticket waits on the
//! customer), **fulfilled** (with the business time it took), or
//! **cancelled** (the ticket was solved, closed or merged before it mattered,
//! or the new policy has no such target). A breach is a flag on an active
//! metric, recorded once; a breached metric can still be fulfilled, late.
//!
//! Deadlines and warning instants are computed when the events are decided
//! and stored in them, so applying events (and rebuilding from a store)
//! never consults a calendar.

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::policy::{Clock, Contract, Metric, SlaConfig, SlaPolicy, Target, TicketFacts};
use crate::id::{CustomerId, TicketId};
use crate::ticket::{Author, EntryVisibility, Status, Ticket, TicketEvent, TicketEventKind};
use crate::time;

/// One metric instance: the metric and which cycle of it (a reopened
/// ticket's second resolution clock is cycle 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct MetricKey {
    /// The metric.
    pub metric: Metric,
    /// Its cycle, from 1.
    pub cycle: u32,
}

/// What a timer fires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "percent", rename_all = "snake_case")]
pub enum TimerKind {
    /// A warning at a share of the target.
    Warning(u8),
    /// The breach.
    Breach,
}

/// A running SLA timer: when it falls due, and which it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub struct SlaTimer {
    /// When it falls due.
    pub at: DateTime<Utc>,
    /// Which timer.
    pub key: TimerKey,
}

/// A timer of one metric of one ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct TimerKey {
    /// The ticket.
    pub ticket: TicketId,
    /// The metric instance.
    pub metric: MetricKey,
    /// Warning or breach.
    pub kind: TimerKind,
}

/// What a metric instance is measured against: the business time
/// allowed, the calendar, the warning points and the pausing statuses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetSpec {
    /// Business time allowed.
    #[serde(with = "crate::time::nanos")]
    pub target: Duration,
    /// The calendar it runs on.
    pub clock: Clock,
    /// Warning percentages.
    pub warn_at: Vec<u8>,
    /// Statuses that pause it.
    pub pause_on: BTreeSet<Status>,
}

impl TargetSpec {
    /// The spec a policy target gives.
    #[must_use]
    pub fn of(t: &Target) -> Self {
        TargetSpec {
            target: t.within,
            clock: t.clock,
            warn_at: t.warn_at.clone(),
            pause_on: t.pause_on.clone(),
        }
    }
}

/// When an active metric's warnings and breach fall due.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schedule {
    /// The last on-time instant; `None` when the calendar never opens again.
    pub deadline: Option<DateTime<Utc>>,
    /// Warnings not yet given: percent and instant.
    pub warnings: Vec<(u8, DateTime<Utc>)>,
}

/// Why a metric stopped without being fulfilled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CancelReason {
    /// The ticket was solved (reply metrics stop).
    Solved,
    /// The ticket was closed.
    Closed,
    /// The ticket was merged into another.
    Merged,
    /// The policy now in force has no target for it.
    NoTarget,
}

/// Something that happened to a ticket's SLA.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlaEvent {
    /// When it was recorded.
    pub at: DateTime<Utc>,
    /// What happened.
    pub kind: SlaEventKind,
}

/// What happened to a ticket's SLA.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum SlaEventKind {
    /// A policy (or none) now applies to the ticket.
    PolicyApplied {
        /// The customer, for contracts and calendars.
        customer: CustomerId,
        /// The policy's name; `None` when no policy matches.
        policy: Option<String>,
    },
    /// A metric's clock started.
    Activated {
        /// Which.
        key: MetricKey,
        /// What it is measured against.
        spec: TargetSpec,
        /// Its schedule, or `None` when it starts paused.
        schedule: Option<Schedule>,
    },
    /// The clock stopped while the ticket waits.
    Paused {
        /// Which.
        key: MetricKey,
        /// Business time used so far.
        #[serde(with = "crate::time::nanos")]
        used: Duration,
    },
    /// The clock runs again.
    Resumed {
        /// Which.
        key: MetricKey,
        /// The new schedule.
        schedule: Schedule,
    },
    /// The target changed (priority or policy); time used is kept.
    Retargeted {
        /// Which.
        key: MetricKey,
        /// What it is measured against now.
        spec: TargetSpec,
        /// Business time used up to the change, on the old clock.
        #[serde(with = "crate::time::nanos")]
        used: Duration,
        /// New schedule, when running: counting on from the change, or,
        /// when the time used has passed the new target, due at the instant
        /// it passed it (the deadline that was missed, in the past).
        schedule: Option<Schedule>,
    },
    /// A warning fell due.
    Warned {
        /// Which.
        key: MetricKey,
        /// At which share of the target.
        percent: u8,
        /// The instant it was due.
        due: DateTime<Utc>,
    },
    /// The deadline passed without fulfilment.
    Breached {
        /// Which.
        key: MetricKey,
        /// The deadline.
        due: DateTime<Utc>,
    },
    /// Fulfilled.
    Fulfilled {
        /// Which.
        key: MetricKey,
        /// Business time it took.
        #[serde(with = "crate::time::nanos")]
        business_time: Duration,
        /// Whether it had breached first.
        breached: bool,
    },
    /// Stopped without fulfilment.
    Cancelled {
        /// Which.
        key: MetricKey,
        /// Why.
        reason: CancelReason,
    },
    /// A customer's SLA contract changed, on the customer's contract
    /// stream (the event's actor says who changed it). The customer's
    /// running metrics are retargeted in the same decision.
    ContractChanged {
        /// The customer.
        customer: CustomerId,
        /// The contract now; `None` for the desk's defaults (boxed: a
        /// contract holds two calendars).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        contract: Option<Box<Contract>>,
    },
}

/// Where a metric is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "phase", rename_all = "snake_case")]
pub enum Phase {
    /// The clock runs.
    Active {
        /// Since when (this stretch).
        since: DateTime<Utc>,
        /// Deadline and pending warnings.
        schedule: Schedule,
    },
    /// The clock is stopped.
    Paused,
    /// Done.
    Fulfilled {
        /// When.
        at: DateTime<Utc>,
        /// Business time it took.
        #[serde(with = "crate::time::nanos")]
        business_time: Duration,
    },
    /// Stopped without fulfilment.
    Cancelled {
        /// When.
        at: DateTime<Utc>,
        /// Why.
        reason: CancelReason,
    },
}

/// One stretch of a metric's clock running: from when, with how much
/// business time already used, on which clock. A metric keeps its stretches
/// while it is live so a target lowered below the time used can say when
/// the time used crossed it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stretch {
    /// When the clock started (or restarted) running.
    pub since: DateTime<Utc>,
    /// Business time used before it.
    #[serde(with = "crate::time::nanos")]
    pub used: Duration,
    /// The calendar it ran on.
    pub clock: Clock,
}

/// The instant a metric's business time reaches `d`: counted on from the
/// last stretch that began with less than `d` used, so a target already
/// passed is reached in the past (the deadline that was missed), not at the
/// moment the target changed. `stretches` ends with the stretch running
/// now; `None` when the calendar never opens again.
fn reached(
    stretches: &[Stretch],
    d: Duration,
    add: impl Fn(bool, Clock, DateTime<Utc>, Duration) -> Option<DateTime<Utc>>,
) -> Option<DateTime<Utc>> {
    let (i, s) = stretches
        .iter()
        .enumerate()
        .rev()
        .find(|(_, s)| s.used < d)
        .or(stretches.len().checked_sub(1).zip(stretches.last()))?;
    add(
        i + 1 < stretches.len(),
        s.clock,
        s.since,
        time::difference(d, s.used).max(Duration::zero()),
    )
}

/// One metric instance's state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetricState {
    /// Which.
    pub key: MetricKey,
    /// What it is measured against.
    pub spec: TargetSpec,
    /// When it was activated.
    pub activated_at: DateTime<Utc>,
    /// Business time used before the current active stretch.
    #[serde(with = "crate::time::nanos")]
    pub used: Duration,
    /// Where it is.
    pub phase: Phase,
    /// The deadline it breached, if it did.
    pub breached: Option<DateTime<Utc>>,
    /// Warnings given.
    pub warned: BTreeSet<u8>,
    /// The stretches its clock has run, oldest first, while it is live
    /// (emptied once it is fulfilled or cancelled).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stretches: Vec<Stretch>,
}

impl MetricState {
    /// Active or paused.
    #[must_use]
    pub fn is_live(&self) -> bool {
        matches!(self.phase, Phase::Active { .. } | Phase::Paused)
    }

    /// The timers this metric has running.
    pub fn timers(&self, ticket: TicketId) -> impl Iterator<Item = SlaTimer> + '_ {
        let schedule = match &self.phase {
            Phase::Active { schedule, .. } => Some(schedule),
            _ => None,
        };
        let key = self.key;
        let breach = schedule
            .and_then(|s| s.deadline)
            .filter(|_| self.breached.is_none())
            .map(move |d| SlaTimer {
                at: d,
                key: TimerKey {
                    ticket,
                    metric: key,
                    kind: TimerKind::Breach,
                },
            });
        let warnings = schedule
            .into_iter()
            .flat_map(|s| s.warnings.iter())
            .filter(|(p, _)| !self.warned.contains(p))
            .map(move |(p, at)| SlaTimer {
                at: *at,
                key: TimerKey {
                    ticket,
                    metric: key,
                    kind: TimerKind::Warning(*p),
                },
            });
        breach.into_iter().chain(warnings)
    }
}

/// A ticket's SLA: the policy in force and every metric instance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketSla {
    /// The ticket.
    pub ticket: TicketId,
    /// Its customer.
    pub customer: CustomerId,
    /// The policy in force.
    pub policy: Option<String>,
    /// Every metric instance, live and finished, sorted by key. A ticket
    /// has a handful, so a sorted vector beats a map (a B-tree leaf would
    /// reserve room for eleven).
    metrics: Vec<MetricState>,
}

impl TicketSla {
    /// An empty SLA record for a ticket.
    #[must_use]
    pub fn new(ticket: TicketId, customer: CustomerId) -> Self {
        TicketSla {
            ticket,
            customer,
            policy: None,
            metrics: Vec::new(),
        }
    }

    /// Every metric instance, sorted by metric and cycle.
    #[must_use]
    pub fn metrics(&self) -> &[MetricState] {
        &self.metrics
    }

    /// One metric instance.
    #[must_use]
    pub fn metric(&self, key: MetricKey) -> Option<&MetricState> {
        self.metrics
            .binary_search_by_key(&key, |m| m.key)
            .ok()
            .and_then(|i| self.metrics.get(i))
    }

    fn metric_mut(&mut self, key: MetricKey) -> Option<&mut MetricState> {
        self.metrics
            .binary_search_by_key(&key, |m| m.key)
            .ok()
            .and_then(|i| self.metrics.get_mut(i))
    }

    /// Whether the metric has ever been activated on this ticket.
    #[must_use]
    pub fn has_had(&self, metric: Metric) -> bool {
        self.metrics.iter().any(|m| m.key.metric == metric)
    }

    /// The live instance of a metric, if any.
    #[must_use]
    pub fn live(&self, metric: Metric) -> Option<&MetricState> {
        self.metrics
            .iter()
            .rev()
            .find(|m| m.key.metric == metric && m.is_live())
    }

    /// The next cycle number for a metric.
    fn next_cycle(&self, metric: Metric) -> u32 {
        self.metrics
            .iter()
            .filter(|m| m.key.metric == metric)
            .map(|m| m.key.cycle)
            .max()
            .unwrap_or(0)
            .saturating_add(1)
    }

    /// Every running timer.
    pub fn timers(&self) -> impl Iterator<Item = SlaTimer> + '_ {
        self.metrics.iter().flat_map(|m| m.timers(self.ticket))
    }

    /// Folds an event in.
    pub fn apply(&mut self, event: &SlaEvent) {
        use SlaEventKind as K;
        match &event.kind {
            K::PolicyApplied { customer, policy } => {
                self.customer = *customer;
                self.policy.clone_from(policy);
            }
            // Recorded on the customer's contract stream, not a ticket's.
            K::ContractChanged { .. } => {}
            K::Activated {
                key,
                spec,
                schedule,
            } => {
                let state = MetricState {
                    key: *key,
                    spec: spec.clone(),
                    activated_at: event.at,
                    used: Duration::zero(),
                    stretches: schedule
                        .iter()
                        .map(|_| Stretch {
                            since: event.at,
                            used: Duration::zero(),
                            clock: spec.clock,
                        })
                        .collect(),
                    phase: match schedule {
                        Some(s) => Phase::Active {
                            since: event.at,
                            schedule: s.clone(),
                        },
                        None => Phase::Paused,
                    },
                    breached: None,
                    warned: BTreeSet::new(),
                };
                match self.metrics.binary_search_by_key(key, |m| m.key) {
                    Ok(i) => {
                        if let Some(slot) = self.metrics.get_mut(i) {
                            *slot = state;
                        }
                    }
                    Err(i) => self.metrics.insert(i, state),
                }
            }
            K::Paused { key, used } => {
                if let Some(m) = self.metric_mut(*key) {
                    m.used = *used;
                    m.phase = Phase::Paused;
                }
            }
            K::Resumed { key, schedule } => {
                if let Some(m) = self.metric_mut(*key) {
                    m.stretches.push(Stretch {
                        since: event.at,
                        used: m.used,
                        clock: m.spec.clock,
                    });
                    m.phase = Phase::Active {
                        since: event.at,
                        schedule: schedule.clone(),
                    };
                }
            }
            K::Retargeted {
                key,
                spec,
                used,
                schedule,
            } => {
                if let Some(m) = self.metric_mut(*key) {
                    m.used = *used;
                    if let (Phase::Active { .. }, Some(s)) = (&m.phase, schedule) {
                        m.stretches.push(Stretch {
                            since: event.at,
                            used: *used,
                            clock: spec.clock,
                        });
                        m.phase = Phase::Active {
                            since: event.at,
                            schedule: s.clone(),
                        };
                    }
                    m.spec.clone_from(spec);
                }
            }
            K::Warned { key, percent, .. } => {
                if let Some(m) = self.metric_mut(*key) {
                    m.warned.insert(*percent);
                }
            }
            K::Breached { key, due } => {
                if let Some(m) = self.metric_mut(*key) {
                    m.breached = Some(*due);
                }
            }
            K::Fulfilled {
                key,
                business_time,
                breached,
            } => {
                if let Some(m) = self.metric_mut(*key) {
                    if *breached && m.breached.is_none() {
                        // Late, though no timer fired in time to say so:
                        // the metric records the deadline it missed.
                        if let Phase::Active { schedule, .. } = &m.phase {
                            m.breached = schedule.deadline;
                        }
                    }
                    m.phase = Phase::Fulfilled {
                        at: event.at,
                        business_time: *business_time,
                    };
                    m.stretches = Vec::new();
                }
            }
            K::Cancelled { key, reason } => {
                if let Some(m) = self.metric_mut(*key) {
                    m.phase = Phase::Cancelled {
                        at: event.at,
                        reason: *reason,
                    };
                    m.stretches = Vec::new();
                }
            }
        }
    }

    /// Decides the warnings and breaches due at `now` among `due` timers
    /// of this ticket. Timers already handled decide nothing, so calling
    /// this twice is harmless.
    #[must_use]
    pub fn fire(&self, due: &[TimerKey], now: DateTime<Utc>) -> Vec<SlaEvent> {
        let mut out = Vec::new();
        for t in due {
            let Some(m) = self.metric(t.metric) else {
                continue;
            };
            let Phase::Active { schedule, .. } = &m.phase else {
                continue;
            };
            match t.kind {
                TimerKind::Breach => {
                    if let (None, Some(deadline)) = (m.breached, schedule.deadline)
                        && deadline <= now
                    {
                        out.push(SlaEvent {
                            at: now,
                            kind: SlaEventKind::Breached {
                                key: m.key,
                                due: deadline,
                            },
                        });
                    }
                }
                TimerKind::Warning(p) => {
                    let due_at = schedule.warnings.iter().find(|(q, _)| *q == p);
                    if let Some((_, at)) = due_at
                        && !m.warned.contains(&p)
                        && *at <= now
                    {
                        out.push(SlaEvent {
                            at: now,
                            kind: SlaEventKind::Warned {
                                key: m.key,
                                percent: p,
                                due: *at,
                            },
                        });
                    }
                }
            }
        }
        out
    }
}

/// The facts a policy reads from a ticket.
#[must_use]
pub fn facts_of(ticket: &Ticket, config: &SlaConfig) -> TicketFacts {
    TicketFacts {
        channel: ticket.channel().kind(),
        priority: ticket.priority(),
        ticket_type: ticket.ticket_type(),
        tags: ticket.tags().clone(),
        status: ticket.status(),
        segment: config.segment(ticket.customer()).map(str::to_owned),
    }
}

/// Works out the SLA consequences of ticket events.
struct Reactor<'a> {
    config: &'a SlaConfig,
    /// The configuration before a contract change: the time already used
    /// is measured on its calendars.
    before: Option<&'a SlaConfig>,
    now: DateTime<Utc>,
    sla: TicketSla,
    facts: TicketFacts,
    agent_replied: bool,
    customer_wrote: bool,
    out: Vec<SlaEvent>,
}

impl Reactor<'_> {
    fn emit(&mut self, kind: SlaEventKind) {
        let e = SlaEvent { at: self.now, kind };
        self.sla.apply(&e);
        self.out.push(e);
    }

    fn policy(&self) -> Option<&SlaPolicy> {
        self.sla
            .policy
            .as_deref()
            .and_then(|name| self.config.policies.get(name))
    }

    /// The schedule of a metric whose clock runs on from `now` on `spec`'s
    /// clock with `used` business time, after the stretches it ran before
    /// (`past`): a deadline or warning the time used has already passed
    /// falls at the instant it was passed.
    fn schedule(
        &self,
        spec: &TargetSpec,
        used: Duration,
        past: &[Stretch],
        warned: &BTreeSet<u8>,
    ) -> Schedule {
        let mut stretches = past.to_vec();
        stretches.push(Stretch {
            since: self.now,
            used,
            clock: spec.clock,
        });
        let at = |d: Duration| {
            reached(&stretches, d, |past, clock, since, left| {
                let config = if past { self.measuring() } else { self.config };
                config
                    .calendar(clock, self.sla.customer)
                    .add(since, left)
                    .ok()
            })
        };
        let mut warnings: Vec<(u8, DateTime<Utc>)> = spec
            .warn_at
            .iter()
            .filter(|p| !warned.contains(p))
            .filter_map(|p| at(time::percent_of(spec.target, u32::from(*p))).map(|t| (*p, t)))
            .collect();
        warnings.sort_unstable();
        Schedule {
            deadline: at(spec.target),
            warnings,
        }
    }

    fn activate(&mut self, metric: Metric) {
        let Some(t) = self
            .policy()
            .and_then(|p| p.target(metric, self.facts.priority))
            .cloned()
        else {
            return;
        };
        let key = MetricKey {
            metric,
            cycle: self.sla.next_cycle(metric),
        };
        let spec = TargetSpec::of(&t);
        let schedule = (!spec.pause_on.contains(&self.facts.status))
            .then(|| self.schedule(&spec, Duration::zero(), &[], &BTreeSet::new()));
        self.emit(SlaEventKind::Activated {
            key,
            spec,
            schedule,
        });
    }

    /// The configuration time already used is measured on.
    fn measuring(&self) -> &SlaConfig {
        self.before.unwrap_or(self.config)
    }

    fn used_now(&self, m: &MetricState) -> Duration {
        match &m.phase {
            Phase::Active { since, .. } => time::sum(
                m.used,
                self.measuring()
                    .calendar(m.spec.clock, self.sla.customer)
                    .elapsed(*since, self.now),
            ),
            _ => m.used,
        }
    }

    fn live_keys(&self, metrics: &[Metric]) -> Vec<MetricKey> {
        self.sla
            .metrics
            .iter()
            .filter(|m| m.is_live() && metrics.contains(&m.key.metric))
            .map(|m| m.key)
            .collect()
    }

    fn fulfil(&mut self, key: MetricKey) {
        if let Some(m) = self.sla.metric(key) {
            let business_time = self.used_now(m);
            // Late is late even when no timer fired in time to say so.
            let breached = m.breached.is_some() || business_time > m.spec.target;
            self.emit(SlaEventKind::Fulfilled {
                key,
                business_time,
                breached,
            });
        }
    }

    fn cancel_live(&mut self, metrics: &[Metric], reason: CancelReason) {
        for key in self.live_keys(metrics) {
            self.emit(SlaEventKind::Cancelled { key, reason });
        }
    }

    fn on_status(&mut self, from: Status, to: Status) {
        self.facts.status = to;
        match to {
            Status::Solved => {
                for key in self.live_keys(&Metric::TO_SOLVED) {
                    self.fulfil(key);
                }
                self.cancel_live(
                    &[
                        Metric::FirstResponse,
                        Metric::NextResponse,
                        Metric::PeriodicUpdate,
                        Metric::PausableUpdate,
                        Metric::Promise,
                    ],
                    CancelReason::Solved,
                );
            }
            Status::Closed => self.cancel_live(&Metric::ALL, CancelReason::Closed),
            _ => {
                if from == Status::Solved {
                    for metric in Metric::TO_SOLVED {
                        self.activate(metric);
                    }
                    self.activate(Metric::PeriodicUpdate);
                }
                self.pause_or_resume();
            }
        }
    }

    fn pause_or_resume(&mut self) {
        let keys: Vec<MetricKey> = self.live_keys(&Metric::ALL);
        for key in keys {
            let Some(m) = self.sla.metric(key) else {
                continue;
            };
            let pause = m.spec.pause_on.contains(&self.facts.status);
            match (&m.phase, pause) {
                (Phase::Active { .. }, true) => {
                    let used = self.used_now(m);
                    self.emit(SlaEventKind::Paused { key, used });
                }
                (Phase::Paused, false) => {
                    let schedule = self.schedule(&m.spec, m.used, &m.stretches, &m.warned);
                    self.emit(SlaEventKind::Resumed { key, schedule });
                }
                _ => {}
            }
        }
    }

    /// After facts change: re-select the policy and retarget live metrics,
    /// keeping the business time they have used.
    fn reselect(&mut self) {
        let new_policy = self
            .config
            .policies
            .select(&self.facts)
            .map(|p| p.name.clone());
        if new_policy != self.sla.policy {
            self.emit(SlaEventKind::PolicyApplied {
                customer: self.sla.customer,
                policy: new_policy,
            });
        }
        let policy_metrics: Vec<Metric> = Metric::ALL
            .into_iter()
            .filter(|m| *m != Metric::Promise)
            .collect();
        for key in self.live_keys(&policy_metrics) {
            let target = self
                .policy()
                .and_then(|p| p.target(key.metric, self.facts.priority))
                .cloned();
            let Some(m) = self.sla.metric(key) else {
                continue;
            };
            match target {
                None => self.emit(SlaEventKind::Cancelled {
                    key,
                    reason: CancelReason::NoTarget,
                }),
                Some(t) => {
                    let spec = TargetSpec::of(&t);
                    let customer = self.sla.customer;
                    let calendar_changed = self.before.is_some_and(|b| {
                        b.calendar(spec.clock, customer)
                            != self.config.calendar(spec.clock, customer)
                    });
                    if spec == m.spec && !calendar_changed {
                        continue;
                    }
                    // Time used so far is measured on the old clock and kept;
                    // the new target counts on from now, or was missed when
                    // the time used passed it.
                    let used = self.used_now(m);
                    let schedule = matches!(m.phase, Phase::Active { .. })
                        .then(|| self.schedule(&spec, used, &m.stretches, &m.warned));
                    self.emit(SlaEventKind::Retargeted {
                        key,
                        spec,
                        used,
                        schedule,
                    });
                }
            }
        }
        self.activate_missing();
    }

    /// Starts the metrics the policy has that an unsolved ticket needs and
    /// does not have running.
    fn activate_missing(&mut self) {
        if self.facts.status.is_unsolved() {
            for metric in Metric::TO_SOLVED {
                if self.sla.live(metric).is_none() {
                    self.activate(metric);
                }
            }
            if self.sla.live(Metric::PeriodicUpdate).is_none() {
                self.activate(Metric::PeriodicUpdate);
            }
            // A pausable update runs from a public agent comment on.
            if self.agent_replied && self.sla.live(Metric::PausableUpdate).is_none() {
                self.activate(Metric::PausableUpdate);
            }
            if self.customer_wrote
                && !self.agent_replied
                && self.sla.live(Metric::FirstResponse).is_none()
                && !self.sla.has_had(Metric::FirstResponse)
            {
                self.activate(Metric::FirstResponse);
            }
        }
    }

    fn on_event(&mut self, e: &TicketEvent) {
        use TicketEventKind as K;
        match &e.kind {
            K::Opened { .. } => {
                // Every ticket's SLA record starts with the policy in force.
                let policy = self
                    .config
                    .policies
                    .select(&self.facts)
                    .map(|p| p.name.clone());
                self.emit(SlaEventKind::PolicyApplied {
                    customer: self.sla.customer,
                    policy,
                });
                self.activate_missing();
            }
            K::EntryAdded { entry } if entry.visibility == EntryVisibility::Public => {
                match entry.author {
                    Author::Contact(_) => {
                        let first_seen = self.sla.has_had(Metric::FirstResponse);
                        if !self.agent_replied {
                            if !first_seen {
                                self.activate(Metric::FirstResponse);
                            }
                        } else if self.sla.live(Metric::NextResponse).is_none() {
                            self.activate(Metric::NextResponse);
                        }
                        self.customer_wrote = true;
                    }
                    Author::Agent(_) => {
                        self.agent_replied = true;
                        for key in self.live_keys(&[
                            Metric::FirstResponse,
                            Metric::NextResponse,
                            Metric::Promise,
                        ]) {
                            self.fulfil(key);
                        }
                        for key in self.live_keys(&[Metric::PeriodicUpdate]) {
                            self.fulfil(key);
                            if self.facts.status.is_unsolved() {
                                self.activate(Metric::PeriodicUpdate);
                            }
                        }
                        // Zendesk's pausable update starts at every public
                        // agent comment, the first one included.
                        for key in self.live_keys(&[Metric::PausableUpdate]) {
                            self.fulfil(key);
                        }
                        if self.facts.status.is_unsolved() {
                            self.activate(Metric::PausableUpdate);
                        }
                    }
                    Author::System => {}
                }
            }
            K::StatusChanged { from, to, .. } => self.on_status(*from, *to),
            K::PriorityChanged { to, .. } => {
                self.facts.priority = *to;
                self.reselect();
            }
            K::TypeChanged { to, .. } => {
                self.facts.ticket_type = *to;
                self.reselect();
            }
            K::Tagged { tag } => {
                self.facts.tags.insert(tag.clone());
                self.reselect();
            }
            K::Untagged { tag } => {
                self.facts.tags.remove(tag);
                self.reselect();
            }
            K::MergedInto { .. } => self.cancel_live(&Metric::ALL, CancelReason::Merged),
            _ => {}
        }
    }
}

/// Decides the SLA events that follow from `events` on a ticket.
///
/// `before` is the ticket and its SLA record before the events (`None` for
/// a ticket being opened, whose first event must be `Opened`).
#[must_use]
pub fn react(
    before: Option<(&Ticket, &TicketSla)>,
    events: &[TicketEvent],
    customer: CustomerId,
    config: &SlaConfig,
    now: DateTime<Utc>,
) -> Vec<SlaEvent> {
    let (facts, sla, agent_replied, customer_wrote) = match before {
        Some((t, s)) => {
            let public = |pred: fn(&Author) -> bool| {
                t.conversation()
                    .iter()
                    .any(|e| e.visibility == EntryVisibility::Public && pred(&e.author))
            };
            (
                facts_of(t, config),
                s.clone(),
                public(|a| matches!(a, Author::Agent(_))),
                public(|a| matches!(a, Author::Contact(_))),
            )
        }
        None => {
            let Some(TicketEventKind::Opened {
                id,
                channel,
                priority,
                ticket_type,
                tags,
                ..
            }) = events.first().map(|e| &e.kind)
            else {
                return Vec::new();
            };
            (
                TicketFacts {
                    channel: channel.kind(),
                    priority: *priority,
                    ticket_type: *ticket_type,
                    tags: tags.clone(),
                    status: Status::New,
                    segment: config.segment(customer).map(str::to_owned),
                },
                TicketSla::new(*id, customer),
                false,
                false,
            )
        }
    };
    let mut r = Reactor {
        config,
        before: None,
        now,
        sla,
        facts,
        agent_replied,
        customer_wrote,
        out: Vec::new(),
    };
    for e in events {
        r.on_event(e);
    }
    r.out
}

/// Decides how a ticket's running metrics follow a change of its
/// customer's contract, from `now` on: the policy is selected again (the
/// segment may have changed) and every live metric whose target or calendar
/// changed is retargeted, keeping the business time used so far as measured
/// on the calendars `before` the change.
#[must_use]
pub fn recontract(
    ticket: &Ticket,
    sla: &TicketSla,
    before: &SlaConfig,
    after: &SlaConfig,
    now: DateTime<Utc>,
) -> Vec<SlaEvent> {
    let public = |pred: fn(&Author) -> bool| {
        ticket
            .conversation()
            .iter()
            .any(|e| e.visibility == EntryVisibility::Public && pred(&e.author))
    };
    let mut r = Reactor {
        config: after,
        before: Some(before),
        now,
        sla: sla.clone(),
        facts: facts_of(ticket, after),
        agent_replied: public(|a| matches!(a, Author::Agent(_))),
        customer_wrote: public(|a| matches!(a, Author::Contact(_))),
        out: Vec::new(),
    };
    if ticket.status() != Status::Closed {
        r.reselect();
    }
    r.out
}

/// Decides an agent's promise: a timer due at `due`, kept by the next
/// public agent reply.
#[must_use]
pub fn promise(sla: &TicketSla, due: DateTime<Utc>, now: DateTime<Utc>) -> SlaEvent {
    let key = MetricKey {
        metric: Metric::Promise,
        cycle: sla.next_cycle(Metric::Promise),
    };
    SlaEvent {
        at: now,
        kind: SlaEventKind::Activated {
            key,
            spec: TargetSpec {
                target: due - now,
                clock: Clock::Always,
                warn_at: Vec::new(),
                pause_on: BTreeSet::new(),
            },
            schedule: Some(Schedule {
                deadline: Some(due),
                warnings: Vec::new(),
            }),
        },
    }
}
