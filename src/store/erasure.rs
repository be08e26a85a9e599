//! Erasure: what a store replaces, in place, when a person is erased.
//!
//! See the [module docs](super#erasure-redaction-in-place) for why erasure
//! is a redaction on the store port rather than crypto-shredding.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::channel::ChannelAddress;
use crate::customer::Forget;
use crate::event::{Event, StreamId};
use crate::id::{ContactId, CustomerId, InvitationId, MessageId, PraiseId, TicketId};
use crate::recognition::PraiseAuthor;
use crate::ticket::AttachmentRef;

pub use crate::text::ERASED;

/// One person's erasure, as the store applies it: which recorded events
/// hold their personal data, and what each becomes. The desk decides it
/// (with the event recording the erasure); a store applies it with
/// [`Store::append_erasing`](super::Store::append_erasing), in the same
/// transaction as the append.
///
/// Every redacted event keeps its kind, its ids, its time, its stream,
/// version and position, and its actor and command key: only the personal
/// text in it becomes [`ERASED`] (an address becomes a placeholder address
/// of the same kind, see
/// [`ChannelAddress::erased`](crate::channel::ChannelAddress::erased)).
/// A fold of the redacted record is the fold of the original with the
/// person erased, so a rebuilt desk equals the desk that erased them.
///
/// It holds the person's addresses (to find the praise they posted) while
/// it is applied: hand it to the store and drop it, never record it.
///
/// # Example
/// ```
/// use fanatical::customer::{ErasureScope, Forget};
/// use fanatical::event::StreamId;
/// use fanatical::id::{ContactId, CustomerId};
/// use fanatical::store::Erasure;
///
/// let acme = CustomerId::from_uuid(uuid::Uuid::from_u128(1));
/// let jane = ContactId::from_uuid(uuid::Uuid::from_u128(2));
/// let erasure = Erasure::new(acme, jane, Forget::Contact(ErasureScope::Profile));
/// // Her customer's stream and every outbound message are searched.
/// assert_eq!(erasure.streams(), vec![StreamId::Customer(acme), StreamId::Outbox]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Erasure {
    /// The customer the person is a contact of.
    pub customer: CustomerId,
    /// The person.
    pub contact: ContactId,
    /// What is forgotten.
    pub forget: Forget,
    /// The tickets whose streams may hold what they wrote (searched only
    /// when message texts are erased).
    #[serde(default)]
    pub tickets: BTreeSet<TicketId>,
    /// Of those, the tickets they opened: the desk's public replies there
    /// were written to them and are erased too.
    #[serde(default)]
    pub requested: BTreeSet<TicketId>,
    /// The outbound messages to them (their failure reasons are erased).
    #[serde(default)]
    pub messages: BTreeSet<MessageId>,
    /// Internal notes on the tickets they opened that quote their words (a
    /// follow-up note quoting their survey comment), by ticket and entry
    /// number: erased with message texts.
    #[serde(default)]
    pub notes: BTreeMap<TicketId, BTreeSet<u32>>,
    /// Messages to employees that quote their words (kudos quoting their
    /// praise): their text is erased with message texts.
    #[serde(default)]
    pub quoting: BTreeSet<MessageId>,
    /// The survey invitations sent to them: their answers' words, and the
    /// praise given through them.
    #[serde(default)]
    pub invitations: BTreeSet<InvitationId>,
    /// Their addresses: the praise they posted from a social handle.
    #[serde(default)]
    pub addresses: BTreeSet<ChannelAddress>,
    /// The praise they gave (through a survey they were sent, or from one
    /// of their addresses): each praise's own stream is searched.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub praise: BTreeSet<PraiseId>,
    /// The storage keys of the files whose names and keys this erasure
    /// blanks (on their messages, the desk's replies to them, the notes
    /// quoting them, and the outbound copies): the desk holds no bytes, so
    /// the caller deletes these blobs from its own store, in the same unit
    /// of work, for the erasure to reach the files too. Empty unless
    /// message texts are erased.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub files: BTreeSet<AttachmentRef>,
    /// Tickets the desk itself wrote about them, naming them and their
    /// number (an incident's call-out tasks): their subject and the notes
    /// listed in [`Erasure::notes`] are erased whatever the scope, since
    /// even a profile-only erasure forgets their name and addresses.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub call_outs: BTreeSet<TicketId>,
    /// The contacts merged into this one (the same person, once known by
    /// other records): what the record holds under their ids is erased
    /// as this contact's.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub merged: BTreeSet<ContactId>,
    /// The customers merged into [`Erasure::customer`]: their streams
    /// hold what was recorded about the contacts that moved with them, and
    /// are searched as the customer's.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub customers: BTreeSet<CustomerId>,
    /// Messages from unknown senders held for triage whose sender and text
    /// are erased: a discarded one, or the one a ticket of this contact
    /// was opened from (its stream bears the ticket's id).
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub triage: BTreeSet<TicketId>,
}

impl Erasure {
    /// An erasure of what `forget` names about `contact` of `customer`,
    /// searching their customer's stream (and, for a whole contact, the
    /// outbound messages). The desk adds the tickets and messages it knows
    /// are theirs.
    #[must_use]
    pub fn new(customer: CustomerId, contact: ContactId, forget: Forget) -> Self {
        Erasure {
            customer,
            contact,
            forget,
            tickets: BTreeSet::new(),
            requested: BTreeSet::new(),
            notes: BTreeMap::new(),
            messages: BTreeSet::new(),
            quoting: BTreeSet::new(),
            invitations: BTreeSet::new(),
            addresses: BTreeSet::new(),
            praise: BTreeSet::new(),
            call_outs: BTreeSet::new(),
            merged: BTreeSet::new(),
            customers: BTreeSet::new(),
            triage: BTreeSet::new(),
            files: BTreeSet::new(),
        }
    }

    /// The streams a store searches, in this order: every event in them
    /// for which [`Erasure::redact`] returns a replacement is replaced.
    /// Events in other streams are never touched.
    ///
    /// Besides the partitioned streams named by the ids it holds (each
    /// message's, the contact's invitations, each praise's; see
    /// [`StreamId`]), it names the legacy desk-wide streams that held the
    /// same records in stores written before them (`outbox`, `surveys`,
    /// `recognition`); a store without them has nothing there to search.
    #[must_use]
    pub fn streams(&self) -> Vec<StreamId> {
        let mut streams = vec![StreamId::Customer(self.customer)];
        streams.extend(self.customers.iter().map(|c| StreamId::Customer(*c)));
        if let Forget::Contact(scope) = self.forget {
            let tickets: BTreeSet<&TicketId> = if scope.messages() {
                self.tickets.iter().chain(&self.call_outs).collect()
            } else {
                self.call_outs.iter().collect()
            };
            streams.extend(tickets.into_iter().map(|t| StreamId::Ticket(*t)));
            streams.push(StreamId::Outbox);
            let messages: BTreeSet<&MessageId> =
                self.messages.iter().chain(&self.quoting).collect();
            streams.extend(messages.into_iter().map(|m| StreamId::Message(*m)));
            if scope.messages() && !self.invitations.is_empty() {
                streams.push(StreamId::Surveys);
                streams.push(StreamId::Invitations(self.contact));
                streams.extend(self.merged.iter().map(|c| StreamId::Invitations(*c)));
            }
            if !self.invitations.is_empty() || !self.addresses.is_empty() {
                streams.push(StreamId::Recognition);
            }
            streams.extend(self.praise.iter().map(|p| StreamId::Praise(*p)));
        }
        streams.extend(self.triage.iter().map(|t| StreamId::Triage(*t)));
        streams
    }

    /// Who gave the praise this erasure forgets.
    #[must_use]
    pub fn praise_author(&self) -> PraiseAuthor<'_> {
        PraiseAuthor {
            customer: self.customer,
            invitations: &self.invitations,
            addresses: &self.addresses,
        }
    }

    /// `erase` applied for the contact and each contact merged into them,
    /// in turn: the event as the last one left it, or `None` when none
    /// changed it.
    fn each<E: Clone>(&self, e: &E, erase: impl Fn(&E, ContactId) -> Option<E>) -> Option<E> {
        let mut out: Option<E> = None;
        for contact in std::iter::once(self.contact).chain(self.merged.iter().copied()) {
            if let Some(next) = erase(out.as_ref().unwrap_or(e), contact) {
                out = Some(next);
            }
        }
        out
    }

    /// The erasure of a message held for triage that is discarded: its
    /// stream's sender and text, and nothing else (it names no customer
    /// or contact: the nil ids, whose streams hold nothing).
    #[must_use]
    pub fn discarding(message: TicketId) -> Self {
        let nil = uuid::Uuid::nil();
        let mut e = Erasure::new(
            CustomerId::from_uuid(nil),
            ContactId::from_uuid(nil),
            Forget::PersonalDetails,
        );
        e.triage.insert(message);
        e
    }

    /// What `event`, recorded on `stream`, becomes: `None` when it holds
    /// nothing this erasure forgets (or holds it already erased), so the
    /// store leaves it as it is.
    #[must_use]
    pub fn redact(&self, stream: &StreamId, event: &Event) -> Option<Event> {
        let whole = match self.forget {
            Forget::PersonalDetails => None,
            Forget::Contact(scope) => Some(scope),
        };
        match (stream, event) {
            (StreamId::Customer(id), Event::Customer(e))
                if *id == self.customer || self.customers.contains(id) =>
            {
                self.each(e, |e, contact| e.erased_for(contact, self.forget))
                    .map(Event::Customer)
            }
            (StreamId::Ticket(id), Event::Ticket(e))
                if (self.forget.messages() && self.tickets.contains(id))
                    || (whole.is_some() && self.call_outs.contains(id)) =>
            {
                let requested = self.requested.contains(id);
                let theirs = self.each(e, |e, contact| e.erased_for(contact, requested));
                let quoting = self
                    .notes
                    .get(id)
                    .and_then(|numbers| theirs.as_ref().unwrap_or(e).erased_entries(numbers));
                quoting.or(theirs).map(Event::Ticket)
            }
            (StreamId::Outbox | StreamId::Message(_), Event::Outbox(e)) => {
                whole.and_then(|scope| {
                    self.each(e, |e, contact| {
                        e.erased_for(contact, &self.messages, &self.quoting, scope.messages())
                    })
                    .map(Event::Outbox)
                })
            }
            (StreamId::Surveys | StreamId::Invitations(_), Event::Survey(e))
                if self.forget.messages() =>
            {
                e.erased_for(&self.invitations).map(Event::Survey)
            }
            (StreamId::Triage(id), Event::Triage(e)) if self.triage.contains(id) => {
                e.erased().map(Event::Triage)
            }
            (StreamId::Recognition | StreamId::Praise(_), Event::Recognition(e)) => {
                whole.and_then(|scope| {
                    e.erased_for(&self.praise_author(), scope.messages())
                        .map(Event::Recognition)
                })
            }
            _ => None,
        }
    }
}
