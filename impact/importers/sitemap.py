"""A website's sitemap (or sitemap index) → folder assets, each depending on its parent folder.

A folder is a path with pages below it; a page's own path (``/blog/my-post/``)
is a leaf, imported only with ``pages`` (type ``page``). A folder that holds
one page and no sub-folder is no asset of its own either (``/experiments/<id>/<slug>``
folds into ``/experiments/``), unless ``pages`` is given. An index's sitemaps
are read from files saved beside it, compressed (``.xml.gz``) or not, whatever
their name says, within impact's size limit (``IMPACT_MAX_FILE_MB``) and with
XML entities refused. :func:`site_keys` turns page URLs into asset keys; the
change snapshot (:mod:`impact.importers.changes.sitemap`) uses it too, so both
give the same ids.
"""

from __future__ import annotations

import gzip
import io
import re
from collections import Counter
from pathlib import Path
from urllib.parse import unquote, urlsplit

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from impact.core.errors import ImpactError, Problem, ProblemList, display_path
from impact.importers.merge import Imported, ImportedAsset
from impact.read.limits import Limits, read_limited

_MAX_SITEMAPS = 1000


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _xml(path: Path, name: str) -> object:
    return parse_sitemap(read_limited(path, Limits.from_env().max_file_bytes), name)


def parse_sitemap(raw: bytes, name: str) -> object:
    """The root element of a sitemap's bytes, gunzipped when they are gzip (bounded), entities refused."""
    limit = Limits.from_env().max_file_bytes
    if raw[:2] == b"\x1f\x8b":  # gzip, whatever its name (a downloader may keep or drop '.gz')
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(raw)) as handle:
                raw = handle.read(limit + 1)  # bounded: a small .gz can unpack to gigabytes
        except (OSError, EOFError) as exc:
            raise ImpactError(Problem(name, 0, 0, f"not a readable .gz file: {exc}")) from None
        if len(raw) > limit:
            raise ImpactError(Problem(name, 0, 0, f"unpacks to more than {limit // 2**20} MiB (IMPACT_MAX_FILE_MB)"))
    try:
        return SafeET.fromstring(raw, forbid_dtd=True)  # any DOCTYPE refused, external SYSTEM ids included
    except DefusedXmlException:
        raise ImpactError(
            Problem(
                name,
                0,
                0,
                "the file declares XML entities or a DTD, which impact refuses (they are used in attacks); a sitemap "
                "needs none",
            )
        ) from None
    except SafeET.ParseError as exc:
        line, col = getattr(exc, "position", (0, 0))
        raise ImpactError(
            Problem(name, line, col + 1, f"not well-formed XML: {exc.msg if hasattr(exc, 'msg') else exc}")
        ) from None


def _children_of(root: object, parent: str) -> list[str]:
    """``<loc>`` of each direct ``<url>`` (or ``<sitemap>``) entry; image and video locations are not pages."""
    out: list[str] = []
    for entry in root:  # type: ignore[attr-defined]
        if _local(entry.tag) != parent:
            continue
        for child in entry:
            if _local(child.tag) == "loc" and child.text and child.text.strip():
                out.append(child.text.strip())
    return out


def _local_copy(index: Path, loc: str, seen: set[Path]) -> Path | None:
    """The saved copy of a sitemap an index lists: by its URL path below the index's folder, else by file name."""
    url_path = unquote(urlsplit(loc).path).lstrip("/")
    parts = [p for p in url_path.split("/") if p and p not in (".", "..")]
    candidates = [index.parent.joinpath(*parts[i:]) for i in range(len(parts))]
    # Saved compressed or not: sitemap-1.xml listed, sitemap-1.xml.gz beside the index (or the reverse).
    candidates += [c.with_name(c.name[:-3] if c.name.endswith(".gz") else c.name + ".gz") for c in list(candidates)]
    folder = index.parent.resolve()
    for candidate in candidates:
        # A link out of the index's folder is not followed: an export must not read other files.
        if candidate.is_file() and candidate.resolve() not in seen and candidate.resolve().is_relative_to(folder):
            return candidate
    return None


def _sitemap_urls(path: Path, problems: ProblemList, seen: set[Path]) -> list[str]:
    """Page URLs of a sitemap, following a sitemap index to files saved next to it."""
    name = display_path(path)
    if not path.is_file():
        raise ImpactError(Problem(name, 0, 0, "no such file"))
    seen.add(path.resolve())
    root = _xml(path, name)
    kind = _local(root.tag)  # type: ignore[attr-defined]
    if kind == "urlset":
        return _children_of(root, "url")
    if kind != "sitemapindex":
        raise ImpactError(
            Problem(name, 1, 1, f"the root element is <{kind}>; a sitemap has <urlset> or <sitemapindex>")
        )
    urls: list[str] = []
    for loc in _children_of(root, "sitemap"):
        # impact reads no network: each listed sitemap must be saved beside the index.
        local = _local_copy(path, loc, seen)
        if local is None:
            wanted = unquote(urlsplit(loc).path).lstrip("/") or "a file"
            problems.error(
                name,
                0,
                0,
                f"the index lists {loc}; download it into {display_path(path.parent)}/ (as {wanted}) and run again",
            )
            continue
        if len(seen) >= _MAX_SITEMAPS:
            continue
        urls.extend(_sitemap_urls(local, problems, seen))
    return urls


def folders_of(url: str, max_depth: int) -> list[str]:
    """The folders a page URL lies in, outermost first, at most ``max_depth`` deep.

    Examples
    --------
    >>> folders_of("https://www.example.com/products/analytics/tour.html", 3)
    ['/products/', '/products/analytics/']
    >>> folders_of("https://www.example.com/products/analytics/", 1)
    ['/products/']
    >>> folders_of("https://www.example.com/", 3)
    []
    """
    path = unquote(urlsplit(url).path)
    parts = [p for p in path.split("/") if p]
    depth = len(parts) if path.endswith("/") else len(parts) - 1
    return ["/" + "/".join(parts[:i]) + "/" for i in range(1, min(depth, max_depth) + 1)]


_BAD_CHARS = re.compile(r"[\x00-\x1f\x7f]")


def _page_key(url: str, keep_host: bool) -> tuple[str, str, list[str]]:
    split = urlsplit(url)
    host = (split.hostname or "") if keep_host else ""
    url_path = unquote(split.path)
    return host, url_path, [p for p in url_path.split("/") if p]


def site_keys(urls: list[str], max_depth: int = 3, pages: bool = False, keep_host: bool = False) -> dict[str, str]:
    """Asset key → type (``folder`` or ``page``) of the pages ``urls`` (see the module docstring).

    >>> pages = ["experiments/1/a", "experiments/2/b", "blog/a", "blog/b"]
    >>> sorted(site_keys([f"https://x.org/{p}" for p in pages]))
    ['/blog/', '/experiments/']
    >>> sorted(site_keys(["https://x.org/experiments/1/a", "https://x.org/experiments/2/b"], pages=True))
    ['/experiments/', '/experiments/1/', '/experiments/1/a', '/experiments/2/', '/experiments/2/b']
    """
    kinds: dict[str, str] = {}
    # folder → pages it holds itself: its own index page, or pages whose deepest folder it is
    held: Counter[str] = Counter()
    indexes: list[str] = []  # pages whose address ends with '/': a folder's own page if it is one, else its parent's
    for url in urls:
        host, url_path, parts = _page_key(url, keep_host)
        folders = [f for f in folders_of(url, max_depth) if not _BAD_CHARS.search(f) and f == f.strip()]
        if folders and len(folders[-1].strip("/").split("/")) == len(parts):
            indexes.append(host + folders.pop())  # the page itself, with a trailing slash: a leaf, not a folder
        elif folders:
            held[host + folders[-1]] += 1
        for folder in folders:
            kinds[host + folder] = "folder"
        if pages and parts and len(parts) <= max_depth:
            page = "/" + "/".join(parts) + ("/" if url_path.endswith("/") else "")
            if not _BAD_CHARS.search(page) and page == page.strip():
                kinds.setdefault(host + page, "page")
    for index in indexes:
        held[index if kinds.get(index) == "folder" else _parent(index)] += 1
    if not pages:
        parents = {_parent(key) for key in kinds}
        for key in [k for k in kinds if held[k] == 1 and k not in parents]:
            del kinds[key]  # one page and no sub-folder: the page's own folder, no asset of its own
    return kinds


def _parent(key: str) -> str:
    host, _, rest = key.partition("/")
    return host + ("/" + rest).rstrip("/").rsplit("/", 1)[0] + "/"


def read_sitemap(
    path: Path,
    system: str = "website",
    owner: str | None = None,
    max_depth: int = 3,
    pages: bool = False,
    keep_host: bool = False,
) -> Imported:
    """Website folders from a sitemap (or an index), each depending on its parent folder (see the module docstring)."""
    problems = ProblemList()
    urls = _sitemap_urls(path, problems, set())
    problems.raise_if_errors()
    name = display_path(path)
    imported = Imported(name, "sitemap")
    target = imported.system(system)
    target.name, target.kind, target.owner = "Website", "cms", owner
    kinds = site_keys(urls, max_depth, pages, keep_host)
    for key in sorted(kinds):
        parent = _parent(key)
        deps = [f"{system}:{parent}"] if parent in kinds and parent != key else []
        target.assets[key] = ImportedAsset(kinds[key], None, None, deps)
    if not target.assets:
        raise ImpactError(
            Problem(
                name,
                0,
                0,
                f"no folders found in {len(urls)} URL(s); a sitemap of top-level pages only has no folders to import "
                "(add --pages to import the pages)",
            )
        )
    return imported
