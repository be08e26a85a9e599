//! Tickets that involve two: links (an incident to its problem, a
//! duplicate to its original) and merges, decided by reading both tickets
//! and returning events for each.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{
    Author, Entry, EntryOrigin, EntryVisibility, Status, StatusCause, Ticket, TicketError,
    TicketEvent, TicketEventKind, TicketType,
};
use crate::id::{AgentId, TicketId};

/// How two tickets are linked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkKind {
    /// This incident is caused by the other ticket, a problem.
    IncidentOf,
    /// This ticket duplicates the other.
    DuplicateOf,
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
    /// The closed ticket this one follows up (opened by a message on it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub follow_up_of: Option<TicketId>,
    /// The ticket this one was split from (its entries came from there).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub split_from: Option<TicketId>,
    /// The tickets split off this one.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub split_into: BTreeSet<TicketId>,
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
            LinkKind::IncidentOf => self.links().problem == Some(other.id),
            LinkKind::DuplicateOf => self.links().duplicate_of == Some(other.id),
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
}
