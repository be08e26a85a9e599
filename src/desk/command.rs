use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::actor::{Actor, CommandKey};
use crate::agent::{AgentCommand, Role, Skill, TeamCommand};
use crate::channel::ChannelAction;
use crate::channel::{Channel, ChannelAddress};
use crate::coaching::CoachingAction;
use crate::customer::{CustomerCommand, ErasureScope};
use crate::field::{FieldKey, FieldValue, FieldValues};
use crate::form::FieldAction;
use crate::guard::PostAction;
use crate::id::{AgentId, ContactId, CustomerId, TeamId, TicketId};
use crate::outbox::OutboxAction;
use crate::recognition::RecognitionAction;
use crate::refund::RefundAction;
use crate::rules::RulesAction;
use crate::survey::SurveyAction;
use crate::ticket::{Attachment, Author, LinkKind, OpenTicket, Status, Tag, TicketCommand};

/// A message that arrived on a channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct InboundMessage {
    /// The id for a new ticket, used when the message does not continue
    /// an open ticket.
    pub new_ticket: TicketId,
    /// The ticket the message answers (an email thread, a chat session),
    /// if known. A message answering a closed ticket opens a follow-up.
    pub in_reply_to: Option<TicketId>,
    /// The channel it came by.
    pub channel: Channel,
    /// The sender's address; it must belong to a known contact.
    pub from: ChannelAddress,
    /// A subject, if the channel has one.
    pub subject: Option<String>,
    /// The text.
    pub body: String,
    /// Files.
    pub attachments: Vec<Attachment>,
    /// Tags for the ticket (a form's hidden tags, a mail rule's), added
    /// to a new ticket or to the one the message continues.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Tag>,
    /// Custom-field values for the ticket (a web form's fields), set on a
    /// new ticket or on the one the message continues. Each is checked
    /// like any value set on a ticket: a bad one refuses the message.
    #[serde(default, skip_serializing_if = "FieldValues::is_empty")]
    pub fields: FieldValues,
}

impl InboundMessage {
    /// A message with no subject, no attachments, and no thread.
    #[must_use]
    pub fn new(new_ticket: TicketId, channel: Channel, from: ChannelAddress, body: &str) -> Self {
        InboundMessage {
            new_ticket,
            in_reply_to: None,
            channel,
            from,
            subject: None,
            body: body.to_owned(),
            attachments: Vec::new(),
            tags: Vec::new(),
            fields: FieldValues::new(),
        }
    }
    /// Continues a ticket.
    #[must_use]
    pub fn in_reply_to(mut self, ticket: TicketId) -> Self {
        self.in_reply_to = Some(ticket);
        self
    }
    /// Sets the subject.
    #[must_use]
    pub fn with_subject(mut self, subject: &str) -> Self {
        self.subject = Some(subject.to_owned());
        self
    }
    /// Adds a file.
    #[must_use]
    pub fn with_attachment(mut self, attachment: Attachment) -> Self {
        self.attachments.push(attachment);
        self
    }
    /// Adds a tag for the ticket.
    #[must_use]
    pub fn with_tag(mut self, tag: Tag) -> Self {
        self.tags.push(tag);
        self
    }
    /// Sets a custom field of the ticket.
    ///
    /// ```
    /// # use fanatical::prelude::*;
    /// # let fanatical::desk::fixture::Fixture { mut desk, mut store, mut ids, now, acme, jane, ana, ticket, email } =
    /// #     fanatical::desk::fixture::fixture()?;
    /// use fanatical::field::{FieldKey, FieldValue};
    /// // A web form sends a field the desk does not know: the message is
    /// // refused, naming it, and nothing is written.
    /// let msg = InboundMessage::new(ids.next_id(), Channel::Email, email, "Help")
    ///     .with_field(FieldKey::new("order")?, FieldValue::text("ORD-1"));
    /// let err = desk.execute(&mut store, Command::new(Actor::integration("inbound"), TicketAction::Receive(msg)), now);
    /// assert_eq!(err.unwrap_err().to_string(), "unknown field order");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn with_field(mut self, key: FieldKey, value: FieldValue) -> Self {
        self.fields.insert(key, value);
        self
    }
}

/// A command: who issues it, an optional idempotency key, and what one
/// area of the desk is asked to do.
///
/// The actor is checked before anything is decided (an agent must be known
/// and active, a contact known, an integration named by one word) and is
/// recorded on every event the command causes, with its key. A command
/// repeated with the same key returns its first outcome and writes
/// nothing; the same key with another command is refused.
///
/// ```
/// use fanatical::actor::{Actor, CommandKey};
/// use fanatical::desk::{Command, CustomerAction};
/// use fanatical::id::{CustomerId, IdGenerator};
///
/// let acme: CustomerId = IdGenerator::from_seed(1).next_id();
/// let cmd = Command::new(
///     Actor::integration("crm"),
///     CustomerAction::Register { id: acme, organisation: "Acme".into() },
/// )
/// .with_key(CommandKey::new("crm-import-acme")?);
/// assert_eq!(cmd.key.as_ref().map(CommandKey::as_str), Some("crm-import-acme"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Command {
    /// Who issues it.
    pub actor: Actor,
    /// The caller's idempotency key, if it wants the command to count once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<CommandKey>,
    /// What is asked, of which area.
    pub action: Action,
}

impl Command {
    /// A command without an idempotency key.
    #[must_use]
    pub fn new(actor: Actor, action: impl Into<Action>) -> Self {
        Command {
            actor,
            key: None,
            action: action.into(),
        }
    }

    /// The same command with an idempotency key.
    #[must_use]
    pub fn with_key(mut self, key: CommandKey) -> Self {
        self.key = Some(key);
        self
    }

    /// An agent's public reply on the ticket's own channel.
    #[must_use]
    pub fn reply(ticket: TicketId, agent: AgentId, body: &str) -> Self {
        Command::new(
            Actor::Agent(agent),
            TicketAction::Reply {
                ticket,
                body: body.to_owned(),
                attachments: Vec::new(),
            },
        )
    }

    /// A public reply on a given channel, with files, by its author: an
    /// agent or a contact acts as themselves; a reply by the system is
    /// issued by the `automation` integration.
    #[must_use]
    pub fn reply_on(
        ticket: TicketId,
        author: Author,
        channel: Channel,
        body: &str,
        attachments: Vec<Attachment>,
    ) -> Self {
        let actor = match author {
            Author::Agent(a) => Actor::Agent(a),
            Author::Contact(c) => Actor::Contact(c),
            Author::System => Actor::integration("automation"),
        };
        Command::new(
            actor,
            TicketAction::Update {
                ticket,
                command: TicketCommand::Reply {
                    author,
                    channel,
                    body: body.to_owned(),
                    attachments,
                },
            },
        )
    }

    /// The command that carries out an escalation by `by`: a hand-off to
    /// the owner's department (an internal note keeps why and what
    /// travels) and a notification to each person there.
    #[must_use]
    pub fn escalate(ticket: TicketId, by: AgentId, e: &super::Escalation) -> Self {
        Command::new(
            Actor::Agent(by),
            TicketAction::Escalate {
                ticket,
                department: e.department.clone(),
                reason: e.reason.clone(),
                context: e.context.clone(),
                notify: e.people.clone(),
            },
        )
    }

    /// An agent's internal note.
    #[must_use]
    pub fn note(ticket: TicketId, agent: AgentId, body: &str) -> Self {
        Command::new(
            Actor::Agent(agent),
            TicketAction::Update {
                ticket,
                command: TicketCommand::Note {
                    agent,
                    body: body.to_owned(),
                    attachments: Vec::new(),
                },
            },
        )
    }
}

/// What a command asks, of which area. The desk routes each to its area,
/// which matches its own actions exhaustively.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "area", content = "action", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Action {
    /// Customer accounts.
    Customer(CustomerAction),
    /// Employees and teams.
    People(PeopleAction),
    /// Tickets and their conversations.
    Ticket(TicketAction),
    /// Surveys.
    Survey(SurveyAction),
    /// Praise, kudos and certificates.
    Recognition(RecognitionAction),
    /// Mistakes and coaching.
    Coaching(CoachingAction),
    /// Major incidents.
    Incident(IncidentAction),
    /// Official posts.
    Post(PostAction),
    /// Channel outages.
    Channel(ChannelAction),
    /// Delivery of outbound messages.
    Outbox(OutboxAction),
    /// Goodwill credits and refunds on tickets.
    Refund(crate::refund::RefundAction),
    /// The custom-field configuration: field definitions and forms (an
    /// administrative act).
    Field(crate::form::FieldAction),
    /// The desk's business rules: triggers (an administrative act).
    Rules(crate::rules::RulesAction),
}

macro_rules! area_action {
    ($($area:ident($ty:ident)),* $(,)?) => {
        $(impl From<$ty> for Action {
            fn from(a: $ty) -> Self {
                Action::$area(a)
            }
        })*
    };
}

area_action!(
    Customer(CustomerAction),
    People(PeopleAction),
    Ticket(TicketAction),
    Survey(SurveyAction),
    Recognition(RecognitionAction),
    Coaching(CoachingAction),
    Incident(IncidentAction),
    Post(PostAction),
    Channel(ChannelAction),
    Outbox(OutboxAction),
    Refund(RefundAction),
    Field(FieldAction),
    Rules(RulesAction),
);

/// What the customer area can be asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
#[non_exhaustive]
pub enum CustomerAction {
    /// Create a customer account.
    Register {
        /// Caller-chosen id.
        id: CustomerId,
        /// Organisation name.
        organisation: String,
    },
    /// Change a customer (contacts, consent, profile, standing...).
    Update {
        /// The customer.
        customer: CustomerId,
        /// The change.
        command: CustomerCommand,
    },
    /// Erase a contact: their name, addresses, consent and personal
    /// details (and with [`ErasureScope::ProfileAndMessages`] the text of
    /// what they wrote and were sent) are replaced by a placeholder in the
    /// store, in the desk and in everything built from them; their id,
    /// tickets, timings and SLA history stay. Their undelivered messages
    /// are abandoned. Any actor may erase for now (permissions come with
    /// roles for privacy requests). Erasing again is refused
    /// ([`crate::customer::CustomerError::AlreadyErased`]) unless it goes
    /// further.
    ///
    /// Persist the decision with
    /// [`Store::append_erasing`](crate::store::Store::append_erasing) (see
    /// [`Decision::erasure`](super::Decision::erasure));
    /// [`Desk::execute`](super::Desk::execute) does.
    EraseContact {
        /// The customer.
        customer: CustomerId,
        /// The contact.
        contact: ContactId,
        /// How far.
        scope: ErasureScope,
    },
    /// Merge contact `source` into contact `target`, both of `customer`
    /// (the same person known by two records), in one decision: the
    /// source's addresses, roles, consent (when the target has none),
    /// personal details and custom-field values (the target's value stays
    /// where both have one) move to the target
    /// ([`crate::customer::CustomerEventKind::ContactMerged`]); every
    /// ticket in memory the source requests becomes the target's
    /// ([`crate::ticket::TicketEventKind::RequesterChanged`]), and where
    /// the source is copied the target is copied instead. The source
    /// stays as a tombstone ([`crate::customer::Contact::merged_into`]):
    /// commands naming it are refused with
    /// [`crate::customer::CustomerError::ContactMerged`] naming the
    /// target. What stays under the source's id, with the tombstone to
    /// follow ([`crate::customer::Customer::live_id`]): what they wrote
    /// (entries keep their author), archived tickets they requested, and
    /// their survey invitations (so the target's survey quiet period does
    /// not see them). Erasing the target erases the source too.
    ///
    /// Contacts of two customers are not merged: merge the customers first
    /// (a contact of another customer is
    /// [`crate::customer::CustomerError::UnknownContact`]).
    ///
    /// # Errors
    /// [`crate::customer::CustomerError::MergeIntoItself`],
    /// `UnknownContact`, `ContactErased`, `ContactMerged`, and
    /// [`super::DeskError::UnknownCustomer`], each writing nothing.
    MergeContacts {
        /// The customer.
        customer: CustomerId,
        /// The contact merged away.
        source: ContactId,
        /// The contact it becomes.
        target: ContactId,
    },
    /// Merge customer `source` into customer `target` (one organisation
    /// known by two accounts), in one decision, audited: the merge is
    /// recorded on both customers' streams
    /// ([`crate::customer::CustomerEventKind::MergedInto`] on the source's,
    /// [`crate::customer::CustomerEventKind::Absorbed`] on the target's),
    /// each naming the other and counting what moved
    /// ([`crate::customer::MergeCounts`]); the recorded events' actor is
    /// who merged. What moves to the target:
    /// - every ticket of the source in the desk's memory, open, solved or
    ///   closed ([`crate::ticket::TicketEventKind::CustomerChanged`] on
    ///   each): queues filtering on the customer, in memory and in a
    ///   database read model, find them under the target; their SLA
    ///   records follow, with the policy they had
    ///   ([`crate::sla::SlaEventKind::PolicyApplied`] naming the target);
    /// - its tickets archived out of memory: listed in the target's archive
    ///   too ([`crate::event::StreamId::Archive`]; the desk reads the
    ///   source's archive first, see [`super::Desk::archive_needed`]), so
    ///   a reply on one opens the target's follow-up and erasing a moved
    ///   contact reaches them; their own records are not rewritten and
    ///   still name the source, whose tombstone leads to the target;
    /// - every contact, with addresses, roles, consent, personal profile
    ///   and field values (erased and merged-away contacts too);
    /// - the customer's custom-field values the target has none for (where
    ///   both have a value, **the target's stays**), the components it
    ///   runs on, and its account team members the target lacks;
    /// - its credits and refunds, onto the target's ledger.
    ///
    /// The target is the account of record: the merge is refused unless
    /// the source is on the same SLA contract
    /// ([`super::DeskError::ContractDiffers`]) and has no account standing
    /// (spend and tier) other than the target's
    /// ([`crate::customer::CustomerError::StandingDiffers`]; spend is the
    /// billing system's figure, not summed): set those on the target first.
    /// What stays recorded under the source's id: incidents that affected
    /// it (their credits and follow-ups were the source's; while an
    /// incident affecting it is active the merge is refused), the records
    /// of archived tickets, and what was written (entries keep their
    /// author). Survey invitations and answers
    /// name contacts and tickets, and follow them.
    ///
    /// The source stays as a tombstone
    /// ([`crate::customer::Customer::merged_into_customer`]): commands
    /// naming it are refused with [`super::DeskError::CustomerMerged`]
    /// naming the target; the address index finds its contacts under the
    /// target. Erasing a moved contact (through the target) erases what
    /// the source's stream holds about them too.
    ///
    /// Needs [`crate::permission::Permission::ManageAccounts`]: it moves
    /// credits and refunds between accounts.
    ///
    /// ```
    /// # use fanatical::prelude::*;
    /// # let fanatical::desk::fixture::Fixture { mut desk, mut store, mut ids, now, acme, jane, ticket, .. } =
    /// #     fanatical::desk::fixture::fixture()?;
    /// let crm = Actor::integration("crm");
    /// let acme_eu: CustomerId = ids.next_id();
    /// let register = CustomerAction::Register { id: acme_eu, organisation: "Acme EU".into() };
    /// desk.execute(&mut store, Command::new(crm.clone(), register), now)?;
    /// let merge = CustomerAction::MergeCustomers { source: acme, target: acme_eu };
    /// desk.execute(&mut store, Command::new(crm.clone(), merge.clone()), now)?;
    /// assert_eq!(desk.tickets().get(ticket).unwrap().customer(), acme_eu);
    /// assert!(desk.customers().get(acme_eu).unwrap().contact(jane).is_some());
    /// assert_eq!(desk.customers().live_id(acme), acme_eu);
    /// // The tombstone refuses commands, naming where it went.
    /// let again = desk.execute(&mut store, Command::new(crm, merge), now);
    /// let merged = fanatical::desk::DeskError::CustomerMerged { customer: acme, into: acme_eu };
    /// assert_eq!(again, Err(merged.into()));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// Each writing nothing:
    /// [`crate::customer::CustomerError::MergeCustomerIntoItself`];
    /// [`super::DeskError::UnknownCustomer`] for an unknown source or
    /// target; [`super::DeskError::CustomerMerged`] for one merged already;
    /// `ContractDiffers`, `StandingDiffers`;
    /// [`crate::customer::CustomerError::ContactInBoth`];
    /// [`super::DeskError::MergeHeldByCrisis`] when the source has a
    /// crisis ticket; [`super::DeskError::MergeDuringIncident`].
    MergeCustomers {
        /// The customer merged away.
        source: CustomerId,
        /// The customer it becomes.
        target: CustomerId,
    },
    /// Put a customer on an SLA contract (segment, customer hours, support
    /// hours), or back on the desk's defaults (`None`). Recorded on the
    /// customer's contract stream, with who changed it and when; from then
    /// on the contract replaces the configured one, and the customer's
    /// running SLA metrics are retargeted at the change (the policy chosen
    /// again for the new segment, deadlines on the new calendars, keeping
    /// the business time used). The contract says the customer's tier, so
    /// it needs [`crate::permission::Permission::ManageAccounts`] (by
    /// default account managers, billing, executives and integrations):
    /// others are refused with
    /// [`crate::permission::PermissionError::Denied`].
    /// Setting the contract the customer is already on writes nothing.
    SetContract {
        /// The customer.
        customer: CustomerId,
        /// The contract; `None` for the desk's defaults (boxed: a contract
        /// holds two calendars).
        contract: Option<Box<crate::sla::Contract>>,
    },
}

/// What the people area (employees and teams) can be asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
#[non_exhaustive]
pub enum PeopleAction {
    /// Add an employee.
    RegisterAgent {
        /// Caller-chosen id.
        id: AgentId,
        /// Name.
        name: String,
        /// Home time zone.
        time_zone: Tz,
        /// Roles.
        roles: Vec<Role>,
        /// Skills.
        skills: Vec<Skill>,
    },
    /// Change an employee.
    UpdateAgent {
        /// The agent.
        agent: AgentId,
        /// The change.
        command: AgentCommand,
    },
    /// Form a team.
    CreateTeam {
        /// Caller-chosen id.
        id: TeamId,
        /// Name.
        name: String,
    },
    /// Change a team.
    UpdateTeam {
        /// The team.
        team: TeamId,
        /// The change.
        command: TeamCommand,
    },
    /// Replace the permission table (who may do what), recorded on
    /// [`crate::event::StreamId::Permissions`] with who changed it. Needs
    /// [`crate::permission::Permission::ManagePermissions`]. Refused with
    /// a [`crate::permission::PermissionError`] when the table does not
    /// validate, or when it would leave no active agent and no integration
    /// able to manage permissions where one could before. Setting the
    /// table in force writes nothing.
    SetPermissions {
        /// The table from now on (boxed: it is large).
        table: Box<crate::permission::PermissionTable>,
    },
}

/// What the ticket area can be asked. Where an action is something an
/// agent does (a reply, a promise, an escalation, a merge), the command's
/// actor must be that agent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
#[non_exhaustive]
pub enum TicketAction {
    /// Open a ticket from the customer record.
    Open(OpenTicket),
    /// A message arrived on a channel: continue its ticket or open one.
    Receive(InboundMessage),
    /// The acting agent's public reply on the ticket's own channel,
    /// delivered to the requester there.
    Reply {
        /// The ticket.
        ticket: TicketId,
        /// The text.
        body: String,
        /// Files.
        attachments: Vec<Attachment>,
    },
    /// Change a ticket (reply, note, status, priority, assignee, tags...).
    /// A reply, note or hand-off in it must name the acting agent or
    /// contact when the actor is one.
    Update {
        /// The ticket.
        ticket: TicketId,
        /// The change.
        command: TicketCommand,
    },
    /// The acting agent promises the customer an update by `due`: recorded
    /// as an internal note and an SLA timer kept by the next public reply.
    Promise {
        /// The ticket.
        ticket: TicketId,
        /// When the update is due.
        due: chrono::DateTime<chrono::Utc>,
        /// What was promised.
        note: String,
    },
    /// The acting agent escalates: hands the ticket to a department (the
    /// conversation and notes go with it; an internal note records why and
    /// what context travels) and notifies the people there. Build it from
    /// a graph with `TicketsView::escalation` and `Command::escalate`.
    Escalate {
        /// The ticket.
        ticket: TicketId,
        /// The department taking it.
        department: String,
        /// Why.
        reason: String,
        /// What must travel with it.
        context: Vec<String>,
        /// Who to notify.
        notify: Vec<AgentId>,
    },
    /// Link two tickets.
    Link {
        /// The ticket that links.
        ticket: TicketId,
        /// How.
        link: LinkKind,
        /// The ticket linked to.
        other: TicketId,
    },
    /// The acting agent merges `source` into `target`.
    Merge {
        /// Merged away and closed.
        source: TicketId,
        /// Survives with both conversations.
        target: TicketId,
    },
    /// Flag a ticket as a crisis (from your own classifier): straight to a
    /// safety responder, details restricted.
    FlagCrisis {
        /// The ticket.
        ticket: TicketId,
        /// Why.
        signal: crate::crisis::CrisisSignal,
    },
    /// The acting agent splits entries of a ticket's conversation off
    /// into a new ticket, linked both ways (see
    /// [`crate::ticket::Ticket::split_off`]): same customer and requester,
    /// its own SLA clocks as a newly opened ticket. Entries are named by
    /// their number ([`crate::ticket::Entry::number`], their id on the
    /// ticket); internal notes chosen stay internal. A crisis ticket's
    /// split is a safety responder's, and the new ticket is a crisis too.
    ///
    /// ```
    /// # use fanatical::prelude::*;
    /// # let fanatical::desk::fixture::Fixture { mut desk, mut store, mut ids, now, ana, ticket, .. } =
    /// #     fanatical::desk::fixture::fixture()?;
    /// desk.execute(&mut store, Command::note(ticket, ana, "The invoice question is billing's."), now)?;
    /// let new_ticket = ids.next_id();
    /// desk.execute(&mut store, Command::new(Actor::Agent(ana),
    ///     TicketAction::Split { ticket, new_ticket, entries: vec![2] }), now)?;
    /// let split = desk.agent_ticket_view(new_ticket)?;
    /// assert_eq!(split.links.split_from, Some(ticket));
    /// assert_eq!(split.conversation[0].body, "The invoice question is billing's.");
    /// assert_eq!(desk.agent_ticket_view(ticket)?.conversation.len(), 1);
    ///
    /// // Taking every entry is refused, naming the ticket.
    /// let all = Command::new(Actor::Agent(ana),
    ///     TicketAction::Split { ticket, new_ticket: ids.next_id(), entries: vec![1] });
    /// assert_eq!(desk.execute(&mut store, all, now).unwrap_err().to_string(),
    ///     format!("ticket {ticket}: a split must leave at least one entry behind"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    Split {
        /// The ticket split from.
        ticket: TicketId,
        /// The caller-chosen id of the new ticket.
        new_ticket: TicketId,
        /// The numbers of the entries that move.
        entries: Vec<u32>,
    },
    /// Attach a message held for triage ([`super::UnknownSender::Triage`])
    /// to a contact: their ticket opens with it (the ticket bears the held
    /// message's id), and the sender's address becomes the contact's, so
    /// their next message finds them. Needs `ManageCustomers` and
    /// `OpenTickets` for the contact.
    ///
    /// # Errors
    /// [`super::DeskError::UnknownTriage`] when no message is held under the id
    /// (never held, or resolved already); [`super::DeskError::UnknownCustomer`];
    /// [`crate::customer::CustomerError::UnknownContact`], `ContactErased`
    /// or `ContactMerged` for the contact; [`super::DeskError::AddressInUse`]
    /// when another contact took the address meanwhile.
    AttachTriaged {
        /// The held message.
        message: TicketId,
        /// The customer.
        customer: CustomerId,
        /// The contact.
        contact: ContactId,
    },
    /// Register the sender of a message held for triage as
    /// [`super::UnknownSender::Create`] would have (a new customer, or the
    /// one their email domain is mapped to, and a contact), and open their
    /// ticket with it. Needs `ManageCustomers` and `OpenTickets` on every
    /// ticket.
    ///
    /// # Errors
    /// [`super::DeskError::UnknownTriage`]; [`super::DeskError::AddressInUse`] when a
    /// contact took the address meanwhile (attach it to them instead).
    CreateFromTriaged {
        /// The held message.
        message: TicketId,
    },
    /// Discard a message held for triage: it leaves the list, and its
    /// sender and text are erased from the record in the same write
    /// ([`Decision::erasure`](super::Decision::erasure)). Needs
    /// `ManageCustomers`.
    ///
    /// # Errors
    /// [`super::DeskError::UnknownTriage`].
    DiscardTriaged {
        /// The held message.
        message: TicketId,
    },
    /// Apply one of the desk's macros ([`crate::rules::Macro`]) to a
    /// ticket: its actions, in order, as the acting agent's own update,
    /// after a [`MacroApplied`](crate::ticket::TicketEventKind::MacroApplied)
    /// event naming it; the desk's triggers then run on the result. Each
    /// action needs the permission the same change made by hand needs
    /// ([`Desk::required_permissions`](super::Desk::required_permissions)
    /// lists them). A macro that would change nothing writes nothing; a
    /// public reply on a public network is reviewed by the guard as one
    /// written by hand, and held as a post when a rule holds it (the
    /// macro's other changes are made). Preview it first with
    /// [`Desk::preview_macro`](super::Desk::preview_macro).
    ///
    /// # Errors
    /// [`super::DeskError::NeedsAgent`] for anyone but an agent;
    /// [`super::DeskError::UnknownMacro`];
    /// [`super::DeskError::MacroNotOffered`] for an inactive macro or one
    /// for other teams; a permission missing for one of its actions; any
    /// refusal of one of its actions by the ticket
    /// ([`super::DeskError::InvalidMacro`] for one that cannot act). A
    /// refusal found at any action writes nothing.
    ApplyMacro {
        /// The ticket.
        ticket: TicketId,
        /// The macro's name.
        name: String,
    },
}

impl TicketAction {
    /// A status change.
    #[must_use]
    pub fn set_status(ticket: TicketId, status: Status) -> Self {
        TicketAction::Update {
            ticket,
            command: TicketCommand::SetStatus(status),
        }
    }

    /// Assign a ticket to an agent.
    #[must_use]
    pub fn assign(ticket: TicketId, agent: AgentId) -> Self {
        TicketAction::Update {
            ticket,
            command: TicketCommand::Assign(Some(agent)),
        }
    }

    /// Tag a ticket.
    #[must_use]
    pub fn tag(ticket: TicketId, tag: Tag) -> Self {
        TicketAction::Update {
            ticket,
            command: TicketCommand::AddTag(tag),
        }
    }
}

/// What the incident area can be asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
#[non_exhaustive]
pub enum IncidentAction {
    /// Declare a major incident against components: the customers
    /// running on them are affected, and each of their contacts gets the
    /// first update on their own channel.
    Declare {
        /// The caller-chosen id.
        incident: crate::id::IncidentId,
        /// A headline.
        title: String,
        /// Who runs it (warned before an update is missed).
        commander: AgentId,
        /// Its status (not resolved).
        status: crate::incident::IncidentStatus,
        /// The components and their states.
        components:
            std::collections::BTreeMap<crate::id::ComponentId, crate::incident::ComponentState>,
        /// How often it must be updated.
        cadence: Option<crate::incident::Cadence>,
        /// The first update's text for each audience.
        messages: crate::incident::Messages,
    },
    /// The acting agent posts an incident update (resolving it with status
    /// resolved).
    Update {
        /// The incident.
        incident: crate::id::IncidentId,
        /// The status after it.
        status: crate::incident::IncidentStatus,
        /// Component states that change.
        components:
            std::collections::BTreeMap<crate::id::ComponentId, crate::incident::ComponentState>,
        /// The text for each audience (may be empty for a silent change).
        messages: crate::incident::Messages,
        /// On resolution: solve every linked ticket with this final
        /// message.
        solve_linked: Option<String>,
        /// Whose voice the update is (the CEO, an engineer), if not only
        /// its author's: an active agent, named under every text.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        spokesperson: Option<AgentId>,
    },
    /// The acting agent publishes the post-incident write-up of a
    /// resolved incident: what happened and what is being done so it does
    /// not happen again. It belongs to the incident (`Incident::review`)
    /// and goes to every contact of every affected customer (those who
    /// joined included) and to the press list. Published once
    /// (`IncidentError::AlreadyReviewed`); refused before resolution
    /// (`IncidentError::NotResolved`) and with a blank part
    /// (`IncidentError::BlankReview`).
    PublishReview {
        /// The incident.
        incident: crate::id::IncidentId,
        /// What happened.
        what_happened: String,
        /// What is being done so it does not happen again.
        prevention: String,
        /// Whose voice it is, if not only its author's.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        spokesperson: Option<AgentId>,
    },
    /// Link tickets to an incident (Zendesk's incidents of a problem).
    LinkTickets {
        /// The incident.
        incident: crate::id::IncidentId,
        /// The tickets.
        tickets: Vec<TicketId>,
    },
    /// Issue the credits a resolved incident's customers are due (see
    /// `IncidentsView::credits_due`); each customer is credited once, and a
    /// customer whose credit cannot be computed is left for a person
    /// without holding up the others. Needs
    /// [`crate::permission::Permission::IssueCredits`] (by default account
    /// managers, billing, executives and integrations;
    /// [`crate::permission::PermissionError::Denied`] otherwise).
    IssueCredits {
        /// The incident.
        incident: crate::id::IncidentId,
    },
}
