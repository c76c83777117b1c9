//! `verify` on arbitrary bytes: never panics, never accepts a token this key did not sign.
#![no_main]

use libfuzzer_sys::fuzz_target;
use videosdk_token_core::{Rules, SigningKey, verify};

/// The secret the seed corpus tokens were signed with (tests/vectors/vectors.json).
const SECRET: &[u8] = b"vectors-secret-0123456789abcdef-0123456789";

fuzz_target!(|data: &[u8]| {
    let Ok(token) = std::str::from_utf8(data) else {
        return;
    };
    let key = SigningKey::new(SECRET).expect("secret");
    let mut scratch = [0u8; 16 * 1024];
    for now in [0, 1_700_000_000, u64::MAX] {
        let rules = Rules::at(now).with_leeway(60);
        if let Ok(verified) = verify(token, &key, &rules, &mut scratch) {
            // Accepted: then it must be genuine and current.
            assert!(now < verified.exp().saturating_add(60));
            assert!(!verified.apikey().is_empty());
            assert!(!verified.claims().permissions().is_empty());
        }
    }
    // A scratch buffer too small is an error, never a panic.
    let mut tiny = [0u8; 7];
    let _ = verify(token, &key, &Rules::at(1_700_000_000), &mut tiny);
});
