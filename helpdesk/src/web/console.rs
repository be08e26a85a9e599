//! The agent console: queues with counts and SLA clocks, and the ticket
//! page with its conversation, internal notes and the forms to reply,
//! note, set the status, assign and apply a macro.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Utc};
use fanatical::actor::Actor;
use fanatical::desk::{Command, Desk, TicketAction};
use fanatical::id::{AgentId, TicketId};
use fanatical::queue::{AssigneeIs, Filter, Queue, SlaState, Sort, SortBy};
use fanatical::sla::Phase;
use fanatical::template::ReplyName;
use fanatical::ticket::{EntryVisibility, Status};
use maud::{Markup, html};

use super::{
    AppState, Visitor, Who, act, agent_name, author_name, contact_name, csrf_field, layout,
    not_found, see_other, unavailable, when,
};

/// The console's queues: a name for the address, a title, the queue.
fn queues() -> Vec<(&'static str, &'static str, Queue)> {
    let unsolved = [Status::New, Status::Open, Status::Pending, Status::OnHold];
    let by_deadline = || Queue::new(Sort::ascending(SortBy::NextDeadline));
    vec![
        (
            "open",
            "New and open, by SLA deadline",
            by_deadline().with(Filter::Status([Status::New, Status::Open].into())),
        ),
        (
            "mine",
            "Mine",
            by_deadline()
                .with(Filter::Status(unsolved.into()))
                .with(Filter::Assignee([AssigneeIs::Me].into())),
        ),
        (
            "unassigned",
            "Unassigned",
            by_deadline()
                .with(Filter::Status(unsolved.into()))
                .with(Filter::Assignee([AssigneeIs::Unassigned].into())),
        ),
        (
            "breached",
            "SLA breached",
            by_deadline()
                .with(Filter::Status(unsolved.into()))
                .with(Filter::Sla(SlaState::Breached)),
        ),
        (
            "pending",
            "Waiting on the customer",
            by_deadline().with(Filter::Status([Status::Pending].into())),
        ),
        (
            "solved",
            "Solved",
            Queue::new(Sort::descending(SortBy::Updated))
                .with(Filter::Status([Status::Solved].into())),
        ),
    ]
}

/// The signed-in agent, or the answer for anyone else.
pub(super) fn agent_of(v: &Visitor) -> Result<AgentId, Response> {
    match v.who {
        Some(Who::Agent(a)) => Ok(a),
        Some(Who::Contact(_)) => Err(see_other("/portal")),
        None => Err(see_other("/signin")),
    }
}

/// `GET /console?queue=NAME`: every queue with its count, and the rows of
/// the one chosen.
pub(super) async fn queues_page(
    State(state): State<AppState>,
    v: Visitor,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let agent = match agent_of(&v) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let chosen = q.get("queue").cloned().unwrap_or_else(|| "open".to_owned());
    let v2 = v.clone();
    let page = state
        .desk
        .read(move |desk, now| render_queues(desk, now, agent, &chosen, &v2))
        .await;
    match page {
        Ok((status, markup)) => v.page(status, markup),
        Err(_) => unavailable(&v),
    }
}

fn render_queues(
    desk: &Desk,
    now: DateTime<Utc>,
    agent: AgentId,
    chosen: &str,
    v: &Visitor,
) -> (StatusCode, Markup) {
    let me = Actor::Agent(agent);
    let name = agent_name(desk, agent);
    let all = queues();
    let counts: Vec<(&str, &str, Result<u64, String>)> = all
        .iter()
        .map(|(key, title, queue)| {
            (
                *key,
                *title,
                desk.queues()
                    .count_as(queue, &me, now)
                    .map_err(|e| e.to_string()),
            )
        })
        .collect();
    let (title, page) = match all.iter().find(|(key, _, _)| *key == chosen) {
        Some((_, title, queue)) => (*title, desk.queues().page_as(queue, &me, None, 50, now)),
        None => {
            return (
                StatusCode::NOT_FOUND,
                layout("No such queue", v, Some(&name), html! {}),
            );
        }
    };
    let body = html! {
        nav.queues {
            @for (key, title, count) in &counts {
                a href=(format!("/console?queue={key}")) {
                    (title) " "
                    @match count { Ok(n) => { "(" (n) ")" } Err(_) => { "(—)" } }
                }
            }
        }
        h2 { (title) }
        @match page {
            Err(e) => { p.flash.refused { "You may not see this queue: " (e.to_string()) } }
            Ok(page) if page.rows.is_empty() => { p { "Nothing here." } }
            Ok(page) => {
                table {
                    tr { th { "Subject" } th { "Customer" } th { "Status" } th { "Priority" } th { "Assignee" } th { "SLA clock" } }
                    @for row in &page.rows {
                        tr {
                            td { a href=(format!("/console/tickets/{}", row.id)) { (row.subject) } }
                            td { (desk.customers().get(row.customer).map_or_else(String::new, |c| c.organisation().to_owned())) }
                            td { (row.status.to_string()) }
                            td { (row.priority.to_string()) }
                            td { (row.assignee.map_or_else(|| "—".to_owned(), |a| agent_name(desk, a))) }
                            td {
                                @if row.breached { span.breached { "breached " } }
                                @match &row.next_deadline {
                                    Some(d) => {
                                        span class=(if d.at <= now { "breached" } else { "" }) {
                                            (d.metric.to_string()) " due " (when(d.at, now))
                                        }
                                    }
                                    None => { "no clock running" }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    (StatusCode::OK, layout("Queues", v, Some(&name), body))
}

/// `GET /console/tickets/{id}?template=NAME`: the ticket as this agent
/// may see it; a reply template's text, when asked, in the reply box.
pub(super) async fn ticket(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let agent = match agent_of(&v) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let Ok(ticket) = id.parse::<TicketId>() else {
        return not_found(&v, "No such ticket.");
    };
    let template = q.get("template").cloned();
    let v2 = v.clone();
    match state
        .desk
        .read(move |desk, now| render_ticket(desk, now, agent, ticket, template.as_deref(), &v2))
        .await
    {
        Ok((status, markup)) => v.page(status, markup),
        Err(_) => unavailable(&v),
    }
}

const STATUSES: [(&str, Status); 5] = [
    ("open", Status::Open),
    ("pending", Status::Pending),
    ("on_hold", Status::OnHold),
    ("solved", Status::Solved),
    ("closed", Status::Closed),
];

fn render_ticket(
    desk: &Desk,
    now: DateTime<Utc>,
    agent: AgentId,
    ticket: TicketId,
    template: Option<&str>,
    v: &Visitor,
) -> (StatusCode, Markup) {
    let name = agent_name(desk, agent);
    let view = match desk.ticket_view_as(ticket, agent) {
        Ok(view) => view,
        Err(e) => {
            let status = if desk.tickets().get(ticket).is_some() {
                StatusCode::FORBIDDEN
            } else {
                StatusCode::NOT_FOUND
            };
            return (
                status,
                layout(
                    "Ticket",
                    v,
                    Some(&name),
                    html! { p.flash.refused { (e.to_string()) } },
                ),
            );
        }
    };
    let requester = view.requester.map(|c| contact_name(desk, c));
    let prefill = template
        .and_then(|t| ReplyName::new(t).ok())
        .and_then(|t| {
            let who = requester.clone().unwrap_or_default();
            let number = ticket.to_string();
            desk.config()
                .templates
                .render_reply(&t, None, &[("requester", &who), ("ticket", &number)])
                .ok()
        })
        .unwrap_or_default();
    let replies: Vec<String> = desk
        .config()
        .templates
        .replies()
        .map(ToString::to_string)
        .collect();
    let sla = desk.tickets().sla(ticket);
    let base = format!("/console/tickets/{ticket}");
    let body = html! {
        p {
            "Customer: " (desk.customers().get(view.customer).map_or_else(String::new, |c| c.organisation().to_owned()))
            @if let Some(r) = &requester { " · requested by " (r) }
            " · channel " (view.channel.to_string())
            " · status " strong { (view.status.to_string()) }
            " · priority " (view.priority.to_string())
            @if !view.tags.is_empty() {
                " · tags " (view.tags.iter().map(|t| t.as_str()).collect::<Vec<_>>().join(", "))
            }
            " · assignee " (view.assignee.map_or_else(|| "nobody".to_owned(), |a| agent_name(desk, a)))
            @if let Some(d) = &view.department { " · with " (d) }
        }
        h2 { "SLA" }
        @match sla {
            Some(sla) if !sla.metrics().is_empty() => {
                table {
                    tr { th { "Metric" } th { "Target" } th { "State" } }
                    @for m in sla.metrics() {
                        tr {
                            td { (m.key.metric.to_string()) @if m.key.cycle > 1 { " #" (m.key.cycle) } }
                            td { (super::span(m.spec.target.num_minutes())) }
                            td {
                                @match &m.phase {
                                    Phase::Active { schedule, .. } => {
                                        @match schedule.deadline {
                                            Some(d) => { span class=(if m.breached.is_some() { "breached" } else { "" }) { "running, due " (when(d, now)) } }
                                            None => { "running" }
                                        }
                                    }
                                    Phase::Paused => { "paused" }
                                    Phase::Fulfilled { at, .. } => {
                                        @if m.breached.is_some() { span.breached { "fulfilled late, " (when(*at, now)) } }
                                        @else { span.met { "fulfilled" } " " (when(*at, now)) }
                                    }
                                    _ => { "stopped" }
                                }
                                @if let Some(b) = m.breached { " · " span.breached { "breached " (when(b, now)) } }
                            }
                        }
                    }
                }
            }
            _ => { p { "No SLA clock on this ticket." } }
        }
        h2 { "Conversation" }
        @for e in &view.conversation {
            @let internal = e.visibility != EntryVisibility::Public;
            div class=(if internal { "entry internal" } else { "entry" }) {
                small {
                    strong { (author_name(desk, e.author)) }
                    " · " (when(e.at, now))
                    @if internal { " · internal note" } @else { " · " (e.channel.to_string()) }
                }
                br;
                (e.body)
            }
        }
        div.forms {
            div.box {
                h3 { "Reply to the customer" }
                @if !replies.is_empty() {
                    p { "Templates: " @for r in &replies { a href=(format!("{base}?template={r}")) { (r) } " " } }
                }
                form method="post" action=(format!("{base}/reply")) {
                    (csrf_field(v))
                    textarea name="body" required { (prefill) }
                    button type="submit" { "Send reply" }
                }
            }
            div.box {
                h3 { "Internal note" }
                form method="post" action=(format!("{base}/note")) {
                    (csrf_field(v))
                    textarea name="body" required {}
                    button type="submit" { "Add note" }
                }
            }
            div.box {
                h3 { "Status" }
                form method="post" action=(format!("{base}/status")) {
                    (csrf_field(v))
                    select name="status" {
                        @for (key, s) in STATUSES {
                            option value=(key) selected[s == view.status] { (s.to_string()) }
                        }
                    }
                    button type="submit" { "Set status" }
                }
                h3 { "Assignment" }
                form method="post" action=(format!("{base}/assign")) {
                    (csrf_field(v))
                    select name="agent" {
                        option value="" { "nobody" }
                        @for a in desk.people().agents().filter(|a| a.is_active()) {
                            option value=(a.id().to_string()) selected[view.assignee == Some(a.id())] { (a.name()) }
                        }
                    }
                    button type="submit" { "Assign" }
                }
            }
            (super::macros::macros_box(desk, agent, ticket, v))
        }
    };
    (
        StatusCode::OK,
        layout(&format!("Ticket: {}", view.subject), v, Some(&name), body),
    )
}

/// The form's ticket and agent, or the answer for a bad request.
pub(super) async fn form_of(
    v: &Visitor,
    id: &str,
    form: &HashMap<String, String>,
) -> Result<(AgentId, TicketId), Response> {
    if let Some(r) = v.refuse_csrf(form) {
        return Err(r);
    }
    let agent = agent_of(v)?;
    let ticket = id
        .parse::<TicketId>()
        .map_err(|_| not_found(v, "No such ticket."))?;
    Ok((agent, ticket))
}

pub(super) fn text(form: &HashMap<String, String>, key: &str) -> String {
    form.get(key)
        .map_or_else(String::new, |s| s.trim().to_owned())
}

/// `POST /console/tickets/{id}/reply`.
pub(super) async fn reply(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<HashMap<String, String>>,
) -> Response {
    let (agent, ticket) = match form_of(&v, &id, &form).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let command = Command::reply(ticket, agent, &text(&form, "body"));
    act(
        &state,
        &v,
        command,
        "Reply sent.",
        &format!("/console/tickets/{ticket}"),
    )
    .await
}

/// `POST /console/tickets/{id}/note`.
pub(super) async fn note(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<HashMap<String, String>>,
) -> Response {
    let (agent, ticket) = match form_of(&v, &id, &form).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let command = Command::note(ticket, agent, &text(&form, "body"));
    act(
        &state,
        &v,
        command,
        "Note added.",
        &format!("/console/tickets/{ticket}"),
    )
    .await
}

/// `POST /console/tickets/{id}/status`.
pub(super) async fn status(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<HashMap<String, String>>,
) -> Response {
    let (agent, ticket) = match form_of(&v, &id, &form).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let wanted = text(&form, "status");
    let Some((_, status)) = STATUSES.iter().find(|(k, _)| *k == wanted) else {
        return not_found(&v, "No such status.");
    };
    let command = Command::new(
        Actor::Agent(agent),
        TicketAction::set_status(ticket, *status),
    );
    act(
        &state,
        &v,
        command,
        &format!("Status set to {status}."),
        &format!("/console/tickets/{ticket}"),
    )
    .await
}

/// `POST /console/tickets/{id}/assign` (an empty agent unassigns).
pub(super) async fn assign(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<HashMap<String, String>>,
) -> Response {
    let (agent, ticket) = match form_of(&v, &id, &form).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let wanted = text(&form, "agent");
    let assignee = if wanted.is_empty() {
        None
    } else {
        match wanted.parse::<AgentId>() {
            Ok(a) => Some(a),
            Err(_) => return not_found(&v, "No such agent."),
        }
    };
    let command = Command::new(
        Actor::Agent(agent),
        TicketAction::Update {
            ticket,
            command: fanatical::ticket::TicketCommand::Assign(assignee),
        },
    );
    act(
        &state,
        &v,
        command,
        "Assignment changed.",
        &format!("/console/tickets/{ticket}"),
    )
    .await
}
