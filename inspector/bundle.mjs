#!/usr/bin/env node
// Makes the inspector's files in inspector/dist from its sources and the WebAssembly package:
// videosdk-token.js is wasm-bindgen's classic-script glue (`--target no-modules`), the
// package's API (wasm/js/api.mjs, as a classic script) and the module itself in base64, so
// that the page needs no fetch and works opened from disk (file://), where module scripts and
// fetch are refused. Run by wasm/build.sh:
//   node inspector/bundle.mjs GLUE.js MODULE.wasm
import { readFileSync, writeFileSync, mkdirSync, copyFileSync } from 'node:fs';

const [glue, module] = process.argv.slice(2);
if (!glue || !module) throw new Error('usage: bundle.mjs GLUE.js MODULE.wasm');
const here = (name) => new URL(name, import.meta.url);
const api = readFileSync(here('../wasm/js/api.mjs'), 'utf8').replace(/^export /gm, '');
if (/^\s*(import|export)\b/m.test(api)) throw new Error('api.mjs has an import or export this bundler cannot turn into a classic script');
const bytes = readFileSync(module).toString('base64');
const bundle = `// Made by inspector/bundle.mjs from wasm-bindgen's glue, wasm/js/api.mjs and the module.
${readFileSync(glue, 'utf8')}
(function () {
'use strict';
${api}
const MODULE = '${bytes}';
function moduleBytes() {
  const text = atob(MODULE);
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}
window.videosdkToken = {
  /** Instantiates the module from the bytes above; the package's API. */
  load() {
    const exports = wasm_bindgen.initSync({ module: moduleBytes() });
    return createApi(wasm_bindgen, exports.memory);
  },
};
})();
`;
mkdirSync(here('dist/'), { recursive: true });
writeFileSync(here('dist/videosdk-token.js'), bundle);
for (const name of ['index.html', 'inspector.css', 'inspector.js']) copyFileSync(here(name), here(`dist/${name}`));
console.log(`inspector/dist: index.html, inspector.css, inspector.js, videosdk-token.js (${bundle.length} bytes)`);
