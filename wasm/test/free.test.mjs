// Signers that JavaScript drops without calling `free` are freed when collected: the module's
// memory stops growing. (A file of its own: it reads the memory of an instance it makes.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import * as wasm from '../pkg/videosdk_token_wasm.js';
import { createApi } from '../js/api.mjs';
import { wasmPath } from './helpers.mjs';

test('signers dropped without free are freed by the garbage collector', async () => {
  const { memory } = wasm.initSync({ module: readFileSync(wasmPath) });
  const api = createApi(wasm, memory);
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc');
  const payload = { apikey: 'k', permissions: ['allow_join'], roomId: 'r'.repeat(2000), version: 2, iat: 1700000000 };
  const round = async () => {
    for (let i = 0; i < 5000; i++) api.createSigner(`edges-secret-0123456789abcdef-${i}`).sign(payload, { expiresIn: 60 });
    for (let i = 0; i < 3; i++) {
      gc();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return memory.buffer.byteLength;
  };
  await round();
  const settled = await round();
  for (let i = 0; i < 8; i++) await round();
  const after = await round();
  assert.ok(after - settled < 8 * 2 ** 20, `grew by ${after - settled} bytes over 45,000 signers`);
});
