"""Hostile and confusing YAML, fed to the real CLI: each case's exact answer.

Cases 1, 3, 4, 5, 6 and 8 of the hardening issue. Alias bombs and deep
nesting under a memory cap are in ``test_adversarial_bombs.py``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .conftest import CHANGE, GOOD_TEAMS, assert_refused, run, snapshot, write

OWNED = "systems:\n  s:\n    name: S\n    owner: web\n    assets:\n"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        # 1. unsafe tags: refused at the tag, nothing constructed or run
        (
            'teams: !!python/object/apply:os.system ["touch PWNED"]\n',
            "cat/a.yaml:1:8: the YAML tag '!!python/object/apply:os.system' is not allowed; remove it",
        ),
        (
            "teams:\n  web: !!python/name:os.system {name: x}\n",
            "cat/a.yaml:2:8: the YAML tag '!!python/name:os.system' is not allowed; remove it",
        ),
        (
            "%TAG !p! tag:yaml.org,2002:python/\n---\nteams: !p!object/apply:os.system [x]\n",
            "cat/a.yaml:3:8: the YAML tag '!!python/object/apply:os.system' is not allowed; remove it",
        ),
        (
            "teams: !custom {}\n",
            "cat/a.yaml:1:8: the YAML tag '!custom' is not allowed; remove it",
        ),
        # 4. duplicate keys, and keys one YAML 1.1 reading makes equal
        (
            "teams:\n  web: {name: W}\n  web: {name: X}\n",
            "cat/a.yaml:3:3: duplicate key 'web' (first at line 2, column 3); keep one of them",
        ),
        (
            'teams:\n  web: {name: W}\n  "web": {name: X}\n',
            "cat/a.yaml:3:3: duplicate key 'web' (first at line 2, column 3); keep one of them",
        ),
        (
            "teams: {web: {name: W, name: X}}\n",
            "cat/a.yaml:1:24: duplicate key 'name' (first at line 1, column 15); keep one of them",
        ),
        (
            "teams:\n  w: {name: W}\nteams:\n  x: {name: X}\n",
            "cat/a.yaml:3:1: duplicate key 'teams' (first at line 1, column 1); keep one of them",
        ),
        (
            "teams:\n  on: {name: W}\n  true: {name: X}\n",
            "cat/a.yaml:3:3: key 'true' collides with 'on' at line 2, column 3: YAML 1.1 tools read both as true; rename or quote one of them",
        ),
        (
            "teams:\n  NO: {name: W}\n  off: {name: X}\n",
            "cat/a.yaml:3:3: key 'off' collides with 'NO' at line 2, column 3: YAML 1.1 tools read both as false; rename or quote one of them",
        ),
        (
            "teams:\n  010: {name: W}\n  8: {name: X}\n",
            "cat/a.yaml:3:3: key '8' collides with '010' at line 2, column 3: YAML 1.1 tools read both as the number 8; rename or quote one of them",
        ),
        (
            "teams:\n  1:20: {name: W}\n  80: {name: X}\n",
            "cat/a.yaml:3:3: key '80' collides with '1:20' at line 2, column 3: YAML 1.1 tools read both as the number 80; rename or quote one of them",
        ),
        (
            "teams:\n  1.10: {name: W}\n  1.1: {name: X}\n",
            "cat/a.yaml:3:3: key '1.1' collides with '1.10' at line 2, column 3: YAML 1.1 tools read both as the number 1.1; rename or quote one of them",
        ),
        # 6. bytes and layout
        (
            b"teams:\n  web: {name: caf\xe9}\n",
            "cat/a.yaml:2:18: this file is not UTF-8 text (byte 0xe9); save it as UTF-8",
        ),
        (
            b"\xff\xfet\x00e\x00",
            "cat/a.yaml:1:1: this file is not UTF-8 text (byte 0xff); save it as UTF-8",
        ),
        (
            "teams:\n  web: {name: W\x00}\n",
            "cat/a.yaml:2:16: this file contains a NUL character; is it a binary file?",
        ),
        (
            "teams:\n\tweb: {name: W}\n",
            "cat/a.yaml:2:1: YAML syntax error: found character that cannot start any token; a tab is not allowed here: indent with spaces",
        ),
        (
            "teams:\n  web:\n  \tname: W\n",
            "cat/a.yaml:3:3: YAML syntax error: found character that cannot start any token; a tab is not allowed here: indent with spaces",
        ),
        ("", "cat/a.yaml:1:1: this file is empty; give it content or delete it"),
        (
            "# nothing but a comment\n\n",
            "cat/a.yaml:1:1: this file is empty; give it content or delete it",
        ),
        (
            "- web\n- mops\n",
            "cat/a.yaml:1:1: the file holds a list; it must be a mapping of keys (e.g. 'teams:')",
        ),
        (
            "teams\n",
            "cat/a.yaml:1:1: the file holds a single value; it must be a mapping of keys (e.g. 'teams:')",
        ),
        (
            "teams: {}\n---\nteams: {}\n",
            "cat/a.yaml:2:1: a second YAML document starts here; keep one document per file",
        ),
        (
            "teams: {}\n...\n---\nteams: {}\n",
            "cat/a.yaml:3:1: a second YAML document starts here; keep one document per file",
        ),
        # syntax errors say what to do, at the place to look
        (
            "teams:\n  web: {name: W\n",
            (
                "cat/a.yaml:3:1: YAML syntax error: did not find expected ',' or '}'; the '{' at line 2, column 8 is not closed, "
                "or two of its entries lack a ',' between them; add the '}' or the ','"
            ),
        ),
        (
            "teams:\n  web: {name: 'W}\n",
            "cat/a.yaml:3:1: YAML syntax error: found unexpected end of stream; the quote at line 2, column 15 is never closed; close it",
        ),
        (
            "teams:\n  web:\n    name: W\n   email: x\n",
            (
                "cat/a.yaml:4:4: YAML syntax error: 'email' is one space left of the keys above it (line 3, column 5); indent it to column 5"
            ),
        ),
        (
            "teams:\n  web:\n    name: Web: the team\n",
            "cat/a.yaml:3:14: YAML syntax error: mapping values are not allowed in this context; a ': ' inside a value; put the whole value in quotes",
        ),
        (
            "teams:\n  web:\n    name: @web\n",
            "cat/a.yaml:3:11: YAML syntax error: found character that cannot start any token; a value cannot start with '@'; put the value in quotes",
        ),
        # keys must be text
        (
            "teams:\n  ? [a, b]\n  : x\n",
            "cat/a.yaml:2:5: a mapping or list used as a key is not allowed; keys are plain text",
        ),
        (
            "teams:\n  ~: {name: W}\n",
            "cat/a.yaml:2:3: an empty key is not allowed; keys are plain text",
        ),
        # 8. misspelled fields and wrong types, deep inside: the exact line and column
        (
            GOOD_TEAMS
            + OWNED
            + "      a:\n        type: t\n        dependson: [s:b]\n      b: {type: t}\n",
            "cat/a.yaml:11:9: unknown key 'dependson'; did you mean 'depends_on'?",
        ),
        (
            GOOD_TEAMS
            + OWNED
            + "      a:\n        type: t\n        depends_on:\n          - {asset: [s:b]}\n      b: {type: t}\n",
            "cat/a.yaml:12:21: asset: expected text, found a list",
        ),
        (
            GOOD_TEAMS
            + OWNED
            + "      a:\n        type: t\n        depends_on:\n          - {asset: s:b, nte: x}\n      b: {type: t}\n",
            "cat/a.yaml:12:26: unknown key 'nte'; did you mean 'note'?",
        ),
        (
            GOOD_TEAMS + OWNED + "      a:\n        type: t\n        critical: yes\n",
            "cat/a.yaml:11:19: critical: expected true or false, found 'yes'; write true or false",
        ),
        (
            GOOD_TEAMS + OWNED + "      a: folder\n",
            "cat/a.yaml:9:10: a: expected a mapping, found text",
        ),
        (
            GOOD_TEAMS
            + "tests:\n  t:\n    name: T\n    covers: [s:a]\n    minutes: 010\n",
            "cat/a.yaml:8:14: minutes: expected a whole number like 15, found '010'",
        ),
        (
            GOOD_TEAMS
            + "tests:\n  t:\n    name: T\n    covers: [s:a]\n    minutes: 1:20\n",
            "cat/a.yaml:8:14: minutes: expected a whole number like 15, found '1:20'",
        ),
        (
            GOOD_TEAMS + "tests:\n  t:\n    name: T\n    covers: s:a\n",
            "cat/a.yaml:7:13: covers: expected a list, found text",
        ),
    ],
)
def test_validate_refuses_with_the_exact_place_and_advice(
    work: Path, content: str | bytes, expected: str
) -> None:
    write(work, "cat/a.yaml", content)
    before = snapshot(work)
    result = run("validate", "cat")
    assert_refused(result, expected)
    assert result.out == ""
    assert snapshot(work) == before
    assert not (work / "PWNED").exists()


def test_unsafe_tag_in_a_change_file_runs_nothing_and_writes_nothing(
    catalog: Path, work: Path
) -> None:
    write(
        work,
        "changes/evil.yaml",
        'id: !!python/object/apply:os.system ["touch PWNED"]\ntitle: x\nchanges: []\n',
    )
    before = snapshot(work)
    result = run("check", "changes/evil.yaml", "--catalog", "cat", "-o", "out.txt")
    assert_refused(
        result,
        "changes/evil.yaml:1:5: the YAML tag '!!python/object/apply:os.system' is not allowed; remove it",
    )
    assert snapshot(work) == before  # no out.txt, no PWNED


def test_quoting_a_key_is_the_fix_the_collision_message_offers(work: Path) -> None:
    write(work, "cat/a.yaml", "teams:\n  'on': {name: W}\n  true: {name: X}\n")
    result = run("validate", "cat")
    assert result.code == 0, result.err
    assert (
        result.out
        == "cat: OK: 0 tools, 0 assets, 0 dependencies, 2 teams, 0 tests; 0 warnings\n"
    )


def test_bom_and_crlf_are_accepted_and_places_stay_right(work: Path) -> None:
    write(
        work,
        "cat/a.yaml",
        b"\xef\xbb\xbfteams:\r\n  web: {name: W}\r\n  web: {name: X}\r\n",
    )
    assert_refused(
        run("validate", "cat"),
        "cat/a.yaml:3:3: duplicate key 'web' (first at line 2, column 3); keep one of them",
    )
    write(work, "cat/a.yaml", b"\xef\xbb\xbfteams:\r\n  web: {name: W}\r\n")
    result = run("validate", "cat")
    assert (result.code, result.out) == (
        0,
        "cat: OK: 0 tools, 0 assets, 0 dependencies, 1 team, 0 tests; 0 warnings\n",
    )


AMBIGUOUS = ["no", "NO", "on", "y", "1.10", "010", "1:20", "2024-01-02"]


def test_yaml11_lookalike_scalars_stay_as_written_in_every_output(work: Path) -> None:
    """5. ``NO`` stays ``NO``: never False, 8, 80 or 1.1 in any report."""
    n, no, on, y, v110, z010, t120, date = AMBIGUOUS
    write(
        work,
        "cat/a.yaml",
        f"teams:\n  {no}:\n    name: {n}\n    email: {on}\n    slack: {y}\n    members: [{v110}, {z010}, {t120}, {date}]\n"
        f"  {z010}: {{name: {t120}}}\n"
        f"systems:\n  {on}:\n    name: {date}\n    kind: {v110}\n    owner: {no}\n    assets:\n"
        f"      {y}: {{type: {z010}, description: {no}, owner: {z010}}}\n"
        f"      {v110}:\n        type: {n}\n        depends_on: [{{asset: '{on}:{y}', note: {t120}}}]\n"
        f"tests:\n  {date}: {{name: off, covers: ['{on}:{v110}'], owner: {no}, steps: [{n}, {v110}], run: {z010}}}\n",
    )
    write(
        work,
        "changes/c.yaml",
        f"id: {z010}\ntitle: {no}\nrequested_by: {z010}\nchanges:\n  - {{target: '{on}:{y}', action: modify, note: {date}}}\n",
    )
    data = json.loads(
        run("check", "changes/c.yaml", "--catalog", "cat", "--format", "json").out
    )
    assert (
        data["change"]["id"],
        data["change"]["title"],
        data["changed"][0]["note"],
    ) == ("010", "NO", "2024-01-02")
    assert data["impacted"][0]["asset"] == "on:1.10" and data["impacted"][0][
        "notes"
    ] == ["1:20"]
    assert data["impacted"][0]["type"] == "no"
    team = next(s for s in data["stakeholders"] if s["team"] == "NO")
    assert (team["name"], team["email"], team["slack"]) == ("no", "on", "y")
    assert (
        data["tests"][0]["id"] == "2024-01-02"
        and data["tests"][0]["steps"] == ["no", "1.10"]
        and data["tests"][0]["run"] == "010"
    )
    for fmt in ("text", "markdown"):
        out = run("check", "changes/c.yaml", "--catalog", "cat", "--format", fmt).out
        for wrong in ("False", "True", " 8 ", " 80 ", "1.1 ", "1.1`", "datetime"):
            assert wrong not in out, (fmt, wrong)
        assert "010" in out and "on:1.10" in out


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (
            "critical",
            "no",
            "critical: expected true or false, found 'no'; write true or false",
        ),
        (
            "critical",
            "NO",
            "critical: expected true or false, found 'NO'; write true or false",
        ),
        (
            "critical",
            "on",
            "critical: expected true or false, found 'on'; write true or false",
        ),
        (
            "critical",
            "y",
            "critical: expected true or false, found 'y'; write true or false",
        ),
        (
            "critical",
            "1",
            "critical: expected true or false, found '1'; write true or false",
        ),
    ],
)
def test_ambiguous_values_in_typed_fields_are_refused_quoting_what_was_written(
    work: Path, field: str, value: str, message: str
) -> None:
    write(
        work,
        "cat/a.yaml",
        GOOD_TEAMS + OWNED + f"      a:\n        type: t\n        {field}: {value}\n",
    )
    assert_refused(
        run("validate", "cat"), f"cat/a.yaml:11:{11 + len(field)}: {message}"
    )


def test_the_check_command_refuses_a_broken_change_file_and_writes_nothing(
    catalog: Path, work: Path
) -> None:
    write(
        work,
        "changes/bad.yaml",
        CHANGE.replace("action: rename", "action: rename, acton: x"),
    )
    before = snapshot(work)
    result = run("check", "changes/bad.yaml", "--catalog", "cat", "-o", "report.md")
    assert_refused(
        result, "changes/bad.yaml:4:50: unknown key 'acton'; did you mean 'action'?"
    )
    assert snapshot(work) == before
