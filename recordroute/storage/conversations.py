"""Conversations with the archive: questions and their answers, kept in the library database.

A conversation may be scoped to one recording ("chat with this recording"); its filters
(dates, tags, types) are kept with it so that a follow-up question searches the same
part of the archive.  Each turn stores the answer whole, as JSON written by the caller:
storage does not interpret it, and refuses to read a turn whose JSON is damaged.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime
from typing import Any

from ..errors import CorruptDataError, InvalidInputError, NotFoundError
from .database import Database
from .files import check_id, new_id
from .rows import now_iso

MAX_TITLE = 120


@dataclasses.dataclass(frozen=True)
class Turn:
    """One question and the answer given to it (``answer`` is the caller's JSON object)."""

    ordinal: int
    question: str
    answer: dict[str, Any]
    created_at: datetime


@dataclasses.dataclass(frozen=True)
class Conversation:
    id: str
    title: str
    #: the recording the conversation is about, or None for the whole archive
    recording_id: str | None
    filters: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    turns: tuple[Turn, ...] = ()
    #: how many turns it has (also set when the turns themselves were not read)
    turn_count: int = 0


class ConversationRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    def create(
        self, title: str, *, recording_id: str | None = None, filters: dict[str, Any] | None = None
    ) -> Conversation:
        text = " ".join(title.split())
        if not text:
            raise InvalidInputError(
                "A conversation needs a title (its first question).", "Ask a question."
            )
        if recording_id is not None:
            check_id(recording_id, "recording id")
        conversation_id = new_id()
        stamp = now_iso()
        with self.db.write() as conn:
            if recording_id is not None:
                found = conn.execute(
                    "SELECT 1 FROM recordings WHERE id = ?", (recording_id,)
                ).fetchone()
                if found is None:
                    raise NotFoundError(
                        f"Recording {recording_id} does not exist.",
                        "Check the id (`recordroute list` shows them).",
                    )
            conn.execute(
                "INSERT INTO conversations (id, title, recording_id, filters, created_at, "
                "updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    conversation_id,
                    text[:MAX_TITLE],
                    recording_id,
                    json.dumps(filters or {}, ensure_ascii=False, sort_keys=True),
                    stamp,
                    stamp,
                ),
            )
        return self.get(conversation_id)

    def add_turn(self, conversation_id: str, question: str, answer: dict[str, Any]) -> Turn:
        """Append a turn; the conversation's ``updated_at`` moves with it."""
        check_id(conversation_id, "conversation id")
        stamp = now_iso()
        payload = json.dumps(answer, ensure_ascii=False)
        with self.db.write() as conn:
            self._require(conn, conversation_id)
            row = conn.execute(
                "SELECT coalesce(max(ordinal), 0) + 1 FROM conversation_turns "
                "WHERE conversation_id = ?",
                (conversation_id,),
            ).fetchone()
            ordinal = int(row[0])
            conn.execute(
                "INSERT INTO conversation_turns (conversation_id, ordinal, question, answer, "
                "created_at) VALUES (?, ?, ?, ?, ?)",
                (conversation_id, ordinal, question, payload, stamp),
            )
            conn.execute(
                "UPDATE conversations SET updated_at = ? WHERE id = ?", (stamp, conversation_id)
            )
        return Turn(ordinal, question, answer, datetime.fromisoformat(stamp))

    def get(self, conversation_id: str) -> Conversation:
        """A conversation with all its turns, oldest first."""
        check_id(conversation_id, "conversation id")
        with self.db.read() as conn:
            head = self._require(conn, conversation_id)
            rows = conn.execute(
                "SELECT ordinal, question, answer, created_at FROM conversation_turns "
                "WHERE conversation_id = ? ORDER BY ordinal",
                (conversation_id,),
            ).fetchall()
        turns = tuple(
            Turn(
                int(r["ordinal"]),
                r["question"],
                _answer(r["answer"], conversation_id, int(r["ordinal"])),
                datetime.fromisoformat(r["created_at"]),
            )
            for r in rows
        )
        return dataclasses.replace(_conversation(head), turns=turns, turn_count=len(turns))

    def list(self, *, recording_id: str | None = None, limit: int = 100) -> list[Conversation]:
        """Conversations, most recently used first (without their turns)."""
        if not 1 <= limit <= 10_000:
            raise InvalidInputError(f"limit={limit} is out of range.", "Use 1 to 10000.")
        where, args = ("WHERE c.recording_id = ?", [recording_id]) if recording_id else ("", [])
        rows = self.db.query(
            "SELECT c.*, (SELECT count(*) FROM conversation_turns t "
            "WHERE t.conversation_id = c.id) AS turn_count FROM conversations c "
            f"{where} ORDER BY c.updated_at DESC, c.id LIMIT ?",
            [*args, limit],
        )
        return [
            dataclasses.replace(_conversation(r), turn_count=int(r["turn_count"])) for r in rows
        ]

    def delete(self, conversation_id: str) -> None:
        """Remove a conversation and its turns for good."""
        check_id(conversation_id, "conversation id")
        with self.db.write() as conn:
            self._require(conn, conversation_id)
            conn.execute("DELETE FROM conversations WHERE id = ?", (conversation_id,))

    @staticmethod
    def _require(conn: Any, conversation_id: str) -> Any:
        row = conn.execute(
            "SELECT * FROM conversations WHERE id = ?", (conversation_id,)
        ).fetchone()
        if row is None:
            raise NotFoundError(
                f"Conversation {conversation_id} does not exist.",
                "Check the id (`recordroute conversations` lists them).",
            )
        return row


def _conversation(row: Any) -> Conversation:
    try:
        filters = json.loads(row["filters"])
    except ValueError as exc:
        raise CorruptDataError(
            f"The filters of conversation {row['id']} are not valid JSON ({exc}).",
            "Delete the conversation; its questions cannot be read back.",
        ) from None
    return Conversation(
        id=row["id"],
        title=row["title"],
        recording_id=row["recording_id"],
        filters=filters,
        created_at=datetime.fromisoformat(row["created_at"]),
        updated_at=datetime.fromisoformat(row["updated_at"]),
    )


def _answer(text: str, conversation_id: str, ordinal: int) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise CorruptDataError(
            f"Turn {ordinal} of conversation {conversation_id} is not valid JSON ({exc}).",
            "Delete the conversation; the damaged answer cannot be shown.",
        ) from None
    if not isinstance(value, dict):
        raise CorruptDataError(
            f"Turn {ordinal} of conversation {conversation_id} is not a JSON object.",
            "Delete the conversation; the damaged answer cannot be shown.",
        )
    return value
