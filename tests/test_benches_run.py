"""The benches of `make bench` still run and print their figures (tiny sizes: what is checked
is that each one works, never how fast anything is; speed is measured by `make bench` only).

A bench broken by a change (a new constraint, a renamed view) would otherwise be found only by
the next person measuring. Each runs as `make bench` runs it, in a process of its own, on a
SQLite file of its own and a private Redis.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
NUMBER = r"\d+\.\d\d"  # a ratio or seconds, as the benches print them
MS = r"\d+\.\d"  # milliseconds


def run_bench(tmp_path: Path, name: str, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env["SQLITE_TEST_NAME"] = str(tmp_path / "bench.sqlite3")
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / f"{name}.py"), *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
    return done.stdout


def test_the_lists_bench_prints_every_list_with_its_ratios(tmp_path):
    out = run_bench(tmp_path, "lists_bench", "--sizes", "60,120", "--repeat", "1")
    for listing in ("sites", "operations", "audit"):
        assert f"{listing} list:" in out
    # every figure row: a label, two sizes, the growth ratio, the admin's time and the ratio
    row = rf"^[a-z ()]+ \| {MS} \| {MS} \| {NUMBER} \| {MS} \| {NUMBER}$"
    rows = re.findall(row, out, re.M)
    assert len(rows) == 12, out


def test_the_feedback_bench_prints_the_live_fragment_next_to_its_baseline(tmp_path):
    out = run_bench(tmp_path, "feedback_bench", "--operations", "2")
    assert re.search(rf"^live fragment .* \| {NUMBER} \| {NUMBER} \| {NUMBER} \|", out, re.M), out
    assert re.search(rf"^baseline: fixed 2 s refresh.* \| {NUMBER} \|", out, re.M), out


@pytest.mark.browser
@pytest.mark.worker
def test_the_browser_bench_follows_creates_from_gandi_to_the_page(tmp_path):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium)")
    out = run_bench(
        tmp_path, "browser_feedback_bench", "--operations", "2", "--parallel", "2",
        "--step-seconds", "0.5", "--workdir", str(tmp_path / "processes"),
    )  # fmt: skip
    assert re.search(rf"^Gandi → page, end to end \| {NUMBER} \| {NUMBER} \| {NUMBER}$", out, re.M)
    assert re.search(r"^Gandi calls per create: \d", out, re.M), out
