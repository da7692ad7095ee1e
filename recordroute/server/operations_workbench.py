"""The workbench's native operations in the operation table: speakers and voice
profiles, summary templates, asking the archive, resumable uploads and media links."""

from __future__ import annotations

from . import schemas_ask as a
from . import schemas_speakers as sp
from . import schemas_templates as t
from . import schemas_uploads as u
from .openapi import FILE, Body, Operation
from .operations import FILE_REPLIES, native

_SPEAKERS = "/recordings/{recording_id}/speakers"
_SESSION = "/uploads/sessions/{upload_id}"

SPEAKER_OPERATIONS: tuple[Operation, ...] = (
    native(
        "GET",
        _SPEAKERS,
        "Who spoke when, and each speaker's name or suggested name",
        "speakers",
        sp.SpeakersOut,
    ),
    native(
        "POST",
        f"{_SPEAKERS}/rename",
        "Name a speaker (an empty name gives back 'Speaker N'); the voice joins the person's "
        "voice profile",
        "speakers",
        sp.SpeakersOut,
        body=sp.SpeakerRenameBody,
        more=[409],
    ),
    native(
        "POST",
        f"{_SPEAKERS}/merge",
        "Merge two speakers of a recording",
        "speakers",
        sp.SpeakersOut,
        body=sp.KeepDropBody,
        more=[409],
    ),
    native(
        "POST",
        f"{_SPEAKERS}/move",
        "Give a stretch of time (a transcript line) to another speaker",
        "speakers",
        sp.SpeakersOut,
        body=sp.SpeakerMoveBody,
        more=[409],
    ),
    native(
        "GET",
        "/voice-profiles",
        "The people whose voices are recognised",
        "speakers",
        sp.VoiceProfileList,
    ),
    native(
        "POST",
        "/voice-profiles/merge",
        "Two profiles of one person become one",
        "speakers",
        sp.VoiceProfileOut,
        body=sp.KeepDropBody,
        more=[404, 409],
    ),
    native(
        "PATCH",
        "/voice-profiles/{name}",
        "Rename a person (in every recording too)",
        "speakers",
        sp.VoiceProfileOut,
        body=sp.ProfileRenameBody,
        more=[409],
    ),
    native(
        "DELETE",
        "/voice-profiles/{name}",
        "Forget a person's voice: every stored vector is deleted",
        "speakers",
        sp.VoiceProfileDeleted,
    ),
)

TEMPLATE_OPERATIONS: tuple[Operation, ...] = (
    native(
        "GET",
        "/templates",
        "Summary templates (built-in and custom) and the default of each tag",
        "summaries",
        t.TemplateList,
    ),
    native("GET", "/templates/{name}", "A summary template", "summaries", t.TemplateOut),
    native(
        "PUT",
        "/templates/{name}",
        "Create or replace a custom template (sections, instructions, cue words)",
        "summaries",
        t.TemplateOut,
        body=t.TemplateBody,
    ),
    native(
        "DELETE",
        "/templates/{name}",
        "Delete a custom template (tags and recordings that used it fall back)",
        "summaries",
        t.TemplateDeleted,
    ),
    native(
        "PUT",
        "/tags/{tag}/template",
        "The template recordings with this tag use by default (null: none)",
        "summaries",
        t.TagTemplate,
        body=t.TemplateChoice,
    ),
    native(
        "GET",
        "/recordings/{recording_id}/template",
        "The template the recording's next summary uses",
        "summaries",
        t.RecordingTemplate,
    ),
    native(
        "PUT",
        "/recordings/{recording_id}/template",
        "Choose the recording's template (null: use its tag's or the default)",
        "summaries",
        t.RecordingTemplate,
        body=t.TemplateChoice,
        more=[409],
    ),
)

ASK_OPERATIONS: tuple[Operation, ...] = (
    native(
        "POST",
        "/ask",
        "Ask the archive; every sentence of the answer cites [recording, HH:MM:SS]. With "
        "stream=true the answer arrives over the events WebSocket as ask.* events carrying "
        "ask_id (connect with ?ask_id= first and send the same ask_id here to miss none)",
        "ask",
        {
            200: Body("The answer", a.AnswerOut),
            202: Body("Streaming over the events WebSocket", a.AskStarted),
        },
        body=a.AskBody,
        more=[404, 409, 502, 503],
    ),
    native(
        "GET",
        "/conversations",
        "Saved conversations, most recent first",
        "ask",
        a.ConversationList,
        query=a.ConversationsQuery,
    ),
    native(
        "GET",
        "/conversations/{conversation_id}",
        "A conversation with its questions and answers",
        "ask",
        a.ConversationDetails,
    ),
    native(
        "DELETE",
        "/conversations/{conversation_id}",
        "Delete a conversation",
        "ask",
        a.ConversationDeleted,
    ),
)

UPLOAD_OPERATIONS: tuple[Operation, ...] = (
    native(
        "POST",
        "/uploads/sessions",
        "Start a resumable upload (type, size limit and free disk checked now)",
        "uploads",
        {201: Body("Upload opened", u.UploadSessionOut)},
        body=u.UploadStart,
        more=[507],
    ),
    native(
        "GET",
        _SESSION,
        "Where an upload stands (resume from received_bytes)",
        "uploads",
        u.UploadSessionOut,
    ),
    native(
        "DELETE",
        _SESSION,
        "Cancel an upload and remove what arrived",
        "uploads",
        {204: Body("Cancelled")},
        more=[409],
    ),
    native(
        "POST",
        f"{_SESSION}/chunks",
        "Append the body at byte ?offset= (a piece cut off keeps what arrived)",
        "uploads",
        {200: Body("Piece stored", u.UploadProgress)},
        query=u.ChunkQuery,
        body="octet-stream",
        more=[409, 507],
    ),
    native(
        "POST",
        f"{_SESSION}/finish",
        "Store the complete upload as a recording and queue its steps",
        "uploads",
        {201: Body("Recording created", u.UploadFinished)},
        more=[409, 415, 507],
    ),
    *(
        native(
            method,
            "/media/{artifact_id}",
            "Stream one file for a player (Range supported); a signed link or the token",
            "artifacts",
            {
                **FILE_REPLIES,
                200: Body("The file", FILE),
                **({200: Body("Headers only"), 206: Body("Headers of a range")} if head else {}),
            },
            query=u.MediaQuery,
            public=True,
            more=[401],
        )
        for method, head in (("GET", False), ("HEAD", True))
    ),
)

WORKBENCH_OPERATIONS = SPEAKER_OPERATIONS + TEMPLATE_OPERATIONS + ASK_OPERATIONS + UPLOAD_OPERATIONS
