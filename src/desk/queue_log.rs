//! The log of the unsolved queue: every change in the number of unsolved
//! tickets, kept change by change for recent days and as each day's peak
//! once the tickets of those days are archived, so an archived ticket
//! leaves nothing of itself behind in memory.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::channel::ChannelKind;

/// One change in the number of unsolved tickets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueChange {
    /// When.
    pub at: DateTime<Utc>,
    /// +1 (a ticket opened or reopened) or -1 (one solved or closed).
    pub delta: i8,
    /// The channel the ticket came by.
    pub channel: ChannelKind,
}

/// The queue on one compacted day: its worst moment and its end, in all
/// and per channel.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct DayQueue {
    peak: Levels,
    end: Levels,
}

/// A number of unsolved tickets, in all and per channel.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Levels {
    all: i64,
    channels: BTreeMap<ChannelKind, i64>,
}

impl Levels {
    fn of(&self, channel: Option<ChannelKind>) -> i64 {
        match channel {
            None => self.all,
            Some(c) => self.channels.get(&c).copied().unwrap_or(0),
        }
    }

    fn add(&mut self, c: &QueueChange) {
        self.all = self.all.saturating_add(i64::from(c.delta));
        let n = self.channels.entry(c.channel).or_default();
        *n = n.saturating_add(i64::from(c.delta));
    }

    fn raise_to(&mut self, other: &Levels) {
        self.all = self.all.max(other.all);
        for (c, n) in &other.channels {
            let p = self.channels.entry(*c).or_insert(*n);
            *p = (*p).max(*n);
        }
    }
}

/// The queue log: changes after the horizon one by one, and before it
/// each local day's peak and end.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct QueueLog {
    /// Changes at or after the horizon, in record order.
    recent: Vec<QueueChange>,
    /// Each local day before the horizon with a change.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    days: BTreeMap<NaiveDate, DayQueue>,
    /// The queue at the horizon.
    #[serde(default)]
    base: Levels,
    /// The first instant not compacted: the start of a local day.
    #[serde(default)]
    horizon: Option<DateTime<Utc>>,
}

/// The local date of `t` in `tz`, without chrono's panic for instants
/// whose local time is out of its range (the ends of time): those keep
/// their UTC date.
pub(super) fn local_date(tz: chrono_tz::Tz, t: DateTime<Utc>) -> NaiveDate {
    use chrono::{Offset, TimeZone};
    let offset = tz.offset_from_utc_datetime(&t.naive_utc()).fix();
    t.naive_utc()
        .checked_add_offset(offset)
        .map_or(t.date_naive(), |l| l.date())
}

/// When a local day starts: its midnight, or the first instant of the day
/// where a clock change skips midnight.
pub(super) fn start_of(tz: chrono_tz::Tz, day: NaiveDate) -> Option<DateTime<Utc>> {
    use chrono::TimeZone;
    (0..24).find_map(|h| {
        day.and_hms_opt(h, 0, 0)
            .and_then(|t| tz.from_local_datetime(&t).earliest())
            .map(|t| t.with_timezone(&Utc))
    })
}

impl QueueLog {
    /// Records a change.
    pub(super) fn push(&mut self, change: QueueChange) {
        match self.horizon {
            // A change dated before the horizon (a command decided with an
            // old clock) moves the queue from the horizon on; the day it
            // names is compacted already.
            Some(h) if change.at < h => self.base.add(&change),
            _ => self.recent.push(change),
        }
    }

    /// Every channel with a change in the log.
    pub(super) fn channels(&self) -> std::collections::BTreeSet<ChannelKind> {
        let mut out: std::collections::BTreeSet<ChannelKind> =
            self.recent.iter().map(|c| c.channel).collect();
        out.extend(self.base.channels.keys().copied());
        out
    }

    /// Folds the changes of the local days before the one `until` falls
    /// on into each day's peak and end.
    pub(super) fn compact(&mut self, tz: chrono_tz::Tz, until: DateTime<Utc>) {
        let Some(horizon) = start_of(tz, local_date(tz, until)) else {
            return;
        };
        if self.horizon.is_some_and(|h| h >= horizon) {
            return;
        }
        let (mut old, recent): (Vec<QueueChange>, Vec<QueueChange>) =
            self.recent.iter().partition(|c| c.at < horizon);
        self.recent = recent;
        old.sort_by_key(|c| c.at);
        let mut level = self.base.clone();
        for c in &old {
            level.add(c);
            let day = self
                .days
                .entry(local_date(tz, c.at))
                .or_insert_with(|| DayQueue {
                    peak: level.clone(),
                    end: level.clone(),
                });
            day.peak.raise_to(&level);
            day.end = level.clone();
        }
        // Each newly compacted day's peak counts the queue it started with.
        let first = self.horizon.map_or(NaiveDate::MIN, |h| local_date(tz, h));
        let mut before = self.base.clone();
        for (_, day) in self.days.range_mut(first..) {
            day.peak.raise_to(&before);
            before = day.end.clone();
        }
        self.base = level;
        self.horizon = Some(horizon);
    }

    /// The most unsolved tickets (on `channel`, or all) at any moment of
    /// each local day in `[from, to)`. A day before the horizon answers
    /// with its whole day's peak.
    pub(super) fn daily_peaks(
        &self,
        tz: chrono_tz::Tz,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        channel: Option<ChannelKind>,
    ) -> BTreeMap<NaiveDate, u32> {
        let mut out = BTreeMap::new();
        let count = |n: i64| u32::try_from(n.max(0)).unwrap_or(u32::MAX);
        let mut log: Vec<(DateTime<Utc>, i8)> = self
            .recent
            .iter()
            .filter(|c| channel.is_none_or(|k| k == c.channel))
            .map(|c| (c.at, c.delta))
            .collect();
        log.sort_by_key(|(at, _)| *at);
        let mut queue: i64 = self.base.of(channel);
        let mut changes = log.iter().peekable();
        // The queue when the period starts.
        while let Some((_, d)) = changes.next_if(|(at, _)| *at < from) {
            queue += i64::from(*d);
        }
        let mut day = local_date(tz, from);
        let last = local_date(tz, crate::time::minus(to, chrono::Duration::nanoseconds(1)));
        let horizon_day = self.horizon.map(|h| local_date(tz, h));
        while day <= last {
            if horizon_day.is_some_and(|h| day < h) {
                // Compacted: the day's peak, or the queue it was left at.
                let peak = match self.days.get(&day) {
                    Some(q) => q.peak.of(channel),
                    None => self
                        .days
                        .range(..day)
                        .next_back()
                        .map_or(0, |(_, q)| q.end.of(channel)),
                };
                out.insert(day, count(peak));
            } else {
                let mut peak = queue;
                let end = day
                    .succ_opt()
                    .and_then(|d| start_of(tz, d))
                    .unwrap_or(to)
                    .min(to);
                while let Some((_, d)) = changes.next_if(|(at, _)| *at < end) {
                    queue += i64::from(*d);
                    peak = peak.max(queue);
                }
                out.insert(day, count(peak));
            }
            match day.succ_opt() {
                Some(next) => day = next,
                None => break,
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, d, h, 0, 0).unwrap()
    }

    fn change(t: DateTime<Utc>, delta: i8, channel: ChannelKind) -> QueueChange {
        QueueChange {
            at: t,
            delta,
            channel,
        }
    }

    #[test]
    fn compacted_days_answer_with_the_peaks_the_changes_gave() {
        let tz = chrono_tz::UTC;
        let mut log = QueueLog::default();
        for c in [
            change(at(2, 9), 1, ChannelKind::Email),
            change(at(2, 10), 1, ChannelKind::Phone),
            change(at(2, 11), -1, ChannelKind::Email),
            change(at(4, 9), 1, ChannelKind::Email),
            change(at(4, 12), -1, ChannelKind::Phone),
            change(at(5, 8), 1, ChannelKind::Phone),
        ] {
            log.push(c);
        }
        let (from, to) = (at(1, 0), at(6, 0));
        let before: Vec<_> = [None, Some(ChannelKind::Email), Some(ChannelKind::Phone)]
            .iter()
            .map(|c| log.daily_peaks(tz, from, to, *c))
            .collect();
        assert_eq!(
            before[0].values().copied().collect::<Vec<_>>(),
            vec![0, 2, 1, 2, 2]
        );
        log.compact(tz, at(5, 12));
        assert_eq!(log.recent.len(), 1, "only the 5th's change stays");
        let after: Vec<_> = [None, Some(ChannelKind::Email), Some(ChannelKind::Phone)]
            .iter()
            .map(|c| log.daily_peaks(tz, from, to, *c))
            .collect();
        assert_eq!(after, before);
        // A second compaction further on changes nothing either.
        log.compact(tz, at(7, 0));
        assert!(log.recent.is_empty());
        assert_eq!(log.daily_peaks(tz, from, to, None), before[0]);
        assert_eq!(log.channels().len(), 2);
        // A change dated before the horizon moves the queue after it.
        log.push(change(at(3, 0), 1, ChannelKind::Email));
        assert_eq!(
            log.daily_peaks(tz, at(7, 0), at(8, 0), None)[&at(7, 0).date_naive()],
            3
        );
    }
}
