"""Signing and verifying against PyJWT, in one process: rounds interleaved, medians, and the
ratio of each case to PyJWT's in the same run. Exits 1 when `sign` or `verify` is under 10x
PyJWT's rate (the goal), so the test command can run it as a gate.

    python python/bench/bench.py            # 5 rounds of 0.5 s
    python python/bench/bench.py --quick    # 3 rounds of 0.1 s (the test command)
"""

from __future__ import annotations

import statistics
import sys
import time
from typing import Callable

import jwt as pyjwt

import videosdk_token
from videosdk_token import jwt

SECRET = "bench-secret-0123456789abcdef-0123456789"
QUICK = "--quick" in sys.argv
ROUNDS, ROUND_S = (3, 0.1) if QUICK else (5, 0.5)
GOAL = 10.0

now = int(time.time())
payload = {
    "apikey": "b5a3f0e2-6c1d-4c5e-9f3a-1d2e3f4a5b6c",
    "permissions": ["allow_join"],
    "version": 2,
    "roomId": "abcd-efgh-ijkl",
    "participantId": "p-0042",
    "roles": ["crawler", "rtc"],
    "iat": now,
    "exp": now + 7200,
}
token = pyjwt.encode(payload, SECRET, algorithm="HS256")
assert jwt.encode(payload, SECRET) == token and jwt.decode(token, SECRET, algorithms=["HS256"]) == payload

cases: dict[str, Callable[[], object]] = {
    "PyJWT encode": lambda: pyjwt.encode(payload, SECRET, algorithm="HS256"),
    "videosdk_token.jwt.encode": lambda: jwt.encode(payload, SECRET, algorithm="HS256"),
    "videosdk_token.sign": lambda: videosdk_token.sign(
        payload["apikey"], ["allow_join"], secret=SECRET, room_id="abcd-efgh-ijkl",
        participant_id="p-0042", roles=["crawler", "rtc"],
    ),
    "PyJWT decode": lambda: pyjwt.decode(token, SECRET, algorithms=["HS256"]),
    "videosdk_token.jwt.decode": lambda: jwt.decode(token, SECRET, algorithms=["HS256"]),
    "videosdk_token.verify": lambda: videosdk_token.verify(token, SECRET),
}


def rate(fn: Callable[[], object]) -> float:
    n, start = 0, time.perf_counter()
    end = start + ROUND_S
    while (now := time.perf_counter()) < end:
        for _ in range(32):
            fn()
        n += 32
    return n / (now - start)


for fn in cases.values():
    rate(fn)
rates: dict[str, list[float]] = {name: [] for name in cases}
for _ in range(ROUNDS):
    for name, fn in cases.items():
        rates[name].append(rate(fn))
median = {name: statistics.median(r) for name, r in rates.items()}
print(f"{ROUNDS} rounds of {ROUND_S} s, medians")
for name, ops in median.items():
    anchor = median["PyJWT decode" if "decode" in name or "verify" in name else "PyJWT encode"]
    print(f"{name:28} {ops:12,.0f} ops/s  {ops / anchor:5.1f}x PyJWT")
sign_ratio = median["videosdk_token.sign"] / median["PyJWT encode"]
verify_ratio = median["videosdk_token.verify"] / median["PyJWT decode"]
if min(sign_ratio, verify_ratio) < GOAL:
    print(f"under the goal of {GOAL}x PyJWT: sign {sign_ratio:.1f}x, verify {verify_ratio:.1f}x")
    sys.exit(1)
