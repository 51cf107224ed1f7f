#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| portolan_fuzz::json_load(data));
