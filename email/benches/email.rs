//! Parse and send throughput: `cargo bench -p fanatical-email`.
//!
//! - `parse/*`: [`parse`] over the corpus's shapes (bytes per second and
//!   mails per second);
//! - `compose`: a reply with a 20 KiB attachment made into MIME mail;
//! - `send`: the same sent through the SMTP server at
//!   `FANATICAL_SMTP_ADDR` (skipped without one: `source .ci/smtp.sh &&
//!   smtp_start` starts one), one connection reused.

use std::hint::black_box;

use chrono::{TimeZone, Utc};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use fanatical::channel::{Channel, ChannelAddress};
use fanatical::id::{ContactId, MessageId, TicketId};
use fanatical::outbox::{OutboundMessage, Recipient};
use fanatical::ticket::{Attachment, MediaType};
use fanatical::transport::Transport;
use fanatical_email::blobs::Blobs;
use fanatical_email::outbound::{SmtpRelay, SmtpTransport};
use fanatical_email::{Brand, MailConfig, MemoryBlobs, Outcome, Threads, parse};

fn config() -> MailConfig {
    MailConfig::new(
        "desk.acme.example",
        Brand::new("Acme Support", "support@acme.example").unwrap(),
    )
    .unwrap()
}

fn corpus(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/corpus/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn parsing(c: &mut Criterion) {
    let config = config();
    let threads = Threads::new();
    let mut g = c.benchmark_group("parse");
    for name in [
        "gmail_reply.eml",
        "outlook_reply.eml",
        "html_only_latin1.eml",
        "shift_jis.eml",
        "dsn_bounce.eml",
        "large_attachment.eml",
    ] {
        let raw = corpus(name);
        g.throughput(Throughput::Bytes(raw.len() as u64));
        g.bench_function(name.trim_end_matches(".eml"), |b| {
            b.iter(|| {
                let o = parse(black_box(&raw), &config, &threads);
                assert!(!matches!(o, Outcome::Refused(_)));
                o
            });
        });
    }
    g.finish();
}

fn reply(n: u128, ticket: TicketId, gif: Attachment) -> OutboundMessage {
    OutboundMessage {
        id: MessageId::from_uuid(uuid::Uuid::from_u128(n)),
        channel: Channel::Email,
        recipient: Recipient::Contact {
            contact: ContactId::from_uuid(uuid::Uuid::from_u128(2)),
            address: ChannelAddress::email("jane@customer.example").unwrap(),
        },
        body: "Hi Jane,\n\nthe gateway is fixed and the site is back.\n\nAna".into(),
        ticket: Some(ticket),
        queued_at: Utc.with_ymd_and_hms(2026, 11, 30, 9, 0, 0).unwrap(),
        deliver_after: None,
        attachments: vec![gif],
        automatic: false,
    }
}

fn sending(c: &mut Criterion) {
    let (host, port) = match std::env::var("FANATICAL_SMTP_ADDR") {
        Ok(addr) => {
            let (h, p) = addr.rsplit_once(':').unwrap();
            (h.to_owned(), p.parse().unwrap())
        }
        Err(_) => ("127.0.0.1".to_owned(), 0),
    };
    let mut smtp = SmtpTransport::new(
        config(),
        SmtpRelay::plain(&host, port),
        Threads::new(),
        MemoryBlobs::new(),
    )
    .unwrap();
    let ticket = TicketId::from_uuid(uuid::Uuid::from_u128(1));
    let Outcome::Message(first) = parse(
        b"From: jane@customer.example\r\nTo: support@acme.example\r\nSubject: Site down\r\nMessage-ID: <a@customer.example>\r\n\r\nDown.\r\n",
        smtp.config(),
        smtp.threads(),
    ) else {
        panic!("a message")
    };
    smtp.threads_mut().record(ticket, &first);
    let bytes = vec![0x47u8; 20 * 1024];
    let media = MediaType::new("image/gif").unwrap();
    let key = smtp
        .blobs_mut()
        .put("high-five.gif", &media, &bytes)
        .unwrap();
    let gif = Attachment::new("high-five.gif", "image/gif", bytes.len() as u64)
        .unwrap()
        .stored_at(key);

    let mut g = c.benchmark_group("outbound");
    g.throughput(Throughput::Elements(1));
    let message = reply(10, ticket, gif.clone());
    g.bench_function("compose", |b| {
        b.iter(|| smtp.compose(black_box(&message)).unwrap().formatted());
    });
    if port == 0 {
        eprintln!("outbound/send SKIPPED: no FANATICAL_SMTP_ADDR");
    } else {
        let mut n = 1_000u128;
        g.bench_function("send", |b| {
            b.iter(|| {
                n += 1;
                smtp.deliver(&reply(n, ticket, gif.clone())).unwrap()
            });
        });
    }
    g.finish();
}

criterion_group!(benches, parsing, sending);
criterion_main!(benches);
