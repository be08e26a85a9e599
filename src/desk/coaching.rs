//! The desk and coaching.

use chrono::{DateTime, Utc};

use super::decision::salt;
use super::{Desk, Drafts, Page, PageKind};
use crate::coaching::{CoachingAction, MistakeKind};
use crate::coaching::{CoachingEventKind, CoachingFlag, Mistake};
use crate::error::Error;
use crate::event::{Event, StreamId};
use crate::id::AgentId;
use crate::template::TemplateName;

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
        let by = Self::acting_agent(d)?;
        let CoachingAction::RecordMistake { agent, ticket, .. } = &action;
        let (agent, ticket) = (*agent, *ticket);
        self.active_agent(agent)?;
        self.active_agent(by)?;
        if let Some(t) = ticket {
            self.ticket_or_err(t)?;
        }
        let window = self.config.coaching_window;
        let lead = self.lead_of(agent);
        let events = self.state.coaching.handle(action, by, lead, window, now)?;
        let stream = StreamId::Mistakes(agent);
        for e in &events {
            let CoachingEventKind::Flagged { flag } = &e.kind else {
                continue;
            };
            let Some(l) = flag.lead else { continue };
            let name = self
                .agent(agent)
                .map_or_else(|| agent.to_string(), |a| a.name().to_owned());
            let page = Page {
                // The flag, the second event drafted here, queues it.
                id: d.message_id(self, &stream, 2, salt::MESSAGE),
                agent: l,
                kind: PageKind::CourseCorrection,
                body: self.text(
                    TemplateName::CourseCorrection,
                    &[
                        ("name", &name),
                        ("kind", &self.mistake_kind_text(&flag.kind)),
                        ("count", &flag.occurrences.len().to_string()),
                        ("days", &window.num_days().to_string()),
                    ],
                ),
                ticket,
            };
            self.page(d, page, now);
        }
        d.push(stream, events.into_iter().map(Event::Coaching));
        Ok(())
    }

    /// A kind of mistake as the course-correction page names it, in the
    /// desk's default locale: a built-in kind by its template, a kind of
    /// the desk's own by its name.
    fn mistake_kind_text(&self, kind: &MistakeKind) -> String {
        let name = match kind {
            MistakeKind::WrongInformation => TemplateName::MistakeWrongInformation,
            MistakeKind::MissedFollowUp => TemplateName::MistakeMissedFollowUp,
            MistakeKind::Tone => TemplateName::MistakeTone,
            MistakeKind::Privacy => TemplateName::MistakePrivacy,
            MistakeKind::WrongChannel => TemplateName::MistakeWrongChannel,
            MistakeKind::SlaMiss => TemplateName::MistakeSlaMiss,
            MistakeKind::Other(name) => return name.clone(),
        };
        self.text(name, &[])
    }
}
