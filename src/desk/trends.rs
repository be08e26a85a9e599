//! The desk and trends: detection over its tickets, escalation once while
//! a trend lasts through the escalation graph, spikes as incident
//! candidates.

use chrono::{DateTime, Duration, Utc};

use super::{Decision, Desk, Drafts, PageKind, page_of};
use crate::actor::Cause;
use crate::error::Error;
use crate::escalation::EscalationGraph;
use crate::event::{Event, StreamId};
use crate::template::TemplateName;
use crate::trend::{Observation, Trend, TrendContext, TrendEvent, TrendEventKind, TrendKey};

impl Desk {
    /// See [`IncidentsView::trend_observations`].
    pub(crate) fn trend_observations(&self, now: DateTime<Utc>) -> Vec<Observation> {
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
                keys.extend(
                    t.fields()
                        .terms()
                        .filter(|(k, _)| cfg.fields.contains(k))
                        .map(|(field, term)| TrendKey::Field {
                            field: field.clone(),
                            term,
                        }),
                );
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

    /// See [`IncidentsView::trends`].
    pub(crate) fn trends(&self, now: DateTime<Utc>) -> Vec<Trend> {
        crate::trend::detect(&self.trend_observations(now), now, &self.config.trends)
    }

    /// See [`IncidentsView::trend_events`].
    pub(crate) fn trend_events(&self) -> &[TrendEvent] {
        self.state.trends.events()
    }

    /// See [`IncidentsView::candidates`].
    pub(crate) fn incident_candidates(&self) -> impl Iterator<Item = &Trend> {
        self.state
            .trends
            .events()
            .iter()
            .filter_map(|e| match &e.kind {
                TrendEventKind::IncidentCandidate { trend } => Some(trend),
                TrendEventKind::Escalated { .. } | TrendEventKind::Ended { .. } => None,
            })
    }

    /// See [`IncidentsView::decide_trend_escalations`].
    pub(crate) fn decide_trend_escalations(
        &self,
        graph: &EscalationGraph,
        start: &str,
        now: DateTime<Utc>,
    ) -> Result<Decision, Error> {
        let mut d = Drafts::system(Cause::Rule("trend_escalation".to_owned()));
        let observations = self.trend_observations(now);
        let ctx = TrendContext {
            observations: &observations,
            config: &self.config.trends,
            graph,
            start,
        };
        let events = self
            .state
            .trends
            .escalations(&ctx, |kind| self.people_at(kind), now)?;
        let stream = StreamId::Trends;
        for e in events {
            let event_id = d.event_id(self, &stream, 1);
            let page = match &e.kind {
                TrendEventKind::Escalated {
                    trend, notified, ..
                } => Some((notified.clone(), page_body(self, trend))),
                TrendEventKind::IncidentCandidate { .. } | TrendEventKind::Ended { .. } => None,
            };
            d.push(stream, [Event::Trend(e)]);
            if let Some((notified, body)) = page {
                for (agent, n) in notified.iter().zip(1u64..) {
                    let page = page_of(event_id, n, *agent, PageKind::TrendNotice, body.clone());
                    self.page(&mut d, page, now);
                }
            }
        }
        Ok(d.finish(self))
    }
}

/// What the people told of a trend read: its key, count, baseline, z-score
/// and tickets, in the desk's default locale.
fn page_body(desk: &Desk, trend: &Trend) -> String {
    desk.text(
        TemplateName::Trend,
        &[
            ("key", &trend.key.to_string()),
            ("count", &trend.count.to_string()),
            (
                "baseline",
                &format!("{:.1}", trend.baseline_milli as f64 / 1000.0),
            ),
            ("z", &format!("{:.1}", trend.z_milli as f64 / 1000.0)),
            (
                "tickets",
                &trend
                    .tickets
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
        ],
    )
}
