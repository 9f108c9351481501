#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| org_invitations_core::fuzzing::paste(data));
