"""Library: every recording with date, type, duration, title and step status; bulk actions."""

from __future__ import annotations

import html
import threading

import ipywidgets as widgets

from ..app import RecordRoute
from ..models import Job, Recording
from .common import (
    Mute,
    Notice,
    clock,
    css,
    guarded,
    local_date,
    set_choices,
    split_tags,
    user_error,
)
from .shell import Shell, shell_for
from .summary_bar import SummariseAgain

PAGE_SIZE = 20
SORTS = ("created", "name", "duration", "kind")
KINDS = ("", "audio", "video", "text", "pdf")
#: what "reset" removes for each step (the facade's remove_outputs task names)
RESET_TASKS = {
    "transcribe": "stt",
    "ingest": "stt",
    "keywords": "stt",
    "summarize": "summary",
    "title": "summary",
    "embed": "embedding",
}
RESET_STEPS = ("transcribe", "summarize", "keywords", "embed")
COLUMNS = ("name", "date", "kind", "duration", "steps")


class LibraryPanel:
    """A filtered, sorted, paged list of recordings with selection and actions."""

    def __init__(self, shell: Shell, page_size: int = PAGE_SIZE) -> None:
        self.shell = shell
        self.page_size = page_size
        self.page = 0
        self.selected: set[str] = set()
        self.recordings: list[Recording] = []
        self.undo_ids: list[str] = []
        self._lock = threading.RLock()
        self.mute = Mute()
        tr = shell.tr
        self.notice = Notice(tr, "rr-lib-status")
        guard = guarded(self.notice)
        # filters
        self.query = css(widgets.Text(continuous_update=False), "rr-lib-search")
        tr.bind(self.query, "placeholder", "library.search")
        self.kind = css(widgets.Dropdown(), "rr-lib-kind")
        self.sort = css(widgets.Dropdown(), "rr-lib-sort")
        self.descending = css(widgets.Checkbox(value=True, indent=False), "rr-lib-desc")
        self.show_deleted = css(widgets.ToggleButton(icon="trash"), "rr-lib-deleted")
        self.refresh_button = css(widgets.Button(icon="refresh"), "rr-lib-refresh")
        for widget, key in (
            (self.kind, "library.kind"),
            (self.sort, "library.sort"),
            (self.descending, "library.descending"),
            (self.show_deleted, "library.show_deleted"),
            (self.refresh_button, "library.refresh"),
        ):
            tr.bind(widget, "description", key)
        for widget in (self.query, self.kind, self.sort, self.descending, self.show_deleted):
            widget.observe(guard(self._filter_changed), "value")
        self.refresh_button.on_click(guard(lambda _b: self.refresh()))
        # the table
        self.select_all = css(widgets.Checkbox(indent=False, layout=_box()), "rr-lib-select-all")
        self.select_all.observe(guard(self._select_all), "value")
        self.header = css(widgets.HTML(), "rr-lib-header")
        self.rows = css(widgets.VBox(), "rr-lib-rows")
        self.count = css(widgets.HTML(), "rr-lib-count")
        self.prev = css(widgets.Button(icon="chevron-left"), "rr-lib-prev")
        self.next = css(widgets.Button(icon="chevron-right"), "rr-lib-next")
        tr.bind(self.prev, "description", "library.prev")
        tr.bind(self.next, "description", "library.next")
        self.prev.on_click(guard(lambda _b: self.turn(-1)))
        self.next.on_click(guard(lambda _b: self.turn(1)))
        # actions
        self.rename_text = css(widgets.Text(), "rr-lib-rename-text")
        self.rename_button = css(widgets.Button(icon="pencil"), "rr-lib-rename")
        self.tags_text = css(widgets.Text(), "rr-lib-tags-text")
        self.tags_button = css(widgets.Button(icon="tags"), "rr-lib-tag")
        self.delete_button = css(
            widgets.Button(icon="trash", button_style="danger"), "rr-lib-delete"
        )
        self.undo_button = css(widgets.Button(icon="undo", button_style="warning"), "rr-lib-undo")
        self.restore_button = css(widgets.Button(icon="undo"), "rr-lib-restore")
        self.reset_steps = css(
            widgets.SelectMultiple(rows=4, layout=widgets.Layout(width="220px")),
            "rr-lib-reset-steps",
        )
        self.reset_button = css(widgets.Button(icon="repeat"), "rr-lib-reset")
        self.missing_button = css(
            widgets.Button(icon="play", button_style="primary"), "rr-lib-run-missing"
        )
        tr.bind(self.rename_text, "placeholder", "library.rename_to")
        tr.bind(self.tags_text, "placeholder", "library.tags_to")
        for widget, key in (
            (self.rename_button, "library.rename"),
            (self.tags_button, "library.set_tags"),
            (self.delete_button, "library.delete"),
            (self.undo_button, "library.undo"),
            (self.restore_button, "library.restore"),
            (self.reset_button, "library.reset"),
            (self.missing_button, "library.run_missing"),
        ):
            tr.bind(widget, "description", key)
        self.rename_button.on_click(guard(lambda _b: self.rename()))
        self.tags_button.on_click(guard(lambda _b: self.tag()))
        self.delete_button.on_click(guard(lambda _b: self.delete()))
        self.undo_button.on_click(guard(lambda _b: self.undo()))
        self.restore_button.on_click(guard(lambda _b: self.restore()))
        self.reset_button.on_click(guard(lambda _b: self.reset()))
        self.missing_button.on_click(guard(lambda _b: self.run_missing()))
        self.again = SummariseAgain(shell, self._chosen, self._queued)
        self.again.button.on_click(guard(lambda _b: self.again.run()))
        self.undo_button.layout.display = "none"
        self.reset_label = css(widgets.HTML(), "rr-lib-reset-label")
        actions = widgets.VBox(
            [
                widgets.HBox(
                    [self.rename_text, self.rename_button, self.tags_text, self.tags_button]
                ),
                widgets.HBox(
                    [self.delete_button, self.undo_button, self.restore_button, self.missing_button]
                ),
                self.again.widget,
                widgets.HBox(
                    [self.reset_label, self.reset_steps, self.reset_button],
                    layout=widgets.Layout(align_items="center"),
                ),
            ]
        )
        self.widget = css(
            widgets.VBox(
                [
                    widgets.HBox(
                        [
                            self.query,
                            self.kind,
                            self.sort,
                            self.descending,
                            self.show_deleted,
                            self.refresh_button,
                        ]
                    ),
                    widgets.HBox(
                        [self.select_all, self.header], layout=widgets.Layout(align_items="center")
                    ),
                    self.rows,
                    widgets.HBox(
                        [self.prev, self.count, self.next],
                        layout=widgets.Layout(align_items="center"),
                    ),
                    self.notice.widget,
                    actions,
                ]
            ),
            "rr-library",
        )
        self._relabel_options()
        tr.on_change(self._relabel)
        shell.on_library_changed(self.refresh)
        shell.watcher.subscribe(self._jobs_changed)
        self.refresh()

    # -- labels ----------------------------------------------------------------------------
    def _relabel_options(self) -> None:
        tr = self.shell.tr
        kind, sort, steps = (
            self.kind.value or "",
            self.sort.value or "created",
            self.reset_steps.value,
        )
        with self.mute():
            set_choices(self.kind, [(tr.t(f"kind.{k or 'all'}"), k) for k in KINDS], kind)
            set_choices(self.sort, [(tr.t(f"library.sort.{s}"), s) for s in SORTS], sort)
            self.reset_steps.options = [(tr.t(f"step.{s}"), s) for s in RESET_STEPS]
            self.reset_steps.value = steps
        self.reset_label.value = html.escape(tr.t("library.reset_steps"))

    def _filter_changed(self, _change: dict[str, object]) -> None:
        if not self.mute.on:
            self.refresh(reset_page=True)

    def _relabel(self) -> None:
        self._relabel_options()
        self.render()

    # -- loading -----------------------------------------------------------------------------
    def refresh(self, reset_page: bool = False) -> None:
        """Read the recordings again with the current filters and redraw."""
        with self._lock:
            if reset_page:
                self.page = 0
            self.recordings = self.shell.app.recordings.list(
                deleted=bool(self.show_deleted.value),
                kind=self.kind.value or None,
                text=self.query.value.strip() or None,
                sort=self.sort.value or "created",
                descending=bool(self.descending.value),
            )
            known = {r.id for r in self.recordings}
            self.selected &= known
            self.page = min(self.page, max(0, (len(self.recordings) - 1) // self.page_size))
            self.render()

    def _jobs_changed(self, jobs: list[Job]) -> None:
        if any(j.state in ("done", "failed", "cancelled") for j in jobs):
            self.refresh()

    def turn(self, step: int) -> None:
        pages = max(1, -(-len(self.recordings) // self.page_size))
        self.page = max(0, min(pages - 1, self.page + step))
        self.render()

    def visible(self) -> list[Recording]:
        start = self.page * self.page_size
        return self.recordings[start : start + self.page_size]

    def render(self) -> None:
        tr = self.shell.tr
        with self._lock:
            self.header.value = (
                '<div class="rr-lib-grid rr-lib-head">'
                + "".join(f"<span>{html.escape(tr.t('library.col.' + k))}</span>" for k in COLUMNS)
                + "</div>"
            )
            shown = self.visible()
            active = [rec for rec in shown if not rec.deleted]
            statuses = self.shell.app.steps.statuses(active) if active else {}
            rows = [self._row(rec, statuses.get(rec.id, {})) for rec in shown]
            if not rows:
                empty = css(
                    widgets.HTML(f"<i>{html.escape(tr.t('library.empty'))}</i>"), "rr-lib-empty"
                )
                rows = [empty]
            self.rows.children = tuple(rows)
            pages = max(1, -(-len(self.recordings) // self.page_size))
            self.count.value = html.escape(
                tr.t("library.page", page=self.page + 1, pages=pages)
                + " · "
                + tr.t("library.count", shown=len(self.visible()), total=len(self.recordings))
            )
            self.prev.disabled = self.page == 0
            self.next.disabled = self.page >= pages - 1
            deleted_view = bool(self.show_deleted.value)
            self.restore_button.layout.display = "" if deleted_view else "none"
            for button in (
                self.delete_button,
                self.rename_button,
                self.tags_button,
                self.reset_button,
                self.missing_button,
                self.again.button,
            ):
                button.disabled = deleted_view

    def _row(self, rec: Recording, status: dict[str, str]) -> widgets.Widget:
        tr = self.shell.tr
        box = css(
            widgets.Checkbox(value=rec.id in self.selected, indent=False, layout=_box()),
            "rr-lib-select",
        )
        box.observe(lambda change, rid=rec.id: self._toggle(rid, bool(change["new"])), "value")
        badges = "".join(
            f'<span class="rr-badge rr-badge-{state}" '
            f'title="{html.escape(tr.t("status." + state))}">'
            f"{html.escape(tr.t('step.' + step))}</span>"
            for step, state in status.items()
        )
        title = f'<div class="rr-lib-title">{html.escape(rec.title)}</div>' if rec.title else ""
        tags = "".join(f'<span class="rr-tag">#{html.escape(t)}</span>' for t in rec.tags)
        cells = css(
            widgets.HTML(
                '<div class="rr-lib-grid">'
                f'<span><b class="rr-lib-name">{html.escape(rec.display_name)}</b>'
                f"{title}{tags}</span>"
                f"<span>{local_date(rec.created_at)}</span>"
                f"<span>{html.escape(tr.t('kind.' + rec.kind))}</span>"
                f"<span>{clock(rec.duration_s)}</span>"
                f"<span>{badges}</span></div>"
            ),
            "rr-lib-cells",
        )
        opener = css(widgets.Button(icon="eye", layout=widgets.Layout(width="auto")), "rr-lib-open")
        opener.description = tr.t("library.open")
        opener.disabled = rec.deleted
        opener.on_click(guarded(self.notice)(lambda _b, rid=rec.id: self.shell.open_recording(rid)))
        row = css(
            widgets.HBox([box, cells, opener], layout=widgets.Layout(align_items="center")),
            "rr-lib-row",
        )
        row.add_class(f"rr-lib-id-{rec.id}")
        return row

    # -- selection -----------------------------------------------------------------------------
    def _toggle(self, recording_id: str, on: bool) -> None:
        if on:
            self.selected.add(recording_id)
        else:
            self.selected.discard(recording_id)

    def _select_all(self, change: dict[str, object]) -> None:
        if self.mute.on:
            return
        ids = {r.id for r in self.visible()}
        self.selected = self.selected | ids if change["new"] else self.selected - ids
        self.render()

    def select(self, *recording_ids: str) -> None:
        """Select these recordings (what ticking their boxes does)."""
        self.selected.update(recording_ids)
        self.render()

    def _chosen(self) -> list[str]:
        chosen = [r.id for r in self.recordings if r.id in self.selected]
        if not chosen:
            raise user_error(self.shell.tr, "library.no_selection")
        return chosen

    # -- actions -----------------------------------------------------------------------------
    def rename(self) -> None:
        self.notice.clear()
        chosen = self._chosen()
        if len(chosen) != 1:
            raise user_error(self.shell.tr, "library.one_selection")
        self.shell.app.recordings.rename(chosen[0], self.rename_text.value)
        self.rename_text.value = ""
        self._changed(self.shell.tr.t("library.renamed"))

    def tag(self) -> None:
        self.notice.clear()
        chosen = self._chosen()
        tags = split_tags(self.tags_text.value)
        for rid in chosen:
            self.shell.app.recordings.set_tags(rid, tags)
        self._changed(self.shell.tr.t("library.tagged", count=len(chosen)))

    def delete(self) -> None:
        self.notice.clear()
        chosen = self._chosen()
        for rid in chosen:
            self.shell.app.recordings.delete(rid)
        self.undo_ids = chosen
        self.undo_button.layout.display = ""
        self._changed(self.shell.tr.t("library.deleted", count=len(chosen)))

    def undo(self) -> None:
        """Restore what the last delete removed."""
        self.notice.clear()
        ids, self.undo_ids = self.undo_ids, []
        self.undo_button.layout.display = "none"
        for rid in ids:
            self.shell.app.recordings.restore(rid)
        self._changed(self.shell.tr.t("library.restored", count=len(ids)))

    def restore(self) -> None:
        self.notice.clear()
        chosen = self._chosen()
        for rid in chosen:
            self.shell.app.recordings.restore(rid)
        self._changed(self.shell.tr.t("library.restored", count=len(chosen)))

    def reset(self) -> None:
        """Remove what the chosen steps produced and run them again."""
        self.notice.clear()
        chosen = self._chosen()
        steps = list(self.reset_steps.value)
        if not steps:
            raise user_error(self.shell.tr, "library.no_reset_steps")
        tasks = sorted({RESET_TASKS[s] for s in steps})
        jobs = []
        for rid in chosen:
            self.shell.app.steps.reset(rid, tasks)
            jobs.append(self.shell.app.jobs.submit(rid, steps))
        self._queued(jobs)

    def run_missing(self) -> None:
        self.notice.clear()
        jobs = []
        for rid in self._chosen():
            missing = self.shell.app.steps.missing(rid)
            if missing:
                jobs.append(self.shell.app.jobs.submit(rid, missing))
        if not jobs:
            self.notice.info(self.shell.tr.t("library.nothing_missing"))
            return
        self._queued(jobs)

    def _queued(self, jobs: list[Job]) -> None:
        self.shell.watcher.poll()
        self.refresh()
        self.notice.info(self.shell.tr.t("library.queued", count=len(jobs)))

    def _changed(self, message: str) -> None:
        self.shell.library_changed()  # refreshes this list too
        self.notice.info(message)


def _box() -> widgets.Layout:
    return widgets.Layout(width="28px")


def library_panel(app: RecordRoute | Shell) -> widgets.Widget:
    """The library list with its filters and actions."""
    return LibraryPanel(shell_for(app)).widget
