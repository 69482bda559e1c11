"""``impact validate``: every problem of a catalog at once, with graph warnings."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from impact.core.catalog import Catalog
from impact.core.errors import Problem
from impact.graph.depgraph import DependencyGraph
from impact.graph.search import cyclic_components, first_cycle
from impact.load.loader import check_catalog
from impact.read.limits import Limits
from impact.store.compact import prefetch_places


@dataclass(frozen=True)
class ValidationReport:
    catalog: Catalog | None
    problems: list[Problem]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]


def cycle_warnings(catalog: Catalog, graph: DependencyGraph) -> list[Problem]:
    return _cycle_problems(graph.cycles(), catalog.places)


def _cycle_problems(cycles: list[list[str]], places: Mapping[str, Any]) -> list[Problem]:
    found = []
    prefetch_places(places, (f"asset:{cycle[0]}" for cycle in cycles))
    for cycle in cycles:
        p = places.get(f"asset:{cycle[0]}")
        if p is None:  # a cycle through an id no file defines: that error is reported
            continue
        shown = " -> ".join([*cycle, cycle[0]])
        found.append(Problem(p.file, p.line, p.col, f"dependency cycle: {shown} (allowed, e.g. a two-way sync; impact follows it once)", "warning"))
    return found


def edge_cycles(edges: Iterable[tuple[str, str]], places: Mapping[str, Any]) -> list[Problem]:
    """The cycle warnings of a catalog with errors, from the dependencies it could read (as ``DependencyGraph.cycles``)."""
    import numpy as np  # only for a catalog with errors (start-up time)

    pairs = list(edges)
    ids = sorted({aid for pair in pairs for aid in pair})
    index = {aid: i for i, aid in enumerate(ids)}
    ups = np.fromiter((index[u] for u, _ in pairs), dtype=np.int64, count=len(pairs))
    downs = np.fromiter((index[d] for _, d in pairs), dtype=np.int64, count=len(pairs))
    order = np.lexsort((downs, ups))  # rows by upstream, each row's targets in id order, as the snapshot keeps them
    offsets = np.concatenate(([0], np.cumsum(np.bincount(ups, minlength=len(ids))))).tolist()
    targets = downs[order].tolist()
    cycles = []
    for component in cyclic_components(offsets, targets):
        cycle = [ids[u] for u in first_cycle(offsets, targets, set(component), min(component))]
        first = cycle.index(min(cycle))
        cycles.append(cycle[first:] + cycle[:first])
    return _cycle_problems(sorted(cycles), places)


def validate_catalog(root: str | os.PathLike[str], limits: Limits | None = None) -> ValidationReport:
    catalog, problems = check_catalog(root, limits, edge_warnings=edge_cycles)
    if catalog is not None:
        problems = sorted(problems + cycle_warnings(catalog, DependencyGraph(catalog)))
    return ValidationReport(catalog, problems)
