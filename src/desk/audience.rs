//! The audience views: a ticket or a customer as one audience may see
//! it.

#![allow(clippy::wildcard_imports)]

use super::*;

impl Desk {
    /// A ticket as one of its customer's contacts sees it. A crisis
    /// ticket is shown to its requester only, not to every contact of the
    /// organisation, and with their own words only: another contact's
    /// message on it (or merged into it) is left out.
    ///
    /// # Errors
    /// Unknown ticket; [`crate::view::ViewError::NotTheirTicket`] for a
    /// contact of another customer, or a contact other than the requester
    /// of a crisis ticket.
    ///
    /// ```
    /// # use chrono::{Duration, TimeZone, Utc};
    /// # use fanatical::prelude::*;
    /// # let fanatical::desk::fixture::Fixture { mut desk, mut store, mut ids, now, acme, jane, ana, ticket, email } =
    /// #     fanatical::desk::fixture::fixture()?;
    /// desk.execute(&mut store, Command::note(ticket, ana, "She sounds stressed: call her."), now)?;
    /// desk.execute(&mut store, Command::reply(ticket, ana, "Fixed: the disk was full."), now)?;
    /// let seen = desk.customer_ticket_view(ticket, jane)?;
    /// assert_eq!(seen.conversation.len(), 2); // her message and the reply, never the note
    /// // Someone else's contact sees nothing.
    /// assert!(desk.customer_ticket_view(ticket, ids.next_id()).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn customer_ticket_view(
        &self,
        ticket: TicketId,
        contact: ContactId,
    ) -> Result<CustomerTicketView, Error> {
        let t = self.ticket_or_err(ticket)?;
        // The portal shows what the contact's permissions reach (by
        // default their organisation's tickets), as their commands do.
        if self.state.customers.customer_of(contact) == Some(t.customer()) {
            self.check_permission(
                &crate::actor::Actor::Contact(contact),
                crate::permission::Permission::ViewTickets,
                Some(ticket),
            )?;
        }
        self.customer_view_of(t, contact)
    }

    /// [`Desk::customer_ticket_view`] of a ticket in memory or read from
    /// the store.
    pub(super) fn customer_view_of(
        &self,
        t: &Ticket,
        contact: ContactId,
    ) -> Result<CustomerTicketView, Error> {
        let ticket = t.id();
        let c = self.customer_or_err(t.customer())?;
        let crisis = self.is_crisis(ticket);
        if crisis && t.requester() != Some(contact) {
            return Err(crate::view::ViewError::NotTheirTicket { contact, ticket }.into());
        }
        let mut view = CustomerTicketView::for_contact(t, c, contact)?;
        view.ccs = self.shown_ccs(t);
        Ok(if crisis {
            own_words_only(self, t, view, contact)
        } else {
            view
        })
    }

    /// See [`TicketsView::seen_by`].
    pub(crate) fn customer_tickets_view(
        &self,
        contact: ContactId,
    ) -> Result<Vec<CustomerTicketView>, Error> {
        let customer = self
            .state
            .customers
            .customer_of(contact)
            .ok_or(DeskError::UnknownContact(contact))?;
        // The portal lists what the contact's permissions reach, by the
        // check their commands pass (an erased contact sees nothing).
        let who = crate::actor::Actor::Contact(contact);
        self.check_actor(&who)?;
        let mut out: Vec<CustomerTicketView> = self
            .tickets_of(customer)
            .filter(|t| {
                self.may(
                    &who,
                    crate::permission::Permission::ViewTickets,
                    Some(t.id()),
                )
            })
            .filter(|t| !self.is_crisis(t.id()) || t.requester() == Some(contact))
            .map(|t| {
                let mut view = CustomerTicketView::from_ticket(t);
                view.ccs = self.shown_ccs(t);
                if self.is_crisis(t.id()) {
                    own_words_only(self, t, view, contact)
                } else {
                    view
                }
            })
            .collect();
        out.sort_by_key(|v| (v.opened_at, v.id));
        Ok(out)
    }

    /// A ticket as support sees it.
    ///
    /// # Errors
    /// Unknown ticket.
    pub fn agent_ticket_view(&self, ticket: TicketId) -> Result<AgentTicketView, Error> {
        self.agent_view_of(self.ticket_or_err(ticket)?)
    }

    /// [`Desk::agent_ticket_view`] of a ticket in memory or read from the
    /// store.
    pub(super) fn agent_view_of(&self, t: &Ticket) -> Result<AgentTicketView, Error> {
        let mut view = AgentTicketView::from_ticket(t);
        view.ccs = self.shown_ccs(t);
        if self.is_crisis(t.id()) {
            // Crisis details are for the safety role only (`safety_ticket_view`):
            // the subject came from the message, so it goes too.
            view.subject = crate::crisis::RESTRICTED.to_owned();
            // Field values may have come with the message (a web form's).
            view.fields = crate::field::FieldValues::new();
            for e in &mut view.conversation {
                e.body = crate::crisis::RESTRICTED.to_owned();
                e.attachments.clear();
            }
        }
        Ok(view)
    }

    /// A customer as an agent sees it: no spend, no tier.
    ///
    /// # Errors
    /// Unknown customer.
    ///
    /// ```
    /// # use chrono::{Duration, TimeZone, Utc};
    /// # use fanatical::prelude::*;
    /// # let fanatical::desk::fixture::Fixture { mut desk, mut store, mut ids, now, acme, jane, ana, ticket, email } =
    /// #     fanatical::desk::fixture::fixture()?;
    /// use fanatical::customer::{AccountStanding, Currency, Money, Tier};
    /// let standing = AccountStanding { monthly_spend: Money { minor: 25_000_000, currency: Currency::new("USD")? },
    ///     tier: Tier::Enterprise };
    /// desk.execute(&mut store, Command::new(Actor::integration("setup"), CustomerAction::Update { customer: acme,
    ///     command: CustomerCommand::SetAccountStanding { standing } }), now)?;
    /// // What an agent sees has no field for spend or tier at all.
    /// let seen = serde_json::to_string(&desk.agent_customer_view(acme)?)?;
    /// assert!(!seen.contains("spend") && !seen.contains("tier"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn agent_customer_view(&self, customer: CustomerId) -> Result<AgentCustomerView, Error> {
        Ok(AgentCustomerView::from_customer(
            self.customer_or_err(customer)?,
        ))
    }

    /// A customer with spend and tier, for a viewer whose role needs it.
    ///
    /// # Errors
    /// Unknown customer or agent;
    /// [`PermissionError::Denied`](crate::permission::PermissionError::Denied)
    /// for a viewer without
    /// [`Permission::ViewSpend`](crate::permission::Permission::ViewSpend),
    /// naming the roles that grant it.
    ///
    /// ```
    /// # use chrono::{Duration, TimeZone, Utc};
    /// # use fanatical::prelude::*;
    /// # let fanatical::desk::fixture::Fixture { mut desk, mut store, mut ids, now, acme, jane, ana, ticket, email } =
    /// #     fanatical::desk::fixture::fixture()?;
    /// let bea: AgentId = ids.next_id();
    /// desk.execute(&mut store, Command::new(Actor::integration("setup"), PeopleAction::RegisterAgent { id: bea, name: "Bea".into(),
    ///     time_zone: chrono_tz::America::Chicago, roles: vec![Role::Billing], skills: vec![] }), now)?;
    /// assert!(desk.account_customer_view(acme, bea).is_ok());
    /// assert!(desk.account_customer_view(acme, ana).is_err()); // an agent is refused, with the roles needed
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn account_customer_view(
        &self,
        customer: CustomerId,
        viewer: AgentId,
    ) -> Result<AccountCustomerView, Error> {
        let c = self.customer_or_err(customer)?;
        let a = self.agent(viewer).ok_or(DeskError::UnknownAgent(viewer))?;
        self.check_permission(
            &crate::actor::Actor::Agent(viewer),
            crate::permission::Permission::ViewSpend,
            None,
        )?;
        Ok(AccountCustomerView::for_viewer(c, a, self.permissions())?)
    }
}

/// A crisis ticket as its requester sees it: what they wrote, and what
/// support wrote on a ticket of theirs; never another person's words (a
/// colleague's message on their ticket, the desk's record of a stranger's
/// message, anything merged in from someone else's ticket).
fn own_words_only(
    desk: &Desk,
    t: &Ticket,
    mut view: CustomerTicketView,
    contact: ContactId,
) -> CustomerTicketView {
    let theirs = |ticket: TicketId| {
        desk.ticket(ticket)
            .is_some_and(|o| o.requester() == Some(contact))
    };
    let keep: Vec<bool> = t
        .conversation()
        .iter()
        .filter(|e| e.visibility == crate::ticket::EntryVisibility::Public)
        .map(|e| match e.author {
            crate::ticket::Author::Contact(c) => c == contact,
            crate::ticket::Author::Agent(_) => e.origin.as_ref().is_none_or(|o| theirs(o.ticket)),
            crate::ticket::Author::System => false,
        })
        .collect();
    let mut keep = keep.into_iter();
    view.conversation.retain(|_| keep.next().unwrap_or(false));
    view
}
