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
//! ## Layers
//!
//! Every module sits on one floor; a module names modules on its own
//! floor or below, never above, and no two modules name each other, even
//! round a loop. The top floor is the exception: the desk returns the
//! crate [`Error`], which wraps the desk's own errors. Each row is the
//! layer's name, its modules, and (indented) what they are.
//!
//! ```text
//! top         desk/ error.rs
//!             the run loop: commands in; events, outbound messages,
//!             timers, audience views and care briefings out; the crate
//!             Error over every module's error (nothing below returns it)
//! ports       store/ transport
//!             traits over the record and over delivery, in-memory
//!             defaults, the store conformance suite
//! reports     metrics view queue/
//!             read models over the model and policies: period figures;
//!             what each audience may see, as types; queues as data,
//!             their in-memory read model and the read-model port
//! record      event
//!             the Event envelope over every area's events, and streams
//! strategies  arbitrary
//!             proptest strategies for the model and policies (feature
//!             `proptest`)
//! policies    escalation/ routing assignment guard crisis trend org permission/ form rules/
//!             pure rules over the model: escalation graphs, routing and
//!             automatic assignment (in turn among equals),
//!             official-post review, crisis and trend detection,
//!             reporting lines, who may do what; custom-field
//!             configuration and the forms of each ticket type; triggers
//!             as data, checked for loops, in their run order
//! model       customer/ agent ticket/ incident/ survey/ recognition/ outbox coaching channel sla/ refund field/
//!             aggregates: state, handle(command) -> events, apply(event);
//!             custom-field definitions, values and their checks;
//!             business calendars and SLA timers (an agent's working
//!             hours and protected time are calendars on their record)
//! base        id actor time text macros template/
//!             typed ids (ComponentId too); who acts (actors, causes,
//!             timer kinds, command keys); bounds on configured
//!             durations, saturating instant arithmetic, duration serde;
//!             word matching; the validated-string and duration macros;
//!             locales and the template sets every desk text comes from
//! ```
//!
//! Where the code is not yet where the design wants it, the table says
//! where it is: SLA policies sit with the model because an agent's
//! record holds business calendars; the event record sits above the policies because it
//! wraps their events (SLA, official posts, crisis, trends); official
//! posts are recorded by `guard`, next to their review policy; care
//! briefings are built in the desk. `tests/it/layering.rs` reads this
//! table and every file under `src/`, and fails on an arrow up, a cycle,
//! or a module missing from the table.
//!
//! ## A run loop
//!
//! `fanatical` is the only dependency a program needs: it re-exports the
//! [`chrono`] and [`chrono_tz`] it speaks in.
//!
//! ```
//! use fanatical::chrono::{Duration, TimeZone, Utc};
//! use fanatical::chrono_tz::Europe::London;
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
//!     Command::new(Actor::integration("setup"), CustomerAction::Register { id: acme, organisation: "Acme".into() }),
//!     Command::new(Actor::integration("setup"), CustomerAction::Update { customer: acme, command: CustomerCommand::AddContact {
//!         contact: jane, name: "Jane".into(), addresses: vec![chat.clone()] } }),
//!     Command::new(Actor::integration("setup"), PeopleAction::RegisterAgent { id: agent, name: "Ana".into(), time_zone: London,
//!         roles: vec![Role::Agent], skills: vec![] }),
//!     Command::new(Actor::integration("inbound"), TicketAction::Receive(InboundMessage::new(ticket, Channel::Chat, chat, "Is my VM down?"))),
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
//!             Ok(_) => Command::new(Actor::integration("transport"), OutboxAction::MarkDelivered { message: msg.id }),
//!             Err(e) => Command::new(Actor::integration("transport"), OutboxAction::MarkFailed { message: msg.id, reason: e.to_string() }),
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
//! assert_eq!(desk.channels().undelivered(), 0);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Timers
//!
//! Everything that happens because time passed — an SLA warning or breach
//! on its business calendar, a promise coming due, a reminder to the CEO
//! to acknowledge praise, an incident update falling due or overdue, an
//! incident's follow-ups, a failed delivery's retry — is a timer the desk
//! keeps. [`desk::Desk::poll_timeout`] says when the next one is due;
//! [`desk::Desk::handle_timeout`] fires everything due by `now`, each
//! exactly once however often it is called. A service sleeps until the
//! earlier of that instant and its next inbound message; a test or a
//! simulation just jumps the clock there.
//!
//! ## From async code
//!
//! The ports are synchronous and small on purpose, and nothing in the
//! crate blocks or awaits. An async service owns the desk in one task
//! and does the three steps itself — decide, await its own database's
//! append, apply — and sleeps until `poll_timeout` between messages:
//!
//! ```
//! use fanatical::chrono::{DateTime, TimeZone, Utc};
//! use fanatical::desk::Decision;
//! use fanatical::prelude::*;
//! use fanatical::store::{RecordedEvent, StoreError, StreamWrite};
//!
//! /// Your async database; here a memory store behind async functions.
//! struct Db(MemoryStore);
//! impl Db {
//!     async fn append(&mut self, batch: &[StreamWrite]) -> Result<Vec<RecordedEvent>, StoreError> {
//!         self.0.append(batch) // one transaction; unique (stream, version)
//!     }
//!     async fn read_after(&self, position: u64) -> Result<Vec<RecordedEvent>, StoreError> {
//!         self.0.read_all(position, 1024)
//!     }
//! }
//!
//! /// What `Desk::execute` does, with the append awaited.
//! async fn persist(desk: &mut Desk, db: &mut Db, decision: Decision) -> Result<(), fanatical::Error> {
//!     if decision.is_empty() {
//!         return Ok(());
//!     }
//!     let stored = db.append(decision.writes()).await?;
//!     if stored.first().is_some_and(|r| r.position != desk.position() + 1) {
//!         // Another writer got in between: apply everything in store order.
//!         loop {
//!             let page = db.read_after(desk.position()).await?;
//!             if page.is_empty() { break; }
//!             desk.apply(&page)?;
//!         }
//!     } else {
//!         desk.apply(&stored)?;
//!     }
//!     Ok(())
//! }
//!
//! async fn service(now: DateTime<Utc>) -> Result<Desk, fanatical::Error> {
//!     let mut db = Db(MemoryStore::new());
//!     let mut desk = Desk::new(DeskConfig::default());
//!     let acme = IdGenerator::from_seed(9).next_id();
//!     let cmd = Command::new(Actor::integration("setup"), CustomerAction::Register { id: acme, organisation: "Acme".into() });
//!     let decision = desk.decide(cmd, now)?;
//!     persist(&mut desk, &mut db, decision).await?;
//!     // The timer side of the loop: sleep until `poll_timeout`, then
//!     if let Some(due) = desk.poll_timeout() {
//!         let fired = desk.decide_timeouts(due);
//!         persist(&mut desk, &mut db, fired).await?;
//!     }
//!     Ok(desk)
//! }
//!
//! // Any executor runs it (tokio, async-std, smol...). Nothing here really
//! // waits, so polling once with a no-op waker is enough for this example.
//! let now = Utc.with_ymd_and_hms(2026, 11, 2, 2, 0, 0).unwrap();
//! let mut task = std::pin::pin!(service(now));
//! let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
//! let std::task::Poll::Ready(desk) = task.as_mut().poll(&mut cx) else {
//!     unreachable!("the memory store never waits")
//! };
//! assert_eq!(desk?.customers().iter().count(), 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Several replicas of a desk may share one store: an append that
//! conflicts (`StoreError::Conflict`) changes nothing; catch up and
//! decide again.
//!
//! ## Features
//!
//! None is on by default; the documentation on docs.rs shows them all.
//!
//! - `proptest`: strategies for the model in [`arbitrary`], for property
//!   tests of your own rules, and the escalation checkers.
//! - `conformance`: the store conformance suite, [`store::conformance`],
//!   for your own [`store::Store`] backends, and the queue read-model
//!   suite, [`queue::conformance`], for your own [`queue::QueueReadModel`]s.
//!
//! ## The workspace
//!
//! Crates that do I/O live beside this one, never in it: `fanatical-sqlite`
//! is a [`store::Store`] in a SQLite file that passes the conformance
//! suite. The criterion benches are the unpublished `fanatical-benches`.

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

pub mod actor;
pub mod agent;
#[cfg(feature = "proptest")]
pub mod arbitrary;
pub mod assignment;
pub mod channel;
pub mod coaching;
pub mod crisis;
pub mod customer;
pub mod desk;
pub mod error;
pub mod escalation;
pub mod event;
pub mod field;
pub mod form;
pub mod guard;
pub mod id;
pub mod incident;
pub mod metrics;
pub mod org;
pub mod outbox;
pub mod permission;
pub mod queue;
pub mod recognition;
pub mod refund;
pub mod routing;
pub mod rules;
pub mod sla;
pub mod store;
pub mod survey;
pub mod template;
mod text;
pub mod ticket;
pub mod time;
pub mod transport;
pub mod trend;
pub mod view;

pub use error::Error;

/// The [`chrono`](https://docs.rs/chrono) crate this one is built on, so a
/// program needs only `fanatical` in its `[dependencies]`: every instant
/// the desk takes is a [`chrono::DateTime<chrono::Utc>`] and every
/// duration a [`chrono::Duration`].
///
/// ```
/// use fanatical::chrono::{Duration, TimeZone, Utc};
///
/// let now = Utc.with_ymd_and_hms(2026, 11, 2, 2, 0, 0).unwrap();
/// assert_eq!((now + Duration::hours(1)).to_rfc3339(), "2026-11-02T03:00:00+00:00");
/// ```
pub use chrono;
/// The [`chrono-tz`](https://docs.rs/chrono-tz) crate this one is built on:
/// the IANA time zones of agents and business calendars
/// ([`chrono_tz::Tz`]), re-exported for the same reason as [`chrono`].
///
/// ```
/// use fanatical::chrono_tz::America::Chicago;
/// use fanatical::sla::{BusinessCalendar, DayHours};
///
/// let office = BusinessCalendar::weekdays(Chicago, DayHours::parse(&[("09:00", "17:00")])?);
/// assert_eq!(office.tz(), Chicago);
/// # Ok::<(), fanatical::sla::SlaError>(())
/// ```
pub use chrono_tz;

/// The README's examples, compiled and run as doctests so they stay true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

/// The names most programs need, in one import.
pub mod prelude {
    pub use crate::actor::{Actor, CommandKey};
    pub use crate::agent::{Role, Skill};
    pub use crate::channel::ChannelAction;
    pub use crate::channel::{Channel, ChannelAddress, ChannelKind, SocialNetwork, Visibility};
    pub use crate::coaching::CoachingAction;
    pub use crate::customer::CustomerCommand;
    pub use crate::desk::{
        Command, CustomerAction, Desk, DeskConfig, InboundMessage, IncidentAction, PeopleAction,
        TicketAction,
    };
    pub use crate::error::Error;
    pub use crate::guard::PostAction;
    pub use crate::id::{AgentId, ContactId, CustomerId, IdGenerator, MessageId, TeamId, TicketId};
    pub use crate::outbox::OutboxAction;
    pub use crate::recognition::RecognitionAction;
    pub use crate::refund::RefundAction;
    pub use crate::store::{MemoryStore, Store};
    pub use crate::survey::SurveyAction;
    pub use crate::ticket::{Author, Priority, Status, TicketCommand};
    pub use crate::transport::{RecordingTransport, Transport};
}
