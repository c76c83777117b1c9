//! What `serve` counts, in the Prometheus text format written by `prometheus-client`. Every
//! label has a small fixed set of values: never a token, a secret, a room or a participant.

use std::sync::OnceLock;
use std::sync::atomic::AtomicI64;

use prometheus_client::encoding::{EncodeLabelSet, EncodeLabelValue};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

/// Which endpoint issued a token.
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq, EncodeLabelValue)]
pub enum Endpoint {
    /// `/get-token`
    GetToken,
    /// `/get-token/:roomId`
    GetTokenForRoom,
    /// A token signed for a forwarded meeting call.
    Meetings,
}

/// Whether a token names a room or a participant.
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq, EncodeLabelValue)]
pub enum Scope {
    Scoped,
    Unscoped,
}

/// Why a request was refused.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelValue)]
pub enum Reason {
    /// No or a wrong bearer token, or no identity header.
    Auth,
    /// Asked for more than the policy allows, or for another participant or room.
    Policy,
    /// A request that does not parse or names what does not exist.
    Validation,
    /// Over `--rate-limit`.
    RateLimit,
}

/// What `/verify` answered.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelValue)]
pub enum Outcome {
    Valid,
    Refused,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct IssuedLabels {
    endpoint: Endpoint,
    scope: Scope,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RefusalLabels {
    pub reason: Reason,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OutcomeLabels {
    pub outcome: Outcome,
}

/// A route as the router matched it (`/get-token/{room_id}`, never the room itself).
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteLabels {
    pub route: &'static str,
}

/// An upstream answer's status, or `timeout` / `error` when there was none.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct UpstreamLabels {
    pub status: String,
}

/// Whether a SIGHUP reload took.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelValue)]
pub enum Reload {
    Ok,
    Failed,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ReloadLabels {
    pub outcome: Reload,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct BuildLabels {
    version: String,
}

/// Every metric `serve` keeps.
pub struct Metrics {
    registry: Registry,
    issued: Family<IssuedLabels, Counter>,
    /// Each of `issued`'s counters once first used, by endpoint and scope: found without
    /// hashing its labels and locking the family on every token.
    issued_by: [[OnceLock<Counter>; 2]; 3],
    pub refusals: Family<RefusalLabels, Counter>,
    pub verifications: Family<OutcomeLabels, Counter>,
    pub latency: Family<RouteLabels, Histogram>,
    pub upstream: Family<UpstreamLabels, Counter>,
    pub open_connections: Gauge<i64, AtomicI64>,
    reloads: Family<ReloadLabels, Counter>,
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("videosdk_token");
        let issued = Family::<IssuedLabels, Counter>::default();
        registry.register(
            "tokens_issued",
            "Tokens issued, by endpoint and scope",
            issued.clone(),
        );
        let refusals = Family::<RefusalLabels, Counter>::default();
        registry.register("refusals", "Requests refused, by reason", refusals.clone());
        let verifications = Family::<OutcomeLabels, Counter>::default();
        registry.register(
            "verifications",
            "Tokens checked by /verify, by outcome",
            verifications.clone(),
        );
        let latency = Family::<RouteLabels, Histogram>::new_with_constructor(|| {
            // 50 µs to about 3 s.
            Histogram::new(exponential_buckets(0.000_05, 3.0, 11))
        });
        registry.register(
            "request_duration_seconds",
            "Time to answer a request, by route",
            latency.clone(),
        );
        let upstream = Family::<UpstreamLabels, Counter>::default();
        registry.register(
            "upstream_calls",
            "Calls forwarded to the VideoSDK API, by its answer's status",
            upstream.clone(),
        );
        let open_connections = Gauge::<i64, AtomicI64>::default();
        registry.register(
            "open_connections",
            "Connections open now",
            open_connections.clone(),
        );
        let reloads = Family::<ReloadLabels, Counter>::default();
        registry.register(
            "reloads",
            "SIGHUP reloads of the credentials, by outcome",
            reloads.clone(),
        );
        let build = Family::<BuildLabels, Gauge<i64, AtomicI64>>::default();
        build
            .get_or_create(&BuildLabels {
                version: env!("CARGO_PKG_VERSION").to_owned(),
            })
            .set(1);
        registry.register("build_info", "The running version", build);
        Self {
            registry,
            issued,
            issued_by: Default::default(),
            refusals,
            verifications,
            latency,
            upstream,
            open_connections,
            reloads,
        }
    }

    /// Counts a token issued by `endpoint` with `scope`.
    pub fn issued(&self, endpoint: Endpoint, scope: Scope) {
        let counter = || {
            self.issued
                .get_or_create(&IssuedLabels { endpoint, scope })
                .clone()
        };
        // An endpoint or scope added without a slot is counted through the family, not lost.
        let slot = self
            .issued_by
            .get(endpoint as usize)
            .and_then(|row| row.get(scope as usize));
        match slot {
            Some(slot) => slot.get_or_init(counter).inc(),
            None => counter().inc(),
        };
    }

    pub fn reloaded(&self, ok: bool) {
        let outcome = if ok { Reload::Ok } else { Reload::Failed };
        self.reloads.get_or_create(&ReloadLabels { outcome }).inc();
    }

    pub fn refused(&self, reason: Reason) {
        self.refusals.get_or_create(&RefusalLabels { reason }).inc();
    }

    /// The text exposition of every metric.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}
