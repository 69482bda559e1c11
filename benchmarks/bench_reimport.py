"""CPU time of re-importing a large dbt project into a file that already exists (issue #25: linear in the file).

    python benchmarks/bench_reimport.py [--models 16000] [--repeat 3]

Three imports of generated manifests, each a whole process (CPU seconds of
the child, medians):

- fresh: N models into a new file;
- grow: N models into a file that holds the first 100 (and a person's comment),
  the case that cost 35 s when every new asset was inserted with a scan;
- newer: a newer export that drops 1% of the dependencies and tests, into the
  file of the fresh import (the removals of the import record).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any


def manifest(models: int, drop: float = 0.0, seed: int = 0) -> dict[str, Any]:
    rnd = random.Random(seed)
    nodes: dict[str, Any] = {}
    for i in range(models):
        uid = f"model.proj.m{i:05d}"
        deps = sorted({f"model.proj.m{rnd.randrange(i):05d}" for _ in range(min(i, 2))})
        deps = [d for d in deps if rnd.random() >= drop]
        nodes[uid] = {"resource_type": "model", "name": f"m{i:05d}", "unique_id": uid, "depends_on": {"nodes": deps}}
    for i in range(0, models, 4):
        if rnd.random() < drop:
            continue
        tid = f"test.proj.not_null_m{i:05d}_id.{i}"
        nodes[tid] = {"resource_type": "test", "name": f"not_null_m{i:05d}_id", "unique_id": tid,
                      "depends_on": {"nodes": [f"model.proj.m{i:05d}"]}}
    return {"metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/manifest/v12.json"}, "nodes": nodes}


def cpu(cmd: list[str]) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "CI": "1"})
    if done.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{done.stdout}{done.stderr}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", type=int, default=16000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    impact = str(Path(sys.executable).parent / "impact")
    rows: dict[str, list[float]] = {"fresh": [], "grow": [], "newer": []}
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        for name, data in (("small", manifest(100)), ("full", manifest(args.models)), ("newer", manifest(args.models, 0.01, 0))):
            (base / f"{name}.json").write_text(json.dumps(data), encoding="utf-8")
        for run in range(args.repeat):
            out = base / f"run{run}"
            rows["fresh"].append(cpu([impact, "import", "dbt", str(base / "full.json"), "--owner", "data", "-o", str(out / "a" / "fresh.yaml")]))
            cpu([impact, "import", "dbt", str(base / "small.json"), "--owner", "data", "-o", str(out / "b" / "grow.yaml")])
            grow = out / "b" / "grow.yaml"
            grow.write_text("# a person's comment\n" + grow.read_text(encoding="utf-8"), encoding="utf-8")
            rows["grow"].append(cpu([impact, "import", "dbt", str(base / "full.json"), "--owner", "data", "-o", str(grow)]))
            rows["newer"].append(cpu([impact, "import", "dbt", str(base / "newer.json"), "--owner", "data", "-o", str(out / "a" / "fresh.yaml")]))
    for name, values in rows.items():
        print(f"{name:>6}: {statistics.median(values):6.2f} s CPU  ({args.models:,} models; runs: {', '.join(f'{v:.2f}' for v in values)})")


if __name__ == "__main__":
    main()
