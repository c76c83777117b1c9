// Bad input to `sign`: where jsonwebtoken throws, we throw its error (name and message); where
// it signs a payload that is not a VideoSDK token (no apikey, permissions as a string, an
// unknown claim, no expiry), we throw a message that names what is wrong.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sign } from '../js/index.mjs';
import { jwt, outcome } from './helpers.mjs';

const SECRET = 'errors-secret-0123456789abcdef-0123456789';
const payload = () => ({ apikey: 'key', permissions: ['allow_join'], iat: 1700000000 });

test('where jsonwebtoken refuses, the same error', () => {
  const cases = [
    ['expiresIn banana', payload(), SECRET, { expiresIn: 'banana' }],
    ['expiresIn empty', payload(), SECRET, { expiresIn: '' }],
    ['expiresIn an object', payload(), SECRET, { expiresIn: {} }],
    ['expiresIn true', payload(), SECRET, { expiresIn: true }],
    ['expiresIn fractional seconds', payload(), SECRET, { expiresIn: 1.5 }],
    ['an unknown option', payload(), SECRET, { expiresIn: '2h', colour: 'blue' }],
    ['an empty secret', payload(), '', { expiresIn: '2h' }],
    ['no secret', payload(), undefined, { expiresIn: '2h' }],
    ['no payload', undefined, SECRET, { expiresIn: '2h' }],
    ['exp and expiresIn', { ...payload(), exp: 1700007200 }, SECRET, { expiresIn: '2h' }],
    ['a string payload', 'apikey', SECRET, { expiresIn: '2h' }],
    ['a number payload', 42, SECRET, { expiresIn: '2h' }],
    ['a Buffer payload', Buffer.from('x'), SECRET, { expiresIn: '2h' }],
    ['a number secret', payload(), 42, { expiresIn: '2h' }],
    ['an object secret', payload(), {}, { expiresIn: '2h' }],
    ['an array payload', [1], SECRET, { expiresIn: '2h' }],
    ['a null payload', null, SECRET, { expiresIn: '2h' }],
    ['two problems: the claim type first', { ...payload(), exp: 'x', colour: 1 }, SECRET, {}],
    ['iat a string', { ...payload(), iat: 'x' }, SECRET, { expiresIn: '2h' }],
  ];
  for (const [name, p, secret, options] of cases) {
    const node = outcome(() => jwt.sign(p, secret, { ...options, algorithm: 'HS256' }));
    assert.ok(node.threw, `${name}: jsonwebtoken accepted it`);
    assert.deepEqual(outcome(() => sign(p, secret, options)), node, name);
  }
});

test('where jsonwebtoken would sign something that is not a VideoSDK token, a precise error', () => {
  const cases = [
    ['no apikey', { permissions: ['allow_join'] }, { expiresIn: '2h' }, /"apikey" is required/],
    ['apikey a number', { apikey: 7, permissions: ['allow_join'] }, { expiresIn: '2h' }, /"apikey" is required/],
    ['no permissions', { apikey: 'k' }, { expiresIn: '2h' }, /"permissions" is required/],
    ['permissions a string', { apikey: 'k', permissions: 'allow_join' }, { expiresIn: '2h' }, /"permissions" should be an array/],
    ['an unknown permission', { apikey: 'k', permissions: ['allow_all'] }, { expiresIn: '2h' }, /"permissions" holds "allow_all"/],
    ['a permission twice', { apikey: 'k', permissions: ['allow_join', 'allow_join'] }, { expiresIn: '2h' }, /listed twice/],
    ['empty permissions', { apikey: 'k', permissions: [] }, { expiresIn: '2h' }, /permissions are empty/],
    ['an unknown role', { apikey: 'k', permissions: ['allow_join'], roles: ['PUBLISHER'] }, { expiresIn: '2h' }, /"roles" holds "PUBLISHER"/],
    ['version 3', { apikey: 'k', permissions: ['allow_join'], version: 3 }, { expiresIn: '2h' }, /"version" should be 2/],
    ['roomId a number', { apikey: 'k', permissions: ['allow_join'], roomId: 5 }, { expiresIn: '2h' }, /"roomId" should be a string/],
    ['an empty roomId', { apikey: 'k', permissions: ['allow_join'], roomId: '' }, { expiresIn: '2h' }, /roomId is empty/],
    ['an empty roomId, any order', { roomId: '', apikey: 'k', permissions: ['allow_join'] }, { expiresIn: '2h' }, /roomId is empty/],
    ['a lone surrogate', { apikey: 'k\ud800', permissions: ['allow_join'] }, { expiresIn: '2h' }, /not well-formed/],
    ['an unknown claim', { apikey: 'k', permissions: ['allow_join'], sub: 'x' }, { expiresIn: '2h' }, /"sub" is not a VideoSDK claim/],
    ['no expiry', { apikey: 'k', permissions: ['allow_join'] }, {}, /"expiresIn" is required/],
    ['a negative lifetime', { apikey: 'k', permissions: ['allow_join'] }, { expiresIn: -60 }, /^"expiresIn" must be at least 1 second: the token would expire as it is issued$/],
    ['a zero lifetime', { apikey: 'k', permissions: ['allow_join'] }, { expiresIn: 0 }, /^"expiresIn" must be at least 1 second: the token would expire as it is issued$/],
    ['a zero lifetime as text', { apikey: 'k', permissions: ['allow_join'] }, { expiresIn: '0s' }, /^"expiresIn" must be at least 1 second: the token would expire as it is issued$/],
    ['exp before iat', { apikey: 'k', permissions: ['allow_join'], iat: 100, exp: 50 }, {}, /^"expiresIn" must be at least 1 second: the token would expire as it is issued$/],
    ['iat fractional', { apikey: 'k', permissions: ['allow_join'], iat: 1.5 }, { expiresIn: '2h' }, /"iat" should be a whole number/],
    ['a string payload without expiresIn', 'apikey', {}, /plain object/],
    ['algorithm none', { apikey: 'k', permissions: ['allow_join'] }, { expiresIn: '2h', algorithm: 'none' }, /"algorithm" must be "HS256"/],
    ['an unsupported option', { apikey: 'k', permissions: ['allow_join'] }, { expiresIn: '2h', audience: 'x' }, /"audience" is not supported/],
  ];
  for (const [name, p, options, message] of cases) {
    assert.throws(() => sign(p, SECRET, options), { name: 'Error', message }, name);
  }
});
