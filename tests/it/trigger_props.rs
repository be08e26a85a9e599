//! Property tests of trigger sets (issue 19, items 1 and 6): a set that
//! validates never loops — allowed to fire again and again, it settles
//! after one run, where the desk's run (each trigger once) leaves it —
//! and the exported checkers catch a broken set. A run over the
//! candidates of the index by watched change fires exactly what a run
//! over every trigger fires (issue 19's performance line).

use fanatical::rules::checks::{CheckFailure, check_ends_in, check_settles};
use fanatical::rules::strategies::{arb_scenario, arb_triggers};
use fanatical::rules::{Condition, RuleAction, Scenario, Trigger, TriggerSet};
use fanatical::ticket::{Priority, Tag};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use std::cell::Cell;

fn tag(t: &str) -> Tag {
    Tag::new(t).unwrap()
}

#[test]
fn a_set_that_validates_settles_after_one_run() {
    let cases = crate::cases(2_000).max(500);
    let mut runner = TestRunner::new(Config::with_cases(cases));
    let (valid, refused) = (Cell::new(0u32), Cell::new(0u32));
    runner
        .run(
            &(arb_triggers(5), arb_scenario()),
            |(triggers, scenario)| {
                match TriggerSet::new(triggers) {
                    Ok(set) => {
                        valid.set(valid.get() + 1);
                        let once = set.run(&scenario);
                        let settled = set
                            .run_refiring(&scenario, 8)
                            .map_err(|e| TestCaseError::fail(e.to_string()))?;
                        prop_assert_eq!(&settled.ticket, &once.ticket);
                        prop_assert_eq!(settled.fired, once.fired);
                    }
                    Err(_) => refused.set(refused.get() + 1),
                }
                Ok(())
            },
        )
        .unwrap();
    // The property says something only if many drawn sets validate, and
    // the checks say something only if many are refused.
    let (valid, refused) = (valid.get(), refused.get());
    assert!(valid >= cases / 5, "{valid} of {cases} sets validated");
    assert!(
        refused >= cases / 10,
        "{refused} of {cases} sets were refused"
    );
}

#[test]
fn sets_the_checks_refuse_include_ones_that_never_settle() {
    // Among drawn sets that fail validation, built anyway, some loop on
    // some ticket: the checks refuse real loops, not only harmless sets.
    let mut runner = TestRunner::new(Config::with_cases(crate::cases(1_000).max(300)));
    let looping = Cell::new(0u32);
    runner
        .run(
            &(arb_triggers(5), arb_scenario()),
            |(triggers, scenario)| {
                if TriggerSet::new(triggers.clone()).is_err() {
                    let set = TriggerSet::unchecked(triggers);
                    if check_settles(&set, &scenario).is_err() {
                        looping.set(looping.get() + 1);
                    }
                }
                Ok(())
            },
        )
        .unwrap();
    assert!(looping.get() > 0, "no refused set ever looped");
}

#[test]
fn the_checkers_fail_on_a_broken_set() {
    // "a" and "b" swap a tag for the other: allowed to fire again, they
    // never stop. The set is refused; built unchecked, the checker says so.
    let swap = |from: &str, to: &str| {
        Trigger::new(
            &format!("{from} to {to}"),
            [
                RuleAction::RemoveTag(tag(from)),
                RuleAction::AddTag(tag(to)),
            ],
        )
        .unwrap()
        .when(Condition::HasTag(tag(from)))
    };
    let triggers = vec![swap("a", "b"), swap("b", "a")];
    assert!(TriggerSet::new(triggers.clone()).is_err());
    let broken = TriggerSet::unchecked(triggers);
    let tagged = |s: &fanatical::rules::Scenario| s.ticket.tags().contains(&tag("a"));
    let mut runner = TestRunner::deterministic();
    let seen = Cell::new(false);
    runner
        .run(&arb_scenario(), |s| {
            let settles = check_settles(&broken, &s);
            if tagged(&s) {
                seen.set(true);
                prop_assert!(
                    matches!(settles, Err(CheckFailure::Loops(_))),
                    "{:?}",
                    settles
                );
            }
            Ok(())
        })
        .unwrap();
    assert!(seen.get(), "no drawn ticket had the tag");
    // "Every ticket tagged a ends urgent" fails for a set that forgets to
    // raise tickets that are also tagged b.
    let forgetful = TriggerSet::new(vec![
        Trigger::new("a urgent", [RuleAction::SetPriority(Priority::Urgent)])
            .unwrap()
            .when(Condition::HasTag(tag("a")))
            .when(Condition::Not(Box::new(Condition::HasTag(tag("b"))))),
    ])
    .unwrap();
    let when = Condition::HasTag(tag("a"));
    let then = Condition::PriorityAtLeast(Priority::Urgent);
    let failed = Cell::new(false);
    TestRunner::deterministic()
        .run(&arb_scenario(), |s| {
            if check_ends_in(&forgetful, &s, &when, &then).is_err() {
                failed.set(true);
            }
            Ok(())
        })
        .unwrap();
    assert!(
        failed.get(),
        "the checker never caught the forgotten tickets"
    );
}

/// Whether `set`'s run over its candidates and its run over every
/// trigger agree; and how many triggers fired on a change an earlier
/// trigger made (which only a candidate list kept up as the run goes
/// finds).
fn same_as_scanning(set: &TriggerSet, scenario: &Scenario) -> Result<usize, TestCaseError> {
    let indexed = set.run(scenario);
    let scanned = set.run_scanning(scenario);
    prop_assert_eq!(&indexed.ticket, &scanned.ticket);
    prop_assert_eq!(&indexed.changes, &scanned.changes);
    prop_assert_eq!(&indexed.fired, &scanned.fired);
    prop_assert_eq!(&indexed.failed, &scanned.failed);
    let chained = indexed
        .fired
        .iter()
        .filter_map(|name| set.get(name.as_str()))
        .filter(|t| {
            t.all.iter().any(|c| match c {
                Condition::Changed(change) => !scenario.changes.has(change),
                _ => false,
            })
        })
        .count();
    Ok(chained)
}

#[test]
fn the_index_by_watched_change_fires_what_a_full_scan_fires() {
    let cases = crate::cases(2_000).max(300);
    let mut runner = TestRunner::new(Config::with_cases(cases));
    let (fired, chained) = (Cell::new(0u32), Cell::new(0usize));
    runner
        .run(
            &(arb_triggers(6), arb_scenario()),
            |(triggers, scenario)| {
                // Checked sets, and refused ones built anyway (the index
                // must not depend on the checks).
                let checked = TriggerSet::new(triggers.clone()).ok();
                for set in checked.into_iter().chain([TriggerSet::unchecked(triggers)]) {
                    chained.set(chained.get() + same_as_scanning(&set, &scenario)?);
                    if !set.run(&scenario).fired.is_empty() {
                        fired.set(fired.get() + 1);
                    }
                }
                Ok(())
            },
        )
        .unwrap();
    // Vacuous unless triggers fire, some on what an earlier one changed.
    assert!(fired.get() >= cases / 4, "{} runs fired", fired.get());
    assert!(
        chained.get() > 0,
        "no trigger fired on an earlier one's change"
    );
}
