//! Properties of business calendars over random instants, durations and
//! calendars (in zones with daylight saving).

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use fanatical::sla::{BusinessCalendar, DayHours, Shift};
use proptest::prelude::*;

/// Zones with DST at 02:00 (Chicago), 01:00 UTC (London), in the southern
/// summer (Sydney), none (Kolkata), and at local midnight, where a local
/// day can start twice or not at all (Havana, Beirut, Santiago).
const ZONES: [Tz; 7] = [
    chrono_tz::America::Chicago,
    chrono_tz::Europe::London,
    chrono_tz::Australia::Sydney,
    chrono_tz::Asia::Kolkata,
    chrono_tz::America::Havana,
    chrono_tz::Asia::Beirut,
    chrono_tz::America::Santiago,
];

/// Instants from 2024 to 2028, to the nanosecond.
fn arb_instant() -> impl Strategy<Value = DateTime<Utc>> {
    let start = Utc
        .with_ymd_and_hms(2024, 1, 1, 0, 0, 0)
        .unwrap()
        .timestamp();
    (0i64..5 * 365 * 86_400, 0u32..1_000_000_000)
        .prop_map(move |(s, n)| DateTime::from_timestamp(start + s, n).unwrap())
}

/// Durations from zero to about 8 weeks of business time, to the nanosecond.
fn arb_duration() -> impl Strategy<Value = Duration> {
    prop_oneof![
        Just(Duration::zero()),
        (0i64..3_600).prop_map(Duration::seconds),
        (0i64..8 * 7 * 24 * 60).prop_map(Duration::minutes),
        (0i64..1_000_000_000_000).prop_map(Duration::nanoseconds),
    ]
}

/// A day's shifts: up to three, on 15-minute edges, sorted, not overlapping.
fn arb_day() -> impl Strategy<Value = DayHours> {
    proptest::collection::btree_set(0u32..=96, 0..=6).prop_map(|edges| {
        let edges: Vec<u32> = edges.into_iter().collect();
        let shifts = edges
            .chunks(2)
            .filter_map(|pair| match pair {
                [a, b] => {
                    let t = |q: u32| format!("{:02}:{:02}", q / 4, q % 4 * 15);
                    Shift::new(&t(*a), &t(*b)).ok()
                }
                _ => None,
            })
            .collect();
        DayHours::new(shifts).unwrap()
    })
}

/// A random calendar that is open at least on Mondays 10:00-11:00.
fn arb_calendar() -> impl Strategy<Value = BusinessCalendar> {
    (
        proptest::sample::select(ZONES.to_vec()),
        proptest::collection::vec(arb_day(), 7),
        proptest::collection::vec(0i64..5 * 365, 0..10),
    )
        .prop_map(|(tz, days, holidays)| {
            let mut week: [DayHours; 7] = std::array::from_fn(|i| days[i].clone());
            if week[0].shifts().is_empty() {
                week[0] = DayHours::parse(&[("10:00", "11:00")]).unwrap();
            }
            let base = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
            BusinessCalendar::weekly(tz, week)
                .with_holidays(holidays.into_iter().map(|d| base + Duration::days(d)))
        })
}

fn fixed_calendars() -> Vec<BusinessCalendar> {
    let nine_five = DayHours::parse(&[("09:00", "17:00")]).unwrap();
    let split = DayHours::parse(&[("08:00", "12:00"), ("13:00", "17:00")]).unwrap();
    let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).unwrap();
    vec![
        BusinessCalendar::weekdays(chrono_tz::America::Chicago, nine_five).with_holidays([
            d(2025, 12, 25),
            d(2026, 1, 1),
            d(2026, 11, 26),
        ]),
        BusinessCalendar::weekdays(chrono_tz::Europe::London, split),
        // Nights around the clock change: 22:00-24:00 and 00:00-06:00.
        BusinessCalendar::weekly(
            chrono_tz::America::Chicago,
            std::array::from_fn(|_| {
                DayHours::parse(&[("00:00", "06:00"), ("22:00", "24:00")]).unwrap()
            }),
        ),
    ]
}

fn twenty_four_sevens() -> [BusinessCalendar; 2] {
    let all = BusinessCalendar::weekly(
        chrono_tz::America::Chicago,
        std::array::from_fn(|_| DayHours::all_day()),
    );
    // The same, forced off the arithmetic short cut by a harmless exception.
    let d = NaiveDate::from_ymd_opt(1800, 1, 1).unwrap();
    let slow = all
        .clone()
        .with_exception(d, d, DayHours::all_day())
        .unwrap();
    [all, slow]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(crate::cases(256)))]

    #[test]
    fn elapsed_inverts_add(s in arb_instant(), d in arb_duration()) {
        for cal in fixed_calendars() {
            let due = cal.add(s, d).unwrap();
            prop_assert_eq!(cal.elapsed(s, due), d, "{:?} from {} by {}", cal.tz(), s, d);
        }
    }

    #[test]
    fn elapsed_inverts_add_on_random_calendars(cal in arb_calendar(), s in arb_instant(), d in arb_duration()) {
        let due = cal.add(s, d).unwrap();
        prop_assert_eq!(cal.elapsed(s, due), d);
        prop_assert!(cal.is_open(due), "a deadline never falls in closed time: {}", due);
        prop_assert!(due >= s);
        let back: BusinessCalendar = serde_json::from_str(&serde_json::to_string(&cal).unwrap()).unwrap();
        prop_assert_eq!(&back, &cal);
        prop_assert_eq!(back.add(s, d).unwrap(), due);
    }

    #[test]
    fn add_is_monotonic_in_duration_and_start(
        s in arb_instant(), d1 in arb_duration(), d2 in arb_duration(), gap in 0i64..10_000_000_000_000,
    ) {
        let (lo, hi) = if d1 <= d2 { (d1, d2) } else { (d2, d1) };
        let later = s + Duration::nanoseconds(gap);
        for cal in fixed_calendars() {
            prop_assert!(cal.add(s, lo).unwrap() <= cal.add(s, hi).unwrap());
            prop_assert!(cal.add(s, lo).unwrap() <= cal.add(later, lo).unwrap());
        }
    }

    #[test]
    fn twenty_four_seven_is_plain_arithmetic(s in arb_instant(), d in arb_duration(), o in arb_instant()) {
        for cal in twenty_four_sevens() {
            prop_assert_eq!(cal.add(s, d).unwrap(), s + d);
            prop_assert_eq!(cal.elapsed(s, o), o - s);
            prop_assert!(cal.is_open(s));
        }
    }

    #[test]
    fn elapsed_is_antisymmetric_additive_and_bounded(a in arb_instant(), b in arb_instant(), c in arb_instant()) {
        for cal in fixed_calendars() {
            prop_assert_eq!(cal.elapsed(a, b), -cal.elapsed(b, a));
            prop_assert_eq!(cal.elapsed(a, b) + cal.elapsed(b, c), cal.elapsed(a, c));
            let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
            let e = cal.elapsed(lo, hi);
            prop_assert!(e >= Duration::zero() && e <= hi - lo);
        }
    }

    #[test]
    fn next_open_and_next_close_bracket_open_time(cal in arb_calendar(), s in arb_instant()) {
        let open = cal.next_open(s).unwrap();
        prop_assert!(cal.is_open(open));
        prop_assert_eq!(cal.elapsed(s, open), Duration::zero());
        let close = cal.next_close(s).unwrap();
        prop_assert!(close > open);
        prop_assert!(!cal.is_open(close));
        prop_assert!(cal.is_open(close - Duration::nanoseconds(1)));
        prop_assert_eq!(cal.elapsed(open, close), close - open);
    }
}
