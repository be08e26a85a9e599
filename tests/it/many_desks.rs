//! Many desks, one store (issue 17, item 3): four desk instances on one
//! shared store take commands at the same time on their own threads,
//! retry conflicts by the documented pattern (catch up, decide again),
//! deliver every message under a lease held in the store, and converge.
//! Every delivery is counted: no message is delivered twice within its
//! lease, none is missed, and an idempotency key counts once across
//! instances.
//!
//! The store is a `SharedStore<MemoryStore>`: the same contract a database
//! store keeps for many processes (the PostgreSQL crate runs the same
//! shape of test against a server).

use fanatical::store::{MemoryStore, SharedStore};

use crate::desks_run::{DESKS, run_desks};

/// Replies in all: 10,000 by default (`FANATICAL_MANY_DESKS_MESSAGES`
/// bounds it for quick local runs).
fn messages() -> usize {
    crate::positive("FANATICAL_MANY_DESKS_MESSAGES", 10_000)
}

#[test]
fn four_desks_on_one_store_deliver_every_message_once_and_converge() {
    let shared = SharedStore::new(MemoryStore::new());
    let conflicts = run_desks(messages(), || shared.clone());
    eprintln!(
        "{DESKS} desks, {} replies, {conflicts} conflicts retried",
        messages()
    );
}
