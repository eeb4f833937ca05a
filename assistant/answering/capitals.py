"""Capitals that stand for their countries: "New Delhi's draft" is India's draft.

Reporting on intergovernmental work names a government by its capital ("Seoul proposed",
"Washington objected"), while the sources may name only the country. A question's name that is
a capital is therefore met by the country's name too (`Constraint.also`), and searched as the
country when no source names the capital. The table is countryinfo's (a capital for each of
~250 countries and territories, MIT licence); a capital claimed by two countries ("Jerusalem",
"Kingston") stands for neither.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from functools import cache

from countryinfo import CountryInfo


def country_names(name: str) -> tuple[str, ...]:
    """The names of the country whose capital is `name`, or () when it is none.

    "New Delhi" gives ("India", "Republic of India", "Indian"); "Seoul" gives ("South Korea",
    "Republic of Korea", "South Korean"). Accents and a trailing "D.C." do not matter
    ("Brasilia", "Washington"). Codes ("IN", "KOR") are left out: they are words in running text.
    """
    return _capitals().get(_key(name), ())


def _key(name: str) -> str:
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    plain = plain.lower().removesuffix(" d.c.").removesuffix(" dc").strip()
    return " ".join(plain.split())


@cache
def _capitals() -> dict[str, tuple[str, ...]]:
    claimed: dict[str, list[tuple[str, ...]]] = {}
    for info in CountryInfo.all().values():
        capital, country = info.get("capital"), str(info.get("name") or "")
        if not isinstance(capital, str) or not capital or not country:
            continue
        if _key(capital) == _key(country):  # "Singapore", "Monaco": the name says it already
            continue
        claimed.setdefault(_key(capital), []).append(_names(info, country))
    return {capital: names[0] for capital, names in claimed.items() if len(names) == 1}


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
