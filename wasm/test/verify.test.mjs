// `verify` against jsonwebtoken's `verify` on the verification table (tokens Node made in
// every shape, each with Node's verdict) and on every golden vector: the same payload or the
// same error, name and message; where the core refuses what Node accepts, the case is one of
// the deliberate differences the table records, and nothing else differs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { verify, createSigner, TokenExpiredError, JsonWebTokenError } from '../js/index.mjs';
import { doc, jwt, outcome } from './helpers.mjs';

test('the verification table: Node verdicts matched, deliberate differences only', () => {
  assert.ok(doc.verify.length >= 50);
  const differences = [];
  for (const c of doc.verify) {
    // As the table's verdicts were made (tests/vectors/generate.js).
    const options = { algorithms: ['HS256'], clockTimestamp: c.now, clockTolerance: c.leeway };
    const ours = outcome(() => verify(c.token, c.secret, options));
    const node = outcome(() => jwt.verify(c.token, c.secret, options));
    assert.equal(node.threw ?? 'valid', c.node, `${c.name}: Node's verdict changed`);
    if (c.expect === 'valid') {
      assert.deepEqual(ours, node, c.name);
    } else if (c.node !== 'valid') {
      assert.equal(ours.threw, node.threw, c.name);
    } else {
      // Node accepts; the core refuses, on purpose (the table says why).
      assert.match(ours.threw ?? '', /^JsonWebTokenError: ./, c.name);
      differences.push(c.name);
    }
  }
  const expected = doc.verify.filter((c) => c.expect !== 'valid' && c.node === 'valid').map((c) => c.name);
  assert.deepEqual(differences, expected);
  assert.ok(differences.length > 0 && differences.length < doc.verify.length / 2);
});

test('golden tokens verify to the payload jsonwebtoken reads; tampered and expired are refused alike', () => {
  for (const v of doc.vectors) {
    const now = v.claims.iat;
    assert.deepEqual(verify(v.token, v.secret, { clockTimestamp: now }), jwt.verify(v.token, v.secret, { clockTimestamp: now }), v.name);
    const complete = verify(v.token, v.secret, { clockTimestamp: now, complete: true });
    assert.deepEqual(complete, jwt.verify(v.token, v.secret, { clockTimestamp: now, complete: true }), v.name);

    const cut = v.token.length - 43;
    const tampered = v.token.slice(0, cut) + (v.token[cut] === 'A' ? 'B' : 'A') + v.token.slice(cut + 1);
    const t = { clockTimestamp: now };
    assert.deepEqual(outcome(() => verify(tampered, v.secret, t)), outcome(() => jwt.verify(tampered, v.secret, t)), v.name);
    const exp = jwt.decode(v.token).exp;
    const late = { clockTimestamp: exp };
    assert.throws(() => verify(v.token, v.secret, late), (e) => {
      assert.ok(e instanceof TokenExpiredError && e instanceof JsonWebTokenError);
      // (An exp past Date's range is an Invalid Date in both.)
      assert.equal(String(e.expiredAt), String(new Date(exp * 1000)));
      return true;
    });
    assert.deepEqual(outcome(() => verify(v.token, v.secret, late)), outcome(() => jwt.verify(v.token, v.secret, late)));
    assert.deepEqual(outcome(() => verify(v.token, 'another-secret', t)), outcome(() => jwt.verify(v.token, 'another-secret', t)));
  }
});

test('bad tokens and options get jsonwebtoken\'s errors', () => {
  const v = doc.vectors[0];
  const t = { clockTimestamp: v.claims.iat };
  for (const token of [undefined, '', 123, 'a.b', 'a.b.c.d', 'not a token', '..', 'a..c', v.token.slice(0, -43)]) {
    assert.deepEqual(outcome(() => verify(token, v.secret, t)), outcome(() => jwt.verify(token, v.secret, t)), String(token));
  }
  assert.deepEqual(
    outcome(() => verify(v.token, v.secret, { clockTimestamp: 'soon' })),
    outcome(() => jwt.verify(v.token, v.secret, { clockTimestamp: 'soon' })),
  );
  assert.deepEqual(
    outcome(() => verify(v.token, v.secret, { ...t, algorithms: ['RS256'] })),
    outcome(() => jwt.verify(v.token, v.secret, { ...t, algorithms: ['RS256'] })),
  );
  // A signer keyed once verifies too.
  const signer = createSigner(v.secret);
  assert.deepEqual(signer.verify(v.token, t), jwt.verify(v.token, v.secret, t));
  signer.free();
});
