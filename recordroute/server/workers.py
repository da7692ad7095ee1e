"""Child processes: ``recordroute worker`` job runners, and how they are stopped.

CPU-heavy job steps run in these processes, never in the API process, so the API
stays responsive.  Children get SIGTERM when the process that started them dies
(Linux ``PR_SET_PDEATHSIG``), and :meth:`ChildGroup.stop` sends SIGTERM, waits, then
SIGKILLs, so no orphan is left behind; a worker stopped by SIGTERM queues its running
job again, so it resumes on the next start.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

log = logging.getLogger(__name__)

_PR_SET_PDEATHSIG = 1


def _load_prctl() -> Callable[..., int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        func: Callable[..., int] = libc.prctl
    except (OSError, AttributeError):
        return None
    return func


# resolved before any fork: the child only calls it (no imports between fork and exec)
_PRCTL = _load_prctl()


def die_with_parent() -> None:
    """``preexec_fn``: the child gets SIGTERM if the thread that started it ends."""
    if _PRCTL is not None:
        _PRCTL(_PR_SET_PDEATHSIG, int(signal.SIGTERM))


def python_command(*args: str) -> list[str]:
    return [sys.executable, *args]


class ChildGroup:
    """Named child processes started together and stopped together."""

    def __init__(self) -> None:
        self.children: dict[str, subprocess.Popen[bytes]] = {}

    def spawn(
        self, name: str, command: Sequence[str], *, cwd: Path | None = None
    ) -> subprocess.Popen[bytes]:
        """Start a child that inherits this process's environment."""
        proc = subprocess.Popen(
            list(command),
            stdin=subprocess.DEVNULL,
            stdout=sys.stderr.fileno(),  # only the launcher's own lines go to stdout
            cwd=cwd,
            preexec_fn=die_with_parent if os.name == "posix" else None,
        )
        self.children[name] = proc
        log.info("started %s (pid %d)", name, proc.pid)
        return proc

    def pids(self) -> dict[str, int]:
        return {name: proc.pid for name, proc in self.children.items()}

    def first_exit(self) -> tuple[str, int] | None:
        """The first child found ended, with its exit code (negative: killed by a signal)."""
        for name, proc in self.children.items():
            code = proc.poll()
            if code is not None:
                return name, code
        return None

    def stop(self, timeout: float = 30.0, order: Sequence[str] = ()) -> dict[str, int]:
        """SIGTERM every child (``order`` first), wait up to ``timeout``, SIGKILL the rest."""
        names = [
            *[n for n in order if n in self.children],
            *[n for n in self.children if n not in order],
        ]
        for name in names:
            proc = self.children[name]
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        codes: dict[str, int] = {}
        for name in names:
            proc = self.children[name]
            try:
                codes[name] = proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log.warning("%s (pid %d) did not stop in time; killing it", name, proc.pid)
                proc.kill()
                codes[name] = proc.wait()
        return codes


class WorkerSupervisor:
    """``count`` processes running ``recordroute worker`` on one data folder.

    They inherit this process's environment; the data folder is on their command line.
    """

    def __init__(self, data_dir: Path, count: int = 1) -> None:
        self.data_dir = data_dir
        self.count = count
        self.group = ChildGroup()
        self.started = False

    def start(self) -> None:
        if self.started:
            return
        self.started = True
        for slot in range(self.count):
            self.group.spawn(
                f"worker-{slot}",
                python_command("-m", "recordroute", "--data-dir", str(self.data_dir), "worker"),
            )

    def ensure_started(self) -> None:
        self.start()

    def stop(self, timeout: float = 30.0) -> None:
        if self.started:
            self.group.stop(timeout)
