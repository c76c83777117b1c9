//! The `.env` file, read exactly as Node's `dotenv` 16 reads it, because VideoSDK's server
//! examples load theirs with it and the same file must sign with the same key here. Its
//! grammar is one regular expression applied across the whole file, so this module applies
//! the same expression (JavaScript's `\s` and `\w` spelled out) rather than a grammar of its
//! own. No error or warning ever repeats a value: they name line numbers only.

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;

/// JavaScript's `\s`: white space and line terminators, the byte order mark among them.
const JS_SPACE: &str = r"[\t\n\x0B\x0C\r \u{A0}\u{1680}\u{2000}-\u{200A}\u{2028}\u{2029}\u{202F}\u{205F}\u{3000}\u{FEFF}]";

/// dotenv 16's `LINE`, with `\s` and `\w` as JavaScript means them.
static LINE: LazyLock<Regex> = LazyLock::new(|| {
    let s = JS_SPACE;
    let pattern = format!(
        r#"(?m)^{s}*(?:export{s}+)?([A-Za-z0-9_.-]+)(?:{s}*={s}*?|:{s}+?)({s}*'(?:\\'|[^'])*'|{s}*"(?:\\"|[^"])*"|{s}*`(?:\\`|[^`])*`|[^#\r\n]+)?{s}*(?:#.*)?$"#
    );
    #[allow(
        clippy::expect_used,
        reason = "a constant pattern, checked by every test"
    )]
    Regex::new(&pattern).expect("the dotenv pattern compiles")
});

/// Why a `.env` file cannot be read; never holds any of its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DotenvError {
    /// Returned when a line is not UTF-8 (dotenv would read U+FFFD in its place).
    NotUtf8 { line: usize },
    /// Returned when a line holds U+2028 or U+2029, which JavaScript treats as line ends and
    /// which no secret or key should contain.
    LineSeparator { line: usize },
}

impl std::fmt::Display for DotenvError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NotUtf8 { line } => write!(f, ".env line {line} is not UTF-8"),
            Self::LineSeparator { line } => write!(
                f,
                ".env line {line} holds a Unicode line or paragraph separator (U+2028/U+2029)"
            ),
        }
    }
}

impl std::error::Error for DotenvError {}

/// What a `.env` file sets, and the lines dotenv would skip without a word.
#[derive(Debug, Default)]
pub struct Dotenv {
    values: HashMap<String, String>,
    /// 1-based numbers of lines that are not blank, not a comment and not part of any
    /// `KEY=VALUE`.
    pub ignored_lines: Vec<usize>,
}

impl Dotenv {
    /// The value of `key`, if the file sets it (the last setting wins, as in dotenv).
    pub fn get(&self, key: &str) -> Option<&str> {
        self.values.get(key).map(String::as_str)
    }

    /// Every key and value, for comparison with dotenv itself.
    #[cfg(test)]
    pub fn values(&self) -> &HashMap<String, String> {
        &self.values
    }
}

/// Reads `.env` bytes as `dotenv.parse` does.
pub fn parse(bytes: &[u8]) -> Result<Dotenv, DotenvError> {
    let text = std::str::from_utf8(bytes).map_err(|e| DotenvError::NotUtf8 {
        line: line_of(bytes, e.valid_up_to()),
    })?;
    if let Some(at) = text.find(['\u{2028}', '\u{2029}']) {
        return Err(DotenvError::LineSeparator {
            line: line_of(bytes, at),
        });
    }
    // dotenv turns CRLF and lone CR into LF first; each stays one line end, so line numbers
    // in the result are the file's.
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let mut out = Dotenv::default();
    let mut covered = vec![false; text.split('\n').count()];
    for found in LINE.captures_iter(&text) {
        let (Some(all), Some(key)) = (found.get(0), found.get(1)) else {
            continue;
        };
        let first = line_of(text.as_bytes(), all.start());
        let last = line_of(text.as_bytes(), all.end());
        for seen in covered.iter_mut().take(last).skip(first - 1) {
            *seen = true;
        }
        let raw = found.get(2).map_or("", |m| m.as_str());
        let trimmed = raw.trim_matches(is_js_space);
        let mut value = strip_quotes(trimmed);
        if trimmed.starts_with('"') {
            value = value.replace("\\n", "\n").replace("\\r", "\r");
        }
        out.values.insert(key.as_str().to_owned(), value);
    }
    for (index, (line, seen)) in text.split('\n').zip(&covered).enumerate() {
        let content = line.trim_matches(is_js_space);
        if !seen && !content.is_empty() && !content.starts_with('#') {
            out.ignored_lines.push(index + 1);
        }
    }
    Ok(out)
}

/// The 1-based line holding byte `at`.
fn line_of(bytes: &[u8], at: usize) -> usize {
    bytes
        .get(..at)
        .unwrap_or(bytes)
        .iter()
        .filter(|&&b| b == b'\n' || b == b'\r')
        .count()
        // A CRLF pair counted twice above is one line end.
        .saturating_sub(
            bytes
                .get(..at)
                .unwrap_or(bytes)
                .windows(2)
                .filter(|w| w == b"\r\n")
                .count(),
        )
        + 1
}

fn is_js_space(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\u{B}' | '\u{C}' | '\r' | ' ' | '\u{A0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200A}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202F}'
                | '\u{205F}'
                | '\u{3000}'
                | '\u{FEFF}'
    )
}

/// `value.replace(/^(['"`])([\s\S]*)\1$/mg, '$2')`: at each line start holding a quote, the
/// longest run to the same quote at a line end loses both quotes.
fn strip_quotes(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = String::with_capacity(value.len());
    let mut copied = 0;
    let mut at = 0;
    while at < bytes.len() {
        let line_start = at == 0 || bytes.get(at - 1) == Some(&b'\n');
        let quote = bytes.get(at).copied().filter(|q| b"'\"`".contains(q));
        if let (true, Some(quote)) = (line_start, quote) {
            let close = (at + 1..bytes.len()).rev().find(|&end| {
                bytes.get(end) == Some(&quote) && matches!(bytes.get(end + 1), None | Some(b'\n'))
            });
            if let Some(close) = close {
                out.push_str(value.get(copied..at).unwrap_or_default());
                out.push_str(value.get(at + 1..close).unwrap_or_default());
                copied = close + 1;
                at = close + 1;
                continue;
            }
        }
        at += 1;
    }
    out.push_str(value.get(copied..).unwrap_or_default());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every file of the golden table reads as Node's dotenv read it.
    #[test]
    fn matches_node_dotenv_on_every_golden_file() {
        let doc: serde_json::Value =
            serde_json::from_str(include_str!("../../tests/vectors/dotenv.json"))
                .expect("dotenv.json");
        let cases = doc["cases"].as_array().expect("cases");
        assert!(cases.len() >= 30, "{} files", cases.len());
        for case in cases {
            let name = case["name"].as_str().expect("name");
            let text = case["text"].as_str().expect("text");
            let expected: HashMap<String, String> =
                serde_json::from_value(case["parsed"].clone()).expect("parsed");
            let parsed = parse(text.as_bytes()).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(parsed.values(), &expected, "{name}");
        }
    }

    #[test]
    fn names_lines_dotenv_skips_and_never_their_text() {
        let parsed = parse(b"# ok\nA=1\r\nnot a pair\r\n\nB='x\ny'\n=v\n").expect("parses");
        assert_eq!(parsed.ignored_lines, vec![3, 7]);
        let e = parse(b"A=1\nB=secret\xff\n").expect_err("not UTF-8");
        assert_eq!(e.to_string(), ".env line 2 is not UTF-8");
        let e = parse("A=1\r\nB=2\r\nC=x\u{2028}y\n".as_bytes()).expect_err("separator");
        assert_eq!(e, DotenvError::LineSeparator { line: 3 });
    }
}
