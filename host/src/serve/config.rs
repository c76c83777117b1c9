//! `ServeArgs` resolved once, at start, into what the server runs with: the policy, the
//! address and the hosts it answers, the limits, CORS, the endpoints it serves, and where the
//! credentials are read from (at start, and again on SIGHUP).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use axum::http::{HeaderName, HeaderValue};
use tower_http::cors::AllowOrigin;
use videosdk_token_core::{ExpiresIn, Key, Permission, Role};
use zeroize::Zeroizing;

use crate::cli::{IssuerArgs, RuleArgs, SecretArgs, ServeArgs};
use crate::issuer::Issuer;
use crate::meetings;
use crate::request::Policy;
use crate::secret;
use crate::spec::parse_duration;

/// Everything `serve` runs with, read from its flags and environment once.
pub(super) struct Config {
    pub(super) policy: Policy,
    pub(super) listen: SocketAddr,
    /// Host names answered besides loopback ones; `None` answers any.
    pub(super) allowed_hosts: Option<Vec<String>>,
    pub(super) max_connections: usize,
    pub(super) max_body: usize,
    pub(super) header_timeout: Duration,
    pub(super) request_timeout: Duration,
    pub(super) drain_time: Duration,
    pub(super) api_endpoint: String,
    pub(super) upstream_timeout: Duration,
    /// The header naming the authenticated user, when tokens are bound to it.
    pub(super) identity_header: Option<HeaderName>,
    /// How `/verify` checks tokens (`--leeway`, `--max-token-len`, `--refuse-unknown-names`).
    pub(super) rules: RuleArgs,
    pub(super) rate_limit: Option<governor::Quota>,
    /// Which origins browsers may call from, when any.
    pub(super) cors: Option<AllowOrigin>,
    /// `--cors` or `--cors-origin '*'`: any web page may call.
    pub(super) any_origin: bool,
    pub(super) access_log: bool,
    pub(super) inspector: bool,
    pub(super) room_from_path: bool,
    pub(super) sources: Sources,
}

/// What `SIGHUP` re-reads: the secret and the API key (from their files, the environment or
/// `.env`), the previous secret and the bearer tokens.
pub(super) struct Credentials {
    pub(super) issuer: Issuer,
    /// Tokens signed with it still verify on `/verify`, during a rotation.
    pub(super) previous: Option<Key>,
    pub(super) auth_tokens: Vec<Zeroizing<Vec<u8>>>,
}

/// Where the credentials come from: read at start and on every SIGHUP.
#[derive(Clone)]
pub(super) struct Sources {
    issuer: IssuerArgs,
    secret: SecretArgs,
    previous_secret_file: Option<PathBuf>,
    auth_token_files: Vec<PathBuf>,
    max_expires_in: ExpiresIn,
    max_expires_in_text: String,
}

impl Config {
    pub(super) fn resolve(args: &ServeArgs) -> Result<Self> {
        secret::refuse_command_line(&args.secret)?;
        if args.secret.secret_stdin {
            bail!(
                "serve re-reads its secret on SIGHUP, which standard input cannot give twice: \
                 use --secret-file, VIDEOSDK_SECRET_KEY or .env"
            );
        }
        let max_expires_in = parse_duration("--max-expires-in", &args.max_expires_in)?;
        let policy = Policy {
            permissions: if args.allowed_permissions.is_empty() {
                vec![Permission::AllowJoin, Permission::AskJoin]
            } else {
                args.allowed_permissions.iter().map(|&p| p.into()).collect()
            },
            roles: if args.allowed_roles.is_empty() {
                Role::ALL.to_vec()
            } else {
                args.allowed_roles.iter().map(|&r| r.into()).collect()
            },
            max_lifetime_ms: max_expires_in.millis(),
            max_lifetime_text: args.max_expires_in.clone(),
            scoped_roles: if args.no_scoped_roles {
                Vec::new()
            } else {
                args.scoped_roles.iter().map(|&r| r.into()).collect()
            },
            allow_control_characters: args.allow_control_characters,
        };
        if let Some(role) = policy
            .scoped_roles
            .iter()
            .find(|r| !policy.roles.contains(r))
        {
            bail!(
                "--scoped-roles {} is not among the roles callers may have (--allow-role)",
                role.as_str()
            );
        }
        let api_endpoint = match &args.api_endpoint {
            Some(endpoint) => endpoint.clone(),
            None => secret::setting("VIDEOSDK_API_ENDPOINT")?
                .unwrap_or_else(|| meetings::DEFAULT_ENDPOINT.to_owned()),
        };
        let any_origin = args.cors || args.cors_origins.iter().any(|o| o == "*");
        let cors = if any_origin {
            Some(AllowOrigin::any())
        } else if args.cors_origins.is_empty() {
            None
        } else {
            let origins = args
                .cors_origins
                .iter()
                .map(|o| {
                    HeaderValue::from_str(o)
                        .map_err(|_| anyhow!("--cors-origin {o:?} is not a valid origin"))
                })
                .collect::<Result<Vec<_>>>()?;
            Some(AllowOrigin::list(origins))
        };
        Ok(Self {
            policy,
            listen: listen_address(args)?,
            allowed_hosts: allowed_hosts(args),
            max_connections: args
                .max_connections
                .map_or_else(default_max_connections, |n| n as usize),
            max_body: args.max_body,
            header_timeout: args.header_timeout,
            request_timeout: args.request_timeout,
            drain_time: args.drain_time,
            api_endpoint,
            upstream_timeout: args.upstream_timeout,
            identity_header: args.participant_from_header.clone(),
            rules: args.rules.clone(),
            rate_limit: args.rate_limit,
            cors,
            any_origin,
            access_log: !args.quiet,
            inspector: !args.no_inspector,
            room_from_path: args.room_from_path,
            sources: Sources {
                issuer: args.issuer.clone(),
                secret: args.secret.clone(),
                previous_secret_file: args.previous_secret_file.clone(),
                auth_token_files: args.auth_token_files.clone(),
                max_expires_in,
                max_expires_in_text: args.max_expires_in.clone(),
            },
        })
    }
}

impl Sources {
    /// The secret and the API key (from their files, the environment or `.env`), the
    /// previous secret and the bearer tokens, as they are now.
    pub(super) fn read(&self) -> Result<Credentials> {
        let issuer = Issuer::from_args(&self.issuer, &self.secret, false)?;
        if issuer.expires_in().millis() > self.max_expires_in.millis() {
            bail!(
                "--expires-in {} is longer than --max-expires-in {}",
                self.issuer.expires_in,
                self.max_expires_in_text
            );
        }
        let previous = self
            .previous_secret_file
            .as_deref()
            .map(|path| secret::key_file(path, "--previous-secret-file"))
            .transpose()?;
        Ok(Credentials {
            issuer,
            previous,
            auth_tokens: read_auth_tokens(&self.auth_token_files)?,
        })
    }
}

/// Every token of every `--auth-token-file`: one per non-empty line, each read by the rule
/// for secret files (a BOM and trailing CR dropped, surrounding white space refused).
fn read_auth_tokens(files: &[PathBuf]) -> Result<Vec<Zeroizing<Vec<u8>>>> {
    let mut tokens = Vec::new();
    for path in files {
        let what = format!("--auth-token-file {}", path.display());
        let text = secret::read_file(path, &what, false)?.unwrap_or_default();
        secret::warn_if_shared(path);
        let text = text.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&text);
        let before = tokens.len();
        for (index, line) in text.split(|&b| b == b'\n').enumerate() {
            if line.is_empty() || line == b"\r" {
                continue;
            }
            let what = format!("--auth-token-file {} line {}", path.display(), index + 1);
            let token = secret::file_text(Zeroizing::new(line.to_vec()), &what)?;
            if token.len() < 16 {
                bail!("{what}: a token must be at least 16 bytes");
            }
            tokens.push(token);
        }
        if tokens.len() == before {
            bail!("--auth-token-file {} holds no token", path.display());
        }
    }
    Ok(tokens)
}

/// Connections served at once by default: the open-file limit less a reserve (64, or half
/// a small limit) for the runtime, the listener and files read while serving, so that
/// accepting never runs out of descriptors.
fn default_max_connections() -> usize {
    #[cfg(unix)]
    let soft = rlimit::getrlimit(rlimit::Resource::NOFILE).map_or(1024, |(soft, _)| soft);
    #[cfg(not(unix))]
    let soft = 1024_u64;
    let reserve = (soft / 2).min(64);
    usize::try_from(soft - reserve)
        .unwrap_or(usize::MAX)
        .clamp(1, 65_536)
}

/// Where to listen: `--listen`, or loopback on `PORT` (as container platforms set it) or 9000.
fn listen_address(args: &ServeArgs) -> Result<SocketAddr> {
    if let Some(addr) = args.listen {
        return Ok(addr);
    }
    let port = match std::env::var("PORT") {
        Ok(port) => port
            .trim()
            .parse::<u16>()
            .with_context(|| format!("PORT {port:?} is not a port number"))?,
        Err(_) => 9000,
    };
    Ok(SocketAddr::from((std::net::Ipv4Addr::LOCALHOST, port)))
}

/// `None` (answer any Host) only when listening beyond loopback with no `--allowed-host`.
fn allowed_hosts(args: &ServeArgs) -> Option<Vec<String>> {
    // `[::ffff:127.0.0.1]` is loopback too, as its IPv4 form.
    let loopback = listen_address(args).is_ok_and(|addr| addr.ip().to_canonical().is_loopback());
    if args.allowed_hosts.is_empty() && !loopback {
        return None;
    }
    Some(args.allowed_hosts.iter().map(|h| host_name(h)).collect())
}

/// The name in a Host header, lowercased, without its port or a final dot.
pub(super) fn host_name(host: &str) -> String {
    let host = host.trim();
    let name = if host.starts_with('[') {
        host.split_inclusive(']').next().unwrap_or(host)
    } else {
        match host.rsplit_once(':') {
            Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
            _ => host,
        }
    };
    name.trim_end_matches('.').to_ascii_lowercase()
}
