//! Crisis details reach the safety role only, on every path (merges,
//! links, hand-offs, pages, briefings, metrics, the customer side, survey
//! comments, praise, social messages); a responder on duty takes it, or
//! the next one with the safety lead told; and the default keyword policy
//! covers the common ways people say it.

use chrono::{Duration, TimeZone, Utc};
use fanatical::actor::Actor;
use fanatical::agent::Role;
use fanatical::channel::{Channel, SocialNetwork, Visibility};
use fanatical::crisis::{CrisisClassifier, CrisisConfig, CrisisError, KeywordPolicy, RESTRICTED};
use fanatical::customer::CustomerCommand;
use fanatical::desk::{
    Command, CustomerAction, Desk, DeskConfig, InboundMessage, PeopleAction, RecognitionAction,
    SurveyAction, TicketAction,
};
use fanatical::id::{AgentId, ContactId, InvitationId, PraiseId, TicketId};
use fanatical::outbox::Recipient;
use fanatical::recognition::PraiseSource;
use fanatical::sla::{BusinessCalendar, DayHours};
use fanatical::survey::{
    Answer, Question, QuestionKind, Response, SurveyConfig, SurveyDraft, SurveyKind,
};
use fanatical::ticket::{Author, LinkKind, Priority};
use fanatical::view::ViewError;

use crate::support::World;

const WORDS: &str = "end my life";
const MESSAGE: &str = "The restore failed again and I want to end my life";

fn agent(w: &mut World, name: &str, roles: Vec<Role>) -> AgentId {
    let id: AgentId = w.ids.next_id();
    w.run(Command::new(
        Actor::integration("setup"),
        PeopleAction::RegisterAgent {
            id,
            name: name.into(),
            time_zone: chrono_tz::America::Chicago,
            roles,
            skills: vec![],
        },
    ))
    .unwrap();
    id
}

pub(crate) fn responder(w: &mut World, name: &str) -> AgentId {
    agent(w, name, vec![Role::SafetyResponder])
}

/// A second contact of Acme, who did not write the crisis message.
pub(crate) fn joe(w: &mut World) -> ContactId {
    let joe: ContactId = w.ids.next_id();
    let acme = w.acme;
    w.run(Command::new(
        Actor::integration("setup"),
        CustomerAction::Update {
            customer: acme,
            command: CustomerCommand::AddContact {
                contact: joe,
                name: "Joe".into(),
                addresses: vec![
                    fanatical::channel::ChannelAddress::email("joe@acme.example").unwrap(),
                ],
            },
        },
    ))
    .unwrap();
    joe
}

/// Every path a person other than a safety responder can read: no page
/// or message, agent view, care briefing, praise record or period figure
/// carries `secret`.
fn assert_no_leak(w: &World, secret: &str) {
    let d = &w.desk;
    for m in d.channels().outbox() {
        assert!(
            !m.message.body.contains(secret),
            "{secret:?} in a message to {}: {}",
            m.message.recipient,
            m.message.body
        );
    }
    for t in d.tickets().iter() {
        let view = serde_json::to_string(&d.agent_ticket_view(t.id()).unwrap()).unwrap();
        assert!(
            !view.contains(secret),
            "{secret:?} in the agent view {view}"
        );
        let brief = format!("{:?}", d.customers().care_briefing(t.id(), w.now).unwrap());
        assert!(!brief.contains(secret), "{secret:?} in a briefing {brief}");
    }
    for p in d.people().praises() {
        assert!(
            !p.praise.text.contains(secret),
            "{secret:?} recorded as praise"
        );
    }
    let m = format!(
        "{:?}",
        d.tickets()
            .metrics(w.now - Duration::days(30), w.now + Duration::days(1))
    );
    assert!(!m.contains(secret));
}

fn pages_to(w: &World, agent: AgentId) -> Vec<String> {
    w.desk
        .channels()
        .outbox()
        .filter(|m| m.message.recipient == Recipient::Agent { agent })
        .map(|m| m.message.body.clone())
        .collect()
}

// ----- item 1: every path ---------------------------------------------------

#[test]
fn merging_a_crisis_is_a_responders_to_do_and_the_result_stays_restricted() {
    let mut w = World::new();
    let sam = responder(&mut w, "Sam");
    let ana = w.ana;
    let crisis = w.jane_emails(MESSAGE);
    let ordinary = w.jane_emails("Is the DNS change done?");
    // Either way round, an agent without the role is refused, changing nothing.
    for (source, target) in [(crisis, ordinary), (ordinary, crisis)] {
        w.refused(
            Command::new(Actor::Agent(ana), TicketAction::Merge { source, target }),
            CrisisError::MergeRestricted {
                agent: ana,
                ticket: crisis,
            },
        );
    }
    // A responder merges the crisis into the ordinary ticket: the target
    // now holds the words, so it is a crisis too, and theirs.
    w.run(Command::new(
        Actor::Agent(sam),
        TicketAction::Merge {
            source: crisis,
            target: ordinary,
        },
    ))
    .unwrap();
    assert!(w.desk.tickets().is_crisis(ordinary));
    let t = w.desk.tickets().get(ordinary).unwrap();
    assert_eq!(t.assignee(), Some(sam));
    assert_eq!(t.priority(), Priority::Urgent);
    let view = w.desk.agent_ticket_view(ordinary).unwrap();
    assert_eq!(view.subject, RESTRICTED);
    assert!(view.conversation.iter().all(|e| e.body == RESTRICTED));
    let full = w.desk.safety_ticket_view(ordinary, sam).unwrap();
    assert!(full.ticket.conversation.iter().any(|e| e.body == MESSAGE));
    let record = full.record.unwrap();
    assert!(
        record
            .signal
            .reason
            .starts_with(&format!("merged from crisis ticket {crisis}")),
        "{}",
        record.signal.reason
    );
    assert_eq!(record.responder, Some(sam));
    assert_no_leak(&w, WORDS);
    assert_eq!(
        Desk::rebuild(&w.store, DeskConfig::default()).unwrap(),
        w.desk
    );

    // An ordinary ticket merged into a crisis one by a responder: the
    // target was restricted already and stays so.
    let crisis2 = w.jane_emails("I am suicidal");
    let other = w.jane_emails("Backups question");
    w.run(Command::new(
        Actor::Agent(sam),
        TicketAction::Merge {
            source: other,
            target: crisis2,
        },
    ))
    .unwrap();
    assert!(w.desk.tickets().is_crisis(crisis2));
    assert!(
        !w.desk.tickets().is_crisis(other),
        "the closed source holds no crisis words"
    );
    assert_no_leak(&w, "suicidal");
}

#[test]
fn links_hand_offs_and_escalation_pages_carry_no_words() {
    let mut w = World::new();
    let sam = responder(&mut w, "Sam");
    let (ana, bill) = (w.ana, w.bill);
    let crisis = w.jane_emails(MESSAGE);
    let ordinary = w.jane_emails("Backups are slow");
    w.run(Command::new(
        Actor::Agent(ana),
        TicketAction::Link {
            ticket: ordinary,
            link: LinkKind::DuplicateOf,
            other: crisis,
        },
    ))
    .unwrap();
    // The escalation reason quotes the customer; the page must not.
    w.run(Command::new(
        Actor::Agent(sam),
        TicketAction::Escalate {
            ticket: crisis,
            department: "Safety".into(),
            reason: format!("she wrote \"{MESSAGE}\""),
            context: vec![format!("quote: {MESSAGE}")],
            notify: vec![ana, bill],
        },
    ))
    .unwrap();
    for a in [ana, bill] {
        let pages = pages_to(&w, a);
        assert_eq!(pages.len(), 1);
        assert!(pages[0].contains(&crisis.to_string()) && pages[0].contains("restricted"));
    }
    // An ordinary escalation still says why.
    w.run(Command::new(
        Actor::Agent(ana),
        TicketAction::Escalate {
            ticket: ordinary,
            department: "Tier 2".into(),
            reason: "slow disks".into(),
            context: vec![],
            notify: vec![bill],
        },
    ))
    .unwrap();
    let to_bill = pages_to(&w, bill);
    assert_eq!(to_bill.len(), 2);
    assert!(to_bill[1].contains(&ordinary.to_string()) && to_bill[1].ends_with("slow disks"));
    assert_eq!(pages_to(&w, ana).len(), 1, "Ana was not on the second");
    let brief = w.desk.customers().care_briefing(ordinary, w.now).unwrap();
    let listed = brief
        .other_open
        .iter()
        .find(|o| o.ticket == crisis)
        .unwrap();
    assert_eq!(listed.subject, RESTRICTED);
    assert_no_leak(&w, WORDS);
    assert_no_leak(&w, "restore failed");
}

#[test]
fn a_crisis_ticket_is_shown_to_its_requester_only() {
    let mut w = World::new();
    responder(&mut w, "Sam");
    let joe = joe(&mut w);
    let jane = w.jane;
    let crisis = w.jane_emails(MESSAGE);
    let ordinary = w.jane_emails("Is the DNS change done?");
    assert_eq!(
        w.desk.customer_ticket_view(crisis, joe).unwrap_err(),
        ViewError::NotTheirTicket {
            contact: joe,
            ticket: crisis
        }
        .into()
    );
    assert_eq!(
        w.desk
            .customer_ticket_view(ordinary, joe)
            .unwrap()
            .conversation[0]
            .body,
        "Is the DNS change done?",
        "ordinary tickets stay shared"
    );
    let hers = w.desk.customer_ticket_view(crisis, jane).unwrap();
    assert_eq!(hers.conversation[0].body, MESSAGE, "her own words, to her");
    let ids = |c| {
        w.desk
            .tickets()
            .seen_by(c)
            .unwrap()
            .iter()
            .map(|v| v.id)
            .collect::<Vec<TicketId>>()
    };
    assert_eq!(ids(jane), vec![crisis, ordinary]);
    assert_eq!(ids(joe), vec![ordinary]);
    let listed = serde_json::to_string(&w.desk.tickets().seen_by(joe).unwrap()).unwrap();
    assert!(!listed.contains(WORDS));
}

fn survey_config() -> DeskConfig {
    let nps = SurveyDraft::new("relationship")
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
        .unwrap();
    DeskConfig::default().with_surveys(SurveyConfig::default().with_survey(nps))
}

/// Jane answers the relationship survey (a quarter after the last time,
/// past her quiet period).
fn answer_survey(w: &mut World, score: u8, comment: &str) -> InvitationId {
    w.tick(91 * 24 * 60);
    let invitation: InvitationId = w.ids.next_id();
    let acme = w.acme;
    w.run(Command::new(
        Actor::integration("setup"),
        SurveyAction::Send {
            invitation,
            survey: "relationship".into(),
            kind: SurveyKind::Nps,
            customer: acme,
            ticket: None,
            agent: None,
        },
    ))
    .unwrap();
    w.run(Command::new(
        Actor::integration("survey"),
        SurveyAction::Answer {
            invitation,
            response: Response::new()
                .answer("score", Answer::Nps(score))
                .answer("why", Answer::Comment(comment.into())),
        },
    ))
    .unwrap();
    invitation
}

#[test]
fn a_crisis_in_a_survey_comment_goes_to_a_responder_not_into_a_note() {
    let mut w = World::with_config(survey_config());
    let sam = responder(&mut w, "Sam");
    let am = agent(&mut w, "Amy", vec![Role::AccountManager]);
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
    // A detractor's comment and a promoter's: both are assessed.
    for (score, comment) in [
        (
            2,
            "Support was slow and honestly I don't want to be here anymore",
        ),
        (
            10,
            "You were great. I don\u{2019}t want to be here anymore though",
        ),
    ] {
        let inv = answer_survey(&mut w, score, comment);
        let task = inv.follow_up_ticket();
        assert!(w.desk.tickets().is_crisis(task), "score {score}");
        let t = w.desk.tickets().get(task).unwrap();
        assert_eq!(
            t.assignee(),
            Some(sam),
            "the responder, not the account manager"
        );
        assert_eq!(t.conversation().len(), 1, "no internal note quoting it");
        assert_eq!(t.conversation()[0].author, Author::Contact(w.jane));
        let full = w.desk.safety_ticket_view(task, sam).unwrap();
        assert_eq!(full.ticket.conversation[0].body, comment);
    }
    assert!(
        !w.desk
            .channels()
            .outbox()
            .any(|m| m.message.body.starts_with("Thank you for your feedback")),
        "no cheerful thank-you for a person at risk"
    );
    assert!(pages_to(&w, am).is_empty());
    assert_no_leak(&w, "want to be here");
    // An ordinary low score still gets its personal follow-up with the note.
    let inv = answer_survey(&mut w, 3, "Slow replies");
    let t = w.desk.tickets().get(inv.follow_up_ticket()).unwrap();
    assert!(!w.desk.tickets().is_crisis(t.id()));
    assert_eq!(t.assignee(), Some(am));
    assert_eq!(Desk::rebuild(&w.store, survey_config()).unwrap(), w.desk);
}

#[test]
fn a_crisis_in_praise_opens_a_crisis_ticket_and_is_never_paged_as_kudos() {
    let mut w = World::new();
    let sam = responder(&mut w, "Sam");
    let (ana, acme, jane) = (w.ana, w.acme, w.jane);
    let t = w.jane_emails("Thanks for the restore");
    w.run(Command::new(
        Actor::integration("setup"),
        TicketAction::assign(t, ana),
    ))
    .unwrap();
    let p: PraiseId = w.ids.next_id();
    let text = "Ana was so kind, but honestly I want to kill myself";
    w.run(Command::new(
        Actor::integration("social"),
        RecognitionAction::RecordPraise {
            praise: p,
            source: PraiseSource::TicketReply,
            text: text.into(),
            customer: Some(acme),
            ticket: Some(t),
        },
    ))
    .unwrap();
    assert!(
        w.desk.people().praise(p).is_none(),
        "not recorded as praise"
    );
    assert!(pages_to(&w, ana).is_empty(), "no kudos page quoting it");
    let opened = p.crisis_ticket();
    assert!(w.desk.tickets().is_crisis(opened));
    let ticket = w.desk.tickets().get(opened).unwrap();
    assert_eq!(ticket.assignee(), Some(sam));
    assert_eq!(
        ticket.requester(),
        Some(jane),
        "the named ticket's requester"
    );
    assert_eq!(
        w.desk
            .safety_ticket_view(opened, sam)
            .unwrap()
            .ticket
            .conversation[0]
            .body,
        text
    );
    assert_no_leak(&w, "kill myself");
    // From nobody the desk knows: refused, so the caller hands it to a person.
    let q: PraiseId = w.ids.next_id();
    w.refused(
        Command::new(
            Actor::integration("social"),
            RecognitionAction::RecordPraise {
                praise: q,
                source: PraiseSource::Social {
                    network: SocialNetwork::X,
                    handle: "@someone".into(),
                },
                text: "great service, I'm going to end it all tonight".into(),
                customer: None,
                ticket: None,
            },
        ),
        CrisisError::NoCustomer { praise: q },
    );
}

#[test]
fn crisis_praise_finds_its_writer_and_replies_go_to_nobody_else() {
    let mut w = World::new();
    let sam = responder(&mut w, "Sam");
    let (acme, jane) = (w.acme, w.jane);
    let joe = joe(&mut w);
    // A social mention from Jane's handle, naming nobody: the desk knows
    // the handle, so the ticket is hers.
    let p: PraiseId = w.ids.next_id();
    w.run(Command::new(
        Actor::integration("social"),
        RecognitionAction::RecordPraise {
            praise: p,
            source: PraiseSource::Social {
                network: SocialNetwork::X,
                handle: "@jane_acme".into(),
            },
            text: "love the new portal but I want to disappear forever".into(),
            customer: None,
            ticket: None,
        },
    ))
    .unwrap();
    let t = w.desk.tickets().get(p.crisis_ticket()).unwrap();
    assert_eq!((t.customer(), t.requester()), (acme, Some(jane)));
    assert!(w.desk.tickets().is_crisis(t.id()));
    assert_eq!(
        w.desk.customer_ticket_view(t.id(), joe).unwrap_err(),
        ViewError::NotTheirTicket {
            contact: joe,
            ticket: t.id()
        }
        .into()
    );

    // A crisis ticket with no requester: a written reply would fall back
    // to the organisation's primary contact; for a crisis it goes nowhere
    // (refused: the responder calls instead).
    w.run(Command::new(
        Actor::integration("setup"),
        CustomerAction::Update {
            customer: acme,
            command: CustomerCommand::DesignateContact {
                contact: joe,
                role: fanatical::customer::ContactRole::Primary,
            },
        },
    ))
    .unwrap();
    let open = |w: &mut World| {
        let id: TicketId = w.ids.next_id();
        w.run(Command::new(
            Actor::integration("portal"),
            TicketAction::Open(
                fanatical::ticket::OpenTicket::new(id, acme, "Call notes", Channel::Email)
                    .with_message(Author::Agent(sam), "Caller was distressed"),
            ),
        ))
        .unwrap();
        id
    };
    let ordinary = open(&mut w);
    w.run(Command::reply(ordinary, sam, "We are here for you"))
        .unwrap();
    let reached: Vec<_> = w
        .desk
        .channels()
        .outbox()
        .filter(|m| m.message.ticket == Some(ordinary))
        .map(|m| (m.message.recipient.clone(), m.message.body.clone()))
        .collect();
    assert_eq!(
        reached,
        vec![(
            Recipient::Contact {
                contact: joe,
                address: fanatical::channel::ChannelAddress::email("joe@acme.example").unwrap(),
            },
            "We are here for you".to_owned()
        )],
        "an ordinary ticket's reply reaches the primary contact, and only them"
    );
    let crisis = open(&mut w);
    w.run(Command::new(
        Actor::integration("classifier"),
        TicketAction::FlagCrisis {
            ticket: crisis,
            signal: fanatical::crisis::CrisisSignal {
                reason: "a caller at risk".into(),
                matched: None,
            },
        },
    ))
    .unwrap();
    w.refused(
        Command::reply(crisis, sam, "We are here for you"),
        fanatical::desk::DeskError::Unreachable {
            ticket: crisis,
            channel: Channel::Email,
        },
    );
}

#[test]
fn every_inbound_channel_and_reply_is_assessed() {
    let mut w = World::new();
    let sam = responder(&mut w, "Sam");
    let (acme, jane) = (w.acme, w.jane);
    let chat = fanatical::channel::ChannelAddress::chat("jane-acme").unwrap();
    w.run(Command::new(
        Actor::integration("setup"),
        CustomerAction::Update {
            customer: acme,
            command: CustomerCommand::AddAddress {
                contact: jane,
                address: chat.clone(),
            },
        },
    ))
    .unwrap();
    let x = |visibility| Channel::Social {
        network: SocialNetwork::X,
        visibility,
    };
    // A crisis message on every kind of channel, each from the address
    // that channel carries.
    let cases = [
        (
            Channel::Phone,
            w.jane_phone.clone(),
            "no point in living anymore",
        ),
        (
            Channel::Portal,
            w.jane_email.clone(),
            "I want to end it all",
        ),
        (Channel::Email, w.jane_email.clone(), "I am suicidal"),
        (x(Visibility::Public), w.jane_x.clone(), "I want to die"),
        (
            x(Visibility::Private),
            w.jane_x.clone(),
            "no point in living anymore, sorry",
        ),
        (
            Channel::Video,
            w.jane_email.clone(),
            "I want to kill myself",
        ),
        (Channel::Chat, chat, "I have nothing to live for"),
    ];
    let mut kinds = std::collections::BTreeSet::new();
    for (channel, from, words) in cases {
        let id: TicketId = w.ids.next_id();
        w.run(Command::new(
            Actor::integration("inbound"),
            TicketAction::Receive(InboundMessage::new(id, channel.clone(), from, words)),
        ))
        .unwrap();
        assert!(w.desk.tickets().is_crisis(id), "{channel:?}");
        assert_eq!(
            w.desk.tickets().get(id).unwrap().assignee(),
            Some(sam),
            "{channel:?}"
        );
        kinds.insert(channel.kind());
        assert_no_leak(&w, words);
    }
    assert_eq!(
        kinds,
        fanatical::channel::ChannelKind::ALL.into_iter().collect()
    );
    // An emailed reply on an existing ticket.
    let t = w.jane_emails("Is the DNS change done?");
    let email = w.jane_email.clone();
    let fresh: TicketId = w.ids.next_id();
    w.run(Command::new(
        Actor::integration("inbound"),
        TicketAction::Receive(
            InboundMessage::new(
                fresh,
                Channel::Email,
                email,
                "I think I'll take my own life",
            )
            .in_reply_to(t),
        ),
    ))
    .unwrap();
    assert!(w.desk.tickets().is_crisis(t));
    assert_eq!(w.desk.tickets().get(t).unwrap().assignee(), Some(sam));
    assert_no_leak(&w, "take my own life");
    // A reply written on the ticket (a contact's, through the desk).
    let u = w.jane_emails("Backups question");
    w.run(Command::reply_on(
        u,
        Author::Contact(jane),
        Channel::Email,
        "honestly I don't want to live anymore",
        vec![],
    ))
    .unwrap();
    assert!(w.desk.tickets().is_crisis(u));
    assert_eq!(w.desk.tickets().get(u).unwrap().assignee(), Some(sam));
    assert_no_leak(&w, "want to live anymore");
}

// ----- item 2: a responder on duty -----------------------------------------

fn nine_to_five() -> BusinessCalendar {
    BusinessCalendar::weekdays(
        chrono_tz::America::Chicago,
        DayHours::parse(&[("09:00", "17:00")]).unwrap(),
    )
}

/// The ids the next `n` registrations on a fresh [`World`] take, so a
/// configuration can name agents before they exist.
fn upcoming(n: usize) -> Vec<AgentId> {
    let mut w = World::new();
    (0..n).map(|_| w.ids.next_id()).collect()
}

#[test]
fn a_crisis_goes_to_a_responder_working_now() {
    let ids = upcoming(2);
    let (dee, nina) = (ids[0], ids[1]);
    let config = DeskConfig::default().with_crisis(
        CrisisConfig::default()
            .with_on_call(dee, nine_to_five())
            .with_on_call(nina, BusinessCalendar::always()),
    );
    let mut w = World::with_config(config.clone());
    assert_eq!(
        (responder(&mut w, "Dee"), responder(&mut w, "Nina")),
        (dee, nina)
    );
    // Sunday 8 p.m. in Chicago: only Nina is working.
    let t = w.jane_emails(MESSAGE);
    assert_eq!(w.desk.tickets().get(t).unwrap().assignee(), Some(nina));
    let record = w.desk.safety_ticket_view(t, nina).unwrap().record.unwrap();
    assert_eq!((record.on_duty_from, record.told.clone()), (None, vec![]));
    // Monday 10 a.m.: both are; Dee has less on her plate.
    w.now = chrono_tz::America::Chicago
        .with_ymd_and_hms(2026, 11, 2, 10, 0, 0)
        .unwrap()
        .with_timezone(&Utc);
    let u = w.jane_emails("I feel suicidal");
    assert_eq!(w.desk.tickets().get(u).unwrap().assignee(), Some(dee));
    let to_dee = pages_to(&w, dee);
    assert_eq!(to_dee.len(), 1);
    assert!(to_dee[0].contains("is yours now") && to_dee[0].contains(&u.to_string()));
    // Nina was paged for the first only.
    let to_nina = pages_to(&w, nina);
    assert_eq!(to_nina.len(), 1);
    assert!(to_nina[0].contains(&t.to_string()));
    assert_eq!(Desk::rebuild(&w.store, config).unwrap(), w.desk);
}

#[test]
fn when_nobody_is_on_duty_the_next_one_is_named_and_paged_and_the_lead_told() {
    let ids = upcoming(2);
    let (dee, lead) = (ids[0], ids[1]);
    let config = DeskConfig::default().with_crisis(
        CrisisConfig::default()
            .with_on_call(dee, nine_to_five())
            .with_safety_lead(lead),
    );
    let mut w = World::with_config(config);
    let dee2 = responder(&mut w, "Dee");
    let lead2 = agent(&mut w, "Lee", vec![Role::TeamLead]);
    assert_eq!((dee2, lead2), (dee, lead));
    // Sunday 8 p.m. in Chicago.
    let t = w.jane_emails(MESSAGE);
    assert_eq!(
        w.desk.tickets().get(t).unwrap().assignee(),
        Some(dee),
        "named, not left unassigned"
    );
    let record = w.desk.safety_ticket_view(t, dee).unwrap().record.unwrap();
    let monday_nine = chrono_tz::America::Chicago
        .with_ymd_and_hms(2026, 11, 2, 9, 0, 0)
        .unwrap()
        .with_timezone(&Utc);
    assert_eq!(record.on_duty_from, Some(monday_nine));
    assert_eq!(record.told, vec![lead]);
    let to_dee = pages_to(&w, dee);
    assert_eq!(to_dee.len(), 1);
    assert!(to_dee[0].contains("you are next") && to_dee[0].contains(&t.to_string()));
    let to_lead = pages_to(&w, lead);
    assert_eq!(to_lead.len(), 1);
    assert!(to_lead[0].contains("no safety responder is on duty") && to_lead[0].contains("Dee"));
    assert_no_leak(&w, WORDS);
}

#[test]
fn with_no_responder_the_lead_is_told_else_the_managers_else_the_record_says_nobody_was() {
    // A lead, no responder.
    let lead = upcoming(1)[0];
    let mut w = World::with_config(
        DeskConfig::default().with_crisis(CrisisConfig::default().with_safety_lead(lead)),
    );
    assert_eq!(agent(&mut w, "Lee", vec![Role::TeamLead]), lead);
    let t = w.jane_emails(MESSAGE);
    assert_eq!(w.desk.tickets().get(t).unwrap().assignee(), None);
    let to_lead = pages_to(&w, lead);
    assert_eq!(to_lead.len(), 1);
    assert!(
        to_lead[0].contains("there is no safety responder") && to_lead[0].contains(&t.to_string())
    );
    assert!(w.desk.tickets().unattended_crises().is_empty());

    // No lead: the managers and executives are told.
    let mut w = World::new();
    let boss = agent(&mut w, "Mo", vec![Role::Manager]);
    let ceo = agent(&mut w, "Cy", vec![Role::Executive]);
    let t = w.jane_emails(MESSAGE);
    for a in [boss, ceo] {
        let pages = pages_to(&w, a);
        assert_eq!(pages.len(), 1);
        assert!(pages[0].contains(&t.to_string()));
    }
    assert_no_leak(&w, WORDS);
    assert!(w.desk.tickets().unattended_crises().is_empty());

    // Nobody at all: the ticket is urgent and listed as unattended.
    let mut w = World::new();
    let t = w.jane_emails(MESSAGE);
    assert_eq!(
        w.desk.tickets().get(t).unwrap().priority(),
        Priority::Urgent
    );
    assert_eq!(w.desk.tickets().unattended_crises(), vec![t]);
    // The record keeps what happened at flagging.
    let sam = responder(&mut w, "Sam");
    let record = w.desk.safety_ticket_view(t, sam).unwrap().record.unwrap();
    assert!(record.is_unattended());
}

// ----- the default keyword policy ------------------------------------------

#[test]
fn the_default_policy_matches_the_common_ways_people_say_it_and_not_ordinary_talk() {
    let policy = KeywordPolicy::default_policy();
    let must_match = [
        "I want to kill myself",
        "i'm going to KILL MYSELF tonight",
        "I keep thinking about killing myself",
        "I just want to end it all",
        "thinking about ending it all",
        "I don't want to be here anymore",
        "I don\u{2019}t want to be here anymore",
        "I do not want to be here anymore",
        "I'm going to take my own life",
        "I've thought about taking my own life",
        "life is not worth living",
        "my life isn't worth living",
        "there is no point in living",
        "no point living like this",
        "I want to disappear forever",
        "I'm planning an overdose",
        "I might hang myself",
        "I want to slit my wrists",
        "I am suicidal",
        "I've been having suicidal thoughts",
        "thinking of suicide",
        "I want to die",
        "i wanna die",
        "I wish I was dead",
        "everyone would be better off without me",
        "they'd be better off dead, and so would I",
        "I have nothing to live for",
        "there's no reason to live",
        "I keep hurting myself",
        "I self-harm when it gets bad",
        "I've started cutting myself again",
        "I don't want to live anymore",
        "I can't go on like this",
        "I'm going to take all my pills",
        "I'll jump off a bridge",
        "I want to end my life",
        "I am a burden to everyone",
    ];
    let must_not_match = [
        "kill the process and restart it",
        "this bug is killing me",
        "the end of life hardware needs replacing",
        "the server can end its life cycle now",
        "kill -9 the daemon, then start it",
        "my battery died overnight",
        "the disk is dead",
        "messages go to the dead letter queue",
        "the app hangs on login",
        "we cut costs by moving regions",
        "is there a self-service portal",
        "I could murder a coffee",
        "I'm dying to see the new dashboard",
        "the deadline is killing our team",
        "end it here and open a new ticket",
        "the job overran its window",
        "please take my money and upgrade me",
        "we're living the dream in the new datacenter",
        "can you help me get to the end of this migration",
        "I want to diagnose this",
    ];
    let matched: Vec<_> = must_match
        .iter()
        .filter(|s| policy.assess(s).is_none())
        .collect();
    assert!(matched.is_empty(), "missed: {matched:?}");
    let false_alarms: Vec<_> = must_not_match
        .iter()
        .filter_map(|s| policy.assess(s).map(|sig| (s, sig.matched)))
        .collect();
    assert!(false_alarms.is_empty(), "false alarms: {false_alarms:?}");
    assert!(must_match.len() + must_not_match.len() >= 30);
    // Documented limits: a figure of speech with a phrase in it matches.
    assert!(policy.assess("I'll kill myself laughing").is_some());
    assert!(policy.assess("I'm not suicidal, just tired").is_some());
}

/// An archived crisis ticket: the responder still reads the whole of it
/// from the store, with its crisis record; anyone else is refused before
/// the store is read, and the agent view of it stays restricted.
#[test]
fn an_archived_crisis_ticket_is_read_whole_by_a_responder_and_by_nobody_else() {
    use fanatical::desk::ArchivePolicy;
    use fanatical::ticket::Status;
    let mut w = World::with_config(
        DeskConfig::default().with_archive(ArchivePolicy::after_closed(Duration::days(7)).unwrap()),
    );
    let sam = responder(&mut w, "Sam");
    let t = w.jane_emails(MESSAGE);
    assert_eq!(w.desk.tickets().get(t).unwrap().assignee(), Some(sam));
    let live = w.desk.safety_ticket_view(t, sam).unwrap();
    for status in [Status::Solved, Status::Closed] {
        w.run(Command::new(
            Actor::Agent(sam),
            TicketAction::set_status(t, status),
        ))
        .unwrap();
    }
    w.tick(8 * 24 * 60);
    let now = w.now;
    w.desk.handle_timeout(&mut w.store, now).unwrap();
    assert!(w.desk.tickets().get(t).is_none(), "archived");
    let view = w
        .desk
        .archived_safety_ticket_view(&w.store, t, sam)
        .unwrap();
    assert!(view.ticket.conversation[0].body.contains(WORDS));
    assert_eq!(view.record, live.record);
    assert!(view.record.is_some());
    let ana = w.ana;
    assert_eq!(
        w.desk.archived_safety_ticket_view(&w.store, t, ana),
        Err(crate::support::denied(
            &w.desk,
            fanatical::actor::Actor::Agent(ana),
            fanatical::permission::Permission::ViewCrisisDetails,
            None
        ))
    );
    let agents = w.desk.archived_agent_view(&w.store, t).unwrap();
    assert!(
        agents.conversation.iter().all(|e| !e.body.contains(WORDS)),
        "the agent view of the archived crisis ticket shows its words"
    );
    let unknown: TicketId = w.ids.next_id();
    assert_eq!(
        w.desk.archived_safety_ticket_view(&w.store, unknown, sam),
        Err(fanatical::desk::DeskError::UnknownTicket(unknown).into())
    );
}
