//! The delivery-lease checks: the contract of
//! [`DeliveryLeases`](crate::store::DeliveryLeases), for stores that hold
//! leases.

use chrono::{DateTime, Duration};

use super::{ConformanceFailure, ensure, fail, io, t0};
use crate::id::MessageId;
use crate::store::{DeliveryLeases, Lease, LeaseHolder, LeaseOutcome};

/// One lease check.
pub type LeaseCheck = fn(&mut dyn DeliveryLeases) -> Result<(), ConformanceFailure>;

/// Every lease check, by name.
pub const LEASE_CHECKS: &[(&str, LeaseCheck)] = &[
    (
        "a_live_lease_is_held_from_others",
        a_live_lease_is_held_from_others,
    ),
    ("the_holder_renews_its_lease", the_holder_renews_its_lease),
    (
        "an_ended_lease_goes_to_another",
        an_ended_lease_goes_to_another,
    ),
    (
        "a_lost_lease_cannot_finish_or_release",
        a_lost_lease_cannot_finish_or_release,
    ),
    ("a_finished_lease_is_for_good", a_finished_lease_is_for_good),
    (
        "a_released_lease_is_free_at_once",
        a_released_lease_is_free_at_once,
    ),
    ("leases_are_per_message", leases_are_per_message),
];

/// Runs every check of [`LEASE_CHECKS`], each on a store from `fresh`.
/// Returns the names of the checks that passed.
///
/// ```
/// use fanatical::store::{conformance, MemoryStore};
/// let passed = conformance::run_lease_checks(MemoryStore::new)?;
/// assert_eq!(passed.len(), conformance::LEASE_CHECKS.len());
/// # Ok::<(), Vec<conformance::ConformanceFailure>>(())
/// ```
///
/// # Errors
/// The failures, one per failing check.
pub fn run_lease_checks<S: DeliveryLeases>(
    mut fresh: impl FnMut() -> S,
) -> Result<Vec<&'static str>, Vec<ConformanceFailure>> {
    let mut passed = Vec::new();
    let mut failed = Vec::new();
    for (name, check) in LEASE_CHECKS {
        let mut store = fresh();
        match check(&mut store) {
            Ok(()) => passed.push(*name),
            Err(f) => failed.push(f),
        }
    }
    if failed.is_empty() {
        Ok(passed)
    } else {
        Err(failed)
    }
}

/// A lease taken on one handle is held on another handle on the same
/// store, and finishing it on the first is seen by the second: the check
/// for stores shared between desks (processes, connections).
///
/// # Errors
/// [`ConformanceFailure`] naming the check and what the store did wrong.
pub fn leases_hold_across_handles(
    one: &mut dyn DeliveryLeases,
    two: &mut dyn DeliveryLeases,
) -> Result<(), ConformanceFailure> {
    const C: &str = "leases_hold_across_handles";
    let (a, b) = holders(C)?;
    let m = message(1);
    let lease = take(C, one, m, &a, 0, 5)?;
    let seen = io(C, two.take_lease(m, &b, at(1), at(6)))?;
    ensure(
        C,
        seen == LeaseOutcome::Held {
            holder: a.clone(),
            until: at(5),
        },
        || format!("the second handle got {seen:?} while the first held the lease"),
    )?;
    ensure(C, io(C, one.finish_lease(&lease))?, || {
        "finishing the lease on the first handle did nothing".into()
    })?;
    let after = io(C, two.take_lease(m, &b, at(10), at(15)))?;
    ensure(C, after == LeaseOutcome::Finished, || {
        format!("the second handle got {after:?} after the first finished")
    })
}

fn at(minutes: i64) -> DateTime<chrono::Utc> {
    t0() + Duration::minutes(minutes)
}

fn message(n: u128) -> MessageId {
    MessageId::from_uuid(uuid::Uuid::from_u128(n))
}

fn holders(check: &'static str) -> Result<(LeaseHolder, LeaseHolder), ConformanceFailure> {
    match (LeaseHolder::new("desk-a"), LeaseHolder::new("desk-b")) {
        (Ok(a), Ok(b)) => Ok((a, b)),
        _ => Err(fail(check, "the holders' names were refused")),
    }
}

/// Takes a lease from minute `from` until minute `until`, failing the
/// check unless it is taken.
fn take(
    check: &'static str,
    store: &mut dyn DeliveryLeases,
    m: MessageId,
    holder: &LeaseHolder,
    from: i64,
    until: i64,
) -> Result<Lease, ConformanceFailure> {
    match io(check, store.take_lease(m, holder, at(from), at(until)))? {
        LeaseOutcome::Taken(lease) => {
            ensure(
                check,
                lease.message == m && lease.holder == *holder && lease.until == at(until),
                || format!("the lease taken is not the one asked for: {lease:?}"),
            )?;
            Ok(lease)
        }
        other => Err(fail(
            check,
            format!("{holder} asked at minute {from} and got {other:?}"),
        )),
    }
}

/// A first lease has token 1 and is held from another holder while live.
///
/// # Errors
/// [`ConformanceFailure`] naming the check and what the store did wrong.
pub fn a_live_lease_is_held_from_others(
    store: &mut dyn DeliveryLeases,
) -> Result<(), ConformanceFailure> {
    const C: &str = "a_live_lease_is_held_from_others";
    let (a, b) = holders(C)?;
    let lease = take(C, store, message(1), &a, 0, 5)?;
    ensure(C, lease.token == 1, || {
        format!("the first lease's token is {}", lease.token)
    })?;
    let got = io(C, store.take_lease(message(1), &b, at(4), at(9)))?;
    ensure(
        C,
        got == LeaseOutcome::Held {
            holder: a.clone(),
            until: at(5),
        },
        || format!("another holder asking while it is live got {got:?}"),
    )
}

/// The holder asking again renews its lease, with the next token.
///
/// # Errors
/// [`ConformanceFailure`] naming the check and what the store did wrong.
pub fn the_holder_renews_its_lease(
    store: &mut dyn DeliveryLeases,
) -> Result<(), ConformanceFailure> {
    const C: &str = "the_holder_renews_its_lease";
    let (a, b) = holders(C)?;
    take(C, store, message(1), &a, 0, 5)?;
    let renewed = take(C, store, message(1), &a, 4, 20)?;
    ensure(C, renewed.token == 2, || {
        format!("the renewed lease's token is {}", renewed.token)
    })?;
    let got = io(C, store.take_lease(message(1), &b, at(10), at(15)))?;
    ensure(
        C,
        got == LeaseOutcome::Held {
            holder: a.clone(),
            until: at(20),
        },
        || format!("after the renewal, another holder got {got:?}"),
    )
}

/// Once a lease has ended, another holder takes it, with the next token.
///
/// # Errors
/// [`ConformanceFailure`] naming the check and what the store did wrong.
pub fn an_ended_lease_goes_to_another(
    store: &mut dyn DeliveryLeases,
) -> Result<(), ConformanceFailure> {
    const C: &str = "an_ended_lease_goes_to_another";
    let (a, b) = holders(C)?;
    take(C, store, message(1), &a, 0, 5)?;
    // The end is exclusive: at minute 5 it has ended.
    let next = take(C, store, message(1), &b, 5, 10)?;
    ensure(C, next.token == 2, || {
        format!("the second holder's token is {}", next.token)
    })
}

/// A holder that lost its lease can neither finish nor release the new
/// holder's.
///
/// # Errors
/// [`ConformanceFailure`] naming the check and what the store did wrong.
pub fn a_lost_lease_cannot_finish_or_release(
    store: &mut dyn DeliveryLeases,
) -> Result<(), ConformanceFailure> {
    const C: &str = "a_lost_lease_cannot_finish_or_release";
    let (a, b) = holders(C)?;
    let lost = take(C, store, message(1), &a, 0, 5)?;
    take(C, store, message(1), &b, 6, 11)?;
    ensure(C, !io(C, store.finish_lease(&lost))?, || {
        "a lost lease finished the delivery".into()
    })?;
    ensure(C, !io(C, store.release_lease(&lost))?, || {
        "a lost lease released the new holder's".into()
    })?;
    let got = io(C, store.take_lease(message(1), &a, at(7), at(12)))?;
    ensure(
        C,
        got == LeaseOutcome::Held {
            holder: b.clone(),
            until: at(11),
        },
        || format!("the new holder's lease did not survive: {got:?}"),
    )
}

/// A finished lease is never taken again, by anyone, at any time.
///
/// # Errors
/// [`ConformanceFailure`] naming the check and what the store did wrong.
pub fn a_finished_lease_is_for_good(
    store: &mut dyn DeliveryLeases,
) -> Result<(), ConformanceFailure> {
    const C: &str = "a_finished_lease_is_for_good";
    let (a, b) = holders(C)?;
    let lease = take(C, store, message(1), &a, 0, 5)?;
    ensure(C, io(C, store.finish_lease(&lease))?, || {
        "finishing a live lease did nothing".into()
    })?;
    ensure(C, !io(C, store.release_lease(&lease))?, || {
        "a finished lease was released".into()
    })?;
    for (holder, minute) in [(&a, 1), (&b, 60), (&a, 60 * 24 * 365)] {
        let got = io(
            C,
            store.take_lease(message(1), holder, at(minute), at(minute + 5)),
        )?;
        ensure(C, got == LeaseOutcome::Finished, || {
            format!("{holder} asking at minute {minute} got {got:?}")
        })?;
    }
    Ok(())
}

/// A released lease may be taken by another holder at once.
///
/// # Errors
/// [`ConformanceFailure`] naming the check and what the store did wrong.
pub fn a_released_lease_is_free_at_once(
    store: &mut dyn DeliveryLeases,
) -> Result<(), ConformanceFailure> {
    const C: &str = "a_released_lease_is_free_at_once";
    let (a, b) = holders(C)?;
    let lease = take(C, store, message(1), &a, 0, 5)?;
    ensure(C, io(C, store.release_lease(&lease))?, || {
        "releasing a live lease did nothing".into()
    })?;
    let next = take(C, store, message(1), &b, 1, 6)?;
    ensure(C, next.token == 2, || {
        format!("the lease after a release has token {}", next.token)
    })
}

/// One message's lease says nothing about another's.
///
/// # Errors
/// [`ConformanceFailure`] naming the check and what the store did wrong.
pub fn leases_are_per_message(store: &mut dyn DeliveryLeases) -> Result<(), ConformanceFailure> {
    const C: &str = "leases_are_per_message";
    let (a, b) = holders(C)?;
    let first = take(C, store, message(1), &a, 0, 5)?;
    let other = take(C, store, message(2), &b, 0, 5)?;
    ensure(C, other.token == 1, || {
        format!("another message's first lease has token {}", other.token)
    })?;
    ensure(C, io(C, store.finish_lease(&first))?, || {
        "finishing the first message's lease did nothing".into()
    })?;
    let got = io(C, store.take_lease(message(2), &a, at(1), at(6)))?;
    ensure(
        C,
        got == LeaseOutcome::Held {
            holder: b.clone(),
            until: at(5),
        },
        || format!("finishing one message changed another's lease: {got:?}"),
    )
}
