#!/usr/bin/env python3
"""Runs the shape and length benchmarks (benches/shapes.rs) several times and rewrites
benches/RESULTS.md (machine, date, medians of the runs, ratios to the HMAC floor measured in the
same run) and benches/lengths.svg (ns per token against signing-input length).

    python3 benches/results.py [RUNS]     # default 3
"""

import datetime
import json
import os
import platform
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CRITERION = os.path.join(ROOT, "target", "criterion")
SHAPES = ["minimal", "typical", "escape-heavy"]
SERIES = ["floor", "sign", "verify", "jsonwebtoken encode", "jsonwebtoken decode"]


def estimate(*path):
    """Criterion's median estimate, in nanoseconds, of one benchmark's latest run."""
    with open(os.path.join(CRITERION, *path, "new", "estimates.json")) as f:
        return json.load(f)["median"]["point_estimate"]


def one_run():
    subprocess.run(["cargo", "bench", "--quiet", "--bench", "shapes"], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    shapes = {}
    for shape in SHAPES:
        folder = os.path.join(CRITERION, f"shape_{shape}")
        floor = next(d for d in os.listdir(folder) if d.startswith("floor"))
        length = int(floor.split("(")[1].split()[0])
        shapes[shape] = {
            "bytes": length,
            "floor": estimate(f"shape_{shape}", floor),
            "sign": estimate(f"shape_{shape}", "sign"),
            "verify": estimate(f"shape_{shape}", "verify"),
        }
    lengths = {}
    for series in SERIES:
        folder = os.path.join(CRITERION, "length", series)
        for n in sorted(int(d) for d in os.listdir(folder) if d.isdigit()):
            lengths.setdefault(n, {})[series] = estimate("length", series, str(n))
    return shapes, lengths


def cpu():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def svg(lengths):
    width, height, pad = 720, 420, 60
    xs = sorted(lengths)
    top = max(v for row in lengths.values() for v in row.values())
    colours = {"floor": "#555", "sign": "#0b6b2b", "verify": "#00578a",
               "jsonwebtoken encode": "#b3001b", "jsonwebtoken decode": "#8a4b00"}
    x = lambda n: pad + (n - xs[0]) / (xs[-1] - xs[0]) * (width - 2 * pad)
    y = lambda v: height - pad - v / top * (height - 2 * pad)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'font-family="sans-serif" font-size="12">',
           f'<rect width="{width}" height="{height}" fill="#fff"/>',
           f'<line x1="{pad}" y1="{height - pad}" x2="{width - pad}" y2="{height - pad}" stroke="#000"/>',
           f'<line x1="{pad}" y1="{pad}" x2="{pad}" y2="{height - pad}" stroke="#000"/>',
           f'<text x="{width / 2}" y="{height - 20}" text-anchor="middle">signing input (bytes)</text>',
           f'<text x="15" y="{height / 2}" transform="rotate(-90 15 {height / 2})" text-anchor="middle">ns per token</text>']
    for n in xs:
        out.append(f'<text x="{x(n):.1f}" y="{height - pad + 15}" text-anchor="middle">{n}</text>')
    for i in range(5):
        v = top * i / 4
        out.append(f'<text x="{pad - 5}" y="{y(v) + 4:.1f}" text-anchor="end">{v:.0f}</text>')
    for k, (series, colour) in enumerate(colours.items()):
        points = " ".join(f"{x(n):.1f},{y(lengths[n][series]):.1f}" for n in xs if series in lengths[n])
        out.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2"/>')
        out.append(f'<text x="{pad + 10}" y="{pad + 15 * k}" fill="{colour}">{series}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main():
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    results = [one_run() for _ in range(runs)]
    med = lambda values: statistics.median(values)
    lines = [
        "# Benchmark results",
        "",
        f"Made by `python3 benches/results.py {runs}` on {datetime.date.today()}: {cpu()}, "
        f"{os.cpu_count()} logical CPUs, {platform.system()} {platform.release()}. "
        f"Medians of {runs} runs of `cargo bench --bench shapes`, each ratio to the HMAC-SHA256 "
        "floor (a cloned keyed state over the same signing input) measured in the same run.",
        "",
        "| claims | signing input | floor | sign | sign / floor | verify | verify / floor |",
        "|---|---|---|---|---|---|---|",
    ]
    for shape in SHAPES:
        rows = [r[0][shape] for r in results]
        floor = med([r["floor"] for r in rows])
        sign_ratio = med([r["sign"] / r["floor"] for r in rows])
        verify_ratio = med([r["verify"] / r["floor"] for r in rows])
        lines.append(
            f"| {shape} | {rows[0]['bytes']} B | {floor:.0f} ns | {med([r['sign'] for r in rows]):.0f} ns "
            f"| {sign_ratio:.2f}x | {med([r['verify'] for r in rows]):.0f} ns | {verify_ratio:.2f}x |")
    lengths = {}
    for _, by_length in results:
        for n, row in by_length.items():
            for series, v in row.items():
                lengths.setdefault(n, {}).setdefault(series, []).append(v)
    lengths = {n: {s: med(v) for s, v in row.items()} for n, row in lengths.items()}
    lines += ["", "ns per token against signing-input length (`lengths.svg`):", "",
              "![ns per token by signing-input length](lengths.svg)", "",
              "| bytes | " + " | ".join(SERIES) + " |", "|---" * (len(SERIES) + 1) + "|"]
    for n in sorted(lengths):
        lines.append(f"| {n} | " + " | ".join(f"{lengths[n].get(s, 0):.0f}" for s in SERIES) + " |")
    with open(os.path.join(ROOT, "benches", "RESULTS.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    with open(os.path.join(ROOT, "benches", "lengths.svg"), "w") as f:
        f.write(svg(lengths))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
