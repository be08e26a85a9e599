//! One timer table: the desk says which timer is next and why, and hands
//! out many messages in queue order without walking the leased ones.

use chrono::Duration;
use fanatical::actor::{Actor, TimerKind};
use fanatical::desk::{Command, DeskConfig, Timer};
use fanatical::outbox::OutboxAction;
use fanatical::sla::{Clock, Conditions, Metric, SlaConfig, SlaPolicies, SlaPolicy, Target};

use crate::support::World;

fn hour_sla() -> DeskConfig {
    let hour = Target::new(Metric::FirstResponse, Duration::hours(1), Clock::Always);
    let policies = SlaPolicies::new(vec![SlaPolicy::new(
        "standard",
        Conditions::any(),
        vec![hour],
    )])
    .unwrap();
    DeskConfig::default().with_sla(SlaConfig::new(policies))
}

#[test]
fn the_next_timer_says_why_it_wakes_the_desk() {
    let mut w = World::with_config(hour_sla());
    assert_eq!(w.desk.next_timer(), None);
    let t = w.jane_emails("Help");
    let next = w.desk.next_timer().unwrap();
    assert_eq!(next.kind, TimerKind::Sla);
    assert_eq!(next.at, w.now + Duration::hours(1));
    assert!(matches!(next.timer, Timer::Sla(k) if k.ticket == t));
    assert_eq!(w.desk.poll_timeout(), Some(next.at));
    // A reply queues a message (and fulfils the SLA); handing it out
    // leases it: the lease's end is next.
    let ana = w.ana;
    w.run(Command::reply(t, ana, "On it.")).unwrap();
    let msg = w.desk.poll_outbound(w.now).unwrap();
    let next = w.desk.next_timer().unwrap();
    assert_eq!(next.kind, TimerKind::LeaseExpiry);
    assert_eq!(next.timer, Timer::Lease(msg.id));
    assert_eq!(next.at, w.now + w.desk.config().delivery_lease);
    // It fails: the lease ends and the retry is next.
    w.run(Command::new(
        Actor::integration("transport"),
        OutboxAction::MarkFailed {
            message: msg.id,
            reason: "timeout".into(),
        },
    ))
    .unwrap();
    let next = w.desk.next_timer().unwrap();
    assert_eq!(next.kind, TimerKind::DeliveryRetry);
    assert_eq!(next.timer, Timer::Retry(msg.id));
    assert_eq!(next.at, w.now + Duration::seconds(30), "the first backoff");
    // At the retry it is handed out again, with the same id.
    assert!(w.desk.poll_outbound(w.now).is_none());
    assert_eq!(w.desk.poll_outbound(next.at).map(|m| m.id), Some(msg.id));
}

#[test]
fn many_messages_are_handed_out_once_each_in_queue_order_then_again_after_their_lease() {
    let mut w = World::new();
    let ana = w.ana;
    let mut queued = Vec::new();
    for i in 0..50 {
        let t = w.jane_emails(&format!("Question {i}"));
        let stored = w.run(Command::reply(t, ana, "Answer")).unwrap();
        queued.extend(stored.iter().filter_map(|r| match &r.event {
            fanatical::event::Event::Outbox(e) => match &e.kind {
                fanatical::outbox::OutboxEventKind::Queued { message } => Some(message.id),
                _ => None,
            },
            _ => None,
        }));
    }
    assert_eq!(queued.len(), 50);
    let mut handed = Vec::new();
    while let Some(m) = w.desk.poll_outbound(w.now) {
        handed.push(m.id);
    }
    assert_eq!(handed, queued, "each once, in the order they were queued");
    // Nothing acknowledged: when the leases run out, all of them again.
    let later = w.now + w.desk.config().delivery_lease;
    let mut again = Vec::new();
    while let Some(m) = w.desk.poll_outbound(later) {
        again.push(m.id);
    }
    assert_eq!(again, queued);
}
