//! An agent's time: working hours, protected windows and absences.
//!
//! A [`Schedule`] lives on the agent's record. Working hours and
//! protected windows are [`BusinessCalendar`]s (each in its own zone,
//! usually the agent's home zone): the hours say when the agent works,
//! the protected calendar's open time is time that is theirs ("the
//! mornings are mine": nobody routes to or pages them then, not even the
//! CEO). Absences are whole stretches of time away. An agent with no
//! working hours set works around the clock, as every agent did before
//! schedules existed.
//!
//! # Example
//! ```
//! use chrono::{TimeZone, Utc};
//! use chrono_tz::America::Chicago;
//! use fanatical::agent::{Schedule, Unavailable};
//! use fanatical::sla::{BusinessCalendar, DayHours};
//!
//! // Works 08:00-17:00 on weekdays; the mornings until 11:00 are his.
//! let rob = Schedule::default()
//!     .with_hours(BusinessCalendar::weekdays(Chicago, DayHours::parse(&[("08:00", "17:00")])?))
//!     .with_protected(BusinessCalendar::weekdays(Chicago, DayHours::parse(&[("08:00", "11:00")])?));
//! let nine = Chicago.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap().with_timezone(&Utc);
//! let eleven = Chicago.with_ymd_and_hms(2026, 11, 2, 11, 0, 0).unwrap().with_timezone(&Utc);
//! assert_eq!(rob.unavailable(nine), Some(Unavailable::Protected { until: eleven }));
//! assert_eq!(rob.next_available(nine), Some(eleven));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::sla::BusinessCalendar;

/// How many stretches (shifts, protected windows, absences) a search for
/// the next available instant steps over before it gives up.
const SEARCH_STEPS: usize = 1_000;

/// A stretch of time away, `[from, until)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Absence {
    /// The first instant away.
    pub from: DateTime<Utc>,
    /// The first instant back.
    pub until: DateTime<Utc>,
}

/// Why an agent is not available at an instant, and until when that
/// holds. Reasons name the kind of time only, never why someone is away.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Unavailable {
    /// Away (an absence) until `until`.
    Absent {
        /// When the absence ends.
        until: DateTime<Utc>,
    },
    /// In a protected window until `until`.
    Protected {
        /// When the window closes.
        until: DateTime<Utc>,
    },
    /// Outside working hours; the next shift opens at `until` (`None`:
    /// never again).
    OffShift {
        /// When the next shift opens.
        until: Option<DateTime<Utc>>,
    },
}

impl fmt::Display for Unavailable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unavailable::Absent { until } => write!(f, "absent until {until}"),
            Unavailable::Protected { until } => write!(f, "in protected time until {until}"),
            Unavailable::OffShift { until: Some(at) } => write!(f, "off shift until {at}"),
            Unavailable::OffShift { until: None } => f.write_str("off shift for good"),
        }
    }
}

/// When an agent works and the time that is theirs. See the module docs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schedule {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    hours: Option<BusinessCalendar>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    protected: Option<BusinessCalendar>,
    /// Absences by their first instant: start to end.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    absences: BTreeMap<DateTime<Utc>, DateTime<Utc>>,
}

impl Schedule {
    /// This schedule with these working hours.
    #[must_use]
    pub fn with_hours(mut self, hours: BusinessCalendar) -> Self {
        self.hours = Some(hours);
        self
    }

    /// This schedule with these protected windows (the calendar's open
    /// time is protected).
    #[must_use]
    pub fn with_protected(mut self, protected: BusinessCalendar) -> Self {
        self.protected = Some(protected);
        self
    }

    /// This schedule with an absence more (an empty one changes nothing).
    #[must_use]
    pub fn with_absence(mut self, absence: Absence) -> Self {
        if absence.from < absence.until {
            self.absences.insert(absence.from, absence.until);
        }
        self
    }

    /// Whether nothing is set: no hours, no protected time, no absence.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.hours.is_none() && self.protected.is_none() && self.absences.is_empty()
    }

    /// Working hours (`None`: around the clock).
    #[must_use]
    pub fn hours(&self) -> Option<&BusinessCalendar> {
        self.hours.as_ref()
    }

    /// Protected windows, if any.
    #[must_use]
    pub fn protected(&self) -> Option<&BusinessCalendar> {
        self.protected.as_ref()
    }

    /// Absences, earliest first.
    pub fn absences(&self) -> impl Iterator<Item = Absence> + '_ {
        self.absences.iter().map(|(from, until)| Absence {
            from: *from,
            until: *until,
        })
    }

    /// The absence covering `at`, if any.
    #[must_use]
    pub fn absence_at(&self, at: DateTime<Utc>) -> Option<Absence> {
        self.absences
            .range(..=at)
            .next_back()
            .filter(|(_, until)| **until > at)
            .map(|(from, until)| Absence {
                from: *from,
                until: *until,
            })
    }

    /// An absence sharing time with `[from, until)`, if any.
    #[must_use]
    pub fn overlapping(&self, absence: Absence) -> Option<Absence> {
        self.absences()
            .find(|a| a.from < absence.until && absence.from < a.until)
    }

    /// Why the agent is not available at `at`: absent first, then in
    /// protected time, then off shift. `None` when available.
    #[must_use]
    pub fn unavailable(&self, at: DateTime<Utc>) -> Option<Unavailable> {
        if let Some(a) = self.absence_at(at) {
            return Some(Unavailable::Absent { until: a.until });
        }
        if let Some(p) = self.protected.as_ref().filter(|p| p.is_open(at)) {
            // Protected around the clock: it never closes.
            let until = p.next_close(at).unwrap_or(DateTime::<Utc>::MAX_UTC);
            return Some(Unavailable::Protected { until });
        }
        match &self.hours {
            Some(h) if !h.is_open(at) => Some(Unavailable::OffShift {
                until: h.next_open(at).ok(),
            }),
            _ => None,
        }
    }

    /// Whether the agent is working, outside protected time and not away
    /// at `at`.
    #[must_use]
    pub fn is_available(&self, at: DateTime<Utc>) -> bool {
        self.unavailable(at).is_none()
    }

    /// The first instant at or after `from` when the agent is available:
    /// their next working minute. `None` when that never comes (or lies
    /// beyond a thousand shifts, windows and absences).
    #[must_use]
    pub fn next_available(&self, from: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let mut t = from;
        for _ in 0..SEARCH_STEPS {
            match self.unavailable(t) {
                None => return Some(t),
                Some(
                    Unavailable::Absent { until }
                    | Unavailable::Protected { until }
                    | Unavailable::OffShift { until: Some(until) },
                ) if until > t => t = until,
                Some(_) => return None,
            }
        }
        None
    }

    /// When the current available stretch ends (the shift closes, a
    /// protected window opens or an absence starts), for an available
    /// agent; `None` when it never ends.
    #[must_use]
    pub fn available_until(&self, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let close = self.hours.as_ref().and_then(|h| h.next_close(at).ok());
        let protect = self.protected.as_ref().and_then(|p| p.next_open(at).ok());
        let away = self.absences.range(at..).next().map(|(from, _)| *from);
        [close, protect, away].into_iter().flatten().min()
    }

    pub(super) fn set_hours(&mut self, hours: Option<BusinessCalendar>) {
        self.hours = hours;
    }

    pub(super) fn set_protected(&mut self, protected: Option<BusinessCalendar>) {
        self.protected = protected;
    }

    pub(super) fn add_absence(&mut self, absence: Absence) {
        self.absences.insert(absence.from, absence.until);
    }

    pub(super) fn cancel_absence(&mut self, from: DateTime<Utc>) {
        self.absences.remove(&from);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sla::DayHours;
    use chrono::TimeZone;
    use chrono_tz::America::Chicago;

    fn chicago(d: u32, h: u32) -> DateTime<Utc> {
        Chicago
            .with_ymd_and_hms(2026, 11, d, h, 0, 0)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn rob() -> Schedule {
        let day = |a, b| DayHours::parse(&[(a, b)]).unwrap();
        Schedule::default()
            .with_hours(BusinessCalendar::weekdays(Chicago, day("08:00", "17:00")))
            .with_protected(BusinessCalendar::weekdays(Chicago, day("08:00", "11:00")))
    }

    #[test]
    fn an_empty_schedule_is_always_available() {
        let s = Schedule::default();
        assert!(s.is_empty());
        assert_eq!(s.next_available(chicago(2, 3)), Some(chicago(2, 3)));
        assert_eq!(s.available_until(chicago(2, 3)), None);
    }

    #[test]
    fn protected_time_then_shift_then_absence() {
        let s = rob();
        assert_eq!(
            s.unavailable(chicago(2, 7)),
            Some(Unavailable::OffShift {
                until: Some(chicago(2, 8))
            })
        );
        assert_eq!(s.next_available(chicago(2, 7)), Some(chicago(2, 11)));
        assert_eq!(s.available_until(chicago(2, 12)), Some(chicago(2, 17)));
        // Away Monday noon to Wednesday 09:00: back after Wednesday's window.
        let s = s.with_absence(Absence {
            from: chicago(2, 12),
            until: chicago(4, 9),
        });
        assert_eq!(s.available_until(chicago(2, 11)), Some(chicago(2, 12)));
        assert_eq!(
            s.unavailable(chicago(3, 12)),
            Some(Unavailable::Absent {
                until: chicago(4, 9)
            })
        );
        assert_eq!(s.next_available(chicago(2, 12)), Some(chicago(4, 11)));
        assert_eq!(
            s.overlapping(Absence {
                from: chicago(4, 8),
                until: chicago(5, 8)
            }),
            s.absence_at(chicago(3, 0))
        );
    }

    #[test]
    fn protected_around_the_clock_is_never_available() {
        let s = Schedule::default().with_protected(BusinessCalendar::always());
        assert_eq!(s.next_available(chicago(2, 9)), None);
        assert_eq!(
            Unavailable::Protected {
                until: chicago(2, 11)
            }
            .to_string(),
            "in protected time until 2026-11-02 17:00:00 UTC"
        );
    }
}
