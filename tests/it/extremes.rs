//! No panic at the ends of time: every function below the desk that takes
//! an instant or a duration is driven at chrono's extreme instants
//! (`DateTime::<Utc>::MIN_UTC`, `MAX_UTC` and their neighbours) and with
//! extreme durations, and configured durations out of range are refused,
//! naming the setting and the value, both when built and when read.
//!
//! Case counts follow `FANATICAL_PROPTEST_CASES` (see `crate::cases`).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::America::Chicago;
use chrono_tz::Pacific::Kiritimati;
use fanatical::agent::Skill;
use fanatical::channel::ChannelKind;
use fanatical::customer::{Currency, Money};
use fanatical::desk::DeskConfig;
use fanatical::escalation::{Condition, Facts};
use fanatical::id::{AgentId, ComponentId, IncidentId, TicketId};
use fanatical::incident::{
    Audience, Cadence, ComponentCatalog, ComponentState, CreditPolicy, Declaration, Downtime,
    Incident, IncidentConfig, IncidentError, IncidentEvent, IncidentStatus, ReasonCode, Update,
};
use fanatical::metrics::CareConfig;
use fanatical::outbox::RetryPolicy;
use fanatical::routing::{Router, RoutingAgent};
use fanatical::sla::{
    BusinessCalendar, Clock, Conditions, DayHours, Metric, SlaConfig, SlaError, SlaPolicies,
    SlaPolicy, Target,
};
use fanatical::survey::SurveyConfig;
use fanatical::ticket::Priority;
use fanatical::time::{DurationOutOfRange, MAX_CONFIGURED};
use fanatical::trend::{Observation, TrendConfig, TrendKey, detect};
use proptest::prelude::*;
use uuid::Uuid;

use crate::support::World;

const MIN_T: DateTime<Utc> = DateTime::<Utc>::MIN_UTC;
const MAX_T: DateTime<Utc> = DateTime::<Utc>::MAX_UTC;

/// Instants weighted toward the ends of time.
fn instant() -> impl Strategy<Value = DateTime<Utc>> {
    let (lo, hi) = (MIN_T.timestamp(), MAX_T.timestamp());
    prop_oneof![
        2 => Just(MIN_T),
        2 => Just(MAX_T),
        2 => (0i64..3 * 86_400).prop_map(move |s| DateTime::from_timestamp(lo + s, 0).unwrap()),
        2 => (0i64..3 * 86_400).prop_map(move |s| DateTime::from_timestamp(hi - s, 0).unwrap()),
        1 => (0u32..1_000_000_000).prop_map(|n| MAX_T - Duration::nanoseconds(i64::from(n))),
        2 => (lo..=hi, 0u32..1_000_000_000)
            .prop_map(|(s, n)| DateTime::from_timestamp(s, n).unwrap()),
    ]
}

/// Durations weighted toward chrono's limits and the configured bound.
fn duration() -> impl Strategy<Value = Duration> {
    prop_oneof![
        1 => Just(Duration::MAX),
        1 => Just(Duration::MIN),
        1 => Just(MAX_CONFIGURED),
        1 => Just(Duration::zero()),
        1 => Just(Duration::nanoseconds(1)),
        2 => any::<i64>().prop_map(Duration::nanoseconds),
        2 => (-(i64::MAX / 1000)..=i64::MAX / 1000).prop_map(Duration::seconds),
        2 => (0i64..=36_525).prop_map(Duration::days),
    ]
}

/// Configured durations: anything a caller could pass.
fn configured() -> impl Strategy<Value = Duration> {
    prop_oneof![
        3 => (0i64..=MAX_CONFIGURED.num_seconds()).prop_map(Duration::seconds),
        1 => Just(MAX_CONFIGURED),
        1 => duration(),
    ]
}

fn in_range(d: Duration) -> bool {
    d >= Duration::zero() && d <= MAX_CONFIGURED
}

fn calendars() -> Vec<BusinessCalendar> {
    let nine_to_five = DayHours::parse(&[("09:00", "17:00")]).unwrap();
    vec![
        BusinessCalendar::always(),
        BusinessCalendar::weekdays(Chicago, nine_to_five.clone())
            .with_holidays([NaiveDate::from_ymd_opt(2026, 12, 25).unwrap()]),
        // UTC+14: local time runs past the end of UTC time.
        BusinessCalendar::weekdays(Kiritimati, nine_to_five),
        BusinessCalendar::weekdays(Chicago, DayHours::closed()),
    ]
}

fn component(s: &str) -> ComponentId {
    ComponentId::new(s).unwrap()
}

fn cases() -> u32 {
    crate::cases(64)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    #[test]
    fn calendars_never_panic_at_the_ends_of_time(
        at in instant(),
        span in -3 * 365 * 86_400i64..3 * 365 * 86_400,
        d in duration(),
        short in 0i64..2 * 365 * 86_400,
    ) {
        // Business calendars walk their years one by one, so the spans and
        // business durations they get stay within a few years (the always
        // calendar and the saturating paths get chrono's extremes).
        let other = at
            .checked_add_signed(Duration::seconds(span))
            .unwrap_or(if span < 0 { MIN_T } else { MAX_T });
        for (i, cal) in calendars().iter().enumerate() {
            let d = if i == 0 || d < Duration::zero() { d } else { Duration::seconds(short) };
            let _ = cal.is_open(at);
            if let Ok(open) = cal.next_open(at) {
                prop_assert!(open >= at);
            }
            if let Ok(close) = cal.next_close(at) {
                prop_assert!(close >= at);
            }
            match cal.add(at, d) {
                Ok(due) => prop_assert!(due >= at && d >= Duration::zero()),
                // A negative duration is refused, naming it.
                Err(SlaError::NegativeDuration(n)) => {
                    prop_assert!(d < Duration::zero());
                    prop_assert_eq!(n, d);
                }
                // Only the calendar that is never open says so.
                Err(SlaError::NeverOpen) => prop_assert_eq!(i, 3),
                Err(SlaError::OutOfRange) => {}
                Err(e) => prop_assert!(false, "unexpected {e}"),
            }
            let forward = cal.elapsed(at.min(other), at.max(other));
            prop_assert!(forward >= Duration::zero());
            prop_assert!(forward <= at.max(other) - at.min(other));
            prop_assert_eq!(cal.elapsed(at.max(other), at.min(other)), -forward);
        }
    }

    #[test]
    fn incidents_never_panic_at_the_ends_of_time(
        declared in instant(),
        later in instant(),
        every in 1i64..=7 * 24 * 60,
        follow_up in configured(),
    ) {
        let catalog = ComponentCatalog::new().with(component("dc"), "DC", None).unwrap();
        let cadence = Cadence::every_minutes(every, every - 1).unwrap();
        let messages = BTreeMap::from([(Audience::Business, "It is down.".to_owned())]);
        let declaration = Declaration {
            id: IncidentId::from_uuid(Uuid::from_u128(1)),
            title: "DC down".to_owned(),
            commander: AgentId::from_uuid(Uuid::from_u128(2)),
            status: IncidentStatus::Investigating,
            components: BTreeMap::from([(component("dc"), ComponentState::MajorOutage)]),
            cadence: Some(cadence),
            messages: messages.clone(),
        };
        let draft = Incident::declare(declaration, &catalog, declared).unwrap();
        let mut incident = Incident::from_declared(&IncidentEvent { at: draft.at, kind: draft.kind }).unwrap();
        let _ = incident.next_timer();
        let resolved = incident
            .update(
                Update {
                    by: AgentId::from_uuid(Uuid::from_u128(2)),
                    status: IncidentStatus::Resolved,
                    components: BTreeMap::new(),
                    messages,
                    spokesperson: None,
                },
                &catalog,
                follow_up,
                later.max(declared),
            )
            .unwrap();
        incident.apply(&IncidentEvent { at: resolved.at, kind: resolved.kind });
        let follow_up_at = incident.next_timer().unwrap().at;
        prop_assert!(follow_up_at >= later.max(declared) || follow_up < Duration::zero());
        let runs_on = BTreeSet::from([component("dc")]);
        for now in [MIN_T, declared, later, MAX_T] {
            let down = incident.downtime_for(&runs_on, &catalog, now);
            prop_assert!(down.total() >= Duration::zero());
        }
    }

    #[test]
    fn credits_never_panic_on_extreme_downtime(
        major in duration(),
        partial in duration(),
        degraded in duration(),
        grace in configured(),
        fee in any::<i64>(),
    ) {
        let down = Downtime { major, partial, degraded };
        let total = down.total();
        prop_assert!(total <= Duration::MAX && total >= Duration::MIN);
        let mut policy = CreditPolicy::new(ReasonCode::new("sla-outage").unwrap(), 500, 3000).unwrap();
        policy.grace = grace;
        let money = Money { minor: fee, currency: Currency::new("USD").unwrap() };
        match policy.credit(money, &down) {
            Ok(credit) => {
                prop_assert!(in_range(grace));
                prop_assert!(credit.minor >= 0 && credit.minor <= fee.max(0));
            }
            Err(IncidentError::Duration(e)) => {
                prop_assert!(!in_range(grace));
                prop_assert_eq!(e.field, "credit grace");
                prop_assert_eq!(e.value, grace);
            }
            Err(IncidentError::NegativeFee(_)) => prop_assert!(fee < 0),
            Err(e) => prop_assert!(false, "unexpected {e}"),
        }
    }

    #[test]
    fn trends_never_panic_at_the_ends_of_time(
        now in instant(),
        ats in proptest::collection::vec(instant(), 0..20),
        window in prop_oneof![Just(Duration::seconds(1)), Just(MAX_CONFIGURED), configured()],
        baseline in 0u32..50,
    ) {
        let mut config = TrendConfig::default();
        config.window = window;
        config.baseline_windows = baseline;
        config.min_count = 1;
        let observations: Vec<Observation> = ats
            .iter()
            .zip(1u128..)
            .map(|(at, n)| Observation {
                at: *at,
                ticket: TicketId::from_uuid(Uuid::from_u128(n)),
                keys: vec![TrendKey::Channel(ChannelKind::Email)],
            })
            .collect();
        for trend in detect(&observations, now, &config) {
            prop_assert!(trend.count as usize <= observations.len());
            prop_assert_eq!(trend.window_end, now);
        }
    }

    #[test]
    fn routing_and_escalation_never_panic_at_the_ends_of_time(
        now in instant(),
        last_update in instant(),
        stale in duration(),
    ) {
        let agent = AgentId::from_uuid(Uuid::from_u128(7));
        let router = Router::new(vec![RoutingAgent::new(
            agent,
            calendars()[1].clone(),
            [Skill::new("linux").unwrap()],
            3,
        )])
        .unwrap();
        let _ = router.route(&[Skill::new("linux").unwrap()], &BTreeMap::new(), now);
        let coverage = router.coverage(&[], now);
        prop_assert!(coverage.uncovered() >= Duration::zero());
        prop_assert!(coverage.uncovered() <= Duration::days(7));
        let facts = Facts::new(Priority::High, last_update);
        let stale_rule = Condition::any().stale_for(stale);
        let matched = stale_rule.matches(&facts, now);
        if now < last_update {
            prop_assert!(!matched || stale <= Duration::zero());
        }
    }

    #[test]
    fn retry_delays_never_panic_and_stay_within_their_bounds(
        first in configured(),
        max in configured(),
        attempt in any::<u32>(),
    ) {
        match RetryPolicy::new(first, max, 10) {
            Ok(policy) => {
                prop_assert!(in_range(first) && in_range(max));
                let delay = policy.delay_after(attempt);
                prop_assert!(delay >= Duration::zero() && delay <= max);
            }
            Err(e) => {
                prop_assert!(!in_range(first) || !in_range(max));
                let (field, value) = if in_range(first) { ("retry max_delay", max) } else { ("retry first_delay", first) };
                prop_assert_eq!(e.field, field);
                prop_assert_eq!(e.value, value);
            }
        }
    }

    #[test]
    fn configured_durations_out_of_range_are_refused_when_built(d in configured()) {
        let expect = |r: Result<(), DurationOutOfRange>, field: &str, ok: bool| -> Result<(), TestCaseError> {
            match r {
                Ok(()) => prop_assert!(ok, "{field} accepted {d:?}"),
                Err(e) => {
                    prop_assert!(!ok, "{field} refused {d:?}: {e}");
                    prop_assert_eq!(&e.field, field);
                    prop_assert_eq!(e.value, d);
                    prop_assert!(e.to_string().starts_with(field), "{e}");
                }
            }
            Ok(())
        };
        let ok = in_range(d);
        expect(
            IncidentConfig::default().with_follow_up(None, d).map(drop).map_err(|e| match e {
                IncidentError::Duration(e) => e,
                e => panic!("{e}"),
            }),
            "incident follow_up_after",
            ok,
        )?;
        expect(CareConfig::default().with_repeat_within(d).map(drop), "care repeat_within", ok)?;
        expect(
            TrendConfig::default().with_window(d).map(drop),
            "trend window",
            ok && d >= Duration::seconds(1),
        )?;
        let mut survey = SurveyConfig::default();
        survey.valid_for = d;
        expect(survey.validate(), "survey valid_for", ok)?;
        let sla = SlaPolicies::new(vec![SlaPolicy::new(
            "gold",
            Conditions::any(),
            vec![Target::new(Metric::FirstResponse, d, Clock::Always)],
        )]);
        match sla {
            Ok(_) => prop_assert!(d > Duration::zero() && ok),
            Err(SlaError::Duration(e)) => {
                prop_assert!(d > MAX_CONFIGURED);
                prop_assert_eq!(e.field, "policy \"gold\" first_response target");
            }
            Err(SlaError::InvalidPolicy { policy, reason }) => {
                prop_assert!(d <= Duration::zero());
                prop_assert_eq!(policy, "gold");
                prop_assert_eq!(reason, "the first_response target must be positive");
            }
            Err(e) => prop_assert!(false, "unexpected {e}"),
        }
    }

    #[test]
    fn configured_durations_out_of_range_are_refused_when_read(secs in any::<i64>()) {
        let ok = (0..=MAX_CONFIGURED.num_seconds()).contains(&secs);
        let json = |field: &str| serde_json::json!({ field: secs });
        let check = |r: Result<(), serde_json::Error>, field: &str, ok: bool| -> Result<(), TestCaseError> {
            match r {
                Ok(()) => prop_assert!(ok, "{field} read {secs}"),
                Err(e) => {
                    prop_assert!(!ok, "{field} refused {secs}: {e}");
                    prop_assert!(e.to_string().starts_with(field), "{e}");
                }
            }
            Ok(())
        };
        let mut incident = serde_json::to_value(IncidentConfig::default()).unwrap();
        incident["follow_up_after"] = serde_json::json!(secs);
        check(serde_json::from_value::<IncidentConfig>(incident).map(drop), "incident follow_up_after", ok)?;
        let mut survey = serde_json::to_value(SurveyConfig::default()).unwrap();
        survey["quiet_period"] = serde_json::json!(secs);
        check(serde_json::from_value::<SurveyConfig>(survey).map(drop), "survey quiet_period", ok)?;
        check(serde_json::from_value::<CareConfig>(json("repeat_within")).map(drop), "care repeat_within", ok)?;
        let mut trend = serde_json::to_value(TrendConfig::default()).unwrap();
        trend["window"] = serde_json::json!(secs);
        check(serde_json::from_value::<TrendConfig>(trend).map(drop), "trend window", ok && secs >= 1)?;
        let mut retry = serde_json::to_value(RetryPolicy::default()).unwrap();
        retry["max_delay"] = serde_json::json!([secs, 0]);
        // Seconds beyond chrono's own range are refused naming the
        // setting too, not in chrono's words.
        check(serde_json::from_value::<RetryPolicy>(retry).map(drop), "retry max_delay", ok)?;
    }

    #[test]
    fn a_desk_at_the_ends_of_time_refuses_or_saturates(
        now in instant(),
        within in configured(),
    ) {
        let target = if in_range(within) && within > Duration::zero() { within } else { MAX_CONFIGURED };
        let policies = SlaPolicies::new(vec![SlaPolicy::new(
            "any",
            Conditions::any(),
            vec![Target::new(Metric::FirstResponse, target, Clock::Always).warn_at([1, 50, 99])],
        )])
        .unwrap();
        let config = DeskConfig::default().with_sla(SlaConfig::new(policies));
        let mut w = World::with_config(config);
        w.now = now;
        w.jane_emails("help");
        if let Some(due) = w.desk.poll_timeout() {
            prop_assert!(due >= now.min(w.now));
            let fired = w.desk.handle_timeout(&mut w.store, MAX_T);
            prop_assert!(fired.is_ok(), "{fired:?}");
        }
    }
}

#[test]
fn the_ends_of_time_themselves() {
    // The fixed points the strategies lean on, once, whatever the case count.
    let down = Downtime {
        major: Duration::MAX,
        partial: Duration::MAX,
        degraded: Duration::MAX,
    };
    assert_eq!(down.total(), Duration::MAX);
    let always = &calendars()[0];
    assert_eq!(always.add(MAX_T, Duration::zero()), Ok(MAX_T));
    assert_eq!(always.add(MIN_T, Duration::MAX), Err(SlaError::OutOfRange));
    assert_eq!(always.elapsed(MIN_T, MAX_T), MAX_T - MIN_T);
    let office = &calendars()[1];
    assert_eq!(
        office.add(MAX_T, Duration::hours(1)),
        Err(SlaError::OutOfRange)
    );
    assert_eq!(office.add(MAX_T, Duration::MAX), Err(SlaError::OutOfRange));
    assert_eq!(office.elapsed(MIN_T, MIN_T), Duration::zero());
    // The longest configured target, on office hours, from today.
    let today = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
    let due = office.add(today, MAX_CONFIGURED).unwrap();
    assert!(due > today + MAX_CONFIGURED);
}
