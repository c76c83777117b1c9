/* The host C test of the C ABI: every golden vector and verification case (golden.c), then
 * hostile calls: NULL pointers, zero lengths, buffers one byte short, bytes that are not
 * UTF-8, storage never set up. Each must get its status and leave its output zeroed. Run
 * under valgrind and under -fsanitize=address,undefined by tests/ffi.rs. */
#include <stdio.h>
#include <string.h>

#include "golden.h"

static unsigned failures;

static void say(const char *line) { puts(line); }

#define EXPECT(cond, what)                                                                      \
    do {                                                                                        \
        if (!(cond)) {                                                                          \
            printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, what);                               \
            failures++;                                                                         \
        }                                                                                       \
    } while (0)

#define EXPECT_STATUS(call, status) EXPECT((call) == (status), #call " != " #status)

static int all_zero(const void *p, size_t n) {
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i] != 0) return 0;
    return 1;
}

#define SECRET "host-secret-0123456789abcdef-0123456789"
#define T(s) (const uint8_t *)(s), (sizeof(s) - 1)

static const uint8_t JOIN_MOD[] = {VIDEOSDK_TOKEN_ALLOW_JOIN, VIDEOSDK_TOKEN_ALLOW_MOD};
static const uint8_t RTC[] = {VIDEOSDK_TOKEN_RTC};

static videosdk_token_claims good_claims(void) {
    videosdk_token_claims c;
    memset(&c, 0, sizeof c);
    c.apikey = (const uint8_t *)"b5a3f0e2-6c1d-4c5e";
    c.apikey_len = strlen("b5a3f0e2-6c1d-4c5e");
    c.permissions = JOIN_MOD;
    c.permissions_len = 2;
    c.version_2 = true;
    c.room_id = (const uint8_t *)"abcd-efgh-ijkl";
    c.room_id_len = 14;
    c.participant_id = (const uint8_t *)"p-1";
    c.participant_id_len = 3;
    c.roles = RTC;
    c.roles_len = 1;
    c.iat = 1700000000;
    c.exp = 1700003600;
    return c;
}

/* Signing with these claims fails with `status`, and leaves `out` zeroed. */
static void sign_refuses(const videosdk_token_key *key, videosdk_token_claims c,
                         videosdk_token_status status, const char *what) {
    uint8_t out[512];
    size_t len = 77;
    memset(out, 0xA5, sizeof out);
    videosdk_token_status got = videosdk_token_sign(key, &c, out, sizeof out, &len);
    if (got != status) {
        printf("FAIL sign %s: %s\n", what, videosdk_token_status_message((int)got));
        failures++;
    }
    EXPECT(all_zero(out, sizeof out), what);
    EXPECT(len == 0, what);
    /* The claims' own errors are videosdk_token_len's too (it needs no key). */
    size_t n = 77;
    videosdk_token_status by_len = videosdk_token_len(&c, &n);
    if (key != NULL && status != VIDEOSDK_TOKEN_KEY_NOT_SET)
        EXPECT(by_len == status && n == 0, what);
    else
        EXPECT(by_len == VIDEOSDK_TOKEN_OK && n > 0, what);
}

static void keys(void) {
    videosdk_token_key key;
    EXPECT_STATUS(videosdk_token_key_init(NULL, T(SECRET)), VIDEOSDK_TOKEN_NULL_POINTER);
    EXPECT_STATUS(videosdk_token_key_init(&key, NULL, 5), VIDEOSDK_TOKEN_NULL_POINTER);
    EXPECT(all_zero(&key, sizeof key), "a refused key is zeroed");
    EXPECT_STATUS(videosdk_token_key_init(&key, NULL, 0), VIDEOSDK_TOKEN_EMPTY_SECRET);
    EXPECT_STATUS(videosdk_token_key_init(&key, T("")), VIDEOSDK_TOKEN_EMPTY_SECRET);
    /* A secret that is not UTF-8 is still a secret: HMAC takes bytes. */
    EXPECT_STATUS(videosdk_token_key_init(&key, T("\xff\xfe")), VIDEOSDK_TOKEN_OK);
    videosdk_token_key_clear(&key);
    EXPECT(all_zero(&key, sizeof key), "a cleared key is zeroed");
    videosdk_token_key_clear(NULL);
    videosdk_token_claims c = good_claims();
    sign_refuses(&key, c, VIDEOSDK_TOKEN_KEY_NOT_SET, "with a cleared key");
    videosdk_token_key garbage;
    memset(&garbage, 0xAB, sizeof garbage);
    sign_refuses(&garbage, c, VIDEOSDK_TOKEN_KEY_NOT_SET, "with storage never set up");
    sign_refuses(NULL, c, VIDEOSDK_TOKEN_NULL_POINTER, "with no key");
}

/* An output buffer that shares bytes with an input gets a status of its own and nothing is
 * written: the key storage inside the output buffer, a claims string inside it, and a token
 * buffer holding the key or the verified claims. */
static void overlaps(void) {
    static uint64_t arena[512];
    videosdk_token_key *key = (videosdk_token_key *)arena;
    EXPECT_STATUS(videosdk_token_key_init(key, T(SECRET)), VIDEOSDK_TOKEN_OK);
    videosdk_token_claims c = good_claims();
    size_t len = 99;
    uint8_t *out = (uint8_t *)arena + 16;
    EXPECT_STATUS(videosdk_token_sign(key, &c, out, 1024, &len),
                  VIDEOSDK_TOKEN_OVERLAPPING_BUFFERS);
    EXPECT(len == 99, "len untouched when buffers overlap");
    static uint8_t buf[2048];
    videosdk_token_key separate;
    EXPECT_STATUS(videosdk_token_key_init(&separate, T(SECRET)), VIDEOSDK_TOKEN_OK);
    memcpy(buf + 1500, "room-in-the-output", 18);
    c.room_id = buf + 1500;
    c.room_id_len = 18;
    EXPECT_STATUS(videosdk_token_sign(&separate, &c, buf, sizeof buf, &len),
                  VIDEOSDK_TOKEN_OVERLAPPING_BUFFERS);
    c = good_claims();
    EXPECT_STATUS(videosdk_token_sign(&separate, &c, buf, sizeof buf, &len), VIDEOSDK_TOKEN_OK);
    videosdk_token_rules rules = {0};
    rules.now = c.iat;
    EXPECT_STATUS(videosdk_token_verify(key, (uint8_t *)arena, sizeof arena, &rules,
                                        (videosdk_token_verified *)((uint8_t *)arena + 2048)),
                  VIDEOSDK_TOKEN_OVERLAPPING_BUFFERS);
    videosdk_token_verified verified;
    EXPECT_STATUS(videosdk_token_verify(&separate, buf, len, &rules, &verified),
                  VIDEOSDK_TOKEN_OK);
}

static void signing(void) {
    videosdk_token_key key;
    EXPECT_STATUS(videosdk_token_key_init(&key, T(SECRET)), VIDEOSDK_TOKEN_OK);
    videosdk_token_claims c = good_claims();

    /* Exact length, one byte short, NULL buffers. */
    size_t len = 0, needed = 0;
    EXPECT_STATUS(videosdk_token_len(&c, &len), VIDEOSDK_TOKEN_OK);
    EXPECT_STATUS(videosdk_token_len(NULL, &len), VIDEOSDK_TOKEN_NULL_POINTER);
    EXPECT(len == 0, "len zeroed on error");
    EXPECT_STATUS(videosdk_token_len(&c, NULL), VIDEOSDK_TOKEN_NULL_POINTER);
    EXPECT_STATUS(videosdk_token_len(&c, &len), VIDEOSDK_TOKEN_OK);
    uint8_t out[512];
    memset(out, 0xA5, sizeof out);
    EXPECT_STATUS(videosdk_token_sign(&key, &c, out, len, &needed), VIDEOSDK_TOKEN_BUFFER_TOO_SMALL);
    EXPECT(needed == len + 1, "told the size with the NUL");
    EXPECT(all_zero(out, len), "a short buffer is zeroed");
    EXPECT_STATUS(videosdk_token_sign(&key, &c, NULL, 0, &needed), VIDEOSDK_TOKEN_BUFFER_TOO_SMALL);
    EXPECT(needed == len + 1, "a NULL, empty buffer is told the size");
    EXPECT_STATUS(videosdk_token_sign(&key, &c, NULL, 10, &needed), VIDEOSDK_TOKEN_NULL_POINTER);
    memset(out, 0xA5, sizeof out);
    EXPECT_STATUS(videosdk_token_sign(&key, &c, out, sizeof out, NULL), VIDEOSDK_TOKEN_NULL_POINTER);
    EXPECT(all_zero(out, sizeof out), "no len: nothing written");
    EXPECT_STATUS(videosdk_token_sign(&key, &c, out, len + 1, &needed), VIDEOSDK_TOKEN_OK);
    EXPECT(needed == len && out[len] == 0 && strlen((const char *)out) == len, "NUL-terminated");

    /* Bad claims: each its status, nothing written. */
    videosdk_token_claims b;
    b = c; b.apikey = NULL; b.apikey_len = 3;
    sign_refuses(&key, b, VIDEOSDK_TOKEN_NULL_POINTER, "apikey NULL with a length");
    b = c; b.apikey = NULL; b.apikey_len = 0;
    sign_refuses(&key, b, VIDEOSDK_TOKEN_EMPTY_API_KEY, "apikey NULL and empty");
    b = c; b.apikey_len = 0;
    sign_refuses(&key, b, VIDEOSDK_TOKEN_EMPTY_API_KEY, "apikey empty");
    b = c; b.apikey = (const uint8_t *)"k\xff"; b.apikey_len = 2;
    sign_refuses(&key, b, VIDEOSDK_TOKEN_NOT_UTF8, "apikey not UTF-8");
    b = c; b.room_id_len = 0;
    sign_refuses(&key, b, VIDEOSDK_TOKEN_EMPTY_ROOM_ID, "roomId empty");
    b = c; b.participant_id = (const uint8_t *)"\xc3"; b.participant_id_len = 1;
    sign_refuses(&key, b, VIDEOSDK_TOKEN_NOT_UTF8, "participantId a cut UTF-8 sequence");
    b = c; b.participant_id_len = 0;
    sign_refuses(&key, b, VIDEOSDK_TOKEN_EMPTY_PARTICIPANT_ID, "participantId empty");
    b = c; b.permissions = NULL; b.permissions_len = 0;
    sign_refuses(&key, b, VIDEOSDK_TOKEN_NO_PERMISSIONS, "no permissions");
    b = c; b.permissions = NULL; b.permissions_len = 2;
    sign_refuses(&key, b, VIDEOSDK_TOKEN_NULL_POINTER, "permissions NULL with a length");
    static const uint8_t BAD_PERMISSION[] = {VIDEOSDK_TOKEN_ALLOW_JOIN, 9};
    b = c; b.permissions = BAD_PERMISSION; b.permissions_len = 2;
    sign_refuses(&key, b, VIDEOSDK_TOKEN_BAD_PERMISSION_VALUE, "permission value 9");
    static const uint8_t FOUR[] = {1, 2, 3, 1};
    b = c; b.permissions = FOUR; b.permissions_len = 4;
    sign_refuses(&key, b, VIDEOSDK_TOKEN_DUPLICATE_PERMISSION, "four permissions");
    static const uint8_t TWICE[] = {1, 1};
    b = c; b.permissions = TWICE; b.permissions_len = 2;
    sign_refuses(&key, b, VIDEOSDK_TOKEN_DUPLICATE_PERMISSION, "a permission twice");
    static const uint8_t ROLE_ZERO[] = {0};
    b = c; b.roles = ROLE_ZERO; b.roles_len = 1;
    sign_refuses(&key, b, VIDEOSDK_TOKEN_BAD_ROLE_VALUE, "role value 0");
    static const uint8_t RTC_TWICE[] = {VIDEOSDK_TOKEN_RTC, VIDEOSDK_TOKEN_RTC};
    b = c; b.roles = RTC_TWICE; b.roles_len = 2;
    sign_refuses(&key, b, VIDEOSDK_TOKEN_DUPLICATE_ROLE, "a role twice");
    b = c; b.exp = b.iat;
    sign_refuses(&key, b, VIDEOSDK_TOKEN_NON_POSITIVE_LIFETIME, "exp == iat");
    b = c; b.iat = (uint64_t)1 << 53; b.exp = b.iat + 1;
    sign_refuses(&key, b, VIDEOSDK_TOKEN_TIME_OUT_OF_RANGE, "iat past 2^53 - 1");
    videosdk_token_key_clear(&key);
}

static void lifetimes(void) {
    uint64_t exp = 77;
    EXPECT_STATUS(videosdk_token_exp_after(T("2h"), 1700000000, &exp), VIDEOSDK_TOKEN_OK);
    EXPECT(exp == 1700007200, "2h");
    EXPECT_STATUS(videosdk_token_exp_after(T("banana"), 1700000000, &exp),
                  VIDEOSDK_TOKEN_INVALID_DURATION);
    EXPECT(exp == 0, "exp zeroed on error");
    EXPECT_STATUS(videosdk_token_exp_after(T("\xff"), 1, &exp), VIDEOSDK_TOKEN_NOT_UTF8);
    EXPECT_STATUS(videosdk_token_exp_after(NULL, 3, 1, &exp), VIDEOSDK_TOKEN_NULL_POINTER);
    EXPECT_STATUS(videosdk_token_exp_after(T(""), 1, &exp), VIDEOSDK_TOKEN_INVALID_DURATION);
    EXPECT_STATUS(videosdk_token_exp_after(T("2h"), 1, NULL), VIDEOSDK_TOKEN_NULL_POINTER);
    EXPECT_STATUS(videosdk_token_exp_after(T("0.5s"), 1, &exp),
                  VIDEOSDK_TOKEN_NON_POSITIVE_LIFETIME);
}

/* Verifying `token` fails with `status` and leaves `verified` zeroed. */
static void verify_refuses(const videosdk_token_key *key, uint8_t *token, size_t len,
                           const videosdk_token_rules *rules, videosdk_token_status status,
                           const char *what) {
    videosdk_token_verified verified;
    memset(&verified, 0xAB, sizeof verified);
    videosdk_token_status got = videosdk_token_verify(key, token, len, rules, &verified);
    if (got != status) {
        printf("FAIL verify %s: %s\n", what, videosdk_token_status_message((int)got));
        failures++;
    }
    EXPECT(all_zero(&verified, sizeof verified), what);
}

static void verifying_and_access(void) {
    videosdk_token_key key;
    EXPECT_STATUS(videosdk_token_key_init(&key, T(SECRET)), VIDEOSDK_TOKEN_OK);
    videosdk_token_claims c = good_claims();
    uint8_t token[512], buf[512];
    size_t len = 0;
    EXPECT_STATUS(videosdk_token_sign(&key, &c, token, sizeof token, &len), VIDEOSDK_TOKEN_OK);
    videosdk_token_rules rules = {1700000060, 0, 0, false};

    memcpy(buf, token, len);
    verify_refuses(&key, buf, len, NULL, VIDEOSDK_TOKEN_NULL_POINTER, "no rules");
    EXPECT_STATUS(videosdk_token_verify(&key, buf, len, &rules, NULL), VIDEOSDK_TOKEN_NULL_POINTER);
    verify_refuses(NULL, buf, len, &rules, VIDEOSDK_TOKEN_NULL_POINTER, "no key");
    verify_refuses(&key, NULL, 5, &rules, VIDEOSDK_TOKEN_NULL_POINTER, "NULL token, a length");
    verify_refuses(&key, NULL, 0, &rules, VIDEOSDK_TOKEN_MALFORMED, "NULL token, empty");
    verify_refuses(&key, buf, 0, &rules, VIDEOSDK_TOKEN_MALFORMED, "empty token");
    memcpy(buf, token, len);
    buf[40] = 0xff;
    verify_refuses(&key, buf, len, &rules, VIDEOSDK_TOKEN_BAD_BASE64, "a byte not UTF-8");
    uint8_t not_utf8[] = {0xc3, 0x28, 0xa0, 0xa1};
    verify_refuses(&key, not_utf8, sizeof not_utf8, &rules, VIDEOSDK_TOKEN_MALFORMED,
                   "bytes not UTF-8, no dots");
    memcpy(buf, token, len);
    verify_refuses(&key, buf, len - 1, &rules, VIDEOSDK_TOKEN_BAD_BASE64, "one character short");
    memcpy(buf, token, len);
    videosdk_token_rules short_rules = {1700000060, 0, len - 1, false};
    verify_refuses(&key, buf, len, &short_rules, VIDEOSDK_TOKEN_TOKEN_TOO_LONG, "over the limit");
    memcpy(buf, token, len);
    videosdk_token_rules late = {1700003600, 0, 0, false};
    verify_refuses(&key, buf, len, &late, VIDEOSDK_TOKEN_EXPIRED, "at exp");
    memcpy(buf, token, len);
    videosdk_token_rules leeway = {1700003600, 1, 0, false};
    videosdk_token_verified v;
    EXPECT_STATUS(videosdk_token_verify(&key, buf, len, &leeway, &v), VIDEOSDK_TOKEN_OK);

    /* Access checks on the verified claims. */
    memcpy(buf, token, len);
    EXPECT_STATUS(videosdk_token_verify(&key, buf, len, &rules, &v), VIDEOSDK_TOKEN_OK);
    EXPECT(v.room_id_len == 14 && memcmp(v.room_id, "abcd-efgh-ijkl", 14) == 0, "roomId");
    EXPECT(v.has_version && v.version == 2 && !v.has_nbf, "version, nbf");
    videosdk_token_verified copy = v; /* a copy answers as the original */
    uint8_t join = 77;
    EXPECT_STATUS(videosdk_token_join(&copy, T("abcd-efgh-ijkl"), T("p-1"), &join),
                  VIDEOSDK_TOKEN_OK);
    EXPECT(join == VIDEOSDK_TOKEN_JOIN_DIRECTLY, "joins directly");
    EXPECT_STATUS(videosdk_token_join(&v, T("abcd-efgh-ijkl"), NULL, 0, &join), VIDEOSDK_TOKEN_OK);
    EXPECT_STATUS(videosdk_token_join(&v, T("other-room"), NULL, 0, &join),
                  VIDEOSDK_TOKEN_OTHER_ROOM);
    EXPECT(join == 0, "join zeroed when refused");
    EXPECT_STATUS(videosdk_token_join(&v, T("abcd-efgh-ijkl"), T("p-2"), &join),
                  VIDEOSDK_TOKEN_OTHER_PARTICIPANT);
    /* NULL with no length is the empty room: not this token's room. */
    EXPECT_STATUS(videosdk_token_join(&v, NULL, 0, NULL, 0, &join), VIDEOSDK_TOKEN_OTHER_ROOM);
    EXPECT_STATUS(videosdk_token_join(&v, NULL, 3, NULL, 0, &join), VIDEOSDK_TOKEN_NULL_POINTER);
    EXPECT_STATUS(videosdk_token_join(&v, T("\xff"), NULL, 0, &join), VIDEOSDK_TOKEN_NOT_UTF8);
    EXPECT_STATUS(videosdk_token_join(&v, T("abcd-efgh-ijkl"), NULL, 0, NULL),
                  VIDEOSDK_TOKEN_NULL_POINTER);
    EXPECT_STATUS(videosdk_token_join(NULL, T("abcd-efgh-ijkl"), NULL, 0, &join),
                  VIDEOSDK_TOKEN_NULL_POINTER);
    EXPECT_STATUS(videosdk_token_moderate(&v, T("abcd-efgh-ijkl"), NULL, 0), VIDEOSDK_TOKEN_OK);
    EXPECT_STATUS(videosdk_token_call_server_api(&v, NULL, 0), VIDEOSDK_TOKEN_MEETING_ONLY);
    videosdk_token_verified zeroed;
    memset(&zeroed, 0, sizeof zeroed);
    EXPECT_STATUS(videosdk_token_join(&zeroed, T("abcd-efgh-ijkl"), NULL, 0, &join),
                  VIDEOSDK_TOKEN_VERIFIED_NOT_SET);
    EXPECT_STATUS(videosdk_token_moderate(&zeroed, T("abcd-efgh-ijkl"), NULL, 0),
                  VIDEOSDK_TOKEN_VERIFIED_NOT_SET);

    /* A crawler token asking without allow_mod; unknown names refused on request. */
    static const uint8_t ASK[] = {VIDEOSDK_TOKEN_ASK_JOIN};
    static const uint8_t CRAWLER[] = {VIDEOSDK_TOKEN_CRAWLER};
    videosdk_token_claims a = c;
    a.permissions = ASK; a.permissions_len = 1; a.roles = CRAWLER;
    EXPECT_STATUS(videosdk_token_sign(&key, &a, buf, sizeof buf, &len), VIDEOSDK_TOKEN_OK);
    EXPECT_STATUS(videosdk_token_verify(&key, buf, len, &rules, &v), VIDEOSDK_TOKEN_OK);
    EXPECT_STATUS(videosdk_token_join(&v, T("abcd-efgh-ijkl"), NULL, 0, &join),
                  VIDEOSDK_TOKEN_SERVER_API_ONLY);
    EXPECT_STATUS(videosdk_token_call_server_api(&v, T("abcd-efgh-ijkl")), VIDEOSDK_TOKEN_OK);
    EXPECT_STATUS(videosdk_token_call_server_api(&v, T("elsewhere")), VIDEOSDK_TOKEN_OTHER_ROOM);
    a.roles = NULL; a.roles_len = 0;
    EXPECT_STATUS(videosdk_token_sign(&key, &a, buf, sizeof buf, &len), VIDEOSDK_TOKEN_OK);
    EXPECT_STATUS(videosdk_token_verify(&key, buf, len, &rules, &v), VIDEOSDK_TOKEN_OK);
    EXPECT_STATUS(videosdk_token_join(&v, T("abcd-efgh-ijkl"), NULL, 0, &join), VIDEOSDK_TOKEN_OK);
    EXPECT(join == VIDEOSDK_TOKEN_JOIN_AFTER_ASKING, "asks to join");
    EXPECT_STATUS(videosdk_token_moderate(&v, T("abcd-efgh-ijkl"), NULL, 0),
                  VIDEOSDK_TOKEN_NO_MODERATE_PERMISSION);
    videosdk_token_key_clear(&key);
}

static void messages(void) {
    for (int s = VIDEOSDK_TOKEN_OK; s <= VIDEOSDK_TOKEN_OVERLAPPING_BUFFERS; s++) {
        const char *m = videosdk_token_status_message(s);
        EXPECT(m != NULL && m[0] != '\0' && strcmp(m, "unknown status") != 0, "a message");
    }
    EXPECT(strcmp(videosdk_token_status_message(VIDEOSDK_TOKEN_EXPIRED), "token has expired") == 0,
           "the core's message");
    EXPECT(strcmp(videosdk_token_status_message(-1), "unknown status") == 0, "-1");
    EXPECT(strcmp(videosdk_token_status_message(VIDEOSDK_TOKEN_OVERLAPPING_BUFFERS + 1), "unknown status") ==
               0,
           "past the end");
}

int main(void) {
    unsigned vectors = 0, checks = 0;
    failures += golden_run(say, &vectors, &checks);
    keys();
    signing();
    overlaps();
    lifetimes();
    verifying_and_access();
    messages();
    if (failures != 0) {
        printf("%u failures\n", failures);
        return 1;
    }
    printf("vectors %u passed, checks %u passed, hostile calls passed\n", vectors, checks);
    return 0;
}
