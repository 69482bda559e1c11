"""Benchmark ``impact site``: writing the site, and opening it in Chromium.

Usage (from the repository root, in the project's virtualenv, with Debian's
``chromium`` and the test extras installed)::

    python benchmarks/bench_site.py [--sizes 1000 10000 100000] [--repeat 3] [--work /tmp/impact-bench]

For each size it generates a catalog with ``benchmarks/generate.py`` (once;
kept in ``--work``, shared with ``bench.py``), then reports medians of
``--repeat`` runs:

* **write, cold / warm**: ``impact site`` as a whole process, with an empty
  cache folder and with the cache present;
* **files**: how many files the site has, their total size and the largest;
* **first search answer**: from asking Chromium to open ``index.html``
  (file://, a fresh page) until the results of a search typed at once are on
  screen;
* **asset page**: from opening ``index.html#asset=<id>`` until the page shows
  what the asset reaches, for the asset that reaches the most among the
  generated change requests' targets (``CR-1``) and for a leaf (``CR-3``).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

HERE = Path(__file__).resolve().parent


def impact(*args: str) -> list[str]:
    return [sys.executable, "-c", "import sys; from impact.cli.main import main; sys.argv[0] = 'impact'; main()", *args]


def timed(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    return time.perf_counter() - start


def first_target(change: Path) -> str:
    for line in change.read_text(encoding="utf-8").splitlines():
        if "target:" in line:
            return line.split('target: "', 1)[1].split('"', 1)[0]
    raise SystemExit(f"no target in {change}")


def browse(site: Path, query: str, assets: list[str], repeat: int) -> tuple[float, list[float]]:
    from playwright.sync_api import sync_playwright

    url = (site / "index.html").resolve().as_uri()
    searches: list[float] = []
    pages: dict[str, list[float]] = {a: [] for a in assets}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium", args=["--headless", "--no-sandbox", "--disable-gpu"])
        try:
            for _ in range(repeat):
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                start = time.perf_counter()
                page.goto(url, wait_until="commit")
                page.fill("#q", query)
                page.wait_for_selector("#results .count", timeout=120_000)
                searches.append(time.perf_counter() - start)
                page.close()
                for asset in assets:
                    page = browser.new_page(viewport={"width": 1280, "height": 900})
                    start = time.perf_counter()
                    page.goto(url + "#asset=" + quote(asset, safe=""), wait_until="commit")
                    page.wait_for_selector("#downstream", timeout=120_000)
                    pages[asset].append(time.perf_counter() - start)
                    page.close()
        finally:
            browser.close()
    return statistics.median(searches), [statistics.median(pages[a]) for a in assets]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "impact-bench")
    args = parser.parse_args()
    rows = []
    for size in args.sizes:
        root = args.work / f"n{size}"
        catalog = root / "catalog"
        if not catalog.is_dir():
            subprocess.run([sys.executable, str(HERE / "generate.py"), str(catalog), "--assets", str(size)], check=True, stdout=subprocess.DEVNULL)
        site = root / "site"
        cache = Path(tempfile.mkdtemp(prefix="impact-bench-cache-"))
        env = {**os.environ, "IMPACT_CACHE_DIR": str(cache)}
        cmd = impact("site", "--catalog", str(catalog), "--changes", str(root / "changes"), "-o", str(site))
        cold, warm = [], []
        for _ in range(args.repeat):
            shutil.rmtree(cache, ignore_errors=True)
            cache.mkdir()
            cold.append(timed(cmd, env))
            warm.append(timed(cmd, env))
        shutil.rmtree(cache, ignore_errors=True)
        files = [p for p in site.rglob("*") if p.is_file()]
        total = sum(p.stat().st_size for p in files) / 1e6
        largest = max(p.stat().st_size for p in files) / 1e6
        big, leaf = first_target(root / "changes" / "CR-1.yaml"), first_target(root / "changes" / "CR-3.yaml")
        search, (big_page, leaf_page) = browse(site, "lead.email", [big, leaf], args.repeat)
        rows.append((size, statistics.median(cold), statistics.median(warm), len(files), total, largest, search, big_page, leaf_page))
        print(f"done {size}", file=sys.stderr)
    print(f"load average {os.getloadavg()[0]:.1f}; medians of {args.repeat} runs, seconds")
    print()
    print("| assets | write, cold | write, warm | files | MB | largest MB | first search answer | asset page, CR-1 target | asset page, leaf |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for size, cold_s, warm_s, n, total, largest, search, big_page, leaf_page in rows:
        print(f"| {size:,} | {cold_s:.2f} | {warm_s:.2f} | {n} | {total:.1f} | {largest:.1f} | {search:.2f} | {big_page:.2f} | {leaf_page:.2f} |")


if __name__ == "__main__":
    main()
