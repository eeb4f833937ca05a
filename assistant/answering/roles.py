"""Roles, deeds and events a question asks about, which its answer must name too.

"Who chairs the group?" is not answered by a sentence that names a person but no chair; "Which
countries opposed it?" not by one that names a country but no opposition; "When did the
conference open?" not by the day it closed. `roles_asked` reads them from a question (each as
the stems by which a sentence names it, joined by "|"); `names_roles` checks a sentence.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from assistant.answering.question import AnswerType

Table = tuple[tuple[re.Pattern[str], tuple[str, ...]], ...]


def _table(rows: Iterable[tuple[str, tuple[str, ...]]]) -> Table:
    return tuple((re.compile(pattern, re.IGNORECASE), stems) for pattern, stems in rows)


# Roles a person holds, as nouns ("the executive director") or verbs ("who chairs"), and the
# stems by which a sentence names the same role ("chaired", "chairman"; "founder", "founded").
_ROLES = _table(
    (
        (r"\bchair\w*", ("chair",)),
        (r"\bdirect(or|ors|s|ed)\b", ("direct",)),
        (r"\bpresid(ent|es|ed|ing)\b", ("presid",)),
        (r"\bminist(er|ers|ry)\b", ("minist",)),
        (r"\bhead(s|ed)?\b(?! of state)", ("head",)),
        (r"\b(lead|leads|leader|leaders|led)\b", ("lead", "led")),
        (r"\bfound(s|ed|er|ers)\b", ("found",)),
        (r"\bambassadors?\b", ("ambassador",)),
        (r"\bspokes\w+", ("spokes",)),
        (r"\bdeputy\b", ("deputy",)),
        (r"\bsecretary[- ]general\b", ("secretary",)),
        (r"\b(ceo|chief executive)\b", ("ceo", "chief")),
        (r"\bboard\b", ("board",)),
        # What someone did to a proposal or an act: the answer names the deed and the doer.
        (r"\bpropos(e|ed|es|ing)\b", ("propos",)),
        (r"\bdraft(ed|ing)\b|\b(will|to|did|who) draft\b", ("draft",)),
        (r"\bsign(ed|s)?\b", ("sign",)),
        (r"\b(oppos(e|ed|es|ing)|object(ed|s)?)\b", ("oppos", "object", "against", "reject")),
        (r"\b(support(ed|s)?|back(ed|s)?|endors(e|ed|es))\b", ("support", "back", "endors")),
        (r"\bsponsor(ed|s)?\b", ("sponsor",)),
        (r"\bvot(ed|ing)\b|\bvotes? (for|against)\b", ("vot",)),
    )
)
# Events a date is asked for: "When did the conference open?" is not answered by the day it
# closed.
_EVENTS = _table(
    (
        (
            r"\b(open(s|ed)?|beg(a|i|u)ns?|start(s|ed)?|commenc\w*|launch\w*)\b",
            ("open", "beg", "start", "commenc", "launch"),
        ),
        (
            r"\b(clos(e|es|ed)|end(s|ed)?|finish\w*|conclud\w*|wrap(s|ped)? up|over(?=\s*\?))\b",
            ("clos", "end", "finish", "conclu"),
        ),
    )
)


def roles_asked(question: str, answer_type: AnswerType) -> tuple[str, ...]:
    """One entry per role, deed or event the question names, its stems joined by "|": "Who was
    elected Deputy Secretary-General?" gives ("deputy", "secretary"), "Who led it?" gives
    ("lead|led",), "When did it open?" gives ("open|beg|start|commenc|launch",); none for
    other kinds of question."""
    table = {"person": _ROLES, "organisation": _ROLES, "date": _EVENTS}.get(answer_type, ())
    return tuple("|".join(stems) for pattern, stems in table if pattern.search(question))


def names_roles(sentence: str, roles: Iterable[str]) -> bool:
    """True when `sentence` has a word of each role's stems ("chaired", "proposal")."""
    words = re.findall(r"[\w\-]+", sentence.lower())
    return all(any(w.startswith(stem) for w in words for stem in role.split("|")) for role in roles)
