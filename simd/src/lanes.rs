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
        let used = crate::sha_ni::pad_tail(tail, message.len() as u64 + absorbed, padding);
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
mod x86 {
    use core::arch::x86_64::{__m128i, _mm_add_epi32};

    use super::{LANES, Lane};
    use crate::sha_ni::{
        State, Work, digest_bytes, from_ni, outer_words, rounds4, schedule, to_ni, words,
    };

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
        finals.map(|state| digest_bytes(&from_ni(state)))
    }
}

#[cfg(test)]
mod tests {
    extern crate alloc;
    extern crate std;

    use alloc::vec::Vec;

    use proptest::prelude::*;

    use super::*;
    use crate::testing::pads;

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
