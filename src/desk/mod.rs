//! The desk: the facade over the model. Commands in; events, outbound
//! messages and views out.
//!
//! Every command goes **decide → persist → apply**:
//! 1. [`Desk::decide`] reads the desk's state and returns a [`Decision`]:
//!    the events for each stream, each write carrying the stream version it
//!    was decided against. Nothing changes.
//! 2. The caller persists the decision's writes with one atomic
//!    [`Store::append`] (or its own async store) — with
//!    [`Store::append_erasing`] when the decision erases someone
//!    ([`Decision::erasure`]).
//! 3. [`Desk::apply`] folds the stored events in.
//!
//! [`Desk::execute`] does all three for synchronous callers. A rejected
//! command, a failed append or a conflicting append leaves the desk
//! exactly as it was. [`Desk::rebuild`] builds a desk from a store alone;
//! [`Desk::snapshot`] and [`Desk::resume`] make a restart load the latest
//! snapshot and catch up the rest instead.
//!
//! Outbound messages (a reply to the customer on their channel) are part of
//! the same atomic append, then handed out by [`Desk::poll_outbound`] and
//! acknowledged with [`crate::outbox::OutboxAction::MarkDelivered`] or [`crate::outbox::OutboxAction::MarkFailed`]
//! (failures are retried with backoff; [`Desk::poll_timeout`] says when).
//!
//! # Example
//! ```
//! use chrono::{TimeZone, Utc};
//! use fanatical::channel::{Channel, ChannelAddress};
//! use fanatical::customer::CustomerCommand;
//! use fanatical::actor::Actor;
//! use fanatical::desk::{
//!     Command, CustomerAction, Desk, DeskConfig, InboundMessage, PeopleAction,
//!     TicketAction,
//! };
//! use fanatical::id::IdGenerator;
//! use fanatical::outbox::OutboxAction;
//! use fanatical::store::MemoryStore;
//! use fanatical::transport::{RecordingTransport, Transport};
//!
//! let mut now = Utc.with_ymd_and_hms(2026, 3, 3, 2, 0, 0).unwrap();
//! let mut ids = IdGenerator::from_seed(42);
//! let mut store = MemoryStore::new();
//! let mut desk = Desk::new(DeskConfig::default());
//!
//! let (acme, jane, rob) = (ids.next_id(), ids.next_id(), ids.next_id());
//! desk.execute(&mut store, Command::new(Actor::integration("setup"), CustomerAction::Register { id: acme, organisation: "Acme".into() }), now)?;
//! let email = ChannelAddress::email("jane@acme.example")?;
//! desk.execute(&mut store, Command::new(Actor::integration("setup"), CustomerAction::Update { customer: acme, command: CustomerCommand::AddContact {
//!     contact: jane, name: "Jane".into(), addresses: vec![email.clone()] } }), now)?;
//! desk.execute(&mut store, Command::new(Actor::integration("setup"), PeopleAction::RegisterAgent { id: rob, name: "Rob".into(),
//!     time_zone: chrono_tz::America::Chicago, roles: vec![fanatical::agent::Role::Agent], skills: vec![] }), now)?;
//!
//! // An email arrives at 2 a.m. and becomes a ticket.
//! let ticket = ids.next_id();
//! desk.execute(&mut store, Command::new(Actor::integration("inbound"), TicketAction::Receive(InboundMessage::new(ticket, Channel::Email, email, "Site down"))), now)?;
//! now += chrono::Duration::minutes(4);
//! desk.execute(&mut store, Command::reply(ticket, rob, "Fixed: a disk filled up."), now)?;
//!
//! // The reply goes out through a transport and is acknowledged.
//! let mut transport = RecordingTransport::new();
//! while let Some(msg) = desk.poll_outbound(now) {
//!     transport.deliver(&msg)?;
//!     desk.execute(&mut store, Command::new(Actor::integration("transport"), OutboxAction::MarkDelivered { message: msg.id }), now)?;
//! }
//! assert_eq!(transport.delivered().len(), 1);
//!
//! // The store alone rebuilds the same desk.
//! assert_eq!(Desk::rebuild(&store, DeskConfig::default())?, desk);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod access;
mod access_views;
mod archive;
mod arrivals;
mod assignment;
mod audience;
mod automations;
mod care;
mod channels;
mod coaching;
mod command;
mod commands;
mod config;
mod conversations;
mod crisis;
mod customer_desk;
mod customer_merge;
mod customers;
mod decision;
mod delivery;
mod error;
mod escalate;
mod export;
mod fields;
#[doc(hidden)]
pub mod fixture;
mod incident_book;
mod incident_spread;
mod incidents;
mod macro_desk;
mod merges;
mod pages;
mod people;
mod people_desk;
#[cfg(feature = "proptest")]
pub mod permission_checks;
mod posts;
mod queries;
mod queue_log;
mod queues;
mod recognition;
mod record;
mod refunds;
mod resume;
mod slas;
mod snapshot;
mod surveys;
mod texts;
mod ticketing;
mod tickets;
mod timeouts;
mod timers;
mod trends;
mod triggers;
mod versions;
mod views;

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

pub use crate::survey::SurveyAction;
pub use archive::{ArchiveNeed, ArchivePolicy, ArchivedEntry, ArchivedTicket, CustomerArchive};
pub use arrivals::{UnknownSender, UnknownSenders, new_contact_id, new_customer_id};
pub use assignment::Unassigned;
pub use channels::default_fallbacks;
pub use command::{
    Action, Command, CustomerAction, InboundMessage, IncidentAction, PeopleAction, TicketAction,
};
pub use config::DeskConfig;
// Recognition decides its own commands; they stay nameable here.
pub use crate::recognition::RecognitionAction;
pub use crisis::SafetyTicketView;
pub use customers::ContactRef;
pub use decision::{Decision, FirstOutcome};
pub use error::DeskError;
pub use escalate::{Escalation, Notice};
pub use export::{PersonExport, PraiseExport, SurveyExport};
pub use macro_desk::MacroPreview;
pub use pages::{PageKind, PagePolicy, PageTiming};
pub use queues::QueuesView;
pub use refunds::RefundsView;
pub use resume::{Resume, ResumeStep};
pub use snapshot::{DeskSnapshot, DeskState, RebuildReason, Restored, RestoredFrom, SnapshotError};
pub use timers::{NextTimer, Timer};
pub use views::{ChannelsView, CustomersView, IncidentsView, PeopleView, SurveysView, TicketsView};

use crate::actor::{Actor, Cause, CommandKey, TimerKind};
use crate::agent::{Agent, AgentCommand, AgentEventKind, Team, TeamCommand};
use crate::channel::ChannelStatus;
use crate::channel::{Channel, ChannelAddress, ChannelKind};
use crate::coaching::CoachingLog;
use crate::crisis::CrisisRecords;
use crate::customer::{ConsentSource, Customer, CustomerCommand, CustomerError, CustomerEventKind};
use crate::error::Error;
use crate::event::{CommandEvent, CommandEventKind, Event, StreamId};
use crate::guard::Posts;
use crate::id::{AgentId, ContactId, CustomerId, MessageId, TeamId, TicketId};
use crate::outbox::{
    DeliveryState, OutboundMessage, Outbox, OutboxEntry, OutboxEvent, OutboxEventKind, Recipient,
    RetryPolicy,
};
use crate::recognition::Recognition;
use crate::sla::{SlaConfig, SlaError, TicketSla, TimerKey};
use crate::store::{ExpectedVersion, NewEvent, RecordedEvent, Store, StoreError, StreamWrite};
use crate::survey::Invitations;
use crate::ticket::{
    Author, OpenTicket, Status, Ticket, TicketCommand, TicketEvent, TicketEventKind, TicketRules,
};
use crate::trend::TrendLog;
use crate::view::{AccountCustomerView, AgentCustomerView, AgentTicketView, CustomerTicketView};
use commands::Commands;
use decision::{Drafts, check_caller_ids, fingerprint, key_stream, legacy_fingerprint, message_of};
pub use delivery::LeasedMessage;
use delivery::outbox;
use pages::{Page, page_of};
use ticketing::{delivery_channel, is_live, public_network};
use timers::TimerTable;

/// Everything the desk knows; a pure function of the events applied.
/// Each area owns its state and folds its own streams.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
struct State {
    customers: customers::Customers,
    people: people::People,
    tickets: tickets::Tickets,
    slas: slas::Slas,
    outbox: Outbox,
    surveys: Invitations,
    recognition: Recognition,
    coaching: CoachingLog,
    posts: Posts,
    crises: CrisisRecords,
    channels: ChannelStatus,
    incidents: incident_book::Incidents,
    trends: TrendLog,
    refunds: crate::refund::RefundLedger,
    /// Custom-field definitions and forms.
    #[serde(default, skip_serializing_if = "crate::form::FieldConfig::is_empty")]
    fields: crate::form::FieldConfig,
    /// Messages from unknown senders held for triage, not yet resolved.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    triage: BTreeMap<TicketId, crate::ticket::TriagedMessage>,
    /// Automatic assignment: rotation cursors, waiting tickets, absences
    /// handled.
    #[serde(default, skip_serializing_if = "assignment::Assignments::is_empty")]
    assignments: assignment::Assignments,
    commands: Commands,
    versions: versions::Versions,
    position: u64,
}

/// The support desk. See the module docs.
#[derive(Clone)]
pub struct Desk {
    config: DeskConfig,
    state: State,
    /// Every running timer, delivery leases included. Derived from the
    /// state and the leases, so not part of the desk's equality.
    timers: TimerTable,
    /// Messages ready to hand out now, in queue order: queued and not
    /// leased, or whose retry or lease has come round. Not record: a
    /// rebuilt desk hands out every undelivered message again.
    ready: BTreeMap<u64, MessageId>,
    /// The fingerprint of the configuration the desk was created with
    /// (before contracts set by command), which its snapshots carry.
    base: crate::store::Fingerprint,
    /// Set while [`Desk::rebuild`] (and [`Desk::resume`] when it rebuilds)
    /// folds the record: applying events then
    /// leaves the timer table and the delivery queue alone, and both are
    /// derived from the state once at the end, as a restored snapshot's
    /// are (keeping them in step event by event was a fifth of a replay).
    replaying: bool,
    /// Every ticket's queue row, indexed: derived from the state (built
    /// once at the end of a replay and on restore), so not part of the
    /// desk's equality.
    queues: crate::queue::QueueIndex,
}

impl std::fmt::Debug for Desk {
    /// A summary, not a dump: how much the desk holds and what is next.
    ///
    /// ```
    /// # let fanatical::desk::fixture::Fixture { desk, .. } = fanatical::desk::fixture::fixture()?;
    /// assert_eq!(
    ///     format!("{desk:?}"),
    ///     "Desk { position: 6, customers: 1, agents: 1, tickets: 1, unsolved: 1, \
    ///      undelivered: 0, incidents: 0, timers: 0, next: None }"
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = &self.state;
        let unsolved = s
            .tickets
            .iter()
            .filter(|t| t.status().is_unsolved())
            .count();
        f.debug_struct("Desk")
            .field("position", &s.position)
            .field("customers", &s.customers.len())
            .field("agents", &s.people.agents().count())
            .field("tickets", &s.tickets.len())
            .field("unsolved", &unsolved)
            .field("undelivered", &s.outbox.undelivered())
            .field("incidents", &s.incidents.iter().count())
            .field("timers", &self.timers.len())
            .field(
                "next",
                &self
                    .timers
                    .next()
                    .map(|n| format!("{} at {}", n.kind, n.at)),
            )
            .finish()
    }
}

impl PartialEq for Desk {
    /// Two desks are equal when they hold the same state under the same
    /// configuration (the timer table and the delivery queue are derived
    /// from it, and outstanding delivery leases are not state).
    fn eq(&self, other: &Self) -> bool {
        self.config == other.config && self.state == other.state
    }
}

impl Desk {
    /// An empty desk.
    #[must_use]
    pub fn new(config: DeskConfig) -> Self {
        Desk {
            state: State {
                customers: customers::Customers::in_region(config.phone_region.clone()),
                ..State::default()
            },
            base: crate::store::Fingerprint::of(&config),
            config,
            timers: TimerTable::default(),
            ready: BTreeMap::new(),
            replaying: false,
            queues: crate::queue::QueueIndex::default(),
        }
    }

    /// A desk rebuilt from every event in `store`.
    ///
    /// # Errors
    /// Store errors; [`DeskError::OutOfOrder`] or
    /// [`DeskError::EventMismatch`] for a store that breaks its contract.
    ///
    /// ```
    /// # use chrono::{Duration, TimeZone, Utc};
    /// # use fanatical::prelude::*;
    /// # let fanatical::desk::fixture::Fixture { mut desk, mut store, mut ids, now, acme, jane, ana, ticket, email } =
    /// #     fanatical::desk::fixture::fixture()?;
    /// // After a restart: the store is the record, the desk a fold of it.
    /// let rebuilt = Desk::rebuild(&store, desk.config().clone())?;
    /// assert_eq!(rebuilt, desk);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn rebuild<S: Store + ?Sized>(store: &S, config: DeskConfig) -> Result<Self, Error> {
        let mut desk = Desk::new(config);
        desk.replay(store)?;
        Ok(desk)
    }

    /// Folds every event of `store` into a new desk (no leases, no timers
    /// yet): the state event by event, then the timer table and delivery
    /// queue from the state, once. Returns how many events were applied.
    pub(super) fn replay<S: Store + ?Sized>(&mut self, store: &S) -> Result<usize, Error> {
        self.replaying = true;
        let applied = self.catch_up(store);
        self.end_replay();
        applied
    }

    /// Applies every event stored after the last one this desk has seen
    /// (for a desk that shares its store with other writers). Returns how
    /// many events were applied.
    ///
    /// # Errors
    /// As [`Desk::rebuild`].
    ///
    /// ```
    /// # use chrono::{Duration, TimeZone, Utc};
    /// # use fanatical::prelude::*;
    /// # let fanatical::desk::fixture::Fixture { mut desk, mut store, mut ids, now, acme, jane, ana, ticket, email } =
    /// #     fanatical::desk::fixture::fixture()?;
    /// // A second replica on the same store learns what the first one wrote.
    /// let mut replica = Desk::rebuild(&store, desk.config().clone())?;
    /// desk.execute(&mut store, Command::reply(ticket, ana, "On it."), now)?;
    /// assert!(replica.catch_up(&store)? > 0);
    /// assert_eq!(replica, desk);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn catch_up<S: Store + ?Sized>(&mut self, store: &S) -> Result<usize, Error> {
        const PAGE: usize = 1024;
        let mut applied = 0;
        loop {
            let page = store.read_all_lent(self.state.position, PAGE)?;
            if page.is_empty() {
                return Ok(applied);
            }
            self.apply(&page)?;
            applied += page.len();
        }
    }

    /// Decides, persists and applies a command. Returns the stored events
    /// (none for a command that changes nothing).
    ///
    /// # Errors
    /// Any decision error (nothing is written); store errors, including
    /// [`crate::store::StoreError::Conflict`] when another writer got there
    /// first (the desk is unchanged: [`Desk::catch_up`] and retry).
    ///
    /// ```
    /// # use chrono::{Duration, TimeZone, Utc};
    /// # use fanatical::prelude::*;
    /// # let fanatical::desk::fixture::Fixture { mut desk, mut store, mut ids, now, acme, jane, ana, ticket, email } =
    /// #     fanatical::desk::fixture::fixture()?;
    /// let stored = desk.execute(&mut store, Command::reply(ticket, ana, "Back up: a full disk."), now)?;
    /// assert!(!stored.is_empty()); // the reply, and the message that carries it
    /// assert_eq!(desk.channels().undelivered(), 1);
    /// // A refused command writes nothing and changes nothing.
    /// let before = desk.clone();
    /// let unknown: TicketId = ids.next_id();
    /// assert!(desk.execute(&mut store, Command::reply(unknown, ana, "?"), now).is_err());
    /// assert_eq!(desk, before);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn execute<S: Store + ?Sized>(
        &mut self,
        store: &mut S,
        command: Command,
        now: DateTime<Utc>,
    ) -> Result<Vec<RecordedEvent>, Error> {
        let key = command.key.clone();
        let decision = match self.archive_needed(&command) {
            Some(need) => {
                let archive = CustomerArchive::read(store, &need)?;
                self.decide_with_archive(command, now, &archive)?
            }
            _ => self.decide(command, now)?,
        };
        if let Some(first) = decision.repeat_of() {
            // The command counted once already: hand back what it recorded
            // (its events carry its key; a store may interleave others').
            let limit = usize::try_from(first.len()).unwrap_or(usize::MAX);
            let mut recorded = store.read_all(first.first.saturating_sub(1), limit)?;
            recorded.retain(|r| r.command.is_some() && r.command == key);
            return Ok(recorded);
        }
        if decision.is_empty() {
            return Ok(Vec::new());
        }
        self.persist(store, &decision)
    }

    /// Persists a decision you decided (a trend escalation, say): appends
    /// its writes atomically and folds them in, as [`Desk::execute`] does
    /// for a command. Returns the stored events (none for an empty
    /// decision).
    ///
    /// # Errors
    /// Store errors, including
    /// [`crate::store::StoreError::Conflict`] when another writer got there
    /// first (the desk is unchanged: [`Desk::catch_up`] and decide again).
    pub fn commit<S: Store + ?Sized>(
        &mut self,
        store: &mut S,
        decision: &Decision,
    ) -> Result<Vec<RecordedEvent>, Error> {
        if decision.is_empty() {
            return Ok(Vec::new());
        }
        self.persist(store, decision)
    }

    /// Appends a decision and folds it in. When other writers appended
    /// between this desk's last event and ours (their streams, or the
    /// append would have conflicted), the desk catches up instead, so it
    /// applies everything in store order and misses nothing.
    fn persist<S: Store + ?Sized>(
        &mut self,
        store: &mut S,
        decision: &Decision,
    ) -> Result<Vec<RecordedEvent>, Error> {
        let appended = match decision.erasure() {
            Some(erasure) => store.append_erasing(decision.writes(), erasure),
            None => store.append(decision.writes()),
        };
        let recorded = match appended {
            Ok(recorded) => recorded,
            Err(StoreError::Conflict { stream, .. })
                if self.version(&stream) == 0 && self.forgot(store, &stream)? =>
            {
                // A stream this desk knew and forgot (an archived
                // ticket's): its id is taken, as a caller-chosen id of a
                // stream in memory would be.
                return Err(DeskError::AlreadyExists(stream).into());
            }
            Err(e) => return Err(e.into()),
        };
        match recorded.first() {
            Some(first) if first.position != self.state.position.saturating_add(1) => {
                self.catch_up(store)?;
            }
            _ => self.apply(&recorded)?,
        }
        Ok(recorded)
    }

    /// Whether `stream` exists in the store only up to what this desk has
    /// applied: it knew the stream and forgot it (archived), rather than
    /// another writer creating it since.
    fn forgot<S: Store + ?Sized>(&self, store: &S, stream: &StreamId) -> Result<bool, Error> {
        let last = store.read_stream(stream, 0)?.last().map(|r| r.position);
        Ok(last.is_some_and(|p| p <= self.state.position))
    }

    /// Decides a command without changing anything.
    ///
    /// # Errors
    /// The typed error of whatever was wrong: unknown ids
    /// ([`DeskError`]), and the model's own refusals ([`CustomerError`],
    /// [`crate::ticket::TicketError`], [`crate::agent::AgentError`]).
    ///
    /// ```
    /// # use chrono::{Duration, TimeZone, Utc};
    /// # use fanatical::prelude::*;
    /// # let fanatical::desk::fixture::Fixture { mut desk, mut store, mut ids, now, acme, jane, ana, ticket, email } =
    /// #     fanatical::desk::fixture::fixture()?;
    /// // Decide, persist the writes yourself (one atomic append), then apply.
    /// let decision = desk.decide(Command::reply(ticket, ana, "On it."), now)?;
    /// assert_eq!(desk.channels().undelivered(), 0, "deciding changes nothing");
    /// let stored = store.append(decision.writes())?;
    /// desk.apply(&stored)?;
    /// assert_eq!(desk.channels().undelivered(), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn decide(&self, command: Command, now: DateTime<Utc>) -> Result<Decision, Error> {
        self.decide_inner(command, now, None)
    }

    /// [`Desk::decide`], with the customer's archive when the command
    /// needs it.
    fn decide_inner(
        &self,
        command: Command,
        now: DateTime<Utc>,
        archive: Option<&CustomerArchive>,
    ) -> Result<Decision, Error> {
        let needs = self.archive_needed(&command);
        let Command { actor, key, action } = command;
        self.check_actor(&actor)?;
        check_caller_ids(&action)?;
        // Only a keyed command needs its fingerprint.
        let fingerprint = key.as_ref().map(|_| fingerprint(&actor, &action));
        if let (Some(key), Some(fingerprint)) = (&key, fingerprint) {
            if let Some(first) = self.state.commands.get(key) {
                let same = first.fingerprint == fingerprint
                    || (first.debug_form
                        && first.fingerprint == legacy_fingerprint(&actor, &action));
                if !same {
                    return Err(DeskError::KeyReused { key: key.clone() }.into());
                }
                return Ok(Decision::repeat(first.outcome));
            }
            // Another key whose stream name collides: refuse rather than
            // mistake one command for another.
            if self.version(&key_stream(key)) > 0 {
                return Err(DeskError::KeyReused { key: key.clone() }.into());
            }
        }
        // Who may do it, before anything is decided. A repeat of a
        // command accepted before is answered above with its first
        // outcome, which changes nothing whatever the actor may do now.
        self.authorise(&actor, &action)?;
        let mut d = Drafts::acting(actor, key.clone());
        if let Some(need) = needs {
            let customer = need.customer;
            let archive = archive
                .filter(|a| a.customer() == customer && (a.has_contents() || !need.contents))
                .ok_or(DeskError::ArchiveNeeded { customer })?;
            // Decided on the archive as read: a later archival for the
            // customer makes the append conflict.
            d.check(StreamId::Archive(customer));
            d.archive = Some(Box::new(archive.clone()));
        }
        match action {
            Action::Customer(a) => self.decide_customer(&mut d, a, now)?,
            Action::People(a) => self.decide_people(&mut d, a, now)?,
            Action::Ticket(a) => self.decide_ticket_action(&mut d, a, now)?,
            Action::Survey(a) => self.decide_survey(&mut d, a, now)?,
            Action::Recognition(a) => self.decide_recognition(&mut d, a, now)?,
            Action::Coaching(a) => self.decide_coaching(&mut d, a, now)?,
            Action::Incident(a) => self.decide_incident(&mut d, a, now)?,
            Action::Post(a) => self.decide_post(&mut d, a, now)?,
            Action::Channel(a) => self.decide_channel_action(&mut d, a, now)?,
            Action::Outbox(a) => self.decide_outbox(&mut d, a, now)?,
            Action::Refund(a) => self.decide_refund(&mut d, a, now)?,
            Action::Field(a) => self.decide_fields(&mut d, a, now)?,
            Action::Rules(a) => self.decide_rules(&mut d, a, now)?,
        }
        // The desk's triggers, on every ticket the command changed.
        self.run_triggers(&mut d, now);
        if let (Some(key), Some(fingerprint)) = (key, fingerprint) {
            d.accept(key, fingerprint, now);
        }
        Ok(d.finish_checked(self)?)
    }

    /// The configuration.
    #[must_use]
    pub fn config(&self) -> &DeskConfig {
        &self.config
    }

    /// The global position of the last event applied.
    #[must_use]
    pub fn position(&self) -> u64 {
        self.state.position
    }

    // ----- applying ------------------------------------------------------
}

#[cfg(test)]
mod tests;
