"""The Python examples of README.md, docs/python.md and python/README.md run as written."""

from __future__ import annotations

import re
import time

import pytest

from conftest import ROOT

BLOCKS = [
    (page, block)
    for page in ("README.md", "docs/python.md", "python/README.md")
    for block in re.findall(r"```python\n(.*?)```", (ROOT / page).read_text(), re.S)
]


@pytest.mark.parametrize(("page", "block"), BLOCKS, ids=[f"{p}:{i}" for i, (p, _) in enumerate(BLOCKS)])
def test_the_example_runs(page: str, block: str) -> None:
    names = {
        "SECRET": "docs-secret-0123456789abcdef-0123456789",
        "API_KEY": "docs-api-key",
        "expiration": int(time.time()) + 600,
    }
    exec(compile(block, page, "exec"), names)  # noqa: S102


def test_every_page_has_examples() -> None:
    assert {page for page, _ in BLOCKS} == {"README.md", "docs/python.md", "python/README.md"}
