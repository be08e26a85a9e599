//! Proactive care and period metrics: the shapes the desk reports in
//! (`desk.customers().care_briefing(..)`, `desk.tickets().metrics(..)`), and the arithmetic behind
//! them.
//!
//! Percentiles are nearest-rank: the p-th percentile of `n` sorted values
//! is the value at rank `ceil(p/100 × n)` (from 1), so it is always one
//! of the measured values.
//!
//! ```
//! use chrono::Duration;
//! use fanatical::metrics::Percentiles;
//! let minutes: Vec<Duration> = [5, 1, 3, 9, 7, 2, 8, 4, 6, 10].map(Duration::minutes).to_vec();
//! let p = Percentiles::of(minutes).unwrap();
//! assert_eq!(p.median, Duration::minutes(5));
//! assert_eq!(p.p90, Duration::minutes(9));
//! assert_eq!(p.count, 10);
//! ```

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::channel::ChannelKind;
use crate::id::{AgentId, TeamId, TicketId};
use crate::incident::IncidentBriefing;
use crate::sla::Metric;
use crate::survey::Nps;
use crate::ticket::Status;
use crate::time::{self, DurationOutOfRange};

configured_seconds!(repeat_within_seconds: "care repeat_within" from 0);

/// Proactive-care settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CareConfig {
    /// A ticket from the same customer about the same problem within this
    /// long of an earlier one is a repeat contact (default 7 days).
    #[serde(with = "repeat_within_seconds")]
    pub repeat_within: Duration,
    /// Story 000: "video calls ... with the larger spend accounts
    /// especially during the onboarding process". When set, an account
    /// whose monthly spend is set at or above the threshold (in the same
    /// currency) is offered a video onboarding once: a task ticket on the
    /// video channel for its account manager, opened by the rule
    /// `video_onboarding` (see [`crate::id::CustomerId::onboarding_ticket`]).
    /// Off by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub video_onboarding: Option<VideoOnboarding>,
}

/// The spend-based video-onboarding offer: an explicit, auditable policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VideoOnboarding {
    /// The least monthly spend that earns the offer.
    pub min_monthly_spend: crate::customer::Money,
}

impl CareConfig {
    /// Offers a video onboarding to accounts whose monthly spend is set at
    /// or above `min_monthly_spend` (see [`CareConfig::video_onboarding`]).
    #[must_use]
    pub fn with_video_onboarding(mut self, min_monthly_spend: crate::customer::Money) -> Self {
        self.video_onboarding = Some(VideoOnboarding { min_monthly_spend });
        self
    }

    /// With the repeat-contact window.
    ///
    /// # Errors
    /// [`DurationOutOfRange`] for a negative window or one over 100 years.
    pub fn with_repeat_within(mut self, within: Duration) -> Result<Self, DurationOutOfRange> {
        self.repeat_within = within;
        self.validate()?;
        Ok(self)
    }

    /// Checks the window: from 0 to 100 years (reading a configuration
    /// checks it too).
    ///
    /// # Errors
    /// [`DurationOutOfRange`] naming `care repeat_within`.
    pub fn validate(&self) -> Result<(), DurationOutOfRange> {
        time::check_configured("care repeat_within", self.repeat_within)?;
        Ok(())
    }
}

impl Default for CareConfig {
    fn default() -> Self {
        CareConfig {
            repeat_within: Duration::days(7),
            video_onboarding: None,
        }
    }
}

/// Median and 90th percentile of some durations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Percentiles {
    /// How many were measured.
    pub count: usize,
    /// The median (nearest rank).
    #[serde(with = "crate::time::seconds")]
    pub median: Duration,
    /// The 90th percentile (nearest rank).
    #[serde(with = "crate::time::seconds")]
    pub p90: Duration,
}

impl Percentiles {
    /// The percentiles of `values`; `None` when there are none.
    #[must_use]
    pub fn of(mut values: Vec<Duration>) -> Option<Self> {
        values.sort();
        let rank = |p: usize| {
            let r = (p * values.len()).div_ceil(100).max(1);
            values.get(r - 1).copied()
        };
        Some(Percentiles {
            count: values.len(),
            median: rank(50)?,
            p90: rank(90)?,
        })
    }
}

/// How often targets were met.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Attainment {
    /// Targets met.
    pub met: u32,
    /// Targets breached.
    pub breached: u32,
}

impl Attainment {
    /// Met share in percent; `None` when nothing was measured.
    #[must_use]
    pub fn percent(&self) -> Option<f64> {
        let total = self.met + self.breached;
        (total > 0).then(|| f64::from(self.met) * 100.0 / f64::from(total))
    }
    pub(crate) fn add(&mut self, met: bool) {
        if met {
            self.met += 1;
        } else {
            self.breached += 1;
        }
    }
}

/// SLA attainment over a period: each target whose outcome fell in it
/// (fulfilled in time, or breached) counts once.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SlaAttainment {
    /// Per metric.
    pub by_metric: BTreeMap<Metric, Attainment>,
    /// Per team the ticket is with.
    pub by_team: BTreeMap<TeamId, Attainment>,
    /// Per agent the ticket is assigned to.
    pub by_agent: BTreeMap<AgentId, Attainment>,
}

/// The desk over a period `[from, to)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Metrics {
    /// Start, inclusive.
    pub from: DateTime<Utc>,
    /// End, exclusive.
    pub to: DateTime<Utc>,
    /// Tickets opened.
    pub opened: u32,
    /// Time from the customer's first message to the first public agent
    /// reply, wall clock, per channel, for tickets opened in the period
    /// and answered.
    pub first_response: BTreeMap<ChannelKind, Percentiles>,
    /// Tickets opened in the period with no reply yet.
    pub unanswered: u32,
    /// SLA attainment.
    pub sla: SlaAttainment,
    /// The largest number of unsolved tickets at any moment of each day
    /// of the period, days in the desk's time zone
    /// ([`crate::desk::DeskConfig::time_zone`]).
    pub daily_queue: BTreeMap<NaiveDate, u32>,
    /// The peak of those: the day and the length.
    pub peak_queue: Option<(NaiveDate, u32)>,
    /// The same per channel the tickets came by (a day with no change and
    /// no queue on a channel counts 0): "peak daily phone queue" is
    /// `peak_queue_by_channel[&ChannelKind::Phone]`.
    pub daily_queue_by_channel: BTreeMap<ChannelKind, BTreeMap<NaiveDate, u32>>,
    /// Each channel's peak day, for channels with any tickets in the log.
    pub peak_queue_by_channel: BTreeMap<ChannelKind, QueuePeak>,
    /// Tickets opened in the period that repeat an earlier contact.
    pub repeat_contacts: u32,
    /// Answers to NPS questions received in the period.
    pub nps: Nps,
    /// Attributed customer praise received in the period.
    pub smiles: u32,
    /// Where the ticket figures come from. They are computed from the
    /// tickets in the desk's memory; tickets archived out of it
    /// ([`crate::desk::ArchivePolicy`]) are not in them (read one back
    /// with [`crate::desk::TicketsView::archived`]). This many archived
    /// tickets were opened on the days (UTC) the period touches: zero
    /// means every ticket opened in the period is counted. SLA outcomes
    /// and repeat contacts in the period can also concern tickets opened
    /// before it, archived or not. The daily queue of a day whose
    /// tickets were archived is that whole day's peak, even for a period
    /// starting or ending within the day.
    pub archived: u32,
}

/// The longest daily queue: the day and how many tickets were unsolved at
/// its worst moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct QueuePeak {
    /// The day, in the desk's time zone.
    pub day: NaiveDate,
    /// Unsolved tickets at the day's worst moment.
    pub tickets: u32,
}

impl Metrics {
    /// Repeat contacts as a share of tickets opened, percent.
    #[must_use]
    pub fn repeat_contact_rate(&self) -> Option<f64> {
        (self.opened > 0).then(|| f64::from(self.repeat_contacts) * 100.0 / f64::from(self.opened))
    }
}

/// One of the customer's other open issues.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OpenIssue {
    /// The ticket.
    pub ticket: TicketId,
    /// Its subject.
    pub subject: String,
    /// Its status.
    pub status: Status,
    /// When it was opened.
    pub opened_at: DateTime<Utc>,
}

/// What an agent opening a ticket should know so the customer leaves
/// better off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct CareBriefing {
    /// The ticket.
    pub ticket: TicketId,
    /// The customer's other unsolved tickets, oldest first.
    pub other_open: Vec<OpenIssue>,
    /// Incidents affecting the customer, running or recent.
    pub incidents: Vec<IncidentBriefing>,
    /// Earlier tickets this one repeats (same problem within the repeat
    /// window).
    pub repeat_of: Vec<TicketId>,
    /// What the requester agreed to have remembered, to start a
    /// conversation (story 003: "use their names casually in
    /// conversation"); `None` without standing consent, when nothing is
    /// held, or on a crisis ticket.
    pub conversation_starter: Option<ConversationStarter>,
}

/// Family names and interests a contact agreed to have remembered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConversationStarter {
    /// The contact.
    pub contact: crate::id::ContactId,
    /// Their name.
    pub name: String,
    /// Their family members' names and relations.
    pub family: Vec<crate::customer::FamilyMember>,
    /// What they care about.
    pub interests: Vec<crate::customer::Interest>,
}
