"""Benchmark ``impact`` as whole processes on synthetic catalogs.

Usage (from the repository root, in the project's virtualenv)::

    python benchmarks/bench.py [--sizes 1000 10000 100000] [--repeat 3] [--work /tmp/impact-bench]
                               [--before OTHER_CHECKOUT] [--no-baseline] [--big-answer]

For each size it generates a catalog with ``benchmarks/generate.py`` (once;
kept in ``--work``), then runs, each ``--repeat`` times, and reports medians:

* **cold**: ``impact check`` with an empty cache folder;
* **warm**: ``impact check`` again, the cache present;
* **edit**: after one catalog file changed (an asset's description edited);
* **dependency edit**: after one more edit to that file, a dependency added;
* **asset added**: after an asset is added to that file (its ids change);
* **no cache**: ``impact --no-cache check`` (the reference path);
* **validate cold / warm**: ``impact validate`` of the valid catalog with an
  empty cache, then again;
* **broken validate**: ``impact validate`` on the catalog with one unknown
  key added (the error path reads every file precisely);
* **baseline**: a straightforward build with no cache: PyYAML's C loader,
  pydantic per file, a networkx graph and one Dijkstra search;
* **peak MB**: the largest resident set of any ``impact check`` run above.

The change checked is ``CR-4`` of the generated change requests (two assets;
``--change`` picks another); the table says how many assets it reaches, since
a check's time grows with that. ``--big-answer`` also times, at the largest
size, warm checks of ``CR-1`` (a change reaching about 85% of the catalog) in
text and in JSON, with their peak memory. Every run is a fresh process, so
Python's start-up and imports count.

``--before DIR`` runs every step a second time with the ``impact`` package of
another checkout (``git worktree add --detach DIR <commit>``), interleaved
with this one's runs so both see the same load on a shared machine, and
prints its table beside this one's. The machine's load average is printed
with the tables: other work on a shared machine slows every number.
"""

from __future__ import annotations

import argparse
import json
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

STEPS = ("cold", "warm", "edit", "dependency edit", "asset added", "no cache", "validate cold", "validate warm", "broken validate")


CPU: dict[str, list[float]] = {}
"""CPU seconds (user + system, the process and the workers it waited for) of every timed run, by label."""


def timed(cmd: list[str], env: dict[str, str], out: Path | None = None, label: str | None = None) -> tuple[float, float, int]:
    """Wall seconds, peak resident MB and exit code of one process (stdout to ``out`` or nowhere).

    With ``label``, its CPU seconds are kept in :data:`CPU`: on a shared
    machine they vary much less than wall time.
    """
    start = time.perf_counter()
    with open(out or os.devnull, "wb") as sink:
        proc = subprocess.Popen(cmd, stdout=sink, stderr=subprocess.DEVNULL, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    if label is not None:
        CPU.setdefault(label, []).append(usage.ru_utime + usage.ru_stime)
    return elapsed, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def impact(*args: str) -> list[str]:
    # -P: the current folder is not put first on the import path, so PYTHONPATH chooses the impact timed.
    return [sys.executable, "-P", "-c", "import sys; from impact.cli.main import main; sys.argv[0] = 'impact'; main()", *args]


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


def add_asset(path: Path, n: int) -> None:
    """Add an asset at the head of the file's first system: the file's ids change."""
    text = path.read_text(encoding="utf-8")
    marker = "    assets:\n"
    at = text.index(marker) + len(marker)
    path.write_text(text[:at] + f'      "bench/added-{n}":\n        type: "thing"\n' + text[at:], encoding="utf-8")


class Variant:
    """One ``impact`` to time: this checkout, or another one's package (``--before``)."""

    def __init__(self, name: str, tree: Path | None, env: dict[str, str]) -> None:
        self.name = name
        self.cache = Path(tempfile.mkdtemp(prefix=f"impact-bench-{name}-"))
        self.env = {**env, "IMPACT_CACHE_DIR": str(self.cache)}
        if tree is not None:
            self.env["PYTHONPATH"] = str(tree)

    def clear(self) -> None:
        shutil.rmtree(self.cache, ignore_errors=True)


def bench_size(
    size: int, work: Path, repeat: int, change_name: str, variants: list[Variant], baseline: bool, all_steps: bool = True
) -> dict[str, dict[str, float]]:
    root = work / f"n{size}"
    catalog = root / "catalog"
    if not (catalog / "teams.yaml").exists():
        subprocess.run([sys.executable, str(HERE / "generate.py"), str(catalog), "--assets", str(size), "--force"], check=True, stdout=subprocess.DEVNULL)
    change = root / "changes" / change_name
    files = sorted(catalog.glob("*.yaml"))
    edit_target = files[len(files) // 2]
    original = edit_target.read_text(encoding="utf-8")
    runs: dict[str, dict[str, list[float]]] = {v.name: {k: [] for k in (*STEPS, "baseline")} for v in variants}
    peak = dict.fromkeys(runs, 0.0)
    check = ("check", str(change), "--format", "json")

    def run(v: Variant, label: str, args: tuple[str, ...], codes: tuple[int, ...] = (0, 1), checks: bool = True) -> None:
        t, mb, code = timed(impact(*args), v.env, label=f"{size}|{v.name}|{label}")
        assert code in codes, f"{v.name} {label}: exit {code}"
        runs[v.name][label].append(t)
        if checks:
            peak[v.name] = max(peak[v.name], mb)

    try:
        for i in range(repeat):
            for v in variants:  # interleaved: each variant's runs see the same load
                v.clear()
                run(v, "cold", check)
                run(v, "warm", check)
                if not all_steps:  # a very large catalog: the targets there are cold, warm and peak memory
                    continue
                toggle_description(edit_target, i)
                run(v, "edit", check)
                add_dependency(edit_target)
                run(v, "dependency edit", check)
                add_asset(edit_target, i)
                run(v, "asset added", check)
                run(v, "no cache", ("--no-cache", *check))
                edit_target.write_text(original, encoding="utf-8")
                v.clear()
                run(v, "validate cold", ("validate", str(catalog)), checks=False)
                run(v, "validate warm", ("validate", str(catalog)), checks=False)
                edit_target.write_text(original.replace("type:", "typ:", 1), encoding="utf-8")  # an unknown key
                run(v, "broken validate", ("validate", str(catalog)), codes=(2,), checks=False)
                edit_target.write_text(original, encoding="utf-8")
            if baseline:
                t, _, code = timed([sys.executable, "-c", BASELINE, str(catalog), str(change)], variants[0].env)
                assert code == 0, f"baseline: exit {code}"
                for v in variants:
                    runs[v.name]["baseline"].append(t)
    finally:
        edit_target.write_text(original, encoding="utf-8")
    out = tempfile.mktemp(prefix="impact-bench-reach-")
    if all_steps:
        timed(impact("--no-cache", *check), {**variants[0].env, "IMPACT_NO_CACHE": "1"}, Path(out))
    else:  # the warm cache answers the same (tests/test_cache_*.py), in a second rather than a minute
        timed(impact(*check), variants[0].env, Path(out))
    impacted = len(json.loads(Path(out).read_text()).get("impacted", []))
    os.unlink(out)
    result = {}
    for v in variants:
        row: dict[str, float] = {k: statistics.median(t) if t else float("nan") for k, t in runs[v.name].items()}
        row.update(size=size, peak=peak[v.name], impacted=impacted)
        result[v.name] = row
    return result


def bench_big_answer(size: int, work: Path, repeat: int, variants: list[Variant]) -> dict[str, dict[str, float]]:
    """Warm ``CR-1`` (about 85% of the catalog) in text and JSON: seconds, peak MB and output MB."""
    root = work / f"n{size}"
    change = root / "changes" / "CR-1.yaml"
    result: dict[str, dict[str, float]] = {v.name: {} for v in variants}
    sink = Path(tempfile.mktemp(prefix="impact-bench-answer-"))
    for v in variants:
        timed(impact("check", str(change), "--format", "json"), v.env)  # warm the cache
    times: dict[tuple[str, str], list[float]] = {}
    for _ in range(repeat):
        for v in variants:
            for fmt in ("text", "json"):
                t, mb, code = timed(impact("check", str(change), "--format", fmt), v.env, sink, label=f"{size}|{v.name}|CR-1 {fmt}")
                assert code in (0, 1), f"{v.name} CR-1 {fmt}: exit {code}"
                times.setdefault((v.name, fmt), []).append(t)
                row = result[v.name]
                row[f"{fmt} peak"] = max(row.get(f"{fmt} peak", 0.0), mb)
                row[f"{fmt} MB"] = sink.stat().st_size / 2**20
                if fmt == "json" and "impacted" not in row:
                    row["impacted"] = _count_impacted(sink)
    sink.unlink()
    for (name, fmt), t in times.items():
        result[name][fmt] = statistics.median(t)
    return result


def _count_impacted(answer: Path) -> int:
    """How many assets a JSON answer lists, read in another process.

    Loading 100 MB of JSON here would make this process big, and a child
    process's peak memory counts its parent's at the moment it starts.
    """
    code = "import json, sys; print(len(json.load(open(sys.argv[1], 'rb'))['impacted']))"
    return int(subprocess.run([sys.executable, "-c", code, str(answer)], capture_output=True, text=True, check=True).stdout)


def bench_reach(size: int, work: Path, repeat: int, variant: Variant) -> list[tuple[str, int, float]]:
    """Warm check time of each generated change request, with the number of assets it reaches."""
    root = work / f"n{size}"
    rows = []
    for change in sorted((root / "changes").glob("CR-*.yaml")):
        out = Path(tempfile.mktemp(prefix="impact-bench-reach-"))
        timed(impact("check", str(change), "--format", "json"), variant.env, out)
        impacted = len(json.loads(out.read_text())["impacted"])
        out.unlink()
        times = [timed(impact("check", str(change)), variant.env)[0] for _ in range(repeat)]
        rows.append((change.stem, impacted, statistics.median(times)))
    return sorted(rows, key=lambda r: r[1])


# Issue #18's targets: (size, what, the row's key, the limit, unit).
TARGETS = [
    (100_000, "cold (empty cache)", "cold", 1.5, "s"),
    (100_000, "warm", "warm", 0.3, "s"),
    (100_000, "one edited file", "edit", 0.5, "s"),
    (100_000, "one edited file, a dependency added", "dependency edit", 0.5, "s"),
    (100_000, "an asset added (ids change)", "asset added", 1.0, "s"),
    (100_000, "peak memory, ordinary checks", "peak", 300, "MB"),
    (100_000, "`impact validate`, empty cache", "validate cold", 3.0, "s"),
    (100_000, "`impact validate`, warm", "validate warm", 1.0, "s"),
    (1_000_000, "warm", "warm", 1.5, "s"),
    (1_000_000, "cold (empty cache)", "cold", 15.0, "s"),
    (1_000_000, "peak memory", "peak", 1500, "MB"),
]
BIG_TARGETS = [("text", "s", 3.0, "s"), ("text peak", "MB", 500, "MB"), ("json", "s", 3.0, "s"), ("json peak", "MB", 500, "MB")]


def print_targets(rows: list[dict[str, dict[str, float]]], big: dict[str, dict[str, float]] | None) -> None:
    """Each of issue #18's targets measured here: its limit, the figure before and after, and whether it is held."""
    by_size = {next(iter(r.values()))["size"]: r for r in rows}
    lines = []
    for size, what, key, limit, unit in TARGETS:
        if size in by_size:
            found = by_size[size]
            lines.append((f"{size:,} assets: {what}", limit, unit, found.get("before", {}).get(key), found["after"][key]))
    if big is not None:
        for key, _, limit, unit in BIG_TARGETS:
            fmt = "JSON" if key.startswith("json") else "text"
            what = f"a change reaching 85%, {fmt}" + (", peak memory" if "peak" in key else "")
            lines.append((what, limit, unit, big.get("before", {}).get(key), big["after"][key]))
    if not lines:
        return
    print("\nIssue #18's targets (medians; memory: the largest of the runs)\n")
    print("| target | limit | before | after | held |")
    print("|---|---:|---:|---:|---|")
    for what, limit, unit, before, after in lines:
        print(f"| {what} | {limit:g} {unit} | {_shown(before, unit)} | {_shown(after, unit)} | {'yes' if after <= limit else '**no**'} |")


def _shown(value: float | None, unit: str) -> str:
    if value is None:
        return ""
    return f"{value:.0f} {unit}" if unit == "MB" else f"{value:.2f} {unit}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "impact-bench")
    parser.add_argument("--change", default="CR-4.yaml")
    parser.add_argument("--before", type=Path, help="another checkout whose impact package is timed beside this one")
    parser.add_argument("--after", type=Path, help="time this checkout's impact package instead of the installed one")
    parser.add_argument("--no-baseline", action="store_true", help="skip the straightforward baseline (minutes at 1,000,000 assets)")
    parser.add_argument("--big-answer", action="store_true", help="also time CR-1 (85%% of the catalog) in text and JSON at the largest size")
    parser.add_argument("--no-reach", action="store_true", help="skip the warm checks of every change request")
    parser.add_argument(
        "--all-steps-up-to",
        type=int,
        default=100000,
        help="larger sizes time only cold and warm checks (and peak memory), without the baseline; "
        "the big answer and the checks of every change request are timed at the largest size up to this",
    )
    args = parser.parse_args()
    # PYTHONDONTWRITEBYTECODE (set in some containers) would make every run compile
    # impact's modules from source; an installed impact has its bytecode.
    env = {k: v for k, v in os.environ.items() if k not in ("IMPACT_NO_CACHE", "IMPACT_CATALOG", "PYTHONDONTWRITEBYTECODE", "PYTHONPATH")}
    variants = [Variant("after", args.after.resolve() if args.after else None, env)]
    if args.before:
        variants.append(Variant("before", args.before.resolve(), env))
    try:
        rows = []
        for size in args.sizes:
            print(f"... {size} assets", file=sys.stderr, flush=True)
            full = size <= args.all_steps_up_to
            rows.append(bench_size(size, args.work, args.repeat, args.change, variants, not args.no_baseline and full, full))
        detailed = max([s for s in args.sizes if s <= args.all_steps_up_to], default=min(args.sizes))
        big = bench_big_answer(detailed, args.work, args.repeat, variants) if args.big_answer else None
        reach = [] if args.no_reach else bench_reach(detailed, args.work, args.repeat, variants[0])
    finally:
        for v in variants:
            v.clear()
    load = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"Medians of {args.repeat} runs, seconds (load average after: {load}; {os.cpu_count()} cores)\n")
    print("| assets | impact | impacted | cold | warm | one file edited | a dependency edited | an asset added | --no-cache | validate cold | validate warm | validate, broken | baseline | peak MB |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for by_variant in rows:
        for name, r in sorted(by_variant.items(), reverse=True):
            cells = " | ".join("–" if r[k] != r[k] else f"{r[k]:.2f}" for k in (*STEPS[:5], "no cache", *STEPS[6:], "baseline"))
            print(f"| {r['size']:,} | {name} | {r['impacted']:,} | {cells} | {r['peak']:.0f} |")
    if big is not None:
        print(f"\nA change reaching most of the catalog (CR-1) at {detailed:,} assets, warm\n")
        print("| impact | impacted | text s | text peak MB | text MB | JSON s | JSON peak MB | JSON MB |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        for name, r in sorted(big.items(), reverse=True):
            print(
                f"| {name} | {r['impacted']:,.0f} | {r['text']:.2f} | {r['text peak']:.0f} | {r['text MB']:.0f} | "
                f"{r['json']:.2f} | {r['json peak']:.0f} | {r['json MB']:.0f} |"
            )
    print("\nCPU seconds (user + system), medians: what the runs above cost, less sensitive to other work on the machine\n")
    labels = [*STEPS, "CR-1 text", "CR-1 json"]
    print("| assets | impact | " + " | ".join(labels) + " |")
    print("|---:|---|" + "---:|" * len(labels))
    for size in args.sizes:
        for v in sorted(variants, key=lambda v: v.name, reverse=True):
            cells = [CPU.get(f"{size}|{v.name}|{label}") for label in labels]
            print(f"| {size:,} | {v.name} | " + " | ".join(f"{statistics.median(c):.2f}" if c else "" for c in cells) + " |")
    print_targets(rows, big)
    if reach:
        print(f"\nWarm `impact check` at {detailed:,} assets, by how much of the graph the change reaches (text output)\n")
        print("| change | impacted | warm seconds |")
        print("|---|---:|---:|")
        for name, impacted, seconds in reach:
            print(f"| {name} | {impacted:,} | {seconds:.2f} |")


if __name__ == "__main__":
    main()
