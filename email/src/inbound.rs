//! Inbound mail: raw RFC 5322 bytes to a typed [`Outcome`].
//!
//! [`parse`] never fails and never panics: every mail becomes one outcome,
//! and every outcome keeps the raw mail ([`Outcome::raw`]) for a person to
//! look at. Only [`Outcome::Message`] is for the desk
//! ([`InboundMail::to_inbound`] makes its `Receive`); auto-replies, bounces,
//! the desk's own mail looping back and refused mail never open tickets.

use chrono::{DateTime, Utc};
use fanatical::actor::{Actor, CommandKey};
use fanatical::channel::{Channel, ChannelAddress};
use fanatical::desk::{Command, Desk, DeskError, InboundMessage, TicketAction};
use fanatical::id::{CommandId, TicketId};
use fanatical::ticket::{Attachment, MediaType};
use mail_parser::{
    Address, HeaderValue, Message, MessageParser, MessagePart, MimeHeaders, PartType,
};

use crate::blobs::{BlobError, Blobs};
use crate::config::MailConfig;
use crate::dsn;
use crate::quote;
use crate::thread::{
    OwnMessageId, Threads, message_key, parse_own_message_id, strip_subject_token,
    ticket_in_address, ticket_in_subject,
};

pub use crate::dsn::{Bounce, FailedRecipient};

/// What one inbound mail is.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Outcome {
    /// A person's mail: for the desk.
    Message(Box<InboundMail>),
    /// An automatic reply (out of office, vacation, an autoresponder):
    /// never opens or grows a ticket.
    AutoReply(AutoReply),
    /// A delivery status notification: which addresses failed.
    Bounce(Bounce),
    /// The desk's own mail come back (a forwarding loop, a mailbox that
    /// sends everything back). Recognised by, in this order: a
    /// `Message-ID` the desk wrote (its domain and shape), the
    /// [`LOOP_HEADER`] naming the desk's domain, or a sender that is one of
    /// the brands' mailboxes (plus tag and case ignored): mail `From` our
    /// own brand mailbox is our own mail, whatever else it carries, since
    /// only the desk sends from those mailboxes. A person writing from a
    /// brand mailbox (a colleague testing, a shared inbox forwarding as
    /// itself) is therefore never a customer's ticket: give people their
    /// own address.
    OwnMail(OwnMail),
    /// Mail that cannot become a ticket entry, with the reason.
    Refused(Refused),
}

impl Outcome {
    /// The mail as received, byte for byte.
    #[must_use]
    pub fn raw(&self) -> &[u8] {
        match self {
            Outcome::Message(m) => &m.raw,
            Outcome::AutoReply(a) => &a.raw,
            Outcome::Bounce(b) => &b.raw,
            Outcome::OwnMail(o) => &o.raw,
            Outcome::Refused(r) => &r.raw,
        }
    }
}

/// Which header or token found the ticket a mail continues.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ThreadedBy {
    /// `In-Reply-To` or `References` names one of the desk's own
    /// messages (this `Message-ID`).
    OwnMessage(String),
    /// `In-Reply-To` or `References` names a mail recorded in [`Threads`].
    Recorded(String),
    /// A recipient address carries the ticket's plus tag.
    ReplyAddress(String),
    /// The subject carries the ticket's token.
    SubjectToken,
}

/// The ticket a mail continues and how it was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreadMatch {
    /// The ticket.
    pub ticket: TicketId,
    /// How.
    pub by: ThreadedBy,
}

/// Where the entry's text came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodySource {
    /// A `text/plain` part.
    Text,
    /// An HTML-only mail, read as text.
    Html,
}

/// A file carried by a mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailFile {
    /// Its name (`attachment` with a number when the mail gave none).
    pub file_name: String,
    /// Its media type (`application/octet-stream` when unknown or invalid).
    pub media_type: MediaType,
    /// The decoded bytes.
    pub bytes: Vec<u8>,
    /// Shown inline (an image in the body) rather than attached.
    pub inline: bool,
}

/// A person's mail, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct InboundMail {
    /// The sender's address (`From`, else `Sender`), lowercased: the desk
    /// finds the contact by it.
    pub from: ChannelAddress,
    /// The sender's display name, if given.
    pub from_name: Option<String>,
    /// The mail's `Message-ID`, without angle brackets.
    pub message_id: Option<String>,
    /// `In-Reply-To`, without angle brackets.
    pub in_reply_to: Vec<String>,
    /// `References`, oldest first, without angle brackets.
    pub references: Vec<String>,
    /// The subject, ticket token removed.
    pub subject: Option<String>,
    /// Which of the desk's mailboxes it was sent to (plus tag removed),
    /// if one of the brands' was among the recipients.
    pub mailbox: Option<String>,
    /// The ticket it continues, if one was found.
    pub thread: Option<ThreadMatch>,
    /// The new text: quoted history and signature removed.
    pub body: String,
    /// The whole text as received (history and signature included).
    pub full_text: String,
    /// Where the text came from.
    pub body_source: BodySource,
    /// The files, attached and inline.
    pub attachments: Vec<MailFile>,
    /// The `Date` header, if it parsed.
    pub date: Option<DateTime<Utc>>,
    /// The mail as received.
    pub raw: Vec<u8>,
}

/// Why a mail is an automatic reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AutoReplyReason {
    /// `Auto-Submitted` other than `no` (RFC 3834), with its value.
    AutoSubmitted(String),
    /// `X-Autoreply`, `X-Autorespond` or `X-Auto-Reply` present.
    AutoreplyHeader(String),
    /// `Precedence` (or `X-Precedence`) `bulk`, `junk`, `list` or
    /// `auto_reply`, with its value.
    Precedence(String),
    /// An out-of-office subject (`Out of Office`, `Automatic reply:`…:
    /// one of the forms autoresponders write, alone or before a colon).
    OutOfOfficeSubject(String),
}

/// An automatic reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AutoReply {
    /// The sender, if any.
    pub from: Option<String>,
    /// Why it is automatic.
    pub reason: AutoReplyReason,
    /// The ticket it answers, if found.
    pub ticket: Option<TicketId>,
    /// The mail as received.
    pub raw: Vec<u8>,
}

/// The desk's own mail, come back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnMail {
    /// What its `Message-ID` names, when it is one of ours.
    pub message: Option<OwnMessageId>,
    /// How it was recognised.
    pub recognised_by: String,
    /// The mail as received.
    pub raw: Vec<u8>,
}

/// Why a mail cannot become a ticket entry.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RefusedReason {
    /// Not a mail: no headers, or no sender address that works.
    Malformed {
        /// What was wrong.
        what: String,
    },
    /// Neither text nor files.
    NoBody,
    /// A file over [`MailConfig::max_attachment_bytes`] (the whole mail,
    /// kept as `original.eml`, counts as one).
    AttachmentTooLarge {
        /// Its name.
        file_name: String,
        /// Its size in bytes.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// More files than [`MailConfig::max_attachments`], counting the
    /// original kept with them.
    TooManyAttachments {
        /// The files with the original.
        count: usize,
        /// The limit.
        limit: usize,
    },
}

/// A refused mail, kept whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    /// Why.
    pub reason: RefusedReason,
    /// The sender, if one could be read.
    pub from: Option<String>,
    /// The mail as received.
    pub raw: Vec<u8>,
}

/// The header this crate sets on every mail it sends: its value is the
/// desk's `Message-ID` domain, so the desk's own mail is recognised when it
/// comes back even when the `Message-ID` was rewritten.
pub const LOOP_HEADER: &str = "X-Fanatical-Desk";

/// Parses one raw mail. Never fails: see [`Outcome`].
///
/// ```
/// use fanatical_email::{parse, Brand, MailConfig, Outcome, Threads};
///
/// let config = MailConfig::new("desk.acme.example", Brand::new("Acme Support", "support@acme.example")?)?;
/// let raw = b"From: Jane Doe <Jane@Customer.example>\r\nTo: support@acme.example\r\n\
/// Subject: Site down\r\nMessage-ID: <1@customer.example>\r\n\r\nOur site is down.\r\n\r\n-- \r\nJane\r\n";
/// let Outcome::Message(mail) = parse(raw, &config, &Threads::new()) else { panic!() };
/// assert_eq!(mail.from.to_string(), "email:jane@customer.example");
/// assert_eq!(mail.body, "Our site is down.");
/// assert_eq!(mail.mailbox.as_deref(), Some("support@acme.example"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[must_use]
pub fn parse(raw: &[u8], config: &MailConfig, threads: &Threads) -> Outcome {
    let refused = |reason, from| {
        Outcome::Refused(Refused {
            reason,
            from,
            raw: raw.to_vec(),
        })
    };
    let Some(msg) = MessageParser::default().parse(raw) else {
        return refused(
            RefusedReason::Malformed {
                what: "no header fields".into(),
            },
            None,
        );
    };
    if msg.headers().is_empty() {
        return refused(
            RefusedReason::Malformed {
                what: "no header fields".into(),
            },
            None,
        );
    }
    let sender = first_address(msg.from()).or_else(|| first_address(msg.sender()));
    let sender_text = sender.as_ref().map(|(a, _)| a.clone());

    if let Some(own) = own_mail(&msg, config, sender_text.as_deref()) {
        return Outcome::OwnMail(OwnMail {
            raw: raw.to_vec(),
            ..own
        });
    }
    if let Some(bounce) = dsn::bounce(&msg, config, sender_text.as_deref(), raw) {
        return Outcome::Bounce(bounce);
    }
    let thread = find_thread(&msg, config, threads);
    if let Some(reason) = auto_reply(&msg) {
        return Outcome::AutoReply(AutoReply {
            from: sender_text,
            reason,
            ticket: thread.map(|t| t.ticket),
            raw: raw.to_vec(),
        });
    }
    let Some((address, from_name)) = sender else {
        return refused(
            RefusedReason::Malformed {
                what: "no sender address (From or Sender)".into(),
            },
            None,
        );
    };
    let Ok(from) = ChannelAddress::email(address.as_str()) else {
        return refused(
            RefusedReason::Malformed {
                what: format!("the sender {address:?} is not an email address"),
            },
            Some(address),
        );
    };
    let attachments = files(&msg);
    if let Some(big) = attachments
        .iter()
        .find(|f| f.bytes.len() as u64 > config.max_attachment_bytes)
    {
        return refused(
            RefusedReason::AttachmentTooLarge {
                file_name: big.file_name.clone(),
                size: big.bytes.len() as u64,
                limit: config.max_attachment_bytes,
            },
            Some(address),
        );
    }
    // The desk keeps the original with the files: it must fit as they do.
    let count = attachments.len().saturating_add(1);
    if count > config.max_attachments {
        return refused(
            RefusedReason::TooManyAttachments {
                count,
                limit: config.max_attachments,
            },
            Some(address),
        );
    }
    if raw.len() as u64 > config.max_attachment_bytes {
        return refused(
            RefusedReason::AttachmentTooLarge {
                file_name: "original.eml".into(),
                size: raw.len() as u64,
                limit: config.max_attachment_bytes,
            },
            Some(address),
        );
    }
    let subject = msg
        .subject()
        .map(strip_subject_token)
        .filter(|s| !s.is_empty());
    let forward = subject.as_deref().is_some_and(is_forward_subject);
    let (full_text, body, body_source) = text_of(&msg, forward);
    if body.trim().is_empty() && full_text.trim().is_empty() && attachments.is_empty() {
        return refused(RefusedReason::NoBody, Some(address));
    }
    // Only quoted history and no new text: keep what there is.
    let body = if body.trim().is_empty() {
        full_text.trim().to_owned()
    } else {
        body
    };
    let mailbox = recipients(&msg)
        .into_iter()
        .find_map(|a| config.brand_of(&a).map(|b| b.mailbox.clone()));
    Outcome::Message(Box::new(InboundMail {
        from,
        from_name,
        message_id: msg.message_id().map(str::to_owned),
        in_reply_to: ids(msg.in_reply_to()),
        references: ids(msg.references()),
        subject,
        mailbox,
        thread,
        body,
        full_text,
        body_source,
        attachments,
        date: msg
            .date()
            .and_then(|d| DateTime::from_timestamp(d.to_timestamp(), 0)),
        raw: raw.to_vec(),
    }))
}

impl InboundMail {
    /// Drops [`InboundMail::thread`] when `desk` would refuse it, so the
    /// mail opens a new ticket instead of being refused: a ticket the
    /// sender's customer does not hold (a token or reply address copied
    /// from someone else's mail, another desk's token), or one the desk
    /// does not know and has no archive of the sender's to look it up in.
    /// Whatever a mail claims, it never continues another customer's
    /// ticket (the desk refuses that too); this turns the refusal into a
    /// new ticket. Call it before [`InboundMail::to_inbound`]. A sender
    /// the desk does not know is left to the desk.
    ///
    /// Returns whether the thread was dropped.
    pub fn drop_foreign_thread(&mut self, desk: &Desk) -> bool {
        let Some(thread) = self.thread.clone() else {
            return false;
        };
        let Some(sender) = desk.customers().find_contact(&self.from) else {
            return false;
        };
        let keep = match desk.tickets().get(thread.ticket) {
            Some(t) => t.customer() == sender.customer,
            // Not in memory: archived (the desk reads the sender's archive
            // to see whose), or unknown.
            None => {
                let probe =
                    InboundMessage::new(thread.ticket, Channel::Email, self.from.clone(), "")
                        .in_reply_to(thread.ticket);
                let cmd = Command::new(Actor::integration("email"), TicketAction::Receive(probe));
                desk.archive_needed(&cmd).is_some()
            }
        };
        if !keep {
            self.thread = None;
        }
        !keep
    }

    /// The idempotency key of this mail's command: the same mail delivered
    /// twice (mail systems redeliver: a lost acknowledgement, a retrying
    /// relay, two inbound workers on one mailbox) gets the same key, on
    /// every desk sharing a store, so it opens or grows one ticket.
    ///
    /// It is `email-` and a hash of the sender's address and the mail's
    /// `Message-ID` (without angle brackets): the sender is part of it, so
    /// a stranger's mail that copies someone's `Message-ID` is not taken
    /// for theirs. A mail without a `Message-ID` is keyed by a hash of its
    /// raw bytes (`email-raw-…`): a byte-identical redelivery is the same
    /// mail.
    ///
    /// ```
    /// use fanatical_email::{parse, Brand, MailConfig, Outcome, Threads};
    ///
    /// let config = MailConfig::new("desk.acme.example", Brand::new("Acme Support", "support@acme.example")?)?;
    /// let mail = |from: &str| {
    ///     let raw = format!("From: {from}\r\nTo: support@acme.example\r\nMessage-ID: <1@customer.example>\r\n\r\nDown.\r\n");
    ///     match parse(raw.as_bytes(), &config, &Threads::new()) { Outcome::Message(m) => m, _ => unreachable!() }
    /// };
    /// assert_eq!(mail("jane@customer.example").command_key(), mail("Jane@Customer.example").command_key());
    /// assert_ne!(mail("jane@customer.example").command_key(), mail("mallory@evil.example").command_key());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn command_key(&self) -> CommandKey {
        let key = match self.message_id.as_deref().map(message_key) {
            Some(id) if !id.is_empty() => format!(
                "email-{}",
                CommandId::for_key(&format!("{}\n{id}", self.from))
                    .as_uuid()
                    .simple()
            ),
            // Each byte as one character: distinct bytes stay distinct.
            _ => format!(
                "email-raw-{}",
                CommandId::for_key(&self.raw.iter().map(|&b| char::from(b)).collect::<String>())
                    .as_uuid()
                    .simple()
            ),
        };
        // ASCII letters, digits and dashes, under 50 characters: a key.
        CommandKey::new(&key).expect("email- and 32 hex digits is one word")
    }

    /// The desk's command for this mail: [`InboundMail::to_inbound`]'s
    /// `Receive`, issued by the `email` integration, keyed with
    /// [`InboundMail::command_key`]. Executed a second time (the same mail
    /// redelivered), on this desk or another sharing its store, it opens
    /// nothing: the desk returns the first run's events when the command
    /// is the same, and refuses it with
    /// [`DeskError::KeyReused`]
    /// when it differs (another new-ticket id, files stored under other
    /// keys), writing nothing; [`InboundMail::is_redelivery`] tells that
    /// refusal. The redelivered mail's files were put in `blobs` before
    /// the desk could say so: delete them (the keys the command's
    /// attachments carry), or key the blob store by content.
    ///
    /// # Errors
    /// What `blobs` returned when it could not take a file.
    pub fn receive_command(
        &self,
        new_ticket: TicketId,
        blobs: &mut impl Blobs,
    ) -> Result<Command, BlobError> {
        let receive = self.to_inbound(new_ticket, blobs)?;
        Ok(
            Command::new(Actor::integration("email"), TicketAction::Receive(receive))
                .with_key(self.command_key()),
        )
    }

    /// Whether `error`, from executing [`InboundMail::receive_command`],
    /// says this mail was received before (its key was accepted with
    /// another command): drop the mail, nothing was written.
    #[must_use]
    pub fn is_redelivery(&self, error: &fanatical::Error) -> bool {
        matches!(error, fanatical::Error::Desk(DeskError::KeyReused { key }) if *key == self.command_key())
    }

    /// The desk's `Receive` for this mail: files put in `blobs` and
    /// attached by key, and the original mail kept as `original.eml`
    /// (`message/rfc822`) beside them. It continues
    /// [`InboundMail::thread`]'s ticket when one was found, else opens
    /// `new_ticket`.
    ///
    /// # Errors
    /// What `blobs` returned when it could not take a file.
    pub fn to_inbound(
        &self,
        new_ticket: TicketId,
        blobs: &mut impl Blobs,
    ) -> Result<InboundMessage, BlobError> {
        let mut m = InboundMessage::new(new_ticket, Channel::Email, self.from.clone(), &self.body);
        if let Some(t) = &self.thread {
            m = m.in_reply_to(t.ticket);
        }
        if let Some(s) = &self.subject {
            m = m.with_subject(s);
        }
        for f in &self.attachments {
            let key = blobs.put(&f.file_name, &f.media_type, &f.bytes)?;
            m = m.with_attachment(
                attachment(&f.file_name, &f.media_type, f.bytes.len())?.stored_at(key),
            );
        }
        let eml =
            MediaType::new("message/rfc822").map_err(|e| BlobError::Unavailable(e.to_string()))?;
        let key = blobs.put("original.eml", &eml, &self.raw)?;
        Ok(m.with_attachment(attachment("original.eml", &eml, self.raw.len())?.stored_at(key)))
    }
}

fn attachment(name: &str, media: &MediaType, size: usize) -> Result<Attachment, BlobError> {
    Attachment::new(name, media.as_str(), size as u64)
        .map_err(|e| BlobError::Unavailable(e.to_string()))
}

fn first_address(a: Option<&Address<'_>>) -> Option<(String, Option<String>)> {
    let addr = a?.iter().find(|x| x.address().is_some())?;
    let address = addr.address()?.trim().to_ascii_lowercase();
    if address.is_empty() {
        return None;
    }
    let name = addr
        .name()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_owned);
    Some((address, name))
}

fn recipients(msg: &Message<'_>) -> Vec<String> {
    let mut out: Vec<String> = msg
        .to()
        .into_iter()
        .chain(msg.cc())
        .flat_map(|a| a.iter())
        .filter_map(|a| a.address().map(|s| s.trim().to_ascii_lowercase()))
        .collect();
    for name in ["Delivered-To", "X-Original-To"] {
        for v in msg.header_values(name) {
            if let Some(t) = v.as_text() {
                out.push(t.trim().trim_matches(['<', '>']).to_ascii_lowercase());
            }
        }
    }
    out
}

fn ids(v: &HeaderValue<'_>) -> Vec<String> {
    match v {
        HeaderValue::Text(t) => vec![t.to_string()],
        HeaderValue::TextList(l) => l.iter().map(|t| t.to_string()).collect(),
        _ => Vec::new(),
    }
}

/// The desk's own mail, if `msg` is: see [`Outcome::OwnMail`] for the
/// three signs, checked before anything else (an own mail that looks like
/// a bounce or an auto-reply is still ours, and never opens a ticket).
/// The last sign is the rule that mail from our own brand mailbox is our
/// own mail: the desk's mailboxes send nothing a person wrote to it.
fn own_mail(msg: &Message<'_>, config: &MailConfig, sender: Option<&str>) -> Option<OwnMail> {
    if let Some(own) = msg
        .message_id()
        .and_then(|id| parse_own_message_id(id, &config.domain))
    {
        return Some(OwnMail {
            message: Some(own),
            recognised_by: "Message-ID".into(),
            raw: Vec::new(),
        });
    }
    if msg
        .header_raw(LOOP_HEADER)
        .is_some_and(|v| v.trim().eq_ignore_ascii_case(&config.domain))
    {
        return Some(OwnMail {
            message: None,
            recognised_by: LOOP_HEADER.into(),
            raw: Vec::new(),
        });
    }
    // Mail from one of our brands' mailboxes is ours: only the desk sends
    // from them (see `Outcome::OwnMail`).
    if let Some(b) = sender.and_then(|s| config.brand_of(s)) {
        return Some(OwnMail {
            message: None,
            recognised_by: format!("From {}", b.mailbox),
            raw: Vec::new(),
        });
    }
    None
}

fn find_thread(msg: &Message<'_>, config: &MailConfig, threads: &Threads) -> Option<ThreadMatch> {
    // In-Reply-To first, then References newest first.
    let mut refs = ids(msg.in_reply_to());
    let mut r = ids(msg.references());
    r.reverse();
    refs.extend(r);
    for id in &refs {
        if let Some(OwnMessageId {
            ticket: Some(ticket),
            ..
        }) = parse_own_message_id(id, &config.domain)
        {
            return Some(ThreadMatch {
                ticket,
                by: ThreadedBy::OwnMessage(id.clone()),
            });
        }
        if let Some(ticket) = threads.ticket_of(id) {
            return Some(ThreadMatch {
                ticket,
                by: ThreadedBy::Recorded(id.clone()),
            });
        }
    }
    for a in recipients(msg) {
        if config.brand_of(&a).is_some()
            && let Some(ticket) = ticket_in_address(&a)
        {
            return Some(ThreadMatch {
                ticket,
                by: ThreadedBy::ReplyAddress(a),
            });
        }
    }
    msg.subject()
        .and_then(ticket_in_subject)
        .map(|ticket| ThreadMatch {
            ticket,
            by: ThreadedBy::SubjectToken,
        })
}

fn auto_reply(msg: &Message<'_>) -> Option<AutoReplyReason> {
    if let Some(v) = msg.header_raw("Auto-Submitted") {
        let v = v.trim().to_ascii_lowercase();
        let token = v.split(';').next().unwrap_or("").trim().to_owned();
        if !token.is_empty() && token != "no" {
            return Some(AutoReplyReason::AutoSubmitted(token));
        }
    }
    for name in [
        "X-Autoreply",
        "X-Autorespond",
        "X-Auto-Reply",
        "X-Autoresponse",
    ] {
        if msg.header_raw(name).is_some() {
            return Some(AutoReplyReason::AutoreplyHeader(name.to_owned()));
        }
    }
    for name in ["Precedence", "X-Precedence"] {
        if let Some(v) = msg.header_raw(name) {
            let v = v.trim().to_ascii_lowercase();
            if ["bulk", "junk", "list", "auto_reply"].contains(&v.as_str()) {
                return Some(AutoReplyReason::Precedence(v));
            }
        }
    }
    let subject = msg.subject()?.trim();
    let lower = subject.to_lowercase();
    // The forms autoresponders write, each followed by a colon or alone:
    // "Out of office hours emergency: site down" is a person's mail.
    const OUT_OF_OFFICE: [&str; 11] = [
        "out of office",
        "out of the office",
        "automatic reply",
        "auto reply",
        "autoreply",
        "auto-reply",
        "abwesenheitsnotiz",
        "automatische antwort",
        "réponse automatique",
        "respuesta automática",
        "autosvar",
    ];
    OUT_OF_OFFICE
        .iter()
        .any(|p| {
            lower.strip_prefix(p).is_some_and(|rest| {
                let rest = rest.trim_start();
                rest.is_empty() || rest.starts_with(':')
            })
        })
        .then(|| AutoReplyReason::OutOfOfficeSubject(subject.to_owned()))
}

fn is_forward_subject(subject: &str) -> bool {
    let lower = subject.trim_start().to_ascii_lowercase();
    ["fwd:", "fw:", "wg:", "tr:", "fwd :", "fw :"]
        .iter()
        .any(|p| lower.starts_with(p))
}

/// (full text, new text, source) of a mail's body parts.
fn text_of(msg: &Message<'_>, forward: bool) -> (String, String, BodySource) {
    let mut full = Vec::new();
    let mut new = Vec::new();
    let mut source = BodySource::Text;
    for part in msg.text_bodies() {
        match &part.body {
            PartType::Text(t) => {
                full.push(t.replace("\r\n", "\n"));
                new.push(quote::new_text(t, forward));
            }
            PartType::Html(h) => {
                source = BodySource::Html;
                let whole = quote::html_to_text(h);
                // Gmail wraps a forward in the markup of quoted history.
                let forward = forward || quote::is_forward(&whole);
                let cut = match quote::html_history_start(h) {
                    Some(at) if !forward => h.get(..at).unwrap_or(h),
                    _ => h,
                };
                let cut = quote::html_to_text(cut);
                let mut text = quote::new_text(&cut, forward);
                if text.trim().is_empty() {
                    text = quote::new_text(&whole, forward);
                }
                full.push(whole);
                new.push(text);
            }
            _ => {}
        }
    }
    let join = |v: Vec<String>| {
        v.into_iter()
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join("\n\n")
    };
    (join(full), join(new), source)
}

fn files(msg: &Message<'_>) -> Vec<MailFile> {
    let octet = || MediaType::new("application/octet-stream").ok();
    msg.attachments()
        .enumerate()
        .filter_map(|(i, part)| {
            let bytes = part_bytes(part)?;
            let media_type = part
                .content_type()
                .and_then(|ct| {
                    let essence = match ct.subtype() {
                        Some(s) => format!("{}/{s}", ct.ctype()),
                        None => ct.ctype().to_owned(),
                    };
                    MediaType::new(&essence).ok()
                })
                .or_else(octet)?;
            let file_name = part
                .attachment_name()
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .map_or_else(
                    || format!("attachment-{}", i + 1),
                    |n| n.replace(['/', '\\'], "_"),
                );
            Some(MailFile {
                file_name,
                media_type,
                inline: matches!(part.body, PartType::InlineBinary(_))
                    || part.content_disposition().is_some_and(|d| d.is_inline()),
                bytes,
            })
        })
        .collect()
}

fn part_bytes(part: &MessagePart<'_>) -> Option<Vec<u8>> {
    match &part.body {
        PartType::Binary(b) | PartType::InlineBinary(b) => Some(b.to_vec()),
        PartType::Text(t) | PartType::Html(t) => Some(t.as_bytes().to_vec()),
        PartType::Message(m) => Some(m.raw_message().to_vec()),
        PartType::Multipart(_) => None,
    }
}
