/* The golden vectors made by Node's jsonwebtoken (tests/vectors/vectors.json), as the C
 * programs over the C ABI see them, and the check they all run: the host test under valgrind
 * and the sanitizers, and the Cortex-M4 self-test under QEMU. */
#ifndef GOLDEN_H
#define GOLDEN_H

#include <stddef.h>
#include <stdint.h>

#include "videosdk_token.h"

/* Bytes that may hold a NUL: a pointer and a length. NULL for absent. */
struct bytes {
    const char *ptr;
    size_t len;
};

/* A signing vector: the payload handed to jwt.sign, and the token Node made. */
struct vector {
    struct bytes name, secret, apikey;
    uint8_t permissions[3];
    size_t permissions_len;
    uint8_t version_2;
    struct bytes room_id, participant_id;
    uint8_t roles[2];
    size_t roles_len;
    uint64_t iat;
    struct bytes expires_text; /* NULL when expires_seconds is used */
    uint64_t expires_seconds;
    struct bytes token;
};

/* A token made by Node and the status verify must give it at `now` with `leeway`. */
struct check {
    struct bytes name, secret, token;
    uint64_t now, leeway;
    videosdk_token_status expect;
};

/* Where a program prints a line (without its newline). */
typedef void (*golden_say)(const char *line);

/* Signs every vector and compares it byte for byte with Node's token, verifies each in place,
 * refuses each tampered and expired, and checks every verification case. Prints a FAIL line
 * for each failure and returns how many there were. */
unsigned golden_run(golden_say say, unsigned *vectors, unsigned *checks);

/* The decimal digits of n, in a static buffer. */
const char *golden_decimal(uint64_t n);

#endif
