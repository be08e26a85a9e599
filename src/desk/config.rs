//! How a desk behaves: its configuration.

#![allow(clippy::wildcard_imports)]

use super::*;

/// How a desk behaves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DeskConfig {
    /// SLA policies, support hours and contracts.
    #[serde(default)]
    pub sla: SlaConfig,
    /// Surveys, the contact budget, follow-ups.
    #[serde(default)]
    pub surveys: crate::survey::SurveyConfig,
    /// Praise attribution and acknowledgement reminders.
    #[serde(default)]
    pub recognition: RecognitionConfig,
    /// The same kind of mistake twice within this long is flagged for
    /// coaching (default 30 days).
    #[serde(default = "default_coaching_window", with = "crate::time::seconds")]
    pub coaching_window: Duration,
    /// Official accounts and the review their posts pass.
    #[serde(default)]
    pub guard: crate::guard::GuardPolicy,
    /// The keyword policy applied to every inbound customer message.
    #[serde(default)]
    pub crisis: crate::crisis::KeywordPolicy,
    /// Components, credit policies, follow-ups.
    #[serde(default)]
    pub incidents: crate::incident::IncidentConfig,
    /// Trend detection.
    #[serde(default)]
    pub trends: crate::trend::TrendConfig,
    /// Proactive care: how far back a contact counts as a repeat.
    #[serde(default)]
    pub care: crate::metrics::CareConfig,
    /// What each channel falls back to when it is down.
    #[serde(default = "default_fallbacks")]
    pub fallbacks: BTreeMap<ChannelKind, Vec<ChannelKind>>,
    /// Limits on conversation entries.
    pub ticket_rules: TicketRules,
    /// Retries of failed deliveries.
    pub retry: RetryPolicy,
    /// How long a message handed out by `poll_outbound` is reserved for the
    /// caller before it is handed out again (default 5 minutes): a caller
    /// that crashes mid-delivery loses nothing.
    pub delivery_lease: Duration,
}

impl Default for DeskConfig {
    fn default() -> Self {
        DeskConfig {
            sla: SlaConfig::default(),
            surveys: crate::survey::SurveyConfig::default(),
            recognition: RecognitionConfig::default(),
            coaching_window: default_coaching_window(),
            guard: crate::guard::GuardPolicy::default(),
            crisis: crate::crisis::KeywordPolicy::default_policy(),
            fallbacks: default_fallbacks(),
            incidents: crate::incident::IncidentConfig::default(),
            trends: crate::trend::TrendConfig::default(),
            care: crate::metrics::CareConfig::default(),
            ticket_rules: TicketRules::default(),
            retry: RetryPolicy::default(),
            delivery_lease: Duration::minutes(5),
        }
    }
}

impl DeskConfig {
    /// The defaults with other ticket rules.
    #[must_use]
    pub fn with_ticket_rules(mut self, rules: TicketRules) -> Self {
        self.ticket_rules = rules;
        self
    }
    /// The defaults with SLA policies, calendars and contracts.
    #[must_use]
    pub fn with_sla(mut self, sla: SlaConfig) -> Self {
        self.sla = sla;
        self
    }
    /// The defaults with surveys.
    #[must_use]
    pub fn with_surveys(mut self, surveys: crate::survey::SurveyConfig) -> Self {
        self.surveys = surveys;
        self
    }
    /// The defaults with official accounts and their review policy.
    #[must_use]
    pub fn with_guard(mut self, guard: crate::guard::GuardPolicy) -> Self {
        self.guard = guard;
        self
    }
    /// The defaults with incident components, credits and follow-ups.
    #[must_use]
    pub fn with_incidents(mut self, incidents: crate::incident::IncidentConfig) -> Self {
        self.incidents = incidents;
        self
    }
    /// The defaults with trend detection settings.
    #[must_use]
    pub fn with_trends(mut self, trends: crate::trend::TrendConfig) -> Self {
        self.trends = trends;
        self
    }
    /// The defaults with another retry policy.
    #[must_use]
    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }
}

pub(super) fn default_coaching_window() -> Duration {
    Duration::days(30)
}
