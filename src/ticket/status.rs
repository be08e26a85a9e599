//! The ticket status lifecycle, named as Zendesk users know it.
//!
//! ```text
//!            +---------------------------+
//!            v                           |
//!   new -> open <-> pending <-> on_hold  |  (any of new/open/pending/on_hold
//!            \        |          /       |   can be solved)
//!             +---> solved <----+        |
//!                     |  \---reopen------+
//!                     v
//!                   closed   (terminal)
//! ```
//! - `new` is only ever the first status.
//! - `closed` is reached only from `solved`, and nothing leaves it.
//! - Setting the current status again is not a transition (no event).

use std::fmt;

use serde::{Deserialize, Serialize};

/// Where a ticket is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Just arrived; nobody has worked it yet.
    New,
    /// Being worked by support.
    Open,
    /// Waiting on the customer.
    Pending,
    /// Waiting on a third party.
    OnHold,
    /// Support believes it is done; the customer can still reopen it.
    Solved,
    /// Archived; no more changes.
    Closed,
}

impl Status {
    /// Every status, in lifecycle order.
    pub const ALL: [Status; 6] = [
        Status::New,
        Status::Open,
        Status::Pending,
        Status::OnHold,
        Status::Solved,
        Status::Closed,
    ];

    /// Whether a ticket may move from `self` to `to`. Same-status is not a
    /// transition and returns false.
    #[must_use]
    pub const fn can_become(self, to: Status) -> bool {
        use Status::*;
        match (self, to) {
            (Closed, _) | (_, New) => false,
            (Solved, Open) | (Solved, Closed) => true,
            (Solved, _) => false,
            (_, Closed) => false,
            (New | Open | Pending | OnHold, Open | Pending | OnHold | Solved) => !matches!(
                (self, to),
                (Open, Open) | (Pending, Pending) | (OnHold, OnHold)
            ),
        }
    }

    /// Whether the ticket still needs work from support or the customer
    /// (new, open, pending, on hold).
    #[must_use]
    pub const fn is_unsolved(self) -> bool {
        matches!(
            self,
            Status::New | Status::Open | Status::Pending | Status::OnHold
        )
    }

    /// The lowercase name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Status::New => "new",
            Status::Open => "open",
            Status::Pending => "pending",
            Status::OnHold => "on_hold",
            Status::Solved => "solved",
            Status::Closed => "closed",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::Status::{self, *};

    #[test]
    fn the_whole_transition_table() {
        // Rows: from; columns: to (New, Open, Pending, OnHold, Solved, Closed).
        let table: [(Status, [bool; 6]); 6] = [
            (New, [false, true, true, true, true, false]),
            (Open, [false, false, true, true, true, false]),
            (Pending, [false, true, false, true, true, false]),
            (OnHold, [false, true, true, false, true, false]),
            (Solved, [false, true, false, false, false, true]),
            (Closed, [false, false, false, false, false, false]),
        ];
        for (from, row) in table {
            for (to, allowed) in Status::ALL.into_iter().zip(row) {
                assert_eq!(from.can_become(to), allowed, "{from} -> {to}");
            }
        }
    }
}
