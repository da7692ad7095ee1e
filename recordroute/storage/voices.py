"""Voice profiles in SQLite: people and the voice vectors they are recognised by."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Sequence

import numpy as np

from ..errors import InvalidInputError, NotFoundError
from .database import Database
from .rows import now_iso


@dataclasses.dataclass(frozen=True)
class VoiceProfile:
    """A person RecordRoute recognises, with how many voice vectors and recordings."""

    id: str
    name: str
    vectors: int
    recordings: tuple[str, ...]
    seconds: float


def _clean_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned or ":" in cleaned or len(cleaned) > 80:
        raise InvalidInputError(
            f"{name!r} cannot be a person's name.",
            "Use 1 to 80 characters and no colon (transcript lines read 'Name: text').",
        )
    return cleaned


class VoiceProfiles:
    def __init__(self, db: Database) -> None:
        self.db = db

    def list_profiles(self) -> list[VoiceProfile]:
        rows = self.db.query(
            "SELECT p.id, p.name, count(v.id) AS n, coalesce(sum(v.seconds), 0) AS s, "
            "group_concat(DISTINCT v.recording_id) AS recs FROM voice_people p "
            "LEFT JOIN voice_vectors v ON v.person_id = p.id GROUP BY p.id ORDER BY p.name"
        )
        return [
            VoiceProfile(
                r["id"],
                r["name"],
                int(r["n"]),
                tuple(sorted((r["recs"] or "").split(","))) if r["recs"] else (),
                float(r["s"]),
            )
            for r in rows
        ]

    def get(self, name: str) -> VoiceProfile:
        for profile in self.list_profiles():
            if profile.name == name:
                return profile
        raise NotFoundError(
            f"There is no voice profile called {name!r}.",
            "List the profiles to see their names.",
        )

    def vectors(self, model: str) -> dict[str, list[list[float]]]:
        """Every person's stored vectors of ``model`` (other models' cannot be compared)."""
        rows = self.db.query(
            "SELECT p.name, v.vector FROM voice_vectors v JOIN voice_people p "
            "ON p.id = v.person_id WHERE v.model = ? ORDER BY v.created_at",
            (model,),
        )
        out: dict[str, list[list[float]]] = {}
        for r in rows:
            out.setdefault(r["name"], []).append(
                np.frombuffer(r["vector"], dtype=np.float32).tolist()
            )
        return out

    def enrol(
        self,
        name: str,
        vector: Sequence[float],
        *,
        model: str,
        recording_id: str,
        label: str,
        seconds: float,
    ) -> VoiceProfile:
        """Store ``vector`` as ``name``'s voice in that recording (replacing an earlier one)."""
        name = _clean_name(name)
        if not vector:
            raise InvalidInputError(
                f"Speaker {label!r} of recording {recording_id} has no voice vector.",
                "Run the diarize step on the recording again.",
            )
        blob = np.asarray(vector, dtype=np.float32).tobytes()
        stamp = now_iso()
        with self.db.write() as conn:
            row = conn.execute("SELECT id FROM voice_people WHERE name = ?", (name,)).fetchone()
            person = row["id"] if row else uuid.uuid4().hex
            if row is None:
                conn.execute(
                    "INSERT INTO voice_people (id, name, created_at, updated_at) "
                    "VALUES (?, ?, ?, ?)",
                    (person, name, stamp, stamp),
                )
            conn.execute(
                "DELETE FROM voice_vectors WHERE recording_id = ? AND label = ?",
                (recording_id, label),
            )
            conn.execute(
                "INSERT INTO voice_vectors (id, person_id, recording_id, label, model, vector, "
                "seconds, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (uuid.uuid4().hex, person, recording_id, label, model, blob, seconds, stamp),
            )
            conn.execute(
                "DELETE FROM voice_people WHERE id NOT IN (SELECT person_id FROM voice_vectors)"
            )
        return self.get(name)

    def forget(self, recording_id: str, label: str) -> None:
        """Drop the vector a recording's speaker gave (the speaker was unnamed or merged)."""
        with self.db.write() as conn:
            conn.execute(
                "DELETE FROM voice_vectors WHERE recording_id = ? AND label = ?",
                (recording_id, label),
            )
            conn.execute(
                "DELETE FROM voice_people WHERE id NOT IN (SELECT person_id FROM voice_vectors)"
            )

    def rename(self, name: str, new_name: str) -> VoiceProfile:
        profile = self.get(name)
        new_name = _clean_name(new_name)
        if new_name != name and any(p.name == new_name for p in self.list_profiles()):
            raise InvalidInputError(
                f"There is already a voice profile called {new_name!r}.",
                f"Merge {name!r} into it instead.",
            )
        with self.db.write() as conn:
            conn.execute(
                "UPDATE voice_people SET name = ?, updated_at = ? WHERE id = ?",
                (new_name, now_iso(), profile.id),
            )
        return self.get(new_name)

    def merge(self, keep: str, drop: str) -> VoiceProfile:
        """``drop``'s vectors become ``keep``'s; ``drop`` is gone."""
        kept, dropped = self.get(keep), self.get(drop)
        if kept.id == dropped.id:
            raise InvalidInputError(
                f"{keep!r} and {drop!r} are the same profile.", "Choose two different profiles."
            )
        with self.db.write() as conn:
            conn.execute(
                "UPDATE voice_vectors SET person_id = ? WHERE person_id = ?",
                (kept.id, dropped.id),
            )
            conn.execute("DELETE FROM voice_people WHERE id = ?", (dropped.id,))
        return self.get(keep)

    def delete(self, name: str) -> int:
        """Remove the person and every vector of their voice; how many vectors went."""
        profile = self.get(name)
        with self.db.write() as conn:
            conn.execute("DELETE FROM voice_vectors WHERE person_id = ?", (profile.id,))
            conn.execute("DELETE FROM voice_people WHERE id = ?", (profile.id,))
        return profile.vectors
