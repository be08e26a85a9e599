//! Crisis: a message that signals a person may harm themselves goes
//! straight to a trained safety responder who is on duty, bypassing queues
//! and routing, and its details are visible only to the safety role.
//!
//! Detection is a [`CrisisClassifier`]: bring your own (a model, a
//! vendor), or use the [`KeywordPolicy`], which the desk applies to every
//! inbound text a person writes: a message opening a ticket, a reply on
//! one, a survey comment, praise (a social mention, a phone note). The
//! keyword policy matches whole words in order, case-insensitively (as
//! [`crate::guard`] does); its default phrases are deliberately broad,
//! because a false alarm costs a responder's minute and a miss can cost a
//! life.
//!
//! # Who sees the words
//! Only a safety responder, through `Desk::safety_ticket_view`. Every other
//! path keeps them out:
//! - the agent view, care briefings and customer briefings show a crisis
//!   ticket's subject and entries as [`RESTRICTED`]; pages (to the
//!   responder, the safety lead, escalation notices) name the ticket and
//!   never carry its words; incident messages leave crisis tickets alone;
//! - a customer sees a crisis ticket only when they are its requester, not
//!   every contact of the organisation, and a written reply on a crisis
//!   ticket goes to its requester only (never the organisation's primary
//!   contact: with no requester it is refused as unreachable);
//! - **merging** a crisis ticket with another (either way round) is refused
//!   unless the acting agent is a safety responder, and when a responder
//!   merges a crisis ticket into an ordinary one, the result is flagged as
//!   a crisis too (the target now holds the words), keeping it restricted;
//! - links and hand-offs carry ticket ids, never words;
//! - a crisis in a survey comment opens the survey's follow-up ticket as a
//!   crisis, with the comment as its (restricted) first message and no
//!   internal note quoting it; a crisis in praise records no praise and
//!   pages nobody with it: it opens a crisis ticket for whoever wrote it
//!   (the social handle's or the survey's contact, the named ticket's
//!   requester), or is refused ([`CrisisError::NoCustomer`]) when the desk
//!   cannot tell who that is;
//! - there is no ticket split; incidents leave crisis tickets alone, and
//!   trends, metrics and reports count tickets without quoting them.
//!
//! The model's raw records (`desk.tickets().get(..)`,
//! [`crate::ticket::Ticket::conversation`], the outbox's message bodies,
//! the survey responses) are the trusted back door for code that stores,
//! delivers or audits: never show them to a person; use the views.
//!
//! # On duty
//! A crisis goes to a safety responder who is working now: one whose
//! calendar in [`CrisisConfig::on_call`] is open (a responder with no
//! calendar there is on call around the clock), the least loaded first.
//! When none is, the next one on duty is named (assigned) and paged, and
//! the [`CrisisConfig::safety_lead`] is told at once; without a lead, the
//! desk's active managers and executives are told. When no responder
//! exists at all, the same people are told. The [`CrisisRecord`] says who
//! has it, from when, and who was told; a record with no responder and
//! nobody told (no responder, no lead, no manager) is listed by
//! `desk.tickets().unattended_crises()`, and its ticket is urgent.
//!
//! # Example
//! ```
//! use fanatical::crisis::{CrisisClassifier, KeywordPolicy};
//! let policy = KeywordPolicy::default_policy();
//! assert!(policy.assess("Honestly I want to end my life").is_some());
//! assert!(policy.assess("I don’t want to be here anymore").is_some());
//! assert!(policy.assess("The server wants to end its life cycle").is_none());
//! assert!(policy.assess("kill the process and restart it").is_none());
//! ```

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::id::{AgentId, TicketId};
use crate::sla::BusinessCalendar;

/// What replaces a crisis conversation for anyone but the safety role.
pub const RESTRICTED: &str = "[restricted: a safety responder is handling this conversation]";

/// Why a crisis command or configuration was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CrisisError {
    /// A keyword phrase with no words in it (it could never match).
    #[error("crisis phrase {0:?} has no words")]
    BlankPhrase(String),
    /// Praise whose words say a person may be at risk, from nobody the
    /// desk knows (no customer, no ticket): there is no one to open a
    /// crisis ticket for. Refused so the caller hands it to a person.
    #[error(
        "praise {praise} says a person may be at risk and names no customer or ticket: hand it to a safety responder"
    )]
    NoCustomer {
        /// The praise.
        praise: crate::id::PraiseId,
    },
    /// Someone other than a safety responder tried to merge a crisis
    /// ticket (either way round).
    #[error("agent {agent} may not merge crisis ticket {ticket}: needs the safety responder role")]
    MergeRestricted {
        /// The agent.
        agent: AgentId,
        /// The crisis ticket.
        ticket: TicketId,
    },
    /// Someone other than a safety responder tried to split a crisis
    /// ticket.
    #[error("agent {agent} may not split crisis ticket {ticket}: needs the safety responder role")]
    SplitRestricted {
        /// The agent.
        agent: AgentId,
        /// The crisis ticket.
        ticket: TicketId,
    },
}

/// Why a message was judged a crisis.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CrisisSignal {
    /// The classifier's reason.
    pub reason: String,
    /// What matched, when a phrase did.
    pub matched: Option<String>,
}

/// Judges whether a message signals a person may harm themselves.
pub trait CrisisClassifier {
    /// A signal when the text is a crisis.
    fn assess(&self, text: &str) -> Option<CrisisSignal>;
}

/// A documented phrase list (see [`KeywordPolicy::default_policy`]).
///
/// Each phrase is split into words once, when the policy is built, so
/// assessing a message splits only the message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawKeywordPolicy", into = "RawKeywordPolicy")]
pub struct KeywordPolicy {
    phrases: Vec<String>,
    words: Vec<Vec<String>>,
}

#[derive(Clone, Serialize, Deserialize)]
struct RawKeywordPolicy {
    phrases: Vec<String>,
}

impl TryFrom<RawKeywordPolicy> for KeywordPolicy {
    type Error = CrisisError;
    fn try_from(raw: RawKeywordPolicy) -> Result<Self, CrisisError> {
        KeywordPolicy::new(raw.phrases)
    }
}

impl From<KeywordPolicy> for RawKeywordPolicy {
    fn from(p: KeywordPolicy) -> Self {
        RawKeywordPolicy { phrases: p.phrases }
    }
}

impl Default for KeywordPolicy {
    fn default() -> Self {
        Self::default_policy()
    }
}

/// The default phrases. Built from the warning signs crisis lines publish
/// (988 Suicide & Crisis Lifeline, Samaritans, NHS, WHO): talking about
/// wanting to die or to kill oneself, about having no reason to live,
/// about being a burden, about ending things; and the methods people name.
/// First person where a phrase alone would be ordinary support talk ("end
/// it all" but not "end it"; "hang myself", not "hang").
const DEFAULT_PHRASES: &[&str] = &[
    // Saying it outright.
    "suicide",
    "suicidal",
    "kill myself",
    "killing myself",
    "kill my self",
    "unalive myself",
    "end my life",
    "ending my life",
    "end my own life",
    "take my own life",
    "taking my own life",
    "take my life",
    "end it all",
    "ending it all",
    // Wanting to die, or not to be here.
    "want to die",
    "wanna die",
    "want to be dead",
    "wish i was dead",
    "wish i were dead",
    "rather be dead",
    "better off dead",
    "better off without me",
    "don't want to live",
    "do not want to live",
    "don't want to be alive",
    "don't want to be here anymore",
    "do not want to be here anymore",
    "don't want to wake up",
    "want to disappear forever",
    "i can't go on",
    "i cannot go on",
    // No reason to live.
    "no reason to live",
    "nothing to live for",
    "not worth living",
    "isn't worth living",
    "no point in living",
    "no point living",
    "no point going on",
    "burden to everyone",
    // Harming oneself.
    "hurt myself",
    "hurting myself",
    "harm myself",
    "harming myself",
    "self harm",
    "selfharm",
    "cut myself",
    "cutting myself",
    // Methods.
    "overdose",
    "overdosing",
    "take all my pills",
    "took all my pills",
    "hang myself",
    "hanging myself",
    "slit my wrists",
    "slit my wrist",
    "shoot myself",
    "jump off a bridge",
    "jump in front of a train",
];

impl KeywordPolicy {
    /// A policy of your own phrases, each matched as whole words in order,
    /// case-insensitively.
    ///
    /// # Errors
    /// [`CrisisError::BlankPhrase`] for a phrase with no words.
    ///
    /// ```
    /// use fanatical::crisis::{CrisisClassifier, KeywordPolicy};
    /// let p = KeywordPolicy::new(["goodbye forever"])?;
    /// assert!(p.assess("This is GOODBYE, forever.").is_some());
    /// assert!(KeywordPolicy::new(["  !! "]).is_err());
    /// # Ok::<(), fanatical::crisis::CrisisError>(())
    /// ```
    pub fn new<S: Into<String>>(phrases: impl IntoIterator<Item = S>) -> Result<Self, CrisisError> {
        let phrases: Vec<String> = phrases.into_iter().map(Into::into).collect();
        let words = phrases
            .iter()
            .map(|p| {
                let w = crate::text::words(p);
                if w.is_empty() {
                    Err(CrisisError::BlankPhrase(p.clone()))
                } else {
                    Ok(w)
                }
            })
            .collect::<Result<_, _>>()?;
        Ok(KeywordPolicy { phrases, words })
    }

    /// The default phrases (see the source for the list and where it comes
    /// from): sixty-odd ways people say it, from "kill myself" and "end it
    /// all" to "don't want to be here anymore" and "not worth living".
    ///
    /// Its limits, deliberately: it reads English only; it does not
    /// understand negation ("I'm not suicidal" matches: a responder's
    /// minute is cheap); a figure of speech that uses a phrase matches
    /// ("I'll kill myself laughing", "the Suicide Squad movie"); it does
    /// not catch misspellings or indirect hints ("I've given my things
    /// away"). Bring your own [`CrisisClassifier`] for more, and flag
    /// with `TicketAction::FlagCrisis`.
    #[must_use]
    pub fn default_policy() -> Self {
        let phrases = DEFAULT_PHRASES.iter().map(|s| (*s).to_owned()).collect();
        let words = DEFAULT_PHRASES
            .iter()
            .map(|s| crate::text::words(s))
            .collect();
        KeywordPolicy { phrases, words }
    }

    /// The phrases, as given.
    #[must_use]
    pub fn phrases(&self) -> &[String] {
        &self.phrases
    }
}

impl CrisisClassifier for KeywordPolicy {
    fn assess(&self, text: &str) -> Option<CrisisSignal> {
        let w = crate::text::words(text);
        self.phrases
            .iter()
            .zip(&self.words)
            .find(|(_, p)| crate::text::contains_words(&w, p))
            .map(|(p, _)| CrisisSignal {
                reason: "the message matches the crisis keyword policy".to_owned(),
                matched: Some(p.clone()),
            })
    }
}

/// How a desk handles a crisis: the keyword policy it assesses every
/// inbound text with, who is on call when, and the safety lead told when
/// no responder is on duty.
///
/// Reads from the same JSON as a bare [`KeywordPolicy`] (`{"phrases":
/// [...]}`), with `safety_lead` and `on_call` optional.
///
/// ```
/// use fanatical::crisis::CrisisConfig;
/// use fanatical::sla::{BusinessCalendar, DayHours};
/// let lead = fanatical::id::AgentId::from_uuid(uuid::Uuid::from_u128(1));
/// let sam = fanatical::id::AgentId::from_uuid(uuid::Uuid::from_u128(2));
/// let nine_to_five = BusinessCalendar::weekdays(chrono_tz::America::Chicago, DayHours::parse(&[("09:00", "17:00")])?);
/// let config = CrisisConfig::default().with_safety_lead(lead).with_on_call(sam, nine_to_five);
/// let monday_night = chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 3, 3, 4, 0, 0).unwrap();
/// assert!(!config.is_on_duty(sam, monday_night));
/// assert!(config.is_on_duty(lead, monday_night)); // no calendar: on call around the clock
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[non_exhaustive]
pub struct CrisisConfig {
    /// The keyword policy applied to every inbound text.
    #[serde(flatten)]
    pub policy: KeywordPolicy,
    /// Told at once when no safety responder is on duty (or none exists).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub safety_lead: Option<AgentId>,
    /// When each safety responder is on call, in their calendar; one not
    /// listed is on call around the clock.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub on_call: BTreeMap<AgentId, BusinessCalendar>,
}

impl CrisisConfig {
    /// The defaults with another keyword policy.
    #[must_use]
    pub fn with_policy(mut self, policy: KeywordPolicy) -> Self {
        self.policy = policy;
        self
    }
    /// The defaults with a safety lead.
    #[must_use]
    pub fn with_safety_lead(mut self, lead: AgentId) -> Self {
        self.safety_lead = Some(lead);
        self
    }
    /// When a responder is on call.
    #[must_use]
    pub fn with_on_call(mut self, responder: AgentId, hours: BusinessCalendar) -> Self {
        self.on_call.insert(responder, hours);
        self
    }
    /// Whether `responder` is on call at `at` (always, without a calendar).
    #[must_use]
    pub fn is_on_duty(&self, responder: AgentId, at: DateTime<Utc>) -> bool {
        self.on_call.get(&responder).is_none_or(|c| c.is_open(at))
    }
    /// When `responder` is next on call, from `at` (`at` itself when on
    /// call now); `None` when their calendar never opens again.
    #[must_use]
    pub fn on_duty_from(&self, responder: AgentId, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        match self.on_call.get(&responder) {
            None => Some(at),
            Some(c) if c.is_open(at) => Some(at),
            Some(c) => c.next_open(at).ok(),
        }
    }
}

/// A ticket flagged as a crisis: restricted to the safety role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CrisisRecord {
    /// The ticket.
    pub ticket: TicketId,
    /// When it was flagged.
    pub at: DateTime<Utc>,
    /// Why.
    pub signal: CrisisSignal,
    /// The safety responder it went to (none when nobody holds the role:
    /// the record stands and shows as unstaffed).
    pub responder: Option<AgentId>,
    /// When the responder comes on duty, when nobody was on duty at
    /// flagging (none: they were on duty then, or there is no responder).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_duty_from: Option<DateTime<Utc>>,
    /// Who else was told at once because no responder was on duty: the
    /// safety lead, or without one the managers and executives.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub told: Vec<AgentId>,
}

impl CrisisRecord {
    /// A record of a ticket handed to `responder` (on duty now), nobody
    /// else told.
    #[must_use]
    pub fn new(
        ticket: TicketId,
        signal: CrisisSignal,
        responder: Option<AgentId>,
        at: DateTime<Utc>,
    ) -> Self {
        CrisisRecord {
            ticket,
            at,
            signal,
            responder,
            on_duty_from: None,
            told: Vec::new(),
        }
    }

    /// Whether nobody was told: no responder, and nobody else to tell.
    #[must_use]
    pub fn is_unattended(&self) -> bool {
        self.responder.is_none() && self.told.is_empty()
    }
}

/// Something that happened in crisis handling.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CrisisEvent {
    /// When.
    pub at: DateTime<Utc>,
    /// What.
    pub kind: CrisisEventKind,
}

/// What happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum CrisisEventKind {
    /// A ticket was flagged.
    Flagged {
        /// The record.
        record: CrisisRecord,
    },
}

/// The crisis aggregate: the record of every ticket flagged as a crisis,
/// restricted to the safety role. A pure fold of [`CrisisEvent`]s.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CrisisRecords {
    records: BTreeMap<TicketId, CrisisRecord>,
}

impl CrisisRecords {
    /// Whether a ticket is flagged.
    #[must_use]
    pub fn contains(&self, ticket: TicketId) -> bool {
        self.records.contains_key(&ticket)
    }

    /// Decides flagging a ticket as a crisis with its record (who has it,
    /// from when, who was told). A ticket already flagged is not flagged
    /// again.
    #[must_use]
    pub fn flag(&self, record: CrisisRecord) -> Vec<CrisisEvent> {
        if self.contains(record.ticket) {
            return Vec::new();
        }
        vec![CrisisEvent {
            at: record.at,
            kind: CrisisEventKind::Flagged { record },
        }]
    }

    /// A flagged ticket's record (restricted: hand it to the safety role
    /// only).
    #[must_use]
    pub fn get(&self, ticket: TicketId) -> Option<&CrisisRecord> {
        self.records.get(&ticket)
    }

    /// Every record, by ticket (restricted: the safety role only).
    pub fn iter(&self) -> impl Iterator<Item = &CrisisRecord> {
        self.records.values()
    }

    /// Folds one crisis event.
    pub fn apply(&mut self, e: &CrisisEvent) {
        match &e.kind {
            CrisisEventKind::Flagged { record } => {
                self.records.insert(record.ticket, record.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_phrases_all_have_words_and_read_back() {
        let p = KeywordPolicy::default_policy();
        assert_eq!(KeywordPolicy::new(p.phrases().to_vec()), Ok(p.clone()));
        let json = serde_json::to_string(&p).unwrap();
        assert_eq!(serde_json::from_str::<KeywordPolicy>(&json).unwrap(), p);
        assert!(serde_json::from_str::<KeywordPolicy>(r#"{"phrases":["ok", "--"]}"#).is_err());
    }

    #[test]
    fn a_config_reads_from_a_bare_policy() {
        let c: CrisisConfig = serde_json::from_str(r#"{"phrases":["goodbye forever"]}"#).unwrap();
        assert_eq!(c.policy.phrases(), ["goodbye forever"]);
        assert_eq!(c.safety_lead, None);
        let back: CrisisConfig =
            serde_json::from_str(&serde_json::to_string(&CrisisConfig::default()).unwrap())
                .unwrap();
        assert_eq!(back, CrisisConfig::default());
    }
}
