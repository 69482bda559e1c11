"""A website's sitemap snapshot: the folders (and, with ``pages``, the pages) ``impact import sitemap`` makes assets of.

Ids are exactly the importer's (:func:`impact.importers.sitemap.site_keys`,
with the same ``max_depth``, ``pages`` and ``keep_host`` options as the
catalog's ``sources:`` entry). A folder's body is the set of its pages'
addresses below it, without the folder's own path: a folder that disappears
while a new one at the same depth takes over its pages' names
(``/products/x`` → ``/solutions/x``) has the same body, so it is a
``rename``; otherwise it is a ``delete``. Its sub-folders move with it, and
are renames too. A page added to or removed from a folder is no change to
the folder.

Every sitemap (``.xml`` or ``.xml.gz``, gzip found from the bytes) in the
tree is read, whatever ``only`` says: which folders exist depends on all the
pages; with the ``index`` option (the index's path in the tree), that index
and the sitemaps it lists, found as ``impact import sitemap`` finds them. An
index alone, without its sitemaps beside it, is refused.

Examples
--------
>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> urls = "".join(f"<url><loc>https://x.org/products/{p}</loc></url>" for p in ("a", "b"))
>>> ns = "http://www.sitemaps.org/schemas/sitemap/0.9"
>>> _ = (folder / "sitemap.xml").write_text(f'<urlset xmlns="{ns}">{urls}</urlset>')
>>> state = snapshot(FolderTree(folder), "website")["website:/products/"]
>>> state.body, state.kind
('a\\nb', 'folder 1')
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from urllib.parse import unquote, urlsplit

from impact.core.errors import ImpactError, Problem
from impact.importers.changes.model import AssetState, FolderTree, Snapshot, Tree
from impact.importers.sitemap import _children_of, _local, parse_sitemap, site_keys

__all__ = ["FolderTree", "snapshot"]


def _listed(tree: Tree, index: str) -> list[str]:
    """The index and the sitemaps it lists that the tree holds (by URL path, else file name; '.gz' or not)."""
    files = set(tree.files())
    root = parse_sitemap(tree.read(index), index)
    if _local(root.tag) != "sitemapindex":  # type: ignore[attr-defined]
        return [index]
    found = [index]
    folder = posixpath.dirname(index)
    for loc in _children_of(root, "sitemap"):
        parts = [p for p in unquote(urlsplit(loc).path).split("/") if p and p not in (".", "..")]
        names = [posixpath.join(folder, *parts[i:]) for i in range(len(parts))]
        names += [n[:-3] if n.endswith(".gz") else n + ".gz" for n in list(names)]
        found += [n for n in names if n in files][:1]
    return found


def _urls(tree: Tree, index: str | None = None) -> list[str]:
    urls: list[str] = []
    indexes: list[str] = []
    files = [p for p in tree.files() if p.lower().endswith((".xml", ".xml.gz", ".gz"))] or tree.files()
    if index and index in tree.files():
        files = _listed(tree, index)
    for path in files:
        root = parse_sitemap(tree.read(path), path)
        kind = _local(root.tag)  # type: ignore[attr-defined]
        if kind == "urlset":
            urls.extend(_children_of(root, "url"))
        elif kind == "sitemapindex":
            indexes.append(path)
        else:
            raise ImpactError(
                Problem(path, 1, 1, f"the root element is <{kind}>; a sitemap has <urlset> or <sitemapindex>")
            )
    if indexes and not urls:
        raise ImpactError(
            Problem(indexes[0], 0, 0, "a sitemap index alone: give the folder that holds it and the sitemaps it lists")
        )
    return urls


def _option(options: Mapping[str, object], key: str, default: int) -> int:
    value = options.get(key)
    try:
        return int(str(value)) if value is not None else default
    except ValueError:
        return default


def _body(key: str, paths: list[str]) -> str:
    """The addresses below a folder, relative to it."""
    prefix = key[key.index("/") :] if "/" in key else key
    return "\n".join(sorted(p[len(prefix) :] for p in paths if p.startswith(prefix) and p != prefix))


def snapshot(
    tree: Tree, system: str = "website", only: set[str] | None = None, options: Mapping[str, object] | None = None
) -> Snapshot:
    """Every folder (and page, with the ``pages`` option) of the sitemaps in ``tree``."""
    settings = options or {}
    max_depth = _option(settings, "max_depth", 3)
    pages, keep_host = bool(settings.get("pages")), bool(settings.get("keep_host"))
    index = settings.get("index")
    urls = _urls(tree, index if isinstance(index, str) else None)
    kinds = site_keys(urls, max_depth, pages, keep_host)
    paths = sorted({unquote(urlsplit(u).path) for u in urls})
    out: Snapshot = {}
    for key, kind in sorted(kinds.items()):
        aid = f"{system}:{key}"
        depth = key[key.index("/") :].strip("/").count("/") + 1 if "/" in key else 0
        body = _body(key, paths) if kind == "folder" else key.rstrip("/").rsplit("/", 1)[-1]
        out[aid] = AssetState(aid, {}, body, f"{kind} {depth}")
    return out
