//! Bounded memory: tickets closed longer than the archive window leave the
//! desk's memory, stay readable from the store, and a message on one opens
//! a follow-up linked to it.

use chrono::Duration;
use fanatical::actor::{Actor, TimerKind};
use fanatical::channel::Channel;
use fanatical::customer::ErasureScope;
use fanatical::desk::{
    ArchivePolicy, Command, CustomerAction, CustomerArchive, Desk, DeskConfig, DeskError,
    InboundMessage, TicketAction, Timer,
};
use fanatical::event::{Event, StreamId};
use fanatical::id::TicketId;
use fanatical::store::{SnapshotStore, Store};
use fanatical::survey::{
    Answer, Question, QuestionKind, Rating, Response, SurveyAction, SurveyConfig, SurveyDraft,
};
use fanatical::ticket::{Status, TicketEventKind};

use crate::support::World;

/// Closed tickets archive after a week; a CSAT survey goes out on solve.
fn week() -> DeskConfig {
    let csat = SurveyDraft::new("after-ticket")
        .question(Question::new("rating", "How did we do?", QuestionKind::scale()).required())
        .validate()
        .unwrap();
    let mut surveys = SurveyConfig::default()
        .with_survey(csat)
        .csat_on_solve("after-ticket");
    // Invitations expire within the window: a ticket is not archived
    // before its unanswered invitations expire.
    surveys.valid_for = Duration::days(3);
    DeskConfig::default()
        .with_surveys(surveys)
        .with_archive(ArchivePolicy::after_closed(Duration::days(7)).unwrap())
}

/// Jane's ticket answered by Ana, solved, its messages delivered, closed.
fn closed_ticket(w: &mut World, body: &str) -> TicketId {
    w.closed_ticket(body, "Fixed: the certificate was renewed.")
}

fn fire_timers(w: &mut World) {
    let now = w.now;
    w.desk.handle_timeout(&mut w.store, now).unwrap();
}

#[test]
fn a_closed_ticket_leaves_memory_when_its_window_runs_out_and_reads_back_from_the_store() {
    let mut w = World::with_config(week());
    let t = closed_ticket(&mut w, "Our certificate expired");
    let closed_at = w.now;
    let in_memory = w.desk.tickets().get(t).unwrap().clone();
    // The archive timer is the desk's next, at the end of the window.
    let next = w.desk.next_timer().unwrap();
    assert_eq!(next.timer, Timer::Archive(t));
    assert_eq!(next.kind, TimerKind::Archive);
    assert_eq!(next.at, closed_at + Duration::days(7));

    // A minute before the window runs out it is still there.
    w.now = closed_at + Duration::days(7) - Duration::minutes(1);
    fire_timers(&mut w);
    assert!(w.desk.tickets().get(t).is_some());

    w.now = closed_at + Duration::days(7);
    fire_timers(&mut w);
    assert_eq!(w.desk.tickets().get(t), None);
    assert_eq!(w.desk.tickets().sla(t), None);
    assert_eq!(w.desk.tickets().of_customer(w.acme).count(), 0);
    assert!(
        w.desk
            .channels()
            .outbox()
            .all(|e| e.message.ticket != Some(t)),
        "its delivered messages left with it"
    );
    assert_eq!(w.desk.poll_timeout(), None, "nothing left to wake for");

    // The record: an `archived` event on Acme's archive stream.
    let index = w.store.read_stream(&StreamId::Archive(w.acme), 0).unwrap();
    assert_eq!(index.len(), 1);
    let Event::Ticket(e) = &index[0].event else {
        panic!("not a ticket event: {:?}", index[0].event);
    };
    let TicketEventKind::Archived {
        ticket,
        requester,
        closed_at: at,
        messages,
        invitations,
        ..
    } = &e.kind
    else {
        panic!("not an archival: {:?}", e.kind);
    };
    assert_eq!((*ticket, *requester, *at), (t, Some(w.jane), closed_at));
    assert_eq!(messages.len(), 2, "the reply and the CSAT invitation");
    assert_eq!(invitations.len(), 1, "the CSAT invitation");

    // Read back from the store, it is the ticket as it was closed.
    let back = w.desk.tickets().archived(&w.store, t).unwrap().unwrap();
    assert_eq!(back.ticket, in_memory);
    assert!(back.sla.is_some());
    let view = w.desk.archived_agent_view(&w.store, t).unwrap();
    assert_eq!(view.conversation.len(), 2);
    let theirs = w.desk.archived_customer_view(&w.store, t, w.jane).unwrap();
    assert_eq!(theirs.conversation.len(), 2);
    let unknown: TicketId = w.ids.next_id();
    assert_eq!(w.desk.tickets().archived(&w.store, unknown).unwrap(), None);
    assert_eq!(
        w.desk.archived_agent_view(&w.store, unknown),
        Err(DeskError::UnknownTicket(unknown).into())
    );

    // A rebuild and a restored snapshot hold the same.
    let config = w.desk.config().clone();
    assert_eq!(Desk::rebuild(&w.store, config.clone()).unwrap(), w.desk);
    let snap = w.desk.snapshot();
    w.store.save_snapshot(&snap).unwrap();
    let resumed = Desk::resume(&w.store, config).unwrap();
    assert_eq!(resumed.desk, w.desk);
}

#[test]
fn a_snapshot_taken_before_the_window_restores_the_archive_timer() {
    let mut w = World::with_config(week());
    let t = closed_ticket(&mut w, "Our certificate expired");
    let snap = w.desk.snapshot();
    w.store.save_snapshot(&snap).unwrap();
    let mut resumed = Desk::resume(&w.store, week()).unwrap().desk;
    assert_eq!(resumed.next_timer(), w.desk.next_timer());
    let at = w.now + Duration::days(7);
    resumed.handle_timeout(&mut w.store, at).unwrap();
    assert_eq!(resumed.tickets().get(t), None);
}

#[test]
fn tickets_never_archive_when_the_policy_says_never_and_unclosed_ones_never_do() {
    let mut w = World::with_config(DeskConfig::default().with_archive(ArchivePolicy::never()));
    let t = closed_ticket(&mut w, "Our certificate expired");
    w.tick(365 * 24 * 60);
    fire_timers(&mut w);
    assert!(w.desk.tickets().get(t).is_some());

    let mut w = World::with_config(week());
    let ana = w.ana;
    let solved = w.jane_emails("A question");
    w.run(Command::new(
        Actor::Agent(ana),
        TicketAction::assign(solved, ana),
    ))
    .unwrap();
    w.run(Command::new(
        Actor::Agent(ana),
        TicketAction::set_status(solved, Status::Solved),
    ))
    .unwrap();
    w.tick(365 * 24 * 60);
    fire_timers(&mut w);
    assert!(
        w.desk.tickets().get(solved).is_some(),
        "only closed tickets archive"
    );
}

#[test]
fn a_message_on_an_archived_ticket_opens_a_follow_up_linked_to_it() {
    let mut w = World::with_config(week());
    let t = closed_ticket(&mut w, "Our certificate expired");
    w.tick(8 * 24 * 60);
    fire_timers(&mut w);
    assert_eq!(w.desk.tickets().get(t), None);

    let follow_up: TicketId = w.ids.next_id();
    let msg = InboundMessage::new(
        follow_up,
        Channel::Email,
        w.jane_email.clone(),
        "It expired again",
    )
    .in_reply_to(t);
    let cmd = Command::new(Actor::integration("inbound"), TicketAction::Receive(msg));
    // Deciding it needs Acme's archive from the store.
    let need = w.desk.archive_needed(&cmd).unwrap();
    assert_eq!((need.customer, need.contents), (w.acme, false));
    assert_eq!(
        w.desk.decide(cmd.clone(), w.now),
        Err(DeskError::ArchiveNeeded { customer: w.acme }.into())
    );
    let archive = CustomerArchive::read(&w.store, &need).unwrap();
    assert!(archive.contains(t));
    assert!(!archive.has_contents(), "a reply needs the index alone");
    assert_eq!(archive.ticket(t), None);
    let decided = w.desk.decide_with_archive(cmd.clone(), w.now, &archive);
    assert!(!decided.unwrap().is_empty());

    // `execute` reads the archive itself.
    w.run(cmd).unwrap();
    let opened = w.desk.tickets().get(follow_up).unwrap();
    assert_eq!(opened.links().follow_up_of, Some(t));
    assert_eq!(opened.requester(), Some(w.jane));
    assert_eq!(opened.conversation()[0].body, "It expired again");
    assert_eq!(
        Desk::rebuild(&w.store, w.desk.config().clone()).unwrap(),
        w.desk
    );
}

#[test]
fn a_message_on_a_closed_ticket_in_memory_opens_a_linked_follow_up_too() {
    let mut w = World::with_config(week());
    let t = closed_ticket(&mut w, "Our certificate expired");
    let follow_up: TicketId = w.ids.next_id();
    let msg = InboundMessage::new(follow_up, Channel::Email, w.jane_email.clone(), "Again")
        .in_reply_to(t);
    w.run(Command::new(
        Actor::integration("inbound"),
        TicketAction::Receive(msg),
    ))
    .unwrap();
    let opened = w.desk.tickets().get(follow_up).unwrap();
    assert_eq!(opened.links().follow_up_of, Some(t));
    assert_eq!(w.desk.tickets().get(t).unwrap().conversation().len(), 2);
}

#[test]
fn a_reply_naming_another_customers_archived_ticket_is_refused_as_unknown() {
    let mut w = World::with_config(week());
    let t = closed_ticket(&mut w, "Our certificate expired");
    w.tick(8 * 24 * 60);
    fire_timers(&mut w);
    // Tom (Tiny) names Acme's archived ticket: Tiny has no archive, so the
    // desk answers from memory that it knows no such ticket.
    let msg = InboundMessage::new(w.ids.next_id(), Channel::Email, w.tom_email.clone(), "Hi")
        .in_reply_to(t);
    w.refused(
        Command::new(Actor::integration("inbound"), TicketAction::Receive(msg)),
        DeskError::UnknownTicket(t),
    );
    // Jane names a ticket that is in nobody's archive: Acme's archive is
    // read, and it is not there.
    let nowhere: TicketId = w.ids.next_id();
    let msg = InboundMessage::new(w.ids.next_id(), Channel::Email, w.jane_email.clone(), "Hi")
        .in_reply_to(nowhere);
    w.refused(
        Command::new(Actor::integration("inbound"), TicketAction::Receive(msg)),
        DeskError::UnknownTicket(nowhere),
    );
}

#[test]
fn erasing_a_contact_erases_what_they_wrote_on_archived_tickets_in_the_store() {
    let mut w = World::with_config(week());
    let t = closed_ticket(&mut w, "My home address is 12 Elm Street");
    w.tick(8 * 24 * 60);
    fire_timers(&mut w);
    assert_eq!(w.desk.tickets().get(t), None);
    let (acme, jane) = (w.acme, w.jane);
    w.run(Command::new(
        Actor::integration("privacy"),
        CustomerAction::EraseContact {
            customer: acme,
            contact: jane,
            scope: ErasureScope::ProfileAndMessages,
        },
    ))
    .unwrap();
    let back = w.desk.tickets().archived(&w.store, t).unwrap().unwrap();
    let text = format!("{:?}", back.ticket);
    assert!(!text.contains("Elm Street"), "{text}");
    assert_eq!(back.ticket.conversation()[0].body, fanatical::store::ERASED);
    // Every stored event: nothing of hers left, the messages to her too.
    let all = w.store.read_all(0, usize::MAX).unwrap();
    let dump = format!("{all:?}");
    assert!(!dump.contains("Elm Street"));
    assert!(!dump.contains("jane@acme.example"));
    assert_eq!(
        Desk::rebuild(&w.store, w.desk.config().clone()).unwrap(),
        w.desk
    );
}

#[test]
fn reports_say_how_many_tickets_of_their_period_are_archived_and_csat_still_counts_them() {
    let mut w = World::with_config(week());
    let opened = w.now;
    let t = closed_ticket(&mut w, "Our certificate expired");
    let invitation = w
        .desk
        .surveys()
        .invitations()
        .find(|i| i.invitation.ticket == Some(t))
        .unwrap()
        .invitation
        .id;
    w.run(Command::new(
        Actor::integration("survey"),
        SurveyAction::Answer {
            invitation,
            response: Response::new().answer("rating", Answer::Scale(Rating::Excellent)),
        },
    ))
    .unwrap();
    let before = w.desk.surveys().csat_by_agent();
    assert_eq!(before[&w.ana].rated, 1);
    let day = |w: &World| w.desk.tickets().metrics(opened, opened + Duration::days(1));
    assert_eq!((day(&w).opened, day(&w).archived), (1, 0));
    let queue = day(&w).daily_queue;
    assert_eq!(queue.values().copied().collect::<Vec<_>>(), vec![1, 0]);

    w.tick(8 * 24 * 60);
    fire_timers(&mut w);
    let m = day(&w);
    assert_eq!(
        (m.opened, m.archived),
        (0, 1),
        "the figures say what is missing"
    );
    // The queue of archived days is kept as each day's peak.
    assert_eq!(m.daily_queue, queue);
    assert_eq!(
        m.peak_queue_by_channel[&fanatical::channel::ChannelKind::Email].tickets,
        1
    );
    let later = w.desk.tickets().metrics(w.now, w.now + Duration::days(1));
    assert_eq!(later.archived, 0);
    assert_eq!(w.desk.surveys().csat_by_agent(), before);
    assert_eq!(
        Desk::rebuild(&w.store, w.desk.config().clone()).unwrap(),
        w.desk
    );
}

#[test]
fn the_archive_window_is_checked_when_built_and_read() {
    assert!(ArchivePolicy::after_closed(Duration::seconds(59)).is_err());
    assert!(ArchivePolicy::after_closed(Duration::days(365 * 200)).is_err());
    let p = ArchivePolicy::after_closed(Duration::days(30)).unwrap();
    let json = serde_json::to_string(&p).unwrap();
    assert_eq!(json, r#"{"after_seconds":2592000}"#);
    assert_eq!(serde_json::from_str::<ArchivePolicy>(&json).unwrap(), p);
    assert_eq!(
        serde_json::from_str::<ArchivePolicy>(r#"{"after_seconds":null}"#).unwrap(),
        ArchivePolicy::never()
    );
    let err = serde_json::from_str::<ArchivePolicy>(r#"{"after_seconds":-5}"#).unwrap_err();
    assert!(err.to_string().contains("archive window"), "{err}");
    assert!(
        serde_json::from_str::<ArchivePolicy>(&format!(r#"{{"after_seconds":{}}}"#, i64::MAX))
            .is_err()
    );
}

#[test]
fn a_window_shorter_than_a_day_leaves_the_queue_of_the_day_exact() {
    let config = DeskConfig::default()
        .with_archive(ArchivePolicy::after_closed(Duration::minutes(1)).unwrap());
    let mut w = World::with_config(config);
    let start = w.now;
    let t = closed_ticket(&mut w, "Our certificate expired");
    w.tick(5);
    fire_timers(&mut w);
    assert_eq!(w.desk.tickets().get(t), None);
    // Two more tickets the same day, and nobody answers yet.
    w.jane_emails("Another thing");
    w.jane_emails("And a third");
    let m = w.desk.tickets().metrics(start, start + Duration::hours(12));
    assert_eq!(m.daily_queue[&start.date_naive()], 2);
    assert_eq!(m.archived, 1);
    assert_eq!(
        Desk::rebuild(&w.store, w.desk.config().clone()).unwrap(),
        w.desk
    );
}
