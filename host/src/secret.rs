//! Secrets and the API key: where they come from (never the command line), the `.env` file
//! the VideoSDK server examples use, the one rule for text read from secret and auth-token
//! files, and a secret buffer that is wiped when dropped and never printed.

use std::fmt;
use std::io::{IsTerminal, Read};
use std::path::Path;
use std::sync::{Arc, Mutex};

use anyhow::{Context, Result, bail};
use zeroize::Zeroizing;

use crate::cli::SecretArgs;
use crate::dotenv::{self, Dotenv};

/// RFC 7518 §3.2: an HS256 key must be at least as long as the hash output.
const MIN_SECRET_LEN: usize = 32;

const DOTENV: &str = ".env";

/// Longest secret, auth-token or `.env` file read: far above any, and a file past it is a
/// mistake (or `/dev/zero`), refused before it is read whole.
pub const MAX_FILE: u64 = 64 * 1024;

/// Reads a file of secrets (`--secret-file`, `--previous-secret-file`, `--auth-token-file`,
/// `.env`): a regular file of at most [`MAX_FILE`] bytes. Anything else (a FIFO, a device, a
/// directory) is refused without waiting on it: opened without blocking, checked, then read.
/// `Ok(None)` when it does not exist and `missing_ok`.
pub fn read_file(path: &Path, what: &str, missing_ok: bool) -> Result<Option<Zeroizing<Vec<u8>>>> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = match options.open(path) {
        Ok(file) => file,
        Err(e) if missing_ok && e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e).with_context(|| format!("cannot read {what}")),
    };
    let meta = file
        .metadata()
        .with_context(|| format!("cannot read {what}"))?;
    if !meta.is_file() {
        bail!("{what} is not a regular file (pipe a secret with --secret-stdin)");
    }
    if meta.len() > MAX_FILE {
        bail!("{what} is larger than {} KiB", MAX_FILE / 1024);
    }
    let mut bytes = Zeroizing::new(Vec::new());
    file.take(MAX_FILE + 1)
        .read_to_end(&mut bytes)
        .with_context(|| format!("cannot read {what}"))?;
    if bytes.len() as u64 > MAX_FILE {
        bail!("{what} is larger than {} KiB", MAX_FILE / 1024);
    }
    Ok(Some(bytes))
}

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
    refuse_command_line(args)?;
    let bytes = if let Some(path) = &args.secret_file {
        let what = format!("--secret-file {}", path.display());
        let bytes = read_file(path, &what, false)?.unwrap_or_default();
        warn_if_shared(path);
        file_text(bytes, &what)?
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
            file_text(
                Zeroizing::new(typed.as_bytes().to_vec()),
                "the typed secret",
            )?
        } else {
            let mut bytes = Zeroizing::new(Vec::new());
            std::io::stdin()
                .lock()
                .read_to_end(&mut bytes)
                .context("cannot read the secret from standard input")?;
            file_text(bytes, "the secret on standard input")?
        }
    } else if let Some(value) = std::env::var_os("VIDEOSDK_SECRET_KEY") {
        let bytes = Zeroizing::new(value.into_encoded_bytes());
        refuse_surrounding_space(&bytes, "VIDEOSDK_SECRET_KEY")?;
        bytes
    } else if let Some(value) = dotenv_value("VIDEOSDK_SECRET_KEY")? {
        warn_if_shared(Path::new(DOTENV));
        // Where dotenv would sign with an empty key, or with spaces kept by quotes, this
        // refuses instead (the empty case below).
        let bytes = Zeroizing::new(value.into_bytes());
        refuse_surrounding_space(&bytes, "VIDEOSDK_SECRET_KEY in .env")?;
        bytes
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

/// Refuses a secret given on the command line; every command calls this before anything
/// else, so that the refusal is what the user reads, whatever else is missing.
pub fn refuse_command_line(args: &SecretArgs) -> Result<()> {
    if args.secret_on_command_line.is_some() {
        bail!(
            "refusing a secret given on the command line: it would show in the process list and shell \
             history. Use VIDEOSDK_SECRET_KEY, a .env file, --secret-file PATH or --secret-stdin"
        );
    }
    Ok(())
}

/// The API key from `--api-key`, `VIDEOSDK_API_KEY` or `.env`.
pub fn api_key(flag: Option<&str>) -> Result<String> {
    if let Some(key) = flag {
        return Ok(key.to_owned());
    }
    match std::env::var("VIDEOSDK_API_KEY") {
        Ok(key) => return Ok(key),
        Err(std::env::VarError::NotUnicode(_)) => {
            bail!("VIDEOSDK_API_KEY is not UTF-8; an API key is text")
        }
        Err(std::env::VarError::NotPresent) => {}
    }
    dotenv_value("VIDEOSDK_API_KEY")?.context(
        "no API key: use --api-key KEY, set VIDEOSDK_API_KEY, or put it in a .env file here",
    )
}

/// `.env` in the working directory, read once (so its warnings print once) until
/// [`forget_dotenv`]; `None` when there is no such file.
fn dotenv_file() -> Result<Option<Arc<Dotenv>>> {
    let mut cache = DOTENV_CACHE
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if cache.is_none() {
        *cache = Some(read_dotenv().map(|file| file.map(Arc::new)));
    }
    match cache.as_ref() {
        Some(Ok(file)) => Ok(file.clone()),
        Some(Err(message)) => bail!("{message}"),
        None => Ok(None),
    }
}

/// `.env` as last read; emptied by [`forget_dotenv`] so that a reload reads it again.
static DOTENV_CACHE: Mutex<Option<Result<Option<Arc<Dotenv>>, String>>> = Mutex::new(None);

/// Makes the next lookup read `.env` again (`serve` on SIGHUP).
pub fn forget_dotenv() {
    *DOTENV_CACHE
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner) = None;
}

/// Reads and parses `.env`, warning once per read about the lines dotenv would skip.
fn read_dotenv() -> Result<Option<Dotenv>, String> {
    let path = Path::new(DOTENV);
    let bytes = match read_file(path, DOTENV, true) {
        Ok(Some(bytes)) => bytes,
        Ok(None) => return Ok(None),
        Err(e) => return Err(format!("{e:#}")),
    };
    let file = dotenv::parse(&bytes).map_err(|e| format!("cannot read {e}"))?;
    for line in &file.ignored_lines {
        eprintln!(
            "warning: .env line {line} is not KEY=VALUE and is ignored, as Node's dotenv ignores it"
        );
    }
    Ok(Some(file))
}

/// `key` from `./.env`, if the file exists and sets it.
fn dotenv_value(key: &str) -> Result<Option<String>> {
    Ok(dotenv_file()?.and_then(|file| file.get(key).map(str::to_owned)))
}

/// A setting that is not a secret (`VIDEOSDK_API_ENDPOINT`, say): the environment first, then
/// `.env`, as the VideoSDK examples read theirs.
pub fn setting(key: &str) -> Result<Option<String>> {
    if let Ok(value) = std::env::var(key) {
        return Ok(Some(value));
    }
    dotenv_value(key)
}

/// A key from a secret file named by `flag` (`--previous-secret-file`), read by the same rule
/// as `--secret-file`.
pub fn key_file(path: &Path, flag: &str) -> Result<videosdk_token_core::Key> {
    let what = format!("{flag} {}", path.display());
    let bytes = read_file(path, &what, false)?.unwrap_or_default();
    warn_if_shared(path);
    let bytes = file_text(bytes, &what)?;
    videosdk_token_core::Key::new(&bytes).with_context(|| what.clone())
}

/// The one rule for text read from a secret file, a piped `--secret-stdin` or an auth-token
/// file: a leading byte order mark and every trailing CR and LF are dropped, and what is left
/// must not start or end with white space (a space there is almost always a copy-and-paste
/// accident, and would silently become part of the key).
pub fn file_text(mut bytes: Zeroizing<Vec<u8>>, what: &str) -> Result<Zeroizing<Vec<u8>>> {
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    while matches!(bytes.last(), Some(b'\n' | b'\r')) {
        bytes.pop();
    }
    refuse_surrounding_space(&bytes, what)?;
    Ok(bytes)
}

fn refuse_surrounding_space(bytes: &[u8], what: &str) -> Result<()> {
    // Unicode's white space (a no-break space, a vertical tab, …) and a byte order mark
    // count too: none is visible where a secret is pasted.
    let text = String::from_utf8_lossy(bytes);
    let space = |c: char| c.is_whitespace() || c == '\u{feff}';
    if text.starts_with(space) {
        bail!(
            "{what} starts with white space; remove it (secrets and tokens are used exactly as written)"
        );
    }
    if text.ends_with(space) {
        bail!(
            "{what} ends with white space; remove it (secrets and tokens are used exactly as written)"
        );
    }
    Ok(())
}

/// Warns when a file holding a secret can be read by other users.
pub fn warn_if_shared(path: &Path) {
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
