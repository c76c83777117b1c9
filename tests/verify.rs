//! Verification against tokens made by Node's `jsonwebtoken` and the Rust `jsonwebtoken`
//! crate, and round trips of random claims.

use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use proptest::prelude::*;
use serde_json::json;
use videosdk_token_core::{
    Claims, Error, Join, Key, Permission, Refusal, Role, Rules, TokenClaims, dangerous, sign,
    verify, verify_in_place,
};
use videosdk_token_harness::strategies::{ordered_subset, text};
use videosdk_token_harness::vectors::{self, Typed};

fn assert_same_claims(read: &TokenClaims<'_>, typed: &Typed<'_>, name: &str) {
    let claims = typed.claims().expect("valid claims");
    assert_eq!(read.apikey(), claims.apikey(), "{name}");
    assert_eq!(read.permissions(), claims.permissions(), "{name}");
    assert_eq!(read.version(), claims.version(), "{name}");
    assert_eq!(read.room_id(), claims.room_id(), "{name}");
    assert_eq!(read.participant_id(), claims.participant_id(), "{name}");
    assert_eq!(read.roles(), claims.roles(), "{name}");
    assert_eq!(read.iat(), Some(claims.iat()), "{name}");
    assert_eq!(read.exp(), Some(claims.exp()), "{name}");
    assert_eq!(read.nbf(), None, "{name}");
}

#[test]
fn every_golden_vector_verifies_and_reads_back() {
    let doc = vectors::load();
    for vector in &doc.vectors {
        let typed = vector.typed();
        let key = Key::new(vector.secret.as_bytes()).expect("secret");
        let iat = vector.claims.iat;
        let mut scratch = vec![0u8; vector.token.len()];
        let verified = verify(&vector.token, &key, &Rules::at(iat), &mut scratch)
            .unwrap_or_else(|e| panic!("{}: {e}", vector.name));
        assert_same_claims(verified.claims(), &typed, &vector.name);

        // One buffer: the token's own bytes.
        let mut bytes = vector.token.as_bytes().to_vec();
        let in_place = verify_in_place(&mut bytes, &key, &Rules::at(iat))
            .unwrap_or_else(|e| panic!("{} in place: {e}", vector.name));
        assert_same_claims(in_place.claims(), &typed, &vector.name);

        let mut scratch = vec![0u8; vector.token.len()];
        let unverified =
            dangerous::decode_unverified(&vector.token, &mut scratch).expect("decodes");
        assert_eq!((unverified.alg(), unverified.typ()), ("HS256", Some("JWT")));
        assert_same_claims(unverified.claims(), &typed, &vector.name);

        // One second before expiry is valid; expiry itself is not.
        let exp = verified.exp();
        let mut scratch = vec![0u8; vector.token.len()];
        assert!(verify(&vector.token, &key, &Rules::at(exp - 1), &mut scratch).is_ok());
        assert_eq!(
            verify(&vector.token, &key, &Rules::at(exp), &mut scratch),
            Err(Error::Expired)
        );
    }
}

fn kind(result: &Result<videosdk_token_core::VerifiedClaims<'_>, Error>) -> String {
    match result {
        Ok(_) => "valid".to_owned(),
        Err(e) => format!("{e:?}")
            .split([' ', '{'])
            .next()
            .unwrap_or_default()
            .to_owned(),
    }
}

#[test]
fn node_made_tokens_get_the_expected_verdict() {
    let doc = vectors::load();
    assert!(doc.verify.len() >= 25);
    for case in &doc.verify {
        let key = Key::new(case.secret.as_bytes()).expect("secret");
        let rules = Rules::at(case.now).with_leeway(case.leeway);
        let mut scratch = vec![0u8; case.token.len()];
        let result = verify(&case.token, &key, &rules, &mut scratch);
        assert_eq!(kind(&result), case.expect, "{}", case.name);
        let mut bytes = case.token.as_bytes().to_vec();
        let in_place = verify_in_place(&mut bytes, &key, &rules);
        assert_eq!(kind(&in_place), case.expect, "{} in place", case.name);
        // Where we accept, Node accepts too; where Node refuses, so do we.
        if case.expect == "valid" {
            assert_eq!(case.node, "valid", "{}", case.name);
        }
        if case.node != "valid" {
            assert!(
                result.is_err(),
                "{}: Node refused ({}) but we accepted",
                case.name,
                case.node
            );
        }
    }
}

#[test]
fn escapes_and_unknown_claims_read_correctly() {
    let doc = vectors::load();
    let case = doc
        .verify
        .iter()
        .find(|c| c.name == "escaped strings decode")
        .expect("case");
    let key = Key::new(case.secret.as_bytes()).expect("secret");
    let mut scratch = vec![0u8; case.token.len()];
    let verified = verify(&case.token, &key, &Rules::at(case.now), &mut scratch).expect("valid");
    assert_eq!(
        verified.claims().room_id(),
        Some("r\u{e9}\n\"\\/\u{2028}😀")
    );
    assert_eq!(verified.claims().participant_id(), Some("\u{1}"));

    let case = doc
        .verify
        .iter()
        .find(|c| c.name == "nbf reached")
        .expect("case");
    let mut scratch = vec![0u8; case.token.len()];
    let verified = verify(&case.token, &key, &Rules::at(case.now), &mut scratch).expect("valid");
    assert_eq!(verified.claims().nbf(), Some(case.now));
}

#[test]
fn scratch_too_small_names_the_size() {
    let doc = vectors::load();
    let vector = &doc.vectors[0];
    let key = Key::new(vector.secret.as_bytes()).expect("secret");
    let payload = vector.token.split('.').nth(1).expect("payload");
    let needed = payload.len() * 3 / 4;
    let mut scratch = vec![0u8; needed - 1];
    let rules = Rules::at(vector.claims.iat);
    assert_eq!(
        verify(&vector.token, &key, &rules, &mut scratch),
        Err(Error::ScratchTooSmall { needed })
    );
    let mut scratch = vec![0u8; needed];
    assert!(verify(&vector.token, &key, &rules, &mut scratch).is_ok());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn sign_then_verify_round_trips(
        secret in proptest::collection::vec(any::<u8>(), 1..100),
        apikey in text(60),
        permissions in ordered_subset(Permission::ALL, 1),
        roles in ordered_subset(Role::ALL, 0),
        room_id in proptest::option::of(text(40)),
        participant_id in proptest::option::of(text(40)),
        iat in 1u64..(1 << 40),
        lifetime in 1u64..(1 << 30),
    ) {
        let mut claims = Claims::new(&apikey, &permissions, iat, iat + lifetime).with_roles(&roles);
        claims = claims.with_optional_room_id(room_id.as_deref());
        claims = claims.with_optional_participant_id(participant_id.as_deref());
        let key = Key::new(&secret).expect("secret");
        let mut buf = vec![0u8; 4096];
        let token = sign(&claims, &key, &mut buf).expect("fits").to_owned();
        let mut scratch = vec![0u8; token.len()];
        let verified = verify(&token, &key, &Rules::at(iat), &mut scratch).expect("verifies");
        let read = verified.claims();
        prop_assert_eq!(read.apikey(), apikey.as_str());
        prop_assert_eq!(read.permissions(), permissions.as_slice());
        prop_assert_eq!(read.roles(), roles.as_slice());
        prop_assert_eq!(read.room_id(), room_id.as_deref());
        prop_assert_eq!(read.participant_id(), participant_id.as_deref());
        prop_assert_eq!(read.version(), claims.version());
        prop_assert_eq!((read.iat(), verified.exp()), (Some(iat), iat + lifetime));
    }

    #[test]
    fn tokens_from_the_rust_jsonwebtoken_crate_verify(
        secret in proptest::collection::vec(any::<u8>(), 1..100),
        apikey in text(60),
        permissions in ordered_subset(Permission::ALL, 1),
        roles in ordered_subset(Role::ALL, 0),
        room_id in text(40),
        extra in text(20),
        iat in 1u64..(1 << 40),
        lifetime in 1u64..(1 << 30),
    ) {
        let payload = json!({
            "exp": iat + lifetime,
            "roomId": room_id,
            "permissions": permissions.iter().map(|p| p.as_str()).collect::<Vec<_>>(),
            "apikey": apikey,
            "roles": roles.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
            "version": 2,
            "extra": { "note": extra, "list": [1, 2.5, null] },
            "iat": iat,
        });
        let key = EncodingKey::from_secret(&secret).expect("any key length");
        let token = encode(&Header::new(Algorithm::HS256), &payload, &key).expect("encodes");
        let mut scratch = vec![0u8; token.len()];
        let ours = Key::new(&secret).expect("secret");
        let verified = verify(&token, &ours, &Rules::at(iat), &mut scratch).expect("verifies");
        prop_assert_eq!(verified.apikey(), apikey.as_str());
        prop_assert_eq!(verified.claims().permissions(), permissions.as_slice());
        prop_assert_eq!(verified.claims().roles(), roles.as_slice());
        prop_assert_eq!(verified.claims().room_id(), Some(room_id.as_str()));
        prop_assert_eq!(verified.exp(), iat + lifetime);
    }
}

/// Names this crate does not know (VideoSDK's own examples sign `"CRAWLER"`, `"PUBLISHER"`,
/// third-party code `allow_live_stream`) keep the signature and time verdict, are reported,
/// grant nothing, and refuse the token under `refusing_unknown_names`.
#[test]
fn unknown_names_are_reported_and_grant_nothing() {
    let doc = vectors::load();
    let case = |name: &str| {
        doc.verify
            .iter()
            .find(|c| c.name == name)
            .unwrap_or_else(|| panic!("no verify case {name:?}"))
    };
    let check =
        |name: &str,
         strict: bool,
         run: &dyn Fn(Result<videosdk_token_core::VerifiedClaims<'_>, Error>)| {
            let c = case(name);
            let key = Key::new(c.secret.as_bytes()).expect("secret");
            let mut rules = Rules::at(c.now);
            if strict {
                rules = rules.refusing_unknown_names();
            }
            let mut scratch = vec![0u8; c.token.len()];
            run(verify(&c.token, &key, &rules, &mut scratch));
            let mut bytes = c.token.as_bytes().to_vec();
            run(verify_in_place(&mut bytes, &key, &rules));
        };

    check(
        "roles as the official Python example signs them",
        false,
        &|result| {
            let verified = result.expect("valid");
            assert_eq!(verified.claims().unknown_roles(), ["CRAWLER", "PUBLISHER"]);
            assert!(verified.claims().roles().is_empty());
            assert!(!verified.claims().allows_meetings());
            assert!(!verified.claims().allows_server_api());
            assert_eq!(
                verified.join("any-room", None),
                Err(Refusal::UnknownRolesOnly)
            );
            assert_eq!(
                verified.call_server_api(None),
                Err(Refusal::UnknownRolesOnly)
            );
        },
    );
    check(
        "roles as the official Python example signs them",
        true,
        &|result| {
            assert_eq!(result.map(|_| ()), Err(Error::UnknownRole));
        },
    );
    check("a permission from third-party code", false, &|result| {
        let verified = result.expect("valid");
        assert_eq!(verified.claims().permissions(), [Permission::AllowJoin]);
        assert_eq!(
            verified.claims().unknown_permissions(),
            ["allow_live_stream"]
        );
        assert_eq!(verified.join("r", None), Ok(Join::Directly));
    });
    check("a permission from third-party code", true, &|result| {
        assert_eq!(result.map(|_| ()), Err(Error::UnknownPermission));
    });
    check("only unknown permissions", false, &|result| {
        let verified = result.expect("valid");
        assert!(verified.claims().permissions().is_empty());
        assert_eq!(verified.join("r", None), Err(Refusal::NoJoinPermission));
        assert!(verified.moderate("r", None).is_err());
    });
    check("unknown role", false, &|result| {
        let verified = result.expect("valid");
        assert!(verified.claims().roles().is_empty());
        assert_eq!(verified.claims().unknown_roles(), ["admin"]);
        assert_eq!(
            verified.join("abcd-efgh-ijkl", Some("p-1")),
            Err(Refusal::UnknownRolesOnly)
        );
    });
}

/// The claims' borrow of the scratch buffer ends at their last use (no field whose destructor
/// holds it), so a device can verify twice with one buffer: this test stops compiling if that
/// changes.
#[test]
fn scratch_is_free_again_after_the_claims_are_last_used() {
    let doc = vectors::load();
    let vector = doc.vectors.first().expect("a vector");
    let key = Key::new(vector.secret.as_bytes()).expect("secret");
    let mut scratch = [0u8; 1024];
    let verified = verify(
        &vector.token,
        &key,
        &Rules::at(vector.claims.iat),
        &mut scratch,
    )
    .expect("valid");
    let exp = verified.exp();
    // `verified` is still in scope, unused from here on.
    assert_eq!(
        verify(&vector.token, &key, &Rules::at(exp), &mut scratch),
        Err(Error::Expired)
    );
}

/// Every row of the guide's "Stricter than Node" table (docs/security.md) is a Node-made token that Node
/// accepted and that `verify` (and `verify_in_place`) refuses with the error the row names.
#[test]
fn the_stricter_than_node_table_is_what_verify_does() {
    let readme = std::fs::read_to_string(videosdk_token_harness::root().join("docs/security.md"))
        .expect("docs/security.md");
    let table = readme
        .split("### Stricter than Node, on purpose")
        .nth(1)
        .expect("the table's heading");
    let doc = vectors::load();
    let mut rows = 0;
    for line in table
        .lines()
        .skip_while(|l| !l.starts_with("| case"))
        .skip(2)
    {
        let Some(cells) = line.strip_prefix('|') else {
            break;
        };
        let cells: Vec<&str> = cells.split('|').map(str::trim).collect();
        let (name, node, ours) = (cells[0], cells[1], cells[2].trim_matches('`'));
        let case = doc
            .verify
            .iter()
            .find(|c| c.name == format!("strict: {name}"))
            .unwrap_or_else(|| panic!("README row {name:?} has no Node-made token"));
        assert_eq!(node, "accepts", "{name}");
        assert_eq!(case.node, "valid", "{name}: Node's recorded verdict");
        let key = Key::new(case.secret.as_bytes()).expect("secret");
        let rules = Rules::at(case.now);
        let mut scratch = vec![0u8; case.token.len()];
        assert_eq!(
            kind(&verify(&case.token, &key, &rules, &mut scratch)),
            ours,
            "{name}"
        );
        let mut bytes = case.token.as_bytes().to_vec();
        assert_eq!(
            kind(&verify_in_place(&mut bytes, &key, &rules)),
            ours,
            "{name}"
        );
        rows += 1;
    }
    assert!(rows >= 15, "only {rows} rows read from the README table");
}
