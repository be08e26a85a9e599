//! Automatic assignment (issue 18, item 4): tickets arriving on a
//! configured channel are assigned in the same decision, in turn among
//! equals, within each agent's capacity for the channel, to agents on duty
//! with the skills; those nobody can take wait with the reason and the
//! time someone will be on duty, and are tried again then; tickets move
//! when their agent becomes absent or leaves.

use chrono::{DateTime, Duration, Utc};
use fanatical::actor::{Actor, Cause};
use fanatical::agent::{Absence, AgentCommand, Role, Skill};
use fanatical::assignment::{AUTO_ASSIGN, AutoAssign, WaitReason};
use fanatical::channel::{Channel, ChannelKind};
use fanatical::desk::{Command, Desk, DeskConfig, InboundMessage, PeopleAction, TicketAction};
use fanatical::event::Event;
use fanatical::field::{FieldTerm, FieldValue};
use fanatical::id::{AgentId, TicketId};
use fanatical::routing::FieldSkills;
use fanatical::sla::{BusinessCalendar, DayHours};
use fanatical::store::{RecordedEvent, Store};
use fanatical::ticket::{Status, TicketEventKind};
use proptest::prelude::*;

use crate::fields::key;
use crate::support::World;

fn rule() -> Actor {
    Actor::System(Cause::Rule(AUTO_ASSIGN.to_owned()))
}

fn hr(agent: AgentId, command: AgentCommand) -> Command {
    Command::new(
        Actor::integration("hr"),
        PeopleAction::UpdateAgent { agent, command },
    )
}

/// A world with a third agent, the three in id order (A, B, C), none
/// with working hours (on duty around the clock).
fn three(config: AutoAssign) -> (World, [AgentId; 3]) {
    let mut w = crate::fields::world_with(DeskConfig::default().with_assignment(config));
    let carl: AgentId = w.ids.next_id();
    w.run(Command::new(
        Actor::integration("setup"),
        PeopleAction::RegisterAgent {
            id: carl,
            name: "Carl".into(),
            time_zone: fanatical::chrono_tz::UTC,
            roles: vec![Role::Agent],
            skills: vec![],
        },
    ))
    .unwrap();
    let mut ids = [w.ana, w.bill, carl];
    ids.sort();
    (w, ids)
}

/// Jane writes on `channel` (a call from her phone, anything else from
/// her email address); returns the ticket and what was recorded.
fn arrives(w: &mut World, channel: Channel) -> (TicketId, Vec<RecordedEvent>) {
    let id = w.ids.next_id();
    let from = match channel {
        Channel::Phone => w.jane_phone.clone(),
        _ => w.jane_email.clone(),
    };
    let msg = InboundMessage::new(id, channel, from, "Help");
    let recorded = w
        .run(Command::new(
            Actor::integration("inbound"),
            TicketAction::Receive(msg),
        ))
        .unwrap();
    (id, recorded)
}

fn email(w: &mut World) -> TicketId {
    arrives(w, Channel::Email).0
}

fn phone(w: &mut World) -> TicketId {
    arrives(w, Channel::Phone).0
}

fn assignee(w: &World, t: TicketId) -> Option<AgentId> {
    w.desk.tickets().get(t).unwrap().assignee()
}

fn solve(w: &mut World, t: TicketId) {
    let a = assignee(w, t).unwrap();
    w.run(Command::new(
        Actor::Agent(a),
        TicketAction::set_status(t, Status::Solved),
    ))
    .unwrap();
}

fn on_email() -> AutoAssign {
    AutoAssign::off().channel(ChannelKind::Email)
}

#[test]
fn equals_are_taken_in_turn_in_the_decision_that_opens_the_ticket() {
    let (mut w, [a, b, c]) = three(on_email());
    let (t1, recorded) = arrives(&mut w, Channel::Email);
    // One append: the opening and the assignment, the latter by the rule.
    let kinds: Vec<(&Option<Actor>, &TicketEventKind)> = recorded
        .iter()
        .filter_map(|r| match &r.event {
            Event::Ticket(e) => Some((&r.actor, &e.kind)),
            _ => None,
        })
        .collect();
    assert!(matches!(kinds[0].1, TicketEventKind::Opened { .. }));
    assert_eq!(kinds[0].0, &Some(Actor::integration("inbound")));
    assert!(kinds.iter().any(|(actor, k)| {
        matches!(k, TicketEventKind::Assigned { agent: Some(x) } if *x == a)
            && *actor == &Some(rule())
    }));
    assert_eq!(assignee(&w, t1), Some(a));
    let rest: Vec<_> = (0..3).map(|_| email(&mut w)).collect();
    let got: Vec<_> = rest.iter().map(|t| assignee(&w, *t).unwrap()).collect();
    assert_eq!(got, vec![b, c, a]);
}

#[test]
fn the_turn_is_not_the_lowest_id_when_loads_stay_equal() {
    // Each ticket is solved before the next arrives: every load is back
    // to zero, and the lowest id would take them all.
    let (mut w, [a, b, c]) = three(on_email());
    let mut got = Vec::new();
    for _ in 0..4 {
        let t = email(&mut w);
        got.push(assignee(&w, t).unwrap());
        solve(&mut w, t);
    }
    assert_eq!(got, vec![a, b, c, a]);
}

#[test]
fn channels_not_configured_are_left_alone_and_off_by_default() {
    let (mut w, _) = three(on_email());
    let t = phone(&mut w);
    assert_eq!(assignee(&w, t), None);
    assert!(w.desk.tickets().unassigned().is_empty());
    let (mut w, _) = three(AutoAssign::off());
    let t = email(&mut w);
    assert_eq!(assignee(&w, t), None);
    assert_eq!(w.desk.poll_timeout(), None);
}

#[test]
fn capacity_is_per_channel_and_never_exceeded() {
    let config = on_email()
        .channel(ChannelKind::Phone)
        .capacity(ChannelKind::Phone, 1)
        .capacity(ChannelKind::Email, 2);
    let (mut w, agents) = three(config);
    let phones: Vec<_> = (0..3).map(|_| phone(&mut w)).collect();
    let mut who: Vec<_> = phones.iter().map(|t| assignee(&w, *t).unwrap()).collect();
    who.sort();
    assert_eq!(who, agents.to_vec(), "one call each");
    let fourth = phone(&mut w);
    assert_eq!(assignee(&w, fourth), None);
    let listed = w.desk.tickets().unassigned();
    assert_eq!(listed.len(), 1);
    assert_eq!(
        (listed[0].ticket, listed[0].reason, listed[0].until),
        (fourth, &WaitReason::AtCapacity, None)
    );
    // A call ends: the waiting one goes to whoever had it, in the same
    // decision.
    let freed = assignee(&w, phones[1]).unwrap();
    solve(&mut w, phones[1]);
    assert_eq!(assignee(&w, fourth), Some(freed));
    assert!(w.desk.tickets().unassigned().is_empty());
    // Email has its own capacity: two each, then none.
    let emails: Vec<_> = (0..7).map(|_| email(&mut w)).collect();
    for a in agents {
        let n = emails
            .iter()
            .filter(|t| assignee(&w, **t) == Some(a))
            .count();
        assert_eq!(n, 2);
    }
    assert_eq!(assignee(&w, emails[6]), None);
}

fn enterprise() -> FieldSkills {
    FieldSkills::new().map(
        key("plan"),
        FieldTerm::option("enterprise"),
        Skill::new("enterprise").unwrap(),
    )
}

fn enterprise_email(w: &mut World) -> TicketId {
    let id = w.ids.next_id();
    let msg = InboundMessage::new(id, Channel::Email, w.jane_email.clone(), "Help")
        .with_field(key("plan"), FieldValue::choice("enterprise"));
    w.run(Command::new(
        Actor::integration("inbound"),
        TicketAction::Receive(msg),
    ))
    .unwrap();
    id
}

#[test]
fn only_agents_with_the_skills_are_chosen() {
    let (mut w, [a, b, c]) = three(on_email().field_skills(enterprise()));
    let t = enterprise_email(&mut w);
    assert_eq!(assignee(&w, t), None);
    let listed = w.desk.tickets().unassigned();
    assert_eq!(
        listed[0].reason,
        &WaitReason::NoSkill {
            skills: vec!["enterprise".to_owned()]
        }
    );
    assert_eq!(listed[0].until, None);
    w.run(hr(
        b,
        AgentCommand::AddSkill(Skill::new("enterprise").unwrap()),
    ))
    .unwrap();
    for _ in 0..3 {
        let t = enterprise_email(&mut w);
        assert_eq!(assignee(&w, t), Some(b));
    }
    // Ordinary tickets still go round everyone, lowest load first.
    let t = email(&mut w);
    assert!([a, c].contains(&assignee(&w, t).unwrap()));
}

fn nine_to_five() -> BusinessCalendar {
    BusinessCalendar::weekly(
        fanatical::chrono_tz::UTC,
        std::array::from_fn(|_| DayHours::parse(&[("09:00", "17:00")]).unwrap()),
    )
}

#[test]
fn off_duty_and_absent_agents_are_skipped_and_the_ticket_waits_until_someone_is_on() {
    let (mut w, [a, b, c]) = three(on_email());
    // 02:00 UTC: A and B work nine to five, C is away until noon.
    for x in [a, b] {
        w.run(hr(x, AgentCommand::SetWorkingHours(Some(nine_to_five()))))
            .unwrap();
    }
    let noon = w.now + Duration::hours(10);
    let nine = w.now + Duration::hours(7);
    let away = Absence {
        from: w.now - Duration::hours(1),
        until: noon,
    };
    w.run(hr(c, AgentCommand::AddAbsence(away))).unwrap();
    let t = email(&mut w);
    let u = email(&mut w);
    assert_eq!((assignee(&w, t), assignee(&w, u)), (None, None));
    let listed = w.desk.tickets().unassigned();
    let got: Vec<_> = listed
        .iter()
        .map(|l| (l.ticket, l.reason, l.until))
        .collect();
    let mut want = vec![
        (t, &WaitReason::OffDuty, Some(nine)),
        (u, &WaitReason::OffDuty, Some(nine)),
    ];
    want.sort_by_key(|x| x.0);
    assert_eq!(got, want, "by time, then id");
    // The desk wakes at nine and assigns both, in turn.
    assert_eq!(w.desk.poll_timeout(), Some(nine));
    w.now = nine;
    w.desk.handle_timeout(&mut w.store, nine).unwrap();
    let mut who = [assignee(&w, t).unwrap(), assignee(&w, u).unwrap()];
    who.sort();
    assert_eq!(who, [a, b]);
    assert!(w.desk.tickets().unassigned().is_empty());
    // C is back at noon but A and B are on duty: C takes the next one
    // only when it is their turn and load.
    w.now = noon;
    let v = email(&mut w);
    assert_eq!(assignee(&w, v), Some(c), "the lowest load");
}

#[test]
fn an_absence_starting_now_moves_the_tickets_in_its_decision() {
    let (mut w, [a, b, c]) = three(on_email());
    let tickets: Vec<_> = (0..3).map(|_| email(&mut w)).collect();
    assert_eq!(assignee(&w, tickets[0]), Some(a));
    let away = Absence {
        from: w.now,
        until: w.now + Duration::days(2),
    };
    let recorded = w.run(hr(a, AgentCommand::AddAbsence(away))).unwrap();
    assert!(recorded.iter().any(|r| matches!(
        &r.event,
        Event::Ticket(e) if matches!(e.kind, TicketEventKind::Assigned { agent: Some(_) })
    ) && r.actor == Some(rule())));
    let now_with = assignee(&w, tickets[0]).unwrap();
    assert!([b, c].contains(&now_with));
    assert_eq!(w.desk.tickets().loads().get(&a), None);
    // Nobody left: C leaves, B goes away, and their tickets wait.
    w.run(hr(c, AgentCommand::Deactivate)).unwrap();
    assert!(tickets.iter().all(|t| assignee(&w, *t) != Some(c)));
    w.run(hr(
        b,
        AgentCommand::AddAbsence(Absence {
            from: w.now,
            until: w.now + Duration::hours(5),
        }),
    ))
    .unwrap();
    assert!(tickets.iter().all(|t| assignee(&w, *t).is_none()));
    let listed = w.desk.tickets().unassigned();
    assert_eq!(listed.len(), 3);
    assert!(
        listed.iter().all(
            |l| l.reason == &WaitReason::OffDuty && l.until == Some(w.now + Duration::hours(5))
        )
    );
}

#[test]
fn an_absence_starting_later_moves_the_tickets_when_it_starts() {
    let (mut w, [a, b, c]) = three(on_email());
    let t = email(&mut w);
    assert_eq!(assignee(&w, t), Some(a));
    let start = w.now + Duration::hours(3);
    let away = Absence {
        from: start,
        until: start + Duration::days(1),
    };
    w.run(hr(a, AgentCommand::AddAbsence(away))).unwrap();
    assert_eq!(assignee(&w, t), Some(a), "not yet");
    assert_eq!(w.desk.poll_timeout(), Some(start));
    w.now = start;
    w.desk.handle_timeout(&mut w.store, start).unwrap();
    assert!([b, c].contains(&assignee(&w, t).unwrap()));
    // Handled once: the timer is gone and firing again changes nothing.
    assert_eq!(w.desk.poll_timeout(), None);
    assert!(
        w.desk
            .handle_timeout(&mut w.store, start)
            .unwrap()
            .is_empty()
    );
}

#[test]
fn rebuild_and_restore_take_the_same_turn() {
    let (mut w, [_, b, _]) = three(on_email());
    for _ in 0..4 {
        let t = email(&mut w);
        solve(&mut w, t);
    }
    let config = w.desk.config().clone();
    let rebuilt = Desk::rebuild(&w.store, config.clone()).unwrap();
    // Through the snapshot's stored form, as a restart reads it.
    let json = serde_json::to_string(&w.desk.snapshot()).unwrap();
    let restored = Desk::restore(config, serde_json::from_str(&json).unwrap()).unwrap();
    assert_eq!(rebuilt, w.desk);
    assert_eq!(restored, w.desk);
    // A, B, C, A so far: B next, on every copy.
    for mut desk in [w.desk.clone(), rebuilt, restored] {
        let mut store = w.store.clone();
        let id: TicketId = w.ids.clone().next_id();
        let msg = InboundMessage::new(id, Channel::Email, w.jane_email.clone(), "Help");
        desk.execute(
            &mut store,
            Command::new(Actor::integration("inbound"), TicketAction::Receive(msg)),
            w.now,
        )
        .unwrap();
        assert_eq!(desk.tickets().get(id).unwrap().assignee(), Some(b));
    }
}

#[test]
fn a_waiting_ticket_survives_rebuild_and_restore_with_its_timer() {
    let (mut w, agents) = three(on_email());
    for x in agents {
        w.run(hr(x, AgentCommand::SetWorkingHours(Some(nine_to_five()))))
            .unwrap();
    }
    let t = email(&mut w);
    let due = w.desk.poll_timeout();
    assert_eq!(due, Some(w.now + Duration::hours(7)));
    let config = w.desk.config().clone();
    let json = serde_json::to_string(&w.desk.snapshot()).unwrap();
    let restored = Desk::restore(config.clone(), serde_json::from_str(&json).unwrap()).unwrap();
    let rebuilt = Desk::rebuild(&w.store, config).unwrap();
    for desk in [&restored, &rebuilt] {
        assert_eq!(desk, &w.desk);
        assert_eq!(desk.poll_timeout(), due);
        let listed = desk.tickets().unassigned();
        assert_eq!(listed.len(), 1);
        assert_eq!((listed[0].ticket, listed[0].until), (t, due));
    }
}

#[test]
fn a_moved_ticket_waits_for_its_agent_when_the_others_are_full() {
    let (mut w, [a, _, _]) = three(on_email().capacity(ChannelKind::Email, 1));
    let tickets: Vec<_> = (0..3).map(|_| email(&mut w)).collect();
    let back = w.now + Duration::days(1);
    w.run(hr(
        a,
        AgentCommand::AddAbsence(Absence {
            from: w.now,
            until: back,
        }),
    ))
    .unwrap();
    assert_eq!(assignee(&w, tickets[0]), None);
    let listed = w.desk.tickets().unassigned();
    assert_eq!(
        (listed[0].ticket, listed[0].reason, listed[0].until),
        (tickets[0], &WaitReason::AtCapacity, Some(back)),
        "A has room again once the ticket left, from when A is back"
    );
    w.now = back;
    w.desk.handle_timeout(&mut w.store, back).unwrap();
    assert_eq!(assignee(&w, tickets[0]), Some(a));
}

#[test]
fn placing_a_ticket_in_an_auto_assigned_team_assigns_it_among_the_members() {
    let (w, [a, b, c]) = three(AutoAssign::off());
    let team = w.team;
    let config = DeskConfig::default().with_assignment(AutoAssign::off().team(team));
    let mut w = World {
        desk: Desk::rebuild(&w.store, config).unwrap(),
        ..w
    };
    for m in [c, b] {
        w.run(Command::new(
            Actor::integration("setup"),
            PeopleAction::UpdateTeam {
                team,
                command: fanatical::agent::TeamCommand::AddMember(m),
            },
        ))
        .unwrap();
    }
    let t = email(&mut w);
    assert_eq!(assignee(&w, t), None, "email is not auto-assigned here");
    let recorded = w
        .run(Command::new(
            Actor::integration("triage"),
            TicketAction::Update {
                ticket: t,
                command: fanatical::ticket::TicketCommand::SetTeam(Some(team)),
            },
        ))
        .unwrap();
    assert_eq!(assignee(&w, t), Some(b), "a member, in turn: not A");
    assert!(recorded.iter().any(|r| r.actor == Some(rule())));
    let u = email(&mut w);
    w.run(Command::new(
        Actor::integration("triage"),
        TicketAction::Update {
            ticket: u,
            command: fanatical::ticket::TicketCommand::SetTeam(Some(team)),
        },
    ))
    .unwrap();
    assert_eq!(assignee(&w, u), Some(c));
    assert_ne!(assignee(&w, u), Some(a));
}

#[test]
fn callers_may_not_act_as_the_rule() {
    let (mut w, [a, _, _]) = three(on_email());
    let t = email(&mut w);
    // The rule's actor is the desk's own: a caller naming it is refused,
    // and nothing is written.
    w.refused(
        Command::new(rule(), TicketAction::assign(t, a)),
        fanatical::desk::DeskError::SystemActor,
    );
}

/// The golden tour: a ticket waiting for an agent, an absence begun.
pub(crate) fn golden_tour() -> Vec<RecordedEvent> {
    // One each; then A goes away and the others are full: A's ticket
    // waits until A is back.
    let (mut w, [a, _, _]) = three(on_email().capacity(ChannelKind::Email, 1));
    for _ in 0..3 {
        email(&mut w);
    }
    w.run(hr(
        a,
        AgentCommand::AddAbsence(Absence {
            from: w.now,
            until: w.now + Duration::days(1),
        }),
    ))
    .unwrap();
    w.store.read_all(0, usize::MAX).unwrap()
}

#[derive(Debug, Clone)]
enum Step {
    Email,
    Phone,
    Solve(usize),
    Away(usize, i64, i64),
    Hours(usize),
    Wait(i64),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => Just(Step::Email),
        2 => Just(Step::Phone),
        2 => (0usize..64).prop_map(Step::Solve),
        1 => (0usize..3, -120i64..240, 1i64..600).prop_map(|(a, f, d)| Step::Away(a, f, d)),
        1 => (0usize..3).prop_map(Step::Hours),
        2 => (1i64..600).prop_map(Step::Wait),
    ]
}

fn cases() -> u32 {
    std::env::var("FANATICAL_PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64)
}

/// Every assignment the rule records: to an active agent, available at
/// that instant, within their capacity for the channel.
fn check(w: &World, recorded: &[RecordedEvent], caps: &[(ChannelKind, u32)], at: DateTime<Utc>) {
    for r in recorded {
        let Event::Ticket(e) = &r.event else { continue };
        let TicketEventKind::Assigned { agent: Some(agent) } = e.kind else {
            continue;
        };
        if r.actor != Some(rule()) {
            continue;
        }
        let person = w.desk.people().agent(agent).unwrap();
        assert!(person.is_active(), "assigned to an inactive agent");
        assert!(
            person.schedule().is_available(at),
            "assigned to {agent}, unavailable at {at}"
        );
        let fanatical::event::StreamId::Ticket(t) = r.stream else {
            panic!("an assignment off its ticket's stream")
        };
        let kind = w.desk.tickets().get(t).unwrap().channel().kind();
        let cap = caps.iter().find(|(k, _)| *k == kind).map(|(_, c)| *c);
        let load = w.desk.tickets().channel_load(agent, kind);
        assert!(
            cap.is_none_or(|c| load <= c),
            "{agent} holds {load} {kind:?} tickets, capacity {cap:?}"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    #[test]
    fn no_auto_assignment_exceeds_capacity_or_picks_an_unavailable_agent(
        steps in proptest::collection::vec(step(), 1..40)
    ) {
        let caps = [(ChannelKind::Email, 2), (ChannelKind::Phone, 1)];
        let config = on_email()
            .channel(ChannelKind::Phone)
            .capacity(ChannelKind::Email, 2)
            .capacity(ChannelKind::Phone, 1);
        let (mut w, agents) = three(config);
        let mut tickets = Vec::new();
        for s in steps {
            let before = w.store.read_all(0, usize::MAX).unwrap().len();
            match s {
                Step::Email => tickets.push(email(&mut w)),
                Step::Phone => tickets.push(phone(&mut w)),
                Step::Solve(i) => {
                    if let Some(t) = tickets.get(i % tickets.len().max(1)).copied()
                        && assignee(&w, t).is_some()
                        && w.desk.tickets().get(t).unwrap().status().is_unsolved()
                    {
                        solve(&mut w, t);
                    }
                }
                Step::Away(a, from, len) => {
                    let from = w.now + Duration::minutes(from);
                    let away = Absence { from, until: from + Duration::minutes(len) };
                    // Overlapping absences are refused; that is fine.
                    let _ = w.run(hr(agents[a], AgentCommand::AddAbsence(away)));
                }
                Step::Hours(a) => {
                    w.run(hr(agents[a], AgentCommand::SetWorkingHours(Some(nine_to_five()))))
                        .unwrap();
                }
                Step::Wait(m) => {
                    w.tick(m);
                    let now = w.now;
                    w.desk.handle_timeout(&mut w.store, now).unwrap();
                }
            }
            let all = w.store.read_all(0, usize::MAX).unwrap();
            check(&w, &all[before..], &caps, w.now);
        }
        // What waits says so, and is really unassigned.
        for l in w.desk.tickets().unassigned() {
            prop_assert_eq!(assignee(&w, l.ticket), None);
        }
        prop_assert_eq!(&Desk::rebuild(&w.store, w.desk.config().clone()).unwrap(), &w.desk);
    }
}

/// A waiting ticket that turns into a crisis is a safety responder's: the
/// rule's retry never hands it to an ordinary agent (the review found it
/// did).
#[test]
fn a_waiting_ticket_that_becomes_a_crisis_is_not_assigned_by_the_rule() {
    use chrono::Duration;
    use fanatical::agent::{Absence, AgentCommand};
    use fanatical::assignment::AutoAssign;
    use fanatical::channel::{Channel, ChannelKind};
    use fanatical::desk::{Command, DeskConfig, InboundMessage, PeopleAction, TicketAction};
    let config =
        DeskConfig::default().with_assignment(AutoAssign::off().channel(ChannelKind::Email));
    let mut w = World::with_config(config);
    let back = w.now + Duration::days(1);
    let now = w.now;
    for agent in [w.ana, w.bill] {
        w.run(Command::new(
            Actor::integration("hr"),
            PeopleAction::UpdateAgent {
                agent,
                command: AgentCommand::AddAbsence(Absence {
                    from: now,
                    until: back,
                }),
            },
        ))
        .unwrap();
    }
    let t = w.jane_emails("Help with the disk");
    assert_eq!(w.desk.tickets().get(t).unwrap().assignee(), None);
    let id: fanatical::id::TicketId = w.ids.next_id();
    let msg = InboundMessage::new(
        id,
        Channel::Email,
        w.jane_email.clone(),
        "The restore failed again and I want to end my life",
    )
    .in_reply_to(t);
    w.run(Command::new(
        Actor::integration("inbound"),
        TicketAction::Receive(msg),
    ))
    .unwrap();
    assert!(w.desk.tickets().is_crisis(t));
    w.now = back;
    w.desk.handle_timeout(&mut w.store, back).unwrap();
    assert_eq!(w.desk.tickets().get(t).unwrap().assignee(), None);
}
