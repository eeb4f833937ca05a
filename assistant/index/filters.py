"""Checking `kinds` and `sources` filters against what the catalog holds, before any search.

A filter that matches nothing would give a silent "the sources do not answer"; instead it
raises a FilterError that names the values the index knows, or, for a kind the assistant
knows but nothing indexed has (resolutions before the Final Acts are added), says how to add it.
"""

from __future__ import annotations

from collections.abc import Sequence

from assistant.errors import FilterError
from assistant.index.catalog import Catalog

# Kinds the assistant gives by itself (sidecars may add others, such as "speech").
BUILT_IN_KINDS = ("commentary", "resolution", "decision")
# Kinds that come from the conference's final acts, which are not shipped.
FINAL_ACTS_KINDS = frozenset({"resolution", "decision"})
FINAL_ACTS_HINT = (
    "the Final Acts are not shipped: download the Final Acts of the Plenipotentiary "
    "Conference (Busan, 2014) from itu.int and add the PDF (`assistant add FILE`, or an "
    "upload in the web chat); see the README section “The conference's final acts”"
)
SHOWN = 12  # known values listed in a message


def _listed(values: Sequence[str]) -> str:
    head = ", ".join(repr(v) for v in values[:SHOWN])
    more = len(values) - SHOWN
    return head + (f" and {more} more (see `assistant sources`)" if more > 0 else "")


def check_filters(
    catalog: Catalog, kinds: Sequence[str] | None, sources: Sequence[str] | None
) -> None:
    """Raise FilterError if `kinds` or `sources` name nothing indexed."""
    if kinds:
        indexed = catalog.kinds()
        if not indexed:
            raise FilterError(
                "nothing is indexed yet, so no kind can be searched; add sources and run "
                "`assistant index`"
            )
        unknown = [k for k in kinds if k not in indexed and k not in BUILT_IN_KINDS]
        if unknown:
            raise FilterError(
                f"no source has the kind {_listed(unknown)}; the indexed kinds are "
                f"{_listed(sorted(indexed))}"
            )
        if not any(k in indexed for k in kinds):
            wanted = " or ".join(repr(k) for k in kinds)
            hint = (
                FINAL_ACTS_HINT
                if set(kinds) <= FINAL_ACTS_KINDS
                else f"the indexed kinds are {_listed(sorted(indexed))}"
            )
            raise FilterError(f"nothing of kind {wanted} is indexed; {hint}")
    if sources:
        ids = sorted(catalog.digests())
        acts = catalog.act_ids()
        unknown = [s for s in sources if s not in ids and s not in acts]
        inside = [s for s in unknown if s.partition("#")[0] in ids]
        if inside:
            file = inside[0].partition("#")[0]
            here = [a for a in acts if a.startswith(f"{file}#")]
            listed = f"its acts are {_listed(here)}" if here else "it holds no resolutions"
            raise FilterError(f"{file} has no act {_listed(inside)}; {listed}")
        if unknown:
            known = f"the indexed sources are {_listed(ids)}" if ids else "nothing is indexed"
            raise FilterError(f"no indexed source is called {_listed(unknown)}; {known}")


def filter_notice(kinds: Sequence[str] | None, sources: Sequence[str] | None) -> str:
    """What a filtered search was limited to, for an answer that declines ("" without filters)."""
    limits = []
    if kinds:
        limits.append(f"kinds {', '.join(kinds)}")
    if sources:
        limits.append(f"sources {_listed(list(sources))}")
    if not limits:
        return ""
    return f"Only {' and '.join(limits)} were searched; without the filter, others may answer."
