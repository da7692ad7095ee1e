"""Search: one box, date and type filters, relevant results grouped by recording.

Only the recordings that clear the relevance bar are listed; "show weaker matches" adds
the others below them.  When nothing clears the bar the panel says so and offers the
archive's spellings of the query's words as queries to try.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

import ipywidgets as widgets

from ..app import RecordRoute
from ..errors import NotFoundError
from .common import Notice, clock, css, guarded, highlight, local_date, set_choices, user_error
from .shell import Shell, shell_for

if TYPE_CHECKING:
    from ..search import SearchHit, SearchOutcome

KINDS = ("", "audio", "video", "text", "pdf")


class SearchPanel:
    def __init__(self, shell: Shell, k: int = 10) -> None:
        self.shell = shell
        self.k = k
        self.hits: list[SearchHit] = []
        self.outcome: SearchOutcome | None = None
        tr = shell.tr
        self.notice = Notice(tr, "rr-search-status")
        guard = guarded(self.notice)
        self.query = css(
            widgets.Text(continuous_update=False, layout=widgets.Layout(width="420px")),
            "rr-search-query",
        )
        tr.bind(self.query, "placeholder", "search.placeholder")
        self.go = css(widgets.Button(icon="search", button_style="primary"), "rr-search-go")
        tr.bind(self.go, "description", "search.go")
        self.start = css(widgets.DatePicker(), "rr-search-from")
        self.end = css(widgets.DatePicker(), "rr-search-to")
        self.kind = css(widgets.Dropdown(), "rr-search-kind")
        self.spoken_by = css(
            widgets.Text(continuous_update=False, layout=widgets.Layout(width="260px")),
            "rr-search-spoken-by",
        )
        tr.bind(self.spoken_by, "description", "search.spoken_by")
        tr.bind(self.spoken_by, "placeholder", "search.spoken_by_hint")
        tr.bind(self.start, "description", "search.from")
        tr.bind(self.end, "description", "search.to")
        tr.bind(self.kind, "description", "search.kind")
        self.go.on_click(guard(lambda _b: self.run()))
        self.query.observe(guard(self._submitted), "value")
        self.weaker = css(widgets.Checkbox(value=False, indent=False), "rr-search-weaker")
        tr.bind(self.weaker, "description", "search.weaker")
        self.weaker.observe(guard(lambda _change: self._show()), "value")
        self.summary = css(widgets.HTML(), "rr-search-summary")
        self.suggestions = css(widgets.HBox(), "rr-search-suggestions")
        self.results = css(widgets.VBox(), "rr-search-results")
        self.widget = css(
            widgets.VBox(
                [
                    widgets.HBox([self.query, self.go]),
                    widgets.HBox([self.start, self.end, self.kind, self.spoken_by, self.weaker]),
                    self.notice.widget,
                    self.summary,
                    self.suggestions,
                    self.results,
                ]
            ),
            "rr-search",
        )
        self._relabel()
        tr.on_change(self._relabel)

    def _relabel(self) -> None:
        tr = self.shell.tr
        current = self.kind.value or ""
        set_choices(self.kind, [(tr.t(f"kind.{k or 'all'}"), k) for k in KINDS], current)
        if self.outcome is not None:
            self.render()

    def _submitted(self, change: dict[str, object]) -> None:
        if str(change["new"]).strip():
            self.run()

    def run(self) -> list[SearchHit]:
        """Search with the box and the filters; show the results."""
        self.notice.clear()
        query = self.query.value.strip()
        if not query:
            self.hits = []
            self.outcome = None
            self.results.children = ()
            self.suggestions.children = ()
            self.summary.value = ""
            raise user_error(self.shell.tr, "search.empty")
        self.outcome = self.shell.app.search.find(
            query,
            k=self.k,
            start=self.start.value,
            end=self.end.value,
            kinds=(self.kind.value,) if self.kind.value else (),
            spoken_by=self.spoken_by.value,
        )
        self._show()
        return self.hits

    def _show(self) -> None:
        """List the outcome's hits (and the weaker ones when the box is ticked)."""
        if self.outcome is None:
            return
        self.hits = self.outcome.shown(self.weaker.value)
        self.render()

    def render(self) -> None:
        tr = self.shell.tr
        items: list[widgets.Widget] = []
        found = 0
        for rank, hit in enumerate(self.hits, start=1):
            try:
                rec = self.shell.app.recordings.get(hit.recording_id)
            except NotFoundError:
                continue
            found += hit.relevant
            items.append(
                self._group(
                    rank, hit, rec.display_name, rec.title, rec.kind, local_date(rec.created_at)
                )
            )
        self.results.children = tuple(items)
        lines = [tr.t("search.results", count=found) if found else tr.t("search.none")]
        hidden = len(self.outcome.weaker) if self.outcome and not self.weaker.value else 0
        if hidden:
            lines.append(tr.t("search.weaker.count", count=hidden))
        self.summary.value = "<br>".join(
            [f"<b>{html.escape(lines[0])}</b>", *(html.escape(line) for line in lines[1:])]
        )
        self.suggestions.children = self._suggestions()

    def _suggestions(self) -> tuple[widgets.Widget, ...]:
        """Buttons that search for the suggested queries (only when nothing was found)."""
        if self.outcome is None or not self.outcome.nothing_found or not self.outcome.suggestions:
            return ()
        label = css(widgets.HTML(html.escape(self.shell.tr.t("search.suggest"))), "rr-suggest")
        buttons: list[widgets.Widget] = [label]
        for text in self.outcome.suggestions:
            button = css(
                widgets.Button(description=text, layout=widgets.Layout(width="auto")),
                "rr-search-suggestion",
            )
            button.on_click(guarded(self.notice)(lambda _b, text=text: self._try(text)))
            buttons.append(button)
        return tuple(buttons)

    def _try(self, text: str) -> None:
        if self.query.value == text:
            self.run()
        else:
            self.query.value = text  # runs the search (the box submits on change)

    def _group(
        self, rank: int, hit: SearchHit, name: str, title: str, kind: str, date: str
    ) -> widgets.Widget:
        tr = self.shell.tr
        matched = []
        if hit.keyword_rank is not None:
            matched.append("keyword")
        if hit.vector_rank is not None:
            matched.append("meaning")
        head = (
            f'<div class="rr-hit-head"><b>{rank}. {html.escape(name)}</b>'
            + (f' — <span class="rr-hit-title">{html.escape(title)}</span>' if title else "")
            + f' <span class="rr-hit-meta">{html.escape(date)}'
            + f" · {html.escape(tr.t('kind.' + kind))}"
            f" · {html.escape(tr.t('search.score'))} {hit.score:.3f}"
            f" · {'+'.join(matched)}"
            + ("" if hit.relevant else f" · {html.escape(tr.t('search.weaker.tag'))}")
            + "</span></div>"
        )
        snippet = f'<div class="rr-hit-snippet">{highlight(hit.snippet)}</div>'
        extra = ""
        if hit.chunk is not None and hit.keyword is not None and hit.chunk.text not in hit.snippet:
            extra = f'<div class="rr-hit-more">… {html.escape(hit.chunk.text[:240])} …</div>'
        body = css(widgets.HTML(head + snippet + extra), "rr-hit-body")
        label = (
            tr.t("search.jump", time=clock(hit.start_s))
            if hit.start_s is not None and kind in ("audio", "video")
            else tr.t("search.open")
        )
        jump = css(
            widgets.Button(description=label, layout=widgets.Layout(width="auto")), "rr-hit-open"
        )
        jump.on_click(
            guarded(self.notice)(
                lambda _b: self.shell.open_recording(hit.recording_id, hit.start_s)
            )
        )
        box = css(widgets.VBox([body, jump]), "rr-hit")
        if not hit.relevant:
            box.add_class("rr-hit-weaker")
        box.add_class(f"rr-hit-id-{hit.recording_id}")
        return box


def search_panel(app: RecordRoute | Shell) -> widgets.Widget:
    """The search box and its results."""
    return SearchPanel(shell_for(app)).widget
