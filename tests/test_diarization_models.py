"""Speakers with the real models on real recordings: the bundled voice encoder and Whisper."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import wave
from pathlib import Path

import numpy as np
import pytest

from recordroute import RecordRoute, Settings, cli
from recordroute.providers.diarizer import BundledDiarizer
from recordroute.providers.pyannote_diarizer import PyannoteDiarizer
from tests.support import conversations
from tests.support.der import diarization_error

pytestmark = pytest.mark.slow

#: multilingual.mp3: an English reader until 29.1 s, then a German reader from 31.0 s
ENGLISH_END, GERMAN_START = 29.1, 31.0


def _seconds(turns: list[tuple[float, float, str]], who: str, lo: float, hi: float) -> float:
    return sum(max(0.0, min(b, hi) - max(a, lo)) for a, b, s in turns if s == who)


def test_two_speakers_found_and_labelled_in_a_real_recording(
    shared_audio: Path, tmp_path: Path
) -> None:
    diarizer = BundledDiarizer(Settings(data_dir=tmp_path))
    progress: list[float] = []
    result = diarizer.diarize(
        shared_audio / "multilingual.mp3", on_progress=lambda done, total: progress.append(done)
    )
    assert result.speakers == ("Speaker 1", "Speaker 2")
    turns = [(t.start, t.end, t.speaker) for t in result.turns]
    english = _seconds(turns, "Speaker 1", 0, ENGLISH_END)
    german = _seconds(turns, "Speaker 2", GERMAN_START, 61)
    assert english > 0.95 * _seconds(turns, "Speaker 1", 0, 61) and english > 25
    assert german > 0.95 * _seconds(turns, "Speaker 2", 0, 61) and german > 25
    assert len(result.voices["Speaker 1"]) == 256
    assert progress == sorted(progress) and progress[-1] == pytest.approx(result.duration_s)


def test_a_fixed_speaker_count_is_obeyed(shared_audio: Path, tmp_path: Path) -> None:
    diarizer = BundledDiarizer(Settings(data_dir=tmp_path, diarize_speakers=3))
    result = diarizer.diarize(shared_audio / "multilingual.mp3")
    assert len(result.speakers) == 3


def test_a_synthetic_three_voice_conversation_is_diarized_within_target(
    shared_audio: Path, tmp_path: Path
) -> None:
    conv = conversations.build(shared_audio, 1, 3)  # the German and English readers, left
    result = BundledDiarizer(Settings(data_dir=tmp_path)).diarize_samples(
        conv.samples, BundledDiarizer(Settings(data_dir=tmp_path)).options(None)
    )
    der = diarization_error(conv.reference, [(t.start, t.end, t.speaker) for t in result.turns])
    assert len(result.speakers) == 3
    assert der.der < 0.10, der


def test_transcribe_then_diarize_gives_every_export_its_speakers(
    shared_audio: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings(data_dir=tmp_path / "db", whisper_model="bundled-base")
    app = RecordRoute(settings)
    rec = app.add_file(shared_audio / "multilingual.mp3")
    job = app.process(rec.id, ["transcribe"])  # diarize is added by default ...
    assert job.state == "done", job.error
    assert app.steps.status(rec.id)["diarize"] == "missing"
    job = app.process(rec.id, ["diarize"])  # ... and runs alone on a transcribed recording
    assert job.state == "done", job.error
    assert app.steps.status(rec.id)["diarize"] == "done"
    segments = app.transcript_segments(rec.id)
    english = [s for s in segments if s.end <= ENGLISH_END]
    german = [s for s in segments if s.start >= GERMAN_START]
    assert english and german
    assert all(s.speaker == "Speaker 1" for s in english)
    assert all(s.speaker == "Speaker 2" for s in german)
    _name, md = app.transcripts.export(rec.id, "md")
    lines = md.splitlines()
    shape = re.compile(r"^\[\d{2}:\d{2}:\d{2} - \d{2}:\d{2}:\d{2}\] Speaker [12]: \S")
    assert lines and all(shape.match(line) for line in lines), lines[:3]
    assert "[Speaker 2] " in app.transcripts.export(rec.id, "srt")[1]
    assert "<v Speaker 1>" in app.transcripts.export(rec.id, "vtt")[1]
    assert "Speaker 2: " in app.transcripts.export(rec.id, "txt")[1]
    assert '"speaker": "Speaker 1"' in app.transcripts.export(rec.id, "json")[1]
    assert app.speakers.of(rec.id).labels == ("Speaker 1", "Speaker 2")

    # the user edits the transcript: one line keeps its name, one loses it; both keep speakers
    edited = [lines[0].replace("Speaker 1: ", "Speaker 1: (edited) "), *lines[1:]]
    edited[-1] = re.sub(r"\] Speaker 2: ", "] ", edited[-1])
    app.transcripts.edit(rec.id, "\n".join(edited) + "\n")
    after = app.transcript_segments(rec.id)
    assert after[0].speaker == "Speaker 1" and after[0].text.startswith("(edited) ")
    assert after[-1].speaker == "Speaker 2" and not after[-1].text.startswith("Speaker")
    # renaming a speaker reaches the user's edit too, and the exports
    app.speakers.rename(rec.id, "Speaker 1", "Reader")
    _name, md = app.transcripts.export(rec.id, "md")
    assert md.splitlines()[0].split("] ", 1)[1].startswith("Reader: (edited) ")
    assert "[Reader] " in app.transcripts.export(rec.id, "srt")[1]

    # search: "spoken by" keeps the passages that speaker said
    assert app.process(rec.id, ["embed"]).state == "done"
    query = "permission is hereby granted free of charge"
    assert [h.recording_id for h in app.search.query(query, spoken_by="reader")] == [rec.id]
    assert app.search.query(query, spoken_by="Nobody") == []
    app.close()

    # the command line: list, rename, profiles, search
    data = ["--data-dir", str(settings.data_dir)]
    assert cli.main([*data, "speakers", rec.id]) == 0
    assert "Reader" in capsys.readouterr().out
    assert cli.main([*data, "speakers", rec.id, "--rename", "Speaker 2", "Leser", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert [s["name"] for s in shown["speakers"]] == ["Reader", "Leser"]
    assert cli.main([*data, "voices"]) == 0
    assert "Leser" in capsys.readouterr().out
    assert cli.main([*data, "search", query, "--spoken-by", "Leser"]) == 0
    assert f"nothing found for {query!r}" in capsys.readouterr().out
    assert cli.main([*data, "voices", "--delete", "Leser"]) == 0
    assert "1 voice vector(s)" in capsys.readouterr().out
    assert cli.main([*data, "speakers", rec.id, "--rename", "Nobody", "X"]) == 1
    assert "no speaker 'Nobody'" in capsys.readouterr().err


def _write_wav(path: Path, samples: np.ndarray) -> Path:
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(16_000)
        handle.writeframes((np.clip(samples, -1, 1) * 32767).astype(np.int16).tobytes())
    return path


def test_a_named_voice_is_recognised_in_a_later_recording(
    shared_audio: Path, tmp_path: Path
) -> None:
    from recordroute.providers.media import decode_audio

    voices = decode_audio(shared_audio / "multilingual.mp3")
    rate = 16_000
    # two recordings of the same two readers, from disjoint parts of the file
    first = np.concatenate([voices[: 14 * rate], voices[31 * rate : 45 * rate]])
    second = np.concatenate([voices[15 * rate : 29 * rate], voices[46 * rate : 60 * rate]])
    app = RecordRoute(Settings(data_dir=tmp_path / "db"))
    rec_a = app.add_file(_write_wav(tmp_path / "a.wav", first))
    assert app.process(rec_a.id, ["diarize"]).state == "done"
    app.speakers.rename(rec_a.id, "Speaker 1", "Anna")
    app.speakers.rename(rec_a.id, "Speaker 2", "Bernd")
    assert [(p.name, p.vectors) for p in app.speakers.list_profiles()] == [
        ("Anna", 1),
        ("Bernd", 1),
    ]
    rec_b = app.add_file(_write_wav(tmp_path / "b.wav", second))
    assert app.process(rec_b.id, ["diarize"]).state == "done"
    found = app.speakers.of(rec_b.id)
    assert [s.name for s in found.speakers] == ["Anna", "Bernd"]
    assert all(s.score >= 0.84 for s in found.speakers), found.speakers
    # a profile renamed follows into every recording; deleted, its vectors are gone
    app.speakers.rename_profile("Anna", "Anna Kim")
    assert app.speakers.of(rec_a.id).speakers[0].name == "Anna Kim"
    assert app.speakers.of(rec_b.id).speakers[0].name == "Anna Kim"
    assert app.speakers.delete_profile("Bernd") == 1
    assert "Bernd" not in app.speakers.profiles.vectors("bundled-resemblyzer")
    app.close()


def test_a_local_pyannote_pipeline_folder_loads_and_diarizes(
    shared_audio: Path, tmp_path: Path
) -> None:
    folder = os.environ.get("PYANNOTE_PIPELINE_DIR", "")
    if importlib.util.find_spec("pyannote") is None:
        pytest.skip("pyannote.audio is not installed (it is optional: pip install pyannote.audio)")
    if not folder:
        pytest.skip(
            "no local pyannote pipeline folder: set PYANNOTE_PIPELINE_DIR to one "
            "(pyannote's models are gated and cannot be downloaded here)"
        )
    diarizer = PyannoteDiarizer(Settings(data_dir=tmp_path, pyannote_pipeline=folder))
    assert diarizer.available().ok
    result = diarizer.diarize(shared_audio / "multilingual.mp3")
    assert len(result.speakers) >= 2
    assert all(len(v) == 256 for v in result.voices.values())
