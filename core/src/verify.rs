//! Checking tokens offline: strict form, HS256 only, the MAC in constant time, then the
//! claims (decoded into the caller's scratch buffer) and the time rules, each refusal with
//! its own [`Error`].

use core::ops::Range;

use crate::Error;
use crate::base64url::{DecodeError, decode_in_place, decode_into, decoded_len};
use crate::claims::{Permission, Role};
use crate::json_reader::Reader;
#[cfg(target_pointer_width = "64")]
use crate::json_reader::digits;
#[cfg(target_pointer_width = "64")]
use crate::json_writer::clean_prefix_len;
use crate::list::List;
use crate::sign::{HEADER, Key};

/// Unknown permission names, and unknown role names, that a token may hold and still be read;
/// one more is [`Error::TooManyUnknownNames`].
pub const MAX_UNKNOWN_NAMES: usize = 4;

/// Longest token [`Rules::at`] accepts by default, in bytes: far above any VideoSDK token and
/// within common HTTP header limits.
pub const DEFAULT_MAX_TOKEN_LEN: usize = 8192;

/// `{"typ":"JWT","alg":"HS256"}`, the header the Rust `jsonwebtoken` crate writes.
const HEADER_TYP_FIRST: &str = "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9";

/// What a token is checked against: the time (the core has no clock), the leeway and a size cap.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rules {
    now: u64,
    leeway: u64,
    max_token_len: usize,
    refuse_unknown_names: bool,
}

impl Rules {
    /// Checks at `now` (unix seconds) with no leeway and [`DEFAULT_MAX_TOKEN_LEN`].
    #[must_use]
    pub const fn at(now: u64) -> Self {
        Self {
            now,
            leeway: 0,
            max_token_len: DEFAULT_MAX_TOKEN_LEN,
            refuse_unknown_names: false,
        }
    }

    /// Refuses tokens whose `permissions` or `roles` hold a name this crate does not know
    /// ([`Error::UnknownPermission`], [`Error::UnknownRole`]). By default such names are
    /// reported ([`TokenClaims::unknown_permissions`]) and grant nothing.
    #[must_use]
    pub const fn refusing_unknown_names(mut self) -> Self {
        self.refuse_unknown_names = true;
        self
    }

    /// Allows `seconds` of clock skew on `exp` and `nbf`.
    #[must_use]
    pub const fn with_leeway(mut self, seconds: u64) -> Self {
        self.leeway = seconds;
        self
    }

    /// Refuses tokens longer than `len` bytes.
    #[must_use]
    pub const fn with_max_token_len(mut self, len: usize) -> Self {
        self.max_token_len = len;
        self
    }

    /// The time these rules check at, unix seconds (what [`Rules::at`] was given; the core
    /// never reads a clock).
    #[must_use]
    pub const fn time(&self) -> u64 {
        self.now
    }

    /// The leeway, in seconds.
    #[must_use]
    pub const fn leeway(&self) -> u64 {
        self.leeway
    }
}

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
    claims: TokenClaims<'s>,
    exp: u64,
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

/// The three segments of a token, and the signing input they cover.
struct Segments<'t> {
    header: &'t str,
    payload: &'t str,
    signature: &'t str,
    signing_input: &'t str,
}

impl<'t> Segments<'t> {
    /// Splits at the first and last dots; a dot anywhere else is found when the token is
    /// refused (see [`classify`]), so the accepted path scans no segment twice. The header and
    /// payload must be non-empty; an empty signature is refused after the header, so that
    /// `alg: none` tokens are reported as the wrong algorithm rather than as malformed.
    ///
    /// A byte scan and checked splits rather than `split_once`: the string search behind it
    /// keeps a slice-index panic path that the optimiser cannot remove.
    fn split(token: &'t str) -> Result<Self, Error> {
        let bytes = token.as_bytes();
        let first = crate::accelerated::first(b'.', bytes);
        let last = crate::accelerated::last(b'.', bytes);
        let (Some(first), Some(last)) = (first, last) else {
            return Err(Error::Malformed);
        };
        // A dot is one byte and never inside a UTF-8 sequence, so both splits fall on
        // character boundaries; `get` makes that checked rather than assumed.
        let signing_input = token.get(..last).ok_or(Error::Malformed)?;
        let signature = token
            .get(last.saturating_add(1)..)
            .ok_or(Error::Malformed)?;
        let header = signing_input.get(..first).ok_or(Error::Malformed)?;
        let payload = signing_input
            .get(first.saturating_add(1)..)
            .ok_or(Error::Malformed)?;
        if first == last || header.is_empty() || payload.is_empty() {
            return Err(Error::Malformed);
        }
        Ok(Self {
            header,
            payload,
            signature,
            signing_input,
        })
    }
}

/// Whether the token (text or, not yet known to be text, bytes) has exactly two dots.
fn three_segments(token: &[u8]) -> bool {
    token.iter().filter(|&&b| b == b'.').count() == 2
}

/// The error to report for a refused token: a token that is not three segments is malformed,
/// whatever check noticed first.
#[cold]
fn classify(token: &str, error: Error) -> Error {
    if !three_segments(token.as_bytes()) {
        Error::Malformed
    } else {
        error
    }
}

/// Decodes one segment into the front of `scratch`.
fn decode_segment<'s>(segment: &str, scratch: &'s mut [u8]) -> Result<&'s mut [u8], Error> {
    let len = decoded_len(segment.len()).ok_or(Error::BadBase64)?;
    let out = scratch
        .get_mut(..len)
        .ok_or(Error::ScratchTooSmall { needed: len })?;
    match decode_into(segment.as_bytes(), out) {
        Ok(_) => Ok(out),
        Err(DecodeError::Invalid) => Err(Error::BadBase64),
        Err(DecodeError::BufferTooSmall) => Err(Error::ScratchTooSmall { needed: len }),
    }
}

/// The header fields that matter.
struct HeaderFields<'s> {
    alg: &'s str,
    typ: Option<&'s str>,
}

/// Reads a header segment; the two HS256 headers that HS256 signers write are recognised
/// without decoding.
fn read_header<'s>(segment: &str, scratch: &'s mut [u8]) -> Result<HeaderFields<'s>, Error> {
    if segment == HEADER || segment == HEADER_TYP_FIRST {
        return Ok(HeaderFields {
            alg: "HS256",
            typ: Some("JWT"),
        });
    }
    read_header_json(decode_segment(segment, scratch)?)
}

/// Reads a decoded header's `alg` and `typ`, refusing `crit` and repeated keys.
fn read_header_json(json: &mut [u8]) -> Result<HeaderFields<'_>, Error> {
    let mut reader = Reader::new(json);
    reader.begin_object()?;
    let (mut alg, mut typ): (Option<Range<usize>>, Option<Range<usize>>) = (None, None);
    let mut first = true;
    while let Some(key) = reader.next_key(&mut first)? {
        let slot = match reader.bytes(key) {
            b"alg" => &mut alg,
            b"typ" => &mut typ,
            b"crit" => return Err(Error::BadHeader),
            _ => {
                reader.skip_value()?;
                continue;
            }
        };
        if slot.is_some() {
            return Err(Error::BadHeader);
        }
        *slot = Some(reader.string_value(Error::BadHeader)?);
    }
    reader.end()?;
    let json = reader.into_text()?;
    let text = |range: Range<usize>| json.get(range).ok_or(Error::BadJson);
    let alg = text(alg.ok_or(Error::BadHeader)?)?;
    let typ = typ.map(text).transpose()?;
    if typ.is_some_and(|typ| !typ.eq_ignore_ascii_case("JWT")) {
        return Err(Error::BadHeader);
    }
    Ok(HeaderFields { alg, typ })
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

/// Reads and checks the payload claims (but not the times): payloads in the contract's own
/// order and form (as this crate and Node's examples write them) by [`read_canonical`],
/// every other by the general reader. Both give the same answer for any payload the first
/// accepts (`canonical_and_general_readers_agree`).
///
/// The canonical reader is built where words are 64 bits: on a microcontroller its flash
/// and stack cost more than the time it saves.
fn read_claims(json: &mut [u8]) -> Result<TokenClaims<'_>, Error> {
    #[cfg(target_pointer_width = "64")]
    if let Some(read) = read_canonical(json) {
        return claims_from(json, read);
    }
    read_claims_generally(json)
}

/// Reads any JSON payload, unescaping its strings in place.
fn read_claims_generally(json: &mut [u8]) -> Result<TokenClaims<'_>, Error> {
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

/// Reads a payload written exactly as the contract orders it — `apikey`, `permissions`,
/// then `version`, `roomId`, `participantId`, `roles` where present, then `iat` and `exp`
/// — with no white space and only known names, each once; `None` for anything else, which
/// the general reader then reads. This reader refuses any escape in a string, so that it
/// changes nothing and the general reader can read the same bytes after it.
#[cfg(target_pointer_width = "64")]
#[inline(always)]
fn read_canonical(json: &[u8]) -> Option<Read> {
    read_canonically(&mut Clean { json, at: 0 })
}

/// [`read_canonical`], but decoding escaped strings in place as the general reader does: so
/// after `None` the payload may have changed, and must be decoded again for the general
/// reader. Escaped strings are then read once, where refusing them sends the whole payload
/// to the general reader.
#[cfg(target_pointer_width = "64")]
#[inline(always)]
fn read_canonical_in_place(json: &mut [u8]) -> Option<Read> {
    read_canonically(&mut Reader::new(json))
}

/// The three things the canonical reading does at a position.
#[cfg(target_pointer_width = "64")]
trait Canonical {
    /// Moves past `text` if the payload continues with it.
    fn skip_if(&mut self, text: &[u8]) -> bool;
    /// A string's content, after its opening quote, to its closing quote.
    fn string(&mut self) -> Option<Range<usize>>;
    /// A plain integer, as `Reader::integer_value` reads one.
    fn integer(&mut self) -> Option<u64>;
    fn at_end(&self) -> bool;
}

/// Reads without changing a byte: strings with an escape are refused.
#[cfg(target_pointer_width = "64")]
struct Clean<'j> {
    json: &'j [u8],
    at: usize,
}

#[cfg(target_pointer_width = "64")]
impl Canonical for Clean<'_> {
    #[inline(always)]
    fn skip_if(&mut self, text: &[u8]) -> bool {
        let found = self
            .json
            .get(self.at..)
            .is_some_and(|rest| rest.starts_with(text));
        if found {
            self.at = self.at.saturating_add(text.len());
        }
        found
    }

    fn string(&mut self) -> Option<Range<usize>> {
        let rest = self.json.get(self.at..)?;
        let len = clean_prefix_len(rest);
        if rest.get(len) != Some(&b'"') {
            return None;
        }
        let range = self.at..self.at.saturating_add(len);
        self.at = range.end.saturating_add(1);
        Some(range)
    }

    fn integer(&mut self) -> Option<u64> {
        let rest = self.json.get(self.at..)?;
        let (value, len) = digits(rest);
        let leading_zero = len > 1 && rest.first() == Some(&b'0');
        if len == 0 || leading_zero || rest.get(len).is_some_and(u8::is_ascii_digit) {
            return None;
        }
        self.at = self.at.saturating_add(len);
        Some(value)
    }

    fn at_end(&self) -> bool {
        self.at == self.json.len()
    }
}

/// Reads as the general reader does, decoding escapes in place.
#[cfg(target_pointer_width = "64")]
impl Canonical for Reader<'_> {
    #[inline(always)]
    fn skip_if(&mut self, text: &[u8]) -> bool {
        Reader::skip_if(self, text)
    }

    fn string(&mut self) -> Option<Range<usize>> {
        self.string_after_quote().ok()
    }

    fn integer(&mut self) -> Option<u64> {
        // Its refusals only send the payload to the general reader, which gives its own.
        self.integer_value(Error::BadJson).ok()
    }

    fn at_end(&self) -> bool {
        Reader::at_end(self)
    }
}

#[cfg(target_pointer_width = "64")]
#[inline(always)]
fn read_canonically(c: &mut impl Canonical) -> Option<Read> {
    if !c.skip_if(b"{\"apikey\":\"") {
        return None;
    }
    let apikey = c.string()?;
    if !c.skip_if(b",\"permissions\":[") {
        return None;
    }
    let permissions = canonical_names(
        c,
        &[
            (b"\"allow_join\"", Permission::AllowJoin),
            (b"\"ask_join\"", Permission::AskJoin),
            (b"\"allow_mod\"", Permission::AllowMod),
        ],
        Permission::AllowJoin,
    )?;
    let version = c.skip_if(b",\"version\":2").then_some(2);
    let room_id = if c.skip_if(b",\"roomId\":\"") {
        Some(c.string()?)
    } else {
        None
    };
    let participant_id = if c.skip_if(b",\"participantId\":\"") {
        Some(c.string()?)
    } else {
        None
    };
    let roles = if c.skip_if(b",\"roles\":[") {
        Some(canonical_names(
            c,
            &[(b"\"rtc\"", Role::Rtc), (b"\"crawler\"", Role::Crawler)],
            Role::Rtc,
        )?)
    } else {
        None
    };
    if !c.skip_if(b",\"iat\":") {
        return None;
    }
    let iat = c.integer()?;
    if !c.skip_if(b",\"exp\":") {
        return None;
    }
    let exp = c.integer()?;
    if !c.skip_if(b"}") || !c.at_end() {
        return None;
    }
    Some(Read {
        apikey: Some(apikey),
        permissions: Some(permissions),
        version,
        room_id,
        participant_id,
        roles,
        iat: Some(iat),
        exp: Some(exp),
        nbf: None,
    })
}

/// After an array's opening `[` in [`read_canonically`]: each name once, from those
/// `quoted`, to the closing `]`.
#[cfg(target_pointer_width = "64")]
fn canonical_names<T: Copy + PartialEq, const N: usize>(
    c: &mut impl Canonical,
    quoted: &[(&[u8], T)],
    fill: T,
) -> Option<Names<T, N>> {
    let mut names = Names::none(fill);
    loop {
        let &(_, name) = quoted.iter().find(|(text, _)| c.skip_if(text))?;
        if names.known.as_slice().contains(&name) {
            return None;
        }
        names.known.push(name).ok()?;
        if !c.skip_if(b",") {
            break;
        }
    }
    c.skip_if(b"]").then_some(names)
}

/// The claims a payload's reading found, checked: one UTF-8 check for the whole payload
/// (after any unescaping; see `Reader::into_text`), then the rules every token's claims
/// must meet.
#[inline(always)]
fn claims_from(json: &[u8], read: Read) -> Result<TokenClaims<'_>, Error> {
    let json = crate::accelerated::utf8(json).ok_or(Error::BadJson)?;
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

/// Verifies `token` with `key` under `rules`, decoding its payload into `scratch`
/// (a buffer as long as the token always suffices).
///
/// Checks, in order: size and form; the header (`alg` must be HS256 — `none` and every other
/// algorithm are refused before the signature is looked at); the signature, in constant time;
/// the claims; then `exp` (required; expired when `now >= exp + leeway`) and `nbf`.
///
/// # Errors
/// The first check that fails, in the order above, and only these:
/// - size and form: [`Error::TokenTooLong`], [`Error::Malformed`], [`Error::BadBase64`],
///   [`Error::ScratchTooSmall`];
/// - header: [`Error::BadJson`], [`Error::JsonTooDeep`], [`Error::BadHeader`],
///   [`Error::WrongAlgorithm`];
/// - signature: [`Error::BadSignature`];
/// - claims: [`Error::BadJson`], [`Error::JsonTooDeep`], [`Error::MissingClaim`],
///   [`Error::WrongClaimType`], [`Error::DuplicateClaim`], [`Error::DuplicatePermission`],
///   [`Error::DuplicateRole`], [`Error::TooManyUnknownNames`], [`Error::EmptyApiKey`],
///   [`Error::NoPermissions`], [`Error::EmptyRoomId`], [`Error::EmptyParticipantId`],
///   [`Error::VersionRequired`], and with [`Rules::refusing_unknown_names`]
///   [`Error::UnknownPermission`], [`Error::UnknownRole`];
/// - time: [`Error::MissingClaim`] (no `exp`), [`Error::Expired`], [`Error::NotYetValid`].
pub fn verify<'s>(
    token: &str,
    key: &Key,
    rules: &Rules,
    scratch: &'s mut [u8],
) -> Result<VerifiedClaims<'s>, Error> {
    if token.len() > rules.max_token_len {
        return Err(Error::TokenTooLong);
    }
    check(token, key, rules, scratch).map_err(|e| classify(token, e))
}

#[cfg_attr(target_pointer_width = "64", inline(always))]
fn check<'s>(
    token: &str,
    key: &Key,
    rules: &Rules,
    scratch: &'s mut [u8],
) -> Result<VerifiedClaims<'s>, Error> {
    let segments = Segments::split(token)?;
    if read_header(segments.header, scratch)?.alg != "HS256" {
        return Err(Error::WrongAlgorithm);
    }
    check_signature(&segments, key)?;
    let claims = read_claims_decoding(segments.payload, scratch)?;
    check_times(claims, rules)
}

/// Decodes the payload into `scratch` and reads its claims. Where words are 64 bits, a
/// payload in the contract's form is read by the canonical reader, escaped strings
/// included; any other is decoded again (the canonical reader may have unescaped some of
/// it) and read by the general reader.
fn read_claims_decoding<'s>(
    payload: &str,
    scratch: &'s mut [u8],
) -> Result<TokenClaims<'s>, Error> {
    #[cfg(target_pointer_width = "64")]
    {
        let json = decode_segment(payload, scratch)?;
        let len = json.len();
        if let Some(read) = read_canonical_in_place(json) {
            return claims_from(scratch.get(..len).unwrap_or_default(), read);
        }
    }
    read_claims_generally(decode_segment(payload, scratch)?)
}

/// The rules' refusal of unknown names, then the time rules, on claims whose signature was
/// checked.
// In line where words are 64 bits, so that the claims are built where they are returned
// rather than copied there (a copy of a struct just stored field by field waits for the
// stores); a microcontroller keeps one copy, for flash.
#[cfg_attr(target_pointer_width = "64", inline(always))]
fn check_times<'s>(claims: TokenClaims<'s>, rules: &Rules) -> Result<VerifiedClaims<'s>, Error> {
    if rules.refuse_unknown_names {
        if !claims.unknown_permissions.is_empty() {
            return Err(Error::UnknownPermission);
        }
        if !claims.unknown_roles.is_empty() {
            return Err(Error::UnknownRole);
        }
    }
    let exp = claims.exp.ok_or(Error::MissingClaim)?;
    if rules.now >= exp.saturating_add(rules.leeway) {
        return Err(Error::Expired);
    }
    if claims
        .nbf
        .is_some_and(|nbf| rules.now.saturating_add(rules.leeway) < nbf)
    {
        return Err(Error::NotYetValid);
    }
    Ok(VerifiedClaims { claims, exp })
}

/// Verifies a token held in `token`, decoding its header and payload in place, so that a
/// device needs one buffer: the token's own. Checks and refusals are exactly those of
/// [`verify`]; on return (either way) the buffer no longer holds the token.
///
/// ```
/// use videosdk_token_core::{Claims, Permission, Rules, Key, sign, verify_in_place};
///
/// let key = Key::new(b"demo-secret-0123456789abcdef-0123456789")?;
/// let claims = Claims::new("demo-api-key", &[Permission::AllowJoin], 1_700_000_000, 1_700_007_200);
/// // A token as it arrives, say from a radio, into the one buffer the device keeps.
/// let mut buf = [0u8; 256];
/// let len = sign(&claims, &key, &mut buf)?.len();
/// let token = buf.get_mut(..len).ok_or("fits")?;
/// let verified = verify_in_place(token, &key, &Rules::at(1_700_000_060))?;
/// assert_eq!(verified.apikey(), "demo-api-key");
/// # Ok::<(), Box<dyn core::error::Error>>(())
/// ```
///
/// # Errors
/// As [`verify`], but never [`Error::ScratchTooSmall`]; a buffer that is not UTF-8 is
/// [`Error::BadBase64`] (or [`Error::Malformed`] when it is not three segments).
pub fn verify_in_place<'b>(
    token: &'b mut [u8],
    key: &Key,
    rules: &Rules,
) -> Result<VerifiedClaims<'b>, Error> {
    if token.len() > rules.max_token_len {
        return Err(Error::TokenTooLong);
    }
    let Some(text) = crate::accelerated::ascii_or_utf8(token) else {
        return Err(if three_segments(token) {
            Error::BadBase64
        } else {
            Error::Malformed
        });
    };
    // Everything that reads the token as written happens before any of it is overwritten:
    // the split, the standard-header shortcut, the MAC over the signing input, and whether it
    // is three segments (more would put a dot in the payload, between the first dot and the
    // last: one memchr over the payload, where `verify` counts dots only once refused).
    let (header_end, payload_end, standard_header, three, signature) = match Segments::split(text) {
        Ok(segments) => (
            segments.header.len(),
            segments.signing_input.len(),
            segments.header == HEADER || segments.header == HEADER_TYP_FIRST,
            !segments.payload.as_bytes().contains(&b'.'),
            check_signature(&segments, key),
        ),
        Err(e) => return Err(classify(text, e)),
    };
    let refuse = |e: Error| if three { e } else { Error::Malformed };
    let (header, rest) = token
        .split_at_mut_checked(header_end)
        .ok_or(Error::Malformed)?;
    if !standard_header {
        let json = decode_in_place(header).map_err(|_| refuse(Error::BadBase64))?;
        if read_header_json(json).map_err(refuse)?.alg != "HS256" {
            return Err(refuse(Error::WrongAlgorithm));
        }
    }
    signature.map_err(refuse)?;
    let payload = rest
        .get_mut(1..payload_end.saturating_sub(header_end))
        .ok_or(Error::Malformed)?;
    let json = decode_in_place(payload).map_err(|_| refuse(Error::BadBase64))?;
    read_claims(json)
        .and_then(|claims| check_times(claims, rules))
        .map_err(refuse)
}

/// The signature's verdict: present, canonical base64url, and the MAC of the signing input.
fn check_signature(segments: &Segments<'_>, key: &Key) -> Result<(), Error> {
    if segments.signature.is_empty() {
        return Err(Error::Malformed);
    }
    // Room for a few bytes more than a MAC, so that padding or stray characters on a
    // slightly long signature are reported as bad base64 rather than a bad signature.
    let mut decoded = [0u8; 40];
    let mac = match decode_into(segments.signature.as_bytes(), &mut decoded) {
        Ok(mac) => <&[u8; 32]>::try_from(mac).map_err(|_| Error::BadSignature)?,
        Err(DecodeError::Invalid) => return Err(Error::BadBase64),
        Err(DecodeError::BufferTooSmall) => return Err(Error::BadSignature),
    };
    if key.verify_tag(segments.signing_input.as_bytes(), mac) {
        Ok(())
    } else {
        Err(Error::BadSignature)
    }
}

/// The length of scratch buffer [`verify`] needs for any token of up to `max_token_len`
/// bytes: the decoded payload is never longer than the token (the header is decoded into the
/// same space first). [`verify_in_place`] needs none.
#[must_use]
pub const fn scratch_len(max_token_len: usize) -> usize {
    // A segment of n <= max_token_len characters decodes to at most floor(3n / 4) bytes.
    (max_token_len / 4).saturating_mul(3).saturating_add(2)
}

/// Reading a token without checking it, and signing a payload without checking it. Named so
/// that it is never used by accident: nothing here says a token is genuine, current, or a
/// VideoSDK token.
pub mod dangerous {
    use super::{
        DEFAULT_MAX_TOKEN_LEN, Segments, TokenClaims, decode_segment, read_claims, read_header,
        three_segments,
    };
    use crate::base64url::decoded_len;
    use crate::{Error, Key};

    /// Signs `json` as the token's payload byte for byte, unchecked: not parsed, not checked as
    /// VideoSDK claims. For a caller that serializes the payload itself, as the WebAssembly
    /// package does with `JSON.stringify` to keep the key order of a JavaScript object (and so
    /// the token Node's `jsonwebtoken` makes of it). Prefer [`sign`](crate::sign), which checks
    /// the claims and writes them as Node would.
    ///
    /// ```
    /// use videosdk_token_core::{Claims, Key, Permission, dangerous, sign};
    ///
    /// let key = Key::new(b"demo-secret-0123456789abcdef-0123456789")?;
    /// let claims = Claims::new("demo-api-key", &[Permission::AllowJoin], 1_700_000_000, 1_700_007_200);
    /// let json = br#"{"apikey":"demo-api-key","permissions":["allow_join"],"iat":1700000000,"exp":1700007200}"#;
    /// let (mut a, mut b) = ([0u8; 256], [0u8; 256]);
    /// assert_eq!(dangerous::sign_json(json, &key, &mut a)?, sign(&claims, &key, &mut b)?);
    /// # Ok::<(), videosdk_token_core::Error>(())
    /// ```
    ///
    /// # Errors
    /// Only [`Error::BufferTooSmall`], with the exact length needed; `out` then holds nothing.
    pub fn sign_json<'o>(json: &[u8], key: &Key, out: &'o mut [u8]) -> Result<&'o str, Error> {
        crate::sign::sign_json(json, key, out)
    }

    /// A token's header fields and claims, NOT verified: neither the signature nor the times
    /// were checked.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct Unverified<'s> {
        alg: &'s str,
        typ: Option<&'s str>,
        claims: TokenClaims<'s>,
    }

    impl<'s> Unverified<'s> {
        /// The header's `alg`, whatever it names.
        #[must_use]
        pub const fn alg(&self) -> &'s str {
            self.alg
        }

        /// The header's `typ`, if present.
        #[must_use]
        pub const fn typ(&self) -> Option<&'s str> {
            self.typ
        }

        /// The payload's claims, as read and not checked.
        #[must_use]
        pub const fn claims(&self) -> &TokenClaims<'s> {
            &self.claims
        }
    }

    /// Decodes `token` for inspection without checking its signature or times; the header and
    /// payload are decoded into `scratch` (a buffer as long as the token always suffices).
    ///
    /// # Errors
    /// Form, base64, JSON and claim errors as [`verify`](super::verify) reports them;
    /// [`Error::ScratchTooSmall`] when `scratch` cannot hold the header and payload.
    pub fn decode_unverified<'s>(
        token: &str,
        scratch: &'s mut [u8],
    ) -> Result<Unverified<'s>, Error> {
        if token.len() > DEFAULT_MAX_TOKEN_LEN {
            return Err(Error::TokenTooLong);
        }
        let segments = Segments::split(token)?;
        if !three_segments(token.as_bytes()) {
            return Err(Error::Malformed);
        }
        let header_len = decoded_len(segments.header.len()).ok_or(Error::BadBase64)?;
        let payload_len = decoded_len(segments.payload.len()).ok_or(Error::BadBase64)?;
        let needed = header_len.saturating_add(payload_len);
        let (header_scratch, payload_scratch) = scratch
            .split_at_mut_checked(header_len)
            .ok_or(Error::ScratchTooSmall { needed })?;
        let header = read_header(segments.header, header_scratch)?;
        let payload = decode_segment(segments.payload, payload_scratch).map_err(|e| match e {
            Error::ScratchTooSmall { .. } => Error::ScratchTooSmall { needed },
            other => other,
        })?;
        let claims = read_claims(payload)?;
        Ok(Unverified {
            alg: header.alg,
            typ: header.typ,
            claims,
        })
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use std::string::String;
    use std::vec::Vec;

    use proptest::prelude::*;

    use super::{claims_from, read_canonical, read_canonical_in_place, read_claims_generally};
    use crate::claims::{Claims, Permission, Role};
    use crate::json_writer::{SliceOut, write_claims};

    /// The payload this crate writes for some claims, in the contract's order.
    fn payload() -> impl Strategy<Value = Vec<u8>> {
        let text = "[a-z0-9\"\\\\\u{0}-\u{1f}é😀]{0,20}";
        (
            text,
            proptest::sample::subsequence(
                std::vec![
                    Permission::AllowJoin,
                    Permission::AskJoin,
                    Permission::AllowMod
                ],
                0..=3,
            ),
            proptest::option::of(text),
            proptest::option::of(text),
            proptest::sample::subsequence(std::vec![Role::Rtc, Role::Crawler], 0..=2),
            any::<bool>(),
            0u64..(1 << 53),
            0u64..(1 << 53),
        )
            .prop_map(
                |(apikey, permissions, room, participant, roles, v2, iat, exp)| {
                    let claims = Claims::new(&apikey, &permissions, iat, exp)
                        .with_optional_room_id(room.as_deref())
                        .with_optional_participant_id(participant.as_deref())
                        .with_roles(&roles)
                        .with_version_2_if(v2);
                    let mut buf = std::vec![0u8; 4096];
                    let mut out = SliceOut::new(&mut buf);
                    write_claims(&claims, &mut out).unwrap();
                    let len = out.len();
                    buf.truncate(len);
                    buf
                },
            )
    }

    /// A payload, maybe with a byte changed, inserted or removed anywhere.
    fn mutated() -> impl Strategy<Value = Vec<u8>> {
        (
            payload(),
            proptest::option::of((any::<prop::sample::Index>(), any::<u8>(), 0u8..3)),
            proptest::option::of(prop::sample::select(std::vec![
                (r#"],"version":2"#, r#"],"version":3"#),
                (r#""iat":"#, r#""iat":0"#),
                (r#"["allow_join"#, r#"["allow_join","allow_join""#),
                (r#""roomId":"#, r#""roomid":"#),
                (r#""rtc""#, r#""admin""#),
                (r#""exp":"#, r#""nbf":1,"exp":"#),
                (r#"{"#, r#"{ "#),
            ])),
        )
            .prop_map(|(mut bytes, flaw, swap)| {
                if let Some((from, to)) = swap {
                    let text = String::from_utf8_lossy(&bytes).replacen(from, to, 1);
                    bytes = text.into_bytes();
                }
                if let (Some((at, byte, how)), false) = (flaw, bytes.is_empty()) {
                    let at = at.index(bytes.len());
                    match how {
                        0 => bytes[at] = byte,
                        1 => bytes.insert(at, byte),
                        _ => {
                            bytes.remove(at);
                        }
                    }
                }
                bytes
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(5000))]

        /// Whatever the canonical reader accepts, the general reader reads alike: the same
        /// claims, or the same refusal.
        #[test]
        fn canonical_and_general_readers_agree(json in mutated()) {
            let mut general_copy = json.clone();
            let general = read_claims_generally(&mut general_copy);
            if let Some(read) = read_canonical(&json) {
                let canonical = claims_from(&json, read);
                prop_assert_eq!(canonical, general.clone());
            }
            // Decoding escapes in place: the same claims, the same bytes left behind.
            let mut copy = json.clone();
            if let Some(read) = read_canonical_in_place(&mut copy) {
                let canonical = claims_from(&copy, read);
                prop_assert_eq!(canonical, general);
                prop_assert_eq!(&copy, &general_copy);
            }
        }

        /// Every payload this crate writes is read canonically (unless it lists no
        /// permission, which is never signed), and without escapes without changing a byte.
        #[test]
        fn written_payloads_are_read_canonically(json in payload()) {
            let listed = json.windows(16).any(|w| w == br#""permissions":[""#);
            let plain = !json.contains(&b'\\');
            prop_assert_eq!(read_canonical(&json).is_some(), listed && plain);
            let mut copy = json.clone();
            prop_assert_eq!(read_canonical_in_place(&mut copy).is_some(), listed);
        }
    }
}
