//! The golden vectors as a C include file, for the C programs over the C ABI (`ffi/`): the
//! signing vectors and the verification table, made fresh from `tests/vectors/vectors.json`
//! each run rather than committed twice.

use std::fmt::Write as _;

use crate::vectors::{Document, Vector};

/// A C string literal of `bytes` with its length: `{ "...", n }`. Every byte that is not an
/// ASCII letter or digit is a three-digit octal escape, which never runs into what follows.
#[must_use]
pub fn bytes_literal(bytes: &[u8]) -> String {
    let mut literal = String::from("{ \"");
    for &b in bytes {
        if b.is_ascii_alphanumeric() {
            literal.push(char::from(b));
        } else {
            let _ = write!(literal, "\\{b:03o}");
        }
    }
    let _ = write!(literal, "\", {} }}", bytes.len());
    literal
}

fn optional(text: Option<&str>) -> String {
    text.map_or_else(|| "{ NULL, 0 }".to_owned(), |t| bytes_literal(t.as_bytes()))
}

fn names(list: &[String], value: fn(&str) -> &'static str) -> String {
    let values: Vec<&str> = list.iter().map(|n| value(n)).collect();
    // `{ }` is not C99: an empty list is `{ 0 }` with a count of 0.
    let values = if values.is_empty() {
        "0".to_owned()
    } else {
        values.join(", ")
    };
    format!("{{ {values} }}, {}", list.len())
}

fn permission(name: &str) -> &'static str {
    match name {
        "allow_join" => "VIDEOSDK_TOKEN_ALLOW_JOIN",
        "ask_join" => "VIDEOSDK_TOKEN_ASK_JOIN",
        "allow_mod" => "VIDEOSDK_TOKEN_ALLOW_MOD",
        other => panic!("a vector names permission {other}"),
    }
}

fn role(name: &str) -> &'static str {
    match name {
        "crawler" => "VIDEOSDK_TOKEN_CRAWLER",
        "rtc" => "VIDEOSDK_TOKEN_RTC",
        other => panic!("a vector names role {other}"),
    }
}

/// The status name of an expected verdict: `valid` is `VIDEOSDK_TOKEN_OK`, an error variant
/// such as `BadBase64` is `VIDEOSDK_TOKEN_BAD_BASE64`.
#[must_use]
pub fn status_name(expect: &str) -> String {
    if expect == "valid" {
        return "VIDEOSDK_TOKEN_OK".to_owned();
    }
    let mut name = String::from("VIDEOSDK_TOKEN");
    let mut previous_lower = true;
    for c in expect.chars() {
        if c.is_ascii_uppercase() && previous_lower {
            name.push('_');
        }
        previous_lower = !c.is_ascii_uppercase();
        name.push(c.to_ascii_uppercase());
    }
    name
}

fn vector(v: &Vector) -> String {
    let c = &v.claims;
    let (expires_text, expires_seconds) = match &v.expires_in {
        serde_json::Value::String(text) => (bytes_literal(text.as_bytes()), 0),
        serde_json::Value::Number(n) => {
            ("{ NULL, 0 }".to_owned(), n.as_u64().expect("whole seconds"))
        }
        other => panic!("{}: expiresIn {other}", v.name),
    };
    format!(
        "    {{ {}, {}, {}, {}, {}, {}, {}, {}, {}u, {}, {}u, {} }},\n",
        bytes_literal(v.name.as_bytes()),
        bytes_literal(v.secret.as_bytes()),
        bytes_literal(c.apikey.as_bytes()),
        names(&c.permissions, permission),
        u8::from(c.version == Some(2)),
        optional(c.room_id.as_deref()),
        optional(c.participant_id.as_deref()),
        names(c.roles.as_deref().unwrap_or_default(), role),
        c.iat,
        expires_text,
        expires_seconds,
        bytes_literal(v.token.as_bytes()),
    )
}

/// The include file: `struct vector VECTORS[]` and `struct check CHECKS[]`, with their
/// counts. The types are declared by the including program (`ffi/tests/vectors.h`).
#[must_use]
pub fn vectors_include(doc: &Document) -> String {
    let mut out = String::from("/* Made from tests/vectors/vectors.json by the test harness. */\n");
    out.push_str("static const struct vector VECTORS[] = {\n");
    for v in &doc.vectors {
        out.push_str(&vector(v));
    }
    out.push_str("};\n");
    let _ = writeln!(out, "#define VECTOR_COUNT {}", doc.vectors.len());
    out.push_str("static const struct check CHECKS[] = {\n");
    for case in &doc.verify {
        let _ = writeln!(
            out,
            "    {{ {}, {}, {}, {}u, {}u, {} }},",
            bytes_literal(case.name.as_bytes()),
            bytes_literal(case.secret.as_bytes()),
            bytes_literal(case.token.as_bytes()),
            case.now,
            case.leeway,
            status_name(&case.expect),
        );
    }
    out.push_str("};\n");
    let _ = writeln!(out, "#define CHECK_COUNT {}", doc.verify.len());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_names_follow_the_header() {
        assert_eq!(status_name("valid"), "VIDEOSDK_TOKEN_OK");
        assert_eq!(status_name("BadBase64"), "VIDEOSDK_TOKEN_BAD_BASE64");
        assert_eq!(status_name("EmptyApiKey"), "VIDEOSDK_TOKEN_EMPTY_API_KEY");
        assert_eq!(
            status_name("TooManyUnknownNames"),
            "VIDEOSDK_TOKEN_TOO_MANY_UNKNOWN_NAMES"
        );
    }

    #[test]
    fn literals_escape_everything_but_letters_and_digits() {
        assert_eq!(bytes_literal(b"a\"1\0"), r#"{ "a\0421\000", 4 }"#);
    }
}
