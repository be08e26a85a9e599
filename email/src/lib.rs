//! Email for [`fanatical`]: inbound mail parsed into the desk's commands,
//! and an SMTP [`Transport`](fanatical::transport::Transport) for what it
//! sends.
//!
//! The library is sans-I/O; this crate is its email adapter.
//!
//! - **In.** [`parse`] turns a raw RFC 5322 mail into a typed [`Outcome`]:
//!   a person's mail ([`InboundMail`]: sender, the ticket it continues,
//!   its new text with quoted history and signature removed, its files,
//!   the raw mail kept), or an auto-reply, a bounce, the desk's own mail
//!   looping back, or a refusal (malformed, no body, a file over the
//!   limit). [`InboundMail::to_inbound`] makes the desk's `Receive`.
//!   [`SenderLimit`](limit::SenderLimit) stops mail loops with other
//!   systems; [`Threads`] remembers which ticket each of the customer's
//!   mails belongs to.
//! - **Out.** [`outbound::SmtpTransport`] sends the desk's messages over
//!   SMTP: plain text with an HTML alternative, attachments fetched from
//!   the caller's [`Blobs`], a `Message-ID` derived from the message's
//!   idempotency key, threading headers pointing at the customer's mail,
//!   `From`/`Reply-To` per [`Brand`].
//!
//! Nothing here panics on input: every mail, however broken, is an
//! outcome that keeps its bytes.

pub mod blobs;
mod config;
mod dsn;
pub mod inbound;
pub mod limit;
pub mod outbound;
pub mod quote;
mod session;
pub mod thread;

pub use blobs::{BlobError, Blobs, MemoryBlobs};
pub use config::{Brand, ConfigError, MailConfig};
pub use inbound::{InboundMail, Outcome, parse};
pub use thread::Threads;
