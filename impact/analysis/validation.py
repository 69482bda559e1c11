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


AUTOMATIONS = frozenset({"flow", "workflow-rule", "apex-trigger", "assignment-rule", "process"})
"""Asset types that read and write fields of their own system: a loop through one is how they work, not a problem."""


def automation_loop(catalog: Catalog, cycle: list[str]) -> bool:
    """Whether a cycle stays in one system and goes through an automation (a flow that reads and writes a field)."""
    assets = catalog.assets
    systems = {assets[a].system for a in cycle}
    return len(systems) == 1 and any(assets[a].type in AUTOMATIONS for a in cycle)


def cycle_warnings(catalog: Catalog, graph: DependencyGraph, show_cycles: bool = False) -> list[Problem]:
    """A warning per dependency cycle a change can go round; automations that read and write a field: one note.

    Loops closed only by dependencies that do not carry data (a writer's
    reference to the field it writes) are not cycles a change goes round.
    With ``show_cycles``, each automation that reads and writes a field is a
    note of its own, with those fields.
    """
    found = []
    cycles = graph.cycles(carrying="data")
    prefetch_places(catalog.places, (f"asset:{cycle[0]}" for cycle in cycles))
    loops: list[list[str]] = []
    for cycle in cycles:
        if automation_loop(catalog, cycle):
            loops.append(cycle)
            continue
        p = catalog.places[f"asset:{cycle[0]}"]
        shown = " -> ".join([*cycle, cycle[0]])
        message = f"dependency cycle: {shown} (allowed, e.g. a two-way sync; impact follows it once)"
        found.append(Problem(p.file, p.line, p.col, message, "warning"))
    if not loops:
        return found
    both = _read_and_written(catalog, graph, loops)
    if show_cycles:
        prefetch_places(catalog.places, (f"asset:{a}" for a in both))
        for automation, fields in sorted(both.items()):
            p = catalog.places[f"asset:{automation}"]
            loop = next((c for c in loops if automation in c), [])
            listed = ", ".join(fields) if fields else "the loop " + " -> ".join([*loop, *loop[:1]])
            found.append(Problem(p.file, p.line, p.col, f"{automation} reads and writes {listed}", "note"))
    else:
        p = catalog.places[f"asset:{loops[0][0]}"]
        many = "s" if len(both) != 1 else ""
        message = (
            f"{len(both)} automation{many} read and write the same field (normal, not a problem); "
            "'impact validate --show-cycles' lists them"
        )
        found.append(Problem(p.file, 0, 0, message, "note"))
    return found


def _read_and_written(catalog: Catalog, graph: DependencyGraph, loops: list[list[str]]) -> dict[str, list[str]]:
    """Each automation in a loop of one system → the assets it reads and writes (depends on each way), sorted."""
    assets = catalog.assets
    out: dict[str, list[str]] = {a: [] for cycle in loops for a in cycle if assets[a].type in AUTOMATIONS}
    for first, second in graph.mutual(carrying="data"):
        if assets[first].system != assets[second].system:
            continue
        for automation, other in ((first, second), (second, first)):
            if assets[automation].type in AUTOMATIONS and assets[other].type not in AUTOMATIONS:
                out.setdefault(automation, []).append(other)
    return out


def validate_catalog(
    root: str | os.PathLike[str], limits: Limits | None = None, show_cycles: bool = False
) -> ValidationReport:
    catalog, problems = check_catalog(root, limits)
    if catalog is not None:
        problems = sorted(problems + cycle_warnings(catalog, DependencyGraph(catalog), show_cycles))
    return ValidationReport(catalog, problems)
