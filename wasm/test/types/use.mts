// Every function of the package, used as a TypeScript program would: compiled by the tests.
import jwt, { sign, createSigner, verify, decode, TokenExpiredError, type Payload } from 'videosdk-token';

const payload: Payload = { apikey: 'key', permissions: ['allow_join'], version: 2, roomId: 'r', roles: ['rtc'] };
const token: string = sign(payload, 'secret', { expiresIn: '120m', algorithm: 'HS256' });
const signer = createSigner(new Uint8Array([1, 2, 3]));
const again: string = signer.sign(payload, { expiresIn: 7200 });
const claims = verify(token, 'secret', { clockTimestamp: 1, clockTolerance: 5 });
const apikey: string | undefined = claims.apikey;
const whole = jwt.verify(again, 'secret', { complete: true });
const alg: string = whole.header.alg;
const unchecked = decode(token, { complete: true });
try {
  verify(token, 'secret');
} catch (e) {
  if (e instanceof TokenExpiredError) {
    const when: Date = e.expiredAt;
    void when;
  }
}
void [apikey, alg, unchecked];
// The callback forms, as jsonwebtoken's callers write them.
sign(payload, 'secret', { expiresIn: '2h' }, (err, signed) => {
  if (err) return;
  const text: string | undefined = signed;
  void text;
});
sign(payload, 'secret', (err) => void err);
verify(token, 'secret', (err, decoded) => {
  const room: unknown = decoded?.roomId;
  void [err, room];
});
verify(token, 'secret', { clockTolerance: 5 }, (err, decoded) => void [err, decoded]);
signer.sign(payload, { expiresIn: 60 }, (err, signed) => void [err, signed]);
