#!/usr/bin/env node
// Validates documents against host/output.schema.json with Ajv (pinned in package.json):
// reads [{name, doc}] as JSON on standard input; prints each failure and exits 1 if any.
'use strict';

const fs = require('fs');
const path = require('path');
const Ajv = require('ajv');

const schema = JSON.parse(fs.readFileSync(path.join(__dirname, '../../host/output.schema.json'), 'utf8'));
const validate = new Ajv({ allErrors: true, strict: true }).compile(schema);

let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => { input += chunk; });
process.stdin.on('end', () => {
  let failed = 0;
  for (const { name, doc } of JSON.parse(input)) {
    if (!validate(doc)) {
      failed += 1;
      console.log(`${name}: ${JSON.stringify(validate.errors)}`);
    }
  }
  process.exit(failed ? 1 : 0);
});
