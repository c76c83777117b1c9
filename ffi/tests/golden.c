/* Every golden vector and verification case through the C ABI; see golden.h. Needs no heap
 * and no printf, so that the Cortex-M4 self-test can run it as the host test does. */
#include <string.h>

#include "golden.h"
#include "vectors.inc"

/* The longest vector token, and room to spare. */
#define BUF 4096

static uint8_t token_buf[BUF];
static uint8_t verify_buf[BUF];
static char line[512];

const char *golden_decimal(uint64_t n) {
    static char digits[21];
    char *p = digits + sizeof digits - 1;
    *p = '\0';
    do {
        *--p = (char)('0' + n % 10);
        n /= 10;
    } while (n != 0);
    return p;
}

/* line = a + b + c, cut to fit. */
static const char *join3(const char *a, const struct bytes *b, const char *c) {
    size_t at = 0;
    const char *parts[3] = {a, b->ptr, c};
    size_t lens[3] = {strlen(a), b->len, strlen(c)};
    for (int i = 0; i < 3; i++) {
        size_t n = lens[i];
        if (n > sizeof line - 1 - at) n = sizeof line - 1 - at;
        memcpy(line + at, parts[i], n);
        at += n;
    }
    line[at] = '\0';
    return line;
}

static unsigned fail(golden_say say, const struct bytes *name, const char *why) {
    say(join3("FAIL ", name, why));
    return 1;
}

static int key_for(videosdk_token_key *key, const struct bytes *secret) {
    return videosdk_token_key_init(key, (const uint8_t *)secret->ptr, secret->len) ==
           VIDEOSDK_TOKEN_OK;
}

static int all_zero(const uint8_t *p, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (p[i] != 0) return 0;
    return 1;
}

static unsigned one_vector(golden_say say, const struct vector *v) {
    videosdk_token_key key;
    if (!key_for(&key, &v->secret)) return fail(say, &v->name, ": key set-up");
    videosdk_token_claims claims;
    memset(&claims, 0, sizeof claims);
    claims.apikey = (const uint8_t *)v->apikey.ptr;
    claims.apikey_len = v->apikey.len;
    claims.permissions = v->permissions;
    claims.permissions_len = v->permissions_len;
    claims.version_2 = v->version_2 != 0;
    claims.room_id = (const uint8_t *)v->room_id.ptr;
    claims.room_id_len = v->room_id.len;
    claims.participant_id = (const uint8_t *)v->participant_id.ptr;
    claims.participant_id_len = v->participant_id.len;
    claims.roles = v->roles_len ? v->roles : NULL;
    claims.roles_len = v->roles_len;
    claims.iat = v->iat;
    if (v->expires_text.ptr != NULL) {
        if (videosdk_token_exp_after((const uint8_t *)v->expires_text.ptr, v->expires_text.len,
                                     v->iat, &claims.exp) != VIDEOSDK_TOKEN_OK)
            return fail(say, &v->name, ": expiresIn");
    } else {
        claims.exp = v->iat + v->expires_seconds;
    }

    size_t len = 0;
    if (videosdk_token_len(&claims, &len) != VIDEOSDK_TOKEN_OK || len != v->token.len)
        return fail(say, &v->name, ": videosdk_token_len is not the token's length");
    /* One byte short (no room for the NUL): refused, told the size, nothing written. */
    memset(token_buf, 0xA5, sizeof token_buf);
    size_t needed = 0;
    if (videosdk_token_sign(&key, &claims, token_buf, len, &needed) !=
            VIDEOSDK_TOKEN_BUFFER_TOO_SMALL ||
        needed != len + 1 || !all_zero(token_buf, len))
        return fail(say, &v->name, ": a buffer one byte short");
    if (videosdk_token_sign(&key, &claims, token_buf, len + 1, &needed) != VIDEOSDK_TOKEN_OK ||
        needed != len || memcmp(token_buf, v->token.ptr, len) != 0 || token_buf[len] != 0)
        return fail(say, &v->name, ": not Node's token");

    /* Verified in place, at iat: the claims read back. */
    videosdk_token_rules rules = {v->iat, 0, 0, false};
    videosdk_token_verified verified;
    memcpy(verify_buf, token_buf, len);
    if (videosdk_token_verify(&key, verify_buf, len, &rules, &verified) != VIDEOSDK_TOKEN_OK)
        return fail(say, &v->name, ": does not verify");
    if (verified.apikey_len != v->apikey.len ||
        memcmp(verified.apikey, v->apikey.ptr, v->apikey.len) != 0 || verified.exp != claims.exp ||
        verified.iat != v->iat || !verified.has_iat ||
        verified.permissions_len != v->permissions_len ||
        memcmp(verified.permissions, v->permissions, v->permissions_len) != 0 ||
        verified.roles_len != v->roles_len ||
        (v->roles_len && memcmp(verified.roles, v->roles, v->roles_len) != 0) ||
        (verified.room_id == NULL) != (v->room_id.ptr == NULL) ||
        (verified.participant_id == NULL) != (v->participant_id.ptr == NULL) ||
        verified.has_version != (v->version_2 != 0))
        return fail(say, &v->name, ": claims read back differ");

    /* Tampered (a signature character changed): refused, nothing filled. */
    memcpy(verify_buf, token_buf, len);
    size_t at = len - VIDEOSDK_TOKEN_SIGNATURE_LEN;
    verify_buf[at] = verify_buf[at] == 'A' ? 'B' : 'A';
    if (videosdk_token_verify(&key, verify_buf, len, &rules, &verified) !=
            VIDEOSDK_TOKEN_BAD_SIGNATURE ||
        !all_zero((const uint8_t *)&verified, sizeof verified))
        return fail(say, &v->name, ": tampered token not refused");

    /* Expired: at exp it is over. */
    memcpy(verify_buf, token_buf, len);
    rules.now = claims.exp;
    if (videosdk_token_verify(&key, verify_buf, len, &rules, &verified) != VIDEOSDK_TOKEN_EXPIRED)
        return fail(say, &v->name, ": expired token not refused");
    videosdk_token_key_clear(&key);
    return 0;
}

static unsigned one_check(golden_say say, const struct check *c) {
    videosdk_token_key key;
    if (!key_for(&key, &c->secret)) return fail(say, &c->name, ": key set-up");
    videosdk_token_rules rules = {c->now, c->leeway, 0, false};
    videosdk_token_verified verified;
    if (c->token.len > sizeof verify_buf) return fail(say, &c->name, ": token too long");
    memcpy(verify_buf, c->token.ptr, c->token.len);
    videosdk_token_status got =
        videosdk_token_verify(&key, verify_buf, c->token.len, &rules, &verified);
    if (got != c->expect) {
        say(join3("FAIL ", &c->name, ": verify gave"));
        say(videosdk_token_status_message(got));
        return 1;
    }
    return 0;
}

unsigned golden_run(golden_say say, unsigned *vectors, unsigned *checks) {
    unsigned failures = 0;
    *vectors = 0;
    *checks = 0;
    for (size_t i = 0; i < VECTOR_COUNT; i++) {
        unsigned failed = one_vector(say, &VECTORS[i]);
        failures += failed;
        *vectors += !failed;
    }
    for (size_t i = 0; i < CHECK_COUNT; i++) {
        unsigned failed = one_check(say, &CHECKS[i]);
        failures += failed;
        *checks += !failed;
    }
    return failures;
}
