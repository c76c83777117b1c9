//! base64url (RFC 4648 §5) in whole blocks with AVX2: 24 bytes to 32 characters and back,
//! after Muła and Lemire, "Faster Base64 Encoding and Decoding using AVX2 Instructions"
//! (ACM TWEB 2018), with the URL-safe alphabet.
//!
//! Each function does a prefix and says how long it was; the caller does the rest. Nothing
//! here handles a partial block, padding bits or lengths, so the core's canonical checks stay
//! where they are.

#[cfg(target_arch = "x86_64")]
cpufeatures::new!(avx2_cpuid, "avx2");

/// Whether the AVX2 kernels run: the CPU has AVX2 (detected once, then cached) and
/// [`set_enabled`](crate::set_enabled) has not switched them off.
#[must_use]
pub fn accelerated() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        crate::enabled() && avx2_cpuid::get()
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// Encodes, in place, a prefix of the `n` bytes at `buf[from..]` into `buf[..]`, and returns
/// its length: a multiple of 24 (0 without AVX2), whose `len / 3 * 4` characters now start
/// `buf`.
///
/// The prefix ends where the next block's writes would reach input not yet read, so `buf`
/// may be tight: with `from >= ceil(n / 3)`, the caller finishes from `from + len` and
/// `len / 3 * 4` in the same buffer. Blocks also read the 4 bytes before them, so nothing is
/// done when `from < 4`.
#[must_use]
pub fn encode_in_place(buf: &mut [u8], from: usize, n: usize) -> usize {
    #[cfg(target_arch = "x86_64")]
    if accelerated() {
        // SAFETY: the CPU has AVX2 (checked just now).
        return unsafe { x86::encode_in_place(buf, from, n) };
    }
    let _ = (buf, from, n);
    0
}

/// Decodes a prefix of `src` in whole blocks of 32 characters into the front of `dst`, as far
/// as both reach (a block stores 32 bytes, of which 24 are decoded). Returns the characters
/// decoded (a multiple of 32; 0 without AVX2) and whether each was in the alphabet; their
/// `len / 4 * 3` bytes then start `dst`.
#[must_use]
pub fn decode(src: &[u8], dst: &mut [u8]) -> (usize, bool) {
    #[cfg(target_arch = "x86_64")]
    if accelerated() {
        // SAFETY: the CPU has AVX2 (checked just now); `src` and `dst` are distinct borrows,
        // each read or written only within its length.
        return unsafe { x86::decode(src.as_ptr(), src.len(), dst.as_mut_ptr(), dst.len()) };
    }
    let _ = (src, dst);
    (0, true)
}

/// [`decode`] with the characters and the bytes in one buffer: decodes a prefix of `buf`
/// into its front. Each block's store ends where the next unread block starts.
#[must_use]
pub fn decode_in_place(buf: &mut [u8]) -> (usize, bool) {
    #[cfg(target_arch = "x86_64")]
    if accelerated() {
        let (len, ptr) = (buf.len(), buf.as_mut_ptr());
        // SAFETY: the CPU has AVX2; one pointer for both is what `x86::decode` allows when
        // writes trail reads, as they do (24 bytes written per 32 characters read).
        return unsafe { x86::decode(ptr, len, ptr, len) };
    }
    let _ = buf;
    (0, true)
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use core::arch::x86_64::{
        __m256i, _mm256_add_epi8, _mm256_and_si256, _mm256_cmpeq_epi8, _mm256_cmpgt_epi8,
        _mm256_loadu_si256, _mm256_madd_epi16, _mm256_maddubs_epi16, _mm256_movemask_epi8,
        _mm256_mulhi_epu16, _mm256_mullo_epi16, _mm256_or_si256, _mm256_permutevar8x32_epi32,
        _mm256_set1_epi8, _mm256_set1_epi32, _mm256_setr_epi8, _mm256_setr_epi32,
        _mm256_shuffle_epi8, _mm256_storeu_si256, _mm256_sub_epi8, _mm256_subs_epu8,
    };

    /// Spreads each group of 3 bytes (12 per 128-bit lane: bytes 4..16 of the low lane,
    /// 0..12 of the high) over 4 bytes, one sextet in each, in output order.
    #[inline]
    #[target_feature(enable = "avx2")]
    fn reshuffle(input: __m256i) -> __m256i {
        let spread = _mm256_shuffle_epi8(
            input,
            _mm256_setr_epi8(
                5, 4, 6, 5, 8, 7, 9, 8, 11, 10, 12, 11, 14, 13, 15, 14, //
                1, 0, 2, 1, 4, 3, 5, 4, 7, 6, 8, 7, 10, 9, 11, 10,
            ),
        );
        let t0 = _mm256_and_si256(spread, _mm256_set1_epi32(0x0fc0_fc00));
        let t1 = _mm256_mulhi_epu16(t0, _mm256_set1_epi32(0x0400_0040));
        let t2 = _mm256_and_si256(spread, _mm256_set1_epi32(0x003f_03f0));
        let t3 = _mm256_mullo_epi16(t2, _mm256_set1_epi32(0x0100_0010));
        _mm256_or_si256(t1, t3)
    }

    /// Sextets to characters: the offset to add comes from a 16-entry table indexed by range
    /// (A–Z, a–z, each digit's shared offset, `-`, `_`).
    #[inline]
    #[target_feature(enable = "avx2")]
    fn translate(sextets: __m256i) -> __m256i {
        let offsets = _mm256_setr_epi8(
            65, 71, -4, -4, -4, -4, -4, -4, -4, -4, -4, -4, -17, 32, 0, 0, //
            65, 71, -4, -4, -4, -4, -4, -4, -4, -4, -4, -4, -17, 32, 0, 0,
        );
        // 0..=51 -> 0, 52..=61 -> 1..=10, 62 -> 11, 63 -> 12; then +1 for all above 25.
        let index = _mm256_subs_epu8(sextets, _mm256_set1_epi8(51));
        let above_25 = _mm256_cmpgt_epi8(sextets, _mm256_set1_epi8(25));
        let index = _mm256_sub_epi8(index, above_25);
        _mm256_add_epi8(sextets, _mm256_shuffle_epi8(offsets, index))
    }

    /// # Safety
    /// The CPU must have AVX2.
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn encode_in_place(buf: &mut [u8], from: usize, n: usize) -> usize {
        let Some(end) = from.checked_add(n) else {
            return 0;
        };
        if from < 4 || end > buf.len() {
            return 0;
        }
        let base = buf.as_mut_ptr();
        let mut done = 0usize;
        // A block at r = from + done loads [r - 4, r + 28) and stores [w, w + 32) with
        // w = done / 3 * 4. Loads stay inside: r >= 4 and r + 28 <= end. The store ends at or
        // before r + 24, where the next block's input starts (the 4 bytes that block loads
        // before it are not used), and so inside `buf` too.
        while done + 28 <= n && done / 3 * 4 + 8 <= from + done {
            let (r, w) = (from + done, done / 3 * 4);
            // SAFETY: [r - 4, r + 28) and [w, w + 32) lie inside `buf`, as argued above; the
            // load completes before the store.
            unsafe {
                let input = _mm256_loadu_si256(base.add(r - 4).cast());
                _mm256_storeu_si256(base.add(w).cast(), translate(reshuffle(input)));
            }
            done += 24;
        }
        done
    }

    #[inline]
    #[target_feature(enable = "avx2")]
    fn between(chars: __m256i, low: u8, high: u8) -> __m256i {
        // Signed compares: bytes from 0x80 are negative, below every bound here.
        let low = _mm256_set1_epi8(low.cast_signed() - 1);
        let high = _mm256_set1_epi8(high.cast_signed() + 1);
        _mm256_and_si256(
            _mm256_cmpgt_epi8(chars, low),
            _mm256_cmpgt_epi8(high, chars),
        )
    }

    /// Characters to sextets, and a mask of the characters in the alphabet.
    #[inline]
    #[target_feature(enable = "avx2")]
    fn sextets(chars: __m256i) -> (__m256i, __m256i) {
        let upper = between(chars, b'A', b'Z');
        let lower = between(chars, b'a', b'z');
        let digit = between(chars, b'0', b'9');
        let dash = _mm256_cmpeq_epi8(chars, _mm256_set1_epi8(b'-'.cast_signed()));
        let under = _mm256_cmpeq_epi8(chars, _mm256_set1_epi8(b'_'.cast_signed()));
        let offset = |mask: __m256i, by: i8| _mm256_and_si256(mask, _mm256_set1_epi8(by));
        let shift = _mm256_or_si256(
            _mm256_or_si256(offset(upper, -65), offset(lower, -71)),
            _mm256_or_si256(
                _mm256_or_si256(offset(digit, 4), offset(dash, 17)),
                offset(under, -32),
            ),
        );
        let valid = _mm256_or_si256(
            _mm256_or_si256(upper, lower),
            _mm256_or_si256(_mm256_or_si256(digit, dash), under),
        );
        (_mm256_add_epi8(chars, shift), valid)
    }

    /// 32 sextets to 24 bytes in the low 24 bytes (the top 8 are left over).
    #[inline]
    #[target_feature(enable = "avx2")]
    fn pack(sextets: __m256i) -> __m256i {
        let pairs = _mm256_maddubs_epi16(sextets, _mm256_set1_epi32(0x0140_0140));
        let groups = _mm256_madd_epi16(pairs, _mm256_set1_epi32(0x0001_1000));
        let bytes = _mm256_shuffle_epi8(
            groups,
            _mm256_setr_epi8(
                2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1, //
                2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1,
            ),
        );
        _mm256_permutevar8x32_epi32(bytes, _mm256_setr_epi32(0, 1, 2, 4, 5, 6, 7, 7))
    }

    /// # Safety
    /// The CPU must have AVX2; `src` is readable for `src_len` bytes and `dst` writable for
    /// `dst_len`. They may be the same pointer (in place), and must not overlap otherwise.
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn decode(
        src: *const u8,
        src_len: usize,
        dst: *mut u8,
        dst_len: usize,
    ) -> (usize, bool) {
        let (mut read, mut write) = (0usize, 0usize);
        let mut valid = _mm256_cmpeq_epi8(_mm256_set1_epi8(0), _mm256_set1_epi8(0));
        while read + 32 <= src_len && write + 32 <= dst_len {
            // SAFETY: [read, read + 32) is inside `src` and [write, write + 32) inside `dst`
            // (the loop condition). In place, write <= read, so the store covers only
            // characters this block or earlier ones already loaded.
            unsafe {
                let chars = _mm256_loadu_si256(src.add(read).cast());
                let (values, ok) = sextets(chars);
                valid = _mm256_and_si256(valid, ok);
                _mm256_storeu_si256(dst.add(write).cast(), pack(values));
            }
            read += 32;
            write += 24;
        }
        (read, _mm256_movemask_epi8(valid) == -1)
    }
}

#[cfg(test)]
mod tests {
    extern crate alloc;
    extern crate std;

    use alloc::vec;
    use alloc::vec::Vec;

    use base64ct::{Base64UrlUnpadded, Encoding};
    use proptest::prelude::*;

    use super::*;

    proptest! {
        // Miri runs each case thousands of times slower: a few cases there.
        #![proptest_config(ProptestConfig::with_cases(if cfg!(miri) { 6 } else { 2000 }))]

        /// In place, with the input anywhere from tight to far: the prefix reported is
        /// base64url of the same bytes, and the input not yet encoded is untouched.
        #[test]
        fn encode_in_place_is_base64url(
            bytes in proptest::collection::vec(any::<u8>(), 0..600),
            slack in 0usize..80,
        ) {
            let n = bytes.len();
            let from = n.div_ceil(3) + slack;
            let mut buf = vec![0xa5u8; from + n];
            buf[from..].copy_from_slice(&bytes);
            let done = encode_in_place(&mut buf, from, n);
            prop_assert_eq!(done % 24, 0);
            prop_assert!(done <= n);
            let written = done / 3 * 4;
            let want = Base64UrlUnpadded::encode_string(&bytes[..done]);
            prop_assert_eq!(&buf[..written], want.as_bytes());
            prop_assert_eq!(&buf[from + done..], &bytes[done..]);
            if accelerated() && from >= 4 && n >= 28 + 24 * 4 && slack >= 16 {
                prop_assert!(done > 0, "AVX2 did nothing");
            }
        }

        /// Valid text decodes to the bytes; any byte outside the alphabet in the blocks
        /// decoded is reported.
        #[test]
        fn decode_is_base64url(
            bytes in proptest::collection::vec(any::<u8>(), 0..600),
            flaw in proptest::option::of((any::<prop::sample::Index>(), any::<u8>())),
            room in 0usize..64,
            in_place in any::<bool>(),
        ) {
            let mut text = Base64UrlUnpadded::encode_string(&bytes).into_bytes();
            if let (Some((at, byte)), false) = (flaw, text.is_empty()) {
                let at = at.index(text.len());
                text[at] = byte;
            }
            let (done, ok, out) = if in_place {
                let mut buf = text.clone();
                let (done, ok) = decode_in_place(&mut buf);
                (done, ok, buf)
            } else {
                let mut out = vec![0u8; text.len() / 4 * 3 + room];
                let (done, ok) = decode(&text, &mut out);
                (done, ok, out)
            };
            prop_assert_eq!(done % 32, 0);
            prop_assert!(done <= text.len());
            let alphabet = |c: &u8| c.is_ascii_alphanumeric() || *c == b'-' || *c == b'_';
            prop_assert_eq!(ok, text[..done].iter().all(alphabet));
            if ok {
                let prefix = core::str::from_utf8(&text[..done]).unwrap();
                let want = Base64UrlUnpadded::decode_vec(prefix).unwrap();
                prop_assert_eq!(&out[..done / 4 * 3], &want[..]);
            }
            if accelerated() && text.len() >= 64 + 32 && (in_place || room >= 8) {
                prop_assert!(done > 0, "AVX2 did nothing");
            }
        }
    }

    /// On x86-64 the kernels must run here, or these tests checked nothing: a CPU without
    /// AVX2 fails this test unless `VIDEOSDK_TOKEN_PORTABLE_CPU` says that is expected (as
    /// for the emulated CPU models that run the portable code on purpose).
    #[test]
    #[cfg(target_arch = "x86_64")]
    fn the_kernels_ran_on_this_cpu() {
        if std::env::var_os("VIDEOSDK_TOKEN_PORTABLE_CPU").is_some_and(|v| !v.is_empty()) {
            std::eprintln!(
                "AVX2 kernels: {}",
                if accelerated() { "ran" } else { "NOT RUN" }
            );
            return;
        }
        assert!(
            accelerated(),
            "this CPU has no AVX2: the kernels were not tested here \
             (set VIDEOSDK_TOKEN_PORTABLE_CPU=1 where that is expected)"
        );
    }

    /// Every byte value in every position of a block is classified and decoded.
    #[test]
    fn every_byte_in_every_position() {
        // Under Miri, three positions (its point is the memory accesses, not the table).
        let positions: Vec<usize> = if cfg!(miri) {
            vec![0, 13, 31]
        } else {
            (0..32).collect()
        };
        for position in positions {
            for byte in 0..=255u8 {
                let mut text: Vec<u8> = b"QUJDREVGR0hJSktMTU5PUFFSU1RVVldY".to_vec();
                text[position] = byte;
                let mut out = [0u8; 64];
                let (done, ok) = decode(&text, &mut out);
                if !accelerated() {
                    assert_eq!((done, ok), (0, true));
                    continue;
                }
                assert_eq!(done, 32);
                let in_alphabet = byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_';
                assert_eq!(ok, in_alphabet, "byte {byte:#04x} at {position}");
                if ok {
                    let want = Base64UrlUnpadded::decode_vec(core::str::from_utf8(&text).unwrap())
                        .unwrap();
                    assert_eq!(&out[..24], &want[..]);
                }
            }
        }
    }
}
