"""The catalog cache: same answers as without it, invalidated by every change, robust to damage."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings

from impact.core.catalog import Asset, Catalog, Dependency
from impact.graph.depgraph import DependencyGraph
from impact.load import linking, workers
from impact.load.loader import check_catalog
from impact.store import cache, patch
from impact.store.compact import (
    AssetColumns,
    AssetTable,
    EdgeList,
    PlaceTable,
    edge_list_from,
)
from tests.helpers import RENAME_PRODUCTS, without_cache
from tests.helpers import run_cli as run
from tests.test_graph_oracle import graphs

# Every test gets a cache folder of its own (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("cache_home")


def answers(catalog: Path, change: Path) -> list[tuple[int, str, str]]:
    """check (json) and validate, first through the cache, then without it."""
    out = [run("check", str(change), "--format", "json"), run("validate", str(catalog))]
    out += [run("--no-cache", "check", str(change), "--format", "json"), run("--no-cache", "validate", str(catalog))]
    return out


def assert_same_with_and_without_cache(catalog: Path, change: Path) -> tuple[int, str, str]:
    cached_check, cached_validate, plain_check, plain_validate = answers(catalog, change)
    assert cached_check == plain_check
    assert cached_validate == plain_validate
    return cached_check


@pytest.fixture
def stack(small_catalog: Path, write: Callable[..., Path]) -> tuple[Path, Path]:
    return small_catalog, write("changes/cr-1.yaml", RENAME_PRODUCTS)


def snapshot_files(home: Path) -> list[Path]:
    return sorted((home / "catalogs").glob("*.bin"))


def test_cold_warm_and_no_cache_give_the_same_bytes(stack: tuple[Path, Path], cache_home: Path) -> None:
    catalog, change = stack
    cold = run("check", str(change), "--format", "json")
    assert cold[0] == 0 and snapshot_files(cache_home)
    warm = run("check", str(change), "--format", "json")
    plain = run("--no-cache", "check", str(change), "--format", "json")
    assert cold == warm == plain
    assert '"marketo:segmentation/interest"' in warm[1]
    assert assert_same_with_and_without_cache(catalog, change)[0] == 0


def test_a_warm_run_parses_no_yaml(stack: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    _, change = stack
    first = run("check", str(change))
    for where in (workers, patch):  # the two callers: records built afresh, and a snapshot patched
        monkeypatch.setattr(where, "read_file_record", lambda raw, name: pytest.fail(f"parsed {name} again"))
    assert run("check", str(change)) == first


def test_only_the_edited_file_is_parsed_again(stack: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    catalog, change = stack
    run("check", str(change))
    (catalog / "teams.yaml").write_text((catalog / "teams.yaml").read_text() + "  ops: {name: Ops}\n")
    parsed: list[str] = []
    real = workers.read_file_record
    for where in (workers, patch):  # the two callers: records built afresh, and a snapshot patched
        monkeypatch.setattr(where, "read_file_record", lambda raw, name: parsed.append(Path(name).name) or real(raw, name))
    code, out, _ = run("validate", str(catalog))
    assert code == 0 and "5 teams" in out
    assert parsed == ["teams.yaml"]


def test_no_cache_writes_nothing(stack: tuple[Path, Path], cache_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    catalog, change = stack
    assert run("--no-cache", "check", str(change))[0] == 0
    monkeypatch.setenv("IMPACT_NO_CACHE", "1")
    assert run("validate", str(catalog))[0] == 0
    assert not cache_home.exists()


def test_editing_adding_deleting_and_renaming_files_is_seen(stack: tuple[Path, Path], write: Callable[..., Path]) -> None:
    catalog, change = stack
    run("check", str(change))
    # edit: a new dependency on the changed folder
    stack_file = catalog / "stack.yaml"
    stack_file.write_text(stack_file.read_text().replace("form/demo: {type: form, depends_on: [website:/products/]}", "form/demo: {type: form}"))
    out = assert_same_with_and_without_cache(catalog, change)[1]
    assert '"website:form/demo"' not in out
    # add: a file with a system that depends on the folder
    write("catalog/more/cms.yaml", "systems:\n  cms:\n    name: CMS\n    owner: web\n    assets:\n      page/home: {type: page, depends_on: [website:/products/]}\n")
    out = assert_same_with_and_without_cache(catalog, change)[1]
    assert '"cms:page/home"' in out
    # rename: places name the new file
    (catalog / "more" / "cms.yaml").rename(catalog / "more" / "web-cms.yaml")
    code, _, err = run("validate", str(catalog))
    assert code == 0 and "web-cms.yaml" not in err
    assert_same_with_and_without_cache(catalog, change)
    # delete: the system is gone
    (catalog / "more" / "web-cms.yaml").unlink()
    out = assert_same_with_and_without_cache(catalog, change)[1]
    assert "cms:page/home" not in out


def test_renamed_file_moves_warning_places(small_catalog: Path, write: Callable[..., Path]) -> None:
    write("catalog/extra.yaml", "systems:\n  crm:\n    name: CRM\n    owner: web\n    assets:\n      x: {type: field, critical: true}\n")
    code, _, err = run("validate", str(small_catalog))
    assert code == 0 and "extra.yaml:6:7: critical asset 'crm:x'" in err
    (small_catalog / "extra.yaml").rename(small_catalog / "zz.yaml")
    code, _, err = run("validate", str(small_catalog))
    assert "zz.yaml:6:7: critical asset 'crm:x'" in err and "extra.yaml" not in err


@pytest.mark.parametrize(
    "breakage",
    [
        ("stack.yaml", "owner: mops\n    informed", "owner: nobody\n    informed"),  # dangling team
        ("stack.yaml", "[website:/products/]}", "[website:/prodcts/]}"),  # dangling asset
        ("stack.yaml", "type: queue, critical: true", "type: queue, critical: yes"),  # shape
        ("stack.yaml", "  website:\n", "  website:\n    name: again\n"),  # duplicate key
        ("teams.yaml", "bi: {name: Analytics}", "bi: {name: Analytics}\n  bi: {name: Twice}"),  # duplicate YAML key
    ],
)
def test_errors_after_caching_are_the_plain_errors(stack: tuple[Path, Path], breakage: tuple[str, str, str]) -> None:
    catalog, change = stack
    run("check", str(change))
    name, old, new = breakage
    path = catalog / name
    assert old in path.read_text()
    path.write_text(path.read_text().replace(old, new, 1))
    cached_check, cached_validate, plain_check, plain_validate = answers(catalog, change)
    assert cached_validate == plain_validate and cached_validate[0] == 2 and "Error:" in cached_validate[2]
    assert cached_check == plain_check and cached_check[0] == 2


def test_an_id_defined_in_two_files_is_reported_as_before(stack: tuple[Path, Path], write: Callable[..., Path]) -> None:
    catalog, change = stack
    run("check", str(change))
    write("catalog/dup.yaml", "teams:\n  web: {name: Web again}\n")
    cached = run("validate", str(catalog))
    assert cached == run("--no-cache", "validate", str(catalog))
    assert cached[0] == 2 and "team 'web' is defined twice" in cached[2]


@pytest.mark.parametrize(
    "damage",
    [
        lambda b: b[: len(b) // 2],  # truncated
        lambda b: b[:-10] + bytes(10),  # corrupt payload
        lambda b: b"not a cache at all",  # foreign
        lambda b: b"",  # empty
        lambda b: b.replace(b"IMPACT-CACHE", b"IMPACT-CACHX", 1),  # another format
    ],
)
def test_a_damaged_cache_is_ignored_and_rebuilt(stack: tuple[Path, Path], cache_home: Path, damage: Callable[[bytes], bytes]) -> None:
    _, change = stack
    first = run("check", str(change), "--format", "json")
    for entry in [*snapshot_files(cache_home), *sorted((cache_home / "files").rglob("*.bin"))]:
        entry.write_bytes(damage(entry.read_bytes()))
    assert run("check", str(change), "--format", "json") == first
    snapshot = snapshot_files(cache_home)[0].read_bytes()
    assert snapshot.startswith(cache.MAGIC)
    assert run("check", str(change), "--format", "json") == first


def test_an_unwritable_cache_folder_still_answers(stack: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _, change = stack
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    monkeypatch.setenv("IMPACT_CACHE_DIR", str(blocker / "cache"))
    assert run("check", str(change)) == run("--no-cache", "check", str(change))


def test_cache_location(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IMPACT_CACHE_DIR", str(tmp_path / "x"))
    assert cache.cache_dir() == tmp_path / "x"
    monkeypatch.delenv("IMPACT_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.cache_dir() == tmp_path / "xdg" / "impact"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache.cache_dir() == tmp_path / "home" / ".cache" / "impact"


def test_nothing_is_written_into_the_catalog(stack: tuple[Path, Path]) -> None:
    catalog, change = stack
    before = sorted(p.relative_to(catalog) for p in catalog.rglob("*"))
    run("check", str(change))
    run("validate", str(catalog))
    assert sorted(p.relative_to(catalog) for p in catalog.rglob("*")) == before


def test_write_is_atomic_and_leaves_no_temporary_files(tmp_path: Path) -> None:
    target = tmp_path / "c" / "entry.bin"
    assert cache.write(target, "k", b"one")
    assert cache.write(target, "k", b"two")
    assert cache.read(target, "k") == b"two"
    assert cache.read(target, "other-key") is None
    assert [p.name for p in target.parent.iterdir()] == ["entry.bin"]


def test_concurrent_processes_never_corrupt_the_cache(stack: tuple[Path, Path], cache_home: Path) -> None:
    _, change = stack
    expected = run("--no-cache", "check", str(change), "--format", "json")[1]
    code = "import sys; from impact.cli.main import main; sys.argv = ['impact', 'check', sys.argv[1], '--format', 'json']; main()"
    env = {**os.environ, "IMPACT_CACHE_DIR": str(cache_home)}
    procs = [
        subprocess.Popen([sys.executable, "-c", code, str(change)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
        for _ in range(4)
    ]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0] * 4
    assert all(out == expected for out, _ in outputs)
    assert not [p for p in cache_home.rglob("*") if p.name.endswith(".tmp")]
    assert run("check", str(change), "--format", "json")[1] == expected


def test_warnings_are_the_same_warm_and_cold(small_catalog: Path, write: Callable[..., Path]) -> None:
    write("catalog/extra.yaml", "systems:\n  crm:\n    name: CRM\n    owner: web\n    assets:\n      x: {type: field, critical: true}\n")
    _, cold = check_catalog(small_catalog)
    warm_catalog, warm = check_catalog(small_catalog)
    with without_cache():
        plain_catalog, plain = check_catalog(small_catalog)
    assert cold == warm == plain and plain
    assert isinstance(warm_catalog.assets, AssetTable)  # type: ignore[union-attr]
    assert plain_catalog is not None and warm_catalog is not None
    assert dict(warm_catalog.assets) == plain_catalog.assets
    assert list(warm_catalog.dependencies) == plain_catalog.dependencies
    assert dict(warm_catalog.places) == plain_catalog.places and list(warm_catalog.places) == list(plain_catalog.places)
    assert (warm_catalog.teams, warm_catalog.systems, warm_catalog.tests) == (plain_catalog.teams, plain_catalog.systems, plain_catalog.tests)


def compact_catalog(system_of: dict[str, str], edges: list[tuple[str, str]]) -> Catalog:
    ids = sorted(system_of)
    systems = sorted(set(system_of.values()))
    cols = AssetColumns(
        ids, systems, [systems.index(system_of[a]) for a in ids], ["thing"], [0] * len(ids), ["team"], [0] * len(ids),
        bytes(len(ids)), [None] * len(ids), [()] * len(ids), [()] * len(ids), ["f"], [0] * len(ids), [1] * len(ids), [1] * len(ids),
    )  # fmt: skip
    assets = AssetTable(cols)
    notes = {(u, v): (f"{u}>{v}" if len(u) % 2 else None) for u, v in edges}
    deps = edge_list_from(ids, notes)
    return Catalog("mem", {}, {}, assets, deps, {}, places=PlaceTable(assets, {}, []))  # type: ignore[arg-type]


@settings(max_examples=200, deadline=None)
@given(graphs())
def test_compact_graph_answers_exactly_like_the_full_graph(case: tuple[dict[str, str], list[tuple[str, str]], list[str], int]) -> None:
    system_of, edges, sources, max_tools = case
    compact = DependencyGraph(compact_catalog(system_of, edges))
    assets = {a: Asset(a, s, a.split(":", 1)[1], "thing", "team") for a, s in sorted(system_of.items())}
    deps = [Dependency(u, v, f"{u}>{v}" if len(u) % 2 else None) for u, v in sorted(edges)]
    full = DependencyGraph(Catalog("mem", {}, {}, assets, deps, {}))
    assert isinstance(compact.catalog.dependencies, EdgeList)
    assert compact.downstream(sources, max_tools) == full.downstream(sources, max_tools)
    assert compact.upstream(sources, max_tools) == full.upstream(sources, max_tools)
    for u, v in edges[:5]:
        assert compact.note(u, v) == full.note(u, v)
    assert compact.note(sources[0], "nowhere:x") is None
    assert list(compact.catalog.dependencies) == deps
    assert compact.cycles() == full.cycles()
    assert sorted(compact.graph.edges) == sorted(full.graph.edges)


def test_a_reference_broken_by_another_file_is_located_exactly(stack: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    catalog, change = stack
    run("check", str(change))
    teams = catalog / "teams.yaml"
    teams.write_text(teams.read_text().replace("  mops: {name: Marketing Ops, email: mops@example.com}\n", ""))
    parsed: list[str] = []
    real = linking.DeferredYamlDoc.locate

    def spy(self: linking.DeferredYamlDoc, path: tuple[object, ...], *, key: bool = False) -> tuple[int, int]:
        if self._doc is None and not key:
            parsed.append(Path(self.file).name)
        return real(self, path, key=key)

    monkeypatch.setattr(linking.DeferredYamlDoc, "locate", spy)
    cached = run("validate", str(catalog))
    assert parsed == ["stack.yaml"]  # the unchanged file came from the cache, parsed only to locate the error
    monkeypatch.setattr(linking.DeferredYamlDoc, "locate", real)
    plain = run("--no-cache", "validate", str(catalog))
    assert cached == plain
    assert cached[0] == 2 and "stack.yaml:" in cached[2] and "'mops'" in cached[2]


def test_file_names_follow_the_working_folder_not_the_cache(small_catalog: Path, write: Callable[..., Path], monkeypatch: pytest.MonkeyPatch) -> None:
    write("catalog/extra.yaml", "systems:\n  crm:\n    name: CRM\n    owner: web\n    assets:\n      x: {type: field, critical: true}\n")
    monkeypatch.chdir(small_catalog.parent)
    first = run("validate", "catalog")
    assert "catalog/extra.yaml:6:7" in first[2]
    monkeypatch.chdir(small_catalog)
    warm = run("validate", ".")
    assert warm == run("--no-cache", "validate", ".")
    assert "extra.yaml:6:7" in warm[2] and "catalog/extra.yaml" not in warm[2]
