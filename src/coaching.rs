//! Coaching: mistakes recorded by kind; the same kind twice within a
//! window is flagged to the agent's lead for course correction. Nobody is
//! flagged for a first mistake.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::id::{AgentId, TicketId};

/// A kind of mistake. The set is open: [`MistakeKind::Other`] names any
/// other, and kinds compare by name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MistakeKind {
    /// Told the customer something wrong.
    WrongInformation,
    /// Promised a follow-up and did not.
    MissedFollowUp,
    /// Tone or courtesy.
    Tone,
    /// Shared something that should have stayed private.
    Privacy,
    /// Posted from the wrong account or on the wrong channel.
    WrongChannel,
    /// Let an SLA slip.
    SlaMiss,
    /// Anything else, by name.
    Other(String),
}

impl std::fmt::Display for MistakeKind {
    /// The wire name (`wrong_channel`), or the name of an `Other` kind.
    ///
    /// ```
    /// use fanatical::coaching::MistakeKind;
    /// assert_eq!(MistakeKind::WrongChannel.to_string(), "wrong_channel");
    /// assert_eq!(MistakeKind::Other("mislabelled".into()).to_string(), "mislabelled");
    /// ```
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            MistakeKind::WrongInformation => "wrong_information",
            MistakeKind::MissedFollowUp => "missed_follow_up",
            MistakeKind::Tone => "tone",
            MistakeKind::Privacy => "privacy",
            MistakeKind::WrongChannel => "wrong_channel",
            MistakeKind::SlaMiss => "sla_miss",
            MistakeKind::Other(name) => name,
        })
    }
}

/// A recorded mistake.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mistake {
    /// Whose.
    pub agent: AgentId,
    /// What kind.
    pub kind: MistakeKind,
    /// On which ticket, if any.
    pub ticket: Option<TicketId>,
    /// What happened.
    pub note: String,
    /// Who recorded it.
    pub by: AgentId,
    /// When.
    pub at: DateTime<Utc>,
}

/// A flag for course correction: the same kind of mistake again within
/// the window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoachingFlag {
    /// Whose.
    pub agent: AgentId,
    /// What kind.
    pub kind: MistakeKind,
    /// When the earlier mistakes of this kind in the window happened, and
    /// this one, in order.
    pub occurrences: Vec<DateTime<Utc>>,
    /// Who is told (the agent's team lead, else their manager).
    pub lead: Option<AgentId>,
    /// When.
    pub at: DateTime<Utc>,
}

/// Something that happened in coaching.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoachingEvent {
    /// When.
    pub at: DateTime<Utc>,
    /// What.
    pub kind: CoachingEventKind,
}

/// What happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum CoachingEventKind {
    /// A mistake was recorded.
    MistakeRecorded {
        /// The mistake.
        mistake: Mistake,
    },
    /// A repeat was flagged.
    Flagged {
        /// The flag.
        flag: CoachingFlag,
    },
}

impl CoachingEventKind {
    /// The agent the event is about: the stream
    /// ([`StreamId::Mistakes`](crate::event::StreamId::Mistakes)) it is
    /// recorded on.
    #[must_use]
    pub fn agent(&self) -> AgentId {
        match self {
            CoachingEventKind::MistakeRecorded { mistake } => mistake.agent,
            CoachingEventKind::Flagged { flag } => flag.agent,
        }
    }
}

/// What the coaching area can be asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
#[non_exhaustive]
pub enum CoachingAction {
    /// The acting agent records a mistake against an agent; the same kind
    /// again within the coaching window flags it to their lead.
    RecordMistake {
        /// Whose.
        agent: AgentId,
        /// What kind.
        kind: MistakeKind,
        /// On which ticket, if any.
        ticket: Option<TicketId>,
        /// What happened.
        note: String,
    },
}

/// The coaching aggregate: every recorded mistake and coaching flag,
/// oldest first. A pure fold of [`CoachingEvent`]s.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CoachingLog {
    mistakes: Vec<Mistake>,
    flags: Vec<CoachingFlag>,
}

impl CoachingLog {
    /// Every recorded mistake, oldest first.
    #[must_use]
    pub fn mistakes(&self) -> &[Mistake] {
        &self.mistakes
    }

    /// Every coaching flag, oldest first.
    #[must_use]
    pub fn flags(&self) -> &[CoachingFlag] {
        &self.flags
    }

    /// Decides a mistake recorded by `by`: the mistake, and a flag when the
    /// same kind happened before within `window` (the flag names `lead`,
    /// who is told). Agents and tickets are the caller's to check.
    ///
    /// # Errors
    /// [`crate::error::BlankText`] for a blank note, or a blank label of
    /// [`MistakeKind::Other`].
    pub fn handle(
        &self,
        action: CoachingAction,
        by: AgentId,
        lead: Option<AgentId>,
        window: chrono::Duration,
        now: DateTime<Utc>,
    ) -> Result<Vec<CoachingEvent>, crate::text::BlankText> {
        let (agent, kind, ticket, note) = match action {
            CoachingAction::RecordMistake {
                agent,
                kind,
                ticket,
                note,
            } => (agent, kind, ticket, note),
        };
        let note = crate::text::BlankText::check(&note, "a mistake note")?;
        let kind = match kind {
            MistakeKind::Other(label) => {
                MistakeKind::Other(crate::text::BlankText::check(&label, "a mistake label")?)
            }
            kind => kind,
        };
        let mut occurrences: Vec<DateTime<Utc>> = self
            .mistakes
            .iter()
            .filter(|m| {
                m.agent == agent && m.kind == kind && now.signed_duration_since(m.at) <= window
            })
            .map(|m| m.at)
            .collect();
        let mut events = vec![CoachingEvent {
            at: now,
            kind: CoachingEventKind::MistakeRecorded {
                mistake: Mistake {
                    agent,
                    kind: kind.clone(),
                    ticket,
                    note,
                    by,
                    at: now,
                },
            },
        }];
        if !occurrences.is_empty() {
            occurrences.push(now);
            events.push(CoachingEvent {
                at: now,
                kind: CoachingEventKind::Flagged {
                    flag: CoachingFlag {
                        agent,
                        kind,
                        occurrences,
                        lead,
                        at: now,
                    },
                },
            });
        }
        Ok(events)
    }

    /// Folds one coaching event.
    pub fn apply(&mut self, e: &CoachingEvent) {
        match &e.kind {
            CoachingEventKind::MistakeRecorded { mistake } => self.mistakes.push(mistake.clone()),
            CoachingEventKind::Flagged { flag } => self.flags.push(flag.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::MistakeKind;

    #[test]
    fn a_kind_displays_as_its_wire_name() {
        use MistakeKind::*;
        for kind in [
            WrongInformation,
            MissedFollowUp,
            Tone,
            Privacy,
            WrongChannel,
            SlaMiss,
        ] {
            let wire = serde_json::to_string(&kind).unwrap();
            assert_eq!(wire, format!("\"{kind}\""));
        }
        assert_eq!(Other("mislabelled".into()).to_string(), "mislabelled");
    }
}
