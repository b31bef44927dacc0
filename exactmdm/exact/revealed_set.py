"""Per-sequence revealed-set DP: p(x) for one sequence x, any HMM, any exchangeable schedule (and, run once
per block, LLaDA's blocks; with an argmax last step, MDLM's noise removal).

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
from .remasking import argmax_rows


@njit
def _revealed_tokens(x, base, positions, start, stop):
    length = x.shape[0]
    out = np.empty((stop - start, length), dtype=np.int64)
    for r in range(start, stop):
        for i in range(length):
            out[r - start, i] = base[i]
        for i in range(positions.shape[0]):
            if (r >> i) & 1:
                out[r - start, positions[i]] = x[positions[i]]
    return out


@njit
def _dp(table, final_table, subset_prob, n):
    """P(every position ends revealed with x's token), from nothing revealed; the last step reads
    ``final_table`` (MDLM's argmax step; ``table`` itself otherwise)."""
    full = (1 << n) - 1
    dp = np.zeros(1 << n)
    dp[0] = 1.0
    prod = np.empty(1 << n)
    sub = np.empty(1 << n, dtype=np.int64)
    bits = np.empty(n, dtype=np.int64)
    last = subset_prob.shape[0] - 1
    for k in range(subset_prob.shape[0]):
        tab = final_table if k == last else table
        new = np.zeros(1 << n)
        sp = subset_prob[k]
        for r in range(1 << n):
            mass = dp[r]
            if mass == 0.0:
                continue
            comp = full & ~r
            m = 0
            for i in range(n):
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
                prod[j] = prod[prev] * tab[r, bits[idx]]
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


_ALTERNATIVE = ("Use a shorter sequence, or (Markov-chain languages, i.i.d. or MDLM schedules) the Markov gap DP, "
                "which is polynomial in L; otherwise estimate with exactmdm.montecarlo.")


def check_cost(size: int, num_steps: int, max_work: float, max_entries: int, runs: int = 1, what: str = ""):
    """Refuse before starting: ``runs`` DPs over ``size`` positions, each N 3^size operations, a (2^size, size)
    table plus three 2^size arrays."""
    what = what or f"the revealed-set DP at L={size}, N={num_steps}"
    check_work(log_power(3, size) + math.log(num_steps) + math.log(runs), what, max_work, _ALTERNATIVE)
    check_enumeration_size(0, f"{what} (2^{size} revealed sets)", 8, max_entries, _ALTERNATIVE,
                           log_entries=log_power(2, size) + math.log(2 * size + 4))


def run(model, x: np.ndarray, subset_probs: np.ndarray, *, base: np.ndarray | None = None,
        positions: np.ndarray | None = None, final_argmax: bool = False, chunk: int = 1 << 14) -> float:
    """P(the sampler reveals ``positions`` with x's tokens | it starts from ``base``).

    ``base``: (L,) the state before the first step (x's tokens where revealed, MASK elsewhere; all MASK when
    None); ``positions``: the masked positions the steps reveal (every MASK of ``base`` when None), and
    ``subset_probs`` the schedule's subset law over them; positions outside stay as ``base`` has them (the
    model sees them so). ``final_argmax``: the last step's tokens are the model's argmax (MDLM's noise removal).
    """
    length = x.shape[0]
    base = np.full(length, -1, dtype=np.int64) if base is None else np.ascontiguousarray(base, dtype=np.int64)
    positions = np.flatnonzero(base < 0) if positions is None else np.asarray(positions, dtype=np.int64)
    n = positions.shape[0]
    table = np.zeros((1 << n, n))
    final = np.zeros((1 << n, n)) if final_argmax else table
    for start in range(0, 1 << n, chunk):
        stop = min(1 << n, start + chunk)
        probs = np.asarray(model(_revealed_tokens(x, base, positions, start, stop)), dtype=np.float64)
        rows = probs[:, positions, :]
        table[start:stop] = rows[:, np.arange(n), x[positions]]
        if final_argmax:
            final[start:stop] = argmax_rows(rows)[:, np.arange(n), x[positions]]
    return float(_dp(table, final, np.ascontiguousarray(subset_probs), n))
