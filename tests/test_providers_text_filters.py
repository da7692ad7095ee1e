"""Dropping Whisper's hallucinations and collapsing its repetition loops."""

from __future__ import annotations

import pytest

from recordroute.models import Segment
from recordroute.providers.text_filters import clean_segments, collapse_repeats, is_hallucination


@pytest.mark.parametrize(
    "text",
    [
        " You",
        "Thanks for watching!",
        "Thank you for watching.",
        "시청해주셔서 감사합니다.",
        "시청해 주셔서 감사합니다",
        "구독과 좋아요 부탁드립니다!",
        "한글자막 by 한효정",
        "자막 제공: 배달의민족",
        "MBC 뉴스 이덕영입니다.",
        "Subtitles by the Amara.org community",
    ],
)
def test_known_hallucinations_are_recognised(text: str) -> None:
    assert is_hallucination(text)


@pytest.mark.parametrize(
    "text",
    [
        "Thank you.",
        "You know what I mean?",
        "오늘 회의를 시작하겠습니다.",
        "Please subscribe me to it.",
    ],
)
def test_real_speech_is_kept(text: str) -> None:
    assert not is_hallucination(text)


def test_phrase_loops_are_kept_once() -> None:
    looped = "and then we " + "go to the office, " * 12 + "tomorrow"
    assert collapse_repeats(looped) == "and then we go to the office, tomorrow"
    assert collapse_repeats("no no no") == "no no no"  # fewer than four repeats is speech
    assert collapse_repeats("네 " * 9 + "알겠습니다") == "네 알겠습니다"
    assert collapse_repeats("감사합니다감사합니다감사합니다감사합니다감사합니다") == "감사합니다"
    assert collapse_repeats("call 1000000 now") == "call 1000000 now"  # digits are not loops


def test_clean_segments_merges_drops_and_collapses() -> None:
    segments = [
        Segment(0.0, 2.0, " Welcome to the meeting."),
        Segment(2.0, 4.0, " Welcome to the meeting."),  # stuck decoder: merged into one
        Segment(4.5, 6.0, " welcome to the meeting"),  # same words, 0.5 s later: merged
        Segment(6.0, 8.0, "   "),
        Segment(8.0, 9.0, " You"),
        Segment(9.0, 12.0, " The budget is " + "very " * 10 + "tight."),
        Segment(30.0, 31.0, " Welcome to the meeting."),  # much later: real repetition
        Segment(31.0, 33.0, " 시청해주셔서 감사합니다."),
    ]
    assert clean_segments(segments) == [
        Segment(0.0, 6.0, "Welcome to the meeting."),
        Segment(9.0, 12.0, "The budget is very tight."),
        Segment(30.0, 31.0, "Welcome to the meeting."),
    ]
