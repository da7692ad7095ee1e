"""The pipeline's steps. Each reads what earlier steps saved and saves its own artifacts.

Artifacts are written only when a step has finished, atomically, so a cancelled
or failed step leaves nothing half-written behind.
"""

from __future__ import annotations

import dataclasses
import io
import json
import logging
import unicodedata
from collections.abc import Callable
from typing import Any

from ..engine_protocols import CancelCheck, Diarizer, Embedder, LanguageModel, Transcriber
from ..errors import InvalidInputError, JobCancelledError, UnsupportedFileError, echo
from ..models import Recording, Segment
from . import formats, speakers
from .grounded import GroundedSummarizer
from .keywords import keyword_counts
from .ports import DurationProbe, RecordingStore, SearchSink, VoiceBook
from .summary_markdown import searchable_text
from .templates import DEFAULT as DEFAULT_TEMPLATE
from .templates import TemplateSource, get_template

log = logging.getLogger(__name__)

#: every step, in the order they run
STEP_ORDER = ("ingest", "transcribe", "diarize", "summarize", "title", "keywords", "embed")
#: the steps a job runs when it names none: all of them (those that do not apply are dropped)
DEFAULT_STEPS = STEP_ORDER
#: names the original RecordRoute and its client used (and "speakers" for diarize)
STEP_ALIASES = {
    "stt": "transcribe",
    "summary": "summarize",
    "embedding": "embed",
    "index": "embed",
    "speakers": "diarize",
    "diarization": "diarize",
}
#: relative cost, for an overall percentage
STEP_WEIGHTS = {
    "ingest": 1,
    "transcribe": 12,
    "diarize": 3,
    "summarize": 8,
    "title": 1,
    "keywords": 1,
    "embed": 2,
}
_TEXT_ENCODINGS = ("utf-8-sig", "cp949", "euc-kr")


@dataclasses.dataclass
class StepContext:
    recording: Recording
    store: RecordingStore
    options: dict[str, Any]
    report: Callable[[float, str], None]
    should_cancel: CancelCheck
    transcriber: Callable[[], Transcriber]
    language_model: Callable[[], LanguageModel]
    embedder: Callable[[], Embedder]
    search: SearchSink | None
    probe_duration: DurationProbe | None
    diarizer: Callable[[], Diarizer] | None = None
    voices: VoiceBook | None = None
    notes: list[str] = dataclasses.field(default_factory=list)
    #: where custom summary templates are kept (None: only the built-in ones)
    templates: TemplateSource | None = None


def plan_steps(
    requested: list[str] | tuple[str, ...], kind: str, *, transcribed: bool = False
) -> list[str]:
    """Canonical, ordered steps with what they depend on; refuses unknown names.

    A recording that has a transcript (``transcribed``) is not transcribed again unless
    ``transcribe`` is asked for: summarising an archive reads the transcripts it has.
    """
    names = []
    for raw in requested:
        name = STEP_ALIASES.get(raw, raw)
        if name not in STEP_ORDER:
            raise InvalidInputError(
                f"{echo(raw)} is not a pipeline step.",
                f"Use some of: {', '.join(STEP_ORDER)} (or stt, summary, embedding).",
            )
        names.append(name)
    if not names:
        names = list(DEFAULT_STEPS)
    wanted = set(names) | {"ingest"}
    if (
        kind in ("audio", "video")
        and not transcribed
        and wanted & {"summarize", "title", "keywords", "embed"}
    ):
        wanted.add("transcribe")
    if kind not in ("audio", "video"):
        wanted -= {"transcribe", "diarize"}
    if "title" in wanted:
        wanted.add("summarize")
    return [s for s in STEP_ORDER if s in wanted]


# -- helpers --------------------------------------------------------------------------
def _transcript_segments(ctx: StepContext) -> list[Segment]:
    """The transcript's segments, each with its speaker when the recording was diarized.

    The user's edit of the Markdown transcript wins over the timed segments; its lines keep
    the speaker they name (``Name: text``), and a line that names none takes the speaker
    who talked at its time.
    """
    rid = ctx.recording.id
    md = ctx.store.find_artifact(rid, "transcript", "md")
    if md is None:
        raise InvalidInputError(
            f"Recording {rid} has no transcript yet.", "Run the transcribe step first."
        )
    if not md.edited:
        seg = ctx.store.find_artifact(rid, "segments", "json")
        if seg is not None:
            return formats.segments_from_json(ctx.store.read_text(seg))
    known = speakers.find(ctx.store, rid)
    if known is None:
        return formats.segments_from_markdown(ctx.store.read_text(md))
    parsed = formats.segments_from_markdown(ctx.store.read_text(md), known.names())
    return formats.assign_speakers(parsed, known.turns, keep=True)


def _save(ctx: StepContext, kind: str, fmt: str, text: str, **kw: Any) -> None:
    stem = ctx.recording.original_name.rsplit(".", 1)[0]
    suffix = {
        "transcript": "",
        "segments": ".segments",
        "summary": ".summary",
        "title": ".title",
        "keywords": ".keywords",
        "export": "",
        "vector": ".index",
        "speakers": ".speakers",
    }[kind]
    ctx.store.save_artifact(
        ctx.recording.id, kind, fmt, text.encode("utf-8"), file_name=f"{stem}{suffix}.{fmt}", **kw
    )


def _transcript_edited(ctx: StepContext) -> bool:
    md = ctx.store.find_artifact(ctx.recording.id, "transcript", "md")
    return md is not None and md.edited


# -- steps ----------------------------------------------------------------------------
def ingest(ctx: StepContext) -> None:
    """Audio/video: measure the duration. PDF and text: their text becomes the transcript."""
    rec = ctx.recording
    path = ctx.store.source_path(rec.id)
    if rec.kind in ("audio", "video"):
        if ctx.probe_duration is not None:
            seconds = ctx.probe_duration(path)
            if seconds:
                ctx.store.set_duration(rec.id, seconds)
        return
    if _transcript_edited(ctx):
        ctx.notes.append("ingest: the transcript was edited by hand; the edit was kept")
        return
    if rec.kind == "pdf":
        text = _pdf_text(path.read_bytes(), rec.original_name)
    elif rec.kind == "text":
        text = _decode_text(path.read_bytes(), rec.original_name)
    else:
        raise UnsupportedFileError(
            f"{rec.original_name!r} has no known type, so it cannot be processed.",
            "Convert it to audio, video, PDF or text and add it again.",
        )
    text = unicodedata.normalize("NFC", text)  # a Mac's decomposed Hangul is found by search
    _save(ctx, "transcript", "md", text if text.endswith("\n") else text + "\n")
    ctx.report(1.0, "ingest: text extracted")


def _decode_text(data: bytes, name: str) -> str:
    for encoding in _TEXT_ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnsupportedFileError(
        f"{name!r} is not text in UTF-8, CP949 or EUC-KR.", "Save it as UTF-8 and add it again."
    )


def _pdf_text(data: bytes, name: str) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError) as exc:
        raise UnsupportedFileError(
            f"The PDF {name!r} cannot be read ({exc}).", "Check the file opens in a PDF viewer."
        ) from exc
    text = "\n\n".join(p.strip() for p in pages if p.strip())
    if not text:
        raise UnsupportedFileError(
            f"The PDF {name!r} has no extractable text (it may be scanned images).",
            "Run OCR on it first, or add a text version.",
        )
    return text


def transcribe(ctx: StepContext) -> None:
    rec = ctx.recording
    vocabulary = ctx.store.vocabulary(20)
    prompt = ctx.options.get("initial_prompt") or ", ".join(vocabulary)[:200] or None
    language = ctx.options.get("language") or None
    if language == "auto":
        language = None
    engine = ctx.transcriber()

    def on_progress(done: float, total: float | None) -> None:
        total = total or rec.duration_s
        if total:
            ctx.report(
                min(0.99, done / total),
                f"transcribe: {formats.clock(done)} of {formats.clock(total)}",
            )

    result = engine.transcribe(
        ctx.store.source_path(rec.id),
        language=language,
        initial_prompt=prompt,
        word_timestamps=bool(ctx.options.get("word_timestamps")),
        on_progress=on_progress,
        should_cancel=ctx.should_cancel,
    )
    if ctx.should_cancel():
        raise JobCancelledError("The transcription was cancelled.", "Start it again when needed.")
    segments = list(result.segments)
    known = speakers.find(ctx.store, rec.id)
    if known is not None:  # diarized before: the new segments get the speakers found then
        segments = known.apply(segments)
    meta = {
        "language": result.language,
        "engine": result.engine,
        "model": result.model,
        "languages": [list(x) for x in result.languages],
    }
    _save(ctx, "segments", "json", formats.to_json(segments, **meta), meta=meta)
    _save(ctx, "export", "srt", formats.to_srt(segments))
    _save(ctx, "export", "vtt", formats.to_vtt(segments))
    if result.duration_s:
        ctx.store.set_duration(rec.id, result.duration_s)
    if _transcript_edited(ctx):
        ctx.notes.append(
            "transcribe: the transcript was edited by hand; the edit was kept "
            "(the new segments are saved beside it)"
        )
    else:
        _save(ctx, "transcript", "md", formats.to_markdown(segments), meta=meta)
    ctx.report(1.0, "transcribe: done")


def _language_hint(ctx: StepContext) -> str:
    seg = ctx.store.find_artifact(ctx.recording.id, "segments", "json")
    return str(seg.meta.get("language", "")) if seg else ""


def summarize(ctx: StepContext) -> None:
    """A grounded summary: every line checked against the transcript, each with its time.

    Job options: ``template`` (meeting, lecture, interview or a custom one), ``summary_mode``
    (auto, extractive, abstractive) and ``summary_tokens``.
    """
    segments = _transcript_segments(ctx)
    if not any(s.text.strip() for s in segments):
        raise InvalidInputError(
            f"The transcript of {ctx.recording.display_name!r} is empty, so there is nothing to "
            "summarise.",
            "Check the recording has speech, or edit the transcript.",
        )
    source = ctx.templates
    chosen = ctx.options.get("template") or (
        source.default_template(ctx.recording) if source else DEFAULT_TEMPLATE
    )
    template = get_template(str(chosen), source)
    mode = str(ctx.options.get("summary_mode") or (source.default_mode if source else "auto"))
    summarizer = GroundedSummarizer(
        ctx.embedder().embed,
        None if mode == "extractive" else ctx.language_model(),
        template=template,
        mode=mode,
        max_tokens=int(ctx.options.get("summary_tokens", 400)),
    )
    result = summarizer.summarize(
        segments,
        language_hint=_language_hint(ctx),
        progress=ctx.report,
        should_cancel=ctx.should_cancel,
    )
    _save(ctx, "summary", "md", result.markdown, meta=result.meta())
    ctx.notes.append(f"summary: {result.mode} ({result.reason})")
    ctx.report(1.0, "summary: done")


def title(ctx: StepContext) -> None:
    """The title the summary chose and checked (the summary step always runs first)."""
    rid = ctx.recording.id
    summary = ctx.store.find_artifact(rid, "summary", "md")
    chosen = summary.meta.get("title") if summary else None
    line = str(chosen.get("text") or "") if isinstance(chosen, dict) else ""
    if not line:  # an earlier, unchecked title is not kept either
        ctx.store.set_title(rid, "")
        ctx.notes.append(
            "title: nothing in the transcript makes a grounded title; the recording shows its name"
        )
        ctx.report(1.0, "title: none")
        return
    ctx.store.set_title(rid, line)
    _save(ctx, "title", "txt", line + "\n")
    ctx.report(1.0, "title: done")


def keywords(ctx: StepContext) -> None:
    text = " ".join(s.text for s in _transcript_segments(ctx))
    counts = keyword_counts(text)
    _save(ctx, "keywords", "json", json.dumps(counts, ensure_ascii=False, indent=1))
    ctx.store.set_keywords(ctx.recording.id, counts)
    ctx.report(1.0, "keywords: done")


def embed(ctx: StepContext) -> None:
    """Chunk the transcript (and summary), embed the chunks, put them in the search index."""
    if ctx.search is None:
        raise InvalidInputError(
            "This RecordRoute has no search index to embed into.", "Open it with search enabled."
        )
    segments = [s for s in _transcript_segments(ctx) if s.text.strip()]
    summary_art = ctx.store.find_artifact(ctx.recording.id, "summary", "md")
    summary = searchable_text(ctx.store.read_text(summary_art)) if summary_art else None
    embedder = ctx.embedder()
    rows = ctx.search.index_recording(
        ctx.store.get_recording(ctx.recording.id),
        segments,
        summary,
        embedder,
        should_cancel=ctx.should_cancel,
        report=ctx.report,
    )
    # a record of what the index holds for this recording (the vectors live in the index)
    manifest = {"embedder": embedder.name, "dimension": embedder.dimension, "chunks": rows}
    _save(ctx, "vector", "json", json.dumps(manifest), meta=manifest)
    ctx.notes.append(f"index: {rows} chunks")
    ctx.report(1.0, "index: done")


def diarize(ctx: StepContext) -> None:
    """Who spoke when: speaker turns saved, and the transcript's segments given speakers."""
    rec = ctx.recording
    if ctx.diarizer is None:
        raise InvalidInputError(
            "This RecordRoute has no diarizer configured, so speakers cannot be found.",
            "Open it through RecordRoute(...), which configures RECORDROUTE_DIARIZE_PROVIDER.",
        )
    engine = ctx.diarizer()

    def on_progress(done: float, total: float | None) -> None:
        if total:
            ctx.report(
                min(0.99, done / total), f"diarize: {formats.clock(done)} of {formats.clock(total)}"
            )

    fixed = int(ctx.options.get("num_speakers") or 0) or None
    result = engine.diarize(
        ctx.store.source_path(rec.id),
        num_speakers=fixed,
        on_progress=on_progress,
        should_cancel=ctx.should_cancel,
    )
    if ctx.should_cancel():
        raise JobCancelledError("The diarization was cancelled.", "Start it again when needed.")
    found = speakers.from_diarization(result)
    if ctx.voices is not None:
        found = speakers.recognise(found, ctx.voices)
    applied = _apply_speakers(ctx, found)
    known = [s.name for s in found.speakers if s.name]
    ctx.notes.append(
        f"diarize: {len(found.labels)} speaker(s)"
        + (f", recognised {', '.join(known)}" if known else "")
        + (f", {applied} transcript segment(s) labelled" if applied else "")
    )
    ctx.report(1.0, "diarize: done")


def _apply_speakers(ctx: StepContext, found: speakers.Speakers) -> int:
    """Give the saved transcript's segments their speakers; how many were labelled."""
    labelled = speakers.save(ctx.store, ctx.recording, found)
    if labelled and _transcript_edited(ctx):
        ctx.notes.append(
            "diarize: the transcript was edited by hand; the edit was kept (its lines take "
            "their speakers by time)"
        )
    return labelled


STEPS: dict[str, Callable[[StepContext], None]] = {
    "ingest": ingest,
    "transcribe": transcribe,
    "diarize": diarize,
    "summarize": summarize,
    "title": title,
    "keywords": keywords,
    "embed": embed,
}
