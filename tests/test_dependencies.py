"""Supported dependency versions: every lower bound is real and tested, and nothing is capped without a reason.

``.ci/run --lowest`` installs ``.ci/lowest.txt`` and runs the whole suite;
this test keeps that file equal to the lower bounds of pyproject.toml, so a
bound cannot be raised or lowered without the pinned run following it.
"""

from __future__ import annotations

import re
import tomllib
from importlib.metadata import version

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from tests.conftest import ROOT

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
RUNTIME = [Requirement(r) for r in PYPROJECT["project"]["dependencies"]]


def lower_bound(req: Requirement) -> Version:
    bounds = [Version(s.version) for s in req.specifier if s.operator == ">="]
    assert len(bounds) == 1, f"{req}: give exactly one '>=' lower bound"
    return bounds[0]


def test_every_runtime_dependency_has_a_lower_bound_and_no_cap() -> None:
    for req in RUNTIME:
        lower_bound(req)
        caps = [s for s in req.specifier if s.operator in ("<", "<=", "==", "~=")]
        assert not caps, f"{req}: no upper bound without a reason (see the comment above dependencies in pyproject.toml)"


def test_every_runtime_dependency_says_why() -> None:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    block = text[text.index("dependencies = [") : text.index("]", text.index("dependencies = ["))]
    for line in block.splitlines()[1:]:
        if line.strip():
            assert re.search(r'",\s+#\s+\S', line), f"say why this dependency is needed: {line.strip()}"


def test_the_lowest_pins_are_the_lower_bounds() -> None:
    pins = {}
    for line in (ROOT / ".ci" / "lowest.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, pinned = line.partition("==")
            pins[canonicalize_name(name)] = Version(pinned)
    bounds = {canonicalize_name(req.name): lower_bound(req) for req in RUNTIME}
    assert pins == bounds, ".ci/lowest.txt must pin every runtime dependency at its lower bound in pyproject.toml"


def test_the_installed_versions_are_supported() -> None:
    for req in RUNTIME:
        assert Version(version(req.name)) >= lower_bound(req), req.name
