//! Trends: recurring pain points detected from ticket counts, escalated
//! once per window to product management, spikes raised as incident
//! candidates.

use chrono::{DateTime, Duration, Utc};
use fanatical::actor::Actor;
use fanatical::agent::Role;
use fanatical::channel::Channel;
use fanatical::customer::CustomerCommand;
use fanatical::desk::{Command, DeskConfig};
use fanatical::desk::{CustomerAction, PeopleAction, TicketAction};
use fanatical::escalation::{Condition, EscalationGraph, Node, Rule};
use fanatical::id::{AgentId, ComponentId, CustomerId, TicketId};
use fanatical::incident::{ComponentCatalog, IncidentConfig};
use fanatical::outbox::Recipient;
use fanatical::ticket::{OpenTicket, Tag};
use fanatical::trend::{TrendConfig, TrendEventKind, TrendKey, TrendRule};
use proptest::prelude::*;

use crate::support::World;

pub fn config() -> DeskConfig {
    let catalog = ComponentCatalog::new()
        .with(ComponentId::new("dfw1").unwrap(), "DFW1", None)
        .unwrap();
    DeskConfig::default().with_incidents(IncidentConfig::default().with_components(catalog))
}

pub fn graph(pm: AgentId) -> EscalationGraph {
    EscalationGraph::builder()
        .node(Node::team("front_line", "Front line", 0).entry().owner())
        .node(Node::person("product", "Product management", 3, pm).owner())
        .rule(Rule::new(
            "trend",
            "front_line",
            "product",
            Condition::any().trend(),
            "recurring pain points go to product",
        ))
        .build()
        .unwrap()
}

pub fn open(w: &mut World, customer: CustomerId, tag: Option<&str>, channel: Channel) -> TicketId {
    let id = w.ids.next_id();
    let mut t = OpenTicket::new(id, customer, "Checkout fails", channel);
    if let Some(tag) = tag {
        t = t.with_tag(Tag::new(tag).unwrap());
    }
    w.run(Command::new(
        Actor::integration("setup"),
        TicketAction::Open(t),
    ))
    .unwrap();
    id
}

/// A week of background (ten email questions a day from Tiny, two
/// checkout complaints a day from Acme), then today's tickets.
pub fn week(w: &mut World, start: DateTime<Utc>) {
    let (acme, tiny) = (w.acme, w.tiny);
    for day in 0..7 {
        w.now = start + Duration::days(day);
        for _ in 0..10 {
            open(w, tiny, None, Channel::Email);
            w.tick(1);
        }
        for _ in 0..2 {
            open(w, acme, Some("checkout"), Channel::Chat);
            w.tick(1);
        }
    }
}

pub fn pm(w: &mut World) -> AgentId {
    let pm = w.ids.next_id();
    w.run(Command::new(
        Actor::integration("setup"),
        PeopleAction::RegisterAgent {
            id: pm,
            name: "Priya PM".into(),
            time_zone: chrono_tz::America::Chicago,
            roles: vec![Role::Manager],
            skills: vec![],
        },
    ))
    .unwrap();
    pm
}

#[test]
fn a_recurring_pain_point_is_escalated_once_per_window_with_its_tickets() {
    let mut w = World::with_config(config());
    let pm = pm(&mut w);
    let start = w.now;
    week(&mut w, start);
    // Today: twelve checkout complaints.
    w.now = start + Duration::days(7) + Duration::hours(1);
    let acme = w.acme;
    let mut today = Vec::new();
    for _ in 0..12 {
        w.tick(1);
        today.push(open(&mut w, acme, Some("checkout"), Channel::Chat));
    }
    let trends = w.desk.incidents().trends(w.now);
    let checkout = TrendKey::Tag(Tag::new("checkout").unwrap());
    let t = trends
        .iter()
        .find(|t| t.key == checkout)
        .expect("checkout trends");
    assert_eq!(t.count, 12);
    assert_eq!(t.baseline_milli, 2_000);
    assert_eq!(t.z_milli, 10_000, "(12 - 2) / max(0, 1)");
    let mut sorted = today.clone();
    sorted.sort();
    let mut got = t.tickets.clone();
    got.sort();
    assert_eq!(got, sorted);
    // Email questions are steady: no trend.
    assert!(
        !trends
            .iter()
            .any(|t| t.key == TrendKey::Channel(fanatical::channel::ChannelKind::Email))
    );

    let g = graph(pm);
    w.escalate_trends(&g, "front_line").unwrap();
    let escalated: Vec<_> = w
        .desk
        .incidents()
        .trend_events()
        .iter()
        .filter_map(|e| match &e.kind {
            TrendEventKind::Escalated {
                trend,
                owner,
                notified,
                ..
            } if trend.key == checkout => {
                let mut tickets = trend.tickets.clone();
                tickets.sort();
                Some((owner.clone(), notified.clone(), tickets))
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        escalated,
        vec![("product".to_owned(), vec![pm], sorted.clone())],
        "once, to product, with today's tickets"
    );
    let pages: Vec<_> = w
        .desk
        .channels()
        .outbox()
        .filter(|e| {
            matches!(e.message.recipient, Recipient::Agent { agent } if agent == pm)
                && e.message.body.contains("tag checkout")
        })
        .collect();
    assert_eq!(pages.len(), 1, "one page about checkout");
    let page = &pages[0].message.body;
    assert!(page.contains("tag checkout: 12 tickets"), "{page}");
    for t in &today {
        assert!(page.contains(&t.to_string()), "{t} not in {page}");
    }

    // Again within the window: nothing new, however often it is asked.
    let before = w.desk.incidents().trend_events().len();
    w.tick(60);
    open(&mut w, acme, Some("checkout"), Channel::Chat);
    w.escalate_trends(&g, "front_line").unwrap();
    assert_eq!(w.desk.incidents().trend_events().len(), before);
    assert_eq!(
        fanatical::desk::Desk::rebuild(&w.store, config()).unwrap(),
        w.desk
    );
}

#[test]
fn a_spike_on_a_component_raises_a_major_incident_candidate() {
    let mut w = World::with_config(config());
    let acme = w.acme;
    let pm = pm(&mut w);
    w.run(Command::new(
        Actor::integration("setup"),
        CustomerAction::Update {
            customer: w.acme,
            command: CustomerCommand::RunOn {
                component: ComponentId::new("dfw1").unwrap(),
            },
        },
    ))
    .unwrap();
    let start = w.now;
    week(&mut w, start);
    w.now = start + Duration::days(7) + Duration::hours(1);
    for _ in 0..30 {
        w.tick(1);
        open(&mut w, acme, None, Channel::Phone);
    }
    w.escalate_trends(&graph(pm), "front_line").unwrap();
    let candidates: Vec<_> = w.desk.incidents().candidates().collect();
    assert_eq!(candidates.len(), 1);
    assert_eq!(
        candidates[0].key,
        TrendKey::Component(ComponentId::new("dfw1").unwrap())
    );
    assert!(candidates[0].spike);
    assert_eq!(candidates[0].count, 30);
}

#[test]
fn the_rate_rule_compares_with_the_baseline_mean() {
    let mut trends = TrendConfig::default();
    trends.rule = TrendRule::Rate { percent: 300 };
    let mut w = World::with_config(config().with_trends(trends));
    let acme = w.acme;
    let start = w.now;
    week(&mut w, start);
    w.now = start + Duration::days(7) + Duration::hours(1);
    for _ in 0..5 {
        w.tick(1);
        open(&mut w, acme, Some("checkout"), Channel::Chat);
    }
    let checkout = TrendKey::Tag(Tag::new("checkout").unwrap());
    assert!(
        !w.desk
            .incidents()
            .trends(w.now)
            .iter()
            .any(|t| t.key == checkout),
        "5 < 3 × 2"
    );
    w.tick(1);
    open(&mut w, acme, Some("checkout"), Channel::Chat);
    assert!(
        w.desk
            .incidents()
            .trends(w.now)
            .iter()
            .any(|t| t.key == checkout),
        "6 = 3 × 2"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(crate::cases(24)))]

    /// However tickets arrive and however often escalation runs, a trend
    /// key is escalated at most once in any window.
    #[test]
    fn a_trend_is_escalated_at_most_once_per_window(
        arrivals in prop::collection::vec((0i64..4 * 24 * 60, 0u8..3), 5..80),
        checks in prop::collection::vec(0i64..4 * 24 * 60, 1..12),
        window_hours in 1i64..30,
    ) {
        let mut trends = TrendConfig::default();
        trends.window = Duration::hours(window_hours);
        trends.baseline_windows = 2;
        trends.min_count = 2;
        trends.rule = TrendRule::ZScore { milli: 1000 };
        let cfg = config().with_trends(trends);
        let mut w = World::with_config(cfg);
        let acme = w.acme;
        let pm = pm(&mut w);
        let g = graph(pm);
        let start = w.now;
        let mut arrivals = arrivals;
        arrivals.sort();
        let mut checks = checks;
        checks.sort();
        let mut next = arrivals.iter().peekable();
        for at in checks {
            while let Some((m, tag)) = next.next_if(|(m, _)| *m <= at) {
                w.now = start + Duration::minutes(*m);
                let tag = ["checkout", "login", "dns"][usize::from(*tag)];
                open(&mut w, acme, Some(tag), Channel::Chat);
            }
            w.now = start + Duration::minutes(at);
            w.escalate_trends(&g, "front_line").unwrap();
        }
        let mut last: std::collections::BTreeMap<TrendKey, DateTime<Utc>> = Default::default();
        for e in w.desk.incidents().trend_events() {
            if let TrendEventKind::Escalated { trend, .. } = &e.kind
                && let Some(prev) = last.insert(trend.key.clone(), e.at) {
                    prop_assert!(e.at - prev >= Duration::hours(window_hours), "{:?} twice within a window", trend.key);
                }
        }
    }
}
