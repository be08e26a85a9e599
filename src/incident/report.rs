//! What incidents look like to readers: the timeline, the public status
//! page, and the briefing for an agent taking a call.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{ComponentState, IncidentEventKind, IncidentStatus, IncidentUpdate};
use crate::id::{AgentId, ComponentId, ContactId, CustomerId, IncidentId};

/// What an agent taking a call needs to know about an incident affecting
/// the caller: one call away (`desk.incidents().briefings(..)`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct IncidentBriefing {
    /// The incident.
    pub incident: IncidentId,
    /// Its headline.
    pub title: String,
    /// Its status.
    pub status: IncidentStatus,
    /// The components it names and their states now.
    pub components: BTreeMap<ComponentId, ComponentState>,
    /// The components of this customer it covers.
    pub affects: Vec<ComponentId>,
    /// When it was declared.
    pub declared_at: DateTime<Utc>,
    /// When it was resolved, if it is.
    pub resolved_at: Option<DateTime<Utc>>,
    /// The latest update, every audience's text.
    pub latest: Option<IncidentUpdate>,
    /// When the next update is due.
    pub next_update_due: Option<DateTime<Utc>>,
}

/// One running incident on the public status page
/// (`desk.incidents().status_page(..)`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct StatusPageEntry {
    /// The incident.
    pub incident: IncidentId,
    /// Its headline.
    pub title: String,
    /// Its status.
    pub status: IncidentStatus,
    /// Its components' states.
    pub components: BTreeMap<ComponentId, ComponentState>,
    /// The latest public text, if any update had one.
    pub message: Option<String>,
    /// When that text was posted.
    pub posted_at: Option<DateTime<Utc>>,
    /// When the incident was declared.
    pub declared_at: DateTime<Utc>,
}

/// An incident's timeline: every event in order, serde-exportable, as one
/// viewer may see it ([`super::Incident::timeline_for`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Timeline {
    /// The incident.
    pub incident: IncidentId,
    /// Its headline.
    pub title: String,
    /// Its events.
    pub entries: Vec<TimelineEntry>,
}

impl Timeline {
    /// One line per entry: `time  summary`.
    #[must_use]
    pub fn lines(&self) -> Vec<String> {
        self.entries
            .iter()
            .map(|e| format!("{}  {}", e.at.format("%Y-%m-%d %H:%M"), e.summary))
            .collect()
    }
}

/// One timeline entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TimelineEntry {
    /// When.
    pub at: DateTime<Utc>,
    /// In words (never an amount).
    pub summary: String,
    /// The event itself: `None` where it carries spend the viewer may not
    /// see (a credit issued).
    pub event: Option<IncidentEventKind>,
}

/// A contact of an affected customer that written messages could not
/// reach ([`Incident::unreached`](super::Incident::unreached)): who, how
/// often, and who was asked to call them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Unreached {
    /// The contact's customer.
    pub customer: CustomerId,
    /// The contact.
    pub contact: ContactId,
    /// When a message first missed them.
    pub first_missed_at: DateTime<Utc>,
    /// When a message last missed them.
    pub last_missed_at: DateTime<Utc>,
    /// How many messages (updates, catch-ups, the write-up) missed them.
    pub missed: usize,
    /// The call-out task opened for them, if a person can phone them.
    pub call_out: Option<super::CallOut>,
}

/// The post-incident write-up
/// ([`Incident::review`](super::Incident::review)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Review {
    /// When it was published.
    pub at: DateTime<Utc>,
    /// Who published it.
    pub by: AgentId,
    /// Whose voice it is, when one is named.
    pub spokesperson: Option<AgentId>,
    /// What happened.
    pub what_happened: String,
    /// What is being done so it does not happen again.
    pub prevention: String,
}
