//! Pages to employees, and the time they respect.
//!
//! Every message the desk sends to an agent is a page of some
//! [`PageKind`]. The [`PagePolicy`] in [`DeskConfig::pages`] says, kind by
//! kind, whether it goes at once or waits for the person's next working
//! minute: outside their working hours, protected windows ("the mornings
//! are mine") and absences, as their record holds them
//! ([`crate::agent::Schedule`]). A page that waits is recorded now with a
//! not-before instant ([`OutboundMessage::deliver_after`]);
//! `Desk::poll_outbound` hands it out from then, and `Desk::poll_timeout`
//! wakes the caller for it.

#![allow(clippy::wildcard_imports)]

use super::*;
use crate::id::EventId;

/// What a page to an employee is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum PageKind {
    /// Praise, kudos up the chain, peer recognition, certificates.
    Kudos,
    /// A reminder to acknowledge kudos personally.
    PraiseReminder,
    /// A trend escalated to the people who act on it.
    TrendNotice,
    /// A ticket handed off to a department (not urgent priority).
    Escalation,
    /// A ticket of urgent priority handed off to a department.
    UrgentEscalation,
    /// An incident's next update falls due soon (to its commander).
    IncidentUpdateDue,
    /// An incident's update was missed (to its commander).
    IncidentUpdateOverdue,
    /// Follow up with a customer after an incident.
    IncidentFollowUp,
    /// The same kind of mistake again, to the agent's lead.
    CourseCorrection,
    /// A person may be at risk.
    Crisis,
    /// A new entry on a ticket the agent follows.
    FollowerUpdate,
    /// A page a trigger sends ([`crate::rules::RuleAction::Page`]).
    RuleNotice,
}

/// When a page goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PageTiming {
    /// Now, whatever the person's hours.
    AtOnce,
    /// At the person's next working minute: now if they are working,
    /// outside protected time and not away; else when they next are.
    NextWorkingMinute,
}

/// Per kind of page, whether it waits for the person's time. The
/// defaults: pages that can wait (kudos, reminders, trend notices,
/// escalations of tickets below urgent priority, an update falling due,
/// follow-ups, course corrections, updates to followers) wait for the
/// next working minute;
/// urgent ones (a crisis, a missed incident update, an urgent-priority
/// escalation) go at once.
///
/// In configuration, each kind is a field with `"at_once"` or
/// `"next_working_minute"`; fields left out keep their default.
///
/// ```
/// use fanatical::desk::{PageKind, PagePolicy, PageTiming};
///
/// let policy: PagePolicy = serde_json::from_str(r#"{"trend_notice": "at_once"}"#)?;
/// assert_eq!(policy.timing(PageKind::TrendNotice), PageTiming::AtOnce);
/// assert_eq!(policy.timing(PageKind::Kudos), PageTiming::NextWorkingMinute);
/// assert_eq!(policy.timing(PageKind::Crisis), PageTiming::AtOnce);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct PagePolicy {
    /// Kudos and recognition (default: next working minute).
    pub kudos: PageTiming,
    /// Reminders to acknowledge kudos (default: next working minute).
    pub praise_reminder: PageTiming,
    /// Trend notices (default: next working minute).
    pub trend_notice: PageTiming,
    /// Escalations below urgent priority (default: next working minute).
    pub escalation: PageTiming,
    /// Urgent-priority escalations (default: at once).
    pub urgent_escalation: PageTiming,
    /// An incident update falling due (default: next working minute).
    pub incident_update_due: PageTiming,
    /// A missed incident update (default: at once).
    pub incident_update_overdue: PageTiming,
    /// Follow-ups after an incident (default: next working minute).
    pub incident_follow_up: PageTiming,
    /// Course corrections (default: next working minute).
    pub course_correction: PageTiming,
    /// A person at risk (default: at once).
    pub crisis: PageTiming,
    /// A new entry on a followed ticket (default: next working minute).
    pub follower_update: PageTiming,
    /// A trigger's page (default: next working minute). Left out of the
    /// serialised policy while the default.
    #[serde(skip_serializing_if = "is_next_working_minute")]
    pub rule_notice: PageTiming,
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's skip_serializing_if passes a reference
fn is_next_working_minute(t: &PageTiming) -> bool {
    *t == PageTiming::NextWorkingMinute
}

impl Default for PagePolicy {
    fn default() -> Self {
        use PageTiming::{AtOnce, NextWorkingMinute};
        PagePolicy {
            kudos: NextWorkingMinute,
            praise_reminder: NextWorkingMinute,
            trend_notice: NextWorkingMinute,
            escalation: NextWorkingMinute,
            urgent_escalation: AtOnce,
            incident_update_due: NextWorkingMinute,
            incident_update_overdue: AtOnce,
            incident_follow_up: NextWorkingMinute,
            course_correction: NextWorkingMinute,
            crisis: AtOnce,
            follower_update: NextWorkingMinute,
            rule_notice: NextWorkingMinute,
        }
    }
}

impl PagePolicy {
    /// Every page at once: the desk as it was before schedules.
    #[must_use]
    pub fn all_at_once() -> Self {
        PagePolicy {
            kudos: PageTiming::AtOnce,
            praise_reminder: PageTiming::AtOnce,
            trend_notice: PageTiming::AtOnce,
            escalation: PageTiming::AtOnce,
            urgent_escalation: PageTiming::AtOnce,
            incident_update_due: PageTiming::AtOnce,
            incident_update_overdue: PageTiming::AtOnce,
            incident_follow_up: PageTiming::AtOnce,
            course_correction: PageTiming::AtOnce,
            crisis: PageTiming::AtOnce,
            follower_update: PageTiming::AtOnce,
            rule_notice: PageTiming::AtOnce,
        }
    }

    /// When pages of `kind` go.
    #[must_use]
    pub fn timing(&self, kind: PageKind) -> PageTiming {
        *self.slot(kind)
    }

    /// This policy with pages of `kind` going at `timing`.
    #[must_use]
    pub fn with(mut self, kind: PageKind, timing: PageTiming) -> Self {
        *self.slot_mut(kind) = timing;
        self
    }

    fn slot(&self, kind: PageKind) -> &PageTiming {
        match kind {
            PageKind::Kudos => &self.kudos,
            PageKind::PraiseReminder => &self.praise_reminder,
            PageKind::TrendNotice => &self.trend_notice,
            PageKind::Escalation => &self.escalation,
            PageKind::UrgentEscalation => &self.urgent_escalation,
            PageKind::IncidentUpdateDue => &self.incident_update_due,
            PageKind::IncidentUpdateOverdue => &self.incident_update_overdue,
            PageKind::IncidentFollowUp => &self.incident_follow_up,
            PageKind::CourseCorrection => &self.course_correction,
            PageKind::Crisis => &self.crisis,
            PageKind::FollowerUpdate => &self.follower_update,
            PageKind::RuleNotice => &self.rule_notice,
        }
    }

    fn slot_mut(&mut self, kind: PageKind) -> &mut PageTiming {
        match kind {
            PageKind::Kudos => &mut self.kudos,
            PageKind::PraiseReminder => &mut self.praise_reminder,
            PageKind::TrendNotice => &mut self.trend_notice,
            PageKind::Escalation => &mut self.escalation,
            PageKind::UrgentEscalation => &mut self.urgent_escalation,
            PageKind::IncidentUpdateDue => &mut self.incident_update_due,
            PageKind::IncidentUpdateOverdue => &mut self.incident_update_overdue,
            PageKind::IncidentFollowUp => &mut self.incident_follow_up,
            PageKind::CourseCorrection => &mut self.course_correction,
            PageKind::Crisis => &mut self.crisis,
            PageKind::FollowerUpdate => &mut self.follower_update,
            PageKind::RuleNotice => &mut self.rule_notice,
        }
    }
}

/// One page to queue.
pub(super) struct Page {
    /// Its message id.
    pub(super) id: MessageId,
    /// Who.
    pub(super) agent: AgentId,
    /// What about.
    pub(super) kind: PageKind,
    /// The text.
    pub(super) body: String,
    /// The ticket it is about, if any.
    pub(super) ticket: Option<TicketId>,
}

impl Desk {
    /// The instant a page of `kind` to `agent` may go, when not now: the
    /// agent's next working minute when the policy says it waits and they
    /// are not available at `now`. `None` (at once) for an agent the desk
    /// does not know, or who is never available again.
    pub(super) fn page_not_before(
        &self,
        agent: AgentId,
        kind: PageKind,
        now: DateTime<Utc>,
    ) -> Option<DateTime<Utc>> {
        if self.config.pages.timing(kind) == PageTiming::AtOnce {
            return None;
        }
        let schedule = self.agent(agent)?.schedule();
        schedule.next_available(now).filter(|at| *at > now)
    }

    /// The outbox event queueing a page, deferred as the policy says.
    pub(super) fn queue_page(&self, page: Page, now: DateTime<Utc>) -> Event {
        let deliver_after = self.page_not_before(page.agent, page.kind, now);
        delivery::outbox(
            now,
            OutboxEventKind::Queued {
                message: OutboundMessage {
                    id: page.id,
                    channel: Channel::Chat,
                    recipient: Recipient::Agent { agent: page.agent },
                    body: page.body,
                    ticket: page.ticket,
                    queued_at: now,
                    deliver_after,
                    attachments: Vec::new(),
                    automatic: true,
                },
            },
        )
    }

    /// Queues one page.
    pub(super) fn page(&self, d: &mut Drafts, page: Page, now: DateTime<Utc>) {
        d.push_outbox([self.queue_page(page, now)]);
    }
}

/// A page that is not about a ticket, its id the `index`th derived from
/// the event that causes it.
pub(super) fn page_of(
    event: EventId,
    index: u64,
    agent: AgentId,
    kind: PageKind,
    body: String,
) -> Page {
    Page {
        id: message_of(event, index),
        agent,
        kind,
        body,
        ticket: None,
    }
}
