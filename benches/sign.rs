//! Signing throughput against its anchors, in one group and one run: our `sign` with a reused
//! key and keyed per token, the Rust `jsonwebtoken` crate's `encode`, and the floor, HMAC-SHA256
//! alone over the same signing input from a cloned keyed state.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use videosdk_token_core::{Claims, Key, sign};
use videosdk_token_harness::example::{self, SECRET};

/// A typical v2 meeting token whose signing input (`header.payload`) is 308 bytes.
fn claims() -> Claims<'static> {
    example::claims(1_700_000_000, 1_700_007_200)
}

#[derive(serde::Serialize)]
struct JwtClaims<'a> {
    apikey: &'a str,
    permissions: [&'a str; 2],
    version: u8,
    #[serde(rename = "roomId")]
    room_id: &'a str,
    #[serde(rename = "participantId")]
    participant_id: &'a str,
    roles: [&'a str; 1],
    iat: u64,
    exp: u64,
}

fn bench_sign(c: &mut Criterion) {
    let claims = claims();
    let key = Key::new(SECRET).expect("secret");
    let mut buf = [0u8; 512];
    let token = sign(&claims, &key, &mut buf).expect("fits").to_owned();
    let signing_input = token
        .rsplit_once('.')
        .expect("three segments")
        .0
        .as_bytes()
        .to_vec();
    assert_eq!(signing_input.len(), 308, "the benchmark claims drifted");

    let jwt_claims = JwtClaims {
        apikey: claims.apikey(),
        permissions: ["allow_join", "allow_mod"],
        version: 2,
        room_id: claims.room_id().unwrap_or_default(),
        participant_id: claims.participant_id().unwrap_or_default(),
        roles: ["rtc"],
        iat: claims.iat(),
        exp: claims.exp(),
    };
    let jwt_header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
    let jwt_key = jsonwebtoken::EncodingKey::from_secret(SECRET).expect("any key length");
    let floor_key = Hmac::<Sha256>::new_from_slice(SECRET).expect("any key length");

    let mut group = c.benchmark_group("sign");
    group.throughput(Throughput::Elements(1));
    group.bench_function("floor: HMAC-SHA256 of the 308-byte signing input", |b| {
        b.iter(|| {
            let mut mac = floor_key.clone();
            mac.update(black_box(&signing_input));
            black_box(mac.finalize().into_bytes())
        });
    });
    group.bench_function("videosdk-token sign, reused key", |b| {
        b.iter(|| black_box(sign(black_box(&claims), &key, &mut buf).map(str::len)));
    });
    group.bench_function("videosdk-token sign, keyed per token", |b| {
        b.iter(|| {
            let key = Key::new(black_box(SECRET)).expect("secret");
            black_box(sign(black_box(&claims), &key, &mut buf).map(str::len))
        });
    });
    group.bench_function("jsonwebtoken encode, key made once", |b| {
        b.iter(|| {
            black_box(jsonwebtoken::encode(
                &jwt_header,
                black_box(&jwt_claims),
                &jwt_key,
            ))
        });
    });
    group.finish();
}

criterion_group!(benches, bench_sign);
criterion_main!(benches);
