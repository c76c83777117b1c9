// What the package's tests share: the golden vectors (made by Node's jsonwebtoken) and the
// reference package itself, loaded in the same process as ours.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
export const jwt = require('jsonwebtoken');
export const doc = JSON.parse(readFileSync(new URL('../../tests/vectors/vectors.json', import.meta.url), 'utf8'));
export const wasmPath = new URL('../pkg/videosdk_token_wasm_bg.wasm', import.meta.url);

/** What a call did: its value, or the name and message of what it threw. */
export function outcome(call) {
  try {
    return { value: call() };
  } catch (e) {
    return { threw: `${e.name}: ${e.message}` };
  }
}
