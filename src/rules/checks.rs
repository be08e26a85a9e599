//! Checkers for your own rule sets (feature `proptest`), to run over the
//! scenarios [`super::strategies`] draws (or your own): each says what is
//! wrong with a set on one scenario, or nothing.
//!
//! ```
//! use fanatical::rules::checks::{check_ends_in, check_settles};
//! use fanatical::rules::strategies::arb_scenario;
//! use fanatical::rules::{Condition, RuleAction, Trigger, TriggerSet};
//! use fanatical::ticket::{Priority, Tag};
//! use proptest::test_runner::TestRunner;
//!
//! let vip = Tag::new("a")?;
//! let set = TriggerSet::new(vec![
//!     Trigger::new("tagged first", [RuleAction::SetPriority(Priority::Urgent)])?
//!         .when(Condition::HasTag(vip.clone())),
//! ])?;
//! let mut runner = TestRunner::deterministic();
//! runner.run(&arb_scenario(), |s| {
//!     assert!(check_settles(&set, &s).is_ok());
//!     // Every ticket tagged "a" ends urgent.
//!     let tagged = Condition::HasTag(vip.clone());
//!     assert!(check_ends_in(&set, &s, &tagged, &Condition::PriorityAtLeast(Priority::Urgent)).is_ok());
//!     Ok(())
//! }).unwrap();
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use super::{Condition, Outcome, Scenario, Subject, TriggerSet, Unsettled};

/// How many passes [`check_settles`] allows: a checked set needs one.
pub const PASSES: usize = 16;

/// What a checker found wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CheckFailure {
    /// The set does not settle: allowed to fire again, its triggers keep
    /// changing the ticket (a loop, or two triggers undoing each other).
    #[error(transparent)]
    Loops(#[from] Unsettled),
    /// A ticket that matched `when` did not end in the stated state.
    #[error("a ticket that matched {when} ended without {then}")]
    WrongEnd {
        /// The starting condition, described.
        when: String,
        /// The stated end, described.
        then: String,
    },
}

/// No loop: run with refiring allowed, the set settles within [`PASSES`]
/// passes.
///
/// # Errors
/// [`CheckFailure::Loops`].
pub fn check_settles(set: &TriggerSet, scenario: &Scenario) -> Result<(), CheckFailure> {
    set.run_refiring(scenario, PASSES)
        .map(|_| ())
        .map_err(Into::into)
}

/// A ticket matching `when` as the command left it ends, once the set has
/// run, in a state where `then` holds.
///
/// # Errors
/// [`CheckFailure::WrongEnd`].
pub fn check_ends_in(
    set: &TriggerSet,
    scenario: &Scenario,
    when: &Condition,
    then: &Condition,
) -> Result<(), CheckFailure> {
    if !when.holds(&subject(scenario, &scenario.ticket, &scenario.changes)) {
        return Ok(());
    }
    let Outcome {
        ticket, changes, ..
    } = set.run(scenario);
    if then.holds(&subject(scenario, &ticket, &changes)) {
        Ok(())
    } else {
        Err(CheckFailure::WrongEnd {
            when: when.describe(),
            then: then.describe(),
        })
    }
}

fn subject<'a>(
    s: &'a Scenario,
    ticket: &'a crate::ticket::Ticket,
    changes: &'a super::Changes,
) -> Subject<'a> {
    Subject {
        ticket,
        sla: s.sla.as_ref(),
        customer_fields: &s.customer_fields,
        actor: &s.actor,
        changes,
        now: s.now,
    }
}
