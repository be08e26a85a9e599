//! The corpus: real-world shapes of inbound mail (tests/corpus/*.eml) and
//! exactly what each parses to.

use chrono::{TimeZone, Utc};
use fanatical::channel::{Channel, ChannelAddress};
use fanatical::desk::InboundMessage;
use fanatical::id::{MessageId, TicketId};
use fanatical::ticket::{Attachment, AttachmentRef};
use fanatical_email::inbound::{
    AutoReply, AutoReplyReason, BodySource, FailedRecipient, MailFile, OwnMail, Refused,
    RefusedReason, ThreadMatch, ThreadedBy,
};
use fanatical_email::thread::OwnMessageId;
use fanatical_email::{Brand, InboundMail, MailConfig, MemoryBlobs, Outcome, Threads, parse};

const TICKET: u128 = 0x1111_2222_3333_4444_5555_6666_7777_8888;
const OWN: &str =
    "aaaabbbbccccddddeeeeffff00001111.11112222333344445555666677778888@desk.acme.example";

fn ticket() -> TicketId {
    TicketId::from_uuid(uuid::Uuid::from_u128(TICKET))
}

fn config() -> MailConfig {
    MailConfig::new(
        "desk.acme.example",
        Brand::new("Acme Support", "support@acme.example").unwrap(),
    )
    .unwrap()
    .with_brand(Brand::new("Acme Billing", "billing@acme.example").unwrap())
}

fn raw(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/corpus/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn mail(name: &str, threads: &Threads) -> InboundMail {
    match parse(&raw(name), &config(), threads) {
        Outcome::Message(m) => {
            assert_eq!(m.raw, raw(name), "the raw mail is kept byte for byte");
            *m
        }
        other => panic!("{name}: expected a message, got {other:?}"),
    }
}

fn email(a: &str) -> ChannelAddress {
    ChannelAddress::email(a).unwrap()
}

#[test]
fn gmail_reply_threads_by_our_message_id_and_keeps_its_gif() {
    let m = mail("gmail_reply.eml", &Threads::new());
    assert_eq!(m.from, email("jane.doe@gmail.example"));
    assert_eq!(m.from_name.as_deref(), Some("Jane Doe"));
    assert_eq!(
        m.message_id.as_deref(),
        Some("CAJx8b9vE2+Qm5Q@mail.gmail.example")
    );
    assert_eq!(m.in_reply_to, vec![OWN.to_owned()]);
    assert_eq!(m.references, vec![OWN.to_owned()]);
    assert_eq!(m.subject.as_deref(), Some("Re: Site down"));
    assert_eq!(m.mailbox.as_deref(), Some("support@acme.example"));
    assert_eq!(
        m.thread,
        Some(ThreadMatch {
            ticket: ticket(),
            by: ThreadedBy::OwnMessage(OWN.into())
        })
    );
    assert_eq!(
        m.body,
        "Thanks, restarting fixed it — the site is back.\nScreenshot attached.\n\nJane"
    );
    assert!(
        m.full_text
            .contains("> Hi Jane, please restart the web server.")
    );
    assert_eq!(m.body_source, BodySource::Text);
    assert_eq!(m.attachments.len(), 1);
    let gif = &m.attachments[0];
    assert_eq!(
        (
            gif.file_name.as_str(),
            gif.media_type.as_str(),
            gif.bytes.len(),
            gif.inline
        ),
        ("high-five.gif", "image/gif", 43, false)
    );
    assert_eq!(&gif.bytes[..6], b"GIF89a");
    assert_eq!(
        m.date,
        Some(Utc.with_ymd_and_hms(2026, 11, 30, 10, 15, 2).unwrap())
    );
}

#[test]
fn outlook_reply_in_windows_1252_threads_by_reply_address() {
    let m = mail("outlook_reply.eml", &Threads::new());
    assert_eq!(m.from, email("pierre@bistro.example"));
    assert_eq!(m.subject.as_deref(), Some("RE: Site down"));
    assert_eq!(
        m.thread,
        Some(ThreadMatch {
            ticket: ticket(),
            by: ThreadedBy::ReplyAddress(
                "support+t11112222333344445555666677778888@acme.example".into()
            )
        })
    );
    assert_eq!(
        m.body,
        "Hi,\n\nStill broken after the restart – the café page shows “Error 500”.\n\nRegards,\nPierre"
    );
    assert!(
        m.full_text
            .ends_with("Hi Pierre, please restart the web server.")
    );
}

#[test]
fn apple_mail_reply_continues_the_ticket_its_first_mail_opened() {
    let mut threads = Threads::new();
    // The customer's first mail opened the ticket before anyone answered.
    let first = b"From: Ken Sato <ken@sato.example>\r\nTo: billing@acme.example\r\n\
Subject: Billing question\r\nMessage-ID: <FIRST-1234@sato.example>\r\n\r\nWhy was I charged twice this month?\r\n";
    let Outcome::Message(first) = parse(first, &config(), &threads) else {
        panic!("first mail")
    };
    assert_eq!(first.thread, None);
    threads.record(ticket(), &first);

    let m = mail("apple_mail_reply.eml", &threads);
    assert_eq!(
        m.thread,
        Some(ThreadMatch {
            ticket: ticket(),
            by: ThreadedBy::Recorded("FIRST-1234@sato.example".into())
        })
    );
    assert_eq!(m.body, "One more thing: the invoice number is 4711.");
    assert_eq!(m.mailbox.as_deref(), Some("billing@acme.example"));
    threads.record(ticket(), &m);
    let thread = threads.thread(ticket()).unwrap();
    assert_eq!(thread.subject.as_deref(), Some("Billing question"));
    assert_eq!(thread.mailbox.as_deref(), Some("billing@acme.example"));
    assert_eq!(
        thread.message_ids,
        vec![
            "FIRST-1234@sato.example".to_owned(),
            "5C2E9A0B-1111-2222-3333-444455556666@sato.example".to_owned()
        ]
    );
}

#[test]
fn thunderbird_bottom_post_threads_by_subject_token() {
    let m = mail("thunderbird_bottom_post.eml", &Threads::new());
    assert_eq!(
        m.thread,
        Some(ThreadMatch {
            ticket: ticket(),
            by: ThreadedBy::SubjectToken
        })
    );
    assert_eq!(m.subject.as_deref(), Some("Re: Site down"));
    assert_eq!(m.body, "Yes, it is up again. Thank you!");
}

#[test]
fn a_forward_is_kept_whole() {
    let m = mail("gmail_forward.eml", &Threads::new());
    assert_eq!(m.thread, None);
    assert_eq!(m.subject.as_deref(), Some("Fwd: Invoice 1234"));
    assert_eq!(
        m.body,
        "Can you check this? The amount looks wrong.\n\n---------- Forwarded message ---------\n\
From: Acme Billing <billing@acme.example>\nDate: Sun, Nov 29, 2026 at 9:00 AM\n\
Subject: Invoice 1234\nTo: <jane.doe@gmail.example>\n\n\nYour invoice 1234 for EUR 120.00 is attached."
    );
}

#[test]
fn html_only_latin1_is_read_as_text_without_its_history() {
    let m = mail("html_only_latin1.eml", &Threads::new());
    assert_eq!(m.from_name.as_deref(), Some("Renée Lévesque"));
    assert_eq!(m.subject.as_deref(), Some("Page café"));
    assert_eq!(m.body_source, BodySource::Html);
    assert_eq!(
        m.body,
        "Bonjour,\nla page café ne s'affiche plus à Paris.\nMerci !"
    );
    assert_eq!(
        m.full_text,
        "Bonjour,\nla page café ne s'affiche plus à Paris.\nMerci !\n\nDe : Acme Support\nEnvoyé : lundi\n\nAncien message"
    );
}

#[test]
fn shift_jis_body_and_iso_2022_jp_subject() {
    let m = mail("shift_jis.eml", &Threads::new());
    assert_eq!(m.from, email("yamada@example.jp"));
    assert_eq!(m.from_name.as_deref(), Some("山田太郎"));
    assert_eq!(m.subject.as_deref(), Some("サイト障害"));
    assert_eq!(m.body, "サイトが表示されません。\n至急確認してください。");
}

#[test]
fn a_large_attachment_is_kept_under_the_limit_and_refused_over_it() {
    let m = mail("large_attachment.eml", &Threads::new());
    assert_eq!(m.body, "The full report is attached.");
    assert_eq!(m.attachments.len(), 1);
    let pdf: &MailFile = &m.attachments[0];
    assert_eq!(
        (
            pdf.file_name.as_str(),
            pdf.media_type.as_str(),
            pdf.bytes.len()
        ),
        ("report.pdf", "application/pdf", 300_000)
    );
    assert_eq!(&pdf.bytes[..8], b"%PDF-1.7");

    let strict = config().with_max_attachment_bytes(256 * 1024);
    assert_eq!(
        parse(&raw("large_attachment.eml"), &strict, &Threads::new()),
        Outcome::Refused(Refused {
            reason: RefusedReason::AttachmentTooLarge {
                file_name: "report.pdf".into(),
                size: 300_000,
                limit: 262_144
            },
            from: Some("jane.doe@gmail.example".into()),
            raw: raw("large_attachment.eml"),
        })
    );
}

#[test]
fn a_dsn_bounce_names_the_failed_address_and_our_message() {
    let Outcome::Bounce(b) = parse(&raw("dsn_bounce.eml"), &config(), &Threads::new()) else {
        panic!("a bounce")
    };
    assert_eq!(b.reporter.as_deref(), Some("mailer-daemon@mx.acme.example"));
    assert_eq!(
        b.failed,
        vec![FailedRecipient {
            address: "gone@customer.example".into(),
            action: "failed".into(),
            status: Some("5.1.1".into()),
            permanent: true,
            diagnostic: Some(
                "550 5.1.1 <gone@customer.example>: Recipient address rejected: User unknown"
                    .into()
            ),
        }]
    );
    assert_eq!(b.permanent().count(), 1);
    assert_eq!(b.original_message_id.as_deref(), Some(OWN));
    assert_eq!(
        b.original,
        Some(OwnMessageId {
            message: MessageId::from_uuid(uuid::Uuid::from_u128(
                0xaaaa_bbbb_cccc_dddd_eeee_ffff_0000_1111
            )),
            ticket: Some(ticket()),
        })
    );
    assert_eq!(b.raw, raw("dsn_bounce.eml"));
}

#[test]
fn auto_replies_never_become_messages() {
    assert_eq!(
        parse(&raw("out_of_office.eml"), &config(), &Threads::new()),
        Outcome::AutoReply(AutoReply {
            from: Some("pierre@bistro.example".into()),
            reason: AutoReplyReason::AutoSubmitted("auto-replied".into()),
            ticket: Some(ticket()),
            raw: raw("out_of_office.eml"),
        })
    );
    assert_eq!(
        parse(
            &raw("out_of_office_subject.eml"),
            &config(),
            &Threads::new()
        ),
        Outcome::AutoReply(AutoReply {
            from: Some("hans@meier.example".into()),
            reason: AutoReplyReason::OutOfOfficeSubject("Abwesenheitsnotiz: Ihre Anfrage".into()),
            ticket: None,
            raw: raw("out_of_office_subject.eml"),
        })
    );
    for (header, reason) in [
        (
            "Precedence: bulk",
            AutoReplyReason::Precedence("bulk".into()),
        ),
        (
            "X-Autoreply: yes",
            AutoReplyReason::AutoreplyHeader("X-Autoreply".into()),
        ),
        (
            "Auto-Submitted: auto-generated",
            AutoReplyReason::AutoSubmitted("auto-generated".into()),
        ),
    ] {
        let m = format!(
            "From: bot@other.example\r\nTo: support@acme.example\r\nSubject: Hi\r\n{header}\r\n\r\nHello\r\n"
        );
        let Outcome::AutoReply(a) = parse(m.as_bytes(), &config(), &Threads::new()) else {
            panic!("{header}")
        };
        assert_eq!(a.reason, reason);
    }
    // `Auto-Submitted: no` is a person.
    let m = b"From: jane@customer.example\r\nAuto-Submitted: no\r\nSubject: Hi\r\n\r\nHello\r\n";
    assert!(matches!(
        parse(m, &config(), &Threads::new()),
        Outcome::Message(_)
    ));
}

#[test]
fn our_own_mail_looping_back_is_recognised() {
    assert_eq!(
        parse(&raw("own_loop.eml"), &config(), &Threads::new()),
        Outcome::OwnMail(OwnMail {
            message: Some(OwnMessageId {
                message: MessageId::from_uuid(uuid::Uuid::from_u128(
                    0xaaaa_bbbb_cccc_dddd_eeee_ffff_0000_1111
                )),
                ticket: Some(ticket()),
            }),
            recognised_by: "Message-ID".into(),
            raw: raw("own_loop.eml"),
        })
    );
    // The Message-ID rewritten by a relay: the loop header still says so.
    let m = b"From: relay@customer.example\r\nMessage-ID: <x@relay.example>\r\nX-Fanatical-Desk: desk.acme.example\r\n\r\nHi\r\n";
    let Outcome::OwnMail(o) = parse(m, &config(), &Threads::new()) else {
        panic!()
    };
    assert_eq!(o.recognised_by, "X-Fanatical-Desk");
}

#[test]
fn bad_mail_is_refused_and_kept() {
    for (name, reason, from) in [
        (
            "malformed.eml",
            RefusedReason::Malformed {
                what: "no header fields".into(),
            },
            None,
        ),
        (
            "bad_sender.eml",
            RefusedReason::Malformed {
                what: "no sender address (From or Sender)".into(),
            },
            None,
        ),
        (
            "no_body.eml",
            RefusedReason::NoBody,
            Some("jane.doe@gmail.example".to_owned()),
        ),
    ] {
        assert_eq!(
            parse(&raw(name), &config(), &Threads::new()),
            Outcome::Refused(Refused {
                reason,
                from,
                raw: raw(name),
            }),
            "{name}"
        );
    }
    // An empty input too.
    assert_eq!(
        parse(b"", &config(), &Threads::new()).raw(),
        b"",
        "nothing to keep, nothing lost"
    );
}

#[test]
fn to_inbound_stores_files_and_the_original() {
    let m = mail("gmail_reply.eml", &Threads::new());
    let mut blobs = MemoryBlobs::new();
    let new_ticket = TicketId::from_uuid(uuid::Uuid::from_u128(99));
    let inbound = m.to_inbound(new_ticket, &mut blobs).unwrap();
    let expected = InboundMessage::new(
        new_ticket,
        Channel::Email,
        email("jane.doe@gmail.example"),
        "Thanks, restarting fixed it — the site is back.\nScreenshot attached.\n\nJane",
    )
    .in_reply_to(ticket())
    .with_subject("Re: Site down")
    .with_attachment(
        Attachment::new("high-five.gif", "image/gif", 43)
            .unwrap()
            .stored_at(AttachmentRef::new("blob/1").unwrap()),
    )
    .with_attachment(
        Attachment::new(
            "original.eml",
            "message/rfc822",
            raw("gmail_reply.eml").len() as u64,
        )
        .unwrap()
        .stored_at(AttachmentRef::new("blob/2").unwrap()),
    );
    assert_eq!(inbound, expected);
    assert_eq!(blobs.len(), 2);
}

/// A delivery status notification for `message_id`, naming `failed`.
fn dsn(failed: &str, message_id: Option<&str>) -> Vec<u8> {
    let returned = message_id.map_or_else(String::new, |id| {
        format!("--r\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: <{id}>\r\n\r\n")
    });
    format!(
        "From: MAILER-DAEMON@mx.example (Mail Delivery System)\r\n\
To: support@acme.example\r\n\
Subject: Undelivered Mail Returned to Sender\r\n\
MIME-Version: 1.0\r\n\
Content-Type: multipart/report; report-type=delivery-status; boundary=\"r\"\r\n\r\n\
--r\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n\
--r\r\nContent-Type: message/delivery-status\r\n\r\n\
Reporting-MTA: dns; mx.example\r\n\r\n\
Final-Recipient: rfc822; {failed}\r\nAction: failed\r\nStatus: 5.1.1\r\n\
Diagnostic-Code: smtp; 550 5.1.1 no such user\r\n\r\n{returned}--r--\r\n"
    )
    .into_bytes()
}

/// Anyone can send a mail shaped like a bounce. Only a report about a
/// message the desk sent, naming the address it was sent to, marks that
/// address undeliverable; a forged one, one about a message the desk does
/// not hold, or one naming another address calls for nothing.
#[test]
fn only_a_bounce_of_our_own_message_marks_the_address_it_went_to() {
    use fanatical::customer::CustomerCommand;
    use fanatical::desk::fixture::{Fixture, fixture};
    use fanatical::desk::{Command, CustomerAction};
    use fanatical_email::thread::own_message_id;

    let Fixture {
        mut desk,
        mut store,
        now,
        acme,
        jane,
        ana,
        ticket,
        email,
        ..
    } = fixture().unwrap();
    desk.execute(&mut store, Command::reply(ticket, ana, "On it."), now)
        .unwrap();
    let sent = desk
        .channels()
        .outbox()
        .find(|e| e.message.ticket == Some(ticket))
        .unwrap()
        .message
        .id;
    let ours = own_message_id(sent, Some(ticket), "desk.acme.example");
    let bounce_of = |raw: Vec<u8>| match parse(&raw, &config(), &Threads::default()) {
        Outcome::Bounce(b) => b,
        other => panic!("not a bounce: {other:?}"),
    };

    // Forged: no message of ours returned.
    let forged = bounce_of(dsn("jane@acme.example", None));
    assert!(forged.undeliverable_commands(&desk).is_empty());
    // Someone else's message.
    let theirs = bounce_of(dsn("jane@acme.example", Some("x1@elsewhere.example")));
    assert!(theirs.undeliverable_commands(&desk).is_empty());
    // Ours, but a message the desk does not hold.
    let unknown = own_message_id(
        MessageId::from_uuid(uuid::Uuid::from_u128(0xDEAD)),
        Some(ticket),
        "desk.acme.example",
    );
    let stale = bounce_of(dsn("jane@acme.example", Some(&unknown)));
    assert!(stale.undeliverable_commands(&desk).is_empty());
    // Ours, naming another address (a forward's target).
    let forward = bounce_of(dsn("jane@home.example", Some(&ours)));
    assert!(forward.undeliverable_commands(&desk).is_empty());
    // Ours, naming the address we sent it to.
    let real = bounce_of(dsn("Jane@Acme.example", Some(&ours)));
    assert_eq!(
        real.undeliverable_commands(&desk),
        vec![Command::new(
            fanatical::actor::Actor::integration("email"),
            CustomerAction::Update {
                customer: acme,
                command: CustomerCommand::MarkUndeliverable {
                    contact: jane,
                    address: email,
                    reason: "5.1.1 550 5.1.1 no such user".into(),
                },
            },
        )]
    );
}

/// Composing never panics on an instant the library accepts: a message
/// queued before 1970 or near the end of chrono's range gets a `Date`
/// clamped into what the header can say.
#[test]
fn compose_takes_any_instant() {
    use fanatical::id::ContactId;
    use fanatical::outbox::{OutboundMessage, Recipient};
    use fanatical_email::outbound::compose;

    let at = |queued_at| OutboundMessage {
        id: MessageId::from_uuid(uuid::Uuid::from_u128(5)),
        channel: Channel::Email,
        recipient: Recipient::Contact {
            contact: ContactId::from_uuid(uuid::Uuid::from_u128(6)),
            address: ChannelAddress::email("jane@customer.example").unwrap(),
        },
        body: "Hello".into(),
        ticket: Some(ticket()),
        queued_at,
        deliver_after: None,
        attachments: vec![],
        automatic: false,
    };
    let date = |queued_at| {
        let mail = compose(
            &config(),
            &Threads::default(),
            &MemoryBlobs::default(),
            &at(queued_at),
        )
        .unwrap();
        let text = String::from_utf8(mail.formatted()).unwrap();
        text.lines()
            .find_map(|l| l.strip_prefix("Date: "))
            .unwrap()
            .to_owned()
    };
    assert_eq!(
        date(chrono::DateTime::<Utc>::MIN_UTC),
        "Thu, 01 Jan 1970 00:00:00 +0000"
    );
    assert_eq!(
        date(Utc.timestamp_opt(-10, 0).unwrap()),
        "Thu, 01 Jan 1970 00:00:00 +0000"
    );
    assert_eq!(
        date(chrono::DateTime::<Utc>::MAX_UTC),
        "Fri, 31 Dec 9999 23:59:59 +0000"
    );
    assert_eq!(
        date(Utc.with_ymd_and_hms(2026, 11, 30, 9, 0, 0).unwrap()),
        "Mon, 30 Nov 2026 09:00:00 +0000"
    );
}

/// The desk keeps the original mail with the files, so the original
/// counts against the limits: a mail the desk would refuse is refused by
/// `parse`, typed and kept whole, before any file is stored.
#[test]
fn the_original_counts_against_the_attachment_limits() {
    let name = "large_attachment.eml";
    let whole = raw(name);
    // One file and the original: two files.
    let two = config().with_max_attachments(1);
    match parse(&whole, &two, &Threads::new()) {
        Outcome::Refused(r) => assert_eq!(
            r.reason,
            RefusedReason::TooManyAttachments { count: 2, limit: 1 }
        ),
        other => panic!("{other:?}"),
    }
    // The file fits a limit the whole mail does not.
    let file_bytes = match parse(&whole, &config(), &Threads::new()) {
        Outcome::Message(m) => m.attachments[0].bytes.len() as u64,
        other => panic!("{other:?}"),
    };
    let limit = file_bytes + 1;
    match parse(
        &whole,
        &config().with_max_attachment_bytes(limit),
        &Threads::new(),
    ) {
        Outcome::Refused(r) => {
            assert_eq!(
                r.reason,
                RefusedReason::AttachmentTooLarge {
                    file_name: "original.eml".into(),
                    size: whole.len() as u64,
                    limit,
                }
            );
            assert_eq!(r.raw, whole);
        }
        other => panic!("{other:?}"),
    }
}

/// A mail's claim to continue a ticket is checked against the desk: a
/// token for a ticket the desk does not know (another desk's, an erased
/// one) is dropped, so the mail opens a new ticket instead of being
/// refused; the sender's own ticket keeps it.
#[test]
fn a_thread_the_desk_would_refuse_is_dropped() {
    use fanatical::desk::fixture::{Fixture, fixture};
    use fanatical_email::thread::subject_token;

    let Fixture {
        desk,
        ticket,
        email,
        ..
    } = fixture().unwrap();
    let ChannelAddress::Email(jane) = &email else {
        panic!()
    };
    let mail_about = |t: TicketId| {
        let raw = format!(
            "From: Jane <{jane}>\r\nTo: support@acme.example\r\n\
Subject: Re: printer {}\r\nMessage-ID: <q-{}@mail.example>\r\n\r\nStill broken.\r\n",
            subject_token(t),
            t.as_uuid().simple()
        );
        match parse(raw.as_bytes(), &config(), &Threads::new()) {
            Outcome::Message(m) => *m,
            other => panic!("{other:?}"),
        }
    };
    let mut own = mail_about(ticket);
    assert_eq!(own.thread.as_ref().map(|t| t.ticket), Some(ticket));
    assert!(!own.drop_foreign_thread(&desk));
    assert_eq!(own.thread.map(|t| t.ticket), Some(ticket));

    let elsewhere = TicketId::from_uuid(uuid::Uuid::from_u128(0xE15E));
    let mut unknown = mail_about(elsewhere);
    assert_eq!(unknown.thread.as_ref().map(|t| t.ticket), Some(elsewhere));
    assert!(unknown.drop_foreign_thread(&desk));
    assert_eq!(unknown.thread, None);
    let receive = unknown
        .to_inbound(
            TicketId::from_uuid(uuid::Uuid::from_u128(0x0E)),
            &mut MemoryBlobs::new(),
        )
        .unwrap();
    assert_eq!(receive.in_reply_to, None);
}

/// A subject is taken for an autoresponder's only in the forms they
/// write (alone, or before a colon); a person's subject that merely
/// starts with the same words is a person's mail.
#[test]
fn out_of_office_subjects_are_the_autoresponders_forms_only() {
    let mail = |subject: &str| {
        format!(
            "From: Jane <jane@customer.example>\r\nTo: support@acme.example\r\n\
Subject: {subject}\r\nMessage-ID: <s-1@customer.example>\r\n\r\nHello.\r\n"
        )
        .into_bytes()
    };
    for subject in [
        "Out of Office",
        "Automatic reply: your ticket",
        "Out of office : back Monday",
        "Abwesenheitsnotiz: Ihre Anfrage",
    ] {
        assert!(
            matches!(
                parse(&mail(subject), &config(), &Threads::new()),
                Outcome::AutoReply(_)
            ),
            "{subject}"
        );
    }
    for subject in [
        "Out of office hours emergency: site down",
        "Auto: renewal failed",
        "Autoreply settings do not save",
    ] {
        assert!(
            matches!(
                parse(&mail(subject), &config(), &Threads::new()),
                Outcome::Message(_)
            ),
            "{subject}"
        );
    }
}

/// Thunderbird in German, Latin-1, its attribution (`Am … schrieb …:`)
/// wrapped over two lines: the history goes, the umlauts stay.
#[test]
fn german_reply_with_a_wrapped_attribution() {
    let m = mail("german_reply_wrapped.eml", &Threads::new());
    assert_eq!(m.from_name.as_deref(), Some("Jürgen Müller"));
    assert_eq!(
        m.body,
        "Hallo,\n\nleider immer noch nicht erreichbar. Grüße\nJürgen"
    );
    assert!(m.full_text.contains("> Bitte starten Sie den Server neu."));
}

/// Gmail in French: `Le … a écrit :` with no-break spaces, the line
/// soft-wrapped by quoted-printable.
#[test]
fn french_gmail_reply() {
    let m = mail("french_reply.eml", &Threads::new());
    assert_eq!(m.body, "Toujours en panne, merci de vérifier.");
    assert_eq!(
        m.thread,
        Some(ThreadMatch {
            ticket: ticket(),
            by: ThreadedBy::SubjectToken
        })
    );
}

/// Outlook's header block flattened onto one line (`From: … Sent: … To:
/// … Subject: …`), and no quote marks.
#[test]
fn outlook_reply_with_a_flattened_header_block() {
    let m = mail("outlook_flattened_header.eml", &Threads::new());
    assert_eq!(m.body, "Ya funciona, gracias.");
    assert!(m.full_text.contains("Please restart the server."));
}

/// Apple Mail forward under the sender's signature, with no `Fwd:` in the
/// subject: her signature goes, the forwarded message stays whole.
#[test]
fn a_forward_below_a_signature_is_kept() {
    let m = mail("forward_below_signature.eml", &Threads::new());
    assert_eq!(
        m.body,
        "Can you check the amount below?\n\nBegin forwarded message:\n\n\
From: Acme Billing <billing@acme.example>\nSubject: Invoice 1234\n\
Date: 29 November 2026 at 09:00:00 CET\nTo: jane.doe@icloud.example\n\n\
Your invoice 1234 for EUR 1,200.00 is due.\n\n--\nAcme Billing"
    );
    assert!(!m.body.contains("Customer Ltd"), "her signature goes");
}
