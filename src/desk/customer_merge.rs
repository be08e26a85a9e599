//! Merging customers: one organisation known by two accounts becomes one,
//! in one decision (see [`CustomerAction::MergeCustomers`]).

#![allow(clippy::wildcard_imports)]

use super::*;
use crate::customer::{CustomerError, MergeCounts};

impl Desk {
    /// Merges customer `source` into customer `target`: see
    /// [`CustomerAction::MergeCustomers`].
    pub(super) fn decide_merge_customers(
        &self,
        d: &mut Drafts,
        source: CustomerId,
        target: CustomerId,
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        if source == target {
            return Err(CustomerError::MergeCustomerIntoItself(source).into());
        }
        let s = self.customer_or_err(source)?;
        let t = self.customer_or_err(target)?;
        let contracts = &self.config.sla.contracts;
        if contracts.get(&source) != contracts.get(&target) {
            return Err(DeskError::ContractDiffers {
                from: source,
                into: target,
            }
            .into());
        }
        let tickets: Vec<TicketId> = self
            .state
            .tickets
            .of_customer(source)
            .map(Ticket::id)
            .collect();
        if let Some(ticket) = tickets.iter().copied().find(|id| self.is_crisis(*id)) {
            return Err(DeskError::MergeHeldByCrisis {
                customer: source,
                ticket,
            }
            .into());
        }
        if let Some(i) = self
            .active_incidents()
            .find(|i| i.affected().contains(&source))
        {
            return Err(DeskError::MergeDuringIncident {
                customer: source,
                incident: i.id(),
            }
            .into());
        }
        // Decided on the source's archive as this desk knows it (read
        // from the store when it holds any): another desk's archival for
        // the source recorded meanwhile makes the append conflict, and
        // the retry lists that ticket too. Archivals and refunds check
        // the source's stream, which this writes, so they conflict the
        // other way round.
        d.check(StreamId::Archive(source));
        let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        let refunds = self.state.refunds.of_customer(source).count();
        // The source's archived tickets, listed again in the target's
        // archive (their records stay as they are in the store, naming
        // the source, whose tombstone leads here).
        let archived: Vec<TicketEvent> = Self::archive_of(d, source)
            .map(|a| {
                a.entries()
                    .iter()
                    .map(|e| TicketEvent {
                        at: now,
                        kind: TicketEventKind::Archived {
                            ticket: e.ticket,
                            requester: e.requester,
                            opened_at: e.opened_at,
                            closed_at: e.closed_at,
                            messages: e.messages.clone(),
                            invitations: e.invitations.clone(),
                        },
                    })
                    .collect()
            })
            .unwrap_or_default();
        let moved =
            MergeCounts::with_tickets(count(tickets.len()), count(archived.len()), count(refunds));
        let (from, into) = s.merge_into(t, moved, now)?;
        // The customers first: a ticket's queue row built after its move
        // reads the target as merged.
        d.push(StreamId::Customer(source), [Event::Customer(from)]);
        d.push(StreamId::Customer(target), [Event::Customer(into)]);
        d.push(
            StreamId::Archive(target),
            archived.into_iter().map(Event::Ticket),
        );
        for &id in &tickets {
            d.push(
                StreamId::Ticket(id),
                [Event::Ticket(TicketEvent {
                    at: now,
                    kind: TicketEventKind::CustomerChanged {
                        from: source,
                        to: target,
                    },
                })],
            );
        }
        // The tickets' SLA records follow them: the same policy (the
        // contracts are equal), now the target's, so reports by customer
        // and the records' calendars name the survivor.
        for id in &tickets {
            if let Some(sla) = self.state.slas.get(*id).filter(|s| s.customer == source) {
                d.push(
                    StreamId::Sla(*id),
                    [Event::Sla(crate::sla::SlaEvent {
                        at: now,
                        kind: crate::sla::SlaEventKind::PolicyApplied {
                            customer: target,
                            policy: sla.policy.clone(),
                        },
                    })],
                );
            }
        }
        Ok(())
    }
}
