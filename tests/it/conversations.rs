//! Conversations (issue 18, item 5): CCs on public replies, followers
//! told internally, a conversation split into a linked ticket, and time
//! tracked per agent per ticket.

use std::collections::BTreeSet;

use chrono::Duration;
use fanatical::actor::Actor;
use fanatical::channel::{Channel, ChannelAddress};
use fanatical::customer::{CustomerCommand, CustomerError, ErasureScope};
use fanatical::desk::{
    ArchivePolicy, Command, CustomerAction, Desk, DeskConfig, DeskError, InboundMessage, PageKind,
    TicketAction,
};
use fanatical::event::StreamId;
use fanatical::id::{ContactId, TicketId};
use fanatical::outbox::{OutboundMessage, Recipient};
use fanatical::store::Store;
use fanatical::ticket::{
    Author, EntryVisibility, Status, Ticket, TicketCommand, TicketError, TicketEventKind,
};
use proptest::prelude::*;

use crate::support::World;

/// Acme's other contacts: Bob reachable by chat only, Carol by email.
struct Cast {
    w: World,
    bob: ContactId,
    carol: ContactId,
    bob_chat: ChannelAddress,
    carol_email: ChannelAddress,
}

fn cast() -> Cast {
    let mut w = World::new();
    let (bob, carol) = (w.ids.next_id(), w.ids.next_id());
    let bob_chat = ChannelAddress::chat("bob-acme").unwrap();
    let carol_email = ChannelAddress::email("carol@acme.example").unwrap();
    for (contact, name, address) in [
        (bob, "Bob", bob_chat.clone()),
        (carol, "Carol", carol_email.clone()),
    ] {
        w.run(Command::new(
            Actor::integration("setup"),
            CustomerAction::Update {
                customer: w.acme,
                command: CustomerCommand::AddContact {
                    contact,
                    name: name.into(),
                    addresses: vec![address],
                },
            },
        ))
        .unwrap();
    }
    Cast {
        w,
        bob,
        carol,
        bob_chat,
        carol_email,
    }
}

fn update(ticket: TicketId, command: TicketCommand) -> Command {
    Command::new(
        Actor::integration("setup"),
        TicketAction::Update { ticket, command },
    )
}

/// The messages queued about `ticket` to contacts: (contact, channel,
/// address, body).
fn to_contacts(w: &World, ticket: TicketId) -> Vec<(ContactId, Channel, ChannelAddress, String)> {
    w.desk
        .channels()
        .outbox()
        .map(|e| &e.message)
        .filter(|m| m.ticket == Some(ticket))
        .filter_map(|m| match &m.recipient {
            Recipient::Contact { contact, address } => {
                Some((*contact, m.channel.clone(), address.clone(), m.body.clone()))
            }
            _ => None,
        })
        .collect()
}

/// The pages queued about `ticket` to followers.
fn follower_pages(w: &World, ticket: TicketId) -> Vec<OutboundMessage> {
    w.desk
        .channels()
        .outbox()
        .map(|e| e.message.clone())
        .filter(|m| m.ticket == Some(ticket) && matches!(m.recipient, Recipient::Agent { .. }))
        .filter(|m| m.body.contains("which you follow"))
        .collect()
}

#[test]
fn a_public_reply_reaches_the_requester_and_each_cc_on_their_own_channel_and_a_note_reaches_none() {
    let Cast {
        mut w,
        bob,
        carol,
        bob_chat,
        carol_email,
    } = cast();
    let t = w.jane_emails("Our site is down");
    for contact in [bob, carol] {
        w.run(update(t, TicketCommand::AddCc { contact })).unwrap();
    }
    w.run(Command::reply(t, w.ana, "Back up: the disk was full."))
        .unwrap();
    let got: BTreeSet<_> = to_contacts(&w, t).into_iter().collect();
    let body = "Back up: the disk was full.".to_owned();
    let want = BTreeSet::from([
        (w.jane, Channel::Email, w.jane_email.clone(), body.clone()),
        // Bob has no email: his copy goes on his own channel.
        (bob, Channel::Chat, bob_chat, body.clone()),
        (carol, Channel::Email, carol_email, body),
    ]);
    assert_eq!(got, want);

    w.run(Command::note(t, w.ana, "Disk alerts were muted: ask ops."))
        .unwrap();
    assert_eq!(
        to_contacts(&w, t).len(),
        3,
        "a note goes to no contact, CC or requester"
    );
    assert!(
        w.desk
            .channels()
            .outbox()
            .all(|e| !e.message.body.contains("muted")),
        "the note's words are in no message"
    );
    // A CC removed gets no more copies.
    w.run(update(t, TicketCommand::RemoveCc { contact: carol }))
        .unwrap();
    w.run(Command::reply(t, w.ana, "Alerts are back on."))
        .unwrap();
    let second: Vec<_> = to_contacts(&w, t)
        .into_iter()
        .filter(|m| m.3 == "Alerts are back on.")
        .map(|m| m.0)
        .collect();
    assert_eq!(second.len(), 2);
    assert!(second.contains(&w.jane) && second.contains(&bob));
}

#[test]
fn followers_are_paged_on_every_new_entry_but_their_own_without_its_words() {
    let Cast { mut w, .. } = cast();
    let (ana, bill) = (w.ana, w.bill);
    let t = w.jane_emails("Billing question");
    for agent in [ana, bill] {
        w.run(update(t, TicketCommand::AddFollower { agent }))
            .unwrap();
    }
    w.run(Command::note(t, ana, "Refund pending approval."))
        .unwrap();
    let pages = follower_pages(&w, t);
    assert_eq!(pages.len(), 1, "Ana wrote it: only Bill is told");
    assert_eq!(pages[0].recipient, Recipient::Agent { agent: bill });
    assert!(!pages[0].body.contains("Refund"), "{}", pages[0].body);

    let answer = InboundMessage::new(
        w.ids.next_id(),
        Channel::Email,
        w.jane_email.clone(),
        "Any news on my refund?",
    )
    .in_reply_to(t);
    w.run(Command::new(
        Actor::integration("inbound"),
        TicketAction::Receive(answer),
    ))
    .unwrap();
    let pages = follower_pages(&w, t);
    assert_eq!(pages.len(), 3);
    assert!(
        pages
            .iter()
            .any(|m| m.recipient == Recipient::Agent { agent: ana }),
        "Ana is told of Jane's message (she was not of her own note)"
    );
    // Followers are told on the page channel, never the customer.
    assert!(to_contacts(&w, t).iter().all(|m| m.0 == w.jane));
    // Unfollowing stops it.
    w.run(update(t, TicketCommand::RemoveFollower { agent: bill }))
        .unwrap();
    w.run(Command::note(t, ana, "Approved.")).unwrap();
    assert_eq!(follower_pages(&w, t).len(), 3);
}

#[test]
fn the_follower_page_kind_has_its_own_timing() {
    let policy = fanatical::desk::PagePolicy::default();
    assert_eq!(
        policy.timing(PageKind::FollowerUpdate),
        fanatical::desk::PageTiming::NextWorkingMinute
    );
}

#[test]
fn an_erased_cc_gets_nothing_and_leaves_every_view() {
    let Cast { mut w, bob, .. } = cast();
    let t = w.jane_emails("Down again");
    w.run(update(t, TicketCommand::AddCc { contact: bob }))
        .unwrap();
    assert!(w.desk.agent_ticket_view(t).unwrap().ccs.contains(&bob));
    assert!(
        w.desk
            .customer_ticket_view(t, w.jane)
            .unwrap()
            .ccs
            .contains(&bob)
    );
    w.run(Command::new(
        Actor::integration("privacy"),
        CustomerAction::EraseContact {
            customer: w.acme,
            contact: bob,
            scope: ErasureScope::Profile,
        },
    ))
    .unwrap();
    w.run(Command::reply(t, w.ana, "Fixed.")).unwrap();
    assert!(to_contacts(&w, t).iter().all(|m| m.0 != bob));
    assert!(!w.desk.agent_ticket_view(t).unwrap().ccs.contains(&bob));
    assert!(
        !w.desk
            .customer_ticket_view(t, w.jane)
            .unwrap()
            .ccs
            .contains(&bob)
    );
    assert!(
        w.desk
            .tickets()
            .seen_by(w.jane)
            .unwrap()
            .iter()
            .all(|v| !v.ccs.contains(&bob))
    );
    // And cannot be copied again.
    let acme = w.acme;
    w.refused(
        update(t, TicketCommand::AddCc { contact: bob }),
        CustomerError::ContactErased {
            customer: acme,
            contact: bob,
        },
    );
}

#[test]
fn ccs_and_followers_refused_with_what_was_wrong() {
    let Cast { mut w, .. } = cast();
    let t = w.jane_emails("Hello");
    let (acme, tom, jane) = (w.acme, w.tom, w.jane);
    // Another customer's contact would see this customer's conversation.
    w.refused(
        update(t, TicketCommand::AddCc { contact: tom }),
        CustomerError::UnknownContact {
            customer: acme,
            contact: tom,
        },
    );
    w.refused(
        update(t, TicketCommand::AddCc { contact: jane }),
        TicketError::CcIsRequester {
            ticket: t,
            contact: jane,
        },
    );
    let ghost = w.ids.next_id();
    w.refused(
        update(t, TicketCommand::AddFollower { agent: ghost }),
        DeskError::UnknownAgent(ghost),
    );
    // Adding twice changes nothing the second time.
    let bill = w.bill;
    assert!(
        !w.run(update(t, TicketCommand::AddFollower { agent: bill }))
            .unwrap()
            .is_empty()
    );
    assert!(
        w.run(update(t, TicketCommand::AddFollower { agent: bill }))
            .unwrap()
            .is_empty()
    );
}

/// Jane writes (1), writes again (2), Ana notes (3) and replies (4).
fn four_entries(w: &mut World) -> TicketId {
    let t = w.jane_emails("Site down; also the invoice is wrong");
    let more = InboundMessage::new(
        w.ids.next_id(),
        Channel::Email,
        w.jane_email.clone(),
        "About the invoice: we were charged twice.",
    )
    .in_reply_to(t);
    w.run(Command::new(
        Actor::integration("inbound"),
        TicketAction::Receive(more),
    ))
    .unwrap();
    w.run(Command::note(t, w.ana, "Billing must look at the invoice."))
        .unwrap();
    w.run(Command::reply(t, w.ana, "The site is back."))
        .unwrap();
    t
}

fn split(ana: fanatical::id::AgentId, ticket: TicketId, new: TicketId, entries: &[u32]) -> Command {
    Command::new(
        Actor::Agent(ana),
        TicketAction::Split {
            ticket,
            new_ticket: new,
            entries: entries.to_vec(),
        },
    )
}

#[test]
fn a_split_moves_the_chosen_entries_to_a_new_linked_ticket_with_its_own_sla() {
    let mut w = World::new();
    let t = four_entries(&mut w);
    let new: TicketId = w.ids.next_id();
    let before = w.desk.tickets().get(t).unwrap().clone();
    w.run(split(w.ana, t, new, &[3, 2])).unwrap();

    let source = w.desk.tickets().get(t).unwrap();
    let numbers: Vec<u32> = source.conversation().iter().map(|e| e.number).collect();
    assert_eq!(numbers, [1, 4]);
    assert_eq!(source.links().split_into, BTreeSet::from([new]));

    let n = w.desk.tickets().get(new).unwrap();
    assert_eq!(n.customer(), before.customer());
    assert_eq!(n.requester(), Some(w.jane));
    assert_eq!(n.status(), Status::New);
    assert_eq!(n.links().split_from, Some(t));
    let moved: Vec<_> = n
        .conversation()
        .iter()
        .map(|e| {
            (
                e.number,
                e.body.as_str(),
                e.visibility,
                e.origin.unwrap().number,
            )
        })
        .collect();
    assert_eq!(
        moved,
        [
            (
                1,
                "About the invoice: we were charged twice.",
                EntryVisibility::Public,
                2
            ),
            (
                2,
                "Billing must look at the invoice.",
                EntryVisibility::Internal,
                3
            ),
        ]
    );
    assert!(w.desk.tickets().sla(new).is_some(), "SLA as a new ticket");
    // The note chosen stays internal on the new ticket.
    let seen = w.desk.customer_ticket_view(new, w.jane).unwrap();
    assert_eq!(seen.conversation.len(), 1);
    assert!(!format!("{seen:?}").contains("Billing must"));
    // The record says it, on both streams.
    let on = |id| {
        w.store
            .read_stream(&StreamId::Ticket(id), 0)
            .unwrap()
            .into_iter()
            .filter_map(|r| match r.event {
                fanatical::event::Event::Ticket(e) => Some(e.kind),
                _ => None,
            })
            .collect::<Vec<_>>()
    };
    assert!(
        on(t)
            .iter()
            .any(|k| matches!(k, TicketEventKind::SplitOff { into, entries } if into == &new && entries == &[2, 3]))
    );
    assert!(
        on(new)
            .iter()
            .any(|k| matches!(k, TicketEventKind::SplitFrom { source, .. } if source == &t))
    );
    // A rebuilt desk holds the same.
    let rebuilt = Desk::rebuild(&w.store, DeskConfig::default()).unwrap();
    assert_eq!(rebuilt, w.desk);
}

#[test]
fn an_entry_number_split_off_is_never_used_again() {
    let mut w = World::new();
    let t = four_entries(&mut w);
    let new = w.ids.next_id();
    w.run(split(w.ana, t, new, &[4])).unwrap();
    w.run(Command::reply(t, w.ana, "One more thing.")).unwrap();
    let last = w
        .desk
        .tickets()
        .get(t)
        .unwrap()
        .conversation()
        .last()
        .unwrap()
        .number;
    assert_eq!(last, 5);
}

#[test]
fn a_split_is_refused_with_what_was_wrong_and_writes_nothing() {
    let mut w = World::new();
    let t = four_entries(&mut w);
    let other = w.jane_emails("Another thing");
    let ana = w.ana;
    let new: TicketId = w.ids.next_id();
    w.refused(split(ana, t, new, &[]), TicketError::NoEntriesChosen(t));
    w.refused(
        split(ana, t, new, &[1, 2, 3, 4]),
        TicketError::AllEntriesChosen(t),
    );
    w.refused(
        split(ana, t, new, &[2, 99]),
        TicketError::UnknownEntry {
            ticket: t,
            number: 99,
        },
    );
    w.refused(
        split(ana, t, new, &[2, 3, 2]),
        TicketError::RepeatedEntry {
            ticket: t,
            number: 2,
        },
    );
    w.refused(
        split(ana, t, other, &[2]),
        DeskError::AlreadyExists(StreamId::Ticket(other)),
    );
    w.refused(split(ana, t, t, &[2]), TicketError::SelfReference(t));
    // Only an agent splits.
    w.refused(
        Command::new(
            Actor::integration("setup"),
            TicketAction::Split {
                ticket: t,
                new_ticket: new,
                entries: vec![2],
            },
        ),
        DeskError::NeedsAgent {
            actor: Actor::integration("setup"),
        },
    );
    let closed = w.closed_ticket("Thanks", "Glad to help.");
    w.refused(split(ana, closed, new, &[1]), TicketError::Closed(closed));
}

#[test]
fn an_archived_ticket_cannot_be_split_and_keeps_its_time_logged() {
    let config =
        DeskConfig::default().with_archive(ArchivePolicy::after_closed(Duration::days(1)).unwrap());
    let mut w = World::with_config(config);
    let (ana, bill) = (w.ana, w.bill);
    let t = w.jane_emails("Certificate expired");
    for (agent, minutes) in [(ana, 40), (bill, 5)] {
        w.run(Command::new(
            Actor::Agent(agent),
            TicketAction::Update {
                ticket: t,
                command: TicketCommand::LogTime {
                    agent,
                    duration: Duration::minutes(minutes),
                    note: None,
                },
            },
        ))
        .unwrap();
    }
    for cmd in [
        Command::new(Actor::Agent(ana), TicketAction::assign(t, ana)),
        Command::reply(t, ana, "Renewed."),
        Command::new(
            Actor::Agent(ana),
            TicketAction::set_status(t, Status::Solved),
        ),
        Command::new(
            Actor::Agent(ana),
            TicketAction::set_status(t, Status::Closed),
        ),
    ] {
        w.run(cmd).unwrap();
    }
    w.deliver_all();
    w.now += Duration::days(2);
    let now = w.now;
    w.desk.handle_timeout(&mut w.store, now).unwrap();
    assert!(w.desk.tickets().get(t).is_none(), "archived");
    // The desk no longer holds it: nothing to split.
    let new = w.ids.next_id();
    w.refused(split(ana, t, new, &[1]), DeskError::UnknownTicket(t));
    // Its time is read back with it.
    let view = w.desk.archived_agent_view(&w.store, t).unwrap();
    assert_eq!(view.time.total, Duration::minutes(45));
    assert_eq!(view.time.by_agent.len(), 2);
}

#[test]
fn time_is_totalled_per_ticket_and_per_agent_for_agents_only() {
    let Cast { mut w, .. } = cast();
    let (ana, bill) = (w.ana, w.bill);
    let t = w.jane_emails("Slow site");
    let log = |agent, minutes, note: Option<&str>| {
        Command::new(
            Actor::Agent(agent),
            TicketAction::Update {
                ticket: t,
                command: TicketCommand::LogTime {
                    agent,
                    duration: Duration::minutes(minutes),
                    note: note.map(str::to_owned),
                },
            },
        )
    };
    w.run(log(ana, 30, Some("profiling the database"))).unwrap();
    w.run(log(ana, 15, None)).unwrap();
    w.run(log(bill, 10, Some("  "))).unwrap();
    let view = w.desk.agent_ticket_view(t).unwrap();
    assert_eq!(view.time.total, Duration::minutes(55));
    let by: Vec<_> = view
        .time
        .by_agent
        .iter()
        .map(|a| (a.agent, a.total))
        .collect();
    let mut want = vec![(ana, Duration::minutes(45)), (bill, Duration::minutes(10))];
    want.sort();
    assert_eq!(by, want);
    let entries = w.desk.tickets().get(t).unwrap().time_entries().to_vec();
    assert_eq!(entries[0].note.as_deref(), Some("profiling the database"));
    assert_eq!(entries[2].note, None, "a blank note is none");
    // The customer sees neither time nor followers.
    let seen = serde_json::to_string(&w.desk.customer_ticket_view(t, w.jane).unwrap()).unwrap();
    assert!(!seen.contains("time") && !seen.contains("follower") && !seen.contains("profiling"));
    let agent_seen = serde_json::to_string(&view).unwrap();
    assert!(agent_seen.contains("\"total\":3300"), "{agent_seen}");
}

#[test]
fn time_that_is_not_positive_or_over_a_day_is_refused_and_never_panics() {
    let mut w = World::new();
    let ana = w.ana;
    let t = w.jane_emails("Hello");
    for duration in [
        Duration::zero(),
        Duration::seconds(-5),
        Duration::milliseconds(999),
        Duration::hours(24) + Duration::seconds(1),
        Duration::MAX,
        Duration::MIN,
    ] {
        let cmd = Command::new(
            Actor::Agent(ana),
            TicketAction::Update {
                ticket: t,
                command: TicketCommand::LogTime {
                    agent: ana,
                    duration,
                    note: None,
                },
            },
        );
        let err = w.run(cmd.clone()).unwrap_err();
        assert!(
            matches!(&err, fanatical::Error::Ticket(TicketError::TimeOutOfRange { ticket, range }) if *ticket == t && range.value == duration),
            "{err}"
        );
        w.refused(cmd, err);
    }
    // An agent logs only their own time.
    let bill = w.bill;
    w.refused(
        Command::new(
            Actor::Agent(ana),
            TicketAction::Update {
                ticket: t,
                command: TicketCommand::LogTime {
                    agent: bill,
                    duration: Duration::minutes(5),
                    note: None,
                },
            },
        ),
        DeskError::ActorMismatch {
            actor: Actor::Agent(ana),
            named: Actor::Agent(bill),
        },
    );
    // A full day is the most.
    w.run(Command::new(
        Actor::Agent(ana),
        TicketAction::Update {
            ticket: t,
            command: TicketCommand::LogTime {
                agent: ana,
                duration: Duration::hours(24),
                note: None,
            },
        },
    ))
    .unwrap();
}

#[test]
fn ccs_followers_time_and_splits_survive_a_snapshot() {
    let Cast { mut w, bob, .. } = cast();
    let (ana, bill) = (w.ana, w.bill);
    let t = four_entries(&mut w);
    w.run(update(t, TicketCommand::AddCc { contact: bob }))
        .unwrap();
    w.run(update(t, TicketCommand::AddFollower { agent: bill }))
        .unwrap();
    w.run(Command::new(
        Actor::Agent(ana),
        TicketAction::Update {
            ticket: t,
            command: TicketCommand::LogTime {
                agent: ana,
                duration: Duration::minutes(20),
                note: Some("triage".into()),
            },
        },
    ))
    .unwrap();
    let new = w.ids.next_id();
    w.run(split(ana, t, new, &[2])).unwrap();
    let restored = Desk::restore(DeskConfig::default(), w.desk.snapshot()).unwrap();
    assert_eq!(restored, w.desk);
    let r = restored.tickets().get(t).unwrap();
    assert!(r.ccs().contains(&bob) && r.followers().contains(&bill));
    assert_eq!(r.time_total(), Duration::minutes(20));
    assert_eq!(r.links().split_into, BTreeSet::from([new]));
    // And through the snapshot's serialized form.
    let json = serde_json::to_string(&w.desk.snapshot()).unwrap();
    let back = Desk::restore(DeskConfig::default(), serde_json::from_str(&json).unwrap()).unwrap();
    assert_eq!(back, w.desk);
}

#[test]
fn the_requester_of_a_split_ticket_erased_with_messages_leaves_nothing_of_what_moved() {
    let mut w = World::new();
    let t = four_entries(&mut w);
    let new = w.ids.next_id();
    w.run(split(w.ana, t, new, &[2])).unwrap();
    w.run(Command::new(
        Actor::integration("privacy"),
        CustomerAction::EraseContact {
            customer: w.acme,
            contact: w.jane,
            scope: ErasureScope::ProfileAndMessages,
        },
    ))
    .unwrap();
    let all = format!("{:?}", w.store.read_all(0, usize::MAX).unwrap());
    assert!(!all.contains("charged twice"), "erased in the record");
    let in_memory = format!("{:?}", w.desk.tickets().get(new).unwrap());
    assert!(!in_memory.contains("charged twice"));
}

/// A ticket of `n` entries, public and internal in turn.
fn model_ticket(n: u32) -> Ticket {
    use chrono::TimeZone;
    use fanatical::ticket::{OpenTicket, TicketRules};
    let now = chrono::Utc.with_ymd_and_hms(2026, 5, 4, 2, 0, 0).unwrap();
    let id = |k| uuid::Uuid::from_u128(k);
    let jane = ContactId::from_uuid(id(2));
    let agent = fanatical::id::AgentId::from_uuid(id(3));
    let open = OpenTicket::new(
        TicketId::from_uuid(id(1)),
        fanatical::id::CustomerId::from_uuid(id(4)),
        "Subject",
        Channel::Email,
    )
    .requested_by(jane);
    let mut t =
        Ticket::from_events(&Ticket::open(open, &TicketRules::default(), now).unwrap()).unwrap();
    for k in 0..n {
        let command = if k % 2 == 0 {
            TicketCommand::Reply {
                author: Author::Contact(jane),
                channel: Channel::Email,
                body: format!("message {k}"),
                attachments: vec![],
            }
        } else {
            TicketCommand::Note {
                agent,
                body: format!("note {k}"),
                attachments: vec![],
            }
        };
        for e in t.handle(command, now).unwrap() {
            t.apply(&e);
        }
    }
    t
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(crate::cases(64)))]

    /// A split keeps every entry exactly once across the two tickets, with
    /// its text and visibility, and is refused when it takes none or all.
    #[test]
    fn a_split_preserves_the_multiset_of_entries(n in 1u32..12, mask in any::<u16>()) {
        let t = model_ticket(n);
        let chosen: Vec<u32> = (1..=n).filter(|k| mask & (1 << (k - 1)) != 0).collect();
        let new = TicketId::from_uuid(uuid::Uuid::from_u128(99));
        let result = t.split_off(new, &chosen, t.updated_at());
        if chosen.is_empty() {
            prop_assert_eq!(result, Err(TicketError::NoEntriesChosen(t.id())));
            return Ok(());
        }
        if chosen.len() == t.conversation().len() {
            prop_assert_eq!(result, Err(TicketError::AllEntriesChosen(t.id())));
            return Ok(());
        }
        let split = result.unwrap();
        let mut source = t.clone();
        for e in &split.source {
            source.apply(e);
        }
        let moved = Ticket::from_events(&split.new).unwrap();
        let key = |e: &fanatical::ticket::Entry| (e.body.clone(), e.visibility, e.author);
        let mut before: Vec<_> = t.conversation().iter().map(key).collect();
        let mut after: Vec<_> = source.conversation().iter().chain(moved.conversation()).map(key).collect();
        before.sort_by(|a, b| a.0.cmp(&b.0));
        after.sort_by(|a, b| a.0.cmp(&b.0));
        prop_assert_eq!(before, after);
        let left: Vec<u32> = source.conversation().iter().map(|e| e.number).collect();
        prop_assert!(left.iter().all(|k| !chosen.contains(k)));
        let origins: Vec<u32> = moved.conversation().iter().map(|e| e.origin.unwrap().number).collect();
        prop_assert_eq!(origins, chosen);
        prop_assert_eq!(moved.links().split_from, Some(t.id()));
    }
}

#[test]
fn a_cc_erased_with_messages_leaves_nothing_of_what_they_wrote_that_was_split_off() {
    let Cast {
        mut w,
        bob,
        bob_chat,
        ..
    } = cast();
    let t = w.jane_emails("Site down");
    w.run(update(t, TicketCommand::AddCc { contact: bob }))
        .unwrap();
    let from_bob = InboundMessage::new(
        w.ids.next_id(),
        Channel::Chat,
        bob_chat,
        "Bob here: my mailbox is broken too.",
    )
    .in_reply_to(t);
    w.run(Command::new(
        Actor::integration("inbound"),
        TicketAction::Receive(from_bob),
    ))
    .unwrap();
    let new = w.ids.next_id();
    w.run(split(w.ana, t, new, &[2])).unwrap();
    w.run(Command::new(
        Actor::integration("privacy"),
        CustomerAction::EraseContact {
            customer: w.acme,
            contact: bob,
            scope: ErasureScope::ProfileAndMessages,
        },
    ))
    .unwrap();
    // Neither the ticket it moved to nor the one it was first written on
    // keeps it.
    let all = format!("{:?}", w.store.read_all(0, usize::MAX).unwrap());
    assert!(!all.contains("mailbox is broken"), "erased in the record");
    let in_memory = format!("{:?}", w.desk.tickets().iter().collect::<Vec<_>>());
    assert!(!in_memory.contains("mailbox is broken"), "erased in memory");
    let rebuilt = Desk::rebuild(&w.store, DeskConfig::default()).unwrap();
    assert_eq!(rebuilt, w.desk);
}

/// CCs and followers added and removed, time logged, a split (issue 18,
/// item 5): the golden files' tour of the new event kinds.
pub(crate) fn golden_tour() -> Vec<fanatical::store::RecordedEvent> {
    let mut w = World::new();
    let (ana, bill, acme) = (w.ana, w.bill, w.acme);
    let carol = w.ids.next_id();
    w.run(Command::new(
        Actor::integration("setup"),
        CustomerAction::Update {
            customer: acme,
            command: CustomerCommand::AddContact {
                contact: carol,
                name: "Carol".into(),
                addresses: vec![ChannelAddress::email("carol@acme.example").unwrap()],
            },
        },
    ))
    .unwrap();
    let t = w.jane_emails("Site down, invoice wrong");
    let skip = w.store.read_all(0, usize::MAX).unwrap().len();
    let ticket = |command| {
        Command::new(
            Actor::integration("setup"),
            TicketAction::Update { ticket: t, command },
        )
    };
    for c in [
        TicketCommand::AddCc { contact: carol },
        TicketCommand::RemoveCc { contact: carol },
        TicketCommand::AddFollower { agent: bill },
        TicketCommand::RemoveFollower { agent: bill },
    ] {
        w.run(ticket(c)).unwrap();
    }
    w.run(Command::new(
        Actor::Agent(ana),
        TicketAction::Update {
            ticket: t,
            command: TicketCommand::LogTime {
                agent: ana,
                duration: Duration::minutes(25),
                note: Some("read the logs".into()),
            },
        },
    ))
    .unwrap();
    w.run(Command::note(t, ana, "The invoice is billing's."))
        .unwrap();
    let new = w.ids.next_id();
    w.run(Command::new(
        Actor::Agent(ana),
        TicketAction::Split {
            ticket: t,
            new_ticket: new,
            entries: vec![2],
        },
    ))
    .unwrap();
    w.store.read_all(0, usize::MAX).unwrap().split_off(skip)
}

#[test]
fn an_incidents_solving_message_reaches_the_ccs_of_each_linked_ticket() {
    use fanatical::desk::IncidentAction;
    use fanatical::incident::{IncidentStatus, Messages};
    let mut o = crate::incidents::outage_world(crate::incidents::config());
    let (boss, olga) = (o.boss, o.olga);
    let id = o.w.ids.next_id();
    crate::incidents::declare(&mut o, id);
    let t = o.w.jane_emails("Is DFW1 down?");
    o.w.run(update(t, TicketCommand::AddCc { contact: olga }))
        .unwrap();
    o.w.run(Command::new(
        Actor::integration("setup"),
        IncidentAction::LinkTickets {
            incident: id,
            tickets: vec![t],
        },
    ))
    .unwrap();
    o.w.run(Command::new(
        Actor::Agent(boss),
        IncidentAction::Update {
            incident: id,
            status: IncidentStatus::Resolved,
            components: std::collections::BTreeMap::new(),
            messages: Messages::default(),
            spokesperson: None,
            solve_linked: Some("The DFW1 outage is over.".into()),
        },
    ))
    .unwrap();
    let solved: BTreeSet<_> = to_contacts(&o.w, t)
        .into_iter()
        .filter(|m| m.3.contains("outage is over"))
        .map(|m| m.0)
        .collect();
    assert_eq!(solved, BTreeSet::from([o.w.jane, olga]));
}

#[test]
fn a_crisis_ticket_copies_no_one_and_only_a_safety_responder_splits_it_into_another_crisis() {
    use fanatical::agent::Role;
    use fanatical::crisis::{CrisisError, CrisisSignal};
    use fanatical::desk::PeopleAction;
    let Cast { mut w, bob, .. } = cast();
    let sam = w.ids.next_id();
    w.run(Command::new(
        Actor::integration("setup"),
        PeopleAction::RegisterAgent {
            id: sam,
            name: "Sam".into(),
            time_zone: chrono_tz::America::Chicago,
            roles: vec![Role::SafetyResponder],
            skills: vec![],
        },
    ))
    .unwrap();
    let t = four_entries(&mut w);
    w.run(update(t, TicketCommand::AddCc { contact: bob }))
        .unwrap();
    w.run(Command::new(
        Actor::integration("classifier"),
        TicketAction::FlagCrisis {
            ticket: t,
            signal: CrisisSignal {
                reason: "the words of someone at risk".into(),
                matched: None,
            },
        },
    ))
    .unwrap();
    w.run(Command::reply(t, sam, "We are here for you."))
        .unwrap();
    let to: Vec<_> = to_contacts(&w, t)
        .into_iter()
        .filter(|m| m.3 == "We are here for you.")
        .map(|m| m.0)
        .collect();
    assert_eq!(to, [w.jane], "a crisis reply is for the requester alone");

    let ana = w.ana;
    let new = w.ids.next_id();
    w.refused(
        split(ana, t, new, &[2]),
        CrisisError::SplitRestricted {
            agent: ana,
            ticket: t,
        },
    );
    w.run(split(sam, t, new, &[2])).unwrap();
    assert!(w.desk.tickets().is_crisis(new), "the words went with it");
    let seen = w.desk.agent_ticket_view(new).unwrap();
    assert!(
        seen.conversation
            .iter()
            .all(|e| !e.body.contains("invoice"))
    );
}

/// A note quoting the requester's survey comment, split off: erasing her
/// erases it where it is now and where it was first written.
#[test]
fn a_note_quoting_an_erased_comment_is_erased_on_both_sides_of_a_split() {
    use fanatical::desk::SurveyAction;
    use fanatical::survey::{
        Answer, Question, QuestionKind, Rating, Response, SurveyConfig, SurveyDraft,
    };
    const COMMENT: &str = "Quillon the hamster approves";
    let csat = SurveyDraft::new("after-ticket")
        .question(Question::new("rating", "How did we do?", QuestionKind::scale()).required())
        .question(Question::new("why", "Why?", QuestionKind::Comment))
        .validate()
        .unwrap();
    let config = DeskConfig::default().with_surveys(
        SurveyConfig::default()
            .with_survey(csat)
            .csat_on_solve("after-ticket"),
    );
    let mut w = World::with_config(config);
    let ana = w.ana;
    let t = w.jane_emails("Broken");
    for cmd in [
        Command::new(Actor::Agent(ana), TicketAction::assign(t, ana)),
        Command::reply(t, ana, "Fixed."),
        Command::new(
            Actor::Agent(ana),
            TicketAction::set_status(t, Status::Solved),
        ),
    ] {
        w.run(cmd).unwrap();
    }
    let invitation = w
        .desk
        .surveys()
        .invitations()
        .find(|i| i.invitation.ticket == Some(t))
        .unwrap()
        .invitation
        .id;
    w.run(Command::new(
        Actor::Contact(w.jane),
        SurveyAction::Answer {
            invitation,
            response: Response::new()
                .answer("rating", Answer::Scale(Rating::Excellent))
                .answer("why", Answer::Comment(COMMENT.into())),
        },
    ))
    .unwrap();
    w.run(Command::note(t, ana, &format!("Lovely: \"{COMMENT}\"")))
        .unwrap();
    let new = w.ids.next_id();
    w.run(split(ana, t, new, &[3])).unwrap();
    w.run(Command::new(
        Actor::integration("privacy"),
        CustomerAction::EraseContact {
            customer: w.acme,
            contact: w.jane,
            scope: ErasureScope::ProfileAndMessages,
        },
    ))
    .unwrap();
    let all = format!("{:?}", w.store.read_all(0, usize::MAX).unwrap());
    assert!(!all.contains(COMMENT), "erased in the record");
    let in_memory = format!("{:?}", w.desk.tickets().iter().collect::<Vec<_>>());
    assert!(!in_memory.contains(COMMENT), "erased in memory");
    let rebuilt = Desk::rebuild(&w.store, w.desk.config().clone()).unwrap();
    assert_eq!(rebuilt, w.desk);
}

/// Erasing the requester with what she was sent erases the copies of
/// those replies to the ticket's CCs too, as the ticket's record loses
/// them; the CCs' own messages on other tickets stay.
#[test]
fn the_requesters_erasure_erases_the_copies_her_ccs_were_sent() {
    let Cast { mut w, bob, .. } = cast();
    let t = w.jane_emails("Locked out");
    w.run(update(t, TicketCommand::AddCc { contact: bob }))
        .unwrap();
    w.run(Command::reply(t, w.ana, "Your reset code is 7431."))
        .unwrap();
    assert!(
        to_contacts(&w, t)
            .iter()
            .any(|m| m.0 == bob && m.3.contains("7431"))
    );
    w.run(Command::new(
        Actor::integration("privacy"),
        CustomerAction::EraseContact {
            customer: w.acme,
            contact: w.jane,
            scope: ErasureScope::ProfileAndMessages,
        },
    ))
    .unwrap();
    let all = format!("{:?}", w.store.read_all(0, usize::MAX).unwrap());
    assert!(!all.contains("7431"), "erased in the record");
    let outbox = format!("{:?}", w.desk.channels().outbox().collect::<Vec<_>>());
    assert!(!outbox.contains("7431"), "erased in memory");
    let rebuilt = Desk::rebuild(&w.store, DeskConfig::default()).unwrap();
    assert_eq!(rebuilt, w.desk);
}

#[test]
fn a_persons_export_shows_their_own_tickets_ccs_and_never_whom_another_copied() {
    let Cast {
        mut w,
        bob,
        carol,
        bob_chat,
        ..
    } = cast();
    let t = w.jane_emails("Site down");
    for contact in [bob, carol] {
        w.run(update(t, TicketCommand::AddCc { contact })).unwrap();
    }
    let from_bob =
        InboundMessage::new(w.ids.next_id(), Channel::Chat, bob_chat, "Same here.").in_reply_to(t);
    w.run(Command::new(
        Actor::integration("inbound"),
        TicketAction::Receive(from_bob),
    ))
    .unwrap();
    let janes = w.desk.customers().export(w.jane).unwrap();
    assert_eq!(janes.tickets[0].ccs, BTreeSet::from([bob, carol]));
    let bobs = w.desk.customers().export(bob).unwrap();
    assert_eq!(bobs.tickets.len(), 1, "he wrote on it");
    assert!(
        bobs.tickets[0].ccs.is_empty(),
        "not his to see whom she copied"
    );
    w.run(Command::new(
        Actor::integration("privacy"),
        CustomerAction::EraseContact {
            customer: w.acme,
            contact: carol,
            scope: ErasureScope::Profile,
        },
    ))
    .unwrap();
    let janes = w.desk.customers().export(w.jane).unwrap();
    assert_eq!(janes.tickets[0].ccs, BTreeSet::from([bob]));
}

/// One step of the conversation property.
#[derive(Debug, Clone)]
enum Step {
    Email(String),
    AgentReply(usize, String),
    Note(usize, String),
    Cc(usize, u8, bool),
    Split(usize, u16),
    LogTime(usize, i64),
    Solve(usize),
    Deliver,
}

fn arb_step() -> impl Strategy<Value = Step> {
    let body = "[a-z]{1,6}( [a-z]{1,6}){0,2}";
    prop_oneof![
        2 => body.prop_map(Step::Email),
        3 => (any::<usize>(), body).prop_map(|(i, b)| Step::AgentReply(i, b)),
        2 => (any::<usize>(), body).prop_map(|(i, b)| Step::Note(i, b)),
        2 => (any::<usize>(), any::<u8>(), any::<bool>()).prop_map(|(i, c, add)| Step::Cc(i, c, add)),
        2 => (any::<usize>(), any::<u16>()).prop_map(|(i, m)| Step::Split(i, m)),
        1 => (any::<usize>(), -i64::MAX..=i64::MAX).prop_map(|(i, ms)| Step::LogTime(i, ms)),
        1 => any::<usize>().prop_map(Step::Solve),
        1 => Just(Step::Deliver),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(crate::cases(48)))]

    /// Over any conversation with CCs, splits and time: a refused command
    /// changes nothing; every message to a contact goes to one of the
    /// ticket customer's contacts who is its requester or a CC, at one of
    /// their own addresses; no note's words reach a contact; numbers on a
    /// ticket only grow; and the store rebuilds the desk.
    #[test]
    fn conversations_keep_their_invariants(steps in proptest::collection::vec(arb_step(), 1..40)) {
        let Cast { mut w, bob, carol, .. } = cast();
        let (ana, jane, tom) = (w.ana, w.jane, w.tom);
        let contacts = [bob, carol, jane, tom];
        let mut tickets: Vec<TicketId> = Vec::new();
        let mut notes: Vec<String> = Vec::new();
        let pick = |ts: &[TicketId], i: usize| (!ts.is_empty()).then(|| ts[i % ts.len()]);
        for step in steps {
            let cmd = match step {
                Step::Email(b) => {
                    let id: TicketId = w.ids.next_id();
                    tickets.push(id);
                    Command::new(
                        Actor::integration("inbound"),
                        TicketAction::Receive(InboundMessage::new(id, Channel::Email, w.jane_email.clone(), &b)),
                    )
                }
                Step::AgentReply(i, b) => {
                    let Some(t) = pick(&tickets, i) else { continue };
                    Command::reply(t, ana, &format!("reply {b}"))
                }
                Step::Note(i, b) => {
                    let Some(t) = pick(&tickets, i) else { continue };
                    let body = format!("secretnote{} {b}", notes.len());
                    notes.push(format!("secretnote{} ", notes.len()));
                    Command::note(t, ana, &body)
                }
                Step::Cc(i, c, add) => {
                    let Some(t) = pick(&tickets, i) else { continue };
                    let contact = contacts[usize::from(c) % contacts.len()];
                    let command = if add { TicketCommand::AddCc { contact } } else { TicketCommand::RemoveCc { contact } };
                    update(t, command)
                }
                Step::Split(i, mask) => {
                    let Some(t) = pick(&tickets, i) else { continue };
                    let Some(ticket) = w.desk.tickets().get(t) else { continue };
                    let entries: Vec<u32> = ticket
                        .conversation()
                        .iter()
                        .enumerate()
                        .filter(|(k, _)| mask & (1 << (k % 16)) != 0)
                        .map(|(_, e)| e.number)
                        .collect();
                    let new: TicketId = w.ids.next_id();
                    tickets.push(new);
                    split(ana, t, new, &entries)
                }
                Step::LogTime(i, ms) => {
                    let Some(t) = pick(&tickets, i) else { continue };
                    Command::new(Actor::Agent(ana), TicketAction::Update {
                        ticket: t,
                        command: TicketCommand::LogTime { agent: ana, duration: Duration::milliseconds(ms), note: None },
                    })
                }
                Step::Solve(i) => {
                    let Some(t) = pick(&tickets, i) else { continue };
                    w.run(Command::new(Actor::Agent(ana), TicketAction::assign(t, ana))).ok();
                    Command::new(Actor::Agent(ana), TicketAction::set_status(t, Status::Solved))
                }
                Step::Deliver => {
                    w.deliver_all();
                    continue;
                }
            };
            let before = (w.desk.clone(), w.store.clone());
            let numbers_before: Vec<(TicketId, Option<u32>)> = w
                .desk
                .tickets()
                .iter()
                .map(|t| (t.id(), t.conversation().last().map(|e| e.number)))
                .collect();
            match w.run(cmd) {
                Err(e) => {
                    prop_assert_eq!(e.kind(), fanatical::error::ErrorKind::Refused, "{}", e);
                    prop_assert!(w.desk == before.0 && w.store == before.1, "a refusal changed something");
                }
                Ok(stored) => {
                    for r in &stored {
                        let fanatical::event::Event::Outbox(e) = &r.event else { continue };
                        let fanatical::outbox::OutboxEventKind::Queued { message } = &e.kind else { continue };
                        let Recipient::Contact { contact, address } = &message.recipient else { continue };
                        let t = w.desk.tickets().get(message.ticket.unwrap()).unwrap();
                        let c = w.desk.customers().get(t.customer()).unwrap();
                        prop_assert!(c.contact(*contact).unwrap().addresses().contains(address));
                        prop_assert!(t.requester() == Some(*contact) || t.ccs().contains(contact));
                        prop_assert!(notes.iter().all(|n| !message.body.contains(n.as_str())), "a note reached a contact");
                    }
                }
            }
            for (id, last) in numbers_before {
                let Some(t) = w.desk.tickets().get(id) else { continue };
                let numbers: Vec<u32> = t.conversation().iter().map(|e| e.number).collect();
                prop_assert!(numbers.windows(2).all(|p| p[0] < p[1]), "{:?}", numbers);
                // A new entry takes a number after every one the ticket had.
                if let (Some(now_last), Some(last)) = (numbers.last(), last) {
                    prop_assert!(*now_last >= last || !t.links().split_into.is_empty());
                }
            }
        }
        let rebuilt = Desk::rebuild(&w.store, DeskConfig::default()).unwrap();
        prop_assert_eq!(&rebuilt, &w.desk);
    }
}
