use super::*;
use chrono::Timelike;
use chrono_tz::America::Chicago;
use chrono_tz::Europe::London;

fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
}
fn chi(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Chicago
        .with_ymd_and_hms(y, m, d, h, min, 0)
        .earliest()
        .unwrap()
        .with_timezone(&Utc)
}
fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}
fn nine_to_five(tz: Tz) -> BusinessCalendar {
    BusinessCalendar::weekdays(tz, DayHours::parse(&[("09:00", "17:00")]).unwrap())
}
fn twenty_four_seven(tz: Tz) -> BusinessCalendar {
    BusinessCalendar::weekly(tz, std::array::from_fn(|_| DayHours::all_day()))
}
/// A 24x7 calendar that does not take the arithmetic short cut.
fn slow_24x7(tz: Tz) -> BusinessCalendar {
    twenty_four_seven(tz)
        .with_exception(date(1800, 1, 1), date(1800, 1, 1), DayHours::all_day())
        .unwrap()
}
fn h(n: i64) -> Duration {
    Duration::hours(n)
}

#[test]
fn edges_resolve_per_local_date_winter_and_summer() {
    let cal = nine_to_five(Chicago);
    // 09:00 Chicago is 15:00Z in winter (CST) and 14:00Z in summer (CDT).
    assert!(cal.is_open(utc(2026, 1, 5, 15, 0)));
    assert!(!cal.is_open(utc(2026, 1, 5, 14, 59)));
    assert!(cal.is_open(utc(2026, 7, 6, 14, 0)));
    assert!(!cal.is_open(utc(2026, 7, 6, 13, 59)));
}

#[test]
fn a_24x7_day_is_23_hours_on_spring_forward_and_25_on_fall_back() {
    for cal in [twenty_four_seven(Chicago), slow_24x7(Chicago)] {
        let day = |y, m, d| cal.elapsed(chi(y, m, d, 0, 0), chi(y, m, d + 1, 0, 0));
        assert_eq!(day(2026, 3, 8), h(23));
        assert_eq!(day(2026, 11, 1), h(25));
        assert_eq!(day(2026, 11, 2), h(24));
    }
    // A local-midnight-to-midnight "day" shift on those dates, too.
    let cal = slow_24x7(London);
    let lon = |m, d| {
        London
            .with_ymd_and_hms(2026, m, d, 0, 0, 0)
            .unwrap()
            .with_timezone(&Utc)
    };
    assert_eq!(cal.elapsed(lon(3, 29), lon(3, 30)), h(23));
    assert_eq!(cal.elapsed(lon(10, 25), lon(10, 26)), h(25));
}

#[test]
fn dst_weeks_in_chicago_keep_nine_to_five_at_eight_hours_a_day() {
    let cal = nine_to_five(Chicago);
    for (mon, next_mon) in [
        (chi(2026, 3, 2, 0, 0), chi(2026, 3, 9, 0, 0)),
        (chi(2026, 3, 9, 0, 0), chi(2026, 3, 16, 0, 0)),
        (chi(2026, 10, 26, 0, 0), chi(2026, 11, 2, 0, 0)),
        (chi(2026, 11, 2, 0, 0), chi(2026, 11, 9, 0, 0)),
    ] {
        assert_eq!(cal.elapsed(mon, next_mon), h(40));
    }
    // Friday 16:00 before the spring change, plus 2 h: Monday 10:00 CDT.
    let due = cal.add(chi(2026, 3, 6, 16, 0), h(2)).unwrap();
    assert_eq!(due, chi(2026, 3, 9, 10, 0));
    assert_eq!(due, utc(2026, 3, 9, 15, 0));
    // Friday 16:00 before the autumn change: Monday 10:00 CST = 16:00Z.
    assert_eq!(
        cal.add(chi(2026, 10, 30, 16, 0), h(2)).unwrap(),
        utc(2026, 11, 2, 16, 0)
    );
}

#[test]
fn shifts_inside_a_dst_fold_or_gap() {
    // A night shift 00:00-04:00 every day in Chicago.
    let night = BusinessCalendar::weekly(
        Chicago,
        std::array::from_fn(|_| DayHours::parse(&[("00:00", "04:00")]).unwrap()),
    );
    // Spring forward at 02:00 -> 03:00: only 3 real hours.
    assert_eq!(
        night.elapsed(chi(2026, 3, 8, 0, 0), chi(2026, 3, 8, 12, 0)),
        h(3)
    );
    // Fall back at 02:00 -> 01:00: 5 real hours.
    assert_eq!(
        night.elapsed(chi(2026, 11, 1, 0, 0), chi(2026, 11, 1, 12, 0)),
        h(5)
    );
    // A shift starting inside the gap opens at the first instant after it.
    let gap = BusinessCalendar::weekly(
        Chicago,
        std::array::from_fn(|_| DayHours::parse(&[("02:30", "05:00")]).unwrap()),
    );
    assert_eq!(
        gap.next_open(chi(2026, 3, 8, 0, 0)).unwrap(),
        utc(2026, 3, 8, 8, 0)
    );
    assert_eq!(
        gap.elapsed(chi(2026, 3, 8, 0, 0), chi(2026, 3, 8, 12, 0)),
        h(2)
    );
    // A shift starting inside the fold opens at its first occurrence.
    let fold = BusinessCalendar::weekly(
        Chicago,
        std::array::from_fn(|_| DayHours::parse(&[("01:30", "03:00")]).unwrap()),
    );
    assert_eq!(
        fold.next_open(chi(2026, 11, 1, 0, 0)).unwrap(),
        utc(2026, 11, 1, 6, 30)
    );
    assert_eq!(
        fold.elapsed(chi(2026, 11, 1, 0, 0), chi(2026, 11, 1, 12, 0)),
        Duration::minutes(150)
    );
}

#[test]
fn opening_instant_is_open_closing_instant_is_closed() {
    let cal = nine_to_five(Chicago);
    let open = chi(2026, 1, 5, 9, 0);
    let close = chi(2026, 1, 5, 17, 0);
    assert!(cal.is_open(open));
    assert!(!cal.is_open(close));
    assert!(cal.is_open(close - Duration::nanoseconds(1)));
    assert_eq!(cal.next_open(open).unwrap(), open);
    assert_eq!(cal.next_open(close).unwrap(), chi(2026, 1, 6, 9, 0));
    assert_eq!(cal.next_close(open).unwrap(), close);
    assert_eq!(cal.next_close(close).unwrap(), chi(2026, 1, 6, 17, 0));
}

#[test]
fn counting_starts_at_the_next_opening_and_add_zero() {
    let cal = nine_to_five(Chicago);
    // Saturday: closed. Zero business time lands on Monday's opening.
    let sat = chi(2026, 1, 10, 11, 0);
    assert_eq!(
        cal.add(sat, Duration::zero()).unwrap(),
        chi(2026, 1, 12, 9, 0)
    );
    assert_eq!(cal.add(sat, h(1)).unwrap(), chi(2026, 1, 12, 10, 0));
    // Open: add(t, 0) == t, to the nanosecond.
    let t = chi(2026, 1, 12, 10, 0) + Duration::nanoseconds(123_456_789);
    assert_eq!(cal.add(t, Duration::zero()).unwrap(), t);
    assert_eq!(
        cal.add(t, Duration::nanoseconds(1)).unwrap(),
        t + Duration::nanoseconds(1)
    );
    assert_eq!(
        cal.elapsed(sat, chi(2026, 1, 12, 9, 30)),
        Duration::minutes(30)
    );
}

#[test]
fn a_deadline_on_a_close_rolls_to_the_next_opening() {
    let cal = nine_to_five(Chicago);
    let due = cal.add(chi(2026, 1, 5, 9, 0), h(8)).unwrap();
    assert_eq!(due, chi(2026, 1, 6, 9, 0));
    // A reply at 17:30 has used no more business time than one at 17:00.
    let start = chi(2026, 1, 5, 9, 0);
    assert_eq!(cal.elapsed(start, chi(2026, 1, 5, 17, 30)), h(8));
    assert_eq!(cal.elapsed(start, chi(2026, 1, 5, 17, 0)), h(8));
    // Friday's close rolls over the weekend.
    assert_eq!(
        cal.add(chi(2026, 1, 9, 16, 0), h(1)).unwrap(),
        chi(2026, 1, 12, 9, 0)
    );
}

#[test]
fn split_shifts() {
    let cal = BusinessCalendar::weekdays(
        chrono_tz::Europe::Berlin,
        DayHours::parse(&[("13:00", "17:00"), ("08:00", "12:00")]).unwrap(),
    );
    let ber = |d, hh, mm| {
        chrono_tz::Europe::Berlin
            .with_ymd_and_hms(2026, 2, d, hh, mm, 0)
            .unwrap()
            .with_timezone(&Utc)
    };
    assert!(!cal.is_open(ber(2, 12, 30)));
    assert_eq!(cal.add(ber(2, 11, 0), h(2)).unwrap(), ber(2, 14, 0));
    assert_eq!(
        cal.add(ber(2, 11, 0), h(1)).unwrap(),
        ber(2, 13, 0),
        "the lunch close rolls over"
    );
    assert_eq!(cal.elapsed(ber(2, 0, 0), ber(3, 0, 0)), h(8));
    assert_eq!(cal.next_close(ber(2, 9, 0)).unwrap(), ber(2, 12, 0));
}

#[test]
fn holidays_close_the_whole_local_day() {
    let cal = nine_to_five(Chicago).with_holidays([
        date(2026, 12, 25),
        date(2026, 1, 1),
        date(2026, 12, 25),
    ]);
    assert_eq!(cal.holidays(), &[date(2026, 1, 1), date(2026, 12, 25)]);
    assert!(!cal.is_open(chi(2026, 12, 25, 10, 0)));
    assert_eq!(
        cal.elapsed(chi(2026, 12, 21, 0, 0), chi(2026, 12, 28, 0, 0)),
        h(32)
    );
}

#[test]
fn overnight_shifts_join_and_next_close_follows_them() {
    // 22:00-24:00 Monday and 00:00-06:00 Tuesday make one interval.
    let mut week: [DayHours; 7] = std::array::from_fn(|_| DayHours::closed());
    week[0] = DayHours::parse(&[("22:00", "24:00")]).unwrap();
    week[1] = DayHours::parse(&[("00:00", "06:00")]).unwrap();
    let cal = BusinessCalendar::weekly(Chicago, week);
    assert_eq!(
        cal.next_close(chi(2026, 1, 5, 23, 0)).unwrap(),
        chi(2026, 1, 6, 6, 0)
    );
    assert_eq!(
        cal.add(chi(2026, 1, 5, 22, 0), h(8)).unwrap(),
        chi(2026, 1, 12, 22, 0)
    );
}

#[test]
fn layered_exceptions_override_holidays_and_weeks() {
    let base = nine_to_five(Chicago).with_holidays([date(2026, 12, 25)]);
    let cal = base
        .clone()
        // The team closes the whole week of the 28th...
        .with_exception(date(2026, 12, 28), date(2027, 1, 1), DayHours::closed())
        .unwrap()
        // ...but covers Christmas morning and Wednesday the 30th.
        .with_exception(
            date(2026, 12, 25),
            date(2026, 12, 25),
            DayHours::parse(&[("08:00", "12:00")]).unwrap(),
        )
        .unwrap()
        .with_exception(
            date(2026, 12, 30),
            date(2026, 12, 30),
            DayHours::parse(&[("10:00", "14:00")]).unwrap(),
        )
        .unwrap();
    assert!(cal.is_open(chi(2026, 12, 25, 9, 0)));
    assert!(!cal.is_open(chi(2026, 12, 28, 10, 0)));
    assert!(cal.is_open(chi(2026, 12, 30, 10, 0)));
    assert_eq!(
        cal.elapsed(chi(2026, 12, 24, 0, 0), chi(2027, 1, 4, 0, 0)),
        h(8 + 4 + 4)
    );
    assert!(
        base.clone()
            .with_exception(date(2026, 2, 2), date(2026, 2, 1), DayHours::closed())
            .is_err()
    );
    let us = HolidaySet {
        name: "US 2026".into(),
        dates: vec![date(2026, 7, 3), date(2026, 11, 26)],
    };
    assert!(!base.with_holiday_set(&us).is_open(chi(2026, 7, 3, 10, 0)));
}

#[test]
fn never_open_is_an_error_not_a_loop() {
    let closed = BusinessCalendar::weekly(Chicago, std::array::from_fn(|_| DayHours::closed()));
    assert_eq!(
        closed.add(utc(2026, 1, 1, 0, 0), h(1)),
        Err(SlaError::NeverOpen)
    );
    assert_eq!(
        closed.next_open(utc(2026, 1, 1, 0, 0)),
        Err(SlaError::NeverOpen)
    );
    assert_eq!(
        closed.elapsed(utc(2026, 1, 1, 0, 0), utc(2030, 1, 1, 0, 0)),
        Duration::zero()
    );
    // Open only on one day in 2026: after it, never again.
    let once = closed
        .with_exception(
            date(2026, 6, 1),
            date(2026, 6, 1),
            DayHours::parse(&[("09:00", "10:00")]).unwrap(),
        )
        .unwrap();
    assert_eq!(
        once.add(utc(2026, 1, 1, 0, 0), Duration::minutes(30))
            .unwrap(),
        chi(2026, 6, 1, 9, 30)
    );
    assert_eq!(
        once.add(utc(2026, 1, 1, 0, 0), h(1)),
        Err(SlaError::NeverOpen)
    );
    assert_eq!(
        once.add(utc(2026, 7, 1, 0, 0), Duration::zero()),
        Err(SlaError::NeverOpen)
    );
    assert_eq!(
        BusinessCalendar::always().next_close(utc(2026, 1, 1, 0, 0)),
        Err(SlaError::NeverCloses)
    );
}

#[test]
fn negative_durations_are_refused_and_elapsed_is_antisymmetric() {
    let cal = nine_to_five(Chicago);
    assert_eq!(
        cal.add(utc(2026, 1, 1, 0, 0), -h(1)),
        Err(SlaError::NegativeDuration(-h(1)))
    );
    let (a, b) = (chi(2026, 1, 5, 10, 0), chi(2026, 1, 7, 11, 30));
    assert_eq!(cal.elapsed(a, b), Duration::minutes(2 * 8 * 60 + 90));
    assert_eq!(cal.elapsed(b, a), -cal.elapsed(a, b));
}

#[test]
fn far_future_and_long_adds_are_exact() {
    let cal = nine_to_five(Chicago);
    let start = chi(2026, 1, 5, 9, 0);
    // 10,000 business hours = 1,250 eight-hour days = 250 weeks.
    let due = cal.add(start, h(10_000)).unwrap();
    // The 250th week ends on a Friday close, which rolls to the next Monday.
    assert_eq!(due, chi(2030, 10, 21, 9, 0));
    assert_eq!(due, start + Duration::weeks(250) - h(1));
    assert_eq!(cal.elapsed(start, due), h(10_000));
    // Outside the cached window (1900-2299), answers are still exact.
    let far = chi(2400, 3, 1, 9, 0);
    let due = cal.add(far, h(80)).unwrap();
    assert_eq!(cal.elapsed(far, due), h(80));
    assert_eq!(due.with_timezone(&Chicago).hour(), 9);
    let past = utc(1850, 6, 3, 12, 0);
    let due = cal.add(past, h(3)).unwrap();
    assert_eq!(cal.elapsed(past, due), h(3));
}

#[test]
fn serde_round_trip_and_normalisation() {
    let json = r#"{"tz":"America/Chicago","hours":{"mon":[["09:00","17:00"]],"tue":[["08:00","12:00"],["13:00","17:00"]],"sun":[["22:00","24:00"]]},"holidays":["2026-12-25","2026-01-01","2026-12-25"]}"#;
    let cal: BusinessCalendar = serde_json::from_str(json).unwrap();
    assert_eq!(cal.holidays(), &[date(2026, 1, 1), date(2026, 12, 25)]);
    assert!(
        cal.week()[2].shifts().is_empty(),
        "a missing weekday is closed"
    );
    let out = serde_json::to_value(&cal).unwrap();
    assert_eq!(out["tz"], "America/Chicago");
    assert_eq!(out["hours"]["tue"][1][0], "13:00");
    assert_eq!(out["hours"]["sun"][0][1], "24:00");
    assert_eq!(out["holidays"][0], "2026-01-01");
    let back: BusinessCalendar = serde_json::from_value(out).unwrap();
    assert_eq!(back, cal);
    let with_exc = cal
        .with_exception(
            date(2026, 12, 24),
            date(2026, 12, 24),
            DayHours::parse(&[("09:00", "12:00")]).unwrap(),
        )
        .unwrap();
    let json = serde_json::to_string(&with_exc).unwrap();
    assert!(
        json.contains(
            r#""exceptions":[{"from":"2026-12-24","to":"2026-12-24","hours":[["09:00","12:00"]]}]"#
        ),
        "{json}"
    );
    assert_eq!(
        serde_json::from_str::<BusinessCalendar>(&json).unwrap(),
        with_exc
    );
}

#[test]
fn serde_rejects_bad_calendars_naming_the_value() {
    let cases = [
        (
            r#"{"tz":"Mars/Olympus","hours":{}}"#,
            "unknown time zone \"Mars/Olympus\"",
        ),
        (
            r#"{"tz":"UTC","hours":{"mon":[["9:00","17:00"]]}}"#,
            "malformed time \"9:00\"",
        ),
        (
            r#"{"tz":"UTC","hours":{"mon":[["09:00","24:30"]]}}"#,
            "malformed time \"24:30\"",
        ),
        (
            r#"{"tz":"UTC","hours":{"mon":[["17:00","09:00"]]}}"#,
            "mon: shift 17:00-09:00 ends at or before it starts",
        ),
        (
            r#"{"tz":"UTC","hours":{"tue":[["09:00","09:00"]]}}"#,
            "tue: shift 09:00-09:00 ends at or before it starts",
        ),
        (
            r#"{"tz":"UTC","hours":{"wed":[["09:00","13:00"],["12:00","17:00"]]}}"#,
            "wed: shifts 09:00-13:00 and 12:00-17:00 overlap",
        ),
        (
            r#"{"tz":"UTC","hours":{"funday":[]}}"#,
            "unknown weekday \"funday\"",
        ),
        (
            r#"{"tz":"UTC","hours":{},"holidays":["2026-13-01"]}"#,
            "malformed date \"2026-13-01\"",
        ),
        (
            r#"{"tz":"UTC","hours":{},"colour":"blue"}"#,
            "unknown field `colour`",
        ),
    ];
    for (json, want) in cases {
        let err = serde_json::from_str::<BusinessCalendar>(json)
            .unwrap_err()
            .to_string();
        assert!(err.contains(want), "{json}: {err}");
    }
}

#[test]
fn adjacent_shifts_are_allowed_and_join() {
    let cal = BusinessCalendar::weekdays(
        chrono_tz::UTC,
        DayHours::parse(&[("08:00", "12:00"), ("12:00", "13:00")]).unwrap(),
    );
    assert_eq!(
        cal.next_close(utc(2026, 1, 5, 9, 0)).unwrap(),
        utc(2026, 1, 5, 13, 0)
    );
}

#[test]
fn year_boundaries_are_seamless() {
    let cal = slow_24x7(chrono_tz::UTC);
    let nye = utc(2026, 12, 31, 23, 0);
    assert_eq!(cal.add(nye, h(2)).unwrap(), utc(2027, 1, 1, 1, 0));
    assert_eq!(cal.elapsed(nye, utc(2027, 1, 1, 1, 0)), h(2));
    // Chicago's 9-5 across New Year, whose local dates straddle UTC years.
    let cal = nine_to_five(Chicago);
    assert_eq!(
        cal.add(chi(2026, 12, 31, 16, 0), h(2)).unwrap(),
        chi(2027, 1, 1, 10, 0)
    );
}

#[test]
fn dst_weeks_in_london_keep_nine_to_five_at_eight_hours_a_day() {
    let cal = nine_to_five(London);
    let lon = |m, d, hh| {
        London
            .with_ymd_and_hms(2026, m, d, hh, 0, 0)
            .unwrap()
            .with_timezone(&Utc)
    };
    // BST starts Sunday 29 March, ends Sunday 25 October 2026.
    assert_eq!(cal.elapsed(lon(3, 23, 0), lon(3, 30, 0)), h(40));
    assert_eq!(cal.elapsed(lon(3, 30, 0), lon(4, 6, 0)), h(40));
    assert_eq!(cal.elapsed(lon(10, 19, 0), lon(10, 26, 0)), h(40));
    // Friday 16:00 GMT + 2 h = Monday 10:00 BST = 09:00Z.
    assert_eq!(
        cal.add(lon(3, 27, 16), h(2)).unwrap(),
        utc(2026, 3, 30, 9, 0)
    );
    // Friday 16:00 BST + 2 h = Monday 10:00 GMT = 10:00Z.
    assert_eq!(
        cal.add(lon(10, 23, 16), h(2)).unwrap(),
        utc(2026, 10, 26, 10, 0)
    );
}

#[test]
fn an_interval_closing_exactly_at_new_year_utc() {
    // Found by proptest in America/Santiago (UTC-3 in December): a shift
    // to 21:00 local on Wednesday 31 December 2025 closes at 00:00Z.
    let mut week: [DayHours; 7] = std::array::from_fn(|_| DayHours::closed());
    week[2] = DayHours::parse(&[("00:30", "21:00")]).unwrap();
    let cal = BusinessCalendar::weekly(chrono_tz::America::Santiago, week);
    let s = utc(2025, 12, 31, 3, 15);
    assert_eq!(cal.next_open(s).unwrap(), utc(2025, 12, 31, 3, 30));
    assert_eq!(cal.next_close(s).unwrap(), utc(2026, 1, 1, 0, 0));
    // The same in UTC: a Wednesday 20:00-24:00 shift on 31 December.
    let mut week: [DayHours; 7] = std::array::from_fn(|_| DayHours::closed());
    week[2] = DayHours::parse(&[("20:00", "24:00")]).unwrap();
    let cal = BusinessCalendar::weekly(chrono_tz::UTC, week);
    assert_eq!(
        cal.next_close(utc(2025, 12, 31, 21, 0)).unwrap(),
        utc(2026, 1, 1, 0, 0)
    );
}

#[test]
fn debug_is_a_summary_of_zone_hours_and_holidays() {
    let holidays = (1..=10).map(|d| date(2026, 1, d));
    let office = nine_to_five(Chicago).with_holidays(holidays);
    assert_eq!(
        format!("{office:?}"),
        "BusinessCalendar { zone: America/Chicago, hours: Mon-Fri 09:00-17:00, holidays: 10 }"
    );
    assert_eq!(
        format!("{:?}", BusinessCalendar::always()),
        "BusinessCalendar { zone: UTC, hours: Mon-Sun 00:00-24:00, holidays: 0 }"
    );
    let split = DayHours::parse(&[("09:00", "12:00"), ("13:00", "17:00")]).unwrap();
    let saturday = DayHours::parse(&[("10:00", "14:00")]).unwrap();
    let (c, o) = (DayHours::closed, || split.clone());
    let shop = BusinessCalendar::weekly(London, [o(), o(), c(), o(), o(), saturday, c()])
        .with_exception(date(2026, 12, 24), date(2026, 12, 31), c())
        .unwrap();
    assert_eq!(
        format!("{shop:?}"),
        "BusinessCalendar { zone: Europe/London, hours: Mon-Tue 09:00-12:00,13:00-17:00; \
         Thu-Fri 09:00-12:00,13:00-17:00; Sat 10:00-14:00, holidays: 0, exceptions: 1 }"
    );
    let never = BusinessCalendar::weekly(London, std::array::from_fn(|_| DayHours::closed()));
    assert_eq!(
        format!("{never:?}"),
        "BusinessCalendar { zone: Europe/London, hours: closed, holidays: 0 }"
    );
}
