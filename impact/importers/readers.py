"""Readers of the inventories teams already have: a CSV export, Salesforce dependencies (and a sitemap, see
:mod:`impact.importers.sitemap`).

Each returns an :class:`Imported`; bad input raises :class:`ImpactError`
with every problem and its place (``file:line:col``), like catalog files.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from impact.core.errors import ImpactError, Problem, ProblemList, display_path
from impact.importers.merge import Imported, ImportedAsset
from impact.read.limits import Limits, read_limited
from impact.read.schema import ID_PATTERN

_ID = re.compile(ID_PATTERN)
_SPLIT_DEPS = re.compile(r"[;\n]")


def _text(path: Path) -> str:
    """A CSV export as text: UTF-8 (with or without Excel's BOM), refused otherwise with the place."""
    name = display_path(path)
    if not path.is_file():
        raise ImpactError(Problem(name, 0, 0, "no such file"))
    raw = read_limited(path, Limits.from_env().max_file_bytes)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise ImpactError(Problem(name, line, 0, "this file is not UTF-8 text; export it as 'CSV UTF-8'")) from None


def _rows(path: Path, required: tuple[str, ...]) -> tuple[list[tuple[int, dict[str, str]]], ProblemList]:
    """Rows of a CSV file with normalised headers (lower case, ``_`` for spaces), each with its line."""
    name = display_path(path)
    text = _text(path)
    first = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first.count)  # Excel writes ';' in some locales
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    problems = ProblemList()
    try:
        header = next(reader)
    except StopIteration:
        raise ImpactError(Problem(name, 1, 1, "this file is empty; the first line must name the columns")) from None
    columns = [re.sub(r"[\s\-]+", "_", h.strip().lower()) for h in header]
    missing = [c for c in required if c not in columns]
    if missing:
        raise ImpactError(
            Problem(
                name,
                1,
                1,
                f"missing column(s) {', '.join(missing)}; the first line has: {', '.join(h.strip() for h in header)}",
            )
        )
    rows = []
    try:
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            rows.append(
                (reader.line_num, {col: (cells[i].strip() if i < len(cells) else "") for i, col in enumerate(columns)})
            )
    except csv.Error as exc:
        raise ImpactError(Problem(name, reader.line_num, 0, f"CSV syntax error: {exc}")) from None
    return rows, problems


def _check_id(value: str, what: str, name: str, line: int, problems: ProblemList) -> bool:
    if _ID.match(value):
        return True
    problems.error(name, line, 0, f"{what} {value!r} is not a valid id: use letters, digits, '-', '_' and '.'")
    return False


def read_inventory_csv(path: Path, owner: str | None = None) -> Imported:
    """A spreadsheet export with columns ``system, key, type, owner, depends_on``.

    ``depends_on`` holds asset ids (``system:key``) separated by ``;`` or
    line breaks; a bare key without ``:`` means an asset of the same system.
    Optional columns: ``description``, ``system_name``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "inv.csv"
    >>> header = "system,key,type,owner,depends_on\\n"
    >>> _ = f.write_text(header + "web,/a/,folder,web,\\nmkto,list/a,smart-list,mops,web:/a/\\n")
    >>> imported = read_inventory_csv(f)
    >>> imported.systems["mkto"].assets["list/a"].depends_on
    ['web:/a/']
    """
    name = display_path(path)
    rows, problems = _rows(path, ("system", "key", "type"))
    imported = Imported(name, "csv")
    seen: dict[str, int] = {}
    for line, row in rows:
        sid, key = row.get("system", ""), row.get("key", "")
        if not sid or not key:
            problems.error(name, line, 0, "every row needs a system and a key")
            continue
        if not _check_id(sid, "system", name, line, problems):
            continue
        row_owner = row.get("owner") or owner
        if row_owner and not _check_id(row_owner, "owner", name, line, problems):
            continue
        aid = f"{sid}:{key}"
        if aid in seen:
            problems.error(name, line, 0, f"asset {aid!r} is listed twice; the first is on line {seen[aid]}")
            continue
        seen[aid] = line
        deps = [d.strip() for d in _SPLIT_DEPS.split(row.get("depends_on", "")) if d.strip()]
        deps = [d if ":" in d else f"{sid}:{d}" for d in deps]
        system = imported.system(sid)
        system.name = system.name or row.get("system_name") or None
        system.assets[key] = ImportedAsset(row.get("type") or None, row_owner, row.get("description") or None, deps)
    if owner:
        for system in imported.systems.values():
            system.owner = owner
    problems.raise_if_errors()
    if not imported.systems:
        raise ImpactError(Problem(name, 0, 0, "no rows to import below the header line"))
    return imported


_SF_COLUMNS = ("metadatacomponentname", "metadatacomponenttype", "refmetadatacomponentname", "refmetadatacomponenttype")
TOOLING_ROW_CAP = 2000
"""The Tooling API returns at most this many rows, and 'sf data query --use-tooling-api' stops there without a word."""

# Metadata types with a canonical id (the ids 'impact import salesforce' writes).
_CANONICAL = {
    "customobject": "object",
    "flow": "flow",
    "apexclass": "apex-class",
    "apextrigger": "apex-trigger",
    "validationrule": "validation-rule",
    "workflowrule": "workflow-rule",
    "queue": "queue",
}


def salesforce_key(kind: str, name: str, parent: str | None = None) -> str:
    """The catalog key of a component of MetadataComponentDependency.

    Types that ``impact import salesforce`` also reads get its canonical ids;
    a custom field needs its object (``parent``), else it is keyed with its
    Salesforce id so that fields of different objects never merge. Other types
    keep ``<type in lower case>/<name>``.

    >>> salesforce_key("CustomField", "Division", "Lead")
    'field/Lead.Division__c'
    >>> salesforce_key("ApexClass", "LeadRouter")
    'apex-class/LeadRouter'
    >>> salesforce_key("ApexPage", "Welcome")
    'apexpage/Welcome'
    """
    low = kind.lower()
    if low == "customfield":
        field = name if name.endswith("__c") or "." in name else f"{name}__c"
        if "." in field:  # already Object.Field
            return f"field/{field}"
        return f"field/{parent}.{field}" if parent else f"field/?.{field}"
    if low in ("validationrule", "workflowrule") and parent and "." not in name:
        return f"{_CANONICAL[low]}/{parent}.{name}"
    if low in _CANONICAL:
        return f"{_CANONICAL[low]}/{name}"
    return f"{low}/{name}"


def _field_objects(path: Path | None) -> dict[str, str]:
    """Custom field id (15 characters) → object API name, from an export of CustomField."""
    if path is None:
        return {}
    name = display_path(path)
    rows, problems = _rows(path, ("id",))
    out: dict[str, str] = {}
    for line, row in rows:
        obj = row.get("entitydefinition.qualifiedapiname") or row.get("tableenumorid") or row.get("object") or ""
        if not row.get("id") or not obj:
            problems.error(name, line, 0, "every row needs Id and EntityDefinition.QualifiedApiName (or TableEnumOrId)")
            continue
        out[row["id"][:15]] = obj
    problems.raise_if_errors()
    return out


def read_salesforce_deps(
    path: Path, system: str = "salesforce", owner: str | None = None, fields: Path | None = None
) -> Imported:
    """The CSV export of Salesforce's ``MetadataComponentDependency`` query (Tooling API or Bulk API 2.0).

    Each row says component ``MetadataComponentName`` (of
    ``MetadataComponentType``) depends on ``RefMetadataComponentName`` (of
    ``RefMetadataComponentType``). Ids are canonical (see
    :func:`salesforce_key`); custom fields are qualified by their object from
    the ``fields`` export (``SELECT Id, DeveloperName,
    EntityDefinition.QualifiedApiName FROM CustomField``), matched on the
    ``MetadataComponentId`` / ``RefMetadataComponentId`` columns.
    """
    name = display_path(path)
    rows, problems = _rows(path, _SF_COLUMNS)
    parents = _field_objects(fields)
    imported = Imported(name, "salesforce-deps")
    target = imported.system(system)
    target.name, target.kind, target.owner = "Salesforce", "crm", owner
    unqualified = 0
    for line, row in rows:
        values = [row.get(c, "") for c in _SF_COLUMNS]
        if not all(values):
            problems.error(
                name, line, 0, "every row needs MetadataComponentName/Type and RefMetadataComponentName/Type"
            )
            continue
        comp_type, ref_type = values[1], values[3]
        comp, ref = _component_keys(row, values, parents)
        unqualified += sum(key.startswith("field/?.") for key in (comp, ref))
        comp = _with_id(comp, row.get("metadatacomponentid", ""))
        ref = _with_id(ref, row.get("refmetadatacomponentid", ""))
        target.assets.setdefault(ref, ImportedAsset(_sf_asset_type(ref_type)))
        asset = target.assets.setdefault(comp, ImportedAsset(_sf_asset_type(comp_type)))
        dep = f"{system}:{ref}"
        if comp != ref and dep not in asset.depends_on:
            asset.depends_on.append(dep)
    problems.raise_if_errors()
    if not target.assets:
        raise ImpactError(Problem(name, 0, 0, "no dependency rows to import below the header line"))
    for asset in target.assets.values():
        asset.depends_on.sort()
    imported.notes += _sf_deps_notes(name, len(rows), unqualified)
    return imported


def _component_keys(row: dict[str, str], values: list[str], parents: dict[str, str]) -> tuple[str, str]:
    """The keys of a dependency row's component and of the component it refers to (names with their namespace)."""
    comp_name, comp_type, ref_name, ref_type = values
    comp_ns, ref_ns = row.get("metadatacomponentnamespace", ""), row.get("refmetadatacomponentnamespace", "")
    comp_name = f"{comp_ns}__{comp_name}" if comp_ns and not comp_name.startswith(f"{comp_ns}__") else comp_name
    ref_name = f"{ref_ns}__{ref_name}" if ref_ns and not ref_name.startswith(f"{ref_ns}__") else ref_name
    comp_parent = parents.get(row.get("metadatacomponentid", "")[:15])
    ref_parent = parents.get(row.get("refmetadatacomponentid", "")[:15])
    return salesforce_key(comp_type, comp_name, comp_parent), salesforce_key(ref_type, ref_name, ref_parent)


def _sf_asset_type(component_type: str) -> str:
    """The asset type of a Salesforce metadata component type."""
    lower = component_type.lower()
    return _CANONICAL.get(lower, "field" if lower == "customfield" else component_type)


def _sf_deps_notes(name: str, rows: int, unqualified: int) -> list[str]:
    """What the import says about a dependency export cut short, or with custom fields of no known object."""
    notes = []
    if rows == TOOLING_ROW_CAP:
        notes.append(
            f"{name} has exactly {TOOLING_ROW_CAP} rows, the Tooling API's limit: the export is probably cut short. "
            "Export with Bulk API 2.0 (up to 100,000 rows a job) to get every dependency"
        )
    if unqualified:
        notes.append(
            f"{unqualified} custom field reference(s) have no object and are keyed field/?.NAME@ID: "
            "give --fields with an export of SELECT Id, DeveloperName, EntityDefinition.QualifiedApiName FROM "
            "CustomField"
        )
    return notes


def _with_id(key: str, sf_id: str) -> str:
    """An unqualified custom field keeps its Salesforce id, so that two objects' fields never merge."""
    if key.startswith("field/?.") and sf_id:
        return f"{key}@{sf_id[:15]}"
    return key


# Sitemaps are read by impact.importers.sitemap; kept importable from here.
from impact.importers.sitemap import folders_of, read_sitemap  # noqa: E402

__all__ = ["folders_of", "read_inventory_csv", "read_salesforce_deps", "read_sitemap", "salesforce_key"]
