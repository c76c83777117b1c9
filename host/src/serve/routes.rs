//! The endpoints: the table `--help`, the 404 and 405 answers and the router are made from,
//! each endpoint's request type and its handler.

use anyhow::Result;
use axum::Router;
use axum::body::{Bytes, HttpBody};
use axum::extract::{FromRequest, Path, Request, State};
use axum::handler::Handler;
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodFilter, MethodRouter, on_service};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use tower::Layer;
use tower_http::cors::CorsLayer;

use super::config::Config;
use super::middleware::Around;
use super::state::{Refusal, Service, too_large};
use crate::cli::Use;
use crate::clock;
use crate::error::refusal_text;
use crate::input;
use crate::inspect;
use crate::meetings;
use crate::metrics::{Endpoint, Outcome, OutcomeLabels, RouteLabels};
use crate::verify::{Access, Summary};

/// What an endpoint reads of a request: its target, its headers (taken, not copied) and its
/// body, read up to `--max-body` (413 past it) and only when there is one.
pub(super) struct Call {
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
}

impl FromRequest<&'static Service> for Call {
    type Rejection = Refusal;

    async fn from_request(request: Request, service: &&'static Service) -> Result<Self, Refusal> {
        let (parts, body) = request.into_parts();
        let body = if body.is_end_stream() {
            Bytes::new()
        } else {
            match Limited::new(body, service.max_body).collect().await {
                Ok(collected) => collected.to_bytes(),
                Err(e) if e.is::<LengthLimitError>() => return Err(too_large(service.max_body)),
                Err(_) => {
                    return Err(Refusal::status(
                        StatusCode::BAD_REQUEST,
                        "the request body could not be read",
                    ));
                }
            }
        };
        Ok(Self {
            uri: parts.uri,
            headers: parts.headers,
            body,
        })
    }
}

impl Call {
    /// The endpoint's fields, read into its serde type from the query or the body by
    /// [`input::read`], the one reader of every endpoint.
    pub(super) fn fields<T: DeserializeOwned>(&self) -> Result<T, Refusal> {
        let form = self.headers.get(header::CONTENT_TYPE).is_some_and(|v| {
            v.as_bytes()
                .starts_with(b"application/x-www-form-urlencoded")
        });
        input::read(self.uri.query().unwrap_or_default(), form, &self.body).map_err(|refused| {
            match refused.field {
                Some(field) => Refusal::bad(&field, refused.message),
                None => Refusal::status(StatusCode::BAD_REQUEST, refused.message),
            }
        })
    }
}

/// `POST /verify`: the token, and what to check it against.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct VerifyRequest {
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
pub(super) enum ForUse {
    Meeting,
    Api,
}

/// `POST /create-meeting` and `POST /validate-meeting/:id`: the token for the server API
/// (signed here when absent) and, to create, the region.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct MeetingRequest {
    #[serde(default)]
    token: Option<String>,
    #[serde(default)]
    region: Option<String>,
}

/// A `roomId` or `participantId` to check a token against: never empty.
pub(super) fn optional_id<'a>(
    value: Option<&'a str>,
    field: &str,
) -> Result<Option<&'a str>, Refusal> {
    match value {
        Some("") => Err(Refusal::bad(field, format!("{field} is empty"))),
        other => Ok(other),
    }
}

/// `GET` and `POST /get-token`: the request in the query string (as VideoSDK's Python, Go,
/// PHP, Java, Ruby and .NET frontends send it) or in a body (as its Node and Rust examples
/// read it), never both.
pub(super) async fn get_token(
    State(service): State<&'static Service>,
    call: Call,
) -> Result<Response, Refusal> {
    let asked = call.fields()?;
    service.issue_for(
        asked,
        &service.bound(&call.headers, None)?,
        Endpoint::GetToken,
    )
}

/// `GET` and `POST /get-token/:roomId` (with `--room-from-path`): as `/get-token`, the token
/// scoped to that room.
pub(super) async fn token_for_room(
    State(service): State<&'static Service>,
    Path(room): Path<String>,
    call: Call,
) -> Result<Response, Refusal> {
    let asked = call.fields()?;
    service.issue_for(
        asked,
        &service.bound(&call.headers, Some(room))?,
        Endpoint::GetTokenForRoom,
    )
}

/// `POST /create-meeting`: `{token, region}` forwarded as VideoSDK's examples forward it.
pub(super) async fn create_meeting(
    State(service): State<&'static Service>,
    call: Call,
) -> Result<Response, Refusal> {
    let asked: MeetingRequest = call.fields()?;
    let token = service.upstream_token(asked.token.as_deref())?;
    let answer = service
        .upstream
        .create_room(&token, asked.region.as_deref())
        .await;
    service.relay(answer)
}

/// `POST /validate-meeting/:meetingId`: `{token}` forwarded as VideoSDK's examples forward it.
pub(super) async fn validate_meeting(
    State(service): State<&'static Service>,
    Path(meeting_id): Path<String>,
    call: Call,
) -> Result<Response, Refusal> {
    if !meetings::is_room_id(&meeting_id) {
        return Err(Refusal::bad(
            "meetingId",
            "meetingId must be letters, digits, - and _",
        ));
    }
    let asked: MeetingRequest = call.fields()?;
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
pub(super) async fn post_verify(
    State(service): State<&'static Service>,
    call: Call,
) -> Result<axum::Json<Value>, Refusal> {
    let asked: VerifyRequest = call.fields()?;
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

/// Who may call an endpoint.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Callers {
    /// Behind the bearer check and the rate limit (`guard`).
    Guarded,
    /// Anyone the Host check lets in.
    Open,
}

/// The handlers of one path, by method, each behind the route's [`Around`].
type Handlers = fn(Around) -> MethodRouter<&'static Service>;

const GET: MethodFilter = MethodFilter::GET;
const POST: MethodFilter = MethodFilter::POST;
const GET_POST: MethodFilter = GET.or(POST);

/// `handler` for `methods`, behind `around`: one service, where a layer on the method router
/// would box the route once more for every request.
fn on<H, T>(around: Around, methods: MethodFilter, handler: H) -> MethodRouter<&'static Service>
where
    H: Handler<T, &'static Service>,
    H::Future: Unpin,
    T: 'static,
{
    on_service(methods, around.layer(handler.with_state(around.service)))
}

/// One endpoint: what `serve --help`, the 404 and 405 answers say of it, and how the router
/// serves it.
pub(super) struct Entry {
    /// Its methods and its path, as `--help` shows them.
    pub(super) methods: &'static str,
    pub(super) path: &'static str,
    /// What it answers.
    what: &'static str,
    /// The router's paths for it, and each one's handlers.
    routes: &'static [(&'static str, Handlers)],
    callers: Callers,
    /// Whether this configuration serves it.
    served: fn(&Config) -> bool,
}

const ALWAYS: fn(&Config) -> bool = |_| true;

/// Every endpoint. The router is made from this table, and so are `serve --help` and the
/// 404 and 405 answers; a test checks that each answers as listed.
pub(super) const ENDPOINTS: &[Entry] = &[
    Entry {
        methods: "GET, POST",
        path: "/get-token",
        what: "{\"token\": …, \"expiresAt\": …}; roomId, participantId (or peerId), roles, \
               permissions and expiresIn may be asked in the query or the body (never both), \
               within the policy flags; outside them: 400 and {\"error\": …, \"field\": …}",
        // Express, which VideoSDK's examples run on, answers with or without the slash.
        routes: &[
            ("/get-token", |a| on(a, GET_POST, get_token)),
            ("/get-token/", |a| on(a, GET_POST, get_token)),
        ],
        callers: Callers::Guarded,
        served: ALWAYS,
    },
    Entry {
        methods: "GET, POST",
        path: "/get-token/:roomId",
        what: "with --room-from-path: as /get-token, the token scoped to that room",
        routes: &[("/get-token/{room_id}", |a| on(a, GET_POST, token_for_room))],
        callers: Callers::Guarded,
        served: |config| config.room_from_path,
    },
    Entry {
        methods: "POST",
        path: "/verify",
        what: "{\"token\": …} (optionally roomId, participantId, \"for\": \"meeting\"|\"api\"): \
               what the token allows, or why it is refused, by verify's rules and flags",
        routes: &[("/verify", |a| on(a, POST, post_verify))],
        callers: Callers::Guarded,
        served: ALWAYS,
    },
    Entry {
        methods: "POST",
        path: "/create-meeting",
        what: "{\"token\", \"region\"} forwarded to --api-endpoint's /rooms, as VideoSDK's \
               examples do",
        routes: &[
            ("/create-meeting", |a| on(a, POST, create_meeting)),
            ("/create-meeting/", |a| on(a, POST, create_meeting)),
        ],
        callers: Callers::Guarded,
        served: ALWAYS,
    },
    Entry {
        methods: "POST",
        path: "/validate-meeting/:meetingId",
        what: "{\"token\"} forwarded to --api-endpoint's /rooms/validate/:meetingId",
        routes: &[("/validate-meeting/{meeting_id}", |a| {
            on(a, POST, validate_meeting)
        })],
        callers: Callers::Guarded,
        served: ALWAYS,
    },
    Entry {
        methods: "GET",
        path: "/metrics",
        what: "Prometheus metrics (behind the bearer check)",
        routes: &[("/metrics", |a| on(a, GET, metrics))],
        callers: Callers::Guarded,
        served: ALWAYS,
    },
    Entry {
        methods: "GET",
        path: "/healthz",
        what: "ok, or 503 while draining",
        routes: &[("/healthz", |a| on(a, GET, healthz))],
        callers: Callers::Open,
        served: ALWAYS,
    },
    Entry {
        methods: "GET",
        path: "/inspect/",
        what: "the token inspector page (not with --no-inspector)",
        routes: &[
            ("/inspect", |a| on(a, GET, inspect_redirect)),
            ("/inspect/", |a| on(a, GET, inspect_page)),
            ("/inspect/{file}", |a| on(a, GET, inspect_file)),
        ],
        callers: Callers::Open,
        served: |config| config.inspector,
    },
];

/// The endpoint list for `serve --help`.
pub fn help() -> String {
    let mut text = String::from("Endpoints:\n");
    for Entry {
        methods,
        path,
        what,
        ..
    } in ENDPOINTS
    {
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
pub(super) fn textwrap(text: &str, width: usize) -> Vec<String> {
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
pub(super) fn methods_of(path: &str) -> Option<&'static str> {
    let segments = |p: &str| p.trim_end_matches('/').split('/').count();
    ENDPOINTS.iter().find_map(|endpoint| {
        let (methods, pattern) = (endpoint.methods, endpoint.path);
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

/// `ok`, or 503 `{"error":"draining"}` once shutdown has begun.
pub(super) async fn healthz(State(service): State<&'static Service>) -> Response {
    if service.draining() {
        Refusal::status(StatusCode::SERVICE_UNAVAILABLE, "draining").into_response()
    } else {
        "ok\n".into_response()
    }
}

/// 405, naming the methods the table lists for the path.
async fn not_allowed(uri: Uri) -> Refusal {
    let allowed = methods_of(uri.path()).unwrap_or("another method");
    Refusal::status(
        StatusCode::METHOD_NOT_ALLOWED,
        format!("method not allowed here; use {allowed}"),
    )
}

pub(super) async fn not_found() -> Refusal {
    let list: Vec<String> = ENDPOINTS
        .iter()
        .map(|e| format!("{} {}", e.methods, e.path))
        .collect();
    Refusal::status(
        StatusCode::NOT_FOUND,
        format!("no such endpoint: {}", list.join("; ")),
    )
}

/// `GET /metrics`: every metric, in the Prometheus text format.
pub(super) async fn metrics(State(service): State<&'static Service>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        service.metrics.encode(),
    )
        .into_response()
}

/// `/inspect` → `/inspect/`, where the page's relative links resolve.
pub(super) async fn inspect_redirect() -> Response {
    (
        StatusCode::PERMANENT_REDIRECT,
        [(header::LOCATION, "/inspect/")],
    )
        .into_response()
}

pub(super) async fn inspect_page() -> Response {
    inspector_response("index.html")
}

pub(super) async fn inspect_file(Path(file): Path<String>) -> Response {
    inspector_response(&file)
}

/// A file of the token inspector, under its Content-Security-Policy.
pub(super) fn inspector_response(name: &str) -> Response {
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

/// The router: every endpoint of [`ENDPOINTS`] this configuration serves, each route behind
/// [`Around`], then what every routed request passes (the listener calls
/// [`front`](super::middleware::front) around it).
pub(super) fn router(service: &'static Service, config: &Config) -> Router {
    let mut app = Router::new();
    for endpoint in ENDPOINTS.iter().filter(|e| (e.served)(config)) {
        for &(path, handlers) in endpoint.routes {
            let around = Around {
                service,
                guarded: endpoint.callers == Callers::Guarded,
                // Kept for the life of the process, as the service is: a request's clone
                // of the route then copies a reference instead of counting one.
                latency: Box::leak(Box::new(
                    service
                        .metrics
                        .latency
                        .get_or_create(&RouteLabels { route: path })
                        .clone(),
                )),
            };
            // Around goes on each handler (see `on`): a layer on the router would wrap every
            // route in one more boxed service, cloned for each request.
            app = app.route(path, handlers(around));
        }
    }
    let mut app = app
        .fallback(not_found)
        .method_not_allowed_fallback(not_allowed)
        .with_state(service);
    if let Some(origins) = &config.cors {
        if config.any_origin && service.credentials.load().auth_tokens.is_empty() {
            log!(
                "warning: CORS for any origin without --auth-token-file lets any web page get tokens from this server"
            );
        }
        app = app.layer(
            CorsLayer::new()
                .allow_origin(origins.clone())
                .allow_methods([Method::GET, Method::POST])
                .allow_headers([header::CONTENT_TYPE, header::AUTHORIZATION]),
        );
    }
    app
}
