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
