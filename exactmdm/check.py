"""Command line: ``python -m exactmdm.check NAME | all | --list | --verify CERT.json``.

Exit codes: 0 every check run holds (or the certificate is reproduced); 1 a check is refuted (the
counterexample is printed) or a certificate does not reproduce; 2 bad usage or bad input (an option out
of range, an unreadable or malformed certificate, an unwritable --json path, a run refused as too large);
3 an internal error (a bug: please report it with the traceback printed on stderr). Every option is
validated before any work. ``NAME --help`` lists that check's options with their defaults.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from .theorems import CHECKS, prepare, run
from .theorems.options import OPTIONS, flag_of
from .theorems.result import FLOAT_REL_TOL, certificate_hash, compare_certificates, version_differences

from .cli import (BAD_INPUT, HOLDS, INTERNAL_ERROR, REFUTED, Parser as _Parser, UsageError, parse, plot_path, run_main,
                  writable_path)

__all__ = ["main", "HOLDS", "REFUTED", "BAD_INPUT", "INTERNAL_ERROR"]


def _parser(name: str | None) -> argparse.ArgumentParser:
    """The whole parser, or with ``name`` the parser of one check (its options only, with their defaults)."""
    if name in CHECKS:
        module = CHECKS[name]
        parser = _Parser(prog=f"python -m exactmdm.check {name}", description=module.SUMMARY,
                         epilog="Exit codes: 0 holds, 1 refuted, 2 bad usage or input, 3 internal error.")
        options = {k: module.DEFAULTS[k] for k in sorted(module.DEFAULTS)}
    else:
        parser = _Parser(prog="python -m exactmdm.check",
                         description="Check theorems about masked diffusion language models by exact computation.",
                         epilog="Checks: " + ", ".join(CHECKS) + ". 'python -m exactmdm.check NAME --help' lists the "
                                "options of one check with their defaults. Exit codes: 0 holds, 1 refuted, 2 bad usage "
                                "or input, 3 internal error.")
        options = {k: None for k in sorted({k for m in CHECKS.values() for k in m.DEFAULTS})}
    parser.add_argument("name", nargs="?", help="a check name, or 'all'")
    parser.add_argument("--list", action="store_true", help="list the checks with one line each")
    parser.add_argument("--json", metavar="PATH", help="write the certificate (a folder for 'all')")
    parser.add_argument("--verify", metavar="CERT", help="re-run the check of a certificate and compare")
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    parser.add_argument("--plot", metavar="PATH", help="draw the check's figure (.png/.svg/.pdf; a folder for 'all'); "
                        "needs the [plot] extra")
    for option, default in options.items():
        spec = OPTIONS[option]
        text = spec.help + (f" (default: {default})" if name in CHECKS else "")
        kind = spec.kind
        parser.add_argument(flag_of(option), type=kind, dest=option, help=text, nargs="+" if spec.many else None,
                            choices=None if spec.many or not spec.choices else spec.choices)
    return parser


def _progress(quiet: bool, name: str):
    if quiet:
        return None
    start = time.monotonic()

    def say(message: str):
        print(f"[{name} {time.monotonic() - start:6.1f}s] {message}", file=sys.stderr, flush=True)

    return say


def _writable(path: Path, folder: bool, flag: str = "--json"):
    """Fail before the work, not after it, when ``flag``'s path cannot be written (a folder only with 'all')."""
    if not folder and path.is_dir():
        raise UsageError(f"{flag} {path} is a folder; give a file path (a folder only with 'all').")
    writable_path(path, folder, flag)


def _write(path: Path, certificate: dict):
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(certificate, indent=2, sort_keys=True, allow_nan=False) + "\n")
    tmp.replace(path)


def _load_certificate(path: str) -> dict:
    try:
        old = json.loads(Path(path).read_text())
    except (OSError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise UsageError(f"--verify {path}: cannot read the certificate ({exc}).") from None
    if not isinstance(old, dict):
        raise UsageError(f"--verify {path}: a certificate is a JSON object, got a {type(old).__name__}.")
    for key in ("check", "options", "certificate_hash"):
        if key not in old:
            raise UsageError(f"--verify {path}: the certificate has no {key!r} field (written by another tool or an "
                             "older exactmdm?).")
    if old["check"] not in CHECKS:
        raise UsageError(f"--verify {path}: the certificate names unknown check {old['check']!r}.")
    if not isinstance(old["options"], dict):
        raise UsageError(f"--verify {path}: its 'options' must be an object.")
    return old


def _verify(path: str, quiet: bool, name: str | None, given: dict) -> int:
    old = _load_certificate(path)
    if name is not None and name != old["check"]:
        raise UsageError(f"--verify {path} is a certificate of {old['check']!r}, not of {name!r}; drop the check name "
                         f"or give {old['check']}'s certificate.")
    if given:
        raise UsageError(f"--verify re-runs the certificate's own options; drop {', '.join(map(flag_of, given))} (to run "
                         "with other options, run the check itself).")
    name = old["check"]
    prepare(name, **old["options"])  # bad options inside a certificate are bad input (exit 2), before any work
    if certificate_hash(old) != old["certificate_hash"]:  # no re-run can make an edited file reproduce
        print(f"{name}: certificate NOT reproduced: certificate_hash does not match the content (the file was edited "
              "after it was written); nothing was re-run.")
        return REFUTED
    new = run(name, progress=_progress(quiet, name), **old["options"]).to_certificate()
    problems = compare_certificates(old, new)
    for line in version_differences(old, new):
        print(f"note: version differs: {line}", file=sys.stderr)
    if problems:
        print(f"{name}: certificate NOT reproduced ({len(problems)} difference(s); floats compared to "
              f"{FLOAT_REL_TOL:g} relative, exact values exactly):")
        for p in problems[:20]:
            print("  " + p)
        return REFUTED
    print(f"{name}: certificate reproduced ({new['verdict']}, {new['certificate_hash']})")
    return HOLDS if new["verdict"] == "holds" else REFUTED


def _given(args) -> dict:
    return {k: getattr(args, k) for k in OPTIONS if getattr(args, k, None) is not None}


def _run_checks(args) -> int:
    names = list(CHECKS) if args.name == "all" else [args.name]
    given = _given(args)
    plans = {}
    if args.plot and args.name != "all":
        from .plot import FIGURES

        if args.name not in FIGURES:
            raise UsageError(f"--plot: {args.name} has no figure (figures: {', '.join(FIGURES)}); drop --plot.")
    for name in names:  # validate everything first: a bad option must not cost a long run of the others
        options = {k: v for k, v in given.items() if k in CHECKS[name].DEFAULTS} if args.name == "all" else given
        plans[name] = prepare(name, **options)
    if args.json:
        _writable(Path(args.json), folder=args.name == "all")
    if args.plot:
        _check_plot(Path(args.plot), folder=args.name == "all")
    status = HOLDS
    for name in names:
        result = run(name, progress=_progress(args.quiet, name), **plans[name])
        print(result.format())
        print()
        if args.json:
            path = Path(args.json) / f"{name}.json" if args.name == "all" else Path(args.json)
            _write(path, result.to_certificate())
            print(f"certificate written to {path}")
        if args.plot and result.tables:  # a refuted --claim-c stops before the tables a figure draws
            _plot(name, result, Path(args.plot) / f"{name}.png" if args.name == "all" else Path(args.plot))
        if not result.verdict:
            status = REFUTED
    if args.name == "all":
        print("summary: " + ("every check holds" if status == HOLDS else "at least one check is REFUTED"))
    return status


def _check_plot(path: Path, folder: bool) -> None:
    """Before any work: matplotlib is there, the suffix is a figure format, the place is writable."""
    if folder:
        from .plot import require_matplotlib

        try:
            require_matplotlib()
        except ImportError as exc:
            raise UsageError(f"--plot: {exc}") from None
        _writable(path, folder=True, flag="--plot")
    else:
        plot_path(path)


def _plot(name: str, result, path: Path) -> None:
    from .plot import FIGURES

    if name not in FIGURES:
        print(f"{name} has no figure (figures: {', '.join(FIGURES)})")
        return
    print(f"figure written to {FIGURES[name](result, path)}")


def _dispatch(argv) -> int:
    name = next((a for a in argv if not a.startswith("-")), None)
    args = parse(_parser(name if name in CHECKS else None), argv)
    if isinstance(args, int):
        return args
    if args.list:
        for check_name, module in CHECKS.items():
            print(f"{check_name:26s} {module.SUMMARY}")
        return HOLDS
    if args.verify:
        return _verify(args.verify, args.quiet, args.name, _given(args))
    if not args.name:
        raise UsageError("give a check name, 'all', --list or --verify CERT")
    if args.name != "all" and args.name not in CHECKS:
        raise UsageError(f"unknown check {args.name!r}; known: {', '.join(CHECKS)}, all")
    return _run_checks(args)


def main(argv=None) -> int:
    return run_main(_dispatch, argv)


if __name__ == "__main__":
    sys.exit(main())
