"""Benchmark: can the bundled parts find overlapped speech?  (A measurement of cues that failed.)

The stereo file's right voice speaks only while the left one does, so only overlap handling
can bring its DER under the one-speaker-at-a-time floor (32.7 %).  No overlap-detection model
ships in a PyPI package; this script measures the cues the bundled parts do offer:

1. **Embedding margin**: where the mean score of the two best speakers' centres is within
   ``tau`` of each other (the windows sit between two voices), also name the second speaker.
   ``tau`` is swept on conversations of seeds 100-123 (dev) and reported on the benchmark's
   seeds 0-23 (test); DER with the 0.25 s collar.
2. **Window cues** (1.2 s windows every 0.3 s): on 6 s of each of the seven single voices
   against 6 s of each of the 21 pairs summed (random gain -4..+2 dB, noise 30 dB down):
   the share of the encoder's units left active by its final ReLU, the similarity of
   neighbouring windows, and the pitch aperiodicity (YIN's difference function, the 20th
   percentile of the louder 70 % of 30 ms frames in each window).  AUC: the chance that a
   random two-voice window scores more "overlapped" than a random single-voice window.
3. **Noise**: the active-unit share of each single voice at 40, 20 and 10 dB SNR, beside the
   stereo file's overlapped stretch (0.35-2.6 s of the mono mix).

    python benchmarks/overlap_cues.py
"""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from recordroute.providers import diarizer as dz  # noqa: E402
from recordroute.providers import speaker_clustering as sc  # noqa: E402
from recordroute.providers import voice_encoder as ve  # noqa: E402
from tests.support import conversations as conv  # noqa: E402
from tests.support.der import diarization_error  # noqa: E402

AUDIO_DIR = ROOT.parent / "shared" / "data" / "audio"
RATE = conv.RATE
NOISE_RMS = 10 ** (-26 / 20)


def frame_scores(encoder: ve.VoiceEncoder, samples: np.ndarray):
    """Speech regions, each 10 ms frame's mean score per speaker centre, and the main labels."""
    options = dz.DiarizeOptions()
    regions = dz.speech_regions(samples, options)
    speech = ve.normalize_volume(np.concatenate([samples[a:b] for a, b in regions]))
    frames = max(1, speech.size // ve.HOP)
    window, step = options.window_frames, options.step_frames
    starts = np.arange(0, max(1, frames - window + step), step, dtype=np.int64)
    vectors = encoder.embed_mel_windows(ve.mel_frames(speech), starts, window)
    labels = sc.cluster(vectors, threshold=options.threshold)
    centres = sc.normalize_rows(
        np.stack([vectors[labels == k].mean(axis=0) for k in range(int(labels.max()) + 1)])
    )
    scores = vectors @ centres.T
    total = np.zeros((frames + window + 1, scores.shape[1]))
    count = np.zeros(frames + window + 1)
    np.add.at(total, starts, scores)
    np.add.at(total, starts + window, -scores)
    np.add.at(count, starts, 1)
    np.add.at(count, starts + window, -1)
    mean = np.cumsum(total, axis=0)[:frames] / np.maximum(np.cumsum(count)[:frames, None], 1)
    return regions, mean, dz.frame_speakers(scores, starts, frames, window)


def with_second_speaker(regions, mean, main, tau: float) -> list[tuple[float, float, str]]:
    """The main turns, plus the second-best speaker on runs of >= 0.3 s within ``tau``."""
    turns = [(t.start, t.end, t.speaker) for t in dz.to_turns(main, regions)]
    if mean.shape[1] < 2 or tau <= 0:
        return turns
    rows = np.arange(main.size)
    ranked = np.argsort(-mean, axis=1)
    second = np.where(ranked[:, 0] == main, ranked[:, 1], ranked[:, 0])
    close = mean[rows, main] - mean[rows, second] < tau
    extra = np.where(close, second, -1)
    change = np.flatnonzero(np.diff(extra)) + 1
    bounds = [0, *change.tolist(), extra.size]
    for a, b in itertools.pairwise(bounds):
        if b - a < dz.MIN_RUN:
            extra[a:b] = -1
    none = 999
    added = dz.to_turns(np.where(extra >= 0, extra, none), regions)
    return turns + [
        (t.start, t.end, t.speaker) for t in added if t.speaker != dz.speaker_label(none)
    ]


def margin_sweep(encoder: ve.VoiceEncoder) -> list[str]:
    cached = {}
    for seed in [*range(100, 124), *range(24)]:
        c = conv.build(AUDIO_DIR, seed, 2 + seed % 3)
        cached[seed] = (c.reference, frame_scores(encoder, c.samples))
    lines = [
        "| tau | DER dev | DER test | missed test | false alarm test | confusion test |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for tau in (0.0, 0.02, 0.04, 0.06, 0.08, 0.10, 0.15):
        cells = []
        for seeds in (range(100, 124), range(24)):
            sums = np.zeros(4)
            for seed in seeds:
                reference, (regions, mean, main) = cached[seed]
                d = diarization_error(reference, with_second_speaker(regions, mean, main, tau))
                sums += (d.missed_s, d.false_alarm_s, d.confusion_s, d.reference_s)
            cells.append(sums)
        dev, test = cells
        lines.append(
            f"| {tau:.2f} | {dev[:3].sum() / dev[3]:.2%} | {test[:3].sum() / test[3]:.2%} "
            f"| {test[0] / test[3]:.2%} | {test[1] / test[3]:.2%} | {test[2] / test[3]:.2%} |"
        )
    return lines


def aperiodicity(x: np.ndarray, frame: int = 480, low: int = 32, high: int = 267) -> np.ndarray:
    """YIN's smallest normalised difference over 60-500 Hz, per 10 ms hop, and frame energy."""
    count = (x.size - frame) // ve.HOP
    index = ve.HOP * np.arange(count)[:, None] + np.arange(frame)[None, :]
    frames = x[index]
    spectrum = np.fft.rfft(frames, 2 * frame)
    corr = np.fft.irfft(np.abs(spectrum) ** 2)[:, : high + 1]
    energy = np.cumsum(frames**2, axis=1)
    lags = np.arange(high + 1)
    tail = energy[:, -1:] - np.concatenate([np.zeros((count, 1)), energy], axis=1)[:, lags]
    head = energy[:, frame - 1 - lags]
    diff = 1 - 2 * corr / np.maximum(tail + head, 1e-12)
    return np.stack([diff[:, low:].min(axis=1), energy[:, -1]])


def window_cues(encoder: ve.VoiceEncoder, x: np.ndarray) -> np.ndarray:
    """Per 1.2 s window: active-unit share, similarity to the next window, aperiodicity."""
    import torch

    x = ve.normalize_volume(x)
    mels = ve.mel_frames(x)
    starts = np.arange(0, mels.shape[0] - dz.WINDOW + 1, 30)
    net = encoder.loaded().model
    with torch.inference_mode():
        _, (hidden, _) = net.lstm(
            torch.from_numpy(np.stack([mels[s : s + dz.WINDOW] for s in starts]))
        )
        raw = net.relu(net.linear(hidden[-1])).numpy()
    unit = raw / np.linalg.norm(raw, axis=1, keepdims=True)
    neighbour = np.append((unit[1:] * unit[:-1]).sum(axis=1), np.nan)
    diff, energy = aperiodicity(x)
    pitch = []
    for s in starts:
        d, e = diff[s : s + dz.WINDOW], energy[s : s + dz.WINDOW]
        loud = e >= np.percentile(e, 30)
        pitch.append(np.percentile(d[loud], 20))
    return np.stack([(raw > 0).mean(axis=1), neighbour, np.array(pitch)], axis=1)


def auc(positive: np.ndarray, negative: np.ndarray) -> float:
    positive, negative = positive[~np.isnan(positive)], negative[~np.isnan(negative)]
    ranks = np.concatenate([positive, negative]).argsort().argsort() + 1
    return float(
        (ranks[: positive.size].sum() - positive.size * (positive.size + 1) / 2)
        / (positive.size * negative.size)
    )


def voice_speech(name: str, seconds: float = 6.0, skip: int = 0) -> np.ndarray:
    samples, stretches = conv.voice_material(AUDIO_DIR, name)
    speech = np.concatenate([samples[int(a * RATE) : int(b * RATE)] for a, b in stretches])
    return speech[skip : skip + int(seconds * RATE)]


def cue_tables(encoder: ve.VoiceEncoder) -> list[str]:
    rng = np.random.default_rng(1)
    names = [v.name for v in conv.VOICES]

    def noisy(x: np.ndarray, snr: float = 30.0) -> np.ndarray:
        return (x + rng.normal(0, NOISE_RMS * 10 ** (-snr / 20), x.size)).astype(np.float32)

    single = np.concatenate([window_cues(encoder, noisy(voice_speech(n))) for n in names])
    pairs = []
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            xa, xb = voice_speech(a), voice_speech(b, skip=RATE // 2)
            n = min(xa.size, xb.size)
            gain = 10 ** (rng.uniform(-4, 2) / 20)
            pairs.append(window_cues(encoder, noisy(xa[:n] + gain * xb[:n])))
    pair = np.concatenate(pairs)
    lines = [
        f"Windows: {single.shape[0]} single-voice, {pair.shape[0]} two-voice.",
        "",
        "| Cue | AUC (two voices look overlapped) | single median | two-voice median |",
        "|---|---:|---:|---:|",
    ]
    for column, (cue, sign) in enumerate(
        (
            ("active-unit share (higher)", 1),
            ("neighbour similarity (lower)", -1),
            ("pitch aperiodicity (higher)", 1),
        )
    ):
        s, p = single[:, column], pair[:, column]
        lines.append(
            f"| {cue} | {auc(sign * p, sign * s):.3f} | {np.nanmedian(s):.3f} "
            f"| {np.nanmedian(p):.3f} |"
        )
    lines += ["", "| Voice | active share, 40 dB SNR | 20 dB | 10 dB |", "|---|---:|---:|---:|"]
    for name in names:
        speech = voice_speech(name, 8.0)
        shares = [window_cues(encoder, noisy(speech, snr))[:, 0].mean() for snr in (40, 20, 10)]
        lines.append(f"| {name} | " + " | ".join(f"{v:.3f}" for v in shares) + " |")
    stereo, _ = conv.stereo_reference(AUDIO_DIR)
    overlapped = window_cues(encoder, stereo[int(0.35 * RATE) : int(2.6 * RATE)])[:, 0].mean()
    alone = window_cues(encoder, stereo[int(2.6 * RATE) :])[:, 0].mean()
    lines.append(
        f"| stereo mix, both voices (0.35-2.6 s) | {overlapped:.3f} | | |\n"
        f"| stereo mix, left alone (2.6-5.0 s) | {alone:.3f} | | |"
    )
    return lines


def main() -> None:
    if not AUDIO_DIR.is_dir():
        sys.exit(f"the shared recordings are missing: {AUDIO_DIR}")
    encoder = ve.VoiceEncoder()
    lines = ["# Overlap cues", "", "## Second speaker where the embedding sits between two", ""]
    lines += margin_sweep(encoder)
    lines += ["", "## Window cues: single voices against two voices at once", ""]
    lines += cue_tables(encoder)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
