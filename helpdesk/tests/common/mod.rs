//! What the HTTP-level tests share: the service on a temporary folder and
//! a clock the test holds, driven through the router
//! (`tower::ServiceExt::oneshot`, no socket) by a "browser" with a cookie
//! jar and the CSRF token of the last page.

#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::{DateTime, Duration, TimeZone, Utc};
use helpdesk::desk_loop::{Clock, DeskHandle};
use helpdesk::{Options, start_desk, web};
use http_body_util::BodyExt;
use tower::ServiceExt;

/// A temporary data folder, removed when dropped.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new() -> Self {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "helpdesk-test-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The service on a temporary folder and a clock the test holds.
pub struct App {
    pub router: Router,
    pub desk: DeskHandle,
    pub time: Arc<Mutex<DateTime<Utc>>>,
    pub dir: Arc<TempDir>,
}

/// One browser: its cookie and the CSRF token of the last page it saw.
pub struct Browser {
    pub cookie: Option<String>,
    pub csrf: Option<String>,
}

/// A response, read.
pub struct Page {
    pub status: StatusCode,
    pub location: Option<String>,
    pub body: String,
}

pub fn start_at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 15, 0, 0).unwrap()
}

impl App {
    pub fn new() -> Self {
        Self::on(Arc::new(TempDir::new()), false)
    }

    pub fn on(dir: Arc<TempDir>, empty: bool) -> Self {
        let options = Options {
            data: dir.0.clone(),
            empty,
            ..Options::default()
        };
        Self::with_options(dir, options)
    }

    /// The service as `options` say (its data folder `dir`).
    pub fn with_options(dir: Arc<TempDir>, options: Options) -> Self {
        let time = Arc::new(Mutex::new(start_at()));
        let t = time.clone();
        let clock: Clock = Arc::new(move || *t.lock().unwrap());
        let desk = start_desk(&options, clock).unwrap();
        let router = web::router(web::AppState::new(desk.clone()).unwrap());
        App {
            router,
            desk,
            time,
            dir,
        }
    }

    /// Moves the clock and lets the desk run what fell due.
    pub async fn advance(&self, by: Duration) {
        *self.time.lock().unwrap() += by;
        self.desk.tick().await.unwrap();
    }

    pub async fn send(&self, b: &mut Browser, request: Request<Body>) -> Page {
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let location = response
            .headers()
            .get(header::LOCATION)
            .map(|v| v.to_str().unwrap().to_owned());
        for v in response.headers().get_all(header::SET_COOKIE) {
            let pair = v.to_str().unwrap().split(';').next().unwrap().to_owned();
            b.cookie = Some(pair);
        }
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let body = String::from_utf8(bytes.to_vec()).unwrap();
        if let Some(token) = between(&body, "name=\"csrf\" value=\"", "\"") {
            b.csrf = Some(token.to_owned());
        }
        Page {
            status,
            location,
            body,
        }
    }

    pub async fn get(&self, b: &mut Browser, path: &str) -> Page {
        let mut r = Request::get(path);
        if let Some(c) = &b.cookie {
            r = r.header(header::COOKIE, c);
        }
        self.send(b, r.body(Body::empty()).unwrap()).await
    }

    /// Posts a form with the browser's CSRF token.
    pub async fn post(&self, b: &mut Browser, path: &str, fields: &[(&str, &str)]) -> Page {
        let csrf = b.csrf.clone().unwrap_or_default();
        let mut all: Vec<(&str, &str)> = vec![("csrf", &csrf)];
        all.extend_from_slice(fields);
        self.post_raw(b, path, &all).await
    }

    /// Posts a form exactly as given.
    pub async fn post_raw(&self, b: &mut Browser, path: &str, fields: &[(&str, &str)]) -> Page {
        let body = fields
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let mut r =
            Request::post(path).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(c) = &b.cookie {
            r = r.header(header::COOKIE, c);
        }
        self.send(b, r.body(Body::from(body)).unwrap()).await
    }

    /// A new browser signed in as the person whose button reads `name`.
    pub async fn sign_in(&self, name: &str) -> Browser {
        let mut b = Browser {
            cookie: None,
            csrf: None,
        };
        let page = self.get(&mut b, "/signin").await;
        let button = format!("\"><button type=\"submit\">{name}");
        let end = page
            .body
            .find(&button)
            .unwrap_or_else(|| panic!("no {name} to sign in as"));
        let start = page.body[..end].rfind("value=\"").unwrap() + "value=\"".len();
        let person = page.body[start..end].to_owned();
        let signed = self.post(&mut b, "/signin", &[("person", &person)]).await;
        assert_eq!(signed.status, StatusCode::SEE_OTHER, "{}", signed.body);
        // Follow the redirect, as a browser does: the new session's first
        // page carries its CSRF token.
        let home = signed.location.unwrap();
        assert_eq!(self.get(&mut b, &home).await.status, StatusCode::OK);
        b
    }
}

pub fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            b' ' => "+".to_owned(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub fn between<'a>(s: &'a str, from: &str, to: &str) -> Option<&'a str> {
    let start = s.find(from)? + from.len();
    let len = s[start..].find(to)?;
    Some(&s[start..start + len])
}

/// The value of the option whose text is `text`.
pub fn option_value(body: &str, text: &str) -> String {
    let end = body.find(&format!(">{text}</option>")).unwrap();
    let start = body[..end].rfind("value=\"").unwrap() + "value=\"".len();
    body[start..].split('"').next().unwrap().to_owned()
}

/// The address of the first link to a ticket whose text is `subject`.
pub fn ticket_link(body: &str, prefix: &str, subject: &str) -> String {
    let end = body
        .find(&format!("\">{subject}</a>"))
        .unwrap_or_else(|| panic!("no link to {subject:?} in {body}"));
    let start = body[..end].rfind(&format!("href=\"{prefix}")).unwrap() + "href=\"".len();
    body[start..end].to_owned()
}
