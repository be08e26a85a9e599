//! Refusals that name the fault and change nothing: blank reasons, notes,
//! wave names and mistake labels; a contact nobody can reach; an incident
//! declared already resolved; a score outside its range; the article
//! before a vowel.

use std::collections::BTreeMap;

use chrono::TimeZone;
use fanatical::actor::Actor;
use fanatical::channel::{ChannelAction, ChannelKind, SocialNetwork};
use fanatical::coaching::{CoachingAction, MistakeKind};
use fanatical::customer::{CustomerCommand, CustomerError};
use fanatical::desk::{Command, CustomerAction, IncidentAction, TicketAction};
use fanatical::error::BlankText;
use fanatical::guard::PostAction;
use fanatical::id::{ComponentId, IncidentId, MessageId, PostId, TicketId};
use fanatical::incident::{Audience, ComponentState, IncidentError, IncidentStatus, Messages};
use fanatical::outbox::OutboxAction;
use fanatical::recognition::{RecognitionAction, RecognitionError};
use fanatical::survey::{ResponseProblem, SurveyAction, SurveyError};
use fanatical::ticket::{LinkKind, TicketError, TicketType};

use crate::support::World;

/// The refusal of a blank `what` (the type cannot be built outside the
/// crate, so it comes from the check itself, and is checked to name it).
fn blank(what: &'static str) -> BlankText {
    let Err(e) = BlankText::check(" \n\t", what) else {
        panic!("blank text passed the check")
    };
    assert_eq!(e.what, what);
    assert_eq!(e.to_string(), format!("{what} must not be blank"));
    e
}

#[test]
fn blank_reasons_notes_wave_names_and_mistake_labels_are_refused() {
    let mut w = World::new();
    let t = w.jane_emails("The site is down");
    let (ana, bill) = (w.ana, w.bill);
    w.refused(
        Command::new(
            Actor::Agent(ana),
            TicketAction::Escalate {
                ticket: t,
                department: "Billing".into(),
                reason: "  ".into(),
                context: vec![],
                notify: vec![],
            },
        ),
        TicketError::EmptyReason(t),
    );
    w.refused(
        Command::new(
            Actor::integration("phone-monitor"),
            ChannelAction::MarkDown {
                channel: ChannelKind::Phone,
                reason: " ".into(),
            },
        ),
        blank("an outage reason"),
    );
    w.refused(
        Command::new(
            Actor::Agent(bill),
            CoachingAction::RecordMistake {
                agent: ana,
                kind: MistakeKind::Tone,
                ticket: Some(t),
                note: "\n".into(),
            },
        ),
        blank("a mistake note"),
    );
    w.refused(
        Command::new(
            Actor::Agent(bill),
            CoachingAction::RecordMistake {
                agent: ana,
                kind: MistakeKind::Other("  ".into()),
                ticket: Some(t),
                note: "Told the customer the wrong plan".into(),
            },
        ),
        blank("a mistake label"),
    );
    w.refused(
        Command::new(
            Actor::integration("survey-scheduler"),
            SurveyAction::RunWave {
                wave: " ".into(),
                survey: "relationship".into(),
                share_percent: 10,
                seed: 1,
                exclude: vec![],
            },
        ),
        SurveyError::BlankWave,
    );
    w.refused(
        Command::new(
            Actor::Agent(bill),
            RecognitionAction::RecognisePeer {
                to: ana,
                note: "   ".into(),
            },
        ),
        RecognitionError::EmptyNote,
    );
    // A failed delivery says why; the message is the desk's own.
    w.run(Command::reply(t, ana, "On it")).unwrap();
    let message: MessageId = w.desk.poll_outbound(w.now).unwrap().id;
    w.refused(
        Command::new(
            Actor::integration("transport"),
            OutboxAction::MarkFailed {
                message,
                reason: "".into(),
            },
        ),
        blank("a delivery failure reason"),
    );
    // The same commands with something to say are accepted.
    w.run(Command::new(
        Actor::integration("phone-monitor"),
        ChannelAction::MarkDown {
            channel: ChannelKind::Phone,
            reason: " carrier outage ".into(),
        },
    ))
    .unwrap();
    assert_eq!(w.desk.channels().outages()[0].reason, "carrier outage");
}

#[test]
fn a_held_post_is_rejected_only_with_a_reason() {
    let mut w = World::with_config(crate::guard::config());
    w.now = chrono_tz::America::Chicago
        .with_ymd_and_hms(2026, 11, 2, 15, 0, 0)
        .unwrap()
        .with_timezone(&chrono::Utc);
    let (ana, bill) = (w.ana, w.bill);
    let post: PostId = w.ids.next_id();
    w.run(Command::new(
        Actor::Agent(ana),
        PostAction::Submit {
            post,
            network: SocialNetwork::X,
            handle: "@rackspace".into(),
            text: "Having fun at Sea-World with the kids!".into(),
        },
    ))
    .unwrap();
    w.refused(
        Command::new(
            Actor::Agent(bill),
            PostAction::Reject {
                post,
                reason: " ".into(),
            },
        ),
        blank("a rejection reason"),
    );
}

#[test]
fn a_contact_nobody_can_reach_is_refused() {
    let mut w = World::new();
    let (acme, nobody) = (w.acme, w.ids.next_id());
    w.refused(
        Command::new(
            Actor::integration("onboarding"),
            CustomerAction::Update {
                customer: acme,
                command: CustomerCommand::AddContact {
                    contact: nobody,
                    name: "Nobody".into(),
                    addresses: vec![],
                },
            },
        ),
        CustomerError::NoAddress(nobody),
    );
}

#[test]
fn an_incident_declared_already_resolved_says_so() {
    let mut o = crate::incidents::outage_world(crate::incidents::config());
    let id: IncidentId = o.w.ids.next_id();
    let boss = o.boss;
    let err = IncidentError::DeclaredResolved(id);
    assert_eq!(
        err.to_string(),
        format!("incident {id} cannot be declared already resolved")
    );
    o.w.refused(
        Command::new(
            Actor::Agent(boss),
            IncidentAction::Declare {
                incident: id,
                title: "DFW1 power loss".into(),
                commander: boss,
                status: IncidentStatus::Resolved,
                components: BTreeMap::from([(
                    ComponentId::new("dfw1").unwrap(),
                    ComponentState::MajorOutage,
                )]),
                cadence: None,
                messages: Messages::from([(Audience::Business, "Back.".into())]),
            },
        ),
        err,
    );
}

#[test]
fn messages_name_the_range_and_use_the_right_article() {
    let problem = ResponseProblem::OutOfRange {
        question: "score".into(),
        value: 11,
        min: 0,
        max: 10,
    };
    assert_eq!(
        problem.to_string(),
        "question \"score\": 11 is out of range, answers run from 0 to 10"
    );
    let ticket = TicketId::from_uuid(uuid::Uuid::from_u128(7));
    let wrong = TicketError::WrongType {
        ticket,
        actual: TicketType::Question,
        expected: TicketType::Incident,
    };
    assert_eq!(
        wrong.to_string(),
        format!("ticket {ticket} is a question, expected an incident")
    );
    // One spelling for ids in every message: "ticket <uuid>".
    let exists =
        fanatical::desk::DeskError::AlreadyExists(fanatical::event::StreamId::Ticket(ticket));
    let unknown = fanatical::desk::DeskError::UnknownTicket(ticket);
    assert_eq!(
        exists.to_string(),
        format!("ticket {ticket} already exists")
    );
    assert_eq!(unknown.to_string(), format!("unknown ticket {ticket}"));
    // Through the desk: an emailed question is not an incident of a problem.
    let mut w = World::new();
    let (a, b) = (w.jane_emails("one"), w.jane_emails("two"));
    let err = TicketError::WrongType {
        ticket: a,
        actual: TicketType::Question,
        expected: TicketType::Incident,
    };
    assert_eq!(
        err.to_string(),
        format!("ticket {a} is a question, expected an incident")
    );
    let ana = w.ana;
    w.refused(
        Command::new(
            Actor::Agent(ana),
            TicketAction::Link {
                ticket: a,
                link: LinkKind::IncidentOf,
                other: b,
            },
        ),
        err,
    );
}
