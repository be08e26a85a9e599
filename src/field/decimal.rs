//! Exact decimals: an integer count of units and a scale, never a float.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::FieldError;

/// The most places after the point (and the exponent order compares at:
/// an `i64` times `10^18` fits an `i128`).
const MAX_DIGITS: usize = 18;

/// An exact decimal: `units / 10^scale`, its units any `i64`, at most 18
/// places, and no trailing zeros after the point (so `1.50` and `1.5` are one value, and
/// equality, order and hashing agree). Written and read as its text:
/// `"-12.5"`.
///
/// ```
/// use fanatical::field::Decimal;
/// let price: Decimal = "12.50".parse()?;
/// assert_eq!(price.to_string(), "12.5");
/// assert_eq!(price.places(), 1);
/// assert!(price > "12.49".parse()?);
/// assert!("1e3".parse::<Decimal>().is_err());
/// # Ok::<(), fanatical::field::FieldError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Decimal {
    units: i64,
    scale: u8,
}

impl Decimal {
    /// `units / 10^scale`, normalised.
    ///
    /// # Errors
    /// [`FieldError::InvalidDecimal`] for a scale over 18.
    pub fn new(units: i64, scale: u8) -> Result<Self, FieldError> {
        if usize::from(scale) > MAX_DIGITS {
            return Err(FieldError::InvalidDecimal(format!("{units}e-{scale}")));
        }
        let (mut units, mut scale) = (units, scale);
        while scale > 0 && units % 10 == 0 {
            units /= 10;
            scale -= 1;
        }
        Ok(Decimal { units, scale })
    }

    /// Digits after the point.
    #[must_use]
    pub fn places(&self) -> u8 {
        self.scale
    }

    /// The unscaled integer: `12.5` is 125 at 1 place.
    #[must_use]
    pub fn units(&self) -> i64 {
        self.units
    }

    /// The value times `10^18`, exact (an `i64` times `10^18` fits an
    /// `i128`): what order compares.
    fn widened(self) -> i128 {
        let shift = u32::try_from(MAX_DIGITS).unwrap_or(18) - u32::from(self.scale);
        i128::from(self.units) * 10_i128.pow(shift)
    }
}

impl Ord for Decimal {
    fn cmp(&self, other: &Self) -> Ordering {
        self.widened().cmp(&other.widened())
    }
}

impl PartialOrd for Decimal {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl FromStr for Decimal {
    type Err = FieldError;
    fn from_str(s: &str) -> Result<Self, FieldError> {
        let bad = || FieldError::InvalidDecimal(s.chars().take(100).collect());
        let t = s.trim();
        let (negative, digits) = match t.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, t),
        };
        let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
        let all_digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty()
            || !all_digits(whole)
            || !all_digits(frac)
            || (digits.contains('.') && frac.is_empty())
        {
            return Err(bad());
        }
        let whole = whole.trim_start_matches('0');
        let frac = frac.trim_end_matches('0');
        // Twenty digits already overflow an `i64`: refused before parsing.
        if frac.len() > MAX_DIGITS || whole.len() + frac.len() > 20 {
            return Err(bad());
        }
        let joined = format!("{whole}{frac}");
        let magnitude: i128 = if joined.is_empty() {
            0
        } else {
            joined.parse().map_err(|_| bad())?
        };
        let units =
            i64::try_from(if negative { -magnitude } else { magnitude }).map_err(|_| bad())?;
        Decimal::new(units, u8::try_from(frac.len()).map_err(|_| bad())?)
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits = self.units.unsigned_abs().to_string();
        let scale = usize::from(self.scale);
        let sign = if self.units < 0 { "-" } else { "" };
        if scale == 0 {
            return write!(f, "{sign}{digits}");
        }
        let padded = format!("{digits:0>width$}", width = scale + 1);
        let (whole, frac) = padded.split_at(padded.len() - scale);
        write!(f, "{sign}{whole}.{frac}")
    }
}

impl TryFrom<String> for Decimal {
    type Error = FieldError;
    fn try_from(s: String) -> Result<Self, FieldError> {
        s.parse()
    }
}

impl From<Decimal> for String {
    fn from(d: Decimal) -> String {
        d.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_prints_and_normalises() {
        for (text, shown) in [
            ("0", "0"),
            ("-0.0", "0"),
            ("12.50", "12.5"),
            ("-0.05", "-0.05"),
            ("007", "7"),
            ("123456789012345678", "123456789012345678"),
            ("0.000000000000000001", "0.000000000000000001"),
            ("9223372036854775807", "9223372036854775807"),
            ("-9223372036854775808", "-9223372036854775808"),
            ("-9.223372036854775808", "-9.223372036854775808"),
        ] {
            let d: Decimal = text.parse().unwrap();
            assert_eq!(d.to_string(), shown, "{text}");
            assert_eq!(shown.parse::<Decimal>().unwrap(), d);
        }
        for bad in [
            "",
            "-",
            ".5",
            "5.",
            "1e3",
            "+1",
            "1,5",
            "1.2.3",
            "nan",
            "9223372036854775808",
            "-9223372036854775809",
            "0.0000000000000000001",
            "123456789012345678901234567890",
        ] {
            assert!(bad.parse::<Decimal>().is_err(), "{bad}");
        }
    }

    #[test]
    fn every_decimal_prints_as_text_that_reads_back() {
        for units in [i64::MIN, i64::MIN + 1, -1, 0, 1, i64::MAX] {
            for scale in [0, 1, 9, 18] {
                let d = Decimal::new(units, scale).unwrap();
                assert_eq!(d.to_string().parse::<Decimal>(), Ok(d), "{units}e-{scale}");
            }
        }
        assert!(Decimal::new(1, 19).is_err());
    }

    #[test]
    fn orders_by_value_across_places() {
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        assert!(d("1.5") < d("2"));
        assert!(d("-1.5") < d("-1.49"));
        assert_eq!(d("1.50").cmp(&d("1.5")), Ordering::Equal);
        assert!(d("-123456789012345678") < d("0.000000000000000001"));
    }

    #[test]
    fn serde_is_the_text() {
        let d: Decimal = "-3.25".parse().unwrap();
        let json = serde_json::to_string(&d).unwrap();
        assert_eq!(json, "\"-3.25\"");
        assert_eq!(serde_json::from_str::<Decimal>(&json).unwrap(), d);
        assert!(serde_json::from_str::<Decimal>("\"x\"").is_err());
    }
}
