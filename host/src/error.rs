//! How the command line fails: a refused token (exit 1) or anything else (exit 2), each
//! reported once as one line.

use std::fmt;

/// A failure whose exit code is not the default 2.
#[derive(Debug)]
pub enum Failure {
    /// The token was checked and refused: exit 1, with the reason.
    Refused(String),
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Refused(reason) => f.write_str(&refusal_text(reason)),
        }
    }
}

/// A refusal as users read it, in the words the VideoSDK service uses, wherever it is shown
/// (the command line, `verify --json`, `POST /verify`).
pub fn refusal_text(reason: impl fmt::Display) -> String {
    format!("Token is invalid or expired: {reason}")
}

impl std::error::Error for Failure {}

/// A refusal, for exit code 1.
pub fn refused(reason: impl fmt::Display) -> anyhow::Error {
    Failure::Refused(reason.to_string()).into()
}

/// Whether the failure is a write to a closed pipe (`videosdk-token … | head`), which is not
/// an error.
pub fn is_broken_pipe(failure: &anyhow::Error) -> bool {
    failure.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
