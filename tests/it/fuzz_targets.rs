//! The fuzz targets' bodies, shared by `fuzz/fuzz_targets/*.rs` (cargo-fuzz,
//! on a nightly toolchain) and `tests/it/fuzz_props.rs` (proptest, on
//! stable, in CI). Each takes arbitrary bytes; it panics only when an
//! invariant breaks — the library itself must never panic.

#![allow(dead_code)]

use chrono::{DateTime, Duration, TimeZone, Utc};
use fanatical::actor::Actor;
use fanatical::channel::{Channel, ChannelAddress};
use fanatical::customer::CustomerCommand;
use fanatical::desk::{Command, Desk, DeskConfig, InboundMessage};
use fanatical::desk::{CustomerAction, PeopleAction, TicketAction};
use fanatical::error::ErrorKind;
use fanatical::event::Event;
use fanatical::id::{AgentId, ContactId, CustomerId, IdGenerator, TicketId};
use fanatical::outbox::OutboxAction;
use fanatical::sla::BusinessCalendar;
use fanatical::store::MemoryStore;
use fanatical::survey::{Response, Survey};
use fanatical::ticket::{Status, TicketCommand};

/// Events from JSON: what parses writes back and parses to the same.
pub fn event_json(data: &[u8]) {
    if let Ok(e) = serde_json::from_slice::<Event>(data) {
        let text = serde_json::to_string(&e).expect("an event always serializes");
        let back: Event = serde_json::from_str(&text).expect("what was written reads back");
        assert_eq!(back, e);
    }
    // The golden files are whole records: the event with its actor and key.
    if let Ok(r) = serde_json::from_slice::<fanatical::store::RecordedEvent>(data) {
        let text = serde_json::to_string(&r).expect("a record always serializes");
        let back: fanatical::store::RecordedEvent =
            serde_json::from_str(&text).expect("what was written reads back");
        assert_eq!(back, r);
    }
}

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 2, 15, 0, 0).unwrap()
}

/// A small desk to throw commands at: one customer with one contact, one
/// agent, one open ticket.
pub fn small_desk() -> (Desk, MemoryStore, [u128; 4]) {
    let mut ids = IdGenerator::from_seed(1);
    let mut store = MemoryStore::new();
    let mut desk = Desk::new(DeskConfig::default());
    let (c, p, a, t): (CustomerId, ContactId, AgentId, TicketId) =
        (ids.next_id(), ids.next_id(), ids.next_id(), ids.next_id());
    let email = ChannelAddress::email("jane@acme.example").unwrap();
    for cmd in [
        Command::new(
            Actor::integration("setup"),
            CustomerAction::Register {
                id: c,
                organisation: "Acme".into(),
            },
        ),
        Command::new(
            Actor::integration("setup"),
            CustomerAction::Update {
                customer: c,
                command: CustomerCommand::AddContact {
                    contact: p,
                    name: "Jane".into(),
                    addresses: vec![email.clone()],
                },
            },
        ),
        Command::new(
            Actor::integration("setup"),
            PeopleAction::RegisterAgent {
                id: a,
                name: "Ana".into(),
                time_zone: chrono_tz::America::Chicago,
                roles: vec![],
                skills: vec![],
            },
        ),
        Command::new(
            Actor::integration("inbound"),
            TicketAction::Receive(InboundMessage::new(t, Channel::Email, email, "Hi")),
        ),
    ] {
        desk.execute(&mut store, cmd, t0()).unwrap();
    }
    let ids = [
        c.as_uuid().as_u128(),
        p.as_uuid().as_u128(),
        a.as_uuid().as_u128(),
        t.as_uuid().as_u128(),
    ];
    (desk, store, ids)
}

/// Commands from JSON against a desk: refused (an error of kind
/// `Refused`) or applied, never a panic;
/// a refused command changes nothing, in the desk or in the store; the
/// store rebuilds the same desk.
pub fn command_json(data: &[u8]) {
    let Ok(cmd) = serde_json::from_slice::<Command>(data) else {
        return;
    };
    let (mut desk, mut store, _) = small_desk();
    let (before, stored) = (desk.clone(), store.clone());
    match desk.execute(&mut store, cmd, t0()) {
        Ok(_) => {
            let rebuilt = Desk::rebuild(&store, DeskConfig::default()).unwrap();
            assert!(rebuilt == desk, "the store rebuilds a different desk");
        }
        Err(e) => {
            assert_eq!(e.kind(), ErrorKind::Refused, "{e} is not a refusal");
            assert!(desk == before, "a refused command changed the desk");
            assert!(store == stored, "a refused command wrote to the store");
        }
    }
}

/// Calendars from JSON: every operation answers, and `elapsed` inverts
/// `add` for instants where the calendar is open.
pub fn calendar_json(data: &[u8]) {
    // The first 12 bytes choose the instants and the duration.
    let (head, json) = data.split_at(data.len().min(12));
    let Ok(cal) = serde_json::from_slice::<BusinessCalendar>(json) else {
        return;
    };
    let mut n = [0u8; 12];
    n[..head.len()].copy_from_slice(head);
    let secs = i64::from(u32::from_le_bytes([n[0], n[1], n[2], n[3]]));
    let start = Utc.timestamp_opt(1_700_000_000 + secs * 10, 0).unwrap();
    let d = Duration::seconds(i64::from(u32::from_le_bytes([n[4], n[5], n[6], n[7]])) % 5_000_000);
    let other =
        start + Duration::seconds(i64::from(i32::from_le_bytes([n[8], n[9], n[10], n[11]])));
    let _ = cal.is_open(start);
    let _ = cal.next_open(start);
    let _ = cal.next_close(start);
    let _ = cal.elapsed(start, other);
    if let Ok(end) = cal.add(start, d) {
        assert!(end >= start);
        if cal.is_open(start) {
            assert_eq!(
                cal.elapsed(start, end),
                d,
                "elapsed(start, add(start, d)) != d"
            );
        }
    }
    let back: BusinessCalendar =
        serde_json::from_str(&serde_json::to_string(&cal).unwrap()).unwrap();
    assert!(back == cal);
}

/// Survey definitions from JSON (validated on the way in), and responses
/// checked against them.
pub fn survey_json(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let (survey, response) = text.split_once("\n---\n").unwrap_or((&text, "{}"));
    let Ok(s) = serde_json::from_str::<Survey>(survey) else {
        return;
    };
    let back: Survey = serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
    assert_eq!(back, s);
    if let Ok(r) = serde_json::from_str::<Response>(response) {
        let _ = s.check(&r);
        let _ = s.skipped(&r);
    }
}

/// A sequence of operations decoded from bytes, against a desk on a
/// memory store: a command is applied or refused (a refusal changes
/// nothing), a timeout never fails; at the end the store rebuilds the
/// same desk.
pub fn desk_ops(data: &[u8]) {
    desk_ops_with(data, |_, _| {});
}

/// [`desk_ops`], calling `each` with the desk and its store before every
/// operation, and returning them at the end.
pub fn desk_ops_with(
    data: &[u8],
    mut each: impl FnMut(&Desk, &MemoryStore),
) -> (Desk, MemoryStore) {
    let (mut desk, mut store, ids) = small_desk();
    let customer = CustomerId::from_uuid(uuid::Uuid::from_u128(ids[0]));
    let contact = ContactId::from_uuid(uuid::Uuid::from_u128(ids[1]));
    let agent = AgentId::from_uuid(uuid::Uuid::from_u128(ids[2]));
    let mut tickets = vec![TicketId::from_uuid(uuid::Uuid::from_u128(ids[3]))];
    let mut idgen = IdGenerator::from_seed(u64::from(data.first().copied().unwrap_or(0)));
    let mut now = t0();
    let email = ChannelAddress::email("jane@acme.example").unwrap();
    for chunk in data.chunks(2) {
        each(&desk, &store);
        let (op, arg) = (chunk[0], chunk.get(1).copied().unwrap_or(0));
        let t = tickets[usize::from(arg) % tickets.len()];
        now += Duration::minutes(i64::from(arg));
        let cmd = match op % 12 {
            0 => {
                let id = idgen.next_id();
                tickets.push(id);
                Command::new(
                    Actor::integration("inbound"),
                    TicketAction::Receive(InboundMessage::new(
                        id,
                        Channel::Email,
                        email.clone(),
                        "Help",
                    )),
                )
            }
            1 => Command::new(
                Actor::integration("inbound"),
                TicketAction::Receive(
                    InboundMessage::new(idgen.next_id(), Channel::Email, email.clone(), "More")
                        .in_reply_to(t),
                ),
            ),
            2 => Command::reply(t, agent, "On it"),
            3 => Command::new(
                Actor::integration("setup"),
                TicketAction::Update {
                    ticket: t,
                    command: TicketCommand::Assign(Some(agent)),
                },
            ),
            4 => Command::new(
                Actor::integration("setup"),
                TicketAction::Update {
                    ticket: t,
                    command: TicketCommand::SetStatus(Status::Pending),
                },
            ),
            5 => Command::new(
                Actor::integration("setup"),
                TicketAction::Update {
                    ticket: t,
                    command: TicketCommand::SetStatus(Status::Solved),
                },
            ),
            6 => Command::new(
                Actor::integration("setup"),
                TicketAction::Update {
                    ticket: t,
                    command: TicketCommand::SetStatus(Status::Closed),
                },
            ),
            7 => Command::new(
                Actor::Agent(agent),
                TicketAction::Merge {
                    source: t,
                    target: tickets[usize::from(arg / 2) % tickets.len()],
                },
            ),
            8 => Command::new(
                Actor::Agent(agent),
                TicketAction::Promise {
                    ticket: t,
                    due: now + Duration::minutes(i64::from(arg) - 100),
                    note: String::new(),
                },
            ),
            9 => {
                // A memory store never fails: what is due always fires.
                if let Err(e) = desk.handle_timeout(&mut store, now) {
                    panic!("a timeout failed on a memory store: {e}");
                }
                continue;
            }
            10 => {
                if let Some(m) = desk.poll_outbound(now) {
                    Command::new(
                        Actor::integration("transport"),
                        OutboxAction::MarkFailed {
                            message: m.id,
                            reason: "x".into(),
                        },
                    )
                } else {
                    continue;
                }
            }
            _ => Command::new(
                Actor::integration("setup"),
                CustomerAction::Update {
                    customer,
                    command: CustomerCommand::RecordConsent {
                        contact,
                        source: fanatical::customer::ConsentSource::Contact(contact),
                    },
                },
            ),
        };
        let (before, stored) = (desk.clone(), store.clone());
        if let Err(e) = desk.execute(&mut store, cmd, now) {
            assert_eq!(e.kind(), ErrorKind::Refused, "{e} is not a refusal");
            assert!(desk == before, "a refused command changed the desk");
            assert!(store == stored, "a refused command wrote to the store");
        }
    }
    let rebuilt = Desk::rebuild(&store, DeskConfig::default()).unwrap();
    assert!(rebuilt == desk, "the store rebuilds a different desk");
    (desk, store)
}
