"""Markdown output, for pasting into a ticket or pull request."""

from __future__ import annotations

from impact.analysis.check import CheckResult
from impact.render.jsonout import check_dict
from impact.render.templating import render
from impact.render.text import summary_line


def render_check(result: CheckResult, templates: str | None = None) -> str:
    data = check_dict(result)
    return render(
        "check.md.j2",
        templates,
        summary_text=summary_line(result),
        release_path=data.get("release_path"),
        **{k: v for k, v in data.items() if k != "release_path"},
    )
