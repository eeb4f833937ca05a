"""Saved conversations of the web chat: an SQLite file in the index folder, per login user.

Each conversation is its (question, Answer) turns, stored as the JSON of `exports`, under an
id, a title (the first question until renamed) and the user who had it ("" without a login).
A user sees, opens, renames and deletes only their own. The file is separate from the catalog:
a rebuild of the index keeps the conversations.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path

from assistant.errors import ConversationError
from assistant.exports import Conversation
from assistant.schema import Answer

FILENAME = "conversations.sqlite"
MAX_TITLE = 120

_SCHEMA = """
CREATE TABLE IF NOT EXISTS conversations (
    id TEXT PRIMARY KEY, user TEXT NOT NULL, title TEXT NOT NULL, updated REAL NOT NULL,
    turns TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS conversations_user ON conversations(user, updated);
"""


@dataclass(frozen=True)
class SavedConversation:
    """A saved conversation as listed: id, title, when it last changed (Unix time), turns."""

    id: str
    title: str
    updated: float
    turns: int


def _title(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= MAX_TITLE else line[: MAX_TITLE - 1].rstrip() + "…"


class ConversationStore:
    """The saved conversations of one index folder."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / FILENAME
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
        with self._lock, self._db:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.executescript(_SCHEMA)

    def close(self) -> None:
        """Close the database."""
        self._db.close()

    def save(self, user: str, turns: Conversation, conversation_id: str = "") -> str:
        """Store `turns` as the conversation `conversation_id` of `user` (a new one if empty);
        returns its id. Saving keeps a title the user gave it."""
        data = json.dumps([{"question": q, "answer": asdict(a)} for q, a in turns])
        new_id = conversation_id or uuid.uuid4().hex
        title = _title(turns[0][0]) if turns else "New conversation"
        with self._lock, self._db:
            if conversation_id:
                self._owned(user, conversation_id)
            self._db.execute(
                "INSERT INTO conversations VALUES (?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE "
                "SET updated = excluded.updated, turns = excluded.turns",
                (new_id, user, title, time.time(), data),
            )
        return new_id

    def list(self, user: str) -> list[SavedConversation]:
        """The user's conversations, the most recently changed first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT id, title, updated, turns FROM conversations WHERE user = ? "
                "ORDER BY updated DESC",
                (user,),
            ).fetchall()
        return [SavedConversation(r[0], r[1], r[2], len(json.loads(r[3]))) for r in rows]

    def load(self, user: str, conversation_id: str) -> Conversation:
        """The turns of one of the user's conversations."""
        with self._lock:
            row = self._owned(user, conversation_id)
        return [(t["question"], Answer.from_dict(t["answer"])) for t in json.loads(row[0])]

    def title(self, user: str, conversation_id: str) -> str:
        """The title of one of the user's conversations."""
        with self._lock:
            row = self._db.execute(
                "SELECT title FROM conversations WHERE id = ? AND user = ?",
                (conversation_id, user),
            ).fetchone()
        if row is None:
            raise self._missing(conversation_id)
        return str(row[0])

    def rename(self, user: str, conversation_id: str, title: str) -> None:
        """Give one of the user's conversations a new title."""
        if not title.strip():
            raise ConversationError("a conversation's title cannot be empty; type a title")
        with self._lock, self._db:
            self._owned(user, conversation_id)
            self._db.execute(
                "UPDATE conversations SET title = ? WHERE id = ?", (_title(title), conversation_id)
            )

    def delete(self, user: str, conversation_id: str) -> None:
        """Delete one of the user's conversations."""
        with self._lock, self._db:
            self._owned(user, conversation_id)
            self._db.execute("DELETE FROM conversations WHERE id = ?", (conversation_id,))

    def _owned(self, user: str, conversation_id: str) -> tuple[str]:
        row = self._db.execute(
            "SELECT turns FROM conversations WHERE id = ? AND user = ?", (conversation_id, user)
        ).fetchone()
        if row is None:
            raise self._missing(conversation_id)
        return (str(row[0]),)

    @staticmethod
    def _missing(conversation_id: str) -> ConversationError:
        return ConversationError(
            f"no saved conversation {conversation_id!r}; choose one from the list of saved "
            "conversations (it may have been deleted in another window)"
        )
