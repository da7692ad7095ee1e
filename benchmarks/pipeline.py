"""Benchmark: transcription speed and memory of the two Whisper engines, and LLM throughput.

Both speech engines run the same weights (Whisper tiny.en: the bundled CTranslate2 model for
faster-whisper, and an openai-whisper checkpoint converted from it by
``tests/support/whisper_checkpoint.py``) on the same audio (about a minute of English
speech joined from the shared recordings), with the same beam size.  Each engine and each
LLM runs in its own subprocess so that its peak resident memory is its own.

Printed per engine: model load time, wall time, CPU time, real-time factor (wall seconds per
audio second; lower is faster), peak RSS; per LLM (on a fixed summarisation prompt): time
to the first token, generated tokens per second; and the ratios between them.

    python benchmarks/pipeline.py [--threads 2] [--output benchmarks/RESULTS-pipeline.md]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

AUDIO_DIR = ROOT.parent / "shared" / "data" / "audio"
#: English speech only (tiny.en is an English model); the English half of multilingual.mp3
SPEECH_PARTS = (("jfk.flac", None), ("hotwords.mp3", None), ("stereo_diarization.wav", None),
                ("multilingual.mp3", 29.0))  # fmt: skip
SUMMARY_PROMPT = (
    "Summarise this meeting transcript in three bullet points.\n\n"
    "Anna: Thanks for joining. The release is planned for Friday, but the payment tests still "
    "fail on the staging server. Ben: I traced it to the currency rounding change from last "
    "week; a fix is in review and should land tomorrow morning. Anna: Good. Chris, can the "
    "support team prepare the customer notice by Thursday? Chris: Yes, we will draft it today "
    "and send it to legal for a check. Ben: One more risk: the database migration takes about "
    "forty minutes, so we need a maintenance window. Anna: Then we announce a window from "
    "eight to nine in the evening. Let us meet again on Thursday to decide go or no-go."
)
LLM_MAX_TOKENS = 128


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=2, help="CPU threads per engine")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per engine (median)")
    parser.add_argument("--output", type=Path, help="also write the report to this file")
    parser.add_argument("--worker", choices=("speech", "llm"), help=argparse.SUPPRESS)
    parser.add_argument("--engine", help=argparse.SUPPRESS)
    parser.add_argument("--model", help=argparse.SUPPRESS)
    parser.add_argument("--audio", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker == "speech":
        print(json.dumps(speech_worker(args)))
    elif args.worker == "llm":
        print(json.dumps(llm_worker(args)))
    else:
        report = run_all(args.threads, args.repeat)
        print(report)
        if args.output:
            args.output.write_text(report, encoding="utf-8")


def run_all(threads: int, repeat: int) -> str:
    if not AUDIO_DIR.is_dir():
        sys.exit(f"the shared recordings are missing: {AUDIO_DIR}")
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="rr-bench-") as tmp:
        work = Path(tmp)
        audio = build_audio(work / "speech.wav")
        checkpoint = build_openai_checkpoint(work / "tiny.en.pt")
        speech = [
            run_worker("speech", "faster-whisper", "bundled-tiny.en", audio, work, threads, repeat),
            run_worker("speech", "openai-whisper", str(checkpoint), audio, work, threads, repeat),
        ]
        llms = [
            run_worker("llm", "llama-cpp", model, None, work, llm_threads, repeat)
            for model in ("bundled-smollm2", "bundled-gemma3-270m")
            for llm_threads in sorted({1, threads})
        ]
    return render(speech, llms, threads, repeat, load_before, os.getloadavg())


def build_audio(target: Path) -> Path:
    import numpy as np

    from recordroute.providers.media import SAMPLE_RATE, decode_audio
    from tests.support import write_wav

    pieces = []
    for name, limit_s in SPEECH_PARTS:
        samples = decode_audio(AUDIO_DIR / name)
        if limit_s is not None:
            samples = samples[: int(limit_s * SAMPLE_RATE)]
        pieces += [samples, np.zeros(SAMPLE_RATE // 2, dtype=np.float32)]
    return write_wav(target, np.concatenate(pieces))


def build_openai_checkpoint(target: Path) -> Path:
    from recordroute.config import Settings
    from recordroute.providers import bundled
    from tests.support.whisper_checkpoint import build_checkpoint

    return build_checkpoint(bundled.locate("bundled-tiny.en", "speech", Settings()), target)


def run_worker(
    kind: str, engine: str, model: str, audio: Path | None, work: Path, threads: int, repeat: int
) -> dict[str, Any]:
    command = [
        sys.executable, str(Path(__file__).resolve()), "--worker", kind, "--engine", engine,
        "--model", model, "--threads", str(threads), "--data-dir", str(work / "db"),
        "--repeat", str(repeat),
    ]  # fmt: skip
    if audio is not None:
        command += ["--audio", str(audio)]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONWARNINGS": "ignore"}
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        sys.exit(f"{engine} {model} failed:\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"  done: {engine} {Path(model).name} threads={threads}", file=sys.stderr)
    return result


def speech_worker(args: argparse.Namespace) -> dict[str, Any]:
    from recordroute.config import Settings
    from recordroute.providers import create_transcriber
    from recordroute.providers.media import probe_duration
    from tests.support import JFK_TEXT
    from tests.support.wer import word_error_rate

    settings = Settings(
        data_dir=args.data_dir,
        speech_engine=args.engine,
        whisper_model=args.model,
        device="cpu",
        threads=args.threads,
        language="en",
    )
    transcriber = create_transcriber(settings)
    started = time.perf_counter()
    transcriber.load()  # type: ignore[attr-defined]
    load_s = time.perf_counter() - started
    transcriber.transcribe(AUDIO_DIR / "jfk.flac")  # warm-up (first-call initialisation)
    walls, cpus = [], []
    for _ in range(args.repeat):
        cpu0, wall0 = time.process_time(), time.perf_counter()
        result = transcriber.transcribe(args.audio)
        walls.append(time.perf_counter() - wall0)
        cpus.append(time.process_time() - cpu0)
    wall, cpu = statistics.median(walls), statistics.median(cpus)
    audio_s = probe_duration(args.audio) or result.duration_s
    return {
        "engine": args.engine,
        "load_s": load_s,
        "wall_s": wall,
        "wall_range": (min(walls), max(walls)),
        "cpu_s": cpu,
        "audio_s": audio_s,
        "rtf": wall / audio_s,
        "cpu_per_audio_s": cpu / audio_s,
        "peak_rss_mb": peak_rss_mb(),
        "words": len(result.text.split()),
        "jfk_wer": word_error_rate(JFK_TEXT, result.text[: len(JFK_TEXT) + 20]),
    }


def llm_worker(args: argparse.Namespace) -> dict[str, Any]:
    from recordroute.config import Settings
    from recordroute.providers import create_language_model

    settings = Settings(data_dir=args.data_dir, llm_model=args.model, threads=args.threads)
    model = create_language_model(settings)
    started = time.perf_counter()
    model.load()  # type: ignore[attr-defined]
    load_s = time.perf_counter() - started
    model.complete("Hello.", max_tokens=4, temperature=0.0)  # warm-up
    runs = [timed_completion(model, run) for run in range(args.repeat)]
    rates = [run["tokens_per_s"] for run in runs]
    middle = sorted(runs, key=lambda run: run["tokens_per_s"])[len(runs) // 2]
    return {
        **middle,
        "model": args.model,
        "threads": args.threads,
        "load_s": load_s,
        "prompt_tokens": model.count_tokens(SUMMARY_PROMPT),
        "rate_range": (min(rates), max(rates)),
        "peak_rss_mb": peak_rss_mb(),
    }


def timed_completion(model: Any, run: int) -> dict[str, Any]:
    """One generation; the prompt starts with the run number so no cached prefix is reused."""
    ticks: list[float] = []

    def on_token() -> bool:  # called once before generation, then once per streamed token
        ticks.append(time.perf_counter())
        return False

    started = time.perf_counter()
    text = model.complete(
        f"Meeting {run + 1}. {SUMMARY_PROMPT}",
        max_tokens=LLM_MAX_TOKENS,
        temperature=0.0,
        should_cancel=on_token,
    )
    total = time.perf_counter() - started
    generated = max(0, len(ticks) - 1)
    decode_s = ticks[-1] - ticks[1] if generated > 1 else 0.0
    return {
        "generated_tokens": generated,
        "first_token_s": ticks[1] - started if generated else total,
        "tokens_per_s": (generated - 1) / decode_s if decode_s > 0 else 0.0,
        "total_s": total,
        "sample": text[:80].replace("\n", " "),
    }


def peak_rss_mb() -> float:
    """This process's peak resident memory in MB.

    Linux's ``VmHWM`` starts afresh at ``exec``; ``getrusage``'s ``ru_maxrss`` would carry
    over the parent's peak, so it is only the fallback.
    """
    status = Path("/proc/self/status")
    if status.is_file():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def render(
    speech: list[dict[str, Any]],
    llms: list[dict[str, Any]],
    threads: int,
    repeat: int,
    load_before: tuple[float, float, float],
    load_after: tuple[float, float, float],
) -> str:
    fw, ow = speech
    lines = [
        "## Transcription: Whisper tiny.en, same weights, same audio, beam 5, CPU",
        "",
        f"Audio: {fw['audio_s']:.1f} s of English speech; threads={threads}; after a warm-up "
        f"run, median of {repeat} timed runs (wall range in brackets).",
        "",
        "| engine | load s | wall s | CPU s | real-time factor | CPU s per audio s | "
        "peak RSS MB | words |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in speech:
        lines.append(
            f"| {row['engine']} | {row['load_s']:.2f} | {row['wall_s']:.1f} "
            f"[{row['wall_range'][0]:.1f}-{row['wall_range'][1]:.1f}] | {row['cpu_s']:.1f} "
            f"| {row['rtf']:.3f} | {row['cpu_per_audio_s']:.3f} | {row['peak_rss_mb']:.0f} "
            f"| {row['words']} |"
        )
    lines += [
        "",
        f"openai-whisper / faster-whisper: wall time x{ow['wall_s'] / fw['wall_s']:.1f}, "
        f"CPU time x{ow['cpu_s'] / fw['cpu_s']:.1f}, "
        f"peak RSS x{ow['peak_rss_mb'] / fw['peak_rss_mb']:.1f}.",
        "",
        f"## Text generation: llama.cpp, fixed summary prompt, {LLM_MAX_TOKENS} new tokens max, "
        f"median of {repeat} runs (tokens/s range in brackets)",
        "",
        "| model | threads | load s | prompt tokens | first token s | generated | tokens/s "
        "| peak RSS MB |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in llms:
        lines.append(
            f"| {row['model']} | {row['threads']} | {row['load_s']:.2f} | {row['prompt_tokens']} "
            f"| {row['first_token_s']:.2f} | {row['generated_tokens']} | "
            f"{row['tokens_per_s']:.1f} [{row['rate_range'][0]:.0f}-{row['rate_range'][1]:.0f}] "
            f"| {row['peak_rss_mb']:.0f} |"
        )
    by_key = {(r["model"], r["threads"]): r for r in llms}
    ratios = []
    for (model, count), row in sorted(by_key.items()):
        base = by_key.get(("bundled-smollm2", count))
        if model != "bundled-smollm2" and base and base["tokens_per_s"]:
            ratios.append(
                f"{model} / bundled-smollm2 at {count} thread(s): tokens/s "
                f"x{row['tokens_per_s'] / base['tokens_per_s']:.2f}"
            )
    lines += ["", *ratios, ""]
    lines.append(
        f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}; load average before/after: "
        f"{load_before[0]:.2f} / {load_after[0]:.2f}."
    )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
