//! The transport keeps one connection for mail after mail, and opens a new
//! one when the server closed the kept one (relays close idle connections
//! after a few minutes). A scripted SMTP peer on a local port plays the
//! server, so the closing can be chosen; the real server is tests/smtp.rs.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use chrono::{TimeZone, Utc};
use fanatical::channel::{Channel, ChannelAddress};
use fanatical::id::{ContactId, MessageId};
use fanatical::outbox::{OutboundMessage, Recipient};
use fanatical::transport::{Delivery, Transport};
use fanatical_email::outbound::{SmtpRelay, SmtpTransport};
use fanatical_email::{Brand, MailConfig, MemoryBlobs, Threads};

/// A peer that answers every command, and closes a connection after
/// `per_connection` mails. Returns its port and, per connection, the
/// bodies it took.
fn peer(per_connection: usize) -> (u16, Arc<Mutex<Vec<Vec<String>>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let log = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&log);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { return };
            let mut out = stream.try_clone().unwrap();
            let mut lines = BufReader::new(stream);
            let connection = {
                let mut l = seen.lock().unwrap();
                l.push(Vec::new());
                l.len() - 1
            };
            out.write_all(b"220 peer.example ESMTP\r\n").unwrap();
            let mut line = String::new();
            let mut mails = 0;
            while mails < per_connection {
                line.clear();
                if lines.read_line(&mut line).unwrap_or(0) == 0 {
                    break;
                }
                let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
                let reply: &[u8] = match verb.as_str() {
                    "EHLO" => b"250 peer.example\r\n",
                    "DATA" => {
                        out.write_all(b"354 go ahead\r\n").unwrap();
                        let mut body = String::new();
                        loop {
                            line.clear();
                            lines.read_line(&mut line).unwrap();
                            if line == ".\r\n" {
                                break;
                            }
                            body.push_str(&line);
                        }
                        seen.lock().unwrap()[connection].push(body);
                        mails += 1;
                        b"250 queued\r\n"
                    }
                    "QUIT" => {
                        out.write_all(b"221 bye\r\n").unwrap();
                        break;
                    }
                    _ => b"250 ok\r\n",
                };
                out.write_all(reply).unwrap();
            }
            // Dropped: the connection closes.
        }
    });
    (port, log)
}

fn message(n: u128) -> OutboundMessage {
    OutboundMessage {
        id: MessageId::from_uuid(uuid::Uuid::from_u128(n)),
        channel: Channel::Email,
        recipient: Recipient::Contact {
            contact: ContactId::from_uuid(uuid::Uuid::from_u128(6)),
            address: ChannelAddress::email("jane@customer.example").unwrap(),
        },
        body: format!("Mail {n}.\n.A line that starts with a dot."),
        ticket: None,
        queued_at: Utc.with_ymd_and_hms(2026, 11, 30, 9, 0, 0).unwrap(),
        deliver_after: None,
        attachments: vec![],
        automatic: false,
    }
}

fn transport(port: u16) -> SmtpTransport<MemoryBlobs> {
    let config = MailConfig::new(
        "desk.acme.example",
        Brand::new("Acme Support", "support@acme.example").unwrap(),
    )
    .unwrap();
    SmtpTransport::new(
        config,
        SmtpRelay::plain("127.0.0.1", port),
        Threads::new(),
        MemoryBlobs::new(),
    )
    .unwrap()
}

/// How many mails each connection carried.
fn per_connection(log: &Mutex<Vec<Vec<String>>>) -> Vec<usize> {
    log.lock().unwrap().iter().map(Vec::len).collect()
}

#[test]
fn one_connection_carries_mail_after_mail() {
    let (port, log) = peer(usize::MAX);
    let mut smtp = transport(port);
    for n in 1..=3 {
        assert_eq!(smtp.deliver(&message(n)).unwrap(), Delivery::Delivered);
    }
    assert_eq!(per_connection(&log), [3]);
    // Dot-stuffed on the wire: the peer sees the doubled dot.
    let body = log.lock().unwrap()[0][0].clone();
    assert!(
        body.contains("\r\n..A line that starts with a dot."),
        "{body}"
    );
}

#[test]
fn a_connection_the_server_closed_is_replaced() {
    // The peer closes each connection after one mail: the kept connection
    // is dead when the next mail comes.
    let (port, log) = peer(1);
    let mut smtp = transport(port);
    for n in 1..=3 {
        assert_eq!(smtp.deliver(&message(n)).unwrap(), Delivery::Delivered);
    }
    assert_eq!(per_connection(&log), [1, 1, 1]);
}
