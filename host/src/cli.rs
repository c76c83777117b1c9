//! The command-line grammar: every subcommand, flag and default, with the help text users see.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};
use videosdk_token_core::{DEFAULT_MAX_TOKEN_LEN, Permission, Role};

const SECRET_HELP: &str = "\
Secrets are never taken on the command line (they would show in the process list). They come
from, in order: --secret-file PATH, --secret-stdin, the VIDEOSDK_SECRET_KEY environment
variable, or VIDEOSDK_SECRET_KEY in a .env file in the working directory. The API key comes
from --api-key, VIDEOSDK_API_KEY, or VIDEOSDK_API_KEY in .env.

Exit codes: 0 ok, 1 token refused, 2 usage or input error.";

/// Make and check VideoSDK meeting access tokens (HS256 JWTs), offline.
#[derive(Debug, Parser)]
#[command(
    name = "videosdk-token",
    version,
    propagate_version = true,
    after_long_help = SECRET_HELP
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    /// Colour: auto (only when writing to a terminal, and never when NO_COLOR is set),
    /// always or never
    #[arg(long, value_name = "WHEN", default_value = "auto", global = true)]
    pub color: ColorChoice,
}

/// When to colour output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// On a terminal, unless NO_COLOR is set
    Auto,
    /// Always
    Always,
    /// Never
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Sign a token and print it (byte-identical to Node's jsonwebtoken for the same inputs)
    #[command(after_long_help = SECRET_HELP)]
    Sign(SignArgs),
    /// Check a token's signature, times and access; exit 1 with the reason when refused
    #[command(after_long_help = SECRET_HELP)]
    Verify(VerifyArgs),
    /// Show a token's header and claims WITHOUT checking its signature
    Decode(DecodeArgs),
    /// Sign one token per JSON line of input, in input order, on every core
    #[command(after_long_help = BATCH_HELP)]
    Batch(BatchArgs),
    /// Serve tokens over HTTP: GET/POST /get-token, POST /verify, GET /healthz
    Serve(Box<ServeArgs>),
    /// Write the token inspector (a page that decodes and checks tokens in the browser, sending
    /// nothing anywhere) to a folder, to open from disk; `serve` answers it at /inspect/
    Inspect(InspectArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish)
    Completions {
        /// The shell
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), e.g. `videosdk-token man | man -l -`
    Man,
}

/// `inspect`'s arguments.
#[derive(Debug, Args)]
pub struct InspectArgs {
    /// The folder to write index.html and its files into (made if missing)
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,

    /// Replace the inspector's files if the folder already holds them
    #[arg(long)]
    pub force: bool,
}

/// Where the secret comes from.
#[derive(Debug, Clone, Args)]
pub struct SecretArgs {
    /// Read the secret from this file (a trailing newline is ignored)
    #[arg(long, value_name = "PATH", conflicts_with = "secret_stdin")]
    pub secret_file: Option<PathBuf>,

    /// Read the secret from standard input (a trailing newline is ignored)
    #[arg(long)]
    pub secret_stdin: bool,

    /// Accept a secret shorter than 32 bytes (RFC 7518 asks for at least 256 bits for HS256)
    #[arg(long)]
    pub allow_short_secret: bool,

    /// Refused: a secret given on the command line shows in the process list
    #[arg(long = "secret", value_name = "SECRET", hide = true, aliases = ["secret-key", "api-secret"])]
    pub secret_on_command_line: Option<String>,
}

/// Who issues tokens, and what a token has when nothing more is asked: shared by `sign`,
/// `batch` and `serve`.
#[derive(Debug, Clone, Args)]
pub struct IssuerArgs {
    /// Your VideoSDK API key [env: VIDEOSDK_API_KEY, or VIDEOSDK_API_KEY in .env]
    #[arg(long, value_name = "KEY")]
    pub api_key: Option<String>,

    /// Permission; repeat or separate with commas, order is kept
    #[arg(
        long = "permission",
        value_name = "P",
        value_delimiter = ',',
        default_value = "allow_join"
    )]
    pub permissions: Vec<PermissionArg>,

    /// Lifetime: 120m, 2h, 1.5 days, 7d, … (the `ms` grammar); a bare number is seconds
    #[arg(
        short = 'e',
        long,
        value_name = "DURATION",
        default_value = "120m",
        allow_hyphen_values = true
    )]
    pub expires_in: String,
}

/// Claims of the tokens to sign (for `batch`, the defaults each line may override).
#[derive(Debug, Args)]
pub struct ClaimArgs {
    #[command(flatten)]
    pub issuer: IssuerArgs,

    /// Write `version: 2` (implied by --room-id, --participant-id and --role)
    #[arg(long = "v2")]
    pub version_2: bool,

    /// Limit the token to one meeting (implies version 2)
    #[arg(short = 'r', long, value_name = "ID")]
    pub room_id: Option<String>,

    /// Bind the token to one participant (implies version 2)
    #[arg(short = 'p', long, value_name = "ID")]
    pub participant_id: Option<String>,

    /// Role: rtc (meetings only) or crawler (server API only); repeat or separate with commas
    /// (implies version 2)
    #[arg(long = "role", value_name = "R", value_delimiter = ',')]
    pub roles: Vec<RoleArg>,

    /// Issued-at time, unix seconds [default: now]
    #[arg(long, value_name = "UNIX")]
    pub iat: Option<u64>,

    /// Refuse to sign a token longer than this many bytes (the length `verify` accepts)
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_TOKEN_LEN)]
    pub max_token_len: usize,
}

#[derive(Debug, Args)]
pub struct SignArgs {
    #[command(flatten)]
    pub claims: ClaimArgs,

    #[command(flatten)]
    pub secret: SecretArgs,

    /// Print {"token": …, "expiresAt": …} instead of the bare token
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The token (a leading "Bearer " is dropped, as pasted from an Authorization header), or
    /// - to read it from standard input
    #[arg(value_name = "TOKEN")]
    pub token: String,

    #[command(flatten)]
    pub secret: SecretArgs,

    /// Check at this time, unix seconds [default: now]
    #[arg(long, value_name = "UNIX")]
    pub now: Option<u64>,

    #[command(flatten)]
    pub rules: RuleArgs,

    /// Require the token to allow this meeting
    #[arg(long, value_name = "ID")]
    pub room_id: Option<String>,

    /// Require the token to allow this participant
    #[arg(long, value_name = "ID")]
    pub participant_id: Option<String>,

    /// Require the token to allow joining a meeting, or calling the server API
    #[arg(long = "for", value_name = "USE")]
    pub for_use: Option<Use>,

    /// Print the result as JSON
    #[arg(long)]
    pub json: bool,

    /// Also accept tokens signed with the secret in this file (the one being rotated out)
    #[arg(long, value_name = "PATH")]
    pub previous_secret_file: Option<PathBuf>,
}

/// How tokens are checked: by `verify` and by `serve`'s `POST /verify` alike.
#[derive(Debug, Clone, Args)]
pub struct RuleArgs {
    /// Clock skew to allow on exp and nbf: 30s, 2m, 1h 30m, … (a bare number is seconds)
    #[arg(
        long,
        value_name = "DURATION",
        default_value = "0",
        value_parser = leeway,
        allow_hyphen_values = true
    )]
    pub leeway: u64,

    /// Refuse a token longer than this many bytes
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_TOKEN_LEN)]
    pub max_token_len: usize,

    /// Refuse a token whose permissions or roles hold a name this tool does not know (by
    /// default they are shown as unknown and grant nothing)
    #[arg(long)]
    pub refuse_unknown_names: bool,
}

#[derive(Debug, Args)]
pub struct DecodeArgs {
    /// The token, or - to read it from standard input
    #[arg(value_name = "TOKEN")]
    pub token: String,

    /// Show times relative to this moment, unix seconds [default: now]
    #[arg(long, value_name = "UNIX")]
    pub now: Option<u64>,

    /// Print header, payload, times and warnings as JSON
    #[arg(long)]
    pub json: bool,

    /// Refused: decode needs no secret, and one on the command line shows in the process list
    #[arg(long = "secret", value_name = "SECRET", hide = true, aliases = ["secret-key", "api-secret"])]
    pub secret_on_command_line: Option<String>,
}

const BATCH_HELP: &str = "\
Each input line is a JSON object that may set roomId, participantId, roles, permissions,
expiresIn (a duration string or a number of seconds), iat and version over the defaults
given as flags, e.g.

  {\"roomId\":\"abcd-efgh-ijkl\",\"participantId\":\"alice\",\"roles\":[\"rtc\"]}
  {\"permissions\":[\"ask_join\"],\"expiresIn\":\"15m\"}
  {}

One token per line is written, in input order (or one JSON object per line with --json). A bad
line stops the run with its line number and exit code 2; an --output file is then not created.

Secrets: see `videosdk-token sign --help`.";

#[derive(Debug, Args)]
pub struct BatchArgs {
    #[command(flatten)]
    pub claims: ClaimArgs,

    #[command(flatten)]
    pub secret: SecretArgs,

    /// Read JSON lines from this file [default: standard input]
    #[arg(short = 'i', long, value_name = "PATH")]
    pub input: Option<PathBuf>,

    /// Write tokens to this file, created only when every line succeeded [default: standard output]
    #[arg(short = 'o', long, value_name = "PATH")]
    pub output: Option<PathBuf>,

    /// Write {"token": …, "expiresAt": …} lines instead of bare tokens
    #[arg(long)]
    pub json: bool,

    /// Signing threads [default: one per core]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub threads: Option<u16>,
}

/// A permission as spelled in the token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
#[value(rename_all = "snake_case")]
pub enum PermissionArg {
    /// Join directly
    AllowJoin,
    /// Ask to join and wait to be let in
    AskJoin,
    /// Moderate: remove participants, toggle their media
    AllowMod,
}

impl From<PermissionArg> for Permission {
    fn from(arg: PermissionArg) -> Self {
        match arg {
            PermissionArg::AllowJoin => Self::AllowJoin,
            PermissionArg::AskJoin => Self::AskJoin,
            PermissionArg::AllowMod => Self::AllowMod,
        }
    }
}

/// A role as spelled in the token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
#[value(rename_all = "snake_case")]
pub enum RoleArg {
    /// Meetings only
    Rtc,
    /// The v2 server API only
    Crawler,
}

impl From<RoleArg> for Role {
    fn from(arg: RoleArg) -> Self {
        match arg {
            RoleArg::Rtc => Self::Rtc,
            RoleArg::Crawler => Self::Crawler,
        }
    }
}

/// What a verified token must allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Use {
    /// Joining a meeting as a client
    Meeting,
    /// Calling the v2 server API
    Api,
}

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on: `127.0.0.1:9000`, `:9000` (every interface), `0.0.0.0:9000`,
    /// `[::]:9000` or a host name with a port [default: 127.0.0.1, port $PORT or 9000]
    #[arg(long, value_name = "ADDR", value_parser = listen_address)]
    pub listen: Option<std::net::SocketAddr>,

    /// Allow browsers on any origin, as VideoSDK's Node example does with `cors()` (the same
    /// as --cors-origin '*')
    #[arg(long)]
    pub cors: bool,

    /// Do not serve the token inspector page at /inspect/
    #[arg(long)]
    pub no_inspector: bool,

    /// The claims of a token asked for without any (GET /get-token)
    #[command(flatten)]
    pub issuer: IssuerArgs,

    /// How POST /verify checks tokens, as `verify` does
    #[command(flatten)]
    pub rules: RuleArgs,

    /// Permissions a caller may ask for [default: allow_join, ask_join]
    #[arg(long = "allow-permission", value_name = "P", value_delimiter = ',')]
    pub allowed_permissions: Vec<PermissionArg>,

    /// Roles a caller may ask for [default: rtc, crawler]
    #[arg(long = "allow-role", value_name = "R", value_delimiter = ',')]
    pub allowed_roles: Vec<RoleArg>,

    /// Roles of a token that names a room or a participant and asks for no roles, as
    /// VideoSDK's examples give them; repeat or separate with commas
    #[arg(
        long = "scoped-roles",
        value_name = "R",
        value_delimiter = ',',
        default_value = "rtc"
    )]
    pub scoped_roles: Vec<RoleArg>,

    /// Give such tokens no roles at all (they may then join meetings and call the server API)
    #[arg(long, conflicts_with = "scoped_roles")]
    pub no_scoped_roles: bool,

    /// Longest lifetime a caller may ask for
    #[arg(long, value_name = "DURATION", default_value = "24h")]
    pub max_expires_in: String,

    /// File holding the secret being rotated out: /verify still accepts tokens it signed (new
    /// tokens are always signed with the current secret); re-read on SIGHUP
    #[arg(long, value_name = "PATH")]
    pub previous_secret_file: Option<PathBuf>,

    /// File holding a bearer token callers must present; repeat to accept several (rotation)
    #[arg(long = "auth-token-file", value_name = "PATH")]
    pub auth_token_files: Vec<PathBuf>,

    /// Origin allowed to call from a browser (CORS), or * for any; repeat for several
    /// [default: none]
    #[arg(long = "cors-origin", value_name = "ORIGIN")]
    pub cors_origins: Vec<String>,

    /// Host name (the Host header) this server answers to, besides localhost and loopback
    /// addresses; repeat for several. When listening on loopback only those are answered by
    /// default (against DNS rebinding); elsewhere any host is, unless this is given
    #[arg(long = "allowed-host", value_name = "NAME")]
    pub allowed_hosts: Vec<String>,

    /// Largest request body accepted, in bytes (a larger declared length gets 413 at once)
    #[arg(long, value_name = "BYTES", default_value = "16384")]
    pub max_body: usize,

    /// Connections served at once; more wait to be accepted [default: the open-file limit
    /// less 64 (or half a limit under 128), at most 65536]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub max_connections: Option<u32>,

    /// Sign roomId and participantId values holding control characters or bidi overrides
    /// (refused by default: they can forge lines in logs and terminals)
    #[arg(long)]
    pub allow_control_characters: bool,

    /// Time allowed to receive a request's headers: 10s, 500ms, 1m, … (a bare number is seconds)
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = timeout, allow_hyphen_values = true)]
    pub header_timeout: Duration,

    /// Time allowed to receive and answer a whole request (a bare number is seconds)
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = timeout, allow_hyphen_values = true)]
    pub request_timeout: Duration,

    /// Bind every token to the user an authenticating proxy names in this header (for
    /// example X-Auth-Request-User from oauth2-proxy): participantId is that user; a request
    /// naming another gets 403, one without the header 401
    #[arg(long, value_name = "HEADER", value_parser = identity_header)]
    pub participant_from_header: Option<axum::http::HeaderName>,

    /// Scope tokens to the room in the path: GET or POST /get-token/ROOM (a request naming
    /// another roomId gets 403)
    #[arg(long)]
    pub room_from_path: bool,

    /// Requests each caller may make, per second, minute or hour (20/s, 300/m); callers are
    /// told apart by the identity header, else the bearer token (with --auth-token-file), else
    /// their address. Over it: 429 with Retry-After
    #[arg(long, value_name = "N/UNIT", value_parser = rate)]
    pub rate_limit: Option<governor::Quota>,

    /// The VideoSDK API that /create-meeting and /validate-meeting forward to; one with no
    /// path means /v2 [default: VIDEOSDK_API_ENDPOINT from the environment or .env, else
    /// `https://api.videosdk.live/v2`]
    #[arg(long, value_name = "URL")]
    pub api_endpoint: Option<String>,

    /// Time the VideoSDK API has to answer a forwarded call (then 504)
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = timeout, allow_hyphen_values = true)]
    pub upstream_timeout: Duration,

    /// After SIGTERM, keep taking connections this long while /healthz answers 503, so that
    /// load balancers stop sending first (0 closes the listener at once)
    #[arg(long, value_name = "DURATION", default_value = "0", value_parser = wait, allow_hyphen_values = true)]
    pub drain_time: Duration,

    /// No access log on standard error
    #[arg(long)]
    pub quiet: bool,

    #[command(flatten)]
    pub secret: SecretArgs,
}

/// A wait or a clock allowance (not a token lifetime, so not the `ms` grammar): a bare number
/// of seconds, or a duration such as `30s`, `1500ms`, `2m`, `1h 30m`.
fn wait(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    if let Ok(seconds) = text.parse::<u64>() {
        return Ok(Duration::from_secs(seconds));
    }
    if text.starts_with('-') {
        return Err("a duration cannot be negative".into());
    }
    humantime::parse_duration(text).map_err(|e| {
        format!("{e} (write a duration such as 30s, 1500ms, 2m or 1h 30m, or a number of seconds)")
    })
}

/// `--header-timeout` and `--request-timeout`: more than zero, at most a day.
fn timeout(text: &str) -> Result<Duration, String> {
    const LONGEST: Duration = Duration::from_secs(86_400);
    let duration = wait(text)?;
    if duration.is_zero() {
        return Err("a timeout must be longer than zero".into());
    }
    if duration > LONGEST {
        return Err("a timeout can be at most a day (24h)".into());
    }
    Ok(duration)
}

/// `--leeway`, in whole seconds (a fraction of a second is dropped), at most a day: a clock
/// further off than that is not skew.
fn leeway(text: &str) -> Result<u64, String> {
    const LONGEST: u64 = 86_400;
    let seconds = wait(text)?.as_secs();
    if seconds > LONGEST {
        return Err(format!("a leeway can be at most a day ({LONGEST} seconds)"));
    }
    Ok(seconds)
}

/// `--rate-limit`: `N/s`, `N/m` or `N/h`, with bursts of up to N.
fn rate(text: &str) -> Result<governor::Quota, String> {
    let (count, unit) = text
        .split_once('/')
        .ok_or("write a count and a unit: 20/s, 300/m or 1000/h")?;
    let count = count
        .trim()
        .parse::<u32>()
        .ok()
        .and_then(std::num::NonZeroU32::new)
        .ok_or_else(|| format!("{count:?} is not a count of one or more"))?;
    match unit.trim() {
        "s" | "sec" | "second" => Ok(governor::Quota::per_second(count)),
        "m" | "min" | "minute" => Ok(governor::Quota::per_minute(count)),
        "h" | "hour" => Ok(governor::Quota::per_hour(count)),
        other => Err(format!("{other:?} is not a unit: use s, m or h")),
    }
}

/// `--listen`: an address, `:PORT` for every interface (as Go and the examples' servers write
/// it), or a host name and port, resolved once at start.
fn listen_address(text: &str) -> Result<std::net::SocketAddr, String> {
    use std::net::{Ipv4Addr, SocketAddr, ToSocketAddrs};
    if let Some(port) = text.strip_prefix(':') {
        let port = port
            .parse::<u16>()
            .map_err(|_| format!("{port:?} is not a port number"))?;
        return Ok(SocketAddr::from((Ipv4Addr::UNSPECIFIED, port)));
    }
    if let Ok(addr) = text.parse::<SocketAddr>() {
        return Ok(addr);
    }
    text.to_socket_addrs()
        .map_err(|e| format!("{e} (write HOST:PORT, :PORT or an IP address and port)"))?
        .next()
        .ok_or_else(|| format!("{text} resolves to no address"))
}

/// An identity header name, refusing the headers that carry credentials: their value would be
/// written into tokens as the participant.
fn identity_header(name: &str) -> Result<axum::http::HeaderName, String> {
    let header = axum::http::HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| format!("{name:?} is not a header name"))?;
    if ["authorization", "proxy-authorization", "cookie"].contains(&header.as_str()) {
        return Err(format!(
            "{name} carries credentials; name the header your authenticating proxy sets (X-User, say)"
        ));
    }
    Ok(header)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_are_durations_not_token_lifetimes() {
        assert_eq!(timeout("10s"), Ok(Duration::from_secs(10)));
        assert_eq!(timeout("1500ms"), Ok(Duration::from_millis(1500)));
        assert_eq!(timeout("7"), Ok(Duration::from_secs(7)));
        assert_eq!(timeout("1h 30m"), Ok(Duration::from_secs(5400)));
        assert!(timeout("0").expect_err("zero").contains("longer than zero"));
        assert!(
            timeout("0s")
                .expect_err("zero")
                .contains("longer than zero")
        );
        assert!(timeout("-1s").expect_err("negative").contains("negative"));
        assert!(timeout("600000000000y").is_err());
        assert!(timeout("2d").expect_err("long").contains("at most a day"));
        assert!(timeout("soon").is_err());
        assert_eq!(leeway("0"), Ok(0));
        assert_eq!(leeway("30s"), Ok(30));
        assert_eq!(leeway("2m"), Ok(120));
        let huge = leeway("999999999999999999999y").expect_err("huge");
        assert!(!huge.contains("zero or more"), "{huge}");
        assert!(leeway("2d").expect_err("long").contains("at most a day"));
    }

    #[test]
    fn rates_read_as_written() {
        let per = |n: u32| std::num::NonZeroU32::new(n).expect("non-zero");
        assert_eq!(rate("20/s"), Ok(governor::Quota::per_second(per(20))));
        assert_eq!(rate("300/m"), Ok(governor::Quota::per_minute(per(300))));
        assert_eq!(rate("5 / h"), Ok(governor::Quota::per_hour(per(5))));
        assert!(rate("0/s").is_err());
        assert!(rate("20").is_err());
        assert!(rate("20/d").is_err());
    }

    #[test]
    fn listen_addresses_as_containers_write_them() {
        assert_eq!(
            listen_address(":9000"),
            Ok("0.0.0.0:9000".parse().expect("addr"))
        );
        assert_eq!(
            listen_address("0.0.0.0:80"),
            Ok("0.0.0.0:80".parse().expect("addr"))
        );
        assert_eq!(
            listen_address("[::]:9000"),
            Ok("[::]:9000".parse().expect("addr"))
        );
        let local = listen_address("localhost:9000").expect("resolves");
        assert!(local.ip().is_loopback() && local.port() == 9000);
        assert!(listen_address(":http").is_err());
        assert!(listen_address("9000").is_err());
    }
}
