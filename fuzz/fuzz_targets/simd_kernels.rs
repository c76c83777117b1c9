//! Every kernel of `videosdk-token-simd` against a portable reference on the same input:
//! base64url encoding in place and decoding, and sealing a token (base64ct); JSON escaping
//! (`JSON.stringify`'s rules, byte by byte) and unescaping in place (RFC 8259's
//! two-character escapes); UTF-8 and ASCII checks (`core::str`); the HMAC lanes, resumed
//! anywhere, and the token kernel's encoding and MAC in one pass (base64ct and hmac). Each
//! kernel does a prefix; the prefix must be exactly the reference's.
#![no_main]

use arbitrary::Arbitrary;
use base64ct::{Base64UrlUnpadded, Encoding};
use hmac::{Hmac, KeyInit, Mac};
use libfuzzer_sys::fuzz_target;
use videosdk_token_simd::{base64url, json, lanes, token, utf8};

#[derive(Debug, Arbitrary)]
struct Input<'a> {
    bytes: &'a [u8],
    slack: u8,
    room: u16,
    secret: &'a [u8],
    messages: [&'a [u8]; 4],
    skips: [u8; 4],
}

/// `JSON.stringify`'s escaping, a byte at a time.
fn escaped(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for &b in bytes {
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x0c => out.extend_from_slice(b"\\f"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0..0x20 => out.extend_from_slice(format!("\\u{b:04x}").as_bytes()),
            _ => out.push(b),
        }
    }
    out
}

/// JSON string content unescaped, for content with no `\u` escape, quote or control (all
/// the unescaping kernel may consume); `None` for anything else.
fn unescaped(text: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut bytes = text.iter();
    while let Some(&b) = bytes.next() {
        match b {
            b'\\' => out.push(match bytes.next()? {
                b'"' => b'"',
                b'\\' => b'\\',
                b'/' => b'/',
                b'b' => 0x08,
                b'f' => 0x0c,
                b'n' => b'\n',
                b'r' => b'\r',
                b't' => b'\t',
                _ => return None,
            }),
            b'"' | 0..0x20 => return None,
            _ => out.push(b),
        }
    }
    Some(out)
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

    // Sealing: the bytes as a signing input, a MAC from the secret's first 32 bytes, and
    // `room % 64` bytes after the input.
    let mut mac = [0u8; 32];
    for (slot, &byte) in mac.iter_mut().zip(input.secret) {
        *slot = byte;
    }
    let mut out = bytes.to_vec();
    out.resize(n + usize::from(input.room % 64), 0xa5);
    let before = out.clone();
    match base64url::seal(&mut out, n, &mac) {
        Ok(token) => {
            let want = format!(
                "{}.{}",
                std::str::from_utf8(bytes).expect("sealed only ASCII"),
                Base64UrlUnpadded::encode_string(&mac)
            );
            assert_eq!(token, want);
            assert_eq!(&out[n + 44..], &before[n + 44..]);
        }
        Err(given_back) => {
            assert!(!base64url::accelerated() || !bytes.is_ascii() || given_back.len() < n + 44);
            assert_eq!(given_back, &before[..]);
        }
    }

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

    // Escaping.
    let mut out = vec![0u8; usize::from(input.room)];
    let (read, written) = json::escape(bytes, &mut out);
    assert!(read <= n && written <= out.len());
    assert_eq!(&out[..written], &escaped(&bytes[..read])[..]);

    // Unescaping in place, of the bytes as they are and of their escaping, with the text read
    // so far shrunk by `slack % 16` bytes.
    for text in [bytes, &escaped(bytes)[..]] {
        let gap = usize::from(input.slack % 16);
        let write = usize::from(input.slack / 16);
        let mut buf = vec![0xa5u8; write + gap];
        buf.extend_from_slice(text);
        let before = buf.clone();
        let read = write + gap;
        let (new_read, new_write) = json::unescape_in_place(&mut buf, read, write);
        assert!(new_read >= read && new_read <= buf.len() && (new_read - read) % 16 == 0);
        let want = unescaped(&before[read..new_read]).expect("consumed only what it may");
        assert_eq!(&buf[write..new_write], &want[..]);
        assert_eq!(&buf[new_read..], &before[new_read..]);
    }

    // Text.
    assert_eq!(utf8::from_utf8(bytes), std::str::from_utf8(bytes).ok());
    let ascii = bytes
        .is_ascii()
        .then(|| std::str::from_utf8(bytes).ok())
        .flatten();
    assert_eq!(utf8::ascii(bytes), ascii);

    // Lanes, each resumed after some of its whole blocks.
    if input.secret.is_empty() {
        return;
    }
    let (inner, outer) = pads(input.secret);
    let mut states = [inner; lanes::LANES];
    let mut blocks = [0u64; lanes::LANES];
    let mut rests: [&[u8]; lanes::LANES] = [&[]; lanes::LANES];
    for l in 0..lanes::LANES {
        let (whole, _) = input.messages[l].as_chunks::<64>();
        let skip = usize::from(input.skips[l] % 8).min(whole.len());
        sha2::block_api::compress256(&mut states[l], &whole[..skip]);
        blocks[l] = skip as u64;
        rests[l] = &input.messages[l][skip * 64..];
    }
    let starts = std::array::from_fn(|l| lanes::Resume::new(&states[l], blocks[l]));
    if let Some(tags) = lanes::hmac_resumed(starts, &outer, rests) {
        for (tag, message) in tags.iter().zip(input.messages) {
            let mut mac = Hmac::<sha2::Sha256>::new_from_slice(input.secret).expect("any length");
            mac.update(message);
            assert_eq!(&tag[..], &mac.finalize().into_bytes()[..]);
        }
    }

    // The token kernel: the first message as a header, the bytes as JSON `slack % 32` past
    // the least `from`, then bytes that must not move.
    let head = input.messages[0];
    let from = n.div_ceil(3).max(4) + usize::from(input.slack % 32);
    let mut buf = head.to_vec();
    buf.resize(head.len() + from, 0xa5);
    buf.extend_from_slice(bytes);
    buf.extend_from_slice(&[0x5a; 16]);
    if let Some(tag) = token::encode_and_mac(&mut buf, head.len(), from, n, &inner, &outer) {
        let mut want = head.to_vec();
        want.extend_from_slice(Base64UrlUnpadded::encode_string(bytes).as_bytes());
        assert_eq!(&buf[..want.len()], &want[..]);
        assert_eq!(&buf[buf.len() - 16..], &[0x5a; 16]);
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(input.secret).expect("any length");
        mac.update(&want);
        assert_eq!(&tag[..], &mac.finalize().into_bytes()[..]);
    } else {
        assert!(!token::accelerated());
    }
});

/// The SHA-256 states after the secret's inner and outer pad blocks.
fn pads(secret: &[u8]) -> ([u32; 8], [u32; 8]) {
    use sha2::Digest;
    let mut block = [0u8; 64];
    if secret.len() > 64 {
        block[..32].copy_from_slice(&sha2::Sha256::digest(secret));
    } else {
        block[..secret.len()].copy_from_slice(secret);
    }
    let pad = |with: u8| {
        let mut state = [
            0x6a09_e667,
            0xbb67_ae85,
            0x3c6e_f372,
            0xa54f_f53a,
            0x510e_527f,
            0x9b05_688c,
            0x1f83_d9ab,
            0x5be0_cd19,
        ];
        sha2::block_api::compress256(&mut state, &[block.map(|b| b ^ with)]);
        state
    };
    (pad(0x36), pad(0x5c))
}
