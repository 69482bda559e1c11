"""The JSON Schemas editors use: generated from the models, committed, and they accept what impact accepts."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from impact.cli.main import cli
from impact.read.jsonschemas import schema_texts

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "catalogs" / "example"


class Yaml12Loader(yaml.SafeLoader):
    """Reads YAML as editors do (YAML 1.2 core schema): ``yes`` and ``2024-01-01`` stay text."""


Yaml12Loader.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in resolvers if tag.endswith((":null", ":str"))]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
Yaml12Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
Yaml12Loader.add_implicit_resolver("tag:yaml.org,2002:int", re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"), list("-+0123456789"))


def editor_view(path: Path) -> object:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=Yaml12Loader)


def validator(kind: str) -> jsonschema.Draft202012Validator:
    schema = json.loads(schema_texts()[f"{kind}.schema.json"])
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_committed_schemas_equal_generated_ones() -> None:
    for name, text in schema_texts().items():
        committed = ROOT / "schemas" / name
        assert committed.read_text(encoding="utf-8") == text, f"schemas/{name} is stale: run 'impact schema -o schemas'"


def test_example_catalog_and_changes_validate_against_the_schemas() -> None:
    catalog_files = sorted((EXAMPLE / "catalog").rglob("*.yaml"))
    change_files = sorted((EXAMPLE / "changes").glob("*.yaml"))
    assert catalog_files and change_files
    for path in catalog_files:
        errors = list(validator("catalog").iter_errors(editor_view(path)))
        assert errors == [], f"{path}: {[e.message for e in errors]}"
    for path in change_files:
        errors = list(validator("change").iter_errors(editor_view(path)))
        assert errors == [], f"{path}: {[e.message for e in errors]}"
    for path in sorted((EXAMPLE / "releases").glob("*.yaml")):
        errors = list(validator("release").iter_errors(editor_view(path)))
        assert errors == [], f"{path}: {[e.message for e in errors]}"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("systems:\n  web:\n    name: W\n    owner: web\n    assets:\n      /a/:\n        type: folder\n        critcal: true\n", "Additional properties are not allowed ('critcal' was unexpected)"),
        ("systems:\n  web:\n    name: W\n    owner: web\n    assets:\n      /a/:\n        type: folder\n        critical: yes\n", "'yes' is not of type 'boolean'"),
        ("tests:\n  t:\n    name: T\n    covers: [web:/a/]\n    minutes: fifteen\n", "'fifteen' is not valid under any of the given schemas"),
        ("tests:\n  t:\n    name: T\n    covers: []\n", "[] should be non-empty"),
        ("teams:\n  bad id:\n    name: X\n", "'bad id' does not match"),
    ],
)
def test_a_broken_catalog_file_fails_the_schema(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    messages = [e.message for e in validator("catalog").iter_errors(editor_view(path))]
    assert any(expected in m for m in messages), messages


def test_short_and_long_dependency_forms_both_pass(tmp_path: Path) -> None:
    path = tmp_path / "ok.yaml"
    path.write_text(
        "systems:\n  web:\n    name: W\n    owner: web\n    assets:\n      /a/:\n        type: folder\n        critical: true\n"
        "        depends_on: [web:/b/, {asset: web:/c/, note: why}]\n",
        encoding="utf-8",
    )
    assert list(validator("catalog").iter_errors(editor_view(path))) == []


def test_a_broken_change_file_fails_the_schema(tmp_path: Path) -> None:
    path = tmp_path / "cr.yaml"
    path.write_text("id: CR-1\ntitle: T\nchanges:\n  - target: web:/a/\n    action: rename-it\n", encoding="utf-8")
    messages = [e.message for e in validator("change").iter_errors(editor_view(path))]
    assert any("'rename-it' is not one of" in m for m in messages), messages


def test_schema_command_writes_the_three_files(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["schema", "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert written == ["catalog.schema.json", "change.schema.json", "release.schema.json"]
    assert (tmp_path / "out" / "release.schema.json").read_text(encoding="utf-8") == schema_texts()["release.schema.json"]
