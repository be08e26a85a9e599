//! The desk and coaching.

use chrono::{DateTime, Duration, Utc};

use super::decision::salt;
use super::{CoachingAction, Desk, Drafts, outbox};
use crate::channel::Channel;
use crate::coaching::{CoachingEvent, CoachingEventKind, CoachingFlag, Mistake};
use crate::error::Error;
use crate::event::{Event, StreamId};
use crate::id::AgentId;
use crate::outbox::{OutboundMessage, OutboxEventKind, Recipient};

impl Desk {
    /// See [`PeopleView::mistakes`].
    pub(crate) fn mistakes(&self) -> &[Mistake] {
        self.state.coaching.mistakes()
    }

    /// See [`PeopleView::coaching_flags`].
    pub(crate) fn coaching_flags(&self) -> &[CoachingFlag] {
        self.state.coaching.flags()
    }

    /// See [`PeopleView::lead_of`].
    pub(crate) fn lead_of(&self, agent: AgentId) -> Option<AgentId> {
        self.state.people.lead_of(agent)
    }

    pub(super) fn decide_coaching(
        &self,
        d: &mut Drafts,
        action: CoachingAction,
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        let (agent, kind, ticket, note) = match action {
            CoachingAction::RecordMistake {
                agent,
                kind,
                ticket,
                note,
            } => (agent, kind, ticket, note),
        };
        let by = Self::acting_agent(d)?;
        self.active_agent(agent)?;
        self.active_agent(by)?;
        if let Some(t) = ticket {
            self.ticket_or_err(t)?;
        }
        let window: Duration = self.config.coaching_window;
        let mut occurrences: Vec<DateTime<Utc>> = self
            .state
            .coaching
            .mistakes()
            .iter()
            .filter(|m| m.agent == agent && m.kind == kind && now - m.at <= window)
            .map(|m| m.at)
            .collect();
        let mistake = Mistake {
            agent,
            kind: kind.clone(),
            ticket,
            note: note.trim().to_owned(),
            by,
            at: now,
        };
        let stream = StreamId::Coaching;
        let mut events = vec![Event::Coaching(CoachingEvent {
            at: now,
            kind: CoachingEventKind::MistakeRecorded { mistake },
        })];
        if !occurrences.is_empty() {
            occurrences.push(now);
            let lead = self.lead_of(agent);
            if let Some(l) = lead {
                let name = self
                    .agent(agent)
                    .map_or_else(|| agent.to_string(), |a| a.name().to_owned());
                let message = OutboundMessage {
                    // The flag, the second event drafted here, queues it.
                    id: d.message_id(self, &stream, 2, salt::MESSAGE),
                    channel: Channel::Chat,
                    recipient: Recipient::Agent { agent: l },
                    body: format!(
                        "Course correction: {name} has made the same kind of mistake ({kind:?}) {} times in {} days.",
                        occurrences.len(),
                        window.num_days()
                    ),
                    ticket,
                    queued_at: now,
                };
                d.push(
                    StreamId::Outbox,
                    [outbox(now, OutboxEventKind::Queued { message })],
                );
            }
            events.push(Event::Coaching(CoachingEvent {
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
            }));
        }
        d.push(stream, events);
        Ok(())
    }
}
