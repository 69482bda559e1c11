"""Places from a file's outline must be the precise reader's places, or not be given at all.

:func:`impact.read.outline_places.outline_places` finds where definitions stand
without reading the file precisely; the oracle is
:func:`impact.read.definition_places.definition_places`, which reads it with libyaml
and keeps every key's mark. On every file below, the outline either gives
exactly the precise reader's places or declines (None): declining only costs
time. The evidence:

* every YAML file of the repository (catalogs, fixtures) and a generated
  benchmark catalog, where the outline must also *answer* (or it saves nothing);
* catalog files generated in many styles (Hypothesis): indentation of one to
  four spaces per level, keys plain, quoted and with spaces before the ':',
  comments and blank lines anywhere, block scalars and multi-line scalars
  whose lines look like keys, flow collections on one or several lines,
  lists at their key's indentation, sections written in flow style or empty,
  unicode keys and keys that look like numbers, CRLF line ends;
* the generator of ``tests/test_fastyaml.py`` too;
* texts libyaml reads and yaml-rs refuses (a quoted scalar or flow collection
  whose lines go back to the indentation of the keys), where lines of a value
  look like keys: the outline must decline even when told what libyaml read.
"""

from __future__ import annotations

import functools
import random
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from impact.core.errors import ImpactError
from impact.read import outline_places as outline
from impact.read import yamlio
from impact.read.definition_places import definition_places
from impact.read.fastyaml import read_fast
from impact.read.outline_places import Defined, defined_by_data, located, outline_places, places_by_record
from impact.read.records import read_file_record
from impact.store import cache
from tests.helpers import run_cli as run
from tests.helpers import without_cache
from tests.test_fastyaml import REPO_YAML, catalog_texts

ROOT = Path(__file__).resolve().parents[1]
T = TypeVar("T")


def precise_places(raw: bytes) -> dict[str, tuple[int, int]] | None:
    try:
        return definition_places(raw, "f.yaml")
    except ImpactError:
        return None


def outlined(raw: bytes) -> dict[str, tuple[int, int]] | None:
    """The outline's answer as ``located`` would take it: what the file defines from the fast reader's data."""
    fast = read_fast(raw)
    if fast is None:
        return None
    defined = defined_by_data(fast[1])
    return outline_places(fast[0], defined) if defined is not None else None


def check(raw: bytes) -> str:
    """Assert the contract on ``raw``; what happened, for statistics."""
    answer = outlined(raw)
    record = read_file_record(raw, "f.yaml")
    by_record = places_by_record(raw, record) if record is not None else None
    if answer is None and by_record is None:
        return "declined"
    precise = precise_places(raw)
    for given_ in (answer, by_record):
        if given_ is not None:
            assert given_ == precise, f"{raw!r}\n outline: {given_}\n precise: {precise}"
            assert list(given_) == list(precise or ()), "same places in another order"
    assert located(raw, "f.yaml") == precise
    return "answered"


# --- real files -----------------------------------------------------------------------


@pytest.mark.parametrize("path", REPO_YAML, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_yaml_file_of_the_repository(path: Path) -> None:
    check(path.read_bytes())


def test_the_example_catalog_and_the_fixtures_are_answered_from_their_outline() -> None:
    # Not vacuous: the outline answers for the catalogs people write.
    catalogs = [p for p in REPO_YAML if "catalog" in p.parts and "adversarial" not in p.parts]
    assert len(catalogs) >= 10
    assert [p.name for p in catalogs if read_fast(p.read_bytes()) is not None and outlined(p.read_bytes()) is None] == []


def test_a_generated_benchmark_catalog_is_answered_from_its_outline(tmp_path: Path) -> None:
    out = tmp_path / "bench"
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "generate.py"), str(out), "--assets", "2000"], check=True, capture_output=True)
    files = sorted(out.rglob("*.yaml"))
    assert len(files) > 5
    assert Counter(check(p.read_bytes()) for p in files) == Counter({"answered": len(files)})


# --- generated files ------------------------------------------------------------------

Choose = Callable[[tuple[Any, ...]], Any]

KEYS = ("web", "a-b", "x/y", "/products/", "Lead Status", "a:b", "it's", "Zoë", "日本語", "😀 rocket", "C#", "50%", "a=b", "a\\b")
# Keys that only quotes can hold, that look like numbers, booleans, nulls or sections, or that the fast reader declines plain.
ODD_KEYS = (
    "010", "1.5", "on", "NO", "true", "null", "~", "-x", "?x", "a #b", "a: b", "'q'", '"dq"', "[x]", "{y}", "@at", "tab\tin",
    "assets", "teams", "systems", "policy", "tests", "x:", "  padded ",
)  # fmt: skip
# Lines that a block scalar or a multi-line scalar may hold: they look like keys, lists and comments.
LOOKALIKES = ("assets:", "x: y", "web:", "- item", "# not a comment", "policy:", "'q': 1", "systems:", "k: {a: b}", "")


def _written(choose: Choose, key: str) -> str:
    plain_ok = key and key == key.strip() and key[0] not in "-?:,[]{}#&*!|>'\"%@`" and ": " not in key and " #" not in key
    plain_ok = plain_ok and not key.endswith(":") and "\t" not in key
    quoted = ("single", "double", "single", "double", "double-escaped")  # an escape makes the outline decline: rarer
    style = choose(("plain", "plain", *quoted) if plain_ok else quoted)
    if style == "plain":
        return key
    if style == "single":
        return "'" + key.replace("'", "''") + "'"
    text = key.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t")
    return '"' + (text.replace("a", "\\x61") if style == "double-escaped" else text) + '"'


class Doc:
    """One catalog-shaped file, every choice made by ``choose`` (simplest options first)."""

    def __init__(self, choose: Choose) -> None:
        self.choose = choose
        self.lines: list[str] = []

    def pick(self, options: tuple[T, ...]) -> T:
        picked: T = self.choose(options)
        return picked

    def count(self, low: int, high: int) -> int:
        return self.pick(tuple(range(low, high + 1)))

    def step(self) -> int:
        return self.pick((2, 2, 1, 3, 4))

    def key(self) -> str:
        return _written(self.choose, self.pick(self.pick((KEYS, KEYS, KEYS, ODD_KEYS))))

    def colon(self) -> str:
        return self.pick((":", ":", " :", "  :"))

    def filler(self, ind: int) -> None:
        """Nothing, or blank lines, white space and comments at any indentation."""
        for _ in range(self.pick((0, 0, 0, 1, 2))):
            self.lines.append(self.pick(("", " " * self.count(0, ind + 4), " " * self.count(0, ind + 4) + "# c", "#", "# x: y")))

    def comment(self) -> str:
        return self.pick(("", "", " # note", "  #: x"))

    def text(self, ind: int, key_line: int) -> None:
        """A value written after the key on ``self.lines[key_line]``, whose mapping is at ``ind``."""
        kinds = ("plain", "single", "double", "plain-lines", "double-lines", "single-lines", "block", "flow", "flow-lines", "list", "null")
        kind = self.pick((*kinds, "flow-back", "flow-key-back"))
        deeper = " " * (ind + self.count(1, 4))
        look = [self.pick(LOOKALIKES) for _ in range(self.count(1, 3))]
        if kind == "null":
            self.lines[key_line] += self.pick(("", " ~", " null"))
        elif kind == "plain":
            self.lines[key_line] += " text" + self.comment()
        elif kind == "single":
            self.lines[key_line] += " 'it''s: # x'" + self.comment()
        elif kind == "double":
            self.lines[key_line] += ' "a \\" b: c"' + self.comment()
        elif kind == "plain-lines":  # no ': ', no comment, no indicator first: only words go on
            self.lines[key_line] += " first"
            self.lines += [deeper + self.pick(("web", "assets", "more text", "x=y")) for _ in look]
        elif kind in ("double-lines", "single-lines"):
            quote = '"' if kind == "double-lines" else "'"
            self.lines[key_line] += f" {quote}start"
            self.lines += [deeper + line.replace(quote, "") for line in look]
            self.lines[-1] += quote
        elif kind == "block":
            self.lines[key_line] += " " + self.pick(("|", ">", "|-", ">+", "|2")) + self.comment()
            if self.lines[key_line].endswith("|2"):
                deeper = " " * (ind + 2)
            self.lines += [deeper + line if line else "" for line in ["first", *look]]
        elif kind == "flow":
            self.lines[key_line] += " {a: b, c: [d, 'e: f']}" + self.comment()
        elif kind == "flow-lines":
            self.lines[key_line] += " [a,"
            self.lines += [deeper + self.pick(("web", "assets", "'x: y'", '"# z"', "more text")) + "," for _ in look]
            self.lines += [deeper + "z]"]
        elif kind == "flow-back":  # a quoted scalar in a flow collection, its lines back at any indentation (yaml-rs reads some)
            self.lines[key_line] += " [a, 'start"
            self.lines += [" " * self.count(0, ind + 2) + line.replace("'", "") for line in look]
            self.lines[-1] += "']"
        elif kind == "flow-key-back":  # a flow mapping going on with a quoted key at the keys' indentation
            self.lines[key_line] += " {a: b,"
            self.lines += [" " * self.pick((ind, ind - 1, ind + 1, 0)) + self.pick(("'z': 1,", '"web": x,', "'assets': y,")) for _ in look]
            self.lines[-1] = self.lines[-1].rstrip(",") + "}"
        else:  # a block list, at the key's indentation or deeper
            dash = " " * (ind + self.pick((0, 2, 1)))
            self.lines += [f"{dash}- {self.pick(('a', 'b: c', 'd'))}" for _ in range(self.count(1, 2))]

    def fields(self, names: tuple[str, ...], ind: int) -> None:
        """A block mapping of ordinary fields at ``ind``."""
        for name in names:
            self.lines.append(" " * ind + name + self.colon())
            self.text(ind, len(self.lines) - 1)
            self.filler(ind)

    def entries(self, ind: int, each: Callable[[int, int], None]) -> None:
        """The value of the key on the last line: a mapping of ids, in block style at ``ind`` or in flow style."""
        style = self.pick(("block", "block", "block", "block", "block", "flow", "empty", "null"))
        if style == "flow":
            self.lines[-1] += " {" + ", ".join(f"{self.key()}: {{name: n}}" for _ in range(self.count(0, 2))) + "}"
            return
        if style in ("empty", "null"):
            self.lines[-1] += " {}" if style == "empty" else self.pick(("", " ~"))
            return
        self.lines[-1] += self.comment()
        self.filler(ind)
        for _ in range(self.count(1, 3)):
            self.lines.append(" " * ind + self.key() + self.colon())
            each(ind, len(self.lines) - 1)
            self.filler(ind)

    def definition(self, names: tuple[str, ...]) -> Callable[[int, int], None]:
        def write(ind: int, key_line: int) -> None:
            style = self.pick(("block", "flow", "flow-lines", "null"))
            if style == "block":
                self.lines[key_line] += self.comment()
                self.fields(names, ind + self.step())
            elif style == "flow":
                self.lines[key_line] += " {" + ", ".join(f"{n}: x" for n in names) + "}" + self.comment()
            elif style == "flow-lines":
                deeper = " " * (ind + self.count(1, 4))
                self.lines[key_line] += " {"
                self.lines += [f"{deeper}{n}: x," for n in names] + [deeper + "}"]

        return write

    def system(self, ind: int, key_line: int) -> None:
        if self.pick(("block", "block", "block", "block", "block", "flow")) == "flow":
            self.lines[key_line] += " {name: S, owner: web, assets: {a: {type: t}}}"
            return
        body = ind + self.step()
        names = list(("name", "owner", "kind", "informed", "description"))
        names.insert(self.count(0, len(names)), "assets")
        for name in names:
            if name == "assets":
                self.lines.append(" " * body + "assets" + self.colon())
                self.entries(body + self.step(), self.definition(("type", "description", "depends_on")))
            else:
                self.fields((name,), body)

    def document(self) -> str:
        root = self.pick((0, 0, 0, 1, 2))
        self.filler(0)
        sections: list[tuple[str, Callable[[int, int], None]]] = [
            ("teams", self.definition(("name", "email"))),
            ("systems", self.system),
            ("tests", self.definition(("name", "covers"))),
        ]
        turn = self.count(0, 2)
        for name, each in sections[turn:] + sections[:turn]:
            if self.pick((True, True, False)):
                self.lines.append(" " * root + _written(self.choose, name) + self.colon())
                self.entries(root + self.step(), each)
        if self.pick((False, True)):
            self.lines.append(" " * root + _written(self.choose, "policy") + self.colon())
            if self.pick((True, False)):
                self.fields(("minor",), root + self.step())
        if self.pick((False, False, True)):
            self.lines.append(" " * root + "sources:")
            self.text(root, len(self.lines) - 1)
        text = "\n".join(self.lines) + self.pick(("\n", "\n", "", "\n\n"))
        return text.replace("\n", "\r\n") if self.pick((False, False, False, True)) else text


@functools.cache
def _sampler(options: tuple[Any, ...]) -> st.SearchStrategy[Any]:
    return st.sampled_from(options)


@st.composite
def documents(draw: Callable[..., Any]) -> str:
    return Doc(lambda options: draw(_sampler(options))).document()


ORDINARY = (
    "teams:\n  web: {name: Web}\nsystems:\n  crm:\n    name: CRM\n    assets:\n      'a:b': {type: field}\n",
    "systems:\n    crm:\n        name: CRM\n        assets:\n            x:\n                type: t\n            z: {type: t}\n",  # four spaces: deeper than the first scan
    "systems:\n  crm:\n    informed:\n    - a\n    assets:\n      \"x\" :\n        type: |\n          assets:\n          y: z\n      w: {type: t}\n",
    "# top\n\n  teams:\n   web:\n    name: W\n  policy:\n   minor: {}\n",
    "teams:\n  web: {name: W}\n  ops:\n    name: O",  # no line break at the end
    "systems:\n  crm:\n    name: CRM\n    assets:\n      x: {type: t}\nsources:\n- kind: gtm\n  path: e.json\n  args: [--owner, web]\n",
)


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_files_are_answered_from_their_outline(text: str) -> None:
    assert check(text.encode()) == "answered"


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(documents())
@example(ORDINARY[2])
def test_generated_files_in_many_styles(text: str) -> None:
    event(check(text.encode("utf-8")))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(catalog_texts())
def test_files_of_the_fast_readers_generator(text: str) -> None:
    event(check(text.encode("utf-8")))


def test_the_generator_mostly_writes_files_the_outline_answers() -> None:
    # The properties above are vacuous if the outline declines everything.
    seen = Counter(check(Doc(random.Random(seed).choice).document().encode()) for seed in range(300))
    assert seen["answered"] >= 0.15 * sum(seen.values()), seen


# --- lines of one value that look like keys: the outline declines even when told the keys ----

# libyaml reads a quoted scalar or a flow collection whose lines go back to the
# indentation of the keys (and further); for it they are the value. yaml-rs
# refuses that in a block, so such a file never has a record without places...
LIBYAML_ONLY = (
    'systems:\n  crm:\n    name: "CRM\n    assets:\n      x: 1\ntests: "\n    assets:\n      x: {type: t}\n',
    "systems:\n  crm:\n    assets:\n      x: {type: t, depends_on: [a,\n      y: b]}\n",
    'teams:\n  web:\n    name: "W\n  ops:\n    name: O"\n',
)
# The outline itself cannot tell this one (a scalar's lines read as keys, on
# lines it does not look at): it relies on yaml-rs refusing it, as YAML does.
LIBYAML_ONLY_UNSEEN = "systems:\n  crm:\n    assets:\n      x:\n        description: 'a\n      z: 1\n    q: 2'\n      z: {type: t}\n"
# ...but inside a flow collection it reads them too. A scan by indentation takes
# 'z: 1,' for the asset z and 'q: 2' for the end of the assets, and would find
# exactly the asset keys the file defines, z in the wrong place.
BOTH_READ = (
    "systems:\n  crm:\n    assets:\n      x:\n        depends_on: [{asset: 'a,\n      z: 1,\n    q: 2'}]\n      z: {type: t}\n",
    "systems:\n  crm:\n    assets:\n      x: {depends_on: [b,\n      'z': 1]}\n      z: {type: t}\n",
    "systems:\n  crm:\n    assets:\n      x: {type: t, note: 'a,\n      z: 1,\n    q: 2'}\n      z: {type: t}\n",
    "teams:\n  web: {name: 'Web,\n  ops: x'}\n",
    "teams:\n  web: {name: W,\n  'ops': x}\n",
)


def precise_defined(raw: bytes) -> Defined:
    """What the file defines as libyaml reads it."""
    data = definition_places(raw, "f.yaml")
    systems = [k[7:] for k in data if k.startswith("system:")]
    return Defined(
        [k[5:] for k in data if k.startswith("team:")],
        systems,
        [[k[len(f"asset:{s}:") :] for k in data if k.startswith(f"asset:{s}:")] for s in systems],
        [k[5:] for k in data if k.startswith("test:")],
        "policy" in data,
    )


@pytest.mark.parametrize("text", [*LIBYAML_ONLY, LIBYAML_ONLY_UNSEEN])
def test_what_only_libyaml_reads_is_declined(text: str) -> None:
    raw = text.encode()
    assert read_fast(raw) is None
    record = read_file_record(raw, "f.yaml")
    assert record is None or places_by_record(raw, record) is None
    if text != LIBYAML_ONLY_UNSEEN:
        assert outline_places(text, precise_defined(raw)) is None
    assert located(raw, "f.yaml") == definition_places(raw, "f.yaml")


@pytest.mark.parametrize("text", BOTH_READ)
def test_a_flow_collection_over_lines_is_declined(text: str) -> None:
    raw = text.encode()
    fast = read_fast(raw)
    assert fast is not None and defined_by_data(fast[1]) == precise_defined(raw)
    assert outline_places(text, precise_defined(raw)) is None
    assert located(raw, "f.yaml") == definition_places(raw, "f.yaml")


@pytest.mark.parametrize(
    ("line", "closed"),
    [
        ("a: [x, y]", True), ("  - {asset: 'a', note: \"b\"}", True), ("k: see [docs", True), ("  # [x", True),
        ("web: {name: Web, members: [a, b]}  # c", True), ("x: [{asset: a, uses: [b, c]}]", True), ('d: ["x" , \'y\' ,]', True),
        ("d: [a b]", True), ("d: []", True), ("d: {a: [b, {c: d}]}", True), ("x: {a: 'b, c'}", True),
        ("a: [x,", False), ('a: [x, "]"', False), ("a]: [x", False), ('"a[": [x, "] #"', False), ("a: [a'x, \"y']", False),
        ("- a: [x", False), ("k: see [docs]: x", False), ("web: {name: 'Web,", False), ("d: [a,,]", False), ("x: {a}", False),
        ("x: [a: b]", False), ("x: [a]]", False), ("  [x", False), ("x: [a, # c", False),
        ("  args: [--owner, web, -x]", True), ("x: [- a]", False), ("x: [-]", False), ("x: [a, -]", False), ("x: [-[a]]", False),
    ],
)  # fmt: skip
def test_a_line_passes_the_flow_check_only_if_its_flow_collections_close_on_it(line: str, closed: bool) -> None:
    assert (outline._open_flow().search("\n" + line + "\n") is None) == closed


def test_a_file_with_another_outline_than_its_record_is_declined() -> None:
    text = "teams:\n  web: {name: Web}\n  ops: {name: Ops}\n"
    assert outline_places(text, Defined(["web", "ops"], [], [], [], False)) == {"team:web": (2, 3), "team:ops": (3, 3)}
    for wrong in (Defined(["ops", "web"], [], [], [], False), Defined(["web"], [], [], [], False), Defined(["web", "ops"], [], [], [], True)):
        assert outline_places(text, wrong) is None
    # A record's policy None may be 'policy: ~': a policy key found is then a doubt.
    assert outline_places(text + "policy:\n", Defined(["web", "ops"], [], [], [], None)) is None
    assert outline_places(text + "policy:\n", Defined(["web", "ops"], [], [], [], True)) == {"team:web": (2, 3), "team:ops": (3, 3), "policy": (4, 1)}


@pytest.mark.parametrize(
    "text",
    [
        "teams:\n  ? web\n  : {name: W}\n",  # an explicit key
        "teams:\n  web: {name: W}\nteams:\n  ops: {name: O}\n",  # a section twice
        "teams:\n\tweb: {name: W}\n",  # a tab
        "teams:\n  web: &a {name: W}\n",  # an anchor
        "teams:\n  \"w\\x65b\": {name: W}\n",  # an escape in a quoted key
    ],
)
def test_doubtful_outlines_are_declined(text: str) -> None:
    assert outline_places(text, Defined(["web"], [], [], [], False)) is None


def test_a_line_between_two_levels_of_the_outline_is_declined() -> None:
    text = "systems:\n  crm:\n    assets:\n      x: {type: t}\n     y: {type: t}\n"
    assert outline_places(text, Defined([], ["crm"], [["x"]], [], False)) is None
    assert outline_places(text.replace("     y", "    y"), Defined([], ["crm"], [["x"]], [], False)) == {"system:crm": (2, 3), "asset:crm:x": (4, 7)}


def test_the_first_scan_sees_only_shallow_lines_and_a_deeper_outline_is_scanned_again(monkeypatch: pytest.MonkeyPatch) -> None:
    text = ORDINARY[1]
    limits = []
    scan = outline._scan

    def spy(text: str, limit: int | None) -> object:
        limits.append(limit)
        return scan(text, limit)

    monkeypatch.setattr(outline, "_scan", spy)
    assert outlined(text.encode()) == precise_places(text.encode())
    assert limits == [6, None]
    limits.clear()
    assert outlined(ORDINARY[0].encode()) is not None and limits == [6]


# --- in use: impact validate finds places without reading a file precisely ----------------


@pytest.mark.parametrize("cached", [True, False], ids=["with a cache", "without"])
def test_validate_shows_the_places_of_the_precise_reader_without_reading_precisely(
    cached: bool, cache_home: Path, small_catalog: Path, write: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    write("catalog/extra.yaml", "systems:\n  crm:\n    name: CRM\n    owner: web\n    assets:\n      x: {type: field, critical: true}\n")
    if not cached:
        monkeypatch.setenv("IMPACT_NO_CACHE", "1")
        cache.set_enabled(None)
    with monkeypatch.context() as m:  # the reference: places read precisely
        m.setattr(outline, "outline_places", lambda text, defined, limit=6: None)
        with without_cache():
            expected = run("validate", str(small_catalog))
    assert "extra.yaml:6:7: critical asset 'crm:x'" in expected[2]
    monkeypatch.setattr(yamlio, "parse_yaml", lambda raw, name, **_: pytest.fail(f"read {name} precisely"))
    assert run("validate", str(small_catalog)) == expected
