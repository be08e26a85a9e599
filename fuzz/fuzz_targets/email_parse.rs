#![no_main]
//! cargo fuzz run email_parse (nightly). The body is shared with the
//! proptest driver in email/tests/fuzz_props.rs.

#[path = "../../email/tests/common/fuzz_parse.rs"]
mod fuzz_parse;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    fuzz_parse::email_parse(data);
});
