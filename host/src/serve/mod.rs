//! `videosdk-token serve`: the token endpoint a VideoSDK backend needs. Stateless: every
//! replica with the same secret answers the same way, so it scales by adding replicas.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use hyper_util::rt::{TokioIo, TokioTimer};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use subtle::ConstantTimeEq;
use tower::ServiceExt;
use tower_http::cors::{AllowOrigin, CorsLayer};
use videosdk_token_core::{ExpiresIn, Key, Permission, Role};
use zeroize::Zeroizing;

use crate::cli::{RuleArgs, ServeArgs, Use};
use crate::error::refusal_text;
use crate::input;
use crate::inspect;
use crate::issuer::Issuer;
use crate::meetings::{self, Upstream, UpstreamError};
use crate::metrics::{
    Endpoint, IssuedLabels, Metrics, Outcome, OutcomeLabels, Reason, RouteLabels, Scope,
    UpstreamLabels,
};
use crate::request::{Names, Policy, TokenRequest};
use crate::sign::{Answer, Spec, parse_duration};
use crate::verify::{Access, Summary};
use crate::{clock, secret};
use arc_swap::ArcSwap;

/// A line on standard error. A log pipe that was closed or fails never stops an answer (the
/// standard `eprintln!` panics then, and the request in flight was dropped).
macro_rules! log {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr().lock(), $($arg)*);
    }};
}

/// How long in-flight requests may take to finish after a shutdown signal.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);

/// What every request handler needs; shared, never changed.
struct Service {
    /// The key, the API key, the defaults and the bearer tokens: swapped whole on SIGHUP, so a
    /// request sees the old set or the new one, never a mix.
    credentials: ArcSwap<Credentials>,
    /// What a caller may ask for.
    policy: Policy,
    /// Host names answered besides loopback ones; `None` answers any.
    allowed_hosts: Option<Vec<String>>,
    max_body: usize,
    request_timeout: Duration,
    upstream: Upstream,
    /// The header naming the authenticated user, when tokens are bound to it.
    identity_header: Option<axum::http::HeaderName>,
    /// How `/verify` checks tokens (`--leeway`, `--max-token-len`, `--refuse-unknown-names`).
    rules: RuleArgs,
    limiter: Option<governor::DefaultKeyedRateLimiter<String>>,
    metrics: Metrics,
}

/// What `SIGHUP` re-reads: the secret and the API key (from their files, the environment or
/// `.env`), the previous secret and the bearer tokens.
struct Credentials {
    issuer: Issuer,
    /// Tokens signed with it still verify on `/verify`, during a rotation.
    previous: Option<Key>,
    auth_tokens: Vec<Zeroizing<Vec<u8>>>,
}

impl Credentials {
    fn read(args: &ServeArgs, max_expires_in: ExpiresIn) -> Result<Self> {
        let issuer = Issuer::from_args(&args.issuer, &args.secret, false)?;
        if issuer.expires_in().millis() > max_expires_in.millis() {
            bail!(
                "--expires-in {} is longer than --max-expires-in {}",
                args.issuer.expires_in,
                args.max_expires_in
            );
        }
        let previous = args
            .previous_secret_file
            .as_deref()
            .map(|path| secret::key_file(path, "--previous-secret-file"))
            .transpose()?;
        Ok(Self {
            issuer,
            previous,
            auth_tokens: read_auth_tokens(args)?,
        })
    }
}

/// How long a reload may take to read its files before it is given up.
const RELOAD_TIMEOUT: Duration = Duration::from_secs(5);

impl Service {
    /// Re-reads the credentials (SIGHUP) on a blocking thread, never a request's, within
    /// [`RELOAD_TIMEOUT`]. Requests in flight finish with the set they started with; a reload
    /// that fails or times out keeps the old set and says why, on stderr and in a metric.
    async fn reload(&self, args: &ServeArgs, max_expires_in: ExpiresIn) {
        let args = args.clone();
        let read = tokio::task::spawn_blocking(move || {
            secret::forget_dotenv();
            Credentials::read(&args, max_expires_in)
        });
        let failure = match tokio::time::timeout(RELOAD_TIMEOUT, read).await {
            Ok(Ok(Ok(credentials))) => {
                self.credentials.store(Arc::new(credentials));
                self.metrics.reloaded(true);
                log!("reloaded the secret, the API key and the bearer tokens");
                return;
            }
            Ok(Ok(Err(e))) => format!("{e:#}"),
            Ok(Err(e)) => format!("the reload stopped: {e}"),
            Err(_) => format!(
                "reading the files took longer than {}",
                humantime::format_duration(RELOAD_TIMEOUT)
            ),
        };
        self.metrics.reloaded(false);
        log!("warning: reload failed, keeping the previous credentials: {failure}");
    }
}

/// A refusal as the caller sees it: a status and `{"error": …, "field": …}`.
struct Refusal {
    status: StatusCode,
    error: String,
    field: Option<String>,
    /// A well-formed request for more than the policy allows (a 400 counted as policy).
    by_policy: bool,
}

impl Refusal {
    fn bad(field: &str, error: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            error: error.into(),
            field: Some(field.to_owned()),
            by_policy: false,
        }
    }

    fn status(status: StatusCode, error: impl Into<String>) -> Self {
        Self {
            status,
            error: error.into(),
            field: None,
            by_policy: false,
        }
    }

    /// Why, for the refusals metric.
    fn reason(&self) -> Reason {
        match self.status {
            StatusCode::UNAUTHORIZED => Reason::Auth,
            StatusCode::TOO_MANY_REQUESTS => Reason::RateLimit,
            StatusCode::FORBIDDEN => Reason::Policy,
            _ if self.by_policy => Reason::Policy,
            _ => Reason::Validation,
        }
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let reason = self.reason();
        let body = match self.field {
            Some(field) => json!({ "error": self.error, "field": field }),
            None => json!({ "error": self.error }),
        };
        let mut response = (self.status, axum::Json(body)).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        // Server errors (502, 504) are the upstream's, not a refusal of the caller.
        if self.status.is_client_error() {
            response.extensions_mut().insert(reason);
        }
        response
    }
}

impl Service {
    fn authorize(&self, headers: &HeaderMap) -> Result<(), Refusal> {
        let credentials = self.credentials.load();
        if credentials.auth_tokens.is_empty() {
            return Ok(());
        }
        let presented = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| bearer(v.as_bytes()))
            .unwrap_or_default();
        // Compare with every accepted token in constant time, without stopping at a match.
        let matched = credentials
            .auth_tokens
            .iter()
            .fold(subtle::Choice::from(0), |any, token| {
                any | token.as_slice().ct_eq(presented)
            });
        if presented.is_empty() || !bool::from(matched) {
            return Err(Refusal::status(
                StatusCode::UNAUTHORIZED,
                "missing or wrong bearer token",
            ));
        }
        Ok(())
    }

    /// The signed token as the JSON answer, written once (the same bytes `sign --json` and
    /// `batch --json` write), not built as a value and serialized again.
    fn issue(key: &Key, spec: &Spec<'_>) -> Result<Response, Refusal> {
        let mut buf = Vec::new();
        let (token, exp) = spec
            .sign(key, &mut buf)
            .map_err(|e| Refusal::bad("claims", e.to_string()))?;
        let mut body = Vec::with_capacity(token.len() + 32);
        Answer {
            token,
            expires_at: exp,
        }
        .write_to(&mut body);
        Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
    }
}

/// The credentials of `Authorization: Bearer <token>`; the scheme name is case-insensitive
/// (RFC 7235 §2.1) and may be followed by several spaces.
fn bearer(value: &[u8]) -> Option<&[u8]> {
    let (scheme, rest) = value.split_at_checked(6)?;
    if !scheme.eq_ignore_ascii_case(b"bearer") || rest.first() != Some(&b' ') {
        return None;
    }
    Some(rest.trim_ascii_start())
}

/// The endpoint's fields, read into its serde type from the query or the body by
/// [`input::read`], the one reader of every endpoint.
fn fields<T: DeserializeOwned>(uri: &Uri, headers: &HeaderMap, body: &[u8]) -> Result<T, Refusal> {
    let form = headers.get(header::CONTENT_TYPE).is_some_and(|v| {
        v.as_bytes()
            .starts_with(b"application/x-www-form-urlencoded")
    });
    input::read(uri.query().unwrap_or_default(), form, body).map_err(|refused| {
        match refused.field {
            Some(field) => Refusal::bad(&field, refused.message),
            None => Refusal::status(StatusCode::BAD_REQUEST, refused.message),
        }
    })
}

/// `POST /verify`: the token, and what to check it against.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct VerifyRequest {
    token: String,
    #[serde(default)]
    room_id: Option<String>,
    #[serde(default)]
    participant_id: Option<String>,
    #[serde(default, rename = "for")]
    for_use: Option<ForUse>,
}

#[derive(Clone, Copy, Deserialize)]
#[serde(rename_all = "lowercase")]
enum ForUse {
    Meeting,
    Api,
}

/// `POST /create-meeting` and `POST /validate-meeting/:id`: the token for the server API
/// (signed here when absent) and, to create, the region.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MeetingRequest {
    #[serde(default)]
    token: Option<String>,
    #[serde(default)]
    region: Option<String>,
}

/// A `roomId` or `participantId` to check a token against: never empty.
fn optional_id<'a>(value: Option<&'a str>, field: &str) -> Result<Option<&'a str>, Refusal> {
    match value {
        Some("") => Err(Refusal::bad(field, format!("{field} is empty"))),
        other => Ok(other),
    }
}

impl Service {
    /// A token for what the caller asked, through the one request model and this server's
    /// policy.
    fn issue_for<'a>(
        &self,
        mut asked: TokenRequest<'a>,
        bound: &'a Bound,
        endpoint: Endpoint,
    ) -> Result<Response, Refusal> {
        // Who the caller is and which room the path names win over the request, which may
        // repeat them but not contradict them.
        for (bound, asked, field) in [
            (
                &bound.participant,
                &mut asked.participant_id,
                "participantId",
            ),
            (&bound.room, &mut asked.room_id, "roomId"),
        ] {
            if let Some(bound) = bound {
                if asked.as_deref().is_some_and(|asked| asked != bound) {
                    return Err(Refusal {
                        status: StatusCode::FORBIDDEN,
                        error: format!("{field} must be the one this server binds the token to"),
                        field: Some(field.to_owned()),
                        by_policy: true,
                    });
                }
                *asked = Some(Cow::Borrowed(bound.as_str()));
            }
        }
        let mut names = Names::default();
        let credentials = self.credentials.load_full();
        let defaults = credentials.issuer.spec(clock::now());
        let spec = asked
            .resolve(&defaults, Some(&self.policy), &mut names)
            .map_err(|e| Refusal {
                by_policy: e.by_policy,
                ..Refusal::bad(e.field, e.message)
            })?;
        let answer = Self::issue(credentials.issuer.key(), &spec)?;
        let scope = if spec.room_id.is_some() || spec.participant_id.is_some() {
            Scope::Scoped
        } else {
            Scope::Unscoped
        };
        self.metrics
            .issued
            .get_or_create(&IssuedLabels { endpoint, scope })
            .inc();
        Ok(answer)
    }
}

/// Longest identity header value taken as a user.
const MAX_IDENTITY: usize = 256;

/// An identity header's value as a user: trimmed, non-empty, at most [`MAX_IDENTITY`] bytes
/// of UTF-8 without control characters.
fn identity_value(value: &[u8]) -> Option<&str> {
    let user = std::str::from_utf8(value).ok()?.trim();
    (!user.is_empty() && user.len() <= MAX_IDENTITY && !user.chars().any(char::is_control))
        .then_some(user)
}

/// What a token is bound to regardless of what is asked: the authenticated user
/// (`--participant-from-header`) and the room in the path (`--room-from-path`).
#[derive(Debug, Default)]
struct Bound {
    participant: Option<String>,
    room: Option<String>,
}

impl Service {
    /// The user the identity header names, when tokens are bound to one: one header, a
    /// value of visible text up to [`MAX_IDENTITY`] bytes.
    fn identity(&self, headers: &HeaderMap) -> Result<Option<String>, Refusal> {
        let Some(name) = &self.identity_header else {
            return Ok(None);
        };
        let mut values = headers.get_all(name).iter();
        match (values.next(), values.next()) {
            (Some(_), Some(_)) => Err(Refusal::bad(
                "participantId",
                format!("the {name} header is given twice"),
            )),
            (Some(value), None) => match identity_value(value.as_bytes()) {
                Some(user) => Ok(Some(user.to_owned())),
                None => Err(Refusal::bad(
                    "participantId",
                    format!(
                        "the {name} header does not name a user (visible text, at most {MAX_IDENTITY} bytes)"
                    ),
                )),
            },
            (None, _) => Err(Refusal::status(
                StatusCode::UNAUTHORIZED,
                format!("no {name} header: this server issues tokens only to authenticated users"),
            )),
        }
    }

    fn bound(&self, headers: &HeaderMap, room: Option<String>) -> Result<Bound, Refusal> {
        Ok(Bound {
            participant: self.identity(headers)?,
            room,
        })
    }
}

/// `GET` and `POST /get-token`: the request in the query string (as VideoSDK's Python, Go,
/// PHP, Java, Ruby and .NET frontends send it) or in a body (as its Node and Rust examples
/// read it), never both.
async fn get_token(
    State(service): State<Arc<Service>>,
    uri: Uri,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, Refusal> {
    let asked = fields(&uri, &headers, &body)?;
    service.issue_for(asked, &service.bound(&headers, None)?, Endpoint::GetToken)
}

/// `GET` and `POST /get-token/:roomId` (with `--room-from-path`): as `/get-token`, the token
/// scoped to that room.
async fn token_for_room(
    State(service): State<Arc<Service>>,
    Path(room): Path<String>,
    uri: Uri,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, Refusal> {
    let asked = fields(&uri, &headers, &body)?;
    service.issue_for(
        asked,
        &service.bound(&headers, Some(room))?,
        Endpoint::GetTokenForRoom,
    )
}

/// Lifetime of the token this server signs for a forwarded call the caller sent none for.
const UPSTREAM_TOKEN_SECONDS: u64 = 300;

impl Service {
    /// The token a forwarded call carries: the caller's VideoSDK token if the body has one,
    /// otherwise a short-lived server-API token signed here. Never the caller's bearer
    /// credential, which is for this server only.
    fn upstream_token(&self, token: Option<&str>) -> Result<String, Refusal> {
        match token {
            Some(token) if !token.is_empty() && HeaderValue::from_str(token).is_ok() => {
                Ok(token.to_owned())
            }
            Some(_) => Err(Refusal::bad(
                "token",
                "token must be a VideoSDK token (printable text)",
            )),
            None => {
                let credentials = self.credentials.load_full();
                let spec = Spec {
                    roles: &[Role::Crawler],
                    expires_in: ExpiresIn::seconds(UPSTREAM_TOKEN_SECONDS),
                    ..credentials.issuer.spec(clock::now())
                };
                let mut buf = Vec::new();
                self.metrics
                    .issued
                    .get_or_create(&IssuedLabels {
                        endpoint: Endpoint::Meetings,
                        scope: Scope::Unscoped,
                    })
                    .inc();
                let (token, _) = spec.sign(credentials.issuer.key(), &mut buf).map_err(|e| {
                    Refusal::status(StatusCode::INTERNAL_SERVER_ERROR, e.to_string())
                })?;
                Ok(token.to_owned())
            }
        }
    }

    /// The upstream's answer as ours: its status and JSON, or 504 and 502 in our shape.
    fn relay(&self, answer: Result<(u16, Value), UpstreamError>) -> Result<Response, Refusal> {
        let status = match &answer {
            Ok((status, _)) => status.to_string(),
            Err(UpstreamError::Timeout) => "timeout".to_owned(),
            Err(UpstreamError::Bad(_)) => "error".to_owned(),
        };
        self.metrics
            .upstream
            .get_or_create(&UpstreamLabels { status })
            .inc();
        match answer {
            Ok((status, body)) => {
                let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
                Ok((status, axum::Json(body)).into_response())
            }
            Err(UpstreamError::Timeout) => Err(Refusal::status(
                StatusCode::GATEWAY_TIMEOUT,
                format!(
                    "the VideoSDK API did not answer within {}",
                    humantime::format_duration(self.upstream.timeout())
                ),
            )),
            Err(UpstreamError::Bad(why)) => Err(Refusal::status(StatusCode::BAD_GATEWAY, why)),
        }
    }
}

/// `POST /create-meeting`: `{token, region}` forwarded as VideoSDK's examples forward it.
async fn create_meeting(
    State(service): State<Arc<Service>>,
    uri: Uri,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, Refusal> {
    let asked: MeetingRequest = fields(&uri, &headers, &body)?;
    let token = service.upstream_token(asked.token.as_deref())?;
    let answer = service
        .upstream
        .create_room(&token, asked.region.as_deref())
        .await;
    service.relay(answer)
}

/// `POST /validate-meeting/:meetingId`: `{token}` forwarded as VideoSDK's examples forward it.
async fn validate_meeting(
    State(service): State<Arc<Service>>,
    Path(meeting_id): Path<String>,
    uri: Uri,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, Refusal> {
    if !meetings::is_room_id(&meeting_id) {
        return Err(Refusal::bad(
            "meetingId",
            "meetingId must be letters, digits, - and _",
        ));
    }
    let asked: MeetingRequest = fields(&uri, &headers, &body)?;
    if asked.region.is_some() {
        return Err(Refusal::bad(
            "region",
            "unknown field `region`, expected `token`",
        ));
    }
    let token = service.upstream_token(asked.token.as_deref())?;
    let answer = service.upstream.validate_room(&token, &meeting_id).await;
    service.relay(answer)
}

/// `POST /verify`: the token and what to check it against, in the body or the query.
async fn post_verify(
    State(service): State<Arc<Service>>,
    uri: Uri,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<axum::Json<Value>, Refusal> {
    let asked: VerifyRequest = fields(&uri, &headers, &body)?;
    let token = &asked.token;
    let asked = crate::verify::Asked {
        for_use: asked.for_use.map(|f| match f {
            ForUse::Meeting => Use::Meeting,
            ForUse::Api => Use::Api,
        }),
        room_id: optional_id(asked.room_id.as_deref(), "roomId")?,
        participant_id: optional_id(asked.participant_id.as_deref(), "participantId")?,
    };
    let now = clock::now();
    let mut scratch = Vec::new();
    let refused =
        |reason: String| axum::Json(json!({ "valid": false, "reason": refusal_text(reason) }));
    let outcome = |outcome| {
        service
            .metrics
            .verifications
            .get_or_create(&OutcomeLabels { outcome })
            .inc();
    };
    let credentials = service.credentials.load_full();
    let checked = crate::verify::check(
        token,
        credentials.issuer.key(),
        credentials.previous.as_ref(),
        &crate::verify::rules(&service.rules, now),
        &mut scratch,
    );
    let verified = match checked {
        Ok(verified) => verified,
        Err(e) => {
            outcome(Outcome::Refused);
            return Ok(refused(e.to_string()));
        }
    };
    match asked.check(&verified) {
        Ok(join) => {
            outcome(Outcome::Valid);
            Ok(axum::Json(Summary::of(&verified, join, now).json()))
        }
        Err(Access::Refused(refusal)) => {
            outcome(Outcome::Refused);
            Ok(refused(refusal.to_string()))
        }
        Err(Access::NoRoom) => Err(Refusal::bad(
            "roomId",
            "checking a meeting needs roomId: the token is not limited to one room",
        )),
    }
}

/// Every endpoint: its methods, its path, and what it answers. `serve --help`, the 404 and
/// 405 answers are made from it, and a test checks the router answers each (and only) as
/// listed.
pub const ENDPOINTS: &[(&str, &str, &str)] = &[
    (
        "GET, POST",
        "/get-token",
        "{\"token\": …, \"expiresAt\": …}; roomId, participantId (or peerId), roles, \
         permissions and expiresIn may be asked in the query or the body (never both), within \
         the policy flags; outside them: 400 and {\"error\": …, \"field\": …}",
    ),
    (
        "GET, POST",
        "/get-token/:roomId",
        "with --room-from-path: as /get-token, the token scoped to that room",
    ),
    (
        "POST",
        "/verify",
        "{\"token\": …} (optionally roomId, participantId, \"for\": \"meeting\"|\"api\"): what \
         the token allows, or why it is refused, by verify's rules and flags",
    ),
    (
        "POST",
        "/create-meeting",
        "{\"token\", \"region\"} forwarded to --api-endpoint's /rooms, as VideoSDK's examples do",
    ),
    (
        "POST",
        "/validate-meeting/:meetingId",
        "{\"token\"} forwarded to --api-endpoint's /rooms/validate/:meetingId",
    ),
    (
        "GET",
        "/metrics",
        "Prometheus metrics (behind the bearer check)",
    ),
    ("GET", "/healthz", "ok, or 503 while draining"),
    (
        "GET",
        "/inspect/",
        "the token inspector page (not with --no-inspector)",
    ),
];

/// The endpoint list for `serve --help`.
pub fn help() -> String {
    let mut text = String::from("Endpoints:\n");
    for (methods, path, what) in ENDPOINTS {
        text.push_str(&format!("  {methods:9} {path}\n"));
        for line in textwrap(what, 78) {
            text.push_str(&format!("      {line}\n"));
        }
    }
    text.push_str(
        "\nWith --auth-token-file, every endpoint but /healthz and /inspect/ requires \
         `Authorization: Bearer <token>` with a token from one of the files (give several to \
         rotate). Every replica started with the same secret issues interchangeable tokens: put \
         as many as needed behind any load balancer.\n\nSecrets: see `videosdk-token sign --help`.",
    );
    text
}

/// `text` in lines of at most `width` characters, broken at spaces.
fn textwrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = vec![String::new()];
    for word in text.split_whitespace() {
        let line = lines.last_mut().expect("one line at least");
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(word.to_owned());
        } else {
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
    }
    lines
}

/// The methods [`ENDPOINTS`] lists for the endpoint `path` matches, if any.
fn methods_of(path: &str) -> Option<&'static str> {
    let segments = |p: &str| p.trim_end_matches('/').split('/').count();
    ENDPOINTS.iter().find_map(|&(methods, pattern, _)| {
        let matches = match pattern.split_once("/:") {
            Some((prefix, _)) => {
                path.strip_prefix(prefix)
                    .is_some_and(|rest| rest.starts_with('/') && rest.len() > 1)
                    && segments(path) == segments(pattern)
            }
            None => path.trim_end_matches('/') == pattern.trim_end_matches('/'),
        };
        matches.then_some(methods)
    })
}

/// Set when shutdown begins, so that `/healthz` tells load balancers to stop sending before
/// the listener closes.
static DRAINING: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// `ok`, or 503 `{"error":"draining"}` once shutdown has begun.
async fn healthz() -> Response {
    if DRAINING.load(std::sync::atomic::Ordering::Relaxed) {
        Refusal::status(StatusCode::SERVICE_UNAVAILABLE, "draining").into_response()
    } else {
        "ok\n".into_response()
    }
}

async fn not_found() -> Refusal {
    let list: Vec<String> = ENDPOINTS
        .iter()
        .map(|(methods, path, _)| format!("{methods} {path}"))
        .collect();
    Refusal::status(
        StatusCode::NOT_FOUND,
        format!("no such endpoint: {}", list.join("; ")),
    )
}

/// Before a protected route reads its body: the bearer token, then a declared length over
/// `--max-body` (413 at once, without waiting for a body that may never come).
async fn guard(State(service): State<Arc<Service>>, request: Request, next: Next) -> Response {
    if let Err(refusal) = service.authorize(request.headers()) {
        return refusal.into_response();
    }
    if let Some(limiter) = &service.limiter {
        let mut key = service.caller(&request);
        if limiter.len() >= MAX_CALLERS {
            limiter.retain_recent();
            if limiter.len() >= MAX_CALLERS {
                key = "others".to_owned();
            }
        }
        if let Err(not_until) = limiter.check_key(&key) {
            let wait = not_until.wait_time_from(governor::clock::Clock::now(
                &governor::clock::DefaultClock::default(),
            ));
            let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            let mut response = Refusal::status(
                StatusCode::TOO_MANY_REQUESTS,
                format!("too many requests; try again in {seconds}s"),
            )
            .into_response();
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds.max(1)));
            return response;
        }
    }
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > service.max_body as u64) {
        return too_large(service.max_body).into_response();
    }
    next.run(request).await
}

impl Service {
    /// Who a request comes from, for the rate limit: the authenticated user, else the bearer
    /// token (a digest of it, so the limiter holds no credential), else the address.
    /// The rate limiter's key for a request: the user the identity header names (checked as
    /// [`Service::identity`] checks it), else the bearer token when this server checks them
    /// (the guard has then accepted it), else the peer address. An invented value never makes
    /// a new caller: a header that is not a user, or a bearer nobody checks, counts as its
    /// address.
    fn caller(&self, request: &Request) -> String {
        let headers = request.headers();
        if let Ok(Some(user)) = self.identity(headers) {
            return format!("user {user}");
        }
        let checked = !self.credentials.load().auth_tokens.is_empty();
        if checked
            && let Some(token) = headers
                .get(header::AUTHORIZATION)
                .and_then(|v| bearer(v.as_bytes()))
        {
            use sha2::Digest;
            let digest = sha2::Sha256::digest(token);
            let mut key = String::with_capacity(7 + 64);
            key.push_str("bearer ");
            for byte in digest {
                let _ = write!(key, "{byte:02x}");
            }
            return key;
        }
        request.extensions().get::<SocketAddr>().map_or_else(
            || "unknown".to_owned(),
            |addr| format!("address {}", addr.ip()),
        )
    }
}

/// Callers the rate limiter keeps apart at most; past them (after forgetting the quiet ones),
/// new callers share one allowance, so that memory stays bounded whatever callers invent.
const MAX_CALLERS: usize = 100_000;

fn too_large(max_body: usize) -> Refusal {
    Refusal::status(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!("the body is larger than this server's limit of {max_body} bytes"),
    )
}

/// `--request-timeout` over the whole exchange, body included, answered in JSON.
async fn deadline(State(service): State<Arc<Service>>, request: Request, next: Next) -> Response {
    match tokio::time::timeout(service.request_timeout, next.run(request)).await {
        Ok(response) => response,
        Err(_) => Refusal::status(
            StatusCode::REQUEST_TIMEOUT,
            format!(
                "the request took longer than {}",
                humantime::format_duration(service.request_timeout)
            ),
        )
        .into_response(),
    }
}

/// Only the Host names this server is meant to answer to (DNS rebinding would otherwise let
/// any web page mint tokens from a server on loopback). `/healthz` answers any.
async fn host_check(State(service): State<Arc<Service>>, request: Request, next: Next) -> Response {
    if let Some(allowed) = &service.allowed_hosts
        && request.uri().path() != "/healthz"
    {
        let host = request
            .headers()
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .map(host_name);
        let ok = host.is_some_and(|name| is_loopback_name(&name) || allowed.contains(&name));
        if !ok {
            return Refusal::status(
                StatusCode::FORBIDDEN,
                "this server does not answer to that Host; see --allowed-host",
            )
            .into_response();
        }
    }
    next.run(request).await
}

/// The name in a Host header, lowercased, without its port or a final dot.
fn host_name(host: &str) -> String {
    let host = host.trim();
    let name = if host.starts_with('[') {
        host.split_inclusive(']').next().unwrap_or(host)
    } else {
        match host.rsplit_once(':') {
            Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
            _ => host,
        }
    };
    name.trim_end_matches('.').to_ascii_lowercase()
}

fn is_loopback_name(name: &str) -> bool {
    name == "localhost"
        || name.ends_with(".localhost")
        || name == "[::1]"
        || name
            .parse::<std::net::Ipv4Addr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Every error in the same JSON shape, those answered below the handlers too (405, and 413
/// for a body without a declared length); their other headers, such as `Allow`, are kept.
async fn json_errors(
    State(service): State<Arc<Service>>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_owned();
    let response = count_refusal(&service, next.run(request).await);
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    let refusal = match status {
        StatusCode::PAYLOAD_TOO_LARGE => too_large(service.max_body),
        StatusCode::METHOD_NOT_ALLOWED => {
            let allowed = methods_of(&path).unwrap_or("another method");
            Refusal::status(status, format!("method not allowed here; use {allowed}"))
        }
        _ => Refusal::status(
            status,
            status
                .canonical_reason()
                .unwrap_or("error")
                .to_ascii_lowercase(),
        ),
    };
    let (mut parts, _) = response.into_parts();
    let fresh = refusal.into_response();
    parts.headers.remove(header::CONTENT_LENGTH);
    for (name, value) in fresh.headers() {
        parts.headers.insert(name, value.clone());
    }
    let (fresh_parts, body) = fresh.into_parts();
    parts.extensions.extend(fresh_parts.extensions);
    count_refusal(&service, Response::from_parts(parts, body))
}

/// Counts a refusal once, by the reason it carries; returns the response unchanged.
fn count_refusal(service: &Service, mut response: Response) -> Response {
    if let Some(reason) = response.extensions_mut().remove::<Reason>() {
        service.metrics.refused(reason);
    }
    response
}

/// The time each matched route takes, for the latency histogram (the route as written,
/// `/get-token/{room_id}`, never the room).
async fn timing(State(service): State<Arc<Service>>, request: Request, next: Next) -> Response {
    let start = Instant::now();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "other".to_owned(), |p| p.as_str().to_owned());
    let response = next.run(request).await;
    service
        .metrics
        .latency
        .get_or_create(&RouteLabels { route })
        .observe(start.elapsed().as_secs_f64());
    response
}

/// `GET /metrics`: every metric, in the Prometheus text format.
async fn metrics(State(service): State<Arc<Service>>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        service.metrics.encode(),
    )
        .into_response()
}

/// One access-log line per request: who, what, the answer, how long. Never the query string,
/// the body or a header, where tokens and credentials travel.
async fn access_log(request: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let remote = request.extensions().get::<SocketAddr>().copied();
    let response = next.run(request).await;
    let remote = remote.map_or_else(|| "-".to_owned(), |r| r.to_string());
    log!(
        "{remote} {method} {path} {} {:.3}ms",
        response.status().as_u16(),
        start.elapsed().as_secs_f64() * 1000.0
    );
    response
}

/// `/inspect` → `/inspect/`, where the page's relative links resolve.
async fn inspect_redirect() -> Response {
    (
        StatusCode::PERMANENT_REDIRECT,
        [(header::LOCATION, "/inspect/")],
    )
        .into_response()
}

async fn inspect_page() -> Response {
    inspector_response("index.html")
}

async fn inspect_file(Path(file): Path<String>) -> Response {
    inspector_response(&file)
}

/// A file of the token inspector, under its Content-Security-Policy.
fn inspector_response(name: &str) -> Response {
    if !inspect::built() {
        return Refusal::status(StatusCode::NOT_FOUND, inspect::NOT_BUILT).into_response();
    }
    match inspect::file(name) {
        Some((mime, bytes)) => (
            [
                (header::CONTENT_TYPE, mime),
                (header::CONTENT_SECURITY_POLICY, inspect::CSP),
                (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
                (header::REFERRER_POLICY, "no-referrer"),
                (header::CACHE_CONTROL, "no-cache"),
            ],
            bytes,
        )
            .into_response(),
        None => {
            Refusal::status(StatusCode::NOT_FOUND, "no such file of the inspector").into_response()
        }
    }
}

fn router(service: Arc<Service>, args: &ServeArgs) -> Result<Router> {
    let protected = Router::new()
        .route("/get-token", get(get_token).post(get_token))
        // Express, which VideoSDK's examples run on, answers with or without the slash.
        .route("/get-token/", get(get_token).post(get_token))
        .route("/verify", post(post_verify))
        .route("/create-meeting", post(create_meeting))
        .route("/create-meeting/", post(create_meeting))
        .route("/validate-meeting/{meeting_id}", post(validate_meeting))
        .route("/metrics", get(metrics));
    let protected = if args.room_from_path {
        protected.route(
            "/get-token/{room_id}",
            get(token_for_room).post(token_for_room),
        )
    } else {
        protected
    };
    let protected =
        protected.route_layer(middleware::from_fn_with_state(Arc::clone(&service), guard));
    let inspector = if args.no_inspector {
        Router::new()
    } else {
        Router::new()
            .route("/inspect", get(inspect_redirect))
            .route("/inspect/", get(inspect_page))
            .route("/inspect/{file}", get(inspect_file))
    };
    let mut app = Router::new()
        .merge(protected)
        .merge(inspector)
        .route("/healthz", get(healthz))
        .route_layer(middleware::from_fn_with_state(Arc::clone(&service), timing))
        .fallback(not_found)
        .with_state(Arc::clone(&service))
        .layer(DefaultBodyLimit::max(args.max_body))
        .layer(middleware::from_fn_with_state(
            Arc::clone(&service),
            deadline,
        ));
    if args.cors || !args.cors_origins.is_empty() {
        let allow_origin = if args.cors || args.cors_origins.iter().any(|o| o == "*") {
            if service.credentials.load().auth_tokens.is_empty() {
                log!(
                    "warning: CORS for any origin without --auth-token-file lets any web page get tokens from this server"
                );
            }
            AllowOrigin::any()
        } else {
            let origins = args
                .cors_origins
                .iter()
                .map(|o| {
                    HeaderValue::from_str(o)
                        .map_err(|_| anyhow!("--cors-origin {o:?} is not a valid origin"))
                })
                .collect::<Result<Vec<_>>>()?;
            AllowOrigin::list(origins)
        };
        app = app.layer(
            CorsLayer::new()
                .allow_origin(allow_origin)
                .allow_methods([Method::GET, Method::POST])
                .allow_headers([header::CONTENT_TYPE, header::AUTHORIZATION]),
        );
    }
    app = app
        .layer(middleware::from_fn_with_state(
            Arc::clone(&service),
            host_check,
        ))
        .layer(middleware::from_fn_with_state(service, json_errors));
    if !args.quiet {
        app = app.layer(middleware::from_fn(access_log));
    }
    Ok(app)
}

/// Every token of every `--auth-token-file`: one per non-empty line, each read by the rule
/// for secret files (a BOM and trailing CR dropped, surrounding white space refused).
fn read_auth_tokens(args: &ServeArgs) -> Result<Vec<Zeroizing<Vec<u8>>>> {
    let mut tokens = Vec::new();
    for path in &args.auth_token_files {
        let what = format!("--auth-token-file {}", path.display());
        let text = secret::read_file(path, &what, false)?.unwrap_or_default();
        secret::warn_if_shared(path);
        let text = text.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&text);
        let before = tokens.len();
        for (index, line) in text.split(|&b| b == b'\n').enumerate() {
            if line.is_empty() || line == b"\r" {
                continue;
            }
            let what = format!("--auth-token-file {} line {}", path.display(), index + 1);
            let token = secret::file_text(Zeroizing::new(line.to_vec()), &what)?;
            if token.len() < 16 {
                bail!("{what}: a token must be at least 16 bytes");
            }
            tokens.push(token);
        }
        if tokens.len() == before {
            bail!("--auth-token-file {} holds no token", path.display());
        }
    }
    Ok(tokens)
}

/// Connections served at once by default: the open-file limit less a reserve (64, or half
/// a small limit) for the runtime, the listener and files read while serving, so that
/// accepting never runs out of descriptors.
fn default_max_connections() -> usize {
    #[cfg(unix)]
    let soft = rlimit::getrlimit(rlimit::Resource::NOFILE).map_or(1024, |(soft, _)| soft);
    #[cfg(not(unix))]
    let soft = 1024_u64;
    let reserve = (soft / 2).min(64);
    usize::try_from(soft - reserve)
        .unwrap_or(usize::MAX)
        .clamp(1, 65_536)
}

pub fn run(args: &ServeArgs) -> Result<()> {
    secret::refuse_command_line(&args.secret)?;
    if args.secret.secret_stdin {
        bail!(
            "serve re-reads its secret on SIGHUP, which standard input cannot give twice: use \
             --secret-file, VIDEOSDK_SECRET_KEY or .env"
        );
    }
    let max_expires_in = parse_duration("--max-expires-in", &args.max_expires_in)?;
    let credentials = Credentials::read(args, max_expires_in)?;
    let policy = Policy {
        permissions: if args.allowed_permissions.is_empty() {
            vec![Permission::AllowJoin, Permission::AskJoin]
        } else {
            args.allowed_permissions.iter().map(|&p| p.into()).collect()
        },
        roles: if args.allowed_roles.is_empty() {
            Role::ALL.to_vec()
        } else {
            args.allowed_roles.iter().map(|&r| r.into()).collect()
        },
        max_lifetime_ms: max_expires_in.millis(),
        max_lifetime_text: args.max_expires_in.clone(),
        scoped_roles: if args.no_scoped_roles {
            Vec::new()
        } else {
            args.scoped_roles.iter().map(|&r| r.into()).collect()
        },
        allow_control_characters: args.allow_control_characters,
    };
    if let Some(role) = policy
        .scoped_roles
        .iter()
        .find(|r| !policy.roles.contains(r))
    {
        bail!(
            "--scoped-roles {} is not among the roles callers may have (--allow-role)",
            role.as_str()
        );
    }
    let endpoint = match &args.api_endpoint {
        Some(endpoint) => endpoint.clone(),
        None => secret::setting("VIDEOSDK_API_ENDPOINT")?
            .unwrap_or_else(|| meetings::DEFAULT_ENDPOINT.to_owned()),
    };
    let service = Arc::new(Service {
        credentials: ArcSwap::from_pointee(credentials),
        policy,
        allowed_hosts: allowed_hosts(args),
        max_body: args.max_body,
        request_timeout: args.request_timeout,
        upstream: Upstream::new(&endpoint, args.upstream_timeout)?,
        identity_header: args.participant_from_header.clone(),
        rules: args.rules.clone(),
        metrics: Metrics::new(),
        limiter: args.rate_limit.map(governor::RateLimiter::keyed),
    });
    let app = router(Arc::clone(&service), args)?;
    let connections = service.metrics.open_connections.clone();
    let max_connections = args
        .max_connections
        .map_or_else(default_max_connections, |n| n as usize);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the runtime")?;
    #[cfg(unix)]
    {
        let (service, args) = (Arc::clone(&service), args.clone());
        let mut hangups = runtime
            .block_on(async {
                tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())
            })
            .context("cannot listen for SIGHUP")?;
        runtime.spawn(async move {
            while hangups.recv().await.is_some() {
                service.reload(&args, max_expires_in).await;
            }
        });
    }
    if service.limiter.is_some() {
        // Callers who went quiet are forgotten, so the limiter's memory follows the callers
        // of the last minute rather than every caller ever seen.
        runtime.spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(60));
            loop {
                tick.tick().await;
                if let Some(limiter) = &service.limiter {
                    limiter.retain_recent();
                }
            }
        });
    }
    let served = runtime.block_on(serve(
        app,
        listen_address(args)?,
        args.header_timeout,
        max_connections,
        connections,
        args.drain_time,
    ));
    // A reload still stuck reading a file does not hold the exit: SIGTERM always wins.
    runtime.shutdown_timeout(Duration::from_millis(100));
    served
}

/// Where to listen: `--listen`, or loopback on `PORT` (as container platforms set it) or 9000.
fn listen_address(args: &ServeArgs) -> Result<SocketAddr> {
    if let Some(addr) = args.listen {
        return Ok(addr);
    }
    let port = match std::env::var("PORT") {
        Ok(port) => port
            .trim()
            .parse::<u16>()
            .with_context(|| format!("PORT {port:?} is not a port number"))?,
        Err(_) => 9000,
    };
    Ok(SocketAddr::from((std::net::Ipv4Addr::LOCALHOST, port)))
}

/// `None` (answer any Host) only when listening beyond loopback with no `--allowed-host`.
fn allowed_hosts(args: &ServeArgs) -> Option<Vec<String>> {
    // `[::ffff:127.0.0.1]` is loopback too, as its IPv4 form.
    let loopback = listen_address(args).is_ok_and(|addr| addr.ip().to_canonical().is_loopback());
    if args.allowed_hosts.is_empty() && !loopback {
        return None;
    }
    Some(args.allowed_hosts.iter().map(|h| host_name(h)).collect())
}

/// Longest pause after a failed accept (out of descriptors, say) before trying again.
const ACCEPT_BACKOFF_MAX: Duration = Duration::from_millis(500);

/// A warning printed at most once a second, with how many were held back meanwhile.
struct Throttled {
    last: Option<Instant>,
    held: u64,
}

impl Throttled {
    fn warn(&mut self, message: impl FnOnce() -> String) {
        if self
            .last
            .is_some_and(|t| t.elapsed() < Duration::from_secs(1))
        {
            self.held += 1;
            return;
        }
        let held = std::mem::take(&mut self.held);
        let more = if held > 0 {
            format!(" ({held} more like it since the last warning)")
        } else {
            String::new()
        };
        log!("warning: {}{more}", message());
        self.last = Some(Instant::now());
    }
}

async fn serve(
    app: Router,
    listen: SocketAddr,
    header_timeout: Duration,
    max_connections: usize,
    connections: prometheus_client::metrics::gauge::Gauge<i64, std::sync::atomic::AtomicI64>,
    drain_time: Duration,
) -> Result<()> {
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    log!(
        "listening on http://{}",
        listener.local_addr().context("no local address")?
    );
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let slots = Arc::new(tokio::sync::Semaphore::new(max_connections));
    // On SIGTERM or Ctrl-C: /healthz answers 503 at once; new connections are still taken for
    // --drain-time, while load balancers notice; then the listener closes.
    let mut shutdown = std::pin::pin!(async {
        shutdown_signal().await;
        DRAINING.store(true, std::sync::atomic::Ordering::Relaxed);
        if !drain_time.is_zero() {
            log!(
                "draining: /healthz answers 503; closing the listener in {}",
                humantime::format_duration(drain_time)
            );
            tokio::time::sleep(drain_time).await;
        }
    });
    let mut accept_failures = Throttled {
        last: None,
        held: 0,
    };
    let mut full = Throttled {
        last: None,
        held: 0,
    };
    let mut backoff = Duration::from_millis(5);
    loop {
        if slots.available_permits() == 0 {
            full.warn(|| {
                format!("{max_connections} connections open (--max-connections); new ones wait")
            });
        }
        let slot = tokio::select! {
            slot = Arc::clone(&slots).acquire_owned() => slot.context("the connection limit closed")?,
            () = &mut shutdown => break,
        };
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut shutdown => break,
        };
        let (stream, remote) = match accepted {
            Ok(pair) => {
                backoff = Duration::from_millis(5);
                pair
            }
            Err(e) => {
                // Out of descriptors or memory: retrying at once would spin. Wait, longer
                // each time, so that connections in flight can finish and free some.
                accept_failures.warn(|| format!("cannot accept a connection: {e}"));
                tokio::select! {
                    () = tokio::time::sleep(backoff) => {}
                    () = &mut shutdown => break,
                }
                backoff = (backoff * 2).min(ACCEPT_BACKOFF_MAX);
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let service = hyper::service::service_fn(
            move |mut request: hyper::Request<hyper::body::Incoming>| {
                request.extensions_mut().insert(remote);
                app.clone().oneshot(request.map(axum::body::Body::new))
            },
        );
        let connection = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(header_timeout)
            .serve_connection(TokioIo::new(stream), service);
        let connection = graceful.watch(connection);
        let open = connections.clone();
        open.inc();
        tokio::spawn(async move {
            let _ = connection.await;
            open.dec();
            drop(slot);
        });
    }
    drop(listener);
    log!("shutting down: finishing requests in flight");
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(SHUTDOWN_GRACE) => log!("warning: requests still in flight after {SHUTDOWN_GRACE:?}; stopping"),
    }
    Ok(())
}

/// Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}
