"""Graph pictures: structure of the DOT and SVG, escaping, folding, determinism, PNG/PDF rendering."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable
from pathlib import Path
from xml.etree import ElementTree

import pygraphviz
import pytest

from impact.analysis.check import check_change
from impact.analysis.workspace import open_catalog
from impact.core.errors import ImpactError
from impact.load.change import load_change
from impact.render import dot as dot_module
from impact.render import graphviz, labels, picture
from impact.render.dot import CHANGED_FILL, DISTANCE_COLOURS
from impact.render.drawing import PictureConflict
from impact.render.graphviz import render_picture
from impact.render.labels import node_name
from impact.render.picture import catalog_picture, impact_picture

SVG = "{http://www.w3.org/2000/svg}"


def _change(write: Callable[..., Path], name: str, ident: str, target: str, action: str = "rename") -> Path:
    return write(
        f"changes/{name}.yaml",
        f"""\
        id: {ident}
        title: Change {ident}
        changes:
          - {{target: "{target}", action: {action}}}
        """,
    )


@pytest.fixture
def checked(small_catalog: Path, write: Callable[..., Path]):
    catalog, graph = open_catalog(small_catalog)
    change = load_change(_change(write, "cr1", "CR-1", "website:/products/"))
    return catalog, graph, check_change(catalog, graph, change)


def _tool_boxes(g: pygraphviz.AGraph) -> list[pygraphviz.AGraph]:
    """The tools' boxes: clusters inside the picture's frame (which carries the title and legend)."""
    return list(g.get_subgraph("cluster_picture").subgraphs())


def _parse(dot: str) -> pygraphviz.AGraph:
    return pygraphviz.AGraph(string=dot)


def _svg_nodes(svg: bytes) -> dict[str, ElementTree.Element]:
    root = ElementTree.fromstring(svg)
    return {g.get("data-asset"): g for g in root.iter(f"{SVG}g") if g.get("data-asset")}


def test_impact_dot_has_one_cluster_per_tool_and_colours_by_distance(checked) -> None:
    _, graph, result = checked
    g = _parse(impact_picture([result], graph))
    clusters = sorted(s.name for s in _tool_boxes(g))
    assert clusters == ["cluster_marketo", "cluster_salesforce", "cluster_website"]
    changed = g.get_node(node_name("website:/products/"))
    assert changed.attr["fillcolor"] == CHANGED_FILL
    assert "changed" in changed.attr["class"].split()
    distance = {r.asset: r.tool_distance for r in result.impacted}
    for asset, d in distance.items():
        assert g.get_node(node_name(asset)).attr["fillcolor"] == DISTANCE_COLOURS[d], asset
    critical = g.get_node(node_name("salesforce:queue/emea"))
    assert critical.attr["peripheries"] == "2"
    assert "critical" in critical.attr["class"].split()
    # Every asset sits in its own tool's box.
    for sub in _tool_boxes(g):
        system = sub.name.removeprefix("cluster_")
        assert all(labels.asset_of_node(n).startswith(system + ":") for n in sub.nodes())
    # The edge note of the catalog is on its edge.
    edge = g.get_edge(node_name("website:/products/"), node_name("marketo:segmentation/interest"))
    # ...as a numbered marker joined to it, and the number's note is listed under the picture.
    number = int(edge.attr["class"].split("note-")[1].split()[0])
    assert f"<B>{number}</B>" in edge.attr["label"] and edge.attr["decorate"] == "true"
    listed = re.search(rf"<B>{number}</B>.*?<FONT POINT-SIZE=\"11\">([^<]*)</FONT>", g.graph_attr["label"])
    assert listed is not None and listed.group(1) == "keyed on the folder name"
    # The legend names the distances shown.
    header = g.get_subgraph("cluster_picture").graph_attr["label"]
    assert "changed" in header and "1 tool away" in header and "2 tools away" in header


def test_owners_and_upstream(checked, write: Callable[..., Path]) -> None:
    catalog, graph, _ = checked
    change = load_change(_change(write, "cr2", "CR-2", "salesforce:field/division", "modify"))
    result = check_change(catalog, graph, change)
    plain = impact_picture([result], graph)
    assert "owner: Sales Ops" not in plain
    with_owners = impact_picture([result], graph, owners=True, upstream=2)
    assert "owner: Sales Ops" in with_owners
    g = _parse(with_owners)
    feeder = g.get_node(node_name("website:/products/"))
    assert "upstream" in feeder.attr["class"].split()
    assert feeder.attr["fillcolor"] == dot_module.UPSTREAM_FILL
    assert "website:/products/" not in {labels.asset_of_node(n) for n in _parse(plain).nodes()}


def test_svg_nodes_carry_ids_classes_and_titles(checked) -> None:
    _, graph, result = checked
    svg = render_picture(impact_picture([result], graph), "svg")
    nodes = _svg_nodes(svg)
    assert set(nodes) == {c.asset for c in result.changed} | {r.asset for r in result.impacted}
    products = nodes["website:/products/"]
    assert products.get("id") == "asset-website%3A%2Fproducts%2F"
    assert products.get("class").split()[:3] == ["node", "asset", "changed"]
    assert products.find(f"{SVG}title").text == "website:/products/"
    assert "critical" in nodes["salesforce:queue/emea"].get("class").split()
    # The changed asset's box is filled with the highlight colour.
    fills = {p.get("fill") for p in products.iter(f"{SVG}path")} | {p.get("fill") for p in products.iter(f"{SVG}polygon")}
    assert CHANGED_FILL in fills
    tools = {g.get("data-tool") for g in ElementTree.fromstring(svg).iter(f"{SVG}g") if g.get("data-tool")}
    assert tools == {"website", "marketo", "salesforce"}


TRICKY = [
    'quote " inside',
    "trailing backslash \\",
    "escapes \\N \\l \\G",
    "line one\nline two",
    "<b>bold</b> & <script>alert(1)</script>",
    "node",
    "edge",
    "graph",
    "製品 مرحبا Ελληνικά",
]


def _tricky_catalog(write: Callable[..., Path]) -> Path:
    # Asset keys cannot hold newlines; names, notes and team names can.
    import json

    lines = ["teams:", "  t:", f"    name: {json.dumps(TRICKY[3])}", "systems:", "  web:", f"    name: {json.dumps(TRICKY[4])}", "    owner: t", "    assets:"]
    lines.append('      "root": {type: page}')
    for text in TRICKY:
        if "\n" in text:
            continue
        key = json.dumps(text)
        lines.append(f"      {key}:")
        lines.append("        type: page")
        lines.append(f"        depends_on: [{{asset: web:root, note: {json.dumps(text + ' / ' + TRICKY[3])}}}]")
    write("tricky/catalog/all.yaml", "\n".join(lines) + "\n")
    return write("tricky/changes/cr.yaml", 'id: CR-T\ntitle: "a <title> & \\"more\\" \\\\"\nchanges: [{target: web:root, action: modify}]\n')


def test_tricky_names_render_literally_in_dot_and_svg(write: Callable[..., Path]) -> None:
    change_file = _tricky_catalog(write)
    catalog, graph = open_catalog(change_file.parent.parent / "catalog")
    result = check_change(catalog, graph, load_change(change_file))
    dot = impact_picture([result], graph, owners=True)
    g = _parse(dot)  # well-formed DOT, whatever the names
    assert {labels.asset_of_node(n) for n in g.nodes()} == set(catalog.assets)
    svg = render_picture(dot, "svg")
    root = ElementTree.fromstring(svg)  # well-formed XML
    assert not [e for e in root.iter() if e.tag.endswith("script")]
    assert not [a for e in root.iter() for a in e.attrib if a.lower().startswith("on")]
    texts = [t.text or "" for t in root.iter(f"{SVG}text")]
    joined = "\n".join(texts)
    for text in TRICKY:
        for line in text.split("\n"):
            assert any(line in t for t in texts), (line, joined)
    assert "a <title> & \"more\" \\" in joined
    assert set(_svg_nodes(svg)) == set(catalog.assets)


def test_label_text_escapes_graphviz_and_html() -> None:
    assert labels.label_text("a\\N") == "a\\\\N"
    assert labels.label_text("<&>") == "&lt;&amp;&gt;"
    assert labels.label_text("x\u202ey") == "x\\\\u202ey"  # shown as the text \u202e
    assert labels.label_text("one\ntwo") == 'one<BR ALIGN="LEFT"/>two'


def test_output_is_deterministic(checked) -> None:
    _, graph, result = checked
    dot = impact_picture([result], graph)
    assert dot == impact_picture([result], graph)
    for fmt in ("svg", "png", "pdf"):
        assert render_picture(dot, fmt) == render_picture(dot, fmt), fmt


def test_png_and_pdf_render(checked) -> None:
    _, graph, result = checked
    dot = impact_picture([result], graph)
    png = render_picture(dot, "png")
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert width > 400 and height > 100
    pdf = render_picture(dot, "pdf")
    assert pdf.startswith(b"%PDF-") and b"/CreationDate (D:20000101000000" in pdf


def test_engine_noise_does_not_reach_stderr(checked, capfd: pytest.CaptureFixture[str]) -> None:
    _, graph, result = checked
    render_picture(impact_picture([result], graph), "png")
    assert capfd.readouterr().err == ""


def _chain_catalog(write: Callable[..., Path], tools: int, per_tool: int, critical: str) -> Path:
    """``tools`` tools, each a chain of ``per_tool`` assets; tool i's first asset feeds from tool i-1's first."""
    lines = ["teams: {t: {name: T}}", "systems:"]
    for i in range(tools):
        lines += [f"  s{i}:", f"    name: Tool {i}", "    owner: t", "    assets:"]
        for j in range(per_tool):
            deps = [f"s{i}:a{j - 1}"] if j else ([f"s{i - 1}:a0"] if i else [])
            crit = "true" if f"s{i}:a{j}" == critical else "false"
            lines.append(f"      a{j}: {{type: x, critical: {crit}, depends_on: {deps}}}")
    write("chain/catalog/all.yaml", "\n".join(lines) + "\n")
    return write("chain/changes/cr.yaml", "id: CR-C\ntitle: chain\nchanges: [{target: s0:a0, action: modify}]\n")


def test_large_impact_is_folded_but_keeps_paths_to_critical(write: Callable[..., Path]) -> None:
    change_file = _chain_catalog(write, tools=4, per_tool=20, critical="s2:a15")
    catalog, graph = open_catalog(change_file.parent.parent / "catalog")
    result = check_change(catalog, graph, load_change(change_file))
    g = _parse(impact_picture([result], graph, max_nodes=20))
    shown = {labels.asset_of_node(n) for n in g.nodes() if n.startswith("asset-")}
    path = next(r.path for r in result.impacted if r.asset == "s2:a15")
    assert set(path) <= shown
    summaries = sorted(n for n in g.nodes() if n.startswith("more-"))
    assert summaries == ["more-s0", "more-s1", "more-s2", "more-s3"]
    folded = sum(int(g.get_node(n).attr["label"].split("+")[1].split(" ")[0]) for n in summaries)
    assert folded + len(shown) == len(catalog.assets)
    assert "Folded for readability" in g.get_subgraph("cluster_picture").graph_attr["label"]
    assert len(shown) <= 20 + len(path)


def test_too_large_refuses_at_once_with_a_hint(write: Callable[..., Path], monkeypatch: pytest.MonkeyPatch) -> None:
    change_file = _chain_catalog(write, tools=3, per_tool=10, critical="s2:a9")
    catalog, graph = open_catalog(change_file.parent.parent / "catalog")
    result = check_change(catalog, graph, load_change(change_file))
    monkeypatch.setattr(picture, "HARD_MAX_NODES", 5)
    with pytest.raises(ImpactError, match="--focus ASSET"):
        impact_picture([result], graph, max_nodes=5)


def test_catalog_focus_and_system(small_catalog: Path) -> None:
    catalog, graph = open_catalog(small_catalog)
    g = _parse(catalog_picture(catalog, graph, focus="marketo:field/division", depth=1))
    shown = {labels.asset_of_node(n) for n in g.nodes()}
    assert shown == {"marketo:field/division", "marketo:segmentation/interest", "salesforce:field/division"}
    assert "focus" in g.get_node(node_name("marketo:field/division")).attr["class"]
    g = _parse(catalog_picture(catalog, graph, systems=["website"]))
    assert sorted(s.name for s in _tool_boxes(g)) == ["cluster_marketo", "cluster_website"]
    context = g.get_node(node_name("marketo:segmentation/interest"))
    assert "context" in context.attr["class"]
    with pytest.raises(ImpactError, match="not a tool"):
        catalog_picture(catalog, graph, systems=["nope"])
    with pytest.raises(ImpactError, match="not an asset"):
        catalog_picture(catalog, graph, focus="nope:x")


def test_release_conflicts_are_distinct_edges(small_catalog: Path, write: Callable[..., Path]) -> None:
    catalog, graph = open_catalog(small_catalog)
    a = check_change(catalog, graph, load_change(_change(write, "a", "CR-A", "website:/products/")))
    b = check_change(catalog, graph, load_change(_change(write, "b", "CR-B", "marketo:field/division", "modify")))
    conflict = PictureConflict("CR-A", "CR-B", "reaches marketo:field/division", True)
    g = _parse(impact_picture([a, b], graph, conflicts=[conflict]))
    edge = g.get_edge("change-CR-A", "change-CR-B")
    assert edge.attr["class"] == "conflict" and edge.attr["dir"] == "forward"
    assert edge.attr["color"] == dot_module.CONFLICT_COLOUR
    assert g.get_edge("change-CR-B", node_name("marketo:field/division")).attr["class"] == "request"


def test_conflict_edges_from_analysis() -> None:
    from impact.analysis.conflicts import Conflict

    edges = picture.conflict_edges(
        [Conflict("same-asset", "A", "B", ("x:1",), ()), Conflict("downstream", "C", "A", ("x:1", "x:2", "x:3"), ())]
    )
    assert edges == [
        PictureConflict("A", "B", "both change x:1", False),
        PictureConflict("C", "A", "reaches x:1, x:2 and 1 more, which A changes", True),
    ]


def test_render_rejects_unknown_format() -> None:
    with pytest.raises(ImpactError, match="unknown picture format"):
        render_picture("digraph {}", "gif")
    assert textwrap.dedent(render_picture("digraph {}", "dot").decode()) == "digraph {}"


def test_a_layout_that_takes_too_long_is_given_up(checked, monkeypatch: pytest.MonkeyPatch) -> None:
    _, graph, result = checked
    monkeypatch.setattr(graphviz, "LAYOUT_TIMEOUT", 0.001)
    with pytest.raises(ImpactError, match="given up; lower --max-nodes"):
        render_picture(impact_picture([result], graph), "png")


def test_a_graphviz_error_is_reported_plainly() -> None:
    with pytest.raises(ImpactError, match="Graphviz could not draw the picture as svg"):
        render_picture("digraph { a -> }", "svg")
