"""Test support: a local HTTP server that answers like Ollama's REST API.

The Ollama server cannot be installed on the test machines, so the Ollama providers are
tested against this replay of its protocol, with responses shaped like the ones Ollama
sends: ``GET /api/tags``, ``POST /api/show``, ``POST /api/chat`` and ``POST /api/generate``
(NDJSON streams or one JSON object), ``POST /api/embed``, JSON error bodies
(``{"error": "..."}``) with 404 for unknown models, and 500 for a crashed runner.

Some model names behave specially, to reach the error paths:

========================  =====================================================
``broken``                500 ``llama runner process has terminated``
``refuses``               400 ``invalid option``
``slow``                  waits ``slow_s`` seconds before answering
``midstream``             streams two chunks, then an ``{"error": ...}`` line
``endless``               streams a chunk every 50 ms until the client hangs up
========================  =====================================================

Embeddings are deterministic random vectors (:func:`fake_embedding`), except for models
given recorded vectors (``vectors={"all-minilm:latest": RecordedVectors(...)}``): those
answer with the vector recorded for each text, and with a 500 error for a text that
was not recorded (see ``tests/support/recorded_vectors.py``).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import numpy as np

CREATED_AT = "2025-06-01T09:30:00.123456789Z"


@dataclasses.dataclass(frozen=True)
class ReplayModel:
    """A model the replay server pretends to have."""

    name: str
    family: str = "gemma3"
    context_length: int = 131072
    template: str = "{{- range .Messages }}<start_of_turn>{{ .Role }}\n{{ .Content }}{{ end }}"
    embedding_length: int = 0  # > 0 for embedding models
    reply: str = "The meeting agreed to ship the release on Friday."
    parameters: int = 4_299_915_632
    #: recorded answers: (texts the prompt must all contain, the answer); else ``reply``
    answers: tuple[tuple[tuple[str, ...], str], ...] = ()

    def answer_to(self, prompt: str) -> str:
        for needles, answer in self.answers:
            if all(needle in prompt for needle in needles):
                return answer
        return self.reply


DEFAULT_MODELS = (
    ReplayModel("gemma3:4b"),
    ReplayModel("gemma3-base:latest", template=""),
    ReplayModel("bge-m3:latest", family="bert", context_length=8192, embedding_length=1024),
    ReplayModel("broken:latest"),
    ReplayModel("refuses:latest"),
    ReplayModel("slow:latest"),
    ReplayModel("midstream:latest"),
    ReplayModel("endless:latest"),
)


class OllamaReplay:
    """The server; use as a context manager, ``url`` is its base address."""

    def __init__(
        self,
        models: tuple[ReplayModel, ...] = DEFAULT_MODELS,
        slow_s: float = 3.0,
        vectors: Mapping[str, Callable[[str], list[float]]] | None = None,
    ):
        self.models = {m.name: m for m in models}
        self.vectors = dict(vectors or {})
        self.slow_s = slow_s
        self.requests: list[tuple[str, str, dict[str, Any]]] = []
        self.stream_closed = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._server.replay = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> OllamaReplay:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def find(self, name: str) -> ReplayModel | None:
        return self.models.get(name) or self.models.get(f"{name}:latest")

    def bodies(self, path: str) -> list[dict[str, Any]]:
        """The JSON bodies of the requests made to ``path``."""
        return [body for _method, p, body in self.requests if p == path]


def closed_port_url() -> str:
    """The address of a local port where nothing listens (connections are refused)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def fake_embedding(text: str, size: int) -> list[float]:
    """A deterministic, not normalised vector for ``text``."""
    seed = int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "little")
    return (np.random.default_rng(seed).standard_normal(size) * 3.0).round(6).tolist()


class _Handler(BaseHTTPRequestHandler):
    server_version = "ollama-replay/0.1"

    def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
        pass

    @property
    def replay(self) -> OllamaReplay:
        return self.server.replay  # type: ignore[attr-defined,no-any-return]

    def do_GET(self) -> None:
        self.replay.requests.append(("GET", self.path, {}))
        if self.path == "/api/tags":
            self._json(200, {"models": [_tag(m) for m in self.replay.models.values()]})
        elif self.path == "/api/version":
            self._json(200, {"version": "0.9.0"})
        else:
            self._json(404, {"error": "404 page not found"})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}")
        self.replay.requests.append(("POST", self.path, body))
        routes = {
            "/api/show": self._show,
            "/api/chat": self._chat,
            "/api/generate": self._generate,
            "/api/embed": self._embed,
        }
        route = routes.get(self.path)
        if route is None:
            self._json(404, {"error": "404 page not found"})
            return
        name = str(body.get("model", ""))
        model = self.replay.find(name)
        if model is None:
            self._json(404, {"error": f'model "{name}" not found, try pulling it first'})
            return
        family = model.name.split(":")[0]
        if family == "broken" and self.path != "/api/show":
            self._json(500, {"error": "llama runner process has terminated: signal: killed"})
            return
        if family == "refuses" and self.path != "/api/show":
            self._json(400, {"error": "invalid option provided: num_ctx must be positive"})
            return
        if family == "slow":
            time.sleep(self.replay.slow_s)
        route(model, body)

    def _show(self, model: ReplayModel, body: dict[str, Any]) -> None:
        info: dict[str, Any] = {
            "general.architecture": model.family,
            "general.parameter_count": model.parameters,
            f"{model.family}.context_length": model.context_length,
        }
        if model.embedding_length:
            info[f"{model.family}.embedding_length"] = model.embedding_length
        self._json(
            200,
            {
                "modelfile": f"FROM {model.name}\n",
                "parameters": 'stop "<end_of_turn>"',
                "template": model.template,
                "details": _details(model),
                "model_info": info,
                "capabilities": ["embedding"] if model.embedding_length else ["completion"],
                "modified_at": CREATED_AT,
            },
        )

    def _chat(self, model: ReplayModel, body: dict[str, Any]) -> None:
        def frame(text: str, done: bool) -> dict[str, Any]:
            return {
                "model": model.name,
                "created_at": CREATED_AT,
                "message": {"role": "assistant", "content": text},
                "done": done,
            }

        self._answer(model, body, frame)

    def _generate(self, model: ReplayModel, body: dict[str, Any]) -> None:
        def frame(text: str, done: bool) -> dict[str, Any]:
            return {"model": model.name, "created_at": CREATED_AT, "response": text, "done": done}

        self._answer(model, body, frame)

    def _answer(self, model: ReplayModel, body: dict[str, Any], frame: Any) -> None:
        messages = body.get("messages") or [{"content": body.get("prompt", "")}]
        reply = model.answer_to(str(messages[-1].get("content", "")))
        final_extra = {
            "done_reason": "stop",
            "total_duration": 812_345_678,
            "load_duration": 12_345_678,
            "prompt_eval_count": 21,
            "prompt_eval_duration": 45_678_901,
            "eval_count": len(reply.split()),
            "eval_duration": 654_321_000,
        }
        if not body.get("stream", True):
            self._json(200, {**frame(reply, True), **final_extra})
            return
        family = model.name.split(":")[0]
        self._start(200, "application/x-ndjson")
        try:
            for index, word in enumerate(_words(reply, endless=family == "endless")):
                if family == "midstream" and index == 2:
                    self._line({"error": "an error was encountered while running the model"})
                    return
                self._line(frame(word, False))
                if family == "endless":
                    time.sleep(0.05)
            self._line({**frame("", True), **final_extra})
        except (BrokenPipeError, ConnectionResetError):
            self.replay.stream_closed.set()

    def _embed(self, model: ReplayModel, body: dict[str, Any]) -> None:
        if not model.embedding_length:
            self._json(400, {"error": f'"{model.name}" does not support embeddings'})
            return
        texts = body.get("input", [])
        texts = [texts] if isinstance(texts, str) else texts
        recorded = self.replay.vectors.get(model.name)
        try:
            embeddings = [
                recorded(t) if recorded is not None else fake_embedding(t, model.embedding_length)
                for t in texts
            ]
        except KeyError as missing:
            self._json(500, {"error": f"no vector was recorded for the text {missing}"})
            return
        self._json(
            200,
            {
                "model": model.name,
                "embeddings": embeddings,
                "total_duration": 14_523_000,
                "load_duration": 1_019_500,
                "prompt_eval_count": sum(len(t.split()) for t in texts),
            },
        )

    def _json(self, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _start(self, status: int, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.end_headers()

    def _line(self, payload: dict[str, Any]) -> None:
        self.wfile.write(json.dumps(payload).encode("utf-8") + b"\n")
        self.wfile.flush()


def _words(reply: str, *, endless: bool) -> Iterator[str]:
    words = reply.split(" ")
    index = 0
    while endless or index < len(words):
        word = words[index % len(words)]
        yield word if index == 0 else f" {word}"
        index += 1


def _details(model: ReplayModel) -> dict[str, Any]:
    return {
        "parent_model": "",
        "format": "gguf",
        "family": model.family,
        "families": [model.family],
        "parameter_size": "4.3B",
        "quantization_level": "Q4_K_M",
    }


def _tag(model: ReplayModel) -> dict[str, Any]:
    return {
        "name": model.name,
        "model": model.name,
        "modified_at": CREATED_AT,
        "size": 3_338_801_804,
        "digest": hashlib.sha256(model.name.encode()).hexdigest(),
        "details": _details(model),
    }
