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
    /// "resolution breached").
    pub trigger: String,
    /// Which node owns the ticket then.
    pub owner: String,
    /// Who is told.
    pub people: Vec<AgentId>,
    /// Why, one line per hop.
    pub path: Vec<String>,
}

impl Desk {
    /// The active people at a node: the person; everyone holding the role;
    /// the members of the desk team. Unbound teams and tiers have nobody
    /// the desk knows of.
    #[must_use]
    pub fn people_at(&self, kind: &NodeKind) -> Vec<AgentId> {
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
                .filter(|a| a.has_role(*role))
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

    /// How many people can take tickets at a node (`None` for unbound
    /// teams and tiers): pass to `EscalationGraphBuilder::build_staffed`.
    #[must_use]
    pub fn staff_count(&self, kind: &NodeKind) -> Option<usize> {
        match kind {
            NodeKind::Team(None) | NodeKind::Tier => None,
            k => Some(self.people_at(k).len()),
        }
    }

    /// Where a ticket with `facts` goes from `start`, and who is there.
    ///
    /// # Errors
    /// Unknown ticket; escalation errors (unknown start, stranded route).
    ///
    /// ```
    /// # use chrono::{Duration, TimeZone, Utc};
    /// # use fanatical::prelude::*;
    /// # let now = Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap();
    /// # let (mut ids, mut store) = (IdGenerator::from_seed(1), MemoryStore::new());
    /// # let mut desk = Desk::new(DeskConfig::default());
    /// # let (acme, jane, ana, ticket): (CustomerId, ContactId, AgentId, TicketId) =
    /// #     (ids.next_id(), ids.next_id(), ids.next_id(), ids.next_id());
    /// # let email = ChannelAddress::email("jane@acme.example")?;
    /// # for cmd in [
    /// #     Command::new(Actor::integration("setup"), CustomerAction::Register { id: acme, organisation: "Acme".into() }),
    /// #     Command::new(Actor::integration("setup"), CustomerAction::Update { customer: acme, command: CustomerCommand::AddContact {
    /// #         contact: jane, name: "Jane".into(), addresses: vec![email.clone()] } }),
    /// #     Command::new(Actor::integration("setup"), PeopleAction::RegisterAgent { id: ana, name: "Ana".into(), time_zone: chrono_tz::America::Chicago,
    /// #         roles: vec![Role::Agent], skills: vec![] }),
    /// #     Command::new(Actor::integration("inbound"), TicketAction::Receive(InboundMessage::new(ticket, Channel::Email, email.clone(), "Site down"))),
    /// # ] { desk.execute(&mut store, cmd, now)?; }
    /// use fanatical::escalation::{default_graph, Facts, SlaLevel};
    /// use fanatical::sla::Metric;
    /// let graph = default_graph()?;
    /// let facts = Facts::new(Priority::Normal, now).with_sla(Metric::FirstResponse, SlaLevel::Breached);
    /// let e = desk.escalation(ticket, &graph, "front_line", &facts, now)?;
    /// assert_eq!(e.owner, "tier2");
    /// assert!(e.path[0].contains("an SLA was breached"));
    /// // Carry it out: a hand-off that keeps the conversation, and pages.
    /// desk.execute(&mut store, Desk::escalate_command(ticket, ana, &e), now)?;
    /// assert_eq!(desk.ticket(ticket).unwrap().department(), Some("Tier 2 engineering"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn escalation(
        &self,
        ticket: TicketId,
        graph: &EscalationGraph,
        start: &str,
        facts: &Facts,
        now: DateTime<Utc>,
    ) -> Result<Escalation, Error> {
        self.ticket_or_err(ticket)?;
        let path = graph.resolve(start, facts, now)?;
        let owner = path.owner_node();
        Ok(Escalation {
            owner: owner.key.clone(),
            department: owner.name.clone(),
            path: path.explain(),
            context: path.context().into_iter().map(str::to_owned).collect(),
            people: self.people_at(&owner.kind),
        })
    }

    /// The command that carries out an escalation: a hand-off to the
    /// owner's department (an internal note keeps why and what travels)
    /// and a notification to each person there.
    #[must_use]
    pub fn escalate_command(ticket: TicketId, by: AgentId, e: &Escalation) -> Command {
        Command::new(
            Actor::Agent(by),
            TicketAction::Escalate {
                ticket,
                department: e.department.clone(),
                reason: if e.path.is_empty() {
                    format!("{} owns it", e.department)
                } else {
                    e.path.join("; ")
                },
                context: e.context.clone(),
                notify: e.people.clone(),
            },
        )
    }

    /// Simulates a ticket opened at `at` with `facts`: who is told what,
    /// and when, over the next `hours`, as its SLA timers warn and breach
    /// on their calendars (nights and holidays included). Runs on a copy:
    /// the desk itself does not change.
    ///
    /// # Errors
    /// Any error opening the ticket or resolving the graph.
    ///
    /// ```
    /// # use chrono::{Duration, TimeZone, Utc};
    /// # use fanatical::prelude::*;
    /// # let now = Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap();
    /// # let (mut ids, mut store) = (IdGenerator::from_seed(1), MemoryStore::new());
    /// # let mut desk = Desk::new(DeskConfig::default());
    /// # let (acme, jane, ana, ticket): (CustomerId, ContactId, AgentId, TicketId) =
    /// #     (ids.next_id(), ids.next_id(), ids.next_id(), ids.next_id());
    /// # let email = ChannelAddress::email("jane@acme.example")?;
    /// # for cmd in [
    /// #     Command::new(Actor::integration("setup"), CustomerAction::Register { id: acme, organisation: "Acme".into() }),
    /// #     Command::new(Actor::integration("setup"), CustomerAction::Update { customer: acme, command: CustomerCommand::AddContact {
    /// #         contact: jane, name: "Jane".into(), addresses: vec![email.clone()] } }),
    /// #     Command::new(Actor::integration("setup"), PeopleAction::RegisterAgent { id: ana, name: "Ana".into(), time_zone: chrono_tz::America::Chicago,
    /// #         roles: vec![Role::Agent], skills: vec![] }),
    /// #     Command::new(Actor::integration("inbound"), TicketAction::Receive(InboundMessage::new(ticket, Channel::Email, email.clone(), "Site down"))),
    /// # ] { desk.execute(&mut store, cmd, now)?; }
    /// use fanatical::escalation::{default_graph, Facts};
    /// use fanatical::ticket::OpenTicket;
    /// let graph = default_graph()?;
    /// let what_if: TicketId = ids.next_id();
    /// let open = OpenTicket::new(what_if, acme, "Disk full", Channel::Email).requested_by(jane);
    /// let notices = desk.simulate_escalation(&graph, "front_line", open, Facts::new(Priority::Normal, now), now, 24)?;
    /// assert_eq!((notices[0].trigger.as_str(), notices[0].owner.as_str()), ("opened", "front_line"));
    /// assert!(desk.ticket(what_if).is_none(), "a simulation changes nothing");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn simulate_escalation(
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
        notices.push(notice(&sim, &facts, at, "opened".to_owned())?);
        let end = at + Duration::hours(hours);
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
                            format!("{} warned at {percent}%", key.metric),
                        ),
                        SlaEventKind::Breached { key, .. } => (
                            key.metric,
                            SlaLevel::Breached,
                            format!("{} breached", key.metric),
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
