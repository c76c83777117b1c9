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

#[cfg(test)]
mod tests {
    extern crate alloc;

    use alloc::vec::Vec;

    use proptest::prelude::*;

    use super::from_utf8;

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
            }
        }
    }
}
