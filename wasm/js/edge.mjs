// The entry for Workers, Deno, Vercel Edge and browsers: no Node built-ins and no file
// system. Call `init` once with the module (a WebAssembly.Module, its bytes, a Response or a
// URL), then use the same functions as in Node.
import initWasm, * as wasm from '../pkg/videosdk_token_wasm.js';
import { createApi, decode, JsonWebTokenError, TokenExpiredError, NotBeforeError } from './api.mjs';

let api;

function ready() {
  if (!api) throw new Error('videosdk-token: call `await init(module)` before signing or verifying');
  return api;
}

/** Instantiates the module; resolves to the API. */
export async function init(module) {
  if (!api) {
    const { memory } = await initWasm(module === undefined ? undefined : { module_or_path: module });
    api = createApi(wasm, memory);
  }
  return api;
}

export const sign = (...args) => ready().sign(...args);
export const createSigner = (secret) => ready().createSigner(secret);
export const verify = (...args) => ready().verify(...args);
export { decode, JsonWebTokenError, TokenExpiredError, NotBeforeError };
