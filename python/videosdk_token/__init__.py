"""Make and check VideoSDK meeting access tokens (HS256 JWTs).

Tokens are byte for byte what Node's ``jsonwebtoken`` makes; the checks are the Rust core's,
the same as the ``videosdk-token`` command line and the npm package. ``videosdk_token.jwt`` is
the PyJWT-shaped layer (``encode``, ``decode`` and PyJWT's exception names).
"""

from __future__ import annotations

import base64
import json
from typing import Any

from ._native import Claims, InvalidClaims, InvalidToken, Signer, TokenError, sign, verify
from ._native import check_form as _check_form

__all__ = [
    "Claims",
    "InvalidClaims",
    "InvalidToken",
    "Signer",
    "TokenError",
    "decode",
    "sign",
    "verify",
]


def decode(token: str) -> dict[str, Any]:
    """The payload of ``token`` WITHOUT checking its signature or times: anyone can write
    these claims. The core's form checks still apply (three base64url segments, an object
    payload, VideoSDK claims of the right types); a token that fails them raises
    ``InvalidToken``."""
    _check_form(token)
    return _payload(token)


def _payload(token: str) -> dict[str, Any]:
    segment = token.split(".")[1]
    data = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    payload: dict[str, Any] = json.loads(data)
    return payload
