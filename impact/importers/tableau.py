"""Tableau workbooks (``.twb``, or ``.twbx``: a zip holding one) → catalog assets and dependencies.

Ids (system ``tableau`` unless ``--system``): ``workbook/<file stem>``,
``datasource/<workbook>/<caption or name>``, ``worksheet/<workbook>/<sheet>``,
``dashboard/<workbook>/<dashboard>``, names verbatim. A workbook depends on
its dashboards and worksheets, a dashboard on its worksheets (its zones), a
worksheet on its data sources (``datasource-dependencies``), a data source
on ``<warehouse>:table/<schema>.<table>`` for each table it reads, custom SQL
included (:mod:`impact.importers.tableau_sql`), where that asset exists, or
on the dbt model whose relation it is. Extracts, ``Parameters`` and file
connections are no tables; a published (``sqlproxy``) source has no upstream
in the file and says so. Tableau ≥ 2020.2 writes each relation two or three
times (``_.fcp.*`` tags, the object graph): each is read once.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

from impact.core.errors import ImpactError, Problem, display_path
from impact.importers.merge import Imported, ImportedAsset
from impact.importers.tableau_sql import FILE_CLASSES, Connection, bracketed, sql_tables
from impact.importers.xmlread import parse_xml, read_bytes, read_json
from impact.read.limits import Limits

Known = Mapping[str, Mapping[str, str | None]]


def workbook_xml(path: Path) -> Element:
    """The workbook's root element, from a ``.twb`` or the ``.twb`` at the top of a ``.twbx``."""
    name = display_path(path)
    raw = read_bytes(path)
    if path.suffix.lower() in (".twbx", ".tdsx") or raw[:4] == b"PK\x03\x04":
        raw = _packaged(path, name)
    root = parse_xml(raw, name, "Tableau workbook")
    if root.tag != "workbook":
        raise ImpactError(
            Problem(
                name,
                1,
                1,
                f"not a Tableau workbook (its root is <{root.tag}>, not <workbook>); give a .twb or .twbx file",
            )
        )
    return root


def _packaged(path: Path, name: str) -> bytes:
    limit = Limits.from_env().max_file_bytes
    try:
        with zipfile.ZipFile(path) as archive:
            inner = sorted(
                (i for i in archive.infolist() if "/" not in i.filename and i.filename.lower().endswith(".twb")),
                key=lambda i: i.filename,
            )
            if not inner:
                raise ImpactError(
                    Problem(
                        name, 0, 0, "this packaged workbook holds no .twb at its top level; save it again from Tableau"
                    )
                )
            if inner[0].file_size > limit:
                raise ImpactError(
                    Problem(
                        name,
                        0,
                        0,
                        f"its workbook {inner[0].filename} is larger than impact reads ({limit // 1_000_000} MB, "
                        "IMPACT_MAX_FILE_MB)",
                    )
                )
            with archive.open(inner[0]) as member:
                raw = member.read(limit + 1)
    except (zipfile.BadZipFile, OSError) as exc:
        raise ImpactError(
            Problem(name, 0, 0, f"not a readable packaged workbook ({exc}); save it again from Tableau")
        ) from None
    if len(raw) > limit:
        raise ImpactError(Problem(name, 0, 0, f"its workbook is larger than impact reads ({limit // 1_000_000} MB)"))
    return raw


def _relations(el: Element) -> Iterator[Element]:
    """Every relation below ``el`` (tags ending in ``relation``: ``_.fcp.*`` prefixes too), none inside an extract."""
    for child in el:
        if child.tag == "extract":
            continue
        if child.tag.endswith("relation"):
            yield child
        yield from _relations(child)


def _connections(ds: Element) -> tuple[str, dict[str, Connection]]:
    """The data source's own connection class, and each named connection (``''``: the connection itself)."""
    conn = ds.find("connection")
    if conn is None:
        return "", {}
    found = {"": Connection(conn.get("class", ""), conn.get("dbname", ""), conn.get("schema", ""))}
    for named in conn.iter("named-connection"):
        inner = named.find("connection")
        if inner is not None:
            found[named.get("name", "")] = Connection(
                inner.get("class", ""), inner.get("dbname", ""), inner.get("schema", "")
            )
    return found[""].kind, found


def datasource_tables(ds: Element, where: str, notes: list[str]) -> list[str]:
    """``schema.table`` of every table a data source reads, once each, sorted."""
    kind, connections = _connections(ds)
    if kind == "sqlproxy":
        return []
    seen: set[tuple[str, ...]] = set()
    tables: set[str] = set()
    for rel in _relations(ds):
        conn = connections.get(rel.get("connection", ""), connections.get("", Connection("", "", "")))
        if conn.kind in FILE_CLASSES or conn.kind == "sqlproxy":
            continue
        kind_of = rel.get("type")
        body = rel.get("table", "") if kind_of == "table" else (rel.text or "")
        if kind_of not in ("table", "text") or (kind_of, rel.get("connection", ""), body) in seen:
            continue
        seen.add((kind_of, rel.get("connection", ""), body))
        if kind_of == "table":
            table = bracketed(body, conn)
            tables.update([table] if table else [])
        else:
            found, problem = sql_tables(body, conn)
            tables.update(found)
            if problem:
                notes.append(
                    f"Warning: {where}: its custom SQL {rel.get('name', '')!r} could not be read ({problem}); its "
                    "tables are not linked"
                )
    return sorted(tables)


def read_tableau_workbooks(
    paths: list[Path], system: str = "tableau", owner: str | None = None, warehouse: str | None = None,
    known: Known | None = None, manifest: Path | None = None, dbt_system: str = "dbt",
) -> Imported:  # fmt: skip
    """The assets of the workbooks (see the module docstring)."""
    imported = Imported(", ".join(display_path(p) for p in paths), "tableau")
    target = imported.system(system)
    target.name, target.kind, target.owner = "Tableau", "bi", owner
    relations = dbt_relations(manifest, dbt_system, known or {}) if manifest else {}
    tables = {k.lower(): k for k in (known or {}).get(warehouse or "", {}) if k.lower().startswith("table/")}
    linked = warehouse is not None or bool(relations)
    for path in paths:
        _workbook(
            imported, system, path, (lambda ref: _upstream(ref, warehouse, tables, relations)) if linked else None
        )
    for item in target.assets.values():
        item.depends_on.sort()
    imported.notes.sort()
    return imported


def _upstream(table: str, warehouse: str | None, tables: dict[str, str], relations: dict[str, str]) -> str | None:
    if table in relations:
        return relations[table]
    key = tables.get(f"table/{table}")
    return f"{warehouse}:{key}" if warehouse and key else None


def _workbook(imported: Imported, system: str, path: Path, upstream: Any) -> None:
    root = workbook_xml(path)
    wb = path.name[: -len(path.suffix)] if path.suffix else path.name
    assets = imported.systems[system].assets
    book = assets.setdefault(f"workbook/{wb}", ImportedAsset("workbook"))
    names: dict[str, str] = {}
    for ds in root.findall("datasources/datasource"):
        name = ds.get("name", "")
        if not name or name == "Parameters" or ds.get("hasconnection") == "false":
            continue
        key = f"datasource/{wb}/{ds.get('caption') or name}"
        names[name] = key
        item = assets.setdefault(key, ImportedAsset("datasource"))
        _datasource(imported, ds, key, item, upstream)
    for sheet in root.findall("worksheets/worksheet"):
        key = f"worksheet/{wb}/{sheet.get('name', '')}"
        item = assets.setdefault(key, ImportedAsset("worksheet"))
        used = {d.get("name", "") for d in sheet.iterfind("table/view/datasources/datasource")}
        used |= {d.get("datasource", "") for d in sheet.iterfind("table/view/datasource-dependencies")}
        item.depends_on += sorted({f"{system}:{names[u]}" for u in used if u in names} - set(item.depends_on))
        _add(book, f"{system}:{key}")
    sheets = {s.get("name", "") for s in root.findall("worksheets/worksheet")}
    for board in root.findall("dashboards/dashboard"):
        key = f"dashboard/{wb}/{board.get('name', '')}"
        item = assets.setdefault(key, ImportedAsset("dashboard"))
        for zone in board.iter("zone"):
            if zone.get("name") in sheets:
                _add(item, f"{system}:worksheet/{wb}/{zone.get('name')}")
        _add(book, f"{system}:{key}")


def _add(item: ImportedAsset, dep: str) -> None:
    if dep not in item.depends_on:
        item.depends_on.append(dep)


def _datasource(imported: Imported, ds: Element, key: str, item: ImportedAsset, upstream: Any) -> None:
    conn = ds.find("connection")
    if conn is not None and conn.get("class") == "sqlproxy":
        named = f"Published data source {conn.get('dbname') or ds.get('caption') or ''}".rstrip()
        item.description = f"{named}: its tables are on the server, not in this workbook (no upstream here)"
        return
    tables = datasource_tables(ds, key, imported.notes)
    if upstream is None:
        item.description = item.description or (f"Reads {', '.join(tables)}" if tables else None)
        return
    missing = []
    for table in tables:
        found = upstream(table)
        if found is not None:
            _add(item, found)
        else:
            missing.append(table)
    if missing:
        shown = ", ".join(missing[:8]) + (f" and {len(missing) - 8} more" if len(missing) > 8 else "")
        imported.notes.append(
            f"Note: {key} reads {len(missing)} table(s) that are no asset of the warehouse system nor a dbt model of "
            f"the catalog (not linked): {shown}"
        )


def dbt_relations(manifest: Path, dbt_system: str, known: Known) -> dict[str, str]:
    """``schema.alias`` (and ``schema.name``), lower-case → the dbt model's id, for models of the catalog."""
    data = read_json(manifest, "dbt manifest")
    nodes = data.get("nodes") if isinstance(data, dict) else None
    models = known.get(dbt_system, {})
    out: dict[str, str] = {}
    for node in (nodes or {}).values():
        if (
            not isinstance(node, dict)
            or node.get("resource_type") != "model"
            or f"model/{node.get('name')}" not in models
        ):
            continue
        schema = str(node.get("schema") or "").lower()
        for name in {node.get("alias"), node.get("name")} - {None}:
            out.setdefault(f"{schema}.{str(name).lower()}", f"{dbt_system}:model/{node['name']}")
    return out
