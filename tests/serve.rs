//! `videosdk-token serve`, started for real on a loopback port and spoken to over HTTP.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use videosdk_token_core::{Key, Permission, Role, Rules, verify};
use videosdk_token_harness::binary::videosdk_token;
use videosdk_token_harness::reference;

const SECRET: &str = "serve-test-secret-0123456789abcdef-0123456789";
const AUTH_A: &str = "auth-token-one-0123456789abcdef";
const AUTH_B: &str = "auth-token-two-0123456789abcdef";

/// A running server; stopped (SIGTERM) when dropped.
struct Server {
    child: Child,
    addr: SocketAddr,
    log: Arc<Mutex<Vec<String>>>,
    _dir: tempfile::TempDir,
}

impl Server {
    fn start(extra: &[&str]) -> Self {
        Self::launch(None, "127.0.0.1:0", extra)
    }

    /// Started with at most `files` open file descriptors (`ulimit -n`).
    fn start_with_file_limit(files: u32, extra: &[&str]) -> Self {
        Self::launch(Some(files), "127.0.0.1:0", extra)
    }

    fn launch(file_limit: Option<u32>, listen: &str, extra: &[&str]) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut command = match file_limit {
            None => Command::new(videosdk_token()),
            Some(files) => {
                let mut shell = Command::new("sh");
                shell
                    .arg("-c")
                    .arg(format!("ulimit -n {files} && exec \"$0\" \"$@\""))
                    .arg(videosdk_token());
                shell
            }
        };
        let mut child = command
            .args(["serve", "--listen", listen, "--api-key", "key"])
            .args(extra)
            .current_dir(dir.path())
            .env("VIDEOSDK_SECRET_KEY", SECRET)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("server starts");
        let mut stderr = BufReader::new(child.stderr.take().expect("stderr"));
        // Warnings (a file mode, say) may come before the address.
        let mut early = Vec::new();
        let addr = loop {
            let mut line = String::new();
            let read = stderr.read_line(&mut line).expect("a line");
            assert!(read > 0, "the server stopped before listening: {early:?}");
            if let Some(addr) = line.trim().strip_prefix("listening on http://") {
                break addr.parse().expect("address");
            }
            early.push(line.trim_end().to_owned());
        };
        let log = Arc::new(Mutex::new(early));
        let sink = Arc::clone(&log);
        std::thread::spawn(move || {
            for line in stderr.lines().map_while(Result::ok) {
                sink.lock().expect("log").push(line);
            }
        });
        Self {
            child,
            addr,
            log,
            _dir: dir,
        }
    }

    fn terminate(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill");
        assert!(status.success());
    }

    fn wait(&mut self, limit: Duration) -> Option<i32> {
        let start = Instant::now();
        while start.elapsed() < limit {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }

    fn log(&self) -> Vec<String> {
        self.log.lock().expect("log").clone()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One HTTP/1.1 exchange over a fresh connection: status and body.
fn http(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        request += &format!("{name}: {value}\r\n");
    }
    request += "\r\n";
    stream.write_all(request.as_bytes()).expect("write");
    let _ = stream.write_all(body);
    read_response(&mut stream)
}

fn read_response(stream: &mut TcpStream) -> (u16, String) {
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

fn json_body(body: &str) -> Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("not JSON ({e}): {body:?}"))
}

fn check_token(token: &str) -> videosdk_token_core::TokenClaims<'static> {
    let key = Key::new(SECRET.as_bytes()).expect("secret");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    let scratch: &'static mut [u8] = Box::leak(vec![0u8; token.len()].into_boxed_slice());
    let token: &'static str = Box::leak(token.to_owned().into_boxed_str());
    verify(token, &key, &Rules::at(now), scratch)
        .expect("a valid token")
        .claims()
        .clone()
}

#[test]
fn get_token_answers_like_the_videosdk_examples() {
    let server = Server::start(&[]);
    let (status, body) = http(server.addr, "GET", "/get-token", &[], b"");
    assert_eq!(status, 200, "{body}");
    let doc = json_body(&body);
    let claims = check_token(doc["token"].as_str().expect("token"));
    assert_eq!(claims.apikey(), "key");
    assert_eq!(claims.permissions(), &[Permission::AllowJoin]);
    assert_eq!(
        claims.exp().zip(claims.iat()).map(|(e, i)| e - i),
        Some(7200),
        "120m by default"
    );
    assert_eq!(doc["expiresAt"], claims.exp().expect("exp"));
    assert_eq!(
        http(server.addr, "GET", "/healthz", &[], b""),
        (200, "ok\n".to_owned())
    );
    let (status, body) = http(server.addr, "GET", "/nope", &[], b"");
    assert_eq!(status, 404);
    assert!(
        json_body(&body)["error"]
            .as_str()
            .expect("error")
            .contains("no such endpoint")
    );
}

#[test]
fn post_get_token_within_policy_and_refusals_naming_the_field() {
    let server = Server::start(&[
        "--allow-permission",
        "allow_join,ask_join,allow_mod",
        "--allow-role",
        "rtc",
        "--max-expires-in",
        "1h",
        "--expires-in",
        "30m",
        "--max-body",
        "2048",
    ]);
    let post = |body: &str| {
        http(
            server.addr,
            "POST",
            "/get-token",
            &[("Content-Type", "application/json")],
            body.as_bytes(),
        )
    };
    let (status, body) = post(
        r#"{"roomId":"abcd-efgh-ijkl","participantId":"alice","roles":["rtc"],"permissions":["ask_join","allow_mod"],"expiresIn":"30m"}"#,
    );
    assert_eq!(status, 200, "{body}");
    let claims = check_token(json_body(&body)["token"].as_str().expect("token"));
    assert_eq!(claims.room_id(), Some("abcd-efgh-ijkl"));
    assert_eq!(claims.participant_id(), Some("alice"));
    assert_eq!(claims.roles(), &[Role::Rtc]);
    assert_eq!(
        claims.permissions(),
        &[Permission::AskJoin, Permission::AllowMod]
    );
    assert_eq!(claims.version(), Some(2));
    assert_eq!(
        claims.exp().zip(claims.iat()).map(|(e, i)| e - i),
        Some(1800)
    );
    let (status, body) = post(r#"{"expiresIn":3600}"#);
    assert_eq!(status, 200, "{body}");

    let refusals = [
        (
            r#"{"roles":["crawler"]}"#,
            "roles",
            "role `crawler` is not allowed by this server",
        ),
        (r#"{"roles":["admin"]}"#, "roles", "unknown role `admin`"),
        (
            r#"{"roles":"rtc"}"#,
            "roles",
            "roles: invalid type: string \"rtc\", expected a list of names",
        ),
        (
            r#"{"permissions":["allow_everything"]}"#,
            "permissions",
            "unknown permission",
        ),
        (
            r#"{"permissions":[]}"#,
            "permissions",
            "permissions are empty",
        ),
        (
            r#"{"expiresIn":"2h"}"#,
            "expiresIn",
            "longer than this server's maximum of 1h",
        ),
        (
            r#"{"expiresIn":3601}"#,
            "expiresIn",
            "longer than this server's maximum of 1h",
        ),
        (r#"{"expiresIn":"soon"}"#, "expiresIn", "invalid duration"),
        (r#"{"expiresIn":1.5}"#, "expiresIn", "whole number"),
        (r#"{"roomId":""}"#, "roomId", "roomId is empty"),
        (
            r#"{"roomId":7}"#,
            "roomId",
            "roomId: invalid type: integer `7`, expected a string",
        ),
    ];
    for (body, field, message) in refusals {
        let (status, answer) = post(body);
        assert_eq!(status, 400, "{body}");
        let doc = json_body(&answer);
        assert_eq!(doc["field"], field, "{body}: {answer}");
        assert!(
            doc["error"].as_str().expect("error").contains(message),
            "{body}: {answer}"
        );
    }
    let long = format!(r#"{{"participantId":"{}"}}"#, "x".repeat(257));
    let (status, answer) = post(&long);
    assert_eq!(
        (status, json_body(&answer)["field"].clone()),
        (400, json!("participantId")),
        "{answer}"
    );
    for (body, message) in [
        ("not json", "the body is not JSON"),
        ("[1]", "must be a JSON object"),
        (r#"{"roomID":"x"}"#, "unknown field `roomID`"),
    ] {
        let (status, answer) = post(body);
        assert_eq!(status, 400, "{body}");
        assert!(
            json_body(&answer)["error"]
                .as_str()
                .expect("error")
                .contains(message),
            "{answer}"
        );
    }
    let huge = format!(r#"{{"roomId":"{}"}}"#, "x".repeat(4096));
    assert_eq!(post(&huge).0, 413);
}

#[test]
fn verify_endpoint_says_what_a_token_allows_or_why_not() {
    let server = Server::start(&[]);
    let (_, body) = http(
        server.addr,
        "POST",
        "/get-token",
        &[],
        br#"{"roomId":"r1","participantId":"alice","roles":["rtc"]}"#,
    );
    let token = json_body(&body)["token"]
        .as_str()
        .expect("token")
        .to_owned();
    let ask = |extra: Value| {
        let mut request = json!({ "token": token });
        request
            .as_object_mut()
            .expect("object")
            .extend(extra.as_object().expect("object").clone());
        let (status, body) = http(
            server.addr,
            "POST",
            "/verify",
            &[],
            request.to_string().as_bytes(),
        );
        assert_eq!(status, 200, "{body}");
        json_body(&body)
    };
    let answer = ask(json!({}));
    assert_eq!(
        (
            answer["valid"].clone(),
            answer["join"].clone(),
            answer["serverApi"].clone()
        ),
        (json!(true), json!("directly"), json!(false))
    );
    assert_eq!(
        ask(json!({"roomId": "r1", "participantId": "alice"}))["valid"],
        true
    );
    assert_eq!(
        ask(json!({"roomId": "r2"}))["reason"],
        "Token is invalid or expired: token is for another room"
    );
    assert_eq!(
        ask(json!({"for": "api"}))["reason"],
        "Token is invalid or expired: token is for meetings only (role rtc)"
    );
    let tampered = token.replacen("eyJhcGlrZXki", "eyJhcGlrZXkj", 1);
    let (_, body) = http(
        server.addr,
        "POST",
        "/verify",
        &[],
        json!({ "token": tampered }).to_string().as_bytes(),
    );
    assert_eq!(
        json_body(&body)["reason"],
        "Token is invalid or expired: signature does not match"
    );
    let (status, body) = http(server.addr, "POST", "/verify", &[], br#"{"token": 5}"#);
    assert_eq!(
        (status, json_body(&body)["field"].clone()),
        (400, json!("token"))
    );
}

#[test]
fn bearer_credentials_are_required_and_rotate() {
    let dir = tempfile::tempdir().expect("dir");
    let a = dir.path().join("a");
    let b = dir.path().join("b");
    std::fs::write(&a, format!("{AUTH_A}\n")).expect("write");
    std::fs::write(&b, AUTH_B).expect("write");
    let server = Server::start(&[
        "--auth-token-file",
        a.to_str().expect("path"),
        "--auth-token-file",
        b.to_str().expect("path"),
    ]);
    for (headers, expected) in [
        (vec![], 401),
        (
            vec![("Authorization", "Bearer wrong-token-0123456789abcdef")],
            401,
        ),
        (vec![("Authorization", AUTH_A)], 401),
        (vec![("Authorization", "Bearer ")], 401),
        (vec![("Authorization", &*format!("Bearer {AUTH_A}"))], 200),
        (vec![("Authorization", &*format!("Bearer {AUTH_B}"))], 200),
    ] {
        let (status, body) = http(server.addr, "GET", "/get-token", &headers, b"");
        assert_eq!(status, expected, "{headers:?}: {body}");
        let (status, _) = http(
            server.addr,
            "POST",
            "/verify",
            &headers,
            br#"{"token":"x.y.z"}"#,
        );
        assert_eq!(status, expected, "{headers:?}");
    }
    assert_eq!(
        http(server.addr, "GET", "/healthz", &[], b"").0,
        200,
        "health needs no credential"
    );
    let short = dir.path().join("short");
    std::fs::write(&short, "short").expect("write");
    let out = Command::new(videosdk_token())
        .args([
            "serve",
            "--api-key",
            "k",
            "--auth-token-file",
            short.to_str().expect("path"),
        ])
        .env("VIDEOSDK_SECRET_KEY", SECRET)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("at least 16 bytes"));
}

#[test]
fn cors_is_off_by_default_and_an_allow_list_when_asked() {
    let origin = [("Origin", "https://app.example")];
    let server = Server::start(&[]);
    let mut stream = TcpStream::connect(server.addr).expect("connect");
    write!(stream, "GET /get-token HTTP/1.1\r\nHost: localhost\r\nOrigin: https://app.example\r\nConnection: close\r\n\r\n").expect("write");
    let mut raw = String::new();
    stream.read_to_string(&mut raw).expect("read");
    assert!(
        !raw.to_ascii_lowercase()
            .contains("access-control-allow-origin"),
        "{raw}"
    );
    drop(server);

    let server = Server::start(&["--cors-origin", "https://app.example"]);
    for (origin, allowed) in [(origin[0].1, true), ("https://evil.example", false)] {
        let mut stream = TcpStream::connect(server.addr).expect("connect");
        write!(stream, "OPTIONS /get-token HTTP/1.1\r\nHost: localhost\r\nOrigin: {origin}\r\nAccess-Control-Request-Method: POST\r\nConnection: close\r\n\r\n").expect("write");
        let mut raw = String::new();
        stream.read_to_string(&mut raw).expect("read");
        let header = format!("access-control-allow-origin: {origin}");
        assert_eq!(
            raw.to_ascii_lowercase().contains(&header),
            allowed,
            "{origin}: {raw}"
        );
    }
}

#[test]
fn slow_headers_time_out_and_the_access_log_holds_no_token() {
    let server = Server::start(&["--header-timeout", "1s"]);
    let mut stream = TcpStream::connect(server.addr).expect("connect");
    stream
        .write_all(b"GET /get-token HTTP/1.1\r\nHost: localhost\r\n")
        .expect("write");
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .expect("timeout");
    let start = Instant::now();
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    assert!(
        start.elapsed() < Duration::from_secs(4),
        "the connection was not closed"
    );

    let (_, body) = http(
        server.addr,
        "GET",
        "/get-token?roomId=should-not-be-logged",
        &[("Authorization", "Bearer also-secret")],
        b"",
    );
    let token = json_body(&body)["token"]
        .as_str()
        .expect("token")
        .to_owned();
    http(
        server.addr,
        "POST",
        "/verify",
        &[],
        json!({ "token": token }).to_string().as_bytes(),
    );
    std::thread::sleep(Duration::from_millis(200));
    let log = server.log().join("\n");
    assert!(log.contains("GET /get-token 200"), "{log}");
    assert!(log.contains("POST /verify 200"), "{log}");
    for secret in [
        token.as_str(),
        SECRET,
        "should-not-be-logged",
        "also-secret",
    ] {
        assert!(!log.contains(secret), "the access log holds {secret:?}");
    }
}

/// The header timeout on a kept-alive connection counts from the end of the last answer: a
/// connection that keeps asking within it is served past its first timeout, and one that
/// stops is closed on time (serve's timer shares one tokio sleep per connection).
#[test]
fn the_header_timeout_restarts_after_each_answer_on_a_kept_alive_connection() {
    let server = Server::start(&["--header-timeout", "1s", "--quiet"]);
    let stream = TcpStream::connect(server.addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .expect("timeout");
    let mut reader = BufReader::new(stream.try_clone().expect("clone"));
    let mut ask = |n: usize| -> Instant {
        let request = format!("GET /get-token?roomId=room-{n} HTTP/1.1\r\nHost: localhost\r\n\r\n");
        (&stream).write_all(request.as_bytes()).expect("write");
        let mut length = None;
        let mut status = String::new();
        reader.read_line(&mut status).expect("status line");
        assert!(
            status.starts_with("HTTP/1.1 200"),
            "request {n}: {status:?}"
        );
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).expect("header");
            if line == "\r\n" {
                break;
            }
            if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                length = value.trim().parse::<usize>().ok();
            }
        }
        let mut body = vec![0; length.expect("a declared length")];
        reader.read_exact(&mut body).expect("body");
        assert!(json_body(&String::from_utf8_lossy(&body))["token"].is_string());
        Instant::now()
    };
    // Five requests 0.6 s apart: 2.4 s on one connection with a 1 s header timeout.
    let mut answered = ask(0);
    for n in 1..5 {
        std::thread::sleep(Duration::from_millis(600));
        answered = ask(n);
    }
    // Then silence: closed about 1 s after the last answer.
    let mut rest = Vec::new();
    let read = reader.read_to_end(&mut rest);
    let waited = answered.elapsed();
    assert!(read.is_ok() && rest.is_empty(), "{read:?} {rest:?}");
    assert!(
        waited >= Duration::from_millis(900) && waited < Duration::from_secs(3),
        "closed {waited:?} after the last answer"
    );
}

#[test]
fn a_request_that_stalls_times_out() {
    let server = Server::start(&["--request-timeout", "1s"]);
    let mut stream = TcpStream::connect(server.addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .expect("timeout");
    // Headers promise a body that never comes.
    stream.write_all(b"POST /get-token HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: 100\r\n\r\n{").expect("write");
    let start = Instant::now();
    let (status, _) = read_response(&mut stream);
    assert_eq!(status, 408);
    assert!(start.elapsed() < Duration::from_secs(4));
}

#[test]
fn concurrent_clients_each_get_the_token_they_asked_for() {
    let server = Server::start(&["--quiet"]);
    let addr = server.addr;
    let workers: Vec<_> = (0..16)
        .map(|w| {
            std::thread::spawn(move || {
                for i in 0..40 {
                    let room = format!("room-{w}-{i}");
                    let body = json!({ "roomId": room, "participantId": format!("p{w}"), "expiresIn": 60 + i });
                    let (status, answer) = http(addr, "POST", "/get-token", &[], body.to_string().as_bytes());
                    assert_eq!(status, 200, "{answer}");
                    let claims = check_token(json_body(&answer)["token"].as_str().expect("token"));
                    assert_eq!(claims.room_id(), Some(room.as_str()));
                    assert_eq!(claims.participant_id(), Some(format!("p{w}").as_str()));
                    assert_eq!(claims.exp().zip(claims.iat()).map(|(e, s)| e - s), Some(60 + i));
                }
            })
        })
        .collect();
    for worker in workers {
        worker.join().expect("worker");
    }
}

#[test]
fn graceful_shutdown_finishes_requests_in_flight() {
    let mut server = Server::start(&[]);
    // A request whose body has not all arrived when the signal comes.
    let body = br#"{"roomId":"in-flight"}"#;
    let mut stream = TcpStream::connect(server.addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    write!(
        stream,
        "POST /get-token HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .expect("write");
    stream.write_all(&body[..5]).expect("write");
    std::thread::sleep(Duration::from_millis(200));
    server.terminate();
    std::thread::sleep(Duration::from_millis(300));
    // No new connections once shutting down.
    assert!(
        TcpStream::connect(server.addr).is_err()
            || http(server.addr, "GET", "/healthz", &[], b"").0 == 0
    );
    stream.write_all(&body[5..]).expect("finish the body");
    let (status, answer) = read_response(&mut stream);
    assert_eq!(status, 200, "{answer}");
    assert_eq!(
        check_token(json_body(&answer)["token"].as_str().expect("token")).room_id(),
        Some("in-flight")
    );
    assert_eq!(
        server.wait(Duration::from_secs(10)),
        Some(0),
        "the server did not exit cleanly"
    );
    assert!(server.log().iter().any(|l| l.contains("shutting down")));
}

/// The whole response to raw request bytes, read until the server closes.
fn exchange(addr: SocketAddr, request: &[u8]) -> String {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    stream.write_all(request).expect("write");
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    String::from_utf8_lossy(&raw).into_owned()
}

fn status_of(response: &str) -> u16 {
    response
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

fn body_of(response: &str) -> Value {
    json_body(response.split_once("\r\n\r\n").map_or("", |(_, b)| b))
}

/// A misspelled restriction is refused, never ignored into `valid: true`.
#[test]
fn verify_endpoint_refuses_unknown_fields() {
    let server = Server::start(&[]);
    let (_, answer) = http(server.addr, "GET", "/get-token", &[], b"");
    let token = json_body(&answer)["token"]
        .as_str()
        .expect("token")
        .to_owned();
    let (status, answer) = http(
        server.addr,
        "POST",
        "/verify",
        &[],
        json!({ "token": token, "roomID": "other" })
            .to_string()
            .as_bytes(),
    );
    assert_eq!(status, 400, "{answer}");
    let answer = json_body(&answer);
    assert_eq!(answer["field"], "roomID");
    assert!(
        answer["error"]
            .as_str()
            .expect("error")
            .contains("unknown field")
    );
}

/// On loopback only loopback Host names are answered (DNS rebinding); `--allowed-host` adds
/// names; `/healthz` answers any.
#[test]
fn host_header_is_checked_on_loopback() {
    let request = |host: &str, path: &str| {
        format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n")
    };
    let server = Server::start(&[]);
    let port = server.addr.port();
    for (host, expected) in [
        (format!("127.0.0.1:{port}"), 200),
        (format!("localhost:{port}"), 200),
        ("LOCALHOST".to_owned(), 200),
        ("app.localhost".to_owned(), 200),
        ("127.1.2.3".to_owned(), 200),
        ("[::1]:9000".to_owned(), 200),
        ("evil.example".to_owned(), 403),
        (format!("evil.example:{port}"), 403),
        ("localhost.evil.example".to_owned(), 403),
        ("127.0.0.1.nip.io".to_owned(), 403),
    ] {
        let response = exchange(server.addr, request(&host, "/get-token").as_bytes());
        assert_eq!(status_of(&response), expected, "{host}: {response}");
        if expected == 403 {
            assert!(
                body_of(&response)["error"]
                    .as_str()
                    .expect("error")
                    .contains("Host")
            );
        }
    }
    let response = exchange(server.addr, b"GET /get-token HTTP/1.0\r\n\r\n");
    assert_eq!(status_of(&response), 403, "no Host: {response}");
    let response = exchange(server.addr, request("evil.example", "/healthz").as_bytes());
    assert_eq!(status_of(&response), 200, "{response}");
    drop(server);

    let server = Server::start(&["--allowed-host", "tokens.example.com"]);
    for (host, expected) in [
        ("tokens.example.com", 200),
        ("Tokens.Example.Com.:443", 200),
        ("localhost", 200),
        ("evil.example", 403),
    ] {
        let response = exchange(server.addr, request(host, "/get-token").as_bytes());
        assert_eq!(status_of(&response), expected, "{host}: {response}");
    }
}

/// `--cors-origin '*'` allows any origin (it used to crash the server), with a warning when
/// nothing else guards the tokens.
#[test]
fn cors_star_means_any_origin() {
    let server = Server::start(&["--cors-origin", "*"]);
    let response = exchange(
        server.addr,
        b"OPTIONS /get-token HTTP/1.1\r\nHost: localhost\r\nOrigin: https://anything.example\r\nAccess-Control-Request-Method: POST\r\nConnection: close\r\n\r\n",
    );
    assert!(
        response
            .to_ascii_lowercase()
            .contains("access-control-allow-origin: *"),
        "{response}"
    );
    let (status, _) = http(
        server.addr,
        "GET",
        "/get-token",
        &[("Origin", "https://a.example")],
        b"",
    );
    assert_eq!(status, 200);
    assert!(
        server
            .log()
            .iter()
            .any(|l| l.contains("warning: CORS for any origin without --auth-token-file")),
        "{:?}",
        server.log()
    );
}

/// The bearer token is checked before the body is read, and a declared length over
/// `--max-body` is refused at once; neither waits for a body that never comes.
#[test]
fn auth_and_declared_length_are_checked_before_the_body() {
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("auth");
    std::fs::write(&file, AUTH_A).expect("write");
    let server = Server::start(&[
        "--auth-token-file",
        file.to_str().expect("path"),
        "--request-timeout",
        "20s",
    ]);
    for (auth, expected) in [
        (String::new(), 401),
        (format!("Authorization: Bearer {AUTH_A}\r\n"), 413),
    ] {
        let start = Instant::now();
        let response = exchange(
            server.addr,
            format!("POST /get-token HTTP/1.1\r\nHost: localhost\r\n{auth}Content-Length: 20000\r\n\r\n{{}}").as_bytes(),
        );
        assert_eq!(status_of(&response), expected, "{response}");
        assert!(
            start.elapsed() < Duration::from_secs(3),
            "waited {:?}",
            start.elapsed()
        );
        assert!(body_of(&response)["error"].is_string(), "{response}");
    }
}

/// 405, 408 and 413 answer in the same JSON shape as every other error.
#[test]
fn every_error_is_json() {
    let server = Server::start(&["--request-timeout", "1s", "--max-body", "64"]);
    let response = exchange(
        server.addr,
        b"DELETE /get-token HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(status_of(&response), 405, "{response}");
    assert!(
        response.to_ascii_lowercase().contains("allow: "),
        "{response}"
    );
    assert!(
        body_of(&response)["error"]
            .as_str()
            .expect("error")
            .contains("method")
    );

    // 413 from a chunked body with no declared length.
    let chunk = "x".repeat(100);
    let response = exchange(
        server.addr,
        format!("POST /get-token HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n{:x}\r\n{chunk}\r\n0\r\n\r\n", chunk.len()).as_bytes(),
    );
    assert_eq!(status_of(&response), 413, "{response}");
    assert!(
        body_of(&response)["error"]
            .as_str()
            .expect("error")
            .contains("64 bytes")
    );

    let response = exchange(
        server.addr,
        b"POST /get-token HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: 10\r\n\r\n{",
    );
    assert_eq!(status_of(&response), 408, "{response}");
    assert!(
        body_of(&response)["error"]
            .as_str()
            .expect("error")
            .contains("longer than 1s")
    );
}

/// The scheme name is case-insensitive (RFC 7235); auth-token files hold one token per
/// non-empty line and are read by the secret-file rule.
#[test]
fn bearer_scheme_and_auth_token_files() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("auth");
    std::fs::write(&file, format!("\u{FEFF}{AUTH_A}\r\n\r\n{AUTH_B}\n")).expect("write");
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    let server = Server::start(&["--auth-token-file", file.to_str().expect("path")]);
    for (value, expected) in [
        (format!("Bearer {AUTH_A}"), 200),
        (format!("bearer {AUTH_B}"), 200),
        (format!("BEARER   {AUTH_A}"), 200),
        (format!("Bearer{AUTH_A}"), 401),
        (format!("Basic {AUTH_A}"), 401),
    ] {
        let (status, body) = http(
            server.addr,
            "GET",
            "/get-token",
            &[("Authorization", &value)],
            b"",
        );
        assert_eq!(status, expected, "{value}: {body}");
    }
    assert!(
        server
            .log()
            .iter()
            .all(|l| !l.contains("readable by other users"))
    );
    drop(server);

    // Refused at start, naming the file and line; a shared file is warned about.
    let shared = dir.path().join("shared");
    std::fs::write(&shared, format!("{AUTH_A}\n")).expect("write");
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let server = Server::start(&["--auth-token-file", shared.to_str().expect("path")]);
    assert!(
        server
            .log()
            .iter()
            .any(|l| l.contains("warning:") && l.contains("readable by other users")),
        "{:?}",
        server.log()
    );
    drop(server);
    for (text, words) in [
        (String::new(), "holds no token"),
        ("\n\r\n".to_owned(), "holds no token"),
        (
            format!("{AUTH_A}\nshort\n"),
            "line 2: a token must be at least 16 bytes",
        ),
        (format!("{AUTH_A} \n"), "line 1 ends with white space"),
    ] {
        let bad = dir.path().join("bad");
        std::fs::write(&bad, &text).expect("write");
        let output = Command::new(videosdk_token())
            .args([
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--api-key",
                "key",
                "--auth-token-file",
            ])
            .arg(&bad)
            .env("VIDEOSDK_SECRET_KEY", SECRET)
            .output()
            .expect("run");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{text:?}: {stderr}");
        assert!(
            stderr.contains(words) && stderr.contains("bad"),
            "{text:?}: {stderr}"
        );
        assert!(!stderr.contains(AUTH_A), "{stderr}");
    }
}

/// Ids that could forge log or terminal lines are refused by default, naming the field.
#[test]
fn control_characters_in_ids_are_refused() {
    let server = Server::start(&[]);
    for (body, field) in [
        (json!({ "roomId": "room\u{1b}[8m" }), "roomId"),
        (
            json!({ "participantId": "alice\r\nallow_mod" }),
            "participantId",
        ),
        (
            json!({ "participantId": "eve\u{202E}dom_wolla" }),
            "participantId",
        ),
        (json!({ "roomId": "r\u{85}" }), "roomId"),
    ] {
        let (status, answer) = http(
            server.addr,
            "POST",
            "/get-token",
            &[],
            body.to_string().as_bytes(),
        );
        assert_eq!(status, 400, "{body}: {answer}");
        assert_eq!(json_body(&answer)["field"], field);
    }
    drop(server);
    let server = Server::start(&["--allow-control-characters"]);
    let body = json!({ "participantId": "eve\u{202E}x" });
    let (status, answer) = http(
        server.addr,
        "POST",
        "/get-token",
        &[],
        body.to_string().as_bytes(),
    );
    assert_eq!(status, 200, "{answer}");
    let claims = check_token(json_body(&answer)["token"].as_str().expect("token"));
    assert_eq!(claims.participant_id(), Some("eve\u{202E}x"));
}

/// CPU seconds a process has used, from /proc (user + system, in clock ticks of 10 ms).
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("stat");
    let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks: u64 =
        fields[11].parse::<u64>().expect("utime") + fields[12].parse::<u64>().expect("stime");
    ticks as f64 / 100.0
}

/// Opens `n` idle connections (as many as the client's own limit allows).
fn idle_connections(addr: SocketAddr, n: usize) -> Vec<TcpStream> {
    (0..n)
        .filter_map(|_| TcpStream::connect(addr).ok())
        .collect()
}

/// Out of descriptors, the accept loop backs off instead of spinning, and says so at most
/// once a second; once connections close, `/healthz` answers again.
#[test]
fn accept_errors_back_off_and_log_once_a_second() {
    let mut server = Server::start_with_file_limit(
        40,
        &[
            "--quiet",
            "--max-connections",
            "1000",
            "--header-timeout",
            "60s",
        ],
    );
    let pid = server.child.id();
    let before = cpu_seconds(pid);
    let idle = idle_connections(server.addr, 80);
    assert_eq!(idle.len(), 80);
    std::thread::sleep(Duration::from_secs(3));
    let used = cpu_seconds(pid) - before;
    let log = server.log();
    let warnings = log
        .iter()
        .filter(|l| l.contains("cannot accept a connection"))
        .count();
    assert!(warnings >= 1, "no warning about accept errors: {log:?}");
    assert!(warnings <= 5, "{warnings} warnings in 3 s");
    assert!(used < 0.5, "{used} CPU seconds in 3 s");
    drop(idle);
    let start = Instant::now();
    let healthy = loop {
        let mut stream = match TcpStream::connect(server.addr) {
            Ok(stream) => stream,
            Err(_) => break false,
        };
        let _ = stream.set_read_timeout(Some(Duration::from_secs(3)));
        let _ = stream
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        if read_response(&mut stream).0 == 200 {
            break true;
        }
        if start.elapsed() > Duration::from_secs(10) {
            break false;
        }
    };
    assert!(
        healthy,
        "/healthz did not answer after the connections closed"
    );
    assert_eq!(server.wait(Duration::ZERO), None, "the server stopped");
}

/// The default connection cap sits below the descriptor limit: idle connections past it
/// wait in the backlog without a single accept error.
#[test]
fn the_default_connection_cap_stays_below_the_descriptor_limit() {
    let server = Server::start_with_file_limit(40, &["--header-timeout", "60s"]);
    let pid = server.child.id();
    let before = cpu_seconds(pid);
    let idle = idle_connections(server.addr, 80);
    std::thread::sleep(Duration::from_secs(2));
    let used = cpu_seconds(pid) - before;
    let log = server.log();
    assert!(log.iter().all(|l| !l.contains("cannot accept")), "{log:?}");
    assert!(
        log.iter()
            .any(|l| l.contains("connections open (--max-connections)")),
        "{log:?}"
    );
    assert!(used < 0.5, "{used} CPU seconds in 2 s");
    drop(idle);
    let start = Instant::now();
    loop {
        let (status, _) = http(server.addr, "GET", "/healthz", &[], b"");
        if status == 200 {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "/healthz never answered"
        );
    }
}

/// `GET /get-token` reads `roomId` and `peerId` (or `participantId`) from the query, as
/// VideoSDK's Python, Go, PHP, Java, Ruby and .NET frontends send them, or from a JSON or form
/// body, as its Node and Rust examples read them; either way the token is scoped as the
/// examples scope it (`version: 2`, `roles: ["rtc"]`), and nothing is ignored.
#[test]
fn get_token_reads_the_query_and_body_and_scopes_the_token() {
    let server = Server::start(&[]);
    let scoped = |claims: &videosdk_token_core::TokenClaims<'static>, room, participant| {
        assert_eq!(claims.version(), Some(2));
        assert_eq!(claims.roles(), [Role::Rtc]);
        assert_eq!(claims.room_id(), room);
        assert_eq!(claims.participant_id(), participant);
    };
    let token_of = |(status, body): (u16, String)| {
        assert_eq!(status, 200, "{body}");
        check_token(json_body(&body)["token"].as_str().expect("token"))
    };
    let get = |path: &str, headers: &[(&str, &str)], body: &[u8]| {
        http(server.addr, "GET", path, headers, body)
    };
    scoped(
        &token_of(get(
            "/get-token?roomId=abcd-efgh-ijkl&peerId=alice",
            &[],
            b"",
        )),
        Some("abcd-efgh-ijkl"),
        Some("alice"),
    );
    scoped(
        &token_of(get("/get-token?participantId=bob", &[], b"")),
        None,
        Some("bob"),
    );
    scoped(
        &token_of(get("/get-token?roomId=r%20one", &[], b"")),
        Some("r one"),
        None,
    );
    scoped(
        &token_of(get(
            "/get-token",
            &[("Content-Type", "application/json")],
            br#"{"roomId":"abcd-efgh-ijkl","peerId":"alice"}"#,
        )),
        Some("abcd-efgh-ijkl"),
        Some("alice"),
    );
    scoped(
        &token_of(get(
            "/get-token",
            &[("Content-Type", "application/x-www-form-urlencoded")],
            b"roomId=abcd-efgh-ijkl&peerId=alice",
        )),
        Some("abcd-efgh-ijkl"),
        Some("alice"),
    );
    // `curl -d '{…}'` labels its JSON as a form; it is still read as JSON.
    scoped(
        &token_of(http(
            server.addr,
            "POST",
            "/get-token",
            &[("Content-Type", "application/x-www-form-urlencoded")],
            br#"{"roomId":"abcd-efgh-ijkl"}"#,
        )),
        Some("abcd-efgh-ijkl"),
        None,
    );
    // Asking for roles, permissions and a lifetime in the query, within the policy.
    let claims = token_of(get(
        "/get-token?roomId=r&roles=rtc,crawler&permissions=ask_join&expiresIn=600",
        &[],
        b"",
    ));
    assert_eq!(claims.roles(), [Role::Rtc, Role::Crawler]);
    assert_eq!(claims.permissions(), [Permission::AskJoin]);
    assert_eq!(
        claims.exp().zip(claims.iat()).map(|(e, i)| e - i),
        Some(600)
    );
    // Nothing asked: the unscoped default, as before.
    let claims = token_of(get("/get-token", &[], b""));
    assert_eq!((claims.version(), claims.roles()), (None, &[][..]));

    for (path, body, field, words) in [
        ("/get-token?roomID=x", &b""[..], "roomID", "unknown field"),
        ("/get-token?roomId=", b"", "roomId", "roomId is empty"),
        (
            "/get-token?roomId=a&roomId=b",
            b"",
            "roomId",
            "duplicate field",
        ),
        (
            "/get-token?peerId=a&participantId=b",
            b"",
            "participantId",
            "duplicate field `participantId`",
        ),
        (
            "/get-token?roles=admin",
            b"",
            "roles",
            "unknown role `admin`",
        ),
        (
            "/get-token?expiresIn=48h",
            b"",
            "expiresIn",
            "maximum of 24h",
        ),
        ("/get-token?iat=1", b"", "iat", "set by this server"),
        (
            "/get-token?roomId=r%1b%5b8m",
            b"",
            "roomId",
            "control character",
        ),
        (
            "/get-token",
            br#"{"roomId":"r","extra":1}"#,
            "extra",
            "unknown field",
        ),
    ] {
        let (status, answer) = get(path, &[], body);
        assert_eq!(status, 400, "{path}: {answer}");
        let doc = json_body(&answer);
        assert_eq!(doc["field"], field, "{path}: {answer}");
        assert!(
            doc["error"].as_str().expect("error").contains(words),
            "{path}: {answer}"
        );
    }
    let (status, answer) = get("/get-token?roomId=r", &[], br#"{"roomId":"s"}"#);
    assert_eq!(status, 400, "{answer}");
    assert!(answer.contains("not both"), "{answer}");
}

/// `--scoped-roles` and `--no-scoped-roles` change what a scoped token gets; a caller who
/// names roles gets those.
#[test]
fn scoped_roles_are_configurable() {
    for (flags, expected) in [
        (&["--scoped-roles", "crawler"][..], &[Role::Crawler][..]),
        (&["--no-scoped-roles"], &[]),
        (
            &["--scoped-roles", "rtc,crawler"],
            &[Role::Rtc, Role::Crawler],
        ),
    ] {
        let server = Server::start(flags);
        let (status, body) = http(server.addr, "POST", "/get-token", &[], br#"{"roomId":"r"}"#);
        assert_eq!(status, 200, "{flags:?}: {body}");
        let claims = check_token(json_body(&body)["token"].as_str().expect("token"));
        assert_eq!(claims.roles(), expected, "{flags:?}");
        assert_eq!(claims.version(), Some(2));
    }
}

/// `--cors` is the one-flag form of the Node example's `cors()`; an allow-list answers with
/// `Vary: Origin`, so that caches keep one answer per origin.
#[test]
fn cors_flag_and_vary() {
    let preflight = |addr: SocketAddr, origin: &str| {
        exchange(
            addr,
            format!(
                "OPTIONS /get-token HTTP/1.1\r\nHost: localhost\r\nOrigin: {origin}\r\nAccess-Control-Request-Method: GET\r\nConnection: close\r\n\r\n"
            )
            .as_bytes(),
        )
        .to_ascii_lowercase()
    };
    let server = Server::start(&["--cors"]);
    let answer = preflight(server.addr, "https://any.example");
    assert!(
        answer.contains("access-control-allow-origin: *"),
        "{answer}"
    );
    assert!(answer.contains("access-control-allow-methods"), "{answer}");
    drop(server);
    let server = Server::start(&["--cors-origin", "https://app.example"]);
    let answer = preflight(server.addr, "https://app.example");
    assert!(
        answer.contains("access-control-allow-origin: https://app.example"),
        "{answer}"
    );
    assert!(
        answer.contains("vary: ") && answer.contains("origin"),
        "{answer}"
    );
    let get = exchange(
        server.addr,
        b"GET /get-token HTTP/1.1\r\nHost: localhost\r\nOrigin: https://app.example\r\nConnection: close\r\n\r\n",
    )
    .to_ascii_lowercase();
    assert!(get.contains("vary: ") && get.contains("origin"), "{get}");
}

/// The first line a server prints, run with `args` and `env` (the caller stops it).
fn first_line(args: &[&str], env: &[(&str, &str)]) -> (Child, String) {
    let dir = tempfile::tempdir().expect("dir");
    let mut child = Command::new(videosdk_token())
        .args(["serve", "--api-key", "key", "--quiet"])
        .args(args)
        .envs(env.iter().copied())
        .env("VIDEOSDK_SECRET_KEY", SECRET)
        .current_dir(dir.path())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts");
    let mut line = String::new();
    BufReader::new(child.stderr.take().expect("stderr"))
        .read_line(&mut line)
        .expect("a line");
    (child, line.trim().to_owned())
}

/// `--listen` takes what container setups write, `PORT` sets the port, and the default stays
/// loopback.
#[test]
fn listen_addresses_and_port() {
    let free = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let port = free.to_string();
    let (mut child, line) = first_line(&[], &[("PORT", &port)]);
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(line, format!("listening on http://127.0.0.1:{free}"));

    let (mut child, line) = first_line(&["--listen", ":0"], &[]);
    let addr: SocketAddr = line
        .strip_prefix("listening on http://")
        .expect("address")
        .parse()
        .expect("parses");
    assert!(addr.ip().is_unspecified(), "{line}");
    // Beyond loopback, any Host is answered unless --allowed-host says otherwise.
    let local = SocketAddr::from(([127, 0, 0, 1], addr.port()));
    let answer = exchange(
        local,
        b"GET /get-token HTTP/1.1\r\nHost: tokens.example.com\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(status_of(&answer), 200, "{answer}");
    let _ = child.kill();
    let _ = child.wait();

    let (mut child, line) = first_line(&["--listen", "localhost:0"], &[]);
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        line.starts_with("listening on http://127.0.0.1:")
            || line.starts_with("listening on http://[::1]:"),
        "{line}"
    );

    let (mut child, line) = first_line(&[], &[("PORT", "eighty")]);
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        line.contains("PORT \"eighty\" is not a port number"),
        "{line}"
    );
}

/// What a stand-in VideoSDK API saw of one request.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: String,
}

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// How the stand-in answers.
#[derive(Debug, Clone, Copy)]
enum Behaviour {
    /// 200 with `{"roomId": …}` (or the status given).
    Json(u16),
    /// Waits longer than any test's timeout before answering.
    Slow,
    /// 200 with a body that is not JSON.
    Garbage,
    /// Closes the connection without a word.
    Hangup,
    /// 200 with a JSON string of this many MiB, chunked (no declared length).
    Huge(usize),
}

/// A stand-in for VideoSDK's API on 127.0.0.1 that records every request.
struct StandIn {
    addr: SocketAddr,
    seen: Arc<Mutex<Vec<Seen>>>,
    behaviour: Arc<Mutex<Behaviour>>,
}

impl StandIn {
    fn start() -> Self {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr");
        let seen = Arc::new(Mutex::new(Vec::new()));
        let behaviour = Arc::new(Mutex::new(Behaviour::Json(200)));
        let (record, mode) = (Arc::clone(&seen), Arc::clone(&behaviour));
        std::thread::spawn(move || {
            for stream in listener.incoming().take(64) {
                let Ok(stream) = stream else { continue };
                let (record, mode) = (Arc::clone(&record), Arc::clone(&mode));
                std::thread::spawn(move || serve_one(stream, &record, *mode.lock().expect("mode")));
            }
        });
        Self {
            addr,
            seen,
            behaviour,
        }
    }

    fn set(&self, behaviour: Behaviour) {
        *self.behaviour.lock().expect("mode") = behaviour;
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().expect("seen").clone()
    }

    fn endpoint(&self) -> String {
        format!("http://{}/v2", self.addr)
    }
}

fn serve_one(stream: TcpStream, record: &Mutex<Vec<Seen>>, behaviour: Behaviour) {
    let mut reader = BufReader::new(stream.try_clone().expect("clone"));
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    let mut parts = line.split_whitespace();
    let (method, path) = (
        parts.next().unwrap_or_default().to_owned(),
        parts.next().unwrap_or_default().to_owned(),
    );
    let mut headers = Vec::new();
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).is_err() || header.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = header.trim_end().split_once(':') {
            headers.push((name.trim().to_owned(), value.trim().to_owned()));
        }
    }
    let length: usize = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0u8; length];
    let _ = reader.read_exact(&mut body);
    record.lock().expect("seen").push(Seen {
        method,
        path,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    });
    let mut stream = stream;
    let reply = |stream: &mut TcpStream, status: u16, body: &str, kind: &str| {
        let _ = write!(
            stream,
            "HTTP/1.1 {status} X\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
    };
    match behaviour {
        Behaviour::Json(status) => reply(
            &mut stream,
            status,
            r#"{"roomId":"abcd-efgh-ijkl","disabled":false}"#,
            "application/json",
        ),
        Behaviour::Slow => {
            std::thread::sleep(Duration::from_secs(5));
            reply(&mut stream, 200, "{}", "application/json");
        }
        Behaviour::Garbage => reply(&mut stream, 200, "<html>oops</html>", "text/html"),
        Behaviour::Hangup => {}
        Behaviour::Huge(mib) => {
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
            );
            let chunk = vec![b'a'; 1024 * 1024];
            let _ = write!(stream, "1\r\n\"\r\n");
            for _ in 0..mib {
                if write!(stream, "{:x}\r\n", chunk.len()).is_err()
                    || stream.write_all(&chunk).is_err()
                    || write!(stream, "\r\n").is_err()
                {
                    return;
                }
            }
            let _ = write!(stream, "1\r\n\"\r\n0\r\n\r\n");
        }
    }
}

/// `/create-meeting` and `/validate-meeting/:id` forward as VideoSDK's examples do: the
/// caller's VideoSDK token, or one signed here, and never the caller's bearer credential;
/// a slow, garbled or silent upstream gets 504 or 502 in the usual JSON shape.
#[test]
fn meetings_are_forwarded_to_the_videosdk_api() {
    let upstream = StandIn::start();
    let dir = tempfile::tempdir().expect("dir");
    let auth = dir.path().join("auth");
    std::fs::write(&auth, AUTH_A).expect("write");
    std::fs::set_permissions(&auth, std::os::unix::fs::PermissionsExt::from_mode(0o600))
        .expect("chmod");
    let endpoint = upstream.endpoint();
    let server = Server::start(&[
        "--api-endpoint",
        &endpoint,
        "--upstream-timeout",
        "1s",
        "--auth-token-file",
        auth.to_str().expect("path"),
    ]);
    let bearer = format!("Bearer {AUTH_A}");
    let authorized = [
        ("Authorization", bearer.as_str()),
        ("Content-Type", "application/json"),
    ];

    for path in ["/create-meeting", "/create-meeting/"] {
        let (status, body) = http(
            server.addr,
            "POST",
            path,
            &authorized,
            br#"{"token":"caller-videosdk-token","region":"sg001"}"#,
        );
        assert_eq!(status, 200, "{path}: {body}");
        assert_eq!(json_body(&body)["roomId"], "abcd-efgh-ijkl");
    }
    let seen = upstream.seen();
    assert_eq!(seen.len(), 2);
    for call in &seen {
        assert_eq!(
            (call.method.as_str(), call.path.as_str()),
            ("POST", "/v2/rooms")
        );
        assert_eq!(call.header("authorization"), Some("caller-videosdk-token"));
        assert_eq!(
            serde_json::from_str::<Value>(&call.body).expect("json"),
            json!({ "region": "sg001" })
        );
    }

    // No token in the body: one signed here, short-lived and for the server API only.
    let (status, body) = http(
        server.addr,
        "POST",
        "/validate-meeting/abcd-efgh-ijkl",
        &authorized,
        b"",
    );
    assert_eq!(status, 200, "{body}");
    let call = upstream.seen().last().cloned().expect("a call");
    assert_eq!(
        (call.method.as_str(), call.path.as_str()),
        ("GET", "/v2/rooms/validate/abcd-efgh-ijkl")
    );
    let signed = call.header("authorization").expect("a token");
    assert_ne!(
        signed, bearer,
        "the caller's bearer credential was forwarded"
    );
    assert!(!signed.contains(AUTH_A));
    let claims = check_token(signed);
    assert_eq!(claims.roles(), [Role::Crawler]);
    assert!(
        claims
            .exp()
            .zip(claims.iat())
            .is_some_and(|(e, i)| e - i <= 300)
    );
    assert!(
        upstream
            .seen()
            .iter()
            .all(|c| c.headers.iter().all(|(_, v)| !v.contains(AUTH_A)))
    );

    // The upstream's own status comes back; bad upstreams are 502/504 in our shape.
    upstream.set(Behaviour::Json(401));
    let (status, _) = http(server.addr, "POST", "/create-meeting", &authorized, b"{}");
    assert_eq!(status, 401);
    for (behaviour, expected, words) in [
        (Behaviour::Slow, 504, "did not answer within 1s"),
        (Behaviour::Garbage, 502, "not JSON"),
        (Behaviour::Hangup, 502, "could not be reached"),
    ] {
        upstream.set(behaviour);
        let start = Instant::now();
        let (status, body) = http(server.addr, "POST", "/create-meeting", &authorized, b"{}");
        assert_eq!(status, expected, "{behaviour:?}: {body}");
        assert!(
            json_body(&body)["error"]
                .as_str()
                .expect("error")
                .contains(words),
            "{body}"
        );
        assert!(
            start.elapsed() < Duration::from_secs(4),
            "{behaviour:?} took {:?}",
            start.elapsed()
        );
    }

    // Refusals before anything is forwarded.
    upstream.set(Behaviour::Json(200));
    let before = upstream.seen().len();
    for (path, body, status, field) in [
        (
            "/create-meeting",
            &br#"{"token":"t","regoin":"x"}"#[..],
            400,
            Some("regoin"),
        ),
        ("/create-meeting", br#"{"region":7}"#, 400, Some("region")),
        ("/validate-meeting/..%2Frooms", b"", 400, Some("meetingId")),
        (
            "/validate-meeting/abc",
            br#"{"token":"a\nb"}"#,
            400,
            Some("token"),
        ),
    ] {
        let (got, answer) = http(server.addr, "POST", path, &authorized, body);
        assert_eq!(got, status, "{path}: {answer}");
        assert_eq!(
            json_body(&answer)["field"].as_str(),
            field,
            "{path}: {answer}"
        );
    }
    let (status, _) = http(server.addr, "POST", "/create-meeting", &[], b"{}");
    assert_eq!(status, 401, "the proxies need the bearer credential too");
    assert_eq!(
        upstream.seen().len(),
        before,
        "a refused call was forwarded"
    );
    // Every forwarded call is counted by the upstream's answer.
    let metrics = scrape(server.addr, &bearer);
    for (status, count) in [("200", 3.0), ("401", 1.0), ("timeout", 1.0), ("error", 2.0)] {
        let key = format!("videosdk_token_upstream_calls_total{{status={status}}}");
        assert_eq!(
            metrics.get(&key).copied(),
            Some(count),
            "{key}: {metrics:#?}"
        );
    }
}

/// `VIDEOSDK_API_ENDPOINT` comes from `.env` as the examples keep it; one with no path means
/// `/v2`, as the Node example's `.env.example` writes it.
#[test]
fn the_api_endpoint_comes_from_dotenv() {
    let upstream = StandIn::start();
    let dir = tempfile::tempdir().expect("dir");
    std::fs::write(
        dir.path().join(".env"),
        format!("VIDEOSDK_API_ENDPOINT=http://{}\n", upstream.addr),
    )
    .expect("write");
    let mut child = Command::new(videosdk_token())
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--api-key",
            "key",
            "--quiet",
        ])
        .current_dir(dir.path())
        .env("VIDEOSDK_SECRET_KEY", SECRET)
        .env_remove("VIDEOSDK_API_ENDPOINT")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts");
    let mut line = String::new();
    BufReader::new(child.stderr.take().expect("stderr"))
        .read_line(&mut line)
        .expect("line");
    let addr: SocketAddr = line
        .trim()
        .trim_start_matches("listening on http://")
        .parse()
        .expect("address");
    let (status, body) = http(addr, "POST", "/validate-meeting/abcd", &[], b"");
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        upstream.seen().first().map(|s| s.path.clone()).as_deref(),
        Some("/v2/rooms/validate/abcd")
    );
}

/// Behind an authenticating proxy, the token is the authenticated user's: the header names
/// the participant, a request naming another gets 403, one without the header 401; with
/// `--room-from-path`, `/get-token/:roomId` scopes the room the same way.
#[test]
fn tokens_are_bound_to_the_caller_and_the_room_in_the_path() {
    let server = Server::start(&[
        "--participant-from-header",
        "X-Auth-Request-User",
        "--room-from-path",
    ]);
    let user = [("X-Auth-Request-User", "alice@example.com")];
    let (status, body) = http(server.addr, "GET", "/get-token", &user, b"");
    assert_eq!(status, 200, "{body}");
    let claims = check_token(json_body(&body)["token"].as_str().expect("token"));
    assert_eq!(claims.participant_id(), Some("alice@example.com"));
    assert_eq!(claims.roles(), [Role::Rtc]);

    // Repeating the bound values is fine; contradicting them is not.
    let (status, body) = http(
        server.addr,
        "GET",
        "/get-token/abcd-efgh-ijkl?peerId=alice%40example.com",
        &user,
        b"",
    );
    assert_eq!(status, 200, "{body}");
    let claims = check_token(json_body(&body)["token"].as_str().expect("token"));
    assert_eq!(claims.room_id(), Some("abcd-efgh-ijkl"));
    assert_eq!(claims.participant_id(), Some("alice@example.com"));
    for (method, path, body, field) in [
        (
            "GET",
            "/get-token?peerId=mallory",
            &b""[..],
            "participantId",
        ),
        (
            "POST",
            "/get-token",
            br#"{"participantId":"mallory"}"#,
            "participantId",
        ),
        (
            "GET",
            "/get-token/abcd-efgh-ijkl?roomId=other",
            b"",
            "roomId",
        ),
        (
            "POST",
            "/get-token/abcd-efgh-ijkl",
            br#"{"roomId":"other"}"#,
            "roomId",
        ),
    ] {
        let (status, answer) = http(server.addr, method, path, &user, body);
        assert_eq!(status, 403, "{method} {path}: {answer}");
        assert_eq!(json_body(&answer)["field"], field);
    }
    let (status, answer) = http(server.addr, "GET", "/get-token", &[], b"");
    assert_eq!(status, 401, "{answer}");
    assert!(
        answer.contains("X-Auth-Request-User") || answer.contains("x-auth-request-user"),
        "{answer}"
    );
    drop(server);
    // Without --room-from-path, /get-token/room is not a route.
    let server = Server::start(&[]);
    assert_eq!(http(server.addr, "GET", "/get-token/abcd", &[], b"").0, 404);
}

/// `--rate-limit` counts each caller apart and answers 429 with `Retry-After`.
#[test]
fn rate_limits_per_caller() {
    let server = Server::start(&[
        "--rate-limit",
        "3/m",
        "--participant-from-header",
        "X-User",
        "--quiet",
    ]);
    let ask = |user: &str| http(server.addr, "GET", "/get-token", &[("X-User", user)], b"");
    for _ in 0..3 {
        assert_eq!(ask("alice").0, 200);
    }
    let mut stream = TcpStream::connect(server.addr).expect("connect");
    write!(
        stream,
        "GET /get-token HTTP/1.1\r\nHost: localhost\r\nX-User: alice\r\nConnection: close\r\n\r\n"
    )
    .expect("write");
    let mut raw = String::new();
    let _ = stream.read_to_string(&mut raw);
    assert_eq!(status_of(&raw), 429, "{raw}");
    let retry: u64 = raw
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("retry-after: ")
                .map(str::to_owned)
        })
        .and_then(|v| v.trim().parse().ok())
        .expect("a Retry-After header");
    assert!((1..=60).contains(&retry), "{retry}");
    assert!(
        body_of(&raw)["error"]
            .as_str()
            .expect("error")
            .contains("too many requests")
    );
    // Another caller has a budget of its own.
    assert_eq!(ask("bob").0, 200);
    // Health checks are never limited.
    assert_eq!(http(server.addr, "GET", "/healthz", &[], b"").0, 200);
    let metrics = scrape(server.addr, "");
    assert_eq!(
        metrics
            .get("videosdk_token_refusals_total{reason=RateLimit}")
            .copied(),
        Some(1.0),
        "{metrics:#?}"
    );
}

/// Every token in `tokens` checked by Node's `jsonwebtoken.verify` (tests/vectors/jwt-verify.js,
/// with the pinned package the test command installs): its payload, or why it refused.
fn node_verify(tokens: &[String], now: u64) -> Vec<Value> {
    let input: Vec<Value> = tokens
        .iter()
        .map(|t| json!({ "token": t, "secret": SECRET, "now": now }))
        .collect();
    let output = reference::run(
        "node",
        "tests/vectors/jwt-verify.js",
        Value::from(input).to_string().as_bytes(),
    );
    assert!(
        output.status.success(),
        "jwt-verify.js failed: run `npm ci` in tests/vectors"
    );
    serde_json::from_slice::<Vec<Value>>(&output.stdout).expect("JSON from node")
}

/// A frontend's request: what it is, its path, its headers and its body.
type Style<'a> = (&'a str, &'a str, &'a [(&'a str, &'a str)], &'a [u8]);

/// The exact requests the VideoSDK examples' frontends send, in each example language's input
/// style, get tokens that our `verify` and Node's `jsonwebtoken.verify` both accept, with the
/// room and participant asked for and the examples' scoping.
#[test]
fn frontends_of_every_example_get_tokens_node_accepts() {
    let server = Server::start(&["--quiet"]);
    let styles: [Style<'_>; 8] = [
        // Python (Flask), Go, PHP, Java (Spring), Ruby (Rails), .NET: the query string.
        (
            "query",
            "/get-token?roomId=abcd-efgh-ijkl&peerId=alice",
            &[],
            b"",
        ),
        (
            "query, room only",
            "/get-token?roomId=abcd-efgh-ijkl",
            &[],
            b"",
        ),
        ("query, peer only", "/get-token?peerId=alice", &[], b""),
        // Node (express.json) and Rust (actix Json): a JSON body on GET.
        (
            "JSON body",
            "/get-token",
            &[("Content-Type", "application/json")],
            br#"{"roomId":"abcd-efgh-ijkl","peerId":"alice"}"#,
        ),
        // Node (express.urlencoded): a form body.
        (
            "form body",
            "/get-token",
            &[("Content-Type", "application/x-www-form-urlencoded")],
            b"roomId=abcd-efgh-ijkl&peerId=alice",
        ),
        // Frontends that only want a token to create a meeting with.
        ("nothing", "/get-token", &[], b""),
        (
            "empty JSON",
            "/get-token",
            &[("Content-Type", "application/json")],
            b"{}",
        ),
        (
            "participantId alias",
            "/get-token?participantId=alice",
            &[],
            b"",
        ),
    ];
    let mut tokens = Vec::new();
    for (style, path, headers, body) in styles {
        let (status, answer) = http(server.addr, "GET", path, headers, body);
        assert_eq!(status, 200, "{style}: {answer}");
        tokens.push(
            json_body(&answer)["token"]
                .as_str()
                .expect("token")
                .to_owned(),
        );
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("time")
        .as_secs();
    let node = node_verify(&tokens, now);
    for ((style, path, _, body), (token, node)) in styles.iter().zip(tokens.iter().zip(&node)) {
        let ours = check_token(token);
        assert_eq!(node["valid"], true, "{style}: Node refused: {node}");
        let payload = &node["payload"];
        assert_eq!(payload["apikey"], ours.apikey(), "{style}");
        let text = format!("{path}{}", String::from_utf8_lossy(body));
        let asks_room = text.contains("roomId");
        let asks_peer = text.contains("peerId") || text.contains("participantId");
        assert_eq!(ours.room_id().is_some(), asks_room, "{style}");
        assert_eq!(ours.participant_id().is_some(), asks_peer, "{style}");
        if asks_room || asks_peer {
            assert_eq!(payload["version"], 2, "{style}");
            assert_eq!(payload["roles"], json!(["rtc"]), "{style}");
        } else {
            assert!(payload.get("roles").is_none(), "{style}");
        }
        if asks_room {
            assert_eq!(payload["roomId"], "abcd-efgh-ijkl", "{style}");
        }
        if asks_peer {
            assert_eq!(payload["participantId"], "alice", "{style}");
        }
    }
}

/// `/metrics`, parsed by the reference Python client (tests/metrics/parse.py): every sample by
/// name and labels. Fails the test if the text is not valid OpenMetrics.
fn scrape(addr: SocketAddr, auth: &str) -> std::collections::BTreeMap<String, f64> {
    let (status, text) = http(addr, "GET", "/metrics", &[("Authorization", auth)], b"");
    assert_eq!(status, 200, "{text}");
    let output = reference::run("python3", "tests/metrics/parse.py", text.as_bytes());
    assert!(
        output.status.success(),
        "{}\n{text}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("samples")
}

/// The counters move by exactly what was sent; the whole exposition parses; no label holds a
/// token, a room or a participant; /metrics needs the bearer credential.
#[test]
fn metrics_count_exactly_what_was_sent() {
    let dir = tempfile::tempdir().expect("dir");
    let auth_file = dir.path().join("auth");
    std::fs::write(&auth_file, AUTH_A).expect("write");
    std::fs::set_permissions(
        &auth_file,
        std::os::unix::fs::PermissionsExt::from_mode(0o600),
    )
    .expect("chmod");
    let server = Server::start(&[
        "--auth-token-file",
        auth_file.to_str().expect("path"),
        "--allow-role",
        "rtc",
        "--quiet",
    ]);
    let bearer = format!("Bearer {AUTH_A}");
    let auth = [("Authorization", bearer.as_str())];
    assert_eq!(http(server.addr, "GET", "/metrics", &[], b"").0, 401);
    let before = scrape(server.addr, &bearer);

    let mut tokens = Vec::new();
    for path in [
        "/get-token",
        "/get-token",
        "/get-token",
        "/get-token?roomId=secret-room-name&peerId=secret-person",
        "/get-token?roomId=secret-room-name",
    ] {
        let (status, body) = http(server.addr, "GET", path, &auth, b"");
        assert_eq!(status, 200, "{body}");
        tokens.push(
            json_body(&body)["token"]
                .as_str()
                .expect("token")
                .to_owned(),
        );
    }
    assert_eq!(
        http(server.addr, "GET", "/get-token?roomID=x", &auth, b"").0,
        400
    );
    assert_eq!(
        http(server.addr, "GET", "/get-token?roles=crawler", &auth, b"").0,
        400
    );
    assert_eq!(
        http(server.addr, "GET", "/get-token?roles=crawler", &[], b"").0,
        401
    );
    for token in &tokens[..2] {
        let body = json!({ "token": token }).to_string();
        assert_eq!(
            http(server.addr, "POST", "/verify", &auth, body.as_bytes()).0,
            200
        );
    }
    let body = json!({ "token": format!("{}x", tokens[0]) }).to_string();
    assert_eq!(
        http(server.addr, "POST", "/verify", &auth, body.as_bytes()).0,
        200
    );

    let after = scrape(server.addr, &bearer);
    let delta = |key: &str| {
        after.get(key).copied().unwrap_or(0.0) - before.get(key).copied().unwrap_or(0.0)
    };
    assert_eq!(
        delta("videosdk_token_tokens_issued_total{endpoint=GetToken,scope=Unscoped}"),
        3.0,
        "{after:#?}"
    );
    assert_eq!(
        delta("videosdk_token_tokens_issued_total{endpoint=GetToken,scope=Scoped}"),
        2.0
    );
    assert_eq!(
        delta("videosdk_token_refusals_total{reason=Validation}"),
        1.0,
        "{after:#?}"
    );
    assert_eq!(delta("videosdk_token_refusals_total{reason=Policy}"), 1.0);
    // The unauthenticated /metrics before the first scrape counts too, so only the one since.
    assert_eq!(delta("videosdk_token_refusals_total{reason=Auth}"), 1.0);
    assert_eq!(
        delta("videosdk_token_verifications_total{outcome=Valid}"),
        2.0
    );
    assert_eq!(
        delta("videosdk_token_verifications_total{outcome=Refused}"),
        1.0
    );
    assert_eq!(
        delta("videosdk_token_request_duration_seconds_count{route=/get-token}"),
        8.0,
        "{after:#?}"
    );
    assert_eq!(
        delta("videosdk_token_request_duration_seconds_count{route=/verify}"),
        3.0
    );
    assert_eq!(
        after
            .get(&format!("videosdk_token_build_info{{version={}}}", "0.1.0"))
            .copied(),
        Some(1.0)
    );
    assert!(
        after.contains_key("videosdk_token_open_connections{}"),
        "{after:#?}"
    );
    for key in after.keys() {
        assert!(
            !key.contains("secret") && !key.contains("eyJ"),
            "a label leaks: {key}"
        );
    }
}

/// Writes a secret file readable by its owner only.
fn secret_file(path: &std::path::Path, secret: &str) {
    std::fs::write(path, format!("{secret}\n")).expect("write");
    std::fs::set_permissions(path, std::os::unix::fs::PermissionsExt::from_mode(0o600))
        .expect("chmod");
}

fn waits_for_log(server: &Server, needle: &str) -> bool {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(10) {
        if server.log().iter().any(|l| l.contains(needle)) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

/// SIGHUP under load: not one request fails; tokens issued after it are signed with the new
/// secret only; tokens of the old one still pass /verify while --previous-secret-file names
/// it; a reload that fails keeps the working credentials and says so, in the log and in a
/// metric.
#[test]
fn sighup_rotates_the_secret_under_load() {
    const OLD: &str = "rotation-old-secret-0123456789abcdef-0123456789";
    const NEW: &str = "rotation-new-secret-0123456789abcdef-0123456789";
    const OLDER: &str = "rotation-older-secret-0123456789abcdef-01234567";
    let dir = tempfile::tempdir().expect("dir");
    let current = dir.path().join("secret");
    let previous = dir.path().join("previous");
    secret_file(&current, OLD);
    secret_file(&previous, OLDER);
    let server = Server::start(&[
        "--secret-file",
        current.to_str().expect("path"),
        "--previous-secret-file",
        previous.to_str().expect("path"),
    ]);
    let addr = server.addr;
    let (_, body) = http(addr, "GET", "/get-token", &[], b"");
    let old_token = json_body(&body)["token"]
        .as_str()
        .expect("token")
        .to_owned();

    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let load: Vec<_> = (0..4)
        .map(|_| {
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || {
                let (mut ok, mut failed) = (0u32, 0u32);
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    match http(addr, "GET", "/get-token?roomId=r", &[], b"") {
                        (200, _) => ok += 1,
                        _ => failed += 1,
                    }
                }
                (ok, failed)
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    secret_file(&current, NEW);
    secret_file(&previous, OLD);
    let hup = Command::new("kill")
        .args(["-HUP", &server.child.id().to_string()])
        .status()
        .expect("kill");
    assert!(hup.success());
    assert!(
        waits_for_log(&server, "reloaded the secret"),
        "{:?}",
        server.log()
    );
    std::thread::sleep(Duration::from_millis(300));
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let (mut ok, mut failed) = (0, 0);
    for worker in load {
        let (o, f) = worker.join().expect("worker");
        ok += o;
        failed += f;
    }
    assert!(ok > 20, "only {ok} requests ran");
    assert_eq!(
        failed,
        0,
        "{failed} of {} requests failed across the reload",
        ok + failed
    );

    // New tokens: the new secret only.
    let (_, body) = http(addr, "GET", "/get-token", &[], b"");
    let new_token = json_body(&body)["token"]
        .as_str()
        .expect("token")
        .to_owned();
    let check = |token: &str, secret: &str| {
        let key = Key::new(secret.as_bytes()).expect("key");
        let mut scratch = vec![0u8; token.len()];
        verify(token, &key, &Rules::at(now()), &mut scratch).map(|_| ())
    };
    assert_eq!(check(&new_token, NEW), Ok(()));
    assert_eq!(
        check(&new_token, OLD),
        Err(videosdk_token_core::Error::BadSignature)
    );
    // /verify takes both while the old secret is the previous one.
    for token in [&old_token, &new_token] {
        let (_, answer) = http(
            addr,
            "POST",
            "/verify",
            &[],
            json!({ "token": token }).to_string().as_bytes(),
        );
        assert_eq!(json_body(&answer)["valid"], true, "{answer}");
    }

    // A reload that fails keeps what works.
    std::fs::write(&current, "tiny-k3y\n").expect("write");
    let hup = Command::new("kill")
        .args(["-HUP", &server.child.id().to_string()])
        .status()
        .expect("kill");
    assert!(hup.success());
    assert!(
        waits_for_log(&server, "reload failed, keeping the previous credentials"),
        "{:?}",
        server.log()
    );
    assert!(
        server.log().iter().all(|l| !l.contains("tiny-k3y")),
        "the secret was printed"
    );
    let (status, body) = http(addr, "GET", "/get-token", &[], b"");
    assert_eq!(status, 200);
    assert_eq!(
        check(json_body(&body)["token"].as_str().expect("token"), NEW),
        Ok(())
    );
    let (_, metrics) = http(addr, "GET", "/metrics", &[], b"");
    assert!(
        metrics.contains("videosdk_token_reloads_total{outcome=\"Failed\"} 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("videosdk_token_reloads_total{outcome=\"Ok\"} 1"),
        "{metrics}"
    );
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("time")
        .as_secs()
}

/// From SIGTERM, /healthz answers 503 "draining" while the listener still takes connections
/// for --drain-time, so that a load balancer stops sending first.
#[test]
fn healthz_drains_before_the_listener_closes() {
    let mut server = Server::start(&["--drain-time", "2s", "--quiet"]);
    assert_eq!(
        http(server.addr, "GET", "/healthz", &[], b""),
        (200, "ok\n".to_owned())
    );
    server.terminate();
    let start = Instant::now();
    let mut drained = false;
    while start.elapsed() < Duration::from_millis(1500) {
        let (status, body) = http(server.addr, "GET", "/healthz", &[], b"");
        if status == 503 && json_body(&body)["error"] == "draining" {
            drained = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(drained, "/healthz never said draining");
    // Tokens are still issued while draining.
    assert_eq!(http(server.addr, "GET", "/get-token", &[], b"").0, 200);
    assert_eq!(server.wait(Duration::from_secs(10)), Some(0));
}

/// SIGHUP also re-reads `.env` (the API key here) and the auth-token files.
#[test]
fn sighup_rereads_dotenv_and_auth_token_files() {
    let dir = tempfile::tempdir().expect("dir");
    let env = dir.path().join(".env");
    let auth = dir.path().join("auth");
    let write_env = |api_key: &str| {
        std::fs::write(
            &env,
            format!("VIDEOSDK_API_KEY={api_key}\nVIDEOSDK_SECRET_KEY={SECRET}\n"),
        )
        .expect("write");
        std::fs::set_permissions(&env, std::os::unix::fs::PermissionsExt::from_mode(0o600))
            .expect("chmod");
    };
    write_env("first-api-key");
    secret_file(&auth, AUTH_A);
    let mut child = Command::new(videosdk_token())
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--quiet",
            "--auth-token-file",
        ])
        .arg(&auth)
        .current_dir(dir.path())
        .env_remove("VIDEOSDK_SECRET_KEY")
        .env_remove("VIDEOSDK_API_KEY")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts");
    let mut line = String::new();
    let mut stderr = BufReader::new(child.stderr.take().expect("stderr"));
    stderr.read_line(&mut line).expect("line");
    std::thread::spawn(move || for _ in stderr.lines() {});
    let addr: SocketAddr = line
        .trim()
        .trim_start_matches("listening on http://")
        .parse()
        .expect("address");
    let ask = |bearer: &str| {
        let header = format!("Bearer {bearer}");
        let (status, body) = http(
            addr,
            "GET",
            "/get-token",
            &[("Authorization", &header)],
            b"",
        );
        (status == 200).then(|| {
            check_token(json_body(&body)["token"].as_str().expect("token"))
                .apikey()
                .to_owned()
        })
    };
    assert_eq!(ask(AUTH_A).as_deref(), Some("first-api-key"));
    assert_eq!(ask(AUTH_B), None);

    write_env("second-api-key");
    secret_file(&auth, AUTH_B);
    let hup = Command::new("kill")
        .args(["-HUP", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(hup.success());
    let start = Instant::now();
    while ask(AUTH_B).is_none() && start.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(ask(AUTH_B).as_deref(), Some("second-api-key"));
    assert_eq!(ask(AUTH_A), None, "the old bearer token still works");
    let _ = child.kill();
    let _ = child.wait();
}

/// A header's value in a raw response, by name (case-insensitive).
fn header_of<'r>(response: &'r str, name: &str) -> Option<&'r str> {
    let head = response.split_once("\r\n\r\n").map_or(response, |(h, _)| h);
    head.lines().find_map(|line| {
        let (n, v) = line.split_once(':')?;
        n.eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

fn get(addr: SocketAddr, path: &str) -> String {
    exchange(
        addr,
        format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes(),
    )
}

/// `/inspect/` serves the token inspector's page and files under a Content-Security-Policy
/// that allows only the page's own files, no inline script or style, WebAssembly, and no
/// requests; `--no-inspector` turns it off.
#[test]
fn the_inspector_is_served_under_its_content_security_policy() {
    let server = Server::start(&[]);
    let redirect = get(server.addr, "/inspect");
    assert_eq!(status_of(&redirect), 308, "{redirect}");
    assert_eq!(header_of(&redirect, "location"), Some("/inspect/"));
    let page = get(server.addr, "/inspect/");
    assert_eq!(status_of(&page), 200, "{page}");
    assert_eq!(
        header_of(&page, "content-type"),
        Some("text/html; charset=utf-8")
    );
    let csp = header_of(&page, "content-security-policy").expect("a CSP");
    for directive in [
        "default-src 'self'",
        "script-src 'self' 'wasm-unsafe-eval'",
        "style-src 'self'",
        "connect-src 'none'",
        "frame-ancestors 'none'",
    ] {
        assert!(
            csp.split("; ").any(|d| d == directive),
            "{csp} lacks {directive}"
        );
    }
    assert!(
        !csp.contains("unsafe-inline") && !csp.contains("'unsafe-eval'"),
        "{csp}"
    );
    assert!(page.contains("<script src=\"inspector.js\"></script>"));
    assert!(
        !page.contains("<script>"),
        "an inline script would be refused by the CSP"
    );
    let script = get(server.addr, "/inspect/videosdk-token.js");
    assert_eq!(status_of(&script), 200);
    assert_eq!(
        header_of(&script, "content-type"),
        Some("text/javascript; charset=utf-8")
    );
    assert!(header_of(&script, "content-security-policy").is_some());
    assert!(script.contains("wasm_bindgen") && script.contains("const MODULE = '"));
    let missing = get(server.addr, "/inspect/secrets.txt");
    assert_eq!(status_of(&missing), 404);
    assert!(body_of(&missing)["error"].is_string());
    drop(server);

    let off = Server::start(&["--no-inspector"]);
    assert_eq!(status_of(&get(off.addr, "/inspect/")), 404);
}

/// The CLI's JSON output for `args`, which must succeed.
fn run_json(args: &[&str]) -> Value {
    let out = Command::new(videosdk_token())
        .args(args)
        .output()
        .expect("the CLI runs");
    assert!(out.status.success(), "{args:?}: {out:?}");
    serde_json::from_slice(&out.stdout).expect("JSON")
}

/// The page in headless Chromium, served by `serve` and opened from disk after `inspect`
/// wrote it: for tokens of several shapes, it shows the payload, times and warnings
/// `decode --json` gives and the access `verify --json` gives, checks the signature with the
/// secret, refuses a tampered token, and requests nothing but its own files.
#[test]
fn the_inspector_page_agrees_with_decode_and_verify_in_headless_chromium() {
    let chromium = ["chromium", "chromium-browser"]
        .into_iter()
        .find(|name| {
            Command::new(name)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
        .expect("chromium is missing: apt-get install chromium (scripts/test-all.sh does this)");
    let chromium = String::from_utf8(
        Command::new("sh")
            .args(["-c", &format!("command -v {chromium}")])
            .output()
            .expect("sh")
            .stdout,
    )
    .expect("a path");
    let server = Server::start(&[]);
    let dir = tempfile::tempdir().expect("temp dir");
    let inspect = |extra: &[&str]| {
        Command::new(videosdk_token())
            .arg("inspect")
            .arg(dir.path().join("page"))
            .args(extra)
            .output()
            .expect("inspect runs")
    };
    let written = inspect(&[]);
    assert!(written.status.success(), "{written:?}");
    // Written files are not replaced unless asked.
    let again = inspect(&[]);
    assert_eq!(again.status.code(), Some(2), "{again:?}");
    assert!(String::from_utf8_lossy(&again.stderr).contains("pass --force"));
    assert!(inspect(&["--force"]).status.success());

    // Tokens of several shapes from the golden vectors: one per (roles, participant, long life).
    let doc = videosdk_token_harness::vectors::load();
    let mut seen = std::collections::BTreeSet::new();
    let mut cases = Vec::new();
    for v in &doc.vectors {
        let c = &v.claims;
        let exp = {
            let payload = v.token.split('.').nth(1).expect("payload");
            let mut scratch = vec![0u8; payload.len()];
            videosdk_token_core::dangerous::decode_unverified(&v.token, &mut scratch)
                .expect("a vector decodes")
                .claims()
                .exp()
                .expect("exp")
        };
        let shape = (
            c.roles.clone(),
            c.participant_id.is_some(),
            exp - c.iat > 86_400,
        );
        if cases.len() == 6 || !seen.insert(shape) || v.token.len() > 1000 {
            continue;
        }
        let now = c.iat + 60;
        let secret_file = dir.path().join(format!("secret-{}", cases.len()));
        std::fs::write(&secret_file, &v.secret).expect("secret file");
        let now_arg = now.to_string();
        let decode = run_json(&["decode", "--json", "--now", &now_arg, &v.token]);
        let verify = run_json(&[
            "verify",
            "--json",
            "--now",
            &now_arg,
            "--secret-file",
            secret_file.to_str().expect("UTF-8 path"),
            &v.token,
        ]);
        cases.push(json!({
            "name": v.name, "token": v.token, "secret": v.secret, "now": now,
            "decode": decode, "verify": verify,
            "screenshot": if cases.is_empty() { Some("inspector.png") } else { None },
        }));
    }
    assert!(cases.len() >= 5, "only {} shapes", cases.len());
    // Node-made tokens with the warnings the golden vectors never need: unknown names, v2
    // claims without version 2, a future nbf; some the core refuses, with its reason.
    for name in [
        "unknown permission",
        "roles as the official Python example signs them",
        "only unknown permissions",
        "roomId without version 2",
        "nbf in the future",
    ] {
        let case = doc.verify.iter().find(|c| c.name == name).expect(name);
        assert_eq!(case.leeway, 0, "{name}");
        let key = Key::new(case.secret.as_bytes()).expect("secret");
        let mut scratch = vec![0u8; case.token.len()];
        let refused = verify(&case.token, &key, &Rules::at(case.now), &mut scratch)
            .err()
            .map(|e| e.message());
        let now_arg = case.now.to_string();
        let decode = run_json(&["decode", "--json", "--now", &now_arg, &case.token]);
        let secret_file = dir.path().join(format!("secret-{}", cases.len()));
        std::fs::write(&secret_file, &case.secret).expect("secret file");
        let verified = refused.is_none().then(|| {
            run_json(&[
                "verify",
                "--json",
                "--now",
                &now_arg,
                "--secret-file",
                secret_file.to_str().expect("UTF-8 path"),
                &case.token,
            ])
        });
        assert!(
            !decode["warnings"].as_array().expect("warnings").is_empty(),
            "{name} has no warning to show"
        );
        cases.push(json!({
            "name": name, "token": case.token, "secret": case.secret, "now": case.now,
            "decode": decode, "verify": verified, "refusal": refused,
        }));
    }
    let shots = videosdk_token_harness::root().join("target/inspector-screenshots");
    std::fs::create_dir_all(&shots).expect("screenshot folder");
    let page_url = format!("file://{}", dir.path().join("page/index.html").display());
    let job = json!({
        "chromium": chromium.trim(),
        "pages": [format!("http://{}/inspect/", server.addr), page_url],
        "shots": shots,
        "cases": cases,
    });
    let out = reference::run(
        "python3",
        "tests/browser/inspector.py",
        job.to_string().as_bytes(),
    );
    let summary = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{summary}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    println!("inspector in headless Chromium: {summary}");
    // The guide's screenshot (docs/inspector.md) is this test's: VIDEOSDK_TOKEN_BLESS=1 puts it there.
    if std::env::var_os("VIDEOSDK_TOKEN_BLESS").is_some() {
        std::fs::copy(
            shots.join("http-inspector.png"),
            videosdk_token_harness::root().join("inspector/screenshot.png"),
        )
        .expect("copy the screenshot");
    }
}

/// A POST reads its query as a GET does: a room and a participant asked there scope the token,
/// and a query beside a body is refused on every endpoint, never half read. `/get-token/`
/// (with the slash Express accepts) answers as `/get-token`.
#[test]
fn post_reads_the_query_and_refuses_it_beside_a_body() {
    let server = Server::start(&["--quiet"]);
    let addr = server.addr;
    let (status, body) = http(
        addr,
        "POST",
        "/get-token?roomId=abcd-efgh-ijkl&peerId=alice",
        &[],
        b"",
    );
    assert_eq!(status, 200, "{body}");
    let claims = check_token(json_body(&body)["token"].as_str().expect("token"));
    assert_eq!(claims.room_id(), Some("abcd-efgh-ijkl"));
    assert_eq!(claims.participant_id(), Some("alice"));
    assert_eq!(claims.roles(), &[Role::Rtc]);
    let (status, body) = http(addr, "GET", "/get-token/?roomId=abcd-efgh-ijkl", &[], b"");
    assert_eq!(status, 200, "{body}");
    let token = json_body(&body)["token"]
        .as_str()
        .expect("token")
        .to_owned();
    assert_eq!(check_token(&token).room_id(), Some("abcd-efgh-ijkl"));
    let json = [("Content-Type", "application/json")];
    let both = json!({ "token": token }).to_string();
    for (path, body) in [
        ("/get-token?roomId=room-a", r#"{"roomId":"room-b"}"#),
        ("/verify?roomId=room-b", both.as_str()),
        ("/create-meeting?region=sg001", r#"{"region":"us001"}"#),
        (
            "/validate-meeting/abcd-efgh-ijkl?token=x",
            r#"{"token":"y"}"#,
        ),
    ] {
        let (status, answer) = http(addr, "POST", path, &json, body.as_bytes());
        assert_eq!(status, 400, "{path}: {answer}");
        assert!(answer.contains("not both"), "{path}: {answer}");
    }
    // The query alone is read on POST /verify too: another room is refused.
    let (status, body) = http(
        addr,
        "POST",
        &format!("/verify?token={token}&roomId=room-b"),
        &[],
        b"",
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(json_body(&body)["valid"], json!(false), "{body}");
}

/// A JSON body that gives a key twice is refused, naming the key, on every endpoint that
/// reads one: which of the two a reader takes is a guess.
#[test]
fn duplicate_json_keys_are_refused() {
    let server = Server::start(&["--quiet"]);
    let json = [("Content-Type", "application/json")];
    for (path, body, field) in [
        (
            "/get-token",
            r#"{"roomId":"room-allowed","roomId":"room-other"}"#,
            "roomId",
        ),
        (
            "/get-token",
            r#"{"permissions":["ask_join"],"permissions":["allow_mod"]}"#,
            "permissions",
        ),
        (
            "/get-token",
            r#"{"expiresIn":"1m","expiresIn":"30d"}"#,
            "expiresIn",
        ),
        ("/verify", r#"{"token":"a.b.c","token":"d.e.f"}"#, "token"),
        (
            "/create-meeting",
            r#"{"region":"sg001","region":"us001"}"#,
            "region",
        ),
    ] {
        let (status, answer) = http(server.addr, "POST", path, &json, body.as_bytes());
        assert_eq!(status, 400, "{path} {body}: {answer}");
        let answer = json_body(&answer);
        assert_eq!(answer["field"], json!(field), "{path} {body}: {answer}");
        assert!(
            answer["error"]
                .as_str()
                .expect("error")
                .contains("duplicate field"),
            "{answer}"
        );
    }
}

/// Without bearer checks, a bearer token is not a caller: twenty invented ones from one
/// address share that address's allowance of five.
#[test]
fn invented_bearers_do_not_make_new_callers() {
    let server = Server::start(&["--rate-limit", "5/m", "--quiet"]);
    let granted = (0..20)
        .filter(|n| {
            let bearer = format!("Bearer invented-{n}");
            http(
                server.addr,
                "GET",
                "/get-token",
                &[("Authorization", &bearer)],
                b"",
            )
            .0 == 200
        })
        .count();
    assert_eq!(granted, 5);
}

fn rss_kib(pid: u32) -> u64 {
    status_kib(pid, "VmRSS:")
}

/// The most the process has held resident since it started.
fn peak_rss_kib(pid: u32) -> u64 {
    status_kib(pid, "VmHWM:")
}

fn status_kib(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("status");
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect(field)
}

/// The identity header's value is checked before it becomes a rate-limit key: thousands of
/// distinct 8 KB values (each refused) leave the process's memory as it was; the header given
/// twice is refused; a header that carries credentials cannot be the identity header.
#[test]
fn identity_values_are_checked_before_they_count() {
    let server = Server::start(&[
        "--rate-limit",
        "1/h",
        "--participant-from-header",
        "X-User",
        "--quiet",
    ]);
    let addr = server.addr;
    let (status, body) = http(
        addr,
        "GET",
        "/get-token",
        &[("X-User", "bob"), ("X-User", "mallory")],
        b"",
    );
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("twice"), "{body}");
    assert_eq!(
        http(addr, "GET", "/get-token", &[("X-User", "alice")], b"").0,
        200
    );
    // The issue's figure: 40,000 distinct 8 KB values grow the process by under 32 MB. Four
    // kept-alive connections send them, 10,000 each.
    let before = rss_kib(server.child.id());
    let senders: Vec<_> = (0..4)
        .map(|sender| {
            std::thread::spawn(move || {
                let mut stream = TcpStream::connect(addr).expect("connect");
                stream
                    .set_read_timeout(Some(Duration::from_secs(10)))
                    .expect("timeout");
                let mut reader = BufReader::new(stream.try_clone().expect("clone"));
                for n in 0..10_000 {
                    let value = format!("{sender}{n:07}{}", "u".repeat(8 * 1024 - 8));
                    let request = format!(
                        "GET /get-token HTTP/1.1\r\nHost: {addr}\r\nX-User: {value}\r\n\r\n"
                    );
                    stream.write_all(request.as_bytes()).expect("write");
                    let status = kept_alive_answer(&mut reader);
                    assert!(status == 400 || status == 429, "{status}");
                }
            })
        })
        .collect();
    for sender in senders {
        sender.join().expect("sender");
    }
    let grown = rss_kib(server.child.id()).saturating_sub(before);
    assert!(grown < 32 * 1024, "grew by {grown} KiB");
    for name in ["authorization", "Cookie", "proxy-authorization"] {
        refused_at_start(&["--participant-from-header", name], "carries credentials");
    }
}

/// A reload reads regular files only, off the request threads: a secret file replaced by a
/// FIFO or a link to /dev/zero keeps the old key, `/healthz` answers within a second
/// meanwhile, and SIGTERM still ends the process within the drain time.
#[test]
fn a_reload_from_a_fifo_or_dev_zero_keeps_the_old_key() {
    let dir = tempfile::tempdir().expect("dir");
    let current = dir.path().join("secret");
    secret_file(&current, SECRET);
    let mut server = Server::start(&[
        "--secret-file",
        current.to_str().expect("path"),
        "--drain-time",
        "2s",
        "--quiet",
    ]);
    let addr = server.addr;
    let hangup = |server: &Server| {
        let status = Command::new("kill")
            .args(["-HUP", &server.child.id().to_string()])
            .status()
            .expect("kill");
        assert!(status.success());
    };
    std::fs::remove_file(&current).expect("rm");
    let made = Command::new("mkfifo")
        .arg(&current)
        .status()
        .expect("mkfifo");
    assert!(made.success());
    hangup(&server);
    assert!(
        waits_for_log(&server, "not a regular file"),
        "{:?}",
        server.log()
    );
    let start = Instant::now();
    assert_eq!(http(addr, "GET", "/healthz", &[], b"").0, 200);
    assert!(start.elapsed() < Duration::from_secs(1));
    std::fs::remove_file(&current).expect("rm");
    std::os::unix::fs::symlink("/dev/zero", &current).expect("link");
    hangup(&server);
    let start = Instant::now();
    assert_eq!(http(addr, "GET", "/healthz", &[], b"").0, 200);
    assert!(start.elapsed() < Duration::from_secs(1));
    // Both reloads failed and said so (the second line may come after a moment).
    let start = Instant::now();
    let failures = |server: &Server| {
        server
            .log()
            .iter()
            .filter(|l| l.contains("reload failed, keeping the previous credentials"))
            .count()
    };
    while failures(&server) < 2 && start.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(failures(&server), 2, "{:?}", server.log());
    let (status, body) = http(addr, "GET", "/get-token", &[], b"");
    assert_eq!(status, 200, "{body}");
    check_token(json_body(&body)["token"].as_str().expect("token"));
    server.terminate();
    assert_eq!(server.wait(Duration::from_secs(5)), Some(0));
}

/// `POST /verify` checks as `verify` does, with the same flags: `--leeway`,
/// `--refuse-unknown-names` and `--max-token-len`.
#[test]
fn the_verify_endpoint_follows_the_verify_flags() {
    let key = Key::new(SECRET.as_bytes()).expect("key");
    let sign_json = |json: &str| {
        let mut buf = vec![0u8; 4096];
        videosdk_token_core::dangerous::sign_json(json.as_bytes(), &key, &mut buf)
            .expect("fits")
            .to_owned()
    };
    let now = now();
    let expired = sign_json(&format!(
        r#"{{"apikey":"key","permissions":["allow_join"],"iat":{},"exp":{}}}"#,
        now - 100,
        now - 30
    ));
    let unknown = sign_json(&format!(
        r#"{{"apikey":"key","permissions":["allow_join"],"version":2,"roles":["PUBLISHER"],"iat":{now},"exp":{}}}"#,
        now + 600
    ));
    let long = sign_json(&format!(
        r#"{{"apikey":"key","permissions":["allow_join"],"version":2,"roomId":"{}","iat":{now},"exp":{}}}"#,
        "r".repeat(300),
        now + 600
    ));
    let ask = |server: &Server, token: &str| {
        let body = json!({ "token": token }).to_string();
        let (status, answer) = http(
            server.addr,
            "POST",
            "/verify",
            &[("Content-Type", "application/json")],
            body.as_bytes(),
        );
        assert_eq!(status, 200, "{answer}");
        json_body(&answer)
    };
    let plain = Server::start(&["--quiet"]);
    assert_eq!(ask(&plain, &expired)["valid"], json!(false));
    assert_eq!(ask(&plain, &unknown)["valid"], json!(true));
    assert_eq!(ask(&plain, &long)["valid"], json!(true));
    let strict = Server::start(&[
        "--quiet",
        "--leeway",
        "1m",
        "--refuse-unknown-names",
        "--max-token-len",
        "400",
    ]);
    assert_eq!(ask(&strict, &expired)["valid"], json!(true));
    let refused = ask(&strict, &unknown);
    assert_eq!(refused["valid"], json!(false));
    assert!(
        refused["reason"].as_str().expect("reason").contains("role"),
        "{refused}"
    );
    let refused = ask(&strict, &long);
    assert_eq!(refused["valid"], json!(false));
    assert!(
        refused["reason"].as_str().expect("reason").contains("long"),
        "{refused}"
    );
}

/// Every endpoint `serve --help` lists answers its methods (never 404 or 405) and refuses
/// another with a 405 that names them; the help lists every endpoint the router answers.
#[test]
fn the_help_lists_every_endpoint_and_each_answers_as_listed() {
    let help = Command::new(videosdk_token())
        .args(["serve", "--help"])
        .output()
        .expect("help");
    let help = String::from_utf8_lossy(&help.stdout).into_owned();
    let listed: Vec<(String, String)> = help
        .split_once("Endpoints:\n")
        .expect("an endpoint list")
        .1
        .lines()
        .take_while(|l| !l.is_empty())
        .filter(|l| l.starts_with("  ") && !l.starts_with("    "))
        .map(|l| {
            let (methods, path) = l.trim().rsplit_once(' ').expect("methods and a path");
            (methods.trim().to_owned(), path.to_owned())
        })
        .collect();
    for path in [
        "/get-token",
        "/get-token/:roomId",
        "/verify",
        "/create-meeting",
        "/validate-meeting/:meetingId",
        "/metrics",
        "/healthz",
        "/inspect/",
    ] {
        assert!(
            listed.iter().any(|(_, p)| p == path),
            "{path} not in:\n{help}"
        );
    }
    // An upstream that is never reached: the forwarded calls fail with 502 or 504, not 404.
    let server = Server::start(&[
        "--quiet",
        "--room-from-path",
        "--api-endpoint",
        "http://127.0.0.1:9/v2",
        "--upstream-timeout",
        "1s",
    ]);
    for (methods, path) in &listed {
        let path = path
            .replace(":roomId", "abcd-efgh-ijkl")
            .replace(":meetingId", "abcd-efgh-ijkl");
        for method in methods.split(", ") {
            let (status, body) = http(server.addr, method, &path, &[], b"");
            assert!(
                status != 404 && status != 405,
                "{method} {path}: {status} {body}"
            );
        }
        let (status, body) = http(server.addr, "PUT", &path, &[], b"");
        assert_eq!(status, 405, "PUT {path}: {body}");
        assert_eq!(
            json_body(&body)["error"],
            json!(format!("method not allowed here; use {methods}")),
            "PUT {path}"
        );
    }
}

/// The upstream's answer is read to at most 1 MiB: three calls against an upstream sending
/// 64 MiB leave the process's peak memory as it was, each answered 502; an endpoint with a
/// query or a fragment is refused at start.
#[test]
fn upstream_answers_are_capped_and_the_endpoint_has_no_query() {
    let upstream = StandIn::start();
    let server = Server::start(&["--quiet", "--api-endpoint", &upstream.endpoint()]);
    let calls = |mib: usize| {
        upstream.set(Behaviour::Huge(mib));
        for _ in 0..3 {
            let (status, body) = http(server.addr, "POST", "/create-meeting", &[], b"");
            assert_eq!(status, 502, "{body}");
            assert!(body.contains("over"), "{body}");
        }
    };
    // The first upstream calls cost the same whatever the answer's size (the client's
    // connections, the resolver's threads, their heaps): made first with 2 MiB answers, so
    // that what follows measures only what a bigger answer adds.
    // The peak, not the resident size after: an answer read whole and freed would leave the
    // second as it was. Reading one whole would raise the peak by its 64 MiB at least.
    calls(2);
    let before = peak_rss_kib(server.child.id());
    calls(64);
    let grown = peak_rss_kib(server.child.id()).saturating_sub(before);
    assert!(grown < 32 * 1024, "the peak grew by {grown} KiB");
    for endpoint in [
        "http://127.0.0.1:9/v2?x=1#frag",
        "http://127.0.0.1:9/v2#frag",
    ] {
        refused_at_start(&["--api-endpoint", endpoint], "no query");
    }
}

/// Listening on the IPv4-mapped loopback address checks the Host header as loopback does.
#[test]
fn a_mapped_loopback_address_checks_the_host() {
    let server = Server::launch(None, "[::ffff:127.0.0.1]:0", &["--quiet"]);
    let response = exchange(
        server.addr,
        b"GET /get-token HTTP/1.1\r\nHost: evil.com\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(status_of(&response), 403, "{response}");
}

/// `serve` with `args` exits 2 at start, its message holding `words`.
fn refused_at_start(args: &[&str], words: &str) {
    let output = Command::new(videosdk_token())
        .args(["serve", "--api-key", "key"])
        .args(args)
        .env("VIDEOSDK_SECRET_KEY", SECRET)
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
    assert!(stderr.contains(words), "{args:?}: {stderr}");
}

/// The access log is standard error; when whatever read it goes away (a closed pipe, a
/// logger that died), requests are still answered.
#[test]
fn a_closed_log_pipe_does_not_stop_answers() {
    let mut child = Command::new(videosdk_token())
        .args(["serve", "--listen", "127.0.0.1:0", "--api-key", "key"])
        .env("VIDEOSDK_SECRET_KEY", SECRET)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("server starts");
    let addr: SocketAddr = {
        let mut stderr = BufReader::new(child.stderr.take().expect("stderr"));
        let mut line = String::new();
        stderr.read_line(&mut line).expect("a line");
        line.trim()
            .strip_prefix("listening on http://")
            .expect("the address first")
            .parse()
            .expect("address")
    }; // the reading end is closed here
    for _ in 0..3 {
        let (status, body) = http(addr, "GET", "/get-token", &[], b"");
        assert_eq!(status, 200, "{body}");
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// A request over the server's limits is answered in the same JSON shape as every refusal:
/// a long request target (414), too many or too large headers (431).
#[test]
fn oversized_requests_get_json_refusals() {
    let server = Server::start(&["--quiet"]);
    let long = format!("/get-token?roomId={}", "r".repeat(9000));
    let many: Vec<(String, String)> = (0..80)
        .map(|i| (format!("X-Extra-{i}"), "v".to_owned()))
        .collect();
    let big = [("X-Big".to_owned(), "b".repeat(20_000))];
    for (path, headers, status) in [
        (long.as_str(), &[][..], 414),
        ("/get-token", &many[..], 431),
        ("/get-token", &big[..], 431),
    ] {
        let headers: Vec<(&str, &str)> = headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        let (got, body) = http(server.addr, "GET", path, &headers, b"");
        assert_eq!(got, status, "{body}");
        let error = json_body(&body)["error"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert!(!error.is_empty(), "{body}");
    }
}

/// What hyper answers itself (a request it cannot parse) comes in the same JSON shape.
#[test]
fn a_request_hyper_cannot_parse_gets_a_json_400() {
    let server = Server::start(&["--quiet"]);
    for garbage in [
        &b"GARBAGE\r\n\r\n"[..],
        b"GET / HTTP/1.1\r\nBad Header\r\n\r\n",
    ] {
        let mut stream = TcpStream::connect(server.addr).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .expect("timeout");
        stream.write_all(garbage).expect("write");
        let (status, body) = read_response(&mut stream);
        assert_eq!(status, 400, "{body}");
        assert_eq!(json_body(&body)["error"], "bad request", "{body}");
    }
    // Answers of the server's own are as they were.
    let (status, body) = http(server.addr, "GET", "/get-token", &[], b"");
    assert_eq!(status, 200, "{body}");
}

/// Reads one answer from a kept-alive connection (its head, then `content-length` bytes) and
/// returns its status.
fn kept_alive_answer(reader: &mut BufReader<TcpStream>) -> u16 {
    let mut status = 0;
    let mut length = 0;
    let mut line = String::new();
    loop {
        line.clear();
        reader.read_line(&mut line).expect("a head line");
        let text = line.trim_end();
        if text.is_empty() {
            break;
        }
        if let Some(code) = text.strip_prefix("HTTP/1.1 ") {
            status = code.get(..3).and_then(|c| c.parse().ok()).unwrap_or(0);
        } else if let Some((name, value)) = text.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).expect("the body");
    status
}
