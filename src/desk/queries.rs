//! The desk's own lookups: what the views read through, and the
//! refusals every area shares (unknown ids, inactive agents, the actor).

#![allow(clippy::wildcard_imports)]

use super::*;

impl Desk {
    /// See [`CustomersView::get`].
    pub(crate) fn customer(&self, id: CustomerId) -> Option<&Customer> {
        self.state.customers.get(id)
    }

    /// See [`PeopleView::agent`].
    pub(crate) fn agent(&self, id: AgentId) -> Option<&Agent> {
        self.state.people.agent(id)
    }

    /// See [`PeopleView::agents`].
    pub(crate) fn agents(&self) -> impl Iterator<Item = &Agent> {
        self.state.people.agents()
    }

    /// See [`PeopleView::team`].
    pub(crate) fn team(&self, id: TeamId) -> Option<&Team> {
        self.state.people.team(id)
    }

    /// See [`TicketsView::get`].
    pub(crate) fn ticket(&self, id: TicketId) -> Option<&Ticket> {
        self.state.tickets.get(id)
    }

    /// See [`TicketsView::of_customer`].
    pub(crate) fn tickets_of(&self, customer: CustomerId) -> impl Iterator<Item = &Ticket> {
        self.state.tickets.of_customer(customer)
    }

    /// See [`TicketsView::opened`].
    pub(crate) fn tickets_opened(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> impl Iterator<Item = &Ticket> {
        self.state.tickets.opened(from, to)
    }

    /// See [`TicketsView::loads`].
    pub(crate) fn loads(&self) -> &BTreeMap<AgentId, u32> {
        self.state.tickets.loads()
    }

    /// See [`TicketsView::route`].
    pub(crate) fn route_ticket(
        &self,
        ticket: TicketId,
        router: &crate::routing::Router,
        skills: &[crate::agent::Skill],
        now: DateTime<Utc>,
    ) -> Result<crate::routing::Routing, Error> {
        self.ticket_or_err(ticket)?;
        Ok(router.route(skills, self.state.tickets.loads(), now)?)
    }

    /// See [`TicketsView::sla`].
    pub(crate) fn ticket_sla(&self, ticket: TicketId) -> Option<&TicketSla> {
        self.state.slas.get(ticket)
    }

    /// See [`TicketsView::slas`].
    pub(crate) fn slas(&self) -> impl Iterator<Item = &TicketSla> {
        self.state.slas.iter()
    }

    /// See [`TicketsView::running_timers`].
    pub(crate) fn running_timers(&self) -> usize {
        self.timers.sla_count()
    }

    /// See [`CustomersView::find_contact`].
    pub(crate) fn find_contact(&self, address: &ChannelAddress) -> Option<ContactRef> {
        self.state.customers.find_contact(address)
    }

    /// See [`ChannelsView::outbound`].
    pub(crate) fn outbound(&self, id: MessageId) -> Option<&OutboxEntry> {
        self.state.outbox.get(id)
    }

    /// See [`ChannelsView::outbox`].
    pub(crate) fn outbox(&self) -> impl Iterator<Item = &OutboxEntry> {
        self.state.outbox.iter()
    }

    /// See [`ChannelsView::undelivered`].
    pub(crate) fn undelivered(&self) -> usize {
        self.state.outbox.undelivered()
    }

    /// A stream's version as this desk knows it.
    #[must_use]
    pub(crate) fn version(&self, stream: &StreamId) -> u64 {
        self.state.versions.get(stream)
    }

    pub(super) fn fresh(&self, stream: StreamId) -> Result<StreamId, DeskError> {
        if self.version(&stream) == 0 {
            Ok(stream)
        } else {
            Err(DeskError::AlreadyExists(stream))
        }
    }

    /// A customer commands may name: known, and not merged into another.
    pub(super) fn customer_or_err(&self, id: CustomerId) -> Result<&Customer, DeskError> {
        let c = self
            .state
            .customers
            .get(id)
            .ok_or(DeskError::UnknownCustomer(id))?;
        match c.merged_into_customer() {
            Some(_) => Err(DeskError::CustomerMerged {
                customer: id,
                into: self.state.customers.live_id(id),
            }),
            None => Ok(c),
        }
    }

    pub(super) fn ticket_or_err(&self, id: TicketId) -> Result<&Ticket, DeskError> {
        self.state
            .tickets
            .get(id)
            .ok_or(DeskError::UnknownTicket(id))
    }

    pub(super) fn active_agent(&self, id: AgentId) -> Result<&Agent, DeskError> {
        let a = self.agent(id).ok_or(DeskError::UnknownAgent(id))?;
        if a.is_active() {
            Ok(a)
        } else {
            Err(DeskError::InactiveAgent(id))
        }
    }

    /// Whether `actor` may issue commands at all, before any permission:
    /// a known, active agent; a known contact, neither erased nor merged
    /// into another; a well-named integration. The desk's own actor is not
    /// for callers. A service checks it when someone signs in; every
    /// command checks it again.
    ///
    /// # Errors
    /// What [`Desk::decide`] would refuse the actor with:
    /// [`DeskError::UnknownAgent`] or [`DeskError::InactiveAgent`],
    /// [`DeskError::UnknownContact`],
    /// [`CustomerError::ContactErased`],
    /// [`CustomerError::ContactMerged`],
    /// [`DeskError::SystemActor`], or the integration name's error.
    ///
    /// ```
    /// # use fanatical::prelude::*;
    /// # let fanatical::desk::fixture::Fixture { desk, mut ids, ana, jane, .. } = fanatical::desk::fixture::fixture()?;
    /// assert!(desk.may_act(&Actor::Agent(ana)).is_ok());
    /// assert!(desk.may_act(&Actor::Contact(jane)).is_ok());
    /// assert!(desk.may_act(&Actor::Agent(ids.next_id())).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn may_act(&self, actor: &Actor) -> Result<(), Error> {
        self.check_actor(actor)
    }

    /// Checks that the actor may issue commands at all: a known, active
    /// agent; a known contact; a well-named integration. The desk's own
    /// actor is not for callers.
    pub(super) fn check_actor(&self, actor: &Actor) -> Result<(), Error> {
        match actor {
            Actor::Agent(a) => {
                self.active_agent(*a)?;
            }
            Actor::Contact(c) => {
                let Some(customer) = self.state.customers.customer_of(*c) else {
                    return Err(DeskError::UnknownContact(*c).into());
                };
                // An erased person acts no more: nothing new is recorded
                // about them.
                let erased = self
                    .customer(customer)
                    .and_then(|cu| cu.contact(*c))
                    .is_some_and(|ct| ct.erased().is_some());
                if erased {
                    return Err(crate::customer::CustomerError::ContactErased {
                        customer,
                        contact: *c,
                    }
                    .into());
                }
                // A merged record acts no more: the person acts as the
                // contact it became.
                if let Some(into) = self
                    .customer(customer)
                    .and_then(|cu| cu.contact(*c))
                    .and_then(crate::customer::Contact::merged_into)
                {
                    return Err(crate::customer::CustomerError::ContactMerged {
                        customer,
                        contact: *c,
                        into,
                    }
                    .into());
                }
            }
            Actor::System(_) => return Err(DeskError::SystemActor.into()),
            Actor::Integration(_) => actor.check()?,
        }
        Ok(())
    }

    /// The acting agent, for actions only an agent does.
    pub(super) fn acting_agent(d: &Drafts) -> Result<AgentId, DeskError> {
        d.actor().agent().ok_or_else(|| DeskError::NeedsAgent {
            actor: d.actor().clone(),
        })
    }
}
