"""The MCP server driven by the MCP SDK's own client over stdio (``recordroute mcp``)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import ClientSession, StdioServerParameters, stdio_client

from recordroute import RecordRoute, Settings
from tests.ask_support import build_archive

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    root = tmp_path_factory.mktemp("mcp")
    with RecordRoute(Settings(data_dir=root / "db", min_free_mb=0)) as app:
        ids = build_archive(app, root / "files")
    return root / "db", ids


def _params(data_dir: Path, *extra: str) -> StdioServerParameters:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RECORDROUTE_")}
    env.update({"PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1"})
    return StdioServerParameters(
        command=sys.executable,
        args=["-m", "recordroute", "mcp", "--data-dir", str(data_dir), *extra],
        env=env,
        cwd=str(data_dir.parent),
    )


def _session_run(data_dir: Path, body: Any, *extra: str) -> Any:
    async def main() -> Any:
        async with (
            stdio_client(_params(data_dir, *extra)) as (read, write),
            ClientSession(read, write) as session,
        ):
            await session.initialize()
            return await body(session)

    return anyio.run(main)


def _payload(result: Any) -> dict[str, Any]:
    assert not result.is_error, result.content
    if result.structured_content is not None:
        return dict(result.structured_content)
    return dict(json.loads(result.content[0].text))


def test_read_only_tools_answer_with_citations(archive: tuple[Path, dict[str, str]]) -> None:
    data_dir, ids = archive

    async def body(session: ClientSession) -> dict[str, Any]:
        listed = await session.list_tools()
        out: dict[str, Any] = {"tools": sorted(t.name for t in listed.tools)}
        out["ask"] = _payload(
            await session.call_tool(
                "ask", {"question": "What did we decide about the travel budget?"}
            )
        )
        out["search"] = _payload(await session.call_tool("search", {"query": "토마토 햇빛"}))
        out["list"] = _payload(await session.call_tool("list_recordings", {}))
        out["transcript"] = _payload(
            await session.call_tool(
                "get_transcript",
                {"recording_id": ids["budget.md"], "start": "00:00:14", "end": 25},
            )
        )
        out["summary"] = _payload(
            await session.call_tool("get_summary", {"recording_id": ids["budget.md"]})
        )
        out["similar"] = _payload(
            await session.call_tool("similar_recordings", {"recording_id": ids["garden.md"]})
        )
        out["bad"] = await session.call_tool("get_transcript", {"recording_id": "nope"})
        out["write"] = await session.call_tool("add_file", {"path": "/etc/hostname"})
        return out

    out = _session_run(data_dir, body)
    assert out["tools"] == [
        "ask",
        "get_summary",
        "get_transcript",
        "list_recordings",
        "search",
        "similar_recordings",
    ]
    ask = out["ask"]
    assert ask["found"] and ask["mode"] == "extractive"
    lead = ask["lead"]
    assert "cut the travel budget by ten percent" in lead["text"]
    assert lead["citation"]["label"] == "[budget.md, 00:00:14]"
    assert all(s["citation"]["label"].startswith("[budget.md, ") for s in ask["sentences"])
    assert "[budget.md, 00:00:14]" in ask["answer"]
    hit = out["search"]["results"][0]
    assert hit["recording_id"] == ids["garden.md"] and hit["citation"]["label"].startswith(
        "[garden.md, 00:00:"
    )
    assert {r["id"] for r in out["list"]["recordings"]} == set(ids.values())
    assert all(r["citation"]["label"].startswith("[") for r in out["list"]["recordings"])
    lines = out["transcript"]["segments"]
    assert [line["citation"]["label"] for line in lines] == [
        "[budget.md, 00:00:14]",
        "[budget.md, 00:00:22]",
    ]
    assert out["summary"]["summary"] is None and "summarize" in out["summary"]["note"]
    similar = out["similar"]["similar"]
    assert similar and all(s["citation"]["label"].startswith("[") for s in similar)
    assert out["bad"].is_error and "not a valid identifier" in out["bad"].content[0].text
    assert out["write"].is_error  # read-only: the tool does not exist


def test_allow_write_adds_and_processes_a_file(
    archive: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    data_dir, _ = archive
    note = tmp_path / "note.txt"
    note.write_text("The quarterly report is due on the first of March.", encoding="utf-8")

    async def body(session: ClientSession) -> dict[str, Any]:
        names = sorted(t.name for t in (await session.list_tools()).tools)
        added = _payload(await session.call_tool("add_file", {"path": str(note)}))
        rid = added["recording"]["id"]
        queued = _payload(
            await session.call_tool("start_processing", {"recording_id": rid, "steps": ["embed"]})
        )
        found: dict[str, Any] = {}
        with anyio.fail_after(120):
            while not found.get("found"):
                found = _payload(
                    await session.call_tool(
                        "ask",
                        {"question": "When is the quarterly report due?", "recording_id": rid},
                    )
                )
                await anyio.sleep(0.5)
        return {"names": names, "queued": queued, "found": found}

    out = _session_run(data_dir, body, "--allow-write")
    assert "add_file" in out["names"] and "start_processing" in out["names"]
    assert out["queued"]["steps"] == ["ingest", "embed"]
    assert "first of March" in out["found"]["answer"]
    assert "[note.txt, ¶1]" in out["found"]["answer"]
