//! The customer area's deciding: accounts, contacts and their addresses.

#![allow(clippy::wildcard_imports)]

use super::*;
use crate::agent::Role;
use crate::customer::{ErasureScope, Forget};
use crate::store::Erasure;
use crate::ticket::{Tag, TicketType};

impl Desk {
    pub(super) fn decide_customer(
        &self,
        d: &mut Drafts,
        action: CustomerAction,
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        match action {
            CustomerAction::Register { id, organisation } => {
                let stream = self.fresh(StreamId::Customer(id))?;
                let events = Customer::register(id, organisation, now)?;
                d.push(stream, events.into_iter().map(Event::Customer));
            }
            CustomerAction::Update { customer, command } => {
                // Setting spend needed `ManageAccounts` (checked before
                // deciding).
                let c = self.customer_or_err(customer)?;
                let command = self.as_held(c, command);
                let command = self.checked_customer_fields(command)?;
                self.check_customer_command(c, &command)?;
                let withdrawn = match &command {
                    CustomerCommand::WithdrawConsent { contact } => Some(*contact),
                    _ => None,
                };
                let offer = match &command {
                    CustomerCommand::SetAccountStanding { standing } => {
                        self.onboarding_offer(c, standing)
                    }
                    _ => None,
                };
                let runs_on = match &command {
                    CustomerCommand::RunOn { component } => Some(component.clone()),
                    _ => None,
                };
                let events = c.handle(command, now)?;
                // A customer who starts running on a component a running
                // incident has down joins it.
                if let (Some(component), false) = (runs_on, events.is_empty()) {
                    self.join_on_run(d, c, &component, now)?;
                }
                // Withdrawn consent forgets the personal details in the
                // record too, not only in the desk.
                if let (Some(contact), false) = (withdrawn, events.is_empty()) {
                    let mut erasure = Erasure::new(customer, contact, Forget::PersonalDetails);
                    // A contact that moved with a merged customer has its
                    // details on that customer's stream.
                    erasure.customers = self.state.customers.merged_into(customer);
                    d.erasure = Some(erasure);
                }
                d.push(
                    StreamId::Customer(customer),
                    events.into_iter().map(Event::Customer),
                );
                if let Some(offer) = offer {
                    self.decide_onboarding_offer(d, offer, now)?;
                }
            }
            CustomerAction::EraseContact {
                customer,
                contact,
                scope,
            } => self.decide_erasure(d, customer, contact, scope, now)?,
            CustomerAction::SetContract { customer, contract } => {
                self.decide_contract(d, customer, contract, now)?;
            }
            CustomerAction::MergeContacts {
                customer,
                source,
                target,
            } => self.decide_merge_contacts(d, customer, source, target, now)?,
            CustomerAction::MergeCustomers { source, target } => {
                self.decide_merge_customers(d, source, target, now)?;
            }
        }
        Ok(())
    }

    /// A contract change: the event on the customer's contract stream and
    /// every running metric of the customer's tickets following it.
    fn decide_contract(
        &self,
        d: &mut Drafts,
        customer: CustomerId,
        contract: Option<Box<crate::sla::Contract>>,
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        // A contract says the tier: `ManageAccounts` was checked before
        // deciding.
        self.customer_or_err(customer)?;
        let before = &self.config.sla;
        if before.contracts.get(&customer) == contract.as_deref() {
            return Ok(());
        }
        let mut after = before.clone();
        match &contract {
            Some(c) => after.contracts.insert(customer, (**c).clone()),
            None => after.contracts.remove(&customer),
        };
        d.push(
            StreamId::Contract(customer),
            [Event::Sla(crate::sla::SlaEvent {
                at: now,
                kind: crate::sla::SlaEventKind::ContractChanged { customer, contract },
            })],
        );
        for t in self.state.tickets.of_customer(customer) {
            let Some(sla) = self.state.slas.get(t.id()) else {
                continue;
            };
            let events = crate::sla::recontract(t, sla, before, &after, now);
            if !events.is_empty() {
                d.push(StreamId::Sla(t.id()), events.into_iter().map(Event::Sla));
            }
        }
        Ok(())
    }

    /// Erasing a contact: the event that records it, the erasure the store
    /// applies with it (the customer's stream, the tickets they wrote on,
    /// the messages to them), and their undelivered messages abandoned.
    fn decide_erasure(
        &self,
        d: &mut Drafts,
        customer: CustomerId,
        contact: ContactId,
        scope: ErasureScope,
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        let c = self.customer_or_err(customer)?;
        let events = c.erase_contact(contact, scope, now)?;
        let mut erasure = Erasure::new(customer, contact, Forget::Contact(scope));
        // The contacts merged into them are the same person: what the
        // record holds under their ids is erased with theirs.
        erasure.merged = c.merged_into(contact).into_iter().collect();
        // The customers merged into theirs: the contacts that moved with
        // them are recorded on their streams.
        erasure.customers = self.state.customers.merged_into(customer);
        let people: Vec<ContactId> = std::iter::once(contact)
            .chain(erasure.merged.iter().copied())
            .collect();
        let theirs = |id: Option<ContactId>| id.is_some_and(|id| people.contains(&id));
        let wrote = |a: &Author| matches!(a, Author::Contact(id) if people.contains(id));
        erasure.tickets = self
            .state
            .tickets
            .of_customer(customer)
            .filter(|t| theirs(t.requester()) || t.conversation().iter().any(|e| wrote(&e.author)))
            .map(Ticket::id)
            .collect();
        // What they wrote that was split off into another ticket is still
        // recorded on the ticket it was split from.
        let split_sources: Vec<TicketId> = self
            .state
            .tickets
            .of_customer(customer)
            .filter(|t| t.links().split_from.is_some())
            .flat_map(|t| t.conversation().iter())
            .filter(|e| wrote(&e.author))
            .filter_map(|e| e.origin.map(|o| o.ticket))
            .collect();
        erasure.tickets.extend(split_sources);
        erasure.requested = self
            .state
            .tickets
            .of_customer(customer)
            .filter(|t| theirs(t.requester()))
            .map(Ticket::id)
            .collect();
        erasure.messages = self.state.outbox.messages_to(contact);
        for source in &erasure.merged {
            erasure
                .messages
                .extend(self.state.outbox.messages_to(*source));
        }
        // What they wrote on archived tickets, and was sent to them about
        // them, is in the store alone: found in the customer's archive.
        let held = d.archive.take();
        let archive = held.as_deref().filter(|a| a.customer() == customer);
        if let Some(a) = archive {
            for t in a.tickets() {
                let requested = theirs(t.requester());
                if requested || t.conversation().iter().any(|e| wrote(&e.author)) {
                    erasure.tickets.insert(t.id());
                }
                if requested {
                    erasure.requested.insert(t.id());
                }
            }
            for id in &people {
                erasure.messages.extend(a.outbox().messages_to(*id));
            }
        }
        // A ticket opened from a message held for triage (archived ones
        // included, found above): the held copy names them and holds
        // their words.
        erasure.triage = erasure
            .requested
            .iter()
            .copied()
            .filter(|t| self.version(&StreamId::Triage(*t)) > 0)
            .collect();
        // Messages to them are each on their own stream: a desk that has
        // not seen one another desk queued would leave it unredacted.
        // Every decision that queues a message to a contact writes one of
        // these streams (a reply or a solve the ticket's, a survey the
        // contact's invitations, an incident update the incident's), so
        // the erasure depends on them as this desk knows them: another
        // desk's write there makes it conflict and be decided again.
        for t in self.state.tickets.of_customer(customer) {
            d.check(StreamId::Ticket(t.id()));
        }
        for id in &people {
            d.check(StreamId::Invitations(*id));
        }
        for i in self
            .active_incidents()
            .filter(|i| i.affected().contains(&customer))
        {
            d.check(StreamId::Incident(i.id()));
        }
        for id in &people {
            erasure.invitations.extend(self.state.surveys.sent_to(*id));
            if let Some(a) = archive {
                erasure.invitations.extend(a.surveys().sent_to(*id));
            }
        }
        erasure.addresses = c
            .contact(contact)
            .map(|ct| ct.addresses().iter().cloned().collect())
            .unwrap_or_default();
        erasure.praise = self.state.recognition.praise_of(&erasure.praise_author());
        // Incident call-out tasks name them and their number, in their
        // subject and notes: forgotten with the profile, whatever the scope.
        let call_outs = super::incident_spread::call_out_notes(
            &self.state.incidents,
            &self.state.tickets,
            contact,
        );
        erasure.call_outs = call_outs.keys().copied().collect();
        for (ticket, numbers) in call_outs {
            erasure.notes.entry(ticket).or_default().extend(numbers);
        }
        if let Some(a) = archive {
            for i in self.state.incidents.iter() {
                if let Some(t) = a.ticket(i.id().call_out_ticket(contact)) {
                    erasure.call_outs.insert(t.id());
                    erasure
                        .notes
                        .entry(t.id())
                        .or_default()
                        .extend(super::incident_spread::internal_notes(t));
                }
            }
        }
        if scope.messages() {
            let words = self.state.recognition.words_of(&erasure.praise_author());
            erasure.quoting = self.state.outbox.quoting(&words);
            // The copies of replies to their tickets' CCs carry the text
            // the ticket's record loses.
            let copies = self.state.outbox.copies_about(&erasure.requested, contact);
            erasure.quoting.extend(copies);
            if let Some(a) = archive {
                erasure
                    .quoting
                    .extend(a.outbox().copies_about(&erasure.requested, contact));
            }
            let mut comments = self.state.surveys.comments_of(contact);
            if let Some(a) = archive {
                comments.extend(a.surveys().comments_of(contact));
            }
            for (ticket, numbers) in self
                .state
                .tickets
                .notes_quoting(customer, contact, &comments)
            {
                erasure.notes.entry(ticket).or_default().extend(numbers);
            }
            if let Some(a) = archive
                && !comments.is_empty()
            {
                for t in a.tickets().filter(|t| t.requester() == Some(contact)) {
                    let numbers = t.notes_quoting(&comments);
                    if !numbers.is_empty() {
                        erasure.notes.entry(t.id()).or_default().extend(numbers);
                    }
                }
            }
            let none = std::collections::BTreeSet::new();
            let tickets = erasure.tickets.iter().filter_map(|id| {
                self.state
                    .tickets
                    .get(*id)
                    .or_else(|| archive.and_then(|a| a.ticket(*id)))
            });
            let mut files: std::collections::BTreeSet<_> = tickets
                .flat_map(|t| {
                    let notes = erasure.notes.get(&t.id()).unwrap_or(&none);
                    t.files_erased(contact, notes)
                })
                .cloned()
                .collect();
            let messages = erasure.messages.iter().chain(&erasure.quoting);
            files.extend(self.state.outbox.files_of(messages.clone()).cloned());
            if let Some(a) = archive {
                files.extend(a.outbox().files_of(messages).cloned());
            }
            erasure.files = files;
        }
        let abandoned: Vec<Event> = self
            .state
            .outbox
            .queue()
            .filter(|e| e.message.is_to(contact))
            .map(|e| {
                Event::Outbox(OutboxEvent {
                    at: now,
                    kind: OutboxEventKind::Abandoned {
                        id: e.message.id,
                        attempts: e.failures,
                        reason: "the contact was erased".to_owned(),
                    },
                })
            })
            .collect();
        let mut events: Vec<Event> = events.into_iter().map(Event::Customer).collect();
        // What memory forgets for their archived invitations, by id, so a
        // fold of the record erases what the store erased.
        if let Some(a) = archive {
            let mut invitations = a.surveys().sent_to(contact);
            for source in &erasure.merged {
                invitations.extend(a.surveys().sent_to(*source));
            }
            if !invitations.is_empty() {
                let notes = if scope.messages() {
                    let comments = a.surveys().comments_of(contact);
                    self.state
                        .tickets
                        .notes_quoting(customer, contact, &comments)
                } else {
                    BTreeMap::new()
                };
                events.push(Event::Customer(crate::customer::CustomerEvent {
                    at: now,
                    kind: CustomerEventKind::ArchiveErased {
                        contact,
                        scope,
                        invitations,
                        notes,
                    },
                }));
            }
        }
        d.push(StreamId::Customer(customer), events);
        d.push_outbox(abandoned);
        d.erasure = Some(erasure);
        Ok(())
    }

    pub(super) fn check_address_free(
        &self,
        address: &ChannelAddress,
        owner: (CustomerId, ContactId),
    ) -> Result<(), DeskError> {
        if address.is_erased() {
            return Err(DeskError::ErasedAddress(address.clone()));
        }
        match self.state.customers.find_contact(address) {
            Some(ContactRef { customer, contact }) if (customer, contact) != owner => {
                Err(DeskError::AddressInUse {
                    address: address.clone(),
                    customer,
                    contact,
                })
            }
            _ => Ok(()),
        }
    }

    /// A command marking an address (un)deliverable, naming it as the
    /// contact holds it: a phone number spelled another way (spaces,
    /// dashes, with or without the country code) that reads as the same
    /// number in the desk's region (`DeskConfig::phone_region`, as the
    /// address index reads it) is the contact's number. Any other
    /// command, or an address the contact does not hold in any spelling,
    /// is left as it is.
    fn as_held(&self, c: &Customer, command: CustomerCommand) -> CustomerCommand {
        let held = |contact: ContactId, address: ChannelAddress| {
            let Some(ct) = c.contact(contact) else {
                return address;
            };
            if ct.addresses().contains(&address) {
                return address;
            }
            let region = self.state.customers.region();
            let key = address.normalized(region);
            ct.addresses()
                .iter()
                .find(|a| a.normalized(region) == key)
                .cloned()
                .unwrap_or(address)
        };
        match command {
            CustomerCommand::MarkUndeliverable {
                contact,
                address,
                reason,
            } => CustomerCommand::MarkUndeliverable {
                contact,
                address: held(contact, address),
                reason,
            },
            CustomerCommand::MarkDeliverable { contact, address } => {
                CustomerCommand::MarkDeliverable {
                    contact,
                    address: held(contact, address),
                }
            }
            other => other,
        }
    }

    /// Checks a customer command's references to the rest of the desk.
    pub(super) fn check_customer_command(
        &self,
        c: &Customer,
        command: &CustomerCommand,
    ) -> Result<(), Error> {
        match command {
            CustomerCommand::AddContact {
                contact, addresses, ..
            } => {
                for a in addresses {
                    let a = a.clone().validated()?;
                    self.check_address_free(&a, (c.id(), *contact))?;
                }
            }
            CustomerCommand::AddAddress { contact, address } => {
                let a = address.clone().validated()?;
                self.check_address_free(&a, (c.id(), *contact))?;
            }
            CustomerCommand::AssignAccountTeam { agent, .. } => {
                self.active_agent(*agent)?;
            }
            CustomerCommand::RecordConsent { contact, source } => match source {
                ConsentSource::Agent(a) => {
                    self.active_agent(*a)?;
                }
                ConsentSource::Contact(given_by) if given_by != contact => {
                    return Err(DeskError::ConsentByOtherContact {
                        contact: *contact,
                        given_by: *given_by,
                    }
                    .into());
                }
                ConsentSource::Contact(_) => {}
            },
            CustomerCommand::RunOn { component } => {
                self.config.incidents.components.check(component)?;
            }
            _ => {}
        }
        Ok(())
    }

    /// The video-onboarding offer the care policy makes for a standing
    /// being set, if it makes one: the spend reaches the threshold in its
    /// currency, and the customer was never offered one.
    fn onboarding_offer(
        &self,
        c: &Customer,
        standing: &crate::customer::AccountStanding,
    ) -> Option<OnboardingOffer> {
        let policy = self.config.care.video_onboarding.as_ref()?;
        let min = &policy.min_monthly_spend;
        let ticket = c.id().onboarding_ticket();
        (standing.monthly_spend.currency == min.currency
            && standing.monthly_spend.minor >= min.minor
            && self.ticket(ticket).is_none()
            && self.version(&StreamId::Ticket(ticket)) == 0)
            .then(|| OnboardingOffer {
                ticket,
                customer: c.id(),
                contact: super::channels::reply_contact_of(c),
                owner: c
                    .account_team()
                    .iter()
                    .find(|(a, r)| {
                        **r == Role::AccountManager
                            && self.agent(**a).is_some_and(|x| x.is_active())
                    })
                    .map(|(a, _)| *a),
            })
    }

    /// Opens the offer: a task on the video channel, tagged
    /// `video-onboarding`, for the account manager when there is one. It
    /// names no amount: agents see the customer, not the invoice.
    fn decide_onboarding_offer(
        &self,
        d: &mut Drafts,
        offer: OnboardingOffer,
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        let mut open = OpenTicket::new(
            offer.ticket,
            offer.customer,
            &self.text(crate::template::TemplateName::OnboardingOffer, &[]),
            Channel::Video,
        )
        .with_type(TicketType::Task);
        if let Some(contact) = offer.contact {
            open = open.requested_by(contact);
        }
        if let Ok(tag) = Tag::new("video-onboarding") {
            open = open.with_tag(tag);
        }
        let rules = &self.config.ticket_rules;
        let mut events = Ticket::open(open, rules, now)?;
        if let Some(owner) = offer.owner {
            let t = Ticket::from_events(&events).ok_or(DeskError::UnknownTicket(offer.ticket))?;
            let more = t.handle_with(TicketCommand::Assign(Some(owner)), rules, now)?;
            events.extend(more);
        }
        let sla_events = crate::sla::react(None, &events, offer.customer, &self.config.sla, now);
        d.push(
            StreamId::Ticket(offer.ticket),
            events.into_iter().map(Event::Ticket),
        );
        d.push(
            StreamId::Sla(offer.ticket),
            sla_events.into_iter().map(Event::Sla),
        );
        Ok(())
    }
}

/// A video-onboarding offer to open.
struct OnboardingOffer {
    ticket: TicketId,
    customer: CustomerId,
    contact: Option<ContactId>,
    owner: Option<AgentId>,
}
