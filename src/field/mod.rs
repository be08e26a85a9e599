//! Custom fields: typed values on tickets, customers (the organisation's
//! account) and contacts (its people), defined by configuration.
//!
//! A [`FieldDefinition`] names a field by a stable one-word [`FieldKey`],
//! labels it, says which [`FieldObject`] it belongs on and its
//! [`FieldType`]: text, a whole number, an exact decimal, a date, a
//! checkbox, a dropdown or multi-select over options, or text that must
//! match a pattern. A [`FieldCatalog`] holds the definitions and checks
//! every value set on anything: a value of the wrong type, outside the
//! options, on an unknown or retired field, on a field of another object,
//! or not matching its pattern is a [`FieldError`] naming the field and
//! the value.
//!
//! Definitions change by configuration events (see `crate::form`, which
//! records them with the forms of each ticket type). Retiring an option
//! keeps the values that hold it readable (and matched by conditions) but
//! refuses it in new values; retiring a field keeps its values readable and
//! refuses new ones.
//!
//! [`FieldValues`] are what a ticket, customer or contact holds;
//! [`FieldValues::terms`] lists them as exact-match [`FieldTerm`]s (one
//! per option of a multi-select) for indexes, and a [`FieldCondition`]
//! tests them in SLA policies, escalation rules, routing and queues
//! ([`crate::queue::Filter::Field`]).
//!
//! # Example
//! ```
//! use fanatical::field::*;
//!
//! let mut catalog = FieldCatalog::default();
//! let plan = FieldKey::new("plan")?;
//! catalog.define(FieldDefinition::new(
//!     plan.clone(),
//!     "Plan",
//!     FieldObject::Ticket,
//!     FieldType::dropdown(["basic", "enterprise"]),
//! ))?;
//! let ok = catalog.check(FieldObject::Ticket, &plan, FieldValue::choice("enterprise"))?;
//! assert_eq!(ok.to_string(), "enterprise");
//! // Outside the options: refused, naming the field and the value.
//! let err = catalog.check(FieldObject::Ticket, &plan, FieldValue::choice("gold")).unwrap_err();
//! assert_eq!(err.to_string(), "field plan: \"gold\" is not one of its options");
//! # Ok::<(), FieldError>(())
//! ```

mod catalog;
mod decimal;
mod pattern;
mod value;

use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Serialize};

pub use catalog::{FieldCatalog, OptionChange};
pub use decimal::Decimal;
pub use pattern::Pattern;
pub(crate) use value::term_between;
pub use value::{FieldCondition, FieldTerm, FieldTest, FieldValue, FieldValues};

use crate::id::TicketId;

/// The longest text value, in characters.
pub const MAX_TEXT: usize = 4096;
/// The most options a dropdown or multi-select may have.
pub const MAX_OPTIONS: usize = 1000;
/// The longest option, label or key, in characters.
pub const MAX_NAME: usize = 100;

/// Why a field definition or value was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FieldError {
    /// A key that is not one lowercase word (letters, digits, `_`, `-`,
    /// starting with a letter, at most 100 characters).
    #[error("invalid field key {0:?}: one lowercase word starting with a letter")]
    InvalidKey(String),
    /// A blank or overlong label.
    #[error("field {key}: label must be 1 to 100 characters, not {label:?}")]
    InvalidLabel {
        /// The field.
        key: FieldKey,
        /// The label given.
        label: String,
    },
    /// A field defined twice.
    #[error("field {0} is already defined")]
    AlreadyDefined(FieldKey),
    /// No field by that key.
    #[error("unknown field {0}")]
    UnknownField(FieldKey),
    /// A field set on an object it does not belong on.
    #[error("field {key} belongs on {belongs}, not on {asked}")]
    WrongObject {
        /// The field.
        key: FieldKey,
        /// What it is defined on.
        belongs: FieldObject,
        /// Where a value was given.
        asked: FieldObject,
    },
    /// A new value for a retired field.
    #[error("field {0} is retired: it takes no new values")]
    Retired(FieldKey),
    /// A value of another type than the field's.
    #[error("field {key} takes {expected}, not {value}")]
    WrongType {
        /// The field.
        key: FieldKey,
        /// The field's type, by name.
        expected: &'static str,
        /// The value given, with its type.
        value: String,
    },
    /// A dropdown or multi-select value outside the field's options (or a
    /// retired option).
    #[error("field {key}: {value:?} is not one of its options")]
    NotAnOption {
        /// The field.
        key: FieldKey,
        /// The value given.
        value: String,
    },
    /// Text that does not match the field's pattern.
    #[error("field {key}: {value:?} does not match the pattern {pattern:?}")]
    PatternMismatch {
        /// The field.
        key: FieldKey,
        /// The value given.
        value: String,
        /// The pattern.
        pattern: String,
    },
    /// A decimal with more places than the field keeps (values are never
    /// rounded).
    #[error("field {key}: {value} has more than {places} decimal places")]
    TooManyPlaces {
        /// The field.
        key: FieldKey,
        /// The value given.
        value: Decimal,
        /// The places the field keeps.
        places: u8,
    },
    /// A blank text, an empty multi-select, or text over [`MAX_TEXT`]
    /// characters (clear a field instead of setting it empty).
    #[error("field {key}: {value:?} is empty or longer than {MAX_TEXT} characters")]
    BadText {
        /// The field.
        key: FieldKey,
        /// The value given (cut to its first 100 characters).
        value: String,
    },
    /// Text that is not a decimal number.
    #[error(
        "invalid decimal {0:?}: digits with an optional sign and point, within a 64-bit integer and 18 places"
    )]
    InvalidDecimal(String),
    /// A decimal field keeping more than 18 places.
    #[error("field {key}: {places} decimal places is more than 18")]
    InvalidPlaces {
        /// The field.
        key: FieldKey,
        /// The places asked for.
        places: u8,
    },
    /// A pattern that does not compile, is over 256 bytes, or would build
    /// a matcher over its size limit.
    #[error("invalid pattern {pattern:?}: {reason}")]
    InvalidPattern {
        /// The pattern (cut to its first 100 characters).
        pattern: String,
        /// Why.
        reason: String,
    },
    /// An option that is blank, overlong, repeated, or a list with none or
    /// more than [`MAX_OPTIONS`].
    #[error("field {key}: invalid options ({reason})")]
    InvalidOptions {
        /// The field.
        key: FieldKey,
        /// What is wrong.
        reason: String,
    },
    /// Options changed on a field that has none.
    #[error("field {0} has no options to change")]
    NoOptions(FieldKey),
    /// A field in a form twice, or required without being on it.
    #[error("form: field {0} is repeated, or required without being on the form")]
    InvalidForm(FieldKey),
    /// A field set on a ticket whose type's form does not have it.
    #[error("field {key} is not on the form for {ticket_type} tickets")]
    NotOnForm {
        /// The field.
        key: FieldKey,
        /// The ticket's type.
        ticket_type: String,
    },
    /// Solving a ticket whose form requires fields that are empty.
    #[error("ticket {ticket} cannot be solved before its required fields are set: {}", keys(.fields))]
    RequiredMissing {
        /// The ticket.
        ticket: TicketId,
        /// The empty required fields.
        fields: Vec<FieldKey>,
    },
}

fn keys(fields: &[FieldKey]) -> String {
    fields
        .iter()
        .map(FieldKey::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}

/// A field's stable key: one lowercase word (ASCII letters, digits, `_` and
/// `-`, starting with a letter), at most 100 characters. Its label may
/// change; its key never does.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct FieldKey(String);

impl FieldKey {
    /// A key from one word (lowercased).
    ///
    /// # Errors
    /// [`FieldError::InvalidKey`].
    pub fn new(word: &str) -> Result<Self, FieldError> {
        let k = word.trim().to_ascii_lowercase();
        let ok = k.len() <= MAX_NAME
            && k.starts_with(|c: char| c.is_ascii_lowercase())
            && k.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
        if ok {
            Ok(FieldKey(k))
        } else {
            Err(FieldError::InvalidKey(word.to_owned()))
        }
    }

    /// The key.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

validated_string!(FieldKey, FieldError);

/// What a field belongs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldObject {
    /// Tickets.
    Ticket,
    /// Customers: the organisation's account.
    Customer,
    /// Contacts: the customer's people (their values are personal data,
    /// erased with them).
    Contact,
}

impl fmt::Display for FieldObject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FieldObject::Ticket => "tickets",
            FieldObject::Customer => "customers",
            FieldObject::Contact => "contacts",
        })
    }
}

/// What values a field takes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum FieldType {
    /// Free text (1 to [`MAX_TEXT`] characters): [`FieldValue::Text`].
    Text,
    /// A whole number: [`FieldValue::Number`].
    Number,
    /// An exact decimal with at most `places` digits after the point:
    /// [`FieldValue::Decimal`].
    Decimal {
        /// Decimal places kept (0 to 18).
        places: u8,
    },
    /// A calendar date: [`FieldValue::Date`].
    Date,
    /// Yes or no: [`FieldValue::Checkbox`].
    Checkbox,
    /// One of the options: [`FieldValue::Choice`].
    Dropdown {
        /// The options, in the order shown.
        options: Vec<String>,
    },
    /// Any non-empty set of the options: [`FieldValue::Choices`].
    MultiSelect {
        /// The options, in the order shown.
        options: Vec<String>,
    },
    /// Text matching a pattern (whole text; a `regex` crate pattern, at
    /// most 256 bytes): [`FieldValue::Text`].
    Pattern {
        /// The pattern.
        pattern: Pattern,
    },
}

impl FieldType {
    /// A dropdown over `options` (checked when the field is defined).
    #[must_use]
    pub fn dropdown<S: Into<String>>(options: impl IntoIterator<Item = S>) -> Self {
        FieldType::Dropdown {
            options: options.into_iter().map(Into::into).collect(),
        }
    }

    /// A multi-select over `options` (checked when the field is defined).
    #[must_use]
    pub fn multi_select<S: Into<String>>(options: impl IntoIterator<Item = S>) -> Self {
        FieldType::MultiSelect {
            options: options.into_iter().map(Into::into).collect(),
        }
    }

    /// Text matching `pattern`.
    ///
    /// # Errors
    /// [`FieldError::InvalidPattern`].
    pub fn pattern(pattern: &str) -> Result<Self, FieldError> {
        Ok(FieldType::Pattern {
            pattern: Pattern::new(pattern)?,
        })
    }

    /// The type's name, as errors say it.
    #[must_use]
    pub fn name(&self) -> &'static str {
        match self {
            FieldType::Text => "text",
            FieldType::Number => "a number",
            FieldType::Decimal { .. } => "a decimal",
            FieldType::Date => "a date",
            FieldType::Checkbox => "a checkbox",
            FieldType::Dropdown { .. } => "one option",
            FieldType::MultiSelect { .. } => "options",
            FieldType::Pattern { .. } => "patterned text",
        }
    }

    /// The options of a dropdown or multi-select.
    #[must_use]
    pub fn options(&self) -> Option<&[String]> {
        match self {
            FieldType::Dropdown { options } | FieldType::MultiSelect { options } => Some(options),
            _ => None,
        }
    }
}

/// A field: its key, label, object and type, and what has been retired.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FieldDefinition {
    /// The stable key.
    pub key: FieldKey,
    /// What people see.
    pub label: String,
    /// What it belongs on.
    pub object: FieldObject,
    /// What values it takes.
    pub field_type: FieldType,
    /// Retired: its values stay readable; it takes no new ones.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub retired: bool,
    /// Options taken off the list: values holding them stay readable, new
    /// values may not use them.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub retired_options: BTreeSet<String>,
}

impl FieldDefinition {
    /// A live field.
    #[must_use]
    pub fn new(key: FieldKey, label: &str, object: FieldObject, field_type: FieldType) -> Self {
        FieldDefinition {
            key,
            label: label.to_owned(),
            object,
            field_type,
            retired: false,
            retired_options: BTreeSet::new(),
        }
    }
}

#[cfg(test)]
mod tests;
