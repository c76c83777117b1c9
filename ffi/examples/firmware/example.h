/* The token both firmware languages measure: the Rust firmware's example, a v2 meeting token
 * whose signing input is 308 bytes. */
#ifndef EXAMPLE_H
#define EXAMPLE_H

#include "videosdk_token.h"

static const char EXAMPLE_SECRET[] = "bench-secret-0123456789abcdef-0123456789";
static const uint8_t EXAMPLE_PERMISSIONS[] = {VIDEOSDK_TOKEN_ALLOW_JOIN, VIDEOSDK_TOKEN_ALLOW_MOD};
static const uint8_t EXAMPLE_ROLES[] = {VIDEOSDK_TOKEN_RTC};

/* Designated initialisers: the fields not named are zero, without a call to memset. */
static inline videosdk_token_claims example_claims(void) {
    videosdk_token_claims c = {
        .apikey = (const uint8_t *)"b5a3f0e2-6c1d-4c5e-9f3a-1d2e3f4a5b6c",
        .apikey_len = 36,
        .permissions = EXAMPLE_PERMISSIONS,
        .permissions_len = 2,
        .version_2 = true,
        .room_id = (const uint8_t *)"abcd-efgh-ijkl",
        .room_id_len = 14,
        .participant_id = (const uint8_t *)"p-0042",
        .participant_id_len = 6,
        .roles = EXAMPLE_ROLES,
        .roles_len = 1,
        .iat = 1700000000,
        .exp = 1700007200,
    };
    return c;
}

#endif
