//! Crisis: a message that signals a person may harm themselves goes
//! straight to a trained safety responder, bypassing queues and routing,
//! and its details are visible only to the safety role.
//!
//! Detection is a [`CrisisClassifier`]: bring your own (a model, a
//! vendor), or use the [`KeywordPolicy`], which the desk applies to every
//! inbound customer message. The keyword policy matches whole words in
//! order, case-insensitively (as [`crate::guard`] does); its default
//! phrases are deliberately broad, because a false alarm costs a
//! responder's minute and a miss can cost a life.
//!
//! # Example
//! ```
//! use fanatical::crisis::{CrisisClassifier, KeywordPolicy};
//! let policy = KeywordPolicy::default_policy();
//! assert!(policy.assess("Honestly I want to end my life").is_some());
//! assert!(policy.assess("The server wants to end its life cycle").is_none());
//! ```

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::id::{AgentId, TicketId};

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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeywordPolicy {
    /// Phrases, matched as whole words in order.
    pub phrases: Vec<String>,
}

impl Default for KeywordPolicy {
    fn default() -> Self {
        Self::default_policy()
    }
}

impl KeywordPolicy {
    /// The default phrases: "kill myself", "end my life", "want to die",
    /// "suicide", "suicidal", "hurt myself", "self harm", "self-harm",
    /// "no reason to live", "better off dead".
    #[must_use]
    pub fn default_policy() -> Self {
        KeywordPolicy {
            phrases: [
                "kill myself",
                "end my life",
                "want to die",
                "suicide",
                "suicidal",
                "hurt myself",
                "self harm",
                "no reason to live",
                "better off dead",
            ]
            .iter()
            .map(|s| (*s).to_owned())
            .collect(),
        }
    }
}

impl CrisisClassifier for KeywordPolicy {
    fn assess(&self, text: &str) -> Option<CrisisSignal> {
        let w = crate::text::words(text);
        self.phrases
            .iter()
            .find(|p| crate::text::contains_phrase(&w, p))
            .map(|p| CrisisSignal {
                reason: "the message matches the crisis keyword policy".to_owned(),
                matched: Some(p.clone()),
            })
    }
}

/// A ticket flagged as a crisis: restricted to the safety role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CrisisRecords {
    records: std::collections::BTreeMap<crate::id::TicketId, CrisisRecord>,
}

impl CrisisRecords {
    /// Whether a ticket is flagged.
    #[must_use]
    pub fn contains(&self, ticket: crate::id::TicketId) -> bool {
        self.records.contains_key(&ticket)
    }

    /// Decides flagging a ticket as a crisis, handed to `responder` (none
    /// when nobody holds the safety role: the record stands, unstaffed). A
    /// ticket already flagged is not flagged again.
    #[must_use]
    pub fn flag(
        &self,
        ticket: crate::id::TicketId,
        signal: CrisisSignal,
        responder: Option<AgentId>,
        now: DateTime<Utc>,
    ) -> Vec<CrisisEvent> {
        if self.contains(ticket) {
            return Vec::new();
        }
        vec![CrisisEvent {
            at: now,
            kind: CrisisEventKind::Flagged {
                record: CrisisRecord {
                    ticket,
                    at: now,
                    signal,
                    responder,
                },
            },
        }]
    }

    /// A flagged ticket's record (restricted: hand it to the safety role
    /// only).
    #[must_use]
    pub fn get(&self, ticket: crate::id::TicketId) -> Option<&CrisisRecord> {
        self.records.get(&ticket)
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
