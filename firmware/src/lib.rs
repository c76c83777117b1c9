//! What both firmware images share: measuring themselves (flash, stack high-water mark,
//! instruction counts) and a panic handler that cannot be linked.
#![no_std]

use core::ptr::{addr_of, read_volatile, write_volatile};

use cortex_m::peripheral::SYST;
use cortex_m::peripheral::syst::SystClkSource;

/// A panic handler that calls a function nobody defines: if any panic path survives
/// optimisation, the image fails to link, naming this symbol. (`tests/firmware.rs` also reads
/// every image's symbol table for `core::panicking` and `core::slice::index`, so the proof
/// does not rest on this trick alone.)
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    // SAFETY: never runs: the symbol does not exist, so an image that can reach this does
    // not link.
    unsafe { a_panic_path_survived_in_the_firmware() }
}

unsafe extern "C" {
    /// Defined nowhere, on purpose.
    fn a_panic_path_survived_in_the_firmware() -> !;

    // Symbols of cortex-m-rt's link.x.
    static __erodata: u32;
    static __sdata: u32;
    static __edata: u32;
    static __sheap: u32;
}

/// Bytes of flash the image occupies: vector table, text and rodata (from address 0), and the
/// initial values of .data.
pub fn flash_bytes() -> usize {
    // Only the addresses of the linker symbols are taken, which needs no `unsafe`.
    let rodata_end = addr_of!(__erodata) as usize;
    let data = addr_of!(__edata) as usize - addr_of!(__sdata) as usize;
    rodata_end + data
}

const PAINT: u32 = 0x5afe_57ac;

/// How far below the caller the stack is painted (and so the deepest use that can be seen).
const PAINT_DEPTH: usize = 64 * 1024;

#[inline(never)]
fn paint(bottom: usize, top: usize) {
    let mut addr = bottom;
    while addr < top {
        // SAFETY: [bottom, top) is unused stack between the heap start and the live frames.
        unsafe { write_volatile(addr as *mut u32, PAINT) };
        addr += 4;
    }
}

/// The stack `f` uses, in bytes: the region below this frame is painted, `f` runs, and the
/// lowest word no longer holding the paint marks its deepest frame.
#[inline(never)]
pub fn stack_used<R>(f: impl FnOnce() -> R) -> (usize, R) {
    let sp = cortex_m::register::msp::read() as usize;
    let heap = addr_of!(__sheap) as usize;
    let bottom = (sp - PAINT_DEPTH).max(heap) & !3;
    // Leave room for `paint`'s own frame.
    paint(bottom, sp - 256);
    let result = f();
    let mut addr = bottom;
    // SAFETY: reading the painted region back.
    while addr < sp && unsafe { read_volatile(addr as *const u32) } == PAINT {
        addr += 4;
    }
    (sp - addr, result)
}

/// QEMU's MPS2 SysTick runs at 25 MHz, 40 ns a tick; with `-icount shift=0` one instruction
/// takes 1 ns of virtual time, so a tick is 40 instructions.
const INSTRUCTIONS_PER_TICK: u32 = 40;

fn ticks(runs: u32, f: &mut dyn FnMut()) -> u32 {
    // SAFETY: the firmware is single-threaded and nothing else uses SysTick.
    let mut syst = unsafe { cortex_m::Peripherals::steal() }.SYST;
    syst.set_clock_source(SystClkSource::Core);
    syst.set_reload(0x00ff_ffff);
    syst.clear_current();
    syst.enable_counter();
    let start = SYST::get_current();
    for _ in 0..runs {
        f();
    }
    let end = SYST::get_current();
    syst.disable_counter();
    start - end
}

/// Instructions one call of `f` executes, averaged over `runs` calls, with the cost of an
/// empty call subtracted.
pub fn instructions(runs: u32, mut f: impl FnMut()) -> u32 {
    let empty = ticks(runs, &mut || cortex_m::asm::nop());
    let full = ticks(runs, &mut f);
    full.saturating_sub(empty) * INSTRUCTIONS_PER_TICK / runs
}

/// The decimal digits of `n`, without `core::fmt` (which would cost more flash than the work
/// the small images measure).
pub fn decimal(mut n: usize, buf: &mut [u8; 20]) -> &[u8] {
    let mut start = buf.len();
    for slot in buf.iter_mut().rev() {
        *slot = b'0' + (n % 10) as u8;
        start -= 1;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    buf.get(start..).unwrap_or_default()
}
