//! Works out the SLA consequences of ticket events: which metrics start,
//! pause, resume, are retargeted, fulfilled or cancelled, computing each
//! schedule once, when it is decided (see [`super::timer`] for the metric
//! state machine these events drive).

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, Utc};

use super::policy::{Clock, Metric, SlaConfig, SlaPolicy, TicketFacts};
use super::timer::*;
use crate::id::CustomerId;
use crate::ticket::{Author, EntryVisibility, Status, Ticket, TicketEvent, TicketEventKind};
use crate::time;

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
        fields: ticket.fields().clone(),
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
            K::FieldSet { key, value } => {
                self.facts.fields.insert(key.clone(), value.clone());
                self.reselect();
            }
            K::FieldCleared { key } => {
                self.facts.fields.remove(key);
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
                fields,
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
                    fields: fields.clone(),
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
