"""PyJWT and this layer agree: every token PyJWT makes for a VideoSDK payload gets the same
verdict from both decoders (or a refusal the guide's "Stricter than Node" table lists), and
PyJWT decodes every token this layer makes to the same payload."""

from __future__ import annotations

import time
from typing import Any

import jwt as pyjwt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from videosdk_token import jwt

SECRET = "python-secret-0123456789abcdef-0123456789"
NOW = int(time.time())

ids = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=16)
videosdk_payloads = st.fixed_dictionaries(
    {
        "apikey": ids,
        "permissions": st.lists(st.sampled_from(["allow_join", "ask_join", "allow_mod"]), min_size=1, max_size=3, unique=True),
        # exp, nbf and iat stay a minute from now either way, so that the two decoders, a few
        # microseconds apart, read the same clock.
        "iat": st.one_of(st.integers(NOW - 10_000, NOW - 60), st.integers(NOW + 60, NOW + 1000)),
        "exp": st.one_of(st.integers(NOW - 10_000, NOW - 60), st.integers(NOW + 60, NOW + 10_000)),
    },
    optional={
        "version": st.just(2),
        "roomId": ids,
        "participantId": ids,
        "roles": st.lists(st.sampled_from(["rtc", "crawler"]), min_size=1, max_size=2, unique=True),
        "nbf": st.one_of(st.integers(NOW - 1000, NOW - 60), st.integers(NOW + 60, NOW + 1000)),
    },
).map(lambda p: p | {"version": 2} if any(k in p for k in ("roomId", "participantId", "roles")) else p).filter(
    # A token both expired and not yet valid gets either refusal: PyJWT checks nbf and iat
    # first, the core exp first.
    lambda p: max(p.get("nbf", 0), p["iat"]) <= p["exp"]
)

PYJWT_TO_OURS: dict[type[Exception], type[Exception]] = {
    pyjwt.ExpiredSignatureError: jwt.ExpiredSignatureError,
    pyjwt.ImmatureSignatureError: jwt.ImmatureSignatureError,
    pyjwt.InvalidSignatureError: jwt.InvalidSignatureError,
}


def verdict(decode: Any, token: str, secret: str, errors: type[Exception]) -> Any:
    try:
        return decode(token, secret, algorithms=["HS256"])
    except errors as error:
        return type(error)


@settings(max_examples=300, deadline=None)
@given(videosdk_payloads, st.booleans())
def test_tokens_pyjwt_makes_get_pyjwts_verdict(payload: dict[str, Any], right_secret: bool) -> None:
    token = pyjwt.encode(payload, SECRET, algorithm="HS256")
    secret = SECRET if right_secret else SECRET + "x"
    theirs = verdict(pyjwt.decode, token, secret, pyjwt.PyJWTError)
    ours = verdict(jwt.decode, token, secret, jwt.PyJWTError)
    if isinstance(theirs, dict):
        assert ours == theirs
    else:
        assert ours is PYJWT_TO_OURS[theirs], (payload, theirs, ours)


@settings(max_examples=300, deadline=None)
@given(videosdk_payloads)
def test_pyjwt_decodes_what_this_layer_encodes(payload: dict[str, Any]) -> None:
    token = jwt.encode(payload, SECRET, algorithm="HS256")
    read = pyjwt.decode(token, SECRET, algorithms=["HS256"], options={"verify_exp": False, "verify_nbf": False, "verify_iat": False})
    assert read == payload


@pytest.mark.parametrize(
    ("payload", "refusal"),
    [
        ({"permissions": ["allow_join"], "exp": NOW + 60}, "MissingClaim"),
        ({"apikey": "k", "permissions": ["allow_join"], "exp": NOW + 60, "iat": NOW + 0.5}, "WrongClaimType"),
        ({"apikey": "k", "permissions": ["allow_join"], "exp": NOW + 60, "version": 3, "roomId": "r"}, "VersionRequired"),
        ({"apikey": "k", "permissions": ["allow_join"]}, "MissingClaim"),
    ],
)
def test_what_pyjwt_accepts_and_the_contract_refuses_is_named(payload: dict[str, Any], refusal: str) -> None:
    token = pyjwt.encode(payload, SECRET, algorithm="HS256")
    assert pyjwt.decode(token, SECRET, algorithms=["HS256"]) == payload
    with pytest.raises(jwt.VideoSDKClaimsError):
        jwt.decode(token, SECRET, algorithms=["HS256"])


def test_pyjwts_argument_rules() -> None:
    token = jwt.encode({"apikey": "k", "permissions": ["allow_join"], "exp": NOW + 60, "aud": "a"}, SECRET)
    with pytest.raises(jwt.DecodeError, match="algorithms"):
        jwt.decode(token, SECRET)
    with pytest.raises(jwt.InvalidAlgorithmError):
        jwt.decode(token, SECRET, algorithms=["RS256"])
    with pytest.raises(jwt.InvalidAudienceError):
        jwt.decode(token, SECRET, algorithms=["HS256"])
    assert jwt.decode(token, SECRET, algorithms=["HS256"], audience="a")["aud"] == "a"
    with pytest.raises(jwt.MissingRequiredClaimError) as missing:
        jwt.decode(token, SECRET, algorithms=["HS256"], audience="a", options={"require": ["sub"]})
    assert missing.value.claim == "sub"
    assert jwt.decode(token, "wrong", options={"verify_signature": False})["aud"] == "a"
    with pytest.raises(NotImplementedError):
        jwt.encode({"a": 1}, SECRET, algorithm="HS512")
    with pytest.raises(TypeError):
        jwt.encode([1], SECRET)  # type: ignore[arg-type]
