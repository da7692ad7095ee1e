"""Helpers every panel uses: CSS hooks, error notices, formatting and safe HTML."""

from __future__ import annotations

import contextlib
import functools
import html
import logging
import re
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any, TypeVar

import ipywidgets as widgets
import mistune

from ..errors import RecordRouteError
from .i18n import STRINGS, Translator

log = logging.getLogger(__name__)

W = TypeVar("W", bound=widgets.Widget)


def css(widget: W, *names: str) -> W:
    """Add CSS classes (the hooks browser tests and the style sheet use) and return the widget."""
    for name in names:
        widget.add_class(name)
    return widget


def classes_of(widget: widgets.Widget) -> tuple[str, ...]:
    return tuple(getattr(widget, "_dom_classes", ()))


def walk(root: widgets.Widget) -> Iterator[widgets.Widget]:
    """``root`` and every widget inside it (boxes, tabs, accordions), depth first."""
    yield root
    for child in getattr(root, "children", ()) or ():
        if isinstance(child, widgets.Widget):
            yield from walk(child)


def find_all(root: widgets.Widget, name: str) -> list[widgets.Widget]:
    """Every widget under ``root`` carrying the CSS class ``name``."""
    return [w for w in walk(root) if name in classes_of(w)]


def find(root: widgets.Widget, name: str) -> Any:
    """The one widget under ``root`` with CSS class ``name`` (an error when not exactly one)."""
    found = find_all(root, name)
    if len(found) != 1:
        raise LookupError(f"expected one widget with class {name!r}, found {len(found)}")
    return found[0]


def set_choices(widget: widgets.Widget, options: list[tuple[str, Any]], value: Any) -> None:
    """Replace a selection widget's options, keeping ``value`` when it is still offered.

    Call it while the panel's observers are muted: changing options moves the value.
    """
    values = [v for _, v in options]
    widget.options = options
    if value in values:
        widget.value = value
    elif values and widget.value not in values:
        widget.value = values[0]


class Mute:
    """A switch that observers check, to ignore changes the panel makes itself."""

    def __init__(self) -> None:
        self.on = False

    @contextlib.contextmanager
    def __call__(self) -> Iterator[None]:
        previous, self.on = self.on, True
        try:
            yield
        finally:
            self.on = previous


# -- notices ---------------------------------------------------------------------------------
class Notice:
    """A line in a panel for what just happened: information, or an error in plain words."""

    def __init__(self, tr: Translator, name: str) -> None:
        self.tr = tr
        self.widget = css(widgets.HTML(""), "rr-notice", name)
        self.kind = ""
        self.text = ""

    def info(self, text: str) -> None:
        self.kind, self.text = "info", text
        self.widget.value = f'<div class="rr-info">{html.escape(text)}</div>'

    def error(self, exc: BaseException) -> None:
        """Show ``exc`` as its message and fix; anything unexpected is logged, never traced."""
        heading, message, fix = describe_error(exc, self.tr)
        self.kind, self.text = "error", f"{message} {fix}".strip()
        self.widget.value = (
            f'<div class="rr-error" role="alert"><b>{html.escape(heading)}</b>: '
            f"{html.escape(message)}"
            + (f'<div class="rr-error-fix">{html.escape(fix)}</div>' if fix else "")
            + "</div>"
        )

    def clear(self) -> None:
        self.kind, self.text = "", ""
        self.widget.value = ""


class UserError(RecordRouteError):
    """A mistake in what the user asked the dashboard to do (nothing chosen, nothing typed)."""

    code = "invalid_input"


def user_error(tr: Translator, key: str) -> UserError:
    """The panel error ``key`` (its fix is ``key.fix``) in the current language."""
    return UserError(tr.t(key), tr.t(f"{key}.fix"))


def describe_error(exc: BaseException, tr: Translator) -> tuple[str, str, str]:
    """(heading, message, fix) for an exception, in the interface language where possible."""
    if isinstance(exc, RecordRouteError):
        key = f"error.code.{exc.code}"
        heading = tr.t(key) if key in STRINGS else tr.t("error.title")
        return heading, exc.message, exc.fix
    log.error("dashboard action failed", exc_info=exc)
    detail = f"{type(exc).__name__}: {exc}".strip()
    return (
        tr.t("error.title"),
        tr.t("error.unexpected", detail=detail),
        tr.t("error.unexpected.fix"),
    )


Callback = TypeVar("Callback", bound=Callable[..., Any])


def guarded(notice: Notice) -> Callable[[Callback], Callback]:
    """Decorate a widget callback so that any failure lands in ``notice`` and nowhere else."""

    def wrap(func: Callback) -> Callback:
        @functools.wraps(func)
        def run(*args: Any, **kwargs: Any) -> Any:
            try:
                return func(*args, **kwargs)
            except Exception as exc:
                notice.error(exc)
                return None

        return run  # type: ignore[return-value]

    return wrap


# -- formatting ----------------------------------------------------------------------------
def clock(seconds: float | None) -> str:
    """``M:SS`` or ``H:MM:SS``; an empty string for no value."""
    if seconds is None:
        return ""
    total = max(0, round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def local_date(moment: datetime) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def file_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"  # pragma: no cover - the loop always returns


def eta_text(seconds: float | None) -> str:
    if seconds is None:
        return ""
    if seconds < 60:
        return f"{int(seconds)} s"
    return f"{int(seconds // 60)} min {int(seconds % 60):02d} s"


_MARK = re.compile("«(.*?)»", re.S)


def highlight(snippet: str) -> str:
    """Escape a search snippet and turn its «…» markers into ``<mark>`` elements."""
    return _MARK.sub(r"<mark>\1</mark>", html.escape(snippet)).replace("«", "").replace("»", "")


class _CompactHTML(mistune.HTMLRenderer):
    """Markdown as HTML for a panel: raw HTML escaped, unsafe links dropped, headings two
    levels down (the panel has its own), no whitespace between blocks."""

    def __init__(self) -> None:
        super().__init__(escape=True)

    def heading(self, text: str, level: int, **attrs: Any) -> str:
        tag = f"h{min(6, level + 2)}"
        return f"<{tag}>{text}</{tag}>"

    def strong(self, text: str) -> str:
        return f"<b>{text}</b>"

    def paragraph(self, text: str) -> str:
        return f"<p>{text}</p>"

    def list(self, text: str, ordered: bool, **attrs: Any) -> str:
        tag = "ol" if ordered else "ul"
        return f"<{tag}>{text}</{tag}>"

    def list_item(self, text: str) -> str:
        return f"<li>{text}</li>"

    def blank_line(self) -> str:
        return ""


class _SummaryHTML(_CompactHTML):
    """A summary: its note as a note, and each line's time as a link that plays from it."""

    def __init__(self, seek_js: str) -> None:
        super().__init__()
        self.seek_js = seek_js

    def block_quote(self, text: str) -> str:
        return f'<div class="rr-note">{text}</div>'

    def list_item(self, text: str) -> str:
        timed = _TIMED_ITEM.match(text)
        if timed is None:
            return f"<li>{text}</li>"
        hours, minutes, seconds, rest = timed.groups()
        start = int(hours) * 3600 + int(minutes) * 60 + int(seconds)
        link = (
            f'<a class="rr-time rr-summary-time" href="#" data-start="{start:.2f}" '
            f'onclick="{self.seek_js}return false;">{hours}:{minutes}:{seconds}</a>'
        )
        return f"<li>{link} {rest}</li>"


#: a summary line as rendered: "[00:01:23] text"
_TIMED_ITEM = re.compile(r"^\[(\d{1,3}):(\d{2}):(\d{2})\]\s+(.*)$", re.S)
_MARKDOWN = mistune.create_markdown(renderer=_CompactHTML())


def markdown_html(text: str, seek_js: str = "") -> str:
    """Markdown (summaries, notes) as safe HTML for a panel.

    With ``seek_js``, a bullet that starts with its time (``- [00:01:23] ...``, as summary
    lines do) shows that time as a link running ``seek_js`` with ``data-start`` in seconds.
    """
    render = mistune.create_markdown(renderer=_SummaryHTML(seek_js)) if seek_js else _MARKDOWN
    rendered = render(text)
    return rendered if isinstance(rendered, str) else ""


def split_tags(text: str) -> list[str]:
    return [t.strip() for t in re.split(r"[,;#]", text) if t.strip()]
