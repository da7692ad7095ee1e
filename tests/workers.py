"""Worker processes for the concurrency and crash tests: ``python -m tests.workers ...``."""

from __future__ import annotations

import io
import sys

from recordroute import RecordRoute, Settings


def add_many(data_dir: str, count: int, label: str) -> None:
    """Add ``count`` distinct recordings; print each id once it is acknowledged."""
    with RecordRoute(Settings(data_dir=data_dir, min_free_mb=0, busy_timeout_s=120)) as app:
        for i in range(count):
            name = f"{label}-{i}.txt"
            rec = app.recordings.add_upload(
                name, io.BytesIO(f"{label} {i} 내용".encode()), tags=[label]
            )
            print(rec.id, flush=True)


if __name__ == "__main__":
    add_many(sys.argv[1], int(sys.argv[2]), sys.argv[3])
