//! Every page and action over HTTP, as a browser would use them: requests
//! to the router (`tower::ServiceExt::oneshot`, no socket) with a cookie
//! jar and the CSRF token of the last page, against a desk on a SQLite
//! file in a temporary folder, on a clock the test moves.

mod common;

use std::sync::Arc;

use axum::http::StatusCode;
use chrono::Duration;
use common::{App, Browser, TempDir, encode, option_value, ticket_link};
use helpdesk::{demo, web};

#[tokio::test]
async fn a_stranger_is_sent_to_sign_in_which_says_it_is_a_demo() {
    let app = App::new();
    let mut b = Browser {
        cookie: None,
        csrf: None,
    };
    let home = app.get(&mut b, "/").await;
    assert_eq!(home.status, StatusCode::SEE_OTHER);
    assert_eq!(home.location.as_deref(), Some("/signin"));
    assert!(b.cookie.as_deref().unwrap().starts_with(web::COOKIE_NAME));
    let signin = app.get(&mut b, "/signin").await;
    assert_eq!(signin.status, StatusCode::OK);
    assert!(signin.body.contains("not authentication"));
    for who in [
        "Ana (front line)",
        "Rob (VP Support)",
        "Jane Park",
        "Sam Ortiz",
    ] {
        assert!(signin.body.contains(who), "{who} is offered");
    }
    // Pages for people need someone signed in.
    for path in ["/console", "/portal", "/supervisor"] {
        let page = app.get(&mut b, path).await;
        assert_eq!(page.location.as_deref(), Some("/signin"), "{path}");
    }
    // Signing in as nobody the desk knows is refused.
    let bad = app
        .post(
            &mut b,
            "/signin",
            &[("person", "agent:00000000-0000-4000-8000-000000000000")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_console_shows_queues_with_counts_and_sla_clocks() {
    let app = App::new();
    let mut ana = app.sign_in("Ana (front line)").await;
    let page = app.get(&mut ana, "/console").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("New and open, by SLA deadline (3)"),
        "{}",
        page.body
    );
    assert!(page.body.contains("Mine (1)"));
    assert!(page.body.contains("first_response due"));
    // The outage, 40 minutes old on a 30-minute contract, is breached.
    assert!(page.body.contains("SLA breached (1)"));
    let breached = app.get(&mut ana, "/console?queue=breached").await;
    assert!(breached.body.contains("Checkout is down"));
    assert!(!breached.body.contains("How do I add a domain?"));
    let unknown = app.get(&mut ana, "/console?queue=nope").await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_agent_replies_notes_sets_status_and_assigns() {
    let app = App::new();
    let mut ana = app.sign_in("Ana (front line)").await;
    let queues = app.get(&mut ana, "/console").await;
    let ticket = ticket_link(&queues.body, "/console/tickets/", "Invoice charged twice");
    let page = app.get(&mut ana, &ticket).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("I was charged twice for November"));

    let replied = app
        .post(
            &mut ana,
            &format!("{ticket}/reply"),
            &[("body", "Refunded the second charge.")],
        )
        .await;
    assert_eq!(replied.status, StatusCode::SEE_OTHER);
    assert_eq!(replied.location.as_deref(), Some(ticket.as_str()));
    let page = app.get(&mut ana, &ticket).await;
    assert!(page.body.contains("Reply sent."));
    assert!(page.body.contains("Refunded the second charge."));
    // First response came in time.
    assert!(
        page.body.contains("<span class=\"met\">fulfilled</span>"),
        "{}",
        page.body
    );

    app.post(
        &mut ana,
        &format!("{ticket}/note"),
        &[("body", "Finance confirmed.")],
    )
    .await;
    let page = app.get(&mut ana, &ticket).await;
    assert!(page.body.contains("Note added."));
    assert!(page.body.contains("internal note"));
    assert!(page.body.contains("Finance confirmed."));

    let bea = option_value(&page.body, "Bea (billing)");
    app.post(&mut ana, &format!("{ticket}/assign"), &[("agent", &bea)])
        .await;
    let page = app.get(&mut ana, &ticket).await;
    assert!(page.body.contains("Assignment changed."), "{}", page.body);
    assert!(page.body.contains("assignee Bea (billing)"));

    app.post(
        &mut ana,
        &format!("{ticket}/status"),
        &[("status", "pending")],
    )
    .await;
    let page = app.get(&mut ana, &ticket).await;
    assert!(
        page.body.contains("Status set to pending."),
        "{}",
        page.body
    );
    assert!(page.body.contains("status <strong>pending</strong>"));

    // An unknown status or agent is a bad request, not a command.
    let bad = app
        .post(
            &mut ana,
            &format!("{ticket}/status"),
            &[("status", "exploded")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::NOT_FOUND);
    let bad = app
        .post(&mut ana, &format!("{ticket}/assign"), &[("agent", "x")])
        .await;
    assert_eq!(bad.status, StatusCode::NOT_FOUND);
    // A reply template fills the reply box.
    let templated = app
        .get(&mut ana, &format!("{ticket}?template=outage-apology"))
        .await;
    assert!(templated.body.contains("Sorry for the trouble, Sam Ortiz"));
}

#[tokio::test]
async fn a_refusal_shows_the_permission_missing_and_writes_nothing() {
    let app = App::new();
    let mut lee = app.sign_in("Lee (light agent)").await;
    let queues = app.get(&mut lee, "/console").await;
    let ticket = ticket_link(&queues.body, "/console/tickets/", "How do I add a domain?");
    let refused = app
        .post(
            &mut lee,
            &format!("{ticket}/reply"),
            &[("body", "Try the DNS tab.")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::SEE_OTHER);
    let page = app.get(&mut lee, &ticket).await;
    assert!(page.body.contains("Refused: "), "{}", page.body);
    assert!(page.body.contains("Permission missing: "));
    assert!(page.body.contains("reply_publicly"));
    assert!(!page.body.contains("Try the DNS tab."));
    // A light agent may write notes.
    app.post(
        &mut lee,
        &format!("{ticket}/note"),
        &[("body", "Looks like DNS.")],
    )
    .await;
    let page = app.get(&mut lee, &ticket).await;
    assert!(page.body.contains("Looks like DNS."));
}

#[tokio::test]
async fn every_post_needs_the_sessions_csrf_token() {
    let app = App::new();
    let mut ana = app.sign_in("Ana (front line)").await;
    let queues = app.get(&mut ana, "/console").await;
    let ticket = ticket_link(&queues.body, "/console/tickets/", "How do I add a domain?");
    let path = format!("{ticket}/reply");
    let none = app.post_raw(&mut ana, &path, &[("body", "no token")]).await;
    assert_eq!(none.status, StatusCode::FORBIDDEN);
    let wrong = app
        .post_raw(
            &mut ana,
            &path,
            &[("csrf", &"0".repeat(64)), ("body", "wrong token")],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    // Another session's token is no good here.
    let mut jane = app.sign_in("Jane Park").await;
    app.get(&mut jane, "/portal").await;
    let other = jane.csrf.clone().unwrap();
    let stolen = app
        .post_raw(
            &mut ana,
            &path,
            &[("csrf", &other), ("body", "stolen token")],
        )
        .await;
    assert_eq!(stolen.status, StatusCode::FORBIDDEN);
    // A forged sign-in from a browser with no session is refused too.
    let mut stranger = Browser {
        cookie: None,
        csrf: None,
    };
    let forged = app
        .post_raw(
            &mut stranger,
            "/signin",
            &[("csrf", &other), ("person", "x")],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let page = app.get(&mut ana, &ticket).await;
    for text in ["no token", "wrong token", "stolen token"] {
        assert!(!page.body.contains(text));
    }
    // Signing out needs the token as well, and ends the session.
    let out = app.post_raw(&mut ana, "/signout", &[]).await;
    assert_eq!(out.status, StatusCode::FORBIDDEN);
    app.get(&mut ana, "/console").await;
    let out = app.post(&mut ana, "/signout", &[]).await;
    assert_eq!(out.location.as_deref(), Some("/signin"));
    let after = app.get(&mut ana, "/console").await;
    assert_eq!(after.location.as_deref(), Some("/signin"));
}

#[tokio::test]
async fn customer_text_is_shown_as_text_everywhere() {
    let app = App::new();
    let mut jane = app.sign_in("Jane Park").await;
    let script = "<script>alert(1)</script>";
    let opened = app
        .post(
            &mut jane,
            "/portal/tickets",
            &[("subject", script), ("body", &format!("help {script}"))],
        )
        .await;
    assert_eq!(opened.status, StatusCode::SEE_OTHER);
    let portal_ticket = opened.location.unwrap();
    let escaped = "&lt;script&gt;alert(1)&lt;/script&gt;";
    for page in [
        app.get(&mut jane, "/portal").await,
        app.get(&mut jane, &portal_ticket).await,
    ] {
        assert!(!page.body.contains(script), "{}", page.body);
        assert!(page.body.contains(escaped));
    }
    let mut ana = app.sign_in("Ana (front line)").await;
    let queues = app.get(&mut ana, "/console").await;
    assert!(!queues.body.contains(script));
    assert!(queues.body.contains(escaped));
    let ticket = ticket_link(&queues.body, "/console/tickets/", escaped);
    let page = app.get(&mut ana, &ticket).await;
    assert!(!page.body.contains(script));
    assert!(page.body.contains(&format!("help {escaped}")));
    // The seeded "<b>" in Sarah's message is text too.
    let sarah = ticket_link(&queues.body, "/console/tickets/", "How do I add a domain?");
    let page = app.get(&mut ana, &sarah).await;
    assert!(page.body.contains("&lt;b&gt;sarahlee.art&lt;/b&gt;"));
}

#[tokio::test]
async fn the_story_a_customer_opens_a_ticket_an_agent_answers_the_customer_rates() {
    let app = App::new();
    let mut jane = app.sign_in("Jane Park").await;
    let opened = app
        .post(
            &mut jane,
            "/portal/tickets",
            &[
                ("subject", "Backups failing"),
                ("body", "Nightly backup job fails since Monday."),
            ],
        )
        .await;
    let mine = opened.location.unwrap();
    let page = app.get(&mut jane, &mine).await;
    assert!(page.body.contains("Ticket opened"));
    assert!(page.body.contains("Nightly backup job fails"));

    // The agent sees it in a queue with its SLA clock, notes and replies.
    app.advance(Duration::minutes(5)).await;
    let mut ana = app.sign_in("Ana (front line)").await;
    let queues = app.get(&mut ana, "/console").await;
    let ticket = ticket_link(&queues.body, "/console/tickets/", "Backups failing");
    let row = &queues.body[queues.body.find("Backups failing").unwrap()..];
    assert!(row[..row.find("</tr>").unwrap()].contains("first_response due"));
    app.post(
        &mut ana,
        &format!("{ticket}/note"),
        &[("body", "Internal: disk quota on the backup host.")],
    )
    .await;
    app.post(
        &mut ana,
        &format!("{ticket}/reply"),
        &[("body", "Fixed: the backup disk was full.")],
    )
    .await;
    let page = app.get(&mut ana, &ticket).await;
    assert!(page.body.contains("<span class=\"met\">fulfilled</span>"));

    // The reply went out through the outbox folder.
    let outbox = app.dir.0.join("outbox");
    let sent = std::fs::read_dir(&outbox)
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .any(|text| text.contains("Fixed: the backup disk was full."));
    assert!(sent, "the reply is a file in {}", outbox.display());

    // The customer sees the reply, never the note; another customer sees nothing.
    let page = app.get(&mut jane, &mine).await;
    assert!(page.body.contains("Fixed: the backup disk was full."));
    assert!(!page.body.contains("disk quota"));
    let mut sam = app.sign_in("Sam Ortiz").await;
    let theirs = app.get(&mut sam, &mine).await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND);
    assert!(!theirs.body.contains("Backups failing"));

    // The customer answers; the agent solves; a CSAT survey follows.
    app.post(
        &mut jane,
        &format!("{mine}/reply"),
        &[("body", "Works now, thanks!")],
    )
    .await;
    let page = app.get(&mut ana, &ticket).await;
    assert!(page.body.contains("Works now, thanks!"));
    // Solving needs an assignee: the refusal says so, and Ana takes it.
    app.post(
        &mut ana,
        &format!("{ticket}/status"),
        &[("status", "solved")],
    )
    .await;
    let page = app.get(&mut ana, &ticket).await;
    assert!(
        page.body.contains("cannot be solved without an assignee"),
        "{}",
        page.body
    );
    let me = option_value(&page.body, "Ana (front line)");
    app.post(&mut ana, &format!("{ticket}/assign"), &[("agent", &me)])
        .await;
    app.post(
        &mut ana,
        &format!("{ticket}/status"),
        &[("status", "solved")],
    )
    .await;
    let page = app.get(&mut ana, &ticket).await;
    assert!(page.body.contains("Status set to solved."), "{}", page.body);
    let portal = app.get(&mut jane, "/portal").await;
    let survey = ticket_link(&portal.body, "/portal/surveys/", "Answer the csat survey");
    let form = app.get(&mut jane, &survey).await;
    assert!(form.body.contains("How did we do?"));
    let answered = app
        .post(
            &mut jane,
            &survey,
            &[
                ("rating", "excellent"),
                ("comment", "Quick <b>and</b> kind"),
            ],
        )
        .await;
    assert_eq!(answered.location.as_deref(), Some("/portal"));
    let portal = app.get(&mut jane, "/portal").await;
    assert!(portal.body.contains("Thank you for your answers."));
    assert!(!portal.body.contains("Answer the csat survey"));
    let again = app.get(&mut jane, &survey).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn timers_fire_on_the_desk_loop_and_fill_the_breached_queue() {
    let app = App::new();
    let mut ana = app.sign_in("Ana (front line)").await;
    let before = app.get(&mut ana, "/console").await;
    assert!(before.body.contains("SLA breached (1)"));
    // Two hours on, every first response is late.
    app.advance(Duration::hours(2)).await;
    let after = app.get(&mut ana, "/console").await;
    assert!(after.body.contains("SLA breached (3)"), "{}", after.body);
    let sam = ticket_link(&after.body, "/console/tickets/", "Invoice charged twice");
    let page = app.get(&mut ana, &sam).await;
    assert!(page.body.contains("class=\"breached\""));
}

#[tokio::test]
async fn the_supervisor_page_is_for_supervisors_and_draws_its_graphs() {
    let app = App::new();
    let mut rob = app.sign_in("Rob (VP Support)").await;
    app.advance(Duration::minutes(1)).await;
    let page = app.get(&mut rob, "/supervisor").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("SLA attainment by channel and metric"));
    // The outage breached its first response on email.
    assert!(
        page.body.contains("<td>email</td><td>first_response</td>"),
        "{}",
        page.body
    );
    assert!(page.body.contains("Escalations"));
    // The outage was escalated on breach by the trigger, with its reason.
    assert!(
        page.body.contains("an SLA was breached: tier 2 takes over"),
        "{}",
        page.body
    );
    // The running incident and its timeline.
    assert!(page.body.contains("DFW1 load balancers degraded"));
    assert!(
        page.body.matches("<svg").count() >= 2,
        "both drawings are there"
    );
    let mut ana = app.sign_in("Ana (front line)").await;
    let refused = app.get(&mut ana, "/supervisor").await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(refused.body.contains("Permission missing: record_mistakes"));
}

#[tokio::test]
async fn the_status_page_is_public() {
    let app = App::new();
    let mut b = Browser {
        cookie: None,
        csrf: None,
    };
    let page = app.get(&mut b, "/status").await;
    assert_eq!(page.status, StatusCode::OK);
    // The running incident, in its public words only.
    assert!(
        page.body.contains("DFW1 load balancers degraded"),
        "{}",
        page.body
    );
    assert!(page.body.contains("we have found the cause"));
    assert!(!page.body.contains("firmware push"));
    let empty = App::on(Arc::new(TempDir::new()), true);
    let page = empty.get(&mut b, "/status").await;
    assert!(page.body.contains("All systems operational."));
}

#[tokio::test]
async fn a_restart_finds_the_same_desk_and_an_empty_desk_offers_nobody() {
    let dir = Arc::new(TempDir::new());
    let subject = "Still here after a restart";
    {
        let app = App::on(dir.clone(), false);
        let mut jane = app.sign_in("Jane Park").await;
        app.post(
            &mut jane,
            "/portal/tickets",
            &[("subject", subject), ("body", "x")],
        )
        .await;
    }
    let app = App::on(dir.clone(), false);
    let mut ana = app.sign_in("Ana (front line)").await;
    let page = app.get(&mut ana, "/console").await;
    assert!(page.body.contains(subject));
    // Seeded once: three demo tickets and Jane's.
    assert!(
        page.body.contains("New and open, by SLA deadline (4)"),
        "{}",
        page.body
    );

    let empty = App::on(Arc::new(TempDir::new()), true);
    let mut b = Browser {
        cookie: None,
        csrf: None,
    };
    let signin = empty.get(&mut b, "/signin").await;
    assert!(signin.body.contains("Nobody yet"));
}

/// The address of a macro's preview on `ticket`, as the ticket page links
/// it.
fn preview_link(body: &str, ticket: &str, name: &str) -> String {
    let href = format!("{ticket}/macro?name={}", encode(name));
    assert!(body.contains(&href), "no preview of {name:?} in {body}");
    href
}

#[tokio::test]
async fn the_ticket_page_offers_the_agents_macros_previews_and_applies_one() {
    let app = App::new();
    let mut ana = app.sign_in("Ana (front line)").await;
    let queues = app.get(&mut ana, "/console").await;
    let ticket = ticket_link(&queues.body, "/console/tickets/", "How do I add a domain?");
    let page = app.get(&mut ana, &ticket).await;
    // Ana is offered the macros for everyone, not tier 2's.
    assert!(page.body.contains(demo::MACRO_ASK));
    assert!(page.body.contains(demo::MACRO_TAKE));
    assert!(!page.body.contains(demo::MACRO_TIER2), "{}", page.body);

    // The preview shows the changes and the reply, and writes nothing.
    let href = preview_link(&page.body, &ticket, demo::MACRO_ASK);
    let preview = app.get(&mut ana, &href).await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    assert!(
        preview.body.contains("status open → pending"),
        "{}",
        preview.body
    );
    assert!(
        preview
            .body
            .contains("to Sarah Lee &lt;email:sarah@studio.example&gt;")
    );
    assert!(
        preview
            .body
            .contains("Hello Sarah Lee, to look into ticket")
    );
    let page = app.get(&mut ana, &ticket).await;
    assert!(page.body.contains("status <strong>new</strong>"));
    assert!(!page.body.contains("Hello Sarah Lee, to look into ticket"));

    // Applying it (from the preview's form, with its CSRF token) sends the
    // reply and sets the ticket pending.
    app.get(&mut ana, &href).await;
    let applied = app
        .post(
            &mut ana,
            &format!("{ticket}/macro"),
            &[("name", demo::MACRO_ASK)],
        )
        .await;
    assert_eq!(applied.status, StatusCode::SEE_OTHER);
    assert_eq!(applied.location.as_deref(), Some(ticket.as_str()));
    let page = app.get(&mut ana, &ticket).await;
    assert!(
        page.body
            .contains(&format!("Macro {} applied.", demo::MACRO_ASK)),
        "{}",
        page.body
    );
    assert!(page.body.contains("status <strong>pending</strong>"));
    assert!(page.body.contains("Hello Sarah Lee, to look into ticket"));
    // The reply went out through the outbox.
    app.advance(Duration::seconds(1)).await;
    let sent = std::fs::read_dir(app.dir.0.join("outbox"))
        .unwrap()
        .filter_map(Result::ok)
        .any(|f| {
            std::fs::read_to_string(f.path())
                .unwrap_or_default()
                .contains("Hello Sarah Lee, to look into ticket")
        });
    assert!(sent, "the macro's reply is a file in the outbox");

    // "Take it" assigns the ticket to whoever applies it.
    app.post(
        &mut ana,
        &format!("{ticket}/macro"),
        &[("name", demo::MACRO_TAKE)],
    )
    .await;
    let page = app.get(&mut ana, &ticket).await;
    assert!(
        page.body.contains("assignee Ana (front line)"),
        "{}",
        page.body
    );
    assert!(page.body.contains("status <strong>open</strong>"));
    // The ticket page shows its priority and its tags.
    assert!(page.body.contains("priority normal"), "{}", page.body);
}

#[tokio::test]
async fn a_team_macro_is_for_its_team_and_a_refused_macro_names_the_permission() {
    let app = App::new();
    // Mei is in tier 2: she is offered its macro, and it works.
    let mut mei = app.sign_in("Mei (front line, tier 2)").await;
    let queues = app.get(&mut mei, "/console").await;
    let ticket = ticket_link(&queues.body, "/console/tickets/", "Invoice charged twice");
    let page = app.get(&mut mei, &ticket).await;
    let href = preview_link(&page.body, &ticket, demo::MACRO_TIER2);
    let preview = app.get(&mut mei, &href).await;
    assert_eq!(preview.status, StatusCode::OK);
    assert!(
        preview.body.contains("tag engineering added"),
        "{}",
        preview.body
    );
    assert!(
        preview
            .body
            .contains("assigned to Mei (front line, tier 2)")
    );

    // Ana is not: the preview and the form are refused, writing nothing.
    let mut ana = app.sign_in("Ana (front line)").await;
    app.get(&mut ana, &ticket).await;
    let preview = app.get(&mut ana, &href).await;
    assert_eq!(preview.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(preview.body.contains("Refused: "), "{}", preview.body);
    app.post(
        &mut ana,
        &format!("{ticket}/macro"),
        &[("name", demo::MACRO_TIER2)],
    )
    .await;
    let page = app.get(&mut ana, &ticket).await;
    assert!(
        page.body.contains("is not offered to agent"),
        "{}",
        page.body
    );
    let id: fanatical::id::TicketId = ticket.rsplit('/').next().unwrap().parse().unwrap();
    let tags = app
        .desk
        .read(move |desk, _| desk.tickets().get(id).map(|t| t.tags().len()))
        .await
        .unwrap();
    assert_eq!(tags, Some(0), "a refused macro tags nothing");

    // Lee, a light agent, is offered the reply macro but may not reply:
    // the preview and the apply both name the permission missing.
    let mut lee = app.sign_in("Lee (light agent)").await;
    let page = app.get(&mut lee, &ticket).await;
    let href = preview_link(&page.body, &ticket, demo::MACRO_ASK);
    let preview = app.get(&mut lee, &href).await;
    assert_eq!(preview.status, StatusCode::FORBIDDEN);
    assert!(
        preview.body.contains("Permission missing: "),
        "{}",
        preview.body
    );
    assert!(preview.body.contains("reply_publicly"));
    app.post(
        &mut lee,
        &format!("{ticket}/macro"),
        &[("name", demo::MACRO_ASK)],
    )
    .await;
    let page = app.get(&mut lee, &ticket).await;
    assert!(page.body.contains("Permission missing: "), "{}", page.body);
    assert!(page.body.contains("reply_publicly"));
    assert!(page.body.contains("status <strong>new</strong>"));
    assert!(!page.body.contains("Hello Sam Ortiz, to look into ticket"));

    // Applying without the session's CSRF token is refused.
    let forged = app
        .post_raw(
            &mut lee,
            &format!("{ticket}/macro"),
            &[("name", demo::MACRO_TAKE)],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let page = app.get(&mut lee, &ticket).await;
    assert!(page.body.contains("assignee nobody"));
    // Mei applies tier 2's macro: urgent, tagged, hers.
    app.get(&mut mei, &ticket).await;
    app.post(
        &mut mei,
        &format!("{ticket}/macro"),
        &[("name", demo::MACRO_TIER2)],
    )
    .await;
    let page = app.get(&mut mei, &ticket).await;
    assert!(page.body.contains("priority urgent"), "{}", page.body);
    assert!(page.body.contains("tags engineering"));
    assert!(page.body.contains("assignee Mei (front line, tier 2)"));
}
