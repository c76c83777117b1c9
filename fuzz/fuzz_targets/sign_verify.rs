//! Structured claims through `sign` then `verify`: `token_len` is exact, the round trip
//! returns the same claims, and a buffer one byte short is refused and left zeroed.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use videosdk_token_core::{Claims, Error, Key, Permission, Role, Rules, sign, token_len, verify};

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
