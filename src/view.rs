//! Views: what each audience may see, as types.
//!
//! Redaction is not a convention here; each audience gets its own type and
//! the fields it must not see do not exist on it:
//!
//! | view | for | leaves out |
//! |---|---|---|
//! | [`CustomerTicketView`] | the customer's contacts | internal notes, tags, custom fields, team, links, internal statuses |
//! | [`AgentTicketView`] | support | nothing of the ticket |
//! | [`AgentCustomerView`] | support | spend and tier; personal details unless consent stands |
//! | [`AccountCustomerView`] | billing, account management, executives | personal details unless consent stands |
//! | [`crate::incident::CreditView`], [`crate::incident::CreditsDue`], [`crate::incident::Timeline`] | any agent, by role | credit amounts unless the viewer sees spend |
//!
//! # Spend
//! A customer's monthly spend and tier, and the credit amounts computed
//! from them, reach only agents whose roles see spend
//! ([`Role::sees_spend`]: account management, billing, executives). Two
//! ways, one rule each:
//! - a view about the account itself is a type of its own that other roles
//!   are refused ([`AccountCustomerView`]), and the agent's type has no
//!   field for spend ([`AgentCustomerView`]);
//! - every other read that can reveal spend (incident credits issued or
//!   due, timelines) takes the viewer, an `AgentId` checked as a known,
//!   active agent, and gives every role the same type with each amount an
//!   `Option`: `None` for a viewer whose
//!   [`crate::agent::SpendAccess`] is `Hidden`. Summaries written in words
//!   never name an amount.
//!
//! The model types ([`Customer`], [`crate::incident::Incident`],
//! [`crate::incident::Credit`]) and the event record stay whole for
//! trusted code (billing, the desk itself); their `Debug` output leaves
//! spend and amounts out.
//!
//! # Example
//! ```
//! use chrono::{TimeZone, Utc};
//! use fanatical::channel::Channel;
//! use fanatical::id::{AgentId, ContactId, CustomerId, TicketId};
//! use fanatical::ticket::*;
//! use fanatical::view::CustomerTicketView;
//!
//! let now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
//! let jane = ContactId::from_uuid(uuid::Uuid::from_u128(1));
//! let open = OpenTicket::new(TicketId::from_uuid(uuid::Uuid::from_u128(2)),
//!     CustomerId::from_uuid(uuid::Uuid::from_u128(3)), "Slow site", Channel::Email)
//!     .requested_by(jane)
//!     .with_message(Author::Contact(jane), "The site is slow");
//! let mut t = Ticket::from_events(&Ticket::open(open, &TicketRules::default(), now)?).unwrap();
//! let note = TicketCommand::Note {
//!     agent: AgentId::from_uuid(uuid::Uuid::from_u128(4)),
//!     body: "Customer is on the old plan; suggest upgrade".into(),
//!     attachments: vec![],
//! };
//! for e in t.handle(note, now)? { t.apply(&e); }
//! let view = CustomerTicketView::from_ticket(&t);
//! assert_eq!(t.conversation().len(), 2);
//! assert_eq!(view.conversation.len(), 1); // the note is not there
//! # Ok::<(), TicketError>(())
//! ```

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::agent::{Agent, Role};
use crate::channel::{Channel, ChannelAddress};
use crate::customer::{AccountStanding, Contact, ContactRole, Customer, PersonalProfile};
use crate::field::FieldValues;
use crate::id::{AgentId, ContactId, CustomerId, TeamId, TicketId};
use crate::ticket::{
    Attachment, Author, Entry, EntryVisibility, Links, Priority, Status, Tag, Ticket, TicketType,
};

/// Why a view was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ViewError {
    /// The viewer's roles do not allow this view.
    #[error("agent {agent} may not see {what}: needs {needed}")]
    Forbidden {
        /// The viewer.
        agent: AgentId,
        /// What was asked for.
        what: &'static str,
        /// What the viewer would need (a permission).
        needed: &'static str,
    },
    /// A contact asked for a ticket of another customer.
    #[error("contact {contact} may not see ticket {ticket}")]
    NotTheirTicket {
        /// The contact.
        contact: ContactId,
        /// The ticket.
        ticket: TicketId,
    },
}

/// A ticket's status as a customer sees it: whether support owes them an
/// answer or they owe support one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CustomerStatus {
    /// Support is working on it (new, open, on hold).
    Open,
    /// Support is waiting for the customer (pending).
    AwaitingYourReply,
    /// Solved; a reply reopens it.
    Solved,
    /// Closed.
    Closed,
}

impl From<Status> for CustomerStatus {
    fn from(s: Status) -> Self {
        match s {
            Status::New | Status::Open | Status::OnHold => CustomerStatus::Open,
            Status::Pending => CustomerStatus::AwaitingYourReply,
            Status::Solved => CustomerStatus::Solved,
            Status::Closed => CustomerStatus::Closed,
        }
    }
}

/// One public entry, as the customer sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublicEntry {
    /// When.
    pub at: DateTime<Utc>,
    /// Who wrote it (a contact, an agent, or the desk).
    pub author: Author,
    /// Channel.
    pub channel: Channel,
    /// Text.
    pub body: String,
    /// Files.
    pub attachments: Vec<Attachment>,
}

/// A ticket as the customer sees it: public replies only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct CustomerTicketView {
    /// Ticket id.
    pub id: TicketId,
    /// Subject.
    pub subject: String,
    /// Status in customer terms.
    pub status: CustomerStatus,
    /// Priority.
    pub priority: Priority,
    /// Opened at.
    pub opened_at: DateTime<Utc>,
    /// Public conversation.
    pub conversation: Vec<PublicEntry>,
    /// The contacts copied on the public thread (never followers or time
    /// logged: those are support's).
    pub ccs: BTreeSet<ContactId>,
}

impl CustomerTicketView {
    /// The public side of a ticket, with no check of who asks (use
    /// [`CustomerTicketView::for_contact`] when a contact asks).
    #[must_use]
    pub fn from_ticket(ticket: &Ticket) -> Self {
        CustomerTicketView {
            id: ticket.id(),
            subject: ticket.subject().to_owned(),
            status: ticket.status().into(),
            priority: ticket.priority(),
            opened_at: ticket.opened_at(),
            conversation: ticket
                .conversation()
                .iter()
                .filter(|e| e.visibility == EntryVisibility::Public)
                .map(|e| PublicEntry {
                    at: e.at,
                    author: e.author,
                    channel: e.channel.clone(),
                    body: e.body.clone(),
                    attachments: e.attachments.clone(),
                })
                .collect(),
            ccs: ticket.ccs().clone(),
        }
    }

    /// The view for one of the customer's contacts.
    ///
    /// # Errors
    /// [`ViewError::NotTheirTicket`] when the contact is not one of the
    /// ticket's customer's.
    pub fn for_contact(
        ticket: &Ticket,
        customer: &Customer,
        contact: ContactId,
    ) -> Result<Self, ViewError> {
        if customer.id() != ticket.customer() || customer.contact(contact).is_none() {
            return Err(ViewError::NotTheirTicket {
                contact,
                ticket: ticket.id(),
            });
        }
        Ok(Self::from_ticket(ticket))
    }
}

/// A ticket as support sees it: everything.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct AgentTicketView {
    /// Ticket id.
    pub id: TicketId,
    /// Customer.
    pub customer: CustomerId,
    /// Requester.
    pub requester: Option<ContactId>,
    /// Subject.
    pub subject: String,
    /// Channel it arrived by.
    pub channel: Channel,
    /// Status.
    pub status: Status,
    /// Priority.
    pub priority: Priority,
    /// Type.
    pub ticket_type: TicketType,
    /// Tags.
    pub tags: BTreeSet<Tag>,
    /// Custom-field values (labels are in the desk's field catalog).
    #[serde(skip_serializing_if = "FieldValues::is_empty")]
    pub fields: FieldValues,
    /// Assignee.
    pub assignee: Option<AgentId>,
    /// Team.
    pub team: Option<TeamId>,
    /// The department that has it.
    pub department: Option<String>,
    /// Every entry, public and internal.
    pub conversation: Vec<Entry>,
    /// Links.
    pub links: Links,
    /// Opened at.
    pub opened_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// The contacts copied on public replies.
    pub ccs: BTreeSet<ContactId>,
    /// The agents told of every new entry.
    pub followers: BTreeSet<AgentId>,
    /// The time logged on the ticket.
    pub time: TimeSpent,
}

/// The time logged on a ticket: in all, and per agent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct TimeSpent {
    /// In all.
    #[serde(serialize_with = "crate::time::seconds::serialize")]
    pub total: chrono::Duration,
    /// Per agent, by agent id.
    pub by_agent: Vec<AgentTime>,
}

/// The time one agent logged on a ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct AgentTime {
    /// The agent.
    pub agent: AgentId,
    /// Their total.
    #[serde(serialize_with = "crate::time::seconds::serialize")]
    pub total: chrono::Duration,
}

impl TimeSpent {
    /// The time logged on `t`.
    #[must_use]
    pub fn of(t: &Ticket) -> Self {
        TimeSpent {
            total: t.time_total(),
            by_agent: t
                .time_by_agent()
                .into_iter()
                .map(|(agent, total)| AgentTime { agent, total })
                .collect(),
        }
    }
}

impl AgentTicketView {
    /// The whole ticket.
    #[must_use]
    pub fn from_ticket(t: &Ticket) -> Self {
        AgentTicketView {
            id: t.id(),
            customer: t.customer(),
            requester: t.requester(),
            subject: t.subject().to_owned(),
            channel: t.channel().clone(),
            status: t.status(),
            priority: t.priority(),
            ticket_type: t.ticket_type(),
            tags: t.tags().clone(),
            fields: t.fields().clone(),
            assignee: t.assignee(),
            team: t.team(),
            department: t.department().map(str::to_owned),
            conversation: t.conversation().to_vec(),
            links: t.links().clone(),
            opened_at: t.opened_at(),
            updated_at: t.updated_at(),
            ccs: t.ccs().clone(),
            followers: t.followers().clone(),
            time: TimeSpent::of(t),
        }
    }
}

/// A contact as support sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct ContactView {
    /// Id.
    pub id: ContactId,
    /// Name.
    pub name: String,
    /// Addresses.
    pub addresses: Vec<ChannelAddress>,
    /// Point-of-contact roles.
    pub roles: BTreeSet<ContactRole>,
    /// Personal details, only while consent stands.
    pub personal: Option<PersonalProfile>,
    /// Custom-field values (none once the contact is erased).
    #[serde(skip_serializing_if = "FieldValues::is_empty")]
    pub fields: FieldValues,
}

impl ContactView {
    fn from_contact(c: &Contact) -> Self {
        ContactView {
            id: c.id(),
            name: c.name().to_owned(),
            addresses: c.addresses().to_vec(),
            roles: c.roles().clone(),
            personal: c.profile().cloned(),
            fields: c.fields().clone(),
        }
    }
}

/// A customer as an agent sees it: the person, not the invoice. There is
/// no spend or tier field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct AgentCustomerView {
    /// Id.
    pub id: CustomerId,
    /// Organisation.
    pub organisation: String,
    /// Customer since.
    pub since: DateTime<Utc>,
    /// Contacts.
    pub contacts: Vec<ContactView>,
    /// The account team.
    pub account_team: BTreeMap<AgentId, Role>,
    /// The customer's custom-field values.
    #[serde(skip_serializing_if = "FieldValues::is_empty")]
    pub fields: FieldValues,
}

impl AgentCustomerView {
    /// The agent-facing view of a customer.
    #[must_use]
    pub fn from_customer(c: &Customer) -> Self {
        AgentCustomerView {
            id: c.id(),
            organisation: c.organisation().to_owned(),
            since: c.since(),
            contacts: c.contacts().map(ContactView::from_contact).collect(),
            account_team: c.account_team().clone(),
            fields: c.fields().clone(),
        }
    }
}

/// A customer as billing and account management see it: the agent view
/// plus spend and tier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct AccountCustomerView {
    /// Everything an agent sees.
    pub customer: AgentCustomerView,
    /// Spend and tier, if set.
    pub standing: Option<AccountStanding>,
}

impl AccountCustomerView {
    /// The account view, for a viewer whose roles need it.
    ///
    /// # Errors
    /// [`ViewError::Forbidden`] unless the viewer is active and holds a
    /// role that `table` grants
    /// [`Permission::ViewSpend`](crate::permission::Permission::ViewSpend)
    /// (by default [`Role::AccountManager`], [`Role::Billing`] or
    /// [`Role::Executive`]).
    pub fn for_viewer(
        customer: &Customer,
        viewer: &Agent,
        table: &crate::permission::PermissionTable,
    ) -> Result<Self, ViewError> {
        let spend = crate::permission::Permission::ViewSpend;
        if !viewer.is_active() || table.scope_of(viewer.roles(), spend).is_none() {
            return Err(ViewError::Forbidden {
                agent: viewer.id(),
                what: "spend and tier",
                needed: "view_spend",
            });
        }
        Ok(AccountCustomerView {
            customer: AgentCustomerView::from_customer(customer),
            standing: customer.standing(),
        })
    }
}
