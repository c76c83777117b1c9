/* Start-up, semihosting and measuring for the C firmware images; see board.h. */
#include <string.h>

#include "board.h"

extern uint32_t _stack_top, __erodata, __sdata, __edata, __sidata, __sbss, __ebss, __sheap;
int main(void);

void reset_handler(void) __attribute__((noreturn));
static void fault_handler(void) __attribute__((noreturn));

/* The initial stack pointer, then the exception handlers (the core's 16 entries). */
__attribute__((section(".vectors"), used)) static const void *const vectors[16] = {
    &_stack_top,   (const void *)reset_handler, (const void *)fault_handler,
    (const void *)fault_handler, (const void *)fault_handler, (const void *)fault_handler,
    (const void *)fault_handler,
};

void reset_handler(void) {
    /* Word loops rather than memcpy/memset, which the image would otherwise link in only for
       this (the library brings its own). */
    const uint32_t *from = &__sidata;
    for (volatile uint32_t *to = &__sdata; to < &__edata;) *to++ = *from++;
    for (volatile uint32_t *to = &__sbss; to < &__ebss;) *to++ = 0;
    /* The library is built for the hard-float ABI: enable the FPU (CP10, CP11). */
    *(volatile uint32_t *)0xE000ED88 |= 0xFu << 20;
    __asm__ volatile("dsb\n\tisb" ::: "memory");
    board_exit(main() == 0);
}

static void fault_handler(void) {
    board_write("FAIL a fault\n");
    board_exit(0);
}

static int semihost(int op, const void *arg) {
    register int r0 __asm__("r0") = op;
    register const void *r1 __asm__("r1") = arg;
    __asm__ volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

/* The host's standard output: SYS_OPEN of ":tt" for writing (SYS_WRITE0 would go to QEMU's
   standard error). */
static int stdout_handle = -1;

void board_write(const char *text) {
    if (stdout_handle < 0) {
        const uintptr_t open_args[3] = {(uintptr_t)":tt", 4 /* "w" */, 3};
        stdout_handle = semihost(0x01 /* SYS_OPEN */, open_args);
    }
    const uintptr_t write_args[3] = {(uintptr_t)stdout_handle, (uintptr_t)text, strlen(text)};
    semihost(0x05 /* SYS_WRITE */, write_args);
}

void board_exit(int ok) {
    /* SYS_EXIT with ADP_Stopped_ApplicationExit (QEMU exits 0) or RunTimeErrorUnknown (1). */
    semihost(0x18, (const void *)(uintptr_t)(ok ? 0x20026 : 0x20023));
    for (;;) __asm__ volatile("wfi");
}

size_t board_flash_bytes(void) {
    return (size_t)(uintptr_t)&__erodata + (size_t)((char *)&__edata - (char *)&__sdata);
}

#define PAINT 0x5afe57acu
#define PAINT_DEPTH (64u * 1024u)
static uintptr_t painted_top;

static uintptr_t stack_pointer(void) {
    uintptr_t sp;
    __asm__ volatile("mov %0, sp" : "=r"(sp));
    return sp;
}

__attribute__((noinline)) void board_stack_paint(void) {
    uintptr_t sp = stack_pointer();
    uintptr_t bottom = sp - PAINT_DEPTH;
    if (bottom < (uintptr_t)&__sheap) bottom = (uintptr_t)&__sheap;
    bottom &= ~(uintptr_t)3;
    /* Leave room for this function's own frame, as the Rust firmware does. */
    for (volatile uint32_t *p = (uint32_t *)bottom; (uintptr_t)p < sp - 256; p++) *p = PAINT;
    painted_top = sp;
}

size_t board_stack_used(void) {
    uintptr_t sp = stack_pointer();
    uintptr_t bottom = sp - PAINT_DEPTH;
    if (bottom < (uintptr_t)&__sheap) bottom = (uintptr_t)&__sheap;
    bottom &= ~(uintptr_t)3;
    volatile uint32_t *p = (uint32_t *)bottom;
    while ((uintptr_t)p < painted_top && *p == PAINT) p++;
    return (size_t)(painted_top - (uintptr_t)p);
}

#define SYST_CSR (*(volatile uint32_t *)0xE000E010)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018)
static uint32_t count_start;

void board_count_start(void) {
    SYST_RVR = 0x00ffffff;
    SYST_CVR = 0;
    SYST_CSR = 0x5; /* enable, processor clock */
    count_start = SYST_CVR;
}

uint32_t board_count_stop(void) {
    uint32_t end = SYST_CVR;
    SYST_CSR = 0;
    return (count_start - end) * 40;
}

void board_measure(const char *name, uint64_t value) {
    char digits[21];
    char *p = digits + sizeof digits - 1;
    *p = '\0';
    do {
        *--p = (char)('0' + value % 10);
        value /= 10;
    } while (value != 0);
    board_write("measure ");
    board_write(name);
    board_write("=");
    board_write(p);
    board_write("\n");
}
