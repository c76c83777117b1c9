//! JSON string escaping with SSSE3, as `JSON.stringify` escapes: `"` and `\` and the named
//! controls (`\b \f \n \r \t`) become two characters each, 16 bytes at a time.
//!
//! Each 8 bytes with something to escape are spread to up to 16 by one byte shuffle from a
//! table indexed by which of them are escaped (each gains a backslash before it), after the
//! controls among them are swapped for their letters. The other controls (`\u00xx`, six
//! characters each) are left to the caller: the kernel stops before any 8 bytes that hold
//! one.

#[cfg(target_arch = "x86_64")]
cpufeatures::new!(ssse3_cpuid, "ssse3");

/// Whether the kernel runs on this CPU (detected once, then cached).
#[must_use]
pub fn accelerated() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        ssse3_cpuid::get()
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// Escapes a prefix of `src` into the front of `dst`: whole blocks of 16 bytes while a
/// block and 32 bytes of room remain, stopping before 8 bytes that hold a control escaped as
/// `\u00xx`. Returns the bytes read and written (0 and 0 without SSSE3); the caller escapes
/// the rest. Writes past the returned length within the room are not meaningful.
#[must_use]
pub fn escape(src: &[u8], dst: &mut [u8]) -> (usize, usize) {
    #[cfg(target_arch = "x86_64")]
    if ssse3_cpuid::get() {
        // SAFETY: the CPU has SSSE3 (checked just now); `src` and `dst` are distinct
        // borrows, each read or written only within its length.
        return unsafe { x86::escape(src.as_ptr(), src.len(), dst.as_mut_ptr(), dst.len()) };
    }
    let _ = (src, dst);
    (0, 0)
}

/// For each mask of escaped bytes among 8, the shuffle that spreads them: each escaped byte
/// is preceded by index 8 (where the caller puts a backslash), and unused lanes are zeroed.
#[cfg(target_arch = "x86_64")]
static SPREAD: [[u8; 16]; 256] = {
    let mut table = [[0x80u8; 16]; 256];
    let mut mask = 0usize;
    while mask < 256 {
        let mut out = 0;
        let mut i = 0u8;
        while i < 8 {
            if mask & (1 << i) != 0 {
                table[mask][out] = 8;
                out += 1;
            }
            table[mask][out] = i;
            out += 1;
            i += 1;
        }
        mask += 1;
    }
    table
};

#[cfg(target_arch = "x86_64")]
mod x86 {
    use core::arch::x86_64::{
        __m128i, _mm_and_si128, _mm_andnot_si128, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_max_epu8,
        _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8, _mm_setr_epi8, _mm_setzero_si128,
        _mm_shuffle_epi8, _mm_srli_si128, _mm_storeu_si128, _mm_unpacklo_epi64,
    };

    use super::SPREAD;

    /// Spreads the low 8 bytes of `letters` by `mask` (their escaped bytes) into `dst`;
    /// returns the bytes written.
    ///
    /// # Safety
    /// `dst` must be writable for 16 bytes.
    #[inline]
    #[target_feature(enable = "ssse3")]
    unsafe fn spread(letters: __m128i, mask: u32, dst: *mut u8) -> usize {
        let with_backslash = _mm_unpacklo_epi64(letters, _mm_set1_epi8(b'\\'.cast_signed()));
        let index = (mask & 0xff) as usize;
        // SAFETY: `index` is below 256, so the row exists; the store is within `dst`'s 16.
        unsafe {
            let shuffle = _mm_loadu_si128(SPREAD.as_ptr().add(index).cast());
            _mm_storeu_si128(dst.cast(), _mm_shuffle_epi8(with_backslash, shuffle));
        }
        8 + (mask & 0xff).count_ones() as usize
    }

    /// # Safety
    /// The CPU must have SSSE3; `src` is readable for `n` bytes and `dst` writable for
    /// `room`, and they do not overlap.
    #[target_feature(enable = "ssse3")]
    pub(super) unsafe fn escape(
        src: *const u8,
        n: usize,
        dst: *mut u8,
        room: usize,
    ) -> (usize, usize) {
        // The letter of each named control by its value (0 for the others).
        let names = _mm_setr_epi8(0, 0, 0, 0, 0, 0, 0, 0, 98, 116, 110, 0, 102, 114, 0, 0);
        let (mut read, mut written) = (0usize, 0usize);
        while read + 16 <= n && written + 32 <= room {
            // SAFETY: [read, read + 16) is inside `src` (the loop condition).
            let bytes = unsafe { _mm_loadu_si128(src.add(read).cast()) };
            // Unsigned `byte <= 0x1f`.
            let control = _mm_cmpeq_epi8(
                _mm_max_epu8(bytes, _mm_set1_epi8(0x1f)),
                _mm_set1_epi8(0x1f),
            );
            let quote = _mm_cmpeq_epi8(bytes, _mm_set1_epi8(b'"'.cast_signed()));
            let backslash = _mm_cmpeq_epi8(bytes, _mm_set1_epi8(b'\\'.cast_signed()));
            let escaped = _mm_or_si128(control, _mm_or_si128(quote, backslash));
            let mask = _mm_movemask_epi8(escaped).cast_unsigned();
            if mask == 0 {
                // SAFETY: [written, written + 16) is inside `dst` (the loop condition).
                unsafe { _mm_storeu_si128(dst.add(written).cast(), bytes) };
                read += 16;
                written += 16;
                continue;
            }
            // Controls from 0x10 index the table by their low four bits; keep only those
            // below 0x10, whose letters are the table's.
            let low = _mm_cmpeq_epi8(
                _mm_max_epu8(bytes, _mm_set1_epi8(0x0f)),
                _mm_set1_epi8(0x0f),
            );
            let named = _mm_and_si128(_mm_shuffle_epi8(names, bytes), low);
            let unnamed = _mm_and_si128(control, _mm_cmpeq_epi8(named, _mm_setzero_si128()));
            let letters = _mm_or_si128(_mm_andnot_si128(control, bytes), named);
            let stop = _mm_movemask_epi8(unnamed).cast_unsigned();
            if stop & 0xff != 0 {
                break;
            }
            // SAFETY: `written + 16 <= room` (the loop condition).
            written += unsafe { spread(letters, mask, dst.add(written)) };
            read += 8;
            if stop != 0 {
                break;
            }
            // SAFETY: the first half wrote at most 16, so 16 more are within the 32 checked.
            written += unsafe { spread(_mm_srli_si128::<8>(letters), mask >> 8, dst.add(written)) };
            read += 8;
        }
        (read, written)
    }
}

#[cfg(test)]
mod tests {
    extern crate alloc;
    extern crate std;

    use alloc::vec;
    use alloc::vec::Vec;

    use proptest::prelude::*;

    use super::*;

    /// `JSON.stringify`'s escaping of one byte (UTF-8 passes through).
    fn escaped(bytes: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        for &b in bytes {
            match b {
                b'"' => out.extend_from_slice(b"\\\""),
                b'\\' => out.extend_from_slice(b"\\\\"),
                0x08 => out.extend_from_slice(b"\\b"),
                0x0c => out.extend_from_slice(b"\\f"),
                b'\n' => out.extend_from_slice(b"\\n"),
                b'\r' => out.extend_from_slice(b"\\r"),
                b'\t' => out.extend_from_slice(b"\\t"),
                0..0x20 => out.extend_from_slice(std::format!("\\u{b:04x}").as_bytes()),
                _ => out.push(b),
            }
        }
        out
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(5000))]

        /// The prefix escaped is `JSON.stringify`'s escaping of the bytes read, whatever the
        /// bytes and the room.
        #[test]
        fn escapes_like_json_stringify(
            text in "[a-z \"\\\\/\u{0}-\u{1f}\u{7f}é😀\u{2028}]{0,100}",
            room in 0usize..700,
        ) {
            let src = text.as_bytes();
            let mut dst = vec![0u8; room];
            let (read, written) = escape(src, &mut dst);
            prop_assert!(read <= src.len());
            prop_assert_eq!(&dst[..written], &escaped(&src[..read])[..]);
            if accelerated() && room >= 6 * src.len() + 32 && src.len() >= 16
                && !src[..16].iter().any(|&b| b < 0x20 && !b"\x08\x09\x0a\x0c\x0d".contains(&b))
            {
                prop_assert!(read >= 16, "did nothing");
            }
        }
    }

    /// Every byte in every position of a block.
    #[test]
    fn every_byte_in_every_position() {
        for position in 0..16 {
            for byte in 0..=255u8 {
                let mut src = *b"abcdefghijklmnopqrstuvwxyz012345";
                src[position] = byte;
                let mut dst = [0u8; 128];
                let (read, written) = escape(&src, &mut dst);
                assert_eq!(
                    &dst[..written],
                    &escaped(&src[..read])[..],
                    "{byte:#x} at {position}"
                );
            }
        }
    }
}
