"""Snapshot readers of Marketo, HubSpot and Tableau exports for ``impact changes``: each edit shows as the pinned aspect.

Filter values → logic, names → name, isActive → availability, field type → schema.
The comparison here is the plainest one (facets that differ); the differ itself is tested with it.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from impact.importers.changes import hubspot, marketo, tableau
from impact.importers.changes.model import FolderTree, Snapshot

FIXTURES = Path(__file__).parent / "fixtures"


def changed(old: Snapshot, new: Snapshot) -> dict[str, set[str]]:
    """Asset id → aspects of the facets that differ; '+' added, '-' removed."""
    out: dict[str, set[str]] = {}
    for aid in old.keys() | new.keys():
        if aid not in old or aid not in new:
            out[aid] = {"+" if aid in new else "-"}
            continue
        a, b = old[aid].facets, new[aid].facets
        aspects = {(a.get(k) or b[k]).aspect for k in a.keys() | b.keys() if a.get(k) != b.get(k)}
        if aspects:
            out[aid] = aspects
    return out


def _edit(folder: Path, rel: str, change: Callable[[Any], None]) -> None:
    path = folder / rel
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))


@pytest.fixture
def copy(tmp_path: Path) -> Callable[[str], Path]:
    def _copy(name: str) -> Path:
        target = tmp_path / name
        shutil.copytree(FIXTURES / name, target)
        return target

    return _copy


def test_marketo_edits_as_aspects(copy: Callable[[str], Path]) -> None:
    folder = copy("marketo")
    old = marketo.snapshot(FolderTree(folder))
    assert marketo.snapshot(FolderTree(folder)) == old  # deterministic
    _edit(
        folder,
        "smartLists/4363.json",
        lambda d: d["result"][0]["rules"]["filters"][0]["conditions"][0]["values"].append(
            "www.example.com/solutions/*"
        ),
    )
    _edit(folder, "smartCampaigns.json", lambda d: d["result"][0].update(isActive=False, status="Inactive"))
    _edit(folder, "leadFields.json", lambda d: d["result"][0]["fields"][4].update(dataType="text"))
    _edit(folder, "leadFields.json", lambda d: d["result"][0]["fields"][7].update(displayName="Business Division"))
    _edit(
        folder, "smartLists/4370.json", lambda d: d["result"][0].update(updatedAt="2027-01-01T00:00:00Z+0000")
    )  # noise
    assert changed(old, marketo.snapshot(FolderTree(folder))) == {
        "marketo:smart-list/Product Page Visitors - 90d": {"logic"},
        "marketo:smart-campaign/OPS - Data Management/OPS - Set Division from Product Interest": {"availability"},
        "marketo:field/country": {"schema"},
        "marketo:field/Division__c": {"name"},
    }


def test_hubspot_edits_as_aspects(copy: Callable[[str], Path]) -> None:
    folder = copy("hubspot")
    old = hubspot.snapshot(FolderTree(folder))
    _edit(
        folder,
        "lists/11.json",
        lambda d: d["list"]["filterBranch"]["filterBranches"][0]["filters"][2]["operation"]["values"].append("Spain"),
    )
    _edit(folder, "flows/501.json", lambda d: d.update(isEnabled=False))
    _edit(folder, "properties/contacts.json", lambda d: d["results"][2].update(type="enumeration"))
    _edit(folder, "properties/contacts.json", lambda d: d["results"][1].update(label="E-mail"))
    _edit(folder, "lists/12.json", lambda d: d["list"].update(size=9999, updatedAt="2027-01-01T00:00:00Z"))  # noise
    assert changed(old, hubspot.snapshot(FolderTree(folder))) == {
        "hubspot:list/Product Page Visitors": {"logic"},
        "hubspot:workflow/Set Product Interest": {"availability"},
        "hubspot:property/contacts.country": {"schema"},
        "hubspot:property/contacts.email": {"name"},
    }


def test_tableau_edits_as_aspects(copy: Callable[[str], Path]) -> None:
    folder = copy("tableau")
    old = tableau.snapshot(FolderTree(folder))
    assert "tableau:worksheet/ts_users_04.01/Top Publishers " in old
    path = folder / "ts_users_04.01.twb"
    path.write_text(path.read_text().replace("INNER JOIN system_users su", "INNER JOIN system_users_v2 su"))
    assert changed(old, tableau.snapshot(FolderTree(folder))) == {
        "tableau:datasource/ts_users_04.01/TS Users": {"logic"}
    }
    only = tableau.snapshot(FolderTree(folder), only={"multiple_connections.twb"})
    assert {aid.split("/")[1] for aid in only} == {"multiple_connections"}
