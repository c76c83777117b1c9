//! The example token the benchmarks and the firmware measure: a version-2 meeting token whose
//! signing input (`header.payload`) is 308 bytes.

use videosdk_token_core::{Claims, Permission, Role};

/// The secret the example is signed with.
pub const SECRET: &[u8] = b"bench-secret-0123456789abcdef-0123456789";

const PERMISSIONS: &[Permission] = &[Permission::AllowJoin, Permission::AllowMod];
const ROLES: &[Role] = &[Role::Rtc];

/// The example claims, issued at `iat` and expiring at `exp`.
#[must_use]
pub fn claims(iat: u64, exp: u64) -> Claims<'static> {
    Claims::new(
        "b5a3f0e2-6c1d-4c5e-9f3a-1d2e3f4a5b6c",
        PERMISSIONS,
        iat,
        exp,
    )
    .with_room_id("abcd-efgh-ijkl")
    .with_participant_id("p-0042")
    .with_roles(ROLES)
}
