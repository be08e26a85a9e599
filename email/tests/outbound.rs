//! Composing and configuring outbound mail without a server: the RFC 3834
//! marking of automatic mail, and the relay's security settings.

use chrono::{TimeZone, Utc};
use fanatical::channel::{Channel, ChannelAddress};
use fanatical::id::{ContactId, MessageId, TicketId};
use fanatical::outbox::{OutboundMessage, Recipient};
use fanatical_email::outbound::{AUTO_SUBMITTED, Security, SmtpRelay, SmtpTransport, compose};
use fanatical_email::{Brand, MailConfig, MemoryBlobs, Threads};
use mail_parser::MessageParser;

fn config() -> MailConfig {
    MailConfig::new(
        "desk.acme.example",
        Brand::new("Acme Support", "support@acme.example").unwrap(),
    )
    .unwrap()
}

fn message(automatic: bool) -> OutboundMessage {
    OutboundMessage {
        id: MessageId::from_uuid(uuid::Uuid::from_u128(5)),
        channel: Channel::Email,
        recipient: Recipient::Contact {
            contact: ContactId::from_uuid(uuid::Uuid::from_u128(6)),
            address: ChannelAddress::email("jane@customer.example").unwrap(),
        },
        body: "How did we do? Please answer our short survey.".into(),
        ticket: Some(TicketId::from_uuid(uuid::Uuid::from_u128(7))),
        queued_at: Utc.with_ymd_and_hms(2026, 11, 30, 9, 0, 0).unwrap(),
        deliver_after: None,
        attachments: vec![],
        automatic,
    }
}

/// `Auto-Submitted` of the composed mail, as a mail client reads it.
fn auto_submitted(m: &OutboundMessage) -> Option<String> {
    let mail = compose(&config(), &Threads::new(), &MemoryBlobs::new(), m).unwrap();
    let bytes = mail.formatted();
    let parsed = MessageParser::default().parse(&bytes).unwrap();
    parsed
        .header_raw(AUTO_SUBMITTED)
        .map(|v| v.trim().to_owned())
}

#[test]
fn automatic_mail_says_so_and_a_persons_reply_does_not() {
    assert_eq!(
        auto_submitted(&message(true)).as_deref(),
        Some("auto-generated")
    );
    assert_eq!(auto_submitted(&message(false)), None);
}

/// The desk's own automatic mail, come back through an autoresponder
/// that kept its headers, is an auto-reply or our own mail: it never
/// opens a ticket.
#[test]
fn automatic_mail_coming_back_opens_nothing() {
    let mail = compose(
        &config(),
        &Threads::new(),
        &MemoryBlobs::new(),
        &message(true),
    )
    .unwrap();
    let outcome = fanatical_email::parse(&mail.formatted(), &config(), &Threads::new());
    assert!(!matches!(outcome, fanatical_email::Outcome::Message(_)));
}

#[test]
fn tls_settings_are_made_or_refused_up_front() {
    let relay = |security| {
        SmtpTransport::new(
            config(),
            SmtpRelay::plain("smtp.provider.example", 587).with_security(security),
            Threads::new(),
            MemoryBlobs::new(),
        )
        .map(|_| ())
    };
    assert_eq!(relay(Security::Plain), Ok(()));
    for security in [Security::StartTls, Security::ImplicitTls] {
        #[cfg(feature = "tls")]
        assert_eq!(relay(security), Ok(()));
        #[cfg(not(feature = "tls"))]
        assert_eq!(
            relay(security),
            Err(fanatical_email::outbound::RelayError::TlsNotBuilt(security))
        );
    }
}
