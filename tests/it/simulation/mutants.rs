//! Deliberately broken desks, each run through the simulation, which must
//! fail, and fail on the independent model's check for what is broken
//! (the desk's own consistency checks would pass every one of them: the
//! broken behaviour is the same in rebuild and in catch-up).

use super::engine::{Memory, Mutant};

/// Runs seed 1 for a day against `mutant` and returns the failure message.
fn caught(mutant: Mutant) -> String {
    super::engine::caught(mutant, Memory::default())
}

#[test]
fn a_desk_that_refuses_every_reply_is_caught() {
    let why = caught(Mutant::RefusesReplies);
    assert!(
        why.starts_with("model: seed 1: a Reply that must succeed on a caught-up desk was refused"),
        "{why}"
    );
}

#[test]
fn a_desk_whose_apply_drops_outbound_messages_is_caught() {
    let why = caught(Mutant::DropsOutbound);
    assert!(
        why.starts_with("model: seed 1: messages delivered to contacts differ from the rules"),
        "{why}"
    );
}

#[test]
fn a_desk_that_records_a_breach_one_minute_early_is_caught() {
    let why = caught(Mutant::EarlyBreach);
    assert!(why.starts_with("model: seed 1:"), "{why}");
    assert!(why.contains("breached at"), "{why}");
}
