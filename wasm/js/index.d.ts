// Types of the videosdk-token package (Node entry; `videosdk-token/edge` adds `init`).

/** The VideoSDK claims, as the VideoSDK docs' `jwt.sign` payload holds them. */
export interface Payload {
  apikey: string;
  permissions: Array<'allow_join' | 'ask_join' | 'allow_mod'>;
  version?: 2;
  roomId?: string;
  participantId?: string;
  roles?: Array<'crawler' | 'rtc'>;
  /** Issued at, unix seconds; default: now. */
  iat?: number;
  /** Expires at, unix seconds, when `expiresIn` is not given. */
  exp?: number;
}

export interface SignOptions {
  /** Seconds, or a string the `ms` package reads: "2h", "120m", "1d". */
  expiresIn?: number | string;
  /** Only "HS256". */
  algorithm?: 'HS256';
}

export interface VerifyOptions {
  /** Only tokens whose `alg` is listed pass; HS256 must be among them. */
  algorithms?: string[];
  /** The time to check against, unix seconds; default: now. */
  clockTimestamp?: number;
  /** Seconds of clock skew allowed on `exp` and `nbf`. */
  clockTolerance?: number;
  /** Return `{ header, payload, signature }`. */
  complete?: boolean;
  /** Refuse permission and role names this package does not know. */
  refuseUnknownNames?: boolean;
}

/** The claims of a verified or decoded token, as JSON.parse reads them. */
export interface JwtPayload {
  apikey?: string;
  permissions?: string[];
  version?: number;
  roomId?: string;
  participantId?: string;
  roles?: string[];
  iat?: number;
  exp?: number;
  nbf?: number;
  [claim: string]: unknown;
}

export interface Jwt {
  header: { alg: string; typ?: string; [field: string]: unknown };
  payload: JwtPayload | string;
  signature: string;
}

export type Secret = string | Uint8Array;

export class JsonWebTokenError extends Error {
  name: 'JsonWebTokenError' | 'TokenExpiredError' | 'NotBeforeError';
  inner?: Error;
  /** The core's own words for a refusal ("signature does not match", "token has expired"). */
  reason?: string;
  constructor(message: string, error?: Error);
}
export class TokenExpiredError extends JsonWebTokenError {
  name: 'TokenExpiredError';
  expiredAt: Date;
  constructor(message: string, expiredAt: Date);
}
export class NotBeforeError extends JsonWebTokenError {
  name: 'NotBeforeError';
  date: Date;
  constructor(message: string, date: Date);
}

/** jsonwebtoken's callback: the error, or null and the result, after the call returned. */
export type SignCallback = (error: Error | null, token?: string) => void;
export type VerifyCallback<T = JwtPayload> = (error: JsonWebTokenError | Error | null, decoded?: T) => void;

export interface Signer {
  sign(payload: Payload, options?: SignOptions): string;
  sign(payload: Payload, callback: SignCallback): void;
  sign(payload: Payload, options: SignOptions | undefined, callback: SignCallback): void;
  verify(token: string, options: VerifyOptions & { complete: true }): Jwt;
  verify(token: string, options?: VerifyOptions): JwtPayload;
  verify(token: string, callback: VerifyCallback): void;
  verify(token: string, options: VerifyOptions | undefined, callback: VerifyCallback<JwtPayload | Jwt>): void;
  /** Releases the keyed state now rather than at garbage collection. */
  free(): void;
}

/** `jwt.sign(payload, secret, { expiresIn, algorithm: 'HS256' })`: the same string. */
export function sign(payload: Payload, secret: Secret, options?: SignOptions): string;
/** The callback form: `callback(err, token)` after the call returned, which returns nothing. */
export function sign(payload: Payload, secret: Secret, callback: SignCallback): void;
export function sign(payload: Payload, secret: Secret, options: SignOptions | undefined, callback: SignCallback): void;
/** Keys the secret once. */
export function createSigner(secret: Secret): Signer;
/** `jwt.verify`: the payload, or throws a JsonWebTokenError (or subclass). */
export function verify(token: string, secret: Secret, options: VerifyOptions & { complete: true }): Jwt;
export function verify(token: string, secret: Secret, options?: VerifyOptions): JwtPayload;
/** The callback form: `callback(err, payload)` after the call returned, which returns nothing. */
export function verify(token: string, secret: Secret, callback: VerifyCallback): void;
export function verify(
  token: string,
  secret: Secret,
  options: VerifyOptions | undefined,
  callback: VerifyCallback<JwtPayload | Jwt>,
): void;
/** `jwt.decode`: unchecked; null when the text is not a JWS. */
export function decode(token: string, options: { complete: true; json?: boolean }): Jwt | null;
export function decode(token: string, options?: { complete?: false; json?: boolean }): JwtPayload | string | null;

declare const api: {
  sign: typeof sign;
  createSigner: typeof createSigner;
  verify: typeof verify;
  decode: typeof decode;
  JsonWebTokenError: typeof JsonWebTokenError;
  TokenExpiredError: typeof TokenExpiredError;
  NotBeforeError: typeof NotBeforeError;
};
export default api;
