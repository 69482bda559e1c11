"""Bringing the catalog snapshot up to date after an edit, cached change files, lazy warnings.

Every test compares with the answer built from nothing (``--no-cache``, or a
snapshot merged afresh from every record): the cache may only save time.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from impact.core.catalog import Catalog
from impact.load import cached as cached_path
from impact.load import change, linking, loader
from impact.load.loader import check_catalog, load_catalog
from impact.render.jsonout import dumps
from tests.helpers import RENAME_PRODUCTS, without_cache
from tests.helpers import run_cli as run

# Every test gets a cache folder of its own (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("cache_home")


def same_as_without_cache(catalog: Path, change_file: Path) -> tuple[int, str, str]:
    """check (json, text) and validate through the cache equal the plain answers; the json check."""
    for args in (
        ("check", str(change_file), "--format", "json"),
        ("check", str(change_file)),
        ("validate", str(catalog)),
    ):
        assert run(*args) == run("--no-cache", *args), args
    return run("check", str(change_file), "--format", "json")


def state(catalog: Catalog) -> dict[str, Any]:
    """Everything a catalog holds, as plain values."""
    return {
        "teams": dict(catalog.teams),
        "systems": dict(catalog.systems),
        "assets": dict(catalog.assets.items()),
        "dependencies": list(catalog.dependencies),
        "tests": dict(catalog.tests),
        "policy": catalog.policy,
        "places": list(catalog.places.items()),
        "warnings": sorted(catalog.warnings),
    }


def fresh_state(root: Path) -> dict[str, Any]:
    """The catalog merged from every file's record, with no snapshot to start from."""
    with without_cache():
        catalog, _ = check_catalog(root)
    assert catalog is not None
    return state(catalog)


@pytest.fixture
def stack(small_catalog: Path, write: Callable[..., Path]) -> tuple[Path, Path]:
    return small_catalog, write("changes/cr-1.yaml", RENAME_PRODUCTS)


def edit(path: Path, old: str | tuple[str, ...], new: str | tuple[str, ...]) -> None:
    text = path.read_text()
    for before, after in zip(*((old, new) if isinstance(old, tuple) else ((old,), (new,))), strict=True):
        assert before in text, before
        text = text.replace(before, after, 1)
    path.write_text(text)


# Edits that keep every id and dependency: the snapshot is patched, not rebuilt.
SAME_SHAPE = [
    (
        "stack.yaml",
        "/products/: {type: folder}",
        '/products/: {type: folder, description: "Product pages"}',
    ),
    ("stack.yaml", "form/demo: {type: form,", "form/demo: {type: landing-form,"),
    (
        "stack.yaml",
        "queue/emea: {type: queue, critical: true,",
        "queue/emea: {type: queue, critical: false,",
    ),
    (
        "stack.yaml",
        "segmentation/interest:\n        type: segmentation",
        "segmentation/interest:\n        type: segmentation\n        owner: sales",
    ),
    (
        "stack.yaml",
        "systems:\n",
        "# a comment that moves every line down\n\nsystems:\n",
    ),
    ("stack.yaml", "    informed: [bi]\n", "    informed: [bi, web, bi]\n"),
    (
        "stack.yaml",
        "covers: [website:form/demo, salesforce:queue/emea]",
        "covers: [salesforce:queue/emea, website:/products/]",
    ),
    ("stack.yaml", "    minutes: 15\n", "    minutes: 20\n    owner: web\n"),
    ("teams.yaml", "email: web@example.com", "email: web-team@example.com"),
    (
        "stack.yaml",
        "  marketo:\n    name: Marketo",
        "  marketo:\n    name: Marketo Engage\n    kind: automation",
    ),
]


@pytest.mark.parametrize(("file", "old", "new"), SAME_SHAPE)
def test_an_edit_that_keeps_the_shape_patches_the_snapshot(
    stack: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
    file: str,
    old: str,
    new: str,
) -> None:
    catalog, change_file = stack
    run("check", str(change_file))
    edit(catalog / file, old, new)
    monkeypatch.setattr(
        linking,
        "merge",
        lambda records: pytest.fail("merged every record instead of patching"),
    )
    cached, _ = check_catalog(catalog)
    assert cached is not None
    monkeypatch.undo()
    assert state(cached) == fresh_state(catalog)
    same_as_without_cache(catalog, change_file)


# Edits that add, remove or rename assets: room is made for them in the snapshot, which is patched (store/patch_asset_ids.py).
NEW_ASSET_IDS = [
    (
        "stack.yaml",
        "      form/demo:",
        "      page/new: {type: page, depends_on: [website:/products/]}\n      form/demo:",
    ),
    (  # renamed, with the test of the same file that covers it
        "stack.yaml",
        ("queue/emea: {type: queue", "salesforce:queue/emea]"),
        ("queue/apac: {type: queue", "salesforce:queue/apac]"),
    ),
    (  # removed, with its dependency and the test's mention of it
        "stack.yaml",
        ("      form/demo: {type: form, depends_on: [website:/products/]}\n", "website:form/demo, "),
        ("", ""),
    ),
    (  # removed while others in the file depend on it, and they no longer do
        "stack.yaml",
        (
            "      segmentation/interest:\n        type: segmentation\n        depends_on:\n          - {asset: website:/products/, note: keyed on the folder name}\n",
            "[marketo:segmentation/interest, salesforce:field/division]",
            "covers: [marketo:segmentation/interest]",
        ),
        ("", "[salesforce:field/division]", "covers: [marketo:field/division]"),
    ),
    (  # several new ones, first and last in id order, one feeding another, with notes and uses
        "stack.yaml",
        ("      /products/: {type: folder}\n", "      queue/emea:"),
        (
            "      /products/: {type: folder}\n      /aaa/: {type: folder, feeds: [{asset: salesforce:zzz/last, note: new}]}\n",
            "      zzz/last: {type: thing, depends_on: [{asset: marketo:field/division, uses: [name]}]}\n"
            "      zzz/more: {type: thing, depends_on: [{asset: marketo:field/division, uses: [values], values: [EMEA]}]}\n      queue/emea:",
        ),
    ),
    (  # moved to another system of the same file
        "stack.yaml",
        ("      form/demo: {type: form, depends_on: [website:/products/]}\n", "  salesforce:\n    name: Salesforce\n    owner: sales\n    consulted: [mops]\n    assets:\n", "website:form/demo"),
        ("", "  salesforce:\n    name: Salesforce\n    owner: sales\n    consulted: [mops]\n    assets:\n      form/demo: {type: form, depends_on: [website:/products/]}\n", "salesforce:form/demo"),
    ),
]

# Edits that change the ids of teams, systems or tests: the snapshot is merged afresh.
NEW_IDS = [
    ("stack.yaml", "  demo-routing:", "  demo-routing-emea:"),
    (
        "teams.yaml",
        "  bi: {name: Analytics}\n",
        "  bi: {name: Analytics}\n  ops: {name: Ops}\n",
    ),
]

# Edits that change dependencies only: the file's dependencies are replaced in the snapshot.
NEW_DEPENDENCIES = [
    (
        "stack.yaml",
        "form/demo: {type: form, depends_on: [website:/products/]}",
        "form/demo: {type: form}",
    ),
    (
        "stack.yaml",
        "[marketo:segmentation/interest, salesforce:field/division]",
        "[salesforce:field/division, marketo:segmentation/interest]",
    ),
    (
        "stack.yaml",
        "{asset: website:/products/, note: keyed on the folder name}",
        "{asset: website:/products/, note: keyed on the path}",
    ),
    (  # the values a dependency tests (issue #29), said, then changed
        "stack.yaml",
        "form/demo: {type: form, depends_on: [website:/products/]}",
        "form/demo: {type: form, depends_on: [{asset: website:/products/, uses: [values, logic], values: [EMEA, APAC]}]}",
    ),
    (  # values said twice for one edge: what either tests
        "stack.yaml",
        "form/demo: {type: form, depends_on: [website:/products/]}",
        "form/demo: {type: form, depends_on: [{asset: website:/products/, values: [EMEA]}, {asset: website:/products/, values: [APAC]}]}",
    ),
    (  # the same edge declared twice: one edge, with the note merge() keeps
        "stack.yaml",
        "form/demo: {type: form, depends_on: [website:/products/]}",
        "form/demo: {type: form, depends_on: [website:/products/, {asset: website:/products/, note: twice}]}",
    ),
]


def watch_assemble(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    real = cached_path.assemble
    for where in (cached_path, loader):  # the two callers: the cache's path and the loader's
        monkeypatch.setattr(where, "assemble", lambda records, rels: calls.append(1) or real(records, rels))
    return calls


@pytest.mark.parametrize(
    ("file", "old", "new", "assembled"),
    [(*edit, [1]) for edit in NEW_IDS] + [(*edit, []) for edit in NEW_DEPENDENCIES + NEW_ASSET_IDS],
)
def test_an_edit_is_patched_in_or_assembled_afresh_and_exact(
    stack: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
    file: str,
    old: str | tuple[str, ...],
    new: str | tuple[str, ...],
    assembled: list[int],
) -> None:
    # New ids: the snapshot is assembled again from every record; new
    # dependencies only: the file's dependencies are patched in.
    catalog, change_file = stack
    run("check", str(change_file))
    edit(catalog / file, old, new)
    merged = watch_assemble(monkeypatch)
    cached, _ = check_catalog(catalog)
    assert cached is not None and merged == assembled
    monkeypatch.undo()
    assert state(cached) == fresh_state(catalog)
    same_as_without_cache(catalog, change_file)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "owner: mops",
            "owner: nobody",
            "system 'marketo' owner 'nobody', which is not a team of this catalog",
        ),
        (
            "covers: [marketo:segmentation/interest]",
            "covers: [marketo:segmentation/intrest]",
            "which is not an asset of this catalog",
        ),
        ("type: field, depends_on", "type: [field], depends_on", "type"),
    ],
)
def test_an_edit_that_breaks_the_catalog_gives_the_plain_errors(
    stack: tuple[Path, Path], old: str, new: str, message: str
) -> None:
    catalog, change_file = stack
    run("check", str(change_file))
    edit(catalog / "stack.yaml", old, new)
    code, _, err = same_as_without_cache(catalog, change_file)
    assert code == 2 and message in err
    edit(
        catalog / "stack.yaml", new, old
    )  # and back: the answer is the first one again
    assert same_as_without_cache(catalog, change_file)[0] == 0


def test_several_edits_in_a_row_and_back_stay_exact(stack: tuple[Path, Path]) -> None:
    catalog, change_file = stack
    first = run("check", str(change_file), "--format", "json")
    edits = [
        SAME_SHAPE[0],
        SAME_SHAPE[2],
        SAME_SHAPE[3],
        NEW_DEPENDENCIES[2],
        NEW_ASSET_IDS[0],
        NEW_IDS[1],
        NEW_DEPENDENCIES[0],
        *SAME_SHAPE[4:],
    ]
    for file, old, new in edits:
        edit(catalog / file, old, new)
        same_as_without_cache(catalog, change_file)
        assert state(load_catalog(catalog)) == fresh_state(catalog)
    for file, old, new in reversed(edits):
        edit(catalog / file, new, old)
    assert run("check", str(change_file), "--format", "json") == first


def test_a_snapshot_of_another_catalog_is_never_patched(
    stack: tuple[Path, Path], cache_home: Path
) -> None:
    catalog, change_file = stack
    run("check", str(change_file))
    (catalog / "extra.yaml").write_text(
        "teams:\n  ops: {name: Ops}\n"
    )  # another list of files
    assert state(load_catalog(catalog)) == fresh_state(catalog)
    same_as_without_cache(catalog, change_file)


def test_a_check_computes_no_warnings_and_validate_still_reports_them(
    stack: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    catalog, change_file = stack
    edit(
        catalog / "stack.yaml",
        "covers: [website:form/demo, salesforce:queue/emea]",
        "covers: [website:form/demo]",
    )
    from impact.load import loader

    calls: list[int] = []
    real = loader._all_warnings
    monkeypatch.setattr(loader, "_all_warnings", lambda c: calls.append(1) or real(c))
    assert run("check", str(change_file))[0] == 0
    assert calls == []
    loaded = load_catalog(catalog)
    assert calls == []
    assert [p.message for p in loaded.warnings] == [
        "critical asset 'salesforce:queue/emea' is covered by no regression test"
    ]
    assert calls == [1]
    code, _, err = run("validate", str(catalog))
    assert code == 0 and "Warning: " in err and "salesforce:queue/emea" in err
    assert run("validate", str(catalog)) == run("--no-cache", "validate", str(catalog))


def test_a_valid_change_file_is_read_from_the_cache(
    stack: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, change_file = stack
    first = change.load_change(change_file)
    monkeypatch.setattr(
        change,
        "_parse_fields",
        lambda raw, name: pytest.fail("parsed the change file again"),
    )
    assert change.load_change(change_file) == first
    # Same bytes elsewhere: places name the file given, the catalog is found from it.
    other = tmp_path / "elsewhere" / "cr.yaml"
    other.parent.mkdir()
    other.write_bytes(change_file.read_bytes())
    moved = change.load_change(other)
    assert (
        moved.items[0].place.file.endswith("elsewhere/cr.yaml")
        and moved.items[0].place.line == first.items[0].place.line
    )
    assert moved.catalog == other.parent / "../catalog"


def test_a_broken_change_file_is_never_cached(
    stack: tuple[Path, Path], cache_home: Path
) -> None:
    _, change_file = stack
    change_file.write_text(RENAME_PRODUCTS.replace("action: rename", "action: renme"))
    first = run("check", str(change_file))
    assert first[0] == 2 and "renme" in first[2]
    assert (
        run("check", str(change_file))
        == first
        == run("--no-cache", "check", str(change_file))
    )
    assert not (cache_home / "changes").exists()


def test_a_damaged_change_entry_is_ignored(
    stack: tuple[Path, Path], cache_home: Path
) -> None:
    _, change_file = stack
    first = run("check", str(change_file))
    for entry in (cache_home / "changes").glob("*.bin"):
        entry.write_bytes(entry.read_bytes()[:-3])
    assert run("check", str(change_file)) == first


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.text(),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(max_size=5), children, max_size=4)
    ),
    max_leaves=30,
)


@given(json_values)
@settings(max_examples=300, deadline=None)
def test_json_text_has_the_standard_layout(value: Any) -> None:
    # The same bytes as the standard library's indented JSON, for everything impact writes.
    assert dumps(value) == json.dumps(value, indent=2, ensure_ascii=False) + "\n"
    assert json.loads(dumps(value, html_safe=True)) == value


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_json_floats_round_trip(value: float) -> None:
    assert json.loads(dumps({"x": value})) == {"x": value}


def test_values_orjson_refuses_go_to_the_standard_library() -> None:
    for value in ({True: 1}, {"x": 10**30}, {1: "a"}):
        assert dumps(value) == json.dumps(value, indent=2, ensure_ascii=False) + "\n"


def test_a_change_to_one_value_gets_the_same_answer_cold_warm_and_patched(small_catalog: Path, write: Callable[..., Path]) -> None:
    # Issue #29: the values a dependency tests travel through records, the snapshot and its patches.
    edit(
        small_catalog / "stack.yaml",
        "field/division: {type: field, depends_on: [marketo:field/division]}",
        "field/division: {type: field, depends_on: [{asset: marketo:field/division, uses: [values], values: [EMEA, APAC]}]}",
    )
    change = write(
        "changes/cr-9.yaml",
        "id: CR-9\ntitle: retire one division\nchanges:\n  - {target: marketo:field/division, action: modify, values: [LATAM]}\n",
    )
    cold = same_as_without_cache(small_catalog, change)
    assert cold == run("check", str(change), "--format", "json")  # warm
    answer = json.loads(cold[1])
    assert "salesforce:field/division" not in {a["asset"] for a in answer["impacted"]}  # tests EMEA and APAC, not LATAM
    assert answer["left_out"] == ["salesforce:field/division"]  # and the answer says so
    edit(small_catalog / "stack.yaml", "values: [EMEA, APAC]", "values: [EMEA, LATAM]")
    patched = same_as_without_cache(small_catalog, change)
    assert "salesforce:field/division" in patched[1] and "salesforce:queue/emea" in patched[1]
    text = run("check", str(change))[1]
    assert "why: marketo:field/division -> salesforce:field/division (tests 'LATAM')" in text
