//! SLA engine: business calendars, policies and timers.
//!
//! - [`BusinessCalendar`]: when the clock runs (zone, weekly shifts,
//!   holidays, layered exceptions), with `add`/`elapsed` correct across DST.

mod calendar;
mod policy;
mod timer;

use chrono::{Duration, NaiveDate};

pub use calendar::{BusinessCalendar, DayHours, Exception, HolidaySet, Shift, TimeOfDay};
pub use policy::{
    Clock, Conditions, Contract, Metric, SlaConfig, SlaPolicies, SlaPolicy, Target, TicketFacts,
};
pub use timer::{
    CancelReason, MetricKey, MetricState, Phase, Schedule, SlaEvent, SlaEventKind, TicketSla,
    TimerKey, TimerKind, facts_of, promise, react,
};

/// Why a calendar or SLA operation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SlaError {
    /// Not an IANA time zone name.
    #[error("unknown time zone {0:?}")]
    UnknownZone(String),
    /// Not `HH:MM` between 00:00 and 24:00.
    #[error("malformed time {0:?}: expected HH:MM from 00:00 to 24:00")]
    MalformedTime(String),
    /// Not `YYYY-MM-DD`.
    #[error("malformed date {0:?}: expected YYYY-MM-DD")]
    MalformedDate(String),
    /// A weekday key other than mon, tue, wed, thu, fri, sat, sun.
    #[error("unknown weekday {0:?}: expected one of mon, tue, wed, thu, fri, sat, sun")]
    UnknownWeekday(String),
    /// A shift that ends at or before it starts.
    #[error("shift {start}-{end} ends at or before it starts")]
    EmptyShift {
        /// Its start.
        start: String,
        /// Its end.
        end: String,
    },
    /// Two shifts of one day overlap.
    #[error("shifts {first} and {second} overlap")]
    OverlappingShifts {
        /// The earlier shift.
        first: String,
        /// The later shift.
        second: String,
    },
    /// A problem on a named day of the week or date.
    #[error("{day}: {source}")]
    OnDay {
        /// The weekday key or date.
        day: String,
        /// The problem.
        source: Box<SlaError>,
    },
    /// A date range that ends before it starts.
    #[error("date range {from} to {to} ends before it starts")]
    BackwardsRange {
        /// First date.
        from: NaiveDate,
        /// Last date.
        to: NaiveDate,
    },
    /// A negative business duration.
    #[error("business duration {0} is negative")]
    NegativeDuration(Duration),
    /// The calendar has no open time (after the start).
    #[error("the calendar never opens")]
    NeverOpen,
    /// The calendar is open around the clock: it never closes.
    #[error("the calendar never closes")]
    NeverCloses,
    /// A policy that cannot be used.
    #[error("policy {policy:?}: {reason}")]
    InvalidPolicy {
        /// The policy's name.
        policy: String,
        /// What is wrong.
        reason: String,
    },
    /// An agent's promise due at or before the moment it is made.
    #[error("a promise due at {due} is not after {now}")]
    PromiseInPast {
        /// When it was promised for.
        due: chrono::DateTime<chrono::Utc>,
        /// When it was made.
        now: chrono::DateTime<chrono::Utc>,
    },
    /// An instant outside the dates the crate can represent.
    #[error("instant out of the representable range")]
    OutOfRange,
}

impl SlaError {
    /// This error, said of a weekday or date.
    #[must_use]
    pub fn on_day(self, day: &str) -> Self {
        SlaError::OnDay {
            day: day.to_owned(),
            source: Box::new(self),
        }
    }
}

/// Serde for durations as whole nanoseconds (events keep full precision).
mod nanos {
    use chrono::Duration;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        let n = d
            .num_nanoseconds()
            .ok_or_else(|| serde::ser::Error::custom("duration over 292 years"))?;
        s.serialize_i64(n)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        Ok(Duration::nanoseconds(i64::deserialize(d)?))
    }
}
