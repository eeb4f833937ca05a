"""Questions about the author's view, and sentences in which the author takes a view.

"Does the writer expect the secrecy rule to last?" is answered by a sentence where the author
judges or predicts ("should remain on the watch list", "Unfortunately, ..."), not by the
neutral report of the rule. `asks_view` tells the first kind of question; `takes_view` the
second kind of sentence. The ranker learns how much the pair counts (`view_stance`).
"""

from __future__ import annotations

import re

_VIEW_VERBS = (
    r"think|thinks|thought|feel|feels|felt|agree|agrees|expect|expects|expected|consider|"
    r"considers|considered|say|says|said|see|sees|saw|view|views|find|finds|found|believe|"
    r"believes|argue|argues|argued|want|wants|suggest|suggests|recommend|recommends|hope|"
    r"hopes|worry|worries|fear|fears|judge|judges|call|calls|describe|describes|make of|"
    r"predict|predicts|warn|warns|urge|urges|assess|assesses|rate|rates|regard|regards"
)
_ASKS_VIEW = re.compile(
    rf"\b(author|writer|she|her|analyst|commentator)\b.*\b({_VIEW_VERBS})\b|"
    r"\baccording to (the )?(author|writer|her|analysis|assessment)\b|"
    r"\b(author|writer)'s (view|opinion|take|assessment|judg\w*)\b|"
    r"\bin (the )?(author|writer)'s (view|opinion|eyes)\b",
    re.IGNORECASE,
)
_STANCE = re.compile(
    r"\b(I|my|me|we|our|us|fortunately|unfortunately|sadly|happily|hopefully|importantly|"
    r"concerning|worrying|good|bad|better|worse|success|successful|failure|should|must|"
    r"need to|needs to|ought|important|troubling|welcome|regrettabl\w*|clearly|seems?|"
    r"seemed|likely|unlikely|perhaps|probably|believe|think|hope|remains? to be seen|"
    r"watch list|vigilant|serious|dangerous|positive|negative|worth|surprising\w*|"
    r"disappoint\w*|encourag\w*|promising|great|significant|interesting)\b",
    re.IGNORECASE,
)


def asks_view(question: str) -> bool:
    """True when the question asks what the author thinks, expects or judges."""
    return bool(_ASKS_VIEW.search(question))


def takes_view(sentence: str) -> bool:
    """True when the sentence judges, hopes, warns or speaks in the first person."""
    return bool(_STANCE.search(sentence))
