"""The snapshot's id column answers as the list and dict it stands for (impact.store.sorted_ids)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from impact.store.snapshot import IdsAt
from impact.store.sorted_ids import SortedIds, starts_of

# Ids as catalogs write them, and odd ones: non-ASCII (sorted by code point,
# not by UTF-8 bytes or locale), prefixes of each other, punctuation.
_ID = st.text(st.sampled_from("ab:/.-_ZéΩ漢😀 0"), min_size=1, max_size=8).filter(lambda s: "\0" not in s)


@settings(max_examples=200, deadline=None)
@given(st.lists(_ID, unique=True, max_size=300), st.lists(_ID, max_size=40))
def test_positions_and_items_match_a_list_and_a_dict(ids: list[str], probes: list[str]) -> None:
    ids.sort()
    column = SortedIds("\0".join(ids), starts_of(ids))
    oracle = {aid: i for i, aid in enumerate(ids)}
    # Lookups first (before any split), for ids present and absent.
    for aid in probes + ids[::7]:
        assert column.where.get(aid) == oracle.get(aid)
        assert (aid in column.where) == (aid in oracle)
    for i in range(0, len(ids), 5):
        assert column[i] == ids[i]
        assert column[-1 - i] == ids[-1 - i]
    assert len(column) == len(ids) and len(column.where) == len(ids)
    assert list(column) == ids and column == ids and column == SortedIds.of(ids)
    assert column[1:3] == ids[1:3]
    # Once split (every id read), answers stay the same.
    for aid in probes + ids:
        assert column.where.get(aid) == oracle.get(aid)


def test_many_reads_switch_to_the_split_list_and_dict_with_the_same_answers() -> None:
    ids = sorted(f"sys-{i % 7}:asset/{i:05d}" for i in range(5000))
    column = SortedIds.of(ids)
    assert column._list is None  # nothing split yet
    assert [column[i] for i in range(0, 5000, 3)] == ids[::3]
    assert column._list is not None  # past an eighth of the column: split once
    fresh = SortedIds.of(ids)
    assert [fresh.where[aid] for aid in ids] == list(range(5000))
    assert fresh.where._dict is not None  # past an eighth: the dict is built
    assert fresh.where.get("sys-0:asset/99999") is None


def test_an_unknown_id_or_position_fails_as_a_dict_or_list_would() -> None:
    column = SortedIds.of(["a", "b"])
    for bad in (2, -3):
        try:
            column[bad]
        except IndexError:
            pass
        else:
            raise AssertionError(f"{bad} should be out of range")
    try:
        column.where["c"]
    except KeyError:
        pass
    else:
        raise AssertionError("'c' is not an id")
    empty = SortedIds.of([])
    assert len(empty) == 0 and list(empty) == [] and empty.where.get("a") is None


def test_a_systems_ids_equal_the_tuple_they_stand_for() -> None:
    from array import array

    column = SortedIds.of(["crm:a", "crm:b", "web:x"])
    lazy = IdsAt(column, array("i", [0, 2]).tobytes())
    assert lazy == ("crm:a", "web:x") and ("crm:a", "web:x").__eq__(lazy) is NotImplemented  # so Python asks lazy
    assert hash(lazy) == hash(("crm:a", "web:x")) and list(lazy) == ["crm:a", "web:x"] and lazy[1] == "web:x" and len(lazy) == 2
