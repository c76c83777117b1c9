//! The one accelerated step, base64url, from `videosdk-token-simd` with the `simd` feature
//! (chosen at run time), or nothing: each hook returns how much it did, always a whole
//! number of groups, and the portable code in `base64url` does the rest.

/// Input bytes encoded in place at the front of `buf`: a multiple of 3, at most `n`.
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

/// Characters of `src` decoded into the front of `dst` (a multiple of 4), and whether all of
/// them were in the alphabet.
#[inline(always)]
pub(crate) fn decode(src: &[u8], dst: &mut [u8]) -> (usize, bool) {
    #[cfg(feature = "simd")]
    {
        videosdk_token_simd::base64url::decode(src, dst)
    }
    #[cfg(not(feature = "simd"))]
    {
        let _ = (src, dst);
        (0, true)
    }
}

/// [`decode`] with the characters and the bytes in one buffer.
#[inline(always)]
pub(crate) fn decode_in_place(buf: &mut [u8]) -> (usize, bool) {
    #[cfg(feature = "simd")]
    {
        videosdk_token_simd::base64url::decode_in_place(buf)
    }
    #[cfg(not(feature = "simd"))]
    {
        let _ = buf;
        (0, true)
    }
}
