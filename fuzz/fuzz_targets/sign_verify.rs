//! Structured claims through `sign` then `verify`: `token_len` is exact, the round trip
//! returns the same claims, and a buffer one byte short is refused and left zeroed.
//! `dangerous::sign_json` of the token's own payload gives the same token, and of any bytes a
//! token whose payload is those bytes and whose MAC is HMAC-SHA256's.
#![no_main]

use arbitrary::Arbitrary;
use base64ct::{Base64UrlUnpadded, Encoding};
use hmac::{Hmac, KeyInit, Mac};
use libfuzzer_sys::fuzz_target;
use videosdk_token_core::{
    Claims, Error, Key, Permission, Role, Rules, dangerous, sign, token_len, verify,
};

#[derive(Debug, Arbitrary)]
struct Input<'a> {
    secret: &'a [u8],
    apikey: &'a str,
    permissions: Vec<u8>,
    roles: Vec<u8>,
    room_id: Option<&'a str>,
    participant_id: Option<&'a str>,
    version_2: bool,
    iat: u64,
    lifetime: u64,
    json: &'a [u8],
}

fuzz_target!(|input: Input<'_>| {
    let permissions: Vec<Permission> = input
        .permissions
        .iter()
        .map(|b| Permission::ALL[usize::from(*b) % Permission::ALL.len()])
        .collect();
    let roles: Vec<Role> = input
        .roles
        .iter()
        .map(|b| Role::ALL[usize::from(*b) % Role::ALL.len()])
        .collect();
    let mut claims = Claims::new(
        input.apikey,
        &permissions,
        input.iat,
        input.iat.saturating_add(input.lifetime),
    )
    .with_roles(&roles);
    if input.version_2 {
        claims = claims.with_version_2();
    }
    claims = claims.with_optional_room_id(input.room_id);
    claims = claims.with_optional_participant_id(input.participant_id);
    let Ok(key) = Key::new(input.secret) else {
        return;
    };
    let mut raw = vec![0u8; 37 + input.json.len().div_ceil(3) * 4 + 44];
    let signed = dangerous::sign_json(input.json, &key, &mut raw).expect("room for any payload");
    let (signing_input, signature) = signed.rsplit_once('.').expect("three segments");
    let payload = signing_input.split_once('.').expect("a header").1;
    assert_eq!(
        Base64UrlUnpadded::decode_vec(payload).expect("base64url"),
        input.json
    );
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(input.secret).expect("any key length");
    mac.update(signing_input.as_bytes());
    assert_eq!(
        Base64UrlUnpadded::decode_vec(signature).expect("base64url"),
        mac.finalize().into_bytes().as_slice()
    );
    let Ok(len) = token_len(&claims) else {
        assert!(sign(&claims, &key, &mut [0u8; 4096]).is_err());
        return;
    };
    let mut buf = vec![0u8; len];
    let token = sign(&claims, &key, &mut buf)
        .expect("token_len said it fits")
        .to_owned();
    assert_eq!(token.len(), len);
    let mut short = vec![0xaa; len - 1];
    assert_eq!(
        sign(&claims, &key, &mut short),
        Err(Error::BufferTooSmall { needed: len })
    );
    assert!(short.iter().all(|&b| b == 0));

    let json = Base64UrlUnpadded::decode_vec(token.split('.').nth(1).expect("a payload"))
        .expect("base64url");
    let mut again = vec![0u8; len];
    assert_eq!(
        dangerous::sign_json(&json, &key, &mut again).expect("the same length"),
        token
    );

    let mut scratch = vec![0u8; len];
    let rules = Rules::at(claims.iat()).with_max_token_len(usize::MAX);
    let verified = verify(&token, &key, &rules, &mut scratch).expect("our own token verifies");
    let read = verified.claims();
    assert_eq!(read.apikey(), claims.apikey());
    assert_eq!(read.permissions(), claims.permissions());
    assert_eq!(read.roles(), claims.roles());
    assert_eq!(read.room_id(), claims.room_id());
    assert_eq!(read.participant_id(), claims.participant_id());
    assert_eq!(read.version(), claims.version().map(u64::from));
    assert_eq!(
        (read.iat(), verified.exp()),
        (Some(claims.iat()), claims.exp())
    );
});
