#!/usr/bin/env python3
"""Runs the benchmarks of benches/shapes.rs several times, and `batch --threads 1` over a
million generated lines three times, and rewrites benches/RESULTS.md (machine, date, medians of
the runs, ratios to the HMAC floor measured in the same run) and benches/lengths.svg (ns per
token against signing-input length). criterion leaves its HTML reports in
target/criterion/report/index.html.

    python3 benches/results.py [RUNS]     # default 3
"""

import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CRITERION = os.path.join(ROOT, "target", "criterion")
SHAPES = ["minimal", "typical", "escape-heavy"]
SERIES = ["floor", "sign", "verify", "jsonwebtoken encode", "jsonwebtoken decode"]
BATCH = ["sign"]
LINES = 1_000_000


def estimate(*path):
    """Criterion's median estimate, in nanoseconds, of one benchmark's latest run."""
    with open(os.path.join(CRITERION, *path, "new", "estimates.json")) as f:
        return json.load(f)["median"]["point_estimate"]


def per_element(*path):
    """The median estimate divided by the elements one iteration handles (tokens)."""
    with open(os.path.join(CRITERION, *path, "new", "benchmark.json")) as f:
        elements = (json.load(f).get("throughput") or {}).get("Elements", 1)
    return estimate(*path) / elements


def one_run(plots):
    # criterion's plots take longer than the benchmarks: only the last run draws them.
    extra = [] if plots else ["--", "--noplot"]
    subprocess.run(["cargo", "bench", "--quiet", "--bench", "shapes", *extra], cwd=ROOT,
                   check=True, stdout=subprocess.DEVNULL)
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
            "sign (portable)": estimate(f"shape_{shape}", "sign (portable)"),
            "verify (portable)": estimate(f"shape_{shape}", "verify (portable)"),
        }
    lengths = {}
    for series in SERIES:
        folder = os.path.join(CRITERION, "length", series)
        for n in sorted(int(d) for d in os.listdir(folder) if d.isdigit()):
            lengths.setdefault(n, {})[series] = estimate("length", series, str(n))
    folder = os.path.join(CRITERION, "batch")
    floor = next(d for d in os.listdir(folder) if d.startswith("floor"))
    batch = {"bytes": int(floor.split("(")[1].split()[0]), "floor": per_element("batch", floor)}
    for name in BATCH:
        batch[name] = per_element("batch", name)
    return shapes, lengths, batch


def batch_rate():
    """Tokens per second of `batch --threads 1` over a million lines with a room and a
    participant each, written to /dev/null: the median of three runs."""
    subprocess.run(["cargo", "build", "--quiet", "--release", "-p", "videosdk-token"], cwd=ROOT,
                   check=True)
    binary = os.path.join(ROOT, "target", "release", "videosdk-token")
    with tempfile.TemporaryDirectory() as tmp:
        lines = os.path.join(tmp, "lines.jsonl")
        with open(lines, "w") as f:
            for i in range(LINES):
                f.write(f'{{"roomId":"room-{i // 10:06d}-{(i * 7919) % 65536:04x}",'
                        f'"participantId":"user-{i:07d}"}}\n')
        secret = os.path.join(tmp, "secret")
        with open(secret, "w") as f:
            f.write("demo-secret-0123456789abcdef-0123456789")
        os.chmod(secret, 0o600)
        env = dict(os.environ, VIDEOSDK_API_KEY="b5a3f0e2-6c1d-4c5e-9f3a-1d2e3f4a5b6c")
        rates = []
        for _ in range(3):
            start = time.perf_counter()
            subprocess.run([binary, "batch", "--threads", "1", "--secret-file", secret,
                            "--input", lines, "--output", "/dev/null"], env=env, check=True)
            rates.append(LINES / (time.perf_counter() - start))
    return statistics.median(rates), rates


# The CPU flags that decide which code runs: the `simd` feature's AVX2 kernels, and sha2's
# SHA-NI compression.
FLAGS = ["sse4_1", "ssse3", "avx", "avx2", "avx512f", "sha_ni", "bmi2"]


def cpu():
    """The CPU's model name, family, model and stepping, and which of FLAGS it has."""
    info = {}
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if ":" in line:
                    k, v = line.split(":", 1)
                    info.setdefault(k.strip(), v.strip())
    except OSError:
        return platform.processor() or "unknown CPU"
    flags = set(info.get("flags", "").split())
    return (f"{info.get('model name', 'unknown CPU')} (family {info.get('cpu family', '?')}, "
            f"model {info.get('model', '?')}, stepping {info.get('stepping', '?')}; "
            + ", ".join(f if f in flags else f"no {f}" for f in FLAGS) + ")")


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
    results = [one_run(plots=i == runs - 1) for i in range(runs)]
    med = lambda values: statistics.median(values)
    lines = [
        "# Benchmark results",
        "",
        f"Made by `python3 benches/results.py {runs}` on {datetime.date.today()}: {cpu()}, "
        f"{os.cpu_count()} logical CPUs, {platform.system()} {platform.release()}. "
        f"Medians of {runs} runs of `cargo bench --bench shapes`, each ratio to the HMAC-SHA256 "
        "floor (a cloned keyed state over the same signing input) measured in the same run.",
        "",
        "With the `simd` feature's kernels on (what every host build runs) and switched off",
        "(`videosdk_token_simd::set_enabled(false)`: the portable code, the same in every build):",
        "",
        "| claims | signing input | floor | sign | sign / floor | verify | verify / floor "
        "| portable sign / floor | portable verify / floor |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for shape in SHAPES:
        rows = [r[0][shape] for r in results]
        floor = med([r["floor"] for r in rows])
        ratio = lambda name: med([r[name] / r["floor"] for r in rows])
        lines.append(
            f"| {shape} | {rows[0]['bytes']} B | {floor:.0f} ns | {med([r['sign'] for r in rows]):.0f} ns "
            f"| {ratio('sign'):.2f}x | {med([r['verify'] for r in rows]):.0f} ns | {ratio('verify'):.2f}x "
            f"| {ratio('sign (portable)'):.2f}x | {ratio('verify (portable)'):.2f}x |")
    rows = [r[2] for r in results]
    floor = med([r["floor"] for r in rows])
    lines += [
        "",
        f"Signing many tokens, as `batch` does (lines with a room and a participant, one API key; "
        f"a {rows[0]['bytes']}-byte signing input), per token, and the rate against the floor's "
        "(above 1 is faster than HMAC-SHA256 one token at a time):",
        "",
        "| | ns per token | rate / floor rate |",
        "|---|---|---|",
        f"| floor (HMAC alone, one at a time) | {floor:.0f} | 1.00x |",
    ]
    labels = {"sign": "`sign`, one at a time (what `batch` runs)"}
    for name in BATCH:
        ns = med([r[name] for r in rows])
        rate = med([r["floor"] / r[name] for r in rows])
        lines.append(f"| {labels[name]} | {ns:.0f} | {rate:.2f}x |")
    rate, rates = batch_rate()
    lines += ["", f"`batch --threads 1` over {LINES:,} such lines to /dev/null: "
              f"{rate / 1e6:.2f} million tokens/s (median of "
              + ", ".join(f"{r / 1e6:.2f}" for r in rates) + ")."]
    lengths = {}
    for _, by_length, _ in results:
        for n, row in by_length.items():
            for series, v in row.items():
                lengths.setdefault(n, {}).setdefault(series, []).append(v)
    lengths = {n: {s: med(v) for s, v in row.items()} for n, row in lengths.items()}
    lines += ["", "ns per token against signing-input length (`lengths.svg`):", "",
              "![ns per token by signing-input length](lengths.svg)", "",
              "criterion's HTML reports of every group are in `target/criterion/report/index.html` "
              "after a run.", "",
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
