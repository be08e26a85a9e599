//! Field values, the values an object holds, the exact-match terms
//! indexes read, and conditions over them.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{Decimal, FieldKey};

/// A value of a field. Which variant a field takes is its
/// [`super::FieldType`]'s: text and patterned text take
/// [`FieldValue::Text`], a dropdown [`FieldValue::Choice`], a multi-select
/// [`FieldValue::Choices`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
#[non_exhaustive]
pub enum FieldValue {
    /// Text.
    Text(String),
    /// A whole number.
    Number(i64),
    /// An exact decimal.
    Decimal(Decimal),
    /// A calendar date.
    Date(NaiveDate),
    /// Yes or no.
    Checkbox(bool),
    /// One option.
    Choice(String),
    /// Some options.
    Choices(BTreeSet<String>),
}

impl FieldValue {
    /// Text.
    #[must_use]
    pub fn text(s: &str) -> Self {
        FieldValue::Text(s.to_owned())
    }
    /// One option.
    #[must_use]
    pub fn choice(s: &str) -> Self {
        FieldValue::Choice(s.to_owned())
    }
    /// Some options.
    #[must_use]
    pub fn choices<S: Into<String>>(options: impl IntoIterator<Item = S>) -> Self {
        FieldValue::Choices(options.into_iter().map(Into::into).collect())
    }

    /// The value's type, by name, with the value: how errors name it.
    #[must_use]
    pub fn described(&self) -> String {
        let kind = match self {
            FieldValue::Text(_) => "text",
            FieldValue::Number(_) => "number",
            FieldValue::Decimal(_) => "decimal",
            FieldValue::Date(_) => "date",
            FieldValue::Checkbox(_) => "checkbox",
            FieldValue::Choice(_) => "option",
            FieldValue::Choices(_) => "options",
        };
        let shown: String = self.to_string().chars().take(100).collect();
        format!("{kind} {shown:?}")
    }

    /// The value as exact-match terms: one, or one per option of a
    /// multi-select.
    pub fn terms(&self) -> impl Iterator<Item = FieldTerm> + '_ {
        let (one, many) = match self {
            FieldValue::Text(s) => (Some(FieldTerm::Text(s.clone())), None),
            FieldValue::Number(n) => (Some(FieldTerm::Number(*n)), None),
            FieldValue::Decimal(d) => (Some(FieldTerm::Decimal(*d)), None),
            FieldValue::Date(d) => (Some(FieldTerm::Date(*d)), None),
            FieldValue::Checkbox(b) => (Some(FieldTerm::Checkbox(*b)), None),
            FieldValue::Choice(s) => (Some(FieldTerm::Option(s.clone())), None),
            FieldValue::Choices(set) => (None, Some(set.iter())),
        };
        one.into_iter().chain(
            many.into_iter()
                .flatten()
                .map(|s| FieldTerm::Option(s.clone())),
        )
    }
}

impl fmt::Display for FieldValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FieldValue::Text(s) | FieldValue::Choice(s) => f.write_str(s),
            FieldValue::Number(n) => write!(f, "{n}"),
            FieldValue::Decimal(d) => write!(f, "{d}"),
            FieldValue::Date(d) => write!(f, "{d}"),
            FieldValue::Checkbox(b) => write!(f, "{b}"),
            FieldValue::Choices(set) => f.write_str(
                &set.iter()
                    .map(String::as_str)
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
        }
    }
}

/// One exact-match term of a value (an index key): the value itself, or
/// one option of a multi-select. Dropdown and multi-select options are
/// both [`FieldTerm::Option`], so one condition or index serves both.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
#[non_exhaustive]
pub enum FieldTerm {
    /// Text.
    Text(String),
    /// A whole number.
    Number(i64),
    /// A decimal.
    Decimal(Decimal),
    /// A date.
    Date(NaiveDate),
    /// Yes or no.
    Checkbox(bool),
    /// An option.
    Option(String),
}

impl FieldTerm {
    /// An option.
    #[must_use]
    pub fn option(s: &str) -> Self {
        FieldTerm::Option(s.to_owned())
    }
}

impl fmt::Display for FieldTerm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FieldTerm::Text(s) | FieldTerm::Option(s) => f.write_str(s),
            FieldTerm::Number(n) => write!(f, "{n}"),
            FieldTerm::Decimal(d) => write!(f, "{d}"),
            FieldTerm::Date(d) => write!(f, "{d}"),
            FieldTerm::Checkbox(b) => write!(f, "{b}"),
        }
    }
}

/// The field values a ticket, customer or contact holds, by key.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct FieldValues(BTreeMap<FieldKey, FieldValue>);

impl FieldValues {
    /// No values, as a constant (for a static to borrow).
    pub const EMPTY: FieldValues = FieldValues(BTreeMap::new());

    /// No values.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }
    /// One field's value.
    #[must_use]
    pub fn get(&self, key: &FieldKey) -> Option<&FieldValue> {
        self.0.get(key)
    }
    /// Every value, by key.
    pub fn iter(&self) -> impl Iterator<Item = (&FieldKey, &FieldValue)> {
        self.0.iter()
    }
    /// Whether there are none.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// How many fields have values.
    #[must_use]
    pub fn len(&self) -> usize {
        self.0.len()
    }
    /// Every value as exact-match terms, by key (a multi-select gives one
    /// per option): what an index over field values is built from.
    ///
    /// ```
    /// use fanatical::field::{FieldKey, FieldTerm, FieldValue, FieldValues};
    /// let mut v = FieldValues::new();
    /// v.insert(FieldKey::new("regions")?, FieldValue::choices(["eu", "us"]));
    /// let terms: Vec<_> = v.terms().map(|(k, t)| (k.as_str(), t)).collect();
    /// assert_eq!(terms, [("regions", FieldTerm::option("eu")), ("regions", FieldTerm::option("us"))]);
    /// # Ok::<(), fanatical::field::FieldError>(())
    /// ```
    pub fn terms(&self) -> impl Iterator<Item = (&FieldKey, FieldTerm)> {
        self.0
            .iter()
            .flat_map(|(k, v)| v.terms().map(move |t| (k, t)))
    }
    /// Sets a value (unchecked: values reach the model through
    /// [`super::FieldCatalog::check`]). Returns the one it replaced.
    pub fn insert(&mut self, key: FieldKey, value: FieldValue) -> Option<FieldValue> {
        self.0.insert(key, value)
    }
    /// Clears a value. Returns it.
    pub fn remove(&mut self, key: &FieldKey) -> Option<FieldValue> {
        self.0.remove(key)
    }
    /// Clears every value.
    pub fn clear(&mut self) {
        self.0.clear();
    }
}

impl FromIterator<(FieldKey, FieldValue)> for FieldValues {
    fn from_iter<I: IntoIterator<Item = (FieldKey, FieldValue)>>(iter: I) -> Self {
        FieldValues(iter.into_iter().collect())
    }
}

impl<'a> IntoIterator for &'a FieldValues {
    type Item = (&'a FieldKey, &'a FieldValue);
    type IntoIter = std::collections::btree_map::Iter<'a, FieldKey, FieldValue>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

/// What a [`FieldCondition`] asks of a field's value.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "test", content = "value", rename_all = "snake_case")]
#[non_exhaustive]
pub enum FieldTest {
    /// Has a value.
    Set,
    /// Has none.
    Empty,
    /// Has one of these terms (a multi-select: any of its options).
    AnyOf(BTreeSet<FieldTerm>),
    /// A number, decimal or date at least `min` and at most `max` (each
    /// bound optional; a bound of another kind than the value never
    /// holds).
    Between {
        /// The least, if any.
        min: Option<FieldTerm>,
        /// The most, if any.
        max: Option<FieldTerm>,
    },
}

/// A condition on one field's value, as SLA policies, escalation rules
/// and routing use them.
///
/// ```
/// use fanatical::field::{FieldCondition, FieldKey, FieldTerm, FieldValue, FieldValues};
/// let plan = FieldKey::new("plan")?;
/// let enterprise = FieldCondition::any_of(plan.clone(), [FieldTerm::option("enterprise")]);
/// let mut v = FieldValues::new();
/// assert!(!enterprise.matches(&v));
/// v.insert(plan, FieldValue::choice("enterprise"));
/// assert!(enterprise.matches(&v));
/// # Ok::<(), fanatical::field::FieldError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct FieldCondition {
    /// The field.
    pub key: FieldKey,
    /// What its value must be.
    pub test: FieldTest,
}

impl FieldCondition {
    /// The field has one of `terms`.
    #[must_use]
    pub fn any_of(key: FieldKey, terms: impl IntoIterator<Item = FieldTerm>) -> Self {
        FieldCondition {
            key,
            test: FieldTest::AnyOf(terms.into_iter().collect()),
        }
    }

    /// The field has a value.
    #[must_use]
    pub fn set(key: FieldKey) -> Self {
        FieldCondition {
            key,
            test: FieldTest::Set,
        }
    }

    /// The field's number, decimal or date is within the bounds.
    #[must_use]
    pub fn between(key: FieldKey, min: Option<FieldTerm>, max: Option<FieldTerm>) -> Self {
        FieldCondition {
            key,
            test: FieldTest::Between { min, max },
        }
    }

    /// Whether `values` satisfy it.
    #[must_use]
    pub fn matches(&self, values: &FieldValues) -> bool {
        let value = values.get(&self.key);
        match &self.test {
            FieldTest::Set => value.is_some(),
            FieldTest::Empty => value.is_none(),
            FieldTest::AnyOf(terms) => value.is_some_and(|v| v.terms().any(|t| terms.contains(&t))),
            FieldTest::Between { min, max } => value.is_some_and(|v| {
                v.terms()
                    .any(|t| term_between(&t, min.as_ref(), max.as_ref()))
            }),
        }
    }

    /// A short description for explanations: `plan in enterprise/pro`.
    #[must_use]
    pub fn describe(&self) -> String {
        match &self.test {
            FieldTest::Set => format!("{} set", self.key),
            FieldTest::Empty => format!("{} empty", self.key),
            FieldTest::AnyOf(terms) => format!(
                "{} in {}",
                self.key,
                terms
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("/")
            ),
            FieldTest::Between { min, max } => {
                let show = |b: &Option<FieldTerm>| b.as_ref().map(ToString::to_string);
                format!(
                    "{} between {} and {}",
                    self.key,
                    show(min).unwrap_or_else(|| "-".to_owned()),
                    show(max).unwrap_or_else(|| "-".to_owned())
                )
            }
        }
    }
}

/// Whether a term is a number, decimal or date at least `min` and at most
/// `max` of its own kind (each bound optional): what
/// [`FieldTest::Between`] asks of a value's terms (the queue index asks
/// it of the terms it keeps).
pub(crate) fn term_between(
    t: &FieldTerm,
    min: Option<&FieldTerm>,
    max: Option<&FieldTerm>,
) -> bool {
    let ordered = |a: &FieldTerm, b: &FieldTerm| {
        std::mem::discriminant(a) == std::mem::discriminant(b)
            && matches!(
                a,
                FieldTerm::Number(_) | FieldTerm::Decimal(_) | FieldTerm::Date(_)
            )
    };
    min.is_none_or(|m| ordered(t, m) && t >= m)
        && max.is_none_or(|m| ordered(t, m) && t <= m)
        && ordered(t, t)
}
