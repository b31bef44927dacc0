"""Named families of random languages used by the checks ("ngram2-V2", "hmm3-V3", ...), seeded.

They live in ``exactmdm.languages``; the checks name their command-line option in errors.
"""

from __future__ import annotations

from ..languages import family_order, make_language as _make_language, parse_family as _parse_family

__all__ = ["parse_family", "make_language", "family_order"]

FLAG = "--families:"


def parse_family(family: str) -> tuple[str, int, int, float]:
    """``languages.parse_family`` with errors naming the checks' ``--families`` option."""
    return _parse_family(family, FLAG)


def make_language(family: str, seed: int, concentration: float = 1.0):
    """``languages.make_language`` with errors naming the checks' ``--families`` option."""
    return _make_language(family, seed, concentration, FLAG)
