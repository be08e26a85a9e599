//! NPS and CSAT campaigns through the desk: waves sampled from a seed under
//! one contact budget, answers with follow-ups and thank-yous, and reports.

use chrono::Duration;
use fanatical::actor::Actor;
use fanatical::agent::Role;
use fanatical::channel::ChannelAddress;
use fanatical::customer::CustomerCommand;
use fanatical::desk::{Command, Desk, DeskConfig};
use fanatical::desk::{
    CustomerAction, PeopleAction, RecognitionAction, SurveyAction, TicketAction,
};
use fanatical::id::{AgentId, CustomerId, InvitationId};
use fanatical::outbox::Recipient;
use fanatical::sla::{Metric, SlaEventKind};
use fanatical::survey::*;
use fanatical::ticket::{Status, TicketType};
use proptest::prelude::*;

use crate::support::World;

fn nps_survey() -> Survey {
    SurveyDraft::new("relationship")
        .question(
            Question::new(
                "score",
                "How likely are you to recommend us?",
                QuestionKind::Nps,
            )
            .required(),
        )
        .question(Question::new("why", "Why?", QuestionKind::Comment))
        .validate()
        .unwrap()
}

fn csat_survey() -> Survey {
    SurveyDraft::new("after-ticket")
        .question(Question::new("rating", "How did we do?", QuestionKind::scale()).required())
        .validate()
        .unwrap()
}

fn config() -> DeskConfig {
    DeskConfig::default().with_surveys(
        SurveyConfig::default()
            .with_survey(nps_survey())
            .with_survey(csat_survey()),
    )
}

/// A world with `n` extra customers, each with one emailable contact.
fn world(n: usize) -> (World, Vec<CustomerId>) {
    world_with(config(), n)
}

/// [`world`] with another configuration.
fn world_with(config: DeskConfig, n: usize) -> (World, Vec<CustomerId>) {
    let mut w = World::with_config(config);
    let mut ids = Vec::new();
    for i in 0..n {
        let (c, p): (CustomerId, _) = (w.ids.next_id(), w.ids.next_id());
        w.run(Command::new(
            Actor::integration("setup"),
            CustomerAction::Register {
                id: c,
                organisation: format!("Customer {i}"),
            },
        ))
        .unwrap();
        w.run(Command::new(
            Actor::integration("setup"),
            CustomerAction::Update {
                customer: c,
                command: CustomerCommand::AddContact {
                    contact: p,
                    name: format!("Contact {i}"),
                    addresses: vec![ChannelAddress::email(format!("c{i}@example.com")).unwrap()],
                },
            },
        ))
        .unwrap();
        ids.push(c);
    }
    (w, ids)
}

fn wave(name: &str, share: u8, seed: u64, exclude: Vec<CustomerId>) -> Command {
    Command::new(
        Actor::integration("setup"),
        SurveyAction::RunWave {
            wave: name.into(),
            survey: "relationship".into(),
            share_percent: share,
            seed,
            exclude,
        },
    )
}

fn sampled(d: &Desk, wave: &str) -> Vec<CustomerId> {
    let mut v: Vec<CustomerId> = d
        .surveys()
        .invitations()
        .filter(|i| i.invitation.wave.as_deref() == Some(wave))
        .map(|i| i.invitation.customer)
        .collect();
    v.sort();
    v
}

/// Invites `customer` to `survey`, optionally rating `agent`.
fn invite(
    w: &mut World,
    survey: &str,
    kind: SurveyKind,
    customer: CustomerId,
    agent: Option<AgentId>,
) -> InvitationId {
    let invitation: InvitationId = w.ids.next_id();
    w.run(Command::new(
        Actor::integration("setup"),
        SurveyAction::Send {
            invitation,
            survey: survey.into(),
            kind,
            customer,
            ticket: None,
            agent,
        },
    ))
    .unwrap();
    invitation
}

fn answer(score: u8) -> Response {
    Response::new().answer("score", Answer::Nps(score))
}

#[test]
fn a_wave_samples_a_share_deterministically_and_invites_by_email() {
    let (mut a, _) = world(38); // 40 customers with Acme and Tiny Blog
    a.run(wave("2026-Q4", 25, 7, vec![])).unwrap();
    let picked = sampled(&a.desk, "2026-Q4");
    assert_eq!(picked.len(), 10);
    let (mut b, _) = world(38);
    b.run(wave("2026-Q4", 25, 7, vec![])).unwrap();
    assert_eq!(
        sampled(&b.desk, "2026-Q4"),
        picked,
        "same seed, same sample"
    );
    let (mut c, _) = world(38);
    c.run(wave("2026-Q4", 25, 8, vec![])).unwrap();
    assert_ne!(
        sampled(&c.desk, "2026-Q4"),
        picked,
        "another seed, another sample"
    );
    // Every invitation went out by email to the customer's contact.
    let invites: Vec<_> = a
        .desk
        .channels()
        .outbox()
        .filter(|m| m.message.body.contains("relationship"))
        .collect();
    assert_eq!(invites.len(), 10);
    // To each sampled customer's one contact, at that contact's email.
    let mut reached: Vec<Recipient> = invites
        .iter()
        .map(|m| m.message.recipient.clone())
        .collect();
    reached.sort_by_key(|r| r.to_string());
    let mut expected: Vec<Recipient> = picked
        .iter()
        .map(|c| {
            let customer = a.desk.customers().get(*c).unwrap();
            let contact = customer.contacts().next().unwrap();
            Recipient::Contact {
                contact: contact.id(),
                address: contact.addresses()[0].clone(),
            }
        })
        .collect();
    expected.sort_by_key(|r| r.to_string());
    assert_eq!(reached, expected);
    assert!(invites.iter().all(|m| matches!(&m.message.recipient, Recipient::Contact { address, .. } if address.kind() == fanatical::channel::ChannelKind::Email)));
    assert_eq!(Desk::rebuild(&a.store, config()).unwrap(), a.desk);
}

#[test]
fn one_budget_for_every_kind_of_survey() {
    let (mut w, _) = world(3);
    let acme = w.acme;
    let ana = w.ana;
    let t = w.jane_emails("help");
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
    let csat: InvitationId = w.ids.next_id();
    w.run(Command::new(
        Actor::integration("setup"),
        SurveyAction::Send {
            invitation: csat,
            survey: "after-ticket".into(),
            kind: SurveyKind::Csat,
            customer: acme,
            ticket: Some(t),
            agent: Some(ana),
        },
    ))
    .unwrap();
    // Acme's contact was just surveyed: an NPS wave of everyone skips them,
    // and a second survey of any kind is refused until the quiet period ends.
    w.tick(60);
    w.run(wave("Q4", 100, 1, vec![])).unwrap();
    assert!(!sampled(&w.desk, "Q4").contains(&acme));
    assert_eq!(sampled(&w.desk, "Q4").len(), 4);
    let again: InvitationId = w.ids.next_id();
    let jane = w.jane;
    let until = w.now - Duration::minutes(60) + Duration::days(90);
    w.refused(
        Command::new(
            Actor::integration("setup"),
            SurveyAction::Send {
                invitation: again,
                survey: "relationship".into(),
                kind: SurveyKind::Nps,
                customer: acme,
                ticket: None,
                agent: None,
            },
        ),
        SurveyError::QuietPeriod {
            contact: jane,
            until,
        },
    );
    // After the quiet period, Acme can be asked again.
    w.now = until;
    w.run(Command::new(
        Actor::integration("setup"),
        SurveyAction::Send {
            invitation: again,
            survey: "relationship".into(),
            kind: SurveyKind::Nps,
            customer: acme,
            ticket: None,
            agent: None,
        },
    ))
    .unwrap();
}

/// Customers in an active incident are left out of a wave by the desk
/// itself, without the caller naming them; once it is resolved they are
/// asked again.
#[test]
fn customers_in_an_active_incident_are_not_surveyed() {
    use fanatical::desk::IncidentAction;
    use fanatical::id::{ComponentId, IncidentId};
    use fanatical::incident::{
        Audience, ComponentCatalog, ComponentState, IncidentConfig, IncidentStatus, Messages,
    };
    use std::collections::BTreeMap;
    let dc = ComponentId::new("dc1").unwrap();
    let catalog = ComponentCatalog::new()
        .with(dc.clone(), "DC1", None)
        .unwrap();
    let (mut w, extra) = world_with(
        config().with_incidents(IncidentConfig::default().with_components(catalog)),
        6,
    );
    let mut all = vec![w.acme, w.tiny];
    all.extend(&extra);
    let mut down: Vec<CustomerId> = extra[..3].to_vec();
    for c in &down {
        w.run(Command::new(
            Actor::integration("setup"),
            CustomerAction::Update {
                customer: *c,
                command: CustomerCommand::RunOn {
                    component: dc.clone(),
                },
            },
        ))
        .unwrap();
    }
    let incident: IncidentId = w.ids.next_id();
    let ana = w.ana;
    w.run(Command::new(
        Actor::Agent(ana),
        IncidentAction::Declare {
            incident,
            title: "DC1 power".into(),
            commander: ana,
            status: IncidentStatus::Investigating,
            components: BTreeMap::from([(dc.clone(), ComponentState::MajorOutage)]),
            cadence: None,
            messages: Messages::from([(Audience::Business, "Sites in DC1 are down.".into())]),
        },
    ))
    .unwrap();
    w.run(wave("Q4", 100, 3, Vec::new())).unwrap();
    let mut expected: Vec<CustomerId> = all.iter().filter(|c| !down.contains(c)).copied().collect();
    expected.sort();
    assert_eq!(sampled(&w.desk, "Q4"), expected);
    // Resolved, the incident no longer keeps them out of the next wave
    // (and the others, asked already, are in their quiet period).
    w.run(Command::new(
        Actor::Agent(ana),
        IncidentAction::Update {
            incident,
            status: IncidentStatus::Resolved,
            components: BTreeMap::new(),
            messages: Messages::from([(Audience::Business, "Back up.".into())]),
            spokesperson: None,
            solve_linked: None,
        },
    ))
    .unwrap();
    w.run(wave("Q1", 100, 4, Vec::new())).unwrap();
    down.sort();
    assert_eq!(sampled(&w.desk, "Q1"), down);
}

/// The caller may also name customers to leave out.
#[test]
fn customers_excluded_from_a_wave_are_not_surveyed() {
    let (mut w, ids) = world(10);
    let excluded: Vec<CustomerId> = ids.iter().take(5).copied().collect();
    w.run(wave("Q4", 100, 3, excluded.clone())).unwrap();
    let picked = sampled(&w.desk, "Q4");
    assert_eq!(picked.len(), 12 - 5);
    assert!(picked.iter().all(|c| !excluded.contains(c)));
}

#[test]
fn a_detractor_gets_a_personal_follow_up_with_its_own_timer() {
    let (mut w, _) = world(0);
    let acme = w.acme;
    let am: AgentId = w.ids.next_id();
    w.run(Command::new(
        Actor::integration("setup"),
        PeopleAction::RegisterAgent {
            id: am,
            name: "Alex".into(),
            time_zone: chrono_tz::America::Chicago,
            roles: vec![Role::AccountManager],
            skills: vec![],
        },
    ))
    .unwrap();
    w.run(Command::new(
        Actor::integration("setup"),
        CustomerAction::Update {
            customer: acme,
            command: CustomerCommand::AssignAccountTeam {
                agent: am,
                role: Role::AccountManager,
            },
        },
    ))
    .unwrap();
    let inv = invite(&mut w, "relationship", SurveyKind::Nps, acme, None);
    w.tick(120);
    let stored = w
        .run(Command::new(
            Actor::integration("survey"),
            SurveyAction::Answer {
                invitation: inv,
                response: answer(3).answer("why", Answer::Comment("Slow replies".into())),
            },
        ))
        .unwrap();
    let task = w
        .desk
        .tickets()
        .get(inv.follow_up_ticket())
        .expect("a follow-up task");
    assert_eq!(task.ticket_type(), TicketType::Task);
    assert_eq!(task.assignee(), Some(am));
    assert!(task.conversation()[0].body.contains("Slow replies"));
    assert!(stored.iter().any(|r| matches!(&r.event, fanatical::event::Event::Sla(e) if matches!(e.kind, SlaEventKind::Activated { key, .. } if key.metric == Metric::Promise))));
    // Nobody calls within a day: the follow-up's own timer breaches.
    w.tick(24 * 60 + 1);
    let now = w.now;
    let fired = w.desk.handle_timeout(&mut w.store, now).unwrap();
    let breaches: Vec<_> = fired
        .iter()
        .filter_map(|r| match &r.event {
            fanatical::event::Event::Sla(e) if matches!(e.kind, SlaEventKind::Breached { .. }) => {
                Some((r.stream, e.at, e.kind.clone()))
            }
            _ => None,
        })
        .collect();
    // The follow-up's promise, due a day after the answer, breached once.
    let answered = now - Duration::minutes(24 * 60 + 1);
    assert_eq!(
        breaches,
        vec![(
            fanatical::event::StreamId::Sla(inv.follow_up_ticket()),
            now,
            SlaEventKind::Breached {
                key: fanatical::sla::MetricKey {
                    metric: Metric::Promise,
                    cycle: 1
                },
                due: answered + Duration::days(1),
            }
        )]
    );
    let record = w
        .desk
        .surveys()
        .invitations()
        .find(|i| i.invitation.id == inv)
        .unwrap();
    assert_eq!(record.nps, Some(3));
    assert!(record.answered.is_some());
}

#[test]
fn a_promoter_is_thanked_and_bad_answers_are_refused_with_a_reason() {
    let (mut w, _) = world(0);
    let acme = w.acme;
    let inv = invite(&mut w, "relationship", SurveyKind::Nps, acme, None);
    w.refused(
        Command::new(
            Actor::integration("survey"),
            SurveyAction::Answer {
                invitation: inv,
                response: answer(11),
            },
        ),
        SurveyError::InvalidResponse(vec![ResponseProblem::OutOfRange {
            question: "score".into(),
            value: 11,
            min: 0,
            max: 10,
        }]),
    );
    let ghost: InvitationId = w.ids.next_id();
    w.refused(
        Command::new(
            Actor::integration("survey"),
            SurveyAction::Answer {
                invitation: ghost,
                response: answer(9),
            },
        ),
        SurveyError::UnknownInvitation(ghost),
    );
    w.run(Command::new(
        Actor::integration("survey"),
        SurveyAction::Answer {
            invitation: inv,
            response: answer(10),
        },
    ))
    .unwrap();
    let thanks: Vec<_> = w
        .desk
        .channels()
        .outbox()
        .filter(|m| m.message.body.starts_with("Thank you for your feedback"))
        .map(|m| m.message.recipient.clone())
        .collect();
    assert_eq!(
        thanks,
        vec![Recipient::Contact {
            contact: w.jane,
            address: w.jane_email.clone()
        }],
        "one thank-you, to the promoter"
    );
    assert!(
        w.desk.tickets().get(inv.follow_up_ticket()).is_none(),
        "no follow-up for a promoter"
    );
    w.refused(
        Command::new(
            Actor::integration("survey"),
            SurveyAction::Answer {
                invitation: inv,
                response: answer(10),
            },
        ),
        SurveyError::AlreadyAnswered(inv),
    );
    // An expired invitation.
    let tiny = w.tiny;
    let late = invite(&mut w, "relationship", SurveyKind::Nps, tiny, None);
    let expired_at = w.now + Duration::days(30);
    w.now = expired_at + Duration::seconds(1);
    w.refused(
        Command::new(
            Actor::integration("survey"),
            SurveyAction::Answer {
                invitation: late,
                response: answer(5),
            },
        ),
        SurveyError::Expired {
            invitation: late,
            expired_at,
        },
    );
}

#[test]
fn nps_per_wave_segment_and_trend_and_csat_per_agent_and_team() {
    let (mut w, ids) = world(8);
    w.run(wave("Q1", 100, 1, vec![])).unwrap();
    let q1: Vec<InvitationId> = w
        .desk
        .surveys()
        .invitations()
        .map(|i| i.invitation.id)
        .collect();
    for (k, inv) in q1.iter().enumerate() {
        let score = [10, 9, 3, 8, 10, 0, 9, 9, 7, 6][k];
        w.run(Command::new(
            Actor::integration("survey"),
            SurveyAction::Answer {
                invitation: *inv,
                response: answer(score),
            },
        ))
        .unwrap();
    }
    let n = w.desk.surveys().nps_of_wave("Q1");
    assert_eq!((n.promoters, n.passives, n.detractors), (5, 2, 3));
    assert_eq!(n.score(), Some(20.0));
    w.tick(91 * 24 * 60);
    w.run(wave("Q2", 50, 2, vec![])).unwrap();
    let q2: Vec<InvitationId> = w
        .desk
        .surveys()
        .invitations()
        .filter(|i| i.invitation.wave.as_deref() == Some("Q2"))
        .map(|i| i.invitation.id)
        .collect();
    assert_eq!(q2.len(), 5);
    for inv in &q2 {
        w.run(Command::new(
            Actor::integration("survey"),
            SurveyAction::Answer {
                invitation: *inv,
                response: answer(10),
            },
        ))
        .unwrap();
    }
    let trend: Vec<(String, Option<f64>)> = w
        .desk
        .surveys()
        .nps_trend()
        .into_iter()
        .map(|t| (t.wave, t.nps.score()))
        .collect();
    assert_eq!(
        trend,
        vec![
            ("Q1".to_owned(), Some(20.0)),
            ("Q2".to_owned(), Some(100.0))
        ]
    );
    let seg = w.desk.surveys().nps_by_segment("Q1");
    assert_eq!(seg.keys().collect::<Vec<_>>(), vec!["none"]);
    assert_eq!(seg["none"].responses(), 10);
    let _ = ids;
    // CSAT: two tickets for Ana, one for Bill.
    let (ana, bill, acme, team) = (w.ana, w.bill, w.acme, w.team);
    w.run(Command::new(
        Actor::integration("setup"),
        PeopleAction::UpdateTeam {
            team,
            command: fanatical::agent::TeamCommand::AddMember(ana),
        },
    ))
    .unwrap();
    w.tick(91 * 24 * 60);
    let rate = |w: &mut World, agent, rating| {
        let inv: InvitationId = w.ids.next_id();
        w.run(Command::new(
            Actor::integration("setup"),
            SurveyAction::Send {
                invitation: inv,
                survey: "after-ticket".into(),
                kind: SurveyKind::Csat,
                customer: acme,
                ticket: None,
                agent: Some(agent),
            },
        ))
        .unwrap();
        w.run(Command::new(
            Actor::integration("survey"),
            SurveyAction::Answer {
                invitation: inv,
                response: Response::new().answer("rating", Answer::Scale(rating)),
            },
        ))
        .unwrap();
        w.tick(91 * 24 * 60);
    };
    rate(&mut w, ana, Rating::Excellent);
    rate(&mut w, ana, Rating::Poor);
    rate(&mut w, bill, Rating::Good);
    let by_agent = w.desk.surveys().csat_by_agent();
    assert_eq!(by_agent[&ana].percent(), Some(50.0));
    assert_eq!(by_agent[&bill].percent(), Some(100.0));
    assert_eq!(w.desk.surveys().csat_by_team()[&team].percent(), Some(50.0));
    assert_eq!(Desk::rebuild(&w.store, config()).unwrap(), w.desk);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(crate::cases(48)))]

    /// Sampling never exceeds the share and never picks a customer in a
    /// quiet period or excluded.
    #[test]
    fn sampling_respects_the_budget(
        n in 0usize..30, share in 1u8..=100, seed in any::<u64>(),
        quiet in proptest::collection::vec(any::<proptest::sample::Index>(), 0..10),
        excluded in proptest::collection::vec(any::<proptest::sample::Index>(), 0..10),
    ) {
        let (mut w, ids) = world(n);
        let all: Vec<CustomerId> = w.desk.customers().iter().map(|c| c.id()).collect();
        let quiet: Vec<CustomerId> = quiet.iter().map(|i| *i.get(&all)).collect();
        for c in &quiet {
            let inv: InvitationId = w.ids.next_id();
            // A customer drawn twice is already quiet: refused for that.
            match w.run(Command::new(Actor::integration("setup"), SurveyAction::Send { invitation: inv, survey: "after-ticket".into(), kind: SurveyKind::Csat, customer: *c, ticket: None, agent: None })) {
                Ok(_) | Err(fanatical::Error::Survey(SurveyError::QuietPeriod { .. })) => {}
                Err(e) => prop_assert!(false, "unexpected {e}"),
            }
        }
        let excluded: Vec<CustomerId> = excluded.iter().map(|i| *i.get(&all)).collect();
        w.tick(1);
        w.run(wave("W", share, seed, excluded.clone())).unwrap();
        let picked = sampled(&w.desk, "W");
        let target = (all.len() * usize::from(share)).div_ceil(100);
        prop_assert!(picked.len() <= target);
        for c in &picked {
            prop_assert!(!quiet.contains(c) && !excluded.contains(c));
        }
        let _ = ids;
    }
}

#[test]
fn solving_a_ticket_sends_csat_once_per_quiet_period_and_survey_praise_finds_the_agent() {
    let cfg = DeskConfig::default().with_surveys(
        SurveyConfig::default()
            .with_survey(nps_survey())
            .with_survey(csat_survey())
            .csat_on_solve("after-ticket"),
    );
    let mut w = World::with_config(cfg.clone());
    let ana = w.ana;
    let t = w.jane_emails("help");
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
    let invs: Vec<_> = w
        .desk
        .surveys()
        .invitations()
        .map(|i| i.invitation.clone())
        .collect();
    assert_eq!(invs.len(), 1);
    assert_eq!(
        (invs[0].kind, invs[0].ticket, invs[0].agent),
        (SurveyKind::Csat, Some(t), Some(ana))
    );
    // A second ticket solved the same week: Jane is in her quiet period.
    let t2 = w.jane_emails("again");
    w.run(Command::new(
        Actor::integration("setup"),
        TicketAction::assign(t2, ana),
    ))
    .unwrap();
    w.run(Command::new(
        Actor::integration("setup"),
        TicketAction::set_status(t2, Status::Solved),
    ))
    .unwrap();
    assert_eq!(w.desk.surveys().invitations().count(), 1);
    // Sent: one survey message, to Jane, whatever the two solves.
    let sent: Vec<_> = w
        .desk
        .channels()
        .outbox()
        .filter(|m| m.message.body.contains("after-ticket"))
        .map(|m| m.message.recipient.clone())
        .collect();
    assert_eq!(
        sent,
        vec![Recipient::Contact {
            contact: w.jane,
            address: w.jane_email.clone()
        }]
    );
    // Her answer rates Ana; her comment is praise for Ana.
    let inv = invs[0].id;
    w.run(Command::new(
        Actor::integration("survey"),
        SurveyAction::Answer {
            invitation: inv,
            response: Response::new().answer("rating", Answer::Scale(Rating::Excellent)),
        },
    ))
    .unwrap();
    assert_eq!(
        w.desk.surveys().csat_by_agent()[&ana].percent(),
        Some(100.0)
    );
    let p: fanatical::id::PraiseId = w.ids.next_id();
    w.run(Command::new(
        Actor::integration("setup"),
        RecognitionAction::RecordPraise {
            praise: p,
            source: fanatical::recognition::PraiseSource::Survey { invitation: inv },
            text: "Ana was wonderful".into(),
            customer: None,
            ticket: None,
        },
    ))
    .unwrap();
    assert_eq!(w.desk.people().praise(p).unwrap().praise.agent, Some(ana));
    assert_eq!(Desk::rebuild(&w.store, cfg).unwrap(), w.desk);
}

#[test]
fn an_id_the_desk_would_derive_is_refused_before_anything_is_written() {
    let (mut w, _) = world(0);
    let acme = w.acme;
    let inv = invite(&mut w, "relationship", SurveyKind::Nps, acme, None);
    // A caller opens a ticket under the id a low score's follow-up would
    // get (the desk derives it from the invitation): refused up front, as
    // is any caller id in the form the desk derives ids in, so the
    // desk's own derivations (on a command or on a timer, which has
    // nobody to refuse) never find their id taken.
    let taken = inv.follow_up_ticket();
    let msg = fanatical::desk::InboundMessage::new(
        taken,
        fanatical::channel::Channel::Email,
        w.jane_email.clone(),
        "Unrelated question",
    );
    w.refused(
        Command::new(Actor::integration("inbound"), TicketAction::Receive(msg)),
        fanatical::desk::DeskError::ReservedId {
            kind: "ticket",
            id: taken.as_uuid(),
        },
    );
    let open = fanatical::ticket::OpenTicket::new(
        taken,
        acme,
        "Unrelated question",
        fanatical::channel::Channel::Email,
    );
    w.refused(
        Command::new(Actor::integration("portal"), TicketAction::Open(open)),
        fanatical::desk::DeskError::ReservedId {
            kind: "ticket",
            id: taken.as_uuid(),
        },
    );
    let derived = InvitationId::from_uuid(uuid::Uuid::new_v8([7; 16]));
    let tiny = w.tiny;
    w.refused(
        Command::new(
            Actor::integration("setup"),
            SurveyAction::Send {
                invitation: derived,
                survey: "relationship".into(),
                kind: SurveyKind::Nps,
                customer: tiny,
                ticket: None,
                agent: None,
            },
        ),
        fanatical::desk::DeskError::ReservedId {
            kind: "invitation",
            id: derived.as_uuid(),
        },
    );
    w.tick(60);
    // The detractor's answer opens its follow-up under the derived id.
    w.run(Command::new(
        Actor::integration("survey"),
        SurveyAction::Answer {
            invitation: inv,
            response: answer(2),
        },
    ))
    .unwrap();
    assert!(w.desk.tickets().get(taken).is_some());
    let rebuilt = Desk::rebuild(&w.store, w.desk.config().clone()).unwrap();
    assert_eq!(rebuilt, w.desk);
    // A caller-chosen invitation id that is taken is refused too.
    let tiny = w.tiny;
    w.refused(
        Command::new(
            Actor::integration("setup"),
            SurveyAction::Send {
                invitation: inv,
                survey: "relationship".into(),
                kind: SurveyKind::Nps,
                customer: tiny,
                ticket: None,
                agent: None,
            },
        ),
        SurveyError::DuplicateInvitation(inv),
    );
}

/// A detractor's follow-up always names its owner: the account manager;
/// without one, the rated agent's lead (nobody follows up their own
/// detractor); without either, the configured owner.
#[test]
fn a_detractors_follow_up_goes_to_the_account_manager_else_the_rated_agents_lead_else_the_configured_owner()
 {
    use fanatical::agent::AgentCommand;
    let register = |w: &mut World, name: &str, role: Role| -> AgentId {
        let id: AgentId = w.ids.next_id();
        w.run(Command::new(
            Actor::integration("setup"),
            PeopleAction::RegisterAgent {
                id,
                name: name.into(),
                time_zone: chrono_tz::America::Chicago,
                roles: vec![role],
                skills: vec![],
            },
        ))
        .unwrap();
        id
    };
    let poor = |w: &mut World, agent: AgentId| -> Option<AgentId> {
        let acme = w.acme;
        let inv = invite(w, "after-ticket", SurveyKind::Csat, acme, Some(agent));
        w.run(Command::new(
            Actor::integration("survey"),
            SurveyAction::Answer {
                invitation: inv,
                response: Response::new().answer("rating", Answer::Scale(Rating::Poor)),
            },
        ))
        .unwrap();
        w.desk
            .tickets()
            .get(inv.follow_up_ticket())
            .expect("a follow-up task")
            .assignee()
    };
    // Ana reports to Lee; Acme has no account manager.
    let (mut w, _) = world(0);
    let ana = w.ana;
    let lee = register(&mut w, "Lee", Role::TeamLead);
    w.run(Command::new(
        Actor::integration("setup"),
        PeopleAction::UpdateAgent {
            agent: ana,
            command: AgentCommand::ReportTo(Some(lee)),
        },
    ))
    .unwrap();
    assert_eq!(poor(&mut w, ana), Some(lee), "the rated agent's lead");
    // In a world where Ana reports to nobody, the configured owner (Bill,
    // the same id in every world from the same seed) takes it.
    let owner = World::new().bill;
    let mut w = World::with_config(
        config().with_surveys(
            SurveyConfig::default()
                .with_survey(nps_survey())
                .with_survey(csat_survey())
                .with_follow_up_owner(owner),
        ),
    );
    let (ana, bill) = (w.ana, w.bill);
    assert_eq!(bill, owner);
    assert_eq!(poor(&mut w, ana), Some(owner), "the configured owner");
    // An account manager comes first, whoever was rated.
    let am = register(&mut w, "Alex", Role::AccountManager);
    let acme = w.acme;
    w.run(Command::new(
        Actor::integration("setup"),
        CustomerAction::Update {
            customer: acme,
            command: CustomerCommand::AssignAccountTeam {
                agent: am,
                role: Role::AccountManager,
            },
        },
    ))
    .unwrap();
    w.tick(91 * 24 * 60); // past Jane's quiet period
    assert_eq!(poor(&mut w, ana), Some(am), "the account manager");
    // Rating the account manager themself: not theirs to follow up; with
    // no lead over them, the configured owner.
    w.tick(91 * 24 * 60);
    assert_eq!(poor(&mut w, am), Some(owner), "never the rated agent");
}

/// With follow-up owners required, a wave or a survey that could leave a
/// low score's follow-up with nobody is refused, naming the customer, and
/// nothing is sent; with an owner configured it runs.
#[test]
fn a_campaign_that_could_leave_a_follow_up_ownerless_is_refused_when_owners_are_required() {
    let surveys = || {
        SurveyConfig::default()
            .with_survey(nps_survey())
            .with_survey(csat_survey())
            .requiring_follow_up_owners()
    };
    let mut w = World::with_config(config().with_surveys(surveys()));
    let (acme, tiny) = (w.acme, w.tiny);
    let first = acme.min(tiny);
    w.refused(
        wave("Q4", 100, 1, Vec::new()),
        SurveyError::NoFollowUpOwner { customer: first },
    );
    let invitation: InvitationId = w.ids.next_id();
    w.refused(
        Command::new(
            Actor::integration("setup"),
            SurveyAction::Send {
                invitation,
                survey: "relationship".into(),
                kind: SurveyKind::Nps,
                customer: acme,
                ticket: None,
                agent: None,
            },
        ),
        SurveyError::NoFollowUpOwner { customer: acme },
    );
    // Leaving out the ownerless customers lets the wave run.
    w.run(wave("Q4", 100, 1, vec![acme, tiny])).unwrap();
    // With a configured owner, nobody can be left without one.
    let owner = w.bill;
    let mut w = World::with_config(config().with_surveys(surveys().with_follow_up_owner(owner)));
    w.run(wave("Q4", 100, 1, Vec::new())).unwrap();
    assert_eq!(sampled(&w.desk, "Q4").len(), 2);
}
