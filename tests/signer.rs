//! `Signer` (the prefix it remembers, and its lanes) gives exactly what `sign` gives, token
//! after token, whatever the tokens before it were.

use proptest::prelude::*;
use videosdk_token_core::{Claims, Key, LANES, Permission, Role, Signer, sign, token_len};

/// One token's claims, owned.
#[derive(Clone, Debug)]
struct Spec {
    apikey: String,
    permissions: Vec<Permission>,
    room: Option<String>,
    participant: Option<String>,
    roles: Vec<Role>,
    iat: u64,
    exp: u64,
    /// How the buffer is sized: 0 roomy, 1 exact, 2 one byte short.
    buffer: u8,
}

impl Spec {
    fn claims(&self) -> Claims<'_> {
        Claims::new(&self.apikey, &self.permissions, self.iat, self.exp)
            .with_optional_room_id(self.room.as_deref())
            .with_optional_participant_id(self.participant.as_deref())
            .with_roles(&self.roles)
    }

    fn buffer(&self) -> Vec<u8> {
        let len = token_len(&self.claims()).unwrap_or(64);
        match self.buffer {
            0 => vec![0x55; len + 700],
            1 => vec![0x55; len],
            _ => vec![0x55; len.saturating_sub(1)],
        }
    }
}

fn spec() -> impl Strategy<Value = Spec> {
    // Few API keys, one of them over a block long: most tokens share their first blocks with
    // some before them, as a batch's do, and some share three or more.
    let apikey = prop_oneof![
        Just("b5a3f0e2-6c1d-4c5e-9f3a-1d2e3f4a5b6c".to_owned()),
        Just("k".repeat(150)),
        Just("short".to_owned()),
        Just(String::new()),
    ];
    let permissions = prop_oneof![
        8 => Just(vec![Permission::AllowJoin]),
        1 => Just(vec![Permission::AskJoin, Permission::AllowMod]),
        1 => Just(vec![]),
    ];
    let id = proptest::option::of("[a-z0-9\"\\\\\u{0}-\u{1f}é😀]{0,120}");
    (
        apikey,
        permissions,
        id.clone(),
        id,
        prop_oneof![Just(vec![]), Just(vec![Role::Rtc])],
        prop_oneof![Just(1_700_000_000u64), 0u64..(1 << 40)],
        0u8..3,
    )
        .prop_map(
            |(apikey, permissions, room, participant, roles, iat, buffer)| Spec {
                apikey,
                permissions,
                room,
                participant,
                roles,
                iat,
                exp: iat + 7200,
                buffer,
            },
        )
}

/// Signing alone or four at a time.
#[derive(Clone, Debug)]
enum Step {
    One(Spec),
    Lanes(Box<[Spec; LANES]>),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        spec().prop_map(Step::One),
        proptest::array::uniform4(spec()).prop_map(|four| Step::Lanes(Box::new(four))),
    ]
}

/// What `sign` leaves in a buffer like `spec`'s: its result and the buffer's bytes.
fn expected(spec: &Spec, key: &Key) -> (Result<String, videosdk_token_core::Error>, Vec<u8>) {
    let mut buf = spec.buffer();
    let result = sign(&spec.claims(), key, &mut buf).map(str::to_owned);
    (result, buf)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn a_signer_gives_what_sign_gives(
        steps in proptest::collection::vec(step(), 1..24),
        secret in proptest::collection::vec(any::<u8>(), 1..80),
    ) {
        let key = Key::new(&secret).expect("non-empty");
        let mut signer = Signer::new(&key);
        for step in &steps {
            match step {
                Step::One(spec) => {
                    let mut buf = spec.buffer();
                    let got = signer.sign(&spec.claims(), &mut buf).map(str::to_owned);
                    prop_assert_eq!((got, buf), expected(spec, &key));
                }
                Step::Lanes(specs) => {
                    let claims: Vec<Claims<'_>> = specs.iter().map(Spec::claims).collect();
                    let mut bufs: Vec<Vec<u8>> = specs.iter().map(Spec::buffer).collect();
                    let [a, b, c, d] = &mut bufs[..] else { unreachable!("four") };
                    let got = signer
                        .sign_lanes(
                            [&claims[0], &claims[1], &claims[2], &claims[3]],
                            [a.as_mut_slice(), b, c, d],
                        )
                        .map(|r| r.map(str::to_owned));
                    for (l, spec) in specs.iter().enumerate() {
                        let (want, want_buf) = expected(spec, &key);
                        prop_assert_eq!(&got[l], &want, "lane {}", l);
                        prop_assert_eq!(&bufs[l], &want_buf, "lane {}'s buffer", l);
                    }
                }
            }
        }
    }
}
