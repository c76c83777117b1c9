//! The built `videosdk-token` binary, run as a user runs it: every command, flag, error path
//! and exit code; `sign` and `batch` byte for byte against the Node golden vectors.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use assert_cmd::assert::Assert;
use videosdk_token_harness::binary::videosdk_token;
use videosdk_token_harness::reference;
use videosdk_token_harness::vectors::{self, Vector};

const SECRET: &str = "cli-test-secret-0123456789abcdef-0123456789";
const IAT: u64 = 1_700_000_000;

/// A command with a clean environment (no VIDEOSDK_* from the caller) in an empty directory.
fn cli(dir: &Path) -> Command {
    let mut cmd = Command::new(videosdk_token());
    cmd.current_dir(dir)
        .env_remove("VIDEOSDK_SECRET_KEY")
        .env_remove("VIDEOSDK_API_KEY");
    cmd
}

fn run(cmd: &mut Command) -> Assert {
    assert_cmd::Command::from_std(std::mem::replace(cmd, Command::new("true"))).assert()
}

fn with_stdin(cmd: &mut Command, input: &[u8]) -> Assert {
    let mut cmd = assert_cmd::Command::from_std(std::mem::replace(cmd, Command::new("true")));
    cmd.write_stdin(input.to_vec());
    cmd.assert()
}

fn out(assert: &Assert) -> String {
    String::from_utf8_lossy(&assert.get_output().stdout).into_owned()
}

fn err(assert: &Assert) -> String {
    String::from_utf8_lossy(&assert.get_output().stderr).into_owned()
}

fn code(assert: &Assert) -> i32 {
    assert.get_output().status.code().unwrap_or(-1)
}

fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

/// `sign` flags for a vector, or `None` when a value cannot be an argument (a NUL byte).
fn sign_args(vector: &Vector) -> Option<Vec<String>> {
    let c = &vector.claims;
    let mut args = vec!["sign".to_owned(), "--api-key".to_owned(), c.apikey.clone()];
    for p in &c.permissions {
        args.extend(["--permission".to_owned(), p.clone()]);
    }
    if c.version == Some(2) {
        args.push("--v2".to_owned());
    }
    if let Some(room) = &c.room_id {
        args.extend(["--room-id".to_owned(), room.clone()]);
    }
    if let Some(participant) = &c.participant_id {
        args.extend(["--participant-id".to_owned(), participant.clone()]);
    }
    for r in c.roles.iter().flatten() {
        args.extend(["--role".to_owned(), r.clone()]);
    }
    let expires = match &vector.expires_in {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    args.extend([
        "--expires-in".to_owned(),
        expires,
        "--iat".to_owned(),
        c.iat.to_string(),
    ]);
    if vector.secret.len() < 32 {
        args.push("--allow-short-secret".to_owned());
    }
    args.iter().all(|a| !a.contains('\0')).then_some(args)
}

#[test]
fn sign_matches_every_node_vector_byte_for_byte() {
    let dir = tempdir();
    let doc = vectors::load();
    let mut checked = 0;
    for vector in &doc.vectors {
        let Some(args) = sign_args(vector) else {
            continue; // NUL cannot be an argument; `batch` covers these vectors.
        };
        let assert = run(cli(dir.path())
            .args(&args)
            .env("VIDEOSDK_SECRET_KEY", &vector.secret));
        assert_eq!(code(&assert), 0, "{}: {}", vector.name, err(&assert));
        assert_eq!(
            out(&assert),
            format!("{}\n", vector.token),
            "{}",
            vector.name
        );
        assert_eq!(err(&assert), "", "{}", vector.name);
        checked += 1;
    }
    assert!(
        checked >= doc.vectors.len() - 3,
        "only {checked} vectors checked"
    );
}

#[test]
fn batch_matches_every_node_vector_byte_for_byte() {
    let dir = tempdir();
    let doc = vectors::load();
    let mut secrets: Vec<&str> = doc.vectors.iter().map(|v| v.secret.as_str()).collect();
    secrets.sort_unstable();
    secrets.dedup();
    for secret in secrets {
        let group: Vec<&Vector> = doc.vectors.iter().filter(|v| v.secret == secret).collect();
        let mut input = String::new();
        for v in &group {
            let c = &v.claims;
            let line = serde_json::json!({
                "permissions": c.permissions, "roomId": c.room_id, "participantId": c.participant_id,
                "roles": c.roles, "version": c.version, "expiresIn": v.expires_in, "iat": c.iat,
            });
            // Drop nulls: an absent key keeps the default.
            let line: serde_json::Map<String, serde_json::Value> = line
                .as_object()
                .expect("object")
                .iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            input += &format!("{}\n", serde_json::Value::Object(line));
        }
        // One run per API key; a NUL cannot be an argument, so that key is the core's to test.
        let apikeys: std::collections::BTreeSet<&str> =
            group.iter().map(|v| v.claims.apikey.as_str()).collect();
        for apikey in apikeys.into_iter().filter(|k| !k.contains('\0')) {
            let lines: Vec<(&Vector, &str)> = group
                .iter()
                .zip(input.lines())
                .filter(|(v, _)| v.claims.apikey == apikey)
                .map(|(v, l)| (*v, l))
                .collect();
            let text: String = lines.iter().map(|(_, l)| format!("{l}\n")).collect();
            let assert = with_stdin(
                cli(dir.path())
                    .args([
                        "batch",
                        "--api-key",
                        apikey,
                        "--permission",
                        "allow_join",
                        "--allow-short-secret",
                    ])
                    .env("VIDEOSDK_SECRET_KEY", secret),
                text.as_bytes(),
            );
            assert_eq!(code(&assert), 0, "{}", err(&assert));
            let got = out(&assert);
            let tokens: Vec<&str> = got.lines().collect();
            assert_eq!(tokens.len(), lines.len());
            for ((vector, _), token) in lines.iter().zip(tokens) {
                assert_eq!(token, vector.token, "{}", vector.name);
            }
        }
    }
}

fn sign_ok(dir: &Path, extra: &[&str]) -> String {
    let assert = run(cli(dir)
        .args(["sign", "--api-key", "key"])
        .args(extra)
        .env("VIDEOSDK_SECRET_KEY", SECRET));
    assert_eq!(code(&assert), 0, "{}", err(&assert));
    out(&assert).trim_end().to_owned()
}

#[test]
fn sign_flags_and_json() {
    let dir = tempdir();
    let token = sign_ok(
        dir.path(),
        &[
            "--iat",
            "1700000000",
            "--permission",
            "ask_join,allow_mod",
            "--role",
            "crawler",
            "--role",
            "rtc",
            "--room-id",
            "r",
            "--participant-id",
            "p",
            "--expires-in",
            "90",
        ],
    );
    let assert = run(cli(dir.path()).args(["decode", "--json", &token]));
    let doc: serde_json::Value = serde_json::from_str(&out(&assert)).expect("json");
    assert_eq!(
        doc["payload"],
        serde_json::json!({"apikey":"key","permissions":["ask_join","allow_mod"],"version":2,"roomId":"r","participantId":"p","roles":["crawler","rtc"],"iat":IAT,"exp":IAT+90})
    );
    let plain = sign_ok(dir.path(), &["--iat", "1700000000", "--v2"]);
    let assert = run(cli(dir.path()).args(["decode", "--json", &plain]));
    let doc: serde_json::Value = serde_json::from_str(&out(&assert)).expect("json");
    assert_eq!(doc["payload"]["version"], 2);
    assert_eq!(
        doc["payload"]["exp"],
        IAT + 7200,
        "default lifetime is 120m"
    );

    let json = sign_ok(dir.path(), &["--iat", "1700000000", "--json"]);
    let doc: serde_json::Value = serde_json::from_str(&json).expect("json");
    assert_eq!(doc["expiresAt"], IAT + 7200);
    assert!(
        doc["token"]
            .as_str()
            .expect("token")
            .starts_with("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.")
    );

    // Without --iat the token is issued now.
    let before = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    let now_token = sign_ok(dir.path(), &["--json"]);
    let doc: serde_json::Value = serde_json::from_str(&now_token).expect("json");
    let exp = doc["expiresAt"].as_u64().expect("exp");
    assert!(exp >= before + 7200 && exp <= before + 7200 + 5);
}

#[test]
fn sign_input_errors_exit_2_with_one_clear_line() {
    let dir = tempdir();
    let cases: &[(&[&str], &str)] = &[
        (
            &["--expires-in", "2 fortnights"],
            "--expires-in \"2 fortnights\": invalid duration",
        ),
        (
            &["--expires-in", "0"],
            "lifetime must be at least one second",
        ),
        (
            &["--expires-in", "-1h"],
            "lifetime must be at least one second",
        ),
        (&["--expires-in", "1.5"], "invalid duration"),
        (
            &["--permission", "allow_everything"],
            "invalid value 'allow_everything' for '--permission <P>'",
        ),
        (
            &["--role", "admin"],
            "invalid value 'admin' for '--role <R>'",
        ),
        (&["--v2=3"], "--v2"),
        (
            &["--permission", "allow_join,allow_join"],
            "a permission is listed twice",
        ),
        (&["--room-id", ""], "roomId is empty"),
        (
            &["--iat", "9007199254740991"],
            "expiry time passes 2^53 - 1 seconds",
        ),
        (
            &["--iat", "soon"],
            "invalid value 'soon' for '--iat <UNIX>'",
        ),
    ];
    for (args, message) in cases {
        let assert = run(cli(dir.path())
            .args(["sign", "--api-key", "k"])
            .args(*args)
            .env("VIDEOSDK_SECRET_KEY", SECRET));
        assert_eq!(code(&assert), 2, "{args:?}");
        assert_eq!(out(&assert), "", "{args:?}");
        assert!(err(&assert).contains(message), "{args:?}: {}", err(&assert));
    }
    let assert = run(cli(dir.path())
        .args(["sign", "--api-key", ""])
        .env("VIDEOSDK_SECRET_KEY", SECRET));
    assert_eq!((code(&assert), err(&assert).trim()), (2, "apikey is empty"));
}

#[test]
fn secrets_come_from_env_file_stdin_and_dotenv_never_argv() {
    let dir = tempdir();
    let expected = sign_ok(dir.path(), &["--iat", "1700000000"]);

    // --secret-file, with a trailing newline.
    let file = dir.path().join("secret.txt");
    std::fs::write(&file, format!("{SECRET}\n")).expect("write");
    #[cfg(unix)]
    std::os::unix::fs::PermissionsExt::set_mode(
        &mut std::fs::metadata(&file).expect("meta").permissions(),
        0o600,
    );
    let assert = run(cli(dir.path())
        .args([
            "sign",
            "--api-key",
            "key",
            "--iat",
            "1700000000",
            "--secret-file",
        ])
        .arg(&file));
    assert_eq!(out(&assert).trim_end(), expected);

    // --secret-stdin, with CRLF.
    let assert = with_stdin(
        cli(dir.path()).args([
            "sign",
            "--api-key",
            "key",
            "--iat",
            "1700000000",
            "--secret-stdin",
        ]),
        format!("{SECRET}\r\n").as_bytes(),
    );
    assert_eq!(out(&assert).trim_end(), expected, "{}", err(&assert));

    // .env in the working directory, for both the API key and the secret.
    let env_dir = tempdir();
    let dotenv = env_dir.path().join(".env");
    std::fs::write(
        &dotenv,
        format!("# VideoSDK\nVIDEOSDK_API_KEY=key\nVIDEOSDK_SECRET_KEY=\"{SECRET}\"\n"),
    )
    .expect("write");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&dotenv, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    }
    let assert = run(cli(env_dir.path()).args(["sign", "--iat", "1700000000"]));
    assert_eq!(out(&assert).trim_end(), expected, "{}", err(&assert));
    assert_eq!(err(&assert), "");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&dotenv, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        let assert = run(cli(env_dir.path()).args(["sign", "--iat", "1700000000"]));
        assert_eq!(out(&assert).trim_end(), expected);
        assert!(
            err(&assert).contains("warning: .env is readable by other users"),
            "{}",
            err(&assert)
        );
    }
    // The environment wins over .env.
    let assert = run(cli(env_dir.path())
        .args(["sign", "--iat", "1700000000"])
        .env("VIDEOSDK_SECRET_KEY", "another-secret-another-secret-0000"));
    assert_ne!(out(&assert).trim_end(), expected);

    // A secret on the command line is refused, and not repeated back.
    for flag in ["--secret", "--secret-key", "--api-secret"] {
        for cmd in [
            vec!["sign", "--api-key", "k"],
            vec!["verify", &expected],
            vec!["batch", "--api-key", "k"],
        ] {
            let assert = run(cli(dir.path())
                .args(&cmd)
                .args([flag, "TOP-SECRET-VALUE-0123456789abcdef-xyz"]));
            assert_eq!(code(&assert), 2, "{cmd:?} {flag}");
            assert!(
                err(&assert).contains("refusing a secret given on the command line"),
                "{}",
                err(&assert)
            );
            assert!(!err(&assert).contains("TOP-SECRET") && !out(&assert).contains("TOP-SECRET"));
        }
    }

    // Missing, short and empty secrets.
    let assert = run(cli(dir.path()).args(["sign", "--api-key", "k"]));
    assert_eq!(code(&assert), 2);
    assert!(err(&assert).contains("no secret: set VIDEOSDK_SECRET_KEY"));
    let assert = run(cli(dir.path())
        .args(["sign", "--api-key", "k"])
        .env("VIDEOSDK_SECRET_KEY", "short"));
    assert_eq!(code(&assert), 2);
    assert!(err(&assert).contains("the secret is 5 bytes; HS256 needs at least 32"));
    assert!(!err(&assert).contains("short\n"));
    let assert = run(cli(dir.path())
        .args(["sign", "--api-key", "k", "--allow-short-secret"])
        .env("VIDEOSDK_SECRET_KEY", "short"));
    assert_eq!(code(&assert), 0);
    let assert = run(cli(dir.path())
        .args(["sign", "--api-key", "k"])
        .env("VIDEOSDK_SECRET_KEY", ""));
    assert!(err(&assert).contains("the secret is empty"));
    let assert = run(cli(dir.path())
        .args(["sign"])
        .env("VIDEOSDK_SECRET_KEY", SECRET));
    assert!(err(&assert).contains("no API key"));
    let assert = run(cli(dir.path()).args([
        "sign",
        "--api-key",
        "k",
        "--secret-file",
        "/nonexistent/secret",
    ]));
    assert!(err(&assert).contains("cannot read --secret-file /nonexistent/secret"));
}

#[test]
fn verify_accepts_and_refuses_with_reasons() {
    let dir = tempdir();
    let token = sign_ok(
        dir.path(),
        &[
            "--iat",
            "1700000000",
            "--room-id",
            "room-1",
            "--participant-id",
            "alice",
            "--role",
            "rtc",
            "--permission",
            "allow_join,allow_mod",
        ],
    );
    let verify = |extra: &[&str]| {
        run(cli(dir.path())
            .arg("verify")
            .arg(&token)
            .args(extra)
            .env("VIDEOSDK_SECRET_KEY", SECRET))
    };

    let assert = verify(&["--now", "1700000060"]);
    assert_eq!(code(&assert), 0, "{}", err(&assert));
    assert_eq!(
        out(&assert),
        "valid token for API key key\n  room:         room-1\n  participant:  alice\n  permissions:  allow_join, allow_mod\n  roles:        rtc\n  may:          join directly, moderate\n  expires:      2023-11-15 00:13:20 UTC (in 1h 59m)\n"
    );
    let refusals: &[(&[&str], &str)] = &[
        (&["--now", "1700007200"], "token has expired"),
        (&["--now", "1700099999"], "token has expired"),
        (
            &["--now", "1700000060", "--room-id", "room-2"],
            "token is for another room",
        ),
        (
            &[
                "--now",
                "1700000060",
                "--room-id",
                "room-1",
                "--participant-id",
                "bob",
            ],
            "token is for another participant",
        ),
        (
            &["--now", "1700000060", "--for", "api"],
            "token is for meetings only (role rtc)",
        ),
    ];
    for (extra, reason) in refusals {
        let assert = verify(extra);
        assert_eq!(code(&assert), 1, "{extra:?}");
        assert_eq!(
            err(&assert),
            format!("Token is invalid or expired: {reason}\n"),
            "{extra:?}"
        );
        assert_eq!(out(&assert), "");
    }
    assert_eq!(code(&verify(&["--now", "1700007200", "--leeway", "1"])), 0);
    assert_eq!(code(&verify(&["--now", "1700007205", "--leeway", "5s"])), 1);
    assert_eq!(code(&verify(&["--now", "1700007205", "--leeway", "1m"])), 0);
    assert_eq!(
        code(&verify(&["--now", "1700000060", "--for", "meeting"])),
        0
    );
    let assert = verify(&["--leeway", "soon"]);
    assert_eq!(code(&assert), 2);
    assert!(
        err(&assert).contains("invalid value 'soon' for '--leeway"),
        "{}",
        err(&assert)
    );

    // JSON summary.
    let assert = verify(&["--now", "1700000060", "--json"]);
    let doc: serde_json::Value = serde_json::from_str(&out(&assert)).expect("json");
    assert_eq!(doc["valid"], true);
    assert_eq!(doc["join"], "directly");
    assert_eq!(doc["serverApi"], false);
    assert_eq!(doc["expiresIn"], 7140);

    // A refusal with --json: JSON on stdout as well, and still exit 1.
    let assert = verify(&["--now", "1700007200", "--json"]);
    assert_eq!(code(&assert), 1);
    let doc: serde_json::Value = serde_json::from_str(&out(&assert)).expect("json");
    assert_eq!(
        doc,
        serde_json::json!({"valid": false, "reason": "Token is invalid or expired: token has expired"})
    );

    // Token from standard input.
    let assert = with_stdin(
        cli(dir.path())
            .args(["verify", "-", "--now", "1700000060"])
            .env("VIDEOSDK_SECRET_KEY", SECRET),
        format!("{token}\n").as_bytes(),
    );
    assert_eq!(code(&assert), 0, "{}", err(&assert));
    let assert = with_stdin(
        cli(dir.path()).args(["verify", "-", "--secret-stdin"]),
        token.as_bytes(),
    );
    assert_eq!(code(&assert), 2);
    assert!(
        err(&assert)
            .contains("--secret-stdin cannot be used when the token is read from standard input")
    );

    // Tampering, other secrets, garbage.
    let tampered = token.replacen("eyJhcGlrZXki", "eyJhcGlrZXkj", 1);
    let cases = [
        (tampered.as_str(), SECRET, "signature does not match"),
        (
            token.as_str(),
            "another-secret-another-secret-0000",
            "signature does not match",
        ),
        (
            "not-a-token",
            SECRET,
            "token is not three dot-separated segments",
        ),
        ("a.b.c", SECRET, "token segment is not base64url"),
    ];
    for (token, secret, reason) in cases {
        let assert = run(cli(dir.path())
            .args(["verify", token, "--now", "1700000060"])
            .env("VIDEOSDK_SECRET_KEY", secret));
        assert_eq!(code(&assert), 1);
        assert_eq!(
            err(&assert),
            format!("Token is invalid or expired: {reason}\n")
        );
    }
    let huge = "a".repeat(100 * 1024);
    let assert = with_stdin(
        cli(dir.path())
            .args(["verify", "-"])
            .env("VIDEOSDK_SECRET_KEY", SECRET),
        huge.as_bytes(),
    );
    assert_eq!(code(&assert), 2);
    assert!(err(&assert).contains("longer than 65536 bytes"));
}

#[test]
fn decode_shows_claims_times_and_warnings_without_a_secret() {
    let dir = tempdir();
    let token = sign_ok(
        dir.path(),
        &[
            "--iat",
            "1700000000",
            "--role",
            "crawler",
            "--expires-in",
            "3d",
        ],
    );
    let assert = run(cli(dir.path()).args(["decode", &token, "--now", "1700086400"]));
    assert_eq!(code(&assert), 0, "{}", err(&assert));
    let text = out(&assert);
    assert!(text.starts_with("The signature was NOT checked"), "{text}");
    assert!(
        text.contains("\"roles\": [\n    \"crawler\"\n  ]"),
        "{text}"
    );
    assert!(
        text.contains("issued:     2023-11-14 22:13:20 UTC (1 day 0h ago)"),
        "{text}"
    );
    assert!(
        text.contains("expires:    2023-11-17 22:13:20 UTC (in 2 days)"),
        "{text}"
    );
    assert!(text.contains("cannot join a meeting"), "{text}");
    assert!(
        text.contains("lifetime of 3 days is longer than a day"),
        "{text}"
    );

    let assert = run(cli(dir.path()).args(["decode", "--json", &token, "--now", "1700400000"]));
    let doc: serde_json::Value = serde_json::from_str(&out(&assert)).expect("json");
    assert_eq!(doc["signatureChecked"], false);
    assert_eq!(
        doc["header"],
        serde_json::json!({"alg": "HS256", "typ": "JWT"})
    );
    assert_eq!(doc["times"]["exp"]["relative"], "1 day 15h ago");
    assert!(
        doc["warnings"]
            .as_array()
            .expect("warnings")
            .iter()
            .any(|w| w.as_str().is_some_and(|w| w.starts_with("expired")))
    );

    for bad in ["nope", "a.b", "!!!.e30.x"] {
        let assert = run(cli(dir.path()).args(["decode", bad]));
        assert_eq!(code(&assert), 2, "{bad}");
        assert!(
            err(&assert).starts_with("cannot decode the token: "),
            "{}",
            err(&assert)
        );
    }
    let assert = with_stdin(cli(dir.path()).args(["decode", "-"]), token.as_bytes());
    assert_eq!(code(&assert), 0);
}

fn batch_input(lines: usize) -> String {
    (0..lines)
        .map(|i| {
            format!(
                "{{\"roomId\":\"room-{i}\",\"participantId\":\"p-{}\",\"iat\":{}}}\n",
                i % 7,
                IAT + i as u64
            )
        })
        .collect()
}

#[test]
fn batch_keeps_input_order_on_many_threads() {
    let dir = tempdir();
    let input = batch_input(10_000);
    let mut outputs = Vec::new();
    for threads in ["1", "2", "8"] {
        let assert = with_stdin(
            cli(dir.path())
                .args([
                    "batch",
                    "--api-key",
                    "key",
                    "--threads",
                    threads,
                    "--expires-in",
                    "1h",
                ])
                .env("VIDEOSDK_SECRET_KEY", SECRET),
            input.as_bytes(),
        );
        assert_eq!(code(&assert), 0, "{}", err(&assert));
        outputs.push(out(&assert));
    }
    assert_eq!(outputs[0], outputs[1]);
    assert_eq!(outputs[0], outputs[2]);
    // Each line is the token `sign` makes for the same inputs.
    let lines: Vec<&str> = outputs[0].lines().collect();
    assert_eq!(lines.len(), 10_000);
    for i in [0usize, 1, 4095, 4096, 4097, 9999] {
        let expected = sign_ok(
            dir.path(),
            &[
                "--room-id",
                &format!("room-{i}"),
                "--participant-id",
                &format!("p-{}", i % 7),
                "--iat",
                &(IAT + i as u64).to_string(),
                "--expires-in",
                "1h",
            ],
        );
        assert_eq!(lines[i], expected, "line {}", i + 1);
    }
}

#[test]
fn batch_overrides_json_output_and_files() {
    let dir = tempdir();
    let input = dir.path().join("in.jsonl");
    std::fs::write(&input, "{}\n{\"permissions\":[\"ask_join\"],\"expiresIn\":\"15m\",\"iat\":1700000000}\n{\"roles\":[\"crawler\"],\"expiresIn\":60,\"iat\":1700000000,\"version\":2}\r\n").expect("write");
    let output = dir.path().join("out.jsonl");
    let assert = run(cli(dir.path())
        .args([
            "batch",
            "--api-key",
            "key",
            "--json",
            "--iat",
            "1690000000",
            "--input",
        ])
        .arg(&input)
        .arg("--output")
        .arg(&output)
        .env("VIDEOSDK_SECRET_KEY", SECRET));
    assert_eq!(code(&assert), 0, "{}", err(&assert));
    assert_eq!(out(&assert), "");
    let written = std::fs::read_to_string(&output).expect("output file");
    let docs: Vec<serde_json::Value> = written
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    assert_eq!(docs.len(), 3);
    assert_eq!(docs[0]["expiresAt"], 1_690_000_000 + 7200);
    assert_eq!(docs[1]["expiresAt"], IAT + 900);
    assert_eq!(docs[2]["expiresAt"], IAT + 60);
    let second = sign_ok(
        dir.path(),
        &[
            "--permission",
            "ask_join",
            "--expires-in",
            "15m",
            "--iat",
            "1700000000",
        ],
    );
    assert_eq!(docs[1]["token"], second);
}

#[test]
fn batch_stops_at_a_bad_line_and_leaves_no_output_file() {
    let dir = tempdir();
    let output = dir.path().join("tokens.txt");
    let good = batch_input(5000);
    let cases = [
        (
            format!("{good}{{\"roomID\":\"typo\"}}\n"),
            "line 5001: column 9: unknown field `roomID`",
        ),
        (format!("{good}not json\n"), "line 5001: not a JSON object"),
        (format!("{good}\n{{}}\n"), "line 5001: empty"),
        (
            format!("{{}}\n{{\"roles\":[\"admin\"]}}\n{good}"),
            "line 2: unknown role `admin`",
        ),
        (
            "{\"permissions\":[]}\n".to_owned(),
            "line 1: permissions are empty",
        ),
        (
            "{\"expiresIn\":\"soon\"}\n".to_owned(),
            "line 1: expiresIn `soon`: invalid duration",
        ),
        ("{\"version\":1}\n".to_owned(), "line 1: version must be 2"),
        (
            format!(
                "{{}}\n{{\"roomId\":\"{}\"}}\n",
                "x".repeat(10 * 1024 * 1024)
            ),
            "line 2: longer than 64 KiB",
        ),
    ];
    for (input, message) in cases {
        let assert = with_stdin(
            cli(dir.path())
                .args(["batch", "--api-key", "key", "--output"])
                .arg(&output)
                .env("VIDEOSDK_SECRET_KEY", SECRET),
            input.as_bytes(),
        );
        assert_eq!(code(&assert), 2, "{message}");
        assert!(
            err(&assert).starts_with(message),
            "{message}: {}",
            err(&assert)
        );
        assert!(!output.exists(), "{message}: partial output left behind");
        let leftovers: Vec<_> = std::fs::read_dir(dir.path()).expect("dir").collect();
        assert!(
            leftovers.is_empty(),
            "{message}: temporary files left behind"
        );
    }
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    let dir = tempdir();
    let mut child = cli(dir.path())
        .args(["batch", "--api-key", "key"])
        .env("VIDEOSDK_SECRET_KEY", SECRET)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut stdin = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || {
        let input = batch_input(200_000);
        let _ = stdin.write_all(input.as_bytes());
    });
    let mut stdout = child.stdout.take().expect("stdout");
    let mut first = [0u8; 100];
    std::io::Read::read_exact(&mut stdout, &mut first).expect("some output");
    drop(stdout);
    let output = child.wait_with_output().expect("exits");
    let _ = writer.join();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
}

#[test]
fn help_explains_secrets_and_exit_codes() {
    let dir = tempdir();
    for cmd in [
        &["--help"][..],
        &["sign", "--help"],
        &["verify", "--help"],
        &["batch", "--help"],
        &["decode", "--help"],
    ] {
        let assert = run(cli(dir.path()).args(cmd));
        assert_eq!(code(&assert), 0, "{cmd:?}");
        assert!(
            !out(&assert).contains("--secret <"),
            "the refused flag stays hidden"
        );
    }
    let assert = run(cli(dir.path()).args(["sign", "--help"]));
    let text = out(&assert);
    for needle in [
        "VIDEOSDK_SECRET_KEY",
        "--secret-file",
        "Exit codes: 0 ok, 1 token refused, 2 usage or input error",
        "[default: 120m]",
        "[default: allow_join]",
    ] {
        assert!(text.contains(needle), "{needle}");
    }
    let assert = run(cli(dir.path()).args(["frobnicate"]));
    assert_eq!(code(&assert), 2);
    let assert = run(cli(dir.path()).args(["--version"]));
    assert_eq!(
        out(&assert),
        format!(
            "videosdk-token {}\n",
            videosdk_token_harness::binary::version()
        )
    );
}

/// A secret typed at a terminal (`--secret-stdin` on a tty) is read without echo.
#[test]
fn a_secret_typed_at_a_terminal_is_not_echoed() {
    let dir = tempdir();
    let command = format!(
        "{} sign --api-key key --iat 1700000000 --secret-stdin",
        videosdk_token().display()
    );
    // `script` gives the program a pseudo-terminal, as an interactive shell would.
    let mut child = Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .current_dir(dir.path())
        .env_remove("VIDEOSDK_SECRET_KEY")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("script (util-linux) runs");
    let mut stdout = child.stdout.take().expect("stdout");
    let mut seen = Vec::new();
    let mut byte = [0u8; 1];
    while !String::from_utf8_lossy(&seen).contains("Secret (not shown): ") {
        let n = std::io::Read::read(&mut stdout, &mut byte).expect("read");
        assert_eq!(n, 1, "no prompt: {}", String::from_utf8_lossy(&seen));
        seen.push(byte[0]);
    }
    // Echo is switched off right after the prompt is written.
    std::thread::sleep(std::time::Duration::from_millis(300));
    let mut stdin = child.stdin.take().expect("stdin");
    stdin
        .write_all(format!("{SECRET}\n").as_bytes())
        .expect("type");
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stdout, &mut rest).expect("output");
    drop(stdin);
    let _ = child.wait();
    assert!(!rest.contains(SECRET), "the secret was echoed: {rest:?}");
    let expected = sign_ok(dir.path(), &["--iat", "1700000000"]);
    assert!(rest.contains(&expected), "{rest:?}");
}

/// A recognisable secret never appears in any output or error, and every command refuses it
/// on the command line.
#[test]
fn the_secret_never_appears_in_any_output() {
    const CANARY: &str = "CANARY-SECRET-do-not-print-0123456789abcdef";
    let dir = tempdir();
    let with = |args: &[&str], stdin: &[u8]| {
        let mut cmd = cli(dir.path());
        cmd.args(args)
            .env("VIDEOSDK_SECRET_KEY", CANARY)
            .env("VIDEOSDK_API_KEY", "key");
        with_stdin(&mut cmd, stdin)
    };
    let token = out(&with(&["sign", "--iat", "1700000000"], b""))
        .trim()
        .to_owned();
    let tampered = token.replacen("eyJhcGlrZXki", "eyJhcGlrZXkj", 1);
    let runs: Vec<(Vec<&str>, Vec<u8>)> = vec![
        (vec!["sign"], vec![]),
        (vec!["sign", "--json"], vec![]),
        (vec!["sign", "--expires-in", "never"], vec![]),
        (vec!["sign", "--permission", "root"], vec![]),
        (
            vec!["sign", "--secret-stdin"],
            format!("{CANARY}\n").into_bytes(),
        ),
        (vec!["sign", "--secret-stdin"], b"short\n".to_vec()),
        (vec!["verify", &token], vec![]),
        (vec!["verify", &token, "--now", "1800000000"], vec![]),
        (vec!["verify", &tampered], vec![]),
        (vec!["verify", "garbage"], vec![]),
        (vec!["verify", "-", "--json"], token.clone().into_bytes()),
        (vec!["decode", &token], vec![]),
        (vec!["decode", "--json", &token], vec![]),
        (vec!["batch"], b"{}\n{\"roomId\":\"r\"}\n".to_vec()),
        (vec!["batch", "--json"], b"{}\nnot json\n".to_vec()),
        (vec!["sign", "--help"], vec![]),
    ];
    for (args, stdin) in &runs {
        let assert = with(args, stdin);
        let all = format!("{}{}", out(&assert), err(&assert));
        assert!(!all.contains(CANARY), "{args:?} printed the secret");
        assert!(
            !all.contains("CANARY"),
            "{args:?} printed part of the secret"
        );
    }
    // On the command line: refused by every command, without repeating it.
    for command in [
        &["sign"][..],
        &["verify", &token],
        &["batch"],
        &["decode", &token],
    ] {
        for flag in ["--secret", "--secret-key", "--api-secret"] {
            let mut cmd = cli(dir.path());
            cmd.args(command).args([flag, CANARY]);
            let assert = run(&mut cmd);
            assert_eq!(code(&assert), 2, "{command:?} {flag}");
            let all = format!("{}{}", out(&assert), err(&assert));
            assert!(
                !all.contains("CANARY"),
                "{command:?} {flag} printed the secret: {all}"
            );
            // The refusal itself, not clap's unknown-argument error.
            assert!(
                err(&assert).starts_with("refusing a secret given on the command line"),
                "{command:?} {flag}: {}",
                err(&assert)
            );
        }
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.trim_ascii() == b"0")
}

/// `--output` replaces a regular file atomically, writes through a symbolic link to the file
/// it names (the link stays), and writes devices and FIFOs directly (they stay what they are).
#[test]
fn batch_output_writes_through_links_fifos_and_devices() {
    use std::os::unix::fs::{FileTypeExt, PermissionsExt};
    let dir = tempdir();
    let batch = |output: &Path| {
        with_stdin(
            cli(dir.path())
                .args([
                    "batch",
                    "--api-key",
                    "key",
                    "--iat",
                    "1700000000",
                    "--output",
                ])
                .arg(output)
                .env("VIDEOSDK_SECRET_KEY", SECRET),
            b"{}\n{\"roomId\":\"r\"}\n",
        )
    };
    let reference = dir.path().join("reference.txt");
    assert_eq!(code(&batch(&reference)), 0);
    let expected = std::fs::read(&reference).expect("reference");
    assert_eq!(expected.iter().filter(|&&b| b == b'\n').count(), 2);

    // A symbolic link (relative, through a second link): the target is replaced, and keeps
    // its mode; the links stay links.
    let target = dir.path().join("target.txt");
    std::fs::write(&target, "old\n").expect("write");
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o640)).expect("chmod");
    std::os::unix::fs::symlink("target.txt", dir.path().join("inner")).expect("link");
    let link = dir.path().join("link.txt");
    std::os::unix::fs::symlink("inner", &link).expect("link");
    let assert = batch(&link);
    assert_eq!(code(&assert), 0, "{}", err(&assert));
    assert!(
        std::fs::symlink_metadata(&link)
            .expect("meta")
            .file_type()
            .is_symlink()
    );
    assert_eq!(std::fs::read(&target).expect("target"), expected);
    let mode = std::fs::metadata(&target)
        .expect("meta")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o640);

    // A dangling link: its target is created.
    let dangling = dir.path().join("dangling");
    std::os::unix::fs::symlink("created.txt", &dangling).expect("link");
    assert_eq!(code(&batch(&dangling)), 0);
    assert_eq!(
        std::fs::read(dir.path().join("created.txt")).expect("created"),
        expected
    );
    assert!(
        std::fs::symlink_metadata(&dangling)
            .expect("meta")
            .file_type()
            .is_symlink()
    );

    // A FIFO: a reader on the other end gets the tokens, and the FIFO stays a FIFO.
    let fifo = dir.path().join("fifo");
    let made = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
    assert!(made.success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read(fifo).expect("read the FIFO"))
    };
    let assert = batch(&fifo);
    assert_eq!(code(&assert), 0, "{}", err(&assert));
    assert_eq!(reader.join().expect("reader"), expected);
    assert!(
        std::fs::metadata(&fifo)
            .expect("meta")
            .file_type()
            .is_fifo()
    );

    // A directory is refused by name.
    let assert = batch(dir.path());
    assert_eq!(code(&assert), 2);
    assert!(err(&assert).contains("is a directory"), "{}", err(&assert));

    // /dev/null stays a character device (only root could replace it).
    let assert = batch(Path::new("/dev/null"));
    assert_eq!(code(&assert), 0, "{}", err(&assert));
    let null = std::fs::metadata("/dev/null").expect("/dev/null");
    assert!(null.file_type().is_char_device(), "/dev/null was replaced");
    if is_root() {
        assert_eq!(null.permissions().mode() & 0o777, 0o666);
    }
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .expect("dir")
        .filter_map(Result::ok)
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with(".videosdk-token")
        })
        .collect();
    assert!(leftovers.is_empty(), "temporary files left behind");
}

/// One rule for secret files and piped secrets: a BOM and every trailing CR and LF are
/// dropped; white space around the secret is refused, never silently signed with.
#[test]
fn secret_files_and_stdin_follow_one_rule() {
    let dir = tempdir();
    let expected = sign_ok(dir.path(), &["--iat", "1700000000"]);
    let sign_with = |bytes: &[u8], stdin: bool| {
        let file = dir.path().join("secret");
        std::fs::write(&file, bytes).expect("write");
        let mut cmd = cli(dir.path());
        cmd.args(["sign", "--api-key", "key", "--iat", "1700000000"]);
        if stdin {
            cmd.arg("--secret-stdin");
            with_stdin(&mut cmd, bytes)
        } else {
            cmd.arg("--secret-file").arg(&file);
            run(&mut cmd)
        }
    };
    for stdin in [false, true] {
        for accepted in [
            SECRET.to_owned(),
            format!("{SECRET}\n"),
            format!("{SECRET}\n\n"),
            format!("{SECRET}\r\n"),
            format!("{SECRET}\r"),
            format!("{SECRET}\r\n\r\n"),
            format!("\u{FEFF}{SECRET}\n"),
        ] {
            let assert = sign_with(accepted.as_bytes(), stdin);
            assert_eq!(
                out(&assert).trim_end(),
                expected,
                "{accepted:?}: {}",
                err(&assert)
            );
        }
        for (refused, words) in [
            (format!("{SECRET} \n"), "ends with white space"),
            (format!("{SECRET}\t"), "ends with white space"),
            (format!(" {SECRET}\n"), "starts with white space"),
            (format!("\u{FEFF} {SECRET}"), "starts with white space"),
            (format!("\u{A0}{SECRET}"), "starts with white space"),
            (format!("{SECRET}\u{A0}\n"), "ends with white space"),
            (format!("{SECRET}\u{B}"), "ends with white space"),
            (format!("{SECRET}\u{FEFF}"), "ends with white space"),
            (
                format!("\u{FEFF}\u{FEFF}{SECRET}"),
                "starts with white space",
            ),
        ] {
            let assert = sign_with(refused.as_bytes(), stdin);
            assert_eq!(code(&assert), 2, "{refused:?}");
            assert!(
                err(&assert).contains(words),
                "{refused:?}: {}",
                err(&assert)
            );
            assert!(!err(&assert).contains(SECRET));
        }
    }
    let assert = run(cli(dir.path())
        .args(["sign", "--api-key", "key"])
        .env("VIDEOSDK_SECRET_KEY", format!("{SECRET} ")));
    assert_eq!(code(&assert), 2);
    assert!(err(&assert).contains("VIDEOSDK_SECRET_KEY ends with white space"));
    let assert = run(cli(dir.path())
        .args(["sign", "--api-key", "key"])
        .env("VIDEOSDK_SECRET_KEY", format!("\u{A0}{SECRET}")));
    assert_eq!(code(&assert), 2);
    assert!(err(&assert).contains("VIDEOSDK_SECRET_KEY starts with white space"));
    // An API key that is not UTF-8 is said to be so, not missing.
    let assert = run(cli(dir.path())
        .args(["sign"])
        .env("VIDEOSDK_SECRET_KEY", SECRET)
        .env(
            "VIDEOSDK_API_KEY",
            <std::ffi::OsStr as std::os::unix::ffi::OsStrExt>::from_bytes(b"key\xff"),
        ));
    assert_eq!(code(&assert), 2);
    assert!(
        err(&assert).contains("VIDEOSDK_API_KEY is not UTF-8"),
        "{}",
        err(&assert)
    );
}

/// Every golden `.env` file that sets a usable VIDEOSDK_SECRET_KEY signs with exactly the key
/// Node's dotenv reads from it; one that dotenv reads as empty is refused.
#[test]
fn dotenv_files_sign_with_the_key_node_dotenv_reads() {
    let doc: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(videosdk_token_harness::root().join("tests/vectors/dotenv.json"))
            .expect("dotenv.json"),
    )
    .expect("json");
    let mut signed = 0;
    for case in doc["cases"].as_array().expect("cases") {
        let name = case["name"].as_str().expect("name");
        let Some(value) = case["parsed"]["VIDEOSDK_SECRET_KEY"].as_str() else {
            continue;
        };
        let dir = tempdir();
        std::fs::write(
            dir.path().join(".env"),
            case["text"].as_str().expect("text"),
        )
        .expect("write");
        let from_dotenv = run(cli(dir.path()).args([
            "sign",
            "--api-key",
            "key",
            "--iat",
            "1700000000",
            "--allow-short-secret",
        ]));
        // Deliberate differences: an empty secret, or one with white space around it (which
        // only quotes can keep), is refused rather than signed with.
        if value.is_empty() {
            assert_eq!(code(&from_dotenv), 2, "{name}");
            assert!(err(&from_dotenv).contains("the secret is empty"), "{name}");
            continue;
        }
        if value.trim() != value {
            assert_eq!(code(&from_dotenv), 2, "{name}");
            assert!(err(&from_dotenv).contains("white space"), "{name}");
            continue;
        }
        let empty = tempdir();
        let from_env = run(cli(empty.path())
            .args([
                "sign",
                "--api-key",
                "key",
                "--iat",
                "1700000000",
                "--allow-short-secret",
            ])
            .env("VIDEOSDK_SECRET_KEY", value));
        assert_eq!(code(&from_env), 0, "{name}: {}", err(&from_env));
        assert_eq!(
            out(&from_dotenv),
            out(&from_env),
            "{name}: {}",
            err(&from_dotenv)
        );
        signed += 1;
    }
    assert!(signed >= 30, "only {signed} files signed");
}

/// No message about `.env` holds any of its values, on any command: a file that cannot be
/// read names a line number, and lines dotenv skips are named in a warning.
#[test]
fn dotenv_messages_name_lines_never_values() {
    const CANARY: &str = "CANARY-SECRET-do-not-print-0123456789abcdef";
    let files: [(&[u8], &str); 5] = [
        (
            b"VIDEOSDK_API_KEY=key\nVIDEOSDK_SECRET_KEY=CANARY-SECRET-do-not-print-0123456789abcdef\xff\n",
            ".env line 2 is not UTF-8",
        ),
        (
            "VIDEOSDK_SECRET_KEY=CANARY-SECRET-do-not-print-0123456789abcdef\u{2028}\n".as_bytes(),
            ".env line 1 holds a Unicode line or paragraph separator",
        ),
        (
            b"VIDEOSDK_API_KEY=key\nCANARY-SECRET-do-not-print-0123456789abcdef\nVIDEOSDK_SECRET_KEY=CANARY-SECRET-do-not-print-0123456789abcdef\n",
            "warning: .env line 2 is not KEY=VALUE and is ignored",
        ),
        (
            "\u{FEFF}VIDEOSDK_SECRET_KEY: CANARY-SECRET-do-not-print-0123456789abcdef\nVIDEOSDK_API_KEY=key\n".as_bytes(),
            "",
        ),
        (
            b"VIDEOSDK_API_KEY=key\nVIDEOSDK_SECRET_KEY=\"CANARY-SECRET-do-not-print-0123456789abcdef\n",
            "",
        ),
    ];
    for (text, message) in files {
        let dir = tempdir();
        std::fs::write(dir.path().join(".env"), text).expect("write");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let perms = std::fs::Permissions::from_mode(0o600);
            std::fs::set_permissions(dir.path().join(".env"), perms).expect("chmod");
        }
        let runs: [(&[&str], &[u8]); 4] = [
            (&["sign"], b""),
            (&["verify", "a.b.c"], b""),
            (&["batch"], b"{}\n"),
            (&["serve", "--listen", "127.0.0.1:0", "--quiet"], b""),
        ];
        for (args, stdin) in runs {
            let mut cmd = cli(dir.path());
            cmd.args(args);
            let mut cmd = assert_cmd::Command::from_std(cmd);
            cmd.write_stdin(stdin.to_vec())
                .timeout(std::time::Duration::from_secs(2));
            let assert = cmd.assert();
            let all = format!("{}{}", out(&assert), err(&assert));
            assert!(!all.contains(CANARY), "{args:?} printed the secret: {all}");
            assert!(!all.contains("CANARY"), "{args:?} printed a value: {all}");
            assert!(
                all.contains(message),
                "{args:?}: {message:?} not in {all:?}"
            );
        }
    }
}

/// A claim string cannot forge lines, hide text or reorder text in a terminal.
#[test]
fn verify_escapes_claims_for_the_terminal() {
    let dir = tempdir();
    let participant = "alice\r\n  permissions:  allow_mod\x1b[8m";
    let room = "room\u{202E}nioj\u{85}\x7f";
    let token = sign_ok(
        dir.path(),
        &[
            "--iat",
            "1700000000",
            "--participant-id",
            participant,
            "--room-id",
            room,
        ],
    );
    let assert = run(cli(dir.path())
        .args(["verify", &token, "--now", "1700000060"])
        .env("VIDEOSDK_SECRET_KEY", SECRET));
    assert_eq!(code(&assert), 0, "{}", err(&assert));
    let text = out(&assert);
    assert!(
        !text.contains(['\r', '\x1b', '\u{202E}', '\u{85}', '\x7f']),
        "{text:?}"
    );
    assert_eq!(text.matches("permissions:").count(), 2, "{text}");
    let starting = text.lines().filter(|l| l.starts_with("  permissions:"));
    assert_eq!(starting.count(), 1, "{text}");
    assert!(
        text.contains("alice\\r\\n  permissions:  allow_mod\\u001b[8m"),
        "{text}"
    );
    assert!(text.contains("room\\u202enioj\\u0085\\u007f"), "{text}");
    // JSON and decode keep the meaning, escaped.
    for args in [
        vec!["verify", &token, "--now", "1700000060", "--json"],
        vec!["decode", &token, "--now", "1700000060"],
        vec!["decode", &token, "--json"],
    ] {
        let assert = run(cli(dir.path())
            .args(&args)
            .env("VIDEOSDK_SECRET_KEY", SECRET));
        let text = out(&assert);
        assert!(
            !text.contains(['\r', '\x1b', '\u{202E}', '\u{85}', '\x7f']),
            "{args:?}: {text:?}"
        );
    }
}

/// Tokens are never signed longer than `verify` accepts, unless both are told otherwise.
#[test]
fn token_length_limit_is_shared_by_sign_batch_and_verify() {
    let dir = tempdir();
    let room = "r".repeat(60_000);
    let assert = run(cli(dir.path())
        .args(["sign", "--api-key", "key", "--room-id", &room])
        .env("VIDEOSDK_SECRET_KEY", SECRET));
    assert_eq!(code(&assert), 2);
    assert!(
        err(&assert).contains("longer than the 8192 bytes verify accepts"),
        "{}",
        err(&assert)
    );
    assert_eq!(out(&assert), "");
    let assert = with_stdin(
        cli(dir.path())
            .args(["batch", "--api-key", "key"])
            .env("VIDEOSDK_SECRET_KEY", SECRET),
        format!("{{\"roomId\":\"{room}\"}}\n").as_bytes(),
    );
    assert_eq!(code(&assert), 2);
    assert!(
        err(&assert).starts_with("line 1: the token would be"),
        "{}",
        err(&assert)
    );

    let big = sign_ok(
        dir.path(),
        &["--room-id", &room, "--max-token-len", "100000"],
    );
    assert!(big.len() > 80_000);
    let verify = |extra: &[&str]| {
        run(cli(dir.path())
            .args(["verify", &big])
            .args(extra)
            .env("VIDEOSDK_SECRET_KEY", SECRET))
    };
    assert_eq!(code(&verify(&[])), 1);
    assert_eq!(code(&verify(&["--max-token-len", "100000"])), 0);
}

/// Batch lines are objects; misused lists and waits get messages that say what is wrong.
#[test]
fn batch_lines_and_waits_get_precise_messages() {
    let dir = tempdir();
    for (line, message) in [
        ("[\"r\",\"p\"]", "line 1: not a JSON object"),
        ("\"text\"", "line 1: not a JSON object"),
        (
            "{\"roles\":[\"rtc\",\"crawler\",\"admin\"]}",
            "line 1: unknown role `admin`",
        ),
        (
            "{\"roles\":[\"rtc\",\"crawler\",\"rtc\"]}",
            "line 1: role `rtc` is listed twice",
        ),
        (
            "{\"permissions\":[\"allow_join\",\"ask_join\",\"allow_mod\",\"allow_join\"]}",
            "line 1: permission `allow_join` is listed twice",
        ),
    ] {
        let assert = with_stdin(
            cli(dir.path())
                .args(["batch", "--api-key", "key"])
                .env("VIDEOSDK_SECRET_KEY", SECRET),
            format!("{line}\n").as_bytes(),
        );
        assert_eq!(code(&assert), 2, "{line}");
        assert!(
            err(&assert).starts_with(message),
            "{line}: {}",
            err(&assert)
        );
    }
    let assert = run(cli(dir.path())
        .args(["verify", "a.b.c", "--leeway", "999999999999999999999y"])
        .env("VIDEOSDK_SECRET_KEY", SECRET));
    assert_eq!(code(&assert), 2);
    assert!(!err(&assert).contains("zero or more"), "{}", err(&assert));
    for (flag, words) in [
        ("--header-timeout=0", "a timeout must be longer than zero"),
        ("--header-timeout=-1s", "a duration cannot be negative"),
        ("--request-timeout=600000000000y", "invalid value"),
    ] {
        let assert = run(cli(dir.path())
            .args(["serve", "--api-key", "key", flag])
            .env("VIDEOSDK_SECRET_KEY", SECRET));
        assert_eq!(code(&assert), 2, "{flag}: {}", err(&assert));
        assert!(err(&assert).contains(words), "{flag}: {}", err(&assert));
        assert!(!err(&assert).contains("lifetime"), "{flag}");
    }
}

/// `batch` signs four lines at a time and reads simple lines on the reading thread, yet a
/// run that fails names the first bad line, whichever step refuses it: reading (JSON, UTF-8),
/// the fields, or signing (a token too long).
#[test]
fn batch_names_the_first_bad_line_whatever_refuses_it() {
    let dir = tempdir();
    let good = r#"{"roomId":"r","participantId":"p"}"#;
    let long = format!(r#"{{"roomId":"{}"}}"#, "r".repeat(300));
    let cases: [(Vec<&[u8]>, &str); 5] = [
        // A field refused on line 2, bad JSON on line 3, in one group of four.
        (
            vec![
                good.as_bytes(),
                br#"{"version":3}"#,
                b"{nope",
                good.as_bytes(),
            ],
            "line 2: version must be 2",
        ),
        // Bad JSON on line 2, a field on line 3.
        (
            vec![
                good.as_bytes(),
                b"{nope",
                br#"{"version":3}"#,
                good.as_bytes(),
            ],
            "line 2: column",
        ),
        // Too long to sign on line 1, a field on line 4.
        (
            vec![
                long.as_bytes(),
                good.as_bytes(),
                good.as_bytes(),
                br#"{"version":3}"#,
            ],
            "line 1: the token would be",
        ),
        // Not UTF-8 on line 6 after five good lines (one group of four and one more).
        (
            vec![good.as_bytes(); 5]
                .into_iter()
                .chain([&b"{\"roomId\":\"\xff\"}"[..]])
                .collect(),
            "line 6: not UTF-8",
        ),
        // A field refused on line 5, after a line serde reads, before a line not UTF-8.
        (
            vec![
                good.as_bytes(),
                br#"{"roles":["rtc"]}"#,
                good.as_bytes(),
                good.as_bytes(),
                br#"{"version":3}"#,
                b"\xff",
            ],
            "line 5: version must be 2",
        ),
    ];
    for (lines, message) in cases {
        let input = lines.join(&b'\n');
        let output = dir.path().join("tokens.txt");
        let assert = with_stdin(
            cli(dir.path())
                .args([
                    "batch",
                    "--api-key",
                    "key",
                    "--max-token-len",
                    "400",
                    "--output",
                ])
                .arg(&output)
                .env("VIDEOSDK_SECRET_KEY", SECRET),
            &input,
        );
        assert_eq!(code(&assert), 2, "{message}: {}", err(&assert));
        assert!(
            err(&assert).starts_with(message),
            "{message}: {}",
            err(&assert)
        );
        assert!(!output.exists(), "{message}: output left behind");
    }
}

/// A token with names this tool does not know verifies, shows them as unknown and grants
/// nothing from them; `--refuse-unknown-names` refuses it.
#[test]
fn verify_shows_unknown_names_and_can_refuse_them() {
    let doc = vectors::load();
    let case = doc
        .verify
        .iter()
        .find(|c| c.name == "roles as the official Python example signs them")
        .expect("case");
    let dir = tempdir();
    let now = case.now.to_string();
    let verify = |extra: &[&str]| {
        run(cli(dir.path())
            .args(["verify", &case.token, "--now", &now])
            .args(extra)
            .env("VIDEOSDK_SECRET_KEY", &case.secret))
    };
    let assert = verify(&[]);
    assert_eq!(code(&assert), 0, "{}", err(&assert));
    let text = out(&assert);
    assert!(
        text.contains("unknown:      roles \"CRAWLER\", \"PUBLISHER\" (grant nothing)"),
        "{text}"
    );
    assert!(text.contains("may:          nothing"), "{text}");
    let assert = verify(&["--json"]);
    let doc: serde_json::Value = serde_json::from_str(&out(&assert)).expect("json");
    assert_eq!(
        doc["unknownRoles"],
        serde_json::json!(["CRAWLER", "PUBLISHER"])
    );
    assert_eq!(doc["meetings"], false);
    assert_eq!(doc["serverApi"], false);
    let assert = verify(&["--for", "api"]);
    assert_eq!(code(&assert), 1);
    assert!(
        err(&assert).contains("roles are unknown here and grant nothing"),
        "{}",
        err(&assert)
    );
    let assert = verify(&["--refuse-unknown-names"]);
    assert_eq!(code(&assert), 1);
    assert!(err(&assert).contains("unknown role"), "{}", err(&assert));
}

/// Habits users bring from other tools: `--version` on every command, short flags, a token
/// pasted with its `Bearer` scheme, completions and a man page, and colour only where asked.
#[test]
fn cli_habits() {
    let dir = tempdir();
    let version = videosdk_token_harness::binary::version();
    for command in ["sign", "verify", "batch", "serve", "decode"] {
        let assert = run(cli(dir.path()).args([command, "--version"]));
        assert_eq!(code(&assert), 0, "{command}");
        assert_eq!(
            out(&assert),
            format!("videosdk-token-{command} {version}\n")
        );
    }
    // Short flags sign what the long ones sign.
    let long = sign_ok(
        dir.path(),
        &[
            "--iat",
            "1700000000",
            "--room-id",
            "r",
            "--participant-id",
            "p",
            "--expires-in",
            "1h",
        ],
    );
    let short = sign_ok(
        dir.path(),
        &["--iat", "1700000000", "-r", "r", "-p", "p", "-e", "1h"],
    );
    assert_eq!(long, short);
    let output = dir.path().join("short.txt");
    let input = dir.path().join("in.jsonl");
    std::fs::write(&input, "{}\n").expect("write");
    let assert = run(cli(dir.path())
        .args(["batch", "--api-key", "key", "-i"])
        .arg(&input)
        .arg("-o")
        .arg(&output)
        .env("VIDEOSDK_SECRET_KEY", SECRET));
    assert_eq!(code(&assert), 0, "{}", err(&assert));
    assert!(output.exists());

    // A token pasted from an Authorization header.
    for pasted in [
        format!("Bearer {long}"),
        format!("bearer   {long}"),
        format!("  {long}\n"),
    ] {
        let assert = run(cli(dir.path())
            .args(["verify", &pasted, "--now", "1700000060"])
            .env("VIDEOSDK_SECRET_KEY", SECRET));
        assert_eq!(code(&assert), 0, "{pasted:?}: {}", err(&assert));
    }

    // Completions for every shell and a man page, from the grammar itself.
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let assert = run(cli(dir.path()).args(["completions", shell]));
        assert_eq!(code(&assert), 0, "{shell}");
        let script = out(&assert);
        for word in [
            "sign",
            "verify",
            "serve",
            "room-id",
            "participant-from-header",
        ] {
            assert!(script.contains(word), "{shell} completions lack {word}");
        }
    }
    let assert = run(cli(dir.path()).args(["man"]));
    assert_eq!(code(&assert), 0);
    let page = out(&assert);
    assert!(page.starts_with(".ie") || page.contains(".TH"), "{page}");
    assert!(
        page.contains("videosdk\\-token") || page.contains("videosdk-token"),
        "{page}"
    );

    // Colour: never on a pipe by default or with NO_COLOR, always when asked.
    let verify = |extra: &[&str], env: &[(&str, &str)]| {
        let assert = run(cli(dir.path())
            .args(["verify", &long, "--now", "1700000060"])
            .args(extra)
            .envs(env.iter().copied())
            .env("VIDEOSDK_SECRET_KEY", SECRET));
        out(&assert)
    };
    assert!(!verify(&[], &[]).contains('\x1b'));
    assert!(!verify(&["--color", "always"], &[]).is_empty());
    assert!(verify(&["--color", "always"], &[]).contains("\x1b[32mvalid token\x1b[0m"));
    assert!(!verify(&["--color", "never"], &[]).contains('\x1b'));
    assert!(!verify(&["--color", "auto"], &[("NO_COLOR", "1")]).contains('\x1b'));
    let refused = run(cli(dir.path())
        .args(["verify", &long, "--now", "1800000000", "--color", "always"])
        .env("VIDEOSDK_SECRET_KEY", SECRET));
    assert_eq!(code(&refused), 1);
    assert!(
        err(&refused).starts_with("\x1b[31mToken is invalid or expired"),
        "{}",
        err(&refused)
    );
}

/// Every `--json` output of every command (and what `serve` answers) is one of the documents
/// `host/output.schema.json` describes, checked by a real JSON Schema validator (Ajv, pinned
/// in tests/vectors).
#[test]
fn json_outputs_follow_the_published_schema() {
    let dir = tempdir();
    let token = sign_ok(dir.path(), &["--iat", "1700000000", "-r", "r", "-p", "p"]);
    let lines = |assert: &Assert| -> Vec<serde_json::Value> {
        out(assert)
            .lines()
            .map(|l| serde_json::from_str(l).expect("JSON"))
            .collect()
    };
    let with_secret = |args: &[&str]| {
        run(cli(dir.path())
            .args(args)
            .env("VIDEOSDK_SECRET_KEY", SECRET)
            .env("VIDEOSDK_API_KEY", "key"))
    };
    let mut docs: Vec<(String, serde_json::Value)> = Vec::new();
    for (name, args) in [
        ("sign --json", vec!["sign", "--json"]),
        (
            "verify --json",
            vec!["verify", &token, "--now", "1700000060", "--json"],
        ),
        (
            "verify --json, refused",
            vec!["verify", &token, "--now", "1800000000", "--json"],
        ),
        (
            "verify --json, other room",
            vec![
                "verify",
                &token,
                "--now",
                "1700000060",
                "--json",
                "--room-id",
                "x",
            ],
        ),
        ("decode --json", vec!["decode", &token, "--json"]),
        (
            "decode --json, now",
            vec!["decode", &token, "--json", "--now", "1700000060"],
        ),
    ] {
        for doc in lines(&with_secret(&args)) {
            docs.push((name.to_owned(), doc));
        }
    }
    let batch = with_stdin(
        cli(dir.path())
            .args(["batch", "--json", "--api-key", "key"])
            .env("VIDEOSDK_SECRET_KEY", SECRET),
        b"{}\n{\"roomId\":\"r\",\"roles\":[\"crawler\"]}\n",
    );
    for doc in lines(&batch) {
        docs.push(("batch --json".to_owned(), doc));
    }
    assert!(docs.len() >= 8, "{docs:?}");
    let input: Vec<serde_json::Value> = docs
        .iter()
        .map(|(name, doc)| serde_json::json!({ "name": name, "doc": doc }))
        .collect();
    let script = "tests/vectors/validate-output.js";
    let output = reference::run(
        "node",
        script,
        serde_json::Value::from(input).to_string().as_bytes(),
    );
    assert!(
        output.status.success(),
        "outputs that do not follow host/output.schema.json:\n{}",
        String::from_utf8_lossy(&output.stdout)
    );
    // And the schema does refuse what no command prints.
    let made_up = br#"[{"name":"made up","doc":{"valid":true,"token":"x"}}]"#;
    assert!(!reference::run("node", script, made_up).status.success());
}

/// During a rotation `verify --previous-secret-file` also accepts the old secret's tokens,
/// and still refuses a token neither signed.
#[test]
fn verify_accepts_the_previous_secret_during_a_rotation() {
    let dir = tempdir();
    let old = sign_ok(dir.path(), &["--iat", "1700000000"]);
    let previous = dir.path().join("previous");
    std::fs::write(&previous, format!("{SECRET}\n")).expect("write");
    std::fs::set_permissions(
        &previous,
        std::os::unix::fs::PermissionsExt::from_mode(0o600),
    )
    .expect("chmod");
    let new_secret = "cli-new-secret-0123456789abcdef-0123456789";
    let verify = |token: &str, extra: &[&str]| {
        code(&run(cli(dir.path())
            .args(["verify", token, "--now", "1700000060"])
            .args(extra)
            .env("VIDEOSDK_SECRET_KEY", new_secret)))
    };
    let flag = ["--previous-secret-file", previous.to_str().expect("path")];
    assert_eq!(verify(&old, &[]), 1);
    assert_eq!(verify(&old, &flag), 0);
    let forged = old.replacen("eyJhcGlrZXki", "eyJhcGlrZXkj", 1);
    assert_eq!(verify(&forged, &flag), 1);
}

/// `batch --output` does not silently replace a read-only file or one with hard links (a
/// rename would undo both): it refuses, naming why, and leaves the file as it was.
#[test]
fn batch_output_refuses_read_only_and_hard_linked_files() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempdir();
    let batch = |output: &Path| {
        with_stdin(
            cli(dir.path())
                .args(["batch", "--api-key", "key", "--output"])
                .arg(output)
                .env("VIDEOSDK_SECRET_KEY", SECRET),
            b"{}\n",
        )
    };
    let read_only = dir.path().join("read-only.txt");
    std::fs::write(&read_only, "old\n").expect("write");
    std::fs::set_permissions(&read_only, std::fs::Permissions::from_mode(0o444)).expect("chmod");
    let assert = batch(&read_only);
    assert_eq!(code(&assert), 2);
    assert!(err(&assert).contains("read-only"), "{}", err(&assert));
    assert_eq!(std::fs::read(&read_only).expect("read"), b"old\n");
    let linked = dir.path().join("linked.txt");
    std::fs::write(&linked, "old\n").expect("write");
    std::fs::hard_link(&linked, dir.path().join("other-name.txt")).expect("link");
    let assert = batch(&linked);
    assert_eq!(code(&assert), 2);
    assert!(err(&assert).contains("2 hard links"), "{}", err(&assert));
    assert_eq!(std::fs::read(&linked).expect("read"), b"old\n");
}

/// A closed standard output is refused rather than written into nothing (Rust's runtime
/// reopens it on /dev/null); a shell's `>/dev/null` is a choice and succeeds.
#[test]
fn a_closed_standard_output_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    for (redirect, code) in [(">&-", 2), (">/dev/null", 0)] {
        let out = Command::new("sh")
            .arg("-c")
            .arg(format!("exec \"$0\" sign --api-key k {redirect}"))
            .arg(videosdk_token())
            .current_dir(dir.path())
            .env("VIDEOSDK_SECRET_KEY", SECRET)
            .output()
            .expect("sh runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(code), "{redirect}: {stderr}");
        if code == 2 {
            assert!(stderr.contains("standard output is closed"), "{stderr}");
        }
    }
}
