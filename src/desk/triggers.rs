//! The desk's triggers: after a command or a timer is decided, the trigger
//! set runs on every ticket the decision changed, in the same decision
//! (see [`crate::rules`]). Each firing is all or nothing: a trigger whose
//! action the ticket refuses keeps none of its changes, and the refusal
//! is recorded on the ticket ([`TicketEventKind::RuleFailed`]).

#![allow(clippy::wildcard_imports)]

use super::decision::salt;
use super::*;
use crate::escalation::{Facts, FactsFrom};
use crate::field::{FieldKey, FieldObject};
use crate::rules::{Changes, PageTo, RuleAction, RulesAction, RulesEvent, RulesEventKind, Subject};
use crate::sla::TicketSla;
use crate::ticket::Priority;

/// A rule firing: its name, its actions, and what keeps its pages' ids
/// apart from other rules' on the same event.
pub(super) struct Rule<'a> {
    pub(super) name: &'a crate::rules::RuleName,
    pub(super) actions: &'a [RuleAction],
    pub(super) page_salt: u64,
    /// The agent who acted ([`RuleAction::AssignToActor`]'s assignee).
    pub(super) acting: Option<AgentId>,
    /// For a macro: the agent applying it, whose replies they are, and
    /// the id a reply on a public network gets if the guard holds it.
    pub(super) applied_by: Option<(AgentId, crate::id::PostId)>,
}

/// What one firing does besides changing the ticket: pages to send, and
/// a macro's public reply the guard holds for review.
pub(super) struct Firing {
    pub(super) events: Vec<TicketEvent>,
    pub(super) pages: Vec<(AgentId, PageKind, String)>,
    pub(super) held: Option<crate::guard::PostEvent>,
}

impl Firing {
    /// Whether it does nothing.
    pub(super) fn is_empty(&self) -> bool {
        self.events.is_empty() && self.pages.is_empty() && self.held.is_none()
    }
}

impl Desk {
    /// Replaces the desk's triggers, once every field, agent, team,
    /// contact and escalation node they name is known.
    pub(super) fn decide_rules(
        &self,
        d: &mut Drafts,
        action: RulesAction,
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        match action {
            RulesAction::SetTriggers { triggers } => {
                for t in triggers.triggers() {
                    self.check_rule(t.name(), t.all.iter().chain(&t.any), &t.actions)?;
                }
                if triggers != self.config.triggers {
                    d.push(
                        StreamId::Rules,
                        [Event::Rules(RulesEvent {
                            at: now,
                            kind: RulesEventKind::TriggersSet { triggers },
                        })],
                    );
                }
            }
            RulesAction::SetMacros { macros } => {
                self.check_macros(&macros)?;
                if macros != self.config.macros {
                    d.push(
                        StreamId::Rules,
                        [Event::Rules(RulesEvent {
                            at: now,
                            kind: RulesEventKind::MacrosSet { macros },
                        })],
                    );
                }
            }
            RulesAction::SetAutomations { automations } => {
                self.check_automations(&automations)?;
                if automations != self.config.automations {
                    d.push(
                        StreamId::Rules,
                        [Event::Rules(RulesEvent {
                            at: now,
                            kind: RulesEventKind::AutomationsSet { automations },
                        })],
                    );
                }
            }
        }
        Ok(())
    }

    /// Whether what a rule names exists on this desk.
    pub(super) fn check_rule<'c>(
        &self,
        name: &crate::rules::RuleName,
        conditions: impl Iterator<Item = &'c crate::rules::Condition>,
        actions: &[RuleAction],
    ) -> Result<(), DeskError> {
        let unknown = |what: String| DeskError::InvalidTrigger {
            trigger: name.to_string(),
            reason: what,
        };
        let fields = &self.state.fields;
        let field = |object: FieldObject, key: &FieldKey| {
            fields
                .check_clear(object, key)
                .map_err(|e| unknown(e.to_string()))
        };
        let mut conditions: Vec<&crate::rules::Condition> = conditions.collect();
        while let Some(c) = conditions.pop() {
            use crate::rules::{AssigneeTest, Condition as C};
            match c {
                C::Field(f) => field(FieldObject::Ticket, &f.key)?,
                C::CustomerField(f) => field(FieldObject::Customer, &f.key)?,
                C::Assignee(AssigneeTest::Agent(a)) if self.agent(*a).is_none() => {
                    return Err(unknown(format!("no agent {a}")));
                }
                C::Team(Some(team)) if self.team(*team).is_none() => {
                    return Err(unknown(format!("no team {team}")));
                }
                C::Not(inner) => conditions.push(inner),
                _ => {}
            }
        }
        for a in actions {
            match a {
                RuleAction::SetField { key, value } => {
                    fields
                        .catalog()
                        .check(FieldObject::Ticket, key, value.clone())
                        .map_err(|e| unknown(e.to_string()))?;
                }
                RuleAction::ClearField(key) => field(FieldObject::Ticket, key)?,
                RuleAction::Assign(Some(agent))
                | RuleAction::AddFollower(agent)
                | RuleAction::Page {
                    to: PageTo::Agent(agent),
                    ..
                } if self.agent(*agent).is_none() => {
                    return Err(unknown(format!("no agent {agent}")));
                }
                RuleAction::SetTeam(Some(team)) if self.team(*team).is_none() => {
                    return Err(unknown(format!("no team {team}")));
                }
                RuleAction::AddCc(contact)
                    if self.state.customers.customer_of(*contact).is_none() =>
                {
                    return Err(unknown(format!("no contact {contact}")));
                }
                RuleAction::Reply { body } | RuleAction::Page { body, .. }
                    if body.trim().is_empty() =>
                {
                    return Err(unknown("an empty text".to_owned()));
                }
                RuleAction::ReplyWith { template }
                    if !self.config.templates.replies().any(|r| r == template) =>
                {
                    return Err(unknown(format!("no reply template {template}")));
                }
                RuleAction::Escalate { from } => match &self.config.escalation {
                    None => return Err(unknown("no escalation graph is configured".to_owned())),
                    Some(g) if g.node(from).is_none() => {
                        return Err(unknown(format!("no escalation node {from:?}")));
                    }
                    Some(_) => {}
                },
                _ => {}
            }
        }
        Ok(())
    }

    /// Runs the triggers on every ticket the drafts change. Never refuses:
    /// a trigger whose action is refused is recorded as failed.
    pub(super) fn run_triggers(&self, d: &mut Drafts, now: DateTime<Utc>) {
        if self.config.triggers.is_empty() {
            return;
        }
        // A crisis recorded in this decision: its ticket is the safety
        // responder's, and no rule touches it.
        let crisis: Vec<TicketId> = d
            .drafted(&StreamId::Crisis)
            .iter()
            .filter_map(|(_, e)| match e {
                Event::Crisis(crate::crisis::CrisisEvent {
                    kind: crate::crisis::CrisisEventKind::Flagged { record },
                    ..
                }) => Some(record.ticket),
                _ => None,
            })
            .collect();
        let stamp = d.stamp.clone();
        for id in d.touched_tickets() {
            if !self.is_crisis(id) && !crisis.contains(&id) {
                self.trigger_ticket(d, id, now);
            }
        }
        d.stamp = stamp;
    }

    fn trigger_ticket(&self, d: &mut Drafts, id: TicketId, now: DateTime<Utc>) {
        let Some((stamp, _)) = d
            .drafted(&StreamId::Ticket(id))
            .first()
            .or_else(|| d.drafted(&StreamId::Sla(id)).first())
        else {
            return;
        };
        let actor = stamp.actor.clone();
        let Some(mut after) = self.ticket_as_drafted(d, id) else {
            return;
        };
        let Some(customer) = self.customer(after.customer()) else {
            return;
        };
        let mut changes = self.changes_drafted(d, id);
        let mut sla = self.sla_as_drafted(d, id, after.customer());
        // Only the triggers that can fire on what has changed so far.
        let mut candidates = self.config.triggers.candidates();
        while let Some((position, trigger)) = candidates.next(&changes) {
            if after.status() == Status::Closed {
                return;
            }
            let subject = Subject {
                ticket: &after,
                sla: sla.as_ref(),
                customer_fields: customer.fields(),
                actor: &actor,
                changes: &changes,
                now,
            };
            if !trigger.matches(&subject) {
                continue;
            }
            let cause = Cause::Rule(trigger.name().to_string());
            d.act_for(cause);
            d.begin();
            let rule = Rule {
                page_salt: u64::try_from(position).unwrap_or(u64::MAX),
                name: trigger.name(),
                actions: &trigger.actions,
                acting: actor.agent(),
                applied_by: None,
            };
            let (ticket_at, sla_at) = (
                d.drafted(&StreamId::Ticket(id)).len(),
                d.drafted(&StreamId::Sla(id)).len(),
            );
            self.fire_all_or_nothing(d, &rule, &after, sla.as_ref(), customer, Vec::new(), now);
            // What the next trigger sees: everything drafted so far, by
            // folding on what this firing drafted (drafts only grow past
            // where it began: a refused firing is rolled back to there).
            for (_, e) in d
                .drafted(&StreamId::Ticket(id))
                .get(ticket_at..)
                .unwrap_or(&[])
            {
                if let Event::Ticket(e) = e {
                    after.apply(e);
                    changes.record_ticket(&e.kind);
                }
            }
            for (_, e) in d.drafted(&StreamId::Sla(id)).get(sla_at..).unwrap_or(&[]) {
                if let Event::Sla(e) = e {
                    sla.get_or_insert_with(|| TicketSla::new(id, after.customer()))
                        .apply(e);
                    changes.record_sla(&e.kind);
                }
            }
        }
    }

    /// Drafts a rule's actions on `t` (after `first`, events the rule
    /// records before them), all or nothing: when one is refused, nothing
    /// of it is kept and the refusal is recorded on the ticket instead.
    /// The drafts must be acting for the rule.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn fire_all_or_nothing(
        &self,
        d: &mut Drafts,
        rule: &Rule<'_>,
        t: &Ticket,
        sla: Option<&TicketSla>,
        customer: &Customer,
        first: Vec<TicketEvent>,
        now: DateTime<Utc>,
    ) {
        d.begin();
        match self.fire(d, rule, t, sla, customer, first.clone(), now) {
            Ok(()) => d.commit(),
            Err(e) => {
                d.rollback();
                let failed = TicketEvent {
                    at: now,
                    kind: TicketEventKind::RuleFailed {
                        rule: rule.name.to_string(),
                        reason: e.to_string(),
                    },
                };
                d.push(
                    StreamId::Ticket(t.id()),
                    first.into_iter().chain([failed]).map(Event::Ticket),
                );
            }
        }
    }

    /// Decides one rule's actions on `t` and drafts them with their
    /// consequences (SLA reactions, replies sent, a survey on solving,
    /// pages).
    #[allow(clippy::too_many_arguments)]
    fn fire(
        &self,
        d: &mut Drafts,
        rule: &Rule<'_>,
        t: &Ticket,
        sla: Option<&TicketSla>,
        customer: &Customer,
        first: Vec<TicketEvent>,
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        let mut firing = self.firing(rule, t, sla, customer, now)?;
        if firing.is_empty() && first.is_empty() {
            return Ok(());
        }
        firing.events.splice(0..0, first);
        self.draft_firing(d, rule, t, customer, firing, now)
    }

    /// Drafts a firing: its ticket events with their consequences (SLA
    /// reactions, replies sent, a survey on solving), its held reply and
    /// its pages.
    pub(super) fn draft_firing(
        &self,
        d: &mut Drafts,
        rule: &Rule<'_>,
        t: &Ticket,
        customer: &Customer,
        firing: Firing,
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        if let Some(held) = firing.held {
            d.push(StreamId::Posts, [Event::Post(held)]);
        }
        if !firing.events.is_empty() {
            self.finish_ticket(d, t, customer, firing.events, now, true)?;
        }
        if firing.pages.is_empty() {
            return Ok(());
        }
        // The pages derive from the last event this decision drafted on
        // the ticket (or its SLA: a timer's warning), new to it, with a
        // salt of the trigger's position no other message takes.
        let ticket = StreamId::Ticket(t.id());
        let stream = if d.count(&ticket) > 0 {
            ticket
        } else {
            StreamId::Sla(t.id())
        };
        let base = d.event_id(self, &stream, 0);
        let position = rule.page_salt << 16;
        let pages = firing
            .pages
            .into_iter()
            .zip(0u64..)
            .map(|((agent, kind, body), i)| {
                self.queue_page(
                    Page {
                        id: message_of(base, salt::RULE_PAGE | position | i),
                        agent,
                        kind,
                        body,
                        ticket: Some(t.id()),
                    },
                    now,
                )
            });
        let pages: Vec<Event> = pages.collect();
        d.push_outbox(pages);
        Ok(())
    }

    /// The ticket events and pages of one firing, decided on a copy of
    /// the ticket in action order.
    pub(super) fn firing(
        &self,
        rule: &Rule<'_>,
        t: &Ticket,
        sla: Option<&TicketSla>,
        customer: &Customer,
        now: DateTime<Utc>,
    ) -> Result<Firing, Error> {
        let mut scratch = t.clone();
        let mut out = Firing {
            events: Vec::new(),
            pages: Vec::new(),
            held: None,
        };
        let name = rule.name;
        for action in rule.actions {
            let events = match action {
                RuleAction::Page { to, body } => {
                    let to: Vec<AgentId> = match to {
                        PageTo::Agent(a) => vec![*a],
                        PageTo::Assignee => scratch.assignee().into_iter().collect(),
                        PageTo::TeamLead => scratch
                            .team()
                            .and_then(|team| self.team(team))
                            .and_then(crate::agent::Team::lead)
                            .into_iter()
                            .collect(),
                    };
                    for agent in to {
                        self.active_agent(agent)?;
                        let text = self.text(
                            crate::template::TemplateName::RuleNotice,
                            &[
                                ("ticket", &scratch.id().to_string()),
                                ("rule", name.as_str()),
                                ("body", body.trim()),
                            ],
                        );
                        out.pages.push((agent, PageKind::RuleNotice, text));
                    }
                    Vec::new()
                }
                RuleAction::Escalate { from } => {
                    let Some(graph) = &self.config.escalation else {
                        return Err(DeskError::InvalidTrigger {
                            trigger: name.to_string(),
                            reason: "no escalation graph is configured".to_owned(),
                        }
                        .into());
                    };
                    let from_ = FactsFrom {
                        category_field: self.config.escalation_category.clone(),
                        ..FactsFrom::default()
                    };
                    let facts = Facts::of_ticket(&scratch, sla, &from_);
                    let path = graph.resolve(from, &facts, now)?;
                    let owner = path.owner_node();
                    let hops = path.explain();
                    if hops.is_empty() || scratch.department() == Some(owner.name.as_str()) {
                        Vec::new()
                    } else {
                        let context: Vec<String> =
                            path.context().into_iter().map(str::to_owned).collect();
                        let events =
                            scratch.hand_off(&owner.name, None, &hops.join("; "), &context, now)?;
                        let kind = match scratch.priority() {
                            Priority::Urgent => PageKind::UrgentEscalation,
                            _ => PageKind::Escalation,
                        };
                        for agent in self.people_at(&owner.kind) {
                            let text = self.text(
                                crate::template::TemplateName::HandOff,
                                &[
                                    ("ticket", &scratch.id().to_string()),
                                    ("department", &owner.name),
                                    ("reason", &hops.join("; ")),
                                ],
                            );
                            out.pages.push((agent, kind, text));
                        }
                        events
                    }
                }
                RuleAction::Reply { .. } | RuleAction::ReplyWith { .. } => {
                    let body = match action {
                        RuleAction::ReplyWith { template } => {
                            let writer = rule.applied_by.map(|(a, _)| a);
                            self.rule_reply(&scratch, customer, template, writer)?
                        }
                        RuleAction::Reply { body } => body.clone(),
                        _ => String::new(),
                    };
                    let channel = delivery_channel(scratch.channel());
                    let author = rule
                        .applied_by
                        .map_or(Author::System, |(a, _)| Author::Agent(a));
                    let command = TicketCommand::Reply {
                        author,
                        channel: channel.clone(),
                        body: body.clone(),
                        attachments: Vec::new(),
                    };
                    let command = self.check_ticket_command(&scratch, customer, command)?;
                    let events = scratch.handle_with(command, &self.config.ticket_rules, now)?;
                    // An agent's reply on a public network is a company
                    // post: the guard reviews it, as one written by hand.
                    if let (Some((agent, post)), Some(network)) =
                        (rule.applied_by, public_network(&channel))
                        && !self.is_crisis(scratch.id())
                    {
                        let draft = crate::guard::ReplyDraft {
                            post,
                            ticket: scratch.id(),
                            network,
                            author: agent,
                            text: body,
                            attachments: Vec::new(),
                        };
                        if out.held.is_some() {
                            return Err(DeskError::InvalidTrigger {
                                trigger: name.to_string(),
                                reason: "two replies held for review".to_owned(),
                            }
                            .into());
                        }
                        if let Some(held) =
                            self.state
                                .posts
                                .review_reply(draft, &self.config.guard, now)?
                        {
                            out.held = Some(held);
                            continue;
                        }
                    }
                    events
                }
                RuleAction::AssignToActor => match rule.acting {
                    Some(agent) => {
                        let command = TicketCommand::Assign(Some(agent));
                        let command = self.check_ticket_command(&scratch, customer, command)?;
                        scratch.handle_with(command, &self.config.ticket_rules, now)?
                    }
                    None => Vec::new(),
                },
                other => {
                    let Some(command) = other.ticket_command() else {
                        continue;
                    };
                    let command = self.check_ticket_command(&scratch, customer, command)?;
                    scratch.handle_with(command, &self.config.ticket_rules, now)?
                }
            };
            for e in &events {
                scratch.apply(e);
            }
            out.events.extend(events);
        }
        Ok(out)
    }

    /// A reply template rendered for `t`'s requester in their locale;
    /// `agent` is `writer` (an agent applying a macro) or else the
    /// ticket's assignee.
    fn rule_reply(
        &self,
        t: &Ticket,
        customer: &Customer,
        template: &crate::template::ReplyName,
        writer: Option<AgentId>,
    ) -> Result<String, Error> {
        let requester = t.requester().and_then(|c| customer.contact(c));
        let agent = writer
            .or(t.assignee())
            .and_then(|a| self.agent(a))
            .map(|a| a.name().to_owned())
            .unwrap_or_default();
        let (id, status, priority) = (
            t.id().to_string(),
            t.status().to_string(),
            t.priority().to_string(),
        );
        let vars = [
            ("requester", requester.map_or("", |c| c.name())),
            ("organisation", customer.organisation()),
            ("ticket", id.as_str()),
            ("subject", t.subject()),
            ("status", status.as_str()),
            ("priority", priority.as_str()),
            ("agent", agent.as_str()),
        ];
        match t.requester() {
            Some(contact) => self.reply_text(customer.id(), contact, template, &vars),
            None => Ok(self.config.templates.render_reply(template, None, &vars)?),
        }
    }

    /// The ticket as the drafts leave it (`None`: neither in memory nor
    /// opened by them).
    pub(super) fn ticket_as_drafted(&self, d: &Drafts, id: TicketId) -> Option<Ticket> {
        let drafted = d.drafted(&StreamId::Ticket(id));
        let mut events = drafted.iter().filter_map(|(_, e)| match e {
            Event::Ticket(t) => Some(t),
            _ => None,
        });
        let mut t = match self.state.tickets.get(id) {
            Some(t) => t.clone(),
            None => Ticket::from_opened(events.next()?)?,
        };
        for e in events {
            t.apply(e);
        }
        Some(t)
    }

    /// The ticket's SLA as the drafts leave it.
    pub(super) fn sla_as_drafted(
        &self,
        d: &Drafts,
        id: TicketId,
        customer: CustomerId,
    ) -> Option<TicketSla> {
        let mut sla = self.state.slas.get(id).cloned();
        for (_, e) in d.drafted(&StreamId::Sla(id)) {
            if let Event::Sla(e) = e {
                sla.get_or_insert_with(|| TicketSla::new(id, customer))
                    .apply(e);
            }
        }
        sla
    }

    /// What the drafts changed on the ticket.
    fn changes_drafted(&self, d: &Drafts, id: TicketId) -> Changes {
        let mut changes = Changes::new();
        for (_, e) in d.drafted(&StreamId::Ticket(id)) {
            if let Event::Ticket(t) = e {
                changes.record_ticket(&t.kind);
            }
        }
        for (_, e) in d.drafted(&StreamId::Sla(id)) {
            if let Event::Sla(s) = e {
                changes.record_sla(&s.kind);
            }
        }
        changes
    }
}
