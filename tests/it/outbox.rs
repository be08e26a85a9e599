//! Outbound messages: recorded with the reply, handed out, acknowledged,
//! retried with backoff, abandoned after too many failures, and leased so
//! a crashed deliverer loses nothing.

use chrono::Duration;
use fanatical::actor::Actor;
use fanatical::channel::{Channel, SocialNetwork, Visibility};
use fanatical::outbox::OutboxAction;

use fanatical::desk::{Command, Desk, DeskConfig, DeskError, TicketAction};
use fanatical::outbox::{DeliveryState, Recipient, RetryPolicy};
use fanatical::ticket::{Attachment, AttachmentRef, Author, TicketCommand};
use fanatical::transport::{Delivery, RecordingTransport, Transport};

use crate::support::World;

#[test]
fn an_agent_reply_goes_to_the_requester_on_the_ticket_channel() {
    let mut w = World::new();
    let t = w.jane_emails("help");
    let ana = w.ana;
    w.run(Command::reply(t, ana, "Fixed")).unwrap();
    let msg = w.desk.poll_outbound(w.now).unwrap();
    assert_eq!(msg.channel, Channel::Email);
    assert_eq!(
        msg.recipient,
        Recipient::Contact {
            contact: w.jane,
            address: w.jane_email.clone()
        }
    );
    assert_eq!(msg.body, "Fixed");
    assert_eq!(msg.ticket, Some(t));
    // Leased: not handed out twice while the lease runs.
    assert_eq!(w.desk.poll_outbound(w.now), None);
    // A customer's own reply and an internal note send nothing.
    let jane = w.jane;
    w.run(Command::reply_on(
        t,
        Author::Contact(jane),
        Channel::Email,
        "thanks",
        vec![],
    ))
    .unwrap();
    w.run(Command::note(t, ana, "done")).unwrap();
    assert_eq!(w.desk.channels().undelivered(), 1);
    assert_eq!(w.desk.channels().outbox().count(), 1);
}

#[test]
fn a_public_replys_files_reach_the_transport_and_a_notes_files_stay_inside() {
    let mut w = World::new();
    let t = w.jane_emails("Can you send the post-mortem?");
    let ana = w.ana;
    let report = Attachment::new("post-mortem.pdf", "application/pdf", 48_213)
        .unwrap()
        .stored_at(AttachmentRef::new("blobs/4c1f").unwrap());
    let trace = Attachment::new("core.dump", "application/octet-stream", 9_000)
        .unwrap()
        .stored_at(AttachmentRef::new("blobs/77aa").unwrap());
    w.run(Command::new(
        Actor::Agent(ana),
        TicketAction::Update {
            ticket: t,
            command: TicketCommand::Note {
                agent: ana,
                body: "Trace attached for the team".into(),
                attachments: vec![trace],
            },
        },
    ))
    .unwrap();
    w.run(Command::new(
        Actor::Agent(ana),
        TicketAction::Reply {
            ticket: t,
            body: "Here it is".into(),
            attachments: vec![report.clone()],
        },
    ))
    .unwrap();
    let mut transport = RecordingTransport::new();
    while let Some(msg) = w.desk.poll_outbound(w.now) {
        assert_eq!(transport.deliver(&msg), Ok(Delivery::Delivered));
    }
    // One message: the reply, with its file's name, type, size and key;
    // the note's file went nowhere.
    let [sent] = transport.delivered() else {
        panic!("{:?}", transport.delivered());
    };
    assert_eq!(sent.body, "Here it is");
    assert_eq!(sent.attachments, vec![report]);
    // Stored messages without files keep their old shape on the wire.
    let json = serde_json::to_value(sent).unwrap();
    assert_eq!(json["attachments"][0]["reference"], "blobs/4c1f");
    let mut plain = sent.clone();
    plain.attachments.clear();
    assert!(
        serde_json::to_value(&plain)
            .unwrap()
            .get("attachments")
            .is_none()
    );
}

#[test]
fn social_replies_go_to_the_handle_and_phone_replies_send_nothing() {
    let mut w = World::new();
    let t = w.jane_emails("help");
    let ana = w.ana;
    let x_public = Channel::Social {
        network: SocialNetwork::X,
        visibility: Visibility::Public,
    };
    w.run(Command::reply_on(
        t,
        Author::Agent(ana),
        x_public.clone(),
        "DM us!",
        vec![],
    ))
    .unwrap();
    w.run(Command::reply_on(
        t,
        Author::Agent(ana),
        Channel::Phone,
        "Called her",
        vec![],
    ))
    .unwrap();
    let msg = w.desk.poll_outbound(w.now).unwrap();
    assert_eq!(msg.channel, x_public);
    assert_eq!(
        msg.recipient,
        Recipient::Contact {
            contact: w.jane,
            address: w.jane_x.clone()
        }
    );
    assert_eq!(msg.body, "DM us!");
    // The phone reply queued nothing: one message in all.
    assert_eq!(w.desk.poll_outbound(w.now), None);
    assert_eq!(w.desk.channels().outbox().count(), 1);
    // Chat: Jane has no chat address, so a chat reply cannot reach her.
    w.refused(
        Command::reply_on(t, Author::Agent(ana), Channel::Chat, "hi", vec![]),
        DeskError::Unreachable {
            ticket: t,
            channel: Channel::Chat,
        },
    );
}

#[test]
fn failures_back_off_then_succeed_and_duplicates_are_harmless() {
    let mut w = World::new();
    let t = w.jane_emails("help");
    let ana = w.ana;
    w.run(Command::reply(t, ana, "Fixed")).unwrap();
    let mut transport = RecordingTransport::new();
    transport.fail_next(2);
    let start = w.now;
    let mut attempts_at = Vec::new();
    loop {
        while let Some(msg) = w.desk.poll_outbound(w.now) {
            attempts_at.push(w.now - start);
            let ack = match transport.deliver(&msg) {
                Ok(_) => Command::new(
                    Actor::integration("transport"),
                    OutboxAction::MarkDelivered { message: msg.id },
                ),
                Err(e) => Command::new(
                    Actor::integration("transport"),
                    OutboxAction::MarkFailed {
                        message: msg.id,
                        reason: e.to_string(),
                    },
                ),
            };
            w.run(ack).unwrap();
        }
        match w.desk.poll_timeout() {
            Some(at) => w.now = w.now.max(at),
            None => break,
        }
    }
    assert_eq!(
        attempts_at,
        vec![
            Duration::zero(),
            Duration::seconds(30),
            Duration::seconds(90)
        ]
    );
    assert_eq!(transport.delivered().len(), 1);
    let entry = w.desk.channels().outbox().next().unwrap();
    assert_eq!(entry.state, DeliveryState::Delivered);
    assert_eq!(entry.failures, 2);
    // A late second delivery of the same message is dropped by its key,
    // and a second acknowledgement records nothing.
    let msg = entry.message.clone();
    assert_eq!(transport.deliver(&msg).unwrap(), Delivery::Duplicate);
    assert!(
        w.run(Command::new(
            Actor::integration("transport"),
            OutboxAction::MarkDelivered { message: msg.id }
        ))
        .unwrap()
        .is_empty()
    );
    assert_eq!(w.desk.poll_timeout(), None);
}

#[test]
fn too_many_failures_abandon_the_message() {
    let retry = RetryPolicy::new(Duration::seconds(30), Duration::hours(1), 3).unwrap();
    let mut w = World::with_config(DeskConfig::default().with_retry(retry));
    let t = w.jane_emails("help");
    let ana = w.ana;
    w.run(Command::reply(t, ana, "Fixed")).unwrap();
    for _ in 0..3 {
        let at = w.desk.poll_timeout().unwrap_or(w.now);
        w.now = w.now.max(at);
        let msg = w.desk.poll_outbound(w.now).unwrap();
        w.run(Command::new(
            Actor::integration("transport"),
            OutboxAction::MarkFailed {
                message: msg.id,
                reason: "bounced".into(),
            },
        ))
        .unwrap();
    }
    let entry = w.desk.channels().outbox().next().unwrap();
    assert_eq!(entry.state, DeliveryState::Abandoned);
    assert_eq!(entry.failures, 3);
    assert_eq!(entry.last_error.as_deref(), Some("bounced"));
    assert_eq!(w.desk.channels().undelivered(), 0);
    w.tick(24 * 60);
    assert_eq!(w.desk.poll_outbound(w.now), None);
}

#[test]
fn a_lease_that_runs_out_hands_the_message_out_again() {
    let mut w = World::new();
    let t = w.jane_emails("help");
    let ana = w.ana;
    w.run(Command::reply(t, ana, "Fixed")).unwrap();
    let first = w.desk.poll_outbound(w.now).unwrap();
    assert_eq!(w.desk.poll_timeout(), Some(w.now + Duration::minutes(5)));
    w.tick(4);
    assert_eq!(w.desk.poll_outbound(w.now), None, "the lease still runs");
    w.tick(1);
    let again = w.desk.poll_outbound(w.now).unwrap();
    assert_eq!(first, again, "same message, same idempotency key");
}

#[test]
fn a_crash_before_acknowledgement_redelivers_with_the_same_key() {
    let mut w = World::new();
    let t = w.jane_emails("help");
    let ana = w.ana;
    w.run(Command::reply(t, ana, "Fixed")).unwrap();
    let mut transport = RecordingTransport::new();
    let msg = w.desk.poll_outbound(w.now).unwrap();
    transport.deliver(&msg).unwrap();
    // Crash: the acknowledgement never reaches the store.
    let mut desk = Desk::rebuild(&w.store, DeskConfig::default()).unwrap();
    let again = desk.poll_outbound(w.now).unwrap();
    assert_eq!(again.id, msg.id);
    assert_eq!(transport.deliver(&again).unwrap(), Delivery::Duplicate);
    desk.execute(
        &mut w.store,
        Command::new(
            Actor::integration("transport"),
            OutboxAction::MarkDelivered { message: again.id },
        ),
        w.now,
    )
    .unwrap();
    assert_eq!(transport.delivered().len(), 1);
    assert_eq!(desk.channels().undelivered(), 0);
}

#[test]
fn unknown_messages_are_refused() {
    let mut w = World::new();
    let ghost = w.ids.next_id();
    w.refused(
        Command::new(
            Actor::integration("transport"),
            OutboxAction::MarkDelivered { message: ghost },
        ),
        DeskError::UnknownMessage(ghost),
    );
}

/// A transport can tell mail a person wrote from mail the desk composed
/// (`OutboundMessage::automatic`, for RFC 3834's `Auto-Submitted`): an
/// agent's reply is a person's; the CSAT invitation solving queues is the
/// desk's.
#[test]
fn replies_are_a_persons_and_survey_mail_is_automatic() {
    use fanatical::survey::{Question, QuestionKind, SurveyConfig, SurveyDraft};
    use fanatical::ticket::Status;
    let csat = SurveyDraft::new("after-ticket")
        .question(Question::new("rating", "How did we do?", QuestionKind::scale()).required())
        .validate()
        .unwrap();
    let mut w = World::with_config(
        DeskConfig::default().with_surveys(
            SurveyConfig::default()
                .with_survey(csat)
                .csat_on_solve("after-ticket"),
        ),
    );
    let t = w.jane_emails("Site down");
    let ana = w.ana;
    w.run(Command::new(
        Actor::Agent(ana),
        TicketAction::assign(t, ana),
    ))
    .unwrap();
    w.run(Command::reply(t, ana, "Fixed.")).unwrap();
    w.run(Command::new(
        Actor::Agent(ana),
        TicketAction::set_status(t, Status::Solved),
    ))
    .unwrap();
    let mut queued = Vec::new();
    while let Some(m) = w.desk.poll_outbound(w.now) {
        w.run(Command::new(
            Actor::integration("smtp"),
            OutboxAction::MarkDelivered { message: m.id },
        ))
        .unwrap();
        queued.push((m.body, m.automatic));
    }
    let automatic: Vec<_> = queued
        .iter()
        .map(|(body, a)| (body.split(' ').next().unwrap(), *a))
        .collect();
    assert_eq!(automatic, [("Fixed.", false), ("How", true)], "{queued:?}");
}
