//! `videosdk-token decode`: a token's header and claims for a reader, with dates, relative
//! times and the warnings that matter, and a plain statement that nothing was verified.

use std::io::Write;

use anyhow::{Context, Result, anyhow, bail};
use base64ct::{Base64UrlUnpadded, Encoding};
use serde_json::{Map, Value, json};
use videosdk_token_core::{Permission, Role, dangerous};

use crate::cli::DecodeArgs;
use crate::escape::{for_terminal, json_for_terminal};
use crate::verify::read_token;
use crate::{clock, paint};

const NOT_CHECKED: &str = "The signature was NOT checked: anyone can write these claims. Use `videosdk-token verify` to check a token.";

/// Claims with warnings about them, in display order.
struct Decoded {
    header: Map<String, Value>,
    payload: Map<String, Value>,
    warnings: Vec<String>,
}

fn segment(name: &str, text: &str) -> Result<Map<String, Value>> {
    let bytes = Base64UrlUnpadded::decode_vec(text).map_err(|e| match e {
        base64ct::Error::InvalidLength => anyhow!("the {name} is not base64url (bad length)"),
        base64ct::Error::InvalidEncoding => anyhow!("the {name} is not base64url"),
    })?;
    match serde_json::from_slice(&bytes).with_context(|| format!("the {name} is not JSON"))? {
        Value::Object(map) => Ok(map),
        _ => bail!("the {name} is not a JSON object"),
    }
}

fn decode(token: &str, now: u64) -> Result<Decoded> {
    let parts: Vec<&str> = token.split('.').collect();
    let [header, payload, _signature] = parts[..] else {
        bail!(
            "not a token: expected three dot-separated segments, found {}",
            parts.len()
        );
    };
    let header = segment("header", header)?;
    let payload = segment("payload", payload)?;
    let warnings = warnings(&header, &payload, uses(token), now);
    Ok(Decoded {
        header,
        payload,
        warnings,
    })
}

fn names(payload: &Map<String, Value>, key: &str) -> Vec<String> {
    match payload.get(key) {
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
            .collect(),
        _ => Vec::new(),
    }
}

/// Whether the core, reading `token` unverified, lets it join meetings and call the server
/// API; `None` when the core cannot read it.
fn uses(token: &str) -> Option<(bool, bool)> {
    let mut scratch = vec![0u8; token.len()];
    let read = dangerous::decode_unverified(token, &mut scratch).ok()?;
    Some((
        read.claims().allows_meetings(),
        read.claims().allows_server_api(),
    ))
}

fn warnings(
    header: &Map<String, Value>,
    payload: &Map<String, Value>,
    uses: Option<(bool, bool)>,
    now: u64,
) -> Vec<String> {
    let mut out = Vec::new();
    match header.get("alg").and_then(Value::as_str) {
        Some("HS256") => {}
        Some(alg) => out.push(format!(
            "alg is {alg}, not HS256: VideoSDK tokens are HS256 and this one would be refused"
        )),
        None => out.push("the header has no alg".to_owned()),
    }
    let time = |key: &str| payload.get(key).and_then(Value::as_u64);
    for key in ["apikey", "permissions"] {
        if !payload.contains_key(key) {
            out.push(format!("no {key}: VideoSDK requires it"));
        }
    }
    // Known names are the core's, never a list of this command's own.
    let known = |all: &[&'static str]| all.join(", ");
    let permissions: Vec<&str> = Permission::ALL.iter().map(|p| p.as_str()).collect();
    for p in names(payload, "permissions") {
        if Permission::from_name(&p).is_none() {
            out.push(format!(
                "unknown permission {p:?}: grants nothing (known: {})",
                known(&permissions)
            ));
        }
    }
    let role_names: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
    let roles = names(payload, "roles");
    for r in &roles {
        if Role::from_name(r).is_none() {
            out.push(format!(
                "unknown role {r:?}: grants nothing (known: {})",
                known(&role_names)
            ));
        }
    }
    let v2_fields: Vec<&str> = ["roomId", "participantId", "roles"]
        .into_iter()
        .filter(|k| payload.contains_key(*k))
        .collect();
    if !v2_fields.is_empty() && payload.get("version").and_then(Value::as_u64) != Some(2) {
        out.push(format!(
            "{} need version 2, which is missing: the token would be refused",
            v2_fields.join(", ")
        ));
    }
    // What the roles allow is the core's rule (unknown roles grant nothing), read from the
    // claims as the core reads them when it can.
    let limit = match uses {
        Some((true, false)) => {
            "role rtc only: this token can join meetings but cannot call the server API"
        }
        Some((false, true)) => {
            "role crawler only: this token can call the server API but cannot join a meeting"
        }
        Some((false, false)) => {
            "its roles are unknown: this token can neither join a meeting nor call the server API"
        }
        _ => "",
    };
    if !limit.is_empty() {
        out.push(limit.to_owned());
    }
    match (time("iat"), time("exp")) {
        (_, None) if payload.contains_key("exp") => {
            out.push("exp is not a whole number of seconds".to_owned())
        }
        (_, None) => out.push("no exp: the token never expires and would be refused".to_owned()),
        (Some(iat), Some(exp)) if exp.saturating_sub(iat) > 86_400 => {
            out.push(format!(
                "lifetime of {} is longer than a day",
                clock::span(exp - iat)
            ));
        }
        _ => {}
    }
    if let Some(exp) = time("exp")
        && now >= exp
    {
        out.push(format!("expired {}", clock::relative(exp, now)));
    }
    if let Some(nbf) = time("nbf")
        && now < nbf
    {
        out.push(format!(
            "not valid until {} ({})",
            clock::utc(nbf),
            clock::relative(nbf, now)
        ));
    }
    out
}

fn times(payload: &Map<String, Value>) -> Vec<(&'static str, &'static str, u64)> {
    [("iat", "issued"), ("nbf", "not before"), ("exp", "expires")]
        .into_iter()
        .filter_map(|(key, label)| {
            payload
                .get(key)
                .and_then(Value::as_u64)
                .map(|t| (key, label, t))
        })
        .collect()
}

fn pretty(map: &Map<String, Value>) -> String {
    serde_json::to_string_pretty(map).unwrap_or_default()
}

pub fn run(args: &DecodeArgs) -> Result<()> {
    if args.secret_on_command_line.is_some() {
        bail!(
            "refusing a secret given on the command line: decode needs none (it checks nothing), \
             and a secret there shows in the process list and shell history"
        );
    }
    let token = read_token(&args.token)?;
    let now = args.now.unwrap_or_else(clock::now);
    let decoded = decode(&token, now).context("cannot decode the token")?;
    let times = times(&decoded.payload);
    let mut out = String::new();
    if args.json {
        let mut time_map = Map::new();
        for (key, _, t) in &times {
            time_map.insert(
                (*key).to_owned(),
                json!({ "unix": t, "utc": clock::utc(*t), "relative": clock::relative(*t, now) }),
            );
        }
        let doc = json!({
            "signatureChecked": false,
            "header": decoded.header,
            "payload": decoded.payload,
            "times": time_map,
            "warnings": decoded.warnings,
        });
        out = format!("{doc}\n");
    } else {
        out += NOT_CHECKED;
        out += "\n\nHeader:\n";
        out += &pretty(&decoded.header);
        out += "\n\nPayload:\n";
        out += &pretty(&decoded.payload);
        out += "\n";
        if !times.is_empty() {
            out += "\n";
        }
        for (_, label, t) in &times {
            out += &format!(
                "{:<11} {} ({})\n",
                format!("{label}:"),
                clock::utc(*t),
                clock::relative(*t, now)
            );
        }
        if !decoded.warnings.is_empty() {
            out += &format!("\n{}\n", paint::warning("Warnings:"));
            for warning in &decoded.warnings {
                out += &format!("  - {}\n", for_terminal(warning));
            }
        }
    }
    let out = json_for_terminal(&out);
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(out.as_bytes())
        .and_then(|()| stdout.flush())
        .context("cannot write the decoded token")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn payload(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => Map::new(),
        }
    }

    fn hs256() -> Map<String, Value> {
        payload(json!({"alg": "HS256", "typ": "JWT"}))
    }

    #[test]
    fn warns_about_what_matters() {
        let now = 1_700_000_000;
        let fine = payload(
            json!({"apikey": "k", "permissions": ["allow_join"], "iat": now, "exp": now + 60}),
        );
        assert_eq!(
            warnings(&hs256(), &fine, Some((true, true)), now),
            Vec::<String>::new()
        );

        let p = payload(
            json!({"apikey": "k", "permissions": ["allow_join"], "roomId": "r", "roles": ["crawler"], "iat": now, "exp": now + 3 * 86_400}),
        );
        let w = warnings(&hs256(), &p, Some((false, true)), now).join("\n");
        assert!(w.contains("roomId, roles need version 2"), "{w}");
        assert!(w.contains("cannot join a meeting"), "{w}");
        assert!(w.contains("longer than a day"), "{w}");

        let p = payload(
            json!({"apikey": "k", "permissions": ["allow_join"], "iat": now - 7200, "exp": now - 3600}),
        );
        assert!(
            warnings(&hs256(), &p, None, now)
                .join("\n")
                .contains("expired 1h 0m ago")
        );

        let none = payload(json!({"alg": "none"}));
        assert!(
            warnings(&none, &fine, None, now)
                .join("\n")
                .contains("alg is none")
        );
        let w = warnings(&hs256(), &fine, Some((false, false)), now).join("\n");
        assert!(
            w.contains("neither join a meeting nor call the server API"),
            "{w}"
        );
    }
}
