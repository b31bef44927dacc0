"""Certified rational enclosures of the few transcendental numbers the checks need (via sympy)."""

from __future__ import annotations

from fractions import Fraction

import sympy

_DIGITS = 40
_SLACK = Fraction(1, 10 ** 35)


def enclose(expr) -> tuple[Fraction, Fraction]:
    """Rationals lo < value < hi for a sympy expression, from a 40-digit evaluation widened by 1e-35."""
    value = Fraction(str(sympy.N(sympy.sympify(expr), _DIGITS)))
    return value - _SLACK, value + _SLACK


def log_enclosure(x: Fraction) -> tuple[Fraction, Fraction]:
    """Enclosure of the natural log of a positive rational."""
    return enclose(sympy.log(sympy.Rational(x.numerator, x.denominator)))
