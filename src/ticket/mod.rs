//! Tickets: the conversation between a customer and support.
//!
//! A [`Ticket`] is opened from a customer record or from an inbound message
//! on any channel, moves through the [`Status`] lifecycle, and holds a
//! conversation of public replies and internal notes with attachments
//! (an animated GIF is a first-class citizen), tags, an assignee and team,
//! and links to other tickets (problem/incident, duplicate, merge).
//!
//! Deciding is pure: [`Ticket::handle`] validates a command against the
//! ticket and [`TicketRules`] and returns events; [`Ticket::apply`] folds
//! them. Commands that involve two tickets (merging, linking) are decided
//! by [`Ticket::merge_into`] and [`Ticket::link`], which read both and
//! return events for each.
//!
//! # Example
//! ```
//! use chrono::{TimeZone, Utc};
//! use fanatical::channel::Channel;
//! use fanatical::id::{AgentId, CustomerId, TicketId, ContactId};
//! use fanatical::ticket::*;
//!
//! let now = Utc.with_ymd_and_hms(2026, 5, 4, 2, 0, 0).unwrap();
//! let id = TicketId::from_uuid(uuid::Uuid::from_u128(1));
//! let jane = ContactId::from_uuid(uuid::Uuid::from_u128(2));
//! let agent = AgentId::from_uuid(uuid::Uuid::from_u128(3));
//! let open = OpenTicket::new(id, CustomerId::from_uuid(uuid::Uuid::from_u128(4)), "Site down", Channel::Phone)
//!     .requested_by(jane)
//!     .with_message(Author::Contact(jane), "My site is down at 2 a.m.!");
//! let mut t = Ticket::from_events(&Ticket::open(open, &TicketRules::default(), now)?).unwrap();
//!
//! let reply = TicketCommand::Reply {
//!     author: Author::Agent(agent),
//!     channel: Channel::Phone,
//!     body: "On it: your web node is back.".into(),
//!     attachments: vec![Attachment::new("thumbs-up.gif", "image/gif", 48_213)?],
//! };
//! for e in t.handle(reply, now)? { t.apply(&e); }
//! assert_eq!(t.status(), Status::Open); // an agent's reply opens a new ticket
//! assert!(t.conversation()[1].attachments[0].media_type.is_animated_image_capable());
//!
//! // A blank reply is refused and changes nothing.
//! let empty = TicketCommand::Reply {
//!     author: Author::Agent(agent), channel: Channel::Phone, body: "  ".into(), attachments: vec![],
//! };
//! assert_eq!(t.handle(empty, now), Err(TicketError::EmptyBody(id)));
//! # Ok::<(), TicketError>(())
//! ```

mod status;

use std::collections::BTreeSet;
use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use status::Status;

use crate::channel::Channel;
use crate::id::{AgentId, ContactId, CustomerId, TeamId, TicketId};

/// Why a ticket command was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TicketError {
    /// A reply or note with no text.
    #[error("ticket {0}: message body must not be empty")]
    EmptyBody(TicketId),
    /// A ticket needs a subject.
    #[error("ticket {0}: subject must not be empty")]
    EmptySubject(TicketId),
    /// Closed tickets take no changes.
    #[error("ticket {0} is closed")]
    Closed(TicketId),
    /// A status change the lifecycle does not allow.
    #[error("ticket {ticket}: cannot change status from {from} to {to}")]
    InvalidTransition {
        /// The ticket.
        ticket: TicketId,
        /// Its status.
        from: Status,
        /// The status asked for.
        to: Status,
    },
    /// Solving needs someone accountable.
    #[error("ticket {0} cannot be solved without an assignee")]
    NoAssignee(TicketId),
    /// An attachment over the size limit.
    #[error("attachment {file_name:?} is {size} bytes, over the limit of {limit}")]
    AttachmentTooLarge {
        /// The file.
        file_name: String,
        /// Its size.
        size: u64,
        /// The configured limit.
        limit: u64,
    },
    /// An attachment with a blank file name.
    #[error("attachment file name must not be empty")]
    EmptyAttachmentName,
    /// A media type that is not `type/subtype`.
    #[error("invalid media type {0:?}")]
    InvalidMediaType(String),
    /// More attachments than one entry may carry.
    #[error("{count} attachments on one message, over the limit of {limit}")]
    TooManyAttachments {
        /// How many were sent.
        count: usize,
        /// The configured limit.
        limit: usize,
    },
    /// A tag with white space, or empty.
    #[error("invalid tag {0:?}: tags are single words")]
    InvalidTag(String),
    /// A ticket cannot be merged into or linked to itself.
    #[error("ticket {0} cannot be merged into or linked to itself")]
    SelfReference(TicketId),
    /// Merging across customers would show one customer another's conversation.
    #[error(
        "ticket {source_ticket} belongs to customer {source_customer}, ticket {target} to customer {target_customer}: cannot merge across customers"
    )]
    CrossCustomerMerge {
        /// The ticket being merged.
        source_ticket: TicketId,
        /// Its customer.
        source_customer: CustomerId,
        /// The ticket merged into.
        target: TicketId,
        /// Its customer.
        target_customer: CustomerId,
    },
    /// A hand-off needs a department to go to.
    #[error("ticket {0}: hand-off needs a department")]
    EmptyDepartment(TicketId),
    /// A problem link needs an incident-type ticket and a problem-type one.
    #[error("ticket {ticket} is a {actual}, expected a {expected}")]
    WrongType {
        /// The ticket.
        ticket: TicketId,
        /// Its type.
        actual: TicketType,
        /// The type needed.
        expected: TicketType,
    },
}

/// How urgent a ticket is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    /// Low.
    Low,
    /// Normal (the default).
    Normal,
    /// High.
    High,
    /// Urgent: something is down.
    Urgent,
}

impl fmt::Display for Priority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Priority::Low => "low",
            Priority::Normal => "normal",
            Priority::High => "high",
            Priority::Urgent => "urgent",
        })
    }
}

/// What kind of request a ticket is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketType {
    /// A question.
    Question,
    /// Something broke for this customer (may be linked to a problem).
    Incident,
    /// The cause behind one or more incidents.
    Problem,
    /// Work to do.
    Task,
}

impl fmt::Display for TicketType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TicketType::Question => "question",
            TicketType::Incident => "incident",
            TicketType::Problem => "problem",
            TicketType::Task => "task",
        })
    }
}

/// Who wrote a conversation entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Author {
    /// A customer's contact.
    Contact(ContactId),
    /// An employee.
    Agent(AgentId),
    /// The desk itself (automations, merges).
    System,
}

/// Whether the customer sees an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryVisibility {
    /// A public reply: the customer sees it.
    Public,
    /// An internal note: support only.
    Internal,
}

/// A media type such as `image/gif`, lowercased and validated.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct MediaType(String);

impl MediaType {
    /// Parses `type/subtype` (parameters after `;` are dropped).
    ///
    /// # Errors
    /// [`TicketError::InvalidMediaType`] naming the value.
    pub fn new(value: &str) -> Result<Self, TicketError> {
        let essence = value
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        let valid_token = |s: &str| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "!#$&^_.+-".contains(c))
        };
        match essence.split_once('/') {
            Some((t, s)) if valid_token(t) && valid_token(s) => Ok(MediaType(essence)),
            _ => Err(TicketError::InvalidMediaType(value.to_owned())),
        }
    }

    /// The normalised `type/subtype`.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the type is an image.
    #[must_use]
    pub fn is_image(&self) -> bool {
        self.0.starts_with("image/")
    }

    /// Whether the format can carry animation (GIF, animated PNG, WebP):
    /// such attachments are shown inline and played, not offered as a
    /// download.
    #[must_use]
    pub fn is_animated_image_capable(&self) -> bool {
        matches!(
            self.0.as_str(),
            "image/gif" | "image/apng" | "image/webp" | "image/png"
        )
    }
}

validated_string!(MediaType, TicketError);

/// A file attached to a conversation entry (its metadata: the bytes live
/// wherever the caller keeps blobs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    /// File name as uploaded.
    pub file_name: String,
    /// Media type.
    pub media_type: MediaType,
    /// Size in bytes.
    pub size: u64,
}

impl Attachment {
    /// An attachment with a validated name and media type (size is checked
    /// against [`TicketRules`] when it is attached).
    ///
    /// # Errors
    /// [`TicketError::EmptyAttachmentName`], [`TicketError::InvalidMediaType`].
    pub fn new(file_name: &str, media_type: &str, size: u64) -> Result<Self, TicketError> {
        let file_name = file_name.trim();
        if file_name.is_empty() {
            return Err(TicketError::EmptyAttachmentName);
        }
        Ok(Attachment {
            file_name: file_name.to_owned(),
            media_type: MediaType::new(media_type)?,
            size,
        })
    }
}

/// Limits a desk enforces on conversation entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TicketRules {
    /// Largest attachment in bytes (default 50 MiB, as Zendesk).
    pub max_attachment_bytes: u64,
    /// Most attachments on one entry (default 20).
    pub max_attachments_per_entry: usize,
    /// Whether solving requires an assignee (default true, as Zendesk).
    pub solve_requires_assignee: bool,
}

impl Default for TicketRules {
    fn default() -> Self {
        TicketRules {
            max_attachment_bytes: 50 * 1024 * 1024,
            max_attachments_per_entry: 20,
            solve_requires_assignee: true,
        }
    }
}

impl TicketRules {
    /// The defaults with another attachment size limit.
    #[must_use]
    pub fn with_max_attachment_bytes(mut self, limit: u64) -> Self {
        self.max_attachment_bytes = limit;
        self
    }

    /// The defaults with solving allowed without an assignee.
    #[must_use]
    pub fn allow_unassigned_solve(mut self) -> Self {
        self.solve_requires_assignee = false;
        self
    }

    fn check_attachments(&self, attachments: &[Attachment]) -> Result<(), TicketError> {
        if attachments.len() > self.max_attachments_per_entry {
            return Err(TicketError::TooManyAttachments {
                count: attachments.len(),
                limit: self.max_attachments_per_entry,
            });
        }
        for a in attachments {
            if a.file_name.trim().is_empty() {
                return Err(TicketError::EmptyAttachmentName);
            }
            if a.size > self.max_attachment_bytes {
                return Err(TicketError::AttachmentTooLarge {
                    file_name: a.file_name.clone(),
                    size: a.size,
                    limit: self.max_attachment_bytes,
                });
            }
        }
        Ok(())
    }
}

/// A tag: one lowercase word.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Tag(String);

impl Tag {
    /// A tag from a single word (lowercased).
    ///
    /// # Errors
    /// [`TicketError::InvalidTag`] for blank text or white space inside.
    pub fn new(word: &str) -> Result<Self, TicketError> {
        let t = word.trim();
        if t.is_empty() || t.chars().any(char::is_whitespace) {
            return Err(TicketError::InvalidTag(word.to_owned()));
        }
        Ok(Tag(t.to_lowercase()))
    }

    /// The tag text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

validated_string!(Tag, TicketError);

/// Where a merged-in entry came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryOrigin {
    /// The ticket it was written on.
    pub ticket: TicketId,
    /// Its number there.
    pub number: u32,
}

/// One entry of a ticket's conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// Position in this ticket's conversation, from 1.
    pub number: u32,
    /// When it was written.
    pub at: DateTime<Utc>,
    /// Who wrote it.
    pub author: Author,
    /// Public reply or internal note.
    pub visibility: EntryVisibility,
    /// The channel it came or went by.
    pub channel: Channel,
    /// The text.
    pub body: String,
    /// Attached files.
    pub attachments: Vec<Attachment>,
    /// For entries brought in by a merge: where they were written.
    pub origin: Option<EntryOrigin>,
}

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

/// Why a status changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StatusCause {
    /// Someone set it.
    Set,
    /// An agent replied or took the ticket.
    AgentActivity,
    /// The customer replied.
    CustomerReplied,
    /// The ticket was merged into another.
    Merged,
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
}

/// How two tickets are linked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkKind {
    /// This incident is caused by the other ticket, a problem.
    IncidentOf,
    /// This ticket duplicates the other.
    DuplicateOf,
}

/// Something that happened to a ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketEvent {
    /// When.
    pub at: DateTime<Utc>,
    /// What.
    pub kind: TicketEventKind,
}

/// What happened to a ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum TicketEventKind {
    /// The ticket was opened.
    Opened {
        /// Its id.
        id: TicketId,
        /// Its customer.
        customer: CustomerId,
        /// Requester.
        requester: Option<ContactId>,
        /// Subject.
        subject: String,
        /// Channel it arrived by.
        channel: Channel,
        /// Priority.
        priority: Priority,
        /// Type.
        ticket_type: TicketType,
        /// Tags.
        tags: BTreeSet<Tag>,
    },
    /// A reply or note was added.
    EntryAdded {
        /// The entry.
        entry: Entry,
    },
    /// Status changed.
    StatusChanged {
        /// Old status.
        from: Status,
        /// New status.
        to: Status,
        /// Why.
        cause: StatusCause,
    },
    /// Priority changed.
    PriorityChanged {
        /// Old.
        from: Priority,
        /// New.
        to: Priority,
    },
    /// Type changed.
    TypeChanged {
        /// Old.
        from: TicketType,
        /// New.
        to: TicketType,
    },
    /// Assignee changed.
    Assigned {
        /// New assignee.
        agent: Option<AgentId>,
    },
    /// Team changed.
    TeamSet {
        /// New team.
        team: Option<TeamId>,
    },
    /// A tag was added.
    Tagged {
        /// Tag.
        tag: Tag,
    },
    /// A tag was removed.
    Untagged {
        /// Tag.
        tag: Tag,
    },
    /// This ticket now links to another.
    Linked {
        /// How.
        link: LinkKind,
        /// The other ticket.
        other: TicketId,
    },
    /// Another ticket linked to this one (a problem learns of its incident,
    /// an original learns of its duplicate).
    LinkedFrom {
        /// How the other links here.
        link: LinkKind,
        /// The other ticket.
        other: TicketId,
    },
    /// The ticket moved to another department.
    HandedOff {
        /// The department it left (none when it had not been placed).
        from: Option<String>,
        /// The department taking it.
        to: String,
        /// Who handed it over.
        by: AgentId,
        /// Why.
        reason: String,
    },
    /// This ticket was merged into another and is closed.
    MergedInto {
        /// The surviving ticket.
        target: TicketId,
    },
    /// Another ticket was merged into this one; its conversation comes along.
    MergedIn {
        /// The merged ticket.
        source: TicketId,
        /// Its conversation, renumbered here with their origin kept.
        entries: Vec<Entry>,
    },
}

/// A ticket's links to other tickets.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Links {
    /// The problem this incident belongs to.
    pub problem: Option<TicketId>,
    /// Incidents linked to this problem.
    pub incidents: BTreeSet<TicketId>,
    /// The ticket this one duplicates.
    pub duplicate_of: Option<TicketId>,
    /// Tickets that duplicate this one.
    pub duplicates: BTreeSet<TicketId>,
    /// The ticket this one was merged into.
    pub merged_into: Option<TicketId>,
    /// Tickets merged into this one, in merge order.
    pub merged_from: Vec<TicketId>,
}

/// A ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ticket {
    id: TicketId,
    customer: CustomerId,
    requester: Option<ContactId>,
    subject: String,
    channel: Channel,
    status: Status,
    priority: Priority,
    ticket_type: TicketType,
    tags: BTreeSet<Tag>,
    assignee: Option<AgentId>,
    team: Option<TeamId>,
    department: Option<String>,
    conversation: Vec<Entry>,
    links: Links,
    opened_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

/// The events a merge decides for each of the two tickets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergeEvents {
    /// For the ticket merged away (it is closed).
    pub source: Vec<TicketEvent>,
    /// For the surviving ticket.
    pub target: Vec<TicketEvent>,
}

/// The events a link decides for each of the two tickets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkEvents {
    /// For the ticket that links.
    pub from: Vec<TicketEvent>,
    /// For the ticket linked to.
    pub to: Vec<TicketEvent>,
}

impl Ticket {
    /// Decides the opening of a ticket.
    ///
    /// # Errors
    /// [`TicketError::EmptySubject`], [`TicketError::EmptyBody`] for a blank
    /// first message, attachment errors.
    pub fn open(
        cmd: OpenTicket,
        rules: &TicketRules,
        now: DateTime<Utc>,
    ) -> Result<Vec<TicketEvent>, TicketError> {
        let subject = cmd.subject.trim();
        if subject.is_empty() {
            return Err(TicketError::EmptySubject(cmd.id));
        }
        let mut events = vec![TicketEvent {
            at: now,
            kind: TicketEventKind::Opened {
                id: cmd.id,
                customer: cmd.customer,
                requester: cmd.requester,
                subject: subject.to_owned(),
                channel: cmd.channel.clone(),
                priority: cmd.priority,
                ticket_type: cmd.kind,
                tags: cmd.tags,
            },
        }];
        if let Some(m) = cmd.message {
            let body = checked_body(cmd.id, &m.body)?;
            rules.check_attachments(&m.attachments)?;
            events.push(TicketEvent {
                at: now,
                kind: TicketEventKind::EntryAdded {
                    entry: Entry {
                        number: 1,
                        at: now,
                        author: m.author,
                        visibility: EntryVisibility::Public,
                        channel: cmd.channel,
                        body,
                        attachments: m.attachments,
                        origin: None,
                    },
                },
            });
        }
        Ok(events)
    }

    /// The ticket created by an `Opened` event.
    #[must_use]
    pub fn from_opened(event: &TicketEvent) -> Option<Self> {
        match &event.kind {
            TicketEventKind::Opened {
                id,
                customer,
                requester,
                subject,
                channel,
                priority,
                ticket_type,
                tags,
            } => Some(Ticket {
                id: *id,
                customer: *customer,
                requester: *requester,
                subject: subject.clone(),
                channel: channel.clone(),
                status: Status::New,
                priority: *priority,
                ticket_type: *ticket_type,
                tags: tags.clone(),
                assignee: None,
                team: None,
                department: None,
                conversation: Vec::new(),
                links: Links::default(),
                opened_at: event.at,
                updated_at: event.at,
            }),
            _ => None,
        }
    }

    /// Rebuilds a ticket from its events.
    #[must_use]
    pub fn from_events(events: &[TicketEvent]) -> Option<Self> {
        let (first, rest) = events.split_first()?;
        let mut t = Self::from_opened(first)?;
        for e in rest {
            t.apply(e);
        }
        Some(t)
    }

    /// Decides a command with the default [`TicketRules`].
    ///
    /// # Errors
    /// See [`Ticket::handle_with`].
    pub fn handle(
        &self,
        command: TicketCommand,
        now: DateTime<Utc>,
    ) -> Result<Vec<TicketEvent>, TicketError> {
        self.handle_with(command, &TicketRules::default(), now)
    }

    /// Decides a command. Commands that would change nothing decide no
    /// events. Replies move the status as Zendesk does: an agent's reply
    /// opens a new ticket; a customer's reply opens a pending one and
    /// reopens a solved one.
    ///
    /// # Errors
    /// [`TicketError::Closed`] on a closed ticket; [`TicketError::EmptyBody`];
    /// attachment errors; [`TicketError::InvalidTransition`];
    /// [`TicketError::NoAssignee`] when solving unassigned under rules that
    /// require one.
    pub fn handle_with(
        &self,
        command: TicketCommand,
        rules: &TicketRules,
        now: DateTime<Utc>,
    ) -> Result<Vec<TicketEvent>, TicketError> {
        use TicketEventKind as K;
        if self.status == Status::Closed {
            return Err(TicketError::Closed(self.id));
        }
        let mut out = Vec::new();
        let mut push = |kind| out.push(TicketEvent { at: now, kind });
        match command {
            TicketCommand::Reply {
                author,
                channel,
                body,
                attachments,
            } => {
                let body = checked_body(self.id, &body)?;
                rules.check_attachments(&attachments)?;
                push(K::EntryAdded {
                    entry: self.next_entry(
                        now,
                        author,
                        EntryVisibility::Public,
                        channel,
                        body,
                        attachments,
                    ),
                });
                let moved = match (author, self.status) {
                    (Author::Agent(_), Status::New) => {
                        Some((Status::Open, StatusCause::AgentActivity))
                    }
                    (Author::Contact(_), Status::Pending | Status::Solved) => {
                        Some((Status::Open, StatusCause::CustomerReplied))
                    }
                    _ => None,
                };
                if let Some((to, cause)) = moved {
                    push(K::StatusChanged {
                        from: self.status,
                        to,
                        cause,
                    });
                }
            }
            TicketCommand::Note {
                agent,
                body,
                attachments,
            } => {
                let body = checked_body(self.id, &body)?;
                rules.check_attachments(&attachments)?;
                push(K::EntryAdded {
                    entry: self.next_entry(
                        now,
                        Author::Agent(agent),
                        EntryVisibility::Internal,
                        self.channel.clone(),
                        body,
                        attachments,
                    ),
                });
            }
            TicketCommand::SetStatus(to) => {
                if to != self.status {
                    if !self.status.can_become(to) {
                        return Err(TicketError::InvalidTransition {
                            ticket: self.id,
                            from: self.status,
                            to,
                        });
                    }
                    if to == Status::Solved
                        && rules.solve_requires_assignee
                        && self.assignee.is_none()
                    {
                        return Err(TicketError::NoAssignee(self.id));
                    }
                    push(K::StatusChanged {
                        from: self.status,
                        to,
                        cause: StatusCause::Set,
                    });
                }
            }
            TicketCommand::SetPriority(to) => {
                if to != self.priority {
                    push(K::PriorityChanged {
                        from: self.priority,
                        to,
                    });
                }
            }
            TicketCommand::SetType(to) => {
                if to != self.ticket_type {
                    push(K::TypeChanged {
                        from: self.ticket_type,
                        to,
                    });
                }
            }
            TicketCommand::Assign(agent) => {
                if agent != self.assignee {
                    push(K::Assigned { agent });
                    if agent.is_some() && self.status == Status::New {
                        push(K::StatusChanged {
                            from: Status::New,
                            to: Status::Open,
                            cause: StatusCause::AgentActivity,
                        });
                    }
                }
            }
            TicketCommand::SetTeam(team) => {
                if team != self.team {
                    push(K::TeamSet { team });
                }
            }
            TicketCommand::AddTag(tag) => {
                if !self.tags.contains(&tag) {
                    push(K::Tagged { tag });
                }
            }
            TicketCommand::RemoveTag(tag) => {
                if self.tags.contains(&tag) {
                    push(K::Untagged { tag });
                }
            }
            TicketCommand::HandOff {
                to,
                by,
                reason,
                context,
            } => {
                let to = to.trim().to_owned();
                if to.is_empty() {
                    return Err(TicketError::EmptyDepartment(self.id));
                }
                if self.department.as_deref() != Some(to.as_str()) {
                    let mut body = format!("Handed to {to}: {}", reason.trim());
                    if !context.is_empty() {
                        body.push_str("\nContext that travels with it: ");
                        body.push_str(&context.join("; "));
                    }
                    push(K::EntryAdded {
                        entry: self.next_entry(
                            now,
                            Author::Agent(by),
                            EntryVisibility::Internal,
                            self.channel.clone(),
                            body,
                            Vec::new(),
                        ),
                    });
                    push(K::HandedOff {
                        from: self.department.clone(),
                        to,
                        by,
                        reason: reason.trim().to_owned(),
                    });
                }
            }
        }
        Ok(out)
    }

    /// Decides merging `self` into `target`: `self` is closed and points at
    /// `target`; `target` receives a copy of `self`'s whole conversation
    /// (renumbered, each entry keeping its origin) and an internal note
    /// saying who merged it. Both tickets keep their own event history.
    ///
    /// # Errors
    /// [`TicketError::SelfReference`] for a ticket merged into itself;
    /// [`TicketError::Closed`] if either is closed;
    /// [`TicketError::CrossCustomerMerge`] across customers.
    pub fn merge_into(
        &self,
        target: &Ticket,
        by: AgentId,
        now: DateTime<Utc>,
    ) -> Result<MergeEvents, TicketError> {
        if self.id == target.id {
            return Err(TicketError::SelfReference(self.id));
        }
        for t in [self, target] {
            if t.status == Status::Closed {
                return Err(TicketError::Closed(t.id));
            }
        }
        if self.customer != target.customer {
            return Err(TicketError::CrossCustomerMerge {
                source_ticket: self.id,
                source_customer: self.customer,
                target: target.id,
                target_customer: target.customer,
            });
        }
        let base = target.next_number();
        let mut entries: Vec<Entry> = self
            .conversation
            .iter()
            .zip(base..)
            .map(|(e, number)| Entry {
                number,
                origin: Some(e.origin.unwrap_or(EntryOrigin {
                    ticket: self.id,
                    number: e.number,
                })),
                ..e.clone()
            })
            .collect();
        let note_number = base.saturating_add(u32::try_from(entries.len()).unwrap_or(u32::MAX));
        entries.push(Entry {
            number: note_number,
            at: now,
            author: Author::Agent(by),
            visibility: EntryVisibility::Internal,
            channel: target.channel.clone(),
            body: format!("Ticket {} was merged into this ticket.", self.id),
            attachments: Vec::new(),
            origin: None,
        });
        let source = vec![
            TicketEvent {
                at: now,
                kind: TicketEventKind::EntryAdded {
                    entry: self.next_entry(
                        now,
                        Author::Agent(by),
                        EntryVisibility::Internal,
                        self.channel.clone(),
                        format!("This ticket was merged into ticket {}.", target.id),
                        Vec::new(),
                    ),
                },
            },
            TicketEvent {
                at: now,
                kind: TicketEventKind::MergedInto { target: target.id },
            },
            TicketEvent {
                at: now,
                kind: TicketEventKind::StatusChanged {
                    from: self.status,
                    to: Status::Closed,
                    cause: StatusCause::Merged,
                },
            },
        ];
        let target_events = vec![TicketEvent {
            at: now,
            kind: TicketEventKind::MergedIn {
                source: self.id,
                entries,
            },
        }];
        Ok(MergeEvents {
            source,
            target: target_events,
        })
    }

    /// Decides a link from `self` to `other`.
    ///
    /// # Errors
    /// [`TicketError::SelfReference`]; [`TicketError::Closed`] if `self` is
    /// closed; [`TicketError::WrongType`] when an incident link does not go
    /// from an incident to a problem.
    pub fn link(
        &self,
        link: LinkKind,
        other: &Ticket,
        now: DateTime<Utc>,
    ) -> Result<LinkEvents, TicketError> {
        if self.id == other.id {
            return Err(TicketError::SelfReference(self.id));
        }
        if self.status == Status::Closed {
            return Err(TicketError::Closed(self.id));
        }
        if link == LinkKind::IncidentOf {
            for (t, expected) in [(self, TicketType::Incident), (other, TicketType::Problem)] {
                if t.ticket_type != expected {
                    return Err(TicketError::WrongType {
                        ticket: t.id,
                        actual: t.ticket_type,
                        expected,
                    });
                }
            }
        }
        let already = match link {
            LinkKind::IncidentOf => self.links.problem == Some(other.id),
            LinkKind::DuplicateOf => self.links.duplicate_of == Some(other.id),
        };
        if already {
            return Ok(LinkEvents {
                from: Vec::new(),
                to: Vec::new(),
            });
        }
        Ok(LinkEvents {
            from: vec![TicketEvent {
                at: now,
                kind: TicketEventKind::Linked {
                    link,
                    other: other.id,
                },
            }],
            to: vec![TicketEvent {
                at: now,
                kind: TicketEventKind::LinkedFrom {
                    link,
                    other: self.id,
                },
            }],
        })
    }

    /// Folds an event into the ticket.
    pub fn apply(&mut self, event: &TicketEvent) {
        use TicketEventKind as K;
        self.updated_at = self.updated_at.max(event.at);
        match &event.kind {
            K::Opened { .. } => {}
            K::EntryAdded { entry } => self.conversation.push(entry.clone()),
            K::StatusChanged { to, .. } => self.status = *to,
            K::PriorityChanged { to, .. } => self.priority = *to,
            K::TypeChanged { to, .. } => self.ticket_type = *to,
            K::Assigned { agent } => self.assignee = *agent,
            K::TeamSet { team } => self.team = *team,
            K::Tagged { tag } => {
                self.tags.insert(tag.clone());
            }
            K::Untagged { tag } => {
                self.tags.remove(tag);
            }
            K::Linked { link, other } => match link {
                LinkKind::IncidentOf => self.links.problem = Some(*other),
                LinkKind::DuplicateOf => self.links.duplicate_of = Some(*other),
            },
            K::LinkedFrom { link, other } => match link {
                LinkKind::IncidentOf => {
                    self.links.incidents.insert(*other);
                }
                LinkKind::DuplicateOf => {
                    self.links.duplicates.insert(*other);
                }
            },
            K::HandedOff { to, .. } => self.department = Some(to.clone()),
            K::MergedInto { target } => self.links.merged_into = Some(*target),
            K::MergedIn { source, entries } => {
                self.links.merged_from.push(*source);
                self.conversation.extend(entries.iter().cloned());
            }
        }
    }

    fn next_number(&self) -> u32 {
        self.conversation
            .last()
            .map_or(1, |e| e.number.saturating_add(1))
    }

    fn next_entry(
        &self,
        at: DateTime<Utc>,
        author: Author,
        visibility: EntryVisibility,
        channel: Channel,
        body: String,
        attachments: Vec<Attachment>,
    ) -> Entry {
        Entry {
            number: self.next_number(),
            at,
            author,
            visibility,
            channel,
            body,
            attachments,
            origin: None,
        }
    }

    /// Id.
    #[must_use]
    pub fn id(&self) -> TicketId {
        self.id
    }
    /// The customer.
    #[must_use]
    pub fn customer(&self) -> CustomerId {
        self.customer
    }
    /// The requesting contact.
    #[must_use]
    pub fn requester(&self) -> Option<ContactId> {
        self.requester
    }
    /// Subject.
    #[must_use]
    pub fn subject(&self) -> &str {
        &self.subject
    }
    /// The channel it arrived by.
    #[must_use]
    pub fn channel(&self) -> &Channel {
        &self.channel
    }
    /// Status.
    #[must_use]
    pub fn status(&self) -> Status {
        self.status
    }
    /// Priority.
    #[must_use]
    pub fn priority(&self) -> Priority {
        self.priority
    }
    /// Type.
    #[must_use]
    pub fn ticket_type(&self) -> TicketType {
        self.ticket_type
    }
    /// Tags.
    #[must_use]
    pub fn tags(&self) -> &BTreeSet<Tag> {
        &self.tags
    }
    /// Assignee.
    #[must_use]
    pub fn assignee(&self) -> Option<AgentId> {
        self.assignee
    }
    /// Team.
    #[must_use]
    pub fn team(&self) -> Option<TeamId> {
        self.team
    }
    /// The whole conversation, public and internal, in order.
    #[must_use]
    pub fn conversation(&self) -> &[Entry] {
        &self.conversation
    }
    /// The department that has the ticket (after a hand-off).
    #[must_use]
    pub fn department(&self) -> Option<&str> {
        self.department.as_deref()
    }
    /// Links to other tickets.
    #[must_use]
    pub fn links(&self) -> &Links {
        &self.links
    }
    /// When it was opened.
    #[must_use]
    pub fn opened_at(&self) -> DateTime<Utc> {
        self.opened_at
    }
    /// When it last changed.
    #[must_use]
    pub fn updated_at(&self) -> DateTime<Utc> {
        self.updated_at
    }
}

fn checked_body(ticket: TicketId, body: &str) -> Result<String, TicketError> {
    let t = body.trim();
    if t.is_empty() {
        Err(TicketError::EmptyBody(ticket))
    } else {
        Ok(t.to_owned())
    }
}

#[cfg(test)]
mod tests;
