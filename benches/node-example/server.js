#!/usr/bin/env node
// The anchor for `scripts/load-serve.sh`: a token server built the way VideoSDK's Node example
// server is built (express, cors, dotenv, jsonwebtoken; GET /get-token reading roomId and
// peerId, scoping the token with version 2 and roles ["rtc"]), so that both are loaded by the
// same generator on the same machine. Packages pinned by package-lock.json.
'use strict';

require('dotenv').config();
const express = require('express');
const cors = require('cors');
const jwt = require('jsonwebtoken');

const app = express();
app.use(cors());
app.use(express.json());

app.get('/get-token', (req, res) => {
  const { roomId, peerId } = { ...req.query, ...req.body };
  const payload = { apikey: process.env.VIDEOSDK_API_KEY, permissions: ['allow_join'] };
  if (roomId || peerId) {
    payload.version = 2;
    payload.roles = ['rtc'];
  }
  if (roomId) payload.roomId = roomId;
  if (peerId) payload.participantId = peerId;
  const token = jwt.sign(payload, process.env.VIDEOSDK_SECRET_KEY, { expiresIn: '120m', algorithm: 'HS256' });
  res.json({ token });
});

const port = Number(process.env.PORT || 9000);
app.listen(port, '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${port}`));
