"""Per-sequence revealed-set DP: p(x) for one sequence x, any HMM, any exchangeable schedule.

For p(x), only trajectories whose revealed tokens all agree with x matter, so the state is the set R
of revealed positions (a bitmask: 2^L states). From R with m = L - |R| masked positions, step k
reveals S (a subset of the complement, |S| = u) with probability P_k(u|m)/C(m,u) and all its tokens
agree with x with probability prod_{i in S} p_i(x_i | x_R). The model is evaluated once per R (the
reverse model does not depend on t), and subsets S are enumerated with their products built
incrementally (one multiplication per subset), so a step costs O(3^L) and the model O(2^L) calls.
"""

from __future__ import annotations

import math

import numpy as np

from .._jit import njit
from ..cost import check_enumeration_size, check_work, log_power


@njit
def _revealed_tokens(x, start, stop):
    length = x.shape[0]
    out = np.empty((stop - start, length), dtype=np.int64)
    for r in range(start, stop):
        for i in range(length):
            out[r - start, i] = x[i] if (r >> i) & 1 else -1
    return out


@njit
def _gather(probs, x, start, table):
    for b in range(probs.shape[0]):
        for i in range(x.shape[0]):
            table[start + b, i] = probs[b, i, x[i]]


@njit
def _dp(table, subset_prob, length, start_mask, eligible):
    full = (1 << length) - 1
    dp = np.zeros(1 << length)
    dp[start_mask] = 1.0
    prod = np.empty(1 << length)
    sub = np.empty(1 << length, dtype=np.int64)
    bits = np.empty(length, dtype=np.int64)
    for k in range(subset_prob.shape[0]):
        new = np.zeros(1 << length)
        sp = subset_prob[k]
        for r in range(1 << length):
            mass = dp[r]
            if mass == 0.0:
                continue
            comp = full & ~r & eligible[k]  # the masked positions this step may reveal
            m = 0
            for i in range(length):
                if (comp >> i) & 1:
                    bits[m] = i
                    m += 1
            prod[0] = 1.0
            sub[0] = 0
            new[r] += mass * sp[m, 0]
            for j in range(1, 1 << m):
                low = j & (-j)
                idx = 0
                while (low >> idx) != 1:
                    idx += 1
                prev = j ^ low
                prod[j] = prod[prev] * table[r, bits[idx]]
                sub[j] = sub[prev] | (1 << bits[idx])
                u = 0
                t = j
                while t:
                    t &= t - 1
                    u += 1
                w = sp[m, u]
                if w > 0.0:
                    new[r | sub[j]] += mass * w * prod[j]
        dp = new
    return dp[full]


_ALTERNATIVE = ("Use a shorter sequence: this version has no polynomial exact method for long L yet (a Markov gap "
                "DP and Monte Carlo estimators are planned).")


def check_cost(length: int, num_steps: int, max_work: float, max_entries: int):
    """Refuse before starting: N 3^L operations, an (2^L, L) table plus three 2^L arrays."""
    check_work(log_power(3, length) + math.log(num_steps), f"the revealed-set DP at L={length}, N={num_steps}",
               max_work, _ALTERNATIVE)
    check_enumeration_size(0, f"the revealed-set DP at L={length} (2^L revealed sets)", 8, max_entries, _ALTERNATIVE,
                           log_entries=log_power(2, length) + math.log(length + 4))


def run(model, x: np.ndarray, subset_probs: np.ndarray, chunk: int = 1 << 14, start_mask: int = 0,
        eligible: np.ndarray | None = None) -> float:
    """p(x) from the revealed set ``start_mask`` (bit i: position i given, holding x_i) to the full set;
    ``eligible``: (N, L) bool, the positions step k may reveal (LLaDA's blocks), all when None."""
    length = x.shape[0]
    table = np.zeros((1 << length, length))
    for start in range(0, 1 << length, chunk):
        stop = min(1 << length, start + chunk)
        probs = model(_revealed_tokens(x, start, stop))
        _gather(np.ascontiguousarray(probs), x, start, table)
    masks = np.full(subset_probs.shape[0], (1 << length) - 1, dtype=np.int64) if eligible is None else \
        np.array([sum(1 << int(i) for i in np.flatnonzero(row)) for row in eligible], dtype=np.int64)
    return float(_dp(table, np.ascontiguousarray(subset_probs), length, start_mask, masks))
