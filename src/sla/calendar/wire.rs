//! A calendar's wire shape: the configuration people write (`tz`,
//! weekly `hours`, `holidays`, `exceptions`), read with every check the
//! builders make.

#![allow(clippy::wildcard_imports)]

use super::*;

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCalendar {
    tz: String,
    #[serde(default)]
    hours: BTreeMap<String, Vec<(String, String)>>,
    #[serde(default)]
    holidays: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    exceptions: Vec<RawException>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawException {
    from: String,
    to: String,
    #[serde(default)]
    hours: Vec<(String, String)>,
}

fn parse_date(text: &str) -> Result<NaiveDate, SlaError> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| SlaError::MalformedDate(text.to_owned()))
}

fn day_to_raw(d: &DayHours) -> Vec<(String, String)> {
    d.0.iter()
        .map(|s| (s.start.to_string(), s.end.to_string()))
        .collect()
}

impl TryFrom<RawCalendar> for BusinessCalendar {
    type Error = SlaError;
    fn try_from(raw: RawCalendar) -> Result<Self, SlaError> {
        let tz: Tz = raw
            .tz
            .parse()
            .map_err(|_| SlaError::UnknownZone(raw.tz.clone()))?;
        let mut week: [DayHours; 7] = std::array::from_fn(|_| DayHours::closed());
        for (key, pairs) in &raw.hours {
            let idx = WEEKDAYS
                .iter()
                .position(|(k, _)| k == key)
                .ok_or_else(|| SlaError::UnknownWeekday(key.clone()))?;
            let hours = DayHours::parse(pairs).map_err(|e| e.on_day(key))?;
            if let Some(slot) = week.get_mut(idx) {
                *slot = hours;
            }
        }
        let holidays = raw
            .holidays
            .iter()
            .map(|d| parse_date(d))
            .collect::<Result<Vec<_>, _>>()?;
        let mut cal = BusinessCalendar::weekly(tz, week).with_holidays(holidays);
        for e in &raw.exceptions {
            let hours = DayHours::parse(&e.hours).map_err(|err| err.on_day(&e.from))?;
            cal = cal.with_exception(parse_date(&e.from)?, parse_date(&e.to)?, hours)?;
        }
        Ok(cal)
    }
}

impl From<&BusinessCalendar> for RawCalendar {
    fn from(c: &BusinessCalendar) -> Self {
        RawCalendar {
            tz: c.tz.name().to_owned(),
            hours: WEEKDAYS
                .iter()
                .zip(c.week.iter())
                .map(|((k, _), d)| ((*k).to_owned(), day_to_raw(d)))
                .collect(),
            holidays: c
                .holidays
                .iter()
                .map(|d| d.format("%Y-%m-%d").to_string())
                .collect(),
            exceptions: c
                .exceptions
                .iter()
                .map(|e| RawException {
                    from: e.from.format("%Y-%m-%d").to_string(),
                    to: e.to.format("%Y-%m-%d").to_string(),
                    hours: day_to_raw(&e.hours),
                })
                .collect(),
        }
    }
}

impl Serialize for BusinessCalendar {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        RawCalendar::from(self).serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for BusinessCalendar {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = RawCalendar::deserialize(deserializer)?;
        BusinessCalendar::try_from(raw).map_err(serde::de::Error::custom)
    }
}
