"""Notes for Obsidian (or any folder): one Markdown note per recording, updated in place."""

from .render import MARKER, NoteData, note_name, recording_id_of, render, user_part

__all__ = ["MARKER", "NoteData", "note_name", "recording_id_of", "render", "user_part"]
