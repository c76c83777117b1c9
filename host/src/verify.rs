//! `videosdk-token verify`: the signature, the times and, when asked, access to a meeting or
//! the server API; a short summary when valid, the precise reason when refused.

use std::io::{Read, Write};

use anyhow::{Context, Result, bail};
use videosdk_token_core::Error::BadSignature;
use videosdk_token_core::{Join, Key, Refusal, Rules, VerifiedClaims, verify};

use crate::cli::{RuleArgs, Use, VerifyArgs};
use crate::error::{Failure, refusal_text, refused};
use crate::escape::{for_terminal, json_for_terminal};
use crate::{clock, paint, secret};

/// Longest token read from standard input; anything longer is refused before it is all read.
pub const MAX_STDIN_TOKEN: u64 = 64 * 1024;

/// The token argument, or standard input for `-`: surrounding white space and a leading
/// `Bearer ` (any case, as pasted from an `Authorization` header) are dropped.
pub fn read_token(arg: &str) -> Result<String> {
    if arg != "-" {
        return Ok(without_scheme(arg.trim()).to_owned());
    }
    let mut text = String::new();
    std::io::stdin()
        .lock()
        .take(MAX_STDIN_TOKEN + 1)
        .read_to_string(&mut text)
        .context("cannot read the token from standard input")?;
    if text.len() as u64 > MAX_STDIN_TOKEN {
        bail!("the token on standard input is longer than {MAX_STDIN_TOKEN} bytes");
    }
    Ok(without_scheme(text.trim()).to_owned())
}

fn without_scheme(token: &str) -> &str {
    match token.split_at_checked(7) {
        Some((scheme, rest)) if scheme.eq_ignore_ascii_case("bearer ") => rest.trim_start(),
        _ => token,
    }
}

pub fn run(args: &VerifyArgs) -> Result<()> {
    secret::refuse_command_line(&args.secret)?;
    let token = read_token(&args.token)?;
    let secret = secret::load(&args.secret, args.token == "-")?;
    let key = Key::new(secret.bytes())?;
    let now = args.now.unwrap_or_else(clock::now);
    let mut scratch = Vec::new();
    let previous = args
        .previous_secret_file
        .as_deref()
        .map(|path| secret::key_file(path, "--previous-secret-file"))
        .transpose()?;
    let checked = check(
        &token,
        &key,
        previous.as_ref(),
        &rules(&args.rules, now),
        &mut scratch,
    )
    .map_err(refused)
    .and_then(|verified| {
        let asked = Asked {
            for_use: args.for_use,
            room_id: args.room_id.as_deref(),
            participant_id: args.participant_id.as_deref(),
        };
        match asked.check(&verified) {
            Ok(access) => Ok((verified, access)),
            Err(Access::Refused(refusal)) => Err(refused(refusal)),
            Err(Access::NoRoom) => {
                bail!("--for meeting needs --room-id ROOM: the token is not limited to one room")
            }
        }
    });
    let (verified, access) = match checked {
        Ok(checked) => checked,
        Err(failure) => {
            if args.json
                && let Some(Failure::Refused(reason)) = failure.downcast_ref::<Failure>()
            {
                // Machines get the refusal on stdout too; the exit code is still 1.
                let doc = serde_json::json!({
                    "valid": false,
                    "reason": refusal_text(reason),
                });
                let _ = writeln!(std::io::stdout().lock(), "{doc}");
            }
            return Err(failure);
        }
    };
    let summary = Summary::of(&verified, access, now);
    let mut stdout = std::io::stdout().lock();
    if args.json {
        writeln!(stdout, "{}", json_for_terminal(&summary.json().to_string()))
    } else {
        write!(stdout, "{}", summary.text())
    }
    .and_then(|()| stdout.flush())
    .context("cannot write the summary")
}

/// The rules tokens are checked by at `now`, from the flags `verify` and `serve` share.
pub fn rules(args: &RuleArgs, now: u64) -> Rules {
    let rules = Rules::at(now)
        .with_leeway(args.leeway)
        .with_max_token_len(args.max_token_len);
    if args.refuse_unknown_names {
        rules.refusing_unknown_names()
    } else {
        rules
    }
}

/// Verifies `token` with `key`, or during a rotation with `previous` when `key` finds the
/// signature bad: the one check behind `verify` and `POST /verify`, each key tried once.
/// `scratch` is sized here: with a previous key it holds one decoding buffer for each, since
/// claims that borrow a buffer cannot be dropped and the buffer reused in one function.
pub fn check<'s>(
    token: &str,
    key: &Key,
    previous: Option<&Key>,
    rules: &Rules,
    scratch: &'s mut Vec<u8>,
) -> Result<VerifiedClaims<'s>, videosdk_token_core::Error> {
    let len = token.len();
    scratch.resize(if previous.is_some() { 2 * len } else { len }, 0);
    let (first, second) = scratch.split_at_mut(len);
    match (verify(token, key, rules, first), previous) {
        (Err(BadSignature), Some(previous)) => verify(token, previous, rules, second),
        (checked, _) => checked,
    }
}

/// What a caller asks a token to allow: `--for`, `--room-id` and `--participant-id`, or
/// `/verify`'s `for`, `roomId` and `participantId`.
pub struct Asked<'a> {
    pub for_use: Option<Use>,
    pub room_id: Option<&'a str>,
    pub participant_id: Option<&'a str>,
}

/// Why a token does not allow what was asked.
pub enum Access {
    Refused(Refusal),
    /// A meeting was asked of a token not limited to one room, without naming the room.
    NoRoom,
}

impl Asked<'_> {
    /// The access asked for, if any: `None` when nothing was asked, or the server API.
    pub fn check(&self, verified: &VerifiedClaims<'_>) -> Result<Option<Join>, Access> {
        if self.for_use == Some(Use::Api) {
            verified
                .call_server_api(self.room_id)
                .map_err(Access::Refused)?;
            return Ok(None);
        }
        let wants_meeting = self.for_use == Some(Use::Meeting)
            || (self.for_use.is_none()
                && (self.room_id.is_some() || self.participant_id.is_some()));
        if !wants_meeting {
            return Ok(None);
        }
        let room = self
            .room_id
            .or(verified.claims().room_id())
            .ok_or(Access::NoRoom)?;
        verified
            .join(room, self.participant_id)
            .map(Some)
            .map_err(Access::Refused)
    }
}

/// What a valid token allows, for people and for machines.
pub struct Summary {
    apikey: String,
    room_id: Option<String>,
    participant_id: Option<String>,
    permissions: Vec<&'static str>,
    roles: Vec<&'static str>,
    unknown_permissions: Vec<String>,
    unknown_roles: Vec<String>,
    join: &'static str,
    moderate: bool,
    meetings: bool,
    server_api: bool,
    exp: u64,
    now: u64,
}

impl Summary {
    pub fn of(verified: &VerifiedClaims<'_>, asked: Option<Join>, now: u64) -> Self {
        let claims = verified.claims();
        // The core's access answers, for the token's own room and participant (a token not
        // limited to one room passes the room check for any).
        let room = claims.room_id().unwrap_or_default();
        let participant = claims.participant_id();
        let join = match asked.map_or_else(|| verified.join(room, participant), Ok) {
            Ok(Join::Directly) => "directly",
            Ok(Join::AfterAsking) => "after asking",
            Err(_) => "no",
        };
        Self {
            apikey: claims.apikey().to_owned(),
            room_id: claims.room_id().map(str::to_owned),
            participant_id: claims.participant_id().map(str::to_owned),
            permissions: claims.permissions().iter().map(|p| p.as_str()).collect(),
            roles: claims.roles().iter().map(|r| r.as_str()).collect(),
            unknown_permissions: claims
                .unknown_permissions()
                .iter()
                .map(|&p| p.to_owned())
                .collect(),
            unknown_roles: claims
                .unknown_roles()
                .iter()
                .map(|&r| r.to_owned())
                .collect(),
            join,
            moderate: verified.moderate(room, participant).is_ok(),
            meetings: claims.allows_meetings(),
            server_api: verified.call_server_api(None).is_ok(),
            exp: verified.exp(),
            now,
        }
    }

    fn text(&self) -> String {
        let mut may = Vec::new();
        if self.join != "no" {
            may.push(format!("join {}", self.join));
        }
        if self.moderate {
            may.push("moderate".to_owned());
        }
        if self.server_api {
            may.push("call the server API".to_owned());
        }
        let mut out = format!(
            "{} for API key {}\n",
            paint::valid("valid token"),
            for_terminal(&self.apikey)
        );
        out += &format!(
            "  room:         {}\n",
            self.room_id.as_deref().map_or("any".into(), for_terminal)
        );
        out += &format!(
            "  participant:  {}\n",
            self.participant_id
                .as_deref()
                .map_or("any".into(), for_terminal)
        );
        out += &format!("  permissions:  {}\n", self.permissions.join(", "));
        if !self.roles.is_empty() {
            out += &format!("  roles:        {}\n", self.roles.join(", "));
        }
        let unknown = |names: &[String]| {
            names
                .iter()
                .map(|n| format!("{:?}", for_terminal(n)))
                .collect::<Vec<_>>()
                .join(", ")
        };
        if !self.unknown_permissions.is_empty() {
            out += &format!(
                "  unknown:      permissions {} (grant nothing)\n",
                unknown(&self.unknown_permissions)
            );
        }
        if !self.unknown_roles.is_empty() {
            out += &format!(
                "  unknown:      roles {} (grant nothing)\n",
                unknown(&self.unknown_roles)
            );
        }
        out += &format!(
            "  may:          {}\n",
            if may.is_empty() {
                "nothing".to_owned()
            } else {
                may.join(", ")
            }
        );
        out += &format!(
            "  expires:      {} ({})\n",
            clock::utc(self.exp),
            clock::relative(self.exp, self.now)
        );
        out
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::json!({
            "valid": true,
            "apikey": self.apikey,
            "roomId": self.room_id,
            "participantId": self.participant_id,
            "permissions": self.permissions,
            "roles": self.roles,
            "unknownPermissions": self.unknown_permissions,
            "unknownRoles": self.unknown_roles,
            "join": self.join,
            "moderate": self.moderate,
            "meetings": self.meetings,
            "serverApi": self.server_api,
            "expiresAt": self.exp,
            "expiresIn": self.exp.saturating_sub(self.now),
        })
    }
}
