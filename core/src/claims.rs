//! The VideoSDK claim set: typed permissions and roles, borrowed strings, and the rule that
//! any version-2 field brings `version: 2` with it, so a caller cannot forget it.

use crate::Error;
use crate::duration::{ExpiresIn, MAX_SAFE_SECONDS};

/// What the bearer may do in a meeting.
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Permission {
    /// `allow_join`: joins a meeting directly.
    AllowJoin,
    /// `ask_join`: must ask to join and be let in.
    AskJoin,
    /// `allow_mod`: may moderate (remove participants, toggle their media).
    AllowMod,
}

impl Permission {
    /// Every permission this version knows, in declaration order (a slice, so that a later
    /// VideoSDK permission changes no public type).
    pub const ALL: &'static [Self] = &[Self::AllowJoin, Self::AskJoin, Self::AllowMod];

    /// The name as it stands in the token.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::AllowJoin => "allow_join",
            Self::AskJoin => "ask_join",
            Self::AllowMod => "allow_mod",
        }
    }

    /// The permission named `name` exactly as in a token, if any.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        Self::named(name.as_bytes())
    }

    /// [`from_name`](Self::from_name) on the bytes of a name, as a token's JSON holds them
    /// (every known name is ASCII, so no UTF-8 check is needed to match one).
    pub(crate) fn named(name: &[u8]) -> Option<Self> {
        Self::ALL
            .iter()
            .copied()
            .find(|p| p.as_str().as_bytes() == name)
    }
}

/// Which API a version-2 token is limited to.
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Role {
    /// `crawler`: the v2 server API only, never a meeting.
    Crawler,
    /// `rtc`: meetings only, never the server API.
    Rtc,
}

impl Role {
    /// Every role this version knows, in declaration order.
    pub const ALL: &'static [Self] = &[Self::Crawler, Self::Rtc];

    /// The name as it stands in the token.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Crawler => "crawler",
            Self::Rtc => "rtc",
        }
    }

    /// The role named `name` exactly as in a token, if any.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        Self::named(name.as_bytes())
    }

    /// [`from_name`](Self::from_name) on the bytes of a name.
    pub(crate) fn named(name: &[u8]) -> Option<Self> {
        Self::ALL
            .iter()
            .copied()
            .find(|r| r.as_str().as_bytes() == name)
    }
}

/// The claims of a VideoSDK access token, borrowing every string and list from the caller.
///
/// Written in the fixed key order `apikey`, `permissions`, `version`, `roomId`,
/// `participantId`, `roles`, `iat`, `exp`; absent optional keys are omitted.
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Claims<'a> {
    apikey: &'a str,
    permissions: &'a [Permission],
    version_2: bool,
    room_id: Option<&'a str>,
    participant_id: Option<&'a str>,
    roles: &'a [Role],
    iat: u64,
    exp: u64,
}

impl<'a> Claims<'a> {
    /// Claims issued at `iat` and expiring at `exp` (unix seconds). Checked when signed.
    #[must_use]
    pub const fn new(apikey: &'a str, permissions: &'a [Permission], iat: u64, exp: u64) -> Self {
        Self {
            apikey,
            permissions,
            version_2: false,
            room_id: None,
            participant_id: None,
            roles: &[],
            iat,
            exp,
        }
    }

    /// Claims issued at `iat` that expire `expires_in` later, with `exp` computed exactly as
    /// Node's `jsonwebtoken` computes it from `expiresIn`.
    ///
    /// # Errors
    /// [`Error::NonPositiveLifetime`], [`Error::LifetimeOverflow`] or [`Error::TimeOutOfRange`].
    pub fn expiring(
        apikey: &'a str,
        permissions: &'a [Permission],
        iat: u64,
        expires_in: ExpiresIn,
    ) -> Result<Self, Error> {
        let exp = expires_in.exp_after(iat)?;
        Ok(Self::new(apikey, permissions, iat, exp))
    }

    /// Sets `version: 2` without any version-2 field (the other setters imply it).
    #[must_use]
    pub const fn with_version_2(mut self) -> Self {
        self.version_2 = true;
        self
    }

    /// Limits the token to one meeting; implies `version: 2`.
    #[must_use]
    pub const fn with_room_id(mut self, room_id: &'a str) -> Self {
        self.room_id = Some(room_id);
        self.version_2 = true;
        self
    }

    /// Binds the token to one participant; implies `version: 2`.
    #[must_use]
    pub const fn with_participant_id(mut self, participant_id: &'a str) -> Self {
        self.participant_id = Some(participant_id);
        self.version_2 = true;
        self
    }

    /// [`with_room_id`](Self::with_room_id) when `room_id` is `Some`, and no change when it is
    /// `None`: for callers whose fields are optional, without an `if let` per field.
    #[must_use]
    pub const fn with_optional_room_id(self, room_id: Option<&'a str>) -> Self {
        match room_id {
            Some(room_id) => self.with_room_id(room_id),
            None => self,
        }
    }

    /// [`with_participant_id`](Self::with_participant_id) when `participant_id` is `Some`.
    #[must_use]
    pub const fn with_optional_participant_id(self, participant_id: Option<&'a str>) -> Self {
        match participant_id {
            Some(participant_id) => self.with_participant_id(participant_id),
            None => self,
        }
    }

    /// [`with_version_2`](Self::with_version_2) when `version_2` is true.
    #[must_use]
    pub const fn with_version_2_if(self, version_2: bool) -> Self {
        if version_2 {
            self.with_version_2()
        } else {
            self
        }
    }

    /// Limits the token to meetings (`rtc`) or the server API (`crawler`); implies
    /// `version: 2` unless `roles` is empty, which writes no `roles` key.
    #[must_use]
    pub const fn with_roles(mut self, roles: &'a [Role]) -> Self {
        self.roles = roles;
        if !roles.is_empty() {
            self.version_2 = true;
        }
        self
    }

    /// The API key the token is issued under.
    #[must_use]
    pub const fn apikey(&self) -> &'a str {
        self.apikey
    }

    /// The permissions, in the order given.
    #[must_use]
    pub const fn permissions(&self) -> &'a [Permission] {
        self.permissions
    }

    /// `Some(2)` when the token carries `version: 2`.
    #[must_use]
    pub const fn version(&self) -> Option<u64> {
        if self.version_2 { Some(2) } else { None }
    }

    /// The meeting the token is limited to, if any.
    #[must_use]
    pub const fn room_id(&self) -> Option<&'a str> {
        self.room_id
    }

    /// The participant the token is bound to, if any.
    #[must_use]
    pub const fn participant_id(&self) -> Option<&'a str> {
        self.participant_id
    }

    /// The roles, in the order given; empty when the token has none.
    #[must_use]
    pub const fn roles(&self) -> &'a [Role] {
        self.roles
    }

    /// Issued-at time, unix seconds.
    #[must_use]
    pub const fn iat(&self) -> u64 {
        self.iat
    }

    /// Expiry time, unix seconds.
    #[must_use]
    pub const fn exp(&self) -> u64 {
        self.exp
    }

    /// Checks everything a token needs before any byte is written.
    pub(crate) fn check(&self) -> Result<(), Error> {
        if self.apikey.is_empty() {
            return Err(Error::EmptyApiKey);
        }
        if self.permissions.is_empty() {
            return Err(Error::NoPermissions);
        }
        if has_duplicate(self.permissions) {
            return Err(Error::DuplicatePermission);
        }
        if has_duplicate(self.roles) {
            return Err(Error::DuplicateRole);
        }
        if self.room_id == Some("") {
            return Err(Error::EmptyRoomId);
        }
        if self.participant_id == Some("") {
            return Err(Error::EmptyParticipantId);
        }
        if self.iat > MAX_SAFE_SECONDS {
            return Err(Error::TimeOutOfRange);
        }
        if self.exp > MAX_SAFE_SECONDS {
            return Err(Error::LifetimeOverflow);
        }
        if self.exp <= self.iat {
            return Err(Error::NonPositiveLifetime);
        }
        Ok(())
    }
}

fn has_duplicate<T: PartialEq>(items: &[T]) -> bool {
    items.iter().enumerate().any(|(i, item)| {
        items
            .iter()
            .skip(i.saturating_add(1))
            .any(|other| other == item)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for &p in Permission::ALL {
            assert_eq!(Permission::from_name(p.as_str()), Some(p));
        }
        for &r in Role::ALL {
            assert_eq!(Role::from_name(r.as_str()), Some(r));
        }
        assert_eq!(Permission::from_name("ALLOW_JOIN"), None);
        assert_eq!(Role::from_name("admin"), None);
    }

    #[test]
    fn version_2_fields_imply_version_2() {
        let base = Claims::new("k", &[Permission::AllowJoin], 1, 2);
        assert_eq!(base.version(), None);
        assert_eq!(base.with_room_id("r").version(), Some(2));
        assert_eq!(base.with_participant_id("p").version(), Some(2));
        assert_eq!(base.with_roles(&[Role::Rtc]).version(), Some(2));
        assert_eq!(base.with_roles(&[]).version(), None);
        assert_eq!(base.with_version_2().version(), Some(2));
        assert_eq!(base.with_optional_room_id(None), base);
        assert_eq!(
            base.with_optional_room_id(Some("r")),
            base.with_room_id("r")
        );
        assert_eq!(base.with_optional_participant_id(None), base);
        assert_eq!(
            base.with_optional_participant_id(Some("p")),
            base.with_participant_id("p")
        );
        assert_eq!(base.with_version_2_if(false), base);
        assert_eq!(base.with_version_2_if(true), base.with_version_2());
    }

    #[test]
    fn check_names_each_problem() {
        let p = &[Permission::AllowJoin];
        assert_eq!(Claims::new("", p, 1, 2).check(), Err(Error::EmptyApiKey));
        assert_eq!(
            Claims::new("k", &[], 1, 2).check(),
            Err(Error::NoPermissions)
        );
        let dup = &[
            Permission::AskJoin,
            Permission::AllowMod,
            Permission::AskJoin,
        ];
        assert_eq!(
            Claims::new("k", dup, 1, 2).check(),
            Err(Error::DuplicatePermission)
        );
        let roles = &[Role::Rtc, Role::Rtc];
        assert_eq!(
            Claims::new("k", p, 1, 2).with_roles(roles).check(),
            Err(Error::DuplicateRole)
        );
        assert_eq!(
            Claims::new("k", p, 1, 2).with_room_id("").check(),
            Err(Error::EmptyRoomId)
        );
        assert_eq!(
            Claims::new("k", p, 1, 2).with_participant_id("").check(),
            Err(Error::EmptyParticipantId)
        );
        assert_eq!(
            Claims::new("k", p, 5, 5).check(),
            Err(Error::NonPositiveLifetime)
        );
        assert_eq!(
            Claims::new("k", p, 5, 4).check(),
            Err(Error::NonPositiveLifetime)
        );
        let max = MAX_SAFE_SECONDS;
        assert_eq!(
            Claims::new("k", p, 1, max + 1).check(),
            Err(Error::LifetimeOverflow)
        );
        assert_eq!(
            Claims::new("k", p, max + 1, max + 2).check(),
            Err(Error::TimeOutOfRange)
        );
        assert_eq!(Claims::new("k", p, max - 1, max).check(), Ok(()));
    }
}
