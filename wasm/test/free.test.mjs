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

test('100,000 calls of each function leave the heap and the module memory flat', async () => {
  const { memory } = wasm.initSync({ module: readFileSync(wasmPath) });
  const api = createApi(wasm, memory);
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc');
  const secret = 'flat-secret-0123456789abcdef-0123456789';
  const payload = { apikey: 'k', permissions: ['allow_join'], version: 2, roomId: 'abcd-efgh-ijkl', iat: 1700000000 };
  const token = api.sign(payload, secret, { expiresIn: '2h' });
  const signer = api.createSigner(secret);
  const calls = {
    sign: () => api.sign(payload, secret, { expiresIn: '2h' }),
    'createSigner().sign': () => signer.sign(payload, { expiresIn: 60 }),
    verify: () => api.verify(token, secret, { clockTimestamp: 1700000001 }),
    'a refused verify': () => {
      try {
        api.verify(`${token}x`, secret, { clockTimestamp: 1700000001 });
      } catch {
        // refused, as it must be
      }
    },
    decode: () => api.decode(token),
    'createSigner, then free': () => api.createSigner(secret).free(),
  };
  const settle = async () => {
    for (let i = 0; i < 3; i++) {
      gc();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return { heap: process.memoryUsage().heapUsed, module: memory.buffer.byteLength };
  };
  for (const [name, call] of Object.entries(calls)) {
    for (let i = 0; i < 10_000; i++) call();
    const before = await settle();
    for (let i = 0; i < 100_000; i++) call();
    const after = await settle();
    const heap = after.heap - before.heap;
    assert.ok(heap < 2 * 2 ** 20, `${name}: the heap grew by ${heap} bytes`);
    assert.equal(after.module, before.module, `${name}: the module's memory grew`);
    console.log(`${name}: 100,000 calls, heap ${heap >= 0 ? '+' : ''}${heap} bytes, module memory +${after.module - before.module}`);
  }
  signer.free();
});
