//! # fanatical
//!
//! A sans-I/O model of *Fanatical Support*: customers and their contacts,
//! tickets on every channel (phone, portal, email, social, video, chat),
//! agents and teams, explicit views that keep spend away from agents and
//! internal notes away from customers, and the ports — an event store and
//! a delivery transport — that let any service embed it.
//!
//! ## Architecture
//!
//! ```text
//! ports     store, transport              traits + in-memory defaults + conformance suite
//! desk      desk                          the facade: commands in; events, outbound
//!                                         messages, timers and reports out
//! policies  sla, escalation, routing,     pure rules over the model: calendars and
//!           guard, org, trend, crisis     SLA timers, escalation graphs, routing,
//!                                         official-post review, reporting lines,
//!                                         trend detection, crisis detection
//! views     view, metrics                 what each audience may see, as types;
//!                                         care briefings and period reports
//! model     customer, agent, channel,     data + state machines: handle(command) ->
//!           ticket, outbox, survey,       events, apply(event)
//!           recognition, coaching,
//!           incident
//! base      id, error, event              typed ids, errors, the event record
//! ```
//!
//! - **Sans-I/O.** Nothing here reads a clock, a file, a socket, the
//!   environment or a random source. Time comes in as `now`; ids come from
//!   the caller or from a seeded [`id::IdGenerator`]. The same inputs give
//!   the same outputs on every machine, so a week of support runs in a
//!   test in milliseconds.
//! - **Events are the record.** Every aggregate decides with
//!   `handle(&self, command, now) -> Result<Vec<Event>, Error>` and folds
//!   with `apply(&mut self, &Event)`. Events are timestamped and serde.
//! - **Decide → persist → apply.** [`desk::Desk::decide`] is pure; the
//!   caller appends the decision to a [`store::Store`] atomically; only
//!   then does [`desk::Desk::apply`] change the desk. A rejected command
//!   or a failed or conflicting append changes nothing.
//!   [`desk::Desk::execute`] does all three for synchronous callers.
//! - **Outbox.** Messages to customers are recorded in the same append as
//!   the reply that caused them, handed out by
//!   [`desk::Desk::poll_outbound`], and acknowledged after delivery:
//!   at-least-once, with the message id as the idempotency key.
//!
//! ## A run loop
//!
//! ```
//! use chrono::{Duration, TimeZone, Utc};
//! use fanatical::prelude::*;
//!
//! let mut now = Utc.with_ymd_and_hms(2026, 11, 2, 2, 0, 0).unwrap();
//! let mut ids = IdGenerator::from_seed(1);
//! let mut store = MemoryStore::new();
//! let mut transport = RecordingTransport::new();
//! let mut desk = Desk::new(DeskConfig::default());
//!
//! let (acme, jane, agent, ticket) = (ids.next_id(), ids.next_id(), ids.next_id(), ids.next_id());
//! let chat = ChannelAddress::chat("jane")?;
//! for cmd in [
//!     Command::RegisterCustomer { id: acme, organisation: "Acme".into() },
//!     Command::UpdateCustomer { customer: acme, command: CustomerCommand::AddContact {
//!         contact: jane, name: "Jane".into(), addresses: vec![chat.clone()] } },
//!     Command::RegisterAgent { id: agent, name: "Ana".into(), time_zone: chrono_tz::Europe::London,
//!         roles: vec![Role::Agent], skills: vec![] },
//!     Command::ReceiveMessage(InboundMessage::new(ticket, Channel::Chat, chat, "Is my VM down?")),
//!     Command::reply(ticket, agent, "It rebooted for a kernel patch; it is back."),
//! ] {
//!     desk.execute(&mut store, cmd, now)?;
//!     now += Duration::seconds(30);
//! }
//!
//! // Drain the outbox through the transport; report each result.
//! transport.fail_next(1); // the first attempt fails...
//! loop {
//!     while let Some(msg) = desk.poll_outbound(now) {
//!         let ack = match transport.deliver(&msg) {
//!             Ok(_) => Command::MarkDelivered { message: msg.id },
//!             Err(e) => Command::MarkFailed { message: msg.id, reason: e.to_string() },
//!         };
//!         desk.execute(&mut store, ack, now)?;
//!     }
//!     // ...and is retried when its backoff ends.
//!     match desk.poll_timeout() {
//!         Some(t) => now = now.max(t),
//!         None => break,
//!     }
//! }
//! assert_eq!(transport.delivered().len(), 1);
//! assert_eq!(desk.undelivered(), 0);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## From async code
//!
//! The traits are synchronous and small on purpose. An async service keeps
//! the desk in its own task, calls [`desk::Desk::decide`], awaits its own
//! database append of [`desk::Decision::writes`], then calls
//! [`desk::Desk::apply`] with the stored events; delivery is the same loop
//! with an awaited send. Nothing in the crate blocks.
//!
//! ## Features
//! - `proptest`: strategies for the model in [`arbitrary`], for property
//!   tests of your own rules.
//! - `conformance`: the store conformance suite, [`store::conformance`].

#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

#[macro_use]
mod macros;

pub mod agent;
#[cfg(feature = "proptest")]
pub mod arbitrary;
pub mod channel;
pub mod coaching;
pub mod crisis;
pub mod customer;
pub mod desk;
pub mod error;
pub mod escalation;
pub mod event;
pub mod guard;
pub mod id;
pub mod incident;
pub mod metrics;
pub mod org;
pub mod outbox;
pub mod recognition;
pub mod routing;
pub mod sla;
pub mod store;
pub mod survey;
pub mod ticket;
mod time;
pub mod transport;
pub mod trend;
pub mod view;

pub use error::Error;

/// The README's examples, compiled and run as doctests so they stay true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

/// The names most programs need, in one import.
pub mod prelude {
    pub use crate::agent::{Role, Skill};
    pub use crate::channel::{Channel, ChannelAddress, ChannelKind, SocialNetwork, Visibility};
    pub use crate::customer::CustomerCommand;
    pub use crate::desk::{Command, Desk, DeskConfig, InboundMessage};
    pub use crate::error::Error;
    pub use crate::id::{AgentId, ContactId, CustomerId, IdGenerator, MessageId, TeamId, TicketId};
    pub use crate::store::{MemoryStore, Store};
    pub use crate::ticket::{Author, Priority, Status, TicketCommand};
    pub use crate::transport::{RecordingTransport, Transport};
}
