// The package at the edges of the JavaScript API, tried as Node code would: memory that grows
// under a call, a call that fails, payloads with getters, toJSON and a polluted prototype,
// and jsonwebtoken's callback forms (`free.test.mjs`: signers dropped without `free`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sign, verify, JsonWebTokenError } from '../js/index.mjs';
import { jwt } from './helpers.mjs';

const SECRET = 'edges-secret-0123456789abcdef-0123456789';
const IAT = 1700000000;
const jwtSign = (payload, options) => jwt.sign(payload, SECRET, { ...options, algorithm: 'HS256' });

test('memory that grows under a call: big claims sign as jwt.sign does, big tokens are refused', () => {
  for (const n of [100_000, 150_000]) {
    const payload = { apikey: 'k', permissions: ['allow_join'], version: 2, roomId: 'r'.repeat(n), iat: IAT };
    assert.equal(sign(payload, SECRET, { expiresIn: '2h' }), jwtSign(payload, { expiresIn: '2h' }));
  }
  const long = `eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.${'b'.repeat(50_000)}.c`;
  assert.throws(() => verify(long, SECRET), (e) => e instanceof JsonWebTokenError && /longer than/.test(e.message));
});

test('a payload over the size limit is refused before the module is entered, which stays usable', () => {
  const huge = { apikey: 'k', permissions: ['allow_join'], version: 2, roomId: 'r'.repeat(300 * 2 ** 20), iat: IAT };
  assert.throws(() => sign(huge, SECRET, { expiresIn: '2h' }), /too large/);
  const token = `${'a'.repeat(100 * 2 ** 20)}.b.c`;
  const before = process.memoryUsage().arrayBuffers;
  assert.throws(() => verify(token, SECRET), /longer than/);
  assert.ok(process.memoryUsage().arrayBuffers - before < 16 * 2 ** 20, 'the token was copied');
  for (let i = 0; i < 1000; i++) {
    const payload = { apikey: `key-${i}`, permissions: ['allow_join'], iat: IAT + i };
    assert.equal(sign(payload, SECRET, { expiresIn: i + 1 }), jwtSign(payload, { expiresIn: i + 1 }));
  }
});

test('a polluted prototype never reaches the token', () => {
  const payload = { apikey: 'k', permissions: ['allow_join'], iat: IAT };
  // jsonwebtoken's own checks break on this pollution: its token is made before.
  const want = jwtSign(payload, { expiresIn: '2h' });
  try {
    Object.prototype.permissions = ['allow_mod', 'allow_join'];
    Object.prototype.roomId = 'evil';
    assert.throws(() => sign({ apikey: 'k', iat: IAT }, SECRET, { expiresIn: '2h' }), /"permissions" is required/);
    const token = sign(payload, SECRET, { expiresIn: '2h' });
    assert.equal(token, want);
    assert.equal(verify(token, SECRET, { clockTimestamp: IAT }).roomId, 'evil', 'only through the prototype');
    assert.ok(!Object.hasOwn(verify(token, SECRET, { clockTimestamp: IAT }), 'roomId'));
  } finally {
    delete Object.prototype.permissions;
    delete Object.prototype.roomId;
  }
});

test('each property is read once, and toJSON is honoured, as JSON.stringify does', () => {
  const changing = () => {
    let reads = 0;
    return {
      apikey: 'k',
      get permissions() {
        reads += 1;
        return reads === 1 ? ['allow_join'] : { admin: true };
      },
      iat: IAT,
    };
  };
  assert.equal(sign(changing(), SECRET, { expiresIn: '2h' }), jwtSign(changing(), { expiresIn: '2h' }));
  const permissions = ['allow_join'];
  permissions.toJSON = () => ['allow_mod'];
  const payload = { apikey: 'k', permissions, iat: IAT };
  const token = sign(payload, SECRET, { expiresIn: '2h' });
  assert.equal(token, jwtSign(payload, { expiresIn: '2h' }));
  assert.deepEqual(verify(token, SECRET, { clockTimestamp: IAT }).permissions, ['allow_mod']);
});

test('room, participant or roles without version 2: version 2 is added, and the token verifies', () => {
  for (const payload of [
    { apikey: 'k', permissions: ['allow_join'], roomId: 'abcd-efgh-ijkl', iat: IAT },
    { roomId: 'abcd-efgh-ijkl', apikey: 'k', permissions: ['allow_join'], iat: IAT },
    { apikey: 'k', permissions: ['allow_join'], roles: ['rtc'], iat: IAT },
  ]) {
    const token = sign(payload, SECRET, { expiresIn: '2h' });
    const read = verify(token, SECRET, { clockTimestamp: IAT });
    assert.equal(read.version, 2);
    const keys = Object.keys(read);
    assert.equal(keys.indexOf('version'), keys.indexOf('permissions') + 1, keys.join());
  }
});

test('the callback forms, called as jsonwebtoken calls them', async () => {
  const payload = { apikey: 'k', permissions: ['allow_join'], iat: IAT };
  const want = jwtSign(payload, { expiresIn: '2h' });
  const called = (call) => new Promise((resolve) => {
    let returned = false;
    const value = call((err, result) => resolve({ err, result, after: returned }));
    returned = true;
    assert.equal(value, undefined);
  });
  let got = await called((cb) => sign(payload, SECRET, { expiresIn: '2h' }, cb));
  assert.deepEqual(got, { err: null, result: want, after: true });
  got = await called((cb) => sign({ apikey: 'k', permissions: ['allow_join'], iat: IAT, exp: IAT + 60 }, SECRET, cb));
  assert.equal(got.err, null);
  got = await called((cb) => sign(payload, SECRET, { expiresIn: 'banana' }, cb));
  assert.ok(got.err instanceof Error && got.result === undefined && got.after);
  got = await called((cb) => verify(want, SECRET, { clockTimestamp: IAT }, cb));
  assert.equal(got.err, null);
  assert.equal(got.result.apikey, 'k');
  got = await called((cb) => verify(want, SECRET, cb));
  assert.ok(got.err instanceof JsonWebTokenError, 'expired now');
  got = await called((cb) => verify(`${want}x`, SECRET, { clockTimestamp: IAT }, cb));
  assert.equal(got.err.message, 'invalid signature');
});
