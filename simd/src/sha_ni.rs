//! SHA-256 with the SHA-NI instructions: the round constants, the state in SHA-NI's word
//! order, four rounds at a time and the message schedule, shared by the HMAC lanes and the
//! token kernel.

#[cfg(target_arch = "x86_64")]
pub(crate) use x86::*;

/// Writes a message's last part block `tail`, the padding bit and the message's length in
/// bits into the front of `padding`, for a message `len` bytes long in all (HMAC's pad block
/// included); returns the bytes of it to compress, one block or two.
#[cfg(target_arch = "x86_64")]
pub(crate) fn pad_tail(tail: &[u8], len: u64, padding: &mut [u8; 128]) -> usize {
    let used = if tail.len() < 56 { 64 } else { 128 };
    padding[..used].fill(0);
    padding[..tail.len()].copy_from_slice(tail);
    padding[tail.len()] = 0x80;
    padding[used - 8..used].copy_from_slice(&(len * 8).to_be_bytes());
    used
}

/// A state's words as a digest's bytes, big-endian.
#[cfg(target_arch = "x86_64")]
pub(crate) fn digest_bytes(state: &[u32; 8]) -> [u8; 32] {
    let mut digest = [0u8; 32];
    for (slot, word) in digest.chunks_exact_mut(4).zip(state) {
        slot.copy_from_slice(&word.to_be_bytes());
    }
    digest
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use core::arch::x86_64::{
        __m128i, _mm_add_epi32, _mm_alignr_epi8, _mm_blend_epi16, _mm_loadu_si128, _mm_set_epi32,
        _mm_set_epi64x, _mm_sha256msg1_epu32, _mm_sha256msg2_epu32, _mm_sha256rnds2_epu32,
        _mm_shuffle_epi8, _mm_shuffle_epi32, _mm_storeu_si128,
    };

    /// SHA-256's round constants (FIPS 180-4 §4.2.2).
    pub(crate) const K: [u32; 64] = [
        0x428a_2f98,
        0x7137_4491,
        0xb5c0_fbcf,
        0xe9b5_dba5,
        0x3956_c25b,
        0x59f1_11f1,
        0x923f_82a4,
        0xab1c_5ed5,
        0xd807_aa98,
        0x1283_5b01,
        0x2431_85be,
        0x550c_7dc3,
        0x72be_5d74,
        0x80de_b1fe,
        0x9bdc_06a7,
        0xc19b_f174,
        0xe49b_69c1,
        0xefbe_4786,
        0x0fc1_9dc6,
        0x240c_a1cc,
        0x2de9_2c6f,
        0x4a74_84aa,
        0x5cb0_a9dc,
        0x76f9_88da,
        0x983e_5152,
        0xa831_c66d,
        0xb003_27c8,
        0xbf59_7fc7,
        0xc6e0_0bf3,
        0xd5a7_9147,
        0x06ca_6351,
        0x1429_2967,
        0x27b7_0a85,
        0x2e1b_2138,
        0x4d2c_6dfc,
        0x5338_0d13,
        0x650a_7354,
        0x766a_0abb,
        0x81c2_c92e,
        0x9272_2c85,
        0xa2bf_e8a1,
        0xa81a_664b,
        0xc24b_8b70,
        0xc76c_51a3,
        0xd192_e819,
        0xd699_0624,
        0xf40e_3585,
        0x106a_a070,
        0x19a4_c116,
        0x1e37_6c08,
        0x2748_774c,
        0x34b0_bcb5,
        0x391c_0cb3,
        0x4ed8_aa4a,
        0x5b9c_ca4f,
        0x682e_6ff3,
        0x748f_82ee,
        0x78a5_636f,
        0x84c8_7814,
        0x8cc7_0208,
        0x90be_fffa,
        0xa450_6ceb,
        0xbef9_a3f7,
        0xc671_78f2,
    ];

    /// A SHA-256 state as SHA-NI holds it: words A, B, E, F and C, D, G, H.
    #[derive(Clone, Copy)]
    pub(crate) struct State {
        pub(crate) abef: __m128i,
        pub(crate) cdgh: __m128i,
    }

    /// One lane's working state and the message schedule's last sixteen words.
    #[derive(Clone, Copy)]
    pub(crate) struct Work {
        pub(crate) abef: __m128i,
        pub(crate) cdgh: __m128i,
        pub(crate) w: [__m128i; 4],
    }

    /// Rounds `4 R` to `4 R + 3` with the schedule words `w`.
    #[inline]
    #[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
    pub(crate) fn rounds4<const R: usize>(work: &mut Work, w: __m128i) {
        let k = |i: usize| K[4 * R + i].cast_signed();
        let t1 = _mm_add_epi32(w, _mm_set_epi32(k(3), k(2), k(1), k(0)));
        work.cdgh = _mm_sha256rnds2_epu32(work.cdgh, work.abef, t1);
        let t2 = _mm_shuffle_epi32::<0x0E>(t1);
        work.abef = _mm_sha256rnds2_epu32(work.abef, work.cdgh, t2);
    }

    /// The next four schedule words, into slot `I` of the last sixteen.
    #[inline]
    #[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
    pub(crate) fn schedule<const I: usize>(work: &mut Work) -> __m128i {
        let w = &mut work.w;
        let t1 = _mm_sha256msg1_epu32(w[I], w[(I + 1) % 4]);
        let t2 = _mm_alignr_epi8::<4>(w[(I + 3) % 4], w[(I + 2) % 4]);
        w[I] = _mm_sha256msg2_epu32(_mm_add_epi32(t1, t2), w[(I + 3) % 4]);
        w[I]
    }

    /// A state in SHA-NI's order.
    #[inline]
    #[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
    pub(crate) fn to_ni(state: &[u32; 8]) -> State {
        // SAFETY: each load reads 16 bytes inside the 32-byte state.
        let (dcba, hgfe) = unsafe {
            let s: *const __m128i = state.as_ptr().cast();
            (_mm_loadu_si128(s), _mm_loadu_si128(s.add(1)))
        };
        let cdab = _mm_shuffle_epi32::<0xB1>(dcba);
        let efgh = _mm_shuffle_epi32::<0x1B>(hgfe);
        State {
            abef: _mm_alignr_epi8::<8>(cdab, efgh),
            cdgh: _mm_blend_epi16::<0xF0>(efgh, cdab),
        }
    }

    /// A state back in word order.
    #[inline]
    #[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
    pub(crate) fn from_ni(state: State) -> [u32; 8] {
        let feba = _mm_shuffle_epi32::<0x1B>(state.abef);
        let dchg = _mm_shuffle_epi32::<0xB1>(state.cdgh);
        let dcba = _mm_blend_epi16::<0xF0>(feba, dchg);
        let hgef = _mm_alignr_epi8::<8>(dchg, feba);
        let mut words = [0u32; 8];
        // SAFETY: each store writes 16 bytes inside the 32-byte array.
        unsafe {
            let s: *mut __m128i = words.as_mut_ptr().cast();
            _mm_storeu_si128(s, dcba);
            _mm_storeu_si128(s.add(1), hgef);
        }
        words
    }

    /// A block's words, big-endian.
    #[inline]
    #[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
    pub(crate) fn words(block: &[u8; 64]) -> [__m128i; 4] {
        let swap = _mm_set_epi64x(0x0C0D_0E0F_0809_0A0B, 0x0405_0607_0001_0203);
        // SAFETY: each load reads 16 bytes inside the 64-byte block.
        unsafe {
            let b: *const __m128i = block.as_ptr().cast();
            [
                _mm_shuffle_epi8(_mm_loadu_si128(b), swap),
                _mm_shuffle_epi8(_mm_loadu_si128(b.add(1)), swap),
                _mm_shuffle_epi8(_mm_loadu_si128(b.add(2)), swap),
                _mm_shuffle_epi8(_mm_loadu_si128(b.add(3)), swap),
            ]
        }
    }

    /// The outer hash's one block, as words, straight from an inner digest in SHA-NI's
    /// order: the digest, the padding bit, and the length (the pad block and 32 bytes).
    #[inline]
    #[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
    pub(crate) fn outer_words(digest: State) -> [__m128i; 4] {
        let feba = _mm_shuffle_epi32::<0x1B>(digest.abef);
        let dchg = _mm_shuffle_epi32::<0xB1>(digest.cdgh);
        [
            _mm_blend_epi16::<0xF0>(feba, dchg),
            _mm_alignr_epi8::<8>(dchg, feba),
            _mm_set_epi32(0, 0, 0, i32::MIN),
            _mm_set_epi32((64 + 32) * 8, 0, 0, 0),
        ]
    }

    /// One block (as words) into one state: the sixteen steps spelled out, so that the
    /// working state stays in registers.
    #[inline]
    #[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
    pub(crate) fn compress(state: &mut State, words: [__m128i; 4]) {
        let mut work = Work {
            abef: state.abef,
            cdgh: state.cdgh,
            w: words,
        };
        macro_rules! first {
            ($($r:literal)*) => {$(
                let w = work.w[$r];
                rounds4::<$r>(&mut work, w);
            )*};
        }
        macro_rules! scheduled {
            ($($r:literal)*) => {$(
                let w = schedule::<{ $r % 4 }>(&mut work);
                rounds4::<$r>(&mut work, w);
            )*};
        }
        first!(0 1 2 3);
        scheduled!(4 5 6 7 8 9 10 11 12 13 14 15);
        state.abef = _mm_add_epi32(state.abef, work.abef);
        state.cdgh = _mm_add_epi32(state.cdgh, work.cdgh);
    }
}
