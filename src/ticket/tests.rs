use super::*;
use chrono::{Duration, TimeZone};
use uuid::Uuid;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 4, 1, 2, 0, 0).unwrap()
}
fn tid(n: u128) -> TicketId {
    TicketId::from_uuid(Uuid::from_u128(n))
}
fn cust(n: u128) -> CustomerId {
    CustomerId::from_uuid(Uuid::from_u128(1000 + n))
}
fn jane() -> ContactId {
    ContactId::from_uuid(Uuid::from_u128(7))
}
fn agent() -> AgentId {
    AgentId::from_uuid(Uuid::from_u128(8))
}

fn open(id: TicketId, customer: CustomerId, kind: TicketType) -> Ticket {
    let cmd = OpenTicket::new(id, customer, "Help", Channel::Email)
        .requested_by(jane())
        .with_type(kind)
        .with_message(Author::Contact(jane()), "hello");
    Ticket::from_events(&Ticket::open(cmd, &TicketRules::default(), t0()).unwrap()).unwrap()
}

fn run(t: &mut Ticket, cmd: TicketCommand) -> Result<Vec<TicketEvent>, TicketError> {
    let evs = t.handle(cmd, t0() + Duration::minutes(5))?;
    for e in &evs {
        t.apply(e);
    }
    Ok(evs)
}

fn reply(author: Author, body: &str) -> TicketCommand {
    TicketCommand::Reply {
        author,
        channel: Channel::Email,
        body: body.into(),
        attachments: vec![],
    }
}

#[test]
fn replies_move_status_like_zendesk() {
    let mut t = open(tid(1), cust(1), TicketType::Question);
    assert_eq!(t.status(), Status::New);
    run(&mut t, reply(Author::Agent(agent()), "hi")).unwrap();
    assert_eq!(t.status(), Status::Open);
    run(&mut t, TicketCommand::SetStatus(Status::Pending)).unwrap();
    run(&mut t, reply(Author::Contact(jane()), "here you go")).unwrap();
    assert_eq!(t.status(), Status::Open);
    run(&mut t, TicketCommand::Assign(Some(agent()))).unwrap();
    run(&mut t, TicketCommand::SetStatus(Status::Solved)).unwrap();
    let evs = run(&mut t, reply(Author::Contact(jane()), "still broken")).unwrap();
    assert_eq!(
        t.status(),
        Status::Open,
        "a customer reply reopens a solved ticket"
    );
    assert!(matches!(
        evs[1].kind,
        TicketEventKind::StatusChanged {
            from: Status::Solved,
            to: Status::Open,
            cause: StatusCause::CustomerReplied
        }
    ));
}

#[test]
fn closed_tickets_refuse_everything_and_illegal_transitions_change_nothing() {
    let mut t = open(tid(1), cust(1), TicketType::Question);
    let before = t.clone();
    assert_eq!(
        run(&mut t, TicketCommand::SetStatus(Status::Closed)),
        Err(TicketError::InvalidTransition {
            ticket: tid(1),
            from: Status::New,
            to: Status::Closed
        })
    );
    assert_eq!(t, before);
    assert_eq!(
        run(&mut t, TicketCommand::SetStatus(Status::Solved)),
        Err(TicketError::NoAssignee(tid(1)))
    );
    run(&mut t, TicketCommand::Assign(Some(agent()))).unwrap();
    run(&mut t, TicketCommand::SetStatus(Status::Solved)).unwrap();
    run(&mut t, TicketCommand::SetStatus(Status::Closed)).unwrap();
    for cmd in [
        reply(Author::Contact(jane()), "hello?"),
        TicketCommand::SetStatus(Status::Open),
        TicketCommand::AddTag(Tag::new("x").unwrap()),
    ] {
        assert_eq!(run(&mut t, cmd), Err(TicketError::Closed(tid(1))));
    }
}

#[test]
fn attachments_are_checked_against_rules() {
    let t = open(tid(1), cust(1), TicketType::Question);
    let rules = TicketRules::default().with_max_attachment_bytes(1_000);
    let gif = Attachment::new("dance.gif", "image/GIF", 999).unwrap();
    assert_eq!(gif.media_type.as_str(), "image/gif");
    let big = Attachment::new("huge.mov", "video/quicktime", 1_001).unwrap();
    let cmd = |a: Vec<Attachment>| TicketCommand::Reply {
        author: Author::Agent(agent()),
        channel: Channel::Chat,
        body: "see attached".into(),
        attachments: a,
    };
    assert!(t.handle_with(cmd(vec![gif.clone()]), &rules, t0()).is_ok());
    assert_eq!(
        t.handle_with(cmd(vec![gif.clone(), big]), &rules, t0()),
        Err(TicketError::AttachmentTooLarge {
            file_name: "huge.mov".into(),
            size: 1_001,
            limit: 1_000
        })
    );
    let nameless = Attachment {
        file_name: " ".into(),
        ..gif
    };
    assert_eq!(
        t.handle_with(cmd(vec![nameless]), &rules, t0()),
        Err(TicketError::EmptyAttachmentName)
    );
    assert_eq!(
        Attachment::new("", "image/gif", 1),
        Err(TicketError::EmptyAttachmentName)
    );
    assert_eq!(
        Attachment::new("a", "gif", 1),
        Err(TicketError::InvalidMediaType("gif".into()))
    );
}

#[test]
fn merge_keeps_both_histories() {
    let mut a = open(tid(1), cust(1), TicketType::Question);
    let mut b = open(tid(2), cust(1), TicketType::Question);
    run(
        &mut a,
        TicketCommand::Note {
            agent: agent(),
            body: "internal context".into(),
            attachments: vec![],
        },
    )
    .unwrap();
    let m = a.merge_into(&b, agent(), t0()).unwrap();
    for e in &m.source {
        a.apply(e);
    }
    for e in &m.target {
        b.apply(e);
    }
    assert_eq!(a.status(), Status::Closed);
    assert_eq!(a.links().merged_into, Some(tid(2)));
    assert_eq!(b.links().merged_from, vec![tid(1)]);
    // b: its own first message, a's two entries, the merge note.
    assert_eq!(b.conversation().len(), 4);
    let numbers: Vec<u32> = b.conversation().iter().map(|e| e.number).collect();
    assert_eq!(numbers, vec![1, 2, 3, 4]);
    assert_eq!(
        b.conversation()[2].origin,
        Some(EntryOrigin {
            ticket: tid(1),
            number: 2
        })
    );
    assert_eq!(b.conversation()[2].visibility, EntryVisibility::Internal);
    // a keeps its own history too, plus the merge note.
    assert_eq!(a.conversation().len(), 3);
}

#[test]
fn merge_refusals() {
    let a = open(tid(1), cust(1), TicketType::Question);
    let other = open(tid(2), cust(2), TicketType::Question);
    assert_eq!(
        a.merge_into(&a, agent(), t0()),
        Err(TicketError::SelfReference(tid(1)))
    );
    assert!(matches!(
        a.merge_into(&other, agent(), t0()),
        Err(TicketError::CrossCustomerMerge { .. })
    ));
}

#[test]
fn incident_links_need_an_incident_and_a_problem() {
    let mut inc = open(tid(1), cust(1), TicketType::Incident);
    let mut prob = open(tid(2), cust(1), TicketType::Problem);
    let q = open(tid(3), cust(1), TicketType::Question);
    assert_eq!(
        inc.link(LinkKind::IncidentOf, &q, t0()),
        Err(TicketError::WrongType {
            ticket: tid(3),
            actual: TicketType::Question,
            expected: TicketType::Problem
        })
    );
    let l = inc.link(LinkKind::IncidentOf, &prob, t0()).unwrap();
    for e in &l.from {
        inc.apply(e);
    }
    for e in &l.to {
        prob.apply(e);
    }
    assert_eq!(inc.links().problem, Some(tid(2)));
    assert!(prob.links().incidents.contains(&tid(1)));
    let again = inc.link(LinkKind::IncidentOf, &prob, t0()).unwrap();
    assert!(again.from.is_empty() && again.to.is_empty());
    assert_eq!(
        q.link(LinkKind::DuplicateOf, &q, t0()),
        Err(TicketError::SelfReference(tid(3)))
    );
}

#[test]
fn tags_are_single_lowercase_words() {
    assert_eq!(Tag::new("VIP").unwrap().as_str(), "vip");
    assert_eq!(
        Tag::new("two words"),
        Err(TicketError::InvalidTag("two words".into()))
    );
    let json = serde_json::to_string(&Tag::new("Power").unwrap()).unwrap();
    assert_eq!(json, "\"power\"");
}

#[test]
fn events_round_trip_through_json() {
    let mut t = open(tid(1), cust(1), TicketType::Question);
    let evs = run(
        &mut t,
        TicketCommand::Reply {
            author: Author::Agent(agent()),
            channel: Channel::Social {
                network: crate::channel::SocialNetwork::X,
                visibility: crate::channel::Visibility::Private,
            },
            body: "gif incoming".into(),
            attachments: vec![Attachment::new("party.gif", "image/gif", 2048).unwrap()],
        },
    )
    .unwrap();
    for e in evs {
        let json = serde_json::to_string(&e).unwrap();
        let back: TicketEvent = serde_json::from_str(&json).unwrap();
        assert_eq!(back, e);
    }
}

#[test]
fn a_storage_key_is_checked_and_old_attachments_read_without_one() {
    assert_eq!(
        AttachmentRef::new("  blobs/1  ").map(String::from),
        Ok("blobs/1".to_owned())
    );
    for bad in ["", "   ", "a\tb", "a\u{7f}b"] {
        assert_eq!(
            AttachmentRef::new(bad),
            Err(TicketError::InvalidAttachmentRef(bad.to_owned()))
        );
    }
    let long = "k".repeat(AttachmentRef::MAX_LEN + 1);
    assert_eq!(
        AttachmentRef::new(&long),
        Err(TicketError::InvalidAttachmentRef(long.clone()))
    );
    assert!(AttachmentRef::new(&long[1..]).is_ok());
    // Stored before keys existed: reads with none, writes the same bytes.
    let old = r#"{"file_name":"dance.gif","media_type":"image/gif","size":9}"#;
    let a: Attachment = serde_json::from_str(old).unwrap();
    assert_eq!(a, Attachment::new("dance.gif", "image/gif", 9).unwrap());
    assert_eq!(serde_json::to_string(&a).unwrap(), old);
    // A bad key in the record is refused when read, naming it.
    let bad = r#"{"file_name":"a","media_type":"image/gif","size":9,"reference":" "}"#;
    let err = serde_json::from_str::<Attachment>(bad).unwrap_err();
    assert!(
        err.to_string().contains("invalid attachment storage key"),
        "{err}"
    );
    // Erasing blanks the name and key, keeping type and size.
    let mut stored = a.stored_at(AttachmentRef::new("blobs/1").unwrap());
    stored.erase();
    assert_eq!(stored.file_name, crate::text::ERASED);
    assert_eq!(stored.reference, Some(AttachmentRef::erased()));
    assert_eq!((stored.media_type.as_str(), stored.size), ("image/gif", 9));
}
