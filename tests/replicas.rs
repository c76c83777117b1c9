//! Three `serve` replicas behind a real HAProxy (deploy/haproxy.cfg) on loopback, under load:
//! one replica stopped gracefully, one killed, both brought back; every token verifies with
//! the shared secret.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use videosdk_token_core::{Key, Rules, verify};
use videosdk_token_harness::binary::videosdk_token;

const SECRET: &str = "replica-secret-0123456789abcdef-0123456789";

/// A port nothing listens on now.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// A replica on `port`, with a short drain so that HAProxy's health check sees it leave.
fn replica(port: u16) -> Child {
    let mut child = Command::new(videosdk_token())
        .args(["serve", "--api-key", "key", "--quiet", "--drain-time", "1s"])
        .arg("--listen")
        .arg(format!("127.0.0.1:{port}"))
        .env("VIDEOSDK_SECRET_KEY", SECRET)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("a replica starts");
    let mut line = String::new();
    BufReader::new(child.stderr.take().expect("stderr"))
        .read_line(&mut line)
        .expect("a line");
    assert!(line.starts_with("listening on"), "{line}");
    child
}

fn signal(child: &Child, name: &str) {
    let status = Command::new("kill")
        .args([&format!("-{name}"), &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
}

/// One `GET /get-token` through `addr`: the token, or `None` when the request failed.
fn get_token(addr: SocketAddr) -> Option<String> {
    let mut stream = TcpStream::connect(addr).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    stream
        .write_all(b"GET /get-token?roomId=abcd-efgh-ijkl HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .ok()?;
    let mut raw = String::new();
    stream.read_to_string(&mut raw).ok()?;
    if !raw.starts_with("HTTP/1.1 200") {
        return None;
    }
    let body = raw.split_once("\r\n\r\n")?.1;
    let doc: serde_json::Value = serde_json::from_str(body).ok()?;
    doc["token"].as_str().map(str::to_owned)
}

/// Tokens each replica issued, from its /metrics.
fn issued(port: u16) -> f64 {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return 0.0;
    };
    let _ =
        stream.write_all(b"GET /metrics HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    let mut raw = String::new();
    let _ = stream.read_to_string(&mut raw);
    raw.lines()
        .filter(|l| l.starts_with("videosdk_token_tokens_issued_total{"))
        .filter_map(|l| l.rsplit_once(' ').and_then(|(_, v)| v.parse::<f64>().ok()))
        .sum()
}

struct Load {
    ok: AtomicUsize,
    failed: AtomicUsize,
    tokens: Mutex<Vec<String>>,
}

/// Runs `requests` requests through `addr` on 8 threads; `during` runs meanwhile.
fn load(addr: SocketAddr, requests: usize, during: impl FnOnce()) -> (usize, usize, Vec<String>) {
    let state = Arc::new(Load {
        ok: AtomicUsize::new(0),
        failed: AtomicUsize::new(0),
        tokens: Mutex::new(Vec::new()),
    });
    let next = Arc::new(AtomicUsize::new(0));
    let workers: Vec<_> = (0..8)
        .map(|_| {
            let (state, next) = (Arc::clone(&state), Arc::clone(&next));
            std::thread::spawn(move || {
                while next.fetch_add(1, Ordering::Relaxed) < requests {
                    match get_token(addr) {
                        Some(token) => {
                            state.ok.fetch_add(1, Ordering::Relaxed);
                            state.tokens.lock().expect("tokens").push(token);
                        }
                        None => {
                            state.failed.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }
            })
        })
        .collect();
    during();
    for worker in workers {
        worker.join().expect("worker");
    }
    let tokens = std::mem::take(&mut *state.tokens.lock().expect("tokens"));
    (
        state.ok.load(Ordering::Relaxed),
        state.failed.load(Ordering::Relaxed),
        tokens,
    )
}

fn wait_until(limit: Duration, mut done: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < limit {
        if done() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

#[test]
fn replicas_behind_haproxy_survive_a_stop_and_a_kill() {
    let haproxy_found = Command::new("haproxy").arg("-v").output();
    assert!(
        haproxy_found.is_ok_and(|o| o.status.success()),
        "haproxy is missing: install it with `apt-get install haproxy` (scripts/test-all.sh does)"
    );
    let ports = [free_port(), free_port(), free_port()];
    let front: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().expect("addr");
    let mut replicas: Vec<Child> = ports.iter().map(|&p| replica(p)).collect();
    let config = videosdk_token_harness::root().join("deploy/haproxy.cfg");
    let mut haproxy = Command::new("haproxy")
        .arg("-db")
        .arg("-f")
        .arg(&config)
        .env("FRONT", front.to_string())
        .env("REPLICA1", format!("127.0.0.1:{}", ports[0]))
        .env("REPLICA2", format!("127.0.0.1:{}", ports[1]))
        .env("REPLICA3", format!("127.0.0.1:{}", ports[2]))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("haproxy starts");
    assert!(
        wait_until(Duration::from_secs(10), || get_token(front).is_some()),
        "nothing answers through HAProxy"
    );
    // Let every health check pass (rise 2 at 200 ms).
    std::thread::sleep(Duration::from_millis(800));

    // A graceful stop in the middle of the load: not one failure.
    let (ok, failed, tokens_a) = load(front, 3000, || {
        std::thread::sleep(Duration::from_millis(200));
        signal(&replicas[0], "TERM");
    });
    println!("SIGTERM: {ok} ok, {failed} failed");
    assert_eq!(
        failed,
        0,
        "{failed} of {} requests failed on SIGTERM",
        ok + failed
    );
    assert!(wait_until(Duration::from_secs(10), || replicas[0]
        .try_wait()
        .ok()
        .flatten()
        .is_some()));

    // A kill: a few requests may meet it before HAProxy retries elsewhere.
    let (ok_b, failed_b, tokens_b) = load(front, 3000, || {
        std::thread::sleep(Duration::from_millis(200));
        signal(&replicas[1], "KILL");
    });
    let share = failed_b as f64 / (ok_b + failed_b) as f64;
    println!(
        "SIGKILL: {ok_b} ok, {failed_b} failed ({:.3}%)",
        share * 100.0
    );
    assert!(
        share < 0.005,
        "{failed_b} of {} requests failed on SIGKILL",
        ok_b + failed_b
    );
    let _ = replicas[1].wait();

    // Both back on their ports: traffic spreads to them again.
    let _ = replicas[0].wait();
    replicas[0] = replica(ports[0]);
    replicas[1] = replica(ports[1]);
    std::thread::sleep(Duration::from_millis(1000));
    let (ok_c, failed_c, tokens_c) = load(front, 600, || {});
    assert_eq!(failed_c, 0);
    assert!(ok_c == 600);
    for &port in &ports {
        assert!(
            issued(port) > 0.0,
            "replica on {port} got no traffic after the restart"
        );
    }

    // Every token any replica issued verifies with the one shared secret.
    let key = Key::new(SECRET.as_bytes()).expect("key");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("time")
        .as_secs();
    let mut scratch = vec![0u8; 1024];
    for token in tokens_a.iter().chain(&tokens_b).chain(&tokens_c) {
        assert!(
            verify(token, &key, &Rules::at(now), &mut scratch).is_ok(),
            "{token}"
        );
    }

    let _ = haproxy.kill();
    let _ = haproxy.wait();
    for mut replica in replicas {
        let _ = replica.kill();
        let _ = replica.wait();
    }
}
