//! Token lifetimes in the grammar of the `ms` package (2.1.3) that Node's `jsonwebtoken` reads
//! `expiresIn` with, and the exact floating-point arithmetic it turns them into `exp` with.
//!
//! One deliberate difference: a bare number (`"3600"`) means seconds, as a numeric
//! `expiresIn` does in `jsonwebtoken`, never milliseconds.

use core::str::FromStr;

use crate::Error;

/// `ms` refuses longer strings outright.
const MAX_LEN: usize = 100;

/// Largest integer JavaScript represents exactly (2^53 - 1); `iat` and `exp` stay at or below it
/// so that Node reads the same number we wrote.
pub const MAX_SAFE_SECONDS: u64 = (1 << 53) - 1;

/// `2^53` as a float: the first value whose floor passes [`MAX_SAFE_SECONDS`].
const FIRST_UNSAFE: f64 = 9_007_199_254_740_992.0;

/// Milliseconds per unit, spelled as `ms` spells them (matched case-insensitively).
const UNITS: &[(&str, f64)] = &[
    ("years", 31_557_600_000.0),
    ("year", 31_557_600_000.0),
    ("yrs", 31_557_600_000.0),
    ("yr", 31_557_600_000.0),
    ("y", 31_557_600_000.0),
    ("weeks", 604_800_000.0),
    ("week", 604_800_000.0),
    ("w", 604_800_000.0),
    ("days", 86_400_000.0),
    ("day", 86_400_000.0),
    ("d", 86_400_000.0),
    ("hours", 3_600_000.0),
    ("hour", 3_600_000.0),
    ("hrs", 3_600_000.0),
    ("hr", 3_600_000.0),
    ("h", 3_600_000.0),
    ("minutes", 60_000.0),
    ("minute", 60_000.0),
    ("mins", 60_000.0),
    ("min", 60_000.0),
    ("m", 60_000.0),
    ("seconds", 1_000.0),
    ("second", 1_000.0),
    ("secs", 1_000.0),
    ("sec", 1_000.0),
    ("s", 1_000.0),
    ("milliseconds", 1.0),
    ("millisecond", 1.0),
    ("msecs", 1.0),
    ("msec", 1.0),
    ("ms", 1.0),
];

/// A token lifetime: whole seconds, or a duration string's milliseconds.
///
/// ```
/// use videosdk_token_core::ExpiresIn;
///
/// let iat = 1_700_000_000;
/// assert_eq!(ExpiresIn::parse("2h")?.exp_after(iat)?, iat + 7200);
/// assert_eq!(ExpiresIn::parse("1.5 Days")?.exp_after(iat)?, iat + 129_600);
/// // A bare number is seconds, as a numeric `expiresIn` is in jsonwebtoken.
/// assert_eq!(ExpiresIn::parse("3600")?.exp_after(iat)?, iat + 3600);
/// # Ok::<(), videosdk_token_core::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ExpiresIn(Span);

#[derive(Clone, Copy, Debug, PartialEq)]
enum Span {
    Seconds(u64),
    Millis(f64),
}

impl ExpiresIn {
    /// A lifetime of `seconds` whole seconds (`exp = iat + seconds`).
    #[must_use]
    pub const fn seconds(seconds: u64) -> Self {
        Self(Span::Seconds(seconds))
    }

    /// Parses a duration in the `ms` grammar: an optionally signed decimal number, optional
    /// spaces, and an optional unit (`ms`, `s`, `m`, `h`, `d`, `w`, `y` and their long
    /// spellings, any case). Without a unit the number is whole seconds.
    ///
    /// # Errors
    /// [`Error::InvalidDuration`] when `text` does not follow the grammar or is a fraction
    /// without a unit; [`Error::NonPositiveLifetime`] for a unitless zero or negative number;
    /// [`Error::LifetimeOverflow`] for a unitless number past `u64`.
    pub fn parse(text: &str) -> Result<Self, Error> {
        if text.is_empty() || text.len() > MAX_LEN {
            return Err(Error::InvalidDuration);
        }
        let bytes = text.as_bytes();
        let sign_len = usize::from(bytes.first() == Some(&b'-'));
        let body = bytes.get(sign_len..).unwrap_or_default();
        let int_len = body.iter().take_while(|b| b.is_ascii_digit()).count();
        let after_int = body.get(int_len..).unwrap_or_default();
        let (frac_len, has_point) = match after_int.split_first() {
            Some((b'.', frac)) => (frac.iter().take_while(|b| b.is_ascii_digit()).count(), true),
            _ => (0, false),
        };
        if (has_point && frac_len == 0) || (!has_point && int_len == 0) {
            return Err(Error::InvalidDuration);
        }
        let number_len = sign_len
            .saturating_add(int_len)
            .saturating_add(usize::from(has_point))
            .saturating_add(frac_len);
        let (number, rest) = text
            .split_at_checked(number_len)
            .ok_or(Error::InvalidDuration)?;
        let unit = rest.trim_start_matches(' ');
        if unit.is_empty() {
            return Self::bare_seconds(number, has_point);
        }
        let per_unit = UNITS
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(unit))
            .map(|&(_, ms)| ms)
            .ok_or(Error::InvalidDuration)?;
        // parseFloat of the matched number, then `n * unit`, as `ms` computes it.
        let n = parse_decimal(number)?;
        Ok(Self(Span::Millis(n * per_unit)))
    }

    /// The lifetime in milliseconds, as `ms` reads a duration string (whole seconds times 1000).
    #[must_use]
    pub fn millis(self) -> f64 {
        match self.0 {
            #[allow(
                clippy::cast_precision_loss,
                reason = "a display value; exact below 2^53"
            )]
            Span::Seconds(seconds) => seconds as f64 * 1000.0,
            Span::Millis(ms) => ms,
        }
    }

    fn bare_seconds(number: &str, has_point: bool) -> Result<Self, Error> {
        if has_point {
            return Err(Error::InvalidDuration);
        }
        if number.starts_with('-') {
            return Err(Error::NonPositiveLifetime);
        }
        match u64::from_str(number) {
            Ok(0) => Err(Error::NonPositiveLifetime),
            Ok(seconds) => Ok(Self::seconds(seconds)),
            Err(_) => Err(Error::LifetimeOverflow),
        }
    }

    /// The `exp` of a token issued at `iat`: `iat + n` for whole seconds, and
    /// `floor(iat + ms / 1000)` in IEEE double arithmetic for a duration string, exactly as
    /// Node's `jsonwebtoken` computes it.
    ///
    /// # Errors
    /// [`Error::NonPositiveLifetime`] when `exp` would not pass `iat`;
    /// [`Error::LifetimeOverflow`] when it would pass 2^53 - 1; [`Error::TimeOutOfRange`] when
    /// `iat` already does.
    pub fn exp_after(self, iat: u64) -> Result<u64, Error> {
        if iat > MAX_SAFE_SECONDS {
            return Err(Error::TimeOutOfRange);
        }
        let exp = match self.0 {
            Span::Seconds(seconds) => iat.checked_add(seconds).ok_or(Error::LifetimeOverflow)?,
            Span::Millis(ms) => {
                #[allow(
                    clippy::cast_precision_loss,
                    reason = "iat <= 2^53 - 1 is exact in f64"
                )]
                let t = iat as f64 + ms / 1000.0;
                if t.is_nan() || t < 0.0 {
                    return Err(Error::NonPositiveLifetime);
                }
                if t >= FIRST_UNSAFE {
                    return Err(Error::LifetimeOverflow);
                }
                // For 0 <= t < 2^53 truncation is Math.floor.
                #[allow(
                    clippy::cast_possible_truncation,
                    clippy::cast_sign_loss,
                    reason = "0 <= t < 2^53 was checked above"
                )]
                let floor = t as u64;
                floor
            }
        };
        if exp > MAX_SAFE_SECONDS {
            return Err(Error::LifetimeOverflow);
        }
        if exp <= iat {
            return Err(Error::NonPositiveLifetime);
        }
        Ok(exp)
    }
}

/// Powers of ten that `f64` holds exactly.
const EXACT_POWERS_OF_TEN: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// `parseFloat` of a number the grammar matched (`-?\d*\.?\d+`), rounded exactly as
/// JavaScript rounds it, without `core`'s general float parser (whose internal bounds checks
/// are panic paths a panic-free build cannot link).
///
/// Integers convert with one correctly rounded cast. A fraction `m / 10^k` with `m <= 2^53`
/// and `k <= 22` is one correctly rounded division of two exact values (Clinger's fast path),
/// which is what `parseFloat` returns. Fractions beyond that — more than 15 significant
/// digits — are refused rather than rounded differently.
fn parse_decimal(number: &str) -> Result<f64, Error> {
    let (negative, digits) = match number.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, number),
    };
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let frac = frac.trim_end_matches('0');
    let mut mantissa: u64 = 0;
    let mut overflow = false;
    for digit in int.bytes().chain(frac.bytes()) {
        match mantissa
            .checked_mul(10)
            .and_then(|m| m.checked_add(u64::from(digit.wrapping_sub(b'0'))))
        {
            Some(m) => mantissa = m,
            None => overflow = true,
        }
    }
    #[allow(
        clippy::cast_precision_loss,
        reason = "u64 to f64 rounds to nearest, as parseFloat does"
    )]
    let magnitude = if frac.is_empty() {
        // Past u64 the lifetime overflows whatever the unit, so any huge value will do.
        if overflow {
            u64::MAX as f64
        } else {
            mantissa as f64
        }
    } else {
        let power = EXACT_POWERS_OF_TEN.get(frac.len()).copied();
        match power {
            Some(power) if !overflow && mantissa <= 1 << 53 => mantissa as f64 / power,
            _ => return Err(Error::InvalidDuration),
        }
    };
    Ok(if negative { -magnitude } else { magnitude })
}

impl FromStr for ExpiresIn {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self, Error> {
        Self::parse(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const IAT: u64 = 1_700_000_000;

    fn exp(text: &str) -> Result<u64, Error> {
        ExpiresIn::parse(text)?.exp_after(IAT)
    }

    #[test]
    fn every_unit_spelling_in_any_case() {
        for &(name, ms) in UNITS {
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let want = IAT + ms as u64;
            let mut lower: heapless::String<32> = heapless::String::new();
            let mut upper: heapless::String<32> = heapless::String::new();
            for c in "1000 ".chars().chain(name.chars()) {
                lower.push(c).ok();
                upper.push(c.to_ascii_uppercase()).ok();
            }
            assert_eq!(exp(&lower), Ok(want), "{lower}");
            assert_eq!(exp(&upper), Ok(want), "{upper}");
        }
    }

    #[test]
    fn grammar_edges() {
        assert_eq!(exp("2h"), Ok(IAT + 7200));
        assert_eq!(exp("2 H"), Ok(IAT + 7200));
        assert_eq!(exp("2    hours"), Ok(IAT + 7200));
        assert_eq!(exp(".5m"), Ok(IAT + 30));
        assert_eq!(exp("1.5s"), Ok(IAT + 1));
        assert_eq!(exp("1999ms"), Ok(IAT + 1));
        assert_eq!(exp("007s"), Ok(IAT + 7));
        assert_eq!(exp("90 "), Ok(IAT + 90));
        assert_eq!(exp("999ms"), Err(Error::NonPositiveLifetime));
        assert_eq!(exp("-1h"), Err(Error::NonPositiveLifetime));
        assert_eq!(exp("-.5d"), Err(Error::NonPositiveLifetime));
        assert_eq!(exp("0s"), Err(Error::NonPositiveLifetime));
        assert_eq!(exp("0"), Err(Error::NonPositiveLifetime));
        assert_eq!(exp("-3"), Err(Error::NonPositiveLifetime));
        for bad in [
            "",
            "h",
            "1.",
            "1.5",
            "1..5s",
            "+1s",
            "1e3s",
            " 1s",
            "1s ",
            "1 s s",
            "1 sec.",
            "1_000s",
            "1hour2",
            "1 fortnight",
            "1\u{17f}",
            "−1s",
            "1\ts",
        ] {
            assert_eq!(exp(bad), Err(Error::InvalidDuration), "{bad:?}");
        }
        let long = "1000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000ms";
        assert_eq!(long.len(), 99);
        assert_eq!(exp(long), Err(Error::LifetimeOverflow));
        let too_long = "1000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000s";
        assert_eq!(exp(too_long), Err(Error::InvalidDuration));
        assert_eq!(exp("99999999999999999999999"), Err(Error::LifetimeOverflow));
        assert_eq!(exp("300000000y"), Err(Error::LifetimeOverflow));
    }

    #[test]
    fn decimals_round_like_parse_float() {
        // Rust's own parser rounds correctly too: the two must agree wherever ours answers.
        for text in [
            "0",
            "1",
            "-1",
            "1.5",
            ".5",
            "-.5",
            "1.1",
            "0.3",
            "2.75",
            "1.337",
            "007.50",
            "1.0000001",
            "0.1",
            "0.7",
            "123456789.123456",
            "9007199254740993",
            "18446744073709551615",
            "0.0000000000000000000001",
            "450359962737049.5",
            "1.00000000000000000000",
        ] {
            let ours = parse_decimal(text);
            let reference: f64 = text.parse().unwrap();
            assert_eq!(ours, Ok(reference), "{text}");
        }
        assert_eq!(
            parse_decimal("1.0000000000000001"),
            Err(Error::InvalidDuration)
        );
        assert_eq!(
            parse_decimal("4503599627370497.5"),
            Err(Error::InvalidDuration)
        );
        assert_eq!(
            parse_decimal("0.00000000000000000000001"),
            Err(Error::InvalidDuration)
        );
        assert!(parse_decimal("99999999999999999999999").is_ok_and(|v| v > 1.8e19));
    }

    #[test]
    fn exact_seconds_and_limits() {
        let max = MAX_SAFE_SECONDS;
        assert_eq!(ExpiresIn::seconds(1).exp_after(max - 1), Ok(max));
        assert_eq!(
            ExpiresIn::seconds(2).exp_after(max - 1),
            Err(Error::LifetimeOverflow)
        );
        assert_eq!(
            ExpiresIn::seconds(0).exp_after(1),
            Err(Error::NonPositiveLifetime)
        );
        assert_eq!(
            ExpiresIn::seconds(u64::MAX).exp_after(1),
            Err(Error::LifetimeOverflow)
        );
        assert_eq!(
            ExpiresIn::seconds(1).exp_after(max + 1),
            Err(Error::TimeOutOfRange)
        );
        assert_eq!(
            "1y".parse::<ExpiresIn>().and_then(|e| e.exp_after(0)),
            Ok(31_557_600)
        );
    }
}
