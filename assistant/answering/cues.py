"""Words that mark a sentence as the kind of answer a question type asks for.

A yes/no question ("Did Busan let the ITU police content?") is answered by a sentence that
settles it, most often with a negation ("the ITU's mandate does not and should not extend to
regulating content", "The final text contained nothing of the sort"), not by one that only
restates the topic. A why-question is answered by a sentence that gives a cause ("due to",
"because", "a desire to"). These are the answer cues classic question-answering systems check;
the ranker learns how much each counts (`settles`, `gives_cause`).
"""

from __future__ import annotations

import re

from assistant.answering.question import AnswerType

_NEGATION = re.compile(
    r"\b(not|no|nothing|never|neither|nor|none|without|cannot|failed|fails|unable|"
    r"rejected|refused|eliminated|dropped|removed)\b|n['’]t\b",
    re.IGNORECASE,
)
_CAUSE = re.compile(
    r"\b(because|due to|owing to|thanks to|since|as a result|in order to|so that|so as to|"
    r"given|led to|leads to|result(ed|s)? (in|from)|reasons?|desire|aim(ed|s)?|purpose|"
    r"intent(ion)?|motivat\w*|concerns?|fears?|feared|therefore|hence|thus)\b",
    re.IGNORECASE,
)


def settles(answer_type: AnswerType, sentence: str) -> bool:
    """True for a yes/no question and a sentence that says no (or that something was not)."""
    return answer_type == "yesno" and _NEGATION.search(sentence) is not None


def gives_cause(answer_type: AnswerType, sentence: str) -> bool:
    """True for a why-question and a sentence that names a cause, motive or aim."""
    return answer_type == "reason" and _CAUSE.search(sentence) is not None
