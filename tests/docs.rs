//! The shell examples of README.md and the guide in `docs/`, run by `trycmd` as written and
//! their output compared: every ```` ```console ```` block. A page sets its environment in one
//! `export` line (a ```` ```sh ```` block), read from the page itself; a page that talks to
//! `serve` starts it first, from the page's own `$ videosdk-token serve …` line (a
//! ```` ```console,ignore ```` block, since trycmd cannot leave a server running), on the port
//! the page names. `TRYCMD=overwrite cargo test --test docs` rewrites a stale output in place.

use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use videosdk_token_harness::binary::videosdk_token;

fn page(name: &str) -> PathBuf {
    videosdk_token_harness::root().join(name)
}

fn text(name: &str) -> String {
    std::fs::read_to_string(page(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The `KEY=value` pairs of the page's `export` line, if it has one.
fn exported(name: &str) -> Vec<(String, String)> {
    let text = text(name);
    let lines: Vec<&str> = text
        .lines()
        .filter_map(|l| l.strip_prefix("export "))
        .collect();
    assert!(
        lines.len() <= 1,
        "{name} should have one export line at most"
    );
    lines
        .iter()
        .flat_map(|l| l.split_whitespace())
        .map(|pair| {
            let (k, v) = pair.split_once('=').expect("KEY=value");
            (k.to_owned(), v.to_owned())
        })
        .collect()
}

/// The programs the examples call besides ours, from the system.
fn system_bin(name: &str) -> PathBuf {
    let out = Command::new("sh")
        .args(["-c", &format!("command -v {name}")])
        .output()
        .expect("sh runs");
    let path = String::from_utf8(out.stdout).expect("a path");
    assert!(
        out.status.success(),
        "{name} is needed by the guide's examples"
    );
    PathBuf::from(path.trim())
}

fn cases(page_name: &str) -> trycmd::TestCases {
    let cases = trycmd::TestCases::new();
    cases
        .register_bin("videosdk-token", videosdk_token())
        .register_bin("curl", system_bin("curl"))
        .register_bin("cat", system_bin("cat"))
        .register_bin("ls", system_bin("ls"))
        .register_bin("cargo", system_bin("cargo"))
        .env("NO_COLOR", "1")
        .timeout(Duration::from_secs(600));
    for (k, v) in exported(page_name) {
        cases.env(k, v);
    }
    cases.case(page(page_name));
    cases
}

/// `serve`, started from the page's `$ videosdk-token serve …` line with the page's
/// environment; stopped when dropped.
struct Served(Child);

impl Served {
    fn from_page(name: &str) -> Self {
        let text = text(name);
        let lines: Vec<&str> = text
            .lines()
            .filter_map(|l| l.strip_prefix("$ videosdk-token serve"))
            .collect();
        assert_eq!(lines.len(), 1, "{name} should start serve once");
        let args: Vec<&str> = lines[0].split_whitespace().collect();
        assert!(
            args.iter().all(|a| !a.contains(['"', '\'', '$'])),
            "{name}: the serve line is split on spaces: {args:?}"
        );
        // What the page shows after it, up to the address, is what serve prints first.
        let shown: Vec<String> = {
            let mut after = text
                .lines()
                .skip_while(|l| !l.starts_with("$ videosdk-token serve"))
                .skip(1);
            let mut shown = Vec::new();
            for line in after.by_ref() {
                shown.push(line.to_owned());
                if line.starts_with("listening on ") {
                    break;
                }
            }
            shown
        };
        let mut child = Command::new(videosdk_token())
            .arg("serve")
            .args(&args)
            .envs(exported(name))
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("serve starts");
        let mut stderr = BufReader::new(child.stderr.take().expect("stderr"));
        let printed: Vec<String> = shown
            .iter()
            .map(|_| {
                let mut line = String::new();
                stderr.read_line(&mut line).expect("serve writes");
                line.trim_end().to_owned()
            })
            .collect();
        assert_eq!(printed, shown, "{name}: what serve prints first");
        // Keep reading its log, as a terminal would.
        std::thread::spawn(move || std::io::copy(&mut stderr, &mut std::io::sink()));
        let address = shown
            .last()
            .and_then(|l| l.strip_prefix("listening on http://"))
            .expect("an address");
        let start = Instant::now();
        while TcpStream::connect(address).is_err() {
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "serve does not answer on {address} (is the port taken?)"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        Self(child)
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn the_guide_s_commands_print_what_it_shows() {
    // docs/cli.in holds the files the page's commands read; docs/inspector.out what
    // `inspect` must write (a sandbox); docs/firmware.in is the firmware's folder.
    for name in ["docs/cli.md", "docs/inspector.md", "docs/firmware.md"] {
        cases(name).run();
    }
}

/// The README and the serve page both listen on the page's port, one after the other.
#[test]
fn the_readme_and_the_serve_page_answer_as_shown() {
    for name in ["README.md", "docs/serve.md"] {
        let _served = Served::from_page(name);
        cases(name).run();
    }
}

/// A speed the guide or the README quotes is one the records hold: `benches/RESULTS.md`
/// (written by `benches/results.py`) or `benches/records/` (written by the load scripts and
/// the Node bench). Figures a test measures (sizes, stacks, instruction counts) are held by
/// those tests instead.
#[test]
fn quoted_speeds_come_from_the_records() {
    let mut records = text("benches/RESULTS.md");
    for entry in std::fs::read_dir(page("benches/records")).expect("benches/records") {
        let path = entry.expect("an entry").path();
        records += &std::fs::read_to_string(&path).expect("a record");
    }
    let speed = regex::Regex::new(
        r"(\d[\d,]*(?:\.\d+)?) ?(?:million tokens/s|M tokens/s|requests/s|req/s|ops/s|ns\b|µs\b|x the (?:HMAC )?floor)",
    )
    .expect("regex");
    let mut pages = vec![PathBuf::from("README.md")];
    for entry in std::fs::read_dir(page("docs")).expect("docs") {
        let path = entry.expect("an entry").path();
        if path.extension().is_some_and(|e| e == "md") {
            pages.push(path.strip_prefix(page("")).expect("inside").to_owned());
        }
    }
    let mut quoted = 0;
    let mut missing = Vec::new();
    for name in &pages {
        let name = name.to_str().expect("a UTF-8 path");
        for found in speed.captures_iter(&text(name)) {
            quoted += 1;
            if !records.contains(&found[1]) {
                missing.push(format!("{name}: {}", &found[0]));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "figures no record holds (quote benches/RESULTS.md or benches/records/, or link them):\n{}",
        missing.join("\n")
    );
    println!("{quoted} quoted speeds, each in a record");
}
