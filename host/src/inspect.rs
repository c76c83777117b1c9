//! The token inspector: a static page that decodes and checks a token in the browser with the
//! WebAssembly package, never sending it anywhere. `serve` answers it at `/inspect/`;
//! `videosdk-token inspect DIR` writes it to a folder, to open from disk.

use std::path::Path;

use anyhow::{Context, Result, bail};

use crate::cli::InspectArgs;

include!(concat!(env!("OUT_DIR"), "/inspector_files.rs"));

/// What a binary built without the page says.
pub const NOT_BUILT: &str = "this binary was built without the token inspector: run ./wasm/build.sh in the repository, then build again";

/// The Content-Security-Policy of the page: only its own files, no inline script or style,
/// WebAssembly allowed, no requests, no frames, no forms.
pub const CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; connect-src 'none'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

/// The file `name` of the page: its content type and bytes.
pub fn file(name: &str) -> Option<(&'static str, &'static [u8])> {
    FILES
        .iter()
        .find(|(n, _, _)| *n == name)
        .map(|&(_, mime, bytes)| (mime, bytes))
}

/// Whether the page is in this binary.
pub fn built() -> bool {
    !FILES.is_empty()
}

pub fn run(args: &InspectArgs) -> Result<()> {
    if !built() {
        bail!(NOT_BUILT);
    }
    let dir = &args.dir;
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    if !args.force {
        let existing: Vec<&str> = FILES
            .iter()
            .map(|(name, _, _)| *name)
            .filter(|name| dir.join(name).exists())
            .collect();
        if !existing.is_empty() {
            bail!(
                "{} already holds {}: pass --force to replace them",
                dir.display(),
                existing.join(", ")
            );
        }
    }
    for (name, _, bytes) in FILES {
        write_file(&dir.join(name), bytes)?;
    }
    println!("{}", dir.join("index.html").display());
    Ok(())
}

/// Writes through a temporary file in the same folder, renamed into place: never half a file.
fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut temp = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("cannot write in {}", dir.display()))?;
    std::io::Write::write_all(&mut temp, bytes)
        .with_context(|| format!("cannot write {}", path.display()))?;
    // Readable as any page is (a temporary file starts private).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        temp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    temp.persist(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}
