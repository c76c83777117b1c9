// The package as shipped: the module within its size budget, the edge entry loading from
// bytes with WebAssembly.instantiate and no Node built-ins, the TypeScript types compiling, and
// `npm pack` shipping only what it should.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { doc, wasmPath } from './helpers.mjs';

const MAX_RAW = 64 * 1024;
const MAX_GZIP = 24 * 1024;

test('the module is within its size budget', () => {
  const bytes = readFileSync(wasmPath);
  const gzipped = gzipSync(bytes, { level: 9 }).length;
  console.log(`module: ${bytes.length} bytes, ${gzipped} gzipped`);
  assert.ok(bytes.length <= MAX_RAW, `${bytes.length} bytes`);
  assert.ok(gzipped <= MAX_GZIP, `${gzipped} bytes gzipped`);
  // The guide quotes both sizes: within 2% of this build's, or the page is stale.
  const page = readFileSync(new URL('../../docs/javascript.md', import.meta.url), 'utf8');
  const quoted = /the module: ([\d,]+) bytes, ([\d,]+) gzipped/.exec(page);
  assert.ok(quoted, 'docs/javascript.md quotes the module\'s size');
  const [raw, zipped] = quoted.slice(1).map((n) => Number(n.replaceAll(',', '')));
  for (const [said, measured] of [[raw, bytes.length], [zipped, gzipped]]) {
    assert.ok(Math.abs(said - measured) * 1000 <= measured * 20, `docs/javascript.md says ${said} bytes, the module is ${measured}`);
  }
});

test('the edge entry needs no Node built-in and loads from bytes', async () => {
  // Everything the edge entry imports, followed from its own imports.
  const seen = new Set();
  const pending = [new URL('../js/edge.mjs', import.meta.url)];
  while (pending.length) {
    const url = pending.pop();
    if (seen.has(url.href)) continue;
    seen.add(url.href);
    const source = readFileSync(url, 'utf8');
    assert.doesNotMatch(source, /\brequire\s*\(|from\s+['"]node:|import\(\s*['"]node:|\bprocess\.|\bBuffer\b/, url.pathname);
    for (const [, spec] of source.matchAll(/(?:from|import)\s+['"]([^'"]+)['"]/g)) {
      assert.ok(spec.startsWith('.'), `${url.pathname} imports ${spec}`);
      pending.push(new URL(spec, url));
    }
  }
  assert.ok(seen.size >= 3);
  const edge = await import('../js/edge.mjs');
  assert.throws(() => edge.sign({}, 's'), /call `await init\(module\)`/);
  // As a Worker gets it: a compiled module from bytes (WebAssembly.instantiate inside).
  const module = await WebAssembly.compile(readFileSync(wasmPath));
  await edge.init(module);
  for (const v of doc.vectors.slice(0, 20)) {
    assert.equal(edge.sign({ ...v.claims }, v.secret, { expiresIn: v.expiresIn }), v.token, v.name);
    assert.deepEqual(edge.verify(v.token, v.secret, { clockTimestamp: v.claims.iat }), { ...v.claims, exp: edge.decode(v.token).exp });
  }
});

test('the TypeScript types compile against a use of every function', () => {
  const tsc = new URL('../node_modules/typescript/bin/tsc', import.meta.url).pathname;
  const project = new URL('./types/tsconfig.json', import.meta.url).pathname;
  execFileSync(process.execPath, [tsc, '--project', project], { stdio: 'inherit' });
});

test('npm pack ships the entries, the module and the types, and nothing else', () => {
  const cwd = new URL('..', import.meta.url).pathname;
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd, encoding: 'utf8' });
  const files = JSON.parse(out)[0].files.map((f) => f.path).sort();
  assert.deepEqual(files, [
    'LICENSE-APACHE',
    'LICENSE-MIT',
    'README.md',
    'js/api.mjs',
    'js/edge.d.ts',
    'js/edge.mjs',
    'js/index.cjs',
    'js/index.d.cts',
    'js/index.d.ts',
    'js/index.mjs',
    'package.json',
    'pkg/videosdk_token_wasm.js',
    'pkg/videosdk_token_wasm_bg.wasm',
  ]);
});
