"""The ``recordroute`` command line.

Exit codes: 0 success, 1 failure (with a message on stderr), 2 usage error.  Each
module of this package registers the subcommands of one area.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from ..app import RecordRoute
from ..config import Settings
from ..errors import RecordRouteError
from ..logs import configure_logging
from . import asking, library, notes, processing, searching, speaking, summaries
from .output import Handler

AREAS = (library, processing, searching, speaking, summaries, asking, notes)


def _global_options(parser: argparse.ArgumentParser, *, default: object) -> None:
    parser.add_argument(
        "--data-dir",
        "--db-path",
        dest="data_dir",
        metavar="DIR",
        default=default,
        help="data folder (default: $RECORDROUTE_DATA_DIR, $DB_FOLDER_PATH or ./db)",
    )
    parser.add_argument(
        "--log-level", choices=("DEBUG", "INFO", "WARNING", "ERROR"), default=default
    )
    parser.add_argument(
        "--json", action="store_true", default=default, help="print machine-readable JSON"
    )


def build_parser() -> argparse.ArgumentParser:
    # the options work before or after the command; SUPPRESS keeps a subcommand's
    # unset option from overwriting one given before the command
    common = argparse.ArgumentParser(add_help=False)
    _global_options(common, default=argparse.SUPPRESS)
    parser = argparse.ArgumentParser(
        prog="recordroute",
        description="RecordRoute: transcripts, summaries and search for your recordings, offline.",
    )
    _global_options(parser, default=None)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, handler: Handler, help_: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, parents=[common], help=help_, description=help_)
        p.set_defaults(handler=handler)
        return p

    for area in AREAS:
        area.register(command)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    args.json = bool(args.json)
    try:
        settings = Settings.load({"data_dir": args.data_dir, "log_level": args.log_level})
        configure_logging(settings)
        with RecordRoute(settings) as app:
            code: int = args.handler(app, args)
            return code
    except RecordRouteError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        if exc.fix:
            print(f"  fix: {exc.fix}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
