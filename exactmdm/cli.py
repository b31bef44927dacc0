"""What every exactmdm command line shares: exit codes, the parser that reports bad usage as exit 2, and
the wrapper that turns errors into exit codes (a crash is never read as "refuted")."""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from pathlib import Path

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


def writable_path(path, folder: bool, flag: str) -> Path:
    """``path`` as a Path, refused with ``flag`` named, before the work rather than after it, when it cannot
    be written (``folder``: a directory to create or write into; else a file whose folder is created)."""
    path = Path(path)
    target = path if folder else path.parent
    try:
        target.mkdir(parents=True, exist_ok=True)
        probe = target / ".exactmdm-write-test"
        probe.write_text("")
        probe.unlink()
    except OSError as exc:
        raise UsageError(f"{flag} {path}: cannot write there ({exc.strerror or exc}); choose a writable path.") from None
    if not folder and path.is_dir():
        raise UsageError(f"{flag} {path} is a folder; give a file path.")
    if not folder and path.exists() and not os.access(path, os.W_OK):
        raise UsageError(f"{flag} {path}: the file is read-only; choose a writable path.")
    return path


def plot_path(path, flag: str = "--plot") -> Path:
    """A figure file ``path`` checked before the work: matplotlib is there, the suffix is a figure format, the
    place is writable."""
    from .plot import check_path, require_matplotlib

    try:
        require_matplotlib()
        check_path(path)
    except (ImportError, ExactMDMError) as exc:
        raise UsageError(f"{flag}: {exc}") from None
    return writable_path(path, folder=False, flag=flag)


def _interrupted(exc: BaseException) -> bool:
    """Whether ``exc`` is, or was caused by, a KeyboardInterrupt: Ctrl-C inside a Numba kernel surfaces as a
    SystemError ("returned a result with an exception set") chained to the KeyboardInterrupt."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, KeyboardInterrupt):
            return True
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return False


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
    except Exception as exc:  # a bug, never "refuted"
        if isinstance(exc, SystemError) and _interrupted(exc):
            print("interrupted", file=sys.stderr)
            return 130
        traceback.print_exc()
        print("internal error (exit 3): this is a bug in exactmdm; please report the traceback above.", file=sys.stderr)
        return INTERNAL_ERROR
