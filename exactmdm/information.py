"""Exact information quantities of a language over V^L: entropies, I(X^i; X^-i), TC, DTC.

sum_i I(X^i; X^-i) = TC(X) + DTC(X), with TC = sum_i H(X^i) - H(X) and DTC = H(X) - sum_i H(X^i | X^-i).
All in nats unless a base is given; computed from the dense joint law (exact enumeration).
"""

from __future__ import annotations

import itertools

import numpy as np

__all__ = ["entropy_of", "mutual_information_each", "total_correlation", "dual_total_correlation",
           "mutual_information_with_subset"]


def entropy_of(table: np.ndarray) -> float:
    p = table[table > 0]
    return float(-np.sum(p * np.log(p)))


def _marginal(table: np.ndarray, keep) -> np.ndarray:
    axes = tuple(a for a in range(table.ndim) if a not in keep)
    return table.sum(axis=axes) if axes else table


def _others(length: int, i: int) -> tuple:
    return tuple(j for j in range(length) if j != i)


def _mutual_information(table: np.ndarray, i: int, subset: tuple) -> float:
    """I(X^i; X_S) = H(X^i) + H(X_S) - H(X^i, X_S)."""
    return (entropy_of(_marginal(table, (i,))) + entropy_of(_marginal(table, subset))
            - entropy_of(_marginal(table, tuple(sorted((i,) + subset)))))


def mutual_information_each(table: np.ndarray) -> np.ndarray:
    """I(X^i; X^-i) for each position i."""
    return np.array([_mutual_information(table, i, _others(table.ndim, i)) for i in range(table.ndim)])


def total_correlation(table: np.ndarray) -> float:
    return sum(entropy_of(_marginal(table, (i,))) for i in range(table.ndim)) - entropy_of(table)


def dual_total_correlation(table: np.ndarray) -> float:
    h = entropy_of(table)
    cond = [h - entropy_of(_marginal(table, _others(table.ndim, i))) for i in range(table.ndim)]
    return h - sum(cond)


def mutual_information_with_subset(table: np.ndarray, i: int, size: int) -> float:
    """E over uniformly random subsets W of the other positions with |W| = size of I(X^i; X_W)."""
    if size <= 0:
        return 0.0
    others = _others(table.ndim, i)
    size = min(size, len(others))
    return float(np.mean([_mutual_information(table, i, subset) for subset in itertools.combinations(others, size)]))
