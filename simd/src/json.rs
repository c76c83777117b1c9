//! JSON strings with SSSE3, 16 bytes at a time: escaping as `JSON.stringify` escapes, and
//! unescaping in place.
//!
//! - [`escape`]: `"` and `\` and the named controls (`\b \f \n \r \t`) become two
//!   characters each. Each 8 bytes with something to escape are spread to up to 16 by one
//!   byte shuffle from a table indexed by which of them are escaped (each gains a backslash
//!   before it), after the controls among them are swapped for their letters. The other
//!   controls (`\u00xx`, six characters each) are left to the caller: the kernel stops before
//!   any 8 bytes that hold one.
//! - [`unescape_in_place`]: the inverse for the two-character escapes. Each 8 bytes are
//!   packed by one byte shuffle from a table indexed by which of them are kept (every
//!   escape's backslash is dropped), after the letters of named controls are swapped for the
//!   controls. `\uXXXX` escapes, the closing quote and anything invalid are left to the
//!   caller: the kernel stops before any 16 bytes that hold one.

#[cfg(target_arch = "x86_64")]
cpufeatures::new!(ssse3_popcnt_cpuid, "ssse3", "popcnt");

/// Whether both kernels run on this CPU (detected once, then cached): they need SSSE3 and
/// POPCNT (which counts the bytes each escape adds or drops).
#[must_use]
pub fn accelerated() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        ssse3_popcnt_cpuid::get()
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// Escapes a prefix of `src` into the front of `dst`: whole blocks of 16 bytes while a
/// block and 32 bytes of room remain, stopping before 8 bytes that hold a control escaped as
/// `\u00xx`. Returns the bytes read and written (0 and 0 without SSSE3 and POPCNT); the
/// caller escapes the rest. Writes past the returned length within the room are not
/// meaningful.
#[must_use]
pub fn escape(src: &[u8], dst: &mut [u8]) -> (usize, usize) {
    #[cfg(target_arch = "x86_64")]
    if ssse3_popcnt_cpuid::get() {
        // SAFETY: the CPU has SSSE3 and POPCNT (checked just now); `src` and `dst` are distinct
        // borrows, each read or written only within its length.
        return unsafe { x86::escape(src.as_ptr(), src.len(), dst.as_mut_ptr(), dst.len()) };
    }
    let _ = (src, dst);
    (0, 0)
}

/// Unescapes whole blocks of 16 bytes of a JSON string's content in place: the text continues
/// at `buf[read..]`, and its decoded text so far ends at `buf[write]` (`write <= read`).
///
/// A block is done only if every escape in it is whole and two characters long (`\"`, `\\`,
/// `\/`, `\b`, `\f`, `\n`, `\r`, `\t`) and it holds no other quote and no control character;
/// the kernel stops before the first block that is not (or when fewer than 16 bytes remain).
/// Returns the new `(read, write)`: the bytes from the old `write` to the new are the
/// unescaping of those from the old `read` to the new. Bytes from the new `write` up to the
/// new `read` are not meaningful; nothing at or after the new `read` is changed. Without
/// SSSE3, or if `write > read` or `read > buf.len()`, it returns its arguments.
#[must_use]
pub fn unescape_in_place(buf: &mut [u8], read: usize, write: usize) -> (usize, usize) {
    #[cfg(target_arch = "x86_64")]
    if ssse3_popcnt_cpuid::get() && write <= read && read <= buf.len() {
        // SAFETY: the CPU has SSSE3 and POPCNT (checked just now), and `write <= read <= buf.len()`.
        return unsafe { x86::unescape(buf.as_mut_ptr(), buf.len(), read, write) };
    }
    let _ = buf;
    (read, write)
}

/// For each mask of kept bytes among 8, the shuffle that packs them to the front (unused
/// lanes are zeroed).
#[cfg(target_arch = "x86_64")]
static PACK: [[u8; 8]; 256] = {
    let mut table = [[0x80u8; 8]; 256];
    let mut mask = 0usize;
    while mask < 256 {
        let mut out = 0;
        let mut i = 0u8;
        while i < 8 {
            if mask & (1 << i) != 0 {
                table[mask][out] = i;
                out += 1;
            }
            i += 1;
        }
        mask += 1;
    }
    table
};

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
        __m128i, _mm_and_si128, _mm_andnot_si128, _mm_cmpeq_epi8, _mm_cvtsi32_si128,
        _mm_loadl_epi64, _mm_loadu_si128, _mm_max_epu8, _mm_movemask_epi8, _mm_or_si128,
        _mm_set1_epi8, _mm_setr_epi8, _mm_setzero_si128, _mm_shuffle_epi8, _mm_srli_si128,
        _mm_storel_epi64, _mm_storeu_si128, _mm_unpacklo_epi64,
    };

    use super::{PACK, SPREAD};

    /// Spreads the low 8 bytes of `letters` by `mask` (their escaped bytes) into `dst`;
    /// returns the bytes written.
    ///
    /// # Safety
    /// `dst` must be writable for 16 bytes.
    #[inline]
    #[target_feature(enable = "ssse3,popcnt")]
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
    /// The CPU must have SSSE3 and POPCNT; `src` is readable for `n` bytes and `dst`
    /// writable for `room`, and they do not overlap.
    #[target_feature(enable = "ssse3,popcnt")]
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

    /// Packs the low 8 bytes of `bytes` by `keep` (a mask of the bytes to keep) to `dst`;
    /// returns the bytes kept.
    ///
    /// # Safety
    /// `dst` must be writable for 8 bytes.
    #[inline]
    #[target_feature(enable = "ssse3,popcnt")]
    unsafe fn pack(bytes: __m128i, keep: u32, dst: *mut u8) -> usize {
        let index = (keep & 0xff) as usize;
        // SAFETY: `index` is below 256, so the row exists (8 bytes, read as the low half);
        // the store is within `dst`'s 8.
        unsafe {
            let shuffle = _mm_loadl_epi64(PACK.as_ptr().add(index).cast());
            _mm_storel_epi64(dst.cast(), _mm_shuffle_epi8(bytes, shuffle));
        }
        (keep & 0xff).count_ones() as usize
    }

    /// The first byte of each escape among the backslashes `marks` of a block (a 16-bit
    /// mask): a backslash escapes the byte after it, so of a run of them every other one
    /// starts an escape, counting from the run's first. Adding a run's first bit to the
    /// marks carries through the run, clearing it: so the runs that start on an even bit are
    /// the marks the sum no longer has.
    #[inline]
    pub(super) fn escape_starts(marks: u32) -> u32 {
        const EVEN: u32 = 0x5555;
        let firsts = marks & !(marks << 1);
        let sum = marks + (firsts & EVEN);
        let from_even = marks & !sum;
        let from_odd = marks & sum;
        (from_even & EVEN) | (from_odd & !EVEN)
    }

    /// The block with the letters of escaped named controls (`\\b \\f \\n \\r \\t`) swapped
    /// for the controls, or `None` if a byte at `escaped` is not one of those letters, a
    /// quote, a backslash or a solidus (so `\\u` or an invalid escape).
    #[inline]
    #[target_feature(enable = "ssse3")]
    fn named(bytes: __m128i, escaped: u32, quote: __m128i, backslash: __m128i) -> Option<__m128i> {
        let splat = |byte: u8| _mm_set1_epi8(byte.cast_signed());
        let is = |byte: u8| _mm_cmpeq_epi8(bytes, splat(byte));
        let (b, f, n, r, t) = (is(b'b'), is(b'f'), is(b'n'), is(b'r'), is(b't'));
        let letter = _mm_or_si128(_mm_or_si128(b, f), _mm_or_si128(_mm_or_si128(n, r), t));
        let simple = _mm_or_si128(
            _mm_or_si128(quote, backslash),
            _mm_or_si128(is(b'/'), letter),
        );
        if escaped & !_mm_movemask_epi8(simple).cast_unsigned() != 0 {
            return None;
        }
        let controls = _mm_or_si128(
            _mm_or_si128(_mm_and_si128(b, splat(0x08)), _mm_and_si128(f, splat(0x0c))),
            _mm_or_si128(
                _mm_or_si128(
                    _mm_and_si128(n, splat(b'\n')),
                    _mm_and_si128(r, splat(b'\r')),
                ),
                _mm_and_si128(t, splat(b'\t')),
            ),
        );
        // Bit i of `escaped` spread to byte i (0xff where set).
        let bits = _mm_setr_epi8(1, 2, 4, 8, 16, 32, 64, -128, 1, 2, 4, 8, 16, 32, 64, -128);
        let halves = _mm_setr_epi8(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1);
        let spread = _mm_shuffle_epi8(_mm_cvtsi32_si128(escaped.cast_signed()), halves);
        let at = _mm_cmpeq_epi8(_mm_and_si128(spread, bits), bits);
        let swap = _mm_and_si128(letter, at);
        Some(_mm_or_si128(
            _mm_andnot_si128(swap, bytes),
            _mm_and_si128(swap, controls),
        ))
    }

    /// # Safety
    /// The CPU must have SSSE3 and POPCNT; `buf` is writable for `len` bytes, and
    /// `write <= read <= len`.
    #[target_feature(enable = "ssse3,popcnt")]
    pub(super) unsafe fn unescape(
        buf: *mut u8,
        len: usize,
        mut read: usize,
        mut write: usize,
    ) -> (usize, usize) {
        let splat = |byte: u8| _mm_set1_epi8(byte.cast_signed());
        while read + 16 <= len {
            // SAFETY: [read, read + 16) is inside the buffer (the loop condition).
            let bytes = unsafe { _mm_loadu_si128(buf.add(read).cast()) };
            let quote = _mm_cmpeq_epi8(bytes, splat(b'"'));
            let backslash = _mm_cmpeq_epi8(bytes, splat(b'\\'));
            // Unsigned `byte <= 0x1f`.
            let control = _mm_cmpeq_epi8(_mm_max_epu8(bytes, splat(0x1f)), splat(0x1f));
            let marks = _mm_movemask_epi8(backslash).cast_unsigned();
            if marks == 0 {
                if _mm_movemask_epi8(_mm_or_si128(quote, control)) != 0 {
                    break;
                }
                // SAFETY: `write <= read`, so [write, write + 16) is inside the buffer and
                // holds only bytes already read.
                unsafe { _mm_storeu_si128(buf.add(write).cast(), bytes) };
                read += 16;
                write += 16;
                continue;
            }
            let starts = escape_starts(marks);
            let escaped = starts << 1;
            let quotes = _mm_movemask_epi8(quote).cast_unsigned();
            let stop =
                escaped >> 16 | (quotes & !escaped) | _mm_movemask_epi8(control).cast_unsigned();
            if stop != 0 {
                break;
            }
            // Escaped quotes and backslashes stay as they are: most escapes are those.
            let decoded = if escaped & !(quotes | marks) == 0 {
                bytes
            } else {
                let Some(decoded) = named(bytes, escaped, quote, backslash) else {
                    break;
                };
                decoded
            };
            let keep = !starts & 0xffff;
            // SAFETY: each half writes at most 8 bytes at or below `read` plus its offset in
            // the block, so within the block already read (`write <= read`).
            unsafe {
                let low = pack(decoded, keep, buf.add(write));
                let high = pack(
                    _mm_srli_si128::<8>(decoded),
                    keep >> 8,
                    buf.add(write + low),
                );
                write += low + high;
            }
            read += 16;
        }
        (read, write)
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

    /// JSON string content unescaped, for content with no `\\u` escape, quote or control
    /// (all the kernel may consume); `None` for anything else.
    fn unescaped(text: &[u8]) -> Option<Vec<u8>> {
        let mut out = Vec::new();
        let mut bytes = text.iter();
        while let Some(&b) = bytes.next() {
            match b {
                b'\\' => out.push(match bytes.next()? {
                    b'"' => b'"',
                    b'\\' => b'\\',
                    b'/' => b'/',
                    b'b' => 0x08,
                    b'f' => 0x0c,
                    b'n' => b'\n',
                    b'r' => b'\r',
                    b't' => b'\t',
                    _ => return None,
                }),
                b'"' | 0..0x20 => return None,
                _ => out.push(b),
            }
        }
        Some(out)
    }

    /// Runs the kernel on `text` placed `gap` bytes after `write`, and checks what it did
    /// against [`unescaped`]; returns the bytes it read.
    fn check_unescape(text: &[u8], write: usize, gap: usize) -> usize {
        let mut buf = vec![0xa5u8; write + gap];
        buf.extend_from_slice(text);
        let before = buf.clone();
        let read = write + gap;
        let (new_read, new_write) = unescape_in_place(&mut buf, read, write);
        assert!(
            new_read >= read && new_read <= buf.len(),
            "read {read} -> {new_read}"
        );
        assert_eq!((new_read - read) % 16, 0);
        let want = unescaped(&before[read..new_read]).expect("consumed only what it may");
        assert_eq!(new_write - write, want.len());
        assert_eq!(&buf[write..new_write], &want[..]);
        assert_eq!(
            &buf[new_read..],
            &before[new_read..],
            "changed bytes not yet read"
        );
        new_read - read
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(5000))]

        /// The prefix unescaped is the unescaping of the bytes read, for any text (escaped
        /// as JSON, with escapes of every form, or not) and any gap between write and read.
        #[test]
        fn unescapes_json_strings(
            text in "[a-z \"\\\\/\u{0}-\u{1f}é😀]{0,120}",
            escape_all in any::<bool>(),
            solidus in any::<bool>(),
            write in 0usize..40,
            gap in 0usize..40,
        ) {
            let mut json = if escape_all { escaped(text.as_bytes()) } else { text.into_bytes() };
            if solidus {
                json = json.iter().flat_map(|&b| if b == b'/' { vec![b'\\', b'/'] } else { vec![b] }).collect();
            }
            json.extend_from_slice(b"\"tail");
            let read = check_unescape(&json, write, gap);
            let clean = unescaped(&json[..json.len().min(16)]).is_some()
                && json.len() >= 16
                && json[15] != b'\\';
            if accelerated() && clean && json[..16].iter().filter(|&&b| b == b'\\').count() % 2 == 0 {
                prop_assert!(read >= 16, "did nothing");
            }
        }
    }

    /// Escape starts for every run of backslashes, against counting them one by one.
    #[test]
    fn escape_starts_of_every_mask() {
        for marks in 0..=0xffffu32 {
            let (mut want, mut at, mut run) = (0, 0, 0);
            while at < 16 {
                if marks & (1 << at) != 0 {
                    if run % 2 == 0 {
                        want |= 1 << at;
                    }
                    run += 1;
                } else {
                    run = 0;
                }
                at += 1;
            }
            assert_eq!(x86::escape_starts(marks), want, "{marks:#06x}");
        }
    }

    /// Every byte after a backslash and alone, in every position of a block.
    #[test]
    fn every_escape_in_every_position() {
        for position in 0..16 {
            for byte in 0..=255u8 {
                let mut text = *b"abcdefghijklmnopqrstuvwxyz012345";
                text[position] = byte;
                check_unescape(&text, 3, 0);
                check_unescape(&text, 3, 7);
                if position < 15 {
                    text[position] = b'\\';
                    text[position + 1] = byte;
                    check_unescape(&text, 0, 0);
                    check_unescape(&text, 5, 2);
                }
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
