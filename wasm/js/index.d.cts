// Types of the CommonJS entry: `const jwt = require('videosdk-token')`.
import type Api from './index.js';
declare const api: typeof Api;
export = api;
