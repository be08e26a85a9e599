//! The refunds area's deciding and reading: goodwill credits and refunds
//! asked for on any ticket, approved or declined by someone who may see
//! spend, read with amounts only by such viewers.

#![allow(clippy::wildcard_imports)]

use super::*;
use crate::id::RefundId;
use crate::refund::{Refund, RefundAction, RefundError, RefundRequest, RefundView};

impl Desk {
    pub(super) fn decide_refund(
        &self,
        d: &mut Drafts,
        action: RefundAction,
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        let ledger = &self.state.refunds;
        let (id, events) = match action {
            RefundAction::Request {
                id,
                ticket,
                kind,
                amount,
                reason,
                note,
            } => {
                let by = d.actor().clone();
                match &by {
                    Actor::Agent(agent) => {
                        self.active_agent(*agent)?;
                    }
                    Actor::Integration(_) => {}
                    Actor::Contact(_) | Actor::System(_) => {
                        return Err(DeskError::NeedsAgent { actor: by }.into());
                    }
                }
                let customer = self.ticket_or_err(ticket)?.customer();
                // Decided on the customer as this desk knows it: another
                // desk's merge of them recorded meanwhile (which writes
                // their stream and moves the ticket) makes the append
                // conflict, and the retry asks on the target's account.
                d.check(StreamId::Customer(customer));
                if !self.config.incidents.credits.reasons.contains_key(&reason) {
                    return Err(RefundError::UnknownReason(reason).into());
                }
                let request = RefundRequest {
                    id,
                    customer,
                    ticket,
                    kind,
                    amount,
                    reason,
                    note,
                    by,
                };
                (id, ledger.request(request, now)?)
            }
            RefundAction::Approve { id } => {
                let by = self.approver(d)?;
                (id, ledger.approve_under(self.config.refunds, id, by, now)?)
            }
            RefundAction::Decline { id, why } => {
                let by = self.approver(d)?;
                (id, ledger.decline(id, by, &why, now)?)
            }
        };
        d.push(StreamId::Refund(id), events.into_iter().map(Event::Refund));
        Ok(())
    }

    /// The actor, when they may approve or decline refunds: an active
    /// agent whose roles see spend, or an integration (billing).
    fn approver(&self, d: &Drafts) -> Result<Actor, Error> {
        let by = d.actor().clone();
        match &by {
            // `ApproveRefunds` was checked before deciding.
            Actor::Agent(_) | Actor::Integration(_) => {}
            Actor::Contact(_) | Actor::System(_) => {
                return Err(DeskError::NeedsAgent { actor: by }.into());
            }
        }
        Ok(by)
    }

    /// The refunds matching `pick`, as `viewer` may see them, oldest
    /// first.
    fn refund_views<'a>(
        &'a self,
        viewer: AgentId,
        refunds: impl Iterator<Item = &'a Refund>,
    ) -> Result<Vec<RefundView>, Error> {
        let access = self.spend_access(viewer)?;
        // Only refunds on tickets the viewer may see: notes and reasons
        // are about the ticket.
        let who = Actor::Agent(viewer);
        let mut out: Vec<RefundView> = refunds
            .filter(|r| {
                self.may(
                    &who,
                    crate::permission::Permission::ViewTickets,
                    Some(r.request().ticket),
                )
            })
            .map(|r| r.view(access))
            .collect();
        out.sort_by_key(|r| (r.requested_at, r.id));
        Ok(out)
    }
}

/// Reads of goodwill credits and refunds (`desk.refunds()`).
///
/// Every read that shows people a refund takes the viewer, a known and
/// active agent, and gives the amount only to roles that see spend
/// (`None` for the others). [`RefundsView::get`] hands out the record,
/// amount and all: it is for trusted code (billing), not for showing
/// people.
///
/// ```
/// use fanatical::actor::Actor;
/// use fanatical::agent::Role;
/// use fanatical::customer::{Currency, Money};
/// use fanatical::desk::{Command, DeskConfig, PeopleAction};
/// use fanatical::desk::fixture::{fixture_with, Fixture};
/// use fanatical::id::{AgentId, RefundId};
/// use fanatical::incident::{CreditConfig, IncidentConfig, ReasonCode};
/// use fanatical::refund::{RefundAction, RefundKind, RefundStatus};
/// # use fanatical::chrono::Duration;
///
/// // The refund reasons are configured data.
/// let credits = CreditConfig::default().with_reason("goodwill", "to make up for a bad experience")?;
/// let config = DeskConfig::default().with_incidents(IncidentConfig::default().with_credits(credits));
/// let Fixture { mut desk, mut store, ticket, ana: agent, now, .. } = fixture_with(config)?;
/// let billing = AgentId::from_uuid(uuid::Uuid::from_u128(77));
/// desk.execute(&mut store, Command::new(Actor::integration("setup"), PeopleAction::RegisterAgent {
///     id: billing, name: "Bea Billing".into(), time_zone: fanatical::chrono_tz::UTC,
///     roles: vec![Role::Billing], skills: vec![],
/// }), now)?;
///
/// // The agent on the ticket asks; billing approves.
/// let id = RefundId::from_uuid(uuid::Uuid::from_u128(78));
/// desk.execute(&mut store, Command::new(Actor::Agent(agent), RefundAction::Request {
///     id, ticket, kind: RefundKind::GoodwillCredit,
///     amount: Money { minor: 2_000, currency: Currency::new("USD")? },
///     reason: ReasonCode::new("goodwill")?, note: "Waited a week for a reply.".into(),
/// }), now)?;
/// desk.execute(&mut store, Command::new(Actor::Agent(billing), RefundAction::Approve { id }), now + Duration::hours(1))?;
///
/// let seen_by_agent = &desk.refunds().of_ticket(ticket, agent)?[0];
/// assert_eq!(seen_by_agent.status, RefundStatus::Approved);
/// assert_eq!(seen_by_agent.amount, None); // an agent does not see spend
/// assert_eq!(desk.refunds().of_ticket(ticket, billing)?[0].amount.map(|m| m.minor), Some(2_000));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy)]
pub struct RefundsView<'a> {
    desk: &'a Desk,
}

impl std::fmt::Debug for RefundsView<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RefundsView").finish_non_exhaustive()
    }
}

impl<'a> RefundsView<'a> {
    /// A refund: the record, amount included, for trusted code.
    #[must_use]
    pub fn get(&self, id: RefundId) -> Option<&'a Refund> {
        self.desk.state.refunds.get(id)
    }

    /// The refunds on a ticket as `viewer` may see them, oldest first.
    ///
    /// # Errors
    /// [`DeskError::UnknownTicket`]; an unknown or deactivated viewer.
    pub fn of_ticket(&self, ticket: TicketId, viewer: AgentId) -> Result<Vec<RefundView>, Error> {
        self.desk.ticket_or_err(ticket)?;
        let ledger = &self.desk.state.refunds;
        self.desk.refund_views(viewer, ledger.of_ticket(ticket))
    }

    /// The refunds on a customer's account as `viewer` may see them,
    /// oldest first.
    ///
    /// # Errors
    /// [`DeskError::UnknownCustomer`]; an unknown or deactivated viewer.
    pub fn of_customer(
        &self,
        customer: CustomerId,
        viewer: AgentId,
    ) -> Result<Vec<RefundView>, Error> {
        self.desk.customer_or_err(customer)?;
        let ledger = &self.desk.state.refunds;
        self.desk.refund_views(viewer, ledger.of_customer(customer))
    }

    /// The refunds waiting for approval, oldest first, as `viewer` may see
    /// them: the approvers' queue.
    ///
    /// # Errors
    /// An unknown or deactivated viewer.
    pub fn awaiting_approval(&self, viewer: AgentId) -> Result<Vec<RefundView>, Error> {
        let ledger = &self.desk.state.refunds;
        let waiting = ledger
            .iter()
            .filter(|r| r.status() == crate::refund::RefundStatus::AwaitingApproval);
        self.desk.refund_views(viewer, waiting)
    }
}

impl Desk {
    /// Goodwill credits and refunds.
    #[must_use]
    pub fn refunds(&self) -> RefundsView<'_> {
        RefundsView { desk: self }
    }
}
