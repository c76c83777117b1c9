//! `videosdk-token sign`.

use std::io::Write;

use anyhow::{Context, Result};

use crate::cli::SignArgs;
use crate::clock;
use crate::issuer::Issuer;
use crate::request::{Names, TokenRequest};
use crate::spec::Answer;

/// `sign`: one token over the flags, printed (or as `--json`).
pub fn run(args: &SignArgs) -> Result<()> {
    let issuer = Issuer::from_args(&args.claims.issuer, &args.secret, false)?;
    let flags = TokenRequest::from_flags(&args.claims);
    let mut names = Names::default();
    let mut spec = flags.resolve(&issuer.spec(clock::now()), None, &mut names)?;
    spec.max_token_len = args.claims.max_token_len;
    let key = issuer.key();
    let mut buf = Vec::new();
    let (token, exp) = spec.sign(key, &mut buf)?;
    let mut stdout = std::io::stdout().lock();
    if args.json {
        let mut line = Vec::new();
        Answer {
            token,
            expires_at: exp,
        }
        .write_to(&mut line);
        line.push(b'\n');
        stdout.write_all(&line)
    } else {
        writeln!(stdout, "{token}")
    }
    .and_then(|()| stdout.flush())
    .context("cannot write the token")
}
