"""``impact validate``'s answer: its verdict line, JSON and Markdown (the problems themselves go to standard error)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from impact.analysis.validation import ValidationReport
from impact.render.plaintext import safe


@dataclass(frozen=True, slots=True)
class ValidationAnswer:
    """A catalog's validation, as asked: its folder as given and whether warnings fail it (``--strict``)."""

    root: str
    report: ValidationReport
    strict: bool


def _s(n: int) -> str:
    return "s" if n != 1 else ""


def verdict(a: ValidationAnswer) -> str:
    errors, warnings = a.report.errors, a.report.warnings
    if errors:
        return f"{len(errors)} error{_s(len(errors))}, {len(warnings)} warning{_s(len(warnings))}"
    if a.strict and warnings:
        return f"FAILED with --strict: {len(warnings)} warning{_s(len(warnings))}"
    return "OK"


def counts(a: ValidationAnswer) -> str:
    """``3 tools, 40 assets, ...``: what the catalog holds; empty when it could not be read."""
    c = a.report.catalog
    if c is None:
        return ""
    held = (
        (len(c.systems), "tool", "tools"),
        (len(c.assets), "asset", "assets"),
        (len(c.dependencies), "dependency", "dependencies"),
        (len(c.teams), "team", "teams"),
        (len(c.tests), "test", "tests"),
    )
    return ", ".join(f"{n} {word if n == 1 else many}" for n, word, many in held)


def validation_dict(a: ValidationAnswer) -> dict[str, Any]:
    errors, warnings = a.report.errors, a.report.warnings
    return {
        "catalog": a.root,
        "valid": not errors,
        "strict_ok": not errors and not (a.strict and warnings),
        "problems": [
            {"severity": p.severity, "file": p.file, "line": p.line, "col": p.col, "message": p.message}
            for p in a.report.problems
        ],
    }


def render_validation_markdown(a: ValidationAnswer) -> str:
    lines = [f"## Catalog {safe(a.root)}: {verdict(a)}", ""]
    held = counts(a)
    if held:
        lines += [held + ".", ""]
    lines += [f"- **{p.severity}** `{safe(str(p))}`" for p in a.report.problems]
    return "\n".join(lines).rstrip("\n") + "\n"


def validation_line(a: ValidationAnswer) -> str:
    """The text answer: one line, ``catalog: OK: 3 tools, ...; 0 warnings``."""
    errors, warnings = a.report.errors, a.report.warnings
    held = counts(a)
    line = f"{a.root}: {verdict(a)}" + (
        (f" ({held})" if a.strict and warnings and not errors else f": {held}") if held else ""
    )
    if not errors and not a.strict:
        line += f"; {len(warnings)} warning{_s(len(warnings))}"
    return line


def validation_text(a: ValidationAnswer) -> str:
    """The text answer: :func:`validation_line`, ended."""
    return validation_line(a) + "\n"
