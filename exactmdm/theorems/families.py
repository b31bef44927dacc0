"""Named families of random languages used by the checks ("ngram2-V2", "hmm3-V3", ...), seeded.

They live in ``exactmdm.languages``; here their errors name the checks' command-line option.
"""

from __future__ import annotations

from ..languages import family_order, make_language as _make_language, parse_family as _parse_family

__all__ = ["parse_family", "make_language", "family_order"]


def parse_family(family: str, flag: str = "--families") -> tuple[str, int, int, float]:
    """``languages.parse_family`` with errors naming the option ``flag``."""
    return _parse_family(family, flag + ":")


def make_language(family: str, seed: int, concentration: float = 1.0, flag: str = "--families"):
    """``languages.make_language`` with errors naming the option ``flag``."""
    return _make_language(family, seed, concentration, flag + ":")
