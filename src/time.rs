//! Time at the edges: the bounds every configured duration keeps, and
//! instant and duration arithmetic that saturates instead of panicking.
//!
//! chrono panics when `DateTime + Duration`, `Duration + Duration` or
//! `Duration * n` leaves its range. Commands and stored events can carry
//! any instant chrono represents, so inside the crate every such sum goes
//! through the saturating helpers here: an instant past the end of time
//! is the end of time ([`DateTime::<Utc>::MAX_UTC`]), never a panic.
//!
//! Configuration is bounded instead: a configured duration (an SLA target,
//! a quiet period, a retry delay, ...) is from 0 to [`MAX_CONFIGURED`]
//! (100 years), and one out of range is refused with a
//! [`DurationOutOfRange`] naming the setting and the value, both when the
//! configuration is built and when it is read.
//!
//! ```
//! use chrono::Duration;
//! use fanatical::incident::IncidentConfig;
//!
//! let config = IncidentConfig::default().with_follow_up(None, Duration::days(1_000_000));
//! let err = config.unwrap_err();
//! assert_eq!(
//!     err.to_string(),
//!     "incident follow_up_after is 86400000000 s; it must be from 0 s to 100 years"
//! );
//! ```

use chrono::{DateTime, Duration, Utc};

/// The longest duration a configuration may hold: 100 years of 365.25
/// days.
pub const MAX_CONFIGURED: Duration = Duration::days(36_525);

/// A configured duration outside the range its setting allows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field} is {}; it must be from {} to {}", show(*.value), show(*.min), show(*.max))]
#[non_exhaustive]
pub struct DurationOutOfRange {
    /// The setting (for example `survey quiet_period`, or an SLA policy's
    /// target).
    pub field: String,
    /// The value given.
    pub value: Duration,
    /// The least the setting allows.
    pub min: Duration,
    /// The most the setting allows.
    pub max: Duration,
}

/// `value` when it lies in `min..=max`.
pub(crate) fn check(
    field: impl Into<String>,
    value: Duration,
    min: Duration,
    max: Duration,
) -> Result<Duration, DurationOutOfRange> {
    if (min..=max).contains(&value) {
        Ok(value)
    } else {
        Err(DurationOutOfRange {
            field: field.into(),
            value,
            min,
            max,
        })
    }
}

/// `value` when it lies in `0..=MAX_CONFIGURED`.
pub(crate) fn check_configured(
    field: impl Into<String>,
    value: Duration,
) -> Result<Duration, DurationOutOfRange> {
    check(field, value, Duration::zero(), MAX_CONFIGURED)
}

/// A duration for messages: seconds, or `100 years` for the bound.
fn show(d: Duration) -> String {
    if d == MAX_CONFIGURED {
        return "100 years".to_owned();
    }
    let n = to_nanos(d);
    let (secs, sub) = (n / 1_000_000_000, (n % 1_000_000_000).unsigned_abs());
    match (sub, n < 0 && secs == 0) {
        (0, _) => format!("{secs} s"),
        (_, true) => format!("-0.{sub:09} s"),
        (_, false) => format!("{secs}.{sub:09} s"),
    }
}

/// Serde for durations as whole seconds (`"within": 300`).
pub(crate) mod seconds {
    use chrono::Duration;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i64(d.num_seconds())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        let secs = i64::deserialize(d)?;
        Duration::try_seconds(secs).ok_or_else(|| serde::de::Error::custom("duration out of range"))
    }

    /// Whole seconds for the configured setting `field`, refused unless
    /// from `min_seconds` to 100 years (see `configured_seconds!`).
    pub fn deserialize_configured<'de, D: Deserializer<'de>>(
        d: D,
        field: &str,
        min_seconds: i64,
    ) -> Result<Duration, D::Error> {
        let secs = i64::deserialize(d)?;
        let max = super::MAX_CONFIGURED;
        let min = Duration::try_seconds(min_seconds).unwrap_or_else(Duration::zero);
        let value = Duration::try_seconds(secs).unwrap_or(if secs < 0 {
            Duration::MIN
        } else {
            Duration::MAX
        });
        super::check(field, value, min, max).map_err(serde::de::Error::custom)
    }
}

/// Serde for durations as whole nanoseconds (events keep full precision).
pub(crate) mod nanos {
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

/// `t + d`, saturating at the ends of time instead of panicking (configs
/// and commands can carry any duration).
pub(crate) fn plus(t: DateTime<Utc>, d: Duration) -> DateTime<Utc> {
    t.checked_add_signed(d).unwrap_or(if d < Duration::zero() {
        DateTime::<Utc>::MIN_UTC
    } else {
        DateTime::<Utc>::MAX_UTC
    })
}

/// `t - d`, saturating.
pub(crate) fn minus(t: DateTime<Utc>, d: Duration) -> DateTime<Utc> {
    t.checked_sub_signed(d).unwrap_or(if d < Duration::zero() {
        DateTime::<Utc>::MAX_UTC
    } else {
        DateTime::<Utc>::MIN_UTC
    })
}

/// `a + b`, saturating at [`Duration::MIN`] and [`Duration::MAX`].
pub(crate) fn sum(a: Duration, b: Duration) -> Duration {
    a.checked_add(&b).unwrap_or(if b < Duration::zero() {
        Duration::MIN
    } else {
        Duration::MAX
    })
}

/// `a - b`, saturating.
pub(crate) fn difference(a: Duration, b: Duration) -> Duration {
    a.checked_sub(&b).unwrap_or(if b < Duration::zero() {
        Duration::MAX
    } else {
        Duration::MIN
    })
}

/// `d × percent / 100`, exact to the nanosecond and saturating (a warning
/// at 80% of an SLA target).
pub(crate) fn percent_of(d: Duration, percent: u32) -> Duration {
    from_nanos(to_nanos(d) * i128::from(percent) / 100)
}

/// The whole nanoseconds of `d` (every duration fits in an `i128`).
pub(crate) fn to_nanos(d: Duration) -> i128 {
    i128::from(d.num_seconds()) * 1_000_000_000 + i128::from(d.subsec_nanos())
}

/// `nanos` as a duration, saturating at [`Duration::MIN`] and
/// [`Duration::MAX`].
pub(crate) fn from_nanos(nanos: i128) -> Duration {
    if let Ok(small) = i64::try_from(nanos) {
        return Duration::nanoseconds(small);
    }
    let saturated = if nanos < 0 {
        Duration::MIN
    } else {
        Duration::MAX
    };
    let Ok(secs) = i64::try_from(nanos.div_euclid(1_000_000_000)) else {
        return saturated;
    };
    let sub = u32::try_from(nanos.rem_euclid(1_000_000_000)).unwrap_or(0);
    Duration::new(secs, sub).unwrap_or(saturated)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN_T: DateTime<Utc> = DateTime::<Utc>::MIN_UTC;
    const MAX_T: DateTime<Utc> = DateTime::<Utc>::MAX_UTC;

    #[test]
    fn instants_saturate_at_the_ends_of_time() {
        assert_eq!(plus(MAX_T, Duration::nanoseconds(1)), MAX_T);
        assert_eq!(plus(MIN_T, Duration::MIN), MIN_T);
        assert_eq!(plus(MIN_T, Duration::MAX), MAX_T);
        assert_eq!(minus(MIN_T, Duration::nanoseconds(1)), MIN_T);
        assert_eq!(minus(MAX_T, Duration::MIN), MAX_T);
        assert_eq!(minus(MAX_T, Duration::MAX), MIN_T);
        let t = DateTime::<Utc>::UNIX_EPOCH;
        assert_eq!(plus(t, Duration::days(1)), t + Duration::days(1));
        assert_eq!(minus(t, Duration::days(1)), t - Duration::days(1));
    }

    #[test]
    fn durations_saturate() {
        assert_eq!(sum(Duration::MAX, Duration::MAX), Duration::MAX);
        assert_eq!(sum(Duration::MIN, Duration::MIN), Duration::MIN);
        assert_eq!(sum(Duration::MAX, Duration::MIN), Duration::zero());
        assert_eq!(difference(Duration::MIN, Duration::MAX), Duration::MIN);
        assert_eq!(difference(Duration::MAX, Duration::MIN), Duration::MAX);
        assert_eq!(
            percent_of(Duration::MAX, 99),
            from_nanos(to_nanos(Duration::MAX) * 99 / 100)
        );
        assert_eq!(percent_of(Duration::MAX, u32::MAX), Duration::MAX);
        assert_eq!(percent_of(Duration::MIN, u32::MAX), Duration::MIN);
        assert_eq!(percent_of(Duration::minutes(10), 80), Duration::minutes(8));
        assert_eq!(
            percent_of(Duration::nanoseconds(-7), 50),
            Duration::nanoseconds(-3)
        );
        for d in [
            Duration::MAX,
            Duration::MIN,
            Duration::nanoseconds(-1_500_000_001),
        ] {
            assert_eq!(from_nanos(to_nanos(d)), d);
        }
        assert_eq!(from_nanos(i128::MAX), Duration::MAX);
        assert_eq!(from_nanos(i128::MIN), Duration::MIN);
    }

    #[test]
    fn configured_durations_are_bounded_and_named() {
        assert_eq!(check_configured("x", MAX_CONFIGURED), Ok(MAX_CONFIGURED));
        assert_eq!(
            check_configured("x", Duration::zero()),
            Ok(Duration::zero())
        );
        let err = check_configured("survey quiet_period", Duration::seconds(-5)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "survey quiet_period is -5 s; it must be from 0 s to 100 years"
        );
        let err = check(
            "trend window",
            Duration::milliseconds(1500),
            Duration::seconds(2),
            Duration::seconds(3),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "trend window is 1.500000000 s; it must be from 2 s to 3 s"
        );
        assert_eq!(err.value, Duration::milliseconds(1500));
        let err = check_configured("x", Duration::milliseconds(-500)).unwrap_err();
        assert!(err.to_string().starts_with("x is -0.500000000 s;"), "{err}");
    }
}
