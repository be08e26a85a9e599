//! The desk's macros: an agent applies one to a ticket in one command, as
//! their own update, or previews what it would do (see
//! [`crate::rules::Macro`]).

#![allow(clippy::wildcard_imports)]

use super::decision::salt;
use super::triggers::Rule;
use super::*;
use crate::id::PostId;
use crate::outbox::{OutboundMessage, OutboxEventKind};
use crate::rules::{Macro, MacroSet};
use crate::view::AgentTicketView;

/// What keeps a macro's pages apart from a trigger's or an automation's
/// on the same event.
const MACRO_PAGES: u64 = 1 << 30;

/// What applying a macro would do, decided and not written
/// ([`Desk::preview_macro`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct MacroPreview {
    /// The ticket as the agent would see it afterwards.
    pub ticket: AgentTicketView,
    /// Its changes, in order, beginning with
    /// [`TicketEventKind::MacroApplied`] (none: it would change nothing).
    pub changes: Vec<TicketEventKind>,
    /// The messages it would queue: its reply to the customer (and the
    /// CCs), the pages to agents.
    pub messages: Vec<OutboundMessage>,
    /// Whether its public reply would be held for review as an official
    /// post (a guard rule holds it) instead of going out.
    pub held_for_review: bool,
}

impl Desk {
    /// Replaces nothing: checks that every field, agent, team, contact,
    /// reply template and escalation node the macros name is known.
    pub(super) fn check_macros(&self, set: &MacroSet) -> Result<(), Error> {
        for m in set.macros() {
            let invalid = |reason: String| DeskError::InvalidMacro {
                name: m.name.to_string(),
                reason,
            };
            self.check_rule(&m.name, std::iter::empty(), &m.actions)
                .map_err(|e| match e {
                    DeskError::InvalidTrigger { reason, .. } => invalid(reason),
                    other => other,
                })?;
            if let Some(team) = m.teams.iter().find(|t| self.team(**t).is_none()) {
                return Err(invalid(format!("no team {team}")).into());
            }
        }
        Ok(())
    }

    /// The macros offered to `agent`, in the order the desk keeps them
    /// (active, and for every agent or for one of the agent's teams): what
    /// an agent's screen lists.
    ///
    /// ```
    /// # use fanatical::prelude::*;
    /// # let fanatical::desk::fixture::Fixture { mut desk, mut store, ana, now, .. } = fanatical::desk::fixture::fixture()?;
    /// use fanatical::rules::{Macro, MacroSet, RuleAction, RulesAction};
    /// let urgent = Macro::new("Urgent", [RuleAction::SetPriority(Priority::Urgent)])?;
    /// let set = MacroSet::new(vec![urgent])?;
    /// desk.execute(&mut store, Command::new(Actor::integration("setup"), RulesAction::SetMacros { macros: set }), now)?;
    /// let names: Vec<&str> = desk.macros_for(ana).iter().map(|m| m.name.as_str()).collect();
    /// assert_eq!(names, ["Urgent"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn macros_for(&self, agent: AgentId) -> Vec<&Macro> {
        let teams: Vec<TeamId> = self.teams_of(agent).into_iter().collect();
        self.config
            .macros
            .macros()
            .iter()
            .filter(|m| m.offered_to(&teams))
            .collect()
    }

    /// Decides a macro applied by the acting agent.
    pub(super) fn decide_macro(
        &self,
        d: &mut Drafts,
        ticket: TicketId,
        name: &str,
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        let agent = Self::acting_agent(d)?;
        let m = self
            .config
            .macros
            .get(name)
            .ok_or_else(|| DeskError::UnknownMacro(name.to_owned()))?;
        let teams: Vec<TeamId> = self.teams_of(agent).into_iter().collect();
        if !m.offered_to(&teams) {
            return Err(DeskError::MacroNotOffered {
                name: name.to_owned(),
                agent,
            }
            .into());
        }
        let t = self.ticket_or_err(ticket)?;
        let customer = self.customer_or_err(t.customer())?;
        let post = PostId::from_uuid(
            message_of(d.event_id(self, &StreamId::Posts, 1), salt::POST).as_uuid(),
        );
        let rule = Rule {
            name: &m.name,
            actions: &m.actions,
            page_salt: MACRO_PAGES,
            acting: Some(agent),
            applied_by: Some((agent, post)),
        };
        let mut firing = self
            .firing(&rule, t, self.state.slas.get(ticket), customer, now)
            .map_err(|e| match e {
                Error::Desk(DeskError::InvalidTrigger { trigger, reason }) => {
                    DeskError::InvalidMacro {
                        name: trigger,
                        reason,
                    }
                    .into()
                }
                other => other,
            })?;
        if firing.is_empty() {
            return Ok(());
        }
        let applied = TicketEvent {
            at: now,
            kind: TicketEventKind::MacroApplied {
                name: m.name.to_string(),
            },
        };
        firing.events.insert(0, applied);
        self.draft_firing(d, &rule, t, customer, firing, now)
    }

    /// What `agent` applying the macro `name` to `ticket` would do,
    /// decided as [`TicketAction::ApplyMacro`] is and written nowhere:
    /// the ticket as the agent would see it, its changes and the messages
    /// it would queue. The desk's triggers, which run when it is applied,
    /// are not part of the preview.
    ///
    /// # Errors
    /// Exactly those applying it would give (see
    /// [`TicketAction::ApplyMacro`]), the permissions first.
    ///
    /// ```
    /// # use fanatical::prelude::*;
    /// # let fanatical::desk::fixture::Fixture { mut desk, mut store, ana, now, ticket, .. } = fanatical::desk::fixture::fixture()?;
    /// use fanatical::rules::{Macro, MacroSet, RuleAction, RulesAction};
    /// let wait = Macro::new("Wait for logs", [
    ///     RuleAction::Reply { body: "Could you send us the logs?".into() },
    ///     RuleAction::SetStatus(Status::Pending),
    /// ])?;
    /// let set = RulesAction::SetMacros { macros: MacroSet::new(vec![wait])? };
    /// desk.execute(&mut store, Command::new(Actor::integration("setup"), set), now)?;
    ///
    /// let preview = desk.preview_macro(ana, ticket, "Wait for logs", now)?;
    /// assert_eq!(preview.ticket.status, Status::Pending);
    /// assert_eq!(preview.messages.len(), 1); // the reply, to the requester
    /// assert_eq!(desk.agent_ticket_view(ticket)?.status, Status::New); // nothing changed
    ///
    /// let apply = TicketAction::ApplyMacro { ticket, name: "Wait for logs".into() };
    /// desk.execute(&mut store, Command::new(Actor::Agent(ana), apply), now)?;
    /// assert_eq!(desk.agent_ticket_view(ticket)?.status, Status::Pending);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn preview_macro(
        &self,
        agent: AgentId,
        ticket: TicketId,
        name: &str,
        now: DateTime<Utc>,
    ) -> Result<MacroPreview, Error> {
        let actor = Actor::Agent(agent);
        self.check_actor(&actor)?;
        let action = Action::Ticket(TicketAction::ApplyMacro {
            ticket,
            name: name.to_owned(),
        });
        self.authorise(&actor, &action)?;
        let mut d = Drafts::acting(actor, None);
        self.decide_macro(&mut d, ticket, name, now)?;
        let after = self
            .ticket_as_drafted(&d, ticket)
            .ok_or(DeskError::UnknownTicket(ticket))?;
        let changes = d
            .drafted(&StreamId::Ticket(ticket))
            .iter()
            .filter_map(|(_, e)| match e {
                Event::Ticket(t) => Some(t.kind.clone()),
                _ => None,
            })
            .collect();
        let messages = d
            .drafted_messages()
            .filter_map(|e| match e {
                Event::Outbox(o) => match &o.kind {
                    OutboxEventKind::Queued { message } => Some(message.clone()),
                    _ => None,
                },
                _ => None,
            })
            .collect();
        Ok(MacroPreview {
            ticket: self.agent_view_of(&after)?,
            changes,
            messages,
            held_for_review: !d.drafted(&StreamId::Posts).is_empty(),
        })
    }
}
