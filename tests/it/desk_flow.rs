//! The desk end to end: tickets from every channel, the lifecycle, links
//! and merges, rebuilding from the store, and failed or conflicting
//! appends.

use fanatical::actor::Actor;
use fanatical::channel::{Channel, ChannelKind, SocialNetwork, Visibility};
use fanatical::customer::{ConsentSource, CustomerCommand, Interest, Relation};
use fanatical::desk::{Command, Desk, DeskConfig, DeskError, InboundMessage};
use fanatical::desk::{CustomerAction, TicketAction};
use fanatical::event::Event;
use fanatical::id::TicketId;
use fanatical::outbox::OutboxAction;
use fanatical::store::{MemoryStore, RecordedEvent, Store, StoreError};
use fanatical::ticket::{
    Attachment, Author, EntryVisibility, LinkKind, OpenTicket, Priority, Status, Tag,
    TicketCommand, TicketType,
};

use crate::support::{FlakyStore, World};

#[test]
fn a_ticket_from_every_channel() {
    let mut w = World::new();
    let x_public = Channel::Social {
        network: SocialNetwork::X,
        visibility: Visibility::Public,
    };
    let x_dm = Channel::Social {
        network: SocialNetwork::X,
        visibility: Visibility::Private,
    };
    // Jane also chats from the portal's widget.
    let jane_chat = fanatical::channel::ChannelAddress::chat("jane-acme").unwrap();
    let (acme, jane) = (w.acme, w.jane);
    w.run(Command::new(
        Actor::integration("setup"),
        CustomerAction::Update {
            customer: acme,
            command: CustomerCommand::AddAddress {
                contact: jane,
                address: jane_chat.clone(),
            },
        },
    ))
    .unwrap();
    let cases = vec![
        (Channel::Chat, jane_chat),
        (Channel::Email, w.jane_email.clone()),
        (Channel::Phone, w.jane_phone.clone()),
        (x_public.clone(), w.jane_x.clone()),
        (x_dm.clone(), w.jane_x.clone()),
        (Channel::Portal, w.jane_email.clone()),
        (Channel::Video, w.jane_email.clone()),
    ];
    let mut seen = std::collections::BTreeSet::new();
    for (channel, from) in cases {
        let id: TicketId = w.ids.next_id();
        w.run(Command::new(
            Actor::integration("inbound"),
            TicketAction::Receive(
                InboundMessage::new(id, channel.clone(), from, "My site is down\nsince 2am")
                    .with_subject(""),
            ),
        ))
        .unwrap();
        let t = w.desk.tickets().get(id).unwrap();
        assert_eq!(t.channel(), &channel);
        assert_eq!(t.requester(), Some(w.jane));
        assert_eq!(t.customer(), w.acme);
        assert_eq!(
            t.subject(),
            "My site is down",
            "subject from the first line"
        );
        assert_eq!(t.status(), Status::New);
        assert_eq!(t.conversation()[0].author, Author::Contact(w.jane));
        assert_eq!(t.conversation()[0].body, "My site is down\nsince 2am");
        seen.insert(channel.kind());
    }
    // Every kind of channel there is, no fewer.
    assert_eq!(seen, ChannelKind::ALL.into_iter().collect());
    // A phone number cannot send an email.
    let id: TicketId = w.ids.next_id();
    let phone = w.jane_phone.clone();
    w.refused(
        Command::new(
            Actor::integration("inbound"),
            TicketAction::Receive(InboundMessage::new(id, Channel::Email, phone.clone(), "hi")),
        ),
        DeskError::AddressNotOnChannel {
            address: phone,
            channel: Channel::Email,
        },
    );
    // A Facebook message does not come from an X handle.
    let fb = Channel::Social {
        network: SocialNetwork::Facebook,
        visibility: Visibility::Private,
    };
    let x = w.jane_x.clone();
    w.refused(
        Command::new(
            Actor::integration("inbound"),
            TicketAction::Receive(InboundMessage::new(id, fb.clone(), x.clone(), "hi")),
        ),
        DeskError::AddressNotOnChannel {
            address: x,
            channel: fb,
        },
    );
    assert!(w.desk.tickets().get(id).is_none());
}

#[test]
fn a_ticket_opened_from_the_customer_record() {
    let mut w = World::new();
    let id: TicketId = w.ids.next_id();
    let (acme, jane, ana) = (w.acme, w.jane, w.ana);
    w.run(Command::new(
        Actor::integration("setup"),
        TicketAction::Open(
            OpenTicket::new(id, acme, "Proactive: disk at 90%", Channel::Phone)
                .requested_by(jane)
                .with_priority(Priority::High)
                .with_type(TicketType::Task)
                .with_tag(Tag::new("proactive").unwrap())
                .with_message(Author::Agent(ana), "Called Jane about the disk."),
        ),
    ))
    .unwrap();
    let t = w.desk.tickets().get(id).unwrap();
    assert_eq!((t.customer(), t.requester()), (acme, Some(jane)));
    assert_eq!(t.channel(), &Channel::Phone);
    assert_eq!(t.subject(), "Proactive: disk at 90%");
    assert_eq!(t.priority(), Priority::High);
    assert_eq!(t.ticket_type(), TicketType::Task);
    assert!(t.tags().contains(&Tag::new("proactive").unwrap()));
    let first = &t.conversation()[0];
    assert_eq!(
        (&first.author, first.body.as_str()),
        (&Author::Agent(ana), "Called Jane about the disk.")
    );
    // A phone conversation is live: nothing to deliver.
    assert_eq!(w.desk.channels().undelivered(), 0);
}

#[test]
fn a_conversation_threads_and_a_closed_thread_opens_a_follow_up() {
    let mut w = World::new();
    let t = w.jane_emails("Backups failing");
    let ana = w.ana;
    w.tick(3);
    w.run(Command::reply(t, ana, "Looking now")).unwrap();
    w.run(Command::new(
        Actor::integration("setup"),
        TicketAction::set_status(t, Status::Pending),
    ))
    .unwrap();
    w.tick(60);
    let follow: TicketId = w.ids.next_id();
    let email = w.jane_email.clone();
    w.run(Command::new(
        Actor::integration("inbound"),
        TicketAction::Receive(
            InboundMessage::new(follow, Channel::Email, email.clone(), "Logs attached")
                .in_reply_to(t)
                .with_attachment(Attachment::new("backup.log", "text/plain", 2048).unwrap()),
        ),
    ))
    .unwrap();
    assert!(
        w.desk.tickets().get(follow).is_none(),
        "continued, not a new ticket"
    );
    let ticket = w.desk.tickets().get(t).unwrap();
    assert_eq!(ticket.status(), Status::Open, "the customer answered");
    assert_eq!(ticket.conversation().len(), 3);
    assert_eq!(
        ticket.conversation()[2].attachments[0].file_name,
        "backup.log"
    );

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
    w.run(Command::new(
        Actor::integration("setup"),
        TicketAction::set_status(t, Status::Closed),
    ))
    .unwrap();
    w.run(Command::new(
        Actor::integration("inbound"),
        TicketAction::Receive(
            InboundMessage::new(follow, Channel::Email, email, "It broke again").in_reply_to(t),
        ),
    ))
    .unwrap();
    let f = w.desk.tickets().get(follow).expect("a follow-up ticket");
    assert_eq!(f.status(), Status::New);
    assert_eq!(w.desk.tickets().get(t).unwrap().conversation().len(), 3);
}

#[test]
fn the_whole_lifecycle_through_the_desk() {
    let mut w = World::new();
    let t = w.jane_emails("DNS question");
    let (ana, team, jane) = (w.ana, w.team, w.jane);
    w.run(Command::new(
        Actor::integration("setup"),
        TicketAction::Update {
            ticket: t,
            command: TicketCommand::SetTeam(Some(team)),
        },
    ))
    .unwrap();
    w.run(Command::new(
        Actor::integration("setup"),
        TicketAction::assign(t, ana),
    ))
    .unwrap();
    assert_eq!(w.desk.tickets().get(t).unwrap().status(), Status::Open);
    for s in [
        Status::OnHold,
        Status::Pending,
        Status::Open,
        Status::Solved,
    ] {
        w.tick(1);
        w.run(Command::new(
            Actor::integration("setup"),
            TicketAction::set_status(t, s),
        ))
        .unwrap();
        assert_eq!(w.desk.tickets().get(t).unwrap().status(), s);
    }
    // The customer reopens by replying.
    w.run(Command::reply_on(
        t,
        Author::Contact(jane),
        Channel::Email,
        "not yet",
        vec![],
    ))
    .unwrap();
    assert_eq!(w.desk.tickets().get(t).unwrap().status(), Status::Open);
    // Setting the same status again is not an event.
    assert!(
        w.run(Command::new(
            Actor::integration("setup"),
            TicketAction::set_status(t, Status::Open)
        ))
        .unwrap()
        .is_empty()
    );
    w.run(Command::new(
        Actor::integration("setup"),
        TicketAction::set_status(t, Status::Solved),
    ))
    .unwrap();
    w.run(Command::new(
        Actor::integration("setup"),
        TicketAction::set_status(t, Status::Closed),
    ))
    .unwrap();
    assert_eq!(w.desk.tickets().get(t).unwrap().status(), Status::Closed);
    assert_eq!(w.desk.tickets().get(t).unwrap().team(), Some(team));
}

#[test]
fn merge_and_links_through_the_desk() {
    let mut w = World::new();
    let a = w.jane_emails("Site down");
    let b = w.jane_emails("Site still down");
    let ana = w.ana;
    w.run(Command::note(a, ana, "Root cause: PDU failure"))
        .unwrap();
    w.run(Command::new(
        Actor::Agent(ana),
        TicketAction::Merge {
            source: a,
            target: b,
        },
    ))
    .unwrap();
    let src = w.desk.tickets().get(a).unwrap();
    let dst = w.desk.tickets().get(b).unwrap();
    assert_eq!(src.status(), Status::Closed);
    assert_eq!(src.links().merged_into, Some(b));
    assert_eq!(dst.links().merged_from, vec![a]);
    let bodies: Vec<&str> = dst.conversation().iter().map(|e| e.body.as_str()).collect();
    assert!(bodies.contains(&"Site down"));
    assert!(bodies.contains(&"Root cause: PDU failure"));
    // The merged ticket's history is still its own stream.
    assert!(
        src.conversation()
            .iter()
            .any(|e| e.body == "Root cause: PDU failure")
    );

    let (acme, jane) = (w.acme, w.jane);
    let problem: TicketId = w.ids.next_id();
    w.run(Command::new(
        Actor::integration("setup"),
        TicketAction::Open(
            OpenTicket::new(problem, acme, "PDU failure in DFW", Channel::Portal)
                .with_type(TicketType::Problem),
        ),
    ))
    .unwrap();
    let incident: TicketId = w.ids.next_id();
    w.run(Command::new(
        Actor::integration("setup"),
        TicketAction::Open(
            OpenTicket::new(incident, acme, "My server is off", Channel::Phone)
                .requested_by(jane)
                .with_type(TicketType::Incident),
        ),
    ))
    .unwrap();
    w.run(Command::new(
        Actor::integration("setup"),
        TicketAction::Link {
            ticket: incident,
            link: LinkKind::IncidentOf,
            other: problem,
        },
    ))
    .unwrap();
    assert_eq!(
        w.desk.tickets().get(incident).unwrap().links().problem,
        Some(problem)
    );
    assert!(
        w.desk
            .tickets()
            .get(problem)
            .unwrap()
            .links()
            .incidents
            .contains(&incident)
    );
    w.run(Command::new(
        Actor::integration("setup"),
        TicketAction::Link {
            ticket: b,
            link: LinkKind::DuplicateOf,
            other: incident,
        },
    ))
    .unwrap();
    assert!(
        w.desk
            .tickets()
            .get(incident)
            .unwrap()
            .links()
            .duplicates
            .contains(&b)
    );
}

/// A busy little world: every kind of command the desk takes.
fn busy_world() -> World {
    let mut w = World::new();
    let (acme, jane, ana, bill) = (w.acme, w.jane, w.ana, w.bill);
    w.run(Command::new(
        Actor::integration("setup"),
        CustomerAction::Update {
            customer: acme,
            command: CustomerCommand::RecordConsent {
                contact: jane,
                source: ConsentSource::Agent(ana),
            },
        },
    ))
    .unwrap();
    for cmd in [
        CustomerCommand::AddFamilyMember {
            contact: jane,
            name: "Max".into(),
            relation: Relation::Child,
        },
        CustomerCommand::AddInterest {
            contact: jane,
            interest: Interest {
                topic: "favourite team".into(),
                detail: "San Antonio Spurs".into(),
            },
        },
        CustomerCommand::AssignAccountTeam {
            agent: bill,
            role: fanatical::agent::Role::Billing,
        },
    ] {
        w.run(Command::new(
            Actor::integration("setup"),
            CustomerAction::Update {
                customer: acme,
                command: cmd,
            },
        ))
        .unwrap();
    }
    for i in 0..5 {
        let t = w.jane_emails(&format!("Issue {i}"));
        w.tick(2);
        w.run(Command::new(
            Actor::Agent(ana),
            TicketAction::Reply {
                ticket: t,
                body: format!("Answer {i}"),
                attachments: vec![Attachment::new("dance.gif", "image/gif", 900_000).unwrap()],
            },
        ))
        .unwrap();
        w.run(Command::note(t, ana, "internal")).unwrap();
        if i % 2 == 0 {
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
        }
    }
    // Deliver some, fail one.
    let now = w.now;
    let first = w.desk.poll_outbound(now).unwrap();
    w.run(Command::new(
        Actor::integration("transport"),
        OutboxAction::MarkDelivered { message: first.id },
    ))
    .unwrap();
    let second = w.desk.poll_outbound(now).unwrap();
    w.run(Command::new(
        Actor::integration("transport"),
        OutboxAction::MarkFailed {
            message: second.id,
            reason: "smtp timeout".into(),
        },
    ))
    .unwrap();
    w
}

#[test]
fn a_desk_rebuilt_from_the_store_equals_the_original() {
    let w = busy_world();
    let rebuilt = Desk::rebuild(&w.store, DeskConfig::default()).unwrap();
    assert_eq!(rebuilt, w.desk);
    assert_eq!(rebuilt.position(), w.store.len() as u64);
    // And the rebuilt desk can carry on where the old one stopped.
    let mut w2 = w;
    w2.desk = rebuilt;
    let t = w2.jane_emails("after restart");
    assert!(w2.desk.tickets().get(t).is_some());
}

#[test]
fn every_stored_event_round_trips_through_json() {
    let w = busy_world();
    let all: Vec<RecordedEvent> = w.store.read_all(0, usize::MAX).unwrap();
    assert!(all.len() > 30);
    let mut kinds = std::collections::BTreeSet::new();
    for r in &all {
        let json = serde_json::to_string(r).unwrap();
        let back: RecordedEvent = serde_json::from_str(&json).unwrap();
        assert_eq!(&back, r);
        kinds.insert(match &r.event {
            Event::Customer(_) => "customer",
            Event::Agent(_) => "agent",
            Event::Team(_) => "team",
            Event::Ticket(_) => "ticket",
            Event::Outbox(_) => "outbox",
            Event::Sla(_) => "sla",
            _ => "other",
        });
    }
    assert!(!kinds.contains("other"), "{kinds:?}");
    assert_eq!(kinds.len(), 6, "{kinds:?}");
    // The wire format is readable.
    let json = serde_json::to_value(&all[0]).unwrap();
    assert_eq!(json["event"]["aggregate"], "customer");
    assert_eq!(json["event"]["event"]["kind"]["type"], "registered");
}

#[test]
fn a_failed_append_leaves_the_desk_unchanged() {
    let w = World::new();
    let mut store = FlakyStore {
        inner: w.store.clone(),
        fail_next_append: Some(StoreError::backend_message("disk full")),
    };
    let mut desk = w.desk.clone();
    let before = desk.clone();
    let id: TicketId = fanatical::id::IdGenerator::from_seed(5).next_id();
    let cmd = Command::new(
        Actor::integration("inbound"),
        TicketAction::Receive(InboundMessage::new(
            id,
            Channel::Email,
            w.jane_email.clone(),
            "hello",
        )),
    );
    let err = desk.execute(&mut store, cmd.clone(), w.now).unwrap_err();
    assert_eq!(err, StoreError::backend_message("disk full").into());
    assert_eq!(desk, before);
    assert_eq!(store.inner, w.store);
    // The same command succeeds once the store is back.
    desk.execute(&mut store, cmd, w.now).unwrap();
    assert!(desk.tickets().get(id).is_some());
}

#[test]
fn two_desks_on_one_store_one_wins_the_other_catches_up() {
    let mut w = World::new();
    let t = w.jane_emails("shared");
    let mut other = Desk::rebuild(&w.store, DeskConfig::default()).unwrap();
    let ana = w.ana;
    w.run(Command::reply(t, ana, "first")).unwrap();
    let before = other.clone();
    let err = other
        .execute(&mut w.store, Command::reply(t, ana, "second"), w.now)
        .unwrap_err();
    // Opened and Jane's message, then the reply and the move to open.
    assert_eq!(
        err,
        StoreError::Conflict {
            stream: fanatical::event::StreamId::Ticket(t),
            expected: fanatical::store::ExpectedVersion::Exact(2),
            actual: 4,
        }
        .into()
    );
    assert_eq!(other, before, "the loser is unchanged");
    assert!(other.catch_up(&w.store).unwrap() > 0);
    other
        .execute(&mut w.store, Command::reply(t, ana, "second"), w.now)
        .unwrap();
    let bodies: Vec<String> = other
        .tickets()
        .get(t)
        .unwrap()
        .conversation()
        .iter()
        .map(|e| e.body.clone())
        .collect();
    assert_eq!(bodies, vec!["shared", "first", "second"]);
    let mut fresh = MemoryStore::new();
    std::mem::swap(&mut fresh, &mut w.store);
    assert_eq!(Desk::rebuild(&fresh, DeskConfig::default()).unwrap(), other);
}

#[test]
fn notes_stay_internal_and_gifs_stay_gifs() {
    let mut w = World::new();
    let t = w.jane_emails("gif please");
    let ana = w.ana;
    w.run(Command::new(
        Actor::Agent(ana),
        TicketAction::Reply {
            ticket: t,
            body: "Here you go".into(),
            attachments: vec![Attachment::new("celebrate.gif", "image/gif", 3_145_728).unwrap()],
        },
    ))
    .unwrap();
    w.run(Command::note(t, ana, "customer likes gifs")).unwrap();
    let ticket = w.desk.tickets().get(t).unwrap();
    let vis: Vec<EntryVisibility> = ticket.conversation().iter().map(|e| e.visibility).collect();
    assert_eq!(
        vis,
        vec![
            EntryVisibility::Public,
            EntryVisibility::Public,
            EntryVisibility::Internal
        ]
    );
    let gif = &ticket.conversation()[1].attachments[0];
    assert_eq!(
        (gif.file_name.as_str(), gif.size),
        ("celebrate.gif", 3_145_728)
    );
    assert_eq!(gif.media_type.as_str(), "image/gif");
    assert!(gif.media_type.is_animated_image_capable());
}

/// Two desks share a store. When one appends after events it has not seen
/// (the other's, on other streams), it must not skip them.
#[test]
fn a_desk_that_appends_after_another_writer_misses_nothing() {
    use fanatical::id::CustomerId;
    let mut ids = fanatical::id::IdGenerator::from_seed(5);
    let mut store = fanatical::store::MemoryStore::new();
    let now = crate::support::t0();
    let mut a = Desk::new(DeskConfig::default());
    let mut b = Desk::new(DeskConfig::default());
    let (x, y, z): (CustomerId, CustomerId, CustomerId) =
        (ids.next_id(), ids.next_id(), ids.next_id());
    a.execute(
        &mut store,
        Command::new(
            Actor::integration("setup"),
            CustomerAction::Register {
                id: x,
                organisation: "X".into(),
            },
        ),
        now,
    )
    .unwrap();
    b.catch_up(&store).unwrap();
    b.execute(
        &mut store,
        Command::new(
            Actor::integration("setup"),
            CustomerAction::Register {
                id: y,
                organisation: "Y".into(),
            },
        ),
        now,
    )
    .unwrap();
    // A has not seen Y; its own append lands after it without a conflict.
    a.execute(
        &mut store,
        Command::new(
            Actor::integration("setup"),
            CustomerAction::Register {
                id: z,
                organisation: "Z".into(),
            },
        ),
        now,
    )
    .unwrap();
    assert!(
        a.customers().get(y).is_some(),
        "the other writer's event was skipped"
    );
    assert_eq!(a, Desk::rebuild(&store, DeskConfig::default()).unwrap());
    assert_eq!(a.catch_up(&store).unwrap(), 0);
}
