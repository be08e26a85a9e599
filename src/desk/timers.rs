//! The timer table: every timer the desk keeps, of every kind, in one
//! ordered index, with the reason each one wakes the desk (str0m's
//! `Reason`, quinn's `TimerTable`).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};

use crate::actor::TimerKind;
use crate::id::{AgentId, IncidentId, MessageId, PraiseId, TicketId};
use crate::sla::TimerKey;

/// Which timer: the thing it belongs to. Each has at most one deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Timer {
    /// An SLA warning or breach of one metric of one ticket.
    Sla(TimerKey),
    /// An incident's next cadence warning, missed update or follow-up.
    Incident(IncidentId),
    /// A reminder to acknowledge a praise.
    Reminder(PraiseId),
    /// A failed message's retry.
    Retry(MessageId),
    /// A delivery lease running out.
    Lease(MessageId),
    /// A page waiting for its person's next working minute.
    Deferred(MessageId),
    /// A closed ticket leaving memory when its archive window runs out.
    Archive(TicketId),
    /// A ticket waiting for an agent, tried again.
    Assignment(TicketId),
    /// An agent's next absence starting (their tickets move).
    Absence(AgentId),
    /// A ticket's next automation falling due.
    Automation(TicketId),
}

impl Timer {
    /// Whether the timer is about delivery (handed out by
    /// `Desk::poll_outbound`, not decided by `Desk::handle_timeout`).
    #[must_use]
    pub fn is_delivery(&self) -> bool {
        matches!(self, Timer::Retry(_) | Timer::Lease(_) | Timer::Deferred(_))
    }
}

/// The next timer, and why it will wake the desk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct NextTimer {
    /// When it falls due.
    pub at: DateTime<Utc>,
    /// Which timer.
    pub timer: Timer,
    /// Why it wakes the desk.
    pub kind: TimerKind,
}

/// Every running timer in one ordered index. SLA timers, by far the most
/// numerous, are moved by their owner, which knows the old deadline; every
/// other timer's deadline is kept here. Built from the record as events
/// are applied (plus the delivery leases, which are not record), so it is
/// not part of the desk's state.
#[derive(Debug, Clone, Default)]
pub(super) struct TimerTable {
    order: BTreeSet<(DateTime<Utc>, Timer)>,
    /// Delivery timers again, so handing out messages never walks the
    /// others.
    delivery: BTreeSet<(DateTime<Utc>, Timer)>,
    /// The deadline and reason of every timer but the SLA ones.
    others: BTreeMap<Timer, (DateTime<Utc>, TimerKind)>,
    /// How many SLA timers run.
    sla: usize,
    /// The first entry of `order` and its reason, kept so `next` is O(1).
    first: Option<NextTimer>,
}

impl TimerTable {
    /// Moves an SLA timer from `from` to `to` (either may be `None`).
    pub(super) fn move_sla(
        &mut self,
        key: TimerKey,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) {
        let timer = Timer::Sla(key);
        if let Some(at) = from
            && self.order.remove(&(at, timer))
        {
            self.sla = self.sla.saturating_sub(1);
            self.removed(at, timer);
        }
        if let Some(at) = to
            && self.order.insert((at, timer))
        {
            self.sla = self.sla.saturating_add(1);
            self.inserted(at, timer, TimerKind::Sla);
        }
    }

    /// Sets, moves or (with `None`) stops any timer but an SLA one.
    pub(super) fn set(&mut self, timer: Timer, due: Option<(DateTime<Utc>, TimerKind)>) {
        if let Some((at, _)) = self.others.remove(&timer) {
            self.order.remove(&(at, timer));
            if timer.is_delivery() {
                self.delivery.remove(&(at, timer));
            }
            self.removed(at, timer);
        }
        if let Some((at, kind)) = due {
            self.others.insert(timer, (at, kind));
            self.order.insert((at, timer));
            if timer.is_delivery() {
                self.delivery.insert((at, timer));
            }
            self.inserted(at, timer, kind);
        }
    }

    fn removed(&mut self, at: DateTime<Utc>, timer: Timer) {
        if self.first.is_some_and(|f| (f.at, f.timer) == (at, timer)) {
            self.first = self.order.first().map(|&(at, timer)| NextTimer {
                at,
                timer,
                kind: self.kind_of(&timer),
            });
        }
    }

    fn inserted(&mut self, at: DateTime<Utc>, timer: Timer, kind: TimerKind) {
        if self.first.is_none_or(|f| (at, timer) < (f.at, f.timer)) {
            self.first = Some(NextTimer { at, timer, kind });
        }
    }

    fn kind_of(&self, timer: &Timer) -> TimerKind {
        match timer {
            Timer::Sla(_) => TimerKind::Sla,
            other => self
                .others
                .get(other)
                .map_or(TimerKind::Sla, |(_, kind)| *kind),
        }
    }

    /// The next timer due, in O(1).
    pub(super) fn next(&self) -> Option<NextTimer> {
        self.first
    }

    /// Every timer due at or before `now` that the desk decides (not the
    /// delivery timers), earliest first.
    pub(super) fn due(&self, now: DateTime<Utc>) -> impl Iterator<Item = Timer> + '_ {
        self.order
            .iter()
            .take_while(move |(at, _)| *at <= now)
            .map(|(_, t)| *t)
            .filter(|t| !t.is_delivery())
    }

    /// The delivery timers due at or before `now`, earliest first.
    pub(super) fn due_delivery(&self, now: DateTime<Utc>) -> Vec<Timer> {
        self.delivery
            .iter()
            .take_while(|(at, _)| *at <= now)
            .map(|(_, t)| *t)
            .collect()
    }

    /// How many SLA timers run.
    pub(super) fn sla_count(&self) -> usize {
        self.sla
    }

    /// How many timers run.
    pub(super) fn len(&self) -> usize {
        self.order.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 2, h, 0, 0).unwrap()
    }

    #[test]
    fn one_deadline_per_timer_and_the_first_in_o1() {
        let mut t = TimerTable::default();
        let m = MessageId::from_uuid(uuid::Uuid::from_u128(1));
        let p = PraiseId::from_uuid(uuid::Uuid::from_u128(2));
        t.set(Timer::Retry(m), Some((at(5), TimerKind::DeliveryRetry)));
        t.set(Timer::Reminder(p), Some((at(3), TimerKind::PraiseReminder)));
        assert_eq!(
            t.next().map(|n| (n.at, n.kind)),
            Some((at(3), TimerKind::PraiseReminder))
        );
        // Moving a timer leaves one entry.
        t.set(Timer::Reminder(p), Some((at(7), TimerKind::PraiseReminder)));
        assert_eq!(t.next().map(|n| n.timer), Some(Timer::Retry(m)));
        assert_eq!(t.len(), 2);
        // The desk decides the reminder; delivery hands out the retry.
        assert_eq!(t.due(at(8)).collect::<Vec<_>>(), vec![Timer::Reminder(p)]);
        assert_eq!(t.due_delivery(at(8)), vec![Timer::Retry(m)]);
        t.set(Timer::Retry(m), None);
        t.set(Timer::Reminder(p), None);
        assert_eq!(t.next(), None);
        assert_eq!(t.len(), 0);
    }
}

#[cfg(test)]
mod sla_tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn sla_timers_move_by_their_old_deadline_and_keep_the_first_right() {
        let at = |h| Utc.with_ymd_and_hms(2026, 11, 2, h, 0, 0).unwrap();
        let key = |n: u128| TimerKey {
            ticket: crate::id::TicketId::from_uuid(uuid::Uuid::from_u128(n)),
            metric: crate::sla::MetricKey {
                metric: crate::sla::Metric::FirstResponse,
                cycle: 0,
            },
            kind: crate::sla::TimerKind::Breach,
        };
        let mut t = TimerTable::default();
        t.move_sla(key(1), None, Some(at(4)));
        t.move_sla(key(2), None, Some(at(2)));
        assert_eq!(
            t.next().map(|n| (n.at, n.kind)),
            Some((at(2), TimerKind::Sla))
        );
        t.move_sla(key(2), Some(at(2)), Some(at(6)));
        assert_eq!(t.next().map(|n| n.at), Some(at(4)));
        t.move_sla(key(1), Some(at(4)), None);
        assert_eq!(t.next().map(|n| n.at), Some(at(6)));
        assert_eq!((t.sla_count(), t.len()), (1, 1));
        t.move_sla(key(2), Some(at(6)), None);
        assert_eq!(t.next(), None);
    }
}
