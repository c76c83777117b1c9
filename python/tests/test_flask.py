"""The Flask token route runs with one import changed: before (PyJWT) and after
(videosdk_token.jwt) it answers the same token, and each library verifies the other's."""

from __future__ import annotations

import pathlib
import types

import jwt as pyjwt

import videosdk_token
from videosdk_token import jwt

SOURCE = (pathlib.Path(__file__).parent / "flask_app.py").read_text()
SWAPPED = SOURCE.replace("\nimport jwt\n", "\nfrom videosdk_token import jwt\n")


def load(name: str, source: str) -> types.ModuleType:
    module = types.ModuleType(name)
    exec(compile(source, name, "exec"), module.__dict__)  # noqa: S102
    return module


def test_one_line_changes() -> None:
    before, after = SOURCE.splitlines(), SWAPPED.splitlines()
    assert len(before) == len(after)
    assert [(b, a) for b, a in zip(before, after) if b != a] == [("import jwt", "from videosdk_token import jwt")]


def test_the_token_route_answers_the_same_before_and_after() -> None:
    original, swapped = load("original", SOURCE), load("swapped", SWAPPED)
    assert original.jwt is pyjwt and swapped.jwt is jwt
    for _ in range(3):  # the two answers must fall in the same second to be equal
        theirs = original.app.test_client().get("/get-token").get_json()["token"]
        ours = swapped.app.test_client().get("/get-token").get_json()["token"]
        if pyjwt.decode(theirs, options={"verify_signature": False})["exp"] == jwt.decode(ours, options={"verify_signature": False})["exp"]:
            break
    assert ours == theirs
    secret = original.VIDEOSDK_SECRET_KEY
    assert jwt.decode(theirs, secret, algorithms=["HS256"]) == pyjwt.decode(ours, secret, algorithms=["HS256"])
    claims = videosdk_token.verify(ours, secret)
    assert claims.allows_meetings and claims.allows_server_api and claims.version == 2
