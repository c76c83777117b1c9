"""Checked by `mypy --strict` in the tests: the package's types as a user meets them."""

from __future__ import annotations

from typing import Any

import videosdk_token
from videosdk_token import Claims, Signer, jwt

SECRET = "typed-secret-0123456789abcdef-0123456789"

token: str = videosdk_token.sign("key", ["allow_join"], secret=SECRET, expires_in=3600, room_id="r")
claims: Claims = videosdk_token.verify(token, SECRET, room_id="r", leeway=30)
join: str | None = claims.join
exp: int = claims.exp
payload: dict[str, Any] = videosdk_token.decode(token)
tokens: list[str] = Signer(SECRET, "key").sign_many([{"permissions": ["allow_join"]}])
pyjwt_style: str = jwt.encode({"apikey": "key", "permissions": ["allow_join"], "exp": exp}, SECRET, algorithm="HS256")
read: dict[str, Any] = jwt.decode(pyjwt_style, SECRET, algorithms=["HS256"])
try:
    videosdk_token.verify(token, SECRET + "x")
except videosdk_token.InvalidToken as error:
    kind: str = error.kind
