//! `videosdk-token batch`: one token per JSON line, signed on every core, written in input
//! order; a bad line stops the run by its number and leaves no output file behind.

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;
use serde::Deserialize;
use videosdk_token_core::{ExpiresIn, Permission, Role, SigningKey};

use crate::cli::BatchArgs;
use crate::sign::{Request, json_line, parse_duration, signing_key};
use crate::{clock, secret};

/// Longest input line accepted; a longer one is refused without reading the rest of it.
pub const MAX_LINE: usize = 64 * 1024;

/// Lines signed together; big enough to keep every thread busy, small enough to stream.
const CHUNK: usize = 4096;

/// What one input line may set.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Line {
    room_id: Option<String>,
    participant_id: Option<String>,
    roles: Option<Vec<String>>,
    permissions: Option<Vec<String>>,
    expires_in: Option<Lifetime>,
    iat: Option<u64>,
    version: Option<u8>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Lifetime {
    Seconds(u64),
    Text(String),
}

impl Line {
    /// The defaults with this line's fields laid over them.
    fn request(self, defaults: &Request) -> Result<Request> {
        let mut request = defaults.clone();
        if let Some(version) = self.version {
            if version != 2 {
                bail!("version must be 2");
            }
            request.version_2 = true;
        }
        if self.room_id.is_some() {
            request.room_id = self.room_id;
        }
        if self.participant_id.is_some() {
            request.participant_id = self.participant_id;
        }
        if let Some(roles) = self.roles {
            request.roles = roles
                .iter()
                .map(|r| {
                    Role::from_name(r)
                        .ok_or_else(|| anyhow!("unknown role {r:?} (expected rtc or crawler)"))
                })
                .collect::<Result<_>>()?;
        }
        if let Some(permissions) = self.permissions {
            request.permissions = permissions
                .iter()
                .map(|p| {
                    Permission::from_name(p).ok_or_else(|| {
                        anyhow!(
                            "unknown permission {p:?} (expected allow_join, ask_join or allow_mod)"
                        )
                    })
                })
                .collect::<Result<_>>()?;
        }
        match self.expires_in {
            Some(Lifetime::Seconds(seconds)) => request.expires_in = ExpiresIn::seconds(seconds),
            Some(Lifetime::Text(text)) => request.expires_in = parse_duration("expiresIn", &text)?,
            None => {}
        }
        if let Some(iat) = self.iat {
            request.iat = iat;
        }
        Ok(request)
    }
}

/// Signs one input line into its output line (without the newline).
fn sign_line(text: &str, defaults: &Request, key: &SigningKey, json: bool) -> Result<String> {
    let line: Line = serde_json::from_str(text).map_err(|e| {
        // serde_json ends its message with the position; say it as the column of this line.
        let message = e.to_string();
        let suffix = format!(" at line {} column {}", e.line(), e.column());
        anyhow!(
            "column {}: {}",
            e.column(),
            message.strip_suffix(&suffix).unwrap_or(&message)
        )
    })?;
    let request = line.request(defaults)?;
    let mut buf = Vec::new();
    let (token, exp) = request.sign(key, &mut buf)?;
    Ok(if json {
        json_line(token, exp)
    } else {
        token.to_owned()
    })
}

/// Reads the next line (without its line ending), refusing one longer than [`MAX_LINE`].
fn next_line(
    reader: &mut impl BufRead,
    number: usize,
    buf: &mut Vec<u8>,
) -> Result<Option<String>> {
    buf.clear();
    let limit = u64::try_from(MAX_LINE).unwrap_or(u64::MAX) + 2;
    let read = reader
        .by_ref()
        .take(limit)
        .read_until(b'\n', buf)
        .context("cannot read the input")?;
    if read == 0 {
        return Ok(None);
    }
    if buf.last() == Some(&b'\n') {
        buf.pop();
        if buf.last() == Some(&b'\r') {
            buf.pop();
        }
    }
    if buf.len() > MAX_LINE {
        bail!("line {number}: longer than {} KiB", MAX_LINE / 1024);
    }
    let text =
        String::from_utf8(std::mem::take(buf)).map_err(|_| anyhow!("line {number}: not UTF-8"))?;
    if text.trim().is_empty() {
        bail!("line {number}: empty (every line must be a JSON object, {{}} for the defaults)");
    }
    Ok(Some(text))
}

/// Standard output, or a temporary file beside the target that only a finished run renames
/// into place.
enum Sink {
    Stdout(BufWriter<std::io::Stdout>),
    File {
        file: BufWriter<tempfile::NamedTempFile>,
        target: PathBuf,
    },
}

impl Sink {
    fn open(output: Option<&Path>) -> Result<Self> {
        let Some(target) = output else {
            return Ok(Self::Stdout(BufWriter::new(std::io::stdout())));
        };
        let dir = match target.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        };
        let temp = tempfile::Builder::new()
            .prefix(".videosdk-token-batch-")
            .tempfile_in(dir)
            .with_context(|| format!("cannot create a file in {}", dir.display()))?;
        Ok(Self::File {
            file: BufWriter::new(temp),
            target: target.to_owned(),
        })
    }

    fn writer(&mut self) -> &mut dyn Write {
        match self {
            Self::Stdout(out) => out,
            Self::File { file, .. } => file,
        }
    }

    fn finish(self) -> Result<()> {
        match self {
            Self::Stdout(mut out) => out.flush().context("cannot write the tokens"),
            Self::File { file, target } => {
                let temp = file
                    .into_inner()
                    .map_err(|e| e.into_error())
                    .context("cannot write the tokens")?;
                temp.persist(&target)
                    .map_err(|e| e.error)
                    .with_context(|| format!("cannot create {}", target.display()))?;
                Ok(())
            }
        }
    }
}

fn progress(total_bytes: Option<u64>) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    match total_bytes {
        Some(total) => ProgressBar::new(total).with_style(
            ProgressStyle::with_template("{bar:40} {percent:>3}% {msg} ({eta} left)")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        ),
        None => ProgressBar::new_spinner(),
    }
}

pub fn run(args: &BatchArgs) -> Result<()> {
    let defaults = Request::from_args(&args.claims, clock::now())?;
    let secret = secret::load(&args.secret, args.input.is_none())?;
    let key = signing_key(&secret)?;
    let threads = args.threads.map_or_else(
        || std::thread::available_parallelism().map_or(1, usize::from),
        usize::from,
    );
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .context("cannot start the threads")?;

    let (mut reader, total): (Box<dyn BufRead>, Option<u64>) = match &args.input {
        Some(path) => {
            let file = File::open(path)
                .with_context(|| format!("cannot open --input {}", path.display()))?;
            let size = file.metadata().ok().map(|m| m.len());
            (Box::new(BufReader::with_capacity(1 << 16, file)), size)
        }
        None => (
            Box::new(BufReader::with_capacity(1 << 16, std::io::stdin())),
            None,
        ),
    };
    let mut sink = Sink::open(args.output.as_deref())?;
    let bar = progress(total);
    let mut lines: Vec<(usize, String)> = Vec::with_capacity(CHUNK);
    let mut buf = Vec::new();
    let mut number = 0;
    let mut written: u64 = 0;
    let mut bytes_read: u64 = 0;
    loop {
        lines.clear();
        while lines.len() < CHUNK {
            number += 1;
            match next_line(&mut reader, number, &mut buf)? {
                Some(text) => {
                    bytes_read += text.len() as u64 + 1;
                    lines.push((number, text));
                }
                None => break,
            }
        }
        if lines.is_empty() {
            break;
        }
        let signed: Vec<Result<String>> = pool.install(|| {
            lines
                .par_iter()
                .map(|(n, text)| {
                    sign_line(text, &defaults, &key, args.json)
                        .map_err(|e| anyhow!("line {n}: {e}"))
                })
                .collect()
        });
        let out = sink.writer();
        for line in signed {
            let line = line?;
            out.write_all(line.as_bytes())
                .and_then(|()| out.write_all(b"\n"))
                .context("cannot write the tokens")?;
            written += 1;
        }
        bar.set_position(bytes_read);
        bar.set_message(format!("{written} tokens"));
        if lines.len() < CHUNK {
            break;
        }
    }
    bar.finish_and_clear();
    sink.finish()
}
