//! What an update says: where the incident is, the texts for each
//! audience, how often one is owed, and the updates once posted.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::{ComponentState, IncidentError};
use crate::id::{AgentId, ComponentId, IncidentId};

/// Where an incident is, as on a status page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IncidentStatus {
    /// Looking into it.
    Investigating,
    /// The cause is known.
    Identified,
    /// A fix is in; watching.
    Monitoring,
    /// Over.
    Resolved,
}

impl fmt::Display for IncidentStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            IncidentStatus::Investigating => "investigating",
            IncidentStatus::Identified => "identified",
            IncidentStatus::Monitoring => "monitoring",
            IncidentStatus::Resolved => "resolved",
        })
    }
}

/// Who an update's text is written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    /// Engineers: causes, systems, what to check. Sent to technical
    /// contacts.
    Technical,
    /// Decision makers: impact, time to recovery. Sent to every other
    /// contact.
    Business,
    /// The public status page.
    Public,
    /// Journalists: sent to the configured press list
    /// ([`IncidentConfig::press`](super::IncidentConfig::press)), which
    /// gets the public text when no press text is written. Never sent to
    /// customers' contacts.
    Press,
}

impl fmt::Display for Audience {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Audience::Technical => "technical",
            Audience::Business => "business",
            Audience::Public => "public",
            Audience::Press => "press",
        })
    }
}

/// How often an incident must be updated, and how long before a missed
/// update the commander is warned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cadence {
    /// An update at least this often (e.g. 30 minutes).
    #[serde(with = "crate::time::seconds")]
    pub every: Duration,
    /// Warn this long before the update is due (e.g. 5 minutes).
    #[serde(with = "crate::time::seconds")]
    pub warn_before: Duration,
}

impl Cadence {
    /// An update every `minutes`, warned `warn_minutes` before.
    ///
    /// # Errors
    /// [`IncidentError::InvalidCadence`] unless `0 <= warn < every <= 7 days`.
    pub fn every_minutes(minutes: i64, warn_minutes: i64) -> Result<Self, IncidentError> {
        let c = Cadence {
            every: Duration::try_minutes(minutes).unwrap_or(Duration::zero()),
            warn_before: Duration::try_minutes(warn_minutes).unwrap_or(Duration::zero()),
        };
        c.validate()?;
        Ok(c)
    }

    /// Checks `0 <= warn_before < every <= 7 days`.
    ///
    /// # Errors
    /// [`IncidentError::InvalidCadence`].
    pub fn validate(&self) -> Result<(), IncidentError> {
        if self.every <= Duration::zero()
            || self.every > Duration::days(7)
            || self.warn_before < Duration::zero()
            || self.warn_before >= self.every
        {
            return Err(IncidentError::InvalidCadence {
                every: self.every.num_seconds(),
                warn_before: self.warn_before.num_seconds(),
            });
        }
        Ok(())
    }
}

/// An update's texts by audience.
pub type Messages = BTreeMap<Audience, String>;

/// What declaring an incident says: the input of [`Incident::declare`].
/// The desk finds the customers it affects and the contacts no message
/// could reach.
///
/// [`Incident::declare`]: super::Incident::declare
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declaration {
    /// Its id.
    pub id: IncidentId,
    /// A headline ("DFW1 datacenter power loss"), trimmed.
    pub title: String,
    /// Who runs it (warned about missed updates).
    pub commander: AgentId,
    /// Its status: anything but resolved.
    pub status: IncidentStatus,
    /// The components it affects and their states: at least one, each in
    /// the catalog.
    pub components: BTreeMap<ComponentId, ComponentState>,
    /// The update cadence, if any.
    pub cadence: Option<Cadence>,
    /// The first update's texts: at least one, none blank.
    pub messages: Messages,
}

/// What an update says: the input of [`Incident::update`]. Once posted it
/// is an [`IncidentUpdate`].
///
/// [`Incident::update`]: super::Incident::update
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Update {
    /// Who writes it.
    pub by: AgentId,
    /// The status after it.
    pub status: IncidentStatus,
    /// Component states it sets; states that do not change are dropped.
    pub components: BTreeMap<ComponentId, ComponentState>,
    /// Its texts, none blank; none at all is an update only when it
    /// changes the status or a component.
    pub messages: Messages,
    /// Whose voice it is (the CEO, an engineer, the account team), if
    /// not only the author's: an active agent, named under every text.
    pub spokesperson: Option<AgentId>,
}

/// One posted update.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentUpdate {
    /// When.
    pub at: DateTime<Utc>,
    /// Who.
    pub by: AgentId,
    /// The status it set.
    pub status: IncidentStatus,
    /// Its texts.
    pub messages: Messages,
    /// Whose voice it is, when one is named.
    pub spokesperson: Option<AgentId>,
}

pub(super) fn check_messages(messages: &Messages) -> Result<(), IncidentError> {
    match messages.iter().find(|(_, text)| text.trim().is_empty()) {
        Some((a, _)) => Err(IncidentError::BlankMessage(*a)),
        None => Ok(()),
    }
}
