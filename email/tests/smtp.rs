//! End to end against a real SMTP server (`.ci/smtp.sh` starts one: it
//! stores what it accepts in a Maildir): a customer's mail opens a ticket
//! through the desk, the agent's reply goes out through the server with
//! its attachment and threading headers, is read back from the mailbox,
//! and the customer's answer continues the same ticket.
//!
//! Needs FANATICAL_SMTP_ADDR (host:port) and FANATICAL_SMTP_MAILDIR;
//! without them the tests say they were skipped, or fail when
//! FANATICAL_REQUIRE_SMTP=1 (as in CI).

mod common {
    pub mod maildir;
}

use std::path::PathBuf;

use chrono::{Duration, TimeZone, Utc};
use fanatical::actor::Actor;
use fanatical::agent::Role;
use fanatical::channel::{Channel, ChannelAddress};
use fanatical::customer::CustomerCommand;
use fanatical::desk::{Command, CustomerAction, Desk, DeskConfig, PeopleAction, TicketAction};
use fanatical::id::{AgentId, ContactId, CustomerId, IdGenerator, TicketId};
use fanatical::outbox::{OutboxAction, Recipient};
use fanatical::store::MemoryStore;
use fanatical::ticket::{Attachment, Author, MediaType};
use fanatical::transport::{Delivery, Transport, TransportError};
use fanatical_email::blobs::Blobs;
use fanatical_email::inbound::{ThreadMatch, ThreadedBy};
use fanatical_email::outbound::{SmtpRelay, SmtpTransport};
use fanatical_email::thread::own_message_id;
use fanatical_email::{Brand, MailConfig, MemoryBlobs, Outcome, Threads, parse};
use mail_parser::{MessageParser, MimeHeaders};

use common::maildir::Maildir;

struct Server {
    host: String,
    port: u16,
    maildir: PathBuf,
}

fn server() -> Option<Server> {
    let addr = std::env::var("FANATICAL_SMTP_ADDR").ok();
    let maildir = std::env::var("FANATICAL_SMTP_MAILDIR").ok();
    match (addr, maildir) {
        (Some(addr), Some(maildir)) => {
            let (host, port) = addr
                .rsplit_once(':')
                .expect("FANATICAL_SMTP_ADDR is host:port");
            Some(Server {
                host: host.to_owned(),
                port: port.parse().expect("a port number"),
                maildir: maildir.into(),
            })
        }
        _ if std::env::var("FANATICAL_REQUIRE_SMTP").is_ok_and(|v| v == "1") => {
            panic!(
                "FANATICAL_REQUIRE_SMTP=1 but FANATICAL_SMTP_ADDR/FANATICAL_SMTP_MAILDIR are not set"
            )
        }
        _ => {
            eprintln!(
                "SKIPPED: no SMTP server (set FANATICAL_SMTP_ADDR and FANATICAL_SMTP_MAILDIR, \
                 or run `source .ci/smtp.sh && smtp_start`)"
            );
            None
        }
    }
}

struct Desked {
    desk: Desk,
    store: MemoryStore,
    ids: IdGenerator,
    jane: ContactId,
    ana: AgentId,
}

fn desk(now: chrono::DateTime<Utc>) -> Desked {
    let (mut ids, mut store) = (IdGenerator::from_seed(21), MemoryStore::new());
    let mut desk = Desk::new(DeskConfig::default());
    let (customer, jane, ana): (CustomerId, ContactId, AgentId) =
        (ids.next_id(), ids.next_id(), ids.next_id());
    let setup = Actor::integration("setup");
    for cmd in [
        Command::new(
            setup.clone(),
            CustomerAction::Register {
                id: customer,
                organisation: "Customer Ltd".into(),
            },
        ),
        Command::new(
            setup.clone(),
            CustomerAction::Update {
                customer,
                command: CustomerCommand::AddContact {
                    contact: jane,
                    name: "Jane Doe".into(),
                    addresses: vec![
                        ChannelAddress::email("jane@customer.example").unwrap(),
                        ChannelAddress::Chat("jane-chat".into()),
                    ],
                },
            },
        ),
        Command::new(
            setup,
            PeopleAction::RegisterAgent {
                id: ana,
                name: "Ana".into(),
                time_zone: chrono_tz::Europe::London,
                roles: vec![Role::Agent],
                skills: vec![],
            },
        ),
    ] {
        desk.execute(&mut store, cmd, now).unwrap();
    }
    Desked {
        desk,
        store,
        ids,
        jane,
        ana,
    }
}

const GIF: &[u8] = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;";

#[test]
fn a_mail_opens_a_ticket_the_reply_goes_out_threaded_and_the_answer_continues_it() {
    let Some(server) = server() else { return };
    // What an earlier run against the same server left is not ours.
    let maildir = Maildir::since_now(&server.maildir);
    let t0 = Utc.with_ymd_and_hms(2026, 11, 30, 9, 0, 0).unwrap();
    let Desked {
        mut desk,
        mut store,
        mut ids,
        jane,
        ana,
    } = desk(t0);
    let config = MailConfig::new(
        "desk.acme.example",
        Brand::new("Acme Support", "support@acme.example").unwrap(),
    )
    .unwrap();
    let mut smtp = SmtpTransport::new(
        config.clone(),
        SmtpRelay::plain(&server.host, server.port),
        Threads::new(),
        MemoryBlobs::new(),
    )
    .unwrap();

    // 1. Jane's mail opens a ticket, with her log file and the original.
    let first = b"From: Jane Doe <Jane@Customer.example>\r\n\
To: Acme Support <support@acme.example>\r\n\
Subject: Site down\r\n\
Message-ID: <first-1@customer.example>\r\n\
Date: Mon, 30 Nov 2026 09:00:00 +0000\r\n\
MIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n\
--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
Our site is down since 08:45.\r\n\r\n-- \r\nJane Doe, Customer Ltd\r\n\
--b\r\nContent-Type: text/plain; name=\"error.log\"\r\nContent-Disposition: attachment; filename=\"error.log\"\r\n\r\n\
502 Bad Gateway\r\n--b--\r\n";
    let Outcome::Message(mail) = parse(first, smtp.config(), smtp.threads()) else {
        panic!("a message")
    };
    assert_eq!(mail.thread, None);
    let new_ticket: TicketId = ids.next_id();
    let receive = mail.receive_command(new_ticket, smtp.blobs_mut()).unwrap();
    desk.execute(&mut store, receive, t0).unwrap();
    smtp.threads_mut().record(new_ticket, &mail);
    // Her mail system delivers the same mail again: still one ticket.
    let Outcome::Message(again) = parse(first, smtp.config(), smtp.threads()) else {
        panic!("a message")
    };
    let not_opened: TicketId = ids.next_id();
    let command = again.receive_command(not_opened, smtp.blobs_mut()).unwrap();
    let err = desk.execute(&mut store, command, t0).unwrap_err();
    assert!(again.is_redelivery(&err), "{err}");
    assert!(desk.tickets().get(not_opened).is_none());
    let ticket = desk
        .tickets()
        .get(new_ticket)
        .expect("the mail opened a ticket");
    assert_eq!(ticket.subject(), "Site down");
    let opening = &ticket.conversation()[0];
    assert_eq!(opening.author, Author::Contact(jane));
    assert_eq!(opening.body, "Our site is down since 08:45.");
    assert_eq!(
        opening
            .attachments
            .iter()
            .map(|a| (a.file_name.as_str(), a.media_type.as_str()))
            .collect::<Vec<_>>(),
        vec![
            ("error.log", "text/plain"),
            ("original.eml", "message/rfc822")
        ]
    );

    // 2. Ana answers with a GIF.
    let t1 = t0 + Duration::minutes(20);
    let gif_type = MediaType::new("image/gif").unwrap();
    let key = smtp
        .blobs_mut()
        .put("high-five.gif", &gif_type, GIF)
        .unwrap();
    let gif = Attachment::new("high-five.gif", "image/gif", GIF.len() as u64)
        .unwrap()
        .stored_at(key);
    desk.execute(
        &mut store,
        Command::new(Actor::Agent(ana), TicketAction::assign(new_ticket, ana)),
        t1,
    )
    .unwrap();
    desk.execute(
        &mut store,
        Command::new(
            Actor::Agent(ana),
            TicketAction::Reply {
                ticket: new_ticket,
                body: "Hi Jane,\n\nthe gateway is fixed & the site is back.\n\nAna".into(),
                attachments: vec![gif],
            },
        ),
        t1,
    )
    .unwrap();

    // 3. The outbox goes out through the server: Jane's reply by email.
    let mut sent = Vec::new();
    while let Some(m) = desk.poll_outbound(t1) {
        let ack = match smtp.deliver(&m) {
            Ok(Delivery::Delivered) => {
                sent.push(m.clone());
                OutboxAction::MarkDelivered { message: m.id }
            }
            Ok(Delivery::Duplicate) => OutboxAction::MarkDelivered { message: m.id },
            Err(TransportError::Rejected { reason, .. }) => {
                // Not for email (a page to an agent): another transport's.
                assert!(
                    !matches!(m.recipient, Recipient::Contact { .. }),
                    "{reason}"
                );
                OutboxAction::MarkFailed {
                    message: m.id,
                    reason,
                }
            }
            Err(e) => panic!("delivery failed: {e}"),
        };
        desk.execute(
            &mut store,
            Command::new(Actor::integration("smtp"), ack),
            t1,
        )
        .unwrap();
    }
    let [reply] = sent.as_slice() else {
        panic!("one email: {sent:?}")
    };
    assert_eq!(reply.ticket, Some(new_ticket));
    // A retry of the same message is a duplicate: nothing is sent again.
    assert_eq!(smtp.deliver(reply).unwrap(), Delivery::Duplicate);

    // 4. Read back from the server's mailbox.
    let message_id = own_message_id(reply.id, Some(new_ticket), "desk.acme.example");
    let stored = maildir.mails_with(&message_id);
    let [raw] = stored.as_slice() else {
        panic!("one mail with {message_id}: {}", stored.len())
    };
    let m = MessageParser::default().parse(raw).unwrap();
    assert_eq!(m.message_id(), Some(message_id.as_str()));
    let token = format!("[#{}]", new_ticket.as_uuid().simple());
    assert_eq!(m.subject(), Some(format!("Re: Site down {token}").as_str()));
    let from = m.from().unwrap().first().unwrap();
    assert_eq!(
        (from.name(), from.address()),
        (Some("Acme Support"), Some("support@acme.example"))
    );
    let reply_to = m.reply_to().unwrap().first().unwrap();
    assert_eq!(
        reply_to.address(),
        Some(format!("support+t{}@acme.example", new_ticket.as_uuid().simple()).as_str())
    );
    assert_eq!(
        m.to().unwrap().first().unwrap().address(),
        Some("jane@customer.example")
    );
    assert_eq!(
        m.in_reply_to().as_text(),
        Some("first-1@customer.example"),
        "In-Reply-To points at Jane's mail"
    );
    assert_eq!(m.references().as_text(), Some("first-1@customer.example"));
    assert_eq!(
        m.header_raw("X-Fanatical-Desk").map(str::trim),
        Some("desk.acme.example")
    );
    assert_eq!(
        m.body_text(0)
            .as_deref()
            .map(|t| t.replace("\r\n", "\n"))
            .as_deref(),
        Some("Hi Jane,\n\nthe gateway is fixed & the site is back.\n\nAna")
    );
    assert!(
        m.body_html(0)
            .unwrap()
            .contains("<p>the gateway is fixed &amp; the site is back.</p>")
    );
    let files: Vec<_> = m
        .attachments()
        .map(|a| {
            (
                a.attachment_name().map(str::to_owned),
                a.content_type()
                    .map(|c| format!("{}/{}", c.ctype(), c.subtype().unwrap_or(""))),
                a.contents().to_vec(),
            )
        })
        .collect();
    assert_eq!(
        files,
        vec![(
            Some("high-five.gif".to_owned()),
            Some("image/gif".to_owned()),
            GIF.to_vec()
        )]
    );
    // The desk's own mail, if it came back, is recognised as such.
    assert!(matches!(
        parse(raw, smtp.config(), smtp.threads()),
        Outcome::OwnMail(_)
    ));

    // 5. Jane answers from her mail client: the same ticket.
    let t2 = t1 + Duration::minutes(30);
    let answer = format!(
        "From: Jane Doe <jane@customer.example>\r\n\
To: Acme Support <support+t{simple}@acme.example>\r\n\
Subject: Re: Site down {token}\r\n\
Message-ID: <answer-2@customer.example>\r\n\
In-Reply-To: <{message_id}>\r\n\
References: <first-1@customer.example> <{message_id}>\r\n\
Content-Type: text/plain; charset=utf-8\r\n\r\n\
Confirmed, all good now. Thanks!\r\n\r\n\
On Mon, 30 Nov 2026 at 09:20, Acme Support <support@acme.example> wrote:\r\n\
> Hi Jane,\r\n> the gateway is fixed & the site is back.\r\n",
        simple = new_ticket.as_uuid().simple()
    );
    let Outcome::Message(mail) = parse(answer.as_bytes(), smtp.config(), smtp.threads()) else {
        panic!("a message")
    };
    assert_eq!(
        mail.thread,
        Some(ThreadMatch {
            ticket: new_ticket,
            by: ThreadedBy::OwnMessage(message_id.clone())
        })
    );
    let unused: TicketId = ids.next_id();
    let receive = mail.receive_command(unused, smtp.blobs_mut()).unwrap();
    desk.execute(&mut store, receive, t2).unwrap();
    smtp.threads_mut().record(new_ticket, &mail);
    assert!(desk.tickets().get(unused).is_none(), "no second ticket");
    let conversation = desk.tickets().get(new_ticket).unwrap().conversation();
    assert_eq!(conversation.len(), 3);
    let last = &conversation[2];
    assert_eq!(
        (&last.author, last.channel.clone(), last.body.as_str()),
        (
            &Author::Contact(jane),
            Channel::Email,
            "Confirmed, all good now. Thanks!"
        )
    );
    assert_eq!(
        smtp.threads().thread(new_ticket).unwrap().message_ids,
        vec![
            "first-1@customer.example".to_owned(),
            "answer-2@customer.example".to_owned()
        ]
    );

    // 6. Jane's mailbox is closed: the bounce of the next reply marks her
    // address undeliverable, and the desk falls back to her chat.
    let t3 = t2 + Duration::hours(2);
    let dsn = format!(
        "From: MAILER-DAEMON@mx.customer.example (Mail Delivery System)\r\n\
To: support@acme.example\r\n\
Subject: Undelivered Mail Returned to Sender\r\n\
Auto-Submitted: auto-replied\r\n\
MIME-Version: 1.0\r\n\
Content-Type: multipart/report; report-type=delivery-status; boundary=\"r\"\r\n\r\n\
--r\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n\
--r\r\nContent-Type: message/delivery-status\r\n\r\n\
Reporting-MTA: dns; mx.customer.example\r\n\r\n\
Final-Recipient: rfc822; jane@customer.example\r\nAction: failed\r\nStatus: 5.2.1\r\n\
Diagnostic-Code: smtp; 550 5.2.1 mailbox disabled\r\n\r\n\
--r\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: <{message_id}>\r\n\r\n--r--\r\n"
    );
    let Outcome::Bounce(bounce) = parse(dsn.as_bytes(), smtp.config(), smtp.threads()) else {
        panic!("a bounce")
    };
    assert_eq!(bounce.original.and_then(|o| o.ticket), Some(new_ticket));
    let commands = bounce.undeliverable_commands(&desk);
    assert_eq!(commands.len(), 1);
    for cmd in commands {
        desk.execute(&mut store, cmd, t3).unwrap();
    }
    let jane_email = ChannelAddress::email("jane@customer.example").unwrap();
    let customer = desk.customers().find_contact(&jane_email).unwrap().customer;
    let contact = desk
        .customers()
        .get(customer)
        .unwrap()
        .contact(jane)
        .unwrap();
    assert!(!contact.is_deliverable(&jane_email));
    desk.execute(
        &mut store,
        Command::reply(new_ticket, ana, "Is there another address we can use?"),
        t3,
    )
    .unwrap();
    let next = desk.poll_outbound(t3).expect("the reply is queued");
    assert_eq!(
        (next.channel, next.recipient),
        (
            Channel::Chat,
            Recipient::Contact {
                contact: jane,
                address: ChannelAddress::Chat("jane-chat".into())
            }
        )
    );
}

#[test]
fn a_server_that_is_not_there_is_worth_retrying() {
    // No server needed: a closed port on localhost.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let config = MailConfig::new(
        "desk.acme.example",
        Brand::new("Acme Support", "support@acme.example").unwrap(),
    )
    .unwrap();
    let mut smtp = SmtpTransport::new(
        config,
        SmtpRelay::plain("127.0.0.1", port),
        Threads::new(),
        MemoryBlobs::new(),
    )
    .unwrap();
    let message = fanatical::outbox::OutboundMessage {
        id: fanatical::id::MessageId::from_uuid(uuid::Uuid::from_u128(5)),
        channel: Channel::Email,
        recipient: Recipient::Contact {
            contact: ContactId::from_uuid(uuid::Uuid::from_u128(6)),
            address: ChannelAddress::email("jane@customer.example").unwrap(),
        },
        body: "Hello".into(),
        ticket: None,
        queued_at: Utc.with_ymd_and_hms(2026, 11, 30, 9, 0, 0).unwrap(),
        deliver_after: None,
        attachments: vec![],
        automatic: false,
    };
    assert!(matches!(
        smtp.deliver(&message),
        Err(TransportError::Unavailable { id, .. }) if id == message.id
    ));
}

fn hello(n: u128) -> fanatical::outbox::OutboundMessage {
    fanatical::outbox::OutboundMessage {
        id: fanatical::id::MessageId::from_uuid(uuid::Uuid::from_u128(n)),
        channel: Channel::Email,
        recipient: Recipient::Contact {
            contact: ContactId::from_uuid(uuid::Uuid::from_u128(6)),
            address: ChannelAddress::email("jane@customer.example").unwrap(),
        },
        body: "Hello".into(),
        ticket: None,
        queued_at: Utc.with_ymd_and_hms(2026, 11, 30, 9, 0, 0).unwrap(),
        deliver_after: None,
        attachments: vec![],
        automatic: false,
    }
}

/// The test server speaks plain SMTP only (no STARTTLS, no AUTH): the
/// plain path is what the tests above cover. Here, the settings reach
/// lettre: a relay that must upgrade to TLS, or must log in, sends
/// nothing to a server that offers neither.
#[test]
fn required_tls_or_login_sends_nothing_to_a_server_without_them() {
    use fanatical_email::outbound::{Security, SmtpCredentials};
    let Some(server) = server() else { return };
    let maildir = Maildir::since_now(&server.maildir);
    let config = MailConfig::new(
        "desk.acme.example",
        Brand::new("Acme Support", "support@acme.example").unwrap(),
    )
    .unwrap();
    let plain = || SmtpRelay::plain(&server.host, server.port);
    let mut relays = vec![(
        plain().with_credentials(SmtpCredentials::new("desk", "secret")),
        91,
    )];
    if cfg!(feature = "tls") {
        relays.push((plain().with_security(Security::StartTls), 92));
    }
    for (relay, n) in relays {
        let mut smtp =
            SmtpTransport::new(config.clone(), relay, Threads::new(), MemoryBlobs::new()).unwrap();
        let message = hello(n);
        // The relay's refusal, not the recipient's: the mail waits (and
        // is retried), never given up as undeliverable.
        let refused = smtp.deliver(&message);
        assert!(
            matches!(
                refused,
                Err(fanatical::transport::TransportError::Unavailable { .. })
            ),
            "{n}: {refused:?}"
        );
        let id = own_message_id(message.id, None, "desk.acme.example");
        assert!(maildir.mails_with(&id).is_empty(), "{n}: sent in the clear");
    }
    // The same message on the plain relay arrives.
    let mut smtp = SmtpTransport::new(config, plain(), Threads::new(), MemoryBlobs::new()).unwrap();
    smtp.deliver(&hello(91)).unwrap();
    let id = own_message_id(hello(91).id, None, "desk.acme.example");
    assert_eq!(maildir.mails_with(&id).len(), 1);
}
