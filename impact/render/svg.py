"""SVG from Graphviz made safe and useful: nothing that runs or loads, nodes tagged with their asset ids.

:func:`make_inert` is the one sanitiser: every SVG impact writes or inlines
goes through it. :func:`tidy_svg` is what ``impact graph`` writes;
:func:`sanitize_svg` is what an HTML report inlines.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import unquote
from xml.etree import ElementTree

from impact.render.labels import asset_of_node
from impact.render.plaintext import char_refs, visible

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
_EVENT_ATTR = re.compile(r"^on", re.IGNORECASE)
_DROP_TAGS = {
    "script",
    "foreignObject",
    "iframe",
    "object",
    "embed",
    "use",
    "image",
    "style",
    "animate",
    "set",
    "handler",
}


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _parse(svg: str | bytes) -> ElementTree.Element:
    ElementTree.register_namespace("", SVG_NS)
    ElementTree.register_namespace("xlink", XLINK_NS)
    return ElementTree.fromstring(svg)


def make_inert(root: ElementTree.Element) -> None:
    """Drop, in place, everything in an SVG that could run code or load something.

    Elements (``script``, ``foreignObject``, ``image``, ``use``, ``style``...),
    every ``on*`` attribute, every link attribute and any ``style`` with a
    ``url(``; links (``<a>``) are unwrapped: their children stay. Labels are
    escaped before layout, so no markup from a catalog can be in Graphviz's
    SVG; this is the second line of defence.

    Examples
    --------
    >>> root = _parse('<svg xmlns="http://www.w3.org/2000/svg"><a href="x"><g onclick="f()"><text>t</text></g></a>'
    ...               '<script>alert(1)</script></svg>')
    >>> make_inert(root)
    >>> ElementTree.tostring(root, encoding="unicode")
    '<svg xmlns="http://www.w3.org/2000/svg"><g><text>t</text></g></svg>'
    """

    def clean(element: ElementTree.Element) -> None:
        for child in list(element):
            if _local(child.tag) in _DROP_TAGS:
                element.remove(child)
                continue
            clean(child)
        for name in list(element.attrib):
            local = _local(name)
            if _EVENT_ATTR.match(local) or local == "href" or (local == "style" and "url(" in element.attrib[name]):
                del element.attrib[name]

    def unwrap(element: ElementTree.Element) -> None:
        index = 0
        while index < len(element):
            child = element[index]
            if _local(child.tag) == "a":
                element.remove(child)
                for offset, grandchild in enumerate(list(child)):
                    element.insert(index + offset, grandchild)
                continue
            unwrap(child)
            index += 1

    unwrap(root)
    clean(root)


def tidy_svg(data: bytes) -> bytes:
    """Graphviz's SVG as ``impact graph`` writes it: inert, ``data-asset``/``data-tool`` and readable titles added."""
    root = _parse(data)
    make_inert(root)
    for element in root.iter():
        tag = _local(element.tag)
        ident = element.get("id", "")
        title = element.find(f"{{{SVG_NS}}}title")
        if tag == "g" and ident.startswith("asset-"):
            element.set("data-asset", asset_of_node(ident))
            if title is not None:
                title.text = visible(asset_of_node(ident))
        elif tag == "g" and ident.startswith("tool-"):
            element.set("data-tool", unquote(ident.removeprefix("tool-")))
            if title is not None:
                title.text = visible(unquote(ident.removeprefix("tool-")))
        elif tag == "g" and "edge" in element.get("class", "").split() and title is not None and title.text:
            tail, _, head = title.text.partition("->")
            title.text = visible(f"{_readable(tail)} -> {_readable(head)}")
    text = char_refs(ElementTree.tostring(root, encoding="unicode"))
    return ('<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n' + text + "\n").encode("utf-8")


def _readable(name: str) -> str:
    if name.startswith("asset-"):
        return asset_of_node(name)
    return unquote(name.split("-", 1)[-1]) if name.startswith(("more-", "change-")) else name


def sanitize_svg(svg: str | bytes, assets: Sequence[str], untested: Sequence[str] = ()) -> str:
    """Graphviz SVG, ready to sit inside the page: no script, no links, nodes tagged.

    Parses the SVG with the standard XML library and drops every element that
    could run code or load something (``script``, ``foreignObject``,
    ``image``, ``use``, ``style``...), every ``on*`` attribute and every link
    attribute. Each node (``<g class="node">``) whose ``<title>`` is an asset
    id of ``assets`` gets ``data-asset``, and each edge between two such nodes
    ``data-from``/``data-to``, which the page's script uses; nodes of
    ``untested`` assets get the class ``untested``. The fixed
    ``width``/``height`` go so that CSS can size the picture.

    Examples
    --------
    >>> svg = ('<svg xmlns="http://www.w3.org/2000/svg" width="10pt" height="10pt">'
    ...        '<g class="node"><title>web:a</title><script>alert(1)</script></g></svg>')
    >>> out = sanitize_svg(svg, ["web:a"])
    >>> "script" in out, 'data-asset="web:a"' in out
    (False, True)
    """
    root = _parse(svg)
    known = set(assets)
    no_test = set(untested)

    make_inert(root)
    for name in ("width", "height"):
        root.attrib.pop(name, None)
    root.set("role", "img")
    root.set("aria-label", "Dependency graph of the changed and impacted assets")
    for group in root.iter(f"{{{SVG_NS}}}g"):
        classes = (group.get("class") or "").split()
        title = group.find(f"{{{SVG_NS}}}title")
        text = (title.text or "") if title is not None else ""
        if "node" in classes:
            asset = group.get("data-asset") or (text if text in known else None)
            if asset in known:
                group.set("data-asset", asset)
                group.set("tabindex", "0")
                group.set("role", "button")
                if asset in no_test and "untested" not in classes:
                    group.set("class", " ".join([*classes, "untested"]))
        elif "edge" in classes:
            pair = _split_edge(text, known)
            if pair:
                group.set("data-from", pair[0])
                group.set("data-to", pair[1])
        if title is not None and title.text:
            title.text = visible(title.text)
    return char_refs(ElementTree.tostring(root, encoding="unicode"))


def _split_edge(title: str, known: set[str]) -> tuple[str, str] | None:
    """``'a:x -> b:y'`` → ``('a:x', 'b:y')``, trying each ``->`` since ids may hold one.

    >>> _split_edge("w:a->b -> m:c", {"w:a->b", "m:c"})
    ('w:a->b', 'm:c')
    """
    start = 0
    while (i := title.find("->", start)) >= 0:
        left, right = title[:i].strip(), title[i + 2 :].strip()
        if left in known and right in known:
            return left, right
        start = i + 1
    return None
