//! Properties of SLA timers on the desk over random command sequences.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, TimeZone, Utc};
use fanatical::actor::Actor;
use fanatical::channel::Channel;
use fanatical::desk::TicketAction;
use fanatical::desk::{Command, Desk};
use fanatical::event::{Event, StreamId};
use fanatical::id::TicketId;
use fanatical::sla::{Clock, MetricKey, SlaEventKind};
use fanatical::store::Store;
use fanatical::ticket::{Author, Priority, Status, TicketCommand};
use proptest::prelude::*;

use crate::sla_desk::{chicago_9_to_5, policies};
use crate::support::World;

/// Business time used before the current stretch, and when it started
/// (`None` while paused).
type Stretch = (Duration, Option<DateTime<Utc>>);

#[derive(Debug, Clone)]
enum Op {
    Email,
    Customer(usize),
    Agent(usize),
    Status(usize, Status),
    Priority(usize, Priority),
    Timeout,
    Tick(i64),
}

fn arb_op() -> impl Strategy<Value = Op> {
    prop_oneof![
        2 => Just(Op::Email),
        3 => any::<usize>().prop_map(Op::Customer),
        3 => any::<usize>().prop_map(Op::Agent),
        3 => (any::<usize>(), proptest::sample::select(vec![Status::Open, Status::Pending, Status::OnHold, Status::Solved]))
            .prop_map(|(i, s)| Op::Status(i, s)),
        1 => (any::<usize>(), proptest::sample::select(vec![Priority::Normal, Priority::Urgent]))
            .prop_map(|(i, p)| Op::Priority(i, p)),
        3 => Just(Op::Timeout),
        4 => (1i64..24 * 60).prop_map(Op::Tick),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(crate::cases(96)))]

    #[test]
    fn timers_fire_once_in_open_time_and_time_used_never_shrinks(
        ops in proptest::collection::vec(arb_op(), 1..80),
        start_minute in 0i64..7 * 24 * 60,
    ) {
        let mut w = World::with_config(fanatical::desk::DeskConfig::default().with_sla(policies()));
        w.now = Utc.with_ymd_and_hms(2026, 10, 26, 0, 0, 0).unwrap() + Duration::minutes(start_minute);
        let (ana, jane) = (w.ana, w.jane);
        let mut tickets: Vec<TicketId> = Vec::new();
        let pick = |t: &[TicketId], i: usize| (!t.is_empty()).then(|| t[i % t.len()]);
        for op in ops {
            let cmd = match op {
                Op::Email => {
                    tickets.push(w.jane_emails("help"));
                    None
                }
                Op::Customer(i) => pick(&tickets, i).map(|t| Command::reply_on(t, Author::Contact(jane), Channel::Email, "more", vec![])),
                Op::Agent(i) => pick(&tickets, i).map(|t| Command::reply(t, ana, "answer")),
                Op::Status(i, s) => pick(&tickets, i).map(|t| {
                    if s == Status::Solved {
                        let _ = w.run(Command::new(Actor::integration("setup"), TicketAction::assign(t, ana)));
                    }
                    Command::new(Actor::integration("setup"), TicketAction::set_status(t, s))
                }),
                Op::Priority(i, p) => pick(&tickets, i).map(|t| Command::new(Actor::integration("setup"), TicketAction::Update { ticket: t, command: TicketCommand::SetPriority(p) })),
                Op::Timeout => {
                    let n = w.now;
                    w.desk.handle_timeout(&mut w.store, n).unwrap();
                    // Everything due has fired; calling again changes nothing.
                    prop_assert!(w.desk.poll_timeout().is_none_or(|t| t > n));
                    prop_assert!(w.desk.handle_timeout(&mut w.store, n).unwrap().is_empty());
                    None
                }
                Op::Tick(m) => {
                    w.tick(m);
                    None
                }
            };
            if let Some(cmd) = cmd {
                let _ = w.run(cmd);
            }
        }
        let cal = chicago_9_to_5();
        let mut breached: BTreeMap<(TicketId, MetricKey), usize> = BTreeMap::new();
        let mut clocks: BTreeMap<(TicketId, MetricKey), Clock> = BTreeMap::new();
        // Independent recomputation of business time over active stretches.
        let mut running: BTreeMap<(TicketId, MetricKey), Stretch> = BTreeMap::new();
        for r in w.store.read_all(0, usize::MAX).unwrap() {
            let (StreamId::Sla(t), Event::Sla(e)) = (&r.stream, &r.event) else { continue };
            let on = |clock: Clock, a: DateTime<Utc>, b: DateTime<Utc>| match clock {
                Clock::Always => b - a,
                _ => cal.elapsed(a, b),
            };
            match &e.kind {
                SlaEventKind::Activated { key, spec, schedule, .. } => {
                    clocks.insert((*t, *key), spec.clock);
                    running.insert((*t, *key), (Duration::zero(), schedule.as_ref().map(|_| e.at)));
                }
                SlaEventKind::Paused { key, used } => {
                    let clock = clocks[&(*t, *key)];
                    let (acc, since) = running[&(*t, *key)];
                    let now_used = acc + since.map_or(Duration::zero(), |s| on(clock, s, e.at));
                    prop_assert_eq!(*used, now_used);
                    prop_assert!(*used >= acc, "pausing shortened the time used");
                    running.insert((*t, *key), (*used, None));
                }
                SlaEventKind::Resumed { key, .. } => {
                    let (acc, _) = running[&(*t, *key)];
                    running.insert((*t, *key), (acc, Some(e.at)));
                }
                SlaEventKind::Retargeted { key, used, schedule, .. } => {
                    let (acc, _) = running[&(*t, *key)];
                    prop_assert!(*used >= acc);
                    running.insert((*t, *key), (*used, schedule.as_ref().map(|_| e.at)));
                }
                SlaEventKind::Fulfilled { key, business_time, .. } => {
                    let clock = clocks[&(*t, *key)];
                    let (acc, since) = running[&(*t, *key)];
                    let expected = acc + since.map_or(Duration::zero(), |s| on(clock, s, e.at));
                    prop_assert_eq!(*business_time, expected);
                }
                SlaEventKind::Breached { key, due } => {
                    *breached.entry((*t, *key)).or_default() += 1;
                    prop_assert!(*due <= e.at);
                    if clocks[&(*t, *key)] == Clock::SupportHours {
                        prop_assert!(cal.is_open(*due), "breach due in closed time: {}", due);
                    }
                }
                SlaEventKind::Warned { key, due, .. } => {
                    prop_assert!(*due <= e.at);
                    if clocks[&(*t, *key)] == Clock::SupportHours {
                        prop_assert!(cal.is_open(*due));
                    }
                }
                _ => {}
            }
        }
        prop_assert!(breached.values().all(|n| *n == 1));
        let rebuilt = Desk::rebuild(&w.store, w.desk.config().clone()).unwrap();
        prop_assert_eq!(&rebuilt, &w.desk);
        prop_assert_eq!(rebuilt.poll_timeout(), w.desk.poll_timeout());
    }
}
