from __future__ import annotations

import os
from pathlib import Path

import pytest

from recordroute import InvalidInputError, RecordRoute, UnsafePathError
from recordroute.storage import DataLayout, check_id
from tests.conftest import write


@pytest.fixture
def layout(tmp_path: Path) -> DataLayout:
    root = tmp_path / "db"
    write(root / "outputs" / "ok.md", "fine")
    write(tmp_path / "secret.txt", "top secret")
    return DataLayout(root)


@pytest.mark.parametrize(
    "identifier",
    [
        "../secret.txt",
        "outputs/../../secret.txt",
        "outputs/../..",
        "/etc/passwd",
        "~/secret.txt",
        "%2e%2e/secret.txt",
        "%252e%252e%252fsecret.txt",  # double-encoded
        "outputs%2f..%2f..%2fsecret.txt",
        "..%5csecret.txt",
        "outputs\\..\\..\\secret.txt",
        "C:/Windows/win.ini",
        "outputs/ok.md\x00.png",
        "outputs//ok.md",
        "",
    ],
)
def test_escapes_are_refused(layout: DataLayout, identifier: str) -> None:
    with pytest.raises(UnsafePathError, match="is not allowed"):
        layout.resolve(identifier)


def test_inside_paths_resolve(layout: DataLayout) -> None:
    assert layout.resolve("outputs/ok.md").read_text() == "fine"
    assert layout.resolve("outputs%2Fok.md") == layout.root / "outputs" / "ok.md"


def test_symlink_out_of_the_data_folder_is_refused(layout: DataLayout, tmp_path: Path) -> None:
    os.symlink(tmp_path / "secret.txt", layout.root / "outputs" / "link.md")
    os.symlink(tmp_path, layout.root / "outputs" / "linkdir")
    with pytest.raises(UnsafePathError):
        layout.resolve("outputs/link.md")
    with pytest.raises(UnsafePathError):
        layout.resolve("outputs/linkdir/secret.txt")
    with pytest.raises(UnsafePathError, match="is outside the data folder"):
        layout.relative(tmp_path / "secret.txt")


@pytest.mark.parametrize(
    "bad", ["../../etc/passwd", "3F2B8C1E-0C4D-4A7E-9B1A-2D5E6F708192", "abc", "", "%2e%2e"]
)
def test_identifiers_must_be_canonical_uuids(bad: str) -> None:
    with pytest.raises(InvalidInputError, match="is not a valid identifier"):
        check_id(bad)


def test_facade_refuses_traversal_ids(app: RecordRoute) -> None:
    for bad in ("../uploads", "..%2f..%2fetc%2fpasswd", "/etc/passwd"):
        with pytest.raises(InvalidInputError):
            app.recordings.get_artifact(bad)
        with pytest.raises(InvalidInputError):
            app.get_recording(bad)


def test_artifact_whose_stored_path_escapes_is_refused(app: RecordRoute, tmp_path: Path) -> None:
    rec = app.add_file(write(tmp_path / "a.txt", "a"))
    art = app.recordings.save_artifact(rec.id, "summary", "md", "s")
    with app._library.db.write() as conn:  # simulate a tampered database row
        conn.execute("UPDATE artifacts SET rel_path = '../../secret' WHERE id = ?", (art.id,))
    with pytest.raises(UnsafePathError):
        app.recordings.artifact_path(art.id)
