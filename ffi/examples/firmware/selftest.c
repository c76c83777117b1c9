/* The C self-test on the Cortex-M4: every golden vector signed byte for byte as Node signs it,
 * verified in place, refused tampered and expired; every verification case given its status;
 * then sign and verify measured (stack and instructions) as the Rust self-test measures them. */
#include <string.h>

#include "board.h"
#include "example.h"
#include "golden.h"

static void say(const char *line) {
    board_write(line);
    board_write("\n");
}

static videosdk_token_key key;
static uint8_t token[512], scratch[512];

#define RUNS 16

static int measure(void) {
    videosdk_token_claims claims = example_claims();
    size_t len = 0;
    if (videosdk_token_key_init(&key, (const uint8_t *)EXAMPLE_SECRET,
                                sizeof EXAMPLE_SECRET - 1) != VIDEOSDK_TOKEN_OK)
        return 0;
    board_stack_paint();
    videosdk_token_status signed_ = videosdk_token_sign(&key, &claims, token, sizeof token, &len);
    size_t sign_stack = board_stack_used();
    if (signed_ != VIDEOSDK_TOKEN_OK) return 0;

    videosdk_token_rules rules = {1700000060, 0, 0, false};
    videosdk_token_verified verified;
    memcpy(scratch, token, len);
    board_stack_paint();
    videosdk_token_status checked = videosdk_token_verify(&key, scratch, len, &rules, &verified);
    size_t verify_stack = board_stack_used();
    if (checked != VIDEOSDK_TOKEN_OK) return 0;

    board_count_start();
    for (int i = 0; i < RUNS; i++) __asm__ volatile("nop");
    uint32_t empty = board_count_stop();
    board_count_start();
    for (int i = 0; i < RUNS; i++) {
        videosdk_token_sign(&key, &claims, token, sizeof token, &len);
        __asm__ volatile("" ::: "memory");
    }
    uint32_t sign_count = (board_count_stop() - empty) / RUNS;
    /* verify decodes in place: each run verifies a fresh copy, and the copies alone are
       counted and taken away. */
    board_count_start();
    for (int i = 0; i < RUNS; i++) {
        memcpy(scratch, token, len);
        __asm__ volatile("" ::: "memory");
    }
    uint32_t copies = board_count_stop();
    board_count_start();
    for (int i = 0; i < RUNS; i++) {
        memcpy(scratch, token, len);
        videosdk_token_verify(&key, scratch, len, &rules, &verified);
        __asm__ volatile("" ::: "memory");
    }
    uint32_t verify_count = (board_count_stop() - copies) / RUNS;

    board_measure("c_signing_input_bytes", len - 1 - VIDEOSDK_TOKEN_SIGNATURE_LEN);
    board_measure("c_flash_selftest", board_flash_bytes());
    board_measure("c_stack_sign", sign_stack);
    board_measure("c_stack_verify_in_place", verify_stack);
    board_measure("c_instructions_sign", sign_count);
    board_measure("c_instructions_verify_in_place", verify_count);
    return 1;
}

int main(void) {
    unsigned vectors = 0, checks = 0;
    unsigned failures = golden_run(say, &vectors, &checks);
    board_write("vectors ");
    board_write(golden_decimal(vectors));
    board_write(" passed, checks ");
    board_write(golden_decimal(checks));
    board_write(" passed\n");
    if (!measure()) {
        say("FAIL measurements: the example did not sign and verify");
        failures++;
    }
    return failures == 0 ? 0 : 1;
}
