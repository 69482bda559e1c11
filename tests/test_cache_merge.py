"""The loader's merge of per-file records: every problem at once, the same cold, warm, without cache and in parallel."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from impact.load import workers
from tests.helpers import run_cli as run

pytestmark = pytest.mark.usefixtures("cache_home")

A = """\
teams:
  web: {name: Web}
  ops: {name: Ops}
systems:
  web:
    name: Website
    owner: web
    consulted: [nobody, ops]
    assets:
      /p/: {type: folder, depends_on: [web:/p/, crm:lead, web:/p/], feeds: [web:/p/, crm:led], owner: opz}
      /q/: {type: folder, critical: true, informed: [ops, webb]}
  crm:
    name: CRM
    owner: ops
    assets:
      lead: {type: object, feeds: [web:/q/]}
policy: {}
"""
B = """\
teams:
  web: {name: Web again}
systems:
  web:
    name: Dup system
    owner: ghost
    assets:
      /z/: {type: folder}
  mkt:
    name: Marketo
    owner: ops
    assets:
      form: {type: form, depends_on: [web:/q/, crm:lead]}
tests:
  t1: {name: T, covers: [mkt:form, mkt:frm, crm:lead], owner: qa}
  t2: {name: T2, covers: [web:/q/], owner: web}
policy: {}
"""
C = """\
systems:
  crm:
    name: CRM2
    owner: ops
    assets:
      lead: {type: object}
  dbt:
    name: dbt
    owner: ops
    assets:
      m1: {typ: model, depends_on: [crm:lead]}
      m2: {type: model, depends_on: [dbt:m1, dbt:m3]}
tests:
  t1: {name: again, covers: [dbt:m2]}
"""

# What the loader reported before it merged records (checked against that version),
# with the root causes (a system defined twice) first since issue #12.
EXPECTED = """\
Error: {c}/b.yaml:4:3: system 'web' is defined twice; the first is at {c}/a.yaml:5:3
Error: {c}/c.yaml:2:3: system 'crm' is defined twice; the first is at {c}/a.yaml:12:3
Error: {c}/a.yaml:8:17: system 'web' consulted 'nobody', which is not a team of this catalog; the teams are ops, web
Error: {c}/a.yaml:10:40: asset 'web:/p/' cannot depend on itself
Error: {c}/a.yaml:10:59: asset 'web:/p/' cannot depend on itself
Error: {c}/a.yaml:10:77: asset 'web:/p/' cannot depend on itself
Error: {c}/a.yaml:10:86: asset 'web:/p/' feeds 'crm:led', which is not an asset of this catalog; did you mean 'crm:lead'?
Error: {c}/a.yaml:10:103: asset 'web:/p/' owner 'opz', which is not a team of this catalog; did you mean 'ops'?
Error: {c}/a.yaml:11:59: asset 'web:/q/' informed 'webb', which is not a team of this catalog; did you mean 'web'?
Error: {c}/b.yaml:2:3: team 'web' is defined twice; the first is at {c}/a.yaml:2:3
Error: {c}/b.yaml:15:36: test 't1' covers 'mkt:frm', which is not an asset of this catalog; did you mean 'mkt:form'?
Error: {c}/b.yaml:15:63: test 't1' owner 'qa', which is not a team of this catalog; the teams are ops, web
Error: {c}/b.yaml:17:1: the policy is defined twice; the first is at {c}/a.yaml:17:1
Error: {c}/c.yaml:11:12: unknown key 'typ'; did you mean 'type' (required)?
Error: {c}/c.yaml:12:46: asset 'dbt:m2' depends_on 'dbt:m3', which is not an asset of this catalog; did you mean 'dbt:m2'?
Error: {c}/c.yaml:14:3: test 't1' is defined twice; the first is at {c}/b.yaml:15:3
"""


@pytest.fixture
def broken(write: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name, text in (("a", A), ("b", B), ("c", C)):
        write(f"cat/{name}.yaml", text)
    monkeypatch.chdir(tmp_path)
    return tmp_path / "cat"


def test_every_problem_is_reported_once_at_its_place(broken: Path) -> None:
    code, out, err = run("validate", "cat")
    assert code == 2
    assert err == EXPECTED.format(c="cat") + "cat: 16 errors, 0 warnings\n"
    assert out == ""


def test_the_same_cold_warm_without_cache_and_in_parallel(broken: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cold = run("validate", "cat")
    warm = run("validate", "cat")  # the valid file now comes from the cache
    plain = run("--no-cache", "validate", "cat")
    monkeypatch.setattr(workers, "PARALLEL_BYTES", 0)  # worker processes even for three small files
    parallel = run("--no-cache", "validate", "cat")
    assert cold == warm == plain == parallel


def test_records_built_in_parallel_are_the_records_built_here(broken: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    raws = [p.read_bytes() for p in sorted(broken.glob("*.yaml"))] * 3
    names = [f"f{i}.yaml" for i in range(len(raws))]
    here = workers.file_records_in_workers(raws, names, use_cache=False)
    monkeypatch.setattr(workers, "PARALLEL_BYTES", 0)
    assert workers.file_records_in_workers(raws, names, use_cache=False) == here
    assert [r is None for r in here] == [False, False, True] * 3  # c has a key the schema refuses


def test_a_pool_that_breaks_midway_leaves_the_rest_to_this_process(broken: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Records arrive as the workers give them; if the pool breaks after some, the rest are built here, in order."""
    import concurrent.futures
    from concurrent.futures.process import BrokenProcessPool

    raws = [p.read_bytes() for p in sorted(broken.glob("*.yaml"))] * 4
    names = [f"f{i}.yaml" for i in range(len(raws))]
    here = workers.file_records_in_workers(raws, names, use_cache=False)

    class Breaks:
        """A pool whose workers give three results, then die."""

        def __init__(self, *args: object, **kwargs: object) -> None:
            pass

        def __enter__(self) -> Breaks:
            return self

        def __exit__(self, *exc: object) -> None:
            return None

        def map(self, job, *columns, chunksize=1):  # type: ignore[no-untyped-def]
            def results():  # type: ignore[no-untyped-def]
                for n, args in enumerate(zip(*columns, strict=True)):
                    if n == 3:
                        raise BrokenProcessPool("a worker died")
                    yield job(*args)

            return results()

    monkeypatch.setattr(workers, "PARALLEL_BYTES", 0)
    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", Breaks)
    assert workers.file_records_in_workers(raws, names, use_cache=False) == here
    assert list(workers.in_workers_iter(len, raws)) == list(map(len, raws))
