"""The pipeline with real models: the embedded LLM, faster-whisper, the USE embedder."""

from __future__ import annotations

import subprocess
import threading
import time
from pathlib import Path

import pytest

from recordroute import RecordRoute, Segment, Settings
from recordroute.engine_protocols import LanguageModel
from recordroute.events import Event
from recordroute.pipeline import MapReduceSummarizer
from recordroute.providers import create_language_model
from tests.support.wer import word_error_rate

pytestmark = pytest.mark.slow

JFK = (
    "And so my fellow Americans, ask not what your country can do for you, "
    "ask what you can do for your country."
)


class CountingModel:
    """Wraps a real model and records every prompt it gets (no behaviour changed)."""

    def __init__(self, inner: LanguageModel) -> None:
        self.inner = inner
        self.name = inner.name
        self.prompts: list[str] = []

    @property
    def context_window(self) -> int:
        return self.inner.context_window

    def available(self) -> object:
        return self.inner.available()

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)

    def complete(self, prompt: str, **kw: object) -> str:
        self.prompts.append(prompt)
        return self.inner.complete(prompt, **kw)  # type: ignore[arg-type]


def _long_meeting() -> list[Segment]:
    topics = [
        "the budget for the new office",
        "hiring two engineers",
        "the launch date in May",
        "customer complaints about login",
        "moving the servers",
        "the training plan",
    ]
    segments = []
    t = 0.0
    for n in range(120):
        topic = topics[n % len(topics)]
        text = (
            f"Speaker {n % 3 + 1} talked about {topic} and said that item {n} needs a "
            f"decision by the team before the next meeting on Friday."
        )
        segments.append(Segment(t, t + 9.5, text))
        t += 10
    return segments


def test_map_reduce_maps_every_chunk_and_reduces_within_the_context(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "db", llm_context=768)
    model = CountingModel(create_language_model(settings))
    segments = _long_meeting()
    total = sum(model.count_tokens(s.text) for s in segments)
    assert total > 3 * model.context_window  # the transcript spans over 3 context windows
    summarizer = MapReduceSummarizer(model, max_tokens=96)
    result = summarizer.summarize(segments)
    answer, _budget = summarizer.plan("en")
    maps = [p for p in model.prompts if p.startswith("Below is part of a recording")]
    reduces = [p for p in model.prompts if p.startswith("Below are partial summaries")]
    assert len(maps) == result.map_calls >= 4  # every chunk was mapped
    assert len(reduces) == result.reduce_calls >= 1 and result.levels >= 1
    for segment in segments:  # every line of the transcript went into some map prompt
        assert any(segment.text in p for p in maps)
    assert result.max_prompt_tokens + answer <= model.context_window
    assert all(model.count_tokens(p) + answer <= model.context_window for p in model.prompts)
    headings = [line for line in result.markdown.splitlines() if line.startswith("## ")]
    assert headings == [
        "## Topics",
        "## Key points",
        "## Decisions",
        "## Action items",
        "## Risks and issues",
        "## Next steps",
    ]


@pytest.fixture
def long_audio(shared_audio: Path, tmp_path: Path) -> Path:
    out = tmp_path / "long.wav"
    subprocess.run(
        [
            "ffmpeg",
            "-loglevel",
            "error",
            "-stream_loop",
            "15",
            "-i",
            str(shared_audio / "jfk.flac"),
            "-ac",
            "1",
            "-ar",
            "16000",
            str(out),
        ],
        check=True,
    )
    return out


def test_cancel_mid_transcription_stops_fast_and_leaves_no_files(
    tmp_path: Path, long_audio: Path
) -> None:
    settings = Settings(data_dir=tmp_path / "db", min_free_mb=0, whisper_model="bundled-tiny.en")
    with RecordRoute(settings) as app:
        rec = app.add_file(long_audio)
        transcribing = threading.Event()

        def watch(event: Event) -> None:
            if event.type == "job.progress" and str(event.data.get("stage", "")).startswith(
                "transcribe: 00:00:"
            ):
                transcribing.set()

        app.events.subscribe(watch)
        app.jobs.start_workers(1)
        job = app.jobs.submit(rec.id, ["transcribe"])
        assert transcribing.wait(120), "transcription never reported progress"
        asked = time.monotonic()
        app.jobs.cancel(job.id)
        while app.jobs.get(job.id).state == "running" and time.monotonic() - asked < 30:
            time.sleep(0.05)
        stopped_after = time.monotonic() - asked
        app.jobs.stop_workers()
        final = app.jobs.get(job.id)
        assert final.state == "cancelled", final
        assert stopped_after < 5, stopped_after
        kinds = {a.kind for a in app.recordings.artifacts(rec.id)}
        assert kinds == {"source"}
        outputs = app.data_dir / "outputs" / rec.id
        assert not outputs.exists() or not any(outputs.iterdir())
        assert not any((app.data_dir / "tmp").iterdir())


def test_shutdown_mid_job_leaves_it_resumable(tmp_path: Path, long_audio: Path) -> None:
    settings = Settings(data_dir=tmp_path / "db", min_free_mb=0, whisper_model="bundled-tiny.en")
    with RecordRoute(settings) as app:
        rec = app.add_file(long_audio)
        started = threading.Event()
        app.events.subscribe(lambda e: e.type == "job.progress" and started.set())
        app.jobs.start_workers(1)
        job = app.jobs.submit(rec.id, ["transcribe"])
        assert started.wait(120)
        app.jobs.stop_workers()
        assert app.jobs.get(job.id).state == "queued"  # will run again on the next start


def test_audio_end_to_end_with_search_and_similar(shared_audio: Path, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "db", min_free_mb=0, whisper_model="bundled-tiny.en")
    with RecordRoute(settings) as app:
        speech = app.add_file(shared_audio / "jfk.flac")
        job = app.process(speech.id)
        assert job.state == "done", job.error
        rec = app.get_recording(speech.id)
        assert rec.title and rec.duration_s == pytest.approx(11, abs=0.5)
        kinds = sorted(a.kind for a in app.recordings.artifacts(rec.id))
        assert kinds == [
            "export",
            "export",
            "keywords",
            "segments",
            "source",
            "speakers",
            "summary",
            "title",
            "transcript",
            "vector",
        ]
        (manifest,) = app.recordings.artifacts(rec.id, "vector")
        assert manifest.meta["chunks"] >= 1 and manifest.meta["dimension"] == 512
        assert app.legacy.record(rec.id)["completed_tasks"]["embedding"] is True
        (transcript,) = app.recordings.artifacts(rec.id, "transcript")
        text = app.recordings.read_text(transcript.id)
        assert text.startswith("[00:00:00 - 00:00:")
        body = " ".join(line.split("] ", 1)[1] for line in text.splitlines())
        assert word_error_rate(JFK, body) <= 0.1
        doc = app.add_file(
            _text(tmp_path / "국가.txt", "국가를 위해 무엇을 할 수 있는지 물어보라는 연설")
        )
        other = app.add_file(
            _text(tmp_path / "recipe.txt", "Mix flour, eggs and sugar, then bake.")
        )
        for r in (doc, other):
            assert app.process(r.id, ["embed"]).state == "done"
        hits = app.search("what you can do for your country")
        assert hits[0].recording_id == speech.id and "country" in hits[0].snippet
        similar = app.search.similar(doc.id, k=2)
        assert similar[0].recording_id == speech.id  # Korean finds English
        app.recordings.delete(speech.id)
        assert speech.id not in {h.recording_id for h in app.search("your country")}


def _text(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path
