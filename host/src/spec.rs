//! The claims every command signs from (`Spec`: the token's inputs, over the issuer's
//! defaults) and the answer `sign --json`, `batch --json` and `serve` write (`Answer`).

use anyhow::{Result, anyhow, bail};
use videosdk_token_core::{Claims, ExpiresIn, Key, Permission, Role, max_token_len, sign};

/// Claims inputs borrowed from a request and, in a batch, from one input line.
#[derive(Debug, Clone, Copy)]
pub struct Spec<'a> {
    pub api_key: &'a str,
    pub permissions: &'a [Permission],
    pub version_2: bool,
    pub room_id: Option<&'a str>,
    pub participant_id: Option<&'a str>,
    pub roles: &'a [Role],
    pub expires_in: ExpiresIn,
    pub iat: u64,
    /// Longest token to hand out: one longer than `verify` accepts would be useless.
    pub max_token_len: usize,
}

impl Spec<'_> {
    /// The claims to sign.
    pub fn claims(&self) -> Result<Claims<'_>> {
        Ok(
            Claims::expiring(self.api_key, self.permissions, self.iat, self.expires_in)?
                .with_roles(self.roles)
                .with_version_2_if(self.version_2)
                .with_optional_room_id(self.room_id)
                .with_optional_participant_id(self.participant_id),
        )
    }

    /// Grows `buf` to the longest token these string lengths can make, once: a reused
    /// buffer then always fits.
    pub fn fit(&self, buf: &mut Vec<u8>) {
        let bound = max_token_len(
            self.api_key.len(),
            self.room_id.map_or(0, str::len),
            self.participant_id.map_or(0, str::len),
        );
        if buf.len() < bound {
            buf.resize(bound, 0);
        }
    }

    /// Refuses a token longer than `verify` accepts: it would be useless.
    pub fn check_len(&self, token: &str) -> Result<()> {
        if token.len() > self.max_token_len {
            bail!(
                "the token would be {} bytes, longer than the {} bytes verify accepts; shorten \
                 roomId or participantId, or raise --max-token-len (verify then needs the same)",
                token.len(),
                self.max_token_len
            );
        }
        Ok(())
    }

    /// Signs into `buf`, growing it when the token does not fit, and returns the token and its
    /// `exp`.
    pub fn sign<'b>(&self, key: &Key, buf: &'b mut Vec<u8>) -> Result<(&'b str, u64)> {
        let claims = self.claims()?;
        self.fit(buf);
        let token = sign(&claims, key, buf)?;
        self.check_len(token)?;
        Ok((token, claims.exp()))
    }
}

/// A duration flag or field in the `ms` grammar (a bare number is seconds).
pub fn parse_duration(name: &str, text: &str) -> Result<ExpiresIn> {
    ExpiresIn::parse(text).map_err(|e| anyhow!("{name} {text:?}: {e}"))
}

/// A signed token as every command answers it in JSON (`sign --json`, `batch --json`,
/// `/get-token`): `{"token":…,"expiresAt":…}`.
#[derive(Debug, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Answer<'a> {
    pub token: &'a str,
    pub expires_at: u64,
}

impl Answer<'_> {
    /// Appends the answer's JSON to `out` without allocating (a token is base64url and dots,
    /// so it needs no escaping): what `batch` does for every line.
    pub fn write_to(&self, out: &mut Vec<u8>) {
        use std::io::Write as _;
        out.extend_from_slice(b"{\"token\":\"");
        out.extend_from_slice(self.token.as_bytes());
        out.extend_from_slice(b"\",\"expiresAt\":");
        // Writing a number into a Vec cannot fail.
        let _ = write!(out, "{}", self.expires_at);
        out.push(b'}');
    }
}
