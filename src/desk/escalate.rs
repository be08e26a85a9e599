//! The desk and escalation graphs: who a node's people are, escalating a
//! ticket with a hand-off and notifications, and simulating who is told
//! what, and when.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use super::{Command, Decision, Desk, TicketAction};
use crate::actor::Actor;
use crate::agent::Agent;
use crate::error::Error;
use crate::escalation::{EscalationGraph, Facts, NodeKind, SlaLevel};
use crate::event::{Event, StreamId};
use crate::id::{AgentId, TicketId};
use crate::sla::SlaEventKind;
use crate::store::RecordedEvent;
use crate::template::TemplateName;
use crate::ticket::OpenTicket;

/// Where a ticket should go, decided from a graph.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Escalation {
    /// The owning node's key.
    pub owner: String,
    /// The owning node's name (the department the ticket goes to).
    pub department: String,
    /// One line per hop.
    pub path: Vec<String>,
    /// Why, in one line for the hand-off ([`super::Command::escalate`]):
    /// the hops joined by `"; "`, or, when the start owns the ticket, that
    /// it does ([`TemplateName::EscalationOwner`], in the desk's default
    /// locale).
    pub reason: String,
    /// What must travel with it.
    pub context: Vec<String>,
    /// The people at the owning node.
    pub people: Vec<AgentId>,
}

/// Something the simulation says will happen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Notice {
    /// When.
    pub at: DateTime<Utc>,
    /// What happened ("opened", "first_response warned at 75%",
    /// "resolution breached"), in the desk's default locale
    /// ([`TemplateName::EscalationOpened`], `EscalationWarned`,
    /// `EscalationBreached`).
    pub trigger: String,
    /// Which node owns the ticket then.
    pub owner: String,
    /// Who is told.
    pub people: Vec<AgentId>,
    /// Why, one line per hop.
    pub path: Vec<String>,
}

impl Desk {
    /// See [`PeopleView::people_at`].
    pub(crate) fn people_at(&self, kind: &NodeKind) -> Vec<AgentId> {
        let active = |a: &&Agent| a.is_active();
        match kind {
            NodeKind::Person(id) => self
                .agent(*id)
                .filter(active)
                .map(|a| vec![a.id()])
                .unwrap_or_default(),
            NodeKind::Role(role) => self
                .agents()
                .filter(active)
                .filter(|a| a.has_role(role.clone()))
                .map(Agent::id)
                .collect(),
            NodeKind::Team(Some(team)) => self
                .team(*team)
                .map(|t| {
                    t.members()
                        .iter()
                        .copied()
                        .filter(|m| self.agent(*m).is_some_and(Agent::is_active))
                        .collect()
                })
                .unwrap_or_default(),
            NodeKind::Team(None) | NodeKind::Tier => Vec::new(),
        }
    }

    /// See [`PeopleView::staff_count`].
    pub(crate) fn staff_count(&self, kind: &NodeKind) -> Option<usize> {
        match kind {
            NodeKind::Team(None) | NodeKind::Tier => None,
            k => Some(self.people_at(k).len()),
        }
    }

    /// See [`TicketsView::escalation`].
    pub(crate) fn escalation(
        &self,
        ticket: TicketId,
        graph: &EscalationGraph,
        start: &str,
        facts: &Facts,
        now: DateTime<Utc>,
    ) -> Result<Escalation, Error> {
        let t = self.ticket_or_err(ticket)?;
        // Facts without field values take the ticket's.
        let filled;
        let facts = if facts.fields.is_empty() && !t.fields().is_empty() {
            filled = facts.clone().with_fields(t.fields().clone());
            &filled
        } else {
            facts
        };
        let path = graph.resolve(start, facts, now)?;
        let owner = path.owner_node();
        let hops = path.explain();
        let reason = if hops.is_empty() {
            self.text(
                TemplateName::EscalationOwner,
                &[("department", &owner.name)],
            )
        } else {
            hops.join("; ")
        };
        Ok(Escalation {
            owner: owner.key.clone(),
            department: owner.name.clone(),
            path: hops,
            reason,
            context: path.context().into_iter().map(str::to_owned).collect(),
            people: self.people_at(&owner.kind),
        })
    }

    /// See [`TicketsView::simulate_escalation`].
    pub(crate) fn simulate_escalation(
        &self,
        graph: &EscalationGraph,
        start: &str,
        open: OpenTicket,
        facts: Facts,
        at: DateTime<Utc>,
        hours: i64,
    ) -> Result<Vec<Notice>, Error> {
        let mut sim = self.clone();
        let ticket = open.id;
        let decision = sim.decide(
            Command::new(Actor::integration("simulation"), TicketAction::Open(open)),
            at,
        )?;
        sim.commit_unpersisted(&decision)?;
        let mut facts = Facts {
            last_update: at,
            ..facts
        };
        let mut notices = Vec::new();
        let notice = |sim: &Desk, facts: &Facts, when, trigger: String| -> Result<Notice, Error> {
            let e = sim.escalation(ticket, graph, start, facts, when)?;
            Ok(Notice {
                at: when,
                trigger,
                owner: e.owner,
                people: e.people,
                path: e.path,
            })
        };
        let opened = self.text(TemplateName::EscalationOpened, &[]);
        notices.push(notice(&sim, &facts, at, opened)?);
        let end = crate::time::plus(at, Duration::try_hours(hours).unwrap_or(Duration::MAX));
        while let Some(next) = sim.poll_timeout().filter(|t| *t <= end) {
            let decision = sim.decide_timeouts(next);
            if decision.is_empty() {
                break;
            }
            for w in decision
                .writes()
                .iter()
                .filter(|w| w.stream == StreamId::Sla(ticket))
            {
                for e in &w.events {
                    let Event::Sla(e) = &e.event else { continue };
                    let (metric, level, trigger) = match &e.kind {
                        SlaEventKind::Warned { key, percent, .. } => (
                            key.metric,
                            SlaLevel::Warned,
                            self.text(
                                TemplateName::EscalationWarned,
                                &[
                                    ("metric", &key.metric.to_string()),
                                    ("percent", &percent.to_string()),
                                ],
                            ),
                        ),
                        SlaEventKind::Breached { key, .. } => (
                            key.metric,
                            SlaLevel::Breached,
                            self.text(
                                TemplateName::EscalationBreached,
                                &[("metric", &key.metric.to_string())],
                            ),
                        ),
                        _ => continue,
                    };
                    facts = facts.with_sla(metric, level);
                    notices.push(notice(&sim, &facts, next, trigger)?);
                }
            }
            sim.commit_unpersisted(&decision)?;
        }
        Ok(notices)
    }

    /// Applies a decision as if a store had accepted it (for simulations
    /// on a copy of the desk).
    fn commit_unpersisted(&mut self, decision: &Decision) -> Result<(), Error> {
        let mut position = self.position();
        let mut recorded = Vec::new();
        for w in decision.writes() {
            let base = self.version(&w.stream);
            for (version, e) in (base + 1..).zip(&w.events) {
                position += 1;
                recorded.push(RecordedEvent {
                    id: e.id,
                    stream: w.stream,
                    version,
                    position,
                    schema: e.schema,
                    actor: e.actor.clone(),
                    command: e.command.clone(),
                    event: e.event.clone(),
                });
            }
        }
        self.apply(&recorded)
    }
}
