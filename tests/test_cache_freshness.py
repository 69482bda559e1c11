"""Freshness from file metadata (impact.store.freshness): what may be trusted without reading.

Every test ends with the digests the index gives compared with the real
digests of the files' bytes: metadata may save a read, never change an
answer. Where a test needs the index to trust a file (its last change well
before it was read), the entry's read time is set in the future, since a
file's change time cannot be set back.
"""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from impact.store import freshness
from impact.store.freshness import FileIndex, stat_key
from tests.helpers import RENAME_PRODUCTS, run_cli, without_cache

OLD = 1_600_000_000 * 10**9  # 2020: a modification time long past
LATER = 4_000_000_000 * 10**9  # a read time far ahead of every file's times


def real(path: Path) -> str:
    return hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest()


def vouched(path: Path, rel: str) -> FileIndex:
    """An index that trusts ``path`` as it is now: entered as read long after its last change."""
    st = os.stat(path)
    return FileIndex({rel: (*stat_key(st), LATER, real(path))})


def tick() -> None:
    time.sleep(0.02)  # past the file-system clock's tick, so a change shows in ctime


@pytest.fixture
def afile(tmp_path: Path) -> Path:
    path = tmp_path / "a.yaml"
    path.write_bytes(b"teams: {a: {name: A}}\n")
    os.utime(path, ns=(OLD, OLD))
    return path


def test_an_unchanged_old_file_is_not_read(afile: Path) -> None:
    index = vouched(afile, "a.yaml")
    assert index.digests([afile], ["a.yaml"]) == ([real(afile)], [None])


def test_a_same_size_edit_with_its_mtime_put_back_is_read(afile: Path) -> None:
    index = vouched(afile, "a.yaml")
    tick()
    afile.write_bytes(b"teams: {b: {name: B}}\n")  # same size
    os.utime(afile, ns=(OLD, OLD))  # same mtime: only ctime tells
    digests, raws = index.digests([afile], ["a.yaml"])
    assert digests == [real(afile)] and raws == [afile.read_bytes()]


def test_a_file_replaced_by_a_rename_is_read(afile: Path, tmp_path: Path) -> None:
    index = vouched(afile, "a.yaml")
    tick()
    new = tmp_path / "new.yaml"
    new.write_bytes(b"teams: {c: {name: C}}\n")
    os.utime(new, ns=(OLD, OLD))
    os.replace(new, afile)  # what editors and git do
    digests, raws = index.digests([afile], ["a.yaml"])
    assert digests == [real(afile)] and raws[0] is not None


def test_a_file_changed_just_before_it_was_read_is_racy_and_read_every_time(afile: Path) -> None:
    index = FileIndex({})
    afile.write_bytes(b"teams: {a: {name: A}}\n")  # changed now
    first, _ = index.digests([afile], ["a.yaml"])
    # The same tick: the bytes change, no time does (forced here by putting
    # the times back; on a coarse clock it happens by itself).
    before = os.stat(afile)
    afile.write_bytes(b"teams: {z: {name: Z}}\n")
    os.utime(afile, ns=(before.st_atime_ns, before.st_mtime_ns))
    digests, raws = index.digests([afile], ["a.yaml"])
    assert raws[0] is not None and digests == [real(afile)] != first


def test_clock_skew_a_file_from_the_future_is_never_trusted(afile: Path) -> None:
    future = time.time_ns() + 3600 * 10**9
    os.utime(afile, ns=(future, future))
    index = FileIndex({})
    index.digests([afile], ["a.yaml"])
    _, raws = index.digests([afile], ["a.yaml"])
    assert raws[0] is not None  # its mtime is after its read time: racy


def test_clock_skew_an_edit_stamped_in_the_past_is_read(afile: Path) -> None:
    index = vouched(afile, "a.yaml")
    tick()
    afile.write_bytes(b"teams: {q: {name: Q}}\n")
    os.utime(afile, ns=(OLD - 10**12, OLD - 10**12))  # a clock behind: an mtime older than before
    assert index.digests([afile], ["a.yaml"])[0] == [real(afile)]


def test_trust_can_be_turned_off(afile: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    index = vouched(afile, "a.yaml")
    monkeypatch.setenv("IMPACT_TRUST_STAT", "0")
    assert index.digests([afile], ["a.yaml"])[1] == [afile.read_bytes()]


def test_the_index_is_stored_and_a_damaged_one_is_empty(afile: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IMPACT_CACHE_DIR", str(tmp_path / "cache"))
    index = FileIndex.load(tmp_path)
    index.digests([afile], ["a.yaml"])
    index.save(tmp_path)
    again = FileIndex.load(tmp_path)
    assert again.entries == index.entries and again.entries["a.yaml"][6] == real(afile)
    stored = next((tmp_path / "cache" / "index").glob("*.bin"))
    stored.write_bytes(stored.read_bytes()[:-3])
    assert FileIndex.load(tmp_path).entries == {}
    again.forget_others([])
    assert again.entries == {} and again.changed


OPS = st.lists(st.sampled_from(["edit", "edit-same-size-same-mtime", "replace", "touch-old", "touch-future", "nothing"]), max_size=8)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(OPS, st.booleans())
def test_whatever_happens_to_a_file_the_digest_is_its_bytes(tmp_path: Path, ops: list[str], vouch: bool) -> None:
    path = tmp_path / "p.yaml"
    path.write_bytes(b"x: 0000\n")
    os.utime(path, ns=(OLD, OLD))
    index = vouched(path, "p.yaml") if vouch else FileIndex({})
    for n, op in enumerate(ops):
        tick()
        st_before = os.stat(path)
        if op == "edit":
            path.write_bytes(f"x: {n}{n}\n".encode())
        elif op == "edit-same-size-same-mtime":
            path.write_bytes(f"x: {n:04d}\n".encode())
            os.utime(path, ns=(st_before.st_atime_ns, st_before.st_mtime_ns))
        elif op == "replace":
            other = tmp_path / "other.yaml"
            other.write_bytes(f"x: {n:04d}\n".encode())
            os.utime(other, ns=(st_before.st_atime_ns, st_before.st_mtime_ns))
            os.replace(other, path)
        elif op == "touch-old":
            os.utime(path, ns=(OLD, OLD))
        elif op == "touch-future":
            os.utime(path, ns=(time.time_ns() + 10**12, time.time_ns() + 10**12))
        assert index.digests([path], ["p.yaml"])[0] == [real(path)]


def test_racy_margin_covers_coarse_clocks() -> None:
    assert freshness.RACY_NS >= 2 * 10**9  # FAT stamps to two seconds


# --- through `impact check`: what the index vouches for is never stale --------


@pytest.fixture
def trusting(monkeypatch: pytest.MonkeyPatch, cache_home: Path) -> None:
    """No racy margin: a file is trusted as soon as its last change is before it was read.

    Files written by a test are seconds old at most, so with the real margin
    every file would be read every time and nothing here would test trust.
    """
    monkeypatch.setattr(freshness, "RACY_NS", 0)


def stack_with_change(small_catalog: Path) -> Path:
    change = small_catalog.parent / "changes" / "cr-1.yaml"
    change.parent.mkdir(exist_ok=True)
    change.write_text(RENAME_PRODUCTS)
    return change


@pytest.mark.usefixtures("trusting")
def test_a_warm_check_reads_no_catalog_file(small_catalog: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    change = stack_with_change(small_catalog)
    first = run_cli("check", str(change), "--format", "json")
    tick()
    monkeypatch.setattr(FileIndex, "read", lambda *a: pytest.fail(f"read {a[1]}"))
    assert run_cli("check", str(change), "--format", "json") == first


@pytest.mark.usefixtures("trusting")
@pytest.mark.parametrize("how", ["in place, mtime put back", "renamed over, mtime put back"])
def test_a_same_size_edit_changes_the_answer(small_catalog: Path, tmp_path: Path, how: str) -> None:
    change = stack_with_change(small_catalog)
    before = run_cli("check", str(change), "--format", "json")
    tick()
    stack = small_catalog / "stack.yaml"
    old = os.stat(stack)
    text = stack.read_text()
    edited = text.replace("keyed on the folder name", "KEYED ON THE FOLDER NAME")
    assert len(edited) == len(text) and edited != text
    if how.startswith("in place"):
        stack.write_text(edited)
    else:
        (tmp_path / "new.yaml").write_text(edited)
        os.replace(tmp_path / "new.yaml", stack)
    os.utime(stack, ns=(old.st_atime_ns, old.st_mtime_ns))
    after = run_cli("check", str(change), "--format", "json")
    assert "KEYED ON THE FOLDER NAME" in after[1] and after != before
    with without_cache():
        assert run_cli("check", str(change), "--format", "json") == after


def test_the_declared_dependencies_are_kept_apart_and_a_damaged_copy_only_costs_time(small_catalog: Path, cache_home: Path) -> None:
    change = stack_with_change(small_catalog)
    run_cli("check", str(change), "--format", "json")
    (side,) = (cache_home / "catalogs").glob("*.edges.bin")
    side.write_bytes(side.read_bytes()[:-5])  # truncated: no entry
    stack = small_catalog / "stack.yaml"
    stack.write_text(stack.read_text().replace("depends_on: [marketo:field/division]", "depends_on: [marketo:field/division, website:/products/]"))
    after = run_cli("check", str(change), "--format", "json")
    with without_cache():
        assert run_cli("check", str(change), "--format", "json") == after
    assert '"salesforce:field/division"' in after[1]
