//! Embeds the token inspector's page (inspector/dist, made by wasm/build.sh) for `serve`'s
//! `/inspect/` and the `inspect` command. Without it (a build before wasm/build.sh ran, or
//! from the published crate) the binary says how to get it instead.

use std::fmt::Write as _;
use std::path::PathBuf;

const FILES: &[(&str, &str)] = &[
    ("index.html", "text/html; charset=utf-8"),
    ("inspector.css", "text/css; charset=utf-8"),
    ("inspector.js", "text/javascript; charset=utf-8"),
    ("videosdk-token.js", "text/javascript; charset=utf-8"),
];

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let dist = manifest.join("../inspector/dist");
    println!("cargo:rerun-if-changed={}", dist.display());
    let built = FILES.iter().all(|(name, _)| dist.join(name).is_file());
    let mut code = String::from("/// The inspector's files: name, content type, bytes.\n");
    code.push_str("pub const FILES: &[(&str, &str, &[u8])] = &[\n");
    if built {
        for (name, mime) in FILES {
            let path = dist.join(name).canonicalize().expect("an inspector file");
            writeln!(
                code,
                "    ({name:?}, {mime:?}, include_bytes!({:?})),",
                path.display().to_string()
            )
            .expect("write");
        }
    }
    code.push_str("];\n");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR"));
    std::fs::write(out.join("inspector_files.rs"), code).expect("write inspector_files.rs");
}
