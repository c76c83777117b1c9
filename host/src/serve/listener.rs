//! The listener: accepts within the connection cap, serves HTTP/1.1 with a header timeout,
//! and on SIGTERM drains (`/healthz` answers 503) before it closes.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::Poll;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use axum::Router;
use hyper_util::rt::TokioIo;

use std::sync::atomic::Ordering;

use super::config::Config;
use super::hyper_errors::JsonErrors;
use super::middleware::{MAX_HEADERS, answer};
use super::state::Service;

/// How long in-flight requests may take to finish after a shutdown signal.
pub(super) const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);

/// hyper's own limit on header fields (its default, 100), above which it answers 431 itself
/// (rewritten into JSON by [`JsonErrors`]); `front` answers 431 above [`MAX_HEADERS`]. Not
/// set explicitly: a set limit makes hyper fill a vector of that many slots per request,
/// where its default uses an uninitialised array (2.6% of `serve`'s time in a profile).
const _: () = assert!(MAX_HEADERS < 100);

/// Longest pause after a failed accept (out of descriptors, say) before trying again.
pub(super) const ACCEPT_BACKOFF_MAX: Duration = Duration::from_millis(500);

/// A warning printed at most once a second, with how many were held back meanwhile.
pub(super) struct Throttled {
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

/// Serves `app` on the configured address until SIGTERM or Ctrl-C, then drains.
pub(super) async fn serve(app: Router, config: &Config, service: &'static Service) -> Result<()> {
    let (listen, header_timeout, max_connections, drain_time) = (
        config.listen,
        config.header_timeout,
        config.max_connections,
        config.drain_time,
    );
    let connections = service.metrics.open_connections.clone();
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
        service.draining.store(true, Ordering::Relaxed);
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
        let answers = hyper::service::service_fn(
            move |mut request: hyper::Request<hyper::body::Incoming>| {
                request.extensions_mut().insert(remote);
                let app = app.clone();
                async move {
                    let request = request.map(axum::body::Body::new);
                    Ok::<_, std::convert::Infallible>(answer(service, app, request).await)
                }
            },
        );
        // The HTTP layer's own limits sit above the ones `front` answers in JSON (414, 431),
        // so that only a request far past them gets hyper's bare status.
        let connection = hyper::server::conn::http1::Builder::new()
            .timer(HeadTimer::default())
            .header_read_timeout(header_timeout)
            .serve_connection(TokioIo::new(JsonErrors::new(stream)), answers);
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

/// hyper's timer for one connection, which it uses for the header-read timeout only. hyper
/// asks for a new sleep each time it waits for a request's head; with tokio's own sleeps
/// that arms and disarms a timer in the runtime's wheel for every request on a kept-alive
/// connection (about 0.3 µs of serve's 8.6 µs of CPU a request under load). Here the
/// connection's sleeps share one tokio sleep, moved on only when it goes off before the
/// deadline of the sleep that waits on it: once per `--header-timeout` at most, where a
/// connection is busy, and exactly on time where it is not.
#[derive(Clone, Default)]
struct HeadTimer(Arc<Shared>);

type Shared = std::sync::Mutex<Option<Pin<Box<tokio::time::Sleep>>>>;

/// One of hyper's sleeps on a connection.
struct HeadSleep {
    deadline: Instant,
    shared: Arc<Shared>,
}

impl hyper::rt::Timer for HeadTimer {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn hyper::rt::Sleep>> {
        self.sleep_until(Instant::now() + duration)
    }

    fn sleep_until(&self, deadline: Instant) -> Pin<Box<dyn hyper::rt::Sleep>> {
        Box::pin(HeadSleep {
            deadline,
            shared: Arc::clone(&self.0),
        })
    }

    fn reset(&self, sleep: &mut Pin<Box<dyn hyper::rt::Sleep>>, deadline: Instant) {
        if let Some(sleep) = sleep.as_mut().downcast_mut_pin::<HeadSleep>() {
            sleep.get_mut().deadline = deadline;
        }
    }
}

impl hyper::rt::Sleep for HeadSleep {}

impl Future for HeadSleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> Poll<()> {
        let target = tokio::time::Instant::from_std(self.deadline);
        let mut shared = self
            .shared
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let sleep = shared.get_or_insert_with(|| Box::pin(tokio::time::sleep_until(target)));
        loop {
            // Later than this deadline, or gone off before it: move it here.
            let at = sleep.deadline();
            if at > target || (at < target && sleep.is_elapsed()) {
                sleep.as_mut().reset(target);
            }
            match sleep.as_mut().poll(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(()) if sleep.deadline() >= target => return Poll::Ready(()),
                // It went off between the look and the poll, before this deadline.
                Poll::Ready(()) => {}
            }
        }
    }
}

/// Ctrl-C or SIGTERM.
pub(super) async fn shutdown_signal() {
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
