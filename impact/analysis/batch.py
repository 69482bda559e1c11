"""Checking several change files in one run (pre-commit hooks, CI), each catalog loaded once."""

from __future__ import annotations

from pathlib import Path

from impact.analysis.check import CheckResult, check_change
from impact.analysis.usecases import open_catalog
from impact.core.catalog import Catalog
from impact.core.errors import ImpactError, Problem
from impact.graph.depgraph import DependencyGraph
from impact.load.change import find_catalog, load_change


def check_many(files: list[Path], catalog_option: str | None, max_tools: int) -> tuple[list[CheckResult], list[Problem]]:
    """Check every change file; a bad file does not stop the others.

    Returns the results (sorted by change id, then file) and every problem
    found, so a hook reports all broken files in one run.
    """
    opened: dict[Path, tuple[Catalog, DependencyGraph]] = {}
    results: list[CheckResult] = []
    problems: list[Problem] = []
    for file in files:
        try:
            change = load_change(file)
            where = find_catalog([change], catalog_option)
            key = where.resolve()
            if key not in opened:
                opened[key] = open_catalog(where)
            catalog, graph = opened[key]
            results.append(check_change(catalog, graph, change, max_tools))
        except ImpactError as exc:
            problems.extend(exc.problems)
    results.sort(key=lambda r: (r.change.id, r.change.file))
    return results, sorted(set(problems))
