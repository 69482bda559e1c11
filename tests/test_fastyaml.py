"""The fast YAML reader may only answer where the precise reader gives the same answer.

:func:`impact.read.records.read_file_record` reads a catalog file with
:func:`impact.read.fastyaml.read_fast` (yaml-rs, YAML 1.2) and uses that answer
when it validates and passes the odd-number guard; otherwise it reads the file
with :func:`impact.read.yamlio.parse_yaml` (libyaml, every scalar kept as
text), which stays the reference: it is what the documentation describes,
and it places problems, also in a file the fast path read. The contract
checked here: whenever the fast path accepts a file, the precise path accepts
it too and validates it to an equal :class:`CatalogFileSpec`. Declining is
always allowed; it only costs time.

The evidence, in order:

* every YAML file of the repository, and every YAML text written in the tests
  (the adversarial cases among them);
* that the fast path does read ordinary catalogs, or the speed-up is not real;
* one test per guard of the :mod:`impact.read.fastyaml` docstring: the fast
  path declines, the precise path does what it documents;
* divergences found while writing these tests, pinned as strict xfails: each
  is a file the fast path accepts and the precise path refuses or reads
  differently; fixing one turns its xfail into a failure until the mark goes;
* catalog-shaped text generated from fragments of YAML syntax (Hypothesis).
"""

from __future__ import annotations

import ast
import contextlib
import functools
import os
import random
import subprocess
import sys
import textwrap
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest
import yaml
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from impact.core.errors import ImpactError
from impact.read.fastyaml import odd_numbers, read_fast
from impact.read.records import _has_numbers
from impact.read.schema import CatalogFileSpec
from impact.read.yamlio import parse_yaml

ROOT = Path(__file__).resolve().parents[1]


# --- the two paths ----------------------------------------------------------------


def fast_spec(raw: bytes) -> CatalogFileSpec | None:
    """What the fast path of ``read_file_record`` accepts, or None where it falls back."""
    fast = read_fast(raw)
    if fast is None:
        return None
    text, data = fast
    try:
        spec = CatalogFileSpec.model_validate(data)
    except ValidationError:
        return None
    # _has_numbers reads the validated data as plain dicts, as read_file_record validates it.
    if _has_numbers(spec.model_dump(by_alias=True)) and odd_numbers(text):
        return None
    return spec


def precise_spec(raw: bytes) -> CatalogFileSpec | None:
    """What the precise path accepts, or None where it reports a problem."""
    try:
        data = parse_yaml(raw, "f.yaml").data
    except ImpactError:
        return None
    try:
        return CatalogFileSpec.model_validate(data)
    except ValidationError:
        return None


def assert_contract(raw: bytes) -> CatalogFileSpec | None:
    """Check the contract on ``raw``; the fast path's spec, or None if it declined."""
    fast = fast_spec(raw)
    if fast is not None:
        precise = precise_spec(raw)
        assert precise == fast, f"the fast path accepted {raw!r}\n fast:    {fast!r}\n precise: {precise!r}"
        # Equal models can still differ in the order of their mappings; the
        # loader merges definitions in file order, so the order must agree too.
        assert precise.model_dump_json() == fast.model_dump_json(), f"same values, another order: {raw!r}"
    return fast


# --- every YAML text of the repository -------------------------------------------------


def _repository_yaml_files() -> list[Path]:
    found = []
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = [d for d in dirs if d not in (".git", ".ci-venv") and "venv" not in d]  # not walked at all
        found += [Path(folder, f) for f in files if f.endswith((".yaml", ".yml"))]
    return sorted(found)


REPO_YAML = _repository_yaml_files()


def test_the_repository_holds_yaml_files_to_check() -> None:
    # Guards the test below against a wrong ROOT or an over-eager skip rule.
    assert len(REPO_YAML) >= 20
    assert ROOT / "catalogs" / "example" / "catalog" / "teams.yaml" in REPO_YAML


@pytest.mark.parametrize("path", REPO_YAML, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_yaml_file_of_the_repository_keeps_the_contract(path: Path) -> None:
    assert_contract(path.read_bytes())


def _yaml_texts_in_tests_and_fuzz_seeds() -> list[bytes]:
    """YAML written elsewhere than in ``.yaml`` files: test literals and the fuzzer's seeds.

    The adversarial cases are string literals of the tests: every literal with
    a ':' and a line break is taken. This file is left out: its known
    divergences break the contract on purpose. A fuzz seed is a catalog file,
    then optionally a change file after a separator (see fuzz/fuzz_load.py).
    """
    texts = {seed.read_bytes().partition(b"\n#---change---\n")[0] for seed in (ROOT / "fuzz" / "corpus").glob("*")}
    for path in sorted((ROOT / "tests").rglob("*.py")):
        if path.resolve() == Path(__file__).resolve():
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str | bytes):
                value = node.value.encode("utf-8", "surrogatepass") if isinstance(node.value, str) else node.value
                if b":" in value and b"\n" in value:
                    texts.add(value)
    return sorted(texts)


def test_every_yaml_text_written_in_the_tests_and_fuzz_seeds_keeps_the_contract() -> None:
    texts = _yaml_texts_in_tests_and_fuzz_seeds()
    assert len(texts) > 100
    accepted = [raw for raw in texts if assert_contract(raw) is not None]
    assert accepted  # some of them are ordinary catalogs: the comparison did happen


def _uses_yaml_features(raw: bytes) -> bool:
    """Whether a file uses an anchor, alias, tag or directive (PyYAML's events, not the fast path's scan)."""
    for ev in yaml.parse(raw.decode("utf-8"), Loader=yaml.SafeLoader):
        if isinstance(ev, yaml.AliasEvent) or getattr(ev, "anchor", None) is not None:
            return True
        if isinstance(ev, yaml.ScalarEvent | yaml.CollectionStartEvent) and ev.tag not in (None, "!"):
            return True
        if isinstance(ev, yaml.DocumentStartEvent) and (ev.explicit or ev.version or ev.tags):
            return True
    return False


def test_the_fast_path_reads_every_ordinary_file_of_the_example_catalog() -> None:
    # The example catalog is written the way real catalogs are. Every file the
    # precise path accepts that uses no anchor, alias, tag or directive is an
    # ordinary file: if the fast path declined one, the speed-up would not reach
    # real catalogs (today it reads all 14 files).
    files = sorted((ROOT / "catalogs" / "example" / "catalog").glob("*.yaml"))
    ordinary = [p for p in files if precise_spec(p.read_bytes()) is not None and not _uses_yaml_features(p.read_bytes())]
    assert len(ordinary) >= 10
    declined = [p.name for p in ordinary if assert_contract(p.read_bytes()) is None]
    assert declined == []


def test_the_fast_path_reads_every_file_of_a_generated_catalog(tmp_path: Path) -> None:
    # The benchmark generator writes the shape of a 100,000-asset catalog; the
    # fast path exists for it.
    out = tmp_path / "catalog"
    subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "generate.py"), str(out), "--assets", "400"],
        check=True,
        capture_output=True,
    )
    files = sorted(out.glob("*.yaml"))
    assert len(files) > 5
    declined = [p.name for p in files if assert_contract(p.read_bytes()) is None]
    assert declined == []


# --- each guard: the fast path declines, the precise path does what it documents ------

TEAM = "teams:\n  web:\n    name: Web\n"
SYSTEM = "systems:\n  site:\n    name: Site\n    owner: web\n    assets:\n      page:\n        type: page\n"
TEST = "tests:\n  smoke:\n    name: Smoke\n    covers: [site:page]\n"


def declined(text: str | bytes) -> bool:
    """read_fast itself gives up on ``text`` (before any validation)."""
    return read_fast(text.encode("utf-8") if isinstance(text, str) else text) is None


def precise(text: str | bytes) -> CatalogFileSpec | None:
    return precise_spec(text.encode("utf-8") if isinstance(text, str) else text)


def precise_refusal(text: str) -> str:
    with pytest.raises(ImpactError) as info:
        parse_yaml(text, "f.yaml")
    return str(info.value)


def test_a_tag_is_declined_and_the_precise_path_allows_only_the_plain_ones() -> None:
    allowed = TEAM.replace("name: Web", "name: !!str 15")
    assert declined(allowed)
    spec = precise(allowed)
    assert spec is not None and spec.teams["web"].name == "15"
    custom = TEAM.replace("name: Web", "name: !custom Web")
    assert declined(custom)
    assert "the YAML tag '!custom' is not allowed" in precise_refusal(custom)


def test_anchors_and_aliases_are_declined_and_the_precise_path_expands_them() -> None:
    text = "teams:\n  web: &team {name: Web}\n  mops: *team\n"
    assert declined(text)
    spec = precise(text)
    assert spec is not None and spec.teams["mops"] == spec.teams["web"]


def test_a_second_document_is_declined_and_refused() -> None:
    text = TEAM + "---\n" + TEAM
    assert declined(text)
    assert "a second YAML document starts here" in precise_refusal(text)


@pytest.mark.parametrize("start", ["%YAML 1.1\n---\n", "---\n"])
def test_a_directive_or_document_marker_is_declined_and_read_precisely(start: str) -> None:
    text = start + TEAM
    assert declined(text)
    assert precise(text) is not None and precise(text) == precise(TEAM)


def test_a_byte_order_mark_is_declined_and_dropped_by_the_precise_path() -> None:
    raw = b"\xef\xbb\xbf" + TEAM.encode()
    assert declined(raw)
    assert precise(raw) is not None and precise(raw) == precise(TEAM)


@pytest.mark.parametrize("char", ["\x00", "\x01", "\x1b", "\x7f", "\x9f"], ids=repr)
def test_nul_and_control_characters_are_declined_and_refused(char: str) -> None:
    # yaml-rs keeps a control character inside a quoted value; libyaml refuses it.
    text = TEAM.replace("name: Web", f'name: "We{char}b"')
    assert declined(text)
    assert precise(text) is None


@pytest.mark.parametrize("char", ["\x85", "\u2028", "\u2029"], ids=repr)
def test_yaml_1_1_line_breaks_inside_a_value_are_declined(char: str) -> None:
    # yaml-rs reads 'We<char>b' as one value; libyaml breaks the line there.
    text = TEAM.replace("name: Web", f"name: We{char}b")
    assert declined(text)
    spec = precise(text)
    assert spec is None or spec.teams["web"].name != f"We{char}b"


@pytest.mark.parametrize("text", [TEAM.replace("\n", "\r"), TEAM.replace("name: Web", 'name: "We\rb"')], ids=["line ends", "in a value"])
def test_a_lone_carriage_return_is_declined_and_read_precisely(text: str) -> None:
    assert declined(text)
    assert precise(text) is not None  # libyaml takes a lone CR for a line break


def test_deep_nesting_is_declined_without_crashing_the_process() -> None:
    # yaml-rs recurses once per compact entry ('- - - x', '? ? ? x') and
    # overflows its stack (a segfault, not an exception) at about 15,000 of
    # them; the scan must decline first. Flow nesting it refuses itself. Run in
    # a subprocess, so that a crash fails this test rather than the whole run.
    script = textwrap.dedent(
        """
        from impact.core.errors import ImpactError
        from impact.read.fastyaml import read_fast
        from impact.read.yamlio import parse_yaml

        for nest in (b"- ", b"? ", b"- ? ", b"["):
            raw = b"teams:\\n  web:\\n    members:\\n      " + nest * 100_000 + b"x\\n"
            assert read_fast(raw) is None, nest
            try:
                parse_yaml(raw, "f.yaml")
                print("accepted")
            except ImpactError as exc:
                print(exc)
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr  # -11 would be a segfault
    refusals = done.stdout.splitlines()
    assert len(refusals) == 4 and all("nesting deeper than 64 levels" in line for line in refusals), refusals


def test_indentation_of_400_spaces_is_declined_and_read_precisely() -> None:
    deep = " " * 400
    text = f"teams:\n{deep}web:\n{deep}  name: Web\n"
    assert declined(text)
    assert precise(text) is not None and precise(text) == precise(TEAM)


@pytest.mark.parametrize("written", ["015", "0x1F", "0o7", "+5", "1_000"])
@pytest.mark.parametrize("style", ["block", "flow"])
def test_a_number_spelled_oddly_is_never_accepted_by_the_fast_path(written: str, style: str) -> None:
    # yaml-rs reads 015 as 15 and 0x1F as 31; the schema refuses the text as written.
    if style == "block":
        text = SYSTEM + TEST + f"    minutes: {written}\n"
    else:
        text = SYSTEM + f"tests:\n  smoke: {{name: Smoke, covers: [site:page], minutes: {written}}}\n"
    assert fast_spec(text.encode()) is None
    assert precise(text) is None
    assert odd_numbers(text)


def test_a_plain_number_is_read_fast_and_equal() -> None:
    text = SYSTEM + TEST + "    minutes: 15\n"
    spec = assert_contract(text.encode())
    assert spec is not None and spec.tests["smoke"].minutes == 15


def _with_id(section: str, key: str) -> str:
    if section == "teams":
        return f"teams:\n  {key}:\n    name: Web\n"
    if section == "systems":
        return f"systems:\n  {key}:\n    name: Site\n    owner: web\n"
    if section == "assets":
        return SYSTEM.replace("      page:", f"      {key}:")
    return f"tests:\n  {key}:\n    name: Smoke\n    covers: [site:page]\n"


@pytest.mark.parametrize("key", ["on", "NO", "010", "~", "1.5"])
@pytest.mark.parametrize("section", ["teams", "systems", "assets", "tests"])
def test_an_id_that_yaml_1_1_types_is_declined(section: str, key: str) -> None:
    text = _with_id(section, key)
    assert declined(text)
    spec = precise(text)
    if key == "~":
        assert "an empty key is not allowed" in precise_refusal(text)
        return
    assert spec is not None  # kept as the text written
    defined = spec.systems["site"].assets if section == "assets" else getattr(spec, section)
    assert key in defined


def test_two_ids_that_collide_in_yaml_1_1_are_declined_and_refused() -> None:
    text = "teams:\n  on: {name: A}\n  true: {name: B}\n"
    assert declined(text)
    assert "collides with 'on'" in precise_refusal(text)


@pytest.mark.parametrize(
    "text",
    [
        "a: 1\na: 1\n",
        "'a': 1\na: 1\n",
        "teams:\n  web: {name: W}\n  web: {name: X}\n",
        "teams:\n  web: {name: W}\n  'web': {name: X}\n",
        'teams:\n  web:\n    name: W\n    "n\\x61me": X\n',
    ],
)
def test_duplicate_keys_are_declined_and_refused(text: str) -> None:
    assert declined(text)
    assert "duplicate key" in precise_refusal(text)


@pytest.mark.parametrize("written", ["yes", "no", "on", "off", "Yes", "OFF", "y", "1"])
def test_yaml_1_1_booleans_are_refused_by_both_paths(written: str) -> None:
    text = SYSTEM + f"        critical: {written}\n"
    assert fast_spec(text.encode()) is None
    assert precise(text) is None


@pytest.mark.parametrize(("written", "value"), [("True", True), ("TRUE", True), ("true", True), ("false", False), ("False", False)])
def test_yaml_1_2_booleans_are_read_fast_and_equal(written: str, value: bool) -> None:
    spec = assert_contract((SYSTEM + f"        critical: {written}\n").encode())
    assert spec is not None and spec.systems["site"].assets["page"].critical is value


@pytest.mark.parametrize(
    ("field", "value"),
    [("name", "NO"), ("email", "NO"), ("slack", "off"), ("members", "[NO, no, on, off, y]")],
)
def test_yaml_1_1_booleans_in_text_stay_text_in_both_paths(field: str, value: str) -> None:
    text = TEAM.replace("name: Web", f"name: Web\n    {field}: {value}") if field != "name" else TEAM.replace("Web", value)
    spec = assert_contract(text.encode())
    assert spec is not None  # read fast, and the same as the precise path: text, never False
    kept = getattr(spec.teams["web"], field)
    assert kept == (["NO", "no", "on", "off", "y"] if field == "members" else value)


def test_a_file_the_schema_refuses_is_left_to_the_precise_path() -> None:
    text = "teams:\n  web:\n    nmae: Web\n"
    assert not declined(text)  # read, then refused by the schema
    assert fast_spec(text.encode()) is None
    assert precise(text) is None


@pytest.mark.parametrize("written", ["15", "true", "1.5", "0x1F", ".inf"])
def test_a_typed_scalar_where_text_is_expected_falls_back_to_the_precise_path(written: str) -> None:
    # yaml-rs types the scalar, the schema refuses a number or boolean as text,
    # and the precise path keeps the text written.
    text = TEAM.replace("name: Web", f"name: Web\n    email: {written}")
    assert fast_spec(text.encode()) is None
    spec = precise(text)
    assert spec is not None and spec.teams["web"].email == written


# --- known divergences: the fast path accepts, the precise path disagrees ---------------
#
# Found while writing this file; fastyaml.py is not changed here. Each case is
# a strict xfail: it fails today, and passes (so fails the run) once fixed.

EMAIL = "teams:\n  web:\n    name: Web\n    email: "


def _divergence(text: str, reason: str) -> Any:
    return pytest.param(text, id=reason.rsplit(": ", 1)[0])


# Inputs on which the two readers disagreed, found by the generator below and
# by fuzzing; the fast path now declines each of them (fastyaml's scan).
KNOWN_DIVERGENCES = [
    # yaml-rs adds a line break to a block scalar that ends the file: the
    # precise path reads 'text' (clip keeps only a break that is written).
    _divergence(EMAIL + "|\n      text", "block scalar at end without final newline: fast 'text\\n', precise 'text'"),
    _divergence(EMAIL + ">\n      text", "folded scalar at end without final newline: fast 'text\\n', precise 'text'"),
    _divergence(EMAIL + "|\n", "empty block scalar at end: fast '\\n', precise ''"),
    _divergence(EMAIL + "|\n      text\n      ", "spaces-only last line of a block scalar: fast 'text\\n\\n', precise 'text\\n'"),
    # In a flow collection yaml-rs (YAML 1.2) reads ?x, :x, |x, >x as plain
    # text; libyaml refuses them or reads '?x' as a mapping {x: null}.
    _divergence("teams:\n  web: {name: ?x}\n", "flow plain scalar starting with '?': precise refuses"),
    _divergence("teams:\n  web: {name: W, email: :x}\n", "flow plain scalar starting with ':': precise refuses"),
    _divergence("teams:\n  web: {name: W, members: [|x]}\n", "flow plain scalar starting with '|': precise refuses"),
    _divergence("teams:\n  web: {name: W, email: >x}\n", "flow plain scalar starting with '>': precise refuses"),
    _divergence("teams:\n  web: {name: a:?b}\n", "':?' inside a flow plain scalar: precise refuses"),
    _divergence("teams:\n  web: {name\n    : W}\n", "flow mapping key and ':' on two lines: precise refuses"),
    # YAML 1.2 allows tabs as white space where libyaml refuses them.
    _divergence("\tteams:\n  web: {name: W}\n", "tab before the first key: precise refuses"),
    _divergence(TEAM + "\t# note\n", "tab before a comment line: precise refuses"),
    _divergence(TEAM + "\t", "tab alone on the last line: precise refuses"),
    _divergence("teams:\n \t web: {name: W}\n", "tab inside indentation: precise refuses"),
    _divergence(TEAM + "    members:\n      - \tann\n", "tab after '- ': precise refuses"),
    _divergence(TEAM + "    members:\n      - \t\n        ann\n", "tab ending a '- ' line: precise refuses"),
    _divergence(TEAM + "    ? members\n    :\t[ann]\n", "tab after an explicit ':': precise refuses"),
    _divergence(TEAM + "    ? members\n    :\t\n      - ann\n", "tab ending an explicit ':' line: precise refuses"),
]


@pytest.mark.parametrize("text", KNOWN_DIVERGENCES)
def test_a_former_divergence_is_declined(text: str) -> None:
    assert assert_contract(text.encode()) is None


# --- catalog-shaped text generated from fragments of YAML syntax ------------------------
#
# Documents are built as text, not dumped from objects, to reach the syntax a
# person writes. Everything is fair game except the known divergences above,
# left out so that this test stays green while they stand: a plain scalar in a
# flow collection never starts with an indicator or holds ':?', flow keys stay
# on one line, a block scalar has content and the file ends with a line break,
# and no tab starts a line or follows '- ' or an explicit ':'. (Tabs elsewhere:
# after a value, before a comment, inside quotes and block scalars.)

T = TypeVar("T")
Choose = Callable[[tuple[Any, ...]], Any]  # picks one of the options
Field = Callable[[int, bool], str]  # writes a value after 'key:', given the key's indentation and whether in flow

# Words safe as plain scalars anywhere: none starts with an indicator, holds
# ': ', ' #' or a flow indicator, or ends with ':'. Some are typed by YAML 1.2
# ('true', '15') or 1.1 ('NO', 'on'); alone, the first fail the schema as text.
WORDS = (
    "Web", "Team", "form", "demo", "naïve", "Zoë", "日本語", "données", "😀", "🚀", "a-b", "x/y", "v1.2", "50%",
    "C#", "it's", "e@x.com", "(beta)", "a:b", "a=b", "~x", "a?b", "a!b", "a&b", "a*b", "NO", "on", "true", "15", "null",
)
# Pieces only quotes can hold.
QUOTED = (": ", " # ", "#", "'", '"', "\\", "{x}", "[y]", ",", "|", ">", "%", "@", "`", "a!")
# What the fast path's scan is there for, used in one document in five: in
# quotes, control characters, YAML 1.1 line breaks and pieces the scan takes
# for a node property or nested entries; in plain text, YAML 1.1 line breaks;
# tagged or anchored values; directives, document markers, a byte-order mark.
HOSTILE_QUOTED = (" &anchor", " *alias", " !tag", "- ", "? ", "  ", "\x01", "\x1b", "\x7f", "\x85", "\u2028")
HOSTILE_WORDS = ("a\u2028b", "a\x85b", "a\u2029b")
HOSTILE_VALUES = (" !custom x", " !!str 15", " &anchor x", " ! x", " !!str")
HOSTILE_STARTS = ("---\n", "%YAML 1.1\n---\n", "\ufeff", "--- # start\n")
ESCAPES = ("\\n", "\\t", '\\"', "\\\\", "\\x41", "\\u00e9", "\\/", "\\N", "\\_", "\\U0001F600", "\\ ", "\\e", "\\0", "\\L", "\\a")
TEAM_IDS = ("web", "mops", "sales-ops", "bi_2", "team.x", "W3")
SYSTEM_IDS = ("website", "marketo", "salesforce", "ga4", "dbt.core")
TEST_IDS = ("smoke", "t-1", "e2e.x")
ASSET_KEYS = ("page", "/products/", "form/demo", "Lead Status", "field: Lead.Status", "Émoji 😀", "tag (GA4)", "a#b", "EMEA & APAC")
# Ids that YAML 1.1 reads as a boolean, number or null: the fast path declines
# them; two of them in one mapping can collide (on and y, NO and off).
TYPED_IDS = ("on", "y", "NO", "off", "010", "1.5", "true")


def plain_ok(text: str, flow: bool) -> bool:
    """Whether ``text`` can be written as a plain scalar with the same meaning (conservatively)."""
    if not text or text != text.strip() or text[0] in "-?:,[]{}#&*!|>'\"%@`~":
        return False
    if ": " in text or " #" in text or text.endswith(":") or ":?" in text:
        return False
    return not (flow and any(c in text for c in ",[]{}"))


@functools.cache
def _sampler(options: tuple[Any, ...]) -> st.SearchStrategy[Any]:
    # Built once per tuple: building a strategy costs more than drawing from it.
    return st.sampled_from(options)


class Writer:
    """Writes one catalog-shaped document, every choice made by ``choose``.

    Hypothesis makes the choices (so a failure shrinks), or a seeded random
    generator does (to measure the generator). Options come simplest first,
    which is where Hypothesis shrinks to.
    """

    def __init__(self, choose: Choose) -> None:
        self.choose = choose
        # One document in five holds what the scan declines, one in five ids
        # that YAML 1.1 types, one in five values the schema refuses (odd
        # numbers among them): enough to exercise those guards, rare enough
        # that about half of the documents are read fast.
        self.hostile = self.one_in(5)
        self.words = WORDS + (HOSTILE_WORDS if self.hostile else ())
        self.quoted = QUOTED + (HOSTILE_QUOTED if self.hostile else ())
        self.typed_ids = TYPED_IDS if self.one_in(5) else ()  # then every id is one of them
        self.wrong = self.one_in(5)

    def pick(self, options: tuple[T, ...]) -> T:
        picked: T = self.choose(options)
        return picked

    def count(self, low: int, high: int) -> int:
        return self.pick(tuple(range(low, high + 1)))

    def one_in(self, n: int) -> bool:
        return self.count(0, n - 1) == n - 1

    def written(self, text: str, flow: bool) -> str:
        """A known string (id, key, reference) written plain, single- or double-quoted."""
        style = self.pick(("plain", "plain", "single", "double") if plain_ok(text, flow) else ("single", "double"))
        if style == "plain":
            return text
        if style == "single":
            return "'" + text.replace("'", "''") + "'"
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

    def comment(self, tab: bool = True) -> str:
        return self.pick(("", "", "", "", "", " # note", " #: x # y", "  # two spaces") + (("\t# tab before",) if tab and self.hostile else ()))

    def text(self, ind: int, flow: bool) -> str:
        """Free text: plain, quoted, on several lines or a block scalar."""
        cont = "\n" + " " * (ind + 2)
        kinds = ("plain", "single", "double") + (() if flow else ("plain-lines", "single-lines", "double-lines", "block", "block"))
        kind = self.pick(kinds + (("hostile",) if self.hostile else ()))
        if kind == "hostile":
            return self.pick(HOSTILE_VALUES)
        if kind.startswith("plain"):
            words = [self.pick(self.words) for _ in range(self.count(1, 4))]
            seps = (" ",) + ((cont, "\n" + cont) if kind == "plain-lines" else ())  # folded: a break is a space, an empty line a break
            return " " + "".join(w + self.pick(seps) for w in words[:-1]) + words[-1]
        bits = [self.pick(self.words + self.quoted) for _ in range(self.count(1, 5))]
        if kind.startswith("single"):
            seps = (" ", "") + ((cont, "\n" + cont) if kind == "single-lines" else ())
            return " '" + "".join(b.replace("'", "''") + self.pick(seps) for b in bits) + "'"
        if kind.startswith("double"):
            pieces = [b.replace("\\", "\\\\").replace('"', '\\"') for b in bits]
            for _ in range(self.count(0, 3)):
                pieces.insert(self.count(0, len(pieces)), self.pick(ESCAPES))
            seps = (" ", "") + ((cont, "\n" + cont, "\\" + cont, " \\" + cont) if kind == "double-lines" else ())
            return ' "' + "".join(p + self.pick(seps) for p in pieces) + '"'
        # A block scalar: literal or folded, any chomping; the first line is content.
        header = self.pick(("|", "|-", "|+", ">", ">-", ">+")) + self.pick(("", "", "2"))
        lines = ["".join(self.pick(self.words + self.quoted) for _ in range(self.count(1, 4))).strip() or "x"]
        lines += [self.pick(("", "next", " more indented", "# not a comment", "a: b", "- item")) for _ in range(self.count(0, 3))]
        body = "\n".join(" " * (ind + 2) + line if line else "" for line in lines)
        return f" {header}{self.comment()}\n{self.pick(('', '', chr(10)))}{body}"

    def flow_list(self, items: list[str], ind: int) -> str:
        shape = self.pick(("spaced", "tight", "padded", "trailing", "lines"))
        if not items:
            return " []"
        if shape == "spaced":
            return " [" + ", ".join(items) + "]"
        if shape == "tight":
            return " [" + ",".join(items) + "]"
        if shape == "padded":
            return " [ " + " , ".join(items) + " ]"
        if shape == "trailing":
            return " [" + ", ".join(items) + ", ]"
        cont = "\n" + " " * (ind + 2)
        return " [" + cont + ("," + cont).join(items) + cont + "]"

    def list_of(self, item: Field, min_size: int = 0) -> Field:
        """A list, flow or block; ``item`` writes one entry (after its '- ' in a block list)."""

        def write(ind: int, flow: bool) -> str:
            size = self.count(min_size, 3)
            if size == 0 and min_size == 0 and self.one_in(2):
                return self.pick(("", " ~", " null"))  # no list at all: the schema reads an empty one
            if flow or self.one_in(2):
                return self.flow_list([item(ind + 2, True).lstrip(" ") for _ in range(size)], ind)
            if size == 0:
                return " []"
            dash = ind + self.pick((0, 2))  # '- ' under its key, indented or not
            return "".join(f"\n{' ' * dash}-{item(dash, False)}" for _ in range(size))

        return write

    def mapping(self, fields: dict[str, Field], required: tuple[str, ...], ind: int, flow: bool) -> str:
        """A mapping of ``fields`` (the required ones and some others), block or flow."""
        names = list(fields)
        turn = self.count(0, len(names) - 1)  # rotate the order of the keys
        names = [n for n in names[turn:] + names[:turn] if n in required or self.one_in(2)]
        if flow or self.one_in(4):
            entries = [f"{self.written(n, True)}: {fields[n](ind + 2, True).lstrip(' ')}" for n in names]
            if self.one_in(2):
                cont = "\n" + " " * (ind + 2)
                return " {" + cont + ("," + cont).join(entries) + cont + "}"
            return " {" + ", ".join(entries) + "}" + ("" if flow else self.comment())
        out = self.comment()
        pad = " " * (ind + 2)
        for n in names:
            key, value = self.written(n, False), fields[n](ind + 2, False)
            explicit = self.hostile and self.one_in(10) and not value.startswith("\t")  # no tab after an explicit ':'
            out += f"\n{pad}? {key}\n{pad}:{value}" if explicit else f"\n{pad}{key}:{value}"
            if "\n" not in value:  # a block scalar's header has its own
                out += self.comment(tab=not explicit)
            out += self.pick(("", "", "", "\n", f"\n{pad}# between entries", "\n# at column 0", "\n   "))
        return out

    def keys(self, options: tuple[str, ...], low: int, flow: bool) -> list[str]:
        """The ids a mapping defines, written; in a typed-ids document, two plain ones, which may collide."""
        if self.typed_ids:
            return list(dict.fromkeys(self.pick(self.typed_ids) for _ in range(2)))
        return [self.written(k, flow) for k in dict.fromkeys(self.pick(options) for _ in range(self.count(low, 2)))]

    def document(self) -> str:
        def ids(options: tuple[str, ...]) -> Field:
            return lambda ind, flow: " " + self.written(self.pick(options + self.typed_ids), flow)

        def nullable(write: Field) -> Field:
            return lambda ind, flow: self.pick(("", " ~", " null", " NULL")) if self.one_in(6) else write(ind, flow)

        def ref(ind: int, flow: bool) -> str:
            return " " + self.written(f"{self.pick(SYSTEM_IDS)}:{self.pick(ASSET_KEYS)}", flow)

        def dependency(ind: int, flow: bool) -> str:
            if self.one_in(2):
                return ref(ind, flow)
            return self.mapping({"asset": ref, "note": nullable(self.text)}, ("asset",), ind, flow)

        def scalar(valid: tuple[str, ...], wrong: tuple[str, ...]) -> Field:
            return lambda ind, flow: " " + self.pick(valid + (wrong if self.wrong else ()))

        team = ids(TEAM_IDS)  # a reference to a team, as a value
        boolean = scalar(("true", "false", "True", "FALSE", "'true'", '"false"'), ("~", "yes", "off", "1"))
        number = scalar(("15", "0", "120", '"45"', "'5'", "100000"), ("015", "0x1F", "+5", "1_000", "0o7", "1e3", "-1", "100001"))
        team_fields = {"name": self.text, "email": nullable(self.text), "slack": nullable(self.text), "members": self.list_of(self.text)}
        asset_fields = {
            "type": self.text, "owner": team, "critical": boolean,
            "description": nullable(self.text), "depends_on": self.list_of(dependency), "feeds": self.list_of(dependency),
            "consulted": self.list_of(team), "informed": self.list_of(team),
        }

        def assets(ind: int, flow: bool) -> str:
            entries = [(k, self.mapping(asset_fields, ("type",), ind + 2, flow)) for k in self.keys(ASSET_KEYS, 1, flow)]
            if flow:
                return " {" + ", ".join(f"{k}:{v}" for k, v in entries) + "}"
            return "".join(f"\n{' ' * (ind + 2)}{k}:{v}" for k, v in entries)

        system_fields = {"name": self.text, "owner": team, "kind": nullable(self.text), "consulted": self.list_of(team), "assets": assets}
        test_fields = {
            "name": self.text, "covers": self.list_of(ref, 1), "owner": team, "kind": scalar(("manual", "automated", "'manual'"), ("Manual", "~")),
            "steps": self.list_of(self.text), "run": nullable(self.text),
            "minutes": number,
        }
        sections = {
            "teams": (TEAM_IDS, team_fields, ("name",)),
            "systems": (SYSTEM_IDS, system_fields, ("name", "owner")),
            "tests": (TEST_IDS, test_fields, ("name", "covers")),
        }
        out = self.pick(("", "# a catalog file\n", "\n") + (HOSTILE_STARTS if self.hostile else ()))
        order = list(sections)
        turn = self.count(0, 2)
        for section in order[turn:] + order[:turn]:
            options, fields, required = sections[section]
            chosen = self.keys(options, 0 if section == "tests" else 1, False)
            if not chosen:
                continue
            out += f"{self.written(section, False)}:{self.comment()}"
            for ident in chosen:
                out += f"\n  {ident}:{self.mapping(fields, required, 2, False)}"
            out += "\n" + self.pick(("", "", "\n", "# end of section\n"))
        if self.one_in(3):  # the release policy: the schema's other numbers
            rule = {
                "actions": self.list_of(scalar(("modify", "rename", "delete"), ("edit",))), "types": self.list_of(self.text),
                "max_tool_distance": number, "allow_critical_changed": boolean, "allow_critical_impacted": boolean,
            }
            rules: dict[str, Field] = {name: functools.partial(self.mapping, rule, ()) for name in ("quick-hit", "minor")}
            out += f"{self.written('policy', False)}:{self.mapping(rules, (), 0, False)}\n"
        lines = out.split("\n")
        for _ in range(self.count(0, 3)):
            i = self.count(0, len(lines) - 1) if len(lines) <= 64 else self.count(0, 63)
            if lines[i].strip() not in ("", ":", "-"):  # trailing white space, never a tab alone or after a lone '-' or ':'
                lines[i] += self.pick(("  ", " ", "\t", " \t") if self.hostile else ("  ", " "))
        out = "\n".join(lines)
        out = out if out.endswith("\n") else out + "\n"
        out += self.pick(("", "...\n") if self.hostile else ("",))
        return out.replace("\n", "\r\n") if self.one_in(5) else out


@st.composite
def catalog_texts(draw: Callable[..., Any]) -> str:
    return Writer(lambda options: draw(_sampler(options))).document()


# Hand-written ordinary documents: the fast path must read every one of them.
ORDINARY = [
    TEAM,
    "teams:\n  web: {name: Web Team, email: web@example.com, slack: '#web', members: [Ann, Bob]}\n",
    "# Teams\nteams:\n  web:   # the web team\n    name: \"Web \\u00e9quipe\"  # quoted\n    members:\n    - Zoë\n    - 日本語 😀\n",
    SYSTEM + "        critical: true\n        description: |\n          Line one.\n            Indented: # kept\n\n          Last.\n"
    "        depends_on:\n          - site:home\n          - {asset: 'crm:Lead Status', note: \"sync: nightly\"}\n",
    SYSTEM + "        description: >-\n          Folded\n          text\n        feeds: [site:a, site:b]\n        consulted: [mops]\n",
    SYSTEM + TEST + "    owner: web\n    kind: manual\n    steps:\n      - 'Open the form: /demo'\n      - Submit it & check\n    minutes: 15\n",
    (TEAM + "    email: ~\n    slack:\n    members: []\n").replace("\n", "\r\n"),
    "policy:\n  quick-hit:\n    actions: [modify]\n    max_tool_distance: 2\n    allow_critical_changed: false\n  minor:\n    types: [folder, form]\n",
]


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_documents_are_read_fast_and_equal(text: str) -> None:
    assert assert_contract(text.encode()) is not None


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(catalog_texts())
@example(ORDINARY[3])
def test_generated_catalog_text_keeps_the_contract(text: str) -> None:
    spec = assert_contract(text.encode("utf-8"))
    event("fast path: read" if spec is not None else "fast path: declined")


def test_the_generator_mostly_writes_files_the_fast_path_reads() -> None:
    # The property above is vacuous if the fast path declines everything it is
    # given. Measured on the generator's own distribution (a seeded random
    # generator makes the choices): about half of the documents are read fast
    # (hostile pieces, YAML 1.1 ids, odd numbers and wrong values decline the rest).
    seen = Counter(fast_spec(Writer(random.Random(seed).choice).document().encode()) is not None for seed in range(300))
    assert seen[True] >= 0.35 * sum(seen.values()), seen


# --- the plain validator against the models ------------------------------------------
#
# read_file_record validates into plain dicts with schema.plain_validator, a mirror
# of the models built from their fields; the models give the messages. Both must
# accept the same documents, and give the same record.


def plain_and_model(data: Any) -> tuple[Any, Any]:
    from impact.read.records import record_from, record_of
    from impact.read.schema import plain_validator

    try:
        plain = record_of(None, plain_validator(CatalogFileSpec).validate_python(data))
    except ValidationError:
        plain = None
    try:
        model = record_from(None, CatalogFileSpec.model_validate(data))
    except ValidationError:
        model = None
    return plain, model


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(catalog_texts())
@example(ORDINARY[3])
def test_the_plain_validator_accepts_what_the_models_accept_with_the_same_record(text: str) -> None:
    readings = []
    with contextlib.suppress(ImpactError):
        readings.append(parse_yaml(text, "f.yaml").data)  # every scalar as text
    fast = read_fast(text.encode("utf-8"))
    if fast is not None:
        readings.append(fast[1])  # scalars typed by YAML 1.2
    for data in readings:
        plain, model = plain_and_model(data)
        assert plain == model, text
        event("valid" if model is not None else "refused")


@pytest.mark.parametrize(
    "data",
    [
        {"teams": {"web": {"name": "Web", "members": None}}},
        {"teams": {"web": {"name": "Web", "nick": "x"}}},  # an unknown key
        {"policy": {"quick_hit": {}}},  # the field's name, not its alias
        {"policy": {"quick-hit": {"max_tool_distance": "2", "allow_critical_changed": "true"}}},
        {"tests": {"t": {"name": "n", "covers": []}}},  # at least one
        {"systems": {"s": {"name": "n", "owner": "o", "assets": {"a": {"type": "t", "depends_on": ["x:y", {"asset": "x:z", "note": "n"}, {"asset": "x:w", "extra": 1}]}}}}},
        {"systems": {"s": {"name": "n", "owner": "o", "assets": {"a": {"type": "t", "critical": "yes"}}}}},
        {"systems": {"s": {"name": "n", "owner": "bad id", "assets": None}}},
    ],
)
def test_the_plain_validator_and_the_models_agree_on_edge_cases(data: Any) -> None:
    plain, model = plain_and_model(data)
    assert plain == model


def test_the_number_guard_knows_every_number_of_the_catalog_schema() -> None:
    # _has_numbers names the schema's whole-number fields; a new one must be added there,
    # or a file spelling it '015' would be read fast as 15 where the precise path refuses it.
    from impact.read import schema
    from impact.read.slips import unwrap as _unwrap

    def numbers(model: type[Any], seen: set[type[Any]]) -> set[str]:
        found: set[str] = set()
        seen.add(model)
        for name, info in model.model_fields.items():
            inner = _unwrap(info.annotation)
            for tp in (inner, *getattr(inner, "__args__", ())):
                tp = _unwrap(tp)
                if tp is int:
                    found.add(f"{model.__name__}.{name}")
                elif isinstance(tp, type) and issubclass(tp, schema.BaseModel) and tp not in seen:
                    found |= numbers(tp, seen)
        return found

    assert numbers(CatalogFileSpec, set()) == {"TestSpec.minutes", "PathRuleSpec.max_tool_distance", "PathRuleSpec.max_impacted"}
    assert _has_numbers({"tests": {"t": {"minutes": 15}}})
    assert _has_numbers({"policy": {"quick-hit": {"max_impacted": 5}}})
    assert _has_numbers({"policy": {"quick-hit": {"max_tool_distance": 2}, "minor": None}})
    assert not _has_numbers({"tests": {"t": {"name": "n"}}, "policy": {"minor": {"types": ["form"]}}})
