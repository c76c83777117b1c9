"""The package's own API: sign, Signer, sign_many, verify with access answers, decode; errors
that name what is wrong and never show the secret."""

from __future__ import annotations

import threading
import time

import pytest

import videosdk_token
from videosdk_token import InvalidClaims, InvalidToken, Signer

SECRET = "python-secret-0123456789abcdef-0123456789"
IAT = 1_764_370_800


def test_sign_verify_and_access() -> None:
    token = videosdk_token.sign(
        "key", ["allow_join", "allow_mod"], secret=SECRET, iat=IAT, expires_in="30m",
        room_id="abcd-efgh-ijkl", participant_id="alice", roles=["rtc"],
    )
    claims = videosdk_token.verify(token, SECRET, now=IAT + 60, room_id="abcd-efgh-ijkl", participant_id="alice")
    assert (claims.apikey, claims.exp, claims.version, claims.join) == ("key", IAT + 1800, 2, "directly")
    assert claims.permissions == ["allow_join", "allow_mod"] and claims.roles == ["rtc"]
    assert claims.allows_meetings and not claims.allows_server_api
    with pytest.raises(InvalidToken) as other_room:
        videosdk_token.verify(token, SECRET, now=IAT + 60, room_id="other")
    assert other_room.value.kind == "OtherRoom"
    with pytest.raises(InvalidToken) as expired:
        videosdk_token.verify(token, SECRET, now=IAT + 1800)
    assert expired.value.kind == "Expired"
    assert videosdk_token.verify(token, SECRET, now=IAT + 1800, leeway=1).exp == IAT + 1800
    assert videosdk_token.decode(token)["participantId"] == "alice"


def test_bad_input_is_named_and_the_secret_never_shown() -> None:
    for call, words in [
        (lambda: videosdk_token.sign("key", ["allow_everything"], secret=SECRET), "unknown permission"),
        (lambda: videosdk_token.sign("", ["allow_join"], secret=SECRET), "apikey is empty"),
        (lambda: videosdk_token.sign("key", ["allow_join"], secret=SECRET, expires_in="soon"), "expires_in"),
        (lambda: videosdk_token.sign("key", ["allow_join"], secret=SECRET, version=3), "version"),
        (lambda: videosdk_token.sign("key", ["allow_join"], secret=""), "secret"),
    ]:
        with pytest.raises(InvalidClaims) as refused:
            call()
        assert words.lower() in str(refused.value).lower()
        assert SECRET not in str(refused.value)
    signer = Signer(SECRET, "key")
    assert SECRET not in repr(signer)
    with pytest.raises(InvalidToken) as bad:
        videosdk_token.verify("not.a.token", SECRET)
    assert SECRET not in str(bad.value)
    with pytest.raises(TypeError):
        videosdk_token.sign("key", "allow_join", secret=SECRET)  # type: ignore[arg-type]


def test_signer_and_sign_many_agree_with_sign() -> None:
    signer = Signer(SECRET, "key")
    one = videosdk_token.sign("key", ["allow_join"], secret=SECRET, iat=IAT, room_id="r")
    assert signer.sign(["allow_join"], iat=IAT, room_id="r") == one
    many = signer.sign_many([{"permissions": ["allow_join"], "iat": IAT, "room_id": "r"}] * 3)
    assert many == [one] * 3
    with pytest.raises(InvalidClaims, match="request 1"):
        signer.sign_many([{"permissions": ["allow_join"]}, {"permissions": ["nope"]}])
    with pytest.raises(TypeError, match="roomId"):
        signer.sign_many([{"permissions": ["allow_join"], "roomId": "r"}])


def test_sign_many_lets_other_threads_run() -> None:
    signer = Signer(SECRET, "key")
    requests = [{"permissions": ["allow_join"], "iat": IAT, "participant_id": f"p{i}"} for i in range(300_000)]
    ticks = 0
    done = threading.Event()

    def count() -> None:
        nonlocal ticks
        while not done.is_set():
            ticks += 1
            time.sleep(0)

    counter = threading.Thread(target=count)
    counter.start()
    before = ticks
    started = time.perf_counter()
    tokens = signer.sign_many(requests)
    elapsed = time.perf_counter() - started
    done.set()
    counter.join()
    assert len(tokens) == len(requests) and len(set(tokens)) == len(requests)
    # With the GIL held for the whole call the counter could not run; released, it ticks.
    assert ticks - before > 100, (ticks - before, elapsed)
