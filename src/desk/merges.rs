//! Merging contacts: the customer's record and the tickets that move with
//! it, in one decision.

#![allow(clippy::wildcard_imports)]

use super::*;

impl Desk {
    /// Merges `source` into `target`, contacts of `customer`: see
    /// [`CustomerAction::MergeContacts`].
    pub(super) fn decide_merge_contacts(
        &self,
        d: &mut Drafts,
        customer: CustomerId,
        source: ContactId,
        target: ContactId,
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        let c = self.customer_or_err(customer)?;
        let events = c.merge_contacts(source, target, now)?;
        d.push(
            StreamId::Customer(customer),
            events.into_iter().map(Event::Customer),
        );
        for t in self.state.tickets.of_customer(customer) {
            let requested = t.requester() == Some(source);
            let copied = t.ccs().contains(&source);
            let mut kinds = Vec::new();
            if requested {
                kinds.push(TicketEventKind::RequesterChanged {
                    from: source,
                    to: target,
                });
                // A requester is not copied on their own ticket.
                if t.ccs().contains(&target) {
                    kinds.push(TicketEventKind::CcRemoved { contact: target });
                }
            }
            if copied {
                kinds.push(TicketEventKind::CcRemoved { contact: source });
                if t.requester() != Some(target) && !requested && !t.ccs().contains(&target) {
                    kinds.push(TicketEventKind::CcAdded { contact: target });
                }
            }
            d.push(
                StreamId::Ticket(t.id()),
                kinds
                    .into_iter()
                    .map(|kind| Event::Ticket(TicketEvent { at: now, kind })),
            );
        }
        Ok(())
    }
}
