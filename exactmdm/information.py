"""Information quantities, in nats: the one entropy and the one KL of the package, and, from a dense joint
law over V^L (exact enumeration), I(X^i; X^-i), TC, DTC and Li & Cai's series of I(X^i; X_W).

sum_i I(X^i; X^-i) = TC(X) + DTC(X), with TC = sum_i H(X^i) - H(X) and DTC = H(X) - sum_i H(X^i | X^-i).
KL(q || p) follows the conventions 0 log(0/p) = 0 and q log(q/0) = inf (reported, never NaN).
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from ._jit import njit, prange

__all__ = ["entropy", "kl", "kl_row", "kl_rows", "mutual_information_each", "total_correlation", "dual_total_correlation",
           "mutual_information_with_subset", "information_series", "markov_information", "profile"]


def entropy(p) -> float:
    """H(p) = -sum p log p in nats, over all entries of ``p`` (any shape), 0 log 0 = 0."""
    p = np.asarray(p, dtype=np.float64)
    p = p[p > 0]
    return float(-np.sum(p * np.log(p)))


@njit
def kl_row(q, p):
    """KL(q || p) in nats of two (V,) float64 rows, inside other Numba kernels (no checks); inf where p misses
    q's support. ``kl_rows`` is the array form."""
    s = 0.0
    for v in range(q.shape[0]):
        if q[v] > 0.0:
            if p[v] <= 0.0:
                return np.inf
            s += q[v] * math.log(q[v] / p[v])
    return s


@njit(parallel=True)
def _kl_rows(q, p):
    out = np.empty(q.shape[0])
    for r in prange(q.shape[0]):
        out[r] = kl_row(q[r], p[r])
    return out


def kl_rows(q, p) -> np.ndarray:
    """KL(q || p) in nats along the last axis of two (..., V) arrays; ``inf`` where p misses q's support."""
    q = np.ascontiguousarray(q, dtype=np.float64)
    p = np.ascontiguousarray(p, dtype=np.float64)
    return _kl_rows(q.reshape(-1, q.shape[-1]), p.reshape(-1, p.shape[-1])).reshape(q.shape[:-1])


def kl(q, p) -> float:
    """KL(q || p) in nats over all entries of two arrays of one shape; ``math.inf`` where p misses q's support."""
    return float(kl_rows(np.ravel(q)[None, :], np.ravel(p)[None, :])[0])


def _marginal(table: np.ndarray, keep) -> np.ndarray:
    axes = tuple(a for a in range(table.ndim) if a not in keep)
    return table.sum(axis=axes) if axes else table


def _others(length: int, i: int) -> tuple:
    return tuple(j for j in range(length) if j != i)


def _mutual_information(table: np.ndarray, i: int, subset: tuple) -> float:
    """I(X^i; X_S) = H(X^i) + H(X_S) - H(X^i, X_S)."""
    return (entropy(_marginal(table, (i,))) + entropy(_marginal(table, subset))
            - entropy(_marginal(table, tuple(sorted((i,) + subset)))))


def mutual_information_each(table: np.ndarray) -> np.ndarray:
    """I(X^i; X^-i) for each position i."""
    return np.array([_mutual_information(table, i, _others(table.ndim, i)) for i in range(table.ndim)])


def total_correlation(table: np.ndarray) -> float:
    return sum(entropy(_marginal(table, (i,))) for i in range(table.ndim)) - entropy(table)


def dual_total_correlation(table: np.ndarray) -> float:
    h = entropy(table)
    cond = [h - entropy(_marginal(table, _others(table.ndim, i))) for i in range(table.ndim)]
    return h - sum(cond)


def mutual_information_with_subset(table: np.ndarray, i: int, size: int) -> float:
    """E over uniformly random subsets W of the other positions with |W| = size of I(X^i; X_W)."""
    if size <= 0:
        return 0.0
    others = _others(table.ndim, i)
    size = min(size, len(others))
    return float(np.mean([_mutual_information(table, i, subset) for subset in itertools.combinations(others, size)]))


def subset_size(j: int, cap: int) -> int:
    """|W_j| = min(2^j - 1, cap)."""
    return min(2 ** j - 1, cap)


def information_series(table, cap: int) -> float:
    """sum_i sum_{j >= 0} 2^-j E[I(X^i; X_{W_j})] with |W_j| = min(2^j - 1, cap) (exact; the tail where
    |W_j| = cap is summed in closed form: sum_{j' >= j} 2^-j' = 2^(1-j))."""
    length = table.ndim
    total = 0.0
    for i in range(length):
        j = 0
        while subset_size(j, cap) < cap:
            total += 2.0 ** -j * mutual_information_with_subset(table, i, subset_size(j, cap))
            j += 1
        total += 2.0 ** (1 - j) * mutual_information_with_subset(table, i, cap)
    return total


def markov_information(initial, transition, length: int) -> dict:
    """Exact information quantities of a Markov chain on tokens over L positions, in nats, in O(L V^3):
    ``entropy`` H(X), ``sum_mi`` sum_i I(X^i; X^-i), ``tc`` and ``dtc``.

    The Markov property makes every term local: H(X) = H(X_0) + sum_i H(X_i | X_(i-1)), and
    H(X_i | X_-i) = H(X_i | X_(i-1), X_(i+1)) = H(X_(i-1), X_i, X_(i+1)) - H(X_(i-1), X_(i+1)) (one-sided at
    the ends), so I(X_i; X_-i) = H(X_i) - H(X_i | X_-i), TC = sum_i H(X_i) - H(X), DTC = H(X) - sum_i H(X_i | X_-i).
    """
    initial = np.asarray(initial, dtype=np.float64)
    transition = np.asarray(transition, dtype=np.float64)
    marginals = [initial]
    for _ in range(1, length):
        marginals.append(marginals[-1] @ transition)
    h_total = entropy(marginals[0]) + sum(entropy(m[:, None] * transition) - entropy(m) for m in marginals[:-1])
    conditional = []
    for i in range(length):
        if length == 1:
            conditional.append(entropy(marginals[0]))
        elif i == 0:
            pair = marginals[0][:, None] * transition
            conditional.append(entropy(pair) - entropy(marginals[1]))
        elif i == length - 1:
            pair = marginals[i - 1][:, None] * transition
            conditional.append(entropy(pair) - entropy(marginals[i - 1]))
        else:
            triple = marginals[i - 1][:, None, None] * transition[:, :, None] * transition[None, :, :]
            conditional.append(entropy(triple) - entropy(triple.sum(axis=1)))
    h_each = [entropy(m) for m in marginals]
    return {"entropy": h_total, "sum_mi": float(sum(h - c for h, c in zip(h_each, conditional))),
            "tc": float(sum(h_each) - h_total), "dtc": float(h_total - sum(conditional))}


def profile(lang, length: int, *, method: str = "auto", num: int | None = None, seed: int = 0, confidence: float = 0.99):
    """The information profile h(j) = E H(X_a | X_R) of ``lang`` at ``length`` (a ``profile.Profile``; nats), with
    H, TC, DTC, sum_i I and ``expected_kl(schedule)``. See ``exactmdm.profile.profile`` for the methods."""
    from .profile import profile as _profile  # profile builds on this module's kernels

    return _profile(lang, length, method=method, num=num, seed=seed, confidence=confidence)


ROUNDING = 1e-12
"""Tolerance of the comparisons of float sums against bounds (their rounding is near 1e-16 per term)."""

ZERO_LEVEL = 1e-14
"""A KL that is 0 in exact arithmetic (the sampler is then exact) sums float terms to within this of 0."""


def clamp_rounding(value: float) -> float:
    """A KL within ZERO_LEVEL of 0 (e.g. -5.7e-16 or 1.1e-16 where it is exactly 0) is reported as 0.0; a
    value below -ROUNDING is a real error and is raised, never hidden."""
    if value < -ROUNDING:
        raise ArithmeticError(f"a KL divergence came out as {value!r} < 0: beyond float rounding")
    return 0.0 if abs(value) <= ZERO_LEVEL else value


@njit
def neumaier_add(total, comp, x):
    """One step of Neumaier's compensated summation: the result is a difference of two sums of size H(X)."""
    t = total + x
    if abs(total) >= abs(x):
        comp += (total - t) + x
    else:
        comp += (x - t) + total
    return t, comp
