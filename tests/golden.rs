//! Every golden vector made by Node's `jsonwebtoken` 9 is reproduced byte for byte by the core.

use base64ct::{Base64UrlUnpadded, Encoding};
use videosdk_token_core::{Error, ExpiresIn, Key, dangerous, sign, sign_to_string, token_len};
use videosdk_token_harness::vectors;

#[test]
fn every_vector_is_byte_identical() {
    let doc = vectors::load();
    assert!(
        doc.generator.starts_with("jsonwebtoken 9."),
        "{}",
        doc.generator
    );
    assert!(
        doc.vectors.len() >= 30,
        "only {} vectors",
        doc.vectors.len()
    );
    let mut buf = vec![0u8; 16 * 1024];
    for vector in &doc.vectors {
        let typed = vector.typed();
        let claims = typed
            .claims()
            .unwrap_or_else(|e| panic!("{}: {e}", vector.name));
        let key = Key::new(vector.secret.as_bytes()).expect("non-empty secret");
        let token =
            sign(&claims, &key, &mut buf).unwrap_or_else(|e| panic!("{}: {e}", vector.name));
        assert_eq!(token, vector.token, "{}", vector.name);
        assert_eq!(
            token_len(&claims),
            Ok(vector.token.len()),
            "{}",
            vector.name
        );
    }
}

/// After the token, a roomy buffer holds only what it held before or zeros: the claims' JSON,
/// written there on the way, is cleared, whatever the buffer's size.
#[test]
fn nothing_of_the_claims_is_left_after_the_token() {
    let doc = vectors::load();
    for vector in &doc.vectors {
        let typed = vector.typed();
        let claims = typed.claims().expect("valid claims");
        let key = Key::new(vector.secret.as_bytes()).expect("non-empty secret");
        for extra in [0, 1, 7, 100, 1000, 8000] {
            let mut buf = vec![0xAAu8; vector.token.len() + extra];
            let len = sign(&claims, &key, &mut buf).expect("fits").len();
            assert!(
                buf[len..].iter().all(|&b| b == 0 || b == 0xAA),
                "{}: {extra} bytes of room hold part of the JSON",
                vector.name
            );
        }
    }
}

#[test]
fn exact_buffer_works_and_one_byte_less_is_refused_and_wiped() {
    let doc = vectors::load();
    for vector in &doc.vectors {
        let typed = vector.typed();
        let claims = typed.claims().expect("valid claims");
        let key = Key::new(vector.secret.as_bytes()).expect("non-empty secret");
        let len = vector.token.len();

        let mut exact = vec![0u8; len];
        assert_eq!(
            sign(&claims, &key, &mut exact),
            Ok(vector.token.as_str()),
            "{}",
            vector.name
        );

        let mut short = vec![0xAAu8; len - 1];
        assert_eq!(
            sign(&claims, &key, &mut short),
            Err(Error::BufferTooSmall { needed: len })
        );
        assert!(
            short.iter().all(|&b| b == 0),
            "{}: partial token left in buffer",
            vector.name
        );

        let mut tiny = [0xAAu8; 40];
        assert_eq!(
            sign(&claims, &key, &mut tiny),
            Err(Error::BufferTooSmall { needed: len })
        );
        assert!(
            tiny.iter().all(|&b| b == 0),
            "{}: partial token left in buffer",
            vector.name
        );
    }
}

#[test]
fn heapless_string_matches() {
    let doc = vectors::load();
    for vector in doc.vectors.iter().filter(|v| v.token.len() <= 1024) {
        let typed = vector.typed();
        let claims = typed.claims().expect("valid claims");
        let key = Key::new(vector.secret.as_bytes()).expect("non-empty secret");
        let token = sign_to_string::<1024>(&claims, &key).expect("fits");
        assert_eq!(token.as_str(), vector.token, "{}", vector.name);
    }
    let long = doc
        .vectors
        .iter()
        .find(|v| v.token.len() > 1024)
        .expect("a long vector");
    let typed = long.typed();
    let claims = typed.claims().expect("valid claims");
    let key = Key::new(long.secret.as_bytes()).expect("non-empty secret");
    assert_eq!(
        sign_to_string::<1024>(&claims, &key),
        Err(Error::BufferTooSmall {
            needed: long.token.len()
        })
    );
}

fn exp_of(token: &str) -> u64 {
    let payload = token.split('.').nth(1).expect("three segments");
    let json = Base64UrlUnpadded::decode_vec(payload).expect("base64url payload");
    let value: serde_json::Value = serde_json::from_slice(&json).expect("JSON payload");
    value["exp"].as_u64().expect("numeric exp")
}

/// A bare numeric string is milliseconds to Node's `ms`, seconds to us: both readings, from
/// Node's real output.
#[test]
fn bare_numeric_string_is_seconds_not_milliseconds() {
    let doc = vectors::load();
    assert!(!doc.differences.is_empty());
    for vector in &doc.differences {
        let text = vector.expires_in.as_str().expect("a string duration");
        let n: u64 = text.trim_end().parse().expect("a bare number");
        let iat = vector.claims.iat;
        assert_eq!(
            exp_of(&vector.token),
            iat + n / 1000,
            "Node reads {text} as milliseconds"
        );
        let ours = ExpiresIn::parse(text).and_then(|e| e.exp_after(iat));
        assert_eq!(ours, Ok(iat + n), "we read {text} as seconds");
    }
}

/// The duration parser reads what `ms` reads (bare numbers aside) and refuses what it refuses.
#[test]
fn duration_parser_agrees_with_ms() {
    let doc = vectors::load();
    assert!(doc.ms.len() >= 20);
    for reading in &doc.ms {
        let ours = ExpiresIn::parse(&reading.text);
        let bare = !reading.text.is_empty()
            && reading
                .text
                .trim_end_matches(' ')
                .bytes()
                .all(|b| b.is_ascii_digit() || b == b'-' || b == b'.');
        match (reading.ms, ours) {
            (None, Err(Error::InvalidDuration)) => {}
            // Past u64 milliseconds every unit overflows 2^53 seconds: only "huge" matters.
            (Some(ms), Ok(ours)) if !bare && ms >= 1.8e19 => assert!(ours.millis() >= 1.8e19),
            (Some(ms), Ok(ours)) if !bare => assert_eq!(ours.millis(), ms, "{:?}", reading.text),
            (Some(ms), Ok(ours)) => {
                assert_eq!(ours.millis(), ms * 1000.0, "{:?} is seconds", reading.text)
            }
            (Some(ms), Err(Error::NonPositiveLifetime)) if bare => {
                assert!(ms <= 0.0, "{:?}", reading.text)
            }
            (expected, got) => panic!("{:?}: ms says {expected:?}, we say {got:?}", reading.text),
        }
    }
}

#[test]
fn signing_key_debug_never_shows_the_secret() {
    let key = Key::new(b"a-very-recognisable-secret-value-0123456789").expect("secret");
    let shown = format!("{key:?} {key:#?}");
    assert_eq!(format!("{key:?}"), "Key { ... }");
    assert!(!shown.contains("recognisable"));
    assert!(!shown.contains("0123456789"));
}

#[test]
fn sign_claims_refuses_a_small_buffer_and_leaves_nothing() {
    #[derive(serde::Serialize)]
    struct Custom<'a> {
        sub: &'a str,
        exp: u64,
    }
    let key = Key::new(b"a-secret-of-at-least-thirty-two-bytes!").expect("secret");
    let claims = Custom {
        sub: "user-1",
        exp: 1_700_000_000,
    };
    let mut big = [0u8; 256];
    let len = videosdk_token_core::sign_claims(&claims, &key, &mut big)
        .expect("fits")
        .len();
    for short in [0, 10, 40, len - 1] {
        let mut buf = vec![0xAAu8; short];
        let got = videosdk_token_core::sign_claims(&claims, &key, &mut buf);
        assert!(
            matches!(got, Err(Error::BufferTooSmall { needed }) if needed > short),
            "{short}: {got:?}"
        );
        assert!(buf.iter().all(|&b| b == 0), "{short}: partial token left");
    }
}

/// `dangerous::sign_json` over the payload bytes of Node's own token gives back Node's token,
/// for every vector (and with one byte too few, nothing but the length needed).
#[test]
fn sign_json_of_nodes_payload_is_nodes_token() {
    let doc = vectors::load();
    for vector in doc.vectors.iter().chain(&doc.differences) {
        let payload = vector.token.split('.').nth(1).expect("three segments");
        let json = Base64UrlUnpadded::decode_vec(payload).expect("base64url payload");
        let key = Key::new(vector.secret.as_bytes()).expect("non-empty secret");
        let mut out = vec![0u8; vector.token.len()];
        let token = dangerous::sign_json(&json, &key, &mut out).expect("fits exactly");
        assert_eq!(token, vector.token, "{}", vector.name);
        let mut short = vec![0u8; vector.token.len() - 1];
        assert_eq!(
            dangerous::sign_json(&json, &key, &mut short),
            Err(Error::BufferTooSmall {
                needed: vector.token.len()
            }),
            "{}",
            vector.name
        );
        assert!(short.iter().all(|&b| b == 0), "{}", vector.name);
    }
}

/// Which paths this CPU takes, printed where the test command's log shows them (each emulated
/// CPU model runs this file): the AVX2 base64url kernels, and sha2's SHA-NI compression. The
/// kernels run exactly where the CPU has AVX2.
#[test]
#[cfg(target_arch = "x86_64")]
fn the_paths_this_cpu_takes() {
    let avx2 = std::arch::is_x86_feature_detected!("avx2");
    let sha =
        std::arch::is_x86_feature_detected!("sha") && std::arch::is_x86_feature_detected!("sse4.1");
    let kernels = videosdk_token_simd::base64url::accelerated();
    println!(
        "CPU paths: AVX2 {avx2}, SHA-NI {sha}; base64url kernels {kernels}, sha2 SHA-NI {sha}"
    );
    assert_eq!(kernels, avx2);
}
