//! HMAC-SHA256 (RFC 2104) on SHA-256's compression function: the secret's inner and outer
//! pads are compressed once, when the key is made, and a tag is then the message's blocks
//! from a copy of the inner state, one or two padding blocks built on the stack, and one outer
//! block.
//!
//! Written here rather than taken from `hmac` because a token's MAC is most of the cost of
//! signing it: cloning `hmac`'s keyed state copies its block buffers, and its update and
//! finalisation move the message through them, which cost a short token a third as much
//! again as the compressions themselves (`benches/shapes.rs`, where the floor is `hmac`).
//! `sha2` still does every compression; the tests compare every tag with `hmac`'s.

use sha2::Digest;
use sha2::block_api::compress256;

use crate::sign::LANES;

const BLOCK: usize = 64;

/// The outer hash's message in bits: the pad block and the inner digest.
const OUTER_BITS: u64 = (BLOCK as u64 + 32) * 8;

/// SHA-256's initial state (FIPS 180-4 §5.3.3).
const IV: [u32; 8] = [
    0x6a09_e667,
    0xbb67_ae85,
    0x3c6e_f372,
    0xa54f_f53a,
    0x510e_527f,
    0x9b05_688c,
    0x1f83_d9ab,
    0x5be0_cd19,
];

/// The SHA-256 states after the secret's inner and outer pads.
#[derive(Clone)]
pub(crate) struct Pads {
    pub(crate) inner: [u32; 8],
    pub(crate) outer: [u32; 8],
}

impl Pads {
    /// Pads `secret` (hashed first when longer than a block, as RFC 2104 says) and compresses
    /// both pads.
    pub(crate) fn new(secret: &[u8]) -> Self {
        let mut block = [0u8; BLOCK];
        if secret.len() > BLOCK {
            let digest: [u8; 32] = sha2::Sha256::digest(secret).into();
            for (slot, byte) in block.iter_mut().zip(digest) {
                *slot = byte;
            }
        } else {
            for (slot, &byte) in block.iter_mut().zip(secret) {
                *slot = byte;
            }
        }
        let pad = |with: u8| {
            let mut state = IV;
            let mut padded = block;
            for byte in &mut padded {
                *byte ^= with;
            }
            compress256(&mut state, &[padded]);
            wipe(&mut padded);
            state
        };
        let pads = Self {
            inner: pad(0x36),
            outer: pad(0x5c),
        };
        wipe(&mut block);
        pads
    }

    /// The HMAC of `message`. It is [`Pads::resume`] from the inner state after no blocks,
    /// written out rather than delegated: delegating cost the C ABI's sign-only image 40 bytes
    /// of flash, past its budget (`tests/ffi.rs`).
    pub(crate) fn tag(&self, message: &[u8]) -> [u8; 32] {
        let mut state = self.inner;
        let (blocks, rest) = message.as_chunks::<BLOCK>();
        compress256(&mut state, blocks);
        self.finish(state, message.len(), rest)
    }

    /// The HMAC of `message`, resuming from the state `prefix` remembers after the leading
    /// whole blocks it shares with the last message, and remembering this one's.
    ///
    /// The blocks to remember are compressed one at a time, as the tag needs them anyway, so
    /// a message that shares nothing costs what [`Pads::tag`] does, less a few compares.
    pub(crate) fn tag_prefixed(&self, prefix: &mut Prefix, message: &[u8]) -> [u8; 32] {
        let (blocks, rest) = message.as_chunks::<BLOCK>();
        let matched = prefix.matched(blocks);
        let mut state = prefix.state_after(matched).unwrap_or(self.inner);
        let remembered = blocks.len().min(CACHED_BLOCKS);
        prefix.learn(&mut state, blocks, matched, remembered);
        compress256(&mut state, blocks.get(remembered..).unwrap_or_default());
        self.finish(state, message.len(), rest)
    }

    /// The HMACs of [`LANES`] messages: the leading blocks all four share are compressed
    /// once (and remembered), each lane resumes where `prefix` agrees with it, and the rest
    /// is compressed in lanes side by side where the CPU can, one lane at a time elsewhere.
    pub(crate) fn tags_prefixed(
        &self,
        prefix: &mut Prefix,
        messages: [&[u8]; LANES],
    ) -> [[u8; 32]; LANES] {
        let blocks = messages.map(|m| m.as_chunks::<BLOCK>().0);
        let [first, others @ ..] = blocks;
        let common = first
            .iter()
            .take(CACHED_BLOCKS)
            .enumerate()
            .take_while(|&(i, block)| {
                others
                    .iter()
                    .all(|b| b.get(i).is_some_and(|b| equal(b, block)))
            })
            .count();
        let mut matched = prefix.matched(first);
        if common > matched {
            let mut state = prefix.state_after(matched).unwrap_or(self.inner);
            prefix.learn(&mut state, first, matched, common);
            matched = common;
        }
        // The first lane agrees with what is remembered for `matched` blocks, and the others
        // with the first for `common`: so with what is remembered for at least the fewer.
        let resumed: [usize; LANES] =
            core::array::from_fn(|l| if l == 0 { matched } else { matched.min(common) });
        let starts: [[u32; 8]; LANES] =
            resumed.map(|k| prefix.state_after(k).unwrap_or(self.inner));
        let rests: [&[u8]; LANES] = core::array::from_fn(|l| {
            let skip = resumed.get(l).copied().unwrap_or(0).saturating_mul(BLOCK);
            messages
                .get(l)
                .and_then(|m| m.get(skip..))
                .unwrap_or_default()
        });
        crate::accelerated::hmac_lanes(&starts, resumed, &self.outer, rests).unwrap_or_else(|| {
            core::array::from_fn(|l| {
                let (state, rest) = (starts.get(l), rests.get(l));
                let (Some(&state), Some(&rest)) = (state, rest) else {
                    return [0; 32];
                };
                let done = resumed.get(l).copied().unwrap_or(0).saturating_mul(BLOCK);
                self.resume(state, done, rest)
            })
        })
    }

    /// The HMAC of a message whose first `done` bytes (whole blocks) left the inner hash in
    /// `state`, given the rest.
    fn resume(&self, mut state: [u32; 8], done: usize, rest: &[u8]) -> [u8; 32] {
        let (blocks, tail) = rest.as_chunks::<BLOCK>();
        compress256(&mut state, blocks);
        self.finish(state, done.saturating_add(rest.len()), tail)
    }

    /// The inner hash's padding (after `tail`, the last part block of a `len`-byte message)
    /// and the outer hash. One block of stack serves both.
    fn finish(&self, mut state: [u32; 8], len: usize, tail: &[u8]) -> [u8; 32] {
        // The inner hash covers the pad block too.
        let bits = (len as u64).wrapping_add(BLOCK as u64).wrapping_mul(8);
        // `tail` is under a block; with the 0x80 and the 8-byte length it fits in one block
        // when it is under 56 bytes, else the length goes in a block of its own.
        let mut block = [0u8; BLOCK];
        if let Some(slot) = block.get_mut(..tail.len()) {
            slot.copy_from_slice(tail);
        }
        if let Some(marker) = block.get_mut(tail.len()) {
            *marker = 0x80;
        }
        if tail.len() >= BLOCK - 8 {
            compress256(&mut state, &[block]);
            block = [0u8; BLOCK];
        }
        store_u64(&mut block, bits);
        compress256(&mut state, &[block]);
        // The outer hash: the inner digest, its padding and length.
        let mut block = [0u8; BLOCK];
        for (slot, word) in block.chunks_exact_mut(4).zip(state) {
            slot.copy_from_slice(&word.to_be_bytes());
        }
        if let Some(marker) = block.get_mut(32) {
            *marker = 0x80;
        }
        store_u64(&mut block, OUTER_BITS);
        let mut state = self.outer;
        compress256(&mut state, &[block]);
        let mut tag = [0u8; 32];
        for (slot, word) in tag.chunks_exact_mut(4).zip(state) {
            slot.copy_from_slice(&word.to_be_bytes());
        }
        tag
    }

    /// Wipes both states (the `zeroize` feature calls this on drop).
    #[cfg(feature = "zeroize")]
    pub(crate) fn wipe(&mut self) {
        use zeroize::Zeroize;
        self.inner.zeroize();
        self.outer.zeroize();
    }
}

/// Leading whole blocks of a signing input remembered: at most this many.
const CACHED_BLOCKS: usize = 4;

/// The leading whole blocks of the last signing input, each with the inner hash's state
/// after it: tokens of one API key and permissions share their first two blocks or so.
/// It holds message bytes and states derived from the key, so it is wiped with it.
#[derive(Clone)]
pub(crate) struct Prefix {
    blocks: [[u8; BLOCK]; CACHED_BLOCKS],
    states: [[u32; 8]; CACHED_BLOCKS],
    len: usize,
}

impl Prefix {
    pub(crate) const fn new() -> Self {
        Self {
            blocks: [[0; BLOCK]; CACHED_BLOCKS],
            states: [[0; 8]; CACHED_BLOCKS],
            len: 0,
        }
    }

    /// How many of `blocks` lead with the blocks remembered.
    fn matched(&self, blocks: &[[u8; BLOCK]]) -> usize {
        self.blocks
            .iter()
            .take(self.len)
            .zip(blocks)
            .take_while(|(a, b)| equal(&a[..], &b[..]))
            .count()
    }

    /// The state after `n` remembered blocks; `None` for none.
    fn state_after(&self, n: usize) -> Option<[u32; 8]> {
        self.states.get(n.checked_sub(1)?).copied()
    }

    /// Compresses `blocks[from..to]` into `state` (the state after `from` of them), and
    /// remembers them with the state after each, in place of what was remembered past `from`.
    fn learn(&mut self, state: &mut [u32; 8], blocks: &[[u8; BLOCK]], from: usize, to: usize) {
        let slots = self.blocks.iter_mut().zip(self.states.iter_mut());
        for ((block, (slot, after)), _) in blocks.iter().zip(slots).skip(from).zip(from..to) {
            compress256(state, core::slice::from_ref(block));
            *slot = *block;
            *after = *state;
        }
        self.len = to.min(CACHED_BLOCKS);
    }

    /// Forgets everything (the `zeroize` feature calls this on drop).
    #[cfg(feature = "zeroize")]
    pub(crate) fn wipe(&mut self) {
        use zeroize::Zeroize;
        self.blocks.zeroize();
        self.states.zeroize();
        self.len = 0;
    }
}

/// Whether two byte strings are equal, compared a word at a time in line (a library
/// `memcmp` call costs more than the compare for a block or an API key).
#[inline(always)]
pub(crate) fn equal(a: &[u8], b: &[u8]) -> bool {
    let (a_words, a_tail) = a.as_chunks::<8>();
    let (b_words, b_tail) = b.as_chunks::<8>();
    a.len() == b.len()
        && a_tail == b_tail
        && a_words.iter().zip(b_words).fold(0, |diff, (x, y)| {
            diff | (u64::from_ne_bytes(*x) ^ u64::from_ne_bytes(*y))
        }) == 0
}

/// The message length in bits, big-endian, in a block's last eight bytes.
fn store_u64(block: &mut [u8; BLOCK], bits: u64) {
    if let Some(slot) = block.get_mut(BLOCK - 8..) {
        slot.copy_from_slice(&bits.to_be_bytes());
    }
}

/// Wipes a pad block derived from the secret.
fn wipe(block: &mut [u8; BLOCK]) {
    #[cfg(feature = "zeroize")]
    zeroize::Zeroize::zeroize(block);
    #[cfg(not(feature = "zeroize"))]
    let _ = block;
}

#[cfg(test)]
mod tests {
    use hmac::{Hmac, KeyInit, Mac};
    use sha2::Sha256;

    use super::Pads;

    /// Every message length across the one- and two-padding-block boundaries and several
    /// blocks, with secrets shorter than, as long as and longer than a block.
    #[test]
    fn tags_are_hmacs() {
        let bytes: [u8; 400] = core::array::from_fn(|i| u8::try_from((i * 7 + 3) % 256).unwrap());
        for secret_len in [1, 5, 32, 63, 64, 65, 100, 200] {
            let secret = &bytes[..secret_len];
            let pads = Pads::new(secret);
            for len in 0..=300 {
                let message = &bytes[100..100 + len];
                let mut mac = Hmac::<Sha256>::new_from_slice(secret).unwrap();
                mac.update(message);
                let want: [u8; 32] = mac.finalize().into_bytes().into();
                assert_eq!(
                    pads.tag(message),
                    want,
                    "secret {secret_len}, message {len}"
                );
            }
        }
    }
}
