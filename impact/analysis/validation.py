"""``impact validate``: every problem of a catalog at once, with graph warnings."""

from __future__ import annotations

import os
from dataclasses import dataclass

from impact.core.catalog import Catalog
from impact.core.errors import Problem
from impact.graph.depgraph import DependencyGraph
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
    found = []
    cycles = list(graph.cycles())
    prefetch_places(catalog.places, (f"asset:{cycle[0]}" for cycle in cycles))
    for cycle in cycles:
        p = catalog.places[f"asset:{cycle[0]}"]
        shown = " -> ".join([*cycle, cycle[0]])
        found.append(
            Problem(
                p.file,
                p.line,
                p.col,
                f"dependency cycle: {shown} (allowed, e.g. a two-way sync; impact follows it once)",
                "warning",
            )
        )
    return found


def validate_catalog(root: str | os.PathLike[str], limits: Limits | None = None) -> ValidationReport:
    catalog, problems = check_catalog(root, limits)
    if catalog is not None:
        problems = sorted(problems + cycle_warnings(catalog, DependencyGraph(catalog)))
    return ValidationReport(catalog, problems)
