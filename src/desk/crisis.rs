//! The desk and crisis: straight to a safety responder on duty, details
//! restricted. See [`crate::crisis`] for every path the words are kept
//! from.

use chrono::{DateTime, Utc};

use super::{Desk, Drafts, Page, PageKind};
use crate::actor::Actor;
use crate::agent::{Agent, Role};
use crate::crisis::{CrisisRecord, CrisisSignal};
use crate::error::Error;
use crate::event::{Event, StreamId};
use crate::id::{AgentId, TicketId};
use crate::template::TemplateName;
use crate::ticket::{Priority, Ticket, TicketCommand, TicketEvent};
use crate::view::AgentTicketView;

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

/// Who a crisis goes to, decided when it is flagged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Staffing {
    /// The responder named (assigned and paged).
    pub(super) responder: Option<AgentId>,
    /// When they come on duty, when nobody is on duty now.
    pub(super) on_duty_from: Option<DateTime<Utc>>,
    /// Who else is told at once.
    pub(super) told: Vec<AgentId>,
}

impl Staffing {
    /// A responder who is acting now (a responder merging, say).
    pub(super) fn acting(responder: AgentId) -> Self {
        Staffing {
            responder: Some(responder),
            on_duty_from: None,
            told: Vec::new(),
        }
    }
}

/// The ticket events that take a crisis to its responder, and who that is.
pub(super) struct Takeover {
    pub(super) events: Vec<TicketEvent>,
    pub(super) staffing: Staffing,
}

impl Desk {
    /// See [`TicketsView::is_crisis`].
    pub(crate) fn is_crisis(&self, ticket: TicketId) -> bool {
        self.state.crises.contains(ticket)
    }

    /// See [`TicketsView::unattended_crises`].
    pub(crate) fn unattended_crises(&self) -> Vec<TicketId> {
        self.state
            .crises
            .iter()
            .filter(|r| r.is_unattended())
            .map(|r| r.ticket)
            .collect()
    }

    /// A crisis ticket in full, with its record, for a safety responder.
    ///
    /// # Errors
    /// Unknown ticket or agent;
    /// [`PermissionError::Denied`](crate::permission::PermissionError::Denied)
    /// for anyone without
    /// [`Permission::ViewCrisisDetails`](crate::permission::Permission::ViewCrisisDetails)
    /// (by default, the safety responder role); a ticket that is not a crisis is simply
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
        self.safety_responder(viewer)?;
        let t = self.ticket_or_err(ticket)?;
        // Crisis details, and the ticket in the viewer's scope.
        self.check_permission(
            &Actor::Agent(viewer),
            crate::permission::Permission::ViewTickets,
            Some(ticket),
        )?;
        let mut view = AgentTicketView::from_ticket(t);
        view.ccs = self.shown_ccs(t);
        Ok(SafetyTicketView {
            ticket: view,
            record: self.state.crises.get(ticket).cloned(),
        })
    }

    /// Refuses a viewer who may not see crisis details (by default, who
    /// is not an active safety responder).
    pub(super) fn safety_responder(&self, viewer: AgentId) -> Result<(), Error> {
        self.check_permission(
            &Actor::Agent(viewer),
            crate::permission::Permission::ViewCrisisDetails,
            None,
        )
    }

    /// Whether `agent` is active and may see crisis details: a safety
    /// responder under the default table.
    pub(super) fn is_safety_responder(&self, agent: AgentId) -> bool {
        self.may(
            &Actor::Agent(agent),
            crate::permission::Permission::ViewCrisisDetails,
            None,
        )
    }

    /// Who a crisis flagged at `now` goes to: the least-loaded active
    /// safety responder on duty now; else the one next on duty (the least
    /// loaded among those who start first), with the safety lead told (or,
    /// without an active lead, the managers and executives); with no
    /// responder at all, those are told.
    fn staffing(&self, now: DateTime<Utc>) -> Staffing {
        let cfg = &self.config.crisis;
        let load = |a: &Agent| self.state.tickets.load(a.id());
        let responders = || {
            self.state
                .people
                .agents()
                .filter(|a| self.is_safety_responder(a.id()))
        };
        if let Some(a) = responders()
            .filter(|a| cfg.is_on_duty(a.id(), now))
            .min_by_key(|a| (load(a), a.id()))
        {
            return Staffing::acting(a.id());
        }
        let next = responders()
            .filter_map(|a| {
                cfg.on_duty_from(a.id(), now)
                    .map(|at| (at, load(a), a.id()))
            })
            .min();
        let lead = cfg
            .safety_lead
            .filter(|l| self.agent(*l).is_some_and(Agent::is_active));
        let told = match lead {
            Some(l) => vec![l],
            None => self
                .state
                .people
                .agents()
                .filter(|a| {
                    a.is_active() && (a.has_role(Role::Manager) || a.has_role(Role::Executive))
                })
                .map(Agent::id)
                .collect(),
        };
        Staffing {
            responder: next.map(|(_, _, id)| id),
            on_duty_from: next.map(|(at, _, _)| at),
            told,
        }
    }

    /// The ticket events that take a crisis straight to a responder:
    /// assigned to them (bypassing routing) and urgent. `t` is the ticket
    /// as it will be after the events already decided; `acting` is a
    /// safety responder doing it themselves (they take it), else the
    /// desk decides who is on duty.
    pub(super) fn crisis_takeover(
        &self,
        t: &Ticket,
        acting: Option<AgentId>,
        now: DateTime<Utc>,
    ) -> Result<Takeover, Error> {
        let staffing = match acting {
            Some(a) => Staffing::acting(a),
            None => self.staffing(now),
        };
        let mut t = t.clone();
        let mut events = Vec::new();
        let mut cmds = vec![TicketCommand::SetPriority(Priority::Urgent)];
        if let Some(r) = staffing.responder.filter(|r| t.assignee() != Some(*r)) {
            cmds.insert(0, TicketCommand::Assign(Some(r)));
        }
        for cmd in cmds {
            let more = t.handle_with(cmd, &self.config.ticket_rules, now)?;
            for e in &more {
                t.apply(e);
            }
            events.extend(more);
        }
        Ok(Takeover { events, staffing })
    }

    /// Records the crisis (restricted stream) and pages the responder and
    /// whoever else must be told. No page carries the ticket's words.
    pub(super) fn push_crisis(
        &self,
        d: &mut Drafts,
        ticket: TicketId,
        signal: CrisisSignal,
        staffing: Staffing,
        now: DateTime<Utc>,
    ) {
        let stream = StreamId::Crisis;
        let Staffing {
            responder,
            on_duty_from,
            told,
        } = staffing;
        let mut pages = Vec::new();
        let ticket_text = ticket.to_string();
        if let Some(r) = responder {
            let body = match on_duty_from {
                None => self.text(TemplateName::CrisisResponder, &[("ticket", &ticket_text)]),
                Some(at) => self.text(
                    TemplateName::CrisisResponderNext,
                    &[("ticket", &ticket_text), ("at", &at.to_string())],
                ),
            };
            pages.push((r, body));
        }
        let told_body = match (responder, on_duty_from) {
            (Some(r), Some(at)) => self.text(
                TemplateName::CrisisOffDuty,
                &[
                    ("ticket", &ticket_text),
                    ("responder", &self.state.people.name_of(r)),
                    ("at", &at.to_string()),
                ],
            ),
            _ => self.text(TemplateName::CrisisNobody, &[("ticket", &ticket_text)]),
        };
        for a in told.iter().filter(|a| Some(**a) != responder) {
            pages.push((*a, told_body.clone()));
        }
        let messages: Vec<_> = pages
            .into_iter()
            .zip(0u64..)
            .map(|((agent, body), i)| {
                let page = Page {
                    id: d.message_id(self, &stream, 1, i),
                    agent,
                    kind: PageKind::Crisis,
                    body,
                    ticket: Some(ticket),
                };
                self.queue_page(page, now)
            })
            .collect();
        d.push_outbox(messages);
        let mut record = CrisisRecord::new(ticket, signal, responder, now);
        record.on_duty_from = on_duty_from;
        record.told = told;
        let events = self.state.crises.flag(record);
        d.push(stream, events.into_iter().map(Event::Crisis));
    }
}
