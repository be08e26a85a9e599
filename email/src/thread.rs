//! Threading: the `Message-ID`s this crate writes, the ticket token in
//! subjects and reply addresses, and an index of the customer's own
//! `Message-ID`s per ticket.
//!
//! A reply from the desk carries its ticket three ways, so the customer's
//! answer finds the ticket whatever their mail client keeps:
//! - its `Message-ID` names the outbound message and its ticket
//!   (`<{message}.{ticket}@{domain}>`, see [`own_message_id`]), and a reply's
//!   `In-Reply-To`/`References` point back at it;
//! - its `Reply-To` is the brand's mailbox with a plus tag
//!   (`support+t{ticket}@acme.example`, see [`reply_address`]);
//! - its subject ends with a token (`[#{ticket}]`, see [`subject_token`]).
//!
//! The customer's own `Message-ID`s are theirs: [`Threads`] remembers which
//! ticket each one opened or continued, so a second mail that references
//! the first (before any reply) continues the same ticket, and the desk's
//! reply can point `In-Reply-To` at the customer's mail.

use std::collections::{BTreeMap, BTreeSet};

use fanatical::id::{MessageId, TicketId};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::inbound::InboundMail;

/// What an own `Message-ID` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnMessageId {
    /// The outbound message (its idempotency key).
    pub message: MessageId,
    /// Its ticket, when it had one.
    pub ticket: Option<TicketId>,
}

/// The `Message-ID` (without angle brackets) of an outbound message: the
/// same message always gets the same one, so a retried delivery is
/// recognisably the same mail.
///
/// ```
/// use fanatical::id::{MessageId, TicketId};
/// use fanatical_email::thread::{own_message_id, parse_own_message_id, OwnMessageId};
///
/// let message = MessageId::from_uuid(uuid::Uuid::from_u128(1));
/// let ticket = Some(TicketId::from_uuid(uuid::Uuid::from_u128(2)));
/// let id = own_message_id(message, ticket, "desk.acme.example");
/// assert_eq!(id, "00000000000000000000000000000001.00000000000000000000000000000002@desk.acme.example");
/// assert_eq!(parse_own_message_id(&format!("<{id}>"), "desk.acme.example"),
///     Some(OwnMessageId { message, ticket }));
/// ```
#[must_use]
pub fn own_message_id(message: MessageId, ticket: Option<TicketId>, domain: &str) -> String {
    let ticket = ticket.map_or_else(|| "0".to_owned(), |t| simple(t.as_uuid()));
    format!("{}.{ticket}@{domain}", simple(message.as_uuid()))
}

/// The message and ticket an own `Message-ID` names, or `None` when it is
/// not one of ours (another domain, another shape). Angle brackets and
/// surrounding space are ignored; the domain compares case-insensitively.
#[must_use]
pub fn parse_own_message_id(value: &str, domain: &str) -> Option<OwnMessageId> {
    let v = value.trim().trim_start_matches('<').trim_end_matches('>');
    let (local, d) = v.rsplit_once('@')?;
    if !d.eq_ignore_ascii_case(domain) {
        return None;
    }
    let (message, ticket) = local.split_once('.')?;
    let message = MessageId::from_uuid(parse_simple(message)?);
    let ticket = match ticket {
        "0" => None,
        t => Some(TicketId::from_uuid(parse_simple(t)?)),
    };
    Some(OwnMessageId { message, ticket })
}

/// The token a subject carries: `[#` and the ticket's 32 hex digits `]`.
#[must_use]
pub fn subject_token(ticket: TicketId) -> String {
    format!("[#{}]", simple(ticket.as_uuid()))
}

/// The ticket named by a token in a subject, if any (the first token
/// that parses).
#[must_use]
pub fn ticket_in_subject(subject: &str) -> Option<TicketId> {
    token_spans(subject).next().map(|(_, t)| t)
}

/// Each token in a subject: where it starts, and its ticket.
fn token_spans(subject: &str) -> impl Iterator<Item = (usize, TicketId)> + '_ {
    subject.match_indices("[#").filter_map(|(at, _)| {
        let hex = subject.get(at + 2..at + 34)?;
        if subject.get(at + 34..at + 35) != Some("]") {
            return None;
        }
        parse_simple(hex).map(|u| (at, TicketId::from_uuid(u)))
    })
}

/// The subject without its ticket tokens, whitespace collapsed.
#[must_use]
pub fn strip_subject_token(subject: &str) -> String {
    let mut out = String::with_capacity(subject.len());
    let mut from = 0;
    for (at, _) in token_spans(subject) {
        if at >= from {
            out.push_str(subject.get(from..at).unwrap_or_default());
            from = at + 35;
        }
    }
    out.push_str(subject.get(from..).unwrap_or_default());
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A brand's mailbox with the ticket as plus tag:
/// `support@acme.example` → `support+t{ticket}@acme.example`.
#[must_use]
pub fn reply_address(mailbox: &str, ticket: TicketId) -> String {
    match mailbox.rsplit_once('@') {
        Some((local, domain)) => format!("{local}+t{}@{domain}", simple(ticket.as_uuid())),
        None => mailbox.to_owned(),
    }
}

/// The ticket named by a plus tag in an address (`…+t{ticket}@…`), if any.
#[must_use]
pub fn ticket_in_address(address: &str) -> Option<TicketId> {
    let (local, _) = address.rsplit_once('@')?;
    let (_, tag) = local.rsplit_once("+t")?;
    parse_simple(tag).map(TicketId::from_uuid)
}

/// The mailbox an address is, without its plus tag, lowercased:
/// `Support+t0123…@Acme.example` → `support@acme.example`.
#[must_use]
pub fn base_mailbox(address: &str) -> String {
    let a = address.trim().to_ascii_lowercase();
    match a.rsplit_once('@') {
        Some((local, domain)) => {
            let local = local.split_once('+').map_or(local, |(l, _)| l);
            format!("{local}@{domain}")
        }
        None => a,
    }
}

fn simple(u: Uuid) -> String {
    u.simple().to_string()
}

fn parse_simple(s: &str) -> Option<Uuid> {
    if s.len() != 32 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    Uuid::try_parse(s).ok()
}

/// The `Message-ID`s a ticket's mail carried, as [`Threads`] keeps them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Thread {
    /// The subject of the mail that opened the ticket, token stripped.
    pub subject: Option<String>,
    /// The customer's `Message-ID`s on the ticket, oldest first (at most
    /// [`Threads::MAX_REFERENCES`], the newest kept).
    pub message_ids: Vec<String>,
    /// Our mailbox the customer wrote to (the brand's address, without
    /// plus tag), when it was one of ours.
    pub mailbox: Option<String>,
    /// The addresses whose mail was recorded on the ticket, lowercased:
    /// [`Threads::forget_sender`] forgets the threads a person wrote in.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub senders: BTreeSet<String>,
}

/// Which ticket each inbound `Message-ID` belongs to, and each ticket's
/// thread: fed by the caller with every mail the desk accepted
/// ([`Threads::record`]), read by the parser (a mail referencing one
/// continues its ticket) and by the transport (`In-Reply-To`,
/// `References`, the subject, the brand).
///
/// It is plain data (serde): keep it beside the desk's store.
///
/// # Memory
/// A thread keeps its [`Threads::MAX_REFERENCES`] newest ids: an older id
/// leaves the thread and the index together (a customer's mail references
/// its newest ancestors too, and the desk's own `Message-ID`s, the reply
/// address and the subject token still find the ticket). The index holds
/// exactly the ids its threads hold; [`Threads::forget`] a ticket once it
/// is archived or erased.
///
/// # Erasure
/// The thread of a ticket holds personal data: the subject its first mail
/// gave, the `Message-ID`s of its customers' mails (which often name
/// their address or host) and their addresses. When a person is erased
/// (`CustomerAction::EraseContact`), call [`Threads::forget_sender`]
/// with each of their email addresses (before the desk forgets them:
/// the contact's addresses are blank after the erasure) and
/// [`Threads::forget`] with each of their tickets: every thread they
/// wrote in is forgotten whole, ids, subject and mailbox. A later mail on
/// such a ticket still finds it by the desk's own `Message-ID`, reply
/// address or subject token; the desk's replies lose only their
/// `In-Reply-To`/`References`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Threads {
    by_message: BTreeMap<String, TicketId>,
    threads: BTreeMap<TicketId, Thread>,
}

impl Threads {
    /// How many `Message-ID`s a thread keeps for `References`.
    pub const MAX_REFERENCES: usize = 20;

    /// An empty index.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Records that `mail` opened or continued `ticket`: its `Message-ID`
    /// now leads there, and the first mail's subject and mailbox become
    /// the thread's. An id recorded for another ticket before moves to
    /// this one; an id pushed out of the thread by newer ones leaves the
    /// index too.
    pub fn record(&mut self, ticket: TicketId, mail: &InboundMail) {
        let id = mail
            .message_id
            .as_deref()
            .map(message_key)
            .filter(|id| !id.is_empty());
        if let Some(id) = id
            && let Some(before) = self.by_message.get(id).copied()
            && before != ticket
            && let Some(t) = self.threads.get_mut(&before)
        {
            t.message_ids.retain(|m| m != id);
        }
        let thread = self.threads.entry(ticket).or_default();
        if thread.subject.is_none() {
            thread.subject.clone_from(&mail.subject);
        }
        if thread.mailbox.is_none() {
            thread.mailbox.clone_from(&mail.mailbox);
        }
        if let fanatical::channel::ChannelAddress::Email(a) = &mail.from {
            thread.senders.insert(a.to_ascii_lowercase());
        }
        let Some(id) = id else {
            return;
        };
        if !thread.message_ids.iter().any(|m| m == id) {
            thread.message_ids.push(id.to_owned());
        }
        self.by_message.insert(id.to_owned(), ticket);
        while thread.message_ids.len() > Self::MAX_REFERENCES {
            let old = thread.message_ids.remove(0);
            if self.by_message.get(&old) == Some(&ticket) {
                self.by_message.remove(&old);
            }
        }
    }

    /// The ticket a `Message-ID` (angle brackets optional) was recorded for.
    #[must_use]
    pub fn ticket_of(&self, message_id: &str) -> Option<TicketId> {
        self.by_message.get(message_key(message_id)).copied()
    }

    /// A ticket's thread, if any mail was recorded for it.
    #[must_use]
    pub fn thread(&self, ticket: TicketId) -> Option<&Thread> {
        self.threads.get(&ticket)
    }

    /// Forgets a ticket's thread (an erased or archived ticket): its ids
    /// lead nowhere after.
    pub fn forget(&mut self, ticket: TicketId) {
        if let Some(t) = self.threads.remove(&ticket) {
            for id in t.message_ids {
                if self.by_message.get(&id) == Some(&ticket) {
                    self.by_message.remove(&id);
                }
            }
        }
    }

    /// Forgets every thread mail from `address` (case ignored) was
    /// recorded on, whole (see the type's docs on erasure). Returns their
    /// tickets. Threads recorded by a version before senders were kept
    /// (their `senders` empty) are not found this way: forget those by
    /// ticket ([`Threads::forget`], for each of the person's tickets).
    pub fn forget_sender(&mut self, address: &str) -> Vec<TicketId> {
        let address = address.trim().to_ascii_lowercase();
        let tickets: Vec<TicketId> = self
            .threads
            .iter()
            .filter(|(_, t)| t.senders.contains(&address))
            .map(|(ticket, _)| *ticket)
            .collect();
        for t in &tickets {
            self.forget(*t);
        }
        tickets
    }

    /// How many `Message-ID`s the index holds: those its threads hold, at
    /// most [`Threads::MAX_REFERENCES`] per thread.
    #[must_use]
    pub fn indexed(&self) -> usize {
        self.by_message.len()
    }
}

/// A `Message-ID` as it is recorded and looked up: without surrounding
/// space and angle brackets (a mail's own id and the ids in another mail's
/// headers are written with them, or not).
pub(crate) fn message_key(id: &str) -> &str {
    id.trim().trim_start_matches('<').trim_end_matches('>')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(n: u128) -> TicketId {
        TicketId::from_uuid(Uuid::from_u128(n))
    }

    #[test]
    fn tokens_round_trip() {
        let ticket = t(0xabc);
        let s = format!("Re: Site down {}", subject_token(ticket));
        assert_eq!(ticket_in_subject(&s), Some(ticket));
        assert_eq!(strip_subject_token(&s), "Re: Site down");
        assert_eq!(ticket_in_subject("[#] [#zz] nothing"), None);
        let upper = format!("Re: {} x", subject_token(ticket).to_uppercase());
        assert_eq!(ticket_in_subject(&upper), Some(ticket));
        assert_eq!(strip_subject_token(&upper), "Re: x");
        let a = reply_address("support@acme.example", ticket);
        assert_eq!(a, "support+t00000000000000000000000000000abc@acme.example");
        assert_eq!(ticket_in_address(&a), Some(ticket));
        assert_eq!(base_mailbox(&a), "support@acme.example");
        assert_eq!(ticket_in_address("support+tfoo@acme.example"), None);
    }

    #[test]
    fn own_ids_need_our_domain_and_shape() {
        let m = MessageId::from_uuid(Uuid::from_u128(7));
        let id = own_message_id(m, None, "desk.example");
        assert_eq!(
            parse_own_message_id(&id, "DESK.example"),
            Some(OwnMessageId {
                message: m,
                ticket: None
            })
        );
        assert_eq!(parse_own_message_id(&id, "other.example"), None);
        assert_eq!(
            parse_own_message_id("<abc@desk.example>", "desk.example"),
            None
        );
        assert_eq!(parse_own_message_id("", "desk.example"), None);
    }
}
