//! `dangerous::decode_unverified` on arbitrary text: never panics, and whatever it reads back
//! is well-formed.
#![no_main]

use libfuzzer_sys::fuzz_target;
use videosdk_token_core::dangerous::decode_unverified;

fuzz_target!(|data: &[u8]| {
    let Ok(token) = std::str::from_utf8(data) else {
        return;
    };
    let mut scratch = [0u8; 16 * 1024];
    if let Ok(read) = decode_unverified(token, &mut scratch) {
        let claims = read.claims();
        assert!(!claims.apikey().is_empty());
        // Unknown names count as listed (and grant nothing).
        assert!(!claims.permissions().is_empty() || !claims.unknown_permissions().is_empty());
        assert!(claims.permissions().len() <= 3);
        assert!(claims.roles().len() <= 2);
        let has_v2 = claims.room_id().is_some()
            || claims.participant_id().is_some()
            || !claims.roles().is_empty()
            || !claims.unknown_roles().is_empty();
        assert!(!has_v2 || claims.version() == Some(2));
    }
    for len in [0, 1, 16, 64] {
        let mut small = vec![0u8; len];
        let _ = decode_unverified(token, &mut small);
    }
});
