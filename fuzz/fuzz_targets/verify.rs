//! `verify` on arbitrary bytes: never panics, never accepts a token this key did not sign,
//! and `verify_in_place` on the same bytes gives the same verdict and claims.
#![no_main]

use base64ct::{Base64UrlUnpadded, Encoding};
use hmac::{Hmac, KeyInit, Mac};
use libfuzzer_sys::fuzz_target;
use sha2::Sha256;
use videosdk_token_core::{Error, Key, Rules, scratch_len, verify, verify_in_place};

/// The secret the seed corpus tokens were signed with (tests/vectors/vectors.json).
const SECRET: &[u8] = b"vectors-secret-0123456789abcdef-0123456789";

/// The errors `verify`'s documentation lists (its `# Errors` section, default rules).
fn documented(e: Error) -> bool {
    matches!(
        e,
        Error::TokenTooLong
            | Error::Malformed
            | Error::BadBase64
            | Error::ScratchTooSmall { .. }
            | Error::BadJson
            | Error::JsonTooDeep
            | Error::BadHeader
            | Error::WrongAlgorithm
            | Error::BadSignature
            | Error::MissingClaim
            | Error::WrongClaimType
            | Error::DuplicateClaim
            | Error::DuplicatePermission
            | Error::DuplicateRole
            | Error::TooManyUnknownNames
            | Error::EmptyApiKey
            | Error::NoPermissions
            | Error::EmptyRoomId
            | Error::EmptyParticipantId
            | Error::VersionRequired
            | Error::Expired
            | Error::NotYetValid
    )
}

fuzz_target!(|data: &[u8]| {
    let key = Key::new(SECRET).expect("secret");
    let mut bytes = data.to_vec();
    let in_place = verify_in_place(&mut bytes, &key, &Rules::at(1_700_000_000));
    let Ok(token) = std::str::from_utf8(data) else {
        assert!(in_place.is_err());
        return;
    };
    let mut exact = vec![0u8; scratch_len(token.len())];
    let with_scratch = verify(token, &key, &Rules::at(1_700_000_000), &mut exact);
    assert_eq!(with_scratch, in_place);
    if let Err(e) = with_scratch {
        assert!(
            documented(e),
            "verify returned {e:?}, which its docs do not list"
        );
    }
    let mut scratch = [0u8; 16 * 1024];
    for now in [0, 1_700_000_000, u64::MAX] {
        let rules = Rules::at(now).with_leeway(60);
        if let Ok(verified) = verify(token, &key, &rules, &mut scratch) {
            // Accepted: then it must be genuine (its signature is this key's MAC of the
            // signing input, computed here by the hmac crate alone) and current.
            let (signing_input, signature) = token.rsplit_once('.').expect("three segments");
            let mut mac = Hmac::<Sha256>::new_from_slice(SECRET).expect("any key length");
            mac.update(signing_input.as_bytes());
            let expected = Base64UrlUnpadded::encode_string(&mac.finalize().into_bytes());
            assert_eq!(
                signature, expected,
                "accepted a token this key did not sign"
            );
            assert!(now < verified.exp().saturating_add(60));
            assert!(!verified.apikey().is_empty());
            let claims = verified.claims();
            assert!(!claims.permissions().is_empty() || !claims.unknown_permissions().is_empty());
        }
    }
    // A scratch buffer too small is an error, never a panic.
    let mut tiny = [0u8; 7];
    let _ = verify(token, &key, &Rules::at(1_700_000_000), &mut tiny);
});
