//! The fast YAML path against serde-saphyr: whenever the line reader gives
//! a tree for the input, it is serde-saphyr's tree of the same text, places
//! included. (CI runs the same comparison on
//! stable for a minute: `cargo run -p tip-core --example yaml-differential`.)
//!
//! ```text
//! RUSTC_BOOTSTRAP=1 cargo fuzz run yaml fuzz/corpus/load -- -max_total_time=600
//! ```
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &[u8]| {
    let Ok(text) = std::str::from_utf8(input) else { return };
    if let Err(difference) = tip_core::yaml_readers_agree(text) {
        panic!("{difference}");
    }
});
