//! Delivery leases held in the store, so desks sharing one store never
//! deliver a message twice within its lease.
//!
//! A desk hands out an outbound message only once it holds the message's
//! lease in the store ([`DeliveryLeases::take_lease`]); another desk asking
//! while the lease is live is told who holds it and until when. The holder
//! records the delivery, then finishes the lease
//! ([`DeliveryLeases::finish_lease`]): from then on nobody takes it again,
//! even a desk that has not yet caught up with the record of the delivery.
//! A failed attempt gives the lease back ([`DeliveryLeases::release_lease`])
//! so that the retry may go from any desk. Every lease carries a fencing
//! token that grows each time the lease is taken: a desk that stalled past
//! its lease and lost it to another cannot finish or release the new
//! holder's lease.
//!
//! Delivery stays at least once: a holder that delivers and then stalls
//! past its lease before finishing may see the message delivered again by
//! another desk (the transport's idempotency key, the message id, makes
//! that harmless). Within a lease, never.
//!
//! The instants are the desk's clock, passed in, not the backend's: a
//! memory store and a database store agree in tests, and the simulation
//! controls time.
//!
//! ```
//! use chrono::{Duration, TimeZone, Utc};
//! use fanatical::id::MessageId;
//! use fanatical::store::{DeliveryLeases, LeaseHolder, LeaseOutcome, MemoryStore};
//!
//! let now = Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap();
//! let message = MessageId::from_uuid(uuid::Uuid::from_u128(1));
//! let (a, b) = (LeaseHolder::new("desk-a")?, LeaseHolder::new("desk-b")?);
//! let mut store = MemoryStore::new();
//!
//! let LeaseOutcome::Taken(lease) = store.take_lease(message, &a, now, now + Duration::minutes(5))? else {
//!     unreachable!()
//! };
//! // Desk b is told who holds it, and until when.
//! assert_eq!(
//!     store.take_lease(message, &b, now, now + Duration::minutes(5))?,
//!     LeaseOutcome::Held { holder: a.clone(), until: now + Duration::minutes(5) }
//! );
//! // Desk a delivers, records it, and finishes the lease: nobody takes it again.
//! assert!(store.finish_lease(&lease)?);
//! let later = now + Duration::hours(1);
//! assert_eq!(store.take_lease(message, &b, later, later + Duration::minutes(5))?, LeaseOutcome::Finished);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::StoreError;
use crate::id::MessageId;

/// Who holds a lease: a desk instance's name (`desk-1`, a host name), one
/// word of 1 to 64 characters. Give every instance sharing a store its own.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct LeaseHolder(String);

/// A lease holder's name that is blank, has white space or control
/// characters, or is longer than 64 characters.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid lease holder {0:?}: one word of 1 to 64 characters")]
pub struct InvalidHolder(pub String);

impl LeaseHolder {
    /// A holder's name.
    ///
    /// # Errors
    /// [`InvalidHolder`] unless it is one word of 1 to 64 characters.
    pub fn new(name: &str) -> Result<Self, InvalidHolder> {
        let ok = !name.is_empty()
            && name.chars().count() <= 64
            && !name.chars().any(|c| c.is_whitespace() || c.is_control());
        if ok {
            Ok(LeaseHolder(name.to_owned()))
        } else {
            Err(InvalidHolder(name.to_owned()))
        }
    }
    /// The name.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for LeaseHolder {
    type Error = InvalidHolder;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        LeaseHolder::new(&value)
    }
}

impl From<LeaseHolder> for String {
    fn from(h: LeaseHolder) -> Self {
        h.0
    }
}

impl fmt::Display for LeaseHolder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for LeaseHolder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LeaseHolder({})", self.0)
    }
}

/// A lease taken: whose, on which message, until when, and its fencing
/// token (finishing or releasing needs it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lease {
    /// The message.
    pub message: MessageId,
    /// Who holds it.
    pub holder: LeaseHolder,
    /// Grows by one each time the message's lease is taken, by anyone.
    pub token: u64,
    /// Until when (exclusive).
    pub until: DateTime<Utc>,
}

/// What asking for a lease got.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum LeaseOutcome {
    /// The lease is the caller's.
    Taken(Lease),
    /// Another holder's lease is live until `until`.
    Held {
        /// Who holds it.
        holder: LeaseHolder,
        /// Until when.
        until: DateTime<Utc>,
    },
    /// The message's delivery was finished: nobody takes it again.
    Finished,
}

/// Delivery leases held in the store. See the module docs; the store
/// conformance suite checks the contract
/// ([`conformance::run_lease_checks`](super::conformance::run_lease_checks), with the `conformance` feature).
///
/// # Contract
/// - `take_lease` gives the caller the lease unless the message's lease
///   was finished ([`LeaseOutcome::Finished`]) or another holder's lease
///   is live at `now` (`until > now`: [`LeaseOutcome::Held`]). The same
///   holder asking again renews it. Every grant's token is one more than
///   the message's previous token (the first is 1).
/// - `finish_lease` and `release_lease` act only when the lease's token is
///   still the message's latest (whoever else took it since, they did
///   not): they return whether they did. Finishing is for good; releasing
///   lets anyone take it at once.
/// - Each call is atomic with respect to every other handle on the same
///   store.
pub trait DeliveryLeases {
    /// Asks for the lease on delivering `message`, for `holder`, until
    /// `until`, at `now`.
    ///
    /// # Errors
    /// Backend errors; nothing is taken then.
    fn take_lease(
        &mut self,
        message: MessageId,
        holder: &LeaseHolder,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<LeaseOutcome, StoreError>;

    /// Finishes the delivery under `lease`: nobody takes the message's
    /// lease again. Call it after the delivery is recorded. `false` when
    /// the lease was lost (taken by someone since).
    ///
    /// # Errors
    /// Backend errors.
    fn finish_lease(&mut self, lease: &Lease) -> Result<bool, StoreError>;

    /// Gives the lease back after a failed attempt, so the retry may be
    /// anyone's. `false` when the lease was lost.
    ///
    /// # Errors
    /// Backend errors.
    fn release_lease(&mut self, lease: &Lease) -> Result<bool, StoreError>;
}

impl<L: DeliveryLeases + ?Sized> DeliveryLeases for &mut L {
    fn take_lease(
        &mut self,
        message: MessageId,
        holder: &LeaseHolder,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<LeaseOutcome, StoreError> {
        (**self).take_lease(message, holder, now, until)
    }
    fn finish_lease(&mut self, lease: &Lease) -> Result<bool, StoreError> {
        (**self).finish_lease(lease)
    }
    fn release_lease(&mut self, lease: &Lease) -> Result<bool, StoreError> {
        (**self).release_lease(lease)
    }
}

/// One message's lease as a store keeps it, and the rule every store
/// applies to it: a backend persists rows and calls [`LeaseRow::take`] and
/// [`LeaseRow::fences`] inside one transaction, so memory and database
/// stores decide alike.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeaseRow {
    /// Who took it last.
    pub holder: LeaseHolder,
    /// The last grant's token.
    pub token: u64,
    /// Until when; `None` once released.
    pub until: Option<DateTime<Utc>>,
    /// Whether the delivery was finished (for good).
    pub finished: bool,
}

/// What [`LeaseRow::take`] decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeaseDecision {
    /// The answer for the caller.
    pub outcome: LeaseOutcome,
    /// The row to store: `Some` when the lease was taken.
    pub row: Option<LeaseRow>,
}

impl LeaseRow {
    /// Decides a request for `message`'s lease, given its current row (if
    /// any): see the contract on [`DeliveryLeases`].
    #[must_use]
    pub fn take(
        current: Option<&LeaseRow>,
        message: MessageId,
        holder: &LeaseHolder,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> LeaseDecision {
        let token = match current {
            Some(row) if row.finished => {
                return LeaseDecision {
                    outcome: LeaseOutcome::Finished,
                    row: None,
                };
            }
            Some(LeaseRow {
                holder: other,
                until: Some(held),
                ..
            }) if other != holder && *held > now => {
                return LeaseDecision {
                    outcome: LeaseOutcome::Held {
                        holder: other.clone(),
                        until: *held,
                    },
                    row: None,
                };
            }
            Some(row) => row.token.saturating_add(1),
            None => 1,
        };
        LeaseDecision {
            outcome: LeaseOutcome::Taken(Lease {
                message,
                holder: holder.clone(),
                token,
                until,
            }),
            row: Some(LeaseRow {
                holder: holder.clone(),
                token,
                until: Some(until),
                finished: false,
            }),
        }
    }

    /// The row after finishing the delivery under `lease`: `None` when
    /// the lease was lost (see [`LeaseRow::fences`]) and nothing changes.
    #[must_use]
    pub fn finished(current: Option<LeaseRow>, lease: &Lease) -> Option<LeaseRow> {
        current.filter(|row| row.fences(lease)).map(|row| LeaseRow {
            finished: true,
            ..row
        })
    }

    /// The row after giving `lease` back: `None` when the lease was lost
    /// and nothing changes.
    #[must_use]
    pub fn released(current: Option<LeaseRow>, lease: &Lease) -> Option<LeaseRow> {
        current
            .filter(|row| row.fences(lease))
            .map(|row| LeaseRow { until: None, ..row })
    }

    /// Whether `lease` is still this row's latest grant, unfinished: only
    /// then may it finish or release the row.
    #[must_use]
    pub fn fences(&self, lease: &Lease) -> bool {
        self.token == lease.token && self.holder == lease.holder && !self.finished
    }
}

/// The lease table of an in-memory store: one row per message ever
/// leased (a message id and a few words each).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct LeaseTable {
    rows: BTreeMap<MessageId, LeaseRow>,
}

impl LeaseTable {
    pub(super) fn take(
        &mut self,
        message: MessageId,
        holder: &LeaseHolder,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> LeaseOutcome {
        let decision = LeaseRow::take(self.rows.get(&message), message, holder, now, until);
        if let Some(row) = decision.row {
            self.rows.insert(message, row);
        }
        decision.outcome
    }

    /// Applies `change` to the lease's row; whether it changed anything.
    fn change(
        &mut self,
        lease: &Lease,
        change: fn(Option<LeaseRow>, &Lease) -> Option<LeaseRow>,
    ) -> bool {
        let current = self.rows.get(&lease.message).cloned();
        match change(current, lease) {
            Some(row) => {
                self.rows.insert(lease.message, row);
                true
            }
            None => false,
        }
    }

    pub(super) fn finish(&mut self, lease: &Lease) -> bool {
        self.change(lease, LeaseRow::finished)
    }

    pub(super) fn release(&mut self, lease: &Lease) -> bool {
        self.change(lease, LeaseRow::released)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    fn at(m: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap() + Duration::minutes(m)
    }

    #[test]
    fn holders_are_one_word() {
        assert!(LeaseHolder::new("desk-1").is_ok());
        for bad in ["", "desk 1", "a\tb", &"x".repeat(65)] {
            assert_eq!(
                LeaseHolder::new(bad),
                Err(InvalidHolder(bad.to_owned())),
                "{bad:?}"
            );
        }
        let json = serde_json::to_string(&LeaseHolder::new("d").unwrap()).unwrap();
        assert_eq!(json, "\"d\"");
        assert!(serde_json::from_str::<LeaseHolder>("\"a b\"").is_err());
    }

    #[test]
    fn a_lost_lease_cannot_finish_or_release_the_new_holders() {
        let m = MessageId::from_uuid(uuid::Uuid::from_u128(1));
        let (a, b) = (
            LeaseHolder::new("a").unwrap(),
            LeaseHolder::new("b").unwrap(),
        );
        let mut t = LeaseTable::default();
        let LeaseOutcome::Taken(first) = t.take(m, &a, at(0), at(5)) else {
            panic!()
        };
        // a stalls past its lease; b takes it.
        let LeaseOutcome::Taken(second) = t.take(m, &b, at(6), at(11)) else {
            panic!()
        };
        assert_eq!((first.token, second.token), (1, 2));
        assert!(!t.finish(&first));
        assert!(!t.release(&first));
        assert_eq!(
            t.take(m, &a, at(7), at(12)),
            LeaseOutcome::Held {
                holder: b.clone(),
                until: at(11)
            }
        );
        // b fails and gives it back: a may take it at once.
        assert!(t.release(&second));
        let LeaseOutcome::Taken(third) = t.take(m, &a, at(7), at(12)) else {
            panic!()
        };
        assert_eq!(third.token, 3);
        assert!(t.finish(&third));
        assert!(!t.finish(&third), "finished once");
        assert_eq!(t.take(m, &b, at(60), at(65)), LeaseOutcome::Finished);
    }
}
