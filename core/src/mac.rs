//! The key and its MAC: HMAC-SHA256 (RFC 2104) on SHA-256's compression function. The
//! secret's inner and outer pads are compressed once, when the [`Key`] is made, and a tag is
//! then the message's blocks from a copy of the inner state, one or two padding blocks built
//! on the stack, and one outer block.
//!
//! Written here rather than taken from `hmac` because a token's MAC is most of the cost of
//! signing it: cloning `hmac`'s keyed state copies its block buffers, and its update and
//! finalisation move the message through them, which cost a short token a third as much
//! again as the compressions themselves (`benches/shapes.rs`, where the floor is `hmac`).
//! `sha2` does every compression (with SHA-NI where the CPU has it, chosen by `sha2`); the
//! tests compare every tag with `hmac`'s.

use core::fmt;

use sha2::Digest;
use sha2::block_api::compress256;

use crate::Error;

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

/// The account's secret, keyed into HMAC-SHA256 once: it signs tokens
/// ([`sign`](crate::sign)) and checks them ([`verify`](crate::verify)), cloning the keyed
/// state for each.
///
/// Its `Debug` output never shows key material.
#[derive(Clone)]
pub struct Key {
    pads: Pads,
}

impl Key {
    /// Keys HMAC-SHA256 with the secret's bytes (for a text secret, its UTF-8 bytes, as Node's
    /// `jsonwebtoken` uses a string secret).
    ///
    /// # Errors
    /// [`Error::EmptySecret`] when `secret` is empty.
    pub fn new(secret: &[u8]) -> Result<Self, Error> {
        if secret.is_empty() {
            return Err(Error::EmptySecret);
        }
        Ok(Self {
            pads: Pads::new(secret),
        })
    }

    /// The HMAC of `message`, from the keyed state.
    pub(crate) fn tag(&self, message: &[u8]) -> [u8; 32] {
        self.pads.tag(message)
    }

    /// Checks `tag` against the HMAC of `message` in constant time.
    pub(crate) fn verify_tag(&self, message: &[u8], tag: &[u8; 32]) -> bool {
        use ctutils::CtEq;
        self.pads.tag(message).ct_eq(tag).to_bool()
    }
}

// With the `zeroize` feature, the two SHA-256 states keyed from the secret (HMAC's inner and
// outer pads, all that is kept of it) are wiped when the key is dropped.
#[cfg(feature = "zeroize")]
impl Drop for Key {
    fn drop(&mut self) {
        self.pads.wipe();
    }
}

#[cfg(feature = "zeroize")]
impl zeroize::ZeroizeOnDrop for Key {}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Key { ... }")
    }
}

/// The SHA-256 states after the secret's inner and outer pads.
#[derive(Clone)]
struct Pads {
    inner: [u32; 8],
    outer: [u32; 8],
}

impl Pads {
    /// Pads `secret` (hashed first when longer than a block, as RFC 2104 says) and compresses
    /// both pads.
    fn new(secret: &[u8]) -> Self {
        let mut block = [0u8; BLOCK];
        if secret.len() > BLOCK {
            // The digest stands in for the secret: wiped like the pads.
            let mut digest: [u8; 32] = sha2::Sha256::digest(secret).into();
            for (slot, byte) in block.iter_mut().zip(digest) {
                *slot = byte;
            }
            wipe(&mut digest);
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

    /// The HMAC of `message`.
    fn tag(&self, message: &[u8]) -> [u8; 32] {
        let mut state = self.inner;
        let (blocks, rest) = message.as_chunks::<BLOCK>();
        compress256(&mut state, blocks);
        self.finish(state, message.len(), rest)
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
    fn wipe(&mut self) {
        use zeroize::Zeroize;
        self.inner.zeroize();
        self.outer.zeroize();
    }
}

/// The message length in bits, big-endian, in a block's last eight bytes.
fn store_u64(block: &mut [u8; BLOCK], bits: u64) {
    if let Some(slot) = block.get_mut(BLOCK - 8..) {
        slot.copy_from_slice(&bits.to_be_bytes());
    }
}

/// Wipes a block derived from the secret (with the `zeroize` feature).
fn wipe<const N: usize>(block: &mut [u8; N]) {
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
