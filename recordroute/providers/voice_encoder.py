"""Voice embeddings: the 256-number voice encoder whose weights ship in ``resemblyzer``.

``resemblyzer==0.1.4`` (Apache-2.0) bundles ``pretrained.pt``, a speaker encoder trained with
the generalised end-to-end loss (3 LSTM layers of 256 on 40 mel bands, a 256-wide projection,
ReLU, L2 normalisation).  Its own code imports librosa and webrtcvad (and with them numba,
scipy, soundfile and a C build); RecordRoute needs only the weights file.  So this module
holds the same network as a small torch module, computes the mel bands with NumPy (the same
filters as librosa's Slaney-style defaults), and finds ``pretrained.pt`` without importing
the package (the package is installed without its dependencies; see the Makefile).
The weights file is checked against its SHA-256 before it is loaded.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import ProviderUnavailableError
from . import model_cache

if TYPE_CHECKING:  # pragma: no cover
    import numpy.typing as npt

ENGINE = "voice-encoder"
MODEL = "bundled-resemblyzer"
REQUIREMENT = "resemblyzer==0.1.4"
WEIGHTS_FILE = "pretrained.pt"
WEIGHTS_SHA256 = "39373b86598fa3da9fcddee6142382efe09777e8d37dc9c0561f41f0070f134e"
DIMENSION = 256
SAMPLE_RATE = 16_000
#: 25 ms windows every 10 ms, 40 mel bands: what the encoder was trained on
N_FFT = 400
HOP = 160
N_MELS = 40
#: frames (of 10 ms) per embedding window: 1.6 s, the length the encoder was trained on
PARTIAL_FRAMES = 160
#: the loudness the training audio was normalised to (quieter input is raised to it)
TARGET_DBFS = -30.0
_INT16_MAX = 2**15 - 1
#: torch threads for the encoder.  Its matrices are small (a batch of windows times 256),
#: so a second thread mostly waits: on the shared 2-core machine one thread took 1.4 CPU s
#: (5 s) for 112 s of audio where two took 8.4 CPU s (31 s).
ENCODER_THREADS = 1
_checked: set[Path] = set()
_check_lock = threading.Lock()


def weights_path() -> Path:
    """The installed ``resemblyzer/pretrained.pt`` (found without importing the package)."""
    spec = importlib.util.find_spec("resemblyzer")
    locations = list(spec.submodule_search_locations or []) if spec else []
    for folder in locations:
        candidate = Path(folder) / WEIGHTS_FILE
        if candidate.is_file():
            return candidate
    raise ProviderUnavailableError(
        "The voice encoder weights (resemblyzer's pretrained.pt) are not installed.",
        f"pip install --no-deps {REQUIREMENT} (its weights are all RecordRoute uses).",
    )


def check_weights(path: Path) -> None:
    """Refuse a weights file whose SHA-256 is not the one RecordRoute was built against."""
    with _check_lock:
        if path in _checked:
            return
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest != WEIGHTS_SHA256:
            raise ProviderUnavailableError(
                f"The voice encoder weights at {path} are damaged or of another version "
                f"(SHA-256 {digest[:12]}…, expected {WEIGHTS_SHA256[:12]}…).",
                f"Reinstall them: pip install --no-deps --force-reinstall {REQUIREMENT}.",
            )
        _checked.add(path)


@functools.cache
def mel_filters() -> npt.NDArray[np.float32]:
    """(40, 201) triangular mel filters, Slaney mel scale and area normalisation."""
    f_sp = 200.0 / 3
    min_log_hz, min_log_mel, logstep = 1000.0, 15.0, np.log(6.4) / 27.0

    def hz_to_mel(hz: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        linear = hz / f_sp
        log_part = min_log_mel + np.log(np.maximum(hz, min_log_hz) / min_log_hz) / logstep
        return np.where(hz >= min_log_hz, log_part, linear)

    def mel_to_hz(mel: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        linear = mel * f_sp
        log_part = min_log_hz * np.exp(logstep * (mel - min_log_mel))
        return np.where(mel >= min_log_mel, log_part, linear)

    edges = np.array([0.0, SAMPLE_RATE / 2])
    low, high = hz_to_mel(edges)
    mel_f = mel_to_hz(np.linspace(low, high, N_MELS + 2))
    fft_f = np.linspace(0, SAMPLE_RATE / 2, 1 + N_FFT // 2)
    fdiff = np.diff(mel_f)
    ramps = mel_f[:, None] - fft_f[None, :]
    weights = np.zeros((N_MELS, fft_f.size))
    for i in range(N_MELS):
        lower = -ramps[i] / fdiff[i]
        upper = ramps[i + 2] / fdiff[i + 1]
        weights[i] = np.maximum(0, np.minimum(lower, upper))
    weights *= (2.0 / (mel_f[2 : N_MELS + 2] - mel_f[:N_MELS]))[:, None]
    return weights.astype(np.float32)


def mel_frames(samples: npt.NDArray[np.float32], block: int = 6000) -> npt.NDArray[np.float32]:
    """(frames, 40) mel power spectrogram (not log), one frame every 10 ms, centred windows.

    Computed ``block`` frames (60 s) at a time, so a long recording needs little memory.
    """
    padded = np.pad(samples.astype(np.float32, copy=False), N_FFT // 2)
    count = 1 + max(0, (padded.size - N_FFT) // HOP)
    frames = np.lib.stride_tricks.sliding_window_view(padded, N_FFT)[::HOP][:count]
    window = (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(N_FFT) / N_FFT)).astype(np.float32)
    filters = mel_filters().T
    out = np.empty((count, N_MELS), dtype=np.float32)
    for first in range(0, count, block):
        power = np.abs(np.fft.rfft(frames[first : first + block] * window, axis=1)) ** 2
        out[first : first + block] = power.astype(np.float32) @ filters
    return out


def normalize_volume(samples: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    """Raise quiet audio to -30 dBFS (never lower it), as the encoder's training audio was."""
    rms = float(np.sqrt(np.mean((samples.astype(np.float64) * _INT16_MAX) ** 2)))
    if rms <= 0:
        return samples
    change = TARGET_DBFS - 20 * np.log10(rms / _INT16_MAX)
    if change <= 0:
        return samples
    raised: npt.NDArray[np.float32] = (samples * (10 ** (change / 20))).astype(np.float32)
    return raised


def build_network() -> Any:
    """The encoder's torch module (untrained); ``load_network`` fills in the weights."""
    import torch
    from torch import nn

    class VoiceEncoderNet(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.lstm = nn.LSTM(N_MELS, 256, 3, batch_first=True)
            self.linear = nn.Linear(256, DIMENSION)
            self.relu = nn.ReLU()

        def forward(self, mels: torch.Tensor) -> torch.Tensor:
            _, (hidden, _) = self.lstm(mels)
            raw = self.relu(self.linear(hidden[-1]))
            unit: torch.Tensor = raw / torch.norm(raw, dim=1, keepdim=True).clamp_min(1e-8)
            return unit

    return VoiceEncoderNet()


def load_network(path: Path) -> Any:
    """The encoder with the bundled weights, in evaluation mode, on the CPU."""
    import torch

    check_weights(path)
    checkpoint = torch.load(path, map_location="cpu", weights_only=True)
    state = {k: v for k, v in checkpoint["model_state"].items() if not k.startswith("similarity")}
    network = build_network()
    network.load_state_dict(state, strict=True)
    network.eval()
    return network


class VoiceEncoder:
    """Embeds stretches of 16 kHz mono audio as L2-normalised 256-number voice vectors."""

    def __init__(self, threads: int = ENCODER_THREADS) -> None:
        self._threads = threads

    def loaded(self) -> model_cache.LoadedModel[Any]:
        path = weights_path()
        return model_cache.get_or_load((ENGINE, str(path), "cpu", "float32"), lambda: _load(path))

    def embed_windows(
        self,
        samples: npt.NDArray[np.float32],
        starts: npt.NDArray[np.int64],
        window: int = PARTIAL_FRAMES,
        batch: int = 128,
    ) -> npt.NDArray[np.float32]:
        """One vector per window of ``window`` frames from each frame index in ``starts``."""
        return self.embed_mel_windows(mel_frames(samples), starts, window, batch)

    def embed_mel_windows(
        self,
        mels: npt.NDArray[np.float32],
        starts: npt.NDArray[np.int64],
        window: int = PARTIAL_FRAMES,
        batch: int = 128,
    ) -> npt.NDArray[np.float32]:
        """Like :meth:`embed_windows`, cutting the windows from mel frames computed once."""
        import torch

        if starts.size == 0:
            return np.zeros((0, DIMENSION), dtype=np.float32)
        need = int(starts.max()) + window
        if mels.shape[0] < need:
            mels = np.pad(mels, ((0, need - mels.shape[0]), (0, 0)))
        entry = self.loaded()
        out = np.empty((starts.size, DIMENSION), dtype=np.float32)
        with entry.lock, torch.inference_mode():
            before = torch.get_num_threads()
            torch.set_num_threads(self._threads)
            try:
                for first in range(0, starts.size, batch):
                    chunk = starts[first : first + batch]
                    stacked = torch.from_numpy(np.stack([mels[s : s + window] for s in chunk]))
                    out[first : first + chunk.size] = entry.model(stacked).numpy()
            finally:
                torch.set_num_threads(before)  # other engines in this process keep theirs
        return out

    def embed_utterance(self, samples: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        """One vector for a whole stretch: the normalised mean of its 1.6 s windows."""
        samples = normalize_volume(samples)
        frames = max(1, samples.size // HOP)
        step = PARTIAL_FRAMES // 2
        starts = np.arange(0, max(1, frames - PARTIAL_FRAMES + step), step, dtype=np.int64)
        vectors = self.embed_windows(samples, starts)
        mean = vectors.mean(axis=0)
        unit: npt.NDArray[np.float32] = (mean / max(float(np.linalg.norm(mean)), 1e-8)).astype(
            np.float32
        )
        return unit


def _load(path: Path) -> Any:
    return load_network(path)
