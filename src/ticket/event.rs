//! What happens to a ticket: its events, and why a status changed.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Entry, LinkKind, Priority, Status, Tag, TicketType};
use crate::channel::Channel;
use crate::field::{FieldKey, FieldValue, FieldValues};
use crate::id::{AgentId, ContactId, CustomerId, TeamId, TicketId};

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
        /// Custom-field values it opened with.
        #[serde(default, skip_serializing_if = "FieldValues::is_empty")]
        fields: FieldValues,
    },
    /// This ticket follows up a closed one: a message on a closed or
    /// archived ticket opened it (recorded right after its opening).
    FollowUpOf {
        /// The closed ticket.
        ticket: TicketId,
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
        /// Who handed it over (`None`: the desk's own rules, a trigger).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        by: Option<AgentId>,
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
    /// A ticket closed longer than the archive window left the desk's
    /// memory. Recorded on its customer's archive stream
    /// ([`crate::event::StreamId::Archive`]), the index of the customer's
    /// archived tickets; the ticket's own stream keeps its history,
    /// unchanged, and is read from the store on demand.
    Archived {
        /// The ticket.
        ticket: TicketId,
        /// Who opened it, if a contact did.
        requester: Option<ContactId>,
        /// When it was opened.
        opened_at: DateTime<Utc>,
        /// When it was closed.
        closed_at: DateTime<Utc>,
        /// The outbound messages about it (each on its own stream): they
        /// leave memory with it, or when they settle if still on their way.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        messages: Vec<crate::id::MessageId>,
        /// The survey invitations about it that left memory with it (on
        /// their contact's invitations stream).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        invitations: Vec<crate::id::InvitationId>,
    },
    /// A contact is copied on public replies.
    CcAdded {
        /// The contact.
        contact: ContactId,
    },
    /// A contact is no longer copied.
    CcRemoved {
        /// The contact.
        contact: ContactId,
    },
    /// An agent follows the ticket.
    FollowerAdded {
        /// The agent.
        agent: AgentId,
    },
    /// An agent stopped following the ticket.
    FollowerRemoved {
        /// The agent.
        agent: AgentId,
    },
    /// An agent logged time on the ticket.
    TimeLogged {
        /// Who.
        agent: AgentId,
        /// How long.
        #[serde(with = "crate::time::seconds")]
        duration: chrono::Duration,
        /// What on (internal).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    /// Entries of this ticket were split off into a new ticket: they
    /// leave this conversation.
    SplitOff {
        /// The new ticket.
        into: TicketId,
        /// The numbers of the entries that left, ascending.
        entries: Vec<u32>,
    },
    /// This ticket was split from another: its conversation starts with
    /// the entries moved here (recorded right after its opening).
    SplitFrom {
        /// The ticket split from.
        source: TicketId,
        /// The entries, renumbered here with their origin kept.
        entries: Vec<Entry>,
    },
    /// A custom field was set.
    FieldSet {
        /// The field.
        key: FieldKey,
        /// Its value.
        value: FieldValue,
    },
    /// A custom field was cleared.
    FieldCleared {
        /// The field.
        key: FieldKey,
    },
    /// The requester was merged into another contact of the customer (the
    /// same person): the ticket is theirs now. What the source wrote stays
    /// attributed to the source, whose tombstone points here.
    RequesterChanged {
        /// The contact merged away.
        from: ContactId,
        /// The contact it became.
        to: ContactId,
    },
    /// The ticket's customer was merged into another (one organisation
    /// known by two accounts): the ticket is the target's now.
    CustomerChanged {
        /// The customer merged away.
        from: CustomerId,
        /// The customer it became.
        to: CustomerId,
    },
    /// The desk's assignment rule found nobody to take the ticket: why,
    /// and when it tries again (see [`crate::assignment`]).
    AwaitingAgent {
        /// Why nobody took it.
        reason: super::WaitReason,
        /// When the desk tries again (none: nobody foresees when).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        until: Option<DateTime<Utc>>,
    },
    /// One of the desk's triggers fired on the ticket and an action of it
    /// was refused: nothing the trigger did was kept (see
    /// [`crate::rules`]). Recorded so the rule's author can see why.
    RuleFailed {
        /// The trigger's name.
        rule: String,
        /// Why its action was refused.
        reason: String,
    },
    /// One of the desk's automations fell due on the ticket and its
    /// conditions held: its changes follow (see [`crate::rules`]). It runs
    /// once per due instant.
    AutomationRan {
        /// The automation's name.
        rule: String,
        /// The instant it fell due.
        due: DateTime<Utc>,
    },
    /// An agent applied one of the desk's macros: its changes follow,
    /// recorded as the agent's (see [`crate::rules::Macro`]).
    MacroApplied {
        /// The macro's name.
        name: String,
    },
}

impl TicketEvent {
    /// This event with everything `contact` wrote or was sent erased (the
    /// subject of a ticket they opened, the bodies and file names of their
    /// entries, merged-in ones too, and — on a ticket they opened,
    /// `requested` — the desk's public replies), or `None` when it holds
    /// none of it. Ids, times, authors, internal notes and the number of
    /// entries stay. Entries split off into a new ticket are erased there
    /// as merged-in ones are.
    #[must_use]
    pub fn erased_for(&self, contact: ContactId, requested: bool) -> Option<TicketEvent> {
        let mut e = self.clone();
        let theirs = |entry: &Entry| super::is_for(entry, contact, requested);
        match &mut e.kind {
            TicketEventKind::Opened {
                requester, subject, ..
            } if *requester == Some(contact) => {
                crate::text::ERASED.clone_into(subject);
            }
            TicketEventKind::EntryAdded { entry } if theirs(entry) => entry.erase_body(),
            TicketEventKind::MergedIn { entries, .. }
            | TicketEventKind::SplitFrom { entries, .. }
                if entries.iter().any(theirs) =>
            {
                entries
                    .iter_mut()
                    .filter(|entry| theirs(entry))
                    .for_each(Entry::erase_body);
            }
            _ => return None,
        }
        (e != *self).then_some(e)
    }

    /// This event with the entries numbered `numbers` erased (internal
    /// notes that quote an erased person, added or split in), or `None`
    /// when it adds none.
    #[must_use]
    pub fn erased_entries(&self, numbers: &BTreeSet<u32>) -> Option<TicketEvent> {
        let mut e = self.clone();
        match &mut e.kind {
            TicketEventKind::EntryAdded { entry } if numbers.contains(&entry.number) => {
                entry.erase_body();
            }
            TicketEventKind::SplitFrom { entries, .. } => entries
                .iter_mut()
                .filter(|entry| numbers.contains(&entry.number))
                .for_each(Entry::erase_body),
            _ => return None,
        }
        (e != *self).then_some(e)
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
