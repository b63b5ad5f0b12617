//! Link `tip` with its debug information compressed.
//!
//! Release builds keep line tables (so a panic's backtrace names the line),
//! which are most of the binary's size: compressed with zlib they take a
//! quarter of the space, and the standard library's backtrace reads them as
//! they are (docs/performance.md: 39 MB → under 25 MB). Only where the
//! linker is GNU ld, gold or lld, which all understand the flag.

fn main() {
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os == "linux" && env == "gnu" {
        println!("cargo:rustc-link-arg-bins=-Wl,--compress-debug-sections=zlib");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
