//! Behaviour tests: one binary, a module per area.

mod archive;
mod archive_paths;
mod assignment;
mod automations;
mod bad_input;
mod campaigns;
mod care;
mod channels;
mod coaching;
mod commands;
mod conformance_catches;
mod contacts;
mod contention;
mod conversations;
mod crisis;
mod crisis_paths;
mod crisis_props;
mod customer_merge;
mod desk_flow;
mod desk_texts;
mod desks_run;
mod erasure;
mod errors;
mod escalation;
mod escalation_desk;
mod escalation_props;
mod extremes;
mod fanatical_day;
mod fields;
mod fields_rules;
mod fuzz_props;
mod fuzz_targets;
mod golden;
mod guard;
mod incident_props;
mod incident_spread;
mod incidents;
mod layering;
mod locales;
mod macros;
mod many_desks;
mod merge_race;
mod merged_archive;
mod org;
mod outbox;
mod permission_gaps;
mod permission_paths;
mod permission_props;
mod permission_race;
mod permissions;
mod privacy_props;
mod props;
mod protected_time;
mod queue_fields;
mod queues;
mod recognition;
mod refunds;
mod refusals;
mod replay;
mod round_trip;
mod routing;
mod simulation;
mod sla_calendar;
mod sla_desk;
mod sla_props;
mod snapshots;
mod spend;
mod store;
mod support;
mod survey;
mod timers;
mod trends;
mod trigger_props;
mod triggers;
mod views;

/// Property-test cases: `default`, or `FANATICAL_PROPTEST_CASES` when set
/// (CI bounds it; set it high for long local runs). A count that does
/// not parse, or zero, fails the run instead of passing every property
/// without trying a case.
pub fn cases(default: u32) -> u32 {
    positive("FANATICAL_PROPTEST_CASES", default)
}

/// A positive count from the environment (in `support`, which the store
/// crates' tests share).
pub use support::positive;

#[cfg(test)]
mod counts {
    #[test]
    fn a_count_of_zero_or_one_that_does_not_parse_fails_the_run() {
        // Each case reads a variable of its own, so tests running at the
        // same time never see each other's values.
        let run = |value: &'static str| {
            std::panic::catch_unwind(|| {
                // Unsafe because other threads may read the environment at
                // the same time; no other test reads this variable.
                unsafe { std::env::set_var("FANATICAL_TEST_COUNT", value) };
                crate::positive("FANATICAL_TEST_COUNT", 7u32)
            })
        };
        assert!(run("0").is_err());
        assert!(run("zero").is_err());
        assert!(run("-3").is_err());
        assert_eq!(run("12").ok(), Some(12));
        unsafe { std::env::remove_var("FANATICAL_TEST_COUNT") };
        assert_eq!(crate::positive("FANATICAL_TEST_COUNT", 7u32), 7);
    }
}
