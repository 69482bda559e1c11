"""``assemble`` (the fast build of a snapshot) against ``encode(merge(...))`` (the reference).

``assemble`` builds the snapshot of a valid catalog column by column and
gives up (None) on any conflict; ``merge`` walks every asset and dependency
and raises ``_Conflict`` on the first one. For every set of records, the two
must agree: the same bytes when there is no conflict, None exactly when
``merge`` finds one. Records are made by ``record_of`` from validated data,
as the loader makes them, from hand-written catalogs, the example, a
generated one, and random ones built to collide (ids defined twice,
references to nothing, dependencies on themselves, an edge declared twice
with different notes, two policies).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from impact.core.errors import ProblemList
from impact.load import linking, workers
from impact.load.files import catalog_files
from impact.read import records as read_records
from impact.read.schema import CatalogFileSpec, plain_validator
from impact.store import patch, snapshot, snapshot_build

ROOT = Path(__file__).resolve().parents[1]


def reference(records: list[Any], rels: list[str]) -> dict[str, Any] | None:
    try:
        return snapshot_build.encode(linking.merge(records), rels)
    except linking.BrokenRule:
        return None


def assembled(records: list[Any], rels: list[str]) -> dict[str, Any] | None:
    """assemble()'s snapshot without what only it keeps: the declared dependencies, for patch()."""
    built = snapshot_build.assemble(records, rels)
    return built and {k: v for k, v in built.items() if not k.startswith("edge_")}


def records_of(folder: Path) -> tuple[list[Any], list[str]]:
    files = catalog_files(folder, ProblemList())
    raws = [p.read_bytes() for p in files]
    found = workers.file_records_in_workers(raws, [str(p) for p in files], use_cache=False)
    assert None not in found, "these catalogs are valid"
    return found, [p.relative_to(folder).as_posix() for p in files]


def test_the_example_catalog_gives_the_reference_snapshot() -> None:
    records, rels = records_of(ROOT / "catalogs" / "example" / "catalog")
    built = assembled(records, rels)
    assert built is not None
    assert built == reference(records, rels)
    assert len(built["ids"].split("\0")) > 50  # the example, not an empty catalog


def test_a_generated_catalog_with_cycles_and_notes_gives_the_reference_snapshot(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "generate.py"), str(tmp_path / "c"), "--assets", "3000", "--seed", "7"],
        check=True,
        capture_output=True,
    )
    records, rels = records_of(tmp_path / "c")
    built = assembled(records, rels)
    assert built is not None and built["notes"], "the generator writes notes"
    assert built == reference(records, rels)


# --- random catalogs: mostly valid, some built to collide -------------------

NOTES = st.sampled_from([None, None, "", "sync", "webhook"])


@st.composite
def catalog(draw: st.DrawFn) -> list[dict[str, Any]]:
    """A catalog of one to four files; one in four may hold conflicts of every kind."""
    bad = draw(st.integers(0, 3)) == 0
    pool = ["crm", "web", "mkto", "bi", "ops"]
    layout: list[list[str]] = []
    for _ in range(draw(st.integers(1, 4))):
        systems = draw(st.lists(st.sampled_from(pool), max_size=2, unique=True))
        if not bad:  # a system in one file only
            systems = [sid for sid in systems if all(sid not in f for f in layout)]
        layout.append(systems)
    keys = {sid: draw(st.lists(st.sampled_from(["a", "b", "c", "d"]), min_size=1, max_size=4, unique=True)) for f in layout for sid in f}
    ids = [f"{sid}:{key}" for sid, ks in keys.items() for key in ks]
    targets = st.sampled_from([*ids, *(["crm:nowhere"] if bad else [])])
    teams = st.sampled_from(["t1", "t2", *(["t3"] if bad else [])])  # t3 is never defined
    files: list[dict[str, Any]] = []
    for fi, systems in enumerate(layout):
        data: dict[str, Any] = {}
        if fi == 0 or (bad and draw(st.booleans())):
            data["teams"] = {"t1": {"name": "One"}, "t2": {"name": "Two"}}
        out: dict[str, Any] = {}
        for sid in systems:
            assets: dict[str, Any] = {}
            for key in keys[sid]:
                aid = f"{sid}:{key}"
                asset: dict[str, Any] = {"type": draw(st.sampled_from(["form", "field", "segment"]))}
                if draw(st.booleans()):
                    asset["owner"] = draw(teams)
                if draw(st.booleans()):
                    asset["critical"] = draw(st.booleans())
                for field in ("depends_on", "feeds"):
                    deps = []
                    for target in draw(st.lists(targets, max_size=3)):
                        if target == aid and not bad:
                            continue  # a dependency on itself
                        note = draw(NOTES)
                        deps.append(target if note is None and draw(st.booleans()) else {"asset": target, **({} if note is None else {"note": note})})
                    if deps:
                        asset[field] = deps
                if draw(st.booleans()):
                    asset["consulted"] = draw(st.lists(teams, max_size=3))
                assets[key] = asset
            out[sid] = {"name": sid.upper(), "owner": draw(teams), "assets": assets}
        if out:
            data["systems"] = out
        if ids and draw(st.booleans()):
            data["tests"] = {f"T{fi}": {"name": "smoke", "covers": draw(st.lists(targets, min_size=1, max_size=3))}}
        if (fi == 0 or bad) and draw(st.integers(0, 3)) == 0:
            data["policy"] = {"minor": {"max_tool_distance": 2}}
        files.append(data)
    return files


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(catalog())
def test_random_catalogs_give_the_reference_snapshot_or_the_same_refusal(files: list[dict[str, Any]]) -> None:
    validator = plain_validator(CatalogFileSpec)
    records = [read_records.record_of(None, validator.validate_python(f)) for f in files]
    rels = [f"f{i}.yaml" for i in range(len(files))]
    built = assembled(records, rels)
    assert built == reference(records, rels)
    event("valid" if built is not None else "refused")
    if built is not None and built["notes"]:
        event("valid, with notes")


def test_an_edge_declared_twice_keeps_the_note_merge_keeps() -> None:
    # Declared from both ends: first without a note, then with two; merge keeps the first non-empty one.
    validator = plain_validator(CatalogFileSpec)
    data = {
        "teams": {"ops": {"name": "Ops"}},
        "systems": {
            "crm": {
                "name": "CRM",
                "owner": "ops",
                "assets": {
                    "a": {"type": "field", "feeds": ["crm:b", {"asset": "crm:b", "note": ""}, {"asset": "crm:b", "note": "sync"}]},
                    "b": {"type": "field", "depends_on": [{"asset": "crm:a", "note": "later"}]},
                },
            }
        },
    }
    records = [read_records.record_of(None, validator.validate_python(data))]
    built = assembled(records, ["f.yaml"])
    assert built is not None and built["notes"] == {0: "sync"}
    assert built == reference(records, ["f.yaml"])


@st.composite
def edited_dependencies(draw: st.DrawFn) -> tuple[list[dict[str, Any]], int, list[dict[str, Any]]]:
    """A valid catalog, one of its files, and the catalog with that file's dependencies redrawn."""
    files = draw(catalog().filter(lambda fs: reference(_records(fs), [str(i) for i in range(len(fs))]) is not None))
    fi = draw(st.integers(0, len(files) - 1))
    ids = [f"{sid}:{key}" for f in files for sid, system in f.get("systems", {}).items() for key in system["assets"]]
    edited = json.loads(json.dumps(files))
    for sid, system in edited[fi].get("systems", {}).items():
        for key, asset in system["assets"].items():
            for field in ("depends_on", "feeds"):
                others = [i for i in ids if i != f"{sid}:{key}"]
                deps = draw(st.lists(st.sampled_from(others), max_size=3)) if others else []
                asset[field] = [d if draw(st.booleans()) else {"asset": d, "note": draw(st.sampled_from(["", "sync", "x"]))} for d in deps]
    return files, fi, edited


def _records(files: list[dict[str, Any]]) -> list[Any]:
    validator = plain_validator(CatalogFileSpec)
    return [read_records.record_of(None, validator.validate_python(f)) for f in files]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(edited_dependencies())
def test_patching_a_files_dependencies_gives_the_snapshot_built_afresh(case: tuple[list[dict[str, Any]], int, list[dict[str, Any]]]) -> None:
    files, fi, edited = case
    rels = [f"f{i}.yaml" for i in range(len(files))]
    old, new = _records(files), _records(edited)
    data = snapshot_build.assemble(old, rels)
    assert data is not None
    patched = patch.patch(data, fi, old[fi], new[fi])
    fresh = snapshot_build.assemble(new, rels)
    assert patched == (fresh is not None)  # a dependency cycle is fine; only conflicts refuse
    if patched:
        assert fresh is not None
        for key in ("offsets", "targets", "notes", "edge_up", "edge_down", "edge_files", "edge_noted"):
            assert data[key] == fresh[key], key


def test_an_extra_asset_field_reaches_the_asset_through_every_path(monkeypatch: Any, tmp_path: Path) -> None:
    """An asset field beyond the base ones (``extra_asset_fields``) is carried by the records, both snapshots, a patch and the views.

    (docs/architecture.md, "a new asset field": the field on ``AssetSpec`` is all the catalog needs;
    tests/test_new_asset_field.py adds one to a copy of the package.)
    """
    monkeypatch.setattr(read_records, "extra_asset_fields", lambda: ("lifecycle",))

    def data(lifecycle: str) -> dict[str, Any]:
        return {
            "teams": {"web": {"name": "Web"}},
            "systems": {"site": {"name": "Site", "owner": "web", "assets": {
                "/a": {"type": "page", "lifecycle": lifecycle},
                "/b": {"type": "page", "depends_on": ["site:/a"]},
            }}},
        }  # fmt: skip

    old, new = read_records.record_of(None, data("live")), read_records.record_of(None, data("retired"))
    built = snapshot_build.assemble([old], ["a.yaml"])
    assert built is not None and built["extra"] == [(("lifecycle", "live"),), ()]
    assert assembled([old], ["a.yaml"]) == reference([old], ["a.yaml"])
    assert patch.patch(built, 0, old, new) and built["extra"] == [(("lifecycle", "retired"),), ()]
    catalog = snapshot.decode(built, tmp_path)
    assert catalog.assets["site:/a"].field("lifecycle") == "retired"
    assert catalog.assets["site:/a"].extra == (("lifecycle", "retired"),)
    assert catalog.assets["site:/b"].field("lifecycle") is None


def test_the_definition_order_worked_out_from_a_snapshot_is_the_loaders(tmp_path: Path) -> None:
    """The order of definitions is not stored: worked out from teams, systems and tests, it is what merge() met."""
    subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "generate.py"), str(tmp_path / "c"), "--assets", "2000", "--files", "9", "--seed", "3"],
        check=True,
        capture_output=True,
    )
    for folder in (ROOT / "catalogs" / "example" / "catalog", tmp_path / "c"):
        records, rels = records_of(folder)
        built = snapshot_build.assemble(records, rels)
        assert built is not None
        decoded = snapshot.decode(built, folder)
        assert list(decoded.places) == list(linking.merge(records)["places"])
        assert len(decoded.places) > 50
