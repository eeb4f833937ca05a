"""Answer verification: does a candidate sentence give what the question asks for?

Two checks that classic question-answering systems make before they answer:
- the answer type: "how many" needs a number in the sentence, "when" a date, "who" a person
  or a body, "where" a place;
- the constraints: every act number, year, number, name or quoted phrase that the question sets
  must stand in the sentence, its paragraph or clause, or the heading above it.
A constraint that no indexed source contains at all means there is no answer to find.

`supports` applies the same idea to a sentence someone else wrote (an LLM's): the passage it
cites must hold every number, year, act, name and quoted phrase of the sentence, and most of
its words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from assistant.answering.entities import (
    countries_named,
    is_institution_word,
    people_named,
    unknown_names,
)
from assistant.answering.question import Analysis, AnswerType, Constraint, constraints
from assistant.answering.roles import names_roles
from assistant.index.text import stem, terms

_NUMBER_WORDS = (
    r"one(?!\s+of)|single|once|twice|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|"
    r"twenty|thirty|forty|fifty|hundred|hundreds|thousand|thousands|million|"
    r"millions|billion|dozen|dozens|half|percent|per cent"
)
_AMOUNT = re.compile(
    # Not a number glued to a name: "WSIS+10", "WCIT-12", "G20" count nothing.
    rf"(?<![\w/+\-])(?!(?:19|20)\d\d\b)\d[\d,.]*%?|\b({_NUMBER_WORDS})\b",
    re.IGNORECASE,
)
# "How much of ..." asks for a share, which a quantifier gives ("most of their proposal").
_PROPORTION = re.compile(r"\bhow much of\b|\bwhat (part|share|proportion) of\b", re.IGNORECASE)
_DURATION = re.compile(r"[\s\-]*(years?|months?|weeks?|days?|hours?|minutes?|decades?)\b", re.I)
_ASKS_TIME = re.compile(
    r"\b(how long|length|years?|months?|weeks?|days?|hours?|minutes?|decades?|often|duration)\b",
    re.I,
)
_QUANTIFIER = re.compile(r"\b(most|some|part|all|none|little|half|parts|majority)\b", re.IGNORECASE)
_ACT_NUMBER = re.compile(
    r"\b(resolution|decision|res\.|article|no\.|com\d*)\s*[\w/]*\d", re.IGNORECASE
)
_ASKS_ACT = re.compile(
    r"\b(number|code|symbol|designation)\b.{0,40}\b(resolution|decision|act|document|text)s?\b|"
    r"\b(which|what) (resolution|decision)s?\b",
    re.IGNORECASE,
)
_DATE = re.compile(
    r"\b(1[89]\d\d|20\d\d|january|february|march|april|may|june|july|august|september|october|"
    r"november|december|spring|summer|autumn|fall|winter|next (year|conference|plenipot\w*|"
    r"meeting)|every \w+ years?|annual\w*|(four|two|\d+)[- ]years?|decade|century|"
    r"\d+(st|nd|rd|th)|weeks?|months?|days?|starting|until|since)\b",
    re.IGNORECASE,
)
_PLACE = re.compile(
    r"\b(in|at|from|to|near|on)\s+(the\s+)?(?!(January|February|March|April|May|June|July|"
    r"August|September|October|November|December)\b)[A-Z][\w\-]+|\b[A-Z][a-z]+,\s+[A-Z][a-z]+"
)
_PERCENT = re.compile(
    r"\d[\d,.]*\s*(%|per ?cent)|\b(half|a third|a quarter|two thirds|three quarters)\b",
    re.IGNORECASE,
)
# Words that name who takes part or decides ("member states", "civil society").
_PARTIES = re.compile(
    r"\b(member states|states|countries|country|governments?|administrations?|civil society|"
    r"stakeholders?|members|delegat\w+|compan\w+|industr\w+|users|people|public|anyone|"
    r"everyone|experts?|representatives?|observers|organi[sz]ations|participants|bodies|"
    r"secretary-general|directors?|council|assembly|group|sector|bureau|union|nations)\b",
    re.IGNORECASE,
)
# A proper name or an acronym inside a sentence (case matters: "ITU", "Access", not "the").
_PROPER = re.compile(r"(?<=[^\s.!?…]\s)[A-Z][a-z]+\b|\b[A-Z]{2,}\b")
_ENTITY = re.compile(r"\b[A-Z][\w\-]*[A-Za-z]\b|\b[A-Z]{2,}\b")


def asks_for_act(question: str) -> bool:
    """True when the question asks which act, or an act's number ("What is the number of the
    resolution on ...?", "Which resolution covers IoT?")."""
    return _ASKS_ACT.search(question) is not None


def gives_new(answer_type: AnswerType, sentence: str, analysis: Analysis) -> bool:
    """True when `sentence` names a value of the asked type that the question does not give.

    Stricter than `has_type`: for "who" and "which bodies" a proper name or a word for a party
    ("member states") that is not one of the question's own words (hyphenated names split:
    "CWG-Internet" gives "cwg" and "internet"); for the other value types as `has_type`; False
    for descriptions, reasons and yes/no, which ask for no value.
    """
    asked = _question_words(analysis.question, split_hyphens=True)

    def new(matches: Iterable[str]) -> bool:
        return any(
            part not in asked for m in matches for part in re.findall(r"[\w]+", m.lower())[-1:]
        )

    if answer_type in ("person", "organisation"):
        names = (m.group(0) for m in _ENTITY.finditer(sentence) if m.start() > 0)
        return new(names) or new(m.group(0) for m in _PARTIES.finditer(sentence))
    if answer_type in ("number", "date", "place"):
        return has_type(answer_type, sentence, analysis)
    return False


def has_type(answer_type: AnswerType, sentence: str, analysis: Analysis) -> bool:
    """True when `sentence` holds an answer of the type the question expects."""
    asked = _question_words(analysis.question)

    def new(matches: Iterable[str]) -> bool:
        # A value the question itself gave ("in Busan") does not answer it.
        return any(
            m.strip().lower().split()[-1:] and m.strip().lower().split()[-1] not in asked
            for m in matches
            if m.strip()
        )

    if analysis.role and not names_roles(sentence, analysis.role):
        # "Who chairs it?", "Which countries opposed it?", "When did it open?": the sentence
        # names the role, the deed or the event, besides who holds or did it, or when.
        return False
    if answer_type == "number":
        if asks_for_act(analysis.question):
            # "What is the number of the resolution on ...?": an act's number answers.
            return new(m.group(0) for m in _ACT_NUMBER.finditer(sentence))
        text = _ACT_NUMBER.sub(" ", sentence)
        if analysis.detail == "percent":
            return _PERCENT.search(text) is not None
        if _PROPORTION.search(analysis.question) and _QUANTIFIER.search(text):
            return True
        # "How many member states ...?" is not answered by "four years" or "once": a duration
        # or a frequency counts only when the question asks about time.
        counts = (
            m.group(0)
            for m in _AMOUNT.finditer(text)
            if _ASKS_TIME.search(analysis.question)
            or not (_DURATION.match(text, m.end()) or m.group(0).lower() in ("once", "twice"))
        )
        return new(counts)
    if answer_type == "date":
        return new(m.group(0) for m in _DATE.finditer(sentence))
    if answer_type == "place":
        # A country anywhere ("a proposal by South Korea"), or a name after "in", "at", "from"
        # ... that is no body, event or document ("in Busan", not "at the Plenipot").
        places = (
            m.group(0)
            for m in _PLACE.finditer(sentence)
            if not is_institution_word(m.group(0).split()[-1])
        )
        return new(countries_named(sentence)) or new(places)
    if answer_type == "person":
        named = new(people_named(sentence))
        if analysis.role:
            # Who holds the role or did the deed: a person, a party, a country or a name the
            # question did not give ("signed by the harbour pilots of Quarnsey").
            doers = _PARTIES.search(sentence) or countries_named(sentence)
            return named or bool(doers) or new(m.group(0) for m in _PROPER.finditer(sentence))
        # "Who can take part?": people, a party ("member states") or a body's name.
        body = _PARTIES.search(sentence) or _PROPER.search(sentence)
        return named or bool(body and not _asks_name(analysis))
    if answer_type == "organisation" and analysis.detail == "country":
        # "Which countries ...?" wants countries or groups of them named, not "many states";
        # a name no list knows ("Freedonia") may be one.
        return new(countries_named(sentence)) or new(unknown_names(sentence))
    if answer_type == "organisation":
        # "Which countries ...?" wants them named: a proper name the question did not give.
        return new(m.group(0) for m in _ENTITY.finditer(sentence) if m.start() > 0)
    return True


@lru_cache(maxsize=256)
def _question_words(question: str, split_hyphens: bool = False) -> frozenset[str]:
    """The question's words, lower-cased (and the parts of hyphenated ones): computed once per
    question, not once per candidate sentence."""
    words = re.findall(r"[\w\-]+", question.lower())
    parts = (part for w in words for part in w.split("-")) if split_hyphens else ()
    return frozenset((*words, *parts))


def _asks_name(analysis: Analysis) -> bool:
    return bool(re.search(r"\b(name|named|called)\b", analysis.question, re.IGNORECASE))


def satisfied(constraint: Constraint, text: str) -> bool:
    """True when `text` (a sentence with its paragraph and heading) meets `constraint`."""
    if constraint.also:
        return any(_satisfied(c, text) for c in constraint.alternatives())
    return _satisfied(constraint, text)


def _satisfied(constraint: Constraint, text: str) -> bool:
    if constraint.kind in ("year", "number"):
        return re.search(rf"(?<![\w.]){re.escape(constraint.text)}(?![\w])", text) is not None
    if constraint.kind == "act":
        kind, _, number = constraint.text.partition(" ")
        pattern = rf"\b({kind[:3]}\w*\.?)\s*(\(\w+\.?\s*)?{re.escape(number)}\b"
        if not number.isdigit():
            pattern += rf"|(?<![\w/]){re.escape(number)}(?![\w/])"
        return re.search(pattern, text, re.IGNORECASE) is not None
    wanted = [stem(w) for w in terms(constraint.text)]
    if not wanted:  # a name made of a stop word ("US", "IT"): as written, in capitals
        pattern = rf"(?<![\w.]){re.escape(constraint.text)}(?![\w])"
        return re.search(pattern, text) is not None
    have = _stems_of(text)
    # A long name ("Internet Governance Forum") is often shortened in running text ("the
    # Forum"): most of its words will do; a one- or two-word name must stand whole.
    found = sum(any(_same_name(w, h) for h in have) for w in wanted)
    return found == len(wanted) or (len(wanted) >= 3 and 2 * found >= len(wanted))


@lru_cache(maxsize=512)
def _stems_of(text: str) -> frozenset[str]:
    """The stems of a passage's words: each sentence of a passage checks the same context, so
    it is read once, not once per sentence and constraint."""
    return frozenset(stem(w) for w in terms(text))


def unmet(analysis: Analysis, text: str, *, absent: Iterable[Constraint] = ()) -> list[Constraint]:
    """The constraints of `analysis` that `text` does not meet (absent ones are not asked)."""
    skip = set(absent)
    return [c for c in analysis.constraints if c not in skip and not satisfied(c, text)]


def what_is_missing(analysis: Analysis) -> str:
    """The detail a question asks for, in words: 'a number', 'a name', 'a date'."""
    return {
        "number": "a number",
        "date": "a date",
        "place": "a place",
        "person": "a name" if _asks_name(analysis) else "who it was",
        "organisation": "which bodies or countries",
    }.get(analysis.answer_type, "that detail")


def _same_name(wanted: str, word: str) -> bool:
    """'Korea' and 'Korean', 'India' and 'Indian': a name and its adjective are one name."""
    if wanted == word:
        return True
    short, long = sorted((wanted, word), key=len)
    return len(short) >= 4 and long.startswith(short) and len(long) - len(short) <= 3


# More than half of the claim's content words must be in the passage it cites. A design rule, not a
# fitted value: there are no labelled LLM answers to fit it on yet.
SUPPORT_SHARE = 0.5


def supports(passage: str, claim: str) -> bool:
    """True when `passage` (a cited chunk with its heading) can back the sentence `claim`.

    Every constraint the claim sets (numbers, years, acts, names, quoted phrases) must be met in
    the passage, and more than SUPPORT_SHARE of the claim's content words must occur in it.
    """
    words = {stem(w) for w in terms(claim)}
    if not words:
        return False
    have = {stem(w) for w in terms(passage)}
    if len(words & have) <= SUPPORT_SHARE * len(words):
        return False
    return all(satisfied(c, passage) for c in constraints(claim))
