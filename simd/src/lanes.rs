//! HMAC-SHA256 of [`LANES`] messages at once, with the SHA-NI compressions of the four
//! interleaved.
//!
//! One SHA-256 compression with SHA-NI is a chain of dependent instructions: each round pair
//! waits for the one before, and the core's other units idle. Four independent messages, their
//! rounds issued side by side, fill them: the four cost little more than one. Signing many
//! tokens is exactly that case.
//!
//! The caller gives the HMAC key as the two SHA-256 states after its inner and outer pad
//! blocks (what HMAC keeps of a key), so nothing here sees the secret itself.

/// Messages per call.
pub const LANES: usize = 4;

#[cfg(target_arch = "x86_64")]
cpufeatures::new!(sha_cpuid, "sha", "sse2", "ssse3", "sse4.1");

/// Whether the lanes run on this CPU (SHA-NI with SSE4.1; detected once, then cached).
#[must_use]
pub fn accelerated() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        sha_cpuid::get()
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// The HMAC-SHA256 of each message under the key whose pads leave SHA-256 in the states
/// `inner` and `outer`, or `None` (having done nothing) on a CPU without SHA-NI.
///
/// Messages may differ in length; a lane whose message is done waits for the longest.
#[must_use]
pub fn hmac(
    inner: &[u32; 8],
    outer: &[u32; 8],
    messages: [&[u8]; LANES],
) -> Option<[[u8; 32]; LANES]> {
    hmac_resumed([Resume::new(inner, 0); LANES], outer, messages)
}

/// Where a lane's inner hash starts: a SHA-256 state and how many bytes it has absorbed
/// (the pad block's 64 and any whole blocks of the message before the rest given).
#[derive(Clone, Copy, Debug)]
#[cfg_attr(
    not(target_arch = "x86_64"),
    allow(dead_code, reason = "the lanes exist on x86-64 only")
)]
pub struct Resume<'s> {
    state: &'s [u32; 8],
    absorbed: u64,
}

impl<'s> Resume<'s> {
    /// The inner state after the pad block and `blocks` whole blocks of the message.
    #[must_use]
    pub const fn new(state: &'s [u32; 8], blocks: u64) -> Self {
        Self {
            state,
            absorbed: (blocks + 1) * 64,
        }
    }
}

/// [`hmac`] with each lane's inner hash resumed from a state that has absorbed the
/// message's leading whole blocks (say, blocks many messages share, compressed once), and
/// given the rest of each message.
#[must_use]
pub fn hmac_resumed(
    starts: [Resume<'_>; LANES],
    outer: &[u32; 8],
    rests: [&[u8]; LANES],
) -> Option<[[u8; 32]; LANES]> {
    #[cfg(target_arch = "x86_64")]
    if sha_cpuid::get() {
        // SAFETY: the CPU has SHA-NI, SSE2, SSSE3 and SSE4.1 (checked just now).
        return Some(unsafe { x86::hmac(starts, outer, rests) });
    }
    let _ = (starts, outer, rests);
    None
}

/// The blocks of one lane: the message's whole blocks, then one or two blocks of its tail
/// and padding, written into `padding` (the caller's, so that it is never moved).
#[cfg(target_arch = "x86_64")]
#[derive(Clone, Copy)]
struct Lane<'m> {
    message: &'m [u8],
    whole: usize,
    /// Inner blocks in all: whole blocks and padding blocks.
    inner: usize,
}

#[cfg(target_arch = "x86_64")]
impl<'m> Lane<'m> {
    /// The blocks of `message`, the rest of a message of which `absorbed` bytes (the pad
    /// block's included) were compressed before it; its padding goes into `padding`.
    fn new(message: &'m [u8], absorbed: u64, padding: &mut [u8; 128]) -> Self {
        let (blocks, tail) = message.as_chunks::<64>();
        let used = if tail.len() < 56 { 64 } else { 128 };
        padding[..used].fill(0);
        padding[..tail.len()].copy_from_slice(tail);
        padding[tail.len()] = 0x80;
        let bits = (message.len() as u64 + absorbed) * 8;
        padding[used - 8..used].copy_from_slice(&bits.to_be_bytes());
        Self {
            message,
            whole: blocks.len(),
            inner: blocks.len() + used / 64,
        }
    }

    /// Inner block `step` (below [`Lane::inner`]), from the message or `padding`.
    fn block<'b>(&self, step: usize, padding: &'b [u8; 128]) -> &'b [u8; 64]
    where
        'm: 'b,
    {
        let bytes = if step < self.whole {
            &self.message[step * 64..step * 64 + 64]
        } else {
            let at = (step - self.whole) * 64;
            &padding[at..at + 64]
        };
        bytes.try_into().expect("64 bytes")
    }
}

#[cfg(target_arch = "x86_64")]
fn tag(state: &[u32; 8]) -> [u8; 32] {
    let mut tag = [0u8; 32];
    for (slot, word) in tag.chunks_exact_mut(4).zip(state) {
        slot.copy_from_slice(&word.to_be_bytes());
    }
    tag
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use core::arch::x86_64::{
        __m128i, _mm_add_epi32, _mm_alignr_epi8, _mm_blend_epi16, _mm_loadu_si128, _mm_set_epi32,
        _mm_set_epi64x, _mm_sha256msg1_epu32, _mm_sha256msg2_epu32, _mm_sha256rnds2_epu32,
        _mm_shuffle_epi8, _mm_shuffle_epi32, _mm_storeu_si128,
    };

    use super::{LANES, Lane, tag};

    /// SHA-256's round constants (FIPS 180-4 §4.2.2).
    const K: [u32; 64] = [
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
    struct State {
        abef: __m128i,
        cdgh: __m128i,
    }

    /// One lane's working state and the message schedule's last sixteen words.
    #[derive(Clone, Copy)]
    struct Work {
        abef: __m128i,
        cdgh: __m128i,
        w: [__m128i; 4],
    }

    /// Rounds `4 R` to `4 R + 3` with the schedule words `w`.
    #[inline]
    #[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
    fn rounds4<const R: usize>(work: &mut Work, w: __m128i) {
        let k = |i: usize| K[4 * R + i].cast_signed();
        let t1 = _mm_add_epi32(w, _mm_set_epi32(k(3), k(2), k(1), k(0)));
        work.cdgh = _mm_sha256rnds2_epu32(work.cdgh, work.abef, t1);
        let t2 = _mm_shuffle_epi32::<0x0E>(t1);
        work.abef = _mm_sha256rnds2_epu32(work.abef, work.cdgh, t2);
    }

    /// The next four schedule words, into slot `I` of the last sixteen.
    #[inline]
    #[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
    fn schedule<const I: usize>(work: &mut Work) -> __m128i {
        let w = &mut work.w;
        let t1 = _mm_sha256msg1_epu32(w[I], w[(I + 1) % 4]);
        let t2 = _mm_alignr_epi8::<4>(w[(I + 3) % 4], w[(I + 2) % 4]);
        w[I] = _mm_sha256msg2_epu32(_mm_add_epi32(t1, t2), w[(I + 3) % 4]);
        w[I]
    }

    /// A state in SHA-NI's order.
    #[inline]
    #[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
    fn to_ni(state: &[u32; 8]) -> State {
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
    fn from_ni(state: State) -> [u32; 8] {
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
    fn words(block: &[u8; 64]) -> [__m128i; 4] {
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
    fn outer_words(digest: State) -> [__m128i; 4] {
        let feba = _mm_shuffle_epi32::<0x1B>(digest.abef);
        let dchg = _mm_shuffle_epi32::<0xB1>(digest.cdgh);
        [
            _mm_blend_epi16::<0xF0>(feba, dchg),
            _mm_alignr_epi8::<8>(dchg, feba),
            _mm_set_epi32(0, 0, 0, i32::MIN),
            _mm_set_epi32((64 + 32) * 8, 0, 0, 0),
        ]
    }

    /// One block (as words) into each lane's state, the lanes' rounds issued side by side.
    /// Every index is a constant (the macros spell out the sixteen steps), so that the
    /// lanes' working state stays in registers rather than in arrays indexed at run time.
    #[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
    fn compress(states: &mut [State; LANES], words: [[__m128i; 4]; LANES]) {
        let work = |l: usize| Work {
            abef: states[l].abef,
            cdgh: states[l].cdgh,
            w: words[l],
        };
        let [mut a, mut b, mut c, mut d] = [work(0), work(1), work(2), work(3)];
        macro_rules! first {
            ($($r:literal)*) => {$(
                let w = a.w[$r];
                rounds4::<$r>(&mut a, w);
                let w = b.w[$r];
                rounds4::<$r>(&mut b, w);
                let w = c.w[$r];
                rounds4::<$r>(&mut c, w);
                let w = d.w[$r];
                rounds4::<$r>(&mut d, w);
            )*};
        }
        macro_rules! scheduled {
            ($($r:literal)*) => {$(
                let w = schedule::<{ $r % 4 }>(&mut a);
                rounds4::<$r>(&mut a, w);
                let w = schedule::<{ $r % 4 }>(&mut b);
                rounds4::<$r>(&mut b, w);
                let w = schedule::<{ $r % 4 }>(&mut c);
                rounds4::<$r>(&mut c, w);
                let w = schedule::<{ $r % 4 }>(&mut d);
                rounds4::<$r>(&mut d, w);
            )*};
        }
        first!(0 1 2 3);
        scheduled!(4 5 6 7 8 9 10 11 12 13 14 15);
        for (state, work) in states.iter_mut().zip([a, b, c, d]) {
            state.abef = _mm_add_epi32(state.abef, work.abef);
            state.cdgh = _mm_add_epi32(state.cdgh, work.cdgh);
        }
    }

    /// # Safety
    /// The CPU must have SHA-NI, SSE2, SSSE3 and SSE4.1.
    #[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
    pub(super) unsafe fn hmac(
        starts: [super::Resume<'_>; LANES],
        outer: &[u32; 8],
        messages: [&[u8]; LANES],
    ) -> [[u8; 32]; LANES] {
        let mut paddings = [[0u8; 128]; LANES];
        let [p0, p1, p2, p3] = &mut paddings;
        let lanes = [
            Lane::new(messages[0], starts[0].absorbed, p0),
            Lane::new(messages[1], starts[1].absorbed, p1),
            Lane::new(messages[2], starts[2].absorbed, p2),
            Lane::new(messages[3], starts[3].absorbed, p3),
        ];
        let mut states = starts.map(|start| to_ni(start.state));
        let steps = lanes.iter().map(|l| l.inner).max().unwrap_or(0);
        // A lane whose message is done compresses this block, and the result is dropped.
        let idle = [0u8; 64];
        for step in 0..steps {
            let block = |l: usize| {
                if step < lanes[l].inner {
                    lanes[l].block(step, &paddings[l])
                } else {
                    &idle
                }
            };
            let blocks = [block(0), block(1), block(2), block(3)];
            let before = states;
            let [w, x, y, z] = blocks;
            compress(&mut states, [words(w), words(x), words(y), words(z)]);
            for l in 0..LANES {
                if step >= lanes[l].inner {
                    states[l] = before[l];
                }
            }
        }
        let mut finals = [to_ni(outer); LANES];
        let [w, x, y, z] = states;
        compress(
            &mut finals,
            [
                outer_words(w),
                outer_words(x),
                outer_words(y),
                outer_words(z),
            ],
        );
        finals.map(|state| tag(&from_ni(state)))
    }
}

#[cfg(test)]
mod tests {
    extern crate alloc;
    extern crate std;

    use alloc::vec::Vec;

    use proptest::prelude::*;

    use super::*;

    /// The pad states for `secret`, as HMAC computes them.
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

    fn reference(secret: &[u8], message: &[u8]) -> [u8; 32] {
        use hmac::{Hmac, KeyInit, Mac};
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret).unwrap();
        mac.update(message);
        mac.finalize().into_bytes().into()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// Four messages of any lengths, different from each other, against `hmac`.
        #[test]
        fn lanes_are_hmacs(
            secret in proptest::collection::vec(any::<u8>(), 1..100),
            messages in proptest::array::uniform4(proptest::collection::vec(any::<u8>(), 0..400)),
        ) {
            let (inner, outer) = pads(&secret);
            let refs: [&[u8]; LANES] = core::array::from_fn(|l| messages[l].as_slice());
            match hmac(&inner, &outer, refs) {
                Some(tags) => {
                    for (tag, message) in tags.iter().zip(&messages) {
                        prop_assert_eq!(*tag, reference(&secret, message));
                    }
                }
                None => prop_assert!(!accelerated()),
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]

        /// Each lane resumed after any number of its message's whole blocks, compressed
        /// beforehand, against `hmac` over the whole message.
        #[test]
        fn resumed_lanes_are_hmacs(
            secret in proptest::collection::vec(any::<u8>(), 1..100),
            messages in proptest::array::uniform4(proptest::collection::vec(any::<u8>(), 0..400)),
            skips in proptest::array::uniform4(0usize..8),
        ) {
            let (inner, outer) = pads(&secret);
            let mut states = [inner; LANES];
            let mut blocks = [0u64; LANES];
            let mut rests: [&[u8]; LANES] = [&[]; LANES];
            for l in 0..LANES {
                let (whole, _) = messages[l].as_chunks::<64>();
                let skip = skips[l].min(whole.len());
                sha2::block_api::compress256(&mut states[l], &whole[..skip]);
                blocks[l] = skip as u64;
                rests[l] = &messages[l][skip * 64..];
            }
            let starts = core::array::from_fn(|l| Resume::new(&states[l], blocks[l]));
            match hmac_resumed(starts, &outer, rests) {
                Some(tags) => {
                    for (tag, message) in tags.iter().zip(&messages) {
                        prop_assert_eq!(*tag, reference(&secret, message));
                    }
                }
                None => prop_assert!(!accelerated()),
            }
        }
    }

    /// Every length across the padding boundaries, in every lane, beside lanes of other
    /// lengths.
    #[test]
    fn every_length_in_every_lane() {
        let bytes: Vec<u8> = (0..300u32).map(|i| (i * 13 + 7).to_le_bytes()[0]).collect();
        let secret = b"demo-secret";
        let (inner, outer) = pads(secret);
        for len in 0..=200 {
            for lane in 0..LANES {
                let mut refs: [&[u8]; LANES] =
                    [&bytes[..100], &bytes[..3], &bytes[..64], &bytes[..250]];
                refs[lane] = &bytes[..len];
                let Some(tags) = hmac(&inner, &outer, refs) else {
                    assert!(!accelerated());
                    return;
                };
                for l in 0..LANES {
                    assert_eq!(
                        tags[l],
                        reference(secret, refs[l]),
                        "length {len} in lane {lane}"
                    );
                }
            }
        }
    }
}
