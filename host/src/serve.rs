//! `videosdk-token serve`: the token endpoint a VideoSDK backend needs. Stateless: every
//! replica with the same secret answers the same way, so it scales by adding replicas.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use hyper_util::rt::{TokioIo, TokioTimer};
use serde_json::{Map, Value, json};
use subtle::ConstantTimeEq;
use tower::ServiceExt;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::timeout::TimeoutLayer;
use videosdk_token_core::{ExpiresIn, Join, Permission, Role, Rules, SigningKey, verify};
use zeroize::Zeroizing;

use crate::cli::ServeArgs;
use crate::sign::{Spec, parse_duration, signing_key};
use crate::verify::Summary;
use crate::{clock, secret};

/// Longest roomId or participantId a caller may ask for, in bytes.
const MAX_ID_LEN: usize = 256;

/// How long in-flight requests may take to finish after a shutdown signal.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);

/// What every request handler needs; shared, never changed.
struct Service {
    key: SigningKey,
    api_key: String,
    default_permissions: Vec<Permission>,
    default_expires_in: ExpiresIn,
    allowed_permissions: Vec<Permission>,
    allowed_roles: Vec<Role>,
    /// The longest lifetime, in milliseconds as `ExpiresIn::millis` reads one.
    max_lifetime_ms: f64,
    max_expires_in_text: String,
    auth_tokens: Vec<Zeroizing<Vec<u8>>>,
}

/// A refusal as the caller sees it: a status and `{"error": …, "field": …}`.
struct Refusal {
    status: StatusCode,
    error: String,
    field: Option<&'static str>,
}

impl Refusal {
    fn bad(field: &'static str, error: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            error: error.into(),
            field: Some(field),
        }
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
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
        response
    }
}

impl Service {
    fn authorize(&self, headers: &HeaderMap) -> Result<(), Refusal> {
        if self.auth_tokens.is_empty() {
            return Ok(());
        }
        let presented = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.as_bytes().strip_prefix(b"Bearer "))
            .unwrap_or_default();
        // Compare with every accepted token in constant time, without stopping at a match.
        let matched = self
            .auth_tokens
            .iter()
            .fold(subtle::Choice::from(0), |any, token| {
                any | token.as_slice().ct_eq(presented)
            });
        if presented.is_empty() || !bool::from(matched) {
            return Err(Refusal {
                status: StatusCode::UNAUTHORIZED,
                error: "missing or wrong bearer token".into(),
                field: None,
            });
        }
        Ok(())
    }

    fn issue(&self, spec: &Spec<'_>) -> Result<Value, Refusal> {
        let mut buf = Vec::new();
        let (token, exp) = spec
            .sign(&self.key, &mut buf)
            .map_err(|e| Refusal::bad("claims", e.to_string()))?;
        Ok(json!({ "token": token, "expiresAt": exp }))
    }

    fn defaults(&self) -> Spec<'_> {
        Spec {
            api_key: &self.api_key,
            permissions: &self.default_permissions,
            version_2: false,
            room_id: None,
            participant_id: None,
            roles: &[],
            expires_in: self.default_expires_in,
            iat: clock::now(),
        }
    }
}

/// A body that must be a JSON object.
fn object(body: &[u8]) -> Result<Map<String, Value>, Refusal> {
    match serde_json::from_slice(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(Refusal {
            status: StatusCode::BAD_REQUEST,
            error: "the body must be a JSON object".into(),
            field: None,
        }),
        Err(e) => Err(Refusal {
            status: StatusCode::BAD_REQUEST,
            error: format!("the body is not JSON: {e}"),
            field: None,
        }),
    }
}

fn id<'a>(map: &'a Map<String, Value>, field: &'static str) -> Result<Option<&'a str>, Refusal> {
    match map.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.is_empty() => {
            Err(Refusal::bad(field, format!("{field} is empty")))
        }
        Some(Value::String(s)) if s.len() > MAX_ID_LEN => Err(Refusal::bad(
            field,
            format!("{field} is longer than {MAX_ID_LEN} bytes"),
        )),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(Refusal::bad(field, format!("{field} must be a string"))),
    }
}

fn names<T: PartialEq + Copy>(
    map: &Map<String, Value>,
    field: &'static str,
    parse: impl Fn(&str) -> Option<T>,
    allowed: &[T],
    what: &str,
) -> Result<Option<Vec<T>>, Refusal> {
    let Some(value) = map.get(field) else {
        return Ok(None);
    };
    let Value::Array(items) = value else {
        return Err(Refusal::bad(
            field,
            format!("{field} must be a list of names"),
        ));
    };
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let name = item
            .as_str()
            .ok_or_else(|| Refusal::bad(field, format!("{field} must be a list of names")))?;
        let parsed =
            parse(name).ok_or_else(|| Refusal::bad(field, format!("unknown {what} {name:?}")))?;
        if !allowed.contains(&parsed) {
            return Err(Refusal::bad(
                field,
                format!("{what} {name:?} is not allowed by this server"),
            ));
        }
        out.push(parsed);
    }
    Ok(Some(out))
}

async fn get_token(
    State(service): State<Arc<Service>>,
    headers: HeaderMap,
) -> Result<axum::Json<Value>, Refusal> {
    service.authorize(&headers)?;
    Ok(axum::Json(service.issue(&service.defaults())?))
}

async fn post_token(
    State(service): State<Arc<Service>>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<axum::Json<Value>, Refusal> {
    service.authorize(&headers)?;
    let map = object(&body)?;
    const FIELDS: [&str; 5] = [
        "roomId",
        "participantId",
        "roles",
        "permissions",
        "expiresIn",
    ];
    if let Some(unknown) = map.keys().find(|k| !FIELDS.contains(&k.as_str())) {
        let message = format!(
            "unknown field {unknown:?}; expected one of {}",
            FIELDS.join(", ")
        );
        return Err(Refusal {
            status: StatusCode::BAD_REQUEST,
            error: message,
            field: None,
        });
    }
    let mut spec = service.defaults();
    spec.room_id = id(&map, "roomId")?;
    spec.participant_id = id(&map, "participantId")?;
    let roles = names(
        &map,
        "roles",
        Role::from_name,
        &service.allowed_roles,
        "role",
    )?;
    if let Some(roles) = &roles {
        spec.roles = roles;
    }
    let permissions = names(
        &map,
        "permissions",
        Permission::from_name,
        &service.allowed_permissions,
        "permission",
    )?;
    if let Some(permissions) = &permissions {
        spec.permissions = permissions;
    }
    if let Some(value) = map.get("expiresIn") {
        let expires_in = match value {
            Value::String(text) => ExpiresIn::parse(text)
                .map_err(|e| Refusal::bad("expiresIn", format!("{text:?}: {e}")))?,
            Value::Number(n) => n.as_u64().map(ExpiresIn::seconds).ok_or_else(|| {
                Refusal::bad("expiresIn", "a number of seconds must be a whole number")
            })?,
            _ => {
                return Err(Refusal::bad(
                    "expiresIn",
                    "expiresIn must be a duration string or a number of seconds",
                ));
            }
        };
        if expires_in.millis() > service.max_lifetime_ms {
            let message = format!(
                "longer than this server's maximum of {}",
                service.max_expires_in_text
            );
            return Err(Refusal::bad("expiresIn", message));
        }
        spec.expires_in = expires_in;
    }
    Ok(axum::Json(service.issue(&spec)?))
}

async fn post_verify(
    State(service): State<Arc<Service>>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<axum::Json<Value>, Refusal> {
    service.authorize(&headers)?;
    let map = object(&body)?;
    let Some(Value::String(token)) = map.get("token") else {
        return Err(Refusal::bad("token", "token must be a string"));
    };
    let room_id = id(&map, "roomId")?;
    let participant_id = id(&map, "participantId")?;
    let purpose = match map.get("for") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s == "meeting" || s == "api" => Some(s.as_str()),
        Some(_) => return Err(Refusal::bad("for", "for must be \"meeting\" or \"api\"")),
    };
    let now = clock::now();
    let mut scratch = vec![0u8; token.len()];
    let refused = |reason: String| {
        axum::Json(
            json!({ "valid": false, "reason": format!("Token is invalid or expired: {reason}") }),
        )
    };
    let verified = match verify(token, &service.key, &Rules::at(now), &mut scratch) {
        Ok(verified) => verified,
        Err(e) => return Ok(refused(e.to_string())),
    };
    let asked = match purpose {
        Some("api") => verified.call_server_api(room_id).map(|()| None::<Join>),
        _ if purpose.is_some() || room_id.is_some() || participant_id.is_some() => {
            match room_id.or(verified.claims().room_id()) {
                Some(room) => verified.join(room, participant_id).map(Some),
                None => {
                    return Err(Refusal::bad(
                        "roomId",
                        "checking a meeting needs roomId: the token is not limited to one room",
                    ));
                }
            }
        }
        _ => Ok(None),
    };
    match asked {
        Ok(join) => Ok(axum::Json(Summary::of(&verified, join, now).json())),
        Err(refusal) => Ok(refused(refusal.to_string())),
    }
}

async fn healthz() -> &'static str {
    "ok\n"
}

async fn not_found() -> Refusal {
    Refusal {
        status: StatusCode::NOT_FOUND,
        error: "no such endpoint: GET or POST /get-token, POST /verify, GET /healthz".into(),
        field: None,
    }
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
    eprintln!(
        "{remote} {method} {path} {} {:.3}ms",
        response.status().as_u16(),
        start.elapsed().as_secs_f64() * 1000.0
    );
    response
}

fn router(service: Arc<Service>, args: &ServeArgs, request_timeout: Duration) -> Result<Router> {
    let mut app = Router::new()
        .route("/get-token", get(get_token).post(post_token))
        .route("/verify", post(post_verify))
        .route("/healthz", get(healthz))
        .fallback(not_found)
        .with_state(service)
        .layer(DefaultBodyLimit::max(args.max_body))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            request_timeout,
        ));
    if !args.cors_origins.is_empty() {
        let origins = args
            .cors_origins
            .iter()
            .map(|o| {
                HeaderValue::from_str(o)
                    .map_err(|_| anyhow!("--cors-origin {o:?} is not a valid origin"))
            })
            .collect::<Result<Vec<_>>>()?;
        app = app.layer(
            CorsLayer::new()
                .allow_origin(AllowOrigin::list(origins))
                .allow_methods([Method::GET, Method::POST])
                .allow_headers([header::CONTENT_TYPE, header::AUTHORIZATION]),
        );
    }
    if !args.quiet {
        app = app.layer(middleware::from_fn(access_log));
    }
    Ok(app)
}

fn read_auth_tokens(args: &ServeArgs) -> Result<Vec<Zeroizing<Vec<u8>>>> {
    args.auth_token_files
        .iter()
        .map(|path| {
            let text =
                Zeroizing::new(std::fs::read(path).with_context(|| {
                    format!("cannot read --auth-token-file {}", path.display())
                })?);
            let token = Zeroizing::new(text.trim_ascii().to_vec());
            if token.len() < 16 {
                bail!(
                    "--auth-token-file {}: the token must be at least 16 bytes",
                    path.display()
                );
            }
            Ok(token)
        })
        .collect()
}

pub fn run(args: &ServeArgs) -> Result<()> {
    let secret = secret::load(&args.secret, false)?;
    let key = signing_key(&secret)?;
    let max_expires_in = parse_duration("--max-expires-in", &args.max_expires_in)?;
    let default_expires_in = parse_duration("--expires-in", &args.issuer.expires_in)?;
    if default_expires_in.millis() > max_expires_in.millis() {
        bail!(
            "--expires-in {} is longer than --max-expires-in {}",
            args.issuer.expires_in,
            args.max_expires_in
        );
    }
    let seconds = |name: &str, text: &str| -> Result<Duration> {
        let ms = parse_duration(name, text)?.millis();
        Ok(Duration::from_secs_f64(ms / 1000.0))
    };
    let header_timeout = seconds("--header-timeout", &args.header_timeout)?;
    let request_timeout = seconds("--request-timeout", &args.request_timeout)?;
    let service = Arc::new(Service {
        key,
        api_key: secret::api_key(args.issuer.api_key.as_deref())?,
        default_permissions: args.issuer.permissions.iter().map(|&p| p.into()).collect(),
        default_expires_in,
        allowed_permissions: if args.allowed_permissions.is_empty() {
            vec![Permission::AllowJoin, Permission::AskJoin]
        } else {
            args.allowed_permissions.iter().map(|&p| p.into()).collect()
        },
        allowed_roles: if args.allowed_roles.is_empty() {
            vec![Role::Rtc, Role::Crawler]
        } else {
            args.allowed_roles.iter().map(|&r| r.into()).collect()
        },
        max_lifetime_ms: max_expires_in.millis(),
        max_expires_in_text: args.max_expires_in.clone(),
        auth_tokens: read_auth_tokens(args)?,
    });
    let app = router(service, args, request_timeout)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the runtime")?;
    runtime.block_on(serve(app, args.listen, header_timeout))
}

async fn serve(app: Router, listen: SocketAddr, header_timeout: Duration) -> Result<()> {
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    eprintln!(
        "listening on http://{}",
        listener.local_addr().context("no local address")?
    );
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown_signal());
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (stream, remote) = match accepted {
                    Ok(pair) => pair,
                    Err(e) => {
                        eprintln!("warning: cannot accept a connection: {e}");
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                let app = app.clone();
                let service = hyper::service::service_fn(move |mut request: hyper::Request<hyper::body::Incoming>| {
                    request.extensions_mut().insert(remote);
                    app.clone().oneshot(request.map(axum::body::Body::new))
                });
                let connection = hyper::server::conn::http1::Builder::new()
                    .timer(TokioTimer::new())
                    .header_read_timeout(header_timeout)
                    .serve_connection(TokioIo::new(stream), service);
                let connection = graceful.watch(connection);
                tokio::spawn(async move {
                    let _ = connection.await;
                });
            }
            () = &mut shutdown => break,
        }
    }
    drop(listener);
    eprintln!("shutting down: finishing requests in flight");
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(SHUTDOWN_GRACE) => eprintln!("warning: requests still in flight after {SHUTDOWN_GRACE:?}; stopping"),
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
