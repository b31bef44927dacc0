"""Command line: ``python -m exactmdm.check NAME | all | --list | --verify CERT.json``.

Exit codes: 0 when every check run holds, 1 when one is refuted (the counterexample is printed), 2 for
bad usage. ``--json PATH`` writes the certificate (for ``all``: one file per check, PATH as a folder).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from .errors import ExactMDMError
from .theorems import CHECKS, compare_certificates, run

# option name -> (argparse type, help); each check accepts the subset named in its DEFAULTS
_OPTIONS = {
    "families": (str, "language families, e.g. ngram2-V2 ngram3-V2 hmm3-V3 (n-gram order or hidden states, vocab)"),
    "seeds": (int, "language seeds"),
    "lengths": (int, "sequence lengths L"),
    "length": (int, "sequence length L (Li & Cai checks)"),
    "steps": (int, "numbers of steps N"),
    "eps": (float, "eps values (theorem_ter: the eps of Theorem 4.2; assumption check: eps_learning in nats)"),
    "eps_learning": (float, "eps_learning of the perturbed model, nats (0: oracle only)"),
    "delta": (float, "target SER (theorem_ser_sufficient)"),
    "max_length": (int, "largest L enumerated exactly for C* (theorem_ser)"),
    "c_grid": (float, "values of C in N = C L (theorem_ser)"),
    "claim_c": (float, "claim SER > 1/2 for all N <= C L with this C; refuted when C > C* (theorem_ser)"),
    "bound_factor": (float, "multiply the theorem's bound by this factor (values < 1 test that checks can fail)"),
    "claim_factor": (float, "claim eps_learning <= factor * eps (assumption check)"),
    "mc_samples": (int, "Monte Carlo samples (fixed-size schedules at long L)"),
    "seed": (int, "random seed of Monte Carlo and searches"),
    "max_steps": (int, "largest N searched"),
    "kinds": (str, "perturbation kinds: uniform temperature"),
    "samples": (int, "sampled x_t for eps_learning at long L"),
}
_LIST_OPTIONS = {"families", "seeds", "lengths", "steps", "eps", "c_grid", "kinds"}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m exactmdm.check",
        description="Check theorems about masked diffusion language models by exact computation.",
        epilog="Checks: " + ", ".join(CHECKS) + ". Exit codes: 0 holds, 1 refuted, 2 bad usage.")
    parser.add_argument("name", nargs="?", help="a check name, or 'all'")
    parser.add_argument("--list", action="store_true", help="list the checks with one line each")
    parser.add_argument("--json", metavar="PATH", help="write the certificate (a folder for 'all')")
    parser.add_argument("--verify", metavar="CERT", help="re-run the check of a certificate and compare")
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    for name, (kind, text) in _OPTIONS.items():
        flag = "--" + name.replace("_", "-")
        if name in _LIST_OPTIONS:
            parser.add_argument(flag, type=kind, nargs="+", dest=name, help=text)
        else:
            parser.add_argument(flag, type=kind, dest=name, help=text)
    return parser


def _progress(quiet: bool, name: str):
    if quiet:
        return None
    start = time.monotonic()

    def say(message: str):
        print(f"[{name} {time.monotonic() - start:6.1f}s] {message}", file=sys.stderr, flush=True)

    return say


def _write(path: Path, certificate: dict):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(certificate, indent=2, sort_keys=True) + "\n")


def _verify(path: str, quiet: bool) -> int:
    try:
        old = json.loads(Path(path).read_text())
    except (OSError, json.JSONDecodeError) as exc:
        print(f"error: cannot read certificate {path}: {exc}", file=sys.stderr)
        return 2
    name = old.get("check")
    if name not in CHECKS:
        print(f"error: certificate names unknown check {name!r}", file=sys.stderr)
        return 2
    result = run(name, progress=_progress(quiet, name), **old.get("options", {}))
    new = result.to_certificate()
    problems = compare_certificates(old, new)
    if new["input_hash"] != old.get("input_hash"):
        problems.insert(0, "input hash differs")
    if problems:
        print(f"{name}: certificate NOT reproduced:")
        for p in problems[:20]:
            print("  " + p)
        return 1
    print(f"{name}: certificate reproduced ({new['verdict']}, {new['input_hash']})")
    return 0 if new["verdict"] == "holds" else 1


def main(argv=None) -> int:
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0) if exc.code in (0, None) else 2
    if args.list:
        for name, module in CHECKS.items():
            print(f"{name:26s} {module.SUMMARY}")
        return 0
    if args.verify:
        return _verify(args.verify, args.quiet)
    if not args.name:
        parser.print_usage(sys.stderr)
        print("error: give a check name, 'all', --list or --verify CERT", file=sys.stderr)
        return 2
    names = list(CHECKS) if args.name == "all" else [args.name]
    if names[0] not in CHECKS:
        print(f"error: unknown check {args.name!r}; known: {', '.join(CHECKS)}, all", file=sys.stderr)
        return 2
    given = {k: getattr(args, k) for k in _OPTIONS if getattr(args, k) is not None}
    status = 0
    for name in names:
        module = CHECKS[name]
        options = {k: v for k, v in given.items() if k in module.DEFAULTS}
        ignored = sorted(set(given) - set(module.DEFAULTS))
        if ignored and args.name != "all":
            print(f"error: check {name} takes no option(s) {ignored}; it takes {sorted(module.DEFAULTS)}",
                  file=sys.stderr)
            return 2
        try:
            result = run(name, progress=_progress(args.quiet, name), **options)
        except (ExactMDMError, ValueError, TypeError) as exc:
            print(f"error: {name}: {exc}", file=sys.stderr)
            return 2
        print(result.format())
        print()
        if args.json:
            path = Path(args.json) / f"{name}.json" if args.name == "all" else Path(args.json)
            _write(path, result.to_certificate())
            print(f"certificate written to {path}")
        if not result.verdict:
            status = 1
    if args.name == "all":
        print("summary: " + ("every check holds" if status == 0 else "at least one check is REFUTED"))
    return status


if __name__ == "__main__":
    sys.exit(main())
