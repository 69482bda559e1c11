"""The aspects rule (:mod:`impact.core.aspects`) as the impact search's edge filter."""

from __future__ import annotations

from collections.abc import Mapping

from impact.core.aspects import passes
from impact.graph.search import EdgeFilter


def carries(changed: Mapping[int, frozenset[str]], uses: Mapping[int, frozenset[str]]) -> EdgeFilter | None:
    """The rule as the search's edge filter over node and edge positions; None when every dependency carries.

    ``changed``: node position → the aspects its change items touch;
    ``uses``: edge position → what the dependency uses (no entry: every aspect).
    """
    if not uses:
        return None

    def follow(u: int, _v: int, pos: int) -> bool:
        return passes(changed.get(u), uses.get(pos))

    return follow
