"""A Google Tag Manager container (or workspace) export → catalog assets and dependencies.

Canonical ids (system ``gtm`` unless ``--system``): ``tag/<name>``,
``trigger/<name>``, ``variable/<name>``, names as in the container. A tag
depends on its firing and blocking triggers (built-in triggers such as All
Pages get their names too) and on the tags it is sequenced after; a trigger
group depends on the triggers it groups; tags,
triggers and variables depend on the variables they use (``{{Page Path}}``);
a built-in variable has one id whatever the spelling (``{{_event}}`` and
``{{Event}}`` are ``variable/Event``: see :mod:`impact.importers.gtm_builtins`).

With a website system, a trigger whose condition on the page path (or URL)
equals, starts with or contains a folder depends on that folder
(``website:/products/``) and on each folder above it that is an asset of the
catalog, using its name (``uses: [name]``).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from impact.core.errors import ImpactError, Problem, display_path
from impact.importers.gtm_builtins import builtin_names, normal, resolve
from impact.importers.gtm_values import trigger_values
from impact.importers.merge import Imported, ImportedAsset
from impact.importers.shapes import GtmContainer, check_shape
from impact.importers.xmlread import read_json

# Triggers every container has without defining them; exports name them only by id.
BUILT_IN_TRIGGERS = {
    "2147479553": "All Pages",
    "2147479572": "Consent Initialization - All Pages",
    "2147479573": "Initialization - All Pages",
}
_VAR = re.compile(r"\{\{\s*([^{}]+?)\s*\}\}")
_PATH_VARIABLES = {"page path", "page url"}
_PATH_MATCHES = {"EQUALS", "STARTS_WITH", "CONTAINS"}


def _strings(value: Any) -> list[str]:
    out: list[str] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return out


def _variables_used(value: Any) -> set[str]:
    return {m.group(1) for text in _strings(value) for m in _VAR.finditer(text)}


def _container(data: Any, name: str) -> dict[str, Any]:
    if isinstance(data, dict) and isinstance(data.get("containerVersion"), dict):
        container: dict[str, Any] = data["containerVersion"]
        return container
    if isinstance(data, dict) and any(isinstance(data.get(k), list) for k in ("tag", "trigger", "variable")):
        return data  # a workspace export: the lists at the top
    if isinstance(data, dict) and ("nodes" in data and "metadata" in data):
        raise ImpactError(
            Problem(name, 1, 1, "this is a dbt manifest, not a Google Tag Manager export: use 'impact import dbt'")
        )
    raise ImpactError(
        Problem(
            name,
            1,
            1,
            "not a Google Tag Manager export (no 'containerVersion' and no tag, trigger or variable lists); export "
            "the container from Admin > Export Container",
        )
    )


def read_gtm_export(
    path: Path,
    system: str = "gtm",
    owner: str | None = None,
    website: str | None = None,
    known: dict[str, dict[str, str | None]] | None = None,
) -> Imported:
    """Tags, triggers and variables of a container export (see the module docstring)."""
    name = display_path(path)
    data = read_json(path, "Google Tag Manager export")
    container = _container(data, name)
    at = "containerVersion" if container is not data else ""
    check_shape(GtmContainer, container, name, "Google Tag Manager export", at)
    tags = [t for t in container.get("tag") or [] if isinstance(t, dict) and isinstance(t.get("name"), str)]
    triggers = [t for t in container.get("trigger") or [] if isinstance(t, dict) and isinstance(t.get("name"), str)]
    variables = [v for v in container.get("variable") or [] if isinstance(v, dict) and isinstance(v.get("name"), str)]
    built_in_vars = [
        v for v in container.get("builtInVariable") or [] if isinstance(v, dict) and isinstance(v.get("name"), str)
    ]
    if not (tags or triggers or variables):
        raise ImpactError(Problem(name, 0, 0, "the export has no tags, triggers or variables"))

    imported = Imported(name, "gtm")
    target = imported.system(system)
    target.name, target.kind, target.owner = "Google Tag Manager", "tag-manager", owner
    assets = _Assets(target.assets, system, {v["name"] for v in variables}, builtin_names(built_in_vars))
    assets.trigger_names = {str(t.get("triggerId")): t["name"] for t in triggers}
    if website and known and website in known:
        assets.website, assets.website_assets = website, known[website]
    for var in built_in_vars:
        assets.add(f"variable/{assets.variable(var['name'])}", "variable", "Built-in variable")
    for var in variables:
        key = f"variable/{var['name']}"
        assets.add(key, "variable", var.get("notes") or None)
        assets.use_variables(key, var.get("parameter"))
    for trig in triggers:
        assets.add_trigger(trig)
    for tag in tags:
        assets.add_tag(tag)
    for item in target.assets.values():
        item.depends_on.sort()
    return imported


class _Assets:
    """The assets of the container's system as they are read: each added once, each dependency listed once."""

    def __init__(
        self, assets: dict[str, ImportedAsset], system: str, defined: set[str], builtins: dict[str, str]
    ) -> None:
        self.assets = assets
        self.system = system
        self.defined = defined
        """The names of the container's own variables."""
        self.builtins = builtins
        """{{_event}}, {{Event}}, {{event}}: one variable (see gtm_builtins)."""
        self.trigger_names: dict[str, str] = {}
        """The container's triggers' names by id."""
        self.website: str | None = None
        self.website_assets: dict[str, str | None] = {}
        """The website's assets, whose folders a trigger's page-path conditions may name."""

    def variable(self, name: str) -> str:
        """The name of a variable's asset (a built-in variable has one, however it is spelt)."""
        return resolve(name, self.defined, self.builtins)

    def trigger(self, tid: str) -> str:
        """The key of the trigger ``tid``'s asset, added if new."""
        tname = self.trigger_names.get(tid) or BUILT_IN_TRIGGERS.get(tid) or f"Built-in trigger {tid}"
        self.add(f"trigger/{tname}", "trigger", None if tid in self.trigger_names else "Built-in trigger")
        return f"trigger/{tname}"

    def add(self, key: str, type_: str, description: str | None = None) -> ImportedAsset:
        assets = self.assets
        if key not in assets:
            assets[key] = ImportedAsset(type_, None, description, [])
        elif description and not assets[key].description:
            assets[key].description = description
        return assets[key]

    def depend(self, key: str, upstream: str) -> None:
        dep = f"{self.system}:{upstream}" if ":" not in upstream.split("/", 1)[0] else upstream
        if upstream != key and dep not in self.assets[key].depends_on:
            self.assets[key].depends_on.append(dep)

    def use_variables(self, key: str, value: Any) -> None:
        for var in sorted({self.variable(v) for v in _variables_used(value)}):
            vkey = f"variable/{var}"
            self.add(vkey, "variable", None if var in self.defined else "Built-in variable")
            self.depend(key, vkey)

    def add_trigger(self, trig: dict[str, Any]) -> None:
        """A trigger, with the variables, triggers and website folders it depends on."""
        key = f"trigger/{trig['name']}"
        self.add(key, "trigger", trig.get("notes") or None)
        conditions = [trig.get(k) for k in ("filter", "autoEventFilter", "customEventFilter")]
        self.use_variables(key, conditions)
        # {{Event}} equals form_submit: tests that value (issue #29)
        for variable, values in trigger_values(conditions).items():
            dep = f"{self.system}:variable/{self.variable(variable)}"
            if dep in self.assets[key].depends_on:
                self.assets[key].values[dep] = values
        if trig.get("type") == "TRIGGER_GROUP":  # fires when each trigger of the group has fired
            for tid in _trigger_references(trig.get("parameter")):
                self.depend(key, self.trigger(tid))
        if self.website is not None:
            for folder in _folders(conditions, self.website_assets, self.builtins):
                # The condition holds the folder's path: the trigger uses its name (aspects, see impact.core.aspects).
                self.depend(key, f"{self.website}:{folder}")
                self.assets[key].uses[f"{self.website}:{folder}"] = ["name"]

    def add_tag(self, tag: dict[str, Any]) -> None:
        """A tag, with the triggers, tags and variables it depends on."""
        key = f"tag/{tag['name']}"
        item = self.add(key, "tag", tag.get("notes") or None)
        if tag.get("paused") is True:
            item.description = "Paused tag" + (f": {item.description}" if item.description else "")
        for field in ("firingTriggerId", "blockingTriggerId"):
            for tid in tag.get(field) or []:
                self.depend(key, self.trigger(str(tid)))
        for field in ("setupTag", "teardownTag"):
            for seq in tag.get(field) or []:
                if isinstance(seq, dict) and isinstance(seq.get("tagName"), str):
                    self.add(f"tag/{seq['tagName']}", "tag")
                    self.depend(key, f"tag/{seq['tagName']}")
        self.use_variables(key, [tag.get("parameter"), tag.get("priority")])


def _trigger_references(value: Any) -> list[str]:
    """Trigger ids a trigger group lists (parameters of type TRIGGER_REFERENCE)."""
    out: list[str] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if item.get("type") == "TRIGGER_REFERENCE" and isinstance(item.get("value"), str):
                out.append(item["value"])
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return sorted(set(out))


def _folders(conditions: list[Any], website_assets: dict[str, str | None], builtins: dict[str, str]) -> list[str]:
    """Website folders a trigger's page-path conditions name, deepest existing folder each."""
    out: list[str] = []
    for group in conditions:
        for cond in group or []:
            if not isinstance(cond, dict) or cond.get("type") not in _PATH_MATCHES:
                continue
            params = {p.get("key"): p.get("value") for p in cond.get("parameter") or [] if isinstance(p, dict)}
            arg0, arg1 = params.get("arg0"), params.get("arg1")
            if not isinstance(arg0, str) or not isinstance(arg1, str):
                continue
            var = _VAR.fullmatch(arg0.strip())
            if not var or builtins.get(normal(var.group(1)), var.group(1)).lower() not in _PATH_VARIABLES:
                continue
            value = arg1.strip()
            if value.lower().startswith(("http://", "https://")):
                value = urlsplit(value).path
            if not value.startswith("/"):
                continue
            for folder in _path_folders(value, website_assets):
                if folder not in out:
                    out.append(folder)
    return out


def _path_folders(path: str, website_assets: dict[str, str | None]) -> list[str]:
    """Every folder of the catalog a path runs through, outermost first: the condition names each of them.

    >>> _path_folders("/products/analytics/tour.html", {"/products/": None, "/products/analytics/": None})
    ['/products/', '/products/analytics/']
    >>> _path_folders("/pricing", {"/products/": None})
    []
    """
    parts = path.split("/")
    out = []
    for end in range(2, len(parts)):
        folder = "/".join(parts[:end]) + "/"
        if folder in website_assets:
            out.append(folder)
    return out
