"""Pictures a person reads: shape and size of the rendered PNGs, colours told apart in grey,
labels never broken inside a word, the critical mark the legend shows, release verdicts.

Sizes are read from the PNG header of what `impact graph` writes, not from the DOT.
"""

from __future__ import annotations

import itertools
import re
import struct
from pathlib import Path

import pytest
from click.testing import CliRunner

from impact.cli.main import cli
from impact.render import dot as dot_module
from impact.render import labels, picture
from tests.conftest import ROOT

CHANGES = ROOT / "catalogs" / "example" / "changes"


def _png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n" and head[12:16] == b"IHDR"
    width, height = struct.unpack(">II", head[16:24])
    return width, height


@pytest.mark.parametrize(
    "args",
    [
        [str(CHANGES / "CR-101-products-to-solutions.yaml")],
        [str(CHANGES / "CR-104-marketo-platform-upgrade.yaml")],
        [str(CHANGES / "CR-105-retire-emea-round-robin.yaml")],
        ["--release", "2026-12-minor", "--changes", str(CHANGES)],
        ["--catalog", str(ROOT / "catalogs" / "example" / "catalog")],
    ],
    ids=["CR-101", "CR-104", "CR-105", "release", "catalog-map"],
)
def test_example_pictures_keep_a_readable_shape(args: list[str], tmp_path: Path) -> None:
    out = tmp_path / "picture.png"
    done = CliRunner().invoke(cli, ["graph", *args, "-o", str(out)])
    assert done.exit_code == 0, done.output
    width, height = _png_size(out)
    assert max(width, height) <= picture.MAX_SIDE_PX, (width, height)
    assert max(width, height) <= 3 * min(width, height), (width, height)
    # Big enough to read: the picture was folded, not shrunk.
    assert min(width, height) >= 600


def _lightness(colour: str) -> float:
    """CIELAB L* of an sRGB colour (what a grey print keeps of it)."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    f = y ** (1 / 3) if y > 216 / 24389 else (24389 / 27 * y + 16) / 116
    return 116 * f - 16


def test_distance_colours_differ_in_grey() -> None:
    """Changed, then each distance, lighter and lighter by a step a grey print (or a colour-blind reader) keeps."""
    scale = [dot_module.CHANGED_FILL, *dot_module.DISTANCE_COLOURS]
    lightness = [_lightness(c) for c in scale]
    steps = [b - a for a, b in itertools.pairwise(lightness)]
    assert all(step >= 8 for step in steps), dict(zip(scale, lightness))


@pytest.mark.parametrize("width", [8, 12, 20, 28])
def test_labels_wrap_only_between_pieces(width: int) -> None:
    texts = [
        "smart-campaign/demo-request-fulfillment",
        "table/outreach.sequence_state",
        "only leads owned by EMEA Inbound queue members are enrolled",
        "dashboard/exec-revenue-weekly",
    ]
    for text in texts:
        lines = labels.wrap_words(text, width)
        assert "".join(lines).replace(" ", "") == text.replace(" ", "")
        for line, following in itertools.pairwise(lines):
            # Every break is at a space or right after / : . -
            assert line[-1] in "/:.-" or text[text.index(line) + len(line)] == " " or following[0] == " ", (line, following)
            assert len(line) <= width or not re.search(r"[\s/:.\-]", line[:-1]), line


def test_critical_is_marked_the_same_whether_changed_or_not(tmp_path: Path) -> None:
    out = tmp_path / "cr105.dot"
    done = CliRunner().invoke(cli, ["graph", str(CHANGES / "CR-105-retire-emea-round-robin.yaml"), "-o", str(out)])
    assert done.exit_code == 0, done.output
    import pygraphviz

    g = pygraphviz.AGraph(string=out.read_text(encoding="utf-8"))
    critical = [n for n in g.nodes() if "critical" in (n.attr["class"] or "").split()]
    assert {"changed", "impacted"} <= {role for n in critical for role in n.attr["class"].split()}
    assert {(n.attr["peripheries"], n.attr["color"]) for n in critical} == {("2", dot_module.CRITICAL_BORDER)}
    assert "double red border: CRITICAL" in g.get_subgraph("cluster_picture").graph_attr["label"]


def test_release_picture_says_ships_and_held_and_what_holds(tmp_path: Path) -> None:
    out = tmp_path / "release.svg"
    done = CliRunner().invoke(cli, ["graph", "--release", "2026-12-minor", "--changes", str(CHANGES), "-o", str(out)])
    assert done.exit_code == 0, done.output
    svg = out.read_text(encoding="utf-8")
    # CR-110 ships; CR-103 is held, waiting for CR-102 and CR-104, drawn as unfinished work joined to it.
    assert re.search(r'class="node change-request ships".*?<title>change-CR-110</title>.*?>SHIPS<', svg, re.S)
    assert re.search(r'class="node change-request held".*?<title>change-CR-103</title>.*?>HELD<', svg, re.S)
    for holder in ("CR-102", "CR-104"):
        assert f'<title>change-{holder}</title>' in svg
        assert f"<title>change-{holder} -&gt; change-CR-103</title>" in svg or f"<title>{holder} -&gt; CR-103</title>" in svg


def test_report_lists_the_arrow_notes_by_their_numbers(tmp_path: Path) -> None:
    """The HTML lists under the picture the same notes, in the same numbered order, as the markers on the arrows."""
    out = tmp_path / "report"
    # CR-104 changes the whole of Marketo: its picture has the most notes of the example.
    done = CliRunner().invoke(cli, ["report", str(CHANGES / "CR-104-marketo-platform-upgrade.yaml"), "-o", str(out)])
    assert done.exit_code == 0, done.output
    dot = (out / "graph.dot").read_text(encoding="utf-8")
    notes = dot_module.edge_notes(dot)
    assert len(notes) >= 10  # long enough that Graphviz splits the attribute over lines
    html = (out / "release-notes.html").read_text(encoding="utf-8")
    listed = re.search(r'<ol class="edge-notes">(.*?)</ol>', html, re.S)
    assert listed is not None
    from html import unescape

    assert [unescape(n) for n in re.findall(r"<li>(.*?)</li>", listed.group(1))] == notes
    import pygraphviz

    g = pygraphviz.AGraph(string=dot)
    numbers = {int(e.attr["class"].split("note-")[1]) for e in g.edges() if "note-" in (e.attr["class"] or "")}
    assert numbers == set(range(1, len(notes) + 1))
