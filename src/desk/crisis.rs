//! The desk and crisis: straight to a safety responder, details restricted.

use chrono::{DateTime, Utc};

use super::decision::salt;
use super::{Desk, Drafts, outbox};
use crate::agent::Role;
use crate::channel::Channel;
use crate::crisis::{CrisisRecord, CrisisSignal};
use crate::error::Error;
use crate::event::{Event, StreamId};
use crate::id::{AgentId, TicketId};
use crate::outbox::{OutboundMessage, OutboxEventKind, Recipient};
use crate::ticket::{Priority, Ticket, TicketCommand, TicketEvent};
use crate::view::{AgentTicketView, ViewError};

/// A crisis ticket in full, for a safety responder: see
/// [`Desk::safety_ticket_view`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SafetyTicketView {
    /// The ticket with its whole conversation, crisis messages included.
    pub ticket: AgentTicketView,
    /// Why it was flagged and who it went to (none when the ticket is not
    /// a crisis).
    pub record: Option<CrisisRecord>,
}

/// What replaces a crisis conversation for anyone but the safety role.
pub const RESTRICTED: &str = "[restricted: a safety responder is handling this conversation]";

impl Desk {
    /// See [`TicketsView::is_crisis`].
    pub(crate) fn is_crisis(&self, ticket: TicketId) -> bool {
        self.state.crises.contains(ticket)
    }

    /// A crisis ticket in full, with its record, for a safety responder.
    ///
    /// # Errors
    /// Unknown ticket or agent; [`ViewError::Forbidden`] for anyone without
    /// the safety responder role; a ticket that is not a crisis is simply
    /// returned with no record.
    ///
    /// ```
    /// # use chrono::{Duration, TimeZone, Utc};
    /// # use fanatical::prelude::*;
    /// # let fanatical::desk::fixture::Fixture { mut desk, mut store, mut ids, now, acme, jane, ana, ticket, email } =
    /// #     fanatical::desk::fixture::fixture()?;
    /// let sam: AgentId = ids.next_id();
    /// desk.execute(&mut store, Command::new(Actor::integration("setup"), PeopleAction::RegisterAgent { id: sam, name: "Sam".into(),
    ///     time_zone: chrono_tz::America::Chicago, roles: vec![Role::SafetyResponder], skills: vec![] }), now)?;
    /// let t: TicketId = ids.next_id();
    /// desk.execute(&mut store, Command::new(Actor::integration("inbound"), TicketAction::Receive(InboundMessage::new(
    ///     t, Channel::Email, email.clone(), "Everything failed and I want to end my life"))), now)?;
    /// assert_eq!(desk.tickets().get(t).unwrap().assignee(), Some(sam)); // straight to the responder
    /// let full = desk.safety_ticket_view(t, sam)?;
    /// assert!(full.ticket.conversation[0].body.contains("end my life") && full.record.is_some());
    /// assert!(desk.safety_ticket_view(t, ana).is_err()); // nobody else
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn safety_ticket_view(
        &self,
        ticket: TicketId,
        viewer: AgentId,
    ) -> Result<SafetyTicketView, Error> {
        let a = self.active_agent(viewer)?;
        if !a.has_role(Role::SafetyResponder) {
            return Err(ViewError::Forbidden {
                agent: viewer,
                what: "crisis details",
                needed: "safety responder",
            }
            .into());
        }
        let t = self.ticket_or_err(ticket)?;
        Ok(SafetyTicketView {
            ticket: AgentTicketView::from_ticket(t),
            record: self.state.crises.get(ticket).cloned(),
        })
    }

    /// The least-loaded active safety responder.
    fn safety_responder(&self) -> Option<AgentId> {
        self.state
            .people
            .agents()
            .filter(|a| a.is_active() && a.has_role(Role::SafetyResponder))
            .min_by_key(|a| (self.state.tickets.load(a.id()), a.id()))
            .map(|a| a.id())
    }

    /// The ticket events that take a crisis straight to a responder:
    /// assigned to them (bypassing routing) and urgent. `t` is the ticket
    /// as it will be after the events already decided.
    pub(super) fn crisis_takeover(
        &self,
        t: &Ticket,
        now: DateTime<Utc>,
    ) -> Result<(Vec<TicketEvent>, Option<AgentId>), Error> {
        let responder = self.safety_responder();
        let mut t = t.clone();
        let mut out = Vec::new();
        let mut cmds = vec![TicketCommand::SetPriority(Priority::Urgent)];
        if let Some(r) = responder {
            cmds.insert(0, TicketCommand::Assign(Some(r)));
        }
        for cmd in cmds {
            let events = t.handle_with(cmd, &self.config.ticket_rules, now)?;
            for e in &events {
                t.apply(e);
            }
            out.extend(events);
        }
        Ok((out, responder))
    }

    /// Records the crisis (restricted stream) and pages the responder.
    pub(super) fn push_crisis(
        &self,
        d: &mut Drafts,
        ticket: TicketId,
        signal: CrisisSignal,
        responder: Option<AgentId>,
        now: DateTime<Utc>,
    ) {
        let stream = StreamId::Crisis;
        if let Some(r) = responder {
            let message = OutboundMessage {
                id: d.message_id(self, &stream, 1, salt::MESSAGE),
                channel: Channel::Chat,
                recipient: Recipient::Agent { agent: r },
                body: format!(
                    "A person may be at risk: ticket {ticket} is yours now. Open it in the safety view."
                ),
                ticket: Some(ticket),
                queued_at: now,
            };
            d.push(
                StreamId::Outbox,
                [outbox(now, OutboxEventKind::Queued { message })],
            );
        }
        let events = self.state.crises.flag(ticket, signal, responder, now);
        d.push(stream, events.into_iter().map(Event::Crisis));
    }
}
