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

from ..errors import InvalidInputError, RecordRouteError, echo
from .base import BaseHandler
from .schemas_ask import (
    AnswerOut,
    AskBody,
    AskStarted,
    ConversationDeleted,
    ConversationDetails,
    ConversationList,
    ConversationOut,
    ConversationsQuery,
)

log = logging.getLogger(__name__)


def _ask_id(raw: str | None) -> str:
    if not raw:
        return str(uuid.uuid4())
    try:
        return str(uuid.UUID(raw))
    except ValueError:
        raise InvalidInputError(
            f"ask_id {echo(raw, 40)} is not a UUID.", "Send a UUID of your own, or leave it out."
        ) from None


class AskHandler(BaseHandler):
    async def post(self) -> None:
        body = self.body_model(AskBody)
        ask_id = _ask_id(body.ask_id)  # a malformed one is refused even without streaming
        kwargs: dict[str, Any] = {
            "conversation_id": body.conversation_id or None,
            "recording_id": body.recording_id or None,
            "start": body.start,
            "end": body.end,
            "tags": list(body.tags),
            "kinds": list(body.kinds),
            "speakers": list(body.speakers),
            "mode": body.mode,
            "save": body.save,
        }
        app = self.ctx.app
        if not body.stream:
            answer = await self.call(app.ask.ask, body.question, **kwargs)
            self.send_model(AnswerOut.of(answer))
            return
        # refuse bad input now, with a 400, rather than in a failed event later
        await self.call(app.ask.check, body.question, **kwargs)
        task = asyncio.ensure_future(self.call(app.ask.ask, body.question, ask_id=ask_id, **kwargs))
        task.add_done_callback(_log_failure)
        events = f"{self.request.path.rsplit('/ask', 1)[0]}/events?ask_id={ask_id}"
        self.send_model(AskStarted(ask_id=ask_id, state="running", events=events), 202)


def _log_failure(task: asyncio.Future[Any]) -> None:
    if task.cancelled():
        return
    exc = task.exception()
    if exc is not None and not isinstance(exc, RecordRouteError):
        log.error("a streamed answer failed", exc_info=exc)


class ConversationsHandler(BaseHandler):
    async def get(self) -> None:
        query = self.query_model(ConversationsQuery)
        found = await self.call(
            self.ctx.app.ask.conversations,
            recording_id=query.recording_id or None,
            limit=query.limit,
        )
        self.send_model(ConversationList(items=[ConversationOut.of(c) for c in found]))


class ConversationHandler(BaseHandler):
    async def get(self, conversation_id: str) -> None:
        found = await self.call(self.ctx.app.ask.conversation, conversation_id)
        self.send_model(ConversationDetails.of(found))

    async def delete(self, conversation_id: str) -> None:
        await self.call(self.ctx.app.ask.delete_conversation, conversation_id)
        self.send_model(ConversationDeleted(deleted=conversation_id))
