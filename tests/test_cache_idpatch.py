"""Assets added, removed or renamed in one file: the patched snapshot equals one assembled afresh.

Random edits of a generated catalog (several files, cycles, notes, feeds),
written back as JSON (which is YAML): assets added with dependencies on
assets anywhere, removed (with the file's own mentions of them), renamed.
An edit that leaves the catalog broken (another file still names an asset
removed) must give the same problems as a load without the cache.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml_rs
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from impact.load import cached as cached_path
from impact.load.loader import check_catalog
from impact.store import cache
from tests.test_cache_incremental import fresh_state, state

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("gen") / "c"
    subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "generate.py"), str(folder), "--assets", "400", "--files", "6", "--seed", "5"],
        check=True,
        capture_output=True,
    )
    return folder


def _mentions(asset: dict[str, Any], aid: str) -> None:
    """Drop ``aid`` from an asset's dependencies."""
    for key in ("depends_on", "feeds"):
        if key in asset:
            asset[key] = [e for e in asset[key] if (e if isinstance(e, str) else e["asset"]) != aid]


_EDIT = st.tuples(st.sampled_from(["add", "remove", "rename"]), st.integers(0, 10**6), st.integers(0, 10**6))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.integers(0, 10**6), st.lists(_EDIT, min_size=1, max_size=4))
def test_asset_edits_are_patched_exactly(generated: Path, tmp_path_factory: pytest.TempPathFactory, pick: int, edits: list[Any]) -> None:
    base = tmp_path_factory.mktemp("case")
    root = base / "c"
    shutil.copytree(generated, root)
    cache_dir = base / "cache"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("IMPACT_CACHE_DIR", str(cache_dir))
        mp.delenv("IMPACT_NO_CACHE", raising=False)
        cache.set_enabled(None)
        assert check_catalog(root)[0] is not None  # the snapshot to patch
        files = sorted(p for p in root.glob("*.yaml") if p.name != "teams.yaml" and not p.name.startswith("tests"))
        path = files[pick % len(files)]
        data = yaml_rs.loads(path.read_text(encoding="utf-8"))
        everything = [f"{sid}:{key}" for p in files for sid, s in yaml_rs.loads(p.read_text(encoding="utf-8"))["systems"].items() for key in s["assets"]]
        for n, (kind, a, b) in enumerate(edits):
            systems = data["systems"]
            sid = sorted(systems)[a % len(systems)]
            assets = systems[sid]["assets"]
            keys = sorted(assets)
            if kind == "add" or not keys:
                assets[f"added/{n}"] = {"type": "thing", "depends_on": [everything[b % len(everything)]], "feeds": [{"asset": everything[a % len(everything)], "note": "n"}]}
                continue
            key = keys[b % len(keys)]
            gone = assets.pop(key)
            for s in systems.values():
                for other in s["assets"].values():
                    _mentions(other, f"{sid}:{key}")
            if kind == "rename":
                _mentions(gone, f"{sid}:{key}")
                assets[f"renamed/{n}"] = gone
        path.write_text(json.dumps(data), encoding="utf-8")
        assembled: list[int] = []
        real = cached_path.assemble
        mp.setattr(cached_path, "assemble", lambda records, rels: assembled.append(1) or real(records, rels))
        catalog, problems = check_catalog(root)
        mp.setattr(cached_path, "assemble", real)
        event("broken" if catalog is None else "patched")
        if catalog is None:  # broken: the same problems as without the cache
            cache.set_enabled(False)
            try:
                assert [str(p) for p in problems] == [str(p) for p in check_catalog(root)[1]]
            finally:
                cache.set_enabled(None)
        else:
            assert not assembled  # patched, not assembled again
            assert state(catalog) == fresh_state(root)
    cache.set_enabled(None)
