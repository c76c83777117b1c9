//! The status every function returns, and its fixed message.

use core::ffi::c_int;

use videosdk_token_core::{Error, Refusal};

/// What a call did: `VIDEOSDK_TOKEN_OK` (0), or why it did nothing. The values are stable;
/// new ones may be added at the end. `videosdk_token_status_message` gives each its text.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum videosdk_token_status {
    /// Done.
    VIDEOSDK_TOKEN_OK = 0,
    /// A required pointer is NULL (or a NULL pointer came with a non-zero length).
    VIDEOSDK_TOKEN_NULL_POINTER,
    /// A string is not UTF-8.
    VIDEOSDK_TOKEN_NOT_UTF8,
    /// The key storage was not set up by `videosdk_token_key_init` (or was cleared). Told by
    /// a marker word: storage never zeroed may hold an earlier key's marker, and is then used
    /// as that key (see `videosdk_token_key`).
    VIDEOSDK_TOKEN_KEY_NOT_SET,
    /// The claims were not filled by a successful `videosdk_token_verify`.
    VIDEOSDK_TOKEN_VERIFIED_NOT_SET,
    /// A permission value is not one of `VIDEOSDK_TOKEN_ALLOW_JOIN`…
    VIDEOSDK_TOKEN_BAD_PERMISSION_VALUE,
    /// A role value is not one of `VIDEOSDK_TOKEN_CRAWLER`…
    VIDEOSDK_TOKEN_BAD_ROLE_VALUE,
    /// The secret is empty.
    VIDEOSDK_TOKEN_EMPTY_SECRET,
    /// `apikey` is empty.
    VIDEOSDK_TOKEN_EMPTY_API_KEY,
    /// No permission is given.
    VIDEOSDK_TOKEN_NO_PERMISSIONS,
    /// A permission is listed twice.
    VIDEOSDK_TOKEN_DUPLICATE_PERMISSION,
    /// A role is listed twice.
    VIDEOSDK_TOKEN_DUPLICATE_ROLE,
    /// `roomId` is empty.
    VIDEOSDK_TOKEN_EMPTY_ROOM_ID,
    /// `participantId` is empty.
    VIDEOSDK_TOKEN_EMPTY_PARTICIPANT_ID,
    /// The output buffer cannot hold the token and its NUL.
    VIDEOSDK_TOKEN_BUFFER_TOO_SMALL,
    /// A lifetime does not follow the grammar of the `ms` package.
    VIDEOSDK_TOKEN_INVALID_DURATION,
    /// A lifetime is under one second.
    VIDEOSDK_TOKEN_NON_POSITIVE_LIFETIME,
    /// `exp` would pass 2^53 - 1.
    VIDEOSDK_TOKEN_LIFETIME_OVERFLOW,
    /// `iat` passes 2^53 - 1.
    VIDEOSDK_TOKEN_TIME_OUT_OF_RANGE,
    /// The token is longer than the rules allow.
    VIDEOSDK_TOKEN_TOKEN_TOO_LONG,
    /// The token is not three non-empty dot-separated segments.
    VIDEOSDK_TOKEN_MALFORMED,
    /// A segment is not canonical unpadded base64url.
    VIDEOSDK_TOKEN_BAD_BASE64,
    /// The header or payload is not valid UTF-8 JSON.
    VIDEOSDK_TOKEN_BAD_JSON,
    /// The JSON nests too deeply.
    VIDEOSDK_TOKEN_JSON_TOO_DEEP,
    /// The header is not a JWT header.
    VIDEOSDK_TOKEN_BAD_HEADER,
    /// The algorithm is not HS256.
    VIDEOSDK_TOKEN_WRONG_ALGORITHM,
    /// The signature does not match the key.
    VIDEOSDK_TOKEN_BAD_SIGNATURE,
    /// The token has expired.
    VIDEOSDK_TOKEN_EXPIRED,
    /// The token is not valid yet (`nbf`).
    VIDEOSDK_TOKEN_NOT_YET_VALID,
    /// `apikey`, `permissions` or `exp` is missing.
    VIDEOSDK_TOKEN_MISSING_CLAIM,
    /// A claim has the wrong JSON type.
    VIDEOSDK_TOKEN_WRONG_CLAIM_TYPE,
    /// A claim appears twice.
    VIDEOSDK_TOKEN_DUPLICATE_CLAIM,
    /// A permission name is unknown (only when the rules refuse unknown names).
    VIDEOSDK_TOKEN_UNKNOWN_PERMISSION,
    /// A role name is unknown (only when the rules refuse unknown names).
    VIDEOSDK_TOKEN_UNKNOWN_ROLE,
    /// More unknown names than the library keeps.
    VIDEOSDK_TOKEN_TOO_MANY_UNKNOWN_NAMES,
    /// `roomId`, `participantId` or `roles` without `version: 2`.
    VIDEOSDK_TOKEN_VERSION_REQUIRED,
    /// Access refused: the token is for another room.
    VIDEOSDK_TOKEN_OTHER_ROOM,
    /// Access refused: the token is for another participant.
    VIDEOSDK_TOKEN_OTHER_PARTICIPANT,
    /// Access refused: the token is for the server API only (`crawler`).
    VIDEOSDK_TOKEN_SERVER_API_ONLY,
    /// Access refused: the token is for meetings only (`rtc`).
    VIDEOSDK_TOKEN_MEETING_ONLY,
    /// Access refused: neither `allow_join` nor `ask_join`.
    VIDEOSDK_TOKEN_NO_JOIN_PERMISSION,
    /// Access refused: no `allow_mod`.
    VIDEOSDK_TOKEN_NO_MODERATE_PERMISSION,
    /// Access refused: the token's roles are all unknown names, which grant nothing.
    VIDEOSDK_TOKEN_UNKNOWN_ROLES_ONLY,
    /// An error this version of the header does not name (a newer library).
    VIDEOSDK_TOKEN_OTHER_ERROR,
    /// The output buffer overlaps an input (the key storage, the claims or their strings, the
    /// rules or the verified claims): the result would be wrong, so nothing is written.
    VIDEOSDK_TOKEN_OVERLAPPING_BUFFERS,
}

use videosdk_token_status as S;

/// Every status, in value order.
pub(crate) const ALL: &[S] = &[
    S::VIDEOSDK_TOKEN_OK,
    S::VIDEOSDK_TOKEN_NULL_POINTER,
    S::VIDEOSDK_TOKEN_NOT_UTF8,
    S::VIDEOSDK_TOKEN_KEY_NOT_SET,
    S::VIDEOSDK_TOKEN_VERIFIED_NOT_SET,
    S::VIDEOSDK_TOKEN_BAD_PERMISSION_VALUE,
    S::VIDEOSDK_TOKEN_BAD_ROLE_VALUE,
    S::VIDEOSDK_TOKEN_EMPTY_SECRET,
    S::VIDEOSDK_TOKEN_EMPTY_API_KEY,
    S::VIDEOSDK_TOKEN_NO_PERMISSIONS,
    S::VIDEOSDK_TOKEN_DUPLICATE_PERMISSION,
    S::VIDEOSDK_TOKEN_DUPLICATE_ROLE,
    S::VIDEOSDK_TOKEN_EMPTY_ROOM_ID,
    S::VIDEOSDK_TOKEN_EMPTY_PARTICIPANT_ID,
    S::VIDEOSDK_TOKEN_BUFFER_TOO_SMALL,
    S::VIDEOSDK_TOKEN_INVALID_DURATION,
    S::VIDEOSDK_TOKEN_NON_POSITIVE_LIFETIME,
    S::VIDEOSDK_TOKEN_LIFETIME_OVERFLOW,
    S::VIDEOSDK_TOKEN_TIME_OUT_OF_RANGE,
    S::VIDEOSDK_TOKEN_TOKEN_TOO_LONG,
    S::VIDEOSDK_TOKEN_MALFORMED,
    S::VIDEOSDK_TOKEN_BAD_BASE64,
    S::VIDEOSDK_TOKEN_BAD_JSON,
    S::VIDEOSDK_TOKEN_JSON_TOO_DEEP,
    S::VIDEOSDK_TOKEN_BAD_HEADER,
    S::VIDEOSDK_TOKEN_WRONG_ALGORITHM,
    S::VIDEOSDK_TOKEN_BAD_SIGNATURE,
    S::VIDEOSDK_TOKEN_EXPIRED,
    S::VIDEOSDK_TOKEN_NOT_YET_VALID,
    S::VIDEOSDK_TOKEN_MISSING_CLAIM,
    S::VIDEOSDK_TOKEN_WRONG_CLAIM_TYPE,
    S::VIDEOSDK_TOKEN_DUPLICATE_CLAIM,
    S::VIDEOSDK_TOKEN_UNKNOWN_PERMISSION,
    S::VIDEOSDK_TOKEN_UNKNOWN_ROLE,
    S::VIDEOSDK_TOKEN_TOO_MANY_UNKNOWN_NAMES,
    S::VIDEOSDK_TOKEN_VERSION_REQUIRED,
    S::VIDEOSDK_TOKEN_OTHER_ROOM,
    S::VIDEOSDK_TOKEN_OTHER_PARTICIPANT,
    S::VIDEOSDK_TOKEN_SERVER_API_ONLY,
    S::VIDEOSDK_TOKEN_MEETING_ONLY,
    S::VIDEOSDK_TOKEN_NO_JOIN_PERMISSION,
    S::VIDEOSDK_TOKEN_NO_MODERATE_PERMISSION,
    S::VIDEOSDK_TOKEN_UNKNOWN_ROLES_ONLY,
    S::VIDEOSDK_TOKEN_OTHER_ERROR,
    S::VIDEOSDK_TOKEN_OVERLAPPING_BUFFERS,
];

/// The status of a core error.
pub(crate) fn of_error(error: Error) -> S {
    match error {
        Error::EmptySecret => S::VIDEOSDK_TOKEN_EMPTY_SECRET,
        Error::EmptyApiKey => S::VIDEOSDK_TOKEN_EMPTY_API_KEY,
        Error::NoPermissions => S::VIDEOSDK_TOKEN_NO_PERMISSIONS,
        Error::DuplicatePermission => S::VIDEOSDK_TOKEN_DUPLICATE_PERMISSION,
        Error::DuplicateRole => S::VIDEOSDK_TOKEN_DUPLICATE_ROLE,
        Error::EmptyRoomId => S::VIDEOSDK_TOKEN_EMPTY_ROOM_ID,
        Error::EmptyParticipantId => S::VIDEOSDK_TOKEN_EMPTY_PARTICIPANT_ID,
        Error::BufferTooSmall { .. } => S::VIDEOSDK_TOKEN_BUFFER_TOO_SMALL,
        Error::InvalidDuration => S::VIDEOSDK_TOKEN_INVALID_DURATION,
        Error::NonPositiveLifetime => S::VIDEOSDK_TOKEN_NON_POSITIVE_LIFETIME,
        Error::LifetimeOverflow => S::VIDEOSDK_TOKEN_LIFETIME_OVERFLOW,
        Error::TimeOutOfRange => S::VIDEOSDK_TOKEN_TIME_OUT_OF_RANGE,
        Error::TokenTooLong => S::VIDEOSDK_TOKEN_TOKEN_TOO_LONG,
        Error::Malformed => S::VIDEOSDK_TOKEN_MALFORMED,
        Error::BadBase64 => S::VIDEOSDK_TOKEN_BAD_BASE64,
        Error::BadJson => S::VIDEOSDK_TOKEN_BAD_JSON,
        Error::JsonTooDeep => S::VIDEOSDK_TOKEN_JSON_TOO_DEEP,
        Error::BadHeader => S::VIDEOSDK_TOKEN_BAD_HEADER,
        Error::WrongAlgorithm => S::VIDEOSDK_TOKEN_WRONG_ALGORITHM,
        Error::BadSignature => S::VIDEOSDK_TOKEN_BAD_SIGNATURE,
        Error::Expired => S::VIDEOSDK_TOKEN_EXPIRED,
        Error::NotYetValid => S::VIDEOSDK_TOKEN_NOT_YET_VALID,
        Error::MissingClaim => S::VIDEOSDK_TOKEN_MISSING_CLAIM,
        Error::WrongClaimType => S::VIDEOSDK_TOKEN_WRONG_CLAIM_TYPE,
        Error::DuplicateClaim => S::VIDEOSDK_TOKEN_DUPLICATE_CLAIM,
        Error::UnknownPermission => S::VIDEOSDK_TOKEN_UNKNOWN_PERMISSION,
        Error::UnknownRole => S::VIDEOSDK_TOKEN_UNKNOWN_ROLE,
        Error::TooManyUnknownNames => S::VIDEOSDK_TOKEN_TOO_MANY_UNKNOWN_NAMES,
        Error::VersionRequired => S::VIDEOSDK_TOKEN_VERSION_REQUIRED,
        // Serialize comes only from `sign_claims`, ScratchTooSmall only from `verify` with a
        // scratch buffer: neither is reachable here.
        _ => S::VIDEOSDK_TOKEN_OTHER_ERROR,
    }
}

/// The status of an access refusal.
pub(crate) fn of_refusal(refusal: Refusal) -> S {
    match refusal {
        Refusal::OtherRoom => S::VIDEOSDK_TOKEN_OTHER_ROOM,
        Refusal::OtherParticipant => S::VIDEOSDK_TOKEN_OTHER_PARTICIPANT,
        Refusal::ServerApiOnly => S::VIDEOSDK_TOKEN_SERVER_API_ONLY,
        Refusal::MeetingOnly => S::VIDEOSDK_TOKEN_MEETING_ONLY,
        Refusal::NoJoinPermission => S::VIDEOSDK_TOKEN_NO_JOIN_PERMISSION,
        Refusal::NoModeratePermission => S::VIDEOSDK_TOKEN_NO_MODERATE_PERMISSION,
        Refusal::UnknownRolesOnly => S::VIDEOSDK_TOKEN_UNKNOWN_ROLES_ONLY,
        _ => S::VIDEOSDK_TOKEN_OTHER_ERROR,
    }
}

/// `text` and a NUL, as a fixed-size array made at compile time.
// Only ever evaluated in a constant: an out-of-range index would be a compile error, never a
// panic at run time.
#[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
const fn nul_terminated<const N: usize>(text: &str) -> [u8; N] {
    let mut out = [0u8; N];
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() && i + 1 < N {
        out[i] = bytes[i];
        i += 1;
    }
    out
}

/// A message of the core (or one of this crate's own), NUL-terminated at compile time.
macro_rules! c_message {
    ($text:expr) => {{
        const TEXT: &str = $text;
        const BYTES: [u8; TEXT.len() + 1] = nul_terminated(TEXT);
        &BYTES
    }};
}

/// The message of `status`, NUL-terminated.
pub(crate) fn message(status: c_int) -> &'static [u8] {
    let Some(&status) = usize::try_from(status).ok().and_then(|i| ALL.get(i)) else {
        return c_message!("unknown status");
    };
    match status {
        S::VIDEOSDK_TOKEN_OK => c_message!("ok"),
        S::VIDEOSDK_TOKEN_NULL_POINTER => c_message!("a required pointer is NULL"),
        S::VIDEOSDK_TOKEN_NOT_UTF8 => c_message!("a string is not UTF-8"),
        S::VIDEOSDK_TOKEN_KEY_NOT_SET => {
            c_message!("the key was not set up with videosdk_token_key_init")
        }
        S::VIDEOSDK_TOKEN_VERIFIED_NOT_SET => {
            c_message!("the claims were not filled by videosdk_token_verify")
        }
        S::VIDEOSDK_TOKEN_BAD_PERMISSION_VALUE => c_message!(
            "a permission value is not VIDEOSDK_TOKEN_ALLOW_JOIN, _ASK_JOIN or _ALLOW_MOD"
        ),
        S::VIDEOSDK_TOKEN_BAD_ROLE_VALUE => {
            c_message!("a role value is not VIDEOSDK_TOKEN_CRAWLER or _RTC")
        }
        S::VIDEOSDK_TOKEN_EMPTY_SECRET => c_message!(Error::EmptySecret.message()),
        S::VIDEOSDK_TOKEN_EMPTY_API_KEY => c_message!(Error::EmptyApiKey.message()),
        S::VIDEOSDK_TOKEN_NO_PERMISSIONS => c_message!(Error::NoPermissions.message()),
        S::VIDEOSDK_TOKEN_DUPLICATE_PERMISSION => {
            c_message!(Error::DuplicatePermission.message())
        }
        S::VIDEOSDK_TOKEN_DUPLICATE_ROLE => c_message!(Error::DuplicateRole.message()),
        S::VIDEOSDK_TOKEN_EMPTY_ROOM_ID => c_message!(Error::EmptyRoomId.message()),
        S::VIDEOSDK_TOKEN_EMPTY_PARTICIPANT_ID => c_message!(Error::EmptyParticipantId.message()),
        S::VIDEOSDK_TOKEN_BUFFER_TOO_SMALL => {
            c_message!(Error::BufferTooSmall { needed: 0 }.message())
        }
        S::VIDEOSDK_TOKEN_INVALID_DURATION => c_message!(Error::InvalidDuration.message()),
        S::VIDEOSDK_TOKEN_NON_POSITIVE_LIFETIME => {
            c_message!(Error::NonPositiveLifetime.message())
        }
        S::VIDEOSDK_TOKEN_LIFETIME_OVERFLOW => c_message!(Error::LifetimeOverflow.message()),
        S::VIDEOSDK_TOKEN_TIME_OUT_OF_RANGE => c_message!(Error::TimeOutOfRange.message()),
        S::VIDEOSDK_TOKEN_TOKEN_TOO_LONG => c_message!(Error::TokenTooLong.message()),
        S::VIDEOSDK_TOKEN_MALFORMED => c_message!(Error::Malformed.message()),
        S::VIDEOSDK_TOKEN_BAD_BASE64 => c_message!(Error::BadBase64.message()),
        S::VIDEOSDK_TOKEN_BAD_JSON => c_message!(Error::BadJson.message()),
        S::VIDEOSDK_TOKEN_JSON_TOO_DEEP => c_message!(Error::JsonTooDeep.message()),
        S::VIDEOSDK_TOKEN_BAD_HEADER => c_message!(Error::BadHeader.message()),
        S::VIDEOSDK_TOKEN_WRONG_ALGORITHM => c_message!(Error::WrongAlgorithm.message()),
        S::VIDEOSDK_TOKEN_BAD_SIGNATURE => c_message!(Error::BadSignature.message()),
        S::VIDEOSDK_TOKEN_EXPIRED => c_message!(Error::Expired.message()),
        S::VIDEOSDK_TOKEN_NOT_YET_VALID => c_message!(Error::NotYetValid.message()),
        S::VIDEOSDK_TOKEN_MISSING_CLAIM => c_message!(Error::MissingClaim.message()),
        S::VIDEOSDK_TOKEN_WRONG_CLAIM_TYPE => c_message!(Error::WrongClaimType.message()),
        S::VIDEOSDK_TOKEN_DUPLICATE_CLAIM => c_message!(Error::DuplicateClaim.message()),
        S::VIDEOSDK_TOKEN_UNKNOWN_PERMISSION => c_message!(Error::UnknownPermission.message()),
        S::VIDEOSDK_TOKEN_UNKNOWN_ROLE => c_message!(Error::UnknownRole.message()),
        S::VIDEOSDK_TOKEN_TOO_MANY_UNKNOWN_NAMES => {
            c_message!(Error::TooManyUnknownNames.message())
        }
        S::VIDEOSDK_TOKEN_VERSION_REQUIRED => c_message!(Error::VersionRequired.message()),
        S::VIDEOSDK_TOKEN_OTHER_ROOM => c_message!(Refusal::OtherRoom.message()),
        S::VIDEOSDK_TOKEN_OTHER_PARTICIPANT => c_message!(Refusal::OtherParticipant.message()),
        S::VIDEOSDK_TOKEN_SERVER_API_ONLY => c_message!(Refusal::ServerApiOnly.message()),
        S::VIDEOSDK_TOKEN_MEETING_ONLY => c_message!(Refusal::MeetingOnly.message()),
        S::VIDEOSDK_TOKEN_NO_JOIN_PERMISSION => c_message!(Refusal::NoJoinPermission.message()),
        S::VIDEOSDK_TOKEN_NO_MODERATE_PERMISSION => {
            c_message!(Refusal::NoModeratePermission.message())
        }
        S::VIDEOSDK_TOKEN_UNKNOWN_ROLES_ONLY => c_message!(Refusal::UnknownRolesOnly.message()),
        S::VIDEOSDK_TOKEN_OTHER_ERROR => c_message!("an error this library version does not name"),
        S::VIDEOSDK_TOKEN_OVERLAPPING_BUFFERS => {
            c_message!("the output buffer overlaps an input; nothing was written")
        }
    }
}

#[cfg(test)]
#[allow(
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation
)]
mod tests {
    use super::*;

    #[test]
    fn statuses_are_numbered_in_order_and_each_has_its_own_message() {
        let mut seen = std::collections::BTreeSet::new();
        for (i, &status) in ALL.iter().enumerate() {
            assert_eq!(status as usize, i);
            let text = message(status as c_int);
            assert_eq!(text.last(), Some(&0), "{status:?} is not NUL-terminated");
            assert!(!text[..text.len() - 1].contains(&0));
            assert!(seen.insert(text), "{status:?} repeats a message");
        }
        assert_eq!(message(-1), b"unknown status\0");
        assert_eq!(message(ALL.len() as c_int), b"unknown status\0");
    }

    #[test]
    fn core_errors_keep_their_messages() {
        for e in [
            Error::Expired,
            Error::BadSignature,
            Error::BufferTooSmall { needed: 9 },
        ] {
            let text = message(of_error(e) as c_int);
            assert_eq!(&text[..text.len() - 1], e.message().as_bytes());
        }
    }
}
