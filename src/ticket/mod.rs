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

mod arrival;
mod command;
mod conversation;
mod entry;
mod event;
mod link;
mod rules;
mod status;
mod triage;
mod waiting;

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use arrival::{TriageEvent, TriageEventKind, TriagedMessage};
pub use command::{FirstMessage, OpenTicket, TicketCommand};
pub use conversation::{MAX_TIME_LOGGED, MIN_TIME_LOGGED, SplitEvents, TimeEntry};
pub use entry::{
    Attachment, AttachmentRef, Author, Entry, EntryOrigin, EntryVisibility, MediaType,
};
pub use event::{StatusCause, TicketEvent, TicketEventKind};
pub use link::{LinkEvents, LinkKind, Links, MergeEvents};
pub use rules::TicketRules;
pub use status::Status;
pub use triage::{Priority, Tag, TicketType};
pub use waiting::{WaitReason, Waiting};

use crate::channel::Channel;
use crate::field::FieldValues;
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
    /// A storage key that is blank, too long, or holds a control character.
    #[error("invalid attachment storage key {0:?}: 1 to 1024 bytes, no control characters")]
    InvalidAttachmentRef(String),
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
    /// A hand-off needs a reason, for the side taking it.
    #[error("ticket {0}: hand-off needs a reason")]
    EmptyReason(TicketId),
    /// A problem link needs an incident-type ticket and a problem-type one.
    #[error(
        "ticket {ticket} is {} {actual}, expected {} {expected}",
        crate::text::article(&actual.to_string()),
        crate::text::article(&expected.to_string())
    )]
    WrongType {
        /// The ticket.
        ticket: TicketId,
        /// Its type.
        actual: TicketType,
        /// The type needed.
        expected: TicketType,
    },
    /// The requester is on every reply already: they cannot be a CC too.
    #[error("contact {contact} requested ticket {ticket}: a requester is not copied")]
    CcIsRequester {
        /// The ticket.
        ticket: TicketId,
        /// The requester.
        contact: ContactId,
    },
    /// Time logged must be positive and at most [`MAX_TIME_LOGGED`].
    #[error("ticket {ticket}: {range}")]
    TimeOutOfRange {
        /// The ticket.
        ticket: TicketId,
        /// The duration given and the range allowed.
        range: crate::time::DurationOutOfRange,
    },
    /// A split that takes no entries.
    #[error("ticket {0}: a split must take at least one entry")]
    NoEntriesChosen(TicketId),
    /// A split that takes every entry, leaving the ticket empty.
    #[error("ticket {0}: a split must leave at least one entry behind")]
    AllEntriesChosen(TicketId),
    /// A split naming an entry the ticket does not have.
    #[error("ticket {ticket} has no entry numbered {number}")]
    UnknownEntry {
        /// The ticket.
        ticket: TicketId,
        /// The entry number asked for.
        number: u32,
    },
    /// A split naming an entry twice.
    #[error("ticket {ticket}: entry {number} is chosen twice")]
    RepeatedEntry {
        /// The ticket.
        ticket: TicketId,
        /// The entry number repeated.
        number: u32,
    },
}

/// The links of a ticket never linked.
static NO_LINKS: Links = Links {
    problem: None,
    incidents: BTreeSet::new(),
    duplicate_of: None,
    duplicates: BTreeSet::new(),
    merged_into: None,
    merged_from: Vec::new(),
    follow_up_of: None,
    split_from: None,
    split_into: BTreeSet::new(),
};

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
    /// Custom-field values.
    #[serde(default, skip_serializing_if = "FieldValues::is_empty")]
    fields: FieldValues,
    assignee: Option<AgentId>,
    team: Option<TeamId>,
    department: Option<String>,
    conversation: Vec<Entry>,
    /// Boxed, and `None` until the ticket is first linked: most never are.
    links: Option<Box<Links>>,
    opened_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    /// When it entered its status (`None`: when it was opened; snapshots
    /// from before read so).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    status_since: Option<DateTime<Utc>>,
    /// The due instant each automation last ran for (boxed, `None` until
    /// one has: 8 bytes on every ticket, not an empty map's 24).
    #[allow(clippy::box_collection)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    automations: Option<Box<BTreeMap<String, DateTime<Utc>>>>,
    /// CCs, followers and time logged: boxed, and `None` while empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    participants: Option<Box<conversation::Participants>>,
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
                fields: cmd.fields,
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
                fields,
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
                fields: fields.clone(),
                assignee: None,
                team: None,
                department: None,
                conversation: Vec::new(),
                links: None,
                opened_at: event.at,
                updated_at: event.at,
                status_since: None,
                automations: None,
                participants: None,
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
            TicketCommand::SetField { key, value } => {
                if self.fields.get(&key) != Some(&value) {
                    push(K::FieldSet { key, value });
                }
            }
            TicketCommand::ClearField { key } => {
                if self.fields.get(&key).is_some() {
                    push(K::FieldCleared { key });
                }
            }
            TicketCommand::HandOff {
                to,
                by,
                reason,
                context,
            } => out.extend(self.hand_off(&to, Some(by), &reason, &context, now)?),
            c @ (TicketCommand::AddCc { .. }
            | TicketCommand::RemoveCc { .. }
            | TicketCommand::AddFollower { .. }
            | TicketCommand::RemoveFollower { .. }
            | TicketCommand::LogTime { .. }) => {
                for kind in self.handle_participants(c)? {
                    push(kind);
                }
            }
        }
        Ok(out)
    }

    /// Hands the ticket to the department `to`, by an agent or (`None`)
    /// by the desk's own rules: an internal note says why and what context
    /// travels, then the hand-off. Nothing when it is there already.
    pub(crate) fn hand_off(
        &self,
        to: &str,
        by: Option<AgentId>,
        reason: &str,
        context: &[String],
        now: DateTime<Utc>,
    ) -> Result<Vec<TicketEvent>, TicketError> {
        use TicketEventKind as K;
        if self.status == Status::Closed {
            return Err(TicketError::Closed(self.id));
        }
        let to = to.trim().to_owned();
        if to.is_empty() {
            return Err(TicketError::EmptyDepartment(self.id));
        }
        if reason.trim().is_empty() {
            return Err(TicketError::EmptyReason(self.id));
        }
        if self.department.as_deref() == Some(to.as_str()) {
            return Ok(Vec::new());
        }
        let mut body = format!("Handed to {to}: {}", reason.trim());
        if !context.is_empty() {
            body.push_str("\nContext that travels with it: ");
            body.push_str(&context.join("; "));
        }
        let author = by.map_or(Author::System, Author::Agent);
        let at = |kind| TicketEvent { at: now, kind };
        Ok(vec![
            at(K::EntryAdded {
                entry: self.next_entry(
                    now,
                    author,
                    EntryVisibility::Internal,
                    self.channel.clone(),
                    body,
                    Vec::new(),
                ),
            }),
            at(K::HandedOff {
                from: self.department.clone(),
                to,
                by,
                reason: reason.trim().to_owned(),
            }),
        ])
    }

    /// Folds an event into the ticket.
    pub fn apply(&mut self, event: &TicketEvent) {
        use TicketEventKind as K;
        // A rule's own bookkeeping is no change to the ticket.
        if !matches!(event.kind, K::RuleFailed { .. } | K::AutomationRan { .. }) {
            self.updated_at = self.updated_at.max(event.at);
        }
        match &event.kind {
            // An archival is recorded on the customer's archive stream,
            // never the ticket's: the ticket is as it was closed.
            K::Opened { .. } | K::Archived { .. } => {}
            K::EntryAdded { entry } => {
                // Most conversations are short: grow them one entry at a
                // time at first (a growing vector leaves room for four).
                if self.conversation.len() < 4 {
                    self.conversation.reserve_exact(1);
                }
                self.conversation.push(entry.clone());
            }
            K::StatusChanged { to, .. } => {
                self.status = *to;
                self.status_since = Some(event.at);
            }
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
                LinkKind::IncidentOf => self.links_mut().problem = Some(*other),
                LinkKind::DuplicateOf => self.links_mut().duplicate_of = Some(*other),
            },
            K::LinkedFrom { link, other } => match link {
                LinkKind::IncidentOf => {
                    self.links_mut().incidents.insert(*other);
                }
                LinkKind::DuplicateOf => {
                    self.links_mut().duplicates.insert(*other);
                }
            },
            K::HandedOff { to, .. } => self.department = Some(to.clone()),
            K::FieldSet { key, value } => {
                self.fields.insert(key.clone(), value.clone());
            }
            K::FieldCleared { key } => {
                self.fields.remove(key);
            }
            K::MergedInto { target } => self.links_mut().merged_into = Some(*target),
            K::FollowUpOf { ticket } => self.links_mut().follow_up_of = Some(*ticket),
            K::CustomerChanged { from, to } => {
                if self.customer == *from {
                    self.customer = *to;
                }
            }
            K::RequesterChanged { from, to } => {
                if self.requester == Some(*from) {
                    self.requester = Some(*to);
                }
            }
            K::MergedIn { source, entries } => {
                self.links_mut().merged_from.push(*source);
                self.conversation.extend(entries.iter().cloned());
            }
            K::CcAdded { .. }
            | K::CcRemoved { .. }
            | K::FollowerAdded { .. }
            | K::FollowerRemoved { .. }
            | K::TimeLogged { .. }
            | K::SplitOff { .. }
            | K::SplitFrom { .. } => self.apply_participants(event.at, &event.kind),
            // The desk keeps the waiting tickets; the ticket itself is
            // as it was (unassigned).
            K::AwaitingAgent { .. } | K::RuleFailed { .. } | K::MacroApplied { .. } => {}
            K::AutomationRan { rule, due } => {
                self.automations
                    .get_or_insert_with(Box::default)
                    .insert(rule.clone(), *due);
            }
        }
    }

    /// The number of the next entry: after the last one, and after every
    /// entry split off (a number is never used twice on a ticket).
    fn next_number(&self) -> u32 {
        self.conversation
            .last()
            .map_or(0, |e| e.number)
            .max(self.split_high())
            .saturating_add(1)
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
    /// Custom-field values, by key. [`FieldValues::terms`] lists them as
    /// exact-match terms for an index (a queue's filter on a field).
    #[must_use]
    pub fn fields(&self) -> &FieldValues {
        &self.fields
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
    /// Erases what `contact` wrote on this ticket, as
    /// [`TicketEvent::erased_for`] erases it from the record: the subject
    /// when they opened it, and their entries' bodies and file names.
    pub(crate) fn erase_messages_of(&mut self, contact: ContactId) {
        let requested = self.requester == Some(contact);
        if requested {
            crate::text::ERASED.clone_into(&mut self.subject);
        }
        self.conversation
            .iter_mut()
            .filter(|e| is_for(e, contact, requested))
            .for_each(Entry::erase_body);
    }
    /// The storage keys of the files an erasure of `contact` blanks here
    /// (their entries', as [`Ticket::erase_messages_of`] finds them, and
    /// those of the notes numbered `notes`): the blobs the caller deletes.
    pub(crate) fn files_erased(
        &self,
        contact: ContactId,
        notes: &BTreeSet<u32>,
    ) -> impl Iterator<Item = &AttachmentRef> {
        let requested = self.requester == Some(contact);
        self.conversation
            .iter()
            .filter(move |e| is_for(e, contact, requested) || notes.contains(&e.number))
            .flat_map(|e| e.attachments.iter())
            .filter_map(|a| a.reference.as_ref())
    }
    /// The numbers of the internal notes that quote one of `words` (a
    /// follow-up note quoting a survey comment).
    pub(crate) fn notes_quoting(&self, words: &[String]) -> BTreeSet<u32> {
        self.conversation
            .iter()
            .filter(|e| e.visibility == EntryVisibility::Internal)
            .filter(|e| words.iter().any(|w| e.body.contains(w.as_str())))
            .map(|e| e.number)
            .collect()
    }
    /// Erases the entries numbered `numbers`, as
    /// [`TicketEvent::erased_entries`] erases them from the record.
    pub(crate) fn erase_entries(&mut self, numbers: &BTreeSet<u32>) {
        self.conversation
            .iter_mut()
            .filter(|e| numbers.contains(&e.number))
            .for_each(Entry::erase_body);
    }
    /// The whole conversation, public and internal, in order: the raw
    /// record, crisis messages included. Never show it to a person as it
    /// is: the desk's views (`Desk::agent_ticket_view`,
    /// `Desk::customer_ticket_view`, `Desk::safety_ticket_view`) leave out
    /// what each audience may not see.
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
        self.links.as_deref().unwrap_or(&NO_LINKS)
    }

    fn links_mut(&mut self) -> &mut Links {
        self.links.get_or_insert_with(Box::default)
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

    /// The due instant the automation `rule` last ran for on the ticket.
    #[must_use]
    pub fn automation_ran(&self, rule: &str) -> Option<DateTime<Utc>> {
        self.automations.as_ref()?.get(rule).copied()
    }

    /// When it entered its present status.
    #[must_use]
    pub fn status_since(&self) -> DateTime<Utc> {
        self.status_since.unwrap_or(self.opened_at)
    }
}

/// Whether an entry is `contact`'s words, or (on a ticket they opened,
/// `requested`) a public reply to them: what their erasure erases.
fn is_for(entry: &Entry, contact: ContactId, requested: bool) -> bool {
    match entry.author {
        Author::Contact(c) => c == contact,
        Author::Agent(_) | Author::System => {
            requested && entry.visibility == EntryVisibility::Public
        }
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
