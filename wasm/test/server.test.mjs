// VideoSDK's Node example server with one line changed (benches/node-example/make-swapped.mjs)
// answers as the original does: the same token, byte for byte, for the same request and iat.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { jwt } from './helpers.mjs';

const dir = new URL('../../benches/node-example/', import.meta.url);
const env = {
  ...process.env,
  VIDEOSDK_API_KEY: 'swap-api-key',
  VIDEOSDK_SECRET_KEY: 'swap-secret-0123456789abcdef-0123456789',
};

async function start(file, port) {
  const child = spawn(process.execPath, [new URL(file, dir).pathname], {
    env: { ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await once(child.stdout, 'data');
  return child;
}

test('the swapped example server answers with the tokens jsonwebtoken makes', async () => {
  const made = execFileSync(process.execPath, [new URL('make-swapped.mjs', dir).pathname], { encoding: 'utf8' });
  assert.match(made, /with line \d+ changed/);
  const servers = [await start('server.js', 19021), await start('server-swapped.cjs', 19022)];
  try {
    for (const query of ['', '?roomId=abcd-efgh-ijkl', '?roomId=abcd-efgh-ijkl&peerId=alice', '?peerId=%22q%22%E2%80%A8']) {
      const tokens = [];
      for (const port of [19021, 19022]) {
        const response = await fetch(`http://127.0.0.1:${port}/get-token${query}`);
        assert.equal(response.status, 200);
        tokens.push((await response.json()).token);
      }
      const [original, swapped] = tokens.map((t) => jwt.decode(t));
      // Signed within the same second or not, each is what jsonwebtoken makes of its payload.
      for (const [token, payload] of [[tokens[1], swapped], [tokens[0], original]]) {
        const { exp, ...rest } = payload;
        assert.equal(exp - rest.iat, 7200);
        assert.equal(token, jwt.sign(rest, env.VIDEOSDK_SECRET_KEY, { expiresIn: '120m', algorithm: 'HS256' }), query);
      }
      assert.deepEqual({ ...swapped, iat: 0, exp: 0 }, { ...original, iat: 0, exp: 0 }, query);
    }
  } finally {
    for (const s of servers) s.kill();
  }
});
