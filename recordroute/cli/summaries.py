"""Summary templates: list them, add or delete custom ones, choose one per tag or recording."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ..app import RecordRoute
from ..errors import InvalidInputError
from .output import Command, emit


def cmd_templates(app: RecordRoute, args: argparse.Namespace) -> int:
    service = app.summaries
    if args.action == "list":
        templates = [t.to_dict() for t in service.list()]
        tags = service.tag_templates()
        lines = [
            f"{t['name']:<12} {'built-in' if t['builtin'] else 'custom  '}  "
            + " | ".join(s["title"] for s in t["sections"])
            for t in templates
        ]
        lines += [f"#{tag} uses {name}" for tag, name in tags.items()]
        emit(args, {"templates": templates, "tags": tags}, "\n".join(lines))
        return 0
    if not args.name:
        raise InvalidInputError(
            f"`recordroute templates {args.action}` needs a NAME (or a FILE for add).",
            "For example: recordroute templates use lecture --tag 강의",
        )
    if args.action == "add":
        path = Path(args.name)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InvalidInputError(
                f"Cannot read the template file {str(path)!r} ({exc}).",
                'Write it as JSON: {"name": ..., "sections": [{"title": ...}]}.',
            ) from exc
        if not isinstance(data, dict):
            raise InvalidInputError(
                f"The template file {str(path)!r} holds {type(data).__name__}, not an object.",
                'Write it as JSON: {"name": ..., "sections": [{"title": ...}]}.',
            )
        template = service.save(data)
        emit(args, template.to_dict(), f"saved {template.name}")
    elif args.action == "show":
        template = service.get(args.name)
        emit(args, template.to_dict(), json.dumps(template.to_dict(), ensure_ascii=False, indent=2))
    elif args.action == "delete":
        service.delete(args.name)
        emit(args, {"deleted": args.name}, f"deleted {args.name}")
    else:  # use
        name = None if args.name == "none" else args.name
        if bool(args.tag) == bool(args.recording):
            raise InvalidInputError(
                "Say who uses the template: --tag TAG or --recording ID (one of them).",
                "For example: recordroute templates use lecture --tag 강의",
            )
        if args.tag:
            service.set_tag_template(args.tag, name)
            who = f"#{args.tag}"
        else:
            service.set_recording_template(args.recording, name)
            who = args.recording
        emit(args, {"for": who, "template": name}, f"{who} uses {name or 'the default'}")
    return 0


def register(command: Command) -> None:
    p = command(
        "templates",
        cmd_templates,
        "summary templates: list, show, add (JSON file), delete, use (per tag or recording)",
    )
    p.add_argument(
        "action", nargs="?", default="list", choices=("list", "show", "add", "delete", "use")
    )
    p.add_argument("name", nargs="?", help="template name (for add: a JSON file; for use: none)")
    p.add_argument("--tag", help="with use: recordings with this tag use the template")
    p.add_argument("--recording", metavar="ID", help="with use: this recording uses it")
