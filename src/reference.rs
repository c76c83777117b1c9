//! The reference tools the tests ask (Node's `jsonwebtoken` and Ajv, Python's Prometheus
//! parser): a script in the repository, fed on standard input, its output read back.

use std::io::Write;
use std::process::{Command, Output, Stdio};

/// Runs `program` (`node`, `python3`) on the repository script `script` with `input` on
/// standard input.
///
/// # Panics
/// When the program cannot be started; the test command installs both.
pub fn run(program: &str, script: &str, input: &[u8]) -> Output {
    let path = crate::root().join(script);
    let mut child = Command::new(program)
        .arg(&path)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{program} {script}: {e} (scripts/test-all.sh installs it)"));
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(input);
    }
    child
        .wait_with_output()
        .unwrap_or_else(|e| panic!("{program} {script}: {e}"))
}
