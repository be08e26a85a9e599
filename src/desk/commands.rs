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

    /// Folds a command's acceptance, recorded at `position`.
    pub(super) fn apply(&mut self, position: u64, e: &CommandEvent) {
        match &e.kind {
            CommandEventKind::Accepted { key, fingerprint } => {
                self.accepted.insert(
                    key.clone(),
                    Accepted {
                        fingerprint: *fingerprint,
                        outcome: FirstOutcome {
                            first: position,
                            last: position,
                        },
                    },
                );
            }
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
