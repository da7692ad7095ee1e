"""The Ask tab: a question, the answer with its mode, citations that open the viewer at
their moment, follow-ups, conversations reopened and deleted, errors in plain words."""

from __future__ import annotations

from pathlib import Path

import pytest

from recordroute import RecordRoute
from recordroute.ui import Workbench, find, find_all
from recordroute.ui.workbench import TABS
from tests.ask_support import build_archive
from tests.test_ask_speakers import ANNA, LEASE, diarize, said_by

pytestmark = pytest.mark.slow


def test_a_citation_opens_the_viewer_at_its_moment(app: RecordRoute, tmp_path: Path) -> None:
    ids = build_archive(app, tmp_path / "files", ("budget.md", "garden.md"))
    bench = Workbench(app, language="en")
    panel = bench.ask
    panel.question.value = "What did we decide about the travel budget?"  # Enter asks
    assert len(panel.answers) == 1 and panel.conversation_id is not None
    turn = find(bench.widget, "rr-ask-turn")
    assert "Extractive answer" in find(turn, "rr-ask-mode").value
    lead = find_all(turn, "rr-ask-line")[0]
    assert "decided to cut the travel budget by ten percent" in find(lead, "rr-ask-sentence").value
    cite = find(lead, "rr-ask-cite")
    assert cite.description == "▶ [budget.md, 00:00:14]"
    cite.click()
    assert bench.tabs.selected_index == TABS.index("viewer")
    assert bench.viewer.recording is not None and bench.viewer.recording.id == ids["budget.md"]
    assert bench.viewer.start_s == 14.0
    panel.go.click()  # the question in the box is answered already: not asked twice
    assert len(panel.answers) == 1 and panel.notice.kind == ""
    panel.question.value = "And who sends the numbers?"
    assert len(panel.answers) == 2
    assert panel.answers[1].conversation_id == panel.answers[0].conversation_id
    conversation = panel.conversation_id
    panel.start_new()
    assert find_all(bench.widget, "rr-ask-turn") == []
    panel.history.value = conversation  # reopen
    assert len(find_all(bench.widget, "rr-ask-turn")) == 2
    find(bench.widget, "rr-lang").value = "ko"
    assert "발췌 답변" in find_all(bench.widget, "rr-ask-mode")[0].value
    panel.delete.click()
    assert app.ask.conversations() == [] and panel.notice.text == "대화를 삭제했습니다."


def test_ask_errors_are_shown_in_plain_words(app: RecordRoute) -> None:
    bench = Workbench(app, language="en")
    assert bench.ask.speakers.layout.display == "none"  # no recording knows its speakers
    bench.ask.go.click()
    assert bench.ask.notice.kind == "error"
    assert bench.ask.notice.text.startswith("Type a question.")
    bench.ask.delete.click()
    assert bench.ask.notice.text.startswith("Choose a conversation to delete.")
    bench.ask.question.value = "what is in the archive?"
    assert bench.ask.answers[0].mode == "not_found"
    assert "Not found in your recordings." in find(bench.widget, "rr-ask-mode").value


def test_the_speaker_picker_asks_only_what_they_said(app: RecordRoute, tmp_path: Path) -> None:
    ids = build_archive(app, tmp_path / "files", ("budget.md",))
    diarize(app, ids["budget.md"])
    bench = Workbench(app, language="en")
    panel = bench.ask
    picker = find(bench.widget, "rr-ask-speakers")
    assert picker is panel.speakers and picker.layout.display == ""
    assert picker.description == "Spoken by" and list(picker.options) == ["Anna", "Jonas"]
    picker.value = ("Jonas",)
    panel.question.value = LEASE  # the lease is Anna's line
    assert panel.answers[-1].mode == "not_found"
    panel.start_new()
    picker.value = ("Anna",)
    panel.question.value = LEASE + " "
    answer = panel.answers[-1]
    assert answer.lead is not None and answer.lead.citation.label == "[budget.md, 00:00:33]"
    assert said_by(answer, ANNA)
    assert answer.conversation_id is not None
    assert app.ask.conversation(answer.conversation_id).filters["speakers"] == ["Anna"]
    find(bench.widget, "rr-lang").value = "ko"
    assert picker.description == "말한 사람"
