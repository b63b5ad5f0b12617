//! Compress the bundled fonts into `OUT_DIR`, so that `tip` carries them
//! deflated (1.5 MB of TrueType in about half that); `pdf.rs` inflates
//! them once per process, when a certificate is drawn or names are checked.

use std::io::Write;
use std::path::Path;

const FONTS: [&str; 6] = [
    "DejaVuSans.ttf",
    "DejaVuSans-Bold.ttf",
    "NotoSansArabic-Regular.ttf",
    "NotoSansArabic-Bold.ttf",
    "NotoSansHebrew-Regular.ttf",
    "NotoSansHebrew-Bold.ttf",
];

fn main() {
    let out = std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR");
    for font in FONTS {
        let source = Path::new("fonts").join(font);
        println!("cargo:rerun-if-changed={}", source.display());
        let bytes = std::fs::read(&source).expect("a bundled font");
        let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        encoder.write_all(&bytes).expect("in memory");
        let deflated = encoder.finish().expect("in memory");
        std::fs::write(Path::new(&out).join(format!("{font}.z")), deflated)
            .expect("OUT_DIR is writable");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
