/* The smallest useful C image: sign one VideoSDK token and print it, to measure what signing
 * alone costs in flash next to the Rust sign-only image. */
#include "board.h"
#include "example.h"

int main(void) {
    static videosdk_token_key key;
    static uint8_t token[512];
    videosdk_token_claims claims = example_claims();
    size_t len = 0;
    if (videosdk_token_key_init(&key, (const uint8_t *)EXAMPLE_SECRET,
                                sizeof EXAMPLE_SECRET - 1) != VIDEOSDK_TOKEN_OK ||
        videosdk_token_sign(&key, &claims, token, sizeof token, &len) != VIDEOSDK_TOKEN_OK) {
        board_write("FAIL the example did not sign\n");
        return 1;
    }
    board_write("token ");
    board_write((const char *)token);
    board_write("\n");
    board_measure("flash_c_sign_only", board_flash_bytes());
    return 0;
}
