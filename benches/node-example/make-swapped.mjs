#!/usr/bin/env node
// Writes server-swapped.cjs: server.js with one line changed, jsonwebtoken's require replaced
// by this repository's WebAssembly package. Refuses if that is not exactly one line.
import { readFileSync, writeFileSync } from 'node:fs';

const FROM = "const jwt = require('jsonwebtoken');";
const TO = "const jwt = require('../../wasm/js/index.cjs');";
const original = readFileSync(new URL('./server.js', import.meta.url), 'utf8');
const lines = original.split('\n');
if (lines.filter((l) => l === FROM).length !== 1) throw new Error(`server.js has no single line ${FROM}`);
const swapped = lines.map((l) => (l === FROM ? TO : l));
const changed = swapped.filter((l, i) => l !== lines[i]).length;
if (changed !== 1) throw new Error(`${changed} lines changed`);
writeFileSync(new URL('./server-swapped.cjs', import.meta.url), swapped.join('\n'));
console.log(`server-swapped.cjs: server.js with line ${lines.indexOf(FROM) + 1} changed to ${TO}`);
