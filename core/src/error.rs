//! The one error type of the core: a small `Copy` enum with fixed messages, so that a
//! device can report a failure without formatting machinery and a host can show it as is.

use core::fmt;

/// Every way the core can refuse an input or an operation.
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Error {
    /// Returned when a signing key is made from an empty secret.
    EmptySecret,
    /// Returned when the claims' `apikey` is empty.
    EmptyApiKey,
    /// Returned when the claims hold no permission.
    NoPermissions,
    /// Returned when a permission is listed twice.
    DuplicatePermission,
    /// Returned when a role is listed twice.
    DuplicateRole,
    /// Returned when `roomId` is set to an empty string.
    EmptyRoomId,
    /// Returned when `participantId` is set to an empty string.
    EmptyParticipantId,
    /// Returned when the output buffer cannot hold the token; `needed` is the length that
    /// would have fitted (for [`sign_claims`](crate::sign_claims), a lower bound).
    BufferTooSmall {
        /// The buffer length, in bytes, that signing needs.
        needed: usize,
    },
    /// Returned when a duration does not follow the grammar of the `ms` package.
    InvalidDuration,
    /// Returned when a lifetime is zero or negative once rounded down to whole seconds.
    NonPositiveLifetime,
    /// Returned when `exp` would pass 2^53 - 1, the largest integer JavaScript holds exactly.
    LifetimeOverflow,
    /// Returned when `iat` passes 2^53 - 1, the largest integer JavaScript holds exactly.
    TimeOutOfRange,
    /// Returned when serde-json-core cannot serialize a value given to `sign_claims` (feature
    /// `serde`), and by nothing else.
    Serialize,
    /// Returned when a token is longer than the rules allow.
    TokenTooLong,
    /// Returned when a token is not three non-empty dot-separated segments.
    Malformed,
    /// Returned when a segment is not canonical unpadded base64url.
    BadBase64,
    /// Returned when a header or payload is not valid UTF-8 JSON (or has trailing bytes).
    BadJson,
    /// Returned when JSON nests deeper than the reader allows.
    JsonTooDeep,
    /// Returned when the header is not a JSON object of a JWT (no `alg`, a `typ` other than
    /// `JWT`, a `crit` extension, a repeated key).
    BadHeader,
    /// Returned when the header's `alg` is anything but `HS256` (`none` included).
    WrongAlgorithm,
    /// Returned when the signature does not match the key.
    BadSignature,
    /// Returned when `now` is at or past `exp` plus the leeway.
    Expired,
    /// Returned when `now` plus the leeway is before `nbf`.
    NotYetValid,
    /// Returned when a required claim (`apikey`, `permissions`, `exp`) is absent.
    MissingClaim,
    /// Returned when a claim has the wrong JSON type (`exp` as a string, `permissions` as a
    /// string, a fractional time, …).
    WrongClaimType,
    /// Returned when a claim appears twice.
    DuplicateClaim,
    /// Returned, by rules that refuse unknown names ([`Rules::refusing_unknown_names`]), when
    /// `permissions` holds a name other than `allow_join`, `ask_join`, `allow_mod`.
    ///
    /// [`Rules::refusing_unknown_names`]: crate::Rules::refusing_unknown_names
    UnknownPermission,
    /// Returned, by rules that refuse unknown names, when `roles` holds a name other than
    /// `crawler`, `rtc`.
    UnknownRole,
    /// Returned when `permissions` or `roles` holds more unknown names than
    /// [`MAX_UNKNOWN_NAMES`](crate::MAX_UNKNOWN_NAMES), which a reader without allocation cannot
    /// keep.
    TooManyUnknownNames,
    /// Returned when `roomId`, `participantId` or `roles` comes without `version: 2`.
    VersionRequired,
    /// Returned when the scratch buffer cannot hold the decoded header and payload; `needed`
    /// is the length that would.
    ScratchTooSmall {
        /// The scratch length, in bytes, that decoding needs.
        needed: usize,
    },
}

impl Error {
    /// The fixed message for this error, as `Display` prints it.
    #[must_use]
    pub const fn message(&self) -> &'static str {
        match self {
            Self::EmptySecret => "secret is empty",
            Self::EmptyApiKey => "apikey is empty",
            Self::NoPermissions => {
                "permissions are empty: give at least one of allow_join, ask_join, allow_mod"
            }
            Self::DuplicatePermission => "a permission is listed twice",
            Self::DuplicateRole => "a role is listed twice",
            Self::EmptyRoomId => "roomId is empty",
            Self::EmptyParticipantId => "participantId is empty",
            Self::BufferTooSmall { .. } => "output buffer is too small for the token",
            Self::InvalidDuration => {
                "invalid duration: expected a number with an optional unit (ms, s, m, h, d, w, y), e.g. \"2h\" or \"90m\""
            }
            Self::NonPositiveLifetime => "lifetime must be at least one second",
            Self::LifetimeOverflow => "expiry time passes 2^53 - 1 seconds",
            Self::TimeOutOfRange => "issued-at time passes 2^53 - 1 seconds",
            Self::Serialize => "claims could not be serialized as JSON",
            Self::TokenTooLong => "token is longer than allowed",
            Self::Malformed => "token is not three dot-separated segments",
            Self::BadBase64 => "token segment is not base64url",
            Self::BadJson => "token segment is not valid JSON",
            Self::JsonTooDeep => "token JSON is nested too deeply",
            Self::BadHeader => "token header is not a JWT header",
            Self::WrongAlgorithm => "token algorithm is not HS256",
            Self::BadSignature => "signature does not match",
            Self::Expired => "token has expired",
            Self::NotYetValid => "token is not valid yet",
            Self::MissingClaim => "a required claim (apikey, permissions or exp) is missing",
            Self::WrongClaimType => "a claim has the wrong type",
            Self::DuplicateClaim => "a claim appears twice",
            Self::UnknownPermission => {
                "unknown permission: expected allow_join, ask_join or allow_mod"
            }
            Self::UnknownRole => "unknown role: expected crawler or rtc",
            Self::TooManyUnknownNames => "permissions or roles hold too many unknown names",
            Self::VersionRequired => "roomId, participantId and roles require version 2",
            Self::ScratchTooSmall { .. } => "scratch buffer is too small for the token",
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BufferTooSmall { needed } | Self::ScratchTooSmall { needed } => {
                write!(f, "{} (needs {needed} bytes)", self.message())
            }
            _ => f.write_str(self.message()),
        }
    }
}

impl core::error::Error for Error {}
