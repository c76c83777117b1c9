//! Byte stores that cannot panic: every write into a caller's buffer goes through these, so
//! no length check that could panic survives in the compiled code.

/// Writes `value` at `dst[at..at + N]` if it fits.
#[inline(always)]
pub(crate) fn store<const N: usize>(dst: &mut [u8], at: usize, value: [u8; N]) {
    let slot = at
        .checked_add(N)
        .and_then(|end| dst.get_mut(at..end))
        .and_then(|s| <&mut [u8; N]>::try_from(s).ok());
    if let Some(slot) = slot {
        *slot = value;
    }
}

/// Writes the first `len` bytes of `value` at `dst[at..]`, as far as both reach.
#[inline(always)]
pub(crate) fn store_prefix<const N: usize>(dst: &mut [u8], at: usize, value: [u8; N], len: usize) {
    for (slot, byte) in dst.iter_mut().skip(at).zip(value).take(len) {
        *slot = byte;
    }
}
