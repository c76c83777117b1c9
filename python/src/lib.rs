//! `videosdk_token._native`: the core for Python, through PyO3. The Python package
//! (`videosdk_token`) wraps it: `sign`, `Signer`, `verify`, `decode`, and the PyJWT-shaped
//! `videosdk_token.jwt`.

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use videosdk_token_core::{
    Claims, Error, ExpiresIn, Join, Key, Permission, Role, Rules, dangerous, scratch_len, token_len,
};

pyo3::create_exception!(
    _native,
    TokenError,
    pyo3::exceptions::PyException,
    "A token refused, or claims that cannot be signed."
);
pyo3::create_exception!(
    _native,
    InvalidClaims,
    TokenError,
    "Claims the core refuses to sign (an empty API key, an unknown permission, ...)."
);
pyo3::create_exception!(
    _native,
    InvalidToken,
    TokenError,
    "A token that does not verify: its `kind` attribute names why."
);

/// The core's error as a Python exception: sign-side errors as `InvalidClaims`, the rest as
/// `InvalidToken` with `kind` set to the error's name (`Expired`, `BadSignature`, ...).
fn refused(py: Python<'_>, error: Error, signing: bool) -> PyErr {
    let message = error.to_string();
    if signing {
        return InvalidClaims::new_err(message);
    }
    let err = InvalidToken::new_err(message);
    let kind = format!("{error:?}");
    let kind = kind.split(['(', ' ', '{']).next().unwrap_or("").to_owned();
    let _ = err.value(py).setattr("kind", kind);
    err
}

/// A secret as `str` (its UTF-8 bytes) or `bytes`.
#[derive(FromPyObject)]
enum Secret {
    Text(String),
    Bytes(Vec<u8>),
}

impl Secret {
    fn bytes(&self) -> &[u8] {
        match self {
            Self::Text(text) => text.as_bytes(),
            Self::Bytes(bytes) => bytes,
        }
    }

    /// The keyed HMAC state, from a one-entry cache per thread: a service signs with one
    /// secret, and keying costs two SHA-256 compressions a call.
    fn key(&self) -> PyResult<Key> {
        thread_local! {
            static LAST: std::cell::RefCell<Option<(Vec<u8>, Key)>> = const { std::cell::RefCell::new(None) };
        }
        let secret = self.bytes();
        LAST.with(|last| {
            let mut last = last.borrow_mut();
            if let Some((cached, key)) = last.as_ref()
                && same(cached, secret)
            {
                return Ok(key.clone());
            }
            let key =
                Key::new(secret).map_err(|e| InvalidClaims::new_err(format!("the secret: {e}")))?;
            *last = Some((secret.to_vec(), key.clone()));
            Ok(key)
        })
    }
}

/// Equal bytes, compared in time that depends only on the lengths.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// `expires_in`: a duration such as `"2h"` (the `ms` grammar `jsonwebtoken` uses) or a whole
/// number of seconds.
#[derive(FromPyObject)]
enum Lifetime {
    Seconds(u64),
    Text(String),
}

impl Lifetime {
    fn parse(&self) -> PyResult<ExpiresIn> {
        match self {
            Self::Seconds(seconds) => Ok(ExpiresIn::seconds(*seconds)),
            Self::Text(text) => ExpiresIn::parse(text)
                .map_err(|e| InvalidClaims::new_err(format!("expires_in {text:?}: {e}"))),
        }
    }
}

/// One token's claims, as Python gave them, owned so that signing can run without the GIL.
struct Request {
    permissions: ([Permission; 3], usize),
    roles: ([Role; 2], usize),
    version_2: bool,
    room_id: Option<PyBackedStr>,
    participant_id: Option<PyBackedStr>,
    iat: Option<u64>,
    expires_in: ExpiresIn,
}

/// Names typed into an array, in order: a str (itself iterable) is refused, and so are an
/// unknown name and a name listed twice, by name. Only `N` distinct names exist, so they fit.
fn typed<T: Copy + PartialEq, const N: usize>(
    names: &Bound<'_, PyAny>,
    what: &str,
    parse: fn(&str) -> Option<T>,
    expected: &str,
    fill: T,
) -> PyResult<([T; N], usize)> {
    if names.is_instance_of::<PyString>() {
        return Err(PyTypeError::new_err(format!(
            "{what}s must be a list of names, not a str"
        )));
    }
    let mut typed = ([fill; N], 0);
    for item in names.try_iter()? {
        let item = item?;
        let name = item
            .cast::<PyString>()
            .map_err(|_| PyTypeError::new_err(format!("each of the {what}s must be a str")))?;
        let name = name.to_str()?;
        let value = parse(name).ok_or_else(|| {
            InvalidClaims::new_err(format!("unknown {what} {name:?} (expected {expected})"))
        })?;
        let (slots, len) = &mut typed;
        if slots.get(..*len).is_some_and(|seen| seen.contains(&value)) {
            return Err(InvalidClaims::new_err(format!(
                "{what} {name:?} is listed twice"
            )));
        }
        if let Some(slot) = slots.get_mut(*len) {
            *slot = value;
            *len += 1;
        }
    }
    Ok(typed)
}

#[allow(clippy::too_many_arguments)]
fn request(
    permissions: &Bound<'_, PyAny>,
    expires_in: Option<Lifetime>,
    version: Option<u64>,
    room_id: Option<PyBackedStr>,
    participant_id: Option<PyBackedStr>,
    roles: Option<&Bound<'_, PyAny>>,
    iat: Option<u64>,
) -> PyResult<Request> {
    let permissions = typed(
        permissions,
        "permission",
        Permission::from_name,
        "allow_join, ask_join, allow_mod",
        Permission::AllowJoin,
    )?;
    let roles = match roles {
        Some(roles) => typed(roles, "role", Role::from_name, "crawler, rtc", Role::Rtc)?,
        None => ([Role::Rtc; 2], 0),
    };
    let version_2 = match version {
        None => false,
        Some(2) => true,
        Some(other) => {
            return Err(InvalidClaims::new_err(format!(
                "version {other}: the only version is 2"
            )));
        }
    };
    Ok(Request {
        permissions,
        roles,
        version_2,
        room_id,
        participant_id,
        iat,
        expires_in: expires_in.map_or(Ok(ExpiresIn::seconds(7200)), |l| l.parse())?,
    })
}

impl Request {
    /// The token, signed by the core into `buf`: the same bytes
    /// Node's `jwt.sign` makes.
    fn sign<'b>(
        &self,
        api_key: &str,
        key: &Key,
        now: u64,
        buf: &'b mut Vec<u8>,
    ) -> Result<&'b str, Error> {
        let iat = self.iat.unwrap_or(now);
        // A room, a participant or roles imply version 2, as they do for the CLI.
        let permissions = self
            .permissions
            .0
            .get(..self.permissions.1)
            .unwrap_or_default();
        let roles = self.roles.0.get(..self.roles.1).unwrap_or_default();
        let version_2 = self.version_2
            || self.room_id.is_some()
            || self.participant_id.is_some()
            || !roles.is_empty();
        let claims = Claims::expiring(api_key, permissions, iat, self.expires_in)?
            .with_version_2_if(version_2)
            .with_optional_room_id(self.room_id.as_deref())
            .with_optional_participant_id(self.participant_id.as_deref())
            .with_roles(roles);
        // The exact length: the core's work grows with the buffer it is given.
        buf.resize(token_len(&claims)?, 0);
        videosdk_token_core::sign(&claims, key, buf)
    }
}

thread_local! {
    /// Where this thread's tokens are signed before Python copies them into a `str`.
    static BUF: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// The token as a Python `str`, signed in this thread's buffer.
fn sign_to_py<'py>(
    py: Python<'py>,
    asked: &Request,
    api_key: &str,
    key: &Key,
) -> PyResult<Bound<'py, PyString>> {
    BUF.with(|buf| {
        let mut buf = buf.borrow_mut();
        asked
            .sign(api_key, key, now(), &mut buf)
            .map(|token| PyString::new(py, token))
            .map_err(|e| refused(py, e, true))
    })
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// `sign(api_key, permissions, *, secret, ...)`: one token.
#[pyfunction]
#[pyo3(signature = (api_key, permissions, *, secret, expires_in=None, version=None, room_id=None, participant_id=None, roles=None, iat=None))]
#[allow(clippy::too_many_arguments)]
fn sign<'py>(
    py: Python<'py>,
    api_key: &str,
    permissions: &Bound<'py, PyAny>,
    secret: Secret,
    expires_in: Option<Lifetime>,
    version: Option<u64>,
    room_id: Option<PyBackedStr>,
    participant_id: Option<PyBackedStr>,
    roles: Option<&Bound<'py, PyAny>>,
    iat: Option<u64>,
) -> PyResult<Bound<'py, PyString>> {
    let key = secret.key()?;
    let asked = request(
        permissions,
        expires_in,
        version,
        room_id,
        participant_id,
        roles,
        iat,
    )?;
    sign_to_py(py, &asked, api_key, &key)
}

/// Keys the secret once, for many tokens of one API key.
#[pyclass(frozen, module = "videosdk_token._native")]
struct Signer {
    key: Key,
    api_key: String,
}

#[pymethods]
impl Signer {
    #[new]
    fn new(secret: Secret, api_key: String) -> PyResult<Self> {
        Ok(Self {
            key: secret.key()?,
            api_key,
        })
    }

    /// One token, as `sign` makes it.
    #[pyo3(signature = (permissions, *, expires_in=None, version=None, room_id=None, participant_id=None, roles=None, iat=None))]
    #[allow(clippy::too_many_arguments)]
    fn sign<'py>(
        &self,
        py: Python<'py>,
        permissions: &Bound<'py, PyAny>,
        expires_in: Option<Lifetime>,
        version: Option<u64>,
        room_id: Option<PyBackedStr>,
        participant_id: Option<PyBackedStr>,
        roles: Option<&Bound<'py, PyAny>>,
        iat: Option<u64>,
    ) -> PyResult<Bound<'py, PyString>> {
        let asked = request(
            permissions,
            expires_in,
            version,
            room_id,
            participant_id,
            roles,
            iat,
        )?;
        sign_to_py(py, &asked, &self.api_key, &self.key)
    }

    /// A token for each request (a dict of `sign`'s keyword arguments), in order; the GIL is
    /// released while they are signed. The first bad request raises, naming its index.
    fn sign_many(&self, py: Python<'_>, requests: Vec<Bound<'_, PyDict>>) -> PyResult<Vec<String>> {
        let asked = requests
            .iter()
            .enumerate()
            .map(|(index, dict)| read_request(dict).map_err(|e| at_index(py, index, e)))
            .collect::<PyResult<Vec<_>>>()?;
        let now = now();
        let signed = py.detach(|| {
            let mut buf = Vec::new();
            asked
                .iter()
                .enumerate()
                .map(|(index, r)| {
                    r.sign(&self.api_key, &self.key, now, &mut buf)
                        .map(str::to_owned)
                        .map_err(|e| (index, e))
                })
                .collect::<Result<Vec<_>, _>>()
        });
        signed.map_err(|(index, e)| at_index(py, index, refused(py, e, true)))
    }

    fn __repr__(&self) -> String {
        format!("Signer(api_key={:?}, secret=<hidden>)", self.api_key)
    }
}

fn at_index(py: Python<'_>, index: usize, error: PyErr) -> PyErr {
    let message = format!("request {index}: {}", error.value(py));
    if error.is_instance_of::<InvalidClaims>(py) {
        InvalidClaims::new_err(message)
    } else {
        PyTypeError::new_err(message)
    }
}

/// A `sign_many` request dict: only `sign`'s keyword names.
fn read_request(dict: &Bound<'_, PyDict>) -> PyResult<Request> {
    const NAMES: [&str; 7] = [
        "permissions",
        "expires_in",
        "version",
        "room_id",
        "participant_id",
        "roles",
        "iat",
    ];
    for key in dict.keys() {
        let name: String = key.extract()?;
        if !NAMES.contains(&name.as_str()) {
            return Err(PyTypeError::new_err(format!("unknown argument {name:?}")));
        }
    }
    macro_rules! field {
        ($name:literal, $type:ty) => {
            match dict.get_item($name)? {
                Some(value) => value.extract::<Option<$type>>()?,
                None => None,
            }
        };
    }
    let permissions = dict
        .get_item("permissions")?
        .ok_or_else(|| PyTypeError::new_err("permissions is required"))?;
    let roles = dict.get_item("roles")?.filter(|r| !r.is_none());
    request(
        &permissions,
        field!("expires_in", Lifetime),
        field!("version", u64),
        field!("room_id", PyBackedStr),
        field!("participant_id", PyBackedStr),
        roles.as_ref(),
        field!("iat", u64),
    )
}

/// What a verified token says, and what it allows.
#[pyclass(frozen, get_all, name = "Claims", module = "videosdk_token._native")]
struct Claims_ {
    apikey: String,
    permissions: Vec<String>,
    roles: Vec<String>,
    version: Option<u64>,
    room_id: Option<String>,
    participant_id: Option<String>,
    iat: Option<u64>,
    exp: u64,
    nbf: Option<u64>,
    /// Whether the roles allow meetings (`rtc`, or no role).
    allows_meetings: bool,
    /// Whether the roles allow the server API (`crawler`, or no role).
    allows_server_api: bool,
    /// With `room_id` asked: `"directly"` or `"after_asking"`; `None` otherwise.
    join: Option<&'static str>,
}

#[pymethods]
impl Claims_ {
    fn __repr__(&self) -> String {
        let text = |v: &Option<String>| v.as_ref().map_or("None".to_owned(), |s| format!("{s:?}"));
        format!(
            "Claims(apikey={:?}, permissions={:?}, roles={:?}, room_id={}, participant_id={}, exp={})",
            self.apikey,
            self.permissions,
            self.roles,
            text(&self.room_id),
            text(&self.participant_id),
            self.exp
        )
    }
}

/// `verify(token, secret, *, room_id=None, participant_id=None, leeway=0, now=None)`.
#[pyfunction]
#[pyo3(signature = (token, secret, *, room_id=None, participant_id=None, leeway=0, now=None, refuse_unknown_names=false))]
#[allow(clippy::too_many_arguments)]
fn verify(
    py: Python<'_>,
    token: &str,
    secret: Secret,
    room_id: Option<&str>,
    participant_id: Option<&str>,
    leeway: u64,
    now: Option<u64>,
    refuse_unknown_names: bool,
) -> PyResult<Claims_> {
    let key = secret.key()?;
    let mut rules = Rules::at(now.unwrap_or_else(self::now)).with_leeway(leeway);
    if refuse_unknown_names {
        rules = rules.refusing_unknown_names();
    }
    let mut scratch = vec![0; scratch_len(token.len())];
    let verified = videosdk_token_core::verify(token, &key, &rules, &mut scratch)
        .map_err(|e| refused(py, e, false))?;
    let join = match room_id {
        Some(room) => match verified.join(room, participant_id) {
            Ok(Join::Directly) => Some("directly"),
            Ok(Join::AfterAsking) => Some("after_asking"),
            Err(refusal) => {
                let err = InvalidToken::new_err(refusal.to_string());
                let _ = err.value(py).setattr("kind", format!("{refusal:?}"));
                return Err(err);
            }
        },
        None => None,
    };
    let claims = verified.claims();
    Ok(Claims_ {
        apikey: claims.apikey().to_owned(),
        permissions: claims
            .permissions()
            .iter()
            .map(|p| p.as_str().to_owned())
            .chain(claims.unknown_permissions().iter().map(|&p| p.to_owned()))
            .collect(),
        roles: claims
            .roles()
            .iter()
            .map(|r| r.as_str().to_owned())
            .chain(claims.unknown_roles().iter().map(|&r| r.to_owned()))
            .collect(),
        version: claims.version(),
        room_id: claims.room_id().map(str::to_owned),
        participant_id: claims.participant_id().map(str::to_owned),
        iat: claims.iat(),
        exp: verified.exp(),
        nbf: claims.nbf(),
        allows_meetings: claims.allows_meetings(),
        allows_server_api: claims.allows_server_api(),
        join,
    })
}

/// Checks a token as `verify` does, and returns the payload's JSON text: for the PyJWT-shaped
/// `decode`, which returns the whole payload as a dict.
#[pyfunction]
#[pyo3(signature = (token, secret, *, leeway=0, now=None))]
fn verify_payload(
    py: Python<'_>,
    token: &str,
    secret: Secret,
    leeway: u64,
    now: Option<u64>,
) -> PyResult<()> {
    let key = secret.key()?;
    let rules = Rules::at(now.unwrap_or_else(self::now)).with_leeway(leeway);
    let mut scratch = vec![0; scratch_len(token.len())];
    videosdk_token_core::verify(token, &key, &rules, &mut scratch)
        .map(|_| ())
        .map_err(|e| refused(py, e, false))
}

/// Reads a token's header and claims without checking its signature or times (the core's
/// form, base64 and claim checks still apply); raises `InvalidToken` when they fail.
#[pyfunction]
fn check_form(py: Python<'_>, token: &str) -> PyResult<String> {
    let mut scratch = vec![0; token.len()];
    dangerous::decode_unverified(token, &mut scratch)
        .map(|unverified| unverified.alg().to_owned())
        .map_err(|e| refused(py, e, false))
}

/// Signs a payload (a dict) as Node's `jwt.sign` serializes it: `JSON.stringify`'s bytes
/// (non-ASCII as it is, numbers as JavaScript writes them, integer-like keys first), under
/// the header `{"alg":"HS256","typ":"JWT"}`. No claim is checked or added.
#[pyfunction]
fn sign_payload(py: Python<'_>, payload: &Bound<'_, PyDict>, secret: Secret) -> PyResult<String> {
    let key = secret.key()?;
    let mut json = Vec::with_capacity(256);
    write_value(payload.as_any(), &mut json, 0)?;
    let mut out = vec![0; json.len().saturating_mul(4) / 3 + 128];
    dangerous::sign_json(&json, &key, &mut out)
        .map(str::to_owned)
        .map_err(|e| refused(py, e, true))
}

/// Deepest nesting written, as a guard against runaway recursion.
const MAX_DEPTH: usize = 64;

/// `value` as JavaScript's `JSON.stringify` writes it.
fn write_value(value: &Bound<'_, PyAny>, out: &mut Vec<u8>, depth: usize) -> PyResult<()> {
    if depth > MAX_DEPTH {
        return Err(PyValueError::new_err("the payload is nested too deeply"));
    }
    if value.is_none() {
        out.extend_from_slice(b"null");
    } else if let Ok(b) = value.cast::<PyBool>() {
        out.extend_from_slice(if b.is_true() { b"true" } else { b"false" });
    } else if let Ok(int) = value.cast::<PyInt>() {
        // A JavaScript number: exact up to 2^53, else the nearest double, written as JS does.
        match int.extract::<i64>() {
            Ok(n) if n.unsigned_abs() <= 1 << 53 => out.extend_from_slice(n.to_string().as_bytes()),
            _ => write_number(int.extract::<f64>()?, out),
        }
    } else if let Ok(float) = value.cast::<PyFloat>() {
        write_number(float.value(), out);
    } else if let Ok(text) = value.cast::<PyString>() {
        write_string(text, out)?;
    } else if let Ok(dict) = value.cast::<PyDict>() {
        write_object(dict, out, depth)?;
    } else if let Ok(list) = value.cast::<PyList>() {
        write_array(list.iter(), out, depth)?;
    } else if let Ok(tuple) = value.cast::<PyTuple>() {
        write_array(tuple.iter(), out, depth)?;
    } else {
        return Err(PyTypeError::new_err(format!(
            "Object of type {} is not JSON serializable",
            value.get_type().name()?
        )));
    }
    Ok(())
}

fn write_number(n: f64, out: &mut Vec<u8>) {
    if n.is_finite() {
        let mut buf = ryu_js::Buffer::new();
        out.extend_from_slice(buf.format_finite(n).as_bytes());
    } else {
        out.extend_from_slice(b"null");
    }
}

fn write_array<'py>(
    items: impl Iterator<Item = Bound<'py, PyAny>>,
    out: &mut Vec<u8>,
    depth: usize,
) -> PyResult<()> {
    out.push(b'[');
    for (i, item) in items.enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_value(&item, out, depth + 1)?;
    }
    out.push(b']');
    Ok(())
}

/// A key that JavaScript treats as an array index, and so writes first, in ascending order.
fn array_index(key: &str) -> Option<u32> {
    let canonical =
        key == "0" || (!key.starts_with('0') && key.bytes().all(|b| b.is_ascii_digit()));
    let n: u32 = if canonical {
        key.parse().ok()?
    } else {
        return None;
    };
    (n != u32::MAX).then_some(n)
}

fn write_object(dict: &Bound<'_, PyDict>, out: &mut Vec<u8>, depth: usize) -> PyResult<()> {
    let mut entries = Vec::with_capacity(dict.len());
    for (key, value) in dict.iter() {
        // Keys as Python's json writes them: str as is; int, float, bool and None as text.
        let text = if let Ok(s) = key.cast::<PyString>() {
            s.to_cow()?.into_owned()
        } else if key.is_none() {
            "null".to_owned()
        } else if let Ok(b) = key.cast::<PyBool>() {
            (if b.is_true() { "true" } else { "false" }).to_owned()
        } else if key.cast::<PyInt>().is_ok() || key.cast::<PyFloat>().is_ok() {
            let mut buf = Vec::new();
            write_value(&key, &mut buf, depth + 1)?;
            String::from_utf8(buf).unwrap_or_default()
        } else {
            return Err(PyTypeError::new_err(format!(
                "keys must be str, int, float, bool or None, not {}",
                key.get_type().name()?
            )));
        };
        entries.push((array_index(&text), text, value));
    }
    // JavaScript objects list integer-like keys first, ascending, then the rest in order.
    entries.sort_by_key(|(index, _, _)| index.map_or(u64::MAX, u64::from));
    out.push(b'{');
    for (i, (_, key, value)) in entries.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_utf16_or_str(key, out);
        out.push(b':');
        write_value(value, out, depth + 1)?;
    }
    out.push(b'}');
    Ok(())
}

fn write_string(text: &Bound<'_, PyString>, out: &mut Vec<u8>) -> PyResult<()> {
    match text.to_cow() {
        Ok(s) => write_utf16_or_str(&s, out),
        Err(_) => {
            // Lone surrogates: JSON.stringify writes them as \uXXXX escapes.
            let units: Vec<u16> = text
                .call_method1("encode", ("utf-16-le", "surrogatepass"))?
                .extract::<Vec<u8>>()?
                .chunks_exact(2)
                .map(|pair| u16::from_le_bytes([pair[0], pair[1]]))
                .collect();
            out.push(b'"');
            for unit in char::decode_utf16(units.iter().copied()).zip(units.iter()) {
                match unit {
                    (Ok(c), _) => escape_char(c, out),
                    (Err(e), _) => {
                        out.extend_from_slice(
                            format!("\\u{:04x}", e.unpaired_surrogate()).as_bytes(),
                        );
                    }
                }
            }
            out.push(b'"');
        }
    }
    Ok(())
}

fn write_utf16_or_str(s: &str, out: &mut Vec<u8>) {
    out.push(b'"');
    for c in s.chars() {
        escape_char(c, out);
    }
    out.push(b'"');
}

/// One character as `JSON.stringify` writes it.
fn escape_char(c: char, out: &mut Vec<u8>) {
    match c {
        '"' => out.extend_from_slice(b"\\\""),
        '\\' => out.extend_from_slice(b"\\\\"),
        '\u{8}' => out.extend_from_slice(b"\\b"),
        '\u{c}' => out.extend_from_slice(b"\\f"),
        '\n' => out.extend_from_slice(b"\\n"),
        '\r' => out.extend_from_slice(b"\\r"),
        '\t' => out.extend_from_slice(b"\\t"),
        c if u32::from(c) < 0x20 => {
            out.extend_from_slice(format!("\\u{:04x}", u32::from(c)).as_bytes());
        }
        c => {
            let mut buf = [0; 4];
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
        }
    }
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(sign, m)?)?;
    m.add_function(wrap_pyfunction!(verify, m)?)?;
    m.add_function(wrap_pyfunction!(verify_payload, m)?)?;
    m.add_function(wrap_pyfunction!(check_form, m)?)?;
    m.add_function(wrap_pyfunction!(sign_payload, m)?)?;
    m.add_class::<Signer>()?;
    m.add_class::<Claims_>()?;
    m.add("TokenError", m.py().get_type::<TokenError>())?;
    m.add("InvalidClaims", m.py().get_type::<InvalidClaims>())?;
    m.add("InvalidToken", m.py().get_type::<InvalidToken>())?;
    Ok(())
}
