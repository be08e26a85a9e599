//! Recognition: attribution, kudos up the chain exactly once, the CEO's
//! acknowledgement with reminders, peers, committee, certificates, smiles.

use chrono::Duration;
use fanatical::actor::Actor;
use fanatical::agent::{AgentCommand, Role};
use fanatical::desk::{Command, Desk, DeskConfig};
use fanatical::desk::{PeopleAction, RecognitionAction, TicketAction};
use fanatical::id::{AgentId, PraiseId};
use fanatical::outbox::Recipient;
use fanatical::recognition::{Acknowledgement, Attribution, PraiseSource, RecognitionError};
use proptest::prelude::*;

use crate::support::World;

fn hire(w: &mut World, name: &str, manager: Option<AgentId>) -> AgentId {
    let id: AgentId = w.ids.next_id();
    w.run(Command::new(
        Actor::integration("setup"),
        PeopleAction::RegisterAgent {
            id,
            name: name.into(),
            time_zone: chrono_tz::America::Chicago,
            roles: vec![Role::Agent],
            skills: vec![],
        },
    ))
    .unwrap();
    if let Some(m) = manager {
        w.run(Command::new(
            Actor::integration("setup"),
            PeopleAction::UpdateAgent {
                agent: id,
                command: AgentCommand::ReportTo(Some(m)),
            },
        ))
        .unwrap();
    }
    id
}

/// CEO <- VP <- lead <- Ana (the world's agent).
fn org(w: &mut World) -> (AgentId, AgentId, AgentId) {
    let ceo = hire(w, "Graham", None);
    let vp = hire(w, "Rob", Some(ceo));
    let lead = hire(w, "Luis", Some(vp));
    let ana = w.ana;
    w.run(Command::new(
        Actor::integration("setup"),
        PeopleAction::UpdateAgent {
            agent: ana,
            command: AgentCommand::ReportTo(Some(lead)),
        },
    ))
    .unwrap();
    (ceo, vp, lead)
}

fn pages_to(w: &World, agent: AgentId) -> Vec<String> {
    w.desk
        .channels()
        .outbox()
        .filter(|m| m.message.recipient == Recipient::Agent { agent })
        .map(|m| m.message.body.clone())
        .collect()
}

#[test]
fn praise_for_a_ticket_travels_up_to_the_ceo_who_acknowledges_it() {
    let mut w = World::new();
    let (ceo, vp, lead) = org(&mut w);
    let ana = w.ana;
    let t = w.jane_emails("site down");
    w.run(Command::new(
        Actor::integration("setup"),
        TicketAction::assign(t, ana),
    ))
    .unwrap();
    let p: PraiseId = w.ids.next_id();
    let acme = w.acme;
    w.run(Command::new(
        Actor::integration("setup"),
        RecognitionAction::RecordPraise {
            praise: p,
            source: PraiseSource::TicketReply,
            text: "Ana saved our launch!".into(),
            customer: Some(acme),
            ticket: Some(t),
        },
    ))
    .unwrap();
    let fanatical::recognition::PraiseRecord { praise, ack, .. } =
        w.desk.people().praise(p).unwrap().clone();
    assert_eq!(praise.agent, Some(ana));
    assert_eq!(praise.attribution, Attribution::Ticket { ticket: t });
    assert_eq!(praise.chain, vec![lead, vp, ceo]);
    for m in [lead, vp, ceo] {
        assert_eq!(
            pages_to(&w, m),
            vec!["Kudos for Ana: \"Ana saved our launch!\"".to_owned()]
        );
    }
    assert_eq!(
        pages_to(&w, ana),
        vec!["A customer praised you: \"Ana saved our launch!\"".to_owned()]
    );
    assert!(matches!(ack, Acknowledgement::Pending { by, .. } if by == ceo));
    // Reminded daily until acknowledged: a day and two days after.
    let praised = w.now;
    w.tick(24 * 60);
    let now = w.now;
    w.desk.handle_timeout(&mut w.store, now).unwrap();
    w.tick(24 * 60);
    let now = w.now;
    w.desk.handle_timeout(&mut w.store, now).unwrap();
    let mut reminders: Vec<_> = w
        .desk
        .channels()
        .outbox()
        .filter(|m| {
            m.message.recipient == Recipient::Agent { agent: ceo }
                && m.message.body.starts_with("Reminder")
        })
        .map(|m| (m.message.queued_at, m.message.body.clone()))
        .collect();
    let reminder = "Reminder: kudos for Ana are waiting for your personal acknowledgement: \
                    \"Ana saved our launch!\""
        .to_owned();
    reminders.sort();
    assert_eq!(
        reminders,
        vec![
            (praised + Duration::days(1), reminder.clone()),
            (praised + Duration::days(2), reminder)
        ]
    );
    w.refused(
        Command::new(
            Actor::Agent(vp),
            RecognitionAction::Acknowledge { praise: p },
        ),
        RecognitionError::NotTheAcknowledger {
            praise: p,
            expected: ceo,
            by: vp,
        },
    );
    w.run(Command::new(
        Actor::Agent(ceo),
        RecognitionAction::Acknowledge { praise: p },
    ))
    .unwrap();
    assert!(
        matches!(w.desk.people().praise(p).unwrap().ack, Acknowledgement::Acknowledged { by, .. } if by == ceo)
    );
    w.tick(3 * 24 * 60);
    let now = w.now;
    assert!(
        w.desk.handle_timeout(&mut w.store, now).unwrap().is_empty(),
        "no reminders after the acknowledgement"
    );
    assert_eq!(
        Desk::rebuild(&w.store, DeskConfig::default()).unwrap(),
        w.desk
    );
}

#[test]
fn praise_without_a_ticket_is_traced_through_recent_tickets_or_kept_unattributed() {
    let mut w = World::new();
    let (ana, bill, acme) = (w.ana, w.bill, w.acme);
    let old = w.jane_emails("old");
    w.run(Command::new(
        Actor::integration("setup"),
        TicketAction::assign(old, bill),
    ))
    .unwrap();
    w.tick(60);
    let recent = w.jane_emails("recent");
    w.run(Command::reply(recent, ana, "done")).unwrap();
    let p: PraiseId = w.ids.next_id();
    let source = PraiseSource::Social {
        network: fanatical::channel::SocialNetwork::X,
        handle: "@jane_acme".into(),
    };
    w.run(Command::new(
        Actor::integration("setup"),
        RecognitionAction::RecordPraise {
            praise: p,
            source: source.clone(),
            text: "Best support ever".into(),
            customer: Some(acme),
            ticket: None,
        },
    ))
    .unwrap();
    let fanatical::recognition::PraiseRecord { praise, ack, .. } =
        w.desk.people().praise(p).unwrap();
    assert_eq!(praise.agent, Some(ana));
    assert_eq!(
        praise.attribution,
        Attribution::RecentTicket { ticket: recent }
    );
    // Ana has no manager here: nobody to acknowledge.
    assert_eq!(*ack, Acknowledgement::NotNeeded);
    // Three weeks later the window (14 days) has passed: kept, unattributed.
    w.tick(21 * 24 * 60);
    let q: PraiseId = w.ids.next_id();
    w.run(Command::new(
        Actor::integration("setup"),
        RecognitionAction::RecordPraise {
            praise: q,
            source,
            text: "Still the best".into(),
            customer: Some(acme),
            ticket: None,
        },
    ))
    .unwrap();
    let fanatical::recognition::PraiseRecord { praise, ack: _, .. } =
        w.desk.people().praise(q).unwrap();
    assert_eq!(
        (praise.agent, praise.attribution),
        (None, Attribution::Unattributed)
    );
    w.refused(
        Command::new(
            Actor::Agent(ana),
            RecognitionAction::Acknowledge { praise: q },
        ),
        RecognitionError::Unattributed(q),
    );
    w.refused(
        Command::new(
            Actor::integration("setup"),
            RecognitionAction::RecordPraise {
                praise: q,
                source: PraiseSource::PhoneNote,
                text: "x".into(),
                customer: None,
                ticket: None,
            },
        ),
        RecognitionError::DuplicatePraise(q),
    );
    let r: PraiseId = w.ids.next_id();
    w.refused(
        Command::new(
            Actor::integration("setup"),
            RecognitionAction::RecordPraise {
                praise: r,
                source: PraiseSource::PhoneNote,
                text: "  ".into(),
                customer: None,
                ticket: None,
            },
        ),
        RecognitionError::EmptyPraise,
    );
    let ghost: AgentId = w.ids.next_id();
    w.refused(
        Command::new(
            Actor::Agent(ana),
            RecognitionAction::RecognisePeer {
                to: ghost,
                note: "thanks".into(),
            },
        ),
        fanatical::desk::DeskError::UnknownAgent(ghost),
    );
}

#[test]
fn peers_committee_certificates_and_smiles() {
    let mut w = World::new();
    let (ana, bill, team) = (w.ana, w.bill, w.team);
    w.run(Command::new(
        Actor::integration("setup"),
        PeopleAction::UpdateTeam {
            team,
            command: fanatical::agent::TeamCommand::AddMember(ana),
        },
    ))
    .unwrap();
    w.refused(
        Command::new(
            Actor::Agent(bill),
            RecognitionAction::IssueCertificate {
                agent: ana,
                title: String::new(),
            },
        ),
        RecognitionError::NoKudos(ana),
    );
    w.refused(
        Command::new(
            Actor::Agent(ana),
            RecognitionAction::RecognisePeer {
                to: ana,
                note: "me".into(),
            },
        ),
        RecognitionError::SelfRecognition(ana),
    );
    w.run(Command::new(
        Actor::Agent(bill),
        RecognitionAction::RecognisePeer {
            to: ana,
            note: "covered my night shift".into(),
        },
    ))
    .unwrap();
    assert_eq!(w.desk.people().kudos(ana), 1);
    let start = w.now;
    w.run(Command::new(
        Actor::Agent(bill),
        RecognitionAction::IssueCertificate {
            agent: ana,
            title: String::new(),
        },
    ))
    .unwrap();
    w.run(Command::new(
        Actor::integration("setup"),
        RecognitionAction::NameCommittee {
            members: vec![bill],
        },
    ))
    .unwrap();
    let carol = hire(&mut w, "Carol", None);
    w.refused(
        Command::new(
            Actor::Agent(carol),
            RecognitionAction::IssueCertificate {
                agent: ana,
                title: String::new(),
            },
        ),
        RecognitionError::NotOnCommittee(carol),
    );
    w.run(Command::new(
        Actor::Agent(bill),
        RecognitionAction::IssueCertificate {
            agent: ana,
            title: "Fanatical Award".into(),
        },
    ))
    .unwrap();
    let serials: Vec<(&str, &str)> = w
        .desk
        .people()
        .certificates()
        .iter()
        .map(|c| (c.serial.as_str(), c.title.as_str()))
        .collect();
    assert_eq!(
        serials,
        vec![
            ("COA-000001", "Certificate of Awesomeness"),
            ("COA-000002", "Fanatical Award")
        ]
    );
    // Smiles: customer praise only (peer kudos are not smiles), per period.
    let (acme, jane) = (w.acme, w.jane);
    for _ in 0..3 {
        let t = w.jane_emails("q");
        w.run(Command::new(
            Actor::integration("setup"),
            TicketAction::assign(t, ana),
        ))
        .unwrap();
        let p: PraiseId = w.ids.next_id();
        w.run(Command::new(
            Actor::integration("setup"),
            RecognitionAction::RecordPraise {
                praise: p,
                source: PraiseSource::TicketReply,
                text: "thanks!".into(),
                customer: Some(acme),
                ticket: Some(t),
            },
        ))
        .unwrap();
        w.tick(60);
    }
    let _ = jane;
    let day = Duration::days(1);
    assert_eq!(
        w.desk.people().smiles(start, start + day).get(&ana),
        Some(&3)
    );
    assert_eq!(
        w.desk
            .people()
            .smiles(start + day, start + day * 2)
            .get(&ana),
        None
    );
    assert_eq!(
        w.desk
            .people()
            .smiles_by_team(start, start + day)
            .get(&team),
        Some(&3)
    );
    assert_eq!(
        Desk::rebuild(&w.store, DeskConfig::default()).unwrap(),
        w.desk
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(crate::cases(64)))]

    /// Whatever the reporting tree, kudos for any agent reach every manager
    /// above them exactly once, and nobody else.
    #[test]
    fn kudos_reach_every_manager_exactly_once(
        managers in proptest::collection::vec(any::<proptest::sample::Index>(), 1..25),
        who in any::<proptest::sample::Index>(),
    ) {
        let mut w = World::new();
        let mut people = vec![hire(&mut w, "CEO", None)];
        for (i, m) in managers.iter().enumerate() {
            let boss = people[m.index(i + 1)];
            people.push(hire(&mut w, &format!("P{i}"), Some(boss)));
        }
        let agent = *who.get(&people);
        let t = w.jane_emails("help");
        w.run(Command::new(Actor::integration("setup"), TicketAction::assign(t, agent))).unwrap();
        let p: PraiseId = w.ids.next_id();
        let acme = w.acme;
        w.run(Command::new(Actor::integration("setup"), RecognitionAction::RecordPraise { praise: p, source: PraiseSource::TicketReply, text: "great".into(), customer: Some(acme), ticket: Some(t) })).unwrap();
        let chain = w.desk.people().praise(p).unwrap().praise.chain.clone();
        // The chain is the real one: each is the manager of the one before.
        let mut at = agent;
        for m in &chain {
            prop_assert_eq!(w.desk.people().agent(at).unwrap().manager(), Some(*m));
            at = *m;
        }
        prop_assert_eq!(w.desk.people().agent(at).unwrap().manager(), None, "the chain ends at the top");
        for person in &people {
            let kudos = pages_to(&w, *person).iter().filter(|b| b.starts_with("Kudos")).count();
            prop_assert_eq!(kudos, usize::from(chain.contains(person)));
        }
    }
}

/// Praise posted from the handle of a known contact, with no customer
/// named, is that contact's customer's, and earns the agent of the
/// sender's own recent ticket before a colleague's more recent one at the
/// same customer (story 001: a tweet from a customer's account). A
/// stranger's handle stays unattributed.
#[test]
fn praise_from_a_known_handle_finds_its_customer_and_the_senders_ticket() {
    use fanatical::channel::{Channel, ChannelAddress, SocialNetwork};
    use fanatical::customer::CustomerCommand;
    use fanatical::desk::{CustomerAction, InboundMessage};
    let mut w = World::new();
    let (ana, bill, acme) = (w.ana, w.bill, w.acme);
    // Jane's ticket, worked by Ana...
    let janes = w.jane_emails("Our DNS is down");
    w.run(Command::reply(janes, ana, "Fixed the zone file."))
        .unwrap();
    w.tick(30);
    // ...then a colleague of hers writes, and Bill answers, more recently.
    let bob: fanatical::id::ContactId = w.ids.next_id();
    let bob_email = ChannelAddress::email("bob@acme.example").unwrap();
    w.run(Command::new(
        Actor::integration("setup"),
        CustomerAction::Update {
            customer: acme,
            command: CustomerCommand::AddContact {
                contact: bob,
                name: "Bob".into(),
                addresses: vec![bob_email.clone()],
            },
        },
    ))
    .unwrap();
    let bobs = w.ids.next_id();
    w.run(Command::new(
        Actor::integration("inbound"),
        TicketAction::Receive(InboundMessage::new(
            bobs,
            Channel::Email,
            bob_email,
            "Invoice?",
        )),
    ))
    .unwrap();
    w.tick(5);
    w.run(Command::reply(bobs, bill, "Sent again.")).unwrap();
    w.tick(60);
    let p: PraiseId = w.ids.next_id();
    w.run(Command::new(
        Actor::integration("social"),
        RecognitionAction::RecordPraise {
            praise: p,
            source: PraiseSource::Social {
                network: SocialNetwork::X,
                handle: "@jane_acme".into(),
            },
            text: "Rackspace fixed our DNS in minutes!".into(),
            customer: None,
            ticket: None,
        },
    ))
    .unwrap();
    let record = w.desk.people().praise(p).unwrap();
    assert_eq!(record.praise.customer, Some(acme));
    assert_eq!(record.praise.agent, Some(ana));
    assert_eq!(
        record.praise.attribution,
        Attribution::RecentTicket { ticket: janes }
    );
    // A handle nobody at any customer has: kept, unattributed.
    let q: PraiseId = w.ids.next_id();
    w.run(Command::new(
        Actor::integration("social"),
        RecognitionAction::RecordPraise {
            praise: q,
            source: PraiseSource::Social {
                network: SocialNetwork::X,
                handle: "@a_stranger".into(),
            },
            text: "Great support".into(),
            customer: None,
            ticket: None,
        },
    ))
    .unwrap();
    let record = w.desk.people().praise(q).unwrap();
    assert_eq!(
        (
            record.praise.customer,
            record.praise.agent,
            &record.praise.attribution
        ),
        (None, None, &Attribution::Unattributed)
    );
}
