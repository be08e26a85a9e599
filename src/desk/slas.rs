//! The SLA area: every ticket's SLA record and the index of its running
//! timers by when they fall due.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use crate::id::{CustomerId, TicketId};
use crate::sla::{MetricKey, SlaEvent, SlaEventKind, SlaTimer, TicketSla, TimerKey};

/// Every ticket's SLA record: a fold of the SLA streams. Its running
/// timers live in the desk's timer table.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Slas {
    slas: BTreeMap<TicketId, TicketSla>,
}

/// A change to one SLA timer: from its old deadline to its new one (`None`
/// when it starts or stops).
pub(super) struct SlaTimerChange {
    pub(super) key: TimerKey,
    pub(super) from: Option<DateTime<Utc>>,
    pub(super) to: Option<DateTime<Utc>>,
}

impl Slas {
    /// A ticket's SLA record.
    #[must_use]
    pub fn get(&self, ticket: TicketId) -> Option<&TicketSla> {
        self.slas.get(&ticket)
    }

    /// Forgets an archived ticket's SLA record, returning it.
    pub(super) fn remove(&mut self, ticket: TicketId) -> Option<TicketSla> {
        self.slas.remove(&ticket)
    }

    /// Every ticket's SLA record, by ticket.
    pub fn iter(&self) -> impl Iterator<Item = &TicketSla> {
        self.slas.values()
    }

    /// Folds one event of a ticket's SLA stream; `customer` gives the
    /// ticket's customer when the desk knows the ticket (asked only when
    /// the record opens without its policy). Returns the timers that
    /// start, move or stop; none when `track` is off (a replay, which
    /// starts every timer from the state at its end).
    pub(super) fn apply(
        &mut self,
        ticket: TicketId,
        customer: impl FnOnce() -> Option<CustomerId>,
        e: &SlaEvent,
        track: bool,
    ) -> Vec<SlaTimerChange> {
        let sla = self.slas.entry(ticket).or_insert_with(|| {
            let c = match &e.kind {
                SlaEventKind::PolicyApplied { customer, .. } => *customer,
                _ => customer().unwrap_or_else(|| CustomerId::from_uuid(uuid::Uuid::nil())),
            };
            TicketSla::new(ticket, c)
        });
        if !track {
            sla.apply(e);
            return Vec::new();
        }
        let key = event_key(e);
        let timers_of = |sla: &TicketSla| -> Vec<SlaTimer> {
            key.and_then(|k| sla.metric(k))
                .map(|m| m.timers(ticket).collect())
                .unwrap_or_default()
        };
        // Touch only the index entries that change (a warning removes one).
        let before = timers_of(sla);
        sla.apply(e);
        let after = timers_of(sla);
        let mut changes: Vec<SlaTimerChange> = before
            .iter()
            .filter(|t| !after.contains(t))
            .map(|t| SlaTimerChange {
                key: t.key,
                from: Some(t.at),
                to: None,
            })
            .collect();
        changes.extend(
            after
                .iter()
                .filter(|t| !before.contains(t))
                .map(|t| SlaTimerChange {
                    key: t.key,
                    from: None,
                    to: Some(t.at),
                }),
        );
        changes
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
        K::PolicyApplied { .. } | K::ContractChanged { .. } => None,
    }
}
