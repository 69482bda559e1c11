"""One verdict, one cost: whether a change blocks, whether it can ship, and what testing it costs.

Every output (``check`` in text, Markdown and JSON, ``report``, ``notify``,
``release check`` and the catalog site) shows this one result, in the same
words:

- **blocking**: the declared release path is lighter than the one the change
  needs (exit code 1 of ``check``);
- **can ship**: nothing is missing: its status is ``approved``, its path is
  not too light, no unfinished change request holds it (in a release: see
  :mod:`impact.analysis.releases`), and what the catalog's ``policy: ready:``
  asks is there (see :mod:`impact.analysis.readiness`);
- **testing cost**: the tests to run, manual minutes and automated tests
  counted apart (see :func:`impact.analysis.answer.tests_sentence`).

Examples
--------
>>> headline(False, False, ["status build"])
'Not blocking · not ready to ship: status build'
>>> headline(True, False, ["status qa", "path quick-hit, needs minor"])
'BLOCKING · not ready to ship: status qa; path quick-hit, needs minor'
>>> headline(False, False, [])
'Not blocking · ready to ship'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from impact.analysis.answer import TestCounts, tests_sentence
from impact.analysis.check import CheckResult
from impact.analysis.readiness import Missing, Readiness, readiness_of

KINDS = ("status", "path", "conflicts", "signoffs", "steps", "tests")
"""What can keep a change from shipping, in the order it is reported."""


def headline(blocking: bool, released: bool, shorts: Sequence[str]) -> str:
    """The verdict in one line: blocking or not, then ready to ship or what is missing."""
    first = "BLOCKING" if blocking else "Not blocking"
    if released:
        return f"{first} · released"
    return f"{first} · " + (f"not ready to ship: {'; '.join(shorts)}" if shorts else "ready to ship")


def status_missing(result: CheckResult) -> Missing | None:
    status = result.change.status
    if status in ("approved", "released"):
        return None
    if status is None:
        what = "no status: only approved change requests ship; set 'status: approved' once it is tested and signed off"
        return Missing("status", what, "no status")
    return Missing("status", f"status is {status}: only approved change requests ship", f"status {status}")


def path_missing(result: CheckResult) -> Missing | None:
    rp = result.release_path
    if rp is None or not rp.too_light:
        return None
    why = [r.split(": ", 1)[1] for r in rp.reasons if r.startswith(f"not {rp.declared}:")]
    what = f"declared path {rp.declared} is lighter than the {rp.computed} it needs: " + "; ".join(why)
    return Missing("path", what, f"path {rp.declared}, needs {rp.computed}")


def _shorts(missing: Sequence[Missing]) -> list[str]:
    """The few words per kind of what is missing, several of a kind said once."""
    shorts: list[str] = []
    for kind in KINDS:
        mine = [m for m in missing if m.kind == kind]
        if not mine:
            continue
        if kind == "conflicts":
            shorts.append("waits for " + ", ".join(dict.fromkeys(m.short for m in mine)))
        elif kind == "signoffs":
            absent = [m.short for m in mine if m.short.startswith("sign-off from ")]
            shorts.extend(m.short for m in mine if not m.short.startswith("sign-off from "))
            if absent:
                teams = [a.removeprefix("sign-off from ").removesuffix(" missing") for a in absent]
                shorts.append(f"sign-off{'s' if len(teams) != 1 else ''} missing: {', '.join(teams)}")
        elif kind == "steps":
            absent = [m.short.removeprefix("no ").removesuffix(" step") for m in mine if m.short.startswith("no ")]
            if absent:
                shorts.append(f"step{'s' if len(absent) > 1 else ''} missing: {', '.join(absent)}")
            shorts.extend(m.short for m in mine if not m.short.startswith("no "))
        elif kind == "tests":
            n = len(mine)
            shorts.append(f"{n} test{'s' if n != 1 else ''} not passed")
        else:
            shorts.extend(dict.fromkeys(m.short for m in mine))
    return shorts


@dataclass(frozen=True)
class Decision:
    """The one verdict and cost of a change (see the module's rule)."""

    change: str
    blocking: bool
    released: bool
    missing: tuple[Missing, ...]
    counts: TestCounts
    readiness: Readiness

    @property
    def ships(self) -> bool:
        """Can ship in its release: nothing is missing (and it is not released already)."""
        return not self.missing and not self.released

    @property
    def headline(self) -> str:
        """``Not blocking · not ready to ship: status build``."""
        return headline(self.blocking, self.released, _shorts(self.missing))

    @property
    def cost(self) -> str:
        """``15 to run: 10 manual (about 185 minutes), 5 automated``."""
        return tests_sentence(self.counts)

    def as_dict(self) -> dict[str, object]:
        """The decision as JSON: ``ready`` and ``missing`` as the release check gives them, and the words."""
        c = self.counts
        return {
            "verdict": self.headline,
            "blocking": self.blocking,
            "ready": self.ships,
            "missing": [{"kind": m.kind, "what": m.what} for m in self.missing],
            "tests": {
                "sentence": self.cost,
                "manual": c.manual,
                "manual_minutes": c.manual_minutes,
                "automated": c.automated,
            },
        }


def decide(result: CheckResult, held_by: Sequence[Missing] = ()) -> Decision:
    """The verdict of one change: ``held_by`` is what other change requests add (conflicts, in a release)."""
    ready = readiness_of(result)
    released = result.change.status == "released"
    found = [m for m in (status_missing(result), path_missing(result)) if m]
    missing = () if released else (*found, *held_by, *ready.missing)
    return Decision(result.change.id, result.blocking, released, tuple(missing), result.test_counts, ready)
