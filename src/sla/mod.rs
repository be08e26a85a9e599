//! SLA engine: business calendars, policies and timers.
//!
//! - [`BusinessCalendar`]: when the clock runs (zone, weekly shifts,
//!   holidays, layered exceptions), with `add`/`elapsed` correct across DST.

mod calendar;

use chrono::{Duration, NaiveDate};

pub use calendar::{BusinessCalendar, DayHours, Exception, HolidaySet, Shift, TimeOfDay};

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
