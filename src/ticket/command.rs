//! What can be asked of a ticket: opening one, and every change after.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::{Attachment, Author, Priority, Status, Tag, TicketType};
use crate::channel::Channel;
use crate::field::{FieldKey, FieldValue, FieldValues};
use crate::id::{AgentId, ContactId, CustomerId, TeamId, TicketId};

/// The first message of a new ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FirstMessage {
    /// Who wrote it.
    pub author: Author,
    /// The text.
    pub body: String,
    /// Files.
    pub attachments: Vec<Attachment>,
}

/// Everything needed to open a ticket. Build with [`OpenTicket::new`] and
/// the `with_*` methods.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct OpenTicket {
    /// The caller-chosen id.
    pub id: TicketId,
    /// The customer it is for.
    pub customer: CustomerId,
    /// The contact who asked, if any (none for tickets an agent opens
    /// proactively from the customer record).
    pub requester: Option<ContactId>,
    /// Subject line.
    pub subject: String,
    /// The channel it arrived by.
    pub channel: Channel,
    /// Priority (default normal).
    pub priority: Priority,
    /// Type (default question).
    pub kind: TicketType,
    /// Initial tags.
    pub tags: BTreeSet<Tag>,
    /// The first message, if any.
    pub message: Option<FirstMessage>,
    /// Initial custom-field values (checked by the desk against the field
    /// catalog and the type's form).
    #[serde(default, skip_serializing_if = "FieldValues::is_empty")]
    pub fields: FieldValues,
}

impl OpenTicket {
    /// A normal-priority question with no requester and no message.
    #[must_use]
    pub fn new(id: TicketId, customer: CustomerId, subject: &str, channel: Channel) -> Self {
        OpenTicket {
            id,
            customer,
            requester: None,
            subject: subject.to_owned(),
            channel,
            priority: Priority::Normal,
            kind: TicketType::Question,
            tags: BTreeSet::new(),
            message: None,
            fields: FieldValues::new(),
        }
    }
    /// Sets the requester.
    #[must_use]
    pub fn requested_by(mut self, contact: ContactId) -> Self {
        self.requester = Some(contact);
        self
    }
    /// Sets the priority.
    #[must_use]
    pub fn with_priority(mut self, priority: Priority) -> Self {
        self.priority = priority;
        self
    }
    /// Sets the type.
    #[must_use]
    pub fn with_type(mut self, kind: TicketType) -> Self {
        self.kind = kind;
        self
    }
    /// Adds a tag.
    #[must_use]
    pub fn with_tag(mut self, tag: Tag) -> Self {
        self.tags.insert(tag);
        self
    }
    /// Sets a custom field's initial value.
    #[must_use]
    pub fn with_field(mut self, key: FieldKey, value: FieldValue) -> Self {
        self.fields.insert(key, value);
        self
    }
    /// Sets the first message.
    #[must_use]
    pub fn with_message(mut self, author: Author, body: &str) -> Self {
        self.message = Some(FirstMessage {
            author,
            body: body.to_owned(),
            attachments: Vec::new(),
        });
        self
    }
    /// Adds an attachment to the first message (which must be set first;
    /// otherwise this does nothing).
    #[must_use]
    pub fn with_attachment(mut self, attachment: Attachment) -> Self {
        if let Some(m) = self.message.as_mut() {
            m.attachments.push(attachment);
        }
        self
    }
}

/// A change to a ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum TicketCommand {
    /// A public reply (from the customer or an agent).
    Reply {
        /// Who wrote it.
        author: Author,
        /// The channel it goes by.
        channel: Channel,
        /// The text.
        body: String,
        /// Files.
        attachments: Vec<Attachment>,
    },
    /// An internal note (agents only).
    Note {
        /// The agent.
        agent: AgentId,
        /// The text.
        body: String,
        /// Files.
        attachments: Vec<Attachment>,
    },
    /// Change status.
    SetStatus(Status),
    /// Change priority.
    SetPriority(Priority),
    /// Change type.
    SetType(TicketType),
    /// Assign to an agent, or unassign with `None`.
    Assign(Option<AgentId>),
    /// Route to a team, or none.
    SetTeam(Option<TeamId>),
    /// Add a tag.
    AddTag(Tag),
    /// Remove a tag.
    RemoveTag(Tag),
    /// Hand the ticket to another department (support, sales, account
    /// team, billing, ...): the whole conversation and every note go with
    /// it, and an internal note records why and what context travels.
    HandOff {
        /// The department taking it.
        to: String,
        /// Who handed it over.
        by: AgentId,
        /// Why, in a sentence.
        reason: String,
        /// What the receiving side must know.
        context: Vec<String>,
    },
    /// Copy a contact of the ticket's customer on its public replies
    /// (not the requester, who gets them anyway).
    AddCc {
        /// The contact.
        contact: ContactId,
    },
    /// Stop copying a contact.
    RemoveCc {
        /// The contact.
        contact: ContactId,
    },
    /// An agent follows the ticket: told internally of every new entry.
    AddFollower {
        /// The agent.
        agent: AgentId,
    },
    /// An agent stops following the ticket.
    RemoveFollower {
        /// The agent.
        agent: AgentId,
    },
    /// An agent logs time spent on the ticket: positive and at most
    /// [`super::MAX_TIME_LOGGED`].
    LogTime {
        /// Who spent it (the acting agent, when an agent acts).
        agent: AgentId,
        /// How long.
        #[serde(with = "crate::time::seconds")]
        duration: chrono::Duration,
        /// What on (internal; blank is none).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    /// Set a custom field's value (checked by the desk against the field
    /// catalog and the ticket type's form).
    SetField {
        /// The field.
        key: FieldKey,
        /// The value.
        value: FieldValue,
    },
    /// Clear a custom field.
    ClearField {
        /// The field.
        key: FieldKey,
    },
}
