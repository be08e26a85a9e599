//! The `email_parse` fuzz target's body, shared by
//! `fuzz/fuzz_targets/email_parse.rs` (cargo-fuzz, nightly) and
//! `email/tests/fuzz_props.rs` (proptest, stable, in CI). It takes
//! arbitrary bytes and panics only when an invariant breaks — the parser
//! itself must never panic.

#![allow(dead_code)]

use fanatical::id::TicketId;
use fanatical_email::{Brand, MailConfig, MemoryBlobs, Outcome, Threads, parse};

/// Any bytes parse to one outcome that keeps them; a message has a sender
/// and text or files, and becomes the desk's `Receive` with every file
/// and the original stored.
pub fn email_parse(data: &[u8]) {
    let brand = Brand::new("Acme Support", "support@acme.example").expect("a valid brand");
    let config = MailConfig::new("desk.acme.example", brand)
        .expect("a valid domain")
        .with_max_attachment_bytes(64 * 1024);
    let outcome = parse(data, &config, &Threads::new());
    assert_eq!(outcome.raw(), data, "the raw mail is kept byte for byte");
    if let Outcome::Message(m) = outcome {
        assert!(
            !m.body.trim().is_empty() || !m.attachments.is_empty(),
            "a message has text or files"
        );
        assert!(
            m.attachments
                .iter()
                .all(|f| f.bytes.len() as u64 <= config.max_attachment_bytes),
            "no file over the limit"
        );
        // Every mail has an idempotency key, one word the desk accepts.
        let key = m.command_key();
        assert!(key.as_str().starts_with("email-") && key.as_str().len() <= 128);
        let mut blobs = MemoryBlobs::new();
        let new_ticket = TicketId::from_uuid(uuid::Uuid::from_u128(1));
        let inbound = m
            .to_inbound(new_ticket, &mut blobs)
            .expect("memory blobs take every file");
        assert_eq!(inbound.attachments.len(), m.attachments.len() + 1);
        assert_eq!(blobs.len(), m.attachments.len() + 1);
        let mut threads = Threads::new();
        threads.record(new_ticket, &m);
        if let Some(id) = &m.message_id {
            assert_eq!(threads.ticket_of(id), Some(new_ticket));
        }
    }
}
