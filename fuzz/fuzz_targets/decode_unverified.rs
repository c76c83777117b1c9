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
        assert!(!read.claims().apikey().is_empty());
        assert!(!read.claims().permissions().is_empty());
        assert!(read.claims().permissions().len() <= 3);
        assert!(read.claims().roles().len() <= 2);
        let has_v2 = read.claims().room_id().is_some()
            || read.claims().participant_id().is_some()
            || !read.claims().roles().is_empty();
        assert!(!has_v2 || read.claims().version() == Some(2));
    }
    for len in [0, 1, 16, 64] {
        let mut small = vec![0u8; len];
        let _ = decode_unverified(token, &mut small);
    }
});
