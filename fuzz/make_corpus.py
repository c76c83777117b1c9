#!/usr/bin/env python3
"""Writes the seed corpus of the fuzz targets from the golden vectors that Node's
jsonwebtoken made (tests/vectors/vectors.json): every token, with tampered, truncated and
re-segmented variants, for `verify` and `decode_unverified`; every duration string, with an
issued-at time, for `duration`. Run from anywhere: python3 fuzz/make_corpus.py"""

import hashlib
import json
import pathlib
import struct

ROOT = pathlib.Path(__file__).resolve().parent
VECTORS = json.loads((ROOT.parent / "tests" / "vectors" / "vectors.json").read_text())


def write(target, data):
    folder = ROOT / "corpus" / target
    folder.mkdir(parents=True, exist_ok=True)
    (folder / hashlib.sha1(data).hexdigest()).write_bytes(data)


tokens = [v["token"] for v in VECTORS["vectors"]] + [c["token"] for c in VECTORS["verify"]]
for token in tokens:
    header, payload, signature = (token.split(".") + ["", ""])[:3]
    variants = [
        token,
        token[: len(token) // 2],
        f"{payload}.{header}.{signature}",
        f"{header}.{payload}.",
        token + "=",
        token.replace("e", "f", 1),
    ]
    for variant in variants:
        for target in ("verify", "decode_unverified"):
            write(target, variant.encode())

durations = {v["expiresIn"] for v in VECTORS["vectors"] if isinstance(v["expiresIn"], str)}
durations |= {r["text"] for r in VECTORS["ms"]}
durations |= {d["expiresIn"] for d in VECTORS["differences"]}
for text in sorted(durations):
    write("duration", struct.pack("<Q", 1_700_000_000) + text.encode())
