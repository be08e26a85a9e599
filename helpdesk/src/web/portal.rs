//! The customer portal: a contact's tickets (their public conversation
//! only, as [`Desk::customer_ticket_view`] gives it), opening a ticket,
//! replying, and answering the surveys they were sent.

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Utc};
use fanatical::actor::Actor;
use fanatical::channel::Channel;
use fanatical::desk::{Command, Desk, SurveyAction, TicketAction};
use fanatical::id::{ContactId, InvitationId, TicketId};
use fanatical::survey::{Answer, QuestionKind, Rating, Response as SurveyResponse};
use fanatical::ticket::{Author, OpenTicket, TicketCommand};
use maud::{Markup, html};

use super::{
    AppState, Visitor, Who, act, author_name, contact_name, csrf_field, layout, not_found,
    see_other, unavailable, when,
};

fn contact_of(v: &Visitor) -> Result<ContactId, Response> {
    match v.who {
        Some(Who::Contact(c)) => Ok(c),
        Some(Who::Agent(_)) => Err(see_other("/console")),
        None => Err(see_other("/signin")),
    }
}

/// The surveys a contact was sent and has not answered, still open.
fn open_invitations(
    desk: &Desk,
    contact: ContactId,
    now: DateTime<Utc>,
) -> Vec<(InvitationId, String)> {
    desk.surveys()
        .invitations()
        .filter(|i| {
            i.invitation.contact == contact && i.answered.is_none() && i.invitation.expires_at > now
        })
        .map(|i| (i.invitation.id, i.invitation.survey.clone()))
        .collect()
}

/// `GET /portal`: the contact's tickets, a form to open one, and their
/// open surveys.
pub(super) async fn home(State(state): State<AppState>, v: Visitor) -> Response {
    let contact = match contact_of(&v) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let v2 = v.clone();
    match state
        .desk
        .read(move |desk, now| render_home(desk, now, contact, &v2))
        .await
    {
        Ok(m) => v.page(StatusCode::OK, m),
        Err(_) => unavailable(&v),
    }
}

fn render_home(desk: &Desk, now: DateTime<Utc>, contact: ContactId, v: &Visitor) -> Markup {
    let name = contact_name(desk, contact);
    let tickets = desk.tickets().seen_by(contact);
    let surveys = open_invitations(desk, contact, now);
    let body = html! {
        @if !surveys.is_empty() {
            div.box {
                h2 { "Tell us how we did" }
                @for (id, survey) in &surveys {
                    p { a href=(format!("/portal/surveys/{id}")) { "Answer the " (survey) " survey" } }
                }
            }
        }
        h2 { "Your tickets" }
        @match tickets {
            Err(e) => { p.flash.refused { (e.to_string()) } }
            Ok(list) if list.is_empty() => { p { "No tickets yet." } }
            Ok(list) => {
                table {
                    tr { th { "Subject" } th { "Status" } th { "Opened" } }
                    @for t in &list {
                        tr {
                            td { a href=(format!("/portal/tickets/{}", t.id)) { (t.subject) } }
                            td { (format!("{:?}", t.status)) }
                            td { (when(t.opened_at, now)) }
                        }
                    }
                }
            }
        }
        div.box {
            h2 { "Open a ticket" }
            form method="post" action="/portal/tickets" {
                (csrf_field(v))
                label { "Subject " input type="text" name="subject" required; }
                br;
                label { "What happened?" textarea name="body" required {} }
                button type="submit" { "Open ticket" }
            }
        }
    };
    layout("My tickets", v, Some(&name), body)
}

/// `POST /portal/tickets`: opens a ticket as the contact, on the portal.
pub(super) async fn open(
    State(state): State<AppState>,
    v: Visitor,
    axum::Form(form): axum::Form<HashMap<String, String>>,
) -> Response {
    if let Some(r) = v.refuse_csrf(&form) {
        return r;
    }
    let contact = match contact_of(&v) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let customer = state
        .desk
        .read(move |desk, _| {
            desk.customers()
                .contact(contact)
                .map(|(customer, _)| customer.id())
        })
        .await;
    let Ok(Some(customer)) = customer else {
        return not_found(&v, "You are not a contact of any customer.");
    };
    let id: TicketId = state.next_id();
    let subject = form.get("subject").map_or("", |s| s.trim());
    let body = form.get("body").map_or("", |s| s.trim());
    let open = OpenTicket::new(id, customer, subject, Channel::Portal)
        .requested_by(contact)
        .with_message(Author::Contact(contact), body);
    let command = Command::new(Actor::Contact(contact), TicketAction::Open(open));
    act(
        &state,
        &v,
        command,
        "Ticket opened: we will answer soon.",
        &format!("/portal/tickets/{id}"),
    )
    .await
}

/// `GET /portal/tickets/{id}`: the public conversation.
pub(super) async fn ticket(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<String>,
) -> Response {
    let contact = match contact_of(&v) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let Ok(ticket) = id.parse::<TicketId>() else {
        return not_found(&v, "No such ticket.");
    };
    let v2 = v.clone();
    match state
        .desk
        .read(move |desk, now| render_ticket(desk, now, contact, ticket, &v2))
        .await
    {
        Ok((status, m)) => v.page(status, m),
        Err(_) => unavailable(&v),
    }
}

fn render_ticket(
    desk: &Desk,
    now: DateTime<Utc>,
    contact: ContactId,
    ticket: TicketId,
    v: &Visitor,
) -> (StatusCode, Markup) {
    let name = contact_name(desk, contact);
    let view = match desk.customer_ticket_view(ticket, contact) {
        Ok(view) => view,
        // Someone else's ticket and no ticket look the same from outside.
        Err(_) => {
            return (
                StatusCode::NOT_FOUND,
                layout(
                    "Ticket",
                    v,
                    Some(&name),
                    html! { p.flash.refused { "No such ticket." } },
                ),
            );
        }
    };
    let body = html! {
        p { "Status: " strong { (format!("{:?}", view.status)) } " · opened " (when(view.opened_at, now)) }
        @for e in &view.conversation {
            div.entry {
                small { strong { (author_name(desk, e.author)) } " · " (when(e.at, now)) }
                br;
                (e.body)
            }
        }
        div.box {
            h3 { "Reply" }
            form method="post" action=(format!("/portal/tickets/{ticket}/reply")) {
                (csrf_field(v))
                textarea name="body" required {}
                button type="submit" { "Send" }
            }
        }
    };
    (
        StatusCode::OK,
        layout(&format!("Ticket: {}", view.subject), v, Some(&name), body),
    )
}

/// `POST /portal/tickets/{id}/reply`: the contact's public reply.
pub(super) async fn reply(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<HashMap<String, String>>,
) -> Response {
    if let Some(r) = v.refuse_csrf(&form) {
        return r;
    }
    let contact = match contact_of(&v) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let Ok(ticket) = id.parse::<TicketId>() else {
        return not_found(&v, "No such ticket.");
    };
    let command = Command::new(
        Actor::Contact(contact),
        TicketAction::Update {
            ticket,
            command: TicketCommand::Reply {
                author: Author::Contact(contact),
                channel: Channel::Portal,
                body: form.get("body").map_or("", |s| s.trim()).to_owned(),
                attachments: Vec::new(),
            },
        },
    );
    act(
        &state,
        &v,
        command,
        "Reply sent.",
        &format!("/portal/tickets/{ticket}"),
    )
    .await
}

/// A survey's questions as the portal asks them: only the kinds it has a
/// field for (the CSAT scale, NPS, yes/no and comments).
fn question_field(id: &str, kind: &QuestionKind, required: bool) -> Markup {
    html! {
        @match kind {
            QuestionKind::Nps => {
                select name=(id) required[required] {
                    option value="" { "—" }
                    @for n in 0..=10u8 { option value=(n) { (n) } }
                }
            }
            QuestionKind::Scale { .. } => {
                select name=(id) required[required] {
                    option value="" { "—" }
                    @for (key, label) in SCALE { option value=(key) { (label) } }
                }
            }
            QuestionKind::YesNo => {
                select name=(id) required[required] {
                    option value="" { "—" } option value="yes" { "Yes" } option value="no" { "No" }
                }
            }
            QuestionKind::Comment => { textarea name=(id) required[required] {} }
            _ => { em { "(this question is answered by email)" } }
        }
    }
}

const SCALE: [(&str, &str); 5] = [
    ("excellent", "Excellent"),
    ("good", "Good"),
    ("average", "Average"),
    ("fair", "Fair"),
    ("poor", "Poor"),
];

fn rating(key: &str) -> Option<Rating> {
    Some(match key {
        "excellent" => Rating::Excellent,
        "good" => Rating::Good,
        "average" => Rating::Average,
        "fair" => Rating::Fair,
        "poor" => Rating::Poor,
        _ => return None,
    })
}

/// `GET /portal/surveys/{id}`.
pub(super) async fn survey(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<String>,
) -> Response {
    let contact = match contact_of(&v) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let Ok(invitation) = id.parse::<InvitationId>() else {
        return not_found(&v, "No such survey.");
    };
    let v2 = v.clone();
    let page = state
        .desk
        .read(move |desk, now| {
            let name = contact_name(desk, contact);
            let open = open_invitations(desk, contact, now);
            let survey = open
                .iter()
                .find(|(i, _)| *i == invitation)
                .and_then(|(_, s)| desk.config().surveys.surveys.get(s))?;
            let body = html! {
                form method="post" action=(format!("/portal/surveys/{invitation}")) {
                    (csrf_field(&v2))
                    @for q in survey.questions() {
                        p { label { (q.text) br; (question_field(&q.id, &q.kind, q.required)) } }
                    }
                    button type="submit" { "Send answers" }
                }
            };
            Some(layout("Survey", &v2, Some(&name), body))
        })
        .await;
    match page {
        Ok(Some(m)) => v.page(StatusCode::OK, m),
        Ok(None) => not_found(&v, "No such survey, or it was answered already."),
        Err(_) => unavailable(&v),
    }
}

/// `POST /portal/surveys/{id}`: the answers, as the contact.
pub(super) async fn answer(
    State(state): State<AppState>,
    v: Visitor,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<HashMap<String, String>>,
) -> Response {
    if let Some(r) = v.refuse_csrf(&form) {
        return r;
    }
    let contact = match contact_of(&v) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let Ok(invitation) = id.parse::<InvitationId>() else {
        return not_found(&v, "No such survey.");
    };
    let questions = state
        .desk
        .read(move |desk, now| {
            let open = open_invitations(desk, contact, now);
            open.iter()
                .find(|(i, _)| *i == invitation)
                .and_then(|(_, s)| desk.config().surveys.surveys.get(s))
                .map(|s| {
                    s.questions()
                        .iter()
                        .map(|q| (q.id.clone(), q.kind.clone()))
                        .collect::<Vec<_>>()
                })
        })
        .await;
    let Ok(Some(questions)) = questions else {
        return not_found(&v, "No such survey, or it was answered already.");
    };
    let mut response = SurveyResponse::new();
    for (id, kind) in questions {
        let given = form.get(&id).map_or("", |s| s.trim());
        if given.is_empty() {
            continue;
        }
        let answer = match kind {
            QuestionKind::Nps => given.parse::<u8>().ok().map(Answer::Nps),
            QuestionKind::Scale { .. } => rating(given).map(Answer::Scale),
            QuestionKind::YesNo => Some(Answer::YesNo(given == "yes")),
            QuestionKind::Comment => Some(Answer::Comment(given.to_owned())),
            _ => None,
        };
        if let Some(a) = answer {
            response = response.answer(&id, a);
        }
    }
    let command = Command::new(
        Actor::Contact(contact),
        SurveyAction::Answer {
            invitation,
            response,
        },
    );
    act(
        &state,
        &v,
        command,
        "Thank you for your answers.",
        "/portal",
    )
    .await
}
