//! Trends: recurring pain points detected from ticket counts, escalated
//! once while they last to product management (again only after they
//! ended and came back), spikes raised as incident candidates, routed by
//! their structured category.

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

/// Opens checkout complaints from Acme a minute apart until checkout
/// trends; returns how many it took.
fn until_trending(w: &mut World, key: &TrendKey) -> usize {
    let acme = w.acme;
    for n in 1..=200 {
        w.tick(1);
        open(w, acme, Some("checkout"), Channel::Chat);
        if w.desk
            .incidents()
            .trends(w.now)
            .iter()
            .any(|t| &t.key == key)
        {
            return n;
        }
    }
    panic!("{key} never trended");
}

fn escalations_of(w: &World, key: &TrendKey) -> Vec<DateTime<Utc>> {
    w.desk
        .incidents()
        .trend_events()
        .iter()
        .filter_map(|e| match &e.kind {
            TrendEventKind::Escalated { trend, .. } if &trend.key == key => Some(e.at),
            _ => None,
        })
        .collect()
}

#[test]
fn a_recurring_pain_point_is_escalated_once_while_it_lasts_with_its_tickets() {
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
    let first = w.now;
    let before = w.desk.incidents().trend_events().len();
    w.tick(60);
    open(&mut w, acme, Some("checkout"), Channel::Chat);
    w.escalate_trends(&g, "front_line").unwrap();
    assert_eq!(w.desk.incidents().trend_events().len(), before);

    // The next day it still trends: it lasts, so nobody is told again
    // (before, a trend was escalated again every window).
    w.now = start + Duration::days(8) + Duration::hours(1);
    until_trending(&mut w, &checkout);
    w.escalate_trends(&g, "front_line").unwrap();
    assert_eq!(escalations_of(&w, &checkout), vec![first]);

    // Days later it is quiet: the trend has ended, and says so.
    w.now = start + Duration::days(12);
    w.escalate_trends(&g, "front_line").unwrap();
    let ended: Vec<_> = w
        .desk
        .incidents()
        .trend_events()
        .iter()
        .filter(|e| matches!(&e.kind, TrendEventKind::Ended { key } if key == &checkout))
        .map(|e| e.at)
        .collect();
    assert_eq!(ended, vec![w.now]);

    // It comes back: escalated again, once.
    until_trending(&mut w, &checkout);
    let back = w.now;
    w.escalate_trends(&g, "front_line").unwrap();
    w.tick(30);
    w.escalate_trends(&g, "front_line").unwrap();
    assert_eq!(escalations_of(&w, &checkout), vec![first, back]);
    assert_eq!(
        fanatical::desk::Desk::rebuild(&w.store, config()).unwrap(),
        w.desk
    );
}

/// A trend's category is its kind and value: a rule on the tag
/// `checkout` routes a trend in that tag, and a rule may ask for tags
/// only; before, the trend reached rules as the text "tag checkout".
#[test]
fn a_rule_on_a_tag_routes_a_trend_in_that_tag() {
    use fanatical::escalation::CategoryKind;
    let mut w = World::with_config(config());
    let pm = pm(&mut w);
    let payments = w.ana;
    let g = EscalationGraph::builder()
        .node(Node::team("front_line", "Front line", 0).entry().owner())
        .node(Node::person("payments", "Payments team", 2, payments).owner())
        .node(Node::person("product", "Product management", 3, pm).owner())
        .rule(Rule::new(
            "checkout",
            "front_line",
            "payments",
            Condition::any()
                .trend()
                .in_categories(["checkout"])
                .of_kinds([CategoryKind::Tag]),
            "checkout trends go to payments",
        ))
        .rule(Rule::new(
            "trend",
            "front_line",
            "product",
            Condition::any().trend(),
            "other recurring pain points go to product",
        ))
        .build()
        .unwrap();
    let start = w.now;
    week(&mut w, start);
    w.now = start + Duration::days(7) + Duration::hours(1);
    let checkout = TrendKey::Tag(Tag::new("checkout").unwrap());
    assert_eq!(checkout.category_kind(), CategoryKind::Tag);
    assert_eq!(checkout.value(), "checkout");
    until_trending(&mut w, &checkout);
    w.escalate_trends(&g, "front_line").unwrap();
    let owners: Vec<(TrendKey, String, Vec<AgentId>)> = w
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
            } => Some((trend.key.clone(), owner.clone(), notified.clone())),
            _ => None,
        })
        .collect();
    // The checkout tickets came by chat: the chat channel trends too, and
    // a channel is not a tag, so it goes to product.
    let chat = TrendKey::Channel(fanatical::channel::ChannelKind::Chat);
    assert_eq!(
        owners,
        vec![
            (checkout, "payments".to_owned(), vec![payments]),
            (chat, "product".to_owned(), vec![pm]),
        ]
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
    /// key is escalated once while it lasts: its escalations and ends
    /// alternate, each escalation when it trends and each end when it
    /// does not, and every check leaves every trending key escalated.
    #[test]
    fn a_trend_is_escalated_once_while_it_lasts(
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
        checks.dedup();
        let mut next = arrivals.iter().peekable();
        let trending_at = |w: &World, at| -> std::collections::BTreeSet<TrendKey> {
            w.desk.incidents().trends(at).into_iter().map(|t| t.key).collect()
        };
        for at in &checks {
            while let Some((m, tag)) = next.next_if(|(m, _)| m <= at) {
                w.now = start + Duration::minutes(*m);
                let tag = ["checkout", "login", "dns"][usize::from(*tag)];
                open(&mut w, acme, Some(tag), Channel::Chat);
            }
            w.now = start + Duration::minutes(*at);
            w.escalate_trends(&g, "front_line").unwrap();
            // Every key trending now has an escalation not yet ended.
            let mut lasting = std::collections::BTreeSet::new();
            for e in w.desk.incidents().trend_events() {
                match &e.kind {
                    TrendEventKind::Escalated { trend, .. } => { lasting.insert(trend.key.clone()); }
                    TrendEventKind::Ended { key } => { lasting.remove(key); }
                    _ => {}
                }
            }
            for key in trending_at(&w, w.now) {
                prop_assert!(lasting.contains(&key), "{} trends at {} without an escalation", key, w.now);
            }
        }
        let mut open_escalation: std::collections::BTreeMap<TrendKey, bool> = Default::default();
        for e in w.desk.incidents().trend_events() {
            match &e.kind {
                TrendEventKind::Escalated { trend, .. } => {
                    prop_assert!(!open_escalation.get(&trend.key).copied().unwrap_or(false),
                        "{:?} escalated again at {} while it lasted", trend.key, e.at);
                    prop_assert!(trending_at(&w, e.at).contains(&trend.key));
                    open_escalation.insert(trend.key.clone(), true);
                }
                TrendEventKind::Ended { key } => {
                    prop_assert!(open_escalation.get(key).copied().unwrap_or(false), "{:?} ended without an escalation", key);
                    prop_assert!(!trending_at(&w, e.at).contains(key), "{:?} ended at {} while trending", key, e.at);
                    open_escalation.insert(key.clone(), false);
                }
                _ => {}
            }
        }
    }
}
