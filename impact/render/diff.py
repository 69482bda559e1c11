"""Output of ``impact diff``: text, JSON and Markdown for reviewing catalog edits."""

from __future__ import annotations

from typing import Any

from impact.analysis.diff import CatalogDiff
from impact.render.plaintext import plural, safe
from impact.render.templating import render

SECTION_TITLES = {
    "teams": "Teams",
    "systems": "Systems",
    "assets": "Assets",
    "dependencies": "Dependencies",
    "tests": "Tests",
}


def _show(value: Any) -> str:
    if value is None or value == () or value == []:
        return "(none)"
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)


def diff_dict(d: CatalogDiff) -> dict[str, Any]:
    return {
        "old": d.old_root,
        "new": d.new_root,
        "max_tools": d.max_tools,
        "identical": d.empty,
        **{
            name: {
                "added": list(s.added),
                "removed": list(s.removed),
                "changed": [
                    {
                        "id": c.id,
                        "fields": {f: {"old": _jsonable(o), "new": _jsonable(n)} for f, (o, n) in c.fields.items()},
                    }
                    for c in s.changed
                ],
            }
            for name, s in d.sections.items()
        },
        "reach_changes": [
            {"asset": r.asset, "now_reaches": list(r.gained), "no_longer_reaches": list(r.lost)} for r in d.reach
        ],
    }


def _jsonable(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def summary(d: CatalogDiff) -> str:
    if d.empty:
        return "The catalogs are the same."
    parts = []
    for name, s in d.sections.items():
        if not s.empty:
            parts.append(f"{SECTION_TITLES[name].lower()} +{len(s.added)} -{len(s.removed)} ~{len(s.changed)}")
    parts.append(f"{plural(len(d.reach), 'asset')} whose impact changes")
    return "; ".join(parts) + "."


def render_diff(d: CatalogDiff, style: Any = None) -> str:
    paint = style or (lambda text, _kind: text)
    lines = [f"Catalog diff: {safe(d.old_root)} -> {safe(d.new_root)}", summary(d)]
    for name, s in d.sections.items():
        if s.empty:
            continue
        lines += ["", paint(SECTION_TITLES[name], "heading")]
        lines += [f"  + {safe(i)}" for i in s.added]
        lines += [f"  - {safe(i)}" for i in s.removed]
        for c in s.changed:
            lines.append(f"  ~ {safe(c.id)}")
            lines += [f"      {f}: {safe(_show(o))} -> {safe(_show(n))}" for f, (o, n) in c.fields.items()]
    if d.reach:
        lines += [
            "",
            paint(
                "Impact of the edit (a change to these assets now reaches differently, up to "
                f"{plural(d.max_tools, 'tool')})",
                "heading",
            ),
        ]
        for r in d.reach:
            lines.append(f"  {safe(r.asset)}")
            if r.gained:
                lines.append(f"      now reaches: {', '.join(safe(a) for a in r.gained)}")
            if r.lost:
                lines.append(f"      no longer reaches: {', '.join(safe(a) for a in r.lost)}")
    return "\n".join(lines) + "\n"


def render_diff_markdown(d: CatalogDiff, templates: str | None = None) -> str:
    return render("diff.md.j2", templates, d=d, titles=SECTION_TITLES, summary=summary(d), show=_show)
