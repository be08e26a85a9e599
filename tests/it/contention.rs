//! No needless contention (issue 17, item 4). Two desks on one store
//! decide from the same state: work on two unrelated tickets writes no
//! stream in common, so both appends succeed and the store ends as one
//! desk doing both in turn would leave it; work that a rule ties together
//! (one ticket, one message, one praise, one contact's survey budget)
//! still meets on a stream, so the second append conflicts and the
//! documented retry (catch up, decide again) gives the rule's answer.
//! A store written before the partitioning, with every message, survey
//! and praise on the old desk-wide streams, replays to the same desk and
//! carries on.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use fanatical::actor::Actor;
use fanatical::channel::{Channel, ChannelAddress};
use fanatical::coaching::{CoachingAction, MistakeKind};
use fanatical::customer::ErasureScope;
use fanatical::desk::{
    Command, CustomerAction, Decision, Desk, DeskConfig, InboundMessage, PeopleAction,
    RecognitionAction, SurveyAction, TicketAction,
};
use fanatical::event::{Event, StreamId};
use fanatical::id::{AgentId, MessageId, PraiseId, TicketId};
use fanatical::outbox::{DeliveryState, OutboxAction};
use fanatical::recognition::{Acknowledgement, PraiseSource};
use fanatical::store::{
    ExpectedVersion, MemoryStore, NewEvent, RecordedEvent, Store, StoreError, StreamWrite,
};
use fanatical::survey::{
    Answer, Question, QuestionKind, Rating, Response, SurveyConfig, SurveyDraft,
};
use fanatical::ticket::Status;

use crate::support::World;

fn config() -> DeskConfig {
    let csat = SurveyDraft::new("after-ticket")
        .question(Question::new("rating", "How did we do?", QuestionKind::scale()).required())
        .validate()
        .unwrap();
    DeskConfig::default().with_surveys(
        SurveyConfig::default()
            .with_survey(csat)
            .csat_on_solve("after-ticket"),
    )
}

/// A desk where Jane (Acme) and Tom (Tiny Blog) each have a ticket
/// assigned to Ana, whose lead is Lea (so praise sends kudos up).
struct Two {
    w: World,
    lea: AgentId,
    jane_ticket: TicketId,
    tom_ticket: TicketId,
}

fn emails(w: &mut World, from: &ChannelAddress, body: &str) -> TicketId {
    let id = w.ids.next_id();
    let msg = InboundMessage::new(id, Channel::Email, from.clone(), body);
    w.run(Command::new(
        Actor::integration("inbound"),
        TicketAction::Receive(msg),
    ))
    .unwrap();
    id
}

fn two() -> Two {
    let mut w = World::with_config(config());
    let (ana, jane_email, tom_email) = (w.ana, w.jane_email.clone(), w.tom_email.clone());
    let lea: AgentId = w.ids.next_id();
    let setup = Actor::integration("setup");
    w.run(Command::new(
        setup.clone(),
        PeopleAction::RegisterAgent {
            id: lea,
            name: "Lea".into(),
            time_zone: chrono_tz::America::Chicago,
            roles: vec![fanatical::agent::Role::TeamLead],
            skills: vec![],
        },
    ))
    .unwrap();
    w.run(Command::new(
        setup.clone(),
        PeopleAction::UpdateAgent {
            agent: ana,
            command: fanatical::agent::AgentCommand::ReportTo(Some(lea)),
        },
    ))
    .unwrap();
    let jane_ticket = emails(&mut w, &jane_email, "The site is down");
    let tom_ticket = emails(&mut w, &tom_email, "My blog shows an error");
    for t in [jane_ticket, tom_ticket] {
        w.run(Command::new(setup.clone(), TicketAction::assign(t, ana)))
            .unwrap();
    }
    Two {
        w,
        lea,
        jane_ticket,
        tom_ticket,
    }
}

fn streams(d: &Decision) -> BTreeSet<StreamId> {
    d.writes().iter().map(|w| w.stream).collect()
}

/// Decides `a` and `b` from the same desk state (two desks that have seen
/// the same record), appends both, and checks they wrote no stream in
/// common, both appends succeeded, and the record is the one a single
/// desk running `a` then `b` writes, which the catching-up desk equals.
fn both_succeed(w: &mut World, a: &Command, b: &Command) {
    let one = w.desk.clone();
    let other = w.desk.clone();
    let (da, db) = (
        one.decide(a.clone(), w.now).unwrap(),
        other.decide(b.clone(), w.now).unwrap(),
    );
    let common: Vec<_> = streams(&da).intersection(&streams(&db)).copied().collect();
    assert_eq!(common, Vec::<StreamId>::new(), "{a:?} and {b:?} meet");
    let mut single = (w.desk.clone(), w.store.clone());
    w.store.append(da.writes()).unwrap();
    w.store.append(db.writes()).unwrap();
    w.desk.catch_up(&w.store).unwrap();
    single.0.execute(&mut single.1, a.clone(), w.now).unwrap();
    single.0.execute(&mut single.1, b.clone(), w.now).unwrap();
    assert_eq!(w.store, single.1, "two desks wrote what one would");
    assert_eq!(w.desk, single.0);
    assert_eq!(Desk::rebuild(&w.store, config()).unwrap(), w.desk);
}

/// The undelivered message about `ticket`.
fn pending_about(w: &World, ticket: TicketId) -> MessageId {
    let mut pending = w
        .desk
        .channels()
        .outbox()
        .filter(|e| e.message.ticket == Some(ticket) && e.state != DeliveryState::Delivered)
        .map(|e| e.message.id);
    let id = pending.next().unwrap();
    assert_eq!(pending.next(), None);
    id
}

fn delivered(message: MessageId) -> Command {
    Command::new(
        Actor::integration("transport"),
        OutboxAction::MarkDelivered { message },
    )
}

fn praise(id: PraiseId, ticket: TicketId, text: &str) -> Command {
    Command::new(
        Actor::integration("social"),
        RecognitionAction::RecordPraise {
            praise: id,
            source: PraiseSource::TicketReply,
            text: text.into(),
            customer: None,
            ticket: Some(ticket),
        },
    )
}

#[test]
fn work_on_two_unrelated_tickets_never_conflicts() {
    let Two {
        mut w,
        lea,
        jane_ticket,
        tom_ticket,
    } = two();
    let ana = w.ana;
    // An ordinary reply on each: the ticket and the message carrying it.
    both_succeed(
        &mut w,
        &Command::reply(jane_ticket, ana, "Looking now"),
        &Command::reply(tom_ticket, ana, "Checking your blog"),
    );
    // The transport acknowledges both replies' deliveries.
    let (jm, tm) = (
        pending_about(&w, jane_ticket),
        pending_about(&w, tom_ticket),
    );
    both_succeed(&mut w, &delivered(jm), &delivered(tm));
    // Each customer writes back on their ticket, and each writes anew.
    let inbound = |w: &mut World, from: &ChannelAddress, on: Option<TicketId>, body: &str| {
        let mut msg = InboundMessage::new(w.ids.next_id(), Channel::Email, from.clone(), body);
        if let Some(t) = on {
            msg = msg.in_reply_to(t);
        }
        Command::new(Actor::integration("inbound"), TicketAction::Receive(msg))
    };
    let (je, te) = (w.jane_email.clone(), w.tom_email.clone());
    let (a, b) = (
        inbound(&mut w, &je, Some(jane_ticket), "Still down"),
        inbound(&mut w, &te, Some(tom_ticket), "Still broken"),
    );
    both_succeed(&mut w, &a, &b);
    let (a, b) = (
        inbound(&mut w, &je, None, "A new question"),
        inbound(&mut w, &te, None, "Another one"),
    );
    both_succeed(&mut w, &a, &b);
    // Both solved at once: each requester is invited to rate it.
    both_succeed(
        &mut w,
        &Command::new(
            Actor::Agent(ana),
            TicketAction::set_status(jane_ticket, Status::Solved),
        ),
        &Command::new(
            Actor::Agent(ana),
            TicketAction::set_status(tom_ticket, Status::Solved),
        ),
    );
    let invited: BTreeSet<_> = w
        .desk
        .surveys()
        .invitations()
        .map(|i| (i.invitation.ticket, i.invitation.contact))
        .collect();
    assert_eq!(
        invited,
        BTreeSet::from([(Some(jane_ticket), w.jane), (Some(tom_ticket), w.tom)])
    );
    // Both answer.
    let answer = |w: &World, ticket| {
        let inv = w
            .desk
            .surveys()
            .invitations()
            .find(|i| i.invitation.ticket == Some(ticket))
            .unwrap()
            .invitation
            .id;
        Command::new(
            Actor::integration("survey-form"),
            SurveyAction::Answer {
                invitation: inv,
                response: Response::new().answer("rating", Answer::Scale(Rating::Excellent)),
            },
        )
    };
    let (a, b) = (answer(&w, jane_ticket), answer(&w, tom_ticket));
    both_succeed(&mut w, &a, &b);
    // Praise on each ticket: kudos to Ana and up to Lea, twice at once.
    let (p, q): (PraiseId, PraiseId) = (w.ids.next_id(), w.ids.next_id());
    both_succeed(
        &mut w,
        &praise(p, jane_ticket, "Ana saved our launch"),
        &praise(q, tom_ticket, "Ana fixed my blog"),
    );
    // Lea acknowledges both, from two desks.
    let ack = |praise| Command::new(Actor::Agent(lea), RecognitionAction::Acknowledge { praise });
    both_succeed(&mut w, &ack(p), &ack(q));
    for id in [p, q] {
        let record = w.desk.people().praise(id).unwrap();
        assert!(matches!(record.ack, Acknowledgement::Acknowledged { by, .. } if by == lea));
    }
    // Lea records a mistake of Ana's and one of Bill's.
    let bill = w.bill;
    let mistake = |agent, ticket| {
        Command::new(
            Actor::Agent(lea),
            CoachingAction::RecordMistake {
                agent,
                kind: MistakeKind::WrongInformation,
                ticket: Some(ticket),
                note: "Quoted the old price".into(),
            },
        )
    };
    both_succeed(
        &mut w,
        &mistake(ana, jane_ticket),
        &mistake(bill, tom_ticket),
    );
    // No desk-wide stream was written on the way.
    let desk_wide = [
        StreamId::Outbox,
        StreamId::Surveys,
        StreamId::Recognition,
        StreamId::Coaching,
    ];
    for r in w.store.read_all(0, usize::MAX).unwrap() {
        assert!(
            !desk_wide.contains(&r.stream),
            "{} on {}",
            r.position,
            r.stream
        );
    }
}

/// Decides `a` and `b` from the same state and appends `a`: appending `b`
/// conflicts on `stream` (which `a` moved from `from`), and leaves the
/// store as it was; the retry by the documented pattern (catch up, decide
/// again) is then appended.
fn second_conflicts(
    w: &mut World,
    a: &Command,
    b: &Command,
    stream: StreamId,
    from: u64,
) -> Result<Vec<RecordedEvent>, fanatical::Error> {
    let da = w.desk.decide(a.clone(), w.now).unwrap();
    let db = w.desk.decide(b.clone(), w.now).unwrap();
    let moved = da
        .writes()
        .iter()
        .find(|x| x.stream == stream)
        .map(|x| x.events.len() as u64)
        .unwrap();
    w.store.append(da.writes()).unwrap();
    let before = w.store.clone();
    assert_eq!(
        w.store.append(db.writes()),
        Err(StoreError::Conflict {
            stream,
            expected: ExpectedVersion::Exact(from),
            actual: from + moved,
        })
    );
    assert_eq!(w.store, before, "a conflicting append writes nothing");
    w.desk.catch_up(&w.store).unwrap();
    w.desk.execute(&mut w.store, b.clone(), w.now)
}

#[test]
fn work_a_rule_ties_together_still_conflicts() {
    let Two {
        mut w,
        lea,
        jane_ticket,
        ..
    } = two();
    let (ana, bill) = (w.ana, w.bill);
    // Two replies on one ticket: the ticket's stream.
    let v = w
        .store
        .read_stream(&StreamId::Ticket(jane_ticket), 0)
        .unwrap()
        .len() as u64;
    second_conflicts(
        &mut w,
        &Command::reply(jane_ticket, ana, "Looking now"),
        &Command::reply(jane_ticket, bill, "Billing here: looking too"),
        StreamId::Ticket(jane_ticket),
        v,
    )
    .unwrap();
    assert_eq!(
        w.desk
            .tickets()
            .get(jane_ticket)
            .unwrap()
            .conversation()
            .len(),
        3
    );
    // One message acknowledged twice at once: its stream. The retry is a
    // repeat that writes nothing.
    let m = w
        .desk
        .channels()
        .outbox()
        .find(|e| e.message.body == "Looking now")
        .unwrap()
        .message
        .id;
    let again = second_conflicts(
        &mut w,
        &delivered(m),
        &delivered(m),
        StreamId::Message(m),
        1,
    );
    assert_eq!(again, Ok(Vec::new()));
    // One praise id recorded from two desks (about two tickets): the
    // praise's stream keeps the id taken once.
    let tom_email = w.tom_email.clone();
    let tom_ticket = emails(&mut w, &tom_email, "Hello");
    let p: PraiseId = w.ids.next_id();
    let again = second_conflicts(
        &mut w,
        &praise(p, jane_ticket, "Ana saved our launch"),
        &praise(p, tom_ticket, "Great help"),
        StreamId::Praise(p),
        0,
    );
    assert_eq!(
        again,
        Err(fanatical::recognition::RecognitionError::DuplicatePraise(p).into())
    );
    let _ = lea;
    // Two tickets of one requester solved at once: her invitations, where
    // the quiet period is kept. The retry sends no second survey.
    let (jane, jane_email) = (w.jane, w.jane_email.clone());
    let second = emails(&mut w, &jane_email, "Another problem");
    w.run(Command::new(
        Actor::integration("setup"),
        TicketAction::assign(second, ana),
    ))
    .unwrap();
    let solve = |t| {
        Command::new(
            Actor::Agent(ana),
            TicketAction::set_status(t, Status::Solved),
        )
    };
    second_conflicts(
        &mut w,
        &solve(jane_ticket),
        &solve(second),
        StreamId::Invitations(jane),
        0,
    )
    .unwrap();
    let invited: Vec<_> = w
        .desk
        .surveys()
        .invitations()
        .map(|i| i.invitation.ticket)
        .collect();
    assert_eq!(invited, vec![Some(jane_ticket)]);
    assert_eq!(
        w.desk.tickets().get(second).unwrap().status(),
        Status::Solved
    );
    assert_eq!(Desk::rebuild(&w.store, config()).unwrap(), w.desk);
}

/// The stream the version before the partitioning recorded an event on:
/// every outbound message on `outbox`, every survey event on `surveys`,
/// praise with the programme on `recognition`, mistakes on `coaching`.
fn legacy_stream(r: &RecordedEvent) -> StreamId {
    match r.stream {
        StreamId::Message(_) => StreamId::Outbox,
        StreamId::Invitations(_) => StreamId::Surveys,
        StreamId::Praise(_) => StreamId::Recognition,
        StreamId::Mistakes(_) => StreamId::Coaching,
        s => s,
    }
}

/// The record as the previous version laid it out: the same events in the
/// same order, on the legacy streams at their versions there (with the
/// ids those streams derive).
pub(crate) fn as_legacy(record: &[RecordedEvent]) -> MemoryStore {
    let mut store = MemoryStore::new();
    let mut versions = std::collections::BTreeMap::<StreamId, u64>::new();
    for r in record {
        let stream = legacy_stream(r);
        let v = versions.entry(stream).or_insert(0);
        let write = StreamWrite {
            stream,
            expected: ExpectedVersion::Exact(*v),
            events: vec![NewEvent {
                id: stream.event_id(*v + 1),
                schema: r.schema,
                actor: r.actor.clone(),
                command: r.command.clone(),
                event: r.event.clone(),
            }],
        };
        *v += 1;
        store.append(&[write]).unwrap();
    }
    store
}

/// What a desk shows, whatever streams its record is on.
fn shown(desk: &Desk, now: DateTime<Utc>) -> String {
    // In queue order (the outbox is kept by message id, and derived ids
    // may differ).
    let mut outbox: Vec<_> = desk.channels().outbox().collect();
    outbox.sort_by_key(|e| e.queued_position);
    let invitations: Vec<_> = desk.surveys().invitations().collect();
    let people = desk.people();
    format!(
        "{outbox:?}\n{invitations:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}",
        people.praises().collect::<Vec<_>>(),
        people.mistakes(),
        people.coaching_flags(),
        desk.poll_timeout(),
        std::iter::from_fn({
            let mut d = desk.clone();
            move || d.poll_outbound(now)
        })
        .collect::<Vec<_>>(),
    )
}

/// `text` with every derived id (a version 8 UUID) blanked.
fn underived(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while !rest.is_empty() {
        let derived = rest
            .get(..36)
            .and_then(|s| uuid::Uuid::parse_str(s).ok())
            .is_some_and(|u| u.get_version() == Some(uuid::Version::Custom));
        if derived {
            out.push_str("<derived>");
            rest = &rest[36..];
        } else {
            let c = rest.chars().next().unwrap();
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

#[test]
fn a_store_on_the_old_desk_wide_streams_replays_and_carries_on() {
    let Two {
        mut w,
        lea,
        jane_ticket,
        tom_ticket,
    } = two();
    let ana = w.ana;
    w.run(Command::reply(jane_ticket, ana, "Looking now"))
        .unwrap();
    w.run(Command::new(
        Actor::Agent(ana),
        TicketAction::set_status(tom_ticket, Status::Solved),
    ))
    .unwrap();
    let p: PraiseId = w.ids.next_id();
    w.run(praise(p, jane_ticket, "Ana saved our launch"))
        .unwrap();
    w.run(Command::new(
        Actor::Agent(lea),
        CoachingAction::RecordMistake {
            agent: ana,
            kind: MistakeKind::WrongInformation,
            ticket: Some(jane_ticket),
            note: "Quoted the old price".into(),
        },
    ))
    .unwrap();
    let record = w.store.read_all(0, usize::MAX).unwrap();
    let mut old = as_legacy(&record);
    let on_legacy = |s: &MemoryStore| {
        s.read_all(0, usize::MAX)
            .unwrap()
            .iter()
            .filter(|r| {
                matches!(
                    r.stream,
                    StreamId::Outbox
                        | StreamId::Surveys
                        | StreamId::Recognition
                        | StreamId::Coaching
                )
            })
            .count()
    };
    let partitioned = record
        .iter()
        .filter(|r| legacy_stream(r) != r.stream)
        .count();
    assert_eq!(
        (on_legacy(&old), on_legacy(&w.store)),
        (partitioned, 0),
        "the old record uses the old streams"
    );
    // Kudos to Ana and Lea, the reply, the survey's email and the
    // invitation, the praise, the mistake.
    assert_eq!(partitioned, 7);
    // It replays to the desk that wrote the record.
    let mut replayed = Desk::rebuild(&old, config()).unwrap();
    assert_eq!(shown(&replayed, w.now), shown(&w.desk, w.now));
    assert_eq!(replayed.position(), w.desk.position());
    // And carries on: the old message delivered, the old invitation
    // answered, the old praise acknowledged, another mistake recorded,
    // on both desks, to the same effect; the replayed desk's new events
    // go to the partitioned streams.
    let m = pending_about(&w, jane_ticket);
    let inv = w.desk.surveys().invitations().next().unwrap().invitation.id;
    let carry_on = [
        delivered(m),
        Command::new(
            Actor::integration("survey-form"),
            SurveyAction::Answer {
                invitation: inv,
                response: Response::new().answer("rating", Answer::Scale(Rating::Excellent)),
            },
        ),
        Command::new(
            Actor::Agent(lea),
            RecognitionAction::Acknowledge { praise: p },
        ),
        Command::new(
            Actor::Agent(lea),
            CoachingAction::RecordMistake {
                agent: ana,
                kind: MistakeKind::WrongInformation,
                ticket: Some(tom_ticket),
                note: "Again".into(),
            },
        ),
    ];
    let legacy_before = on_legacy(&old);
    for cmd in carry_on {
        w.run(cmd.clone()).unwrap();
        replayed.execute(&mut old, cmd, w.now).unwrap();
    }
    assert_eq!(
        on_legacy(&old),
        legacy_before,
        "nothing new on the old streams"
    );
    // The ids derived from the new events' ids follow their streams'
    // versions (a thank-you derives from the answer's event id): the
    // same desk but for those.
    assert_eq!(
        underived(&shown(&replayed, w.now)),
        underived(&shown(&w.desk, w.now))
    );
    assert_eq!(
        replayed.channels().outbound(m).unwrap().state,
        DeliveryState::Delivered
    );
    let answered = replayed.surveys().invitations().next().unwrap();
    assert_eq!(
        (answered.invitation.id, answered.csat),
        (inv, Some(Rating::Excellent))
    );
    assert!(matches!(
        replayed.people().praise(p).unwrap().ack,
        Acknowledgement::Acknowledged { by, .. } if by == lea
    ));
    assert_eq!(replayed.people().mistakes().len(), 2);
    let new: Vec<_> = old.read_all(record.len() as u64, usize::MAX).unwrap();
    let kinds: Vec<String> = new
        .iter()
        .filter(|r| !matches!(r.event, Event::Ticket(_) | Event::Sla(_)))
        .map(|r| r.stream.to_string().split('-').next().unwrap().to_owned())
        .collect();
    assert_eq!(
        kinds,
        // The delivery, the answer, the acknowledgement; the second
        // mistake of a kind pages Lea and is recorded with its flag.
        [
            "message",
            "invitations",
            "praise",
            "message",
            "mistakes",
            "mistakes"
        ],
        "{new:#?}"
    );
    // The mixed record rebuilds to the desk that wrote it.
    assert_eq!(Desk::rebuild(&old, config()).unwrap(), replayed);
    // Erasing Jane reaches her words and address on the old outbox stream
    // and on the messages' own streams after it.
    replayed
        .execute(
            &mut old,
            Command::reply(jane_ticket, ana, "Fixed now"),
            w.now,
        )
        .unwrap();
    let jane_said = |s: &MemoryStore| {
        let text = serde_json::to_string(&s.read_all(0, usize::MAX).unwrap()).unwrap();
        [
            "jane@acme.example",
            "The site is down",
            "Looking now",
            "Fixed now",
        ]
        .into_iter()
        .filter(|words| text.contains(words))
        .collect::<Vec<_>>()
    };
    assert_eq!(jane_said(&old).len(), 4);
    let erase = Command::new(
        Actor::integration("privacy"),
        CustomerAction::EraseContact {
            customer: w.acme,
            contact: w.jane,
            scope: ErasureScope::ProfileAndMessages,
        },
    );
    let decision = replayed.decide(erase.clone(), w.now).unwrap();
    let searched = decision.erasure().unwrap().streams();
    assert!(searched.contains(&StreamId::Outbox));
    assert_eq!(
        searched
            .iter()
            .filter(|s| matches!(s, StreamId::Message(_)))
            .count(),
        2,
        "the two replies to Jane: {searched:?}"
    );
    replayed.execute(&mut old, erase, w.now).unwrap();
    assert_eq!(jane_said(&old), Vec::<&str>::new());
    assert_eq!(Desk::rebuild(&old, config()).unwrap(), replayed);
}

/// An erasure decided on a desk that has not seen another desk's reply to
/// the contact conflicts (the reply's message is on a stream of its own,
/// but the reply wrote the ticket the erasure depends on); decided again
/// after catching up, it erases that message too.
#[test]
fn an_erasure_behind_another_desks_reply_conflicts_then_erases_it() {
    let Two {
        mut w, jane_ticket, ..
    } = two();
    let (ana, acme, jane) = (w.ana, w.acme, w.jane);
    let reply = Command::reply(jane_ticket, ana, "Jane, your site is back up.");
    let erase = Command::new(
        Actor::integration("privacy"),
        fanatical::desk::CustomerAction::EraseContact {
            customer: acme,
            contact: jane,
            scope: ErasureScope::ProfileAndMessages,
        },
    );
    let replied = w.desk.decide(reply, w.now).unwrap();
    let erased = w.desk.decide(erase.clone(), w.now).unwrap();
    w.store.append(replied.writes()).unwrap();
    let before = w.store.clone();
    let got = w
        .store
        .append_erasing(erased.writes(), erased.erasure().unwrap());
    assert!(
        matches!(got, Err(StoreError::Conflict { stream: StreamId::Ticket(t), .. }) if t == jane_ticket),
        "{got:?}"
    );
    assert_eq!(w.store, before, "a conflicting erasure erases nothing");
    w.desk.catch_up(&w.store).unwrap();
    let message = pending_about(&w, jane_ticket);
    w.desk.execute(&mut w.store, erase, w.now).unwrap();
    let stored = w.store.read_stream(&StreamId::Message(message), 0).unwrap();
    let text = serde_json::to_string(&stored).unwrap();
    assert!(!stored.is_empty());
    assert!(!text.contains("jane@acme.example"), "{text}");
    assert!(!text.contains("your site is back up"), "{text}");
    // Nothing is left to deliver to her.
    assert!(w.desk.poll_outbound(w.now).is_none());
}
