//! The timer table: every timer the desk keeps, of every kind, in one
//! ordered index, with the reason each one wakes the desk (str0m's
//! `Reason`, quinn's `TimerTable`).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};

use crate::actor::TimerKind;
use crate::id::{IncidentId, MessageId, PraiseId};
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
}

impl Timer {
    /// Whether the timer is about delivery (handed out by
    /// `Desk::poll_outbound`, not decided by `Desk::handle_timeout`).
    #[must_use]
    pub fn is_delivery(&self) -> bool {
        matches!(self, Timer::Retry(_) | Timer::Lease(_))
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

/// Every running timer in one ordered index, and its deadline by timer.
/// Built from the record as events are applied (plus the delivery leases,
/// which are not record), so it is not part of the desk's state.
#[derive(Debug, Clone, Default)]
pub(super) struct TimerTable {
    order: BTreeSet<(DateTime<Utc>, Timer)>,
    /// Delivery timers again, so handing out messages never walks the
    /// others.
    delivery: BTreeSet<(DateTime<Utc>, Timer)>,
    deadline: BTreeMap<Timer, (DateTime<Utc>, TimerKind)>,
    /// The first entry of `order`, kept so `next` is O(1).
    first: Option<(DateTime<Utc>, Timer)>,
}

impl TimerTable {
    /// Sets, moves or (with `None`) stops a timer.
    pub(super) fn set(&mut self, timer: Timer, due: Option<(DateTime<Utc>, TimerKind)>) {
        if let Some((at, _)) = self.deadline.remove(&timer) {
            self.order.remove(&(at, timer));
            self.delivery.remove(&(at, timer));
        }
        if let Some((at, kind)) = due {
            self.deadline.insert(timer, (at, kind));
            self.order.insert((at, timer));
            if timer.is_delivery() {
                self.delivery.insert((at, timer));
            }
        }
        self.first = self.order.first().copied();
    }

    /// The next timer due, in O(1).
    pub(super) fn next(&self) -> Option<NextTimer> {
        let (at, timer) = self.first?;
        let kind = self.deadline.get(&timer).map(|(_, k)| *k)?;
        Some(NextTimer { at, timer, kind })
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

    /// How many timers of a kind run.
    pub(super) fn count(&self, pick: impl Fn(&Timer) -> bool) -> usize {
        self.deadline.keys().filter(|t| pick(t)).count()
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
        assert_eq!(t.count(|_| true), 2);
        // The desk decides the reminder; delivery hands out the retry.
        assert_eq!(t.due(at(8)).collect::<Vec<_>>(), vec![Timer::Reminder(p)]);
        assert_eq!(t.due_delivery(at(8)), vec![Timer::Retry(m)]);
        t.set(Timer::Retry(m), None);
        t.set(Timer::Reminder(p), None);
        assert_eq!(t.next(), None);
        assert_eq!(t.count(|_| true), 0);
    }
}
