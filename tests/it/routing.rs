//! Routing: skills, load, capacity, protected windows, waiting, coverage,
//! and equality (spend never changes who is chosen).

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, TimeZone, Utc, Weekday};
use chrono_tz::America::Chicago;
use fanatical::actor::Actor;
use fanatical::agent::Skill;
use fanatical::customer::{AccountStanding, Currency, CustomerCommand, Money, Tier};
use fanatical::desk::Command;
use fanatical::desk::{CustomerAction, PeopleAction, TicketAction};
use fanatical::id::AgentId;
use fanatical::routing::{Router, Routing, RoutingAgent, RoutingError};
use fanatical::sla::{BusinessCalendar, DayHours};

fn id(n: u128) -> AgentId {
    AgentId::from_uuid(uuid::Uuid::from_u128(n))
}
fn chi(d: u32, h: u32, m: u32) -> DateTime<Utc> {
    Chicago
        .with_ymd_and_hms(2026, 11, d, h, m, 0)
        .unwrap()
        .with_timezone(&Utc)
}
fn day_shift(tz: chrono_tz::Tz, from: &str, to: &str) -> BusinessCalendar {
    BusinessCalendar::weekdays(tz, DayHours::parse(&[(from, to)]).unwrap())
}
fn skill(s: &str) -> Skill {
    Skill::new(s).unwrap()
}

fn team() -> Router {
    Router::new(vec![
        RoutingAgent::new(
            id(1),
            day_shift(Chicago, "08:00", "17:00"),
            [skill("linux"), skill("dns")],
            5,
        )
        .protect(DayHours::parse(&[("08:00", "12:00")]).unwrap())
        .unwrap(),
        RoutingAgent::new(
            id(2),
            day_shift(Chicago, "08:00", "17:00"),
            [skill("linux")],
            3,
        ),
        RoutingAgent::new(
            id(3),
            day_shift(Chicago, "12:00", "21:00"),
            [skill("linux"), skill("windows")],
            5,
        ),
    ])
    .unwrap()
}

#[test]
fn lowest_load_among_the_available_with_a_reason() {
    let r = team();
    let mut loads = BTreeMap::new();
    loads.insert(id(2), 1);
    loads.insert(id(3), 0);
    // 13:00 Monday: all three on duty; 1 and 3 have no tickets; 3 has more
    // spare capacity than 1? Equal (5): the lower id wins.
    match r.route(&[skill("linux")], &loads, chi(2, 13, 0)).unwrap() {
        Routing::Assigned { agent, reason } => {
            assert_eq!(agent, id(1));
            assert_eq!(
                reason,
                format!(
                    "has linux, on duty until {}; 0 of 5 open tickets, the lowest load available",
                    chi(2, 17, 0)
                )
            );
        }
        other => panic!("{other:?}"),
    }
    loads.insert(id(1), 2);
    let Routing::Assigned { agent, .. } =
        r.route(&[skill("linux")], &loads, chi(2, 13, 0)).unwrap()
    else {
        panic!()
    };
    assert_eq!(agent, id(3));
    // Skills narrow the field.
    let Routing::Assigned { agent, .. } = r.route(&[skill("dns")], &loads, chi(2, 13, 0)).unwrap()
    else {
        panic!()
    };
    assert_eq!(agent, id(1));
}

#[test]
fn protected_mornings_are_never_routed_into() {
    let r = team();
    // 09:00: agent 1 is on shift but protected; only agent 1 has DNS.
    let got = r
        .route(&[skill("dns")], &BTreeMap::new(), chi(2, 9, 0))
        .unwrap();
    assert_eq!(
        got,
        Routing::Wait {
            agent: id(1),
            at: chi(2, 12, 0),
            reason: format!(
                "nobody with dns is available now; the first is on duty at {}; \
                 not routed to agent {}: in protected time until {}",
                chi(2, 12, 0),
                id(1),
                chi(2, 12, 0)
            ),
        }
    );
    // Full agents are skipped too.
    let mut loads = BTreeMap::new();
    loads.insert(id(2), 3);
    match r.route(&[skill("linux")], &loads, chi(2, 9, 0)).unwrap() {
        Routing::Wait { agent, at, .. } => {
            // Agent 1's protection ends at 12:00, when agent 3 also starts:
            // the lower id is reported.
            assert_eq!((agent, at), (id(1), chi(2, 12, 0)));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn at_night_it_says_who_is_first_and_when() {
    let r = team();
    // Friday 22:00: the next person on duty is Monday 08:00 (agent 2; agent
    // 1 is protected until noon).
    match r
        .route(&[skill("linux")], &BTreeMap::new(), chi(6, 22, 0))
        .unwrap()
    {
        Routing::Wait { agent, at, .. } => assert_eq!((agent, at), (id(2), chi(9, 8, 0))),
        other => panic!("{other:?}"),
    }
}

#[test]
fn bad_requests_and_bad_agents() {
    let r = team();
    assert_eq!(
        r.route(&[skill("mainframe")], &BTreeMap::new(), chi(2, 13, 0)),
        Err(RoutingError::NoSkill(vec![skill("mainframe")]))
    );
    // Everybody has the skills separately, nobody together.
    assert_eq!(
        r.route(
            &[skill("dns"), skill("windows")],
            &BTreeMap::new(),
            chi(2, 13, 0)
        ),
        Err(RoutingError::NoSkill(vec![skill("dns"), skill("windows")]))
    );
    let err = RoutingAgent::new(id(9), day_shift(Chicago, "09:00", "17:00"), [], 1)
        .protect_on(
            Weekday::Wed,
            DayHours::parse(&[("08:00", "18:00")]).unwrap(),
        )
        .unwrap_err();
    assert_eq!(
        err,
        RoutingError::ProtectedLongerThanDay {
            agent: id(9),
            weekday: Weekday::Wed,
            protected: 600,
            working: 480
        }
    );
    let dup = Router::new(vec![
        RoutingAgent::new(id(1), BusinessCalendar::always(), [], 1),
        RoutingAgent::new(id(1), BusinessCalendar::always(), [], 1),
    ]);
    assert_eq!(dup, Err(RoutingError::DuplicateAgent(id(1))));
    let never = Router::new(vec![RoutingAgent::new(
        id(1),
        BusinessCalendar::weekly(Chicago, std::array::from_fn(|_| DayHours::closed())),
        [skill("linux")],
        1,
    )])
    .unwrap();
    assert_eq!(
        never.route(&[skill("linux")], &BTreeMap::new(), chi(2, 9, 0)),
        Err(RoutingError::NobodyEverAvailable)
    );
}

#[test]
fn coverage_finds_the_hours_nobody_is_on_duty() {
    let r = team();
    let monday = chi(2, 0, 0);
    let c = r.coverage(&[], monday);
    // Weekdays 08:00-21:00 are covered (agent 2 from 8, agent 3 until 21);
    // nights and the weekend are not.
    assert!(!c.is_complete());
    assert_eq!(
        c.gaps,
        vec![
            (monday, chi(2, 8, 0)),
            (chi(2, 21, 0), chi(3, 8, 0)),
            (chi(3, 21, 0), chi(4, 8, 0)),
            (chi(4, 21, 0), chi(5, 8, 0)),
            (chi(5, 21, 0), chi(6, 8, 0)),
            (chi(6, 21, 0), chi(9, 0, 0)),
        ]
    );
    assert_eq!(c.uncovered(), Duration::hours(7 * 24 - 5 * 13));
    // Agent 1 alone: protected mornings are not coverage.
    let solo = r.coverage(&[id(1)], monday);
    assert_eq!(solo.gaps[0], (monday, chi(2, 12, 0)));
    // Follow the sun: three eight-hour shifts in three zones cover a 24x7 promise.
    let sun = Router::new(vec![
        RoutingAgent::new(
            id(1),
            BusinessCalendar::weekly(
                chrono_tz::UTC,
                std::array::from_fn(|_| DayHours::parse(&[("00:00", "08:00")]).unwrap()),
            ),
            [],
            5,
        ),
        RoutingAgent::new(
            id(2),
            BusinessCalendar::weekly(
                chrono_tz::UTC,
                std::array::from_fn(|_| DayHours::parse(&[("08:00", "16:00")]).unwrap()),
            ),
            [],
            5,
        ),
        RoutingAgent::new(
            id(3),
            BusinessCalendar::weekly(
                chrono_tz::UTC,
                std::array::from_fn(|_| DayHours::parse(&[("16:00", "24:00")]).unwrap()),
            ),
            [],
            5,
        ),
    ])
    .unwrap();
    let week = sun.coverage(&[], Utc.with_ymd_and_hms(2026, 11, 2, 0, 0, 0).unwrap());
    assert!(week.is_complete(), "{:?}", week.gaps);
}

#[test]
fn two_customers_who_differ_only_in_spend_are_routed_identically() {
    let route_for = |spend: i64, tier: Tier| {
        let mut w = crate::support::World::new();
        let acme = w.acme;
        w.run(Command::new(
            Actor::integration("setup"),
            CustomerAction::Update {
                customer: acme,
                command: CustomerCommand::SetAccountStanding {
                    standing: AccountStanding {
                        monthly_spend: Money {
                            minor: spend,
                            currency: Currency::new("USD").unwrap(),
                        },
                        tier,
                    },
                },
            },
        ))
        .unwrap();
        // Some existing load, the same in both worlds.
        let busy = w.jane_emails("earlier problem");
        let ana = w.ana;
        w.run(Command::new(
            Actor::integration("setup"),
            TicketAction::assign(busy, ana),
        ))
        .unwrap();
        let t = w.jane_emails("site down");
        let router = Router::new(vec![
            RoutingAgent::new(ana, BusinessCalendar::always(), [skill("linux")], 5),
            RoutingAgent::new(w.bill, BusinessCalendar::always(), [skill("linux")], 5),
        ])
        .unwrap();
        let now = w.now;
        (
            w.desk
                .tickets()
                .route(t, &router, &[skill("linux")], now)
                .unwrap(),
            w.bill,
        )
    };
    let (vip, bill) = route_for(25_000_000, Tier::Enterprise);
    let (small, _) = route_for(1_000, Tier::Standard);
    assert_eq!(vip, small);
    // Ana already holds a ticket: Bill, with none, takes it either way.
    assert!(matches!(vip, Routing::Assigned { agent, .. } if agent == bill));
}

#[test]
fn the_desk_counts_open_assigned_tickets_as_load() {
    let mut w = crate::support::World::new();
    let ana = w.ana;
    let a = w.jane_emails("one");
    let b = w.jane_emails("two");
    w.run(Command::new(
        Actor::integration("setup"),
        TicketAction::assign(a, ana),
    ))
    .unwrap();
    w.run(Command::new(
        Actor::integration("setup"),
        TicketAction::assign(b, ana),
    ))
    .unwrap();
    assert_eq!(w.desk.tickets().loads().get(&ana), Some(&2));
    w.run(Command::new(
        Actor::integration("setup"),
        TicketAction::set_status(a, fanatical::ticket::Status::Solved),
    ))
    .unwrap();
    assert_eq!(w.desk.tickets().loads().get(&ana), Some(&1));
    let bill = w.bill;
    w.run(Command::new(
        Actor::integration("setup"),
        TicketAction::assign(b, bill),
    ))
    .unwrap();
    assert_eq!(w.desk.tickets().loads().get(&ana), None);
    assert_eq!(w.desk.tickets().loads().get(&bill), Some(&1));
    // Reopening counts again.
    let jane = w.jane;
    w.run(Command::reply_on(
        a,
        fanatical::ticket::Author::Contact(jane),
        fanatical::channel::Channel::Email,
        "again",
        vec![],
    ))
    .unwrap();
    assert_eq!(w.desk.tickets().loads().get(&ana), Some(&1));
}

#[test]
fn routing_agents_come_from_desk_agents_in_their_own_zone() {
    let mut w = crate::support::World::new();
    let ana = w.ana;
    w.run(Command::new(
        Actor::integration("setup"),
        PeopleAction::UpdateAgent {
            agent: ana,
            command: fanatical::agent::AgentCommand::AddSkill(skill("linux")),
        },
    ))
    .unwrap();
    let nine_to_five: [DayHours; 7] = std::array::from_fn(|d| {
        if d < 5 {
            DayHours::parse(&[("09:00", "17:00")]).unwrap()
        } else {
            DayHours::closed()
        }
    });
    let r = RoutingAgent::for_agent(w.desk.people().agent(ana).unwrap(), nine_to_five, 4);
    assert!(r.skills().contains(&skill("linux")));
    // Ana works in Chicago: 09:00 there is on duty, 09:00 UTC is not.
    assert!(r.is_available(chi(2, 9, 0)));
    assert!(!r.is_available(Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap()));
}
