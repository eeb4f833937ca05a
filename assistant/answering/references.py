"""References as a reader uses them: the page a quote stands on, and who published the source.

The answerers cite chunks; this adds what the catalog knows of each cited source: the PDF page
where the quote starts (and its printed label), shown at the end of the locator ("Resolution
102 (Rev. Busan, 2014) › resolves 2, p. 123"), and the sidecar's author, date, URL and
publisher, which the exports (`assistant.exports`) print.
"""

from __future__ import annotations

from dataclasses import replace

from assistant.index.catalog import Catalog
from assistant.index.pages import PageMap
from assistant.schema import Answer, Citation, Passage, page_suffix


def described(answer: Answer, catalog: Catalog) -> Answer:
    """`answer` with pages and the sources' metadata on its citations and passages."""
    if not answer.citations and not answer.passages:
        return answer
    sources = {c.source for c in answer.citations} | {p.source for p in answer.passages}
    maps = {s: catalog.pages(s) for s in sources}
    meta = {s: (row.meta if (row := catalog.row(s)) else {}) for s in sources}
    citations = [_cite(c, maps[c.source], meta[c.source]) for c in answer.citations]
    passages = [paged(p, maps[p.source]) for p in answer.passages]
    return replace(answer, citations=citations, passages=passages)


def paged(passage: Passage, pages: PageMap | None) -> Passage:
    """`passage` with the page it starts on (unchanged without a page map)."""
    if pages is None or passage.page is not None:
        return passage
    return replace(
        passage, page=pages.page_at(passage.start), page_label=pages.label_at(passage.start)
    )


def _cite(citation: Citation, pages: PageMap | None, meta: dict[str, str]) -> Citation:
    fields: dict[str, str | int | None] = {
        name: meta.get(name) or None for name in ("author", "date", "url", "publisher")
    }
    if pages is not None and citation.page is None:
        page, label = pages.page_at(citation.start), pages.label_at(citation.start)
        fields |= {
            "page": page,
            "page_label": label,
            "locator": citation.locator + page_suffix(page, label),
        }
    return replace(citation, **fields)  # type: ignore[arg-type]
