//! Colour, used sparingly: a valid token green, a refusal red, a warning yellow; only where
//! it helps a person and never where a program reads (`--color`, `NO_COLOR`).

use std::io::IsTerminal;
use std::sync::atomic::{AtomicU8, Ordering};

use crate::cli::ColorChoice;

/// 0 undecided (auto), 1 on, 2 off.
static CHOICE: AtomicU8 = AtomicU8::new(0);

/// Records `--color` for the whole run.
pub fn choose(choice: ColorChoice) {
    let value = match choice {
        ColorChoice::Auto => 0,
        ColorChoice::Always => 1,
        ColorChoice::Never => 2,
    };
    CHOICE.store(value, Ordering::Relaxed);
}

/// Whether to colour text for standard output (`stdout`) or standard error.
fn enabled(stdout: bool) -> bool {
    match CHOICE.load(Ordering::Relaxed) {
        1 => true,
        2 => false,
        _ => {
            let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
            let terminal = if stdout {
                std::io::stdout().is_terminal()
            } else {
                std::io::stderr().is_terminal()
            };
            terminal && !no_color
        }
    }
}

fn paint(text: &str, code: &str, stdout: bool) -> String {
    if enabled(stdout) {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_owned()
    }
}

/// A valid token's first line, on standard output.
pub fn valid(text: &str) -> String {
    paint(text, "32", true)
}

/// A refusal, on standard error.
pub fn refusal(text: &str) -> String {
    paint(text, "31", false)
}

/// A warning heading, on standard output.
pub fn warning(text: &str) -> String {
    paint(text, "33", true)
}
