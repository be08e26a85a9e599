//! Invariants of the ticket state machine and the desk over random command
//! sequences.

use std::collections::BTreeMap;

use fanatical::actor::{Actor, CommandKey};
use fanatical::arbitrary::{arb_attachment, arb_channel, arb_status, arb_ticket};
use fanatical::desk::TicketAction;
use fanatical::desk::{Command, Desk, DeskConfig, DeskError, InboundMessage};
use fanatical::event::Event;
use fanatical::id::TicketId;
use fanatical::outbox::OutboxAction;
use fanatical::outbox::{OutboxEventKind, Recipient};
use fanatical::store::Store;
use fanatical::ticket::{Author, Status, StatusCause, Tag, Ticket, TicketEventKind};
use proptest::prelude::*;

use crate::support::World;

#[derive(Debug, Clone)]
enum Op {
    Email(String),
    CustomerReply(usize, String),
    AgentReply(usize, String, Vec<fanatical::ticket::Attachment>),
    ReplyOn(usize, fanatical::channel::Channel, String),
    Note(usize, String),
    SetStatus(usize, Status),
    Assign(usize, bool),
    Tag(usize, String),
    Merge(usize, usize),
    Deliver,
    Fail,
    Tick(i64),
}

fn arb_op() -> impl Strategy<Value = Op> {
    let body = "[a-z ]{0,12}";
    prop_oneof![
        3 => body.prop_map(Op::Email),
        2 => (any::<usize>(), body).prop_map(|(i, b)| Op::CustomerReply(i, b)),
        3 => (any::<usize>(), body, proptest::collection::vec(arb_attachment(), 0..2))
            .prop_map(|(i, b, a)| Op::AgentReply(i, b, a)),
        1 => (any::<usize>(), arb_channel(), body).prop_map(|(i, c, b)| Op::ReplyOn(i, c, b)),
        2 => (any::<usize>(), body).prop_map(|(i, b)| Op::Note(i, b)),
        4 => (any::<usize>(), arb_status()).prop_map(|(i, s)| Op::SetStatus(i, s)),
        2 => (any::<usize>(), any::<bool>()).prop_map(|(i, b)| Op::Assign(i, b)),
        1 => (any::<usize>(), "[a-z]{1,6}").prop_map(|(i, t)| Op::Tag(i, t)),
        1 => (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Op::Merge(a, b)),
        2 => Just(Op::Deliver),
        1 => Just(Op::Fail),
        2 => (1i64..600).prop_map(Op::Tick),
    ]
}

fn pick(tickets: &[TicketId], i: usize) -> Option<TicketId> {
    if tickets.is_empty() {
        None
    } else {
        tickets.get(i % tickets.len()).copied()
    }
}

fn to_command(w: &mut World, tickets: &mut Vec<TicketId>, op: Op) -> Option<Command> {
    let (ana, jane) = (w.ana, w.jane);
    Some(match op {
        Op::Email(body) => {
            let id: TicketId = w.ids.next_id();
            tickets.push(id);
            Command::new(
                Actor::integration("inbound"),
                TicketAction::Receive(InboundMessage::new(
                    id,
                    fanatical::channel::Channel::Email,
                    w.jane_email.clone(),
                    &body,
                )),
            )
        }
        Op::CustomerReply(i, b) => Command::reply_on(
            pick(tickets, i)?,
            Author::Contact(jane),
            fanatical::channel::Channel::Email,
            &b,
            vec![],
        ),
        Op::AgentReply(i, b, a) => Command::new(
            Actor::Agent(ana),
            TicketAction::Reply {
                ticket: pick(tickets, i)?,
                body: b,
                attachments: a,
            },
        ),
        Op::ReplyOn(i, c, b) => {
            Command::reply_on(pick(tickets, i)?, Author::Agent(ana), c, &b, vec![])
        }
        Op::Note(i, b) => Command::note(pick(tickets, i)?, ana, &b),
        Op::SetStatus(i, s) => Command::new(
            Actor::integration("setup"),
            TicketAction::set_status(pick(tickets, i)?, s),
        ),
        Op::Assign(i, some) => Command::new(
            Actor::integration("setup"),
            TicketAction::Update {
                ticket: pick(tickets, i)?,
                command: fanatical::ticket::TicketCommand::Assign(some.then_some(ana)),
            },
        ),
        Op::Tag(i, t) => Command::new(
            Actor::integration("setup"),
            TicketAction::tag(pick(tickets, i)?, Tag::new(&t).ok()?),
        ),
        Op::Merge(a, b) => Command::new(
            Actor::Agent(ana),
            TicketAction::Merge {
                source: pick(tickets, a)?,
                target: pick(tickets, b)?,
            },
        ),
        Op::Deliver => {
            let m = w.desk.poll_outbound(w.now)?;
            Command::new(
                Actor::integration("transport"),
                OutboxAction::MarkDelivered { message: m.id },
            )
        }
        Op::Fail => {
            let m = w.desk.poll_outbound(w.now)?;
            Command::new(
                Actor::integration("transport"),
                OutboxAction::MarkFailed {
                    message: m.id,
                    reason: "down".into(),
                },
            )
        }
        Op::Tick(m) => {
            w.tick(m);
            return None;
        }
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(crate::cases(64)))]

    /// Over any sequence of commands: a command fails only as a refusal,
    /// and a refused command changes nothing, in the desk or the store;
    /// closed tickets never change; every status change is a legal
    /// transition; conversations number 1, 2, 3...; queued messages go to
    /// the ticket customer's own contacts; and the store rebuilds the desk.
    #[test]
    fn desk_invariants_hold_for_any_command_sequence(ops in proptest::collection::vec(arb_op(), 1..60)) {
        let mut w = World::new();
        let mut tickets = Vec::new();
        let mut closed: BTreeMap<TicketId, Ticket> = BTreeMap::new();
        for op in ops {
            let Some(cmd) = to_command(&mut w, &mut tickets, op) else { continue };
            let desk_before = w.desk.clone();
            let store_before = w.store.clone();
            match w.run(cmd) {
                Err(e) => {
                    prop_assert_eq!(e.kind(), fanatical::error::ErrorKind::Refused, "{}", e);
                    prop_assert_eq!(&w.desk, &desk_before);
                    prop_assert_eq!(&w.store, &store_before);
                }
                Ok(stored) => {
                    for r in &stored {
                        match &r.event {
                            Event::Ticket(e) => {
                                if let TicketEventKind::StatusChanged { from, to, cause } = e.kind {
                                    if cause == StatusCause::Merged {
                                        // A merge closes the merged ticket from any open status.
                                        prop_assert!(from != Status::Closed && to == Status::Closed);
                                    } else {
                                        prop_assert!(from.can_become(to), "{from} -> {to}");
                                    }
                                }
                            }
                            Event::Outbox(e) => {
                                if let OutboxEventKind::Queued { message } = &e.kind {
                                    let t = w.desk.tickets().get(message.ticket.unwrap()).unwrap();
                                    let c = w.desk.customers().get(t.customer()).unwrap();
                                    let Recipient::Contact { contact, address } = &message.recipient else {
                                        return Err(TestCaseError::fail("reply to a non-contact"));
                                    };
                                    prop_assert!(c.contact(*contact).unwrap().addresses().contains(address));
                                    prop_assert!(address.reaches(&message.channel));
                                }
                            }
                            _ => {}
                        }
                    }
                }
            }
            for (id, t) in &closed {
                prop_assert_eq!(w.desk.tickets().get(*id).unwrap(), t, "a closed ticket changed");
            }
            for t in w.desk.tickets().iter() {
                if t.status() == Status::Closed {
                    closed.entry(t.id()).or_insert_with(|| t.clone());
                }
                let numbers: Vec<u32> = t.conversation().iter().map(|e| e.number).collect();
                let want: Vec<u32> = (1..=numbers.len() as u32).collect();
                prop_assert_eq!(numbers, want);
            }
        }
        let rebuilt = Desk::rebuild(&w.store, DeskConfig::default()).unwrap();
        prop_assert_eq!(&rebuilt, &w.desk);
        prop_assert_eq!(rebuilt.position(), w.store.read_all(0, usize::MAX).unwrap().len() as u64);
    }

    /// Over any sequence of commands, each sent with its own idempotency
    /// key: sending every one of them again (a caller that lost every
    /// acknowledgement) returns what each first recorded and writes
    /// nothing, on the same desk and on one rebuilt from the store; and
    /// a key sent with another command is refused, writing nothing.
    #[test]
    fn a_keyed_command_counts_once_whatever_came_before(ops in proptest::collection::vec(arb_op(), 1..40)) {
        let mut w = World::new();
        let mut tickets = Vec::new();
        let mut sent = Vec::new();
        for (i, op) in ops.into_iter().enumerate() {
            let Some(cmd) = to_command(&mut w, &mut tickets, op) else { continue };
            let cmd = cmd.with_key(CommandKey::new(&format!("op-{i}")).unwrap());
            if let Ok(stored) = w.run(cmd.clone()) {
                sent.push((cmd, stored));
            }
        }
        let store = w.store.clone();
        let desk = w.desk.clone();
        let mut rebuilt = Desk::rebuild(&w.store, DeskConfig::default()).unwrap();
        for (cmd, first) in &sent {
            prop_assert_eq!(&w.run(cmd.clone()).unwrap(), first);
            prop_assert_eq!(&rebuilt.execute(&mut w.store, cmd.clone(), w.now).unwrap(), first);
        }
        prop_assert_eq!(&w.store, &store, "a repeat wrote");
        prop_assert_eq!(&w.desk, &desk, "a repeat changed the desk");
        prop_assert_eq!(&rebuilt, &desk);
        // The same key with another command: refused, nothing written.
        if let Some((cmd, first)) = sent.iter().find(|(_, first)| !first.is_empty()) {
            let mut other = Command::reply(
                TicketId::from_uuid(uuid::Uuid::from_u128(u128::MAX)),
                w.ana,
                "a different command",
            );
            other.key = cmd.key.clone();
            let key = cmd.key.clone().unwrap();
            prop_assert_eq!(w.run(other), Err(DeskError::KeyReused { key }.into()));
            prop_assert_eq!(&w.store, &store);
            prop_assert!(!first.is_empty());
        }
    }

    /// Any ticket survives a JSON round trip unchanged.
    #[test]
    fn tickets_round_trip_through_json(ticket in arb_ticket()) {
        let json = serde_json::to_string(&ticket).unwrap();
        let back: Ticket = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(back, ticket);
    }

    /// The transition table is closed under its own rules: from any
    /// reachable status, the allowed next statuses never include `new`,
    /// and `closed` is final.
    #[test]
    fn transitions_never_return_to_new_or_leave_closed(from in arb_status(), to in arb_status()) {
        if from.can_become(to) {
            prop_assert_ne!(to, Status::New);
            prop_assert_ne!(from, Status::Closed);
            prop_assert_ne!(from, to);
        }
    }
}
