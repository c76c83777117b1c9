//! The smallest useful image: sign one VideoSDK token and print it, to measure what signing
//! alone costs in flash.
#![no_std]
#![no_main]

use cortex_m_rt::entry;
use cortex_m_semihosting::{debug, hio};
use videosdk_token_core::{Claims, Key, Permission, Role, sign};
use videosdk_token_firmware::{decimal, flash_bytes};

const SECRET: &[u8] = b"bench-secret-0123456789abcdef-0123456789";
const PERMISSIONS: &[Permission] = &[Permission::AllowJoin, Permission::AllowMod];
const ROLES: &[Role] = &[Role::Rtc];

#[entry]
fn main() -> ! {
    let claims = Claims::new(
        "b5a3f0e2-6c1d-4c5e-9f3a-1d2e3f4a5b6c",
        PERMISSIONS,
        1_700_000_000,
        1_700_007_200,
    )
    .with_room_id("abcd-efgh-ijkl")
    .with_participant_id("p-0042")
    .with_roles(ROLES);
    let mut buf = [0u8; 512];
    let status = match (hio::hstdout(), Key::new(SECRET)) {
        (Ok(mut out), Ok(key)) => {
            let token = sign(&claims, &key, &mut buf)
                .map(str::as_bytes)
                .unwrap_or(b"error");
            let mut digits = [0u8; 20];
            let written = out.write_all(b"token ").is_ok()
                && out.write_all(token).is_ok()
                && out.write_all(b"\nmeasure flash_sign_only=").is_ok()
                && out.write_all(decimal(flash_bytes(), &mut digits)).is_ok()
                && out.write_all(b"\n").is_ok();
            if written {
                debug::EXIT_SUCCESS
            } else {
                debug::EXIT_FAILURE
            }
        }
        _ => debug::EXIT_FAILURE,
    };
    debug::exit(status);
    loop {
        cortex_m::asm::wfi();
    }
}
