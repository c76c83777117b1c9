#!/usr/bin/env node
// Signing and verifying throughput in one Node process: this package's `sign` (string secret),
// `createSigner`, jsonwebtoken's `jwt.sign` with a string secret and with a KeyObject, the
// packages a Node user picks for speed (`@node-rs/jsonwebtoken`, `fast-jwt`), and each one's
// `verify`. Rounds are interleaved and the median of each is reported, with ratios to
// `jwt.sign` with a string secret. `--quick` runs short rounds (a smoke run for the tests).
//
//   node benches/node/bench.mjs            # full: 5 rounds of 1 s each
//   node benches/node/bench.mjs --quick    # 3 rounds of 50 ms
import { createRequire } from 'node:module';
import { createSecretKey } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { sign, createSigner, verify } from '../../wasm/js/index.mjs';

const require = createRequire(new URL('../../wasm/package.json', import.meta.url));
const jwt = require('jsonwebtoken');
// The speed-first packages, from benches/node/package.json (`npm ci` there): fast-jwt, and
// @node-rs/jsonwebtoken's native module for this platform (linux x64 glibc; the rows are left
// out elsewhere, where npm installs no such module).
const own = createRequire(new URL('./package.json', import.meta.url));
const fastJwt = own('fast-jwt');
let nodeRs;
try {
  nodeRs = own('@node-rs/jsonwebtoken-linux-x64-gnu');
} catch {
  nodeRs = undefined;
}

const quick = process.argv.includes('--quick');
const ROUNDS = quick ? 3 : 5;
const ROUND_MS = quick ? 50 : 1000;

// The VideoSDK docs' payload and options.
const SECRET = 'bench-secret-0123456789abcdef-0123456789';
const payload = {
  apikey: 'b5a3f0e2-6c1d-4c5e-9f3a-1d2e3f4a5b6c',
  permissions: ['allow_join'],
  version: 2,
  roomId: 'abcd-efgh-ijkl',
  participantId: 'p-0042',
  roles: ['crawler', 'rtc'],
};
const options = { expiresIn: '120m', algorithm: 'HS256' };
const keyObject = createSecretKey(Buffer.from(SECRET));
const signer = createSigner(SECRET);
const token = jwt.sign(payload, SECRET, options);

// Every case must give jsonwebtoken's answer before it is timed.
const iat = Math.floor(Date.now() / 1000);
const fixed = { ...payload, iat };
const reference = jwt.sign(fixed, SECRET, options);
for (const made of [sign(fixed, SECRET, options), signer.sign(fixed, options), jwt.sign(fixed, keyObject, options)]) {
  if (made !== reference) throw new Error(`a signer disagrees with jsonwebtoken:\n${made}\n${reference}`);
}
if (JSON.stringify(verify(token, SECRET)) !== JSON.stringify(jwt.verify(token, SECRET))) {
  throw new Error('verify disagrees with jsonwebtoken');
}
// The speed-first packages: each signs the claims (in its own key order and header) so that
// jsonwebtoken verifies them, and verifies jsonwebtoken's token to the same claims.
// The binding takes the algorithm's name (a const enum in @node-rs/jsonwebtoken's types).
const nodeRsHeader = { algorithm: 'HS256' };
const nodeRsSign = () => {
  const now = Math.floor(Date.now() / 1000);
  return nodeRs.signSync({ ...payload, iat: now, exp: now + 7200 }, SECRET, nodeRsHeader);
};
const fastSign = fastJwt.createSigner({ key: SECRET, algorithm: 'HS256', expiresIn: 7200 * 1000 });
const fastVerify = fastJwt.createVerifier({ key: SECRET, algorithms: ['HS256'] });
for (const made of [nodeRs ? nodeRsSign() : fastSign(payload), fastSign(payload)]) {
  const read = jwt.verify(made, SECRET);
  if (read.roomId !== payload.roomId || read.exp - read.iat !== 7200) throw new Error(`a token jsonwebtoken reads otherwise: ${made}`);
}
for (const read of [nodeRs ? nodeRs.verifySync(token, SECRET) : fastVerify(token), fastVerify(token)]) {
  if (JSON.stringify(read) !== JSON.stringify(jwt.verify(token, SECRET))) throw new Error('a verify disagrees with jsonwebtoken');
}

const cases = {
  'videosdk-token sign (string secret)': () => sign(payload, SECRET, options),
  'videosdk-token createSigner().sign': () => signer.sign(payload, options),
  'jsonwebtoken sign (string secret)': () => jwt.sign(payload, SECRET, options),
  'jsonwebtoken sign (KeyObject)': () => jwt.sign(payload, keyObject, options),
  ...(nodeRs ? { '@node-rs/jsonwebtoken signSync': nodeRsSign } : {}),
  'fast-jwt createSigner': () => fastSign(payload),
  'videosdk-token verify': () => verify(token, SECRET),
  'jsonwebtoken verify': () => jwt.verify(token, SECRET),
  ...(nodeRs ? { '@node-rs/jsonwebtoken verifySync': () => nodeRs.verifySync(token, SECRET) } : {}),
  'fast-jwt createVerifier': () => fastVerify(token),
};

function round(fn) {
  let n = 0;
  const start = process.hrtime.bigint();
  const end = start + BigInt(ROUND_MS) * 1_000_000n;
  let now = start;
  while (now < end) {
    for (let i = 0; i < 64; i++) fn();
    n += 64;
    now = process.hrtime.bigint();
  }
  return (n * 1e9) / Number(now - start);
}

for (const fn of Object.values(cases)) round(fn); // warm up
const rates = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
for (let r = 0; r < ROUNDS; r++) {
  for (const [name, fn] of Object.entries(cases)) rates[name].push(round(fn));
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const anchor = median(rates['jsonwebtoken sign (string secret)']);
const verifyAnchor = median(rates['jsonwebtoken verify']);
// The CPU as /proc/cpuinfo names it (model name, family, model, stepping), where there is one.
const cpuinfo = (() => {
  try {
    const text = readFileSync('/proc/cpuinfo', 'utf8');
    const field = (name) => new RegExp(`^${name}\\s*: (.*)$`, 'm').exec(text)?.[1];
    return `${field('model name')} (family ${field('cpu family')}, model ${field('model')}, stepping ${field('stepping')})`;
  } catch {
    return undefined;
  }
})();
const cpu = cpuinfo ?? os.cpus()[0]?.model ?? 'unknown CPU';
const lines = [
  `node ${process.version}, ${cpu}, ${os.cpus().length} cores, ${new Date().toISOString().slice(0, 10)}; ${ROUNDS} rounds of ${ROUND_MS} ms, medians`,
  '',
  '| case | ops/s | ratio |',
  '|---|---|---|',
];
for (const [name, xs] of Object.entries(rates)) {
  const m = median(xs);
  const verifying = name.toLowerCase().includes('verif');
  const base = verifying ? verifyAnchor : anchor;
  const against = verifying ? 'jwt.verify' : 'jwt.sign (string)';
  lines.push(`| ${name} | ${Math.round(m).toLocaleString('en')} | ${(m / base).toFixed(1)}x ${against} |`);
}
console.log(lines.join('\n'));
// A full run is the record the guide points to; a quick run is a smoke test and writes nothing.
if (!quick) {
  const record = new URL('../records/node-bench.md', import.meta.url);
  mkdirSync(new URL('.', record), { recursive: true });
  writeFileSync(record, `# \`node benches/node/bench.mjs\`\n\n${lines.join('\n')}\n`);
  console.log(`written: benches/records/node-bench.md`);
}
