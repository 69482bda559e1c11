"""Patching the adjacency after one file's dependencies changed gives what building it afresh gives (impact.store.patch_dependencies)."""

from __future__ import annotations

from array import array

from hypothesis import given, settings
from hypothesis import strategies as st

from impact.core.vocabulary import ASPECTS
from impact.store.patch_dependencies import MAX_CHANGED, merged, patch_adjacency
from impact.store.snapshot_build import adjacency

N = 7  # few assets: dependencies repeat, across files and within one
_EDGE = st.tuples(
    st.integers(0, N - 1),
    st.integers(0, N - 1),
    st.sampled_from([None, None, "", "sync", "weekly"]),
    # what a dependency uses, and the values it tests, marked '=' as records keep them (impact.read.records.said)
    st.one_of(st.none(), st.none(), st.lists(st.sampled_from([*ASPECTS, "values", "=New", "=Closed"]), min_size=1, max_size=3).map(tuple)),
).filter(lambda e: e[0] != e[1])
_FILE = st.lists(_EDGE, max_size=6)


def _columns(files: list[list[tuple]]) -> tuple[array, array, list, list, list[int]]:  # type: ignore[type-arg]
    ups, downs, noted, used, bounds = array("i"), array("i"), [], [], [0]
    for edges in files:
        for u, d, note, uses in edges:
            if note is not None:
                noted.append((len(ups), note))
            if uses is not None:
                used.append((len(ups), uses))
            ups.append(u)
            downs.append(d)
        bounds.append(len(ups))
    return ups, downs, noted, used, bounds


@settings(max_examples=400, deadline=None)
@given(st.lists(_FILE, min_size=1, max_size=4), st.data())
def test_a_patched_adjacency_equals_one_built_afresh(files, data) -> None:  # type: ignore[no-untyped-def]
    fi = data.draw(st.integers(0, len(files) - 1))
    new_file = data.draw(_FILE)
    ups, downs, noted, used, bounds = _columns(files)
    built = adjacency(N, ups, downs, noted, used)
    assert built is not None
    snapshot: dict[str, object] = dict(zip(("offsets", "targets", "notes", "uses"), built))
    new_up = array("i", [u for u, _, _, _ in new_file])
    new_down = array("i", [d for _, d, _, _ in new_file])
    new_noted = [(i, e[2]) for i, e in enumerate(new_file) if e[2] is not None]
    new_used = [(i, e[3]) for i, e in enumerate(new_file) if e[3] is not None]
    done = patch_adjacency(snapshot, ups, downs, bounds[fi], bounds[fi + 1], new_up, new_down, new_noted, new_used, dict(noted), dict(used))
    files[fi] = new_file
    after = adjacency(N, *_columns(files)[:4])
    assert after is not None
    assert done is True  # at most 6 changed dependencies here, and no self-loop
    offsets, targets, notes, uses = after
    assert snapshot["offsets"] == offsets and snapshot["targets"] == targets
    assert snapshot["notes"] == notes and snapshot["uses"] == uses


def test_a_dependency_on_itself_or_too_many_changes_are_left_to_the_full_build() -> None:
    ups, downs = array("i", [0]), array("i", [1])
    built = adjacency(3, ups, downs, [])
    assert built is not None
    snapshot: dict[str, object] = dict(zip(("offsets", "targets", "notes", "uses"), built))
    assert patch_adjacency(snapshot, ups, downs, 0, 1, array("i", [2]), array("i", [2]), [], [], {}, {}) is False
    many = array("i", range(MAX_CHANGED + 1))
    assert patch_adjacency(snapshot, ups, downs, 0, 1, many, array("i", [0] * len(many)), [], [], {}, {}) is None


def test_notes_and_uses_merge_as_the_loader_merges_them() -> None:
    assert merged([(None, None), ("later", None)]) == ("later", None)
    assert merged([("first", ("data",)), ("second", ("name",))]) == ("first", ("name", "data"))
    assert merged([(None, None)]) == (None, None)
    # values: what either declaration tests; one that tests every value (values, none named) wins
    assert merged([(None, ("values", "=New")), (None, ("values", "=Closed"))]) == (None, ("values", "=Closed", "=New"))
    assert merged([(None, ("values", "=New")), (None, ("values",))]) == (None, ("values",))
