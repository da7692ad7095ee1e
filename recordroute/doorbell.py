"""Wake other processes of the same data folder at once, instead of making them poll.

A process that waits for something (a worker for queued jobs, the API server for job
changes) opens a :class:`Doorbell` on a topic; any process that changes that something
calls :func:`ring`.  Each listener is a Unix datagram socket in a private folder under
the system's temporary directory, named after the data folder, the topic and the
listener's pid, so ringing is a directory listing and one tiny ``sendto`` per listener.
Sockets of processes that died are removed by the next ring.

A ring is a hint, never the only signal: listeners still look on their own now and
then, so a lost ring (or a platform without Unix sockets) only costs latency.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import logging
import os
import select
import socket
import tempfile
import threading
from pathlib import Path

log = logging.getLogger(__name__)

_HAS_UNIX = hasattr(socket, "AF_UNIX")
_SERIALS = itertools.count(1)  # tells apart listeners of one process


def _folder(data_dir: Path) -> Path:
    digest = hashlib.sha256(str(data_dir.resolve()).encode("utf-8")).hexdigest()[:16]
    uid = os.getuid() if hasattr(os, "getuid") else 0
    return Path(tempfile.gettempdir()) / f"recordroute-{uid}" / digest


def ring(data_dir: Path, topic: str) -> int:
    """Wake every listener of ``topic`` on this data folder; returns how many were rung."""
    if not _HAS_UNIX:
        return 0
    folder = _folder(data_dir)
    try:
        paths = [p for p in folder.iterdir() if p.name.startswith(f"{topic}.")]
    except FileNotFoundError:
        return 0
    rung = 0
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sender:
        sender.setblocking(False)
        for path in paths:
            try:
                sender.sendto(b"!", str(path))
                rung += 1
            except BlockingIOError:  # its queue is full: it is awake already
                rung += 1
            except (ConnectionRefusedError, FileNotFoundError):  # its process is gone
                with contextlib.suppress(OSError):
                    path.unlink()
            except OSError as exc:
                log.debug("could not ring %s: %s", path, exc)
    return rung


class Doorbell:
    """One listener: :meth:`wait` returns early when somebody rings."""

    def __init__(self, data_dir: Path, topic: str) -> None:
        self.path: Path | None = None
        self._sock: socket.socket | None = None
        self._event = threading.Event()  # used when there is no socket
        if not _HAS_UNIX:
            return
        serial = next(_SERIALS)
        folder = _folder(data_dir)
        try:
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            path = folder / f"{topic}.{os.getpid()}.{serial}"
            path.unlink(missing_ok=True)
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            sock.bind(str(path))
            sock.setblocking(False)
        except OSError as exc:  # no doorbell: the listener falls back to looking now and then
            log.info("no doorbell for %s (%s); polling instead", topic, exc)
            return
        self.path, self._sock = path, sock

    def wait(self, timeout: float) -> bool:
        """Block until a ring or ``timeout`` seconds; True when rung.  Drains queued rings."""
        if self._sock is None:
            rung = self._event.wait(timeout)
            self._event.clear()
            return rung
        try:
            ready, _, _ = select.select([self._sock], [], [], max(0.0, timeout))
        except (OSError, ValueError):  # closed meanwhile
            return False
        if not ready:
            return False
        with contextlib.suppress(OSError):
            while self._sock.recv(64):
                pass
        return True

    def nudge(self) -> None:
        """Ring this listener only (from the same process)."""
        sock, path = self._sock, self.path
        if sock is None or path is None:
            self._event.set()
            return
        with contextlib.suppress(OSError):
            sock.sendto(b"!", str(path))

    def close(self) -> None:
        self._event.set()
        sock, self._sock = self._sock, None
        if sock is not None:
            sock.close()
        if self.path is not None:
            with contextlib.suppress(OSError):
                self.path.unlink()

    def __enter__(self) -> Doorbell:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
