"""Question analysis: what kind of answer a question expects and what it insists on.

`analyse` reads a question once into an `Analysis`: the expected answer type ("how many" wants a
number, "who" a person or a body, "when" a date), the hard constraints it sets (act numbers,
years and other numbers, proper names, quoted phrases) and its focus terms. The answerer checks
candidates against it (see `assistant.verification`); nothing else re-parses the question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from assistant.answering.aliases import country_names
from assistant.answering.roles import roles_asked
from assistant.errors import QuestionError
from assistant.index.text import STOPWORDS, terms

AnswerType = Literal[
    "person",
    "number",
    "date",
    "place",
    "organisation",
    "yesno",
    "reason",
    "definition",
    "description",
]
ConstraintKind = Literal["act", "year", "number", "name", "quoted"]
# A narrower value than the answer type says: a share in percent ("what percentage"), or
# countries by name ("which countries", "which member states").
Detail = Literal["", "percent", "country"]


@dataclass(frozen=True)
class Constraint:
    """Something the question insists on: the answer's source must contain `text`."""

    text: str  # as the question wrote it: "Resolution 200", "2018", "Dubai"
    kind: ConstraintKind
    # Other names that meet it: a country's ("New Delhi": "India", "Indian"; "US": "U.S.").
    also: tuple[str, ...] = ()

    def alternatives(self) -> tuple[Constraint, ...]:
        """This constraint and one per other name that meets it; any one of them will do."""
        return (self, *(Constraint(name, self.kind) for name in self.also))

    def forms(self) -> tuple[str, ...]:
        """The phrases any one of which in a source meets the constraint."""
        if self.kind == "act":
            number = self.text.partition(" ")[2]
            # "98/1" or "Com5/4" names one act however it is introduced; "200" alone does not.
            return (self.text, number) if not number.isdigit() else (self.text,)
        return (self.text,)

    def words(self) -> tuple[str, ...]:
        """A name's words: 'ITU Secretary-General' is known when each of them is."""
        return tuple(w for w in self.text.split() if w.lower() not in ("of", "the"))


ChangeWanted = Literal["added", "removed", "any"]


@dataclass(frozen=True)
class ChangeQuestion:
    """A question about how an act changed between editions ("What changed in Resolution 130
    in Busan?", "Was Resolution 101 changed?", "What was added to the resolves part of ...?")."""

    act: str  # "Resolution 130"
    wanted: ChangeWanted  # what kind of change is asked about
    block: str = ""  # "resolves", "considering", "instructs" ...: only items of that block
    part: str = ""  # "preamble" or "operative": only items of that part
    places: tuple[str, ...] = ()  # conferences or years named: "Busan", "2010"


@dataclass(frozen=True)
class Analysis:
    """A question, read once."""

    question: str
    answer_type: AnswerType
    constraints: tuple[Constraint, ...]
    focus: tuple[str, ...]  # content words, in order
    change: ChangeQuestion | None = None  # set when the question asks what changed in an act
    # For "who chairs ...?", "which minister ...?", "which countries opposed ...?" or "when did
    # it open?": the roles, deeds or events the answer must name beside the person, body or
    # date, each as its stems joined by "|" ("chair", "lead|led"); empty for "who can join?".
    role: tuple[str, ...] = ()
    detail: Detail = ""

    @property
    def wants_value(self) -> bool:
        """True when the answer must contain a value of its type (a number, a date, a name)."""
        return self.answer_type in ("person", "number", "date", "place")


_PATTERNS: tuple[tuple[AnswerType, str], ...] = (
    (
        "number",
        r"^\W*(how (many|much)|what (\w+ )?(percentage|share|number|amount|sum|"
        r"proportion)|"
        r"(what|which) (is|was|are|were) the (number|amount|total|budget|cost|count|quota|"
        r"target|rate|ratio|percentage|figure|fee|price|threshold|population|size|length|"
        r"height|area|distance|age|revenue|income|salary|gdp|turnover|capacity)|"
        r"what (\w+ )?(quota|target|rate|ratio|figure|fee|price|threshold)s?)\b",
    ),
    (
        "date",
        r"^\W*(when|(what|which) (year|date|day|month|time)|in what year|"
        r"how (often|soon)|until when|by when|since when)\b",
    ),
    ("place", r"^\W*(where|(in )?(what|which) (city|country|place|town|venue))\b"),
    (
        "person",
        r"^\W*((who|whom|whose)\b(?!.*\b(countries|states|organi[sz]ations|groups|"
        r"bodies|members)\b)|.*\b((which|what) person|name of the ([\w\-]+ )?"
        r"(person|man|woman|secretary-general|chair\w*|director|president|minister|"
        r"head|leader|delegate|author|ambassador|candidate|official))|"
        r"(which|what) ([\w\-]+ ){0,2}(person|individual|official|minister|chair\w*|"
        r"director|president|ambassador|secretary-general|spokes\w+|founder|ceo|"
        r"(board|staff) members?)\b)",
    ),
    (
        "organisation",
        r"^\W*(who|(which|what) ([\w\-]+ )?(countries|country|states|state|"
        r"governments?|organi[sz]ations?|compan(y|ies)|groups?|bodies|body|"
        r"members?|delegations?|regions?|stakeholders?|operators?|firms?|"
        r"coalitions?|blocs?|nations?))\b",
    ),
    ("reason", r"^\W*(why|for what reason|what (motivated|prompted|drove|caused|led to))\b"),
    (
        "yesno",
        r"^\W*(is|are|was|were|did|does|do|can|could|will|would|has|have|had|should|"
        r"must|may)\b",
    ),
    (
        "definition",
        r"^\W*(what (is|are|was|were) (a |an |the )?[\w\-]+\s*\?*$|"
        r"what does .+ (mean|stand for)\b|define\b)",
    ),
)
_TYPES = tuple((kind, re.compile(pattern, re.IGNORECASE)) for kind, pattern in _PATTERNS)

_ACT = re.compile(
    r"\b(resolution|decision|res\.|dec\.)\s*(com\s*\d+/\d+|[A-Za-z]*\d+[\w/\-]*)", re.IGNORECASE
)
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
_NUMBER = re.compile(r"(?<![\w\-+])\d[\d,./]*\b")  # not the "12" of "WCIT-12"
_QUOTED = re.compile(r"[\"“]([^\"”]{3,80})[\"”]")
# A run of capitalised words ("South Korea", "GDP", "CWG-Internet"); a dotted abbreviation
# ("U.S.") is one word, and a possessive ends the run ("Seoul's IoT" names Seoul, then IoT).
_NAME = re.compile(
    r"\b(?:[A-Z]\.(?:[A-Z]\.)+|[A-Z][\w\-’']*)"
    r"(?:(?<!'s)(?<!’s)\s+(?:of\s+|the\s+)?[A-Z][\w\-’']*)*"
)
# Capitalised words that are no name: question words and pronouns that open a sentence.
_NOT_NAMES = STOPWORDS | {
    # Prepositions and adverbs that open a question ("After Dubai in 2012, ...").
    "after",
    "apart",
    "before",
    "besides",
    "beyond",
    "despite",
    "during",
    "following",
    "overall",
    "since",
    "until",
    "but",
    "describe",
    "explain",
    "give",
    "list",
    "may",
    "must",
    "name",
    "no",
    "please",
    "should",
    "summarise",
    "summarize",
    "yes",
}


def analyse(question: str) -> Analysis:
    """Read one question (the user's own words, not a conversation)."""
    text = " ".join(question.split())
    found = constraints(text)
    answer_type = _answer_type(_LEADING_PREPOSITION.sub("", text))
    return Analysis(
        question=text,
        answer_type=answer_type,
        constraints=found,
        focus=tuple(terms(text)),
        change=change_question(text, found),
        role=roles_asked(text, answer_type),
        detail=_detail(text, answer_type),
    )


# "On what date ...", "By how much ...", "To whom ...": the question word after a preposition.
_LEADING_PREPOSITION = re.compile(
    r"^\W*(on|in|at|by|from|to|for|until|since|of|with|during|after|before|under|and)\s+"
    r"(?=(what|which|who|whom|whose|how|when|where)\b)",
    re.IGNORECASE,
)
_COUNTRIES_ASKED = re.compile(
    r"\b(which|what) ([\w\-]+ )?(countries|country|states|state|nations|nation|governments|"
    r"government|delegations|delegation|administrations)\b",
    re.IGNORECASE,
)
_PERCENT_ASKED = re.compile(r"\b(percentage|per ?cent|%)", re.IGNORECASE)


def _detail(question: str, answer_type: AnswerType) -> Detail:
    if answer_type == "number" and _PERCENT_ASKED.search(question):
        return "percent"
    if answer_type == "organisation" and _COUNTRIES_ASKED.search(question):
        return "country"
    return ""


# A change as what the question asks about: "what changed", "was ... revised", "what was
# added"; not "the revised resolution" or "the amended text" as the object of another question.
_CHANGE = re.compile(
    r"\b(chang(?:e|ed|es)|add(?:ed|s)?|remov(?:e|ed|al)|delet(?:e|ed|ion)|dropp?(?:ed)?|"
    r"insert(?:ed)?|revis(?:e|ed|ion|ions)|amend(?:ed|ment|ments)?|modif(?:y|ied|ication)|"
    r"alter(?:ed|ation)?|reword(?:ed|ing)?|updat(?:e|ed)|differ(?:s|ed|ent|ences?)?|"
    r"what'?s new|what is new|new in|new (?:\w+ )?(?:items?|clauses?|paragraphs?|text)|"
    r"the same as (?:before|in|the))\b"
    r"(?!\s+(?:resolution|decision|text|version|edition)s?\b)"
    # A verb before its object: "did Busan amend Resolution 130", "modify Resolution 101".
    r"|\b(?:change|amend|modify|revise|update|alter|reword)\b",
    re.IGNORECASE,
)
_ADDED = re.compile(
    r"\b(add(?:ed|s)?|insert(?:ed)?|new (?:\w+ )?(?:items?|clauses?|paragraphs?|text))\b",
    re.IGNORECASE,
)
_REMOVED = re.compile(r"\b(remov(?:e|ed|al)|delet(?:e|ed|ion)|dropp?(?:ed)?)\b", re.IGNORECASE)
_PART = re.compile(r"\b(preamble|preambular|operative)\b", re.IGNORECASE)
# A block named as the part asked about: "the resolves part", "in its instructs section".
_BLOCK = re.compile(
    r"\b(recalling|considering|recognizing|noting|resolves|decides|instructs|invites|"
    r"encourages|requests)\b(?=\s+(?:part|section|block|clauses?|paragraphs?|items?)\b)",
    re.IGNORECASE,
)


def change_question(question: str, found: tuple[Constraint, ...]) -> ChangeQuestion | None:
    """The change asked about when `question` asks how one named act changed, else None."""
    acts = [c.text for c in found if c.kind == "act"]
    if len(acts) != 1 or not _CHANGE.search(question):
        return None
    added, removed = bool(_ADDED.search(question)), bool(_REMOVED.search(question))
    wanted: ChangeWanted = "added" if added and not removed else "any"
    wanted = "removed" if removed and not added else wanted
    block = _BLOCK.search(question)
    part = _PART.search(question)
    places = tuple(c.text for c in found if c.kind in ("name", "year"))
    return ChangeQuestion(
        act=acts[0],
        wanted=wanted,
        block=block.group(1).lower() if block else "",
        part=("preamble" if part.group(1).lower().startswith("pre") else "operative")
        if part
        else "",
        places=places,
    )


def _answer_type(question: str) -> AnswerType:
    for kind, pattern in _TYPES:
        if pattern.search(question):
            return kind
    return "description"


def constraints(question: str) -> tuple[Constraint, ...]:
    """Act numbers, years, numbers, quoted phrases and proper names that `question` sets."""
    found: dict[str, Constraint] = {}
    consumed: list[tuple[int, int]] = []

    def add(text: str, kind: ConstraintKind, span: tuple[int, int]) -> None:
        if any(a <= span[0] < b for a, b in consumed):
            return
        consumed.append(span)
        also = country_names(text) if kind == "name" else ()
        found.setdefault(text.lower(), Constraint(text, kind, also))

    for m in _QUOTED.finditer(question):
        add(m.group(1).strip(), "quoted", m.span())
    for m in _ACT.finditer(question):
        kind = "Resolution" if m.group(1).lower().startswith("res") else "Decision"
        add(f"{kind} {m.group(2).rstrip('.,;:?')}", "act", m.span())
    for m in _YEAR.finditer(question):
        add(m.group(1), "year", m.span())
    for m in _NUMBER.finditer(question):
        add(m.group(0).rstrip(".,/"), "number", m.span())
    shouted = not any(c.islower() for c in question)
    for m in _NAME.finditer(question):
        words = m.group(0).split()
        # The question's first word is capitalised for grammar, not because it is a name; in
        # capitals a stop word is a name ("the US", "IT firms") unless the whole question is.
        while words and words[0].lower() in _NOT_NAMES and (shouted or not _is_acronym(words[0])):
            words = words[1:]
        while words and words[-1].lower() in ("of", "the"):
            words = words[:-1]
        if words:
            words[-1] = re.sub(r"['’]s$", "", words[-1])
        if not words or not words[-1]:
            continue
        start = m.start() + m.group(0).find(words[0])
        if start == 0 and not _is_acronym(words[0]) and len(words) == 1:
            continue
        add(" ".join(words), "name", (start, m.end()))
    return tuple(found.values())


def _is_acronym(word: str) -> bool:
    return sum(c.isupper() for c in word) >= 2


def checked_question(question: object, limit: int) -> tuple[str, str | None]:
    """The question as asked, cut to `limit` characters, and a notice when it was cut.

    Raises TypeError for a non-string and QuestionError for an empty question.
    """
    if not isinstance(question, str):
        raise TypeError(f"the question must be a str, not {type(question).__name__}")
    # A lone surrogate (JSON "\ud800") cannot be encoded: the tokenizer would raise.
    question = question.encode("utf-8", "replace").decode("utf-8")
    if not question.strip():
        raise QuestionError("the question is empty; ask something about the sources")
    if len(question) > limit:
        return question[:limit], (
            f"Your question was {len(question)} characters long; only its first {limit} were used."
        )
    return question, None
