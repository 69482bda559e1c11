"""Ids of the catalog: an asset id's parts, and the closest existing id to a typo."""

from __future__ import annotations

import difflib
import heapq
import re
from collections import Counter
from collections.abc import Container, Iterable, Mapping
from typing import Any

from impact.core.catalog import Catalog


def split_asset_id(asset_id: str) -> tuple[str, str]:
    """``'website:/products/'`` → ``('website', '/products/')``: the system is before the first ``:``."""
    system, _, key = asset_id.partition(":")
    return system, key


_SCAN_ALL = 200  # up to this many ids, every one is compared (difflib); above, an index picks a few
_RAREST = 8  # grams of the miss looked up, rarest first
_BUDGET = 1024  # ids counted per miss, from the rarest grams' lists on
_KEEP = 6  # candidates compared: those sharing the most of the grams looked up
_NOT_WORD = re.compile(r"[\W_]+")


def _form(ident: str) -> str:
    """An id's normalised form: case folded, only letters and digits (``Web:/Pro-ducts/`` → ``webproducts``)."""
    return _NOT_WORD.sub("", ident.casefold())


def _grams(ident: str) -> set[str]:
    text = f"^{_form(ident)}$"
    return {text[i : i + 3] for i in range(max(1, len(text) - 2))}


class NearIndex:
    """Ids by normalised form and by 3-grams: a handful of candidates per miss, not a scan of every id.

    >>> index = NearIndex([f"web:/page-{i}/" for i in range(1000)] + ["web:/products/"])
    >>> index.closest("web:/product/", 0.6), index.closest("WEB:/Products/", 0.6)
    ('web:/products/', 'web:/products/')
    """

    def __init__(self, ids: Iterable[str]) -> None:
        self.ids = sorted(set(ids))
        self.forms: dict[str, list[str]] = {}
        self.grams: dict[str, list[str]] = {}
        for ident in self.ids:
            self.forms.setdefault(_form(ident), []).append(ident)
        if len(self.ids) <= _SCAN_ALL:
            return
        for ident in self.ids:
            for gram in _grams(ident):
                self.grams.setdefault(gram, []).append(ident)

    def candidates(self, ident: str) -> list[str]:
        if len(self.ids) <= _SCAN_ALL:
            return self.ids
        same = self.forms.get(_form(ident), [])[:_KEEP]
        lists = sorted((self.grams[g] for g in _grams(ident) if g in self.grams), key=len)
        shared: Counter[str] = Counter()
        budget = _BUDGET
        for ids in lists[:_RAREST]:
            shared.update(ids[:budget])
            budget -= len(ids)
            if budget <= 0:
                break
        best = heapq.nsmallest(_KEEP, shared.items(), key=lambda item: (-item[1], item[0]))
        return sorted({*same, *(i for i, _ in best)})

    def closest(self, ident: str, cutoff: float) -> str | None:
        """The id written the same but for case and punctuation, else the most similar.

        Most similar by difflib's ratio, at least ``cutoff``, among :meth:`candidates`.
        """
        same = [i for i in self.forms.get(_form(ident), ()) if i != ident]
        if same:
            return same[0]
        matches = difflib.get_close_matches(ident, self.candidates(ident), n=1, cutoff=cutoff)
        return matches[0] if matches else None


class Suggester:
    """:func:`suggest` for many misses against one catalog: each index built once, when first needed."""

    def __init__(self) -> None:
        self._indexes: dict[int, tuple[Any, NearIndex]] = {}

    def index(self, ids: Any) -> NearIndex:
        kept = self._indexes.get(id(ids))
        if kept is None or kept[0] is not ids:
            kept = (ids, NearIndex(ids))
            self._indexes[id(ids)] = kept
        return kept[1]


def suggest(
    kind: str,
    ident: str,
    teams: Mapping[str, Any],
    systems: Mapping[str, Any],
    assets: Container[str],
    near: Suggester | None = None,
) -> str | None:
    """The closest existing id, to turn a typo into a one-line fix.

    Examples
    --------
    >>> from types import SimpleNamespace as S
    >>> systems = {"web": S(assets=("web:/products/",))}
    >>> suggest("asset", "web:/product/", {}, systems, {"web:/products/": 1})
    'web:/products/'
    >>> suggest("asset", "webb:/products/", {}, systems, {"web:/products/": 1})
    'web:/products/'
    >>> suggest("team", "salesop", {"salesops": 1}, {}, {}), suggest("team", "xyz", {"salesops": 1}, {}, {})
    ('salesops', None)
    """
    near = near or Suggester()
    if kind == "team":
        candidates: Any = teams
    else:
        system, _ = split_asset_id(ident)
        if system in systems:
            candidates = systems[system].assets
        else:
            close = near.index(systems).closest(system, 0.7)
            if close is None:
                return None
            candidates = systems[close].assets
            ident = f"{close}:{split_asset_id(ident)[1]}"
            if ident in assets:
                return ident
    return near.index(candidates).closest(ident, 0.6)


def team_list(teams: Iterable[str], most: int = 12) -> str:
    """The teams a person can choose from, for a message about a team that does not exist.

    >>> team_list(["web", "mops"]), team_list([])
    ('the teams are mops, web', 'no team is defined yet: add it under teams:')
    >>> team_list([f"t{i:02}" for i in range(20)], most=3)
    'the teams are t00, t01, t02 and 17 more'
    """
    names = sorted(teams)
    if not names:
        return "no team is defined yet: add it under teams:"
    more = f" and {len(names) - most} more" if len(names) > most else ""
    return f"the teams are {', '.join(names[:most])}{more}"


def suggest_asset(ident: str, catalog: Catalog) -> str | None:
    """The asset id a person most likely meant: a typo of an id, or a bare key (``emea-inbound``) of one asset.

    """
    if ":" not in ident:
        # A key without its system: an asset whose key is it, or ends with it after a '/'.
        found = sorted(a for a in catalog.assets if (k := a.split(":", 1)[1]) == ident or k.endswith("/" + ident))
        if len(found) == 1:
            return found[0]
        close = difflib.get_close_matches(ident, [a.split(":", 1)[1] for a in catalog.assets], n=1, cutoff=0.75)
        if close:
            return min(a for a in catalog.assets if a.split(":", 1)[1] == close[0])
        return None
    return suggest("asset", ident, catalog.teams, catalog.systems, catalog.assets)


def suggest_system(ident: str, catalog: Catalog) -> str | None:
    """The system id a person most likely meant."""
    close = difflib.get_close_matches(ident, list(catalog.systems), n=1, cutoff=0.6)
    return close[0] if close else None
