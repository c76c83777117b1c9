#include <stdio.h>
#include <string.h>
#include "videosdk_token.h"

int main(void) {
    static const char secret[] = "your-videosdk-secret-0123456789abcdef";
    static const uint8_t permissions[] = {VIDEOSDK_TOKEN_ALLOW_JOIN}, roles[] = {VIDEOSDK_TOKEN_RTC};
    videosdk_token_claims claims = {
        .apikey = (const uint8_t *)"your-api-key", .apikey_len = 12,
        .permissions = permissions, .permissions_len = 1, .roles = roles, .roles_len = 1,
        .version_2 = true, .room_id = (const uint8_t *)"abcd-efgh-ijkl", .room_id_len = 14,
        .iat = 1700000000, /* now, from your RTC or network time */
    };
    videosdk_token_key key; /* no heap: the keyed HMAC state lives here */
    char token[512];
    size_t len = 0;
    videosdk_token_status s = videosdk_token_key_init(&key, (const uint8_t *)secret, strlen(secret));
    if (!s) s = videosdk_token_exp_after((const uint8_t *)"2h", 2, claims.iat, &claims.exp);
    if (!s) s = videosdk_token_sign(&key, &claims, (uint8_t *)token, sizeof token, &len);
    if (s) return fprintf(stderr, "videosdk_token: %s\n", videosdk_token_status_message(s)), 1;
    puts(token);
    return 0;
}
