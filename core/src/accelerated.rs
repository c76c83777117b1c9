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

/// The token after writing a dot and `mac`'s characters after the signing input
/// `out[..at]`, if a kernel did it all (the `simd` feature, on a CPU with AVX2); `out` given
/// back, with nothing written, otherwise.
#[inline(always)]
pub(crate) fn seal<'o>(
    out: &'o mut [u8],
    at: usize,
    mac: &[u8; 32],
) -> Result<&'o str, &'o mut [u8]> {
    #[cfg(feature = "simd")]
    {
        videosdk_token_simd::base64url::seal(out, at, mac)
    }
    #[cfg(not(feature = "simd"))]
    {
        let _ = (at, mac);
        Err(out)
    }
}

/// The `simd` feature's one-pass kernel: encodes the `n` bytes of JSON at `buf[head +
/// from..]` in place after the `head` bytes of the header, and returns the MAC of the signing
/// input so made; `None`, with nothing written, where it cannot (no AVX2 and SHA-NI, or the
/// JSON too close to where its encoding goes).
#[cfg(feature = "simd")]
#[inline(always)]
pub(crate) fn encode_and_mac(
    buf: &mut [u8],
    head: usize,
    from: usize,
    n: usize,
    inner: &[u32; 8],
    outer: &[u32; 8],
) -> Option<[u8; 32]> {
    videosdk_token_simd::token::encode_and_mac(buf, head, from, n, inner, outer)
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

/// HMACs of [`LANES`](crate::LANES) messages with their compressions interleaved (SHA-NI),
/// each lane's inner hash resumed from `starts` after that many whole `blocks`, given the
/// rest of its message; or `None` where the CPU (or the build) has no such thing.
#[inline(always)]
pub(crate) fn hmac_lanes(
    starts: &[[u32; 8]; crate::LANES],
    blocks: [usize; crate::LANES],
    outer: &[u32; 8],
    rests: [&[u8]; crate::LANES],
) -> Option<[[u8; 32]; crate::LANES]> {
    #[cfg(feature = "simd")]
    {
        use videosdk_token_simd::lanes::{Resume, hmac_resumed};
        let [a, b, c, d] = starts;
        let resume = |state, n: usize| Resume::new(state, n as u64);
        let [w, x, y, z] = blocks;
        hmac_resumed(
            [resume(a, w), resume(b, x), resume(c, y), resume(d, z)],
            outer,
            rests,
        )
    }
    #[cfg(not(feature = "simd"))]
    {
        let _ = (starts, blocks, outer, rests);
        None
    }
}

/// JSON-escapes a prefix of `src` into `dst`, returning the bytes read and written (nothing
/// without the `simd` feature or the instructions it needs). Used by the writer's 64-bit
/// path only.
#[cfg(target_pointer_width = "64")]
#[inline(always)]
pub(crate) fn escape(src: &[u8], dst: &mut [u8]) -> (usize, usize) {
    #[cfg(feature = "simd")]
    {
        let (read, written) = videosdk_token_simd::json::escape(src, dst);
        if read <= src.len() && written <= dst.len() {
            (read, written)
        } else {
            (0, 0)
        }
    }
    #[cfg(not(feature = "simd"))]
    {
        let _ = (src, dst);
        (0, 0)
    }
}

/// Unescapes a prefix of a JSON string's content in place, from `read` (its decoded text so
/// far ending at `write`), returning the new `read` and `write` (the same without the `simd`
/// feature or the instructions it needs). Used by the reader's 64-bit path only.
#[cfg(target_pointer_width = "64")]
#[inline(always)]
pub(crate) fn unescape_in_place(buf: &mut [u8], read: usize, write: usize) -> (usize, usize) {
    #[cfg(feature = "simd")]
    {
        let (r, w) = videosdk_token_simd::json::unescape_in_place(buf, read, write);
        if r >= read && r <= buf.len() && w >= write && w.abs_diff(write) <= r.abs_diff(read) {
            (r, w)
        } else {
            (read, write)
        }
    }
    #[cfg(not(feature = "simd"))]
    {
        let _ = buf;
        (read, write)
    }
}

/// The bytes as text if they are UTF-8, expected to be ASCII (a token): with the `simd`
/// feature checked as ASCII with AVX2 first, and as UTF-8 only if that fails.
#[inline(always)]
pub(crate) fn ascii_or_utf8(bytes: &[u8]) -> Option<&str> {
    #[cfg(feature = "simd")]
    if let Some(text) = videosdk_token_simd::utf8::ascii(bytes) {
        return Some(text);
    }
    core::str::from_utf8(bytes).ok()
}

/// Where the first `byte` is in `bytes`: with the `simd` feature memchr's SSE2 search, else
/// a byte at a time.
#[inline(always)]
pub(crate) fn first(byte: u8, bytes: &[u8]) -> Option<usize> {
    #[cfg(feature = "simd")]
    {
        memchr::memchr(byte, bytes)
    }
    #[cfg(not(feature = "simd"))]
    {
        bytes.iter().position(|&b| b == byte)
    }
}

/// Where the last `byte` is in `bytes`, as [`first`] searches.
#[inline(always)]
pub(crate) fn last(byte: u8, bytes: &[u8]) -> Option<usize> {
    #[cfg(feature = "simd")]
    {
        memchr::memrchr(byte, bytes)
    }
    #[cfg(not(feature = "simd"))]
    {
        bytes.iter().rposition(|&b| b == byte)
    }
}
