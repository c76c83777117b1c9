//! The anchor `scripts/load-serve.sh` measures `serve` against: a bare axum handler that
//! answers `GET /get-token` with fixed bytes (the answer `serve` gave the same request), with
//! no query parsing, signing, policy, rate limit or middleware.
//!
//!   cargo run --release -p videosdk-token --example bare_axum -- PORT ANSWER_FILE

use axum::Router;
use axum::http::header;
use axum::routing::get;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let (Some(port), Some(file)) = (args.next(), args.next()) else {
        eprintln!("usage: bare_axum PORT ANSWER_FILE");
        std::process::exit(2);
    };
    let answer: &'static [u8] = std::fs::read(file)?.leak();
    let app = Router::new().route(
        "/get-token",
        get(move || async move { ([(header::CONTENT_TYPE, "application/json")], answer) }),
    );
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port.parse().unwrap_or(0))).await?;
    axum::serve(listener, app).await
}
