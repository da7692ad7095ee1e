"""A small archive for the ask, MCP and export tests: three timed transcripts and a
document, written for these tests, processed by the real pipeline (ingest and embed with
the bundled multilingual encoder)."""

from __future__ import annotations

from pathlib import Path

from recordroute import RecordRoute

BUDGET = """[00:00:01 - 00:00:06] Good morning everyone, let's start the weekly planning meeting.
[00:00:06 - 00:00:14] The first item is the travel budget for the conference season.
[00:00:14 - 00:00:22] After a long discussion we decided to cut the travel budget by ten percent.
[00:00:22 - 00:00:30] Mina will send the new numbers to the finance team by Friday.
[00:00:30 - 00:00:38] Next item, the office move. The lease on the third floor ends in June.
[00:00:38 - 00:00:46] The movers quoted eleven thousand euros for a weekend move.
"""
GARDEN = """[00:00:01 - 00:00:08] 오늘은 학교 정원 가꾸기에 대해 이야기하겠습니다.
[00:00:08 - 00:00:15] 토마토는 햇빛을 많이 받아야 잘 자랍니다.
[00:00:15 - 00:00:22] 물은 해가 뜨기 전 아침에 주는 것이 가장 좋습니다.
[00:00:22 - 00:00:30] 다음 주 화요일까지 지훈이 퇴비를 준비하기로 했습니다.
"""
ROCKET = """[00:00:02 - 00:00:09] This lecture is about how rockets reach orbit.
[00:00:09 - 00:00:17] A rocket must reach about seven point eight kilometres per second to stay up.
[00:00:17 - 00:00:25] Most of the fuel is burned in the first three minutes of the flight.
"""
RECIPE = """Grandmother's bread recipe.

Mix five hundred grams of flour with ten grams of salt and seven grams of dry yeast.

Let the dough rest for two hours in a warm place before baking it at two hundred and twenty degrees.
"""
TEXTS = {"budget.md": BUDGET, "garden.md": GARDEN, "rocket.md": ROCKET, "bread.txt": RECIPE}


def build_archive(
    app: RecordRoute, folder: Path, names: tuple[str, ...] = tuple(TEXTS)
) -> dict[str, str]:
    """Add and index the texts; returns file name -> recording id."""
    folder.mkdir(parents=True, exist_ok=True)
    ids = {}
    for name in names:
        path = folder / name
        path.write_text(TEXTS[name], encoding="utf-8")
        rec = app.add_file(path, tags=["test"] if name != "rocket.md" else ["lecture"])
        job = app.process(rec.id, ["embed"])
        assert job.state == "done", job.error
        ids[name] = rec.id
    return ids
