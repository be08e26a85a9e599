//! Automatic assignment through the desk: a ticket arriving on a
//! configured channel (or placed in a configured team) is assigned in the
//! same decision, by the desk's rule; one nobody can take waits, with the
//! reason and a timer for when someone with room comes on duty; an agent's
//! tickets move when they become absent or leave.
//!
//! The rotation cursor of each pool (see [`crate::assignment::choose`]) is
//! derived from the record: it is the agent of the last `Assigned` event
//! in the pool recorded by `Actor::System(Cause::Rule("auto-assign"))`.
//! A rebuild folds the same events and a snapshot carries the cursors, so
//! both take the same turn next.
//!
//! An absence that has begun when it is recorded moves the agent's tickets
//! in that command's decision; one that begins later moves them when its
//! timer falls due. Either way the desk records
//! [`AgentEventKind::AbsenceBegan`] once per absence, which is how it knows
//! which absences it has handled. Deactivating an agent moves their
//! tickets in the same decision.

#![allow(clippy::wildcard_imports)]

use std::collections::BTreeSet;

use super::*;
use crate::agent::Absence;
use crate::assignment::{AUTO_ASSIGN, Candidate, Choice, Pool, WaitReason, Waiting, choose};

/// What the desk keeps about automatic assignment: a fold of the record.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Assignments {
    /// Per pool, the agent last auto-assigned there.
    #[serde(
        default,
        skip_serializing_if = "BTreeMap::is_empty",
        with = "super::snapshot::pairs"
    )]
    cursors: BTreeMap<Pool, AgentId>,
    /// The tickets waiting for an agent.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    waiting: BTreeMap<TicketId, Waiting>,
    /// Per agent, the first instant of the last absence whose beginning
    /// the desk handled.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    began: BTreeMap<AgentId, DateTime<Utc>>,
}

/// A ticket waiting for an agent, as [`TicketsView::unassigned`] lists it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Unassigned<'a> {
    /// The ticket.
    pub ticket: TicketId,
    /// Why nobody took it.
    pub reason: &'a WaitReason,
    /// When someone with the skills and room comes on duty, and the desk
    /// tries again (`None`: nobody foresees when).
    pub until: Option<DateTime<Utc>>,
}

impl Assignments {
    pub(super) fn is_empty(&self) -> bool {
        self.cursors.is_empty() && self.waiting.is_empty() && self.began.is_empty()
    }

    /// The rotation cursor of a pool.
    pub(super) fn cursor(&self, pool: Pool) -> Option<AgentId> {
        self.cursors.get(&pool).copied()
    }

    /// The waiting tickets, by when they are tried again (never last),
    /// then id.
    pub(super) fn unassigned(&self) -> Vec<Unassigned<'_>> {
        let mut list: Vec<Unassigned<'_>> = self
            .waiting
            .iter()
            .map(|(t, w)| Unassigned {
                ticket: *t,
                reason: &w.reason,
                until: w.until,
            })
            .collect();
        list.sort_by_key(|u| (u.until.is_none(), u.until, u.ticket));
        list
    }

    pub(super) fn waiting(&self) -> impl Iterator<Item = (TicketId, &Waiting)> {
        self.waiting.iter().map(|(t, w)| (*t, w))
    }
}

/// A ticket leaving an agent's load: whose, where it went, its channel.
#[derive(Debug, Clone, Copy)]
pub(super) struct Freed {
    from: AgentId,
    to: Option<AgentId>,
    kind: ChannelKind,
}

/// The rule's actor.
fn rule() -> Cause {
    Cause::Rule(AUTO_ASSIGN.to_owned())
}

/// Whether a recorded event is by the assignment rule.
fn by_rule(actor: Option<&Actor>) -> bool {
    matches!(actor, Some(Actor::System(Cause::Rule(name))) if name == AUTO_ASSIGN)
}

/// The pool a ticket is assigned in.
fn pool_of(t: &Ticket) -> Pool {
    Pool {
        channel: t.channel().kind(),
        team: t.team(),
    }
}

/// One decision's view of loads and cursors: what it has assigned so far
/// counts before it is recorded.
pub(super) struct Round<'a> {
    desk: &'a Desk,
    added: BTreeMap<(AgentId, ChannelKind), u32>,
    /// Tickets this decision took from agents.
    taken: BTreeMap<(AgentId, ChannelKind), u32>,
    cursors: BTreeMap<Pool, AgentId>,
    excluded: BTreeSet<AgentId>,
    /// Absences decided in this decision, not yet on the agents' record.
    away: BTreeMap<AgentId, Absence>,
}

impl<'a> Round<'a> {
    pub(super) fn new(desk: &'a Desk) -> Self {
        Round {
            desk,
            added: BTreeMap::new(),
            taken: BTreeMap::new(),
            cursors: BTreeMap::new(),
            excluded: BTreeSet::new(),
            away: BTreeMap::new(),
        }
    }

    /// Who takes `t` now, or why nobody does; an assignment counts in
    /// this round's loads and moves its cursor.
    fn pick(&mut self, t: &Ticket, now: DateTime<Utc>) -> Choice {
        let desk = self.desk;
        let config = &desk.config.assignment;
        let pool = pool_of(t);
        let skills = config.field_skills.skills_for(t.fields());
        let members = pool
            .team
            .and_then(|team| desk.team(team))
            .map(|team| team.members().clone());
        let candidates: Vec<Candidate> = desk
            .state
            .people
            .agents()
            .filter(|a| a.is_active() && !self.excluded.contains(&a.id()))
            .filter(|a| members.as_ref().is_none_or(|m| m.contains(&a.id())))
            .filter(|a| skills.iter().all(|s| a.has_skill(s)))
            .map(|a| {
                let schedule = match self.away.get(&a.id()) {
                    Some(x) => std::borrow::Cow::Owned(a.schedule().clone().with_absence(*x)),
                    None => std::borrow::Cow::Borrowed(a.schedule()),
                };
                let unavailable = schedule.unavailable(now);
                let key = (a.id(), pool.channel);
                let added = self.added.get(&key).copied().unwrap_or(0);
                let taken = self.taken.get(&key).copied().unwrap_or(0);
                Candidate {
                    agent: a.id(),
                    load: desk
                        .state
                        .tickets
                        .channel_load(a.id(), pool.channel)
                        .saturating_add(added)
                        .saturating_sub(taken),
                    capacity: config.capacity_of(pool.channel),
                    unavailable,
                    next_available: unavailable.and_then(|_| schedule.next_available(now)),
                }
            })
            .collect();
        let cursor = self
            .cursors
            .get(&pool)
            .copied()
            .or_else(|| desk.state.assignments.cursor(pool));
        let choice = choose(&candidates, &skills, cursor);
        match &choice {
            Choice::Assign(agent) => {
                let n = self.added.entry((*agent, pool.channel)).or_default();
                *n = n.saturating_add(1);
                self.cursors.insert(pool, *agent);
            }
            Choice::Wait(_) => {}
        }
        choice
    }

    /// The events assigning `t` (as it stands) now, or recording why it
    /// waits: an `Assigned` (and the status it moves to), or, for an
    /// assigned ticket nobody else can take, `Assigned { agent: None }`
    /// and `AwaitingAgent`.
    pub(super) fn events(&mut self, t: &Ticket, now: DateTime<Utc>) -> Vec<TicketEvent> {
        let rules = &self.desk.config.ticket_rules;
        match self.pick(t, now) {
            Choice::Assign(agent) => t
                .handle_with(TicketCommand::Assign(Some(agent)), rules, now)
                .unwrap_or_default(),
            Choice::Wait(Waiting { reason, until }) => {
                let mut events = if t.assignee().is_some() {
                    t.handle_with(TicketCommand::Assign(None), rules, now)
                        .unwrap_or_default()
                } else {
                    Vec::new()
                };
                // Never wake at or before now: nothing would have changed.
                let until = until.filter(|u| *u > now);
                let same = self
                    .desk
                    .state
                    .assignments
                    .waiting
                    .get(&t.id())
                    .is_some_and(|w| w.reason == reason && w.until == until);
                if !same || !events.is_empty() {
                    events.push(TicketEvent {
                        at: now,
                        kind: TicketEventKind::AwaitingAgent { reason, until },
                    });
                }
                events
            }
        }
    }
}

impl Desk {
    /// The assignment rule's events for a ticket just opened with
    /// `events`: none when the ticket is not auto-assigned.
    pub(super) fn assign_on_arrival(
        &self,
        events: &[TicketEvent],
        now: DateTime<Utc>,
    ) -> Vec<TicketEvent> {
        let config = &self.config.assignment;
        if config.is_off() {
            return Vec::new();
        }
        let Some(t) = Ticket::from_events(events) else {
            return Vec::new();
        };
        if t.assignee().is_some()
            || !t.status().is_unsolved()
            || !config.covers(t.channel().kind(), t.team())
        {
            return Vec::new();
        }
        Round::new(self).events(&t, now)
    }

    /// For a ticket change that placed an unassigned ticket in an
    /// auto-assigned team: the rule's events, decided on the ticket as the
    /// change leaves it.
    pub(super) fn assign_on_team(
        &self,
        t: &Ticket,
        events: &[TicketEvent],
        now: DateTime<Utc>,
    ) -> Vec<TicketEvent> {
        let config = &self.config.assignment;
        let placed = events.iter().any(|e| {
            matches!(e.kind, TicketEventKind::TeamSet { team: Some(team) } if config.teams.contains(&team))
        });
        if !placed || self.is_crisis(t.id()) {
            return Vec::new();
        }
        let mut after = t.clone();
        for e in events {
            after.apply(e);
        }
        if after.assignee().is_some() || !after.status().is_unsolved() {
            return Vec::new();
        }
        Round::new(self).events(&after, now)
    }

    /// For a change to `t` (its `events`, then the rule's `ruled`) that
    /// takes a ticket out of an agent's load: what the round after it
    /// starts from (the place it freed, and where the ticket went).
    pub(super) fn freed_by(
        &self,
        t: &Ticket,
        events: &[TicketEvent],
        ruled: &[TicketEvent],
    ) -> Option<Freed> {
        if self.config.assignment.is_off() || self.state.assignments.waiting.is_empty() {
            return None;
        }
        let had = t.assignee().filter(|_| t.status().is_unsolved())?;
        let mut after = t.clone();
        for e in events.iter().chain(ruled) {
            after.apply(e);
        }
        let has = after.assignee().filter(|_| after.status().is_unsolved());
        (has != Some(had)).then_some(Freed {
            from: had,
            to: has,
            kind: t.channel().kind(),
        })
    }

    /// After a ticket left an agent's load: the first ticket of the
    /// channel waiting because everyone was at capacity (in the
    /// unassigned listing's order) that someone can take now is assigned,
    /// by the rule, in the same decision.
    pub(super) fn assign_freed(
        &self,
        d: &mut Drafts,
        changed: TicketId,
        freed: Freed,
        now: DateTime<Utc>,
    ) {
        let start = || {
            let mut round = Round::new(self);
            round.taken.insert((freed.from, freed.kind), 1);
            if let Some(to) = freed.to {
                round.added.insert((to, freed.kind), 1);
            }
            round
        };
        for u in self.state.assignments.unassigned() {
            if u.ticket == changed || *u.reason != WaitReason::AtCapacity {
                continue;
            }
            let Some(t) = self.state.tickets.get(u.ticket) else {
                continue;
            };
            // A crisis is a safety responder's, never the rule's.
            if t.channel().kind() != freed.kind || t.assignee().is_some() || self.is_crisis(t.id())
            {
                continue;
            }
            if let Choice::Assign(_) = start().pick(t, now) {
                // The same pick again, for its events.
                let events = start().events(t, now);
                self.push_ticket_ruled(d, t, Vec::new(), events, now);
                return;
            }
        }
    }

    /// Pushes events by the assignment rule, then goes back to the
    /// command's actor.
    pub(super) fn push_by_rule(d: &mut Drafts, stream: StreamId, events: Vec<Event>) {
        if events.is_empty() {
            return;
        }
        let stamp = d.stamp.clone();
        d.act_for(rule());
        d.push(stream, events);
        d.stamp = stamp;
    }

    /// Moves `agent`'s auto-assigned tickets to others (or back to
    /// waiting), by the rule: they are absent from now (their record says
    /// so, or `round` has the absence), or left (`round` excludes them).
    pub(super) fn move_tickets_of(
        &self,
        d: &mut Drafts,
        round: &mut Round<'_>,
        agent: AgentId,
        now: DateTime<Utc>,
    ) {
        let config = &self.config.assignment;
        for id in self.state.tickets.assigned_to(agent) {
            let Some(t) = self.state.tickets.get(id) else {
                continue;
            };
            if !config.covers(t.channel().kind(), t.team()) || self.is_crisis(id) {
                continue;
            }
            // The ticket leaves them whoever takes it.
            let n = round.taken.entry((agent, t.channel().kind())).or_default();
            *n = n.saturating_add(1);
            let events = round.events(t, now);
            self.push_ticket_ruled(d, t, Vec::new(), events, now);
        }
    }

    /// In an agent command's decision: a deactivation, or an absence that
    /// has begun, moves the agent's tickets (and the absence is recorded
    /// as begun).
    pub(super) fn assignment_after_agent_command(
        &self,
        d: &mut Drafts,
        agent: AgentId,
        command: &AgentCommand,
        now: DateTime<Utc>,
    ) {
        if self.config.assignment.is_off() {
            return;
        }
        match command {
            AgentCommand::Deactivate => {
                let mut round = Round::new(self);
                round.excluded.insert(agent);
                self.move_tickets_of(d, &mut round, agent, now);
            }
            AgentCommand::AddAbsence(absence @ Absence { from, until })
                if *from <= now && now < *until =>
            {
                Self::push_by_rule(
                    d,
                    StreamId::Agent(agent),
                    vec![Event::Agent(crate::agent::AgentEvent {
                        at: now,
                        kind: AgentEventKind::AbsenceBegan { from: *from },
                    })],
                );
                let mut round = Round::new(self);
                round.away.insert(agent, *absence);
                self.move_tickets_of(d, &mut round, agent, now);
            }
            _ => {}
        }
    }

    /// The assignment timers due: waiting tickets tried again, absences
    /// begun. Work in proportion to the timers due.
    pub(super) fn decide_assignment_timers(
        &self,
        d: &mut Drafts,
        tickets: &[TicketId],
        agents: &[AgentId],
        now: DateTime<Utc>,
    ) {
        if self.config.assignment.is_off() {
            return;
        }
        d.act_for(rule());
        let mut round = Round::new(self);
        for agent in agents {
            let Some(a) = self.agent(*agent).filter(|a| a.is_active()) else {
                continue;
            };
            let handled = self.state.assignments.began.get(agent).copied();
            // The latest absence begun by now and not handled yet.
            let Some(absence) = a
                .schedule()
                .absences()
                .filter(|x| x.from <= now && handled.is_none_or(|h| x.from > h))
                .last()
            else {
                continue;
            };
            d.push(
                StreamId::Agent(*agent),
                [Event::Agent(crate::agent::AgentEvent {
                    at: now,
                    kind: AgentEventKind::AbsenceBegan { from: absence.from },
                })],
            );
            if now < absence.until {
                self.move_tickets_of(d, &mut round, *agent, now);
            }
        }
        for id in tickets {
            let Some(t) = self.state.tickets.get(*id) else {
                continue;
            };
            if t.assignee().is_some() || !t.status().is_unsolved() || self.is_crisis(t.id()) {
                continue;
            }
            let events = round.events(t, now);
            self.push_ticket(d, t, events, now);
        }
    }

    /// Keeps the assignment state and timers in step with a ticket event.
    pub(super) fn note_ticket_assignment(
        &mut self,
        id: TicketId,
        e: &TicketEvent,
        actor: Option<&Actor>,
    ) {
        let s = &mut self.state;
        let Some(t) = s.tickets.get(id) else {
            if s.assignments.waiting.remove(&id).is_some() && !self.replaying {
                self.timers.set(Timer::Assignment(id), None);
            }
            return;
        };
        match &e.kind {
            TicketEventKind::Assigned { agent: Some(agent) } if by_rule(actor) => {
                s.assignments.cursors.insert(pool_of(t), *agent);
            }
            TicketEventKind::AwaitingAgent { reason, until } => {
                s.assignments.waiting.insert(
                    id,
                    Waiting {
                        reason: reason.clone(),
                        until: *until,
                    },
                );
                if !self.replaying && !self.config.assignment.is_off() {
                    let due = until.map(|at| (at, TimerKind::AutoAssign));
                    self.timers.set(Timer::Assignment(id), due);
                }
                return;
            }
            _ => {}
        }
        if (t.assignee().is_some() || !t.status().is_unsolved())
            && s.assignments.waiting.remove(&id).is_some()
            && !self.replaying
        {
            self.timers.set(Timer::Assignment(id), None);
        }
    }

    /// Keeps the absence timers in step with an agent event.
    pub(super) fn note_agent_assignment(&mut self, agent: AgentId, e: &crate::agent::AgentEvent) {
        if let AgentEventKind::AbsenceBegan { from } = e.kind {
            self.state.assignments.began.insert(agent, from);
        }
        if !self.replaying {
            let due = self.absence_due(agent);
            self.timers.set(Timer::Absence(agent), due);
        }
    }

    /// When `agent`'s next unhandled absence begins, while the desk
    /// assigns by itself.
    pub(super) fn absence_due(&self, agent: AgentId) -> Option<(DateTime<Utc>, TimerKind)> {
        if self.config.assignment.is_off() {
            return None;
        }
        let a = self.agent(agent).filter(|a| a.is_active())?;
        let handled = self.state.assignments.began.get(&agent).copied();
        a.schedule()
            .absences()
            .find(|x| handled.is_none_or(|h| x.from > h))
            .map(|x| (x.from, TimerKind::AbsenceStart))
    }

    /// The assignment timers of a desk rebuilt or restored.
    pub(super) fn assignment_timers(&self, timers: &mut TimerTable) {
        // Off (a configuration changed since), nothing is tried again.
        if self.config.assignment.is_off() {
            return;
        }
        for (ticket, w) in self.state.assignments.waiting() {
            timers.set(
                Timer::Assignment(ticket),
                w.until.map(|at| (at, TimerKind::AutoAssign)),
            );
        }
        for a in self.state.people.agents() {
            timers.set(Timer::Absence(a.id()), self.absence_due(a.id()));
        }
    }
}
