"""A small sample archive for the notebooks: documents written here, plus a real recording.

Each notebook builds one in a temporary folder, so that it runs top to bottom anywhere,
offline, on the bundled models.
"""

from __future__ import annotations

from pathlib import Path

from ..app import RecordRoute
from ..config import Settings
from ..models import Recording

#: file name -> text; Korean and English, on a few topics so that search and similarity
#: have something to find (and to confuse)
SAMPLE_DOCUMENTS: dict[str, str] = {
    "budget-meeting.txt": (
        "The budget meeting approved next year's travel budget and the hiring plan.\n\n"
        "The finance team will review the budget every quarter and report to the board."
    ),
    "hiring-plan.md": (
        "# Hiring plan\n\nTwo engineers and one designer join next quarter. The budget for "
        "hiring was approved at the meeting; interviews start in March."
    ),
    "예산-회의.txt": (
        "예산 회의에서 내년 예산과 채용 계획을 논의했습니다.\n\n"
        "재무팀은 분기마다 예산을 검토하고 이사회에 보고합니다."
    ),
    "날씨-메모.txt": "월요일 서울에는 비가 오고, 주말에는 맑고 따뜻하겠습니다. 우산을 챙기세요.",
    "weather-notes.txt": (
        "Weather notes: rain in Seoul on Monday, sunny and warm at the weekend. Take an umbrella."
    ),
    "garden-diary.txt": (
        "Garden diary: planted tomatoes and basil, watered the roses, and the apple tree "
        "finally has flowers."
    ),
}
#: (query, file name a good search should rank first) for evaluating search quality
KNOWN_QUERIES: tuple[tuple[str, str], ...] = (
    ("travel budget approved", "budget-meeting.txt"),
    ("engineers and a designer join", "hiring-plan.md"),
    ("채용 계획 예산", "예산-회의.txt"),
    ("우산 비 날씨", "날씨-메모.txt"),
    ("umbrella rain Seoul", "weather-notes.txt"),
    ("tomatoes and basil", "garden-diary.txt"),
    ("flowers on the apple tree", "garden-diary.txt"),
    ("quarterly review of spending", "budget-meeting.txt"),
)


def find_shared_audio(name: str = "jfk.flac", start: Path | None = None) -> Path | None:
    """``shared/data/audio/<name>`` beside the project (looked up from ``start``), if present."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / "shared" / "data" / "audio" / name
        if candidate.is_file():
            return candidate
    return None


def write_documents(folder: Path) -> list[Path]:
    """Write the sample documents into ``folder``; returns their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in SAMPLE_DOCUMENTS.items():
        path = folder / name
        path.write_text(text + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def open_sample_archive(
    folder: Path, *, with_audio: bool = True, **settings: object
) -> tuple[RecordRoute, list[Recording]]:
    """A new archive in ``folder/db`` holding the sample documents (and jfk.flac if found).

    Nothing is processed yet: the notebooks show that step.  ``settings`` override
    :class:`~recordroute.config.Settings` fields (e.g. ``whisper_model``).
    """
    folder = Path(folder)
    options: dict[str, object] = {"min_free_mb": 0, **settings}
    app = RecordRoute(Settings(data_dir=folder / "db", **options))  # type: ignore[arg-type]
    recordings = [
        app.recordings.add_file(p, tags=["sample"]) for p in write_documents(folder / "docs")
    ]
    audio = find_shared_audio() if with_audio else None
    if audio is not None:
        recordings.append(app.recordings.add_file(audio, tags=["sample", "speech"]))
    return app, recordings
