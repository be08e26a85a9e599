#![no_main]
//! cargo fuzz run desk_ops (nightly). The body is shared with the proptest
//! driver in tests/it/fuzz_props.rs.

#[path = "../../tests/it/fuzz_targets.rs"]
mod fuzz_targets;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    fuzz_targets::desk_ops(data);
});
