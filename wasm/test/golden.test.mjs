// Every golden vector: our `sign` gives the token jsonwebtoken gives in this process (and the
// committed one), through the core's writer when the payload is in contract order and through
// JSON.stringify when it is not; `createSigner` and CommonJS `require` alike.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { sign, createSigner, verify, decode } from '../js/index.mjs';
import { doc, jwt } from './helpers.mjs';

const nodeSign = (v, payload) =>
  jwt.sign(payload, v.secret, { expiresIn: v.expiresIn, algorithm: 'HS256' });

test('every vector is byte-identical to jsonwebtoken', () => {
  assert.ok(doc.vectors.length >= 100);
  for (const v of doc.vectors) {
    const ours = sign({ ...v.claims }, v.secret, { expiresIn: v.expiresIn, algorithm: 'HS256' });
    assert.equal(ours, nodeSign(v, { ...v.claims }), v.name);
    assert.equal(ours, v.token, v.name);
  }
});

test('payloads in any key order are byte-identical to jsonwebtoken', () => {
  for (const v of doc.vectors) {
    const reversed = Object.fromEntries(Object.entries(v.claims).reverse());
    const withoutIat = { ...v.claims };
    delete withoutIat.iat;
    const late = { ...withoutIat, iat: v.claims.iat };
    for (const payload of [reversed, late]) {
      assert.equal(sign({ ...payload }, v.secret, { expiresIn: v.expiresIn }), nodeSign(v, { ...payload }), v.name);
    }
  }
});

test('createSigner, Buffer secrets and require() give the same tokens', () => {
  const cjs = createRequire(import.meta.url)('../js/index.cjs');
  for (const v of doc.vectors.slice(0, 40)) {
    const signer = createSigner(v.secret);
    assert.equal(signer.sign({ ...v.claims }, { expiresIn: v.expiresIn }), v.token, v.name);
    assert.equal(sign({ ...v.claims }, Buffer.from(v.secret), { expiresIn: v.expiresIn }), v.token);
    assert.equal(cjs.sign({ ...v.claims }, v.secret, { expiresIn: v.expiresIn }), v.token);
    signer.free();
  }
});

test('the deliberate differences of the core are differences here too', () => {
  // A bare numeric string is milliseconds to `ms` (so jsonwebtoken makes a token that
  // expires within seconds); the core reads it as jsonwebtoken's docs promise: seconds.
  assert.equal(doc.differences.length, 3);
  for (const v of doc.differences) {
    const ours = sign({ ...v.claims }, v.secret, { expiresIn: v.expiresIn });
    assert.notEqual(ours, v.token, v.name);
    assert.equal(decode(ours).exp, v.claims.iat + Number(v.expiresIn.trim()), v.name);
  }
});

test('iat defaults to now, as jsonwebtoken sets it', () => {
  const v = doc.vectors[0];
  const payload = { ...v.claims };
  delete payload.iat;
  const before = Math.floor(Date.now() / 1000);
  const token = sign(payload, v.secret, { expiresIn: '2h' });
  const { iat, exp } = verify(token, v.secret);
  assert.ok(iat >= before && iat <= before + 2);
  assert.equal(exp, iat + 7200);
});
