"""The theorem checks: one module per theorem, each with NAME, SUMMARY, DEFAULTS and ``check(**options)``."""

from __future__ import annotations

from . import (assumption_eps_learning, theorem_li_cai, theorem_li_cai_lower, theorem_ser, theorem_ser_sufficient,
               theorem_ter)
from ..errors import InvalidArgument
from .options import validate
from .result import CheckResult, Table, compare_certificates

CHECKS = {module.NAME: module for module in (theorem_ser, theorem_ter, theorem_ser_sufficient, theorem_li_cai,
                                               theorem_li_cai_lower, assumption_eps_learning)}

__all__ = ["CHECKS", "CheckResult", "Table", "compare_certificates", "run", "prepare"]


def prepare(name: str, **options) -> dict:
    """Validate ``options`` for check ``name`` (defaults filled in) and refuse, before any work, a run whose
    exact enumerations are beyond the default budgets. Raises the library's InvalidArgument / InvalidType /
    EnumerationTooLarge, whose messages name the flags."""
    if name not in CHECKS:
        raise InvalidArgument(f"unknown check {name!r}; the checks are {', '.join(CHECKS)}.")
    module = CHECKS[name]
    merged = validate(module.DEFAULTS, options)
    if hasattr(module, "preflight"):
        module.preflight(**merged)
    return merged


def run(name: str, progress=None, **options) -> CheckResult:
    """Run check ``name`` with its defaults overridden by ``options``; the result records the options used."""
    merged = prepare(name, **options)
    result = CHECKS[name].check(progress=progress, **merged)
    result.options = merged
    return result
