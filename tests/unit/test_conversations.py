"""Saved conversations: per user, kept across a reopening of the store (a server restart)."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.errors import ConversationError
from assistant.interfaces.conversations import ConversationStore
from assistant.schema import Answer, Citation, Passage


def _answer(n: int) -> Answer:
    c = Citation(1, "a.pdf", "A", "Res 1 › resolves 1, p. 4", "quote", 3, 8, page=4, author="X")
    p = Passage("text quote", "a.pdf", "A", "Res 1 › resolves 1", "resolution", 0.5, 0, 10, "c", 4)
    return Answer(f"Answer {n} [1].", [c], False, [p], notice=None)


def test_a_conversation_is_saved_listed_renamed_and_deleted(tmp_path: Path) -> None:
    store = ConversationStore(tmp_path)
    turns = [("First question?", _answer(1))]
    cid = store.save("ann", turns)
    cid = store.save("ann", [*turns, ("Second?", _answer(2))], cid)
    listed = store.list("ann")
    assert [(c.id, c.title, c.turns) for c in listed] == [(cid, "First question?", 2)]
    store.rename("ann", cid, "  Lighthouses  ")
    store.save("ann", [*turns, ("Second?", _answer(2))], cid)  # saving keeps the new title
    store.close()

    reopened = ConversationStore(tmp_path)  # as after a restart of the server
    assert reopened.title("ann", cid) == "Lighthouses"
    loaded = reopened.load("ann", cid)
    assert loaded == [*turns, ("Second?", _answer(2))]
    assert loaded[0][1].citations[0].page == 4
    reopened.delete("ann", cid)
    assert reopened.list("ann") == []
    reopened.close()


def test_users_see_only_their_own(tmp_path: Path) -> None:
    store = ConversationStore(tmp_path)
    cid = store.save("ann", [("Q?", _answer(1))])
    assert store.list("bob") == []
    for attempt in (
        lambda: store.load("bob", cid),
        lambda: store.rename("bob", cid, "mine"),
        lambda: store.delete("bob", cid),
        lambda: store.save("bob", [], cid),
    ):
        with pytest.raises(ConversationError, match="no saved conversation"):
            attempt()
    with pytest.raises(ConversationError, match="cannot be empty"):
        store.rename("ann", cid, "  ")
    assert [c.id for c in store.list("ann")] == [cid]
    store.close()
