"""A Marketo Engage export folder (REST API bodies, unchanged) → catalog assets and dependencies.

The folder (written by ``impact import marketo --fetch``, or by hand with
the same calls; every page of a browse merged into one ``result``)::

    smartLists/<id>.json                  smartList/{id}.json?includeRules=true
    smartCampaigns.json                   smartCampaigns.json
    smartCampaigns/<id>/smartList.json    smartCampaign/{id}/smartList.json?includeRules=true
    segmentations.json, segmentations/<id>/segments.json
    programs.json, leadFields.json (describe2), forms.json, forms/<id>/fields.json

Ids (system ``marketo`` unless ``--system``): ``smart-list/<name>`` (lists
that are no campaign's own), ``smart-campaign/<program>/<campaign>`` (the
program from ``parentProgramId``, or the folder when it is a Program;
``<campaign>`` alone outside programs), ``program/<name>``,
``segmentation/<name>``, ``segment/<segmentation>/<segment>``,
``form/<name>``, ``field/<REST name>``. Names are kept whole (``/`` too).

A smart list or campaign (its own smart list's rules) depends on the fields
its filters and triggers test (display names, through describe2), the smart
lists (``Member of Smart List``), programs (``Member of Program``) and forms
(``Fills Out Form``) it names and, with a website system, on the deepest
folder a ``Visited Web Page`` / ``Clicks Link on Web Page`` pattern names
(``uses: [name]``). A form depends on its fields; a segmentation on its
segments; with a Salesforce system, a ``crmManaged`` field on the Lead field
it syncs with (:mod:`impact.importers.marketo_rules`). A reference that
cannot be resolved is named in a note, never guessed. A rule that only
compares a field with literal values (``Lead Status is Open, Recycled``)
makes the dependency list them (``values:``, issue #29); partial matches,
ranges and emptiness read the whole value (:mod:`impact.importers.marketo_values`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from impact.core.errors import ImpactError, Problem, display_path
from impact.importers.marketo_rules import Refs, references, salesforce_field
from impact.importers.merge import Imported, ImportedAsset
from impact.importers.xmlread import read_json

Known = Mapping[str, Mapping[str, str | None]]
SEGMENT_NOTE = "Segment (its rules are not readable through the API: declare what they read under 'links:')"


def read_body(path: Path) -> list[dict[str, Any]]:
    """The ``result`` of one saved API body; a body with ``success: false`` is refused with its errors."""
    name = display_path(path)
    data = read_json(path, "Marketo API response")
    if not isinstance(data, dict):
        raise ImpactError(Problem(name, 1, 1, "not a Marketo API response (expected an object with 'result')"))
    if data.get("success") is False:
        errors = "; ".join(
            f"{e.get('code')} {e.get('message')}" for e in data.get("errors") or [] if isinstance(e, dict)
        )
        raise ImpactError(
            Problem(
                name,
                1,
                1,
                f"this response is a failed call (success: false: {errors or 'no errors given'}); fetch it again",
            )
        )
    result = data.get("result") or []  # a browse past the end has no result: empty
    if not isinstance(result, list):
        raise ImpactError(Problem(name, 1, 1, "'result' is not a list; is it really a Marketo API response?"))
    return [item for item in result if isinstance(item, dict)]


@dataclass
class Export:
    """The export folder's records, by kind."""

    fields: list[dict[str, Any]] = field(default_factory=list)
    programs: list[dict[str, Any]] = field(default_factory=list)
    campaigns: list[dict[str, Any]] = field(default_factory=list)
    campaign_lists: dict[str, dict[str, Any]] = field(default_factory=dict)
    lists: list[dict[str, Any]] = field(default_factory=list)
    segmentations: list[tuple[dict[str, Any], list[dict[str, Any]]]] = field(default_factory=list)
    forms: list[tuple[dict[str, Any], list[dict[str, Any]]]] = field(default_factory=list)


def _optional(path: Path) -> list[dict[str, Any]]:
    return read_body(path) if path.is_file() else []


def _first(path: Path) -> dict[str, Any] | None:
    found = _optional(path)
    return found[0] if found else None


def read_export(folder: Path) -> Export:
    """Every file of the layout that is there (a missing file is an empty list)."""
    if not folder.is_dir():
        raise ImpactError(
            Problem(display_path(folder), 0, 0, "no such folder; give the folder 'impact import marketo --fetch' wrote")
        )
    out = Export()
    for item in _optional(folder / "leadFields.json"):
        out.fields += (
            item["fields"] if isinstance(item.get("fields"), list) else [item]
        )  # describe2, or describe's one per field
    out.programs = _optional(folder / "programs.json")
    out.campaigns = _optional(folder / "smartCampaigns.json")
    for campaign in out.campaigns:
        found = _first(folder / "smartCampaigns" / str(campaign.get("id")) / "smartList.json")
        if found is not None:
            out.campaign_lists[str(campaign.get("id"))] = found
    lists = folder / "smartLists"
    for path in sorted(lists.glob("*.json"), key=lambda p: p.name) if lists.is_dir() else []:
        found = _first(path)
        if found is not None:
            out.lists.append(found)
    for seg in _optional(folder / "segmentations.json"):
        out.segmentations.append((seg, _optional(folder / "segmentations" / str(seg.get("id")) / "segments.json")))
    for form in _optional(folder / "forms.json"):
        out.forms.append((form, _optional(folder / "forms" / str(form.get("id")) / "fields.json")))
    if not (out.fields or out.programs or out.campaigns or out.lists or out.segmentations or out.forms):
        raise ImpactError(
            Problem(
                display_path(folder),
                0,
                0,
                "no Marketo export here (no leadFields.json, programs.json, smartCampaigns.json, smartLists/ ...); "
                "write it with 'impact import marketo --fetch'",
            )
        )
    return out


def _name(item: Mapping[str, Any]) -> str | None:
    value = item.get("name")
    return value.strip() if isinstance(value, str) and value.strip() else None


def _rest_name(item: Mapping[str, Any]) -> str | None:
    rest = item.get("rest")
    if isinstance(rest, dict) and isinstance(rest.get("name"), str):
        return str(rest["name"])  # describe.json
    return _name(item)


def _folder_program(item: Mapping[str, Any]) -> str | None:
    """The id of the program an asset sits in: ``parentProgramId``, else its folder when that is a Program."""
    if item.get("parentProgramId") is not None:
        return str(item["parentProgramId"])
    folder = item.get("folder")
    if isinstance(folder, dict) and str(folder.get("type", "")).lower() == "program":
        value = folder.get("id", folder.get("value"))
        return None if value is None else str(value)
    return None


@dataclass
class Reader:
    """One import: the assets found so far, the names to resolve references by, the notes for the user."""

    imported: Imported
    system: str
    website: str | None
    salesforce: str | None
    known: Known
    refs: Refs = field(default_factory=Refs)

    @property
    def assets(self) -> dict[str, ImportedAsset]:
        return self.imported.systems[self.system].assets

    def add(self, key: str, type_: str, name: str | None = None, description: str | None = None) -> ImportedAsset:
        if key in self.assets:
            self.imported.notes.append(
                f"Warning: two Marketo {type_}s are named {key.split('/', 1)[1]!r}; the second is read into the first"
            )
            return self.assets[key]
        self.assets[key] = ImportedAsset(type_, None, description, [], name)
        return self.assets[key]

    def depend(self, key: str, upstream: str, uses: list[str] | None = None, values: list[str] | None = None) -> None:
        """``key`` depends on ``upstream``; ``values``: the only values it tests (None: the whole value)."""
        item = self.assets[key]
        dep = upstream if ":" in upstream.split("/", 1)[0] else f"{self.system}:{upstream}"
        if dep == f"{self.system}:{key}":
            return
        if dep in item.depends_on:  # read again (two lists of one name): values add up, a whole reading wins
            if values and dep in item.values:
                item.values[dep] = sorted({*item.values[dep], *values})
            else:
                item.values.pop(dep, None)
            return
        item.depends_on.append(dep)
        if uses:
            item.uses[dep] = uses
        if values:
            item.values[dep] = list(values)

    def warn(self, where: str, message: str) -> None:
        note = f"Warning: {where}: {message}; not linked (declare it under 'links:' if it holds)"
        if note not in self.imported.notes:
            self.imported.notes.append(note)


def read_marketo_export(
    folder: Path,
    system: str = "marketo",
    owner: str | None = None,
    website: str | None = None,
    salesforce: str | None = None,
    known: Known | None = None,
) -> Imported:
    """The assets of a Marketo export folder (see the module docstring)."""
    export = read_export(folder)
    imported = Imported(display_path(folder), "marketo")
    target = imported.system(system)
    target.name, target.kind, target.owner = "Marketo Engage", "marketing-automation", owner
    reader = Reader(imported, system, website, salesforce, known or {})
    _fields(reader, export)
    programs = _programs(reader, export)
    _forms(reader, export)
    _segmentations(reader, export)
    campaign_lists = {str(c.get("smartListId")) for c in export.campaigns if c.get("smartListId") is not None}
    standalone = [sl for sl in export.lists if str(sl.get("id")) not in campaign_lists and _name(sl)]
    reader.refs.lists = {str(_name(sl)) for sl in standalone}
    for sl in standalone:
        key = f"smart-list/{_name(sl)}"
        reader.add(key, "smart-list", description=sl.get("description") or None)
        references(reader, key, sl.get("rules"), f"smart list {_name(sl)!r}")
    _campaigns(reader, export, programs)
    for item in reader.assets.values():
        item.depends_on.sort()
    imported.notes.sort()
    return imported


def _fields(reader: Reader, export: Export) -> None:
    unmatched: list[str] = []
    for item in export.fields:
        rest = _rest_name(item)
        if rest is None:
            continue
        label = item.get("displayName") if isinstance(item.get("displayName"), str) else None
        key = f"field/{rest}"
        reader.add(key, "field", label)
        reader.refs.add_field(rest, label)
        if reader.salesforce and item.get("crmManaged") is True:
            found = salesforce_field(rest, reader.known.get(reader.salesforce, {}))
            if found is not None:
                reader.depend(key, f"{reader.salesforce}:{found}")
            else:
                unmatched.append(rest)
    if unmatched:
        shown = ", ".join(unmatched[:10]) + (f" and {len(unmatched) - 10} more" if len(unmatched) > 10 else "")
        reader.imported.notes.append(
            f"Note: {len(unmatched)} CRM-synced field(s) have no Lead field in {reader.salesforce!r} (not linked; "
            f"import it first, or declare them under 'links:'): {shown}"
        )


def _programs(reader: Reader, export: Export) -> dict[str, str]:
    names = {}
    for item in export.programs:
        name = _name(item)
        if name is not None:
            names[str(item.get("id"))] = name
            description = " ".join(str(item[k]) for k in ("type", "channel") if isinstance(item.get(k), str)) or None
            reader.add(f"program/{name}", "program", description=f"{description} program" if description else None)
    reader.refs.programs = set(names.values())
    return names


def _forms(reader: Reader, export: Export) -> None:
    for form, fields in export.forms:
        name = _name(form)
        if name is None:
            continue
        key = f"form/{name}"
        reader.add(key, "form", description=form.get("description") or None)
        reader.refs.forms.add(name)
        for fld in fields:
            fid = fld.get("id")
            if not isinstance(fid, str) or str(fld.get("dataType", "")).lower() in (
                "profiling",
                "richtext",
                "htmltext",
            ):
                continue
            rest = reader.refs.field_by_name(fid)
            if rest is not None:
                reader.depend(key, f"field/{rest}")
            else:
                reader.warn(f"form {name!r}", f"field {fid!r} is not a lead field of leadFields.json")


def _segmentations(reader: Reader, export: Export) -> None:
    for seg, segments in export.segmentations:
        name = _name(seg)
        if name is None:
            continue
        key = f"segmentation/{name}"
        reader.add(key, "segmentation", description=seg.get("description") or None)
        for segment in segments:
            sname = _name(segment)
            if sname is not None:
                reader.add(
                    f"segment/{name}/{sname}",
                    "segment",
                    description=SEGMENT_NOTE,
                )
                reader.depend(key, f"segment/{name}/{sname}")
                reader.refs.segments.setdefault(name, set()).add(sname)


def _campaigns(reader: Reader, export: Export, programs: dict[str, str]) -> None:
    for campaign in export.campaigns:
        name = _name(campaign)
        if name is None:
            continue
        pid = _folder_program(campaign)
        program = programs.get(pid) if pid is not None else None
        if pid is not None and program is None:
            reader.warn(f"smart campaign {name!r}", f"its program {pid} is not in programs.json; named without it")
        key = f"smart-campaign/{program}/{name}" if program else f"smart-campaign/{name}"
        active = campaign.get("isActive")
        status = campaign.get("status") if isinstance(campaign.get("status"), str) else None
        kind = campaign.get("type") if isinstance(campaign.get("type"), str) else None
        description = f"{kind.capitalize()} campaign" if kind else None
        if active is False:
            description = f"Inactive smart campaign{f' ({status})' if status and status != 'Inactive' else ''}" + (
                f": {description}" if description else ""
            )
        reader.add(key, "smart-campaign", description=description)
        own = export.campaign_lists.get(str(campaign.get("id")))
        if own:
            references(reader, key, own.get("rules"), f"smart campaign {name!r}")
