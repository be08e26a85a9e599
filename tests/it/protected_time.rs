//! People's time is respected (story 004, Rackspace). Rob La Gesse works
//! "from 11 AM to 5 AM, the next morning"; Ana's mornings are hers until
//! ten. Their hours, protected windows and absences live on their record,
//! set by commands; routing passes over them then and says so, and pages
//! that can wait are delivered at their next working minute, while urgent
//! ones go at once.

use chrono::{DateTime, Duration, TimeZone, Utc};
use chrono_tz::America::Chicago;
use fanatical::actor::{Actor, TimerKind};
use fanatical::agent::{Absence, AgentCommand, AgentError, Role};
use fanatical::desk::{
    Command, Desk, DeskConfig, PageKind, PagePolicy, PageTiming, PeopleAction, RecognitionAction,
    TicketAction, Timer,
};
use fanatical::id::{AgentId, PraiseId, TicketId};
use fanatical::outbox::{OutboundMessage, OutboxAction, Recipient};
use fanatical::recognition::PraiseSource;
use fanatical::routing::{Router, Routing, RoutingAgent};
use fanatical::sla::{BusinessCalendar, DayHours};
use fanatical::ticket::{Priority, TicketCommand};

use crate::support::World;

/// A local time in Windcrest, Texas, in November 2026 (CST, UTC-6).
fn chi(day: u32, h: u32) -> DateTime<Utc> {
    Chicago
        .with_ymd_and_hms(2026, 11, day, h, 0, 0)
        .unwrap()
        .with_timezone(&Utc)
}

fn day(from: &str, to: &str) -> DayHours {
    DayHours::parse(&[(from, to)]).unwrap()
}

fn update(agent: AgentId, command: AgentCommand) -> Command {
    Command::new(
        Actor::integration("hr"),
        PeopleAction::UpdateAgent { agent, command },
    )
}

struct Rackspace {
    w: World,
    ceo: AgentId,
    rob: AgentId,
    ticket: TicketId,
}

/// The CEO (no hours set: reachable around the clock), Rob (11:00 to
/// 05:00 every day) and Ana (weekdays 08:00-17:00, the mornings until
/// 10:00 hers), who reports to Rob, who reports to the CEO. Jane's ticket
/// is Ana's.
fn rackspace(config: DeskConfig) -> Rackspace {
    let mut w = World::with_config(config);
    let hire = |w: &mut World, name: &str, role: Role| {
        let id: AgentId = w.ids.next_id();
        w.run(Command::new(
            Actor::integration("hr"),
            PeopleAction::RegisterAgent {
                id,
                name: name.into(),
                time_zone: Chicago,
                roles: vec![role],
                skills: vec![],
            },
        ))
        .unwrap();
        id
    };
    let ceo = hire(&mut w, "Graham", Role::Executive);
    let rob = hire(&mut w, "Rob", Role::Executive);
    let ana = w.ana;
    let nights = day("11:00", "24:00");
    let nights = DayHours::new(
        [day("00:00", "05:00").shifts(), nights.shifts()]
            .concat()
            .to_vec(),
    )
    .unwrap();
    let setup = [
        update(rob, AgentCommand::ReportTo(Some(ceo))),
        update(ana, AgentCommand::ReportTo(Some(rob))),
        update(
            rob,
            AgentCommand::SetWorkingHours(Some(BusinessCalendar::weekly(
                Chicago,
                std::array::from_fn(|_| nights.clone()),
            ))),
        ),
        update(
            ana,
            AgentCommand::SetWorkingHours(Some(BusinessCalendar::weekdays(
                Chicago,
                day("08:00", "17:00"),
            ))),
        ),
        update(
            ana,
            AgentCommand::SetProtectedTime(Some(BusinessCalendar::weekdays(
                Chicago,
                day("08:00", "10:00"),
            ))),
        ),
    ];
    for cmd in setup {
        w.run(cmd).unwrap();
    }
    let ticket = w.jane_emails("Our site is down");
    w.run(Command::new(
        Actor::integration("setup"),
        TicketAction::assign(ticket, ana),
    ))
    .unwrap();
    Rackspace {
        w,
        ceo,
        rob,
        ticket,
    }
}

/// Hands out and acknowledges everything due at `at`; returns the pages
/// to employees among it, by recipient and text.
fn deliver(w: &mut World, at: DateTime<Utc>) -> Vec<(AgentId, String)> {
    let mut pages = Vec::new();
    while let Some(m) = w.desk.poll_outbound(at) {
        if let Recipient::Agent { agent } = m.recipient {
            pages.push((agent, m.body.clone()));
        }
        w.desk
            .execute(
                &mut w.store,
                Command::new(
                    Actor::integration("transport"),
                    OutboxAction::MarkDelivered { message: m.id },
                ),
                at,
            )
            .unwrap();
    }
    pages
}

fn pages_to(w: &World, agent: AgentId) -> Vec<OutboundMessage> {
    w.desk
        .channels()
        .outbox()
        .filter(|m| m.message.recipient == Recipient::Agent { agent })
        .map(|m| m.message.clone())
        .collect()
}

fn praise(w: &mut World, ticket: TicketId, text: &str) {
    let p: PraiseId = w.ids.next_id();
    let acme = w.acme;
    w.run(Command::new(
        Actor::integration("social"),
        RecognitionAction::RecordPraise {
            praise: p,
            source: PraiseSource::TicketReply,
            text: text.into(),
            customer: Some(acme),
            ticket: Some(ticket),
        },
    ))
    .unwrap();
}

#[test]
fn kudos_wait_for_each_persons_next_working_minute() {
    let Rackspace {
        mut w,
        ceo,
        rob,
        ticket,
    } = rackspace(DeskConfig::default());
    let ana = w.ana;
    // Monday 07:00: Ana is not on shift yet, Rob is asleep, the CEO is
    // reachable.
    w.now = chi(2, 7);
    deliver(&mut w, chi(2, 7));
    praise(&mut w, ticket, "Ana saved our launch!");
    let after = |w: &World, a| -> Vec<Option<DateTime<Utc>>> {
        pages_to(w, a).iter().map(|m| m.deliver_after).collect()
    };
    assert_eq!(after(&w, ceo), vec![None]);
    assert_eq!(after(&w, ana), vec![Some(chi(2, 10))], "after her morning");
    assert_eq!(after(&w, rob), vec![Some(chi(2, 11))], "when he starts");
    // Only the CEO's goes now; the desk wakes for Ana's at ten.
    assert_eq!(
        deliver(&mut w, chi(2, 7)),
        vec![(ceo, "Kudos for Ana: \"Ana saved our launch!\"".to_owned())]
    );
    let next = w.desk.next_timer().unwrap();
    assert_eq!((next.at, next.kind), (chi(2, 10), TimerKind::DeferredPage));
    assert!(matches!(next.timer, Timer::Deferred(_)));
    assert_eq!(w.desk.poll_timeout(), Some(chi(2, 10)));
    assert_eq!(deliver(&mut w, chi(2, 10) - Duration::seconds(1)), vec![]);
    assert_eq!(
        deliver(&mut w, chi(2, 10)),
        vec![(
            ana,
            "A customer praised you: \"Ana saved our launch!\"".to_owned()
        )]
    );
    assert_eq!(w.desk.poll_timeout(), Some(chi(2, 11)));
    assert_eq!(
        deliver(&mut w, chi(2, 11)),
        vec![(rob, "Kudos for Ana: \"Ana saved our launch!\"".to_owned())]
    );
    assert_eq!(w.desk.channels().undelivered(), 0);
}

#[test]
fn a_desk_rebuilt_from_the_record_keeps_the_page_waiting() {
    let Rackspace { mut w, ticket, .. } = rackspace(DeskConfig::default());
    let ana = w.ana;
    w.now = chi(2, 9);
    praise(&mut w, ticket, "Thank you Ana");
    let rebuilt = Desk::rebuild(&w.store, DeskConfig::default()).unwrap();
    assert_eq!(
        rebuilt.people().agent(ana).unwrap().schedule(),
        w.desk.people().agent(ana).unwrap().schedule()
    );
    w.desk = rebuilt;
    let now_pages: Vec<_> = deliver(&mut w, chi(2, 9))
        .into_iter()
        .filter(|(a, _)| *a == ana)
        .collect();
    assert_eq!(now_pages, vec![]);
    assert_eq!(
        deliver(&mut w, chi(2, 10)),
        vec![(ana, "A customer praised you: \"Thank you Ana\"".to_owned())]
    );
}

#[test]
fn an_urgent_escalation_goes_at_once_and_an_ordinary_one_waits() {
    let Rackspace { mut w, ticket, .. } = rackspace(DeskConfig::default());
    let (ana, bill) = (w.ana, w.bill);
    // Monday 08:30: Ana is in her protected morning.
    w.now = chi(2, 8) + Duration::minutes(30);
    let escalate = |department: &str, reason: &str| {
        Command::new(
            Actor::Agent(bill),
            TicketAction::Escalate {
                ticket,
                department: department.into(),
                reason: reason.into(),
                context: vec![],
                notify: vec![ana],
            },
        )
    };
    w.run(escalate("Tier 2", "slow disks")).unwrap();
    w.run(Command::new(
        Actor::Agent(bill),
        TicketAction::Update {
            ticket,
            command: TicketCommand::SetPriority(Priority::Urgent),
        },
    ))
    .unwrap();
    w.run(escalate("Datacenter", "the whole site is down"))
        .unwrap();
    let mut pages: Vec<_> = pages_to(&w, ana)
        .into_iter()
        .map(|m| (m.body, m.deliver_after))
        .collect();
    pages.sort_by_key(|(_, after)| std::cmp::Reverse(*after));
    assert_eq!(
        pages,
        vec![
            (
                format!("Ticket {ticket} is yours now (Tier 2): slow disks"),
                Some(chi(2, 10))
            ),
            (
                format!("Ticket {ticket} is yours now (Datacenter): the whole site is down"),
                None
            ),
        ]
    );
    let now = w.now;
    assert_eq!(
        deliver(&mut w, now),
        vec![(
            ana,
            format!("Ticket {ticket} is yours now (Datacenter): the whole site is down")
        )]
    );
}

#[test]
fn an_absence_holds_pages_and_routing_until_the_person_is_back() {
    let Rackspace { mut w, ticket, .. } = rackspace(DeskConfig::default());
    let (ana, bill) = (w.ana, w.bill);
    w.now = chi(3, 12);
    // Away from Tuesday noon until Thursday 09:00: back after Thursday's
    // protected morning, at ten.
    let away = Absence {
        from: chi(3, 12),
        until: chi(5, 9),
    };
    w.run(update(ana, AgentCommand::AddAbsence(away))).unwrap();
    assert_eq!(
        w.desk
            .people()
            .agent(ana)
            .unwrap()
            .schedule()
            .absences()
            .collect::<Vec<_>>(),
        vec![away]
    );
    praise(&mut w, ticket, "Ana is great");
    assert_eq!(
        pages_to(&w, ana)
            .iter()
            .map(|m| m.deliver_after)
            .collect::<Vec<_>>(),
        vec![Some(chi(5, 10))]
    );
    // Routing passes over her and says why.
    let ana_r = RoutingAgent::from_agent(w.desk.people().agent(ana).unwrap(), 10);
    let router = Router::new(vec![ana_r.clone()]).unwrap();
    assert_eq!(
        w.desk.tickets().route(ticket, &router, &[], w.now).unwrap(),
        Routing::Wait {
            agent: ana,
            at: chi(5, 10),
            reason: format!(
                "nobody with no special skills needed is available now; the first is on duty at {}; \
                 not routed to agent {ana}: not available until {}",
                chi(5, 10),
                chi(5, 9)
            ),
        }
    );
    let bill_r = RoutingAgent::from_agent(w.desk.people().agent(bill).unwrap(), 10);
    let router = Router::new(vec![ana_r, bill_r]).unwrap();
    match w.desk.tickets().route(ticket, &router, &[], w.now).unwrap() {
        Routing::Assigned { agent, reason } => {
            assert_eq!(agent, bill);
            assert_eq!(
                reason,
                format!(
                    "has no special skills needed; 0 of 10 open tickets, the lowest load available; \
                     not routed to agent {ana}: not available until {}",
                    chi(5, 9)
                )
            );
        }
        other => panic!("{other:?}"),
    }
    // Thursday 09:00 she is back but her morning is hers.
    match w
        .desk
        .tickets()
        .route(ticket, &router, &[], chi(5, 9))
        .unwrap()
    {
        Routing::Assigned { agent, reason } => {
            assert_eq!(agent, bill);
            assert!(
                reason.ends_with(&format!(
                    "not routed to agent {ana}: in protected time until {}",
                    chi(5, 10)
                )),
                "{reason}"
            );
        }
        other => panic!("{other:?}"),
    }
    // Cancelled, the absence no longer holds anything new.
    w.run(update(ana, AgentCommand::CancelAbsence(away.from)))
        .unwrap();
    assert_eq!(
        w.desk
            .people()
            .agent(ana)
            .unwrap()
            .schedule()
            .absences()
            .count(),
        0
    );
}

#[test]
fn schedules_that_make_no_sense_are_refused_and_change_nothing() {
    let Rackspace { mut w, .. } = rackspace(DeskConfig::default());
    let ana = w.ana;
    w.now = chi(3, 12);
    // Protected around the clock: she would never be reachable again.
    w.refused(
        update(
            ana,
            AgentCommand::SetProtectedTime(Some(BusinessCalendar::always())),
        ),
        AgentError::NeverAvailable(ana),
    );
    // Hours that never open.
    w.refused(
        update(
            ana,
            AgentCommand::SetWorkingHours(Some(BusinessCalendar::weekly(
                Chicago,
                std::array::from_fn(|_| DayHours::closed()),
            ))),
        ),
        AgentError::NeverAvailable(ana),
    );
    w.refused(
        update(
            ana,
            AgentCommand::AddAbsence(Absence {
                from: chi(4, 9),
                until: chi(4, 9),
            }),
        ),
        AgentError::EmptyAbsence {
            agent: ana,
            from: chi(4, 9),
            until: chi(4, 9),
        },
    );
    let week = Absence {
        from: chi(9, 0),
        until: chi(14, 0),
    };
    w.run(update(ana, AgentCommand::AddAbsence(week))).unwrap();
    w.refused(
        update(
            ana,
            AgentCommand::AddAbsence(Absence {
                from: chi(13, 0),
                until: chi(16, 0),
            }),
        ),
        AgentError::OverlappingAbsence {
            agent: ana,
            from: chi(13, 0),
            until: chi(16, 0),
            other_from: chi(9, 0),
            other_until: chi(14, 0),
        },
    );
    w.refused(
        update(ana, AgentCommand::CancelAbsence(chi(10, 0))),
        AgentError::UnknownAbsence {
            agent: ana,
            from: chi(10, 0),
        },
    );
    assert_eq!(
        AgentError::NeverAvailable(ana).to_string(),
        format!(
            "agent {ana} would never be available again: no working time is left outside protected time"
        )
    );
}

#[test]
fn the_policy_is_configured_kind_by_kind() {
    // Everything at once: the desk as it was before schedules.
    let Rackspace {
        mut w, rob, ticket, ..
    } = rackspace(DeskConfig::default().with_pages(PagePolicy::all_at_once()));
    w.now = chi(2, 7);
    praise(&mut w, ticket, "Great night support");
    assert_eq!(
        pages_to(&w, rob)
            .iter()
            .map(|m| m.deliver_after)
            .collect::<Vec<_>>(),
        vec![None]
    );
    // Only kudos at once, from configuration.
    let config: DeskConfig = serde_json::from_value(serde_json::json!({
        "ticket_rules": serde_json::to_value(DeskConfig::default().ticket_rules).unwrap(),
        "retry": serde_json::to_value(DeskConfig::default().retry).unwrap(),
        "pages": {"kudos": "at_once"},
    }))
    .unwrap();
    assert_eq!(
        config.pages,
        PagePolicy::default().with(PageKind::Kudos, PageTiming::AtOnce)
    );
    assert_eq!(
        config.pages.timing(PageKind::PraiseReminder),
        PageTiming::NextWorkingMinute
    );
    assert_eq!(
        PagePolicy::default().timing(PageKind::IncidentUpdateOverdue),
        PageTiming::AtOnce
    );
    assert!(serde_json::from_value::<PagePolicy>(serde_json::json!({"kudoz": "at_once"})).is_err());
}

#[test]
fn an_incident_commander_in_a_protected_morning_is_warned_after_it_and_paged_at_once_when_overdue()
{
    use fanatical::id::IncidentId;
    let mut o = crate::incidents::outage_world(crate::incidents::config());
    let boss = o.boss;
    o.w.now = chi(2, 8);
    o.w.run(update(
        boss,
        AgentCommand::SetProtectedTime(Some(BusinessCalendar::weekdays(
            Chicago,
            day("08:00", "10:00"),
        ))),
    ))
    .unwrap();
    let id: IncidentId = o.w.ids.next_id();
    crate::incidents::declare(&mut o, id);
    // The warning at 08:25 waits for ten; the miss at 08:31 goes at once.
    for minutes in [25, 31] {
        let at = chi(2, 8) + Duration::minutes(minutes);
        o.w.now = at;
        o.w.desk.handle_timeout(&mut o.w.store, at).unwrap();
    }
    let due = chi(2, 8) + Duration::minutes(30);
    let mut pages: Vec<_> = pages_to(&o.w, boss)
        .into_iter()
        .map(|m| (m.queued_at, m.body, m.deliver_after))
        .collect();
    pages.sort();
    assert_eq!(
        pages,
        vec![
            (
                chi(2, 8) + Duration::minutes(25),
                format!("Incident \"DFW1 power loss\": the next update is due at {due}."),
                Some(chi(2, 10))
            ),
            (
                chi(2, 8) + Duration::minutes(31),
                format!("Incident \"DFW1 power loss\": the update due at {due} was missed."),
                None
            ),
        ]
    );
    let at = o.w.now;
    let handed: Vec<_> = deliver(&mut o.w, at)
        .into_iter()
        .filter(|(a, _)| *a == boss)
        .collect();
    assert_eq!(
        handed,
        vec![(
            boss,
            format!("Incident \"DFW1 power loss\": the update due at {due} was missed.")
        )]
    );
}
