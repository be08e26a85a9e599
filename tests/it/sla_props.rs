//! Properties of SLA timers on the desk over random command sequences.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, TimeZone, Utc};
use fanatical::actor::Actor;
use fanatical::channel::Channel;
use fanatical::desk::TicketAction;
use fanatical::desk::{Command, Desk};
use fanatical::error::ErrorKind;
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
/// An active stretch: start, business time used before it, clock.
type Ran = (DateTime<Utc>, Duration, Clock);

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

/// Runs `cmd`: applied, or refused with nothing changed.
fn run(w: &mut World, cmd: Command) -> Result<(), TestCaseError> {
    let (desk, store) = (w.desk.clone(), w.store.clone());
    if let Err(e) = w.run(cmd) {
        prop_assert_eq!(e.kind(), ErrorKind::Refused, "{}", e);
        prop_assert!(w.desk == desk, "a refused command changed the desk");
        prop_assert!(w.store == store, "a refused command wrote to the store");
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(crate::cases(96)))]

    /// Over any sequence: every breach is recorded once, at the deadline
    /// recomputed here from the activation, pause, resume and retarget
    /// events with the configured calendar (never while paused, never
    /// after fulfilment), and every metric still running past that
    /// deadline when the timeouts have run has its breach; warnings and
    /// breaches fall in open time; the business time a metric used is
    /// what its active stretches add up to, and never shrinks.
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
                Op::Status(i, s) => match pick(&tickets, i) {
                    Some(t) => {
                        if s == Status::Solved {
                            run(&mut w, Command::new(Actor::integration("setup"), TicketAction::assign(t, ana)))?;
                        }
                        Some(Command::new(Actor::integration("setup"), TicketAction::set_status(t, s)))
                    }
                    None => None,
                },
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
                run(&mut w, cmd)?;
            }
        }
        // Whatever is due by now fires.
        let end = w.now;
        w.desk.handle_timeout(&mut w.store, end).unwrap();
        let cal = chicago_9_to_5();
        let mut breached: BTreeMap<(TicketId, MetricKey), usize> = BTreeMap::new();
        let mut clocks: BTreeMap<(TicketId, MetricKey), Clock> = BTreeMap::new();
        // Independent recomputation of business time over active stretches,
        // and of each running metric's deadline (`None` while paused or
        // once fulfilled or cancelled).
        let mut running: BTreeMap<(TicketId, MetricKey), Stretch> = BTreeMap::new();
        let mut targets: BTreeMap<(TicketId, MetricKey), Duration> = BTreeMap::new();
        let mut deadlines: BTreeMap<(TicketId, MetricKey), Option<DateTime<Utc>>> = BTreeMap::new();
        // A deadline is the time left added on the metric's clock; with no
        // time left (a retarget below the time used) it is the instant the
        // time used passed the target: counted from the last active stretch
        // that began with less used than the target.
        let add = |clock: Clock, at: DateTime<Utc>, left: Duration| {
            let left = left.max(Duration::zero());
            match clock {
                Clock::Always => at + left,
                _ => cal.add(at, left).unwrap(),
            }
        };
        // Every active stretch of a live metric: start, time used before it, clock.
        let mut history: BTreeMap<(TicketId, MetricKey), Vec<Ran>> = BTreeMap::new();
        let reach = |stretches: &[Ran], target: Duration| {
            let (since, used, clock) = *stretches.iter().rev().find(|s| s.1 < target).unwrap_or_else(|| stretches.last().unwrap());
            add(clock, since, target - used)
        };
        for r in w.store.read_all(0, usize::MAX).unwrap() {
            let (StreamId::Sla(t), Event::Sla(e)) = (&r.stream, &r.event) else { continue };
            let on = |clock: Clock, a: DateTime<Utc>, b: DateTime<Utc>| match clock {
                Clock::Always => b - a,
                _ => cal.elapsed(a, b),
            };
            match &e.kind {
                SlaEventKind::Activated { key, spec, schedule, .. } => {
                    clocks.insert((*t, *key), spec.clock);
                    targets.insert((*t, *key), spec.target);
                    running.insert((*t, *key), (Duration::zero(), schedule.as_ref().map(|_| e.at)));
                    history.insert((*t, *key), schedule.iter().map(|_| (e.at, Duration::zero(), spec.clock)).collect());
                    deadlines.insert((*t, *key), schedule.as_ref().map(|_| add(spec.clock, e.at, spec.target)));
                }
                SlaEventKind::Paused { key, used } => {
                    let clock = clocks[&(*t, *key)];
                    let (acc, since) = running[&(*t, *key)];
                    let now_used = acc + since.map_or(Duration::zero(), |s| on(clock, s, e.at));
                    prop_assert_eq!(*used, now_used);
                    prop_assert!(*used >= acc, "pausing shortened the time used");
                    running.insert((*t, *key), (*used, None));
                    deadlines.insert((*t, *key), None);
                }
                SlaEventKind::Resumed { key, .. } => {
                    let (acc, _) = running[&(*t, *key)];
                    running.insert((*t, *key), (acc, Some(e.at)));
                    let h = history.get_mut(&(*t, *key)).unwrap();
                    h.push((e.at, acc, clocks[&(*t, *key)]));
                    deadlines.insert((*t, *key), Some(reach(h, targets[&(*t, *key)])));
                }
                SlaEventKind::Retargeted { key, spec, used, schedule } => {
                    let (acc, _) = running[&(*t, *key)];
                    prop_assert!(*used >= acc);
                    running.insert((*t, *key), (*used, schedule.as_ref().map(|_| e.at)));
                    clocks.insert((*t, *key), spec.clock);
                    targets.insert((*t, *key), spec.target);
                    let h = history.get_mut(&(*t, *key)).unwrap();
                    if schedule.is_some() {
                        h.push((e.at, *used, spec.clock));
                    }
                    deadlines.insert((*t, *key), schedule.as_ref().map(|_| reach(h, spec.target)));
                }
                SlaEventKind::Fulfilled { key, business_time, .. } => {
                    let clock = clocks[&(*t, *key)];
                    let (acc, since) = running[&(*t, *key)];
                    let expected = acc + since.map_or(Duration::zero(), |s| on(clock, s, e.at));
                    prop_assert_eq!(*business_time, expected);
                    deadlines.insert((*t, *key), None);
                }
                SlaEventKind::Cancelled { key, .. } => {
                    deadlines.insert((*t, *key), None);
                }
                SlaEventKind::Breached { key, due } => {
                    *breached.entry((*t, *key)).or_default() += 1;
                    // Running, and due at the deadline computed here: not a
                    // minute early, not while paused, not after fulfilment.
                    prop_assert_eq!(deadlines[&(*t, *key)], Some(*due), "{} {:?} breached", t, key);
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
        prop_assert!(breached.values().all(|n| *n == 1), "a breach recorded twice: {:?}", breached);
        // A metric still running past its deadline has been breached.
        for (k, deadline) in &deadlines {
            if deadline.is_some_and(|d| d <= end) {
                prop_assert_eq!(breached.get(k), Some(&1), "{:?} ran past {:?} unbreached", k, deadline);
            }
        }
        let rebuilt = Desk::rebuild(&w.store, w.desk.config().clone()).unwrap();
        prop_assert_eq!(&rebuilt, &w.desk);
        prop_assert_eq!(rebuilt.poll_timeout(), w.desk.poll_timeout());
    }
}
