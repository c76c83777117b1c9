//! The duration parser on arbitrary text: never panics, agrees with Rust's own correctly
//! rounded float parser wherever it answers, and turns into an `exp` that is always after
//! `iat` and within JavaScript's exact integers.
#![no_main]

use libfuzzer_sys::fuzz_target;
use videosdk_token_core::{ExpiresIn, MAX_SAFE_SECONDS};

fuzz_target!(|data: &[u8]| {
    // The first eight bytes are `iat`; the rest is the duration text.
    let (head, rest) = data.split_at(data.len().min(8));
    let mut iat_bytes = [0u8; 8];
    iat_bytes[..head.len()].copy_from_slice(head);
    let iat = u64::from_le_bytes(iat_bytes) % (1 << 54);
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let Ok(expires_in) = ExpiresIn::parse(text) else {
        return;
    };
    let millis = expires_in.millis();
    // The number the grammar matched, reparsed by the standard library.
    let number: String = text
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '-' || *c == '.')
        .collect();
    let unit = text[number.len()..].trim_start_matches(' ');
    if let (Ok(reference), false) = (number.parse::<f64>(), unit.is_empty()) {
        let scale = millis / reference;
        if reference != 0.0 && reference.abs() < 1e18 {
            assert!(
                [
                    1.0,
                    1_000.0,
                    60_000.0,
                    3_600_000.0,
                    86_400_000.0,
                    604_800_000.0,
                    31_557_600_000.0
                ]
                .iter()
                .any(|u| (scale - u).abs() <= u * 1e-12),
                "{text:?}: {millis} ms is not {reference} units"
            );
        }
    }
    if let Ok(exp) = expires_in.exp_after(iat) {
        assert!(exp > iat && exp <= MAX_SAFE_SECONDS);
    }
});
