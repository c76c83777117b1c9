"""PyJWT's ``encode`` and ``decode`` for VideoSDK tokens, with PyJWT's exception names.

``from videosdk_token import jwt`` in place of ``import jwt``: ``jwt.encode(payload, key,
algorithm="HS256")`` returns the bytes Node's ``jwt.sign`` makes for the payload (PyJWT
escapes non-ASCII text and writes numbers as Python does, so its tokens differ from Node's),
and ``jwt.decode(token, key, algorithms=["HS256"])`` checks the token with the Rust core: the
signature in constant time, ``exp`` and ``nbf``, and the VideoSDK claims, refusing what the
"Stricter than Node" table of the guide lists with :class:`VideoSDKClaimsError`.

HS256 is the only algorithm. What this layer cannot do as PyJWT does (another algorithm,
extra header fields, a custom JSON encoder, turning off single checks other than the
signature) raises ``NotImplementedError`` rather than doing something else.
"""

from __future__ import annotations

import base64
import binascii
import json
import time
from calendar import timegm
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Optional, Union

from . import _native

__all__ = [
    "DecodeError",
    "ExpiredSignatureError",
    "ImmatureSignatureError",
    "InvalidAlgorithmError",
    "InvalidAudienceError",
    "InvalidIssuerError",
    "InvalidKeyError",
    "InvalidSignatureError",
    "InvalidTokenError",
    "MissingRequiredClaimError",
    "PyJWTError",
    "VideoSDKClaimsError",
    "decode",
    "encode",
]


class PyJWTError(Exception):
    """Base of every error of this module, as in PyJWT."""


class InvalidTokenError(PyJWTError):
    pass


class DecodeError(InvalidTokenError):
    pass


class InvalidSignatureError(DecodeError):
    pass


class ExpiredSignatureError(InvalidTokenError):
    pass


class ImmatureSignatureError(InvalidTokenError):
    pass


class InvalidAudienceError(InvalidTokenError):
    pass


class InvalidIssuerError(InvalidTokenError):
    pass


class InvalidAlgorithmError(InvalidTokenError):
    pass


class InvalidKeyError(PyJWTError):
    pass


class MissingRequiredClaimError(InvalidTokenError):
    def __init__(self, claim: str) -> None:
        self.claim = claim
        super().__init__(f'Token is missing the "{claim}" claim')


class VideoSDKClaimsError(InvalidTokenError):
    """A token PyJWT would accept that breaks the VideoSDK token contract (no ``apikey``, a
    fractional time, ``version`` other than 2, ...): the guide's "Stricter than Node" table."""


Key = Union[str, bytes]

_TIME_CLAIMS = ("exp", "iat", "nbf")
_FORM = {"Malformed", "BadBase64", "BadJson", "JsonTooDeep", "BadHeader", "TokenTooLong"}
_SIGNATURE_ONLY = {"verify_signature", "require", "verify_aud", "verify_iss", "verify_iat"}


def encode(
    payload: Mapping[str, Any],
    key: Key,
    algorithm: Optional[str] = "HS256",
    headers: Optional[Mapping[str, Any]] = None,
    json_encoder: Optional[type[json.JSONEncoder]] = None,
    sort_headers: bool = True,
) -> str:
    """The token for ``payload`` under ``{"alg":"HS256","typ":"JWT"}``: Node's bytes.

    ``exp``, ``iat`` and ``nbf`` given as ``datetime`` become whole seconds as PyJWT makes
    them; nothing is added (no ``iat``), as in PyJWT."""
    if not isinstance(payload, Mapping):
        raise TypeError("Expecting a dict object, as JWT only supports JSON objects as payloads.")
    if algorithm != "HS256":
        raise NotImplementedError(f"Algorithm {algorithm!r} is not supported: HS256 only")
    if headers and dict(headers) not in ({"alg": "HS256"}, {"typ": "JWT"}, {"alg": "HS256", "typ": "JWT"}):
        raise NotImplementedError('the header is always {"alg":"HS256","typ":"JWT"}')
    if json_encoder is not None:
        raise NotImplementedError("payloads are written as JSON.stringify writes them")
    claims = dict(payload)
    for name in _TIME_CLAIMS:
        value = claims.get(name)
        if isinstance(value, datetime):
            claims[name] = timegm(value.utctimetuple())
    try:
        return _native.sign_payload(claims, key)
    except _native.InvalidClaims as error:
        raise InvalidKeyError(str(error)) from None


def decode(
    jwt: Union[str, bytes],
    key: Key = "",
    algorithms: Optional[Sequence[str]] = None,
    options: Optional[Mapping[str, Any]] = None,
    audience: Optional[Union[str, Iterable[str]]] = None,
    issuer: Optional[Union[str, Sequence[str]]] = None,
    leeway: Union[float, timedelta] = 0,
    **kwargs: Any,
) -> dict[str, Any]:
    """The payload of a token this layer (or Node, or PyJWT) signed, checked as PyJWT checks
    it and as the VideoSDK contract requires; PyJWT's exceptions on refusal."""
    if kwargs:
        raise TypeError(f"unexpected arguments: {', '.join(sorted(kwargs))}")
    token = jwt.decode("ascii") if isinstance(jwt, bytes) else jwt
    if not isinstance(token, str):
        raise DecodeError(f"Invalid token type. Token must be a {str}")
    options = dict(options or {})
    unknown = {k for k, v in options.items() if v is not True and k not in _SIGNATURE_ONLY}
    if unknown:
        raise NotImplementedError(f"options {sorted(unknown)}: only the signature check can be turned off")
    if options.get("verify_signature", True) is False:
        return _unverified(token)
    if algorithms is None:
        raise DecodeError('It is required that you pass in a value for the "algorithms" argument when calling decode().')
    header = _segment(token, 0)
    if header.get("alg") not in algorithms:
        raise InvalidAlgorithmError("The specified alg value is not allowed")
    seconds = leeway.total_seconds() if isinstance(leeway, timedelta) else leeway
    try:
        _native.verify_payload(token, key, leeway=max(0, int(seconds)))
    except _native.InvalidToken as error:
        raise _pyjwt_error(error) from None
    except _native.InvalidClaims as error:
        raise InvalidKeyError(str(error)) from None
    payload = _segment(token, 1)
    # PyJWT also refuses a token issued in the future; the core does not read iat.
    if options.get("verify_iat", True) and isinstance(payload.get("iat"), int):
        if payload["iat"] > time.time() + seconds:
            raise ImmatureSignatureError("The token is not yet valid (iat)")
    for claim in options.get("require", []):
        if claim not in payload:
            raise MissingRequiredClaimError(claim)
    if options.get("verify_aud", True):
        _check_audience(payload, audience)
    if options.get("verify_iss", True) and issuer is not None:
        if "iss" not in payload:
            raise MissingRequiredClaimError("iss")
        allowed = [issuer] if isinstance(issuer, str) else list(issuer)
        if payload["iss"] not in allowed:
            raise InvalidIssuerError("Invalid issuer")
    return payload


def _pyjwt_error(error: Exception) -> InvalidTokenError:
    kind = getattr(error, "kind", "")
    if kind == "Expired":
        return ExpiredSignatureError("Signature has expired")
    if kind == "NotYetValid":
        return ImmatureSignatureError("The token is not yet valid (nbf)")
    if kind == "BadSignature":
        return InvalidSignatureError("Signature verification failed")
    if kind == "WrongAlgorithm":
        return InvalidAlgorithmError("The specified alg value is not allowed")
    if kind in _FORM:
        return DecodeError(str(error))
    return VideoSDKClaimsError(str(error))


def _check_audience(payload: Mapping[str, Any], audience: Optional[Union[str, Iterable[str]]]) -> None:
    if audience is None:
        if "aud" in payload:
            raise InvalidAudienceError("Invalid audience")
        return
    if "aud" not in payload:
        raise MissingRequiredClaimError("aud")
    claimed = payload["aud"]
    claimed = [claimed] if isinstance(claimed, str) else claimed
    wanted = [audience] if isinstance(audience, str) else list(audience)
    if not any(a in claimed for a in wanted):
        raise InvalidAudienceError("Audience doesn't match")


def _segment(token: str, index: int) -> dict[str, Any]:
    parts = token.split(".")
    if len(parts) != 3:
        raise DecodeError("Not enough segments")
    try:
        text = base64.urlsafe_b64decode(parts[index] + "=" * (-len(parts[index]) % 4))
        value = json.loads(text)
    except (binascii.Error, ValueError) as error:
        raise DecodeError(f"Invalid segment: {error}") from None
    if not isinstance(value, dict):
        raise DecodeError("Invalid payload string: must be a json object")
    return value


def _unverified(token: str) -> dict[str, Any]:
    _segment(token, 0)
    return _segment(token, 1)
