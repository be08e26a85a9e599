//! The supervisor page (SLA attainment by channel and metric, escalated
//! tickets with their reasons, the escalation graph and the org chart as
//! SVG, running incidents) and the public status page.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Duration, Utc};
use fanatical::channel::ChannelKind;
use fanatical::desk::Desk;
use fanatical::id::AgentId;
use fanatical::permission::Permission;
use fanatical::sla::{Metric, Phase};
use fanatical::ticket::{Author, EntryVisibility};
use maud::{Markup, PreEscaped, html};

use super::{AppState, Visitor, Who, agent_name, layout, see_other, unavailable, when};

/// Met and breached, counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// Fulfilled in time.
    pub met: u32,
    /// Breached (fulfilled late, or still running past the deadline).
    pub breached: u32,
}

impl Tally {
    fn percent(self) -> String {
        let total = self.met + self.breached;
        if total == 0 {
            "—".to_owned()
        } else {
            format!("{:.0}%", f64::from(self.met) * 100.0 / f64::from(total))
        }
    }
}

/// SLA attainment by channel and metric, over every ticket in memory:
/// a metric counts once it is fulfilled (met, or breached when late) or
/// breached while running. (The library's `Metrics::sla` counts by
/// metric, team and agent, not by channel.)
#[must_use]
pub fn attainment(desk: &Desk) -> BTreeMap<(ChannelKind, Metric), Tally> {
    let mut out: BTreeMap<(ChannelKind, Metric), Tally> = BTreeMap::new();
    for sla in desk.tickets().slas() {
        let Some(ticket) = desk.tickets().get(sla.ticket) else {
            continue;
        };
        let channel = ticket.channel().kind();
        for m in sla.metrics() {
            let tally = out.entry((channel, m.key.metric)).or_default();
            match (&m.phase, m.breached) {
                (_, Some(_)) => tally.breached += 1,
                (Phase::Fulfilled { .. }, None) => tally.met += 1,
                _ => {}
            }
        }
    }
    out
}

/// Supervisors: whoever may see spend or manage incidents... in the
/// demo, whoever the permission table lets record mistakes (team leads,
/// managers, executives).
fn is_supervisor(desk: &Desk, agent: AgentId) -> bool {
    desk.may(
        &fanatical::actor::Actor::Agent(agent),
        Permission::RecordMistakes,
        None,
    )
}

/// `GET /supervisor`.
pub(super) async fn page(State(state): State<AppState>, v: Visitor) -> Response {
    let agent = match v.who {
        Some(Who::Agent(a)) => a,
        Some(Who::Contact(_)) => return see_other("/portal"),
        None => return see_other("/signin"),
    };
    let v2 = v.clone();
    match state
        .desk
        .read(move |desk, now| render(desk, now, agent, &v2))
        .await
    {
        Ok((status, m)) => v.page(status, m),
        Err(_) => unavailable(&v),
    }
}

fn render(desk: &Desk, now: DateTime<Utc>, agent: AgentId, v: &Visitor) -> (StatusCode, Markup) {
    let name = agent_name(desk, agent);
    if !is_supervisor(desk, agent) {
        let body = html! {
            p.flash.refused {
                "The supervisor page is for team leads, managers and executives."
                br; "Permission missing: record_mistakes"
            }
        };
        return (
            StatusCode::FORBIDDEN,
            layout("Supervisor", v, Some(&name), body),
        );
    }
    let attained = attainment(desk);
    let metrics = desk.tickets().metrics(now - Duration::days(30), now);
    let escalated: Vec<_> = desk
        .tickets()
        .iter()
        .filter_map(|t| t.department().map(|d| (t, d.to_owned())))
        .collect();
    let graph_svg = desk
        .config()
        .escalation
        .as_ref()
        .map(|g| crate::svg::from_dot(&g.to_dot()));
    let org_svg = desk
        .people()
        .organisation()
        .ok()
        .map(|o| crate::svg::from_dot(&o.to_dot()));
    let body = html! {
        h2 { "SLA attainment by channel and metric" }
        @if attained.is_empty() { p { "No SLA target has been met or breached yet." } }
        @else {
            table {
                tr { th { "Channel" } th { "Metric" } th { "Met" } th { "Breached" } th { "Attainment" } }
                @for ((channel, metric), t) in &attained {
                    tr {
                        td { (channel.to_string()) } td { (metric.to_string()) }
                        td { (t.met) } td { (t.breached) } td { (t.percent()) }
                    }
                }
            }
        }
        p {
            "Last 30 days, by metric (the library's report): "
            @for (metric, a) in &metrics.sla.by_metric {
                (metric.to_string()) " " (a.percent().map_or_else(|| "—".to_owned(), |p| format!("{p:.0}%"))) "; "
            }
            "tickets opened: " (metrics.opened)
        }
        h2 { "Escalations" }
        @if escalated.is_empty() { p { "Nothing escalated." } }
        @else {
            table {
                tr { th { "Ticket" } th { "With" } th { "Why (the escalation note)" } }
                @for (t, dept) in &escalated {
                    tr {
                        td { a href=(format!("/console/tickets/{}", t.id())) { (t.subject()) } }
                        td { (dept) }
                        td {
                            (t.conversation().iter().rev()
                                .find(|e| e.visibility != EntryVisibility::Public && matches!(e.author, Author::System | Author::Agent(_)))
                                .map_or_else(String::new, |e| e.body.clone()))
                        }
                    }
                }
            }
        }
        h2 { "Incidents" }
        @let active: Vec<_> = desk.incidents().active().collect();
        @if active.is_empty() { p { "No incident running." } }
        @for i in &active {
            div.box {
                h3 { (i.title()) }
                @match desk.incidents().timeline(i.id(), agent) {
                    Ok(timeline) => {
                        ul { @for e in &timeline.entries { li { (when(e.at, now)) ": " (e.summary) } } }
                    }
                    Err(e) => { p.flash.refused { (e.to_string()) } }
                }
            }
        }
        h2 { "Escalation graph" }
        @match graph_svg {
            Some(Ok(svg)) => { div.svg { (PreEscaped(svg)) } }
            Some(Err(e)) => { p.flash.refused { "The graph could not be drawn: " (e) } }
            None => { p { "No escalation graph configured." } }
        }
        h2 { "Org chart" }
        @match org_svg {
            Some(Ok(svg)) => { div.svg { (PreEscaped(svg)) } }
            Some(Err(e)) => { p.flash.refused { "The org chart could not be drawn: " (e) } }
            None => { p { "The organisation has problems to fix before it can be drawn." } }
        }
    };
    (StatusCode::OK, layout("Supervisor", v, Some(&name), body))
}

/// `GET /status`: the public status page, for anyone.
pub(super) async fn status(State(state): State<AppState>, v: Visitor) -> Response {
    let v2 = v.clone();
    let page = state
        .desk
        .read(move |desk, now| {
            let entries = desk.incidents().status_page();
            let name = v2.who.map(|w| super::who_name(desk, w));
            let body = html! {
                @if entries.is_empty() { p.flash.done { "All systems operational." } }
                @for e in &entries {
                    div.box {
                        h3 { (e.title) }
                        p { (format!("{:?}", e.status)) " · since " (when(e.declared_at, now)) }
                        @if let Some(m) = &e.message {
                            p { (m) @if let Some(at) = e.posted_at { " (" (when(at, now)) ")" } }
                        }
                        ul { @for (c, state) in &e.components { li { (c.to_string()) ": " (format!("{state:?}")) } } }
                    }
                }
            };
            layout("Status", &v2, name.as_deref(), body)
        })
        .await;
    match page {
        Ok(m) => v.page(StatusCode::OK, m),
        Err(_) => unavailable(&v),
    }
}
