"""Exact binomial statistics of the estimators and of ``testing``: the regularised incomplete beta function,
Clopper-Pearson intervals, two-sided binomial p-values, and the normal quantile of the CLT intervals.

Pure Python floats (no scipy): the continued fraction is converged to 1e-15 and quantiles are found by
bisection to the last float bit, so an interval is as exact as float arithmetic allows.
"""

from __future__ import annotations

import math

__all__ = ["regularized_beta", "binomial_two_sided_pvalue", "clopper_pearson", "normal_quantile"]


def _betacf(a: float, b: float, x: float) -> float:
    """Continued fraction of the incomplete beta function (modified Lentz), converged to 1e-15."""
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 100000):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-15:
            return h
    raise ArithmeticError(f"incomplete beta continued fraction did not converge (a={a}, b={b}, x={x})")


def regularized_beta(a: float, b: float, x: float) -> float:
    """I_x(a, b), the regularised incomplete beta function (the binomial tail), for a, b > 0."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    log_front = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    if x < (a + 1.0) / (a + b + 2.0):
        return math.exp(log_front) * _betacf(a, b, x) / a
    return 1.0 - math.exp(log_front) * _betacf(b, a, 1.0 - x) / b


def _beta_quantile(p: float, a: float, b: float) -> float:
    """x with I_x(a, b) = p, by bisection (I_x increases in x) to the last float bit."""
    lo, hi = 0.0, 1.0
    for _ in range(80):
        mid = 0.5 * (lo + hi)
        if regularized_beta(a, b, mid) < p:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def binomial_two_sided_pvalue(successes: int, trials: int, p: float) -> float:
    """min(1, 2 min(P(X <= k), P(X >= k))) for X ~ Binomial(trials, p): exact tails via I_x(a, b)."""
    if p <= 0.0:
        return 1.0 if successes == 0 else 0.0
    if p >= 1.0:
        return 1.0 if successes == trials else 0.0
    upper = 1.0 if successes == 0 else regularized_beta(successes, trials - successes + 1, p)  # P(X >= k)
    lower = 1.0 if successes == trials else 1.0 - regularized_beta(successes + 1, trials - successes, p)  # P(X <= k)
    return min(1.0, 2.0 * min(upper, lower))


def clopper_pearson(successes: int, trials: int, confidence: float) -> tuple[float, float]:
    """Exact (conservative) two-sided interval for a binomial proportion."""
    alpha = 1.0 - confidence
    low = 0.0 if successes == 0 else _beta_quantile(alpha / 2, successes, trials - successes + 1)
    high = 1.0 if successes == trials else _beta_quantile(1 - alpha / 2, successes + 1, trials - successes)
    return low, high


def normal_quantile(confidence: float) -> float:
    """z with P(|Z| <= z) = confidence (bisection on erf)."""
    lo, hi = 0.0, 40.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if math.erf(mid / math.sqrt(2)) < confidence:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)
