"""Shared helpers of the dashboard tests, and tests of the panels' common helpers."""

from __future__ import annotations

import struct
import time
import wave
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import pytest

from recordroute import NotFoundError, Recording, RecordRoute
from recordroute.errors import RecordRouteError
from recordroute.ui.browser import Uploader
from recordroute.ui.common import (
    Notice,
    clock,
    describe_error,
    eta_text,
    file_size,
    find,
    find_all,
    guarded,
    highlight,
    markdown_html,
    split_tags,
)
from recordroute.ui.i18n import STRINGS, Translator
from recordroute.ui.shell import Shell
from tests.conftest import write


# -- helpers the other test_ui_* modules import --------------------------------------------
def browser_upload(uploader: Uploader, name: str, data: bytes) -> dict[str, Any]:
    """What the uploader's code in the browser does after "start", without a browser.

    It opens an upload with the steps and options the kernel sent, sends the bytes and
    finishes (the API routes call exactly these core methods), then tells the kernel
    what happened.  Returns that message.
    """
    start = uploader.sent[-1]
    app = uploader.app
    message: dict[str, Any] = {"name": name}
    try:
        session = app.uploads.begin(
            name, len(data), steps=start["steps"], options=start["options"], tags=start["tags"]
        )
        writer = app.uploads.open_piece(session.id, 0, len(data))
        writer.write(data)
        app.uploads.close_piece(writer)
        outcome = app.uploads.finish(session.id)
        message |= {
            "event": "finished",
            "upload_id": session.id,
            "recording_id": outcome.recording.id,
            "job_id": outcome.job.id if outcome.job else None,
        }
    except RecordRouteError as exc:
        message |= {"event": "failed", "code": exc.code, "message": exc.message, "fix": exc.fix}
    uploader._handle_custom_msg(message, [])
    return message


def capture_sends(uploader: Uploader) -> None:
    """Keep what the kernel sends to the browser in ``uploader.sent`` (no browser here)."""
    uploader.sent = []  # type: ignore[attr-defined]
    uploader.send = lambda content, buffers=None: uploader.sent.append(content)  # type: ignore[attr-defined,method-assign]


def add_text(
    app: RecordRoute, folder: Path, name: str, text: str, tags: Iterable[str] = ()
) -> Recording:
    return app.add_file(write(folder / "in" / name, text), tags=tags)


def indexed(app: RecordRoute, folder: Path, docs: dict[str, str]) -> dict[str, Recording]:
    """Add text documents and run ingest, keywords and the search index on them."""
    made = {}
    for name, text in docs.items():
        rec = add_text(app, folder, name, text)
        job = app.process(rec.id, ["keywords", "embed"])
        assert job.state == "done", job.error
        made[name] = app.get_recording(rec.id)
    return made


def tiny_wav(path: Path, seconds: float = 1.0, rate: int = 8000) -> Path:
    """A real (silent) WAV file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(struct.pack("<h", 0) * int(rate * seconds))
    return path


def english_shell(app: RecordRoute) -> Shell:
    return Shell(app, Translator("en"))


def wait_for(predicate: Callable[[], bool], timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError("timed out")


DOCS = {
    "budget.txt": "The budget meeting approved the travel budget and the hiring plan.",
    "hiring.txt": "Hiring plan: two engineers join next quarter; the hiring budget is approved.",
    "weather.txt": "Weather notes: rain in Seoul on Monday and sunny at the weekend.",
}


# -- tests of recordroute.ui.common and i18n ------------------------------------------------
def test_highlight_escapes_user_text_and_marks_only_the_markers() -> None:
    snippet = '<script>alert("x")</script> & «budget» «<b>»'
    assert highlight(snippet) == (
        "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; "
        "<mark>budget</mark> <mark>&lt;b&gt;</mark>"
    )
    assert highlight("an «unclosed marker") == "an unclosed marker"


def test_markdown_subset_is_escaped() -> None:
    html = markdown_html("## Topics\n- **budget** <img src=x onerror=alert(1)>\n\nplain & text")
    assert html == (
        "<h4>Topics</h4><ul><li><b>budget</b> &lt;img src=x onerror=alert(1)&gt;</li></ul>"
        "<p>plain &amp; text</p>"
    )


def test_formatting() -> None:
    assert (clock(None), clock(5.4), clock(65), clock(3725)) == ("", "0:05", "1:05", "1:02:05")
    assert (eta_text(None), eta_text(42.9), eta_text(75)) == ("", "42 s", "1 min 15 s")
    assert (file_size(900), file_size(2048), file_size(3 * 1024**3)) == (
        "900 B",
        "2.0 KB",
        "3.0 GB",
    )
    assert split_tags(" a, b ;#c,, ") == ["a", "b", "c"]


def test_every_string_has_both_languages_with_the_same_placeholders() -> None:
    import re

    for key, (korean, english) in STRINGS.items():
        assert korean and english, key
        assert set(re.findall(r"{\w+}", korean)) == set(re.findall(r"{\w+}", english)), key


def test_translator_relabels_bound_widgets_and_calls_listeners() -> None:
    tr = Translator()
    assert tr.language == "ko" and Translator("xx").language == "ko"
    button = tr.bind(widgets.Button(), "description", "upload.start")
    calls: list[str] = []
    tr.on_change(lambda: calls.append(tr.language))
    assert button.description == "올리고 처리하기"
    tr.set_language("en")
    assert button.description == "Upload and process" and calls == ["en"]
    tr.set_language("en")
    tr.set_language("fr")
    assert calls == ["en"]
    assert tr.t("upload.added", count=3) == "Added 3 file(s) and queued their jobs."
    assert tr.t("no.such.key") == "no.such.key"


def test_notice_shows_message_and_fix_and_never_a_traceback() -> None:
    tr = Translator("en")
    notice = Notice(tr, "rr-x")
    notice.error(NotFoundError("There is no <job> 'x'.", "List jobs."))
    assert notice.kind == "error"
    assert "<b>Not found</b>: There is no &lt;job&gt; &#x27;x&#x27;." in notice.widget.value
    assert "List jobs." in notice.widget.value
    notice.error(RuntimeError("boom"))
    assert "An unexpected error happened: RuntimeError: boom" in notice.widget.value
    assert "Traceback" not in notice.widget.value and "db/log" in notice.widget.value
    tr.set_language("ko")
    assert describe_error(KeyError("k"), tr)[0] == "문제가 생겼습니다"
    notice.info("<ok>")
    assert notice.widget.value == '<div class="rr-info">&lt;ok&gt;</div>'
    notice.clear()
    assert notice.widget.value == "" and notice.kind == ""


def test_guarded_callbacks_report_into_the_notice() -> None:
    notice = Notice(Translator("en"), "rr-x")

    @guarded(notice)
    def fails() -> None:
        raise ValueError("bad value")

    assert fails() is None and "ValueError: bad value" in notice.text


def test_find_walks_boxes_and_tabs() -> None:
    inner = widgets.Button()
    inner.add_class("rr-deep")
    root = widgets.Tab(children=[widgets.VBox([widgets.HBox([inner])]), widgets.Label()])
    assert find(root, "rr-deep") is inner and find_all(root, "rr-none") == []
    with pytest.raises(LookupError, match="found 0"):
        find(root, "rr-none")
