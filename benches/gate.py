#!/usr/bin/env python3
"""The speed gate: fails when an accelerated path is much slower than the portable code on
the machine it runs on. It reads the last run of `cargo bench --bench shapes` (the shape
groups, where each shape's sign and verify are measured with the `simd` kernels on and switched
off, in the same run) and compares each pair.

    cargo bench --bench shapes -- shape/ && python3 benches/gate.py [LIMIT]   # default 1.5

A kernel that is slower than the portable step by more than LIMIT on some CPU is a defect
to fix (or to switch off on that CPU), not noise: a short run measures a few percent at most.
"""

import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CRITERION = os.path.join(ROOT, "target", "criterion")
SHAPES = ["minimal", "typical", "escape-heavy"]


def median(group, name):
    with open(os.path.join(CRITERION, group, name, "new", "estimates.json")) as f:
        return json.load(f)["median"]["point_estimate"]


def main():
    limit = float(sys.argv[1]) if len(sys.argv) > 1 else 1.5
    failed = 0
    for shape in SHAPES:
        group = f"shape_{shape}"
        for op in ["sign", "verify"]:
            fast, portable = median(group, op), median(group, f"{op} (portable)")
            ratio = fast / portable
            verdict = "ok" if ratio <= limit else "SLOWER"
            print(f"{verdict:6} {shape:12} {op:6} accelerated {fast:8.0f} ns, "
                  f"portable {portable:8.0f} ns: {ratio:.2f}x")
            failed += ratio > limit
    if failed:
        print(f"{failed} accelerated paths are more than {limit}x slower than the portable "
              "code on this CPU", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
