"""A Marketo export folder (the layout ``impact import marketo`` reads) as a snapshot for ``impact changes``.

Ids are the importer's. Facets: a smart list's or campaign's rules (filter
and trigger values) → ``logic``; a campaign's ``isActive`` and status, a
form's or program's status → ``availability``; a field's type and length →
``schema``, its display name → ``name``; a form's fields → ``schema``.
Every file is read (an export is small): ``only`` is accepted and unused.

Examples
--------
>>> from impact.importers.changes.model import FolderTree
>>> import tempfile, pathlib, json
>>> root = pathlib.Path(tempfile.mkdtemp())
>>> field = {"name": "country", "displayName": "Country", "dataType": "string"}
>>> _ = (root / "leadFields.json").write_text(json.dumps({"success": True, "result": [{"fields": [field]}]}))
>>> snapshot(FolderTree(root))["marketo:field/country"].facets["type"].value
'string'
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from impact.importers.changes.jsonfacets import canonical, load, results
from impact.importers.changes.model import AssetState, Facet, Snapshot, Tree
from impact.importers.marketo import _folder_program

KIND = "marketo"


def _text(item: Mapping[str, Any], key: str) -> str:
    value = item.get(key)
    return str(value).strip() if value is not None else ""


def _fields(tree: Tree, system: str, out: Snapshot) -> None:
    for item in results(tree, "leadFields.json"):
        for fld in item["fields"] if isinstance(item.get("fields"), list) else [item]:
            if not isinstance(fld, dict) or not _text(fld, "name"):
                continue
            facets = {
                "type": Facet(
                    "schema", _text(fld, "dataType") + (f"({fld['length']})" if fld.get("length") else ""), "field type"
                )
            }
            if _text(fld, "displayName"):
                facets["label"] = Facet("name", _text(fld, "displayName"), "display name")
            facets["sync"] = Facet("data", "crm" if fld.get("crmManaged") else "marketo", "synced with the CRM")
            out[f"{system}:field/{fld['name']}"] = AssetState(f"{system}:field/{fld['name']}", facets)


def _rules_state(aid: str, rules: Any, more: dict[str, Facet]) -> AssetState:
    facets = {"rules": Facet("logic", canonical(rules or {}), "smart list rules"), **more}
    return AssetState(aid, facets, canonical(rules) if rules else "")


def _campaigns(tree: Tree, system: str, out: Snapshot) -> set[str]:
    programs = {str(p.get("id")): _text(p, "name") for p in results(tree, "programs.json")}
    own: set[str] = set()
    for c in results(tree, "smartCampaigns.json"):
        name = _text(c, "name")
        if not name:
            continue
        own.add(str(c.get("smartListId")))
        program = programs.get(_folder_program(c) or "")
        aid = f"{system}:smart-campaign/{program}/{name}" if program else f"{system}:smart-campaign/{name}"
        lists = results(tree, f"smartCampaigns/{c.get('id')}/smartList.json")
        active = {
            "active": Facet(
                "availability",
                f"{'active' if c.get('isActive') else 'inactive'} {_text(c, 'status')}".strip(),
                "status",
            )
        }
        out[aid] = _rules_state(aid, lists[0].get("rules") if lists else None, active)
    return own


def snapshot(
    tree: Tree, system: str = "marketo", only: set[str] | None = None, options: Mapping[str, object] | None = None
) -> Snapshot:
    """Every asset of the export, with its facets (see the module docstring)."""
    out: Snapshot = {}
    _fields(tree, system, out)
    own = _campaigns(tree, system, out)
    for path in tree.files("smartLists"):
        body = load(tree, path)
        found = body.get("result") if isinstance(body, dict) else None
        sl = found[0] if isinstance(found, list) and found and isinstance(found[0], dict) else None
        if sl is not None and _text(sl, "name") and str(sl.get("id")) not in own:
            aid = f"{system}:smart-list/{_text(sl, 'name')}"
            out[aid] = _rules_state(aid, sl.get("rules"), {})
    for p in results(tree, "programs.json"):
        if _text(p, "name"):
            aid = f"{system}:program/{_text(p, 'name')}"
            out[aid] = AssetState(
                aid,
                {
                    "status": Facet("availability", _text(p, "status"), "status"),
                    "type": Facet("logic", f"{_text(p, 'type')} {_text(p, 'channel')}", "type and channel"),
                },
            )
    for seg in results(tree, "segmentations.json"):
        name = _text(seg, "name")
        segments = [_text(s, "name") for s in results(tree, f"segmentations/{seg.get('id')}/segments.json")]
        if name:
            out[f"{system}:segmentation/{name}"] = AssetState(
                f"{system}:segmentation/{name}",
                {"segments": Facet("values", " > ".join(segments), "segments, in order")},
            )
            for sname in filter(None, segments):
                out[f"{system}:segment/{name}/{sname}"] = AssetState(f"{system}:segment/{name}/{sname}")
    for form in results(tree, "forms.json"):
        if _text(form, "name"):
            fields = tuple(sorted(canonical(f) for f in results(tree, f"forms/{form.get('id')}/fields.json")))
            facets = {
                "fields": Facet("schema", fields, "form fields"),
                "status": Facet("availability", _text(form, "status"), "status"),
            }
            out[f"{system}:form/{_text(form, 'name')}"] = AssetState(
                f"{system}:form/{_text(form, 'name')}", facets, canonical(fields) if fields else ""
            )
    return out
