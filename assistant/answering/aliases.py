"""Other names for a country: its capital ("New Delhi's draft") or a short form ("the US").

Reporting on intergovernmental work names a government by its capital ("Seoul proposed",
"Washington objected") or a short form ("the U.S. delegation"), while the sources may use
another of its names. A question's name that stands for a country is therefore met by the
country's other names too (`Constraint.also`), and searched as one of them when no source uses
the name asked. Capitals are countryinfo's (a capital for each of ~250 countries and
territories, MIT licence); a capital claimed by two countries ("Jerusalem", "Kingston") stands
for neither. Short forms are the few English ones below.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from functools import cache

from countryinfo import CountryInfo

# English short forms of country names, each group one country, its full name first.
_SHORT_FORMS = (
    ("United States", "US", "U.S.", "USA", "U.S.A.", "America", "American"),
    ("United Kingdom", "UK", "U.K.", "Britain", "Great Britain", "British"),
    ("United Arab Emirates", "UAE", "U.A.E.", "Emirati"),
    ("China", "PRC", "Chinese"),
    ("South Korea", "ROK", "Republic of Korea", "South Korean"),
    ("North Korea", "DPRK", "North Korean"),
    ("Democratic Republic of the Congo", "DRC", "Congolese"),
)


def country_names(name: str) -> tuple[str, ...]:
    """The other names of the country `name` stands for, or () when it stands for none.

    "New Delhi" gives ("India", "Republic of India", ..., "Indian"); "the US" part "US" gives
    ("United States", "U.S.", ...). Accents and a trailing "D.C." do not matter ("Brasilia",
    "Washington"). ISO codes ("IN", "KOR") are left out: they are words in running text.
    """
    return _aliases().get(_key(name), ())


def _key(name: str) -> str:
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    plain = plain.lower().removesuffix(" d.c.").removesuffix(" dc").strip()
    return " ".join(plain.split())


@cache
def _aliases() -> dict[str, tuple[str, ...]]:
    short = {_key(group[0]): group for group in _SHORT_FORMS}
    found: dict[str, tuple[str, ...]] = {}
    for group in _SHORT_FORMS:
        for name in group:
            found[_key(name)] = tuple(n for n in group if n != name)
    claimed: dict[str, list[tuple[str, ...]]] = {}
    for info in CountryInfo.all().values():
        capital, country = info.get("capital"), str(info.get("name") or "")
        if not isinstance(capital, str) or not capital or not country:
            continue
        if _key(capital) == _key(country):  # "Singapore", "Monaco": the name says it already
            continue
        names = _names(info, country) + short.get(_key(country), ())
        claimed.setdefault(_key(capital), []).append(tuple(dict.fromkeys(names)))
    for capital, groups in claimed.items():
        if len(groups) == 1:
            found.setdefault(capital, groups[0])
    return found


def _names(info: Mapping[str, object], country: str) -> tuple[str, ...]:
    spellings = info.get("altSpellings")
    others = [s for s in spellings if isinstance(s, str)] if isinstance(spellings, list) else []
    demonym = info.get("demonym")
    if isinstance(demonym, str):
        others.append(demonym)
    iso = info.get("ISO")
    codes = {str(c) for c in iso.values()} if isinstance(iso, dict) else set()
    names = [country]
    for other in others:
        # Native scripts and "Korea, Republic of" are not how English text names a country.
        if other.isascii() and "," not in other and other not in codes and len(other) > 3:
            names.append(other)
    return tuple(dict.fromkeys(names))
