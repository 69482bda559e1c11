"""Look-alike warnings, grouped at C speed, equal those of the straightforward grouping (the oracle below)."""

from __future__ import annotations

from collections.abc import Mapping

from hypothesis import given, settings
from hypothesis import strategies as st

from impact.core.catalog import Place
from impact.core.errors import Problem
from impact.load import lookalike
from impact.load.lookalike import lookalike_warnings, skeleton


def oracle(places: Mapping[str, Place]) -> list[Problem]:
    """The grouping as first written: by (kind, skeleton of the id), every key."""
    groups: dict[tuple[str, str], list[str]] = {}
    for qualified in places:
        kind, _, ident = qualified.partition(":")
        groups.setdefault((kind, skeleton(ident)), []).append(qualified)
    pairs = {f"{kind}:{first}": keys for (kind, first), keys in groups.items() if len(keys) > 1}

    class Only(dict[str, Place]):
        pass

    # The messages are the module's: ask it for each group alone, as if the catalog held only it.
    found: list[Problem] = []
    for keys in pairs.values():
        found += lookalike_warnings(Only({key: places[key] for key in keys}))
    return sorted(found)


# Letters that collide: case, a Cyrillic a (U+0430), a fullwidth p (U+FF50), an e-acute composed or not.
LETTERS = ("a", "A", "\u0430", "p", "P", "\uff50", "e\u0301", "\u00e9", "r", "n", "m", "/", ":")
KINDS = ("team", "system", "asset", "test")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(KINDS), st.lists(st.sampled_from(LETTERS), min_size=1, max_size=3).map("".join)), max_size=25))
def test_the_warnings_are_those_of_the_straightforward_grouping(entries: list[tuple[str, str]]) -> None:
    places = {f"{kind}:{ident}": Place(f"f{i % 3}.yaml", i + 1, 3) for i, (kind, ident) in enumerate(entries)}
    if len(entries) > 1:
        places["policy"] = Place("p.yaml", 1, 1)
    assert lookalike_warnings(places) == oracle(places)


def test_the_oracle_can_tell_a_collision() -> None:
    places = {"team:web": Place("a.yaml", 2, 3), "team:Web": Place("b.yaml", 4, 3), "asset:s:p\u0430y": Place("c.yaml", 1, 1), "asset:s:pay": Place("c.yaml", 2, 1)}
    assert len(oracle(places)) == 2 == len(lookalike_warnings(places))
    assert lookalike._qualified_skeleton("asset:s:p\u0430y") == "asset:s:pay"
