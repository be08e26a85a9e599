//! Survey invitations and answers as events, and the contact budget.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::{Rating, Response, Survey};
use crate::id::{AgentId, ContactId, CustomerId, InvitationId, TicketId};
use crate::time::{self, DurationOutOfRange};

configured_seconds!(
    quiet_period_seconds: "survey quiet_period" from 0,
    valid_for_seconds: "survey valid_for" from 0,
    follow_up_within_seconds: "survey follow_up_within" from 0,
);

/// What a survey is for. Every kind draws on one contact budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SurveyKind {
    /// A relationship NPS wave.
    Nps,
    /// Satisfaction after a solved ticket.
    Csat,
    /// A follow-up after an incident.
    IncidentFollowUp,
}

/// How surveys are run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SurveyConfig {
    /// The surveys, by name.
    #[serde(default)]
    pub surveys: BTreeMap<String, Survey>,
    /// No contact is invited again within this long of their last
    /// invitation, whatever its kind (default 90 days).
    #[serde(with = "quiet_period_seconds")]
    pub quiet_period: Duration,
    /// How long an invitation can be answered (default 30 days).
    #[serde(with = "valid_for_seconds")]
    pub valid_for: Duration,
    /// An NPS at or below this (or a CSAT rating of fair or poor) opens a
    /// personal follow-up (default 4).
    pub low_score: u8,
    /// An NPS at or above this sends a thank-you (default 9).
    pub thank_at: u8,
    /// How soon the follow-up must happen (default 1 day): its own timer.
    #[serde(with = "follow_up_within_seconds")]
    pub follow_up_within: Duration,
    /// Who follows up a low score when the customer has no active account
    /// manager and the rated agent (if any) no active manager.
    pub follow_up_owner: Option<AgentId>,
    /// Refuse a survey sent or a wave run that could leave a low score's
    /// follow-up without a named owner (a customer with no account
    /// manager, no rated agent with a manager, and no
    /// [`SurveyConfig::follow_up_owner`]); default off.
    #[serde(default)]
    pub require_follow_up_owner: bool,
    /// The survey sent when a ticket is solved (CSAT), if any: sent to the
    /// requester unless they are in their quiet period.
    #[serde(default)]
    pub csat_on_solve: Option<String>,
}

impl Default for SurveyConfig {
    fn default() -> Self {
        SurveyConfig {
            surveys: BTreeMap::new(),
            quiet_period: Duration::days(90),
            valid_for: Duration::days(30),
            low_score: 4,
            thank_at: 9,
            follow_up_within: Duration::days(1),
            follow_up_owner: None,
            require_follow_up_owner: false,
            csat_on_solve: None,
        }
    }
}

impl SurveyConfig {
    /// Checks the durations: each from 0 to 100 years (reading a
    /// configuration checks them too).
    ///
    /// # Errors
    /// [`DurationOutOfRange`] naming the first setting out of range.
    pub fn validate(&self) -> Result<(), DurationOutOfRange> {
        time::check_configured("survey quiet_period", self.quiet_period)?;
        time::check_configured("survey valid_for", self.valid_for)?;
        time::check_configured("survey follow_up_within", self.follow_up_within)?;
        Ok(())
    }
    /// With a survey.
    #[must_use]
    pub fn with_survey(mut self, survey: Survey) -> Self {
        self.surveys.insert(survey.name().to_owned(), survey);
        self
    }
    /// Sends this survey (a CSAT) when a ticket is solved.
    #[must_use]
    pub fn csat_on_solve(mut self, survey: &str) -> Self {
        self.csat_on_solve = Some(survey.to_owned());
        self
    }
    /// With who follows up by default.
    #[must_use]
    pub fn with_follow_up_owner(mut self, agent: AgentId) -> Self {
        self.follow_up_owner = Some(agent);
        self
    }
    /// Refuses campaigns that could leave a follow-up without an owner
    /// (see [`SurveyConfig::require_follow_up_owner`]).
    #[must_use]
    pub fn requiring_follow_up_owners(mut self) -> Self {
        self.require_follow_up_owner = true;
        self
    }
    /// Whether an answer giving these scores asks for a personal follow-up:
    /// an NPS at or below [`SurveyConfig::low_score`], or a rating of fair
    /// or poor.
    #[must_use]
    pub fn follows_up(&self, nps: Option<u8>, csat: Option<Rating>) -> bool {
        nps.is_some_and(|n| n <= self.low_score)
            || csat.is_some_and(|r| matches!(r, Rating::Fair | Rating::Poor))
    }
    /// Whether an answer giving this NPS earns a thank-you: at or above
    /// [`SurveyConfig::thank_at`].
    #[must_use]
    pub fn thanks(&self, nps: Option<u8>) -> bool {
        nps.is_some_and(|n| n >= self.thank_at)
    }
}

/// An invitation to answer a survey.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invitation {
    /// Its id.
    pub id: InvitationId,
    /// Which survey.
    pub survey: String,
    /// What for.
    pub kind: SurveyKind,
    /// The customer.
    pub customer: CustomerId,
    /// The contact asked.
    pub contact: ContactId,
    /// The ticket it follows (CSAT), if any.
    pub ticket: Option<TicketId>,
    /// The agent it rates (CSAT), if any.
    pub agent: Option<AgentId>,
    /// The wave it belongs to, if any.
    pub wave: Option<String>,
    /// When it was sent.
    pub sent_at: DateTime<Utc>,
    /// Answers after this are refused.
    pub expires_at: DateTime<Utc>,
}

/// Something that happened to a survey invitation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SurveyEvent {
    /// When.
    pub at: DateTime<Utc>,
    /// What.
    pub kind: SurveyEventKind,
}

/// What happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum SurveyEventKind {
    /// An invitation went out.
    Invited {
        /// The invitation.
        invitation: Invitation,
    },
    /// It was answered.
    Answered {
        /// Which.
        invitation: InvitationId,
        /// The answers.
        response: Response,
        /// The NPS score in it, if the survey asks one.
        nps: Option<u8>,
        /// The first rating in it, for CSAT, if any.
        csat: Option<Rating>,
    },
}

/// An invitation and its answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationRecord {
    /// The invitation.
    pub invitation: Invitation,
    /// When it was answered, and how.
    pub answered: Option<(DateTime<Utc>, Response)>,
    /// Its NPS score.
    pub nps: Option<u8>,
    /// Its CSAT rating.
    pub csat: Option<Rating>,
}

/// The survey-invitation aggregate: every invitation sent, its answer, and
/// when each contact was last invited (the survey budget). A pure fold of
/// [`SurveyEvent`]s.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Invitations {
    records: std::collections::BTreeMap<crate::id::InvitationId, InvitationRecord>,
    last_invited: std::collections::BTreeMap<crate::id::ContactId, DateTime<Utc>>,
    /// The CSAT ratings of invitations that left memory with their
    /// archived tickets, per agent: so CSAT by agent and team still counts
    /// them.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    archived_csat: std::collections::BTreeMap<crate::id::AgentId, super::Csat>,
    /// The invitations about each ticket. Derived from `records`: rebuilt
    /// by [`Invitations::reindex`].
    #[serde(skip)]
    by_ticket: std::collections::BTreeSet<(TicketId, crate::id::InvitationId)>,
}

impl SurveyEvent {
    /// This event with the words of an answer to one of `invitations`
    /// erased (see [`Response::erase_texts`]), or `None` when it holds
    /// none.
    #[must_use]
    pub fn erased_for(
        &self,
        invitations: &std::collections::BTreeSet<InvitationId>,
    ) -> Option<SurveyEvent> {
        let mut e = self.clone();
        match &mut e.kind {
            SurveyEventKind::Answered {
                invitation,
                response,
                ..
            } if invitations.contains(invitation) => response.erase_texts(),
            _ => return None,
        }
        (e != *self).then_some(e)
    }
}

impl Invitations {
    /// Forgets the invitations about an archived ticket, keeping their
    /// CSAT ratings in the per-agent tally ([`Invitations::archived_csat`]).
    /// Answers to them after this are answers to an unknown invitation.
    pub(crate) fn forget_ticket(&mut self, ticket: TicketId) -> Vec<crate::id::InvitationId> {
        let first = crate::id::InvitationId::from_uuid(uuid::Uuid::nil());
        let about: Vec<_> = self
            .by_ticket
            .range((ticket, first)..)
            .take_while(|(t, _)| *t == ticket)
            .copied()
            .collect();
        for key in &about {
            self.by_ticket.remove(key);
            if let Some(r) = self.records.remove(&key.1)
                && let (Some(agent), Some(rating)) = (r.invitation.agent, r.csat)
            {
                self.archived_csat.entry(agent).or_default().add(rating);
            }
        }
        about.into_iter().map(|(_, id)| id).collect()
    }

    /// The invitations about `ticket`, by id.
    pub fn about(&self, ticket: TicketId) -> impl Iterator<Item = crate::id::InvitationId> + '_ {
        let first = crate::id::InvitationId::from_uuid(uuid::Uuid::nil());
        self.by_ticket
            .range((ticket, first)..)
            .take_while(move |(t, _)| *t == ticket)
            .map(|(_, i)| *i)
    }

    /// The CSAT ratings, per agent, of invitations archived with their
    /// tickets.
    #[must_use]
    pub fn archived_csat(&self) -> &std::collections::BTreeMap<crate::id::AgentId, super::Csat> {
        &self.archived_csat
    }

    /// Builds the by-ticket index again (after a snapshot is restored: it
    /// is not part of it).
    pub(crate) fn reindex(&mut self) {
        self.by_ticket = self
            .records
            .values()
            .filter_map(|r| r.invitation.ticket.map(|t| (t, r.invitation.id)))
            .collect();
    }

    /// Erases the words of `contact`'s answers, as
    /// [`SurveyEvent::erased_for`] erases them from the record.
    pub(crate) fn erase_answers_of(&mut self, contact: ContactId) {
        for r in self.records.values_mut() {
            if r.invitation.contact == contact
                && let Some((_, response)) = &mut r.answered
            {
                response.erase_texts();
            }
        }
    }

    /// The words of `contact`'s answers not yet erased (what a follow-up
    /// note may quote).
    pub(crate) fn comments_of(&self, contact: ContactId) -> Vec<String> {
        self.records
            .values()
            .filter(|r| r.invitation.contact == contact)
            .filter_map(|r| r.answered.as_ref())
            .flat_map(|(_, response)| response.comments())
            .filter(|c| c != crate::text::ERASED)
            .collect()
    }

    /// The invitations sent to `contact`.
    pub(crate) fn sent_to(&self, contact: ContactId) -> std::collections::BTreeSet<InvitationId> {
        self.records
            .values()
            .filter(|r| r.invitation.contact == contact)
            .map(|r| r.invitation.id)
            .collect()
    }

    /// One invitation and its answer.
    #[must_use]
    pub fn get(&self, id: crate::id::InvitationId) -> Option<&InvitationRecord> {
        self.records.get(&id)
    }

    /// Whether an invitation id is taken.
    #[must_use]
    pub fn contains(&self, id: crate::id::InvitationId) -> bool {
        self.records.contains_key(&id)
    }

    /// Every invitation, by id.
    pub fn iter(&self) -> impl Iterator<Item = &InvitationRecord> {
        self.records.values()
    }

    /// When a contact was last invited to any survey.
    #[must_use]
    pub fn last_invited(&self, contact: crate::id::ContactId) -> Option<DateTime<Utc>> {
        self.last_invited.get(&contact).copied()
    }

    /// Until when a contact is in their quiet period at `now` (the
    /// `quiet_period` after their last invitation to any survey), if they
    /// are.
    #[must_use]
    pub fn quiet_until(
        &self,
        contact: crate::id::ContactId,
        quiet_period: Duration,
        now: DateTime<Utc>,
    ) -> Option<DateTime<Utc>> {
        self.last_invited(contact)
            .map(|t| time::plus(t, quiet_period))
            .filter(|until| *until > now)
    }

    /// Folds one survey event.
    pub fn apply(&mut self, e: &SurveyEvent) {
        match &e.kind {
            SurveyEventKind::Invited { invitation } => {
                self.last_invited
                    .insert(invitation.contact, invitation.sent_at);
                if let Some(t) = invitation.ticket {
                    self.by_ticket.insert((t, invitation.id));
                }
                self.records.insert(
                    invitation.id,
                    InvitationRecord {
                        invitation: invitation.clone(),
                        answered: None,
                        nps: None,
                        csat: None,
                    },
                );
            }
            SurveyEventKind::Answered {
                invitation,
                response,
                nps,
                csat,
            } => {
                if let Some(r) = self.records.get_mut(invitation) {
                    r.answered = Some((e.at, response.clone()));
                    r.nps = *nps;
                    r.csat = *csat;
                }
            }
        }
    }
}

/// The scores a response gives on a survey.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Scores {
    /// Its NPS score (the first NPS question answered).
    pub nps: Option<u8>,
    /// Its CSAT rating (the first rated scale question answered).
    pub csat: Option<Rating>,
}

/// NPS of one wave, for a trend.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct WaveNps {
    /// The wave's name.
    pub wave: String,
    /// Its NPS.
    pub nps: super::Nps,
}

/// The NPS score and first rating a response gives on a survey.
#[must_use]
pub fn scores_of(survey: &Survey, response: &Response) -> Scores {
    let mut nps = None;
    let mut csat = None;
    for q in survey.questions() {
        match (&q.kind, response.answers.get(&q.id)) {
            (super::QuestionKind::Nps, Some(super::Answer::Nps(n))) if nps.is_none() => {
                nps = Some(*n)
            }
            (super::QuestionKind::Scale { .. }, Some(super::Answer::Scale(r)))
                if csat.is_none() && r.points().is_some() =>
            {
                csat = Some(*r);
            }
            _ => {}
        }
    }
    Scores { nps, csat }
}
