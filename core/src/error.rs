//! The one error type of the core: a small `Copy` enum with fixed messages, so that a
//! device can report a failure without formatting machinery and a host can show it as is.

use core::fmt;

/// Every way the core can refuse an input or an operation.
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
    /// Returned when serde-json-core cannot serialize a value given to
    /// [`sign_claims`](crate::sign_claims).
    Serialize,
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
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BufferTooSmall { needed } => {
                write!(f, "{} (needs {needed} bytes)", self.message())
            }
            _ => f.write_str(self.message()),
        }
    }
}

impl core::error::Error for Error {}
