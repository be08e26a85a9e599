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

use super::policy::{Clock, Contract, Metric, Target};
use crate::id::{CustomerId, TicketId};
use crate::ticket::Status;
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
pub(super) fn reached(
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
    pub(super) metrics: Vec<MetricState>,
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
    pub(super) fn next_cycle(&self, metric: Metric) -> u32 {
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
