#!/usr/bin/env node
// Makes tests/vectors/dotenv.json with the reference `.env` reader: Node's `dotenv` 16 (pinned
// in package.json and package-lock.json), which VideoSDK's server examples load their `.env`
// with. Only the file contents are written here; every expected value comes from
// dotenv.parse itself, fed the bytes as `fs.readFileSync` would give them.
//   node dotenv.js           rewrite dotenv.json
//   node dotenv.js --check   exit 1 when dotenv.json differs from a fresh run
'use strict';

const fs = require('fs');
const path = require('path');
const dotenv = require('dotenv');

const OUT = path.join(__dirname, 'dotenv.json');
const S = 'dotenv-secret-0123456789abcdef-0123456789';

const files = [
  ['plain', `VIDEOSDK_API_KEY=key\nVIDEOSDK_SECRET_KEY=${S}\n`],
  ['no final newline', `VIDEOSDK_SECRET_KEY=${S}`],
  ['CRLF endings', `VIDEOSDK_API_KEY=key\r\nVIDEOSDK_SECRET_KEY=${S}\r\n`],
  ['lone CR endings', `VIDEOSDK_API_KEY=key\rVIDEOSDK_SECRET_KEY=${S}\r`],
  ['comments and blank lines', `# VideoSDK\n\n   # indented comment\nVIDEOSDK_SECRET_KEY=${S}\n\n`],
  ['duplicate key: last wins', `VIDEOSDK_SECRET_KEY=first-${S}\nVIDEOSDK_SECRET_KEY=second-${S}\n`],
  ['empty then set', `VIDEOSDK_SECRET_KEY=\nVIDEOSDK_SECRET_KEY=${S}\n`],
  ['set then empty', `VIDEOSDK_SECRET_KEY=${S}\nVIDEOSDK_SECRET_KEY=\n`],
  ['unquoted $HOME is literal', `VIDEOSDK_SECRET_KEY=$HOME-${S}\nB=\${HOME}\n`],
  ['unquoted # cuts the value', `VIDEOSDK_SECRET_KEY=abc#def-${S}\n`],
  ['space then # is a comment', `VIDEOSDK_SECRET_KEY=${S} # the secret\n`],
  ['single-quoted # is kept', `VIDEOSDK_SECRET_KEY='abc#def-${S}'\n`],
  ['double-quoted # is kept', `VIDEOSDK_SECRET_KEY="abc#def-${S}"\n`],
  ['\\n literal unquoted', `VIDEOSDK_SECRET_KEY=a\\nb-${S}\n`],
  ['\\n literal single-quoted', `VIDEOSDK_SECRET_KEY='a\\nb-${S}'\n`],
  ['\\n expanded double-quoted', `VIDEOSDK_SECRET_KEY="a\\nb\\r-${S}"\n`],
  ['backtick quotes are stripped', `VIDEOSDK_SECRET_KEY=\`${S}\`\n`],
  ['quotes inside kept', `VIDEOSDK_SECRET_KEY="it's-\\"quoted\\"-${S}"\nB='say "hi"'\n`],
  ['multi-line double-quoted', `VIDEOSDK_SECRET_KEY="line one\nline two-${S}"\nVIDEOSDK_API_KEY=key\n`],
  ['multi-line single-quoted', `A='one\ntwo'\nVIDEOSDK_SECRET_KEY=${S}\n`],
  ['unterminated double quote', `VIDEOSDK_SECRET_KEY="${S}\nVIDEOSDK_API_KEY=key\n`],
  ['unterminated quote elsewhere', `A="never closed\nVIDEOSDK_SECRET_KEY=${S}\n`],
  ['leading BOM', `\ufeffVIDEOSDK_SECRET_KEY=${S}\nVIDEOSDK_API_KEY=key\n`],
  ['a bad line elsewhere', `this is not a pair\nVIDEOSDK_SECRET_KEY=${S}\n=novalue\n`],
  ['KEY: value', `VIDEOSDK_SECRET_KEY: ${S}\nVIDEOSDK_API_KEY:key\n`],
  ['export prefix', `export VIDEOSDK_SECRET_KEY=${S}\nexport  VIDEOSDK_API_KEY = key\n`],
  ['spaces around = and value', `VIDEOSDK_SECRET_KEY   =    ${S}    \n  VIDEOSDK_API_KEY= key\n`],
  ['tabs', `\tVIDEOSDK_SECRET_KEY\t=\t${S}\t\n`],
  ['spaces inside quotes kept', `VIDEOSDK_SECRET_KEY="  ${S}  "\n`],
  ['empty quoted', `VIDEOSDK_SECRET_KEY=""\nA=''\nB=\n`],
  ['dots and dashes in names', `my.key-name=v\nVIDEOSDK_SECRET_KEY=${S}\n`],
  ['lowercase name is another key', `videosdk_secret_key=${S}\n`],
  ['equals inside value', `VIDEOSDK_SECRET_KEY=a=b=c-${S}\n`],
  ['quote in the middle', `VIDEOSDK_SECRET_KEY=ab"cd-${S}\n`],
  ['escaped quote at the end', `VIDEOSDK_SECRET_KEY="${S}\\"\nA=1\n`],
  ['mismatched quotes', `VIDEOSDK_SECRET_KEY="${S}'\n`],
  ['value then quoted comment', `VIDEOSDK_SECRET_KEY="${S}" # note\n`],
  ['text after closing quote', `VIDEOSDK_SECRET_KEY="${S}"trailing\n`],
  ['unicode value', `VIDEOSDK_SECRET_KEY=clé-secrète-ключ-${S}\n`],
  ['non-breaking spaces trimmed', `VIDEOSDK_SECRET_KEY=\u00a0${S}\u00a0\n`],
  ['VideoSDK example .env', `VIDEOSDK_API_KEY=your_api_key\nVIDEOSDK_SECRET_KEY=your_secret_key\nVIDEOSDK_API_ENDPOINT=https://api.videosdk.live\n`],
  ['only comments', '# nothing\n#VIDEOSDK_SECRET_KEY=x\n'],
  ['empty file', ''],
  ['key with no = at all', `VIDEOSDK_SECRET_KEY\nA=${S}\n`],
  ['two pairs on one line', `A=1 B=2\nVIDEOSDK_SECRET_KEY=${S}\n`],
];

const cases = files.map(([name, text]) => {
  const parsed = dotenv.parse(Buffer.from(text, 'utf8'));
  // Keys as dotenv's object holds them; compared as a map, so the order does not matter.
  return { name, text, parsed };
});

const version = require('dotenv/package.json').version;
const doc = { generator: `dotenv ${version}`, cases };
const out = `${JSON.stringify(doc, null, 2)}\n`;

if (process.argv.includes('--check')) {
  const committed = fs.existsSync(OUT) ? fs.readFileSync(OUT, 'utf8') : '';
  if (committed !== out) {
    console.error('tests/vectors/dotenv.json differs from a fresh run of dotenv.js; run `node dotenv.js` there and commit the result');
    process.exit(1);
  }
  console.log(`dotenv.json matches a fresh run (${cases.length} files)`);
} else {
  fs.writeFileSync(OUT, out);
  console.log(`wrote ${cases.length} .env files to dotenv.json`);
}
