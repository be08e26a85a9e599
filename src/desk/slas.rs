//! The SLA area: every ticket's SLA record and the index of its running
//! timers by when they fall due.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};

use crate::id::{CustomerId, TicketId};
use crate::sla::{MetricKey, SlaEvent, SlaEventKind, TicketSla, TimerKey};

/// Every ticket's SLA record, with its running timers indexed: a fold of
/// the SLA streams.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Slas {
    slas: BTreeMap<TicketId, TicketSla>,
    /// Every running SLA timer, by when it falls due.
    timers: BTreeSet<(DateTime<Utc>, TimerKey)>,
}

impl Slas {
    /// A ticket's SLA record.
    #[must_use]
    pub fn get(&self, ticket: TicketId) -> Option<&TicketSla> {
        self.slas.get(&ticket)
    }

    /// Every ticket's SLA record, by ticket.
    pub fn iter(&self) -> impl Iterator<Item = &TicketSla> {
        self.slas.values()
    }

    /// How many SLA timers (warnings and breaches) are running.
    #[must_use]
    pub fn running_timers(&self) -> usize {
        self.timers.len()
    }

    /// The earliest running timer.
    #[must_use]
    pub fn next_timer(&self) -> Option<(DateTime<Utc>, TimerKey)> {
        self.timers.first().copied()
    }

    /// The running timers due at or before `now`, earliest first.
    pub fn due(&self, now: DateTime<Utc>) -> impl Iterator<Item = &(DateTime<Utc>, TimerKey)> {
        self.timers.iter().take_while(move |(at, _)| *at <= now)
    }

    /// Folds one event of a ticket's SLA stream; `customer` is the
    /// ticket's customer when the desk knows the ticket.
    pub(super) fn apply(&mut self, ticket: TicketId, customer: Option<CustomerId>, e: &SlaEvent) {
        let sla = self.slas.entry(ticket).or_insert_with(|| {
            let c = match (&e.kind, customer) {
                (SlaEventKind::PolicyApplied { customer, .. }, _) => *customer,
                (_, Some(c)) => c,
                (_, None) => CustomerId::from_uuid(uuid::Uuid::nil()),
            };
            TicketSla::new(ticket, c)
        });
        let key = event_key(e);
        let timers_of = |sla: &TicketSla| -> Vec<(DateTime<Utc>, TimerKey)> {
            key.and_then(|k| sla.metric(k))
                .map(|m| m.timers(ticket).collect())
                .unwrap_or_default()
        };
        // Touch only the index entries that change (a warning removes one).
        let before = timers_of(sla);
        sla.apply(e);
        let after = timers_of(sla);
        for t in before.iter().filter(|t| !after.contains(t)) {
            self.timers.remove(t);
        }
        for t in after.into_iter().filter(|t| !before.contains(t)) {
            self.timers.insert(t);
        }
    }
}

/// The metric an SLA event is about.
fn event_key(e: &SlaEvent) -> Option<MetricKey> {
    use SlaEventKind as K;
    match &e.kind {
        K::Activated { key, .. }
        | K::Paused { key, .. }
        | K::Resumed { key, .. }
        | K::Retargeted { key, .. }
        | K::Warned { key, .. }
        | K::Breached { key, .. }
        | K::Fulfilled { key, .. }
        | K::Cancelled { key, .. } => Some(*key),
        K::PolicyApplied { .. } => None,
    }
}
