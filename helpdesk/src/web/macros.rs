//! Macros on the ticket page: the ones offered to the signed-in agent
//! (`Desk::macros_for`), a preview of what one would do
//! (`Desk::preview_macro`: the changes and the reply it would send,
//! nothing written) and the form that applies it
//! (`TicketAction::ApplyMacro`, the agent as actor). A refusal, in the
//! preview or on applying, shows the desk's error and the permission
//! missing.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Utc};
use fanatical::actor::Actor;
use fanatical::desk::{Command, Desk, MacroPreview, TicketAction};
use fanatical::id::{AgentId, TicketId};
use fanatical::outbox::Recipient;
use fanatical::ticket::{EntryVisibility, TicketEventKind};
use maud::{Markup, html};

use super::console::{agent_of, form_of, text};
use super::{
    AppState, Visitor, act, agent_name, contact_name, csrf_field, layout, not_found, unavailable,
};

/// A value for a query string (`application/x-www-form-urlencoded`):
/// macro names have spaces.
fn query_value(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                char::from(b).to_string()
            }
            b' ' => "+".to_owned(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The address of a macro's preview on a ticket.
fn preview_href(ticket: TicketId, name: &str) -> String {
    format!("/console/tickets/{ticket}/macro?name={}", query_value(name))
}

/// The form applying `name` to `ticket`.
fn apply_form(v: &Visitor, ticket: TicketId, name: &str) -> Markup {
    html! {
        form.inline method="post" action=(format!("/console/tickets/{ticket}/macro")) {
            (csrf_field(v))
            input type="hidden" name="name" value=(name);
            button type="submit" { "Apply " (name) }
        }
    }
}

/// The ticket page's box: every macro offered to `agent`, with its
/// description, a link to its preview and the form applying it.
pub(super) fn macros_box(desk: &Desk, agent: AgentId, ticket: TicketId, v: &Visitor) -> Markup {
    let offered = desk.macros_for(agent);
    html! {
        div.box.macros {
            h3 { "Macros" }
            @if offered.is_empty() { p { "No macro is offered to you." } }
            @for m in &offered {
                div.macro {
                    strong { (m.name.as_str()) }
                    @if !m.description.is_empty() { " — " (m.description) }
                    br;
                    a href=(preview_href(ticket, m.name.as_str())) { "Preview" } " "
                    (apply_form(v, ticket, m.name.as_str()))
                }
            }
        }
    }
}

/// One change of a preview, as an agent reads it.
fn change(desk: &Desk, kind: &TicketEventKind) -> String {
    match kind {
        TicketEventKind::MacroApplied { name } => format!("macro {name} applied"),
        TicketEventKind::EntryAdded { entry } if entry.visibility == EntryVisibility::Public => {
            "a public reply (below)".to_owned()
        }
        TicketEventKind::EntryAdded { .. } => "an internal note".to_owned(),
        TicketEventKind::StatusChanged { from, to, .. } => format!("status {from} → {to}"),
        TicketEventKind::PriorityChanged { from, to } => format!("priority {from} → {to}"),
        TicketEventKind::Assigned { agent } => format!(
            "assigned to {}",
            agent.map_or_else(|| "nobody".to_owned(), |a| agent_name(desk, a))
        ),
        TicketEventKind::Tagged { tag } => format!("tag {} added", tag.as_str()),
        TicketEventKind::Untagged { tag } => format!("tag {} removed", tag.as_str()),
        TicketEventKind::HandedOff { to, reason, .. } => format!("handed to {to}: {reason}"),
        other => format!("{other:?}"),
    }
}

/// Who a previewed message goes to.
fn recipient(desk: &Desk, r: &Recipient) -> String {
    match r {
        Recipient::Contact { contact, address } => {
            format!("to {} <{address}>", contact_name(desk, *contact))
        }
        Recipient::Agent { agent } => format!("a page to {}", agent_name(desk, *agent)),
        other => format!("{other:?}"),
    }
}

fn render_preview(
    desk: &Desk,
    now: DateTime<Utc>,
    agent: AgentId,
    ticket: TicketId,
    name: &str,
    v: &Visitor,
) -> (StatusCode, Markup) {
    let me = agent_name(desk, agent);
    let back = format!("/console/tickets/{ticket}");
    let title = format!("Macro: {name}");
    let preview: MacroPreview = match desk.preview_macro(agent, ticket, name, now) {
        Ok(p) => p,
        Err(e) => {
            let command = Command::new(
                Actor::Agent(agent),
                TicketAction::ApplyMacro {
                    ticket,
                    name: name.to_owned(),
                },
            );
            let missing = desk.missing_permission(&command);
            let status = if missing.is_some() {
                StatusCode::FORBIDDEN
            } else if desk.tickets().get(ticket).is_none() {
                StatusCode::NOT_FOUND
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            let body = html! {
                div.flash.refused {
                    strong { "Refused: " } (e.to_string())
                    @if let Some(m) = missing { br; "Permission missing: " (m.to_string()) }
                }
                p { a href=(back) { "Back to the ticket" } }
            };
            return (status, layout(&title, v, Some(&me), body));
        }
    };
    let body = html! {
        p {
            "What applying it to " a href=(back) { (preview.ticket.subject) }
            " would do. Nothing is written until you apply it; the desk's triggers, which run when it is applied, are not part of the preview."
        }
        h2 { "Changes" }
        @if preview.changes.is_empty() {
            p { "None: the ticket is already as this macro would leave it." }
        } @else {
            ul.changes { @for c in &preview.changes { li { (change(desk, c)) } } }
        }
        p {
            "Afterwards: status " strong { (preview.ticket.status.to_string()) }
            " · priority " (preview.ticket.priority.to_string())
            " · assignee " (preview.ticket.assignee.map_or_else(|| "nobody".to_owned(), |a| agent_name(desk, a)))
        }
        h2 { "Messages it would send" }
        @if preview.messages.is_empty() { p { "None." } }
        @for m in &preview.messages {
            div.entry.outgoing {
                small { (recipient(desk, &m.recipient)) " · " (m.channel.to_string()) }
                br;
                (m.body)
            }
        }
        @if preview.held_for_review {
            p.flash.refused { "Its public reply would be held for review before it goes out." }
        }
        (apply_form(v, ticket, name))
        p { a href=(back) { "Back to the ticket" } }
    };
    (StatusCode::OK, layout(&title, v, Some(&me), body))
}

/// `GET /console/tickets/{id}/macro?name=NAME`: what the macro would do
/// to the ticket, and the form applying it.
pub(super) async fn preview(
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
    let name = q.get("name").cloned().unwrap_or_default();
    let v2 = v.clone();
    match state
        .desk
        .read(move |desk, now| render_preview(desk, now, agent, ticket, &name, &v2))
        .await
    {
        Ok((status, markup)) => v.page(status, markup),
        Err(_) => unavailable(&v),
    }
}

/// `POST /console/tickets/{id}/macro` with the macro's `name`.
pub(super) async fn apply(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<HashMap<String, String>>,
) -> Response {
    let (agent, ticket) = match form_of(&v, &id, &form).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let name = text(&form, "name");
    let command = Command::new(
        Actor::Agent(agent),
        TicketAction::ApplyMacro {
            ticket,
            name: name.clone(),
        },
    );
    act(
        &state,
        &v,
        command,
        &format!("Macro {name} applied."),
        &format!("/console/tickets/{ticket}"),
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn macro_names_are_encoded_for_a_query_string() {
        assert_eq!(query_value("Take it"), "Take+it");
        assert_eq!(query_value("a&b=c/é"), "a%26b%3Dc%2F%C3%A9");
        assert_eq!(query_value("plain-name_1.~"), "plain-name_1.~");
    }
}
