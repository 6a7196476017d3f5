"""Mozilla's HTTP Observatory score, computed from one response by its published scoring
table (MDN "HTTP Observatory: tests and scoring"), for the tests it makes that the portal's
responses decide. Start at 100, apply each test's modifier; bonuses count only when the score
before them is at least 90. A+ is 100 and above, A 90, A- 85, B+ 80, B 70, B- 65, C+ 60."""

from __future__ import annotations

GRADES = [(100, "A+"), (90, "A"), (85, "A-"), (80, "B+"), (70, "B"), (65, "B-"), (60, "C+")]


def _csp(headers) -> tuple[str, int]:
    policy = headers.get("Content-Security-Policy")
    if not policy:
        return "csp-not-implemented", -25
    directives = {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}
    sources = [source for values in directives.values() for source in values]
    if "'unsafe-inline'" in directives.get("script-src", directives.get("default-src", [])):
        return "csp-implemented-with-unsafe-inline", -20
    if "'unsafe-eval'" in sources:
        return "csp-implemented-with-unsafe-eval", -10
    if "'unsafe-inline'" in sources:
        return "csp-implemented-with-unsafe-inline-in-style-src-only", 0
    if directives.get("default-src") == ["'none'"]:
        return "csp-implemented-with-no-unsafe-default-src-none", 10
    return "csp-implemented-with-no-unsafe", 0


def _cookies(set_cookies: list[str]) -> tuple[str, int]:
    if not set_cookies:
        return "cookies-not-found", 0
    flags = [header.lower() for header in set_cookies]
    if not all("; secure" in f for f in flags):
        return "cookies-without-secure-flag", -20
    sessions = [f for f, h in zip(flags, set_cookies, strict=True) if "sessionid" in h]
    if not all("httponly" in f for f in sessions):
        return "cookies-session-without-httponly-flag", -30
    if all("samesite=" in f for f in flags):
        return "cookies-secure-with-httponly-sessions-and-samesite", 5
    return "cookies-secure-with-httponly-sessions", 0


def _others(headers, redirects_to_https: bool) -> list[tuple[str, int]]:
    hsts = headers.get("Strict-Transport-Security", "")
    max_age = int(hsts.split("max-age=")[1].split(";")[0]) if "max-age=" in hsts else 0
    referrer = headers.get("Referrer-Policy", "")
    private = {"no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin"}
    csp = headers.get("Content-Security-Policy", "")
    return [
        ("redirection-to-https", 0) if redirects_to_https else ("redirection-missing", -20),
        ("hsts-implemented-max-age-at-least-six-months", 0)
        if max_age >= 15768000
        else ("hsts-not-implemented", -20),
        ("referrer-policy-private", 5)
        if referrer in private
        else ("referrer-policy-not-implemented", 0),
        ("x-content-type-options-nosniff", 0)
        if headers.get("X-Content-Type-Options") == "nosniff"
        else ("x-content-type-options-not-implemented", -5),
        ("x-frame-options-implemented-via-csp", 5)
        if "frame-ancestors" in csp
        else ("x-frame-options-sameorigin-or-deny", 0)
        if headers.get("X-Frame-Options")
        else ("x-frame-options-not-implemented", -20),
        # Only same-origin scripts (vendored, no CDN): no SRI needed, no points either way.
        ("sri-not-implemented-but-all-scripts-loaded-from-secure-origin", 0),
        ("cross-origin-resource-sharing-not-implemented", 0),
    ]


def score(headers, set_cookies: list[str], *, redirects_to_https: bool) -> dict:
    tests = [_csp(headers), _cookies(set_cookies), *_others(headers, redirects_to_https)]
    base = 100 + sum(points for _, points in tests if points < 0)
    bonus = sum(points for _, points in tests if points > 0) if base >= 90 else 0
    total = base + bonus
    grade = next((g for floor, g in GRADES if total >= floor), "C or below")
    return {"tests": tests, "score": total, "grade": grade}
