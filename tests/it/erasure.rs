//! Erasure and export: an erased person is gone from the store, the desk
//! and a rebuilt desk while the record keeps its shape; withdrawn consent
//! forgets family names in the store too; an export holds everything
//! about one person and nothing private.

use fanatical::actor::Actor;
use fanatical::channel::{Channel, ChannelAddress};
use fanatical::customer::{ConsentSource, CustomerCommand, CustomerError, ErasureScope, Relation};
use fanatical::desk::{
    Command, CustomerAction, Desk, DeskConfig, DeskError, InboundMessage, TicketAction,
};
use fanatical::event::StreamId;
use fanatical::id::TicketId;
use fanatical::store::{ERASED, Store};
use fanatical::ticket::{Attachment, AttachmentRef, Author};

use crate::support::World;

const FAMILY: &str = "Samwise Doe";
const INTEREST: &str = "San Antonio Spurs";
const HER_WORDS: &str = "My server in DFW is down again";
const HER_REPLY: &str = "Still broken, my daughter noticed first";
const REPLY_TO_HER: &str = "We rebooted the node for you";
const NOTE: &str = "Customer sounded stressed";

fn update(w: &World, command: CustomerCommand) -> Command {
    Command::new(
        Actor::integration("crm"),
        CustomerAction::Update {
            customer: w.acme,
            command,
        },
    )
}

fn erase(w: &World, scope: ErasureScope) -> Command {
    Command::new(
        Actor::integration("privacy"),
        CustomerAction::EraseContact {
            customer: w.acme,
            contact: w.jane,
            scope,
        },
    )
}

/// Jane consents and is remembered; she writes in, with a file; Ana
/// replies and notes; Jane answers back.
fn janes_story(w: &mut World) -> TicketId {
    let jane = w.jane;
    w.run(update(
        w,
        CustomerCommand::RecordConsent {
            contact: jane,
            source: ConsentSource::Contact(jane),
        },
    ))
    .unwrap();
    w.run(update(
        w,
        CustomerCommand::AddFamilyMember {
            contact: jane,
            name: FAMILY.into(),
            relation: Relation::Child,
        },
    ))
    .unwrap();
    w.run(update(
        w,
        CustomerCommand::AddInterest {
            contact: jane,
            interest: fanatical::customer::Interest {
                topic: "favourite team".into(),
                detail: INTEREST.into(),
            },
        },
    ))
    .unwrap();
    let ticket = w.jane_emails(HER_WORDS);
    w.tick(5);
    // The reply carries a file: its outbound copy to her carries it too.
    let invoice = Attachment::new("jane-doe-invoice.pdf", "application/pdf", 20)
        .unwrap()
        .stored_at(AttachmentRef::new("blobs/jane-doe-invoice").unwrap());
    w.run(Command::new(
        Actor::Agent(w.ana),
        TicketAction::Reply {
            ticket,
            body: REPLY_TO_HER.into(),
            attachments: vec![invoice],
        },
    ))
    .unwrap();
    w.run(Command::note(ticket, w.ana, NOTE)).unwrap();
    w.tick(5);
    let file = Attachment::new("jane-doe-passport.png", "image/png", 10)
        .unwrap()
        .stored_at(AttachmentRef::new("blobs/jane-doe-passport").unwrap());
    w.run(Command::reply_on(
        ticket,
        Author::Contact(jane),
        Channel::Email,
        HER_REPLY,
        vec![file],
    ))
    .unwrap();
    ticket
}

/// Every recorded event, as JSON.
fn record_json(store: &impl Store) -> String {
    store
        .read_all(0, usize::MAX)
        .unwrap()
        .iter()
        .map(|r| serde_json::to_string(r).unwrap())
        .collect::<Vec<_>>()
        .join("\n")
}

fn desk_text(desk: &Desk) -> String {
    let customers: Vec<_> = desk.customers().iter().collect();
    let tickets: Vec<_> = desk.tickets().iter().collect();
    let outbox: Vec<_> = desk.channels().outbox().collect();
    let surveys: Vec<_> = desk.surveys().invitations().collect();
    let praise: Vec<_> = desk.people().praises().collect();
    format!("{customers:?}{tickets:?}{outbox:?}{surveys:?}{praise:?}")
}

/// Stream, version, position and id of every recorded event.
fn shape(store: &impl Store) -> Vec<(StreamId, u64, u64, String)> {
    store
        .read_all(0, usize::MAX)
        .unwrap()
        .iter()
        .map(|r| (r.stream, r.version, r.position, r.id.to_string()))
        .collect()
}

#[test]
fn erasing_a_contact_with_messages_leaves_no_trace_in_the_store_the_desk_or_a_rebuild() {
    let mut w = World::new();
    let ticket = janes_story(&mut w);
    let personal = [
        "Jane Doe",
        "jane@acme.example",
        "210 555 0100",
        "@jane_acme",
        FAMILY,
        INTEREST,
        HER_WORDS,
        HER_REPLY,
        "jane-doe-passport",
        "jane-doe-invoice",
        REPLY_TO_HER,
    ];
    let before = record_json(&w.store);
    for p in personal {
        assert!(before.contains(p), "{p} is recorded before the erasure");
    }
    let shape_before = shape(&w.store);
    let sla_before = w.store.read_stream(&StreamId::Sla(ticket), 0).unwrap();
    let tickets_before = w.desk.tickets().len();

    w.tick(60);
    // The desk holds no bytes: the erasure lists the blobs whose names and
    // keys it blanks (her file, and the reply's file sent to her) for the
    // caller to delete from its store.
    let decision = w
        .desk
        .decide(erase(&w, ErasureScope::ProfileAndMessages), w.now)
        .unwrap();
    let files: Vec<&str> = decision
        .erasure()
        .unwrap()
        .files
        .iter()
        .map(AttachmentRef::as_str)
        .collect();
    assert_eq!(files, ["blobs/jane-doe-invoice", "blobs/jane-doe-passport"]);
    w.run(erase(&w, ErasureScope::ProfileAndMessages)).unwrap();

    let after = record_json(&w.store);
    let rebuilt = Desk::rebuild(&w.store, w.desk.config().clone()).unwrap();
    for p in personal {
        assert!(!after.contains(p), "{p} is still in the store");
        assert!(!desk_text(&w.desk).contains(p), "{p} is still in the desk");
        assert!(!desk_text(&rebuilt).contains(p), "{p} is in a rebuilt desk");
    }
    assert_eq!(
        rebuilt, w.desk,
        "a rebuilt desk holds what the live one does"
    );

    // The record keeps its shape: every event stays where it was, with
    // its id; the erasure only adds.
    let shape_after = shape(&w.store);
    assert_eq!(&shape_after[..shape_before.len()], &shape_before[..]);
    let sla_after = w.store.read_stream(&StreamId::Sla(ticket), 0).unwrap();
    assert_eq!(sla_after, sla_before, "SLA history is not personal");
    assert_eq!(w.desk.tickets().len(), tickets_before);
    let t = w.desk.tickets().get(ticket).unwrap();
    assert_eq!(t.requester(), Some(w.jane), "ids stay");
    assert_eq!(t.subject(), ERASED);
    assert_eq!(t.conversation().len(), 4);
    assert!(
        t.conversation().iter().any(|e| e.body == NOTE),
        "notes are not hers"
    );
    let contact = w
        .desk
        .customers()
        .get(w.acme)
        .unwrap()
        .contact(w.jane)
        .unwrap();
    assert_eq!(contact.name(), ERASED);
    assert!(contact.addresses().is_empty());
    assert!(contact.profile().is_none());
    assert_eq!(contact.erased(), Some(ErasureScope::ProfileAndMessages));
    // The outbound copy of the reply keeps its file's type and size only.
    let sent: Vec<_> = w
        .desk
        .channels()
        .outbox()
        .filter(|e| e.message.ticket == Some(ticket))
        .flat_map(|e| e.message.attachments.iter())
        .map(|a| {
            let key = a.reference.as_ref().map(AttachmentRef::as_str);
            (a.file_name.as_str(), a.media_type.as_str(), a.size, key)
        })
        .collect();
    assert_eq!(sent, [(ERASED, "application/pdf", 20, Some(ERASED))]);
}

#[test]
fn erasing_the_profile_keeps_what_she_wrote_and_frees_her_addresses() {
    let mut w = World::new();
    let ticket = janes_story(&mut w);
    w.run(erase(&w, ErasureScope::Profile)).unwrap();
    let after = record_json(&w.store);
    for p in [
        "Jane Doe",
        "jane@acme.example",
        "@jane_acme",
        FAMILY,
        INTEREST,
    ] {
        assert!(!after.contains(p), "{p} is still in the store");
    }
    assert!(after.contains(HER_WORDS), "her messages stay unless asked");
    assert_eq!(
        Desk::rebuild(&w.store, w.desk.config().clone()).unwrap(),
        w.desk
    );

    // Her addresses are nobody's now: mail from one is an unknown sender.
    assert_eq!(w.desk.customers().find_contact(&w.jane_email), None);
    assert_eq!(w.desk.customers().find_contact(&w.jane_x), None);
    // The phone number is free for someone else.
    let june = w.ids.next_id();
    let phone = w.jane_phone.clone();
    w.run(update(
        &w,
        CustomerCommand::AddContact {
            contact: june,
            name: "June".into(),
            addresses: vec![phone.clone()],
        },
    ))
    .unwrap();
    assert_eq!(
        w.desk.customers().find_contact(&phone).map(|r| r.contact),
        Some(june)
    );
    let next = w.ids.next_id();
    let jane_email = w.jane_email.clone();
    w.refused(
        Command::new(
            Actor::integration("inbound"),
            fanatical::desk::TicketAction::Receive(InboundMessage::new(
                next,
                Channel::Email,
                jane_email.clone(),
                "hello again",
            )),
        ),
        DeskError::UnknownSender(jane_email),
    );
    // A public reply has nowhere to go.
    w.refused(
        Command::reply(ticket, w.ana, "Anyone there?"),
        DeskError::Unreachable {
            ticket,
            channel: Channel::Email,
        },
    );

    // Going further is allowed once; the same again is refused.
    w.run(erase(&w, ErasureScope::ProfileAndMessages)).unwrap();
    assert!(!record_json(&w.store).contains(HER_WORDS));
    let again = erase(&w, ErasureScope::Profile);
    let err = CustomerError::AlreadyErased {
        customer: w.acme,
        contact: w.jane,
        scope: ErasureScope::ProfileAndMessages,
    };
    w.refused(again, err);
    // Nothing more is recorded about an erased contact, nor by them.
    let reply = Command::reply_on(
        ticket,
        Author::Contact(w.jane),
        Channel::Email,
        "I am back",
        vec![],
    );
    let err = CustomerError::ContactErased {
        customer: w.acme,
        contact: w.jane,
    };
    w.refused(reply, err.clone());
    let add = update(
        &w,
        CustomerCommand::AddAddress {
            contact: w.jane,
            address: ChannelAddress::email("jane@new.example").unwrap(),
        },
    );
    let err = CustomerError::ContactErased {
        customer: w.acme,
        contact: w.jane,
    };
    w.refused(add, err);
    let rebuilt = Desk::rebuild(&w.store, w.desk.config().clone()).unwrap();
    assert_eq!(rebuilt, w.desk);
    assert_eq!(
        rebuilt.customers().find_contact(&phone).map(|r| r.contact),
        Some(june)
    );
}

#[test]
fn an_erased_placeholder_is_nobodys_address() {
    let mut w = World::new();
    let placeholder = w.jane_email.erased();
    let add = update(
        &w,
        CustomerCommand::AddAddress {
            contact: w.jane,
            address: placeholder.clone(),
        },
    );
    w.refused(add, DeskError::ErasedAddress(placeholder));
}

#[test]
fn erasing_abandons_her_undelivered_messages() {
    let mut w = World::new();
    let ticket = w.jane_emails("Site down");
    // The reply carries a file: its outbound copy to her carries it too.
    let invoice = Attachment::new("jane-doe-invoice.pdf", "application/pdf", 20)
        .unwrap()
        .stored_at(AttachmentRef::new("blobs/jane-doe-invoice").unwrap());
    w.run(Command::new(
        Actor::Agent(w.ana),
        TicketAction::Reply {
            ticket,
            body: REPLY_TO_HER.into(),
            attachments: vec![invoice],
        },
    ))
    .unwrap();
    assert_eq!(w.desk.channels().undelivered(), 1);
    w.run(erase(&w, ErasureScope::Profile)).unwrap();
    assert_eq!(w.desk.channels().undelivered(), 0);
    assert!(w.desk.poll_outbound(w.now).is_none());
    let m = w.desk.channels().outbox().next().unwrap();
    assert_eq!(
        m.message.body, REPLY_TO_HER,
        "the profile scope keeps texts"
    );
    assert!(!format!("{:?}", m.message.recipient).contains("jane@acme.example"));
}

#[test]
fn withdrawn_consent_erases_family_names_from_the_store() {
    let mut w = World::new();
    janes_story(&mut w);
    assert!(record_json(&w.store).contains(FAMILY));
    let jane = w.jane;
    w.run(update(
        &w,
        CustomerCommand::WithdrawConsent { contact: jane },
    ))
    .unwrap();
    let after = record_json(&w.store);
    assert!(!after.contains(FAMILY), "family names stay in the store");
    assert!(!after.contains(INTEREST), "interests stay in the store");
    assert!(
        after.contains("Jane Doe"),
        "only personal details are forgotten"
    );
    assert!(after.contains(HER_WORDS));
    let rebuilt = Desk::rebuild(&w.store, DeskConfig::default()).unwrap();
    assert_eq!(rebuilt, w.desk);
    let contact = rebuilt
        .customers()
        .get(w.acme)
        .unwrap()
        .contact(jane)
        .unwrap();
    assert!(contact.profile().is_none());
    // Consent again: nothing comes back.
    w.run(update(
        &w,
        CustomerCommand::RecordConsent {
            contact: jane,
            source: ConsentSource::Contact(jane),
        },
    ))
    .unwrap();
    let contact = w
        .desk
        .customers()
        .get(w.acme)
        .unwrap()
        .contact(jane)
        .unwrap();
    assert!(contact.profile().unwrap().is_empty());
}

#[test]
fn an_export_holds_everything_about_her_and_nothing_private() {
    let mut w = World::new();
    let ticket = janes_story(&mut w);
    // Another contact of Acme writes on her ticket: not hers to take.
    let jim = w.ids.next_id();
    w.run(update(
        &w,
        CustomerCommand::AddContact {
            contact: jim,
            name: "Jim Colleague".into(),
            addresses: vec![ChannelAddress::email("jim@acme.example").unwrap()],
        },
    ))
    .unwrap();
    w.run(Command::reply_on(
        ticket,
        Author::Contact(jim),
        Channel::Email,
        "Jim here: my own secret",
        vec![],
    ))
    .unwrap();
    // Tom, another customer's contact, has a ticket of his own.
    let toms = w.ids.next_id();
    w.run(Command::new(
        Actor::integration("inbound"),
        fanatical::desk::TicketAction::Receive(InboundMessage::new(
            toms,
            Channel::Email,
            w.tom_email.clone(),
            "Tom's problem",
        )),
    ))
    .unwrap();

    let export = w.desk.customers().export(w.jane).unwrap();
    let json = serde_json::to_string_pretty(&export).unwrap();
    for expected in [
        "Jane Doe",
        "jane@acme.example",
        "@jane_acme",
        FAMILY,
        INTEREST,
        HER_WORDS,
        HER_REPLY,
        REPLY_TO_HER,
        "jane-doe-passport.png",
        "Acme Hosting",
    ] {
        assert!(json.contains(expected), "{expected} missing from {json}");
    }
    for private in [NOTE, "Jim here", "Tom's problem", "tom@tiny.example"] {
        assert!(!json.contains(private), "{private} leaked into {json}");
    }
    assert_eq!(export.tickets.len(), 1);
    assert_eq!(export.tickets[0].id, ticket);
    assert!(export.consent.is_some());
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["contact"], serde_json::json!(w.jane.to_string()));

    // After erasure her export holds placeholders, never the old data.
    w.run(erase(&w, ErasureScope::ProfileAndMessages)).unwrap();
    let json = serde_json::to_string(&w.desk.customers().export(w.jane).unwrap()).unwrap();
    for gone in [
        "Jane Doe",
        "jane@acme.example",
        FAMILY,
        HER_WORDS,
        HER_REPLY,
    ] {
        assert!(
            !json.contains(gone),
            "{gone} is in the export after erasure"
        );
    }
    assert!(json.contains(ERASED));

    let unknown = w.ids.next_id();
    assert_eq!(
        w.desk.customers().export(unknown),
        Err(DeskError::UnknownContact(unknown).into())
    );
}

mod words {
    //! Her survey answer and the praise she posted.

    use fanatical::actor::Actor;
    use fanatical::channel::SocialNetwork;
    use fanatical::customer::ErasureScope;
    use fanatical::desk::{Command, Desk, DeskConfig, RecognitionAction, SurveyAction};
    use fanatical::id::{InvitationId, PraiseId};
    use fanatical::recognition::PraiseSource;
    use fanatical::survey::{
        Answer, Question, QuestionKind, Response, SurveyConfig, SurveyDraft, SurveyKind,
    };

    use super::{desk_text, erase, record_json};
    use crate::support::World;

    const COMMENT: &str = "Quillon the hamster approves";
    const PRAISE: &str = "Ana fixed it before my coffee got cold";

    fn world() -> World {
        let survey = SurveyDraft::new("relationship")
            .question(Question::new("score", "Recommend us?", QuestionKind::Nps).required())
            .question(Question::new("why", "Why?", QuestionKind::Comment))
            .validate()
            .unwrap();
        World::with_config(
            DeskConfig::default().with_surveys(SurveyConfig::default().with_survey(survey)),
        )
    }

    /// Jane is sent the relationship survey and answers it with `score`
    /// and her comment.
    fn answer(w: &mut World, score: u8) -> InvitationId {
        let invitation: InvitationId = w.ids.next_id();
        w.run(Command::new(
            Actor::integration("setup"),
            SurveyAction::Send {
                invitation,
                survey: "relationship".into(),
                kind: SurveyKind::Nps,
                customer: w.acme,
                ticket: None,
                agent: None,
            },
        ))
        .unwrap();
        let response = Response::new()
            .answer("score", Answer::Nps(score))
            .answer("why", Answer::Comment(COMMENT.into()));
        w.run(Command::new(
            Actor::Contact(w.jane),
            SurveyAction::Answer {
                invitation,
                response,
            },
        ))
        .unwrap();
        invitation
    }

    #[test]
    fn a_follow_up_note_quoting_her_comment_is_erased_with_her_messages() {
        let mut w = world();
        let (ana, acme) = (w.ana, w.acme);
        w.run(Command::new(
            Actor::integration("crm"),
            fanatical::desk::CustomerAction::Update {
                customer: acme,
                command: fanatical::customer::CustomerCommand::AssignAccountTeam {
                    agent: ana,
                    role: fanatical::agent::Role::AccountManager,
                },
            },
        ))
        .unwrap();
        answer(&mut w, 2);
        let quoted = |d: &Desk| {
            d.tickets()
                .iter()
                .flat_map(|t| t.conversation())
                .any(|e| e.body.contains(COMMENT))
        };
        assert!(quoted(&w.desk), "the follow-up note quotes her");
        w.run(erase(&w, ErasureScope::ProfileAndMessages)).unwrap();
        let rebuilt = Desk::rebuild(&w.store, w.desk.config().clone()).unwrap();
        assert_eq!(rebuilt, w.desk);
        assert!(!quoted(&w.desk) && !quoted(&rebuilt));
        assert!(!record_json(&w.store).contains(COMMENT));
    }

    fn her_words(w: &mut World) -> (InvitationId, PraiseId) {
        let invitation = answer(w, 10);
        // Ana worked her ticket: the praise is hers, and she is told.
        let ticket = w.jane_emails("Site down");
        w.run(Command::reply(ticket, w.ana, "Fixed")).unwrap();
        let praise: PraiseId = w.ids.next_id();
        w.run(Command::new(
            Actor::integration("social"),
            RecognitionAction::RecordPraise {
                praise,
                source: PraiseSource::Social {
                    network: SocialNetwork::X,
                    handle: "@jane_acme".into(),
                },
                text: PRAISE.into(),
                customer: Some(w.acme),
                ticket: None,
            },
        ))
        .unwrap();
        (invitation, praise)
    }

    #[test]
    fn her_survey_words_and_praise_are_exported_then_erased_everywhere() {
        let mut w = world();
        let (invitation, praise) = her_words(&mut w);
        let export = w.desk.customers().export(w.jane).unwrap();
        assert_eq!(export.surveys.len(), 1);
        assert_eq!(export.surveys[0].invitation, invitation);
        assert_eq!(export.praise.len(), 1);
        assert_eq!(export.praise[0].id, praise);
        let json = serde_json::to_string(&export).unwrap();
        assert!(json.contains(COMMENT) && json.contains(PRAISE), "{json}");
        assert!(record_json(&w.store).contains(PRAISE));
        // The kudos to Ana quote her, and go to Ana alone.
        let quoting: Vec<_> = w
            .desk
            .channels()
            .outbox()
            .filter(|m| m.message.body.contains(PRAISE))
            .map(|m| m.message.recipient.clone())
            .collect();
        assert_eq!(
            quoting,
            vec![fanatical::outbox::Recipient::Agent { agent: w.ana }]
        );

        w.run(erase(&w, ErasureScope::ProfileAndMessages)).unwrap();
        let rebuilt = Desk::rebuild(&w.store, w.desk.config().clone()).unwrap();
        assert_eq!(rebuilt, w.desk);
        for gone in [COMMENT, PRAISE, "@jane_acme"] {
            assert!(!record_json(&w.store).contains(gone), "{gone} in the store");
            assert!(!desk_text(&w.desk).contains(gone), "{gone} in the desk");
            assert!(!desk_text(&rebuilt).contains(gone), "{gone} rebuilt");
        }
        // The score stays: it is not her words, and reports count it.
        let record = w.desk.surveys().invitations().next().unwrap();
        let (_, response) = record.answered.as_ref().unwrap();
        assert_eq!(response.answers.get("score"), Some(&Answer::Nps(10)));
        assert_eq!(w.desk.people().praise(praise).unwrap().praise.id, praise);
    }

    #[test]
    fn erasing_only_the_profile_keeps_her_words_but_not_her_handle() {
        let mut w = world();
        her_words(&mut w);
        w.run(erase(&w, ErasureScope::Profile)).unwrap();
        let store = record_json(&w.store);
        assert!(store.contains(COMMENT) && store.contains(PRAISE));
        assert!(!store.contains("@jane_acme"));
        assert_eq!(
            Desk::rebuild(&w.store, w.desk.config().clone()).unwrap(),
            w.desk
        );
    }
}

mod props {
    //! Over random desks: whenever Jane is erased, nothing of hers is left
    //! in the store, the desk or a rebuild, and the record keeps its shape.

    use fanatical::actor::Actor;
    use fanatical::channel::Channel;
    use fanatical::customer::{ConsentSource, CustomerCommand, ErasureScope, Relation};
    use fanatical::desk::{Command, Desk, InboundMessage, TicketAction};
    use fanatical::id::TicketId;
    use fanatical::outbox::OutboxAction;
    use fanatical::ticket::Author;
    use proptest::prelude::*;

    use super::{desk_text, erase, record_json, shape, update};
    use crate::support::World;

    #[derive(Debug, Clone)]
    enum Op {
        JaneEmails(String),
        JaneReplies(usize, String),
        AnaReplies(usize, String),
        Note(usize, String),
        Remember(String),
        Withdraw,
        Deliver,
        Fail,
        Tick(i64),
    }

    fn arb_op(jane_writes: bool) -> impl Strategy<Value = Op> {
        let words = "[a-z]{1,8}";
        let jane = if jane_writes { 3 } else { 0 };
        prop_oneof![
            jane => words.prop_map(Op::JaneEmails),
            jane => (any::<usize>(), words).prop_map(|(i, b)| Op::JaneReplies(i, b)),
            3 => (any::<usize>(), words).prop_map(|(i, b)| Op::AnaReplies(i, b)),
            2 => (any::<usize>(), words).prop_map(|(i, b)| Op::Note(i, b)),
            jane => words.prop_map(Op::Remember),
            1 => Just(Op::Withdraw),
            2 => Just(Op::Deliver),
            1 => Just(Op::Fail),
            2 => (1i64..240).prop_map(Op::Tick),
        ]
    }

    fn pick(tickets: &[TicketId], i: usize) -> Option<TicketId> {
        (!tickets.is_empty()).then(|| tickets[i % tickets.len()])
    }

    /// Runs one op; refusals are fine (the desk says why) but must change
    /// nothing.
    fn run(w: &mut World, tickets: &mut Vec<TicketId>, op: Op) {
        let (ana, jane) = (w.ana, w.jane);
        let cmd = match op {
            Op::JaneEmails(b) => {
                let id: TicketId = w.ids.next_id();
                tickets.push(id);
                Command::new(
                    Actor::integration("inbound"),
                    TicketAction::Receive(InboundMessage::new(
                        id,
                        Channel::Email,
                        w.jane_email.clone(),
                        &format!("janesays {b}"),
                    )),
                )
            }
            Op::JaneReplies(i, b) => {
                let Some(t) = pick(tickets, i) else { return };
                let body = format!("janesays {b}");
                Command::reply_on(t, Author::Contact(jane), Channel::Email, &body, vec![])
            }
            Op::AnaReplies(i, b) => {
                let Some(t) = pick(tickets, i) else { return };
                Command::reply(t, ana, &format!("anasays {b}"))
            }
            Op::Note(i, b) => {
                let Some(t) = pick(tickets, i) else { return };
                Command::note(t, ana, &format!("notesays {b}"))
            }
            Op::Remember(name) => {
                let consent = update(
                    w,
                    CustomerCommand::RecordConsent {
                        contact: jane,
                        source: ConsentSource::Contact(jane),
                    },
                );
                // Consent first; a repeat may be refused, but only as a refusal.
                if let Err(e) = w.run(consent) {
                    assert!(e.is_refusal(), "not a refusal: {e}");
                }
                update(
                    w,
                    CustomerCommand::AddFamilyMember {
                        contact: jane,
                        name: format!("qqkin{name}"),
                        relation: Relation::Sibling,
                    },
                )
            }
            Op::Withdraw => update(w, CustomerCommand::WithdrawConsent { contact: jane }),
            Op::Deliver | Op::Fail => {
                let Some(m) = w.desk.poll_outbound(w.now) else {
                    return;
                };
                let action = if matches!(op, Op::Deliver) {
                    OutboxAction::MarkDelivered { message: m.id }
                } else {
                    OutboxAction::MarkFailed {
                        message: m.id,
                        reason: format!("no mailbox {}", w.jane_email),
                    }
                };
                Command::new(Actor::integration("transport"), action)
            }
            Op::Tick(m) => {
                w.tick(m);
                return;
            }
        };
        let (desk, store) = (w.desk.clone(), w.store.clone());
        if let Err(e) = w.run(cmd) {
            assert!(e.is_refusal(), "not a refusal: {e}");
            assert_eq!(w.desk, desk, "a refusal changed the desk");
            assert_eq!(w.store, store, "a refusal wrote");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(crate::cases(32)))]

        #[test]
        fn an_erased_contact_leaves_nothing_behind_on_any_desk(
            before in proptest::collection::vec(arb_op(true), 1..40),
            messages in any::<bool>(),
            after in proptest::collection::vec(arb_op(false), 0..15),
        ) {
            let mut w = World::new();
            let mut tickets = Vec::new();
            for op in before {
                run(&mut w, &mut tickets, op);
            }
            let shape_before = shape(&w.store);
            let notes_before = record_json(&w.store).matches("notesays").count();
            let scope = if messages { ErasureScope::ProfileAndMessages } else { ErasureScope::Profile };
            w.run(erase(&w, scope)).unwrap();
            prop_assert_eq!(&shape(&w.store)[..shape_before.len()], &shape_before[..]);
            for op in after {
                run(&mut w, &mut tickets, op);
            }
            let rebuilt = Desk::rebuild(&w.store, w.desk.config().clone()).unwrap();
            prop_assert_eq!(&rebuilt, &w.desk);
            let mut gone = vec!["Jane Doe", "jane@acme.example", "@jane_acme", "210 555 0100", "qqkin"];
            if messages {
                gone.extend(["janesays", "anasays"]);
            }
            let texts = [record_json(&w.store), desk_text(&w.desk), desk_text(&rebuilt)];
            for text in &texts {
                for g in &gone {
                    prop_assert!(!text.contains(g), "{} survived the erasure", g);
                }
                prop_assert!(text.contains("tom@tiny.example"), "another person was erased");
            }
            prop_assert!(
                record_json(&w.store).matches("notesays").count() >= notes_before,
                "internal notes are not hers"
            );
        }
    }
}

/// The addresses a bounce marked undeliverable (and marked deliverable
/// again) are erased with the contact: the events that carry them keep
/// their kind and place with the placeholder address and no reason (a
/// bounce's diagnostic names the address), in the store, the desk and a
/// rebuilt desk.
#[test]
fn erasing_a_contact_erases_the_addresses_marked_undeliverable_and_deliverable() {
    use fanatical::customer::{CustomerEvent, CustomerEventKind};
    use fanatical::event::Event;
    const DIAGNOSTIC: &str = "5.1.1 <jane@acme.example>: mailbox disabled";
    let mut w = World::new();
    let jane = w.jane;
    w.jane_emails(HER_WORDS);
    let marks = [
        CustomerCommand::MarkUndeliverable {
            contact: jane,
            address: w.jane_email.clone(),
            reason: DIAGNOSTIC.into(),
        },
        CustomerCommand::MarkUndeliverable {
            contact: jane,
            address: w.jane_phone.clone(),
            reason: "number 210 555 0100 disconnected".into(),
        },
        CustomerCommand::MarkDeliverable {
            contact: jane,
            address: w.jane_phone.clone(),
        },
    ];
    for m in marks {
        assert!(!w.run(update(&w, m)).unwrap().is_empty());
    }
    // The marks' events, as recorded.
    let marks = |store: &fanatical::store::MemoryStore| -> Vec<CustomerEventKind> {
        store
            .read_all(0, usize::MAX)
            .unwrap()
            .into_iter()
            .filter_map(|r| match r.event {
                Event::Customer(CustomerEvent { kind, .. })
                    if matches!(
                        kind,
                        CustomerEventKind::AddressUndeliverable { .. }
                            | CustomerEventKind::AddressDeliverable { .. }
                    ) =>
                {
                    Some(kind)
                }
                _ => None,
            })
            .collect()
    };
    let before = marks(&w.store);
    assert_eq!(before.len(), 3);
    let text = format!("{before:?}");
    for p in ["jane@acme.example", "210 555 0100", DIAGNOSTIC] {
        assert!(text.contains(p), "{p} is in the marks before the erasure");
    }
    let acme = w.acme;
    let contact = |desk: &Desk| desk.customers().get(acme).unwrap().contact(jane).cloned();
    assert!(!contact(&w.desk).unwrap().is_deliverable(&w.jane_email));

    w.tick(60);
    w.run(erase(&w, ErasureScope::Profile)).unwrap();

    let after = marks(&w.store);
    assert_eq!(after.len(), 3, "the marks keep their place");
    for kind in &after {
        match kind {
            CustomerEventKind::AddressUndeliverable {
                contact: c,
                address,
                reason,
            } => {
                assert_eq!(*c, jane);
                assert!(address.is_erased(), "{address}");
                assert_eq!(reason, ERASED);
            }
            CustomerEventKind::AddressDeliverable {
                contact: c,
                address,
            } => {
                assert_eq!(*c, jane);
                assert!(address.is_erased(), "{address}");
            }
            other => panic!("not a mark: {other:?}"),
        }
    }
    let rebuilt = Desk::rebuild(&w.store, w.desk.config().clone()).unwrap();
    let record = record_json(&w.store);
    for p in ["jane@acme.example", "210 555 0100", "mailbox disabled"] {
        assert!(!record.contains(p), "{p} is still in the store");
        assert!(!desk_text(&w.desk).contains(p), "{p} is still in the desk");
        assert!(!desk_text(&rebuilt).contains(p), "{p} is in a rebuilt desk");
    }
    assert_eq!(rebuilt, w.desk);
    // In memory she holds no address, marked or not.
    let erased = contact(&w.desk).unwrap();
    assert!(erased.addresses().is_empty());
    assert!(erased.is_deliverable(&w.jane_email), "no mark is left");
}
