//! A request for a token, however it arrives: a `batch` line, a POST body, a GET query or a
//! GET body. One type, one set of checks and one set of messages, each naming its field; the
//! command decides only what it allows (`Policy`) and what fills the gaps (the defaults).

use std::borrow::Cow;

use serde::Deserialize;
use serde::de::{self, Deserializer, SeqAccess, Visitor};
use videosdk_token_core::{ExpiresIn, Permission, Role};

use crate::cli::ClaimArgs;
use crate::escape::is_unsafe;
use crate::spec::Spec;

/// What a request asks for; every field is optional and falls back to the defaults. This
/// definition is the only list of the fields: `batch` lines, JSON and form bodies and query
/// strings are all read into it by serde (see `input`), which refuses an unknown field and a
/// field given twice (`peerId` is the VideoSDK examples' name for `participantId`, so giving
/// both is giving it twice), and each field's type says what it must hold.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TokenRequest<'a> {
    #[serde(default)]
    pub room_id: Option<Cow<'a, str>>,
    #[serde(default, alias = "peerId")]
    pub participant_id: Option<Cow<'a, str>>,
    #[serde(default)]
    pub roles: Option<NameList<'a>>,
    #[serde(default)]
    pub permissions: Option<NameList<'a>>,
    #[serde(default)]
    pub expires_in: Option<Lifetime<'a>>,
    #[serde(default)]
    pub iat: Option<u64>,
    #[serde(default)]
    pub version: Option<u8>,
}

/// `roles` or `permissions`: a list of names (in a query or a form, comma-separated).
#[derive(Debug, Default)]
pub struct NameList<'a>(pub Vec<Cow<'a, str>>);

impl<'de> Deserialize<'de> for NameList<'_> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Names;
        impl<'de> Visitor<'de> for Names {
            type Value = Vec<Cow<'static, str>>;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a list of names")
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut names = Vec::new();
                while let Some(name) = seq.next_element::<String>()? {
                    names.push(Cow::Owned(name));
                }
                Ok(names)
            }
        }
        deserializer.deserialize_seq(Names).map(NameList)
    }
}

/// `expiresIn`: a duration in the `ms` grammar, or a whole number of seconds.
#[derive(Debug)]
pub enum Lifetime<'a> {
    Seconds(u64),
    Text(Cow<'a, str>),
}

impl<'de> Deserialize<'de> for Lifetime<'_> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Either;
        impl Visitor<'_> for Either {
            type Value = Lifetime<'static>;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a duration such as \"2h\" or a whole number of seconds")
            }

            fn visit_u64<E: de::Error>(self, seconds: u64) -> Result<Self::Value, E> {
                Ok(Lifetime::Seconds(seconds))
            }

            fn visit_str<E: de::Error>(self, text: &str) -> Result<Self::Value, E> {
                Ok(Lifetime::Text(Cow::Owned(text.to_owned())))
            }
        }
        deserializer.deserialize_any(Either)
    }
}

/// A request refused, and the field that made it so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
    /// The request is well-formed but asks for more than a server's policy allows.
    pub by_policy: bool,
}

impl FieldError {
    fn new(field: &'static str, message: impl Into<String>) -> Self {
        Self {
            field,
            message: message.into(),
            by_policy: false,
        }
    }

    fn policy(field: &'static str, message: impl Into<String>) -> Self {
        Self {
            by_policy: true,
            ..Self::new(field, message)
        }
    }
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for FieldError {}

/// What a server lets a caller ask for (`batch` and `sign` trust their user and have none).
#[derive(Debug, Clone)]
pub struct Policy {
    pub permissions: Vec<Permission>,
    pub roles: Vec<Role>,
    /// The longest lifetime, in milliseconds as `ExpiresIn::millis` reads one, and as typed.
    pub max_lifetime_ms: f64,
    pub max_lifetime_text: String,
    /// Roles a token gets when it names a room or a participant and no roles (the VideoSDK
    /// examples give `["rtc"]`).
    pub scoped_roles: Vec<Role>,
    pub allow_control_characters: bool,
}

/// Longest `roomId` or `participantId` a server signs, in bytes.
pub const MAX_ID_LEN: usize = 256;

/// Storage for the typed names a request lists, so that a resolved request borrows rather
/// than allocates.
#[derive(Debug, Clone, Copy)]
pub struct Names {
    roles: [Role; 2],
    permissions: [Permission; 3],
}

impl Default for Names {
    fn default() -> Self {
        Self {
            roles: [Role::Rtc; 2],
            permissions: [Permission::AllowJoin; 3],
        }
    }
}

impl<'a> TokenRequest<'a> {
    /// What `sign` and `batch` flags ask for, as a request over the issuer's defaults (names
    /// written as the core spells them, and read back through the same checks).
    pub fn from_flags(args: &'a ClaimArgs) -> Self {
        let names = |list: Vec<&'static str>| {
            (!list.is_empty()).then(|| list.into_iter().map(Cow::Borrowed).collect())
        };
        Self {
            room_id: args.room_id.as_deref().map(Cow::Borrowed),
            participant_id: args.participant_id.as_deref().map(Cow::Borrowed),
            roles: names(args.roles.iter().map(|&r| Role::from(r).as_str()).collect())
                .map(NameList),
            permissions: None,
            expires_in: None,
            iat: args.iat,
            version: args.version_2.then_some(2),
        }
    }

    /// The claims this request asks for over `defaults`, checked against `policy` when there
    /// is one; typed names are kept in `names`.
    pub fn resolve<'r>(
        &'r self,
        defaults: &Spec<'r>,
        policy: Option<&Policy>,
        names: &'r mut Names,
    ) -> Result<Spec<'r>, FieldError> {
        let mut spec = *defaults;
        if let Some(version) = self.version {
            if policy.is_some() {
                return Err(FieldError::policy(
                    "version",
                    "version is set by this server",
                ));
            }
            if version != 2 {
                return Err(FieldError::new("version", "version must be 2"));
            }
            spec.version_2 = true;
        }
        if let Some(iat) = self.iat {
            if policy.is_some() {
                return Err(FieldError::policy(
                    "iat",
                    "iat is set by this server's clock",
                ));
            }
            spec.iat = iat;
        }
        let room_id = id(self.room_id.as_deref(), "roomId", policy)?;
        let participant_id = id(self.participant_id.as_deref(), "participantId", policy)?;
        spec.room_id = room_id.or(spec.room_id);
        spec.participant_id = participant_id.or(spec.participant_id);

        let Names { roles, permissions } = names;
        if let Some(listed) = &self.roles {
            let allowed = policy.map(|p| p.roles.as_slice());
            let n = typed(
                &listed.0,
                "roles",
                "role",
                Role::from_name,
                (Role::ALL, Role::as_str),
                allowed,
                roles,
            )?;
            spec.roles = roles.get(..n).unwrap_or_default();
        } else if let Some(policy) = policy
            && (room_id.is_some() || participant_id.is_some())
        {
            spec.roles = &[];
            let n = policy.scoped_roles.len().min(roles.len());
            for (slot, &role) in roles.iter_mut().zip(&policy.scoped_roles) {
                *slot = role;
            }
            spec.roles = roles.get(..n).unwrap_or_default();
        }
        if let Some(listed) = &self.permissions {
            let allowed = policy.map(|p| p.permissions.as_slice());
            let n = typed(
                &listed.0,
                "permissions",
                "permission",
                Permission::from_name,
                (Permission::ALL, Permission::as_str),
                allowed,
                permissions,
            )?;
            if n == 0 {
                return Err(FieldError::new(
                    "permissions",
                    "permissions are empty: give at least one of allow_join, ask_join, allow_mod",
                ));
            }
            spec.permissions = permissions.get(..n).unwrap_or_default();
        }
        if let Some(lifetime) = &self.expires_in {
            let expires_in = match lifetime {
                Lifetime::Seconds(seconds) => ExpiresIn::seconds(*seconds),
                Lifetime::Text(text) => ExpiresIn::parse(text).map_err(|e| {
                    FieldError::new("expiresIn", format!("expiresIn {}: {e}", code(text)))
                })?,
            };
            if let Some(policy) = policy
                && expires_in.millis() > policy.max_lifetime_ms
            {
                return Err(FieldError::policy(
                    "expiresIn",
                    format!(
                        "longer than this server's maximum of {}",
                        policy.max_lifetime_text
                    ),
                ));
            }
            spec.expires_in = expires_in;
        }
        Ok(spec)
    }
}

/// A `roomId` or `participantId`: never empty; for a server, not too long and, unless it
/// allows them, free of characters a log or terminal would act on.
fn id<'r>(
    value: Option<&'r str>,
    field: &'static str,
    policy: Option<&Policy>,
) -> Result<Option<&'r str>, FieldError> {
    let Some(text) = value else {
        return Ok(None);
    };
    if text.is_empty() {
        return Err(FieldError::new(field, format!("{field} is empty")));
    }
    if let Some(policy) = policy {
        if text.len() > MAX_ID_LEN {
            return Err(FieldError::policy(
                field,
                format!("{field} is longer than {MAX_ID_LEN} bytes"),
            ));
        }
        if let Some(c) = text.chars().find(|&c| is_unsafe(c))
            && !policy.allow_control_characters
        {
            return Err(FieldError::policy(
                field,
                format!(
                    "{field} holds U+{:04X}, a control character or bidi override; this server \
                     refuses them (see --allow-control-characters)",
                    u32::from(c)
                ),
            ));
        }
    }
    Ok(Some(text))
}

/// Names typed into `slots` (no allocation); returns how many. Unknown names, a name listed
/// twice and names the policy does not allow are refused by name.
#[allow(
    clippy::too_many_arguments,
    reason = "one call each for roles and permissions"
)]
fn typed<T: Copy + PartialEq, const N: usize>(
    names: &[Cow<'_, str>],
    field: &'static str,
    what: &str,
    parse: impl Fn(&str) -> Option<T>,
    (all, name_of): (&[T], fn(T) -> &'static str),
    allowed: Option<&[T]>,
    slots: &mut [T; N],
) -> Result<usize, FieldError> {
    for (i, name) in names.iter().enumerate() {
        let value = parse(name).ok_or_else(|| {
            // The names come from the core, never from a list of this command's own.
            let expected = all
                .iter()
                .map(|&t| name_of(t))
                .collect::<Vec<_>>()
                .join(", ");
            FieldError::new(
                field,
                format!("unknown {what} {} (expected {expected})", code(name)),
            )
        })?;
        if names.get(..i).is_some_and(|before| before.contains(name)) {
            return Err(FieldError::new(
                field,
                format!("{what} {} is listed twice", code(name)),
            ));
        }
        if allowed.is_some_and(|allowed| !allowed.contains(&value)) {
            return Err(FieldError::policy(
                field,
                format!("{what} {} is not allowed by this server", code(name)),
            ));
        }
        if let Some(slot) = slots.get_mut(i) {
            *slot = value;
        }
    }
    Ok(names.len().min(N))
}

/// A value from the request, in a message: between backticks as serde's own messages quote
/// (the ones `batch` prints for a line), with control characters and backticks escaped.
pub fn code(value: &str) -> String {
    let escaped = format!("{value:?}").replace('`', "\\`");
    let inner = escaped
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(&escaped)
        .replace("\\\"", "\"");
    format!("`{inner}`")
}
