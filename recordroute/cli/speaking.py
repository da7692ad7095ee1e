"""Subcommands for speakers: who spoke in a recording, naming them, voice profiles."""

from __future__ import annotations

import argparse

from ..app import RecordRoute
from .output import Command, emit


def _show(found: object) -> str:
    lines = []
    for s in found.speakers:  # type: ignore[attr-defined]
        hint = f"  (sounds like {s.suggestion}, {s.score:.2f})" if s.suggestion else ""
        named = f" = {s.name} ({s.score:.2f})" if s.name and s.score else ""
        shown = f"{s.label}{named}" if named else s.display
        lines.append(f"{shown:30s} {s.seconds:8.1f} s{hint}")
    return "\n".join(lines) or "(no speakers)"


def _payload(found: object) -> dict[str, object]:
    return {
        "speakers": [
            {k: v for k, v in vars(s).items() if k != "voice"}
            for s in found.speakers  # type: ignore[attr-defined]
        ]
    }


def cmd_speakers(app: RecordRoute, args: argparse.Namespace) -> int:
    if args.rename:
        found = app.speakers.rename(args.id, args.rename[0], args.rename[1])
    elif args.merge:
        found = app.speakers.merge(args.id, args.merge[0], args.merge[1])
    else:
        found = app.speakers.of(args.id)
    emit(args, _payload(found), _show(found))
    return 0


def cmd_voices(app: RecordRoute, args: argparse.Namespace) -> int:
    if args.rename:
        app.speakers.rename_profile(args.rename[0], args.rename[1])
    elif args.merge:
        app.speakers.merge_profiles(args.merge[0], args.merge[1])
    elif args.delete:
        removed = app.speakers.delete_profile(args.delete)
        emit(
            args,
            {"deleted": args.delete, "vectors_removed": removed},
            f"deleted {args.delete} and {removed} voice vector(s)",
        )
        return 0
    profiles = app.speakers.list_profiles()
    lines = [
        f"{p.name:30s} {p.vectors} vector(s), {len(p.recordings)} recording(s)" for p in profiles
    ]
    emit(args, profiles, "\n".join(lines) or "(no voice profiles yet)")
    return 0


def register(command: Command) -> None:
    p = command("speakers", cmd_speakers, "who spoke in a recording; name or merge speakers")
    p.add_argument("id")
    p.add_argument("--rename", nargs=2, metavar=("SPEAKER", "NAME"), help="name a speaker")
    p.add_argument("--merge", nargs=2, metavar=("KEEP", "DROP"), help="merge two speakers")
    p = command("voices", cmd_voices, "voice profiles: list, rename, merge, delete")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--rename", nargs=2, metavar=("NAME", "NEW_NAME"))
    group.add_argument("--merge", nargs=2, metavar=("KEEP", "DROP"))
    group.add_argument("--delete", metavar="NAME", help="forget this voice (its vectors go)")
