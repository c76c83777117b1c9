"""jwt.encode makes the bytes Node's jwt.sign makes, over random payloads in random key order:
text in any script (control characters, lone surrogates, U+2028), integers up to 2^64,
fractions, nesting, and keys JavaScript reorders (integer-like ones come first)."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from videosdk_token import jwt

from conftest import node_sign

SECRET = "python-secret-0123456789abcdef-0123456789"

text = st.text(max_size=12)
keys = st.one_of(text, st.integers(0, 10**10).map(str), st.sampled_from(["roomId", "exp", "0", "01", "-1", "4294967295"]))
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**64), 2**64),
    st.floats(allow_nan=False, allow_infinity=False),
    text,
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=4)),
    max_leaves=8,
)
payloads = st.dictionaries(keys, values, max_size=8).map(
    # jwt.sign checks these claims' types; iat keeps Node from adding the time.
    lambda d: {k: v for k, v in d.items() if k not in ("exp", "nbf", "iat")} | {"iat": 1_700_000_000}
)


# 40 batches of 25: a thousand payloads, one Node process a batch.
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.data_too_large, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(st.lists(payloads, min_size=25, max_size=25))
def test_a_thousand_random_payloads_are_signed_as_node_signs_them(batch: list[dict[str, Any]]) -> None:
    expected = node_sign([(p, SECRET) for p in batch])
    for payload, token in zip(batch, expected):
        assert jwt.encode(payload, SECRET, algorithm="HS256") == token, payload
