"""Shared fixtures: small catalogs written into a temporary folder."""

from __future__ import annotations

import os
import tempfile
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def pytest_configure(config: pytest.Config) -> None:
    # The suite's catalogs are cached in a folder of its own, never in the
    # user's ~/.cache/impact (tests that study the cache set their own).
    os.environ.setdefault("IMPACT_CACHE_DIR", tempfile.mkdtemp(prefix="impact-tests-cache-"))
EXAMPLE = ROOT / "catalogs" / "example"

TEAMS = """\
teams:
  web: {name: Web Team, email: web@example.com, slack: "#web"}
  mops: {name: Marketing Ops, email: mops@example.com}
  sales: {name: Sales Ops, email: salesops@example.com}
  bi: {name: Analytics}
"""

STACK = """\
systems:
  website:
    name: Website
    owner: web
    assets:
      /products/: {type: folder}
      form/demo: {type: form, depends_on: [website:/products/]}
  marketo:
    name: Marketo
    owner: mops
    informed: [bi]
    assets:
      segmentation/interest:
        type: segmentation
        depends_on:
          - {asset: website:/products/, note: keyed on the folder name}
      field/division:
        type: field
        depends_on: [marketo:segmentation/interest, salesforce:field/division]
  salesforce:
    name: Salesforce
    owner: sales
    consulted: [mops]
    assets:
      field/division: {type: field, depends_on: [marketo:field/division]}
      queue/emea: {type: queue, critical: true, depends_on: [salesforce:field/division]}
tests:
  demo-routing:
    name: Demo form reaches the EMEA queue
    covers: [website:form/demo, salesforce:queue/emea]
    kind: manual
    minutes: 15
  interest-smoke:
    name: Interest segmentation matches
    covers: [marketo:segmentation/interest]
    kind: automated
    run: pytest tests/segments
"""


@pytest.fixture
def write(tmp_path: Path) -> Callable[..., Path]:
    """write("a/b.yaml", text) → the written path (text is dedented)."""

    def _write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return _write


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A cache folder of this test's own (IMPACT_CACHE_DIR), caching switched on."""
    from impact.store import cache

    home = tmp_path / "cache-home"
    monkeypatch.setenv("IMPACT_CACHE_DIR", str(home))
    monkeypatch.delenv("IMPACT_NO_CACHE", raising=False)
    cache.set_enabled(None)
    return home


@pytest.fixture
def small_catalog(write: Callable[..., Path], tmp_path: Path) -> Path:
    write("catalog/teams.yaml", TEAMS)
    write("catalog/stack.yaml", STACK)
    return tmp_path / "catalog"
