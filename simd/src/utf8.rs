//! UTF-8 validation by simdutf8's AVX2 kernel where the CPU has AVX2 (detected once, then
//! cached), and by `core::str::from_utf8` elsewhere.

/// The bytes as text if they are UTF-8, as `core::str::from_utf8(bytes).ok()` answers.
#[must_use]
#[inline]
pub fn from_utf8(bytes: &[u8]) -> Option<&str> {
    #[cfg(target_arch = "x86_64")]
    if crate::base64url::accelerated() {
        // SAFETY: the CPU has AVX2, all this kernel needs.
        let valid = unsafe { simdutf8::basic::imp::x86::avx2::validate_utf8(bytes) }.is_ok();
        // SAFETY: simdutf8 just found the bytes to be UTF-8.
        return valid.then(|| unsafe { core::str::from_utf8_unchecked(bytes) });
    }
    core::str::from_utf8(bytes).ok()
}

/// The bytes as text if they are all ASCII (as a token is), checked 32 bytes at a time with
/// AVX2; `None` for anything else, UTF-8 or not, which the caller then checks.
#[must_use]
#[inline]
pub fn ascii(bytes: &[u8]) -> Option<&str> {
    #[cfg(target_arch = "x86_64")]
    if crate::base64url::accelerated() {
        // SAFETY: the CPU has AVX2.
        let ascii = unsafe { x86::is_ascii(bytes) };
        // SAFETY: ASCII is UTF-8.
        return ascii.then(|| unsafe { core::str::from_utf8_unchecked(bytes) });
    }
    if bytes.is_ascii() {
        core::str::from_utf8(bytes).ok()
    } else {
        None
    }
}

/// # Safety
/// The CPU must have AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
pub(crate) unsafe fn x86_is_ascii(bytes: &[u8]) -> bool {
    // SAFETY: the caller's.
    unsafe { x86::is_ascii(bytes) }
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use core::arch::x86_64::{
        __m256i, _mm256_loadu_si256, _mm256_movemask_epi8, _mm256_or_si256, _mm256_setzero_si256,
    };

    /// # Safety
    /// The CPU must have AVX2.
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn is_ascii(bytes: &[u8]) -> bool {
        let (blocks, tail) = bytes.as_chunks::<32>();
        let mut high = _mm256_setzero_si256();
        for block in blocks {
            // SAFETY: the load reads the 32 bytes of `block`.
            let v = unsafe { _mm256_loadu_si256(block.as_ptr().cast::<__m256i>()) };
            high = _mm256_or_si256(high, v);
        }
        _mm256_movemask_epi8(high) == 0 && tail.is_ascii()
    }
}

#[cfg(test)]
mod tests {
    extern crate alloc;

    use alloc::vec::Vec;

    use proptest::prelude::*;

    use super::{ascii, from_utf8};

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(5000))]

        /// Text, text with a byte changed anywhere, and random bytes: the same verdict as
        /// `core::str::from_utf8`, and the same text.
        #[test]
        fn agrees_with_core(
            text in "\\PC{0,200}",
            flaw in proptest::option::of((any::<prop::sample::Index>(), any::<u8>())),
            noise in proptest::collection::vec(any::<u8>(), 0..300),
        ) {
            let mut bytes: Vec<u8> = text.into_bytes();
            if let (Some((at, byte)), false) = (flaw, bytes.is_empty()) {
                let at = at.index(bytes.len());
                bytes[at] = byte;
            }
            for input in [&bytes[..], &noise[..]] {
                prop_assert_eq!(from_utf8(input), core::str::from_utf8(input).ok());
                let want = input.is_ascii().then(|| core::str::from_utf8(input).ok()).flatten();
                prop_assert_eq!(ascii(input), want);
            }
            let plain: Vec<u8> = noise.iter().map(|b| b & 0x7f).collect();
            prop_assert_eq!(ascii(&plain), core::str::from_utf8(&plain).ok());
        }
    }
}
