//! The web side: the router, sessions with their CSRF tokens, the page
//! layout, and the pages (agent console, customer portal, supervisor
//! page, public status page).
//!
//! Every page is rendered with maud, which escapes every interpolated
//! value: customer text is never markup. Every action is a command with
//! the signed-in person as its actor, so the library's permissions decide
//! it; a refusal is shown with the permission missing.

// A handler's early answer is a whole `Response`: returned once per
// request, its size costs nothing worth boxing.
#![allow(clippy::result_large_err)]

mod console;
mod macros;
mod portal;
mod supervisor;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{FromRequestParts, State};
use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use fanatical::actor::Actor;
use fanatical::desk::Desk;
use fanatical::id::{AgentId, ContactId, IdGenerator};
use fanatical::ticket::Author;
use maud::{DOCTYPE, Markup, PreEscaped, html};

use crate::desk_loop::{DeskHandle, Refusal};

/// The session cookie's name.
pub const COOKIE_NAME: &str = "helpdesk_session";

/// Who a session is signed in as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    /// An employee: the agent console and, for supervisors, the
    /// supervisor page.
    Agent(AgentId),
    /// A customer's contact: the portal.
    Contact(ContactId),
}

impl Who {
    /// The actor of this person's commands.
    #[must_use]
    pub fn actor(self) -> Actor {
        match self {
            Who::Agent(a) => Actor::Agent(a),
            Who::Contact(c) => Actor::Contact(c),
        }
    }
}

/// One browser's session: who signed in (nobody yet, at first), its CSRF
/// token, and a message for the next page (a refusal, a confirmation).
#[derive(Debug, Clone)]
struct Session {
    who: Option<Who>,
    csrf: String,
    flash: Option<Flash>,
}

/// A message shown once on the next page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Flash {
    /// Done.
    Done(String),
    /// Refused: what the desk said, and the permission missing.
    Refused {
        error: String,
        missing: Option<String>,
    },
}

/// The service's shared state: the desk task's handle, the sessions, and
/// ids for what people create.
#[derive(Clone)]
pub struct AppState {
    desk: DeskHandle,
    sessions: Arc<Mutex<HashMap<String, Session>>>,
    ids: Arc<Mutex<IdGenerator>>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState").finish_non_exhaustive()
    }
}

impl AppState {
    /// State over a running desk task; new tickets' and invitations' ids
    /// come from a generator seeded from the OS.
    ///
    /// # Errors
    /// When the OS has no randomness to give.
    pub fn new(desk: DeskHandle) -> Result<Self, String> {
        let mut seed = [0u8; 8];
        getrandom::fill(&mut seed).map_err(|e| format!("no randomness: {e}"))?;
        Ok(AppState {
            desk,
            sessions: Arc::new(Mutex::new(HashMap::new())),
            ids: Arc::new(Mutex::new(IdGenerator::from_seed(u64::from_le_bytes(seed)))),
        })
    }

    /// The desk task's handle.
    #[must_use]
    pub fn desk(&self) -> &DeskHandle {
        &self.desk
    }

    fn next_id<T: fanatical::id::TypedId>(&self) -> T {
        let mut ids = self
            .ids
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        ids.next_id()
    }

    fn sessions(&self) -> std::sync::MutexGuard<'_, HashMap<String, Session>> {
        self.sessions
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn set_flash(&self, sid: &str, flash: Flash) {
        if let Some(s) = self.sessions().get_mut(sid) {
            s.flash = Some(flash);
        }
    }
}

/// The router: every page and action.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(home))
        .route("/signin", get(signin_page).post(signin))
        .route("/signout", post(signout))
        .route("/console", get(console::queues_page))
        .route("/console/tickets/{id}", get(console::ticket))
        .route("/console/tickets/{id}/reply", post(console::reply))
        .route("/console/tickets/{id}/note", post(console::note))
        .route("/console/tickets/{id}/status", post(console::status))
        .route("/console/tickets/{id}/assign", post(console::assign))
        .route(
            "/console/tickets/{id}/macro",
            get(macros::preview).post(macros::apply),
        )
        .route("/portal", get(portal::home))
        .route("/portal/tickets", post(portal::open))
        .route("/portal/tickets/{id}", get(portal::ticket))
        .route("/portal/tickets/{id}/reply", post(portal::reply))
        .route(
            "/portal/surveys/{id}",
            get(portal::survey).post(portal::answer),
        )
        .route("/supervisor", get(supervisor::page))
        .route("/status", get(supervisor::status))
        .with_state(state)
}

/// 32 random bytes from the OS, as hex: session ids and CSRF tokens.
fn random_token() -> String {
    let mut bytes = [0u8; 32];
    // Without randomness there is no safe token: an empty one matches
    // nothing (`csrf_ok` refuses it) and names no session.
    if getrandom::fill(&mut bytes).is_err() {
        return String::new();
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether `given` is the session's CSRF token, compared in constant time.
fn csrf_ok(expected: &str, given: &str) -> bool {
    use subtle::ConstantTimeEq;
    !expected.is_empty()
        && expected.len() == given.len()
        && bool::from(expected.as_bytes().ct_eq(given.as_bytes()))
}

/// The visitor of a request: their session (a new, anonymous one when
/// the browser brought none we know), and whether its cookie must be set.
#[derive(Debug, Clone)]
pub(crate) struct Visitor {
    sid: String,
    who: Option<Who>,
    csrf: String,
    flash: Option<Flash>,
    fresh: bool,
}

impl FromRequestParts<AppState> for Visitor {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let sid = cookie(parts, COOKIE_NAME);
        let mut sessions = state.sessions();
        if let Some(sid) = sid
            && let Some(s) = sessions.get_mut(&sid)
        {
            let flash = s.flash.take();
            return Ok(Visitor {
                sid,
                who: s.who,
                csrf: s.csrf.clone(),
                flash,
                fresh: false,
            });
        }
        let sid = random_token();
        let csrf = random_token();
        sessions.insert(
            sid.clone(),
            Session {
                who: None,
                csrf: csrf.clone(),
                flash: None,
            },
        );
        Ok(Visitor {
            sid,
            who: None,
            csrf,
            flash: None,
            fresh: true,
        })
    }
}

impl Visitor {
    /// A page for this visitor, setting their session cookie when new.
    fn page(&self, status: StatusCode, markup: Markup) -> Response {
        let mut response = (status, Html(markup.into_string())).into_response();
        if self.fresh {
            set_cookie(&mut response, &self.sid);
        }
        response
    }

    /// The form's CSRF token checked: `None` when it is right, else the
    /// 403 to answer (a visitor whose session is new has no token to
    /// send).
    fn refuse_csrf(&self, form: &HashMap<String, String>) -> Option<Response> {
        let given = form.get("csrf").map_or("", String::as_str);
        if !self.fresh && csrf_ok(&self.csrf, given) {
            return None;
        }
        Some(self.page(
            StatusCode::FORBIDDEN,
            layout(
                "Refused",
                self,
                None,
                html! { p.refused { "This form has expired or did not come from this site (no valid CSRF token). Go back, reload and try again." } },
            ),
        ))
    }
}

fn set_cookie(response: &mut Response, sid: &str) {
    let value = format!("{COOKIE_NAME}={sid}; Path=/; HttpOnly; SameSite=Lax");
    if let Ok(v) = HeaderValue::from_str(&value) {
        response.headers_mut().append(SET_COOKIE, v);
    }
}

fn cookie(parts: &Parts, name: &str) -> Option<String> {
    parts
        .headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// A 303 to `to`: the answer to every accepted form.
fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

/// A page saying the desk task is gone.
fn unavailable(v: &Visitor) -> Response {
    v.page(
        StatusCode::SERVICE_UNAVAILABLE,
        layout(
            "Unavailable",
            v,
            None,
            html! { p.refused { "The desk is not running." } },
        ),
    )
}

fn not_found(v: &Visitor, what: &str) -> Response {
    v.page(
        StatusCode::NOT_FOUND,
        layout("Not found", v, None, html! { p.refused { (what) } }),
    )
}

/// Runs `command` as the visitor, then sends them to `back` with the
/// outcome to show.
async fn act(
    state: &AppState,
    v: &Visitor,
    command: fanatical::desk::Command,
    done: &str,
    back: &str,
) -> Response {
    let flash = match state.desk.execute(command).await {
        Ok(()) => Flash::Done(done.to_owned()),
        Err(Refusal { error, missing }) => Flash::Refused {
            error,
            missing: missing.map(|m| m.to_string()),
        },
    };
    state.set_flash(&v.sid, flash);
    see_other(back)
}

const CSS: &str = r"
body{font-family:system-ui,sans-serif;margin:0;color:#222;background:#f6f7f9}
header{background:#17324d;color:#fff;padding:.6em 1em;display:flex;gap:1.2em;align-items:center}
header a{color:#fff}header form{margin-left:auto}
main{padding:1em 1.5em;max-width:70em}
table{border-collapse:collapse;background:#fff;width:100%}
td,th{border:1px solid #d6dbe1;padding:.35em .6em;text-align:left;vertical-align:top}
.entry{background:#fff;border:1px solid #d6dbe1;border-radius:6px;padding:.6em;margin:.5em 0;white-space:pre-wrap}
.internal{background:#fff8dc;border-color:#e0c96b}
.flash{padding:.6em;border-radius:6px;margin:.5em 0}
.done{background:#e3f6e8}.refused{background:#fde8e8;color:#8a1010}
.breached{color:#b00020;font-weight:bold}.met{color:#176b2c;font-weight:bold}
textarea{width:100%;min-height:5em}
.forms{display:grid;grid-template-columns:repeat(auto-fit,minmax(20em,1fr));gap:1em}
.box{background:#fff;border:1px solid #d6dbe1;border-radius:6px;padding:.8em}
nav.queues a{margin-right:1em}
.macro{margin:.4em 0}form.inline{display:inline}.outgoing{border-color:#6b9be0}
.svg svg{max-width:100%;height:auto;background:#fff}
";

/// The page around every page's body.
fn layout(title: &str, v: &Visitor, name: Option<&str>, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · Helpdesk" }
                style { (PreEscaped(CSS)) }
            }
            body {
                header {
                    strong { "Helpdesk" }
                    @match v.who {
                        Some(Who::Agent(_)) => {
                            a href="/console" { "Queues" }
                            a href="/supervisor" { "Supervisor" }
                        }
                        Some(Who::Contact(_)) => { a href="/portal" { "My tickets" } }
                        None => { a href="/signin" { "Sign in" } }
                    }
                    a href="/status" { "Status" }
                    @if let Some(name) = name {
                        form method="post" action="/signout" {
                            input type="hidden" name="csrf" value=(v.csrf);
                            span { "Signed in as " (name) " " }
                            button type="submit" { "Sign out" }
                        }
                    }
                }
                main {
                    h1 { (title) }
                    @match &v.flash {
                        Some(Flash::Done(text)) => { p.flash.done { (text) } }
                        Some(Flash::Refused { error, missing }) => {
                            div.flash.refused {
                                strong { "Refused: " } (error)
                                @if let Some(m) = missing { br; "Permission missing: " (m) }
                            }
                        }
                        None => {}
                    }
                    (body)
                }
            }
        }
    }
}

/// A hidden CSRF field for a form.
fn csrf_field(v: &Visitor) -> Markup {
    html! { input type="hidden" name="csrf" value=(v.csrf); }
}

/// A person's name as the desk knows it.
fn agent_name(desk: &Desk, agent: AgentId) -> String {
    desk.people()
        .agent(agent)
        .map_or_else(|| agent.to_string(), |a| a.name().to_owned())
}

fn contact_name(desk: &Desk, contact: ContactId) -> String {
    desk.customers()
        .contact(contact)
        .map_or_else(|| contact.to_string(), |(_, k)| k.name().to_owned())
}

fn who_name(desk: &Desk, who: Who) -> String {
    match who {
        Who::Agent(a) => agent_name(desk, a),
        Who::Contact(c) => contact_name(desk, c),
    }
}

fn author_name(desk: &Desk, author: Author) -> String {
    match author {
        Author::Agent(a) => agent_name(desk, a),
        Author::Contact(c) => contact_name(desk, c),
        Author::System => "the desk".to_owned(),
    }
}

/// An instant as people read it, with how far from now.
fn when(at: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let minutes = (at - now).num_minutes();
    let rel = match minutes {
        0 => "now".to_owned(),
        m if m > 0 => format!("in {}", span(m)),
        m => format!("{} ago", span(-m)),
    };
    format!("{} ({rel})", at.format("%Y-%m-%d %H:%M UTC"))
}

fn span(minutes: i64) -> String {
    if minutes < 120 {
        format!("{minutes} min")
    } else if minutes < 48 * 60 {
        format!("{} h", minutes / 60)
    } else {
        format!("{} days", minutes / (24 * 60))
    }
}

async fn home(v: Visitor) -> Response {
    match v.who {
        Some(Who::Agent(_)) => see_other("/console"),
        Some(Who::Contact(_)) => see_other("/portal"),
        None => {
            let mut r = see_other("/signin");
            if v.fresh {
                set_cookie(&mut r, &v.sid);
            }
            r
        }
    }
}

/// Everyone the demo sign-in offers: active agents, and contacts not
/// erased, with what they are.
struct People {
    agents: Vec<(AgentId, String, String)>,
    contacts: Vec<(ContactId, String, String)>,
}

fn people(desk: &Desk) -> People {
    let agents = desk
        .people()
        .agents()
        .filter(|a| a.is_active())
        .map(|a| {
            let roles: Vec<String> = a.roles().iter().map(ToString::to_string).collect();
            (a.id(), a.name().to_owned(), roles.join(", "))
        })
        .collect();
    let contacts = desk
        .customers()
        .iter()
        .flat_map(|c| {
            c.contacts()
                .filter(|k| k.erased().is_none() && k.merged_into().is_none())
                .map(|k| (k.id(), k.name().to_owned(), c.organisation().to_owned()))
        })
        .collect();
    People { agents, contacts }
}

async fn signin_page(State(state): State<AppState>, v: Visitor) -> Response {
    let Ok(p) = state.desk.read(|desk, _| people(desk)).await else {
        return unavailable(&v);
    };
    let body = html! {
        p.flash.refused {
            "Demo sign-in: pick anyone. This is not authentication — anyone who can reach this page can act as anyone. "
            "A real deployment puts its own sign-in (SSO, passwords, magic links) in front of the desk."
        }
        div.forms {
            div.box {
                h2 { "Support staff" }
                @if p.agents.is_empty() { p { "Nobody yet (the desk started empty)." } }
                @for (id, name, roles) in &p.agents {
                    form method="post" action="/signin" {
                        (csrf_field(&v))
                        input type="hidden" name="person" value=(format!("agent:{id}"));
                        button type="submit" { (name) } " " small { (roles) }
                    }
                }
            }
            div.box {
                h2 { "Customers" }
                @if p.contacts.is_empty() { p { "Nobody yet." } }
                @for (id, name, org) in &p.contacts {
                    form method="post" action="/signin" {
                        (csrf_field(&v))
                        input type="hidden" name="person" value=(format!("contact:{id}"));
                        button type="submit" { (name) } " " small { (org) }
                    }
                }
            }
        }
    };
    v.page(StatusCode::OK, layout("Sign in", &v, None, body))
}

async fn signin(
    State(state): State<AppState>,
    v: Visitor,
    axum::Form(form): axum::Form<HashMap<String, String>>,
) -> Response {
    if let Some(r) = v.refuse_csrf(&form) {
        return r;
    }
    let person = form.get("person").map_or("", String::as_str);
    let who = match person.split_once(':') {
        Some(("agent", id)) => id.parse().ok().map(Who::Agent),
        Some(("contact", id)) => id.parse().ok().map(Who::Contact),
        _ => None,
    };
    let known = match who {
        Some(w) => state
            .desk
            .read(move |desk, _| desk.may_act(&w.actor()).is_ok())
            .await
            .unwrap_or(false),
        None => false,
    };
    let Some(who) = who.filter(|_| known) else {
        return not_found(&v, "No such person to sign in as.");
    };
    // A new session id on sign-in, so an id planted before it is worth
    // nothing after.
    let sid = random_token();
    {
        let mut sessions = state.sessions();
        sessions.remove(&v.sid);
        sessions.insert(
            sid.clone(),
            Session {
                who: Some(who),
                csrf: random_token(),
                flash: None,
            },
        );
    }
    let mut r = see_other(match who {
        Who::Agent(_) => "/console",
        Who::Contact(_) => "/portal",
    });
    set_cookie(&mut r, &sid);
    r
}

async fn signout(
    State(state): State<AppState>,
    v: Visitor,
    axum::Form(form): axum::Form<HashMap<String, String>>,
) -> Response {
    if let Some(r) = v.refuse_csrf(&form) {
        return r;
    }
    state.sessions().remove(&v.sid);
    let mut r = see_other("/signin");
    // Expire the cookie.
    if let Ok(h) = HeaderValue::from_str(&format!(
        "{COOKIE_NAME}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax"
    )) {
        r.headers_mut().append(SET_COOKIE, h);
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csrf_tokens_match_only_themselves() {
        let token = random_token();
        assert_eq!(token.len(), 64);
        assert!(csrf_ok(&token, &token));
        assert!(!csrf_ok(&token, &random_token()));
        assert!(!csrf_ok(&token, &token[..63]));
        assert!(!csrf_ok(&token, ""));
        // An empty expected token (no randomness) matches nothing.
        assert!(!csrf_ok("", ""));
    }

    #[test]
    fn times_read_relative_to_now() {
        let now = DateTime::<Utc>::from_timestamp(1_800_000_000, 0).unwrap_or_default();
        assert!(when(now + chrono::Duration::minutes(5), now).ends_with("(in 5 min)"));
        assert!(when(now - chrono::Duration::hours(3), now).ends_with("(3 h ago)"));
        assert!(when(now, now).ends_with("(now)"));
    }
}
