//! `videosdk-token sign`, and the request type that `batch` signs one line of.

use std::io::Write;

use anyhow::{Context, Result, anyhow};
use videosdk_token_core::{Claims, ExpiresIn, Permission, Role, SigningKey, sign, token_len};

use crate::cli::{ClaimArgs, SignArgs};
use crate::{clock, secret};

/// Everything a token needs besides the key.
#[derive(Debug, Clone)]
pub struct Request {
    pub api_key: String,
    pub permissions: Vec<Permission>,
    pub version_2: bool,
    pub room_id: Option<String>,
    pub participant_id: Option<String>,
    pub roles: Vec<Role>,
    pub expires_in: ExpiresIn,
    pub iat: u64,
}

impl Request {
    /// The request the flags describe; `now` stands in for a missing `--iat`.
    pub fn from_args(args: &ClaimArgs, now: u64) -> Result<Self> {
        Ok(Self {
            api_key: secret::api_key(args)?,
            permissions: args.permissions.iter().map(|&p| p.into()).collect(),
            version_2: args.version.is_some(),
            room_id: args.room_id.clone(),
            participant_id: args.participant_id.clone(),
            roles: args.roles.iter().map(|&r| r.into()).collect(),
            expires_in: parse_duration("--expires-in", &args.expires_in)?,
            iat: args.iat.unwrap_or(now),
        })
    }

    /// Signs into `buf` (grown as needed) and returns the token and its `exp`.
    pub fn sign<'b>(&self, key: &SigningKey, buf: &'b mut Vec<u8>) -> Result<(&'b str, u64)> {
        let mut claims =
            Claims::expiring(&self.api_key, &self.permissions, self.iat, self.expires_in)
                .map_err(|e| anyhow!("{e}"))?
                .with_roles(&self.roles);
        if self.version_2 {
            claims = claims.with_version_2();
        }
        if let Some(room_id) = &self.room_id {
            claims = claims.with_room_id(room_id);
        }
        if let Some(participant_id) = &self.participant_id {
            claims = claims.with_participant_id(participant_id);
        }
        let len = token_len(&claims).map_err(|e| anyhow!("{e}"))?;
        if buf.len() < len {
            buf.resize(len, 0);
        }
        let token = sign(&claims, key, buf).map_err(|e| anyhow!("{e}"))?;
        Ok((token, claims.exp()))
    }
}

/// A duration flag or field in the `ms` grammar (a bare number is seconds).
pub fn parse_duration(name: &str, text: &str) -> Result<ExpiresIn> {
    ExpiresIn::parse(text).map_err(|e| anyhow!("{name} {text:?}: {e}"))
}

/// The signing key for `secret`.
pub fn signing_key(secret: &secret::Secret) -> Result<SigningKey> {
    SigningKey::new(secret.bytes()).map_err(|e| anyhow!("{e}"))
}

/// `{"token":…,"expiresAt":…}` without a trailing newline.
pub fn json_line(token: &str, exp: u64) -> String {
    serde_json::json!({ "token": token, "expiresAt": exp }).to_string()
}

pub fn run(args: &SignArgs) -> Result<()> {
    let request = Request::from_args(&args.claims, clock::now())?;
    let secret = secret::load(&args.secret, false)?;
    let key = signing_key(&secret)?;
    let mut buf = Vec::new();
    let (token, exp) = request.sign(&key, &mut buf)?;
    let mut stdout = std::io::stdout().lock();
    if args.json {
        writeln!(stdout, "{}", json_line(token, exp))
    } else {
        writeln!(stdout, "{token}")
    }
    .and_then(|()| stdout.flush())
    .context("cannot write the token")
}
