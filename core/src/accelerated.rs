//! The `simd` feature's kernels from `videosdk-token-simd` (chosen at run time), or the
//! portable code alone: each base64url hook returns how much it did, always a whole number of
//! groups, and the portable code does the rest.

#[cfg(feature = "simd")]
pub(crate) use videosdk_token_simd::base64url::{decode, decode_in_place};

/// Input bytes encoded in place: a multiple of 3, at most `n`.
#[inline(always)]
pub(crate) fn encode_in_place(buf: &mut [u8], from: usize, n: usize) -> usize {
    #[cfg(feature = "simd")]
    {
        let done = videosdk_token_simd::base64url::encode_in_place(buf, from, n);
        if done <= n && done.is_multiple_of(3) {
            done
        } else {
            0
        }
    }
    #[cfg(not(feature = "simd"))]
    {
        let _ = (buf, from, n);
        0
    }
}

#[cfg(not(feature = "simd"))]
#[inline(always)]
pub(crate) fn decode(_: &[u8], _: &mut [u8]) -> (usize, bool) {
    (0, true)
}

#[cfg(not(feature = "simd"))]
#[inline(always)]
pub(crate) fn decode_in_place(_: &mut [u8]) -> (usize, bool) {
    (0, true)
}

/// The bytes as text if they are UTF-8: `core::str::from_utf8`, or with the `simd` feature
/// simdutf8's AVX2 validator where the CPU has AVX2.
#[inline(always)]
pub(crate) fn utf8(bytes: &[u8]) -> Option<&str> {
    #[cfg(feature = "simd")]
    {
        videosdk_token_simd::utf8::from_utf8(bytes)
    }
    #[cfg(not(feature = "simd"))]
    {
        core::str::from_utf8(bytes).ok()
    }
}
