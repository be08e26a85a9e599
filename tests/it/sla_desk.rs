//! SLA policies and timers through the desk: activation, fulfilment,
//! warnings, breaches exactly once, pausing, cycles, retargeting, promises,
//! contracts and calendars.

use chrono::{DateTime, Duration, TimeZone, Utc};
use chrono_tz::America::Chicago;
use fanatical::actor::Actor;
use fanatical::channel::{Channel, SocialNetwork, Visibility};
use fanatical::desk::{Command, Desk, DeskConfig, InboundMessage};
use fanatical::desk::{CustomerAction, TicketAction};
use fanatical::event::{Event, StreamId};
use fanatical::id::TicketId;
use fanatical::sla::{
    BusinessCalendar, CancelReason, Clock, Conditions, Contract, DayHours, Metric, MetricKey,
    Phase, SlaConfig, SlaError, SlaEventKind, SlaPolicies, SlaPolicy, Target,
};
use fanatical::store::{RecordedEvent, Store};
use fanatical::ticket::{Author, Priority, Status, Tag, TicketCommand, TicketType};

use crate::support::World;
pub use crate::support::{chicago_9_to_5, policies};

fn chi(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Chicago
        .with_ymd_and_hms(y, m, d, h, min, 0)
        .unwrap()
        .with_timezone(&Utc)
}

fn world_at(now: DateTime<Utc>) -> World {
    let mut w = World::with_config(DeskConfig::default().with_sla(policies()));
    w.now = now;
    w
}

fn sla_events(stored: &[RecordedEvent]) -> Vec<SlaEventKind> {
    stored
        .iter()
        .filter_map(|r| match &r.event {
            Event::Sla(e) => Some(e.kind.clone()),
            _ => None,
        })
        .collect()
}

fn breaches(w: &World) -> Vec<(TicketId, MetricKey, DateTime<Utc>)> {
    w.store
        .read_all(0, usize::MAX)
        .unwrap()
        .into_iter()
        .filter_map(|r| match (&r.stream, r.event) {
            (fanatical::event::StreamId::Sla(t), Event::Sla(e)) => match e.kind {
                SlaEventKind::Breached { key, due } => Some((*t, key, due)),
                _ => None,
            },
            _ => None,
        })
        .collect()
}

fn key(metric: Metric, cycle: u32) -> MetricKey {
    MetricKey { metric, cycle }
}

/// Runs the desk's timers up to `until`, the way a service loop does.
fn run_timers_until(w: &mut World, until: DateTime<Utc>) -> Vec<RecordedEvent> {
    let mut all = Vec::new();
    while let Some(at) = w.desk.poll_timeout().filter(|t| *t <= until) {
        w.now = w.now.max(at);
        let fired = w.desk.handle_timeout(&mut w.store, w.now).unwrap();
        assert!(
            !fired.is_empty(),
            "poll_timeout named {at} but nothing fired"
        );
        all.extend(fired);
    }
    w.now = w.now.max(until);
    all
}

fn x_post(w: &mut World, body: &str) -> TicketId {
    let id: TicketId = w.ids.next_id();
    let channel = Channel::Social {
        network: SocialNetwork::X,
        visibility: Visibility::Public,
    };
    let from = w.jane_x.clone();
    w.run(Command::new(
        Actor::integration("inbound"),
        TicketAction::Receive(InboundMessage::new(id, channel, from, body)),
    ))
    .unwrap();
    id
}

#[test]
fn five_minutes_on_social_whatever_the_time() {
    // Sunday, 3 a.m. in Chicago.
    let start = chi(2026, 11, 8, 3, 0);
    let mut w = world_at(start);
    let t = x_post(&mut w, "@support my site is down");
    let sla = w.desk.tickets().sla(t).unwrap();
    assert_eq!(sla.policy.as_deref(), Some("social"));
    let fr = sla.live(Metric::FirstResponse).unwrap();
    let Phase::Active { schedule, .. } = &fr.phase else {
        panic!("not active")
    };
    assert_eq!(schedule.deadline, Some(start + Duration::minutes(5)));
    assert_eq!(schedule.warnings, vec![(60, start + Duration::minutes(3))]);
    assert_eq!(w.desk.poll_timeout(), Some(start + Duration::minutes(3)));
    // Kofi answers in 2 minutes: fulfilled, 2 minutes, not breached.
    w.tick(2);
    let ana = w.ana;
    let stored = w.run(Command::reply(t, ana, "On it — DM us?")).unwrap();
    assert!(sla_events(&stored).contains(&SlaEventKind::Fulfilled {
        key: key(Metric::FirstResponse, 1),
        business_time: Duration::minutes(2),
        breached: false,
    }));
    assert_eq!(w.desk.poll_timeout(), None);
    assert!(run_timers_until(&mut w, start + Duration::hours(2)).is_empty());
}

#[test]
fn a_missed_social_reply_breaches_once_however_often_timeouts_run() {
    let start = chi(2026, 11, 8, 3, 0);
    let mut w = world_at(start);
    let t = x_post(&mut w, "hello?");
    let fired = run_timers_until(&mut w, start + Duration::minutes(7));
    let kinds = sla_events(&fired);
    assert_eq!(
        kinds,
        vec![
            SlaEventKind::Warned {
                key: key(Metric::FirstResponse, 1),
                percent: 60,
                due: start + Duration::minutes(3)
            },
            SlaEventKind::Breached {
                key: key(Metric::FirstResponse, 1),
                due: start + Duration::minutes(5)
            },
        ]
    );
    // Over-calling is harmless.
    for m in 0..20 {
        let fired = w
            .desk
            .handle_timeout(&mut w.store, start + Duration::minutes(7 + m))
            .unwrap();
        assert!(fired.is_empty());
    }
    assert_eq!(
        breaches(&w),
        vec![(
            t,
            key(Metric::FirstResponse, 1),
            start + Duration::minutes(5)
        )]
    );
    // The late reply is recorded as fulfilled, late.
    let ana = w.ana;
    let stored = w.run(Command::reply(t, ana, "Sorry for the wait")).unwrap();
    assert!(sla_events(&stored).contains(&SlaEventKind::Fulfilled {
        key: key(Metric::FirstResponse, 1),
        business_time: Duration::minutes(7),
        breached: true,
    }));
}

#[test]
fn a_nine_to_five_team_is_never_told_it_breached_at_night_or_on_a_holiday() {
    // Christmas Eve, Thursday 16:30 in Chicago; Christmas is a holiday.
    let start = chi(2026, 12, 24, 16, 30);
    let mut w = world_at(start);
    let t = w.jane_emails("Invoice looks wrong");
    let fr = w
        .desk
        .tickets()
        .sla(t)
        .unwrap()
        .live(Metric::FirstResponse)
        .unwrap()
        .clone();
    let Phase::Active { schedule, .. } = fr.phase else {
        panic!()
    };
    // 30 min on Thursday, then Monday 28th from 09:00: due 09:30.
    assert_eq!(schedule.deadline, Some(chi(2026, 12, 28, 9, 30)));
    // 50% (30 min) lands exactly on Thursday's close and rolls to Monday.
    assert_eq!(
        schedule.warnings,
        vec![
            (50, chi(2026, 12, 28, 9, 0)),
            (75, chi(2026, 12, 28, 9, 15))
        ]
    );
    // Nothing fires over Christmas and the weekend.
    assert!(run_timers_until(&mut w, chi(2026, 12, 28, 8, 59)).is_empty());
    let fired = run_timers_until(&mut w, chi(2026, 12, 28, 10, 0));
    assert_eq!(
        sla_events(&fired),
        vec![
            SlaEventKind::Warned {
                key: key(Metric::FirstResponse, 1),
                percent: 50,
                due: chi(2026, 12, 28, 9, 0)
            },
            SlaEventKind::Warned {
                key: key(Metric::FirstResponse, 1),
                percent: 75,
                due: chi(2026, 12, 28, 9, 15)
            },
            SlaEventKind::Breached {
                key: key(Metric::FirstResponse, 1),
                due: chi(2026, 12, 28, 9, 30)
            },
        ],
        "two warnings and the breach, on Monday"
    );
    let cal = chicago_9_to_5();
    for (_, _, due) in breaches(&w) {
        assert!(cal.is_open(due), "breach at {due} in closed time");
    }
    assert_eq!(
        breaches(&w),
        vec![(t, key(Metric::FirstResponse, 1), chi(2026, 12, 28, 9, 30))]
    );
}

#[test]
fn pending_pauses_the_clock_and_keeps_the_time_used() {
    let start = chi(2026, 11, 2, 9, 0); // Monday
    let mut w = world_at(start);
    let t = w.jane_emails("Need a config change");
    let ana = w.ana;
    w.tick(30);
    w.run(Command::reply(t, ana, "Which server?")).unwrap();
    w.run(Command::new(
        Actor::integration("setup"),
        TicketAction::set_status(t, Status::Pending),
    ))
    .unwrap();
    let res = w
        .desk
        .tickets()
        .sla(t)
        .unwrap()
        .live(Metric::Resolution)
        .unwrap();
    assert_eq!(res.phase, Phase::Paused);
    assert_eq!(res.used, Duration::minutes(30));
    assert!(w.desk.poll_timeout().is_none(), "no timer while paused");
    // Jane answers two days later; the clock resumes with 7h30 left:
    // 7 h on Wednesday, 30 min on Thursday.
    w.now = chi(2026, 11, 4, 10, 0);
    let jane = w.jane;
    w.run(Command::reply_on(
        t,
        Author::Contact(jane),
        Channel::Email,
        "web-3",
        vec![],
    ))
    .unwrap();
    let sla = w.desk.tickets().sla(t).unwrap();
    let res = sla.live(Metric::Resolution).unwrap();
    let Phase::Active { schedule, .. } = &res.phase else {
        panic!()
    };
    assert_eq!(schedule.deadline, Some(chi(2026, 11, 5, 9, 30)));
    // Her message started a next-response clock: 2 business hours.
    let next = sla.live(Metric::NextResponse).unwrap();
    let Phase::Active { schedule, .. } = &next.phase else {
        panic!()
    };
    assert_eq!(schedule.deadline, Some(chi(2026, 11, 4, 12, 0)));
    w.tick(45);
    w.run(Command::new(
        Actor::integration("setup"),
        TicketAction::assign(t, ana),
    ))
    .unwrap();
    let stored = w
        .run(Command::new(
            Actor::integration("setup"),
            TicketAction::set_status(t, Status::Solved),
        ))
        .unwrap();
    let kinds = sla_events(&stored);
    assert!(kinds.contains(&SlaEventKind::Fulfilled {
        key: key(Metric::Resolution, 1),
        business_time: Duration::minutes(75),
        breached: false,
    }));
    assert!(kinds.contains(&SlaEventKind::Cancelled {
        key: key(Metric::NextResponse, 1),
        reason: CancelReason::Solved,
    }));
}

#[test]
fn each_customer_message_rearms_next_response() {
    let start = chi(2026, 11, 2, 9, 0);
    let mut w = world_at(start);
    let t = w.jane_emails("one");
    let (ana, jane) = (w.ana, w.jane);
    let customer = |w: &mut World, body: &str| {
        w.run(Command::reply_on(
            t,
            Author::Contact(jane),
            Channel::Email,
            body,
            vec![],
        ))
        .unwrap()
    };
    w.tick(10);
    w.run(Command::reply(t, ana, "hi")).unwrap();
    w.tick(10);
    customer(&mut w, "two");
    // A second customer message while waiting does not start another clock.
    w.tick(10);
    customer(&mut w, "three");
    w.tick(10);
    w.run(Command::reply(t, ana, "answer")).unwrap();
    w.tick(10);
    customer(&mut w, "four");
    let sla = w.desk.tickets().sla(t).unwrap();
    let cycles: Vec<MetricKey> = sla
        .metrics()
        .iter()
        .map(|m| m.key)
        .filter(|k| k.metric == Metric::NextResponse)
        .collect();
    assert_eq!(
        cycles,
        vec![key(Metric::NextResponse, 1), key(Metric::NextResponse, 2)]
    );
    assert!(matches!(
        sla.metric(key(Metric::NextResponse, 1)).unwrap().phase,
        Phase::Fulfilled { business_time, .. } if business_time == Duration::minutes(20)
    ));
    assert!(sla.metric(key(Metric::NextResponse, 2)).unwrap().is_live());
    // Internal notes do not count as a response.
    w.run(Command::note(t, ana, "looking")).unwrap();
    assert!(
        w.desk
            .tickets()
            .sla(t)
            .unwrap()
            .metric(key(Metric::NextResponse, 2))
            .unwrap()
            .is_live()
    );
}

#[test]
fn incident_updates_every_thirty_minutes() {
    let start = chi(2026, 11, 7, 23, 0); // Saturday night
    let mut w = world_at(start);
    let id: TicketId = w.ids.next_id();
    let (acme, ana, jane) = (w.acme, w.ana, w.jane);
    w.run(Command::new(
        Actor::integration("setup"),
        TicketAction::Open(
            fanatical::ticket::OpenTicket::new(id, acme, "DFW power outage", Channel::Portal)
                .requested_by(jane)
                .with_type(TicketType::Incident)
                .with_tag(Tag::new("outage").unwrap()),
        ),
    ))
    .unwrap();
    assert_eq!(
        w.desk.tickets().sla(id).unwrap().policy.as_deref(),
        Some("outage")
    );
    for cycle in 2..=4 {
        w.tick(25);
        let stored = w
            .run(Command::reply_on(
                id,
                Author::Agent(ana),
                Channel::Portal,
                "Update: generators starting",
                vec![],
            ))
            .unwrap();
        // Each update fulfils the running cycle and starts the next.
        assert!(sla_events(&stored).iter().any(|k| matches!(k, SlaEventKind::Activated { key, .. } if *key == MetricKey { metric: Metric::PeriodicUpdate, cycle })));
    }
    let last_update = w.now;
    // Waiting on the customer does not stop the update clock here: the
    // outage policy pauses its update target on no status, while its
    // resolution target pauses as usual.
    w.run(Command::new(
        Actor::integration("setup"),
        TicketAction::set_status(id, Status::Pending),
    ))
    .unwrap();
    let sla = w.desk.tickets().sla(id).unwrap();
    assert_eq!(sla.live(Metric::Resolution).unwrap().phase, Phase::Paused);
    let Phase::Active { schedule, .. } = &sla.live(Metric::PeriodicUpdate).unwrap().phase else {
        panic!("the update clock stopped while pending")
    };
    assert_eq!(schedule.deadline, Some(last_update + Duration::minutes(30)));
    // Warnings fire at 80% (24 min); missing an update breaches at 30.
    let until = w.now + Duration::minutes(40);
    let fired = run_timers_until(&mut w, until);
    let update = MetricKey {
        metric: Metric::PeriodicUpdate,
        cycle: 4,
    };
    assert_eq!(
        sla_events(&fired),
        vec![
            SlaEventKind::Warned {
                key: update,
                percent: 80,
                due: last_update + Duration::minutes(24)
            },
            SlaEventKind::Breached {
                key: update,
                due: last_update + Duration::minutes(30)
            },
        ]
    );
    assert_eq!(
        breaches(&w),
        vec![(id, update, last_update + Duration::minutes(30))]
    );
}

#[test]
fn reopening_starts_a_new_cycle_and_keeps_history() {
    let start = chi(2026, 11, 2, 9, 0);
    let mut w = world_at(start);
    let t = w.jane_emails("Disk full");
    let (ana, jane) = (w.ana, w.jane);
    w.tick(20);
    w.run(Command::reply(t, ana, "Cleaned up")).unwrap();
    w.run(Command::new(
        Actor::integration("setup"),
        TicketAction::assign(t, ana),
    ))
    .unwrap();
    w.run(Command::new(
        Actor::integration("setup"),
        TicketAction::set_status(t, Status::Solved),
    ))
    .unwrap();
    w.tick(60);
    w.run(Command::reply_on(
        t,
        Author::Contact(jane),
        Channel::Email,
        "Full again",
        vec![],
    ))
    .unwrap();
    let sla = w.desk.tickets().sla(t).unwrap();
    assert!(matches!(
        sla.metric(key(Metric::Resolution, 1)).unwrap().phase,
        Phase::Fulfilled { .. }
    ));
    let second = &sla.metric(key(Metric::Resolution, 2)).unwrap();
    assert!(second.is_live());
    assert_eq!(second.activated_at, w.now);
}

#[test]
fn a_priority_change_recomputes_deadlines_keeping_time_used() {
    let start = chi(2026, 11, 2, 9, 0);
    let mut w = world_at(start);
    let t = w.jane_emails("Slow site");
    w.now = chi(2026, 11, 2, 10, 30);
    let stored = w
        .run(Command::new(
            Actor::integration("setup"),
            TicketAction::Update {
                ticket: t,
                command: TicketCommand::SetPriority(Priority::Urgent),
            },
        ))
        .unwrap();
    let retarget = sla_events(&stored)
        .into_iter()
        .find(|k| matches!(k, SlaEventKind::Retargeted { key, .. } if key.metric == Metric::Resolution))
        .expect("resolution retargeted");
    let SlaEventKind::Retargeted {
        spec,
        used,
        schedule,
        ..
    } = retarget
    else {
        unreachable!()
    };
    assert_eq!(spec.target, Duration::hours(2));
    assert_eq!(used, Duration::minutes(90));
    assert_eq!(schedule.unwrap().deadline, Some(chi(2026, 11, 2, 11, 0)));
    // Back to normal: 8 hours again, 105 minutes already used; the 6h15
    // left end exactly at 17:00, which rolls to Tuesday's opening.
    w.now = chi(2026, 11, 2, 10, 45);
    w.run(Command::new(
        Actor::integration("setup"),
        TicketAction::Update {
            ticket: t,
            command: TicketCommand::SetPriority(Priority::Normal),
        },
    ))
    .unwrap();
    let res = w
        .desk
        .tickets()
        .sla(t)
        .unwrap()
        .live(Metric::Resolution)
        .unwrap();
    assert_eq!(res.used, Duration::minutes(105));
    let Phase::Active { schedule, .. } = &res.phase else {
        panic!()
    };
    assert_eq!(schedule.deadline, Some(chi(2026, 11, 3, 9, 0)));
}

#[test]
fn a_priority_change_that_leaves_no_time_breaches_at_the_deadline_it_missed() {
    let start = chi(2026, 11, 2, 9, 0);
    let mut w = world_at(start);
    let t = w.jane_emails("Slow site");
    w.now = chi(2026, 11, 2, 13, 0);
    let stored = w
        .run(Command::new(
            Actor::integration("setup"),
            TicketAction::Update {
                ticket: t,
                command: TicketCommand::SetPriority(Priority::Urgent),
            },
        ))
        .unwrap();
    // Four business hours used; the urgent target is two: the time used
    // passed it at 11:00, before the ticket was urgent. The retarget
    // schedules the deadline that was missed, 11:00, not the change.
    let retargeted = sla_events(&stored)
        .into_iter()
        .find_map(|k| match k {
            SlaEventKind::Retargeted {
                key: k,
                used,
                schedule,
                ..
            } if k.metric == Metric::Resolution => Some((used, schedule)),
            _ => None,
        })
        .unwrap();
    assert_eq!(retargeted.0, Duration::hours(4));
    assert_eq!(
        retargeted.1.unwrap().deadline,
        Some(chi(2026, 11, 2, 11, 0))
    );
    // It is due at once: the next timeout records the breach at 11:00
    // (the unanswered first response, warned from 09:30 and due at 10:00,
    // fires beside it).
    assert_eq!(w.desk.poll_timeout(), Some(chi(2026, 11, 2, 9, 30)));
    let fired = w.desk.handle_timeout(&mut w.store, w.now).unwrap();
    let resolution: Vec<_> = sla_events(&fired)
        .into_iter()
        .filter(|k| matches!(k, SlaEventKind::Warned { key, .. } | SlaEventKind::Breached { key, .. } if key.metric == Metric::Resolution))
        .collect();
    assert_eq!(
        resolution,
        vec![SlaEventKind::Breached {
            key: key(Metric::Resolution, 1),
            due: chi(2026, 11, 2, 11, 0)
        }]
    );
    assert_eq!(
        w.desk
            .tickets()
            .sla(t)
            .unwrap()
            .live(Metric::Resolution)
            .unwrap()
            .breached,
        Some(chi(2026, 11, 2, 11, 0))
    );
    assert_eq!(
        breaches(&w),
        vec![
            (t, key(Metric::FirstResponse, 1), chi(2026, 11, 2, 10, 0)),
            (t, key(Metric::Resolution, 1), chi(2026, 11, 2, 11, 0)),
        ]
    );
}

#[test]
fn a_target_lowered_while_paused_breaches_at_the_instant_the_time_used_passed_it() {
    // Two and a half hours run Monday 09:00-11:30, then pending (requester
    // wait time pauses); the ticket turns urgent (two hours) while pending.
    // The two hours were passed at 11:00 on Monday, and that is the breach
    // recorded when the clock runs again on Tuesday.
    let start = chi(2026, 11, 2, 9, 0);
    let mut w = world_at(start);
    let t = w.jane_emails("Slow site");
    w.now = chi(2026, 11, 2, 11, 30);
    w.run(Command::new(
        Actor::integration("setup"),
        TicketAction::set_status(t, Status::Pending),
    ))
    .unwrap();
    w.now = chi(2026, 11, 3, 9, 30);
    w.run(Command::new(
        Actor::integration("setup"),
        TicketAction::Update {
            ticket: t,
            command: TicketCommand::SetPriority(Priority::Urgent),
        },
    ))
    .unwrap();
    let res = w
        .desk
        .tickets()
        .sla(t)
        .unwrap()
        .live(Metric::Resolution)
        .unwrap();
    assert_eq!(res.phase, Phase::Paused);
    assert_eq!(res.used, Duration::minutes(150));
    w.now = chi(2026, 11, 3, 10, 0);
    let stored = w
        .run(Command::new(
            Actor::integration("setup"),
            TicketAction::set_status(t, Status::Open),
        ))
        .unwrap();
    let resumed = sla_events(&stored)
        .into_iter()
        .find_map(|k| match k {
            SlaEventKind::Resumed { key: k, schedule } if k.metric == Metric::Resolution => {
                Some(schedule)
            }
            _ => None,
        })
        .unwrap();
    assert_eq!(resumed.deadline, Some(chi(2026, 11, 2, 11, 0)));
    run_timers_until(&mut w, chi(2026, 11, 3, 10, 0));
    assert!(breaches(&w).contains(&(t, key(Metric::Resolution, 1), chi(2026, 11, 2, 11, 0))));
}

#[test]
fn tagging_can_move_a_ticket_to_another_policy() {
    let start = chi(2026, 11, 2, 9, 0);
    let mut w = world_at(start);
    let t = w.jane_emails("Everything is down");
    w.run(Command::new(
        Actor::integration("setup"),
        TicketAction::Update {
            ticket: t,
            command: TicketCommand::SetType(TicketType::Incident),
        },
    ))
    .unwrap();
    w.tick(10);
    let stored = w
        .run(Command::new(
            Actor::integration("setup"),
            TicketAction::tag(t, Tag::new("outage").unwrap()),
        ))
        .unwrap();
    let kinds = sla_events(&stored);
    assert!(kinds.contains(&SlaEventKind::PolicyApplied {
        customer: w.acme,
        policy: Some("outage".into())
    }));
    // The outage policy has no first-response target: that clock stops.
    assert!(kinds.contains(&SlaEventKind::Cancelled {
        key: key(Metric::FirstResponse, 1),
        reason: CancelReason::NoTarget
    }));
    let sla = w.desk.tickets().sla(t).unwrap();
    assert_eq!(
        sla.live(Metric::Resolution).unwrap().spec.target,
        Duration::hours(4)
    );
    assert!(sla.live(Metric::PeriodicUpdate).is_some());
}

#[test]
fn promises_are_timers_kept_by_the_next_public_reply() {
    let start = chi(2026, 11, 2, 14, 0);
    let mut w = world_at(start);
    let t = w.jane_emails("Migration status?");
    let ana = w.ana;
    let due = chi(2026, 11, 2, 15, 0);
    w.run(Command::new(
        Actor::Agent(ana),
        TicketAction::Promise {
            ticket: t,
            due,
            note: "after the DBA checks replication".into(),
        },
    ))
    .unwrap();
    let ticket = w.desk.tickets().get(t).unwrap();
    assert!(
        ticket
            .conversation()
            .last()
            .unwrap()
            .body
            .contains("after the DBA checks replication")
    );
    w.refused(
        Command::new(
            Actor::Agent(ana),
            TicketAction::Promise {
                ticket: t,
                due: start,
                note: String::new(),
            },
        ),
        SlaError::PromiseInPast {
            due: start,
            now: start,
        },
    );
    let fired = run_timers_until(&mut w, chi(2026, 11, 2, 15, 5));
    assert!(sla_events(&fired).contains(&SlaEventKind::Breached {
        key: key(Metric::Promise, 1),
        due
    }));
    let stored = w
        .run(Command::reply(t, ana, "Replication is healthy"))
        .unwrap();
    // Kept late: the hour promised at 14:00, answered at 15:05.
    assert!(sla_events(&stored).contains(&SlaEventKind::Fulfilled {
        key: key(Metric::Promise, 1),
        business_time: Duration::minutes(65),
        breached: true,
    }));
}

#[test]
fn a_contract_names_whose_calendar_a_target_runs_on() {
    // A London customer whose contract measures resolution on their own
    // business day, and first response on our (Chicago) support hours.
    let london = BusinessCalendar::weekdays(
        chrono_tz::Europe::London,
        DayHours::parse(&[("09:00", "17:30")]).unwrap(),
    );
    let policies = SlaPolicies::new(vec![SlaPolicy::new(
        "gold",
        Conditions::any().in_segments(["gold".to_owned()]),
        vec![
            Target::new(
                Metric::FirstResponse,
                Duration::hours(1),
                Clock::SupportHours,
            ),
            Target::new(Metric::Resolution, Duration::hours(4), Clock::CustomerHours),
        ],
    )])
    .unwrap();
    let probe = World::new();
    let config = SlaConfig::new(policies)
        .with_support_hours(chicago_9_to_5())
        .with_contract(
            probe.acme,
            Contract::in_segment("gold").with_customer_hours(london),
        );
    let mut w = World::with_config(DeskConfig::default().with_sla(config));
    // Monday 8:00 Chicago = 14:00 London.
    w.now = chi(2026, 11, 2, 8, 0);
    let t = w.jane_emails("Gold problem");
    let sla = w.desk.tickets().sla(t).unwrap();
    assert_eq!(sla.policy.as_deref(), Some("gold"));
    let deadline = |m: Metric| match &sla.live(m).unwrap().phase {
        Phase::Active { schedule, .. } => schedule.deadline.unwrap(),
        _ => panic!(),
    };
    assert_eq!(deadline(Metric::FirstResponse), chi(2026, 11, 2, 10, 0));
    // 3.5 h left in London's Monday, then 30 min on Tuesday: 09:30 London.
    let london_930 = chrono_tz::Europe::London
        .with_ymd_and_hms(2026, 11, 3, 9, 30, 0)
        .unwrap();
    assert_eq!(deadline(Metric::Resolution), london_930.with_timezone(&Utc));
    // Tiny Blog has no contract: no gold policy, no SLA.
    let tom_email = w.tom_email.clone();
    let id: TicketId = w.ids.next_id();
    w.run(Command::new(
        Actor::integration("inbound"),
        TicketAction::Receive(InboundMessage::new(id, Channel::Email, tom_email, "hi")),
    ))
    .unwrap();
    assert_eq!(w.desk.tickets().sla(id).unwrap().policy, None);
    assert!(w.desk.tickets().sla(id).unwrap().metrics().is_empty());
}

#[test]
fn timers_and_slas_survive_a_rebuild() {
    let start = chi(2026, 11, 2, 9, 0);
    let mut w = world_at(start);
    for i in 0..5 {
        let t = w.jane_emails(&format!("issue {i}"));
        w.tick(7);
        if i % 2 == 0 {
            let ana = w.ana;
            w.run(Command::reply(t, ana, "ok")).unwrap();
            w.run(Command::new(
                Actor::integration("setup"),
                TicketAction::set_status(t, Status::Pending),
            ))
            .unwrap();
        }
    }
    x_post(&mut w, "social too");
    run_timers_until(&mut w, start + Duration::minutes(50));
    let rebuilt = Desk::rebuild(&w.store, w.desk.config().clone()).unwrap();
    assert_eq!(rebuilt, w.desk);
    assert_eq!(rebuilt.poll_timeout(), w.desk.poll_timeout());
    assert_eq!(
        rebuilt.tickets().running_timers(),
        w.desk.tickets().running_timers()
    );
    assert!(w.desk.tickets().running_timers() > 0);
}

#[test]
fn policies_are_validated() {
    let bad = |targets: Vec<Target>| {
        SlaPolicies::new(vec![SlaPolicy::new("p", Conditions::any(), targets)])
    };
    let invalid = |reason: &str| {
        Err(SlaError::InvalidPolicy {
            policy: "p".into(),
            reason: reason.into(),
        })
    };
    assert_eq!(
        bad(vec![Target::new(
            Metric::Resolution,
            Duration::zero(),
            Clock::Always
        )]),
        invalid("the resolution target must be positive")
    );
    assert_eq!(
        bad(vec![
            Target::new(Metric::Resolution, Duration::hours(1), Clock::Always).warn_at([100])
        ]),
        invalid("warning at 100% of the resolution target is not between 1 and 99")
    );
    assert_eq!(
        bad(vec![Target::new(
            Metric::Promise,
            Duration::hours(1),
            Clock::Always
        )]),
        invalid("promises are made by agents, not by policy")
    );
    let twice = SlaPolicies::new(vec![
        SlaPolicy::new("p", Conditions::any(), vec![]),
        SlaPolicy::new("p", Conditions::any(), vec![]),
    ]);
    assert_eq!(
        twice,
        Err(SlaError::InvalidPolicy {
            policy: "p".into(),
            reason: "the name is used twice".into()
        })
    );
    // Policies are data: they round-trip and are validated on the way in.
    let config = policies();
    let json = serde_json::to_string(&config.policies).unwrap();
    let back: SlaPolicies = serde_json::from_str(&json).unwrap();
    assert_eq!(back, config.policies);
    assert!(json.contains(r#""within":300"#), "{json}");
    let err = serde_json::from_str::<SlaPolicies>(
        r#"[{"name":"x","targets":[{"metric":"resolution","within":0,"clock":"always"}]}]"#,
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .contains("the resolution target must be positive"),
        "{err}"
    );
}

/// Every Zendesk metric, ten hours around the clock, with Zendesk's
/// default pauses.
fn zendesk_world(now: DateTime<Utc>) -> World {
    let targets = [
        Metric::FIRST_REPLY_TIME,
        Metric::NEXT_REPLY_TIME,
        Metric::PERIODIC_UPDATE,
        Metric::PAUSABLE_UPDATE,
        Metric::REQUESTER_WAIT_TIME,
        Metric::AGENT_WORK_TIME,
        Metric::TOTAL_RESOLUTION_TIME,
    ]
    .map(|m| Target::new(m, Duration::hours(10), Clock::Always))
    .to_vec();
    let policies =
        SlaPolicies::new(vec![SlaPolicy::new("zendesk", Conditions::any(), targets)]).unwrap();
    let mut w = World::with_config(DeskConfig::default().with_sla(SlaConfig::new(policies)));
    w.now = now;
    w
}

#[test]
fn zendesk_metrics_pause_where_zendesk_pauses_them() {
    // Monday 09:00: new for an hour, pending 10-11, on-hold 11-12, open
    // 12-14 (the first reply at 13:00), pending 14-15, open 15-16, solved
    // at 16:00.
    let start = chi(2026, 11, 2, 9, 0);
    let mut w = zendesk_world(start);
    let ana = w.ana;
    let t = w.jane_emails("Slow site");
    let status = |w: &mut World, hour: u32, s: Status| {
        w.now = chi(2026, 11, 2, hour, 0);
        w.run(Command::new(
            Actor::integration("setup"),
            TicketAction::set_status(t, s),
        ))
        .unwrap();
    };
    status(&mut w, 10, Status::Pending);
    {
        let sla = w.desk.tickets().sla(t).unwrap();
        // First reply time and total resolution time run on; requester
        // wait time and agent work time wait with the customer.
        for m in [
            Metric::FirstResponse,
            Metric::PeriodicUpdate,
            Metric::TotalResolutionTime,
        ] {
            assert!(
                matches!(sla.live(m).unwrap().phase, Phase::Active { .. }),
                "{m}"
            );
        }
        for m in [Metric::Resolution, Metric::AgentWorkTime] {
            assert_eq!(sla.live(m).unwrap().phase, Phase::Paused, "{m}");
        }
        assert!(sla.live(Metric::PausableUpdate).is_none());
    }
    status(&mut w, 11, Status::OnHold);
    {
        let sla = w.desk.tickets().sla(t).unwrap();
        // On-hold: the requester still waits; the agent's work does not count.
        assert!(matches!(
            sla.live(Metric::REQUESTER_WAIT_TIME).unwrap().phase,
            Phase::Active { .. }
        ));
        assert_eq!(
            sla.live(Metric::AGENT_WORK_TIME).unwrap().phase,
            Phase::Paused
        );
    }
    status(&mut w, 12, Status::Open);
    w.now = chi(2026, 11, 2, 13, 0);
    w.run(Command::reply(t, ana, "Looking")).unwrap();
    status(&mut w, 14, Status::Pending);
    let pausable = w
        .desk
        .tickets()
        .sla(t)
        .unwrap()
        .live(Metric::PausableUpdate)
        .unwrap();
    assert_eq!(pausable.activated_at, chi(2026, 11, 2, 13, 0));
    assert_eq!(pausable.phase, Phase::Paused);
    assert_eq!(pausable.used, Duration::hours(1));
    status(&mut w, 15, Status::Open);
    w.now = chi(2026, 11, 2, 16, 0);
    w.run(Command::new(
        Actor::integration("setup"),
        TicketAction::assign(t, ana),
    ))
    .unwrap();
    status(&mut w, 16, Status::Solved);
    let sla = w.desk.tickets().sla(t).unwrap();
    let took = |m: Metric| match sla.metric(key(m, 1)).unwrap().phase {
        Phase::Fulfilled { business_time, .. } => Some(business_time),
        _ => None,
    };
    assert_eq!(took(Metric::FirstResponse), Some(Duration::hours(4)));
    assert_eq!(took(Metric::PeriodicUpdate), Some(Duration::hours(4)));
    assert_eq!(took(Metric::Resolution), Some(Duration::hours(5)));
    assert_eq!(took(Metric::AgentWorkTime), Some(Duration::hours(4)));
    assert_eq!(took(Metric::TotalResolutionTime), Some(Duration::hours(7)));
    assert_eq!(
        sla.metric(key(Metric::PausableUpdate, 1)).unwrap().phase,
        Phase::Cancelled {
            at: chi(2026, 11, 2, 16, 0),
            reason: CancelReason::Solved
        }
    );
}

#[test]
fn configuration_names_metrics_as_zendesk_does_and_gets_its_default_pauses() {
    let policy: SlaPolicy = serde_json::from_str(
        r#"{"name": "z", "targets": [
            {"metric": "first_reply_time", "within": 3600, "clock": "always"},
            {"metric": "requester_wait_time", "within": 28800, "clock": "support_hours"},
            {"metric": "agent_work_time", "within": 28800, "clock": "support_hours"},
            {"metric": "resolution", "within": 60, "clock": "always", "pause_on": ["on_hold"]}]}"#,
    )
    .unwrap();
    let metrics: Vec<_> = policy
        .targets
        .iter()
        .map(|t| (t.metric, t.pause_on.clone()))
        .collect();
    assert_eq!(
        metrics,
        vec![
            (Metric::FirstResponse, [].into()),
            (Metric::Resolution, [Status::Pending].into()),
            (
                Metric::AgentWorkTime,
                [Status::Pending, Status::OnHold].into()
            ),
            (Metric::Resolution, [Status::OnHold].into()),
        ]
    );
    // Stored and written under the names stored events already use.
    assert_eq!(
        serde_json::to_value(Metric::REQUESTER_WAIT_TIME).unwrap(),
        "resolution"
    );
    assert_eq!(Metric::Resolution.label(), "requester wait time");
    let named: Vec<_> = Metric::ALL
        .iter()
        .filter_map(|m| m.zendesk_name())
        .collect();
    assert_eq!(
        named,
        [
            "first_reply_time",
            "next_reply_time",
            "periodic_update",
            "pausable_update",
            "requester_wait_time",
            "agent_work_time",
            "total_resolution_time"
        ]
    );
}

/// The test policies with a "gold" segment first: a 15-minute first reply
/// and a one-hour requester wait, around the clock.
fn with_gold(now: DateTime<Utc>) -> World {
    let gold = SlaPolicy::new(
        "gold",
        Conditions::any().in_segments(["gold".to_owned()]),
        vec![
            Target::new(Metric::FirstResponse, Duration::minutes(15), Clock::Always),
            Target::new(Metric::Resolution, Duration::hours(1), Clock::Always),
        ],
    );
    let mut config = policies();
    let mut all = vec![gold];
    all.extend(config.policies.policies().iter().cloned());
    config.policies = SlaPolicies::new(all).unwrap();
    let mut w = World::with_config(DeskConfig::default().with_sla(config));
    w.now = now;
    w
}

#[test]
fn a_contract_changed_by_billing_is_recorded_and_running_metrics_follow_it() {
    // Monday 09:00 Chicago: Jane emails on the standard policy (an hour
    // of support hours to first reply). At 09:10 billing puts Acme on
    // gold: from then on the ticket is on the gold policy, its first
    // reply due 15 minutes after it arrived, at 09:15.
    let start = chi(2026, 11, 2, 9, 0);
    let mut w = with_gold(start);
    let (acme, bill) = (w.acme, w.bill);
    let t = w.jane_emails("Site down");
    w.now = chi(2026, 11, 2, 9, 10);
    let set = Command::new(
        Actor::Agent(bill),
        CustomerAction::SetContract {
            customer: acme,
            contract: Some(Box::new(Contract::in_segment("gold"))),
        },
    );
    let stored = w.run(set.clone()).unwrap();
    // Audited: who, when, what.
    let changed = stored
        .iter()
        .find(|r| r.stream == StreamId::Contract(acme))
        .unwrap();
    assert_eq!(changed.actor, Some(Actor::Agent(bill)));
    assert_eq!(
        changed.event,
        Event::Sla(fanatical::sla::SlaEvent {
            at: w.now,
            kind: SlaEventKind::ContractChanged {
                customer: acme,
                contract: Some(Box::new(Contract::in_segment("gold"))),
            },
        })
    );
    let kinds = sla_events(&stored);
    assert!(kinds.contains(&SlaEventKind::PolicyApplied {
        customer: acme,
        policy: Some("gold".into())
    }));
    let sla = w.desk.tickets().sla(t).unwrap();
    let first = sla.live(Metric::FirstResponse).unwrap();
    assert_eq!(first.spec.target, Duration::minutes(15));
    assert_eq!(first.used, Duration::minutes(10));
    let Phase::Active { since, schedule } = &first.phase else {
        panic!("{:?}", first.phase)
    };
    assert_eq!(*since, w.now);
    assert_eq!(schedule.deadline, Some(chi(2026, 11, 2, 9, 15)));
    assert_eq!(w.desk.config().sla.segment(acme), Some("gold"));
    // The same contract again writes nothing.
    assert!(w.run(set).unwrap().is_empty());
    // A new ticket starts on gold.
    let t2 = w.jane_emails("Still down");
    assert_eq!(
        w.desk.tickets().sla(t2).unwrap().policy.as_deref(),
        Some("gold")
    );
    // A rebuild from the configuration the desk started with reads the
    // contract from the record.
    let rebuilt = Desk::rebuild(
        &w.store,
        DeskConfig::default().with_sla(with_gold(start).desk.config().sla.clone()),
    )
    .unwrap();
    assert_eq!(rebuilt, w.desk);
    // Back to the desk's defaults: standard again, an hour of support hours.
    w.now = chi(2026, 11, 2, 9, 12);
    w.run(Command::new(
        Actor::Agent(bill),
        CustomerAction::SetContract {
            customer: acme,
            contract: None,
        },
    ))
    .unwrap();
    let first = w
        .desk
        .tickets()
        .sla(t)
        .unwrap()
        .live(Metric::FirstResponse)
        .unwrap();
    assert_eq!(first.spec.target, Duration::hours(1));
    assert_eq!(first.used, Duration::minutes(12));
}

#[test]
fn an_agent_who_may_not_see_tier_cannot_change_a_contract() {
    let mut w = with_gold(chi(2026, 11, 2, 9, 0));
    let (acme, ana) = (w.acme, w.ana);
    w.jane_emails("Site down");
    w.refused(
        Command::new(
            Actor::Agent(ana),
            CustomerAction::SetContract {
                customer: acme,
                contract: Some(Box::new(Contract::in_segment("gold"))),
            },
        ),
        crate::support::denied(
            &w.desk,
            Actor::Agent(ana),
            fanatical::permission::Permission::ManageAccounts,
            None,
        ),
    );
}
