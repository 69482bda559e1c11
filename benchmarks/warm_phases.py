"""Where the time of a warm ``impact check`` goes, phase by phase, and the floor under it.

Usage (from the repository root, in the project's virtualenv)::

    python benchmarks/warm_phases.py CHANGE.yaml [--repeat 7]

Each run is a fresh process (as in a pull-request hook) that times its own
phases with ``time.perf_counter`` around impact's functions:

* **start**: the interpreter starting, up to the first line of this probe
  (measured as ``python -c pass``);
* **imports**: every module a warm check imports (the CLI, the loader, the
  graph, the analysis, the JSON renderer);
* **freshness**: finding the catalog's files and knowing them unchanged
  (their metadata, see ``impact/store/freshness.py``);
* **snapshot**: reading, verifying and unpacking the cached catalog;
* **search**: the impact search over the snapshot's arrays;
* **analysis**: stakeholders, tests, risk, release path;
* **output**: the JSON answer, encoded and written.

The floor is ``python -c pass`` plus the imports no check can avoid (click,
orjson, impact's own modules). Medians of ``--repeat`` runs; the cache must
be warm (run the check once first). Run it on an idle machine: every phase
slows when other work shares the cores.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

PROBE = r"""
import sys, time, json
t0 = time.perf_counter()
import importlib
import impact.cli.main as cli_main
for name in ("impact.analysis.workspace", "impact.render.check.data", "impact.load.loader", "impact.load.change",
             "impact.graph.depgraph", "impact.analysis.check", "impact.load.cached"):
    importlib.import_module(name)
cached = sys.modules["impact.load.cached"]
t1 = time.perf_counter()
phases = {"imports": t1 - t0}

def timed(owner, attr, phase):
    real = getattr(owner, attr)
    def wrapper(*a, **k):
        s = time.perf_counter()
        try:
            return real(*a, **k)
        finally:
            phases[phase] = phases.get(phase, 0.0) + time.perf_counter() - s
    setattr(owner, attr, wrapper)

from impact.store import cache, freshness
from impact.graph import depgraph
from impact.analysis import workspace
from impact.render.check import data as check_data
timed(cached, "catalog_rels", "freshness")
timed(workspace, "load_change", "change file")
timed(freshness.FileIndex, "load", "freshness")
timed(freshness.FileIndex, "stats", "freshness")
timed(freshness.FileIndex, "digests", "freshness")
timed(freshness.FileIndex, "save", "freshness")
timed(cache, "read_entry", "snapshot")
timed(cached, "decode", "snapshot")
timed(cached.marshal, "loads", "snapshot")  # the snapshot unpacked (and the small file index)
timed(depgraph.DependencyGraph, "_search", "search")
timed(workspace, "check_change", "search+analysis")
timed(check_data, "write", "output")
import impact.cli.main as m
sys.argv = ["impact", "check", sys.argv[1], "--format", "json", "-o", "/dev/null"]
try:
    m.cli(sys.argv[1:], prog_name="impact", standalone_mode=False)
except SystemExit:
    pass
phases["total in process"] = time.perf_counter() - t0
print(json.dumps(phases), file=sys.stderr)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("change")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    runs: dict[str, list[float]] = {}
    for _ in range(args.repeat):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True, env=env)
        runs.setdefault("python -c pass", []).append(time.perf_counter() - start)
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import click, orjson"], check=True, env=env)
        runs.setdefault("python -c 'import click, orjson'", []).append(time.perf_counter() - start)
        start = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", PROBE, args.change], check=True, env=env, capture_output=True, text=True)
        runs.setdefault("whole process", []).append(time.perf_counter() - start)
        for phase, seconds in json.loads(out.stderr.strip().splitlines()[-1]).items():
            runs.setdefault(phase, []).append(seconds)
    med = {k: statistics.median(v) for k, v in runs.items()}
    med["analysis"] = med.pop("search+analysis", 0.0) - med.get("search", 0.0)
    print(f"Medians of {args.repeat} runs, seconds (load average {os.getloadavg()[0]:.2f})\n")
    print("| phase | seconds |")
    print("|---|---:|")
    for phase in ("python -c pass", "imports", "change file", "freshness", "snapshot", "search", "analysis", "output", "total in process", "whole process", "python -c 'import click, orjson'"):
        if phase in med:
            print(f"| {phase} | {med[phase]:.3f} |")


if __name__ == "__main__":
    main()
