"""A HubSpot export folder (the layout ``impact import hubspot`` reads) as a snapshot for ``impact changes``.

Ids are the importer's. Facets: a list's filters → ``logic``, its
processing type → ``availability``; a workflow's enrollment criteria and
actions → ``logic``, ``isEnabled`` → ``availability``; a property's type
and field type → ``schema``, its label → ``name``, its options → ``values``.
Every file is read (an export is small): ``only`` is accepted and unused.

Examples
--------
>>> from impact.importers.changes.model import FolderTree
>>> import tempfile, pathlib, json
>>> root = pathlib.Path(tempfile.mkdtemp())
>>> (root / "flows").mkdir()
>>> flow = {"id": "7", "name": "Nurture", "isEnabled": False, "actions": []}
>>> _ = (root / "flows" / "7.json").write_text(json.dumps(flow))
>>> snapshot(FolderTree(root))["hubspot:workflow/Nurture"].facets["enabled"].value
'off'
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import PurePosixPath

from impact.importers.changes.jsonfacets import canonical, load
from impact.importers.changes.model import AssetState, Facet, Snapshot, Tree

KIND = "hubspot"


def snapshot(
    tree: Tree, system: str = "hubspot", only: set[str] | None = None, options: Mapping[str, object] | None = None
) -> Snapshot:
    """Every list, workflow and property of the export, with its facets (see the module docstring)."""
    out: Snapshot = {}
    for path in tree.files("properties"):
        body = load(tree, path)
        obj = PurePosixPath(path).stem
        for prop in (body.get("results") if isinstance(body, dict) else None) or []:
            if isinstance(prop, dict) and isinstance(prop.get("name"), str):
                aid = f"{system}:property/{obj}.{prop['name']}"
                options_ = tuple(sorted(str(o.get("value")) for o in prop.get("options") or [] if isinstance(o, dict)))
                facets = {
                    "type": Facet(
                        "schema", f"{prop.get('type', '')} {prop.get('fieldType', '')}".strip(), "property type"
                    ),
                    "label": Facet("name", str(prop.get("label") or ""), "label"),
                    "options": Facet("values", options_, "options"),
                    "hidden": Facet(
                        "availability",
                        "hidden" if prop.get("hidden") or prop.get("archived") else "shown",
                        "visibility",
                    ),
                }
                out[aid] = AssetState(aid, facets)
    for path in tree.files("lists"):
        body = load(tree, path)
        record = body.get("list", body) if isinstance(body, dict) else None
        if isinstance(record, dict) and record.get("name"):
            aid = f"{system}:list/{record['name']}"
            filters = canonical(record.get("filterBranch"))
            facets = {
                "filters": Facet("logic", filters, "list filters"),
                "processing": Facet("availability", str(record.get("processingType", "")), "processing type"),
            }
            out[aid] = AssetState(aid, facets, filters if record.get("filterBranch") else "")
    for path in tree.files("flows"):
        flow = load(tree, path)
        if isinstance(flow, dict) and (flow.get("name") or flow.get("id")):
            aid = f"{system}:workflow/{flow.get('name') or 'Workflow ' + str(flow.get('id'))}"
            logic = canonical(
                {
                    k: flow.get(k)
                    for k in (
                        "enrollmentCriteria",
                        "actions",
                        "suppressionListIds",
                        "goalFilterBranch",
                        "unEnrollmentSetting",
                    )
                }
            )
            facets = {
                "logic": Facet("logic", logic, "enrollment and actions"),
                "enabled": Facet("availability", "on" if flow.get("isEnabled") else "off", "turned on"),
            }
            out[aid] = AssetState(aid, facets, logic)
    return out
