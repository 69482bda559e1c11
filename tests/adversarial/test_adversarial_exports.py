"""Exports validated at the edge (issue #25, items 6 and 7).

A wrong type anywhere an importer reads is one ``file: where: what`` line and
exit 2, never exit 3 (a bug) nor a traceback; a key given twice in a JSON
object is an error naming the key; a number of absurd length is refused; a
link in an export that leads out of it is skipped with a warning, its content
never imported. Hypothesis mutates real exports (the committed fixtures) at
random places with random JSON or XML, and every import must end in 0 or 2.
"""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import run, write

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
GTM = json.loads((FIXTURES / "gtm" / "GTM-TEST123_v0.json").read_text(encoding="utf-8"))
DBT = json.loads((FIXTURES / "dbt" / "revops.manifest.json").read_text(encoding="utf-8"))


def _import(kind: str, export: str, *extra: str) -> Any:
    return run("import", kind, export, "--owner", "web", "-o", "cat/out.yaml", *extra)


def _gtm(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(GTM)
    for dotted, value in changes.items():
        node = data["containerVersion"]
        *parents, last = dotted.split("__")
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        node[int(last) if last.isdigit() else last] = value
    return data


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"tag__0__firingTriggerId": 5}, "containerVersion.tag[0].firingTriggerId: expected a list, found a number"),
        ({"tag": 5}, "containerVersion.tag: expected a list, found a number"),
        ({"builtInVariable": 5}, "containerVersion.builtInVariable: expected a list, found a number"),
        ({"tag__0__name": ["x"]}, "containerVersion.tag[0].name: expected text, found a list"),
        ({"trigger__0__filter": {"a": 1}}, "containerVersion.trigger[0].filter: expected a list, found an object"),
        (
            {"tag__0__blockingTriggerId": [{"x": 1}]},
            "containerVersion.tag[0].blockingTriggerId[0]: expected a whole number or text, found an object",
        ),
    ],
)
def test_a_gtm_export_of_the_wrong_shape_is_one_line_and_exit_2(work: Path, change: dict[str, Any], where: str) -> None:
    write(work, "gtm.json", json.dumps(_gtm(**change)))
    result = _import("gtm", "gtm.json")
    assert result.code == 2, result.err
    assert result.errors == [f"Error: gtm.json: {where}; is it really a Google Tag Manager export? Export it again"]
    assert not (work / "cat" / "out.yaml").exists()


def test_a_dbt_test_attached_to_a_list_is_one_line_and_exit_2(work: Path) -> None:
    data = copy.deepcopy(DBT)
    test_id = next(uid for uid, node in data["nodes"].items() if node.get("resource_type") == "test")
    data["nodes"][test_id]["attached_node"] = ["model.x"]
    write(work, "manifest.json", json.dumps(data))
    result = _import("dbt", "manifest.json")
    assert result.code == 2, result.err
    assert result.errors == [
        f'Error: manifest.json: nodes["{test_id}"].attached_node: expected text, found a list; is it really a dbt manifest.json? Export it again'
    ]


@pytest.mark.parametrize("kind", ["dbt", "gtm"])
def test_a_number_of_100000_digits_is_refused(work: Path, kind: str) -> None:
    text = json.dumps(DBT if kind == "dbt" else GTM)
    write(work, "x.json", text[:-1] + ', "huge": ' + "9" * 100_000 + "}")
    result = _import(kind, "x.json")
    assert result.code == 2, result.err
    assert len(result.errors) == 1 and "a number of 100,000 digits" in result.errors[0]


def test_a_key_given_twice_is_an_error_naming_it(work: Path) -> None:
    text = json.dumps(DBT)
    # The same model twice in "nodes": JSON's last-wins would silently drop the first.
    uid = next(iter(DBT["nodes"]))
    first = json.dumps({uid: DBT["nodes"][uid]})[1:-1]
    write(work, "manifest.json", text.replace('"nodes": {', '"nodes": {' + first + ", ", 1))
    result = _import("dbt", "manifest.json")
    assert result.code == 2, result.err
    assert result.errors == [
        f"Error: manifest.json: the key {uid!r} appears twice in one object; is it really a dbt manifest.json? Export it again"
    ]


FIELD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<CustomField xmlns="http://soap.sforce.com/2006/04/metadata">'
    "<fullName>{name}</fullName><label>{label}</label><type>Text</type></CustomField>\n"
)


def test_links_out_of_a_salesforce_project_are_skipped_and_named(work: Path) -> None:
    fields = work / "proj" / "force-app" / "main" / "default" / "objects" / "Lead" / "fields"
    write(fields, "Good__c.field-meta.xml", FIELD.format(name="Good__c", label="Good"))
    write(work, "outside/Secret__c.field-meta.xml", FIELD.format(name="Secret__c", label="SECRET"))
    write(work, "outside/more/Other__c.field-meta.xml", FIELD.format(name="Other__c", label="SECRET"))
    os.symlink(work / "outside" / "Secret__c.field-meta.xml", fields / "Secret__c.field-meta.xml")
    os.symlink(work / "outside" / "more", fields.parent / "linked")
    result = _import("salesforce", "proj")
    assert result.code == 0, result.err
    text = (work / "cat" / "out.yaml").read_text(encoding="utf-8")
    assert "Secret__c" not in text and "Other__c" not in text and "SECRET" not in text
    assert "field/Lead.Good__c" in text
    warnings = [line for line in result.err.splitlines() if line.startswith("Warning:")]
    assert warnings == [
        "Warning: proj/force-app/main/default/objects/Lead/linked: a folder link to outside the export's folder; skipped, not read",
        "Warning: proj/force-app/main/default/objects/Lead/fields/Secret__c.field-meta.xml: a file link to outside the export's folder; skipped, not read",
    ]


# --- fuzz: random JSON anywhere in a real export ---

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)


def _places(node: Any, path: tuple[Any, ...] = (), depth: int = 0) -> list[tuple[Any, ...]]:
    out = [path]
    if depth > 3:  # the fields an importer reads are near the top (deep ones are walked generically)
        return out
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, value in items:
        out.extend(_places(value, (*path, key), depth + 1))
    return out


def _mutated(doc: Any, data: st.DataObject) -> Any:
    """``doc`` with one to three values replaced; each kind of place (``tag[*].firingTriggerId``) as likely as any other."""
    doc = copy.deepcopy(doc)
    for _ in range(data.draw(st.integers(1, 3))):
        kinds: dict[tuple[Any, ...], list[tuple[Any, ...]]] = {}
        for place in _places(doc)[1:]:
            kinds.setdefault(tuple("*" if isinstance(k, int) else k for k in place), []).append(place)
        kind = data.draw(st.sampled_from(sorted(kinds, key=repr)))
        path = data.draw(st.sampled_from(kinds[kind]))
        node = doc
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = data.draw(JSON_VALUES)
    return doc


FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)


@pytest.mark.parametrize(("kind", "doc"), [("gtm", GTM), ("dbt", DBT)], ids=["gtm", "dbt"])
@FUZZ
@given(data=st.data())
def test_random_json_anywhere_in_an_export_ends_in_0_or_2(work: Path, kind: str, doc: Any, data: st.DataObject) -> None:
    write(work, "x.json", json.dumps(_mutated(doc, data)))
    (work / "cat" / "out.yaml").unlink(missing_ok=True)
    result = _import(kind, "x.json")
    assert result.code in (0, 2), result.err
    assert "Traceback" not in result.err and "internal error" not in result.err


XML_TEXT = st.text(st.characters(blacklist_categories=["Cs", "Cc"]), max_size=10)
XML_TAGS = st.sampled_from(["fullName", "label", "type", "formula", "description", "referenceTo", "valueSet", "x"])


@st.composite
def _xml_elements(draw: Any, depth: int = 0) -> str:
    tag = draw(XML_TAGS)
    if depth > 2 or draw(st.booleans()):
        return f"<{tag}>{_escape(draw(XML_TEXT))}</{tag}>"
    children = draw(st.lists(_xml_elements(depth + 1), max_size=3))
    return f"<{tag}>{''.join(children)}</{tag}>"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@FUZZ
@given(body=st.lists(_xml_elements(), max_size=5), root=st.sampled_from(["CustomField", "CustomObject", "urlset"]))
def test_random_xml_in_a_salesforce_field_ends_in_0_or_2(work: Path, body: list[str], root: str) -> None:
    fields = work / "proj" / "objects" / "Lead" / "fields"
    xml = f'<?xml version="1.0"?><{root} xmlns="http://soap.sforce.com/2006/04/metadata">{"".join(body)}</{root}>'
    write(fields, "F__c.field-meta.xml", xml)
    (work / "cat" / "out.yaml").unlink(missing_ok=True)
    result = _import("salesforce", "proj")
    assert result.code in (0, 2), result.err
    assert "Traceback" not in result.err and "internal error" not in result.err


@FUZZ
@given(body=st.lists(_xml_elements(), max_size=5), root=st.sampled_from(["urlset", "sitemapindex", "url"]))
def test_random_xml_in_a_sitemap_ends_in_0_or_2(work: Path, body: list[str], root: str) -> None:
    xml = f'<?xml version="1.0"?><{root} xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{"".join(body)}</{root}>'
    write(work, "sitemap.xml", xml.replace("<label>", "<url><loc>https://x.example/a/b/</loc></url><label>"))
    (work / "cat" / "out.yaml").unlink(missing_ok=True)
    result = _import("sitemap", "sitemap.xml")
    assert result.code in (0, 2), result.err
    assert "Traceback" not in result.err and "internal error" not in result.err


DOCTYPES = [
    '<!DOCTYPE {root} SYSTEM "http://attacker.example/x.dtd">',
    '<!DOCTYPE {root} SYSTEM "file:///etc/passwd">',
    '<!DOCTYPE {root} PUBLIC "-//X//DTD X//EN" "x.dtd">',
    "<!DOCTYPE {root}>",
]


@pytest.mark.parametrize("doctype", DOCTYPES)
def test_any_doctype_is_refused_external_system_ids_included(work: Path, doctype: str) -> None:
    head = '<?xml version="1.0"?>\n' + doctype + "\n"
    write(
        work,
        "sitemap.xml",
        head.format(root="urlset")
        + '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://x.example/a/b</loc></url></urlset>',
    )
    field = FIELD.format(name="A__c", label="A").replace(
        '<?xml version="1.0" encoding="UTF-8"?>\n', head.format(root="CustomField")
    )
    write(work, "proj/objects/Lead/fields/A__c.field-meta.xml", field)
    result = _import("sitemap", "sitemap.xml")
    assert result.errors == [
        "Error: sitemap.xml: the file declares XML entities or a DTD, which impact refuses (they are used in attacks); a sitemap needs none"
    ]
    assert result.code == 2
    result = _import("salesforce", "proj")
    assert result.errors == [
        "Error: proj/objects/Lead/fields/A__c.field-meta.xml: the file declares XML entities or a DTD, which impact refuses "
        "(they are used in attacks); a Salesforce metadata file needs none"
    ]
    assert not (work / "cat" / "out.yaml").exists()
