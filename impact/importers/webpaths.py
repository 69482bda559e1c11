"""A URL pattern a marketing tool holds (``www.example.com/products/*``) to the website folder it names.

Marketo's ``Visited Web Page`` and HubSpot's ``PAGE_VIEW`` filters hold what
a person typed: a full address, a host and a path, a path, with ``*``
wildcards and query strings. The folder is the path without the host, the
query, the wildcard and the page's own segment; the catalog's deepest folder
asset on that path is what the filter depends on.
"""

from __future__ import annotations

from urllib.parse import urlsplit


def folder_path(pattern: str) -> str | None:
    """The folder path a URL pattern names, ending in ``/``; None for something that is no web address.

    >>> folder_path("www.example.com/products/analytics/*")
    '/products/analytics/'
    >>> folder_path("https://example.com/products/tour.html?utm_source=x")
    '/products/'
    >>> folder_path("/pricing"), folder_path("Program Test.Landing Page Test 01")
    ('/', None)
    """
    text = pattern.strip()
    if "://" in text:
        text = urlsplit(text).path or "/"
    elif not text.startswith("/"):
        host, sep, rest = text.partition("/")
        if not sep or "." not in host or " " in host:
            return None  # a Marketo landing page (Program.Page) or a word: not an address
        text = "/" + rest
    text = text.split("?", 1)[0].split("#", 1)[0].split("*", 1)[0]
    return text[: text.rfind("/") + 1] or "/"


def deepest_folder(pattern: str, folders: dict[str, str | None] | set[str]) -> str | None:
    """The deepest folder of ``folders`` (a website system's asset keys) on the path ``pattern`` names.

    >>> deepest_folder("example.com/products/analytics/*", {"/products/": None, "/products/analytics/": None})
    '/products/analytics/'
    >>> deepest_folder("example.com/products/other/page", {"/products/": None})
    '/products/'
    >>> deepest_folder("/blog/", {"/products/": None}) is None
    True
    """
    path = folder_path(pattern)
    if path is None:
        return None
    while path != "/":
        if path in folders:
            return path
        path = path[: path.rstrip("/").rfind("/") + 1]
    return "/" if "/" in folders else None
