"""Search panel: hybrid results grouped by recording, escaped snippets, filters, jumps."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from recordroute import RecordRoute
from recordroute.ui import SearchPanel, ViewerPanel, find, find_all
from tests.test_ui_helpers import DOCS, english_shell, indexed


def _search(app: RecordRoute) -> SearchPanel:
    return SearchPanel(english_shell(app))


def test_results_are_escaped_highlighted_and_scored(app: RecordRoute, tmp_path: Path) -> None:
    docs = indexed(
        app,
        tmp_path,
        {**DOCS, "markup.txt": 'The <script>alert("budget")</script> & budget "quotes".'},
    )
    panel = _search(app)
    panel.query.value = "budget"  # pressing Enter in the box runs the search
    ids = [h.recording_id for h in panel.hits]
    assert set(ids[:3]) == {docs["budget.txt"].id, docs["hiring.txt"].id, docs["markup.txt"].id}
    groups = find_all(panel.widget, "rr-hit")
    assert len(groups) == len(panel.hits) and "Found in" in panel.summary.value
    bodies = {g._dom_classes[-1]: find(g, "rr-hit-body").value for g in groups}
    markup = bodies[f"rr-hit-id-{docs['markup.txt'].id}"]
    assert "&lt;script&gt;alert(&quot;<mark>budget</mark>&quot;)&lt;/script&gt; &amp;" in markup
    assert "<script>" not in markup and "score 0." in markup and "keyword" in markup
    assert "markup.txt" in markup


def test_filters_by_type_and_date(app: RecordRoute, tmp_path: Path) -> None:
    indexed(app, tmp_path, DOCS)
    panel = _search(app)
    panel.query.value = "budget"
    assert panel.hits
    panel.kind.value = "audio"
    find(panel.widget, "rr-search-go").click()
    assert panel.hits == [] and "Nothing found." in panel.summary.value
    panel.kind.value = ""
    panel.start.value = date.today() + timedelta(days=1)
    panel.go.click()
    assert panel.hits == []
    panel.start.value = date.today() - timedelta(days=1)
    panel.end.value = date.today() + timedelta(days=1)
    panel.go.click()
    assert len(panel.hits) == 2  # the weather note is no budget match


def test_one_matching_recording_is_the_one_result(app: RecordRoute, tmp_path: Path) -> None:
    docs = indexed(app, tmp_path, DOCS)
    panel = _search(app)
    panel.query.value = "rain in Seoul"
    assert [h.recording_id for h in panel.hits] == [docs["weather.txt"].id]
    assert len(find_all(panel.widget, "rr-hit")) == 1
    assert "Found in 1 recording(s)." in panel.summary.value
    assert "2 weaker match(es) below the relevance bar are hidden." in panel.summary.value
    body = find(panel.widget, "rr-hit-body").value
    assert "<mark>rain</mark> in <mark>Seoul</mark>" in body


def test_nothing_found_offers_suggestions_and_weaker_matches(
    app: RecordRoute, tmp_path: Path
) -> None:
    docs = indexed(app, tmp_path, DOCS)
    panel = _search(app)
    panel.query.value = "quantum chromodynamics lattice"
    assert panel.hits == [] and find_all(panel.widget, "rr-hit") == []
    assert "Nothing found." in panel.summary.value
    assert "3 weaker match(es)" in panel.summary.value
    panel.weaker.value = True  # "show weaker matches"
    groups = find_all(panel.widget, "rr-hit")
    assert len(groups) == 3 and all("rr-hit-weaker" in g._dom_classes for g in groups)
    assert "Nothing found." in panel.summary.value and "weaker match" in groups[0].children[0].value
    panel.weaker.value = False
    panel.query.value = "hirign quantum chromodynamics"
    assert panel.hits == []
    offered = find_all(panel.widget, "rr-search-suggestion")
    assert [b.description for b in offered] == ["hiring quantum chromodynamics", "hiring"]
    offered[1].click()  # the words the archive knows
    assert panel.query.value == "hiring"
    assert panel.hits[0].recording_id == docs["hiring.txt"].id


def test_a_result_opens_the_viewer_at_its_moment(app: RecordRoute, tmp_path: Path) -> None:
    docs = indexed(app, tmp_path, DOCS)
    shell = english_shell(app)
    viewer = ViewerPanel(shell)
    panel = SearchPanel(shell)
    tabs: list[str] = []
    shell.on_tab_switch(tabs.append)
    panel.query.value = "rain in Seoul"
    first = find_all(panel.widget, "rr-hit-open")[0]
    assert first.description == "Open"  # documents have no moment to jump to
    first.click()
    assert viewer.recording is not None and viewer.recording.id == docs["weather.txt"].id
    assert tabs == ["viewer"]


def test_search_errors_are_shown_in_plain_words(app: RecordRoute, tmp_path: Path) -> None:
    indexed(app, tmp_path, DOCS)
    panel = _search(app)
    panel.go.click()
    assert panel.notice.text == (
        "Type something to search for. Enter a word or phrase and press 'Search'."
    )
    panel.query.value = "budget"
    panel.start.value = date(2026, 3, 1)
    panel.end.value = date(2026, 2, 1)
    panel.go.click()
    assert panel.notice.kind == "error" and "is after its end" in panel.notice.text
    assert "Swap the two dates" in panel.notice.text
    panel.start.value = None
    panel.go.click()
    assert panel.notice.kind == "" and panel.hits == []


def test_language_switch_redraws_results(app: RecordRoute, tmp_path: Path) -> None:
    indexed(app, tmp_path, DOCS)
    panel = _search(app)
    panel.query.value = "budget"
    panel.shell.tr.set_language("ko")
    assert "개 녹음에서 찾았습니다" in panel.summary.value
    assert panel.kind.options[0] == ("모든 형식", "")


def test_a_spoken_hit_jumps_to_its_time(tmp_path: Path) -> None:
    from recordroute import Settings
    from tests.test_ui_helpers import tiny_wav

    settings = Settings(data_dir=tmp_path / "db", min_free_mb=0, whisper_model="bundled-tiny.en")
    with RecordRoute(settings) as app:
        rec = app.add_file(tiny_wav(tmp_path / "talk.wav", seconds=3.0))
        app.transcripts.edit(
            rec.id,
            "[00:00:00 - 00:00:04] Opening words.\n"
            "[00:00:04 - 00:00:09] The harbour bridge is closed.\n",
        )
        assert app.process(rec.id, ["embed"]).state == "done"  # the edit is kept and indexed
        shell = english_shell(app)
        viewer = ViewerPanel(shell)
        panel = SearchPanel(shell)
        panel.query.value = "harbour bridge"
        jump = find_all(panel.widget, "rr-hit-open")[0]
        assert jump.description == "▶ Open at 0:04"
        jump.click()
        # the player is cued there; the browser scrolls to and marks the line starting then
        assert viewer.start_s == 4.0 and viewer.player.cue["t"] == 4.0
        assert viewer.player.segments[1] == [4, 9, "The harbour bridge is closed.", ""]
