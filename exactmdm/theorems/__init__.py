"""The theorem checks: one module per theorem, each with NAME, SUMMARY, DEFAULTS (the one place its defaults
live), optional LIMITS and ``preflight``, and ``check(progress=None, **options) -> CheckResult``.

A check returns records (``records.CheckResult`` of typed tables); ``render`` prints them and writes the
certificate, ``plot`` draws them. Bounds are pure functions in ``bounds``.
"""

from __future__ import annotations

from . import (assumption_eps_learning, schedule_theory, theorem_li_cai, theorem_li_cai_lower, theorem_ser,
               theorem_ser_sufficient, theorem_ter)
from ..errors import InvalidArgument
from . import harness
from .records import CheckResult, Table
from .result import compare_certificates

CHECKS = {module.NAME: module for module in (theorem_ser, theorem_ter, theorem_ser_sufficient, theorem_li_cai,
                                               theorem_li_cai_lower, assumption_eps_learning,
                                               schedule_theory)}

__all__ = ["CHECKS", "CheckResult", "Table", "compare_certificates", "run", "prepare"]


def _module(name: str):
    if name not in CHECKS:
        raise InvalidArgument(f"unknown check {name!r}; the checks are {', '.join(CHECKS)}.")
    return CHECKS[name]


def prepare(name: str, **options) -> dict:
    """Validate ``options`` for check ``name`` (defaults filled in) and refuse, before any work, a run beyond
    the budgets. Raises the library's InvalidArgument / InvalidType / EnumerationTooLarge, naming the flags."""
    return harness.prepare(_module(name), options)


def run(name: str, progress=None, **options) -> CheckResult:
    """Run check ``name`` with its defaults overridden by ``options``; the result records the options used."""
    return _module(name).check(progress=progress, **options)
