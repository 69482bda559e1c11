"""A new asset field is three files (docs/architecture.md, "where to change what"; issue #27).

A copy of the package gets ``sla_hours: int`` the way the table says: the
field on the asset model (``read/schema.py``), its name in the one list of
shown fields (``render/fields.py``) and a place in the report's template.
Nothing else changes, and the field reaches ``impact check --format json``
and the HTML report; both readers (the fast one and the precise one) refuse
``015`` for it, as the model's integer fields say.
"""

from __future__ import annotations

import filecmp
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

EDITS = {
    "read/schema.py": (
        "    informed: Annotated[list[Id], _none_to_empty(list)] = _no_items()\n\n\nclass SystemSpec(_Spec):",
        '    informed: Annotated[list[Id], _none_to_empty(list)] = _no_items()\n    sla_hours: YInt | None = Field(None, description="Hours the owner has to answer.")'
        "\n\n\nclass SystemSpec(_Spec):",
    ),
    "render/fields.py": ("ASSET_FIELDS_SHOWN: tuple[str, ...] = ()", 'ASSET_FIELDS_SHOWN: tuple[str, ...] = ("sla_hours",)'),
    "render/templates/report.html.j2": (
        '{% if a.type %} <small class="type">{{ a.type }}</small>{% endif %}</td>',
        '{% if a.type %} <small class="type">{{ a.type }}</small>{% endif %}'
        '{% if a.sla_hours %} <small class="sla">answers within {{ a.sla_hours }} h</small>{% endif %}</td>',
    ),
}

CATALOG = """\
teams:
  ops: {{name: Revenue Operations}}
systems:
  crm:
    name: CRM
    owner: ops
    assets:
      field/Lead.Source: {{type: field}}
      queue/Inbound:
        type: queue
        sla_hours: {sla}
        depends_on: [crm:field/Lead.Source]
"""

CHANGE = """\
id: CR-9
title: Rename the lead source field
catalog: ../catalog
changes:
  - {target: crm:field/Lead.Source, action: rename}
"""


def _package_copy(tmp: Path) -> Path:
    copy = tmp / "pkg"
    shutil.copytree(ROOT / "impact", copy / "impact", ignore=shutil.ignore_patterns("__pycache__"))
    for rel, (old, new) in EDITS.items():
        path = copy / "impact" / rel
        text = path.read_text(encoding="utf-8")
        assert text.count(old) == 1, f"{rel} no longer holds the line this test edits"
        path.write_text(text.replace(old, new), encoding="utf-8")
    return copy


def _changed_files(a: Path, b: Path) -> list[str]:
    found: list[str] = []
    compared = filecmp.dircmp(a, b, ignore=["__pycache__"])
    stack = [(compared, "")]
    while stack:
        here, prefix = stack.pop()
        found += [prefix + name for name in here.diff_files + here.left_only + here.right_only]
        stack += [(sub, f"{prefix}{name}/") for name, sub in here.subdirs.items()]
    return sorted(found)


def _impact(package: Path, cache: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(package), "IMPACT_CACHE_DIR": str(cache), "NO_COLOR": "1"}
    code = "import sys, impact; assert impact.__file__.startswith(sys.argv[1]), impact.__file__; "
    code += "from impact.cli.main import main; sys.argv = ['impact', *sys.argv[2:]]; main()"
    return subprocess.run([sys.executable, "-c", code, str(package), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def _workspace(tmp: Path, sla: str) -> Path:
    work = tmp / f"work-{sla}"
    (work / "catalog").mkdir(parents=True)
    (work / "changes").mkdir()
    (work / "catalog" / "crm.yaml").write_text(CATALOG.format(sla=sla), encoding="utf-8")
    (work / "changes" / "cr-9.yaml").write_text(CHANGE, encoding="utf-8")
    return work


@pytest.mark.parametrize("cached", [True, False])
def test_sla_hours_flows_from_the_model_to_json_and_the_report(tmp_path: Path, cached: bool) -> None:
    package = _package_copy(tmp_path)
    assert _changed_files(ROOT / "impact", package / "impact") == sorted(EDITS)
    work = _workspace(tmp_path, "4")
    cache = tmp_path / "cache"
    flags = [] if cached else ["--no-cache"]
    done = _impact(package, cache, *flags, "check", "changes/cr-9.yaml", "--format", "json", cwd=work)
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert [(i["asset"], i["sla_hours"]) for i in answer["impacted"]] == [("crm:queue/Inbound", 4)]
    assert [(c["asset"], c["sla_hours"]) for c in answer["changed"]] == [("crm:field/Lead.Source", None)]
    done = _impact(package, cache, *flags, "report", "changes/cr-9.yaml", "--output-dir", "out", cwd=work)
    assert done.returncode == 0, done.stderr
    page = (work / "out" / "release-notes.html").read_text(encoding="utf-8")
    assert page.count('<small class="sla">answers within 4 h</small>') == 1
    assert json.loads((work / "out" / "impact.json").read_text(encoding="utf-8"))  # the report's JSON is written too


def test_both_readers_take_the_new_fields_number_rule_from_the_model(tmp_path: Path) -> None:
    package = _package_copy(tmp_path)
    for sla, code in (("15", 0), ("015", 2), ("'15'", 0), ("-1", 2)):
        work = _workspace(tmp_path, sla)
        done = _impact(package, tmp_path / "cache", "validate", "catalog", cwd=work)
        assert done.returncode == code, (sla, done.stdout, done.stderr)
        if code == 2:
            assert "crm.yaml:11:20:" in done.stderr + done.stdout, done.stderr  # the line of sla_hours
            assert "Traceback" not in done.stderr


def test_the_unchanged_package_refuses_the_field(tmp_path: Path) -> None:
    """The field is new: the package as it is refuses it as an unknown key (so the copy's answers come from the edits)."""
    work = _workspace(tmp_path, "4")
    done = _impact(ROOT, tmp_path / "cache", "validate", "catalog", cwd=work)
    assert done.returncode == 2 and "sla_hours" in done.stderr + done.stdout
