//! Trends: recurring pain points found deterministically from ticket
//! counts.
//!
//! Tickets are counted per [`TrendKey`] (ticket type, tag, component the
//! customer runs on, channel) in the current window — the `window` up to
//! and including `now` — and in `baseline_windows` windows of the same
//! length before it. With `c` the current count, and `μ` and `σ` the mean
//! and population standard deviation of the baseline counts:
//!
//! * [`TrendRule::ZScore`]: a trend when `c ≥ min_count` and
//!   `z = (c − μ) / max(σ, 1) ≥ threshold`. The floor of 1 on `σ` keeps a
//!   flat baseline (every day exactly 2) from turning one extra ticket
//!   into an infinite z-score.
//! * [`TrendRule::Rate`]: a trend when `c ≥ min_count` and
//!   `c ≥ ratio × max(μ, 1)`.
//!
//! A trend on a component whose z-score also reaches `spike_z` (with at
//! least `spike_min_count` tickets) is a spike: a major-incident
//! candidate. [`TrendLog::escalations`] decides the escalation of each
//! trend once while it lasts through the escalation graph (again only
//! after it ended and came back); the desk gathers
//! the observations and pages the people told
//! (`IncidentsView::decide_trend_escalations`, then `Desk::commit`).
//!
//! # Example
//! ```
//! use chrono::{Duration, TimeZone, Utc};
//! use fanatical::id::IdGenerator;
//! use fanatical::ticket::Tag;
//! use fanatical::trend::{detect, Observation, TrendConfig, TrendKey};
//! let now = Utc.with_ymd_and_hms(2026, 5, 8, 12, 0, 0).unwrap();
//! let mut ids = IdGenerator::from_seed(7);
//! let checkout = TrendKey::Tag(Tag::new("checkout")?);
//! let mut seen = Vec::new();
//! // Two tickets a day for a week, then twelve today.
//! for day in 1..=7 {
//!     for n in 0..2 {
//!         let at = now - Duration::days(day) - Duration::minutes(n);
//!         seen.push(Observation { at, ticket: ids.next_id(), keys: vec![checkout.clone()] });
//!     }
//! }
//! for n in 0..12 {
//!     let at = now - Duration::minutes(n);
//!     seen.push(Observation { at, ticket: ids.next_id(), keys: vec![checkout.clone()] });
//! }
//! let trends = detect(&seen, now, &TrendConfig::default());
//! assert_eq!(trends.len(), 1);
//! assert_eq!(trends[0].count, 12);
//! assert_eq!(trends[0].z_milli, 10_000); // (12 - 2) / max(0, 1)
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::channel::ChannelKind;
use crate::escalation::{CategoryKind, EscalationError, EscalationGraph, Facts, NodeKind};
use crate::field::{FieldKey, FieldTerm};
use crate::id::ComponentId;
use crate::id::{AgentId, TicketId};
use crate::ticket::{Priority, Tag, TicketType};
use crate::time::{self, DurationOutOfRange, MAX_CONFIGURED};

configured_seconds!(window_seconds: "trend window" from 1);

/// What tickets are counted by.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "by", content = "value", rename_all = "snake_case")]
pub enum TrendKey {
    /// The ticket's type (question, incident, problem, task).
    Category(TicketType),
    /// A tag on the ticket.
    Tag(Tag),
    /// A component the customer runs on.
    Component(ComponentId),
    /// The channel it came by.
    Channel(ChannelKind),
    /// A value of a custom field (each option of a multi-select counts
    /// on its own), for the fields [`TrendConfig::fields`] names.
    Field {
        /// The field.
        field: FieldKey,
        /// The value.
        term: FieldTerm,
    },
}

impl TrendKey {
    /// What kind of category the trend is in, for escalation rules.
    #[must_use]
    pub fn category_kind(&self) -> CategoryKind {
        match self {
            TrendKey::Category(_) => CategoryKind::TicketType,
            TrendKey::Tag(_) => CategoryKind::Tag,
            TrendKey::Component(_) => CategoryKind::Component,
            TrendKey::Channel(_) => CategoryKind::Channel,
            TrendKey::Field { .. } => CategoryKind::Field,
        }
    }

    /// The category's value, as a rule names it: the tag
    /// (`checkout-error`), the ticket type (`incident`), the component
    /// (`dfw1`) or the channel (`chat`).
    #[must_use]
    pub fn value(&self) -> String {
        match self {
            TrendKey::Category(t) => t.to_string(),
            TrendKey::Tag(t) => t.as_str().to_owned(),
            TrendKey::Component(c) => c.to_string(),
            TrendKey::Channel(c) => c.to_string(),
            TrendKey::Field { field, term } => format!("{field}:{term}"),
        }
    }
}

impl fmt::Display for TrendKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrendKey::Category(t) => write!(f, "category {t}"),
            TrendKey::Tag(t) => write!(f, "tag {}", t.as_str()),
            TrendKey::Component(c) => write!(f, "component {c}"),
            TrendKey::Channel(c) => write!(f, "channel {c}"),
            TrendKey::Field { field, term } => write!(f, "field {field} {term}"),
        }
    }
}

/// How a count becomes a trend (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum TrendRule {
    /// `(c − μ) / max(σ, 1)` at least `milli / 1000`.
    ZScore {
        /// The threshold in thousandths (3000 is a z of 3).
        milli: u32,
    },
    /// `c` at least `percent / 100` times `max(μ, 1)`.
    Rate {
        /// The ratio in percent (300 is three times the baseline).
        percent: u32,
    },
}

/// Trend detection settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TrendConfig {
    /// The window length (default 1 day; 1 second to 100 years).
    #[serde(with = "window_seconds")]
    pub window: Duration,
    /// How many windows before the current one make the baseline
    /// (default 7).
    pub baseline_windows: u32,
    /// The rule (default a z-score of 3).
    pub rule: TrendRule,
    /// Fewer tickets than this are never a trend (default 5).
    pub min_count: u32,
    /// A component trend with a z-score of at least this, in thousandths,
    /// is a major-incident candidate (default 6000).
    pub spike_z_milli: u32,
    /// ... and at least this many tickets (default 10).
    pub spike_min_count: u32,
    /// Custom fields whose values tickets are also counted by (none by
    /// default).
    #[serde(default, skip_serializing_if = "std::collections::BTreeSet::is_empty")]
    pub fields: std::collections::BTreeSet<FieldKey>,
}

impl Default for TrendConfig {
    fn default() -> Self {
        TrendConfig {
            window: Duration::days(1),
            baseline_windows: 7,
            rule: TrendRule::ZScore { milli: 3000 },
            min_count: 5,
            spike_z_milli: 6000,
            spike_min_count: 10,
            fields: std::collections::BTreeSet::new(),
        }
    }
}

impl TrendConfig {
    /// With a window length.
    ///
    /// # Errors
    /// [`DurationOutOfRange`] for a window under 1 second or over 100
    /// years.
    pub fn with_window(mut self, window: Duration) -> Result<Self, DurationOutOfRange> {
        self.window = window;
        self.validate()?;
        Ok(self)
    }

    /// Also counts tickets by the values of these custom fields.
    #[must_use]
    pub fn by_fields(mut self, fields: impl IntoIterator<Item = FieldKey>) -> Self {
        self.fields = fields.into_iter().collect();
        self
    }

    /// Checks the window (a configuration changed through its fields skips
    /// [`TrendConfig::with_window`]; reading one checks it too).
    ///
    /// # Errors
    /// [`DurationOutOfRange`] naming `trend window` and its value.
    pub fn validate(&self) -> Result<(), DurationOutOfRange> {
        time::check(
            "trend window",
            self.window,
            Duration::seconds(1),
            MAX_CONFIGURED,
        )?;
        Ok(())
    }
}

/// A ticket as trend detection sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Observation {
    /// When it was opened.
    pub at: DateTime<Utc>,
    /// The ticket.
    pub ticket: TicketId,
    /// What it counts toward.
    pub keys: Vec<TrendKey>,
}

/// A detected trend.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trend {
    /// What.
    pub key: TrendKey,
    /// The current window's end (`now`; the window excludes its start).
    pub window_end: DateTime<Utc>,
    /// Tickets in the current window.
    pub count: u32,
    /// The baseline mean, in thousandths.
    pub baseline_milli: i64,
    /// The baseline standard deviation, in thousandths.
    pub sd_milli: i64,
    /// The z-score, in thousandths.
    pub z_milli: i64,
    /// The tickets that make it up, oldest first.
    pub tickets: Vec<TicketId>,
    /// A component spike: a major-incident candidate.
    pub spike: bool,
}

/// Counts per window (0 is the current one) and the current window's
/// tickets.
type Counts = (Vec<u32>, Vec<(DateTime<Utc>, TicketId)>);

/// Detects trends at `now` among `observations` (in any order; those
/// outside the windows are ignored). Deterministic: the same input gives
/// the same trends, ordered by key.
#[must_use]
pub fn detect(
    observations: &[Observation],
    now: DateTime<Utc>,
    config: &TrendConfig,
) -> Vec<Trend> {
    if config.window <= Duration::zero() {
        return Vec::new();
    }
    let k = i64::from(config.baseline_windows);
    let window_ns = config.window.num_nanoseconds().unwrap_or(i64::MAX);
    // Per key: counts per window (0 is current) and the current tickets.
    let mut counts: BTreeMap<&TrendKey, Counts> = BTreeMap::new();
    for o in observations {
        if o.at > now {
            continue;
        }
        let age = (now - o.at).num_nanoseconds().unwrap_or(i64::MAX);
        // (now - w, now] is window 0; an age of exactly one window is in 1.
        let index = age / window_ns;
        if index > k {
            continue;
        }
        let Ok(index) = usize::try_from(index) else {
            continue;
        };
        for key in &o.keys {
            let (c, t) = counts
                .entry(key)
                .or_insert_with(|| (vec![0; usize::try_from(k).unwrap_or(0) + 1], Vec::new()));
            if let Some(n) = c.get_mut(index) {
                *n += 1;
            }
            if index == 0 {
                t.push((o.at, o.ticket));
            }
        }
    }
    let mut out = Vec::new();
    for (key, (c, mut tickets)) in counts {
        let current = c.first().copied().unwrap_or(0);
        if current < config.min_count.max(1) {
            continue;
        }
        let baseline: Vec<f64> = c.iter().skip(1).map(|n| f64::from(*n)).collect();
        let (mean, sd) = if baseline.is_empty() {
            (0.0, 0.0)
        } else {
            let n = baseline.len() as f64;
            let mean = baseline.iter().sum::<f64>() / n;
            let var = baseline
                .iter()
                .map(|x| (x - mean) * (x - mean))
                .sum::<f64>()
                / n;
            (mean, var.sqrt())
        };
        let z = (f64::from(current) - mean) / sd.max(1.0);
        let is_trend = match config.rule {
            TrendRule::ZScore { milli } => z * 1000.0 >= f64::from(milli),
            TrendRule::Rate { percent } => {
                f64::from(current) * 100.0 >= f64::from(percent) * mean.max(1.0)
            }
        };
        if !is_trend {
            continue;
        }
        let spike = matches!(key, TrendKey::Component(_))
            && z * 1000.0 >= f64::from(config.spike_z_milli)
            && current >= config.spike_min_count;
        tickets.sort();
        out.push(Trend {
            key: key.clone(),
            window_end: now,
            count: current,
            baseline_milli: milli(mean),
            sd_milli: milli(sd),
            z_milli: milli(z),
            tickets: tickets.into_iter().map(|(_, t)| t).collect(),
            spike,
        });
    }
    out
}

#[allow(clippy::cast_possible_truncation)]
fn milli(x: f64) -> i64 {
    // Finite by construction (counts are u32); clamp anyway.
    (x * 1000.0).round().clamp(-9.0e15, 9.0e15) as i64
}

/// Something that happened to a trend.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrendEvent {
    /// When.
    pub at: DateTime<Utc>,
    /// What.
    pub kind: TrendEventKind,
}

/// What happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum TrendEventKind {
    /// A trend was escalated through the escalation graph.
    Escalated {
        /// The trend, with its tickets.
        trend: Trend,
        /// The node that owns it ("product").
        owner: String,
        /// The route, one line per hop.
        path: Vec<String>,
        /// Who was told.
        notified: Vec<AgentId>,
    },
    /// A component spike raised a major-incident candidate.
    IncidentCandidate {
        /// The spike.
        trend: Trend,
    },
    /// A trend escalated (or raised as a candidate) is no longer trending:
    /// if it comes back, it is escalated again.
    Ended {
        /// What was trending.
        key: TrendKey,
    },
}

/// What the desk supplies for trends to decide their escalations: the
/// tickets it has seen, the settings, and where escalations go.
#[derive(Debug, Clone, Copy)]
pub struct TrendContext<'a> {
    /// The tickets opened within the windows (see [`detect`]).
    pub observations: &'a [Observation],
    /// Detection settings.
    pub config: &'a TrendConfig,
    /// The escalation graph trends go through.
    pub graph: &'a EscalationGraph,
    /// The node they enter it at.
    pub start: &'a str,
}

/// The trend aggregate: every trend escalation and incident candidate,
/// with when each key was last escalated or raised, and which still last.
/// A pure fold of [`TrendEvent`]s.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TrendLog {
    /// When each key was last escalated.
    escalated: std::collections::BTreeMap<TrendKey, DateTime<Utc>>,
    /// When each component last raised an incident candidate.
    candidates: std::collections::BTreeMap<TrendKey, DateTime<Utc>>,
    /// Keys escalated or raised and not yet seen to end.
    lasting: std::collections::BTreeSet<TrendKey>,
    /// Of those, the ones escalated in this episode.
    lasting_escalated: std::collections::BTreeSet<TrendKey>,
    /// Of those, the ones raised as incident candidates in this episode.
    lasting_candidate: std::collections::BTreeSet<TrendKey>,
    /// Every trend event, oldest first.
    events: Vec<TrendEvent>,
}

impl TrendLog {
    /// Every trend event, oldest first.
    #[must_use]
    pub fn events(&self) -> &[TrendEvent] {
        &self.events
    }

    /// When a key was last escalated.
    #[must_use]
    pub fn last_escalated(&self, key: &TrendKey) -> Option<DateTime<Utc>> {
        self.escalated.get(key).copied()
    }

    /// When a component key last raised an incident candidate.
    #[must_use]
    pub fn last_candidate(&self, key: &TrendKey) -> Option<DateTime<Utc>> {
        self.candidates.get(key).copied()
    }

    /// Whether a trend was escalated (or raised) and has not been seen to
    /// end since.
    #[must_use]
    pub fn is_lasting(&self, key: &TrendKey) -> bool {
        self.lasting.contains(key)
    }

    /// Decides the escalation of every trend in `ctx.observations` at
    /// `now`, once while it lasts: each new trend goes through `ctx.graph`
    /// from `ctx.start` as a trending ticket in its category (kind and
    /// value: a rule on the tag `checkout-error` matches a trend in that
    /// tag; on its channel, for a channel trend), and everyone `people_at`
    /// the owning node is told. A component spike first raises a
    /// major-incident candidate, also once while it lasts. A trend
    /// escalated before that is no longer trending at `now` has ended
    /// (an [`TrendEventKind::Ended`] event); if it comes back, it is new
    /// again. "Lasts" is as seen by these calls: a trend that ended and
    /// came back between two calls counts as lasting. Events come ended
    /// trends first, then trend by trend, ordered by key.
    ///
    /// # Errors
    /// [`EscalationError`] when the graph cannot route a trend (then
    /// nothing is decided).
    ///
    /// ```
    /// use chrono::{Duration, TimeZone, Utc};
    /// use fanatical::escalation::{default_graph, EscalationError};
    /// use fanatical::id::IdGenerator;
    /// use fanatical::ticket::Tag;
    /// use fanatical::trend::{Observation, TrendConfig, TrendContext, TrendEventKind, TrendKey, TrendLog};
    /// let now = Utc.with_ymd_and_hms(2026, 5, 8, 12, 0, 0).unwrap();
    /// let mut ids = IdGenerator::from_seed(7);
    /// let pm = ids.next_id();
    /// let checkout = TrendKey::Tag(Tag::new("checkout")?);
    /// let observations: Vec<Observation> = (0..12)
    ///     .map(|n| Observation { at: now - Duration::minutes(n), ticket: ids.next_id(), keys: vec![checkout.clone()] })
    ///     .collect();
    /// let (graph, config) = (default_graph()?, TrendConfig::default());
    /// let ctx = TrendContext { observations: &observations, config: &config, graph: &graph, start: "front_line" };
    /// let mut log = TrendLog::default();
    /// let events = log.escalations(&ctx, |_| vec![pm], now)?;
    /// assert!(matches!(&events[0].kind, TrendEventKind::Escalated { owner, notified, .. }
    ///     if owner == "product" && notified == &vec![pm]));
    /// for e in &events {
    ///     log.apply(e);
    /// }
    /// // Once while it lasts.
    /// assert!(log.escalations(&ctx, |_| vec![pm], now)?.is_empty());
    /// // A graph that cannot route it refuses.
    /// let unknown = TrendContext { start: "nowhere", ..ctx };
    /// assert!(matches!(
    ///     TrendLog::default().escalations(&unknown, |_| vec![pm], now),
    ///     Err(EscalationError::UnknownNode(_))
    /// ));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn escalations(
        &self,
        ctx: &TrendContext<'_>,
        people_at: impl Fn(&NodeKind) -> Vec<AgentId>,
        now: DateTime<Utc>,
    ) -> Result<Vec<TrendEvent>, EscalationError> {
        let trends = detect(ctx.observations, now, ctx.config);
        let mut events: Vec<TrendEvent> = self
            .lasting
            .iter()
            .filter(|k| !trends.iter().any(|t| &t.key == *k))
            .map(|key| TrendEvent {
                at: now,
                kind: TrendEventKind::Ended { key: key.clone() },
            })
            .collect();
        for trend in trends {
            if trend.spike && !self.lasting_candidate.contains(&trend.key) {
                events.push(TrendEvent {
                    at: now,
                    kind: TrendEventKind::IncidentCandidate {
                        trend: trend.clone(),
                    },
                });
            }
            if self.lasting_escalated.contains(&trend.key) {
                continue;
            }
            let mut facts = Facts::new(Priority::Normal, now)
                .trending()
                .contacts(trend.count)
                .in_category_of(trend.key.category_kind(), &trend.key.value());
            if let TrendKey::Channel(c) = &trend.key {
                facts = facts.on(*c);
            }
            let path = ctx.graph.resolve(ctx.start, &facts, now)?;
            events.push(TrendEvent {
                at: now,
                kind: TrendEventKind::Escalated {
                    notified: people_at(&path.owner_node().kind),
                    owner: path.owner().to_owned(),
                    path: path.explain(),
                    trend,
                },
            });
        }
        Ok(events)
    }

    /// Folds one trend event.
    pub fn apply(&mut self, e: &TrendEvent) {
        match &e.kind {
            TrendEventKind::Escalated { trend, .. } => {
                self.escalated.insert(trend.key.clone(), e.at);
                self.lasting.insert(trend.key.clone());
                self.lasting_escalated.insert(trend.key.clone());
            }
            TrendEventKind::IncidentCandidate { trend } => {
                self.candidates.insert(trend.key.clone(), e.at);
                self.lasting.insert(trend.key.clone());
                self.lasting_candidate.insert(trend.key.clone());
            }
            TrendEventKind::Ended { key } => {
                self.lasting.remove(key);
                self.lasting_escalated.remove(key);
                self.lasting_candidate.remove(key);
            }
        }
        self.events.push(e.clone());
    }
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Duration, TimeZone, Utc};

    use super::*;
    use crate::escalation::default_graph;
    use crate::id::IdGenerator;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 5, 8, 12, 0, 0).unwrap()
    }

    /// Twelve tickets on `keys` in the last hour, none before.
    fn spike(ids: &mut IdGenerator, keys: &[TrendKey]) -> Vec<Observation> {
        (0..12)
            .map(|n| Observation {
                at: now() - Duration::minutes(n),
                ticket: ids.next_id(),
                keys: keys.to_vec(),
            })
            .collect()
    }

    #[test]
    fn a_component_spike_is_a_candidate_then_an_escalation_once_per_window() {
        let mut ids = IdGenerator::from_seed(5);
        let pm: AgentId = ids.next_id();
        let dfw = TrendKey::Component(ComponentId::new("dfw1").unwrap());
        let seen = spike(&mut ids, std::slice::from_ref(&dfw));
        let (graph, config) = (default_graph().unwrap(), TrendConfig::default());
        let ctx = TrendContext {
            observations: &seen,
            config: &config,
            graph: &graph,
            start: "front_line",
        };
        let mut log = TrendLog::default();
        let events = log.escalations(&ctx, |_| vec![pm], now()).unwrap();
        let kinds: Vec<_> = events.iter().map(|e| &e.kind).collect();
        let [
            TrendEventKind::IncidentCandidate { trend },
            TrendEventKind::Escalated {
                trend: escalated,
                owner,
                path,
                notified,
            },
        ] = kinds.as_slice()
        else {
            panic!("a candidate and an escalation: {kinds:?}");
        };
        assert!(trend.spike && trend == escalated && trend.key == dfw);
        assert_eq!(owner, "product");
        assert!(!path.is_empty());
        assert_eq!(notified, &vec![pm]);
        for e in &events {
            log.apply(e);
        }
        let soon = now() + Duration::hours(1);
        let ctx_soon = TrendContext {
            observations: &seen,
            ..ctx
        };
        assert!(
            log.escalations(&ctx_soon, |_| vec![pm], soon)
                .unwrap()
                .is_empty()
        );
        assert_eq!(log.last_escalated(&dfw), Some(now()));
        assert_eq!(log.last_candidate(&dfw), Some(now()));
    }

    /// Each episode of a trend is escalated, and raised as a candidate
    /// when it spikes, once: a spike in a later episode is raised again,
    /// whatever the earlier episode did.
    #[test]
    fn a_spike_in_a_later_episode_is_raised_again() {
        let mut ids = IdGenerator::from_seed(8);
        let pm: AgentId = ids.next_id();
        let dfw = TrendKey::Component(ComponentId::new("dfw1").unwrap());
        let (graph, config) = (default_graph().unwrap(), TrendConfig::default());
        let spiking = spike(&mut ids, std::slice::from_ref(&dfw));
        let mut log = TrendLog::default();
        let kinds = |events: &[TrendEvent]| -> Vec<&'static str> {
            events
                .iter()
                .map(|e| match &e.kind {
                    TrendEventKind::IncidentCandidate { .. } => "candidate",
                    TrendEventKind::Escalated { .. } => "escalated",
                    TrendEventKind::Ended { .. } => "ended",
                })
                .collect()
        };
        let ctx = |seen| TrendContext {
            observations: seen,
            config: &config,
            graph: &graph,
            start: "front_line",
        };
        // Episode 1: a spike, raised and escalated.
        let events = log
            .escalations(&ctx(&spiking), |_| vec![pm], now())
            .unwrap();
        assert_eq!(kinds(&events), ["candidate", "escalated"]);
        events.iter().for_each(|e| log.apply(e));
        // It ends.
        let events = log.escalations(&ctx(&[]), |_| vec![pm], now()).unwrap();
        assert_eq!(kinds(&events), ["ended"]);
        events.iter().for_each(|e| log.apply(e));
        // Episode 2 starts below spike level: escalated, no candidate...
        let mild: Vec<Observation> = spiking.iter().take(6).cloned().collect();
        let events = log.escalations(&ctx(&mild), |_| vec![pm], now()).unwrap();
        assert_eq!(kinds(&events), ["escalated"]);
        events.iter().for_each(|e| log.apply(e));
        // ...then grows into a spike: raised, not escalated again.
        let events = log
            .escalations(&ctx(&spiking), |_| vec![pm], now())
            .unwrap();
        assert_eq!(kinds(&events), ["candidate"]);
    }

    #[test]
    fn nothing_is_decided_when_the_graph_cannot_route_a_trend() {
        let mut ids = IdGenerator::from_seed(6);
        let chat = TrendKey::Channel(ChannelKind::Chat);
        let seen = spike(&mut ids, &[chat]);
        let (graph, config) = (default_graph().unwrap(), TrendConfig::default());
        let ctx = TrendContext {
            observations: &seen,
            config: &config,
            graph: &graph,
            start: "no_such_node",
        };
        assert_eq!(
            TrendLog::default().escalations(&ctx, |_| Vec::new(), now()),
            Err(EscalationError::UnknownNode("no_such_node".to_owned()))
        );
        // Nothing trending: nothing to route, nothing refused.
        let quiet = TrendContext {
            observations: &[],
            ..ctx
        };
        assert_eq!(
            TrendLog::default().escalations(&quiet, |_| Vec::new(), now()),
            Ok(Vec::new())
        );
    }
}
