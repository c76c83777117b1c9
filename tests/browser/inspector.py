"""The token inspector in a real browser: headless Chromium (Debian's), driven by Playwright.

Reads a JSON document on standard input:
  {"pages": [URL, ...], "chromium": PATH, "shots": DIR, "cases": [CASE, ...]}
where each case is {"name", "token", "secret", "now", "decode": decode --json output,
"verify": verify --json output or null, "refusal": the core's reason when it refuses}. For every page and case it opens PAGE#now=…&token=…, checks
the payload, times and warnings against `decode --json` and the access summary against
`verify --json`, enters the secret (the signature must match), then a tampered token (it must
not), and records every request the page makes. Prints a JSON summary; exits 1 on a failure.
"""

import json
import sys
import time
import urllib.parse

from playwright.sync_api import sync_playwright


def fail(failures, where, what):
    failures.append(f"{where}: {what}")


def luminance(rgb):
    """WCAG 2 relative luminance of an `rgb(r, g, b)` colour."""
    parts = [int(x) / 255 for x in rgb[rgb.index("(") + 1:rgb.index(")")].split(",")[:3]]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in parts]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a, b):
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


# Text that must be readable: the segments' colours, hints, and the verdicts.
CONTRAST_SELECTORS = ["#seg-header", "#seg-payload", "#seg-signature", ".hint", "#signature", "#status", "#lifetime", "dd"]


def check_contrast(page, where, failures):
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    for selector in CONTRAST_SELECTORS:
        for colour in page.eval_on_selector_all(selector, "els => els.map(e => getComputedStyle(e).color)"):
            ratio = contrast(colour, background)
            if ratio < 4.5:
                fail(failures, where, f"{selector} has contrast {ratio:.2f} ({colour} on {background})")


def check_page(browser, base, case, shots, failures, first_render):
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    requests = []
    errors = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("pageerror", lambda e: errors.append(str(e)))
    fragment = urllib.parse.urlencode({"now": case["now"], "token": case["token"]})
    where = f"{case['name']} at {base}"
    start = time.monotonic()
    page.goto(f"{base}#{fragment}")
    try:
        page.wait_for_selector("html[data-ready=true]", state="attached", timeout=10_000)
    except Exception as e:  # noqa: BLE001 - reported with what the page said
        fail(failures, where, f"the page did not start ({e.__class__.__name__}): {errors}")
        page.close()
        return requests
    first_render.append((time.monotonic() - start) * 1000)

    decoded = case["decode"]
    shown = json.loads(page.inner_text("#payload"))
    if shown != decoded["payload"]:
        fail(failures, where, f"payload {shown} != {decoded['payload']}")
    times = {
        row.get_attribute("data-claim"): int(row.get_attribute("data-unix"))
        for row in page.query_selector_all("#times tbody tr")
    }
    want_times = {k: v["unix"] for k, v in decoded["times"].items()}
    if times != want_times:
        fail(failures, where, f"times {times} != {want_times}")
    utc_shown = [cell.inner_text() for cell in page.query_selector_all("#times tbody td:nth-child(3)")]
    want_utc = [decoded["times"][k]["utc"] for k in ("iat", "nbf", "exp") if k in decoded["times"]]
    if utc_shown != want_utc:
        fail(failures, where, f"UTC times {utc_shown} != {want_utc}")
    if "exp" in decoded["times"]:
        relative = decoded["times"]["exp"]["relative"]
        want = f"expires {relative}" if relative.startswith("in ") else f"expired {relative}"
        if page.inner_text("#lifetime") != want:
            fail(failures, where, f"lifetime {page.inner_text('#lifetime')!r} != {want!r}")
    warnings = json.loads(page.get_attribute("#warnings", "data-warnings"))
    if warnings != decoded["warnings"]:
        fail(failures, where, f"warnings {warnings} != {decoded['warnings']}")
    access = json.loads(page.get_attribute("#access", "data-access"))
    verified = case.get("verify")
    if verified is not None:
        keys = ("join", "moderate", "meetings", "serverApi", "roomId", "participantId")
        want_access = {k: verified[k] for k in keys}
        if access != want_access:
            fail(failures, where, f"access {access} != {want_access}")
    if "Not checked" not in page.inner_text("#signature"):
        fail(failures, where, "the signature is shown as checked without a secret")

    page.fill("#secret", case["secret"])
    shown = page.inner_text("#signature")
    if case.get("refusal"):
        # Refused by the core, in its words.
        if shown != f"Refused: {case['refusal']}":
            fail(failures, where, f"with the secret: {shown!r}, not the refusal {case['refusal']!r}")
    elif "Signature matches" not in shown:
        fail(failures, where, f"with the secret: {shown!r}")
    if shots and case.get("screenshot"):
        page.screenshot(path=f"{shots}/{case['screenshot']}", full_page=True)

    token = case["token"]
    cut = len(token) - 43
    tampered = token[:cut] + ("B" if token[cut] == "A" else "A") + token[cut + 1:]
    page.fill("#token", tampered)
    if page.inner_text("#signature") != "Refused: signature does not match":
        fail(failures, where, f"tampered: {page.inner_text('#signature')!r}")

    check_contrast(page, where, failures)
    page.emulate_media(color_scheme="dark")
    check_contrast(page, f"{where} (dark)", failures)
    page.emulate_media(color_scheme="light")
    # Narrow window: still readable, nothing wider than the viewport.
    page.set_viewport_size({"width": 360, "height": 800})
    overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    if overflow:
        fail(failures, where, "the page is wider than a 360-pixel window")
    # Keyboard: Tab from the token reaches the secret field.
    page.focus("#token")
    page.keyboard.press("Tab")
    if page.evaluate("document.activeElement.id") != "secret":
        fail(failures, where, "Tab from the token does not reach the secret")
    if errors:
        fail(failures, where, f"page errors: {errors}")
    page.close()
    return requests


def main():
    job = json.load(sys.stdin)
    failures = []
    first_render = []
    all_requests = set()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=job["chromium"], args=["--no-sandbox"])
        for base in job["pages"]:
            for case in job["cases"]:
                case = dict(case)
                if case.get("screenshot"):
                    scheme = base.split(":", 1)[0]
                    case["screenshot"] = f"{scheme}-{case['screenshot']}"
                for url in check_page(browser, base, case, job.get("shots"), failures, first_render):
                    all_requests.add(url.split("#", 1)[0])
        browser.close()
    allowed = {
        urllib.parse.urljoin(base, name)
        for base in job["pages"]
        for name in ("", "index.html", "inspector.css", "inspector.js", "videosdk-token.js")
    }
    strays = sorted(all_requests - allowed)
    if strays:
        failures.append(f"the page made requests other than its own files: {strays}")
    first_render.sort()
    print(json.dumps({
        "cases": len(job["cases"]) * len(job["pages"]),
        "requests": sorted(all_requests),
        "first_render_ms_median": round(first_render[len(first_render) // 2], 1),
        "first_render_ms_max": round(first_render[-1], 1),
        "failures": failures,
    }))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
