"""Interface text in Korean (the default) and English, and live relabelling on a switch."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

LANGUAGES = (("한국어", "ko"), ("English", "en"))
DEFAULT_LANGUAGE = "ko"

#: key -> (Korean, English); ``{name}`` placeholders are filled by :meth:`Translator.t`
STRINGS: dict[str, tuple[str, str]] = {
    # the shell
    "app.title": ("RecordRoute 작업대", "RecordRoute workbench"),
    "tab.upload": ("업로드", "Upload"),
    "tab.library": ("보관함", "Library"),
    "tab.viewer": ("보기", "Viewer"),
    "tab.search": ("검색", "Search"),
    "tab.insights": ("통계", "Insights"),
    "tab.ask": ("질문", "Ask"),
    "lang.label": ("언어", "Language"),
    # common words
    "kind.all": ("모든 형식", "All types"),
    "kind.audio": ("오디오", "Audio"),
    "kind.video": ("비디오", "Video"),
    "kind.text": ("텍스트", "Text"),
    "kind.pdf": ("PDF", "PDF"),
    "kind.unknown": ("알 수 없음", "Unknown"),
    "step.ingest": ("가져오기", "ingest"),
    "step.transcribe": ("받아쓰기", "transcribe"),
    "step.summarize": ("요약", "summarize"),
    "step.title": ("제목", "title"),
    "step.keywords": ("키워드", "keywords"),
    "step.diarize": ("화자", "speakers"),
    "step.embed": ("색인", "index"),
    "status.done": ("완료", "done"),
    "status.running": ("진행 중", "running"),
    "status.queued": ("대기", "queued"),
    "status.failed": ("실패", "failed"),
    "status.cancelled": ("취소됨", "cancelled"),
    "status.missing": ("안 함", "missing"),
    "none": ("없음", "none"),
    # upload and queue
    "upload.pick": ("파일 선택", "Choose files"),
    "upload.steps": ("처리 단계", "Steps"),
    "upload.step.transcribe": ("받아쓰기", "Transcribe"),
    "upload.step.speakers": ("화자 나누기", "Speakers"),
    "upload.step.summarize": ("요약", "Summarize"),
    "upload.step.index": ("색인 (검색·키워드)", "Index (search, keywords)"),
    "upload.whisper": ("Whisper 모델", "Whisper model"),
    "upload.language": ("언어", "Language"),
    "upload.language.auto": ("자동 감지", "Detect automatically"),
    "upload.llm": ("요약 모델", "Summary model"),
    # summaries: templates, summarising again
    "summary.template": ("요약 양식", "Summary template"),
    "summary.template.default": ("기본값", "Default"),
    "summary.template.meeting": ("회의", "Meeting"),
    "summary.template.lecture": ("강의", "Lecture"),
    "summary.template.interview": ("인터뷰", "Interview"),
    "summary.again": ("다시 요약", "Summarise again"),
    "upload.start": ("올리고 처리하기", "Upload and process"),
    "upload.added": (
        "{count}개 파일을 추가하고 작업을 대기열에 넣었습니다.",
        "Added {count} file(s) and queued their jobs.",
    ),
    "upload.no_files": ("먼저 파일을 고르세요.", "Choose at least one file first."),
    "upload.no_files.fix": (
        "'파일 선택'을 눌러 파일을 고르세요.",
        "Press 'Choose files' and pick a recording or document.",
    ),
    "upload.no_steps": ("처리 단계를 하나 이상 고르세요.", "Choose at least one step."),
    "upload.no_steps.fix": (
        "받아쓰기, 요약, 색인 중 하나를 켜세요.",
        "Tick transcribe, summarize or index.",
    ),
    "upload.file_failed": ("'{name}' 파일을 추가하지 못했습니다.", "Could not add '{name}'."),
    "upload.started": (
        "{count}개 파일을 올리는 중입니다. 다 올라가면 바로 처리 대기열에 들어갑니다.",
        "Uploading {count} file(s); each is queued for processing as soon as it arrives.",
    ),
    "upload.arrived": (
        "'{name}'을(를) 올리고 작업을 대기열에 넣었습니다.",
        "'{name}' arrived and its job is queued.",
    ),
    "uploader.drop": (
        "파일을 여기(또는 이 탭 아무 곳)에 끌어다 놓거나 '파일 선택'을 누르세요. "
        "파일마다 최대 {limit}, 끊겨도 이어서 올립니다.",
        "Drop files here (or anywhere on this tab), or press 'Choose files'. "
        "Up to {limit} per file; a dropped connection resumes where it stopped.",
    ),
    "uploader.pick": ("파일 선택", "Choose files"),
    "uploader.cancel": ("취소", "Cancel"),
    "uploader.left": ("{time} 남음", "{time} left"),
    "uploader.resumed": ("{size}부터 이어서 올립니다", "resumed at {size}"),
    "uploader.restarted": (
        "서버가 받다 만 부분을 지웠기 때문에 처음부터 다시 올립니다",
        "the server had removed the unfinished upload; starting again",
    ),
    "uploader.queued": ("올렸고 처리 대기열에 넣었습니다", "uploaded and queued for processing"),
    "uploader.stored": ("올렸습니다", "uploaded"),
    "uploader.unreachable": (
        "RecordRoute API({url})에 연결할 수 없습니다.",
        "Cannot reach the RecordRoute API at {url}.",
    ),
    "uploader.unreachable.fix": (
        "`recordroute serve`로 작업대를 여세요. JupyterLab에서는 recordroute 서버 확장이 "
        "켜져 있어야 합니다.",
        "Open the workbench with `recordroute serve`; in JupyterLab the recordroute server "
        "extension must be enabled.",
    ),
    "uploader.state.ready": ("선택됨", "ready"),
    "uploader.state.waiting": ("차례를 기다리는 중", "waiting"),
    "uploader.state.uploading": ("올리는 중", "uploading"),
    "uploader.state.retrying": (
        "연결이 끊겼습니다. {seconds}초 뒤 이어서 올립니다",
        "connection lost; resuming in {seconds} s",
    ),
    "uploader.state.finishing": ("저장하는 중", "storing"),
    "uploader.state.done": ("완료", "done"),
    "uploader.state.failed": ("실패", "failed"),
    "uploader.state.cancelled": ("취소됨", "cancelled"),
    "player.click_hint": (
        "줄을 누르면 그 위치부터 재생합니다. 재생 중인 줄이 표시됩니다.",
        "Click a line to play from there; the line being spoken is highlighted.",
    ),
    "player.no_transcript": ("아직 받아쓰기가 없습니다.", "No transcript yet."),
    "player.media_error": (
        "녹음을 재생할 수 없습니다 ({url}). 녹음을 다시 열어 보세요.",
        "The recording cannot be played ({url}). Open it again.",
    ),
    "queue.title": ("작업 대기열", "Job queue"),
    "queue.empty": ("작업이 없습니다.", "No jobs yet."),
    "queue.cancel": ("취소", "Cancel"),
    "queue.retry": ("다시 시도", "Retry"),
    "queue.eta": ("약 {time} 남음", "about {time} left"),
    "queue.clear": ("끝난 작업 숨기기", "Hide finished jobs"),
    # library
    "library.search": ("이름이나 태그로 찾기", "Find by name or tag"),
    "library.kind": ("형식", "Type"),
    "library.sort": ("정렬", "Sort"),
    "library.sort.created": ("추가한 날짜", "Date added"),
    "library.sort.name": ("이름", "Name"),
    "library.sort.duration": ("길이", "Duration"),
    "library.sort.kind": ("형식", "Type"),
    "library.descending": ("내림차순", "Descending"),
    "library.show_deleted": ("삭제된 항목 보기", "Show deleted"),
    "library.refresh": ("새로 고침", "Refresh"),
    "library.select_all": ("모두 선택", "Select all"),
    "library.col.name": ("이름 / 제목", "Name / title"),
    "library.col.date": ("날짜", "Date"),
    "library.col.kind": ("형식", "Type"),
    "library.col.duration": ("길이", "Duration"),
    "library.col.steps": ("단계", "Steps"),
    "library.open": ("열기", "Open"),
    "library.empty": ("조건에 맞는 녹음이 없습니다.", "No recordings match."),
    "library.count": ("{shown} / {total}개", "{shown} of {total}"),
    "library.prev": ("이전", "Previous"),
    "library.next": ("다음", "Next"),
    "library.page": ("{page} / {pages} 쪽", "page {page} of {pages}"),
    "library.rename_to": ("새 이름", "New name"),
    "library.rename": ("이름 바꾸기", "Rename"),
    "library.tags_to": ("태그 (쉼표로 구분)", "Tags (comma separated)"),
    "library.set_tags": ("태그 저장", "Save tags"),
    "library.delete": ("삭제", "Delete"),
    "library.undo": ("되돌리기", "Undo"),
    "library.restore": ("복원", "Restore"),
    "library.reset_steps": ("다시 실행할 단계", "Steps to run again"),
    "library.reset": ("단계 다시 실행", "Reset and rerun steps"),
    "library.run_missing": ("빠진 단계 실행", "Run missing steps"),
    "library.no_selection": (
        "먼저 녹음을 하나 이상 선택하세요.",
        "Select at least one recording first.",
    ),
    "library.no_selection.fix": (
        "목록 왼쪽의 확인란을 누르세요.",
        "Tick the box at the start of a row.",
    ),
    "library.one_selection": (
        "이름은 한 번에 하나만 바꿀 수 있습니다.",
        "Rename one recording at a time.",
    ),
    "library.one_selection.fix": ("녹음 하나만 선택하세요.", "Select exactly one recording."),
    "library.no_reset_steps": ("다시 실행할 단계를 고르세요.", "Choose the steps to run again."),
    "library.no_reset_steps.fix": (
        "'다시 실행할 단계' 목록에서 고르세요.",
        "Pick them in the 'Steps to run again' list.",
    ),
    "library.renamed": ("이름을 바꿨습니다.", "Renamed."),
    "library.tagged": ("태그를 저장했습니다 ({count}개).", "Tags saved ({count})."),
    "library.deleted": ("{count}개를 삭제했습니다.", "Deleted {count}."),
    "library.restored": ("{count}개를 복원했습니다.", "Restored {count}."),
    "library.queued": ("{count}개 작업을 대기열에 넣었습니다.", "Queued {count} job(s)."),
    "library.nothing_missing": (
        "선택한 녹음에는 빠진 단계가 없습니다.",
        "The selected recordings have no missing steps.",
    ),
    # viewer
    "viewer.pick": ("녹음", "Recording"),
    "viewer.none": ("보관함에서 녹음을 여세요.", "Open a recording from the library."),
    "viewer.transcript": ("받아쓰기", "Transcript"),
    "viewer.summary": ("요약", "Summary"),
    "viewer.no_transcript": ("아직 받아쓰기가 없습니다.", "No transcript yet."),
    "viewer.no_summary": ("아직 요약이 없습니다.", "No summary yet."),
    "viewer.edit": ("받아쓰기 편집", "Edit transcript"),
    "viewer.save": ("저장", "Save"),
    "viewer.cancel_edit": ("편집 취소", "Cancel editing"),
    "viewer.saved": ("받아쓰기를 저장했습니다.", "Transcript saved."),
    "viewer.refresh": ("요약과 색인 새로 만들기", "Refresh summary and index"),
    "viewer.refresh_queued": (
        "요약과 색인 작업을 대기열에 넣었습니다.",
        "Queued a job to refresh the summary and index.",
    ),
    "viewer.empty_edit": (
        "빈 받아쓰기는 저장할 수 없습니다.",
        "An empty transcript cannot be saved.",
    ),
    "viewer.empty_edit.fix": (
        "내용을 입력하거나 '편집 취소'를 누르세요.",
        "Type the text, or press 'Cancel editing'.",
    ),
    "viewer.no_recording": ("열린 녹음이 없습니다.", "No recording is open."),
    "viewer.no_recording.fix": (
        "위 목록에서 녹음을 고르세요.",
        "Pick a recording in the list above.",
    ),
    "viewer.downloads": ("내려받기", "Downloads"),
    "viewer.similar": ("비슷한 녹음", "Similar recordings"),
    "viewer.no_similar": (
        "비슷한 녹음이 없습니다 (색인된 녹음이 필요합니다).",
        "No similar recordings (they need to be indexed).",
    ),
    "viewer.click_hint": (
        "줄을 누르면 그 위치부터 재생합니다.",
        "Click a line to play from there.",
    ),
    "viewer.tags": ("태그", "Tags"),
    "speakers.title": ("화자", "Speakers"),
    "search.spoken_by": ("말한 사람", "Spoken by"),
    "search.spoken_by_hint": ("이름 또는 Speaker 1", "a name or Speaker 1"),
    "insights.speaking": ("사람별 말한 시간", "Speaking time per person"),
    "insights.turns": ("발언 순서", "Turns over time"),
    "insights.no_speakers": (
        "아직 화자를 나눈 녹음이 없습니다.",
        "No recording has speakers yet.",
    ),
    "insights.wpm": ("단어/분", "words/min"),
    "insights.seconds_axis": ("초", "seconds"),
    "speakers.speaker": ("화자", "Speaker"),
    "speakers.name": ("사람 이름", "Person's name"),
    "speakers.rename": ("이름 붙이기", "Rename"),
    "speakers.with": ("합칠 화자", "Merge with"),
    "speakers.merge": ("합치기", "Merge"),
    "speakers.line": ("줄", "Line"),
    "speakers.move": ("이 화자에게 옮기기", "Give to speaker"),
    "speakers.suggestion": ("{name}일 수도 ({score:.2f})", "Might be {name} ({score:.2f})"),
    "speakers.recognised": ("목소리로 알아봄 ({score:.2f})", "Recognised by voice ({score:.2f})"),
    # search
    "search.query": ("검색어", "Search"),
    "search.placeholder": (
        "무엇을 찾을까요? (뜻과 낱말 모두로 찾습니다)",
        "What are you looking for? (matches words and meaning)",
    ),
    "search.go": ("검색", "Search"),
    "search.from": ("시작일", "From"),
    "search.to": ("종료일", "To"),
    "search.kind": ("형식", "Type"),
    "search.results": ("{count}개 녹음에서 찾았습니다.", "Found in {count} recording(s)."),
    "search.none": ("찾은 결과가 없습니다.", "Nothing found."),
    "search.empty": ("검색어를 입력하세요.", "Type something to search for."),
    "search.empty.fix": (
        "낱말이나 문장을 입력하고 '검색'을 누르세요.",
        "Enter a word or phrase and press 'Search'.",
    ),
    "search.score": ("점수", "score"),
    "search.jump": ("▶ {time}에서 열기", "▶ Open at {time}"),
    "search.open": ("열기", "Open"),
    "search.weaker": ("관련성이 낮은 결과도 보기", "Show weaker matches"),
    "search.weaker.count": (
        "관련성 기준에 못 미친 결과 {count}개는 숨겼습니다.",
        "{count} weaker match(es) below the relevance bar are hidden.",
    ),
    "search.weaker.tag": ("관련성 낮음", "weaker match"),
    "search.suggest": ("다음 검색어로 찾아 보세요:", "Try instead:"),
    # ask
    "ask.placeholder": (
        "녹음에 물어보세요 (예: 출장 예산은 어떻게 정했나요?)",
        "Ask your recordings (e.g. What did we decide about the travel budget?)",
    ),
    "ask.go": ("질문", "Ask"),
    "ask.scope": ("대상", "Ask"),
    "ask.scope.all": ("모든 녹음", "All recordings"),
    "ask.speakers": ("말한 사람", "Spoken by"),
    "ask.speakers.hint": (
        "고른 사람이 한 말에서만 답합니다 (여럿이면 그중 누구든). 아무도 고르지 않으면 모두.",
        "Answer only from what the chosen people said (any of them); none chosen: everyone.",
    ),
    "ask.new": ("새 대화", "New conversation"),
    "ask.history": ("지난 대화", "Conversations"),
    "ask.delete": ("대화 삭제", "Delete conversation"),
    "ask.empty": ("질문을 입력하세요.", "Type a question."),
    "ask.empty.fix": (
        "녹음에 대해 궁금한 것을 문장으로 입력하고 '질문'을 누르세요.",
        "Write what you want to know about your recordings and press 'Ask'.",
    ),
    "ask.nothing_chosen": ("지울 대화를 고르세요.", "Choose a conversation to delete."),
    "ask.nothing_chosen.fix": (
        "'지난 대화'에서 대화를 고른 뒤 다시 누르세요.",
        "Pick one under 'Conversations', then press it again.",
    ),
    "ask.mode.extractive": (
        "발췌 답변: 내장 모델은 글을 쓰지 못해서, 질문과 가장 잘 맞는 녹음 구절을 그대로 "
        "보여 줍니다. 문장으로 된 답을 원하면 Ollama 모델을 설정하세요.",
        "Extractive answer: the embedded model cannot write, so these are the passages of "
        "your recordings that best match the question, quoted as said. Set up an Ollama model "
        "for written answers.",
    ),
    "ask.mode.written": (
        "{model}이(가) 쓴 답입니다. 모든 문장을 출처 구절과 대조했고, 녹음이 뒷받침하지 "
        "않는 문장 {dropped}개는 뺐습니다.",
        "Written by {model}. Every sentence was checked against the passage it cites; "
        "{dropped} sentence(s) the recordings do not support were removed.",
    ),
    "ask.mode.not_found": ("녹음에서 찾지 못했습니다.", "Not found in your recordings."),
    "ask.checking": ("확인 중…", "checking…"),
    "ask.cite": ("▶ {label}", "▶ {label}"),
    "ask.deleted": ("대화를 삭제했습니다.", "The conversation was deleted."),
    # insights
    "insights.period": ("기간", "Period"),
    "insights.period.week": ("주", "Week"),
    "insights.period.month": ("월", "Month"),
    "insights.threshold": ("유사도 기준", "Similarity threshold"),
    "insights.refresh": ("새로 고침", "Refresh"),
    "insights.timeline": ("기간별 녹음 수", "Recordings over time"),
    "insights.hours": ("주별 녹음 시간", "Time recorded per week"),
    "insights.keywords": ("전체 주요 키워드", "Top keywords overall"),
    "insights.keywords_period": ("기간별 주요 키워드", "Top keywords per period"),
    "insights.graph": (
        "녹음 유사도 그래프 (점을 누르면 열립니다)",
        "Similarity graph of recordings (click a point to open it)",
    ),
    "insights.open": ("열기", "Open"),
    "insights.empty": ("아직 보여줄 자료가 없습니다.", "Nothing to show yet."),
    "insights.count": ("녹음 수", "recordings"),
    "insights.hours_axis": ("시간", "hours"),
    "insights.minutes_axis": ("분", "minutes"),
    "insights.mentions": ("횟수", "mentions"),
    "insights.graph_stats": ("녹음 {nodes}개, 연결 {edges}개", "{nodes} recordings, {edges} links"),
    # errors
    "error.title": ("문제가 생겼습니다", "Something went wrong"),
    "error.unexpected": (
        "예상하지 못한 오류입니다: {detail}",
        "An unexpected error happened: {detail}",
    ),
    "error.unexpected.fix": (
        "다시 시도해 보고, 계속되면 로그(db/log)를 확인하세요.",
        "Try again; if it keeps happening, look at the log in db/log.",
    ),
    "error.code.not_found": ("찾을 수 없습니다", "Not found"),
    "error.code.duplicate": ("이미 있는 파일입니다", "Already in the archive"),
    "error.code.unsupported_file": ("지원하지 않는 파일입니다", "Unsupported file"),
    "error.code.too_large": ("파일이 너무 큽니다", "File too large"),
    "error.code.invalid_input": ("입력값을 확인하세요", "Check the input"),
    "error.code.conflict": ("지금은 할 수 없습니다", "Not possible right now"),
    "error.code.disk_full": ("저장 공간이 부족합니다", "The disk is full"),
    "error.code.storage_busy": ("저장소가 바쁩니다", "The archive is busy"),
    "error.code.provider_unavailable": ("모델을 쓸 수 없습니다", "Model unavailable"),
}


class Translator:
    """The current language and the widgets whose text follows it."""

    def __init__(self, language: str = DEFAULT_LANGUAGE) -> None:
        self.language = language if language in {c for _, c in LANGUAGES} else DEFAULT_LANGUAGE
        self._bindings: list[tuple[Any, str, str]] = []
        self._listeners: list[Callable[[], None]] = []
        self._lock = threading.Lock()

    def t(self, key: str, **values: Any) -> str:
        """The text for ``key`` in the current language (the key itself when unknown)."""
        pair = STRINGS.get(key)
        if pair is None:
            return key
        text = pair[0] if self.language == "ko" else pair[1]
        return text.format(**values) if values else text

    def bind(self, widget: Any, attribute: str, key: str) -> Any:
        """Set ``widget.attribute`` to the text of ``key`` now and after each language switch."""
        setattr(widget, attribute, self.t(key))
        with self._lock:
            self._bindings.append((widget, attribute, key))
        return widget

    def on_change(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` after each language switch (to redraw rendered text)."""
        with self._lock:
            self._listeners.append(listener)

    def set_language(self, language: str) -> None:
        if language not in {c for _, c in LANGUAGES} or language == self.language:
            return
        self.language = language
        with self._lock:
            bindings = list(self._bindings)
            listeners = list(self._listeners)
        for widget, attribute, key in bindings:
            setattr(widget, attribute, self.t(key))
        for listener in listeners:
            listener()
