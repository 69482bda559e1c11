"""Time and peak memory of `impact import` on real exports (whole processes, medians).

    python benchmarks/bench_import.py salesforce PATH/TO/ORG [--repeat 3]
    python benchmarks/bench_import.py dbt PATH/TO/manifest.json
    python benchmarks/bench_import.py gtm PATH/TO/export.json
    python benchmarks/bench_import.py sitemap PATH/TO/sitemap_index.xml  (benchmarks/make_sitemap.py writes one)

Each run imports into a fresh temporary catalog file (a first import), then
once more into the same file (a re-import, which reads and merges the file
it wrote), and validates the catalog. Peak memory is the child process's
maximum resident set size; "import CPU" is its user + system CPU seconds,
steadier than wall time on a shared machine.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CPU: list[float] = []


def timed(cmd: list[str]) -> tuple[float, float]:
    """Seconds and peak MB of one process (its CPU seconds go to ``CPU``)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    before, cpu_before = usage.ru_maxrss, usage.ru_utime + usage.ru_stime
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "CI": "1"})
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{done.stdout}{done.stderr}")
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU.append(usage.ru_utime + usage.ru_stime - cpu_before)
    return seconds, max(usage.ru_maxrss, before) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("kind", choices=["salesforce", "dbt", "gtm", "sitemap"])
    parser.add_argument("source")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    impact = [str(Path(sys.executable).parent / "impact")]
    rows: dict[str, list[float]] = {"import": [], "import CPU": [], "re-import": [], "validate": [], "peak MB": []}
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "catalog" / f"{args.kind}.yaml"
            cmd = [*impact, "import", args.kind, args.source, "--owner", "team", "-o", str(out)]
            seconds, peak = timed(cmd)
            rows["import"].append(seconds)
            rows["import CPU"].append(CPU[-1])
            seconds, peak2 = timed(cmd)
            rows["re-import"].append(seconds)
            seconds, peak3 = timed([*impact, "--no-cache", "validate", str(out.parent)])
            rows["validate"].append(seconds)
            rows["peak MB"].append(max(peak, peak2))
            size = out.stat().st_size
    print(f"{args.kind} {args.source}: catalog file {size / 2**20:.1f} MB")
    print(" | ".join(f"{name} {statistics.median(values):.2f}" for name, values in rows.items()))


if __name__ == "__main__":
    main()
