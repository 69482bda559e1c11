"""The fast composer of :mod:`impact.read.yamlio` against PyYAML's own composer.

``parse_yaml`` builds its tree in a hand-tuned loop over libyaml events. These
tests compare every value and every (line, column) it records with the node
tree PyYAML's reference composer builds from the same text, on the example
catalog and on a generated one, so a speed-up can never move a place or
change a value unnoticed.
"""

from __future__ import annotations

import gc
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from impact.core.errors import ImpactError
from impact.read.schema import AssetSpec, CatalogFileSpec
from impact.read.shape_check import validate
from impact.read.yamlio import YMap, YSeq, gc_paused, parse_yaml

ROOT = Path(__file__).resolve().parents[1]
NULLS = {"", "~", "null", "Null", "NULL"}


def _mark(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _same(ours: Any, node: yaml.Node, where: str) -> None:
    """Assert that ``ours`` holds exactly what ``node`` holds, with the same marks."""
    if isinstance(node, yaml.MappingNode):
        assert isinstance(ours, YMap), where
        assert (ours.line, ours.col) == _mark(node), where
        assert list(ours) == [k.value for k, _ in node.value], where
        for knode, vnode in node.value:
            key = knode.value
            assert ours.key_marks[key] == _mark(knode), f"{where}/{key}"
            assert ours.value_marks[key] == _mark(vnode), f"{where}/{key}"
            _same(ours[key], vnode, f"{where}/{key}")
    elif isinstance(node, yaml.SequenceNode):
        assert isinstance(ours, YSeq), where
        assert (ours.line, ours.col) == _mark(node), where
        assert ours.marks == [_mark(item) for item in node.value], where
        assert len(ours) == len(node.value), where
        for i, (item, inode) in enumerate(zip(ours, node.value)):
            _same(item, inode, f"{where}[{i}]")
    else:
        plain_null = node.style in (None, "") and node.value in NULLS
        assert ours == (None if plain_null else node.value), where


def _check_file(path: Path) -> None:
    raw = path.read_bytes()
    reference = yaml.compose(raw.decode("utf-8"), Loader=yaml.BaseLoader)
    _same(parse_yaml(raw, str(path)).data, reference, str(path))


def _yaml_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.suffix in (".yaml", ".yml"))


def test_example_catalog_and_changes_parse_like_the_reference_composer() -> None:
    files = _yaml_files(ROOT / "catalogs" / "example")
    assert len(files) > 5
    for path in files:
        _check_file(path)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("gen") / "catalog"
    subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "generate.py"), str(out), "--assets", "2000"],
        check=True,
        capture_output=True,
    )
    return out


def test_generated_catalog_parses_like_the_reference_composer(generated: Path) -> None:
    files = _yaml_files(generated)
    assert files
    for path in files:
        _check_file(path)


def test_tricky_shapes_parse_like_the_reference_composer(tmp_path: Path) -> None:
    text = (
        "a: &x {k: [1, 2, {z: ~}], 'q': \"v\"}\n"
        "c:\n"
        "  - - nested\n"
        "    - ''\n"
        "  - null\n"
        "  - |\n"
        "    block\n"
        "d: !!str 010\n"
        "e:\n"
        "f: ! plain\n"
    )
    path = tmp_path / "t.yaml"
    path.write_text(text, encoding="utf-8")
    _check_file(path)


def test_defaults_of_list_fields_are_fresh_empty_lists() -> None:
    # List defaults come from a factory (cheap) rather than a deep-copied [].
    first = AssetSpec.model_validate({"type": "form"})
    second = AssetSpec.model_validate({"type": "form"})
    assert list(first.depends_on) == list(first.feeds) == list(first.consulted) == list(first.informed) == []
    assert first.depends_on is not second.depends_on  # fresh lists, never shared
    given = AssetSpec.model_validate({"type": "form", "depends_on": None, "consulted": ["ops"]})
    assert given.depends_on == [] and given.consulted == ["ops"]
    assert AssetSpec.model_validate({"type": "form", "depends_on": []}).model_dump(exclude_defaults=True) == {"type": "form"}
    schema = AssetSpec.model_json_schema()
    assert schema["properties"]["depends_on"]["default"] == []


def test_validation_errors_keep_their_places_and_words(tmp_path: Path) -> None:
    raw = b"systems:\n  web:\n    name: Web\n    owner: ops\n    assets:\n      page:\n        typ: page\n        critical: yes\n"
    spec, problems = validate(CatalogFileSpec, parse_yaml(raw, "c.yaml"))
    assert spec is None
    assert [str(p) for p in problems] == [
        "c.yaml:7:9: unknown key 'typ'; did you mean 'type' (required)?",
        "c.yaml:8:19: critical: expected true or false, found 'yes'; write true or false",
    ]


def test_gc_paused_restores_the_collector_even_after_an_error() -> None:
    assert gc.isenabled()
    with pytest.raises(ImpactError), gc_paused():
        assert not gc.isenabled()
        parse_yaml(b"a: 1\na: 2\n", "d.yaml")
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()  # a caller's choice is left as it was
    finally:
        gc.enable()


# Risky inputs keep exactly the messages (and places) they had before the
# composer was tuned for speed.
RISKY = {
    "deep flow": (b"a: " + b"[" * 50000 + b"]" * 50000 + b"\n", "f.yaml:1:67: nesting deeper than 64 levels; a catalog needs far fewer"),
    "deep block": (b"".join(b"  " * i + b"k:\n" for i in range(3000)), "f.yaml:65:129: nesting deeper than 64 levels; a catalog needs far fewer"),
    "alias bomb": (
        b"a: &a [x,x,x,x,x,x,x,x,x]\n"
        + b"".join(b"%s: &%s [*%s,*%s,*%s,*%s,*%s,*%s,*%s,*%s,*%s]\n" % ((chr(98 + i).encode(),) * 2 + (chr(97 + i).encode(),) * 9) for i in range(9)),
        "f.yaml:5:8: aliases here expand to far more data than the file holds (an alias bomb?); write the values out",
    ),
    "python tag": (b"a: !!python/object:os.system x\n", "f.yaml:1:4: the YAML tag '!!python/object:os.system' is not allowed; remove it"),
    "duplicate key": (b"a: 1\nb: 2\na: 3\n", "f.yaml:3:1: duplicate key 'a' (first at line 1, column 1); keep one of them"),
    "typed keys": (
        b"on: 1\ntrue: 2\n",
        "f.yaml:2:1: key 'true' collides with 'on' at line 1, column 1: YAML 1.1 tools read both as true; rename or quote one of them",
    ),
    "two documents": (b"a: 1\n---\nb: 2\n", "f.yaml:2:1: a second YAML document starts here; keep one document per file"),
    "unknown alias": (b"a: *nope\n", "f.yaml:1:4: the alias *nope names no anchor defined before it"),
    "empty": (b"", "f.yaml:1:1: this file is empty; give it content or delete it"),
    "a list": (b"- a\n", "f.yaml:1:1: the file holds a list; it must be a mapping of keys (e.g. 'teams:')"),
    "list as key": (b"? [a]\n: b\n", "f.yaml:1:3: a mapping or list used as a key is not allowed; keys are plain text"),
    "empty key": (b"? \n: b\n", "f.yaml:1:2: an empty key is not allowed; keys are plain text"),
}


@pytest.mark.parametrize("name", sorted(RISKY))
def test_risky_input_keeps_its_message(name: str) -> None:
    raw, expected = RISKY[name]
    with pytest.raises(ImpactError) as caught:
        parse_yaml(raw, "f.yaml")
    assert [str(p) for p in caught.value.problems] == [expected]
