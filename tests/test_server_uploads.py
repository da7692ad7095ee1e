"""A 200 MB upload is streamed: the server's memory stays flat and every byte arrives."""

from __future__ import annotations

import hashlib
import http.client
import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from tests.server_support import API, ApiServer

SIZE = 200 * 1024 * 1024
CHUNK = 1024 * 1024


def framing(boundary: str) -> tuple[bytes, bytes, int]:
    """The part header, the closing delimiter and the whole body's length."""
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; '
        f'filename="long-recording.wav"\r\nContent-Type: audio/wav\r\n\r\n'
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    return head, tail, len(head) + SIZE + len(tail)


def stream(head: bytes, tail: bytes, digest: hashlib._Hash) -> Iterator[bytes]:
    yield head
    block = bytearray(CHUNK)
    for n in range(SIZE // CHUNK):
        block[:8] = n.to_bytes(8, "big")  # every MB differs, so nothing compresses or dedupes
        if n == SIZE // CHUNK - 1:
            block[-2:] = b"\r\n"  # the file ends in CR LF: those bytes must be kept
        digest.update(block)
        yield bytes(block)
    yield tail


@pytest.mark.slow
def test_a_200_mb_upload_is_streamed_with_bounded_memory(tmp_path: Path) -> None:
    with ApiServer(tmp_path / "db", workers=0) as server:
        assert server.proc is not None
        proc = psutil.Process(server.proc.pid)
        server.api("GET", "/recordings")  # warm up: first request paths loaded
        baseline = proc.memory_info().rss
        peak = [baseline]
        done = threading.Event()

        def sample() -> None:
            while not done.is_set():
                peak[0] = max(peak[0], proc.memory_info().rss)
                time.sleep(0.02)

        sampler = threading.Thread(target=sample)
        sampler.start()
        digest = hashlib.sha256()
        boundary = "rr-big-upload"
        head, tail, length = framing(boundary)
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=600)
        started = time.monotonic()
        try:
            conn.request(
                "POST",
                f"{API}/uploads",
                body=stream(head, tail, digest),
                headers={
                    "Authorization": f"Bearer {server.token}",
                    "Content-Length": str(length),
                    "Content-Type": f"multipart/form-data; boundary={boundary}",
                },
            )
            reply = conn.getresponse()
            payload = reply.read()
        finally:
            conn.close()
            done.set()
            sampler.join()
        elapsed = time.monotonic() - started
        assert reply.status == 201, payload
        growth_mb = (peak[0] - baseline) / 2**20
        print(
            f"\n200 MB upload: {elapsed:.1f} s, server RSS {baseline / 2**20:.0f} MB, "
            f"growth {growth_mb:.1f} MB"
        )
        assert growth_mb < 40, f"server memory grew by {growth_mb:.0f} MB"
        recording = json.loads(payload)["items"][0]["recording"]
        assert recording["size_bytes"] == SIZE
        assert recording["sha256"] == digest.hexdigest()
        assert recording["kind"] == "audio"


def test_a_client_that_goes_away_mid_upload_leaves_nothing(tmp_path: Path) -> None:
    with ApiServer(tmp_path / "db", workers=0) as server:
        head, tail, _ = framing("gone")
        with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
            sock.sendall(
                (
                    f"POST {API}/uploads HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
                    f"Authorization: Bearer {server.token}\r\n"
                    "Content-Type: multipart/form-data; boundary=gone\r\n"
                    f"Content-Length: {len(head) + 8 * CHUNK + len(tail)}\r\n\r\n"
                ).encode()
                + head
            )
            for _ in range(3):
                sock.sendall(b"z" * CHUNK)
            time.sleep(0.3)
        deadline = time.monotonic() + 15
        leftovers = ["?"]
        while leftovers and time.monotonic() < deadline:
            leftovers = [p for p in (server.data_dir / "tmp").rglob("*") if p.is_file()]
            leftovers += [p for p in (server.data_dir / "uploads").rglob("*") if p.is_file()]
            time.sleep(0.1)
        assert leftovers == []
        assert server.api("GET", "/recordings?deleted=all").json()["items"] == []
        assert server.api("GET", "/health", token=False).json()["status"] == "ok"
