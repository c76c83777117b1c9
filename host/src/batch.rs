//! `videosdk-token batch`: one token per JSON line, signed on every core, written in input
//! order; a bad line stops the run by its number and leaves no output file behind.
//!
//! Three stages overlap: a reader thread cuts the input into blocks of whole lines, the
//! signing threads turn each block into output buffers (one per 256 lines, grown rather than
//! made per line), and a writer thread writes the buffers in order. A line allocates only
//! for what it lists (`roles`, `permissions`) and for strings with escapes in them; the
//! token and its JSON are written into reused buffers.

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use anyhow::{Context, Result, anyhow, bail};
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;
use videosdk_token_core::{Key, sign};

use crate::cli::BatchArgs;
use crate::clock;
use crate::issuer::Issuer;
use crate::request::{Names, TokenRequest};
use crate::spec::{Answer, Spec};

/// Longest input line accepted; a longer one is refused without reading the rest of it.
pub const MAX_LINE: usize = 64 * 1024;

/// Lines per block handed to the signing threads.
const BLOCK_LINES: usize = 16 * 1024;

/// Lines each signing task turns into one output buffer.
const TASK_LINES: usize = 256;

/// Reads an input line into the request model, by serde.
fn read_line(text: &str) -> Result<TokenRequest<'static>> {
    // serde would read an array as the fields in order; only an object names them.
    if !text.trim_start().starts_with('{') {
        bail!("not a JSON object (every line must be an object, {{}} for the defaults)");
    }
    serde_json::from_str(text).map_err(|e| {
        // serde_json ends its message with the position; say it as the column of this line.
        let message = e.to_string();
        let suffix = format!(" at line {} column {}", e.line(), e.column());
        anyhow!(
            "column {}: {}",
            e.column(),
            message.strip_suffix(&suffix).unwrap_or(&message)
        )
    })
}

/// Appends a token's output line.
fn write_answer(out: &mut Vec<u8>, token: &str, exp: u64, json: bool) {
    if json {
        Answer {
            token,
            expires_at: exp,
        }
        .write_to(out);
    } else {
        out.extend_from_slice(token.as_bytes());
    }
    out.push(b'\n');
}

/// Signs one input line's request over the flags' defaults and appends its output line to
/// `out`.
fn sign_line(
    line: &TokenRequest<'_>,
    defaults: &Spec<'_>,
    key: &Key,
    json: bool,
    out: &mut Vec<u8>,
    buf: &mut Vec<u8>,
) -> Result<()> {
    let mut names = Names::default();
    let spec = line.resolve(defaults, None, &mut names)?;
    let claims = spec.claims()?;
    spec.fit(buf);
    let token = sign(&claims, key, buf)?;
    spec.check_len(token)?;
    write_answer(out, token, claims.exp(), json);
    Ok(())
}

/// Input lines checked to be UTF-8 and read into requests by serde: the reading thread does
/// that much of the work, while the signing threads sign the block before.
struct Block {
    /// Number of the block's first line.
    first: usize,
    /// Each line's request, or why it is not one (reported in line order when signing).
    requests: Vec<Result<TokenRequest<'static>>>,
    /// The line after the last, which is not UTF-8: its error comes after theirs.
    not_utf8: Option<usize>,
    /// Input bytes consumed, for the progress bar.
    consumed: u64,
}

/// Reads the next block, or `None` at the end of the input; a line longer than [`MAX_LINE`]
/// is refused without reading the rest of it. A line that is not UTF-8 ends the block.
fn read_block(reader: &mut impl BufRead, first: usize) -> Result<Option<Block>> {
    let mut bytes = Vec::with_capacity(BLOCK_LINES * 96);
    let mut lines = Vec::with_capacity(BLOCK_LINES);
    let mut consumed = 0;
    let limit = u64::try_from(MAX_LINE).unwrap_or(u64::MAX) + 2;
    while lines.len() < BLOCK_LINES {
        let number = first + lines.len();
        let start = bytes.len();
        let read = reader
            .by_ref()
            .take(limit)
            .read_until(b'\n', &mut bytes)
            .context("cannot read the input")?;
        if read == 0 {
            break;
        }
        consumed += read as u64;
        if bytes.last() == Some(&b'\n') {
            bytes.pop();
            if bytes.last() == Some(&b'\r') {
                bytes.pop();
            }
        }
        let line = bytes.get(start..).unwrap_or_default();
        if line.len() > MAX_LINE {
            bail!("line {number}: longer than {} KiB", MAX_LINE / 1024);
        }
        if line.iter().all(u8::is_ascii_whitespace) {
            bail!("line {number}: empty (every line must be a JSON object, {{}} for the defaults)");
        }
        lines.push(start..bytes.len());
    }
    // One check for the block; a line that fails it ends the block there.
    let (text, not_utf8) = match String::from_utf8(bytes) {
        Ok(text) => (text, None),
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let bad = lines.partition_point(|line| line.end <= valid);
            let mut bytes = e.into_bytes();
            bytes.truncate(lines.get(bad).map_or(valid, |line| line.start));
            lines.truncate(bad);
            let text = String::from_utf8(bytes).unwrap_or_default();
            (text, Some(first + bad))
        }
    };
    let requests = lines
        .iter()
        .map(|range| read_line(text.get(range.clone()).unwrap_or_default()))
        .collect::<Vec<_>>();
    Ok(if requests.is_empty() && not_utf8.is_none() {
        None
    } else {
        Some(Block {
            first,
            requests,
            not_utf8,
            consumed,
        })
    })
}

/// Signs a block into output buffers, one per task, in order.
fn sign_block(block: &Block, defaults: &Spec<'_>, key: &Key, json: bool) -> Result<Vec<Vec<u8>>> {
    let signed = block
        .requests
        .par_chunks(TASK_LINES)
        .enumerate()
        .map(|(task, requests)| {
            let mut out = Vec::with_capacity(requests.len() * 384);
            let mut buf = Vec::new();
            let first = block.first + task * TASK_LINES;
            for (i, request) in requests.iter().enumerate() {
                request
                    .as_ref()
                    .map_err(|e| anyhow!("{e}"))
                    .and_then(|request| sign_line(request, defaults, key, json, &mut out, &mut buf))
                    .map_err(|e| anyhow!("line {}: {e}", first + i))?;
            }
            Ok(out)
        })
        .collect::<Result<Vec<_>>>()?;
    if let Some(number) = block.not_utf8 {
        bail!("line {number}: not UTF-8");
    }
    Ok(signed)
}

/// Where the tokens go: standard output; a regular file (new or replaced), written to a
/// temporary file beside it that only a finished run renames into place; or a device, FIFO
/// or socket (`/dev/null`, a pipe to another program), written directly as a shell
/// redirection would, because renaming over one would replace the device itself.
enum Sink {
    Stdout(BufWriter<std::io::Stdout>),
    Direct(BufWriter<File>),
    File {
        file: BufWriter<tempfile::NamedTempFile>,
        target: PathBuf,
    },
}

/// How many symbolic links `--output` may pass through, as Linux allows for a path.
const MAX_SYMLINKS: usize = 40;

/// The path a write to `path` lands on: symbolic links followed, so that the rename replaces
/// the file the link points to, never the link.
fn resolve_links(path: &Path) -> Result<PathBuf> {
    let mut path = path.to_owned();
    for _ in 0..MAX_SYMLINKS {
        match std::fs::symlink_metadata(&path) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let link = std::fs::read_link(&path)
                    .with_context(|| format!("cannot read the link {}", path.display()))?;
                path = match path.parent() {
                    Some(dir) if link.is_relative() => dir.join(link),
                    _ => link,
                };
            }
            _ => return Ok(path),
        }
    }
    bail!("--output {}: too many symbolic links", path.display())
}

impl Sink {
    fn open(output: Option<&Path>) -> Result<Self> {
        let Some(output) = output else {
            return Ok(Self::Stdout(BufWriter::with_capacity(
                1 << 16,
                std::io::stdout(),
            )));
        };
        let target = resolve_links(output)?;
        let existing = match std::fs::metadata(&target) {
            Ok(meta) => Some(meta),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => {
                return Err(e)
                    .with_context(|| format!("cannot write --output {}", output.display()));
            }
        };
        if let Some(meta) = &existing {
            if meta.is_dir() {
                bail!("--output {} is a directory", output.display());
            }
            if meta.is_file() {
                // Replacing the file by a rename would silently undo both.
                if meta.permissions().readonly() {
                    bail!(
                        "--output {} is read-only; make it writable to replace it",
                        output.display()
                    );
                }
                #[cfg(unix)]
                {
                    use std::os::unix::fs::MetadataExt;
                    if meta.nlink() > 1 {
                        bail!(
                            "--output {} has {} hard links, which replacing it would break; \
                             write to another path",
                            output.display(),
                            meta.nlink()
                        );
                    }
                }
            } else {
                let file = std::fs::OpenOptions::new()
                    .write(true)
                    .open(&target)
                    .with_context(|| format!("cannot open --output {}", output.display()))?;
                return Ok(Self::Direct(BufWriter::with_capacity(1 << 16, file)));
            }
        }
        let dir = match target.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        };
        let temp = tempfile::Builder::new()
            .prefix(".videosdk-token-batch-")
            .tempfile_in(dir)
            .with_context(|| format!("cannot create a file in {}", dir.display()))?;
        if let Some(meta) = &existing {
            // The replacement keeps the mode of the file it replaces.
            temp.as_file()
                .set_permissions(meta.permissions())
                .with_context(|| format!("cannot write --output {}", output.display()))?;
        }
        Ok(Self::File {
            file: BufWriter::with_capacity(1 << 16, temp),
            target,
        })
    }

    fn write_all(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        match self {
            Self::Stdout(out) => out.write_all(bytes),
            Self::Direct(out) => out.write_all(bytes),
            Self::File { file, .. } => file.write_all(bytes),
        }
    }

    fn finish(self) -> Result<()> {
        match self {
            Self::Stdout(mut out) => out.flush().context("cannot write the tokens"),
            Self::Direct(mut out) => out.flush().context("cannot write the tokens"),
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

/// The reader stage: blocks in input order until the end or the first error.
fn reader(mut input: Box<dyn BufRead + Send>, blocks: SyncSender<Result<Block>>) {
    let mut first = 1;
    loop {
        match read_block(&mut input, first) {
            Ok(Some(block)) => {
                first += block.requests.len();
                if blocks.send(Ok(block)).is_err() {
                    return;
                }
            }
            Ok(None) => return,
            Err(e) => {
                let _ = blocks.send(Err(e));
                return;
            }
        }
    }
}

/// The writer stage: buffers in order; returns the sink to finish, or the first write error.
fn writer(mut sink: Sink, buffers: Receiver<Vec<Vec<u8>>>) -> Result<Sink> {
    for block in buffers {
        for buffer in block {
            sink.write_all(&buffer).context("cannot write the tokens")?;
        }
    }
    Ok(sink)
}

pub fn run(args: &BatchArgs) -> Result<()> {
    let issuer = Issuer::from_args(&args.claims.issuer, &args.secret, args.input.is_none())?;
    let flags = TokenRequest::from_flags(&args.claims);
    let mut flag_names = Names::default();
    let mut defaults = flags.resolve(&issuer.spec(clock::now()), None, &mut flag_names)?;
    defaults.max_token_len = args.claims.max_token_len;
    let key = issuer.key();
    let threads = args.threads.map_or_else(
        || std::thread::available_parallelism().map_or(1, usize::from),
        usize::from,
    );
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .context("cannot start the threads")?;

    let (input, total): (Box<dyn BufRead + Send>, Option<u64>) = match &args.input {
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
    let sink = Sink::open(args.output.as_deref())?;
    let bar = progress(total);

    let result = std::thread::scope(|scope| -> Result<Sink> {
        let (block_tx, block_rx) = sync_channel::<Result<Block>>(2);
        let (out_tx, out_rx) = sync_channel::<Vec<Vec<u8>>>(2);
        scope.spawn(move || reader(input, block_tx));
        let written = scope.spawn(move || writer(sink, out_rx));
        let mut consumed = 0;
        let mut signed = 0;
        for block in block_rx {
            let block = block?;
            let buffers = pool.install(|| sign_block(&block, &defaults, key, args.json))?;
            signed += block.requests.len();
            consumed += block.consumed;
            bar.set_position(consumed);
            bar.set_message(format!("{signed} tokens"));
            if out_tx.send(buffers).is_err() {
                break; // the writer failed; its error is reported below
            }
        }
        drop(out_tx);
        written
            .join()
            .map_err(|_| anyhow!("the writer thread failed"))?
    });
    bar.finish_and_clear();
    result?.finish()
}
