//! Who issues tokens: the key made from the secret, the API key, and what a token has when
//! nothing more is asked. Resolved once from flags, the environment and `.env` (as ripgrep
//! resolves its flags into one value), then used by `sign`, `batch` and `serve`.

use anyhow::Result;
use videosdk_token_core::{DEFAULT_MAX_TOKEN_LEN, ExpiresIn, Key, Permission};

use crate::cli::{IssuerArgs, SecretArgs};
use crate::secret;
use crate::spec::{Spec, parse_duration};

/// The issuer of every token a command signs.
pub struct Issuer {
    key: Key,
    api_key: String,
    permissions: Vec<Permission>,
    expires_in: ExpiresIn,
}

impl Issuer {
    /// The issuer the flags, the environment and `.env` describe; `stdin_taken` says standard
    /// input carries something else (a token, batch lines), so the secret cannot come from it.
    pub fn from_args(args: &IssuerArgs, secrets: &SecretArgs, stdin_taken: bool) -> Result<Self> {
        secret::refuse_command_line(secrets)?;
        let api_key = secret::api_key(args.api_key.as_deref())?;
        let expires_in = parse_duration("--expires-in", &args.expires_in)?;
        let secret = secret::load(secrets, stdin_taken)?;
        Ok(Self {
            key: Key::new(secret.bytes())?,
            api_key,
            permissions: args.permissions.iter().map(|&p| p.into()).collect(),
            expires_in,
        })
    }

    pub fn key(&self) -> &Key {
        &self.key
    }

    /// The default lifetime (`--expires-in`).
    pub fn expires_in(&self) -> ExpiresIn {
        self.expires_in
    }

    /// A token with nothing asked, issued at `iat`.
    pub fn spec(&self, iat: u64) -> Spec<'_> {
        Spec {
            api_key: &self.api_key,
            permissions: &self.permissions,
            version_2: false,
            room_id: None,
            participant_id: None,
            roles: &[],
            expires_in: self.expires_in,
            iat,
            max_token_len: DEFAULT_MAX_TOKEN_LEN,
        }
    }
}
