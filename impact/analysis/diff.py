"""``impact diff``: what an edit to the catalog changes, for reviewing pull requests.

Lists teams, systems, assets, dependencies and tests added, removed and
changed, and the *impact of the edit*: the assets whose ``impact check``
answer changes, because a dependency added or removed makes a change to
them reach more or fewer assets.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from impact.core.aspects import EVERY, unpack
from impact.core.catalog import AssetSource, Catalog
from impact.core.distance import DEFAULT_MAX_TOOLS
from impact.core.vocabulary import ASPECTS
from impact.graph.depgraph import DependencyGraph


@dataclass(frozen=True)
class Changed:
    id: str
    fields: dict[str, tuple[Any, Any]]
    """Field name → (old value, new value)."""


@dataclass
class Section:
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[Changed] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


@dataclass(frozen=True)
class ReachChange:
    """A change to ``asset`` now reaches ``gained`` and no longer reaches ``lost``."""

    asset: str
    gained: tuple[str, ...]
    lost: tuple[str, ...]


@dataclass
class CatalogDiff:
    old_root: str
    new_root: str
    max_tools: int
    sections: dict[str, Section]
    reach: list[ReachChange]

    @property
    def empty(self) -> bool:
        return all(s.empty for s in self.sections.values())


def _records(items: Mapping[str, Any] | AssetSource, skip: tuple[str, ...] = ()) -> dict[str, dict[str, Any]]:
    out = {}
    for key, item in items.items():
        data = asdict(item)
        out[key] = {k: v for k, v in data.items() if k not in ("id", *skip)}
    return out


def _section(old: dict[str, dict[str, Any]], new: dict[str, dict[str, Any]]) -> Section:
    section = Section(sorted(set(new) - set(old)), sorted(set(old) - set(new)))
    for key in sorted(set(old) & set(new)):
        fields = {
            f: (old[key].get(f), new[key].get(f))
            for f in sorted(set(old[key]) | set(new[key]))
            if old[key].get(f) != new[key].get(f)
        }
        if fields:
            section.changed.append(Changed(key, fields))
    return section


def _edges(catalog: Catalog) -> dict[str, dict[str, Any]]:
    # What a dependency uses (impact.core.aspects) in the vocabulary's order, and the values it tests; None when it does
    # not say.
    out = {}
    for d in catalog.dependencies:
        aspects, values = unpack(d.uses)
        said = None if aspects is None or (values and aspects == EVERY) else [a for a in ASPECTS if a in aspects]
        out[f"{d.upstream} -> {d.downstream}"] = {
            "note": d.note,
            "uses": said,
            "values": list(values) if values else None,
        }
    return out


def diff_catalogs(old: Catalog, new: Catalog, max_tools: int = DEFAULT_MAX_TOOLS) -> CatalogDiff:
    """Compare two catalogs; the reach of every asset touched by a dependency edit is recomputed.

    Only assets upstream of an added or removed dependency (in the old or the
    new graph) can reach differently, so only those are searched again.

    Examples
    --------
    >>> from impact.core.catalog import Asset, Catalog, Dependency
    >>> assets = {a: Asset(a, a[0], a[2:], "x", "t") for a in ["w:f", "m:s", "c:q"]}
    >>> old = Catalog("old", {}, {}, assets, [Dependency("w:f", "m:s")], {})
    >>> new = Catalog("new", {}, {}, assets, [Dependency("w:f", "m:s"), Dependency("m:s", "c:q")], {})
    >>> d = diff_catalogs(old, new)
    >>> d.sections["dependencies"].added
    ['m:s -> c:q']
    >>> [(r.asset, r.gained) for r in d.reach]
    [('m:s', ('c:q',)), ('w:f', ('c:q',))]
    """
    sections = {
        "teams": _section(_records(old.teams), _records(new.teams)),
        "systems": _section(_records(old.systems, ("assets",)), _records(new.systems, ("assets",))),
        "assets": _section(_records(old.assets), _records(new.assets)),
        "dependencies": _section(_edges(old), _edges(new)),
        "tests": _section(_records(old.tests), _records(new.tests)),
    }
    old_graph, new_graph = DependencyGraph(old), DependencyGraph(new)
    edited = (
        sections["dependencies"].added
        + sections["dependencies"].removed
        + [c.id for c in sections["dependencies"].changed if "uses" in c.fields or "values" in c.fields]
    )
    starts = sorted({edge.split(" -> ", 1)[0] for edge in edited})
    candidates = set(starts)
    for graph in (old_graph, new_graph):
        candidates.update(r.asset for r in graph.upstream([s for s in starts if s in graph.graph], max_tools + 1))
    reach = []
    for asset in sorted(candidates):
        # As a change that touches everything would reach it (the aspects rule: reached assets pass on their data).
        before = {r.asset for r in old_graph.impact_of({asset: EVERY}, max_tools)} if asset in old.assets else set()
        after = {r.asset for r in new_graph.impact_of({asset: EVERY}, max_tools)} if asset in new.assets else set()
        if before != after and asset in old.assets and asset in new.assets:
            reach.append(ReachChange(asset, tuple(sorted(after - before)), tuple(sorted(before - after))))
    return CatalogDiff(old.root, new.root, max_tools, sections, reach)
