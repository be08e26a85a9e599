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

/// A duration on the wire: an integer in the field's unit when that holds
/// it exactly, else whole seconds (floored) and the nanoseconds after them
/// (`{"secs": 1, "nanos": 500000000}`, the form serde gives
/// `std::time::Duration`). Reading takes either, so a record written as a
/// plain integer before durations kept their nanoseconds still reads.
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(untagged)]
enum Wire {
    Unit(i64),
    Split(Split),
}

#[derive(serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Split {
    secs: i64,
    nanos: u32,
}

impl Split {
    fn of(d: Duration) -> Self {
        let n = to_nanos(d);
        Split {
            // |seconds| of a chrono duration stay under 2^63 / 1000.
            secs: i64::try_from(n.div_euclid(1_000_000_000)).unwrap_or(i64::MAX),
            nanos: u32::try_from(n.rem_euclid(1_000_000_000)).unwrap_or(0),
        }
    }

    fn duration<E: serde::de::Error>(&self) -> Result<Duration, E> {
        if self.nanos >= 1_000_000_000 {
            return Err(E::custom(format_args!(
                "duration nanos {} is not below 1000000000",
                self.nanos
            )));
        }
        Duration::new(self.secs, self.nanos).ok_or_else(|| {
            E::custom(format_args!(
                "duration of {} s and {} ns is out of range",
                self.secs, self.nanos
            ))
        })
    }
}

/// Serde for durations in seconds (`"within": 300`), exact: a duration
/// with a fraction of a second is written as seconds and nanoseconds
/// (`{"secs": 1, "nanos": 500000000}`), and whole seconds read as before.
pub(crate) mod seconds {
    use chrono::Duration;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::{Split, Wire};

    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        if d.subsec_nanos() == 0 {
            Wire::Unit(d.num_seconds()).serialize(s)
        } else {
            Wire::Split(Split::of(*d)).serialize(s)
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        match Wire::deserialize(d)? {
            Wire::Unit(secs) => Duration::try_seconds(secs).ok_or_else(|| {
                serde::de::Error::custom(format_args!("duration of {secs} s is out of range"))
            }),
            Wire::Split(split) => split.duration(),
        }
    }

    /// Seconds for the configured setting `field`, refused unless from
    /// `min_seconds` to 100 years (see `configured_seconds!`).
    pub fn deserialize_configured<'de, D: Deserializer<'de>>(
        d: D,
        field: &str,
        min_seconds: i64,
    ) -> Result<Duration, D::Error> {
        let saturated = |secs: i64| {
            if secs < 0 {
                Duration::MIN
            } else {
                Duration::MAX
            }
        };
        // Out of chrono's range is out of the setting's range: refused
        // below with the setting's name, as a saturated value.
        let value = match Wire::deserialize(d)? {
            Wire::Unit(secs) => Duration::try_seconds(secs).unwrap_or(saturated(secs)),
            Wire::Split(split) => split.duration::<D::Error>().or_else(|e| {
                if split.nanos < 1_000_000_000 {
                    Ok(saturated(split.secs))
                } else {
                    Err(e)
                }
            })?,
        };
        let max = super::MAX_CONFIGURED;
        let min = Duration::try_seconds(min_seconds).unwrap_or_else(Duration::zero);
        super::check(field, value, min, max).map_err(serde::de::Error::custom)
    }
}

/// Serde for durations in nanoseconds (events keep full precision): an
/// integer while it fits in an `i64` (292 years), seconds and nanoseconds
/// beyond, so every chrono duration is written, and read back, exactly.
pub(crate) mod nanos {
    use chrono::Duration;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::{Split, Wire};

    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        match d.num_nanoseconds() {
            Some(n) => Wire::Unit(n),
            None => Wire::Split(Split::of(*d)),
        }
        .serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        match Wire::deserialize(d)? {
            Wire::Unit(n) => Ok(Duration::nanoseconds(n)),
            Wire::Split(split) => split.duration(),
        }
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

    #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    struct Wire {
        #[serde(with = "seconds")]
        secs: Duration,
        #[serde(with = "nanos")]
        nanos: Duration,
    }

    fn wire(secs: Duration, nanos: Duration) -> String {
        serde_json::to_string(&Wire { secs, nanos }).unwrap()
    }

    fn read(json: &str) -> Result<Wire, String> {
        serde_json::from_str(json).map_err(|e| e.to_string())
    }

    #[test]
    fn durations_on_the_wire_are_exact_and_old_whole_seconds_still_read() {
        // Whole seconds and nanoseconds that fit stay plain integers.
        assert_eq!(
            wire(Duration::minutes(30), Duration::milliseconds(1500)),
            r#"{"secs":1800,"nanos":1500000000}"#
        );
        // A fraction of a second is kept, not dropped.
        assert_eq!(
            wire(Duration::milliseconds(1500), Duration::MAX),
            r#"{"secs":{"secs":1,"nanos":500000000},"nanos":{"secs":9223372036854775,"nanos":807000000}}"#
        );
        assert_eq!(
            wire(Duration::nanoseconds(-1), Duration::MIN),
            r#"{"secs":{"secs":-1,"nanos":999999999},"nanos":{"secs":-9223372036854776,"nanos":193000000}}"#
        );
        for d in [
            Duration::MAX,
            Duration::MIN,
            Duration::zero(),
            Duration::nanoseconds(1),
            Duration::nanoseconds(-1_500_000_001),
            Duration::days(365 * 300) + Duration::nanoseconds(7),
            Duration::seconds(-3),
        ] {
            let json = wire(d, d);
            assert_eq!(read(&json), Ok(Wire { secs: d, nanos: d }), "{json}");
        }
        // Records written before: whole seconds, whole nanoseconds.
        assert_eq!(
            read(r#"{"secs":1860,"nanos":5}"#),
            Ok(Wire {
                secs: Duration::seconds(1860),
                nanos: Duration::nanoseconds(5)
            })
        );
        // Malformed splits are refused, naming the fault.
        let err = read(r#"{"secs":{"secs":1,"nanos":1000000000},"nanos":0}"#).unwrap_err();
        assert!(err.contains("nanos 1000000000 is not below"), "{err}");
        let err = read(r#"{"secs":{"secs":9223372036854775807,"nanos":0},"nanos":0}"#).unwrap_err();
        assert!(err.contains("out of range"), "{err}");
        let err = read(r#"{"secs":9223372036854775807,"nanos":0}"#).unwrap_err();
        assert!(err.contains("out of range"), "{err}");
    }

    #[test]
    fn configured_durations_read_their_fraction_and_refuse_beyond_range() {
        #[derive(Debug, serde::Deserialize)]
        struct Config {
            #[serde(deserialize_with = "within")]
            within: Duration,
        }
        fn within<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
            seconds::deserialize_configured(d, "test within", 1)
        }
        let read = |json: &str| {
            serde_json::from_str::<Config>(json)
                .map(|c| c.within)
                .map_err(|e| e.to_string())
        };
        assert_eq!(
            read(r#"{"within":{"secs":1,"nanos":250000000}}"#),
            Ok(Duration::milliseconds(1250))
        );
        assert_eq!(read(r#"{"within":90}"#), Ok(Duration::seconds(90)));
        for bad in [
            r#"{"within":{"secs":0,"nanos":999999999}}"#,
            r#"{"within":{"secs":-9223372036854775808,"nanos":0}}"#,
            r#"{"within":{"secs":9223372036854775807,"nanos":1}}"#,
        ] {
            let err = read(bad).unwrap_err();
            assert!(err.starts_with("test within is "), "{bad}: {err}");
        }
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
