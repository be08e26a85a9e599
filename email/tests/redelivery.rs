//! The same mail delivered twice opens one ticket: mail systems redeliver
//! (a lost acknowledgement, a retrying relay, two inbound workers on one
//! mailbox), and the mail's command carries an idempotency key derived
//! from its sender and `Message-ID` (or its bytes), so the desk counts it
//! once — on the desk that saw it first and on another sharing its store.

use chrono::{TimeZone, Utc};
use fanatical::actor::Actor;
use fanatical::channel::ChannelAddress;
use fanatical::customer::CustomerCommand;
use fanatical::desk::{Command, CustomerAction, Desk, DeskConfig};
use fanatical::id::{ContactId, CustomerId, IdGenerator, TicketId};
use fanatical::store::{MemoryStore, Store, StoreError};
use fanatical_email::{Brand, InboundMail, MailConfig, MemoryBlobs, Outcome, Threads, parse};

const MAIL: &[u8] = b"From: Jane Doe <jane@customer.example>\r\nTo: support@acme.example\r\n\
Subject: Site down\r\nMessage-ID: <down-1@customer.example>\r\n\
Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n\
--b\r\nContent-Type: text/plain\r\n\r\nOur site is down.\r\n\
--b\r\nContent-Type: text/plain; name=\"error.log\"\r\nContent-Disposition: attachment; filename=\"error.log\"\r\n\r\n\
502 Bad Gateway\r\n--b--\r\n";

fn config() -> MailConfig {
    MailConfig::new(
        "desk.acme.example",
        Brand::new("Acme Support", "support@acme.example").unwrap(),
    )
    .unwrap()
}

fn mail(raw: &[u8]) -> InboundMail {
    match parse(raw, &config(), &Threads::new()) {
        Outcome::Message(m) => *m,
        other => panic!("a message: {other:?}"),
    }
}

/// A desk with Acme and its contact Jane, on a memory store.
fn desk() -> (Desk, MemoryStore, IdGenerator, CustomerId) {
    let (mut ids, mut store) = (IdGenerator::from_seed(7), MemoryStore::new());
    let mut desk = Desk::new(DeskConfig::default());
    let (customer, jane): (CustomerId, ContactId) = (ids.next_id(), ids.next_id());
    let now = Utc.with_ymd_and_hms(2026, 11, 30, 9, 0, 0).unwrap();
    for command in [
        CustomerAction::Register {
            id: customer,
            organisation: "Customer Ltd".into(),
        },
        CustomerAction::Update {
            customer,
            command: CustomerCommand::AddContact {
                contact: jane,
                name: "Jane Doe".into(),
                addresses: vec![ChannelAddress::email("jane@customer.example").unwrap()],
            },
        },
    ] {
        desk.execute(
            &mut store,
            Command::new(Actor::integration("setup"), command),
            now,
        )
        .unwrap();
    }
    (desk, store, ids, customer)
}

fn tickets_of(desk: &Desk, customer: CustomerId) -> Vec<TicketId> {
    desk.tickets()
        .iter()
        .filter(|t| t.customer() == customer)
        .map(|t| t.id())
        .collect()
}

#[test]
fn a_redelivered_mail_is_one_ticket_on_one_desk_and_across_desks() {
    let now = Utc.with_ymd_and_hms(2026, 11, 30, 9, 5, 0).unwrap();
    let (mut first, mut store, mut ids, customer) = desk();
    // A second desk on the same store, behind the first.
    let mut second = Desk::rebuild(&store, DeskConfig::default()).unwrap();

    let m = mail(MAIL);
    let (t1, mut blobs) = (ids.next_id(), MemoryBlobs::new());
    let command = m.receive_command(t1, &mut blobs).unwrap();
    let recorded = first.execute(&mut store, command.clone(), now).unwrap();
    assert!(!recorded.is_empty());
    let written = store.read_all(0, usize::MAX).unwrap().len();

    // The very same command again (a retry after a lost answer): the
    // first run's events, nothing written.
    let again = first.execute(&mut store, command, now).unwrap();
    assert_eq!(again, recorded);
    assert_eq!(store.read_all(0, usize::MAX).unwrap().len(), written);

    // Redelivered to the same desk: parsed anew, another new-ticket id,
    // its files stored again under other keys. Refused, nothing written.
    let redelivered = mail(MAIL);
    let t2: TicketId = ids.next_id();
    let cmd = redelivered.receive_command(t2, &mut blobs).unwrap();
    let err = first.execute(&mut store, cmd, now).unwrap_err();
    assert!(redelivered.is_redelivery(&err), "{err}");
    assert_eq!(store.read_all(0, usize::MAX).unwrap().len(), written);

    // Redelivered to the second desk, which has not seen the first's
    // events: its write conflicts; caught up, it refuses the mail.
    let t3: TicketId = ids.next_id();
    let mut other_blobs = MemoryBlobs::new();
    let cmd = redelivered.receive_command(t3, &mut other_blobs).unwrap();
    let err = loop {
        match second.execute(&mut store, cmd.clone(), now) {
            Err(fanatical::Error::Store(StoreError::Conflict { .. })) => {
                second.catch_up(&store).unwrap();
            }
            Err(e) => break e,
            Ok(events) => panic!("a second ticket: {events:?}"),
        }
    };
    assert!(redelivered.is_redelivery(&err), "{err}");
    assert_eq!(store.read_all(0, usize::MAX).unwrap().len(), written);
    assert_eq!(tickets_of(&first, customer), [t1]);
    assert_eq!(tickets_of(&second, customer), [t1]);
    let rebuilt = Desk::rebuild(&store, DeskConfig::default()).unwrap();
    assert_eq!(tickets_of(&rebuilt, customer), [t1]);
}

#[test]
fn keys_follow_the_sender_and_message_id_else_the_bytes() {
    let key = |raw: &[u8]| mail(raw).command_key();
    let with_id = |from: &str, id: &str, body: &str| {
        format!("From: {from}\r\nTo: support@acme.example\r\nMessage-ID: {id}\r\n\r\n{body}\r\n")
    };
    let a = key(with_id("jane@customer.example", "<x@customer.example>", "Down.").as_bytes());
    // The same mail re-encoded on the way (another body, angle brackets
    // kept or not, the address's case): the same key.
    assert_eq!(
        a,
        key(with_id("JANE@customer.example", "x@customer.example", "Down!").as_bytes())
    );
    // Another sender copying her Message-ID: another key.
    assert_ne!(
        a,
        key(with_id("mallory@evil.example", "<x@customer.example>", "Down.").as_bytes())
    );
    assert_ne!(
        a,
        key(with_id("jane@customer.example", "<y@customer.example>", "Down.").as_bytes())
    );
    // No Message-ID: the bytes decide, byte for byte (Latin-1 bytes that
    // are not UTF-8 included).
    let bare = |body: &[u8]| {
        let mut raw = b"From: jane@customer.example\r\nTo: support@acme.example\r\n\r\n".to_vec();
        raw.extend_from_slice(body);
        key(&raw)
    };
    assert_eq!(bare(b"Caf\xe9 down."), bare(b"Caf\xe9 down."));
    assert_ne!(bare(b"Caf\xe9 down."), bare(b"Caf\xe8 down."));
    assert_ne!(bare(b"Caf\xe9 down."), a);
    assert!(bare(b"x").as_str().starts_with("email-raw-"));
    assert!(a.as_str().starts_with("email-") && a.as_str().len() <= 128);
}
