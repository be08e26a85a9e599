//! One SMTP session to the relay, kept open from mail to mail, on lettre's
//! own connection ([`SmtpConnection`]: its TCP, TLS, `EHLO`, `STARTTLS`,
//! `AUTH` and reply parsing).
//!
//! Why not lettre's `SmtpTransport`: lettre 0.11.23 writes a mail's
//! end-of-data marker (`.` on its own line) in a write of its own, with
//! Nagle's algorithm on and no way to turn it off (no `TCP_NODELAY`
//! setting, no access to the socket). That small write waits for the
//! server's delayed acknowledgement of the body: about 40 ms per mail on
//! Linux, whatever the pooling (the wait is per mail, not per
//! connection). Here the body and the marker go in one write, so nothing
//! waits. (lettre's fix, setting `TCP_NODELAY`, is merged upstream and not
//! yet released; once it is, this module can go.)

use lettre::address::Envelope;
use lettre::transport::smtp::Error;
use lettre::transport::smtp::authentication::{Credentials, DEFAULT_MECHANISMS};
use lettre::transport::smtp::client::SmtpConnection;
use lettre::transport::smtp::commands::{Data, Mail, Rcpt};
use lettre::transport::smtp::extension::{ClientId, Extension, MailBodyParameter, MailParameter};

use crate::outbound::{RelayError, Security, SmtpRelay};

/// A session to one relay: connects on first use, keeps the connection
/// for the next mail, and reconnects once it broke.
pub(crate) struct Session {
    relay: SmtpRelay,
    hello: ClientId,
    #[cfg(feature = "tls")]
    tls: Option<lettre::transport::smtp::client::TlsParameters>,
    connection: Option<SmtpConnection>,
}

impl Session {
    /// A session to `relay` (nothing connects yet).
    pub(crate) fn new(relay: SmtpRelay) -> Result<Self, RelayError> {
        #[cfg(feature = "tls")]
        let tls = match relay.security {
            Security::Plain => None,
            Security::StartTls | Security::ImplicitTls => Some(
                lettre::transport::smtp::client::TlsParameters::new(relay.host.clone())
                    .map_err(|e| RelayError::Tls(e.to_string()))?,
            ),
        };
        #[cfg(not(feature = "tls"))]
        if relay.security != Security::Plain {
            return Err(RelayError::TlsNotBuilt(relay.security));
        }
        Ok(Session {
            relay,
            hello: ClientId::default(),
            #[cfg(feature = "tls")]
            tls,
            connection: None,
        })
    }

    /// Whether a connection is open.
    pub(crate) fn is_open(&self) -> bool {
        self.connection.is_some()
    }

    fn connect(&self) -> Result<SmtpConnection, Error> {
        #[cfg(feature = "tls")]
        let wrapper = match self.relay.security {
            Security::ImplicitTls => self.tls.as_ref(),
            _ => None,
        };
        #[cfg(not(feature = "tls"))]
        let wrapper = None;
        let mut conn = SmtpConnection::connect(
            (self.relay.host.as_str(), self.relay.port),
            Some(self.relay.timeout),
            &self.hello,
            wrapper,
            None,
        )?;
        #[cfg(feature = "tls")]
        if let (Security::StartTls, Some(tls)) = (self.relay.security, &self.tls) {
            // Required: a server without STARTTLS is an error, nothing is
            // sent in the clear.
            conn.starttls(tls, &self.hello)?;
        }
        if let Some(c) = &self.relay.credentials {
            let credentials = Credentials::new(c.user.clone(), c.password().to_owned());
            conn.auth(DEFAULT_MECHANISMS, &credentials)?;
        }
        Ok(conn)
    }

    /// Sends one mail. A kept connection the server closed since (an idle
    /// timeout) is replaced once, when it fails before the mail was
    /// offered; a failure after that is the caller's to retry (the mail
    /// may have arrived).
    pub(crate) fn send(&mut self, envelope: &Envelope, message: &[u8]) -> Result<(), SendError> {
        let (mut conn, reused) = match self.connection.take() {
            Some(c) if !c.has_broken() => (c, true),
            _ => (self.connect().map_err(SendError::Relay)?, false),
        };
        let result = match transaction(&mut conn, envelope, message) {
            Err((Stage::Envelope, SendError::Smtp(e))) if reused && !e.is_permanent() => {
                conn.abort();
                conn = self.connect().map_err(SendError::Relay)?;
                transaction(&mut conn, envelope, message)
            }
            other => other,
        };
        match result {
            Ok(()) => {
                self.connection = Some(conn);
                Ok(())
            }
            Err((_, e)) => {
                conn.abort();
                Err(e)
            }
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        if let Some(mut c) = self.connection.take() {
            let _ = c.quit();
        }
    }
}

/// Why a mail was not sent.
#[derive(Debug)]
pub(crate) enum SendError {
    /// Reaching the relay failed: connecting, its greeting, `STARTTLS` or
    /// the login (a wrong password, a policy refusal). Never the
    /// recipient's fault, so never permanent for the mail: it waits for
    /// the relay (or its configuration) to be fixed.
    Relay(Error),
    /// What lettre said about the mail's transaction: the connection, or
    /// the server's reply.
    Smtp(Error),
    /// The mail needs an extension the server does not offer.
    Unsupported(&'static str),
}

impl SendError {
    /// Whether trying again later cannot help.
    pub(crate) fn is_permanent(&self) -> bool {
        match self {
            SendError::Relay(_) => false,
            SendError::Smtp(e) => e.is_permanent(),
            SendError::Unsupported(_) => true,
        }
    }
}

impl std::fmt::Display for SendError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SendError::Relay(e) => write!(f, "the relay: {e}"),
            SendError::Smtp(e) => e.fmt(f),
            SendError::Unsupported(what) => f.write_str(what),
        }
    }
}

/// Where a transaction failed: before the server took anything of the
/// mail (`MAIL`, `RCPT`), or after.
enum Stage {
    Envelope,
    Data,
}

/// `MAIL FROM`, `RCPT TO`, `DATA`, then the body and its end marker in one
/// write. The `BODY=8BITMIME` and `SMTPUTF8` parameters as lettre sends
/// them: only what the server offers, else an error.
fn transaction(
    conn: &mut SmtpConnection,
    envelope: &Envelope,
    message: &[u8],
) -> Result<(), (Stage, SendError)> {
    let envelope_error = |e| (Stage::Envelope, SendError::Smtp(e));
    let mut params = Vec::new();
    let ascii = |a: &lettre::Address| AsRef::<str>::as_ref(a).is_ascii();
    let non_ascii =
        envelope.from().is_some_and(|a| !ascii(a)) || envelope.to().iter().any(|a| !ascii(a));
    if non_ascii {
        if !conn.server_info().supports_feature(Extension::SmtpUtfEight) {
            return Err((
                Stage::Envelope,
                SendError::Unsupported("non-ASCII addresses, and the server has no SMTPUTF8"),
            ));
        }
        params.push(MailParameter::SmtpUtfEight);
    }
    if !message.is_ascii() {
        if !conn.server_info().supports_feature(Extension::EightBitMime) {
            return Err((
                Stage::Envelope,
                SendError::Unsupported("8-bit mail, and the server has no 8BITMIME"),
            ));
        }
        params.push(MailParameter::Body(MailBodyParameter::EightBitMime));
    }
    conn.command(Mail::new(envelope.from().cloned(), params))
        .map_err(envelope_error)?;
    for to in envelope.to() {
        conn.command(Rcpt::new(to.clone(), Vec::new()))
            .map_err(envelope_error)?;
    }
    conn.command(Data).map_err(envelope_error)?;
    let data_error = |e| (Stage::Data, SendError::Smtp(e));
    match String::from_utf8(data_block(message)) {
        // One write: body, then `.` alone on a line.
        Ok(block) => conn.command(block).map(|_| ()).map_err(data_error),
        // Not text (never for what `compose` makes): lettre's own way.
        Err(_) => conn.message(message).map(|_| ()).map_err(data_error),
    }
}

/// The mail as the `DATA` block: a `.` starting a line doubled
/// (RFC 5321 §4.5.2, after a bare line feed or a bare carriage return
/// too, which some servers take for a line end: no `\r.\r\n` reaches
/// one as an end of data), then the end marker (`.` alone on a line).
fn data_block(message: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(message.len() + message.len() / 64 + 5);
    let mut line_start = true;
    for &b in message {
        if line_start && b == b'.' {
            out.push(b'.');
        }
        out.push(b);
        line_start = b == b'\n' || b == b'\r';
    }
    if !out.ends_with(b"\r\n") {
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b".\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::data_block;

    #[test]
    fn dots_at_line_starts_are_doubled_and_the_block_ends_once() {
        assert_eq!(
            data_block(b".hidden\r\nline\r\n..two\r\n.\r\nend.\r\n"),
            b"..hidden\r\nline\r\n...two\r\n..\r\nend.\r\n.\r\n"
        );
        assert_eq!(data_block(b"no end"), b"no end\r\n.\r\n");
        assert_eq!(data_block(b"bare\n.lf"), b"bare\n..lf\r\n.\r\n");
        assert_eq!(data_block(b"bare\r.\r\ncr"), b"bare\r..\r\ncr\r\n.\r\n");
        assert_eq!(data_block(b""), b"\r\n.\r\n");
    }
}
