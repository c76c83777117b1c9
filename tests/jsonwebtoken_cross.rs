//! Cross-check with the Rust `jsonwebtoken` crate: whatever claims we sign, it accepts the
//! token and reads back the same claims.

use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode};
use proptest::prelude::*;
use serde_json::{Value, json};
use videosdk_token_core::{Claims, Key, Permission, Role, sign, token_len};
use videosdk_token_harness::strategies::{ordered_subset, text};

fn decoding_key(secret: &[u8]) -> DecodingKey {
    DecodingKey::from_secret(secret).expect("any HMAC key length")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn jsonwebtoken_reads_back_what_we_signed(
        secret in proptest::collection::vec(any::<u8>(), 1..100),
        apikey in text(60),
        permissions in ordered_subset(Permission::ALL, 1),
        roles in ordered_subset(Role::ALL, 0),
        room_id in proptest::option::of(text(40)),
        participant_id in proptest::option::of(text(40)),
        version_2 in any::<bool>(),
        iat in 1u64..(1 << 40),
        lifetime in 1u64..(1 << 30),
    ) {
        let mut claims = Claims::new(&apikey, &permissions, iat, iat + lifetime).with_roles(&roles);
        claims = claims.with_version_2_if(version_2);
        claims = claims.with_optional_room_id(room_id.as_deref());
        claims = claims.with_optional_participant_id(participant_id.as_deref());
        let key = Key::new(&secret).expect("non-empty secret");
        let mut buf = vec![0u8; 4096];
        let token = sign(&claims, &key, &mut buf).expect("fits");
        prop_assert_eq!(token_len(&claims), Ok(token.len()));

        let mut validation = Validation::new(Algorithm::HS256);
        validation.validate_exp = false;
        let decoded = decode::<Value>(token, &decoding_key(&secret), &validation)
            .map_err(|e| TestCaseError::fail(format!("jsonwebtoken refused our token: {e}")))?;
        prop_assert_eq!(decoded.header.alg, Algorithm::HS256);
        prop_assert_eq!(decoded.header.typ.as_deref(), Some("JWT"));

        let mut expected = json!({
            "apikey": apikey,
            "permissions": permissions.iter().map(|p| p.as_str()).collect::<Vec<_>>(),
            "iat": iat,
            "exp": iat + lifetime,
        });
        let v2 = version_2 || room_id.is_some() || participant_id.is_some() || !roles.is_empty();
        if v2 {
            expected["version"] = json!(2);
        }
        if let Some(room_id) = &room_id {
            expected["roomId"] = json!(room_id);
        }
        if let Some(participant_id) = &participant_id {
            expected["participantId"] = json!(participant_id);
        }
        if !roles.is_empty() {
            expected["roles"] = json!(roles.iter().map(|r| r.as_str()).collect::<Vec<_>>());
        }
        prop_assert_eq!(decoded.claims, expected);

        // A different secret must not verify.
        let mut wrong = secret.clone();
        wrong[0] ^= 1;
        prop_assert!(decode::<Value>(token, &decoding_key(&wrong), &validation).is_err());
    }

    #[test]
    fn sign_claims_output_is_read_back_by_jsonwebtoken(
        secret in proptest::collection::vec(any::<u8>(), 1..80),
        name in text(40),
        count in any::<u32>(),
        exp in 1u64..(1 << 50),
    ) {
        #[derive(serde::Serialize)]
        struct Custom<'a> { sub: &'a str, count: u32, admin: bool, exp: u64 }
        let key = Key::new(&secret).expect("non-empty secret");
        let mut buf = vec![0u8; 2048];
        let custom = Custom { sub: &name, count, admin: true, exp };
        let token = videosdk_token_core::sign_claims(&custom, &key, &mut buf).expect("fits");
        let mut validation = Validation::new(Algorithm::HS256);
        validation.validate_exp = false;
        let decoded = decode::<Value>(token, &decoding_key(&secret), &validation)
            .map_err(|e| TestCaseError::fail(format!("jsonwebtoken refused our token: {e}")))?;
        prop_assert_eq!(decoded.claims, json!({"sub": name, "count": count, "admin": true, "exp": exp}));
    }
}
