"""The folders of impact/ only import downwards (import-linter contracts in pyproject.toml)."""

import ast
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_layers_contract_holds() -> None:
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]["contracts"]
    exe = shutil.which("lint-imports") or str(Path(sys.executable).parent / "lint-imports")
    result = subprocess.run([exe, "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(rf"\b{len(contracts)} kept, 0 broken", result.stdout), result.stdout


def test_every_folder_of_the_package_is_in_the_layers() -> None:
    """A new folder under impact/ must be given its place (the contract is exhaustive)."""
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]["contracts"]
    layers = next(c for c in contracts if c["type"] == "layers")
    assert layers.get("exhaustive") is True
    named = {name.strip() for layer in layers["layers"] for name in layer.split("|")}
    folders = {p.parent.name for p in (ROOT / "impact").glob("*/__init__.py")}
    assert folders == named


def test_no_import_cycles_counting_imports_inside_functions() -> None:
    """No two modules of impact import each other, directly or round a loop, wherever the import stands.

    grimp (import-linter's engine) reads every import statement, those inside
    functions and under ``TYPE_CHECKING`` too. A lazy import hides a cycle
    from Python but not from a reader, so none is allowed.
    """
    import grimp
    import networkx as nx

    graph = grimp.build_graph("impact", cache_dir=None)
    imports = nx.DiGraph()
    for module in graph.modules:
        imports.add_node(module)
        for imported in graph.find_modules_directly_imported_by(module):
            imports.add_edge(module, imported)
    cycles = sorted(sorted(c) for c in nx.strongly_connected_components(imports) if len(c) > 1)
    assert cycles == []
    # The test can fail: a made-up loop is found.
    imports.add_edge("impact.core.errors", "impact.load.loader")
    assert any(len(c) > 1 for c in nx.strongly_connected_components(imports))


def _function_imports_without_reason(source: str) -> list[int]:
    """Lines of imports inside functions that carry no comment (on the line, or above their group of imports)."""
    import ast

    lines = source.split("\n")
    found = []
    for function in ast.walk(ast.parse(source)):
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        imports = sorted(
            (n for n in ast.walk(function) if isinstance(n, (ast.Import, ast.ImportFrom))), key=lambda n: n.lineno
        )
        group: list[ast.stmt] = []
        for node in [*imports, None]:
            end = (group[-1].end_lineno or group[-1].lineno) if group else 0
            if node is not None and group and all(not lines[i - 1].strip() for i in range(end + 1, node.lineno)) and node.lineno <= end + 2:
                group.append(node)
                continue
            if group:
                first = group[0].lineno
                commented = lines[first - 2].strip().startswith("#") or any(
                    "#" in lines[i - 1] for g in group for i in range(g.lineno, (g.end_lineno or g.lineno) + 1)
                )
                if not commented:
                    found += [g.lineno for g in group]
            group = [node] if node is not None else []
    return found


def test_every_import_inside_a_function_says_why() -> None:
    """An import inside a function is kept only where it buys start-up time, and a comment says so.

    The commands of ``impact/cli/`` are the exception by design, under one rule
    written in ``impact/cli/main.py`` (LAZY_COMMANDS): each command imports what
    it uses inside its function, so that it pays only for itself.
    """
    unexplained = {
        str(path.relative_to(ROOT)): lines
        for path in sorted((ROOT / "impact").rglob("*.py"))
        if "cli" not in path.relative_to(ROOT / "impact").parts
        and (lines := _function_imports_without_reason(path.read_text(encoding="utf-8")))
    }
    assert unexplained == {}
    # The check can fail: an import inside a function with no comment is found.
    assert _function_imports_without_reason("def f():\n    import json\n    return json\n") == [2]
    assert _function_imports_without_reason("def f():\n    # start-up time\n    import json\n    import csv\n") == []


MAX_FUNCTION_LINES = 60
MAX_MODULE_LINES = 500
LONG_FUNCTIONS = {
}
"""Functions still over :data:`MAX_FUNCTION_LINES` (issue #27), each at most as long as it is now: the list only shrinks.

The hot loops of the readers and searches (``yamlio._compose_nodes``,
``outline_places._scan``, ``search.shortest_reach``) are under the limit with
their loops whole, reading locals on every event: a helper there is called
only on a rare path. Cut them further only with the benchmark beside.
"""


def _functions() -> list[tuple[str, int]]:
    found = []
    for path in sorted((ROOT / "impact").rglob("*.py")):
        rel = path.relative_to(ROOT / "impact").as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                assert node.end_lineno is not None
                found.append((f"{rel}:{node.name}", node.end_lineno - node.lineno + 1))
    return found


def test_no_function_is_longer_than_sixty_lines() -> None:
    too_long = {name: n for name, n in _functions() if n > MAX_FUNCTION_LINES}
    grown = {name: n for name, n in too_long.items() if n > LONG_FUNCTIONS.get(name, MAX_FUNCTION_LINES)}
    assert grown == {}, f"functions over {MAX_FUNCTION_LINES} lines (cut them into named steps): {grown}"
    shrunk = sorted(name for name in LONG_FUNCTIONS if name not in too_long)
    assert shrunk == [], f"now short enough: remove them from LONG_FUNCTIONS: {shrunk}"


LONG_MODULES = {
}
"""Modules still over :data:`MAX_MODULE_LINES`, each at most this long: the list only shrinks."""


def test_no_module_is_longer_than_five_hundred_lines() -> None:
    long = {
        path.relative_to(ROOT).as_posix(): n
        for path in sorted((ROOT / "impact").rglob("*.py"))
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert {name: n for name, n in long.items() if n > LONG_MODULES.get(name, MAX_MODULE_LINES)} == {}
    assert sorted(set(LONG_MODULES) - set(long)) == [], "now short enough: remove them from LONG_MODULES"
