"""Ids of the catalog: an asset id's parts, and the closest existing id to a typo."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any


def split_asset_id(asset_id: str) -> tuple[str, str]:
    """``'website:/products/'`` → ``('website', '/products/')``: the system is before the first ``:``."""
    system, _, key = asset_id.partition(":")
    return system, key


def suggest(kind: str, ident: str, teams: Mapping[str, Any], systems: Mapping[str, Any], assets: Mapping[str, Any]) -> str | None:
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
