"""The doorbell wakes a waiting process at once, and stale listeners are cleaned up."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from recordroute import doorbell


def test_a_ring_from_another_process_wakes_the_listener(tmp_path: Path) -> None:
    with doorbell.Doorbell(tmp_path, "jobs-queued") as bell:
        assert bell.wait(0.05) is False  # nobody rang
        code = (
            "import sys; from pathlib import Path; from recordroute import doorbell; "
            "print(doorbell.ring(Path(sys.argv[1]), 'jobs-queued'))"
        )
        out = subprocess.run(
            [sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, check=True
        )
        assert out.stdout.strip() == "1"
        started = time.monotonic()
        assert bell.wait(30) is True
        assert time.monotonic() - started < 5
        assert bell.wait(0.05) is False  # the ring was drained


def test_topics_and_data_folders_are_separate(tmp_path: Path) -> None:
    with doorbell.Doorbell(tmp_path / "a", "jobs-queued") as bell:
        assert doorbell.ring(tmp_path / "b", "jobs-queued") == 0
        assert doorbell.ring(tmp_path / "a", "jobs-changed") == 0
        assert bell.wait(0.05) is False


def test_a_listener_whose_process_died_is_removed_by_the_next_ring(tmp_path: Path) -> None:
    bell = doorbell.Doorbell(tmp_path, "jobs-changed")
    assert bell.path is not None
    path = bell.path
    bell._sock.close()  # type: ignore[union-attr]  # as a killed process leaves it
    assert path.exists()
    assert doorbell.ring(tmp_path, "jobs-changed") == 0
    assert not path.exists()


def test_nudge_wakes_only_this_listener(tmp_path: Path) -> None:
    with (
        doorbell.Doorbell(tmp_path, "t") as one,
        doorbell.Doorbell(tmp_path, "t") as two,
    ):
        one.nudge()
        assert one.wait(5) is True
        assert two.wait(0.05) is False
