"""Korean end to end: real Korean speech in, a Korean transcript, summary, title and search out.

The clip is ``ko_fleurs_1992.wav`` from ../shared/data/audio/: FLEURS (Conneau et al., 2022,
Google), ko_kr test split, sentence 1992, licensed CC BY 4.0
(https://creativecommons.org/licenses/by/4.0/). It is read from the shared folder, never
copied into the repository.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from recordroute import RecordRoute, Settings
from recordroute.grounding import Grounder, line_language
from recordroute.pipeline.summary_markdown import timed_lines
from recordroute.pipeline.titles import is_generic
from recordroute.providers import create_embedder
from tests.support.wer import character_error_rate

pytestmark = pytest.mark.slow

REFERENCE = (
    "널리 알려진 사파리라는 표현은 특히 사바나의 멋진 아프리카의 야생동물들을 보기위한 "
    "육로 여행을 칭한다"
)


def test_korean_speech_to_grounded_korean_summary_title_and_search(
    shared_audio: Path, tmp_path: Path
) -> None:
    settings = Settings(data_dir=tmp_path / "db", min_free_mb=0)  # bundled Whisper base
    with RecordRoute(settings) as app:
        rec = app.add_file(shared_audio / "ko_fleurs_1992.wav")
        job = app.process(rec.id)
        assert job.state == "done", job.error
        segments = app.transcript_segments(rec.id)
        heard = " ".join(s.text for s in segments)
        assert character_error_rate(REFERENCE, heard) <= 0.15, heard
        assert segments[0].start >= 1.0  # the speech starts about 2 s in

        (summary,) = app.recordings.artifacts(rec.id, "summary")
        assert summary.meta["language"] == "ko" and summary.meta["mode"] == "extractive"
        markdown = app.recordings.read_text(summary.id)
        assert "## 핵심 내용" in markdown and "## 결정 사항" in markdown
        lines = [(t, text) for _h, t, text in timed_lines(markdown) if text != "언급 없음"]
        assert lines and all(t is not None and t >= 1.0 for t, _text in lines)
        grounder = Grounder(segments, create_embedder(settings).embed, language="ko")
        for _t, text in lines:
            (verdict,) = grounder.check([text]).lines
            assert verdict.kept, (text, verdict.reason)
            assert line_language(text) == "ko", text

        title = app.get_recording(rec.id).title
        assert title and line_language(title) == "ko" and not is_generic(title)
        (verdict,) = grounder.check([title]).lines
        assert verdict.kept, (title, verdict.reason)

        hits = app.search("아프리카 야생동물 여행")
        assert hits and hits[0].recording_id == rec.id
