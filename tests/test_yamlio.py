"""Reading YAML: the text as written, with places, and clear refusals."""

from __future__ import annotations

import pytest

from impact.core.errors import ImpactError
from impact.read.scalars import as_bool, as_int
from impact.read.yamlio import YMap, parse_yaml


def refusal(text: str | bytes) -> str:
    with pytest.raises(ImpactError) as info:
        parse_yaml(text, "f.yaml")
    assert len(info.value.problems) == 1
    return str(info.value.problems[0])


@pytest.mark.parametrize("written", ["NO", "no", "on", "off", "yes", "y", "010", "1e3", "1.10", "1:20", "2024-01-01", "0x1F", ".inf"])
def test_scalars_stay_the_text_written(written: str) -> None:
    doc = parse_yaml(f"{written}: {written}\nlist: [{written}]\n", "f.yaml")
    assert doc.data == {written: written, "list": [written]}


def test_null_only_for_plain_empty_or_null_words() -> None:
    doc = parse_yaml('a:\nb: ~\nc: null\nd: "null"\ne: ""\n', "f.yaml")
    assert doc.data == {"a": None, "b": None, "c": None, "d": "null", "e": ""}


def test_places_of_keys_and_values_are_one_based() -> None:
    doc = parse_yaml("top:\n  inner: [a, b]\n  other: x\n", "f.yaml")
    assert isinstance(doc.data, YMap)
    assert doc.locate(("top", "inner", 1)) == (2, 14)
    assert doc.locate(("top", "other"), key=True) == (3, 3)
    assert doc.locate(("top", "other")) == (3, 10)
    # A path into a key that is missing points at the deepest thing that exists.
    assert doc.locate(("top", "missing", "deeper")) == (2, 3)


def test_crlf_and_bom_are_accepted() -> None:
    doc = parse_yaml("\ufeffa: 1\r\nb: NO\r\n".encode(), "f.yaml")
    assert doc.data == {"a": "1", "b": "NO"}
    assert doc.locate(("b",)) == (2, 4)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: 1\nb: 2\na: 3\n", "f.yaml:3:1: duplicate key 'a' (first at line 1, column 1); keep one of them"),
        ("on: 1\ntrue: 2\n", "f.yaml:2:1: key 'true' collides with 'on' at line 1, column 1: YAML 1.1 tools read both as true; rename or quote one of them"),
        ("a: !!python/object/apply:os.system [echo hi]\n", "f.yaml:1:4: the YAML tag '!!python/object/apply:os.system' is not allowed; remove it"),
        ("", "f.yaml:1:1: this file is empty; give it content or delete it"),
        ("# only a comment\n", "f.yaml:1:1: this file is empty; give it content or delete it"),
        ("- a\n- b\n", "f.yaml:1:1: the file holds a list; it must be a mapping of keys (e.g. 'teams:')"),
        ("a: b\n---\nc: d\n", "f.yaml:2:1: a second YAML document starts here; keep one document per file"),
        ("a: *nothing\n", "f.yaml:1:4: the alias *nothing names no anchor defined before it"),
        ("a:\n\tb: c\n", "f.yaml:2:1: YAML syntax error: found character that cannot start any token; a tab is not allowed here: indent with spaces"),
        (b"a: caf\xe9\n", "f.yaml:1:7: this file is not UTF-8 text (byte 0xe9); save it as UTF-8"),
        ("a: b\nc: \x00\n", "f.yaml:2:4: this file contains a NUL character; is it a binary file?"),
        ('a: b\nc: "x\x1b[31m"\n', "f.yaml:2:6: this file contains the control character U+001B, which YAML does not allow; delete it (it often comes with pasted text)"),
        ("a: b\u2028\x7f\n", "f.yaml:1:6: this file contains the control character U+007F, which YAML does not allow; delete it (it often comes with pasted text)"),
        ("? [a, b]\n: c\n", "f.yaml:1:3: a mapping or list used as a key is not allowed; keys are plain text"),
    ],
)
def test_refusals_name_the_place(text: str | bytes, expected: str) -> None:
    assert refusal(text) == expected


def test_deep_nesting_is_refused_without_recursion() -> None:
    assert refusal("[" * 50_000) == "f.yaml:1:65: nesting deeper than 64 levels; a catalog needs far fewer"
    assert "nesting deeper than 64 levels" in refusal("a:\n" + "".join("  " * i + "- \n" for i in range(1, 500)))


def test_alias_bomb_is_refused() -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for prev, name in zip("abcdefgh", "bcdefghi"):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 10) + "]")
    message = refusal("\n".join(lines) + "\n")
    assert "alias bomb" in message


def test_modest_alias_use_is_fine() -> None:
    doc = parse_yaml("base: &teams [web, mops]\nx: *teams\ny: *teams\n", "f.yaml")
    assert doc.data["y"] == ["web", "mops"]


def test_bool_and_int_are_strict_and_quote_the_text() -> None:
    assert as_bool("true") is True and as_bool("FALSE") is False
    with pytest.raises(ValueError, match="expected true or false, found 'yes'; write true or false"):
        as_bool("yes")
    assert as_int("15") == 15
    for bad in ("010", "1e3", "1_000", "-3", "15.0"):
        with pytest.raises(ValueError, match=f"expected a whole number like 15, found '{bad}'"):
            as_int(bad)


def test_libyaml_own_nesting_limit_is_answered_in_our_words(monkeypatch: pytest.MonkeyPatch) -> None:
    # Without the pre-scan, PyYAML 6.0.4's libyaml refuses 1,000 flow levels by
    # itself, ahead of the events; the message must still be ours, at our place.
    import impact.read.yamlio as yamlio

    monkeypatch.setattr(yamlio, "flow_too_deep_at", lambda text, max_depth=64: None)
    assert refusal("a: " + "[" * 50_000) == "f.yaml:1:67: nesting deeper than 64 levels; a catalog needs far fewer"


@pytest.mark.parametrize(
    "text",
    [
        "a: [[x], {b: [c, 'd]]]]']}]\n",
        "a: \"" + "[" * 100 + "\"\n",
        "a: '" + "{" * 100 + "'\n",
        "a: x" + "[" * 100 + "\n",
        "# " + "[" * 100 + "\na: b\n",
        "a: [\n" + "  [x],\n" * 100 + "]\n",
    ],
    ids=["nested", "double-quoted", "single-quoted", "plain", "comment", "many-shallow"],
)
def test_brackets_that_do_not_nest_are_not_refused(text: str) -> None:
    parse_yaml(text, "f.yaml")  # raises if refused
    from impact.read.yamlio import flow_too_deep_at

    assert flow_too_deep_at(text) is None
