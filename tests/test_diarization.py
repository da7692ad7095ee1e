"""Speakers without the voice model: formats, the speakers file, clustering, DER, errors."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from recordroute import Segment, Settings
from recordroute.errors import (
    ConfigError,
    InvalidInputError,
    ProviderUnavailableError,
    StorageError,
)
from recordroute.models import SpeakerTurn
from recordroute.pipeline import formats, speakers
from recordroute.pipeline.steps import plan_steps
from recordroute.pipeline.summarize import timed_lines
from recordroute.protocols import Diarization
from recordroute.providers import registry, speaker_clustering, voice_encoder
from recordroute.providers.diarizer import remove_flicker, to_turns
from recordroute.providers.pyannote_diarizer import PyannoteDiarizer
from tests.support.der import diarization_error

SEGMENTS = [
    Segment(0.0, 4.0, "We ship on Friday.", "Anna"),
    Segment(4.5, 7.0, "I will write the notice.", "Speaker 2"),
    Segment(7.5, 9.0, "Untagged line."),
]


def test_formats_carry_speakers_where_each_format_puts_a_voice() -> None:
    md = formats.to_markdown(SEGMENTS)
    assert md.splitlines()[0] == "[00:00:00 - 00:00:04] Anna: We ship on Friday."
    assert md.splitlines()[2] == "[00:00:07 - 00:00:09] Untagged line."
    assert "[Anna] We ship on Friday." in formats.to_srt(SEGMENTS)
    assert "<v Speaker 2>I will write the notice." in formats.to_vtt(SEGMENTS)
    assert formats.to_txt(SEGMENTS).splitlines()[1] == "Speaker 2: I will write the notice."
    back = formats.segments_from_json(formats.to_json(SEGMENTS, language="en"))
    assert back == SEGMENTS
    # the summary's input names who said what, so action items can name their owner
    assert timed_lines(SEGMENTS)[1] == "[00:00:04] Speaker 2: I will write the notice."


def test_markdown_speakers_are_read_back_only_for_known_names() -> None:
    md = formats.to_markdown(SEGMENTS) + "[00:00:10 - 00:00:12] Note: not a speaker\n"
    parsed = formats.segments_from_markdown(md, {"Anna", "Speaker 2"})
    assert [s.speaker for s in parsed] == ["Anna", "Speaker 2", "", ""]
    assert parsed[0].text == "We ship on Friday."
    assert parsed[3].text == "Note: not a speaker"
    # without known names the line keeps its text whole (the original client's reading)
    assert formats.segments_from_markdown(md)[0].text == "Anna: We ship on Friday."


def test_vtt_voice_names_cannot_break_the_tag() -> None:
    vtt = formats.to_vtt([Segment(0, 1, "hi", "A>B\nC")])
    assert "<v A B C>hi" in vtt


def test_assign_speakers_by_longest_overlap_and_nearest_turn() -> None:
    turns = [SpeakerTurn(0, 3, "A"), SpeakerTurn(3, 10, "B"), SpeakerTurn(20, 21, "C")]
    segs = [Segment(0, 4, "x"), Segment(2, 9, "y"), Segment(10.5, 11, "z"), Segment(15, 16, "w")]
    out = formats.assign_speakers(segs, turns)
    assert [s.speaker for s in out] == ["A", "B", "B", ""]
    kept = formats.assign_speakers([Segment(0, 4, "x", "Anna")], turns, keep=True)
    assert kept[0].speaker == "Anna"


def _diarization() -> Diarization:
    turns = (SpeakerTurn(0.0, 4.2, "Speaker 1"), SpeakerTurn(4.4, 9.0, "Speaker 2"))
    return Diarization(
        turns=turns,
        speakers=("Speaker 1", "Speaker 2"),
        voices={"Speaker 1": (1.0, 0.0), "Speaker 2": (0.0, 1.0)},
        duration_s=9.0,
        engine="bundled",
        model="bundled-resemblyzer",
    )


def test_speakers_file_round_trip_and_damage_is_an_error() -> None:
    found = speakers.from_diarization(_diarization())
    assert found.speakers[0].seconds == pytest.approx(4.2)
    again = speakers.parse(found.to_json(), "x.speakers.json")
    assert again == found
    assert again.names() == {"Speaker 1", "Speaker 2"}
    labelled = again.apply([Segment(0.5, 3.0, "a"), Segment(5.0, 8.0, "b")])
    assert [s.speaker for s in labelled] == ["Speaker 1", "Speaker 2"]
    with pytest.raises(StorageError, match=r"x\.speakers\.json is damaged"):
        speakers.parse('{"speakers": [{"name": "no label"}]}', "x.speakers.json")


def test_diarize_runs_alone_and_only_on_audio_and_video() -> None:
    assert plan_steps(["diarize"], "audio") == ["ingest", "diarize"]
    assert plan_steps(["stt", "speakers"], "video") == ["ingest", "transcribe", "diarize"]
    assert plan_steps(["diarize", "summary"], "pdf") == ["ingest", "summarize"]


def test_clustering_finds_the_number_of_voices_or_takes_it() -> None:
    rng = np.random.default_rng(1)
    centres = speaker_clustering.normalize_rows(rng.normal(size=(3, 32)))
    rows = np.repeat(centres, 40, axis=0) + rng.normal(scale=0.08, size=(120, 32))
    vectors = speaker_clustering.normalize_rows(rows)
    labels = speaker_clustering.cluster(vectors)
    assert len(set(labels.tolist())) == 3
    assert labels[0] == 0 and len(set(labels[:40].tolist())) == 1
    assert len(set(speaker_clustering.cluster(vectors, num_speakers=2).tolist())) == 2
    assert speaker_clustering.cluster(vectors[:1]).tolist() == [0]


def test_flicker_is_removed_and_turns_follow_the_speech_regions() -> None:
    labels = np.array([0] * 50 + [1] * 5 + [0] * 50 + [1] * 60)
    clean = remove_flicker(labels, 30)
    assert clean[50:55].tolist() == [0] * 5 and clean[-1] == 1
    # two regions of 1 s each (16 000 samples); labels on the joined 2 s of speech
    regions = [(16_000, 32_000), (48_000, 64_000)]
    turns = to_turns(np.array([0] * 100 + [1] * 100), regions)
    assert [(t.start, t.end, t.speaker) for t in turns] == [
        (1.0, 2.0, "Speaker 1"),
        (3.0, 4.0, "Speaker 2"),
    ]


def test_der_counts_miss_false_alarm_confusion_and_honours_the_collar() -> None:
    reference = [(0.0, 10.0, "a"), (10.0, 20.0, "b")]
    perfect = diarization_error(reference, [(0.0, 10.0, "x"), (10.0, 20.0, "y")])
    assert perfect.der == 0.0 and perfect.mapping == {"x": "a", "y": "b"}
    late = diarization_error(reference, [(0.0, 10.2, "x"), (10.2, 20.0, "y")])
    assert late.der == 0.0  # within the 0.25 s collar
    wrong = diarization_error(reference, [(0.0, 20.0, "x")])
    # 20 s less the collars (0.25 s around 0, 10 and 20: 1.0 s) = 19 s scored, 9.5 s confused
    assert wrong.confusion_s == pytest.approx(9.5, abs=0.02)
    assert wrong.der == pytest.approx(9.5 / 19.0, abs=0.002)
    missed = diarization_error(reference, [(0.0, 10.0, "x")], collar=0.0)
    assert missed.missed_s == pytest.approx(10.0) and missed.der == pytest.approx(0.5)


def test_mel_filters_put_a_tone_in_its_band() -> None:
    filters = voice_encoder.mel_filters()
    assert filters.shape == (40, 201) and (filters >= 0).all()
    t = np.arange(16_000) / 16_000
    low = voice_encoder.mel_frames(np.sin(2 * np.pi * 300 * t).astype(np.float32))
    high = voice_encoder.mel_frames(np.sin(2 * np.pi * 4000 * t).astype(np.float32))
    assert low.shape == (101, 40)
    assert int(low[50].argmax()) < 12 < int(high[50].argmax())


def test_damaged_voice_weights_are_refused(tmp_path: Path) -> None:
    copy = tmp_path / "pretrained.pt"
    shutil.copyfile(voice_encoder.weights_path(), copy)
    with copy.open("r+b") as handle:
        handle.seek(1000)
        handle.write(b"\0\0\0\0")
    with pytest.raises(ProviderUnavailableError, match="damaged or of another version"):
        voice_encoder.check_weights(copy)


def test_missing_voice_weights_say_how_to_install_them(monkeypatch: pytest.MonkeyPatch) -> None:
    # the package is installed here; a lookup that finds nothing stands for a machine without it
    monkeypatch.setattr(voice_encoder.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ProviderUnavailableError, match="pip install --no-deps resemblyzer"):
        voice_encoder.weights_path()


def test_diarizer_settings_are_checked_and_created_by_name(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="RECORDROUTE_DIARIZE_PROVIDER='wespeaker'"):
        Settings(diarize_provider="wespeaker")
    with pytest.raises(ConfigError, match="RECORDROUTE_DIARIZE_SPEAKERS=99"):
        Settings(diarize_speakers=99)
    settings = Settings(data_dir=tmp_path, diarize_speakers=3)
    diarizer = registry.create_diarizer(settings)
    assert diarizer.name == "bundled"
    assert diarizer.available().ok, diarizer.available()
    assert diarizer.options(None).num_speakers == 3  # type: ignore[attr-defined]
    assert diarizer.options(2).num_speakers == 2  # type: ignore[attr-defined]
    assert registry.create_diarizer(settings, "pyannote").name == "pyannote"


def test_pyannote_route_needs_a_pipeline_folder(tmp_path: Path) -> None:
    unset = PyannoteDiarizer(Settings(data_dir=tmp_path, diarize_provider="pyannote"))
    with pytest.raises(ConfigError, match="Set RECORDROUTE_PYANNOTE_PIPELINE"):
        unset.pipeline_folder()
    status = unset.available()
    assert not status.ok and "RECORDROUTE_PYANNOTE_PIPELINE" in status.fix
    empty = PyannoteDiarizer(Settings(data_dir=tmp_path, pyannote_pipeline=str(tmp_path)))
    with pytest.raises(ProviderUnavailableError, match=r"has no config\.yaml"):
        empty.pipeline_folder()


def test_diarize_step_without_a_diarizer_says_so(app: object, tmp_path: Path) -> None:
    from recordroute.pipeline.steps import StepContext, diarize

    ctx = StepContext(
        recording=None,  # type: ignore[arg-type]
        store=None,  # type: ignore[arg-type]
        options={},
        report=lambda f, s: None,
        should_cancel=lambda: False,
        transcriber=lambda: None,  # type: ignore[arg-type,return-value]
        language_model=lambda: None,  # type: ignore[arg-type,return-value]
        embedder=lambda: None,  # type: ignore[arg-type,return-value]
        search=None,
        probe_duration=None,
    )
    with pytest.raises(InvalidInputError, match="no diarizer configured"):
        diarize(ctx)
