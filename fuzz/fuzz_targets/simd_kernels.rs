//! Every kernel of `videosdk-token-simd` against base64ct on the same input: base64url
//! encoding in place and decoding, into a separate buffer and in place. Each kernel does a
//! prefix; the prefix must be exactly the reference's.
#![no_main]

use arbitrary::Arbitrary;
use base64ct::{Base64UrlUnpadded, Encoding};
use libfuzzer_sys::fuzz_target;
use videosdk_token_simd::base64url;

#[derive(Debug, Arbitrary)]
struct Input<'a> {
    bytes: &'a [u8],
    slack: u8,
    room: u16,
}

fn in_alphabet(c: &u8) -> bool {
    c.is_ascii_alphanumeric() || *c == b'-' || *c == b'_'
}

fuzz_target!(|input: Input<'_>| {
    let bytes = input.bytes;
    let n = bytes.len();

    // Encoding in place, from tight to roomy.
    let from = n.div_ceil(3) + usize::from(input.slack);
    let mut buf = vec![0xa5u8; from + n];
    buf[from..].copy_from_slice(bytes);
    let done = base64url::encode_in_place(&mut buf, from, n);
    assert!(done % 24 == 0 && done <= n);
    let want = Base64UrlUnpadded::encode_string(&bytes[..done]);
    assert_eq!(&buf[..done / 3 * 4], want.as_bytes());
    assert_eq!(&buf[from + done..], &bytes[done..]);

    // Decoding the bytes as text, and their encoding, into a separate buffer and in place.
    let encoded = Base64UrlUnpadded::encode_string(bytes).into_bytes();
    for text in [bytes, &encoded[..]] {
        let mut out = vec![0u8; usize::from(input.room)];
        let (done, ok) = base64url::decode(text, &mut out);
        let mut in_place = text.to_vec();
        let (done_in_place, ok_in_place) = base64url::decode_in_place(&mut in_place);
        for (done, ok, out) in [(done, ok, &out), (done_in_place, ok_in_place, &in_place)] {
            assert!(done % 32 == 0 && done <= text.len());
            assert_eq!(ok, text[..done].iter().all(in_alphabet));
            if ok {
                let prefix = std::str::from_utf8(&text[..done]).expect("the alphabet is ASCII");
                let want = Base64UrlUnpadded::decode_vec(prefix).expect("whole groups");
                assert_eq!(&out[..done / 4 * 3], &want[..]);
            }
        }
    }
});
