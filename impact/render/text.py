"""Plain-text output for a person at a terminal."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from impact.analysis.answer import RISKS, tests_breakdown
from impact.analysis.check import CheckResult
from impact.analysis.decision import decide
from impact.analysis.release_path import ReleasePath
from impact.core import progress
from impact.core.catalog import Catalog
from impact.core.distance import tools_away as away
from impact.core.distance import tools_away_between
from impact.graph.depgraph import Reach
from impact.render.readiness import missing_lines, readiness_lines

ARROW = " -> "


# Invisible or text-reordering characters above ASCII (as the pages' scripts list them).
HIDDEN = re.compile(
    "[\u007f-\u009f\u00ad\u061c\u180e\u200b\u200c\u200e\u200f\u2028\u2029\u202a-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]"
)


def char_refs(markup: str) -> str:
    """HTML or SVG with every :data:`HIDDEN` character left as a numeric reference: no raw U+202E in a file's bytes.

    For attribute values (an id a script looks up); text is shown with :func:`visible` first.

    >>> char_refs('<g data-asset="a' + chr(0x202E) + 'b">')
    '<g data-asset="a&#x202e;b">'
    """
    return HIDDEN.sub(lambda m: f"&#x{ord(m.group()):04x};", markup)


def visible(text: str | None) -> str:
    """:func:`safe` that keeps line breaks: for HTML and other outputs where they cannot start a forged line.

    >>> visible("a" + chr(0x202E) + "b" + chr(10) + "c")
    'a\\\\u202eb\\nc'
    """
    if text is None:
        return ""
    if text.isascii() and text.isprintable():
        return text
    return "\n".join(safe(line) for line in text.split("\n"))


def safe(text: str | None) -> str:
    """Show control and bidirectional-override characters as escapes, never raw.

    A name with U+202E (right-to-left override) or an ANSI escape must not
    rearrange or recolour the terminal: it is shown as ``\\u202e``.
    """
    if text is None:
        return ""
    if text.isascii() and text.isprintable():  # most ids and names: nothing to escape (C-fast)
        return text
    out = []
    for ch in text:
        if ch in "\n\t":
            out.append(" ")
        elif unicodedata.category(ch) in ("Cc", "Cf") and ch != "\u200d":
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return "".join(out)


COMPACT_ABOVE = 8
"""Paths with more hops than this are shown with same-tool stretches folded."""


def compact_path(path: tuple[str, ...] | list[str], system_of: dict[str, str] | None = None) -> list[str | int]:
    """A why-path a person can read: every tool crossing kept, long same-tool runs folded.

    Returns asset ids, with an int ``n`` standing for ``n`` assets left out
    between its neighbours (all of the same tool). Paths of at most
    ``COMPACT_ABOVE`` hops are returned whole. Folding keeps text output
    linear in the number of impacted assets even for 5,000-long chains; the
    JSON output always carries the whole path.

    Examples
    --------
    >>> compact_path(["w:a", "w:b", "m:c"])
    ['w:a', 'w:b', 'm:c']
    >>> compact_path(["w:a", *[f"w:x{i}" for i in range(10)], "m:c", "m:d"])
    ['w:a', 9, 'w:x9', 'm:c', 'm:d']
    """
    path = list(path)
    if len(path) - 1 <= COMPACT_ABOVE:
        return list(path)

    def system(asset: str) -> str:
        return system_of[asset] if system_of is not None else asset.partition(":")[0]

    systems = [system(a) for a in path]
    keep = {0, len(path) - 1}
    for i in range(1, len(path)):
        if systems[i] != systems[i - 1]:
            keep.update((i - 1, i))
    return fold_steps(path, keep)


def fold_steps(path: Sequence[str], keep: set[int]) -> list[str | int]:
    """The steps at the positions in ``keep``, each run of others left out as its count.

    >>> fold_steps(["a", "b", "c", "d", "e"], {0, 3, 4})
    ['a', 2, 'd', 'e']
    """
    out: list[str | int] = []
    skipped = 0
    for i, step in enumerate(path):
        if i in keep:
            if skipped:
                out.append(skipped)
                skipped = 0
            out.append(step)
        else:
            skipped += 1
    return out


def quoted(values: Iterable[str]) -> str:
    """Values as a person reads them: ``'In Progress', 'New'``."""
    return ", ".join(f"'{safe(v)}'" for v in values)


def show_path(path: Reach | tuple[str, ...] | list[str]) -> str:
    """A why-path as one line of text, folded when long (see :func:`compact_path`).

    Given a :class:`Reach`, folding uses its key points and never walks the
    whole path, so showing every impacted asset stays linear in their number.
    A path whose first dependency tests values the change names says so:
    ``(tests 'In Progress')``.
    """
    # safe() maps each character on its own, so the joined line is escaped at once.
    if isinstance(path, Reach):
        tests = path.tests
        if tests:
            return show_path(path.path) + f" (tests {quoted(tests)})"
        carries = path.carries
        if carries:  # read the value whole: passes the changed values on, nothing else
            return show_path(path.path) + f" (carries {quoted(carries)} on)"
        if path.steps <= COMPACT_ABOVE:
            return safe(ARROW.join(path.path))
        parts = fold_points(path.key_points)
    else:
        parts = compact_path(path)
    return safe(ARROW.join(f"({part} more in the same tool)" if isinstance(part, int) else part for part in parts))


def fold_points(points: tuple[tuple[int, str], ...]) -> list[str | int]:
    """Key points ``(index, asset)`` of a path as assets, with the count of those left out between them."""
    out: list[str | int] = []
    last = None
    for index, asset in points:
        if last is not None and index - last > 1:
            out.append(index - last - 1)
        out.append(asset)
        last = index
    return out


def asset_label(catalog: Catalog, aid: str) -> str:
    """An asset as a person reads it: its id, then the name people know it by, if the catalog gives one.

    >>> from impact.core.catalog import Asset, Catalog
    >>> a = Asset("mkto:c/h", "mkto", "c/h", "smart-campaign", "ops", name="OPS - MQL Handoff")
    >>> asset_label(Catalog("c", {}, {}, {a.id: a}, [], {}), "mkto:c/h")
    'mkto:c/h "OPS - MQL Handoff"'
    """
    asset = catalog.assets.get(aid)
    return labelled(aid, asset.name if asset is not None else None)


def labelled(aid: str, name: str | None) -> str:
    """:func:`asset_label` given the name (None: it has none)."""
    return f'{safe(aid)} "{safe(name)}"' if name else safe(aid)


def plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n} {word if n == 1 else (many or word + 's')}"


def summary_line(result: CheckResult) -> str:
    far = max((r.tool_distance for r in result.impacted), default=0)
    parts = [
        f"{plural(len(result.changed), 'asset')} changed",
        f"{len(result.impacted)} impacted"
        + (
            f" across {plural(len(result.systems_reached), 'tool')}, up to {away(far)} ({risk_counts(result)})"
            if result.impacted
            else ""
        ),
        f"{plural(len(result.stakeholders), 'team')} to involve",
        f"{plural(len(result.tests), 'test')} to run",
    ]
    if result.untested:
        parts.append(f"{plural(len(result.untested), 'asset')} with no test")
    return "; ".join(parts) + "."


def table(rows: Iterable[tuple[str, ...]], header: tuple[str, ...], indent: str = "  ") -> list[str]:
    rows = [header, *rows]
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines = []
    for row in rows:
        cells = [cell.ljust(widths[i]) for i, cell in enumerate(row)]
        lines.append((indent + "  ".join(cells)).rstrip())
    return lines


def reach_lines(reached: list[Reach], catalog: Catalog, label: str, *, details: bool = False) -> list[str]:
    """Reached assets grouped by tool distance, each with its folded path; ``!`` marks critical ones."""
    lines = []
    current = None
    for r in reached:
        if r.tool_distance != current:
            current = r.tool_distance
            lines.append(f"  {away(current).capitalize()}:")
        asset = catalog.assets[r.asset]
        mark = "!" if asset.critical else " "
        extra = f" ({safe(asset.type)}, {safe(asset.owner)})" if details else ""
        lines.append(f"   {mark} {asset_label(catalog, r.asset)}{extra}")
        lines.append(f"        {label}: {show_path(r)}")
    return lines


def changed_lines(result: CheckResult) -> list[str]:
    """What changes, as the change file says it: a whole-tool target once, with its assets under it."""
    catalog = result.catalog
    lines = []
    by_target: dict[str, list[str]] = {}
    for c in result.changed:
        by_target.setdefault(c.target, []).append(c.asset)
    for item in result.change.items:
        assets = by_target.pop(item.target, None)
        if assets is None:  # the same target named twice: shown once
            continue
        if item.target in catalog.systems:
            lines.append(f"   {item.action:<9} {safe(item.target)} (the whole tool: {plural(len(assets), 'asset')})")
        else:
            asset = catalog.assets.get(item.target)
            mark = "!" if asset and asset.critical else " "
            extra = "" if asset else "  (new: not in the catalog yet)"
            lines.append(f" {mark} {item.action:<9} {asset_label(catalog, item.target)}{extra}")
        if item.aspects is not None or item.values:
            said = ", ".join(safe(a) for a in (item.aspects if item.aspects is not None else ("values",)))
            lines.append(f"        touches: {said}" + (f" ({quoted(item.values)})" if item.values else ""))
        if item.note:
            lines.append(f"        note: {safe(item.note)}")
        if item.target in catalog.systems:
            for aid in assets:
                mark = "!" if catalog.assets[aid].critical else " "
                lines.append(f"      {mark} {asset_label(catalog, aid)}")
    return lines


FOLD_ABOVE = 2
"""A tool with more low-risk assets than this shows them as one folded line."""

SHOWN_FOLDED = 3
"""Assets named in a folded line; the rest are counted."""


def answer_lines(result: CheckResult) -> list[str]:
    """What to do, before the details: verdict, sign-off, tests, untested critical assets."""
    decision = decide(result)
    lines = [safe(decision.headline), *([safe(result.path_sentence)] if result.path_sentence else [])]
    sign = ", ".join(f"{safe(s.team)} ({safe(s.why)})" for s in result.sign_off)
    lines.append(f"Sign off: {sign or 'no team'}")
    lines.append(f"Tests: {decision.cost}")
    critical = result.untested_critical
    if critical:
        lines.append(f"Untested critical: {', '.join(asset_label(result.catalog, a) for a in critical)}")
    ready = readiness_lines(decision, safe)
    if ready:
        lines.extend(ready)
    if decision.missing and (ready or len(decision.missing) > 1):
        lines.append("Missing before it ships:")
        lines.extend(missing_lines(decision, safe))
    return lines


def risk_counts(result: CheckResult) -> str:
    """``'8 high risk, 20 medium, 43 low'``."""
    counts = {level: 0 for level in RISKS}
    for risk in result.risk.values():
        counts[risk.level] += 1
    return f"{counts['high']} high risk, {counts['medium']} medium, {counts['low']} low"


@dataclass(frozen=True)
class Folded:
    """A tool's low-risk assets shown as one line."""

    system: str
    assets: tuple[str, ...]
    near: int
    far: int

    @property
    def span(self) -> str:
        return tools_away_between(self.near, self.far)


@dataclass(frozen=True)
class RiskGroup:
    level: str
    count: int
    shown: tuple[Reach, ...]
    folded: tuple[Folded, ...]


def risk_groups(result: CheckResult, *, show_all: bool = False) -> list[RiskGroup]:
    """Impacted assets by risk, highest first; a tool with more than ``FOLD_ABOVE`` low-risk assets folded unless
    ``show_all``.
    """
    risk = result.risk
    by_level: dict[str, list[Reach]] = {level: [] for level in RISKS}
    for r in result.impacted:
        by_level[risk[r.asset].level].append(r)
    groups = []
    for level in RISKS:
        reached = by_level[level]
        if not reached:
            continue
        systems = result.fields.systems(r.asset for r in reached)
        per_tool: dict[str, list[Reach]] = {}
        for r, system in zip(reached, systems):
            per_tool.setdefault(system, []).append(r)
        fold = set() if level != "low" or show_all else {t for t, rs in per_tool.items() if len(rs) > FOLD_ABOVE}
        shown = tuple(r for r, system in zip(reached, systems) if system not in fold) if fold else tuple(reached)
        folded = tuple(
            Folded(
                t,
                tuple(r.asset for r in per_tool[t]),
                per_tool[t][0].tool_distance,
                max(r.tool_distance for r in per_tool[t]),
            )
            for t in sorted(fold)
        )
        groups.append(RiskGroup(level, len(reached), shown, folded))
    return groups


def impacted_lines(result: CheckResult, *, show_all: bool = False) -> Iterator[str]:
    """Impacted assets, high risk first; each tool's long low-risk tail folded into one line unless ``show_all``."""
    row = result.fields.row
    any_folded = False
    for group in risk_groups(result, show_all=show_all):
        yield f"  {group.level.capitalize()} risk ({group.count}):"
        for r in group.shown:
            name, _, _, _, critical, _, _ = row(r.asset)
            mark = "!" if critical else " "
            yield f"   {mark} {labelled(r.asset, name)} ({away(r.tool_distance)})"
            yield f"        why: {show_path(r)}"
            if group.level == "high":
                yield f"        risk: {'; '.join(safe(x) for x in result.risk[r.asset].reasons)}"
        for f in group.folded:
            any_folded = True
            names = ", ".join(safe(a) for a in f.assets[:SHOWN_FOLDED])
            more = f" and {len(f.assets) - SHOWN_FOLDED} more" if len(f.assets) > SHOWN_FOLDED else ""
            yield f"     {safe(f.system)}: {plural(len(f.assets), 'asset')}, {f.span}: {names}{more}"
    if any_folded:
        yield "  (--all lists every asset with its path; --format json has them all)"


LEFT_OUT_SHOWN = 5
"""How many left-out assets the text names before it counts the rest."""


def left_out_lines(result: CheckResult) -> Iterator[str]:
    """One line for what a value-level change leaves out: what tests the changed field only for other values."""
    if not result.left_out:
        return
    named = ", ".join(safe(a) for a in result.left_out[:LEFT_OUT_SHOWN])
    more = len(result.left_out) - LEFT_OUT_SHOWN
    verb = "tests" if len(result.left_out) == 1 else "test"
    yield (
        f"  Left out: {plural(len(result.left_out), 'asset')} that {verb} the changed field only for other values: "
        f"{named}" + (f" and {more} more" if more > 0 else "")
    )


def render_check(result: CheckResult, *, show_all: bool = False) -> str:
    return "\n".join(check_lines(result, show_all=show_all)) + "\n"


def check_lines(result: CheckResult, *, show_all: bool = False) -> Iterator[str]:
    """The lines of :func:`render_check`, made one at a time (a big answer is written as it is made)."""
    change = result.change
    yield f"{safe(change.id)}: {safe(change.title)}"
    yield from answer_lines(result)
    yield summary_line(result)
    yield ""

    yield "Changed"
    yield from changed_lines(result)
    yield ""

    yield f"Impacted (up to {plural(result.max_tools, 'tool')} away; ! = critical)"
    if not result.impacted:
        yield "  nothing downstream depends on the changed assets"
    yield from impacted_lines(result, show_all=show_all)
    yield from left_out_lines(result)
    yield ""

    yield "Stakeholders"
    rows = []
    for s in result.stakeholders:
        contact = " ".join(safe(x) for x in (s.team.email, s.team.slack) if x)
        first = s.role_reason
        why = safe(first.text) + (f" (+{len(s.reasons) - 1} more)" if len(s.reasons) > 1 else "")
        rows.append((safe(s.team.id), s.role, contact, why))
    yield from table(rows, ("TEAM", "ROLE", "CONTACT", "WHY"))
    yield ""

    yield (
        f"Tests to run ({len(result.tests)}: {tests_breakdown(result.test_counts)})"
        if result.tests
        else "Tests to run (0)"
    )
    if not result.tests:
        yield "  no regression test covers the changed or impacted assets"
    for t in result.tests:
        kind = t.test.kind or "test"
        minutes = f", {t.test.minutes} min" if t.test.minutes and t.test.kind != "automated" else ""
        yield f"  [ ] {safe(t.test.id)}: {safe(t.test.name)} ({kind}{minutes}, {away(t.tool_distance)})"
        yield f"        covers: {', '.join(safe(a) for a in t.covers)}"
        if t.test.run:
            yield f"        run: {safe(t.test.run)}"
    if result.untested:
        yield ""
        yield f"Untested: no regression test covers {plural(len(result.untested), 'changed or impacted asset')}"
        distance = result.distance_of
        names, _, _, _, critical = result.fields.columns(result.untested)
        for a, name, flag in zip(result.untested, names, critical):
            yield f" {'!' if flag else ' '} {labelled(a, name)} ({away(distance[a])})"
    if result.release_path is not None:
        yield ""
        yield from render_release_path(result.release_path)


def render_release_path(rp: ReleasePath) -> list[str]:
    """The release path section: the verdict first, then the reasons."""
    declared = f"declared: {rp.declared}" if rp.declared else "none declared"
    lines = [f"Release path: needs {rp.computed} ({declared})"]
    if rp.too_light:
        lines.append(
            f"  BLOCKING: declared {rp.declared} is lighter than the {rp.computed} this change needs; set 'path: "
            f"{rp.computed}' or reduce the change"
        )
    for reason in rp.reasons:
        lines.append(f"  - {safe(reason)}")
    return lines


def write_lines(lines: Iterable[str], write: Callable[[bytes], object]) -> None:
    """Write ``lines`` (each ended by a newline) as UTF-8, about a megabyte at a time."""
    pending: list[str] = []
    size = 0
    for line in lines:
        pending.append(line)
        size += len(line) + 1
        if size >= 1 << 20:
            pending.append("")
            write("\n".join(pending).encode("utf-8"))
            pending.clear()
            size = 0
            progress.step("Writing the answer", 0)
    if pending:
        pending.append("")
        write("\n".join(pending).encode("utf-8"))
