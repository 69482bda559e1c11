"""Write a sitemap index of N pages shaped like the real one of issue #23, for bench_import.py.

    python benchmarks/make_sitemap.py OUT_DIR [--pages 36000] [--per-file 5000]
    python benchmarks/bench_import.py sitemap OUT_DIR/sitemap_index.xml

The pages are /experiments/<id>/<slug> (one page per folder, which folds into
/experiments/), plus a few hundred /docs/<section>/<page> pages; the index's
sitemaps are .xml.gz files saved beside it, as a site serves them.
"""

from __future__ import annotations

import argparse
import gzip
from pathlib import Path

HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'
NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'


def urls(count: int) -> list[str]:
    docs = [f"https://www.example.org/docs/section-{i % 20}/page-{i}" for i in range(min(400, count // 10))]
    experiments = [
        f"https://www.example.org/experiments/{100000 + i}/result-{i}-of-a-run" for i in range(count - len(docs))
    ]
    return docs + experiments


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path)
    parser.add_argument("--pages", type=int, default=36000)
    parser.add_argument("--per-file", type=int, default=5000)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    pages = urls(args.pages)
    names = []
    for start in range(0, len(pages), args.per_file):
        name = f"sitemap-{start // args.per_file + 1}.xml.gz"
        body = "".join(
            f"<url><loc>{u}</loc><lastmod>2026-01-01</lastmod></url>\n" for u in pages[start : start + args.per_file]
        )
        (args.out / name).write_bytes(gzip.compress(f"{HEAD}<urlset {NS}>\n{body}</urlset>\n".encode(), mtime=0))
        names.append(name)
    index = "".join(f"<sitemap><loc>https://www.example.org/{n}</loc></sitemap>\n" for n in names)
    (args.out / "sitemap_index.xml").write_text(
        f"{HEAD}<sitemapindex {NS}>\n{index}</sitemapindex>\n", encoding="utf-8"
    )
    print(f"{len(pages)} pages in {len(names)} sitemaps: {args.out / 'sitemap_index.xml'}")


if __name__ == "__main__":
    main()
