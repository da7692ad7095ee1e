"""Benchmark: answers from the archive (issue 13).

The archive (``benchmarks/data/ask/archive.json``) holds transcripts written for this
benchmark and the reference transcripts of the shared real recordings; 60 labelled
questions (``questions.tsv``, written for it) name the recording and time range (or
paragraph) that holds each answer; ten have no answer in the archive.  Two runs:

* **embedded** (the default configuration): extractive answers;
* **ollama**: written answers from ``gemma3:4b`` through the recorded-protocol replay
  server (``tests/support/ollama_replay.py``); its replies are the hand-written answers of
  ``questions.tsv`` (some with an invented sentence the grounding check must drop).

For each run it prints retrieval recall@5 of the right recording, citation precision (the
cited passage lies in the labelled range), the share of shown sentences that the grounding
check supports against *their own cited passage*, the share of the model's drafted
sentences kept, and the "not found" rate on the ten unanswerable questions.  Then the
latency of an extractive answer with the archive grown to 10k (and, with ``--big``, 100k)
chunks by filler recordings, against plain hybrid search in the same process (baseline).
The 10k filler goes through the library (100 recordings of 100 chunks); the rest of the
100k is put straight into the search index (the library does not know those recordings,
so they cost ranking and the relevance bar but are never quoted).

    .venv/bin/python benchmarks/ask.py [--big] [--skip-ollama] [--verbose]
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from recordroute import RecordRoute, Settings  # noqa: E402
from recordroute.ask import Answer  # noqa: E402
from recordroute.grounding import Grounder  # noqa: E402
from recordroute.models import Segment  # noqa: E402
from recordroute.search import RecordingInfo, chunk_segments  # noqa: E402
from tests.support.ollama_replay import OllamaReplay  # noqa: E402

DATA = Path(__file__).resolve().parent / "data" / "ask"
TARGETS = {"recall@5": 0.9, "citation precision": 0.9, "grounded": 0.95, "not found": 0.8}
FILLER_CHUNKS = 100  # chunks per filler recording (about a 90-minute meeting)


@dataclass
class Question:
    id: str
    recording: str
    low: float | None
    high: float | None
    paragraph: int | None
    text: str
    reply: str

    @property
    def answerable(self) -> bool:
        return self.recording != "-"


class ScriptedModel:
    """A model of the replay server whose reply is set before each question."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.family = "gemma3"
        self.context_length = 131072
        self.template = "{{ .Prompt }}"
        self.embedding_length = 0
        self.reply = ""


def load_questions() -> list[Question]:
    out = []
    with (DATA / "questions.tsv").open(encoding="utf-8") as handle:
        for row in csv.reader(
            (line for line in handle if not line.startswith("#")), delimiter="\t"
        ):
            qid, recording, start, end, text, reply = row
            paragraph = int(start[1:]) if start.startswith("p") else None
            low = float(start) if start not in ("-",) and paragraph is None else None
            high = float(end) if end not in ("-",) and paragraph is None else None
            out.append(Question(qid, recording, low, high, paragraph, text, reply))
    return out


def clock(seconds: float) -> str:
    total = int(seconds)
    return f"{total // 3600:02d}:{total % 3600 // 60:02d}:{total % 60:02d}"


def build_archive(app: RecordRoute, folder: Path) -> dict[str, str]:
    archive = json.loads((DATA / "archive.json").read_text(encoding="utf-8"))
    ids = {}
    for item in archive["recordings"]:
        lines = item["lines"]
        if lines[0][0] is None:
            text = "\n\n".join(line[2] for line in lines) + "\n"
        else:
            text = "".join(f"[{clock(a)} - {clock(b)}] {t}\n" for a, b, t in lines)
        path = folder / (item["name"] + ("" if item["name"].endswith((".md", ".txt")) else ".md"))
        path.write_text(text, encoding="utf-8")
        rec = app.add_file(path, display_name=item["name"])
        job = app.process(rec.id, ["embed"])
        assert job.state == "done", job.error
        ids[item["name"]] = rec.id
    return ids


def cited_right(question: Question, citation: Any, ids: dict[str, str]) -> bool:
    if citation.recording_id != ids[question.recording]:
        return False
    if question.paragraph is not None:
        return bool(citation.paragraph == question.paragraph)
    start = citation.start_s
    assert question.low is not None and question.high is not None
    return start is not None and question.low - 1.0 <= start <= question.high + 1.0


def grounded_on_citation(
    app: RecordRoute, answer: Answer, passages: list[dict[str, Any]]
) -> list[bool]:
    """Each shown sentence checked (full check, with embeddings) against its cited passage."""
    by_place = {
        (p["citation"]["recording_id"], p["citation"]["start_s"], p["citation"]["paragraph"]): p[
            "text"
        ]
        for p in passages
    }
    out = []
    for sentence in answer.sentences:
        c = sentence.citation
        source = by_place.get((c.recording_id, c.start_s, c.paragraph))
        if source is None:
            out.append(False)
            continue
        report = Grounder([Segment(0.0, 0.0, source)], app.engines.embed).check([sentence.text])
        out.append(report.lines[0].kept)
    return out


def run(
    app: RecordRoute,
    questions: list[Question],
    ids: dict[str, str],
    model: ScriptedModel | None,
    verbose: bool,
) -> dict[str, Any]:
    recall = precise = cited = said = kept = 0
    grounded: list[bool] = []
    not_found = 0
    answerable = [q for q in questions if q.answerable]
    latencies: list[float] = []
    cpu: list[float] = []
    for question in questions:
        if model is not None:
            model.reply = question.reply
        passages: list[dict[str, Any]] = []
        drafted: list[bool] = []

        def on_event(
            kind: str,
            data: dict[str, Any],
            passages: list[dict[str, Any]] = passages,
            drafted: list[bool] = drafted,
        ) -> None:
            if kind == "passages":
                passages.extend(data["passages"])
            elif kind == "sentence":
                drafted.append(bool(data["kept"]))

        started, started_cpu = time.perf_counter(), time.process_time()
        answer = app.ask.ask(question.text, save=False, on_event=on_event)
        latencies.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
        if not question.answerable:
            not_found += answer.mode == "not_found"
            if verbose:
                print(f"  {question.id} {answer.mode:10s} {answer.text()[:90]!r}")
            continue
        seen: list[str] = []
        for p in passages:
            if p["citation"]["recording_id"] not in seen:
                seen.append(p["citation"]["recording_id"])
        recall += ids[question.recording] in seen[:5]
        if answer.mode == "written":
            said += len(drafted)
            kept += sum(drafted)
            shown = list(answer.sentences)
        else:
            shown = [answer.lead] if answer.lead is not None else []
        for sentence in shown:
            cited += 1
            precise += cited_right(question, sentence.citation, ids)
        grounded += grounded_on_citation(app, answer, passages)
        if verbose:
            mark = "ok " if shown and cited_right(question, shown[0].citation, ids) else "BAD"
            print(
                f"  {question.id} {mark} {answer.mode:10s} {answer.text().splitlines()[0][:100]!r}"
            )
    n = len(answerable)
    return {
        "recall@5": recall / n,
        "citation precision": precise / cited if cited else 0.0,
        "grounded": sum(grounded) / len(grounded) if grounded else 0.0,
        "drafted kept": kept / said if said else None,
        "not found": not_found / (len(questions) - n),
        "questions": n,
        "median ms": 1000 * statistics.median(latencies),
        "median cpu ms": 1000 * statistics.median(cpu),
    }


def add_filler(app: RecordRoute, folder: Path, total_chunks: int, rng: random.Random) -> None:
    """Filler recordings up to ``total_chunks`` chunks: timed transcripts of random words,
    vectors near the real chunks' (so that they compete), indexed without re-embedding."""
    index = app.search.index
    model = app.search.model_key()
    words = sorted(
        {
            w
            for q in json.loads((DATA / "archive.json").read_text())["recordings"]
            for _, _, t in q["lines"]
            for w in t.split()
        }
    )
    base = app.engines.embed([" ".join(rng.sample(words, 12)) for _ in range(64)])
    have = sum(m.live_rows for m in index.models())
    made = 0
    while have + made < total_chunks:
        lines = []
        t = 0
        for _ in range(FILLER_CHUNKS * 12):
            sentence = " ".join(rng.choice(words) for _ in range(12)) + "."
            lines.append(f"[{clock(t)} - {clock(t + 6)}] {sentence}")
            t += 6
        path = folder / f"filler-{made // FILLER_CHUNKS:05d}.md"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        rec = app.add_file(path)
        assert app.process(rec.id, ["ingest"]).state == "done"
        chunks = chunk_segments(app.transcripts.segments(rec.id))
        picks = base[[rng.randrange(len(base)) for _ in chunks]]
        noise = np.random.default_rng(made).standard_normal(picks.shape).astype(np.float32)
        vectors = picks + 0.6 * noise / np.sqrt(picks.shape[1])
        index.add_recording(
            RecordingInfo.from_recording(rec), model=model, chunks=chunks, vectors=vectors
        )
        made += len(chunks)


def add_index_filler(app: RecordRoute, total_chunks: int, rng: random.Random) -> None:
    """Filler straight into the search index (recordings the library does not know: the
    answer never quotes them), 100 recordings per transaction; for the 100k-chunk run,
    where adding a thousand files through the library would take most of an hour here."""
    import uuid
    from datetime import UTC, datetime

    from recordroute.search import RecordingVectors

    index = app.search.index
    model = app.search.model_key()
    words = sorted(
        {
            w
            for q in json.loads((DATA / "archive.json").read_text())["recordings"]
            for _, _, t in q["lines"]
            for w in t.split()
        }
    )
    base = app.engines.embed([" ".join(rng.sample(words, 12)) for _ in range(64)])
    have = sum(m.live_rows for m in index.models())
    seed = 0
    while have < total_chunks:
        batch = []
        for _ in range(100):
            segments = [
                Segment(6.0 * i, 6.0 * i + 6, " ".join(rng.choice(words) for _ in range(12)) + ".")
                for i in range(FILLER_CHUNKS * 12)
            ]
            chunks = chunk_segments(segments)
            picks = base[[rng.randrange(len(base)) for _ in chunks]]
            noise = np.random.default_rng(seed).standard_normal(picks.shape).astype(np.float32)
            seed += 1
            info = RecordingInfo(str(uuid.UUID(int=rng.getrandbits(128))), datetime.now(UTC))
            batch.append(
                RecordingVectors(info, chunks, picks + 0.6 * noise / np.sqrt(picks.shape[1]))
            )
            have += len(chunks)
        index.add_recordings(batch, model=model)


def latency(app: RecordRoute, questions: list[Question], repeat: int = 1) -> dict[str, float]:
    asks: list[float] = []
    asks_cpu: list[float] = []
    searches: list[float] = []
    for _ in range(repeat):
        for question in questions:
            started = time.perf_counter()
            app.search.query(question.text + " ")  # a fresh query: not served from the cache
            searches.append(time.perf_counter() - started)
            started, started_cpu = time.perf_counter(), time.process_time()
            app.ask.ask(question.text, save=False, mode="extractive")
            asks.append(time.perf_counter() - started)
            asks_cpu.append(time.process_time() - started_cpu)
    return {
        "ask median ms": 1000 * statistics.median(asks),
        "ask p95 ms": 1000 * sorted(asks)[int(0.95 * (len(asks) - 1))],
        "ask median cpu ms": 1000 * statistics.median(asks_cpu),
        "search median ms": 1000 * statistics.median(searches),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--big", action="store_true", help="also measure at 100k chunks")
    parser.add_argument("--skip-ollama", action="store_true")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    questions = load_questions()
    assert (
        sum(q.answerable for q in questions) >= 50
        and sum(not q.answerable for q in questions) == 10
    )
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="rr-ask-bench-") as tmp:
        root = Path(tmp)
        (root / "files").mkdir()
        settings = Settings(data_dir=root / "db", min_free_mb=0)
        with RecordRoute(settings) as app:
            ids = build_archive(app, root / "files")
            chunks = sum(m.live_rows for m in app.search.index.models())
            print(f"archive: {len(ids)} recordings, {chunks} chunks; {len(questions)} questions")
            app.ask.ask("warm up", save=False)
            print("embedded (extractive):")
            results["embedded"] = run(app, questions, ids, None, args.verbose)
        if not args.skip_ollama:
            model = ScriptedModel("gemma3:4b")
            with OllamaReplay((model,)) as replay:  # type: ignore[arg-type]
                written = settings.replace(
                    llm_provider="ollama", llm_model="gemma3:4b", ollama_host=replay.url
                )
                with RecordRoute(written) as app:
                    print("ollama gemma3:4b through the replay server (written):")
                    results["ollama (replay)"] = run(app, questions, ids, model, args.verbose)
        scale: dict[int, dict[str, float]] = {}
        with RecordRoute(settings) as app:
            answerable = [q for q in questions if q.answerable]
            rng = random.Random(13)
            for size in (10_000, 100_000) if args.big else (10_000,):
                if size <= 10_000:
                    add_filler(app, root / "files", size, rng)
                else:
                    add_index_filler(app, size, rng)
                rows = sum(m.live_rows for m in app.search.index.models())
                app.ask.ask("warm up", save=False)
                scale[rows] = latency(app, answerable)
                r = scale[rows]
                print(
                    f"  {rows} chunks: ask median {r['ask median ms']:.0f} ms "
                    f"(cpu {r['ask median cpu ms']:.0f} ms), search {r['search median ms']:.0f} ms",
                    flush=True,
                )
    print()
    print(
        f"{'run':22s} {'recall@5':>9s} {'cite prec':>9s} {'grounded':>9s} "
        f"{'drafted kept':>12s} {'not found':>9s} {'median ms':>9s} {'cpu ms':>7s}"
    )
    for name, r in results.items():
        kept = "-" if r["drafted kept"] is None else f"{r['drafted kept']:.2f}"
        print(
            f"{name:22s} {r['recall@5']:9.2f} {r['citation precision']:9.2f} "
            f"{r['grounded']:9.2f} {kept:>12s} {r['not found']:9.2f} {r['median ms']:9.0f} "
            f"{r['median cpu ms']:7.0f}"
        )
    print()
    print(
        f"{'chunks':>8s} {'ask median ms':>14s} {'ask p95 ms':>11s} {'ask cpu ms':>11s} "
        f"{'search ms (baseline)':>21s} {'ratio':>6s}"
    )
    for rows, r in scale.items():
        ratio = r["ask median ms"] / r["search median ms"]
        print(
            f"{rows:8d} {r['ask median ms']:14.0f} {r['ask p95 ms']:11.0f} "
            f"{r['ask median cpu ms']:11.0f} {r['search median ms']:21.0f} {ratio:5.1f}x"
        )
    print()
    failed = []
    for name, r in results.items():
        for key, target in TARGETS.items():
            ok = r[key] >= target
            if not ok:
                failed.append(f"{name} {key} {r[key]:.2f} < {target}")
    ten_k = min(scale, key=lambda rows: abs(rows - 10_000))
    if scale[ten_k]["ask median ms"] >= 300:
        failed.append(
            f"extractive median {scale[ten_k]['ask median ms']:.0f} ms >= 300 ms at {ten_k} chunks"
        )
    print("targets: " + ("all met" if not failed else "MISSED: " + "; ".join(failed)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
