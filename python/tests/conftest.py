"""Shared by the tests: the repository's golden vectors (made by Node's jsonwebtoken, see
tests/vectors/generate.js) and a Node process signing as `jwt.sign` does."""

from __future__ import annotations

import json
import pathlib
import subprocess
from typing import Any

ROOT = pathlib.Path(__file__).resolve().parents[2]
VECTORS: dict[str, Any] = json.loads((ROOT / "tests" / "vectors" / "vectors.json").read_text())

# Reads [payload, secret] JSON lines, writes jwt.sign(payload, secret) for each: the Node
# package pinned by tests/vectors/package-lock.json.
_NODE_SIGNER = """
const jwt = require('jsonwebtoken');
const lines = require('fs').readFileSync(0, 'utf8').split('\\n').filter(Boolean);
for (const line of lines) {
  const [payload, secret] = JSON.parse(line);
  process.stdout.write(jwt.sign(payload, secret, { algorithm: 'HS256' }) + '\\n');
}
"""


def node_sign(requests: list[tuple[dict[str, Any], str]]) -> list[str]:
    """Tokens Node's jwt.sign makes for each (payload, secret)."""
    lines = "".join(json.dumps([p, s]) + "\n" for p, s in requests)
    out = subprocess.run(
        ["node", "-e", _NODE_SIGNER],
        input=lines,
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT / "tests" / "vectors",
    )
    return out.stdout.splitlines()
