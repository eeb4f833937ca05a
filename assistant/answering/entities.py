"""Named things in a sentence: countries and regions, and the names of people.

Answer verification asks of a candidate sentence "does it name a country?" for "which
countries ...?" and "does it name a person?" for "who chairs ...?". There is no NER model on
this machine, so these are word lists and the shape of names: ISO 3166 country names
(`pycountry`, with their short and common forms) and their adjectives ("Indian", "Korean"), the
regional groups of intergovernmental work ("the Arab States", "APT"), and for people a run of
capitalised words none of which belongs to an organisation, a place or a document title.
"""

from __future__ import annotations

import re
from functools import cache

import pycountry

from assistant.index.text import STOPWORDS

# Short forms that ISO names do not spell out ("Korea, Republic of" is "South Korea").
_SHORT_FORMS = (
    "US",
    "U.S.",
    "USA",
    "U.S.A.",
    "America",
    "United States",
    "UK",
    "U.K.",
    "Britain",
    "Great Britain",
    "Korea",
    "South Korea",
    "North Korea",
    "Russia",
    "Iran",
    "Syria",
    "Venezuela",
    "Bolivia",
    "Tanzania",
    "Vietnam",
    "Laos",
    "Moldova",
    "Taiwan",
    "Palestine",
    "Czech Republic",
    "Ivory Coast",
    "Holland",
    "Europe",
    "Africa",
    "Asia",
)
# Groups of states that speak together in ITU work, and the regional telecommunity bodies.
_REGIONS = re.compile(
    r"\b(arab states|african (states|countries|group)|(european|asian|latin american|"
    r"american|african|arab|nordic|western|eastern|gulf|caribbean|pacific|island|"
    r"developing|developed|least developed|small island developing|industriali[sz]ed) "
    r"(states|countries|nations|governments|members|group|administrations)|"
    r"asia[- ]pacific|latin america|middle east|global south|european union)\b",
    re.IGNORECASE,
)
_REGIONAL_BODIES = re.compile(r"\b(APT|CITEL|CEPT|RCC|ATU|ASMG|EU|G-?77|BRICS)\b")
# Adjectives that do not end like their country's name ("France" and "French").
_ADJECTIVES = (
    "American",
    "British",
    "Chinese",
    "Dutch",
    "French",
    "Swiss",
    "Swedish",
    "Danish",
    "Finnish",
    "Norwegian",
    "Polish",
    "Turkish",
    "Spanish",
    "Portuguese",
    "Japanese",
    "Vietnamese",
    "Lebanese",
    "Sudanese",
    "Senegalese",
    "Thai",
    "Filipino",
    "Irish",
    "Greek",
    "Saudi",
    "Emirati",
    "Iraqi",
    "Pakistani",
    "Bangladeshi",
    "Israeli",
    "Kuwaiti",
    "Qatari",
    "Omani",
    "Yemeni",
    "Afghan",
    "Welsh",
    "Scottish",
    "English",
)
# Words found in names of bodies, places, events and documents, never in a person's name.
_NOT_PERSON = frozenset(
    [
        "act",
        "action",
        "agenda",
        "alliance",
        "assembly",
        "association",
        "authority",
        "board",
        "bureau",
        "centre",
        "center",
        "coalition",
        "commission",
        "committee",
        "communications",
        "conference",
        "congress",
        "corporation",
        "council",
        "court",
        "declaration",
        "decision",
        "department",
        "digital",
        "engineering",
        "europe",
        "european",
        "federation",
        "force",
        "forum",
        "foundation",
        "general",
        "global",
        "government",
        "group",
        "human",
        "information",
        "initiative",
        "institute",
        "international",
        "internet",
        "isoc",
        "line",
        "ministry",
        "nations",
        "network",
        "office",
        "organization",
        "organisation",
        "parliament",
        "party",
        "plan",
        "platform",
        "plenary",
        "plenipot",
        "plenipotentiary",
        "policy",
        "programme",
        "program",
        "protocol",
        "public",
        "regulations",
        "report",
        "republic",
        "resolution",
        "review",
        "rights",
        "sector",
        "secretariat",
        "security",
        "society",
        "standardization",
        "standards",
        "states",
        "study",
        "summit",
        "system",
        "task",
        "telecommunication",
        "telecommunications",
        "telecommunity",
        "the",
        "things",
        "treaty",
        "union",
        "united",
        "university",
        "working",
        "world",
    ]
)
# A title before a name: "Mr. Zhao", "Ambassador Sepúlveda", "Secretary-General Touré".
_TITLED = re.compile(
    r"\b(Mr|Mrs|Ms|Dr|Prof|Amb|Ambassador|President|Minister|Secretary-General|Director|"
    r"Chair(man|woman|person)?|Senator|Commissioner|Deputy)\.?\s+[A-Z][\w\-’']+"
)
_CAPITALISED_RUN = re.compile(r"\b[A-Z][a-z][\w\-’']*(?:\s+[A-Z][a-z][\w\-’']*){1,3}\b")


@cache
def _country_names() -> tuple[frozenset[str], re.Pattern[str]]:
    """Lower-cased country names and a pattern that finds any of them (or their adjectives)."""
    names: set[str] = set(_SHORT_FORMS) | set(_ADJECTIVES)
    for country in pycountry.countries:
        for attribute in ("name", "common_name", "official_name"):
            value = getattr(country, attribute, None)
            if value and "," not in value:
                names.add(value)
    # "India" also as "Indian", "Korea" as "Korean", "Brazil" as "Brazilian".
    forms = sorted(
        (
            re.escape(n) + (r"(n|ns|an|ans|ian|ians|i|is)?" if n[-1].isalpha() else "")
            for n in names
        ),
        key=len,
        reverse=True,
    )
    pattern = re.compile(r"(?<![\w.])(" + "|".join(forms) + r")(?![\w])")
    return frozenset(n.lower() for n in names), pattern


def countries_named(sentence: str) -> list[str]:
    """The countries, their adjectives and the regional groups `sentence` names, in order."""
    _, pattern = _country_names()
    found = [(m.start(), m.group(0)) for m in pattern.finditer(sentence)]
    for regions in (_REGIONS, _REGIONAL_BODIES):
        found += [(m.start(), m.group(0)) for m in regions.finditer(sentence)]
    return [text for _, text in sorted(found)]


_MONTHS_AND_DAYS = frozenset(
    [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ]
)


def unknown_names(sentence: str) -> list[str]:
    """Capitalised words standing alone inside `sentence` that name no organisation, event,
    document or month ("Freedonia", "Tunis"): names of places that no word list knows. A run of
    capitalised words ("the Access Halftime Update") is a title or a body's name, not a place."""
    found = []
    for m in re.finditer(r"(?<=\s)[A-Z][\w\-’']*(?:\s+[A-Z][\w\-’']*)*", sentence):
        if " " in m.group(0) or not m.group(0)[1:2].islower():
            continue
        if m.group(0).lower() in STOPWORDS or _opens_sentence(sentence, m.start()):
            continue  # "... freely available. This is a good start." names no place
        word = re.sub(r"['’]s$", "", m.group(0)).lower()
        if word not in _NOT_PERSON and word not in _MONTHS_AND_DAYS:
            found.append(m.group(0))
    return found


def _opens_sentence(text: str, at: int) -> bool:
    """True when the word at `at` follows a sentence's end ("available. This")."""
    return re.search(r"[.!?…][”\"’')\]]*\s+$", text[max(0, at - 4) : at]) is not None


def is_institution_word(word: str) -> bool:
    """True when `word` belongs to names of bodies, events or documents ("Plenipot", "Forum",
    "Resolution") or is a month or a weekday: such a name is no place."""
    lowered = re.sub(r"['’]s$", "", word).lower()
    return lowered in _NOT_PERSON or lowered in _MONTHS_AND_DAYS


def is_place_word(word: str) -> bool:
    """True when `word` is a country's name or a common short form of one."""
    names, _ = _country_names()
    return word.lower() in names


def people_named(sentence: str) -> list[str]:
    """The names of people in `sentence`: a titled name, or a run of 2-4 capitalised words
    that is not a country and holds no word of an organisation's, an event's or a title's name.
    A run that opens the sentence with a function word counts from its second word ("In Busan
    Avri Doria ..." gives "Avri Doria")."""
    found = [m.group(0) for m in _TITLED.finditer(sentence)]
    for m in _CAPITALISED_RUN.finditer(sentence):
        words = m.group(0).split()
        if m.start() == 0 and words[0].lower() in STOPWORDS:
            words = words[1:]
        if len(words) < 2:
            continue
        lowered = [re.sub(r"['’]s$", "", w).lower() for w in words]
        if any(w in _NOT_PERSON for w in lowered) or any(is_place_word(w) for w in lowered):
            continue
        if countries_named(" ".join(words)):
            continue
        found.append(" ".join(words))
    return found
