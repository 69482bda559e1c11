"""Ids that a person cannot tell apart: ``payments``, ``Payments`` and ``pаyments`` (Cyrillic ``а``).

Two such ids are two different things to impact but one thing to the person
reading a report or typing a change file, so a catalog that defines both gets
a warning at the second one that names the first. Each id is reduced to a
*skeleton*: Unicode NFKC (fullwidth and mathematical letters become plain
ones), then case folding, then every non-ASCII character that looks like an
ASCII one replaced by it. Ids of the same kind with the same skeleton collide.

The look-alike table is Unicode's own confusables list (UTS #39), as shipped
by the ``confusable-homoglyphs`` package; it is imported only when an id has a
non-ASCII character, so an all-ASCII catalog pays nothing for it. ASCII is
never mapped to other ASCII (``rn``/``m``, ``l``/``1``): ids like ``turn`` and
``tum`` are common and meant.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Mapping
from functools import cache
from typing import Protocol

from impact.core.errors import Problem
from impact.store.compact import prefetch_places


class _Place(Protocol):
    # Read-only, so that frozen dataclasses such as catalog.Place match.
    @property
    def file(self) -> str: ...
    @property
    def line(self) -> int: ...
    @property
    def col(self) -> int: ...


@cache
def _ascii_lookalike(ch: str) -> str:
    """The ASCII letter or digit ``ch`` looks like, or ``ch`` itself."""
    # Unicode's confusables list, loaded only for an id that is not plain ASCII (start-up time).
    from confusable_homoglyphs import (
        confusables,  # lazy: about 50 ms and only for non-ASCII ids
    )

    found = confusables.is_confusable(ch, greedy=True, preferred_aliases=[])
    if not found:
        return ch
    plain = sorted(h["c"] for h in found[0]["homoglyphs"] if len(h["c"]) == 1 and h["c"].isascii())
    return plain[0].casefold() if plain else ch


def skeleton(ident: str) -> str:
    """What ``ident`` looks like: NFKC, case-folded, look-alike letters made ASCII.

    Examples
    --------
    >>> skeleton("Payments") == skeleton("payments") == skeleton("p\\u0430yments")
    True
    >>> skeleton("\\uff50ayments")  # fullwidth p
    'payments'
    >>> skeleton("turn") == skeleton("tum")
    False
    """
    if ident.isascii():
        return ident.casefold()
    folded = unicodedata.normalize("NFKC", ident).casefold()
    return "".join(ch if ch.isascii() else _ascii_lookalike(ch) for ch in folded)


def _qualified_skeleton(qualified: str) -> str:
    """``'<kind>:<skeleton of the id>'`` of a key ``'<kind>:<id>'``."""
    kind, _, ident = qualified.partition(":")
    return f"{kind}:{skeleton(ident)}"


def _odd_characters(ident: str) -> list[str]:
    """The non-ASCII characters of ``ident``, named, for the message."""
    odd = dict.fromkeys(ch for ch in ident if not ch.isascii())
    return [f"U+{ord(ch):04X} {unicodedata.name(ch, 'unnamed character')}" for ch in odd]


def lookalike_warnings(places: Mapping[str, _Place]) -> list[Problem]:
    """A warning for each id that looks like an earlier id of the same kind.

    ``places`` maps ``"<kind>:<id>"`` (``team:web``, ``asset:web:/p/``) to
    where the id is defined, as :attr:`impact.core.catalog.Catalog.places`
    does. The first definition (by file, line, column) is the one named.

    Examples
    --------
    >>> from impact.core.catalog import Place
    >>> found = lookalike_warnings({"team:web": Place("a.yaml", 2, 3), "team:Web": Place("b.yaml", 4, 3)})
    >>> print(found[0])
    b.yaml:4:3: team 'Web' differs from team 'web' (a.yaml:2:3) only in upper/lower case; use one spelling
    """
    # Keys are grouped by '<kind>:<skeleton of the id>'; kinds are lowercase
    # ASCII, so an ASCII key's is the key case-folded. Places are read for
    # look-alikes only: finding one may read a file.
    qualified = list(places)
    skeletons = [key.casefold() if key.isascii() else _qualified_skeleton(key) for key in qualified]
    counts = Counter(skeletons)
    groups: dict[str, list[str]] = {}
    if len(counts) < len(skeletons):
        for key, skel in zip(qualified, skeletons):
            if counts[skel] > 1:
                groups.setdefault(skel, []).append(key)
    prefetch_places(places, (key for keys in groups.values() for key in keys))
    found: list[Problem] = []
    for keys in groups.values():
        kind = keys[0].partition(":")[0]
        members = sorted(((p.file, p.line, p.col), key.partition(":")[2]) for key in keys for p in (places[key],))
        (ffile, fline, fcol), first = members[0]
        for (file, line, col), ident in members[1:]:
            if ident.casefold() == first.casefold():
                message = (
                    f"{kind} {ident!r} differs from {kind} {first!r} ({ffile}:{fline}:{fcol}) "
                    "only in upper/lower case; use one spelling"
                )
            else:
                odd = [
                    f"{which} has {', '.join(names)}"
                    for which, names in (
                        ("this one", _odd_characters(ident)),
                        ("that one", _odd_characters(first)),
                    )
                    if names
                ]
                message = (
                    f"{kind} {ident!r} looks like {kind} {first!r} ({ffile}:{fline}:{fcol}) but is a different id "
                    f"({'; '.join(odd)}); retype it with plain letters or rename one of them"
                )
            found.append(Problem(file, line, col, message, "warning"))
    return sorted(found)
