"""Benchmark: who spoke when (DER, speaker count, time against transcription) and voice profiles.

Data (see ``tests/support/conversations.py`` for how the conversations are built):

* ``stereo_diarization.wav`` mixed to mono; the reference is where each channel has speech;
* ``--conversations`` synthetic conversations (default 24: 2, 3 and 4 voices in turn) cut
  from seven real voices of the shared recordings, with pauses, quick hand-overs, overlaps,
  per-voice gains and noise, and known boundaries.

Printed: DER with a 0.25 s collar (missed speech, false alarm, confusion), the speakers found
against the true count, the CPU time of diarization against the CPU time of transcription by
the bundled Whisper base model on the same audio (a subset: the stereo file and the first
``--asr-conversations`` conversations), and the voice-profile test:

* enrolment: each of five voices (JFK, the English and German readers, the Korean reader, the
  left stereo speaker) is diarized in two conversations built only from the first half of its
  speech; the speaker the diarizer found for it gives one stored vector (two per person);
* identification: conversations built from the second half of those voices, plus two voices
  never enrolled (the right stereo speaker, the ComfyUI speaker) as impostors; each speaker the
  diarizer finds is compared with every person's vectors (best cosine similarity) and named
  when the best reaches the threshold.  The threshold is chosen on separate seeds (the highest
  accuracy with at most 5 % false accepts) and then reported on the test seeds.

    python benchmarks/diarization.py [--conversations 24] \\
        [--output benchmarks/RESULTS-diarization.md]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
import wave
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from recordroute.config import Settings  # noqa: E402
from recordroute.engine_protocols import Diarization  # noqa: E402
from recordroute.pipeline.voice_match import identify  # noqa: E402
from recordroute.providers import voice_encoder  # noqa: E402
from recordroute.providers.diarizer import BundledDiarizer, DiarizeOptions  # noqa: E402
from tests.support import conversations as conv  # noqa: E402
from tests.support.der import (  # noqa: E402
    DerResult,
    diarization_error,
    single_speaker_floor,
)

AUDIO_DIR = ROOT.parent / "shared" / "data" / "audio"
ENROLLED = ("jfk", "en_reader", "de_reader", "ko_reader", "left")
IMPOSTORS = conv.SHORT_VOICES
MAX_FALSE_ACCEPT = 0.05


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--conversations", type=int, default=24)
    parser.add_argument("--asr-conversations", type=int, default=4)
    parser.add_argument("--id-conversations", type=int, default=40)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--timing-only", action="store_true", help="only the time against transcription"
    )
    parser.add_argument("--output", type=Path, help="also write the report to this file")
    args = parser.parse_args()
    if not AUDIO_DIR.is_dir():
        sys.exit(f"the shared recordings are missing: {AUDIO_DIR}")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    report = run(args)
    print(report)
    if args.output:
        args.output.write_text(report, encoding="utf-8")


def _turns(result: Diarization) -> list[tuple[float, float, str]]:
    return [(t.start, t.end, t.speaker) for t in result.turns]


def _cpu(fn, *a, **kw):
    started = time.process_time()
    out = fn(*a, **kw)
    return out, time.process_time() - started


def run(args: argparse.Namespace) -> str:
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="rr-diar-") as tmp:
        settings = Settings(data_dir=Path(tmp) / "db", threads=args.threads)
        diarizer = BundledDiarizer(settings)
        _, load_s = _cpu(diarizer.load)
        options = diarizer.options(None)
        lines = [
            "# Diarization benchmark",
            "",
            f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, load average "
            f"{load_before[0]:.1f} at the start (the machine is shared); Whisper {args.threads} "
            f"threads, the voice encoder {voice_encoder.ENCODER_THREADS}. Voice encoder load: "
            f"{load_s:.2f} CPU s. Settings: window {options.window_frames * 10} ms every "
            f"{options.step_frames * 10} ms, threshold {options.threshold}.",
            "",
        ]
        stereo, stereo_ref = conv.stereo_reference(AUDIO_DIR)
        items = [("stereo_diarization (mono mix)", stereo, stereo_ref, 2)]
        if args.timing_only:
            for seed in range(args.asr_conversations):
                c = conv.build(AUDIO_DIR, seed, 2 + seed % 3)
                items.append((c.name, c.samples, c.reference, len(c.voices)))
            subset = [(item[0], item[1]) for item in items]
            return "\n".join(lines + _timing(settings, diarizer, subset, Path(tmp))) + "\n"
        for seed in range(args.conversations):
            c = conv.build(AUDIO_DIR, seed, 2 + seed % 3)
            items.append((c.name, c.samples, c.reference, len(c.voices)))
        rows, totals = [], {"conv": [0.0] * 4}
        right = 0
        for name, samples, reference, speakers in items:
            result, cpu = _cpu(diarizer.diarize_samples, samples, options)
            der = diarization_error(reference, _turns(result))
            rows.append((name, samples.size / conv.RATE, speakers, len(result.speakers), der, cpu))
            if name.startswith("conv"):
                right += len(result.speakers) == speakers
                for i, v in enumerate((der.missed_s, der.false_alarm_s, der.confusion_s)):
                    totals["conv"][i] += v
                totals["conv"][3] += der.reference_s
        lines += _der_table(rows)
        m, f, c, r = totals["conv"]
        sd = rows[0][4]
        stereo_floor = single_speaker_floor(stereo_ref).der
        floors = [single_speaker_floor(item[2]) for item in items[1:]]
        conv_floor = sum(x.missed_s for x in floors) / sum(x.reference_s for x in floors)
        count = len(items) - 1
        lines += [
            "",
            f"**Stereo file (mono mix): DER {sd.der:.1%}** (missed {sd.missed_s:.2f} s, false "
            f"alarm {sd.false_alarm_s:.2f} s, confusion {sd.confusion_s:.2f} s of "
            f"{sd.reference_s:.2f} s), {rows[0][3]} speaker(s) found of 2. The right speaker talks "
            f"only while the left one does, so a system naming one speaker at a time cannot score "
            f"under {stereo_floor:.1%} on this file (the overlapped voice counts as missed).",
            f"**Conversations: DER {(m + f + c) / r:.1%}** over {r / 60:.1f} min of reference "
            f"speech (missed {m / r:.1%}, false alarm {f / r:.1%}, confusion {c / r:.1%}; the "
            f"overlaps alone put a one-speaker-at-a-time floor of {conv_floor:.1%}); "
            f"**right speaker count in {right} of {count} ({right / count:.0%})**.",
            "",
        ]
        subset = [(item[0], item[1]) for item in items[: 1 + args.asr_conversations]]
        lines += _timing(settings, diarizer, subset, Path(tmp))
        lines += _profiles(diarizer, options, args.id_conversations)
    return "\n".join(lines) + "\n"


def _der_table(rows: list[tuple[str, float, int, int, DerResult, float]]) -> list[str]:
    out = [
        "| Audio | Length (s) | Speakers | Found | DER | Missed (s) | False alarm (s) "
        "| Confusion (s) | Diarization CPU (s) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, length, speakers, found, der, cpu in rows:
        out.append(
            f"| {name} | {length:.1f} | {speakers} | {found} | {der.der:.1%} | {der.missed_s:.2f} "
            f"| {der.false_alarm_s:.2f} | {der.confusion_s:.2f} | {cpu:.2f} |"
        )
    return out


def _timing(
    settings: Settings, diarizer: BundledDiarizer, items: list[tuple[str, np.ndarray]], tmp: Path
) -> list[str]:
    """Diarization and transcription of each file one right after the other (same load)."""
    from recordroute.providers.faster_whisper_engine import FasterWhisperTranscriber

    transcriber = FasterWhisperTranscriber(settings.replace(whisper_model="bundled-base"))
    transcriber.load()
    asr_total = diar_total = audio_total = 0.0
    for index, (_name, samples) in enumerate(items):
        path = tmp / f"asr-{index}.wav"
        with wave.open(str(path), "wb") as handle:
            handle.setnchannels(1)
            handle.setsampwidth(2)
            handle.setframerate(conv.RATE)
            handle.writeframes((np.clip(samples, -1, 1) * 32767).astype(np.int16).tobytes())
        _, cpu = _cpu(diarizer.diarize, path)  # from the file, decoding included, as in a job
        diar_total += cpu
        _, cpu = _cpu(transcriber.transcribe, path)
        asr_total += cpu
        audio_total += samples.size / conv.RATE
    ratio = diar_total / asr_total
    return [
        f"**Time: diarization {diar_total:.1f} CPU s, transcription by the bundled Whisper base "
        f"{asr_total:.1f} CPU s on the same {audio_total:.0f} s of audio ({len(items)} files, "
        f"each diarized then transcribed from its file, one after the other): diarization costs "
        f"{ratio:.2f}x transcription** ({diar_total / audio_total:.3f} and "
        f"{asr_total / audio_total:.3f} CPU s per audio second).",
        "",
    ]


def _speaker_vectors(
    diarizer: BundledDiarizer, options: DiarizeOptions, c: conv.Conversation
) -> list[tuple[str, np.ndarray]]:
    """(true voice, found voice vector) for each speaker the diarizer found and matched."""
    result = diarizer.diarize_samples(c.samples, options)
    mapping = diarization_error(c.reference, _turns(result)).mapping
    return [
        (mapping[label], np.asarray(vector, dtype=np.float32))
        for label, vector in result.voices.items()
        if label in mapping and vector
    ]


def _enrol(diarizer: BundledDiarizer, options: DiarizeOptions) -> dict[str, list[np.ndarray]]:
    profiles: dict[str, list[np.ndarray]] = {v: [] for v in ENROLLED}
    for index, voice in enumerate(ENROLLED):
        for copy in range(2):
            others = [v for v in ENROLLED if v != voice]
            partner = others[(index + copy) % len(others)]
            c = conv.build(AUDIO_DIR, 500 + 10 * index + copy, 2, part="a", voices=(voice, partner))
            for true, vector in _speaker_vectors(diarizer, options, c):
                if true == voice:
                    profiles[voice].append(vector)
    return profiles


def _trials(
    diarizer: BundledDiarizer, options: DiarizeOptions, seeds: range
) -> list[tuple[str, np.ndarray]]:
    """(true voice, found voice vector) for every speaker found in the test conversations."""
    out: list[tuple[str, np.ndarray]] = []
    pool = (*ENROLLED, *IMPOSTORS)
    for seed in seeds:
        rng = np.random.default_rng(seed)
        voices = [str(v) for v in rng.choice(pool, size=2 + seed % 3, replace=False)]
        c = conv.build(AUDIO_DIR, seed, len(voices), part="b", voices=voices)
        out += _speaker_vectors(diarizer, options, c)
    return out


def _score(
    trials: list[tuple[str, np.ndarray]], profiles: dict[str, list[np.ndarray]], threshold: float
) -> tuple[float, float, int, int]:
    """(accuracy on enrolled voices, false-accept rate on impostors, their counts)."""
    correct = genuine = accepted = impostor = 0
    stored = {p: [v.tolist() for v in vs] for p, vs in profiles.items()}
    for true, vector in trials:
        match = identify(vector.tolist(), stored, threshold)
        named = match.person if match is not None and match.accepted else None
        if true in profiles:
            genuine += 1
            correct += named == true
        else:
            impostor += 1
            accepted += named is not None
    return correct / max(genuine, 1), accepted / max(impostor, 1), genuine, impostor


def _profiles(diarizer: BundledDiarizer, options: DiarizeOptions, count: int) -> list[str]:
    profiles = _enrol(diarizer, options)
    dev = _trials(diarizer, options, range(2000, 2000 + count))
    test = _trials(diarizer, options, range(3000, 3000 + count))
    grid = [round(x, 2) for x in np.arange(0.60, 0.96, 0.02)]

    def merit(t: float) -> tuple[bool, float, float]:
        accuracy, false_accept, _, _ = _score(dev, profiles, t)
        return false_accept <= MAX_FALSE_ACCEPT, accuracy, t

    best = max(grid, key=merit)
    accuracy, false_accept, genuine, impostor = _score(test, profiles, best)
    lines = [
        "## Voice profiles",
        "",
        f"Enrolled: {', '.join(f'{p} ({len(v)} vectors)' for p, v in profiles.items())}; "
        f"impostors never enrolled: {', '.join(IMPOSTORS)}.",
        f"Threshold chosen on {count} separate conversations: **{best:.2f}** (cosine similarity).",
        f"**Test ({count} conversations, second half of each voice): identification accuracy "
        f"{accuracy:.1%} of {genuine} enrolled speakers found; false accepts {false_accept:.1%} "
        f"of {impostor} impostor speakers.**",
        "",
        "| Threshold | Accuracy (test) | False accepts (test) |",
        "|---:|---:|---:|",
    ]
    for t in grid[::2]:
        a, f, _, _ = _score(test, profiles, t)
        lines.append(f"| {t:.2f} | {a:.1%} | {f:.1%} |")
    return lines


if __name__ == "__main__":
    main()
