//! Conversations with more than two people in them: public replies copied
//! to a ticket's CCs, followers told of new entries, and a conversation
//! split in two.
//!
//! - A CC is a contact **of the ticket's customer** (a contact of another
//!   customer is refused: copying them would show one customer another's
//!   conversation). Every public reply the requester is sent (an agent's
//!   reply, an incident's solving message, a held reply once approved)
//!   is copied to each CC, on the reply's channel when they can be reached
//!   there as the requester would be (fallbacks included), else on their
//!   first address that takes a message (in the order they gave them),
//!   on a channel that is up. A CC who cannot be reached, or who was
//!   erased, gets nothing, and never holds up the reply. Internal notes
//!   never go to anyone outside. A crisis ticket's replies go to its
//!   requester alone: CCs get no copy.
//! - Consent in this crate is consent to keep personal details; it does
//!   not govern delivery (the requester's replies never asked for it), so
//!   CCs are reached on the same terms as the requester.
//! - A follower is an active agent paged ([`PageKind::FollowerUpdate`])
//!   on every new entry, public or internal, except their own, while
//!   they may still see the ticket: a follower whose
//!   [`Permission::ViewTickets`](crate::permission::Permission::ViewTickets)
//!   no longer reaches it (they left its team, lost a role, the ticket
//!   moved to another team) is told nothing, by the check
//!   [`Desk::ticket_view_as`] makes. The page names the ticket and the
//!   kind of entry, never its text.

#![allow(clippy::wildcard_imports)]

use super::decision::{message_of, salt};
use super::pages::Page;
use super::*;
use crate::template::TemplateName;
use std::collections::BTreeSet;

use crate::customer::Contact;
use crate::ticket::{Entry, EntryVisibility};

impl Desk {
    /// The copies of a public reply to the CCs of `t` (not to `sent_to`,
    /// who has the reply already), each the `i`th CC copy of the event.
    pub(super) fn copies_to_ccs(
        &self,
        t: &Ticket,
        customer: &Customer,
        entry: &Entry,
        sent_to: ContactId,
        event: crate::id::EventId,
        now: DateTime<Utc>,
    ) -> Vec<Event> {
        if self.is_crisis(t.id()) {
            return Vec::new();
        }
        t.ccs()
            .iter()
            .filter(|c| **c != sent_to)
            .filter_map(|c| customer.contact(*c))
            .filter(|c| c.erased().is_none())
            .filter_map(|c| self.route_cc(t, c, &entry.channel))
            .zip(0u64..)
            .map(|((channel, contact, address), i)| {
                delivery::outbox(
                    now,
                    OutboxEventKind::Queued {
                        message: OutboundMessage {
                            id: message_of(event, salt::CC.saturating_add(i)),
                            channel,
                            recipient: Recipient::Contact { contact, address },
                            body: entry.body.clone(),
                            ticket: Some(t.id()),
                            queued_at: now,
                            deliver_after: None,
                            attachments: entry.attachments.clone(),
                            automatic: false,
                        },
                    },
                )
            })
            .collect()
    }

    /// Where a CC gets a reply on `channel`: as the requester would, else
    /// on their first address that takes a queued message.
    fn route_cc(
        &self,
        t: &Ticket,
        c: &Contact,
        channel: &Channel,
    ) -> Option<(Channel, ContactId, ChannelAddress)> {
        self.route_to(t, c, channel).ok().or_else(|| {
            c.addresses().iter().find_map(|a| {
                let on = channels::channel_for(a);
                (!is_live(&on) && !self.is_down(on.kind()) && c.is_deliverable(a))
                    .then(|| (on, c.id(), a.clone()))
            })
        })
    }

    /// The pages telling the followers of `t` of a new entry: the active
    /// ones who may view `t`, other than its author.
    pub(super) fn pages_to_followers(
        &self,
        t: &Ticket,
        entry: &Entry,
        event: crate::id::EventId,
        now: DateTime<Utc>,
    ) -> Vec<Event> {
        let what = match (entry.author, entry.visibility) {
            (_, EntryVisibility::Internal) => TemplateName::FollowerNote,
            (Author::Contact(_), _) => TemplateName::FollowerMessage,
            (Author::Agent(_) | Author::System, _) => TemplateName::FollowerReply,
        };
        let facts = crate::permission::TicketFacts::new(
            t.customer(),
            t.requester(),
            t.assignee(),
            t.team(),
        );
        let body = self.text(what, &[("ticket", &t.id().to_string())]);
        t.followers()
            .iter()
            .filter(|a| entry.author != Author::Agent(**a))
            .filter(|a| self.agent(**a).is_some_and(Agent::is_active))
            // Internal notices are for those who may see the ticket: a
            // follower who lost its scope is told nothing.
            .filter(|a| {
                self.permits_facts(
                    &Actor::Agent(**a),
                    crate::permission::Permission::ViewTickets,
                    facts,
                )
            })
            .zip(0u64..)
            .map(|(agent, i)| {
                let page = Page {
                    id: message_of(event, salt::FOLLOWER.saturating_add(i)),
                    agent: *agent,
                    kind: PageKind::FollowerUpdate,
                    body: body.clone(),
                    ticket: Some(t.id()),
                };
                self.queue_page(page, now)
            })
            .collect()
    }

    /// The CCs of `t` a view shows: known contacts, not erased.
    pub(super) fn shown_ccs(&self, t: &Ticket) -> BTreeSet<ContactId> {
        let customer = self.customer(t.customer());
        t.ccs()
            .iter()
            .copied()
            .filter(|c| {
                customer
                    .and_then(|cu| cu.contact(*c))
                    .is_some_and(|c| c.erased().is_none())
            })
            .collect()
    }

    /// Splits entries of `ticket` off into `new_ticket` (see
    /// [`TicketAction::Split`]).
    pub(super) fn decide_split(
        &self,
        d: &mut Drafts,
        ticket: TicketId,
        new_ticket: TicketId,
        entries: &[u32],
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        let by = Self::acting_agent(d)?;
        let t = self.ticket_or_err(ticket)?;
        let crisis = self.state.crises.get(ticket);
        if crisis.is_some() && !self.is_safety_responder(by) {
            return Err(crate::crisis::CrisisError::SplitRestricted { agent: by, ticket }.into());
        }
        let split = t.split_off(new_ticket, entries, now)?;
        let stream = self.fresh(StreamId::Ticket(new_ticket))?;
        let mut opened = split.new;
        let mut spread = None;
        if let Some(r) = crisis {
            let new = Ticket::from_events(&opened).ok_or(DeskError::UnknownTicket(new_ticket))?;
            let takeover = self.crisis_takeover(&new, Some(by), now)?;
            opened.extend(takeover.events);
            let signal = crate::crisis::CrisisSignal {
                reason: format!("split from crisis ticket {ticket}: {}", r.signal.reason),
                matched: r.signal.matched.clone(),
            };
            spread = Some((signal, takeover.staffing));
        }
        let sla = crate::sla::react(None, &opened, t.customer(), &self.config.sla, now);
        self.push_ticket(d, t, split.source, now);
        d.push(stream, opened.into_iter().map(Event::Ticket));
        d.push(StreamId::Sla(new_ticket), sla.into_iter().map(Event::Sla));
        if let Some((signal, staffing)) = spread {
            self.push_crisis(d, new_ticket, signal, staffing, now);
        }
        Ok(())
    }
}
