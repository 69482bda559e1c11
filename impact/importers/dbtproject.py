"""A dbt project folder read as dbt would parse it, without dbt and without ``target/manifest.json``.

:mod:`impact.importers.dbtfiles` reads the layout, models, seeds and
snapshots; this module adds the YAML files (sources, exposures,
descriptions, columns, generic tests named as dbt names them, unit tests)
and resolves each ``ref`` and ``source`` to its node. Entry point:
:func:`read_project`.
"""

from __future__ import annotations

import re
from typing import Any

from impact.importers.changes.model import Tree
from impact.importers.dbtfiles import _CONFIG_ARGS, DbtProject, DbtTest, _dicts, _Reader, _str, _yaml, find_project_file
from impact.importers.dbtjinja import Call, jinja_calls

__all__ = ["DbtProject", "DbtTest", "find_project_file", "generic_test_name", "read_project"]


def _test_entries(holder: dict[str, Any]) -> list[Any]:
    entries = holder.get("data_tests")
    if not isinstance(entries, list):
        entries = holder.get("tests")
    return entries if isinstance(entries, list) else []


def _test_parts(entry: Any) -> tuple[str, dict[str, Any]] | None:
    """A generic test entry as dbt reads it: the test's name and its arguments."""
    if isinstance(entry, str):
        return entry, {}
    if not isinstance(entry, dict):
        return None
    entry = dict(entry)
    if "test_name" in entry:
        name = entry.pop("test_name")
        args: Any = entry
    elif len(entry) == 1:
        name, args = next(iter(entry.items()))
    else:
        return None
    args = dict(args) if isinstance(args, dict) else {}
    if isinstance(args.get("arguments"), dict):  # dbt 1.10: the test's own arguments under 'arguments:'
        args.update(args.pop("arguments"))
    return (name, args) if isinstance(name, str) else None


def generic_test_name(test: str, target: str, args: dict[str, Any]) -> str:
    """The name dbt gives a generic test (``synthesize_generic_test_names``: the full, unhashed one).

    >>> args = {"column_name": "customer_id", "to": "ref('customers')", "field": "customer_id"}
    >>> generic_test_name("relationships", "orders", args)
    'relationships_orders_customer_id__customer_id__ref_customers_'
    >>> generic_test_name("dbt_utils.expression_is_true", "orders", {"expression": "amount >= 0"})
    'dbt_utils_expression_is_true_orders_amount_0'
    """
    flat: list[str] = []
    for key in sorted(args):
        value = args[key]
        parts = (
            list(value.values())
            if isinstance(value, dict)
            else list(value)
            if isinstance(value, list | tuple)
            else [value]
        )
        flat.extend(str(p) for p in parts)
    unique = "__".join(re.sub("[^0-9a-zA-Z_]+", "_", part) for part in flat)
    return f"{test.replace('.', '_')}_{target}_{unique}"


class _YamlReader(_Reader):
    def read_yaml(self, path: str) -> None:
        data = _yaml(self.tree, path)
        if not isinstance(data, dict):
            return
        for kind in ("models", "seeds", "snapshots"):
            for entry in _dicts(data.get(kind)):
                self.read_described(kind[:-1], entry, path)
        for source in _dicts(data.get("sources")):
            for table in _dicts(source.get("tables")):
                self.read_source(source, table, path)
        for exposure in _dicts(data.get("exposures")):
            self.read_exposure(exposure, path)
        for unit in _dicts(data.get("unit_tests")):
            name, model = _str(unit.get("name")), _str(unit.get("model"))
            if name and model:
                self.project.tests[name] = DbtTest(name, "unit", [f"model/{model}"])

    def read_described(self, kind: str, entry: dict[str, Any], path: str) -> None:
        name = _str(entry.get("name"))
        config: dict[str, Any] = entry["config"] if isinstance(entry.get("config"), dict) else {}
        if not name or self.kinds.get(name) not in (kind, None):
            return
        if config.get("enabled") is False:  # disabled in its YAML: dbt leaves it out of the manifest
            self.project.nodes.pop(f"{kind}/{name}", None)
            return
        if kind == "snapshot" and isinstance(entry.get("relation"), str):  # dbt 1.9: a snapshot in YAML
            self.kinds[name] = "snapshot"
            self.node(f"snapshot/{name}", path).calls = jinja_calls("{{ " + entry["relation"] + " }}")
        if self.kinds.get(name) != kind:
            return  # documents a model that does not exist (dbt warns and skips it)
        key = f"{kind}/{name}"
        if self.only is not None and key not in self.project.nodes and not self.wanted(path):
            return
        node = self.node(key, self.model_files.get(name, path))
        node.description = self.render(entry.get("description"))
        node.columns = self.columns(entry)
        self.read_tests(entry, name, key, path)

    def columns(self, entry: dict[str, Any]) -> dict[str, str]:
        return {
            _str(c.get("name")): self.render(c.get("description"))
            for c in _dicts(entry.get("columns"))
            if _str(c.get("name"))
        }

    def read_tests(self, entry: dict[str, Any], target: str, key: str, path: str) -> None:
        holders: list[tuple[dict[str, Any], str | None]] = [(entry, None)]
        holders += [(c, _str(c.get("name"))) for c in _dicts(entry.get("columns")) if _str(c.get("name"))]
        for holder, column in holders:
            for raw in _test_entries(holder):
                parts = _test_parts(raw)
                if parts is None:
                    continue
                test, args = parts
                if column is not None:
                    args["column_name"] = column
                custom = args.pop("name", None)
                for drop in _CONFIG_ARGS:
                    args.pop(drop, None)
                name = _str(custom) or generic_test_name(test, target, args)
                what = test.rsplit(".", 1)[-1]
                described = holder.get("description") if isinstance(raw, dict) else None
                found = DbtTest(name, what, [key], column, _str(described))
                calls = [c for v in args.values() if isinstance(v, str) for c in jinja_calls("{{ " + v + " }}")]
                self.project.tests[name] = found
                self.pending_tests.append((found, calls, path))

    def read_source(self, source: dict[str, Any], table: dict[str, Any], path: str) -> None:
        sname, tname = _str(source.get("name")), _str(table.get("name"))
        config = (
            {**(source.get("config") or {}), **(table.get("config") or {})}
            if isinstance(source.get("config") or {}, dict) and isinstance(table.get("config") or {}, dict)
            else {}
        )
        if not sname or not tname or config.get("enabled") is False:
            return
        node = self.node(f"source/{sname}.{tname}", path)
        node.description = self.render(table.get("description"))
        node.columns = self.columns(table)
        node.config = {"identifier": _str(table.get("identifier")), "loader": _str(source.get("loader"))}
        node.config["relation"] = ".".join(
            p
            for p in (
                _str(table.get("database") or source.get("database")),
                _str(table.get("schema") or source.get("schema")) or sname,
                _str(table.get("identifier")) or tname,
            )
            if p
        )
        self.read_tests(table, f"{sname}_{tname}", node.key, path)

    def read_exposure(self, exposure: dict[str, Any], path: str) -> None:
        name = _str(exposure.get("name"))
        if not name:
            return
        node = self.node(f"exposure/{name}", path)
        node.description = self.render(exposure.get("description"))
        node.label = _str(exposure.get("label"))
        depends: list[Any] = exposure["depends_on"] if isinstance(exposure.get("depends_on"), list) else []
        node.calls = [c for d in depends if isinstance(d, str) for c in jinja_calls("{{ " + d + " }}")]
        node.config = {k: str(exposure.get(k)) for k in ("type", "maturity", "url") if exposure.get(k) is not None}
        owner = exposure.get("owner")
        if isinstance(owner, dict):
            node.config["owner"] = _str(owner.get("name")) or _str(owner.get("email"))

    def ref_key(self, call: Call, path: str) -> str | None:
        """The node a static call names; ``None`` (and a warning) for one built by Jinja."""
        if not call.static or not call.args:
            self.project.warnings.append(
                f"{path}:{call.line}: {call.text} is built by Jinja, so impact cannot tell what it names "
                "without running dbt; "
                "the dependency is left out (add it by hand, or import target/manifest.json after 'dbt parse')"
            )
            return None
        if call.kind == "source":
            return f"source/{call.args[0]}.{call.args[-1]}" if len(call.args) == 2 else None
        name = call.args[-1]
        kind = self.kinds.get(name)
        if kind is None:
            kind = "model"
            package = call.args[0] if len(call.args) == 2 else None
            if package in (None, self.layout.name):
                self.project.warnings.append(
                    f"{path}:{call.line}: ref('{name}') names no model, seed or snapshot of this project "
                    "(from a package?)"
                )
        return f"{kind}/{name}"

    def resolve(self) -> None:
        silent: dict[str, list[str]] = {}  # package macros → the models that read their inputs only through them
        for node in self.project.nodes.values():
            found = {self.ref_key(c, node.path) for c in node.calls if c.kind in ("ref", "source")}
            if node.text and node.key.startswith(("model/", "snapshot/")):
                through, outside = self.macro_calls(node.text)
                found |= {self.ref_key(c, path) for path, c in through}
                packaged = sorted(m for m in outside if m.split(".", 1)[0] in self.packages and "." in m)[:3]
                if not found and packaged:
                    silent.setdefault(", ".join(packaged), []).append(node.path)
            node.depends_on = sorted(k for k in found if k and k != node.key)
        for macros, paths in sorted(silent.items()):
            shown = ", ".join(sorted(paths)[:3]) + (f" and {len(paths) - 3} more" if len(paths) > 3 else "")
            self.project.warnings.append(
                f"{shown}: read no ref() or source() themselves; the package macros they call ({macros}) may, "
                "and only dbt "
                "can tell: their inputs are left out (import target/manifest.json after 'dbt parse' to get them)"
            )
        self.project.warnings = sorted(set(self.project.warnings), key=self.project.warnings.index)
        for test, calls, path in self.pending_tests:
            found = {self.ref_key(c, path) for c in calls if c.kind in ("ref", "source")}
            test.covers = [*test.covers, *sorted(k for k in found if k and k not in test.covers)]


def read_project(tree: Tree, only: set[str] | None = None) -> DbtProject:
    """The project in ``tree`` (see the module docstring); ``only`` limits the files read to those paths."""
    return _YamlReader(tree, only).read()
