"""What every exactmdm command line shares: exit codes, the parser that reports bad usage as exit 2, and
the wrapper that turns errors into exit codes (a crash is never read as "refuted")."""

from __future__ import annotations

import argparse
import sys
import traceback

from .errors import ExactMDMError

HOLDS, REFUTED, BAD_INPUT, INTERNAL_ERROR = 0, 1, 2, 3


class UsageError(Exception):
    """Bad usage or bad input: exit code 2."""


class Parser(argparse.ArgumentParser):
    def error(self, message):
        raise UsageError(message)


def parse(parser: argparse.ArgumentParser, argv):
    """Parsed arguments, or the exit code of ``--help`` (0) / of an argparse exit (2)."""
    try:
        return parser.parse_args(argv)
    except SystemExit as exc:  # --help prints and exits 0
        return HOLDS if exc.code in (0, None) else BAD_INPUT


def run_main(dispatch, argv) -> int:
    """Run ``dispatch(argv)``: its code, 2 for bad usage or input, 130 on Ctrl-C, 3 (with the traceback) for a bug."""
    try:
        return dispatch(list(sys.argv[1:] if argv is None else argv))
    except (UsageError, ExactMDMError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return BAD_INPUT
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception:  # a bug, never "refuted"
        traceback.print_exc()
        print("internal error (exit 3): this is a bug in exactmdm; please report the traceback above.", file=sys.stderr)
        return INTERNAL_ERROR
