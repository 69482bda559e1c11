"""Places found late: a file read by the fast reader records none, and they are found when shown.

Each place must be exactly the one the precise reader gives when it reads
every file up front; a file's places are found once per content (the cache
keeps them); and a file edited while impact runs is never used for them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest

from impact.core.errors import ImpactError
from impact.load import places
from impact.load.loader import check_catalog
from impact.read import definition_places, fastyaml, yamlio
from impact.store import cache
from tests.helpers import run_cli as run
from tests.helpers import without_cache

pytestmark = pytest.mark.usefixtures("cache_home")

EXAMPLE = Path(__file__).resolve().parents[1] / "catalogs" / "example" / "catalog"


def test_late_places_are_the_places_of_the_precise_reader(monkeypatch: pytest.MonkeyPatch) -> None:
    late, late_warnings = check_catalog(EXAMPLE)
    assert late is not None
    with monkeypatch.context() as m:  # every file read precisely, places recorded up front
        m.setattr(fastyaml, "read_fast", lambda raw: None)
        with without_cache():
            eager, eager_warnings = check_catalog(EXAMPLE)
    assert eager is not None
    assert dict(late.places) == dict(eager.places) and len(late.places) > 100
    assert late_warnings == eager_warnings
    assert all(place.line > 0 for place in late.places.values())


def test_a_files_places_are_found_once_and_then_kept(small_catalog: Path, write: Callable[..., Path], monkeypatch: pytest.MonkeyPatch) -> None:
    write("catalog/extra.yaml", "systems:\n  crm:\n    name: CRM\n    owner: web\n    assets:\n      x: {type: field, critical: true}\n")
    first = run("validate", str(small_catalog))
    assert "extra.yaml:6:7: critical asset 'crm:x'" in first[2]
    # The snapshot was dropped: the catalog is merged again from cached records,
    # and the places come from the cache, with no file read precisely.
    for snapshot in (Path(str(cache.cache_dir())) / "catalogs").glob("*.bin"):
        snapshot.unlink()
    monkeypatch.setattr(yamlio, "parse_yaml", lambda raw, name, **_: pytest.fail(f"read {name} precisely again"))
    assert run("validate", str(small_catalog)) == first


def test_an_edited_file_gets_its_new_places(small_catalog: Path, write: Callable[..., Path]) -> None:
    extra = write("catalog/extra.yaml", "systems:\n  crm:\n    name: CRM\n    owner: web\n    assets:\n      x: {type: field, critical: true}\n")
    assert "extra.yaml:6:7:" in run("validate", str(small_catalog))[2]
    extra.write_text("# moved down two lines\n\n" + extra.read_text())
    assert "extra.yaml:8:7:" in run("validate", str(small_catalog))[2]


def test_a_file_edited_while_impact_runs_gives_no_place_from_it(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text("teams:\n  web: {name: Web}\n")
    digest = hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest()
    locate = places.FileLocator([path], ["a.yaml"], [digest])
    path.write_text("# edited\nteams:\n  web: {name: Web}\n")
    with pytest.raises(ImpactError) as raised:
        locate(0, "team:web")
    assert str(raised.value) == "a.yaml: this file changed while impact was reading the catalog; run the command again"


def test_definition_places_name_every_kind_of_definition() -> None:
    raw = b"teams:\n  web: {name: Web}\nsystems:\n  crm:\n    name: CRM\n    owner: web\n    assets:\n      'a:b': {type: field}\ntests:\n  T1: {name: t, covers: ['crm:a:b']}\npolicy:\n  minor: {max_tool_distance: 2}\n"
    assert definition_places.definition_places(raw, "f.yaml") == {
        "team:web": (2, 3),
        "system:crm": (4, 3),
        "asset:crm:a:b": (8, 7),
        "test:T1": (10, 3),
        "policy": (11, 1),
    }
