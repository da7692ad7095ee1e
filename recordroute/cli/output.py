"""What every command prints: one line per recording, or JSON with ``--json``."""

from __future__ import annotations

import argparse
import dataclasses
import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from ..app import RecordRoute
from ..models import Recording

#: a subcommand: gets the open data folder and the parsed arguments, returns the exit code
Handler = Callable[[RecordRoute, argparse.Namespace], int]
#: adds a subcommand to the parser: (name, handler, help) -> its own parser
Command = Callable[[str, Handler, str], argparse.ArgumentParser]


def json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(type(value).__name__)


def plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    return value


def emit(args: argparse.Namespace, value: Any, text: str) -> None:
    if args.json:
        payload = [plain(v) for v in value] if isinstance(value, list) else plain(value)
        print(json.dumps(payload, ensure_ascii=False, default=json_default, indent=2))
    else:
        print(text)


def line_of_time(moment: datetime) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def line(rec: Recording) -> str:
    state = " [deleted]" if rec.deleted else ""
    tags = f"  #{' #'.join(rec.tags)}" if rec.tags else ""
    created = rec.created_at.astimezone().strftime("%Y-%m-%d %H:%M")
    return f"{rec.id}  {created}  {rec.kind:<5}  {rec.display_name}{tags}{state}"
