"""A fake arXiv API (http://export.arxiv.org/api/query): Atom feeds as the API user manual documents them,
paged by `start` and `max_results`, with `opensearch:totalResults`."""
from __future__ import annotations

from urllib.parse import urlencode
from xml.sax.saxutils import escape, quoteattr

from .papers import FakePaper
from .server import Canned, Seen

ATOM_TYPE = "application/atom+xml; charset=utf-8"


def entry_xml(p: FakePaper) -> str:
    authors = "".join(f"\n    <author>\n      <name>{escape(a)}</name>\n    </author>" for a in p.authors)
    comment = (f'\n    <arxiv:comment xmlns:arxiv="http://arxiv.org/schemas/atom">12 pages; code at '
               f"{escape(p.repository)}</arxiv:comment>" if p.repository else "")
    return f"""  <entry>
    <id>http://arxiv.org/abs/{p.arxiv_id}v1</id>
    <updated>{p.published}</updated>
    <published>{p.published}</published>
    <title>{escape(p.title)}</title>
    <summary>  {escape(p.abstract)}
</summary>{authors}{comment}
    <link href="http://arxiv.org/abs/{p.arxiv_id}v1" rel="alternate" type="text/html"/>
    <link title="pdf" href="http://arxiv.org/pdf/{p.arxiv_id}v1" rel="related" type="application/pdf"/>
    <arxiv:primary_category xmlns:arxiv="http://arxiv.org/schemas/atom" term="cs.LG"
      scheme="http://arxiv.org/schemas/atom"/>
    <category term="cs.LG" scheme="http://arxiv.org/schemas/atom"/>
  </entry>
"""


def feed_xml(entries: list[str], total: int, start: int, query: str = "all:test") -> str:
    self_url = "http://arxiv.org/api/query?" + urlencode({"search_query": query, "start": start,
                                                          "max_results": len(entries)})
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <link href={quoteattr(self_url)} rel="self" type="application/atom+xml"/>
  <title type="html">ArXiv Query: {escape(query)}</title>
  <id>http://arxiv.org/api/cHxbiOdZaP56ODnBPIenZhzg5f8</id>
  <updated>2025-08-20T00:00:00-04:00</updated>
  <opensearch:totalResults xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">{total}</opensearch:totalResults>
  <opensearch:startIndex xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">{start}</opensearch:startIndex>
  <opensearch:itemsPerPage xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">{len(entries)}\
</opensearch:itemsPerPage>
{''.join(entries)}</feed>
"""


def error_feed(message: str) -> str:
    """What arXiv answers (with HTTP 400) to a query it cannot run."""
    entry = f"""  <entry>
    <id>http://arxiv.org/api/errors#{message.replace(' ', '_')}</id>
    <title>Error</title>
    <summary>{escape(message)}</summary>
    <updated>2025-08-20T00:00:00-04:00</updated>
    <link href="http://arxiv.org/api/errors#{message.replace(' ', '_')}" rel="alternate" type="text/html"/>
    <author>
      <name>arXiv api core</name>
    </author>
  </entry>
"""
    return feed_xml([entry], 1, 0)


class ArxivApp:
    """Serves `papers` page by page; `empty_from`: pages starting at or after it come back empty (an arXiv quirk)."""

    def __init__(self, papers: list[FakePaper], empty_from: int | None = None):
        self.papers = papers
        self.empty_from = empty_from

    def __call__(self, req: Seen) -> Canned:
        start = int(req.arg("start", "0"))
        count = int(req.arg("max_results", "10"))
        page = self.papers[start:start + count]
        if self.empty_from is not None and start >= self.empty_from:
            page = []
        body = feed_xml([entry_xml(p) for p in page], len(self.papers), start, req.arg("search_query", ""))
        return Canned(200, body, ATOM_TYPE)
