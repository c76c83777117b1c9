/* What the C firmware images share: start-up on the MPS2 AN386 board, output and exit through
 * semihosting, and measuring themselves as the Rust firmware does (flash, stack high-water
 * mark, instruction counts). */
#ifndef BOARD_H
#define BOARD_H

#include <stddef.h>
#include <stdint.h>

/* Writes a NUL-terminated string to the host's standard output. */
void board_write(const char *text);
/* Ends the program: QEMU exits with 0 when `ok`, 1 otherwise. */
void board_exit(int ok) __attribute__((noreturn));
/* Bytes of flash the image occupies: vector table, text and rodata, and .data's initial values. */
size_t board_flash_bytes(void);
/* Paints the stack below the caller; board_stack_used() then gives the deepest use since. */
void board_stack_paint(void);
size_t board_stack_used(void);
/* SysTick in instruction units (QEMU -icount shift=0: a tick is 40 instructions). */
void board_count_start(void);
uint32_t board_count_stop(void);
/* Prints "measure <name>=<value>". */
void board_measure(const char *name, uint64_t value);

#endif
