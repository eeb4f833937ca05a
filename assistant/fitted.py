"""Values fitted from labelled questions by `scripts/fit_*.py`, read from `fitted.json`.

The file records each value with the files it was fitted on and the cross-validated scores, so
a reader can see where a threshold came from. The values its `hand_set` list names are still
the hand-set ones: `scripts/fit_ranker.py --write` fits them, and the fitted ones did worse on
the quality gates (BENCHMARKS.md), so they are not yet adopted.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

FITTED = Path(__file__).with_name("fitted.json")
_HINT = "run `python scripts/fit_ranker.py --write`, then `python scripts/fit_answerer.py --write`"


@cache
def _values() -> dict[str, float]:
    data = json.loads(FITTED.read_text(encoding="utf-8"))
    return {str(k): float(v) for k, v in data["values"].items()}


def fitted_value(name: str) -> float:
    """The fitted value `name`; a missing one is a packaging error, reported as such."""
    try:
        return _values()[name]
    except (OSError, KeyError, ValueError) as exc:
        raise RuntimeError(f"{FITTED} lacks {name!r}; {_HINT}") from exc


def fitted_model(name: str) -> tuple[dict[str, float], float]:
    """The weights by feature name and the intercept of the fitted linear model `name`."""
    try:
        model = json.loads(FITTED.read_text(encoding="utf-8"))[name]
        weights = {str(k): float(v) for k, v in model["weights"].items()}
        return weights, float(model["intercept"])
    except (OSError, KeyError, ValueError, TypeError, AttributeError) as exc:
        raise RuntimeError(f"{FITTED} lacks the model {name!r}; {_HINT}") from exc
