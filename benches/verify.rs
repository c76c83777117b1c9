//! Verification throughput against its anchors, in one group and one run: our `verify`, the
//! Rust `jsonwebtoken` crate's `decode` with validation, and the floor, HMAC-SHA256 alone over
//! the same 308-byte signing input from a cloned keyed state.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use videosdk_token_core::{Key, Rules, sign, verify};
use videosdk_token_harness::example::{self, SECRET};

const IAT: u64 = 1_700_000_000;

fn bench_verify(c: &mut Criterion) {
    // Expiring in 2100, so that jsonwebtoken (which reads the real clock) accepts it too.
    let claims = example::claims(IAT, 4_102_444_800);
    let key = Key::new(SECRET).expect("secret");
    let mut buf = [0u8; 512];
    let token = sign(&claims, &key, &mut buf).expect("fits").to_owned();
    let (signing_input, _) = token.rsplit_once('.').expect("three segments");
    assert_eq!(signing_input.len(), 308, "the benchmark claims drifted");
    let signing_input = signing_input.as_bytes().to_vec();
    let rules = Rules::at(IAT + 60);
    let mut scratch = [0u8; 512];

    let jwt_key = jsonwebtoken::DecodingKey::from_secret(SECRET).expect("any key length");
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::HS256);
    validation.set_required_spec_claims(&["exp"]);
    let floor_key = Hmac::<Sha256>::new_from_slice(SECRET).expect("any key length");

    let mut group = c.benchmark_group("verify");
    group.throughput(Throughput::Elements(1));
    group.bench_function("floor: HMAC-SHA256 of the 308-byte signing input", |b| {
        b.iter(|| {
            let mut mac = floor_key.clone();
            mac.update(black_box(&signing_input));
            black_box(mac.finalize().into_bytes())
        });
    });
    group.bench_function("videosdk-token verify", |b| {
        b.iter(|| {
            black_box(verify(black_box(&token), &key, &rules, &mut scratch).map(|v| v.exp()))
        });
    });
    group.bench_function("jsonwebtoken decode + validate", |b| {
        b.iter(|| {
            black_box(
                jsonwebtoken::decode::<serde_json::Value>(black_box(&token), &jwt_key, &validation)
                    .is_ok(),
            )
        });
    });
    group.finish();
}

criterion_group!(benches, bench_verify);
criterion_main!(benches);
