// The JavaScript half of the package: jsonwebtoken's API shape (sign, verify, decode, their
// options and errors) over the WebAssembly module's signer. No Node built-ins: this file runs
// unchanged in Node, Workers, Deno and browsers.

const CONTRACT_ORDER = ['apikey', 'permissions', 'version', 'roomId', 'participantId', 'roles', 'iat'];
const CLAIMS = new Set([...CONTRACT_ORDER, 'exp']);
// Each claim's place in the contract's order (exp has none: the core writes it last).
const PLACE = new Map(CONTRACT_ORDER.map((k, i) => [k, i]));
const PERMISSIONS = ['allow_join', 'ask_join', 'allow_mod'];
const ROLES = ['crawler', 'rtc'];
const SIGN_OPTIONS = new Set(['algorithm', 'expiresIn']);
const VERIFY_OPTIONS = new Set(['algorithms', 'clockTimestamp', 'clockTolerance', 'complete', 'refuseUnknownNames']);
// jsonwebtoken options that VideoSDK tokens never use: named, so the refusal can say why.
const UNSUPPORTED = new Set([
  'notBefore', 'audience', 'issuer', 'subject', 'jwtid', 'noTimestamp', 'header', 'keyid',
  'mutatePayload', 'encoding', 'allowInsecureKeySizes', 'allowInvalidAsymmetricKeyTypes',
  'ignoreExpiration', 'ignoreNotBefore', 'maxAge', 'nonce', 'allowInvalidAsymmetricKeyTypes',
]);
const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const EXPIRES_IN_TYPE = '"expiresIn" should be a number of seconds or string representing a timespan';
// The package's one wording for a lifetime of zero or less (the core's refusal too).
const NON_POSITIVE = '"expiresIn" must be at least 1 second: the token would expire as it is issued';
// Longest token `verify` takes (the core's default, 8 KiB); a longer one is refused before
// anything is copied into the module.
const MAX_TOKEN = 8192;
// Most UTF-8 bytes of claims strings `sign` copies into the module; more is refused first.
const MAX_SIGN_BYTES = 1 << 20;
const EXPIRES_IN_VALUE = `${EXPIRES_IN_TYPE} eg: "1d", "20h", 60`;

/** jsonwebtoken's error for a token that is refused. */
export class JsonWebTokenError extends Error {
  constructor(message, error) {
    super(message);
    this.name = 'JsonWebTokenError';
    if (error) this.inner = error;
  }
}

/** jsonwebtoken's error for a token past its `exp`. */
export class TokenExpiredError extends JsonWebTokenError {
  constructor(message, expiredAt) {
    super(message);
    this.name = 'TokenExpiredError';
    this.expiredAt = expiredAt;
  }
}

/** jsonwebtoken's error for a token before its `nbf`. */
export class NotBeforeError extends JsonWebTokenError {
  constructor(message, date) {
    super(message);
    this.name = 'NotBeforeError';
    this.date = date;
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function secretBytes(secret) {
  if (typeof secret === 'string') {
    if (secret.length === 0) throw new Error('secretOrPrivateKey must have a value');
    return encoder.encode(secret);
  }
  if (secret instanceof Uint8Array) {
    if (secret.length === 0) throw new Error('secretOrPrivateKey must have a value');
    return secret;
  }
  if (secret === undefined || secret === null || secret === '') {
    throw new Error('secretOrPrivateKey must have a value');
  }
  // jsonwebtoken's words for a secret of another type.
  throw new Error('secretOrPrivateKey is not valid key material');
}

/**
 * The payload as jwt.sign serializes it: its own enumerable properties read once (as its
 * `Object.assign` copies them), as JSON.stringify writes them, into an object without a
 * prototype, so that no lookup of a claim the payload lacks reaches `Object.prototype`.
 *
 * Values JSON writes as they are (strings, numbers, booleans, null, arrays of strings) are
 * taken as read; anything else (a `toJSON`, a nested object, a function) sends the whole
 * payload through JSON.stringify and back, which is exact but costs 2.5 times the signing
 * (the package's bench, `benches/node/bench.mjs`).
 */
function snapshot(payload) {
  if (typeof payload.toJSON === 'function') return reparse(JSON.stringify(Object.assign({}, payload)));
  const own = Object.create(null);
  let plain = true;
  for (const key of Object.keys(payload)) {
    const value = payload[key];
    if (value === undefined) continue;
    own[key] = value;
    const kind = typeof value;
    if (kind === 'object' && value !== null) {
      if (!Array.isArray(value) || typeof value.toJSON === 'function') plain = false;
      else for (let i = 0; plain && i < value.length; i++) plain = typeof value[i] === 'string';
    } else if (kind === 'function' || kind === 'symbol' || kind === 'bigint') {
      plain = false;
    }
  }
  return plain ? own : reparse(JSON.stringify(own));
}

/** JSON text as objects without a prototype (arrays stay arrays). */
function reparse(json) {
  return JSON.parse(json, (_, value) =>
    value !== null && typeof value === 'object' && !Array.isArray(value)
      ? Object.assign(Object.create(null), value)
      : value);
}

function isPlainObject(value) {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function checkOptions(options, allowed, what) {
  if (options === undefined || options === null) return {};
  if (typeof options !== 'object') throw new Error(`Expected "${what}" to be a plain object.`);
  for (const key of Object.keys(options)) {
    if (options[key] === undefined) continue;
    if (UNSUPPORTED.has(key)) {
      throw new Error(`"${key}" is not supported: VideoSDK tokens do not use it`);
    }
    if (!allowed.has(key)) throw new Error(`"${key}" is not allowed in "${what}"`);
  }
  return options;
}

/**
 * The names of `list` as the module takes them: the count in bits 0-1, then 2 bits for each
 * name's index in `known` (see `unpack` in wasm/src/lib.rs). More names than `known` holds
 * must repeat one.
 */
function names(list, known, claim, twice) {
  if (!Array.isArray(list)) throw new Error(`"${claim}" should be an array of names`);
  let bits = list.length;
  for (let i = 0; i < list.length; i++) {
    const index = known.indexOf(list[i]);
    if (index < 0) {
      throw new Error(`"${claim}" holds ${JSON.stringify(list[i])}: expected ${known.join(', ')}`);
    }
    bits |= index << (2 + 2 * i);
  }
  if (list.length > known.length) throw new Error(twice);
  return bits;
}

/** A string claim that must be well-formed Unicode: a lone surrogate cannot be UTF-8
 * (JSON.stringify escapes it, and no verifier here would accept the token). */
function wellFormed(value, claim) {
  if (value !== undefined && !value.isWellFormed()) {
    throw new Error(`"${claim}" is not well-formed Unicode (it holds a lone surrogate)`);
  }
}

function optionalString(payload, claim) {
  // `payload` is a snapshot without a prototype: only its own claims are read.
  const value = payload[claim];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new Error(`"${claim}" should be a string`);
  return value;
}

function wholeSeconds(value, what) {
  if (!Number.isInteger(value) || value < 0 || value > MAX_SAFE) {
    throw new Error(`"${what}" should be a whole number of seconds`);
  }
  return value;
}

/** `error` with the core's own words for the refusal (`error.reason`), which jsonwebtoken's
 * message does not always give: "signature does not match", "token has expired"… */
function withReason(error, reason) {
  error.reason = reason;
  return error;
}

/** Splits a failure the module reports ("Name\tmessage"). */
function failure(report) {
  const tab = report.indexOf('\t');
  return { kind: report.slice(0, tab), message: report.slice(tab + 1) };
}

// base64url as Node decodes it for jws: lenient about a trailing partial
// group, strict about the alphabet (the callers check it first).
const B64 = new Uint8Array(128).fill(255);
'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
  .split('')
  .forEach((c, i) => { B64[c.charCodeAt(0)] = i; });

function base64urlBytes(text) {
  const out = new Uint8Array(Math.floor((text.length * 3) / 4));
  let bits = 0;
  let value = 0;
  let at = 0;
  for (let i = 0; i < text.length; i++) {
    const v = B64[text.charCodeAt(i)];
    if (v === undefined || v === 255) break;
    value = (value << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[at++] = (value >> bits) & 0xff;
    }
  }
  return out.subarray(0, at);
}

const latin1 = new TextDecoder('latin1');
const JWS = /^[a-zA-Z0-9\-_]+?\.[a-zA-Z0-9\-_]+?\.([a-zA-Z0-9\-_]+)?$/;

function parseOrUndefined(text) {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Decodes a token without checking it, as jsonwebtoken's `decode` does: the payload, or with
 * `{ complete: true }` the header, payload and signature; `null` when it is not a JWS.
 */
export function decode(token, options = {}) {
  const text = token === undefined || token === null ? '' : String(token);
  if (!JWS.test(text)) return null;
  const [h, p, signature] = text.split('.');
  const header = parseOrUndefined(latin1.decode(base64urlBytes(h)));
  if (!header) return null;
  let payload = decoder.decode(base64urlBytes(p));
  if (header.typ === 'JWT' || (options && options.json)) payload = JSON.parse(payload);
  if (typeof payload === 'string') {
    const parsed = parseOrUndefined(payload);
    if (parsed !== null && typeof parsed === 'object') payload = parsed;
  }
  if (options && options.complete === true) return { header, payload, signature };
  return payload;
}

const ABSENT = 0xffffffff;
/**
 * Makes the package's functions over the module's bindings (`Signer`, `exp_after`) and its
 * memory, where strings are encoded and decoded in place.
 */
export function createApi(wasm, memory) {
  const { Signer, exp_after: expAfter } = wasm;

  // The lengths put3 wrote, ABSENT for an absent string.
  const lengths = new Uint32Array(3);

  /** Encodes one string into the signer's input buffer; its length in bytes. */
  function put1(signer, text) {
    const room = text.length * 3;
    // `io` may grow the memory, which detaches every view taken before it: view it after.
    const at = signer.io(room);
    return encoder.encodeInto(text, new Uint8Array(memory.buffer, at, room)).written;
  }

  /** Encodes up to three strings one after another into the input buffer, into `lengths`. */
  function put3(signer, a, b, c) {
    const room = (a.length + (b === undefined ? 0 : b.length) + (c === undefined ? 0 : c.length)) * 3;
    if (room > MAX_SIGN_BYTES * 3) {
      throw new Error(`the payload is too large to sign: apikey, roomId and participantId may hold ${MAX_SIGN_BYTES} bytes together`);
    }
    const at = signer.io(room);
    const view = new Uint8Array(memory.buffer, at, room);
    let used = encoder.encodeInto(a, view).written;
    lengths[0] = used;
    lengths[1] = ABSENT;
    lengths[2] = ABSENT;
    if (b !== undefined) {
      lengths[1] = encoder.encodeInto(b, view.subarray(used)).written;
      used += lengths[1];
    }
    if (c !== undefined) lengths[2] = encoder.encodeInto(c, view.subarray(used)).written;
  }

  /** The token the last call left in the signer's output buffer, or its error. */
  function take(signer, length) {
    if (length < 0) {
      const { kind, message } = failure(signer.last_error());
      throw new Error(kind === 'NonPositiveLifetime' ? NON_POSITIVE : message);
    }
    const at = signer.out();
    return decoder.decode(new Uint8Array(memory.buffer, at, length));
  }

  // `expiresIn` strings read by the module, the last one kept: a server signs with one.
  let lastExpiresIn;
  let lastIat;
  let lastExp;

  function keyed(secret) {
    try {
      return new Signer(secretBytes(secret));
    } catch (e) {
      if (typeof e === 'string') throw new Error(failure(e).message);
      throw e;
    }
  }

  function signWith(signer, given, options) {
    if (given === undefined) throw new Error('payload is required');
    options = checkOptions(options, SIGN_OPTIONS, 'options');
    if (!isPlainObject(given)) {
      // jsonwebtoken's words where it refuses too; it signs a string without expiresIn,
      // which is no VideoSDK token.
      const kind = typeof given;
      if (options.expiresIn !== undefined && (kind === 'string' || kind === 'number' || ArrayBuffer.isView(given))) {
        throw new Error(`invalid expiresIn option for ${kind === 'string' || kind === 'number' ? kind : 'object'} payload`);
      }
      throw new Error('Expected "payload" to be a plain object.');
    }
    if (options.algorithm !== undefined && options.algorithm !== 'HS256') {
      throw new Error(`"algorithm" must be "HS256" for a VideoSDK token, not ${JSON.stringify(options.algorithm)}`);
    }
    const payload = snapshot(given);
    if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
      throw new Error('Expected "payload" to be a plain object.');
    }
    // jsonwebtoken's checks first: the types of the times.
    if (payload.iat !== undefined && typeof payload.iat !== 'number') {
      throw new Error('"iat" should be a number of seconds');
    }
    if (payload.exp !== undefined && typeof payload.exp !== 'number') {
      throw new Error('"exp" should be a number of seconds');
    }
    // One pass over the keys: each a claim, and whether they follow the contract's order.
    const keys = Object.keys(payload);
    let inOrder = true;
    let place = -1;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i];
      const at = PLACE.get(key);
      if (at === undefined) {
        if (key !== 'exp') {
          throw new Error(`"${key}" is not a VideoSDK claim: expected ${[...CLAIMS].join(', ')}`);
        }
        inOrder = false;
      } else if (at <= place) {
        inOrder = false;
      } else {
        place = at;
      }
    }
    const { apikey } = payload;
    if (typeof apikey !== 'string' || apikey === '') {
      throw new Error('"apikey" is required: a non-empty string, your VideoSDK API key');
    }
    if (payload.permissions === undefined) {
      throw new Error('"permissions" is required: an array of allow_join, ask_join, allow_mod');
    }
    const permissions = names(payload.permissions, PERMISSIONS, 'permissions', 'a permission is listed twice');
    const roles = payload.roles === undefined ? 0 : names(payload.roles, ROLES, 'roles', 'a role is listed twice');
    if (payload.version !== undefined && payload.version !== 2) {
      throw new Error('"version" should be 2 (the only version VideoSDK defines)');
    }
    const roomId = optionalString(payload, 'roomId');
    const participantId = optionalString(payload, 'participantId');
    wellFormed(apikey, 'apikey');
    wellFormed(roomId, 'roomId');
    wellFormed(participantId, 'participantId');
    // jsonwebtoken: `payload.iat || now`, so 0 is "now" too.
    const iat = wholeSeconds(payload.iat || Math.floor(Date.now() / 1000), 'iat');
    let exp;
    const { expiresIn } = options;
    if (expiresIn !== undefined) {
      if (payload.exp !== undefined) {
        throw new Error('Bad "options.expiresIn" option the payload already has an "exp" property.');
      }
      if (!(Number.isInteger(expiresIn) || (typeof expiresIn === 'string' && expiresIn))) {
        throw new Error(EXPIRES_IN_TYPE);
      }
      if (typeof expiresIn === 'number') {
        exp = iat + expiresIn;
      } else if (expiresIn === lastExpiresIn && iat === lastIat) {
        exp = lastExp;
      } else {
        try {
          exp = expAfter(expiresIn, iat);
          [lastExpiresIn, lastIat, lastExp] = [expiresIn, iat, exp];
        } catch (e) {
          const { kind, message } = failure(String(e));
          if (kind === 'InvalidDuration') throw new Error(EXPIRES_IN_VALUE);
          throw new Error(kind === 'NonPositiveLifetime' ? NON_POSITIVE : message);
        }
      }
    } else if (payload.exp !== undefined) {
      exp = payload.exp;
    } else {
      throw new Error('"expiresIn" is required: a VideoSDK token must expire (for example "2h")');
    }
    wholeSeconds(exp, 'exp');
    if (exp <= iat) throw new Error(NON_POSITIVE);
    try {
      // VideoSDK requires `version: 2` with a room, a participant or roles: added where the
      // payload has none, after `permissions`, so that the token is one VideoSDK (and this
      // package's verify) accepts. (jwt.sign would leave it out.)
      const v2 = roomId !== undefined || participantId !== undefined || payload.roles !== undefined;
      const version2 = payload.version === 2 || v2;
      const packed = permissions | (roles << 8);
      put3(signer, apikey, roomId, participantId);
      // The payload's keys in the contract's order: the core writes the JSON. Any other
      // order: JSON.stringify writes it, as jsonwebtoken does, and the core signs those bytes.
      if (inOrder) {
        return take(signer, signer.sign(lengths[0], lengths[1], lengths[2], packed, version2, iat, exp));
      }
      // The core's checks of the claims, then the bytes JSON.stringify makes of them.
      take(signer, signer.check(lengths[0], lengths[1], lengths[2], packed, version2, iat, exp));
      const claims = {};
      for (const key of keys) {
        claims[key] = payload[key];
        if (key === 'permissions' && v2 && payload.version === undefined) claims.version = 2;
      }
      claims.iat = iat;
      claims.exp = exp;
      const json = JSON.stringify(claims);
      if (json.length > MAX_SIGN_BYTES) throw new Error(`the payload is too large to sign: over ${MAX_SIGN_BYTES} bytes of JSON`);
      return take(signer, signer.sign_json(put1(signer, json)));
    } catch (e) {
      if (typeof e === 'string') throw new Error(failure(e).message);
      throw e;
    }
  }

  function verifyWith(signer, token, options) {
    options = checkOptions(options, VERIFY_OPTIONS, 'options');
    let now = Math.floor(Date.now() / 1000);
    if (options.clockTimestamp !== undefined) {
      if (typeof options.clockTimestamp !== 'number') {
        throw new JsonWebTokenError('clockTimestamp must be a number');
      }
      now = wholeSeconds(options.clockTimestamp, 'clockTimestamp');
    }
    const leeway = options.clockTolerance === undefined ? 0 : wholeSeconds(options.clockTolerance, 'clockTolerance');
    if (!token) throw new JsonWebTokenError('jwt must be provided');
    if (typeof token !== 'string') throw new JsonWebTokenError('jwt must be a string');
    // Before anything is copied into the module (or split): the core refuses it anyway.
    if (token.length > MAX_TOKEN) {
      throw withReason(new JsonWebTokenError(`jwt is longer than ${MAX_TOKEN} bytes`), 'token is longer than allowed');
    }
    const parts = token.split('.');
    if (parts.length !== 3) throw new JsonWebTokenError('jwt malformed');
    if (options.algorithms !== undefined && !options.algorithms.includes('HS256')) {
      throw new JsonWebTokenError('invalid algorithm');
    }
    if (signer.verify(put1(signer, token), now, leeway, options.refuseUnknownNames === true) < 0) {
      const { kind, message } = failure(signer.last_error());
      let decoded = null;
      try {
        decoded = decode(token, { complete: true });
      } catch {
        decoded = null;
      }
      // jsonwebtoken's order of checks: decodable, signed, algorithm, signature, times.
      if (!decoded) throw withReason(new JsonWebTokenError('invalid token'), message);
      if (parts[2].trim() === '') throw withReason(new JsonWebTokenError('jwt signature is required'), message);
      const payload = isPlainObject(decoded.payload) ? decoded.payload : {};
      switch (kind) {
        case 'Expired':
          throw withReason(new TokenExpiredError('jwt expired', new Date(payload.exp * 1000)), message);
        case 'NotYetValid':
          throw withReason(new NotBeforeError('jwt not active', new Date(payload.nbf * 1000)), message);
        case 'BadSignature':
          throw withReason(new JsonWebTokenError('invalid signature'), message);
        case 'WrongAlgorithm':
          throw withReason(new JsonWebTokenError('invalid algorithm'), message);
        case 'Malformed':
          throw withReason(new JsonWebTokenError('jwt malformed'), message);
        case 'BadBase64':
        case 'BadJson':
        case 'JsonTooDeep':
        case 'BadHeader':
          throw withReason(new JsonWebTokenError('invalid token'), message);
        case 'WrongClaimType':
          if (payload.exp !== undefined && typeof payload.exp !== 'number') {
            throw withReason(new JsonWebTokenError('invalid exp value'), message);
          }
          if (payload.nbf !== undefined && typeof payload.nbf !== 'number') {
            throw withReason(new JsonWebTokenError('invalid nbf value'), message);
          }
          throw withReason(new JsonWebTokenError(message), message);
        default:
          // Refusals of the VideoSDK contract that jsonwebtoken does not make.
          throw withReason(new JsonWebTokenError(message), message);
      }
    }
    const decoded = decode(token, { complete: true });
    return options.complete === true ? decoded : decoded.payload;
  }

  // `sign` and `verify` with a secret: the signer of the last secret string is kept, as a
  // server signs with one secret.
  let lastSecret;
  let lastSigner;
  function signerFor(secret) {
    if (typeof secret === 'string' && secret === lastSecret) return lastSigner;
    const signer = keyed(secret);
    if (typeof secret === 'string') {
      if (lastSigner) lastSigner.free();
      lastSecret = secret;
      lastSigner = signer;
    }
    return signer;
  }
  function withSigner(secret, use) {
    const signer = signerFor(secret);
    let trapped = false;
    try {
      return use(signer);
    } catch (e) {
      // A trap (the module ran out of memory, say) leaves that signer mid-call: it is
      // dropped, never used or freed again, and the next call keys a new one.
      trapped = e instanceof WebAssembly.RuntimeError;
      if (trapped && signer === lastSigner) [lastSecret, lastSigner] = [undefined, undefined];
      throw e;
    } finally {
      if (signer !== lastSigner && !trapped) signer.free();
    }
  }

  // jsonwebtoken's callback form: `(…, callback)` or `(…, options, callback)`; the callback
  // gets `(err, result)` after the call has returned, and the call returns undefined.
  function withCallback(call, options, callback) {
    if (typeof options === 'function' && callback === undefined) [options, callback] = [undefined, options];
    if (typeof callback !== 'function') return call(options);
    let result;
    let error = null;
    try {
      result = call(options);
    } catch (e) {
      error = e;
    }
    queueMicrotask(() => (error ? callback(error) : callback(null, result)));
    return undefined;
  }

  // A signer that JavaScript drops without `free` is freed when collected.
  const registry = typeof FinalizationRegistry === 'function'
    ? new FinalizationRegistry((signer) => signer.free())
    : undefined;

  return {
    /** `jwt.sign(payload, secret, { expiresIn, algorithm }[, callback])`, the same string. */
    sign(payload, secret, options, callback) {
      return withCallback((o) => withSigner(secret, (signer) => signWith(signer, payload, o)), options, callback);
    },
    /** A signer keyed once: `createSigner(secret).sign(payload, options)`. */
    createSigner(secret) {
      const signer = keyed(secret);
      let freed = false;
      const handle = {
        sign: (payload, options, callback) => withCallback((o) => signWith(signer, payload, o), options, callback),
        verify: (token, options, callback) => withCallback((o) => verifyWith(signer, token, o), options, callback),
        free: () => {
          if (freed) return;
          freed = true;
          registry?.unregister(handle);
          signer.free();
        },
      };
      registry?.register(handle, signer, handle);
      return handle;
    },
    /** `jwt.verify(token, secret, { clockTimestamp, clockTolerance }[, callback])`. */
    verify(token, secret, options, callback) {
      return withCallback((o) => withSigner(secret, (signer) => verifyWith(signer, token, o)), options, callback);
    },
    decode,
    JsonWebTokenError,
    TokenExpiredError,
    NotBeforeError,
  };
}
