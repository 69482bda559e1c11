"""The files of a dbt project folder: its layout, models, seeds, snapshots and docs.

The first half of the reader; :mod:`impact.importers.dbtproject` adds the YAML files and resolves names.

A dbt project folder read as dbt would parse it, without dbt and without ``target/manifest.json``.

Most repositories never commit a compiled manifest. This reads what they do
commit: ``dbt_project.yml`` (``name``, ``model-paths``, ``seed-paths``,
``snapshot-paths``, ``test-paths`` and their dbt < 1.0 names), the models
(``.sql``, and ``.py`` models' ``dbt.ref``/``dbt.source``), the YAML files
(sources, exposures, models', seeds' and snapshots' descriptions, columns and
tests, unit tests), seeds (``.csv``), snapshots (``{% snapshot name %}``
blocks and YAML snapshots) and singular tests. Nodes are keyed as the
manifest importer keys them (``model/<name>``, ``source/<source>.<table>``,
``seed/<name>``, ``snapshot/<name>``, ``exposure/<name>``), and generic
tests get the names dbt gives them (``unique_orders_order_id``).

A ``ref`` built by Jinja is listed in :attr:`DbtProject.warnings` with its
file and line, never guessed.
"""

from __future__ import annotations

import ast
import posixpath
import re
from dataclasses import dataclass, field, replace
from typing import Any

import yaml

from impact.core.errors import ImpactError, Problem
from impact.importers.changes.model import Tree
from impact.importers.dbtjinja import Call, called_macros, jinja_calls, macro_blocks

_SKIP_DIRS = ("dbt_packages/", "dbt_modules/", "target/", "logs/", ".venv/", "venv/", "node_modules/")
_CONFIG_ARGS = {
    "severity",
    "tags",
    "enabled",
    "where",
    "limit",
    "warn_if",
    "error_if",
    "fail_calc",
    "store_failures",
    "store_failures_as",
    "meta",
    "database",
    "schema",
    "alias",
    "config",
    "description",
}
_SNAPSHOT = re.compile(r"\{%-?\s*snapshot\s+([A-Za-z_][A-Za-z0-9_]*)\s*-?%\}")
_DOCS = re.compile(r"\{%-?\s*docs\s+([A-Za-z_][A-Za-z0-9_]*)\s*-?%\}(.*?)\{%-?\s*enddocs\s*-?%\}", re.S)
_VERSIONED = re.compile(r"_v[0-9]+\.(sql|py)$")
_DOC_ANY = re.compile(r"""\{\{\s*doc\(\s*['"]([A-Za-z_][A-Za-z0-9_]*)['"]\s*\)\s*\}\}""")


@dataclass
class Node:
    """One model, seed, snapshot, source or exposure of the project."""

    key: str
    path: str = ""  # the file it is defined in (its SQL, CSV or YAML)
    text: str = ""  # the SQL of a model or snapshot, the rows of a seed
    calls: list[Call] = field(default_factory=list)
    description: str = ""
    label: str = ""
    columns: dict[str, str] = field(default_factory=dict)  # documented column → its description
    config: dict[str, object] = field(default_factory=dict)
    depends_on: list[str] = field(default_factory=list)


@dataclass
class DbtTest:
    """A dbt test: its name as dbt gives it, the nodes it covers (attached node first)."""

    name: str
    what: str
    covers: list[str]
    column: str | None = None
    description: str = ""


@dataclass
class DbtProject:
    name: str
    root: str  # the folder of dbt_project.yml in the tree ("" at the top)
    nodes: dict[str, Node] = field(default_factory=dict)
    tests: dict[str, DbtTest] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    docs: dict[str, str] = field(default_factory=dict)


def _text(tree: Tree, path: str) -> str:
    return tree.read(path).decode("utf-8-sig", errors="replace")


def _yaml(tree: Tree, path: str) -> Any:
    try:
        return yaml.load(_text(tree, path), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        raise ImpactError(
            Problem(path, line, col, f"not valid YAML ({exc.problem}); fix the file and run again")
        ) from None
    except yaml.YAMLError as exc:
        raise ImpactError(Problem(path, 0, 0, f"not valid YAML ({exc})")) from None


def find_project_file(files: list[str]) -> str | None:
    """The ``dbt_project.yml`` of a tree: the shallowest one outside installed packages.

    >>> find_project_file(["dbt_packages/x/dbt_project.yml", "analytics/dbt_project.yml", "a/b/dbt_project.yml"])
    'analytics/dbt_project.yml'
    """
    found = [f for f in files if posixpath.basename(f) == "dbt_project.yml" and not _skipped(f)]
    return min(found, key=lambda f: (f.count("/"), f)) if found else None


def _skipped(path: str) -> bool:
    return any(path.startswith(d) or f"/{d}" in path for d in _SKIP_DIRS)


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _paths(config: dict[str, Any], keys: tuple[str, ...], default: str) -> list[str]:
    for key in keys:
        value = config.get(key)
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return [v.strip("/") for v in value]
    return [default]


@dataclass
class Layout:
    """Where a project keeps each kind of file, relative to the tree's root."""

    name: str
    root: str
    models: list[str]
    seeds: list[str]
    snapshots: list[str]
    tests: list[str]
    macros: list[str]

    def under(self, path: str, folders: list[str]) -> bool:
        return any(path.startswith(posixpath.join(self.root, f) + "/") for f in folders)

    def yaml_folders(self) -> list[str]:
        return [*self.models, *self.seeds, *self.snapshots, *self.tests]


def read_layout(tree: Tree, files: list[str]) -> Layout:
    """The project's name and folders from its ``dbt_project.yml`` (refused when there is none)."""
    project_file = find_project_file(files)
    if project_file is None:
        raise ImpactError(
            Problem(
                "dbt_project.yml",
                0,
                0,
                "no dbt_project.yml in this folder: give a dbt project folder, or its target/manifest.json",
            )
        )
    config = _yaml(tree, project_file)
    if not isinstance(config, dict):
        raise ImpactError(Problem(project_file, 1, 1, "dbt_project.yml holds no settings; it needs at least 'name'"))
    root = posixpath.dirname(project_file)
    return Layout(
        _str(config.get("name")) or "project",
        root,
        _paths(config, ("model-paths", "source-paths"), "models"),
        _paths(config, ("seed-paths", "data-paths"), "seeds"),
        _paths(config, ("snapshot-paths",), "snapshots"),
        _paths(config, ("test-paths",), "tests"),
        _paths(config, ("macro-paths",), "macros"),
    )


def _python_calls(source: str) -> list[Call]:
    """``dbt.ref(...)`` and ``dbt.source(...)`` of a Python model, read with Python's own parser."""
    try:
        module = ast.parse(source)
    except (SyntaxError, ValueError):
        return []
    out = []
    for node in ast.walk(module):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("ref", "source", "config")
        ):
            literal = all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in node.args)
            call = Call(node.func.attr, node.lineno, static=literal, text=ast.unparse(node))
            if literal:
                call.args = tuple(str(a.value) for a in node.args if isinstance(a, ast.Constant))
            call.kwargs = {k.arg: k.value.value for k in node.keywords if k.arg and isinstance(k.value, ast.Constant)}
            out.append(call)
    return sorted(out, key=lambda c: c.line)


def _disabled_folders(config: Any, project: str) -> list[str]:
    """Model folders ``dbt_project.yml`` disables (``+enabled: false``), relative to the model paths."""
    out: list[str] = []
    models = config.get("models") if isinstance(config, dict) else None
    stack: list[tuple[str, Any]] = [("", models.get(project))] if isinstance(models, dict) else []
    while stack:
        prefix, level = stack.pop()
        if not isinstance(level, dict):
            continue
        if level.get("+enabled") is False or level.get("enabled") is False:
            out.append(prefix)
            continue
        stack.extend(
            (f"{prefix}{k}/", v)
            for k, v in level.items()
            if isinstance(k, str) and not k.startswith("+") and isinstance(v, dict)
        )
    return sorted(out)


class _Reader:
    """Reads one project; ``only`` (tree paths) limits which files are read, as in a change's snapshot."""

    def __init__(self, tree: Tree, only: set[str] | None = None) -> None:
        self.tree = tree
        self.files = [f for f in tree.files() if not _skipped(f)]
        self.layout = read_layout(tree, self.files)
        if only is not None and any(posixpath.basename(p) in ("dbt_project.yml",) or p.endswith(".md") for p in only):
            only = None  # the paths or the docs changed: everything may read differently
        self.only = only
        self.project = DbtProject(self.layout.name, self.layout.root)
        project_file = posixpath.join(self.layout.root, "dbt_project.yml")
        self.disabled = _disabled_folders(_yaml(tree, project_file), self.layout.name)
        self.model_files: dict[str, str] = {}  # model name → its file
        self.versions: dict[str, str] = {}  # a versioned model's file stem → the model's name
        self.kinds: dict[str, str] = {}  # name → model/seed/snapshot, for ref()
        self.pending_tests: list[tuple[DbtTest, list[Call], str]] = []  # tests whose refs are resolved last
        self.macros: dict[
            str, tuple[str, list[Call], set[str]]
        ] = {}  # the project's macros: file, calls, macros called

    def wanted(self, path: str) -> bool:
        return self.only is None or path in self.only

    def in_folders(self, folders: list[str], suffixes: tuple[str, ...]) -> list[str]:
        return [f for f in self.files if f.endswith(suffixes) and self.layout.under(f, folders)]

    def node(self, key: str, path: str = "") -> Node:
        if key not in self.project.nodes:
            self.project.nodes[key] = Node(key, path)
        return self.project.nodes[key]

    def model_disabled(self, path: str) -> bool:
        rel = path
        for folder in self.layout.models:
            prefix = posixpath.join(self.layout.root, folder) + "/"
            if path.startswith(prefix):
                rel = path[len(prefix) :]
        return any(rel.startswith(d) for d in self.disabled)

    def read_yaml(self, path: str) -> None:
        raise NotImplementedError  # dbtproject._YamlReader reads the YAML files

    def resolve(self) -> None:
        raise NotImplementedError  # dbtproject._YamlReader resolves the names

    def read(self) -> DbtProject:
        self.list_names()
        yamls = self.in_folders(self.layout.yaml_folders(), (".yml", ".yaml"))
        self.read_docs()
        self.read_macros()
        self.read_packages()
        if self.only is None or any(_VERSIONED.search(posixpath.basename(p)) for p in self.only):
            for path in yamls:  # versions first: they say which file is which model
                self.read_versions(path)
        self.read_models()
        self.read_seeds()
        self.read_snapshots()
        for path in yamls:
            if self.wanted(path):
                self.read_yaml(path)
        self.read_singular_tests()
        self.resolve()
        return self.project

    def list_names(self) -> None:
        for path in self.in_folders(self.layout.models, (".sql", ".py")):
            if not self.model_disabled(path):
                self.model_files[_stem(path)] = path
        for path in self.in_folders(self.layout.seeds, (".csv",)):
            self.kinds.setdefault(_stem(path), "seed")
        for path in self.in_folders(self.layout.snapshots, (".sql",)):
            for name in _SNAPSHOT.findall(_text(self.tree, path)):
                self.kinds[name] = "snapshot"
                self.node(f"snapshot/{name}", path)
        for stem in self.model_files:
            self.kinds[stem] = "model"

    def model_name(self, stem: str) -> str:
        return self.versions.get(stem, stem)

    def read_versions(self, path: str) -> None:
        data = _yaml(self.tree, path)
        for model in _dicts(data.get("models") if isinstance(data, dict) else None):
            name = _str(model.get("name"))
            for version in _dicts(model.get("versions")):
                stem = _str(version.get("defined_in")) or f"{name}_v{version.get('v')}"
                if name and stem in self.model_files:
                    self.versions[stem] = name
                    self.kinds[name] = "model"

    def read_models(self) -> None:
        for stem, path in sorted(self.model_files.items()):
            if not self.wanted(path):  # not read, but there: a model exists as long as its file does
                self.node(f"model/{self.model_name(stem)}", path)
                continue
            text = _text(self.tree, path)
            calls = _python_calls(text) if path.endswith(".py") else jinja_calls(text)
            config = {k: v for c in calls if c.kind == "config" for k, v in c.kwargs.items()}
            if config.get("enabled") is False:
                continue
            node = self.node(f"model/{self.model_name(stem)}", path)
            node.path, node.text, node.calls, node.config = path, text, calls, config

    def read_seeds(self) -> None:
        for path in self.in_folders(self.layout.seeds, (".csv",)):
            node = self.node(f"seed/{_stem(path)}", path)
            if self.wanted(path):
                node.text = _text(self.tree, path)

    def read_snapshots(self) -> None:
        for path in self.in_folders(self.layout.snapshots, (".sql",)):
            if not self.wanted(path):
                continue
            text = _text(self.tree, path)
            blocks = list(_SNAPSHOT.finditer(text))
            for i, block in enumerate(blocks):
                end = blocks[i + 1].start() if i + 1 < len(blocks) else len(text)
                node = self.node(f"snapshot/{block.group(1)}", path)
                node.text = text[block.start() : end]
                node.calls = jinja_calls(node.text)

    def read_packages(self) -> None:
        """The names of the packages the project installs (packages.yml or dependencies.yml): dbt_utils, ..."""
        self.packages: set[str] = set()
        for name in ("packages.yml", "dependencies.yml"):
            path = posixpath.join(self.layout.root, name)
            if path not in self.files:
                continue
            data = _yaml(self.tree, path)
            for entry in _dicts(data.get("packages") if isinstance(data, dict) else None):
                source = _str(entry.get("package")) or _str(entry.get("git")) or _str(entry.get("local"))
                if source:
                    self.packages.add(source.rstrip("/").rsplit("/", 1)[-1].removesuffix(".git").replace("-", "_"))

    def read_macros(self) -> None:
        for path in self.in_folders(self.layout.macros, (".sql",)):
            text = _text(self.tree, path)
            for name, body in macro_blocks(text).items():
                offset = text.count("\n", 0, text.find(body)) if body else 0
                calls = [replace(c, line=c.line + offset) for c in jinja_calls(body) if c.kind in ("ref", "source")]
                self.macros[name] = (path, calls, called_macros(body))

    def macro_calls(self, text: str) -> tuple[list[tuple[str, Call]], set[str]]:
        """The ref/source calls of the project's macros a file calls (through each other), and other macros it calls."""
        found: list[tuple[str, Call]] = []
        outside: set[str] = set()
        todo, seen = sorted(called_macros(text)), set()
        while todo:
            name = todo.pop()
            local = name.split(".", 1)[1] if name.startswith(f"{self.layout.name}.") else name
            if local in seen:
                continue
            seen.add(local)
            if local not in self.macros:
                outside.add(name)
                continue
            path, calls, more = self.macros[local]
            found.extend((path, c) for c in calls)
            todo.extend(sorted(more))
        return found, outside

    def read_docs(self) -> None:
        for path in self.files:
            if path.endswith(".md") and path.startswith(self.layout.root):
                for name, body in _DOCS.findall(_text(self.tree, path)):
                    self.project.docs[name] = body.strip()

    def render(self, text: Any) -> str:
        """A description with its ``{{ doc('name') }}`` blocks written out."""
        value = _str(text)
        if "doc(" not in value:
            return value.strip()
        return _DOC_ANY.sub(lambda m: self.project.docs.get(m.group(1), m.group(0)), value).strip()

    def read_singular_tests(self) -> None:
        for path in self.in_folders(self.layout.tests, (".sql",)):
            if self.wanted(path) and not _skipped(path):
                calls = jinja_calls(_text(self.tree, path))
                self.project.tests[_stem(path)] = DbtTest(
                    _stem(path),
                    "test",
                    [],
                    None,
                    "",
                )
                self.pending_tests.append((self.project.tests[_stem(path)], calls, path))


def _stem(path: str) -> str:
    return posixpath.splitext(posixpath.basename(path))[0]
