//! The golden vectors in `tests/vectors/vectors.json`, made by `tests/vectors/generate.js`
//! with Node's `jsonwebtoken`, read into the core's types.

use serde::Deserialize;
use videosdk_token_core::{Claims, Error, ExpiresIn, Permission, Role};

/// The whole file.
#[derive(Debug, Deserialize)]
pub struct Document {
    /// Which reference packages made it.
    pub generator: String,
    /// Inputs and the token Node made for each.
    pub vectors: Vec<Vector>,
    /// Inputs that this project reads differently from Node, on purpose, with Node's token.
    pub differences: Vec<Vector>,
    /// Tokens made by Node in other shapes, with the verdict expected from us and Node's own.
    pub verify: Vec<VerifyCase>,
    /// The `ms` package's reading of duration strings (`null` where it refuses one).
    pub ms: Vec<MsReading>,
}

/// One verification case.
#[derive(Debug, Deserialize)]
pub struct VerifyCase {
    /// What the case covers.
    pub name: String,
    /// The secret, used as its UTF-8 bytes.
    pub secret: String,
    /// The token, made by Node's `jsonwebtoken` (or `jws`, its signer, for odd shapes).
    pub token: String,
    /// When it is checked (unix seconds).
    pub now: u64,
    /// Leeway in seconds.
    pub leeway: u64,
    /// `valid`, or the name of the `Error` variant this project reports.
    pub expect: String,
    /// Node's `jwt.verify` verdict: `valid`, or its error's name and message.
    pub node: String,
}

/// One signing case.
#[derive(Debug, Deserialize)]
pub struct Vector {
    /// What the case covers.
    pub name: String,
    /// The secret, used as its UTF-8 bytes.
    pub secret: String,
    /// The payload handed to `jwt.sign`, in contract key order, with `iat`.
    pub claims: InputClaims,
    /// `expiresIn`: a duration string or a number of seconds.
    #[serde(rename = "expiresIn")]
    pub expires_in: serde_json::Value,
    /// What Node's `jsonwebtoken` returned.
    pub token: String,
}

/// A vector's payload as written in the file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InputClaims {
    /// `apikey`.
    pub apikey: String,
    /// `permissions`, by name.
    pub permissions: Vec<String>,
    /// `version`, when set.
    pub version: Option<u8>,
    /// `roomId`, when set.
    #[serde(rename = "roomId")]
    pub room_id: Option<String>,
    /// `participantId`, when set.
    #[serde(rename = "participantId")]
    pub participant_id: Option<String>,
    /// `roles`, by name, when set.
    pub roles: Option<Vec<String>>,
    /// `iat`.
    pub iat: u64,
}

/// What `ms(text)` returned.
#[derive(Debug, Deserialize)]
pub struct MsReading {
    /// The duration string.
    pub text: String,
    /// Milliseconds, or `None` where `ms` refused the string.
    pub ms: Option<f64>,
}

/// A vector's inputs in the core's types; [`Typed::claims`] borrows from it.
#[derive(Debug)]
pub struct Typed<'v> {
    vector: &'v Vector,
    /// The permissions, typed.
    pub permissions: Vec<Permission>,
    /// The roles, typed.
    pub roles: Vec<Role>,
    /// The lifetime as the core reads `expiresIn`.
    pub expires_in: ExpiresIn,
}

impl Vector {
    /// The inputs in the core's types.
    ///
    /// # Panics
    /// On a vector the core cannot type (a fault in the vector file).
    #[must_use]
    pub fn typed(&self) -> Typed<'_> {
        let permissions = self
            .claims
            .permissions
            .iter()
            .map(|p| {
                Permission::from_name(p).unwrap_or_else(|| panic!("{}: permission {p}", self.name))
            })
            .collect();
        let roles = self
            .claims
            .roles
            .iter()
            .flatten()
            .map(|r| Role::from_name(r).unwrap_or_else(|| panic!("{}: role {r}", self.name)))
            .collect();
        let expires_in = match &self.expires_in {
            serde_json::Value::String(text) => ExpiresIn::parse(text),
            serde_json::Value::Number(n) => n
                .as_u64()
                .map(ExpiresIn::seconds)
                .ok_or(Error::InvalidDuration),
            other => panic!("{}: expiresIn {other}", self.name),
        }
        .unwrap_or_else(|e| panic!("{}: expiresIn {}: {e}", self.name, self.expires_in));
        Typed {
            vector: self,
            permissions,
            roles,
            expires_in,
        }
    }
}

impl Typed<'_> {
    /// The claims the vector describes.
    ///
    /// # Errors
    /// Whatever the core refuses in them.
    pub fn claims(&self) -> Result<Claims<'_>, Error> {
        let input = &self.vector.claims;
        let mut claims =
            Claims::expiring(&input.apikey, &self.permissions, input.iat, self.expires_in)?;
        claims = claims.with_version_2_if(input.version == Some(2));
        claims = claims.with_optional_room_id(input.room_id.as_deref());
        claims = claims.with_optional_participant_id(input.participant_id.as_deref());
        Ok(claims.with_roles(&self.roles))
    }
}

/// Path of the vector file.
#[must_use]
pub fn path() -> std::path::PathBuf {
    crate::root().join("tests/vectors/vectors.json")
}

/// Reads the vector file.
///
/// # Panics
/// When the file is missing or malformed.
#[must_use]
pub fn load() -> Document {
    let text = std::fs::read_to_string(path()).expect("tests/vectors/vectors.json is readable");
    serde_json::from_str(&text).expect("tests/vectors/vectors.json parses")
}
