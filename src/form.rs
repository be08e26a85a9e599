//! Custom-field configuration: the field catalog and the form of each
//! ticket type, changed by [`FieldAction`]s recorded as [`FieldsEvent`]s
//! on their own stream (an administrative act, audited with its actor).
//!
//! A [`Form`] says which ticket fields apply to tickets of a type, and
//! which of them must be set before such a ticket is solved. A ticket
//! type without a form takes every ticket field and requires none.
//!
//! # Example
//! ```
//! use chrono::{TimeZone, Utc};
//! use fanatical::field::{FieldDefinition, FieldKey, FieldObject, FieldType, FieldValue, FieldValues};
//! use fanatical::form::{FieldAction, FieldConfig, Form};
//! use fanatical::ticket::TicketType;
//!
//! let now = Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap();
//! let cause = FieldKey::new("root_cause")?;
//! let mut config = FieldConfig::default();
//! for action in [
//!     FieldAction::Define { definition: FieldDefinition::new(cause.clone(), "Root cause", FieldObject::Ticket,
//!         FieldType::dropdown(["hardware", "software", "network"])) },
//!     FieldAction::SetForm { ticket_type: TicketType::Incident,
//!         form: Some(Form::new([cause.clone()]).requiring([cause.clone()])) },
//! ] {
//!     for e in config.handle(action, now)? { config.apply(&e); }
//! }
//! // An incident cannot be solved without its root cause.
//! assert_eq!(config.missing_before_solve(TicketType::Incident, &FieldValues::new()), [cause.clone()]);
//! let set: FieldValues = [(cause, FieldValue::choice("network"))].into_iter().collect();
//! assert!(config.missing_before_solve(TicketType::Incident, &set).is_empty());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::field::{
    FieldCatalog, FieldDefinition, FieldError, FieldKey, FieldObject, FieldValue, FieldValues,
};
use crate::ticket::TicketType;

/// A change to the field configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
#[non_exhaustive]
pub enum FieldAction {
    /// Define a field.
    Define {
        /// The field (live, nothing retired).
        definition: FieldDefinition,
    },
    /// Change a field's label (its key never changes).
    Relabel {
        /// The field.
        key: FieldKey,
        /// The new label.
        label: String,
    },
    /// Replace a dropdown's or multi-select's options. Options left off
    /// are retired: values holding them stay readable (in views and
    /// conditions) but new values may not use them; putting one back
    /// brings it back.
    SetOptions {
        /// The field.
        key: FieldKey,
        /// The options, in the order shown.
        options: Vec<String>,
    },
    /// Retire a field: its values stay readable; it takes no new ones,
    /// and no form requires it any more.
    Retire {
        /// The field.
        key: FieldKey,
    },
    /// Set (or with `None` remove) the form of a ticket type.
    SetForm {
        /// The ticket type.
        ticket_type: TicketType,
        /// The form.
        form: Option<Form>,
    },
}

/// Which ticket fields apply to a ticket type, in the order shown, and
/// which must be set before solving.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Form {
    /// The fields that apply.
    pub fields: Vec<FieldKey>,
    /// Those that must be set before solving (each one of `fields`).
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub required: BTreeSet<FieldKey>,
}

impl Form {
    /// A form of these fields, none required.
    #[must_use]
    pub fn new(fields: impl IntoIterator<Item = FieldKey>) -> Self {
        Form {
            fields: fields.into_iter().collect(),
            required: BTreeSet::new(),
        }
    }

    /// With these fields required before solving.
    #[must_use]
    pub fn requiring(mut self, required: impl IntoIterator<Item = FieldKey>) -> Self {
        self.required = required.into_iter().collect();
        self
    }
}

/// A change to the field configuration, recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldsEvent {
    /// When.
    pub at: DateTime<Utc>,
    /// What.
    pub kind: FieldsEventKind,
}

/// What changed in the field configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum FieldsEventKind {
    /// A field was defined.
    Defined {
        /// The field.
        definition: FieldDefinition,
    },
    /// A field was relabelled.
    Relabelled {
        /// The field.
        key: FieldKey,
        /// Its new label.
        label: String,
    },
    /// A field's options changed.
    OptionsSet {
        /// The field.
        key: FieldKey,
        /// The live options, in order.
        options: Vec<String>,
        /// Every retired option.
        retired: BTreeSet<String>,
    },
    /// A field was retired.
    Retired {
        /// The field.
        key: FieldKey,
    },
    /// A ticket type's form was set or removed.
    FormSet {
        /// The ticket type.
        ticket_type: TicketType,
        /// The form; `None` when removed.
        form: Option<Form>,
    },
}

/// The field catalog and the forms: a fold of [`FieldsEvent`]s.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FieldConfig {
    /// Every field.
    #[serde(default)]
    catalog: FieldCatalog,
    /// The form of each ticket type that has one.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    forms: BTreeMap<TicketType, Form>,
}

impl FieldConfig {
    /// Whether nothing is configured.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.catalog.iter().next().is_none() && self.forms.is_empty()
    }

    /// The fields.
    #[must_use]
    pub fn catalog(&self) -> &FieldCatalog {
        &self.catalog
    }

    /// A ticket type's form, if it has one.
    #[must_use]
    pub fn form(&self, ticket_type: TicketType) -> Option<&Form> {
        self.forms.get(&ticket_type)
    }

    /// Decides a change. A change to what is already so decides nothing.
    ///
    /// # Errors
    /// The [`FieldError`] of the definition, label, options or form at
    /// fault: an unknown field, a form naming a field that is not a live
    /// ticket field ([`FieldError::WrongObject`], [`FieldError::Retired`]),
    /// a field repeated on a form or required off it
    /// ([`FieldError::InvalidForm`]).
    pub fn handle(
        &self,
        action: FieldAction,
        now: DateTime<Utc>,
    ) -> Result<Vec<FieldsEvent>, FieldError> {
        use FieldsEventKind as K;
        let kind = match action {
            FieldAction::Define { definition } => Some(K::Defined {
                definition: self.catalog.checked_definition(definition)?,
            }),
            FieldAction::Relabel { key, label } => self
                .catalog
                .checked_label(&key, &label)?
                .map(|label| K::Relabelled { key, label }),
            FieldAction::SetOptions { key, options } => self
                .catalog
                .checked_options(&key, options)?
                .map(|c| K::OptionsSet {
                    key,
                    options: c.options,
                    retired: c.retired,
                }),
            FieldAction::Retire { key } => {
                let f = self.catalog.field(&key)?;
                (!f.retired).then_some(K::Retired { key })
            }
            FieldAction::SetForm { ticket_type, form } => {
                if let Some(f) = &form {
                    self.check_form(f)?;
                }
                (self.forms.get(&ticket_type) != form.as_ref())
                    .then_some(K::FormSet { ticket_type, form })
            }
        };
        Ok(kind
            .map(|kind| FieldsEvent { at: now, kind })
            .into_iter()
            .collect())
    }

    fn check_form(&self, form: &Form) -> Result<(), FieldError> {
        let mut seen = BTreeSet::new();
        for key in &form.fields {
            let f = self.catalog.field(key)?;
            if f.object != FieldObject::Ticket {
                return Err(FieldError::WrongObject {
                    key: key.clone(),
                    belongs: f.object,
                    asked: FieldObject::Ticket,
                });
            }
            if f.retired {
                return Err(FieldError::Retired(key.clone()));
            }
            if !seen.insert(key) {
                return Err(FieldError::InvalidForm(key.clone()));
            }
        }
        if let Some(off) = form.required.iter().find(|k| !seen.contains(k)) {
            return Err(FieldError::InvalidForm(off.clone()));
        }
        Ok(())
    }

    /// Folds a change in.
    pub fn apply(&mut self, event: &FieldsEvent) {
        use FieldsEventKind as K;
        match &event.kind {
            K::Defined { definition } => self.catalog.insert(definition.clone()),
            K::Relabelled { key, label } => self.catalog.relabel(key, label),
            K::OptionsSet {
                key,
                options,
                retired,
            } => self.catalog.set_options(key, options, retired),
            K::Retired { key } => self.catalog.retire(key),
            K::FormSet { ticket_type, form } => match form {
                Some(f) => {
                    self.forms.insert(*ticket_type, f.clone());
                }
                None => {
                    self.forms.remove(ticket_type);
                }
            },
        }
    }

    /// Checks a value for a ticket of `ticket_type`: as
    /// [`FieldCatalog::check`] on tickets, and the field must be on the
    /// type's form when it has one.
    ///
    /// # Errors
    /// As [`FieldCatalog::check`]; [`FieldError::NotOnForm`].
    pub fn check_ticket(
        &self,
        ticket_type: TicketType,
        key: &FieldKey,
        value: FieldValue,
    ) -> Result<FieldValue, FieldError> {
        let value = self.catalog.check(FieldObject::Ticket, key, value)?;
        self.on_form(ticket_type, key)?;
        Ok(value)
    }

    /// Checks that a ticket field may be cleared on a ticket of
    /// `ticket_type`: a known ticket field (retired ones may be cleared).
    ///
    /// # Errors
    /// [`FieldError::UnknownField`], [`FieldError::WrongObject`].
    pub fn check_clear(&self, object: FieldObject, key: &FieldKey) -> Result<(), FieldError> {
        let f = self.catalog.field(key)?;
        if f.object != object {
            return Err(FieldError::WrongObject {
                key: key.clone(),
                belongs: f.object,
                asked: object,
            });
        }
        Ok(())
    }

    fn on_form(&self, ticket_type: TicketType, key: &FieldKey) -> Result<(), FieldError> {
        match self.forms.get(&ticket_type) {
            Some(form) if !form.fields.contains(key) => Err(FieldError::NotOnForm {
                key: key.clone(),
                ticket_type: ticket_type.to_string(),
            }),
            _ => Ok(()),
        }
    }

    /// The fields a ticket of `ticket_type` holding `values` still needs
    /// before it may be solved: its form's required fields that are empty
    /// (retired fields are never required).
    #[must_use]
    pub fn missing_before_solve(
        &self,
        ticket_type: TicketType,
        values: &FieldValues,
    ) -> Vec<FieldKey> {
        self.forms.get(&ticket_type).map_or_else(Vec::new, |form| {
            form.required
                .iter()
                .filter(|k| values.get(k).is_none())
                .filter(|k| self.catalog.get(k).is_some_and(|f| !f.retired))
                .cloned()
                .collect()
        })
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::field::FieldType;

    fn key(s: &str) -> FieldKey {
        FieldKey::new(s).unwrap()
    }

    fn run(config: &mut FieldConfig, action: FieldAction) -> Result<usize, FieldError> {
        let now = Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap();
        let events = config.handle(action, now)?;
        for e in &events {
            config.apply(e);
        }
        Ok(events.len())
    }

    fn config() -> FieldConfig {
        let mut c = FieldConfig::default();
        for (k, o) in [
            ("cause", FieldObject::Ticket),
            ("seats", FieldObject::Customer),
        ] {
            let definition = FieldDefinition::new(key(k), k, o, FieldType::Text);
            run(&mut c, FieldAction::Define { definition }).unwrap();
        }
        c
    }

    #[test]
    fn forms_name_live_ticket_fields_once() {
        let mut c = config();
        let before = c.clone();
        let set = |form| FieldAction::SetForm {
            ticket_type: TicketType::Incident,
            form: Some(form),
        };
        for (form, err) in [
            (
                Form::new([key("nope")]),
                FieldError::UnknownField(key("nope")),
            ),
            (
                Form::new([key("seats")]),
                FieldError::WrongObject {
                    key: key("seats"),
                    belongs: FieldObject::Customer,
                    asked: FieldObject::Ticket,
                },
            ),
            (
                Form::new([key("cause"), key("cause")]),
                FieldError::InvalidForm(key("cause")),
            ),
            (
                Form::new([]).requiring([key("cause")]),
                FieldError::InvalidForm(key("cause")),
            ),
        ] {
            assert_eq!(run(&mut c, set(form)), Err(err));
        }
        assert_eq!(c, before);
        let form = Form::new([key("cause")]).requiring([key("cause")]);
        assert_eq!(run(&mut c, set(form.clone())), Ok(1));
        assert_eq!(
            run(&mut c, set(form)),
            Ok(0),
            "the same form again is no change"
        );
        assert_eq!(
            c.check_ticket(TicketType::Question, &key("cause"), FieldValue::text("x")),
            Ok(FieldValue::text("x")),
            "a type without a form takes every ticket field"
        );
        assert_eq!(
            c.missing_before_solve(TicketType::Incident, &FieldValues::new()),
            [key("cause")]
        );
        run(&mut c, FieldAction::Retire { key: key("cause") }).unwrap();
        assert!(
            c.missing_before_solve(TicketType::Incident, &FieldValues::new())
                .is_empty()
        );
    }

    #[test]
    fn fields_off_the_form_are_refused() {
        let mut c = config();
        let other =
            FieldDefinition::new(key("other"), "Other", FieldObject::Ticket, FieldType::Text);
        run(&mut c, FieldAction::Define { definition: other }).unwrap();
        let form = Some(Form::new([key("cause")]));
        run(
            &mut c,
            FieldAction::SetForm {
                ticket_type: TicketType::Task,
                form,
            },
        )
        .unwrap();
        assert_eq!(
            c.check_ticket(TicketType::Task, &key("other"), FieldValue::text("x")),
            Err(FieldError::NotOnForm {
                key: key("other"),
                ticket_type: "task".into()
            })
        );
    }

    #[test]
    fn relabelling_and_retiring_record_changes_once() {
        let mut c = config();
        let relabel = |label: &str| FieldAction::Relabel {
            key: key("cause"),
            label: label.into(),
        };
        assert_eq!(run(&mut c, relabel("Root cause")), Ok(1));
        assert_eq!(run(&mut c, relabel(" Root cause ")), Ok(0));
        assert_eq!(c.catalog().get(&key("cause")).unwrap().label, "Root cause");
        assert_eq!(
            run(&mut c, FieldAction::Retire { key: key("cause") }),
            Ok(1)
        );
        assert_eq!(
            run(&mut c, FieldAction::Retire { key: key("cause") }),
            Ok(0)
        );
        assert_eq!(
            run(&mut c, FieldAction::Retire { key: key("gone") }),
            Err(FieldError::UnknownField(key("gone")))
        );
    }
}
