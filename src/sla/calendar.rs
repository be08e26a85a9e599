//! Business calendars: when the clock runs.
//!
//! A [`BusinessCalendar`] is an IANA time zone, weekly opening hours (several
//! shifts a day), holidays (whole local days), and layered exceptions (a
//! date range with its own hours: a closure, or an extra opening). It
//! answers "how much business time lies between two instants" and "when
//! will this much business time have passed", correct to the nanosecond
//! across time zones and daylight saving.
//!
//! # Conventions
//!
//! - **Business time is real elapsed time inside open intervals.** Each
//!   shift's edges are resolved in the calendar's zone on its own local
//!   date: 09:00 in Chicago is 15:00Z in winter and 14:00Z in summer, and a
//!   24x7 day is 23 hours on the spring-forward date and 25 on the
//!   fall-back date.
//! - **Edges that fall in a DST fold or gap.** A local time that occurs
//!   twice (fall-back) resolves to its first occurrence; one that does not
//!   exist (spring-forward) resolves to the first instant after the gap.
//! - **Half-open intervals.** An opening instant is open; a closing instant
//!   is closed. Starting in closed time, counting begins at the next
//!   opening. `add(t, 0)` is `t` when open and the next opening when closed.
//! - **A deadline never sits on a close.** A deadline that would land
//!   exactly on a closing instant rolls to the next opening: the deadline is
//!   the last on-time instant, so a breach notice never fires in closed time,
//!   and a reply at 17:30 after a 17:00 close has used no more business
//!   time than one at 17:00.
//! - **`elapsed` is antisymmetric:** `elapsed(a, b) == -elapsed(b, a)`.
//! - **Layers.** For a local date, the last exception covering it decides
//!   its hours (an empty list closes the day); otherwise a holiday closes
//!   it; otherwise the weekly hours apply. Adjacent shifts (an overnight
//!   `22:00-24:00` followed by `00:00-06:00`) join into one interval.
//! - **Never open.** A calendar with no open time at all (or none after the
//!   start) makes [`BusinessCalendar::add`] return
//!   [`SlaError::NeverOpen`]; nothing loops.
//!
//! # Performance
//!
//! The calendar is expanded lazily, one UTC year at a time, into merged
//! UTC intervals with running business-time totals, cached for the years
//! 1900 to 2299 (outside that window the same tables are built on the fly,
//! so far instants are still answered exactly). `add` and `elapsed` are a
//! year lookup and binary searches; long durations skip whole years by
//! their totals. A 24x7 calendar with no exceptions short-cuts to plain
//! arithmetic.
//!
//! # Example
//! ```
//! use chrono::{Duration, TimeZone, Utc};
//! use fanatical::sla::BusinessCalendar;
//!
//! let cal: BusinessCalendar = serde_json::from_str(r#"{
//!     "tz": "America/Chicago",
//!     "hours": {"mon": [["09:00","17:00"]], "tue": [["09:00","17:00"]], "wed": [["09:00","17:00"]],
//!               "thu": [["09:00","17:00"]], "fri": [["09:00","17:00"]], "sat": [], "sun": []},
//!     "holidays": ["2026-12-25"]
//! }"#)?;
//! // Thursday 24 December 2026, 16:00 Chicago (22:00Z): one business hour left that day,
//! // Christmas is closed, so 2 business hours end Monday 28th at 10:00 (16:00Z).
//! let start = Utc.with_ymd_and_hms(2026, 12, 24, 22, 0, 0).unwrap();
//! let due = cal.add(start, Duration::hours(2))?;
//! assert_eq!(due, Utc.with_ymd_and_hms(2026, 12, 28, 16, 0, 0).unwrap());
//! assert_eq!(cal.elapsed(start, due), Duration::hours(2));
//! assert!(!cal.is_open(Utc.with_ymd_and_hms(2026, 12, 25, 17, 0, 0).unwrap()));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, OnceLock};

use chrono::{
    DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, TimeDelta, TimeZone, Timelike, Utc,
    Weekday,
};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::SlaError;

const NANOS: i64 = 1_000_000_000;
const DAY_SECS: u32 = 86_400;
const CACHE_FIRST_YEAR: i32 = 1900;
const CACHE_YEARS: usize = 400;

/// A time of day, from 00:00 to 24:00 inclusive, at minute precision.
/// Written `"HH:MM"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TimeOfDay(u32);

impl TimeOfDay {
    /// Parses `"HH:MM"` (00:00 to 24:00).
    ///
    /// # Errors
    /// [`SlaError::MalformedTime`] naming the text.
    pub fn parse(text: &str) -> Result<Self, SlaError> {
        let bad = || SlaError::MalformedTime(text.to_owned());
        let (h, m) = text.split_once(':').ok_or_else(bad)?;
        if h.len() != 2 || m.len() != 2 {
            return Err(bad());
        }
        let h: u32 = h.parse().map_err(|_| bad())?;
        let m: u32 = m.parse().map_err(|_| bad())?;
        if m >= 60 || h > 24 || (h == 24 && m != 0) {
            return Err(bad());
        }
        Ok(TimeOfDay(h * 3600 + m * 60))
    }

    /// Seconds after local midnight.
    #[must_use]
    pub const fn seconds(self) -> u32 {
        self.0
    }
}

impl fmt::Display for TimeOfDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.0 / 3600, self.0 % 3600 / 60)
    }
}

/// One opening interval of a day, `start` to `end` local time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Shift {
    start: TimeOfDay,
    end: TimeOfDay,
}

impl Shift {
    /// A shift; `end` may be 24:00.
    ///
    /// # Errors
    /// [`SlaError::MalformedTime`]; [`SlaError::EmptyShift`] when
    /// `end <= start`.
    pub fn new(start: &str, end: &str) -> Result<Self, SlaError> {
        let (s, e) = (TimeOfDay::parse(start)?, TimeOfDay::parse(end)?);
        if e <= s {
            return Err(SlaError::EmptyShift {
                start: start.to_owned(),
                end: end.to_owned(),
            });
        }
        Ok(Shift { start: s, end: e })
    }
    /// Opening time.
    #[must_use]
    pub fn start(&self) -> TimeOfDay {
        self.start
    }
    /// Closing time.
    #[must_use]
    pub fn end(&self) -> TimeOfDay {
        self.end
    }
}

impl fmt::Display for Shift {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.start, self.end)
    }
}

/// The shifts of one day, sorted and not overlapping.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct DayHours(Vec<Shift>);

impl DayHours {
    /// Closed all day.
    #[must_use]
    pub fn closed() -> Self {
        DayHours(Vec::new())
    }

    /// Open all day, 00:00-24:00.
    #[must_use]
    pub fn all_day() -> Self {
        DayHours(vec![Shift {
            start: TimeOfDay(0),
            end: TimeOfDay(DAY_SECS),
        }])
    }

    /// The day's hours from shifts in any order.
    ///
    /// # Errors
    /// [`SlaError::OverlappingShifts`] naming both shifts.
    pub fn new(mut shifts: Vec<Shift>) -> Result<Self, SlaError> {
        shifts.sort();
        for pair in shifts.windows(2) {
            if let [a, b] = pair
                && b.start < a.end
            {
                return Err(SlaError::OverlappingShifts {
                    first: a.to_string(),
                    second: b.to_string(),
                });
            }
        }
        Ok(DayHours(shifts))
    }

    /// Parses `[["09:00","12:00"], ["13:00","17:00"]]`-style pairs.
    ///
    /// # Errors
    /// As [`Shift::new`] and [`DayHours::new`].
    pub fn parse<S: AsRef<str>>(pairs: &[(S, S)]) -> Result<Self, SlaError> {
        let shifts = pairs
            .iter()
            .map(|(s, e)| Shift::new(s.as_ref(), e.as_ref()))
            .collect::<Result<Vec<_>, _>>()?;
        DayHours::new(shifts)
    }

    /// The shifts.
    #[must_use]
    pub fn shifts(&self) -> &[Shift] {
        &self.0
    }

    fn is_all_day(&self) -> bool {
        matches!(self.0.as_slice(), [s] if s.start.0 == 0 && s.end.0 == DAY_SECS)
    }
}

/// A date range (inclusive) whose days have their own hours: a closure
/// (no hours) or an extra or different opening.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Exception {
    /// First local date.
    pub from: NaiveDate,
    /// Last local date (inclusive).
    pub to: NaiveDate,
    /// The hours on each of those days.
    pub hours: DayHours,
}

/// A named set of holidays ("US federal 2026"), to layer onto calendars.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HolidaySet {
    /// Name.
    pub name: String,
    /// Local dates, each closing the whole day.
    pub dates: Vec<NaiveDate>,
}

/// Spans of one UTC year: open intervals as nanoseconds from the year's
/// start, merged, with the business time before each, and two indexes
/// that turn both lookups into an index read and a short scan.
#[derive(Debug, Clone, Default)]
struct YearTable {
    /// The UTC year.
    year: i32,
    /// The year's first instant, in seconds since the epoch.
    base: i64,
    /// The next year's first instant.
    next: i64,
    spans: Vec<Span>,
    /// Business nanoseconds in the whole year.
    total: i64,
    /// For each UTC day of the year: the first span that ends after the
    /// day's start.
    by_day: Vec<u32>,
    /// For each whole hour of business time: the span in which that much
    /// business time has passed.
    by_hour: Vec<u32>,
}

#[derive(Debug, Clone, Copy)]
struct Span {
    start: i64,
    end: i64,
    /// Business nanoseconds in this year before `start`.
    before: i64,
}

const DAY_NS: i64 = 86_400 * NANOS;
const HOUR_NS: i64 = 3_600 * NANOS;

impl YearTable {
    fn new(year: i32, base: i64, next: i64, spans: Vec<Span>, total: i64) -> Self {
        let days = usize::try_from((next - base) / 86_400).unwrap_or(0) + 1;
        let mut by_day = Vec::with_capacity(days);
        let mut i = 0usize;
        for d in 0..days {
            let day_start = i64::try_from(d).unwrap_or(i64::MAX).saturating_mul(DAY_NS);
            while spans.get(i).is_some_and(|s| s.end <= day_start) {
                i += 1;
            }
            by_day.push(u32::try_from(i).unwrap_or(u32::MAX));
        }
        let hours = usize::try_from(total / HOUR_NS).unwrap_or(0) + 1;
        let mut by_hour = Vec::with_capacity(hours);
        let mut j = 0usize;
        for k in 0..hours {
            let target = i64::try_from(k).unwrap_or(i64::MAX).saturating_mul(HOUR_NS);
            while spans.get(j + 1).is_some_and(|s| s.before <= target) {
                j += 1;
            }
            by_hour.push(u32::try_from(j).unwrap_or(u32::MAX));
        }
        YearTable {
            year,
            base,
            next,
            spans,
            total,
            by_day,
            by_hour,
        }
    }

    /// The index of the first span that ends after `pos`.
    fn span_after(&self, pos: i64) -> usize {
        // Positions within a year are never negative: unsigned division by
        // a constant is a multiply and a shift.
        let day = (pos.max(0) as u64 / DAY_NS as u64) as usize;
        let mut i = self.by_day.get(day).map_or(0, |&i| i as usize);
        while self.spans.get(i).is_some_and(|s| s.end <= pos) {
            i += 1;
        }
        i
    }

    /// Business time in the year before `pos`.
    fn before(&self, pos: i64) -> i64 {
        let i = self.span_after(pos);
        match self.spans.get(i) {
            Some(s) => s.before + (pos - s.start).max(0),
            None => self.total,
        }
    }

    /// The position at which `target` business nanoseconds of the year have
    /// passed, for `target < total`; a target on a span's end belongs to
    /// the next span's start.
    fn position_of(&self, target: i64) -> Option<i64> {
        let k = (target.max(0) as u64 / HOUR_NS as u64) as usize;
        let mut j = *self.by_hour.get(k)? as usize;
        while self.spans.get(j + 1).is_some_and(|s| s.before <= target) {
            j += 1;
        }
        let s = self.spans.get(j)?;
        let at = s.start + (target - s.before);
        (at < s.end).then_some(at)
    }
}

/// Lazily built year tables, shared by clones of a calendar.
struct YearCache {
    years: Box<[OnceLock<YearTable>]>,
}

impl YearCache {
    fn new() -> Self {
        YearCache {
            years: (0..CACHE_YEARS).map(|_| OnceLock::new()).collect(),
        }
    }
}

impl fmt::Debug for YearCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let built = self.years.iter().filter(|y| y.get().is_some()).count();
        write!(f, "YearCache({built} years built)")
    }
}

/// A year table: cached, or built for this call.
enum TableRef<'a> {
    Cached(&'a YearTable),
    Owned(Box<YearTable>),
}

impl std::ops::Deref for TableRef<'_> {
    type Target = YearTable;
    fn deref(&self) -> &YearTable {
        match self {
            TableRef::Cached(t) => t,
            TableRef::Owned(t) => t,
        }
    }
}

/// A business calendar. See the module docs for its conventions.
#[derive(Clone)]
pub struct BusinessCalendar {
    tz: Tz,
    week: [DayHours; 7],
    holidays: Vec<NaiveDate>,
    exceptions: Vec<Exception>,
    always_open: bool,
    last_open_year: Option<i32>,
    cache: Arc<YearCache>,
}

impl PartialEq for BusinessCalendar {
    fn eq(&self, other: &Self) -> bool {
        self.tz == other.tz
            && self.week == other.week
            && self.holidays == other.holidays
            && self.exceptions == other.exceptions
    }
}

impl Eq for BusinessCalendar {}

/// A summary, not a dump: the zone, the weekly hours with equal
/// consecutive days grouped, and how many holidays and exceptions, as in
/// `BusinessCalendar { zone: America/Chicago, hours: Mon-Fri 09:00-17:00,
/// holidays: 10 }`. The whole calendar is its serde form.
impl fmt::Debug for BusinessCalendar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = f.debug_struct("BusinessCalendar");
        s.field("zone", &format_args!("{}", self.tz.name()))
            .field("hours", &format_args!("{}", WeekSummary(&self.week)))
            .field("holidays", &self.holidays.len());
        if !self.exceptions.is_empty() {
            s.field("exceptions", &self.exceptions.len());
        }
        s.finish()
    }
}

/// Weekly hours in a line: `Mon-Fri 09:00-12:00,13:00-17:00; Sat
/// 10:00-14:00`; closed days left out, `closed` when nothing opens.
struct WeekSummary<'a>(&'a [DayHours; 7]);

impl fmt::Display for WeekSummary<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const NAMES: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
        let mut first = true;
        let mut days = self.0.iter().zip(NAMES).peekable();
        while let Some((hours, name)) = days.next() {
            let mut last = name;
            while let Some((_, next)) = days.next_if(|(h, _)| *h == hours) {
                last = next;
            }
            if hours.shifts().is_empty() {
                continue;
            }
            f.write_str(if first { "" } else { "; " })?;
            first = false;
            if last == name {
                write!(f, "{name} ")?;
            } else {
                write!(f, "{name}-{last} ")?;
            }
            for (i, shift) in hours.shifts().iter().enumerate() {
                write!(f, "{}{shift}", if i == 0 { "" } else { "," })?;
            }
        }
        if first {
            f.write_str("closed")?;
        }
        Ok(())
    }
}

const WEEKDAYS: [(&str, Weekday); 7] = [
    ("mon", Weekday::Mon),
    ("tue", Weekday::Tue),
    ("wed", Weekday::Wed),
    ("thu", Weekday::Thu),
    ("fri", Weekday::Fri),
    ("sat", Weekday::Sat),
    ("sun", Weekday::Sun),
];

impl BusinessCalendar {
    /// Open around the clock, every day, in UTC.
    #[must_use]
    pub fn always() -> Self {
        Self::weekly(chrono_tz::UTC, std::array::from_fn(|_| DayHours::all_day()))
    }

    /// A calendar from weekly hours, Monday first.
    #[must_use]
    pub fn weekly(tz: Tz, week: [DayHours; 7]) -> Self {
        let mut c = BusinessCalendar {
            tz,
            week,
            holidays: Vec::new(),
            exceptions: Vec::new(),
            always_open: false,
            last_open_year: None,
            cache: Arc::new(YearCache::new()),
        };
        c.refresh();
        c
    }

    /// The same hours Monday to Friday, closed at weekends.
    #[must_use]
    pub fn weekdays(tz: Tz, hours: DayHours) -> Self {
        let mut week: [DayHours; 7] = std::array::from_fn(|_| DayHours::closed());
        for day in week.iter_mut().take(5) {
            *day = hours.clone();
        }
        Self::weekly(tz, week)
    }

    /// Adds holidays (unsorted and duplicate dates are fine).
    #[must_use]
    pub fn with_holidays(mut self, dates: impl IntoIterator<Item = NaiveDate>) -> Self {
        self.holidays.extend(dates);
        self.refresh();
        self
    }

    /// Layers a holiday set on.
    #[must_use]
    pub fn with_holiday_set(self, set: &HolidaySet) -> Self {
        self.with_holidays(set.dates.iter().copied())
    }

    /// Layers an exception on: from `from` to `to` (inclusive) the days have
    /// `hours` (closed when empty). Later exceptions win over earlier ones,
    /// and every exception wins over holidays and weekly hours.
    ///
    /// # Errors
    /// [`SlaError::BackwardsRange`] when `to` is before `from`.
    pub fn with_exception(
        mut self,
        from: NaiveDate,
        to: NaiveDate,
        hours: DayHours,
    ) -> Result<Self, SlaError> {
        if to < from {
            return Err(SlaError::BackwardsRange { from, to });
        }
        self.exceptions.push(Exception { from, to, hours });
        self.refresh();
        Ok(self)
    }

    /// Normalises the spec and drops cached tables after a change.
    fn refresh(&mut self) {
        self.holidays.sort_unstable();
        self.holidays.dedup();
        self.always_open = self.holidays.is_empty()
            && self.exceptions.is_empty()
            && (self.week.iter().all(DayHours::is_all_day));
        self.last_open_year = self.compute_last_open_year();
        self.cache = Arc::new(YearCache::new());
    }

    /// The time zone.
    #[must_use]
    pub fn tz(&self) -> Tz {
        self.tz
    }
    /// The weekly hours, Monday first.
    #[must_use]
    pub fn week(&self) -> &[DayHours; 7] {
        &self.week
    }
    /// Holidays, sorted.
    #[must_use]
    pub fn holidays(&self) -> &[NaiveDate] {
        &self.holidays
    }
    /// Exceptions, in layering order.
    #[must_use]
    pub fn exceptions(&self) -> &[Exception] {
        &self.exceptions
    }

    /// The hours in force on a local date.
    #[must_use]
    pub fn hours_on(&self, date: NaiveDate) -> &DayHours {
        if let Some(e) = self
            .exceptions
            .iter()
            .rev()
            .find(|e| e.from <= date && date <= e.to)
        {
            return &e.hours;
        }
        if self.holidays.binary_search(&date).is_ok() {
            return &CLOSED;
        }
        let idx = date.weekday().num_days_from_monday() as usize;
        self.week.get(idx).unwrap_or(&CLOSED)
    }

    /// Whether the calendar is open at `at` (an opening instant is open, a
    /// closing instant is closed).
    #[must_use]
    pub fn is_open(&self, at: DateTime<Utc>) -> bool {
        if self.always_open {
            return true;
        }
        let Some((t, pos)) = self.locate(at) else {
            return false;
        };
        t.spans
            .get(t.span_after(pos))
            .is_some_and(|s| s.start <= pos)
    }

    /// `at` if open, else the next opening instant.
    ///
    /// # Errors
    /// [`SlaError::NeverOpen`] when the calendar never opens again.
    pub fn next_open(&self, at: DateTime<Utc>) -> Result<DateTime<Utc>, SlaError> {
        self.add(at, Duration::zero())
    }

    /// The next closing instant at or after `at`: the end of the current
    /// open interval, or of the next one when closed. Intervals that touch
    /// (an overnight shift, a year boundary) count as one.
    ///
    /// # Errors
    /// [`SlaError::NeverOpen`] when it never opens again;
    /// [`SlaError::NeverCloses`] for a calendar open around the clock.
    pub fn next_close(&self, at: DateTime<Utc>) -> Result<DateTime<Utc>, SlaError> {
        if self.always_open {
            return Err(SlaError::NeverCloses);
        }
        let open = self.next_open(at)?;
        let (mut year, mut pos) = self.position(open).ok_or(SlaError::OutOfRange)?;
        let mut open_years = 0;
        loop {
            let t = self.table(year).ok_or(SlaError::OutOfRange)?;
            let Some(s) = t.spans.get(t.span_after(pos)) else {
                return Err(SlaError::NeverOpen);
            };
            if s.end < year_len(&t) {
                return instant(&t, s.end).ok_or(SlaError::OutOfRange);
            }
            // Open until the year's end: does the next year open at once?
            let next = year
                .checked_add(1)
                .and_then(|y| self.table(y))
                .ok_or(SlaError::OutOfRange)?;
            match next.spans.first() {
                Some(f) if f.start == 0 => {
                    year += 1;
                    pos = 0;
                    open_years += 1;
                    if open_years > 1_000 {
                        return Err(SlaError::NeverCloses);
                    }
                }
                _ => return instant(&t, s.end).ok_or(SlaError::OutOfRange),
            }
        }
    }

    /// The instant at which `business` time will have passed, counting from
    /// `start` (see the conventions in the module docs).
    ///
    /// # Errors
    /// [`SlaError::NegativeDuration`]; [`SlaError::NeverOpen`] when not
    /// enough open time follows `start`; [`SlaError::OutOfRange`] past the
    /// representable dates.
    ///
    /// ```
    /// use chrono::{Duration, TimeZone, Utc};
    /// use fanatical::sla::{BusinessCalendar, DayHours};
    /// let office = BusinessCalendar::weekdays(chrono_tz::America::Chicago, DayHours::parse(&[("09:00", "17:00")])?);
    /// // Friday 4 p.m. in Chicago plus two business hours is Monday 10 a.m.
    /// let friday = Utc.with_ymd_and_hms(2026, 11, 6, 22, 0, 0).unwrap();
    /// let due = office.add(friday, Duration::hours(2))?;
    /// assert_eq!(due, Utc.with_ymd_and_hms(2026, 11, 9, 16, 0, 0).unwrap());
    /// assert_eq!(office.elapsed(friday, due), Duration::hours(2));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn add(&self, start: DateTime<Utc>, business: Duration) -> Result<DateTime<Utc>, SlaError> {
        if business < Duration::zero() {
            return Err(SlaError::NegativeDuration(business));
        }
        if self.always_open {
            return start
                .checked_add_signed(business)
                .ok_or(SlaError::OutOfRange);
        }
        match self.add_inner(start, business) {
            Ok(at) => Ok(at),
            Err(Fail::NeverOpen) => Err(SlaError::NeverOpen),
            Err(Fail::OutOfRange) => Err(SlaError::OutOfRange),
        }
    }

    fn add_inner(&self, start: DateTime<Utc>, business: Duration) -> Result<DateTime<Utc>, Fail> {
        let mut remaining = i128::from(business.num_seconds()) * i128::from(NANOS)
            + i128::from(business.subsec_nanos());
        let (mut year, pos) = self.position(start).ok_or(Fail::OutOfRange)?;
        let mut from = Some(pos);
        loop {
            let tref = self.table(year).ok_or(Fail::OutOfRange)?;
            let t: &YearTable = &tref;
            let used = from.take().map_or(0, |p| t.before(p));
            let avail = i128::from(t.total - used);
            if remaining < avail {
                // Fits in this year, so `remaining` fits an i64.
                let target = used + i64::try_from(remaining).map_err(|_| Fail::OutOfRange)?;
                let at = t.position_of(target).ok_or(Fail::OutOfRange)?;
                return instant(t, at).ok_or(Fail::OutOfRange);
            }
            remaining -= avail;
            if self.last_open_year.is_some_and(|l| year >= l) {
                return Err(Fail::NeverOpen);
            }
            year = year.checked_add(1).ok_or(Fail::OutOfRange)?;
            if year > MAX_YEAR {
                return Err(Fail::OutOfRange);
            }
        }
    }

    /// Business time between two instants; negative when `to` is before
    /// `from`.
    ///
    /// ```
    /// use chrono::{Duration, TimeZone, Utc};
    /// use fanatical::sla::{BusinessCalendar, DayHours};
    /// let office = BusinessCalendar::weekdays(chrono_tz::America::Chicago, DayHours::parse(&[("09:00", "17:00")])?);
    /// // A whole weekend counts for nothing; Saturday to Friday evening is a week's 40 hours.
    /// let saturday = Utc.with_ymd_and_hms(2026, 11, 7, 15, 0, 0).unwrap();
    /// assert_eq!(office.elapsed(saturday, saturday + Duration::days(1)), Duration::zero());
    /// assert_eq!(office.elapsed(saturday, saturday + Duration::days(7)), Duration::hours(40));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn elapsed(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Duration {
        if from > to {
            return -self.elapsed(to, from);
        }
        if self.always_open {
            return to - from;
        }
        let (Some((y1, p1)), Some((y2, p2))) = (self.position(from), self.position(to)) else {
            return Duration::zero();
        };
        if y1 == y2 {
            // The common case: one year, plain i64 arithmetic.
            return match self.table(y1) {
                Some(t) => Duration::nanoseconds(t.before(p2) - t.before(p1)),
                None => Duration::zero(),
            };
        }
        let mut nanos: i128 = 0;
        let mut y = y1;
        let last_year = self.last_open_year;
        while y < y2 {
            if last_year.is_some_and(|l| y > l) {
                break;
            }
            let Some(t) = self.table(y) else { break };
            let start = if y == y1 { t.before(p1) } else { 0 };
            nanos += i128::from(t.total - start);
            y += 1;
        }
        if let Some(t) = self.table(y2) {
            let before_to = t.before(p2);
            let before_from = if y1 == y2 { t.before(p1) } else { 0 };
            nanos += i128::from(before_to - before_from);
        }
        crate::time::from_nanos(nanos)
    }

    /// The last year with any open time, when the weekly hours are empty
    /// and only exceptions open days; `None` when the week has hours.
    fn compute_last_open_year(&self) -> Option<i32> {
        if self.week.iter().any(|d| !d.0.is_empty()) {
            return None;
        }
        let last = self
            .exceptions
            .iter()
            .filter(|e| !e.hours.0.is_empty())
            .map(|e| e.to.year())
            .max();
        // A local date's hours can spill into the next UTC year.
        Some(last.map_or(i32::MIN, |y| y.saturating_add(1)))
    }

    /// The UTC year of `at` and its offset in nanoseconds from that
    /// year's start, read off the date's fields (no division).
    fn position(&self, at: DateTime<Utc>) -> Option<(i32, i64)> {
        let naive = at.naive_utc();
        let day = i64::from(naive.ordinal0());
        let secs = i64::from(naive.num_seconds_from_midnight());
        let pos = (day * 86_400 + secs) * NANOS + i64::from(naive.nanosecond());
        Some((naive.year(), pos))
    }

    fn locate(&self, at: DateTime<Utc>) -> Option<(TableRef<'_>, i64)> {
        let (y, pos) = self.position(at)?;
        Some((self.table(y)?, pos))
    }

    fn table(&self, year: i32) -> Option<TableRef<'_>> {
        let idx = i64::from(year) - i64::from(CACHE_FIRST_YEAR);
        if let Some(cell) = usize::try_from(idx)
            .ok()
            .and_then(|i| self.cache.years.get(i))
        {
            if let Some(t) = cell.get() {
                return Some(TableRef::Cached(t));
            }
            let built = self.build_year(year)?;
            return Some(TableRef::Cached(cell.get_or_init(|| built)));
        }
        Some(TableRef::Owned(Box::new(self.build_year(year)?)))
    }

    fn build_year(&self, year: i32) -> Option<YearTable> {
        let base = year_start(year)?;
        let next = year.checked_add(1).and_then(year_start)?;
        let first = NaiveDate::from_ymd_opt(year, 1, 1)
            .and_then(|d| d.checked_sub_days(chrono::Days::new(2)))?;
        let last = NaiveDate::from_ymd_opt(year, 12, 31)
            .and_then(|d| d.checked_add_days(chrono::Days::new(2)))?;
        let mut raw: Vec<(i64, i64)> = Vec::with_capacity(400);
        let mut day = first;
        while day <= last {
            for shift in self.hours_on(day).shifts() {
                let s = self.resolve(day, shift.start.0)?;
                let e = self.resolve(day, shift.end.0)?;
                let (s, e) = (s.max(base), e.min(next));
                if e > s {
                    raw.push(((s - base) * NANOS, (e - base) * NANOS));
                }
            }
            day = day.succ_opt()?;
        }
        raw.sort_unstable();
        let mut spans: Vec<Span> = Vec::with_capacity(raw.len());
        let mut total = 0i64;
        for (s, e) in raw {
            match spans.last_mut() {
                Some(last) if s <= last.end => {
                    if e > last.end {
                        total += e - last.end;
                        last.end = e;
                    }
                }
                _ => {
                    spans.push(Span {
                        start: s,
                        end: e,
                        before: total,
                    });
                    total += e - s;
                }
            }
        }
        Some(YearTable::new(year, base, next, spans, total))
    }

    /// The UTC instant (seconds) of `secs` after local midnight of `date`.
    fn resolve(&self, date: NaiveDate, secs: u32) -> Option<i64> {
        let midnight = date.and_hms_opt(0, 0, 0)?;
        let local = midnight.checked_add_signed(TimeDelta::seconds(i64::from(secs)))?;
        if let Some(t) = self.tz.from_local_datetime(&local).earliest() {
            return Some(t.timestamp());
        }
        // In a spring-forward gap: the first local minute that exists is
        // the transition instant (real gaps start and end on whole minutes).
        let mut probe: NaiveDateTime = local;
        for _ in 0..(48 * 60) {
            probe = probe.checked_add_signed(TimeDelta::minutes(1))?;
            if let Some(t) = self.tz.from_local_datetime(&probe).earliest() {
                return Some(t.timestamp());
            }
        }
        None
    }
}

/// Hot-path failures, small so results stay in registers.
#[derive(Debug, Clone, Copy)]
enum Fail {
    OutOfRange,
    NeverOpen,
}

static CLOSED: DayHours = DayHours(Vec::new());

const MAX_YEAR: i32 = 262_000;

fn year_start(year: i32) -> Option<i64> {
    NaiveDate::from_ymd_opt(year, 1, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|dt| dt.and_utc().timestamp())
}

fn year_len(t: &YearTable) -> i64 {
    (t.next - t.base) * NANOS
}

fn instant(t: &YearTable, pos: i64) -> Option<DateTime<Utc>> {
    let pos = u64::try_from(pos).ok()?;
    let (day, rem) = (pos / DAY_NS as u64, pos % DAY_NS as u64);
    let Some(date) = NaiveDate::from_yo_opt(t.year, u32::try_from(day + 1).ok()?) else {
        // The year's very end (an interval closing at New Year, UTC): the
        // first instant of the next year.
        let secs = i64::try_from(pos / NANOS as u64).ok()?;
        let nanos = u32::try_from(pos % NANOS as u64).ok()?;
        return DateTime::<Utc>::from_timestamp(t.base.checked_add(secs)?, nanos);
    };
    let time = chrono::NaiveTime::from_num_seconds_from_midnight_opt(
        u32::try_from(rem / NANOS as u64).ok()?,
        u32::try_from(rem % NANOS as u64).ok()?,
    )?;
    Some(date.and_time(time).and_utc())
}

mod wire;

#[cfg(test)]
mod tests;
