"""The chunker: offsets, size limits, overlap, token limits and segment times."""

from __future__ import annotations

import itertools
from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recordroute.errors import InvalidInputError
from recordroute.models import Recording, Segment
from recordroute.search import RecordingInfo, SearchFilters, chunk_segments, chunk_text

TEXT = (
    "First paragraph talks about the budget.\n\n"
    "Second paragraph: hiring plans. More hiring plans follow here.\n"
    "회의록을 정리했습니다. 다음 회의는 금요일입니다. " * 3
)


def test_chunks_point_into_the_text_and_respect_the_limit():
    chunks = chunk_text(TEXT, max_chars=80, overlap=20)
    assert len(chunks) > 3
    for chunk in chunks:
        assert TEXT[chunk.char_start : chunk.char_end] == chunk.text
        assert 0 < len(chunk.text) <= 80
        assert chunk.text == chunk.text.strip()
        assert chunk.start_s is None
    assert chunks[0].text == "First paragraph talks about the budget."  # paragraph break
    starts = [c.char_start for c in chunks]
    assert starts == sorted(set(starts))
    # consecutive chunks overlap, and every character is covered
    for before, after in itertools.pairwise(chunks):
        assert after.char_start <= before.char_end
    covered = set()
    for chunk in chunks:
        covered.update(range(chunk.char_start, chunk.char_end))
    assert all(i in covered for i, ch in enumerate(TEXT) if not ch.isspace())


@settings(max_examples=60, deadline=None)
@given(
    text=st.text(alphabet=st.sampled_from("ab 가나\n."), max_size=400),
    max_chars=st.integers(1, 60),
    overlap_share=st.floats(0, 0.9),
)
def test_any_text_is_fully_covered_in_bounded_chunks(text, max_chars, overlap_share):
    overlap = int(overlap_share * max_chars) if max_chars > 1 else 0
    chunks = chunk_text(text, max_chars=max_chars, overlap=overlap)
    covered = set()
    for chunk in chunks:
        assert text[chunk.char_start : chunk.char_end] == chunk.text
        assert 0 < len(chunk.text) <= max_chars
        covered.update(range(chunk.char_start, chunk.char_end))
    assert all(i in covered for i, ch in enumerate(text) if not ch.isspace())


def test_without_overlap_chunks_do_not_overlap():
    chunks = chunk_text(TEXT, max_chars=50, overlap=0)
    for before, after in itertools.pairwise(chunks):
        assert after.char_start >= before.char_end


def test_hard_cut_when_there_is_no_break():
    chunks = chunk_text("x" * 25, max_chars=10, overlap=3)
    assert [(c.char_start, c.char_end) for c in chunks] == [(0, 10), (7, 17), (14, 24), (21, 25)]


def test_token_limit_shrinks_chunks():
    words = " ".join(f"w{i}" for i in range(200))
    chunks = chunk_text(
        words, max_chars=500, overlap=0, count_tokens=lambda t: len(t.split()), max_tokens=12
    )
    assert len(chunks) > 10
    assert all(len(c.text.split()) <= 12 for c in chunks)
    assert " ".join(c.text for c in chunks) == words


def test_empty_and_blank_text_have_no_chunks():
    assert chunk_text("") == []
    assert chunk_text(" \n\t ") == []


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"max_chars": 0}, "max_chars=0 is too small"),
        ({"max_chars": 10, "overlap": 10}, "overlap 10 must be at least 0 and below max_chars=10"),
        ({"overlap": -1}, "overlap -1 must be at least 0"),
        ({"max_tokens": 5}, "max_tokens=5 needs a token counter"),
        ({"count_tokens": len, "max_tokens": 0}, "max_tokens=0 needs a token counter"),
    ],
)
def test_bad_sizes_are_refused(kwargs, message):
    with pytest.raises(InvalidInputError) as caught:
        chunk_text("some text", **kwargs)
    assert message in caught.value.message


def test_segment_chunks_carry_the_times_they_cover():
    segments = [
        Segment(0.0, 2.5, "Hello and welcome."),
        Segment(2.5, 6.0, "  "),
        Segment(6.0, 9.0, "Today we discuss the budget."),
        Segment(9.0, 12.0, "Then hiring."),
    ]
    chunks = chunk_segments(segments, max_chars=30, overlap=0)
    joined = "Hello and welcome. Today we discuss the budget. Then hiring."
    assert [c.text for c in chunks] == [joined[c.char_start : c.char_end] for c in chunks]
    assert [(c.start_s, c.end_s) for c in chunks] == [(0.0, 2.5), (6.0, 9.0), (9.0, 12.0)]
    wide = chunk_segments(segments, max_chars=1000)
    assert [(c.text, c.start_s, c.end_s) for c in wide] == [(joined, 0.0, 12.0)]
    assert chunk_segments([]) == []


def test_input_records_validate_themselves():
    with pytest.raises(InvalidInputError, match="Recording id is empty"):
        RecordingInfo(" ", datetime(2024, 1, 1))
    with pytest.raises(InvalidInputError, match="Recording type 'movie' is not known"):
        RecordingInfo("r", datetime(2024, 1, 1), "movie")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="Recording type 'song' is not known"):
        SearchFilters(kinds=("song",))  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="start 2024-02-01 is after its end 2024-01-01"):
        SearchFilters(start=datetime(2024, 2, 1).date(), end=datetime(2024, 1, 1).date())


def test_recording_info_from_a_stored_recording():
    created = datetime(2024, 5, 1, 12, 0)
    recording = Recording(
        id="r1",
        display_name="Standup",
        original_name="standup.m4a",
        kind="audio",
        sha256="0" * 64,
        size_bytes=10,
        created_at=created,
        updated_at=created,
        tags=("team",),
        deleted_at=created,
    )
    assert RecordingInfo.from_recording(recording) == RecordingInfo(
        "r1", created, "audio", ("team",), deleted=True
    )
