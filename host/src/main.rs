//! The `videosdk-token` command line: sign, verify, decode and batch VideoSDK access tokens,
//! and serve them over HTTP.

mod batch;
mod cli;
mod clock;
mod decode;
mod dotenv;
mod error;
mod escape;
mod input;
mod inspect;
mod issuer;
mod meetings;
mod metrics;
mod paint;
mod request;
mod secret;
mod serve;
mod sign;
mod spec;
mod verify;

use std::io::Write;
use std::process::ExitCode;

use crate::cli::{Cli, Command};
use crate::error::Failure;

/// mimalloc: `serve` allocates per request (headers, bodies, futures) on every worker thread,
/// where glibc's allocator was a seventh of the time (see `scripts/load-serve.sh`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let parsed = command()
        .try_get_matches()
        .and_then(|matches| <Cli as clap::FromArgMatches>::from_arg_matches(&matches));
    let cli = match parsed {
        Ok(cli) => cli,
        Err(e) => {
            // clap prints help and version to stdout (exit 0) and usage errors to stderr (exit 2).
            let _ = e.print();
            return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2));
        }
    };
    paint::choose(cli.color);
    let writes_stdout = match &cli.command {
        Command::Serve(_) | Command::Inspect(_) => false,
        Command::Batch(args) => args.output.is_none(),
        _ => true,
    };
    if writes_stdout && stdout_was_closed() {
        return report(&anyhow::anyhow!(
            "standard output is closed, so the result would be lost: give a file or a pipe"
        ));
    }
    let result = match cli.command {
        Command::Sign(args) => sign::run(&args),
        Command::Verify(args) => verify::run(&args),
        Command::Decode(args) => decode::run(&args),
        Command::Batch(args) => batch::run(&args),
        Command::Serve(args) => serve::run(&args),
        Command::Inspect(args) => inspect::run(&args),
        Command::Completions { shell } => completions(shell),
        Command::Man => man_page(),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => report(&failure),
    }
}

/// Whether standard output was closed when the program started (`videosdk-token sign >&-`).
/// Rust's runtime puts `/dev/null` there, read-write, before `main`, so writes would succeed
/// into nothing; a shell's `>/dev/null` opens it write-only, which is a choice and is kept.
#[cfg(target_os = "linux")]
fn stdout_was_closed() -> bool {
    let null = std::fs::read_link("/proc/self/fd/1").is_ok_and(|p| p.as_os_str() == "/dev/null");
    null && std::fs::read_to_string("/proc/self/fdinfo/1").is_ok_and(|info| {
        info.lines()
            .find_map(|line| line.strip_prefix("flags:"))
            .and_then(|flags| u32::from_str_radix(flags.trim(), 8).ok())
            .is_some_and(|flags| flags & 0o3 == 0o2)
    })
}

#[cfg(not(target_os = "linux"))]
fn stdout_was_closed() -> bool {
    false
}

/// The command-line grammar, with `serve --help` listing the endpoints from the router's
/// table (added here, so that the grammar in `cli` does not depend on the server).
fn command() -> clap::Command {
    <Cli as clap::CommandFactory>::command()
        .mut_subcommand("serve", |serve| serve.after_long_help(serve::help()))
}

/// A completion script for `shell`, generated from the command-line grammar itself.
fn completions(shell: clap_complete::Shell) -> anyhow::Result<()> {
    let mut command = command();
    let mut out = std::io::stdout().lock();
    clap_complete::generate(shell, &mut command, "videosdk-token", &mut out);
    out.flush()?;
    Ok(())
}

/// The manual page, generated from the command-line grammar itself.
fn man_page() -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    clap_mangen::Man::new(command()).render(&mut out)?;
    out.flush()?;
    Ok(())
}

/// Prints a failure once, as one line, and picks the exit code.
fn report(failure: &anyhow::Error) -> ExitCode {
    if error::is_broken_pipe(failure) {
        return ExitCode::SUCCESS;
    }
    let code = match failure.downcast_ref::<Failure>() {
        Some(Failure::Refused(_)) => 1,
        _ => 2,
    };
    let mut stderr = std::io::stderr().lock();
    let text = format!("{failure:#}");
    let text = if code == 1 {
        paint::refusal(&text)
    } else {
        text
    };
    let _ = writeln!(stderr, "{text}");
    ExitCode::from(code)
}
