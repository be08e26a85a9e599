//! Who did it: the actor on every command and every recorded event, the
//! cause when the desk acts by itself, and the idempotency key that makes a
//! repeated command count once.
//!
//! ```
//! use fanatical::actor::{Actor, Cause, CommandKey, TimerKind};
//! use fanatical::id::{AgentId, IdGenerator};
//!
//! let ana: AgentId = IdGenerator::from_seed(1).next_id();
//! assert_eq!(Actor::Agent(ana).to_string(), format!("agent {ana}"));
//! assert_eq!(Actor::integration("crm").to_string(), "integration crm");
//! let timer = Actor::System(Cause::Timer(TimerKind::Sla));
//! assert_eq!(timer.to_string(), "the desk (timer: sla)");
//! // An idempotency key is one word of 1 to 128 characters.
//! assert!(CommandKey::new("reply-7f3a").is_ok());
//! assert!(CommandKey::new("two words").is_err());
//! ```

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::id::{AgentId, ContactId};

/// Who issues a command, and so who did what it records.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Actor {
    /// An employee (agent, lead, executive, ...). Must be known and active.
    Agent(AgentId),
    /// A customer's contact (a portal user, a survey respondent). Must be
    /// known.
    Contact(ContactId),
    /// The desk itself, for a reason.
    System(Cause),
    /// A named integration: a mail gateway, a CRM import, a delivery
    /// worker. The name is one word of 1 to 64 characters.
    Integration(String),
}

impl Actor {
    /// A named integration (the name is checked when the command is
    /// decided).
    #[must_use]
    pub fn integration(name: &str) -> Self {
        Actor::Integration(name.to_owned())
    }

    /// The agent, when the actor is one.
    #[must_use]
    pub fn agent(&self) -> Option<AgentId> {
        match self {
            Actor::Agent(a) => Some(*a),
            _ => None,
        }
    }

    /// Checks the parts of an actor that need no desk: an integration's
    /// name.
    ///
    /// # Errors
    /// [`ActorError::InvalidIntegration`].
    pub fn check(&self) -> Result<(), ActorError> {
        match self {
            Actor::Integration(name) if one_word(name, 64).is_none() => {
                Err(ActorError::InvalidIntegration(name.clone()))
            }
            _ => Ok(()),
        }
    }
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Actor::Agent(a) => write!(f, "agent {a}"),
            Actor::Contact(c) => write!(f, "contact {c}"),
            Actor::System(cause) => write!(f, "the desk ({cause})"),
            Actor::Integration(name) => write!(f, "integration {name}"),
        }
    }
}

/// Why the desk acted by itself.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Cause {
    /// A timer fell due.
    Timer(TimerKind),
    /// A business rule fired (its name).
    Rule(String),
}

impl fmt::Display for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cause::Timer(kind) => write!(f, "timer: {kind}"),
            Cause::Rule(name) => write!(f, "rule: {name}"),
        }
    }
}

/// The kinds of timer the desk keeps, each with its own reason to wake.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum TimerKind {
    /// An SLA warning or breach (promises included).
    Sla,
    /// An incident update falling due or overdue.
    IncidentCadence,
    /// An incident's follow-ups after it is resolved.
    FollowUp,
    /// A failed delivery's retry.
    DeliveryRetry,
    /// A delivery lease running out (the message is handed out again).
    LeaseExpiry,
    /// A reminder to acknowledge praise.
    PraiseReminder,
    /// A page waiting for its person's next working minute.
    DeferredPage,
    /// A closed ticket's archive window running out (it leaves memory).
    Archive,
    /// A ticket waiting for an agent: someone with the skills and room
    /// comes on duty, and the desk tries to assign it again.
    AutoAssign,
    /// An agent's absence starting: their auto-assigned tickets move.
    AbsenceStart,
    /// A ticket's automation falling due (see `crate::rules::Automation`).
    Automation,
}

impl fmt::Display for TimerKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TimerKind::Sla => "sla",
            TimerKind::IncidentCadence => "incident_cadence",
            TimerKind::FollowUp => "follow_up",
            TimerKind::DeliveryRetry => "delivery_retry",
            TimerKind::LeaseExpiry => "lease_expiry",
            TimerKind::PraiseReminder => "praise_reminder",
            TimerKind::DeferredPage => "deferred_page",
            TimerKind::Archive => "archive",
            TimerKind::AutoAssign => "auto_assign",
            TimerKind::AbsenceStart => "absence_start",
            TimerKind::Automation => "automation",
        })
    }
}

/// A command's idempotency key: the caller's name for one intent, so that
/// the command counts once however often it is sent (after a lost
/// acknowledgement, a crash, or from a second desk on the same store).
/// One word of 1 to 128 characters.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CommandKey(String);

impl CommandKey {
    /// A key.
    ///
    /// # Errors
    /// [`ActorError::InvalidKey`] for blank text, white space or control
    /// characters inside, or more than 128 characters.
    pub fn new(key: &str) -> Result<Self, ActorError> {
        one_word(key, 128)
            .map(CommandKey)
            .ok_or_else(|| ActorError::InvalidKey(key.to_owned()))
    }

    /// The key text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for CommandKey {
    type Error = ActorError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        CommandKey::new(&s)
    }
}

impl From<CommandKey> for String {
    fn from(k: CommandKey) -> String {
        k.0
    }
}

impl fmt::Display for CommandKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for CommandKey {
    type Err = ActorError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CommandKey::new(s)
    }
}

/// Why an actor or a key was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ActorError {
    /// An idempotency key that is blank, has white space or control
    /// characters, or is too long.
    #[error("invalid command key {0:?}: one word of 1 to 128 characters")]
    InvalidKey(String),
    /// An integration name that is blank, has white space or control
    /// characters, or is too long.
    #[error("invalid integration name {0:?}: one word of 1 to 64 characters")]
    InvalidIntegration(String),
}

/// The text when it is one word of 1 to `max` characters, with no white
/// space or control characters.
fn one_word(text: &str, max: usize) -> Option<String> {
    let ok = !text.is_empty()
        && text.chars().count() <= max
        && !text.chars().any(|c| c.is_whitespace() || c.is_control());
    ok.then(|| text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_integrations_are_one_word() {
        assert!(CommandKey::new("k").is_ok());
        assert!(CommandKey::new(&"k".repeat(128)).is_ok());
        assert_eq!(
            CommandKey::new(&"k".repeat(129)),
            Err(ActorError::InvalidKey("k".repeat(129)))
        );
        assert!(CommandKey::new("").is_err());
        assert!(CommandKey::new("a\u{7}b").is_err());
        assert!(Actor::integration("mail-gateway").check().is_ok());
        assert_eq!(
            Actor::integration("mail gateway").check(),
            Err(ActorError::InvalidIntegration("mail gateway".into()))
        );
        assert!(Actor::integration("").check().is_err());
    }

    #[test]
    fn a_key_reads_back_only_when_valid() {
        let k: CommandKey = serde_json::from_str("\"reply-1\"").unwrap();
        assert_eq!(k.as_str(), "reply-1");
        assert!(serde_json::from_str::<CommandKey>("\"two words\"").is_err());
    }
}
