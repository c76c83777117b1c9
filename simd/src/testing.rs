//! Helpers shared by the kernels' tests.

/// The SHA-256 states after `secret`'s inner and outer pad blocks, as HMAC computes them.
pub(crate) fn pads(secret: &[u8]) -> ([u32; 8], [u32; 8]) {
    use sha2::Digest;
    let mut block = [0u8; 64];
    if secret.len() > 64 {
        block[..32].copy_from_slice(&sha2::Sha256::digest(secret));
    } else {
        block[..secret.len()].copy_from_slice(secret);
    }
    let pad = |with: u8| {
        let mut state = [
            0x6a09_e667,
            0xbb67_ae85,
            0x3c6e_f372,
            0xa54f_f53a,
            0x510e_527f,
            0x9b05_688c,
            0x1f83_d9ab,
            0x5be0_cd19,
        ];
        sha2::block_api::compress256(&mut state, &[block.map(|b| b ^ with)]);
        state
    };
    (pad(0x36), pad(0x5c))
}
