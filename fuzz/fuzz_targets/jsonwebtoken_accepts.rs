//! Differential: every token we sign is accepted by the Rust `jsonwebtoken` crate, which
//! reads back the same claims.
#![no_main]

use arbitrary::Arbitrary;
use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode};
use libfuzzer_sys::fuzz_target;
use serde_json::{Value, json};
use videosdk_token_core::{Claims, Key, Permission, Role, sign};

#[derive(Debug, Arbitrary)]
struct Input<'a> {
    secret: &'a [u8],
    apikey: &'a str,
    permissions: Vec<u8>,
    roles: Vec<u8>,
    room_id: Option<&'a str>,
    iat: u32,
    lifetime: u32,
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
    let iat = u64::from(input.iat);
    let mut claims = Claims::new(
        input.apikey,
        &permissions,
        iat,
        iat + u64::from(input.lifetime),
    )
    .with_roles(&roles);
    claims = claims.with_optional_room_id(input.room_id);
    let Ok(key) = Key::new(input.secret) else {
        return;
    };
    let mut buf = vec![0u8; 64 * 1024];
    let Ok(token) = sign(&claims, &key, &mut buf) else {
        return;
    };

    let mut validation = Validation::new(Algorithm::HS256);
    validation.validate_exp = false;
    validation.required_spec_claims.clear();
    let jwt_key = DecodingKey::from_secret(input.secret).expect("any HMAC key length");
    let decoded =
        decode::<Value>(token, &jwt_key, &validation).expect("jsonwebtoken accepts our token");
    let mut expected = json!({
        "apikey": claims.apikey(),
        "permissions": claims.permissions().iter().map(|p| p.as_str()).collect::<Vec<_>>(),
        "iat": claims.iat(),
        "exp": claims.exp(),
    });
    if claims.version().is_some() {
        expected["version"] = json!(2);
    }
    if let Some(room_id) = claims.room_id() {
        expected["roomId"] = json!(room_id);
    }
    if !claims.roles().is_empty() {
        expected["roles"] = json!(
            claims
                .roles()
                .iter()
                .map(|r| r.as_str())
                .collect::<Vec<_>>()
        );
    }
    assert_eq!(decoded.claims, expected);
});
