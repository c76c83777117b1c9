//! Text from a token, on its way to a terminal. A claim is whatever its signer wrote, so a
//! `participantId` holding CR, LF or `ESC[8m` could forge lines in an operator's terminal,
//! and a bidi override could make `allow_join` read as something else. Everything a terminal
//! would act on rather than print is written as a `\u` escape instead.

use std::borrow::Cow;
use std::fmt::Write;

/// Whether a terminal acts on `c` instead of printing it, or reorders what follows: C0 and C1
/// controls, DEL, the bidi marks, embeddings, overrides and isolates, and the Unicode line
/// and paragraph separators.
pub fn is_unsafe(c: char) -> bool {
    matches!(
        c,
        '\u{0}'..='\u{1F}'
            | '\u{7F}'..='\u{9F}'
            | '\u{61C}'
            | '\u{200E}'
            | '\u{200F}'
            | '\u{2028}'..='\u{202E}'
            | '\u{2066}'..='\u{2069}'
    )
}

/// `text` with every unsafe character written as `\n`, `\r`, `\t` or `\uXXXX`, for
/// human-readable output.
pub fn for_terminal(text: &str) -> Cow<'_, str> {
    escape(text, is_unsafe)
}

/// Serialized JSON with the unsafe characters that `serde_json` leaves raw (DEL, C1 controls,
/// bidi controls, separators) written as `\uXXXX`. They can only occur inside strings, where
/// the escape means the same character, so the JSON reads back unchanged.
pub fn json_for_terminal(json: &str) -> Cow<'_, str> {
    // C0 controls are escaped by serde_json already, but for the line breaks of pretty output.
    escape(json, |c| is_unsafe(c) && c >= '\u{7F}')
}

fn escape(text: &str, unsafe_char: impl Fn(char) -> bool) -> Cow<'_, str> {
    if !text.chars().any(&unsafe_char) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            _ if !unsafe_char(c) => out.push(c),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            _ => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_a_terminal_acts_on_survives() {
        let forged = "alice\r\n  permissions:  allow_mod\x1b[8m\u{85}\u{202E}nioj_wolla\u{2066}";
        let shown = for_terminal(forged);
        assert_eq!(
            shown,
            "alice\\r\\n  permissions:  allow_mod\\u001b[8m\\u0085\\u202enioj_wolla\\u2066"
        );
        assert!(!shown.chars().any(is_unsafe));
        assert!(matches!(for_terminal("café 会议"), Cow::Borrowed(_)));
    }

    #[test]
    fn json_keeps_its_meaning() {
        let value = serde_json::json!({ "p": "a\u{202E}b\u{9B}c\u{7F}\n" });
        let text = serde_json::to_string_pretty(&value).expect("json");
        let shown = json_for_terminal(&text);
        assert!(!shown.chars().any(|c| is_unsafe(c) && c != '\n'), "{shown}");
        let back: serde_json::Value = serde_json::from_str(&shown).expect("still JSON");
        assert_eq!(back, value);
    }
}
