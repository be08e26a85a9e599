//! Outbound mail: the desk's messages as standards-compliant mail, sent
//! over SMTP.
//!
//! [`compose`] is pure: an [`OutboundMessage`] becomes a MIME mail (plain
//! text with an HTML alternative, each attachment with its media type,
//! fetched from the caller's [`Blobs`] by its key), with
//! - a `Message-ID` derived from the message's idempotency key
//!   ([`own_message_id`]), so a retried delivery is the same mail;
//! - `In-Reply-To`/`References` pointing at the customer's mails on the
//!   ticket ([`Threads`]), so the reply threads in their mail client;
//! - `From` the ticket's brand (the mailbox the customer wrote to) and
//!   `Reply-To` its mailbox plus the ticket's tag, the subject with the
//!   ticket's token;
//! - the [`LOOP_HEADER`], so the desk knows its own mail when it comes
//!   back;
//! - `Auto-Submitted: auto-generated` ([`AUTO_SUBMITTED`], RFC 3834) on
//!   mail no person wrote ([`OutboundMessage::automatic`]: survey
//!   invitations, incident notices), so autoresponders do not answer it;
//!   an agent's reply never carries it.
//!
//! [`SmtpTransport`] is a [`Transport`]: it composes and sends through an
//! SMTP relay (on lettre's blocking SMTP connection), mapping the server's permanent
//! refusals to [`TransportError::Rejected`] and everything else to
//! [`TransportError::Unavailable`] (worth retrying).

use std::collections::{BTreeSet, VecDeque};
use std::time::{Duration, SystemTime};

use fanatical::channel::{Channel, ChannelAddress};
use fanatical::id::MessageId;
use fanatical::outbox::{OutboundMessage, Recipient};
use fanatical::transport::{Delivery, Transport, TransportError};
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Attachment as MimeAttachment, Mailbox, MultiPart};

use crate::blobs::{BlobError, Blobs};
use crate::config::{Brand, MailConfig};
use crate::inbound::LOOP_HEADER;
use crate::session::Session;
use crate::thread::{Threads, own_message_id, reply_address, subject_token};

/// Why a message could not be made into mail.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ComposeError {
    /// The message is not for an email address (an SMS, a page to an
    /// agent, a social post).
    #[error("message {id} is not for an email address: {recipient}")]
    NotEmail {
        /// The message.
        id: MessageId,
        /// Who it is for.
        recipient: String,
    },
    /// An attachment has no storage key: its bytes cannot be found.
    #[error("message {id}: attachment {file_name:?} has no storage key")]
    NoStorageKey {
        /// The message.
        id: MessageId,
        /// The file.
        file_name: String,
    },
    /// The blob store did not give an attachment's bytes.
    #[error("message {id}: attachment {file_name:?}: {error}")]
    Blob {
        /// The message.
        id: MessageId,
        /// The file.
        file_name: String,
        /// What the store said.
        error: BlobError,
    },
    /// The mail could not be built (an address or header lettre refuses).
    #[error("message {id} could not be built: {reason}")]
    Build {
        /// The message.
        id: MessageId,
        /// Why.
        reason: String,
    },
}

impl ComposeError {
    /// The transport's view: a blob store that is down may come back
    /// (retry); everything else will fail again the same way.
    #[must_use]
    pub fn into_transport_error(self) -> TransportError {
        let id = match &self {
            ComposeError::NotEmail { id, .. }
            | ComposeError::NoStorageKey { id, .. }
            | ComposeError::Blob { id, .. }
            | ComposeError::Build { id, .. } => *id,
        };
        match &self {
            ComposeError::Blob {
                error: BlobError::Unavailable(_),
                ..
            } => TransportError::Unavailable {
                id,
                reason: self.to_string(),
            },
            _ => TransportError::Rejected {
                id,
                reason: self.to_string(),
            },
        }
    }
}

/// A composed mail, ready for SMTP.
#[derive(Debug, Clone)]
pub struct ComposedMail {
    /// Its `Message-ID`, without angle brackets.
    pub message_id: String,
    /// The recipient's address.
    pub to: String,
    /// The envelope sender (the brand's mailbox: bounces come back there).
    pub from: String,
    /// The mail, ready to send.
    pub message: lettre::Message,
}

impl ComposedMail {
    /// The mail as bytes (RFC 5322, CRLF line ends).
    #[must_use]
    pub fn formatted(&self) -> Vec<u8> {
        self.message.formatted()
    }
}

/// The RFC 3834 header automatic mail carries
/// ([`OutboundMessage::automatic`]): `Auto-Submitted: auto-generated`.
pub const AUTO_SUBMITTED: &str = "Auto-Submitted";

/// Makes `message` into mail: see the module docs. Its `Date` is when the
/// message was queued, so a retry is the same mail.
///
/// # Errors
/// [`ComposeError::NotEmail`] for a message not for an email address,
/// [`ComposeError::NoStorageKey`] / [`ComposeError::Blob`] for an
/// attachment whose bytes cannot be had, [`ComposeError::Build`] for
/// an address or header that cannot be written.
pub fn compose(
    config: &MailConfig,
    threads: &Threads,
    blobs: &impl Blobs,
    message: &OutboundMessage,
) -> Result<ComposedMail, ComposeError> {
    let id = message.id;
    let build = |reason: String| ComposeError::Build { id, reason };
    let to = match (&message.channel, &message.recipient) {
        (
            Channel::Email,
            Recipient::Contact {
                address: ChannelAddress::Email(a),
                ..
            }
            | Recipient::Press {
                address: ChannelAddress::Email(a),
            },
        ) => a.clone(),
        (_, r) => {
            return Err(ComposeError::NotEmail {
                id,
                recipient: r.to_string(),
            });
        }
    };
    let thread = message.ticket.and_then(|t| threads.thread(t));
    let brand: &Brand = thread
        .and_then(|t| t.mailbox.as_deref())
        .map_or_else(|| config.default_brand(), |m| config.brand_for(m));
    let from = mailbox(Some(&brand.name), &brand.mailbox).map_err(&build)?;
    let reply_to = match message.ticket {
        Some(t) => reply_address(&brand.mailbox, t),
        None => brand.mailbox.clone(),
    };
    let subject = match (message.ticket, thread.and_then(|t| t.subject.as_deref())) {
        (Some(t), Some(s)) => format!("{} {}", reply_subject(s), subject_token(t)),
        (Some(t), None) => format!("Your request with {} {}", brand.name, subject_token(t)),
        (None, _) => format!("A message from {}", brand.name),
    };
    let mut builder = lettre::Message::builder()
        .from(from)
        .reply_to(mailbox(Some(&brand.name), &reply_to).map_err(&build)?)
        .to(mailbox(None, &to).map_err(&build)?)
        .subject(subject)
        .date(header_date(message.queued_at))
        .message_id(Some(format!(
            "<{}>",
            own_message_id(id, message.ticket, &config.domain)
        )))
        .raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str(LOOP_HEADER),
            config.domain.clone(),
        ));
    if message.automatic {
        // RFC 3834: mail no person wrote (a survey invitation, an incident
        // notice) says so, and autoresponders leave it unanswered. A
        // person's reply must not carry it: the customer's mail system
        // would treat it as a robot's.
        builder = builder.raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str(AUTO_SUBMITTED),
            "auto-generated".to_owned(),
        ));
    }
    if let Some(t) = thread
        && let Some(last) = t.message_ids.last()
    {
        builder = builder.in_reply_to(format!("<{last}>")).references(
            t.message_ids
                .iter()
                .map(|i| format!("<{i}>"))
                .collect::<Vec<_>>()
                .join(" "),
        );
    }
    let text = MultiPart::alternative_plain_html(message.body.clone(), html_of(&message.body));
    let mail = if message.attachments.is_empty() {
        builder.multipart(text)
    } else {
        let mut mixed = MultiPart::mixed().multipart(text);
        for a in &message.attachments {
            let Some(key) = &a.reference else {
                return Err(ComposeError::NoStorageKey {
                    id,
                    file_name: a.file_name.clone(),
                });
            };
            let bytes = blobs.get(key).map_err(|error| ComposeError::Blob {
                id,
                file_name: a.file_name.clone(),
                error,
            })?;
            let media = ContentType::parse(a.media_type.as_str())
                .or_else(|_| ContentType::parse("application/octet-stream"))
                .map_err(|e| build(e.to_string()))?;
            mixed = mixed.singlepart(MimeAttachment::new(a.file_name.clone()).body(bytes, media));
        }
        builder.multipart(mixed)
    }
    .map_err(|e| build(e.to_string()))?;
    Ok(ComposedMail {
        message_id: own_message_id(id, message.ticket, &config.domain),
        to,
        from: brand.mailbox.clone(),
        message: mail,
    })
}

fn mailbox(name: Option<&str>, address: &str) -> Result<Mailbox, String> {
    let address = address.parse().map_err(|e| format!("{address:?}: {e}"))?;
    Ok(Mailbox::new(name.map(str::to_owned), address))
}

/// `Re: ` before a subject that has none (`Re:`, `RE:`, `Aw:`…).
fn reply_subject(subject: &str) -> String {
    let lower = subject.trim_start().to_ascii_lowercase();
    if ["re:", "aw:", "sv:", "antw:"]
        .iter()
        .any(|p| lower.starts_with(p))
    {
        subject.trim().to_owned()
    } else {
        format!("Re: {}", subject.trim())
    }
}

/// The text as simple HTML: paragraphs at blank lines, breaks at line
/// ends, everything escaped.
#[must_use]
pub fn html_of(text: &str) -> String {
    let escape = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    let paragraphs: Vec<String> = text
        .replace("\r\n", "\n")
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| format!("<p>{}</p>", escape(p).replace('\n', "<br>\n")))
        .collect();
    format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head><body>\n{}\n</body></html>\n",
        paragraphs.join("\n")
    )
}

/// How the connection to the relay is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Security {
    /// Plain SMTP, never encrypted: a local MTA or a sidecar relay on the
    /// same host or a trusted network only (port 25).
    Plain,
    /// Plain first, then `STARTTLS` before anything is sent, required: a
    /// server that does not offer it, or whose certificate does not
    /// verify for the relay's host name, is an error and nothing is sent
    /// in the clear (submission, port 587). Needs the `tls` feature.
    StartTls,
    /// TLS from the first byte (SMTPS, port 465), the certificate
    /// verified for the relay's host name. Needs the `tls` feature.
    ImplicitTls,
}

/// A user name and password for SMTP `AUTH` (`PLAIN` or `LOGIN`, as the
/// server offers). Its `Debug` never shows the password.
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpCredentials {
    /// The user name.
    pub user: String,
    password: String,
}

impl SmtpCredentials {
    /// Credentials for `user`.
    #[must_use]
    pub fn new(user: &str, password: &str) -> Self {
        SmtpCredentials {
            user: user.to_owned(),
            password: password.to_owned(),
        }
    }

    pub(crate) fn password(&self) -> &str {
        &self.password
    }
}

impl std::fmt::Debug for SmtpCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpCredentials")
            .field("user", &self.user)
            .finish_non_exhaustive()
    }
}

/// Where the SMTP relay is, how the connection is secured and who the
/// desk logs in as.
///
/// ```
/// use fanatical_email::outbound::{Security, SmtpCredentials, SmtpRelay};
///
/// // A provider's submission port: STARTTLS required, then AUTH.
/// let relay = SmtpRelay::plain("smtp.provider.example", 587)
///     .with_security(Security::StartTls)
///     .with_credentials(SmtpCredentials::new("desk@acme.example", "app-password"));
/// assert!(!format!("{relay:?}").contains("app-password"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SmtpRelay {
    /// Host name or address (TLS verifies the certificate for it).
    pub host: String,
    /// Port (25, 587 for submission with `STARTTLS`, 465 for implicit
    /// TLS).
    pub port: u16,
    /// How long one SMTP command may take.
    pub timeout: Duration,
    /// How the connection is secured.
    pub security: Security,
    /// Whom to log in as (`AUTH`), if the relay wants it. Use them over
    /// TLS only: over [`Security::Plain`] the password crosses the wire
    /// readable.
    pub credentials: Option<SmtpCredentials>,
}

impl SmtpRelay {
    /// A relay at `host:port` that speaks plain SMTP (a local MTA, a
    /// sidecar relay), with a 30-second timeout and no login.
    #[must_use]
    pub fn plain(host: &str, port: u16) -> Self {
        SmtpRelay {
            host: host.to_owned(),
            port,
            timeout: Duration::from_secs(30),
            security: Security::Plain,
            credentials: None,
        }
    }

    /// The same relay, secured so.
    #[must_use]
    pub fn with_security(mut self, security: Security) -> Self {
        self.security = security;
        self
    }

    /// The same relay, logging in with `credentials`.
    #[must_use]
    pub fn with_credentials(mut self, credentials: SmtpCredentials) -> Self {
        self.credentials = Some(credentials);
        self
    }
}

/// A relay configuration that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RelayError {
    /// TLS was asked for, but this build has no TLS (the crate's `tls`
    /// feature is off).
    #[error("{0:?} needs fanatical-email's `tls` feature")]
    TlsNotBuilt(Security),
    /// The TLS settings could not be made.
    #[error("TLS settings: {0}")]
    Tls(String),
}

/// The ids of the messages a transport sent, the newest `capacity` kept.
#[derive(Debug, Clone)]
struct SentIds {
    ids: BTreeSet<MessageId>,
    order: VecDeque<MessageId>,
    capacity: usize,
}

impl SentIds {
    fn new(capacity: usize) -> Self {
        SentIds {
            ids: BTreeSet::new(),
            order: VecDeque::new(),
            capacity,
        }
    }

    fn contains(&self, id: MessageId) -> bool {
        self.ids.contains(&id)
    }

    /// Remembers `id`, forgetting the oldest beyond the capacity.
    fn insert(&mut self, id: MessageId) {
        if self.ids.insert(id) {
            self.order.push_back(id);
        }
        self.trim();
    }

    /// Forgets the oldest beyond the capacity.
    fn trim(&mut self) {
        while self.order.len() > self.capacity {
            if let Some(old) = self.order.pop_front() {
                self.ids.remove(&old);
            }
        }
    }

    fn len(&self) -> usize {
        self.order.len()
    }
}

/// A [`Transport`] that sends email through an SMTP relay.
///
/// It owns the [`Threads`] it reads `In-Reply-To`/`References`, subjects
/// and brands from (feed it with [`SmtpTransport::threads_mut`] as inbound
/// mail is accepted, and parse inbound mail against
/// [`SmtpTransport::threads`]) and the [`Blobs`] it fetches attachments
/// from.
///
/// A message already sent is reported as [`Delivery::Duplicate`] and not
/// sent again, while it is among the [`SmtpTransport::SENT_MEMORY`] newest
/// this transport sent (see [`SmtpTransport::with_sent_memory`]): enough
/// for the retries between a send and the desk's record of it (the desk's
/// outbox hands out a delivered message no more). Beyond that, and across
/// restarts, a retry is sent again with the same `Message-ID`, which lets
/// mail clients drop the duplicate.
///
/// One connection is kept open and reused for the next mail (reopened
/// when the server closed it), on lettre's `SmtpConnection`: TLS,
/// `STARTTLS`, `AUTH` and the SMTP replies are lettre's, given the relay's
/// [`Security`] and credentials as they are; this crate writes no TLS of
/// its own. It writes each mail's body and end-of-data marker in one
/// write, which lettre's `SmtpTransport` does not (see the `session`
/// module: that costs 40 ms a mail).
///
/// ```no_run
/// use fanatical::transport::Transport;
/// use fanatical_email::outbound::{SmtpRelay, SmtpTransport};
/// use fanatical_email::{Brand, MailConfig, MemoryBlobs, Threads};
///
/// let config = MailConfig::new("desk.acme.example", Brand::new("Acme Support", "support@acme.example")?)?;
/// let mut smtp = SmtpTransport::new(config, SmtpRelay::plain("127.0.0.1", 25), Threads::new(), MemoryBlobs::new())?;
/// # let message: fanatical::outbox::OutboundMessage = todo!();
/// smtp.deliver(&message)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct SmtpTransport<B: Blobs> {
    config: MailConfig,
    threads: Threads,
    blobs: B,
    session: Session,
    sent: SentIds,
}

impl<B: Blobs> std::fmt::Debug for SmtpTransport<B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpTransport")
            .field("domain", &self.config.domain)
            .field("sent", &self.sent.len())
            .field("connected", &self.session.is_open())
            .finish_non_exhaustive()
    }
}

impl<B: Blobs> SmtpTransport<B> {
    /// How many sent messages a transport remembers by default, to report
    /// a retry as a duplicate: 10 000 (about 300 KiB).
    pub const SENT_MEMORY: usize = 10_000;

    /// A transport through `relay`. Nothing connects yet: the first
    /// delivery does.
    ///
    /// # Errors
    /// [`RelayError::TlsNotBuilt`] for TLS without the `tls` feature,
    /// [`RelayError::Tls`] when the TLS settings cannot be made.
    pub fn new(
        config: MailConfig,
        relay: SmtpRelay,
        threads: Threads,
        blobs: B,
    ) -> Result<Self, RelayError> {
        Ok(SmtpTransport {
            config,
            threads,
            blobs,
            session: Session::new(relay)?,
            sent: SentIds::new(Self::SENT_MEMORY),
        })
    }

    /// The same transport remembering the `sent` newest messages it sent
    /// (0: none, every retry is sent again).
    #[must_use]
    pub fn with_sent_memory(mut self, sent: usize) -> Self {
        self.sent.capacity = sent;
        self.sent.trim();
        self
    }

    /// The settings.
    #[must_use]
    pub fn config(&self) -> &MailConfig {
        &self.config
    }

    /// The thread index.
    #[must_use]
    pub fn threads(&self) -> &Threads {
        &self.threads
    }

    /// The thread index, to record accepted inbound mail in.
    pub fn threads_mut(&mut self) -> &mut Threads {
        &mut self.threads
    }

    /// The blob store.
    #[must_use]
    pub fn blobs(&self) -> &B {
        &self.blobs
    }

    /// The blob store, to put inbound files in.
    pub fn blobs_mut(&mut self) -> &mut B {
        &mut self.blobs
    }

    /// Composes `message` as this transport would send it.
    ///
    /// # Errors
    /// See [`compose`].
    pub fn compose(&self, message: &OutboundMessage) -> Result<ComposedMail, ComposeError> {
        compose(&self.config, &self.threads, &self.blobs, message)
    }
}

impl<B: Blobs> Transport for SmtpTransport<B> {
    fn deliver(&mut self, message: &OutboundMessage) -> Result<Delivery, TransportError> {
        if self.sent.contains(message.id) {
            return Ok(Delivery::Duplicate);
        }
        let mail = self
            .compose(message)
            .map_err(ComposeError::into_transport_error)?;
        match self
            .session
            .send(mail.message.envelope(), &mail.formatted())
        {
            Ok(_) => {
                self.sent.insert(message.id);
                Ok(Delivery::Delivered)
            }
            Err(e) if e.is_permanent() => Err(TransportError::Rejected {
                id: message.id,
                reason: e.to_string(),
            }),
            Err(e) => Err(TransportError::Unavailable {
                id: message.id,
                reason: e.to_string(),
            }),
        }
    }
}

/// The `Date` header's instant: the message's, within what the header can
/// say (1970 to the end of 9999; the formatter panics outside it).
fn header_date(at: chrono::DateTime<chrono::Utc>) -> SystemTime {
    let first = chrono::DateTime::<chrono::Utc>::UNIX_EPOCH;
    let last = chrono::NaiveDate::from_ymd_opt(9999, 12, 31)
        .and_then(|d| d.and_hms_opt(23, 59, 59))
        .map_or(first, |t| t.and_utc());
    SystemTime::from(at.clamp(first, last))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u128) -> MessageId {
        MessageId::from_uuid(uuid::Uuid::from_u128(n))
    }

    #[test]
    fn the_sent_memory_keeps_the_newest_only() {
        let mut sent = SentIds::new(3);
        for n in 1..=10 {
            sent.insert(id(n));
            sent.insert(id(n));
        }
        assert_eq!((sent.len(), sent.ids.len()), (3, 3));
        assert!(!sent.contains(id(7)));
        assert!((8..=10).all(|n| sent.contains(id(n))));
        sent.capacity = 1;
        sent.trim();
        assert_eq!((sent.len(), sent.ids.len()), (1, 1));
        assert!(sent.contains(id(10)));
    }
}
