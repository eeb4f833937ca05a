"""Answers re-checked later: the fingerprint an answer records, and its verification against
the sources as indexed now (a quote must still stand word for word at its offsets)."""

from __future__ import annotations

from assistant.index.catalog import Catalog
from assistant.schema import Answer, Verification


def fingerprint(answer: Answer, catalog: Catalog) -> dict[str, str]:
    """Source id -> content digest of each source the answer cites, as indexed now."""
    digests = catalog.digests()
    cited = dict.fromkeys(c.source for c in answer.citations)
    return {source: digests[source] for source in cited if source in digests}


def verify(answer: Answer, catalog: Catalog) -> Verification:
    """Whether every quote of `answer` still stands at its offsets in the indexed sources.

    `stale` lists the markers whose quote does not (its source edited or removed); `changed`
    the cited sources whose digest differs from the answer's fingerprint, even where the
    quotes survived the edit.
    """
    texts: dict[str, str | None] = {}
    stale: list[int] = []
    for c in answer.citations:
        if c.source not in texts:
            texts[c.source] = catalog.text(c.source)
        text = texts[c.source]
        if text is None or text[c.start : c.end] != c.quote:
            stale.append(c.marker)
    digests = catalog.digests()
    changed = [s for s, digest in answer.fingerprint.items() if digests.get(s) != digest]
    return Verification(ok=not stale, stale=sorted(set(stale)), changed=changed)
