//! The Fanatical day's email replies (`examples/fanatical_day`), sent
//! through a real SMTP server and read back: every one arrives once, to
//! its recipient, with its text, its files and the `Message-ID` its
//! idempotency key gives it. Needs the server as `tests/smtp.rs` does.

mod common {
    pub mod maildir;
}

#[allow(dead_code)]
#[path = "../../examples/fanatical_day/day.rs"]
mod day;

use fanatical::channel::{Channel, ChannelAddress};
use fanatical::outbox::Recipient;
use fanatical::transport::{Delivery, Transport};
use fanatical_email::outbound::{SmtpRelay, SmtpTransport};
use fanatical_email::thread::own_message_id;
use fanatical_email::{Brand, MailConfig, MemoryBlobs, Threads};
use mail_parser::{MessageParser, MimeHeaders};

use common::maildir::Maildir;

#[test]
fn the_days_email_replies_go_out_through_smtp_and_read_back() {
    let Some((host, port, maildir)) = server() else {
        return;
    };
    // What an earlier run against the same server left is not ours.
    let maildir = Maildir::since_now(&maildir);
    let day = day::run(day::SEED).expect("the day runs");
    let emails: Vec<_> = day
        .transport
        .delivered()
        .iter()
        .filter(|m| m.channel == Channel::Email)
        .cloned()
        .collect();
    assert!(emails.len() >= 5, "the day sends email: {}", emails.len());
    eprintln!("{} email messages from the day", emails.len());
    let mut blobs = MemoryBlobs::new();
    for m in &emails {
        for a in &m.attachments {
            if let Some(key) = &a.reference {
                // The day's files, as the caller's blob store would hold them.
                blobs
                    .insert(key, &vec![0x5a; usize::try_from(a.size).unwrap()])
                    .unwrap();
            }
        }
    }
    let config = MailConfig::new(
        "desk.fanatical.example",
        Brand::new("Fanatical Support", "support@fanatical.example").unwrap(),
    )
    .unwrap();
    let mut smtp =
        SmtpTransport::new(config, SmtpRelay::plain(&host, port), Threads::new(), blobs).unwrap();
    for m in &emails {
        assert_eq!(smtp.deliver(m).unwrap(), Delivery::Delivered, "{}", m.id);
    }
    for m in &emails {
        let id = own_message_id(m.id, m.ticket, "desk.fanatical.example");
        let found = maildir.mails_with(&id);
        let [raw] = found.as_slice() else {
            panic!("{id}: {} mails", found.len())
        };
        let mail = MessageParser::default().parse(raw).unwrap();
        assert_eq!(mail.message_id(), Some(id.as_str()));
        let to = match &m.recipient {
            Recipient::Contact {
                address: ChannelAddress::Email(a),
                ..
            }
            | Recipient::Press {
                address: ChannelAddress::Email(a),
            } => a.clone(),
            other => panic!("not an email recipient: {other}"),
        };
        assert_eq!(
            mail.to().and_then(|t| t.first()).and_then(|a| a.address()),
            Some(to.as_str())
        );
        assert_eq!(
            mail.body_text(0)
                .map(|t| t.replace("\r\n", "\n").trim_end().to_owned()),
            Some(m.body.trim_end().to_owned()),
            "{id}"
        );
        let files: Vec<_> = mail
            .attachments()
            .map(|a| {
                (
                    a.attachment_name().unwrap_or("").to_owned(),
                    a.contents().len() as u64,
                )
            })
            .collect();
        let want: Vec<_> = m
            .attachments
            .iter()
            .map(|a| (a.file_name.clone(), a.size))
            .collect();
        assert_eq!(files, want, "{id}");
    }
}

fn server() -> Option<(String, u16, std::path::PathBuf)> {
    match (
        std::env::var("FANATICAL_SMTP_ADDR"),
        std::env::var("FANATICAL_SMTP_MAILDIR"),
    ) {
        (Ok(addr), Ok(dir)) => {
            let (h, p) = addr.rsplit_once(':').expect("host:port");
            Some((h.to_owned(), p.parse().expect("a port"), dir.into()))
        }
        _ if std::env::var("FANATICAL_REQUIRE_SMTP").is_ok_and(|v| v == "1") => {
            panic!(
                "FANATICAL_REQUIRE_SMTP=1 but FANATICAL_SMTP_ADDR/FANATICAL_SMTP_MAILDIR are not set"
            )
        }
        _ => {
            eprintln!("SKIPPED: no SMTP server (source .ci/smtp.sh && smtp_start)");
            None
        }
    }
}
