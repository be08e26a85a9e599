//! What the survey area can be asked, and how its invitations decide it.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{
    Invitation, Invitations, Response, Scores, SurveyConfig, SurveyError, SurveyEvent,
    SurveyEventKind, SurveyKind, scores_of,
};
use crate::id::{AgentId, ContactId, CustomerId, IdGenerator, InvitationId, TicketId};

/// What the survey area can be asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
#[non_exhaustive]
pub enum SurveyAction {
    /// Invite a customer's survey contact to a survey (CSAT after a solved
    /// ticket, an incident follow-up, a one-off NPS). Refused inside the
    /// contact's quiet period, whatever kind of survey they last had.
    Send {
        /// The caller-chosen invitation id.
        invitation: InvitationId,
        /// Which survey.
        survey: String,
        /// What for.
        kind: SurveyKind,
        /// The customer.
        customer: CustomerId,
        /// The ticket it follows, if any.
        ticket: Option<TicketId>,
        /// The agent it rates, if any.
        agent: Option<AgentId>,
    },
    /// Run an NPS wave: sample `share_percent` of customers with a survey
    /// contact, deterministically from `seed`, skipping anyone in a quiet
    /// period or in `exclude` (customers in an active incident).
    RunWave {
        /// The wave's name ("2026-Q4").
        wave: String,
        /// Which survey.
        survey: String,
        /// Share of customers, 1 to 100.
        share_percent: u8,
        /// The seed.
        seed: u64,
        /// Customers not to survey now.
        exclude: Vec<CustomerId>,
    },
    /// A survey answer arrived.
    Answer {
        /// The invitation.
        invitation: InvitationId,
        /// The answers.
        response: Response,
    },
}

/// A customer's survey contact: who a survey for that customer goes to (the
/// caller knows an email address for them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SurveyContact {
    /// The customer.
    pub customer: CustomerId,
    /// Their contact who answers.
    pub contact: ContactId,
}

/// What the survey area is told from outside it when it decides.
#[derive(Debug, Clone, Copy)]
pub struct SurveyContext<'a> {
    /// How surveys are run: the surveys by name, the quiet period, how long
    /// an invitation can be answered.
    pub config: &'a SurveyConfig,
    /// Survey contacts: for [`SurveyAction::Send`], the customer's (none
    /// when nobody can be emailed); for [`SurveyAction::RunWave`], every
    /// customer's that has one, in the order a wave samples from.
    pub contacts: &'a [SurveyContact],
    /// Customers in an active incident: a wave passes them by.
    pub in_incident: &'a BTreeSet<CustomerId>,
}

/// An invitation to decide: who is asked which survey, and about what.
/// Deciding adds when it goes out and when it expires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewInvitation {
    /// Its id (the caller's, or derived from what asks for it).
    pub id: InvitationId,
    /// Which configured survey.
    pub survey: String,
    /// What it asks about.
    pub kind: SurveyKind,
    /// The customer asked.
    pub customer: CustomerId,
    /// Their contact who answers.
    pub contact: ContactId,
    /// The ticket it is about, if any.
    pub ticket: Option<TicketId>,
    /// The agent it rates, if any.
    pub agent: Option<AgentId>,
    /// The wave it belongs to, if any.
    pub wave: Option<String>,
}

impl Invitations {
    /// Decides a survey command from the invitations so far and what
    /// `ctx` supplies:
    ///
    /// - [`SurveyAction::Send`]: the customer's survey contact (from
    ///   `ctx.contacts`) is invited, as [`Invitations::invite`] decides;
    /// - [`SurveyAction::RunWave`]: the share of `ctx.contacts` sampled
    ///   from the seed (a seeded Fisher-Yates shuffle, so the same seed
    ///   samples the same customers) is invited, passing by the excluded,
    ///   those in an incident (`ctx.in_incident`) and contacts in their
    ///   quiet period; invitation ids come from the seed too;
    /// - [`SurveyAction::Answer`]: the answer, with the NPS score and
    ///   rating it gives (see [`scores_of`]).
    ///
    /// Nothing outside the survey area is decided here: the emails, the
    /// follow-up of a low score and the thank-you for a high one are the
    /// caller's (see [`SurveyConfig::follows_up`] and
    /// [`SurveyConfig::thanks`]).
    ///
    /// # Errors
    /// - `Send`: [`SurveyError::NoSurveyContact`] when `ctx.contacts` has
    ///   none for the customer, then as [`Invitations::invite`].
    /// - `RunWave`: [`SurveyError::InvalidShare`] for a share outside 1 to
    ///   100 percent; as [`Invitations::invite`] for a customer sampled.
    /// - `Answer`: [`SurveyError::UnknownInvitation`],
    ///   [`SurveyError::AlreadyAnswered`], [`SurveyError::Expired`] (answered
    ///   after it expired), [`SurveyError::UnknownSurvey`] (no longer
    ///   configured), [`SurveyError::InvalidResponse`] with every problem.
    ///
    /// ```
    /// use std::collections::BTreeSet;
    /// use chrono::{Duration, TimeZone, Utc};
    /// use fanatical::id::{ContactId, CustomerId, IdGenerator, InvitationId};
    /// use fanatical::survey::*;
    ///
    /// let now = Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap();
    /// let nps = SurveyDraft::new("nps")
    ///     .question(Question::new("score", "How likely are you to recommend us?", QuestionKind::Nps).required())
    ///     .validate()?;
    /// let config = SurveyConfig::default().with_survey(nps);
    /// let mut ids = IdGenerator::from_seed(1);
    /// let (customer, contact, invitation): (CustomerId, ContactId, InvitationId) =
    ///     (ids.next_id(), ids.next_id(), ids.next_id());
    /// let contacts = [SurveyContact { customer, contact }];
    /// let ctx = SurveyContext { config: &config, contacts: &contacts, in_incident: &BTreeSet::new() };
    ///
    /// let mut invitations = Invitations::default();
    /// let send = SurveyAction::Send {
    ///     invitation, survey: "nps".into(), kind: SurveyKind::Nps, customer, ticket: None, agent: None,
    /// };
    /// for e in invitations.handle(send.clone(), &ctx, now)? {
    ///     invitations.apply(&e);
    /// }
    /// // Asked once, the contact is left in peace for the quiet period.
    /// assert!(matches!(invitations.handle(send, &ctx, now), Err(SurveyError::QuietPeriod { .. })));
    ///
    /// let answer = SurveyAction::Answer {
    ///     invitation, response: Response::new().answer("score", Answer::Nps(3)),
    /// };
    /// let events = invitations.handle(answer.clone(), &ctx, now + Duration::days(1))?;
    /// assert!(matches!(events[0].kind, SurveyEventKind::Answered { nps: Some(3), .. }));
    /// assert!(config.follows_up(Some(3), None));
    /// invitations.apply(&events[0]);
    /// assert_eq!(invitations.handle(answer, &ctx, now), Err(SurveyError::AlreadyAnswered(invitation)));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn handle(
        &self,
        action: SurveyAction,
        ctx: &SurveyContext<'_>,
        now: DateTime<Utc>,
    ) -> Result<Vec<SurveyEvent>, SurveyError> {
        match action {
            SurveyAction::Send {
                invitation,
                survey,
                kind,
                customer,
                ticket,
                agent,
            } => {
                let contact = ctx
                    .contacts
                    .iter()
                    .find(|c| c.customer == customer)
                    .ok_or(SurveyError::NoSurveyContact(customer))?
                    .contact;
                let new = NewInvitation {
                    id: invitation,
                    survey,
                    kind,
                    customer,
                    contact,
                    ticket,
                    agent,
                    wave: None,
                };
                Ok(vec![self.invite(new, ctx.config, now)?])
            }
            SurveyAction::RunWave {
                wave,
                survey,
                share_percent,
                seed,
                exclude,
            } => {
                if wave.trim().is_empty() {
                    return Err(SurveyError::BlankWave);
                }
                if !(1..=100).contains(&share_percent) {
                    return Err(SurveyError::InvalidShare(share_percent));
                }
                let reachable = ctx.contacts;
                let target = (reachable.len() * usize::from(share_percent)).div_ceil(100);
                // A seeded Fisher-Yates shuffle: the same seed samples the same customers.
                let mut rng = IdGenerator::from_seed(seed);
                let mut order: Vec<usize> = (0..reachable.len()).collect();
                for i in (1..order.len()).rev() {
                    let j = usize::try_from(rng.next_u64() % (i as u64 + 1)).unwrap_or(0);
                    order.swap(i, j);
                }
                let mut events = Vec::new();
                for i in order {
                    if events.len() == target {
                        break;
                    }
                    let Some(&SurveyContact { customer, contact }) = reachable.get(i) else {
                        continue;
                    };
                    // Nobody is asked how they feel about us in the middle of an outage.
                    if exclude.contains(&customer)
                        || ctx.in_incident.contains(&customer)
                        || self
                            .quiet_until(contact, ctx.config.quiet_period, now)
                            .is_some()
                    {
                        continue;
                    }
                    let new = NewInvitation {
                        id: rng.next_id(),
                        survey: survey.clone(),
                        kind: SurveyKind::Nps,
                        customer,
                        contact,
                        ticket: None,
                        agent: None,
                        wave: Some(wave.clone()),
                    };
                    events.push(self.invite(new, ctx.config, now)?);
                }
                Ok(events)
            }
            SurveyAction::Answer {
                invitation,
                response,
            } => Ok(vec![self.answer(invitation, response, ctx.config, now)?]),
        }
    }

    /// Decides one invitation going out now, answerable for the configured
    /// `valid_for`: how every survey is sent (one asked for, a wave's, a
    /// CSAT on a solved ticket, an incident's follow-up).
    ///
    /// # Errors
    /// [`SurveyError::QuietPeriod`] when the contact was invited (to any
    /// survey) within the quiet period; [`SurveyError::UnknownSurvey`] for
    /// a survey not configured; [`SurveyError::DuplicateInvitation`] for an
    /// id already taken.
    pub fn invite(
        &self,
        new: NewInvitation,
        config: &SurveyConfig,
        now: DateTime<Utc>,
    ) -> Result<SurveyEvent, SurveyError> {
        let NewInvitation {
            id,
            survey,
            kind,
            customer,
            contact,
            ticket,
            agent,
            wave,
        } = new;
        if let Some(until) = self.quiet_until(contact, config.quiet_period, now) {
            return Err(SurveyError::QuietPeriod { contact, until });
        }
        if !config.surveys.contains_key(&survey) {
            return Err(SurveyError::UnknownSurvey(survey));
        }
        if self.contains(id) {
            return Err(SurveyError::DuplicateInvitation(id));
        }
        let invitation = Invitation {
            id,
            survey,
            kind,
            customer,
            contact,
            ticket,
            agent,
            wave,
            sent_at: now,
            expires_at: crate::time::plus(now, config.valid_for),
        };
        Ok(SurveyEvent {
            at: now,
            kind: SurveyEventKind::Invited { invitation },
        })
    }

    fn answer(
        &self,
        id: InvitationId,
        response: Response,
        config: &SurveyConfig,
        now: DateTime<Utc>,
    ) -> Result<SurveyEvent, SurveyError> {
        let record = self.get(id).ok_or(SurveyError::UnknownInvitation(id))?;
        let inv = &record.invitation;
        if record.answered.is_some() {
            return Err(SurveyError::AlreadyAnswered(id));
        }
        if now > inv.expires_at {
            return Err(SurveyError::Expired {
                invitation: id,
                expired_at: inv.expires_at,
            });
        }
        let survey = config
            .surveys
            .get(&inv.survey)
            .ok_or_else(|| SurveyError::UnknownSurvey(inv.survey.clone()))?;
        survey
            .check(&response)
            .map_err(SurveyError::InvalidResponse)?;
        let Scores { nps, csat } = scores_of(survey, &response);
        Ok(SurveyEvent {
            at: now,
            kind: SurveyEventKind::Answered {
                invitation: id,
                response,
                nps,
                csat,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use chrono::{Duration, TimeZone};

    use super::*;
    use crate::survey::{Answer, Question, QuestionKind, ResponseProblem, SurveyDraft};

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap()
    }

    fn config() -> SurveyConfig {
        let nps = SurveyDraft::new("nps")
            .question(Question::new("score", "Recommend us?", QuestionKind::Nps).required())
            .validate()
            .unwrap();
        SurveyConfig::default().with_survey(nps)
    }

    fn contacts(n: u128) -> Vec<SurveyContact> {
        (1..=n)
            .map(|i| SurveyContact {
                customer: CustomerId::from_uuid(uuid::Uuid::from_u128(i)),
                contact: ContactId::from_uuid(uuid::Uuid::from_u128(1000 + i)),
            })
            .collect()
    }

    fn invitation(n: u128) -> InvitationId {
        InvitationId::from_uuid(uuid::Uuid::from_u128(5000 + n))
    }

    fn send(id: InvitationId, survey: &str, customer: CustomerId) -> SurveyAction {
        SurveyAction::Send {
            invitation: id,
            survey: survey.into(),
            kind: SurveyKind::Nps,
            customer,
            ticket: None,
            agent: None,
        }
    }

    fn answer(id: InvitationId, score: u8) -> SurveyAction {
        SurveyAction::Answer {
            invitation: id,
            response: Response::new().answer("score", Answer::Nps(score)),
        }
    }

    fn decide_and_apply(
        invitations: &mut Invitations,
        action: SurveyAction,
        ctx: &SurveyContext<'_>,
        now: DateTime<Utc>,
    ) -> Vec<SurveyEvent> {
        let events = invitations.handle(action, ctx, now).unwrap();
        for e in &events {
            invitations.apply(e);
        }
        events
    }

    #[test]
    fn a_send_invites_the_survey_contact_until_it_expires() {
        let config = config();
        let contacts = contacts(1);
        let none = BTreeSet::new();
        let ctx = SurveyContext {
            config: &config,
            contacts: &contacts,
            in_incident: &none,
        };
        let c = contacts[0];
        let events = Invitations::default()
            .handle(send(invitation(1), "nps", c.customer), &ctx, now())
            .unwrap();
        let [
            SurveyEvent {
                kind: SurveyEventKind::Invited { invitation: inv },
                ..
            },
        ] = events.as_slice()
        else {
            panic!("one invitation: {events:?}");
        };
        assert_eq!((inv.customer, inv.contact), (c.customer, c.contact));
        assert_eq!(inv.expires_at, now() + config.valid_for);
        assert_eq!(inv.wave, None);
    }

    #[test]
    fn a_send_is_refused_without_contact_in_quiet_unknown_or_taken() {
        let config = config();
        let contacts = contacts(2);
        let none = BTreeSet::new();
        let ctx = SurveyContext {
            config: &config,
            contacts: &contacts[..1],
            in_incident: &none,
        };
        let (a, b) = (contacts[0], contacts[1]);
        let mut invitations = Invitations::default();
        assert_eq!(
            invitations.handle(send(invitation(1), "nps", b.customer), &ctx, now()),
            Err(SurveyError::NoSurveyContact(b.customer))
        );
        assert_eq!(
            invitations.handle(send(invitation(1), "csat", a.customer), &ctx, now()),
            Err(SurveyError::UnknownSurvey("csat".into()))
        );
        decide_and_apply(
            &mut invitations,
            send(invitation(1), "nps", a.customer),
            &ctx,
            now(),
        );
        let later = now() + Duration::days(1);
        assert_eq!(
            invitations.handle(send(invitation(2), "nps", a.customer), &ctx, later),
            Err(SurveyError::QuietPeriod {
                contact: a.contact,
                until: now() + config.quiet_period,
            })
        );
        assert_eq!(
            invitations.quiet_until(a.contact, config.quiet_period, later),
            Some(now() + config.quiet_period)
        );
        let after_quiet = now() + config.quiet_period + Duration::seconds(1);
        assert_eq!(
            invitations.quiet_until(a.contact, config.quiet_period, after_quiet),
            None
        );
        assert_eq!(
            invitations.handle(send(invitation(1), "nps", a.customer), &ctx, after_quiet),
            Err(SurveyError::DuplicateInvitation(invitation(1)))
        );
    }

    #[test]
    fn an_answer_is_refused_unknown_answered_expired_or_invalid() {
        let config = config();
        let contacts = contacts(1);
        let none = BTreeSet::new();
        let ctx = SurveyContext {
            config: &config,
            contacts: &contacts,
            in_incident: &none,
        };
        let mut invitations = Invitations::default();
        assert_eq!(
            invitations.handle(answer(invitation(1), 9), &ctx, now()),
            Err(SurveyError::UnknownInvitation(invitation(1)))
        );
        decide_and_apply(
            &mut invitations,
            send(invitation(1), "nps", contacts[0].customer),
            &ctx,
            now(),
        );
        assert_eq!(
            invitations.handle(answer(invitation(1), 11), &ctx, now()),
            Err(SurveyError::InvalidResponse(vec![
                ResponseProblem::OutOfRange {
                    question: "score".into(),
                    value: 11,
                    min: 0,
                    max: 10,
                }
            ]))
        );
        let expired_at = now() + config.valid_for;
        assert_eq!(
            invitations.handle(
                answer(invitation(1), 9),
                &ctx,
                expired_at + Duration::seconds(1)
            ),
            Err(SurveyError::Expired {
                invitation: invitation(1),
                expired_at,
            })
        );
        let other = SurveyContext {
            config: &SurveyConfig::default(),
            ..ctx
        };
        assert_eq!(
            invitations.handle(answer(invitation(1), 9), &other, now()),
            Err(SurveyError::UnknownSurvey("nps".into()))
        );
        // The last instant it can be answered.
        let events = decide_and_apply(&mut invitations, answer(invitation(1), 9), &ctx, expired_at);
        assert!(matches!(
            events.as_slice(),
            [SurveyEvent {
                kind: SurveyEventKind::Answered {
                    nps: Some(9),
                    csat: None,
                    ..
                },
                ..
            }]
        ));
        assert!(config.thanks(Some(9)) && !config.follows_up(Some(9), None));
        assert_eq!(
            invitations.handle(answer(invitation(1), 3), &ctx, now()),
            Err(SurveyError::AlreadyAnswered(invitation(1)))
        );
    }

    #[test]
    fn a_wave_samples_its_share_from_the_seed_passing_by_who_must_not_be_asked() {
        let config = config();
        let contacts = contacts(10);
        let none = BTreeSet::new();
        let ctx = SurveyContext {
            config: &config,
            contacts: &contacts,
            in_incident: &none,
        };
        let wave = |share_percent, exclude: Vec<CustomerId>| SurveyAction::RunWave {
            wave: "2026-Q4".into(),
            survey: "nps".into(),
            share_percent,
            seed: 7,
            exclude,
        };
        let invitations = Invitations::default();
        for share in [0, 101] {
            assert_eq!(
                invitations.handle(wave(share, Vec::new()), &ctx, now()),
                Err(SurveyError::InvalidShare(share))
            );
        }
        let customers = |events: &[SurveyEvent]| -> Vec<CustomerId> {
            events
                .iter()
                .filter_map(|e| match &e.kind {
                    SurveyEventKind::Invited { invitation } => Some(invitation.customer),
                    SurveyEventKind::Answered { .. } => None,
                })
                .collect()
        };
        let first = invitations
            .handle(wave(25, Vec::new()), &ctx, now())
            .unwrap();
        let again = invitations
            .handle(wave(25, Vec::new()), &ctx, now())
            .unwrap();
        assert_eq!(first, again, "the same seed samples the same");
        let picked = customers(&first);
        assert_eq!(picked.len(), 3, "25% of 10, rounded up");
        // Excluded, in an incident, or quiet: passed by, and others asked.
        let mut quiet = Invitations::default();
        decide_and_apply(
            &mut quiet,
            send(invitation(1), "nps", picked[2]),
            &ctx,
            now(),
        );
        let in_incident: BTreeSet<CustomerId> = [picked[1]].into();
        let ctx = SurveyContext {
            in_incident: &in_incident,
            ..ctx
        };
        let events = quiet
            .handle(wave(25, vec![picked[0]]), &ctx, now())
            .unwrap();
        let now_picked = customers(&events);
        assert_eq!(now_picked.len(), 3);
        assert!(now_picked.iter().all(|c| !picked.contains(c)));
        // Nobody to sample: not even an unknown survey is refused.
        let empty = SurveyContext {
            contacts: &[],
            ..ctx
        };
        let unknown = SurveyAction::RunWave {
            wave: "w".into(),
            survey: "nope".into(),
            share_percent: 100,
            seed: 1,
            exclude: Vec::new(),
        };
        assert_eq!(
            invitations.handle(unknown.clone(), &empty, now()),
            Ok(Vec::new())
        );
        assert_eq!(
            invitations.handle(unknown, &ctx, now()),
            Err(SurveyError::UnknownSurvey("nope".into()))
        );
    }
}
