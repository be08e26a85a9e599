//! Why the desk refused a command, or how its API was misused.

#![allow(clippy::wildcard_imports)]

use super::*;

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
    /// A macro names something the desk does not have (a field, an
    /// agent, a team, a contact, a reply template, an escalation node),
    /// or cannot act.
    #[error("macro {name:?}: {reason}")]
    InvalidMacro {
        /// The macro's name.
        name: String,
        /// What is wrong.
        reason: String,
    },
    /// No macro of this name on the desk.
    #[error("unknown macro {0:?}")]
    UnknownMacro(String),
    /// A macro the agent is not offered: inactive, or for teams they are
    /// not in.
    #[error("macro {name:?} is not offered to agent {agent}")]
    MacroNotOffered {
        /// The macro's name.
        name: String,
        /// The agent.
        agent: AgentId,
    },
    /// A trigger names something the desk does not have (a field, an
    /// agent, a team, a contact, an escalation node), or cannot act.
    #[error("trigger {trigger:?}: {reason}")]
    InvalidTrigger {
        /// The trigger's name.
        trigger: String,
        /// What is wrong.
        reason: String,
    },
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
    #[error("{} already exists", crate::event::Named(.0))]
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
    /// The address is the placeholder an erased address becomes
    /// ([`ChannelAddress::erased`]): nobody's, so nobody may have it.
    #[error("address {0} is the placeholder of an erased address")]
    ErasedAddress(ChannelAddress),
    /// A message from an address no contact has.
    #[error("no contact has the address {0}")]
    UnknownSender(ChannelAddress),
    /// No message is held for triage under this id (never held, or
    /// attached or discarded already).
    #[error("no message is held for triage as {0}")]
    UnknownTriage(TicketId),
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
    /// The command concerns tickets archived out of memory (see
    /// [`crate::desk::Desk::archive_needed`]): read the customer's archive
    /// and decide with [`crate::desk::Desk::decide_with_archive`].
    /// [`crate::desk::Desk::execute`] does it itself.
    #[error(
        "this command needs the archive of customer {customer} read from the store \
         (Desk::decide_with_archive)"
    )]
    ArchiveNeeded {
        /// Whose archive.
        customer: CustomerId,
    },
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
    /// A caller-chosen id in the form the desk derives ids in (UUID
    /// version 8): follow-up tickets, CSAT and incident follow-up
    /// invitations, messages and events are derived that way, so a caller
    /// id of that form could take one before the desk derives it. Choose
    /// ids of another version ([`crate::id::IdGenerator`] gives version 4).
    #[error(
        "{kind} id {id} is of the form the desk derives ids in (UUID version 8); choose another"
    )]
    ReservedId {
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
    /// The customer was merged into another: commands name that one.
    #[error("customer {customer} was merged into customer {into}")]
    CustomerMerged {
        /// The customer named.
        customer: CustomerId,
        /// The customer it was merged into.
        into: CustomerId,
    },
    /// The customers of a merge are on different SLA contracts: put the
    /// source on the target's contract first (its running metrics are
    /// retargeted then).
    #[error(
        "customer {from} is on another SLA contract than customer {into}: put it on the target's contract first"
    )]
    ContractDiffers {
        /// The customer merged away.
        from: CustomerId,
        /// The customer it would become.
        into: CustomerId,
    },
    /// A customer with a crisis ticket is not merged: a safety responder's
    /// case does not change account under them.
    #[error("customer {customer} has crisis ticket {ticket}: it cannot be merged")]
    MergeHeldByCrisis {
        /// The customer.
        customer: CustomerId,
        /// The crisis ticket.
        ticket: TicketId,
    },
    /// A customer an active incident affects is not merged until it ends:
    /// the incident's updates, credits and follow-ups are theirs.
    #[error(
        "customer {customer} is affected by active incident {incident}: merge it once the incident ends"
    )]
    MergeDuringIncident {
        /// The customer.
        customer: CustomerId,
        /// The incident.
        incident: crate::id::IncidentId,
    },
}
