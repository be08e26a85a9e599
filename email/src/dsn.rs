//! Bounces: delivery status notifications (RFC 3464, `multipart/report;
//! report-type=delivery-status`), and the older free-text bounces from
//! `MAILER-DAEMON` that only their sender and subject give away.

use fanatical::actor::Actor;
use fanatical::channel::ChannelAddress;
use fanatical::customer::CustomerCommand;
use fanatical::desk::{Command, CustomerAction, Desk};
use fanatical::outbox::Recipient;
use mail_parser::{Message, MessageParser, MimeHeaders, PartType};

use crate::config::MailConfig;
use crate::thread::{OwnMessageId, parse_own_message_id};

/// A bounce: the mail to some addresses could not be delivered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bounce {
    /// Who reported it (`MAILER-DAEMON@…`), if given.
    pub reporter: Option<String>,
    /// The recipients that failed or are delayed, in report order (empty
    /// for a free-text bounce that names none readably).
    pub failed: Vec<FailedRecipient>,
    /// The `Message-ID` of the mail that bounced, when the report returns
    /// its headers.
    pub original_message_id: Option<String>,
    /// What that `Message-ID` names, when it is one of the desk's: the
    /// outbound message and its ticket.
    pub original: Option<OwnMessageId>,
    /// The mail as received.
    pub raw: Vec<u8>,
}

impl Bounce {
    /// The addresses that failed for good (a permanent status or
    /// `Action: failed`): the ones to mark undeliverable.
    pub fn permanent(&self) -> impl Iterator<Item = &FailedRecipient> {
        self.failed.iter().filter(|f| f.permanent)
    }

    /// The desk commands this bounce calls for: the address one of the
    /// desk's own messages was sent to, marked undeliverable on its
    /// contact ([`CustomerCommand::MarkUndeliverable`], as the integration
    /// `email`) when the report says that address failed for good, so
    /// replies go to the contact's next channel.
    ///
    /// Nothing else is marked: a report that does not return one of our
    /// `Message-ID`s ([`Bounce::original`]), about a message the desk does
    /// not hold, or naming only other addresses (a forward's target)
    /// calls for nothing. Anyone can send a mail that looks like a
    /// bounce; only one about a message we sent, to the address we sent
    /// it to, can switch a customer's address off. Temporary failures call
    /// for nothing either (the mail server retries them).
    #[must_use]
    pub fn undeliverable_commands(&self, desk: &Desk) -> Vec<Command> {
        let Some(own) = self.original else {
            return Vec::new();
        };
        let Some(entry) = desk.channels().outbound(own.message) else {
            return Vec::new();
        };
        let Recipient::Contact { contact, address } = &entry.message.recipient else {
            return Vec::new();
        };
        let ChannelAddress::Email(sent_to) = address else {
            return Vec::new();
        };
        let Some(failed) = self
            .permanent()
            .find(|f| f.address.eq_ignore_ascii_case(sent_to))
        else {
            return Vec::new();
        };
        // Still that contact's address (not erased, not moved on).
        let Some(found) = desk
            .customers()
            .find_contact(address)
            .filter(|found| found.contact == *contact)
        else {
            return Vec::new();
        };
        let customer = found.customer;
        let reason = [failed.status.as_deref(), failed.diagnostic.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        let mut reason = if reason.is_empty() {
            format!("delivery {}", failed.action)
        } else {
            reason
        };
        // The report's text is the reporter's: keep a line's worth.
        if let Some((cut, _)) = reason.char_indices().nth(REASON_CHARS) {
            reason.truncate(cut);
        }
        vec![Command::new(
            Actor::integration("email"),
            CustomerAction::Update {
                customer,
                command: CustomerCommand::MarkUndeliverable {
                    contact: *contact,
                    address: address.clone(),
                    reason,
                },
            },
        )]
    }
}

/// How much of a bounce's status and diagnostic a command keeps.
const REASON_CHARS: usize = 300;

/// One recipient in a delivery status notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailedRecipient {
    /// The address (`Final-Recipient`, else `Original-Recipient`),
    /// lowercased.
    pub address: String,
    /// `Action` (`failed`, `delayed`), lowercased.
    pub action: String,
    /// `Status` (`5.1.1`), if given.
    pub status: Option<String>,
    /// Whether it failed for good: `Action: failed` or a `5.x.x` status;
    /// `delayed` and `4.x.x` are temporary.
    pub permanent: bool,
    /// `Diagnostic-Code` without its type (`550 5.1.1 No such user`).
    pub diagnostic: Option<String>,
}

pub(crate) fn bounce(
    msg: &Message<'_>,
    config: &MailConfig,
    sender: Option<&str>,
    raw: &[u8],
) -> Option<Bounce> {
    let root_report = msg.root_part().content_type().is_some_and(|ct| {
        ct.ctype().eq_ignore_ascii_case("multipart")
            && ct
                .subtype()
                .is_some_and(|s| s.eq_ignore_ascii_case("report"))
            && ct
                .attribute("report-type")
                .is_some_and(|r| r.to_ascii_lowercase().contains("delivery-status"))
    });
    let status_part = msg.parts.iter().find(|p| {
        p.content_type().is_some_and(|ct| {
            ct.ctype().eq_ignore_ascii_case("message")
                && ct.subtype().is_some_and(|s| {
                    s.eq_ignore_ascii_case("delivery-status")
                        || s.eq_ignore_ascii_case("global-delivery-status")
                })
        })
    });
    let from_daemon = sender.is_some_and(|s| {
        let local = s.split('@').next().unwrap_or("").to_ascii_lowercase();
        local == "mailer-daemon" || local == "postmaster"
    });
    let null_sender = msg
        .return_address()
        .is_some_and(|r| r.trim().trim_matches(['<', '>']).is_empty())
        || msg
            .header_raw("Return-Path")
            .is_some_and(|r| r.trim() == "<>");
    let bounce_subject = msg.subject().is_some_and(|s| {
        let s = s.to_ascii_lowercase();
        [
            "undeliver",
            "delivery status notification",
            "returned mail",
            "failure notice",
            "delivery failure",
            "mail delivery failed",
        ]
        .iter()
        .any(|p| s.contains(p))
    });
    if !(root_report && status_part.is_some()
        || status_part.is_some()
        || (from_daemon || null_sender) && bounce_subject)
    {
        return None;
    }
    let failed = status_part
        .and_then(|p| match &p.body {
            PartType::Text(t) => Some(recipients(t)),
            PartType::Binary(b) | PartType::InlineBinary(b) => {
                Some(recipients(&String::from_utf8_lossy(b)))
            }
            _ => None,
        })
        .unwrap_or_default();
    let original_message_id = returned_message_id(msg);
    let original = original_message_id
        .as_deref()
        .and_then(|id| parse_own_message_id(id, &config.domain));
    Some(Bounce {
        reporter: sender.map(str::to_owned),
        failed,
        original_message_id,
        original,
        raw: raw.to_vec(),
    })
}

/// The `Message-ID` of the returned mail (`message/rfc822` or
/// `text/rfc822-headers`).
fn returned_message_id(msg: &Message<'_>) -> Option<String> {
    msg.parts.iter().find_map(|p| match &p.body {
        PartType::Message(m) => m.message_id().map(str::to_owned),
        PartType::Text(t)
            if p.content_type().is_some_and(|ct| {
                ct.subtype()
                    .is_some_and(|s| s.eq_ignore_ascii_case("rfc822-headers"))
            }) =>
        {
            let headers = format!("{}\r\n\r\n", t.trim_end());
            MessageParser::default()
                .parse(headers.as_bytes())
                .and_then(|m| m.message_id().map(str::to_owned))
        }
        _ => None,
    })
}

/// The per-recipient blocks of a `message/delivery-status` body.
fn recipients(body: &str) -> Vec<FailedRecipient> {
    let body = body.replace("\r\n", "\n");
    // Unfold continuation lines, then split into blank-line blocks.
    let mut unfolded = String::with_capacity(body.len());
    for line in body.split('\n') {
        if (line.starts_with(' ') || line.starts_with('\t')) && !line.trim().is_empty() {
            unfolded.push(' ');
            unfolded.push_str(line.trim());
        } else {
            if !unfolded.is_empty() {
                unfolded.push('\n');
            }
            unfolded.push_str(line);
        }
    }
    unfolded
        .split("\n\n")
        .filter_map(|block| {
            let field = |name: &str| {
                block.lines().find_map(|l| {
                    let (k, v) = l.split_once(':')?;
                    k.trim()
                        .eq_ignore_ascii_case(name)
                        .then(|| v.trim().to_owned())
                })
            };
            let typed = |v: String| match v.split_once(';') {
                Some((_, rest)) => rest.trim().to_owned(),
                None => v,
            };
            let address = field("Final-Recipient")
                .or_else(|| field("Original-Recipient"))
                .map(typed)?
                .trim_matches(['<', '>'])
                .to_ascii_lowercase();
            let action = field("Action")?.to_ascii_lowercase();
            if action != "failed" && action != "delayed" {
                return None;
            }
            let status = field("Status")
                .map(|s| s.split_whitespace().next().unwrap_or("").to_owned())
                .filter(|s| !s.is_empty());
            let permanent = match status.as_deref() {
                Some(s) if s.starts_with('4') => false,
                Some(s) if s.starts_with('5') => true,
                _ => action == "failed",
            };
            Some(FailedRecipient {
                address,
                action,
                status,
                permanent,
                diagnostic: field("Diagnostic-Code").map(typed),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_blocks() {
        let body = "Reporting-MTA: dns; mx.example\r\n\r\nFinal-Recipient: rfc822; Gone@Customer.example\r\nAction: failed\r\nStatus: 5.1.1\r\nDiagnostic-Code: smtp; 550 5.1.1 <gone@customer.example>:\r\n  user unknown\r\n\r\nFinal-Recipient: rfc822; slow@customer.example\r\nAction: delayed\r\nStatus: 4.4.1\r\n";
        assert_eq!(
            recipients(body),
            vec![
                FailedRecipient {
                    address: "gone@customer.example".into(),
                    action: "failed".into(),
                    status: Some("5.1.1".into()),
                    permanent: true,
                    diagnostic: Some("550 5.1.1 <gone@customer.example>: user unknown".into()),
                },
                FailedRecipient {
                    address: "slow@customer.example".into(),
                    action: "delayed".into(),
                    status: Some("4.4.1".into()),
                    permanent: false,
                    diagnostic: None,
                },
            ]
        );
    }
}
