//! The command area: every idempotency key the desk has accepted, with a
//! fingerprint of its command and where its events were recorded.

use std::collections::BTreeMap;

use super::FirstOutcome;
use crate::actor::CommandKey;
use crate::event::{CommandEvent, CommandEventKind};

/// One accepted keyed command.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(super) struct Accepted {
    /// A fingerprint of its actor and action.
    pub(super) fingerprint: u64,
    /// Whether the fingerprint is the debug-form hash records before
    /// schema 3 carry (`legacy_fingerprint`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub(super) debug_form: bool,
    /// Where its events were recorded.
    pub(super) outcome: FirstOutcome,
}

/// Every accepted idempotency key: a fold of the command streams and of
/// the key every recorded event carries.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(super) struct Commands {
    accepted: BTreeMap<CommandKey, Accepted>,
}

impl Commands {
    /// The accepted command with this key.
    pub(super) fn get(&self, key: &CommandKey) -> Option<&Accepted> {
        self.accepted.get(key)
    }

    /// Folds a command's acceptance, recorded at `position` in wire
    /// format `schema`.
    pub(super) fn apply(&mut self, position: u64, schema: u32, e: &CommandEvent) {
        match &e.kind {
            CommandEventKind::Accepted { key, fingerprint } => {
                self.accepted.insert(
                    key.clone(),
                    Accepted {
                        fingerprint: *fingerprint,
                        debug_form: schema < 3,
                        outcome: FirstOutcome {
                            first: position,
                            last: position,
                        },
                    },
                );
            }
        }
    }

    /// Marks every key as accepted with the debug-form fingerprint (a
    /// snapshot folded before schema 3).
    pub(super) fn all_in_debug_form(&mut self) {
        for a in self.accepted.values_mut() {
            a.debug_form = true;
        }
    }

    /// Notes that the event at `position` was caused by the command with
    /// `key`.
    pub(super) fn record(&mut self, key: &CommandKey, position: u64) {
        if let Some(a) = self.accepted.get_mut(key) {
            a.outcome.last = a.outcome.last.max(position);
        }
    }
}
