//! Loop protection: at most so many mails per sender in a sliding window.
//!
//! Another helpdesk that answers every mail with a mail, a misconfigured
//! autoresponder without the headers that say so, a script gone wrong:
//! each would open or grow tickets without end. [`SenderLimit`] counts each
//! sender's mails over a window and says when one is over; it is pure (fed
//! with instants, no clock) and its memory is bounded by the senders seen
//! within one window ([`SenderLimit::prune`]).

use std::collections::{BTreeMap, VecDeque};

use chrono::{DateTime, Duration, Utc};

/// What [`SenderLimit::check`] decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateDecision {
    /// Under the limit: the mail counts and may go to the desk.
    Allowed,
    /// Over the limit: the sender already sent `count` mails within the
    /// window (the oldest at `since`); this one does not count.
    Limited {
        /// Mails counted within the window.
        count: usize,
        /// The oldest of them.
        since: DateTime<Utc>,
    },
}

/// At most `max` mails per sender within `window`.
///
/// ```
/// use chrono::{Duration, TimeZone, Utc};
/// use fanatical_email::limit::{RateDecision, SenderLimit};
///
/// let t0 = Utc.with_ymd_and_hms(2026, 11, 30, 9, 0, 0).unwrap();
/// let mut limit = SenderLimit::new(2, Duration::minutes(10));
/// assert_eq!(limit.check("bot@other.example", t0), RateDecision::Allowed);
/// assert_eq!(limit.check("BOT@other.example", t0 + Duration::minutes(1)), RateDecision::Allowed);
/// assert_eq!(limit.check("bot@other.example", t0 + Duration::minutes(2)),
///     RateDecision::Limited { count: 2, since: t0 });
/// // Ten minutes after the first, one slot is free again.
/// assert_eq!(limit.check("bot@other.example", t0 + Duration::minutes(10)), RateDecision::Allowed);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SenderLimit {
    max: usize,
    window: Duration,
    seen: BTreeMap<String, VecDeque<DateTime<Utc>>>,
}

impl SenderLimit {
    /// A limit of `max` mails per sender within `window` (a `max` of 0
    /// refuses every mail; a negative window counts as zero).
    #[must_use]
    pub fn new(max: usize, window: Duration) -> Self {
        SenderLimit {
            max,
            window: window.max(Duration::zero()),
            seen: BTreeMap::new(),
        }
    }

    /// Counts a mail from `sender` (case-insensitive) at `now`, unless the
    /// sender is over the limit. Instants older than the newest seen for
    /// the sender count as that newest (a clock that stepped back does not
    /// open a hole).
    pub fn check(&mut self, sender: &str, now: DateTime<Utc>) -> RateDecision {
        let key = sender.trim().to_ascii_lowercase();
        let times = self.seen.entry(key).or_default();
        let now = times.back().map_or(now, |last| now.max(*last));
        let start = now
            .checked_sub_signed(self.window)
            .unwrap_or(DateTime::<Utc>::MIN_UTC);
        while times.front().is_some_and(|t| *t <= start) {
            times.pop_front();
        }
        if times.len() >= self.max {
            return RateDecision::Limited {
                count: times.len(),
                since: times.front().copied().unwrap_or(now),
            };
        }
        times.push_back(now);
        RateDecision::Allowed
    }

    /// Forgets senders with nothing within the window before `now`: call
    /// it now and then to keep memory to the senders of one window.
    pub fn prune(&mut self, now: DateTime<Utc>) {
        let start = now
            .checked_sub_signed(self.window)
            .unwrap_or(DateTime::<Utc>::MIN_UTC);
        self.seen
            .retain(|_, times| times.back().is_some_and(|t| *t > start));
    }

    /// How many senders are tracked.
    #[must_use]
    pub fn senders(&self) -> usize {
        self.seen.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn prune_forgets_quiet_senders_and_zero_refuses() {
        let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let mut l = SenderLimit::new(1, Duration::minutes(5));
        assert_eq!(l.check("a@x.example", t0), RateDecision::Allowed);
        assert_eq!(
            l.check("b@x.example", t0 + Duration::minutes(4)),
            RateDecision::Allowed
        );
        l.prune(t0 + Duration::minutes(6));
        assert_eq!(l.senders(), 1);
        let mut none = SenderLimit::new(0, Duration::minutes(5));
        assert_eq!(
            none.check("a@x.example", t0),
            RateDecision::Limited {
                count: 0,
                since: t0
            }
        );
        // Extreme instants and windows do not panic.
        let mut wide = SenderLimit::new(1, Duration::MAX);
        assert_eq!(wide.check("a", t0), RateDecision::Allowed);
        assert_eq!(
            wide.check("a", DateTime::<Utc>::MAX_UTC),
            RateDecision::Limited {
                count: 1,
                since: t0
            }
        );
        assert_eq!(
            wide.check("a", DateTime::<Utc>::MIN_UTC),
            RateDecision::Limited {
                count: 1,
                since: t0
            }
        );
    }
}
