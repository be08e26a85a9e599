//! The desk and surveys: invitations under one contact budget, waves
//! sampled from a seed, answers with follow-ups and thank-yous, and NPS and
//! CSAT reports.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};

use super::decision::{invitation_of, message_of, salt};
use super::{Desk, DeskError, Drafts, SurveyAction, outbox};
use crate::agent::Role;
use crate::channel::{Channel, ChannelAddress, ChannelKind};
use crate::customer::{ContactRole, Customer};
use crate::error::Error;
use crate::event::{Event, StreamId};
use crate::id::{AgentId, ContactId, CustomerId, TeamId};
use crate::outbox::{OutboundMessage, OutboxEventKind, Recipient};
use crate::sla::{TicketSla, promise, react};
use crate::survey::{
    Csat, Invitation, InvitationRecord, NewInvitation, Nps, Rating, SurveyContact, SurveyContext,
    SurveyError, SurveyEvent, SurveyEventKind, SurveyKind, WaveNps,
};
use crate::template::TemplateName;
use crate::ticket::{OpenTicket, Tag, Ticket, TicketCommand, TicketType};

/// The contact a survey goes to for a customer: the primary point of
/// contact, else the first contact with an email address; with that email.
pub(super) fn survey_contact(c: &Customer) -> Option<(ContactId, ChannelAddress)> {
    let email = |ct: &crate::customer::Contact| {
        ct.addresses()
            .iter()
            .find(|a| a.kind() == ChannelKind::Email && ct.is_deliverable(a))
            .cloned()
            .map(|a| (ct.id(), a))
    };
    c.contacts()
        .filter(|ct| ct.roles().contains(&ContactRole::Primary))
        .find_map(email)
        .or_else(|| c.contacts().find_map(email))
}

impl Desk {
    /// See [`SurveysView::invitations`].
    pub(crate) fn invitations(&self) -> impl Iterator<Item = &InvitationRecord> {
        self.state.surveys.iter()
    }

    /// See [`SurveysView::quiet_until`].
    pub(crate) fn quiet_until(
        &self,
        contact: ContactId,
        now: DateTime<Utc>,
    ) -> Option<DateTime<Utc>> {
        self.state
            .surveys
            .quiet_until(contact, self.config.surveys.quiet_period, now)
    }

    /// See [`SurveysView::nps_of_wave`].
    pub(crate) fn nps_of_wave(&self, wave: &str) -> Nps {
        self.nps_where(|i| i.invitation.wave.as_deref() == Some(wave))
    }

    /// See [`SurveysView::nps_trend`].
    pub(crate) fn nps_trend(&self) -> Vec<WaveNps> {
        let mut first: BTreeMap<&str, DateTime<Utc>> = BTreeMap::new();
        for i in self.state.surveys.iter() {
            if let Some(w) = i.invitation.wave.as_deref() {
                let e = first.entry(w).or_insert(i.invitation.sent_at);
                *e = (*e).min(i.invitation.sent_at);
            }
        }
        let mut waves: Vec<(&str, DateTime<Utc>)> = first.into_iter().collect();
        waves.sort_by_key(|(w, t)| (*t, *w));
        waves
            .into_iter()
            .map(|(w, _)| WaveNps {
                wave: w.to_owned(),
                nps: self.nps_of_wave(w),
            })
            .collect()
    }

    /// See [`SurveysView::nps_by_segment`].
    pub(crate) fn nps_by_segment(&self, wave: &str) -> BTreeMap<String, Nps> {
        let mut out: BTreeMap<String, Nps> = BTreeMap::new();
        for i in self.state.surveys.iter() {
            if i.invitation.wave.as_deref() != Some(wave) {
                continue;
            }
            if let Some(n) = i.nps {
                let seg = self
                    .config
                    .sla
                    .segment(i.invitation.customer)
                    .unwrap_or("none")
                    .to_owned();
                let _ = out.entry(seg).or_default().add(n);
            }
        }
        out
    }

    pub(super) fn nps_where(&self, pick: impl Fn(&InvitationRecord) -> bool) -> Nps {
        let mut n = Nps::default();
        for i in self.state.surveys.iter().filter(|i| pick(i)) {
            if let Some(s) = i.nps {
                let _ = n.add(s);
            }
        }
        n
    }

    /// See [`SurveysView::csat_by_agent`].
    pub(crate) fn csat_by_agent(&self) -> BTreeMap<AgentId, Csat> {
        // Ratings on archived tickets' invitations count too.
        let mut out: BTreeMap<AgentId, Csat> = self.state.surveys.archived_csat().clone();
        for i in self.state.surveys.iter() {
            if let (Some(a), Some(r)) = (i.invitation.agent, i.csat) {
                out.entry(a).or_default().add(r);
            }
        }
        out
    }

    /// See [`SurveysView::csat_by_team`].
    pub(crate) fn csat_by_team(&self) -> BTreeMap<TeamId, Csat> {
        let by_agent = self.csat_by_agent();
        self.state
            .people
            .teams()
            .map(|t| {
                let mut c = Csat::default();
                for m in t.members() {
                    if let Some(a) = by_agent.get(m) {
                        c.satisfied += a.satisfied;
                        c.rated += a.rated;
                    }
                }
                (t.id(), c)
            })
            .collect()
    }

    /// The first email address of a customer's contact: where their survey
    /// invitations go.
    pub(super) fn survey_email(
        &self,
        customer: CustomerId,
        contact: ContactId,
    ) -> Option<ChannelAddress> {
        self.customer(customer)
            .and_then(|c| c.contact(contact))
            .and_then(|c| {
                c.addresses()
                    .iter()
                    .find(|a| a.kind() == ChannelKind::Email && c.is_deliverable(a))
                    .cloned()
            })
    }

    /// On a solved ticket: the configured CSAT survey to its requester,
    /// rating its assignee, unless the requester cannot be emailed or the
    /// survey area refuses it (a quiet period: the budget is shared with
    /// every other survey). The invitation id is derived from the solving
    /// event, so it is stable.
    pub(super) fn csat_on_solve(
        &self,
        d: &mut Drafts,
        t: &crate::ticket::Ticket,
        agent: Option<AgentId>,
        solving_event: crate::id::EventId,
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        let Some(survey) = self.config.surveys.csat_on_solve.as_deref() else {
            return Ok(());
        };
        let Some(contact) = t.requester() else {
            return Ok(());
        };
        if self.survey_email(t.customer(), contact).is_none() {
            return Ok(());
        }
        let new = NewInvitation {
            id: invitation_of(solving_event),
            survey: survey.to_owned(),
            kind: SurveyKind::Csat,
            customer: t.customer(),
            contact,
            ticket: Some(t.id()),
            agent,
            wave: None,
        };
        if let Ok(e) = self.state.surveys.invite(new, &self.config.surveys, now) {
            self.push_survey_event(d, e, now)?;
        }
        Ok(())
    }

    /// Routes a survey command to the survey area with what it needs from
    /// the others: the survey contacts of the customer asked (or, for a
    /// wave, of every customer) and who is in an active incident.
    pub(super) fn decide_survey(
        &self,
        d: &mut Drafts,
        action: SurveyAction,
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        let contact_of = |c: &Customer| {
            survey_contact(c).map(|(contact, _)| SurveyContact {
                customer: c.id(),
                contact,
            })
        };
        let mut contacts = Vec::new();
        let mut in_incident = BTreeSet::new();
        let require = self.config.surveys.require_follow_up_owner;
        let owned = |c: &Customer, agent: Option<AgentId>| {
            if require && self.follow_up_owner(c, agent).is_none() {
                Err(SurveyError::NoFollowUpOwner { customer: c.id() })
            } else {
                Ok(())
            }
        };
        match &action {
            SurveyAction::Send {
                customer, agent, ..
            } => {
                let c = self.customer_or_err(*customer)?;
                owned(c, *agent)?;
                contacts.extend(contact_of(c));
            }
            SurveyAction::RunWave { exclude, .. } => {
                in_incident = self.customers_in_active_incidents();
                for c in self.state.customers.iter() {
                    let Some(contact) = contact_of(c) else {
                        continue;
                    };
                    // Any customer the wave could sample must have an owner.
                    if !exclude.contains(&c.id()) && !in_incident.contains(&c.id()) {
                        owned(c, None)?;
                    }
                    contacts.push(contact);
                }
            }
            // A contact answers only their own invitation; someone else's
            // is, to them, no invitation at all.
            SurveyAction::Answer { invitation, .. } => {
                if let crate::actor::Actor::Contact(c) = d.actor() {
                    let theirs = self
                        .invitations()
                        .any(|i| i.invitation.id == *invitation && i.invitation.contact == *c);
                    if !theirs {
                        return Err(SurveyError::UnknownInvitation(*invitation).into());
                    }
                }
            }
        }
        let ctx = SurveyContext {
            config: &self.config.surveys,
            contacts: &contacts,
            in_incident: &in_incident,
        };
        let events = self
            .state
            .surveys
            .handle(action, &ctx, now)
            .map_err(|e| match e {
                SurveyError::NoSurveyContact(customer) => Error::from(DeskError::NoEmail(customer)),
                e => Error::from(e),
            })?;
        for e in events {
            self.push_survey_event(d, e, now)?;
        }
        Ok(())
    }

    /// Pushes an event the survey area decided, with what it sets off in
    /// other areas: an invitation's email to its contact; for an answer
    /// with a low score a personal follow-up, and for a high one a
    /// thank-you.
    pub(super) fn push_survey_event(
        &self,
        d: &mut Drafts,
        e: SurveyEvent,
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        match &e.kind {
            SurveyEventKind::Invited { invitation: inv } => {
                // A contact's invitations are one stream: the quiet period
                // is checked on it (see `StreamId`).
                let stream = StreamId::Invitations(inv.contact);
                let address = self
                    .survey_email(inv.customer, inv.contact)
                    .ok_or(DeskError::NoEmail(inv.customer))?;
                let message = OutboundMessage {
                    id: d.message_id(self, &stream, 1, salt::MESSAGE),
                    channel: Channel::Email,
                    recipient: Recipient::Contact {
                        contact: inv.contact,
                        address,
                    },
                    body: self.text_for(
                        inv.customer,
                        inv.contact,
                        TemplateName::SurveyInvitation,
                        &[
                            ("survey", &inv.survey.to_string()),
                            ("invitation", &inv.id.to_string()),
                        ],
                    ),
                    ticket: inv.ticket,
                    queued_at: now,
                    deliver_after: None,
                    attachments: Vec::new(),
                    automatic: true,
                };
                d.push(stream, [Event::Survey(e)]);
                d.push_outbox([outbox(now, OutboxEventKind::Queued { message })]);
            }
            SurveyEventKind::Answered {
                invitation,
                response,
                nps,
                csat,
            } => {
                let (nps, csat) = (*nps, *csat);
                let inv = &self
                    .state
                    .surveys
                    .get(*invitation)
                    .ok_or(SurveyError::UnknownInvitation(*invitation))?
                    .invitation;
                // On the stream of the contact it was sent to, wherever
                // (the legacy surveys stream) it was recorded.
                let stream = StreamId::Invitations(inv.contact);
                let comment = response.comments();
                let answered_id = d.event_id(self, &stream, 1);
                d.push(stream, [Event::Survey(e)]);
                let cfg = &self.config.surveys;
                // Every comment is assessed: a crisis opens the follow-up
                // as a crisis ticket (its words restricted), with no note
                // quoting it and no cheerful thank-you.
                let crisis = !comment.is_empty()
                    && crate::crisis::CrisisClassifier::assess(
                        &self.config.crisis.policy,
                        &comment.join("\n"),
                    )
                    .is_some();
                if crisis {
                    self.push_crisis_follow_up(d, inv, &comment, now)?;
                } else if cfg.follows_up(nps, csat) {
                    self.push_follow_up(d, inv, nps, csat, &comment, now)?;
                }
                if !crisis
                    && cfg.thanks(nps)
                    && let Some((contact, address)) =
                        self.customer(inv.customer).and_then(survey_contact)
                {
                    let message = OutboundMessage {
                        id: message_of(answered_id, salt::THANK_YOU),
                        channel: Channel::Email,
                        recipient: Recipient::Contact { contact, address },
                        body: self.text_for(inv.customer, contact, TemplateName::SurveyThanks, &[]),
                        ticket: inv.ticket,
                        queued_at: now,
                        deliver_after: None,
                        attachments: Vec::new(),
                        automatic: true,
                    };
                    d.push_outbox([outbox(now, OutboxEventKind::Queued { message })]);
                }
            }
        }
        Ok(())
    }

    /// A survey comment that signals a crisis: the survey's follow-up
    /// ticket opens with the comment as the contact's own message, so the
    /// desk flags it and takes it to a safety responder like any other
    /// crisis; nobody else reads the words.
    fn push_crisis_follow_up(
        &self,
        d: &mut Drafts,
        inv: &Invitation,
        comment: &[String],
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        let open = OpenTicket::new(
            inv.id.follow_up_ticket(),
            inv.customer,
            &self.text(
                TemplateName::SurveyCrisisSubject,
                &[("survey", &inv.survey.to_string())],
            ),
            Channel::Phone,
        )
        .requested_by(inv.contact)
        .with_type(TicketType::Task)
        .with_message(
            crate::ticket::Author::Contact(inv.contact),
            &comment.join("\n"),
        );
        self.decide_open(d, open, now)
    }

    /// Who follows up a low score from `customer` rating `agent`: the
    /// customer's active account manager, else the rated agent's nearest
    /// active manager (their lead), else the configured owner — never the
    /// rated agent: nobody follows up their own detractor.
    pub(super) fn follow_up_owner(
        &self,
        customer: &Customer,
        agent: Option<AgentId>,
    ) -> Option<AgentId> {
        // Anyone but the rated agent.
        let active = |a: AgentId| Some(a) != agent && self.agent(a).is_some_and(|x| x.is_active());
        customer
            .account_team()
            .iter()
            .find(|(a, r)| **r == Role::AccountManager && active(**a))
            .map(|(a, _)| *a)
            .or_else(|| {
                agent.and_then(|a| {
                    self.state
                        .people
                        .chain_of(a)
                        .into_iter()
                        .find(|m| active(*m))
                })
            })
            .or(self
                .config
                .surveys
                .follow_up_owner
                .filter(|o| Some(*o) != agent))
    }

    /// A personal follow-up: a task ticket for a named person (the
    /// customer's account manager, else the rated agent's lead, else the
    /// configured owner) with its own timer, kept by a public reply.
    fn push_follow_up(
        &self,
        d: &mut Drafts,
        inv: &Invitation,
        nps: Option<u8>,
        csat: Option<Rating>,
        comment: &[String],
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        let customer = self.customer_or_err(inv.customer)?;
        let owner = self.follow_up_owner(customer, inv.agent);
        let score = match (nps, csat) {
            (Some(n), _) => self.text(TemplateName::SurveyScoreNps, &[("nps", &n.to_string())]),
            (None, Some(r)) => self.text(
                TemplateName::SurveyScoreRating,
                &[
                    ("rating", &format!("{r:?}").to_lowercase()),
                    (
                        "points",
                        &r.points().map_or_else(String::new, |p| p.to_string()),
                    ),
                ],
            ),
            _ => self.text(TemplateName::SurveyScoreLow, &[]),
        };
        let survey = inv.survey.to_string();
        let ticket = inv.id.follow_up_ticket();
        let mut open = OpenTicket::new(
            ticket,
            inv.customer,
            &self.text(
                TemplateName::SurveyFollowUpSubject,
                &[("score", &score), ("survey", &survey)],
            ),
            Channel::Phone,
        )
        .requested_by(inv.contact)
        .with_type(TicketType::Task);
        if let Ok(tag) = Tag::new("survey-follow-up") {
            open = open.with_tag(tag);
        }
        let rules = &self.config.ticket_rules;
        let mut events = Ticket::open(open, rules, now)?;
        if let Some(owner) = owner {
            let mut t = Ticket::from_events(&events).ok_or(DeskError::UnknownTicket(ticket))?;
            let note = if comment.is_empty() {
                self.text(
                    TemplateName::SurveyFollowUpNote,
                    &[("customer", &inv.customer.to_string()), ("score", &score)],
                )
            } else {
                self.text(
                    TemplateName::SurveyFollowUpComment,
                    &[("score", &score), ("comment", &comment.join(" / "))],
                )
            };
            for cmd in [
                TicketCommand::Assign(Some(owner)),
                TicketCommand::Note {
                    agent: owner,
                    body: note,
                    attachments: Vec::new(),
                },
            ] {
                let more = t.handle_with(cmd, rules, now)?;
                for e in &more {
                    t.apply(e);
                }
                events.extend(more);
            }
        }
        let sla_events = react(None, &events, inv.customer, &self.config.sla, now);
        let mut sla = TicketSla::new(ticket, inv.customer);
        for e in &sla_events {
            sla.apply(e);
        }
        let timer = promise(
            &sla,
            crate::time::plus(now, self.config.surveys.follow_up_within),
            now,
        );
        d.push(
            StreamId::Ticket(ticket),
            events.into_iter().map(Event::Ticket),
        );
        d.push(
            StreamId::Sla(ticket),
            sla_events.into_iter().chain([timer]).map(Event::Sla),
        );
        Ok(())
    }
}
