"""Read any audio or video file through PyAV: 16 kHz mono float32 samples, durations, audio tracks.

PyAV (the ``av`` package, which faster-whisper depends on) bundles FFmpeg's libraries, so no
``ffmpeg`` program is needed.  It is imported inside the functions.
"""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..engine_protocols import CancelCheck
from ..errors import InvalidInputError, StorageError, UnsupportedFileError
from .cancellation import raise_if_cancelled

if TYPE_CHECKING:  # pragma: no cover
    import numpy.typing as npt

log = logging.getLogger(__name__)

#: the sample rate every Whisper model expects
SAMPLE_RATE = 16_000
#: how many decoded frames pass between two cancellation checks
_FRAMES_PER_CHECK = 200
_FIX_UNDECODABLE = (
    "Check that the file plays in a media player; if it does, convert it first, e.g. "
    "`ffmpeg -i INPUT -ar 16000 -ac 1 OUTPUT.wav`, and process the WAV file."
)


def decode_audio(
    path: Path,
    *,
    sample_rate: int = SAMPLE_RATE,
    should_cancel: CancelCheck | None = None,
) -> npt.NDArray[np.float32]:
    """All of the first audio track of ``path`` as mono float32 samples at ``sample_rate``.

    Works for audio files and for video files (their audio track).  Raises
    :class:`UnsupportedFileError` naming the file when it cannot be decoded or has no audio.
    """
    import av

    pieces: list[npt.NDArray[np.float32]] = []
    done_s = 0.0
    with _open(path) as container:
        stream = _audio_stream(container, path)
        resampler = av.AudioResampler(format="flt", layout="mono", rate=sample_rate)
        try:
            for index, frame in enumerate(container.decode(stream)):
                if index % _FRAMES_PER_CHECK == 0:
                    raise_if_cancelled(should_cancel, f"Decoding of '{path.name}'")
                for out in resampler.resample(frame):
                    samples = np.asarray(out.to_ndarray(), dtype=np.float32).reshape(-1)
                    pieces.append(samples)
                    done_s += samples.shape[0] / sample_rate
            for out in resampler.resample(None):
                tail = np.asarray(out.to_ndarray(), dtype=np.float32).reshape(-1)
                pieces.append(tail)
        except av.FFmpegError as exc:
            raise UnsupportedFileError(
                f"'{path.name}' could not be decoded after {done_s:.1f} s of audio ({exc}).",
                _FIX_UNDECODABLE,
            ) from exc
    if not pieces:
        raise UnsupportedFileError(
            f"'{path.name}' has an audio track but it holds no samples.",
            "Check that the recording is not empty.",
        )
    return np.concatenate(pieces).astype(np.float32, copy=False)


def probe_duration(path: Path) -> float | None:
    """The duration in seconds that the container or its audio track declares; None if unknown.

    Reads only the headers, so it is fast even for long files.
    """
    import av

    with _open(path) as container:
        if container.duration is not None and container.duration > 0:
            return float(container.duration / av.time_base)
        for stream in container.streams:
            if stream.duration is not None and stream.time_base is not None:
                return float(stream.duration * stream.time_base)
    return None


def extract_audio(source: Path, destination: Path, *, sample_rate: int = SAMPLE_RATE) -> Path:
    """Write the audio track of ``source`` (audio or video) as a mono 16-bit WAV file.

    The file is written beside ``destination`` under a temporary name and renamed into
    place, so ``destination`` is either absent or complete.
    """
    import av

    destination = Path(destination)
    try:
        handle, tmp_name = tempfile.mkstemp(
            prefix=f".{destination.name}.", suffix=".tmp", dir=destination.parent
        )
    except OSError as exc:
        raise StorageError(
            f"Cannot write the extracted audio to {destination.parent} ({exc}).",
            "Check that the folder exists and is writable.",
        ) from exc
    os.close(handle)
    tmp = Path(tmp_name)
    try:
        with _open(source) as container:
            stream = _audio_stream(container, source)
            resampler = av.AudioResampler(format="s16", layout="mono", rate=sample_rate)
            with av.open(str(tmp), mode="w", format="wav") as output:
                out_stream: Any = output.add_stream("pcm_s16le", rate=sample_rate)
                out_stream.layout = "mono"
                try:
                    for frame in container.decode(stream):
                        for out in resampler.resample(frame):
                            output.mux(out_stream.encode(out))
                    for out in resampler.resample(None):
                        output.mux(out_stream.encode(out))
                    output.mux(out_stream.encode(None))
                except av.FFmpegError as exc:
                    raise UnsupportedFileError(
                        f"'{source.name}' could not be decoded ({exc}).", _FIX_UNDECODABLE
                    ) from exc
        with tmp.open("rb+") as written:
            os.fsync(written.fileno())
        tmp.replace(destination)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    return destination


def _open(path: Path) -> Any:
    """Open ``path`` with PyAV, turning its failures into errors that name the file."""
    import av

    path = Path(path)
    if not path.is_file():
        raise InvalidInputError(
            f"Media file '{path}' does not exist or is not a file.",
            "Check the path; give a file, not a folder.",
        )
    try:
        return av.open(str(path), mode="r")
    except av.FFmpegError as exc:
        raise UnsupportedFileError(
            f"'{path.name}' is not an audio or video file that FFmpeg can read ({exc}).",
            _FIX_UNDECODABLE,
        ) from exc


def _audio_stream(container: Any, path: Path) -> Any:
    if not container.streams.audio:
        raise UnsupportedFileError(
            f"'{path.name}' has no audio track.",
            "Give a recording with sound; a video must contain an audio stream.",
        )
    return container.streams.audio[0]
