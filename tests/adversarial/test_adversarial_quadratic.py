"""Small catalogs with quadratic costs (issue #25, item 2): answers linear in their size.

Timings are the benchmarks' business; these tests count the work instead: a
look-alike suggestion compares a bounded number of candidates whatever the
catalog's size (and finds the near miss an exhaustive scan finds), and a
ring's JSON answer carries ``via`` on every asset and whole paths only up to
``PATH_LIMIT`` steps, so its size is linear in the impacted assets.
"""

from __future__ import annotations

import difflib
import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from impact.core.ids import NearIndex, _form
from impact.render.check.data import PATH_LIMIT

from .conftest import run, write

IDS = st.lists(st.from_regex(r"[a-z]{1,6}:[a-z0-9/_-]{3,14}", fullmatch=True), min_size=1, max_size=400, unique=True)


def test_suggestions_compare_a_bounded_number_of_candidates() -> None:
    ids = [f"web:page/{i:05d}-{w}" for i in range(20_000) for w in ("a",)]
    index = NearIndex(ids)
    for miss in ("web:page/00042-b", "web:pag/12345-a", "WEB:PAGE/19999-A", "x:y"):
        assert len(index.candidates(miss)) <= 12
    assert index.closest("web:page/00042-b", 0.6) == "web:page/00042-a"
    assert index.closest("WEB:PAGE/19999-A", 0.6) == "web:page/19999-a"


@settings(max_examples=60, deadline=None)
@given(ids=IDS, pick=st.integers(0, 10**6), pos=st.integers(0, 100), ch=st.sampled_from("xq_-9"))
def test_a_one_letter_typo_finds_a_match_as_close_as_the_exhaustive_scan(
    ids: list[str], pick: int, pos: int, ch: str
) -> None:
    """Oracle: difflib over every id. The index's answer is as similar to the typo as the original id."""
    meant = ids[pick % len(ids)]
    i = pos % len(meant)
    typo = meant[:i] + ch + meant[i + 1 :]
    if typo in ids:
        return  # not a miss: suggestions are asked only for ids that do not exist
    found = NearIndex(ids).closest(typo, 0.6)
    best = difflib.get_close_matches(typo, [i for i in ids if i != typo], n=1, cutoff=0.6)
    if found is not None and _form(found) == _form(typo):
        return  # written the same but for case and punctuation: preferred to any other
    assert (found is None) == (not best)
    if found is not None:
        ratio = difflib.SequenceMatcher(None, found, typo).ratio()
        assert ratio >= 0.6
        assert found in ids
        if typo != meant and difflib.SequenceMatcher(None, meant, typo).ratio() >= 0.6:
            assert ratio >= difflib.SequenceMatcher(None, meant, typo).ratio() - 1e-9


def test_eight_thousand_dangling_references_are_each_reported(work: Path) -> None:
    rows = "".join(
        f"      page/p{i:05d}-alpha: {{type: page, depends_on: [website:page/missing{i:05d}-beta]}}\n"
        for i in range(8_000)
    )
    write(
        work,
        "cat/a.yaml",
        f"teams:\n  web: {{name: W}}\nsystems:\n  website:\n    name: W\n    owner: web\n    assets:\n{rows}",
    )
    result = run("validate", "cat")
    assert result.code == 2
    assert len(result.errors) == 8_000
    assert result.errors[-1].endswith(
        "depends_on 'website:page/missing07999-beta', which is not an asset of this catalog; did you mean 'website:page/p07999-alpha'?"
    )


def test_a_ring_answer_is_linear_in_the_impacted_assets(work: Path) -> None:
    n = 3_000
    rows = "".join(f"      n{i}: {{type: t, depends_on: [a:n{(i - 1) % n}]}}\n" for i in range(n))
    write(
        work,
        "cat/a.yaml",
        f"teams:\n  web: {{name: W}}\nsystems:\n  a:\n    name: A\n    owner: web\n    assets:\n{rows}",
    )
    write(work, "c.yaml", "id: CR-1\ntitle: T\nchanges:\n  - {target: 'a:n0', action: modify}\n")
    result = run("check", "c.yaml", "--catalog", "cat", "--format", "json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    impacted = {r["asset"]: r for r in data["impacted"]}
    assert len(impacted) == n - 1
    assert sum(len(r["path"]) for r in impacted.values()) <= (PATH_LIMIT + 1) * len(impacted)
    for r in impacted.values():
        assert r["path_left_out"] == (r["steps"] > PATH_LIMIT)
        if not r["path_left_out"]:
            assert r["path"][-2:] == [r["via"], r["asset"]] and len(r["path"]) == r["steps"] + 1
    # Any path is rebuilt by following via, back to the changed asset.
    far = impacted[f"a:n{n - 1}"]
    path, at = [far["asset"]], far["asset"]
    while at in impacted:
        at = impacted[at]["via"]
        path.append(at)
    assert path[-1] == "a:n0" and len(path) == far["steps"] + 1


def test_a_ring_trace_is_linear_too(work: Path) -> None:
    n = 2_000
    rows = "".join(f"      n{i}: {{type: t, depends_on: [a:n{(i - 1) % n}]}}\n" for i in range(n))
    write(work, "cat/a.yaml", f"teams:\n  web: {{name: W}}\nsystems:\n  a:\n    name: A\n    owner: web\n    assets:\n{rows}")
    data = json.loads(run("trace", "a:n0", "--catalog", "cat", "--format", "json").out)
    upstream = {r["asset"]: r for r in data["upstream"]}
    assert len(upstream) == n - 1
    assert sum(len(r["path"]) for r in upstream.values()) <= (PATH_LIMIT + 1) * len(upstream)
    far = upstream["a:n1"]  # the whole ring away from a:n0, upstream
    assert far["path_left_out"] and far["steps"] == n - 1
    path, at = [far["asset"]], far["asset"]
    while at in upstream:
        at = upstream[at]["via"]
        path.append(at)
    assert path[-1] == "a:n0" and len(path) == far["steps"] + 1
    markdown = run("trace", "a:n0", "--catalog", "cat", "--format", "markdown").out
    assert f"`a:n1` → `a:n2` → … → `a:n0` ({n - 1:,} steps)" in markdown
    assert len(markdown) < 200 * n
