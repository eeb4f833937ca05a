"""Aggregate arithmetic over many questions: shares, percentiles, hit@k and MRR.

Every function returns None when it has nothing to aggregate, so an undefined metric is never
reported as 0.
"""

from __future__ import annotations

import math
from collections.abc import Sequence


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0-100), linearly interpolated as numpy does; None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    at = (len(ordered) - 1) * q / 100.0
    low, high = math.floor(at), math.ceil(at)
    return ordered[low] + (ordered[high] - ordered[low]) * (at - low)


def share(flags: Sequence[bool]) -> float | None:
    """The share of true flags; None when there are none."""
    return sum(flags) / len(flags) if flags else None


def hit_at(ranks: Sequence[int | None], k: int) -> float | None:
    """Share of questions whose evidence is in the first `k` passages."""
    return share([r is not None and r <= k for r in ranks])


def mean_reciprocal_rank(ranks: Sequence[int | None]) -> float | None:
    """Mean of 1/rank, a miss counting 0."""
    return sum(1.0 / r for r in ranks if r) / len(ranks) if ranks else None
