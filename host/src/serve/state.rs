//! What every request shares: the credentials (swapped whole on SIGHUP), the policy, the
//! limiter and the metrics; a refusal as the caller sees it; who the caller is.

use std::borrow::Cow;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Result;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use subtle::ConstantTimeEq;
use videosdk_token_core::{ExpiresIn, Key, Role};

use std::sync::atomic::{AtomicBool, Ordering};

use arc_swap::ArcSwap;
use axum::http::HeaderName;

use super::config::{Config, Credentials, Sources};
use crate::cli::RuleArgs;
use crate::meetings::{Upstream, UpstreamError};
use crate::metrics::{Endpoint, Metrics, Reason, Scope, UpstreamLabels};
use crate::request::{Names, Policy, TokenRequest};
use crate::spec::{Answer, Spec};
use crate::{clock, secret};

/// What every request handler needs; shared. Only the credentials (on SIGHUP) and the
/// draining flag (on SIGTERM) change.
pub(super) struct Service {
    /// The key, the API key, the defaults and the bearer tokens: swapped whole on SIGHUP, so a
    /// request sees the old set or the new one, never a mix.
    pub(super) credentials: ArcSwap<Credentials>,
    /// Where they are read from, again on SIGHUP.
    pub(super) sources: Sources,
    /// What a caller may ask for.
    pub(super) policy: Policy,
    /// Host names answered besides loopback ones; `None` answers any.
    pub(super) allowed_hosts: Option<Vec<String>>,
    pub(super) max_body: usize,
    pub(super) request_timeout: Duration,
    /// One line per request on standard error (`--quiet` turns it off).
    pub(super) access_log: bool,
    pub(super) upstream: Upstream,
    /// The header naming the authenticated user, when tokens are bound to it.
    pub(super) identity_header: Option<HeaderName>,
    /// How `/verify` checks tokens (`--leeway`, `--max-token-len`, `--refuse-unknown-names`).
    pub(super) rules: RuleArgs,
    pub(super) limiter: Option<Limiter>,
    pub(super) metrics: Metrics,
    /// Set when shutdown begins, so that `/healthz` tells load balancers to stop sending
    /// before the listener closes.
    pub(super) draining: AtomicBool,
}

impl Service {
    /// The state `config` describes, with the credentials read for the first time.
    pub(super) fn new(config: &Config) -> Result<Self> {
        Ok(Self {
            credentials: ArcSwap::from_pointee(config.sources.read()?),
            sources: config.sources.clone(),
            policy: config.policy.clone(),
            allowed_hosts: config.allowed_hosts.clone(),
            max_body: config.max_body,
            request_timeout: config.request_timeout,
            access_log: config.access_log,
            upstream: Upstream::new(&config.api_endpoint, config.upstream_timeout)?,
            identity_header: config.identity_header.clone(),
            rules: config.rules.clone(),
            limiter: config.rate_limit.map(Limiter::new),
            metrics: Metrics::new(),
            draining: AtomicBool::new(false),
        })
    }

    pub(super) fn draining(&self) -> bool {
        self.draining.load(Ordering::Relaxed)
    }
}

/// How long a reload may take to read its files before it is given up.
const RELOAD_TIMEOUT: Duration = Duration::from_secs(5);

impl Service {
    /// Re-reads the credentials (SIGHUP) on a blocking thread, never a request's, within
    /// [`RELOAD_TIMEOUT`]. Requests in flight finish with the set they started with; a reload
    /// that fails or times out keeps the old set and says why, on stderr and in a metric.
    pub(super) async fn reload(&self) {
        let sources = self.sources.clone();
        let read = tokio::task::spawn_blocking(move || {
            secret::forget_dotenv();
            sources.read()
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
pub(super) struct Refusal {
    pub(super) status: StatusCode,
    pub(super) error: String,
    pub(super) field: Option<String>,
    /// A well-formed request for more than the policy allows (a 400 counted as policy).
    pub(super) by_policy: bool,
}

impl Refusal {
    pub(super) fn bad(field: &str, error: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            error: error.into(),
            field: Some(field.to_owned()),
            by_policy: false,
        }
    }

    pub(super) fn status(status: StatusCode, error: impl Into<String>) -> Self {
        Self {
            status,
            error: error.into(),
            field: None,
            by_policy: false,
        }
    }

    /// Why, for the refusals metric.
    pub(super) fn reason(&self) -> Reason {
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
    pub(super) fn authorize(&self, headers: &HeaderMap) -> Result<(), Refusal> {
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
    pub(super) fn issue(key: &Key, spec: &Spec<'_>) -> Result<Response, Refusal> {
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
pub(super) fn bearer(value: &[u8]) -> Option<&[u8]> {
    let (scheme, rest) = value.split_at_checked(6)?;
    if !scheme.eq_ignore_ascii_case(b"bearer") || rest.first() != Some(&b' ') {
        return None;
    }
    Some(rest.trim_ascii_start())
}

impl Service {
    /// A token for what the caller asked, through the one request model and this server's
    /// policy.
    pub(super) fn issue_for<'a>(
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
        let credentials = self.credentials.load();
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
        self.metrics.issued(endpoint, scope);
        Ok(answer)
    }
}

/// Longest identity header value taken as a user.
pub(super) const MAX_IDENTITY: usize = 256;

/// An identity header's value as a user: trimmed, non-empty, at most [`MAX_IDENTITY`] bytes
/// of UTF-8 without control characters.
pub(super) fn identity_value(value: &[u8]) -> Option<&str> {
    let user = std::str::from_utf8(value).ok()?.trim();
    (!user.is_empty() && user.len() <= MAX_IDENTITY && !user.chars().any(char::is_control))
        .then_some(user)
}

/// What a token is bound to regardless of what is asked: the authenticated user
/// (`--participant-from-header`) and the room in the path (`--room-from-path`).
#[derive(Debug, Default)]
pub(super) struct Bound {
    participant: Option<String>,
    room: Option<String>,
}

impl Service {
    /// The user the identity header names, when tokens are bound to one: one header, a
    /// value of visible text up to [`MAX_IDENTITY`] bytes.
    pub(super) fn identity(&self, headers: &HeaderMap) -> Result<Option<String>, Refusal> {
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

    pub(super) fn bound(
        &self,
        headers: &HeaderMap,
        room: Option<String>,
    ) -> Result<Bound, Refusal> {
        Ok(Bound {
            participant: self.identity(headers)?,
            room,
        })
    }
}

/// Lifetime of the token this server signs for a forwarded call the caller sent none for.
pub(super) const UPSTREAM_TOKEN_SECONDS: u64 = 300;

impl Service {
    /// The token a forwarded call carries: the caller's VideoSDK token if the body has one,
    /// otherwise a short-lived server-API token signed here. Never the caller's bearer
    /// credential, which is for this server only.
    pub(super) fn upstream_token(&self, token: Option<&str>) -> Result<String, Refusal> {
        match token {
            Some(token) if !token.is_empty() && HeaderValue::from_str(token).is_ok() => {
                Ok(token.to_owned())
            }
            Some(_) => Err(Refusal::bad(
                "token",
                "token must be a VideoSDK token (printable text)",
            )),
            None => {
                let credentials = self.credentials.load();
                let spec = Spec {
                    roles: &[Role::Crawler],
                    expires_in: ExpiresIn::seconds(UPSTREAM_TOKEN_SECONDS),
                    ..credentials.issuer.spec(clock::now())
                };
                let mut buf = Vec::new();
                self.metrics.issued(Endpoint::Meetings, Scope::Unscoped);
                let (token, _) = spec.sign(credentials.issuer.key(), &mut buf).map_err(|e| {
                    Refusal::status(StatusCode::INTERNAL_SERVER_ERROR, e.to_string())
                })?;
                Ok(token.to_owned())
            }
        }
    }

    /// The upstream's answer as ours: its status and JSON, or 504 and 502 in our shape.
    pub(super) fn relay(
        &self,
        answer: Result<(u16, Value), UpstreamError>,
    ) -> Result<Response, Refusal> {
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

pub(super) fn too_large(max_body: usize) -> Refusal {
    Refusal::status(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!("the body is larger than this server's limit of {max_body} bytes"),
    )
}

/// The rate limiter, keyed by [`Caller`], and whether it was last counted full: callers then
/// share one allowance.
pub(super) struct Limiter {
    pub(super) keyed: governor::DefaultKeyedRateLimiter<Caller>,
    pub(super) crowded: AtomicBool,
}

impl Limiter {
    pub(super) fn new(quota: governor::Quota) -> Self {
        Self {
            keyed: governor::RateLimiter::keyed(quota),
            crowded: AtomicBool::new(false),
        }
    }
}

/// Who a request comes from, as the rate limiter tells callers apart.
#[derive(Clone, PartialEq, Eq, Hash)]
pub(super) enum Caller {
    /// The user the identity header names.
    User(String),
    /// A bearer token this server checked, as its digest (the limiter holds no credential).
    Bearer([u8; 32]),
    /// The peer address.
    Address(std::net::IpAddr),
    /// Everyone past the limiter's cap on callers, and a request with no peer address.
    Others,
}
