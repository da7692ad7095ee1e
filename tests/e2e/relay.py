"""A TCP relay between the browser and the API, to watch requests and cut a connection.

Browser tests point the dashboards at the relay (``RECORDROUTE_API_URL``), so every
request the workbench's widgets make passes through it unchanged.  It reads the HTTP/1.1
requests going to the server (heads, and bodies by ``Content-Length``), keeps their
request lines and headers, counts the body bytes of upload pieces it forwarded, and can
drop one upload connection half way through a piece, as a lost network would.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from dataclasses import dataclass, field

BUFFER = 1 << 20


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body_bytes: int = 0


@dataclass
class Relay:
    target_port: int
    port: int = 0
    requests: list[Seen] = field(default_factory=list)
    cuts: int = 0
    _cut_after: int | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: socket.socket | None = None
    _open: list[socket.socket] = field(default_factory=list)

    def start(self) -> Relay:
        server = socket.socket()
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", 0))
        server.listen(64)
        self._server, self.port = server, server.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True, name="relay").start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        with self._lock:
            for sock in self._open:
                with contextlib.suppress(OSError):
                    sock.close()

    def cut_piece_after(self, body_bytes: int) -> None:
        """Drop the connection of the next upload piece after this many of its body bytes."""
        with self._lock:
            self._cut_after = body_bytes

    def piece_bytes(self) -> int:
        """Body bytes of upload pieces forwarded to the server so far."""
        with self._lock:
            return sum(r.body_bytes for r in self.requests if "/chunks?" in r.path)

    def seen(self, fragment: str) -> list[Seen]:
        with self._lock:
            return [r for r in self.requests if fragment in r.path]

    # -- plumbing ----------------------------------------------------------------------
    def _accept(self) -> None:
        assert self._server is not None
        while True:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port))
            except OSError:
                client.close()
                continue
            with self._lock:
                self._open += [client, upstream]
            threading.Thread(target=self._requests, args=(client, upstream), daemon=True).start()
            threading.Thread(target=self._pipe, args=(upstream, client), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(BUFFER):
                sink.sendall(data)
        for sock in (source, sink):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def _requests(self, client: socket.socket, upstream: socket.socket) -> None:
        """Browser to server: forward everything, parsing requests on the way."""
        pending = b""
        current: Seen | None = None
        body_left = 0
        try:
            while True:
                data = client.recv(BUFFER)
                if not data:
                    break
                pending += data
                while pending:
                    if current is None or body_left == 0:
                        end = pending.find(b"\r\n\r\n")
                        if end < 0:
                            break
                        head, pending = pending[: end + 4], pending[end + 4 :]
                        current = self._head(head)
                        body_left = int(current.headers.get("content-length", "0") or 0)
                        upstream.sendall(head)
                        continue
                    take = pending[:body_left]
                    limit = self._limit(current)
                    if limit is not None and current.body_bytes + len(take) >= limit:
                        take = take[: max(0, limit - current.body_bytes)]
                        upstream.sendall(take)
                        current.body_bytes += len(take)
                        self._cut(client, upstream)
                        return
                    upstream.sendall(take)
                    current.body_bytes += len(take)
                    body_left -= len(take)
                    pending = pending[len(take) :]
        except OSError:
            pass
        for sock in (client, upstream):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def _head(self, head: bytes) -> Seen:
        lines = head.decode("latin-1").split("\r\n")
        method, path, _ = [*lines[0].split(" "), "", ""][:3]
        headers = {}
        for line in lines[1:]:
            name, sep, value = line.partition(":")
            if sep:
                headers[name.strip().lower()] = value.strip()
        seen = Seen(method, path, headers)
        with self._lock:
            self.requests.append(seen)
        return seen

    def _limit(self, request: Seen) -> int | None:
        with self._lock:
            if self._cut_after is not None and "/chunks?" in request.path:
                return self._cut_after
        return None

    def _cut(self, client: socket.socket, upstream: socket.socket) -> None:
        with self._lock:
            self._cut_after = None
            self.cuts += 1
        for sock in (upstream, client):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                sock.close()
