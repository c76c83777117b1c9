//! `videosdk-token serve`: the token endpoint a VideoSDK backend needs. Stateless: every
//! replica with the same secret answers the same way, so it scales by adding replicas.
//!
//! Its parts: `config` (the flags resolved once), `state` (what requests share, and the
//! refusal type), `routes` (the endpoint table, the router made from it and the handlers),
//! `middleware` (what runs around every request), `listener` (accepting, draining), and
//! `crate::meetings` (the upstream client).

use std::time::Duration;

use anyhow::{Context, Result};

use crate::cli::ServeArgs;

/// A line on standard error. A log pipe that was closed or fails never stops an answer (the
/// standard `eprintln!` panics then, and the request in flight was dropped).
macro_rules! log {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr().lock(), $($arg)*);
    }};
}

mod config;
mod hyper_errors;
mod listener;
mod middleware;
mod routes;
mod state;

pub use routes::help;

/// Runs the server until SIGTERM or Ctrl-C.
pub fn run(args: &ServeArgs) -> Result<()> {
    let config = config::Config::resolve(args)?;
    // One service for the life of the process, shared by reference: a request copies it
    // where it would otherwise count an `Arc` that every worker thread writes.
    let service: &'static state::Service = Box::leak(Box::new(state::Service::new(&config)?));
    let app = routes::router(service, &config);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the runtime")?;
    #[cfg(unix)]
    {
        let mut hangups = runtime
            .block_on(async {
                tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())
            })
            .context("cannot listen for SIGHUP")?;
        runtime.spawn(async move {
            while hangups.recv().await.is_some() {
                service.reload().await;
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
                    limiter.keyed.retain_recent();
                }
            }
        });
    }
    let served = runtime.block_on(listener::serve(app, &config, service));
    // A reload still stuck reading a file does not hold the exit: SIGTERM always wins.
    runtime.shutdown_timeout(Duration::from_millis(100));
    served
}
