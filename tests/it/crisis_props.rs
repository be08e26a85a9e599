//! Over random desks: every crisis sentence is flagged wherever it lands,
//! and no path a person other than a safety responder can read (pages and
//! messages, agent views, care briefings, praise, metrics, other contacts'
//! customer views) carries one.

use chrono::Duration;
use fanatical::actor::Actor;
use fanatical::agent::Role;
use fanatical::channel::{ChannelAddress, SocialNetwork};
use fanatical::crisis::CrisisConfig;
use fanatical::customer::CustomerCommand;
use fanatical::desk::{
    Command, CustomerAction, DeskConfig, PeopleAction, RecognitionAction, SurveyAction,
    TicketAction,
};
use fanatical::id::{AgentId, ContactId, InvitationId, PraiseId, TicketId};
use fanatical::recognition::PraiseSource;
use fanatical::sla::{BusinessCalendar, DayHours};
use fanatical::survey::{
    Answer, Question, QuestionKind, Response, SurveyConfig, SurveyDraft, SurveyKind,
};
use fanatical::ticket::{Author, LinkKind};
use proptest::prelude::*;

use crate::support::World;

/// Only crisis sentences hold it; ordinary text is drawn from `[a-y ]`.
const SENTINEL: &str = "zqx";

const CRISIS: &[&str] = &[
    "Zqx: I want to end my life",
    "honestly zqx I don't want to be here anymore",
    "zqx, I will kill myself",
    "there is no point in living zqx",
];

#[derive(Debug, Clone)]
enum Op {
    Email(Option<usize>, String),
    Reply(usize, Option<usize>, String),
    AgentReply(usize, String),
    Merge(usize, usize, bool),
    Link(usize, usize),
    Escalate(usize, bool),
    Praise(Option<usize>, Option<usize>, bool),
    Survey(u8, Option<usize>),
    Tick(i64),
}

fn body() -> impl Strategy<Value = String> {
    "[a-y]{1,6}( [a-y]{1,6}){0,3}"
}

fn crisis() -> impl Strategy<Value = Option<usize>> {
    proptest::option::weighted(0.4, 0..CRISIS.len())
}

fn arb_op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (crisis(), body()).prop_map(|(c, b)| Op::Email(c, b)),
        3 => (any::<usize>(), crisis(), body()).prop_map(|(i, c, b)| Op::Reply(i, c, b)),
        2 => (any::<usize>(), body()).prop_map(|(i, b)| Op::AgentReply(i, b)),
        2 => (any::<usize>(), any::<usize>(), any::<bool>()).prop_map(|(a, b, r)| Op::Merge(a, b, r)),
        1 => (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Op::Link(a, b)),
        1 => (any::<usize>(), any::<bool>()).prop_map(|(a, r)| Op::Escalate(a, r)),
        2 => (crisis(), proptest::option::of(any::<usize>()), any::<bool>())
            .prop_map(|(c, t, s)| Op::Praise(c, t, s)),
        1 => (0u8..=10, crisis()).prop_map(|(s, c)| Op::Survey(s, c)),
        2 => (1i64..(24 * 60)).prop_map(Op::Tick),
    ]
}

fn text(c: Option<usize>, ordinary: &str) -> String {
    c.and_then(|i| CRISIS.get(i))
        .map_or_else(|| ordinary.to_owned(), |s| (*s).to_owned())
}

/// A random command may be refused (a merge a rule forbids, a survey in
/// the quiet period), but only refused: any other error fails the case.
/// True when it was accepted.
fn accepted_or_refused<T>(result: Result<T, fanatical::Error>) -> bool {
    match result {
        Ok(_) => true,
        Err(e) => {
            assert!(e.is_refusal(), "not a refusal: {e}");
            false
        }
    }
}

fn pick(tickets: &[TicketId], i: usize) -> Option<TicketId> {
    (!tickets.is_empty()).then(|| tickets[i % tickets.len()])
}

struct Cast {
    sam: AgentId,
    joe: ContactId,
}

fn world() -> (World, Cast) {
    let nps = SurveyDraft::new("relationship")
        .question(Question::new("score", "Recommend us?", QuestionKind::Nps).required())
        .question(Question::new("why", "Why?", QuestionKind::Comment))
        .validate()
        .unwrap();
    // Ids the registrations below take on a fresh world.
    let mut probe = World::new();
    let (sam, lee): (AgentId, AgentId) = (probe.ids.next_id(), probe.ids.next_id());
    let nine_to_five = BusinessCalendar::weekdays(
        chrono_tz::America::Chicago,
        DayHours::parse(&[("09:00", "17:00")]).unwrap(),
    );
    let config = DeskConfig::default()
        .with_surveys(SurveyConfig::default().with_survey(nps))
        .with_crisis(
            CrisisConfig::default()
                .with_on_call(sam, nine_to_five)
                .with_safety_lead(lee),
        );
    let mut w = World::with_config(config);
    for (id, name, role) in [
        (sam, "Sam", Role::SafetyResponder),
        (lee, "Lee", Role::TeamLead),
    ] {
        let got: AgentId = w.ids.next_id();
        assert_eq!(got, id);
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
    }
    let joe: ContactId = w.ids.next_id();
    let acme = w.acme;
    w.run(Command::new(
        Actor::integration("setup"),
        CustomerAction::Update {
            customer: acme,
            command: CustomerCommand::AddContact {
                contact: joe,
                name: "Joe".into(),
                addresses: vec![ChannelAddress::email("joe@acme.example").unwrap()],
            },
        },
    ))
    .unwrap();
    (w, Cast { sam, joe })
}

fn run(w: &mut World, cast: &Cast, tickets: &mut Vec<TicketId>, op: Op) {
    let (ana, acme, jane, sam) = (w.ana, w.acme, w.jane, cast.sam);
    match op {
        Op::Email(c, b) => tickets.push(w.jane_emails(&text(c, &b))),
        Op::Reply(i, c, b) => {
            if let Some(t) = pick(tickets, i) {
                accepted_or_refused(w.run(Command::reply_on(
                    t,
                    Author::Contact(jane),
                    fanatical::channel::Channel::Email,
                    &text(c, &b),
                    vec![],
                )));
            }
        }
        Op::AgentReply(i, b) => {
            if let Some(t) = pick(tickets, i) {
                accepted_or_refused(w.run(Command::reply(t, ana, &b)));
            }
        }
        Op::Merge(a, b, by_responder) => {
            if let (Some(source), Some(target)) = (pick(tickets, a), pick(tickets, b)) {
                let by = if by_responder { sam } else { ana };
                accepted_or_refused(w.run(Command::new(
                    Actor::Agent(by),
                    TicketAction::Merge { source, target },
                )));
            }
        }
        Op::Link(a, b) => {
            if let (Some(ticket), Some(other)) = (pick(tickets, a), pick(tickets, b)) {
                accepted_or_refused(w.run(Command::new(
                    Actor::Agent(ana),
                    TicketAction::Link {
                        ticket,
                        link: LinkKind::DuplicateOf,
                        other,
                    },
                )));
            }
        }
        Op::Escalate(a, by_responder) => {
            if let Some(ticket) = pick(tickets, a) {
                // A responder may quote what they read; the page must not.
                let quotes = by_responder && w.desk.tickets().is_crisis(ticket);
                let (by, reason) = if quotes {
                    (sam, format!("quoting: {}", CRISIS[0]))
                } else {
                    (ana, "needs tier two".to_owned())
                };
                accepted_or_refused(w.run(Command::new(
                    Actor::Agent(by),
                    TicketAction::Escalate {
                        ticket,
                        department: "Tier 2".into(),
                        reason,
                        context: vec![],
                        notify: vec![ana, w.bill],
                    },
                )));
            }
        }
        Op::Praise(c, t, social) => {
            let praise: PraiseId = w.ids.next_id();
            let source = if social {
                PraiseSource::Social {
                    network: SocialNetwork::X,
                    handle: "@jane_acme".into(),
                }
            } else {
                PraiseSource::TicketReply
            };
            accepted_or_refused(w.run(Command::new(
                Actor::integration("social"),
                RecognitionAction::RecordPraise {
                    praise,
                    source,
                    text: text(c, "ana was great"),
                    customer: Some(acme),
                    ticket: t.and_then(|i| pick(tickets, i)),
                },
            )));
            if w.desk.tickets().get(praise.crisis_ticket()).is_some() {
                tickets.push(praise.crisis_ticket());
            }
        }
        Op::Survey(score, c) => {
            // Past the contact's quiet period.
            w.tick(91 * 24 * 60);
            let invitation: InvitationId = w.ids.next_id();
            let sent = w.run(Command::new(
                Actor::integration("setup"),
                SurveyAction::Send {
                    invitation,
                    survey: "relationship".into(),
                    kind: SurveyKind::Nps,
                    customer: acme,
                    ticket: None,
                    agent: None,
                },
            ));
            if accepted_or_refused(sent) {
                accepted_or_refused(
                    w.run(Command::new(
                        Actor::integration("survey"),
                        SurveyAction::Answer {
                            invitation,
                            response: Response::new()
                                .answer("score", Answer::Nps(score))
                                .answer("why", Answer::Comment(text(c, "fine"))),
                        },
                    )),
                );
                if w.desk
                    .tickets()
                    .get(invitation.follow_up_ticket())
                    .is_some()
                {
                    tickets.push(invitation.follow_up_ticket());
                }
            }
        }
        Op::Tick(m) => w.tick(m),
    }
}

fn check(w: &World, cast: &Cast) -> Result<(), TestCaseError> {
    let d = &w.desk;
    let leaks = |s: &str| s.to_lowercase().contains(SENTINEL);
    for t in d.tickets().iter() {
        let raw = t.conversation().iter().any(|e| leaks(&e.body));
        prop_assert!(
            !raw || d.tickets().is_crisis(t.id()),
            "crisis words on an unflagged ticket {}",
            t.id()
        );
        let view = serde_json::to_string(&d.agent_ticket_view(t.id()).unwrap()).unwrap();
        prop_assert!(!leaks(&view), "agent view {view}");
        let brief = format!("{:?}", d.customers().care_briefing(t.id(), w.now).unwrap());
        prop_assert!(!leaks(&brief), "briefing {brief}");
        if d.tickets().is_crisis(t.id()) {
            prop_assert!(
                d.safety_ticket_view(t.id(), cast.sam)
                    .unwrap()
                    .record
                    .is_some()
            );
        }
    }
    for m in d.channels().outbox() {
        prop_assert!(
            !leaks(&m.message.body),
            "message to {}: {}",
            m.message.recipient,
            m.message.body
        );
    }
    for p in d.people().praises() {
        prop_assert!(!leaks(&p.praise.text), "praise {}", p.praise.text);
    }
    // A crisis ticket is its requester's alone (both contacts write here:
    // the survey goes to whichever the desk picks).
    for contact in [w.jane, cast.joe] {
        for v in d.tickets().seen_by(contact).unwrap() {
            let t = d.tickets().get(v.id).unwrap();
            prop_assert!(!d.tickets().is_crisis(v.id) || t.requester() == Some(contact));
        }
    }
    let m = format!(
        "{:?}",
        d.tickets()
            .metrics(w.now - Duration::days(60), w.now + Duration::days(1))
    );
    prop_assert!(!leaks(&m));
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(crate::cases(64)))]

    #[test]
    fn crisis_words_reach_the_safety_role_only(ops in proptest::collection::vec(arb_op(), 1..30)) {
        let (mut w, cast) = world();
        let mut tickets = Vec::new();
        for op in ops {
            run(&mut w, &cast, &mut tickets, op);
        }
        check(&w, &cast)?;
    }
}
