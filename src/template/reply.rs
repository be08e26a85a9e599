//! Replies of a desk's own: named texts for macros and triggers ("reply
//! with a template"), in as many of the set's locales as they are written
//! in, all given the same variables.

use super::TemplateError;

/// The variables every reply is given, and the only ones a reply may
/// name: who asked, their organisation, the ticket (id, subject, status,
/// priority) and the agent replying.
pub const REPLY_VARIABLES: &[&str] = &[
    "requester",
    "organisation",
    "ticket",
    "subject",
    "status",
    "priority",
    "agent",
];

/// The name of a reply of the desk's own: 1 to 64 lower-case letters,
/// digits and `-` (`refund-approved`, `outage-apology`).
///
/// ```
/// use fanatical::template::ReplyName;
///
/// assert!(ReplyName::new("refund-approved").is_ok());
/// assert!(ReplyName::new("Refund approved").is_err());
/// ```
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(try_from = "String", into = "String")]
pub struct ReplyName(String);

validated_string!(ReplyName, TemplateError);

impl ReplyName {
    /// The name, checked.
    ///
    /// # Errors
    /// [`TemplateError::InvalidReplyName`] naming the text.
    pub fn new(name: &str) -> Result<Self, TemplateError> {
        let ok = (1..=64).contains(&name.len())
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if ok {
            Ok(ReplyName(name.to_owned()))
        } else {
            Err(TemplateError::InvalidReplyName(
                name.chars().take(64).collect(),
            ))
        }
    }

    /// The name.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}
