//! Contacts as they arrive: what the desk does with a message from an
//! address no contact holds ([`UnknownSenders`]), and the decision that
//! registers its sender and opens the ticket at once.

#![allow(clippy::wildcard_imports)]

use super::*;
use crate::id::EventId;
use crate::template::{TemplateName, TemplateSet};
use crate::ticket::{TriageEvent, TriageEventKind, TriagedMessage};

/// What the desk does with a message from an address no contact holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum UnknownSender {
    /// Refuse it with [`DeskError::UnknownSender`], writing nothing (the
    /// default: what every desk did before this policy existed).
    #[default]
    Refuse,
    /// Hold it for triage: it is recorded on its own stream
    /// ([`StreamId::Triage`], bearing the id of the ticket it would open),
    /// listed by [`super::TicketsView::triage`] with its sender, and an
    /// agent attaches it to a contact ([`TicketAction::AttachTriaged`]),
    /// registers its sender ([`TicketAction::CreateFromTriaged`]), or
    /// discards it ([`TicketAction::DiscardTriaged`], which erases its
    /// sender and text from the record). No ticket, SLA clock or reply
    /// exists until it is attached. Its attachments are not kept.
    Triage,
    /// Register the sender and open their ticket, in one decision: a
    /// contact holding the address (named by the address, the only name
    /// the desk knows) at the customer the sender's email domain is
    /// mapped to ([`UnknownSenders::domains`]), or else at a new customer.
    ///
    /// A new customer's organisation is named by the email domain
    /// (`acme.example`); a sender on another channel has no domain, and
    /// their address is personal data the organisation's name would keep
    /// past the contact's erasure, so that organisation is named by the
    /// channel alone (`New customer (phone)`). Agents rename it.
    ///
    /// The customer's and contact's ids are derived from the id of the
    /// ticket's opening event (see [`new_customer_id`], [`new_contact_id`]),
    /// in the form callers may not choose for customers and contacts, so a
    /// rebuilt desk, a retry and a second desk derive the same ids and no
    /// caller's id is taken.
    Create,
}

/// The unknown-sender policy of a desk: one default, overridden per kind
/// of channel, and the email domains whose senders belong to a known
/// customer (as Zendesk's organisation domains).
///
/// # Example
/// ```
/// use fanatical::channel::ChannelKind;
/// use fanatical::desk::{UnknownSender, UnknownSenders};
///
/// let mut policy = UnknownSenders::default();
/// assert_eq!(policy.for_channel(ChannelKind::Email), UnknownSender::Refuse);
/// policy.per_channel.insert(ChannelKind::Email, UnknownSender::Create);
/// assert_eq!(policy.for_channel(ChannelKind::Email), UnknownSender::Create);
/// assert_eq!(policy.for_channel(ChannelKind::Phone), UnknownSender::Refuse);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct UnknownSenders {
    /// The policy on channels [`UnknownSenders::per_channel`] does not name.
    #[serde(default)]
    pub default: UnknownSender,
    /// The policy on one kind of channel.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub per_channel: BTreeMap<ChannelKind, UnknownSender>,
    /// Email domains (lower case, as `acme.example`) whose unknown senders
    /// become contacts of an existing customer under
    /// [`UnknownSender::Create`], instead of a new customer. A domain mapped
    /// to a customer the desk does not know refuses the message with
    /// [`DeskError::UnknownCustomer`] naming it.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub domains: BTreeMap<String, CustomerId>,
}

impl UnknownSenders {
    /// The policy for messages on a kind of channel.
    #[must_use]
    pub fn for_channel(&self, kind: ChannelKind) -> UnknownSender {
        self.per_channel.get(&kind).copied().unwrap_or(self.default)
    }

    /// Whether this is the default (refuse everywhere, no domains): left
    /// out of a serialised configuration, which keeps its fingerprint.
    #[must_use]
    pub fn is_default(&self) -> bool {
        *self == UnknownSenders::default()
    }

    /// The customer an email domain is mapped to, matched without regard
    /// to case.
    fn customer_of(&self, address: &ChannelAddress) -> Option<CustomerId> {
        let ChannelAddress::Email(email) = address else {
            return None;
        };
        let domain = email.rsplit_once('@')?.1.to_lowercase();
        self.domains
            .iter()
            .find(|(d, _)| d.to_lowercase() == domain)
            .map(|(_, c)| *c)
    }
}

/// The id of the customer registered for an unknown sender whose ticket's
/// opening event is `opening`.
#[must_use]
pub fn new_customer_id(opening: EventId) -> CustomerId {
    CustomerId::from_uuid(MessageId::derive(opening, super::decision::salt::NEW_CUSTOMER).as_uuid())
}

/// The id of the contact registered for an unknown sender whose ticket's
/// opening event is `opening`.
#[must_use]
pub fn new_contact_id(opening: EventId) -> ContactId {
    ContactId::from_uuid(MessageId::derive(opening, super::decision::salt::NEW_CONTACT).as_uuid())
}

/// The organisation name of a new customer registered for `address`:
/// its email domain, else [`TemplateName::NewCustomer`] in the desk's
/// default locale.
fn organisation_of(templates: &TemplateSet, address: &ChannelAddress) -> String {
    if let ChannelAddress::Email(e) = address
        && let Some((_, domain)) = e.rsplit_once('@')
        && !domain.trim().is_empty()
    {
        return domain.trim().to_lowercase();
    }
    templates.text(
        TemplateName::NewCustomer,
        None,
        &[("channel", &address.kind().to_string())],
    )
}

impl Desk {
    /// A message from `from`, an address no contact holds, under
    /// [`UnknownSender::Create`]: the customer (new, or the one its domain
    /// is mapped to) gains a contact with the address, and the ticket
    /// opens, in one decision.
    pub(super) fn decide_arrival(
        &self,
        d: &mut Drafts,
        msg: InboundMessage,
        from: ChannelAddress,
        now: DateTime<Utc>,
    ) -> Result<(CustomerId, ContactId), Error> {
        // A reply to a ticket cannot be from someone the desk does not
        // know: the ticket is another person's.
        if msg.in_reply_to.is_some() {
            return Err(DeskError::UnknownSender(from).into());
        }
        if from.is_erased() {
            return Err(DeskError::ErasedAddress(from).into());
        }
        // Held for triage, someone may have been given the address since.
        if let Some(r) = self.state.customers.find_contact(&from) {
            return Err(DeskError::AddressInUse {
                address: from,
                customer: r.customer,
                contact: r.contact,
            }
            .into());
        }
        let opening = d.event_id(self, &StreamId::Ticket(msg.new_ticket), 1);
        let contact = new_contact_id(opening);
        let add = CustomerCommand::AddContact {
            contact,
            name: from.to_string(),
            addresses: vec![from.clone()],
        };
        let (mut customer, events) = match self.config.unknown_senders.customer_of(&from) {
            Some(id) => {
                let c = self.customer_or_err(id)?;
                let events = c.handle(add, now)?;
                (c.clone(), events)
            }
            None => {
                let id = new_customer_id(opening);
                self.fresh(StreamId::Customer(id))?;
                let mut events =
                    Customer::register(id, organisation_of(&self.config.templates, &from), now)?;
                let c = Customer::from_events(&events).ok_or(DeskError::UnknownCustomer(id))?;
                events.extend(c.handle(add, now)?);
                (c, events)
            }
        };
        for e in &events {
            customer.apply(e);
        }
        d.push(
            StreamId::Customer(customer.id()),
            events.into_iter().map(Event::Customer),
        );
        let subject = match msg.subject.as_deref().map(str::trim) {
            Some(s) if !s.is_empty() => s.to_owned(),
            _ => super::ticketing::subject_from_body(&msg.body),
        };
        let mut open = OpenTicket::new(msg.new_ticket, customer.id(), &subject, msg.channel)
            .requested_by(contact)
            .with_message(Author::Contact(contact), &msg.body);
        for a in msg.attachments {
            open = open.with_attachment(a);
        }
        self.decide_open_for(d, &customer, open, None, now)?;
        Ok((customer.id(), contact))
    }

    /// A message from an unknown sender under [`UnknownSender::Triage`]:
    /// held on its own stream.
    pub(super) fn decide_hold(
        &self,
        d: &mut Drafts,
        msg: InboundMessage,
        from: ChannelAddress,
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        if msg.in_reply_to.is_some() {
            return Err(DeskError::UnknownSender(from).into());
        }
        if from.is_erased() {
            return Err(DeskError::ErasedAddress(from).into());
        }
        // The id is the ticket's to be: taken by neither.
        self.fresh(StreamId::Ticket(msg.new_ticket))?;
        let stream = self.fresh(StreamId::Triage(msg.new_ticket))?;
        let subject = msg
            .subject
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty());
        d.push(
            stream,
            [Event::Triage(TriageEvent {
                at: now,
                kind: TriageEventKind::Held {
                    id: msg.new_ticket,
                    channel: msg.channel,
                    from,
                    subject,
                    body: msg.body,
                },
            })],
        );
        Ok(())
    }

    fn held(&self, message: TicketId) -> Result<&TriagedMessage, DeskError> {
        self.state
            .triage
            .get(&message)
            .ok_or(DeskError::UnknownTriage(message))
    }

    fn resolved(d: &mut Drafts, message: TicketId, kind: TriageEventKind, now: DateTime<Utc>) {
        d.push(
            StreamId::Triage(message),
            [Event::Triage(TriageEvent { at: now, kind })],
        );
    }

    /// See [`TicketAction::AttachTriaged`].
    pub(super) fn decide_attach(
        &self,
        d: &mut Drafts,
        message: TicketId,
        customer: CustomerId,
        contact: ContactId,
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        let held = self.held(message)?;
        let c = self.customer_or_err(customer)?;
        super::ticketing::check_cc(c, contact)?;
        let mut events = Vec::new();
        match self.state.customers.find_contact(&held.from) {
            Some(r) if r.contact == contact => {}
            Some(r) => {
                return Err(DeskError::AddressInUse {
                    address: held.from.clone(),
                    customer: r.customer,
                    contact: r.contact,
                }
                .into());
            }
            None if held.from.is_erased() => {}
            None => {
                let add = CustomerCommand::AddAddress {
                    contact,
                    address: held.from.clone(),
                };
                events = c.handle(add, now)?;
            }
        }
        let mut customer = c.clone();
        for e in &events {
            customer.apply(e);
        }
        Self::resolved(
            d,
            message,
            TriageEventKind::Attached {
                customer: c.id(),
                contact,
            },
            now,
        );
        d.push(
            StreamId::Customer(c.id()),
            events.into_iter().map(Event::Customer),
        );
        let subject = match held.subject.as_deref() {
            Some(s) => s.to_owned(),
            None => super::ticketing::subject_from_body(&held.body),
        };
        let open = OpenTicket::new(message, c.id(), &subject, held.channel.clone())
            .requested_by(contact)
            .with_message(Author::Contact(contact), &held.body);
        self.decide_open_for(d, &customer, open, None, now)
    }

    /// See [`TicketAction::CreateFromTriaged`].
    pub(super) fn decide_create_from(
        &self,
        d: &mut Drafts,
        message: TicketId,
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        let held = self.held(message)?;
        let mut msg =
            InboundMessage::new(message, held.channel.clone(), held.from.clone(), &held.body);
        msg.subject = held.subject.clone();
        // Drafted first: the ticket's opening event, whose id the new
        // ids derive from, is then the same as a `Create` arrival's.
        let mut opened = d.fork();
        let (customer, contact) = self.decide_arrival(&mut opened, msg, held.from.clone(), now)?;
        Self::resolved(
            d,
            message,
            TriageEventKind::Attached { customer, contact },
            now,
        );
        d.absorb(opened);
        Ok(())
    }

    /// See [`TicketAction::DiscardTriaged`].
    pub(super) fn decide_discard(
        &self,
        d: &mut Drafts,
        message: TicketId,
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        self.held(message)?;
        Self::resolved(d, message, TriageEventKind::Discarded, now);
        d.erasure = Some(crate::store::Erasure::discarding(message));
        Ok(())
    }
}

/// Folds an event of a triage stream: a held message is listed until it
/// is attached or discarded.
pub(super) fn apply_triage(s: &mut State, id: TicketId, e: &TriageEvent) {
    match &e.kind {
        TriageEventKind::Held {
            channel,
            from,
            subject,
            body,
            ..
        } => {
            s.triage.insert(
                id,
                TriagedMessage {
                    id,
                    channel: channel.clone(),
                    from: from.clone(),
                    subject: subject.clone(),
                    body: body.clone(),
                    received_at: e.at,
                },
            );
        }
        _ => {
            s.triage.remove(&id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_is_per_channel_and_domains_match_without_case() {
        let acme = CustomerId::from_uuid(uuid::Uuid::from_u128(1));
        let mut p = UnknownSenders::default();
        assert!(p.is_default());
        p.default = UnknownSender::Triage;
        p.per_channel
            .insert(ChannelKind::Chat, UnknownSender::Refuse);
        p.domains.insert("Acme.Example".into(), acme);
        assert_eq!(p.for_channel(ChannelKind::Email), UnknownSender::Triage);
        assert_eq!(p.for_channel(ChannelKind::Chat), UnknownSender::Refuse);
        let mail = |a: &str| ChannelAddress::email(a).unwrap();
        assert_eq!(p.customer_of(&mail("x@ACME.example")), Some(acme));
        assert_eq!(p.customer_of(&mail("x@sub.acme.example")), None);
        assert_eq!(
            p.customer_of(&ChannelAddress::chat("acme.example").unwrap()),
            None
        );
        let json = serde_json::to_string(&p).unwrap();
        assert_eq!(serde_json::from_str::<UnknownSenders>(&json).unwrap(), p);
    }

    #[test]
    fn organisations_are_named_by_domain_or_channel_never_by_person() {
        let mail = ChannelAddress::email("Sam.Smith@NewCo.example").unwrap();
        let english = TemplateSet::default();
        assert_eq!(organisation_of(&english, &mail), "newco.example");
        let phone = ChannelAddress::phone("+1 210 555 0199").unwrap();
        assert_eq!(organisation_of(&english, &phone), "New customer (phone)");
        let spanish = TemplateSet::default()
            .with_default_locale(crate::template::Locale::spanish())
            .unwrap();
        assert_eq!(organisation_of(&spanish, &mail), "newco.example");
        assert_eq!(organisation_of(&spanish, &phone), "Cliente nuevo (phone)");
    }

    #[test]
    fn derived_ids_differ_per_kind_and_are_in_the_derived_form() {
        let opening = StreamId::Ticket(TicketId::from_uuid(uuid::Uuid::from_u128(5))).event_id(1);
        let (c, k) = (new_customer_id(opening), new_contact_id(opening));
        assert_ne!(c.as_uuid(), k.as_uuid());
        assert!(super::super::decision::is_derived(c.as_uuid()));
        assert!(super::super::decision::is_derived(k.as_uuid()));
    }
}
