//! The incident area: every major incident, with the index of each one's
//! next cadence or follow-up timer.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};

use crate::id::IncidentId;
use crate::incident::{Incident, IncidentEvent};

/// Every major incident the desk knows, with their next timers indexed: a
/// fold of the incident streams.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Incidents {
    incidents: BTreeMap<IncidentId, Incident>,
    /// Each incident's next timer.
    timers: BTreeSet<(DateTime<Utc>, IncidentId)>,
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

    /// The earliest incident timer.
    #[must_use]
    pub fn next_timer(&self) -> Option<DateTime<Utc>> {
        self.timers.first().map(|(at, _)| *at)
    }

    /// Incidents with a timer due at or before `now`, earliest first.
    pub fn due(&self, now: DateTime<Utc>) -> impl Iterator<Item = IncidentId> + '_ {
        self.timers
            .iter()
            .take_while(move |(at, _)| *at <= now)
            .map(|(_, id)| *id)
    }

    /// Folds one event of an incident's stream.
    pub(super) fn apply(&mut self, id: IncidentId, e: &IncidentEvent) {
        if let Some(timer) = self.incidents.get(&id).and_then(Incident::next_timer) {
            self.timers.remove(&(timer.0, id));
        }
        if let Some(i) = Incident::from_declared(e) {
            self.incidents.insert(id, i);
        } else if let Some(i) = self.incidents.get_mut(&id) {
            i.apply(e);
        }
        if let Some(timer) = self.incidents.get(&id).and_then(Incident::next_timer) {
            self.timers.insert((timer.0, id));
        }
    }
}
