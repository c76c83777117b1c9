//! The claims view: a token's payload read into [`TokenClaims`] (one reader, for every
//! payload), their rules checked, and [`VerifiedClaims`] once the signature and times are.

use core::ops::Range;

use crate::Error;
use crate::claims::{Permission, Role};
use crate::json_reader::Reader;
use crate::list::List;
use crate::rules::Rules;

/// Unknown permission names, and unknown role names, that a token may hold and still be read;
/// one more is [`Error::TooManyUnknownNames`].
pub const MAX_UNKNOWN_NAMES: usize = 4;

/// The claims of a token as read from its payload, strings borrowed from the scratch buffer.
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenClaims<'s> {
    apikey: &'s str,
    permissions: List<Permission, 3>,
    version: Option<u64>,
    room_id: Option<&'s str>,
    participant_id: Option<&'s str>,
    roles: List<Role, 2>,
    unknown_permissions: List<&'s str, MAX_UNKNOWN_NAMES>,
    unknown_roles: List<&'s str, MAX_UNKNOWN_NAMES>,
    iat: Option<u64>,
    exp: Option<u64>,
    nbf: Option<u64>,
}

impl<'s> TokenClaims<'s> {
    /// `apikey`.
    #[must_use]
    pub const fn apikey(&self) -> &'s str {
        self.apikey
    }

    /// The known `permissions`, in token order.
    #[must_use]
    pub fn permissions(&self) -> &[Permission] {
        self.permissions.as_slice()
    }

    /// Names in `permissions` this crate does not know, in token order; they grant nothing.
    #[must_use]
    pub fn unknown_permissions(&self) -> &[&'s str] {
        self.unknown_permissions.as_slice()
    }

    /// Names in `roles` this crate does not know (VideoSDK's examples sign `"CRAWLER"` and
    /// `"PUBLISHER"`), in token order; they grant nothing.
    #[must_use]
    pub fn unknown_roles(&self) -> &[&'s str] {
        self.unknown_roles.as_slice()
    }

    /// `version`, if present.
    #[must_use]
    pub const fn version(&self) -> Option<u64> {
        self.version
    }

    /// `roomId`, if present.
    #[must_use]
    pub const fn room_id(&self) -> Option<&'s str> {
        self.room_id
    }

    /// `participantId`, if present.
    #[must_use]
    pub const fn participant_id(&self) -> Option<&'s str> {
        self.participant_id
    }

    /// The known `roles`, in token order; empty when absent.
    #[must_use]
    pub fn roles(&self) -> &[Role] {
        self.roles.as_slice()
    }

    /// `iat` ([RFC 7519 §4.1.6](https://www.rfc-editor.org/rfc/rfc7519#section-4.1.6)), if present.
    #[must_use]
    pub const fn iat(&self) -> Option<u64> {
        self.iat
    }

    /// `exp` ([RFC 7519 §4.1.4](https://www.rfc-editor.org/rfc/rfc7519#section-4.1.4)), if present.
    #[must_use]
    pub const fn exp(&self) -> Option<u64> {
        self.exp
    }

    /// `nbf` ([RFC 7519 §4.1.5](https://www.rfc-editor.org/rfc/rfc7519#section-4.1.5)), if present.
    #[must_use]
    pub const fn nbf(&self) -> Option<u64> {
        self.nbf
    }

    /// Whether these roles allow meetings (`rtc`, or no role at all; unknown roles grant
    /// nothing).
    #[must_use]
    pub fn allows_meetings(&self) -> bool {
        self.no_roles() || self.roles().contains(&Role::Rtc)
    }

    /// Whether these roles allow the server API (`crawler`, or no role at all; unknown roles
    /// grant nothing).
    #[must_use]
    pub fn allows_server_api(&self) -> bool {
        self.no_roles() || self.roles().contains(&Role::Crawler)
    }

    fn no_roles(&self) -> bool {
        self.roles.is_empty() && self.unknown_roles.is_empty()
    }
}

/// Claims of a token whose signature and times were checked; see the access checks
/// ([`VerifiedClaims::join`], …) for what they allow.
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedClaims<'s> {
    pub(crate) claims: TokenClaims<'s>,
    pub(crate) exp: u64,
}

impl<'s> VerifiedClaims<'s> {
    /// Every claim as read.
    #[must_use]
    pub const fn claims(&self) -> &TokenClaims<'s> {
        &self.claims
    }

    /// `apikey`.
    #[must_use]
    pub const fn apikey(&self) -> &'s str {
        self.claims.apikey
    }

    /// Expiry time, unix seconds (always present in a verified token).
    #[must_use]
    pub const fn exp(&self) -> u64 {
        self.exp
    }
}

/// The claims keys that are read; every other key is skipped.
enum ClaimKey {
    Apikey,
    Permissions,
    Version,
    RoomId,
    ParticipantId,
    Roles,
    Iat,
    Exp,
    Nbf,
    Other,
}

impl ClaimKey {
    fn of(name: &[u8]) -> Self {
        match name {
            b"apikey" => Self::Apikey,
            b"permissions" => Self::Permissions,
            b"version" => Self::Version,
            b"roomId" => Self::RoomId,
            b"participantId" => Self::ParticipantId,
            b"roles" => Self::Roles,
            b"iat" => Self::Iat,
            b"exp" => Self::Exp,
            b"nbf" => Self::Nbf,
            _ => Self::Other,
        }
    }
}

fn set_once<T>(slot: &mut Option<T>, value: T) -> Result<(), Error> {
    if slot.is_some() {
        return Err(Error::DuplicateClaim);
    }
    *slot = Some(value);
    Ok(())
}

/// An array of names: the known ones in a set that keeps order, and where the unknown ones
/// lie in the JSON (text once the whole payload is checked as UTF-8). A name listed twice is
/// `repeated`, known or not.
struct Names<T: Copy, const N: usize> {
    known: List<T, N>,
    /// Start and end of each unknown name in the decoded JSON.
    unknown: List<(usize, usize), MAX_UNKNOWN_NAMES>,
}

impl<T: Copy, const N: usize> Names<T, N> {
    /// No names; `fill` only occupies the unused slots.
    const fn none(fill: T) -> Self {
        Self {
            known: List::new(fill),
            unknown: List::new((0, 0)),
        }
    }
}

fn read_names<T: Copy + PartialEq, const N: usize>(
    reader: &mut Reader<'_>,
    parse: impl Fn(&[u8]) -> Option<T>,
    fill: T,
    repeated: Error,
) -> Result<Names<T, N>, Error> {
    reader.begin_array(Error::WrongClaimType)?;
    let mut names = Names::none(fill);
    let mut first = true;
    while reader.next_element(&mut first)? {
        let range = reader.string_value(Error::WrongClaimType)?;
        let name = reader.bytes(range.clone());
        if let Some(value) = parse(name) {
            if names.known.as_slice().contains(&value) {
                return Err(repeated);
            }
            names.known.push(value).map_err(|_| repeated)?;
        } else {
            let seen = |&(start, end): &(usize, usize)| reader.bytes(start..end) == name;
            if names.unknown.as_slice().iter().any(seen) {
                return Err(repeated);
            }
            names
                .unknown
                .push((range.start, range.end))
                .map_err(|_| Error::TooManyUnknownNames)?;
        }
    }
    Ok(names)
}

/// What a payload names, where its strings lie in the decoded JSON.
struct Read {
    apikey: Option<Range<usize>>,
    permissions: Option<Names<Permission, 3>>,
    version: Option<u64>,
    room_id: Option<Range<usize>>,
    participant_id: Option<Range<usize>>,
    roles: Option<Names<Role, 2>>,
    iat: Option<u64>,
    exp: Option<u64>,
    nbf: Option<u64>,
}

/// Reads and checks a payload's claims (but not the times), unescaping its strings in
/// place: any JSON object, its keys in any order, each known key once.
pub(crate) fn read_claims(json: &mut [u8]) -> Result<TokenClaims<'_>, Error> {
    let mut reader = Reader::new(json);
    reader.begin_object()?;
    let (mut apikey, mut room_id, mut participant_id) = (None, None, None);
    let (mut permissions, mut roles) = (None, None);
    let (mut version, mut iat, mut exp, mut nbf) = (None, None, None, None);
    let mut first = true;
    while let Some(key) = reader.next_key(&mut first)? {
        let r = &mut reader;
        match ClaimKey::of(r.bytes(key)) {
            ClaimKey::Apikey => set_once(&mut apikey, r.string_value(Error::WrongClaimType)?)?,
            ClaimKey::RoomId => set_once(&mut room_id, r.string_value(Error::WrongClaimType)?)?,
            ClaimKey::ParticipantId => {
                set_once(&mut participant_id, r.string_value(Error::WrongClaimType)?)?
            }
            ClaimKey::Permissions => set_once(
                &mut permissions,
                read_names(
                    r,
                    Permission::named,
                    Permission::AllowJoin,
                    Error::DuplicatePermission,
                )?,
            )?,
            ClaimKey::Roles => set_once(
                &mut roles,
                read_names(r, Role::named, Role::Rtc, Error::DuplicateRole)?,
            )?,
            ClaimKey::Version => set_once(&mut version, r.integer_value(Error::WrongClaimType)?)?,
            ClaimKey::Iat => set_once(&mut iat, r.integer_value(Error::WrongClaimType)?)?,
            ClaimKey::Exp => set_once(&mut exp, r.integer_value(Error::WrongClaimType)?)?,
            ClaimKey::Nbf => set_once(&mut nbf, r.integer_value(Error::WrongClaimType)?)?,
            ClaimKey::Other => r.skip_value()?,
        }
    }
    reader.end()?;
    let read = Read {
        apikey,
        permissions,
        version,
        room_id,
        participant_id,
        roles,
        iat,
        exp,
        nbf,
    };
    claims_from(reader.into_buf(), read)
}

/// The claims a payload's reading found, checked: one UTF-8 check for the whole payload
/// (after any unescaping; see `Reader::into_text`), then the rules every token's claims
/// must meet.
#[inline(always)]
fn claims_from(json: &[u8], read: Read) -> Result<TokenClaims<'_>, Error> {
    let json = core::str::from_utf8(json).map_err(|_| Error::BadJson)?;
    let text = |range: Range<usize>| json.get(range).ok_or(Error::BadJson);
    let texts = |ranges: List<(usize, usize), MAX_UNKNOWN_NAMES>| {
        let mut names = List::new("");
        for &(start, end) in ranges.as_slice() {
            // Never full: as many slots as there were ranges.
            let _ = names.push(text(start..end)?);
        }
        Ok::<_, Error>(names)
    };
    let permissions = read.permissions.ok_or(Error::MissingClaim)?;
    let roles = read.roles.unwrap_or(Names::none(Role::Rtc));
    let claims = TokenClaims {
        apikey: text(read.apikey.ok_or(Error::MissingClaim)?)?,
        permissions: permissions.known,
        unknown_permissions: texts(permissions.unknown)?,
        version: read.version,
        room_id: read.room_id.map(text).transpose()?,
        participant_id: read.participant_id.map(text).transpose()?,
        roles: roles.known,
        unknown_roles: texts(roles.unknown)?,
        iat: read.iat,
        exp: read.exp,
        nbf: read.nbf,
    };
    if claims.apikey.is_empty() {
        return Err(Error::EmptyApiKey);
    }
    if claims.permissions.is_empty() && claims.unknown_permissions.is_empty() {
        return Err(Error::NoPermissions);
    }
    if claims.room_id == Some("") {
        return Err(Error::EmptyRoomId);
    }
    if claims.participant_id == Some("") {
        return Err(Error::EmptyParticipantId);
    }
    let has_v2_fields =
        claims.room_id.is_some() || claims.participant_id.is_some() || !claims.no_roles();
    if has_v2_fields && claims.version != Some(2) {
        return Err(Error::VersionRequired);
    }
    Ok(claims)
}

/// The rules' refusal of unknown names, then the time rules, on claims whose signature was
/// checked.
#[inline(always)]
pub(crate) fn check_times<'s>(
    claims: TokenClaims<'s>,
    rules: &Rules,
) -> Result<VerifiedClaims<'s>, Error> {
    if rules.refuse_unknown_names {
        if !claims.unknown_permissions.is_empty() {
            return Err(Error::UnknownPermission);
        }
        if !claims.unknown_roles.is_empty() {
            return Err(Error::UnknownRole);
        }
    }
    let exp = claims.exp.ok_or(Error::MissingClaim)?;
    if rules.time() >= exp.saturating_add(rules.leeway()) {
        return Err(Error::Expired);
    }
    if claims
        .nbf
        .is_some_and(|nbf| rules.time().saturating_add(rules.leeway()) < nbf)
    {
        return Err(Error::NotYetValid);
    }
    Ok(VerifiedClaims { claims, exp })
}
