//! The desk: the facade over the model. Commands in; events, outbound
//! messages and views out.
//!
//! Every command goes **decide → persist → apply**:
//! 1. [`Desk::decide`] reads the desk's state and returns a [`Decision`]:
//!    the events for each stream, each write carrying the stream version it
//!    was decided against. Nothing changes.
//! 2. The caller persists the decision's writes with one atomic
//!    [`Store::append`] (or its own async store).
//! 3. [`Desk::apply`] folds the stored events in.
//!
//! [`Desk::execute`] does all three for synchronous callers. A rejected
//! command, a failed append or a conflicting append leaves the desk
//! exactly as it was. [`Desk::rebuild`] builds a desk from a store alone.
//!
//! Outbound messages (a reply to the customer on their channel) are part of
//! the same atomic append, then handed out by [`Desk::poll_outbound`] and
//! acknowledged with [`OutboxAction::MarkDelivered`] or [`OutboxAction::MarkFailed`]
//! (failures are retried with backoff; [`Desk::poll_timeout`] says when).
//!
//! # Example
//! ```
//! use chrono::{TimeZone, Utc};
//! use fanatical::channel::{Channel, ChannelAddress};
//! use fanatical::customer::CustomerCommand;
//! use fanatical::actor::Actor;
//! use fanatical::desk::{
//!     Command, CustomerAction, Desk, DeskConfig, InboundMessage, OutboxAction, PeopleAction,
//!     TicketAction,
//! };
//! use fanatical::id::IdGenerator;
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
//!     time_zone: chrono_tz::America::Chicago, roles: vec![], skills: vec![] }), now)?;
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

mod care;
mod channels;
mod coaching;
mod command;
mod commands;
mod crisis;
mod customers;
mod escalate;
mod incident_book;
mod incidents;
mod people;
mod posts;
mod recognition;
mod slas;
mod surveys;
mod tickets;
mod timers;
mod trends;
mod views;

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

pub use channels::default_fallbacks;
pub use command::{
    Action, ChannelAction, CoachingAction, Command, CustomerAction, InboundMessage, IncidentAction,
    OutboxAction, PeopleAction, PostAction, RecognitionAction, SurveyAction, TicketAction,
};
pub use customers::{ContactRef, Customers};
pub use escalate::{Escalation, Notice};
pub use incident_book::Incidents;
pub use people::People;
pub use recognition::RecognitionConfig;
pub use slas::Slas;
pub use tickets::{QueueChange, Tickets};
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
use crate::store::{ExpectedVersion, NewEvent, RecordedEvent, Store, StreamWrite};
use crate::survey::Invitations;
use crate::ticket::{
    Author, OpenTicket, Status, Ticket, TicketCommand, TicketEvent, TicketEventKind, TicketRules,
};
use crate::trend::TrendLog;
use crate::view::{AccountCustomerView, AgentCustomerView, AgentTicketView, CustomerTicketView};
use commands::Commands;
use timers::TimerTable;

/// Why the desk refused a command, or misuse of the desk's API.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DeskError {
    /// No such customer.
    #[error("unknown customer {0}")]
    UnknownCustomer(CustomerId),
    /// No such agent.
    #[error("unknown agent {0}")]
    UnknownAgent(AgentId),
    /// No such team.
    #[error("unknown team {0}")]
    UnknownTeam(TeamId),
    /// No such ticket.
    #[error("unknown ticket {0}")]
    UnknownTicket(TicketId),
    /// No such outbound message.
    #[error("unknown outbound message {0}")]
    UnknownMessage(MessageId),
    /// The agent has left and can take no work.
    #[error("agent {0} is deactivated")]
    InactiveAgent(AgentId),
    /// The id is taken.
    #[error("{0} already exists")]
    AlreadyExists(StreamId),
    /// The address belongs to another contact.
    #[error("address {address} already belongs to contact {contact} of customer {customer}")]
    AddressInUse {
        /// The address.
        address: ChannelAddress,
        /// Its customer.
        customer: CustomerId,
        /// Its contact.
        contact: ContactId,
    },
    /// A message from an address no contact has.
    #[error("no contact has the address {0}")]
    UnknownSender(ChannelAddress),
    /// The sender's address is not on the message's channel.
    #[error("address {address} cannot send on channel {channel}")]
    AddressNotOnChannel {
        /// The address.
        address: ChannelAddress,
        /// The channel.
        channel: Channel,
    },
    /// A contact acting on another customer's ticket.
    #[error("contact {contact} does not belong to customer {customer}")]
    ForeignContact {
        /// The contact.
        contact: ContactId,
        /// The customer it was used for.
        customer: CustomerId,
    },
    /// A consent recorded "by the contact" named another contact.
    #[error("consent for contact {contact} cannot be given by contact {given_by}")]
    ConsentByOtherContact {
        /// Whose consent.
        contact: ContactId,
        /// Who claimed to give it.
        given_by: ContactId,
    },
    /// A customer with no contact who has an email address (surveys go by
    /// email).
    #[error("customer {0} has no contact with an email address")]
    NoEmail(CustomerId),
    /// A reporting line that would go round in a circle.
    #[error("agent {agent} cannot report to {manager}: {manager} already reports up to {agent}")]
    ReportingCycle {
        /// The agent.
        agent: AgentId,
        /// The proposed manager.
        manager: AgentId,
    },
    /// Nobody to send a public reply to: no requester and no primary
    /// contact, or no address of theirs reaches the channel.
    #[error("ticket {ticket}: no contact can be reached on {channel}")]
    Unreachable {
        /// The ticket.
        ticket: TicketId,
        /// The reply's channel.
        channel: Channel,
    },
    /// Stored events handed to [`Desk::apply`] do not continue the desk's
    /// streams (a stale desk, or events applied twice); nothing was applied.
    #[error("stream {stream}: expected version {expected}, got {got}")]
    OutOfOrder {
        /// The stream.
        stream: StreamId,
        /// The next version the desk expects.
        expected: u64,
        /// The version handed in.
        got: u64,
    },
    /// A stored event does not belong to its stream's kind of aggregate.
    #[error("stream {stream} cannot hold event at version {version}")]
    EventMismatch {
        /// The stream.
        stream: StreamId,
        /// The event's version.
        version: u64,
    },
    /// No such contact.
    #[error("unknown contact {0}")]
    UnknownContact(ContactId),
    /// An action only an agent does, issued by someone else.
    #[error("{actor} cannot do this: only an agent can")]
    NeedsAgent {
        /// Who issued it.
        actor: Actor,
    },
    /// A command naming someone else as its author than the actor who
    /// issues it.
    #[error("{actor} cannot act as {named}")]
    ActorMismatch {
        /// Who issued it.
        actor: Actor,
        /// Whom it names as its author.
        named: Actor,
    },
    /// An id the caller chose is one the desk derives for something else,
    /// or is already taken.
    #[error("{kind} id {id} is already taken")]
    IdTaken {
        /// What kind of id.
        kind: &'static str,
        /// The id.
        id: uuid::Uuid,
    },
    /// The desk's own actor, claimed by a caller.
    #[error("the desk's own actor cannot issue commands")]
    SystemActor,
    /// An idempotency key already accepted with a different command.
    #[error("command key {key} was already used for a different command")]
    KeyReused {
        /// The key.
        key: CommandKey,
    },
}

/// How a desk behaves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DeskConfig {
    /// SLA policies, support hours and contracts.
    #[serde(default)]
    pub sla: SlaConfig,
    /// Surveys, the contact budget, follow-ups.
    #[serde(default)]
    pub surveys: crate::survey::SurveyConfig,
    /// Praise attribution and acknowledgement reminders.
    #[serde(default)]
    pub recognition: RecognitionConfig,
    /// The same kind of mistake twice within this long is flagged for
    /// coaching (default 30 days).
    #[serde(default = "default_coaching_window", with = "crate::time::seconds")]
    pub coaching_window: Duration,
    /// Official accounts and the review their posts pass.
    #[serde(default)]
    pub guard: crate::guard::GuardPolicy,
    /// The keyword policy applied to every inbound customer message.
    #[serde(default)]
    pub crisis: crate::crisis::KeywordPolicy,
    /// Components, credit policies, follow-ups.
    #[serde(default)]
    pub incidents: crate::incident::IncidentConfig,
    /// Trend detection.
    #[serde(default)]
    pub trends: crate::trend::TrendConfig,
    /// Proactive care: how far back a contact counts as a repeat.
    #[serde(default)]
    pub care: crate::metrics::CareConfig,
    /// What each channel falls back to when it is down.
    #[serde(default = "default_fallbacks")]
    pub fallbacks: BTreeMap<ChannelKind, Vec<ChannelKind>>,
    /// Limits on conversation entries.
    pub ticket_rules: TicketRules,
    /// Retries of failed deliveries.
    pub retry: RetryPolicy,
    /// How long a message handed out by `poll_outbound` is reserved for the
    /// caller before it is handed out again (default 5 minutes): a caller
    /// that crashes mid-delivery loses nothing.
    pub delivery_lease: Duration,
}

impl Default for DeskConfig {
    fn default() -> Self {
        DeskConfig {
            sla: SlaConfig::default(),
            surveys: crate::survey::SurveyConfig::default(),
            recognition: RecognitionConfig::default(),
            coaching_window: default_coaching_window(),
            guard: crate::guard::GuardPolicy::default(),
            crisis: crate::crisis::KeywordPolicy::default_policy(),
            fallbacks: default_fallbacks(),
            incidents: crate::incident::IncidentConfig::default(),
            trends: crate::trend::TrendConfig::default(),
            care: crate::metrics::CareConfig::default(),
            ticket_rules: TicketRules::default(),
            retry: RetryPolicy::default(),
            delivery_lease: Duration::minutes(5),
        }
    }
}

impl DeskConfig {
    /// The defaults with other ticket rules.
    #[must_use]
    pub fn with_ticket_rules(mut self, rules: TicketRules) -> Self {
        self.ticket_rules = rules;
        self
    }
    /// The defaults with SLA policies, calendars and contracts.
    #[must_use]
    pub fn with_sla(mut self, sla: SlaConfig) -> Self {
        self.sla = sla;
        self
    }
    /// The defaults with surveys.
    #[must_use]
    pub fn with_surveys(mut self, surveys: crate::survey::SurveyConfig) -> Self {
        self.surveys = surveys;
        self
    }
    /// The defaults with official accounts and their review policy.
    #[must_use]
    pub fn with_guard(mut self, guard: crate::guard::GuardPolicy) -> Self {
        self.guard = guard;
        self
    }
    /// The defaults with incident components, credits and follow-ups.
    #[must_use]
    pub fn with_incidents(mut self, incidents: crate::incident::IncidentConfig) -> Self {
        self.incidents = incidents;
        self
    }
    /// The defaults with trend detection settings.
    #[must_use]
    pub fn with_trends(mut self, trends: crate::trend::TrendConfig) -> Self {
        self.trends = trends;
        self
    }
    /// The defaults with another retry policy.
    #[must_use]
    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }
}

/// What a command decided: per-stream writes with expected versions.
/// Persist [`Decision::writes`] atomically, then [`Desk::apply`] the
/// stored events.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Decision {
    writes: Vec<StreamWrite>,
    repeat: Option<FirstOutcome>,
}

/// Where the first run of a keyed command was recorded: the events at
/// store positions `first..=last`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct FirstOutcome {
    /// The position of its first event.
    pub first: u64,
    /// The position of its last event.
    pub last: u64,
}

impl FirstOutcome {
    /// How many events it recorded.
    #[must_use]
    pub fn len(&self) -> u64 {
        self.last.saturating_sub(self.first).saturating_add(1)
    }

    /// Whether it recorded none (never: an accepted command records at
    /// least its acceptance).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.last < self.first
    }
}

impl Decision {
    /// A repeat of a keyed command: nothing to write.
    fn repeat(first: FirstOutcome) -> Self {
        Decision {
            writes: Vec::new(),
            repeat: Some(first),
        }
    }

    /// For a command repeated with an idempotency key already accepted:
    /// where its first run was recorded. Nothing is written again.
    #[must_use]
    pub fn repeat_of(&self) -> Option<FirstOutcome> {
        self.repeat
    }
    /// The writes to append, in one atomic batch.
    #[must_use]
    pub fn writes(&self) -> &[StreamWrite] {
        &self.writes
    }
    /// Whether the command changes nothing.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.writes.iter().all(|w| w.events.is_empty())
    }
    /// The decided events, in order.
    pub fn events(&self) -> impl Iterator<Item = &Event> {
        self.writes
            .iter()
            .flat_map(|w| w.events.iter().map(|e| &e.event))
    }
}

/// Everything the desk knows; a pure function of the events applied.
/// Each area owns its state and folds its own streams.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
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
    commands: Commands,
    versions: BTreeMap<StreamId, u64>,
    position: u64,
}

/// The support desk. See the module docs.
#[derive(Debug, Clone)]
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
            config,
            state: State::default(),
            timers: TimerTable::default(),
            ready: BTreeMap::new(),
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
    /// # let now = Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap();
    /// # let (mut ids, mut store) = (IdGenerator::from_seed(1), MemoryStore::new());
    /// # let mut desk = Desk::new(DeskConfig::default());
    /// # let (acme, jane, ana, ticket): (CustomerId, ContactId, AgentId, TicketId) =
    /// #     (ids.next_id(), ids.next_id(), ids.next_id(), ids.next_id());
    /// # let email = ChannelAddress::email("jane@acme.example")?;
    /// # for cmd in [
    /// #     Command::new(Actor::integration("setup"), CustomerAction::Register { id: acme, organisation: "Acme".into() }),
    /// #     Command::new(Actor::integration("setup"), CustomerAction::Update { customer: acme, command: CustomerCommand::AddContact {
    /// #         contact: jane, name: "Jane".into(), addresses: vec![email.clone()] } }),
    /// #     Command::new(Actor::integration("setup"), PeopleAction::RegisterAgent { id: ana, name: "Ana".into(), time_zone: chrono_tz::America::Chicago,
    /// #         roles: vec![Role::Agent], skills: vec![] }),
    /// #     Command::new(Actor::integration("inbound"), TicketAction::Receive(InboundMessage::new(ticket, Channel::Email, email.clone(), "Site down"))),
    /// # ] { desk.execute(&mut store, cmd, now)?; }
    /// // After a restart: the store is the record, the desk a fold of it.
    /// let rebuilt = Desk::rebuild(&store, desk.config().clone())?;
    /// assert_eq!(rebuilt, desk);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn rebuild<S: Store + ?Sized>(store: &S, config: DeskConfig) -> Result<Self, Error> {
        let mut desk = Desk::new(config);
        desk.catch_up(store)?;
        Ok(desk)
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
    /// # let now = Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap();
    /// # let (mut ids, mut store) = (IdGenerator::from_seed(1), MemoryStore::new());
    /// # let mut desk = Desk::new(DeskConfig::default());
    /// # let (acme, jane, ana, ticket): (CustomerId, ContactId, AgentId, TicketId) =
    /// #     (ids.next_id(), ids.next_id(), ids.next_id(), ids.next_id());
    /// # let email = ChannelAddress::email("jane@acme.example")?;
    /// # for cmd in [
    /// #     Command::new(Actor::integration("setup"), CustomerAction::Register { id: acme, organisation: "Acme".into() }),
    /// #     Command::new(Actor::integration("setup"), CustomerAction::Update { customer: acme, command: CustomerCommand::AddContact {
    /// #         contact: jane, name: "Jane".into(), addresses: vec![email.clone()] } }),
    /// #     Command::new(Actor::integration("setup"), PeopleAction::RegisterAgent { id: ana, name: "Ana".into(), time_zone: chrono_tz::America::Chicago,
    /// #         roles: vec![Role::Agent], skills: vec![] }),
    /// #     Command::new(Actor::integration("inbound"), TicketAction::Receive(InboundMessage::new(ticket, Channel::Email, email.clone(), "Site down"))),
    /// # ] { desk.execute(&mut store, cmd, now)?; }
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
            let page = store.read_all(self.state.position, PAGE)?;
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
    /// # let now = Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap();
    /// # let (mut ids, mut store) = (IdGenerator::from_seed(1), MemoryStore::new());
    /// # let mut desk = Desk::new(DeskConfig::default());
    /// # let (acme, jane, ana, ticket): (CustomerId, ContactId, AgentId, TicketId) =
    /// #     (ids.next_id(), ids.next_id(), ids.next_id(), ids.next_id());
    /// # let email = ChannelAddress::email("jane@acme.example")?;
    /// # for cmd in [
    /// #     Command::new(Actor::integration("setup"), CustomerAction::Register { id: acme, organisation: "Acme".into() }),
    /// #     Command::new(Actor::integration("setup"), CustomerAction::Update { customer: acme, command: CustomerCommand::AddContact {
    /// #         contact: jane, name: "Jane".into(), addresses: vec![email.clone()] } }),
    /// #     Command::new(Actor::integration("setup"), PeopleAction::RegisterAgent { id: ana, name: "Ana".into(), time_zone: chrono_tz::America::Chicago,
    /// #         roles: vec![Role::Agent], skills: vec![] }),
    /// #     Command::new(Actor::integration("inbound"), TicketAction::Receive(InboundMessage::new(ticket, Channel::Email, email.clone(), "Site down"))),
    /// # ] { desk.execute(&mut store, cmd, now)?; }
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
        let decision = self.decide(command, now)?;
        if let Some(first) = decision.repeat_of() {
            // The command counted once already: hand back what it recorded.
            let limit = usize::try_from(first.len()).unwrap_or(usize::MAX);
            return Ok(store.read_all(first.first.saturating_sub(1), limit)?);
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
        let recorded = store.append(decision.writes())?;
        match recorded.first() {
            Some(first) if first.position != self.state.position.saturating_add(1) => {
                self.catch_up(store)?;
            }
            _ => self.apply(&recorded)?,
        }
        Ok(recorded)
    }

    /// Folds stored events into the desk. The events must continue the
    /// desk's streams exactly; otherwise nothing is applied. When you
    /// persist a decision yourself and the store placed it after events
    /// this desk has not seen (its first position is not
    /// [`Desk::position`] + 1: another writer got in between, on other
    /// streams), call [`Desk::catch_up`] instead, which applies everything
    /// in store order.
    ///
    /// # Errors
    /// [`DeskError::OutOfOrder`], [`DeskError::EventMismatch`].
    pub fn apply(&mut self, recorded: &[RecordedEvent]) -> Result<(), Error> {
        // Check the whole batch first, so a bad batch changes nothing.
        let mut next: BTreeMap<StreamId, u64> = BTreeMap::new();
        for r in recorded {
            crate::store::check_schema(r.position, r.schema)?;
            let v = next
                .entry(r.stream)
                .or_insert_with(|| self.version(&r.stream));
            let expected = v.saturating_add(1);
            if r.version != expected {
                return Err(DeskError::OutOfOrder {
                    stream: r.stream,
                    expected,
                    got: r.version,
                }
                .into());
            }
            *v = expected;
            if !self.can_hold(r) {
                return Err(DeskError::EventMismatch {
                    stream: r.stream,
                    version: r.version,
                }
                .into());
            }
        }
        for r in recorded {
            self.apply_one(r);
        }
        Ok(())
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
    /// # let now = Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap();
    /// # let (mut ids, mut store) = (IdGenerator::from_seed(1), MemoryStore::new());
    /// # let mut desk = Desk::new(DeskConfig::default());
    /// # let (acme, jane, ana, ticket): (CustomerId, ContactId, AgentId, TicketId) =
    /// #     (ids.next_id(), ids.next_id(), ids.next_id(), ids.next_id());
    /// # let email = ChannelAddress::email("jane@acme.example")?;
    /// # for cmd in [
    /// #     Command::new(Actor::integration("setup"), CustomerAction::Register { id: acme, organisation: "Acme".into() }),
    /// #     Command::new(Actor::integration("setup"), CustomerAction::Update { customer: acme, command: CustomerCommand::AddContact {
    /// #         contact: jane, name: "Jane".into(), addresses: vec![email.clone()] } }),
    /// #     Command::new(Actor::integration("setup"), PeopleAction::RegisterAgent { id: ana, name: "Ana".into(), time_zone: chrono_tz::America::Chicago,
    /// #         roles: vec![Role::Agent], skills: vec![] }),
    /// #     Command::new(Actor::integration("inbound"), TicketAction::Receive(InboundMessage::new(ticket, Channel::Email, email.clone(), "Site down"))),
    /// # ] { desk.execute(&mut store, cmd, now)?; }
    /// // Decide, persist the writes yourself (one atomic append), then apply.
    /// let decision = desk.decide(Command::reply(ticket, ana, "On it."), now)?;
    /// assert_eq!(desk.channels().undelivered(), 0, "deciding changes nothing");
    /// let stored = store.append(decision.writes())?;
    /// desk.apply(&stored)?;
    /// assert_eq!(desk.channels().undelivered(), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn decide(&self, command: Command, now: DateTime<Utc>) -> Result<Decision, Error> {
        let Command { actor, key, action } = command;
        self.check_actor(&actor)?;
        let fingerprint = fingerprint(&actor, &action);
        if let Some(key) = &key {
            if let Some(first) = self.state.commands.get(key) {
                if first.fingerprint != fingerprint {
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
        let mut d = Drafts::acting(actor, key.clone());
        match action {
            Action::Customer(a) => self.decide_customer(&mut d, a, now)?,
            Action::People(a) => self.decide_people(&mut d, a, now)?,
            Action::Ticket(a) => self.decide_ticket_action(&mut d, a, now)?,
            Action::Survey(a) => self.decide_survey(&mut d, a, now)?,
            Action::Recognition(a) => self.decide_recognition(&mut d, a, now)?,
            Action::Coaching(a) => self.decide_coaching(&mut d, a, now)?,
            Action::Incident(a) => self.decide_incident(&mut d, a, now)?,
            Action::Post(a) => self.decide_post(&mut d, a, now)?,
            Action::Channel(a) => self.decide_channel_action(&mut d, a, now),
            Action::Outbox(a) => self.decide_outbox(&mut d, a, now)?,
        }
        if let Some(key) = key {
            d.accept(key, fingerprint, now);
        }
        self.check_ids(&d)?;
        Ok(d.finish(self))
    }

    /// Checks that the actor may issue commands at all: a known, active
    /// agent; a known contact; a well-named integration. The desk's own
    /// actor is not for callers.
    fn check_actor(&self, actor: &Actor) -> Result<(), Error> {
        match actor {
            Actor::Agent(a) => {
                self.active_agent(*a)?;
            }
            Actor::Contact(c) => {
                if self.state.customers.customer_of(*c).is_none() {
                    return Err(DeskError::UnknownContact(*c).into());
                }
            }
            Actor::System(_) => return Err(DeskError::SystemActor.into()),
            Actor::Integration(_) => actor.check()?,
        }
        Ok(())
    }

    /// The acting agent, for actions only an agent does.
    fn acting_agent(d: &Drafts) -> Result<AgentId, DeskError> {
        d.actor().agent().ok_or_else(|| DeskError::NeedsAgent {
            actor: d.actor().clone(),
        })
    }

    fn decide_customer(
        &self,
        d: &mut Drafts,
        action: CustomerAction,
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        match action {
            CustomerAction::Register { id, organisation } => {
                let stream = self.fresh(StreamId::Customer(id))?;
                let events = Customer::register(id, organisation, now)?;
                d.push(stream, events.into_iter().map(Event::Customer));
            }
            CustomerAction::Update { customer, command } => {
                let c = self.customer_or_err(customer)?;
                self.check_customer_command(c, &command)?;
                let events = c.handle(command, now)?;
                d.push(
                    StreamId::Customer(customer),
                    events.into_iter().map(Event::Customer),
                );
            }
        }
        Ok(())
    }

    fn decide_people(
        &self,
        d: &mut Drafts,
        action: PeopleAction,
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        match action {
            PeopleAction::RegisterAgent {
                id,
                name,
                time_zone,
                roles,
                skills,
            } => {
                let stream = self.fresh(StreamId::Agent(id))?;
                let events = Agent::register(id, name, time_zone, roles, skills, now)?;
                d.push(stream, events.into_iter().map(Event::Agent));
            }
            PeopleAction::UpdateAgent { agent, command } => {
                let a = self.agent(agent).ok_or(DeskError::UnknownAgent(agent))?;
                if let AgentCommand::ReportTo(Some(manager)) = &command {
                    self.check_reporting_line(agent, *manager)?;
                }
                let events = a.handle(command, now)?;
                d.push(StreamId::Agent(agent), events.into_iter().map(Event::Agent));
            }
            PeopleAction::CreateTeam { id, name } => {
                let stream = self.fresh(StreamId::Team(id))?;
                let events = Team::create(id, name, now)?;
                d.push(stream, events.into_iter().map(Event::Team));
            }
            PeopleAction::UpdateTeam { team, command } => {
                let t = self.team(team).ok_or(DeskError::UnknownTeam(team))?;
                if let TeamCommand::AddMember(a) | TeamCommand::SetLead(a) = &command {
                    self.active_agent(*a)?;
                }
                let events = t.handle(command, now)?;
                d.push(StreamId::Team(team), events.into_iter().map(Event::Team));
            }
        }
        Ok(())
    }

    fn decide_ticket_action(
        &self,
        d: &mut Drafts,
        action: TicketAction,
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        match action {
            TicketAction::Open(open) => self.decide_open(d, open, now)?,
            TicketAction::Receive(msg) => self.decide_inbound(d, msg, now)?,
            TicketAction::Reply {
                ticket,
                body,
                attachments,
            } => {
                let agent = Self::acting_agent(d)?;
                let channel = self.ticket_or_err(ticket)?.channel().clone();
                let command = TicketCommand::Reply {
                    author: Author::Agent(agent),
                    channel,
                    body,
                    attachments,
                };
                self.decide_ticket(d, ticket, command, now)?;
            }
            TicketAction::Update { ticket, command } => {
                check_named(d.actor(), &command)?;
                self.decide_ticket(d, ticket, command, now)?;
            }
            TicketAction::Promise { ticket, due, note } => {
                let agent = Self::acting_agent(d)?;
                if due <= now {
                    return Err(SlaError::PromiseInPast { due, now }.into());
                }
                let body = match note.trim() {
                    "" => format!("Promised the customer an update by {due}."),
                    n => format!("Promised the customer an update by {due}: {n}"),
                };
                let command = TicketCommand::Note {
                    agent,
                    body,
                    attachments: Vec::new(),
                };
                self.decide_ticket(d, ticket, command, now)?;
                let t = self.ticket_or_err(ticket)?;
                let empty = TicketSla::new(ticket, t.customer());
                let sla = self.state.slas.get(ticket).unwrap_or(&empty);
                d.push(
                    StreamId::Sla(ticket),
                    [Event::Sla(crate::sla::promise(sla, due, now))],
                );
            }
            TicketAction::Escalate {
                ticket,
                department,
                reason,
                context,
                notify,
            } => {
                let by = Self::acting_agent(d)?;
                for a in &notify {
                    self.active_agent(*a)?;
                }
                let body = format!("Ticket {ticket} is yours now ({department}): {reason}");
                let command = TicketCommand::HandOff {
                    to: department,
                    by,
                    reason,
                    context,
                };
                self.decide_ticket(d, ticket, command, now)?;
                let stream = StreamId::Ticket(ticket);
                let decided = d.count(&stream);
                if decided > 0 {
                    let last = stream.event_id(self.version(&stream).saturating_add(decided));
                    let messages = notify.iter().zip(1u64..).map(|(agent, i)| {
                        outbox(
                            now,
                            OutboxEventKind::Queued {
                                message: OutboundMessage {
                                    id: MessageId::derive(last, i),
                                    channel: Channel::Chat,
                                    recipient: Recipient::Agent { agent: *agent },
                                    body: body.clone(),
                                    ticket: Some(ticket),
                                    queued_at: now,
                                },
                            },
                        )
                    });
                    d.push(StreamId::Outbox, messages.collect::<Vec<_>>());
                }
            }
            TicketAction::Link {
                ticket,
                link,
                other,
            } => {
                let a = self.ticket_or_err(ticket)?;
                let b = self.ticket_or_err(other)?;
                let l = a.link(link, b, now)?;
                d.push(
                    StreamId::Ticket(ticket),
                    l.from.into_iter().map(Event::Ticket),
                );
                d.push(StreamId::Ticket(other), l.to.into_iter().map(Event::Ticket));
            }
            TicketAction::Merge { source, target } => {
                let by = Self::acting_agent(d)?;
                let a = self.ticket_or_err(source)?;
                let b = self.ticket_or_err(target)?;
                let m = a.merge_into(b, by, now)?;
                d.push(
                    StreamId::Ticket(source),
                    m.source.into_iter().map(Event::Ticket),
                );
                d.push(
                    StreamId::Ticket(target),
                    m.target.into_iter().map(Event::Ticket),
                );
            }
            TicketAction::FlagCrisis { ticket, signal } => {
                let t = self.ticket_or_err(ticket)?;
                if !self.is_crisis(ticket) {
                    let (events, responder) = self.crisis_takeover(t, now)?;
                    self.push_ticket(d, t, events, now);
                    self.push_crisis(d, ticket, signal, responder, now);
                }
            }
        }
        Ok(())
    }

    fn decide_outbox(
        &self,
        d: &mut Drafts,
        action: OutboxAction,
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        let (message, failure) = match action {
            OutboxAction::MarkDelivered { message } => (message, None),
            OutboxAction::MarkFailed { message, reason } => (message, Some(reason)),
        };
        let entry = self.outbox_or_err(message)?;
        if !matches!(
            entry.state,
            DeliveryState::Ready | DeliveryState::Backoff { .. }
        ) {
            return Ok(());
        }
        let kind = match failure {
            None => OutboxEventKind::Delivered { id: message },
            Some(reason) => {
                let attempt = entry.failures.saturating_add(1);
                if attempt >= self.config.retry.max_attempts {
                    OutboxEventKind::Abandoned {
                        id: message,
                        attempts: attempt,
                        reason,
                    }
                } else {
                    OutboxEventKind::Failed {
                        id: message,
                        attempt,
                        reason,
                        retry_at: crate::time::plus(now, self.config.retry.delay_after(attempt)),
                    }
                }
            }
        };
        d.push(StreamId::Outbox, [outbox(now, kind)]);
        Ok(())
    }

    /// The next outbound message to deliver, if any is due at `now`. It is
    /// leased to the caller for [`DeskConfig::delivery_lease`]; acknowledge
    /// it with [`OutboxAction::MarkDelivered`] or [`OutboxAction::MarkFailed`].
    ///
    /// ```
    /// # use chrono::{Duration, TimeZone, Utc};
    /// # use fanatical::prelude::*;
    /// # let now = Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap();
    /// # let (mut ids, mut store) = (IdGenerator::from_seed(1), MemoryStore::new());
    /// # let mut desk = Desk::new(DeskConfig::default());
    /// # let (acme, jane, ana, ticket): (CustomerId, ContactId, AgentId, TicketId) =
    /// #     (ids.next_id(), ids.next_id(), ids.next_id(), ids.next_id());
    /// # let email = ChannelAddress::email("jane@acme.example")?;
    /// # for cmd in [
    /// #     Command::new(Actor::integration("setup"), CustomerAction::Register { id: acme, organisation: "Acme".into() }),
    /// #     Command::new(Actor::integration("setup"), CustomerAction::Update { customer: acme, command: CustomerCommand::AddContact {
    /// #         contact: jane, name: "Jane".into(), addresses: vec![email.clone()] } }),
    /// #     Command::new(Actor::integration("setup"), PeopleAction::RegisterAgent { id: ana, name: "Ana".into(), time_zone: chrono_tz::America::Chicago,
    /// #         roles: vec![Role::Agent], skills: vec![] }),
    /// #     Command::new(Actor::integration("inbound"), TicketAction::Receive(InboundMessage::new(ticket, Channel::Email, email.clone(), "Site down"))),
    /// # ] { desk.execute(&mut store, cmd, now)?; }
    /// desk.execute(&mut store, Command::reply(ticket, ana, "Fixed."), now)?;
    /// let mut transport = RecordingTransport::new();
    /// while let Some(msg) = desk.poll_outbound(now) {
    ///     transport.deliver(&msg)?;
    ///     desk.execute(&mut store, Command::new(Actor::integration("transport"), OutboxAction::MarkDelivered { message: msg.id }), now)?;
    /// }
    /// assert_eq!(transport.delivered().len(), 1);
    /// assert_eq!(desk.channels().undelivered(), 0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn poll_outbound(&mut self, now: DateTime<Utc>) -> Option<OutboundMessage> {
        // Retries and leases that have come round join the queue again.
        for timer in self.timers.due_delivery(now) {
            self.timers.set(timer, None);
            if let Timer::Retry(id) | Timer::Lease(id) = timer {
                if let Some(entry) = self.state.outbox.get(id) {
                    if matches!(
                        entry.state,
                        DeliveryState::Ready | DeliveryState::Backoff { .. }
                    ) {
                        self.ready.insert(entry.queued_position, id);
                    }
                }
            }
        }
        let (_, id) = self.ready.pop_first()?;
        let message = self.state.outbox.get(id)?.message.clone();
        let until = crate::time::plus(now, self.config.delivery_lease);
        self.timers
            .set(Timer::Lease(id), Some((until, TimerKind::LeaseExpiry)));
        Some(message)
    }

    /// The next instant at which something becomes due: an SLA warning or
    /// breach (promises included), a praise-acknowledgement reminder, an
    /// incident update falling due or overdue, a failed delivery's retry,
    /// or a delivery lease running out. `None` when nothing is waiting.
    /// Sleep until then (or the next inbound message), then call
    /// [`Desk::handle_timeout`] and drain [`Desk::poll_outbound`].
    ///
    /// ```
    /// use chrono::{Duration, TimeZone, Utc};
    /// use fanatical::prelude::*;
    /// use fanatical::sla::{Clock, Conditions, Metric, SlaConfig, SlaPolicies, SlaPolicy, Target};
    ///
    /// let now = Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap();
    /// let (mut ids, mut store) = (IdGenerator::from_seed(3), MemoryStore::new());
    /// let hour = Target::new(Metric::FirstResponse, Duration::hours(1), Clock::Always);
    /// let policies = SlaPolicies::new(vec![SlaPolicy::new("standard", Conditions::any(), vec![hour])])?;
    /// let mut desk = Desk::new(DeskConfig::default().with_sla(SlaConfig::new(policies)));
    /// assert_eq!(desk.poll_timeout(), None, "nothing is waiting");
    /// let (acme, jane, ticket) = (ids.next_id(), ids.next_id(), ids.next_id());
    /// let email = ChannelAddress::email("jane@acme.example")?;
    /// desk.execute(&mut store, Command::new(Actor::integration("setup"), CustomerAction::Register { id: acme, organisation: "Acme".into() }), now)?;
    /// desk.execute(&mut store, Command::new(Actor::integration("setup"), CustomerAction::Update { customer: acme, command: CustomerCommand::AddContact {
    ///     contact: jane, name: "Jane".into(), addresses: vec![email.clone()] } }), now)?;
    /// desk.execute(&mut store, Command::new(Actor::integration("inbound"), TicketAction::Receive(InboundMessage::new(ticket, Channel::Email, email, "Help"))), now)?;
    /// // The first response is due within the hour: its clock is running.
    /// assert_eq!(desk.poll_timeout(), Some(now + Duration::hours(1)));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn poll_timeout(&self) -> Option<DateTime<Utc>> {
        self.timers.next().map(|n| n.at)
    }

    /// The next timer, and why it will wake the desk (an SLA deadline, an
    /// incident's cadence, a retry, a lease, ...): what a service logs when
    /// it wakes. O(1).
    #[must_use]
    pub fn next_timer(&self) -> Option<NextTimer> {
        self.timers.next()
    }

    /// Decides every timer due at or before `now`: SLA warnings and
    /// breaches, praise-acknowledgement reminders, and incident cadence
    /// warnings and follow-ups. Costs O(due · log n); decides nothing when
    /// nothing is due, so it is safe to call as often as you like. Persist
    /// and apply it like any [`Decision`] (async callers), or call
    /// [`Desk::handle_timeout`], which does all three.
    #[must_use]
    pub fn decide_timeouts(&self, now: DateTime<Utc>) -> Decision {
        let mut d = Drafts::system(Cause::Timer(TimerKind::Sla));
        let mut due: BTreeMap<TicketId, Vec<TimerKey>> = BTreeMap::new();
        let mut reminders = Vec::new();
        let mut incidents = Vec::new();
        for timer in self.timers.due(now) {
            match timer {
                Timer::Sla(key) => due.entry(key.ticket).or_default().push(key),
                Timer::Reminder(praise) => reminders.push(praise),
                Timer::Incident(incident) => incidents.push(incident),
                Timer::Retry(_) | Timer::Lease(_) => {}
            }
        }
        for (ticket, keys) in due {
            if let Some(sla) = self.state.slas.get(ticket) {
                d.push(
                    StreamId::Sla(ticket),
                    sla.fire(&keys, now).into_iter().map(Event::Sla),
                );
            }
        }
        d.act_for(Cause::Timer(TimerKind::PraiseReminder));
        self.decide_reminders(&mut d, &reminders, now);
        self.decide_incident_timers(&mut d, &incidents, now);
        d.finish(self)
    }

    /// Fires every timer due at or before `now` (see
    /// [`Desk::decide_timeouts`]): decides, persists and applies. A no-op
    /// when nothing is due; each breach is recorded once however often
    /// this is called.
    ///
    /// # Errors
    /// Store errors (the desk is then unchanged).
    ///
    /// ```
    /// use chrono::{Duration, TimeZone, Utc};
    /// use fanatical::prelude::*;
    /// use fanatical::sla::{Clock, Conditions, Metric, SlaConfig, SlaPolicies, SlaPolicy, Target};
    ///
    /// let now = Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap();
    /// let hour = Target::new(Metric::FirstResponse, Duration::hours(1), Clock::Always);
    /// let policies = SlaPolicies::new(vec![SlaPolicy::new("standard", Conditions::any(), vec![hour])])?;
    /// let mut desk = Desk::new(DeskConfig::default().with_sla(SlaConfig::new(policies)));
    /// let (mut ids, mut store) = (IdGenerator::from_seed(2), MemoryStore::new());
    /// let (acme, jane, ticket) = (ids.next_id(), ids.next_id(), ids.next_id());
    /// let email = ChannelAddress::email("jane@acme.example")?;
    /// desk.execute(&mut store, Command::new(Actor::integration("setup"), CustomerAction::Register { id: acme, organisation: "Acme".into() }), now)?;
    /// desk.execute(&mut store, Command::new(Actor::integration("setup"), CustomerAction::Update { customer: acme, command: CustomerCommand::AddContact {
    ///     contact: jane, name: "Jane".into(), addresses: vec![email.clone()] } }), now)?;
    /// desk.execute(&mut store, Command::new(Actor::integration("inbound"), TicketAction::Receive(InboundMessage::new(ticket, Channel::Email, email, "Help"))), now)?;
    /// // Nobody answers: at the deadline the breach is recorded, once.
    /// let due = desk.poll_timeout().unwrap();
    /// assert_eq!(desk.handle_timeout(&mut store, due)?.len(), 1);
    /// assert!(desk.handle_timeout(&mut store, due)?.is_empty());
    /// assert!(desk.tickets().sla(ticket).unwrap().metrics()[0].breached.is_some());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn handle_timeout<S: Store + ?Sized>(
        &mut self,
        store: &mut S,
        now: DateTime<Utc>,
    ) -> Result<Vec<RecordedEvent>, Error> {
        let decision = self.decide_timeouts(now);
        if decision.is_empty() {
            return Ok(Vec::new());
        }
        self.persist(store, &decision)
    }

    // ----- queries -------------------------------------------------------

    /// The configuration.
    #[must_use]
    pub fn config(&self) -> &DeskConfig {
        &self.config
    }
    /// See [`CustomersView::get`].
    pub(crate) fn customer(&self, id: CustomerId) -> Option<&Customer> {
        self.state.customers.get(id)
    }
    /// See [`PeopleView::agent`].
    pub(crate) fn agent(&self, id: AgentId) -> Option<&Agent> {
        self.state.people.agent(id)
    }
    /// See [`PeopleView::agents`].
    pub(crate) fn agents(&self) -> impl Iterator<Item = &Agent> {
        self.state.people.agents()
    }
    /// See [`PeopleView::team`].
    pub(crate) fn team(&self, id: TeamId) -> Option<&Team> {
        self.state.people.team(id)
    }
    /// See [`TicketsView::get`].
    pub(crate) fn ticket(&self, id: TicketId) -> Option<&Ticket> {
        self.state.tickets.get(id)
    }
    /// See [`TicketsView::of_customer`].
    pub(crate) fn tickets_of(&self, customer: CustomerId) -> impl Iterator<Item = &Ticket> {
        self.state.tickets.of_customer(customer)
    }

    /// See [`TicketsView::opened`].
    pub(crate) fn tickets_opened(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> impl Iterator<Item = &Ticket> {
        self.state.tickets.opened(from, to)
    }
    /// See [`TicketsView::loads`].
    pub(crate) fn loads(&self) -> &BTreeMap<AgentId, u32> {
        self.state.tickets.loads()
    }

    /// See [`TicketsView::route`].
    pub(crate) fn route_ticket(
        &self,
        ticket: TicketId,
        router: &crate::routing::Router,
        skills: &[crate::agent::Skill],
        now: DateTime<Utc>,
    ) -> Result<crate::routing::Routing, Error> {
        self.ticket_or_err(ticket)?;
        Ok(router.route(skills, self.state.tickets.loads(), now)?)
    }

    /// See [`TicketsView::sla`].
    pub(crate) fn ticket_sla(&self, ticket: TicketId) -> Option<&TicketSla> {
        self.state.slas.get(ticket)
    }
    /// See [`TicketsView::slas`].
    pub(crate) fn slas(&self) -> impl Iterator<Item = &TicketSla> {
        self.state.slas.iter()
    }
    /// See [`TicketsView::running_timers`].
    pub(crate) fn running_timers(&self) -> usize {
        self.timers.count(|t| matches!(t, Timer::Sla(_)))
    }
    /// See [`CustomersView::find_contact`].
    pub(crate) fn find_contact(&self, address: &ChannelAddress) -> Option<ContactRef> {
        self.state.customers.find_contact(address)
    }
    /// See [`ChannelsView::outbound`].
    pub(crate) fn outbound(&self, id: MessageId) -> Option<&OutboxEntry> {
        self.state.outbox.get(id)
    }
    /// See [`ChannelsView::outbox`].
    pub(crate) fn outbox(&self) -> impl Iterator<Item = &OutboxEntry> {
        self.state.outbox.iter()
    }
    /// See [`ChannelsView::undelivered`].
    pub(crate) fn undelivered(&self) -> usize {
        self.state.outbox.undelivered()
    }
    /// A stream's version as this desk knows it.
    #[must_use]
    pub(crate) fn version(&self, stream: &StreamId) -> u64 {
        self.state.versions.get(stream).copied().unwrap_or(0)
    }
    /// The global position of the last event applied.
    #[must_use]
    pub fn position(&self) -> u64 {
        self.state.position
    }

    // ----- views ---------------------------------------------------------

    /// A ticket as one of its customer's contacts sees it.
    ///
    /// # Errors
    /// Unknown ticket; [`crate::view::ViewError::NotTheirTicket`].
    ///
    /// ```
    /// # use chrono::{Duration, TimeZone, Utc};
    /// # use fanatical::prelude::*;
    /// # let now = Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap();
    /// # let (mut ids, mut store) = (IdGenerator::from_seed(1), MemoryStore::new());
    /// # let mut desk = Desk::new(DeskConfig::default());
    /// # let (acme, jane, ana, ticket): (CustomerId, ContactId, AgentId, TicketId) =
    /// #     (ids.next_id(), ids.next_id(), ids.next_id(), ids.next_id());
    /// # let email = ChannelAddress::email("jane@acme.example")?;
    /// # for cmd in [
    /// #     Command::new(Actor::integration("setup"), CustomerAction::Register { id: acme, organisation: "Acme".into() }),
    /// #     Command::new(Actor::integration("setup"), CustomerAction::Update { customer: acme, command: CustomerCommand::AddContact {
    /// #         contact: jane, name: "Jane".into(), addresses: vec![email.clone()] } }),
    /// #     Command::new(Actor::integration("setup"), PeopleAction::RegisterAgent { id: ana, name: "Ana".into(), time_zone: chrono_tz::America::Chicago,
    /// #         roles: vec![Role::Agent], skills: vec![] }),
    /// #     Command::new(Actor::integration("inbound"), TicketAction::Receive(InboundMessage::new(ticket, Channel::Email, email.clone(), "Site down"))),
    /// # ] { desk.execute(&mut store, cmd, now)?; }
    /// desk.execute(&mut store, Command::note(ticket, ana, "She sounds stressed: call her."), now)?;
    /// desk.execute(&mut store, Command::reply(ticket, ana, "Fixed: the disk was full."), now)?;
    /// let seen = desk.customer_ticket_view(ticket, jane)?;
    /// assert_eq!(seen.conversation.len(), 2); // her message and the reply, never the note
    /// // Someone else's contact sees nothing.
    /// assert!(desk.customer_ticket_view(ticket, ids.next_id()).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn customer_ticket_view(
        &self,
        ticket: TicketId,
        contact: ContactId,
    ) -> Result<CustomerTicketView, Error> {
        let t = self.ticket_or_err(ticket)?;
        let c = self.customer_or_err(t.customer())?;
        Ok(CustomerTicketView::for_contact(t, c, contact)?)
    }

    /// A ticket as support sees it.
    ///
    /// # Errors
    /// Unknown ticket.
    pub fn agent_ticket_view(&self, ticket: TicketId) -> Result<AgentTicketView, Error> {
        let mut view = AgentTicketView::from_ticket(self.ticket_or_err(ticket)?);
        if self.is_crisis(ticket) {
            // Crisis details are for the safety role only (`safety_ticket_view`):
            // the subject came from the message, so it goes too.
            view.subject = crisis::RESTRICTED.to_owned();
            for e in &mut view.conversation {
                e.body = crisis::RESTRICTED.to_owned();
                e.attachments.clear();
            }
        }
        Ok(view)
    }

    /// A customer as an agent sees it: no spend, no tier.
    ///
    /// # Errors
    /// Unknown customer.
    ///
    /// ```
    /// # use chrono::{Duration, TimeZone, Utc};
    /// # use fanatical::prelude::*;
    /// # let now = Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap();
    /// # let (mut ids, mut store) = (IdGenerator::from_seed(1), MemoryStore::new());
    /// # let mut desk = Desk::new(DeskConfig::default());
    /// # let (acme, jane, ana, ticket): (CustomerId, ContactId, AgentId, TicketId) =
    /// #     (ids.next_id(), ids.next_id(), ids.next_id(), ids.next_id());
    /// # let email = ChannelAddress::email("jane@acme.example")?;
    /// # for cmd in [
    /// #     Command::new(Actor::integration("setup"), CustomerAction::Register { id: acme, organisation: "Acme".into() }),
    /// #     Command::new(Actor::integration("setup"), CustomerAction::Update { customer: acme, command: CustomerCommand::AddContact {
    /// #         contact: jane, name: "Jane".into(), addresses: vec![email.clone()] } }),
    /// #     Command::new(Actor::integration("setup"), PeopleAction::RegisterAgent { id: ana, name: "Ana".into(), time_zone: chrono_tz::America::Chicago,
    /// #         roles: vec![Role::Agent], skills: vec![] }),
    /// #     Command::new(Actor::integration("inbound"), TicketAction::Receive(InboundMessage::new(ticket, Channel::Email, email.clone(), "Site down"))),
    /// # ] { desk.execute(&mut store, cmd, now)?; }
    /// use fanatical::customer::{AccountStanding, Currency, Money, Tier};
    /// let standing = AccountStanding { monthly_spend: Money { minor: 25_000_000, currency: Currency::new("USD")? },
    ///     tier: Tier::Enterprise };
    /// desk.execute(&mut store, Command::new(Actor::integration("setup"), CustomerAction::Update { customer: acme,
    ///     command: CustomerCommand::SetAccountStanding { standing } }), now)?;
    /// // What an agent sees has no field for spend or tier at all.
    /// let seen = serde_json::to_string(&desk.agent_customer_view(acme)?)?;
    /// assert!(!seen.contains("spend") && !seen.contains("tier"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn agent_customer_view(&self, customer: CustomerId) -> Result<AgentCustomerView, Error> {
        Ok(AgentCustomerView::from_customer(
            self.customer_or_err(customer)?,
        ))
    }

    /// A customer with spend and tier, for a viewer whose role needs it.
    ///
    /// # Errors
    /// Unknown customer or agent; [`crate::view::ViewError::Forbidden`].
    ///
    /// ```
    /// # use chrono::{Duration, TimeZone, Utc};
    /// # use fanatical::prelude::*;
    /// # let now = Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap();
    /// # let (mut ids, mut store) = (IdGenerator::from_seed(1), MemoryStore::new());
    /// # let mut desk = Desk::new(DeskConfig::default());
    /// # let (acme, jane, ana, ticket): (CustomerId, ContactId, AgentId, TicketId) =
    /// #     (ids.next_id(), ids.next_id(), ids.next_id(), ids.next_id());
    /// # let email = ChannelAddress::email("jane@acme.example")?;
    /// # for cmd in [
    /// #     Command::new(Actor::integration("setup"), CustomerAction::Register { id: acme, organisation: "Acme".into() }),
    /// #     Command::new(Actor::integration("setup"), CustomerAction::Update { customer: acme, command: CustomerCommand::AddContact {
    /// #         contact: jane, name: "Jane".into(), addresses: vec![email.clone()] } }),
    /// #     Command::new(Actor::integration("setup"), PeopleAction::RegisterAgent { id: ana, name: "Ana".into(), time_zone: chrono_tz::America::Chicago,
    /// #         roles: vec![Role::Agent], skills: vec![] }),
    /// #     Command::new(Actor::integration("inbound"), TicketAction::Receive(InboundMessage::new(ticket, Channel::Email, email.clone(), "Site down"))),
    /// # ] { desk.execute(&mut store, cmd, now)?; }
    /// let bea: AgentId = ids.next_id();
    /// desk.execute(&mut store, Command::new(Actor::integration("setup"), PeopleAction::RegisterAgent { id: bea, name: "Bea".into(),
    ///     time_zone: chrono_tz::America::Chicago, roles: vec![Role::Billing], skills: vec![] }), now)?;
    /// assert!(desk.account_customer_view(acme, bea).is_ok());
    /// assert!(desk.account_customer_view(acme, ana).is_err()); // an agent is refused, with the roles needed
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn account_customer_view(
        &self,
        customer: CustomerId,
        viewer: AgentId,
    ) -> Result<AccountCustomerView, Error> {
        let c = self.customer_or_err(customer)?;
        let a = self.agent(viewer).ok_or(DeskError::UnknownAgent(viewer))?;
        Ok(AccountCustomerView::for_viewer(c, a)?)
    }

    // ----- deciding ------------------------------------------------------

    /// The id the next event of a stream will have in this decision.
    fn next_event_id(&self, d: &Drafts, stream: &StreamId) -> crate::id::EventId {
        stream.event_id(
            self.version(stream)
                .saturating_add(d.count(stream))
                .saturating_add(1),
        )
    }

    fn fresh(&self, stream: StreamId) -> Result<StreamId, DeskError> {
        if self.version(&stream) == 0 {
            Ok(stream)
        } else {
            Err(DeskError::AlreadyExists(stream))
        }
    }

    fn customer_or_err(&self, id: CustomerId) -> Result<&Customer, DeskError> {
        self.state
            .customers
            .get(id)
            .ok_or(DeskError::UnknownCustomer(id))
    }

    fn ticket_or_err(&self, id: TicketId) -> Result<&Ticket, DeskError> {
        self.state
            .tickets
            .get(id)
            .ok_or(DeskError::UnknownTicket(id))
    }

    fn outbox_or_err(&self, id: MessageId) -> Result<&OutboxEntry, DeskError> {
        self.state
            .outbox
            .get(id)
            .ok_or(DeskError::UnknownMessage(id))
    }

    fn active_agent(&self, id: AgentId) -> Result<&Agent, DeskError> {
        let a = self.agent(id).ok_or(DeskError::UnknownAgent(id))?;
        if a.is_active() {
            Ok(a)
        } else {
            Err(DeskError::InactiveAgent(id))
        }
    }

    /// A new reporting line must name a known manager and not make a
    /// circle (walk up from the manager; meeting the agent is a cycle).
    fn check_reporting_line(&self, agent: AgentId, manager: AgentId) -> Result<(), DeskError> {
        if manager == agent {
            // The agent itself refuses this, more precisely.
            return Ok(());
        }
        self.active_agent(manager)?;
        let mut at = Some(manager);
        let mut steps = 0usize;
        while let Some(m) = at {
            if m == agent {
                return Err(DeskError::ReportingCycle { agent, manager });
            }
            at = self.agent(m).and_then(Agent::manager);
            steps += 1;
            if steps > self.state.people.agents().count() {
                break;
            }
        }
        Ok(())
    }

    /// See [`PeopleView::organisation`].
    pub(crate) fn organisation(&self) -> Result<crate::org::Organisation, crate::org::OrgProblems> {
        let mut b = crate::org::Organisation::builder();
        for a in self.agents().filter(|a| a.is_active()) {
            b = b.person(a.id(), a.name());
            if let Some(m) = a.manager() {
                b = b.reports_to(a.id(), m);
            }
        }
        for t in self.state.people.teams() {
            let members = t
                .members()
                .iter()
                .copied()
                .filter(|m| self.agent(*m).is_some_and(Agent::is_active));
            b = b.team(t.id(), t.name(), t.lead(), members);
        }
        b.build()
    }

    fn check_address_free(
        &self,
        address: &ChannelAddress,
        owner: (CustomerId, ContactId),
    ) -> Result<(), DeskError> {
        match self.state.customers.find_contact(address) {
            Some(ContactRef { customer, contact }) if (customer, contact) != owner => {
                Err(DeskError::AddressInUse {
                    address: address.clone(),
                    customer,
                    contact,
                })
            }
            _ => Ok(()),
        }
    }

    /// Checks a customer command's references to the rest of the desk.
    fn check_customer_command(&self, c: &Customer, command: &CustomerCommand) -> Result<(), Error> {
        match command {
            CustomerCommand::AddContact {
                contact, addresses, ..
            } => {
                for a in addresses {
                    let a = a.clone().validated()?;
                    self.check_address_free(&a, (c.id(), *contact))?;
                }
            }
            CustomerCommand::AddAddress { contact, address } => {
                let a = address.clone().validated()?;
                self.check_address_free(&a, (c.id(), *contact))?;
            }
            CustomerCommand::AssignAccountTeam { agent, .. } => {
                self.active_agent(*agent)?;
            }
            CustomerCommand::RecordConsent { contact, source } => match source {
                ConsentSource::Agent(a) => {
                    self.active_agent(*a)?;
                }
                ConsentSource::Contact(given_by) if given_by != contact => {
                    return Err(DeskError::ConsentByOtherContact {
                        contact: *contact,
                        given_by: *given_by,
                    }
                    .into());
                }
                ConsentSource::Contact(_) => {}
            },
            CustomerCommand::RunOn { component } => {
                self.config.incidents.components.check(component)?;
            }
            _ => {}
        }
        Ok(())
    }

    fn check_author(&self, customer: &Customer, author: Author) -> Result<(), Error> {
        match author {
            Author::Contact(contact) => {
                if customer.contact(contact).is_none() {
                    return Err(CustomerError::UnknownContact {
                        customer: customer.id(),
                        contact,
                    }
                    .into());
                }
            }
            Author::Agent(a) => {
                self.active_agent(a)?;
            }
            Author::System => {}
        }
        Ok(())
    }

    fn decide_open(
        &self,
        d: &mut Drafts,
        open: OpenTicket,
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        let stream = self.fresh(StreamId::Ticket(open.id))?;
        let customer = self.customer_or_err(open.customer)?;
        if let Some(r) = open.requester {
            if customer.contact(r).is_none() {
                return Err(CustomerError::UnknownContact {
                    customer: customer.id(),
                    contact: r,
                }
                .into());
            }
        }
        if let Some(m) = &open.message {
            self.check_author(customer, m.author)?;
        }
        let id = open.id;
        let customer_id = open.customer;
        let signal = open
            .message
            .as_ref()
            .filter(|m| matches!(m.author, Author::Contact(_)))
            .and_then(|m| crate::crisis::CrisisClassifier::assess(&self.config.crisis, &m.body));
        let mut events = Ticket::open(open, &self.config.ticket_rules, now)?;
        let mut crisis = None;
        if let Some(signal) = signal {
            let t = Ticket::from_events(&events).ok_or(DeskError::UnknownTicket(id))?;
            let (more, responder) = self.crisis_takeover(&t, now)?;
            events.extend(more);
            crisis = Some((signal, responder));
        }
        let sla = crate::sla::react(None, &events, customer_id, &self.config.sla, now);
        d.push(stream, events.into_iter().map(Event::Ticket));
        d.push(StreamId::Sla(id), sla.into_iter().map(Event::Sla));
        if let Some((signal, responder)) = crisis {
            self.push_crisis(d, id, signal, responder, now);
        }
        Ok(())
    }

    /// Pushes a ticket's events and their SLA consequences.
    fn push_ticket(
        &self,
        d: &mut Drafts,
        t: &Ticket,
        events: Vec<TicketEvent>,
        now: DateTime<Utc>,
    ) {
        if events.is_empty() {
            return;
        }
        let empty;
        let sla = match self.state.slas.get(t.id()) {
            Some(s) => s,
            None => {
                empty = TicketSla::new(t.id(), t.customer());
                &empty
            }
        };
        let reactions =
            crate::sla::react(Some((t, sla)), &events, t.customer(), &self.config.sla, now);
        d.push(
            StreamId::Ticket(t.id()),
            events.into_iter().map(Event::Ticket),
        );
        d.push(StreamId::Sla(t.id()), reactions.into_iter().map(Event::Sla));
    }

    fn decide_inbound(
        &self,
        d: &mut Drafts,
        msg: InboundMessage,
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        let from = msg.from.clone().validated()?;
        let ContactRef { customer, contact } = self
            .state
            .customers
            .find_contact(&from)
            .ok_or_else(|| DeskError::UnknownSender(from.clone()))?;
        let on_channel = match &msg.channel {
            // A portal user is signed in: any of their addresses will do.
            Channel::Portal => true,
            // A video session is scheduled with whatever address they gave.
            Channel::Video => true,
            c => from.reaches(c),
        };
        if !on_channel {
            return Err(DeskError::AddressNotOnChannel {
                address: from,
                channel: msg.channel,
            }
            .into());
        }
        let continuing = match msg.in_reply_to {
            Some(id) => {
                let t = self.ticket_or_err(id)?;
                if t.customer() != customer {
                    return Err(DeskError::ForeignContact {
                        contact,
                        customer: t.customer(),
                    }
                    .into());
                }
                // A closed ticket takes no replies: open a follow-up.
                (t.status() != Status::Closed).then_some(id)
            }
            None => None,
        };
        if let Some(ticket) = continuing {
            let command = TicketCommand::Reply {
                author: Author::Contact(contact),
                channel: msg.channel,
                body: msg.body,
                attachments: msg.attachments,
            };
            return self.decide_ticket(d, ticket, command, now);
        }
        let subject = match msg.subject.as_deref().map(str::trim) {
            Some(s) if !s.is_empty() => s.to_owned(),
            _ => subject_from_body(&msg.body),
        };
        let mut open = OpenTicket::new(msg.new_ticket, customer, &subject, msg.channel)
            .requested_by(contact)
            .with_message(Author::Contact(contact), &msg.body);
        for a in msg.attachments {
            open = open.with_attachment(a);
        }
        self.decide_open(d, open, now)
    }

    fn decide_ticket(
        &self,
        d: &mut Drafts,
        ticket: TicketId,
        command: TicketCommand,
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        let t = self.ticket_or_err(ticket)?;
        let customer = self.customer_or_err(t.customer())?;
        match &command {
            TicketCommand::Reply { author, .. } => self.check_author(customer, *author)?,
            TicketCommand::Note { agent, .. }
            | TicketCommand::Assign(Some(agent))
            | TicketCommand::HandOff { by: agent, .. } => {
                self.active_agent(*agent)?;
            }
            TicketCommand::SetTeam(Some(team)) if self.team(*team).is_none() => {
                return Err(DeskError::UnknownTeam(*team).into());
            }
            _ => {}
        }
        let signal = match &command {
            TicketCommand::Reply {
                author: Author::Contact(_),
                body,
                ..
            } if !self.is_crisis(ticket) => {
                crate::crisis::CrisisClassifier::assess(&self.config.crisis, body)
            }
            _ => None,
        };
        let mut events = t.handle_with(command, &self.config.ticket_rules, now)?;
        let mut crisis = None;
        if let Some(signal) = signal {
            let mut after = t.clone();
            for e in &events {
                after.apply(e);
            }
            let (more, responder) = self.crisis_takeover(&after, now)?;
            events.extend(more);
            crisis = Some((signal, responder));
        }
        if let Some((signal, responder)) = crisis {
            self.push_crisis(d, ticket, signal, responder, now);
        }
        self.finish_ticket(d, t, customer, events, now, true)
    }

    /// The rest of a ticket decision once its events are known: replies
    /// queued to the customer, SLA reactions, and (with `csat`) the
    /// satisfaction survey on solving.
    fn finish_ticket(
        &self,
        d: &mut Drafts,
        t: &Ticket,
        customer: &Customer,
        events: Vec<TicketEvent>,
        now: DateTime<Utc>,
        csat: bool,
    ) -> Result<(), Error> {
        let ticket = t.id();
        let stream = StreamId::Ticket(ticket);
        let base = self.version(&stream).saturating_add(d.count(&stream));
        let mut messages = Vec::new();
        for (e, v) in events.iter().zip(1u64..) {
            if let TicketEventKind::EntryAdded { entry } = &e.kind {
                let agent_public = matches!(entry.author, Author::Agent(_))
                    && entry.visibility == crate::ticket::EntryVisibility::Public;
                // A live channel that is down cannot carry the reply
                // (nobody can take the call): it goes out on a fallback.
                let live = is_live(&entry.channel) && !self.is_down(entry.channel.kind());
                if agent_public && !live {
                    let (channel, contact, address) =
                        self.route_reply(t, customer, &entry.channel)?;
                    let event_id = stream.event_id(base.saturating_add(v));
                    messages.push(outbox(
                        now,
                        OutboxEventKind::Queued {
                            message: OutboundMessage {
                                id: MessageId::derive(event_id, 0),
                                channel,
                                recipient: Recipient::Contact { contact, address },
                                body: entry.body.clone(),
                                ticket: Some(ticket),
                                queued_at: now,
                            },
                        },
                    ));
                }
            }
        }
        let solved = events.iter().any(|e| {
            matches!(
                e.kind,
                TicketEventKind::StatusChanged {
                    to: Status::Solved,
                    ..
                }
            )
        });
        let solved_by = events.iter().rev().find_map(|e| match e.kind {
            TicketEventKind::Assigned { agent } => Some(agent),
            _ => None,
        });
        let assignee = solved_by.unwrap_or(t.assignee());
        let last = stream.event_id(base.saturating_add(u64::try_from(events.len()).unwrap_or(0)));
        self.push_ticket(d, t, events, now);
        d.push(StreamId::Outbox, messages);
        if solved && csat {
            self.csat_on_solve(d, t, assignee, last, now);
        }
        Ok(())
    }

    // ----- applying ------------------------------------------------------

    fn can_hold(&self, r: &RecordedEvent) -> bool {
        Self::holds(&r.stream, r.version, &r.event)
    }

    /// Whether `event` may be the event at `version` of `stream`: creation
    /// events open their own stream, and only it.
    fn holds(stream: &StreamId, version: u64, event: &Event) -> bool {
        let first = version == 1;
        match (stream, event) {
            (StreamId::Customer(id), Event::Customer(e)) => {
                first == matches!(e.kind, CustomerEventKind::Registered { id: i, .. } if i == *id)
            }
            (StreamId::Agent(id), Event::Agent(e)) => {
                first == matches!(e.kind, AgentEventKind::Registered { id: i, .. } if i == *id)
            }
            (StreamId::Team(id), Event::Team(e)) => {
                first
                    == matches!(e.kind, crate::agent::TeamEventKind::Created { id: i, .. } if i == *id)
            }
            (StreamId::Ticket(id), Event::Ticket(e)) => {
                first == matches!(e.kind, TicketEventKind::Opened { id: i, .. } if i == *id)
            }
            (StreamId::Outbox, Event::Outbox(_)) => true,
            (StreamId::Surveys, Event::Survey(_)) => true,
            (StreamId::Recognition, Event::Recognition(_)) => true,
            (StreamId::Coaching, Event::Coaching(_)) => true,
            (StreamId::Posts, Event::Post(_)) => true,
            (StreamId::Crisis, Event::Crisis(_)) => true,
            (StreamId::Channels, Event::Channel(_)) => true,
            (StreamId::Trends, Event::Trend(_)) => true,
            (StreamId::Command(_), Event::Command(_)) => first,
            (StreamId::Incident(id), Event::Incident(e)) => {
                first
                    == matches!(e.kind, crate::incident::IncidentEventKind::Declared { id: i, .. } if i == *id)
            }
            (StreamId::Sla(_), Event::Sla(e)) => {
                // Every ticket's SLA record opens with the policy in force.
                !first || matches!(e.kind, crate::sla::SlaEventKind::PolicyApplied { .. })
            }
            _ => false,
        }
    }

    /// Refuses a decision, before anything is written, in which an id the
    /// caller chose collides with one the desk derives or already holds: a
    /// creation event for a stream that exists, a message, invitation,
    /// praise or post id that is taken or drafted twice. (Such a decision
    /// would be stored and then refused by every rebuild.)
    fn check_ids(&self, d: &Drafts) -> Result<(), DeskError> {
        let mut seen = std::collections::BTreeSet::new();
        for (stream, events) in &d.streams {
            let base = self.version(stream);
            for ((_, event), i) in events.iter().zip(1u64..) {
                let version = base.saturating_add(i);
                if !Self::holds(stream, version, event) {
                    return Err(DeskError::AlreadyExists(*stream));
                }
                let (kind, id, taken) = match event {
                    Event::Outbox(OutboxEvent {
                        kind: OutboxEventKind::Queued { message },
                        ..
                    }) => (
                        "message",
                        message.id.as_uuid(),
                        self.state.outbox.get(message.id).is_some(),
                    ),
                    Event::Survey(crate::survey::SurveyEvent {
                        kind: crate::survey::SurveyEventKind::Invited { invitation },
                        ..
                    }) => (
                        "invitation",
                        invitation.id.as_uuid(),
                        self.state.surveys.contains(invitation.id),
                    ),
                    Event::Recognition(crate::recognition::RecognitionEvent {
                        kind: crate::recognition::RecognitionEventKind::PraiseRecorded { praise },
                        ..
                    }) => (
                        "praise",
                        praise.id.as_uuid(),
                        self.state.recognition.praise(praise.id).is_some(),
                    ),
                    Event::Post(crate::guard::PostEvent {
                        kind: crate::guard::PostEventKind::Submitted { post, .. },
                        ..
                    }) => (
                        "post",
                        post.id.as_uuid(),
                        self.state.posts.get(post.id).is_some(),
                    ),
                    _ => continue,
                };
                if taken || !seen.insert((kind, id)) {
                    return Err(DeskError::IdTaken { kind, id });
                }
            }
        }
        Ok(())
    }

    /// Keeps the delivery queue and timers in step with an outbox event
    /// recorded at `position`.
    fn deliver_after(&mut self, position: u64, e: &OutboxEvent) {
        match &e.kind {
            OutboxEventKind::Queued { message } => {
                self.ready.insert(position, message.id);
            }
            OutboxEventKind::Delivered { id } | OutboxEventKind::Abandoned { id, .. } => {
                self.settle(*id, None);
            }
            OutboxEventKind::Failed { id, retry_at, .. } => {
                self.settle(*id, Some(*retry_at));
            }
        }
    }

    /// A message is delivered, given up on, or (with `retry`) waits to be
    /// tried again: its lease ends and it leaves the queue.
    fn settle(&mut self, id: MessageId, retry: Option<DateTime<Utc>>) {
        if let Some(entry) = self.state.outbox.get(id) {
            self.ready.remove(&entry.queued_position);
        }
        self.timers.set(Timer::Lease(id), None);
        let retry = retry.map(|at| (at, TimerKind::DeliveryRetry));
        self.timers.set(Timer::Retry(id), retry);
    }

    /// Routes one recorded event to the area that owns its stream.
    fn apply_one(&mut self, r: &RecordedEvent) {
        let s = &mut self.state;
        s.versions.insert(r.stream, r.version);
        s.position = s.position.max(r.position);
        if let Some(key) = &r.command {
            s.commands.record(key, r.position);
        }
        match (&r.stream, &r.event) {
            (StreamId::Customer(id), Event::Customer(e)) => s.customers.apply(*id, e),
            (StreamId::Agent(id), Event::Agent(e)) => s.people.apply_agent(*id, e),
            (StreamId::Team(id), Event::Team(e)) => s.people.apply_team(*id, e),
            (StreamId::Ticket(id), Event::Ticket(e)) => s.tickets.apply(*id, e),
            (StreamId::Sla(id), Event::Sla(e)) => {
                let customer = s.tickets.get(*id).map(Ticket::customer);
                for (key, due) in s.slas.apply(*id, customer, e) {
                    let due = due.map(|at| (at, TimerKind::Sla));
                    self.timers.set(Timer::Sla(key), due);
                }
            }
            (StreamId::Outbox, Event::Outbox(e)) => {
                s.outbox.apply(r.position, e);
                self.deliver_after(r.position, e);
            }
            (StreamId::Surveys, Event::Survey(e)) => s.surveys.apply(e),
            (StreamId::Recognition, Event::Recognition(e)) => {
                s.recognition.apply(e, self.config.recognition.remind_every);
                if let Some(praise) = e.kind.praise() {
                    let next = s.recognition.next_reminder(praise);
                    let due = next.map(|at| (at, TimerKind::PraiseReminder));
                    self.timers.set(Timer::Reminder(praise), due);
                }
            }
            (StreamId::Coaching, Event::Coaching(e)) => s.coaching.apply(e),
            (StreamId::Posts, Event::Post(e)) => s.posts.apply(e),
            (StreamId::Crisis, Event::Crisis(e)) => s.crises.apply(e),
            (StreamId::Channels, Event::Channel(e)) => s.channels.apply(e),
            (StreamId::Incident(id), Event::Incident(e)) => {
                let next = s.incidents.apply(*id, e);
                self.timers.set(Timer::Incident(*id), next);
            }
            (StreamId::Trends, Event::Trend(e)) => s.trends.apply(e),
            (StreamId::Command(_), Event::Command(e)) => s.commands.apply(r.position, e),
            // `can_hold` refused every other pairing before anything was
            // applied.
            _ => {}
        }
    }
}

fn default_coaching_window() -> Duration {
    Duration::days(30)
}

/// Who a drafted event is by, and the key of the command behind it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Stamp {
    actor: Actor,
    command: Option<CommandKey>,
}

/// Events being decided, grouped by stream in first-touched order, each
/// stamped with who did it.
struct Drafts {
    /// Who the events pushed from now on are by.
    stamp: Stamp,
    streams: Vec<(StreamId, Vec<(Stamp, Event)>)>,
    /// Where each stream is in `streams` (a timeout can touch thousands).
    index: BTreeMap<StreamId, usize>,
}

impl Drafts {
    /// Drafts for a command by `actor`, under `key`.
    fn acting(actor: Actor, command: Option<CommandKey>) -> Self {
        Drafts {
            stamp: Stamp { actor, command },
            streams: Vec::new(),
            index: BTreeMap::new(),
        }
    }

    /// Drafts for what the desk does by itself, for `cause`.
    fn system(cause: Cause) -> Self {
        Drafts::acting(Actor::System(cause), None)
    }

    /// Empty drafts by the same actor, under the same key.
    fn fork(&self) -> Self {
        Drafts::acting(self.stamp.actor.clone(), self.stamp.command.clone())
    }

    /// Who the events are by.
    fn actor(&self) -> &Actor {
        &self.stamp.actor
    }

    /// Events pushed from now on are by the desk, for `cause`.
    fn act_for(&mut self, cause: Cause) {
        self.stamp = Stamp {
            actor: Actor::System(cause),
            command: None,
        };
    }

    /// How many events are drafted for a stream.
    fn count(&self, stream: &StreamId) -> u64 {
        self.index
            .get(stream)
            .and_then(|&i| self.streams.get(i))
            .map_or(0, |(_, l)| u64::try_from(l.len()).unwrap_or(u64::MAX))
    }

    fn push(&mut self, stream: StreamId, events: impl IntoIterator<Item = Event>) {
        let stamp = &self.stamp;
        let mut events = events.into_iter().map(|e| (stamp.clone(), e)).peekable();
        if events.peek().is_none() {
            return;
        }
        let list = match self.index.get(&stream) {
            Some(&i) => self.streams.get_mut(i).map(|(_, l)| l),
            None => None,
        };
        match list {
            Some(list) => list.extend(events),
            None => {
                self.index.insert(stream, self.streams.len());
                self.streams.push((stream, events.collect()));
            }
        }
    }

    /// Appends another draft's events, stream by stream, as stamped.
    fn absorb(&mut self, other: Drafts) {
        let stamp = self.stamp.clone();
        for (stream, events) in other.streams {
            for (s, e) in events {
                self.stamp = s;
                self.push(stream, [e]);
            }
        }
        self.stamp = stamp;
    }

    /// Records that a keyed command was accepted, as the first write of
    /// the decision, when it decided anything.
    fn accept(&mut self, key: CommandKey, fingerprint: u64, now: DateTime<Utc>) {
        if self.streams.is_empty() {
            return;
        }
        let event = Event::Command(CommandEvent {
            at: now,
            kind: CommandEventKind::Accepted {
                key: key.clone(),
                fingerprint,
            },
        });
        let stream = key_stream(&key);
        self.streams
            .insert(0, (stream, vec![(self.stamp.clone(), event)]));
        for i in self.index.values_mut() {
            *i = i.saturating_add(1);
        }
        self.index.insert(stream, 0);
    }

    fn finish(self, desk: &Desk) -> Decision {
        Decision {
            writes: self
                .streams
                .into_iter()
                .map(|(stream, events)| {
                    let base = desk.version(&stream);
                    let events = events
                        .into_iter()
                        .zip(1u64..)
                        .map(|((stamp, event), i)| NewEvent {
                            id: stream.event_id(base.saturating_add(i)),
                            schema: crate::event::SCHEMA_VERSION,
                            actor: Some(stamp.actor),
                            command: stamp.command,
                            event,
                        })
                        .collect();
                    StreamWrite {
                        stream,
                        expected: ExpectedVersion::Exact(base),
                        events,
                    }
                })
                .collect(),
            repeat: None,
        }
    }
}

/// The stream that records a keyed command.
fn key_stream(key: &CommandKey) -> StreamId {
    StreamId::Command(crate::id::CommandId::for_key(key.as_str()))
}

/// A fingerprint of a command's actor and action (FNV-1a over their debug
/// form), so the same key sent with another command is recognised.
fn fingerprint(actor: &Actor, action: &Action) -> u64 {
    let text = format!("{actor:?}|{action:?}");
    text.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Whether a ticket change names the actor as its author: an agent may not
/// reply, note or hand off as someone else, nor a contact write as another
/// contact or as staff.
fn check_named(actor: &Actor, command: &TicketCommand) -> Result<(), DeskError> {
    let named = match command {
        TicketCommand::Reply { author, .. } => match author {
            Author::Agent(a) => Actor::Agent(*a),
            Author::Contact(c) => Actor::Contact(*c),
            Author::System => return Ok(()),
        },
        TicketCommand::Note { agent, .. } | TicketCommand::HandOff { by: agent, .. } => {
            Actor::Agent(*agent)
        }
        TicketCommand::SetStatus(_)
        | TicketCommand::SetPriority(_)
        | TicketCommand::SetType(_)
        | TicketCommand::Assign(_)
        | TicketCommand::SetTeam(_)
        | TicketCommand::AddTag(_)
        | TicketCommand::RemoveTag(_) => return Ok(()),
    };
    match actor {
        Actor::Agent(_) | Actor::Contact(_) if *actor != named => Err(DeskError::ActorMismatch {
            actor: actor.clone(),
            named,
        }),
        _ => Ok(()),
    }
}

fn outbox(at: DateTime<Utc>, kind: OutboxEventKind) -> Event {
    Event::Outbox(OutboxEvent { at, kind })
}

/// Phone and video replies happen live: there is nothing to deliver.
fn is_live(channel: &Channel) -> bool {
    matches!(channel.kind(), ChannelKind::Phone | ChannelKind::Video)
}

/// Portal replies are delivered as email notifications; every other
/// channel delivers on itself.
fn delivery_channel(channel: &Channel) -> Channel {
    match channel {
        Channel::Portal => Channel::Email,
        c => c.clone(),
    }
}

/// A subject from a message's first line, at most 80 characters.
fn subject_from_body(body: &str) -> String {
    let line = body
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    let mut s: String = line.chars().take(80).collect();
    if line.chars().count() > 80 {
        s.push('…');
    }
    if s.is_empty() {
        "(no subject)".to_owned()
    } else {
        s
    }
}

#[cfg(test)]
mod tests;
