"""Entry points the CLI calls: load what a command needs, run the analysis."""

from __future__ import annotations

from pathlib import Path

from impact.analysis.check import CheckResult, check_change
from impact.core.catalog import Catalog
from impact.graph.depgraph import DependencyGraph
from impact.load.change import find_catalog, load_change
from impact.load.loader import load_catalog


def open_catalog(path: Path) -> tuple[Catalog, DependencyGraph]:
    """The catalog at ``path`` and its dependency graph."""
    catalog = load_catalog(path)
    return catalog, DependencyGraph(catalog)


def run_check(change_file: Path, catalog_option: str | None, max_tools: int) -> tuple[CheckResult, Path]:
    """``impact check``: returns the result and the catalog folder it used."""
    change = load_change(change_file)
    catalog_path = find_catalog([change], catalog_option)
    catalog, graph = open_catalog(catalog_path)
    return check_change(catalog, graph, change, max_tools), catalog_path
