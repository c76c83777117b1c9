//! The duration parser against two references: a regular expression that is the `ms` 2.1.3
//! grammar itself, for what is accepted, and Rust's correctly rounded float parser, for the
//! value read. (Node's own readings are checked in tests/golden.rs.)

use proptest::prelude::*;
use regex::bytes::Regex;
use videosdk_token_core::{Error, ExpiresIn};

/// `ms` matches with `/…/i` in non-Unicode mode: ASCII-only case folding, as `(?i-u)` here.
fn grammar() -> Regex {
    Regex::new(
        r"(?i-u)^(-?(?:\d+)?\.?\d+) *(milliseconds?|msecs?|ms|seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h|days?|d|weeks?|w|years?|yrs?|y)?$",
    )
    .expect("valid regex")
}

fn unit_ms(unit: &str) -> f64 {
    match unit.to_ascii_lowercase().as_str() {
        "years" | "year" | "yrs" | "yr" | "y" => 31_557_600_000.0,
        "weeks" | "week" | "w" => 604_800_000.0,
        "days" | "day" | "d" => 86_400_000.0,
        "hours" | "hour" | "hrs" | "hr" | "h" => 3_600_000.0,
        "minutes" | "minute" | "mins" | "min" | "m" => 60_000.0,
        "seconds" | "second" | "secs" | "sec" | "s" => 1_000.0,
        _ => 1.0,
    }
}

/// Whether the parser answers for this fraction exactly: its digits (trailing fraction zeros
/// dropped) form an integer of at most 2^53, divided by a power of ten of at most 22 (beyond
/// that it refuses rather than rounds differently).
fn exact_fraction(number: &str) -> bool {
    let digits = number.trim_start_matches('-');
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let frac = frac.trim_end_matches('0');
    if frac.is_empty() {
        return true;
    }
    let mantissa: String = format!("{int}{frac}").trim_start_matches('0').to_owned();
    frac.len() <= 22 && mantissa.len() <= 16 && mantissa.parse::<u64>().is_ok_and(|m| m <= 1 << 53)
}

/// Text close to the grammar: signs, digits, points, spaces, unit letters in any case, and now
/// and then a character outside it.
fn near_grammar() -> impl Strategy<Value = String> {
    let pieces = prop_oneof![
        Just("-".to_owned()),
        Just(".".to_owned()),
        Just(" ".to_owned()),
        "[0-9]{1,6}",
        "(ms|msec|msecs|millisecond|milliseconds|s|sec|secs|second|seconds|m|min|mins|minute|minutes|h|hr|hrs|hour|hours|d|day|days|w|week|weeks|y|yr|yrs|year|years)",
        "(MS|Sec|HOURS|Day|wEEk|Y)",
        "[a-z]",
        Just("\u{17f}".to_owned()),
        Just("\t".to_owned()),
        Just("+".to_owned()),
        Just("e".to_owned()),
    ];
    proptest::collection::vec(pieces, 1..6).prop_map(|p| p.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4096, ..ProptestConfig::default() })]

    #[test]
    fn accepts_exactly_the_ms_grammar_and_reads_the_same_value(text in near_grammar()) {
        let ours = ExpiresIn::parse(&text);
        let Some(caps) = grammar().captures(text.as_bytes()) else {
            prop_assert_eq!(ours, Err(Error::InvalidDuration), "{:?} is outside the grammar", text);
            return Ok(());
        };
        let number = std::str::from_utf8(&caps[1]).expect("ascii");
        let unit = caps.get(2).map(|u| std::str::from_utf8(u.as_bytes()).expect("ascii"));
        let reference: f64 = number.parse().expect("the grammar's numbers parse");
        match unit {
            Some(_) if !exact_fraction(number) => prop_assert_eq!(ours, Err(Error::InvalidDuration)),
            Some(unit) => {
                let ours = ours.map_err(|e| TestCaseError::fail(format!("{text:?}: {e}")))?;
                let expected = if unit_ms(unit) == 1.0 { reference } else { reference * unit_ms(unit) };
                prop_assert_eq!(ours.millis(), expected, "{:?}", text);
            }
            // A bare number is whole seconds here (not milliseconds as in `ms`).
            None if number.contains('.') => prop_assert_eq!(ours, Err(Error::InvalidDuration)),
            None if reference <= 0.0 => prop_assert_eq!(ours, Err(Error::NonPositiveLifetime)),
            None => match number.parse::<u64>() {
                Ok(seconds) => prop_assert_eq!(ours.map(|e| e.millis()), Ok(seconds as f64 * 1000.0)),
                Err(_) => prop_assert_eq!(ours, Err(Error::LifetimeOverflow)),
            },
        }
    }
}
