"""The theorem checks: one module per theorem, each with NAME, SUMMARY, DEFAULTS and ``check(**options)``."""

from __future__ import annotations

from . import (assumption_eps_learning, theorem_li_cai, theorem_li_cai_lower, theorem_ser, theorem_ser_sufficient,
               theorem_ter)
from .result import CheckResult, Table, compare_certificates

CHECKS = {module.NAME: module for module in (theorem_ser, theorem_ter, theorem_ser_sufficient, theorem_li_cai,
                                               theorem_li_cai_lower, assumption_eps_learning)}

__all__ = ["CHECKS", "CheckResult", "Table", "compare_certificates", "run"]


def run(name: str, progress=None, **options) -> CheckResult:
    """Run check ``name`` with its defaults overridden by ``options``; the result records the options used."""
    module = CHECKS[name]
    unknown = set(options) - set(module.DEFAULTS)
    if unknown:
        raise TypeError(f"check {name} has no option(s) {sorted(unknown)}; it takes {sorted(module.DEFAULTS)}.")
    merged = dict(module.DEFAULTS)
    merged.update({k: v for k, v in options.items() if v is not None})
    result = module.check(progress=progress, **merged)
    result.options = merged
    return result
