#!/usr/bin/env node
// Makes tests/vectors/vectors.json with the reference implementation: Node's `jsonwebtoken`
// 9 (pinned in package.json and package-lock.json), called exactly as VideoSDK's server
// examples call it: jwt.sign(payload, secret, { algorithm: 'HS256', expiresIn }).
//
// Only the inputs are written here; every token comes from jsonwebtoken itself.
//   node generate.js           rewrite vectors.json
//   node generate.js --check   exit 1 when vectors.json differs from a fresh run
'use strict';

const fs = require('fs');
const path = require('path');
const jwt = require('jsonwebtoken');
// jws is the signer jsonwebtoken itself uses; called directly it writes headers in any order.
const jws = require('jws');
const ms = require('ms');

const OUT = path.join(__dirname, 'vectors.json');
const SECRET = 'vectors-secret-0123456789abcdef-0123456789';
const APIKEY = 'b5a3f0e2-6c1d-4c5e-9f3a-1d2e3f4a5b6c';
const IAT = 1700000000;

const cases = [];

// One case: `claims` holds the payload keys in contract order (iat is added last, and
// jsonwebtoken appends exp after it).
function add(name, claims, expiresIn, { secret = SECRET, iat = IAT } = {}) {
  cases.push({ name, secret, claims: { ...claims, iat }, expiresIn });
}

function base(extra = {}) {
  return { apikey: APIKEY, permissions: ['allow_join'], ...extra };
}

// Every combination of the version-2 fields, and version 2 alone.
add('minimal', base(), '2h');
add('version 2 alone', base({ version: 2 }), '2h');
for (const room of [false, true]) {
  for (const participant of [false, true]) {
    for (const roles of [false, true]) {
      if (!room && !participant && !roles) continue;
      const extra = { version: 2 };
      if (room) extra.roomId = 'abcd-efgh-ijkl';
      if (participant) extra.participantId = 'participant-42';
      if (roles) extra.roles = ['rtc'];
      const label = [room && 'roomId', participant && 'participantId', roles && 'roles']
        .filter(Boolean)
        .join(' + ');
      add(`v2 fields: ${label}`, base(extra), '120m');
    }
  }
}

// Every non-empty ordered choice of permissions (order is kept in the token).
const PERMISSIONS = ['allow_join', 'ask_join', 'allow_mod'];
function orderings(items) {
  const out = [];
  const walk = (chosen, rest) => {
    if (chosen.length) out.push(chosen);
    rest.forEach((item, i) => walk([...chosen, item], rest.filter((_, j) => j !== i)));
  };
  walk([], items);
  return out;
}
for (const permissions of orderings(PERMISSIONS)) {
  add(`permissions ${permissions.join(',')}`, base({ permissions }), '1h');
}
for (const roles of orderings(['crawler', 'rtc'])) {
  add(`roles ${roles.join(',')}`, base({ version: 2, roles }), '1h');
}

// Unicode, raw in the JSON: multi-byte, astral (emoji), joiners, line/paragraph separators.
const UNICODE = {
  latin: 'café-Ünïcödé',
  cjk: '会议室-회의실-会議室',
  cyrillic_greek: 'комната-δωμάτιο',
  rtl: 'غرفة-חדר',
  emoji: '😀🎥👩‍👩‍👧‍👦🇺🇸',
  combining: 'e\u0301a\u0308\u20dd',
  separators: 'a\u2028b\u2029c\u0085d',
  specials: '\ufeff\ufffd\uffff\u{10ffff}',
};
for (const [label, text] of Object.entries(UNICODE)) {
  add(`unicode ${label}`, base({ version: 2, roomId: text, participantId: `${text}-p` }), '1d');
}
add('unicode apikey', { apikey: `${APIKEY}-ключ-🔑`, permissions: ['allow_join'] }, '1d');

// Escaping: each control character on its own, then the other classes.
for (let code = 0; code < 0x20; code++) {
  const hex = code.toString(16).padStart(2, '0');
  add(`control 0x${hex}`, base({ version: 2, roomId: `a${String.fromCharCode(code)}b` }), '1h');
}
add('all controls at once', base({ version: 2, participantId: Array.from({ length: 32 }, (_, i) => String.fromCharCode(i)).join('') }), '1h');
add('quote', base({ version: 2, roomId: 'say "hi"' }), '1h');
add('backslash', base({ version: 2, roomId: 'C:\\rooms\\\\x' }), '1h');
add('slash (not escaped)', base({ version: 2, roomId: 'a/b</script>' }), '1h');
add('DEL (not escaped)', base({ version: 2, roomId: 'a\u007fb' }), '1h');
add('U+2028 (not escaped)', base({ version: 2, roomId: 'a\u2028b' }), '1h');
add('escapes in apikey', { apikey: 'k"\\/\u0000\n\u2028', permissions: ['ask_join'] }, '1h');
add('json-looking text', base({ version: 2, roomId: '{"exp":0}', participantId: '","roles":["crawler"]' }), '1h');

// Long fields (past one SHA-256 block and past any small buffer).
add('long apikey', { apikey: 'k'.repeat(1000), permissions: PERMISSIONS }, '1h');
add('long roomId and participantId', base({ version: 2, roomId: 'r'.repeat(513), participantId: '🎥'.repeat(300), roles: ['crawler', 'rtc'] }), '1h');
add('everything', {
  apikey: APIKEY,
  permissions: ['allow_mod', 'allow_join', 'ask_join'],
  version: 2,
  roomId: 'abcd-efgh-ijkl',
  participantId: 'participant-42',
  roles: ['rtc', 'crawler'],
}, '120m');

// Durations: every unit and spelling of the `ms` grammar, cases, spaces, fractions.
const SPELLINGS = [
  'ms', 'msec', 'msecs', 'millisecond', 'milliseconds',
  's', 'sec', 'secs', 'second', 'seconds',
  'm', 'min', 'mins', 'minute', 'minutes',
  'h', 'hr', 'hrs', 'hour', 'hours',
  'd', 'day', 'days',
  'w', 'week', 'weeks',
  'y', 'yr', 'yrs', 'year', 'years',
];
for (const unit of SPELLINGS) {
  const amount = unit.startsWith('m') && unit !== 'm' && !unit.startsWith('min') ? '90000' : '3';
  add(`duration ${amount}${unit}`, base(), `${amount}${unit}`);
}
for (const text of [
  '2H', '2Hours', '1 Day', '3  MINS', '1 YEAR', '5000 Ms', '10   s',
  '1.5h', '.5d', '2.75 days', '1.1s', '1.7s', '0.3h', '1999ms', '1000.9ms', '007m',
  '1.0000001y', '100y', '250000y', '1.337 weeks',
]) {
  add(`duration ${JSON.stringify(text)}`, base(), text);
}
// A number is whole seconds.
for (const seconds of [1, 60, 7200, 86400, 31557600, 3155760000]) {
  add(`duration ${seconds} seconds (number)`, base(), seconds);
}

// Secrets: short, exactly one block, longer than a SHA-256 block (hashed first), unicode.
add('secret 1 byte', base(), '1h', { secret: 'x' });
add('secret 64 bytes', base(), '1h', { secret: 's'.repeat(64) });
add('secret 65 bytes', base(), '1h', { secret: 's'.repeat(65) });
add('secret 200 bytes', base(), '1h', { secret: 'long-secret-'.repeat(16).slice(0, 200) });
add('secret unicode', base(), '1h', { secret: 'sécret-🔐-秘密-0123456789abcdef' });

// Times: small, large, and near the largest exact JavaScript integer.
add('iat 1', base(), '1h', { iat: 1 });
add('iat 4102444800', base(), '30d', { iat: 4102444800 });
add('iat near 2^53', base(), 60, { iat: 9007199254740931 });
add('iat near 2^53 with fraction', base(), '1.5s', { iat: 9007199254740000 });

// Where this project deliberately differs from Node: a bare numeric string is milliseconds
// to `ms`, seconds to us. Kept so the test can show both readings from real output.
const differences = [];
for (const text of ['3600', '120', '45 ']) {
  const claims = { ...base(), iat: IAT };
  differences.push({
    name: `bare numeric string ${JSON.stringify(text)}`,
    secret: SECRET,
    claims,
    expiresIn: text,
    token: jwt.sign(claims, SECRET, { algorithm: 'HS256', expiresIn: text }),
  });
}

// The `ms` package's own readings, for the duration parser's reference table.
const msTable = [
  '1', '1ms', '1.5h', '.5d', '-1h', '-.5s', '2 days', '3  MINS', '1e3', '1.', '', ' 1s', '1s ',
  '+1s', '1..5s', 'abc', '10 fortnights', '1 sec.', '2Hours', '5 Ms', '1YEAR', '0', '0.0001ms',
  '1'.repeat(101), `${'9'.repeat(97)}ms`,
].map((text) => {
  let value;
  try {
    value = ms(text);
  } catch {
    value = undefined; // ms throws on the empty string
  }
  return { text, ms: value ?? null };
});

// Verification cases: tokens made by Node in shapes our signer never writes, each with the
// time it is checked at, the error kind this project reports (our decision, an input), and
// Node's own verdict from jwt.verify (the reference, an output).
const verifyCases = [];
function addVerify(name, token, { now = IAT, leeway = 0, expect = 'valid', secret = SECRET } = {}) {
  let node;
  try {
    jwt.verify(token, secret, { algorithms: ['HS256'], clockTimestamp: now, clockTolerance: leeway });
    node = 'valid';
  } catch (e) {
    node = `${e.name}: ${e.message}`;
  }
  verifyCases.push({ name, secret, token, now, leeway, expect, node });
}
const V2 = { apikey: APIKEY, permissions: ['allow_join', 'allow_mod'], version: 2, roomId: 'abcd-efgh-ijkl', participantId: 'p-1', roles: ['rtc'] };
const signed = (payload, options = {}) => jwt.sign({ iat: IAT, ...payload }, SECRET, { algorithm: 'HS256', ...options });
// Payloads jwt.sign refuses to make, signed by jws with jsonwebtoken's header.
const raw = (payload) => jws.sign({ header: { alg: 'HS256', typ: 'JWT' }, payload, secret: SECRET });

addVerify('payload keys reversed', signed({ exp: IAT + 60, iat: IAT, roles: ['rtc'], participantId: 'p-1', roomId: 'abcd-efgh-ijkl', version: 2, permissions: ['ask_join'], apikey: APIKEY }));
addVerify('unknown claims of every JSON type are ignored', signed({ sub: 'user', aud: ['a', 'b'], custom: { nested: [1, -2.5e-3, { a: null, b: true, c: false }], s: 'x\u0000"' }, ...V2 }, { expiresIn: '1h' }));
addVerify('escaped strings decode', signed({ ...V2, roomId: 'r\u00e9\n"\\/\u2028😀', participantId: '\u0001' }, { expiresIn: '1h' }));
addVerify('kid in header', signed(V2, { expiresIn: '1h', keyid: 'key-2026' }));
addVerify('typ first in header (jws)', jws.sign({ header: { typ: 'JWT', alg: 'HS256' }, payload: { ...V2, iat: IAT, exp: IAT + 60 }, secret: SECRET }));
addVerify('no typ in header (jws)', jws.sign({ header: { alg: 'HS256' }, payload: { ...V2, iat: IAT, exp: IAT + 60 }, secret: SECRET }));
addVerify('typ lowercase (jws)', jws.sign({ header: { alg: 'HS256', typ: 'jwt' }, payload: { ...V2, iat: IAT, exp: IAT + 60 }, secret: SECRET }));
addVerify('typ not JWT (jws)', jws.sign({ header: { alg: 'HS256', typ: 'at+jwt' }, payload: { ...V2, iat: IAT, exp: IAT + 60 }, secret: SECRET }), { expect: 'BadHeader' });
addVerify('nbf in the future', signed(V2, { expiresIn: '1h', notBefore: '10m' }), { expect: 'NotYetValid' });
addVerify('nbf reached', signed(V2, { expiresIn: '1h', notBefore: '10m' }), { now: IAT + 600 });
addVerify('nbf within leeway', signed(V2, { expiresIn: '1h', notBefore: '10m' }), { now: IAT + 599, leeway: 1 });
addVerify('nbf just outside leeway', signed(V2, { expiresIn: '1h', notBefore: '10m' }), { now: IAT + 598, leeway: 1, expect: 'NotYetValid' });
addVerify('one second before exp', signed(V2, { expiresIn: 60 }), { now: IAT + 59 });
addVerify('exactly at exp', signed(V2, { expiresIn: 60 }), { now: IAT + 60, expect: 'Expired' });
addVerify('at exp with leeway 1', signed(V2, { expiresIn: 60 }), { now: IAT + 60, leeway: 1 });
addVerify('at exp + leeway', signed(V2, { expiresIn: 60 }), { now: IAT + 61, leeway: 1, expect: 'Expired' });
addVerify('long expired', signed(V2, { expiresIn: 60 }), { now: IAT + 86400 * 3, expect: 'Expired' });
addVerify('no exp', signed({ ...V2, iat: IAT }), { expect: 'MissingClaim' });
addVerify('exp as a string', raw({ ...V2, iat: IAT, exp: String(IAT + 60) }), { expect: 'WrongClaimType' });
addVerify('exp fractional', raw({ ...V2, iat: IAT, exp: IAT + 60.5 }), { expect: 'WrongClaimType' });
addVerify('duplicated exp key', jws.sign({ header: { alg: 'HS256', typ: 'JWT' }, payload: `{"apikey":"k","permissions":["allow_join"],"exp":${IAT + 60},"exp":${IAT + 90}}`, secret: SECRET }), { expect: 'DuplicateClaim' });
addVerify('permissions as a string', signed({ ...V2, permissions: 'allow_join' }, { expiresIn: 60 }), { expect: 'WrongClaimType' });
// Unknown names are reported and grant nothing (tests/verify.rs checks the access answers);
// they refuse the token only under Rules::refusing_unknown_names.
addVerify('unknown permission', signed({ ...V2, permissions: ['allow_join', 'allow_everything'] }, { expiresIn: 60 }));
addVerify('unknown role', signed({ ...V2, roles: ['admin'] }, { expiresIn: 60 }));
addVerify('roles as the official Python example signs them', signed({ apikey: APIKEY, permissions: ['allow_join'], version: 2, roles: ['CRAWLER', 'PUBLISHER'] }, { expiresIn: '120m' }));
addVerify('a permission from third-party code', signed({ apikey: APIKEY, permissions: ['allow_join', 'allow_live_stream'] }, { expiresIn: '120m' }));
addVerify('only unknown permissions', signed({ apikey: APIKEY, permissions: ['allow_live_stream'] }, { expiresIn: 60 }));
addVerify('an unknown permission twice', signed({ apikey: APIKEY, permissions: ['x_y', 'x_y'] }, { expiresIn: 60 }), { expect: 'DuplicatePermission' });
addVerify('more unknown roles than are kept', signed({ ...V2, roles: ['a', 'b', 'c', 'd', 'e'] }, { expiresIn: 60 }), { expect: 'TooManyUnknownNames' });
addVerify('roomId without version 2', signed({ apikey: APIKEY, permissions: ['allow_join'], roomId: 'r' }, { expiresIn: 60 }), { expect: 'VersionRequired' });
addVerify('no apikey', signed({ permissions: ['allow_join'] }, { expiresIn: 60 }), { expect: 'MissingClaim' });
addVerify('empty permissions', signed({ apikey: APIKEY, permissions: [] }, { expiresIn: 60 }), { expect: 'NoPermissions' });
addVerify('HS384', signed(V2, { expiresIn: 60, algorithm: 'HS384' }), { expect: 'WrongAlgorithm' });
addVerify('HS512', signed(V2, { expiresIn: 60, algorithm: 'HS512' }), { expect: 'WrongAlgorithm' });
addVerify('alg none, empty signature', signed(V2, { expiresIn: 60, algorithm: 'none' }), { expect: 'WrongAlgorithm' });
addVerify('other secret', jwt.sign({ iat: IAT, ...V2 }, 'another-secret-another-secret-0000', { expiresIn: 60 }), { expect: 'BadSignature' });
// Stricter than Node, on purpose: each of these Node's jwt.verify accepts (its verdict is
// recorded), and each is refused here for the reason the README's table gives.
const crypto = require('crypto');
const b64url = (buf) => Buffer.from(buf).toString('base64url');
// A token of exactly these header and payload segment texts, signed with SECRET.
const exact = (headerSegment, payloadSegment) => {
  const input = `${headerSegment}.${payloadSegment}`;
  return `${input}.${b64url(crypto.createHmac('sha256', SECRET).update(input).digest())}`;
};
const H = b64url('{"alg":"HS256","typ":"JWT"}');
const P = (text) => b64url(Buffer.from(text, 'utf8'));
const EXP = IAT + 3600;
addVerify('strict: iat fractional', raw({ apikey: APIKEY, permissions: ['allow_join'], iat: IAT + 0.5, exp: EXP }), { expect: 'WrongClaimType' });
addVerify('strict: iat as a string', raw({ apikey: APIKEY, permissions: ['allow_join'], iat: String(IAT), exp: EXP }), { expect: 'WrongClaimType' });
addVerify('strict: nbf fractional', raw({ apikey: APIKEY, permissions: ['allow_join'], iat: IAT, nbf: IAT - 0.5, exp: EXP }), { expect: 'WrongClaimType' });
addVerify('strict: nbf as a string', raw({ apikey: APIKEY, permissions: ['allow_join'], iat: IAT, nbf: String(IAT), exp: EXP }), { expect: 'WrongClaimType' });
addVerify('strict: no apikey', raw({ permissions: ['allow_join'], iat: IAT, exp: EXP }), { expect: 'MissingClaim' });
addVerify('strict: empty apikey', raw({ apikey: '', permissions: ['allow_join'], iat: IAT, exp: EXP }), { expect: 'EmptyApiKey' });
addVerify('strict: version 3', raw({ apikey: APIKEY, permissions: ['allow_join'], version: 3, roomId: 'r', iat: IAT, exp: EXP }), { expect: 'VersionRequired' });
addVerify('strict: version "2"', raw({ apikey: APIKEY, permissions: ['allow_join'], version: '2', roomId: 'r', iat: IAT, exp: EXP }), { expect: 'WrongClaimType' });
addVerify('strict: version 2.0 written as 2.0', exact(H, P(`{"apikey":"${APIKEY}","permissions":["allow_join"],"version":2.0,"roomId":"r","iat":${IAT},"exp":${EXP}}`)), { expect: 'WrongClaimType' });
addVerify('strict: crit header', exact(b64url('{"alg":"HS256","typ":"JWT","crit":["exp"]}'), P(`{"apikey":"${APIKEY}","permissions":["allow_join"],"iat":${IAT},"exp":${EXP}}`)), { expect: 'BadHeader' });
addVerify('strict: two alg keys', exact(b64url('{"alg":"HS256","alg":"HS256","typ":"JWT"}'), P(`{"apikey":"${APIKEY}","permissions":["allow_join"],"iat":${IAT},"exp":${EXP}}`)), { expect: 'BadHeader' });
addVerify('strict: payload is an array', exact(H, P('[1,2]')), { expect: 'BadJson' });
addVerify('strict: payload is {}', exact(H, P('{}')), { expect: 'MissingClaim' });
// Payload text whose base64url ends in a character with non-zero unused bits: Node's
// decoder ignores them.
const canonical = P(`{"apikey":"${APIKEY}","permissions":["allow_join"],"iat":${IAT},"exp":${EXP}}`);
const lastIndex = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.indexOf(canonical.slice(-1));
const loose = canonical.slice(0, -1) + 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'[lastIndex | (canonical.length % 4 === 2 ? 0x0f : 0x03)];
addVerify('strict: non-canonical base64 in the payload', exact(H, loose), { expect: 'BadBase64' });
addVerify('strict: payload not UTF-8', exact(H, b64url(Buffer.concat([Buffer.from('{"apikey":"k'), Buffer.from([0xff]), Buffer.from(`","permissions":["allow_join"],"iat":${IAT},"exp":${EXP}}`)]))), { expect: 'BadJson' });
addVerify('strict: a lone surrogate', exact(H, P(`{"apikey":"${APIKEY}","permissions":["allow_join"],"roomId":"\\ud800","version":2,"iat":${IAT},"exp":${EXP}}`)), { expect: 'BadJson' });
addVerify('strict: empty roomId', signed({ apikey: APIKEY, permissions: ['allow_join'], version: 2, roomId: '' }, { expiresIn: '1h' }), { expect: 'EmptyRoomId' });

const vectors = cases.map((c) => ({
  ...c,
  token: jwt.sign(c.claims, c.secret, { algorithm: 'HS256', expiresIn: c.expiresIn }),
}));

const doc = {
  generator: `jsonwebtoken ${require('jsonwebtoken/package.json').version}, ms ${require('ms/package.json').version}`,
  vectors,
  differences,
  verify: verifyCases,
  ms: msTable,
};
const text = `${JSON.stringify(doc, null, 2)}\n`;

if (process.argv.includes('--check')) {
  const committed = fs.existsSync(OUT) ? fs.readFileSync(OUT, 'utf8') : '';
  if (committed !== text) {
    console.error('tests/vectors/vectors.json differs from a fresh run of generate.js; run `node generate.js` there and commit the result');
    process.exit(1);
  }
  console.log(`vectors.json matches a fresh run (${vectors.length} vectors)`);
} else {
  fs.writeFileSync(OUT, text);
  console.log(`wrote ${vectors.length} vectors to vectors.json`);
}
