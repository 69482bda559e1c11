"""Big answers are written as they are made: the same bytes as the whole text built at once."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from impact.render import jsonio
from impact.render.check.text import write_lines
from tests.helpers import RENAME_PRODUCTS, run_cli

scalars = st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.text(max_size=8)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4), max_leaves=12)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.text(max_size=6), values, max_size=5), st.data())
def test_streamed_json_is_the_json_of_the_whole(data: dict[str, Any], draw: st.DataObject) -> None:
    lists = [k for k, v in data.items() if isinstance(v, list)]
    streamed = set(draw.draw(st.lists(st.sampled_from(lists), unique=True))) if lists else set()
    shown = {k: jsonio.Streamed(iter(v)) if k in streamed else v for k, v in data.items()}
    out = io.BytesIO()
    jsonio.write(shown, out.write)
    assert out.getvalue().decode("utf-8") == jsonio.dumps(data)


def test_pieces_are_about_a_megabyte_and_join_to_the_whole() -> None:
    data = {"impacted": [{"asset": f"web:{i:06d}", "path": ["x"] * 5} for i in range(30_000)]}
    pieces: list[bytes] = []
    jsonio.write({"impacted": jsonio.Streamed(iter(data["impacted"]))}, pieces.append)
    assert len(pieces) > 2 and max(map(len, pieces)) < 2 * 2**20
    assert b"".join(pieces).decode() == jsonio.dumps(data)
    lines = [f"line {i} é" for i in range(200_000)]
    chunks: list[bytes] = []
    write_lines(iter(lines), chunks.append)
    assert len(chunks) > 1 and b"".join(chunks).decode() == "\n".join(lines) + "\n"


def test_check_writes_the_same_bytes_to_stdout_and_to_a_file(small_catalog: Path, tmp_path: Path) -> None:
    change = tmp_path / "changes" / "cr-1.yaml"
    change.parent.mkdir()
    change.write_text(RENAME_PRODUCTS)
    for fmt in ("json", "text"):
        code, printed, _ = run_cli("check", str(change), "--format", fmt, "--all")
        target = tmp_path / f"out.{fmt}"
        assert run_cli("check", str(change), "--format", fmt, "--all", "-o", str(target))[0] == code
        assert target.read_text(encoding="utf-8") == printed and "marketo:segmentation/interest" in printed


def _safe_reference(text: str) -> str:
    import unicodedata

    out = []
    for ch in text:
        if ch in "\n\t":
            out.append(" ")
        elif unicodedata.category(ch) in ("Cc", "Cf") and ch != "\u200d":
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return "".join(out)


@settings(max_examples=500, deadline=None)
@given(st.text() | st.text(alphabet=st.characters(max_codepoint=127)))
def test_safe_text_has_a_fast_path_with_the_same_answer(text: str) -> None:
    from impact.render.plaintext import safe

    assert safe(text) == _safe_reference(text)
