//! Sign and verify on three claim shapes, each against the HMAC floor over the same signing
//! input in the same run, with the `simd` kernels on and switched off (the portable code, on
//! the same machine in the same run: `benches/gate.py` fails when a kernel is much slower);
//! tokens signed as `batch` signs them, against the same floor;
//! and a sweep of signing-input lengths from 100 bytes to 2 KiB for the plot in
//! `benches/RESULTS.md` (made by `benches/results.py`).
//!
//! - minimal: a short `apikey` and one permission (a 155-byte signing input);
//! - typical: a v2 meeting token with room, participant and role (308 bytes);
//! - escape-heavy: quotes, backslashes, control characters and emoji, a 200-byte room (592).

use std::hint::black_box;

use base64ct::{Base64UrlUnpadded, Encoding};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use videosdk_token_core::{Claims, Key, Permission, Role, Rules, sign, verify};
use videosdk_token_harness::example::{self, SECRET};

const IAT: u64 = 1_700_000_000;
// Far ahead, so that jsonwebtoken (which reads the real clock) accepts the tokens too.
const EXP: u64 = 4_102_444_800;
const APIKEY: &str = "b5a3f0e2-6c1d-4c5e-9f3a-1d2e3f4a5b6c";

/// A 200-byte room of characters JSON escapes, and emoji.
fn escape_room() -> String {
    let mut room = String::new();
    for c in "room \"quoted\" \\ \u{1f600} ".chars().cycle() {
        if room.len() + c.len_utf8() > 200 {
            break;
        }
        room.push(c);
    }
    room
}

/// The three shapes, named, with their claims.
fn shapes(room: &str) -> Vec<(&'static str, Claims<'_>)> {
    vec![
        (
            "minimal",
            Claims::new("demo-api-key", &[Permission::AllowJoin], IAT, EXP),
        ),
        ("typical", example::claims(IAT, EXP)),
        (
            "escape-heavy",
            Claims::new(
                "key\"with\\quotes\u{8}",
                &[Permission::AllowJoin, Permission::AllowMod],
                IAT,
                EXP,
            )
            .with_version_2()
            .with_room_id(room)
            .with_participant_id("p\u{0}\u{1b}\u{2028}\u{1f3a5}\"")
            .with_roles(&[Role::Rtc]),
        ),
    ]
}

fn signing_input(token: &str) -> Vec<u8> {
    token
        .rsplit_once('.')
        .expect("three segments")
        .0
        .as_bytes()
        .to_vec()
}

fn bench_shapes(c: &mut Criterion) {
    let key = Key::new(SECRET).expect("secret");
    let floor_key = Hmac::<Sha256>::new_from_slice(SECRET).expect("any key length");
    let room = escape_room();
    let rules = Rules::at(IAT + 60);
    for (name, claims) in shapes(&room) {
        let mut buf = vec![0u8; 4096];
        let token = sign(&claims, &key, &mut buf).expect("fits").to_owned();
        let input = signing_input(&token);
        let mut scratch = vec![0u8; token.len()];
        let mut group = c.benchmark_group(format!("shape/{name}"));
        group.throughput(Throughput::Elements(1));
        group.bench_function(format!("floor ({} bytes)", input.len()), |b| {
            b.iter(|| {
                let mut mac = floor_key.clone();
                mac.update(black_box(&input));
                black_box(mac.finalize().into_bytes())
            });
        });
        // With the kernels, then switched off: the portable code alone, in the same run.
        for (suffix, kernels) in [("", true), (" (portable)", false)] {
            videosdk_token_simd::set_enabled(kernels);
            group.bench_function(format!("sign{suffix}"), |b| {
                b.iter(|| black_box(sign(black_box(&claims), &key, &mut buf).map(str::len)));
            });
            group.bench_function(format!("verify{suffix}"), |b| {
                b.iter(|| {
                    black_box(
                        verify(black_box(&token), &key, &rules, &mut scratch).map(|v| v.exp()),
                    )
                });
            });
        }
        videosdk_token_simd::set_enabled(true);
        group.finish();
    }
}

/// Tokens as `batch` signs them from lines with a room and a participant each (one API key),
/// per token: the floor (HMAC alone, from a cloned keyed state) and `sign`.
fn bench_batch(c: &mut Criterion) {
    let key = Key::new(SECRET).expect("secret");
    let floor_key = Hmac::<Sha256>::new_from_slice(SECRET).expect("any key length");
    let claims = Claims::new(APIKEY, &[Permission::AllowJoin], IAT, EXP)
        .with_room_id("room-000001-52e6")
        .with_participant_id("user-0000001");
    let mut buf = vec![0u8; 1024];
    let input = signing_input(sign(&claims, &key, &mut buf).expect("fits"));
    let mut group = c.benchmark_group("batch");
    group.throughput(Throughput::Elements(1));
    group.bench_function(format!("floor ({} bytes)", input.len()), |b| {
        b.iter(|| {
            let mut mac = floor_key.clone();
            mac.update(black_box(&input));
            black_box(mac.finalize().into_bytes())
        });
    });
    group.bench_function("sign", |b| {
        b.iter(|| black_box(sign(black_box(&claims), &key, &mut buf).map(str::len)));
    });
    group.finish();
}

/// Signing inputs from about 100 bytes to 2 KiB (the room grows), for the plot.
fn bench_lengths(c: &mut Criterion) {
    let key = Key::new(SECRET).expect("secret");
    let floor_key = Hmac::<Sha256>::new_from_slice(SECRET).expect("any key length");
    let jwt_key = jsonwebtoken::EncodingKey::from_secret(SECRET).expect("any key length");
    let jwt_decoding = jsonwebtoken::DecodingKey::from_secret(SECRET).expect("any key length");
    let jwt_header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::HS256);
    validation.set_required_spec_claims(&["exp"]);
    let rules = Rules::at(IAT + 60);
    let mut group = c.benchmark_group("length");
    for room_len in [0usize, 100, 250, 500, 750, 1000, 1250, 1450] {
        let room = "r".repeat(room_len);
        let claims = if room_len == 0 {
            Claims::new(APIKEY, &[Permission::AllowJoin], IAT, EXP)
        } else {
            Claims::new(APIKEY, &[Permission::AllowJoin], IAT, EXP)
                .with_version_2()
                .with_room_id(&room)
        };
        let mut buf = vec![0u8; 4096];
        let token = sign(&claims, &key, &mut buf).expect("fits").to_owned();
        let input = signing_input(&token);
        let json = token.split('.').nth(1).expect("payload");
        let payload: serde_json::Value =
            serde_json::from_slice(&Base64UrlUnpadded::decode_vec(json).expect("base64url"))
                .expect("JSON");
        let mut scratch = vec![0u8; token.len()];
        let n = input.len();
        group.bench_with_input(BenchmarkId::new("floor", n), &input, |b, input| {
            b.iter(|| {
                let mut mac = floor_key.clone();
                mac.update(black_box(input));
                black_box(mac.finalize().into_bytes())
            });
        });
        group.bench_with_input(BenchmarkId::new("sign", n), &claims, |b, claims| {
            b.iter(|| black_box(sign(black_box(claims), &key, &mut buf).map(str::len)));
        });
        group.bench_with_input(BenchmarkId::new("verify", n), &token, |b, token| {
            b.iter(|| {
                black_box(verify(black_box(token), &key, &rules, &mut scratch).map(|v| v.exp()))
            });
        });
        group.bench_with_input(
            BenchmarkId::new("jsonwebtoken encode", n),
            &payload,
            |b, payload| {
                b.iter(|| {
                    black_box(jsonwebtoken::encode(
                        &jwt_header,
                        black_box(payload),
                        &jwt_key,
                    ))
                });
            },
        );
        group.bench_with_input(
            BenchmarkId::new("jsonwebtoken decode", n),
            &token,
            |b, token| {
                b.iter(|| {
                    black_box(
                        jsonwebtoken::decode::<serde_json::Value>(
                            black_box(token),
                            &jwt_decoding,
                            &validation,
                        )
                        .is_ok(),
                    )
                });
            },
        );
    }
    group.finish();
}

fn config() -> Criterion {
    // Shorter than criterion's defaults: 54 benchmarks, run several times by results.py.
    Criterion::default()
        .warm_up_time(std::time::Duration::from_secs(1))
        .measurement_time(std::time::Duration::from_secs(2))
}

criterion_group! {
    name = benches;
    config = config();
    targets = bench_shapes, bench_batch, bench_lengths
}
criterion_main!(benches);
