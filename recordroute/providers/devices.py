"""Choosing the device (CPU or CUDA) and the compute precision for an engine."""

from __future__ import annotations

from collections.abc import Callable

from ..errors import ProviderUnavailableError


def resolve_device(requested: str, engine: str, cuda_available: Callable[[], bool]) -> str:
    """``cpu`` or ``cuda`` for ``requested`` (``auto``, ``cpu`` or ``cuda``).

    ``auto`` picks CUDA when ``engine`` can use a GPU here; an explicit ``cuda`` without a
    usable GPU is an error rather than a silent fallback.
    """
    if requested == "cpu":
        return "cpu"
    has_cuda = cuda_available()
    if requested == "cuda" and not has_cuda:
        raise ProviderUnavailableError(
            f"RECORDROUTE_DEVICE=cuda, but {engine} cannot use a CUDA GPU on this machine.",
            "Set RECORDROUTE_DEVICE=auto or cpu, or install the GPU build of the engine "
            "and the NVIDIA driver.",
        )
    return "cuda" if has_cuda else "cpu"


def ctranslate2_has_cuda() -> bool:
    """Whether CTranslate2 (faster-whisper's engine) sees a CUDA device."""
    import ctranslate2

    return bool(ctranslate2.get_cuda_device_count() > 0)


def torch_has_cuda() -> bool:
    """Whether PyTorch (openai-whisper's engine) sees a CUDA device."""
    import torch

    return bool(torch.cuda.is_available())


def llama_cpp_has_gpu() -> bool:
    """Whether this build of llama.cpp can offload layers to a GPU."""
    import llama_cpp

    return bool(llama_cpp.llama_supports_gpu_offload())
