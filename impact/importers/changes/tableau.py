"""Tableau workbooks (``.twb``, ``.twbx``) as a snapshot for ``impact changes``.

Ids are those of ``impact import tableau``. Facets: a data source's tables
and custom SQL → ``logic``, its connection → ``data``, its caption → ``name``;
a worksheet's data sources → ``logic`` and the fields it uses → ``schema``;
a dashboard's sheets → ``content``. With ``only``, only those workbooks are
read.

Examples
--------
>>> from impact.importers.changes.model import FolderTree
>>> import tempfile, pathlib
>>> root = pathlib.Path(tempfile.mkdtemp())
>>> _ = (root / "Sales.twb").write_text("<workbook><worksheets><worksheet name='Map'/></worksheets></workbook>")
>>> sorted(snapshot(FolderTree(root)))
['tableau:workbook/Sales', 'tableau:worksheet/Sales/Map']
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Mapping
from pathlib import PurePosixPath
from xml.etree.ElementTree import Element

from impact.core.errors import ImpactError
from impact.importers.changes.model import AssetState, Facet, Snapshot, Tree
from impact.importers.tableau import datasource_tables
from impact.importers.xmlread import parse_xml

KIND = "tableau"
SUFFIXES = (".twb", ".twbx")


def _root(raw: bytes, name: str) -> Element | None:
    try:
        if raw[:4] == b"PK\x03\x04":
            with zipfile.ZipFile(io.BytesIO(raw)) as archive:
                inner = sorted(n for n in archive.namelist() if "/" not in n and n.lower().endswith(".twb"))
                raw = archive.read(inner[0]) if inner else b""
        return parse_xml(raw, name, "Tableau workbook")
    except (ImpactError, zipfile.BadZipFile, KeyError):
        return None  # the importer reports a broken workbook


def _digest(sql: tuple[str, ...]) -> str:
    """Custom SQL as a short fingerprint (the whole text in a note would be pages): how many queries, and a digest."""
    if not sql:
        return ""
    queries = tuple(dict.fromkeys(sql))
    digest = hashlib.sha256(chr(0).join(queries).encode()).hexdigest()[:12]
    return f"{len(queries)} quer{'y' if len(queries) == 1 else 'ies'}, digest {digest}"


def _workbook(root: Element, wb: str, system: str, out: Snapshot) -> None:
    names = {}
    for ds in root.findall("datasources/datasource"):
        name = ds.get("name", "")
        if not name or name == "Parameters" or ds.get("hasconnection") == "false":
            continue
        aid = f"{system}:datasource/{wb}/{ds.get('caption') or name}"
        names[name] = aid
        conn = ds.find("connection")
        where = " ".join(
            f"{k}={v}"
            for k, v in sorted((conn.attrib if conn is not None else {}).items())
            if k in ("class", "dbname", "server", "schema")
        )
        sql = tuple(
            sorted(
                " ".join((r.text or "").split())
                for r in ds.iter()
                if r.tag.endswith("relation") and r.get("type") == "text"
            )
        )
        facets = {"tables": Facet("logic", tuple(datasource_tables(ds, aid, [])), "tables"),
                  "sql": Facet("logic", _digest(sql), "custom SQL"),
                  "connection": Facet("data", where, "connection")}  # fmt: skip
        out[aid] = AssetState(aid, facets)
    for sheet in root.findall("worksheets/worksheet"):
        aid = f"{system}:worksheet/{wb}/{sheet.get('name', '')}"
        deps = sheet.findall("table/view/datasource-dependencies")
        used = tuple(sorted({names.get(d.get("datasource", ""), d.get("datasource", "")) for d in deps}))
        fields = tuple(sorted({f"{d.get('datasource')}:{c.get('name')}" for d in deps for c in d.iter("column")}))
        out[aid] = AssetState(
            aid, {"datasources": Facet("logic", used, "data sources"), "fields": Facet("schema", fields, "fields used")}
        )
    for board in root.findall("dashboards/dashboard"):
        aid = f"{system}:dashboard/{wb}/{board.get('name', '')}"
        sheets = tuple(sorted({z.get("name", "") for z in board.iter("zone") if z.get("name")}))
        out[aid] = AssetState(aid, {"sheets": Facet("content", sheets, "sheets shown")})
    out[f"{system}:workbook/{wb}"] = AssetState(f"{system}:workbook/{wb}")


def snapshot(
    tree: Tree, system: str = "tableau", only: set[str] | None = None, options: Mapping[str, object] | None = None
) -> Snapshot:
    """Every workbook of the tree (or of ``only``), with its facets (see the module docstring)."""
    out: Snapshot = {}
    for path in tree.files():
        if not path.lower().endswith(SUFFIXES) or (only is not None and path not in only):
            continue
        root = _root(tree.read(path), path)
        if root is not None and root.tag == "workbook":
            _workbook(root, PurePosixPath(path).stem, system, out)
    return out
