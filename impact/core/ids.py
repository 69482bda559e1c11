"""Ids of the catalog: an asset id's parts, and the closest existing id to a typo."""

from __future__ import annotations

import difflib
from collections.abc import Container, Mapping
from typing import Any

from impact.core.catalog import Catalog


def split_asset_id(asset_id: str) -> tuple[str, str]:
    """``'website:/products/'`` → ``('website', '/products/')``: the system is before the first ``:``."""
    system, _, key = asset_id.partition(":")
    return system, key


def suggest(
    kind: str, ident: str, teams: Mapping[str, Any], systems: Mapping[str, Any], assets: Container[str]
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
    if kind == "team":
        candidates: Any = teams
    else:
        system, _ = split_asset_id(ident)
        if system in systems:
            candidates = systems[system].assets
        else:
            close = difflib.get_close_matches(system, list(systems), n=1, cutoff=0.7)
            if not close:
                return None
            candidates = systems[close[0]].assets
            ident = f"{close[0]}:{split_asset_id(ident)[1]}"
            if ident in assets:
                return ident
    matches = difflib.get_close_matches(ident, list(candidates), n=1, cutoff=0.6)
    return matches[0] if matches else None


def suggest_asset(ident: str, catalog: Catalog) -> str | None:
    """The asset id a person most likely meant: a typo of an id, or a bare key (``emea-inbound``) of one asset."""
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
