//! Secrets and the API key: where they come from (never the command line), the `.env` file
//! the VideoSDK server examples use, and a secret buffer that is wiped when dropped and never
//! printed.

use std::fmt;
use std::io::{IsTerminal, Read};
use std::path::Path;

use anyhow::{Context, Result, bail};
use zeroize::Zeroizing;

use crate::cli::SecretArgs;

/// RFC 7518 §3.2: an HS256 key must be at least as long as the hash output.
const MIN_SECRET_LEN: usize = 32;

const DOTENV: &str = ".env";

/// A secret's bytes, wiped on drop; `Debug` never shows them.
pub struct Secret(Zeroizing<Vec<u8>>);

impl Secret {
    pub fn bytes(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(..)")
    }
}

/// Loads the secret from the first source given (see the `--help` text for the order).
/// `stdin_taken` says standard input already carries the token.
pub fn load(args: &SecretArgs, stdin_taken: bool) -> Result<Secret> {
    if args.secret_on_command_line.is_some() {
        bail!(
            "refusing a secret given on the command line: it would show in the process list and shell \
             history. Use VIDEOSDK_SECRET_KEY, a .env file, --secret-file PATH or --secret-stdin"
        );
    }
    let bytes = if let Some(path) = &args.secret_file {
        warn_if_shared(path);
        let bytes = std::fs::read(path)
            .with_context(|| format!("cannot read --secret-file {}", path.display()))?;
        without_newline(Zeroizing::new(bytes))
    } else if args.secret_stdin {
        if stdin_taken {
            bail!("--secret-stdin cannot be used when the token is read from standard input (-)");
        }
        if std::io::stdin().is_terminal() {
            // Typed at a terminal: prompt on stderr and read without echo.
            let typed = Zeroizing::new(
                rpassword::prompt_password("Secret (not shown): ")
                    .context("cannot read the secret from the terminal")?,
            );
            Zeroizing::new(typed.as_bytes().to_vec())
        } else {
            let mut bytes = Zeroizing::new(Vec::new());
            std::io::stdin()
                .lock()
                .read_to_end(&mut bytes)
                .context("cannot read the secret from standard input")?;
            without_newline(bytes)
        }
    } else if let Some(value) = std::env::var_os("VIDEOSDK_SECRET_KEY") {
        Zeroizing::new(value.into_encoded_bytes())
    } else if let Some(value) = dotenv("VIDEOSDK_SECRET_KEY")? {
        warn_if_shared(Path::new(DOTENV));
        let value = Zeroizing::new(value);
        Zeroizing::new(value.as_bytes().to_vec())
    } else {
        bail!(
            "no secret: set VIDEOSDK_SECRET_KEY, put it in a .env file here, or use --secret-file PATH or \
             --secret-stdin"
        );
    };
    if bytes.is_empty() {
        bail!("the secret is empty");
    }
    if bytes.len() < MIN_SECRET_LEN && !args.allow_short_secret {
        bail!(
            "the secret is {} bytes; HS256 needs at least {MIN_SECRET_LEN} (RFC 7518 §3.2). Use a longer \
             secret, or --allow-short-secret to accept it anyway",
            bytes.len()
        );
    }
    Ok(Secret(bytes))
}

/// The API key from `--api-key`, `VIDEOSDK_API_KEY` or `.env`.
pub fn api_key(flag: Option<&str>) -> Result<String> {
    if let Some(key) = flag {
        return Ok(key.to_owned());
    }
    if let Ok(key) = std::env::var("VIDEOSDK_API_KEY") {
        return Ok(key);
    }
    dotenv("VIDEOSDK_API_KEY")?.context(
        "no API key: use --api-key KEY, set VIDEOSDK_API_KEY, or put it in a .env file here",
    )
}

/// `key` from `./.env`, if the file exists and sets it.
fn dotenv(key: &str) -> Result<Option<String>> {
    let path = Path::new(DOTENV);
    if !path.exists() {
        return Ok(None);
    }
    let entries = dotenvy::from_path_iter(path).context("cannot read .env")?;
    for entry in entries {
        let (name, value) = entry.context("cannot parse .env")?;
        if name == key {
            return Ok(Some(value));
        }
    }
    Ok(None)
}

fn without_newline(mut bytes: Zeroizing<Vec<u8>>) -> Zeroizing<Vec<u8>> {
    if bytes.last() == Some(&b'\n') {
        bytes.pop();
        if bytes.last() == Some(&b'\r') {
            bytes.pop();
        }
    }
    bytes
}

/// Warns when a file holding a secret can be read by other users.
fn warn_if_shared(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(meta) = std::fs::metadata(path)
            && meta.permissions().mode() & 0o077 != 0
        {
            eprintln!(
                "warning: {} is readable by other users (mode {:o}); run `chmod 600 {}`",
                path.display(),
                meta.permissions().mode() & 0o777,
                path.display()
            );
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}
