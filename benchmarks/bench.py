"""Benchmark ``impact check`` as whole processes on synthetic catalogs.

Usage (from the repository root, in the project's virtualenv)::

    python benchmarks/bench.py [--sizes 1000 10000 100000] [--repeat 3] [--work /tmp/impact-bench]

For each size it generates a catalog with ``benchmarks/generate.py`` (once;
kept in ``--work``), then runs, each ``--repeat`` times, and reports medians:

* **cold**: ``impact check`` with an empty cache folder;
* **warm**: ``impact check`` again, the cache present;
* **edit**: after one catalog file changed (an asset's description edited);
* **dependency edit**: after one more edit to that file, a dependency added
  (the graph changes, so the snapshot's adjacency is rebuilt);
* **no cache**: ``impact --no-cache check`` (the reference path);
* **broken validate**: ``impact validate`` on the catalog with one dangling
  reference added (the error path reads every file precisely);
* **baseline**: a straightforward build with no cache: PyYAML's C loader,
  pydantic per file, a networkx graph and one Dijkstra search;
* **peak MB**: the largest resident set of any ``impact check`` run above.

The change checked is ``CR-4`` of the generated change requests (two assets;
``--change`` picks another); the table says how many assets it reaches, since
a check's time grows with that. Every run is a fresh process, so Python's
start-up and imports count. The machine's load average is printed with the
table: other work on a shared machine slows every number.
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

HERE = Path(__file__).resolve().parent

BASELINE = r"""
import sys, glob, yaml, networkx as nx
from impact.read.schema import CatalogFileSpec, ChangeSpec
root, change = sys.argv[1], sys.argv[2]
specs = [CatalogFileSpec.model_validate(yaml.load(open(f, encoding="utf-8"), Loader=yaml.CSafeLoader))
         for f in sorted(glob.glob(root + "/**/*.yaml", recursive=True))]
g = nx.DiGraph()
for spec in specs:
    for sid, system in spec.systems.items():
        for key, asset in system.assets.items():
            aid = f"{sid}:{key}"
            g.add_node(aid, system=sid)
            for d in asset.depends_on:
                g.add_edge(d.asset, aid)
            for d in asset.feeds:
                g.add_edge(aid, d.asset)
cr = ChangeSpec.model_validate(yaml.load(open(change, encoding="utf-8"), Loader=yaml.CSafeLoader))
big = g.number_of_nodes() + 1
sys_of = nx.get_node_attributes(g, "system")
w = lambda u, v, _: big + 1 if sys_of.get(u) != sys_of.get(v) else 1
dist = nx.multi_source_dijkstra_path_length(g, [c.target for c in cr.changes if c.target in g], cutoff=6 * big - 1, weight=w)
print(len(dist))
"""


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float, int]:
    """Wall seconds, peak resident MB and exit code of one process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return elapsed, usage.ru_maxrss / 1024, proc.returncode


def impact(*args: str) -> list[str]:
    return [sys.executable, "-c", "import sys; from impact.cli.main import main; sys.argv[0] = 'impact'; main()", *args]


def toggle_description(path: Path, n: int) -> None:
    """Edit the first asset description of one file: what a check shows changes, not what it reaches."""
    text = path.read_text(encoding="utf-8")
    marker = 'description: "'
    at = text.index(marker) + len(marker)
    path.write_text(text[:at] + f"edit {n} " + text[at:], encoding="utf-8")


def add_dependency(path: Path) -> None:
    """Make the first asset with dependencies in this file depend on one more asset of the file."""
    import yaml_rs

    text = path.read_text(encoding="utf-8")
    data = yaml_rs.loads(text)
    ids = [f"{sid}:{key}" for sid, system in data["systems"].items() for key in system["assets"]]
    at = text.index("depends_on: [") + len("depends_on: [")
    owner = next(f"{sid}:{key}" for sid, system in data["systems"].items() for key, a in system["assets"].items() if a.get("depends_on"))
    other = next(i for i in ids if i != owner)
    path.write_text(text[:at] + f'"{other}", ' + text[at:], encoding="utf-8")


def bench_size(size: int, work: Path, repeat: int, change_name: str) -> dict[str, object]:
    root = work / f"n{size}"
    catalog = root / "catalog"
    if not (catalog / "teams.yaml").exists():
        subprocess.run([sys.executable, str(HERE / "generate.py"), str(catalog), "--assets", str(size), "--force"], check=True, stdout=subprocess.DEVNULL)
    change = root / "changes" / change_name
    cache_root = Path(tempfile.mkdtemp(prefix="impact-bench-cache-"))
    # PYTHONDONTWRITEBYTECODE (set in some containers) would make every run compile
    # impact's modules from source; an installed impact has its bytecode.
    base_env = {k: v for k, v in os.environ.items() if k not in ("IMPACT_NO_CACHE", "IMPACT_CATALOG", "PYTHONDONTWRITEBYTECODE")}
    env = {**base_env, "IMPACT_CACHE_DIR": str(cache_root)}
    edit_target = sorted(catalog.glob("*.yaml"))[len(list(catalog.glob("*.yaml"))) // 2]
    original = edit_target.read_text(encoding="utf-8")
    runs: dict[str, list[float]] = {k: [] for k in ("cold", "warm", "edit", "dependency edit", "no cache", "broken validate", "baseline")}
    peak = 0.0
    try:
        for i in range(repeat):
            shutil.rmtree(cache_root, ignore_errors=True)
            for label in ("cold", "warm"):
                t, mb, code = timed(impact("check", str(change), "--format", "json"), env)
                assert code in (0, 1), f"{label}: exit {code}"
                runs[label].append(t)
                peak = max(peak, mb)
            toggle_description(edit_target, i)
            t, mb, code = timed(impact("check", str(change), "--format", "json"), env)
            runs["edit"].append(t)
            peak = max(peak, mb)
            add_dependency(edit_target)
            t, mb, code = timed(impact("check", str(change), "--format", "json"), env)
            assert code in (0, 1), f"dependency edit: exit {code}"
            runs["dependency edit"].append(t)
            peak = max(peak, mb)
            t, mb, code = timed(impact("--no-cache", "check", str(change), "--format", "json"), env)
            runs["no cache"].append(t)
            edit_target.write_text(original.replace("type:", "typ:", 1), encoding="utf-8")  # an unknown key
            t, _, code = timed(impact("validate", str(catalog)), env)
            assert code == 2, f"broken validate: exit {code}"
            runs["broken validate"].append(t)
            edit_target.write_text(original, encoding="utf-8")
            t, _, code = timed([sys.executable, "-c", BASELINE, str(catalog), str(change)], base_env)
            assert code == 0, f"baseline: exit {code}"
            runs["baseline"].append(t)
    finally:
        edit_target.write_text(original, encoding="utf-8")
        shutil.rmtree(cache_root, ignore_errors=True)
    import json

    reach = subprocess.run(impact("check", str(change), "--format", "json"), capture_output=True, text=True, env={**base_env, "IMPACT_NO_CACHE": "1"}, check=False)
    impacted = len(json.loads(reach.stdout).get("impacted", [])) if reach.stdout.startswith("{") else -1
    result: dict[str, object] = {k: statistics.median(v) for k, v in runs.items()}
    result.update(size=size, peak=peak, impacted=impacted)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "impact-bench")
    parser.add_argument("--change", default="CR-4.yaml")
    args = parser.parse_args()
    rows = []
    for size in args.sizes:
        print(f"... {size} assets", file=sys.stderr, flush=True)
        rows.append(bench_size(size, args.work, args.repeat, args.change))
    reach_rows = bench_reach(max(args.sizes), args.work, args.repeat)
    load = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"Medians of {args.repeat} runs, seconds (load average after: {load}; {os.cpu_count()} cores)\n")
    print("| assets | impacted | cold | warm | one file edited | a dependency edited | --no-cache | validate, broken | baseline | peak MB |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r['size']:,} | {r['impacted']:,} | {r['cold']:.2f} | {r['warm']:.2f} | {r['edit']:.2f} | {r['dependency edit']:.2f} | "
            f"{r['no cache']:.2f} | {r['broken validate']:.2f} | {r['baseline']:.2f} | {r['peak']:.0f} |"
        )

    print(f"\nWarm `impact check` at {max(args.sizes):,} assets, by how much of the graph the change reaches (text output)\n")
    print("| change | impacted | warm seconds |")
    print("|---|---:|---:|")
    for name, impacted, seconds in reach_rows:
        print(f"| {name} | {impacted:,} | {seconds:.2f} |")


def bench_reach(size: int, work: Path, repeat: int) -> list[tuple[str, int, float]]:
    """Warm check time of each generated change request, with the number of assets it reaches."""
    import json

    root = work / f"n{size}"
    cache_root = Path(tempfile.mkdtemp(prefix="impact-bench-cache-"))
    env = {**{k: v for k, v in os.environ.items() if k not in ("IMPACT_NO_CACHE", "PYTHONDONTWRITEBYTECODE")}, "IMPACT_CACHE_DIR": str(cache_root)}
    rows = []
    try:
        for change in sorted((root / "changes").glob("CR-*.yaml")):
            out = subprocess.run(impact("check", str(change), "--format", "json"), capture_output=True, text=True, env=env, check=True)
            impacted = len(json.loads(out.stdout)["impacted"])
            times = [timed(impact("check", str(change)), env)[0] for _ in range(repeat)]
            rows.append((change.stem, impacted, statistics.median(times)))
    finally:
        shutil.rmtree(cache_root, ignore_errors=True)
    return sorted(rows, key=lambda r: r[1])


if __name__ == "__main__":
    main()
