//! The `videosdk-token` command line: sign, verify, decode and batch VideoSDK access tokens,
//! and serve them over HTTP.

mod batch;
mod cli;
mod clock;
mod decode;
mod dotenv;
mod error;
mod escape;
mod meetings;
mod request;
mod secret;
mod serve;
mod sign;
mod verify;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command};
use crate::error::Failure;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // clap prints help and version to stdout (exit 0) and usage errors to stderr (exit 2).
            let _ = e.print();
            return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2));
        }
    };
    let result = match cli.command {
        Command::Sign(args) => sign::run(&args),
        Command::Verify(args) => verify::run(&args),
        Command::Decode(args) => decode::run(&args),
        Command::Batch(args) => batch::run(&args),
        Command::Serve(args) => serve::run(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => report(&failure),
    }
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
    let _ = writeln!(stderr, "{failure:#}");
    ExitCode::from(code)
}
