//! The desk and surveys: invitations under one contact budget, waves
//! sampled from a seed, answers with follow-ups and thank-yous, and NPS and
//! CSAT reports.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::decision::{invitation_of, message_of, salt};
use super::{Desk, DeskError, Drafts, SurveyAction, outbox};
use crate::agent::Role;
use crate::channel::{Channel, ChannelAddress, ChannelKind};
use crate::customer::{ContactRole, Customer};
use crate::error::Error;
use crate::event::{Event, StreamId};
use crate::id::{AgentId, ContactId, CustomerId, IdGenerator, InvitationId, TeamId};
use crate::outbox::{OutboundMessage, OutboxEventKind, Recipient};
use crate::sla::{TicketSla, promise, react};
use crate::survey::{
    Csat, Invitation, InvitationRecord, Nps, Rating, Response, SurveyError, SurveyEvent,
    SurveyEventKind, SurveyKind, WaveNps, scores_of,
};
use crate::ticket::{OpenTicket, Tag, Ticket, TicketCommand, TicketType};

/// The contact a survey goes to for a customer: the primary point of
/// contact, else the first contact with an email address; with that email.
pub(super) fn survey_contact(c: &Customer) -> Option<(ContactId, ChannelAddress)> {
    let email = |ct: &crate::customer::Contact| {
        ct.addresses()
            .iter()
            .find(|a| a.kind() == ChannelKind::Email)
            .cloned()
            .map(|a| (ct.id(), a))
    };
    c.contacts()
        .filter(|ct| ct.roles().contains(&ContactRole::Primary))
        .find_map(email)
        .or_else(|| c.contacts().find_map(email))
}

/// What an invitation is: who is asked which survey, and about what. The
/// desk adds when it goes out and when it expires (see the desk's survey deciding).
pub(super) struct InvitationParts<'a> {
    /// The invitation's id (derived, or the caller's).
    pub(super) id: InvitationId,
    /// The configured survey.
    pub(super) survey: &'a str,
    /// What it asks about.
    pub(super) kind: SurveyKind,
    /// The customer asked.
    pub(super) customer: CustomerId,
    /// Their contact who answers.
    pub(super) contact: ContactId,
    /// The ticket it is about, if any.
    pub(super) ticket: Option<crate::id::TicketId>,
    /// The agent it is about, if any.
    pub(super) agent: Option<AgentId>,
    /// The wave it belongs to, if any.
    pub(super) wave: Option<String>,
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
            .last_invited(contact)
            .map(|t| crate::time::plus(t, self.config.surveys.quiet_period))
            .filter(|until| *until > now)
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
        let mut out: BTreeMap<AgentId, Csat> = BTreeMap::new();
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

    /// On a solved ticket: the configured CSAT survey to its requester,
    /// rating its assignee, unless the requester is in a quiet period (the
    /// budget is shared with every other survey) or cannot be emailed. The
    /// invitation id is derived from the solving event, so it is stable.
    pub(super) fn csat_on_solve(
        &self,
        d: &mut Drafts,
        t: &crate::ticket::Ticket,
        agent: Option<AgentId>,
        solving_event: crate::id::EventId,
        now: DateTime<Utc>,
    ) {
        let Some(survey) = self.config.surveys.csat_on_solve.as_deref() else {
            return;
        };
        let Some(contact) = t.requester() else { return };
        let Some(address) = self
            .customer(t.customer())
            .and_then(|c| c.contact(contact))
            .and_then(|c| {
                c.addresses()
                    .iter()
                    .find(|a| a.kind() == ChannelKind::Email)
                    .cloned()
            })
        else {
            return;
        };
        if self.quiet_until(contact, now).is_some() {
            return;
        }
        let id = invitation_of(solving_event);
        let parts = InvitationParts {
            id,
            survey,
            kind: SurveyKind::Csat,
            customer: t.customer(),
            contact,
            ticket: Some(t.id()),
            agent,
            wave: None,
        };
        if let Ok(inv) = self.invitation(parts, now) {
            self.push_invitation(d, inv, address, now);
        }
    }

    pub(super) fn decide_survey(
        &self,
        d: &mut Drafts,
        action: SurveyAction,
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        match action {
            SurveyAction::Send {
                invitation,
                survey,
                kind,
                customer,
                ticket,
                agent,
            } => {
                let c = self.customer_or_err(customer)?;
                let (contact, address) = survey_contact(c).ok_or(DeskError::NoEmail(customer))?;
                if let Some(until) = self.quiet_until(contact, now) {
                    return Err(SurveyError::QuietPeriod { contact, until }.into());
                }
                let parts = InvitationParts {
                    id: invitation,
                    survey: &survey,
                    kind,
                    customer,
                    contact,
                    ticket,
                    agent,
                    wave: None,
                };
                let inv = self.invitation(parts, now)?;
                self.push_invitation(d, inv, address, now);
            }
            SurveyAction::RunWave {
                wave,
                survey,
                share_percent,
                seed,
                exclude,
            } => {
                if !(1..=100).contains(&share_percent) {
                    return Err(SurveyError::InvalidShare(share_percent).into());
                }
                let reachable: Vec<(&Customer, ContactId, ChannelAddress)> = self
                    .state
                    .customers
                    .iter()
                    .filter_map(|c| survey_contact(c).map(|(ct, a)| (c, ct, a)))
                    .collect();
                let target = (reachable.len() * usize::from(share_percent)).div_ceil(100);
                // A seeded Fisher-Yates shuffle: the same seed samples the same customers.
                let mut rng = IdGenerator::from_seed(seed);
                let mut order: Vec<usize> = (0..reachable.len()).collect();
                for i in (1..order.len()).rev() {
                    let j = usize::try_from(rng.next_u64() % (i as u64 + 1)).unwrap_or(0);
                    order.swap(i, j);
                }
                // Nobody is asked how they feel about us in the middle of an outage.
                let in_incident = self.customers_in_active_incidents();
                let mut picked = 0;
                for i in order {
                    if picked == target {
                        break;
                    }
                    let Some((c, contact, address)) = reachable.get(i) else {
                        continue;
                    };
                    if exclude.contains(&c.id())
                        || in_incident.contains(&c.id())
                        || self.quiet_until(*contact, now).is_some()
                    {
                        continue;
                    }
                    let id: InvitationId = rng.next_id();
                    let parts = InvitationParts {
                        id,
                        survey: &survey,
                        kind: SurveyKind::Nps,
                        customer: c.id(),
                        contact: *contact,
                        ticket: None,
                        agent: None,
                        wave: Some(wave.clone()),
                    };
                    let inv = self.invitation(parts, now)?;
                    self.push_invitation(d, inv, address.clone(), now);
                    picked += 1;
                }
            }
            SurveyAction::Answer {
                invitation,
                response,
            } => self.decide_answer(d, invitation, response, now)?,
        }
        Ok(())
    }

    pub(super) fn invitation(
        &self,
        parts: InvitationParts<'_>,
        now: DateTime<Utc>,
    ) -> Result<Invitation, Error> {
        let InvitationParts {
            id,
            survey,
            kind,
            customer,
            contact,
            ticket,
            agent,
            wave,
        } = parts;
        if !self.config.surveys.surveys.contains_key(survey) {
            return Err(SurveyError::UnknownSurvey(survey.to_owned()).into());
        }
        if self.state.surveys.contains(id) {
            return Err(SurveyError::DuplicateInvitation(id).into());
        }
        Ok(Invitation {
            id,
            survey: survey.to_owned(),
            kind,
            customer,
            contact,
            ticket,
            agent,
            wave,
            sent_at: now,
            expires_at: now + self.config.surveys.valid_for,
        })
    }

    pub(super) fn push_invitation(
        &self,
        d: &mut Drafts,
        inv: Invitation,
        address: ChannelAddress,
        now: DateTime<Utc>,
    ) {
        let stream = StreamId::Surveys;
        let message = OutboundMessage {
            id: d.message_id(self, &stream, 1, salt::MESSAGE),
            channel: Channel::Email,
            recipient: Recipient::Contact {
                contact: inv.contact,
                address,
            },
            body: format!(
                "How did we do? Please answer our short survey \"{}\" (invitation {}).",
                inv.survey, inv.id
            ),
            ticket: inv.ticket,
            queued_at: now,
        };
        d.push(
            stream,
            [Event::Survey(SurveyEvent {
                at: now,
                kind: SurveyEventKind::Invited { invitation: inv },
            })],
        );
        d.push(
            StreamId::Outbox,
            [outbox(now, OutboxEventKind::Queued { message })],
        );
    }

    fn decide_answer(
        &self,
        d: &mut Drafts,
        id: InvitationId,
        response: Response,
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        let record = self
            .state
            .surveys
            .get(id)
            .ok_or(SurveyError::UnknownInvitation(id))?;
        let inv = &record.invitation;
        if record.answered.is_some() {
            return Err(SurveyError::AlreadyAnswered(id).into());
        }
        if now > inv.expires_at {
            return Err(SurveyError::Expired {
                invitation: id,
                expired_at: inv.expires_at,
            }
            .into());
        }
        let survey = self
            .config
            .surveys
            .surveys
            .get(&inv.survey)
            .ok_or_else(|| SurveyError::UnknownSurvey(inv.survey.clone()))?;
        survey
            .check(&response)
            .map_err(SurveyError::InvalidResponse)?;
        let crate::survey::Scores { nps, csat } = scores_of(survey, &response);
        let cfg = &self.config.surveys;
        let low = nps.is_some_and(|n| n <= cfg.low_score)
            || csat.is_some_and(|r| matches!(r, Rating::Fair | Rating::Poor));
        let high = nps.is_some_and(|n| n >= cfg.thank_at);
        let comment: Vec<String> = response
            .answers
            .values()
            .filter_map(|a| match a {
                crate::survey::Answer::Comment(c) if !c.trim().is_empty() => {
                    Some(c.trim().to_owned())
                }
                _ => None,
            })
            .collect();
        let stream = StreamId::Surveys;
        let answered_id = d.event_id(self, &stream, 1);
        d.push(
            stream,
            [Event::Survey(SurveyEvent {
                at: now,
                kind: SurveyEventKind::Answered {
                    invitation: id,
                    response,
                    nps,
                    csat,
                },
            })],
        );
        if low {
            self.push_follow_up(d, inv, nps, csat, &comment, now)?;
        }
        if high
            && let Some((contact, address)) = self.customer(inv.customer).and_then(survey_contact)
        {
            let message = OutboundMessage {
                id: message_of(answered_id, salt::THANK_YOU),
                channel: Channel::Email,
                recipient: Recipient::Contact { contact, address },
                body: "Thank you for your feedback — it made our day.".to_owned(),
                ticket: inv.ticket,
                queued_at: now,
            };
            d.push(
                StreamId::Outbox,
                [outbox(now, OutboxEventKind::Queued { message })],
            );
        }
        Ok(())
    }

    /// A personal follow-up: a task ticket for a named person (the
    /// customer's account manager, else the agent rated, else the
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
        let owner = customer
            .account_team()
            .iter()
            .find(|(a, r)| {
                **r == Role::AccountManager && self.agent(**a).is_some_and(|x| x.is_active())
            })
            .map(|(a, _)| *a)
            .or(inv
                .agent
                .filter(|a| self.agent(*a).is_some_and(|x| x.is_active())))
            .or(self.config.surveys.follow_up_owner);
        let score = match (nps, csat) {
            (Some(n), _) => format!("NPS {n}"),
            (None, Some(r)) => format!("a rating of {r:?}").to_lowercase(),
            _ => "a low score".to_owned(),
        };
        let ticket = inv.id.follow_up_ticket();
        let mut open = OpenTicket::new(
            ticket,
            inv.customer,
            &format!("Follow up: {score} on \"{}\"", inv.survey),
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
                format!("{} gave {score}. Call them personally.", inv.customer)
            } else {
                format!(
                    "Customer gave {score} and said: \"{}\". Call them personally.",
                    comment.join(" / ")
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
        let timer = promise(&sla, now + self.config.surveys.follow_up_within, now);
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
