"""Native API: questions answered from the archive, and the saved conversations.

``POST /ask`` answers at once (200, the whole answer), or with ``"stream": true`` returns
202 and streams the answer over the events WebSocket as ``ask.*`` events carrying the
``ask_id`` (``ask.started``, ``ask.passages``, ``ask.token``, ``ask.sentence``, then
``ask.finished`` with the answer, or ``ask.failed``).  A client that wants every event
connects first (``/events?ask_id=ID``) and sends its own ``ask_id`` in the body.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from typing import Any

from ..errors import InvalidInputError, RecordRouteError
from .base import BaseHandler
from .handlers_search import parse_moment

log = logging.getLogger(__name__)


def _strings(body: dict[str, Any], name: str) -> list[str]:
    value = body.get(name)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InvalidInputError(
            f"'{name}' must be a list of strings.", f'Send e.g. {{"{name}": []}}.'
        )
    return list(value)


def _optional_str(body: dict[str, Any], name: str) -> str | None:
    value = body.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise InvalidInputError(f"'{name}' must be a string.", f"Send the {name} as text.")
    return value


def _ask_id(body: dict[str, Any]) -> str:
    raw = _optional_str(body, "ask_id")
    if raw is None:
        return str(uuid.uuid4())
    try:
        return str(uuid.UUID(raw))
    except ValueError:
        raise InvalidInputError(
            f"ask_id {raw[:40]!r} is not a UUID.", "Send a UUID of your own, or leave it out."
        ) from None


class AskHandler(BaseHandler):
    async def post(self) -> None:
        body = self.json_body()
        question = body.get("question")
        if not isinstance(question, str):
            raise InvalidInputError(
                "The body needs 'question' (a string).",
                'Send {"question": "What did we decide about the budget?"}.',
            )
        stream = body.get("stream", False)
        if not isinstance(stream, bool):
            raise InvalidInputError("'stream' must be true or false.", 'Send "stream": true.')
        kwargs: dict[str, Any] = {
            "conversation_id": _optional_str(body, "conversation_id"),
            "recording_id": _optional_str(body, "recording_id"),
            "start": parse_moment("start", _optional_str(body, "start")),
            "end": parse_moment("end", _optional_str(body, "end")),
            "tags": _strings(body, "tags"),
            "kinds": _strings(body, "kinds"),
            "speakers": _strings(body, "speakers"),
            "mode": _optional_str(body, "mode") or "auto",
            "save": body.get("save", True) is not False,
        }
        app = self.ctx.app
        if not stream:
            answer = await self.call(app.ask.ask, question, **kwargs)
            self.send_json(answer.to_dict())
            return
        ask_id = _ask_id(body)
        # refuse bad input now, with a 400, rather than in a failed event later
        await self.call(app.ask.check, question, **kwargs)
        task = asyncio.ensure_future(self.call(app.ask.ask, question, ask_id=ask_id, **kwargs))
        task.add_done_callback(_log_failure)
        self.send_json(
            {
                "ask_id": ask_id,
                "state": "running",
                "events": f"{self.request.path.rsplit('/ask', 1)[0]}/events?ask_id={ask_id}",
            },
            status=202,
        )


def _log_failure(task: asyncio.Future[Any]) -> None:
    if task.cancelled():
        return
    exc = task.exception()
    if exc is not None and not isinstance(exc, RecordRouteError):
        log.error("a streamed answer failed", exc_info=exc)


def conversation_json(conversation: Any, *, turns: bool) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": conversation.id,
        "title": conversation.title,
        "recording_id": conversation.recording_id,
        "filters": conversation.filters,
        "created_at": conversation.created_at.isoformat(),
        "updated_at": conversation.updated_at.isoformat(),
        "turn_count": conversation.turn_count,
    }
    if turns:
        data["turns"] = [
            {
                "ordinal": t.ordinal,
                "question": t.question,
                "answer": t.answer,
                "created_at": t.created_at.isoformat(),
            }
            for t in conversation.turns
        ]
    return data


class ConversationsHandler(BaseHandler):
    async def get(self) -> None:
        found = await self.call(
            self.ctx.app.ask.conversations,
            recording_id=self.get_query_argument("recording_id", None) or None,
            limit=self.query_int("limit", 100, 1, 1000),
        )
        self.send_json({"items": [conversation_json(c, turns=False) for c in found]})


class ConversationHandler(BaseHandler):
    async def get(self, conversation_id: str) -> None:
        found = await self.call(self.ctx.app.ask.conversation, conversation_id)
        self.send_json(conversation_json(found, turns=True))

    async def delete(self, conversation_id: str) -> None:
        await self.call(self.ctx.app.ask.delete_conversation, conversation_id)
        self.send_json({"deleted": conversation_id})
