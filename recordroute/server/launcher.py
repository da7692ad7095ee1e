"""``recordroute serve``: the API process and Voila side by side on one data folder.

The launcher starts three kinds of children: the API process (native API, WebSocket,
original routes, and the original's progress socket), Voila serving the dashboards,
and ``recordroute worker`` processes that run the jobs.  It waits until the API and
Voila both answer, then prints ``Server listening on http://HOST:PORT`` and one JSON
line with the URLs (and the token) on stdout; children log to stderr.  SIGTERM or
SIGINT stops every child (workers queue their running jobs again); if a child dies,
the others are stopped and the launcher exits non-zero (zero only after a requested
``/shutdown``).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import secrets
import signal
import socket
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..config import Settings
from ..errors import ConfigError
from ..logs import protect
from .auth import is_loopback_host
from .schemas import API
from .workers import ChildGroup, python_command

log = logging.getLogger(__name__)

READY_TIMEOUT_S = 180.0
DASHBOARD = "workbench.ipynb"


@dataclass(frozen=True)
class LaunchOptions:
    host: str
    port: int
    ws_port: int | None
    dashboard_port: int
    dashboards: Path
    frontend: Path | None
    token: str
    workers: int
    allow_origins: tuple[str, ...] = ()
    token_configured: bool = False
    kernel_cull_idle_s: int = 900
    ready_timeout_s: float = READY_TIMEOUT_S


def free_port(host: str) -> int:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def default_dashboards() -> Path:
    """``./dashboards`` if it exists, else the one beside the package (a source checkout)."""
    here = Path.cwd() / "dashboards"
    if here.is_dir():
        return here
    return Path(__file__).resolve().parents[2] / "dashboards"


def url_host(host: str) -> str:
    """The host to put in a URL (brackets for IPv6)."""
    return f"[{host}]" if ":" in host else host


def probe_host(host: str) -> str:
    """Where to reach a server bound to ``host`` from this machine."""
    if host in ("0.0.0.0", ""):  # noqa: S104 - a bind address, not binding here
        return "127.0.0.1"
    if host == "::":
        return "::1"
    return host


class Launcher:
    def __init__(self, settings: Settings, options: LaunchOptions) -> None:
        self.settings = settings
        self.options = options
        self.group = ChildGroup()
        self.stop_requested = threading.Event()
        self._config_dir: tempfile.TemporaryDirectory[str] | None = None

    # -- URLs ------------------------------------------------------------------------
    def api_base(self, host: str | None = None) -> str:
        return f"http://{url_host(host or self.options.host)}:{self.options.port}"

    def dashboard_url(self, host: str | None = None, *, with_token: bool = False) -> str:
        page = (
            f"voila/render/{DASHBOARD}" if (self.options.dashboards / DASHBOARD).is_file() else ""
        )
        query = f"?token={self.options.token}" if with_token else ""
        base = f"http://{url_host(host or self.options.host)}:{self.options.dashboard_port}"
        return f"{base}/{page}{query}"

    # -- children --------------------------------------------------------------------
    def export_environment(self) -> None:
        """What every child inherits: the data folder, the token and the API's address.

        Set with ``putenv`` for the children only (configuration is read by
        :mod:`recordroute.config` alone; the token stays off command lines).
        """
        os.putenv("RECORDROUTE_DATA_DIR", str(self.settings.data_path))
        os.putenv("RECORDROUTE_TOKEN", self.options.token)
        # where the dashboards' browser widgets send uploads and fetch media
        os.putenv("RECORDROUTE_API_URL", self.settings.api_url or f"{self.api_base()}{API}")
        os.putenv("PYTHONUNBUFFERED", "1")

    def voila_config(self) -> list[str]:
        """Voila's config search path: a private folder with its token, then the usual ones."""
        from jupyter_core.paths import jupyter_config_path

        self._config_dir = tempfile.TemporaryDirectory(prefix="recordroute-voila-")
        path = Path(self._config_dir.name) / "voila.json"
        path.write_text(json.dumps({"Voila": {"token": self.options.token}}), encoding="utf-8")
        path.chmod(0o600)
        # Voila's HTTP layer logs failed requests with their URL (?token= included)
        path.with_name("voila.py").write_text(
            "from recordroute.logs import SERVER_LOGGERS, protect\n"
            "protect(loggers=SERVER_LOGGERS)\n",
            encoding="utf-8",
        )
        folders = [self._config_dir.name, str(self.options.dashboards), *jupyter_config_path()]
        return [f"--Voila.config_file_paths={folder}" for folder in folders]

    def start_children(self) -> None:
        opts = self.options
        self.export_environment()
        api = python_command(
            "-m",
            "recordroute.server",
            "--host",
            opts.host,
            "--port",
            str(opts.port),
            "--ws-port",
            str(-1 if opts.ws_port is None else opts.ws_port),
            "--data-dir",
            str(self.settings.data_path),
            "--dashboard-url",
            self.dashboard_url(),
            "--worker-processes",
            "0",
        )
        if opts.frontend is not None:
            api += ["--frontend", str(opts.frontend)]
        for origin in opts.allow_origins:
            api += ["--allow-origin", origin]
        self.group.spawn("api", api)
        self.group.spawn(
            "voila",
            python_command(
                "-m",
                "voila",
                str(opts.dashboards),
                "--no-browser",
                f"--port={opts.dashboard_port}",
                f"--Voila.ip={opts.host}",
                "--Voila.port_retries=0",
                f"--MappingKernelManager.cull_idle_timeout={opts.kernel_cull_idle_s}",
                "--MappingKernelManager.cull_interval=60",
                "--MappingKernelManager.cull_connected=False",
                *self.voila_config(),
            ),
            cwd=opts.dashboards,
        )
        for slot in range(opts.workers):
            self.group.spawn(
                f"worker-{slot}",
                python_command(
                    "-m", "recordroute", "--data-dir", str(self.settings.data_path), "worker"
                ),
            )

    # -- readiness -------------------------------------------------------------------
    def _answers(self, url: str) -> bool:
        try:
            with urllib.request.urlopen(url, timeout=2) as reply:  # noqa: S310 - our own child
                return bool(reply.status == 200)
        except (urllib.error.URLError, OSError, ValueError):
            return False

    def wait_ready(self) -> bool:
        host = probe_host(self.options.host)
        checks = {
            "api": f"{self.api_base(host)}{API}/health",
            # the folder listing: answers without starting a kernel
            "voila": f"http://{url_host(host)}:{self.options.dashboard_port}/"
            f"?token={self.options.token}",
        }
        deadline = time.monotonic() + self.options.ready_timeout_s
        pending = dict(checks)
        while pending and time.monotonic() < deadline and not self.stop_requested.is_set():
            ended = self.group.first_exit()
            if ended is not None:
                _say(
                    f"error: {ended[0]} exited with code {ended[1]} while starting "
                    "(see its messages above)"
                )
                return False
            for name, url in list(pending.items()):
                if self._answers(url):
                    del pending[name]
            if pending:
                self.stop_requested.wait(0.25)
        if pending:
            log.error(
                "not ready after %.0f s: %s", self.options.ready_timeout_s, ", ".join(pending)
            )
        return not pending

    def announce(self) -> None:
        opts = self.options
        host = url_host(opts.host)
        print(f"Server listening on http://{host}:{opts.port}", flush=True)
        print(
            json.dumps(
                {
                    "api": f"{self.api_base()}{API}",
                    "websocket": f"ws://{host}:{opts.port}{API}/events",
                    "compat_websocket": None
                    if opts.ws_port is None
                    else f"ws://{host}:{opts.ws_port}/",
                    "dashboards": self.dashboard_url(with_token=not opts.token_configured),
                    "openapi": f"{self.api_base()}{API}/openapi.json",
                    # only a generated token is printed: a configured one is already known
                    "token": None if opts.token_configured else opts.token,
                    "data_dir": str(self.settings.data_path),
                    "pids": self.group.pids(),
                }
            ),
            flush=True,
        )

    # -- running ---------------------------------------------------------------------
    def run(self) -> int:
        protect(self.options.token)
        previous = {
            sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGTERM, signal.SIGINT)
        }
        try:
            self.start_children()
            if not self.wait_ready():
                return 0 if self.stop_requested.is_set() else 1
            self.announce()
            while not self.stop_requested.wait(0.2):
                ended = self.group.first_exit()
                if ended is not None:
                    name, code = ended
                    if name == "api" and code == 0:
                        log.info("the API stopped on request; stopping the rest")
                        return 0
                    print(
                        f"error: {name} exited with code {code}; stopping the others",
                        file=sys.stderr,
                        flush=True,
                    )
                    return 1
            return 0
        finally:
            self.group.stop(timeout=45, order=("api", "voila"))
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            if self._config_dir is not None:
                with contextlib.suppress(OSError):
                    self._config_dir.cleanup()

    def _on_signal(self, signum: int, frame: object) -> None:
        self.stop_requested.set()


def _say(message: str) -> None:
    """A message for the person (stderr: stdout carries only what a client parses)."""
    log.warning(message)
    print(message, file=sys.stderr, flush=True)


def launch_options(
    settings: Settings,
    *,
    host: str | None = None,
    port: int | None = None,
    ws_port: int | None = None,
    dashboard_port: int | None = None,
    dashboards: Path | None = None,
    frontend: Path | None = None,
    token: str | None = None,
    workers: int | None = None,
    allow_origins: Sequence[str] = (),
) -> LaunchOptions:
    bind = host or settings.host
    folder = (dashboards or default_dashboards()).resolve()
    if not folder.is_dir():
        raise ConfigError(
            f"The dashboards folder {folder} does not exist.",
            "Run from the project folder or pass --dashboards DIR.",
        )
    if frontend is not None and not frontend.is_dir():
        raise ConfigError(
            f"The web client folder {frontend} does not exist.",
            "Pass the folder that holds upload.html or index.html.",
        )
    api_port = settings.port if port is None else port
    socket_port = settings.ws_port if ws_port is None else ws_port
    secret = token or settings.token or secrets.token_urlsafe(32)
    if not is_loopback_host(bind) and len(secret) < 16:
        raise ConfigError(
            "The token is shorter than 16 characters for a network bind.",
            "Use a longer RECORDROUTE_TOKEN, or leave it unset to get one.",
        )
    return LaunchOptions(
        host=bind,
        port=api_port or free_port(bind),
        ws_port=None if socket_port < 0 else (socket_port or free_port(bind)),
        dashboard_port=dashboard_port or free_port(bind),
        dashboards=folder,
        frontend=frontend.resolve() if frontend else None,
        token=secret,
        workers=1 if workers is None else workers,
        allow_origins=tuple(allow_origins),
        token_configured=bool(token or settings.token),
    )
