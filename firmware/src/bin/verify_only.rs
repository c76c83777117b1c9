//! The smallest image that checks tokens: verify one received token in place, in its own
//! buffer, to measure what verifying alone costs in flash and stack.
#![no_std]
#![no_main]

use cortex_m_rt::entry;
use cortex_m_semihosting::{debug, hio};
use videosdk_token_core::{Key, Rules, verify_in_place};
use videosdk_token_firmware::{decimal, flash_bytes, stack_used};

include!(concat!(env!("OUT_DIR"), "/received_token.rs"));

#[entry]
fn main() -> ! {
    // The one buffer: the token as received (over a radio, say), checked where it lies.
    let mut buf = [0u8; 512];
    let len = TOKEN.len().min(buf.len());
    if let (Some(slot), Some(token)) = (buf.get_mut(..len), TOKEN.as_bytes().get(..len)) {
        slot.copy_from_slice(token);
    }
    let status = match (hio::hstdout(), Key::new(SECRET)) {
        (Ok(mut out), Ok(key)) => {
            let rules = Rules::at(IAT + 60);
            let (stack, exp) = stack_used(|| {
                buf.get_mut(..len)
                    .and_then(|token| verify_in_place(token, &key, &rules).ok())
                    .map(|verified| verified.exp())
            });
            let mut digits = [0u8; 20];
            let mut more = [0u8; 20];
            let written = match exp {
                Some(exp) => {
                    out.write_all(b"verified exp=").is_ok()
                        && out.write_all(decimal(exp as usize, &mut digits)).is_ok()
                }
                None => out
                    .write_all(b"FAIL the received token was refused")
                    .is_ok(),
            } && out.write_all(b"\nmeasure flash_verify_only=").is_ok()
                && out.write_all(decimal(flash_bytes(), &mut digits)).is_ok()
                && out.write_all(b"\nmeasure stack_verify_in_place=").is_ok()
                && out.write_all(decimal(stack, &mut more)).is_ok()
                && out.write_all(b"\n").is_ok();
            if written && exp.is_some() {
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
