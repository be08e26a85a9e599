//! The desk and major incidents: who is affected, keeping every one of
//! them in the loop exactly once per update, linked tickets, the update
//! cadence, credits and follow-ups.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};

use super::decision::{invitation_of, message_of};
use super::incident_spread::{ReviewInput, Voice, audience_text};
use super::{Desk, Drafts, IncidentAction, PageKind, outbox, page_of};
use crate::actor::{Cause, TimerKind};
use crate::agent::{Role, SpendAccess};
use crate::channel::{Channel, ChannelAddress};
use crate::customer::{ContactRole, Customer};
use crate::error::Error;
use crate::event::{Event, StreamId};
use crate::id::{AgentId, ContactId, CustomerId, EventId, IncidentId, TicketId};
use crate::incident::{
    Audience, Credit, CreditHeld, CreditView, CreditsDue, Declaration, FollowUpOutcome, Incident,
    IncidentBriefing, IncidentDraft, IncidentError, IncidentEvent, IncidentEventKind,
    IncidentStatus, IncidentTimer, IncidentTimerDue, JoinCause, Messages, StatusPageEntry,
    Timeline, Update,
};
use crate::outbox::{OutboundMessage, OutboxEventKind, Recipient};
use crate::survey::{NewInvitation, SurveyKind};
use crate::template::{Locale, TemplateName};
use crate::ticket::{Author, Status, TicketCommand};

impl Desk {
    /// See [`IncidentsView::get`].
    pub(crate) fn incident(&self, id: IncidentId) -> Option<&Incident> {
        self.state.incidents.get(id)
    }

    /// See [`IncidentsView::active`].
    pub(crate) fn active_incidents(&self) -> impl Iterator<Item = &Incident> {
        self.state.incidents.active()
    }

    /// See [`IncidentsView::affected_customers`].
    pub(crate) fn customers_in_active_incidents(&self) -> BTreeSet<CustomerId> {
        self.active_incidents()
            .flat_map(|i| i.affected().iter().copied())
            .collect()
    }

    /// See [`IncidentsView::briefings`].
    pub(crate) fn incident_briefings(
        &self,
        customer: CustomerId,
        now: DateTime<Utc>,
    ) -> Vec<IncidentBriefing> {
        let recent = self.config.incidents.recent;
        let runs_on = self
            .customer(customer)
            .map(|c| c.components().clone())
            .unwrap_or_default();
        let catalog = &self.config.incidents.components;
        let mut out: Vec<IncidentBriefing> = self
            .state
            .incidents
            .iter()
            .filter(|i| i.affected().contains(&customer))
            .filter(|i| {
                i.resolved_at()
                    .is_none_or(|r| crate::time::plus(r, recent) > now)
            })
            .map(|i| IncidentBriefing {
                incident: i.id(),
                title: i.title().to_owned(),
                status: i.status(),
                components: i.components().clone(),
                affects: runs_on
                    .iter()
                    .filter(|r| i.components().keys().any(|c| catalog.covers(c, r)))
                    .cloned()
                    .collect(),
                declared_at: i.declared_at(),
                resolved_at: i.resolved_at(),
                latest: i.latest().cloned(),
                next_update_due: i.next_update_due(),
            })
            .collect();
        out.sort_by_key(|b| std::cmp::Reverse(b.declared_at));
        out
    }

    /// See [`IncidentsView::status_page`].
    pub(crate) fn status_page(&self) -> Vec<StatusPageEntry> {
        let mut out: Vec<StatusPageEntry> =
            self.active_incidents()
                .map(|i| {
                    let public =
                        i.updates().iter().rev().find_map(|u| {
                            u.messages.get(&Audience::Public).map(|t| (u.at, t.clone()))
                        });
                    StatusPageEntry {
                        incident: i.id(),
                        title: i.title().to_owned(),
                        status: i.status(),
                        components: i.components().clone(),
                        message: public.as_ref().map(|(_, t)| t.clone()),
                        posted_at: public.map(|(at, _)| at),
                        declared_at: i.declared_at(),
                    }
                })
                .collect();
        out.sort_by_key(|e| std::cmp::Reverse(e.declared_at));
        out
    }

    /// What reads that can reveal spend show `viewer`: a known, active
    /// agent, refused otherwise; amounts when the desk's permission table
    /// grants them [`crate::permission::Permission::ViewSpend`].
    pub(crate) fn spend_access(&self, viewer: AgentId) -> Result<SpendAccess, Error> {
        self.active_agent(viewer)?;
        let shown = self.may(
            &crate::actor::Actor::Agent(viewer),
            crate::permission::Permission::ViewSpend,
            None,
        );
        Ok(if shown {
            SpendAccess::Shown
        } else {
            SpendAccess::Hidden
        })
    }

    /// See [`IncidentsView::timeline`].
    pub(crate) fn incident_timeline(
        &self,
        id: IncidentId,
        viewer: AgentId,
    ) -> Result<Timeline, Error> {
        let i = self.incident_or_err(id)?;
        Ok(i.timeline_for(self.spend_access(viewer)?))
    }

    /// See [`IncidentsView::credits`].
    pub(crate) fn issued_credits(
        &self,
        id: IncidentId,
        viewer: AgentId,
    ) -> Result<Vec<CreditView>, Error> {
        let i = self.incident_or_err(id)?;
        let access = self.spend_access(viewer)?;
        Ok(i.credits().values().map(|c| c.view(access)).collect())
    }

    /// See [`IncidentsView::credits_due`].
    pub(crate) fn credits_due_for(
        &self,
        id: IncidentId,
        viewer: AgentId,
    ) -> Result<CreditsDue, Error> {
        let due = self.credits_due(id)?;
        let access = self.spend_access(viewer)?;
        Ok(CreditsDue {
            credits: due.credits.iter().map(|c| c.view(access)).collect(),
            held: due.held,
        })
    }

    /// See [`IncidentsView::unlinked_tickets`].
    pub(crate) fn unlinked_incident_tickets(&self, id: IncidentId) -> Vec<TicketId> {
        let Some(i) = self.incident(id) else {
            return Vec::new();
        };
        i.affected()
            .iter()
            .flat_map(|c| self.tickets_of(*c))
            .filter(|t| t.status().is_unsolved() && t.opened_at() >= i.declared_at())
            .map(crate::ticket::Ticket::id)
            .filter(|t| !i.linked().contains(t))
            .collect()
    }

    /// The credits due, amounts and all (trusted: for issuing them). One
    /// customer whose credit cannot be computed is held back on its own;
    /// an invalid policy stops them all (it is the configuration's fault,
    /// not a customer's).
    pub(crate) fn credits_due(&self, id: IncidentId) -> Result<DueCredits, Error> {
        let i = self.incident_or_err(id)?;
        let resolved = i.resolved_at().ok_or(IncidentError::NotResolved(id))?;
        let config = &self.config.incidents;
        config.credits.validate()?;
        let mut out = DueCredits {
            credits: Vec::new(),
            held: Vec::new(),
        };
        for c in i.affected() {
            if i.credits().contains_key(c) {
                continue;
            }
            let Some(customer) = self.customer(*c) else {
                continue;
            };
            let Some(standing) = customer.standing() else {
                continue;
            };
            let downtime =
                i.customer_downtime(*c, customer.components(), &config.components, resolved);
            match config.credits.credit_for(*c, &standing, downtime) {
                Ok(Some(credit)) => out.credits.push(credit),
                Ok(None) => {}
                Err(problem) => out.held.push(CreditHeld {
                    customer: *c,
                    problem,
                }),
            }
        }
        Ok(out)
    }

    fn incident_or_err(&self, id: IncidentId) -> Result<&Incident, IncidentError> {
        self.state
            .incidents
            .get(id)
            .ok_or(IncidentError::UnknownIncident(id))
    }

    pub(super) fn decide_incident(
        &self,
        d: &mut Drafts,
        action: IncidentAction,
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        match action {
            IncidentAction::Declare {
                incident: id,
                title,
                commander,
                status,
                components,
                cadence,
                messages,
            } => {
                let stream = self.fresh(StreamId::Incident(id))?;
                self.active_agent(commander)?;
                let catalog = &self.config.incidents.components;
                let declaration = Declaration {
                    id,
                    title,
                    commander,
                    status,
                    components,
                    cadence,
                    messages,
                };
                let draft = Incident::declare(declaration, catalog, now)?;
                let IncidentEventKind::Declared {
                    components,
                    messages,
                    title,
                    ..
                } = &draft.kind
                else {
                    return Ok(());
                };
                let affected: BTreeSet<CustomerId> = self
                    .state
                    .customers
                    .iter()
                    .filter(|c| {
                        c.components()
                            .iter()
                            .any(|r| components.keys().any(|k| catalog.covers(k, r)))
                    })
                    .map(Customer::id)
                    .collect();
                let event_id = d.event_id(self, &stream, 1);
                let voice = Voice {
                    incident: id,
                    title,
                    commander,
                    spokesperson: None,
                    review: None,
                };
                let (mut queued, unreachable) =
                    self.keep_in_the_loop(event_id, &affected, &voice, status, messages, now);
                queued.extend(self.brief_press(event_id, &voice, Some(status), messages, now));
                let call_outs = self.call_outs(d, &voice, &unreachable, messages, now)?;
                let mut draft = draft;
                if let IncidentEventKind::Declared {
                    affected: a,
                    unreachable: u,
                    call_outs: co,
                    ..
                } = &mut draft.kind
                {
                    *a = affected;
                    *u = unreachable;
                    *co = call_outs;
                }
                push_incident(d, stream, draft);
                d.push_outbox(queued);
            }
            IncidentAction::Update {
                incident: id,
                status,
                components,
                messages,
                solve_linked,
                spokesperson,
            } => {
                let by = Self::acting_agent(d)?;
                let i = self.incident_or_err(id)?;
                self.active_agent(by)?;
                if let Some(s) = spokesperson {
                    self.active_agent(s)?;
                }
                let config = &self.config.incidents;
                let update = Update {
                    by,
                    status,
                    components,
                    messages,
                    spokesperson,
                };
                let mut draft =
                    i.update(update, &config.components, config.follow_up_after, now)?;
                let stream = StreamId::Incident(id);
                let IncidentEventKind::Updated {
                    messages,
                    unreachable,
                    call_outs,
                    left_open,
                    components: changes,
                    ..
                } = &mut draft.kind
                else {
                    return Ok(());
                };
                // An update that takes down a component more customers run
                // on brings them in: recorded before the update, which
                // reaches them with everyone else.
                let mut after = i.components().clone();
                after.extend(changes.iter().map(|(k, v)| (k.clone(), *v)));
                let joined = self.spread_to(i, &after);
                let mut affected = i.affected().clone();
                affected.extend(joined.keys().copied());
                // A silent change catches them up with the latest update.
                let catch_up = messages.is_empty();
                let joins = self.join_events(d, i, joined, JoinCause::Spread, catch_up, now)?;
                let event_id = d.event_id(self, &stream, 1 + joins.len() as u64);
                d.push(stream, joins.into_iter().map(Event::Incident));
                let voice = Voice {
                    incident: id,
                    title: i.title(),
                    commander: i.commander(),
                    spokesperson,
                    review: None,
                };
                if !messages.is_empty() {
                    let (mut queued, missed) =
                        self.keep_in_the_loop(event_id, &affected, &voice, status, messages, now);
                    queued.extend(self.brief_press(event_id, &voice, Some(status), messages, now));
                    *call_outs = self.call_outs(d, &voice, &missed, messages, now)?;
                    *unreachable = missed;
                    d.push_outbox(queued);
                }
                // One ticket that cannot be solved must not hold up the resolution
                // of an outage: each is decided apart, and a refusal is recorded.
                let mut solved = d.fork();
                if let (IncidentStatus::Resolved, Some(body)) = (status, solve_linked) {
                    for ticket in i.linked() {
                        let mut one = d.fork();
                        match self.solve_with_message(&mut one, *ticket, by, &body, now) {
                            Ok(()) => solved.absorb(one),
                            Err(e) => left_open.push((*ticket, e.to_string())),
                        }
                    }
                }
                push_incident(d, stream, draft);
                d.absorb(solved);
            }
            IncidentAction::LinkTickets { incident, tickets } => {
                self.decide_link_incident(d, incident, &tickets, now)?;
            }
            IncidentAction::IssueCredits { incident } => self.decide_credits(d, incident, now)?,
            IncidentAction::PublishReview {
                incident,
                what_happened,
                prevention,
                spokesperson,
            } => self.decide_review(
                d,
                ReviewInput {
                    incident,
                    what_happened,
                    prevention,
                    spokesperson,
                },
                now,
            )?,
        }
        Ok(())
    }

    /// Solves a linked ticket with the final message (assigning it to
    /// whoever resolves the incident if nobody has it). Tickets already
    /// solved or closed are left alone; no CSAT goes out (the incident's
    /// follow-up asks instead).
    fn solve_with_message(
        &self,
        d: &mut Drafts,
        ticket: TicketId,
        by: AgentId,
        body: &str,
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        // A linked ticket no longer in memory was closed and archived.
        let Some(t) = self.ticket(ticket) else {
            return Ok(());
        };
        if !t.status().is_unsolved() || self.is_crisis(ticket) {
            return Ok(());
        }
        let customer = self.customer_or_err(t.customer())?;
        // A call or a video session is over by now: the final message goes
        // out in writing, on the first channel the requester can take it.
        let channel = if super::is_live(t.channel()) {
            super::channels::reply_contact(t, customer)
                .and_then(|c| self.deliverable(c))
                .map(|(channel, _)| channel)
                .ok_or_else(|| super::DeskError::Unreachable {
                    ticket,
                    channel: t.channel().clone(),
                })?
        } else {
            t.channel().clone()
        };
        // A public reply from a company account passes review; nobody can
        // review this one now, so a held reply leaves the ticket to a person.
        if let Some(network) = super::ticketing::public_network(&channel) {
            let guard = &self.config.guard;
            if let Some(hold) = guard
                .review_for(guard.account_on(&network), body, now)
                .into_iter()
                .next()
            {
                return Err(crate::guard::GuardError::ReplyHeld {
                    ticket,
                    rule: hold.rule,
                }
                .into());
            }
        }
        let mut commands = vec![TicketCommand::Reply {
            author: Author::Agent(by),
            channel,
            body: body.to_owned(),
            attachments: Vec::new(),
        }];
        if t.assignee().is_none() {
            commands.push(TicketCommand::Assign(Some(by)));
        }
        commands.push(TicketCommand::SetStatus(Status::Solved));
        let mut current = t.clone();
        let mut events = Vec::new();
        for c in commands {
            let more = current.handle_with(c, &self.config.ticket_rules, now)?;
            for e in &more {
                current.apply(e);
            }
            events.extend(more);
        }
        self.finish_ticket(d, t, customer, events, now, false)
    }

    pub(super) fn decide_link_incident(
        &self,
        d: &mut Drafts,
        id: IncidentId,
        tickets: &[TicketId],
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        let i = self.incident_or_err(id)?;
        if i.is_resolved() {
            return Err(IncidentError::Resolved(id).into());
        }
        let mut seen = BTreeSet::new();
        let mut events = Vec::new();
        for ticket in tickets {
            let t = self.ticket_or_err(*ticket)?;
            if i.linked().contains(ticket) || !seen.insert(*ticket) {
                continue;
            }
            events.push(Event::Incident(IncidentEvent {
                at: now,
                kind: IncidentEventKind::TicketLinked {
                    ticket: *ticket,
                    customer: t.customer(),
                },
            }));
        }
        d.push(StreamId::Incident(id), events);
        Ok(())
    }

    pub(super) fn decide_credits(
        &self,
        d: &mut Drafts,
        id: IncidentId,
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        // The decision names every amount: `IssueCredits` was checked
        // before deciding.
        let credits = self.credits_due(id)?.credits;
        d.push(
            StreamId::Incident(id),
            credits.into_iter().map(|credit| {
                Event::Incident(IncidentEvent {
                    at: now,
                    kind: IncidentEventKind::CreditIssued { credit },
                })
            }),
        );
        Ok(())
    }

    /// One message per contact of every affected customer, in the text
    /// for their audience (press text never goes to contacts), signed by
    /// the spokesperson if one is named, at their first address on a
    /// working channel that delivers (phone and video are live). Message
    /// ids derive from the incident event, so a retried decision queues
    /// the same ids.
    pub(super) fn keep_in_the_loop(
        &self,
        event: EventId,
        affected: &BTreeSet<CustomerId>,
        voice: &Voice<'_>,
        status: IncidentStatus,
        messages: &Messages,
        now: DateTime<Utc>,
    ) -> (Vec<Event>, Vec<(CustomerId, ContactId)>) {
        self.keep_in_the_loop_headed(event, affected, voice, Some(status), messages, now)
    }

    /// [`Desk::keep_in_the_loop`], headed by the title alone when there is
    /// no status to show.
    pub(super) fn keep_in_the_loop_headed(
        &self,
        event: EventId,
        affected: &BTreeSet<CustomerId>,
        voice: &Voice<'_>,
        status: Option<IncidentStatus>,
        messages: &Messages,
        now: DateTime<Utc>,
    ) -> (Vec<Event>, Vec<(CustomerId, ContactId)>) {
        let mut queued = Vec::new();
        let mut unreachable = Vec::new();
        let mut n = 0u64;
        // One notice per locale and audience, however many contacts read
        // it.
        let mut notices: BTreeMap<(Locale, bool), String> = BTreeMap::new();
        for c in affected.iter().filter_map(|c| self.customer(*c)) {
            for contact in c.contacts() {
                let technical = contact.roles().contains(&ContactRole::Technical);
                let Some(text) = audience_text(messages, technical) else {
                    continue;
                };
                let Some((channel, address)) = self.deliverable(contact) else {
                    unreachable.push((c.id(), contact.id()));
                    continue;
                };
                n += 1;
                queued.push(outbox(
                    now,
                    OutboxEventKind::Queued {
                        message: OutboundMessage {
                            id: message_of(event, n),
                            channel,
                            recipient: Recipient::Contact {
                                contact: contact.id(),
                                address,
                            },
                            body: notices
                                .entry((self.config.templates.resolve(contact.locale()), technical))
                                .or_insert_with_key(|(locale, _)| {
                                    self.notice(Some(locale), voice, status, text)
                                })
                                .clone(),
                            ticket: None,
                            queued_at: now,
                            deliver_after: None,
                            attachments: Vec::new(),
                            automatic: true,
                        },
                    },
                ));
            }
        }
        (queued, unreachable)
    }

    /// The contact's first address that can take a queued message on a
    /// channel that is up (and has not bounced).
    fn deliverable(&self, contact: &crate::customer::Contact) -> Option<(Channel, ChannelAddress)> {
        contact.addresses().iter().find_map(|a| {
            let channel = super::channels::channel_for(a);
            (!super::is_live(&channel)
                && !self.is_down(channel.kind())
                && contact.is_deliverable(a))
            .then(|| (channel, a.clone()))
        })
    }

    /// Incident timers due at `now`: warnings and missed updates (each
    /// tells the commander), and the follow-ups.
    pub(super) fn decide_incident_timers(
        &self,
        d: &mut Drafts,
        due: &[IncidentId],
        now: DateTime<Utc>,
    ) {
        for &id in due {
            let Some(i) = self.state.incidents.get(id) else {
                continue;
            };
            let stream = StreamId::Incident(id);
            let mut current = i.clone();
            // Warn, then overdue, then follow-up: at most three steps.
            for _ in 0..3 {
                let Some(IncidentTimerDue { at, timer }) =
                    current.next_timer().filter(|n| n.at <= now)
                else {
                    break;
                };
                d.act_for(Cause::Timer(match timer {
                    IncidentTimer::Warn | IncidentTimer::Overdue => TimerKind::IncidentCadence,
                    IncidentTimer::FollowUp => TimerKind::FollowUp,
                }));
                let events = match timer {
                    IncidentTimer::Warn | IncidentTimer::Overdue => {
                        let due = current.next_update_due().unwrap_or(at);
                        let (kind, body) = if timer == IncidentTimer::Warn {
                            (
                                IncidentEventKind::UpdateDueSoon { due },
                                self.text(
                                    TemplateName::IncidentUpdateDue,
                                    &[("title", current.title()), ("due", &due.to_string())],
                                ),
                            )
                        } else {
                            (
                                IncidentEventKind::UpdateOverdue { due },
                                self.text(
                                    TemplateName::IncidentUpdateMissed,
                                    &[("title", current.title()), ("due", &due.to_string())],
                                ),
                            )
                        };
                        let event_id = d.event_id(self, &stream, 1);
                        let page = if timer == IncidentTimer::Warn {
                            PageKind::IncidentUpdateDue
                        } else {
                            PageKind::IncidentUpdateOverdue
                        };
                        let page = page_of(event_id, 0, current.commander(), page, body);
                        self.page(d, page, now);
                        vec![IncidentEvent { at: now, kind }]
                    }
                    IncidentTimer::FollowUp => self.follow_ups(d, &current, now),
                };
                if events.is_empty() {
                    break;
                }
                for e in &events {
                    current.apply(e);
                }
                d.push(stream, events.into_iter().map(Event::Incident));
            }
        }
    }

    /// A follow-up for every affected customer not yet followed up: the
    /// configured survey through the shared contact budget, or, when it
    /// cannot go, a task for their account manager (else the survey
    /// follow-up owner).
    fn follow_ups(&self, d: &mut Drafts, i: &Incident, now: DateTime<Utc>) -> Vec<IncidentEvent> {
        let stream = StreamId::Incident(i.id());
        let survey = self.config.incidents.follow_up_survey.as_deref();
        let mut events = Vec::new();
        for (c, v) in i
            .affected()
            .iter()
            .filter(|c| !i.followed_up().contains(c))
            .filter_map(|c| self.customer(*c))
            .zip(1u64..)
        {
            let event_id = d.event_id(self, &stream, v);
            let contact = super::surveys::survey_contact(c);
            let outcome = match (survey, contact) {
                (Some(survey), Some((contact, _))) if self.quiet_until(contact, now).is_none() => {
                    let id = invitation_of(event_id);
                    let new = NewInvitation {
                        id,
                        survey: survey.to_owned(),
                        kind: SurveyKind::IncidentFollowUp,
                        customer: c.id(),
                        contact,
                        ticket: None,
                        agent: None,
                        wave: None,
                    };
                    let invited = self
                        .state
                        .surveys
                        .invite(new, &self.config.surveys, now)
                        .map_err(Error::from)
                        .and_then(|e| self.push_survey_event(d, e, now));
                    match invited {
                        Ok(()) => FollowUpOutcome::Survey {
                            invitation: id,
                            contact,
                        },
                        Err(e) => self.follow_up_task(d, event_id, c, i, &e.to_string(), now),
                    }
                }
                (None, _) => {
                    self.follow_up_task(d, event_id, c, i, "no follow-up survey is configured", now)
                }
                (Some(_), None) => self.follow_up_task(
                    d,
                    event_id,
                    c,
                    i,
                    "no contact can be emailed a survey",
                    now,
                ),
                (Some(_), Some(_)) => self.follow_up_task(
                    d,
                    event_id,
                    c,
                    i,
                    "the survey contact is in their quiet period",
                    now,
                ),
            };
            events.push(IncidentEvent {
                at: now,
                kind: IncidentEventKind::FollowedUp {
                    customer: c.id(),
                    outcome,
                },
            });
        }
        events
    }

    fn follow_up_task(
        &self,
        d: &mut Drafts,
        event: EventId,
        c: &Customer,
        i: &Incident,
        reason: &str,
        now: DateTime<Utc>,
    ) -> FollowUpOutcome {
        let owner = c
            .account_team()
            .iter()
            .find(|(a, r)| **r == Role::AccountManager && self.active_agent(**a).is_ok())
            .map(|(a, _)| *a)
            .or(self.config.surveys.follow_up_owner);
        if let Some(owner) = owner {
            let body = self.text(
                TemplateName::IncidentFollowUp,
                &[
                    ("organisation", c.organisation()),
                    ("title", i.title()),
                    ("reason", reason),
                ],
            );
            let page = page_of(event, 0, owner, PageKind::IncidentFollowUp, body);
            self.page(d, page, now);
        }
        FollowUpOutcome::Task {
            owner,
            reason: reason.to_owned(),
        }
    }
}

/// The credits due, amounts and all, and the customers held back.
pub(crate) struct DueCredits {
    credits: Vec<Credit>,
    held: Vec<CreditHeld>,
}

fn push_incident(d: &mut Drafts, stream: StreamId, draft: IncidentDraft) {
    d.push(
        stream,
        [Event::Incident(IncidentEvent {
            at: draft.at,
            kind: draft.kind,
        })],
    );
}
