//! A token's signing input and its MAC in one pass: the claims JSON encoded to base64url in
//! place (AVX2) while its blocks are compressed (SHA-NI).
//!
//! One block's SHA-NI rounds wait on one another, so a single HMAC leaves most of the core
//! idle. Here each block is compressed once the encoding has passed the block after the
//! next, and the encoding of what follows runs in the shadow of its rounds; the blocks it
//! reads were stored long enough before that their stores are done.

#[cfg(target_arch = "x86_64")]
cpufeatures::new!(token_cpuid, "avx2", "sha", "sse2", "ssse3", "sse4.1");

/// Whether the kernel runs on this CPU (AVX2 and SHA-NI; detected once, then cached).
#[must_use]
pub fn accelerated() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        token_cpuid::get()
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// Encodes the `n` bytes of JSON at `buf[head + from..]` in place into base64url at
/// `buf[head..]`, after the `head` bytes at the front (a token's header and its dot), and
/// returns the HMAC-SHA256 of the signing input so made, `buf[..head + len]` where `len` is
/// the encoding's length, under the key whose pad blocks leave SHA-256 in the states
/// `inner` and `outer`.
///
/// Bytes from the encoding's end up to the JSON's end are left as they happen to be; nothing
/// after the JSON is touched. `None`, with nothing written, without AVX2 and SHA-NI, when the
/// JSON is not inside `buf`, or unless `from` is at least 4 and at least `ceil(n / 3)` (so
/// that the encoding never overtakes the JSON it reads).
#[must_use]
pub fn encode_and_mac(
    buf: &mut [u8],
    head: usize,
    from: usize,
    n: usize,
    inner: &[u32; 8],
    outer: &[u32; 8],
) -> Option<[u8; 32]> {
    let end = head.checked_add(from)?.checked_add(n)?;
    if end > buf.len() || from < 4 || from < n.div_ceil(3) {
        return None;
    }
    #[cfg(target_arch = "x86_64")]
    if token_cpuid::get() {
        // SAFETY: the CPU has AVX2, SHA-NI, SSE2, SSSE3 and SSE4.1 (checked just now), and
        // the JSON lies inside `buf` with `from >= max(4, ceil(n / 3))` (checked above).
        return Some(unsafe { x86::encode_and_mac(buf, head, from, n, inner, outer) });
    }
    let _ = (inner, outer);
    None
}

/// base64url's alphabet, for the tail the AVX2 blocks leave.
#[cfg(target_arch = "x86_64")]
const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

#[cfg(target_arch = "x86_64")]
mod x86 {
    use core::arch::x86_64::{_mm256_loadu_si256, _mm256_storeu_si256};

    use super::ALPHABET;
    use crate::base64url::x86::{reshuffle, translate};
    use crate::sha_ni::{compress, digest_bytes, from_ni, outer_words, pad_tail, to_ni, words};

    /// Encodes the `n` bytes at `buf[read..]` to `buf[write..]`, front to back (the writes
    /// trail the reads), the last group unpadded.
    fn scalar(buf: &mut [u8], mut read: usize, mut write: usize, n: usize) {
        let end = read + n;
        let symbol = |sextet: u32| ALPHABET[(sextet & 63) as usize];
        let encode = |a: u8, b: u8, c: u8| {
            let bits = (u32::from(a) << 16) | (u32::from(b) << 8) | u32::from(c);
            [
                symbol(bits >> 18),
                symbol(bits >> 12),
                symbol(bits >> 6),
                symbol(bits),
            ]
        };
        while read + 3 <= end {
            let [a, b, c] = [buf[read], buf[read + 1], buf[read + 2]];
            let chars = encode(a, b, c);
            buf[write..write + 4].copy_from_slice(&chars);
            read += 3;
            write += 4;
        }
        match end - read {
            1 => {
                let chars = encode(buf[read], 0, 0);
                buf[write..write + 2].copy_from_slice(&chars[..2]);
            }
            2 => {
                let chars = encode(buf[read], buf[read + 1], 0);
                buf[write..write + 3].copy_from_slice(&chars[..3]);
            }
            _ => {}
        }
    }

    /// # Safety
    /// The CPU must have AVX2, SHA-NI, SSE2, SSSE3 and SSE4.1; `head + from + n <=
    /// buf.len()`, `from >= 4` and `from >= ceil(n / 3)`.
    #[target_feature(enable = "avx2,sha,sse2,ssse3,sse4.1")]
    pub(super) unsafe fn encode_and_mac(
        buf: &mut [u8],
        head: usize,
        from: usize,
        n: usize,
        inner: &[u32; 8],
        outer: &[u32; 8],
    ) -> [u8; 32] {
        let total = head + n / 3 * 4 + [0, 2, 3][n % 3];
        let json = head + from;
        // JSON bytes encoded, and the signing input's bytes final.
        let (mut done, mut ready) = (0usize, head);
        // Encodes until the signing input's first `want` bytes are final (or all of it is):
        // 24 bytes at a time with AVX2 while a block's loads stay within the JSON and its
        // store behind what is still to be read, and then the rest a group at a time. (A
        // macro, so that it is in line here with the features this function has.)
        macro_rules! advance {
            ($want:expr) => {
                let want = $want;
                while ready < want && done < n {
                    let (r, w) = (json + done, head + done / 3 * 4);
                    if done + 28 <= n && w + 32 <= r + 24 {
                        // SAFETY: the load reads [r - 4, r + 28), inside the JSON's bytes and
                        // the 4 before it (`from >= 4`); the store writes [w, w + 32), which
                        // ends at or before r + 24, where the next block's input starts. The
                        // load is done before the store.
                        unsafe {
                            let base = buf.as_mut_ptr();
                            let input = _mm256_loadu_si256(base.add(r - 4).cast());
                            _mm256_storeu_si256(base.add(w).cast(), translate(reshuffle(input)));
                        }
                        done += 24;
                        ready = w + 32;
                    } else {
                        scalar(buf, r, w, n - done);
                        done = n;
                        ready = total;
                    }
                }
            };
        }
        let mut state = to_ni(inner);
        let whole = total / 64;
        for k in 0..whole {
            // Two blocks ahead: the block compressed next was stored an iteration ago.
            advance!(total.min(64 * (k + 3)));
            let block: &[u8; 64] = buf[64 * k..64 * k + 64].try_into().expect("64 bytes");
            compress(&mut state, words(block));
        }
        advance!(total);
        // The tail, the padding bit and the length (the pad block's 64 bytes included).
        let mut padding = [0u8; 128];
        let used = pad_tail(&buf[64 * whole..total], total as u64 + 64, &mut padding);
        for block in padding[..used].chunks_exact(64) {
            compress(&mut state, words(block.try_into().expect("64 bytes")));
        }
        let mut outer = to_ni(outer);
        compress(&mut outer, outer_words(state));
        digest_bytes(&from_ni(outer))
    }
}

#[cfg(test)]
mod tests {
    extern crate alloc;
    extern crate std;

    use alloc::vec;
    use alloc::vec::Vec;

    use base64ct::{Base64UrlUnpadded, Encoding};
    use hmac::{Hmac, KeyInit, Mac};
    use proptest::prelude::*;

    use super::*;
    use crate::testing::pads;

    /// Runs the kernel on `head`, then `json` at `from` (`slack` past the least), with bytes
    /// after it, and checks the signing input, the tag, and that nothing after the JSON moved.
    fn check(secret: &[u8], head: &[u8], json: &[u8], slack: usize) -> Result<(), TestCaseError> {
        let n = json.len();
        let from = n.div_ceil(3).max(4) + slack;
        let mut buf = head.to_vec();
        buf.resize(head.len() + from, 0xa5);
        buf.extend_from_slice(json);
        buf.extend_from_slice(&[0x5a; 40]);
        let after = buf.len() - 40;
        let (inner, outer) = pads(secret);
        let Some(tag) = encode_and_mac(&mut buf, head.len(), from, n, &inner, &outer) else {
            prop_assert!(!accelerated());
            return Ok(());
        };
        let mut want: Vec<u8> = head.to_vec();
        want.extend_from_slice(Base64UrlUnpadded::encode_string(json).as_bytes());
        prop_assert_eq!(&buf[..want.len()], &want[..]);
        prop_assert_eq!(&buf[after..], &[0x5a; 40][..]);
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret).unwrap();
        mac.update(&want);
        prop_assert_eq!(&tag[..], &mac.finalize().into_bytes()[..]);
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// Any header, any JSON bytes, from tight to roomy.
        #[test]
        fn the_signing_input_and_its_hmac(
            secret in proptest::collection::vec(any::<u8>(), 1..64),
            head in proptest::collection::vec(any::<u8>(), 0..100),
            json in proptest::collection::vec(any::<u8>(), 0..700),
            slack in 0usize..40,
        ) {
            check(&secret, &head, &json, slack)?;
        }
    }

    /// Every JSON length from 0 to 300 after a token's header, tight: every padding case and
    /// every way the AVX2 blocks and the scalar tail can split it.
    #[test]
    fn every_length() {
        let head = b"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.";
        let json: Vec<u8> = (0..300u32)
            .map(|i| (i * 37 + 11).to_le_bytes()[0])
            .collect();
        for n in 0..=300 {
            for slack in [0, 1, 7] {
                check(b"demo-secret", head, &json[..n], slack).unwrap();
            }
        }
    }

    /// A `from` under `ceil(n / 3)` or under 4, or JSON past the buffer's end, is refused
    /// with nothing written.
    #[test]
    fn refuses_what_it_cannot_do_in_place() {
        let (inner, outer) = pads(b"k");
        for (from, n, len) in [(9, 30, 100), (3, 6, 100), (10, 30, 39)] {
            let mut buf = vec![0x41u8; len];
            let before = buf.clone();
            assert_eq!(encode_and_mac(&mut buf, 0, from, n, &inner, &outer), None);
            assert_eq!(buf, before);
        }
    }
}
