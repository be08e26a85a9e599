//! Behaviour tests: one binary, a module per area.

mod bad_input;
mod campaigns;
mod care;
mod channels;
mod coaching;
mod commands;
mod crisis;
mod desk_flow;
mod escalation;
mod escalation_desk;
mod escalation_props;
mod extremes;
mod fanatical_day;
mod fuzz_props;
mod fuzz_targets;
mod golden;
mod guard;
mod incident_props;
mod incidents;
mod layering;
mod org;
mod outbox;
mod props;
mod recognition;
mod refusals;
mod routing;
mod simulation;
mod sla_calendar;
mod sla_desk;
mod sla_props;
mod store;
mod support;
mod survey;
mod timers;
mod trends;
mod views;

/// Property-test cases: `default`, or `FANATICAL_PROPTEST_CASES` when set
/// (CI bounds it; set it high for long local runs).
pub fn cases(default: u32) -> u32 {
    std::env::var("FANATICAL_PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}
