//! Archived tickets on every path that reaches them: an erasure after
//! archival (what memory, the store and a snapshot hold), a derived ticket
//! archived (onboarding offers are not made again), messages still on
//! their way, CSAT answers, invitations to someone other than the
//! requester, and a caller reusing an archived ticket's id.
use chrono::Duration;
use fanatical::actor::Actor;
use fanatical::agent::Role;
use fanatical::channel::Channel;
use fanatical::customer::{CustomerCommand, ErasureScope};
use fanatical::desk::{
    ArchivePolicy, Command, CustomerAction, Desk, DeskConfig, InboundMessage, PeopleAction,
    RecognitionAction, SurveyAction, TicketAction,
};
use fanatical::id::{AgentId, InvitationId, PraiseId, TicketId};
use fanatical::recognition::PraiseSource;
use fanatical::store::Store;
use fanatical::survey::{
    Answer, Question, QuestionKind, Rating, Response, SurveyConfig, SurveyDraft, SurveyKind,
};
use fanatical::ticket::Status;

use crate::support::World;

const COMMENT: &str = "Quillon the hamster disapproves";

fn config() -> DeskConfig {
    let csat = SurveyDraft::new("after-ticket")
        .question(Question::new("rating", "How did we do?", QuestionKind::scale()).required())
        .question(Question::new("why", "Why?", QuestionKind::Comment))
        .validate()
        .unwrap();
    DeskConfig::default()
        .with_surveys(
            SurveyConfig::default()
                .with_survey(csat)
                .csat_on_solve("after-ticket"),
        )
        .with_archive(ArchivePolicy::after_closed(Duration::days(7)).unwrap())
}

fn solve(w: &mut World, t: TicketId) {
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
}

fn close(w: &mut World, t: TicketId) {
    let ana = w.ana;
    w.run(Command::new(
        Actor::Agent(ana),
        TicketAction::set_status(t, Status::Closed),
    ))
    .unwrap();
}

fn archive_now(w: &mut World) {
    // Past the window and the CSAT invitations' expiry.
    w.tick(100 * 24 * 60);
    let now = w.now;
    w.desk.handle_timeout(&mut w.store, now).unwrap();
}

fn add_account_manager(w: &mut World) -> AgentId {
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
    am
}

fn csat_invitation(w: &World, t: TicketId) -> InvitationId {
    w.desk
        .surveys()
        .invitations()
        .find(|i| i.invitation.ticket == Some(t))
        .unwrap()
        .invitation
        .id
}

fn erase_jane(w: &mut World) {
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
}

fn desk_has(d: &Desk, s: &str) -> bool {
    d.tickets()
        .iter()
        .flat_map(|t| t.conversation())
        .any(|e| e.body.contains(s))
}

/// A follow-up note quoting a comment on an archived ticket's CSAT: the
/// store redacts it, the live desk keeps it.
#[test]
fn an_erasure_after_archival_erases_notes_quoting_archived_answers_in_memory_store_and_snapshot() {
    let mut w = World::with_config(config());
    add_account_manager(&mut w);
    let t = w.jane_emails("Broken");
    solve(&mut w, t);
    let inv = csat_invitation(&w, t);
    w.run(Command::new(
        Actor::Contact(w.jane),
        SurveyAction::Answer {
            invitation: inv,
            response: Response::new()
                .answer("rating", Answer::Scale(Rating::Poor))
                .answer("why", Answer::Comment(COMMENT.into())),
        },
    ))
    .unwrap();
    assert!(desk_has(&w.desk, COMMENT), "follow-up quotes");
    w.deliver_all();
    close(&mut w, t);
    archive_now(&mut w);
    assert!(w.desk.tickets().get(t).is_none());
    erase_jane(&mut w);
    let rebuilt = Desk::rebuild(&w.store, w.desk.config().clone()).unwrap();
    let store_has = format!("{:?}", w.store.read_all(0, usize::MAX).unwrap()).contains(COMMENT);
    assert!(!store_has, "the store still holds the erased comment");
    use fanatical::store::SnapshotStore;
    let snap = w.desk.snapshot();
    w.store.save_snapshot(&snap).unwrap();
    let loaded: fanatical::desk::DeskSnapshot =
        SnapshotStore::<fanatical::desk::DeskState>::load_snapshot(&w.store)
            .unwrap()
            .unwrap();
    let saved = serde_json::to_string(&loaded).unwrap();
    assert!(
        !saved.contains(COMMENT),
        "a snapshot holds the erased comment"
    );
    assert!(
        !desk_has(&w.desk, COMMENT),
        "live desk still holds the erased comment"
    );
    assert_eq!(rebuilt, w.desk);
}

/// Praise given through an archived CSAT invitation.
#[test]
fn an_erasure_after_archival_erases_praise_given_through_an_archived_invitation() {
    let mut w = World::with_config(config());
    let t = w.jane_emails("Broken");
    solve(&mut w, t);
    let inv = csat_invitation(&w, t);
    let praise: PraiseId = w.ids.next_id();
    w.run(Command::new(
        Actor::integration("survey"),
        RecognitionAction::RecordPraise {
            praise,
            source: PraiseSource::Survey { invitation: inv },
            text: "Ana was wonderful to my hamster Quillon".into(),
            customer: Some(w.acme),
            ticket: None,
        },
    ))
    .unwrap();
    w.deliver_all();
    close(&mut w, t);
    archive_now(&mut w);
    erase_jane(&mut w);
    let text = w.desk.people().praise(praise).unwrap().praise.text.clone();
    let rebuilt = Desk::rebuild(&w.store, w.desk.config().clone()).unwrap();
    let rtext = rebuilt.people().praise(praise).unwrap().praise.text.clone();
    assert_eq!(text, fanatical::store::ERASED);
    assert_eq!(rtext, text);
    assert_eq!(rebuilt, w.desk);
}

/// Onboarding offer made again once the onboarding ticket is archived.
#[test]
fn an_archived_onboarding_ticket_is_not_offered_again() {
    use fanatical::customer::{AccountStanding, Currency, Money, Tier};
    use fanatical::metrics::CareConfig;
    let mut cfg = config();
    cfg.care = CareConfig::default().with_video_onboarding(Money {
        minor: 1_000_000,
        currency: Currency::new("USD").unwrap(),
    });
    let mut w = World::with_config(cfg);
    let am = add_account_manager(&mut w);
    let acme = w.acme;
    let set = |minor| {
        Command::new(
            Actor::integration("billing"),
            CustomerAction::Update {
                customer: acme,
                command: CustomerCommand::SetAccountStanding {
                    standing: AccountStanding {
                        monthly_spend: Money {
                            minor,
                            currency: Currency::new("USD").unwrap(),
                        },
                        tier: Tier::Enterprise,
                    },
                },
            },
        )
    };
    w.run(set(1_000_000)).unwrap();
    let t = acme.onboarding_ticket();
    assert!(w.desk.tickets().get(t).is_some());
    w.run(Command::reply(t, am, "Booked.")).unwrap();
    w.run(Command::new(
        Actor::Agent(am),
        TicketAction::set_status(t, Status::Solved),
    ))
    .unwrap();
    w.deliver_all();
    w.run(Command::new(
        Actor::Agent(am),
        TicketAction::set_status(t, Status::Closed),
    ))
    .unwrap();
    archive_now(&mut w);
    assert!(w.desk.tickets().get(t).is_none());
    let got = w.run(set(2_000_000));
    assert!(got.is_ok());
}

/// A message still undelivered at archival stays in memory for ever.
#[test]
fn a_message_on_its_way_at_archival_leaves_memory_when_delivered() {
    let mut w = World::with_config(config());
    let t = w.jane_emails("Broken");
    solve(&mut w, t);
    close(&mut w, t); // nothing delivered yet
    archive_now(&mut w);
    assert!(w.desk.tickets().get(t).is_none());
    w.deliver_all();
    let left = w
        .desk
        .channels()
        .outbox()
        .filter(|e| e.message.ticket == Some(t))
        .count();
    assert_eq!(left, 0);
}

/// A CSAT answer after archival.
#[test]
fn a_ticket_waits_for_its_survey_to_expire_before_it_is_archived() {
    let mut w = World::with_config(config());
    let t = w.jane_emails("Broken");
    solve(&mut w, t);
    w.deliver_all();
    close(&mut w, t);
    let inv = csat_invitation(&w, t);
    // Past the window, not past the invitation's expiry: not archived yet.
    w.tick(8 * 24 * 60);
    let now = w.now;
    w.desk.handle_timeout(&mut w.store, now).unwrap();
    assert!(w.desk.tickets().get(t).is_some());
    let got = w.run(Command::new(
        Actor::Contact(w.jane),
        SurveyAction::Answer {
            invitation: inv,
            response: Response::new().answer("rating", Answer::Scale(Rating::Excellent)),
        },
    ));
    assert!(got.is_ok());
}

/// A survey about a ticket sent to a contact who is not its requester.
#[test]
fn an_erasure_reaches_invitations_about_archived_tickets_sent_to_others_than_the_requester() {
    let mut w = World::with_config(config());
    let acme = w.acme;
    let joe = w.ids.next_id();
    let joe_email = fanatical::channel::ChannelAddress::email("joe@acme.example").unwrap();
    w.run(Command::new(
        Actor::integration("setup"),
        CustomerAction::Update {
            customer: acme,
            command: CustomerCommand::AddContact {
                contact: joe,
                name: "Joe".into(),
                addresses: vec![joe_email.clone()],
            },
        },
    ))
    .unwrap();
    // Jane opens the ticket; Joe is the customer's survey contact.
    let t = w.jane_emails("Broken");
    let inv: InvitationId = w.ids.next_id();
    w.run(Command::new(
        Actor::integration("survey"),
        SurveyAction::Send {
            invitation: inv,
            survey: "after-ticket".into(),
            kind: SurveyKind::Csat,
            customer: acme,
            ticket: Some(t),
            agent: None,
        },
    ))
    .unwrap();
    let to = w
        .desk
        .surveys()
        .invitations()
        .find(|i| i.invitation.id == inv)
        .unwrap()
        .invitation
        .contact;
    assert_eq!(to, joe, "the survey went to Joe");
    w.run(Command::new(
        Actor::Contact(to),
        SurveyAction::Answer {
            invitation: inv,
            response: Response::new()
                .answer("rating", Answer::Scale(Rating::Good))
                .answer("why", Answer::Comment(COMMENT.into())),
        },
    ))
    .unwrap();
    solve(&mut w, t);
    w.deliver_all();
    close(&mut w, t);
    archive_now(&mut w);
    assert!(w.desk.tickets().get(t).is_none());
    w.run(Command::new(
        Actor::integration("privacy"),
        CustomerAction::EraseContact {
            customer: acme,
            contact: joe,
            scope: ErasureScope::ProfileAndMessages,
        },
    ))
    .unwrap();
    let store_has = format!("{:?}", w.store.read_all(0, usize::MAX).unwrap()).contains(COMMENT);
    assert!(!store_has, "the store still holds the erased comment");
    assert!(
        !store_has,
        "the erased contact's comment is still in the store"
    );
}

/// A caller-chosen id of an archived ticket.
#[test]
fn an_archived_tickets_id_is_taken() {
    let mut w = World::with_config(config());
    let t = w.jane_emails("Broken");
    solve(&mut w, t);
    w.deliver_all();
    close(&mut w, t);
    archive_now(&mut w);
    let got = w.run(Command::new(
        Actor::integration("inbound"),
        TicketAction::Receive(InboundMessage::new(
            t,
            Channel::Email,
            w.jane_email.clone(),
            "again",
        )),
    ));
    assert!(matches!(
        got,
        Err(fanatical::Error::Desk(
            fanatical::desk::DeskError::AlreadyExists(_)
        ))
    ));
}

/// A subject-access export after archival: complete with the archive.
#[test]
fn an_export_with_the_archive_still_holds_archived_tickets_and_answers() {
    let mut w = World::with_config(config());
    let t = w.jane_emails("Broken");
    solve(&mut w, t);
    let inv = csat_invitation(&w, t);
    w.run(Command::new(
        Actor::Contact(w.jane),
        SurveyAction::Answer {
            invitation: inv,
            response: Response::new()
                .answer("rating", Answer::Scale(Rating::Good))
                .answer("why", Answer::Comment(COMMENT.into())),
        },
    ))
    .unwrap();
    w.deliver_all();
    close(&mut w, t);
    let before = w.desk.customers().export(w.jane).unwrap();
    assert_eq!((before.tickets.len(), before.surveys.len()), (1, 1));
    archive_now(&mut w);
    assert!(w.desk.tickets().get(t).is_none());
    let memory = w.desk.customers().export(w.jane).unwrap();
    assert_eq!((memory.tickets.len(), memory.surveys.len()), (0, 0));
    let full = w
        .desk
        .customers()
        .export_with_archive(&w.store, w.jane)
        .unwrap();
    assert_eq!(full, before);
}

/// A CSAT invitation answered after its ticket was closed no longer holds
/// the ticket in memory: it is archived at the end of the window, on the
/// live desk as on one rebuilt from the store.
///
/// Found by the simulation (issue 17, item 7): a live desk sets a closed
/// ticket's archive timer when the ticket's events or an invitation about
/// it are applied, but not when an invitation is answered, so it keeps the
/// ticket until the invitation's expiry (30 days here), while a desk
/// rebuilt from the same store derives the timer with the answer counted
/// and archives it at the window's end. The fix is one more case where
/// `Desk::apply` (src/desk/record.rs) calls `archive_timer`: on an
/// `Answered` survey event, for the invitation's ticket.
#[test]
fn an_invitation_answered_after_closing_lets_the_ticket_archive_at_the_window() {
    let day = DeskConfig::default()
        .with_surveys(config().surveys)
        .with_archive(ArchivePolicy::after_closed(Duration::days(1)).unwrap());
    let mut w = World::with_config(day.clone());
    let t = w.jane_emails("Our certificate expired");
    solve(&mut w, t);
    w.deliver_all();
    close(&mut w, t);
    let closed_at = w.now;
    let invitation: InvitationId = w
        .desk
        .surveys()
        .invitations()
        .find(|i| i.invitation.ticket == Some(t))
        .unwrap()
        .invitation
        .id;
    w.tick(60);
    w.run(Command::new(
        Actor::integration("survey"),
        SurveyAction::Answer {
            invitation,
            response: Response::new().answer("rating", Answer::Scale(Rating::Excellent)),
        },
    ))
    .unwrap();
    let rebuilt = Desk::rebuild(&w.store, day).unwrap();
    assert_eq!(
        rebuilt.next_timer().unwrap().at,
        closed_at + Duration::days(1)
    );
    assert_eq!(w.desk.next_timer(), rebuilt.next_timer());

    w.now = closed_at + Duration::days(1);
    let now = w.now;
    w.desk.handle_timeout(&mut w.store, now).unwrap();
    assert_eq!(w.desk.tickets().get(t), None);
}

/// A store written before the outbox and the surveys were partitioned
/// (messages on the desk-wide `outbox` stream, invitations and answers on
/// `surveys`): a ticket archived on it, then its requester erased. The
/// archive read for the erasure reads those legacy streams too, so the
/// answer's words and the reply to her leave the store.
#[test]
fn an_erasure_after_archival_reaches_answers_and_messages_on_the_legacy_desk_wide_streams() {
    use fanatical::event::StreamId;
    let mut w = World::with_config(config());
    let t = w.jane_emails("Broken");
    solve(&mut w, t);
    let inv = csat_invitation(&w, t);
    w.run(Command::new(
        Actor::Contact(w.jane),
        SurveyAction::Answer {
            invitation: inv,
            response: Response::new()
                .answer("rating", Answer::Scale(Rating::Good))
                .answer("why", Answer::Comment(COMMENT.into())),
        },
    ))
    .unwrap();
    w.deliver_all();
    close(&mut w, t);
    // The same record on the old streams, and a desk folded from it.
    let record = w.store.read_all(0, usize::MAX).unwrap();
    let mut old = crate::contention::as_legacy(&record);
    let on = |s: &fanatical::store::MemoryStore, stream: StreamId| {
        s.read_stream(&stream, 0).unwrap().len()
    };
    assert!(on(&old, StreamId::Surveys) >= 2, "invited and answered");
    assert!(on(&old, StreamId::Outbox) >= 2, "the reply and the survey");
    let mut desk = Desk::rebuild(&old, w.desk.config().clone()).unwrap();
    let now = w.now + Duration::days(100);
    desk.handle_timeout(&mut old, now).unwrap();
    assert!(desk.tickets().get(t).is_none(), "archived");
    let holds = |s: &fanatical::store::MemoryStore, words: &str| {
        format!("{:?}", s.read_all(0, usize::MAX).unwrap()).contains(words)
    };
    assert!(holds(&old, COMMENT) && holds(&old, "Fixed."));
    let erase = Command::new(
        Actor::integration("privacy"),
        CustomerAction::EraseContact {
            customer: w.acme,
            contact: w.jane,
            scope: ErasureScope::ProfileAndMessages,
        },
    );
    let need = desk
        .archive_needed(&erase)
        .expect("the erasure reads the archive");
    let index = old.read_stream(&StreamId::Archive(w.acme), 0).unwrap();
    let streams = need.content_streams(&index);
    assert!(
        streams.contains(&StreamId::Surveys) && streams.contains(&StreamId::Outbox),
        "the legacy streams are read: {streams:?}"
    );
    desk.execute(&mut old, erase, now).unwrap();
    assert!(
        !holds(&old, COMMENT),
        "the answer's words are still in the store"
    );
    assert!(
        !holds(&old, "Fixed."),
        "the reply to her is still in the store"
    );
    assert_eq!(Desk::rebuild(&old, desk.config().clone()).unwrap(), desk);
}

/// An archived ticket is read-only: a refund asked about it is refused as
/// an unknown ticket, with nothing written (it is asked on the follow-up).
#[test]
fn a_refund_about_an_archived_ticket_is_refused_as_unknown() {
    use fanatical::customer::{Currency, Money};
    use fanatical::incident::ReasonCode;
    use fanatical::refund::{RefundAction, RefundKind};
    let mut w = World::with_config(config());
    let t = w.jane_emails("Charged twice");
    solve(&mut w, t);
    w.deliver_all();
    close(&mut w, t);
    archive_now(&mut w);
    assert!(w.desk.tickets().get(t).is_none());
    let ana = w.ana;
    let ask = Command::new(
        Actor::Agent(ana),
        RefundAction::Request {
            id: w.ids.next_id(),
            ticket: t,
            kind: RefundKind::Refund,
            amount: Money {
                minor: 1_000,
                currency: Currency::new("USD").unwrap(),
            },
            reason: ReasonCode::new("goodwill").unwrap(),
            note: "Charged twice".into(),
        },
    );
    w.refused(ask, fanatical::desk::DeskError::UnknownTicket(t));
}
