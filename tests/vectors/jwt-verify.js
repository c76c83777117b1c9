#!/usr/bin/env node
// Verifies tokens with the reference Node `jsonwebtoken` (pinned in package.json), as a
// VideoSDK backend would: reads [{token, secret, now}] as JSON on standard input and writes
// [{valid, payload | error}] in the same order.
'use strict';

const jwt = require('jsonwebtoken');

let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => { input += chunk; });
process.stdin.on('end', () => {
  const results = JSON.parse(input).map(({ token, secret, now }) => {
    try {
      const payload = jwt.verify(token, secret, { algorithms: ['HS256'], clockTimestamp: now });
      return { valid: true, payload };
    } catch (e) {
      return { valid: false, error: `${e.name}: ${e.message}` };
    }
  });
  process.stdout.write(`${JSON.stringify(results)}\n`);
});
