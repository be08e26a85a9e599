//! How a desk behaves: its configuration.

#![allow(clippy::wildcard_imports)]

use super::pages::PagePolicy;
use super::*;
use crate::permission::PermissionTable;
use crate::recognition::RecognitionConfig;

configured_seconds!(
    coaching_seconds: "coaching window" from 0,
    lease_seconds: "delivery lease" from 1,
);

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
    #[serde(default = "default_coaching_window", with = "coaching_seconds")]
    pub coaching_window: Duration,
    /// Official accounts and the review their posts, and public replies
    /// on tickets from company accounts, pass (default: the safe policy,
    /// its rules on; no review is `GuardPolicy::without_rules()`).
    #[serde(default)]
    pub guard: crate::guard::GuardPolicy,
    /// Crisis handling: the keyword policy applied to every inbound text,
    /// when safety responders are on call, and the safety lead.
    #[serde(default)]
    pub crisis: crate::crisis::CrisisConfig,
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
    /// that crashes mid-delivery loses nothing. One second to 100 years.
    #[serde(default = "default_lease", with = "lease_seconds")]
    pub delivery_lease: Duration,
    /// The desk's own time zone, for what is counted per day (the daily
    /// queue in [`crate::metrics::Metrics`]); default UTC.
    #[serde(default = "default_time_zone")]
    pub time_zone: chrono_tz::Tz,
    /// Which pages to employees wait for the person's next working minute
    /// and which go at once (see [`PagePolicy`] for the defaults).
    #[serde(default)]
    pub pages: PagePolicy,
    /// The region phone numbers typed without an international prefix are
    /// read in (default: North America, +1), so a caller id in any common
    /// format finds its contact. See [`crate::channel::PhoneRegion`].
    #[serde(default)]
    pub phone_region: crate::channel::PhoneRegion,
    /// How goodwill credits and refunds are approved (default: one person
    /// who may see spend). Their reasons are the configured refund reasons,
    /// [`crate::incident::CreditConfig::reasons`].
    #[serde(default)]
    pub refunds: crate::refund::RefundPolicy,
    /// How long closed tickets stay in memory before they are archived
    /// (default 120 days; see [`super::ArchivePolicy`]).
    #[serde(default)]
    pub archive: super::ArchivePolicy,
    /// Who may do what (default [`PermissionTable::defaults`]): the table
    /// the desk starts with, until one is recorded with
    /// [`super::PeopleAction::SetPermissions`], which replaces it here as
    /// a recorded contract replaces the configured one. Left out of the
    /// serialised configuration while it is the default, so configurations
    /// from before permissions keep their fingerprint.
    #[serde(default, skip_serializing_if = "PermissionTable::is_default")]
    pub permissions: PermissionTable,
    /// What a message from an address no contact holds does (default:
    /// refused, as before the policy existed; see [`super::UnknownSenders`]).
    /// Left out of the serialised configuration while it is the default.
    #[serde(default, skip_serializing_if = "super::UnknownSenders::is_default")]
    pub unknown_senders: super::UnknownSenders,
    /// Whether the desk keeps its queue index in memory (default on), for
    /// [`super::QueuesView::page`] and [`super::QueuesView::count`]. The
    /// index costs about 2 KB per ticket in memory (see the README's
    /// performance section); a desk whose queues a database serves
    /// (fed with [`super::QueuesView::changes`]) turns it off, and its
    /// pages and counts are then [`crate::queue::QueueError::NotIndexed`].
    /// Left out of the serialised configuration while on.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub queue_index: bool,
    /// Which tickets the desk assigns by itself, and each agent's
    /// capacity per channel (default: off, nothing is auto-assigned; see
    /// [`crate::assignment`]). Left out of the serialised configuration
    /// while off.
    #[serde(default, skip_serializing_if = "assignment_unset")]
    pub assignment: crate::assignment::AutoAssign,
    /// The desk's triggers (see [`crate::rules`]; default: none). Replaced
    /// by [`crate::rules::RulesAction::SetTriggers`], recorded. Left out
    /// of the serialised configuration while empty.
    #[serde(default, skip_serializing_if = "crate::rules::TriggerSet::is_empty")]
    pub triggers: crate::rules::TriggerSet,
    /// The desk's automations (see [`crate::rules::Automation`]; default:
    /// none). Replaced by [`crate::rules::RulesAction::SetAutomations`],
    /// recorded. Left out of the serialised configuration while empty.
    #[serde(default, skip_serializing_if = "crate::rules::AutomationSet::is_empty")]
    pub automations: crate::rules::AutomationSet,
    /// The desk's macros (see [`crate::rules::Macro`]; default: none).
    /// Replaced by [`crate::rules::RulesAction::SetMacros`], recorded.
    /// Left out of the serialised configuration while empty.
    #[serde(default, skip_serializing_if = "crate::rules::MacroSet::is_empty")]
    pub macros: crate::rules::MacroSet,
    /// The escalation graph a trigger's
    /// [`crate::rules::RuleAction::Escalate`] walks (default: none; such
    /// a trigger is then refused when set).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub escalation: Option<crate::escalation::EscalationGraph>,
    /// The custom field whose value is a ticket's category when a trigger
    /// escalates it (see [`crate::escalation::Facts::of_ticket`]; default:
    /// none, its first tag is).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub escalation_category: Option<crate::field::FieldKey>,
    /// Every text the desk writes — survey invitations and thank-yous,
    /// incident notices, follow-up tasks, pages — per locale (default:
    /// the built-in English and Spanish, English the default locale; see
    /// [`crate::template`]). A contact is written to in their locale
    /// ([`crate::customer::CustomerCommand::SetContactLocale`]),
    /// colleagues in the set's default locale. Left out of the
    /// serialised configuration while it is the default.
    #[serde(
        default,
        skip_serializing_if = "crate::template::TemplateSet::is_default"
    )]
    pub templates: crate::template::TemplateSet,
}

fn yes() -> bool {
    true
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's skip_serializing_if passes a reference
fn is_true(b: &bool) -> bool {
    *b
}

fn assignment_unset(a: &crate::assignment::AutoAssign) -> bool {
    *a == crate::assignment::AutoAssign::default()
}

fn default_time_zone() -> chrono_tz::Tz {
    chrono_tz::UTC
}

impl Default for DeskConfig {
    fn default() -> Self {
        DeskConfig {
            sla: SlaConfig::default(),
            surveys: crate::survey::SurveyConfig::default(),
            recognition: RecognitionConfig::default(),
            coaching_window: default_coaching_window(),
            guard: crate::guard::GuardPolicy::default(),
            crisis: crate::crisis::CrisisConfig::default(),
            fallbacks: default_fallbacks(),
            incidents: crate::incident::IncidentConfig::default(),
            trends: crate::trend::TrendConfig::default(),
            care: crate::metrics::CareConfig::default(),
            ticket_rules: TicketRules::default(),
            retry: RetryPolicy::default(),
            delivery_lease: default_lease(),
            time_zone: default_time_zone(),
            pages: PagePolicy::default(),
            phone_region: crate::channel::PhoneRegion::default(),
            refunds: crate::refund::RefundPolicy::default(),
            archive: super::ArchivePolicy::default(),
            permissions: PermissionTable::default(),
            unknown_senders: super::UnknownSenders::default(),
            assignment: crate::assignment::AutoAssign::default(),
            triggers: crate::rules::TriggerSet::empty(),
            automations: crate::rules::AutomationSet::empty(),
            macros: crate::rules::MacroSet::empty(),
            escalation: None,
            escalation_category: None,
            queue_index: true,
            templates: crate::template::TemplateSet::default(),
        }
    }
}

impl DeskConfig {
    /// The configuration with another permission table (checked by
    /// [`DeskConfig::validate`]).
    #[must_use]
    pub fn with_permissions(mut self, permissions: PermissionTable) -> Self {
        self.permissions = permissions;
        self
    }

    /// The configuration with automatic assignment (see
    /// [`crate::assignment`]).
    #[must_use]
    pub fn with_assignment(mut self, assignment: crate::assignment::AutoAssign) -> Self {
        self.assignment = assignment;
        self
    }

    /// The configuration with these triggers (see [`crate::rules`]).
    #[must_use]
    pub fn with_triggers(mut self, triggers: crate::rules::TriggerSet) -> Self {
        self.triggers = triggers;
        self
    }

    /// The configuration with these automations (see
    /// [`crate::rules::Automation`]).
    #[must_use]
    pub fn with_automations(mut self, automations: crate::rules::AutomationSet) -> Self {
        self.automations = automations;
        self
    }

    /// The configuration with these macros (see
    /// [`crate::rules::Macro`]).
    #[must_use]
    pub fn with_macros(mut self, macros: crate::rules::MacroSet) -> Self {
        self.macros = macros;
        self
    }

    /// The configuration with the escalation graph triggers escalate
    /// through.
    #[must_use]
    pub fn with_escalation(mut self, graph: crate::escalation::EscalationGraph) -> Self {
        self.escalation = Some(graph);
        self
    }

    /// The configuration with another template set: custom texts over
    /// the built-in ones, or another default locale (validated when the
    /// set was made, [`crate::template::TemplateSet::new`]).
    ///
    /// ```
    /// use fanatical::desk::DeskConfig;
    /// use fanatical::template::{Locale, TemplateSet};
    ///
    /// let spanish = TemplateSet::default().with_default_locale(Locale::spanish())?;
    /// let config = DeskConfig::default().with_templates(spanish);
    /// assert_eq!(config.templates.default_locale().as_str(), "es");
    /// # Ok::<(), fanatical::template::TemplateError>(())
    /// ```
    #[must_use]
    pub fn with_templates(mut self, templates: crate::template::TemplateSet) -> Self {
        self.templates = templates;
        self
    }

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
    /// The defaults with other crisis handling (keyword policy, on-call
    /// hours, safety lead).
    #[must_use]
    pub fn with_crisis(mut self, crisis: crate::crisis::CrisisConfig) -> Self {
        self.crisis = crisis;
        self
    }
    /// The defaults with another policy on when pages go.
    #[must_use]
    pub fn with_pages(mut self, pages: PagePolicy) -> Self {
        self.pages = pages;
        self
    }
    /// The defaults with another retry policy.
    #[must_use]
    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }
    /// The defaults with praise attribution and reminders.
    #[must_use]
    pub fn with_recognition(mut self, recognition: RecognitionConfig) -> Self {
        self.recognition = recognition;
        self
    }
    /// The defaults in the desk's own time zone (days in the metrics are
    /// its days).
    #[must_use]
    pub fn with_time_zone(mut self, time_zone: chrono_tz::Tz) -> Self {
        self.time_zone = time_zone;
        self
    }
    /// The defaults with another refund approval policy.
    #[must_use]
    pub fn with_refunds(mut self, refunds: crate::refund::RefundPolicy) -> Self {
        self.refunds = refunds;
        self
    }
    /// The defaults with another archive window (see
    /// [`super::ArchivePolicy`]).
    #[must_use]
    pub fn with_archive(mut self, archive: super::ArchivePolicy) -> Self {
        self.archive = archive;
        self
    }
    /// The defaults with another delivery lease.
    ///
    /// # Errors
    /// [`crate::time::DurationOutOfRange`] unless from one second to 100
    /// years.
    pub fn with_delivery_lease(
        mut self,
        lease: Duration,
    ) -> Result<Self, crate::time::DurationOutOfRange> {
        self.delivery_lease = check_lease(lease)?;
        Ok(self)
    }
    /// The defaults with another coaching window (how close together two
    /// mistakes of a kind must be to be flagged).
    ///
    /// # Errors
    /// [`crate::time::DurationOutOfRange`] unless from 0 to 100 years.
    pub fn with_coaching_window(
        mut self,
        window: Duration,
    ) -> Result<Self, crate::time::DurationOutOfRange> {
        self.coaching_window = crate::time::check_configured("coaching window", window)?;
        Ok(self)
    }

    /// Checks every configured duration and policy, for a configuration
    /// whose public fields were set directly (reading one from serde and
    /// the builders check already). The desk never panics on an
    /// out-of-range value either way: instant arithmetic saturates.
    ///
    /// # Errors
    /// The first setting out of range, naming it and its value.
    ///
    /// ```
    /// use chrono::Duration;
    /// use fanatical::desk::DeskConfig;
    ///
    /// let mut config = DeskConfig::default();
    /// assert!(config.validate().is_ok());
    /// config.delivery_lease = Duration::days(365 * 200);
    /// assert!(config.validate().is_err());
    /// assert!(DeskConfig::default().with_delivery_lease(Duration::zero()).is_err());
    /// ```
    pub fn validate(&self) -> Result<(), Error> {
        crate::time::check_configured("coaching window", self.coaching_window)?;
        check_lease(self.delivery_lease)?;
        self.recognition.validate()?;
        self.incidents.validate()?;
        self.care.validate()?;
        self.permissions.validate()?;
        Ok(())
    }
}

fn check_lease(lease: Duration) -> Result<Duration, crate::time::DurationOutOfRange> {
    crate::time::check(
        "delivery lease",
        lease,
        Duration::seconds(1),
        crate::time::MAX_CONFIGURED,
    )
}

fn default_lease() -> Duration {
    Duration::minutes(5)
}

pub(super) fn default_coaching_window() -> Duration {
    Duration::days(30)
}
