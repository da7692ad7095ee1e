"""Ask: questions answered from the recordings; every cited moment opens the viewer there."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from ..app import RecordRoute
from .common import Notice, css, guarded, set_choices, user_error
from .shell import Shell, shell_for

if TYPE_CHECKING:
    from ..ask import Answer, AnswerSentence


class AskPanel:
    def __init__(self, shell: Shell) -> None:
        self.shell = shell
        self.answers: list[Answer] = []
        self.conversation_id: str | None = None
        #: the box's text whose answer is shown (Enter, then a click, asks only once)
        self._answered = ""
        tr = shell.tr
        self.notice = Notice(tr, "rr-ask-status")
        guard = guarded(self.notice)
        self.question = css(
            widgets.Text(continuous_update=False, layout=widgets.Layout(width="520px")),
            "rr-ask-question",
        )
        tr.bind(self.question, "placeholder", "ask.placeholder")
        self.go = css(widgets.Button(icon="comment", button_style="primary"), "rr-ask-go")
        tr.bind(self.go, "description", "ask.go")
        self.go.on_click(guard(lambda _b: self._clicked()))
        self.question.observe(guard(self._submitted), "value")
        wide = {"description_width": "110px"}
        self.scope = css(
            widgets.Dropdown(layout=widgets.Layout(width="480px"), style=wide), "rr-ask-scope"
        )
        tr.bind(self.scope, "description", "ask.scope")
        self.speakers = css(
            widgets.SelectMultiple(rows=3, layout=widgets.Layout(width="300px"), style=wide),
            "rr-ask-speakers",
        )
        tr.bind(self.speakers, "description", "ask.speakers")
        tr.bind(self.speakers, "tooltip", "ask.speakers.hint")
        self.new = css(widgets.Button(icon="plus"), "rr-ask-new")
        tr.bind(self.new, "description", "ask.new")
        self.new.on_click(guard(lambda _b: self.start_new()))
        self.history = css(
            widgets.Dropdown(layout=widgets.Layout(width="480px"), style=wide), "rr-ask-history"
        )
        tr.bind(self.history, "description", "ask.history")
        self.history.observe(guard(self._reopen), "value")
        self.delete = css(widgets.Button(icon="trash"), "rr-ask-delete")
        tr.bind(self.delete, "description", "ask.delete")
        self.delete.on_click(guard(lambda _b: self.delete_conversation()))
        self.draft = css(widgets.HTML(), "rr-ask-draft")
        self.thread = css(widgets.VBox(), "rr-ask-thread")
        self.widget = css(
            widgets.VBox(
                [
                    widgets.HBox([self.question, self.go]),
                    widgets.HBox([self.scope, self.new]),
                    self.speakers,
                    widgets.HBox([self.history, self.delete]),
                    self.notice.widget,
                    self.thread,
                    self.draft,
                ]
            ),
            "rr-ask",
        )
        self._muted = False
        self.refresh()
        tr.on_change(self._relabel)
        shell.on_library_changed(self.refresh)

    # -- lists ---------------------------------------------------------------------------
    def refresh(self) -> None:
        tr = self.shell.tr
        app = self.shell.app
        recordings = [(r.display_name, r.id) for r in app.recordings.list(limit=500)]
        self._muted = True
        try:
            set_choices(
                self.scope, [(tr.t("ask.scope.all"), ""), *recordings], self.scope.value or ""
            )
            names = app.speakers.names()
            chosen = tuple(n for n in self.speakers.value if n in names)
            self.speakers.options = names
            self.speakers.value = chosen
            # only recordings whose speakers are known can be asked by speaker
            self.speakers.layout.display = "" if names else "none"
            found = app.ask.conversations(limit=100)
            set_choices(
                self.history,
                [("", ""), *((c.title[:70], c.id) for c in found)],
                self.conversation_id or "",
            )
        finally:
            self._muted = False

    def _relabel(self) -> None:
        self.refresh()
        self.render()

    # -- asking --------------------------------------------------------------------------
    def _submitted(self, change: dict[str, object]) -> None:
        if str(change["new"]).strip() and str(change["new"]) != self._answered:
            self.ask()

    def _clicked(self) -> None:
        if self.question.value.strip() and self.question.value == self._answered:
            return  # already answered when the box lost focus on the way to the button
        self.ask()

    def ask(self, question: str | None = None) -> Answer:
        """Ask the box's question (a follow-up when a conversation is open)."""
        self.notice.clear()
        text = (question if question is not None else self.question.value).strip()
        if not text:
            raise user_error(self.shell.tr, "ask.empty")
        pieces: list[str] = []

        def on_event(kind: str, data: dict[str, Any]) -> None:
            if kind == "token":
                pieces.append(str(data.get("text", "")))
                self.draft.value = (
                    f'<div class="rr-ask-writing">{html.escape("".join(pieces))} '
                    f'<span class="rr-hint">{html.escape(self.shell.tr.t("ask.checking"))}'
                    "</span></div>"
                )

        try:
            answer = self.shell.app.ask.ask(
                text,
                conversation_id=self.conversation_id,
                recording_id=None if self.conversation_id else (self.scope.value or None),
                speakers=() if self.conversation_id else tuple(self.speakers.value),
                on_event=on_event,
            )
        finally:
            self.draft.value = ""
        self.conversation_id = answer.conversation_id
        self.answers.append(answer)
        self._answered = self.question.value if question is None else self._answered
        self.refresh()
        self.render()
        return answer

    def start_new(self) -> None:
        self.conversation_id = None
        self.answers = []
        self._answered = ""
        self.notice.clear()
        self.refresh()
        self.render()

    def _reopen(self, change: dict[str, object]) -> None:
        if self._muted:
            return
        chosen = str(change["new"] or "")
        if not chosen or chosen == self.conversation_id:
            return
        self.conversation_id = chosen
        self.answers = self.shell.app.ask.answers(chosen)
        self.render()

    def delete_conversation(self) -> None:
        chosen = self.history.value or self.conversation_id
        if not chosen:
            raise user_error(self.shell.tr, "ask.nothing_chosen")
        self.shell.app.ask.delete_conversation(chosen)
        self.start_new()
        self.notice.info(self.shell.tr.t("ask.deleted"))

    # -- showing -------------------------------------------------------------------------
    def render(self) -> None:
        self.thread.children = tuple(self._turn(a) for a in self.answers)

    def _turn(self, answer: Answer) -> widgets.Widget:
        tr = self.shell.tr
        parts: list[widgets.Widget] = [
            css(widgets.HTML(f"<b>Q: {html.escape(answer.question)}</b>"), "rr-ask-q")
        ]
        key = f"ask.mode.{answer.mode}"
        note = tr.t(key, model=answer.model, dropped=answer.dropped)
        parts.append(
            css(widgets.HTML(f'<div class="rr-hint">{html.escape(note)}</div>'), "rr-ask-mode")
        )
        if answer.mode == "written":
            parts += [self._sentence(s) for s in answer.sentences]
        elif answer.found:
            if answer.lead is not None:
                parts.append(self._sentence(answer.lead, lead=True))
            for group in answer.groups:
                rest = [s for s in group.sentences if s != answer.lead]
                if rest:
                    head = widgets.HTML(f"<b>{html.escape(group.name)}</b>")
                    parts.append(css(head, "rr-ask-group"))
                    parts += [self._sentence(s) for s in rest]
        box = css(widgets.VBox(parts), "rr-ask-turn", f"rr-ask-mode-{answer.mode}")
        return box

    def _sentence(self, sentence: AnswerSentence, *, lead: bool = False) -> widgets.Widget:
        citation = sentence.citation
        text = css(
            widgets.HTML(
                f'<span class="{"rr-ask-lead" if lead else "rr-ask-text"}">'
                f"{html.escape(sentence.text)}</span>"
            ),
            "rr-ask-sentence",
        )
        cite = css(
            widgets.Button(
                description=self.shell.tr.t("ask.cite", label=citation.label),
                layout=widgets.Layout(width="auto"),
            ),
            "rr-ask-cite",
        )
        cite.add_class(f"rr-ask-cite-{citation.recording_id}")
        cite.on_click(
            guarded(self.notice)(
                lambda _b: self.shell.open_recording(citation.recording_id, citation.start_s)
            )
        )
        return css(widgets.HBox([text, cite]), "rr-ask-line")


def ask_panel(app: RecordRoute | Shell) -> widgets.Widget:
    """The question box and its answers."""
    return AskPanel(shell_for(app)).widget
