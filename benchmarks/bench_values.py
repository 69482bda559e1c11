"""One picklist value against every value, on a real org (issue #29): how far each change reaches.

Usage::

    impact import salesforce ORG/force-app -o CAT/salesforce.yaml
    python benchmarks/bench_values.py CAT ORG/force-app Case.Status=Closed Case.Status=New ...

For each ``Object.Field=Value`` it checks two changes to that field: one
naming the value (``values: [Value]``) and one touching every value
(``aspects: [values]``), and prints one Markdown row:

- direct readers: the assets with a dependency on the field;
- naming it: the direct readers whose own metadata names the value as a
  literal, found by a plain text search of their source file written here,
  apart from the importer (descriptions, labels, help texts and inline help
  left out), and how many of those the one-value change reaches;
- not naming it: the other direct readers, and how many of them the
  one-value change reaches directly (one step) and at all;
- the assets each change reaches, and the release path the one-value change
  needs by the catalog's policy.

The done-when of issue #29 reads off these columns: every reader naming the
value reached; at most half of those not naming it reached at all; at most
half as many assets in all as the every-value change.
"""

from __future__ import annotations

import re
import sys
import tempfile
from functools import cache
from pathlib import Path
from xml.etree import ElementTree

from impact.analysis.check import check_change
from impact.analysis.workspace import open_catalog
from impact.load.change import load_change

_LEFT_OUT = {
    "description",
    "errorMessage",
    "label",
    "inlineHelpText",
    "helpText",
    "fullName",
    "masterLabel",
    "interviewLabel",
}


def _own_xml(source: Path, asset: str) -> str:
    """The text of ``asset``'s own metadata (``flow/X``, ``workflow-rule/Obj.Rule``, ...), '' if not found."""
    kind, _, key = asset.partition(":")[2].partition("/")
    obj, _, name = key.partition(".")
    default = source / "main" / "default" if (source / "main" / "default").is_dir() else source
    if kind == "flow":
        return _text(default / "flows" / f"{key}.flow-meta.xml", None, None)
    if kind == "validation-rule":
        return _text(default / "objects" / obj / "validationRules" / f"{name}.validationRule-meta.xml", None, None)
    if kind == "field":
        return _text(default / "objects" / obj / "fields" / f"{name}.field-meta.xml", None, None)
    if kind == "workflow-rule":
        return _text(default / "workflows" / f"{obj}.workflow-meta.xml", "rules", name)
    if kind == "assignment-rule":
        return _text(default / "assignmentRules" / f"{obj}.assignmentRules-meta.xml", "assignmentRule", name)
    return ""


@cache
def _parsed(path: Path) -> ElementTree.Element | None:
    try:
        return ElementTree.parse(path).getroot()
    except (OSError, ElementTree.ParseError):
        return None


def _text(path: Path, element: str | None, full_name: str | None) -> str:
    root = _parsed(path)
    if root is None:
        return ""
    if element is not None:
        found = [
            e
            for e in root
            if e.tag.rpartition("}")[2] == element
            and any(c.tag.rpartition("}")[2] == "fullName" and (c.text or "") == full_name for c in e)
        ]
        if not found:
            return ""
        root = found[0]
    parts: list[str] = []

    def walk(e: ElementTree.Element) -> None:
        if e.tag.rpartition("}")[2] in _LEFT_OUT:
            return
        if e.text:
            parts.append(e.text)
        for child in e:
            walk(child)

    walk(root)
    return "\n".join(parts)


def names(text: str, value: str) -> bool:
    """Whether ``text`` holds ``value`` as a literal: a whole element text, a quoted string or a listed value."""
    v = re.escape(value)
    return bool(re.search(rf"(?:^|[\n'\",])\s*{v}\s*(?:$|[\n'\",])", text, re.M))


def _check(catalog: Path, field: str, item: str) -> tuple[list[str], list[str], str]:
    """(every impacted id, those one step away, the release path the policy asks for)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "change.yaml"
        path.write_text(
            f"id: CR-1\ntitle: t\nrequested_by: ops\npath: quick-hit\ncatalog: {catalog.resolve()}\n"
            f"changes:\n  - target: 'salesforce:field/{field}'\n    action: modify\n    {item}\n",
            encoding="utf-8",
        )
        change = load_change(path)
    cat, graph = _opened(catalog)
    result = check_change(cat, graph, change)
    needed = result.release_path.computed if result.release_path is not None else ""
    return [r.asset for r in result.impacted], [r.asset for r in result.impacted if r.steps == 1], str(needed)


@cache
def _opened(catalog: Path):  # type: ignore[no-untyped-def]
    return open_catalog(catalog)


def row(catalog: Path, source: Path, field: str, value: str) -> str:
    cat, _graph = _opened(catalog)
    target = f"salesforce:field/{field}"
    readers = sorted({d.downstream for d in cat.dependencies if d.upstream == target})
    naming = [r for r in readers if names(_own_xml(source, r), value)]
    others = [r for r in readers if r not in naming]
    one, one_direct, path = _check(catalog, field, f"values: [{value!r}]")
    every, _, _ = _check(catalog, field, "aspects: [values]")
    reached, direct = set(one), set(one_direct)
    return (
        f"| `{field}` | {value} | {len(readers)} | {sum(r in reached for r in naming)} of {len(naming)} "
        f"| {sum(r in direct for r in others)} of {len(others)} | {sum(r in reached for r in others)} of {len(others)} "
        f"| {len(one):,} | {len(every):,} | {path} |"
    )


def main(argv: list[str]) -> int:
    if len(argv) < 3:
        print(__doc__)
        return 2
    catalog, source = Path(argv[0]), Path(argv[1])
    print(
        "| field | value | direct readers | naming it: reached | not naming it: reached directly "
        "| not naming it: reached at all | assets reached, one value | every value | path |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for pair in argv[2:]:
        field, _, value = pair.partition("=")
        print(row(catalog, source, field, value), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
