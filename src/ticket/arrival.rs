//! Messages from unknown senders held for triage: what is kept of one
//! until an agent attaches it to a contact (opening its ticket) or
//! discards it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::channel::{Channel, ChannelAddress};
use crate::id::{ContactId, CustomerId, TicketId};
use crate::text::ERASED;

/// A message held for triage, as the desk lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TriagedMessage {
    /// The id of the ticket it opens when attached (and of its stream).
    pub id: TicketId,
    /// The channel it came by.
    pub channel: Channel,
    /// Who sent it.
    pub from: ChannelAddress,
    /// Its subject, if the channel has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// Its text.
    pub body: String,
    /// When it arrived.
    pub received_at: DateTime<Utc>,
}

/// Something that happened to a message held for triage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TriageEvent {
    /// When.
    pub at: DateTime<Utc>,
    /// What.
    pub kind: TriageEventKind,
}

/// What happened to a message held for triage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum TriageEventKind {
    /// A message from an address no contact holds was held (the first
    /// event of its stream). Its attachments are not kept: the channel
    /// keeps them.
    Held {
        /// The id of the ticket it opens when attached.
        id: TicketId,
        /// The channel.
        channel: Channel,
        /// The sender.
        from: ChannelAddress,
        /// The subject.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        subject: Option<String>,
        /// The text.
        body: String,
    },
    /// It was attached to a contact: their ticket opened with it (in the
    /// same decision, on the ticket's stream).
    Attached {
        /// The customer.
        customer: CustomerId,
        /// The contact.
        contact: ContactId,
    },
    /// It was discarded: its sender and text are erased from the record
    /// with this event.
    Discarded,
}

impl TriageEvent {
    /// This event with its sender and text replaced by the placeholder,
    /// or `None` when it holds neither.
    #[must_use]
    pub fn erased(&self) -> Option<TriageEvent> {
        let mut e = self.clone();
        if let TriageEventKind::Held {
            from,
            subject,
            body,
            ..
        } = &mut e.kind
        {
            *from = from.erased();
            if let Some(s) = subject.as_mut() {
                ERASED.clone_into(s);
            }
            ERASED.clone_into(body);
        }
        (e != *self).then_some(e)
    }
}
