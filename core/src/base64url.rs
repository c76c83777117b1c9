//! base64url without padding (RFC 4648 §5), the only encoding a JWT uses. Table-driven rather
//! than constant-time: everything encoded or decoded here is public (the token itself), and the
//! signing path needs an encoder that can work in place inside the caller's buffer.
//!
//! Every store is a fixed-size array write through `store`, so no length check that could
//! panic survives in the compiled code. `tests/firmware.rs` checks that on the symbol table
//! of every firmware image, and their panic handler names a symbol that does not exist, so an
//! image with a panic path also fails to link.

use crate::accelerated;
use crate::bytes::{store, store_prefix};

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Marks a byte outside the alphabet in [`DECODE`].
const INVALID: u8 = 0xff;

#[allow(
    clippy::indexing_slicing,
    clippy::cast_possible_truncation,
    reason = "evaluated at compile time, where a bad index is a build error"
)]
const DECODE: [u8; 256] = {
    let mut table = [INVALID; 256];
    let mut i = 0;
    while i < 64 {
        table[ALPHABET[i] as usize] = i as u8;
        i += 1;
    }
    table
};

/// Length of the unpadded base64url encoding of `n` bytes (saturating for absurd `n`).
#[must_use]
pub const fn encoded_len(n: usize) -> usize {
    let tail = match n % 3 {
        0 => 0,
        1 => 2,
        _ => 3,
    };
    (n / 3).saturating_mul(4).saturating_add(tail)
}

/// Length of the bytes that `n` base64url characters decode to, or `None` when no unpadded
/// encoding has that length.
#[must_use]
#[allow(
    clippy::arithmetic_side_effects,
    reason = "(n / 4) * 3 + 2 is below n for every n that has a remainder, so it cannot overflow"
)]
pub const fn decoded_len(n: usize) -> Option<usize> {
    let tail = match n % 4 {
        0 => 0,
        2 => 1,
        3 => 2,
        _ => return None,
    };
    Some((n / 4) * 3 + tail)
}

#[inline(always)]
fn symbol(sextet: u32) -> u8 {
    // `& 63` keeps the index inside the table, so the fallback is never taken.
    ALPHABET
        .get((sextet & 63) as usize)
        .copied()
        .unwrap_or(b'A')
}

#[inline(always)]
fn encode3(a: u8, b: u8, c: u8) -> [u8; 4] {
    let n = (u32::from(a) << 16) | (u32::from(b) << 8) | u32::from(c);
    [symbol(n >> 18), symbol(n >> 12), symbol(n >> 6), symbol(n)]
}

/// Encodes `src[read..]` into `dst[write..]` (as far as `dst` reaches), reading `src` ahead of
/// writing `dst`; `src` and `dst` may be the same buffer when writes trail reads.
macro_rules! encode_from {
    ($src:expr, $dst:expr, $read:expr, $write:expr) => {{
        let (mut read, mut write) = ($read, $write);
        while let Some(&[a, b, c]) = $src.get(read..read + 3) {
            store($dst, write, encode3(a, b, c));
            read += 3;
            write += 4;
        }
        match *$src.get(read..).unwrap_or_default() {
            [a] => store_prefix($dst, write, encode3(a, 0, 0), 2),
            [a, b] => store_prefix($dst, write, encode3(a, b, 0), 3),
            _ => {}
        }
    }};
}

/// Encodes a 32-byte MAC into its 43 characters.
#[must_use]
#[allow(
    clippy::arithmetic_side_effects,
    reason = "in `encode_from!`, `read` advances only past a group `get` just found, so it stays \
              within the input, and `write` moves 4 for every 3 read"
)]
pub fn encode_mac(mac: &[u8; 32]) -> [u8; 43] {
    let mut out = [0u8; 43];
    encode_from!(mac, &mut out, 0, 0);
    out
}

#[cfg(test)]
/// Encodes `src` into the front of `dst`, returning the length written, or `None` (with
/// nothing written) when `dst` is shorter than [`encoded_len`]`(src.len())`.
#[allow(
    clippy::arithmetic_side_effects,
    reason = "in `encode_from!`, `read` advances only past a group `get` just found, so it stays \
              within the input, and `write` moves 4 for every 3 read"
)]
pub fn encode_into(src: &[u8], dst: &mut [u8]) -> Option<usize> {
    let len = encoded_len(src.len());
    let dst = dst.get_mut(..len)?;
    encode_from!(src, dst, 0, 0);
    Some(len)
}

/// Encodes, in place, the `n` bytes at `buf[from..]` into `buf[..encoded_len(n)]`, where
/// `from >= ceil(n / 3)` (the `from` that makes the two ranges end together is exactly that).
///
/// Safe to do front to back: after reading input group `k` (at `from + 3k`) the writes reach
/// only `4k + 3 < from + 3k + 3`, the start of the next unread group; two groups at a time,
/// writes end at `4k + 8 <= from + 3k + 6`.
#[allow(
    clippy::arithmetic_side_effects,
    reason = "`done <= n`, so `from + done` is within `from + n`, checked above, and \
              `done / 3 * 4` below it; in `encode_from!`, `read` advances only past a group \
              `get` just found, so it stays within the input, and `write` moves 4 for every 3 read"
)]
pub(crate) fn encode_in_place(buf: &mut [u8], from: usize, n: usize) {
    let Some(buf) = from.checked_add(n).and_then(|end| buf.get_mut(..end)) else {
        return;
    };
    // An accelerated prefix leaves the rest exactly as the loop above would find it after
    // `done` bytes: the same invariant, further on.
    let done = accelerated::encode_in_place(buf, from, n);
    encode_from!(buf, buf, from + done, done / 3 * 4);
}

/// Why [`decode_into`] refused its input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DecodeError {
    /// A byte outside the base64url alphabet (padding included), a length no unpadded encoding
    /// has, or unused low bits set in the last character (a non-canonical encoding).
    Invalid,
    /// The output buffer is shorter than the decoded bytes.
    BufferTooSmall,
}

/// Decodes `$src[read..end]` into `$dst[write..]`, which has room to `out_end`; `$src` and
/// `$dst` may be the same buffer when `write <= read`, because every store ends at or before
/// the first character not yet read. Evaluates to whether every character was canonical.
macro_rules! decode_from {
    ($src:expr, $dst:expr, $read:expr, $end:expr, $write:expr) => {{
        let (mut read, end, mut write) = ($read, $end, $write);
        let mut bad = 0u8;
        while let Some(&[a, b, c, d]) = $src.get(read..read + 4).filter(|_| read + 4 <= end) {
            let (a, b, c, d) = (value(a), value(b), value(c), value(d));
            bad |= a | b | c | d;
            let n =
                (u32::from(a) << 18) | (u32::from(b) << 12) | (u32::from(c) << 6) | u32::from(d);
            let [_, x, y, z] = n.to_be_bytes();
            store($dst, write, [x, y, z]);
            read += 4;
            write += 3;
        }
        match *$src.get(read..end).unwrap_or_default() {
            [a, b] => {
                let (a, b) = (value(a), value(b));
                // The last character's low 4 bits are padding and must be zero.
                bad |= a | b | (u8::from(b & 0x0f != 0) << 7);
                let [_, x, _, _] = ((u32::from(a) << 18) | (u32::from(b) << 12)).to_be_bytes();
                store($dst, write, [x]);
            }
            [a, b, c] => {
                let (a, b, c) = (value(a), value(b), value(c));
                bad |= a | b | c | (u8::from(c & 0x03 != 0) << 7);
                let n = (u32::from(a) << 18) | (u32::from(b) << 12) | (u32::from(c) << 6);
                let [_, x, y, _] = n.to_be_bytes();
                store($dst, write, [x, y]);
            }
            _ => {}
        }
        // Every valid sextet is below 64; INVALID (and the padding-bit marks) set the top bits.
        bad & 0xc0 == 0
    }};
}

/// Decodes canonical unpadded base64url from `src` into the front of `dst`, returning the
/// decoded bytes.
///
/// # Errors
/// [`DecodeError::Invalid`] for anything but the canonical encoding;
/// [`DecodeError::BufferTooSmall`] when `dst` cannot hold the result.
#[allow(
    clippy::arithmetic_side_effects,
    reason = "in `decode_from!`, `read` and `write` advance only after `get` found the group at \
              `read` and the room at `write`, so both stay within their slices"
)]
pub(crate) fn decode_into<'o>(src: &[u8], dst: &'o mut [u8]) -> Result<&'o [u8], DecodeError> {
    let len = decoded_len(src.len()).ok_or(DecodeError::Invalid)?;
    let dst = dst.get_mut(..len).ok_or(DecodeError::BufferTooSmall)?;
    let (done, valid) = accelerated::decode(src, dst);
    let (read, write) = whole_blocks(done, src.len());
    if decode_from!(src, dst, read, src.len(), write) && valid {
        Ok(dst)
    } else {
        Err(DecodeError::Invalid)
    }
}

/// Decodes the canonical unpadded base64url that fills `buf` into its front, returning the
/// decoded bytes (as `base64ct`'s `decode_in_place` does); what follows them is left as it
/// was partly overwritten.
///
/// # Errors
/// [`DecodeError::Invalid`] for anything but the canonical encoding.
#[allow(
    clippy::arithmetic_side_effects,
    reason = "in `decode_from!`, `read` and `write` advance only after `get` found the group at \
              `read` and the room at `write`, so both stay within the buffer"
)]
pub(crate) fn decode_in_place(buf: &mut [u8]) -> Result<&mut [u8], DecodeError> {
    let end = buf.len();
    let len = decoded_len(end).ok_or(DecodeError::Invalid)?;
    let (done, valid) = accelerated::decode_in_place(buf);
    let (read, write) = whole_blocks(done, end);
    if decode_from!(buf, buf, read, end, write) && valid {
        buf.get_mut(..len).ok_or(DecodeError::Invalid)
    } else {
        Err(DecodeError::Invalid)
    }
}

/// Where the portable decoder picks up after `done` characters decoded elsewhere: that many
/// characters read and three bytes written for every four (nothing, if `done` is not a whole
/// number of groups within the input).
#[inline(always)]
fn whole_blocks(done: usize, len: usize) -> (usize, usize) {
    if done <= len && done.is_multiple_of(4) {
        (done, (done / 4).saturating_mul(3))
    } else {
        (0, 0)
    }
}

#[inline(always)]
fn value(byte: u8) -> u8 {
    DECODE.get(usize::from(byte)).copied().unwrap_or(INVALID)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_answers() {
        // RFC 4648 §10, in the url-safe alphabet and without padding.
        let cases: [(&[u8], &str); 8] = [
            (b"", ""),
            (b"f", "Zg"),
            (b"fo", "Zm8"),
            (b"foo", "Zm9v"),
            (b"foob", "Zm9vYg"),
            (b"fooba", "Zm9vYmE"),
            (b"foobar", "Zm9vYmFy"),
            (&[0xfb, 0xff, 0xbf], "-_-_"),
        ];
        for (raw, text) in cases {
            let mut buf = [0u8; 16];
            let n = encode_into(raw, &mut buf);
            assert_eq!(n, Some(text.len()));
            assert_eq!(buf.get(..text.len()), Some(text.as_bytes()));

            for extra in 0..3 {
                let mut in_place = [0u8; 32];
                let from = raw.len().div_ceil(3) + extra;
                in_place[from..from + raw.len()].copy_from_slice(raw);
                encode_in_place(&mut in_place, from, raw.len());
                assert_eq!(&in_place[..text.len()], text.as_bytes());
            }

            let mut out = [0u8; 16];
            assert_eq!(decode_into(text.as_bytes(), &mut out), Ok(raw));
        }
    }

    proptest::proptest! {
        /// Every encoder here against base64ct's: a MAC's 43 characters, and any bytes
        /// encoded into a buffer and in place; and base64ct's text decodes back.
        #[test]
        fn encoders_match_base64ct(
            mac in proptest::prelude::any::<[u8; 32]>(),
            bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300),
            slack in 0usize..8,
        ) {
            extern crate std;
            use base64ct::{Base64UrlUnpadded, Encoding};
            let want = Base64UrlUnpadded::encode_string(&mac);
            proptest::prop_assert_eq!(&encode_mac(&mac)[..], want.as_bytes());
            let want = Base64UrlUnpadded::encode_string(&bytes);
            let mut buf = std::vec![0u8; want.len() + slack];
            proptest::prop_assert_eq!(encode_into(&bytes, &mut buf), Some(want.len()));
            proptest::prop_assert_eq!(&buf[..want.len()], want.as_bytes());
            let from = bytes.len().div_ceil(3) + slack;
            let mut in_place = std::vec![0u8; from + bytes.len()];
            in_place[from..].copy_from_slice(&bytes);
            encode_in_place(&mut in_place, from, bytes.len());
            proptest::prop_assert_eq!(&in_place[..want.len()], want.as_bytes());
            let mut out = std::vec![0u8; bytes.len()];
            proptest::prop_assert_eq!(decode_into(want.as_bytes(), &mut out), Ok(&bytes[..]));
        }
    }

    /// With the `simd` feature, the accelerated paths against the portable loops alone, on
    /// random bytes and on text that is mostly base64url with stray bytes anywhere.
    #[cfg(feature = "simd")]
    mod accelerated_against_portable {
        extern crate std;
        use std::vec;
        use std::vec::Vec;

        use proptest::prelude::*;

        use super::super::*;

        fn portable_decode(text: &[u8]) -> (bool, Vec<u8>) {
            let Some(len) = decoded_len(text.len()) else {
                return (false, Vec::new());
            };
            let mut out = vec![0u8; len];
            let ok = decode_from!(text, &mut out, 0, text.len(), 0);
            (ok, out)
        }

        fn text() -> impl Strategy<Value = Vec<u8>> {
            let alphabet = prop::sample::select(ALPHABET.to_vec());
            let byte = prop_oneof![20 => alphabet, 1 => any::<u8>()];
            proptest::collection::vec(byte, 0..700)
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(3000))]

            #[test]
            fn encode_in_place_agrees(
                bytes in proptest::collection::vec(any::<u8>(), 0..700),
                slack in 0usize..40,
            ) {
                let n = bytes.len();
                let from = n.div_ceil(3) + slack;
                let mut fast = vec![0u8; from + n];
                fast[from..].copy_from_slice(&bytes);
                let mut portable = fast.clone();
                encode_in_place(&mut fast, from, n);
                let buf = &mut portable[..];
                encode_from!(buf, buf, from, 0);
                let len = encoded_len(n);
                prop_assert_eq!(&fast[..len], &portable[..len]);
            }

            #[test]
            fn decode_agrees(text in text(), in_place in any::<bool>()) {
                let (ok, want) = portable_decode(&text);
                let got = if in_place {
                    let mut buf = text.clone();
                    decode_in_place(&mut buf).map(|b| b.to_vec())
                } else {
                    let mut out = vec![0u8; text.len()];
                    decode_into(&text, &mut out).map(<[u8]>::to_vec)
                };
                match got {
                    Ok(bytes) => {
                        prop_assert!(ok);
                        prop_assert_eq!(bytes, want);
                    }
                    Err(e) => {
                        prop_assert!(!ok);
                        prop_assert_eq!(e, DecodeError::Invalid);
                    }
                }
            }
        }
    }

    #[test]
    fn decode_refuses_non_canonical() {
        let mut out = [0u8; 16];
        for bad in [
            "Zh",
            "Zm9",
            "Zm8=",
            "Zg==",
            "Z",
            "Zm9v+",
            "Zm/v",
            "Zm9 ",
            "Zm9\u{e9}",
        ] {
            let got = decode_into(bad.as_bytes(), &mut out);
            assert_eq!(got, Err(DecodeError::Invalid), "{bad:?}");
        }
        assert_eq!(decode_into(b"Zm8", &mut out), Ok(&b"fo"[..]));
        assert_eq!(
            decode_into(b"Zm9vYmFy", &mut [0u8; 5]),
            Err(DecodeError::BufferTooSmall)
        );
        assert_eq!(encode_into(b"foobar", &mut [0u8; 7]), None);
    }
}
