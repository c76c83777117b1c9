//! Hostile tokens, each mapped to the error it must get.

use base64ct::{Base64UrlUnpadded, Encoding};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use videosdk_token_core::{
    Claims, DEFAULT_MAX_TOKEN_LEN, Error, Key, Permission, Role, Rules, dangerous, scratch_len,
    sign, verify, verify_in_place,
};

const SECRET: &[u8] = b"hostile-secret-0123456789abcdef-0123456789";
const IAT: u64 = 1_700_000_000;
const EXP: u64 = IAT + 3600;

fn good_token() -> String {
    let claims = Claims::new(
        "b5a3f0e2-6c1d-4c5e",
        &[Permission::AllowJoin, Permission::AllowMod],
        IAT,
        EXP,
    )
    .with_room_id("abcd-efgh-ijkl")
    .with_participant_id("p-1")
    .with_roles(&[Role::Rtc]);
    let mut buf = [0u8; 1024];
    sign(&claims, &key(), &mut buf).expect("fits").to_owned()
}

fn key() -> Key {
    Key::new(SECRET).expect("secret")
}

fn check(token: &str) -> Result<(), Error> {
    check_at(token, Rules::at(IAT))
}

/// The verdict of `verify` with a scratch buffer of exactly `scratch_len(token.len())`,
/// checked to be the verdict of `verify_in_place` on the token's own bytes, claims included:
/// every hostile token below is also a test of the one-buffer form.
fn check_at(token: &str, rules: Rules) -> Result<(), Error> {
    let mut scratch = vec![0u8; scratch_len(token.len())];
    let with_scratch = verify(token, &key(), &rules, &mut scratch);
    let mut bytes = token.as_bytes().to_vec();
    let in_place = verify_in_place(&mut bytes, &key(), &rules);
    assert_eq!(
        with_scratch, in_place,
        "verify and verify_in_place disagree on {token:?}"
    );
    with_scratch.map(|_| ())
}

fn b64(bytes: &[u8]) -> String {
    Base64UrlUnpadded::encode_string(bytes)
}

/// A token with exactly this header and payload (text, or bytes that are not), correctly
/// signed with `secret`.
fn craft_with(header: &str, payload: impl AsRef<[u8]>, secret: &[u8]) -> String {
    let input = format!("{}.{}", b64(header.as_bytes()), b64(payload.as_ref()));
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("any key length");
    mac.update(input.as_bytes());
    format!("{input}.{}", b64(&mac.finalize().into_bytes()))
}

fn craft(header: &str, payload: impl AsRef<[u8]>) -> String {
    craft_with(header, payload, SECRET)
}

const HEADER: &str = r#"{"alg":"HS256","typ":"JWT"}"#;

fn payload_with(extra: &str) -> String {
    format!(r#"{{"apikey":"k","permissions":["allow_join"],"iat":{IAT},"exp":{EXP}{extra}}}"#)
}

#[test]
fn the_untampered_token_verifies() {
    assert_eq!(check(&good_token()), Ok(()));
    assert_eq!(check(&craft(HEADER, payload_with(""))), Ok(()));
}

#[test]
fn every_bit_flip_of_every_character_is_refused() {
    let token = good_token();
    let dots: Vec<usize> = token.match_indices('.').map(|(i, _)| i).collect();
    for i in 0..token.len() {
        for bit in 0..8 {
            let mut bytes = token.clone().into_bytes();
            bytes[i] ^= 1 << bit;
            let Ok(tampered) = String::from_utf8(bytes) else {
                continue; // not text: cannot even be handed to verify as &str
            };
            let got = check(&tampered);
            let allowed: &[Error] = if dots.contains(&i) || tampered.matches('.').count() != 2 {
                &[
                    Error::Malformed,
                    Error::BadBase64,
                    Error::BadHeader,
                    Error::BadJson,
                    Error::WrongAlgorithm,
                ]
            } else if i < dots[0] {
                &[
                    Error::BadBase64,
                    Error::BadJson,
                    Error::BadHeader,
                    Error::WrongAlgorithm,
                    Error::BadSignature,
                ]
            } else {
                &[Error::BadBase64, Error::BadSignature]
            };
            assert!(
                got.is_err_and(|e| allowed.contains(&e)),
                "bit {bit} of byte {i} ({:?}): {got:?}",
                token.as_bytes()[i] as char
            );
        }
    }
}

#[test]
fn every_bit_flip_of_the_decoded_segments_is_refused() {
    let token = good_token();
    let parts: Vec<&str> = token.split('.').collect();
    for (segment, allowed) in [
        (
            0,
            &[
                Error::BadJson,
                Error::BadHeader,
                Error::WrongAlgorithm,
                Error::BadSignature,
            ][..],
        ),
        (1, &[Error::BadSignature][..]),
        (2, &[Error::BadSignature][..]),
    ] {
        let decoded = Base64UrlUnpadded::decode_vec(parts[segment]).expect("base64url");
        for i in 0..decoded.len() {
            for bit in 0..8 {
                let mut flipped = decoded.clone();
                flipped[i] ^= 1 << bit;
                let mut parts: Vec<String> = parts.iter().map(|p| (*p).to_owned()).collect();
                parts[segment] = b64(&flipped);
                let got = check(&parts.join("."));
                assert!(
                    got.is_err_and(|e| allowed.contains(&e)),
                    "segment {segment} byte {i} bit {bit}: {got:?}"
                );
            }
        }
    }
}

#[test]
fn structural_attacks() {
    let token = good_token();
    let parts: Vec<&str> = token.split('.').collect();
    let (h, p, s) = (parts[0], parts[1], parts[2]);
    let none_header = b64(br#"{"alg":"none","typ":"JWT"}"#);
    let cases: Vec<(String, Error)> = vec![
        (format!("{p}.{h}.{s}"), Error::BadHeader),
        (format!("{h}.{s}.{p}"), Error::BadSignature),
        (format!("{s}.{p}.{h}"), Error::BadJson),
        (format!("{none_header}.{p}."), Error::WrongAlgorithm),
        (format!("{none_header}.{p}.{s}"), Error::WrongAlgorithm),
        (
            craft_with(
                HEADER,
                payload_with(""),
                b"another-secret-another-secret-000",
            ),
            Error::BadSignature,
        ),
        (format!("{h}.{p}"), Error::Malformed),
        (format!("{h}.{p}.{s}.{s}"), Error::Malformed),
        (format!("{h}..{s}"), Error::Malformed),
        (format!(".{p}.{s}"), Error::Malformed),
        (format!("{h}.{p}."), Error::Malformed),
        (String::new(), Error::Malformed),
        ("..".to_owned(), Error::Malformed),
        (format!("{h}=.{p}.{s}"), Error::BadBase64),
        (format!("{h}.{p}.{s}="), Error::BadBase64),
        (format!("{h}.{p}=.{s}"), Error::BadSignature),
        (format!(" {token}"), Error::BadBase64),
        (format!("{token}\n"), Error::BadBase64),
        (format!("{token} "), Error::BadBase64),
        (format!("{h}.{p}.{}", s.replace('_', "/")), Error::BadBase64),
        (format!("{h}.{p}.{}A", s), Error::BadSignature),
        (format!("{h}.{p}.{}", &s[..s.len() - 2]), Error::BadBase64),
    ];
    for (tampered, want) in cases {
        let shown: String = tampered.chars().take(60).collect();
        assert_eq!(check(&tampered), Err(want), "{shown}…");
    }
}

#[test]
fn non_canonical_base64_tails() {
    // The signature's last character carries two unused bits: set them.
    let token = good_token();
    let (input, sig) = token.rsplit_once('.').expect("three segments");
    let last = sig.as_bytes()[sig.len() - 1];
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let value = alphabet.iter().position(|&c| c == last).expect("alphabet");
    for unused in 1..4 {
        let other = alphabet[(value & !3) | unused] as char;
        let tampered = format!("{input}.{}{other}", &sig[..sig.len() - 1]);
        assert_eq!(check(&tampered), Err(Error::BadBase64), "{tampered}");
    }
    // A correctly signed token whose payload encoding is not canonical.
    let payload = payload_with(r#","x":"ab""#);
    let mut encoded = b64(payload.as_bytes());
    assert_ne!(payload.len() % 3, 0, "needs a partial last group");
    let last = encoded.pop().expect("non-empty");
    let value = alphabet
        .iter()
        .position(|&c| c == last as u8)
        .expect("alphabet");
    encoded.push(alphabet[value | 1] as char);
    let input = format!("{}.{encoded}", b64(HEADER.as_bytes()));
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET).expect("key");
    mac.update(input.as_bytes());
    let token = format!("{input}.{}", b64(&mac.finalize().into_bytes()));
    assert_eq!(check(&token), Err(Error::BadBase64));
}

#[test]
fn truncated_tokens_are_refused() {
    let token = good_token();
    for len in 0..token.len() {
        assert!(
            check(&token[..len]).is_err(),
            "prefix of {len} bytes accepted"
        );
    }
}

#[test]
fn size_limits() {
    let filler = "x".repeat(DEFAULT_MAX_TOKEN_LEN);
    let huge = craft(HEADER, payload_with(&format!(r#","pad":"{filler}""#)));
    assert_eq!(check(&huge), Err(Error::TokenTooLong));
    assert_eq!(
        check(&"a".repeat(10 * 1024 * 1024)),
        Err(Error::TokenTooLong)
    );
    let big = craft(
        HEADER,
        payload_with(&format!(r#","pad":"{}""#, "x".repeat(5000))),
    );
    assert_eq!(check(&big), Ok(()));
    assert_eq!(
        check_at(&big, Rules::at(IAT).with_max_token_len(4096)),
        Err(Error::TokenTooLong)
    );
}

#[test]
fn json_attacks() {
    let nest = |depth: usize| format!(r#","deep":{}1{}"#, "[".repeat(depth), "]".repeat(depth));
    let objects = |depth: usize| {
        format!(
            r#","deep":{}1{}"#,
            r#"{"a":"#.repeat(depth),
            "}".repeat(depth)
        )
    };
    let cases: Vec<(String, String, Result<(), Error>)> = vec![
        (HEADER.into(), payload_with(&nest(32)), Ok(())),
        (
            HEADER.into(),
            payload_with(&nest(33)),
            Err(Error::JsonTooDeep),
        ),
        (HEADER.into(), payload_with(&objects(32)), Ok(())),
        (
            HEADER.into(),
            payload_with(&objects(100)),
            Err(Error::JsonTooDeep),
        ),
        (
            HEADER.into(),
            payload_with(&objects(33)),
            Err(Error::JsonTooDeep),
        ),
        (
            HEADER.into(),
            payload_with(&format!(",\"exp\":{EXP}")),
            Err(Error::DuplicateClaim),
        ),
        (
            HEADER.into(),
            payload_with(r#","apikey":"k2""#),
            Err(Error::DuplicateClaim),
        ),
        (
            HEADER.into(),
            payload_with(r#","permissions":["ask_join"]"#),
            Err(Error::DuplicateClaim),
        ),
        (
            HEADER.into(),
            format!(r#"{{"apikey":"k","permissions":["allow_join"],"exp":"{EXP}"}}"#),
            Err(Error::WrongClaimType),
        ),
        (
            HEADER.into(),
            format!(r#"{{"apikey":"k","permissions":"allow_join","exp":{EXP}}}"#),
            Err(Error::WrongClaimType),
        ),
        (
            HEADER.into(),
            format!(r#"{{"apikey":7,"permissions":["allow_join"],"exp":{EXP}}}"#),
            Err(Error::WrongClaimType),
        ),
        (
            HEADER.into(),
            format!(r#"{{"apikey":"k","permissions":[1],"exp":{EXP}}}"#),
            Err(Error::WrongClaimType),
        ),
        (
            HEADER.into(),
            format!(r#"{{"apikey":"k","permissions":["allow_join"],"exp":{EXP}.0}}"#),
            Err(Error::WrongClaimType),
        ),
        (
            HEADER.into(),
            r#"{"apikey":"k","permissions":["allow_join"],"exp":-1}"#.to_owned(),
            Err(Error::WrongClaimType),
        ),
        (
            HEADER.into(),
            r#"{"apikey":"k","permissions":["allow_join"],"exp":null}"#.to_owned(),
            Err(Error::WrongClaimType),
        ),
        (
            HEADER.into(),
            payload_with(r#","version":"2","roomId":"r""#),
            Err(Error::WrongClaimType),
        ),
        (
            HEADER.into(),
            payload_with(r#","version":2,"roles":"rtc""#),
            Err(Error::WrongClaimType),
        ),
        (
            HEADER.into(),
            payload_with(r#","version":2,"roles":["rtc","rtc"]"#),
            Err(Error::DuplicateRole),
        ),
        (
            HEADER.into(),
            format!(r#"{{"apikey":"k","permissions":["allow_join","allow_join"],"exp":{EXP}}}"#),
            Err(Error::DuplicatePermission),
        ),
        (
            HEADER.into(),
            payload_with(r#","version":1,"roomId":"r""#),
            Err(Error::VersionRequired),
        ),
        (
            HEADER.into(),
            payload_with(r#","version":2,"roomId":"""#),
            Err(Error::EmptyRoomId),
        ),
        (
            HEADER.into(),
            format!(r#"{{"apikey":"","permissions":["allow_join"],"exp":{EXP}}}"#),
            Err(Error::EmptyApiKey),
        ),
        (
            HEADER.into(),
            format!(r#"{{"apikey":"k","exp":{EXP}}}"#),
            Err(Error::MissingClaim),
        ),
        (
            HEADER.into(),
            format!("{} x", payload_with("")),
            Err(Error::BadJson),
        ),
        (
            HEADER.into(),
            format!("{}}}", payload_with("")),
            Err(Error::BadJson),
        ),
        (
            HEADER.into(),
            format!("\u{feff}{}", payload_with("")),
            Err(Error::BadJson),
        ),
        (HEADER.into(), format!(" \n{}\t ", payload_with("")), Ok(())),
        (
            HEADER.into(),
            payload_with(r#","x":"\ud800""#),
            Err(Error::BadJson),
        ),
        (
            HEADER.into(),
            payload_with(r#","x":"\u00zz""#),
            Err(Error::BadJson),
        ),
        (HEADER.into(), "[1,2]".into(), Err(Error::BadJson)),
        (HEADER.into(), "".into(), Err(Error::Malformed)),
        (
            r#"{"alg":"HS256","alg":"none"}"#.into(),
            payload_with(""),
            Err(Error::BadHeader),
        ),
        (
            r#"{"alg":"hs256"}"#.into(),
            payload_with(""),
            Err(Error::WrongAlgorithm),
        ),
        (
            r#"{"alg":"RS256","typ":"JWT"}"#.into(),
            payload_with(""),
            Err(Error::WrongAlgorithm),
        ),
        (
            r#"{"typ":"JWT"}"#.into(),
            payload_with(""),
            Err(Error::BadHeader),
        ),
        (
            r#"{"alg":null}"#.into(),
            payload_with(""),
            Err(Error::BadHeader),
        ),
        (
            r#"{"alg":"HS256","crit":["exp"]}"#.into(),
            payload_with(""),
            Err(Error::BadHeader),
        ),
        (
            r#"{"alg":"HS256","kid":{"nested":[true]}}"#.into(),
            payload_with(""),
            Ok(()),
        ),
        (r#""HS256""#.into(), payload_with(""), Err(Error::BadJson)),
    ];
    for (header, payload, want) in cases {
        let token = craft(&header, &payload);
        let shown: String = payload.chars().take(120).collect();
        assert_eq!(check(&token), want, "{header} . {shown}");
    }
    // Not UTF-8 at all: short, and in claims longer than a 64-byte block (where a check
    // that takes a block at a time fails differently from one that takes a byte), each
    // malformed sequence after every character boundary across the first blocks.
    assert_eq!(
        check(&craft(HEADER, b"{\"apikey\":\"\xff\"}")),
        Err(Error::BadJson)
    );
    let claims = payload_with("");
    let (before, after) = claims.split_once("\"k\"").expect("the apikey");
    let with_apikey =
        |apikey: &[u8]| [before.as_bytes(), b"\"", apikey, b"\"", after.as_bytes()].concat();
    let bad: [&[u8]; 6] = [
        b"\xff",
        b"\xc0\xaf",
        b"\xed\xa0\x80",
        b"\xf0\x9f\x98",
        b"\xf4\x90\x80\x80",
        b"\x80",
    ];
    let room = "\u{1f600}é-".repeat(12);
    for at in (1..80).filter(|&at| room.is_char_boundary(at)) {
        let prefix = &room.as_bytes()[..at];
        for sequence in bad {
            let token = craft(HEADER, with_apikey(&[prefix, sequence].concat()));
            let shown = String::from_utf8_lossy(sequence);
            assert_eq!(check(&token), Err(Error::BadJson), "{shown:?} after {at}");
        }
        // Cut at that boundary, the same claims verify.
        assert_eq!(
            check(&craft(HEADER, with_apikey(prefix))),
            Ok(()),
            "cut at {at}"
        );
    }
}

#[test]
fn expiry_and_not_before_boundaries() {
    let token = craft(HEADER, payload_with(&format!(r#","nbf":{}"#, IAT + 10)));
    let at = |now: u64, leeway: u64| check_at(&token, Rules::at(now).with_leeway(leeway));
    assert_eq!(at(IAT + 9, 0), Err(Error::NotYetValid));
    assert_eq!(at(IAT + 10, 0), Ok(()));
    assert_eq!(at(IAT + 9, 1), Ok(()));
    assert_eq!(at(EXP - 1, 0), Ok(()));
    assert_eq!(at(EXP, 0), Err(Error::Expired));
    assert_eq!(at(EXP, 1), Ok(()));
    assert_eq!(at(EXP + 1, 1), Err(Error::Expired));
    assert_eq!(
        at(u64::MAX - 1, u64::MAX),
        Ok(()),
        "exp + leeway saturates, never wraps"
    );
    assert_eq!(at(u64::MAX, 0), Err(Error::Expired));
}

#[test]
fn decode_unverified_reads_any_algorithm_but_checks_form() {
    let token = craft(r#"{"alg":"none","typ":"JWT","kid":"k"}"#, payload_with(""));
    let mut scratch = vec![0u8; token.len()];
    let read = dangerous::decode_unverified(&token, &mut scratch).expect("decodes");
    assert_eq!((read.alg(), read.typ()), ("none", Some("JWT")));
    assert_eq!(read.claims().apikey(), "k");
    assert_eq!(read.claims().exp(), Some(EXP));
    let mut tiny = [0u8; 8];
    assert!(matches!(
        dangerous::decode_unverified(&token, &mut tiny),
        Err(Error::ScratchTooSmall { needed }) if needed > 8 && needed <= token.len()
    ));
    let mut scratch = vec![0u8; 64];
    assert_eq!(
        dangerous::decode_unverified("a.b", &mut scratch),
        Err(Error::Malformed)
    );
}
