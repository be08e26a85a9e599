//! Outbound messages and the outbox that makes their delivery reliable.
//!
//! A message to a customer (a reply on their channel) or to an employee is
//! first recorded as an [`OutboxEventKind::Queued`] event in the same atomic
//! append as the change that caused it. The desk then hands it out with
//! `poll_outbound`, the caller delivers it through a
//! [`crate::transport::Transport`], and acknowledges delivery (recorded as
//! [`OutboxEventKind::Delivered`]) or failure (recorded, and retried on the
//! desk's timers with exponential backoff). Delivery is at least once; the
//! message id is the idempotency key that lets a receiver drop duplicates.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::channel::{Channel, ChannelAddress};
use crate::id::{AgentId, ContactId, MessageId, TicketId};
use crate::ticket::Attachment;
use crate::time::{self, DurationOutOfRange};

/// Who an outbound message is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Recipient {
    /// A customer's contact, at an address.
    Contact {
        /// The contact.
        contact: ContactId,
        /// Where to send it.
        address: ChannelAddress,
    },
    /// An employee (notifications, kudos, pages).
    Agent {
        /// The employee.
        agent: AgentId,
    },
    /// A journalist on the incident press list
    /// ([`IncidentConfig::press`](crate::incident::IncidentConfig::press)).
    Press {
        /// Where to send it.
        address: ChannelAddress,
    },
    /// The public, from an official account (a post on its timeline).
    Public {
        /// The network.
        network: crate::channel::SocialNetwork,
        /// The official handle posting.
        handle: String,
    },
}

impl fmt::Display for Recipient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Recipient::Contact { address, .. } => write!(f, "{address}"),
            Recipient::Agent { agent } => write!(f, "agent {agent}"),
            Recipient::Press { address } => write!(f, "press {address}"),
            Recipient::Public { network, handle } => write!(f, "public post by {network}:{handle}"),
        }
    }
}

/// One message to deliver.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboundMessage {
    /// Its id: the idempotency key.
    pub id: MessageId,
    /// The channel to deliver it on.
    pub channel: Channel,
    /// Who it is for.
    pub recipient: Recipient,
    /// The text.
    pub body: String,
    /// The ticket it belongs to, if any.
    pub ticket: Option<TicketId>,
    /// When it was queued.
    pub queued_at: DateTime<Utc>,
    /// Not to be handed out before this instant: a page that waits for
    /// the person's next working minute. `None`: at once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deliver_after: Option<DateTime<Utc>>,
    /// The files it carries (a public reply's attachments): name, media
    /// type, size, and the key under which the caller's blob store keeps
    /// the bytes, for the transport to fetch and send.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<Attachment>,
    /// Composed by the desk, not written by a person for this recipient:
    /// survey invitations and thank-yous, incident notices to customers
    /// and the press, pages to employees. `false` for a person's reply
    /// (an agent's answer on a ticket) or post. A transport marks
    /// automatic mail so (email: `Auto-Submitted: auto-generated`, RFC
    /// 3834), and the recipients' autoresponders do not answer it.
    /// Messages recorded before this field read as `false`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub automatic: bool,
}

/// Something that happened to an outbound message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxEvent {
    /// When.
    pub at: DateTime<Utc>,
    /// What.
    pub kind: OutboxEventKind,
}

/// What happened to an outbound message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum OutboxEventKind {
    /// Recorded, to be delivered.
    Queued {
        /// The message.
        message: OutboundMessage,
    },
    /// The transport confirmed delivery.
    Delivered {
        /// Which message.
        id: MessageId,
    },
    /// A delivery attempt failed; it is retried at `retry_at`.
    Failed {
        /// Which message.
        id: MessageId,
        /// Attempts so far, including this one.
        attempt: u32,
        /// What the transport said.
        reason: String,
        /// When it is tried again.
        retry_at: DateTime<Utc>,
    },
    /// Too many failures: nobody will try again. Kept for follow-up.
    Abandoned {
        /// Which message.
        id: MessageId,
        /// Attempts made.
        attempts: u32,
        /// The last failure.
        reason: String,
    },
}

impl OutboxEventKind {
    /// The message the event is about: the stream
    /// ([`StreamId::Message`](crate::event::StreamId::Message)) it is
    /// recorded on.
    #[must_use]
    pub fn message(&self) -> MessageId {
        match self {
            OutboxEventKind::Queued { message } => message.id,
            OutboxEventKind::Delivered { id }
            | OutboxEventKind::Failed { id, .. }
            | OutboxEventKind::Abandoned { id, .. } => *id,
        }
    }
}

/// When failed deliveries are tried again. Both delays are from 0 to 100
/// years; reading a policy checks them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RetryPolicyFields")]
#[non_exhaustive]
pub struct RetryPolicy {
    /// Wait after the first failure (default 30 s); doubled after each.
    pub first_delay: Duration,
    /// Longest wait between attempts (default 1 h).
    pub max_delay: Duration,
    /// Attempts before the message is abandoned (default 10).
    pub max_attempts: u32,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            first_delay: Duration::seconds(30),
            max_delay: Duration::hours(1),
            max_attempts: 10,
        }
    }
}

/// A retry policy as read, before its delays are checked: each delay in
/// chrono's wire form, seconds and nanoseconds.
#[derive(Deserialize)]
struct RetryPolicyFields {
    first_delay: (i64, i64),
    max_delay: (i64, i64),
    max_attempts: u32,
}

/// A delay as read. Seconds beyond chrono's range are beyond the setting's
/// too: they saturate, so the check names the setting instead of chrono
/// refusing in its own words.
fn read_delay(field: &str, (secs, nanos): (i64, i64)) -> Result<Duration, DurationOutOfRange> {
    let saturated = if secs < 0 {
        Duration::MIN
    } else {
        Duration::MAX
    };
    let value = u32::try_from(nanos)
        .ok()
        .filter(|n| *n < 1_000_000_000)
        .map_or(saturated, |n| Duration::new(secs, n).unwrap_or(saturated));
    time::check_configured(field, value)
}

impl TryFrom<RetryPolicyFields> for RetryPolicy {
    type Error = DurationOutOfRange;
    fn try_from(f: RetryPolicyFields) -> Result<Self, Self::Error> {
        let first_delay = read_delay("retry first_delay", f.first_delay)?;
        let max_delay = read_delay("retry max_delay", f.max_delay)?;
        RetryPolicy::new(first_delay, max_delay, f.max_attempts)
    }
}

impl RetryPolicy {
    /// A policy waiting `first_delay` after the first failure, doubling up
    /// to `max_delay`, and abandoning after `max_attempts` failures.
    ///
    /// # Errors
    /// [`DurationOutOfRange`] for a delay that is negative or over 100
    /// years.
    pub fn new(
        first_delay: Duration,
        max_delay: Duration,
        max_attempts: u32,
    ) -> Result<Self, DurationOutOfRange> {
        let policy = RetryPolicy {
            first_delay,
            max_delay,
            max_attempts,
        };
        policy.validate()?;
        Ok(policy)
    }

    /// Checks the delays (a policy changed through its fields skips
    /// [`RetryPolicy::new`]).
    ///
    /// # Errors
    /// [`DurationOutOfRange`] naming the delay out of range.
    pub fn validate(&self) -> Result<(), DurationOutOfRange> {
        time::check_configured("retry first_delay", self.first_delay)?;
        time::check_configured("retry max_delay", self.max_delay)?;
        Ok(())
    }

    /// The wait after failed attempt number `attempt` (from 1):
    /// `first_delay * 2^(attempt-1)`, capped at `max_delay`.
    #[must_use]
    pub fn delay_after(&self, attempt: u32) -> Duration {
        let shift = attempt.saturating_sub(1).min(30);
        let factor = 1_i32 << shift;
        self.first_delay
            .checked_mul(factor)
            .unwrap_or(self.max_delay)
            .min(self.max_delay)
    }
}

/// Where a message is in its delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum DeliveryState {
    /// Waiting to be handed out.
    Ready,
    /// Failed; waiting until `until` to be tried again.
    Backoff {
        /// When it becomes ready again.
        until: DateTime<Utc>,
    },
    /// Delivered.
    Delivered,
    /// Given up on.
    Abandoned,
}

/// The outbox's record of one message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxEntry {
    /// The message.
    pub message: OutboundMessage,
    /// The store position of its `Queued` event: its place in the queue.
    pub queued_position: u64,
    /// Its delivery state.
    pub state: DeliveryState,
    /// Failed attempts so far.
    pub failures: u32,
    /// The last failure's reason.
    pub last_error: Option<String>,
}

/// What the outbox can be told by whoever delivers its messages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
#[non_exhaustive]
pub enum OutboxAction {
    /// The transport delivered a message.
    MarkDelivered {
        /// The message.
        message: MessageId,
    },
    /// The transport failed to deliver a message.
    MarkFailed {
        /// The message.
        message: MessageId,
        /// What the transport said.
        reason: String,
    },
}

/// Why the outbox refused an acknowledgement.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OutboxError {
    /// No such outbound message.
    #[error("unknown outbound message {0}")]
    UnknownMessage(MessageId),
    /// A failed delivery reported without saying why.
    #[error(transparent)]
    Blank(#[from] crate::text::BlankText),
}

/// The outbox aggregate: every message recorded on the outbox stream and
/// where it is in its delivery, with the queue the desk hands messages out
/// from. A pure fold of [`OutboxEvent`]s.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Outbox {
    /// Boxed: an entry holds a whole message, and a B-tree moves its
    /// values within a node on every insert; a pointer moves cheaply.
    entries: BTreeMap<MessageId, Box<OutboxEntry>>,
    /// Undelivered messages in queue order (by the position they were
    /// queued at).
    pending: BTreeMap<u64, MessageId>,
    /// The messages about each ticket, so an archived ticket's leave with
    /// it. Derived from `entries`: rebuilt by [`Outbox::reindex`].
    #[serde(skip)]
    by_ticket: std::collections::BTreeSet<(TicketId, MessageId)>,
}

impl OutboundMessage {
    /// Whether it goes to `contact`.
    #[must_use]
    pub fn is_to(&self, contact: ContactId) -> bool {
        matches!(&self.recipient, Recipient::Contact { contact: c, .. } if *c == contact)
    }

    /// Erases the address of a message to a contact (and, with `body`, its
    /// text and its files' names and storage keys), keeping its id,
    /// channel, ticket, time, and each file's type and size.
    pub fn erase_recipient(&mut self, body: bool) {
        if let Recipient::Contact { address, .. } = &mut self.recipient {
            *address = address.erased();
        }
        if body {
            self.erase_body();
        }
    }

    /// Erases its text and its files' names and storage keys, as
    /// [`Entry::erase_body`](crate::ticket::Entry::erase_body) erases the
    /// entry it copies.
    pub fn erase_body(&mut self) {
        crate::text::ERASED.clone_into(&mut self.body);
        self.attachments.iter_mut().for_each(Attachment::erase);
    }
}

impl OutboxEvent {
    /// This event with what it holds about `contact` erased: the address
    /// of a message to them (and with `bodies` its text, and the text of
    /// the messages to others that quote them, `quoting`), and the failure
    /// reason recorded for one of `messages` (theirs; a transport's words
    /// may quote the address). `None` when it holds nothing about them.
    #[must_use]
    pub fn erased_for(
        &self,
        contact: ContactId,
        messages: &std::collections::BTreeSet<MessageId>,
        quoting: &std::collections::BTreeSet<MessageId>,
        bodies: bool,
    ) -> Option<OutboxEvent> {
        let mut e = self.clone();
        match &mut e.kind {
            OutboxEventKind::Queued { message } if message.is_to(contact) => {
                message.erase_recipient(bodies);
            }
            OutboxEventKind::Queued { message } if bodies && quoting.contains(&message.id) => {
                message.erase_body();
            }
            OutboxEventKind::Failed { id, reason, .. }
            | OutboxEventKind::Abandoned { id, reason, .. }
                if messages.contains(id) =>
            {
                crate::text::ERASED.clone_into(reason);
            }
            _ => return None,
        }
        (e != *self).then_some(e)
    }
}

impl Outbox {
    /// Forgets the settled (delivered or abandoned) messages about an
    /// archived ticket and returns their ids; messages still on their way
    /// stay until they settle.
    pub(crate) fn forget_ticket(&mut self, ticket: TicketId) -> Vec<MessageId> {
        let first = MessageId::from_uuid(uuid::Uuid::nil());
        let about: Vec<MessageId> = self
            .by_ticket
            .range((ticket, first)..)
            .take_while(|(t, _)| *t == ticket)
            .map(|(_, m)| *m)
            .collect();
        let mut gone = Vec::new();
        for id in about {
            let settled = self.entries.get(&id).is_none_or(|e| {
                matches!(e.state, DeliveryState::Delivered | DeliveryState::Abandoned)
            });
            if settled {
                self.entries.remove(&id);
                self.by_ticket.remove(&(ticket, id));
                gone.push(id);
            }
        }
        gone
    }

    /// Forgets one settled message about an archived ticket (one that was
    /// still on its way when the ticket was archived). Returns whether it
    /// was settled and forgotten.
    pub(crate) fn forget_settled(&mut self, id: MessageId) -> bool {
        let Some(e) = self.entries.get(&id) else {
            return false;
        };
        if !matches!(e.state, DeliveryState::Delivered | DeliveryState::Abandoned) {
            return false;
        }
        if let Some(t) = e.message.ticket {
            self.by_ticket.remove(&(t, id));
        }
        self.entries.remove(&id);
        true
    }

    /// Builds the by-ticket index again (after a snapshot is restored: it
    /// is not part of it).
    pub(crate) fn reindex(&mut self) {
        self.by_ticket = self
            .entries
            .values()
            .filter_map(|e| e.message.ticket.map(|t| (t, e.message.id)))
            .collect();
    }

    /// Erases what the outbox holds about `contact`, as
    /// [`OutboxEvent::erased_for`] erases it from the record.
    pub(crate) fn erase_contact(&mut self, contact: ContactId, bodies: bool) {
        for entry in self.entries.values_mut() {
            if entry.message.is_to(contact) {
                entry.message.erase_recipient(bodies);
                if let Some(reason) = &mut entry.last_error {
                    crate::text::ERASED.clone_into(reason);
                }
            }
        }
    }

    /// The messages to employees whose text quotes one of `words` (kudos
    /// quoting a customer's praise).
    pub(crate) fn quoting(&self, words: &[String]) -> std::collections::BTreeSet<MessageId> {
        if words.is_empty() {
            return std::collections::BTreeSet::new();
        }
        self.entries
            .values()
            .filter(|e| matches!(e.message.recipient, Recipient::Agent { .. }))
            .filter(|e| words.iter().any(|w| e.message.body.contains(w.as_str())))
            .map(|e| e.message.id)
            .collect()
    }

    /// The messages about `tickets` to contacts other than `contact`: the
    /// copies of public replies to those tickets' CCs, which carry the same
    /// text the requester `contact` was sent.
    pub(crate) fn copies_about(
        &self,
        tickets: &std::collections::BTreeSet<TicketId>,
        contact: ContactId,
    ) -> std::collections::BTreeSet<MessageId> {
        let first = MessageId::from_uuid(uuid::Uuid::nil());
        tickets
            .iter()
            .flat_map(|t| {
                self.by_ticket
                    .range((*t, first)..)
                    .take_while(move |(about, _)| about == t)
            })
            .filter_map(|(_, id)| self.entries.get(id))
            .filter(|e| {
                matches!(e.message.recipient, Recipient::Contact { contact: c, .. } if c != contact)
            })
            .map(|e| e.message.id)
            .collect()
    }

    /// Erases the text of `messages` (see [`Outbox::quoting`]).
    pub(crate) fn erase_bodies(&mut self, messages: &std::collections::BTreeSet<MessageId>) {
        for id in messages {
            if let Some(entry) = self.entries.get_mut(id) {
                entry.message.erase_body();
            }
        }
    }

    /// The storage keys of the files `messages` carry.
    pub(crate) fn files_of<'a>(
        &'a self,
        messages: impl IntoIterator<Item = &'a MessageId>,
    ) -> impl Iterator<Item = &'a crate::ticket::AttachmentRef> {
        messages
            .into_iter()
            .filter_map(|id| self.entries.get(id))
            .flat_map(|e| e.message.attachments.iter())
            .filter_map(|a| a.reference.as_ref())
    }

    /// The ids of every message to `contact`.
    pub(crate) fn messages_to(&self, contact: ContactId) -> std::collections::BTreeSet<MessageId> {
        self.entries
            .values()
            .filter(|e| e.message.is_to(contact))
            .map(|e| e.message.id)
            .collect()
    }

    /// One message's record.
    #[must_use]
    pub fn get(&self, id: MessageId) -> Option<&OutboxEntry> {
        self.entries.get(&id).map(|e| &**e)
    }

    /// Every message recorded, by id.
    pub fn iter(&self) -> impl Iterator<Item = &OutboxEntry> {
        self.entries.values().map(|e| &**e)
    }

    /// How many messages are neither delivered nor abandoned.
    #[must_use]
    pub fn undelivered(&self) -> usize {
        self.pending.len()
    }

    /// The messages about `ticket`, by id.
    pub fn about(&self, ticket: TicketId) -> impl Iterator<Item = &OutboxEntry> {
        let first = MessageId::from_uuid(uuid::Uuid::nil());
        self.by_ticket
            .range((ticket, first)..)
            .take_while(move |(t, _)| *t == ticket)
            .filter_map(|(_, m)| self.entries.get(m).map(|e| &**e))
    }

    /// Undelivered messages in queue order.
    pub fn queue(&self) -> impl Iterator<Item = &OutboxEntry> {
        self.pending
            .values()
            .filter_map(|id| self.entries.get(id).map(|e| &**e))
    }

    /// Decides an acknowledgement from whoever delivers: a delivery; or a
    /// failure, retried after the policy's backoff until it gives up. An
    /// acknowledgement for a message already settled changes nothing.
    ///
    /// # Errors
    /// [`OutboxError::UnknownMessage`].
    pub fn handle(
        &self,
        action: OutboxAction,
        retry: &RetryPolicy,
        now: DateTime<Utc>,
    ) -> Result<Vec<OutboxEvent>, OutboxError> {
        let (message, failure) = match action {
            OutboxAction::MarkDelivered { message } => (message, None),
            OutboxAction::MarkFailed { message, reason } => (
                message,
                Some(crate::text::BlankText::check(
                    &reason,
                    "a delivery failure reason",
                )?),
            ),
        };
        let entry = self
            .get(message)
            .ok_or(OutboxError::UnknownMessage(message))?;
        if !matches!(
            entry.state,
            DeliveryState::Ready | DeliveryState::Backoff { .. }
        ) {
            return Ok(Vec::new());
        }
        let kind = match failure {
            None => OutboxEventKind::Delivered { id: message },
            Some(reason) => {
                let attempt = entry.failures.saturating_add(1);
                if attempt >= retry.max_attempts {
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
                        retry_at: crate::time::plus(now, retry.delay_after(attempt)),
                    }
                }
            }
        };
        Ok(vec![OutboxEvent { at: now, kind }])
    }

    /// Folds one outbox event recorded at store `position`.
    pub fn apply(&mut self, position: u64, e: &OutboxEvent) {
        match &e.kind {
            OutboxEventKind::Queued { message } => {
                self.pending.insert(position, message.id);
                if let Some(t) = message.ticket {
                    self.by_ticket.insert((t, message.id));
                }
                self.entries.insert(
                    message.id,
                    Box::new(OutboxEntry {
                        message: message.clone(),
                        queued_position: position,
                        state: DeliveryState::Ready,
                        failures: 0,
                        last_error: None,
                    }),
                );
            }
            OutboxEventKind::Delivered { id } | OutboxEventKind::Abandoned { id, .. } => {
                if let Some(entry) = self.entries.get_mut(id) {
                    self.pending.remove(&entry.queued_position);
                    if let OutboxEventKind::Abandoned {
                        attempts, reason, ..
                    } = &e.kind
                    {
                        entry.state = DeliveryState::Abandoned;
                        entry.failures = *attempts;
                        entry.last_error = Some(reason.clone());
                    } else {
                        entry.state = DeliveryState::Delivered;
                    }
                }
            }
            OutboxEventKind::Failed {
                id,
                attempt,
                reason,
                retry_at,
            } => {
                if let Some(entry) = self.entries.get_mut(id) {
                    entry.state = DeliveryState::Backoff { until: *retry_at };
                    entry.failures = *attempt;
                    entry.last_error = Some(reason.clone());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_caps() {
        let p = RetryPolicy::default();
        assert_eq!(p.delay_after(1), Duration::seconds(30));
        assert_eq!(p.delay_after(2), Duration::seconds(60));
        assert_eq!(p.delay_after(5), Duration::seconds(480));
        assert_eq!(p.delay_after(10), Duration::hours(1));
        assert_eq!(p.delay_after(u32::MAX), Duration::hours(1));
        assert_eq!(p.delay_after(0), Duration::seconds(30));
    }

    #[test]
    fn the_aggregate_decides_acknowledgements_and_backs_off() {
        use chrono::TimeZone;
        let now = Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap();
        let id = MessageId::from_uuid(uuid::Uuid::from_u128(1));
        let mut outbox = Outbox::default();
        let retry = RetryPolicy::default();
        let ack = OutboxAction::MarkDelivered { message: id };
        assert_eq!(
            outbox.handle(ack.clone(), &retry, now),
            Err(OutboxError::UnknownMessage(id))
        );
        let message = OutboundMessage {
            id,
            channel: Channel::Chat,
            recipient: Recipient::Agent {
                agent: AgentId::from_uuid(uuid::Uuid::from_u128(2)),
            },
            body: "hi".into(),
            ticket: None,
            queued_at: now,
            deliver_after: None,
            attachments: Vec::new(),
            automatic: false,
        };
        outbox.apply(
            1,
            &OutboxEvent {
                at: now,
                kind: OutboxEventKind::Queued { message },
            },
        );
        let failed = OutboxAction::MarkFailed {
            message: id,
            reason: "timeout".into(),
        };
        let events = outbox.handle(failed, &retry, now).unwrap();
        assert!(matches!(
            events.as_slice(),
            [OutboxEvent { kind: OutboxEventKind::Failed { attempt: 1, retry_at, .. }, .. }]
                if *retry_at == now + Duration::seconds(30)
        ));
        for e in &events {
            outbox.apply(2, e);
        }
        let delivered = outbox.handle(ack.clone(), &retry, now).unwrap();
        assert!(matches!(
            delivered.as_slice(),
            [OutboxEvent {
                kind: OutboxEventKind::Delivered { .. },
                ..
            }]
        ));
        outbox.apply(3, &delivered[0]);
        // Settled: a late acknowledgement changes nothing.
        assert_eq!(outbox.handle(ack, &retry, now), Ok(Vec::new()));
        assert_eq!(outbox.undelivered(), 0);
    }
}
