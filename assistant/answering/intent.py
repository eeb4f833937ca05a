"""What a question asks for: named resolutions, clause blocks, reasons or reception, answer type."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.index.text import stem, terms

_ACT_MENTION = re.compile(r"\b(resolution|decision)\s+([A-Za-z\-]*\d+[\w/\-]*)", re.IGNORECASE)
_REASON = re.compile(
    r"\b(why|reasons?|context|background|recall\w*|consider\w*|recogni[sz]\w*|"
    r"noting|motivat\w*|purpose)\b",
    re.IGNORECASE,
)
_RECEPTION = re.compile(
    r"\b(how was|received|react\w*|critic\w*|controvers\w*|comment\w*|"
    r"views?|opinions?|impressions?|analy\w*)\b",
    re.IGNORECASE,
)
_NUMBER = re.compile(
    r"\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|twelve|twenty|"
    r"hundred|thousand|million|billion|dozen|half|percent|several|many|few)\b",
    re.IGNORECASE,
)
_TIME = re.compile(
    r"\b(1[89]\d\d|20\d\d|january|february|march|april|may|june|july|august|"
    r"september|october|november|december|next|last|year|years|month|months|week|"
    r"weeks|day|days|today|until|after|before|since|annual|every|once|twice|"
    r"future|later|soon|\d+(st|nd|rd|th))\b",
    re.IGNORECASE,
)
_PLACE = re.compile(r"\b(in|at|from|to)\s+(the\s+)?[A-Z][\w\-]+")
_ACTOR = re.compile(
    r"\b(member states|states|countries|country|governments?|administrations?|"
    r"civil society|stakeholders?|members|delegat\w+|compan\w+|industr\w+|"
    r"users|people|public|anyone|everyone|experts?|representatives?|actors?|"
    r"observers|organi[sz]ations|participants|secretary-general|directors?|"
    r"council|assembly)\b|\b(?-i:[A-Z][a-z]+ [A-Z][a-z]+)",
    re.IGNORECASE,
)
_ASKS_ACTOR = re.compile(
    r"^\W*(who|whom|whose|which (countries|states|organi[sz]ations|groups))\b", re.IGNORECASE
)
_ASKS_NUMBER = re.compile(r"^\W*(how (many|much)|what (percentage|share|number|amount|sum))", re.I)
_ASKS_TIME = re.compile(
    r"^\W*(when|what (year|date|day|month)|how (often|long|soon)|until when)", re.IGNORECASE
)
_ASKS_PLACE = re.compile(r"^\W*(where|in (what|which) (city|country|place))", re.IGNORECASE)
_LIST = re.compile(
    r"^\W*(which|what|list( all)?( the)?)\s+(resolutions|decisions|acts)\b|"
    r"\ball (the )?(resolutions|decisions)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Intent:
    """The parts of a question that steer retrieval and the choice of sentences."""

    acts: frozenset[tuple[str, str]]  # ("resolution", "102") for each act the question names
    words: frozenset[str]  # stems of the question's content words
    wants_reasons: bool  # why / context: the preamble of a resolution
    wants_commentary: bool  # how it was received: commentary rather than official text
    is_list: bool  # "which resolutions ...": every matching clause
    expected: re.Pattern[str] | None  # the answer must contain a number, a time or a place

    def names_act(self, group: str) -> bool:
        """True when `group` ("Resolution 102 (Rev. Busan, 2014)") is an act the question names."""
        label = group.lower()
        return any(label.startswith(f"{kind} {number} ") for kind, number in self.acts)

    def names_block(self, locator: str) -> bool:
        """True when the question uses every word of the clause's block ("instructs the SG")."""
        block = locator.rsplit(" › ", 1)[-1]
        block_words = {stem(w) for w in terms(block) if not w.isdigit()}
        return bool(block_words) and block_words <= self.words


def read(question: str) -> Intent:
    """Read the intent of one question (the user's own words, not a conversation)."""
    text = " ".join(question.split())
    acts = frozenset((k.lower(), n.lower().rstrip(".,;:")) for k, n in _ACT_MENTION.findall(text))
    return Intent(
        acts=acts,
        words=frozenset(stem(w) for w in terms(text)),
        wants_reasons=bool(_REASON.search(text)),
        wants_commentary=bool(_RECEPTION.search(text)),
        is_list=bool(_LIST.search(text)),
        expected=_expected_type(text),
    )


def _expected_type(question: str) -> re.Pattern[str] | None:
    if _ASKS_NUMBER.search(question):
        return _NUMBER
    if _ASKS_TIME.search(question):
        return _TIME
    if _ASKS_PLACE.search(question):
        return _PLACE
    if _ASKS_ACTOR.search(question):
        return _ACTOR
    return None
