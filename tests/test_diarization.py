"""Speakers without the voice model: formats, the speakers file, clustering, DER, errors."""

from __future__ import annotations

import shutil
import wave
from pathlib import Path

import numpy as np
import pytest

from recordroute import RecordRoute, Segment, Settings
from recordroute.engine_protocols import Diarization
from recordroute.errors import (
    ConfigError,
    InvalidInputError,
    NotFoundError,
    ProviderUnavailableError,
    StorageError,
)
from recordroute.models import SpeakerTurn
from recordroute.pipeline import formats, speakers, voice_match
from recordroute.pipeline.steps import plan_steps
from recordroute.pipeline.summarize import timed_lines
from recordroute.providers import registry, speaker_clustering, voice_encoder
from recordroute.providers.diarizer import remove_flicker, to_turns
from recordroute.providers.pyannote_diarizer import PyannoteDiarizer
from tests.support.der import diarization_error, single_speaker_floor

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


def test_the_one_speaker_floor_counts_only_overlapped_speech() -> None:
    reference = [(0.0, 10.0, "a"), (5.0, 7.0, "b")]  # b talks only over a
    floor = single_speaker_floor(reference, collar=0.0)
    assert floor.missed_s == pytest.approx(2.0) and floor.confusion_s == 0.0
    assert floor.der == pytest.approx(2.0 / 12.0)


def _found() -> speakers.Speakers:
    return speakers.from_diarization(_diarization())


def test_rename_merge_and_move_a_line() -> None:
    found = _found().rename("Speaker 1", "  Anna   Kim ")
    assert found.speakers[0].display == "Anna Kim" and found.label_of("Anna Kim") == "Speaker 1"
    assert [t.speaker for t in found.turns] == ["Anna Kim", "Speaker 2"]
    with pytest.raises(InvalidInputError, match="already called 'Anna Kim'"):
        found.rename("Speaker 2", "Anna Kim")
    with pytest.raises(InvalidInputError, match="no colon"):
        found.rename("Speaker 2", "Dr: Who")
    with pytest.raises(NotFoundError, match=r"no speaker 'Bob'.*Anna Kim, Speaker 2"):
        found.rename("Bob", "Robert")
    moved = found.move(5.0, 6.0, "Anna Kim")
    lines = [Segment(0.5, 3.0, "a"), Segment(5.0, 6.0, "b"), Segment(7.0, 8.5, "c")]
    assert [s.speaker for s in moved.apply(lines)] == ["Anna Kim", "Anna Kim", "Speaker 2"]
    assert moved.speakers[0].seconds == pytest.approx(5.2)
    with pytest.raises(InvalidInputError, match="not a stretch of time"):
        found.move(6.0, 5.0, "Anna Kim")
    merged = found.merge("Anna Kim", "Speaker 2")
    assert merged.labels == ("Speaker 1",) and merged.speakers[0].seconds == pytest.approx(8.8)
    assert [s.speaker for s in merged.apply(lines)] == ["Anna Kim"] * 3
    assert sum(v * v for v in merged.speakers[0].voice) == pytest.approx(1.0)
    with pytest.raises(InvalidInputError, match="the same speaker"):
        found.merge("Anna Kim", "Speaker 1")


def test_edited_transcript_lines_follow_renames_and_merges() -> None:
    before = _found()
    text = "[00:00:00 - 00:00:04] Speaker 1: hello\n[00:00:05 - 00:00:08] Speaker 2: my edit\n"
    renamed = speakers.renamed_lines(text, before, before.rename("Speaker 2", "Bo"))
    assert renamed.splitlines()[1] == "[00:00:05 - 00:00:08] Bo: my edit"
    merged = speakers.renamed_lines(text, before, before.merge("Speaker 1", "Speaker 2"))
    assert merged.splitlines()[1] == "[00:00:05 - 00:00:08] Speaker 1: my edit"
    assert speakers.renamed_lines(text, before, before) == text


def test_saving_speakers_rewrites_segments_and_exports(app: RecordRoute, tmp_path: Path) -> None:
    wav = tmp_path / "talk.wav"
    with wave.open(str(wav), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(16_000)
        handle.writeframes(b"\0\0" * 16_000)
    rec = app.add_file(wav)
    store = app.speakers._store
    segs = [Segment(0.5, 3.0, "We ship Friday."), Segment(5.0, 8.0, "I write the notice.")]
    store.save_artifact(
        rec.id, "segments", "json", formats.to_json(segs, language="en").encode(), meta={}
    )
    found = _found()
    assert speakers.save(store, rec, found) == 2
    again = speakers.save(store, rec, found.rename("Speaker 2", "Bo"))
    assert again == 2
    md = store.read_text(store.find_artifact(rec.id, "transcript", "md"))
    assert md.splitlines()[1] == "[00:00:05 - 00:00:08] Bo: I write the notice."
    srt = store.read_text(store.find_artifact(rec.id, "export", "srt"))
    assert "[Bo] I write the notice." in srt
    stored = speakers.find(store, rec.id)
    assert stored is not None and stored.speakers[1].name == "Bo"
    seg = formats.segments_from_json(
        store.read_text(store.find_artifact(rec.id, "segments", "json"))
    )
    assert [s.speaker for s in seg] == ["Speaker 1", "Bo"]


def test_a_known_voice_is_named_above_the_threshold_and_suggested_below() -> None:
    profiles = {"Anna": [[1.0, 0.0, 0.0], [0.8, 0.6, 0.0]], "Bo": [[0.0, 0.0, 1.0]]}
    match = voice_match.identify([0.79, 0.61, 0.0], profiles, 0.8)
    assert match is not None and match.person == "Anna" and match.accepted
    unsure = voice_match.identify([0.5, 0.0, 0.5], profiles, 0.8)
    assert (
        unsure is not None
        and not unsure.accepted
        and unsure.score == pytest.approx(0.7071, abs=1e-3)
    )
    assert voice_match.identify([1.0, 0.0], profiles) is None  # another model's vectors
    assert voice_match.identify([], profiles) is None


def test_a_speaker_found_with_under_a_second_of_speech_is_given_to_the_next_best() -> None:
    from recordroute.providers.diarizer import MIN_SPEAKER_FRAMES, frame_speakers

    frames, window = 1000, 10
    starts = np.arange(0, frames - window + 1, 5, dtype=np.int64)
    scores = np.zeros((starts.size, 3), dtype=np.float32)
    scores[:, 0] = 0.9  # one voice all along
    scores[(starts >= 400) & (starts < 460), 1] = 1.0  # a stray 0.6 s that looks like another
    scores[:, 2] = 0.1
    scores[(starts >= 400) & (starts < 460), 2] = 0.95  # ... with a third close behind it
    kept = frame_speakers(scores, starts, frames, window)
    assert set(np.unique(kept).tolist()) == {0, 1}  # without the rule: a second speaker
    folded = frame_speakers(scores, starts, frames, window, MIN_SPEAKER_FRAMES)
    assert np.unique(folded).tolist() == [0]  # speaker 1, then speaker 2, fall under 1 s
    # two real voices of 5 s each are both kept
    scores[:, 1] = np.where(starts >= 500, 1.0, 0.0)
    both = frame_speakers(scores, starts, frames, window, MIN_SPEAKER_FRAMES)
    assert set(np.unique(both).tolist()) == {0, 1}
