// The Node entry: the module loaded synchronously from the package's own file, so that
// `sign` is ready on import, as jsonwebtoken's is.
import { readFileSync } from 'node:fs';
import * as wasm from '../pkg/videosdk_token_wasm.js';
import { createApi } from './api.mjs';

const { memory } = wasm.initSync({
  module: readFileSync(new URL('../pkg/videosdk_token_wasm_bg.wasm', import.meta.url)),
});

const api = createApi(wasm, memory);
export const { sign, createSigner, verify, decode, JsonWebTokenError, TokenExpiredError, NotBeforeError } = api;
export default api;
