//! The delivery port: hand one outbound message to the outside world.
//!
//! A [`Transport`] delivers one [`OutboundMessage`] (email, SMS, a social
//! reply, a page to an agent), with the files it carries
//! ([`OutboundMessage::attachments`]): the desk holds each file's name,
//! media type, size and storage key, and the transport fetches the bytes
//! from the caller's blob store by that key. The desk never calls it: the caller drains
//! `Desk::poll_outbound`, delivers, and reports the result back, so
//! delivery can be synchronous, async or batched. Delivery is at least
//! once; [`OutboundMessage::id`] is the idempotency key a receiver uses to
//! drop duplicates. [`RecordingTransport`] is the in-memory default: it
//! records what was delivered, drops duplicates, and can be told to fail.
//!
//! # Example
//! ```
//! use chrono::{TimeZone, Utc};
//! use fanatical::channel::{Channel, ChannelAddress};
//! use fanatical::id::{ContactId, MessageId};
//! use fanatical::outbox::{OutboundMessage, Recipient};
//! use fanatical::ticket::{Attachment, AttachmentRef};
//! use fanatical::transport::{Delivery, RecordingTransport, Transport};
//!
//! let msg = OutboundMessage {
//!     id: MessageId::from_uuid(uuid::Uuid::from_u128(1)),
//!     channel: Channel::Email,
//!     recipient: Recipient::Contact {
//!         contact: ContactId::from_uuid(uuid::Uuid::from_u128(2)),
//!         address: ChannelAddress::email("jane@acme.example")?,
//!     },
//!     body: "Your server is back.".into(),
//!     ticket: None,
//!     queued_at: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
//!     deliver_after: None,
//!     attachments: vec![Attachment::new("uptime.png", "image/png", 20_480)?
//!         .stored_at(AttachmentRef::new("blobs/5e2d")?)],
//!     automatic: false,
//! };
//! let mut t = RecordingTransport::new();
//! assert_eq!(t.deliver(&msg)?, Delivery::Delivered);
//! assert_eq!(t.deliver(&msg)?, Delivery::Duplicate); // harmless
//! assert_eq!(t.delivered().len(), 1);
//! // What a real transport resolves and sends with the text.
//! let file = &t.delivered()[0].attachments[0];
//! assert_eq!((file.file_name.as_str(), file.size), ("uptime.png", 20_480));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::BTreeSet;

use crate::id::MessageId;
pub use crate::outbox::OutboundMessage;

/// Why a delivery failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TransportError {
    /// The channel is down or unreachable; worth retrying.
    #[error("delivery of message {id} failed: {reason}")]
    Unavailable {
        /// The message.
        id: MessageId,
        /// What went wrong.
        reason: String,
    },
    /// The recipient cannot receive this message; retrying will not help.
    #[error("message {id} rejected: {reason}")]
    Rejected {
        /// The message.
        id: MessageId,
        /// Why.
        reason: String,
    },
}

/// What a successful delivery did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// Delivered for the first time.
    Delivered,
    /// Already delivered before (same idempotency key); nothing was sent.
    Duplicate,
}

/// Delivers outbound messages.
pub trait Transport {
    /// Delivers one message.
    ///
    /// # Errors
    /// [`TransportError::Unavailable`] when it may succeed later,
    /// [`TransportError::Rejected`] when it never will.
    fn deliver(&mut self, message: &OutboundMessage) -> Result<Delivery, TransportError>;
}

impl<T: Transport + ?Sized> Transport for &mut T {
    fn deliver(&mut self, message: &OutboundMessage) -> Result<Delivery, TransportError> {
        (**self).deliver(message)
    }
}

/// An in-memory transport that records every message it delivers,
/// deduplicates by idempotency key, and can be scripted to fail.
#[derive(Debug, Clone, Default)]
pub struct RecordingTransport {
    delivered: Vec<OutboundMessage>,
    seen: BTreeSet<MessageId>,
    duplicates: usize,
    fail_next: usize,
    attempts: usize,
}

impl RecordingTransport {
    /// A transport that delivers everything.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Makes the next `n` deliveries fail with [`TransportError::Unavailable`].
    pub fn fail_next(&mut self, n: usize) {
        self.fail_next = n;
    }

    /// Messages delivered, once each, in delivery order.
    #[must_use]
    pub fn delivered(&self) -> &[OutboundMessage] {
        &self.delivered
    }

    /// How many deliveries were dropped as duplicates.
    #[must_use]
    pub fn duplicates(&self) -> usize {
        self.duplicates
    }

    /// Every call to `deliver`, failed ones included.
    #[must_use]
    pub fn attempts(&self) -> usize {
        self.attempts
    }
}

impl Transport for RecordingTransport {
    fn deliver(&mut self, message: &OutboundMessage) -> Result<Delivery, TransportError> {
        self.attempts += 1;
        if self.fail_next > 0 {
            self.fail_next -= 1;
            return Err(TransportError::Unavailable {
                id: message.id,
                reason: "scripted failure".into(),
            });
        }
        if self.seen.insert(message.id) {
            self.delivered.push(message.clone());
            Ok(Delivery::Delivered)
        } else {
            self.duplicates += 1;
            Ok(Delivery::Duplicate)
        }
    }
}
