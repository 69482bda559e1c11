"""The values `impact import salesforce` records on dependencies (issue #29), against an independent reading.

The reading here shares no code with impact: ``xml.etree`` finds each
automation's comparisons written as metadata (criteria items, flow
conditions and filters), plain regular expressions find those in formulas
(``ISPICKVAL``, ``TEXT(f) = 'x'``, ``CASE``), and a dependency should list
values exactly when every mention of the field in the asset's own metadata
is such a comparison (or a test for a change or for blank) and at least one
names a value. Fixtures and their provenance: tests/fixtures/README.md
(``npsp/`` and ``eda/`` are real, ``values/`` is written for impact).
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote  # rule names are URL-encoded in the metadata (%23 for #)

import pytest
import yaml
from click.testing import CliRunner

from impact.cli.main import cli
from impact.core.aspects import unpack
from impact.core.vocabulary import ASPECTS
from impact.load.loader import load_catalog

FIXTURES = Path(__file__).parent / "fixtures" / "salesforce"
NS = {"m": "http://soap.sforce.com/2006/04/metadata"}
LITERAL = r"""(?:"([^"]*)"|'([^']*)')"""
FIELD = r"(?:\{!\s*)?(?:\$Record(?:__Prior)?\.)?((?:\w+\.)*\w+)\s*\}?"


def _formula_mentions(text: str) -> tuple[list[tuple[str, str | None]], str]:
    """(field, value) of each comparison in a formula (None: ISCHANGED/ISBLANK), and the formula with them cut out."""
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    found: list[tuple[str, str | None]] = []

    def cut(match: re.Match[str], field: str, value: str | None) -> str:
        found.append((field.split(".")[-1], value))
        return " "

    def case(match: re.Match[str]) -> str:
        depth, args, current = 0, [], ""
        for char in match.group(2):
            if char == "," and depth == 0:
                args.append(current.strip())
                current = ""
                continue
            depth += (char == "(") - (char == ")")
            current += char
        args.append(current.strip())
        keys = args[0 : len(args) - len(args) % 2 : 2]
        literal = [re.fullmatch(LITERAL, k) for k in keys]
        if not keys or not all(literal):
            return match.group(0)
        for m in literal:
            found.append((match.group(1).split(".")[-1], m.group(1) if m.group(1) is not None else m.group(2)))  # type: ignore[union-attr]
        return " "

    text = re.sub(rf"CASE\(\s*(?:TEXT\(\s*)?{FIELD}\)?\s*,((?:[^()]|\([^()]*\))*)\)", case, text, flags=re.I)
    text = re.sub(
        rf"(?:ISPICKVAL|INCLUDES)\(\s*(?:PRIORVALUE\(\s*)?{FIELD}\s*\)?\s*,\s*{LITERAL}\s*\)",
        lambda m: cut(m, m.group(1), m.group(2) if m.group(2) is not None else m.group(3)),
        text,
        flags=re.I,
    )
    text = re.sub(rf"TEXT\(\s*{FIELD}\s*\)\s*(?:=|==|<>|!=)\s*{LITERAL}", lambda m: cut(m, m.group(1), m.group(2) or m.group(3)), text, flags=re.I)
    text = re.sub(rf"(?:ISCHANGED|ISBLANK|ISNULL)\(\s*(?:TEXT\(\s*)?{FIELD}\s*\)?\s*\)", lambda m: cut(m, m.group(1), None), text, flags=re.I)
    return [(f, v) for f, v in found if v is None or v.strip()], text


def _element_mentions(el: ET.Element, obj: str) -> list[tuple[str, str | None]]:
    """(field, value) of each comparison written as metadata in ``el``; each one is then emptied in ``el``."""
    found: list[tuple[str, str | None]] = []
    for item in el.iter(f"{{{NS['m']}}}criteriaItems"):
        field, op, value = (item.findtext(f"m:{t}", "", NS) for t in ("field", "operation", "value"))
        if "." in field and op in ("equals", "notEqual", "includes", "excludes") and value:
            found += [(field.split(".")[-1], v.strip()) for v in value.split(",")]
            item.find("m:field", NS).text = ""  # type: ignore[union-attr]
    for cond in el.iter(f"{{{NS['m']}}}conditions"):
        left = cond.find("m:leftValueReference", NS)
        op = cond.findtext("m:operator", "", NS)
        literal = cond.findtext("m:rightValue/m:stringValue", None, NS)
        other = cond.findtext("m:rightValue/m:elementReference", "", NS)
        m = re.fullmatch(r"(?:\$Record|\$Record__Prior|myVariable_current|myVariable_old)\.(?:\w+\.)*(\w+)", (left.text or "") if left is not None else "")
        if m and ((op in ("EqualTo", "NotEqualTo") and literal) or op in ("IsChanged", "IsNull")):
            found.append((m.group(1), literal if op in ("EqualTo", "NotEqualTo") else None))
            left.text = ""  # type: ignore[union-attr]
        elif m and op == "NotEqualTo" and other.endswith("." + m.group(1)):  # old value <> new value: "is changed"
            found.append((m.group(1), None))
            left.text = cond.find("m:rightValue/m:elementReference", NS).text = ""  # type: ignore[union-attr]
    for flt in el.iter(f"{{{NS['m']}}}filters"):
        op, literal = flt.findtext("m:operator", "", NS), flt.findtext("m:value/m:stringValue", None, NS)
        if (op in ("EqualTo", "NotEqualTo") and literal) or op in ("IsChanged", "IsNull"):
            found.append((flt.findtext("m:field", "", NS), literal if op in ("EqualTo", "NotEqualTo") else None))
            flt.find("m:field", NS).text = ""  # type: ignore[union-attr]
    return found


def _written(el: ET.Element, root: ET.Element) -> list[tuple[str, str | None]]:
    """(field, literal value) of each value ``el`` writes; each write is then emptied in ``el``."""
    found: list[tuple[str, str | None]] = []
    for item in el.iter(f"{{{NS['m']}}}assignmentItems"):
        ref = item.find("m:assignToReference", NS)
        m = re.fullmatch(r"\$?\w+(?:\.\w+)*\.(\w+)", (ref.text or "") if ref is not None else "")  # $Record.X, a record variable's X
        literal = item.findtext("m:value/m:stringValue", None, NS)
        if m and literal and item.findtext("m:operator", "", NS) == "Assign":
            found.append((m.group(1), literal))
            ref.text = ""  # type: ignore[union-attr]
    for item in el.iter(f"{{{NS['m']}}}inputAssignments"):
        literal = item.findtext("m:value/m:stringValue", None, NS)
        if literal:
            found.append((item.findtext("m:field", "", NS), literal))
            item.find("m:field", NS).text = ""  # type: ignore[union-attr]
    # a field written from a variable in a flow with screen choices: any of them, or a literal its conditions compare with
    via = [i for i in el.iter(f"{{{NS['m']}}}inputAssignments") if i.findtext("m:value/m:elementReference", None, NS)]
    through = [i.findtext("m:field", "", NS) for i in via]
    through += [
        i.findtext("m:assignToReference", "", NS).split(".")[-1]
        for i in el.iter(f"{{{NS['m']}}}assignmentItems")
        if re.fullmatch(r"\$?\w+(?:\.\w+)+", i.findtext("m:assignToReference", "", NS)) and i.findtext("m:operator", "", NS) == "Assign"
        and i.findtext("m:value/m:stringValue", None, NS) is None
    ]  # fmt: skip
    choices = {c.findtext("m:value/m:stringValue", None, NS) for c in el.iter(f"{{{NS['m']}}}choices")} - {None}
    literals = {c.findtext("m:rightValue/m:stringValue", None, NS) for c in el.iter(f"{{{NS['m']}}}conditions")} | choices if choices else set()
    literals = {v for v in literals if v and v.strip()}
    found += [(field, v) for field in through if field for v in literals]
    for i in via if literals else ():
        i.find("m:field", NS).text = ""  # type: ignore[union-attr]
    for i in el.iter(f"{{{NS['m']}}}assignmentItems") if literals else ():
        ref = i.find("m:assignToReference", NS)
        if ref is not None and i.findtext("m:value/m:stringValue", None, NS) is None and re.fullmatch(r"\$?\w+(?:\.\w+)+", ref.text or ""):
            ref.text = ""
    updates = {u.findtext("m:fullName", "", NS): u for u in root.findall("m:fieldUpdates", NS)} if el is not root else {}
    for action in el.iter(f"{{{NS['m']}}}actions"):
        update = updates.get(action.findtext("m:name", "", NS))
        if update is not None and update.findtext("m:literalValue", "", NS):
            found.append((update.findtext("m:field", "", NS), update.findtext("m:literalValue", "", NS)))
    return found


NO_VALUE = ["(no value matters: it only tests for a change or for blank)"]


def _expected(folder: Path) -> dict[tuple[str, str], list[str] | None]:
    """(asset, field) → the values its dependency should list (None: the whole value; NO_VALUE), read independently."""
    out: dict[tuple[str, str], list[str] | None] = {}
    for path in sorted(folder.rglob("*.xml")):
        root = ET.parse(path).getroot()
        name = unquote(path.name.split(".")[0])
        if path.name.endswith(".field-meta.xml") or path.name.endswith(".validationRule-meta.xml"):
            obj = path.parent.parent.name
            kind = "field" if path.name.endswith(".field-meta.xml") else "validation-rule"
            units = [(f"{kind}/{obj}.{name}", root)]
        elif path.name.endswith(".flow-meta.xml"):
            start = root.find("m:start", NS)
            obj = start.findtext("m:object", "", NS) if start is not None else "Lead"
            units = [(f"flow/{name}", root)]
        elif path.name.endswith(".workflow-meta.xml"):
            obj = name
            units = [(f"workflow-rule/{obj}.{unquote(r.findtext('m:fullName', '', NS))}", r) for r in root.findall("m:rules", NS)]
        elif path.name.endswith(".assignmentRules-meta.xml"):
            obj = name
            units = [(f"assignment-rule/{obj}.{unquote(r.findtext('m:fullName', '', NS))}", r) for r in root.findall("m:assignmentRule", NS)]
        else:
            continue
        for asset, el in units:
            mentions = _element_mentions(el, obj) + _written(el, root)
            rest = []
            for holder in el.iter():
                if holder.tag.split("}")[1] in ("formula", "errorConditionFormula", "expression", "filterFormula") and holder.text:
                    found, holder.text = _formula_mentions(holder.text)
                    mentions += found
            rest = ET.tostring(el, encoding="unicode").replace("<ns0:", "<").replace("</ns0:", "</")
            rest = re.sub(r"<(fullName|errorDisplayField)>.*?</\1>", "", rest)  # names and where an error shows: not reads
            for field in {f for f, _ in mentions}:
                text = re.sub(r"<[^>]+>", " ", rest)
                whole = re.search(rf"(?<![\w]){re.escape(field)}(?![\w])", text)
                # a lookup walked to another field (Account__r.Name, Account.Name) reads the lookup's whole value
                walked = field[:-3] + "__r" if field.endswith("__c") else field[:-2] if field.endswith("Id") else None
                whole = whole or (walked and re.search(rf"(?<![\w]){re.escape(walked)}\.", text))
                values = sorted({v for f, v in mentions if f == field and v is not None})
                out[(asset, field)] = None if whole else values or NO_VALUE
    return out


@pytest.mark.parametrize("folder", ["values", "npsp", "eda", "synthetic", "trailhead", "automation"])
def test_the_values_each_dependency_lists_are_those_the_metadata_compares(tmp_path: Path, folder: str) -> None:
    catalog = tmp_path / "catalog"
    result = CliRunner().invoke(cli, ["import", "salesforce", str(FIXTURES / folder), "--owner", "ops", "-o", str(catalog / "salesforce.yaml")])
    assert result.exit_code == 0, result.output
    recorded = {}
    for dep in load_catalog(catalog).dependencies:
        asset, field = dep.downstream.partition(":")[2], dep.upstream.rpartition(".")[2]
        if dep.upstream.partition(":")[2].startswith("field/"):
            aspects, values = unpack(dep.uses)
            if values:
                recorded[(asset, field)] = list(values)
            elif aspects is None:
                recorded[(asset, field)] = None
            elif aspects == frozenset(ASPECTS) - {"values"}:
                recorded[(asset, field)] = NO_VALUE
            # else: a writer's dependency on the field's name, schema and availability, no value named
    expected = _expected(FIXTURES / folder)
    compared = {key: recorded[key] for key in expected if key in recorded}
    assert compared == {key: expected[key] for key in compared}
    # and nothing lists values that the reading did not find compared
    assert [key for key, values in recorded.items() if values is not None and key not in expected] == []
    if folder in ("values", "npsp"):
        assert any(v for v in compared.values()), "the fixture compares values"


def test_the_catalog_file_says_it_plainly(tmp_path: Path) -> None:
    out = tmp_path / "catalog" / "salesforce.yaml"
    result = CliRunner().invoke(cli, ["import", "salesforce", str(FIXTURES / "values"), "--owner", "ops", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assets = yaml.safe_load(out.read_text())["systems"]["salesforce"]["assets"]
    assert {"asset": "salesforce:field/Lead.Status", "values": ["Open", "Working"]} in assets["workflow-rule/Lead.Lead open or working"]["depends_on"]
    # a flow that copies the status into a task subject reads the whole value
    assert "salesforce:field/Lead.Status" in assets["flow/Lead_Status_To_Task"]["depends_on"]


def test_gtm_triggers_list_the_values_they_compare_a_variable_with(tmp_path: Path) -> None:
    export = Path(__file__).parent / "fixtures" / "gtm" / "GTM-TEST123_v0.json"
    catalog = tmp_path / "catalog"
    result = CliRunner().invoke(cli, ["import", "gtm", str(export), "--owner", "web", "-o", str(catalog / "gtm.yaml")])
    assert result.exit_code == 0, result.output
    recorded = {
        (d.downstream, d.upstream): unpack(d.uses)[1] for d in load_catalog(catalog).dependencies if d.upstream.startswith("gtm:variable/")
    }
    # the independent reading: every {{variable}} in a trigger's conditions, and the ones compared with "equals" a literal
    expected: dict[tuple[str, str], tuple[str, ...] | None] = {}
    for trig in json.loads(export.read_text())["containerVersion"]["trigger"]:
        mentions: dict[str, list[str | None]] = {}
        for cond in [c for k in ("filter", "autoEventFilter", "customEventFilter") for c in trig.get(k) or []]:
            args = {p["key"]: p["value"] for p in cond["parameter"]}
            for key, value in args.items():
                for name in re.findall(r"\{\{([^}]+)\}\}", value):
                    equal = cond["type"] == "EQUALS" and key == "arg0" and "{{" not in args.get("arg1", "{{")
                    mentions.setdefault(name, []).append(args["arg1"] if equal else None)
        for name, values in mentions.items():
            said = None if None in values else tuple(sorted(set(values)))  # type: ignore[arg-type]
            # {{_event}} is GTM's own name of the built-in Event variable, which the catalog calls variable/Event
            expected[(f"gtm:trigger/{trig['name']}", f"gtm:variable/{'Event' if name == '_event' else name}")] = said
    assert any(expected.values())
    assert {key: recorded.get(key) for key in expected} == expected
