//! The command envelope: who did it is recorded on every event, actors are
//! checked before anything is decided, and a command with an idempotency
//! key counts once — after a lost acknowledgement, after a rebuild, and on
//! a second desk sharing the store.

use fanatical::actor::{Actor, ActorError, Cause, CommandKey, TimerKind};
use fanatical::agent::AgentCommand;
use fanatical::desk::{Command, Desk, DeskError, PeopleAction, TicketAction};
use fanatical::event::Event;
use fanatical::id::{ContactId, TicketId};
use fanatical::outbox::OutboxAction;
use fanatical::sla::{Clock, Conditions, Metric, SlaConfig, SlaPolicies, SlaPolicy, Target};
use fanatical::store::{Store, StoreError};
use fanatical::ticket::{Author, Priority, Status, Tag, TicketCommand, TicketEventKind};

use std::sync::{Arc, Barrier, Mutex};

use crate::support::World;

fn key(k: &str) -> CommandKey {
    CommandKey::new(k).unwrap()
}

fn update(ticket: TicketId, command: TicketCommand) -> TicketAction {
    TicketAction::Update { ticket, command }
}

#[test]
fn every_event_records_who_did_it_and_the_command_key() {
    let mut w = World::new();
    let t = w.jane_emails("Site down");
    let (ana, team) = (w.ana, w.team);
    let changes = [
        TicketCommand::SetStatus(Status::Open),
        TicketCommand::SetPriority(Priority::Urgent),
        TicketCommand::Assign(Some(ana)),
        TicketCommand::SetTeam(Some(team)),
        TicketCommand::AddTag(Tag::new("outage").unwrap()),
    ];
    for (i, change) in changes.into_iter().enumerate() {
        let k = key(&format!("change-{i}"));
        let stored = w
            .run(Command::new(Actor::Agent(ana), update(t, change)).with_key(k.clone()))
            .unwrap();
        // The acceptance, then the change itself.
        assert!(stored.len() >= 2, "{stored:?}");
        for r in &stored {
            assert_eq!(r.actor, Some(Actor::Agent(ana)), "{r:?}");
            assert_eq!(r.command.as_ref(), Some(&k), "{r:?}");
        }
        assert!(matches!(stored[0].event, Event::Command(_)));
        assert!(stored[1..].iter().any(|r| matches!(
            &r.event,
            Event::Ticket(e) if !matches!(e.kind, TicketEventKind::EntryAdded { .. })
        )));
    }
    // Without a key, the actor is still there.
    let stored = w.run(Command::reply(t, ana, "On it.")).unwrap();
    assert!(
        stored
            .iter()
            .all(|r| r.actor == Some(Actor::Agent(ana)) && r.command.is_none())
    );
    // And every event ever recorded has one.
    let all = w.store.read_all(0, usize::MAX).unwrap();
    assert!(all.iter().all(|r| r.actor.is_some()));
}

#[test]
fn what_a_timer_does_is_recorded_as_the_desk_for_that_timer() {
    let hour = Target::new(
        Metric::FirstResponse,
        chrono::Duration::hours(1),
        Clock::Always,
    );
    let policies = SlaPolicies::new(vec![SlaPolicy::new(
        "standard",
        Conditions::any(),
        vec![hour],
    )])
    .unwrap();
    let mut w = World::with_config(
        fanatical::desk::DeskConfig::default().with_sla(SlaConfig::new(policies)),
    );
    w.jane_emails("Help");
    let due = w.desk.poll_timeout().unwrap();
    let fired = w.desk.handle_timeout(&mut w.store, due).unwrap();
    assert!(!fired.is_empty());
    for r in &fired {
        assert_eq!(r.actor, Some(Actor::System(Cause::Timer(TimerKind::Sla))));
        assert_eq!(r.command, None);
    }
}

#[test]
fn a_repeated_key_returns_the_first_outcome_and_writes_nothing() {
    let mut w = World::new();
    let t = w.jane_emails("Site down");
    let reply = Command::reply(t, w.ana, "Back up: a full disk.").with_key(key("reply-1"));
    let first = w.run(reply.clone()).unwrap();
    // The acceptance, the reply, and its outbound message.
    assert!(matches!(first[0].event, Event::Command(_)), "{first:?}");
    assert!(
        first.iter().any(|r| matches!(&r.event, Event::Ticket(e)
            if matches!(&e.kind, TicketEventKind::EntryAdded { .. }))),
        "{first:?}"
    );
    assert!(
        first.iter().any(|r| matches!(r.event, Event::Outbox(_))),
        "{first:?}"
    );
    let (desk, store) = (w.desk.clone(), w.store.clone());
    // The acknowledgement was lost; the caller sends it again.
    let again = w.run(reply.clone()).unwrap();
    assert_eq!(again, first, "the first outcome, as recorded");
    assert_eq!(w.desk, desk, "nothing changed");
    assert_eq!(w.store, store, "nothing written");
    assert_eq!(w.desk.channels().undelivered(), 1, "one message, not two");
    // Deciding it says it is a repeat, and where the first run is.
    let decision = w.desk.decide(reply.clone(), w.now).unwrap();
    assert!(decision.is_empty());
    let repeat = decision.repeat_of().unwrap();
    assert_eq!(
        (repeat.first, repeat.last),
        (first[0].position, first[first.len() - 1].position)
    );
    // After a crash: a desk rebuilt from the store still knows the key.
    let mut rebuilt = Desk::rebuild(&w.store, w.desk.config().clone()).unwrap();
    assert_eq!(
        rebuilt.execute(&mut w.store, reply.clone(), w.now).unwrap(),
        first
    );
    assert_eq!(w.store, store);
}

#[test]
fn the_same_key_with_another_command_is_refused() {
    let mut w = World::new();
    let t = w.jane_emails("Site down");
    let ana = w.ana;
    w.run(Command::reply(t, ana, "On it.").with_key(key("k-1")))
        .unwrap();
    w.refused(
        Command::reply(t, ana, "Something else.").with_key(key("k-1")),
        DeskError::KeyReused { key: key("k-1") },
    );
    // Another actor with the same action is another command too.
    let bill = w.bill;
    w.refused(
        Command::reply(t, bill, "On it.").with_key(key("k-1")),
        DeskError::KeyReused { key: key("k-1") },
    );
    // Also after a rebuild.
    w.desk = Desk::rebuild(&w.store, w.desk.config().clone()).unwrap();
    w.refused(
        Command::reply(t, ana, "Something else.").with_key(key("k-1")),
        DeskError::KeyReused { key: key("k-1") },
    );
}

#[test]
fn a_second_desk_on_the_store_counts_the_command_once() {
    let mut w = World::new();
    let t = w.jane_emails("Site down");
    let reply = Command::reply(t, w.ana, "Fixed.").with_key(key("reply-from-worker"));
    // What a single writer reaches: the desk and store every run must end at.
    let (mut solo_desk, mut solo_store) = (w.desk.clone(), w.store.clone());
    let solo = solo_desk
        .execute(&mut solo_store, reply.clone(), w.now)
        .unwrap();
    // Two desks on one store, on two threads: a barrier holds both until
    // each has decided, so both decide against the same store before
    // either appends, and the race is real whatever the scheduling.
    let store = Arc::new(Mutex::new(w.store.clone()));
    let barrier = Arc::new(Barrier::new(2));
    let other = Desk::rebuild(&w.store, w.desk.config().clone()).unwrap();
    let now = w.now;
    let racers: Vec<_> = [w.desk.clone(), other]
        .into_iter()
        .map(|mut desk| {
            let (store, barrier, reply) = (Arc::clone(&store), Arc::clone(&barrier), reply.clone());
            std::thread::spawn(move || {
                let decision = desk.decide(reply, now).unwrap();
                assert!(!decision.is_empty(), "each desk decides the reply itself");
                barrier.wait();
                let appended = store.lock().unwrap().append(decision.writes());
                if let Ok(recorded) = &appended {
                    desk.apply(recorded).unwrap();
                }
                (desk, appended)
            })
        })
        .collect();
    let results: Vec<_> = racers.into_iter().map(|h| h.join().unwrap()).collect();
    let mut store = Arc::try_unwrap(store).unwrap().into_inner().unwrap();
    let (won, lost): (Vec<_>, Vec<_>) = results.into_iter().partition(|(_, r)| r.is_ok());
    assert_eq!(
        (won.len(), lost.len()),
        (1, 1),
        "one append wins, one conflicts"
    );
    let [(winner, Ok(first))] = <[_; 1]>::try_from(won).unwrap() else {
        unreachable!("partitioned on Ok")
    };
    let [(mut loser, Err(conflict))] = <[_; 1]>::try_from(lost).unwrap() else {
        unreachable!("partitioned on Err")
    };
    // The loser conflicts on the key's stream, which it expected new, and
    // writes nothing: the store holds exactly the winner's events.
    assert!(matches!(first[0].event, Event::Command(_)));
    assert_eq!(
        conflict,
        StoreError::Conflict {
            stream: first[0].stream,
            expected: fanatical::store::ExpectedVersion::Exact(0),
            actual: 1,
        }
    );
    assert_eq!(first, solo);
    assert_eq!(store, solo_store);
    // The loser catches up and retries: the first outcome, nothing new.
    let before = store.clone();
    loser.catch_up(&store).unwrap();
    let retried = loser.execute(&mut store, reply, now).unwrap();
    assert_eq!(retried, first);
    assert_eq!(store, before);
    // Both desks end where a single writer would.
    assert_eq!(loser, solo_desk);
    assert_eq!(winner, solo_desk);
    assert_eq!(loser.channels().undelivered(), 1);
}

#[test]
fn a_keyed_command_that_changes_nothing_is_remembered_all_the_same() {
    let mut w = World::new();
    let t = w.jane_emails("Site down");
    let (ana, bill) = (w.ana, w.bill);
    w.run(Command::new(
        Actor::Agent(ana),
        TicketAction::assign(t, ana),
    ))
    .unwrap();
    // Assigning Ana again changes nothing: only the key is recorded.
    let again = Command::new(Actor::Agent(ana), TicketAction::assign(t, ana)).with_key(key("a"));
    let first = w.run(again.clone()).unwrap();
    assert_eq!(first.len(), 1);
    assert!(matches!(first[0].event, Event::Command(_)));
    // The desk moves on; the repeat returns the first outcome instead of
    // deciding again (which would now reassign the ticket).
    w.run(Command::new(
        Actor::Agent(ana),
        TicketAction::assign(t, bill),
    ))
    .unwrap();
    let store = w.store.clone();
    assert_eq!(w.run(again).unwrap(), first);
    assert_eq!(w.store, store);
    assert_eq!(w.desk.tickets().get(t).unwrap().assignee(), Some(bill));
}

#[test]
fn unknown_or_deactivated_actors_are_refused_before_anything_is_decided() {
    let mut w = World::new();
    let t = w.jane_emails("Site down");
    let ghost = w.ids.next_id();
    w.refused(
        Command::reply(t, ghost, "Hi"),
        DeskError::UnknownAgent(ghost),
    );
    // Even for an action that would otherwise need no agent.
    w.refused(
        Command::new(
            Actor::Agent(ghost),
            TicketAction::set_status(t, Status::Pending),
        ),
        DeskError::UnknownAgent(ghost),
    );
    let bill = w.bill;
    w.run(Command::new(
        Actor::integration("hr"),
        PeopleAction::UpdateAgent {
            agent: bill,
            command: AgentCommand::Deactivate,
        },
    ))
    .unwrap();
    w.refused(
        Command::reply(t, bill, "Hi"),
        DeskError::InactiveAgent(bill),
    );
    let stranger: ContactId = w.ids.next_id();
    w.refused(
        Command::new(
            Actor::Contact(stranger),
            TicketAction::set_status(t, Status::Solved),
        ),
        DeskError::UnknownContact(stranger),
    );
    w.refused(
        Command::new(
            Actor::integration("two words"),
            TicketAction::set_status(t, Status::Pending),
        ),
        ActorError::InvalidIntegration("two words".into()),
    );
    w.refused(
        Command::new(
            Actor::System(Cause::Timer(TimerKind::Sla)),
            TicketAction::set_status(t, Status::Pending),
        ),
        DeskError::SystemActor,
    );
}

#[test]
fn nobody_acts_in_someone_elses_name() {
    let mut w = World::new();
    let t = w.jane_emails("Site down");
    let (ana, bill, jane) = (w.ana, w.bill, w.jane);
    // Ana may not write a note as Bill.
    w.refused(
        Command::new(
            Actor::Agent(ana),
            update(
                t,
                TicketCommand::Note {
                    agent: bill,
                    body: "not mine".into(),
                    attachments: vec![],
                },
            ),
        ),
        DeskError::ActorMismatch {
            actor: Actor::Agent(ana),
            named: Actor::Agent(bill),
        },
    );
    // Nor may an agent reply as the customer.
    let as_jane = update(
        t,
        TicketCommand::Reply {
            author: Author::Contact(jane),
            channel: fanatical::channel::Channel::Email,
            body: "all good".into(),
            attachments: vec![],
        },
    );
    w.refused(
        Command::new(Actor::Agent(ana), as_jane.clone()),
        DeskError::ActorMismatch {
            actor: Actor::Agent(ana),
            named: Actor::Contact(jane),
        },
    );
    // Jane herself may.
    w.run(Command::new(Actor::Contact(jane), as_jane)).unwrap();
    // An agent's action needs an agent.
    w.refused(
        Command::new(
            Actor::integration("crm"),
            TicketAction::Reply {
                ticket: t,
                body: "Hi".into(),
                attachments: vec![],
            },
        ),
        DeskError::NeedsAgent {
            actor: Actor::integration("crm"),
        },
    );
}

#[test]
fn a_command_for_another_areas_aggregate_is_refused() {
    let mut w = World::new();
    w.jane_emails("Site down");
    // Jane's customer id, passed where a ticket id belongs.
    let not_a_ticket = TicketId::from_uuid(w.acme.as_uuid());
    w.refused(
        Command::new(
            Actor::Agent(w.ana),
            TicketAction::set_status(not_a_ticket, Status::Solved),
        ),
        DeskError::UnknownTicket(not_a_ticket),
    );
    // An outbound message id that is really a ticket's.
    let not_a_message = fanatical::id::MessageId::from_uuid(not_a_ticket.as_uuid());
    w.refused(
        Command::new(
            Actor::integration("transport"),
            OutboxAction::MarkDelivered {
                message: not_a_message,
            },
        ),
        DeskError::UnknownMessage(not_a_message),
    );
}

#[test]
fn commands_read_back_from_json_with_their_actor_and_key() {
    let cmd = Command::reply(
        TicketId::from_uuid(uuid::Uuid::from_u128(1)),
        fanatical::id::AgentId::from_uuid(uuid::Uuid::from_u128(2)),
        "Hi",
    )
    .with_key(key("reply-1"));
    let json = serde_json::to_string(&cmd).unwrap();
    assert!(json.contains(r#""key":"reply-1""#), "{json}");
    assert!(json.contains(r#""area":"ticket""#), "{json}");
    assert_eq!(serde_json::from_str::<Command>(&json).unwrap(), cmd);
    // A bad key never reads.
    let bad = json.replace("reply-1", "two words");
    let err = serde_json::from_str::<Command>(&bad).unwrap_err();
    assert!(err.is_data(), "{err}");
    assert!(
        err.to_string()
            .starts_with("invalid command key \"two words\": one word of 1 to 128 characters"),
        "{err}"
    );
}

/// A key accepted by a build that fingerprinted commands by their debug
/// form (its `accepted` event carries that fingerprint) is still matched:
/// the same command retried after the upgrade is answered with its first
/// result, another command with the key is refused.
#[test]
fn a_key_accepted_with_the_old_debug_fingerprint_is_still_matched() {
    let mut w = World::new();
    let t = w.jane_emails("Site down");
    let ana = w.ana;
    let reply = Command::reply(t, ana, "On it.").with_key(key("k-old"));
    let first = w.run(reply.clone()).unwrap();
    // The same record, its `accepted` event with the fingerprint the old
    // builds took: FNV-1a over "{actor:?}|{action:?}".
    let old_print = {
        let text = format!("{:?}|{:?}", reply.actor, reply.action);
        text.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        })
    };
    let as_written_at = |schema: u32| accepted_as(&w.store, schema, old_print);
    // A schema 3 record is matched by the checksum alone: the debug
    // form's hash there is another command's.
    let mut new = as_written_at(3);
    let mut desk = Desk::rebuild(&new, w.desk.config().clone()).unwrap();
    assert_eq!(
        desk.execute(&mut new, reply.clone(), w.now),
        Err(DeskError::KeyReused { key: key("k-old") }.into())
    );
    let mut old = as_written_at(2);
    let mut desk = Desk::rebuild(&old, w.desk.config().clone()).unwrap();
    // A snapshot a schema 2 build took of that desk (its keys carry no
    // mark of their fingerprint's form) restores to match them too; the
    // same state labelled schema 3 does not.
    let as_taken_at = |schema: u32| {
        let mut snap = desk.snapshot();
        let text = serde_json::to_string(&snap.state)
            .unwrap()
            .replace(",\"debug_form\":true", "");
        snap.state = serde_json::from_str(&text).unwrap();
        snap.schema = schema;
        snap.checksum = fanatical::store::Fingerprint::checksum_of(&snap.state);
        Desk::restore(desk.config().clone(), snap).unwrap()
    };
    assert_ne!(as_taken_at(3), desk, "the mark is gone");
    let mut scratch = old.clone();
    assert_eq!(
        as_taken_at(3).execute(&mut scratch, reply.clone(), w.now),
        Err(DeskError::KeyReused { key: key("k-old") }.into())
    );
    let mut restored = as_taken_at(2);
    assert_eq!(restored, desk);
    let before = old.clone();
    let first = old.read_all(first[0].position - 1, first.len()).unwrap();
    assert_eq!(
        restored
            .execute(&mut scratch, reply.clone(), w.now)
            .unwrap(),
        first
    );
    assert_eq!(desk.execute(&mut old, reply, w.now).unwrap(), first);
    assert_eq!(
        desk.execute(
            &mut old,
            Command::reply(t, ana, "Something else.").with_key(key("k-old")),
            w.now
        ),
        Err(DeskError::KeyReused { key: key("k-old") }.into())
    );
    assert_eq!(old, before, "nothing written");
}

/// `store`'s record with its one `command.accepted` event carrying
/// `fingerprint` and written at `schema` (as a build of that schema wrote
/// it).
pub(crate) fn accepted_as(
    store: &fanatical::store::MemoryStore,
    schema: u32,
    print: u64,
) -> fanatical::store::MemoryStore {
    use fanatical::event::{CommandEvent, CommandEventKind};
    use fanatical::store::{ExpectedVersion, MemoryStore, NewEvent, StreamWrite};
    let mut old = MemoryStore::new();
    let mut rewritten = 0;
    for mut r in store.read_all(0, usize::MAX).unwrap() {
        if let Event::Command(CommandEvent {
            kind: CommandEventKind::Accepted { fingerprint, .. },
            ..
        }) = &mut r.event
        {
            assert_ne!(*fingerprint, print, "the new fingerprint is another");
            *fingerprint = print;
            r.schema = schema;
            rewritten += 1;
        }
        let write = StreamWrite {
            stream: r.stream,
            expected: ExpectedVersion::Exact(r.version - 1),
            events: vec![NewEvent {
                id: r.id,
                schema: r.schema,
                actor: r.actor,
                command: r.command,
                event: r.event,
            }],
        };
        old.append(&[write]).unwrap();
    }
    assert_eq!(rewritten, 1);
    old
}
