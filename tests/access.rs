//! Access questions on verified tokens: room and participant scoping, the crawler / rtc
//! roles, and what each permission allows.

use videosdk_token_core::{Claims, Join, Key, Permission, Refusal, Role, Rules, sign, verify};

const IAT: u64 = 1_700_000_000;

struct Token {
    text: String,
}

fn token(
    permissions: &[Permission],
    roles: &[Role],
    room: Option<&str>,
    participant: Option<&str>,
) -> Token {
    let mut claims = Claims::new("key", permissions, IAT, IAT + 60).with_roles(roles);
    claims = claims.with_optional_room_id(room);
    claims = claims.with_optional_participant_id(participant);
    let mut buf = [0u8; 1024];
    let key = Key::new(b"access-secret-0123456789abcdef-0123456789").expect("secret");
    Token {
        text: sign(&claims, &key, &mut buf).expect("fits").to_owned(),
    }
}

impl Token {
    fn ask<T>(&self, question: impl FnOnce(&videosdk_token_core::VerifiedClaims<'_>) -> T) -> T {
        let key = Key::new(b"access-secret-0123456789abcdef-0123456789").expect("secret");
        let mut scratch = vec![0u8; self.text.len()];
        let verified = verify(&self.text, &key, &Rules::at(IAT), &mut scratch).expect("valid");
        question(&verified)
    }
}

use Permission::{AllowJoin, AllowMod, AskJoin};
use Role::{Crawler, Rtc};

/// Permissions, then the expected answers to "join?" and "moderate?".
type PermissionCase = (
    &'static [Permission],
    Result<Join, Refusal>,
    Result<(), Refusal>,
);

#[test]
fn permissions_decide_how_to_join_and_moderate() {
    let cases: [PermissionCase; 6] = [
        (
            &[AllowJoin],
            Ok(Join::Directly),
            Err(Refusal::NoModeratePermission),
        ),
        (
            &[AskJoin],
            Ok(Join::AfterAsking),
            Err(Refusal::NoModeratePermission),
        ),
        (
            &[AskJoin, AllowJoin],
            Ok(Join::Directly),
            Err(Refusal::NoModeratePermission),
        ),
        (&[AllowMod], Err(Refusal::NoJoinPermission), Ok(())),
        (&[AllowMod, AskJoin], Ok(Join::AfterAsking), Ok(())),
        (&[AllowJoin, AllowMod], Ok(Join::Directly), Ok(())),
    ];
    for (permissions, join, moderate) in cases {
        let t = token(permissions, &[], None, None);
        assert_eq!(
            t.ask(|v| v.join("any-room", Some("anyone"))),
            join,
            "{permissions:?}"
        );
        assert_eq!(
            t.ask(|v| v.moderate("any-room", None)),
            moderate,
            "{permissions:?}"
        );
    }
}

#[test]
fn roles_split_meetings_from_the_server_api() {
    let cases: [(&[Role], bool, bool); 5] = [
        (&[], true, true),
        (&[Rtc], true, false),
        (&[Crawler], false, true),
        (&[Crawler, Rtc], true, true),
        (&[Rtc, Crawler], true, true),
    ];
    for (roles, meeting, api) in cases {
        let t = token(&[AllowJoin, AllowMod], roles, None, None);
        let join = t.ask(|v| v.join("r", None));
        let moderate = t.ask(|v| v.moderate("r", None));
        let call = t.ask(|v| v.call_server_api(None));
        if meeting {
            assert_eq!(join, Ok(Join::Directly), "{roles:?}");
            assert_eq!(moderate, Ok(()), "{roles:?}");
        } else {
            assert_eq!(join, Err(Refusal::ServerApiOnly), "{roles:?}");
            assert_eq!(moderate, Err(Refusal::ServerApiOnly), "{roles:?}");
        }
        assert_eq!(
            call,
            if api {
                Ok(())
            } else {
                Err(Refusal::MeetingOnly)
            },
            "{roles:?}"
        );
    }
}

#[test]
fn room_and_participant_scope_the_token() {
    let t = token(&[AllowJoin, AllowMod], &[], Some("room-1"), Some("alice"));
    assert_eq!(
        t.ask(|v| v.join("room-1", Some("alice"))),
        Ok(Join::Directly)
    );
    assert_eq!(
        t.ask(|v| v.join("room-1", None)),
        Ok(Join::Directly),
        "the bound participant"
    );
    assert_eq!(
        t.ask(|v| v.join("room-2", Some("alice"))),
        Err(Refusal::OtherRoom)
    );
    assert_eq!(
        t.ask(|v| v.join("room-1", Some("bob"))),
        Err(Refusal::OtherParticipant)
    );
    assert_eq!(
        t.ask(|v| v.moderate("room-2", None)),
        Err(Refusal::OtherRoom)
    );
    assert_eq!(t.ask(|v| v.call_server_api(Some("room-1"))), Ok(()));
    assert_eq!(
        t.ask(|v| v.call_server_api(Some("room-2"))),
        Err(Refusal::OtherRoom)
    );
    assert_eq!(t.ask(|v| v.call_server_api(None)), Ok(()));

    let unscoped = token(&[AllowJoin], &[], None, None);
    assert_eq!(
        unscoped.ask(|v| v.join("whatever", Some("anyone"))),
        Ok(Join::Directly)
    );
    assert_eq!(Refusal::OtherRoom.to_string(), "token is for another room");
}
