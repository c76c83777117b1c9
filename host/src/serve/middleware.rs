//! What runs around every request: the Host check, the bearer check and the rate limit, the
//! deadline, JSON bodies for every refusal, latency metrics and the access log.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::Ordering;
use std::task::{Context, Poll};
use std::time::Instant;

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use prometheus_client::metrics::histogram::Histogram;
use tower::{Layer, ServiceExt};

use super::config::host_name;
use super::state::{Caller, Limiter, Refusal, Service, bearer, too_large};
use crate::metrics::Reason;

/// What one route's requests pass, made once per route when the router is: for a guarded
/// route [`Service::guard`] first, then its latency histogram (labelled with the route as
/// written, `/get-token/{room_id}`, never the room). One layer for both; written as a tower
/// layer rather than with `from_fn`, which boxes the rest of the route and its future again
/// for every request (a fifth of serve's own time per request, in-process).
#[derive(Clone)]
pub(super) struct Around {
    pub(super) service: &'static Service,
    pub(super) guarded: bool,
    pub(super) latency: &'static Histogram,
}

impl<S> Layer<S> for Around {
    type Service = Routed<S>;

    fn layer(&self, inner: S) -> Routed<S> {
        Routed {
            around: self.clone(),
            inner,
        }
    }
}

/// A route behind [`Around`].
#[derive(Clone)]
pub(super) struct Routed<S> {
    around: Around,
    inner: S,
}

impl<S> tower::Service<Request> for Routed<S>
where
    S: tower::Service<Request, Response = Response, Error = Infallible>,
    S::Future: Unpin,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Timed<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let start = Instant::now();
        let refusal = self
            .around
            .guarded
            .then(|| self.around.service.guard(&request))
            .flatten();
        let answer = match refusal {
            Some(refusal) => Answer::Refused(Some(refusal)),
            None => Answer::Routed(self.inner.call(request)),
        };
        Timed {
            answer,
            start,
            latency: self.around.latency,
        }
    }
}

/// A route's answer, timed into its histogram when it is ready.
pub(super) struct Timed<F> {
    answer: Answer<F>,
    start: Instant,
    latency: &'static Histogram,
}

enum Answer<F> {
    /// The guard's refusal, until it is taken.
    Refused(Option<Response>),
    Routed(F),
}

impl<F> Future for Timed<F>
where
    F: Future<Output = Result<Response, Infallible>> + Unpin,
{
    type Output = Result<Response, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let response = match &mut this.answer {
            Answer::Refused(refusal) => refusal.take().unwrap_or_default(),
            Answer::Routed(routed) => match Pin::new(routed).poll(cx) {
                Poll::Ready(Ok(response)) => response,
                Poll::Ready(Err(never)) => match never {},
                Poll::Pending => return Poll::Pending,
            },
        };
        this.latency.observe(this.start.elapsed().as_secs_f64());
        Poll::Ready(Ok(response))
    }
}

impl Service {
    /// Before a protected route reads its body: the bearer token, the rate limit, then a
    /// declared length over `--max-body` (413 at once, without waiting for a body that may
    /// never come). The refusal, if any.
    fn guard(&self, request: &Request) -> Option<Response> {
        if let Err(refusal) = self.authorize(request.headers()) {
            return Some(refusal.into_response());
        }
        if let Some(limiter) = &self.limiter {
            let key = if limiter.crowded() {
                Caller::Others
            } else {
                self.caller(request)
            };
            if let Err(not_until) = limiter.keyed.check_key(&key) {
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
                return Some(response);
            }
        }
        let declared = request
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|len| len > self.max_body as u64) {
            return Some(too_large(self.max_body).into_response());
        }
        None
    }

    /// The rate limiter's key for a request: the user the identity header names (checked as
    /// [`Service::identity`] checks it), else the bearer token when this server checks them
    /// (the guard has then accepted it), else the peer address. An invented value never makes
    /// a new caller: a header that is not a user, or a bearer nobody checks, counts as its
    /// address.
    pub(super) fn caller(&self, request: &Request) -> Caller {
        let headers = request.headers();
        if let Ok(Some(user)) = self.identity(headers) {
            return Caller::User(user);
        }
        let checked = !self.credentials.load().auth_tokens.is_empty();
        if checked
            && let Some(token) = headers
                .get(header::AUTHORIZATION)
                .and_then(|v| bearer(v.as_bytes()))
        {
            use sha2::Digest;
            return Caller::Bearer(sha2::Sha256::digest(token).into());
        }
        request
            .extensions()
            .get::<SocketAddr>()
            .map_or(Caller::Others, |addr| Caller::Address(addr.ip()))
    }
}

/// Callers the rate limiter keeps apart at most; past them (after forgetting the quiet ones),
/// callers share one allowance, so that memory stays bounded whatever callers invent.
pub(super) const MAX_CALLERS: usize = 100_000;

/// Requests a worker thread answers between two counts of the limiter's callers. Counting
/// locks each of the limiter's shards in turn, which cost more than the rest of the rate
/// limit; between counts at most this many callers per thread join past [`MAX_CALLERS`].
const COUNT_EVERY: u32 = 64;

impl Limiter {
    /// Whether the limiter holds [`MAX_CALLERS`] callers even after forgetting the quiet ones:
    /// counted on a thread's first request and every [`COUNT_EVERY`] after, else as last
    /// counted (by any thread).
    fn crowded(&self) -> bool {
        thread_local! {
            static UNTIL_COUNT: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
        }
        let due = UNTIL_COUNT.with(|left| {
            let due = left.get() == 0;
            left.set(if due { COUNT_EVERY } else { left.get() } - 1);
            due
        });
        if due {
            if self.keyed.len() >= MAX_CALLERS {
                self.keyed.retain_recent();
            }
            self.crowded
                .store(self.keyed.len() >= MAX_CALLERS, Ordering::Relaxed);
        }
        self.crowded.load(Ordering::Relaxed)
    }
}

/// What every request passes first, before the router: the Host check, then
/// `--request-timeout` over the whole exchange (body included), then every error in the same
/// JSON shape, counted once by its reason. Called by the listener for each request rather
/// than as a router layer, which would cost a few allocations per request.
pub(super) async fn front(service: &Service, app: Router, request: Request) -> Response {
    let response = if let Some(refusal) = oversized(&request) {
        refusal.into_response()
    } else if host_allowed(service, &request) {
        let mut call = std::pin::pin!(app.oneshot(request));
        // Most answers are ready at the first poll (a token is signed without waiting): the
        // deadline's timer, a lock on the runtime's timer wheel to arm and another to drop, is
        // only armed for the others.
        let first = std::future::poll_fn(|cx| Poll::Ready(call.as_mut().poll(cx))).await;
        let answered = match first {
            Poll::Ready(answered) => Ok(answered),
            Poll::Pending => tokio::time::timeout(service.request_timeout, call).await,
        };
        match answered {
            Ok(Ok(response)) => response,
            Ok(Err(never)) => match never {},
            Err(_) => Refusal::status(
                StatusCode::REQUEST_TIMEOUT,
                format!(
                    "the request took longer than {}",
                    humantime::format_duration(service.request_timeout)
                ),
            )
            .into_response(),
        }
    } else {
        Refusal::status(
            StatusCode::FORBIDDEN,
            "this server does not answer to that Host; see --allowed-host",
        )
        .into_response()
    };
    json_errors(service, response)
}

/// Longest request target (path and query) answered; longer gets 414.
pub(super) const MAX_URI: usize = 8 * 1024;
/// Most header fields, and most bytes of header names and values, answered; more gets 431.
pub(super) const MAX_HEADERS: usize = 64;
pub(super) const MAX_HEADER_BYTES: usize = 16 * 1024;

/// 414 or 431 in JSON for a request over this server's limits (hyper's own, which answer
/// with an empty body, are set higher).
fn oversized(request: &Request) -> Option<Refusal> {
    let uri = request
        .uri()
        .path_and_query()
        .map_or(0, |p| p.as_str().len());
    if uri > MAX_URI {
        return Some(Refusal::status(
            StatusCode::URI_TOO_LONG,
            format!("the request target is longer than {MAX_URI} bytes"),
        ));
    }
    let headers = request.headers();
    let bytes: usize = headers
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len())
        .sum();
    if headers.len() > MAX_HEADERS || bytes > MAX_HEADER_BYTES {
        return Some(Refusal::status(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            format!("the headers are over {MAX_HEADERS} fields or {MAX_HEADER_BYTES} bytes"),
        ));
    }
    None
}

/// Only the Host names this server is meant to answer to (DNS rebinding would otherwise let
/// any web page mint tokens from a server on loopback). `/healthz` answers any.
fn host_allowed(service: &Service, request: &Request) -> bool {
    let Some(allowed) = &service.allowed_hosts else {
        return true;
    };
    if request.uri().path() == "/healthz" {
        return true;
    }
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .map(host_name);
    host.is_some_and(|name| is_loopback_name(&name) || allowed.contains(&name))
}

pub(super) fn is_loopback_name(name: &str) -> bool {
    name == "localhost"
        || name.ends_with(".localhost")
        || name == "[::1]"
        || name
            .parse::<std::net::Ipv4Addr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Every error in the same JSON shape, those answered below the handlers too (413 for a body
/// without a declared length, say); their other headers, such as `Allow`, are kept.
fn json_errors(service: &Service, response: Response) -> Response {
    let response = count_refusal(service, response);
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
    count_refusal(service, Response::from_parts(parts, body))
}

/// Counts a refusal once, by the reason it carries; returns the response unchanged.
pub(super) fn count_refusal(service: &Service, mut response: Response) -> Response {
    if let Some(reason) = response.extensions_mut().remove::<Reason>() {
        service.metrics.refused(reason);
    }
    response
}

/// [`front`], and with `--access-log` one line per request: who, what, the answer, how
/// long. Never the query string, the body or a header, where tokens and credentials travel.
pub(super) async fn answer(service: &Service, app: Router, request: Request) -> Response {
    if !service.access_log {
        return front(service, app, request).await;
    }
    let start = Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let remote = request.extensions().get::<SocketAddr>().copied();
    let response = front(service, app, request).await;
    let remote = remote.map_or_else(|| "-".to_owned(), |r| r.to_string());
    log!(
        "{remote} {method} {path} {} {:.3}ms",
        response.status().as_u16(),
        start.elapsed().as_secs_f64() * 1000.0
    );
    response
}

#[cfg(test)]
mod tests {
    use std::net::{IpAddr, Ipv4Addr};

    use super::*;

    /// Past [`MAX_CALLERS`] callers (none of them quiet), the limiter is found crowded within
    /// [`COUNT_EVERY`] requests of a thread, and not before.
    #[test]
    fn the_limiter_is_crowded_past_its_cap_of_callers() {
        let quota = governor::Quota::per_hour(std::num::NonZeroU32::MIN);
        let limiter = Limiter::new(quota);
        let address =
            |n: usize| Caller::Address(IpAddr::V4(Ipv4Addr::from_bits(u32::try_from(n).unwrap())));
        for n in 0..MAX_CALLERS - 1 {
            let _ = limiter.keyed.check_key(&address(n));
        }
        assert!((0..2 * COUNT_EVERY).all(|_| !limiter.crowded()));
        let _ = limiter.keyed.check_key(&address(MAX_CALLERS));
        let seen = (0..COUNT_EVERY).filter(|_| limiter.crowded()).count();
        assert!(
            seen > 0,
            "not counted crowded within {COUNT_EVERY} requests"
        );
        assert!(limiter.crowded());
    }
}
