//! The desk and trends: detection over its tickets, escalation once per
//! window through the escalation graph, spikes as incident candidates.

use chrono::{DateTime, Duration, Utc};

use super::{Decision, Desk, Drafts};
use crate::actor::Cause;
use crate::error::Error;
use crate::escalation::{EscalationGraph, Facts};
use crate::event::{Event, StreamId};
use crate::store::{RecordedEvent, Store};
use crate::ticket::Priority;
use crate::trend::{Observation, Trend, TrendEvent, TrendEventKind, TrendKey};

impl Desk {
    /// The tickets opened within the trend windows before `now`, as trend
    /// detection sees them: type, tags, channel, and the components their
    /// customer runs on.
    #[must_use]
    pub fn trend_observations(&self, now: DateTime<Utc>) -> Vec<Observation> {
        let cfg = &self.config.trends;
        let windows = i32::try_from(cfg.baseline_windows.saturating_add(1)).unwrap_or(i32::MAX);
        let span = cfg.window.checked_mul(windows).unwrap_or(Duration::MAX);
        let from = crate::time::minus(now, span);
        self.tickets_opened(from, crate::time::plus(now, Duration::nanoseconds(1)))
            .filter(|t| t.opened_at() > from)
            .map(|t| {
                let mut keys = vec![
                    TrendKey::Category(t.ticket_type()),
                    TrendKey::Channel(t.channel().kind()),
                ];
                keys.extend(t.tags().iter().cloned().map(TrendKey::Tag));
                if let Some(c) = self.customer(t.customer()) {
                    keys.extend(c.components().iter().cloned().map(TrendKey::Component));
                }
                Observation {
                    at: t.opened_at(),
                    ticket: t.id(),
                    keys,
                }
            })
            .collect()
    }

    /// The trends at `now` (see [`crate::trend`] for the rule).
    #[must_use]
    pub fn trends(&self, now: DateTime<Utc>) -> Vec<Trend> {
        crate::trend::detect(&self.trend_observations(now), now, &self.config.trends)
    }

    /// Every trend escalation and incident candidate, oldest first.
    #[must_use]
    pub fn trend_events(&self) -> &[TrendEvent] {
        self.state.trends.events()
    }

    /// Major-incident candidates raised by component spikes, oldest first.
    pub fn incident_candidates(&self) -> impl Iterator<Item = &Trend> {
        self.state
            .trends
            .events()
            .iter()
            .filter_map(|e| match &e.kind {
                TrendEventKind::IncidentCandidate { trend } => Some(trend),
                TrendEventKind::Escalated { .. } => None,
            })
    }

    /// Decides the escalation of every trend at `now` not escalated within
    /// the last window: each goes through `graph` from `start` as a
    /// trending ticket in its category (the default graph sends it to
    /// product management), and everyone at the owning node is told, with
    /// the tickets that make it up. A component spike also records a
    /// major-incident candidate, once per window.
    ///
    /// # Errors
    /// [`crate::escalation::EscalationError`] when the graph cannot route
    /// a trend (nothing is decided then).
    pub fn decide_trend_escalations(
        &self,
        graph: &EscalationGraph,
        start: &str,
        now: DateTime<Utc>,
    ) -> Result<Decision, Error> {
        let mut d = Drafts::system(Cause::Rule("trend_escalation".to_owned()));
        let window = self.config.trends.window;
        let fresh = |last: Option<DateTime<Utc>>| {
            last.is_none_or(|t| now.signed_duration_since(t) >= window)
        };
        let stream = StreamId::Trends;
        for trend in self.trends(now) {
            if trend.spike && fresh(self.state.trends.last_candidate(&trend.key)) {
                d.push(
                    stream,
                    [Event::Trend(TrendEvent {
                        at: now,
                        kind: TrendEventKind::IncidentCandidate {
                            trend: trend.clone(),
                        },
                    })],
                );
            }
            if !fresh(self.state.trends.last_escalated(&trend.key)) {
                continue;
            }
            let mut facts = Facts::new(Priority::Normal, now)
                .trending()
                .contacts(trend.count)
                .in_category(&trend.key.to_string());
            if let TrendKey::Channel(c) = &trend.key {
                facts = facts.on(*c);
            }
            let path = graph.resolve(start, &facts, now)?;
            let notified = self.people_at(&path.owner_node().kind);
            let event_id = self.next_event_id(&d, &stream);
            let body = format!(
                "Trend on {}: {} tickets in the last window against a baseline of {:.1} (z = {:.1}). Tickets: {}",
                trend.key,
                trend.count,
                trend.baseline_milli as f64 / 1000.0,
                trend.z_milli as f64 / 1000.0,
                trend
                    .tickets
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            d.push(
                stream,
                [Event::Trend(TrendEvent {
                    at: now,
                    kind: TrendEventKind::Escalated {
                        trend: trend.clone(),
                        owner: path.owner().to_owned(),
                        path: path.explain(),
                        notified: notified.clone(),
                    },
                })],
            );
            for (agent, n) in notified.iter().zip(1u64..) {
                self.page(&mut d, event_id, n, *agent, body.clone(), now);
            }
        }
        Ok(d.finish(self))
    }

    /// Decides, persists and applies [`Desk::decide_trend_escalations`].
    /// Safe to call as often as you like: a trend is escalated at most
    /// once per window.
    ///
    /// # Errors
    /// As [`Desk::decide_trend_escalations`]; store errors.
    pub fn escalate_trends<S: Store + ?Sized>(
        &mut self,
        store: &mut S,
        graph: &EscalationGraph,
        start: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<RecordedEvent>, Error> {
        let decision = self.decide_trend_escalations(graph, start, now)?;
        if decision.is_empty() {
            return Ok(Vec::new());
        }
        self.persist(store, &decision)
    }
}
