//! The catalog of field definitions: defining, relabelling, changing
//! options and retiring, and checking values against it.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::{
    FieldDefinition, FieldError, FieldKey, FieldObject, FieldType, FieldValue, MAX_NAME,
    MAX_OPTIONS, MAX_TEXT,
};

/// A checked change of a field's options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OptionChange {
    /// The live options, in order.
    pub options: Vec<String>,
    /// Every retired option: those taken off now and before, not put back.
    pub retired: BTreeSet<String>,
}

/// Every field defined, by key. Changed only through its checked
/// operations, each of which refuses a bad change and changes nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct FieldCatalog(BTreeMap<FieldKey, FieldDefinition>);

impl FieldCatalog {
    /// One field.
    #[must_use]
    pub fn get(&self, key: &FieldKey) -> Option<&FieldDefinition> {
        self.0.get(key)
    }

    /// Every field, by key, retired ones included.
    pub fn iter(&self) -> impl Iterator<Item = &FieldDefinition> {
        self.0.values()
    }

    /// A field, or [`FieldError::UnknownField`].
    ///
    /// # Errors
    /// [`FieldError::UnknownField`].
    pub fn field(&self, key: &FieldKey) -> Result<&FieldDefinition, FieldError> {
        self.0
            .get(key)
            .ok_or_else(|| FieldError::UnknownField(key.clone()))
    }

    /// Checks a new definition: a live field, a label, options, places.
    /// Returns it as it will be recorded (label and options trimmed).
    ///
    /// # Errors
    /// [`FieldError::AlreadyDefined`], [`FieldError::InvalidLabel`],
    /// [`FieldError::InvalidOptions`], [`FieldError::InvalidPlaces`].
    pub fn checked_definition(
        &self,
        definition: FieldDefinition,
    ) -> Result<FieldDefinition, FieldError> {
        let FieldDefinition {
            key,
            label,
            object,
            field_type,
            ..
        } = definition;
        if self.0.contains_key(&key) {
            return Err(FieldError::AlreadyDefined(key));
        }
        let label = checked_label(&key, &label)?;
        let field_type = match field_type {
            FieldType::Dropdown { options } => FieldType::Dropdown {
                options: checked_options(&key, options)?,
            },
            FieldType::MultiSelect { options } => FieldType::MultiSelect {
                options: checked_options(&key, options)?,
            },
            FieldType::Decimal { places } if places > 18 => {
                return Err(FieldError::InvalidPlaces { key, places });
            }
            other => other,
        };
        Ok(FieldDefinition::new(key, &label, object, field_type))
    }

    /// Defines a field (checked as [`FieldCatalog::checked_definition`]).
    ///
    /// # Errors
    /// As [`FieldCatalog::checked_definition`].
    pub fn define(&mut self, definition: FieldDefinition) -> Result<(), FieldError> {
        let d = self.checked_definition(definition)?;
        self.0.insert(d.key.clone(), d);
        Ok(())
    }

    /// Checks a new label for a field; returns it trimmed, or `None` when
    /// it is the label the field has.
    ///
    /// # Errors
    /// [`FieldError::UnknownField`], [`FieldError::InvalidLabel`].
    pub fn checked_label(&self, key: &FieldKey, label: &str) -> Result<Option<String>, FieldError> {
        let field = self.field(key)?;
        let label = checked_label(key, label)?;
        Ok((label != field.label).then_some(label))
    }

    /// Checks a new option list for a dropdown or multi-select. Returns
    /// the list (trimmed) and the options it retires (those on the field
    /// now or retired before, not on the new list), or `None` when nothing
    /// changes.
    ///
    /// ```
    /// use fanatical::field::*;
    /// let mut c = FieldCatalog::default();
    /// let plan = FieldKey::new("plan")?;
    /// c.define(FieldDefinition::new(plan.clone(), "Plan", FieldObject::Ticket, FieldType::dropdown(["basic", "pro"])))?;
    /// let change = c.checked_options(&plan, vec!["pro".into(), "enterprise".into()])?.unwrap();
    /// assert_eq!(change.retired.into_iter().collect::<Vec<_>>(), ["basic"]);
    /// # Ok::<(), FieldError>(())
    /// ```
    ///
    /// # Errors
    /// [`FieldError::UnknownField`], [`FieldError::NoOptions`],
    /// [`FieldError::InvalidOptions`].
    pub fn checked_options(
        &self,
        key: &FieldKey,
        options: Vec<String>,
    ) -> Result<Option<OptionChange>, FieldError> {
        let field = self.field(key)?;
        let Some(now) = field.field_type.options() else {
            return Err(FieldError::NoOptions(key.clone()));
        };
        let options = checked_options(key, options)?;
        let retired: BTreeSet<String> = now
            .iter()
            .chain(&field.retired_options)
            .filter(|o| !options.contains(o))
            .cloned()
            .collect();
        let same = options == now && retired == field.retired_options;
        Ok((!same).then_some(OptionChange { options, retired }))
    }

    /// Records a definition already checked.
    pub(crate) fn insert(&mut self, definition: FieldDefinition) {
        self.0.insert(definition.key.clone(), definition);
    }

    /// Records a new label.
    pub(crate) fn relabel(&mut self, key: &FieldKey, label: &str) {
        if let Some(f) = self.0.get_mut(key) {
            label.clone_into(&mut f.label);
        }
    }

    /// Records a new option list and the options retired.
    pub(crate) fn set_options(
        &mut self,
        key: &FieldKey,
        options: &[String],
        retired: &BTreeSet<String>,
    ) {
        if let Some(f) = self.0.get_mut(key) {
            if let FieldType::Dropdown { options: o } | FieldType::MultiSelect { options: o } =
                &mut f.field_type
            {
                *o = options.to_vec();
            }
            f.retired_options.clone_from(retired);
        }
    }

    /// Records a field's retirement.
    pub(crate) fn retire(&mut self, key: &FieldKey) {
        if let Some(f) = self.0.get_mut(key) {
            f.retired = true;
        }
    }

    /// Checks a value for `key` on `object`, and returns it as it is kept:
    /// text trimmed, a multi-select's options as a set. Accepting a value
    /// it returned accepts it again unchanged.
    ///
    /// # Errors
    /// [`FieldError::UnknownField`], [`FieldError::WrongObject`],
    /// [`FieldError::Retired`], [`FieldError::WrongType`],
    /// [`FieldError::NotAnOption`], [`FieldError::PatternMismatch`],
    /// [`FieldError::TooManyPlaces`], [`FieldError::BadText`].
    pub fn check(
        &self,
        object: FieldObject,
        key: &FieldKey,
        value: FieldValue,
    ) -> Result<FieldValue, FieldError> {
        let field = self.field(key)?;
        if field.object != object {
            return Err(FieldError::WrongObject {
                key: key.clone(),
                belongs: field.object,
                asked: object,
            });
        }
        if field.retired {
            return Err(FieldError::Retired(key.clone()));
        }
        let live = |o: &str, options: &[String]| {
            if options.iter().any(|x| x == o) {
                Ok(())
            } else {
                Err(FieldError::NotAnOption {
                    key: key.clone(),
                    value: o.chars().take(MAX_NAME).collect(),
                })
            }
        };
        match (&field.field_type, value) {
            (FieldType::Text, FieldValue::Text(s)) => Ok(FieldValue::Text(text(key, &s)?)),
            (FieldType::Pattern { pattern }, FieldValue::Text(s)) => {
                let s = text(key, &s)?;
                if pattern.is_match(&s) {
                    Ok(FieldValue::Text(s))
                } else {
                    Err(FieldError::PatternMismatch {
                        key: key.clone(),
                        value: s.chars().take(MAX_NAME).collect(),
                        pattern: pattern.as_str().to_owned(),
                    })
                }
            }
            (FieldType::Number, v @ FieldValue::Number(_))
            | (FieldType::Date, v @ FieldValue::Date(_))
            | (FieldType::Checkbox, v @ FieldValue::Checkbox(_)) => Ok(v),
            (FieldType::Decimal { places }, FieldValue::Decimal(d)) => {
                if d.places() > *places {
                    Err(FieldError::TooManyPlaces {
                        key: key.clone(),
                        value: d,
                        places: *places,
                    })
                } else {
                    Ok(FieldValue::Decimal(d))
                }
            }
            (FieldType::Dropdown { options }, FieldValue::Choice(o)) => {
                live(&o, options)?;
                Ok(FieldValue::Choice(o))
            }
            (FieldType::MultiSelect { options }, FieldValue::Choices(set)) => {
                if set.is_empty() {
                    return Err(FieldError::BadText {
                        key: key.clone(),
                        value: String::new(),
                    });
                }
                for o in &set {
                    live(o, options)?;
                }
                Ok(FieldValue::Choices(set))
            }
            (t, v) => Err(FieldError::WrongType {
                key: key.clone(),
                expected: t.name(),
                value: v.described(),
            }),
        }
    }
}

fn text(key: &FieldKey, s: &str) -> Result<String, FieldError> {
    let t = s.trim();
    if t.is_empty() || t.chars().count() > MAX_TEXT {
        return Err(FieldError::BadText {
            key: key.clone(),
            value: s.chars().take(MAX_NAME).collect(),
        });
    }
    Ok(t.to_owned())
}

fn checked_label(key: &FieldKey, label: &str) -> Result<String, FieldError> {
    let t = label.trim();
    if t.is_empty() || t.chars().count() > MAX_NAME {
        return Err(FieldError::InvalidLabel {
            key: key.clone(),
            label: label.chars().take(MAX_NAME).collect(),
        });
    }
    Ok(t.to_owned())
}

fn checked_options(key: &FieldKey, options: Vec<String>) -> Result<Vec<String>, FieldError> {
    let bad = |reason: String| FieldError::InvalidOptions {
        key: key.clone(),
        reason,
    };
    if options.is_empty() || options.len() > MAX_OPTIONS {
        return Err(bad(format!(
            "{} options; 1 to {MAX_OPTIONS} allowed",
            options.len()
        )));
    }
    let mut seen = BTreeSet::new();
    let mut out = Vec::with_capacity(options.len());
    for o in options {
        let t = o.trim();
        if t.is_empty() || t.chars().count() > MAX_NAME {
            return Err(bad(format!(
                "option {:?} is blank or over {MAX_NAME} characters",
                o.chars().take(MAX_NAME).collect::<String>()
            )));
        }
        if !seen.insert(t.to_owned()) {
            return Err(bad(format!("option {t:?} is repeated")));
        }
        out.push(t.to_owned());
    }
    Ok(out)
}
