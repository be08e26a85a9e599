//! How a ticket is triaged: how urgent it is, what kind of request, and
//! its tags.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::TicketError;

/// How urgent a ticket is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    /// Low.
    Low,
    /// Normal (the default).
    Normal,
    /// High.
    High,
    /// Urgent: something is down.
    Urgent,
}

impl fmt::Display for Priority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Priority::Low => "low",
            Priority::Normal => "normal",
            Priority::High => "high",
            Priority::Urgent => "urgent",
        })
    }
}

/// What kind of request a ticket is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketType {
    /// A question.
    Question,
    /// Something broke for this customer (may be linked to a problem).
    Incident,
    /// The cause behind one or more incidents.
    Problem,
    /// Work to do.
    Task,
}

impl fmt::Display for TicketType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TicketType::Question => "question",
            TicketType::Incident => "incident",
            TicketType::Problem => "problem",
            TicketType::Task => "task",
        })
    }
}

/// A tag: one lowercase word.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Tag(String);

impl Tag {
    /// A tag from a single word (lowercased).
    ///
    /// # Errors
    /// [`TicketError::InvalidTag`] for blank text or white space inside.
    pub fn new(word: &str) -> Result<Self, TicketError> {
        let t = word.trim();
        if t.is_empty() || t.chars().any(char::is_whitespace) {
            return Err(TicketError::InvalidTag(word.to_owned()));
        }
        Ok(Tag(t.to_lowercase()))
    }

    /// The tag text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

validated_string!(Tag, TicketError);
