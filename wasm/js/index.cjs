// The CommonJS entry: `const jwt = require('videosdk-token')`, as with jsonwebtoken.
'use strict';
module.exports = require('./index.mjs').default;
