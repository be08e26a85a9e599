//! The incident area: every major incident, with the index of each one's
//! next cadence or follow-up timer.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use crate::actor::TimerKind;
use crate::id::IncidentId;
use crate::incident::{Incident, IncidentEvent, IncidentTimer};

/// Every major incident the desk knows: a fold of the incident streams.
/// Their next timers live in the desk's timer table.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Incidents {
    incidents: BTreeMap<IncidentId, Incident>,
}

impl Incidents {
    /// One incident.
    #[must_use]
    pub fn get(&self, id: IncidentId) -> Option<&Incident> {
        self.incidents.get(&id)
    }

    /// Every incident, by id.
    pub fn iter(&self) -> impl Iterator<Item = &Incident> {
        self.incidents.values()
    }

    /// Incidents not yet resolved.
    pub fn active(&self) -> impl Iterator<Item = &Incident> {
        self.incidents.values().filter(|i| !i.is_resolved())
    }

    /// Folds one event of an incident's stream. Returns the incident's
    /// next timer after it, if it has one.
    pub(super) fn apply(
        &mut self,
        id: IncidentId,
        e: &IncidentEvent,
    ) -> Option<(DateTime<Utc>, TimerKind)> {
        if let Some(i) = Incident::from_declared(e) {
            self.incidents.insert(id, i);
        } else if let Some(i) = self.incidents.get_mut(&id) {
            i.apply(e);
        }
        self.incidents.get(&id).and_then(timer_of)
    }
}

/// An incident's next timer and why it wakes the desk.
pub(super) fn timer_of(incident: &Incident) -> Option<(DateTime<Utc>, TimerKind)> {
    let next = incident.next_timer()?;
    let kind = match next.timer {
        IncidentTimer::Warn | IncidentTimer::Overdue => TimerKind::IncidentCadence,
        IncidentTimer::FollowUp => TimerKind::FollowUp,
    };
    Some((next.at, kind))
}
